//! A transport that answers without a network, with canned OpenRouter responses.
//!
//! [`OfflineTransport`] lets examples, demos and first experiments run with no API key. It
//! answers every operation of the API that a canned answer makes sense for:
//!
//! - a request is matched to its operation by method and path template (the operation table,
//!   `openrouter_types::generated::operations::OPERATIONS`; a `{param}` segment matches any
//!   one segment, and a literal segment beats a parameter: `/keys/current` before
//!   `/keys/{hash}`); the base URL's own path (`/api/v1`) is whatever comes before;
//! - JSON operations get their success status and a body generated from the spec
//!   (`offline/answers.rs`, written by `cargo xtask codegen`): the spec's response example
//!   where it has one, else a value made from the response schema. Each decodes into the
//!   operation's response type. A paginated listing answers its first page only (a later
//!   offset or a cursor gets an empty page), so `.items()` and `.pages()` end;
//! - binary operations (speech, file and video downloads) get a few bytes of the declared
//!   content type;
//! - chat completions, responses and Anthropic messages are answered by hand, whole or
//!   streamed event by event in each protocol's shape with a short pause between events, like a
//!   real model. A chat request that offers tools, and whose last message is not a tool result,
//!   is answered with a call of the first function tool (whole or streamed);
//! - anything else (an unknown path, a stream of an operation that has no offline stream)
//!   gets a 404 whose message says that the offline transport has no answer for it.
//!
//! The answers are canned: they do not depend on the request beyond the above, and nothing is
//! stored (a created key is not listed afterwards). For asserting the exact requests your code
//! sends, use the test transports of `openrouter_transport::test_util` (feature `test-util`)
//! instead.
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
//! let models = client.models().list(Default::default()).await?;
//! assert!(!models.data.is_empty());
//! # Ok(()) }
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(run()).unwrap();
//! ```

mod answers;
mod streams;

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body::{Body, Frame};
use openrouter_transport::{RequestBody, ResponseBody, Transport, TransportError, TransportFuture};
use openrouter_types::operation::{Operation, Pagination, ResponseKind};
use serde_json::Value;

/// Answers every operation with a canned response, offline. See the [module docs](self).
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
    /// An offline transport that pauses 40 ms between streamed events.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the pause between streamed events.
    pub fn chunk_delay(mut self, delay: Duration) -> Self {
        self.chunk_delay = delay;
        self
    }
}

/// One operation's canned answer (the table is generated: `answers.rs`).
struct Answer {
    operation: &'static Operation,
    /// The success status.
    status: u16,
    body: Canned,
}

/// Where a canned JSON answer comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    /// The spec's response example.
    Example,
    /// Made from the response schema.
    Synthesized,
}

enum Canned {
    Empty,
    Json {
        #[allow(dead_code)] // read by the tests
        source: Source,
        text: &'static str,
    },
    Binary {
        content_type: &'static str,
        bytes: &'static [u8],
    },
}

/// The answer of the operation that `method` and `path` call: the one whose template matches
/// the end of the path with the most literal segments.
fn find(method: &Method, path: &str) -> Option<&'static Answer> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    let mut best: Option<(&'static Answer, usize, usize)> = None;
    for answer in answers::ANSWERS {
        let op = answer.operation;
        if op.http_method != method.as_str() {
            continue;
        }
        let template: Vec<&str> = op.path.split('/').skip(1).collect();
        if template.len() > segments.len() {
            continue;
        }
        let tail = &segments[segments.len() - template.len()..];
        let mut literals = 0;
        let fits = template.iter().zip(tail).all(|(t, s)| {
            if t.starts_with('{') && t.ends_with('}') {
                !s.is_empty()
            } else {
                literals += 1;
                t == s
            }
        });
        // More literal segments first, then the longer template (the base path is shorter).
        let better = best.is_none_or(|(_, l, n)| (literals, template.len()) > (l, n));
        if fits && better {
            best = Some((answer, literals, template.len()));
        }
    }
    best.map(|(a, _, _)| a)
}

fn json(status: StatusCode, body: String) -> Response<ResponseBody> {
    let mut r = Response::new(ResponseBody::from_bytes(body));
    *r.status_mut() = status;
    r.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    r
}

fn not_found(message: &str) -> Response<ResponseBody> {
    let body = serde_json::json!({"error": {"code": 404, "message": message}});
    json(StatusCode::NOT_FOUND, body.to_string())
}

/// A paginated listing's page past the first: the canned page with no items and nothing more.
fn later_page(op: &Operation, query: Option<&str>, text: &str) -> Option<String> {
    let pairs = || {
        query
            .unwrap_or("")
            .split('&')
            .filter_map(|kv| kv.split_once('='))
    };
    let (later, results) = match op.pagination? {
        Pagination::OffsetLimit { results } => (
            pairs().any(|(k, v)| k == "offset" && v.parse::<u64>().is_ok_and(|n| n > 0)),
            results,
        ),
        Pagination::Cursor { param, results, .. } => {
            (pairs().any(|(k, v)| k == param && !v.is_empty()), results)
        }
        _ => return None,
    };
    if !later {
        return None;
    }
    let mut page: Value = serde_json::from_str(text).ok()?;
    let mut at = &mut page;
    for key in results.trim_start_matches("$.").split('.') {
        at = at.get_mut(key)?;
    }
    *at = Value::Array(Vec::new());
    if let Some(more) = page.get_mut("has_more") {
        *more = Value::Bool(false);
    }
    Some(page.to_string())
}

