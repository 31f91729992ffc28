//! Proxies for [`HyperTransport`](crate::HyperTransport): which connections go through an
//! HTTP or SOCKS proxy ([`Proxy`], resolved into [`Proxies`] when the transport is built), and
//! the connector that opens them ([`Connector`]).
//!
//! The protocols are hyper-util's: `Tunnel` (HTTP `CONNECT`), `SocksV4` and `SocksV5`, and its
//! `Matcher` for the `NO_PROXY` rules (domains, subdomains, IP addresses and ranges). What this
//! module adds is the routing around them: the environment read once at build time with every
//! value checked (a proxy that cannot be used is an error, never a silent direct connection),
//! loopback hosts kept off environment proxies, plain `http://` requests forwarded in absolute
//! form, default ports, and credentials kept out of `Debug`.

use std::fmt;
use std::future::{poll_fn, Future};
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::uri::{Authority, Scheme};
use http::{HeaderValue, Uri};
use hyper_util::client::legacy::connect::proxy::{SocksV4, SocksV5, Tunnel};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tower_service::Service;

use crate::error::{BoxError, TransportError, TransportErrorKind};

/// Which requests a [`HyperTransport`](crate::HyperTransport) sends through a proxy, set with
/// [`HyperTransportBuilder::proxy`](crate::HyperTransportBuilder::proxy).
///
/// The default is [`Proxy::from_env`]: the proxy variables that curl reads, as the official
/// Go and Python SDKs do. Supported proxy URLs:
///
/// | scheme | how |
/// | --- | --- |
/// | `http://` (or no scheme) | `https://` requests through an HTTP `CONNECT` tunnel (still encrypted end to end); plain `http://` requests forwarded in absolute form |
/// | `socks5://`, `socks5h://` | SOCKS5; `socks5h` lets the proxy resolve host names |
/// | `socks4://`, `socks4a://` | SOCKS4; `socks4a` lets the proxy resolve host names |
///
/// Credentials in the URL (`http://user:password@proxy:3128`) are sent as
/// `Proxy-Authorization: Basic` to an HTTP proxy, and as SOCKS5 username and password. They
/// never appear in `Debug` output. A URL without a port uses 80 for HTTP and 1080 for SOCKS.
/// `https://` proxy URLs (TLS to the proxy itself) are not supported, and are refused when the
/// transport is built.
///
/// # Examples
///
/// ```no_run
/// use openrouter_transport::{HyperTransport, Proxy};
///
/// # fn run() -> Result<(), openrouter_transport::TransportError> {
/// let transport = HyperTransport::builder()
///     .proxy(Proxy::all("http://proxy.internal:3128").no_proxy("localhost, .internal"))
///     .build()?;
/// # let _ = transport;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Proxy {
    rules: Rules,
    no_proxy: Option<String>,
}

#[derive(Clone, PartialEq, Eq)]
enum Rules {
    None,
    Env,
    Urls {
        http: Option<String>,
        https: Option<String>,
    },
}

impl Proxy {
    /// No proxy: every connection goes straight to the server, whatever the environment says.
    pub fn none() -> Proxy {
        Proxy {
            rules: Rules::None,
            no_proxy: None,
        }
    }

    /// The proxies the environment names, read when the transport is built: `HTTPS_PROXY`
    /// for `https://` requests, `HTTP_PROXY` for `http://` ones, `ALL_PROXY` for either when
    /// the specific one is unset, and `NO_PROXY` for the hosts that go direct (each also in
    /// lower case, the upper-case one first). The default.
    ///
    /// Requests to loopback hosts (`localhost`, `127.0.0.0/8`, `::1`) never go through an
    /// environment proxy. When `REQUEST_METHOD` is set (the process is a CGI script, where
    /// `HTTP_PROXY` may come from a request's `Proxy` header) the variables are ignored.
    ///
    /// A variable that is set but is not a usable proxy URL makes
    /// [`build`](crate::HyperTransportBuilder::build) fail, naming it: requests are never sent
    /// directly when a proxy was asked for.
    pub fn from_env() -> Proxy {
        Proxy {
            rules: Rules::Env,
            no_proxy: None,
        }
    }

    /// Sends every request through the proxy at `url`.
    pub fn all(url: impl Into<String>) -> Proxy {
        let url = url.into();
        Proxy {
            rules: Rules::Urls {
                http: Some(url.clone()),
                https: Some(url),
            },
            no_proxy: None,
        }
    }

    /// Sends `http://` requests through the proxy at `url`; `https://` ones go direct.
    pub fn http(url: impl Into<String>) -> Proxy {
        Proxy {
            rules: Rules::Urls {
                http: Some(url.into()),
                https: None,
            },
            no_proxy: None,
        }
    }

