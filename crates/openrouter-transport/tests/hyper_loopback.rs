//! Wire behaviour of `HyperTransport` against real servers on 127.0.0.1.
//!
//! Each test starts its own server on an ephemeral port: a hyper 1 HTTP/1.1 server for
//! well-behaved exchanges, or a raw TCP listener for misbehaving peers. Nothing leaves the
//! machine.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Body, Frame};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use openrouter_transport::{
    HyperTransport, RequestBody, SharedTransport, Transport, TransportErrorKind,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

mod support;

use support::{full, TestServer};

fn transport() -> HyperTransport {
    HyperTransport::builder()
        .connect_timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

fn get(url: &str) -> http::Request<RequestBody> {
    http::Request::get(url).body(RequestBody::empty()).unwrap()
}

/// A port on 127.0.0.1 that nothing listens on.
async fn closed_port() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    addr
}

#[tokio::test]
async fn get_returns_status_headers_and_body() {
    let server = TestServer::start(|request: http::Request<Incoming>| async move {
        let text = format!("{} {}", request.method(), request.uri().path());
        http::Response::builder()
            .status(203)
            .header("x-request-id", "req-1")
            .body(full(text))
            .unwrap()
    })
    .await;

    let response = transport().send(get(&server.url("/models"))).await.unwrap();
    assert_eq!(response.status(), 203);
    assert_eq!(response.headers()["x-request-id"], "req-1");
    assert_eq!(response.into_body().collect().await.unwrap(), "GET /models");
}

#[tokio::test]
async fn post_sends_headers_and_body() {
    let server = TestServer::start(|request: http::Request<Incoming>| async move {
        let content_type = request.headers()["content-type"].clone();
        let length = request.headers()["content-length"].clone();
        let body = request.into_body().collect().await.unwrap().to_bytes();
        http::Response::builder()
            .header("x-seen-content-type", content_type)
            .header("x-seen-content-length", length)
            .body(full(body))
            .unwrap()
    })
    .await;

    let payload = r#"{"model":"openai/gpt-4o","messages":[]}"#;
    let body = RequestBody::from(payload);
    let retry_copy = body.try_clone().unwrap();
    let request = |body| {
        http::Request::post(server.url("/chat/completions"))
            .header("content-type", "application/json")
            .body(body)
            .unwrap()
    };
    let shared = SharedTransport::new(transport());
    for body in [body, retry_copy] {
        let response = shared.send(request(body)).await.unwrap();
        assert_eq!(
            response.headers()["x-seen-content-type"],
            "application/json"
        );
        assert_eq!(
            response.headers()["x-seen-content-length"],
            payload.len().to_string()
        );
        assert_eq!(response.into_body().collect().await.unwrap(), payload);
    }
}

#[tokio::test]
async fn streaming_request_body_is_sent() {
    let server = TestServer::start(|request: http::Request<Incoming>| async move {
        let body = request.into_body().collect().await.unwrap().to_bytes();
        http::Response::new(full(body))
    })
    .await;

    let (tx, rx) = mpsc::channel(4);
    let request = http::Request::post(server.url("/upload"))
        .body(RequestBody::from_body(ChannelBody(rx)))
        .unwrap();
    let sending = tokio::spawn({
        let transport = transport();
        async move { transport.send(request).await }
    });
    for part in ["part one, ", "part two"] {
        tx.send(Bytes::from(part)).await.unwrap();
    }
    drop(tx);
    let response = sending.await.unwrap().unwrap();
    assert_eq!(
        response.into_body().collect().await.unwrap(),
        "part one, part two"
    );
}

/// A body fed through a channel, so a test decides when each frame exists.
struct ChannelBody(mpsc::Receiver<Bytes>);

impl Body for ChannelBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.0
            .poll_recv(cx)
            .map(|chunk| chunk.map(|c| Ok(Frame::data(c))))
    }
}

