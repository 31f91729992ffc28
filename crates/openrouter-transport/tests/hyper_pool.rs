//! Connection-pool behaviour of `HyperTransport`, observed from outside: how many TCP
//! connections a server accepts for a sequence of requests.
//!
//! Covers reuse after sequential, concurrent, bodiless and POST exchanges; connections that
//! must not be reused (`Connection: close`, closed by the server while idle, a response body
//! dropped unread); the `pool_max_idle_per_host` and `pool_idle_timeout` settings; one pool
//! per host; and the request head sent on a pooled HTTP/1.1 connection (the Host header and
//! the origin-form request-target).
//!
//! Each test starts its own server on an ephemeral port of 127.0.0.1 that counts the
//! connections it accepts: a hyper 1 HTTP/1.1 server, or a raw TCP listener for a server that
//! closes connections on its own. Every exchange runs under a time limit, so a pool that hangs
//! fails the test rather than stalling it. Nothing leaves the machine.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Body, Frame};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use openrouter_transport::{HyperTransport, HyperTransportBuilder, RequestBody, Transport};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

mod support;

use support::{full, ServerBody, TestServer};

/// How long any one exchange may take before the test fails.
const LIMIT: Duration = Duration::from_secs(5);

impl TestServer {
    /// A raw TCP server that answers one request per connection with a keep-alive response
    /// (naming the connection: `connection 1`, `connection 2`, ...), then closes the socket
    /// 50 ms later without having announced it.
    async fn closing_after_one_request() -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let connections = Arc::new(AtomicUsize::new(0));
        let counter = connections.clone();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let number = counter.fetch_add(1, Ordering::SeqCst) + 1;
                tokio::spawn(async move {
                    if !read_request_head(&mut stream).await {
                        return;
                    }
                    let body = format!("connection {number}");
                    let response = format!(
                        "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = stream.write_all(response.as_bytes()).await;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    drop(stream);
                });
            }
        });
        TestServer {
            addr,
            connections,
            closed: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// The connections accepted so far, read after a short pause so that one the client
    /// opened in the background (and might not use) is counted too.
    async fn connections(&self) -> usize {
        tokio::time::sleep(Duration::from_millis(100)).await;
        self.connections.load(Ordering::SeqCst)
    }
}

/// Reads from `stream` up to the end of a request head; false if the peer closed first.
async fn read_request_head(stream: &mut TcpStream) -> bool {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|window| window == b"\r\n\r\n") {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    true
}

/// A handler that answers `ok`.
async fn ok(_request: http::Request<Incoming>) -> http::Response<ServerBody> {
    http::Response::new(full("ok"))
}

/// A handler that answers with the request body.
async fn echo(request: http::Request<Incoming>) -> http::Response<ServerBody> {
    let body = request.into_body().collect().await.unwrap().to_bytes();
    http::Response::new(full(body))
}

/// A handler that answers with the request-target and the Host header it received, one a line.
async fn target_and_host(request: http::Request<Incoming>) -> http::Response<ServerBody> {
    let host = request.headers()["host"].to_str().unwrap();
    http::Response::new(full(format!("{}\n{host}", request.uri())))
}

/// A response body that never ends: the same chunk, again and again.
struct Endless;

impl Body for Endless {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(&[b'x'; 1024])))))
    }
}

/// A body of these frames (popped from the end), with no length: sent chunked. (The crate's
/// `test_util::ChunkedBody` declares its length, which hyper would send as `Content-Length`.)
struct Frames(Vec<&'static [u8]>);

impl Body for Frames {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(
            self.0
                .pop()
                .map(|data| Ok(Frame::data(Bytes::from_static(data)))),
        )
    }
}

fn builder() -> HyperTransportBuilder {
    HyperTransport::builder().connect_timeout(LIMIT)
}

fn transport() -> HyperTransport {
    builder().build().unwrap()
}

fn get(url: &str) -> http::Request<RequestBody> {
    http::Request::get(url).body(RequestBody::empty()).unwrap()
}

/// Awaits `future`, failing the test if it takes longer than [`LIMIT`].
async fn within_limit<F: Future>(future: F) -> F::Output {
    tokio::time::timeout(LIMIT, future)
        .await
        .expect("the exchange finished within the time limit")
}

/// Sends `request` and reads the whole response body.
async fn fetch(
    transport: &HyperTransport,
    request: http::Request<RequestBody>,
) -> http::Response<Bytes> {
    within_limit(async {
        let (head, body) = transport.send(request).await.unwrap().into_parts();
        http::Response::from_parts(head, body.collect().await.unwrap())
    })
    .await
}

/// A server that holds each answer (`ok`) for 50 ms, so that concurrent requests overlap.
async fn slow_server() -> TestServer {
    TestServer::start(|_request: http::Request<Incoming>| async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        http::Response::new(full("ok"))
    })
    .await
}

