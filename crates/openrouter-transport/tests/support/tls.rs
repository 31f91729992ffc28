//! HTTPS test servers for the transport's integration tests: a certificate authority made at
//! test time with rcgen (on `ring`), a server certificate signed by it, and an HTTPS server on
//! 127.0.0.1 (tokio-rustls with hyper-util's auto server, which speaks HTTP/1.1 and HTTP/2).
//!
//! Included with `#[path]` by the test binaries that need TLS.

// Each test binary uses part of this module.
#![allow(dead_code)]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};
use tokio::net::TcpListener;
use tokio::sync::{Barrier, Notify};
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::TlsAcceptor;

pub(crate) const H2: &[u8] = b"h2";
pub(crate) const H1: &[u8] = b"http/1.1";

/// A certificate authority and a server certificate it signed (for `localhost`, `127.0.0.1`
/// and `proxied.test`), made at test time.
pub(crate) struct Pki {
    pub(crate) ca_der: CertificateDer<'static>,
    pub(crate) ca_pem: String,
    /// The server's chain: its own certificate, then the authority's.
    pub(crate) server_chain: Vec<CertificateDer<'static>>,
    pub(crate) server_key: PrivatePkcs8KeyDer<'static>,
}

impl Pki {
    pub(crate) fn new() -> Pki {
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "openrouter-transport test CA");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();

        let server_key = KeyPair::generate().unwrap();
        let mut server_params = CertificateParams::new(vec![
            "localhost".to_string(),
            "127.0.0.1".to_string(),
            // A name that is not loopback, for requests that only a proxy can route.
            "proxied.test".to_string(),
        ])
        .unwrap();
        server_params
            .distinguished_name
            .push(DnType::CommonName, "localhost");
        let server_cert = server_params.signed_by(&server_key, &ca).unwrap();

        Pki {
            ca_der: ca.der().clone(),
            ca_pem: ca.pem(),
            server_chain: vec![server_cert.der().clone(), ca.der().clone()],
            server_key: PrivatePkcs8KeyDer::from(server_key.serialize_der()),
        }
    }

    /// A transport builder that trusts this authority (on top of the default roots), with a
    /// connect timeout so that a broken test fails instead of hanging.
    pub(crate) fn trusting_builder(&self) -> openrouter_transport::HyperTransportBuilder {
        openrouter_transport::HyperTransport::builder()
            .connect_timeout(Duration::from_secs(5))
            .add_root_certificate(self.ca_der.to_vec())
    }

    pub(crate) fn server_config(&self, alpn: &[&[u8]]) -> rustls::ServerConfig {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                self.server_chain.clone(),
                PrivateKeyDer::Pkcs8(self.server_key.clone_key()),
            )
            .unwrap();
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        config
    }
}

/// An HTTPS server on 127.0.0.1 that counts the TCP connections it accepts and the requests it
/// answers. Each response body reads `<version seen by the server> alpn=<negotiated protocol>`.
/// Requests to `/together` wait until `together` of them are in flight at once (or 5 s pass,
/// which gives a 504). After answering a request to `/goaway`, the server shuts the connection
/// down gracefully.
pub(crate) struct TlsServer {
    pub(crate) addr: SocketAddr,
    pub(crate) connections: Arc<AtomicUsize>,
    pub(crate) requests: Arc<AtomicUsize>,
}

impl TlsServer {
    pub(crate) async fn start(pki: &Pki, alpn: &[&[u8]]) -> TlsServer {
        Self::start_with_barrier(pki, alpn, 1).await
    }

    pub(crate) async fn start_with_barrier(
        pki: &Pki,
        alpn: &[&[u8]],
        together: usize,
    ) -> TlsServer {
        let acceptor = TlsAcceptor::from(Arc::new(pki.server_config(alpn)));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(AtomicUsize::new(0));
        let barrier = Arc::new(Barrier::new(together));
        let (connection_count, request_count) = (connections.clone(), requests.clone());
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                connection_count.fetch_add(1, Ordering::SeqCst);
                let acceptor = acceptor.clone();
                let requests = request_count.clone();
                let barrier = barrier.clone();
                tokio::spawn(async move {
                    // A client that rejects the certificate ends the handshake here.
                    let Ok(tls) = acceptor.accept(stream).await else {
                        return;
                    };
                    let alpn = match tls.get_ref().1.alpn_protocol() {
                        Some(protocol) => String::from_utf8_lossy(protocol).into_owned(),
                        None => "none".to_string(),
                    };
                    let shutdown = Arc::new(Notify::new());
                    let trigger = shutdown.clone();
                    let service = service_fn(move |request: http::Request<Incoming>| {
                        requests.fetch_add(1, Ordering::SeqCst);
                        if request.uri().path() == "/goaway" {
                            trigger.notify_one();
                        }
                        let body = format!("{:?} alpn={alpn}", request.version());
                        let barrier = barrier.clone();
                        async move {
                            let mut status = http::StatusCode::OK;
                            if request.uri().path() == "/together"
                                && tokio::time::timeout(Duration::from_secs(5), barrier.wait())
                                    .await
                                    .is_err()
                            {
                                status = http::StatusCode::GATEWAY_TIMEOUT;
                            }
                            let response = http::Response::builder()
                                .status(status)
                                .body(Full::new(Bytes::from(body)))
                                .unwrap();
                            Ok::<_, Infallible>(response)
                        }
                    });
                    // The auto server reads the connection preface, so it would accept HTTP/2
                    // even without ALPN: which protocol is used is the client's choice.
                    let builder = auto::Builder::new(TokioExecutor::new());
                    let mut connection = pin!(builder.serve_connection(TokioIo::new(tls), service));
                    tokio::select! {
                        _ = connection.as_mut() => {}
                        // After a request to `/goaway`: a graceful shutdown (HTTP/2 `GOAWAY`).
                        _ = shutdown.notified() => {
                            connection.as_mut().graceful_shutdown();
                            let _ = connection.await;
                        }
                    }
                });
            }
        });
        TlsServer {
            addr,
            connections,
            requests,
        }
    }

    pub(crate) fn url(&self, host: &str, path: &str) -> String {
        format!("https://{host}:{}{path}", self.addr.port())
    }

    pub(crate) fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    pub(crate) fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

/// A GET request with no body.
pub(crate) fn get(url: &str) -> http::Request<openrouter_transport::RequestBody> {
    http::Request::get(url)
        .body(openrouter_transport::RequestBody::empty())
        .unwrap()
}

/// Sends a GET, expects a 200, and returns the version of the response and its body.
pub(crate) async fn fetch(
    transport: &openrouter_transport::HyperTransport,
    url: &str,
) -> (http::Version, String) {
    use openrouter_transport::Transport;
    let response = transport.send(get(url)).await.unwrap();
    assert_eq!(response.status(), http::StatusCode::OK, "{url}");
    let version = response.version();
    let body = response.into_body().collect().await.unwrap();
    (version, String::from_utf8(body.to_vec()).unwrap())
}
