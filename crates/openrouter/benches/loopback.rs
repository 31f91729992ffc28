//! The SDK against a bare `hyper-util` client on loopback: requests per second and p50/p99
//! latency of `get_credits()` and of a non-streamed chat completion, and chunks per second of a
//! streamed one.
//!
//! One process: a hyper 1.x HTTP/1.1 server on `127.0.0.1:0` on its own thread (a
//! current-thread runtime) answers with fixed, realistic bodies:
//!
//! - `GET /api/v1/credits`: a credits document;
//! - `POST /api/v1/chat/completions`: a ~1 KB chat completion (id, model, provider,
//!   `choices[0].message`, usage with details), or, when the request body has `"stream":true`,
//!   a `text/event-stream` of `LOOPBACK_STREAM_CHUNKS` chunks (a keep-alive comment, content
//!   deltas, a finish chunk and a usage chunk), one frame each, then `data: [DONE]`.
//!
//! The clients run on a multi-thread runtime (`LOOPBACK_CLIENT_THREADS` workers, default 1):
//!
//! - `sdk`: `openrouter::Client` with its default transport (`HyperTransport`: its own pool on
//!   hyper's connections, behind rustls' `https_or_http` connector), default timeouts and retry
//!   policy;
//! - `bare`: `hyper_util::client::legacy::Client<HttpConnector, Full<Bytes>>` with the same
//!   pool settings and `TCP_NODELAY`, the same request headers (authorization, content-type,
//!   accept, user-agent), a URI and header values prepared once; it serializes the same
//!   `ChatRequest` with `serde_json::to_vec`, reads the body whole and decodes it with
//!   `serde_json::from_slice` into the same types (`types::credits::Response`,
//!   `types::chat::Response`). Both build the chat request per call (a clone of a template).
//!
//! For streaming, `bare` splits the body into lines itself and decodes each `data:` line into
//! `types::chat::StreamChunk`; `raw` only reads the body's bytes (the transport's ceiling).
//!
//! The `transport` rows drive the SDK's transport (`HyperTransport`) directly, like `bare`, to
//! split the SDK's cost between its transport and the layers above it. The `cpu µs/req` column
//! is the client threads' CPU time per request (Linux schedstat), steadier than wall time on a
//! busy machine; `conns` counts the connections the server accepted during the runs (0: every
//! request reused a pooled connection). Last, an in-process measurement without any network:
//! the SDK over an in-memory transport that answers with the same bytes, against building the
//! same `http::Request` and decoding the same bytes with `serde_json` by hand; the difference is
//! the SDK's own cost per call.
//!
//! The first lines printed give the payloads, the settings and the size in bytes of one
//! call's future for each client (memory every request in flight holds).
//!
//! Each measurement is run in `LOOPBACK_ROUNDS` rounds that alternate the order of the clients
//! (sdk, bare, transport, then transport, bare, sdk, ...) because the machine is shared and
//! noisy; the table shows the median over rounds of each figure, and the ratios are the medians
//! of the per-round ratios (a round's runs are adjacent in time), with their range. Latency is per request, from the call to the
//! decoded value; throughput is requests over the wall time of the run.
//!
//! Environment (counts per client per round):
//!
//! | variable | default | meaning |
//! | --- | --- | --- |
//! | `LOOPBACK_ROUNDS` | 7 | rounds per measurement |
//! | `LOOPBACK_SEQ` | 2000 | sequential requests |
//! | `LOOPBACK_CONC_REQS` | 4000 | requests at the concurrency level |
//! | `LOOPBACK_CONCURRENCY` | 16 | tasks in flight |
//! | `LOOPBACK_WARMUP` | 500 | warm-up requests per client and scenario |
//! | `LOOPBACK_STREAMS` | 40 | sequential streams |
//! | `LOOPBACK_STREAM_CHUNKS` | 200 | JSON chunks per stream |
//! | `LOOPBACK_CLIENT_THREADS` | 1 | client runtime workers |
//! | `LOOPBACK_INPROCESS` | 20000 | calls per client of the in-process measurement (0: skip) |
//! | `LOOPBACK_SDK_NO_TIMEOUTS` | unset | set: the SDK client runs without its default timeouts |
//! | `LOOPBACK_PROFILE` | unset | `sdk`, `bare` or `transport`: only that client runs `LOOPBACK_SEQ` requests of the filtered scenario (`credits` or `chat`; `conc` in the filter: at the concurrency level; `stream`: that many streams, also for `raw`), after `LOOPBACK_WARMUP` of them, and nothing is measured; for profilers (`valgrind --tool=callgrind --separate-threads=yes` separates the client thread from the server's) |
//!
//! A first argument that is not a flag filters the measurements by name (`credits`, `chat`,
//! `seq`, `conc`, `stream`, `in-process`).
//!
//! Run with `cargo bench -p openrouter --bench loopback`; a quick run:
//! `LOOPBACK_ROUNDS=3 LOOPBACK_SEQ=300 LOOPBACK_CONC_REQS=600 LOOPBACK_STREAMS=5 cargo bench -p openrouter --bench loopback`.

