//! Record and replay: real traffic written to a file (a *cassette*), then played back in tests,
//! offline and deterministically.
//!
//! [`CassetteRecorder`] wraps a real transport: every exchange goes through it, and when its
//! response body has been read (or dropped) the exchange is added to the file, which is
//! rewritten whole each time so that a test that fails half-way still leaves what it saw.
//! [`CassettePlayer`] reads the file and answers each request with the recorded response
//! whose method, path (with its query) and body match, each recording used once, in order.
//! Streams keep their chunk boundaries, so a replayed event stream arrives in the same pieces.
//! [`record_or_replay`] picks one: it records when a key is in the environment and replays
//! otherwise, so the same test runs against the real API on a developer's machine and offline
//! in CI.
//!
//! What is written is redacted: no request header is recorded at all (so no `Authorization`),
//! response headers that carry credentials (`set-cookie`, `authorization`, ...) are dropped, and
//! every OpenRouter key in a body (`sk-or-...`, as in the answer to creating a key) becomes
//! `sk-or-REDACTED`. A key split across two chunks of a stream is not recognised; OpenRouter
//! sends keys only in JSON answers read whole.
//!
//! The file is JSON: `{"version": 1, "exchanges": [{"request": {"method", "path", "body"},
//! "response": {"status", "headers", "chunks", "complete"}}]}`; a body that is JSON is stored as
//! JSON, other text as a string, other bytes as an array of numbers.
//!
//! # Examples
//!
//! ```no_run
//! use openrouter_transport::test_util::record_or_replay;
//!
//! # fn run() -> Result<(), openrouter_transport::TransportError> {
//! // With OPENROUTER_API_KEY set: real calls, recorded into the file (the `real` transport
//! // is built only then). Without it: the recorded answers.
//! let transport = record_or_replay("tests/cassettes/chat.json", "OPENROUTER_API_KEY", || {
//!     Ok(openrouter_transport::HyperTransport::new()?)
//! })?;
//! # let _ = transport;
//! # Ok(()) }
//! ```

use std::collections::VecDeque;
use std::fmt;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{HeaderName, HeaderValue, StatusCode};
use http_body::{Body, Frame, SizeHint};
use serde_json::{json, Value};

use super::{lock, read_request, ChunkedBody};
use crate::body::{RequestBody, ResponseBody};
use crate::error::{TransportError, TransportErrorKind};
use crate::transport::{SharedTransport, Transport, TransportFuture};

/// What replaces a key in a recording.
const REDACTED: &str = "sk-or-REDACTED";

/// Response headers never written to a cassette.
const SECRET_HEADERS: &[&str] = &[
    "set-cookie",
    "authorization",
    "proxy-authorization",
    "cookie",
    "x-api-key",
];

/// Replaces every OpenRouter key (`sk-or-` and the key characters after it) in `text`.
fn redact_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("sk-or-") {
        out.push_str(&rest[..at]);
        let after = &rest[at + "sk-or-".len()..];
        let end = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(after.len());
        out.push_str(REDACTED);
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

fn redact_json(value: &mut Value) {
    match value {
        Value::String(s) if s.contains("sk-or-") => *s = redact_text(s),
        Value::Array(items) => items.iter_mut().for_each(redact_json),
        Value::Object(map) => map.values_mut().for_each(redact_json),
        _ => {}
    }
}

/// A body as stored: JSON when it is JSON, a string when it is text, else its bytes.
fn store_body(bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        return Value::Null;
    }
    if let Ok(mut value) = serde_json::from_slice::<Value>(bytes) {
        redact_json(&mut value);
        return json!({ "json": value });
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Value::String(redact_text(text)),
        Err(_) => Value::Array(bytes.iter().map(|b| Value::from(*b)).collect()),
    }
}

/// The bytes of a stored body or chunk.
fn load_body(value: &Value) -> Result<Bytes, String> {
    match value {
        Value::Null => Ok(Bytes::new()),
        Value::String(s) => Ok(Bytes::from(s.clone())),
        Value::Object(map) if map.contains_key("json") => Ok(Bytes::from(
            serde_json::to_vec(&map["json"]).map_err(|e| e.to_string())?,
        )),
        Value::Array(items) => items
            .iter()
            .map(|b| {
                b.as_u64()
                    .and_then(|b| u8::try_from(b).ok())
                    .ok_or_else(|| format!("not a byte: {b}"))
            })
            .collect::<Result<Vec<u8>, _>>()
            .map(Bytes::from),
        other => Err(format!("not a stored body: {other}")),
    }
}

/// A text chunk as stored (redacted), or its bytes.
fn store_chunk(bytes: &[u8]) -> Value {
    match std::str::from_utf8(bytes) {
        Ok(text) => Value::String(redact_text(text)),
        Err(_) => Value::Array(bytes.iter().map(|b| Value::from(*b)).collect()),
    }
}

