//! Load and memory bounds of the SDK `Client` against a loopback server (not run by CI; the
//! numbers go into BENCHMARKS.md, section "Load and memory bounds").
//!
//! The server runs in a **child process** (this same binary, started again with
//! `LOAD_SERVER_CHILD=1`): a hyper 1.x HTTP/1.1 server on `127.0.0.1:0` on its own runtime, so
//! the peak RSS and the descriptors measured here are the client's alone. The parent talks to
//! it over the child's stdin and stdout (its address, and on request a line of statistics:
//! connections accepted, open and at most open, bytes of generated bodies produced, its own
//! peak RSS). It answers:
//!
//! - `GET /api/v1/credits`: a 50-byte credits document (`Content-Length`);
//! - `POST /api/v1/chat/completions`: a `text/event-stream` of `LOAD_STREAM_CHUNKS` chat
//!   chunks (a keep-alive comment first, the last chunk with `finish_reason`), one frame each,
//!   `LOAD_STREAM_INTERVAL_MS` apart, then `data: [DONE]`;
//! - `POST /huge-line/api/v1/chat/completions`: a `text/event-stream` whose body is
//!   `data: ` and then `LOAD_HUGE_LINE` bytes of `x` with no newline, generated on the fly in
//!   64 KiB frames (nothing of that size is allocated);
//! - `GET /big-json/api/v1/credits`: a 200 with a valid JSON credits document padded with a
//!   string to `LOAD_BIG_JSON` bytes, generated on the fly, chunked (no declared length, so the
//!   client has to read up to its limit to find out);
//! - `GET /big-json-length/api/v1/credits`: the same with its `Content-Length` declared.
//!
//! Phases (a first argument that is not a flag picks one: `memory`, `load`, `streams`; default
//! all three, in that order). Each measures in this process, on a fresh `Client` (built as the
//! tests build theirs: base URL `http://127.0.0.1:PORT/.../api/v1`, which the client allows
//! over plain HTTP because it is loopback, and an API key; library defaults otherwise):
//!
//! - `load`: `LOAD_REQUESTS` `get_credits()` calls, `LOAD_CONCURRENCY` in flight (that many
//!   tasks pulling from one counter), every answer checked; errors by message, throughput,
//!   p50/p99/max latency;
//! - `streams`: `LOAD_STREAMS` streamed chat completions started at once, each read to its
//!   end; errors, chunks seen (each stream must yield exactly `LOAD_STREAM_CHUNKS`), streams
//!   open at once at most, chunks per second;
//! - `memory`: one streaming call against the huge line, with the default event limit
//!   (`MAX_STREAM_EVENT`, 32 MiB) and then each limit of `LOAD_EVENT_LIMITS_MIB`
//!   (`ClientBuilder::max_stream_event`): the stream must end with
//!   `StreamError::EventTooLarge`; and `get_credits()` against the big JSON body (chunked, then
//!   with a declared length) with the default `max_response_body` (64 MiB) and each limit of
//!   `LOAD_BODY_LIMITS_MIB`: the call must fail with `Error::TooLarge`.
//!
//! For every phase and case: the process's RSS before (the baseline, after the peak is reset
//! by writing `5` to `/proc/self/clear_refs`), its peak during (`VmHWM`) and the difference;
//! for `load` and `streams` also the descriptors of the process (entries of `/proc/self/fd`),
//! how many are sockets and how many distinct sockets (inodes) they are, before the client is
//! built, after the run with the client alive (its pool keeps idle connections, and the pool
//! holds a duplicate descriptor of each pooled HTTP/1.1 connection for its checkout peek, so a
//! connection is two descriptors) and after the client is dropped.
//!
//! Environment:
//!
//! | variable | default (quick) | meaning |
//! | --- | --- | --- |
//! | `LOAD_QUICK` | unset | set: the quick values in parentheses, a smoke run of seconds |
//! | `LOAD_REQUESTS` | 100000 (5000) | requests of the `load` phase |
//! | `LOAD_CONCURRENCY` | 512 (512) | requests in flight |
//! | `LOAD_STREAMS` | 1000 (100) | concurrent streams |
//! | `LOAD_STREAM_CHUNKS` | 40 (40) | JSON chunks per stream |
//! | `LOAD_STREAM_INTERVAL_MS` | 10 (1) | pause between two chunks of a stream, server side |
//! | `LOAD_HUGE_LINE` | 1073741824 (50331648) | bytes of the line without newline |
//! | `LOAD_EVENT_LIMITS_MIB` | `8,128` (`8`) | event limits tried after the default |
//! | `LOAD_BIG_JSON` | 200000000 (80000000) | bytes of the big JSON body |
//! | `LOAD_BODY_LIMITS_MIB` | `16,128` (`16`) | body limits tried after the default |
//! | `LOAD_CLIENT_THREADS` | 2 | client runtime workers |
//! | `LOAD_SERVER_THREADS` | 1 | server runtime workers (child process) |
//!
//! Run with `cargo bench -p openrouter --bench load` (release profile); a smoke run:
//! `LOAD_QUICK=1 cargo bench -p openrouter --bench load`; one phase:
//! `cargo bench -p openrouter --bench load -- streams`. Linux only (it reads `/proc/self`).

