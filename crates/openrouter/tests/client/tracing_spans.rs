//! The `gen_ai` spans (OpenTelemetry GenAI conventions through `tracing`), captured by a small
//! layer: a call span per call, an attempt span per HTTP request, the attributes of each, a
//! stream's span ending with the stream, content only when asked for, never the key.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use futures_util::StreamExt;
use openrouter::RetryConfig;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::Subscriber;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

use crate::support::*;

/// One span as the layer saw it.
#[derive(Clone, Debug, Default)]
struct Seen {
    id: u64,
    name: &'static str,
    parent: Option<u64>,
    fields: BTreeMap<String, String>,
    closed: bool,
}

impl Seen {
    fn get(&self, field: &str) -> Option<&str> {
        self.fields.get(field).map(String::as_str)
    }
}

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<Seen>>>);

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut seen = Seen {
            id: id.into_u64(),
            name: attrs.metadata().name(),
            parent: attrs
                .parent()
                .cloned()
                .or_else(|| ctx.current_span().id().cloned())
                .map(|p| p.into_u64()),
            ..Seen::default()
        };
        attrs.record(&mut Fields(&mut seen.fields));
        self.0.lock().unwrap().push(seen);
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, _: Context<'_, S>) {
        let mut spans = self.0.lock().unwrap();
        if let Some(seen) = spans.iter_mut().rev().find(|s| s.id == id.into_u64()) {
            values.record(&mut Fields(&mut seen.fields));
        }
    }

    fn on_close(&self, id: Id, _: Context<'_, S>) {
        let mut spans = self.0.lock().unwrap();
        if let Some(seen) = spans.iter_mut().rev().find(|s| s.id == id.into_u64()) {
            seen.closed = true;
        }
    }
}

impl Capture {
    /// Installs the layer for this thread (the tests run on a current-thread runtime).
    fn install() -> (Capture, tracing::subscriber::DefaultGuard) {
        let capture = Capture::default();
        let subscriber = tracing_subscriber::registry().with(capture.clone());
        let guard = tracing::subscriber::set_default(subscriber);
        (capture, guard)
    }

    fn spans(&self) -> Vec<Seen> {
        self.0.lock().unwrap().clone()
    }

    /// The one call span, and its attempt spans.
    fn call(&self) -> (Seen, Vec<Seen>) {
        let spans = self.spans();
        let calls: Vec<&Seen> = spans.iter().filter(|s| s.name == "gen_ai").collect();
        assert_eq!(calls.len(), 1, "{spans:#?}");
        let call = calls[0].clone();
        let attempts = spans
            .iter()
            .filter(|s| s.name == "http")
            .cloned()
            .collect::<Vec<_>>();
        for a in &attempts {
            assert_eq!(a.parent, Some(call.id), "{a:?}");
        }
        (call, attempts)
    }
}

const CHAT_USAGE: &str = r#"{"id":"gen-1","object":"chat.completion","created":1,"model":"openai/gpt-4o-mini-2024","choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"Hello"}}],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15,"cost":0.00042,"prompt_tokens_details":{"cached_tokens":4},"completion_tokens_details":{"reasoning_tokens":2}}}"#;

#[tokio::test]
async fn chat_call_has_the_conventions_attributes() {
    let (capture, _guard) = Capture::install();
    let server = Server::start([Reply::json(200, CHAT_USAGE).header("x-generation-id", "gen-1")]);
    let client = client(&server);
    client.chat().create(chat_request()).await.unwrap();
    let (call, attempts) = capture.call();
    assert!(call.closed);
    let f = |k: &str| {
        call.get(k)
            .unwrap_or_else(|| panic!("{k} missing: {call:#?}"))
    };
    assert_eq!(f("otel.name"), "chat openai/gpt-4o-mini");
    assert_eq!(f("otel.kind"), "client");
    assert_eq!(f("gen_ai.operation.name"), "chat");
    assert_eq!(f("gen_ai.provider.name"), "openrouter");
    assert_eq!(f("gen_ai.request.model"), "openai/gpt-4o-mini");
    assert_eq!(f("gen_ai.response.model"), "openai/gpt-4o-mini-2024");
    assert_eq!(f("gen_ai.response.id"), "gen-1");
    assert_eq!(f("gen_ai.response.finish_reasons"), r#"["stop"]"#);
    assert_eq!(f("gen_ai.usage.input_tokens"), "12");
    assert_eq!(f("gen_ai.usage.output_tokens"), "3");
    assert_eq!(f("gen_ai.usage.cache_read.input_tokens"), "4");
    assert_eq!(f("openrouter.usage.reasoning_tokens"), "2");
    assert_eq!(f("openrouter.cost"), "0.00042");
    assert_eq!(f("openrouter.generation_id"), "gen-1");
    assert_eq!(f("server.address"), "127.0.0.1");
    assert_eq!(f("server.port"), server.addr().port().to_string());
    assert_eq!(call.get("error.type"), None);
    assert_eq!(call.get("gen_ai.input.messages"), None);
    assert_eq!(call.get("gen_ai.output.messages"), None);
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0].get("http.response.status_code"), Some("200"));
    assert_eq!(attempts[0].get("http.request.method"), Some("POST"));
    assert!(attempts[0].closed);
}

