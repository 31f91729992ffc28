//! Assembling a streamed `/messages` (Anthropic Messages) answer from its events.

use openrouter_types::error::ErrorBody;
use openrouter_types::generated::{
    MessagesBlockStartEventContentBlock, MessagesContentBlockDeltaEventDelta, MessagesStreamEvents,
    OrAnthropicStopReason,
};
use serde_json::Value;

use super::protocol::StreamProtocol;

/// Builds the final `/messages` answer from its streamed events.
///
/// Push every [`MessagesStreamEvents`] value as it arrives; read the result so far with
/// [`current`](Self::current) or take it with [`finish`](Self::finish). Content blocks are
/// kept in order of their `index`: text from `text_delta`, thinking from `thinking_delta` (and
/// its signature from `signature_delta`), and a `tool_use` block's input assembled from the
/// `partial_json` of its `input_json_delta`s and parsed at `content_block_stop`. The stop
/// reason comes from `message_delta`; the usage of `message_start` is updated by each
/// `message_delta` (whose counts are cumulative). An `error` event is kept. `ping` and events
/// of unknown types are counted and otherwise ignored.
///
/// # Examples
///
/// ```
/// use openrouter::sse::MessagesAccumulator;
/// use openrouter::types::messages::StreamEvent;
///
/// let events = [
///     r#"{"type":"content_block_start","index":0,"content_block":{"type":"tool_use",
///         "id":"toolu_1","name":"get_weather","input":{},"caller":{"type":"direct"}}}"#,
///     r#"{"type":"content_block_delta","index":0,
///         "delta":{"type":"input_json_delta","partial_json":"{\"city\": \"Pa"}}"#,
///     r#"{"type":"content_block_delta","index":0,
///         "delta":{"type":"input_json_delta","partial_json":"ris\"}"}}"#,
///     r#"{"type":"content_block_stop","index":0}"#,
/// ];
/// let mut acc = MessagesAccumulator::new();
/// for event in events {
///     acc.push(&serde_json::from_str::<StreamEvent>(event).unwrap());
/// }
/// let message = acc.finish();
/// let tool = message.tool_uses().next().unwrap();
/// assert_eq!(tool.name, "get_weather");
/// assert_eq!(tool.input, Some(serde_json::json!({"city": "Paris"})));
/// ```
#[derive(Clone, Debug, Default)]
pub struct MessagesAccumulator {
    message: AccumulatedMessage,
}

/// A `/messages` answer assembled from stream events.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct AccumulatedMessage {
    /// The message id.
    pub id: String,
    /// The model that answered.
    pub model: String,
    /// The content blocks, by increasing index.
    pub content: Vec<AccumulatedBlock>,
    /// Why the model stopped (`end_turn`, `max_tokens`, `tool_use`, ...), once known.
    pub stop_reason: Option<OrAnthropicStopReason>,
    /// The stop sequence that ended the generation, if one did.
    pub stop_sequence: Option<String>,
    /// Token counts: those of `message_start`, updated by every `message_delta`.
    pub usage: MessageUsage,
    /// The error of an `error` event: the Anthropic error type as the code, and the message.
    pub error: Option<ErrorBody>,
    /// Whether `message_stop` was pushed.
    pub stopped: bool,
    /// How many events were pushed.
    pub events: u64,
}

/// Token counts of an [`AccumulatedMessage`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct MessageUsage {
    /// Input tokens.
    pub input_tokens: i64,
    /// Output tokens (cumulative: the latest count sent).
    pub output_tokens: i64,
    /// Input tokens written to the prompt cache.
    pub cache_creation_input_tokens: Option<i64>,
    /// Input tokens read from the prompt cache.
    pub cache_read_input_tokens: Option<i64>,
}

