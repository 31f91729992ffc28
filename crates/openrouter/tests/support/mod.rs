//! Shared test support: a scripted HTTP/1.1 server on 127.0.0.1, and clients pointed at it.
//!
//! [`Server`] is a real hyper 1.x server (`server::conn::http1`, one task per connection) whose
//! answers are scripted per test: a queue of [`Reply`]s (the last one repeats) or a closure of
//! the request and its index. A reply is a status with headers and a body that may arrive in
//! chunks with pauses, end with an aborted connection, or stall; or no answer at all
//! ([`Reply::hang`]); or a connection closed after the request was read ([`Reply::close`]).
//! Every request (method, path and query, headers, body, arrival time) is recorded, and
//! connections are counted as they open and close.
//!
//! Nothing here touches the network beyond 127.0.0.1.

#![allow(dead_code, unreachable_pub)]

use std::collections::VecDeque;
use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use http_body::{Body, Frame, SizeHint};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use openrouter::types::chat::{ChatRequest, Message};
use openrouter::{Client, ClientBuilder, RetryConfig};
use tokio::net::TcpListener;
use tokio::sync::Notify;

/// The API key every test client uses; no output may ever contain it.
pub const KEY: &str = "sk-or-v1-test-secret";

/// A valid `GET /credits` answer.
pub const CREDITS_OK: &str = r#"{"data":{"total_credits":10.5,"total_usage":2.25}}"#;

/// A valid (non-streamed) chat completion.
pub const CHAT_OK: &str = r#"{"id":"gen-1","object":"chat.completion","created":1,"model":"openai/gpt-4o-mini","choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"Hello"}}]}"#;

/// Milliseconds, for short test durations.
pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// A small chat request.
pub fn chat_request() -> ChatRequest {
    ChatRequest::new("openai/gpt-4o-mini", vec![Message::user("Hi")])
}

// ---------------------------------------------------------------------------------------------
// Replies

/// One step of a scripted response body.
#[derive(Clone, Debug)]
enum Step {
    /// One frame.
    Data(Bytes),
    /// A pause before the next step.
    Sleep(Duration),
    /// The body fails: hyper aborts the connection mid-body.
    Abort,
    /// Nothing more, ever, and the body never ends.
    Hang,
    /// This frame, then a pause, forever.
    Every(Duration, Bytes),
}

#[derive(Clone, Debug)]
enum Kind {
    Respond {
        status: StatusCode,
        headers: Vec<(String, String)>,
        delay: Duration,
        steps: Vec<Step>,
    },
    Hang,
    Close,
}

/// What the server does with one request.
#[derive(Clone, Debug)]
#[must_use]
pub struct Reply(Kind);

impl Reply {
    /// `status` with no headers and an empty body.
    pub fn status(status: u16) -> Reply {
        Reply(Kind::Respond {
            status: StatusCode::from_u16(status).expect("valid status"),
            headers: Vec::new(),
            delay: Duration::ZERO,
            steps: Vec::new(),
        })
    }

    /// `status` with `content-type: application/json` and `body`.
    pub fn json(status: u16, body: impl Into<Bytes>) -> Reply {
        Reply::status(status)
            .header("content-type", "application/json")
            .chunk(body)
    }

    /// An OpenRouter error body `{"error":{"code":status,"message":..}}` with that status.
    pub fn error(status: u16, message: &str) -> Reply {
        let body = serde_json::json!({"error": {"code": status, "message": message}});
        Reply::json(status, body.to_string())
    }

    /// A 200 `text/event-stream` whose body is `chunks`, one frame each.
    pub fn sse<I>(chunks: I) -> Reply
    where
        I: IntoIterator,
        I::Item: Into<Bytes>,
    {
        chunks.into_iter().fold(
            Reply::status(200).header("content-type", "text/event-stream"),
            Reply::chunk,
        )
    }

    /// Never answers: no status line, no headers, the connection stays open.
    pub fn hang() -> Reply {
        Reply(Kind::Hang)
    }

    /// Reads the whole request, then closes the connection without answering.
    pub fn close() -> Reply {
        Reply(Kind::Close)
    }

    fn respond(&mut self) -> (&mut Vec<(String, String)>, &mut Duration, &mut Vec<Step>) {
        match &mut self.0 {
            Kind::Respond {
                headers,
                delay,
                steps,
                ..
            } => (headers, delay, steps),
            _ => panic!("only a response has headers and a body"),
        }
    }

