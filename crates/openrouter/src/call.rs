//! Request builders and responses: [`Call`] carries one operation's inputs and per-call options
//! and ends in [`send`](Call::send) (or [`stream`](Call::stream)); [`Response`] carries the typed
//! body with the response metadata.

use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_core::Stream;
use http::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use http::{HeaderMap, Method, StatusCode};
use openrouter_types::error::ErrorResponse;
use openrouter_types::operation::{Operation, ResponseKind};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::client::{Attribution, Client};
use crate::config::{RetryConfig, Setting, TimeoutConfig};
use crate::error::{
    ApiError, ConfigError, DecodeError, Error, StreamFailure, TimeoutError, TimeoutKind,
    TransportFailure,
};
use crate::headers;
use crate::sse::{EventStream, SseStream, StreamOptions};
use openrouter_transport::ResponseBody;

/// Options of one call. Each overrides the client's default for this call only.
#[derive(Clone, Debug, Default)]
pub(crate) struct RequestOptions {
    pub(crate) timeouts: TimeoutConfig,
    pub(crate) retry: RetryConfig,
    pub(crate) headers: HeaderMap,
    pub(crate) base_url: Option<String>,
    pub(crate) metadata: Option<bool>,
    pub(crate) attribution: Attribution,
    pub(crate) error: Option<ConfigError>,
}

/// Marks a [`Call`] whose operation does not stream.
#[derive(Debug)]
pub enum NoStream {}

type BodyFn = Box<dyn FnOnce(bool) -> Result<Bytes, serde_json::Error> + Send>;

/// One call of an operation, not yet sent: set per-call options, then `.send().await`.
///
/// Options override the client's defaults for this call only (see [`TimeoutConfig`] for the
/// precedence rules). A bad option (an invalid header, say) is reported by `send`, so chaining
/// needs no `?`.
///
/// `T` is the type of a successful response; `S`, for operations that can stream, the type of
/// each event.
#[must_use = "a call does nothing until `.send()` (or `.stream()`) is awaited"]
pub struct Call<T, S = NoStream> {
    client: Client,
    operation: &'static Operation,
    path: String,
    query: Vec<(&'static str, String)>,
    body: Option<(BodyFn, &'static str)>,
    options: RequestOptions,
    _marker: PhantomData<fn() -> (T, S)>,
}

impl<T, S> fmt::Debug for Call<T, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call")
            .field("operation", &self.operation.id)
            .field("method", &self.operation.http_method)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// Percent-encodes one path segment or query component: everything but the unreserved
/// characters, so an id holding `/`, `?`, `#`, `%` or `..` stays one segment.
pub(crate) fn encode_component(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let dots_only = !s.is_empty() && s.bytes().all(|b| b == b'.');
    for b in s.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'_' | b'~')
            || (b == b'.' && !dots_only);
        if keep {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 15) as usize] as char);
        }
    }
}

impl<T, S> Call<T, S> {
    /// A call of `operation` with its path parameters (in the order the path names them).
    pub(crate) fn new(
        client: &Client,
        operation: &'static Operation,
        path_params: &[&str],
    ) -> Self {
        let mut path = String::with_capacity(operation.path.len() + 16);
        let mut rest = operation.path;
        let mut params = path_params.iter();
        while let Some(open) = rest.find('{') {
            path.push_str(&rest[..open]);
            let close = rest[open..]
                .find('}')
                .map(|c| open + c)
                .unwrap_or(rest.len() - 1);
            match params.next() {
                Some(value) => encode_component(value, &mut path),
                None => path.push_str(&rest[open..=close]),
            }
            rest = &rest[close + 1..];
        }
        path.push_str(rest);
        Call {
            client: client.clone(),
            operation,
            path,
            query: Vec::new(),
            body: None,
            options: RequestOptions::default(),
            _marker: PhantomData,
        }
    }

