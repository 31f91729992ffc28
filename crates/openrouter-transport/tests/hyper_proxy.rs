//! `HyperTransport` through proxies given to the builder: `https://` requests through an HTTP
//! `CONNECT` tunnel and through SOCKS5, `http://` requests forwarded in absolute form, proxy
//! credentials, `no_proxy`, and the errors of a proxy that refuses or is not there. The proxies
//! and servers run on 127.0.0.1 (`support/proxy.rs`, `support/tls.rs`, `support/mod.rs`).
//!
//! Proxies read from the environment are tested in `hyper_proxy_env.rs`, a binary of its own,
//! because the environment is shared by every test of a binary.

mod support;
#[path = "support/proxy.rs"]
mod test_proxy;
#[path = "support/tls.rs"]
mod tls;

use openrouter_transport::{HyperTransport, Proxy, Transport, TransportErrorKind};
use support::{full, TestServer};
use test_proxy::TestProxy;
use tls::{fetch, get, Pki, TlsServer, H1, H2};

/// The error and its causes, as a log line would show them.
fn chain(err: &dyn std::error::Error) -> String {
    let mut shown = err.to_string();
    let mut cause = err.source();
    while let Some(next) = cause {
        shown = format!("{shown}: {next}");
        cause = next.source();
    }
    shown
}

/// A plain HTTP server whose body is the request target as it arrived and its `Host`.
async fn echo_server() -> TestServer {
    TestServer::start(|request: http::Request<hyper::body::Incoming>| async move {
        let host = request.headers().get(http::header::HOST).cloned();
        let body = format!("{} host={host:?}", request.uri());
        http::Response::new(full(body))
    })
    .await
}

#[tokio::test]
async fn https_goes_through_a_connect_tunnel_and_keeps_http2() {
    let pki = Pki::new();
    let server = TlsServer::start(&pki, &[H2, H1]).await;
    let proxy = TestProxy::http(None).await;
    let transport = pki
        .trusting_builder()
        .proxy(Proxy::all(proxy.url("http", None)))
        .build()
        .unwrap();

    for _ in 0..3 {
        let (version, body) = fetch(&transport, &server.url("localhost", "/")).await;
        assert_eq!(version, http::Version::HTTP_2);
        // TLS and ALPN run end to end with the server, inside the tunnel.
        assert_eq!(body, "HTTP/2.0 alpn=h2");
    }
    let seen = proxy.seen.all();
    assert_eq!(seen.len(), 1, "one tunnel, reused: {seen:?}");
    let port = server.addr.port();
    assert!(
        seen[0].starts_with(&format!("CONNECT localhost:{port} HTTP/1.1\r\n")),
        "{seen:?}"
    );
    assert_eq!(server.connections(), 1);
}

#[tokio::test]
async fn http_is_forwarded_in_absolute_form() {
    let pki = Pki::new();
    let server = echo_server().await;
    let proxy = TestProxy::http(None).await;
    let transport = pki
        .trusting_builder()
        .proxy(Proxy::all(proxy.url("http", None)))
        .build()
        .unwrap();

    let url = server.url("/api/v1/credits?x=1");
    let (_, body) = fetch(&transport, &url).await;
    let authority = server.addr.to_string();
    assert_eq!(body, format!("{url} host=Some({authority:?})"));
    let seen = proxy.seen.all();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(
        seen[0].starts_with(&format!("GET {url} HTTP/1.1\r\n")),
        "{seen:?}"
    );
    assert!(!seen[0].to_ascii_lowercase().contains("proxy-authorization"));
}

#[tokio::test]
async fn credentials_in_the_url_are_sent_and_never_shown() {
    let pki = Pki::new();
    let tls_server = TlsServer::start(&pki, &[H2, H1]).await;
    let http_server = echo_server().await;
    // `user:secret`, base64.
    let proxy = TestProxy::http(Some("Basic dXNlcjpzZWNyZXQ=")).await;
    let transport = pki
        .trusting_builder()
        .proxy(Proxy::all(proxy.url("http", Some("user:secret"))))
        .build()
        .unwrap();

    fetch(&transport, &tls_server.url("127.0.0.1", "/")).await;
    fetch(&transport, &http_server.url("/")).await;
    let seen = proxy.seen.all();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert!(seen[0].starts_with("CONNECT ") && seen[1].starts_with("GET http://"));

    let shown = format!("{transport:?}");
    assert!(!shown.contains("secret"), "{shown}");
    assert!(shown.contains("***@127.0.0.1"), "{shown}");
}