/// The answer to one request.
fn answer(
    method: &Method,
    path: &str,
    query: Option<&str>,
    body: &[u8],
    delay: Duration,
) -> Response<ResponseBody> {
    let Some(answer) = find(method, path) else {
        return not_found(&format!(
            "the offline transport has no answer for {method} {path}: it is not an operation of the API"
        ));
    };
    let op = answer.operation;
    let request: Option<Value> = serde_json::from_slice(body).ok();
    let streaming = op.stream_field.is_some_and(|field| {
        request
            .as_ref()
            .and_then(|v| v.get(field))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }) || matches!(op.response, ResponseKind::Sse { .. });
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    let request = request.unwrap_or(Value::Null);
    match (op.path, streaming) {
        ("/chat/completions", false) => streams::chat(&request),
        ("/chat/completions", true) => streams::chat_stream(&request, delay),
        ("/responses", false) => streams::responses(),
        ("/responses", true) => streams::responses_stream(delay),
        ("/messages", false) => streams::messages(),
        ("/messages", true) => streams::messages_stream(delay),
        (_, true) => not_found(&format!(
            "the offline transport has no stream for {} {}; call it without `.stream()`",
            op.http_method, op.path
        )),
        (_, false) => match answer.body {
            Canned::Empty => {
                let mut r = Response::new(ResponseBody::from_bytes(Bytes::new()));
                *r.status_mut() = status;
                r
            }
            Canned::Json { text, .. } => {
                let body = later_page(op, query, text).unwrap_or_else(|| text.to_owned());
                json(status, body)
            }
            Canned::Binary {
                content_type,
                bytes,
            } => {
                let mut r = Response::new(ResponseBody::from_bytes(Bytes::from_static(bytes)));
                *r.status_mut() = status;
                r.headers_mut().insert(
                    http::header::CONTENT_TYPE,
                    http::HeaderValue::from_static(content_type),
                );
                r
            }
        },
    }
}

impl Transport for OfflineTransport {
    fn send(&self, request: Request<RequestBody>) -> TransportFuture<'_> {
        let delay = self.chunk_delay;
        Box::pin(async move {
            let path = request.uri().path().to_owned();
            let query = request.uri().query().map(str::to_owned);
            let (parts, body) = request.into_parts();
            let body = body.collect().await.map_err(TransportError::other)?;
            Ok(answer(&parts.method, &path, query.as_deref(), &body, delay))
        })
    }
}

/// A response whose body is `chunks` of an event stream, paced by `delay`.
fn event_stream(chunks: VecDeque<Bytes>, delay: Duration) -> Response<ResponseBody> {
    let mut r = Response::new(ResponseBody::new(PacedBody {
        chunks,
        delay,
        sleep: None,
    }));
    r.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/event-stream"),
    );
    r
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

#[cfg(test)]
mod tests {
    use super::*;
    use openrouter_types::generated::operations::OPERATIONS;

    #[test]
    fn one_answer_per_operation_in_table_order() {
        assert_eq!(answers::ANSWERS.len(), OPERATIONS.len());
        for (answer, op) in answers::ANSWERS.iter().zip(OPERATIONS) {
            assert_eq!(answer.operation.id, op.id);
            assert_eq!(answer.status, op.success_status);
        }
    }

    #[test]
    fn every_operation_is_found_by_its_own_path() {
        for op in OPERATIONS {
            let path = format!("/api/v1{}", op.path.replace('{', "x").replace('}', ""));
            let method = Method::from_bytes(op.http_method.as_bytes()).unwrap();
            let found = find(&method, &path).map(|a| a.operation.id);
            assert_eq!(found, Some(op.id), "{} {}", op.http_method, op.path);
        }
    }

    #[test]
    fn json_answers_come_from_examples_or_schemas() {
        let (mut example, mut synthesized) = (0, 0);
        for answer in answers::ANSWERS {
            if let Canned::Json { source, text } = answer.body {
                serde_json::from_str::<Value>(text).expect("canned JSON parses");
                match source {
                    Source::Example => example += 1,
                    Source::Synthesized => synthesized += 1,
                }
            }
        }
        // Most operations have an example in the spec (103 of 145 in the 2026-10-30 snapshot).
        assert!(
            example > synthesized,
            "{example} examples, {synthesized} synthesized"
        );
    }

    #[test]
    fn later_pages_are_empty() {
        let models = find(&Method::GET, "/api/v1/models").unwrap();
        let Canned::Json { text, .. } = models.body else {
            panic!("models answer JSON")
        };
        let page = later_page(models.operation, Some("offset=100&limit=100"), text).unwrap();
        let page: Value = serde_json::from_str(&page).unwrap();
        assert_eq!(page["data"], Value::Array(Vec::new()));
        assert!(later_page(models.operation, Some("limit=100"), text).is_none());
    }
}
