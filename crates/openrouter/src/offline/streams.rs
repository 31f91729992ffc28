//! The offline transport's hand-written answers for the three generation protocols: chat
//! completions, responses and Anthropic messages, whole and streamed, in the shapes the API
//! sends (keep-alive comments, each protocol's events and its end).

use std::collections::VecDeque;
use std::time::Duration;

use bytes::Bytes;
use http::{Response, StatusCode};
use openrouter_transport::ResponseBody;
use serde_json::{json, Value};

use super::{event_stream, json};

/// The answer's text, in the pieces a stream sends it in.
const REPLY: &[&str] = &[
    "Offline ",
    "mode: ",
    "this ",
    "answer ",
    "comes ",
    "from ",
    "the ",
    "SDK's ",
    "canned ",
    "transport.",
];

const MODEL: &str = "openrouter/offline";
const GENERATION: &str = "gen-offline-1";
const PROCESSING: &str = ": OPENROUTER PROCESSING\n\n";
const PROMPT_TOKENS: usize = 12;

fn with_generation_id(mut r: Response<ResponseBody>) -> Response<ResponseBody> {
    r.headers_mut().insert(
        "x-generation-id",
        http::HeaderValue::from_static(GENERATION),
    );
    r
}

fn data(v: Value) -> Bytes {
    Bytes::from(format!("data: {v}\n\n"))
}

fn named(name: &str, v: Value) -> Bytes {
    Bytes::from(format!("event: {name}\ndata: {v}\n\n"))
}

// ---------------------------------------------------------------------------------------------
// Chat completions

fn chat_usage() -> Value {
    json!({"prompt_tokens": PROMPT_TOKENS, "completion_tokens": REPLY.len(),
           "total_tokens": PROMPT_TOKENS + REPLY.len()})
}

/// A call of the request's first function tool (server tools are OpenRouter's to run), when
/// it offers one and its last message is not a tool result; its arguments fill the tool's
/// required string parameters with `"example"`.
fn tool_call(request: &Value) -> Option<Value> {
    let tool = request
        .get("tools")?
        .as_array()?
        .iter()
        .find(|t| t.get("function").is_some())?;
    let last_role = request
        .get("messages")
        .and_then(Value::as_array)
        .and_then(|m| m.last())
        .and_then(|m| m.get("role"))
        .and_then(Value::as_str);
    if last_role == Some("tool") {
        return None;
    }
    let function = tool.get("function")?;
    let name = function.get("name")?.as_str()?;
    let params = function.get("parameters");
    let mut args = serde_json::Map::new();
    let required = params
        .and_then(|p| p.get("required"))
        .and_then(Value::as_array);
    for field in required.into_iter().flatten().filter_map(Value::as_str) {
        let kind = params
            .and_then(|p| p.pointer(&format!("/properties/{field}/type")))
            .and_then(Value::as_str);
        let value = match kind {
            Some("integer" | "number") => json!(1),
            Some("boolean") => json!(true),
            Some("array") => json!([]),
            Some("object") => json!({}),
            _ => json!("example"),
        };
        args.insert(field.to_owned(), value);
    }
    Some(json!({"id": "call_offline_1", "type": "function",
                "function": {"name": name, "arguments": Value::Object(args).to_string()}}))
}

/// `POST /chat/completions`, whole.
pub(super) fn chat(request: &Value) -> Response<ResponseBody> {
    let (message, finish) = match tool_call(request) {
        Some(call) => (
            json!({"role": "assistant", "content": null, "tool_calls": [call]}),
            "tool_calls",
        ),
        None => (
            json!({"role": "assistant", "content": REPLY.concat()}),
            "stop",
        ),
    };
    let body = json!({
        "id": GENERATION, "object": "chat.completion", "created": 1_700_000_000u64,
        "model": MODEL,
        "choices": [{"index": 0, "finish_reason": finish, "message": message}],
        "usage": chat_usage(),
    });
    with_generation_id(json(StatusCode::OK, body.to_string()))
}

fn chunk(delta: Value, finish: Option<&str>, usage: bool) -> Bytes {
    let mut c = json!({
        "id": GENERATION, "object": "chat.completion.chunk", "created": 1_700_000_000u64,
        "model": MODEL,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    });
    if usage {
        c["usage"] = chat_usage();
    }
    data(c)
}

