//! Request builders and responses: [`Call`] carries one operation's inputs and per-call options
//! and is sent by awaiting it (or its [`send`](Call::send); [`stream`](Call::stream) for the
//! streaming form); [`Response`] carries the typed body with the response metadata.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use http::Method;
use openrouter_types::generated::operations::OPERATIONS;
use openrouter_types::operation::{Operation, ResponseKind};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::body::BodySource;
use crate::client::Client;
use crate::config::{Attribution, RetryConfig, Setting, TimeoutConfig};
use crate::decode::{decode_empty, decode_json};
use crate::download::Download;
use crate::error::{ConfigError, Error};
use crate::execute::ReadWhole;
use crate::headers;
use crate::multipart::{FilePart, Multipart};
use crate::prepared::{Prepared, RequestOptions, ResponseCache};
use crate::response::{
    open_events, Response, ResponseMeta, ResponseStream, StreamRetry, STREAM_READ,
};
use crate::sse::StreamedEvent;
use crate::telemetry;

/// The longest response-cache lifetime OpenRouter accepts, in seconds (a day); the shortest is 1.
const MAX_CACHE_TTL_SECS: u64 = 86_400;

/// Marks a [`Call`] whose operation does not stream.
#[derive(Debug)]
pub enum NoStream {}

/// Marks a [`Call`] whose operation uploads a file (`multipart/form-data`): only such a call
/// has [`file`](Call::file). On any other call it does not compile:
///
/// ```compile_fail
/// # async fn run(client: openrouter::Client) {
/// let _ = client.credits().get().file(openrouter::FilePart::bytes("x")).await;
/// # }
/// ```
#[derive(Debug)]
pub enum Upload {}

type BodyFn = Box<dyn FnOnce(bool) -> Result<Bytes, serde_json::Error> + Send>;

/// The body of a call, before it is sent.
enum CallBody {
    None,
    /// JSON, serialized when the call is sent (`true` for the streaming form).
    Json(BodyFn),
    /// `application/x-www-form-urlencoded`, already encoded.
    Form(Bytes),
    Multipart(Multipart),
}

