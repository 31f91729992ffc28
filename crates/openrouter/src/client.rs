//! The [`Client`], its builder, and the one orchestration loop every call goes through.

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use http::header::{
    HeaderMap, HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT,
};
use openrouter_transport::{SharedTransport, Transport};

use crate::config::{Attribution, ResolvedRetry, RetryConfig, TimeoutConfig};
use crate::error::{ConfigError, Error};
use crate::prepared::{RequestOptions, ResponseCache};
use crate::{defaults, headers};
use openrouter_types::generated::operations::OPERATIONS;

/// The `Accept` of every JSON call, which the header template carries.
const JSON: &str = "application/json";

/// An OpenRouter API key. Its `Debug` and `Display` never show the key.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(Arc<str>);

impl ApiKey {
    /// Wraps a key.
    pub fn new(key: impl Into<String>) -> Self {
        ApiKey(Arc::from(key.into()))
    }

    /// The key itself, to send it. Avoid logging it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl From<&str> for ApiKey {
    fn from(k: &str) -> Self {
        ApiKey::new(k)
    }
}

impl From<String> for ApiKey {
    fn from(k: String) -> Self {
        ApiKey::new(k)
    }
}

/// Supplies the API key for each call, so keys can rotate without rebuilding the client.
pub trait KeyProvider: Send + Sync + fmt::Debug {
    /// The key to use for the next call.
    fn api_key(&self) -> Result<ApiKey, ConfigError>;
}

struct FnKeyProvider<F>(F);

impl<F> fmt::Debug for FnKeyProvider<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyProvider(<fn>)")
    }
}

impl<F: Fn() -> Result<ApiKey, ConfigError> + Send + Sync> KeyProvider for FnKeyProvider<F> {
    fn api_key(&self) -> Result<ApiKey, ConfigError> {
        (self.0)()
    }
}

#[derive(Clone, Debug)]
enum KeySource {
    None,
    Fixed(ApiKey),
    Provider(Arc<dyn KeyProvider>),
}

pub(crate) struct Inner {
    pub(crate) transport: SharedTransport,
    key: KeySource,
    pub(crate) base_url: String,
    pub(crate) allow_http: bool,
    pub(crate) timeouts: TimeoutConfig,
    pub(crate) retry: RetryConfig,
    /// The headers every call starts from, made once: the default headers, then the
    /// `Authorization` of a fixed key, `User-Agent`, `Accept: application/json` and the
    /// attribution headers that are set. A call clones it and adds what is its own.
    pub(crate) header_template: HeaderMap,
    /// The client's limits on a successful body read whole and on one stream event, in bytes.
    pub(crate) max_response_body: usize,
    pub(crate) max_stream_event: usize,
    /// Whether call spans carry the prompt and the completion
    /// ([`ClientBuilder::trace_content`]).
    pub(crate) trace_content: bool,
    /// `Bearer <key>` of a fixed key, made once (and marked sensitive) rather than per call;
    /// `None` with a key provider, or when the key is not a valid header value (each call then
    /// reports that, as it would without the cache). Never printed: `Client`'s `Debug` does not
    /// show it.
    pub(crate) fixed_auth: Option<HeaderValue>,
    /// `base_url` split into the parts of a `Uri`, so a call's URI is assembled rather than
    /// formatted and parsed again; `None` when the split would not give back `base_url`
    /// exactly (the call then formats and parses as before).
    base_uri: Option<BaseUri>,
    /// The URIs of operations without path parameters, by their position in `OPERATIONS`,
    /// made on first use: such a call (without a query string or a base URL of its own) clones
    /// one instead of assembling and validating it. Empty when `base_uri` is `None`.
    pub(crate) fixed_uris: Box<[OnceLock<http::Uri>]>,
}

/// A base URL split once into the parts every request URI shares.
struct BaseUri {
    scheme: http::uri::Scheme,
    authority: http::uri::Authority,
    path: String,
}

impl BaseUri {
    fn new(base_url: &str) -> Option<BaseUri> {
        let uri: http::Uri = base_url.parse().ok()?;
        let parts = uri.into_parts();
        let (scheme, authority) = (parts.scheme?, parts.authority?);
        let path = parts
            .path_and_query
            .as_ref()
            .map_or("", |p| p.as_str())
            .trim_end_matches('/')
            .to_owned();
        (format!("{scheme}://{authority}{path}") == base_url).then_some(BaseUri {
            scheme,
            authority,
            path,
        })
    }

