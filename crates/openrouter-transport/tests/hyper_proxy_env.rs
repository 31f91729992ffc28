//! `HyperTransport`'s default proxies, read from the environment. One test in a binary of its
//! own: it sets process-wide variables, which no other test may see.

#[path = "support/proxy.rs"]
mod test_proxy;
#[path = "support/tls.rs"]
mod tls;

use openrouter_transport::{HyperTransport, Proxy, RequestBody, Transport, TransportErrorKind};
use test_proxy::TestProxy;
use tls::{Pki, TlsServer, H1, H2};

const VARIABLES: [&str; 9] = [
    "ALL_PROXY",
    "all_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "NO_PROXY",
    "no_proxy",
    "REQUEST_METHOD",
];

fn set(pairs: &[(&str, &str)]) {
    for name in VARIABLES {
        std::env::remove_var(name);
    }
    for (name, value) in pairs {
        std::env::set_var(name, value);
    }
}

async fn status(transport: &HyperTransport, url: &str) -> http::StatusCode {
    let request = http::Request::get(url).body(RequestBody::empty()).unwrap();
    let response = transport.send(request).await.unwrap();
    let status = response.status();
    response.into_body().collect().await.unwrap();
    status
}

#[tokio::test]
async fn proxies_from_the_environment() {
    let pki = Pki::new();
    let server = TlsServer::start(&pki, &[H2, H1]).await;
    let proxy = TestProxy::http(None).await;
    let port = server.addr.port();

    // HTTPS_PROXY is the default's, read by `build`; `ALL_PROXY` is not needed beside it.
    set(&[("https_proxy", &proxy.url("http", None))]);
    let transport = pki.trusting_builder().build().unwrap();
    // The variable is read once: changing it later changes nothing.
    set(&[]);
    let reached = status(&transport, &server.url("proxied.test", "/")).await;
    assert_eq!(reached, http::StatusCode::OK);
    let seen = proxy.seen.all();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(seen[0].starts_with(&format!("CONNECT proxied.test:{port} ")));

    // Loopback hosts never go through an environment proxy.
    set(&[("ALL_PROXY", &proxy.url("http", None))]);
    let transport = pki.trusting_builder().build().unwrap();
    status(&transport, &server.url("127.0.0.1", "/")).await;
    status(&transport, &server.url("localhost", "/")).await;
    assert_eq!(proxy.seen.all().len(), 1, "{:?}", proxy.seen.all());
    // ALL_PROXY covers https when HTTPS_PROXY is unset.
    status(&transport, &server.url("proxied.test", "/")).await;
    assert_eq!(proxy.seen.all().len(), 2, "{:?}", proxy.seen.all());

    // An unusable value fails the build and names the variable; it is never skipped.
    set(&[("HTTPS_PROXY", "https://user:secret@proxy.example:8443")]);
    let err = pki.trusting_builder().build().unwrap_err();
    assert_eq!(err.kind(), TransportErrorKind::Other);
    let shown = err.to_string();
    assert!(
        shown.contains("HTTPS_PROXY `https://***@proxy.example:8443`"),
        "{shown}"
    );
    assert!(!shown.contains("secret"), "{shown}");
    set(&[("http_proxy", "ftp://proxy.example")]);
    let err = pki.trusting_builder().build().unwrap_err();
    assert!(err.to_string().contains("http_proxy"), "{err}");

    // `Proxy::none` and CGI scripts ignore the variables.
    pki.trusting_builder().proxy(Proxy::none()).build().unwrap();
    set(&[
        ("http_proxy", "ftp://proxy.example"),
        ("REQUEST_METHOD", "GET"),
    ]);
    pki.trusting_builder().build().unwrap();

    // NO_PROXY and `no_proxy` on top of it are both honoured.
    set(&[
        ("HTTPS_PROXY", &proxy.url("http", None)),
        ("NO_PROXY", "example.com"),
    ]);
    let transport = pki
        .trusting_builder()
        .proxy(Proxy::from_env().no_proxy("proxied.test"))
        .build()
        .unwrap();
    let shown = format!("{transport:?}");
    assert!(shown.contains("from the environment"), "{shown}");
    set(&[]);
    // `proxied.test` now goes direct, and does not resolve here: a connect error, and the
    // proxy saw nothing new.
    let request = http::Request::get(server.url("proxied.test", "/"))
        .body(RequestBody::empty())
        .unwrap();
    let err = transport.send(request).await.unwrap_err();
    assert!(err.is_connect(), "{err:?}");
    assert_eq!(proxy.seen.all().len(), 2, "{:?}", proxy.seen.all());
}
