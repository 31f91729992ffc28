//! Streams of events over a response body: raw ([`SseStream`]) and typed ([`EventStream`]).

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_core::Stream;
use http_body::Body;
use openrouter_transport::{ResponseBody, TransportError};
use serde::de::DeserializeOwned;
use tokio::time::{Instant, Sleep};

use super::decoder::{SseDecoder, SseEvent, SseItem};
use super::error::StreamError;
use super::protocol::StreamProtocol;

/// How an event stream ends and how long it may take.
///
/// The default suits OpenRouter's OpenAI chat-shaped streams (`/chat/completions`, `/images`):
/// the stream ends with `data: [DONE]`, mid-stream `error` objects are detected, and there is
/// no timeout. [`for_protocol`](Self::for_protocol) gives the rules of the `/responses` and
/// `/messages` streams ([`StreamProtocol`]).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use openrouter::sse::{StreamOptions, StreamProtocol};
///
/// // Anthropic-shaped `/messages` streams have no `[DONE]`: they end with `message_stop`.
/// let options = StreamOptions::for_protocol(StreamProtocol::Messages)
///     .with_idle_timeout(Some(Duration::from_secs(60)));
/// assert_eq!(options.done_sentinel, None);
/// assert_eq!(options.protocol, StreamProtocol::Messages);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct StreamOptions {
    /// The `data` of the event that ends the stream, not yielded. With `Some`, a body that ends
    /// without it (or an end event of the [`protocol`](Self::protocol)) is
    /// [`StreamError::Truncated`]; with `None`, the end of the body is the end of the stream
    /// unless the protocol has end events of its own. Default: `Some("[DONE]")`.
    pub done_sentinel: Option<&'static str>,
    /// Which events end the stream and which report errors. Default: [`StreamProtocol::Chat`].
    pub protocol: StreamProtocol,
    /// The longest wait for the next event (from the creation of the stream for the first).
    /// Comments, such as the `: OPENROUTER PROCESSING` keep-alives, do not reset it, so a
    /// stalled generation cannot be kept alive by keep-alives forever. Default: none.
    pub idle_timeout: Option<Duration>,
    /// The longest time the whole stream may take, from its creation. Default: none.
    pub deadline: Option<Duration>,
    /// The longest wait, from the creation of the stream, for the first event that carries
    /// content. Keep-alive comments never count; for an [`SseStream`] and an [`EventStream`]
    /// every event counts, and a [`ResponseStream`](crate::ResponseStream) counts only events
    /// with content ([`StreamedEvent::carries_content`](super::StreamedEvent::carries_content):
    /// a chat chunk with an empty delta does not). Default: none.
    pub first_content_timeout: Option<Duration>,
    /// Whether [`EventStream`] turns an event whose JSON has a top-level `error` object into
    /// [`StreamError::Api`]. Default: `true`.
    pub detect_api_errors: bool,
    /// The largest line, and the largest data of one event, in bytes; past it the stream
    /// ends with [`StreamError::EventTooLarge`] and the connection is closed. Default: none
    /// (a [`Client`](crate::Client) stream sets the client's limit).
    pub max_event_size: Option<usize>,
}

impl Default for StreamOptions {
    fn default() -> Self {
        StreamOptions {
            done_sentinel: Some(DONE),
            protocol: StreamProtocol::Chat,
            idle_timeout: None,
            deadline: None,
            first_content_timeout: None,
            detect_api_errors: true,
            max_event_size: None,
        }
    }
}

/// OpenRouter's end-of-stream sentinel.
const DONE: &str = "[DONE]";

impl StreamOptions {
    /// The default options.
    pub fn new() -> Self {
        Self::default()
    }

    /// The default options with `protocol` and its sentinel
    /// ([`StreamProtocol::default_sentinel`]: none for `/messages`, `[DONE]` otherwise).
    pub fn for_protocol(protocol: StreamProtocol) -> Self {
        StreamOptions {
            done_sentinel: protocol.default_sentinel(),
            protocol,
            ..Self::default()
        }
    }

