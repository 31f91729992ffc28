//! What a successful call gives: [`Response`] (the typed body and its [`ResponseMeta`]) and,
//! for a streaming call, [`ResponseStream`], which may open a stalled stream again.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use http::header::HeaderName;
use http::{HeaderMap, StatusCode};

use crate::client::Client;
use crate::error::{DecodeError, Error, StreamFailure};
use crate::execute::{Executed, ReadWhole};
use crate::headers::{self, content_type};
use crate::prepared::Prepared;
use crate::sse::{EventStream, SseStream, StreamError, StreamOptions, StreamedEvent};
use crate::telemetry::StreamTrace;

/// A body that is not an event stream is read in the loop, so that an error in a 200
/// (`{"error": {"code": 502}}`) is retried like its code: nothing has reached the caller yet.
pub(crate) const STREAM_READ: ReadWhole = ReadWhole {
    own_error_field: false,
    unless_event_stream: true,
};

/// The typed events of a streaming call whose head has arrived; a body that is not an event
/// stream (and not an error, which the loop returned) is a decode error naming `S`.
pub(crate) fn open_events<S: StreamedEvent>(
    executed: Executed,
    sentinel: Option<&'static str>,
    max_event: usize,
) -> Result<(EventStream<S>, ResponseMeta), Error> {
    {
        let attempts = executed.rest.attempts;
        let timeouts = executed.rest.timeouts;
        let (parts, body) = executed.response.into_parts();
        let meta = ResponseMeta {
            status: parts.status,
            headers: parts.headers,
            attempts,
        };
        if let Some(bytes) = executed.read {
            // Not a stream, and not an error either (the loop read it and found none).
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
            .with_idle_timeout(timeouts.stream_idle)
            .with_first_content_timeout(timeouts.stream_first_content)
            .with_max_event_size(Some(max_event));
        let mut inner = SseStream::with_options(body, options).json::<S>();
        // Content is judged by the event type (`StreamedEvent::carries_content`).
        inner.judge_content();
        Ok((inner, meta))
    }
}

/// A successful response: the typed body, and the response's metadata.
///
/// Derefs to the body.
#[derive(Clone, Debug)]
pub struct Response<T> {
    pub(crate) data: T,
    pub(crate) meta: ResponseMeta,
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
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) attempts: u32,
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

    /// Whether the answer came from OpenRouter's response cache (`X-OpenRouter-Cache-Status`):
    /// `None` when the response does not say, as when caching was off for the call (asked for
    /// with [`Call::response_cache`](crate::Call::response_cache), or by a preset).
    pub fn cache_status(&self) -> Option<CacheStatus> {
        self.headers
            .get(headers::X_OPENROUTER_CACHE_STATUS)
            .map(CacheStatus::from_header)
    }

    /// Whether the answer is a cached one (`X-OpenRouter-Cache-Status: HIT`): not billed, with
    /// zeroed usage and a new generation id. `false` for a miss, another status, or none.
    pub fn cache_hit(&self) -> bool {
        self.cache_status() == Some(CacheStatus::Hit)
    }

    /// How long the cached answer lives (`X-OpenRouter-Cache-TTL`, whole seconds), when the
    /// response says; `None` as well when the value is not a number of seconds.
    pub fn cache_ttl(&self) -> Option<std::time::Duration> {
        self.header(&headers::X_OPENROUTER_CACHE_TTL)
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(std::time::Duration::from_secs)
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

/// Whether OpenRouter answered from its response cache: the response header
/// `X-OpenRouter-Cache-Status` ([`ResponseMeta::cache_status`]), present when caching was on for
/// the call ([`Call::response_cache`](crate::Call::response_cache), or a preset).
///
/// An open enum: `HIT` and `MISS` (in any case) are known; any other value is kept as sent.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CacheStatus {
    /// `HIT`: the answer is a cached one; its usage is zeroed, it is not billed, and its
    /// generation id is new.
    Hit,
    /// `MISS`: the answer was generated (and billed) now, and cached for the next identical
    /// request.
    Miss,
    /// A value this version does not know, as sent.
    Other(String),
}

impl CacheStatus {
    /// Reads a header value: `HIT` and `MISS` in any case (around spaces), else the value as
    /// sent (bytes that are not UTF-8 replaced).
    fn from_header(value: &http::HeaderValue) -> CacheStatus {
        let bytes = value.as_bytes();
        let trimmed = bytes.trim_ascii();
        if trimmed.eq_ignore_ascii_case(b"hit") {
            CacheStatus::Hit
        } else if trimmed.eq_ignore_ascii_case(b"miss") {
            CacheStatus::Miss
        } else {
            CacheStatus::Other(String::from_utf8_lossy(bytes).into_owned())
        }
    }
}

/// A stream of typed events from a streaming call, with the response's metadata.
///
/// Yields `Err` for a mid-stream API error, a truncated stream, or the idle timeout, and then
/// ends; a single event that does not decode yields `Err` and the stream goes on. Which events
/// end the stream and which are errors follows the protocol of `S`
/// ([`StreamedEvent`](crate::sse::StreamedEvent)).
pub struct ResponseStream<S> {
    pub(crate) inner: EventStream<S>,
    pub(crate) meta: ResponseMeta,
    /// Set when a stream that stalls before content may be opened again.
    pub(crate) retry: Option<Box<StreamRetry<S>>>,
    /// The call's span and what the events said, when a subscriber wants the span; dropped
    /// (which ends the span) when the stream ends.
    pub(crate) trace: Option<Box<StreamTrace>>,
}

/// What opening a stalled stream again takes, and the events held back until content.
pub(crate) struct StreamRetry<S> {
    pub(crate) client: Client,
    pub(crate) prepared: Prepared,
    pub(crate) sentinel: Option<&'static str>,
    pub(crate) max_event: usize,
    /// Re-opens left.
    pub(crate) left: u32,
    /// Items not yet given to the caller: events without content (and errors that do not end
    /// the stream) that came before the first content, or everything once the stream ended.
    pub(crate) held: VecDeque<Result<S, Error>>,
    /// Content has arrived: held items are released, and nothing is re-opened any more.
    pub(crate) content: bool,
    /// The stream ended: after the held items, `None`.
    pub(crate) ended: bool,
    /// A re-open in flight. In a `Mutex` only so that the stream stays `Sync`; it is reached
    /// through `get_mut`, never locked.
    pub(crate) reopening: Option<std::sync::Mutex<Pin<Box<dyn Future<Output = Reopened> + Send>>>>,
}

type Reopened = Result<Executed, Error>;

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

impl<S: StreamedEvent> Stream for ResponseStream<S> {
    type Item = Result<S, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if cfg!(feature = "tracing") && this.trace.is_some() {
            let polled = this.poll_untraced(cx);
            if let Poll::Ready(item) = &polled {
                this.observe(item.as_ref());
            }
            return polled;
        }
        this.poll_untraced(cx)
    }
}

