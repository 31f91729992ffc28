//! The default transport: hyper's HTTP/1.1 and HTTP/2 connections, pooled (`crate::pool`),
//! over rustls.
//!
//! Nothing here names hyper, hyper-util or rustls in a public signature: the builder takes
//! plain values, errors are [`TransportError`]s, and bodies are
//! [`ResponseBody`](crate::ResponseBody)s. That keeps those crates' major versions out of this
//! crate's API.

use std::error::Error as StdError;
use std::fmt;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use http::uri::Scheme;
use hyper_rustls::HttpsConnectorBuilder;
use hyper_util::client::legacy::connect::HttpConnector;

use crate::body::RequestBody;
use crate::error::{chain, BoxError, TransportError, TransportErrorKind};
use crate::pool::{ConnectTimedOut, Limits, Pool};
use crate::proxy::{Connector, Proxy};
use crate::transport::{Transport, TransportFuture};

/// The default [`Transport`]: a pooled HTTP/1.1 and HTTP/2 client over rustls.
///
/// Built on hyper's connections, a pool of this crate's own, and hyper-rustls. HTTP/2 is
/// chosen by ALPN when the server offers it, and one HTTP/2 connection per origin is shared
/// by concurrent requests (requests that start while the first connection to an `https`
/// origin is being opened wait for it rather than open their own). An HTTP/1.1 connection
/// serves one request at a time and returns to the pool when its response body has been read
/// to the end; when a body is dropped before its end, the connection is reused only if the
/// rest of it had already arrived, and is closed otherwise. Plain `http://` URLs are accepted
/// too (for local proxies and tests) unless [`https_only`](HyperTransportBuilder::https_only)
/// is set.
///
/// Build it once and reuse it: clones share one connection pool, and cloning is a
/// reference-count increment. It needs a tokio runtime with the IO and time drivers
/// enabled when sending (not when building).
///
/// # Examples
///
/// ```no_run
/// use std::time::Duration;
/// use openrouter_transport::{HyperTransport, RequestBody, Transport};
///
/// # async fn run() -> Result<(), openrouter_transport::TransportError> {
/// let transport = HyperTransport::builder()
///     .connect_timeout(Duration::from_secs(5))
///     .build()?;
/// let request = http::Request::get("https://openrouter.ai/api/v1/models")
///     .body(RequestBody::empty())
///     .expect("valid request");
/// let response = transport.send(request).await?;
/// println!("{}", response.status());
/// let json = response.into_body().collect().await?;
/// # let _ = json;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct HyperTransport {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Pool,
    config: HyperTransportBuilder,
}

impl HyperTransport {
    /// A transport with the default settings; see [`HyperTransportBuilder`].
    ///
    /// # Errors
    ///
    /// As [`HyperTransportBuilder::build`].
    pub fn new() -> Result<Self, TransportError> {
        Self::builder().build()
    }

    /// A builder to configure the transport.
    pub fn builder() -> HyperTransportBuilder {
        HyperTransportBuilder::default()
    }
}

impl fmt::Debug for HyperTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HyperTransport")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

impl Transport for HyperTransport {
    fn send(&self, request: http::Request<RequestBody>) -> TransportFuture<'_> {
        let uri = request.uri();
        match (uri.scheme(), uri.authority()) {
            (Some(scheme), Some(_)) if *scheme == Scheme::HTTPS || *scheme == Scheme::HTTP => {}
            (Some(scheme), Some(_)) => {
                let message = format!("unsupported URI scheme `{scheme}`: only http and https");
                return refuse(TransportErrorKind::Connect, message.into());
            }
            _ => {
                return refuse(
                    TransportErrorKind::Other,
                    "request URI must be absolute (scheme and host)".into(),
                );
            }
        }
        Box::pin(self.inner.pool.send(request))
    }
}

/// Fails a request that cannot be sent at all, before anything is sent.
fn refuse(
    kind: TransportErrorKind,
    message: std::borrow::Cow<'static, str>,
) -> TransportFuture<'static> {
    let err = TransportError::with_message(kind, message).with_may_have_reached_server(false);
    Box::pin(std::future::ready(Err(err)))
}