/// The path and query of a request's URI, which is what a recording is matched by (with the
/// method and body), so that a cassette recorded against one base URL replays under another
/// host.
fn path_and_query(uri: &http::Uri) -> String {
    uri.path_and_query()
        .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned())
}

/// The exchanges recorded so far, and where they go.
struct Tape {
    path: PathBuf,
    exchanges: Vec<Value>,
}

impl Tape {
    fn add(&mut self, exchange: Value) -> std::io::Result<()> {
        self.exchanges.push(exchange);
        let doc = json!({ "version": 1, "exchanges": self.exchanges });
        let text = serde_json::to_string_pretty(&doc).map_err(std::io::Error::other)?;
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&self.path, text)
    }
}

/// A transport that passes every request to a real one and records the exchange into a
/// cassette file (see the [module docs](self)).
#[derive(Clone)]
pub struct CassetteRecorder {
    inner: SharedTransport,
    tape: Arc<Mutex<Tape>>,
}

impl fmt::Debug for CassetteRecorder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CassetteRecorder")
            .field("path", &lock(&self.tape).path)
            .field("inner", &self.inner)
            .finish()
    }
}

impl CassetteRecorder {
    /// Records what `inner` exchanges into a new cassette at `path` (replaced if it exists,
    /// written after each exchange).
    pub fn new(path: impl Into<PathBuf>, inner: impl Transport + 'static) -> Self {
        CassetteRecorder {
            inner: SharedTransport::new(inner),
            tape: Arc::new(Mutex::new(Tape {
                path: path.into(),
                exchanges: Vec::new(),
            })),
        }
    }

    /// How many exchanges have been written.
    pub fn recorded(&self) -> usize {
        lock(&self.tape).exchanges.len()
    }
}

impl Transport for CassetteRecorder {
    fn send(&self, request: http::Request<RequestBody>) -> TransportFuture<'_> {
        Box::pin(async move {
            let request = read_request(request).await?;
            let stored_request = json!({
                "method": request.method().as_str(),
                "path": path_and_query(request.uri()),
                "body": store_body(request.body()),
            });
            let response = self.inner.send(request.map(RequestBody::from)).await?;
            let (parts, body) = response.into_parts();
            let headers: Vec<Value> = parts
                .headers
                .iter()
                .filter(|(name, _)| !SECRET_HEADERS.contains(&name.as_str()))
                .filter_map(|(name, value)| {
                    Some(json!([name.as_str(), redact_text(value.to_str().ok()?)]))
                })
                .collect();
            let tee = TeeBody {
                inner: body,
                chunks: Vec::new(),
                pending: Some(Pending {
                    request: stored_request,
                    status: parts.status.as_u16(),
                    headers,
                    tape: Arc::clone(&self.tape),
                }),
            };
            Ok(http::Response::from_parts(parts, ResponseBody::new(tee)))
        })
    }
}

/// What a response needs to be written once its body is done.
struct Pending {
    request: Value,
    status: u16,
    headers: Vec<Value>,
    tape: Arc<Mutex<Tape>>,
}

/// A response body that keeps a copy of each chunk, and writes the exchange when it ends (or
/// is dropped: then it is marked incomplete).
struct TeeBody {
    inner: ResponseBody,
    chunks: Vec<Value>,
    pending: Option<Pending>,
}

impl TeeBody {
    fn write(&mut self, complete: bool) {
        let Some(p) = self.pending.take() else {
            return;
        };
        let exchange = json!({
            "request": p.request,
            "response": {
                "status": p.status,
                "headers": p.headers,
                "chunks": std::mem::take(&mut self.chunks),
                "complete": complete,
            },
        });
        // A cassette that cannot be written is a broken test set-up; say so where it shows.
        let written = lock(&p.tape).add(exchange);
        if let Err(e) = written {
            eprintln!("openrouter cassette: could not write the recording: {e}");
        }
    }
}

impl Body for TeeBody {
    type Data = Bytes;
    type Error = TransportError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, TransportError>>> {
        let this = &mut *self;
        let polled = Pin::new(&mut this.inner).poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    this.chunks.push(store_chunk(data));
                }
            }
            Poll::Ready(None) => this.write(true),
            Poll::Ready(Some(Err(_))) => this.write(false),
            Poll::Pending => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for TeeBody {
    fn drop(&mut self) {
        let complete = self.inner.is_end_stream();
        self.write(complete);
    }
}

/// One recorded exchange, ready to be played.
struct Recorded {
    method: String,
    path: String,
    body: Value,
    status: StatusCode,
    headers: Vec<(HeaderName, HeaderValue)>,
    chunks: Vec<Bytes>,
}