use std::convert::Infallible;
use std::future::Future;
use std::hint::black_box;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::StreamExt;
use http::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use http::{Method, Request, Response, StatusCode, Uri};
use http_body::{Body, Frame};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use openrouter::transport::{
    HyperTransport, RequestBody, ResponseBody, Transport, TransportFuture,
};
use openrouter::types::chat::{ChatRequest, Message, StreamChunk};
use openrouter::types::{chat, credits};
use tokio::net::TcpListener;

const KEY: &str = "sk-or-v1-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const MODEL: &str = "openai/gpt-4o-mini";
const USER_AGENT_VALUE: &str = concat!("openrouter-rust/", env!("CARGO_PKG_VERSION"));

fn env_usize(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(v) => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a number, not `{v}`")),
        Err(_) => default,
    }
}

#[derive(Clone, Copy, Debug)]
struct Settings {
    rounds: usize,
    seq: usize,
    conc_reqs: usize,
    concurrency: usize,
    warmup: usize,
    streams: usize,
    stream_chunks: usize,
    client_threads: usize,
    inprocess: usize,
}

impl Settings {
    fn from_env() -> Settings {
        Settings {
            rounds: env_usize("LOOPBACK_ROUNDS", 7).max(1),
            seq: env_usize("LOOPBACK_SEQ", 2000).max(1),
            conc_reqs: env_usize("LOOPBACK_CONC_REQS", 4000).max(1),
            concurrency: env_usize("LOOPBACK_CONCURRENCY", 16).max(1),
            warmup: env_usize("LOOPBACK_WARMUP", 500),
            streams: env_usize("LOOPBACK_STREAMS", 40).max(1),
            stream_chunks: env_usize("LOOPBACK_STREAM_CHUNKS", 200).max(3),
            client_threads: env_usize("LOOPBACK_CLIENT_THREADS", 1).max(1),
            inprocess: env_usize("LOOPBACK_INPROCESS", 20000),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Payloads and the server

const CREDITS_BODY: &str = r#"{"data":{"total_credits":250.0,"total_usage":87.41329515}}"#;

fn chat_body() -> String {
    let content = "Rust's ownership model gives you memory safety without a garbage collector: \
        every value has a single owner, borrows are checked at compile time, and the compiler \
        frees each value when its owner goes out of scope. In practice that means no \
        use-after-free, no double free and no data races in safe code, while keeping \
        predictable performance. The trade-off is a learning curve around lifetimes and the \
        borrow checker, which pays off in large codebases where refactoring stays safe.";
    let v = serde_json::json!({
        "id": "gen-1747321452-Qm4sKxT8vNf2LbW9cRzP",
        "provider": "OpenAI",
        "model": MODEL,
        "object": "chat.completion",
        "created": 1747321452,
        "choices": [{
            "logprobs": null,
            "finish_reason": "stop",
            "native_finish_reason": "stop",
            "index": 0,
            "message": {
                "role": "assistant",
                "content": content,
                "refusal": null,
                "reasoning": null
            }
        }],
        "system_fingerprint": "fp_34a54ae93c",
        "usage": {
            "prompt_tokens": 24,
            "completion_tokens": 96,
            "total_tokens": 120,
            "cost": 0.0000612,
            "is_byok": false,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "cost_details": {
                "upstream_inference_cost": null,
                "upstream_inference_prompt_cost": 0.0000036,
                "upstream_inference_completions_cost": 0.0000576
            },
            "completion_tokens_details": {"reasoning_tokens": 0, "image_tokens": 0}
        }
    });
    v.to_string()
}

/// The SSE frames of one streamed completion: `chunks` JSON chunks in all.
fn stream_frames(chunks: usize) -> Vec<Bytes> {
    const WORDS: &[&str] = &[
        " Rust",
        "'s",
        " ownership",
        " model",
        " gives",
        " you",
        " memory",
        " safety",
        " without",
        " a",
        " garbage",
        " collector",
        ":",
        " every",
        " value",
        " has",
        " one",
        " owner",
        ",",
        " and",
        " borrows",
        " are",
        " checked",
        " at",
        " compile",
        " time",
        ".",
        "\\n\\n",
        " \\\"",
        "Fearless",
        "\\\"",
        " concurrency",
        " follows",
        " from",
        " it",
    ];
    let head = r#"{"id":"gen-1747321452-Qm4sKxT8vNf2LbW9cRzP","provider":"OpenAI","model":"openai/gpt-4o-mini","object":"chat.completion.chunk","created":1747321452,"choices":[{"index":0,"delta":"#;
    let mut frames = vec![Bytes::from_static(b": OPENROUTER PROCESSING\n\n")];
    for i in 0..chunks - 2 {
        let delta = if i == 0 {
            r#"{"role":"assistant","content":""}"#.to_owned()
        } else {
            format!(
                r#"{{"role":"assistant","content":"{}"}}"#,
                WORDS[i % WORDS.len()]
            )
        };
        frames.push(Bytes::from(format!(
            "data: {head}{delta},\"finish_reason\":null,\"native_finish_reason\":null,\"logprobs\":null}}]}}\n\n"
        )));
    }
    frames.push(Bytes::from(format!(
        "data: {head}{{\"role\":\"assistant\",\"content\":\"\"}},\"finish_reason\":\"stop\",\"native_finish_reason\":\"stop\",\"logprobs\":null}}]}}\n\n"
    )));
    frames.push(Bytes::from(
        r#"data: {"id":"gen-1747321452-Qm4sKxT8vNf2LbW9cRzP","provider":"OpenAI","model":"openai/gpt-4o-mini","object":"chat.completion.chunk","created":1747321452,"choices":[],"usage":{"prompt_tokens":24,"completion_tokens":198,"total_tokens":222,"cost":0.0001224,"is_byok":false,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"cost_details":{"upstream_inference_cost":null,"upstream_inference_prompt_cost":0.0000036,"upstream_inference_completions_cost":0.0001188},"completion_tokens_details":{"reasoning_tokens":0,"image_tokens":0}}}"#
            .to_owned()
            + "\n\n",
    ));
    frames.push(Bytes::from_static(b"data: [DONE]\n\n"));
    frames
}

struct Payloads {
    credits: Bytes,
    chat: Bytes,
    stream: Arc<[Bytes]>,
}

/// A response body that yields prepared frames, one at a time.
struct Frames {
    frames: Arc<[Bytes]>,
    next: usize,
}

impl Body for Frames {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = &mut *self;
        let frame = this.frames.get(this.next).cloned();
        this.next += 1;
        Poll::Ready(frame.map(|b| Ok(Frame::data(b))))
    }
}

type ServerBody = BoxBody<Bytes, Infallible>;

async fn handle(
    req: Request<Incoming>,
    payloads: Arc<Payloads>,
) -> Result<Response<ServerBody>, Infallible> {
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    let json = |b: &Bytes| {
        Response::builder()
            .header(CONTENT_TYPE, "application/json")
            .header("x-generation-id", "gen-1747321452-Qm4sKxT8vNf2LbW9cRzP")
            .body(Full::new(b.clone()).boxed())
    };
    let response = match (parts.method, parts.uri.path()) {
        (Method::GET, "/api/v1/credits") => json(&payloads.credits),
        (Method::POST, "/api/v1/chat/completions") => {
            if memchr::memmem::find(&body, br#""stream":true"#).is_some() {
                Response::builder()
                    .header(CONTENT_TYPE, "text/event-stream")
                    .header("cache-control", "no-cache")
                    .header("x-generation-id", "gen-1747321452-Qm4sKxT8vNf2LbW9cRzP")
                    .body(
                        Frames {
                            frames: payloads.stream.clone(),
                            next: 0,
                        }
                        .boxed(),
                    )
            } else {
                json(&payloads.chat)
            }
        }
        _ => Response::builder()
            .status(StatusCode::NOT_FOUND)
            .body(Full::new(Bytes::new()).boxed()),
    };
    Ok(response.expect("valid response"))
}

/// Connections the server has accepted.
static ACCEPTED: AtomicUsize = AtomicUsize::new(0);

/// Starts the server on its own thread and returns its address.
fn start_server(payloads: Arc<Payloads>) -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("loopback-server".into())
        .spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("server runtime");
            rt.block_on(async move {
                let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
                tx.send(listener.local_addr().expect("address"))
                    .expect("send address");
                loop {
                    let Ok((stream, _)) = listener.accept().await else {
                        continue;
                    };
                    ACCEPTED.fetch_add(1, Ordering::Relaxed);
                    let _ = stream.set_nodelay(true);
                    let payloads = payloads.clone();
                    tokio::spawn(async move {
                        let service = service_fn(move |req| handle(req, payloads.clone()));
                        let _ = http1::Builder::new()
                            .serve_connection(TokioIo::new(stream), service)
                            .await;
                    });
                }
            });
        })
        .expect("server thread");
    rx.recv().expect("server address")
}

