//! A counting HTTP/1.1 test server on 127.0.0.1, shared by the transport's integration tests.

// Each test binary uses part of this module.
#![allow(dead_code)]

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// The body type test handlers answer with.
pub(crate) type ServerBody = BoxBody<Bytes, Infallible>;

/// A server on an ephemeral port of 127.0.0.1 that counts the TCP connections it accepts.
pub(crate) struct TestServer {
    pub addr: SocketAddr,
    pub connections: Arc<AtomicUsize>,
    /// Connections that have ended (closed by either side).
    pub closed: Arc<AtomicUsize>,
}

impl TestServer {
    /// A hyper HTTP/1.1 server that answers every request with `handler`.
    pub(crate) async fn start<F, Fut>(handler: F) -> TestServer
    where
        F: Fn(http::Request<Incoming>) -> Fut + Clone + Send + Sync + 'static,
        Fut: Future<Output = http::Response<ServerBody>> + Send + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let connections = Arc::new(AtomicUsize::new(0));
        let closed = Arc::new(AtomicUsize::new(0));
        let (counter, closed_counter) = (connections.clone(), closed.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                let handler = handler.clone();
                let closed = closed_counter.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |request| {
                        let response = handler(request);
                        async move { Ok::<_, Infallible>(response.await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                    closed.fetch_add(1, Ordering::SeqCst);
                });
            }
        });
        TestServer {
            addr,
            connections,
            closed,
        }
    }

    /// An `http://` URL of this server.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }
}

/// A body of these bytes.
pub(crate) fn full(body: impl Into<Bytes>) -> ServerBody {
    Full::new(body.into()).boxed()
}