    /// The URI of `path_and_query` under this base: the same as parsing
    /// `format!("{base_url}{path_and_query}")`. `None` for a URI longer than `http` parses,
    /// so that the caller's parse reports it as before.
    fn join(&self, base_url: &str, path_and_query: &str) -> Option<Result<http::Uri, http::Error>> {
        if base_url.len() + path_and_query.len() >= usize::from(u16::MAX) {
            return None;
        }
        Some(self.join_parts(path_and_query))
    }

    fn join_parts(&self, path_and_query: &str) -> Result<http::Uri, http::Error> {
        let mut pq = String::with_capacity(self.path.len() + path_and_query.len());
        pq.push_str(&self.path);
        pq.push_str(path_and_query);
        let mut parts = http::uri::Parts::default();
        parts.scheme = Some(self.scheme.clone());
        parts.authority = Some(self.authority.clone());
        parts.path_and_query = Some(http::uri::PathAndQuery::try_from(pq)?);
        Ok(http::Uri::from_parts(parts)?)
    }
}

/// `Authorization: Bearer <key>`, marked sensitive so that no `Debug` prints it.
fn bearer(key: &ApiKey) -> Result<HeaderValue, ConfigError> {
    let mut value = HeaderValue::try_from(format!("Bearer {}", key.expose()))
        .map_err(|_| ConfigError::new("the API key contains characters not allowed in a header"))?;
    value.set_sensitive(true);
    Ok(value)
}

/// The OpenRouter client: every operation of the API, grouped as OpenRouter's own SDKs group
/// them (`client.chat()`, `client.credits()`, ...).
///
/// `Client` is cheap to clone (an `Arc` inside) and its connection pool is shared by every clone:
/// build one and reuse it.
///
/// # Examples
///
/// ```no_run
/// # async fn run() -> Result<(), openrouter::Error> {
/// let client = openrouter::Client::from_env()?;
/// let credits = client.credits().get().await?;
/// println!("used {} of {}", credits.data.total_usage, credits.data.total_credits);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("key", &self.inner.key)
            .field("transport", &self.inner.transport)
            .field("timeouts", &self.inner.timeouts)
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder for a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment: `OPENROUTER_API_KEY` (required),
    /// `OPENROUTER_BASE_URL` (must include `/api/v1`), and the attribution headers
    /// `OPENROUTER_HTTP_REFERER`, `OPENROUTER_APP_TITLE`, `OPENROUTER_APP_CATEGORIES`.
    ///
    /// # Errors
    /// When `OPENROUTER_API_KEY` is missing, or a variable holds an invalid value.
    pub fn from_env() -> Result<Client, Error> {
        ClientBuilder::from_env()?.build()
    }

    /// The base URL every call goes to (unless a call overrides it).
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The call's limit on a body read whole: its own, else the client's.
    pub(crate) fn max_response_body(&self, options: &RequestOptions) -> usize {
        options
            .extras
            .as_ref()
            .and_then(|e| e.max_response_body)
            .unwrap_or(self.inner.max_response_body)
    }

    /// The call's retry policy, resolved over the client's and the library's.
    pub(crate) fn resolved_retry(&self, options: &RequestOptions) -> ResolvedRetry {
        ResolvedRetry::resolve(options.retry, self.inner.retry)
    }

    /// The call's limit on one stream event: its own, else the client's.
    pub(crate) fn max_stream_event(&self, options: &RequestOptions) -> usize {
        options
            .extras
            .as_ref()
            .and_then(|e| e.max_stream_event)
            .unwrap_or(self.inner.max_stream_event)
    }

    /// The URI of a call. That of an operation without path parameters (at `slot` in
    /// `OPERATIONS`), sent without a query string under the client's base URL, is cached: it
    /// is the same for every call.
    pub(crate) fn call_uri(
        &self,
        call_base: Option<&str>,
        slot: Option<usize>,
        path_and_query: &str,
    ) -> Result<http::Uri, Error> {
        let cell = match (call_base, slot) {
            (None, Some(slot)) => self.inner.fixed_uris.get(slot),
            _ => None,
        };
        let Some(cell) = cell else {
            return self.request_uri(call_base, path_and_query);
        };
        if let Some(uri) = cell.get() {
            return Ok(uri.clone());
        }
        let uri = self.request_uri(None, path_and_query)?;
        Ok(cell.get_or_init(|| uri).clone())
    }

    /// The URI of `path_and_query` under the call's base URL (`call_base`) or the client's.
    fn request_uri(
        &self,
        call_base: Option<&str>,
        path_and_query: &str,
    ) -> Result<http::Uri, Error> {
        let joined = match (call_base, &self.inner.base_uri) {
            (None, Some(base)) => base.join(&self.inner.base_url, path_and_query),
            _ => None,
        };
        let uri = match joined {
            Some(uri) => uri.map_err(|e| ConfigError::new(format!("invalid request URL: {e}")))?,
            None => {
                let base = call_base.unwrap_or(&self.inner.base_url);
                format!("{base}{path_and_query}")
                    .parse()
                    .map_err(|e| ConfigError::new(format!("invalid request URL: {e}")))?
            }
        };
        Ok(uri)
    }

    /// The `Authorization` value a call adds to the header template: `None` when the
    /// template has it (a fixed key) or the client has no key.
    pub(crate) fn auth(&self) -> Result<Option<HeaderValue>, Error> {
        Ok(match (&self.inner.key, &self.inner.fixed_auth) {
            (KeySource::None, _) | (KeySource::Fixed(_), Some(_)) => None,
            (KeySource::Fixed(k), None) => Some(bearer(k)?),
            (KeySource::Provider(p), _) => Some(bearer(&p.api_key()?)?),
        })
    }

    /// The headers of one attempt: the client's template with what the call adds or
    /// overrides (a call's header of the same name replaces the client's).
    pub(crate) fn headers(
        &self,
        options: &RequestOptions,
        content_type: Option<&HeaderValue>,
        accept: &'static str,
        auth: Option<&HeaderValue>,
    ) -> HeaderMap {
        let mut h = self.inner.header_template.clone();
        if let Some(value) = auth {
            h.insert(AUTHORIZATION, value.clone());
        }
        if accept != JSON {
            h.insert(ACCEPT, HeaderValue::from_static(accept));
        }
        if let Some(ct) = content_type {
            h.insert(CONTENT_TYPE, ct.clone());
        }
        if let Some(extras) = options.extras.as_deref() {
            extras.attribution.insert_into(&mut h);
            if let Some(on) = extras.metadata {
                let v = if on { "enabled" } else { "disabled" };
                h.insert(headers::X_OPENROUTER_METADATA, HeaderValue::from_static(v));
            }
            for (name, value) in &extras.headers {
                h.insert(name.clone(), value.clone());
            }
            match extras.response_cache {
                None => {}
                Some(ResponseCache::Off) => {
                    h.remove(headers::X_OPENROUTER_CACHE);
                    h.remove(headers::X_OPENROUTER_CACHE_TTL);
                }
                Some(ResponseCache::On { ttl_secs }) => {
                    h.insert(
                        headers::X_OPENROUTER_CACHE,
                        HeaderValue::from_static("true"),
                    );
                    if let Some(secs) = ttl_secs {
                        h.insert(headers::X_OPENROUTER_CACHE_TTL, HeaderValue::from(secs));
                    }
                }
            }
        }
        h
    }
}