// ---------------------------------------------------------------------------------------------
// The two clients

/// A bare hyper-util client doing what the SDK does for these calls, with nothing else; and the
/// SDK's own transport driven the same way, to split the SDK's cost between its transport
/// and the layers above it.
struct Bare {
    client: hyper_util::client::legacy::Client<HttpConnector, Full<Bytes>>,
    transport: HyperTransport,
    credits_uri: Uri,
    chat_uri: Uri,
    auth: HeaderValue,
    user_agent: HeaderValue,
}

impl Bare {
    fn new(base: &str) -> Bare {
        let mut http = HttpConnector::new();
        http.set_nodelay(true);
        let client = hyper_util::client::legacy::Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(90))
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .build(http);
        let mut auth = HeaderValue::try_from(format!("Bearer {KEY}")).expect("header");
        auth.set_sensitive(true);
        Bare {
            client,
            transport: HyperTransport::new().expect("transport"),
            credits_uri: format!("{base}/credits").parse().expect("uri"),
            chat_uri: format!("{base}/chat/completions").parse().expect("uri"),
            auth,
            user_agent: HeaderValue::from_static(USER_AGENT_VALUE),
        }
    }

    async fn send(
        &self,
        method: Method,
        uri: &Uri,
        body: Option<Vec<u8>>,
        accept: &'static str,
    ) -> Response<Incoming> {
        let mut request = Request::builder()
            .method(method)
            .uri(uri.clone())
            .header(AUTHORIZATION, self.auth.clone())
            .header(USER_AGENT, self.user_agent.clone())
            .header(ACCEPT, accept);
        if body.is_some() {
            request = request.header(CONTENT_TYPE, "application/json");
        }
        let request = request
            .body(Full::new(body.map(Bytes::from).unwrap_or_default()))
            .expect("request");
        let response = self.client.request(request).await.expect("bare request");
        assert!(response.status().is_success(), "{}", response.status());
        response
    }

    /// The same request through the SDK's transport; returns the whole body.
    async fn send_transport(&self, method: Method, uri: &Uri, body: Option<Vec<u8>>) -> Bytes {
        let mut request = Request::builder()
            .method(method)
            .uri(uri.clone())
            .header(AUTHORIZATION, self.auth.clone())
            .header(USER_AGENT, self.user_agent.clone())
            .header(ACCEPT, "application/json");
        if body.is_some() {
            request = request.header(CONTENT_TYPE, "application/json");
        }
        let request = request
            .body(body.map(RequestBody::from).unwrap_or_default())
            .expect("request");
        let response = self.transport.send(request).await.expect("transport");
        assert!(response.status().is_success(), "{}", response.status());
        response
            .into_body()
            .collect()
            .await
            .expect("transport body")
    }

    async fn json<T: serde::de::DeserializeOwned>(
        &self,
        via_transport: bool,
        method: Method,
        uri: &Uri,
        body: Option<Vec<u8>>,
    ) -> T {
        let bytes = if via_transport {
            self.send_transport(method, uri, body).await
        } else {
            let response = self.send(method, uri, body, "application/json").await;
            let body = response.into_body().collect().await.expect("bare body");
            body.to_bytes()
        };
        serde_json::from_slice(&bytes).expect("bare decode")
    }

    async fn credits(&self, via_transport: bool) -> credits::Response {
        self.json(via_transport, Method::GET, &self.credits_uri, None)
            .await
    }

    async fn chat(&self, via_transport: bool, request: ChatRequest) -> chat::Response {
        let body = serde_json::to_vec(&request).expect("serialize");
        self.json(via_transport, Method::POST, &self.chat_uri, Some(body))
            .await
    }

    async fn stream_response(&self, mut request: ChatRequest) -> Response<Incoming> {
        request.stream = Some(true);
        let body = serde_json::to_vec(&request).expect("serialize");
        self.send(
            Method::POST,
            &self.chat_uri,
            Some(body),
            "text/event-stream",
        )
        .await
    }

    /// Streams a completion, splitting lines and decoding each `data:` line; returns the count.
    async fn stream(&self, request: ChatRequest) -> usize {
        let mut body = self.stream_response(request).await.into_body();
        let mut buf: Vec<u8> = Vec::with_capacity(4096);
        let mut chunks = 0;
        while let Some(frame) = body.frame().await {
            let Ok(data) = frame.expect("bare stream").into_data() else {
                continue;
            };
            buf.extend_from_slice(&data);
            let mut start = 0;
            while let Some(i) = memchr::memchr(b'\n', &buf[start..]) {
                let line = &buf[start..start + i];
                start += i + 1;
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                if let Some(data) = line.strip_prefix(b"data:") {
                    let data = data.strip_prefix(b" ").unwrap_or(data);
                    if data == b"[DONE]" {
                        return chunks;
                    }
                    let chunk: StreamChunk = serde_json::from_slice(data).expect("bare chunk");
                    black_box(chunk);
                    chunks += 1;
                }
            }
            buf.drain(..start);
        }
        panic!("the stream ended without [DONE]");
    }

    /// Reads a streamed completion's bytes without looking at them; returns the byte count.
    async fn stream_raw(&self, request: ChatRequest) -> usize {
        let mut body = self.stream_response(request).await.into_body();
        let mut bytes = 0;
        while let Some(frame) = body.frame().await {
            if let Ok(data) = frame.expect("raw stream").into_data() {
                bytes += data.len();
            }
        }
        bytes
    }
}

