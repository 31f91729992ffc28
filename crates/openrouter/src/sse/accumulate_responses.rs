//! Assembling a streamed `/responses` answer from its events.

use openrouter_types::error::ErrorBody;
use openrouter_types::generated::{
    OpenAiResponsesResponseStatus, OpenResponsesResult, OutputItems, StreamEvents, Usage,
};

use super::protocol::StreamProtocol;

/// Builds the final `/responses` answer from its streamed events.
///
/// Push every [`StreamEvents`] value as it arrives; read the result so far with
/// [`current`](Self::current) or take it with [`finish`](Self::finish). Per output item (by
/// its `output_index`) it concatenates the output text (`response.output_text.delta`), refusal,
/// reasoning and reasoning-summary deltas, and assembles function calls: the call id and name
/// come with `response.output_item.added`, the arguments from
/// `response.function_call_arguments.delta` (replaced by the complete string of
/// `response.function_call_arguments.done` or `response.output_item.done` when they come).
///
/// The response object of `response.completed`, `response.incomplete` or `response.failed`
/// (the final one, with every output item) is kept in
/// [`AccumulatedResponse::response`], and its usage and status are copied out. An `error`
/// event or a failed response's error is kept in [`AccumulatedResponse::error`]. Events of
/// other types (web search progress, new event types) are counted and otherwise ignored.
///
/// # Examples
///
/// ```
/// use openrouter::sse::ResponsesAccumulator;
/// use openrouter::types::responses::StreamEvent;
///
/// let events = [
///     r#"{"type":"response.output_item.added","output_index":0,"sequence_number":1,
///         "item":{"type":"message","id":"msg_1","role":"assistant","status":"in_progress","content":[]}}"#,
///     r#"{"type":"response.output_text.delta","output_index":0,"content_index":0,
///         "item_id":"msg_1","delta":"Hel","logprobs":[],"sequence_number":2}"#,
///     r#"{"type":"response.output_text.delta","output_index":0,"content_index":0,
///         "item_id":"msg_1","delta":"lo","logprobs":[],"sequence_number":3}"#,
/// ];
/// let mut acc = ResponsesAccumulator::new();
/// for event in events {
///     acc.push(&serde_json::from_str::<StreamEvent>(event).unwrap());
/// }
/// assert_eq!(acc.finish().text(), "Hello");
/// ```
#[derive(Clone, Debug, Default)]
pub struct ResponsesAccumulator {
    response: AccumulatedResponse,
}

/// A `/responses` answer assembled from stream events.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct AccumulatedResponse {
    /// The response id (from the first event that carries the response object).
    pub id: String,
    /// The model that answered.
    pub model: String,
    /// The latest status: `in_progress`, then `completed`, `incomplete` or `failed`.
    pub status: Option<OpenAiResponsesResponseStatus>,
    /// The output items, by increasing output index.
    pub items: Vec<AccumulatedOutputItem>,
    /// Token counts and cost, from the latest response object that carried them (the final
    /// one).
    pub usage: Option<Usage>,
    /// The final response object, from `response.completed`, `response.incomplete` or
    /// `response.failed`.
    pub response: Option<Box<OpenResponsesResult>>,
    /// The error of an `error` event or of a failed response.
    pub error: Option<ErrorBody>,
    /// Whether an event that ends the stream (completed, incomplete, failed, error) was pushed.
    pub done: bool,
    /// How many events were pushed.
    pub events: u64,
}