    /// Sets [`protocol`](Self::protocol) (and nothing else: the sentinel stays as it is).
    pub fn with_protocol(mut self, protocol: StreamProtocol) -> Self {
        self.protocol = protocol;
        self
    }

    /// Sets [`done_sentinel`](Self::done_sentinel).
    pub fn with_done_sentinel(mut self, sentinel: Option<&'static str>) -> Self {
        self.done_sentinel = sentinel;
        self
    }

    /// Sets [`idle_timeout`](Self::idle_timeout).
    pub fn with_idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// Sets [`deadline`](Self::deadline).
    pub fn with_deadline(mut self, deadline: Option<Duration>) -> Self {
        self.deadline = deadline;
        self
    }

    /// Sets [`first_content_timeout`](Self::first_content_timeout).
    pub fn with_first_content_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.first_content_timeout = timeout;
        self
    }

    /// Sets [`detect_api_errors`](Self::detect_api_errors).
    pub fn with_detect_api_errors(mut self, detect: bool) -> Self {
        self.detect_api_errors = detect;
        self
    }

    /// Sets [`max_event_size`](Self::max_event_size).
    pub fn with_max_event_size(mut self, limit: Option<usize>) -> Self {
        self.max_event_size = limit;
        self
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Reading the body.
    Open,
    /// The body ended; the decoder may still hold items.
    Eof,
    /// Ended: by the sentinel, the end of the body or an error. The body is dropped.
    Done,
}

/// The timers, created at the first poll (a `Sleep` needs the runtime's timer).
struct Timers {
    /// The idle timer and when it is really due. Events only move `due` (no timer
    /// operation per event); the timer is re-armed when it fires early.
    idle: Option<(Pin<Box<Sleep>>, Duration)>,
    deadline: Option<(Pin<Box<Sleep>>, Duration)>,
    /// Dropped once content has arrived.
    first_content: Option<(Pin<Box<Sleep>>, Duration)>,
}

/// A stream of raw [`SseEvent`]s read from a response body.
///
/// It is polled by its caller, never spawned: nothing is read unless it is polled, and
/// dropping it drops the body, which closes the connection. Comments are skipped (they are
/// counted: [`comments_received`](Self::comments_received)). The sentinel event
/// ([`StreamOptions::done_sentinel`]) ends the stream without being yielded; an end event of
/// the [`StreamProtocol`] (such as `message_stop`) is yielded and ends it; the idle timeout
/// and deadline of [`StreamOptions`] apply. After the end or an error, the stream yields
/// `None` forever and the body has been dropped. Error events are yielded as plain events
/// (under the `/responses` and `/messages` protocols they end the stream);
/// [`EventStream`] turns them into [`StreamError::Api`].
///
/// Use it for streams whose events are not all JSON of one type, or to see the `event:`
/// names and ids. For JSON events use [`EventStream`], which is built on it.
///
/// The timeouts use tokio's timer: poll the stream inside a tokio runtime with the time
/// driver enabled when a timeout is set.
///
/// The body must be [`Unpin`] so that it can be dropped as soon as the stream ends (a
/// `!Unpin` body can be passed as `Pin<Box<B>>`).
pub struct SseStream<B = ResponseBody> {
    body: Option<B>,
    decoder: SseDecoder,
    options: StreamOptions,
    state: State,
    created: Instant,
    /// When the idle timer is due, moved forward by every event.
    idle_due: Option<Instant>,
    timers: Option<Timers>,
    /// Body frames read since the timers were last polled.
    frames_unchecked: u32,
    events: u64,
    comments: u64,
    /// Whether an event with content has arrived (for the first-content timeout).
    content_seen: bool,
    /// Whether every event counts as content; a caller that knows the event type judges
    /// instead ([`EventStream::judge_content`]).
    every_event_is_content: bool,
}

