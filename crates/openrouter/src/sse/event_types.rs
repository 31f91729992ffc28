//! [`StreamedEvent`] for the generated event types of the streaming operations: each one's
//! protocol and what counts as content.
//!
//! Kept apart from `protocol.rs` because it names generated types and their fields:
//! `cargo xtask drift` compiles this crate against the model of another spec snapshot without
//! this module (cfg `openrouter_drift`, see `sse/mod.rs`).

#[cfg(feature = "chat")]
use openrouter_types::generated::ChatStreamChunk;
#[cfg(feature = "images")]
use openrouter_types::generated::ImageStreamingResponseData;
#[cfg(feature = "responses")]
use openrouter_types::generated::StreamEvents;
#[cfg(feature = "anthropic_messages")]
use openrouter_types::generated::{MessagesContentBlockDeltaEventDelta, MessagesStreamEvents};

use super::protocol::{StreamProtocol, StreamedEvent};
use crate::telemetry::TraceSummary;

/// A chat chunk carries content when a choice has text, reasoning, a refusal, tool calls or
/// audio, or finishes, or when it brings usage or an error; the first chunk (a role and an
/// empty content) does not.
#[cfg(feature = "chat")]
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

    fn trace(&self, summary: &mut TraceSummary) {
        summary.set_ids(&self.id, &self.model);
        for choice in &self.choices {
            if let Some(text) = choice.delta.content.as_deref() {
                summary.push_text(text);
            }
            if let Some(reason) = &choice.finish_reason {
                summary.push_finish_reason(reason.as_str());
            }
        }
        if let Some(u) = &self.usage {
            summary.set_usage(
                Some(u.prompt_tokens),
                Some(u.completion_tokens),
                u.prompt_tokens_details
                    .as_ref()
                    .and_then(|d| d.cached_tokens),
                u.prompt_tokens_details
                    .as_ref()
                    .and_then(|d| d.cache_write_tokens),
                u.completion_tokens_details
                    .as_ref()
                    .and_then(|d| d.reasoning_tokens),
                u.cost,
            );
        }
    }
}

#[cfg(feature = "images")]
impl StreamedEvent for ImageStreamingResponseData {}

/// Every `/responses` event but `response.created` and `response.in_progress`.
#[cfg(feature = "responses")]
impl StreamedEvent for StreamEvents {
    const PROTOCOL: StreamProtocol = StreamProtocol::Responses;

    fn carries_content(&self) -> bool {
        !matches!(
            self,
            StreamEvents::ResponseCreated(_) | StreamEvents::ResponseInProgress(_)
        )
    }

    /// The final event carries the whole response (ids, status, usage, output). Read field by
    /// field: serializing the response (its output items, tools, ...) to read them would
    /// compile the whole Responses model's serializer into this crate.
    fn trace(&self, summary: &mut TraceSummary) {
        let response = match self {
            StreamEvents::ResponseCompleted(e) => &e.response,
            StreamEvents::ResponseIncomplete(e) => &e.response,
            StreamEvents::ResponseFailed(e) => &e.response,
            _ => return,
        };
        summary.set_ids(&response.id, &response.model);
        summary.push_finish_reason(response.status.as_str());
        if let Some(u) = &response.usage {
            summary.set_usage(
                Some(u.input_tokens),
                Some(u.output_tokens),
                Some(u.input_tokens_details.cached_tokens),
                u.input_tokens_details.cache_write_tokens,
                Some(u.output_tokens_details.reasoning_tokens),
                u.cost,
            );
        }
        if summary.wants_text() {
            summary.set_output_text(&response.text());
        }
    }
}

/// Every `/messages` event but `message_start` and `ping`.
#[cfg(feature = "anthropic_messages")]
impl StreamedEvent for MessagesStreamEvents {
    const PROTOCOL: StreamProtocol = StreamProtocol::Messages;

    fn carries_content(&self) -> bool {
        !matches!(
            self,
            MessagesStreamEvents::MessageStart(_) | MessagesStreamEvents::Ping(_)
        )
    }

    /// `message_start` has the ids and the input usage, `message_delta` the stop reason and
    /// the output usage, `content_block_delta` the text. Read field by field (serializing the
    /// events to read them would compile their serializers into this crate).
    fn trace(&self, summary: &mut TraceSummary) {
        match self {
            MessagesStreamEvents::MessageStart(e) => {
                let message = &e.message;
                summary.set_ids(&message.id, &message.model);
                if let Some(reason) = message.stop_reason.as_str() {
                    summary.push_finish_reason(reason);
                }
                let u = &message.usage;
                summary.set_usage(
                    Some(u.input_tokens),
                    Some(u.output_tokens),
                    u.cache_read_input_tokens,
                    u.cache_creation_input_tokens,
                    None,
                    extra_cost!(u),
                );
            }
            MessagesStreamEvents::MessageDelta(e) => {
                if let Some(reason) = &e.delta.stop_reason {
                    summary.push_finish_reason(reason.as_str());
                }
                let u = &e.usage;
                summary.set_usage(
                    u.input_tokens,
                    Some(u.output_tokens),
                    u.cache_read_input_tokens,
                    u.cache_creation_input_tokens,
                    None,
                    extra_cost!(u),
                );
            }
            MessagesStreamEvents::ContentBlockDelta(e) if summary.wants_text() => {
                if let MessagesContentBlockDeltaEventDelta::TextDelta(d) = &e.delta {
                    summary.push_text(&d.text);
                }
            }
            _ => {}
        }
    }
}

/// The `cost` OpenRouter adds to a `/messages` usage object: not a declared field, so it is in
/// the usage's `extra` (which a build with `openrouter_types_drop_unknown` does not have).
#[cfg(feature = "anthropic_messages")]
macro_rules! extra_cost {
    ($usage:expr) => {{
        #[cfg(openrouter_types_drop_unknown)]
        let cost: Option<f64> = None;
        #[cfg(not(openrouter_types_drop_unknown))]
        let cost = $usage.extra.get("cost").and_then(serde_json::Value::as_f64);
        cost
    }};
}
#[cfg(feature = "anthropic_messages")]
use extra_cost;
