//! Request builders and responses: [`Call`] carries one operation's inputs and per-call options
//! and ends in [`send`](Call::send) (or [`stream`](Call::stream)); [`Response`] carries the typed
//! body with the response metadata.

use std::borrow::Cow;
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
use openrouter_types::generated::operations::OPERATIONS;
use openrouter_types::operation::{Operation, ResponseKind};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::client::{Attribution, Client};
use crate::config::{RetryConfig, Setting, TimeoutConfig};
use crate::download::Download;
use crate::error::{ApiError, ConfigError, DecodeError, Error, StreamFailure};
use crate::headers;
use crate::multipart::{BodySource, FilePart, Multipart};
use crate::sse::{EventStream, SseStream, StreamError, StreamOptions, StreamedEvent};

/// Options of one call. Each overrides the client's default for this call only.
#[derive(Clone, Debug, Default)]
pub(crate) struct RequestOptions {
    pub(crate) timeouts: TimeoutConfig,
    pub(crate) retry: RetryConfig,
    /// Options most calls do not set, boxed so that a call (and every future that holds it)
    /// stays small; allocated when the first of them is set.
    pub(crate) extras: Option<Box<CallExtras>>,
}

/// The less common options of a call.
#[derive(Clone, Debug, Default)]
pub(crate) struct CallExtras {
    pub(crate) headers: HeaderMap,
    pub(crate) base_url: Option<String>,
    pub(crate) metadata: Option<bool>,
    pub(crate) attribution: Attribution,
    pub(crate) error: Option<ConfigError>,
}

impl RequestOptions {
    pub(crate) fn extras_mut(&mut self) -> &mut CallExtras {
        self.extras.get_or_insert_with(Box::default)
    }

    /// The first error found while building the call.
    pub(crate) fn error(&self) -> Option<&ConfigError> {
        self.extras.as_ref()?.error.as_ref()
    }

    /// Keeps the first error found while building the call.
    pub(crate) fn set_error(&mut self, error: ConfigError) {
        self.extras_mut().error.get_or_insert(error);
    }
}

/// A call taken apart, as [`Client::execute`] runs it.
pub(crate) struct Prepared {
    pub(crate) method: Method,
    pub(crate) path_and_query: Cow<'static, str>,
    /// Where the client may cache this call's URI (the same for every call of the operation).
    pub(crate) uri_slot: Option<usize>,
    pub(crate) body: Option<BodySource>,
    pub(crate) options: RequestOptions,
}

/// Marks a [`Call`] whose operation does not stream.
#[derive(Debug)]
pub enum NoStream {}

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

    /// Sets the file of an upload, replacing the one the form carried.
    ///
    /// Only operations that upload a file (`multipart/form-data`) take one; on any other call,
    /// `send` returns [`Error::Config`] naming the operation.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use openrouter::FilePart;
    /// use openrouter::types::generated::{UploadFileForm, UploadFileQuery};
    /// use openrouter::types::Binary;
    ///
    /// # async fn run(client: openrouter::Client) -> Result<(), openrouter::Error> {
    /// let form = UploadFileForm::new(Binary::default());
    /// let uploaded = client
    ///     .files()
    ///     .upload(UploadFileQuery::default(), form)
    ///     .file(FilePart::path("notes.txt"))
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn file(mut self, part: FilePart) -> Self {
        match &mut self.body {
            CallBody::Multipart(m) => m.set_file(part),
            _ => {
                let message = format!(
                    "`{}` does not upload a file: `Call::file` applies only to multipart operations",
                    self.operation.id
                );
                self.options.set_error(ConfigError::new(message));
            }
        }
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
        let prepared = Prepared {
            method,
            path_and_query,
            uri_slot,
            body,
            options: self.options,
        };
        Ok((self.client, prepared))
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
        let executed = client.execute(prepared, "application/json").await?;
        let attempts = executed.rest.attempts;
        let (parts, body) = executed.response.into_parts();
        let bytes = executed.rest.read_body(body).await?;
        let meta = ResponseMeta {
            status: parts.status,
            headers: parts.headers,
            attempts,
        };
        let data = if empty {
            decode_empty::<T>(&meta, bytes)?
        } else {
            decode_json::<T>(&meta, bytes, own_error_field)?
        };
        Ok(Response { data, meta })
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
        let executed = client.execute(prepared, "*/*").await?;
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

fn content_type(headers: &HeaderMap) -> Option<&str> {
    headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok())
}

/// The API error carried by a successful response's body (`{"error": ...}`), if it is one.
///
/// When the success type has an `error` field of its own (`own_error_field`: a batch, a
/// response object), a body is an error answer only if it holds nothing but the error (and the
/// `user_id` / `openrouter_metadata` that OpenRouter may send beside it).
fn error_in_body(meta: &ResponseMeta, bytes: &Bytes, own_error_field: bool) -> Option<Error> {
    // A 200 can carry an error once the model has started; look for a top-level `error` object
    // (a cheap byte scan first, a parse only when the word is there).
    static ERROR_KEY: OnceLock<memchr::memmem::Finder<'static>> = OnceLock::new();
    let error_key = ERROR_KEY.get_or_init(|| memchr::memmem::Finder::new(b"\"error\""));
    error_key.find(bytes)?;
    parse_error_body(meta, bytes, own_error_field)
}

