//! The client's error type.
//!
//! [`Error`] is an enum of what a caller acts on; each variant wraps a struct with accessors.
//! `Display` says what went wrong in one line and never repeats its source; third-party errors
//! (hyper, serde_json) are reachable only through [`std::error::Error::source`]. No error ever
//! contains the API key.

use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use openrouter_transport::TransportError;
use openrouter_types::error::{
    ErrorBody, ErrorResponse, ModerationErrorMetadata, ProviderErrorMetadata,
};

use crate::headers;
use crate::sse::StreamError;

/// Everything that can go wrong with a call.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The API answered with an error (an error status, or a 200 whose body is an error).
    /// Boxed, like [`Decode`](Self::Decode), to keep `Result<_, Error>` small.
    Api(Box<ApiError>),
    /// A timeout fired.
    Timeout(TimeoutError),
    /// The request could not be sent or its response could not be read.
    Transport(TransportFailure),
    /// The response arrived but is not what the operation returns.
    Decode(Box<DecodeError>),
    /// A stream failed after it started. Boxed: a stream error carries the API's error body.
    Stream(Box<StreamFailure>),
    /// The client or the call is misconfigured (a bad URL, header or key); nothing was sent.
    Config(ConfigError),
    /// Writing a download to a local file or writer failed (the response itself was fine).
    Io(IoError),
    /// A successful response body was larger than the call's limit
    /// ([`Call::max_response_body`](crate::Call::max_response_body)); it was not read further
    /// and its connection was closed.
    TooLarge(Box<TooLargeError>),
    /// A structured-output call succeeded, but its answer is not the type asked for: a
    /// refusal, no content, or text that does not parse (kept in the error).
    Parse(Box<openrouter_types::error::ParseError>),
}

impl Error {
    /// The HTTP status, when a response arrived.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Decode(e) => Some(e.status),
            Error::TooLarge(e) => Some(e.status),
            _ => None,
        }
    }

    /// Whether the default retry policy would retry this error (see
    /// [`RetryConfig`](crate::RetryConfig)). After the client gives up this still says whether
    /// trying again later may help.
    ///
    /// A failure that may have reached the server (an attempt timeout, a connection reset
    /// after sending) is retryable only for a request that can be sent twice: an idempotent
    /// method, or a call with an `Idempotency-Key`. A failure after the response head arrived
    /// (reading the body, a stream) is not.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(e) => e.is_retryable(),
            Error::Transport(e) => !e.source.may_have_reached_server() || e.repeatable,
            Error::Timeout(e) => match e.kind {
                TimeoutKind::Connect => true,
                TimeoutKind::Attempt => e.repeatable,
                _ => false,
            },
            _ => false,
        }
    }

    /// How long the server asked to wait before retrying (`Retry-After`, `retry-after-ms`).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Api(e) => e.retry_after(),
            _ => None,
        }
    }

    /// The request id the server or its edge assigned, when a response arrived.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.request_id(),
            Error::Decode(e) => request_id(&e.headers),
            _ => None,
        }
    }

    /// The generation id (`X-Generation-Id`), when a response arrived with one.
    pub fn generation_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.generation_id(),
            Error::Decode(e) => header_str(&e.headers, &headers::X_GENERATION_ID),
            _ => None,
        }
    }

    /// How many attempts were made before this error was returned (0 when nothing was sent).
    pub fn attempts(&self) -> u32 {
        match self {
            Error::Api(e) => e.attempts,
            Error::Timeout(e) => e.attempts,
            Error::Transport(e) => e.attempts,
            Error::Decode(e) => e.attempts,
            Error::Stream(e) => e.attempts,
            Error::TooLarge(e) => e.attempts,
            Error::Config(_) | Error::Io(_) | Error::Parse(_) => 0,
        }
    }

    /// The API error, if this is one.
    pub fn as_api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// Whether a timeout fired.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout(_))
            || matches!(self, Error::Stream(s) if s.inner.is_timeout())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api(e) => e.fmt(f),
            Error::Timeout(e) => e.fmt(f),
            Error::Transport(e) => e.fmt(f),
            Error::Decode(e) => e.fmt(f),
            Error::Stream(e) => e.fmt(f),
            Error::Config(e) => e.fmt(f),
            Error::Io(e) => e.fmt(f),
            Error::TooLarge(e) => e.fmt(f),
            Error::Parse(e) => e.fmt(f),
        }
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            Error::Api(_) | Error::Config(_) | Error::Timeout(_) | Error::TooLarge(_) => None,
            Error::Transport(e) => Some(&e.source),
            Error::Io(e) => Some(&e.source),
            Error::Decode(e) => e.source.as_ref().map(|s| s as &(dyn StdError + 'static)),
            // The stream error's own message is part of this one's; skip to its cause.
            Error::Stream(e) => e.inner.source(),
            Error::Parse(e) => e.source(),
        }
    }
}

