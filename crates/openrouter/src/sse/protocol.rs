//! The end and error rules of each kind of event stream, and how an event type selects them.

use std::borrow::Cow;
use std::sync::OnceLock;

use memchr::memmem::Finder;
use openrouter_types::error::ErrorBody;
use openrouter_types::error::ErrorCode;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::decoder::SseEvent;

/// The rules an event stream follows: which event ends it, and which events report a failure.
///
/// Every protocol ends at the stream's sentinel ([`StreamOptions::done_sentinel`], `[DONE]` by
/// default) and turns an event whose JSON has a top-level `error` object into
/// [`StreamError::Api`] (with the object's `code`, or its `type` when it has no code). The
/// protocols differ in the events that end the stream *before* any sentinel:
///
/// | Protocol | Ends after | Fails with [`StreamError::Api`] at | End of body before the end |
/// |---|---|---|---|
/// | [`Chat`](Self::Chat) | the sentinel only | a top-level `error` object | truncated when a sentinel is set |
/// | [`Responses`](Self::Responses) | `response.completed`, `response.incomplete` | `error` (top-level `code`, `message`), `response.failed` (`response.error`) | truncated |
/// | [`Messages`](Self::Messages) | `message_stop` | `error` (`error.type`, `error.message`) | truncated |
///
/// An event that ends the stream is yielded; the next poll returns `None` and the body has been
/// dropped (a `[DONE]` that may follow is not waited for). A failing event is yielded too when
/// it decodes as the event type, then the error; either way the stream ends there.
///
/// The protocol of a [`Call::stream`](crate::Call::stream) is chosen by its event type through
/// [`StreamedEvent`]; for an [`EventStream`](super::EventStream) or [`SseStream`](super::SseStream)
/// built by hand, set it with [`StreamOptions::for_protocol`] or
/// [`StreamOptions::with_protocol`].
///
/// [`StreamOptions::done_sentinel`]: super::StreamOptions::done_sentinel
/// [`StreamOptions::for_protocol`]: super::StreamOptions::for_protocol
/// [`StreamOptions::with_protocol`]: super::StreamOptions::with_protocol
/// [`StreamError::Api`]: super::StreamError::Api
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StreamProtocol {
    /// OpenAI chat-completions-shaped streams, and the default for every other event type:
    /// `/chat/completions`, `/images` (whose spec declares the `[DONE]` sentinel and an `error`
    /// event with an `error` object), and JSON values of any type. The stream ends with the
    /// sentinel only; an event with a top-level `error` object fails it.
    #[default]
    Chat,
    /// OpenAI Responses API events (`POST /responses`), told apart by their `type` field.
    ///
    /// `response.completed` and `response.incomplete` end the stream, with or without a
    /// following `[DONE]`. `response.failed` (whose `response.error` has the code and message)
    /// and `error` (with top-level `code` and `message`) end it with [`StreamError::Api`]. A
    /// body that ends before one of them or the sentinel is truncated.
    ///
    /// [`StreamError::Api`]: super::StreamError::Api
    Responses,
    /// Anthropic Messages events (`POST /messages`), named by `event:` lines and by their
    /// data's `type` field. There is no `[DONE]`.
    ///
    /// `message_stop` ends the stream; a body that ends before it is truncated. An `error`
    /// event (`{"type":"error","error":{"type":"overloaded_error","message":...}}`) ends it with
    /// [`StreamError::Api`] whose code is the Anthropic error type (`overloaded_error`).
    ///
    /// [`StreamError::Api`]: super::StreamError::Api
    Messages,
}

