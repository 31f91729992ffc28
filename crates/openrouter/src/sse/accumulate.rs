//! Assembling streamed chat chunks into the final message.

use openrouter_types::chat::{StreamChunk, Usage};
use openrouter_types::generated::{
    ChatAssistantMessage, ChatChoiceError, ChatFinishReasonEnum, ChatMessages, ChatStreamToolCall,
    ChatTokenLogprob, ChatToolCall, ChatToolCallFunction, ReasoningDetailUnion,
};

/// Builds the final chat completion from its streamed chunks.
///
/// Push every [`StreamChunk`] as it arrives; read the result so far with
/// [`current`](Self::current) or take it with [`finish`](Self::finish). Per choice (by its
/// `index`) it concatenates the content, reasoning and refusal deltas, collects the reasoning
/// details and the token log probabilities, assembles tool calls
/// from their deltas by tool-call `index` (the `id` and `name` come in the first delta of a
/// call, the `arguments` string in pieces), and keeps the finish reason. The usage is the last
/// one sent (OpenRouter sends it in the last chunk before `[DONE]`), and the id, model and
/// creation time are those of the latest chunk that has them.
///
/// # Examples
///
/// ```
/// use openrouter::sse::ChatAccumulator;
/// use openrouter::types::chat::StreamChunk;
///
/// let chunks = [
///     r#"{"id":"gen-1","object":"chat.completion.chunk","created":1,"model":"m",
///         "choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"}}]}"#,
///     r#"{"id":"gen-1","object":"chat.completion.chunk","created":1,"model":"m",
///         "choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}]}"#,
/// ];
/// let mut acc = ChatAccumulator::new();
/// for chunk in chunks {
///     acc.push(&serde_json::from_str::<StreamChunk>(chunk).unwrap());
/// }
/// let chat = acc.finish();
/// assert_eq!(chat.content(), "Hello");
/// assert_eq!(chat.finish_reason().map(|r| r.as_str()), Some("stop"));
/// ```
#[derive(Clone, Debug, Default)]
pub struct ChatAccumulator {
    chat: AccumulatedChat,
}

/// A chat completion assembled from stream chunks.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct AccumulatedChat {
    /// The generation id.
    pub id: String,
    /// The model that answered.
    pub model: String,
    /// Unix time of creation.
    pub created: i64,
    /// The system fingerprint, if sent.
    pub system_fingerprint: Option<String>,
    /// The choices, by increasing `index`.
    pub choices: Vec<AccumulatedChoice>,
    /// Token counts and cost, from the last chunk that carried them.
    pub usage: Option<Usage>,
    /// The mid-stream error, if a chunk carried one.
    pub error: Option<ChatChoiceError>,
    /// How many chunks were pushed.
    pub chunks: u64,
}

/// One choice of an [`AccumulatedChat`].
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct AccumulatedChoice {
    /// The choice index.
    pub index: i64,
    /// The concatenated content.
    pub content: String,
    /// The concatenated reasoning.
    pub reasoning: String,
    /// The concatenated refusal.
    pub refusal: String,
    /// The structured reasoning details, as sent, in order (a detail may arrive in several
    /// pieces with the same `index`; encrypted and summary details are kept as they are, to be
    /// sent back in a later turn).
    pub reasoning_details: Vec<ReasoningDetailUnion>,
    /// The log probabilities of the content tokens, when requested.
    pub logprobs: Vec<ChatTokenLogprob>,
    /// The log probabilities of the refusal tokens, when requested.
    pub refusal_logprobs: Vec<ChatTokenLogprob>,
    /// The tool calls, by increasing tool-call index.
    pub tool_calls: Vec<AccumulatedToolCall>,
    /// Why the generation stopped, once known.
    pub finish_reason: Option<ChatFinishReasonEnum>,
}

/// A tool call assembled from its deltas.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AccumulatedToolCall {
    /// The tool-call index within its choice.
    pub index: i64,
    /// The tool-call id (from the first delta that had one).
    pub id: String,
    /// The function name (from the first delta that had one).
    pub name: String,
    /// The concatenated arguments: a JSON document once the call is complete.
    pub arguments: String,
}

