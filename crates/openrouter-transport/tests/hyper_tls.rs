//! `HyperTransport` over TLS against local HTTPS servers: ALPN picks HTTP/2 or HTTP/1.1, added
//! root certificates are trusted, an unknown authority is a TLS error.
//!
//! Each test makes its own certificate authority, a server certificate signed by it, and an
//! HTTPS server on an ephemeral port of 127.0.0.1 (`support/tls.rs`).
//! Nothing leaves the machine.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use openrouter_transport::{
    HyperTransport, HyperTransportBuilder, TlsRoots, Transport, TransportErrorKind,
};
use rcgen::KeyPair;

#[path = "support/tls.rs"]
mod tls;

use tls::{fetch, get, Pki, TlsServer, H1, H2};

/// The default settings plus a connect timeout, so that a broken test fails instead of hanging.
fn builder() -> HyperTransportBuilder {
    HyperTransport::builder().connect_timeout(Duration::from_secs(5))
}

/// A transport that trusts the test authority (on top of the default roots).
fn trusting(pki: &Pki) -> HyperTransport {
    pki.trusting_builder().build().unwrap()
}

#[tokio::test]
async fn alpn_picks_http2_with_an_added_root() {
    let pki = Pki::new();
    let server = TlsServer::start(&pki, &[H2, H1]).await;
    let transport = trusting(&pki);

    // By name: the certificate is checked against `localhost` (sent by SNI).
    let (version, body) = fetch(&transport, &server.url("localhost", "/")).await;
    assert_eq!(version, http::Version::HTTP_2);
    assert_eq!(body, "HTTP/2.0 alpn=h2");

    // By address: checked against the certificate's IP address.
    let (version, body) = fetch(&transport, &server.url("127.0.0.1", "/")).await;
    assert_eq!(version, http::Version::HTTP_2);
    assert_eq!(body, "HTTP/2.0 alpn=h2");
}

#[tokio::test]
async fn http2_disabled_gives_http1() {
    let pki = Pki::new();
    let server = TlsServer::start(&pki, &[H2, H1]).await;
    let transport = builder()
        .add_root_certificate(pki.ca_der.to_vec())
        .http2(false)
        .build()
        .unwrap();

    let (version, body) = fetch(&transport, &server.url("127.0.0.1", "/")).await;
    assert_eq!(version, http::Version::HTTP_11);
    // hyper-rustls sends no ALPN extension when HTTP/2 is off.
    assert_eq!(body, "HTTP/1.1 alpn=none");
}

#[tokio::test]
async fn server_without_h2_gives_http1() {
    let pki = Pki::new();
    let server = TlsServer::start(&pki, &[H1]).await;
    let transport = trusting(&pki);

    let (version, body) = fetch(&transport, &server.url("127.0.0.1", "/")).await;
    assert_eq!(version, http::Version::HTTP_11);
    assert_eq!(body, "HTTP/1.1 alpn=http/1.1");
}

#[tokio::test]
async fn unknown_authority_is_a_tls_error_before_sending() {
    let pki = Pki::new();
    let server = TlsServer::start(&pki, &[H2, H1]).await;
    // The default roots (Mozilla's) do not include the test authority.
    let transport = builder().build().unwrap();

    let err = transport
        .send(get(&server.url("127.0.0.1", "/")))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), TransportErrorKind::Tls, "{err:?}");
    assert!(err.is_tls() && err.is_connect(), "{err:?}");
    assert!(!err.may_have_reached_server(), "{err:?}");
    assert_eq!(server.connections(), 1);
    assert_eq!(server.requests(), 0);
}

#[tokio::test]
async fn another_authority_is_not_trusted() {
    let pki = Pki::new();
    let server = TlsServer::start(&pki, &[H2, H1]).await;
    let other = Pki::new();
    let transport = builder()
        .tls_roots(TlsRoots::AddedOnly)
        .add_root_certificate(other.ca_der.to_vec())
        .build()
        .unwrap();

    let err = transport
        .send(get(&server.url("localhost", "/")))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), TransportErrorKind::Tls, "{err:?}");
    assert!(!err.may_have_reached_server(), "{err:?}");
    assert_eq!(server.requests(), 0);
}

#[tokio::test]
async fn concurrent_requests_share_one_http2_connection() {
    const REQUESTS: usize = 8;
    let pki = Pki::new();
    let server = TlsServer::start_with_barrier(&pki, &[H2, H1], REQUESTS).await;
    let transport = trusting(&pki);

    // One request first, so the pool holds an HTTP/2 connection.
    let (version, _) = fetch(&transport, &server.url("127.0.0.1", "/")).await;
    assert_eq!(version, http::Version::HTTP_2);

    // Every request waits in the server until all are in flight, so they are answered only if
    // they are all sent at once; on one connection, that takes HTTP/2 streams.
    let answers = fetch_at_once(&transport, &server.url("127.0.0.1", "/together"), REQUESTS).await;
    for (version, body) in answers {
        assert_eq!(version, http::Version::HTTP_2);
        assert_eq!(body, "HTTP/2.0 alpn=h2");
    }
    assert_eq!(server.requests(), REQUESTS + 1);
    assert_eq!(
        server.connections(),
        1,
        "HTTP/2 requests should share one connection"
    );
}