/// The API error in a successful body that mentions `"error"`, if it is one.
#[cold]
#[inline(never)]
fn parse_error_body(meta: &ResponseMeta, bytes: &Bytes, own_error_field: bool) -> Option<Error> {
    if own_error_field {
        let map =
            serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(bytes).ok()?;
        let only_error = map
            .keys()
            .all(|k| matches!(k.as_str(), "error" | "user_id" | "openrouter_metadata"));
        if !only_error {
            return None;
        }
    }
    let body = serde_json::from_slice::<ErrorResponse>(bytes).ok()?;
    if body.error.message.is_empty() && body.error.code == Default::default() {
        return None;
    }
    let mut api = ApiError::new(meta.status, meta.headers.clone(), bytes);
    api.attempts = meta.attempts;
    Some(Error::Api(Box::new(api)))
}

/// Decodes the success of an operation that returns no body: whatever the body holds (usually
/// nothing), `T` (usually `()`) is decoded from `null`, unless the body is an API error.
fn decode_empty<T: DeserializeOwned>(meta: &ResponseMeta, bytes: Bytes) -> Result<T, Error> {
    if let Some(e) = error_in_body(meta, &bytes, false) {
        return Err(e);
    }
    T::deserialize(serde_json::Value::Null).map_err(|e| {
        Error::Decode(Box::new(DecodeError {
            type_name: std::any::type_name::<T>(),
            path: ".".into(),
            status: meta.status,
            headers: meta.headers.clone(),
            body: bytes,
            content_type: content_type(&meta.headers).map(str::to_owned),
            source: Some(e),
            attempts: meta.attempts,
        }))
    })
}

/// Decodes a successful response body; an `{"error": ...}` body is an API error, and a body that
/// does not decode is a decode error that keeps it (with no JSON path when its content type is
/// not JSON). A body that decodes is accepted whatever its declared content type.
fn decode_json<T: DeserializeOwned>(
    meta: &ResponseMeta,
    bytes: Bytes,
    own_error_field: bool,
) -> Result<T, Error> {
    if let Some(e) = error_in_body(meta, &bytes, own_error_field) {
        return Err(e);
    }
    // The plain decoder first: tracking the path costs as much again as the decoding itself,
    // and the path (like the content type) is only needed for an error, so a body that fails
    // is decoded again with it.
    // Lenient: the spec-exact decode, then (only when it fails) one that keeps a missing or
    // ill-typed field instead of failing the whole body (`openrouter_types::from_slice`).
    if let Ok(v) = openrouter_types::from_slice::<T>(&bytes) {
        return Ok(v);
    }
    decode_failure(meta, bytes)
}

/// A successful response body that does not decode into `T`: the decode error, with the JSON
/// path where it failed (out of line: only failures track the path).
#[cold]
#[inline(never)]
fn decode_failure<T: DeserializeOwned>(meta: &ResponseMeta, bytes: Bytes) -> Result<T, Error> {
    let ct = content_type(&meta.headers);
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
    // A body that is not JSON by its type (an HTML page from a proxy) is reported as such,
    // without a JSON path.
    if !ct.is_none_or(|c| c.contains("json")) {
        return Err(decode_error(".".into(), None, bytes));
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

impl<T, S: StreamedEvent> Call<T, S> {
    /// Sends the call in its streaming form and returns the stream of events.
    ///
    /// The stream is polled by the caller (nothing is spawned); dropping it closes the
    /// connection, which stops the generation (and its billing) where the provider supports it.
    /// Nothing is retried once the stream has begun, and it is never re-opened behind the
    /// caller's back.
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
        let executed = client.execute(prepared, "text/event-stream").await?;
        let attempts = executed.rest.attempts;
        let stream_idle = executed.rest.timeouts.stream_idle;
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
            // (within the attempt's limit, as `send` does).
            let bytes = executed.rest.read_body(body).await?;
            decode_json::<serde_json::Value>(&meta, bytes.clone(), false)?;
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
            .with_protocol(S::PROTOCOL)
            .with_done_sentinel(sentinel)
            .with_idle_timeout(stream_idle);
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
/// ends; a single event that does not decode yields `Err` and the stream goes on. Which events
/// end the stream and which are errors follows the protocol of `S`
/// ([`StreamedEvent`](crate::sse::StreamedEvent)).
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
        Pin::new(&mut self.inner)
            .poll_next(cx)
            .map(|item| item.map(|r| r.map_err(|inner| stream_failure(inner, attempts))))
    }
}

/// Out of line and cold: the allocation of a stream's error stays off the path of every chunk
/// (inlined, it made `poll_next` large enough to stop being inlined into its caller, which then
/// copied each chunk once more).
#[cold]
#[inline(never)]
fn stream_failure(inner: StreamError, attempts: u32) -> Error {
    Error::Stream(Box::new(StreamFailure { inner, attempts }))
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