#[derive(Clone)]
enum Target {
    Sdk(openrouter::Client),
    Bare(Arc<Bare>),
    Raw(Arc<Bare>),
    Transport(Arc<Bare>),
}

impl Target {
    fn name(&self) -> &'static str {
        match self {
            Target::Sdk(_) => "sdk",
            Target::Bare(_) => "bare",
            Target::Raw(_) => "raw",
            Target::Transport(_) => "transport",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scenario {
    Credits,
    Chat,
}

impl Scenario {
    fn name(self) -> &'static str {
        match self {
            Scenario::Credits => "credits",
            Scenario::Chat => "chat",
        }
    }
}

/// One request of `scenario`, decoded.
async fn one(target: &Target, scenario: Scenario, template: &ChatRequest) {
    match (target, scenario) {
        (Target::Sdk(c), Scenario::Credits) => {
            black_box(c.credits().get().send().await.expect("sdk credits"));
        }
        (Target::Sdk(c), Scenario::Chat) => {
            black_box(
                c.chat()
                    .create(template.clone())
                    .send()
                    .await
                    .expect("sdk chat"),
            );
        }
        (Target::Bare(b) | Target::Raw(b), Scenario::Credits) => {
            black_box(b.credits(false).await);
        }
        (Target::Bare(b) | Target::Raw(b), Scenario::Chat) => {
            black_box(b.chat(false, template.clone()).await);
        }
        (Target::Transport(b), Scenario::Credits) => {
            black_box(b.credits(true).await);
        }
        (Target::Transport(b), Scenario::Chat) => {
            black_box(b.chat(true, template.clone()).await);
        }
    }
}

/// One streamed completion; returns the chunks seen (bytes for `raw`).
async fn one_stream(target: &Target, template: &ChatRequest) -> usize {
    match target {
        Target::Sdk(c) => {
            let mut stream = c
                .chat()
                .create(template.clone())
                .stream()
                .await
                .expect("sdk stream");
            let mut n = 0;
            while let Some(chunk) = stream.next().await {
                black_box(chunk.expect("sdk chunk"));
                n += 1;
            }
            n
        }
        Target::Bare(b) => b.stream(template.clone()).await,
        Target::Raw(b) => b.stream_raw(template.clone()).await,
        Target::Transport(_) => unreachable!("streams are not measured through the transport"),
    }
}

/// Answers like the server, in memory: for the in-process measurement.
struct InMemory {
    payloads: Arc<Payloads>,
}

impl std::fmt::Debug for InMemory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InMemory")
    }
}