/// One output item of an [`AccumulatedResponse`]: a message, reasoning, a function call, or
/// another kind (such as `web_search_call`).
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct AccumulatedOutputItem {
    /// The output index.
    pub output_index: i64,
    /// The item id.
    pub id: String,
    /// The item's `type`, such as `message`, `reasoning` or `function_call` (empty when the
    /// item was never announced).
    pub item_type: String,
    /// The concatenated output text of every content part.
    pub text: String,
    /// The concatenated refusal.
    pub refusal: String,
    /// The concatenated reasoning text.
    pub reasoning: String,
    /// The concatenated reasoning summary (parts separated by a blank line).
    pub reasoning_summary: String,
    /// The function call id (`call_id`), for a function call.
    pub call_id: String,
    /// The function name, for a function call.
    pub name: String,
    /// The function arguments: a JSON document once the call is complete.
    pub arguments: String,
    /// The item as sent by `response.output_item.done`.
    pub item: Option<OutputItems>,
    summary_index: Option<i64>,
}

impl AccumulatedOutputItem {
    /// Whether this item is a function call.
    pub fn is_function_call(&self) -> bool {
        self.item_type == "function_call"
    }

    /// Parses the function arguments as JSON (an empty string is an empty object).
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

impl AccumulatedResponse {
    /// The output text of every item, concatenated.
    pub fn text(&self) -> String {
        self.items.iter().map(|i| i.text.as_str()).collect()
    }

    /// The reasoning text of every item, concatenated.
    pub fn reasoning(&self) -> String {
        self.items.iter().map(|i| i.reasoning.as_str()).collect()
    }

    /// The function calls, in output order.
    pub fn function_calls(&self) -> impl Iterator<Item = &AccumulatedOutputItem> {
        self.items.iter().filter(|i| i.is_function_call())
    }

    /// The output item with `output_index`.
    pub fn item(&self, output_index: i64) -> Option<&AccumulatedOutputItem> {
        self.items.iter().find(|i| i.output_index == output_index)
    }
}

impl ResponsesAccumulator {
    /// An empty accumulator.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an event.
    pub fn push(&mut self, event: &StreamEvents) {
        let acc = &mut self.response;
        acc.events += 1;
        match event {
            StreamEvents::ResponseCreated(e) => acc.set_response(&e.response, false),
            StreamEvents::ResponseInProgress(e) => acc.set_response(&e.response, false),
            StreamEvents::ResponseCompleted(e) => acc.set_response(&e.response, true),
            StreamEvents::ResponseIncomplete(e) => acc.set_response(&e.response, true),
            StreamEvents::ResponseFailed(e) => {
                acc.set_response(&e.response, true);
                // What the error probe reads of a failure: its type and the response's error
                // (not the whole response, whose serializer would be compiled for this).
                let error = e
                    .response
                    .error
                    .as_ref()
                    .and_then(|error| serde_json::to_value(error).ok());
                acc.set_error(&serde_json::json!({
                    "type": "response.failed",
                    "response": {"error": error},
                }));
            }
            StreamEvents::Error(e) => {
                acc.set_error(e);
                acc.done = true;
            }
            StreamEvents::ResponseOutputItemAdded(e) => {
                item_mut(&mut acc.items, e.output_index).announce(&e.item, false);
            }
            StreamEvents::ResponseOutputItemDone(e) => {
                let item = item_mut(&mut acc.items, e.output_index);
                item.announce(&e.item, true);
                item.item = Some(e.item.clone());
            }
            StreamEvents::ResponseOutputTextDelta(e) => {
                let item = item_mut(&mut acc.items, e.output_index);
                item.set_id(&e.item_id);
                item.text.push_str(&e.delta);
            }
            StreamEvents::ResponseRefusalDelta(e) => {
                let item = item_mut(&mut acc.items, e.output_index);
                item.set_id(&e.item_id);
                item.refusal.push_str(&e.delta);
            }
            StreamEvents::ResponseReasoningTextDelta(e) => {
                let item = item_mut(&mut acc.items, e.output_index);
                item.set_id(&e.item_id);
                item.reasoning.push_str(&e.delta);
            }
            StreamEvents::ResponseReasoningSummaryTextDelta(e) => {
                let item = item_mut(&mut acc.items, e.output_index);
                item.set_id(&e.item_id);
                if item.summary_index.is_some_and(|i| i != e.summary_index) {
                    item.reasoning_summary.push_str("\n\n");
                }
                item.summary_index = Some(e.summary_index);
                item.reasoning_summary.push_str(&e.delta);
            }
            StreamEvents::ResponseFunctionCallArgumentsDelta(e) => {
                let item = item_mut(&mut acc.items, e.output_index);
                item.set_id(&e.item_id);
                if item.item_type.is_empty() {
                    item.item_type.push_str("function_call");
                }
                item.arguments.push_str(&e.delta);
            }
            StreamEvents::ResponseFunctionCallArgumentsDone(e) => {
                let item = item_mut(&mut acc.items, e.output_index);
                item.set_id(&e.item_id);
                if item.item_type.is_empty() {
                    item.item_type.push_str("function_call");
                }
                if item.name.is_empty() {
                    item.name.push_str(&e.name);
                }
                // The complete string: it repairs a delta lost to a decode error.
                replace(&mut item.arguments, &e.arguments);
            }
            // Every other event (progress of server tools, annotations, part boundaries, and
            // event types this version does not know) carries nothing assembled here.
            _ => {}
        }
    }