use std::collections::{BTreeMap, HashSet};
use std::convert::Infallible;
use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::pin::Pin;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::StreamExt;
use http::header::CONTENT_TYPE;
use http::{Method, Request, Response, StatusCode};
use http_body::{Body, Frame, SizeHint};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use openrouter::sse::StreamError;
use openrouter::types::chat::{ChatRequest, Message};
use openrouter::{Client, Error};
use tokio::net::{TcpListener, TcpSocket};

const KEY: &str = "sk-or-v1-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const MODEL: &str = "openai/gpt-4o-mini";
const CREDITS_BODY: &str = r#"{"data":{"total_credits":10.5,"total_usage":2.25}}"#;
const MIB: usize = 1024 * 1024;

fn env_usize(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(v) => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a number, not `{v}`")),
        Err(_) => default,
    }
}

fn env_list(name: &str, default: &str) -> Vec<usize> {
    let v = std::env::var(name).unwrap_or_else(|_| default.to_owned());
    v.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse()
                .unwrap_or_else(|_| panic!("{name} must be numbers separated by commas, not `{v}`"))
        })
        .collect()
}

#[derive(Clone, Debug)]
struct Settings {
    quick: bool,
    requests: usize,
    concurrency: usize,
    streams: usize,
    stream_chunks: usize,
    stream_interval_ms: u64,
    huge_line: u64,
    event_limits_mib: Vec<usize>,
    big_json: u64,
    body_limits_mib: Vec<usize>,
    client_threads: usize,
}

