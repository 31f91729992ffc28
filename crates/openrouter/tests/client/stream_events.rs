//! The `/messages` (Anthropic) and `/responses` (OpenAI Responses) streams, and `/images`:
//! each ends and fails by its own rules (`StreamProtocol`), chosen by the event type of the
//! call; and their accumulators.

use std::time::Duration;

use futures_util::StreamExt;
use openrouter::sse::{
    EventStream, MessagesAccumulator, ResponsesAccumulator, SseStream, StreamError, StreamOptions,
    StreamProtocol, StreamedEvent,
};
use openrouter::types::generated::{
    ImageStreamingResponseData, MessagesRequest, MessagesStreamEvents, ResponsesRequest,
    StreamEvents,
};
use openrouter::types::ErrorCode;
use openrouter::{Error, ResponseStream, TimeoutConfig};
use openrouter_transport::test_util::ChunkedBody;
use serde_json::{json, Value};

use crate::support::*;

// ---------------------------------------------------------------------------------------------
// Fixtures

/// An event with an `event:` name, as `/messages` sends them.
fn named(name: &str, data: Value) -> String {
    format!("event: {name}\ndata: {data}\n\n")
}

/// An event without a name, as `/responses` sends them.
fn data(data: Value) -> String {
    format!("data: {data}\n\n")
}

fn block_delta(index: i64, delta: Value) -> String {
    named(
        "content_block_delta",
        json!({"type": "content_block_delta", "index": index, "delta": delta}),
    )
}

fn block_stop(index: i64) -> String {
    named(
        "content_block_stop",
        json!({"type": "content_block_stop", "index": index}),
    )
}

fn message_start() -> String {
    named(
        "message_start",
        json!({"type": "message_start", "message": {
            "id": "msg_01XFDUDYJgAACzvnptvVoYEL", "type": "message", "role": "assistant",
            "content": [], "model": "anthropic/claude-sonnet-4.5", "container": null,
            "stop_reason": null, "stop_sequence": null, "stop_details": null,
            "usage": {"input_tokens": 12, "output_tokens": 1, "cache_read_input_tokens": 4,
                      "cache_creation_input_tokens": null, "service_tier": "standard"}}}),
    )
}

const MESSAGE_STOP: &str = "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

/// A `/messages` stream: keep-alive comments, a ping, a thinking block, a text block, a
/// tool-use block whose input comes in pieces, an event type this version does not know, the
/// stop reason and usage, and `message_stop`. No `[DONE]`.
fn messages_events() -> Vec<String> {
    vec![
        ": OPENROUTER PROCESSING\n\n".into(),
        message_start(),
        named("ping", json!({"type": "ping"})),
        named(
            "content_block_start",
            json!({"type": "content_block_start", "index": 0,
                   "content_block": {"type": "thinking", "thinking": "", "signature": ""}}),
        ),
        block_delta(
            0,
            json!({"type": "thinking_delta", "thinking": "The user wants "}),
        ),
        block_delta(0, json!({"type": "thinking_delta", "thinking": "weather."})),
        block_delta(0, json!({"type": "signature_delta", "signature": "sig-1"})),
        block_stop(0),
        named(
            "content_block_start",
            json!({"type": "content_block_start", "index": 1,
                   "content_block": {"type": "text", "text": "", "citations": []}}),
        ),
        block_delta(1, json!({"type": "text_delta", "text": "Let me check "})),
        ": OPENROUTER PROCESSING\n\n".into(),
        block_delta(1, json!({"type": "text_delta", "text": "the weather."})),
        block_stop(1),
        named(
            "content_block_start",
            json!({"type": "content_block_start", "index": 2,
                   "content_block": {"type": "tool_use", "id": "toolu_01", "name": "get_weather",
                                     "input": {}, "caller": {"type": "direct"}}}),
        ),
        block_delta(2, json!({"type": "input_json_delta", "partial_json": ""})),
        block_delta(
            2,
            json!({"type": "input_json_delta", "partial_json": "{\"city\": \"Pa"}),
        ),
        block_delta(
            2,
            json!({"type": "input_json_delta", "partial_json": "ris\", \"unit\": \"c\"}"}),
        ),
        block_stop(2),
        named(
            "future_event",
            json!({"type": "future_event", "detail": {"x": 1}}),
        ),
        named(
            "message_delta",
            json!({"type": "message_delta",
                   "delta": {"stop_reason": "tool_use", "stop_sequence": null},
                   "usage": {"output_tokens": 42}}),
        ),
        MESSAGE_STOP.into(),
    ]
}