    /// Adds a response header.
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.respond().0.push((name.into(), value.into()));
        self
    }

    /// Waits `d` before sending the status and headers.
    pub fn delay(mut self, d: Duration) -> Reply {
        *self.respond().1 = d;
        self
    }

    /// Appends one body frame.
    pub fn chunk(mut self, data: impl Into<Bytes>) -> Reply {
        self.respond().2.push(Step::Data(data.into()));
        self
    }

    /// Pauses the body for `d`.
    pub fn sleep(mut self, d: Duration) -> Reply {
        self.respond().2.push(Step::Sleep(d));
        self
    }

    /// Aborts the connection here, mid-body.
    pub fn abort(mut self) -> Reply {
        self.respond().2.push(Step::Abort);
        self
    }

    /// Stalls the body here, forever, without ending it.
    pub fn stall(mut self) -> Reply {
        self.respond().2.push(Step::Hang);
        self
    }

    /// Sends `data` now and then every `period`, forever.
    pub fn every(mut self, period: Duration, data: impl Into<Bytes>) -> Reply {
        self.respond().2.push(Step::Every(period, data.into()));
        self
    }
}

/// A response body that plays the scripted steps.
struct ScriptBody {
    steps: VecDeque<Step>,
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl Body for ScriptBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        let this = self.get_mut();
        loop {
            if let Some(sleep) = &mut this.sleep {
                if sleep.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                this.sleep = None;
            }
            match this.steps.pop_front() {
                None => return Poll::Ready(None),
                Some(Step::Data(d)) => return Poll::Ready(Some(Ok(Frame::data(d)))),
                Some(Step::Sleep(d)) => this.sleep = Some(Box::pin(tokio::time::sleep(d))),
                Some(Step::Abort) => {
                    this.steps.clear();
                    return Poll::Ready(Some(Err(std::io::Error::other("scripted abort"))));
                }
                Some(Step::Hang) => {
                    this.steps.push_front(Step::Hang);
                    return Poll::Pending;
                }
                Some(Step::Every(period, data)) => {
                    this.steps.push_front(Step::Every(period, data.clone()));
                    this.sleep = Some(Box::pin(tokio::time::sleep(period)));
                    return Poll::Ready(Some(Ok(Frame::data(data))));
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.steps.is_empty() && self.sleep.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        // All data and no failure: an exact length, so hyper sends `content-length`.
        let mut total = 0u64;
        for step in &self.steps {
            match step {
                Step::Data(d) => total += d.len() as u64,
                Step::Sleep(_) => {}
                _ => return SizeHint::default(),
            }
        }
        SizeHint::with_exact(total)
    }
}

// ---------------------------------------------------------------------------------------------
// Requests and the server

/// A request as the server received it.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// The method.
    pub method: Method,
    /// The path and query, as sent.
    pub uri: String,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
    /// When the request's head arrived.
    pub at: Instant,
}

impl Recorded {
    /// The header's value, if present and text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("the request body is JSON")
    }
}

type Handler = dyn Fn(&Recorded, usize) -> Reply + Send + Sync;

struct State {
    handler: Box<Handler>,
    requests: Mutex<Vec<Recorded>>,
    opened: AtomicUsize,
    closed: AtomicUsize,
}

/// A scripted HTTP/1.1 server on 127.0.0.1 (see the module docs). Its tasks live as long as
/// the test's runtime.
#[derive(Clone)]
pub struct Server {
    addr: SocketAddr,
    state: Arc<State>,
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server").field("addr", &self.addr).finish()
    }
}

impl Server {
    /// Answers the requests with `replies` in order; the last one repeats.
    pub fn start(replies: impl IntoIterator<Item = Reply>) -> Server {
        let replies: Vec<Reply> = replies.into_iter().collect();
        assert!(!replies.is_empty(), "at least one reply");
        Server::with(move |_, n| replies[n.min(replies.len() - 1)].clone())
    }

    /// Answers every request with `reply`.
    pub fn always(reply: Reply) -> Server {
        Server::start([reply])
    }