/// An event type of a streaming operation: it says which [`StreamProtocol`] its stream follows.
///
/// [`Call::stream`](crate::Call::stream) reads [`PROTOCOL`](Self::PROTOCOL) from its event
/// type `S`, so every operation's stream gets its rules without any option:
///
/// | Event type | Operation | Protocol |
/// |---|---|---|
/// | [`ChatStreamChunk`](openrouter_types::generated::ChatStreamChunk) | `POST /chat/completions` | [`Chat`](StreamProtocol::Chat) |
/// | [`StreamEvents`](openrouter_types::generated::StreamEvents) | `POST /responses` | [`Responses`](StreamProtocol::Responses) |
/// | [`MessagesStreamEvents`](openrouter_types::generated::MessagesStreamEvents) | `POST /messages` | [`Messages`](StreamProtocol::Messages) |
/// | [`ImageStreamingResponseData`](openrouter_types::generated::ImageStreamingResponseData) | `POST /images` | [`Chat`](StreamProtocol::Chat) |
/// | [`serde_json::Value`], [`String`] | any | [`Chat`](StreamProtocol::Chat) |
///
/// The end-of-stream sentinel itself comes from the operation table, so it is not part of this
/// trait.
///
/// # Examples
///
/// A type of your own takes the default rules with an empty `impl`:
///
/// ```
/// use openrouter::sse::{StreamProtocol, StreamedEvent};
///
/// #[derive(serde::Deserialize)]
/// struct MyChunk {
///     text: String,
/// }
///
/// impl StreamedEvent for MyChunk {}
///
/// assert_eq!(MyChunk::PROTOCOL, StreamProtocol::Chat);
/// assert_eq!(
///     <openrouter::types::messages::StreamEvent as StreamedEvent>::PROTOCOL,
///     StreamProtocol::Messages,
/// );
/// ```
pub trait StreamedEvent: DeserializeOwned {
    /// The rules of a stream of these events. Default: [`StreamProtocol::Chat`].
    const PROTOCOL: StreamProtocol = StreamProtocol::Chat;

    /// Whether this event shows the generation making progress, for the first-content
    /// timeout ([`TimeoutConfig::stream_first_content`](crate::TimeoutConfig::stream_first_content))
    /// and the retry of a stalled stream. Default: every event.
    fn carries_content(&self) -> bool {
        true
    }

    /// Tells a call's span what this event says (ids, finish reasons, usage, text). Only
    /// called while a subscriber records the span. Default: nothing.
    #[doc(hidden)]
    fn trace(&self, summary: &mut crate::telemetry::TraceSummary) {
        let _ = summary;
    }
}

impl StreamedEvent for Value {}

impl StreamedEvent for String {}

/// Event types that end a `/responses` stream (the failing ones give an error as well).
const RESPONSES_END: [&str; 4] = [
    "response.completed",
    "response.incomplete",
    "response.failed",
    "error",
];

/// Event types that end a `/messages` stream (`error` gives an error as well).
const MESSAGES_END: [&str; 2] = ["message_stop", "error"];

impl StreamProtocol {
    /// Whether the stream must end with an event of its own (besides any sentinel): a body
    /// that ends without one is truncated even when no sentinel is set.
    pub fn has_end_event(self) -> bool {
        matches!(self, StreamProtocol::Responses | StreamProtocol::Messages)
    }