impl<B> fmt::Debug for SseStream<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SseStream")
            .field("options", &self.options)
            .field("state", &self.state)
            .field("events", &self.events)
            .field("comments", &self.comments)
            .field("decoder", &self.decoder)
            .finish_non_exhaustive()
    }
}

impl<B> SseStream<B>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<TransportError>,
{
    /// A stream over `body` with the default [`StreamOptions`].
    pub fn new(body: B) -> Self {
        Self::with_options(body, StreamOptions::default())
    }

    /// A stream over `body` with `options`. The idle timeout and the deadline count from now.
    pub fn with_options(body: B, options: StreamOptions) -> Self {
        let created = Instant::now();
        SseStream {
            body: Some(body),
            decoder: match options.max_event_size {
                Some(limit) => SseDecoder::new().with_max_event_size(limit),
                None => SseDecoder::new(),
            },
            options,
            state: State::Open,
            created,
            idle_due: options.idle_timeout.map(|t| created + t),
            timers: None,
            frames_unchecked: 0,
            events: 0,
            comments: 0,
            content_seen: false,
            every_event_is_content: true,
        }
    }

    /// Decodes the data of every event as JSON of type `T`.
    pub fn json<T: DeserializeOwned>(self) -> EventStream<T, B> {
        EventStream {
            inner: self,
            pending: None,
            _marker: PhantomData,
        }
    }
}

impl<B> SseStream<B> {
    /// The options of this stream.
    pub fn options(&self) -> &StreamOptions {
        &self.options
    }

    /// How many events were yielded so far.
    pub fn events_received(&self) -> u64 {
        self.events
    }

    /// How many comment lines (keep-alives) were skipped so far.
    pub fn comments_received(&self) -> u64 {
        self.comments
    }

    /// Whether the stream has ended (by its sentinel, the end of the body, or an error).
    pub fn is_terminated(&self) -> bool {
        self.state == State::Done
    }

    /// The reconnection time in milliseconds that the server asked for with `retry:`, if any.
    pub fn retry(&self) -> Option<u64> {
        self.decoder.retry()
    }

    /// Ends the stream and drops the body (closing the connection).
    fn close(&mut self) {
        self.state = State::Done;
        self.body = None;
        self.timers = None;
    }

    fn fail(&mut self, err: StreamError) -> Option<Result<SseEvent, StreamError>> {
        self.close();
        Some(Err(err))
    }

    fn on_event(&mut self, event: SseEvent) -> Option<Result<SseEvent, StreamError>> {
        if let Some(sentinel) = self.options.done_sentinel {
            if is_sentinel(&event.data, sentinel) {
                self.close();
                return None;
            }
        }
        self.events += 1;
        if self.every_event_is_content {
            self.mark_content();
        }
        if self.options.protocol.is_end(&event) {
            // Yield it, then end: nothing after an end event belongs to the response.
            self.close();
            return Some(Ok(event));
        }
        if let Some(timeout) = self.options.idle_timeout {
            self.idle_due = Some(Instant::now() + timeout);
        }
        Some(Ok(event))
    }

    /// Content has arrived: the first-content timeout no longer applies.
    fn mark_content(&mut self) {
        if !self.content_seen {
            self.content_seen = true;
            if let Some(timers) = &mut self.timers {
                timers.first_content = None;
            }
        }
    }