#[tokio::test]
async fn chunked_response_streams_frame_by_frame() {
    // The server sends each chunk only when the test releases it, so a frame that arrives
    // before the next release proves the body is streamed, not buffered.
    let (release_tx, release_rx) = mpsc::channel::<Bytes>(1);
    let release_rx = Arc::new(tokio::sync::Mutex::new(Some(release_rx)));
    let server = TestServer::start(move |_request: http::Request<Incoming>| {
        let release_rx = release_rx.clone();
        async move {
            let rx = release_rx
                .lock()
                .await
                .take()
                .expect("one streaming request");
            http::Response::builder()
                .header("content-type", "text/event-stream")
                .body(ChannelBody(rx).boxed())
                .unwrap()
        }
    })
    .await;

    let response = transport().send(get(&server.url("/stream"))).await.unwrap();
    assert_eq!(response.headers()["transfer-encoding"], "chunked");
    let mut body = response.into_body();

    for event in ["data: one\n\n", "data: two\n\n", "data: [DONE]\n\n"] {
        release_tx.send(Bytes::from(event)).await.unwrap();
        let frame = tokio::time::timeout(Duration::from_secs(5), body.frame())
            .await
            .expect("frame arrives before the next chunk is released")
            .unwrap()
            .unwrap();
        assert_eq!(frame.into_data().unwrap(), event);
    }
    drop(release_tx);
    assert!(body.frame().await.is_none());
}

#[tokio::test]
async fn connections_are_pooled() {
    let server = TestServer::start(|_request: http::Request<Incoming>| async move {
        http::Response::new(full("ok"))
    })
    .await;
    let transport = transport();
    for _ in 0..3 {
        let response = transport.clone().send(get(&server.url("/"))).await.unwrap();
        assert_eq!(response.into_body().collect().await.unwrap(), "ok");
    }
    assert_eq!(server.connections.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn closed_port_is_a_connect_error_that_did_not_reach_the_server() {
    let addr = closed_port().await;
    let err = transport()
        .send(get(&format!("http://{addr}/")))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), TransportErrorKind::Connect, "{err:?}");
    assert!(err.is_connect());
    assert!(!err.may_have_reached_server());
    assert_eq!(err.to_string(), "connection failed");
    assert!(std::error::Error::source(&err).is_some());
}

#[tokio::test]
async fn stalled_tls_handshake_hits_the_connect_timeout() {
    // Accepts TCP and then says nothing: the TLS handshake never completes.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let held = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        tokio::time::sleep(Duration::from_secs(30)).await;
        drop(stream);
    });

    let transport = HyperTransport::builder()
        .connect_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err = transport
        .send(get(&format!("https://{addr}/")))
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(err.kind(), TransportErrorKind::Timeout, "{err:?}");
    assert!(err.is_timeout() && err.is_connect());
    assert!(!err.may_have_reached_server());
    held.abort();
}

#[tokio::test]
async fn tls_failure_is_a_tls_error() {
    // Answers the TLS ClientHello with plain HTTP, which rustls rejects.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut buf = [0u8; 1024];
        let _ = stream.read(&mut buf).await;
        let _ = stream
            .write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n")
            .await;
    });

    let err = transport()
        .send(get(&format!("https://{addr}/")))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), TransportErrorKind::Tls, "{err:?}");
    assert!(err.is_connect());
    assert!(!err.may_have_reached_server());
}

/// Starts a raw TCP server that reads one request and answers with `reply` (which may be
/// empty, to hang up without answering).
async fn raw_server(reply: &'static [u8]) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut buf = [0u8; 4096];
        let _ = stream.read(&mut buf).await;
        let _ = stream.write_all(reply).await;
        let _ = stream.shutdown().await;
    });
    addr
}

#[tokio::test]
async fn hang_up_after_request_may_have_reached_the_server() {
    let addr = raw_server(b"").await;
    let request = http::Request::post(format!("http://{addr}/chat/completions"))
        .body(RequestBody::from("{}"))
        .unwrap();
    let err = transport().send(request).await.unwrap_err();
    assert_eq!(err.kind(), TransportErrorKind::Io, "{err:?}");
    assert!(!err.is_connect());
    assert!(err.may_have_reached_server());
}

#[tokio::test]
async fn garbage_response_is_a_protocol_error() {
    let addr = raw_server(b"NOT HTTP AT ALL\r\n\r\n").await;
    let err = transport()
        .send(get(&format!("http://{addr}/")))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), TransportErrorKind::Protocol, "{err:?}");
    assert!(err.may_have_reached_server());
}

#[tokio::test]
async fn truncated_body_is_a_body_read_error() {
    let addr = raw_server(b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc").await;
    let response = transport()
        .send(get(&format!("http://{addr}/")))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let err = response.into_body().collect().await.unwrap_err();
    assert_eq!(err.kind(), TransportErrorKind::BodyRead, "{err:?}");
    assert!(err.may_have_reached_server());
}
