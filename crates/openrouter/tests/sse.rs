//! Integration tests of the SSE layer: framing through the streams, end-of-stream rules,
//! mid-stream errors, decode errors, chunking independence, timeouts and dropping.

use std::collections::VecDeque;
use std::error::Error as _;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use http_body::{Body, Frame};
use openrouter::sse::{
    ChatAccumulator, EventStream, SseEvent, SseStream, StreamError, StreamOptions,
};
use openrouter::types::chat::StreamChunk;
use openrouter::types::error::ErrorCode;
use openrouter_transport::{ResponseBody, TransportError, TransportErrorKind};
use tokio::time::{Instant, Sleep};

/// A body that yields chunks, each after an optional delay, then optionally repeats one chunk
/// forever, and records when it is dropped.
#[derive(Default)]
struct TestBody {
    chunks: VecDeque<(Duration, Result<Bytes, TransportError>)>,
    forever: Option<(Duration, Bytes)>,
    sleep: Option<Pin<Box<Sleep>>>,
    dropped: DropFlag,
}

/// Set when the body that owns it is dropped.
#[derive(Default)]
struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

impl TestBody {
    fn new<I, C>(chunks: I) -> Self
    where
        I: IntoIterator<Item = C>,
        C: Into<Bytes>,
    {
        Self::delayed(chunks, Duration::ZERO)
    }

    fn delayed<I, C>(chunks: I, delay: Duration) -> Self
    where
        I: IntoIterator<Item = C>,
        C: Into<Bytes>,
    {
        TestBody {
            chunks: chunks.into_iter().map(|c| (delay, Ok(c.into()))).collect(),
            ..Default::default()
        }
    }

    fn then_forever(mut self, delay: Duration, chunk: &'static str) -> Self {
        self.forever = Some((delay, Bytes::from_static(chunk.as_bytes())));
        self
    }

    fn then_error(mut self, err: TransportError) -> Self {
        self.chunks.push_back((Duration::ZERO, Err(err)));
        self
    }

    fn drop_flag(&self) -> Arc<AtomicBool> {
        self.dropped.0.clone()
    }
}

impl Body for TestBody {
    type Data = Bytes;
    type Error = TransportError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, TransportError>>> {
        let this = self.get_mut();
        let delay = match (this.chunks.front(), &this.forever) {
            (Some((delay, _)), _) => *delay,
            (None, Some((delay, _))) => *delay,
            (None, None) => return Poll::Ready(None),
        };
        if !delay.is_zero() {
            let sleep = this
                .sleep
                .get_or_insert_with(|| Box::pin(tokio::time::sleep(delay)));
            if sleep.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            this.sleep = None;
        }
        let item = match this.chunks.pop_front() {
            Some((_, item)) => item,
            None => Ok(this.forever.as_ref().unwrap().1.clone()),
        };
        Poll::Ready(Some(item.map(Frame::data)))
    }
}

fn chunk_json(i: usize) -> String {
    format!(
        r#"{{"id":"gen-1","object":"chat.completion.chunk","created":1700000000,"model":"openai/gpt-4o","choices":[{{"index":0,"delta":{{"content":"tok{i} ","role":"assistant"}},"finish_reason":null}}]}}"#
    )
}

const USAGE: &str = r#"{"id":"gen-1","object":"chat.completion.chunk","created":1700000000,"model":"openai/gpt-4o","choices":[{"index":0,"delta":{"content":""},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,"completion_tokens":3,"total_tokens":13,"cost":0.001}}"#;

/// A realistic stream with comments, CRLF and LF line ends, a BOM, ids and an event name.
fn realistic_stream() -> Vec<u8> {
    let mut s = Vec::new();
    s.extend_from_slice(b"\xEF\xBB\xBF: OPENROUTER PROCESSING\n\n");
    for i in 0..6 {
        let eol: &str = match i % 3 {
            0 => "\n",
            1 => "\r\n",
            _ => "\r",
        };
        if i == 3 {
            s.extend_from_slice(format!(": OPENROUTER PROCESSING{eol}{eol}").as_bytes());
        }
        s.extend_from_slice(format!("id: {i}{eol}data: {}{eol}{eol}", chunk_json(i)).as_bytes());
    }
    s.extend_from_slice(format!("data: {USAGE}\n\ndata: [DONE]\n\n").as_bytes());
    s
}