impl Settings {
    fn from_env() -> Settings {
        let quick = std::env::var_os("LOAD_QUICK").is_some_and(|v| v != "0" && !v.is_empty());
        let q = |full: usize, quick_value: usize| if quick { quick_value } else { full };
        Settings {
            quick,
            requests: env_usize("LOAD_REQUESTS", q(100_000, 5_000)).max(1),
            concurrency: env_usize("LOAD_CONCURRENCY", 512).max(1),
            streams: env_usize("LOAD_STREAMS", q(1_000, 100)).max(1),
            stream_chunks: env_usize("LOAD_STREAM_CHUNKS", 40).max(2),
            stream_interval_ms: env_usize("LOAD_STREAM_INTERVAL_MS", q(10, 1)) as u64,
            huge_line: env_usize("LOAD_HUGE_LINE", q(1 << 30, 48 * MIB)) as u64,
            event_limits_mib: env_list("LOAD_EVENT_LIMITS_MIB", if quick { "8" } else { "8,128" }),
            big_json: env_usize("LOAD_BIG_JSON", q(200_000_000, 80_000_000)) as u64,
            body_limits_mib: env_list("LOAD_BODY_LIMITS_MIB", if quick { "16" } else { "16,128" }),
            client_threads: env_usize("LOAD_CLIENT_THREADS", 2).max(1),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The server (child process)

/// Connections accepted, open now, and open at most.
static ACCEPTED: AtomicUsize = AtomicUsize::new(0);
static OPEN: AtomicUsize = AtomicUsize::new(0);
static MAX_OPEN: AtomicUsize = AtomicUsize::new(0);
/// Bytes of generated bodies (huge line, big JSON) handed to hyper.
static GENERATED: AtomicU64 = AtomicU64::new(0);

type ServerBody = UnsyncBoxBody<Bytes, Infallible>;

/// A body made on the fly: `head`, then `fill` repeated (cut to size) for `len` bytes, then
/// `tail`; declares its length only if asked (else hyper sends it chunked).
struct Generated {
    head: Option<Bytes>,
    fill: Bytes,
    remaining: u64,
    tail: Option<Bytes>,
    declared: Option<u64>,
}

impl Generated {
    fn new(head: &'static str, len: u64, tail: &'static str, declare: bool) -> Generated {
        let fill = Bytes::from(vec![b'x'; 64 * 1024]);
        let total = head.len() as u64 + len + tail.len() as u64;
        Generated {
            head: Some(Bytes::from_static(head.as_bytes())),
            fill,
            remaining: len,
            tail: (!tail.is_empty()).then(|| Bytes::from_static(tail.as_bytes())),
            declared: declare.then_some(total),
        }
    }
}

impl Body for Generated {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = &mut *self;
        let data = if let Some(head) = this.head.take() {
            head
        } else if this.remaining > 0 {
            let n = this.remaining.min(this.fill.len() as u64);
            this.remaining -= n;
            this.fill.slice(..n as usize)
        } else if let Some(tail) = this.tail.take() {
            tail
        } else {
            return Poll::Ready(None);
        };
        GENERATED.fetch_add(data.len() as u64, Ordering::Relaxed);
        Poll::Ready(Some(Ok(Frame::data(data))))
    }

    fn is_end_stream(&self) -> bool {
        self.head.is_none() && self.remaining == 0 && self.tail.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        match self.declared {
            Some(n) => SizeHint::with_exact(n),
            None => SizeHint::default(),
        }
    }
}

/// The SSE frames of one streamed completion: `chunks` JSON chunks, then `[DONE]`.
fn stream_frames(chunks: usize) -> Arc<[Bytes]> {
    const WORDS: &[&str] = &[
        " Rust",
        "'s",
        " ownership",
        " model",
        " gives",
        " you",
        " memory",
        " safety",
        ",",
        " without",
        " a",
        " garbage",
        " collector",
        ".",
    ];
    let head = r#"{"id":"gen-1747321452-Qm4sKxT8vNf2LbW9cRzP","provider":"OpenAI","model":"openai/gpt-4o-mini","object":"chat.completion.chunk","created":1747321452,"choices":[{"index":0,"delta":"#;
    let mut frames = vec![Bytes::from_static(b": OPENROUTER PROCESSING\n\n")];
    for i in 0..chunks - 1 {
        frames.push(Bytes::from(format!(
            "data: {head}{{\"role\":\"assistant\",\"content\":\"{}\"}},\"finish_reason\":null}}]}}\n\n",
            WORDS[i % WORDS.len()]
        )));
    }
    frames.push(Bytes::from(format!(
        "data: {head}{{\"role\":\"assistant\",\"content\":\"\"}},\"finish_reason\":\"stop\"}}]}}\n\n"
    )));
    frames.push(Bytes::from_static(b"data: [DONE]\n\n"));
    frames.into()
}

struct ServerConfig {
    frames: Arc<[Bytes]>,
    interval: Duration,
    huge_line: u64,
    big_json: u64,
}

async fn handle(
    req: Request<Incoming>,
    config: Arc<ServerConfig>,
) -> Result<Response<ServerBody>, Infallible> {
    let (parts, body) = req.into_parts();
    let _ = body.collect().await;
    let json = |body: ServerBody| {
        Response::builder()
            .header(CONTENT_TYPE, "application/json")
            .body(body)
    };
    let sse = |body: ServerBody| {
        Response::builder()
            .header(CONTENT_TYPE, "text/event-stream")
            .header("cache-control", "no-cache")
            .body(body)
    };
    let response = match (parts.method, parts.uri.path()) {
        (Method::GET, "/api/v1/credits") => {
            json(Full::new(Bytes::from_static(CREDITS_BODY.as_bytes())).boxed_unsync())
        }
        (Method::POST, "/api/v1/chat/completions") => {
            let frames = config.frames.clone();
            let interval = config.interval;
            let paced = futures_util::stream::unfold(0usize, move |i| {
                let frame = frames.get(i).cloned();
                async move {
                    let frame = frame?;
                    // The keep-alive comment and the first chunk go at once.
                    if i > 1 && !interval.is_zero() {
                        tokio::time::sleep(interval).await;
                    }
                    Some((Ok::<_, Infallible>(Frame::data(frame)), i + 1))
                }
            });
            sse(StreamBody::new(paced).boxed_unsync())
        }
        (Method::POST, "/huge-line/api/v1/chat/completions") => {
            sse(Generated::new("data: ", config.huge_line, "", false).boxed_unsync())
        }
        (Method::GET, path @ ("/big-json/api/v1/credits" | "/big-json-length/api/v1/credits")) => {
            const HEAD: &str = r#"{"data":{"total_credits":10.5,"total_usage":2.25,"pad":""#;
            const TAIL: &str = r#""}}"#;
            let pad = config
                .big_json
                .saturating_sub((HEAD.len() + TAIL.len()) as u64);
            let declare = path.starts_with("/big-json-length/");
            json(Generated::new(HEAD, pad, TAIL, declare).boxed_unsync())
        }
        _ => Response::builder()
            .status(StatusCode::NOT_FOUND)
            .body(Full::new(Bytes::new()).boxed_unsync()),
    };
    Ok(response.expect("valid response"))
}

/// `VmRSS` and `VmHWM` of this process, in bytes.
fn rss() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Resets `VmHWM` to the current RSS (Linux 4.0 and later).
fn reset_peak() {
    if let Err(e) = std::fs::write("/proc/self/clear_refs", "5") {
        eprintln!("cannot reset the peak RSS ({e}): peaks are since the process started");
    }
}

fn server_main() {
    let threads = env_usize("LOAD_SERVER_THREADS", 1).max(1);
    let s = Settings::from_env();
    let config = Arc::new(ServerConfig {
        frames: stream_frames(s.stream_chunks),
        interval: Duration::from_millis(s.stream_interval_ms),
        huge_line: s.huge_line,
        big_json: s.big_json,
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()
        .expect("server runtime");
    // A backlog as deep as the kernel allows (`somaxconn`), so that the connections the load
    // opens at once are not dropped at the accept queue (a dropped SYN is sent again by the
    // client's kernel after 1 s, which would measure this server, not the client).
    let listener: TcpListener = rt
        .block_on(async {
            let socket = TcpSocket::new_v4()?;
            socket.bind("127.0.0.1:0".parse().expect("address"))?;
            socket.listen(65_535)
        })
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    rt.spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                // Out of descriptors, most likely: wait rather than spin.
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            };
            ACCEPTED.fetch_add(1, Ordering::Relaxed);
            let open = OPEN.fetch_add(1, Ordering::Relaxed) + 1;
            MAX_OPEN.fetch_max(open, Ordering::Relaxed);
            let _ = stream.set_nodelay(true);
            let config = config.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req| handle(req, config.clone()));
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
                OPEN.fetch_sub(1, Ordering::Relaxed);
            });
        }
    });
    let mut out = std::io::stdout().lock();
    writeln!(out, "{addr}").expect("write the address");
    out.flush().expect("flush");
    // One line in, one line out; the parent closing stdin ends the server.
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        if line.trim() == "stats" {
            let (_, hwm) = rss();
            writeln!(
                out,
                "{} {} {} {} {}",
                ACCEPTED.load(Ordering::Relaxed),
                OPEN.load(Ordering::Relaxed),
                MAX_OPEN.swap(OPEN.load(Ordering::Relaxed), Ordering::Relaxed),
                GENERATED.load(Ordering::Relaxed),
                hwm
            )
            .expect("write stats");
            out.flush().expect("flush");
            reset_peak();
        }
    }
    std::process::exit(0);
}