/// Sends `n` GETs of `url` at once; returns what each got.
async fn fetch_at_once(
    transport: &HyperTransport,
    url: &str,
    n: usize,
) -> Vec<(http::Version, String)> {
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let (transport, url) = (transport.clone(), url.to_owned());
            tokio::spawn(async move { fetch(&transport, &url).await })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap());
    }
    answers
}

#[tokio::test]
async fn first_requests_at_once_share_one_http2_connection() {
    const REQUESTS: usize = 8;
    let pki = Pki::new();
    let server = TlsServer::start_with_barrier(&pki, &[H2, H1], REQUESTS).await;
    let transport = trusting(&pki);

    // No connection exists yet: the first request opens one, and the others wait for it
    // rather than each opening their own; they are all answered only if all are in flight
    // at once.
    let answers = fetch_at_once(&transport, &server.url("127.0.0.1", "/together"), REQUESTS).await;
    for (version, body) in answers {
        assert_eq!(version, http::Version::HTTP_2);
        assert_eq!(body, "HTTP/2.0 alpn=h2");
    }
    assert_eq!(
        server.connections(),
        1,
        "the first requests share one connection"
    );
}

#[tokio::test]
async fn first_requests_at_once_to_an_http1_server_open_their_own_connections() {
    const REQUESTS: usize = 4;
    let pki = Pki::new();
    let server = TlsServer::start_with_barrier(&pki, &[H1], REQUESTS).await;
    let transport = trusting(&pki);

    // The requests that waited for the first connection find it is HTTP/1.1 and open their
    // own: all four are in flight at once.
    let answers = fetch_at_once(&transport, &server.url("127.0.0.1", "/together"), REQUESTS).await;
    for (version, body) in answers {
        assert_eq!(version, http::Version::HTTP_11);
        assert_eq!(body, "HTTP/1.1 alpn=http/1.1");
    }
    assert_eq!(server.connections(), REQUESTS);
}

#[tokio::test]
async fn an_http2_connection_the_server_shuts_down_is_replaced() {
    let pki = Pki::new();
    let server = TlsServer::start(&pki, &[H2, H1]).await;
    let transport = trusting(&pki);

    let (version, _) = fetch(&transport, &server.url("127.0.0.1", "/goaway")).await;
    assert_eq!(version, http::Version::HTTP_2);
    // Time for the server's GOAWAY to arrive and the connection to close.
    tokio::time::sleep(Duration::from_millis(200)).await;

    let (version, body) = fetch(&transport, &server.url("127.0.0.1", "/")).await;
    assert_eq!(version, http::Version::HTTP_2);
    assert_eq!(body, "HTTP/2.0 alpn=h2");
    assert_eq!(
        server.connections(),
        2,
        "a new connection replaces the closed one"
    );
}

/// A TCP relay on 127.0.0.1 in front of `target` whose connections can be made to go silent:
/// after [`Relay::silence`], the connections open so far swallow everything in both directions
/// while staying open, as behind a NAT that forgot them. Later connections relay normally.
struct Relay {
    addr: std::net::SocketAddr,
    opened: Arc<AtomicUsize>,
    silenced_below: Arc<AtomicUsize>,
}

impl Relay {
    async fn start(target: std::net::SocketAddr) -> Relay {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let opened = Arc::new(AtomicUsize::new(0));
        let silenced_below = Arc::new(AtomicUsize::new(0));
        let (count, silenced) = (opened.clone(), silenced_below.clone());
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let id = count.fetch_add(1, Ordering::SeqCst);
                let upstream = tokio::net::TcpStream::connect(target).await.unwrap();
                let (client_read, client_write) = client.into_split();
                let (upstream_read, upstream_write) = upstream.into_split();
                tokio::spawn(pump(client_read, upstream_write, id, silenced.clone()));
                tokio::spawn(pump(upstream_read, client_write, id, silenced.clone()));
            }
        });
        Relay {
            addr,
            opened,
            silenced_below,
        }
    }

    fn silence(&self) {
        self.silenced_below
            .store(self.opened.load(Ordering::SeqCst), Ordering::SeqCst);
    }

    fn url(&self, path: &str) -> String {
        format!("https://127.0.0.1:{}{path}", self.addr.port())
    }
}

async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    id: usize,
    silenced_below: Arc<AtomicUsize>,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut buffer = [0; 16 * 1024];
    while let Ok(read) = from.read(&mut buffer).await {
        if read == 0 {
            return;
        }
        if id >= silenced_below.load(Ordering::SeqCst)
            && to.write_all(&buffer[..read]).await.is_err()
        {
            return;
        }
    }
}