impl<S: StreamedEvent> ResponseStream<S> {
    /// `poll_next`, before the span sees the item.
    #[inline(always)]
    fn poll_untraced(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<S, Error>>> {
        let this = self;
        if this.retry.is_some() {
            return this.poll_with_retry(cx);
        }
        let attempts = this.meta.attempts;
        let item = std::task::ready!(Pin::new(&mut this.inner).poll_next(cx));
        // Only until the first content: after it, no chunk needs judging.
        if let Some(Ok(event)) = &item {
            if !this.inner.content_seen() && event.carries_content() {
                this.inner.mark_content();
            }
        }
        Poll::Ready(item.map(|r| r.map_err(|inner| stream_failure(inner, attempts))))
    }
}

impl<S: StreamedEvent> ResponseStream<S> {
    /// Shows an item to the stream's span; the end of the stream, or an error that ends it,
    /// ends the span.
    #[cold]
    #[inline(never)]
    fn observe(&mut self, item: Option<&Result<S, Error>>) {
        let Some(trace) = self.trace.as_deref_mut() else {
            return;
        };
        match item {
            Some(Ok(event)) => event.trace(&mut trace.summary),
            // A chunk that does not decode does not end the stream, nor its span.
            Some(Err(Error::Stream(s))) if !s.inner.is_terminal() => {}
            Some(Err(e)) => {
                trace.failed(e);
                self.end_trace();
            }
            None => self.end_trace(),
        }
    }