impl InMemory {
    fn answer<B>(&self, request: &Request<B>) -> Response<ResponseBody> {
        let body = if request.uri().path().ends_with("/credits") {
            &self.payloads.credits
        } else {
            &self.payloads.chat
        };
        Response::builder()
            .header(CONTENT_TYPE, "application/json")
            .header("x-generation-id", "gen-1747321452-Qm4sKxT8vNf2LbW9cRzP")
            .body(ResponseBody::from_bytes(body.clone()))
            .expect("response")
    }
}

impl Transport for InMemory {
    fn send(&self, request: Request<RequestBody>) -> TransportFuture<'_> {
        let response = self.answer(&request);
        Box::pin(std::future::ready(Ok(response)))
    }
}

/// One call by hand against [`InMemory`]: the same request, the same decoding, nothing else.
async fn inprocess_bare(
    bare: &Bare,
    memory: &InMemory,
    scenario: Scenario,
    template: &ChatRequest,
) {
    let (method, uri, body) = match scenario {
        Scenario::Credits => (Method::GET, &bare.credits_uri, None),
        Scenario::Chat => (
            Method::POST,
            &bare.chat_uri,
            Some(serde_json::to_vec(&template.clone()).expect("serialize")),
        ),
    };
    let mut request = Request::builder()
        .method(method)
        .uri(uri.clone())
        .header(AUTHORIZATION, bare.auth.clone())
        .header(USER_AGENT, bare.user_agent.clone())
        .header(ACCEPT, "application/json");
    if body.is_some() {
        request = request.header(CONTENT_TYPE, "application/json");
    }
    let request = request
        .body(body.map(RequestBody::from).unwrap_or_default())
        .expect("request");
    let bytes = memory
        .answer(&request)
        .into_body()
        .collect()
        .await
        .expect("body");
    match scenario {
        Scenario::Credits => {
            black_box(serde_json::from_slice::<credits::Response>(&bytes).expect("decode"));
        }
        Scenario::Chat => {
            black_box(serde_json::from_slice::<chat::Response>(&bytes).expect("decode"));
        }
    }
}