    /// Sets the JSON body. `stream` tells the serializer whether the call is the streaming form.
    pub(crate) fn json_body(
        mut self,
        body: impl FnOnce(bool) -> Result<Bytes, serde_json::Error> + Send + 'static,
    ) -> Self {
        self.body = Some((Box::new(body), "application/json"));
        self
    }

    /// Sets the query string pairs.
    #[allow(dead_code)]
    pub(crate) fn query(mut self, pairs: Vec<(&'static str, String)>) -> Self {
        self.query = pairs;
        self
    }

    /// The operation this call runs.
    pub fn operation(&self) -> &'static Operation {
        self.operation
    }

    /// Timeouts of this call, field by field over the client's.
    pub fn timeouts(mut self, timeouts: TimeoutConfig) -> Self {
        self.options.timeouts = timeouts;
        self
    }

    /// Limits each attempt (until response headers) to `d`.
    pub fn attempt_timeout(mut self, d: Duration) -> Self {
        self.options.timeouts.attempt = Setting::Set(d);
        self
    }

    /// Limits the whole call (all attempts and backoff) to `d`.
    pub fn total_timeout(mut self, d: Duration) -> Self {
        self.options.timeouts.total = Setting::Set(d);
        self
    }

    /// Retry policy of this call, field by field over the client's.
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.options.retry = retry;
        self
    }

    /// Makes a single attempt, whatever the client's policy.
    pub fn no_retry(mut self) -> Self {
        self.options.retry = RetryConfig::disabled();
        self
    }

    /// Adds a header to this call (overriding the client's defaults of the same name).
    pub fn header(mut self, name: impl AsRef<str>, value: impl AsRef<str>) -> Self {
        match (
            HeaderName::try_from(name.as_ref()),
            HeaderValue::try_from(value.as_ref()),
        ) {
            (Ok(n), Ok(v)) => {
                self.options.headers.insert(n, v);
            }
            _ => {
                self.options.error.get_or_insert(ConfigError::new(format!(
                    "invalid header `{}`",
                    name.as_ref()
                )));
            }
        }
        self
    }

    /// Sends this call to another base URL (including `/api/v1`).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.options.base_url = Some(url.into().trim_end_matches('/').to_owned());
        self
    }

    /// Asks for (or declines) `openrouter_metadata` in the result (`X-OpenRouter-Metadata`).
    pub fn openrouter_metadata(mut self, enabled: bool) -> Self {
        self.options.metadata = Some(enabled);
        self
    }

    /// Overrides the client's `HTTP-Referer` for this call.
    pub fn http_referer(self, url: impl AsRef<str>) -> Self {
        self.attribution(url.as_ref(), "HTTP-Referer", |a, v| a.referer = Some(v))
    }

    /// Overrides the client's `X-OpenRouter-Title` for this call.
    pub fn app_title(self, title: impl AsRef<str>) -> Self {
        self.attribution(title.as_ref(), "X-OpenRouter-Title", |a, v| {
            a.title = Some(v)
        })
    }

    /// Overrides the client's `X-OpenRouter-Categories` for this call.
    pub fn app_categories(self, categories: impl AsRef<str>) -> Self {
        self.attribution(categories.as_ref(), "X-OpenRouter-Categories", |a, v| {
            a.categories = Some(v)
        })
    }

    fn attribution(
        mut self,
        value: &str,
        name: &str,
        set: impl FnOnce(&mut Attribution, HeaderValue),
    ) -> Self {
        match HeaderValue::try_from(value) {
            Ok(v) => set(&mut self.options.attribution, v),
            Err(_) => {
                self.options
                    .error
                    .get_or_insert(ConfigError::new(format!("invalid {name} header value")));
            }
        }
        self
    }

    fn path_and_query(&mut self) -> String {
        // The call is consumed by `execute`, so the path is taken rather than copied.
        let mut s = std::mem::take(&mut self.path);
        for (i, (k, v)) in self.query.iter().enumerate() {
            s.push(if i == 0 { '?' } else { '&' });
            encode_component(k, &mut s);
            s.push('=');
            encode_component(v, &mut s);
        }
        s
    }

    async fn execute(
        mut self,
        stream: bool,
        accept: &'static str,
    ) -> Result<(crate::client::Executed, Client), Error> {
        let path_and_query = self.path_and_query();
        let method = Method::from_bytes(self.operation.http_method.as_bytes())
            .map_err(|_| ConfigError::new("invalid HTTP method in the operation table"))?;
        let body = match self.body {
            Some((f, ct)) => Some((
                f(stream).map_err(|e| {
                    ConfigError::new(format!("the request body cannot be serialized: {e}"))
                })?,
                ct,
            )),
            None => None,
        };
        let executed = self
            .client
            .execute(method, &path_and_query, body, &self.options, accept)
            .await?;
        Ok((executed, self.client))
    }
}

