//! Streaming through the client, against the server: framing, the end marker, mid-stream
//! errors, response metadata, the accumulator, and closing the connection on drop.

use futures_util::StreamExt;
use openrouter::sse::ChatAccumulator;
use openrouter::types::chat::StreamChunk;
use openrouter::types::ErrorCode;
use openrouter::{Error, ResponseStream};

use crate::support::*;

fn chunk(content: &str) -> String {
    serde_json::json!({
        "id": "gen-s", "object": "chat.completion.chunk", "created": 1, "model": "m",
        "choices": [{"index": 0, "delta": {"content": content}}]
    })
    .to_string()
}

/// Streams a chat completion from a server answering `reply`.
async fn open(reply: Reply) -> (ResponseStream<StreamChunk>, Server) {
    let server = Server::always(reply);
    let stream = client(&server)
        .chat()
        .create(chat_request())
        .stream()
        .await
        .expect("the stream opens");
    (stream, server)
}

/// Every item of the stream: the content of each chunk, or the error.
async fn drain(mut stream: ResponseStream<StreamChunk>) -> Vec<Result<String, Error>> {
    let mut out = Vec::new();
    while let Some(item) = stream.next().await {
        out.push(item.map(|c| {
            c.choices
                .first()
                .and_then(|c| c.delta.content.clone())
                .unwrap_or_default()
        }));
    }
    out
}

fn contents(items: &[Result<String, Error>]) -> Vec<&str> {
    items
        .iter()
        .map(|i| i.as_ref().expect("no error").as_str())
        .collect()
}

#[tokio::test]
async fn the_request_asks_for_a_stream() {
    let (stream, server) = open(Reply::sse(["data: [DONE]\n\n"])).await;
    assert!(drain(stream).await.is_empty());
    let seen = server.single();
    assert_eq!(seen.method, "POST");
    assert_eq!(seen.uri, "/api/v1/chat/completions");
    assert_eq!(seen.header("accept"), Some("text/event-stream"));
    assert_eq!(seen.json()["stream"], true);
}

#[tokio::test]
async fn every_line_ending_form() {
    for eol in ["\n", "\r\n", "\r"] {
        let body = format!(
            ": OPENROUTER PROCESSING{eol}{eol}data: {}{eol}{eol}data: {}{eol}{eol}data: [DONE]{eol}{eol}",
            chunk("a"),
            chunk("b")
        );
        let (stream, _server) = open(Reply::sse([body])).await;
        let items = drain(stream).await;
        assert_eq!(contents(&items), ["a", "b"], "{eol:?}");
    }
}

#[tokio::test]
async fn line_endings_split_across_frames() {
    // A CRLF split between two frames, and one event split over three.
    let first = chunk("a");
    let (head, tail) = first.split_at(first.len() / 2);
    let (stream, _server) = open(
        Reply::sse([
            format!("data: {head}"),
            format!("{tail}\r"),
            "\n\r\n".into(),
        ])
        .sleep(ms(5))
        .chunk(format!("data: {}\r\n\r", chunk("b")))
        .sleep(ms(5))
        .chunk("\ndata: [DONE]\r\n\r\n"),
    )
    .await;
    let items = drain(stream).await;
    assert_eq!(contents(&items), ["a", "b"]);
}

#[tokio::test]
async fn done_ends_the_stream_and_eof_without_it_is_truncated() {
    let (stream, _server) = open(Reply::sse([
        format!("data: {}\n\n", chunk("x")),
        "data: [DONE]\n\n".into(),
    ]))
    .await;
    assert_eq!(contents(&drain(stream).await), ["x"]);

    let (stream, _server) = open(Reply::sse([format!("data: {}\n\n", chunk("x"))])).await;
    let items = drain(stream).await;
    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(items[0].as_deref().unwrap(), "x");
    let err = items[1].as_ref().unwrap_err();
    let Error::Stream(s) = err else {
        panic!("expected a stream error, got {err:?}")
    };
    assert!(s.is_truncated(), "{err:?}");
}