fn header_str<'h>(h: &'h HeaderMap, name: &http::HeaderName) -> Option<&'h str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

fn request_id(h: &HeaderMap) -> Option<&str> {
    header_str(h, &headers::X_REQUEST_ID).or_else(|| header_str(h, &headers::CF_RAY))
}

/// An error answer from the API.
#[derive(Clone)]
pub struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Option<ErrorResponse>,
    pub(crate) raw: Option<String>,
    pub(crate) attempts: u32,
    /// Whether the request could be sent twice without a second effect (see
    /// [`Error::is_retryable`]).
    pub(crate) repeatable: bool,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, headers: HeaderMap, bytes: &[u8]) -> Self {
        let body = serde_json::from_slice::<ErrorResponse>(bytes).ok();
        // Keep the text of a body that is not OpenRouter's JSON (an HTML 502 page from a proxy),
        // bounded so a large page does not bloat the error.
        let raw = if body.is_none() && !bytes.is_empty() {
            let cut = &bytes[..bytes.len().min(crate::defaults::MAX_ERROR_BODY)];
            Some(String::from_utf8_lossy(cut).into_owned())
        } else {
            None
        };
        ApiError {
            status,
            headers,
            body,
            raw,
            attempts: 1,
            repeatable: false,
        }
    }

    /// The status the error stands for: the HTTP status, or, for a successful response whose
    /// body is an error, the error's code when it is an HTTP error status (a 200 carrying
    /// `{"error": {"code": 502, ...}}` stands for a 502).
    pub fn effective_status(&self) -> StatusCode {
        if self.status.is_success() {
            if let Some(code) = self.error().and_then(|e| e.code.as_status()) {
                if let Ok(status) = StatusCode::from_u16(code) {
                    if status.is_client_error() || status.is_server_error() {
                        return status;
                    }
                }
            }
        }
        self.status
    }

    /// The HTTP status (200 for an error body inside a successful response).
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The parsed `error` object, when the body was OpenRouter's JSON.
    pub fn error(&self) -> Option<&ErrorBody> {
        self.body.as_ref().map(|b| &b.error)
    }

    /// The whole parsed body, when it was OpenRouter's JSON.
    pub fn body(&self) -> Option<&ErrorResponse> {
        self.body.as_ref()
    }

    /// The error message: OpenRouter's, or the start of a non-JSON body.
    pub fn message(&self) -> &str {
        match (&self.body, &self.raw) {
            (Some(b), _) => &b.error.message,
            (None, Some(raw)) => raw,
            (None, None) => "",
        }
    }

    /// The body as text when it was not OpenRouter's JSON (an HTML page from a proxy),
    /// truncated to 16 KiB.
    pub fn raw_body(&self) -> Option<&str> {
        self.raw.as_deref()
    }

    /// Moderation details of a 403 for flagged input.
    pub fn moderation(&self) -> Option<ModerationErrorMetadata> {
        self.error()?.moderation()
    }

    /// Details of an upstream provider's error.
    pub fn provider(&self) -> Option<ProviderErrorMetadata> {
        self.error()?.provider()
    }

    /// The request id the server or its edge assigned.
    pub fn request_id(&self) -> Option<&str> {
        request_id(&self.headers)
    }

    /// The generation id (`X-Generation-Id`).
    pub fn generation_id(&self) -> Option<&str> {
        header_str(&self.headers, &headers::X_GENERATION_ID)
    }

    /// How long the server asked to wait: `retry-after-ms`, or `Retry-After` in seconds or as
    /// an HTTP date, or, for a 429 without them, the time until the rate limit resets
    /// (`X-RateLimit-Reset` in the error's `metadata.headers`, epoch milliseconds). A value
    /// too large to represent is [`Duration::MAX`].
    pub fn retry_after(&self) -> Option<Duration> {
        crate::retry::retry_after(&self.headers).or_else(|| {
            if self.effective_status() != StatusCode::TOO_MANY_REQUESTS {
                return None;
            }
            crate::retry::rate_limit_reset(self.error()?.metadata.as_ref())
        })
    }

    /// How many attempts were made.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Whether the retry policy retries this answer (by its [effective
    /// status](Self::effective_status)): 408, 429, 500, 502, 503, 529; 504 and 524 only for a
    /// repeatable request (an idempotent method, an `Idempotency-Key`, or `retry_maybe_sent`);
    /// and 402 only with `Retry-After` (OpenRouter's in-flight budget; without it the account
    /// is out of credits).
    pub fn is_retryable(&self) -> bool {
        crate::retry::status_is_retryable(self.effective_status(), &self.headers, self.repeatable)
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("status", &self.status)
            .field("error", &self.error())
            .field("raw", &self.raw)
            .field("request_id", &self.request_id())
            .field("attempts", &self.attempts)
            .finish()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OpenRouter returned {}", StatusText(self.status))?;
        match (&self.body, &self.raw) {
            (Some(b), _) => write!(f, ": {} (code {})", b.error.message, b.error.code)?,
            (None, Some(_)) => f.write_str(" with a non-JSON body")?,
            (None, None) => {}
        }
        if self.attempts > 1 {
            write!(f, " after {} attempts", self.attempts)?;
        }
        Ok(())
    }
}