/// Which built-in set of certificate authorities [`HyperTransport`] trusts.
///
/// Certificates added with [`add_root_certificate`](HyperTransportBuilder::add_root_certificate)
/// or [`add_root_certificates_pem`](HyperTransportBuilder::add_root_certificates_pem) are
/// trusted on top of the chosen set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsRoots {
    /// Mozilla's root certificates, compiled in (feature `webpki-roots`, on by default).
    /// The same everywhere, and independent of the machine's configuration.
    #[cfg(feature = "webpki-roots")]
    WebPki,
    /// The operating system's certificate store, read when the transport is built (feature
    /// `native-roots`). Picks up corporate roots installed on the machine.
    #[cfg(feature = "native-roots")]
    Native,
    /// No built-in set: only the certificates added to the builder are trusted, for a private
    /// certificate authority or a pinned self-signed server. The default when neither roots
    /// feature is enabled.
    AddedOnly,
}

/// Configures and builds a [`HyperTransport`].
///
/// | setting | default |
/// | --- | --- |
/// | [`connect_timeout`](Self::connect_timeout) | [`DEFAULT_CONNECT_TIMEOUT`](Self::DEFAULT_CONNECT_TIMEOUT) (10 s), covering TCP and TLS |
/// | [`pool_idle_timeout`](Self::pool_idle_timeout) | [`DEFAULT_POOL_IDLE_TIMEOUT`](Self::DEFAULT_POOL_IDLE_TIMEOUT) (55 s) |
/// | [`pool_max_idle_per_host`](Self::pool_max_idle_per_host) | unlimited |
/// | [`http2`](Self::http2) | offered by ALPN |
/// | [`http2_keep_alive`](Self::http2_keep_alive) | off: no pings |
/// | [`tcp_nodelay`](Self::tcp_nodelay) | on |
/// | [`https_only`](Self::https_only) | off: `http://` is allowed |
/// | [`proxy`](Self::proxy) | [`Proxy::from_env`]: `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY` |
/// | [`tls_roots`](Self::tls_roots) | [`TlsRoots::WebPki`] when that feature is on, else [`TlsRoots`]`::Native` when that one is, else [`TlsRoots::AddedOnly`] |
/// | [`add_root_certificate`](Self::add_root_certificate), [`add_root_certificates_pem`](Self::add_root_certificates_pem) | none added |
///
/// The TLS crypto provider is `aws-lc-rs` when that feature is enabled, else `ring` when
/// enabled, else the process-wide rustls default provider.
#[derive(Clone, Debug)]
#[must_use]
pub struct HyperTransportBuilder {
    connect_timeout: Option<Duration>,
    pool_idle_timeout: Option<Duration>,
    pool_max_idle_per_host: usize,
    http2: bool,
    http2_keep_alive: Option<(Duration, Duration)>,
    tcp_nodelay: bool,
    https_only: bool,
    proxy: Proxy,
    tls_roots: TlsRoots,
    added_roots: Vec<AddedRoot>,
}

/// A root certificate given to the builder, parsed only by `build`, which reports a bad one.
#[derive(Clone)]
enum AddedRoot {
    Der(Vec<u8>),
    Pem(Vec<u8>),
}

impl fmt::Debug for AddedRoot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The bytes themselves say nothing useful in a log line.
        match self {
            AddedRoot::Der(der) => write!(f, "Der({} bytes)", der.len()),
            AddedRoot::Pem(pem) => write!(f, "Pem({} bytes)", pem.len()),
        }
    }
}

impl Default for HyperTransportBuilder {
    fn default() -> Self {
        HyperTransportBuilder {
            connect_timeout: Some(Self::DEFAULT_CONNECT_TIMEOUT),
            pool_idle_timeout: Some(Self::DEFAULT_POOL_IDLE_TIMEOUT),
            pool_max_idle_per_host: usize::MAX,
            http2: true,
            http2_keep_alive: None,
            tcp_nodelay: true,
            https_only: false,
            proxy: Proxy::from_env(),
            tls_roots: default_roots(),
            added_roots: Vec::new(),
        }
    }
}

#[allow(unreachable_code)]
fn default_roots() -> TlsRoots {
    #[cfg(feature = "webpki-roots")]
    return TlsRoots::WebPki;
    #[cfg(feature = "native-roots")]
    return TlsRoots::Native;
    TlsRoots::AddedOnly
}

impl HyperTransportBuilder {
    /// How long establishing a connection (TCP connect and TLS handshake) may take: 10 s.
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

    /// How long an idle pooled connection is kept: 55 s, below the keep-alive timeouts of
    /// common servers and load balancers (60 s for AWS load balancers, 75 s for nginx), so
    /// that the client, not the server, usually ends an idle connection. A connection the
    /// server closes first is noticed at checkout in any case.
    pub const DEFAULT_POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(55);

