//! Server-sent events: the decoder, typed event streams, and chat-chunk accumulation.
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
//!   with end-of-stream, truncation and timeout rules; for streams such as the
//!   Anthropic-shaped `/messages` one, whose events are told apart by their `event:` name.
//! - [`EventStream<T>`]: the same, with each event's data decoded as JSON of type `T`, such as
//!   [`chat::StreamChunk`](openrouter_types::chat::StreamChunk).
//! - [`ChatAccumulator`]: assembles chat chunks into the final message: content, reasoning,
//!   tool calls, finish reasons and usage.
//!
//! # Why
//!
//! A stream can fail in ways a plain response cannot, and each failure is reported as a
//! distinct [`StreamError`] rather than as a silently short answer:
//!
//! - **Truncation.** OpenRouter ends every stream with `data: [DONE]`; a body that ends without
//!   it was cut, and yields [`StreamError::Truncated`].
//! - **Errors after the status.** Once the first token is sent the HTTP status is 200, so a
//!   later failure arrives as an event with a top-level `error` object (whose `code` may be a
//!   number or a string). It becomes [`StreamError::Api`] with the code, message and metadata;
//!   a chunk that came with it is yielded first.
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

mod accumulate;
mod decoder;
mod error;
mod stream;

pub use accumulate::{AccumulatedChat, AccumulatedChoice, AccumulatedToolCall, ChatAccumulator};
pub use decoder::{SseDecodeError, SseDecoder, SseEvent, SseItem};
pub use error::StreamError;
pub use stream::{EventStream, SseStream, StreamOptions};