/// One call of an operation, not yet sent: set per-call options, then `.await` it (the same as
/// `.send().await`), or `.stream().await` for the streaming form.
///
/// Options override the client's defaults for this call only (see [`TimeoutConfig`] for the
/// precedence rules). A bad option (an invalid header, say) is reported by `send`, so chaining
/// needs no `?`.
///
/// `T` is the type of a successful response; `S` is the kind of call: for operations that can
/// stream, the type of each event; [`Upload`] for operations that upload a file; [`NoStream`]
/// otherwise.
#[must_use = "a call does nothing until it is awaited (or `.send()` / `.stream()` is)"]
pub struct Call<T, S = NoStream> {
    client: Client,
    operation: &'static Operation,
    /// The path relative to the base URL: the operation's own when it has no parameters.
    path: Cow<'static, str>,
    /// For an operation without path parameters, its position in
    /// [`OPERATIONS`](openrouter_types::generated::operations::OPERATIONS), where the client caches its
    /// URI.
    uri_slot: Option<usize>,
    query: Vec<(&'static str, String)>,
    body: CallBody,
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
    /// A call of an operation whose path has no parameters; `index` is its position in
    /// `OPERATIONS` (checked: a wrong index only forgoes the client's URI cache).
    pub(crate) fn fixed(client: &Client, operation: &'static Operation, index: usize) -> Self {
        let listed = OPERATIONS
            .get(index)
            .is_some_and(|o| std::ptr::eq(*o, operation));
        Call {
            client: client.clone(),
            operation,
            path: Cow::Borrowed(operation.path),
            uri_slot: listed.then_some(index),
            query: Vec::new(),
            body: CallBody::None,
            options: RequestOptions::default(),
            _marker: PhantomData,
        }
    }

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
            path: Cow::Owned(path),
            uri_slot: None,
            query: Vec::new(),
            body: CallBody::None,
            options: RequestOptions::default(),
            _marker: PhantomData,
        }
    }

    /// Sets the JSON body. `stream` tells the serializer whether the call is the streaming form.
    pub(crate) fn json_body(
        mut self,
        body: impl FnOnce(bool) -> Result<Bytes, serde_json::Error> + Send + 'static,
    ) -> Self {
        self.body = CallBody::Json(Box::new(body));
        self
    }

    /// Sets a `multipart/form-data` body (an upload).
    #[allow(dead_code)]
    pub(crate) fn multipart_body(mut self, m: Multipart) -> Self {
        self.body = CallBody::Multipart(m);
        self
    }

    /// Stores an error found while building the call; [`send`](Self::send) returns it.
    #[allow(dead_code)]
    pub(crate) fn with_error(mut self, error: ConfigError) -> Self {
        self.options.set_error(error);
        self
    }

    /// Sets the query string pairs.
    pub(crate) fn query(mut self, pairs: Vec<(&'static str, String)>) -> Self {
        self.query = pairs;
        self
    }

    /// Sets an `application/x-www-form-urlencoded` body from the fields of `form` (a struct
    /// whose fields are strings, numbers or booleans; other values are sent as JSON text).
    pub(crate) fn form_body<F: Serialize>(mut self, form: &F) -> Self {
        match form_urlencoded(form) {
            Ok(bytes) => self.body = CallBody::Form(bytes),
            Err(e) => {
                self.options.set_error(ConfigError::new(format!(
                    "the request body cannot be serialized: {e}"
                )));
            }
        }
        self
    }

    /// Sets a `multipart/form-data` body: the form's fields as text parts, and `file` (the
    /// bytes of its file field, taken out of the form) as the file part unless empty.
    pub(crate) fn multipart_form<F: Serialize>(
        self,
        form: &F,
        file_field: &'static str,
        file: Vec<u8>,
    ) -> Self {
        match crate::multipart::Multipart::from_form(form, file_field) {
            Ok(m) if file.is_empty() => self.multipart_body(m),
            Ok(m) => self.multipart_body(m.file(crate::multipart::FilePart::bytes(file))),
            Err(e) => self.with_error(e),
        }
    }

    /// The query string pairs.
    pub(crate) fn query_pairs(&self) -> &[(&'static str, String)] {
        &self.query
    }

    /// Sets one query parameter, replacing it if present.
    pub(crate) fn set_query(&mut self, name: &'static str, value: String) {
        match self.query.iter_mut().find(|(k, _)| *k == name) {
            Some(pair) => pair.1 = value,
            None => self.query.push((name, value)),
        }
    }

    /// The same call without its body (for the next page of a listing), or `None` when it has
    /// a body, which cannot be sent twice.
    pub(crate) fn clone_without_body(&self) -> Option<Self> {
        if !matches!(self.body, CallBody::None) {
            return None;
        }
        Some(Call {
            client: self.client.clone(),
            operation: self.operation,
            path: self.path.clone(),
            uri_slot: self.uri_slot,
            query: self.query.clone(),
            body: CallBody::None,
            options: self.options.clone(),
            _marker: PhantomData,
        })
    }

    /// The client that sends this call (for the tool loop).
    #[cfg(feature = "tool-loop")]
    pub(crate) fn client(&self) -> &Client {
        &self.client
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

    /// Limits each attempt (until response headers, and a body read whole) to `d`.
    pub fn attempt_timeout(mut self, d: Duration) -> Self {
        self.options.timeouts.attempt = Setting::Set(d);
        self
    }

    /// The largest successful body this call reads whole, in bytes, over the client's
    /// ([`ClientBuilder::max_response_body`](crate::ClientBuilder::max_response_body)).
    pub fn max_response_body(mut self, bytes: usize) -> Self {
        self.options.extras_mut().max_response_body = Some(bytes);
        self
    }

    /// The largest event of this call's stream, in bytes, over the client's
    /// ([`ClientBuilder::max_stream_event`](crate::ClientBuilder::max_stream_event)).
    pub fn max_stream_event(mut self, bytes: usize) -> Self {
        self.options.extras_mut().max_stream_event = Some(bytes);
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
            (Ok(n), Ok(mut v)) => {
                // A credential given this way is hidden from `Debug` like the client's key.
                v.set_sensitive(headers::is_sensitive(&n));
                self.options.extras_mut().headers.insert(n, v);
            }
            _ => {
                self.options.set_error(ConfigError::new(format!(
                    "invalid header `{}`",
                    name.as_ref()
                )));
            }
        }
        self
    }

    /// Sets the `Idempotency-Key` header, for operations that declare it (creating a private
    /// endpoint): a repeated request with the same key returns what the first one created, so
    /// such a call is retried, like a `GET`, even after a failure that may have reached the
    /// server (a timeout, a reset connection), which the default policy does not retry for a
    /// `POST`. The same holds for an `Idempotency-Key` set with [`header`](Self::header).
    pub fn idempotency_key(self, key: impl AsRef<str>) -> Self {
        self.header("Idempotency-Key", key)
    }

    /// Sends this call to another base URL (including `/api/v1`).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.options.extras_mut().base_url = Some(url.into().trim_end_matches('/').to_owned());
        self
    }

    /// Asks for (or declines) `openrouter_metadata` in the result (`X-OpenRouter-Metadata`).
    pub fn openrouter_metadata(mut self, enabled: bool) -> Self {
        self.options.extras_mut().metadata = Some(enabled);
        self
    }

    /// Asks OpenRouter to answer from its response cache (beta) when it has answered the same
    /// request before (`X-OpenRouter-Cache: true`): a cached answer is not billed, has zeroed
    /// usage and carries a new generation id;
    /// [`ResponseMeta::cache_hit`](crate::ResponseMeta::cache_hit) tells one apart. The answer
    /// is kept for OpenRouter's default lifetime (300 seconds) unless
    /// [`response_cache_ttl`](Self::response_cache_ttl) gives another (`true` keeps one given
    /// before).
    ///
    /// `false` sends neither `X-OpenRouter-Cache` nor `X-OpenRouter-Cache-TTL`, even when the
    /// client's default headers or this call's [`header`](Self::header) set them: the setting
    /// is applied over headers of those names, whatever the order. It does not turn off the
    /// caching a preset enables (`cache_enabled` in the preset), which needs no header.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), openrouter::Error> {
    /// use openrouter::types::chat::{ChatRequest, Message};
    ///
    /// let client = openrouter::Client::builder()
    ///     .transport(openrouter::offline::OfflineTransport::new())
    ///     .build()?;
    /// let request = ChatRequest::new("openai/gpt-4o-mini", vec![Message::user("Say hi")]);
    /// let result = client.chat().create(request).response_cache(true).await?;
    /// if result.meta().cache_hit() {
    ///     println!("from the cache, not billed");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn response_cache(mut self, enabled: bool) -> Self {
        let extras = self.options.extras_mut();
        extras.response_cache = Some(match (enabled, extras.response_cache) {
            (false, _) => ResponseCache::Off,
            (true, Some(ResponseCache::On { ttl_secs })) => ResponseCache::On { ttl_secs },
            (true, _) => ResponseCache::On { ttl_secs: None },
        });
        self
    }

    /// Turns the response cache on, as [`response_cache(true)`](Self::response_cache) does,
    /// and asks OpenRouter to keep the answer for `ttl` (`X-OpenRouter-Cache-TTL`, in whole
    /// seconds).
    ///
    /// The lifetime is clamped into what OpenRouter accepts, 1 to 86,400 seconds (a day): a
    /// fraction of a second is dropped, less than a second becomes 1, more than a day becomes
    /// 86,400. [`ResponseMeta::cache_ttl`](crate::ResponseMeta::cache_ttl) reads the lifetime
    /// the response reports.
    pub fn response_cache_ttl(mut self, ttl: Duration) -> Self {
        let secs = ttl.as_secs().clamp(1, MAX_CACHE_TTL_SECS);
        let ttl_secs = u32::try_from(secs).ok();
        self.options.extras_mut().response_cache = Some(ResponseCache::On { ttl_secs });
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
            Ok(v) => set(&mut self.options.extras_mut().attribution, v),
            Err(_) => {
                self.options
                    .set_error(ConfigError::new(format!("invalid {name} header value")));
            }
        }
        self
    }

    fn path_and_query(&mut self) -> Cow<'static, str> {
        // The call is consumed by `execute`, so the path is taken rather than copied.
        let path = std::mem::take(&mut self.path);
        if self.query.is_empty() {
            return path;
        }
        let mut s = path.into_owned();
        for (i, (k, v)) in self.query.iter().enumerate() {
            s.push(if i == 0 { '?' } else { '&' });
            encode_component(k, &mut s);
            s.push('=');
            encode_component(v, &mut s);
        }
        Cow::Owned(s)
    }

    /// Takes the call apart for [`Client::execute`] (synchronously: an `async fn` here would
    /// add one more copy of the call to every call's future).
    fn prepare(mut self, stream: bool) -> Result<(Client, Prepared), Error> {
        // A query string makes the URI the call's own.
        let uri_slot = self.uri_slot.filter(|_| self.query.is_empty());
        let path_and_query = self.path_and_query();
        let method = Method::from_bytes(self.operation.http_method.as_bytes())
            .map_err(|_| ConfigError::new("invalid HTTP method in the operation table"))?;
        let json = matches!(self.body, CallBody::Json(_));
        let body = match self.body {
            CallBody::None => None,
            CallBody::Json(f) => Some(BodySource::json(f(stream).map_err(|e| {
                ConfigError::new(format!("the request body cannot be serialized: {e}"))
            })?)),
            CallBody::Form(bytes) => Some(BodySource::Bytes {
                bytes,
                content_type: HeaderValue::from_static("application/x-www-form-urlencoded"),
            }),
            CallBody::Multipart(m) => Some(m.into_source()?),
        };
        let span = trace_span(
            &self.client,
            self.operation,
            &self.options,
            json,
            body.as_ref(),
        );
        let prepared = Prepared {
            method,
            path_and_query,
            uri_slot,
            body,
            options: self.options,
            span,
        };
        Ok((self.client, prepared))
    }
}