#[tokio::test]
async fn a_mid_stream_error_frame_with_a_string_code() {
    let error_frame = r#"{"id":"gen-s","object":"chat.completion.chunk","created":1,"model":"m","error":{"code":"server_error","message":"Provider disconnected","metadata":{"error_type":"provider_unavailable"}},"choices":[{"index":0,"delta":{"content":" last"},"finish_reason":"error"}]}"#;
    let (stream, server) = open(
        Reply::sse([
            format!("data: {}\n\n", chunk("first")),
            ": OPENROUTER PROCESSING\n\n".into(),
            format!("data: {error_frame}\n\n"),
        ])
        .header("x-generation-id", "gen-s")
        .stall(),
    )
    .await;
    assert_eq!(stream.meta().generation_id(), Some("gen-s"));
    assert_eq!(stream.meta().status(), 200);
    let items = drain(stream).await;
    assert_eq!(items.len(), 3, "{items:?}");
    assert_eq!(items[0].as_deref().unwrap(), "first");
    assert_eq!(
        items[1].as_deref().unwrap(),
        " last",
        "the chunk with the error"
    );
    let err = items[2].as_ref().unwrap_err();
    let Error::Stream(s) = err else {
        panic!("expected a stream error, got {err:?}")
    };
    let body = s.api_error().expect("the error body");
    assert_eq!(body.code, ErrorCode::Text("server_error".into()));
    assert_eq!(body.message, "Provider disconnected");
    assert_eq!(body.error_type(), Some("provider_unavailable"));
    assert!(err.to_string().contains("Provider disconnected"), "{err}");
    // The error ended the stream and dropped the body although the server would stall.
    server.wait_closed(1).await;
}

#[tokio::test]
async fn stream_metadata() {
    let (stream, _server) = open(
        Reply::sse(["data: [DONE]\n\n"])
            .header("x-generation-id", "gen-meta")
            .header("x-request-id", "req-meta")
            .header("x-ratelimit-remaining", "7"),
    )
    .await;
    let meta = stream.meta();
    assert_eq!(meta.generation_id(), Some("gen-meta"));
    assert_eq!(meta.request_id(), Some("req-meta"));
    assert_eq!(meta.rate_limit().unwrap().remaining, Some(7));
    assert_eq!(meta.attempts(), 1);
}