/// Collects a stream to a comparable form.
async fn collect<T: serde::de::DeserializeOwned + std::fmt::Debug>(
    stream: EventStream<T, TestBody>,
) -> Vec<Result<T, String>> {
    stream
        .map(|item| item.map_err(|err| format!("{err:?}")))
        .collect()
        .await
}

#[tokio::test]
async fn chat_stream_is_decoded_and_ends_at_done() {
    let stream = EventStream::<StreamChunk, _>::new(TestBody::new([realistic_stream()]));
    let items = collect(stream).await;
    assert_eq!(items.len(), 7);
    let mut acc = ChatAccumulator::new();
    for item in &items {
        acc.push(item.as_ref().unwrap());
    }
    let chat = acc.finish();
    assert_eq!(chat.content(), "tok0 tok1 tok2 tok3 tok4 tok5 ");
    assert_eq!(chat.usage.as_ref().unwrap().total_tokens, 13);
    assert_eq!(chat.finish_reason().unwrap().as_str(), "stop");
}

#[tokio::test]
async fn every_split_point_gives_the_same_chunks() {
    let bytes = realistic_stream();
    let whole = collect(EventStream::<StreamChunk, _>::new(TestBody::new([
        bytes.clone()
    ])))
    .await;
    for at in 0..=bytes.len() {
        let body = TestBody::new([bytes[..at].to_vec(), bytes[at..].to_vec()]);
        let items = collect(EventStream::<StreamChunk, _>::new(body)).await;
        assert_eq!(items, whole, "split at {at}");
    }
    // One byte per frame.
    let body = TestBody::new(bytes.iter().map(|b| vec![*b]));
    assert_eq!(
        collect(EventStream::<StreamChunk, _>::new(body)).await,
        whole
    );
}

#[tokio::test]
async fn random_chunkings_give_the_same_chunks() {
    let bytes = realistic_stream();
    let whole = collect(EventStream::<StreamChunk, _>::new(TestBody::new([
        bytes.clone()
    ])))
    .await;
    // A small deterministic generator (no dependency on `rand`).
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..300 {
        let mut chunks = Vec::new();
        let mut rest = &bytes[..];
        while !rest.is_empty() {
            let n = (next() % 40) as usize + 1;
            let n = n.min(rest.len());
            chunks.push(rest[..n].to_vec());
            rest = &rest[n..];
        }
        let items = collect(EventStream::<StreamChunk, _>::new(TestBody::new(chunks))).await;
        assert_eq!(items, whole);
    }
}

#[tokio::test]
async fn line_endings_through_the_stream() {
    for input in [
        "data: 1\n\ndata: 2\n\ndata: [DONE]\n\n",
        "data: 1\r\n\r\ndata: 2\r\n\r\ndata: [DONE]\r\n\r\n",
        "data: 1\r\rdata: 2\r\rdata: [DONE]\r\r",
    ] {
        let items = collect(EventStream::<u32, _>::new(TestBody::new([input]))).await;
        assert_eq!(items, [Ok(1), Ok(2)], "{input:?}");
    }
}

#[tokio::test]
async fn multi_line_data_is_joined() {
    let body = TestBody::new(["data: {\"a\":\ndata: [1,\ndata: 2]}\n\ndata: [DONE]\n\n"]);
    let items = collect(EventStream::<serde_json::Value, _>::new(body)).await;
    assert_eq!(items, [Ok(serde_json::json!({"a": [1, 2]}))]);
}

