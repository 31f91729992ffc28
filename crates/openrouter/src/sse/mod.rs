//! Server-sent events: the decoder, typed event streams, their end and error rules, and
//! accumulators.
//!
//! # What
//!
//! OpenRouter streams completions as `text/event-stream` (server-sent events) when a request
//! sets `stream: true`. This module turns a response body into Rust values:
//!
//! - [`SseDecoder`]: an incremental, allocation-light decoder of the event-stream format that
//!   follows the WHATWG rules (LF, CR and CRLF line ends even when split across reads,
//!   multi-line `data:`, comments, a leading byte order mark, `event:`, `id:`, `retry:`).
//! - [`SseStream`]: a [`Stream`](futures_core::Stream) of raw [`SseEvent`]s read from a body,
//!   with end-of-stream, truncation and timeout rules; for streams whose events are not all
//!   JSON of one type, or to see the `event:` names.
//! - [`EventStream<T>`]: the same, with each event's data decoded as JSON of type `T`, such as
//!   [`chat::StreamChunk`](openrouter_types::chat::StreamChunk).
//! - [`StreamProtocol`]: the end and error rules of each kind of stream. OpenRouter speaks
//!   three: chat completions (and `/images`) end with `data: [DONE]`; `/responses` (OpenAI
//!   Responses events) ends after `response.completed` or `response.incomplete` and fails with
//!   `error` or `response.failed`; `/messages` (Anthropic events, no `[DONE]`) ends after
//!   `message_stop` and fails with `error`. [`StreamedEvent`] ties each generated event type to
//!   its protocol, which is how [`Call::stream`](crate::Call::stream) picks the rules.
//! - [`ChatAccumulator`], [`ResponsesAccumulator`], [`MessagesAccumulator`]: assemble the
//!   events into the final answer: text, reasoning, tool calls (their JSON arguments
//!   assembled from pieces), stop reasons and usage.
//!
//! # Why
//!
//! A stream can fail in ways a plain response cannot, and each failure is reported as a
//! distinct [`StreamError`] rather than as a silently short answer:
//!
//! - **Truncation.** Every stream has an end marker: `data: [DONE]`, or the protocol's end
//!   event (`response.completed`, `message_stop`). A body that ends without one was cut, and
//!   yields [`StreamError::Truncated`]. After an end event the stream ends at once, whatever
//!   follows (a `[DONE]` is not waited for).
//! - **Errors after the status.** Once the first token is sent the HTTP status is 200, so a
//!   later failure arrives as an event: one with a top-level `error` object (whose `code` may
//!   be a number or a string; Anthropic's has a `type` instead, which becomes the code), or a
//!   Responses `error` or `response.failed` event. It becomes [`StreamError::Api`] with the
//!   code, message and metadata; the event itself is yielded first when it decodes, so an
//!   accumulator sees the partial answer.
//! - **Stalls.** While a provider is slow, OpenRouter sends `: OPENROUTER PROCESSING` comments.
//!   They are skipped and do not reset the idle timeout, so a stalled generation is detected
//!   ([`StreamError::IdleTimeout`]) instead of being kept alive forever.
//! - **Odd chunks.** A chunk that does not fit the model gives [`StreamError::Decode`] with the
//!   JSON path and the raw data, and the stream goes on: one bad chunk does not lose the rest.
//!
//! Streams are polled by the caller, never spawned, and dropping one drops the response body:
//! the connection is closed, which for providers that support it stops the generation and its
//! billing. The body is also dropped as soon as the stream ends or fails.
//!
//! # How
//!
//! ```
//! use futures_util::StreamExt;
//! use openrouter::sse::{ChatAccumulator, EventStream, StreamError, StreamOptions};
//! use openrouter::types::chat::StreamChunk;
//! use openrouter_transport::ResponseBody;
//! use std::time::Duration;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), StreamError> {
//! // In an application the body comes from the transport's response.
//! let body = ResponseBody::from(concat!(
//!     ": OPENROUTER PROCESSING\n\n",
//!     r#"data: {"id":"gen-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"Hello"}}]}"#, "\n\n",
//!     r#"data: {"id":"gen-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":", world"},"finish_reason":"stop"}]}"#, "\n\n",
//!     r#"data: {"id":"gen-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":3,"total_tokens":8}}"#, "\n\n",
//!     "data: [DONE]\n\n",
//! ));
//! let options = StreamOptions::new().with_idle_timeout(Some(Duration::from_secs(90)));
//! let mut stream = EventStream::<StreamChunk>::with_options(body, options);
//! let mut acc = ChatAccumulator::new();
//! while let Some(chunk) = stream.next().await {
//!     let chunk = chunk?;
//!     if let Some(text) = chunk.choices.first().and_then(|c| c.delta.content.as_deref()) {
//!         print!("{text}");
//!     }
//!     acc.push(&chunk);
//! }
//! let chat = acc.finish();
//! assert_eq!(chat.content(), "Hello, world");
//! assert_eq!(chat.usage.map(|u| u.total_tokens), Some(8));
//! # Ok(())
//! # }
//! ```
//!
//! The other streams work the same way with their own event type and accumulator; a stream
//! built by hand takes its protocol from [`StreamOptions::for_protocol`]:
//!
//! ```
//! use futures_util::StreamExt;
//! use openrouter::sse::{
//!     EventStream, MessagesAccumulator, StreamError, StreamOptions, StreamedEvent,
//! };
//! use openrouter::types::messages::StreamEvent;
//! use openrouter_transport::ResponseBody;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), StreamError> {
//! let body = ResponseBody::from(concat!(
//!     "event: content_block_start\n",
//!     r#"data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#, "\n\n",
//!     "event: content_block_delta\n",
//!     r#"data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}"#, "\n\n",
//!     "event: message_stop\n",
//!     r#"data: {"type":"message_stop"}"#, "\n\n",
//! ));
//! let options = StreamOptions::for_protocol(StreamEvent::PROTOCOL);
//! let mut stream = EventStream::<StreamEvent>::with_options(body, options);
//! let mut acc = MessagesAccumulator::new();
//! while let Some(event) = stream.next().await {
//!     acc.push(&event?);
//! }
//! assert_eq!(acc.finish().text(), "Hi");
//! # Ok(())
//! # }
//! ```
//!
//! The decoder can also be driven by hand, for bytes that come from elsewhere:
//!
//! ```
//! use openrouter::sse::{SseDecoder, SseItem};
//!
//! let mut decoder = SseDecoder::new();
//! decoder.push(b"event: message_start\r\ndata: {}\r\n\r\n");
//! let Some(Ok(SseItem::Event(event))) = decoder.next() else { panic!() };
//! assert_eq!(event.event.as_deref(), Some("message_start"));
//! ```