impl AccumulatedToolCall {
    /// Parses the arguments as JSON (an empty string is an empty object).
    ///
    /// # Errors
    ///
    /// Fails when the arguments are not valid JSON, for example when the stream was cut.
    pub fn parse_arguments<T: serde::de::DeserializeOwned>(&self) -> serde_json::Result<T> {
        if self.arguments.trim().is_empty() {
            serde_json::from_str("{}")
        } else {
            serde_json::from_str(&self.arguments)
        }
    }
}

impl AccumulatedChoice {
    /// This choice as the assistant turn of the next request: its content, its tool calls,
    /// and its reasoning details (which a reasoning model needs back to go on where it left
    /// off; its reasoning text when it sent no details).
    ///
    /// ```
    /// use openrouter::sse::ChatAccumulator;
    /// use openrouter::types::chat::StreamChunk;
    ///
    /// let mut acc = ChatAccumulator::new();
    /// let chunk: StreamChunk = serde_json::from_str(r#"{"id":"g","object":"chat.completion.chunk",
    ///     "created":1,"model":"m","choices":[{"index":0,"delta":{"content":"Hi"},
    ///     "finish_reason":"stop"}]}"#).unwrap();
    /// acc.push(&chunk);
    /// let message = acc.finish().to_message().unwrap();
    /// assert_eq!(
    ///     serde_json::to_value(&message).unwrap(),
    ///     serde_json::json!({"role": "assistant", "content": "Hi"})
    /// );
    /// ```
    pub fn to_message(&self) -> ChatMessages {
        let mut message = ChatAssistantMessage::default();
        if !self.content.is_empty() {
            message = message.content(self.content.clone());
        }
        if !self.refusal.is_empty() {
            message = message.refusal(self.refusal.clone());
        }
        if !self.tool_calls.is_empty() {
            let calls: Vec<ChatToolCall> = self
                .tool_calls
                .iter()
                .map(|call| {
                    let function =
                        ChatToolCallFunction::new(call.name.clone(), call.arguments.clone());
                    ChatToolCall::new(call.id.clone(), function)
                })
                .collect();
            message = message.tool_calls(calls);
        }
        if !self.reasoning_details.is_empty() {
            message = message.reasoning_details(self.reasoning_details.clone());
        } else if !self.reasoning.is_empty() {
            message = message.reasoning(self.reasoning.clone());
        }
        ChatMessages::Assistant(message)
    }
}

impl AccumulatedChat {
    /// The first choice as the assistant turn of the next request (see
    /// [`AccumulatedChoice::to_message`]); `None` when no choice arrived.
    pub fn to_message(&self) -> Option<ChatMessages> {
        self.first().map(AccumulatedChoice::to_message)
    }

    /// The choice with `index`.
    pub fn choice(&self, index: i64) -> Option<&AccumulatedChoice> {
        self.choices.iter().find(|c| c.index == index)
    }

    fn first(&self) -> Option<&AccumulatedChoice> {
        self.choices.first()
    }

    /// The content of the first choice (empty when there is none).
    pub fn content(&self) -> &str {
        self.first().map_or("", |c| &c.content)
    }

    /// The reasoning of the first choice (empty when there is none).
    pub fn reasoning(&self) -> &str {
        self.first().map_or("", |c| &c.reasoning)
    }

    /// The tool calls of the first choice.
    pub fn tool_calls(&self) -> &[AccumulatedToolCall] {
        self.first().map_or(&[], |c| &c.tool_calls)
    }

    /// The finish reason of the first choice.
    pub fn finish_reason(&self) -> Option<&ChatFinishReasonEnum> {
        self.first()?.finish_reason.as_ref()
    }
}