    /// The response assembled so far.
    pub fn current(&self) -> &AccumulatedResponse {
        &self.response
    }

    /// The assembled response.
    pub fn finish(self) -> AccumulatedResponse {
        self.response
    }
}

impl AccumulatedResponse {
    /// Keeps the error of a failing event: the same [`ErrorBody`] that the stream reports as
    /// `StreamError::Api`.
    fn set_error<E: serde::Serialize>(&mut self, event: &E) {
        if let Ok(data) = serde_json::to_string(event) {
            if let Some(body) = StreamProtocol::Responses.api_error(&data) {
                self.error = Some(body);
            }
        }
    }

    fn set_response(&mut self, response: &OpenResponsesResult, last: bool) {
        if !response.id.is_empty() {
            replace(&mut self.id, &response.id);
        }
        if !response.model.is_empty() {
            replace(&mut self.model, &response.model);
        }
        self.status = Some(response.status.clone());
        if let Some(usage) = &response.usage {
            self.usage = Some(usage.as_ref().clone());
        }
        if last {
            self.done = true;
            // Items the stream never announced (or whose events did not decode) are taken
            // from the final output.
            for (index, output) in response.output.iter().enumerate() {
                let index = i64::try_from(index).unwrap_or(i64::MAX);
                let item = item_mut(&mut self.items, index);
                if item.item.is_none() {
                    item.announce(output, true);
                    item.item = Some(output.clone());
                }
            }
            self.response = Some(Box::new(response.clone()));
        }
    }
}

impl AccumulatedOutputItem {
    fn set_id(&mut self, id: &str) {
        if self.id.is_empty() {
            self.id.push_str(id);
        }
    }