#[tokio::test]
async fn eof_without_done_is_truncated() {
    let body = TestBody::new(["data: 1\n\ndata: 2\n\n"]);
    let mut stream = EventStream::<u32, _>::new(body);
    assert_eq!(stream.next().await.unwrap().unwrap(), 1);
    assert_eq!(stream.next().await.unwrap().unwrap(), 2);
    let err = stream.next().await.unwrap().unwrap_err();
    assert!(err.is_truncated(), "{err:?}");
    assert!(err.is_terminal());
    assert!(stream.next().await.is_none());
    assert!(stream.next().await.is_none());

    // Cut in the middle of an event.
    let body = TestBody::new(["data: 1\n\ndata: {\"partial"]);
    let items = collect(EventStream::<u32, _>::new(body)).await;
    assert_eq!(items.len(), 2);
    assert!(items[1].as_ref().unwrap_err().contains("Truncated"));

    // An empty body.
    let items = collect(EventStream::<u32, _>::new(TestBody::new(
        Vec::<Bytes>::new(),
    )))
    .await;
    assert_eq!(items, [Err("Truncated".to_owned())]);
}

#[tokio::test]
async fn done_without_a_final_blank_line_is_accepted() {
    let items = collect(EventStream::<u32, _>::new(TestBody::new([
        "data: 1\n\ndata: [DONE]",
    ])))
    .await;
    assert_eq!(items, [Ok(1)]);
    let items = collect(EventStream::<u32, _>::new(TestBody::new([
        "data: 1\n\ndata: [DONE]\n",
    ])))
    .await;
    assert_eq!(items, [Ok(1)]);
}

#[tokio::test]
async fn done_stops_reading_and_drops_the_body() {
    // Bytes after the sentinel are never read: the body stalls forever after it.
    let body = TestBody::new(["data: 1\n\ndata: [DONE]\n\n"])
        .then_forever(Duration::from_secs(3600), "data: 2\n\n");
    let dropped = body.drop_flag();
    let mut stream = EventStream::<u32, _>::new(body);
    assert_eq!(stream.next().await.unwrap().unwrap(), 1);
    assert!(stream.next().await.is_none());
    assert!(
        dropped.load(Ordering::SeqCst),
        "the body is dropped at the end"
    );
    assert!(stream.is_terminated());
}

#[tokio::test]
async fn without_sentinel_eof_is_the_end() {
    let options = StreamOptions::new().with_done_sentinel(None);
    let body = TestBody::new(["data: 1\n\ndata: [DONE]\n\ndata: 2\n\n"]);
    let stream = EventStream::<serde_json::Value, _>::with_options(body, options);
    let items = collect(stream).await;
    assert_eq!(items.len(), 3);
    assert!(items[1].as_ref().unwrap_err().contains("Decode"));
    assert_eq!(items[2], Ok(serde_json::json!(2)));
}