/// Builds a [`Client`]. Every setter consumes and returns the builder; an invalid value is
/// reported by [`build`](Self::build).
#[must_use]
#[derive(Debug, Default)]
pub struct ClientBuilder {
    key: Option<KeySource>,
    base_url: Option<String>,
    allow_http: bool,
    transport: Option<SharedTransport>,
    timeouts: TimeoutConfig,
    retry: RetryConfig,
    attribution: Attribution,
    user_agent: Option<String>,
    default_headers: HeaderMap,
    connect_timeout: Option<Duration>,
    max_response_body: Option<usize>,
    max_stream_event: Option<usize>,
    trace_content: bool,
    #[cfg(feature = "hyper")]
    proxy: Option<openrouter_transport::Proxy>,
    error: Option<ConfigError>,
}

impl ClientBuilder {
    /// A builder preset from the environment variables [`Client::from_env`] reads.
    ///
    /// # Errors
    /// When `OPENROUTER_API_KEY` is missing.
    pub fn from_env() -> Result<ClientBuilder, Error> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let key = var("OPENROUTER_API_KEY")
            .ok_or_else(|| ConfigError::new("OPENROUTER_API_KEY is not set"))?;
        let mut b = ClientBuilder::default().api_key(key);
        if let Some(url) = var("OPENROUTER_BASE_URL") {
            b = b.base_url(url);
        }
        if let Some(v) = var("OPENROUTER_HTTP_REFERER") {
            b = b.http_referer(v);
        }
        if let Some(v) = var("OPENROUTER_APP_TITLE") {
            b = b.app_title(v);
        }
        if let Some(v) = var("OPENROUTER_APP_CATEGORIES") {
            b = b.app_categories(v);
        }
        Ok(b)
    }

    fn fail(mut self, message: impl Into<String>) -> Self {
        if self.error.is_none() {
            self.error = Some(ConfigError::new(message));
        }
        self
    }

    /// The API key sent as `Authorization: Bearer`.
    pub fn api_key(mut self, key: impl Into<ApiKey>) -> Self {
        self.key = Some(KeySource::Fixed(key.into()));
        self
    }

    /// A function called for each call to get the key, so keys can rotate.
    pub fn api_key_provider(
        mut self,
        provider: impl Fn() -> Result<ApiKey, ConfigError> + Send + Sync + 'static,
    ) -> Self {
        self.key = Some(KeySource::Provider(Arc::new(FnKeyProvider(provider))));
        self
    }

    /// A [`KeyProvider`] called for each call.
    pub fn key_provider(mut self, provider: impl KeyProvider + 'static) -> Self {
        self.key = Some(KeySource::Provider(Arc::new(provider)));
        self
    }

    /// The API base URL, including `/api/v1` (default [`defaults::BASE_URL`]). Plain `http://`
    /// is accepted only for loopback hosts unless [`allow_http`](Self::allow_http) is set.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Accepts a plain `http://` base URL for any host (the key then travels unencrypted).
    pub fn allow_http(mut self, allow: bool) -> Self {
        self.allow_http = allow;
        self
    }

    /// The transport that sends requests (default: [`openrouter_transport::HyperTransport`]).
    pub fn transport(mut self, transport: impl Transport + 'static) -> Self {
        self.transport = Some(SharedTransport::new(transport));
        self
    }

    /// The connect timeout of the default transport (default 10 s). Ignored with a custom
    /// transport, which sets its own.
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = Some(d);
        self
    }

    /// Which requests of the default transport go through a proxy (default:
    /// [`Proxy::from_env`](openrouter_transport::Proxy::from_env), the `HTTPS_PROXY`,
    /// `ALL_PROXY` and `NO_PROXY` variables, read by [`build`](Self::build)). Ignored with a
    /// custom transport, which routes its own connections.
    ///
    /// ```no_run
    /// use openrouter::transport::Proxy;
    ///
    /// # fn run() -> Result<(), openrouter::Error> {
    /// let client = openrouter::Client::builder()
    ///     .api_key("sk-or-...")
    ///     .proxy(Proxy::all("http://proxy.internal:3128"))
    ///     .build()?;
    /// # let _ = client;
    /// # Ok(())
    /// # }
    /// ```
    #[cfg(feature = "hyper")]
    pub fn proxy(mut self, proxy: openrouter_transport::Proxy) -> Self {
        self.proxy = Some(proxy);
        self
    }

    /// Default timeouts of every call.
    pub fn timeouts(mut self, timeouts: TimeoutConfig) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// Default retry policy of every call.
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }

    /// `HTTP-Referer`: your app's URL, for OpenRouter's app attribution.
    pub fn http_referer(self, url: impl Into<String>) -> Self {
        self.attribution_header(|a, v| a.referer = Some(v), url.into(), "HTTP-Referer")
    }

    /// `X-OpenRouter-Title`: your app's name.
    pub fn app_title(self, title: impl Into<String>) -> Self {
        self.attribution_header(|a, v| a.title = Some(v), title.into(), "X-OpenRouter-Title")
    }

    /// `X-OpenRouter-Categories`: comma-separated categories such as `cli-agent,cloud-agent`.
    pub fn app_categories(self, categories: impl Into<String>) -> Self {
        self.attribution_header(
            |a, v| a.categories = Some(v),
            categories.into(),
            "X-OpenRouter-Categories",
        )
    }

    fn attribution_header(
        mut self,
        set: impl FnOnce(&mut Attribution, HeaderValue),
        value: String,
        name: &str,
    ) -> Self {
        match HeaderValue::try_from(value) {
            Ok(v) => {
                set(&mut self.attribution, v);
                self
            }
            Err(_) => self.fail(format!("invalid {name} header value")),
        }
    }

    /// The `User-Agent` (default `openrouter-rust/<version>`).
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = Some(ua.into());
        self
    }

    /// A header sent with every call (a call's own headers override it).
    pub fn default_header(mut self, name: impl AsRef<str>, value: impl AsRef<str>) -> Self {
        match (
            HeaderName::try_from(name.as_ref()),
            HeaderValue::try_from(value.as_ref()),
        ) {
            (Ok(n), Ok(mut v)) => {
                // A credential given this way is hidden from `Debug` like the client's key.
                v.set_sensitive(headers::is_sensitive(&n));
                self.default_headers.insert(n, v);
                self
            }
            _ => self.fail(format!("invalid default header `{}`", name.as_ref())),
        }
    }

    /// The largest successful response body read whole (a JSON answer), in bytes; a larger
    /// one fails the call with [`Error::TooLarge`] and its connection is closed. Default:
    /// [`MAX_RESPONSE_BODY`](defaults::MAX_RESPONSE_BODY). A call can set its own
    /// ([`Call::max_response_body`](crate::Call::max_response_body)).
    pub fn max_response_body(mut self, bytes: usize) -> Self {
        self.max_response_body = Some(bytes);
        self
    }

    /// The largest event of a stream (one line, or the data of one event), in bytes; a larger
    /// one ends the stream with [`StreamError::EventTooLarge`](crate::sse::StreamError::EventTooLarge)
    /// and closes its connection. Default: [`MAX_STREAM_EVENT`](defaults::MAX_STREAM_EVENT).
    /// A call can set its own ([`Call::max_stream_event`](crate::Call::max_stream_event)).
    pub fn max_stream_event(mut self, bytes: usize) -> Self {
        self.max_stream_event = Some(bytes);
        self
    }

    /// Whether the `gen_ai` spans of calls carry the prompt and the completion
    /// (`gen_ai.input.messages`, `gen_ai.output.messages`, as JSON text). Default: off, since
    /// prompts and completions may hold personal data; headers and the key are never recorded
    /// either way. Has no effect without the feature `tracing` (default). See
    /// [`cookbook::tracing`](crate::cookbook::tracing).
    pub fn trace_content(mut self, enabled: bool) -> Self {
        self.trace_content = enabled;
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// An invalid base URL or header value, or a default transport that cannot be built.
    pub fn build(self) -> Result<Client, Error> {
        if let Some(e) = self.error {
            return Err(Error::Config(e));
        }
        let base_url = check_base_url(
            self.base_url.as_deref().unwrap_or(defaults::BASE_URL),
            self.allow_http,
        )?;
        let transport = match self.transport {
            Some(t) => t,
            #[cfg(feature = "hyper")]
            None => default_transport(self.connect_timeout, self.proxy)?,
            #[cfg(not(feature = "hyper"))]
            None => default_transport()?,
        };
        let ua = self
            .user_agent
            .unwrap_or_else(|| concat!("openrouter-rust/", env!("CARGO_PKG_VERSION")).to_owned());
        let user_agent =
            HeaderValue::try_from(ua).map_err(|_| ConfigError::new("invalid User-Agent"))?;
        let key = self.key.unwrap_or(KeySource::None);
        let fixed_auth = match &key {
            KeySource::Fixed(k) => bearer(k).ok(),
            _ => None,
        };
        // Room for the template, and what a call usually adds: `Content-Type` and the `Host`
        // the transport inserts.
        let mut header_template = HeaderMap::with_capacity(self.default_headers.len() + 8);
        header_template.extend(self.default_headers);
        if let Some(auth) = &fixed_auth {
            header_template.insert(AUTHORIZATION, auth.clone());
        }
        header_template.insert(USER_AGENT, user_agent);
        header_template.insert(ACCEPT, HeaderValue::from_static(JSON));
        self.attribution.insert_into(&mut header_template);
        let base_uri = BaseUri::new(&base_url);
        Ok(Client {
            inner: Arc::new(Inner {
                transport,
                key,
                fixed_uris: if base_uri.is_some() {
                    OPERATIONS.iter().map(|_| OnceLock::new()).collect()
                } else {
                    Box::default()
                },
                base_uri,
                fixed_auth,
                base_url,
                allow_http: self.allow_http,
                timeouts: self.timeouts,
                retry: self.retry,
                header_template,
                max_response_body: self
                    .max_response_body
                    .unwrap_or(defaults::MAX_RESPONSE_BODY),
                max_stream_event: self.max_stream_event.unwrap_or(defaults::MAX_STREAM_EVENT),
                trace_content: self.trace_content,
            }),
        })
    }
}

