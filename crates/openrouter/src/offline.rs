//! A transport that answers without a network, with canned OpenRouter responses.
//!
//! [`OfflineTransport`] lets examples, demos and first experiments run with no API key: it
//! answers `GET /credits` and `POST /chat/completions` (whole, or streamed chunk by chunk with a
//! short pause between chunks, like a real model) and says 404 to anything else. For asserting
//! the exact requests your code sends, use the test transports of
//! `openrouter_transport::test_util` (feature `test-util`) instead.
//!
//! # Examples
//!
//! ```
//! # async fn run() -> Result<(), openrouter::Error> {
//! use openrouter::offline::OfflineTransport;
//!
//! let client = openrouter::Client::builder().transport(OfflineTransport::new()).build()?;
//! let credits = client.credits().get().await?;
//! assert!(credits.data.total_credits > 0.0);
//! # Ok(()) }
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(run()).unwrap();
//! ```

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body::{Body, Frame};
use openrouter_transport::{RequestBody, ResponseBody, Transport, TransportError, TransportFuture};

/// Answers a few operations with canned responses, offline. See the [module docs](self).
#[derive(Clone, Debug)]
pub struct OfflineTransport {
    chunk_delay: Duration,
}

impl Default for OfflineTransport {
    fn default() -> Self {
        OfflineTransport {
            chunk_delay: Duration::from_millis(40),
        }
    }
}

impl OfflineTransport {
    /// An offline transport that pauses 40 ms between streamed chunks.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the pause between streamed chunks.
    pub fn chunk_delay(mut self, delay: Duration) -> Self {
        self.chunk_delay = delay;
        self
    }
}

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

fn json(status: StatusCode, body: String) -> Response<ResponseBody> {
    let mut r = Response::new(ResponseBody::from_bytes(body));
    *r.status_mut() = status;
    r.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    r
}

fn chunk(delta: &str, finish: Option<&str>, usage: bool) -> String {
    let mut c = serde_json::json!({
        "id": "gen-offline-1", "object": "chat.completion.chunk", "created": 1_700_000_000u64,
        "model": "openrouter/offline",
        "choices": [{"index": 0, "delta": {"content": delta}, "finish_reason": finish}],
    });
    if usage {
        c["usage"] = serde_json::json!({"prompt_tokens": 12, "completion_tokens": REPLY.len(), "total_tokens": 12 + REPLY.len()});
    }
    format!("data: {c}\n\n")
}

impl Transport for OfflineTransport {
    fn send(&self, request: Request<RequestBody>) -> TransportFuture<'_> {
        let delay = self.chunk_delay;
        Box::pin(async move {
            let path = request.uri().path().to_owned();
            let (parts, body) = request.into_parts();
            let body = body.collect().await.map_err(TransportError::other)?;
            let response = match (parts.method, path.trim_end_matches('/')) {
                (Method::GET, p) if p.ends_with("/credits") => json(
                    StatusCode::OK,
                    r#"{"data":{"total_credits":100.0,"total_usage":12.5}}"#.to_owned(),
                ),
                (Method::POST, p) if p.ends_with("/chat/completions") => {
                    let streaming = serde_json::from_slice::<serde_json::Value>(&body)
                        .ok()
                        .and_then(|v| v.get("stream").and_then(|s| s.as_bool()))
                        .unwrap_or(false);
                    if streaming {
                        let mut chunks: VecDeque<Bytes> =
                            REPLY.iter().map(|t| Bytes::from(chunk(t, None, false))).collect();
                        chunks.push_front(Bytes::from_static(b": OPENROUTER PROCESSING\n\n"));
                        chunks.push_back(Bytes::from(chunk("", Some("stop"), true)));
                        chunks.push_back(Bytes::from_static(b"data: [DONE]\n\n"));
                        let mut r = Response::new(ResponseBody::new(PacedBody { chunks, delay, sleep: None }));
                        r.headers_mut()
                            .insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("text/event-stream"));
                        r.headers_mut().insert("x-generation-id", http::HeaderValue::from_static("gen-offline-1"));
                        r
                    } else {
                        let body = serde_json::json!({
                            "id": "gen-offline-1", "object": "chat.completion", "created": 1_700_000_000u64,
                            "model": "openrouter/offline",
                            "choices": [{"index": 0, "finish_reason": "stop",
                                         "message": {"role": "assistant", "content": REPLY.concat()}}],
                            "usage": {"prompt_tokens": 12, "completion_tokens": REPLY.len(), "total_tokens": 12 + REPLY.len()},
                        });
                        let mut r = json(StatusCode::OK, body.to_string());
                        r.headers_mut().insert("x-generation-id", http::HeaderValue::from_static("gen-offline-1"));
                        r
                    }
                }
                _ => json(
                    StatusCode::NOT_FOUND,
                    r#"{"error":{"code":404,"message":"the offline transport answers only /credits and /chat/completions"}}"#
                        .to_owned(),
                ),
            };
            Ok(response)
        })
    }
}

/// A body that yields its chunks with a pause before each, like a model producing tokens.
struct PacedBody {
    chunks: VecDeque<Bytes>,
    delay: Duration,
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl Body for PacedBody {
    type Data = Bytes;
    type Error = TransportError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, TransportError>>> {
        if self.chunks.is_empty() {
            return Poll::Ready(None);
        }
        let delay = self.delay;
        let sleep = self
            .sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(delay)));
        if sleep.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        self.sleep = None;
        Poll::Ready(self.chunks.pop_front().map(|c| Ok(Frame::data(c))))
    }

    fn is_end_stream(&self) -> bool {
        self.chunks.is_empty()
    }
}