/// A status as its code and reason, with the reasons of the statuses that OpenRouter's edge
/// sends beyond the registered ones (`524`, `529`) instead of "<unknown status code>".
pub(crate) struct StatusText(pub(crate) StatusCode);

impl fmt::Display for StatusText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let reason = self.0.canonical_reason().or(match self.0.as_u16() {
            520 => Some("Unknown Error"),
            521 => Some("Web Server Is Down"),
            522 => Some("Connection Timed Out"),
            523 => Some("Origin Is Unreachable"),
            524 => Some("A Timeout Occurred"),
            525 => Some("SSL Handshake Failed"),
            529 => Some("Provider Overloaded"),
            _ => None,
        });
        match reason {
            Some(reason) => write!(f, "{} {reason}", self.0.as_u16()),
            None => write!(f, "{}", self.0.as_u16()),
        }
    }
}

/// A successful response whose body exceeded the call's limit.
#[derive(Debug)]
pub struct TooLargeError {
    pub(crate) limit: usize,
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) attempts: u32,
}

impl TooLargeError {
    /// The limit that was exceeded, in bytes.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }
}

impl fmt::Display for TooLargeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the response body is larger than the limit of {} bytes",
            self.limit
        )
    }
}

/// Which timeout fired.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutKind {
    /// Connecting took too long (the transport's connect timeout); nothing was sent.
    Connect,
    /// One attempt got no response headers in time (or, for a body read whole, not all of its
    /// body).
    Attempt,
    /// The whole call ran out of time.
    Total,
}

/// A timeout of a call (stream idle timeouts are [`StreamFailure`]s).
#[derive(Clone, Debug)]
pub struct TimeoutError {
    pub(crate) kind: TimeoutKind,
    pub(crate) limit: Option<Duration>,
    pub(crate) attempts: u32,
    /// The request may be sent twice without a second effect (an idempotent method, an
    /// `Idempotency-Key`): an attempt timeout is then retryable.
    pub(crate) repeatable: bool,
}

impl TimeoutError {
    /// Which timeout fired.
    pub fn kind(&self) -> TimeoutKind {
        self.kind
    }

    /// The limit that was exceeded, when the client set it (the connect timeout is the
    /// transport's).
    pub fn limit(&self) -> Option<Duration> {
        self.limit
    }

    /// How many attempts were made.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
}

impl fmt::Display for TimeoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            TimeoutKind::Connect => "connecting timed out",
            TimeoutKind::Attempt => "no response within the attempt timeout",
            TimeoutKind::Total => "the call ran out of its total time",
        };
        f.write_str(what)?;
        if let Some(l) = self.limit {
            write!(f, " ({l:?})")?;
        }
        if self.attempts > 1 {
            write!(f, " after {} attempts", self.attempts)?;
        }
        Ok(())
    }
}