/// Sends `n` GETs of `url` at once and checks that each is answered `ok`.
async fn concurrent_gets(transport: &HyperTransport, url: &str, n: usize) {
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let transport = transport.clone();
            let request = get(url);
            tokio::spawn(async move { fetch(&transport, request).await })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap().body(), "ok");
    }
}

#[tokio::test]
async fn sequential_requests_reuse_one_connection() {
    let server = TestServer::start(ok).await;
    let transport = transport();
    for _ in 0..10 {
        let response = fetch(&transport, get(&server.url("/"))).await;
        assert_eq!(response.body(), "ok");
    }
    assert_eq!(server.connections().await, 1);
}

#[tokio::test]
async fn concurrent_requests_then_reuse() {
    let server = slow_server().await;
    let transport = transport();

    concurrent_gets(&transport, &server.url("/"), 8).await;
    let concurrent = server.connections().await;
    assert!(
        (1..=8).contains(&concurrent),
        "8 concurrent requests used {concurrent} connections"
    );

    for _ in 0..8 {
        assert_eq!(fetch(&transport, get(&server.url("/"))).await.body(), "ok");
    }
    assert_eq!(
        server.connections().await,
        concurrent,
        "sequential requests reuse the connections the concurrent ones opened"
    );
}

#[tokio::test]
async fn connection_close_response_is_not_reused() {
    let server = TestServer::start(|_request: http::Request<Incoming>| async {
        http::Response::builder()
            .header("connection", "close")
            .body(full("ok"))
            .unwrap()
    })
    .await;
    let transport = transport();
    for _ in 0..2 {
        assert_eq!(fetch(&transport, get(&server.url("/"))).await.body(), "ok");
    }
    assert_eq!(server.connections().await, 2);
}

#[tokio::test]
async fn server_closing_idle_connection_is_handled() {
    let server = TestServer::closing_after_one_request().await;
    let transport = transport();

    let first = fetch(&transport, get(&server.url("/"))).await;
    assert_eq!(first.body(), "connection 1");
    // Long enough for the server's close to have reached the client.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let second = fetch(&transport, get(&server.url("/"))).await;
    assert_eq!(second.body(), "connection 2");
    assert_eq!(server.connections().await, 2);
}

#[tokio::test]
async fn dropped_unread_body_does_not_poison_the_pool() {
    const BIG: usize = 1 << 20;
    let server = TestServer::start(|request: http::Request<Incoming>| async move {
        match request.uri().path() {
            "/big" => http::Response::new(full(vec![b'x'; BIG])),
            "/endless" => http::Response::new(Endless.boxed()),
            _ => http::Response::new(full("small")),
        }
    })
    .await;
    let transport = transport();

    // A body of known length, and a chunked one that never ends: each is dropped unread, and
    // the request that follows must get its own answer, not the rest of the dropped body.
    for (path, framing, value) in [
        ("/big", "content-length", BIG.to_string()),
        ("/endless", "transfer-encoding", "chunked".to_string()),
    ] {
        let response = within_limit(transport.send(get(&server.url(path))))
            .await
            .unwrap();
        assert_eq!(response.headers()[framing], value.as_str(), "{path}");
        drop(response);

        let next = fetch(&transport, get(&server.url("/small"))).await;
        assert_eq!(next.status(), 200, "after dropping {path}");
        assert_eq!(next.body(), "small", "after dropping {path}");
    }
}