impl<T: DeserializeOwned, S> Call<T, S> {
    /// Sends the call and decodes the response.
    ///
    /// # Errors
    /// [`Error::Api`] for an error status (or a 200 whose body is an error), [`Error::Timeout`],
    /// [`Error::Transport`], [`Error::Decode`] when the body is not a `T`, and [`Error::Config`]
    /// for an invalid option. Retries happen inside, per the call's policy.
    pub async fn send(self) -> Result<Response<T>, Error> {
        let (executed, _) = self.execute(false, "application/json").await?;
        let attempts = executed.attempts;
        let (parts, body) = executed.response.into_parts();
        let bytes = read_body(body, executed.deadline, executed.timeouts.total, attempts).await?;
        let meta = ResponseMeta {
            status: parts.status,
            headers: parts.headers,
            attempts,
        };
        let data = decode_json::<T>(&meta, bytes)?;
        Ok(Response { data, meta })
    }
}

/// Reads a whole response body within the call's total deadline.
async fn read_body(
    body: ResponseBody,
    deadline: Option<tokio::time::Instant>,
    total: Option<Duration>,
    attempts: u32,
) -> Result<Bytes, Error> {
    let read = body.collect();
    let result = match deadline {
        Some(d) => tokio::time::timeout_at(d, read).await.map_err(|_| {
            Error::Timeout(TimeoutError {
                kind: TimeoutKind::Total,
                limit: total,
                attempts,
            })
        })?,
        None => read.await,
    };
    result.map_err(|e| {
        Error::Transport(TransportFailure {
            source: e,
            attempts,
        })
    })
}

fn content_type(headers: &HeaderMap) -> Option<&str> {
    headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok())
}

/// Decodes a successful response body; an `{"error": ...}` body is an API error, and a body that
/// is not JSON is a decode error that keeps it.
fn decode_json<T: DeserializeOwned>(meta: &ResponseMeta, bytes: Bytes) -> Result<T, Error> {
    let ct = content_type(&meta.headers);
    let json_ct = ct.is_none_or(|c| c.contains("json"));
    let decode_error = |path: String, source: Option<serde_json::Error>, bytes: Bytes| {
        Error::Decode(Box::new(DecodeError {
            type_name: std::any::type_name::<T>(),
            path,
            status: meta.status,
            headers: meta.headers.clone(),
            body: bytes,
            content_type: ct.map(str::to_owned),
            source,
            attempts: meta.attempts,
        }))
    };
    if !json_ct {
        return Err(decode_error(".".into(), None, bytes));
    }
    // A 200 can carry an error once the model has started; look for a top-level `error` object
    // (a cheap byte scan first, a parse only when the word is there).
    static ERROR_KEY: OnceLock<memchr::memmem::Finder<'static>> = OnceLock::new();
    let error_key = ERROR_KEY.get_or_init(|| memchr::memmem::Finder::new(b"\"error\""));
    if error_key.find(&bytes).is_some() {
        if let Ok(body) = serde_json::from_slice::<ErrorResponse>(&bytes) {
            if !body.error.message.is_empty() || body.error.code != Default::default() {
                let mut api = ApiError::new(meta.status, meta.headers.clone(), &bytes);
                api.attempts = meta.attempts;
                return Err(Error::Api(Box::new(api)));
            }
        }
    }
    // The plain decoder first: tracking the path costs as much again as the decoding itself,
    // and the path is only needed for an error, so a body that fails is decoded again with it.
    if let Ok(v) = serde_json::from_slice::<T>(&bytes) {
        return Ok(v);
    }
    let mut de = serde_json::Deserializer::from_slice(&bytes);
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(v) => match de.end() {
            Ok(()) => Ok(v),
            Err(e) => Err(decode_error(".".into(), Some(e), bytes)),
        },
        Err(e) => {
            let path = e.path().to_string();
            Err(decode_error(path, Some(e.into_inner()), bytes))
        }
    }
}