/// A transport trusting the test authority that pings HTTP/2 connections every 100 ms and gives
/// a ping 200 ms.
fn pinging(pki: &Pki) -> HyperTransport {
    pki.trusting_builder()
        .http2_keep_alive(Duration::from_millis(100), Duration::from_millis(200))
        .build()
        .unwrap()
}

#[tokio::test]
async fn http2_keep_alive_replaces_a_connection_that_went_silent() {
    let pki = Pki::new();
    let server = TlsServer::start(&pki, &[H2, H1]).await;
    let relay = Relay::start(server.addr).await;
    let transport = pinging(&pki);

    let (version, _) = fetch(&transport, &relay.url("/")).await;
    assert_eq!(version, http::Version::HTTP_2);
    relay.silence();
    // Long enough for a ping to go unanswered past its timeout, and the connection to close.
    tokio::time::sleep(Duration::from_millis(800)).await;

    // Without pings the pool would hand out the silent connection and this would hang.
    let (version, _) =
        tokio::time::timeout(Duration::from_secs(3), fetch(&transport, &relay.url("/")))
            .await
            .expect("a new connection, not the silent one");
    assert_eq!(version, http::Version::HTTP_2);
    assert_eq!(relay.opened.load(Ordering::SeqCst), 2);
    assert_eq!(server.connections(), 2);
}

#[tokio::test]
async fn http2_keep_alive_fails_a_request_waiting_on_a_connection_that_went_silent() {
    let pki = Pki::new();
    // `/together` with two required: a lone request waits 5 s for its answer.
    let server = TlsServer::start_with_barrier(&pki, &[H2, H1], 2).await;
    let relay = Relay::start(server.addr).await;
    let transport = pinging(&pki);
    fetch(&transport, &relay.url("/")).await;

    let start = std::time::Instant::now();
    let waiting = transport.send(get(&relay.url("/together")));
    let silence = async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        relay.silence();
    };
    let (result, ()) = tokio::join!(waiting, silence);
    let err = result.expect_err("the connection went silent");
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "failed by the keep-alive, not the server's 5 s: {:?}",
        start.elapsed()
    );
    assert!(err.may_have_reached_server(), "{err:?}");
}

#[tokio::test]
async fn pem_roots_alone_are_trusted() {
    let pki = Pki::new();
    let server = TlsServer::start(&pki, &[H2, H1]).await;
    // A bundle as found on disk: a key section (ignored) and the authority's certificate.
    let bundle = format!(
        "{}{}",
        KeyPair::generate().unwrap().serialize_pem(),
        pki.ca_pem
    );
    let transport = builder()
        .tls_roots(TlsRoots::AddedOnly)
        .add_root_certificates_pem(bundle)
        .build()
        .unwrap();

    let (version, _) = fetch(&transport, &server.url("localhost", "/")).await;
    assert_eq!(version, http::Version::HTTP_2);
}

/// Builds and returns the error, which must be a TLS error raised before anything is sent.
fn build_error(builder: HyperTransportBuilder) -> openrouter_transport::TransportError {
    let err = builder.build().unwrap_err();
    assert_eq!(err.kind(), TransportErrorKind::Tls, "{err:?}");
    assert!(!err.may_have_reached_server(), "{err:?}");
    err
}

#[test]
fn invalid_der_root_fails_build() {
    let pki = Pki::new();
    let err = build_error(
        builder()
            .add_root_certificate(pki.ca_der.to_vec())
            .add_root_certificate(b"not a certificate".to_vec()),
    );
    let message = err.message().unwrap();
    assert!(message.contains("root certificate 2 (DER)"), "{message}");
    assert!(std::error::Error::source(&err).is_some());

    // Truncated DER: parsing must fail cleanly, not panic.
    let mut truncated = pki.ca_der.to_vec();
    truncated.truncate(truncated.len() / 2);
    build_error(builder().add_root_certificate(truncated));
    build_error(builder().add_root_certificate(Vec::new()));
}

#[test]
fn pem_without_a_certificate_fails_build() {
    let key_only = KeyPair::generate().unwrap().serialize_pem();
    let err = build_error(builder().add_root_certificates_pem(key_only));
    let message = err.message().unwrap();
    assert!(message.contains("no CERTIFICATE section"), "{message}");

    build_error(builder().add_root_certificates_pem("not PEM at all"));
}

#[test]
fn malformed_pem_fails_build() {
    let pem = "-----BEGIN CERTIFICATE-----\n%%%% not base64 %%%%\n-----END CERTIFICATE-----\n";
    let err = build_error(builder().add_root_certificates_pem(pem));
    assert!(err.message().unwrap().contains("not valid PEM"), "{err:?}");

    let unterminated = "-----BEGIN CERTIFICATE-----\nAAAA\n";
    build_error(builder().add_root_certificates_pem(unterminated));
}

#[test]
fn added_only_needs_a_root() {
    let err = build_error(builder().tls_roots(TlsRoots::AddedOnly));
    assert!(
        err.message().unwrap().contains("no TLS root certificates"),
        "{err:?}"
    );
}