mod decoder;
mod error;
mod protocol;
mod stream;

// The modules that name particular generated types and their fields. `cargo xtask drift`
// compiles a copy of this crate against the model of another spec snapshot, which may lack
// them, with the cfg `openrouter_drift` set: these modules are left out of that copy, the rest
// of the crate (and the generated client methods) is compiled.
#[cfg(all(not(openrouter_drift), feature = "chat"))]
mod accumulate;
#[cfg(all(not(openrouter_drift), feature = "anthropic_messages"))]
mod accumulate_messages;
#[cfg(all(not(openrouter_drift), feature = "responses"))]
mod accumulate_responses;
#[cfg(not(openrouter_drift))]
mod event_types;

#[doc(hidden)]
pub use crate::telemetry::TraceSummary;
#[cfg(all(not(openrouter_drift), feature = "chat"))]
pub use accumulate::{AccumulatedChat, AccumulatedChoice, AccumulatedToolCall, ChatAccumulator};
#[cfg(all(not(openrouter_drift), feature = "anthropic_messages"))]
pub use accumulate_messages::{
    AccumulatedBlock, AccumulatedMessage, MessageUsage, MessagesAccumulator,
};
#[cfg(all(not(openrouter_drift), feature = "responses"))]
pub use accumulate_responses::{AccumulatedOutputItem, AccumulatedResponse, ResponsesAccumulator};
pub use decoder::{SseDecodeError, SseDecoder, SseEvent, SseItem};
pub use error::StreamError;
pub use protocol::{StreamProtocol, StreamedEvent};
pub use stream::{EventStream, SseStream, StreamOptions};