    /// Sends `https://` requests through the proxy at `url`; `http://` ones go direct.
    pub fn https(url: impl Into<String>) -> Proxy {
        Proxy {
            rules: Rules::Urls {
                http: None,
                https: Some(url.into()),
            },
            no_proxy: None,
        }
    }

    /// Hosts that go direct, in `NO_PROXY`'s form: comma-separated domain names (each also
    /// matching its subdomains; a leading dot is optional), IP addresses, IP ranges
    /// (`10.0.0.0/8`), or `*` for every host. With [`from_env`](Self::from_env) these are
    /// added to the `NO_PROXY` variable's.
    pub fn no_proxy(mut self, hosts: impl Into<String>) -> Proxy {
        self.no_proxy = Some(hosts.into());
        self
    }

    /// Reads the environment (for [`from_env`](Self::from_env)), checks every URL, and makes
    /// the routing table; `None` when nothing goes through a proxy.
    pub(crate) fn resolve(&self) -> Result<Option<Arc<Proxies>>, TransportError> {
        match &self.rules {
            Rules::None => Ok(None),
            Rules::Env => {
                if std::env::var_os("REQUEST_METHOD").is_some() {
                    return Ok(None);
                }
                let all = env_proxy(&["ALL_PROXY", "all_proxy"])?;
                let http = env_proxy(&["HTTP_PROXY", "http_proxy"])?;
                let https = env_proxy(&["HTTPS_PROXY", "https_proxy"])?;
                let mut no = first_env(&["NO_PROXY", "no_proxy"])
                    .map(|(_, value)| value)
                    .unwrap_or_default();
                if let Some(more) = &self.no_proxy {
                    no = format!("{no},{more}");
                }
                Ok(Proxies::new(http.or(all.clone()), https.or(all), no, true))
            }
            Rules::Urls { http, https } => {
                let check = |url: &Option<String>| {
                    url.as_deref()
                        .map(|url| check_url(url, "the proxy URL"))
                        .transpose()
                };
                let (http, https) = (check(http)?, check(https)?);
                let no = self.no_proxy.clone().unwrap_or_default();
                Ok(Proxies::new(http, https, no, false))
            }
        }
    }
}

impl Default for Proxy {
    /// [`Proxy::from_env`].
    fn default() -> Proxy {
        Proxy::from_env()
    }
}

impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("Proxy");
        match &self.rules {
            Rules::None => out.field("rules", &"none"),
            Rules::Env => out.field("rules", &"from the environment"),
            Rules::Urls { http, https } => out
                .field("http", &http.as_deref().map(redact))
                .field("https", &https.as_deref().map(redact)),
        };
        out.field("no_proxy", &self.no_proxy).finish()
    }
}

/// `url` with the user name and password, if any, replaced by `***`. Everything up to the
/// last `@` is hidden, even past a `/`, `?` or `#`: a password holding one of them unencoded
/// must not be shown either (such a URL is refused by [`check_url`]).
fn redact(url: &str) -> String {
    let start = url.find("://").map_or(0, |i| i + 3);
    match url[start..].rfind('@') {
        Some(at) => format!("{}***{}", &url[..start], &url[start + at..]),
        None => url.to_owned(),
    }
}

/// Whether an `@` comes after the first `/`, `?` or `#` past the scheme: the sign of a user
/// name or password holding one of them unencoded, which would move the host into the path.
fn raw_delimiter_in_userinfo(url: &str) -> bool {
    let start = url.find("://").map_or(0, |i| i + 3);
    let rest = &url[start..];
    match rest.find(['/', '?', '#']) {
        Some(end) => rest[end..].contains('@'),
        None => false,
    }
}

/// Whether the authority names a port that is not a number from 0 to 65535 (which `http`'s
/// parser would otherwise drop, so that the default port was used silently).
fn has_invalid_port(authority: &http::uri::Authority) -> bool {
    let host_port = authority
        .as_str()
        .rsplit_once('@')
        .map_or(authority.as_str(), |(_, hp)| hp);
    // After an IPv6 literal's closing bracket, or anywhere in a name or IPv4 address.
    let after_host = host_port
        .rfind(']')
        .map_or(host_port, |i| &host_port[i + 1..]);
    match after_host.rsplit_once(':') {
        Some((_, port)) => !port.is_empty() && port.parse::<u16>().is_err(),
        None => false,
    }
}