    /// Sets the connect timeout, covering the TCP connect and the TLS handshake; `None`
    /// waits as long as the operating system does.
    ///
    /// When it passes, `send` fails with a [`Timeout`](TransportErrorKind::Timeout) error
    /// for which [`is_connect`](TransportError::is_connect) is true and
    /// [`may_have_reached_server`](TransportError::may_have_reached_server) is false.
    pub fn connect_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.connect_timeout = timeout.into();
        self
    }

    /// Sets how long an idle connection stays in the pool; `None` keeps it until the server
    /// closes it.
    pub fn pool_idle_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.pool_idle_timeout = timeout.into();
        self
    }

    /// Sets how many idle connections are kept per host; `0` disables pooling.
    pub fn pool_max_idle_per_host(mut self, max: usize) -> Self {
        self.pool_max_idle_per_host = max;
        self
    }

    /// Sets whether HTTP/2 is offered by ALPN on TLS connections.
    ///
    /// When on, the client offers `h2` and `http/1.1` and uses what the server picks (HTTP/1.1
    /// if it picks nothing). When off, it sends no ALPN extension and speaks HTTP/1.1. Plain
    /// `http://` connections always use HTTP/1.1.
    pub fn http2(mut self, enabled: bool) -> Self {
        self.http2 = enabled;
        self
    }

    /// Sends an HTTP/2 `PING` on each HTTP/2 connection every `interval`, in use or idle, and
    /// closes a connection whose ping is not answered within `timeout`; `None` sends none
    /// (the default).
    ///
    /// A connection that died silently (a NAT or firewall that forgot it, a peer that vanished)
    /// is then noticed within about `interval + timeout`: a pooled one is replaced before a
    /// request waits on it, and a request or stream in progress on it fails with a transport
    /// error rather than waiting for its own timeouts. HTTP/1.1 connections are not affected.
    pub fn http2_keep_alive(
        mut self,
        interval: impl Into<Option<Duration>>,
        timeout: Duration,
    ) -> Self {
        self.http2_keep_alive = interval.into().map(|interval| (interval, timeout));
        self
    }

    /// Sets `TCP_NODELAY` on new connections, which avoids delaying small writes.
    pub fn tcp_nodelay(mut self, enabled: bool) -> Self {
        self.tcp_nodelay = enabled;
        self
    }

    /// Refuses plain `http://` URLs when `true`: sending one fails with a
    /// [`Connect`](TransportErrorKind::Connect) error.
    pub fn https_only(mut self, enabled: bool) -> Self {
        self.https_only = enabled;
        self
    }

    /// Sets which requests go through a proxy (default: [`Proxy::from_env`], the proxy
    /// variables of the environment, read by [`build`](Self::build)); [`Proxy::none`] connects
    /// directly whatever the environment says.
    ///
    /// Through an HTTP proxy, `https://` requests use a `CONNECT` tunnel: TLS runs end to end
    /// with the server, and HTTP/2 is negotiated as usual. The connect timeout covers the
    /// connection to the proxy, the tunnel or SOCKS handshake, and TLS.
    pub fn proxy(mut self, proxy: Proxy) -> Self {
        self.proxy = proxy;
        self
    }

    /// Chooses the built-in set of certificate authorities to trust. Certificates added with
    /// [`add_root_certificate`](Self::add_root_certificate) are trusted as well, whichever set
    /// is chosen; [`TlsRoots::AddedOnly`] trusts those alone.
    pub fn tls_roots(mut self, roots: TlsRoots) -> Self {
        self.tls_roots = roots;
        self
    }

    /// Also trusts this root certificate, given as DER bytes (the binary form; for the
    /// `-----BEGIN CERTIFICATE-----` text form use
    /// [`add_root_certificates_pem`](Self::add_root_certificates_pem)).
    ///
    /// The certificate is added on top of the [`tls_roots`](Self::tls_roots) set: for a
    /// private certificate authority (a corporate proxy, a test server), or a self-signed
    /// server certificate. Call it once per certificate.
    ///
    /// The bytes are parsed by [`build`](Self::build), which fails with a
    /// [`Tls`](TransportErrorKind::Tls) error if they are not a certificate usable as a trust
    /// anchor.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use openrouter_transport::HyperTransport;
    ///
    /// # fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let der = std::fs::read("corporate-root.der")?;
    /// let transport = HyperTransport::builder().add_root_certificate(der).build()?;
    /// # let _ = transport;
    /// # Ok(())
    /// # }
    /// ```
    pub fn add_root_certificate(mut self, der: impl Into<Vec<u8>>) -> Self {
        self.added_roots.push(AddedRoot::Der(der.into()));
        self
    }

    /// Also trusts every certificate in this PEM text (one or more
    /// `-----BEGIN CERTIFICATE-----` sections, as in a CA bundle file); sections of other
    /// kinds, such as keys, are ignored.
    ///
    /// As [`add_root_certificate`](Self::add_root_certificate), the certificates are added on
    /// top of the [`tls_roots`](Self::tls_roots) set, and [`build`](Self::build) fails with a
    /// [`Tls`](TransportErrorKind::Tls) error if the text is not valid PEM, holds no
    /// certificate, or holds a certificate that cannot be used as a trust anchor.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use openrouter_transport::{HyperTransport, TlsRoots};
    ///
    /// # fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// // Trust only the private authority, not the public ones.
    /// let pem = std::fs::read("internal-ca.pem")?;
    /// let transport = HyperTransport::builder()
    ///     .tls_roots(TlsRoots::AddedOnly)
    ///     .add_root_certificates_pem(pem)
    ///     .build()?;
    /// # let _ = transport;
    /// # Ok(())
    /// # }
    /// ```
    pub fn add_root_certificates_pem(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.added_roots.push(AddedRoot::Pem(pem.as_ref().to_vec()));
        self
    }

    /// Builds the transport.
    ///
    /// # Errors
    ///
    /// Returns a [`Tls`](TransportErrorKind::Tls) error when the TLS configuration cannot be
    /// made: no root certificates could be loaded from the operating system, an added root
    /// certificate is invalid, there is no root certificate at all (no roots feature is
    /// enabled and none was added), or no rustls crypto provider is available.
    ///
    /// Returns an [`Other`](TransportErrorKind::Other) error when a proxy URL, given or read
    /// from the environment, cannot be used (see [`Proxy`]).
    pub fn build(self) -> Result<HyperTransport, TransportError> {
        let tls = self.tls_config()?;
        let proxies = self.proxy.resolve()?;

        let mut http = HttpConnector::new();
        // hyper-rustls needs to see https URIs; it checks the scheme itself.
        http.enforce_http(false);
        http.set_nodelay(self.tcp_nodelay);
        // The timeout is applied around TCP and TLS together, by the pool.
        http.set_connect_timeout(None);

        let schemes = HttpsConnectorBuilder::new().with_tls_config(tls);
        let protocols = if self.https_only {
            schemes.https_only()
        } else {
            schemes.https_or_http()
        }
        .enable_http1();
        let connector = Connector::new(http, proxies.clone());
        let https = if self.http2 {
            protocols.enable_http2().wrap_connector(connector)
        } else {
            protocols.wrap_connector(connector)
        };
        let limits = Limits {
            idle_timeout: self.pool_idle_timeout,
            max_idle_per_host: self.pool_max_idle_per_host,
            http2: self.http2,
            http2_keep_alive: self.http2_keep_alive,
        };
        let pool = Pool::new(https, proxies, self.connect_timeout, limits);

        Ok(HyperTransport {
            inner: Arc::new(Inner { pool, config: self }),
        })
    }

    fn tls_config(&self) -> Result<rustls::ClientConfig, TransportError> {
        let versions = rustls::ClientConfig::builder_with_provider(crypto_provider()?)
            .with_safe_default_protocol_versions()
            .map_err(|e| tls_error(format!("invalid TLS configuration: {e}")))?;
        let mut roots = rustls::RootCertStore::empty();
        match self.tls_roots {
            #[cfg(feature = "webpki-roots")]
            TlsRoots::WebPki => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
            #[cfg(feature = "native-roots")]
            TlsRoots::Native => add_native_roots(&mut roots)?,
            TlsRoots::AddedOnly => {}
        }
        for (index, root) in self.added_roots.iter().enumerate() {
            add_root(&mut roots, index + 1, root)?;
        }
        if roots.is_empty() {
            return Err(tls_error(
                "no TLS root certificates: enable the `webpki-roots` or `native-roots` feature, \
                 or add root certificates to the builder"
                    .into(),
            ));
        }
        Ok(versions.with_root_certificates(roots).with_no_client_auth())
    }
}