/// The request could not be sent or its response not read.
#[derive(Debug)]
pub struct TransportFailure {
    pub(crate) source: TransportError,
    pub(crate) attempts: u32,
    /// As for [`TimeoutError`]: a failure that may have reached the server is retryable when
    /// the request is repeatable.
    pub(crate) repeatable: bool,
}

impl TransportFailure {
    /// The transport's error: its kind, and whether the request may have reached the server.
    pub fn transport_error(&self) -> &TransportError {
        &self.source
    }

    /// Whether the request may have reached the server (and so may have been executed).
    pub fn may_have_reached_server(&self) -> bool {
        self.source.may_have_reached_server()
    }

    /// How many attempts were made.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
}

impl fmt::Display for TransportFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.source.may_have_reached_server() {
            f.write_str("the request may have been sent, but no complete response was read")?;
        } else {
            f.write_str("the request could not be sent")?;
        }
        if self.attempts > 1 {
            write!(f, " after {} attempts", self.attempts)?;
        }
        Ok(())
    }
}

/// A response that is not what the operation returns.
#[derive(Debug)]
pub struct DecodeError {
    pub(crate) type_name: &'static str,
    pub(crate) path: String,
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) content_type: Option<String>,
    pub(crate) source: Option<serde_json::Error>,
    pub(crate) attempts: u32,
}

impl DecodeError {
    /// The Rust type the body was decoded into.
    pub fn type_name(&self) -> &'static str {
        self.type_name
    }

    /// Where in the JSON decoding failed, such as `data[3].pricing` (`.` for the root).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The response body, as received.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The response's content type, when it had one.
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            // serde_json's message is the source, and it can quote values of the body: it is
            // not repeated here.
            Some(_) => write!(
                f,
                "the response is not a valid `{}` at `{}`",
                self.type_name, self.path
            ),
            None => write!(
                f,
                "unexpected response content type {:?} for `{}`",
                self.content_type.as_deref().unwrap_or("(none)"),
                self.type_name
            ),
        }
    }
}

/// A stream that failed after it started: its headers were 200, then something went wrong.
#[derive(Debug)]
pub struct StreamFailure {
    pub(crate) inner: StreamError,
    /// The attempts it took to open the stream.
    pub(crate) attempts: u32,
}

impl StreamFailure {
    /// What went wrong.
    pub fn stream_error(&self) -> &StreamError {
        &self.inner
    }

    /// OpenRouter's error, when the stream carried one (a chunk with a top-level `error`).
    pub fn api_error(&self) -> Option<&ErrorBody> {
        self.inner.api_error()
    }

    /// Whether the stream ended without its end marker (`[DONE]`).
    pub fn is_truncated(&self) -> bool {
        self.inner.is_truncated()
    }
}

impl fmt::Display for StreamFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the stream failed: {}", self.inner)
    }
}

impl From<StreamError> for Error {
    fn from(inner: StreamError) -> Self {
        Error::Stream(Box::new(StreamFailure { inner, attempts: 1 }))
    }
}

/// A misconfigured client or call; nothing was sent.
#[derive(Clone, Debug)]
pub struct ConfigError {
    pub(crate) message: String,
}

impl ConfigError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        ConfigError {
            message: message.into(),
        }
    }

    /// A configuration error with this message (for key providers and custom setup code).
    pub fn from_message(message: impl Into<String>) -> Self {
        Self::new(message)
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<ConfigError> for Error {
    fn from(e: ConfigError) -> Self {
        Error::Config(e)
    }
}

/// Writing a download to a local file or writer failed.
#[derive(Debug)]
pub struct IoError {
    pub(crate) source: std::io::Error,
    pub(crate) path: Option<std::path::PathBuf>,
}

impl IoError {
    /// The I/O error.
    pub fn io_error(&self) -> &std::io::Error {
        &self.source
    }

    /// The file being written, when there was one.
    pub fn path(&self) -> Option<&std::path::Path> {
        self.path.as_deref()
    }
}

impl fmt::Display for IoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(p) => write!(f, "writing the download to `{}` failed", p.display()),
            None => f.write_str("writing the download failed"),
        }
    }
}