#[tokio::test]
async fn a_body_dropped_part_way_closes_its_connection() {
    let server = TestServer::start(|_request: http::Request<Incoming>| async {
        http::Response::new(Endless.boxed())
    })
    .await;
    let transport = transport();
    let response = within_limit(transport.send(get(&server.url("/endless"))))
        .await
        .unwrap();
    drop(response);

    // The connection cannot be reused and must not linger: the server sees it end.
    within_limit(async {
        while server.closed.load(Ordering::SeqCst) == 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    assert_eq!(server.connections.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn pool_max_idle_per_host_zero_disables_reuse() {
    let server = TestServer::start(ok).await;
    let transport = builder().pool_max_idle_per_host(0).build().unwrap();
    for _ in 0..3 {
        assert_eq!(fetch(&transport, get(&server.url("/"))).await.body(), "ok");
    }
    assert_eq!(server.connections().await, 3);
}

#[tokio::test]
async fn pool_idle_timeout_expires_connections() {
    let server = TestServer::start(ok).await;
    let transport = builder()
        .pool_idle_timeout(Duration::from_millis(100))
        .build()
        .unwrap();

    assert_eq!(fetch(&transport, get(&server.url("/"))).await.body(), "ok");
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(fetch(&transport, get(&server.url("/"))).await.body(), "ok");
    assert_eq!(server.connections().await, 2);
}

#[tokio::test]
async fn different_hosts_use_different_connections() {
    let first = TestServer::start(|_request: http::Request<Incoming>| async {
        http::Response::new(full("first"))
    })
    .await;
    let second = TestServer::start(|_request: http::Request<Incoming>| async {
        http::Response::new(full("second"))
    })
    .await;
    let transport = transport();

    for _ in 0..3 {
        assert_eq!(
            fetch(&transport, get(&first.url("/"))).await.body(),
            "first"
        );
        assert_eq!(
            fetch(&transport, get(&second.url("/"))).await.body(),
            "second"
        );
    }
    assert_eq!(first.connections().await, 1);
    assert_eq!(second.connections().await, 1);
}

#[tokio::test]
async fn request_after_response_without_body() {
    let server = TestServer::start(|request: http::Request<Incoming>| async move {
        if request.uri().path() == "/no-content" {
            let mut response = http::Response::new(full(""));
            *response.status_mut() = http::StatusCode::NO_CONTENT;
            response
        } else {
            http::Response::new(full("hello"))
        }
    })
    .await;
    let transport = transport();

    let no_content = fetch(&transport, get(&server.url("/no-content"))).await;
    assert_eq!(no_content.status(), 204);
    assert!(no_content.body().is_empty());

    // The answer to HEAD announces a length but carries no body; the client must not wait
    // for one, nor read the next answer as this one's body.
    let head = http::Request::head(server.url("/"))
        .body(RequestBody::empty())
        .unwrap();
    let head = fetch(&transport, head).await;
    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()["content-length"], "5");
    assert!(head.body().is_empty());

    assert_eq!(
        fetch(&transport, get(&server.url("/"))).await.body(),
        "hello"
    );
    assert_eq!(server.connections().await, 1);
}

#[tokio::test]
async fn post_with_body_reuses_connection() {
    let server = TestServer::start(echo).await;
    let transport = transport();
    for i in 0..5 {
        let payload = format!("payload number {i}");
        let request = http::Request::post(server.url("/echo"))
            .body(RequestBody::from(payload.clone()))
            .unwrap();
        assert_eq!(fetch(&transport, request).await.body(), payload.as_str());
    }
    assert_eq!(server.connections().await, 1);
}

#[tokio::test]
async fn http1_request_has_host_header_and_origin_form_target() {
    let server = TestServer::start(target_and_host).await;
    let transport = transport();
    // Twice: on the new connection, and on the pooled one.
    for _ in 0..2 {
        let response = fetch(&transport, get(&server.url("/a/b?x=1"))).await;
        let seen = std::str::from_utf8(response.body()).unwrap();
        assert_eq!(seen, format!("/a/b?x=1\n{}", server.addr));
    }
    assert_eq!(server.connections().await, 1);
}

#[tokio::test]
async fn explicit_host_header_is_kept() {
    let server = TestServer::start(target_and_host).await;
    let request = http::Request::get(server.url("/models"))
        .header("host", "api.example.test")
        .body(RequestBody::empty())
        .unwrap();
    let response = fetch(&transport(), request).await;
    assert_eq!(response.body(), "/models\napi.example.test");
}

#[tokio::test]
async fn body_dropped_after_its_data_keeps_the_connection() {
    // As an SSE stream whose reader stops at `[DONE]` and drops the body before reading the
    // chunked terminator behind it.
    let server = TestServer::start(|_request: http::Request<Incoming>| async {
        let frames = Frames(vec![b"data: [DONE]\n\n", b"data: 1\n\n"]);
        http::Response::new(frames.boxed())
    })
    .await;
    let transport = transport();

    let response = within_limit(transport.send(get(&server.url("/stream"))))
        .await
        .unwrap();
    assert_eq!(response.headers()["transfer-encoding"], "chunked");
    let mut body = response.into_body();
    for expected in ["data: 1\n\n", "data: [DONE]\n\n"] {
        let frame = within_limit(body.frame()).await.unwrap().unwrap();
        assert_eq!(frame.into_data().unwrap(), expected);
    }
    // Let the terminator arrive, then drop the body without reading it.
    tokio::time::sleep(Duration::from_millis(50)).await;
    drop(body);

    let next = fetch(&transport, get(&server.url("/"))).await;
    assert_eq!(next.body(), "data: 1\n\ndata: [DONE]\n\n");
    assert_eq!(server.connections().await, 1);
}

#[tokio::test]
async fn pool_max_idle_per_host_limits_the_connections_kept() {
    let server = slow_server().await;
    let transport = builder().pool_max_idle_per_host(1).build().unwrap();

    concurrent_gets(&transport, &server.url("/"), 4).await;
    assert_eq!(server.connections().await, 4);
    // One connection was kept: the next batch reuses it and opens three.
    concurrent_gets(&transport, &server.url("/"), 4).await;
    assert_eq!(server.connections().await, 7);
}