impl<T, S: DeserializeOwned> Call<T, S> {
    /// Sends the call in its streaming form and returns the stream of events.
    ///
    /// The stream is polled by the caller (nothing is spawned); dropping it closes the
    /// connection, which stops the generation (and its billing) where the provider supports it.
    /// Nothing is retried once the stream has begun, and it is never re-opened behind the
    /// caller's back.
    ///
    /// # Errors
    /// Errors before the first event are returned here, as for [`send`](Self::send); errors
    /// after it (a mid-stream error, truncation, the idle timeout) come from the stream.
    pub async fn stream(self) -> Result<ResponseStream<S>, Error> {
        let sentinel = match self.operation.response {
            ResponseKind::Sse { sentinel, .. } | ResponseKind::JsonOrSse { sentinel, .. } => {
                sentinel
            }
            _ => None,
        };
        let (executed, _) = self.execute(true, "text/event-stream").await?;
        let attempts = executed.attempts;
        let (parts, body) = executed.response.into_parts();
        let meta = ResponseMeta {
            status: parts.status,
            headers: parts.headers,
            attempts,
        };
        let is_sse =
            content_type(&meta.headers).is_some_and(|c| c.starts_with("text/event-stream"));
        if !is_sse {
            // Not a stream: an error body, or something unexpected; either way, read it
            // (within the call's total time, as `send` does).
            let bytes =
                read_body(body, executed.deadline, executed.timeouts.total, attempts).await?;
            decode_json::<serde_json::Value>(&meta, bytes.clone())?;
            return Err(Error::Decode(Box::new(DecodeError {
                type_name: std::any::type_name::<S>(),
                path: ".".into(),
                status: meta.status,
                headers: meta.headers.clone(),
                body: bytes,
                content_type: content_type(&meta.headers).map(str::to_owned),
                source: None,
                attempts,
            })));
        }
        let options = StreamOptions::new()
            .with_done_sentinel(sentinel)
            .with_idle_timeout(executed.timeouts.stream_idle);
        let inner = SseStream::with_options(body, options).json::<S>();
        Ok(ResponseStream { inner, meta })
    }
}

/// A successful response: the typed body, and the response's metadata.
///
/// Derefs to the body.
#[derive(Clone, Debug)]
pub struct Response<T> {
    data: T,
    meta: ResponseMeta,
}

impl<T> Response<T> {
    /// The body.
    pub fn data(&self) -> &T {
        &self.data
    }

    /// The body, without the metadata.
    pub fn into_inner(self) -> T {
        self.data
    }

    /// The body and the metadata.
    pub fn into_parts(self) -> (T, ResponseMeta) {
        (self.data, self.meta)
    }

    /// Status, headers, ids and rate limits.
    pub fn meta(&self) -> &ResponseMeta {
        &self.meta
    }
}

impl<T> Deref for Response<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.data
    }
}

/// What a successful response says besides its body.
#[derive(Clone, Debug)]
pub struct ResponseMeta {
    status: StatusCode,
    headers: HeaderMap,
    attempts: u32,
}

/// Rate-limit headers of a response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimit {
    /// Requests allowed in the window.
    pub limit: Option<u64>,
    /// Requests left in the window.
    pub remaining: Option<u64>,
    /// When the window resets (as the server sent it: epoch milliseconds).
    pub reset: Option<u64>,
}