    /// Takes the id, type and function-call fields of `item`. With `complete`, the item's
    /// arguments replace the streamed ones.
    fn announce(&mut self, item: &OutputItems, complete: bool) {
        match item {
            OutputItems::FunctionCall(call) => {
                replace(&mut self.item_type, "function_call");
                if let Some(id) = &call.id {
                    self.set_id(id);
                }
                if self.call_id.is_empty() {
                    self.call_id.push_str(&call.call_id);
                }
                if self.name.is_empty() {
                    self.name.push_str(&call.name);
                }
                if complete || self.arguments.is_empty() {
                    replace(&mut self.arguments, &call.arguments);
                }
            }
            OutputItems::Message(message) => {
                replace(&mut self.item_type, "message");
                self.set_id(&message.id);
            }
            OutputItems::Reasoning(reasoning) => {
                replace(&mut self.item_type, "reasoning");
                self.set_id(&reasoning.id);
            }
            other => {
                // The many other kinds only need their id and type, which every item has.
                if let Some(kind) = other.tag() {
                    replace(&mut self.item_type, kind);
                }
                if let Some(id) = other.id() {
                    self.set_id(id);
                }
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

/// The item with `output_index`, inserted in order if new.
fn item_mut(items: &mut Vec<AccumulatedOutputItem>, index: i64) -> &mut AccumulatedOutputItem {
    let at = match items.binary_search_by_key(&index, |i| i.output_index) {
        Ok(at) => at,
        Err(at) => {
            items.insert(
                at,
                AccumulatedOutputItem {
                    output_index: index,
                    ..Default::default()
                },
            );
            at
        }
    };
    &mut items[at]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn push(acc: &mut ResponsesAccumulator, event: Value) {
        acc.push(&serde_json::from_value::<StreamEvents>(event).unwrap());
    }

    #[test]
    fn deltas_without_announcements_and_repairs_by_done_events() {
        let mut acc = ResponsesAccumulator::new();
        // Deltas for items that were never announced still land in their item.
        push(
            &mut acc,
            json!({"type": "response.function_call_arguments.delta", "output_index": 1,
                   "item_id": "fc_1", "delta": "{\"a\":", "sequence_number": 1}),
        );
        push(
            &mut acc,
            json!({"type": "response.reasoning_summary_text.delta", "output_index": 0,
                   "item_id": "rs_1", "summary_index": 0, "delta": "First.",
                   "sequence_number": 2}),
        );
        push(
            &mut acc,
            json!({"type": "response.reasoning_summary_text.delta", "output_index": 0,
                   "item_id": "rs_1", "summary_index": 1, "delta": "Second.",
                   "sequence_number": 3}),
        );
        // A lost delta is repaired by the complete item.
        push(
            &mut acc,
            json!({"type": "response.output_item.done", "output_index": 1, "sequence_number": 4,
                   "item": {"type": "function_call", "id": "fc_1", "call_id": "call_1",
                            "name": "f", "arguments": "{\"a\":1}", "status": "completed"}}),
        );
        // An event type this version does not know, and a web search item.
        push(
            &mut acc,
            json!({"type": "response.something_new", "sequence_number": 5}),
        );
        push(
            &mut acc,
            json!({"type": "response.output_item.added", "output_index": 2, "sequence_number": 6,
                   "item": {"type": "web_search_call", "id": "ws_1", "status": "in_progress"}}),
        );
        // An item of a kind this version does not know keeps its type and id too.
        push(
            &mut acc,
            json!({"type": "response.output_item.added", "output_index": 3, "sequence_number": 7,
                   "item": {"type": "future_call", "id": "fu_1"}}),
        );
        let response = acc.finish();
        assert_eq!(response.events, 7);
        assert_eq!(response.items.len(), 4);
        assert_eq!(response.items[2].item_type, "web_search_call");
        assert_eq!(response.items[3].item_type, "future_call");
        assert_eq!(response.items[3].id, "fu_1");
        assert_eq!(response.items[0].id, "rs_1");
        assert_eq!(response.items[0].reasoning_summary, "First.\n\nSecond.");
        let call = response.function_calls().next().unwrap();
        assert_eq!((call.call_id.as_str(), call.name.as_str()), ("call_1", "f"));
        assert_eq!(call.parse_arguments::<Value>().unwrap(), json!({"a": 1}));
        assert!(call.item.is_some());
        assert_eq!(response.items[2].id, "ws_1");
        assert!(!response.done);
    }

    #[test]
    fn an_error_event_is_kept() {
        let mut acc = ResponsesAccumulator::new();
        push(
            &mut acc,
            json!({"type": "error", "code": "server_error", "message": "boom", "param": null,
                   "sequence_number": 1}),
        );
        let response = acc.finish();
        assert!(response.done);
        let error = response.error.unwrap();
        assert_eq!(error.code.to_string(), "server_error");
        assert_eq!(error.message, "boom");
    }
}