/// `POST /chat/completions` with `stream: true`: a keep-alive comment, the role, the text in
/// pieces (or, as [`chat`] answers, the tool call: its id and name, then its arguments in two
/// pieces), the finish reason with usage, `[DONE]`.
pub(super) fn chat_stream(request: &Value, delay: Duration) -> Response<ResponseBody> {
    let mut chunks = VecDeque::new();
    chunks.push_back(Bytes::from_static(PROCESSING.as_bytes()));
    chunks.push_back(chunk(
        json!({"role": "assistant", "content": ""}),
        None,
        false,
    ));
    let finish = match tool_call(request) {
        Some(call) => {
            let arguments = call["function"]["arguments"].as_str().unwrap_or("{}");
            let mut half = arguments.len() / 2;
            while !arguments.is_char_boundary(half) {
                half -= 1;
            }
            let (first, rest) = arguments.split_at(half);
            chunks.push_back(chunk(
                json!({"tool_calls": [{"index": 0, "id": call["id"], "type": "function",
                    "function": {"name": call["function"]["name"], "arguments": first}}]}),
                None,
                false,
            ));
            chunks.push_back(chunk(
                json!({"tool_calls": [{"index": 0, "function": {"arguments": rest}}]}),
                None,
                false,
            ));
            "tool_calls"
        }
        None => {
            for piece in REPLY {
                chunks.push_back(chunk(json!({"content": piece}), None, false));
            }
            "stop"
        }
    };
    chunks.push_back(chunk(json!({"content": ""}), Some(finish), true));
    chunks.push_back(Bytes::from_static(b"data: [DONE]\n\n"));
    with_generation_id(event_stream(chunks, delay))
}

// ---------------------------------------------------------------------------------------------
// Responses

fn response_object(status: &str, output: Value, usage: Option<Value>) -> Value {
    let mut response = json!({
        "id": "resp-offline-1", "object": "response", "created_at": 1_700_000_000u64,
        "completed_at": null, "model": MODEL, "status": status, "output": output,
        "error": null, "incomplete_details": null, "instructions": null, "metadata": null,
        "frequency_penalty": null, "presence_penalty": null, "temperature": null,
        "top_p": null, "max_output_tokens": null, "parallel_tool_calls": true,
        "tool_choice": "auto", "tools": []
    });
    if let Some(usage) = usage {
        response["usage"] = usage;
    }
    response
}

fn output_message(status: &str, text: &str) -> Value {
    let content = if status == "completed" {
        json!([{"type": "output_text", "text": text, "annotations": []}])
    } else {
        json!([])
    };
    json!({"type": "message", "id": "msg-offline-1", "role": "assistant", "status": status,
           "content": content})
}

fn responses_usage() -> Value {
    json!({"input_tokens": PROMPT_TOKENS, "input_tokens_details": {"cached_tokens": 0},
           "output_tokens": REPLY.len(), "output_tokens_details": {"reasoning_tokens": 0},
           "total_tokens": PROMPT_TOKENS + REPLY.len(), "cost": 0})
}

fn completed_response() -> Value {
    response_object(
        "completed",
        json!([output_message("completed", &REPLY.concat())]),
        Some(responses_usage()),
    )
}

/// `POST /responses`, whole.
pub(super) fn responses() -> Response<ResponseBody> {
    with_generation_id(json(StatusCode::OK, completed_response().to_string()))
}