impl ResponseMeta {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// All response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// How many attempts the call took.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    fn header(&self, name: &HeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The request id set by the server or its edge (`x-request-id`, else `cf-ray`).
    pub fn request_id(&self) -> Option<&str> {
        self.header(&headers::X_REQUEST_ID)
            .or_else(|| self.header(&headers::CF_RAY))
    }

    /// The generation id (`X-Generation-Id`): pass it to `client.generations()` for cost and
    /// stats.
    pub fn generation_id(&self) -> Option<&str> {
        self.header(&headers::X_GENERATION_ID)
    }

    /// The rate-limit headers, when the response has any.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        let num = |n: &HeaderName| self.header(n).and_then(|v| v.trim().parse::<u64>().ok());
        let rl = RateLimit {
            limit: num(&headers::X_RATELIMIT_LIMIT),
            remaining: num(&headers::X_RATELIMIT_REMAINING),
            reset: num(&headers::X_RATELIMIT_RESET),
        };
        (rl.limit.is_some() || rl.remaining.is_some() || rl.reset.is_some()).then_some(rl)
    }
}

/// A stream of typed events from a streaming call, with the response's metadata.
///
/// Yields `Err` for a mid-stream API error, a truncated stream, or the idle timeout, and then
/// ends; a single event that does not decode yields `Err` and the stream goes on.
pub struct ResponseStream<S> {
    inner: EventStream<S>,
    meta: ResponseMeta,
}

impl<S> fmt::Debug for ResponseStream<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseStream")
            .field("meta", &self.meta)
            .field("inner", &self.inner)
            .finish()
    }
}

impl<S> ResponseStream<S> {
    /// Status, headers and ids of the response that carries the stream.
    pub fn meta(&self) -> &ResponseMeta {
        &self.meta
    }
}

impl<S: DeserializeOwned> Stream for ResponseStream<S> {
    type Item = Result<S, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let attempts = self.meta.attempts;
        Pin::new(&mut self.inner).poll_next(cx).map(|item| {
            item.map(|r| r.map_err(|inner| Error::Stream(StreamFailure { inner, attempts })))
        })
    }
}

/// Serializes a request body.
pub(crate) fn to_bytes<B: Serialize>(body: &B) -> Result<Bytes, serde_json::Error> {
    serde_json::to_vec(body).map(Bytes::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use openrouter_transport::test_util::{CannedResponse, RecordingTransport};
    use openrouter_types::generated::operations;

    /// Path parameters and query values are percent-encoded as one segment or component each,
    /// as the transport receives them.
    #[tokio::test]
    async fn path_and_query_are_percent_encoded() {
        let recorder = RecordingTransport::fixed(CannedResponse::json(200, "{}"));
        let client = Client::builder()
            .api_key("k")
            .transport(recorder.clone())
            .build()
            .unwrap();
        for id in ["a/b?c#d%e f", "..", ".", "v1.2_x-y~z"] {
            Call::<serde_json::Value>::new(&client, &operations::GET_KEY, &[id])
                .send()
                .await
                .unwrap();
        }
        Call::<serde_json::Value>::new(&client, &operations::GET_GENERATION, &[])
            .query(vec![("id", "gen 1&x=y/é".into()), ("a b", "".into())])
            .send()
            .await
            .unwrap();
        let uris: Vec<String> = recorder
            .requests()
            .iter()
            .map(|r| r.uri().to_string())
            .collect();
        let base = "https://openrouter.ai/api/v1";
        assert_eq!(
            uris,
            [
                format!("{base}/keys/a%2Fb%3Fc%23d%25e%20f"),
                format!("{base}/keys/%2E%2E"),
                format!("{base}/keys/%2E"),
                format!("{base}/keys/v1.2_x-y~z"),
                format!("{base}/generation?id=gen%201%26x%3Dy%2F%C3%A9&a%20b="),
            ]
        );
        assert!(recorder
            .requests()
            .iter()
            .all(|r| r.method() == Method::GET));
    }
}