/// The first of the variables that is set and not empty: its name and value.
fn first_env(names: &[&'static str]) -> Option<(&'static str, String)> {
    names.iter().find_map(|name| match std::env::var(name) {
        Ok(value) if !value.trim().is_empty() => Some((*name, value)),
        _ => None,
    })
}

/// The proxy URL of the first of the variables that is set, checked.
fn env_proxy(names: &[&'static str]) -> Result<Option<String>, TransportError> {
    first_env(names)
        .map(|(name, value)| check_url(&value, name))
        .transpose()
}

/// Checks that `url` names a proxy this transport can use; `source` says where it came from
/// in the error. Returns it trimmed.
fn check_url(url: &str, source: &str) -> Result<String, TransportError> {
    let url = url.trim();
    let refuse = |why: String| {
        TransportError::with_message(
            TransportErrorKind::Other,
            format!("{source} `{}` {why}", redact(url)),
        )
        .with_may_have_reached_server(false)
    };
    if raw_delimiter_in_userinfo(url) {
        return Err(refuse(
            "has a `/`, `?` or `#` in its user name or password: percent-encode them \
             (%2F, %3F, %23)"
                .into(),
        ));
    }
    let uri: Uri = url
        .parse()
        .map_err(|_| refuse("is not a proxy URL".into()))?;
    let Some(authority) = uri.authority().filter(|a| !a.host().is_empty()) else {
        return Err(refuse("has no host".into()));
    };
    if has_invalid_port(authority) {
        return Err(refuse("has an invalid port".into()));
    }
    match uri.scheme_str() {
        None | Some("http" | "socks4" | "socks4a" | "socks5" | "socks5h") => Ok(url.to_owned()),
        Some("https") => Err(refuse(
            "is an https:// proxy, which is not supported: use its http:// URL (requests to \
             https:// servers stay encrypted through the proxy's tunnel)"
                .into(),
        )),
        Some(other) => Err(refuse(format!(
            "has the unsupported scheme `{other}` (http, socks4, socks4a, socks5 or socks5h)"
        ))),
    }
}

/// The proxies of a transport, resolved at build time.
pub(crate) struct Proxies {
    matcher: Matcher,
    /// Whether loopback hosts go direct whatever the rules say (for proxies from the
    /// environment).
    skip_loopback: bool,
}

impl Proxies {
    fn new(
        http: Option<String>,
        https: Option<String>,
        no: String,
        skip_loopback: bool,
    ) -> Option<Arc<Proxies>> {
        if http.is_none() && https.is_none() {
            return None;
        }
        let matcher = Matcher::builder()
            .http(http.unwrap_or_default())
            .https(https.unwrap_or_default())
            .no(no)
            .build();
        Some(Arc::new(Proxies {
            matcher,
            skip_loopback,
        }))
    }

    /// How to reach `dst`.
    pub(crate) fn route(&self, dst: &Uri) -> Route {
        if self.skip_loopback && dst.host().is_some_and(is_loopback) {
            return Route::Direct;
        }
        let Some(intercept) = self.matcher.intercept(dst) else {
            return Route::Direct;
        };
        let uri = intercept.uri();
        let socks = |version, default_port| Route::Socks {
            proxy: with_port(uri, default_port),
            version,
            auth: intercept
                .raw_auth()
                .map(|(user, pass)| (user.to_owned(), pass.to_owned())),
        };
        match uri.scheme_str() {
            Some("socks5") => socks(Socks::V5 { remote_dns: false }, 1080),
            Some("socks5h") => socks(Socks::V5 { remote_dns: true }, 1080),
            Some("socks4") => socks(Socks::V4 { remote_dns: false }, 1080),
            Some("socks4a") => socks(Socks::V4 { remote_dns: true }, 1080),
            // `check_url` let nothing else through: an HTTP proxy.
            _ => Route::Http {
                proxy: with_port(uri, 80),
                auth: intercept.basic_auth().cloned(),
            },
        }
    }
}

/// How a connection to one origin is made.
pub(crate) enum Route {
    Direct,
    /// Through an HTTP proxy: a `CONNECT` tunnel for `https`, forwarding for `http`.
    Http {
        proxy: Uri,
        /// `Proxy-Authorization`, marked sensitive.
        auth: Option<HeaderValue>,
    },
    Socks {
        proxy: Uri,
        version: Socks,
        auth: Option<(String, String)>,
    },
}

#[derive(Clone, Copy)]
pub(crate) enum Socks {
    V4 { remote_dns: bool },
    V5 { remote_dns: bool },
}

impl Route {
    /// For a plain `http://` origin behind an HTTP proxy: the requests go to the proxy in
    /// absolute form, with this `Proxy-Authorization` (if any).
    pub(crate) fn forwarding(self, dst: &Uri) -> Option<Option<HeaderValue>> {
        match self {
            Route::Http { auth, .. } if dst.scheme() == Some(&Scheme::HTTP) => Some(auth),
            _ => None,
        }
    }
}

fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .get(host.len().saturating_sub(".localhost".len())..)
            .is_some_and(|tail| tail.eq_ignore_ascii_case(".localhost"))
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// `uri` with an explicit port: its own, or `default`.
fn with_port(uri: &Uri, default: u16) -> Uri {
    match uri.authority() {
        Some(authority) if authority.port().is_none() => {
            let mut parts = uri.clone().into_parts();
            parts.authority = Authority::try_from(format!("{}:{default}", authority.host())).ok();
            Uri::from_parts(parts).unwrap_or_else(|_| uri.clone())
        }
        _ => uri.clone(),
    }
}

/// The TCP side of [`HyperTransport`](crate::HyperTransport)'s connections, under
/// hyper-rustls: straight to the server, or through the proxy its route names. For an `https`
/// origin the stream it returns reaches the server (through a tunnel if need be), and
/// hyper-rustls runs TLS over it.
#[derive(Clone)]
pub(crate) struct Connector {
    http: HttpConnector,
    proxies: Option<Arc<Proxies>>,
}

type Connecting = Pin<Box<dyn Future<Output = Result<TokioIo<TcpStream>, BoxError>> + Send>>;

impl Connector {
    pub(crate) fn new(http: HttpConnector, proxies: Option<Arc<Proxies>>) -> Connector {
        Connector { http, proxies }
    }
}

impl Service<Uri> for Connector {
    type Response = TokioIo<TcpStream>;
    type Error = BoxError;
    type Future = Connecting;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.http.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, dst: Uri) -> Connecting {
        let route = match &self.proxies {
            None => Route::Direct,
            Some(proxies) => proxies.route(&dst),
        };
        // The proxy protocols take the port from the URI, defaulting to 443.
        let default_port = if dst.scheme() == Some(&Scheme::HTTP) {
            80
        } else {
            443
        };
        match route {
            Route::Direct => {
                let connecting = self.http.call(dst);
                Box::pin(async move { Ok(connecting.await?) })
            }
            Route::Http { proxy, auth: _ } if dst.scheme() == Some(&Scheme::HTTP) => {
                let connecting = self.http.call(proxy.clone());
                Box::pin(async move { connecting.await.map_err(|e| via(&proxy, e.into())) })
            }
            Route::Http { proxy, auth } => {
                let mut tunnel = Tunnel::new(proxy.clone(), self.http.clone());
                if let Some(auth) = auth {
                    tunnel = tunnel.with_auth(auth);
                }
                through(proxy, tunnel, with_port(&dst, default_port))
            }
            Route::Socks {
                proxy,
                version: Socks::V5 { remote_dns },
                auth,
            } => {
                let mut socks =
                    SocksV5::new(proxy.clone(), self.http.clone()).local_dns(!remote_dns);
                if let Some((user, pass)) = auth {
                    socks = socks.with_auth(user, pass);
                }
                through(proxy, socks, with_port(&dst, default_port))
            }
            Route::Socks {
                proxy,
                version: Socks::V4 { remote_dns },
                auth: _,
            } => {
                let socks = SocksV4::new(proxy.clone(), self.http.clone()).local_dns(!remote_dns);
                through(proxy, socks, with_port(&dst, default_port))
            }
        }
    }
}

/// Connects to `dst` through a proxy protocol's connector.
fn through<S>(proxy: Uri, mut connector: S, dst: Uri) -> Connecting
where
    S: Service<Uri, Response = TokioIo<TcpStream>> + Send + 'static,
    S::Error: Into<BoxError>,
    S::Future: Send,
{
    Box::pin(async move {
        poll_fn(|cx| connector.poll_ready(cx))
            .await
            .map_err(|e| via(&proxy, e.into()))?;
        connector.call(dst).await.map_err(|e| via(&proxy, e.into()))
    })
}

/// Names the proxy in a connect error. Its URI carries no credentials: the matcher moves them
/// out of the authority, and `with_port` rebuilds it from the host.
fn via(proxy: &Uri, source: BoxError) -> BoxError {
    let host = proxy.authority().map_or("", Authority::as_str);
    Box::new(ProxyFailed {
        proxy: format!("{}://{host}", proxy.scheme_str().unwrap_or("http")),
        source,
    })
}

/// A connection through a proxy failed.
#[derive(Debug)]
struct ProxyFailed {
    proxy: String,
    source: BoxError,
}

impl fmt::Display for ProxyFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "through the proxy at {}", self.proxy)
    }
}