#[tokio::test]
async fn raw_events_with_names_anthropic_shape() {
    let body = TestBody::new([concat!(
        "event: message_start\n",
        "data: {\"type\":\"message_start\"}\n\n",
        ": ping\n\n",
        "event: content_block_delta\n",
        "id: 42\n",
        "data: {\"type\":\"content_block_delta\"}\n\n",
        "event: message_stop\n",
        "data: {\"type\":\"message_stop\"}\n\n",
    )]);
    let mut stream = SseStream::with_options(body, StreamOptions::new().with_done_sentinel(None));
    let mut events = Vec::new();
    while let Some(event) = stream.next().await {
        events.push(event.unwrap());
    }
    assert_eq!(
        events,
        [
            SseEvent::new(r#"{"type":"message_start"}"#).with_event("message_start"),
            SseEvent::new(r#"{"type":"content_block_delta"}"#)
                .with_event("content_block_delta")
                .with_id("42"),
            SseEvent::new(r#"{"type":"message_stop"}"#)
                .with_event("message_stop")
                .with_id("42"),
        ]
    );
    assert_eq!(stream.events_received(), 3);
    assert_eq!(stream.comments_received(), 1);
}

const ERROR_FRAME_STRING: &str = r#"{"id":"gen-1","object":"chat.completion.chunk","created":1700000000,"model":"openai/gpt-4o","provider":"OpenAI","error":{"code":"server_error","message":"Provider disconnected unexpectedly","metadata":{"error_type":"provider_unavailable","provider_code":"eof"}},"choices":[{"index":0,"delta":{"content":" last"},"finish_reason":"error"}]}"#;
const ERROR_FRAME_NUMBER: &str = r#"{"id":"gen-1","object":"chat.completion.chunk","created":1700000000,"model":"openai/gpt-4o","error":{"code":502,"message":"Bad gateway"},"choices":[{"index":0,"delta":{"content":""},"finish_reason":"error"}]}"#;

#[tokio::test]
async fn mid_stream_error_with_string_code() {
    let input = format!(
        "data: {}\n\n: OPENROUTER PROCESSING\n\ndata: {ERROR_FRAME_STRING}\n\ndata: [DONE]\n\n",
        chunk_json(0)
    );
    let body = TestBody::new([input]);
    let dropped = body.drop_flag();
    let mut stream = EventStream::<StreamChunk, _>::new(body);
    let mut acc = ChatAccumulator::new();
    acc.push(&stream.next().await.unwrap().unwrap());
    // The chunk that came with the error is yielded first...
    let partial = stream.next().await.unwrap().unwrap();
    assert_eq!(
        partial.choices[0].finish_reason.as_ref().unwrap().as_str(),
        "error"
    );
    acc.push(&partial);
    // ...then the error, which ends the stream.
    let err = stream.next().await.unwrap().unwrap_err();
    let api = err.api_error().expect("an API error");
    assert_eq!(api.code, ErrorCode::Text("server_error".into()));
    assert_eq!(api.message, "Provider disconnected unexpectedly");
    assert_eq!(api.error_type(), Some("provider_unavailable"));
    assert_eq!(
        api.metadata_field("provider_code").and_then(|v| v.as_str()),
        Some("eof")
    );
    assert_eq!(
        err.to_string(),
        "the server reported an error mid-stream (server_error): Provider disconnected unexpectedly"
    );
    assert!(
        dropped.load(Ordering::SeqCst),
        "the body is dropped at the error"
    );
    assert!(stream.next().await.is_none());
    let chat = acc.finish();
    assert_eq!(chat.content(), "tok0  last");
    assert_eq!(chat.finish_reason().unwrap().as_str(), "error");
}

#[tokio::test]
async fn mid_stream_error_with_numeric_code() {
    let input = format!("data: {ERROR_FRAME_NUMBER}\n\n");
    let items = collect(EventStream::<StreamChunk, _>::new(TestBody::new([
        input.clone()
    ])))
    .await;
    assert_eq!(items.len(), 2);
    assert!(items[0].is_ok());

    let mut stream = EventStream::<StreamChunk, _>::new(TestBody::new([input]));
    let _ = stream.next().await;
    let err = stream.next().await.unwrap().unwrap_err();
    let api = err.api_error().unwrap();
    assert_eq!(api.code.as_status(), Some(502));
    assert_eq!(api.message, "Bad gateway");
    assert!(stream.next().await.is_none());
}

#[tokio::test]
async fn error_only_frame_is_an_api_error() {
    // Not a valid chunk (no id, no choices): the error alone is reported, not a decode error.
    let body = TestBody::new([
        r#"data: {"error":{"code":429,"message":"Rate limited","metadata":{"retry_after":3}}}"#
            .to_owned()
            + "\n\n",
    ]);
    let items: Vec<_> = EventStream::<StreamChunk, _>::new(body).collect().await;
    assert_eq!(items.len(), 1);
    let err = items.into_iter().next().unwrap().unwrap_err();
    assert!(matches!(&err, StreamError::Api(body) if body.code.as_status() == Some(429)));
    assert_eq!(
        err.api_error().unwrap().metadata_field("retry_after"),
        Some(&serde_json::json!(3))
    );
}

#[tokio::test]
async fn error_null_and_error_in_content_are_not_errors() {
    let input = format!(
        "data: {}\n\ndata: {}\n\ndata: [DONE]\n\n",
        r#"{"id":"g","object":"chat.completion.chunk","created":1,"model":"m","error":null,"choices":[]}"#,
        r#"{"id":"g","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"\"error\": {\"code\": 1}"}}]}"#,
    );
    let items = collect(EventStream::<StreamChunk, _>::new(TestBody::new([input]))).await;
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(Result::is_ok), "{items:?}");
}

#[tokio::test]
async fn api_error_detection_can_be_switched_off() {
    let input = format!("data: {ERROR_FRAME_NUMBER}\n\ndata: [DONE]\n\n");
    let options = StreamOptions::new().with_detect_api_errors(false);
    let items = collect(EventStream::<StreamChunk, _>::with_options(
        TestBody::new([input]),
        options,
    ))
    .await;
    assert_eq!(items.len(), 1);
    assert!(items[0].as_ref().unwrap().error.is_some());
}

#[tokio::test]
async fn invalid_json_is_a_decode_error_and_the_stream_goes_on() {
    let bad_type = r#"{"id":"g","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":"zero","delta":{}}]}"#;
    let bad_shape = r#"[{"id":"g"}]"#;
    let input = format!(
        "data: {}\n\ndata: {{not json\n\ndata: {bad_type}\n\ndata: {bad_shape}\n\ndata: {}\n\ndata: [DONE]\n\n",
        chunk_json(0),
        chunk_json(1)
    );
    let mut stream = EventStream::<StreamChunk, _>::new(TestBody::new([input]));
    assert!(stream.next().await.unwrap().is_ok());

    let err = stream.next().await.unwrap().unwrap_err();
    assert!(err.is_decode() && !err.is_terminal());
    assert_eq!(err.decode_body(), Some("{not json"));
    assert!(err.source().is_some());

    // One ill-typed field does not lose the chunk: it is recorded and kept as sent.
    let chunk = stream.next().await.unwrap().unwrap();
    assert!(chunk.choices[0].decode_issues().invalid().eq(["index"]));
    assert_eq!(chunk.choices[0].extra["index"], "zero");

    // A chunk whose shape does not fit at all is a decode error.
    let err = stream.next().await.unwrap().unwrap_err();
    match &err {
        StreamError::Decode {
            type_name,
            path,
            body,
            ..
        } => {
            assert!(type_name.ends_with("ChatStreamChunk"), "{type_name}");
            assert_eq!(path, ".");
            assert_eq!(body, bad_shape);
        }
        other => panic!("{other:?}"),
    }
    assert!(!err.to_string().contains(&err.source().unwrap().to_string()));

    // Data after the bad chunks still arrives.
    let chunk = stream.next().await.unwrap().unwrap();
    assert_eq!(chunk.choices[0].delta.content.as_deref(), Some("tok1 "));
    assert!(stream.next().await.is_none());
}

#[tokio::test]
async fn invalid_utf8_ends_the_stream() {
    let body = TestBody::new([&b"data: 1\n\ndata: \xC3\x28\n\ndata: 2\n\n"[..]]);
    let dropped = body.drop_flag();
    let mut stream = EventStream::<u32, _>::new(body);
    assert_eq!(stream.next().await.unwrap().unwrap(), 1);
    let err = stream.next().await.unwrap().unwrap_err();
    assert!(matches!(err, StreamError::InvalidUtf8(_)), "{err:?}");
    assert!(err.source().unwrap().to_string().contains("byte 15"));
    assert!(dropped.load(Ordering::SeqCst));
    assert!(stream.next().await.is_none());
}

#[tokio::test]
async fn transport_error_is_reported_after_the_data() {
    let body = TestBody::new(["data: 1\n\n"]).then_error(TransportError::with_message(
        TransportErrorKind::Io,
        "connection reset",
    ));
    let mut stream = EventStream::<u32, _>::new(body);
    assert_eq!(stream.next().await.unwrap().unwrap(), 1);
    let err = stream.next().await.unwrap().unwrap_err();
    assert_eq!(
        err.transport_error().unwrap().kind(),
        TransportErrorKind::Io
    );
    assert_eq!(err.to_string(), "reading the event stream failed");
    assert!(err.source().is_some());
    assert!(stream.next().await.is_none());
}

#[tokio::test(start_paused = true)]
async fn idle_timeout_fires_on_a_comment_only_stream() {
    let body = TestBody::new(["data: 1\n\n"])
        .then_forever(Duration::from_secs(1), ": OPENROUTER PROCESSING\n\n");
    let dropped = body.drop_flag();
    let options = StreamOptions::new().with_idle_timeout(Some(Duration::from_secs(5)));
    let mut stream = EventStream::<u32, _>::with_options(body, options);
    let start = Instant::now();
    assert_eq!(stream.next().await.unwrap().unwrap(), 1);
    let err = stream.next().await.unwrap().unwrap_err();
    assert!(
        matches!(err, StreamError::IdleTimeout { timeout } if timeout == Duration::from_secs(5)),
        "{err:?}"
    );
    assert!(err.is_timeout());
    let elapsed = start.elapsed();
    assert!(
        elapsed >= Duration::from_secs(5) && elapsed < Duration::from_secs(6),
        "{elapsed:?}"
    );
    // Keep-alives were received and did not reset the timer.
    assert!(stream.get_ref().comments_received() >= 4);
    assert!(
        dropped.load(Ordering::SeqCst),
        "the body is dropped at the timeout"
    );
    assert!(stream.next().await.is_none());
}

#[tokio::test(start_paused = true)]
async fn idle_timeout_does_not_fire_while_data_arrives() {
    let mut chunks: Vec<String> = (0..30)
        .map(|i| format!(": keep-alive\n\ndata: {i}\n\n"))
        .collect();
    chunks.push("data: [DONE]\n\n".into());
    let body = TestBody::delayed(chunks, Duration::from_secs(3));
    let options = StreamOptions::new().with_idle_timeout(Some(Duration::from_secs(5)));
    let start = Instant::now();
    let items = collect(EventStream::<u32, _>::with_options(body, options)).await;
    assert_eq!(items, (0..30).map(Ok).collect::<Vec<_>>());
    assert!(start.elapsed() >= Duration::from_secs(90));
}

#[tokio::test(start_paused = true)]
async fn idle_timeout_counts_from_creation_for_the_first_event() {
    let body = TestBody::new(Vec::<Bytes>::new())
        .then_forever(Duration::from_millis(500), ": OPENROUTER PROCESSING\n\n");
    let options = StreamOptions::new().with_idle_timeout(Some(Duration::from_secs(2)));
    let mut stream = SseStream::with_options(body, options);
    let start = Instant::now();
    let err = stream.next().await.unwrap().unwrap_err();
    assert!(matches!(err, StreamError::IdleTimeout { .. }), "{err:?}");
    assert_eq!(start.elapsed(), Duration::from_secs(2));
}

#[tokio::test(start_paused = true)]
async fn deadline_ends_a_stream_that_keeps_sending() {
    let body =
        TestBody::new(Vec::<Bytes>::new()).then_forever(Duration::from_secs(1), "data: 1\n\n");
    let options = StreamOptions::new()
        .with_idle_timeout(Some(Duration::from_secs(5)))
        .with_deadline(Some(Duration::from_secs(10)));
    let start = Instant::now();
    let items = collect(EventStream::<u32, _>::with_options(body, options)).await;
    let (last, data) = items.split_last().unwrap();
    assert!(last.as_ref().unwrap_err().contains("Deadline"), "{last:?}");
    assert!((9..=10).contains(&data.len()), "{}", data.len());
    assert_eq!(start.elapsed(), Duration::from_secs(10));
}

/// Runs a test's future on a runtime of its own thread, and fails the test if it has not
/// finished within `limit`.
///
/// `tokio::time::timeout` cannot catch the bug these tests guard against: a stream whose body
/// is always ready and never yields keeps its task, and so the timeout's own timer, from ever
/// running again. The test would hang rather than fail. A watchdog on another thread can fail it.
fn finishes_within<F, Fut>(limit: Duration, test: F)
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = ()>,
{
    let (done, finished) = std::sync::mpsc::channel();
    let runner = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime for the test");
        runtime.block_on(test());
        let _ = done.send(());
    });
    match finished.recv_timeout(limit) {
        Ok(()) => runner.join().expect("the test's thread ended"),
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => match runner.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => unreachable!("the test's thread ends by sending or by panicking"),
        },
        // The runner is left behind; the test binary's exit ends it.
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            panic!("not finished within {limit:?}: the stream never yielded to the runtime")
        }
    }
}