// ---------------------------------------------------------------------------------------------
// The parent's side of the server

struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    addr: SocketAddr,
}

#[derive(Clone, Copy, Debug, Default)]
struct ServerStats {
    accepted: usize,
    open: usize,
    /// Open at most since the previous `stats`.
    max_open: usize,
    generated: u64,
    /// The server process's peak RSS since the previous `stats`.
    peak_rss: u64,
}

impl Server {
    fn start() -> Server {
        let exe = std::env::current_exe().expect("this binary's path");
        let mut child = Command::new(exe)
            .env("LOAD_SERVER_CHILD", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the server process");
        let stdin = child.stdin.take();
        let mut stdout = BufReader::new(child.stdout.take().expect("server stdout"));
        let mut line = String::new();
        stdout.read_line(&mut line).expect("server address");
        let addr = line.trim().parse().expect("a socket address");
        Server {
            child,
            stdin,
            stdout,
            addr,
        }
    }

    fn stats(&mut self) -> ServerStats {
        let stdin = self.stdin.as_mut().expect("server stdin");
        writeln!(stdin, "stats").expect("ask for stats");
        stdin.flush().expect("flush");
        let mut line = String::new();
        self.stdout.read_line(&mut line).expect("stats");
        let v: Vec<u64> = line
            .split_whitespace()
            .map(|s| s.parse().expect("a number"))
            .collect();
        ServerStats {
            accepted: v[0] as usize,
            open: v[1] as usize,
            max_open: v[2] as usize,
            generated: v[3],
            peak_rss: v[4],
        }
    }

    fn url(&self, prefix: &str) -> String {
        format!("http://{}{prefix}/api/v1", self.addr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------------
// Measurements

/// This process's descriptors: all of them, the sockets, and the distinct sockets (inodes).
#[derive(Clone, Copy, Debug)]
struct Fds {
    total: usize,
    sockets: usize,
    socket_inodes: usize,
}

fn fds() -> Fds {
    let mut total = 0;
    let mut sockets = 0;
    let mut inodes = HashSet::new();
    for entry in std::fs::read_dir("/proc/self/fd")
        .expect("/proc/self/fd")
        .flatten()
    {
        let Ok(target) = std::fs::read_link(entry.path()) else {
            // The directory's own descriptor, closed by now.
            continue;
        };
        total += 1;
        let target = target.to_string_lossy().into_owned();
        if let Some(inode) = target.strip_prefix("socket:[") {
            sockets += 1;
            inodes.insert(inode.to_owned());
        }
    }
    Fds {
        total,
        sockets,
        socket_inodes: inodes.len(),
    }
}

impl std::fmt::Display for Fds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} fds, {} of them sockets, {} distinct sockets",
            self.total, self.sockets, self.socket_inodes
        )?;
        if self.socket_inodes > 0 {
            write!(
                f,
                " ({:.2} fds per socket)",
                self.sockets as f64 / self.socket_inodes as f64
            )?;
        }
        Ok(())
    }
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / MIB as f64)
}