/// A TLS configuration error, raised by `build`, before anything is sent.
fn tls_error(message: String) -> TransportError {
    TransportError::with_message(TransportErrorKind::Tls, message)
        .with_may_have_reached_server(false)
}

/// As [`tls_error`], keeping `source` as the cause.
fn tls_error_from(source: impl Into<BoxError>, message: String) -> TransportError {
    TransportError::new(TransportErrorKind::Tls, source)
        .context(message)
        .with_may_have_reached_server(false)
}

/// Adds the `number`th root given to the builder (counting from 1, as the error says).
fn add_root(
    roots: &mut rustls::RootCertStore,
    number: usize,
    root: &AddedRoot,
) -> Result<(), TransportError> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::CertificateDer;

    match root {
        AddedRoot::Der(der) => roots
            .add(CertificateDer::from(der.as_slice()))
            .map_err(|e| {
                tls_error_from(
                    e,
                    format!("added root certificate {number} (DER) is not a valid certificate"),
                )
            }),
        AddedRoot::Pem(pem) => {
            let mut found = 0;
            for cert in CertificateDer::pem_slice_iter(pem) {
                let cert = cert.map_err(|e| {
                    tls_error_from(
                        e,
                        format!("added root certificates {number} (PEM) are not valid PEM"),
                    )
                })?;
                found += 1;
                roots.add(cert).map_err(|e| {
                    tls_error_from(
                        e,
                        format!(
                            "certificate {found} of added root certificates {number} (PEM) \
                             is not a valid certificate"
                        ),
                    )
                })?;
            }
            if found == 0 {
                return Err(tls_error(format!(
                    "added root certificates {number} (PEM) contain no CERTIFICATE section"
                )));
            }
            Ok(())
        }
    }
}