fn response_object(status: &str, output: Value, usage: Option<Value>) -> Value {
    let mut response = json!({
        "id": "resp-abc123", "object": "response", "created_at": 1704067200,
        "completed_at": null, "model": "openai/gpt-4o", "status": status, "output": output,
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

fn text_delta(seq: i64, delta: &str) -> String {
    data(
        json!({"type": "response.output_text.delta", "output_index": 1, "content_index": 0,
                "item_id": "msg_1", "delta": delta, "logprobs": [], "sequence_number": seq}),
    )
}

fn response_completed() -> String {
    let output = json!([
        {"type": "reasoning", "id": "rs_1", "summary": []},
        {"type": "message", "id": "msg_1", "role": "assistant", "status": "completed",
         "content": [{"type": "output_text", "text": "Hello, world", "annotations": []}]},
        {"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "get_weather",
         "arguments": "{\"city\":\"Paris\"}", "status": "completed"}
    ]);
    let usage = json!({"input_tokens": 10, "input_tokens_details": {"cached_tokens": 0},
                       "output_tokens": 25, "output_tokens_details": {"reasoning_tokens": 4},
                       "total_tokens": 35, "cost": 0.0012});
    data(json!({"type": "response.completed", "sequence_number": 14,
                "response": response_object("completed", output, Some(usage))}))
}

/// A `/responses` stream up to (not including) `response.completed`: reasoning, a message in
/// two deltas, an event type this version does not know, and a function call whose arguments
/// come in pieces.
fn responses_events() -> Vec<String> {
    vec![
        ": OPENROUTER PROCESSING\n\n".into(),
        data(json!({"type": "response.created", "sequence_number": 0,
                    "response": response_object("in_progress", json!([]), None)})),
        data(json!({"type": "response.in_progress", "sequence_number": 1,
                    "response": response_object("in_progress", json!([]), None)})),
        data(
            json!({"type": "response.output_item.added", "output_index": 0, "sequence_number": 2,
                    "item": {"type": "reasoning", "id": "rs_1", "summary": []}}),
        ),
        data(
            json!({"type": "response.reasoning_text.delta", "output_index": 0,
                    "content_index": 0, "item_id": "rs_1", "delta": "Greet ",
                    "sequence_number": 3}),
        ),
        data(
            json!({"type": "response.reasoning_text.delta", "output_index": 0,
                    "content_index": 0, "item_id": "rs_1", "delta": "them.",
                    "sequence_number": 4}),
        ),
        data(
            json!({"type": "response.output_item.added", "output_index": 1, "sequence_number": 5,
                    "item": {"type": "message", "id": "msg_1", "role": "assistant",
                             "status": "in_progress", "content": []}}),
        ),
        text_delta(6, "Hello"),
        ": OPENROUTER PROCESSING\n\n".into(),
        text_delta(7, ", world"),
        data(json!({"type": "response.future_event", "sequence_number": 8, "detail": "new"})),
        data(
            json!({"type": "response.output_item.added", "output_index": 2, "sequence_number": 9,
                    "item": {"type": "function_call", "id": "fc_1", "call_id": "call_1",
                             "name": "get_weather", "arguments": "",
                             "status": "in_progress"}}),
        ),
        data(
            json!({"type": "response.function_call_arguments.delta", "output_index": 2,
                    "item_id": "fc_1", "delta": "{\"city\":", "sequence_number": 10}),
        ),
        data(
            json!({"type": "response.function_call_arguments.delta", "output_index": 2,
                    "item_id": "fc_1", "delta": "\"Paris\"}", "sequence_number": 11}),
        ),
        data(
            json!({"type": "response.function_call_arguments.done", "output_index": 2,
                    "item_id": "fc_1", "name": "get_weather",
                    "arguments": "{\"city\":\"Paris\"}", "sequence_number": 12}),
        ),
    ]
}

/// The whole `/responses` stream: the events, `response.completed`, then `[DONE]`.
fn responses_stream() -> Vec<String> {
    let mut events = responses_events();
    events.push(response_completed());
    events.push("data: [DONE]\n\n".into());
    events
}

// ---------------------------------------------------------------------------------------------
// Helpers

async fn open_messages(reply: Reply) -> (ResponseStream<MessagesStreamEvents>, Server) {
    open_messages_with(reply, TimeoutConfig::new()).await
}

async fn open_messages_with(
    reply: Reply,
    timeouts: TimeoutConfig,
) -> (ResponseStream<MessagesStreamEvents>, Server) {
    let server = Server::always(reply);
    let mut request = MessagesRequest::new("anthropic/claude-sonnet-4.5");
    request.max_tokens = Some(256);
    let stream = client(&server)
        .anthropic_messages()
        .create(request)
        .timeouts(timeouts)
        .stream()
        .await
        .expect("the stream opens");
    (stream, server)
}

async fn open_responses(reply: Reply) -> (ResponseStream<StreamEvents>, Server) {
    let server = Server::always(reply);
    let stream = client(&server)
        .responses()
        .create(ResponsesRequest::new("openai/gpt-4o"))
        .stream()
        .await
        .expect("the stream opens");
    (stream, server)
}

/// Every item of a stream; bounded in time, so that a stream that does not end fails the test
/// instead of hanging it.
async fn drain<S>(mut stream: ResponseStream<S>) -> Vec<Result<S, Error>>
where
    S: openrouter::sse::StreamedEvent,
{
    let mut out = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(item) = stream.next().await {
            out.push(item);
        }
    })
    .await
    .expect("the stream ends");
    out
}

fn stream_error(err: &Error) -> &StreamError {
    match err {
        Error::Stream(s) => s.stream_error(),
        other => panic!("expected a stream error, got {other:?}"),
    }
}

/// The code and message of a mid-stream API error.
fn api_error(err: &Error) -> (ErrorCode, String) {
    let body = stream_error(err)
        .api_error()
        .unwrap_or_else(|| panic!("expected an API error, got {err:?}"));
    (body.code.clone(), body.message.clone())
}

fn text(code: &str) -> ErrorCode {
    ErrorCode::Text(code.into())
}

/// Collects an event stream into a comparable form.
async fn collect<T: serde::de::DeserializeOwned + std::fmt::Debug>(
    stream: EventStream<T, ChunkedBody>,
) -> Vec<Result<String, String>> {
    stream
        .map(|item| {
            item.map(|v| format!("{v:?}"))
                .map_err(|err| format!("{err:?}"))
        })
        .collect()
        .await
}

/// Every way of cutting `bytes` in two (and one byte per frame) gives the items of the whole.
async fn check_every_split_point<T>(bytes: &[u8]) -> usize
where
    T: StreamedEvent + std::fmt::Debug,
{
    let options = StreamOptions::for_protocol(T::PROTOCOL);
    let stream = |chunks: Vec<Vec<u8>>| {
        EventStream::<T, _>::with_options(ChunkedBody::from_chunks(chunks), options)
    };
    let whole = collect(stream(vec![bytes.to_vec()])).await;
    assert!(whole.iter().all(Result::is_ok), "{whole:?}");
    for at in 0..=bytes.len() {
        let items = collect(stream(vec![bytes[..at].to_vec(), bytes[at..].to_vec()])).await;
        assert_eq!(items, whole, "split at {at}");
    }
    let items = collect(stream(bytes.iter().map(|b| vec![*b]).collect())).await;
    assert_eq!(items, whole, "one byte per frame");
    whole.len()
}

// ---------------------------------------------------------------------------------------------
// /messages

#[tokio::test]
async fn messages_stream_is_assembled_and_ends_at_message_stop() {
    let (stream, server) = open_messages(Reply::sse(messages_events())).await;
    let items = drain(stream).await;
    let seen = server.single();
    assert_eq!(seen.uri, "/api/v1/messages");
    assert_eq!(seen.header("accept"), Some("text/event-stream"));
    assert_eq!(seen.json()["stream"], true);

    let events: Vec<MessagesStreamEvents> =
        items.into_iter().map(|i| i.expect("no error")).collect();
    // Every event but the comments, the unknown one included.
    assert_eq!(events.len(), 19);
    assert!(matches!(events[1], MessagesStreamEvents::Ping(_)));
    assert!(
        matches!(&events[16], MessagesStreamEvents::Unknown(v) if v["detail"]["x"] == 1),
        "{:?}",
        events[16]
    );
    assert!(matches!(
        events.last(),
        Some(MessagesStreamEvents::MessageStop(_))
    ));

    let mut acc = MessagesAccumulator::new();
    for event in &events {
        acc.push(event);
    }
    let message = acc.finish();
    assert_eq!(message.id, "msg_01XFDUDYJgAACzvnptvVoYEL");
    assert_eq!(message.model, "anthropic/claude-sonnet-4.5");
    assert_eq!(message.content.len(), 3);
    let kinds: Vec<_> = message
        .content
        .iter()
        .map(|b| b.block_type.as_str())
        .collect();
    assert_eq!(kinds, ["thinking", "text", "tool_use"]);
    assert_eq!(message.thinking(), "The user wants weather.");
    assert_eq!(message.content[0].signature, "sig-1");
    assert_eq!(message.text(), "Let me check the weather.");
    let tools: Vec<_> = message.tool_uses().collect();
    assert_eq!(tools.len(), 1);
    assert_eq!(
        (tools[0].id.as_str(), tools[0].name.as_str()),
        ("toolu_01", "get_weather")
    );
    assert_eq!(tools[0].input, Some(json!({"city": "Paris", "unit": "c"})));
    assert_eq!(tools[0].input_error, None);
    assert!(message.content.iter().all(|b| b.stopped));
    assert_eq!(
        message.stop_reason.as_ref().map(|r| r.as_str()),
        Some("tool_use")
    );
    assert_eq!(message.usage.input_tokens, 12);
    assert_eq!(message.usage.output_tokens, 42);
    assert_eq!(message.usage.cache_read_input_tokens, Some(4));
    assert!(message.stopped);
    assert_eq!(message.error, None);
    assert_eq!(message.events, 19);
}

#[tokio::test]
async fn messages_stream_ends_at_message_stop_though_the_body_goes_on() {
    // The server keeps the connection open after `message_stop`: the stream ends anyway and
    // drops the body.
    let (stream, server) = open_messages(Reply::sse(messages_events()).stall()).await;
    let items = drain(stream).await;
    assert_eq!(items.len(), 19);
    assert!(items.iter().all(Result::is_ok));
    server.wait_closed(1).await;
}

#[tokio::test]
async fn messages_stream_cut_before_message_stop_is_truncated() {
    let mut events = messages_events();
    events.pop();
    let (stream, _server) = open_messages(Reply::sse(events)).await;
    let items = drain(stream).await;
    assert_eq!(items.len(), 19, "the events, then the error");
    assert!(items[..18].iter().all(Result::is_ok));
    let err = items[18].as_ref().unwrap_err();
    assert!(stream_error(err).is_truncated(), "{err:?}");

    // Cut in the middle of the tool input: the accumulator keeps what there is.
    let events = messages_events();
    let (stream, _server) = open_messages(Reply::sse(events[..16].to_vec())).await;
    let items = drain(stream).await;
    assert!(stream_error(items.last().unwrap().as_ref().unwrap_err()).is_truncated());
    let mut acc = MessagesAccumulator::new();
    for event in items.iter().filter_map(|i| i.as_ref().ok()) {
        acc.push(event);
    }
    let message = acc.finish();
    let tool = message.tool_uses().next().unwrap();
    assert!(!tool.stopped);
    assert_eq!(tool.partial_json, "{\"city\": \"Pa");
    assert!(tool.input_error.is_some(), "{tool:?}");
    assert!(!message.stopped);
}

#[tokio::test]
async fn messages_error_event_is_an_api_error() {
    let (stream, server) = open_messages(
        Reply::sse([
            message_start(),
            block_delta(0, json!({"type": "text_delta", "text": "Hel"})),
            named(
                "error",
                json!({"type": "error", "error": {"type": "overloaded_error",
                        "message": "Overloaded", "error_type": "provider_overloaded"}}),
            ),
        ])
        .stall(),
    )
    .await;
    let items = drain(stream).await;
    assert_eq!(items.len(), 4, "{items:?}");
    // The error event is yielded, then the error ends the stream.
    assert!(matches!(
        items[2].as_ref().unwrap(),
        MessagesStreamEvents::Error(_)
    ));
    let err = items[3].as_ref().unwrap_err();
    assert_eq!(
        api_error(err),
        (text("overloaded_error"), "Overloaded".into())
    );
    assert!(err.to_string().contains("Overloaded"), "{err}");
    let mut acc = MessagesAccumulator::new();
    for event in items.iter().filter_map(|i| i.as_ref().ok()) {
        acc.push(event);
    }
    let message = acc.finish();
    assert_eq!(message.text(), "Hel");
    let error = message.error.expect("the error is kept");
    assert_eq!(error.code, text("overloaded_error"));
    assert_eq!(error.error_type(), None, "no metadata was sent");
    assert_eq!(error.extra["error_type"], "provider_overloaded");
    // The body is dropped although the server would stall.
    server.wait_closed(1).await;
}

#[tokio::test]
async fn messages_stream_idle_timeout_and_drop() {
    // Keep-alives alone do not keep a stalled stream open.
    let (mut stream, _server) = open_messages_with(
        Reply::sse([message_start()]).every(ms(20), ": OPENROUTER PROCESSING\n\n"),
        TimeoutConfig::new().stream_idle(ms(200)),
    )
    .await;
    assert!(stream.next().await.unwrap().is_ok());
    let err = stream.next().await.unwrap().unwrap_err();
    assert!(stream_error(&err).is_timeout(), "{err:?}");
    assert!(stream.next().await.is_none());

    // Dropping the stream closes the connection.
    let (mut stream, server) =
        open_messages(Reply::sse([message_start()]).every(ms(20), ": OPENROUTER PROCESSING\n\n"))
            .await;
    assert!(stream.next().await.unwrap().is_ok());
    assert_eq!(server.closed(), 0);
    drop(stream);
    server.wait_closed(1).await;
}

#[tokio::test]
async fn messages_every_split_point() {
    let bytes = messages_events().concat().into_bytes();
    assert_eq!(
        check_every_split_point::<MessagesStreamEvents>(&bytes).await,
        19
    );
}

#[tokio::test]
async fn messages_end_by_data_type_and_without_a_final_blank_line() {
    // No `event:` names: the data's `type` ends the stream.
    let body = format!(
        "data: {}\n\ndata: {{\"type\":\"message_stop\"}}\n\ndata: {{\"type\":\"ping\"}}\n\n",
        json!({"type": "ping"})
    );
    let stream = EventStream::<MessagesStreamEvents, _>::with_options(
        ChunkedBody::from_chunks([body]),
        StreamOptions::for_protocol(StreamProtocol::Messages),
    );
    let items = collect(stream).await;
    assert_eq!(items.len(), 2, "nothing after message_stop: {items:?}");

    // `message_stop` at the very end of the body without its blank line still counts.
    let body = "event: message_stop\ndata: {\"type\":\"message_stop\"}";
    let stream = EventStream::<MessagesStreamEvents, _>::with_options(
        ChunkedBody::from_chunks([body]),
        StreamOptions::for_protocol(StreamProtocol::Messages),
    );
    let items = collect(stream).await;
    assert_eq!(items.len(), 1, "{items:?}");
    assert!(items[0].is_ok());

    // The raw stream follows the same end rule and keeps the event names.
    let mut raw = SseStream::with_options(
        ChunkedBody::from_chunks([messages_events().concat()]).stall(),
        StreamOptions::for_protocol(StreamProtocol::Messages),
    );
    let mut names = Vec::new();
    while let Some(event) = raw.next().await {
        names.push(event.unwrap().event_type().to_owned());
    }
    assert_eq!(names.first().map(String::as_str), Some("message_start"));
    assert_eq!(names.last().map(String::as_str), Some("message_stop"));
    assert!(raw.is_terminated());
}

// ---------------------------------------------------------------------------------------------
// /responses

#[tokio::test]
async fn responses_stream_is_assembled_and_ends_at_done() {
    let (stream, server) = open_responses(Reply::sse(responses_stream())).await;
    let items = drain(stream).await;
    let seen = server.single();
    assert_eq!(seen.uri, "/api/v1/responses");
    assert_eq!(seen.json()["stream"], true);

    let events: Vec<StreamEvents> = items.into_iter().map(|i| i.expect("no error")).collect();
    assert_eq!(events.len(), 14);
    assert!(
        matches!(&events[8], StreamEvents::Unknown(v) if v["detail"] == "new"),
        "{:?}",
        events[8]
    );
    assert!(matches!(
        events.last(),
        Some(StreamEvents::ResponseCompleted(_))
    ));

    let mut acc = ResponsesAccumulator::new();
    let mut partial = None;
    for (i, event) in events.iter().enumerate() {
        acc.push(event);
        if i == 8 {
            partial = Some(acc.current().text());
        }
    }
    assert_eq!(partial.as_deref(), Some("Hello, world"));
    let response = acc.finish();
    assert_eq!(response.id, "resp-abc123");
    assert_eq!(response.model, "openai/gpt-4o");
    assert_eq!(
        response.status.as_ref().map(|s| s.as_str()),
        Some("completed")
    );
    assert!(response.done);
    assert_eq!(response.text(), "Hello, world");
    assert_eq!(response.reasoning(), "Greet them.");
    let kinds: Vec<_> = response
        .items
        .iter()
        .map(|i| i.item_type.as_str())
        .collect();
    assert_eq!(kinds, ["reasoning", "message", "function_call"]);
    let calls: Vec<_> = response.function_calls().collect();
    assert_eq!(calls.len(), 1);
    assert_eq!(
        (
            calls[0].call_id.as_str(),
            calls[0].name.as_str(),
            calls[0].id.as_str()
        ),
        ("call_1", "get_weather", "fc_1")
    );
    assert_eq!(
        calls[0].parse_arguments::<Value>().unwrap(),
        json!({"city": "Paris"})
    );
    let usage = response.usage.as_ref().expect("usage");
    assert_eq!((usage.total_tokens, usage.cost), (35, Some(0.0012)));
    let last = response.response.as_ref().expect("the final response");
    assert_eq!(last.output.len(), 3);
    assert_eq!(response.error, None);
    assert_eq!(response.events, 14);
}

#[tokio::test]
async fn responses_stream_ends_after_completed_with_or_without_done() {
    // No `[DONE]` after `response.completed`: a clean end.
    let mut events = responses_events();
    events.push(response_completed());
    let (stream, _server) = open_responses(Reply::sse(events.clone())).await;
    let items = drain(stream).await;
    assert_eq!(items.len(), 14);
    assert!(items.iter().all(Result::is_ok), "{items:?}");

    // The body goes on after `response.completed`: the stream ends and drops it.
    let (stream, server) = open_responses(Reply::sse(events).stall()).await;
    let items = drain(stream).await;
    assert_eq!(items.len(), 14);
    assert!(items.iter().all(Result::is_ok));
    server.wait_closed(1).await;

    // `response.incomplete` ends it too.
    let mut events = responses_events();
    events.push(data(
        json!({"type": "response.incomplete", "sequence_number": 13,
        "response": response_object("incomplete", json!([]), None)}),
    ));
    let (stream, _server) = open_responses(Reply::sse(events).stall()).await;
    let items = drain(stream).await;
    assert!(items.iter().all(Result::is_ok));
    let mut acc = ResponsesAccumulator::new();
    for event in items.iter().filter_map(|i| i.as_ref().ok()) {
        acc.push(event);
    }
    assert_eq!(
        acc.current().status.as_ref().map(|s| s.as_str()),
        Some("incomplete")
    );
}

#[tokio::test]
async fn responses_stream_cut_before_its_end_is_truncated() {
    // Neither a terminal event nor `[DONE]`.
    let (stream, _server) = open_responses(Reply::sse(responses_events())).await;
    let items = drain(stream).await;
    assert_eq!(items.len(), 14);
    assert!(items[..13].iter().all(Result::is_ok));
    let err = items[13].as_ref().unwrap_err();
    assert!(stream_error(err).is_truncated(), "{err:?}");

    // `[DONE]` without a terminal event: the sentinel still ends it cleanly.
    let mut events = responses_events();
    events.push("data: [DONE]\n\n".into());
    let (stream, _server) = open_responses(Reply::sse(events)).await;
    let items = drain(stream).await;
    assert_eq!(items.len(), 13);
    assert!(items.iter().all(Result::is_ok));
}

#[tokio::test]
async fn responses_error_event_is_an_api_error() {
    let mut events = responses_events()[..10].to_vec();
    events.push(data(json!({"type": "error", "code": "rate_limit_exceeded",
        "message": "Rate limit exceeded. Please try again later.", "param": null,
        "sequence_number": 9})));
    let (stream, server) = open_responses(Reply::sse(events).stall()).await;
    let items = drain(stream).await;
    assert_eq!(items.len(), 10, "{items:?}");
    assert!(matches!(items[8].as_ref().unwrap(), StreamEvents::Error(_)));
    assert_eq!(
        api_error(items[9].as_ref().unwrap_err()),
        (
            text("rate_limit_exceeded"),
            "Rate limit exceeded. Please try again later.".into()
        )
    );
    server.wait_closed(1).await;
}

#[tokio::test]
async fn responses_failed_is_an_api_error_after_the_event() {
    let mut events = responses_events()[..10].to_vec();
    let mut failed = response_object("failed", json!([]), None);
    failed["error"] = json!({"code": "server_error", "message": "The provider disconnected"});
    events.push(data(
        json!({"type": "response.failed", "sequence_number": 9, "response": failed}),
    ));
    events.push("data: [DONE]\n\n".into());
    let (stream, _server) = open_responses(Reply::sse(events)).await;
    let items = drain(stream).await;
    assert_eq!(items.len(), 10, "{items:?}");
    assert!(matches!(
        items[8].as_ref().unwrap(),
        StreamEvents::ResponseFailed(_)
    ));
    let err = items[9].as_ref().unwrap_err();
    assert_eq!(
        api_error(err),
        (text("server_error"), "The provider disconnected".into())
    );
    let mut acc = ResponsesAccumulator::new();
    for event in items.iter().filter_map(|i| i.as_ref().ok()) {
        acc.push(event);
    }
    let response = acc.finish();
    assert_eq!(
        response.text(),
        "Hello, world",
        "the partial output is kept"
    );
    assert_eq!(response.status.as_ref().map(|s| s.as_str()), Some("failed"));
    assert_eq!(response.error.map(|e| e.code), Some(text("server_error")));
}

#[tokio::test]
async fn responses_every_split_point() {
    let bytes = responses_stream().concat().into_bytes();
    assert_eq!(check_every_split_point::<StreamEvents>(&bytes).await, 14);
}

// ---------------------------------------------------------------------------------------------
// /images, and the default rules

#[tokio::test]
async fn images_stream_ends_at_done_and_fails_on_its_error_event() {
    assert_eq!(ImageStreamingResponseData::PROTOCOL, StreamProtocol::Chat);
    assert_eq!(<Value as StreamedEvent>::PROTOCOL, StreamProtocol::Chat);
    let options = StreamOptions::for_protocol(ImageStreamingResponseData::PROTOCOL);
    let partial = data(json!({"type": "image_generation.partial_image",
        "partial_image_index": 0, "b64_json": "aGVsbG8="}));
    let completed = data(
        json!({"type": "image_generation.completed", "b64_json": "aGk=",
        "created": 1748372400, "media_type": "image/png",
        "usage": {"completion_tokens": 4175, "cost": 0.04, "prompt_tokens": 0,
                  "total_tokens": 4175}}),
    );

    let body = ChunkedBody::from_chunks([
        partial.clone(),
        completed.clone(),
        "data: [DONE]\n\n".into(),
    ]);
    let items: Vec<_> = EventStream::<ImageStreamingResponseData, _>::with_options(body, options)
        .collect()
        .await;
    assert_eq!(items.len(), 2);
    assert!(matches!(
        items[1].as_ref().unwrap(),
        ImageStreamingResponseData::ImageGenerationCompleted(_)
    ));

    // Without `[DONE]` it is truncated, as chat is.
    let body = ChunkedBody::from_chunks([partial.clone(), completed]);
    let items: Vec<_> = EventStream::<ImageStreamingResponseData, _>::with_options(body, options)
        .collect()
        .await;
    assert!(items.last().unwrap().as_ref().unwrap_err().is_truncated());

    // The error event: a provider error whose code is null takes its type.
    let error = data(json!({"type": "error", "error": {"code": null,
        "message": "The upstream provider returned an error", "param": null,
        "type": "provider_error"}}));
    let body = ChunkedBody::from_chunks([partial, error]).stall();
    let items: Vec<_> = EventStream::<ImageStreamingResponseData, _>::with_options(body, options)
        .collect()
        .await;
    assert_eq!(items.len(), 3, "{items:?}");
    let body = items[2].as_ref().unwrap_err().api_error().unwrap();
    assert_eq!(body.code, text("provider_error"));
    assert_eq!(body.message, "The upstream provider returned an error");
}