#[tokio::test]
async fn a_retried_call_has_one_attempt_span_per_request() {
    let (capture, _guard) = Capture::install();
    let server = Server::start([Reply::error(503, "busy"), Reply::json(200, CHAT_OK)]);
    let client = client(&server);
    client.chat().create(chat_request()).await.unwrap();
    let (call, attempts) = capture.call();
    assert_eq!(attempts.len(), 2, "{attempts:#?}");
    assert_eq!(attempts[0].get("http.response.status_code"), Some("503"));
    assert_eq!(attempts[0].get("error.type"), Some("503"));
    assert_eq!(attempts[0].get("http.request.resend_count"), Some("0"));
    assert_eq!(attempts[1].get("http.response.status_code"), Some("200"));
    assert_eq!(attempts[1].get("error.type"), None);
    assert_eq!(attempts[1].get("http.request.resend_count"), Some("1"));
    assert_eq!(call.get("error.type"), None);
    assert_eq!(call.get("gen_ai.response.id"), Some("gen-1"));
}

#[tokio::test]
async fn a_failed_call_has_an_error_type() {
    let (capture, _guard) = Capture::install();
    let server = Server::start([Reply::error(400, "bad request")]);
    let client = client(&server);
    client.chat().create(chat_request()).await.unwrap_err();
    let (call, attempts) = capture.call();
    assert!(call.closed);
    assert_eq!(call.get("error.type"), Some("400"));
    assert_eq!(call.get("otel.status_code"), Some("ERROR"));
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0].get("error.type"), Some("400"));

    // A failure without a status: the error kind.
    let (capture, _guard) = Capture::install();
    let client = openrouter::Client::builder()
        .base_url(format!("http://{}/api/v1", refused_addr()))
        .api_key(KEY)
        .retry(RetryConfig::disabled())
        .build()
        .unwrap();
    client.credits().get().await.unwrap_err();
    let (call, _) = capture.call();
    assert_eq!(call.get("error.type"), Some("transport"));
    assert_eq!(call.get("gen_ai.operation.name"), Some("getCredits"));
}