fn signed_mib(after: u64, before: u64) -> String {
    let d = after as f64 - before as f64;
    format!("{:+.1} MiB", d / MIB as f64)
}

/// Errors by message (shortened), for the report.
#[derive(Default)]
struct Errors(Mutex<BTreeMap<String, usize>>);

impl Errors {
    fn add(&self, what: impl std::fmt::Display) {
        let mut s = what.to_string();
        s.truncate(160);
        *self.0.lock().expect("errors").entry(s).or_default() += 1;
    }

    fn report(&self) -> String {
        let map = self.0.lock().expect("errors");
        if map.is_empty() {
            return "0".to_owned();
        }
        let n: usize = map.values().sum();
        let kinds: Vec<String> = map.iter().map(|(k, v)| format!("{v} x {k}")).collect();
        format!("{n}: {}", kinds.join("; "))
    }
}

fn build_client(base: &str) -> Client {
    Client::builder()
        .base_url(base)
        .api_key(KEY)
        .build()
        .expect("client")
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    f64::from(sorted[i]) / 1000.0
}

/// What is printed around a phase that runs on one client: fds before, RSS, then fds with the
/// client alive and after it is dropped.
struct Around {
    fds_before: Fds,
    rss_before: u64,
    accepted_before: usize,
}

impl Around {
    fn start(server: &mut Server) -> Around {
        let accepted_before = server.stats().accepted;
        let fds_before = fds();
        reset_peak();
        let (rss_before, _) = rss();
        Around {
            fds_before,
            rss_before,
            accepted_before,
        }
    }