impl ChatAccumulator {
    /// An empty accumulator.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a chunk.
    pub fn push(&mut self, chunk: &StreamChunk) {
        let chat = &mut self.chat;
        chat.chunks += 1;
        if !chunk.id.is_empty() {
            replace(&mut chat.id, &chunk.id);
        }
        if !chunk.model.is_empty() {
            replace(&mut chat.model, &chunk.model);
        }
        if chunk.created != 0 {
            chat.created = chunk.created;
        }
        if let Some(fingerprint) = &chunk.system_fingerprint {
            chat.system_fingerprint = Some(fingerprint.clone());
        }
        if let Some(usage) = &chunk.usage {
            chat.usage = Some(usage.as_ref().clone());
        }
        if let Some(error) = &chunk.error {
            chat.error = Some(error.as_ref().clone());
        }
        for delta_choice in &chunk.choices {
            let choice = choice_mut(&mut chat.choices, delta_choice.index);
            let delta = &delta_choice.delta;
            if let Some(content) = &delta.content {
                choice.content.push_str(content);
            }
            if let Some(reasoning) = &delta.reasoning {
                choice.reasoning.push_str(reasoning);
            }
            if let Some(refusal) = &delta.refusal {
                choice.refusal.push_str(refusal);
            }
            if let Some(details) = &delta.reasoning_details {
                choice.reasoning_details.extend(details.iter().cloned());
            }
            if let Some(logprobs) = &delta_choice.logprobs {
                choice
                    .logprobs
                    .extend(logprobs.content.iter().flatten().cloned());
                choice
                    .refusal_logprobs
                    .extend(logprobs.refusal.iter().flatten().cloned());
            }
            for call in delta.tool_calls.iter().flatten() {
                push_tool_call(&mut choice.tool_calls, call);
            }
            if let Some(reason) = &delta_choice.finish_reason {
                choice.finish_reason = Some(reason.clone());
            }
        }
    }

    /// The completion assembled so far.
    pub fn current(&self) -> &AccumulatedChat {
        &self.chat
    }

    /// The assembled completion.
    pub fn finish(self) -> AccumulatedChat {
        self.chat
    }
}

fn replace(target: &mut String, value: &str) {
    if target != value {
        target.clear();
        target.push_str(value);
    }
}

/// The choice with `index`, inserted in order if new.
fn choice_mut(choices: &mut Vec<AccumulatedChoice>, index: i64) -> &mut AccumulatedChoice {
    let at = match choices.binary_search_by_key(&index, |c| c.index) {
        Ok(at) => at,
        Err(at) => {
            choices.insert(
                at,
                AccumulatedChoice {
                    index,
                    ..Default::default()
                },
            );
            at
        }
    };
    &mut choices[at]
}