#[tokio::test]
async fn a_stream_span_ends_with_the_stream_and_records_usage() {
    let (capture, _guard) = Capture::install();
    let chunk = |body: &str| format!("data: {body}\n\n");
    let server = Server::start([Reply::sse([
        chunk(r#"{"id":"gen-s","object":"chat.completion.chunk","created":1,"model":"m/x","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"}}]}"#),
        chunk(r#"{"id":"gen-s","object":"chat.completion.chunk","created":1,"model":"m/x","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"length"}]}"#),
        chunk(r#"{"id":"gen-s","object":"chat.completion.chunk","created":1,"model":"m/x","choices":[],"usage":{"prompt_tokens":7,"completion_tokens":2,"total_tokens":9,"cost":0.5}}"#),
        "data: [DONE]\n\n".to_owned(),
    ])
    .header("x-generation-id", "gen-s")]);
    let client = builder(&server).trace_content(true).build().unwrap();
    let mut stream = client.chat().create(chat_request()).stream().await.unwrap();
    stream.next().await.unwrap().unwrap();
    let (call, attempts) = capture.call();
    assert!(!call.closed, "the span lasts as long as the stream");
    assert!(attempts[0].closed, "the attempt ended with the head");
    while let Some(item) = stream.next().await {
        item.unwrap();
    }
    let (call, _) = capture.call();
    assert!(call.closed, "the end of the stream ends the span");
    assert_eq!(call.get("gen_ai.response.id"), Some("gen-s"));
    assert_eq!(call.get("gen_ai.response.model"), Some("m/x"));
    assert_eq!(
        call.get("gen_ai.response.finish_reasons"),
        Some(r#"["length"]"#)
    );
    assert_eq!(call.get("gen_ai.usage.input_tokens"), Some("7"));
    assert_eq!(call.get("gen_ai.usage.output_tokens"), Some("2"));
    assert_eq!(call.get("openrouter.cost"), Some("0.5"));
    assert_eq!(call.get("openrouter.generation_id"), Some("gen-s"));
    let output: serde_json::Value =
        serde_json::from_str(call.get("gen_ai.output.messages").unwrap()).unwrap();
    assert_eq!(output[0]["content"], "Hello");
    drop(stream);

    // Dropped early: the span ends with the drop, with what was seen.
    let (capture, _guard) = Capture::install();
    let server = Server::start([Reply::sse([chunk(
        r#"{"id":"gen-d","object":"chat.completion.chunk","created":1,"model":"m/x","choices":[{"index":0,"delta":{"content":"a"}}]}"#,
    )])
    .stall()]);
    let client = builder(&server).build().unwrap();
    let mut stream = client.chat().create(chat_request()).stream().await.unwrap();
    stream.next().await.unwrap().unwrap();
    assert!(!capture.call().0.closed);
    drop(stream);
    let (call, _) = capture.call();
    assert!(call.closed);
    assert_eq!(call.get("gen_ai.response.id"), Some("gen-d"));
}

#[tokio::test]
async fn content_is_recorded_only_when_asked_for() {
    for content in [false, true] {
        let (capture, _guard) = Capture::install();
        let server = Server::start([Reply::json(200, CHAT_OK)]);
        let client = builder(&server).trace_content(content).build().unwrap();
        client.chat().create(chat_request()).await.unwrap();
        let (call, _) = capture.call();
        let input = call.get("gen_ai.input.messages");
        let output = call.get("gen_ai.output.messages");
        if content {
            let input: serde_json::Value = serde_json::from_str(input.unwrap()).unwrap();
            assert_eq!(input[0]["role"], "user");
            assert_eq!(input[0]["content"], "Hi");
            let output: serde_json::Value = serde_json::from_str(output.unwrap()).unwrap();
            assert_eq!(output[0]["content"], "Hello");
        } else {
            assert_eq!((input, output), (None, None));
        }
    }
}

#[tokio::test]
async fn no_span_field_holds_the_key() {
    let (capture, _guard) = Capture::install();
    let server = Server::start([
        Reply::error(503, "busy"),
        Reply::json(200, CHAT_USAGE),
        Reply::error(401, "no"),
    ]);
    let client = builder(&server).trace_content(true).build().unwrap();
    client
        .chat()
        .create(chat_request())
        .header("X-Custom", KEY)
        .await
        .unwrap();
    client.chat().create(chat_request()).await.unwrap_err();
    let spans = capture.spans();
    assert!(spans.len() >= 5, "{spans:#?}");
    for span in spans {
        for (name, value) in &span.fields {
            assert!(!value.contains(KEY), "{name} holds the key: {value}");
            assert!(!value.contains("Bearer"), "{name}: {value}");
        }
    }
}

/// A `/responses` stream: the final event's response gives the ids, the status as the finish
/// reason, the usage (cached and reasoning tokens, cost) and, with content, the output text.
#[tokio::test]
async fn a_responses_stream_span_records_the_final_response() {
    use serde_json::json;
    let data = |v: serde_json::Value| format!("data: {v}\n\n");
    let response = |status: &str, output: serde_json::Value, usage: Option<serde_json::Value>| {
        let mut r = json!({"id": "resp-1", "object": "response", "created_at": 1,
            "model": "openai/gpt-4o-2024", "status": status, "output": output,
            "error": null, "incomplete_details": null, "instructions": null, "metadata": null,
            "temperature": null, "top_p": null, "parallel_tool_calls": true,
            "tool_choice": "auto", "tools": []});
        if let Some(u) = usage {
            r["usage"] = u;
        }
        r
    };
    let output = json!([{"type": "message", "id": "msg_1", "role": "assistant",
        "status": "completed",
        "content": [{"type": "output_text", "text": "Hello", "annotations": []}]}]);
    let usage = json!({"input_tokens": 10, "input_tokens_details": {"cached_tokens": 3,
        "cache_write_tokens": 1}, "output_tokens": 25,
        "output_tokens_details": {"reasoning_tokens": 4}, "total_tokens": 35, "cost": 0.0012});
    for content in [false, true] {
        let (capture, _guard) = Capture::install();
        let server = Server::start([Reply::sse([
            data(json!({"type": "response.created", "sequence_number": 0,
                "response": response("in_progress", json!([]), None)})),
            data(
                json!({"type": "response.output_text.delta", "output_index": 0,
                "content_index": 0, "item_id": "msg_1", "delta": "Hello", "logprobs": [],
                "sequence_number": 1}),
            ),
            data(json!({"type": "response.completed", "sequence_number": 2,
                "response": response("completed", output.clone(), Some(usage.clone()))})),
        ])]);
        let client = builder(&server).trace_content(content).build().unwrap();
        let mut stream = client
            .responses()
            .create(openrouter::types::responses::ResponsesRequest::new(
                "openai/gpt-4o",
            ))
            .stream()
            .await
            .unwrap();
        while let Some(item) = stream.next().await {
            item.unwrap();
        }
        drop(stream);
        let (call, _) = capture.call();
        assert!(call.closed);
        assert_eq!(call.get("gen_ai.response.id"), Some("resp-1"));
        assert_eq!(
            call.get("gen_ai.response.model"),
            Some("openai/gpt-4o-2024")
        );
        assert_eq!(
            call.get("gen_ai.response.finish_reasons"),
            Some(r#"["completed"]"#)
        );
        assert_eq!(call.get("gen_ai.usage.input_tokens"), Some("10"));
        assert_eq!(call.get("gen_ai.usage.output_tokens"), Some("25"));
        assert_eq!(call.get("gen_ai.usage.cache_read.input_tokens"), Some("3"));
        assert_eq!(
            call.get("gen_ai.usage.cache_creation.input_tokens"),
            Some("1")
        );
        assert_eq!(call.get("openrouter.usage.reasoning_tokens"), Some("4"));
        assert_eq!(call.get("openrouter.cost"), Some("0.0012"));
        let recorded = call.get("gen_ai.output.messages");
        if content {
            let output: serde_json::Value = serde_json::from_str(recorded.unwrap()).unwrap();
            assert_eq!(output[0]["role"], "assistant");
            assert_eq!(output[0]["content"], "Hello");
        } else {
            assert_eq!(recorded, None);
        }
    }
}

/// A `/messages` stream's span records the ids and input usage of `message_start`, the stop
/// reason and output usage of `message_delta`, and, with content, the streamed text.
#[tokio::test]
async fn a_messages_stream_span_records_start_delta_and_text() {
    use openrouter::types::generated::MessagesRequest;
    use serde_json::json;
    let event = |name: &str, v: serde_json::Value| format!("event: {name}\ndata: {v}\n\n");
    for content in [false, true] {
        let (capture, _guard) = Capture::install();
        let server = Server::start([Reply::sse([
            event(
                "message_start",
                json!({"type": "message_start", "message": {
                    "id": "msg_1", "type": "message", "role": "assistant", "content": [],
                    "model": "anthropic/claude-sonnet-4.5", "stop_reason": null,
                    "stop_sequence": null,
                    "usage": {"input_tokens": 12, "output_tokens": 1,
                              "cache_read_input_tokens": 4, "cache_creation_input_tokens": 2}}}),
            ),
            event(
                "content_block_start",
                json!({"type": "content_block_start", "index": 0,
                       "content_block": {"type": "text", "text": ""}}),
            ),
            event(
                "content_block_delta",
                json!({"type": "content_block_delta", "index": 0,
                       "delta": {"type": "text_delta", "text": "Hel"}}),
            ),
            event(
                "content_block_delta",
                json!({"type": "content_block_delta", "index": 0,
                       "delta": {"type": "text_delta", "text": "lo"}}),
            ),
            event(
                "content_block_stop",
                json!({"type": "content_block_stop", "index": 0}),
            ),
            event(
                "message_delta",
                json!({"type": "message_delta",
                       "delta": {"stop_reason": "end_turn", "stop_sequence": null},
                       "usage": {"output_tokens": 42}}),
            ),
            event("message_stop", json!({"type": "message_stop"})),
        ])]);
        let client = builder(&server).trace_content(content).build().unwrap();
        let mut request = MessagesRequest::new("anthropic/claude-sonnet-4.5");
        request.max_tokens = Some(256);
        let mut stream = client
            .anthropic_messages()
            .create(request)
            .stream()
            .await
            .unwrap();
        while let Some(item) = stream.next().await {
            item.unwrap();
        }
        drop(stream);
        let (call, _) = capture.call();
        assert!(call.closed);
        assert_eq!(call.get("gen_ai.response.id"), Some("msg_1"));
        assert_eq!(
            call.get("gen_ai.response.model"),
            Some("anthropic/claude-sonnet-4.5")
        );
        assert_eq!(
            call.get("gen_ai.response.finish_reasons"),
            Some(r#"["end_turn"]"#)
        );
        assert_eq!(call.get("gen_ai.usage.input_tokens"), Some("12"));
        assert_eq!(call.get("gen_ai.usage.output_tokens"), Some("42"));
        assert_eq!(call.get("gen_ai.usage.cache_read.input_tokens"), Some("4"));
        assert_eq!(
            call.get("gen_ai.usage.cache_creation.input_tokens"),
            Some("2")
        );
        let recorded = call.get("gen_ai.output.messages");
        if content {
            let output: serde_json::Value = serde_json::from_str(recorded.unwrap()).unwrap();
            assert_eq!(output[0]["content"], "Hello");
        } else {
            assert_eq!(recorded, None);
        }
    }
}
