//! [`StreamedEvent`] for the generated event types of the streaming operations: each one's
//! protocol and what counts as content.
//!
//! Kept apart from `protocol.rs` because it names generated types and their fields:
//! `cargo xtask drift` compiles this crate against the model of another spec snapshot without
//! this module (cfg `openrouter_drift`, see `sse/mod.rs`).

use openrouter_types::generated::{
    ChatStreamChunk, ImageStreamingResponseData, MessagesStreamEvents, StreamEvents,
};

use super::protocol::{StreamProtocol, StreamedEvent};

/// A chat chunk carries content when a choice has text, reasoning, a refusal, tool calls or
/// audio, or finishes, or when it brings usage or an error; the first chunk (a role and an
/// empty content) does not.
impl StreamedEvent for ChatStreamChunk {
    fn carries_content(&self) -> bool {
        let nonempty = |s: &Option<String>| s.as_deref().is_some_and(|s| !s.is_empty());
        self.error.is_some()
            || self.usage.is_some()
            || self.choices.iter().any(|c| {
                let d = &c.delta;
                c.finish_reason.is_some()
                    || nonempty(&d.content)
                    || nonempty(&d.reasoning)
                    || nonempty(&d.refusal)
                    || d.tool_calls.as_ref().is_some_and(|t| !t.is_empty())
                    || d.reasoning_details.is_some()
                    || d.audio.is_some()
            })
    }
}

impl StreamedEvent for ImageStreamingResponseData {}

/// Every `/responses` event but `response.created` and `response.in_progress`.
impl StreamedEvent for StreamEvents {
    const PROTOCOL: StreamProtocol = StreamProtocol::Responses;

    fn carries_content(&self) -> bool {
        !matches!(
            self,
            StreamEvents::ResponseCreated(_) | StreamEvents::ResponseInProgress(_)
        )
    }
}

/// Every `/messages` event but `message_start` and `ping`.
impl StreamedEvent for MessagesStreamEvents {
    const PROTOCOL: StreamProtocol = StreamProtocol::Messages;

    fn carries_content(&self) -> bool {
        !matches!(
            self,
            MessagesStreamEvents::MessageStart(_) | MessagesStreamEvents::Ping(_)
        )
    }
}