/// The call's span (`telemetry`), made as the call is sent, from its serialized JSON body.
fn trace_span(
    client: &Client,
    operation: &'static Operation,
    options: &RequestOptions,
    json: bool,
    body: Option<&BodySource>,
) -> telemetry::SpanSlot {
    let bytes = match body {
        Some(BodySource::Bytes { bytes, .. }) if json => Some(&bytes[..]),
        _ => None,
    };
    let base_url = match options.extras.as_ref().and_then(|e| e.base_url.as_ref()) {
        Some(url) => url.as_str(),
        None => client.base_url(),
    };
    telemetry::call_span(operation, base_url, bytes, client.inner.trace_content)
}

impl<T> Call<T, Upload> {
    /// Sets the file of an upload, replacing the one the form carried (an upload whose file is
    /// optional, such as a transcription that may name a `source_url` instead). Only calls of
    /// operations that upload a file (`multipart/form-data`) have this method; an upload whose
    /// file is required takes it as an argument of the operation's method.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use openrouter::FilePart;
    /// use openrouter::types::transcriptions::CreateAudioTranscriptionsForm;
    ///
    /// # async fn run(client: openrouter::Client) -> Result<(), openrouter::Error> {
    /// let form = CreateAudioTranscriptionsForm::new("openai/whisper-1");
    /// let transcript = client
    ///     .transcriptions()
    ///     .create(form)
    ///     .file(FilePart::path("meeting.mp3"))
    ///     .await?;
    /// # let _ = transcript;
    /// # Ok(()) }
    /// ```
    pub fn file(mut self, part: FilePart) -> Self {
        if let CallBody::Multipart(m) = &mut self.body {
            m.set_file(part);
        }
        self
    }
}