    /// Ends the stream's span: drops what holds it (the summary, recorded on drop, and the
    /// copy of the call kept for a re-open).
    fn end_trace(&mut self) {
        self.trace = None;
        if let Some(r) = self.retry.as_deref_mut() {
            r.prepared.span = crate::telemetry::SpanSlot::default();
        }
    }

    /// `poll_next` for a stream that may be opened again when it stalls before content.
    #[cold]
    #[inline(never)]
    fn poll_with_retry(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<S, Error>>> {
        loop {
            let Some(r) = self.retry.as_deref_mut() else {
                return Poll::Ready(None);
            };
            if let Some(reopening) = r.reopening.as_mut() {
                let future = reopening
                    .get_mut()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                let result = std::task::ready!(future.as_mut().poll(cx));
                r.reopening = None;
                match result.and_then(|e| open_events::<S>(e, r.sentinel, r.max_event)) {
                    Ok((inner, meta)) => {
                        let before = self.meta.attempts;
                        self.inner = inner;
                        self.meta = meta;
                        self.meta.attempts += before;
                        continue;
                    }
                    Err(e) => {
                        r.content = true;
                        r.ended = true;
                        return Poll::Ready(Some(Err(e)));
                    }
                }
            }
            if r.content {
                if let Some(item) = r.held.pop_front() {
                    return Poll::Ready(Some(item));
                }
                if r.ended {
                    return Poll::Ready(None);
                }
            }
            let attempts = self.meta.attempts;
            let polled = std::task::ready!(Pin::new(&mut self.inner).poll_next(cx));
            match polled {
                Some(Ok(event)) => {
                    if event.carries_content() {
                        self.inner.mark_content();
                        r.content = true;
                    }
                    r.held.push_back(Ok(event));
                }
                Some(Err(e)) if !r.content && r.left > 0 && is_stall(&e) => {
                    // Nothing with content reached the caller: open the stream again, and
                    // forget what was held back (the new stream sends it again).
                    r.left -= 1;
                    r.held.clear();
                    let (client, again) = (r.client.clone(), r.prepared.try_clone());
                    let Some(prepared) = again else {
                        r.content = true;
                        r.held.push_back(Err(stream_failure(e, attempts)));
                        continue;
                    };
                    let reopen = async move {
                        client
                            .execute(prepared, "text/event-stream", Some(STREAM_READ))
                            .await
                    };
                    r.reopening = Some(std::sync::Mutex::new(Box::pin(reopen)));
                }
                Some(Err(e)) => {
                    if e.is_terminal() {
                        // The end: release what was held, then the error, then `None`.
                        r.content = true;
                        r.ended = true;
                    }
                    r.held.push_back(Err(stream_failure(e, attempts)));
                }
                None => {
                    r.content = true;
                    r.ended = true;
                }
            }
        }
    }
}

/// A stream error that says the stream stalled (nothing, or nothing with content, arrived in
/// time), which a stream that delivered no content may be opened again for.
fn is_stall(e: &StreamError) -> bool {
    matches!(
        e,
        StreamError::FirstContentTimeout { .. } | StreamError::IdleTimeout { .. }
    )
}

/// Out of line and cold: the allocation of a stream's error stays off the path of every chunk
/// (inlined, it made `poll_next` large enough to stop being inlined into its caller, which then
/// copied each chunk once more).
#[cold]
#[inline(never)]
fn stream_failure(inner: StreamError, attempts: u32) -> Error {
    Error::Stream(Box::new(StreamFailure { inner, attempts }))
}