    /// The end-of-stream sentinel this protocol's streams use: `[DONE]`, or none for
    /// [`Messages`](Self::Messages).
    pub fn default_sentinel(self) -> Option<&'static str> {
        match self {
            StreamProtocol::Messages => None,
            StreamProtocol::Chat | StreamProtocol::Responses => Some("[DONE]"),
        }
    }

    /// Whether `event` ends the stream (after being yielded).
    ///
    /// Most events are ruled out by a substring search before any parsing: the type values
    /// that end a stream cannot appear in the JSON without their quotes (inside a JSON
    /// string, quotes are escaped).
    pub fn is_end(self, event: &SseEvent) -> bool {
        match self {
            StreamProtocol::Chat => false,
            StreamProtocol::Responses => {
                static FINDERS: OnceLock<[Finder<'static>; 4]> = OnceLock::new();
                let finders = FINDERS.get_or_init(|| {
                    [
                        Finder::new(b"\"response.completed\""),
                        Finder::new(b"\"response.incomplete\""),
                        Finder::new(b"\"response.failed\""),
                        Finder::new(b"\"error\""),
                    ]
                });
                let data = event.data.as_bytes();
                finders.iter().any(|f| f.find(data).is_some())
                    && data_type(&event.data).is_some_and(|t| RESPONSES_END.contains(&&*t))
            }
            StreamProtocol::Messages => {
                if event
                    .event
                    .as_deref()
                    .is_some_and(|name| MESSAGES_END.contains(&name))
                {
                    return true;
                }
                static FINDERS: OnceLock<[Finder<'static>; 2]> = OnceLock::new();
                let finders = FINDERS
                    .get_or_init(|| [Finder::new(b"\"message_stop\""), Finder::new(b"\"error\"")]);
                let data = event.data.as_bytes();
                finders.iter().any(|f| f.find(data).is_some())
                    && data_type(&event.data).is_some_and(|t| MESSAGES_END.contains(&&*t))
            }
        }
    }

    /// The error that `data` reports, if it reports one.
    pub(crate) fn api_error(self, data: &str) -> Option<ErrorBody> {
        // A quick substring search rules out almost every event before any parsing: neither a
        // top-level `"error"` key or type nor `response.failed` can appear without their
        // quotes.
        static ERROR: OnceLock<Finder<'static>> = OnceLock::new();
        static FAILED: OnceLock<Finder<'static>> = OnceLock::new();
        let bytes = data.as_bytes();
        let has_error = ERROR
            .get_or_init(|| Finder::new(b"\"error\""))
            .find(bytes)
            .is_some();
        let failed = self == StreamProtocol::Responses
            && FAILED
                .get_or_init(|| Finder::new(b"\"response.failed\""))
                .find(bytes)
                .is_some();
        if !has_error && !failed {
            return None;
        }

        #[derive(Deserialize)]
        struct Probe<'a> {
            #[serde(default, borrow, rename = "type")]
            kind: Option<Cow<'a, str>>,
            #[serde(default)]
            error: Option<Value>,
            #[serde(default)]
            code: Option<Value>,
            #[serde(default)]
            message: Option<Value>,
            #[serde(default)]
            response: Option<ResponseProbe>,
        }
        #[derive(Deserialize)]
        struct ResponseProbe {
            #[serde(default)]
            error: Option<Value>,
        }
        let probe = serde_json::from_str::<Probe<'_>>(data).ok()?;
        if let Some(Value::Object(error)) = probe.error {
            return Some(error_body(error));
        }
        if self != StreamProtocol::Responses {
            return None;
        }
        match probe.kind.as_deref() {
            // `{"type":"error","code":...,"message":...,"param":...}`
            Some("error") => {
                let mut map = Map::new();
                if let Some(code) = probe.code {
                    map.insert("code".into(), code);
                }
                if let Some(message) = probe.message {
                    map.insert("message".into(), message);
                }
                Some(error_body(map))
            }
            // `{"type":"response.failed","response":{"status":"failed","error":{...}}}`
            Some("response.failed") => match probe.response.and_then(|r| r.error) {
                Some(Value::Object(error)) => Some(error_body(error)),
                // A failure without details is a failure still.
                _ => Some(ErrorBody::new("response.failed", "the response failed")),
            },
            _ => None,
        }
    }
}

/// The top-level `type` of `data`, if it is a JSON object with a string `type`.
fn data_type(data: &str) -> Option<Cow<'_, str>> {
    #[derive(Deserialize)]
    struct TypeProbe<'a> {
        #[serde(default, borrow, rename = "type")]
        kind: Option<Cow<'a, str>>,
    }
    serde_json::from_str::<TypeProbe<'_>>(data).ok()?.kind
}