impl std::error::Error for ProxyFailed {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_credentials() {
        let proxy = Proxy::all("http://user:secret@proxy.example:3128/");
        let shown = format!("{proxy:?}");
        assert!(
            !shown.contains("secret") && !shown.contains("user"),
            "{shown}"
        );
        assert!(shown.contains("http://***@proxy.example:3128/"), "{shown}");
        let shown = format!("{:?}", Proxy::https("socks5h://proxy.example"));
        assert!(shown.contains("socks5h://proxy.example"), "{shown}");
        // A raw `/`, `?` or `#` in the password does not end what is hidden.
        for url in [
            "http://user:sec/ret@proxy.example:3128",
            "http://user:sec?ret@proxy.example:3128",
            "http://user:sec#ret@proxy.example:3128",
        ] {
            let shown = format!("{:?}", Proxy::all(url));
            assert!(!shown.contains("sec") && !shown.contains("ret"), "{shown}");
        }
    }

    #[test]
    fn urls_are_checked() {
        for (url, says) in [
            ("https://proxy.example:8443", "not supported"),
            ("ftp://proxy.example", "unsupported scheme `ftp`"),
            ("http://", "not a proxy URL"),
            ("not a url", "not a proxy URL"),
            ("http://user:secret@proxy example", "not a proxy URL"),
            ("http://proxy.example:notaport", "invalid port"),
            ("http://proxy.example:99999", "invalid port"),
            ("socks5://user:secret@proxy.example:65536", "invalid port"),
            ("http://[::1]:x", "invalid port"),
            ("http://user:se/cret@proxy.example:3128", "percent-encode"),
            ("http://user:se?cret@proxy.example:3128", "percent-encode"),
            ("http://user:se#cret@proxy.example:3128", "percent-encode"),
        ] {
            let err = Proxy::all(url).resolve().err().expect(url);
            let shown = err.to_string();
            assert!(shown.contains(says), "{url}: {shown}");
            assert!(!shown.contains("secret"), "{shown}");
            assert!(!err.may_have_reached_server());
        }
        for url in [
            "http://proxy.example:3128",
            "http://[::1]:3128",
            "http://user:se%2Fcret@proxy.example:65535",
            "proxy.example:3128",
            "socks5://127.0.0.1:1080",
            "socks4a://proxy.example",
        ] {
            assert!(Proxy::all(url).resolve().unwrap().is_some(), "{url}");
        }
        assert!(Proxy::none().resolve().unwrap().is_none());
    }