#[tokio::test]
async fn the_accumulator_assembles_content_and_tool_calls() {
    let frames = [
        r#"{"id":"gen-t","object":"chat.completion.chunk","created":5,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"Let me "}}]}"#,
        r#"{"id":"gen-t","object":"chat.completion.chunk","created":5,"model":"m","choices":[{"index":0,"delta":{"content":"check."}}]}"#,
        r#"{"id":"gen-t","object":"chat.completion.chunk","created":5,"model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"ci"}}]}}]}"#,
        r#"{"id":"gen-t","object":"chat.completion.chunk","created":5,"model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_2","type":"function","function":{"name":"get_time","arguments":""}}]}}]}"#,
        r#"{"id":"gen-t","object":"chat.completion.chunk","created":5,"model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"ty\":\"Par"}}]}}]}"#,
        r#"{"id":"gen-t","object":"chat.completion.chunk","created":5,"model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"is\"}"}},{"index":1,"function":{"arguments":"{\"tz\":\"CET\"}"}}]}}]}"#,
        r#"{"id":"gen-t","object":"chat.completion.chunk","created":5,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"#,
        r#"{"id":"gen-t","object":"chat.completion.chunk","created":5,"model":"m","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":4,"total_tokens":13}}"#,
    ];
    // Frame boundaries cut through events.
    let text: String = frames
        .iter()
        .map(|f| format!("data: {f}\n\n"))
        .chain([
            ": OPENROUTER PROCESSING\n\n".into(),
            "data: [DONE]\n\n".into(),
        ])
        .collect();
    let pieces: Vec<String> = text
        .as_bytes()
        .chunks(37)
        .map(|c| String::from_utf8(c.to_vec()).unwrap())
        .collect();
    let (mut stream, _server) = open(Reply::sse(pieces)).await;
    let mut acc = ChatAccumulator::new();
    while let Some(chunk) = stream.next().await {
        acc.push(&chunk.unwrap());
    }
    let chat = acc.finish();
    assert_eq!(chat.id, "gen-t");
    assert_eq!(chat.chunks, 8);
    assert_eq!(chat.content(), "Let me check.");
    assert_eq!(chat.finish_reason().unwrap().as_str(), "tool_calls");
    let calls = chat.tool_calls();
    assert_eq!(calls.len(), 2);
    assert_eq!(
        (calls[0].id.as_str(), calls[0].name.as_str()),
        ("call_1", "get_weather")
    );
    assert_eq!(calls[0].arguments, r#"{"city":"Paris"}"#);
    let args: serde_json::Value = calls[0].parse_arguments().unwrap();
    assert_eq!(args["city"], "Paris");
    assert_eq!(
        (calls[1].id.as_str(), calls[1].name.as_str()),
        ("call_2", "get_time")
    );
    assert_eq!(calls[1].arguments, r#"{"tz":"CET"}"#);
    assert_eq!(chat.usage.map(|u| u.total_tokens), Some(13));
}

#[tokio::test]
async fn dropping_the_stream_closes_the_connection() {
    let (mut stream, server) = open(
        Reply::sse([format!("data: {}\n\n", chunk("a"))])
            .every(ms(20), ": OPENROUTER PROCESSING\n\n"),
    )
    .await;
    assert_eq!(
        stream.next().await.unwrap().unwrap().choices[0]
            .delta
            .content
            .as_deref(),
        Some("a")
    );
    assert_eq!(server.closed(), 0);
    drop(stream);
    server.wait_closed(1).await;
}

#[tokio::test]
async fn one_bad_chunk_does_not_end_the_stream() {
    let (stream, _server) = open(Reply::sse([
        format!("data: {}\n\n", chunk("a")),
        // Not a chunk at all (one ill-typed field would be decoded leniently).
        "data: [5]\n\n".into(),
        format!("data: {}\n\n", chunk("b")),
        "data: [DONE]\n\n".into(),
    ]))
    .await;
    let items = drain(stream).await;
    assert_eq!(items.len(), 3, "{items:?}");
    assert!(items[1].is_err());
    assert_eq!(items[2].as_deref().unwrap(), "b");
}

#[tokio::test]
async fn bom_multi_line_data_and_other_fields() {
    let a = chunk("a");
    // The JSON of one event spread over two `data:` lines (joined with a newline).
    let (first, rest) = a.split_at(a.find("\"choices\"").unwrap());
    let body = format!(
        "\u{feff}retry: 1000\nid: 1\nevent: message\ndata: {first}\ndata:{rest}\n\n: comment\nid: 2\ndata: {}\n\ndata: [DONE]\n\n",
        chunk("b")
    );
    let (stream, _server) = open(Reply::sse([body])).await;
    let items = drain(stream).await;
    assert_eq!(contents(&items), ["a", "b"]);
}

#[tokio::test]
async fn an_error_only_frame_mid_stream() {
    let (stream, _server) = open(Reply::sse([
        format!("data: {}\n\n", chunk("a")),
        r#"data: {"error":{"code":429,"message":"Rate limited"}}"#.to_owned() + "\n\n",
        "data: [DONE]\n\n".into(),
    ]))
    .await;
    let items = drain(stream).await;
    assert_eq!(items.len(), 2, "{items:?}");
    let err = items[1].as_ref().unwrap_err();
    let Error::Stream(s) = err else {
        panic!("expected a stream error, got {err:?}")
    };
    assert_eq!(s.api_error().unwrap().code.as_status(), Some(429));
    assert_eq!(err.attempts(), 1);
}

#[tokio::test]
async fn a_stream_error_reports_the_attempts_that_opened_the_stream() {
    let server = Server::start([
        Reply::error(503, "busy"),
        Reply::sse([format!("data: {}\n\n", chunk("a"))]),
    ]);
    let stream = client(&server)
        .chat()
        .create(chat_request())
        .stream()
        .await
        .unwrap();
    assert_eq!(stream.meta().attempts(), 2);
    let items = drain(stream).await;
    let err = items.last().unwrap().as_ref().unwrap_err();
    assert_eq!(err.attempts(), 2, "{err:?}");
    assert_eq!(server.count(), 2);
}