/// `POST /responses` with `stream: true`: created, in progress, the message item and its text
/// part, the text in deltas, the part and item done, `response.completed`, `[DONE]`.
pub(super) fn responses_stream(delay: Duration) -> Response<ResponseBody> {
    let text = REPLY.concat();
    let mut seq = 0u64;
    let mut next = || {
        seq += 1;
        seq - 1
    };
    let mut chunks = VecDeque::new();
    chunks.push_back(Bytes::from_static(PROCESSING.as_bytes()));
    let in_progress = response_object("in_progress", json!([]), None);
    chunks.push_back(data(
        json!({"type": "response.created", "sequence_number": next(),
                                 "response": in_progress}),
    ));
    chunks.push_back(data(
        json!({"type": "response.in_progress", "sequence_number": next(),
                                 "response": in_progress}),
    ));
    chunks.push_back(data(
        json!({"type": "response.output_item.added", "output_index": 0,
                                 "sequence_number": next(),
                                 "item": output_message("in_progress", "")}),
    ));
    chunks.push_back(data(
        json!({"type": "response.content_part.added", "output_index": 0,
                                 "content_index": 0, "item_id": "msg-offline-1",
                                 "sequence_number": next(),
                                 "part": {"type": "output_text", "text": "", "annotations": []}}),
    ));
    for piece in REPLY {
        chunks.push_back(data(
            json!({"type": "response.output_text.delta", "output_index": 0,
                                     "content_index": 0, "item_id": "msg-offline-1",
                                     "delta": piece, "logprobs": [],
                                     "sequence_number": next()}),
        ));
    }
    chunks.push_back(data(
        json!({"type": "response.output_text.done", "output_index": 0,
                                 "content_index": 0, "item_id": "msg-offline-1",
                                 "text": text, "logprobs": [], "sequence_number": next()}),
    ));
    chunks.push_back(data(
        json!({"type": "response.content_part.done", "output_index": 0,
                                 "content_index": 0, "item_id": "msg-offline-1",
                                 "sequence_number": next(),
                                 "part": {"type": "output_text", "text": text, "annotations": []}}),
    ));
    chunks.push_back(data(
        json!({"type": "response.output_item.done", "output_index": 0,
                                 "sequence_number": next(),
                                 "item": output_message("completed", &text)}),
    ));
    chunks.push_back(data(
        json!({"type": "response.completed", "sequence_number": next(),
                                 "response": completed_response()}),
    ));
    chunks.push_back(Bytes::from_static(b"data: [DONE]\n\n"));
    with_generation_id(event_stream(chunks, delay))
}

// ---------------------------------------------------------------------------------------------
// Anthropic messages

fn message(content: Value, stop_reason: Value, output_tokens: usize) -> Value {
    json!({"id": "msg_offline_1", "type": "message", "role": "assistant", "content": content,
           "model": MODEL, "container": null, "stop_reason": stop_reason,
           "stop_sequence": null, "stop_details": null,
           "usage": {"input_tokens": PROMPT_TOKENS, "output_tokens": output_tokens,
                     "cache_read_input_tokens": 0, "cache_creation_input_tokens": null,
                     "service_tier": "standard"}})
}

/// `POST /messages`, whole.
pub(super) fn messages() -> Response<ResponseBody> {
    let body = message(
        json!([{"type": "text", "text": REPLY.concat(), "citations": null}]),
        json!("end_turn"),
        REPLY.len(),
    );
    with_generation_id(json(StatusCode::OK, body.to_string()))
}

/// `POST /messages` with `stream: true`: `message_start`, a ping, one text block in deltas,
/// `message_delta` with the stop reason and usage, `message_stop` (no `[DONE]`).
pub(super) fn messages_stream(delay: Duration) -> Response<ResponseBody> {
    let mut chunks = VecDeque::new();
    chunks.push_back(Bytes::from_static(PROCESSING.as_bytes()));
    chunks.push_back(named(
        "message_start",
        json!({"type": "message_start", "message": message(json!([]), Value::Null, 1)}),
    ));
    chunks.push_back(named("ping", json!({"type": "ping"})));
    chunks.push_back(named(
        "content_block_start",
        json!({"type": "content_block_start", "index": 0,
               "content_block": {"type": "text", "text": "", "citations": []}}),
    ));
    for piece in REPLY {
        chunks.push_back(named(
            "content_block_delta",
            json!({"type": "content_block_delta", "index": 0,
                   "delta": {"type": "text_delta", "text": piece}}),
        ));
    }
    chunks.push_back(named(
        "content_block_stop",
        json!({"type": "content_block_stop", "index": 0}),
    ));
    chunks.push_back(named(
        "message_delta",
        json!({"type": "message_delta",
               "delta": {"stop_reason": "end_turn", "stop_sequence": null},
               "usage": {"output_tokens": REPLY.len()}}),
    ));
    chunks.push_back(named("message_stop", json!({"type": "message_stop"})));
    with_generation_id(event_stream(chunks, delay))
}