    /// Answers request number `n` (from 0) with `f(request, n)`.
    pub fn with(f: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static) -> Server {
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        std_listener.set_nonblocking(true).unwrap();
        let addr = std_listener.local_addr().unwrap();
        let listener = TcpListener::from_std(std_listener).expect("inside a tokio runtime");
        let state = Arc::new(State {
            handler: Box::new(f),
            requests: Mutex::default(),
            opened: AtomicUsize::new(0),
            closed: AtomicUsize::new(0),
        });
        let accept_state = state.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                accept_state.opened.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(serve(accept_state.clone(), stream));
            }
        });
        Server { addr, state }
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The API base URL: `http://127.0.0.1:PORT/api/v1`.
    pub fn url(&self) -> String {
        format!("http://{}/api/v1", self.addr)
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.state.requests.lock().unwrap().clone()
    }

    /// How many requests arrived.
    pub fn count(&self) -> usize {
        self.state.requests.lock().unwrap().len()
    }

    /// The only request received; panics unless there was exactly one.
    pub fn single(&self) -> Recorded {
        let all = self.requests();
        assert_eq!(all.len(), 1, "expected exactly one request: {all:#?}");
        all.into_iter().next().unwrap()
    }

    /// How many connections were accepted.
    pub fn connections(&self) -> usize {
        self.state.opened.load(Ordering::SeqCst)
    }

    /// How many connections have ended.
    pub fn closed(&self) -> usize {
        self.state.closed.load(Ordering::SeqCst)
    }

    /// Waits (up to 5 s) until at least `n` connections have ended.
    pub async fn wait_closed(&self, n: usize) {
        let start = Instant::now();
        while self.closed() < n {
            assert!(
                start.elapsed() < Duration::from_secs(5),
                "{} of {n} connections closed",
                self.closed()
            );
            tokio::time::sleep(ms(5)).await;
        }
    }
}

async fn serve(state: Arc<State>, stream: tokio::net::TcpStream) {
    let kill = Arc::new(Notify::new());
    let svc_state = state.clone();
    let svc_kill = kill.clone();
    let service = service_fn(move |request| handle(svc_state.clone(), svc_kill.clone(), request));
    let conn = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        _ = conn => {}
        // Dropping the connection closes the socket, without a response.
        () = kill.notified() => {}
    }
    state.closed.fetch_add(1, Ordering::SeqCst);
}

async fn handle(
    state: Arc<State>,
    kill: Arc<Notify>,
    request: http::Request<Incoming>,
) -> Result<http::Response<ScriptBody>, Infallible> {
    let at = Instant::now();
    let (parts, body) = request.into_parts();
    let body = body
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    let recorded = Recorded {
        method: parts.method,
        uri: parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.to_string(), |p| p.to_string()),
        headers: parts.headers,
        body,
        at,
    };
    let n = {
        let mut all = state.requests.lock().unwrap();
        all.push(recorded.clone());
        all.len() - 1
    };
    let Reply(kind) = (state.handler)(&recorded, n);
    match kind {
        Kind::Hang => std::future::pending().await,
        Kind::Close => {
            kill.notify_one();
            std::future::pending().await
        }
        Kind::Respond {
            status,
            headers,
            delay,
            steps,
        } => {
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            let mut response = http::Response::new(ScriptBody {
                steps: steps.into(),
                sleep: None,
            });
            *response.status_mut() = status;
            for (name, value) in headers {
                response.headers_mut().append(
                    http::HeaderName::try_from(name).unwrap(),
                    http::HeaderValue::try_from(value).unwrap(),
                );
            }
            Ok(response)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Clients

/// A builder pointed at `server`, with the test key and a fast backoff (1 to 20 ms) so that
/// retry tests take no time.
pub fn builder(server: &Server) -> ClientBuilder {
    plain_builder(server).retry(RetryConfig::new().backoff(ms(1), ms(20)))
}

/// A builder pointed at `server` with the test key and nothing else set (library defaults).
pub fn plain_builder(server: &Server) -> ClientBuilder {
    Client::builder().base_url(server.url()).api_key(KEY)
}

/// A client pointed at `server` (see [`builder`]).
pub fn client(server: &Server) -> Client {
    builder(server).build().expect("test client")
}

/// A port on 127.0.0.1 where nothing listens: bound, then released.
pub fn refused_addr() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    addr
}

/// Panics with the error's `Debug` when `result` is not an error.
pub fn expect_err<T: fmt::Debug>(result: Result<T, openrouter::Error>) -> openrouter::Error {
    match result {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => e,
    }
}

/// The API error inside `err`; panics on any other error.
pub fn api(err: &openrouter::Error) -> &openrouter::ApiError {
    err.as_api()
        .unwrap_or_else(|| panic!("expected an API error, got {err:?}"))
}

/// Asserts that no rendering of `value` (`Debug`, alternate `Debug`) contains the test key.
pub fn assert_no_key(what: &str, value: &dyn fmt::Debug) {
    for text in [format!("{value:?}"), format!("{value:#?}")] {
        assert!(!text.contains(KEY), "{what} shows the API key: {text}");
        assert!(
            !text.contains("test-secret"),
            "{what} shows part of the key: {text}"
        );
    }
}