impl<T: DeserializeOwned, S> Call<T, S> {
    /// Sends the call and decodes the response.
    ///
    /// # Errors
    /// [`Error::Api`] for an error status (or a 200 whose body is an error), [`Error::Timeout`],
    /// [`Error::Transport`], [`Error::Decode`] when the body is not a `T`, and [`Error::Config`]
    /// for an invalid option. Retries happen inside, per the call's policy.
    ///
    /// An operation whose success has no body (`204 No Content`) gives `Response<()>`; a body
    /// holding an API error is still an [`Error::Api`].
    pub async fn send(self) -> Result<Response<T>, Error> {
        let empty = matches!(self.operation.response, ResponseKind::Empty);
        let own_error_field = self.operation.body_has_error_field;
        let (client, prepared) = self.prepare(false)?;
        let read = ReadWhole {
            own_error_field,
            unless_event_stream: false,
        };
        let executed = client
            .execute(prepared, "application/json", Some(read))
            .await?;
        let attempts = executed.rest.attempts;
        let (parts, _) = executed.response.into_parts();
        // The loop read it, and found no error in it.
        let bytes = executed.read.unwrap_or_default();
        let meta = ResponseMeta {
            status: parts.status,
            headers: parts.headers,
            attempts,
        };
        let data = if empty {
            decode_empty::<T>(&meta, bytes)?
        } else {
            decode_json::<T>(&meta, bytes)?
        };
        Ok(Response { data, meta })
    }
}