fn push_tool_call(calls: &mut Vec<AccumulatedToolCall>, delta: &ChatStreamToolCall) {
    let at = match calls.binary_search_by_key(&delta.index, |c| c.index) {
        Ok(at) => at,
        Err(at) => {
            calls.insert(
                at,
                AccumulatedToolCall {
                    index: delta.index,
                    ..Default::default()
                },
            );
            at
        }
    };
    let call = &mut calls[at];
    if let Some(id) = delta.id.as_deref().filter(|id| !id.is_empty()) {
        if call.id.is_empty() {
            call.id.push_str(id);
        }
    }
    if let Some(function) = &delta.function {
        if let Some(name) = function.name.as_deref().filter(|n| !n.is_empty()) {
            // Some providers repeat the name in every delta; it is not streamed in pieces.
            if call.name.is_empty() {
                call.name.push_str(name);
            }
        }
        if let Some(arguments) = &function.arguments {
            call.arguments.push_str(arguments);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn chunk(choices: serde_json::Value) -> StreamChunk {
        serde_json::from_value(json!({
            "id": "gen-1", "object": "chat.completion.chunk", "created": 1700000000,
            "model": "openai/gpt-4o", "choices": choices,
        }))
        .unwrap()
    }

    /// A streamed tool call and reasoning details become the next turn's assistant message,
    /// with the name and arguments in their places.
    #[test]
    fn the_answer_becomes_the_next_assistant_message() {
        let mut acc = ChatAccumulator::new();
        acc.push(&chunk(
            json!([{"index": 0, "delta": {"role": "assistant", "content": "",
            "reasoning_details": [{"type": "reasoning.text", "text": "think", "index": 0}],
            "tool_calls": [{"index": 0, "id": "call_1", "type": "function",
                "function": {"name": "get_weather", "arguments": "{\"ci"}}]},
            "finish_reason": null}]),
        ));
        acc.push(&chunk(
            json!([{"index": 0, "delta": {"tool_calls": [{"index": 0,
                "function": {"arguments": "ty\":\"Paris\"}"}}]},
            "finish_reason": "tool_calls"}]),
        ));
        let message = serde_json::to_value(acc.finish().to_message().unwrap()).unwrap();
        assert_eq!(message["role"], "assistant");
        assert!(message.get("content").is_none(), "{message}");
        assert_eq!(message["tool_calls"][0]["id"], "call_1");
        assert_eq!(message["tool_calls"][0]["type"], "function");
        assert_eq!(message["tool_calls"][0]["function"]["name"], "get_weather");
        assert_eq!(
            message["tool_calls"][0]["function"]["arguments"],
            "{\"city\":\"Paris\"}"
        );
        assert_eq!(message["reasoning_details"][0]["text"], "think");
    }

    #[test]
    fn content_and_reasoning_are_concatenated() {
        let mut acc = ChatAccumulator::new();
        acc.push(&chunk(
            json!([{"index":0,"delta":{"role":"assistant","content":"","reasoning":"Think"}}]),
        ));
        acc.push(&chunk(json!([{"index":0,"delta":{"reasoning":"ing."}}])));
        acc.push(&chunk(json!([{"index":0,"delta":{"content":"Hel"}}])));
        acc.push(&chunk(
            json!([{"index":0,"delta":{"content":"lo"},"finish_reason":null}]),
        ));
        acc.push(&chunk(
            json!([{"index":0,"delta":{},"finish_reason":"stop"}]),
        ));
        let chat = acc.finish();
        assert_eq!(chat.content(), "Hello");
        assert_eq!(chat.reasoning(), "Thinking.");
        assert_eq!(chat.finish_reason(), Some(&ChatFinishReasonEnum::Stop));
        assert_eq!(chat.id, "gen-1");
        assert_eq!(chat.model, "openai/gpt-4o");
        assert_eq!(chat.created, 1700000000);
        assert_eq!(chat.chunks, 5);
    }

    #[test]
    fn tool_calls_are_assembled_by_index() {
        let mut acc = ChatAccumulator::new();
        acc.push(&chunk(json!([{"index":0,"delta":{"tool_calls":[
            {"index":0,"id":"call_a","type":"function","function":{"name":"get_weather","arguments":""}}]}}])));
        acc.push(&chunk(json!([{"index":0,"delta":{"tool_calls":[
            {"index":0,"function":{"arguments":"{\"city\":"}}]}}])));
        // A second call starts while the first is unfinished (interleaved).
        acc.push(&chunk(json!([{"index":0,"delta":{"tool_calls":[
            {"index":1,"id":"call_b","type":"function","function":{"name":"get_time","arguments":"{}"}},
            {"index":0,"function":{"arguments":"\"Paris\"}"}}]}}])));
        acc.push(&chunk(json!([{"index":0,"delta":{"tool_calls":[
            {"index":0,"id":"call_a","function":{"name":"get_weather"}}]},"finish_reason":"tool_calls"}])));
        let chat = acc.finish();
        let calls = chat.tool_calls();
        assert_eq!(calls.len(), 2);
        assert_eq!(
            (
                calls[0].id.as_str(),
                calls[0].name.as_str(),
                calls[0].arguments.as_str()
            ),
            ("call_a", "get_weather", r#"{"city":"Paris"}"#)
        );
        assert_eq!(
            calls[0].parse_arguments::<serde_json::Value>().unwrap(),
            json!({"city":"Paris"})
        );
        assert_eq!(
            (calls[1].id.as_str(), calls[1].name.as_str()),
            ("call_b", "get_time")
        );
        assert_eq!(chat.finish_reason(), Some(&ChatFinishReasonEnum::ToolCalls));
    }

    #[test]
    fn usage_comes_from_the_last_chunk_and_choices_are_separate() {
        let mut acc = ChatAccumulator::new();
        acc.push(&chunk(json!([
            {"index":1,"delta":{"content":"B"}},
            {"index":0,"delta":{"content":"A"}}
        ])));
        acc.push(&chunk(json!([
            {"index":0,"delta":{},"finish_reason":"length"},
            {"index":1,"delta":{"content":"b"},"finish_reason":"stop"}
        ])));
        let mut last: StreamChunk = chunk(json!([]));
        last.usage = Some(
            serde_json::from_value(
                json!({"prompt_tokens":3,"completion_tokens":4,"total_tokens":7,"cost":0.5}),
            )
            .unwrap(),
        );
        acc.push(&last);
        assert_eq!(acc.current().chunks, 3);
        let chat = acc.finish();
        assert_eq!(chat.choices.len(), 2);
        assert_eq!(chat.choice(0).unwrap().content, "A");
        assert_eq!(chat.choice(1).unwrap().content, "Bb");
        assert_eq!(
            chat.choice(0).unwrap().finish_reason,
            Some(ChatFinishReasonEnum::Length)
        );
        let usage = chat.usage.unwrap();
        assert_eq!((usage.total_tokens, usage.cost), (7, Some(0.5)));
    }

    #[test]
    fn error_chunk_is_kept() {
        let mut acc = ChatAccumulator::new();
        acc.push(&chunk(json!([{"index":0,"delta":{"content":"partial"}}])));
        let err: StreamChunk = serde_json::from_value(json!({
            "id": "gen-1", "object": "chat.completion.chunk", "created": 1700000000,
            "model": "openai/gpt-4o",
            "error": {"code": "server_error", "message": "Provider disconnected"},
            "choices": [{"index":0,"delta":{"content":""},"finish_reason":"error"}]
        }))
        .unwrap();
        acc.push(&err);
        let chat = acc.finish();
        assert_eq!(chat.content(), "partial");
        assert_eq!(chat.finish_reason(), Some(&ChatFinishReasonEnum::Error));
        assert_eq!(chat.error.unwrap().message, "Provider disconnected");
    }

    #[test]
    fn reasoning_details_and_logprobs_are_collected() {
        let mut acc = ChatAccumulator::new();
        acc.push(&chunk(json!([{"index":0,"delta":{"reasoning_details":[
            {"type":"reasoning.text","text":"Let me ","index":0}]},
            "logprobs":{"content":[{"token":"A","logprob":-0.5,"top_logprobs":[]}]}}])));
        acc.push(&chunk(json!([{"index":0,"delta":{"reasoning_details":[
            {"type":"reasoning.text","text":"think.","index":0},
            {"type":"reasoning.encrypted","data":"opaque","index":1}]},
            "logprobs":{"content":[{"token":"B","logprob":-1.0,"top_logprobs":[]}],"refusal":null}}])));
        let chat = acc.finish();
        let choice = chat.choice(0).unwrap();
        assert_eq!(choice.reasoning_details.len(), 3);
        assert!(matches!(
            choice.reasoning_details[2],
            ReasoningDetailUnion::ReasoningEncrypted(_)
        ));
        let tokens: Vec<_> = choice.logprobs.iter().map(|l| l.token.as_str()).collect();
        assert_eq!(tokens, ["A", "B"]);
        assert!(choice.refusal_logprobs.is_empty());
    }

    #[test]
    fn empty_arguments_parse_as_an_empty_object() {
        let call = AccumulatedToolCall::default();
        assert_eq!(
            call.parse_arguments::<serde_json::Value>().unwrap(),
            json!({})
        );
    }
}