impl Recorded {
    fn from_json(index: usize, exchange: &Value) -> Result<Recorded, String> {
        let at = |what: &str| format!("exchange {index}: {what}");
        let request = &exchange["request"];
        let response = &exchange["response"];
        let status = response["status"]
            .as_u64()
            .and_then(|s| u16::try_from(s).ok())
            .and_then(|s| StatusCode::from_u16(s).ok())
            .ok_or_else(|| at("no valid response status"))?;
        let mut headers = Vec::new();
        for pair in response["headers"].as_array().into_iter().flatten() {
            let (Some(name), Some(value)) = (pair[0].as_str(), pair[1].as_str()) else {
                return Err(at("a header is not a [name, value] pair"));
            };
            let name = HeaderName::try_from(name).map_err(|_| at("invalid header name"))?;
            let value = HeaderValue::try_from(value).map_err(|_| at("invalid header value"))?;
            headers.push((name, value));
        }
        let chunks = response["chunks"]
            .as_array()
            .ok_or_else(|| at("no response chunks"))?
            .iter()
            .map(|c| load_body(c).map_err(|e| at(&e)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Recorded {
            method: request["method"]
                .as_str()
                .ok_or_else(|| at("no request method"))?
                .to_owned(),
            path: request["path"]
                .as_str()
                .ok_or_else(|| at("no request path"))?
                .to_owned(),
            body: request["body"].clone(),
            status,
            headers,
            chunks,
        })
    }

    fn to_response(&self) -> http::Response<ResponseBody> {
        let mut response = http::Response::new(ResponseBody::new(ChunkedBody::from_chunks(
            self.chunks.iter().cloned(),
        )));
        *response.status_mut() = self.status;
        for (name, value) in &self.headers {
            response.headers_mut().append(name.clone(), value.clone());
        }
        response
    }
}

/// A transport that answers from a cassette file (see the [module docs](self)): each request
/// gets the first unused recording with the same method, path and body (compared as JSON when
/// both are JSON, after the same redaction as when recording). A request that matches nothing
/// is an error that lists it, and nothing reaches a network.
pub struct CassettePlayer {
    path: PathBuf,
    left: Mutex<VecDeque<Recorded>>,
}

impl fmt::Debug for CassettePlayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CassettePlayer")
            .field("path", &self.path)
            .field("left", &lock(&self.left).len())
            .finish()
    }
}

impl CassettePlayer {
    /// Loads the cassette at `path`.
    ///
    /// # Errors
    /// The file cannot be read or is not a cassette.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, TransportError> {
        let path = path.as_ref().to_owned();
        let fail = |why: String| {
            TransportError::with_message(
                TransportErrorKind::Other,
                format!("cassette {}: {why}", path.display()),
            )
            .with_may_have_reached_server(false)
        };
        let text = std::fs::read(&path).map_err(|e| fail(e.to_string()))?;
        let doc: Value = serde_json::from_slice(&text).map_err(|e| fail(e.to_string()))?;
        let exchanges = doc["exchanges"]
            .as_array()
            .ok_or_else(|| fail("no `exchanges` list".into()))?;
        let left = exchanges
            .iter()
            .enumerate()
            .map(|(i, e)| Recorded::from_json(i, e))
            .collect::<Result<VecDeque<_>, _>>()
            .map_err(fail)?;
        Ok(CassettePlayer {
            path,
            left: Mutex::new(left),
        })
    }

    /// How many recordings have not been played.
    pub fn remaining(&self) -> usize {
        lock(&self.left).len()
    }
}

impl Transport for CassettePlayer {
    fn send(&self, request: http::Request<RequestBody>) -> TransportFuture<'_> {
        Box::pin(async move {
            let request = read_request(request).await?;
            let method = request.method().as_str().to_owned();
            let path = path_and_query(request.uri());
            let body = store_body(request.body());
            let mut left = lock(&self.left);
            let found = left
                .iter()
                .position(|r| r.method == method && r.path == path && r.body == body);
            match found.and_then(|i| left.remove(i)) {
                Some(recorded) => Ok(recorded.to_response()),
                None => {
                    let known: Vec<String> = left
                        .iter()
                        .map(|r| format!("{} {}", r.method, r.path))
                        .collect();
                    Err(TransportError::with_message(
                        TransportErrorKind::Other,
                        format!(
                            "cassette {}: no recording left for {method} {path} with this body \
                             (left: {known:?})",
                            self.path.display()
                        ),
                    )
                    .with_may_have_reached_server(false))
                }
            }
        })
    }
}