/// Adds the operating system's root certificates, skipping those rustls cannot parse (large
/// stores often hold a few); fails if none is usable.
#[cfg(feature = "native-roots")]
fn add_native_roots(roots: &mut rustls::RootCertStore) -> Result<(), TransportError> {
    let loaded = rustls_native_certs::load_native_certs();
    let (added, _ignored) = roots.add_parsable_certificates(loaded.certs);
    if added > 0 {
        return Ok(());
    }
    let message = "could not load the operating system's root certificates: none found".into();
    Err(match loaded.errors.into_iter().next() {
        Some(first) => tls_error_from(first, message),
        None => tls_error(message),
    })
}

/// The crypto provider named by the enabled features, else the process default.
#[allow(unreachable_code)]
fn crypto_provider() -> Result<Arc<rustls::crypto::CryptoProvider>, TransportError> {
    // aws-lc-rs wins when both are on: `ring` is a default feature, so someone who turned on
    // `aws-lc-rs` asked for it explicitly.
    #[cfg(feature = "aws-lc-rs")]
    return Ok(Arc::new(rustls::crypto::aws_lc_rs::default_provider()));
    #[cfg(feature = "ring")]
    return Ok(Arc::new(rustls::crypto::ring::default_provider()));
    rustls::crypto::CryptoProvider::get_default()
        .cloned()
        .ok_or_else(|| {
            TransportError::with_message(
                TransportErrorKind::Tls,
                "no rustls crypto provider: enable the `ring` or `aws-lc-rs` feature, \
                 or install a process-wide default provider",
            )
            .with_may_have_reached_server(false)
        })
}