/// Awaiting a call sends it: `client.chat().create(req).await?` is
/// `client.chat().create(req).send().await?`.
impl<T: DeserializeOwned + Send + 'static, S: 'static> std::future::IntoFuture for Call<T, S> {
    type Output = Result<Response<T>, Error>;
    type IntoFuture = std::pin::Pin<Box<dyn std::future::Future<Output = Self::Output> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// Awaiting a download call sends it, as [`send`](Call::send) does.
impl<S: 'static> std::future::IntoFuture for Call<Download, S> {
    type Output = Result<Download, Error>;
    type IntoFuture = std::pin::Pin<Box<dyn std::future::Future<Output = Self::Output> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

impl<S> Call<Download, S> {
    /// Sends the call and returns the response body as a [`Download`], unread.
    ///
    /// The body is read as the caller polls the download (or calls [`Download::bytes`],
    /// [`Download::write_to`], [`Download::write_to_file`]); nothing is retried once this
    /// returns.
    ///
    /// # Errors
    /// [`Error::Api`] for an error status, [`Error::Timeout`], [`Error::Transport`], and
    /// [`Error::Config`] for an invalid option. Retries happen inside, per the call's policy.
    pub async fn send(self) -> Result<Download, Error> {
        // Any type: the success is the declared binary type, but an error is JSON (and a
        // declared `audio/*` is not a type a server can answer with).
        let (client, prepared) = self.prepare(false)?;
        let executed = client.execute(prepared, "*/*", None).await?;
        let (parts, body) = executed.response.into_parts();
        let meta = ResponseMeta {
            status: parts.status,
            headers: parts.headers,
            attempts: executed.rest.attempts,
        };
        Ok(Download::new(
            body,
            meta,
            executed.rest.timeouts,
            executed.rest.deadline,
        ))
    }
}

impl<T, S: StreamedEvent> Call<T, S> {
    /// Sends the call in its streaming form and returns the stream of events.
    ///
    /// The stream is polled by the caller (nothing is spawned); dropping it closes the
    /// connection, which stops the generation (and its billing) where the provider supports it.
    /// Nothing is retried once content has reached the caller. A stream that stalls before
    /// any content (its first-content or idle timeout) is opened again only when the call's
    /// [`RetryConfig::retry_stalled_stream`] allows it.
    ///
    /// How the stream ends and fails follows the event type `S`
    /// ([`StreamedEvent::PROTOCOL`]: `response.completed` ends a `/responses` stream,
    /// `message_stop` a `/messages` one), with the sentinel of the operation table.
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
        let (client, prepared) = self.prepare(true)?;
        let max_event = client.max_stream_event(&prepared.options);
        let policy = client.resolved_retry(&prepared.options);
        let retry = if policy.retry_stalled_stream && policy.max_retries > 0 {
            prepared.try_clone().map(|again| {
                Box::new(StreamRetry {
                    client: client.clone(),
                    prepared: again,
                    sentinel,
                    max_event,
                    left: policy.max_retries,
                    held: std::collections::VecDeque::new(),
                    content: false,
                    ended: false,
                    reopening: None,
                })
            })
        } else {
            None
        };
        let span = prepared.span.clone();
        let opened = client
            .execute(prepared, "text/event-stream", Some(STREAM_READ))
            .await
            .and_then(|executed| open_events::<S>(executed, sentinel, max_event));
        let (inner, meta) = match opened {
            Ok(opened) => opened,
            Err(e) => return Err(traced_failure(&span, e)),
        };
        let trace = telemetry::stream_trace(span, client.inner.trace_content);
        Ok(ResponseStream {
            inner,
            meta,
            retry,
            trace,
        })
    }
}

/// Records a failed call on its span, and gives the error back.
fn traced_failure(span: &telemetry::SpanSlot, error: Error) -> Error {
    if let Some(span) = span.get() {
        telemetry::call_failed(span, &error);
    }
    error
}

/// Encodes the top-level fields of `form` as `application/x-www-form-urlencoded`; unset
/// (`null`) fields are left out.
fn form_urlencoded<F: Serialize>(form: &F) -> Result<Bytes, serde_json::Error> {
    use serde::ser::Error as _;
    let serde_json::Value::Object(fields) = serde_json::to_value(form)? else {
        return Err(serde_json::Error::custom("a form body must be an object"));
    };
    // In name order, whatever the map type behind `serde_json::Map`.
    let mut fields: Vec<(String, serde_json::Value)> = fields.into_iter().collect();
    fields.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = String::new();
    for (name, value) in fields {
        let text = match value {
            serde_json::Value::Null => continue,
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        };
        if !out.is_empty() {
            out.push('&');
        }
        encode_component(&name, &mut out);
        out.push('=');
        encode_component(&text, &mut out);
    }
    Ok(Bytes::from(out))
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