/// The SDK's own cost per call, without a network.
async fn inprocess_benchmark(
    payloads: Arc<Payloads>,
    bare: &Bare,
    template: &ChatRequest,
    s: Settings,
) {
    let sdk = openrouter::Client::builder()
        .base_url("http://127.0.0.1:9/api/v1")
        .api_key(KEY)
        .transport(InMemory {
            payloads: payloads.clone(),
        })
        .build()
        .expect("client");
    let sdk = Target::Sdk(sdk);
    let memory = InMemory { payloads };
    println!();
    println!(
        "{:<22} {:>12} {:>12} {:>12}",
        "in-process (no I/O)", "sdk µs/call", "bare µs/call", "sdk - bare"
    );
    for scenario in [Scenario::Credits, Scenario::Chat] {
        // Warm up, then alternate.
        for _ in 0..s.inprocess / 10 {
            one(&sdk, scenario, template).await;
            inprocess_bare(bare, &memory, scenario, template).await;
        }
        let (mut sdk_us, mut bare_us) = (Vec::new(), Vec::new());
        for round in 0..s.rounds {
            for which in [round % 2, 1 - round % 2] {
                let start = Instant::now();
                for _ in 0..s.inprocess {
                    if which == 0 {
                        one(&sdk, scenario, template).await;
                    } else {
                        inprocess_bare(bare, &memory, scenario, template).await;
                    }
                }
                let us = start.elapsed().as_secs_f64() * 1e6 / s.inprocess as f64;
                if which == 0 {
                    sdk_us.push(us);
                } else {
                    bare_us.push(us);
                }
            }
        }
        let diff: Vec<f64> = sdk_us.iter().zip(&bare_us).map(|(a, b)| a - b).collect();
        println!(
            "{:<22} {:>12.2} {:>12.2} {:>12.2}",
            scenario.name(),
            median(sdk_us),
            median(bare_us),
            median(diff)
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Measuring

/// CPU time used so far by the client's threads (every thread but the server's), from
/// `/proc/self/task/*/schedstat` (Linux); `None` elsewhere.
fn client_cpu() -> Option<Duration> {
    let mut total = 0u64;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let dir = task.ok()?.path();
        let comm = std::fs::read_to_string(dir.join("comm")).unwrap_or_default();
        if comm.trim() == "loopback-server" {
            continue;
        }
        let stat = std::fs::read_to_string(dir.join("schedstat")).unwrap_or_default();
        total += stat
            .split_whitespace()
            .next()
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap_or(0);
    }
    Some(Duration::from_nanos(total))
}

/// One run: per-request latencies and the wall time.
struct Run {
    latencies: Vec<Duration>,
    wall: Duration,
}

impl Run {
    fn rps(&self) -> f64 {
        self.latencies.len() as f64 / self.wall.as_secs_f64()
    }

    /// Nearest-rank percentile, in microseconds.
    fn percentile(&self, p: f64) -> f64 {
        let mut v = self.latencies.clone();
        v.sort_unstable();
        let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
        v[rank.clamp(1, v.len()) - 1].as_secs_f64() * 1e6
    }
}

struct Figures {
    rps: f64,
    p50: f64,
    p99: f64,
    /// Client CPU time per request, in microseconds (0 when unknown).
    cpu: f64,
    /// Connections the server accepted during the run.
    connections: usize,
}

impl Figures {
    fn new(r: &Run, cpu: Option<Duration>, connections: usize) -> Figures {
        Figures {
            rps: r.rps(),
            p50: r.percentile(50.0),
            p99: r.percentile(99.0),
            cpu: cpu.map_or(0.0, |c| c.as_secs_f64() * 1e6 / r.latencies.len() as f64),
            connections,
        }
    }
}

async fn sequential(target: &Target, scenario: Scenario, template: &ChatRequest, n: usize) -> Run {
    let mut latencies = Vec::with_capacity(n);
    let start = Instant::now();
    for _ in 0..n {
        let t = Instant::now();
        one(target, scenario, template).await;
        latencies.push(t.elapsed());
    }
    Run {
        wall: start.elapsed(),
        latencies,
    }
}

async fn concurrent(
    target: &Target,
    scenario: Scenario,
    template: &Arc<ChatRequest>,
    total: usize,
    concurrency: usize,
) -> Run {
    let start = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|i| {
            let n = total / concurrency + usize::from(i < total % concurrency);
            let target = target.clone();
            let template = template.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(n);
                for _ in 0..n {
                    let t = Instant::now();
                    one(&target, scenario, &template).await;
                    latencies.push(t.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(total);
    for task in tasks {
        latencies.extend(task.await.expect("task"));
    }
    Run {
        wall: start.elapsed(),
        latencies,
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Runs `measure` for each target in each round, alternating the order, and returns the
/// per-round figures of each target.
async fn rounds<F, Fut, R>(targets: &[Target], rounds: usize, mut measure: F) -> Vec<Vec<R>>
where
    F: FnMut(Target) -> Fut,
    Fut: Future<Output = R>,
{
    let mut out: Vec<Vec<R>> = targets.iter().map(|_| Vec::new()).collect();
    for round in 0..rounds {
        let order: Vec<usize> = if round % 2 == 0 {
            (0..targets.len()).collect()
        } else {
            (0..targets.len()).rev().collect()
        };
        for i in order {
            out[i].push(measure(targets[i].clone()).await);
        }
    }
    out
}

fn ratio_line(label: &str, sdk: &[f64], other: &[f64]) -> String {
    let ratios: Vec<f64> = sdk.iter().zip(other).map(|(s, o)| s / o).collect();
    let min = ratios.iter().copied().fold(f64::INFINITY, f64::min);
    let max = ratios.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    format!("{label} {:.3}x [{min:.3}..{max:.3}]", median(ratios))
}

async fn request_benchmark(
    name: &str,
    targets: &[Target],
    scenario: Scenario,
    template: &Arc<ChatRequest>,
    s: Settings,
    concurrency: Option<usize>,
) {
    let results = rounds(targets, s.rounds, |t| {
        let template = template.clone();
        async move {
            let before = ACCEPTED.load(Ordering::Relaxed);
            let cpu = client_cpu();
            let run = match concurrency {
                None => sequential(&t, scenario, &template, s.seq).await,
                Some(c) => concurrent(&t, scenario, &template, s.conc_reqs, c).await,
            };
            let cpu = client_cpu().zip(cpu).map(|(after, before)| after - before);
            Figures::new(&run, cpu, ACCEPTED.load(Ordering::Relaxed) - before)
        }
    })
    .await;
    for (t, figures) in targets.iter().zip(&results) {
        println!(
            "{name:<22} {:<9} {:>10.0} {:>10.1} {:>10.1} {:>10.1} {:>6}",
            t.name(),
            median(figures.iter().map(|f| f.rps).collect()),
            median(figures.iter().map(|f| f.p50).collect()),
            median(figures.iter().map(|f| f.p99).collect()),
            median(figures.iter().map(|f| f.cpu).collect()),
            figures.iter().map(|f| f.connections).sum::<usize>(),
        );
    }
    let col = |v: &[Figures], f: fn(&Figures) -> f64| v.iter().map(f).collect::<Vec<_>>();
    let bare = &results[1];
    for (t, r) in targets
        .iter()
        .zip(&results)
        .filter(|(t, _)| !matches!(t, Target::Bare(_)))
    {
        println!(
            "{:<22} {:>9}/bare: {}  {}  {}  {}",
            "",
            t.name(),
            ratio_line("req/s", &col(r, |f| f.rps), &col(bare, |f| f.rps)),
            ratio_line("p50", &col(r, |f| f.p50), &col(bare, |f| f.p50)),
            ratio_line("p99", &col(r, |f| f.p99), &col(bare, |f| f.p99)),
            ratio_line("cpu", &col(r, |f| f.cpu), &col(bare, |f| f.cpu)),
        );
    }
}

async fn stream_benchmark(
    targets: &[Target],
    template: &Arc<ChatRequest>,
    s: Settings,
    stream_bytes: usize,
) {
    let results = rounds(targets, s.rounds, |t| {
        let template = template.clone();
        async move {
            let start = Instant::now();
            let mut latencies = Vec::with_capacity(s.streams);
            for _ in 0..s.streams {
                let t0 = Instant::now();
                black_box(one_stream(&t, &template).await);
                latencies.push(t0.elapsed());
            }
            let wall = start.elapsed();
            let chunks_per_s = (s.streams * s.stream_chunks) as f64 / wall.as_secs_f64();
            let run = Run { latencies, wall };
            (chunks_per_s, run.percentile(50.0))
        }
    })
    .await;
    println!();
    println!(
        "{:<22} {:<5} {:>10} {:>10} {:>10}",
        "stream", "", "chunks/s", "MB/s", "p50 µs"
    );
    for (t, r) in targets.iter().zip(&results) {
        let cps = median(r.iter().map(|x| x.0).collect());
        let mbps = cps / s.stream_chunks as f64 * stream_bytes as f64 / 1e6;
        println!(
            "{:<22} {:<5} {:>10.0} {:>10.1} {:>10.1}",
            format!("stream x{}", s.stream_chunks),
            t.name(),
            cps,
            mbps,
            median(r.iter().map(|x| x.1).collect()),
        );
    }
    let cps = |i: usize| results[i].iter().map(|x| x.0).collect::<Vec<_>>();
    println!(
        "{:<22} {}  {}",
        "",
        ratio_line("chunks/s sdk/bare", &cps(0), &cps(1)),
        ratio_line("sdk/raw", &cps(0), &cps(2)),
    );
}

async fn bench(s: Settings, filter: Option<String>) {
    let frames = stream_frames(s.stream_chunks);
    let stream_bytes: usize = frames.iter().map(Bytes::len).sum();
    let payloads = Arc::new(Payloads {
        credits: Bytes::from_static(CREDITS_BODY.as_bytes()),
        chat: Bytes::from(chat_body()),
        stream: frames.into(),
    });
    println!(
        "payloads: credits {} B, chat {} B, stream {} chunks / {} B",
        payloads.credits.len(),
        payloads.chat.len(),
        s.stream_chunks,
        stream_bytes
    );
    println!("settings: {s:?}");
    let addr = start_server(payloads.clone());
    let base = format!("http://{addr}/api/v1");

    let mut builder = openrouter::Client::builder().base_url(&base).api_key(KEY);
    if std::env::var_os("LOOPBACK_SDK_NO_TIMEOUTS").is_some() {
        builder = builder.timeouts(
            openrouter::TimeoutConfig::new()
                .no_attempt_timeout()
                .no_total_timeout()
                .no_stream_idle_timeout(),
        );
    }
    let sdk = builder.build().expect("client");
    let bare = Arc::new(Bare::new(&base));
    println!(
        "future sizes: sdk get_credits {} B, sdk chat {} B, bare credits {} B",
        std::mem::size_of_val(&sdk.credits().get().send()),
        std::mem::size_of_val(
            &sdk.chat()
                .create(ChatRequest::new(MODEL, Vec::new()))
                .send()
        ),
        std::mem::size_of_val(&bare.credits(false)),
    );
    let template = Arc::new(ChatRequest::new(
        MODEL,
        vec![
            Message::system("You are a concise assistant."),
            Message::user("Explain Rust's ownership model in one paragraph."),
        ],
    ));
    let pair = [Target::Sdk(sdk.clone()), Target::Bare(bare.clone())];
    // The request measurements also run the SDK's transport alone.
    let requests = [
        Target::Sdk(sdk.clone()),
        Target::Bare(bare.clone()),
        Target::Transport(bare.clone()),
    ];
    let trio = [
        Target::Sdk(sdk),
        Target::Bare(bare.clone()),
        Target::Raw(bare.clone()),
    ];

    if let Ok(only) = std::env::var("LOOPBACK_PROFILE") {
        if filter.as_deref().is_some_and(|f| f.contains("stream")) {
            let target = trio
                .iter()
                .find(|t| t.name() == only)
                .unwrap_or_else(|| panic!("LOOPBACK_PROFILE: no streaming client `{only}`"));
            for _ in 0..s.warmup.max(1) {
                one_stream(target, &template).await;
            }
            let start = Instant::now();
            for _ in 0..s.seq {
                one_stream(target, &template).await;
            }
            let elapsed = start.elapsed().as_secs_f64();
            println!(
                "{only} stream: {} streams, {:.0} streams/s",
                s.seq,
                s.seq as f64 / elapsed
            );
            return;
        }
        let target = requests
            .iter()
            .find(|t| t.name() == only)
            .unwrap_or_else(|| panic!("LOOPBACK_PROFILE: no client `{only}`"))
            .clone();
        let f = filter.as_deref().unwrap_or("credits");
        let scenario = if f.contains("chat") {
            Scenario::Chat
        } else {
            Scenario::Credits
        };
        let run = |n| {
            let (target, template) = (target.clone(), template.clone());
            async move {
                if f.contains("conc") {
                    concurrent(&target, scenario, &template, n, s.concurrency).await
                } else {
                    sequential(&target, scenario, &template, n).await
                }
            }
        };
        run(s.warmup.max(1)).await;
        let r = run(s.seq).await;
        println!(
            "{only} {}: {} requests, {:.0} req/s",
            scenario.name(),
            s.seq,
            r.rps()
        );
        return;
    }

    // Every client sees the same data.
    for t in &pair {
        assert_eq!(
            one_stream(t, &template).await,
            s.stream_chunks,
            "{}",
            t.name()
        );
    }
    assert_eq!(one_stream(&trio[2], &template).await, stream_bytes);

    // Warm up: pools at the concurrency level, allocator, caches.
    for t in &requests {
        one(t, Scenario::Credits, &template).await;
        one(t, Scenario::Chat, &template).await;
    }
    for t in &requests {
        for scenario in [Scenario::Credits, Scenario::Chat] {
            sequential(t, scenario, &template, s.warmup).await;
            concurrent(
                t,
                scenario,
                &template,
                s.warmup.max(s.concurrency),
                s.concurrency,
            )
            .await;
        }
    }
    for t in &trio {
        for _ in 0..(s.streams / 4).max(1) {
            one_stream(t, &template).await;
        }
    }

    let wanted = |name: &str| filter.as_deref().is_none_or(|f| name.contains(f));
    let started = Instant::now();
    println!();
    println!(
        "{:<22} {:<9} {:>10} {:>10} {:>10} {:>10} {:>6}",
        "scenario", "client", "req/s", "p50 µs", "p99 µs", "cpu µs/req", "conns"
    );
    for scenario in [Scenario::Credits, Scenario::Chat] {
        let seq = format!("{} seq", scenario.name());
        if wanted(&seq) {
            request_benchmark(&seq, &requests, scenario, &template, s, None).await;
        }
        let conc = format!("{} conc{}", scenario.name(), s.concurrency);
        if wanted(&conc) {
            request_benchmark(
                &conc,
                &requests,
                scenario,
                &template,
                s,
                Some(s.concurrency),
            )
            .await;
        }
    }
    if wanted("stream") {
        stream_benchmark(&trio, &template, s, stream_bytes).await;
    }
    if s.inprocess > 0 && wanted("in-process") {
        inprocess_benchmark(payloads, &bare, &template, s).await;
    }
    println!();
    println!(
        "measured in {:.1} s (ratios: median of per-round sdk/bare ratios [min..max]; \
         req/s and chunks/s: higher is better, target >= 0.9x; latency: lower is better, \
         target <= 1.11x)",
        started.elapsed().as_secs_f64()
    );
}

fn main() {
    let s = Settings::from_env();
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(s.client_threads)
        .enable_all()
        .build()
        .expect("client runtime");
    // Run on a worker, as an application's tasks do, rather than on the blocked main thread.
    rt.block_on(async move { tokio::spawn(bench(s, filter)).await })
        .expect("benchmark");
}