/// Picks the kind by walking the error and its causes.
pub(crate) fn classify(err: &(dyn StdError + 'static), connect: bool) -> TransportErrorKind {
    let mut from_hyper = None;
    let mut saw_hyper = false;
    let mut from_io = None;
    for cause in chain(err) {
        if cause.is::<ConnectTimedOut>() {
            return TransportErrorKind::Timeout;
        }
        if cause.is::<rustls::Error>() {
            return TransportErrorKind::Tls;
        }
        if let Some(hyper_err) = cause.downcast_ref::<hyper::Error>() {
            saw_hyper = true;
            from_hyper = from_hyper.or_else(|| classify_hyper(hyper_err));
        }
        if let Some(io_err) = cause.downcast_ref::<io::Error>() {
            from_io = from_io.or(Some(match io_err.kind() {
                io::ErrorKind::TimedOut => TransportErrorKind::Timeout,
                _ => TransportErrorKind::Io,
            }));
        }
    }
    if connect {
        // An operating-system connect timeout is still a timeout; anything else while
        // connecting (refused, DNS, unsupported scheme) is a connect failure.
        return match from_io {
            Some(TransportErrorKind::Timeout) => TransportErrorKind::Timeout,
            _ => TransportErrorKind::Connect,
        };
    }
    from_hyper.or(from_io).unwrap_or(if saw_hyper {
        TransportErrorKind::Protocol
    } else {
        TransportErrorKind::Other
    })
}

fn classify_hyper(err: &hyper::Error) -> Option<TransportErrorKind> {
    if err.is_timeout() {
        Some(TransportErrorKind::Timeout)
    } else if err.is_parse() || err.is_parse_status() {
        Some(TransportErrorKind::Protocol)
    } else if err.is_user() {
        // For a client, a "user" error is ours: a failing request-body stream, an invalid
        // header.
        Some(TransportErrorKind::Other)
    } else if err.is_incomplete_message()
        || err.is_closed()
        || err.is_canceled()
        || err.is_body_write_aborted()
    {
        Some(TransportErrorKind::Io)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transport_is_send_sync_and_cheap_to_clone() {
        fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}
        assert_send_sync::<HyperTransport>();
        assert_eq!(
            std::mem::size_of::<HyperTransport>(),
            std::mem::size_of::<usize>()
        );
    }

    #[test]
    fn builder_defaults() {
        let b = HyperTransportBuilder::default();
        assert_eq!(b.connect_timeout, Some(Duration::from_secs(10)));
        assert_eq!(b.pool_idle_timeout, Some(Duration::from_secs(55)));
        assert!(b.http2 && b.tcp_nodelay && !b.https_only);
        assert!(b.added_roots.is_empty());
    }

    #[test]
    fn builder_debug_shows_added_roots_by_size() {
        let b = HyperTransportBuilder::default()
            .add_root_certificate(vec![1, 2, 3])
            .add_root_certificates_pem("pem");
        let debug = format!("{b:?}");
        assert!(
            debug.contains("added_roots: [Der(3 bytes), Pem(3 bytes)]"),
            "{debug}"
        );
    }

    #[test]
    fn classifies_connector_errors() {
        let refused: BoxError = Box::new(io::Error::from(io::ErrorKind::ConnectionRefused));
        assert_eq!(classify(&*refused, true), TransportErrorKind::Connect);

        let timed_out: BoxError = Box::new(ConnectTimedOut(Duration::from_secs(1)));
        assert_eq!(classify(&*timed_out, true), TransportErrorKind::Timeout);

        let os_timeout: BoxError = Box::new(io::Error::from(io::ErrorKind::TimedOut));
        assert_eq!(classify(&*os_timeout, true), TransportErrorKind::Timeout);

        // As hyper-rustls reports a handshake failure: io::Error(io::Error(rustls::Error)).
        let tls = io::Error::new(
            io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer),
        );
        let tls: BoxError = Box::new(io::Error::other(tls));
        assert_eq!(classify(&*tls, true), TransportErrorKind::Tls);
    }

    #[test]
    fn classifies_errors_after_connecting() {
        let reset: BoxError = Box::new(io::Error::from(io::ErrorKind::ConnectionReset));
        assert_eq!(classify(&*reset, false), TransportErrorKind::Io);
        let other: BoxError = "odd".into();
        assert_eq!(classify(&*other, false), TransportErrorKind::Other);
    }

    #[tokio::test]
    async fn relative_uri_is_rejected_before_sending() {
        let transport = HyperTransport::new().unwrap();
        let request = http::Request::get("/relative")
            .body(RequestBody::empty())
            .unwrap();
        let err = transport.send(request).await.unwrap_err();
        assert_eq!(err.kind(), TransportErrorKind::Other);
        assert!(!err.may_have_reached_server());
    }

    #[tokio::test]
    async fn unsupported_scheme_is_a_connect_error() {
        let transport = HyperTransport::new().unwrap();
        let request = http::Request::get("ftp://127.0.0.1:1/")
            .body(RequestBody::empty())
            .unwrap();
        let err = transport.send(request).await.unwrap_err();
        assert_eq!(err.kind(), TransportErrorKind::Connect, "{err:?}");
        assert!(!err.may_have_reached_server());
    }

    #[tokio::test]
    async fn https_only_refuses_http() {
        let transport = HyperTransport::builder().https_only(true).build().unwrap();
        let request = http::Request::get("http://127.0.0.1:1/")
            .body(RequestBody::empty())
            .unwrap();
        let err = transport.send(request).await.unwrap_err();
        assert!(err.is_connect(), "{err:?}");
        assert!(!err.may_have_reached_server());
    }
}