    fn route(proxy: Proxy, dst: &str) -> Route {
        proxy
            .resolve()
            .unwrap()
            .unwrap()
            .route(&dst.parse().unwrap())
    }

    #[test]
    fn routes() {
        let https = "https://openrouter.ai/api/v1/credits";
        let Route::Http { proxy, auth } = route(Proxy::all("http://u:p@proxy.example"), https)
        else {
            panic!("through the HTTP proxy")
        };
        assert_eq!(proxy.authority().unwrap().as_str(), "proxy.example:80");
        assert_eq!(auth.unwrap(), "Basic dTpw");
        assert!(
            route(Proxy::all("proxy.example:3128"), "http://example.com/")
                .forwarding(&"http://example.com/".parse().unwrap())
                .is_some()
        );
        assert!(matches!(
            route(Proxy::all("socks5h://proxy.example"), https),
            Route::Socks { version: Socks::V5 { remote_dns: true }, ref proxy, .. }
                if proxy.port_u16() == Some(1080)
        ));
        assert!(matches!(
            route(Proxy::http("http://proxy.example"), https),
            Route::Direct
        ));
        assert!(matches!(
            route(
                Proxy::all("http://proxy.example").no_proxy("openrouter.ai"),
                https
            ),
            Route::Direct
        ));
        // An explicit proxy applies to loopback hosts too (only environment ones skip them).
        assert!(matches!(
            route(Proxy::all("http://proxy.example"), "http://127.0.0.1:8080/"),
            Route::Http { .. }
        ));
    }

    #[test]
    fn loopback_hosts() {
        for host in [
            "localhost",
            "LOCALHOST",
            "api.localhost",
            "127.0.0.1",
            "127.9.9.9",
            "[::1]",
        ] {
            assert!(is_loopback(host), "{host}");
        }
        for host in ["localhost.example", "10.0.0.1", "[::2]", "openrouter.ai"] {
            assert!(!is_loopback(host), "{host}");
        }
    }
}