/// An [`ErrorBody`] from an error object of any of the shapes OpenRouter streams use:
/// `{code, message, metadata}` (code a number or a string), Anthropic's `{type, message}`
/// (the type becomes the code), or a provider's `{code: null, type, message, param}`.
/// Nothing is dropped: fields other than the code, message and metadata are kept in `extra`.
fn error_body(mut map: Map<String, Value>) -> ErrorBody {
    let code = match map.remove("code") {
        Some(Value::Number(n)) => n.as_i64().map(ErrorCode::Number),
        Some(Value::String(s)) if !s.is_empty() => Some(ErrorCode::Text(s)),
        _ => None,
    }
    .or_else(|| match map.get("type") {
        Some(Value::String(s)) if !s.is_empty() => Some(ErrorCode::Text(s.clone())),
        _ => None,
    })
    .unwrap_or_default();
    let message = match map.remove("message") {
        Some(Value::String(s)) => s,
        Some(other) if !other.is_null() => other.to_string(),
        _ => String::new(),
    };
    let metadata = match map.remove("metadata") {
        Some(Value::Object(m)) => Some(m),
        Some(Value::Null) | None => None,
        Some(other) => {
            // Not an object: keep it as sent rather than drop it.
            map.insert("metadata".into(), other);
            None
        }
    };
    let mut body = ErrorBody::new(code, message);
    body.metadata = metadata;
    body.extra = map;
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    fn end(protocol: StreamProtocol, name: Option<&str>, data: &str) -> bool {
        let mut event = SseEvent::new(data);
        event.event = name.map(str::to_owned);
        protocol.is_end(&event)
    }

    #[test]
    fn end_events() {
        use StreamProtocol::*;
        let cases: &[(StreamProtocol, Option<&str>, &str, bool)] = &[
            (Chat, None, r#"{"type":"response.completed"}"#, false),
            (
                Responses,
                None,
                r#"{"type":"response.completed","response":{}}"#,
                true,
            ),
            (
                Responses,
                None,
                r#"{ "type" : "response.incomplete" }"#,
                true,
            ),
            (Responses, None, r#"{"type":"response.failed"}"#, true),
            (
                Responses,
                None,
                r#"{"type":"error","code":"x","message":"m"}"#,
                true,
            ),
            (
                Responses,
                None,
                r#"{"type":"response.output_text.delta","delta":"error"}"#,
                false,
            ),
            (
                Responses,
                None,
                r#"{"type":"response.output_text.delta","delta":"\"response.completed\""}"#,
                false,
            ),
            (Responses, None, "not json \"error\"", false),
            (Messages, Some("message_stop"), "{}", true),
            (Messages, None, r#"{"type":"message_stop"}"#, true),
            (
                Messages,
                Some("error"),
                r#"{"type":"error","error":{}}"#,
                true,
            ),
            (
                Messages,
                Some("content_block_delta"),
                r#"{"type":"content_block_delta"}"#,
                false,
            ),
            (Messages, Some("ping"), r#"{"type":"ping"}"#, false),
            (Messages, None, r#"{"type":["message_stop"]}"#, false),
        ];
        for (protocol, name, data, expected) in cases {
            assert_eq!(
                end(*protocol, *name, data),
                *expected,
                "{protocol:?} {name:?} {data}"
            );
        }
    }

    #[test]
    fn api_errors() {
        use StreamProtocol::*;
        let check = |protocol: StreamProtocol, data: &str| {
            protocol
                .api_error(data)
                .map(|b| (b.code.to_string(), b.message))
        };
        let some = |code: &str, message: &str| Some((code.to_owned(), message.to_owned()));
        // Chat: a top-level error object, numeric or textual code.
        assert_eq!(
            check(Chat, r#"{"error":{"code":502,"message":"down"}}"#),
            some("502", "down")
        );
        assert_eq!(
            check(Chat, r#"{"error":{"code":"server_error","message":"m"}}"#),
            some("server_error", "m")
        );
        // Images: a provider error with a null code takes its type.
        assert_eq!(
            check(
                Chat,
                r#"{"type":"error","error":{"code":null,"message":"m","param":null,"type":"provider_error"}}"#
            ),
            some("provider_error", "m")
        );
        // Messages: the Anthropic error type is the code.
        assert_eq!(
            check(
                Messages,
                r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#
            ),
            some("overloaded_error", "Overloaded")
        );
        // Responses: `error` events and `response.failed`.
        assert_eq!(
            check(
                Responses,
                r#"{"type":"error","code":"rate_limit_exceeded","message":"slow down","param":null,"sequence_number":2}"#
            ),
            some("rate_limit_exceeded", "slow down")
        );
        assert_eq!(
            check(Responses, r#"{"type":"error","code":null,"message":"m"}"#),
            some("0", "m")
        );
        assert_eq!(
            check(
                Responses,
                r#"{"type":"response.failed","response":{"status":"failed","error":{"code":"server_error","message":"boom"}}}"#
            ),
            some("server_error", "boom")
        );
        assert_eq!(
            check(
                Responses,
                r#"{"type":"response.failed","response":{"status":"failed","error":null}}"#
            ),
            some("response.failed", "the response failed")
        );
        // Not errors.
        assert_eq!(
            check(Chat, r#"{"type":"error","code":"x","message":"m"}"#),
            None
        );
        assert_eq!(
            check(
                Responses,
                r#"{"type":"response.output_text.delta","delta":"error"}"#
            ),
            None
        );
        assert_eq!(check(Responses, r#"{"error":null}"#), None);
        assert_eq!(check(Messages, r#"{"error":"text"}"#), None);
        assert_eq!(check(Messages, "\"error\" but not JSON"), None);
    }

    #[test]
    fn error_bodies_keep_everything() {
        let body = StreamProtocol::Messages
            .api_error(
                r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded","error_type":"provider_overloaded","metadata":{"provider_name":"Anthropic"}}}"#,
            )
            .unwrap();
        assert_eq!(body.code, ErrorCode::Text("overloaded_error".into()));
        assert_eq!(
            body.extra.get("error_type"),
            Some(&Value::from("provider_overloaded"))
        );
        assert_eq!(
            body.extra.get("type"),
            Some(&Value::from("overloaded_error"))
        );
        assert_eq!(
            body.metadata.unwrap().get("provider_name"),
            Some(&Value::from("Anthropic"))
        );
    }
}