/// Real time, because a body that is always ready never lets paused time advance.
#[test]
fn idle_timeout_fires_on_a_comment_flood_that_is_always_ready() {
    finishes_within(Duration::from_secs(10), || async {
        let body = TestBody::new(Vec::<Bytes>::new()).then_forever(Duration::ZERO, ": flood\n\n");
        let options = StreamOptions::new().with_idle_timeout(Some(Duration::from_millis(100)));
        // Taken before the stream, whose idle timer counts from its creation.
        let start = Instant::now();
        let mut stream = SseStream::with_options(body, options);
        let err = stream.next().await.unwrap().unwrap_err();
        assert!(matches!(err, StreamError::IdleTimeout { .. }), "{err:?}");
        assert!(start.elapsed() >= Duration::from_millis(100));
        assert!(stream.comments_received() > 16);
    });
}

/// Real time, as above: every poll of this stream finds an event, so the task never yields.
#[test]
fn deadline_ends_an_event_flood_that_is_always_ready() {
    finishes_within(Duration::from_secs(10), || async {
        let body = TestBody::new(Vec::<Bytes>::new()).then_forever(Duration::ZERO, "data: 1\n\n");
        let options = StreamOptions::new().with_deadline(Some(Duration::from_millis(100)));
        // Taken before the stream, whose deadline counts from its creation.
        let start = Instant::now();
        let mut stream = EventStream::<u32, _>::with_options(body, options);
        let mut events = 0;
        let err = loop {
            match stream.next().await {
                Some(Ok(1)) => events += 1,
                other => break other.unwrap().unwrap_err(),
            }
        };
        assert!(matches!(err, StreamError::Deadline { .. }), "{err:?}");
        assert!(start.elapsed() >= Duration::from_millis(100));
        assert!(events > 0);
        assert!(stream.next().await.is_none());
    });
}

#[tokio::test]
async fn dropping_the_stream_drops_the_body() {
    let body = TestBody::new(["data: 1\n\n"]).then_forever(Duration::from_secs(3600), ": x\n\n");
    let dropped = body.drop_flag();
    let mut stream = EventStream::<u32, _>::new(body);
    assert_eq!(stream.next().await.unwrap().unwrap(), 1);
    assert!(!dropped.load(Ordering::SeqCst));
    drop(stream);
    assert!(dropped.load(Ordering::SeqCst));
}

#[tokio::test]
async fn works_over_a_response_body() {
    let body = TestBody::new(["data: 1\n", "\ndata: [DONE]\n\n"]);
    let dropped = body.drop_flag();
    let stream: EventStream<u32> = EventStream::new(ResponseBody::new(body));
    let items: Vec<_> = stream.collect().await;
    assert_eq!(items.len(), 1);
    assert!(dropped.load(Ordering::SeqCst));
}

#[test]
fn streams_are_send_sync_and_unpin() {
    fn check<T: Send + Sync + Unpin>() {}
    check::<EventStream<StreamChunk>>();
    check::<SseStream>();
}