/// One content block of an [`AccumulatedMessage`].
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct AccumulatedBlock {
    /// The block index.
    pub index: i64,
    /// The block's `type`: `text`, `tool_use`, `thinking`, `redacted_thinking`,
    /// `server_tool_use`, ... (empty when its `content_block_start` was not seen).
    pub block_type: String,
    /// The text of a `text` block.
    pub text: String,
    /// The thinking of a `thinking` block.
    pub thinking: String,
    /// The signature of a `thinking` block.
    pub signature: String,
    /// The id of a `tool_use` (or `server_tool_use`) block.
    pub id: String,
    /// The tool name of a `tool_use` (or `server_tool_use`) block.
    pub name: String,
    /// The concatenated `partial_json` of the block's `input_json_delta`s.
    pub partial_json: String,
    /// The tool input: parsed from [`partial_json`](Self::partial_json) at
    /// `content_block_stop` (or the input of `content_block_start` when no delta came); `None`
    /// when the pieces do not parse (see [`input_error`](Self::input_error)).
    pub input: Option<Value>,
    /// Why [`partial_json`](Self::partial_json) did not parse, if it did not (a cut stream).
    pub input_error: Option<String>,
    /// The block as `content_block_start` sent it (for kinds with no deltas, such as tool
    /// results).
    pub start: Option<MessagesBlockStartEventContentBlock>,
    /// Whether `content_block_stop` was seen.
    pub stopped: bool,
}

impl AccumulatedBlock {
    /// Whether this is a `tool_use` block.
    pub fn is_tool_use(&self) -> bool {
        self.block_type == "tool_use"
    }
}

impl AccumulatedMessage {
    /// The text of every `text` block, concatenated.
    pub fn text(&self) -> String {
        self.content.iter().map(|b| b.text.as_str()).collect()
    }

    /// The thinking of every `thinking` block, concatenated.
    pub fn thinking(&self) -> String {
        self.content.iter().map(|b| b.thinking.as_str()).collect()
    }

    /// The `tool_use` blocks, in order.
    pub fn tool_uses(&self) -> impl Iterator<Item = &AccumulatedBlock> {
        self.content.iter().filter(|b| b.is_tool_use())
    }

    /// The block with `index`.
    pub fn block(&self, index: i64) -> Option<&AccumulatedBlock> {
        self.content.iter().find(|b| b.index == index)
    }
}

impl MessagesAccumulator {
    /// An empty accumulator.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an event.
    pub fn push(&mut self, event: &MessagesStreamEvents) {
        let acc = &mut self.message;
        acc.events += 1;
        match event {
            MessagesStreamEvents::MessageStart(e) => {
                let m = &e.message;
                replace(&mut acc.id, &m.id);
                replace(&mut acc.model, &m.model);
                let u = &m.usage;
                acc.usage.input_tokens = u.input_tokens;
                acc.usage.output_tokens = u.output_tokens;
                acc.usage.cache_creation_input_tokens = u.cache_creation_input_tokens;
                acc.usage.cache_read_input_tokens = u.cache_read_input_tokens;
            }
            MessagesStreamEvents::MessageDelta(e) => {
                if let Some(reason) = &e.delta.stop_reason {
                    acc.stop_reason = Some(reason.clone());
                }
                if let Some(sequence) = &e.delta.stop_sequence {
                    acc.stop_sequence = Some(sequence.clone());
                }
                let u = &e.usage;
                acc.usage.output_tokens = u.output_tokens;
                if let Some(n) = u.input_tokens {
                    acc.usage.input_tokens = n;
                }
                if u.cache_creation_input_tokens.is_some() {
                    acc.usage.cache_creation_input_tokens = u.cache_creation_input_tokens;
                }
                if u.cache_read_input_tokens.is_some() {
                    acc.usage.cache_read_input_tokens = u.cache_read_input_tokens;
                }
            }
            MessagesStreamEvents::MessageStop(_) => acc.stopped = true,
            MessagesStreamEvents::ContentBlockStart(e) => {
                block_mut(&mut acc.content, e.index).start(&e.content_block);
            }
            MessagesStreamEvents::ContentBlockDelta(e) => {
                let block = block_mut(&mut acc.content, e.index);
                match &e.delta {
                    MessagesContentBlockDeltaEventDelta::TextDelta(d) => {
                        block.text.push_str(&d.text);
                    }
                    MessagesContentBlockDeltaEventDelta::InputJsonDelta(d) => {
                        block.partial_json.push_str(&d.partial_json);
                    }
                    MessagesContentBlockDeltaEventDelta::ThinkingDelta(d) => {
                        block.thinking.push_str(&d.thinking);
                    }
                    MessagesContentBlockDeltaEventDelta::SignatureDelta(d) => {
                        block.signature.push_str(&d.signature);
                    }
                    // Citations, compaction and unknown deltas are not assembled.
                    _ => {}
                }
            }
            MessagesStreamEvents::ContentBlockStop(e) => {
                block_mut(&mut acc.content, e.index).stop();
            }
            MessagesStreamEvents::Error(e) => {
                // The same error the stream reports as `StreamError::Api` (the event alone:
                // serializing the enum would compile every event's serializer for this).
                if let Ok(data) = serde_json::to_string(e) {
                    if let Some(body) = StreamProtocol::Messages.api_error(&data) {
                        acc.error = Some(body);
                    }
                }
            }
            // `ping` and event types this version does not know.
            _ => {}
        }
    }