#[cfg(feature = "hyper")]
fn default_transport(
    connect_timeout: Option<Duration>,
    proxy: Option<openrouter_transport::Proxy>,
) -> Result<SharedTransport, Error> {
    let mut b = openrouter_transport::HyperTransport::builder();
    if let Some(d) = connect_timeout {
        b = b.connect_timeout(d);
    }
    if let Some(proxy) = proxy {
        b = b.proxy(proxy);
    }
    let t = b.build().map_err(|e| {
        Error::Transport(crate::error::TransportFailure {
            source: e,
            attempts: 0,
            repeatable: false,
        })
    })?;
    Ok(SharedTransport::new(t))
}

#[cfg(not(feature = "hyper"))]
fn default_transport() -> Result<SharedTransport, Error> {
    Err(ConfigError::new(
        "no transport: enable the `hyper` feature or set one with ClientBuilder::transport",
    )
    .into())
}

/// Validates the base URL: https, or http to a loopback host (or anywhere when allowed).
pub(crate) fn check_base_url(url: &str, allow_http: bool) -> Result<String, Error> {
    let trimmed = url.trim().trim_end_matches('/');
    let uri: http::Uri = trimmed
        .parse()
        .map_err(|_| ConfigError::new(format!("invalid base URL `{trimmed}`")))?;
    let host = uri
        .host()
        .ok_or_else(|| ConfigError::new(format!("base URL `{trimmed}` has no host")))?;
    match uri.scheme_str() {
        Some("https") => {}
        Some("http") => {
            let h = host.trim_start_matches('[').trim_end_matches(']');
            let loopback = h == "localhost"
                || h.parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback());
            if !loopback && !allow_http {
                return Err(ConfigError::new(format!(
                    "refusing plain http to {host}: the API key would travel unencrypted (use https, or ClientBuilder::allow_http)"
                ))
                .into());
            }
        }
        _ => {
            return Err(
                ConfigError::new(format!("base URL `{trimmed}` must start with https://")).into(),
            )
        }
    }
    if uri.query().is_some() {
        return Err(ConfigError::new("the base URL must not have a query").into());
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_rules() {
        assert!(
            check_base_url("https://openrouter.ai/api/v1/", false).unwrap()
                == "https://openrouter.ai/api/v1"
        );
        assert!(check_base_url("http://127.0.0.1:8080/api/v1", false).is_ok());
        assert!(check_base_url("http://localhost:1/api/v1", false).is_ok());
        assert!(check_base_url("http://[::1]:1/api/v1", false).is_ok());
        assert!(check_base_url("http://example.com/api/v1", false).is_err());
        assert!(check_base_url("http://example.com/api/v1", true).is_ok());
        assert!(check_base_url("ftp://example.com", true).is_err());
        assert!(check_base_url("not a url", true).is_err());
    }

    /// A URI assembled from the split base is the one format-and-parse gives.
    #[test]
    fn joined_uri_equals_parsed() {
        for base in [
            "https://openrouter.ai/api/v1",
            "http://127.0.0.1:8080/api/v1",
            "https://user@proxy.example:8443",
            "http://[::1]:1/a/b/c",
        ] {
            let split = BaseUri::new(base).expect("splits");
            for pq in ["/credits", "/keys/a%2Fb?x=1&y=%20", "/generation?id="] {
                let joined = split.join(base, pq).unwrap().unwrap();
                let parsed: http::Uri = format!("{base}{pq}").parse().unwrap();
                assert_eq!(joined, parsed, "{base} {pq}");
                assert_eq!(joined.to_string(), parsed.to_string());
            }
        }
        // What the split would not give back exactly is left to format-and-parse.
        assert!(BaseUri::new("https://openrouter.ai/api#v1").is_none());
        let long = "x".repeat(usize::from(u16::MAX));
        let split = BaseUri::new("https://openrouter.ai").unwrap();
        assert!(split.join("https://openrouter.ai", &long).is_none());
    }

    /// A fixed key's cached header value is sensitive and not shown by `Client`'s `Debug`.
    #[test]
    fn cached_auth_is_sensitive() {
        let client = Client::builder()
            .api_key("sk-or-v1-secret")
            .build()
            .unwrap();
        let auth = client.inner.fixed_auth.as_ref().unwrap();
        assert!(auth.is_sensitive());
        assert!(!format!("{client:?}").contains("secret"));
        assert!(!format!("{auth:?}").contains("secret"));
    }

    #[test]
    fn key_is_never_printed() {
        let key = ApiKey::new("sk-or-v1-secret");
        assert!(!format!("{key:?}").contains("secret"));
        assert!(!format!("{key}").contains("secret"));
    }
}