    fn finish(self, server: &mut Server, rt: &tokio::runtime::Runtime, client: Client) {
        let (rss_after, hwm) = rss();
        let stats = server.stats();
        let fds_alive = fds();
        println!(
            "  RSS: before {} (baseline), peak {} ({} over the baseline), after {}",
            mib(self.rss_before),
            mib(hwm),
            signed_mib(hwm, self.rss_before),
            mib(rss_after)
        );
        println!(
            "  server: {} connections accepted, {} open at most, {} open after the run; server process peak RSS {}",
            stats.accepted - self.accepted_before,
            stats.max_open,
            stats.open,
            mib(stats.peak_rss)
        );
        println!("  fds before the client: {}", self.fds_before);
        println!("  fds after the run, client alive (idle pool): {fds_alive}");
        drop(client);
        // The connections' tasks notice the pool is gone on the runtime's workers.
        rt.block_on(async { tokio::time::sleep(Duration::from_millis(500)).await });
        let fds_dropped = fds();
        let stats = server.stats();
        println!(
            "  fds 0.5 s after dropping the client: {fds_dropped}; server: {} open",
            stats.open
        );
    }
}

async fn load_run(client: &Client, s: &Settings) -> (Duration, Vec<u32>, Errors) {
    let next = Arc::new(AtomicUsize::new(0));
    let errors = Arc::new(Errors::default());
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(s.concurrency);
    for _ in 0..s.concurrency {
        let client = client.clone();
        let next = next.clone();
        let errors = errors.clone();
        let n = s.requests;
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(n / 256 + 16);
            while next.fetch_add(1, Ordering::Relaxed) < n {
                let t = Instant::now();
                match client.credits().get().send().await {
                    Ok(r) => {
                        if r.data().data.total_credits != 10.5 {
                            errors.add("wrong answer");
                        }
                    }
                    Err(e) => errors.add(e),
                }
                latencies.push(t.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
            }
            latencies
        }));
    }
    let mut latencies = Vec::with_capacity(s.requests);
    for t in tasks {
        latencies.extend(t.await.expect("load task"));
    }
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    let errors = Arc::try_unwrap(errors).unwrap_or_default();
    (elapsed, latencies, errors)
}

fn phase_load(server: &mut Server, rt: &tokio::runtime::Runtime, s: &Settings) {
    println!(
        "\n== load: {} x get_credits(), {} in flight, {} client worker(s)",
        s.requests, s.concurrency, s.client_threads
    );
    let around = Around::start(server);
    let client = build_client(&server.url(""));
    let (elapsed, latencies, errors) = rt.block_on(load_run(&client, s));
    println!(
        "  {} requests in {:.2} s: {:.0} req/s; latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; errors {}",
        latencies.len(),
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        percentile(&latencies, 1.0),
        errors.report()
    );
    around.finish(server, rt, client);
}

