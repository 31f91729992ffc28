//! The error of a server-sent event stream.

use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

use openrouter_transport::TransportError;
use openrouter_types::error::ErrorBody;

use super::decoder::SseDecodeError;

/// Why an event stream failed.
///
/// Every variant except [`Decode`](Self::Decode) ends the stream: the next poll returns
/// `None` and the response body has already been dropped, which closes the connection (and,
/// for providers that support it, stops the generation and its billing). A `Decode` error
/// concerns one event only; the stream goes on with the next one. See
/// [`is_terminal`](Self::is_terminal).
///
/// `Display` describes the failure in one line and never repeats the underlying error, which is
/// reachable through [`source()`](std::error::Error::source).
#[derive(Debug)]
#[non_exhaustive]
pub enum StreamError {
    /// Reading the response body failed (the connection was reset, for example).
    Transport(TransportError),
    /// A line of the stream is not valid UTF-8.
    InvalidUtf8(SseDecodeError),
    /// The body ended before the end of the stream: the sentinel (`data: [DONE]`) or the end
    /// event of its [`StreamProtocol`](super::StreamProtocol) (`message_stop` for `/messages`).
    /// The response is incomplete.
    Truncated,
    /// The server reported an error in the stream, after the HTTP status (200) was sent: an
    /// event whose JSON has a top-level `error` object (for a chat completion, a chunk with
    /// `choices[0].finish_reason: "error"`; for `/messages`, an `error` event, whose Anthropic
    /// error type is the code), or a `/responses` `error` or `response.failed` event.
    /// Boxed, to keep `Result<_, StreamError>` small.
    Api(Box<ErrorBody>),
    /// An event's data is not valid JSON for the expected type. The stream goes on.
    Decode {
        /// The Rust type the data was decoded into.
        type_name: &'static str,
        /// Where in the JSON the decoding failed, such as `choices[0].delta.tool_calls`
        /// (`.` for the root).
        path: String,
        /// The event data, as received.
        body: String,
        /// The JSON error.
        source: serde_json::Error,
    },
    /// No event arrived for this long. Comments (keep-alives such as
    /// `: OPENROUTER PROCESSING`) do not count as events.
    IdleTimeout {
        /// The configured idle timeout.
        timeout: Duration,
    },
    /// The stream did not end within this time of its creation.
    Deadline {
        /// The configured deadline.
        deadline: Duration,
    },
    /// No event with content arrived this long after the stream opened (only keep-alives, or
    /// chunks with empty deltas). See
    /// [`StreamOptions::first_content_timeout`](super::StreamOptions::first_content_timeout).
    FirstContentTimeout {
        /// The configured timeout.
        timeout: Duration,
    },
    /// A line or an event of the stream was larger than the stream's limit
    /// ([`StreamOptions::max_event_size`](super::StreamOptions::max_event_size)); the rest was
    /// not read.
    EventTooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
}

impl StreamError {
    /// Whether this error ended the stream; only [`Decode`](Self::Decode) errors do not.
    pub fn is_terminal(&self) -> bool {
        !matches!(self, StreamError::Decode { .. })
    }

    /// Whether the stream stopped because of the idle timeout or the deadline.
    pub fn is_timeout(&self) -> bool {
        matches!(
            self,
            StreamError::IdleTimeout { .. }
                | StreamError::Deadline { .. }
                | StreamError::FirstContentTimeout { .. }
        )
    }

    /// Whether the stream was cut before its end (its sentinel or end event): the body ended
    /// early ([`Truncated`](Self::Truncated)), or reading it failed, as when the connection is
    /// reset mid-stream ([`Transport`](Self::Transport)). Either way the response is
    /// incomplete.
    pub fn is_truncated(&self) -> bool {
        matches!(self, StreamError::Truncated | StreamError::Transport(_))
    }

    /// Whether an event could not be decoded.
    pub fn is_decode(&self) -> bool {
        matches!(self, StreamError::Decode { .. })
    }

    /// The error the server sent mid-stream, if this is one.
    pub fn api_error(&self) -> Option<&ErrorBody> {
        match self {
            StreamError::Api(body) => Some(body),
            _ => None,
        }
    }

    /// The transport error, if reading the body failed.
    pub fn transport_error(&self) -> Option<&TransportError> {
        match self {
            StreamError::Transport(err) => Some(err),
            _ => None,
        }
    }

    /// The data of the event that could not be decoded.
    pub fn decode_body(&self) -> Option<&str> {
        match self {
            StreamError::Decode { body, .. } => Some(body),
            _ => None,
        }
    }

    /// The JSON path at which decoding failed.
    pub fn decode_path(&self) -> Option<&str> {
        match self {
            StreamError::Decode { path, .. } => Some(path),
            _ => None,
        }
    }
}

impl fmt::Display for StreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StreamError::Transport(_) => f.write_str("reading the event stream failed"),
            StreamError::InvalidUtf8(_) => f.write_str("the event stream is not valid UTF-8"),
            StreamError::Truncated => {
                f.write_str("the event stream ended before its end-of-stream marker")
            }
            StreamError::Api(body) => {
                write!(f, "the server reported an error mid-stream ({})", body.code)?;
                if !body.message.is_empty() {
                    write!(f, ": {}", body.message)?;
                }
                Ok(())
            }
            StreamError::Decode {
                type_name, path, ..
            } => write!(
                f,
                "could not decode a stream event as `{type_name}` at `{path}`"
            ),
            StreamError::IdleTimeout { timeout } => {
                write!(f, "no event arrived on the stream for {timeout:?}")
            }
            StreamError::Deadline { deadline } => {
                write!(f, "the stream did not finish within {deadline:?}")
            }
            StreamError::FirstContentTimeout { timeout } => {
                write!(f, "no content arrived on the stream within {timeout:?}")
            }
            StreamError::EventTooLarge { limit } => {
                write!(
                    f,
                    "a stream event is larger than the limit of {limit} bytes"
                )
            }
        }
    }
}

impl StdError for StreamError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            StreamError::Transport(err) => Some(err),
            StreamError::InvalidUtf8(err) => Some(err),
            StreamError::Decode { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<TransportError> for StreamError {
    fn from(err: TransportError) -> Self {
        StreamError::Transport(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_does_not_repeat_the_source() {
        let source = serde_json::from_str::<u8>("x").unwrap_err();
        let err = StreamError::Decode {
            type_name: "u8",
            path: ".".into(),
            body: "x".into(),
            source,
        };
        let shown = err.to_string();
        assert_eq!(shown, "could not decode a stream event as `u8` at `.`");
        assert!(!shown.contains(&err.source().unwrap().to_string()));
        assert!(!err.is_terminal());
        assert_eq!(err.decode_body(), Some("x"));

        let api = StreamError::Api(Box::new(ErrorBody::new(
            "server_error",
            "Provider disconnected",
        )));
        assert_eq!(
            api.to_string(),
            "the server reported an error mid-stream (server_error): Provider disconnected"
        );
        assert!(api.source().is_none());
        assert!(api.is_terminal());
    }

    #[test]
    fn errors_are_send_sync() {
        fn check<T: Send + Sync + 'static>() {}
        check::<StreamError>();
    }
}