#[tokio::test]
async fn a_proxy_that_refuses_the_tunnel_is_a_connect_error() {
    let pki = Pki::new();
    let server = TlsServer::start(&pki, &[H2, H1]).await;
    let proxy = TestProxy::http(Some("Basic dXNlcjpzZWNyZXQ=")).await;
    let transport = pki
        .trusting_builder()
        .proxy(Proxy::all(proxy.url("http", Some("user:wrong"))))
        .build()
        .unwrap();

    let err = transport
        .send(get(&server.url("127.0.0.1", "/")))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), TransportErrorKind::Connect, "{err:?}");
    assert!(err.is_connect() && !err.may_have_reached_server());
    let shown = format!("{} / {err:?}", chain(&err));
    assert!(
        shown.contains(&format!("through the proxy at http://{}", proxy.addr)),
        "{shown}"
    );
    assert!(shown.contains("proxy authorization required"), "{shown}");
    assert!(!shown.contains("wrong"), "{shown}");
    assert_eq!(server.connections(), 0);
}

#[tokio::test]
async fn a_proxy_that_is_not_there_is_a_connect_error() {
    let pki = Pki::new();
    // A port that was free a moment ago: nothing listens on it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = echo_server().await;
    let transport = pki
        .trusting_builder()
        .proxy(Proxy::all(format!("http://127.0.0.1:{port}")))
        .build()
        .unwrap();

    let err = transport.send(get(&server.url("/"))).await.unwrap_err();
    assert_eq!(err.kind(), TransportErrorKind::Connect, "{err:?}");
    assert!(!err.may_have_reached_server());
    let shown = chain(&err);
    assert!(
        shown.contains("through the proxy at http://127.0.0.1"),
        "{shown}"
    );
    assert_eq!(
        server.connections.load(std::sync::atomic::Ordering::SeqCst),
        0
    );
}

#[tokio::test]
async fn no_proxy_hosts_and_other_schemes_go_direct() {
    let pki = Pki::new();
    let server = echo_server().await;
    let tls_server = TlsServer::start(&pki, &[H2, H1]).await;
    let proxy = TestProxy::http(None).await;

    let excepted = pki
        .trusting_builder()
        .proxy(Proxy::all(proxy.url("http", None)).no_proxy("example.com, 127.0.0.1"))
        .build()
        .unwrap();
    let (_, body) = fetch(&excepted, &server.url("/direct")).await;
    assert!(
        body.starts_with("/direct "),
        "origin form, so direct: {body}"
    );
    fetch(&excepted, &tls_server.url("127.0.0.1", "/")).await;

    // A proxy for https only leaves http alone, and the other way round.
    let https_only = pki
        .trusting_builder()
        .proxy(Proxy::https(proxy.url("http", None)))
        .build()
        .unwrap();
    let (_, body) = fetch(&https_only, &server.url("/direct")).await;
    assert!(body.starts_with("/direct "), "{body}");
    let http_only = pki
        .trusting_builder()
        .proxy(Proxy::http(proxy.url("http", None)))
        .build()
        .unwrap();
    fetch(&http_only, &tls_server.url("127.0.0.1", "/")).await;

    assert_eq!(proxy.seen.all(), Vec::<String>::new());
}

#[tokio::test]
async fn socks5h_lets_the_proxy_resolve_the_name() {
    let pki = Pki::new();
    let server = TlsServer::start(&pki, &[H2, H1]).await;
    let proxy = TestProxy::socks5().await;
    let transport = pki
        .trusting_builder()
        .proxy(Proxy::all(proxy.url("socks5h", None)))
        .build()
        .unwrap();

    // `proxied.test` does not resolve here; only the proxy knows where it is.
    let (version, body) = fetch(&transport, &server.url("proxied.test", "/")).await;
    assert_eq!(version, http::Version::HTTP_2);
    assert_eq!(body, "HTTP/2.0 alpn=h2");
    let port = server.addr.port();
    assert_eq!(proxy.seen.all(), vec![format!("proxied.test:{port}")]);
}

#[tokio::test]
async fn socks5_resolves_the_name_itself() {
    let pki = Pki::new();
    let server = TlsServer::start(&pki, &[H1]).await;
    let proxy = TestProxy::socks5().await;
    let transport = pki
        .trusting_builder()
        .proxy(Proxy::all(proxy.url("socks5", None)))
        .build()
        .unwrap();

    let (version, _) = fetch(&transport, &server.url("localhost", "/")).await;
    assert_eq!(version, http::Version::HTTP_11);
    let seen = proxy.seen.all();
    let port = server.addr.port();
    // The client looked `localhost` up and sent an address.
    assert!(
        seen == [format!("127.0.0.1:{port}")] || seen == [format!("[::1]:{port}")],
        "{seen:?}"
    );
}

#[test]
fn unusable_proxy_urls_fail_the_build() {
    for (url, says) in [
        (
            "https://127.0.0.1:8443",
            "https:// proxy, which is not supported",
        ),
        ("ftp://127.0.0.1", "unsupported scheme `ftp`"),
        ("http://user:secret@bad host", "is not a proxy URL"),
    ] {
        let err = HyperTransport::builder()
            .proxy(Proxy::all(url))
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), TransportErrorKind::Other);
        let shown = err.to_string();
        assert!(shown.contains(says), "{url}: {shown}");
        assert!(!shown.contains("secret"), "{shown}");
    }
}