async fn streams_run(client: &Client, s: &Settings) -> (Duration, usize, usize, usize, Errors) {
    let errors = Arc::new(Errors::default());
    let open = Arc::new(AtomicUsize::new(0));
    let max_open = Arc::new(AtomicUsize::new(0));
    let complete = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(s.streams);
    for _ in 0..s.streams {
        let client = client.clone();
        let errors = errors.clone();
        let (open, max_open, complete) = (open.clone(), max_open.clone(), complete.clone());
        let expected = s.stream_chunks;
        tasks.push(tokio::spawn(async move {
            let request = ChatRequest::new(MODEL, vec![Message::user("Hi")]);
            let mut stream = match client.chat().create(request).stream().await {
                Ok(stream) => stream,
                Err(e) => {
                    errors.add(e);
                    return 0;
                }
            };
            let now = open.fetch_add(1, Ordering::Relaxed) + 1;
            max_open.fetch_max(now, Ordering::Relaxed);
            let mut n = 0;
            let mut failed = false;
            while let Some(chunk) = stream.next().await {
                match chunk {
                    Ok(_) => n += 1,
                    Err(e) => {
                        errors.add(e);
                        failed = true;
                        break;
                    }
                }
            }
            open.fetch_sub(1, Ordering::Relaxed);
            if !failed {
                if n == expected {
                    complete.fetch_add(1, Ordering::Relaxed);
                } else {
                    errors.add(format_args!("{n} chunks instead of {expected}"));
                }
            }
            n
        }));
    }
    let mut chunks = 0;
    for t in tasks {
        chunks += t.await.expect("stream task");
    }
    let elapsed = started.elapsed();
    let errors = Arc::try_unwrap(errors).unwrap_or_default();
    (
        elapsed,
        chunks,
        complete.load(Ordering::Relaxed),
        max_open.load(Ordering::Relaxed),
        errors,
    )
}

fn phase_streams(server: &mut Server, rt: &tokio::runtime::Runtime, s: &Settings) {
    println!(
        "\n== streams: {} streamed chat completions at once, {} chunks each, {} ms apart, {} client worker(s)",
        s.streams, s.stream_chunks, s.stream_interval_ms, s.client_threads
    );
    let around = Around::start(server);
    let client = build_client(&server.url(""));
    let (elapsed, chunks, complete, max_open, errors) = rt.block_on(streams_run(&client, s));
    println!(
        "  {complete} of {} streams complete (read to [DONE]), {chunks} chunks in {:.2} s: {:.0} chunks/s, {:.0} streams/s; {max_open} open at once at most; errors {}",
        s.streams,
        elapsed.as_secs_f64(),
        chunks as f64 / elapsed.as_secs_f64(),
        s.streams as f64 / elapsed.as_secs_f64(),
        errors.report()
    );
    around.finish(server, rt, client);
}

/// One memory case: a fresh client, the peak RSS of one call over the baseline.
fn memory_case<F>(
    server: &mut Server,
    rt: &tokio::runtime::Runtime,
    label: &str,
    limit: usize,
    prefix: &str,
    limit_set: Option<usize>,
    call: impl FnOnce(Client) -> F,
) where
    F: std::future::Future<Output = String>,
{
    let generated_before = server.stats().generated;
    let mut builder = Client::builder().base_url(server.url(prefix)).api_key(KEY);
    if let Some(n) = limit_set {
        builder = if prefix.starts_with("/huge-line") {
            builder.max_stream_event(n)
        } else {
            builder.max_response_body(n)
        };
    }
    let client = builder.build().expect("client");
    reset_peak();
    let (before, _) = rss();
    let started = Instant::now();
    let outcome = rt.block_on(call(client));
    let elapsed = started.elapsed();
    let (after, hwm) = rss();
    // Let the server notice the closed connection before asking what it sent.
    std::thread::sleep(Duration::from_millis(200));
    let stats = server.stats();
    println!(
        "  {label}, limit {}: {outcome} in {:.2} s; RSS before {}, peak {} ({} over the baseline, {:.2}x the limit), after {}; server produced {} of the body",
        mib(limit as u64),
        elapsed.as_secs_f64(),
        mib(before),
        mib(hwm),
        signed_mib(hwm, before),
        hwm.saturating_sub(before) as f64 / limit as f64,
        mib(after),
        mib(stats.generated - generated_before),
    );
}