    /// Polls the timers; an error when one has passed.
    fn poll_timers(&mut self, cx: &mut Context<'_>) -> Option<StreamError> {
        let first_content = self
            .options
            .first_content_timeout
            .filter(|_| !self.content_seen);
        if self.options.idle_timeout.is_none()
            && self.options.deadline.is_none()
            && first_content.is_none()
        {
            return None;
        }
        let created = self.created;
        let options = self.options;
        let idle_due = self.idle_due;
        // The clock is read as well as the timers polled: a timer fires only when the runtime
        // gets to run its driver, which a task that is always handed data may not let it do.
        let now = Instant::now();
        if let Some(deadline) = options.deadline.filter(|d| now >= created + *d) {
            return Some(StreamError::Deadline { deadline });
        }
        if let Some(timeout) = options
            .idle_timeout
            .filter(|_| idle_due.is_some_and(|due| now >= due))
        {
            return Some(StreamError::IdleTimeout { timeout });
        }
        if let Some(timeout) = first_content.filter(|t| now >= created + *t) {
            return Some(StreamError::FirstContentTimeout { timeout });
        }
        let timers = self.timers.get_or_insert_with(|| Timers {
            first_content: first_content
                .map(|t| (Box::pin(tokio::time::sleep_until(created + t)), t)),
            idle: options
                .idle_timeout
                .zip(idle_due)
                .map(|(t, due)| (Box::pin(tokio::time::sleep_until(due)), t)),
            deadline: options
                .deadline
                .map(|d| (Box::pin(tokio::time::sleep_until(created + d)), d)),
        });
        if let Some((sleep, deadline)) = &mut timers.deadline {
            if sleep.as_mut().poll(cx).is_ready() {
                return Some(StreamError::Deadline {
                    deadline: *deadline,
                });
            }
        }
        if let Some((sleep, timeout)) = &mut timers.first_content {
            if sleep.as_mut().poll(cx).is_ready() {
                return Some(StreamError::FirstContentTimeout { timeout: *timeout });
            }
        }
        if let (Some((sleep, timeout)), Some(due)) = (&mut timers.idle, idle_due) {
            // The timer stays where it was armed while events move `idle_due` on; only when
            // it fires is it moved to the latest due time (one reset per idle period, not one
            // per event).
            while sleep.as_mut().poll(cx).is_ready() {
                if sleep.deadline() >= due {
                    return Some(StreamError::IdleTimeout { timeout: *timeout });
                }
                sleep.as_mut().reset(due);
            }
        }
        None
    }
}

fn is_sentinel(data: &str, sentinel: &str) -> bool {
    // The prefix test fails at once for a JSON event; only then is the whole data trimmed.
    data.len() >= sentinel.len()
        && data.trim_start().starts_with(sentinel)
        && data.trim() == sentinel
}

/// How many body frames may be read in a row without polling the timers.
const FRAMES_BETWEEN_TIMER_CHECKS: u32 = 16;