/// Records through the transport `real` makes when the environment variable `key_var` is set
/// (and not empty), into a new cassette at `path`; otherwise replays the cassette at `path`.
///
/// # Errors
/// Building the real transport failed, or (when replaying) the cassette cannot be read.
pub fn record_or_replay<T, F>(
    path: impl AsRef<Path>,
    key_var: &str,
    real: F,
) -> Result<SharedTransport, TransportError>
where
    T: Transport + 'static,
    F: FnOnce() -> Result<T, TransportError>,
{
    let recording = std::env::var(key_var).is_ok_and(|v| !v.trim().is_empty());
    if recording {
        Ok(SharedTransport::new(CassetteRecorder::new(
            path.as_ref(),
            real()?,
        )))
    } else {
        Ok(SharedTransport::new(CassettePlayer::open(path)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{response, FnTransport};

    fn post(uri: &str, body: &'static str) -> http::Request<RequestBody> {
        http::Request::post(uri)
            .header("authorization", "Bearer sk-or-v1-secretsecret")
            .body(RequestBody::from(body))
            .unwrap()
    }

    async fn read(response: http::Response<ResponseBody>) -> Vec<Bytes> {
        let mut body = response.into_body();
        let mut chunks = Vec::new();
        while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await
        {
            if let Ok(data) = frame.unwrap().into_data() {
                chunks.push(data);
            }
        }
        chunks
    }

    #[tokio::test]
    async fn a_recording_replays_with_its_chunks_and_without_secrets() {
        let dir = std::env::temp_dir().join(format!("cassette-{}", std::process::id()));
        let path = dir.join("chat.json");
        let real = FnTransport::new_async(|request: http::Request<Bytes>| {
            let stream = request.uri().path().ends_with("/stream");
            std::future::ready(Ok(if stream {
                let mut r = http::Response::new(ResponseBody::new(ChunkedBody::from_chunks([
                    "data: {\"a\":1}\n\n",
                    "data: [DONE]\n\n",
                ])));
                r.headers_mut()
                    .insert("content-type", "text/event-stream".parse().unwrap());
                r.headers_mut()
                    .insert("set-cookie", "session=abc".parse().unwrap());
                r
            } else {
                response(
                    200,
                    &[("content-type", "application/json")],
                    r#"{"data":{"key":"sk-or-v1-0123456789abcdef","name":"k"}}"#,
                )
            }))
        });
        let recorder = CassetteRecorder::new(&path, real);
        let keys = recorder
            .send(post("https://openrouter.ai/api/v1/keys", r#"{"name":"k"}"#))
            .await
            .unwrap();
        assert_eq!(keys.status(), 200);
        read(keys).await;
        let stream = recorder
            .send(post(
                "https://openrouter.ai/api/v1/stream",
                r#"{"stream":true}"#,
            ))
            .await
            .unwrap();
        read(stream).await;
        assert_eq!(recorder.recorded(), 2);

        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("secretsecret"), "{text}");
        assert!(!text.contains("0123456789abcdef"), "{text}");
        assert!(text.contains(REDACTED));
        assert!(!text.contains("session=abc"), "{text}");

        // Played back under another host, in another order, with the same chunks.
        let player = CassettePlayer::open(&path).unwrap();
        let stream = player
            .send(post(
                "http://127.0.0.1:9/api/v1/stream",
                r#"{ "stream": true }"#,
            ))
            .await
            .unwrap();
        assert_eq!(
            stream.headers()["content-type"],
            "text/event-stream",
            "headers are replayed"
        );
        assert_eq!(
            read(stream).await,
            [
                Bytes::from("data: {\"a\":1}\n\n"),
                Bytes::from("data: [DONE]\n\n")
            ]
        );
        let keys = player
            .send(post("http://127.0.0.1:9/api/v1/keys", r#"{"name":"k"}"#))
            .await
            .unwrap();
        let body = read(keys).await.concat();
        let value: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(value["data"]["key"], REDACTED);
        assert_eq!(player.remaining(), 0);

        // Nothing left: a clear error, and nothing reached a server.
        let err = player
            .send(post("http://127.0.0.1:9/api/v1/keys", r#"{"name":"k"}"#))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("no recording left"), "{err}");
        assert!(!err.may_have_reached_server());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn keys_are_redacted_wherever_they_are() {
        assert_eq!(
            redact_text("a sk-or-v1-abc_DEF-123 b sk-or-x"),
            "a sk-or-REDACTED b sk-or-REDACTED"
        );
        assert_eq!(redact_text("no key here"), "no key here");
    }

    #[test]
    fn record_or_replay_replays_without_the_key() {
        let var = "OPENROUTER_CASSETTE_TEST_UNSET_KEY";
        let err = record_or_replay("/nonexistent/cassette.json", var, || {
            Ok::<_, TransportError>(FnTransport::new(|_| http::Response::new(Bytes::new())))
        })
        .unwrap_err();
        assert!(err.to_string().contains("cassette"), "{err}");
    }
}