async fn huge_line_call(client: Client) -> String {
    let request = ChatRequest::new(MODEL, vec![Message::user("Hi")]);
    let mut stream = match client.chat().create(request).stream().await {
        Ok(stream) => stream,
        Err(e) => return format!("UNEXPECTED: the call failed: {e}"),
    };
    let mut events = 0;
    while let Some(item) = stream.next().await {
        match item {
            Ok(_) => events += 1,
            Err(Error::Stream(f)) => {
                return match f.stream_error() {
                    StreamError::EventTooLarge { limit } => {
                        format!("EventTooLarge {{ limit: {limit} }} after {events} events")
                    }
                    other => format!("UNEXPECTED stream error: {other}"),
                };
            }
            Err(e) => return format!("UNEXPECTED error: {e}"),
        }
    }
    format!("UNEXPECTED: the stream ended after {events} events")
}

async fn big_json_call(client: Client) -> String {
    match client.credits().get().send().await {
        Err(Error::TooLarge(e)) => format!("TooLarge {{ limit: {} }}", e.limit()),
        Err(e) => format!("UNEXPECTED error: {e}"),
        Ok(_) => "UNEXPECTED: success".to_owned(),
    }
}

fn phase_memory(server: &mut Server, rt: &tokio::runtime::Runtime, s: &Settings) {
    println!(
        "\n== memory: one SSE line of {} bytes without a newline; a JSON body of {} bytes",
        s.huge_line, s.big_json
    );
    let event_limits =
        std::iter::once(None).chain(s.event_limits_mib.iter().map(|m| Some(m * MIB)));
    for set in event_limits {
        let limit = set.unwrap_or(openrouter::defaults::MAX_STREAM_EVENT);
        let label = if set.is_some() {
            "huge line, max_stream_event set"
        } else {
            "huge line, default limit"
        };
        memory_case(server, rt, label, limit, "/huge-line", set, huge_line_call);
    }
    for prefix in ["/big-json", "/big-json-length"] {
        let body_limits =
            std::iter::once(None).chain(s.body_limits_mib.iter().map(|m| Some(m * MIB)));
        for set in body_limits {
            let limit = set.unwrap_or(openrouter::defaults::MAX_RESPONSE_BODY);
            let label = match (prefix, set.is_some()) {
                ("/big-json", false) => "big JSON chunked, default limit",
                ("/big-json", true) => "big JSON chunked, max_response_body set",
                (_, false) => "big JSON with Content-Length, default limit",
                (_, true) => "big JSON with Content-Length, max_response_body set",
            };
            memory_case(server, rt, label, limit, prefix, set, big_json_call);
        }
    }
}

fn main() {
    if std::env::var_os("LOAD_SERVER_CHILD").is_some() {
        server_main();
        return;
    }
    let s = Settings::from_env();
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    println!(
        "{} run; settings: {s:?}",
        if s.quick {
            "quick (LOAD_QUICK)"
        } else {
            "full"
        }
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(s.client_threads)
        .enable_all()
        .build()
        .expect("client runtime");
    let mut server = Server::start();
    println!(
        "server: child process {} on {}",
        server.child.id(),
        server.addr
    );
    let (rss_start, _) = rss();
    println!("client process RSS at start: {}", mib(rss_start));
    let started = Instant::now();
    let wants = |name: &str| filter.as_deref().is_none_or(|f| f == name);
    if wants("memory") {
        phase_memory(&mut server, &rt, &s);
    }
    if wants("load") {
        phase_load(&mut server, &rt, &s);
    }
    if wants("streams") {
        phase_streams(&mut server, &rt, &s);
    }
    println!("\ndone in {:.1} s", started.elapsed().as_secs_f64());
}