impl<B> Stream for SseStream<B>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<TransportError>,
{
    type Item = Result<SseEvent, StreamError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let mut read_in_call = 0;
        loop {
            if this.state == State::Done {
                return Poll::Ready(None);
            }
            for item in this.decoder.by_ref() {
                match item {
                    Ok(SseItem::Event(event)) => match this.on_event(event) {
                        None => return Poll::Ready(None),
                        Some(item) => return Poll::Ready(Some(item)),
                    },
                    Ok(SseItem::Comment(_)) => this.comments += 1,
                    Err(err) => {
                        let err = match err.too_large() {
                            Some(limit) => StreamError::EventTooLarge { limit },
                            None => StreamError::InvalidUtf8(err),
                        };
                        return Poll::Ready(this.fail(err));
                    }
                }
            }
            if this.state == State::Eof {
                let incomplete = this.decoder.finish();
                if let Some(event) = incomplete
                    .as_ref()
                    .filter(|event| this.options.protocol.is_end(event))
                {
                    // An end event without the blank line that should dispatch it: accept it,
                    // as the sentinel is accepted below.
                    let event = event.clone();
                    this.events += 1;
                    this.close();
                    return Poll::Ready(Some(Ok(event)));
                }
                let clean = match (this.options.done_sentinel, incomplete) {
                    (None, _) => !this.options.protocol.has_end_event(),
                    // The sentinel without the blank line that should end it: accept it.
                    (Some(sentinel), Some(event)) => is_sentinel(&event.data, sentinel),
                    (Some(_), None) => false,
                };
                this.close();
                return Poll::Ready(if clean {
                    None
                } else {
                    Some(Err(StreamError::Truncated))
                });
            }
            // The timers are polled when the body has nothing (which also registers their
            // wakers before `Pending`), and after every few frames, so that a body that is
            // always ready still meets them; not for every event of a stream that flows.
            if this.frames_unchecked >= FRAMES_BETWEEN_TIMER_CHECKS {
                this.frames_unchecked = 0;
                if let Some(err) = this.poll_timers(cx) {
                    return Poll::Ready(this.fail(err));
                }
                if read_in_call >= FRAMES_BETWEEN_TIMER_CHECKS {
                    // Many frames and no event (a flood of keep-alive comments): yield to the
                    // runtime, whose timers could not fire while this poll went on.
                    cx.waker().wake_by_ref();
                    return Poll::Pending;
                }
            }
            let Some(body) = this.body.as_mut() else {
                return Poll::Ready(None);
            };
            match Pin::new(body).poll_frame(cx) {
                Poll::Ready(Some(Ok(frame))) => {
                    this.frames_unchecked += 1;
                    read_in_call += 1;
                    // Trailers carry no events.
                    if let Ok(data) = frame.into_data() {
                        this.decoder.push(&data);
                    }
                }
                Poll::Ready(Some(Err(err))) => {
                    return Poll::Ready(this.fail(StreamError::Transport(err.into())));
                }
                Poll::Ready(None) => this.state = State::Eof,
                Poll::Pending => {
                    this.frames_unchecked = 0;
                    if let Some(err) = this.poll_timers(cx) {
                        return Poll::Ready(this.fail(err));
                    }
                    return Poll::Pending;
                }
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self.state {
            State::Done => (0, Some(0)),
            _ => (0, None),
        }
    }
}

/// A stream of JSON events decoded as `T`, such as
/// [`ChatStreamChunk`](openrouter_types::chat::StreamChunk)s.
///
/// Built on [`SseStream`], with the same end, timeout and drop rules. Each event's data is
/// decoded as `T`:
///
/// - Data that is not valid JSON for `T` gives a [`StreamError::Decode`] naming the type, the
///   JSON path and the data; the stream **goes on** with the next event, so one odd chunk
///   does not lose the rest of a generation.
/// - An event that reports a failure after the HTTP status was sent (a top-level `error`
///   object; for [`StreamProtocol::Responses`], also an `error` or `response.failed` event)
///   gives [`StreamError::Api`] and ends the stream. When the same data also decodes as `T` (a
///   chat chunk with `finish_reason: "error"` and perhaps a last bit of content, a
///   `response.failed` event with the partial output), that value is yielded **first**, then
///   the error: nothing the server sent is lost, and an accumulator such as
///   [`ChatAccumulator`](super::ChatAccumulator) sees it.
/// - An end event of the [`StreamProtocol`] (`response.completed`, `message_stop`) is yielded
///   and ends the stream.
///
/// # Examples
///
/// ```
/// use futures_util::StreamExt;
/// use openrouter::sse::EventStream;
/// use openrouter::types::chat::StreamChunk;
/// use openrouter_transport::ResponseBody;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let body = ResponseBody::from(
///     ": OPENROUTER PROCESSING\n\n\
///      data: {\"id\":\"gen-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\
///      \"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n\
///      data: [DONE]\n\n",
/// );
/// let mut stream = EventStream::<StreamChunk>::new(body);
/// let chunk = stream.next().await.unwrap().unwrap();
/// assert_eq!(chunk.choices[0].delta.content.as_deref(), Some("Hi"));
/// assert!(stream.next().await.is_none());
/// # }
/// ```
pub struct EventStream<T, B = ResponseBody> {
    inner: SseStream<B>,
    pending: Option<StreamError>,
    _marker: PhantomData<fn() -> T>,
}

impl<T, B> fmt::Debug for EventStream<T, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventStream")
            .field("type", &std::any::type_name::<T>())
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl<T, B> EventStream<T, B>
where
    T: DeserializeOwned,
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<TransportError>,
{
    /// A stream over `body` with the default [`StreamOptions`].
    pub fn new(body: B) -> Self {
        SseStream::new(body).json()
    }

    /// A stream over `body` with `options`.
    pub fn with_options(body: B, options: StreamOptions) -> Self {
        SseStream::with_options(body, options).json()
    }
}

impl<T, B> EventStream<T, B> {
    /// The raw event stream underneath (for its counters and options).
    pub fn get_ref(&self) -> &SseStream<B> {
        &self.inner
    }