    /// The message assembled so far.
    pub fn current(&self) -> &AccumulatedMessage {
        &self.message
    }

    /// The assembled message. Tool-use blocks whose `content_block_stop` never came (a cut
    /// stream) have their input parsed now, if it parses.
    pub fn finish(mut self) -> AccumulatedMessage {
        for block in &mut self.message.content {
            if !block.stopped && block.input_error.is_none() && !block.partial_json.is_empty() {
                block.parse_input();
            }
        }
        self.message
    }
}

impl AccumulatedBlock {
    fn start(&mut self, content: &MessagesBlockStartEventContentBlock) {
        use MessagesBlockStartEventContentBlock as Block;
        match content {
            Block::Text(b) => {
                replace(&mut self.block_type, "text");
                self.text.insert_str(0, &b.text);
            }
            Block::Thinking(b) => {
                replace(&mut self.block_type, "thinking");
                self.thinking.insert_str(0, &b.thinking);
                self.signature.insert_str(0, &b.signature);
            }
            Block::ToolUse(b) => {
                replace(&mut self.block_type, "tool_use");
                replace(&mut self.id, &b.id);
                replace(&mut self.name, &b.name);
                self.input = b.input.clone();
            }
            Block::ServerToolUse(b) => {
                replace(&mut self.block_type, b.r#type.as_str());
                replace(&mut self.id, &b.id);
                replace(&mut self.name, &b.name);
                self.input = b.input.clone();
            }
            other => {
                // Other kinds only need their type (read without serializing the block); a kind
                // this version does not know, its id, name and input too, as a server tool has.
                if let Some(kind) = other.tag() {
                    replace(&mut self.block_type, kind);
                }
                if let Block::Unknown(Value::Object(map)) = other {
                    if let Some(Value::String(id)) = map.get("id") {
                        replace(&mut self.id, id);
                    }
                    if let Some(Value::String(name)) = map.get("name") {
                        replace(&mut self.name, name);
                    }
                    if let Some(input) = map.get("input") {
                        self.input = Some(input.clone());
                    }
                }
            }
        }
        self.start = Some(content.clone());
    }

    fn stop(&mut self) {
        self.stopped = true;
        if !self.partial_json.is_empty() {
            self.parse_input();
        }
    }

    fn parse_input(&mut self) {
        match serde_json::from_str::<Value>(&self.partial_json) {
            Ok(input) => {
                self.input = Some(input);
                self.input_error = None;
            }
            Err(err) => {
                // Not the start's placeholder (`{}`): an input that did not arrive whole is
                // no input.
                self.input = None;
                self.input_error = Some(err.to_string());
            }
        }
    }
}

fn replace(target: &mut String, value: &str) {
    if target != value {
        target.clear();
        target.push_str(value);
    }
}

/// The block with `index`, inserted in order if new.
fn block_mut(blocks: &mut Vec<AccumulatedBlock>, index: i64) -> &mut AccumulatedBlock {
    let at = match blocks.binary_search_by_key(&index, |b| b.index) {
        Ok(at) => at,
        Err(at) => {
            blocks.insert(
                at,
                AccumulatedBlock {
                    index,
                    ..Default::default()
                },
            );
            at
        }
    };
    &mut blocks[at]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn push(acc: &mut MessagesAccumulator, event: Value) {
        acc.push(&serde_json::from_value::<MessagesStreamEvents>(event).unwrap());
    }

    #[test]
    fn an_error_event_is_kept() {
        let mut acc = MessagesAccumulator::new();
        push(
            &mut acc,
            json!({"type": "error", "error": {"type": "overloaded_error",
                    "message": "Overloaded"}}),
        );
        let error = acc.finish().error.expect("the error event's body");
        assert_eq!(error.message, "Overloaded");
        assert_eq!(error.code.to_string(), "overloaded_error");
    }

    #[test]
    fn odd_streams_do_not_break_the_accumulator() {
        let mut acc = MessagesAccumulator::new();
        // A delta before its block start, and deltas of kinds that are not assembled.
        push(
            &mut acc,
            json!({"type": "content_block_delta", "index": 1,
                   "delta": {"type": "text_delta", "text": "late start"}}),
        );
        push(
            &mut acc,
            json!({"type": "content_block_delta", "index": 1,
                   "delta": {"type": "future_delta", "x": 1}}),
        );
        push(&mut acc, json!({"type": "brand_new_event"}));
        // Tool input that is not valid JSON at its stop.
        push(
            &mut acc,
            json!({"type": "content_block_start", "index": 0,
                   "content_block": {"type": "tool_use", "id": "t", "name": "n",
                                     "input": {}, "caller": {"type": "direct"}}}),
        );
        push(
            &mut acc,
            json!({"type": "content_block_delta", "index": 0,
                   "delta": {"type": "input_json_delta", "partial_json": "{\"a\": tru"}}),
        );
        push(&mut acc, json!({"type": "content_block_stop", "index": 0}));
        // A tool block without deltas keeps the input it started with.
        push(
            &mut acc,
            json!({"type": "content_block_start", "index": 2,
                   "content_block": {"type": "tool_use", "id": "u", "name": "m",
                                     "input": {"k": 1}, "caller": {"type": "direct"}}}),
        );
        push(&mut acc, json!({"type": "content_block_stop", "index": 2}));
        let message = acc.finish();
        assert_eq!(message.events, 8);
        assert_eq!(message.content.len(), 3);
        assert_eq!(message.text(), "late start");
        let tools: Vec<_> = message.tool_uses().collect();
        assert_eq!(tools.len(), 2);
        assert_eq!(tools[0].input, None);
        assert!(tools[0].input_error.is_some());
        assert_eq!(tools[1].input, Some(json!({"k": 1})));
        assert!(!message.stopped);
    }

    #[test]
    fn blocks_of_other_kinds_keep_their_type_and_a_server_tool_its_call() {
        let mut acc = MessagesAccumulator::new();
        push(
            &mut acc,
            json!({"type": "content_block_start", "index": 0,
                   "content_block": {"type": "server_tool_use", "id": "srv_1",
                                     "name": "web_search", "input": {"query": "q"}}}),
        );
        push(
            &mut acc,
            json!({"type": "content_block_start", "index": 1,
                   "content_block": {"type": "web_search_tool_result", "tool_use_id": "srv_1",
                                     "caller": {"type": "direct"},
                                     "content": []}}),
        );
        push(
            &mut acc,
            json!({"type": "content_block_start", "index": 2,
                   "content_block": {"type": "future_tool_use", "id": "fu_1", "name": "f",
                                     "input": {"x": 1}}}),
        );
        let message = acc.finish();
        let kinds: Vec<&str> = message
            .content
            .iter()
            .map(|b| b.block_type.as_str())
            .collect();
        assert_eq!(
            kinds,
            [
                "server_tool_use",
                "web_search_tool_result",
                "future_tool_use"
            ]
        );
        let server = &message.content[0];
        assert_eq!(
            (server.id.as_str(), server.name.as_str()),
            ("srv_1", "web_search")
        );
        assert_eq!(server.input, Some(json!({"query": "q"})));
        assert_eq!(message.content[1].id, "");
        let future = &message.content[2];
        assert_eq!((future.id.as_str(), future.name.as_str()), ("fu_1", "f"));
        assert_eq!(future.input, Some(json!({"x": 1})));
    }
}