    /// Whether the stream has ended and has nothing more to yield.
    pub fn is_terminated(&self) -> bool {
        self.inner.is_terminated() && self.pending.is_none()
    }
}

impl<T, B> EventStream<T, B> {
    /// From now on, events count as content only when [`mark_content`](Self::mark_content)
    /// says so (a caller that knows the event type decides).
    pub(crate) fn judge_content(&mut self) {
        self.inner.every_event_is_content = false;
    }

    /// An event with content has arrived.
    pub(crate) fn mark_content(&mut self) {
        self.inner.mark_content();
    }

    /// Whether an event with content has arrived (after which nothing needs judging).
    pub(crate) fn content_seen(&self) -> bool {
        self.inner.content_seen
    }
}

impl<T: DeserializeOwned, B> EventStream<T, B> {
    fn decode(&mut self, event: SseEvent) -> Result<T, StreamError> {
        let api_error = if self.inner.options.detect_api_errors {
            self.inner.options.protocol.api_error(&event.data)
        } else {
            None
        };
        // A chunk that fails the spec-exact decode is decoded again leniently (one odd field
        // must not lose the chunk), unless it is an error frame.
        // Text: the one reader every decode uses (each type's decoder is compiled once).
        let decoded = match serde_json::from_str::<T>(&event.data) {
            Err(_) if api_error.is_none() => openrouter_types::from_str::<T>(&event.data),
            other => other,
        };
        match decoded {
            Ok(value) => {
                if let Some(body) = api_error {
                    self.inner.close();
                    self.pending = Some(StreamError::Api(Box::new(body)));
                }
                self.inner.decoder.recycle(event.data);
                Ok(value)
            }
            Err(err) => {
                if let Some(body) = api_error {
                    self.inner.close();
                    return Err(StreamError::Api(Box::new(body)));
                }
                Err(decode_error::<T>(event.data, err))
            }
        }
    }
}

impl<T, B> Stream for EventStream<T, B>
where
    T: DeserializeOwned,
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<TransportError>,
{
    type Item = Result<T, StreamError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if let Some(err) = this.pending.take() {
            return Poll::Ready(Some(Err(err)));
        }
        match Pin::new(&mut this.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(event))) => Poll::Ready(Some(this.decode(event))),
            Poll::Ready(Some(Err(err))) => Poll::Ready(Some(Err(err))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let pending = usize::from(self.pending.is_some());
        match self.inner.size_hint() {
            (_, Some(0)) => (pending, Some(pending)),
            _ => (pending, None),
        }
    }
}

/// Builds a decode error, locating the failure (only on this slow path: the fast path decodes
/// without tracking).
fn decode_error<T: DeserializeOwned>(body: String, err: serde_json::Error) -> StreamError {
    let path = match openrouter_types::from_slice_with_path::<T>(body.as_bytes()) {
        Err((path, _)) => path,
        Ok(_) => ".".to_owned(),
    };
    StreamError::Decode {
        type_name: std::any::type_name::<T>(),
        path,
        body,
        source: err,
    }
}
