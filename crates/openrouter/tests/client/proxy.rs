//! The default transport's proxy, set on the client builder.

use openrouter::transport::Proxy;
use openrouter::{Client, Error};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::support::*;

/// A forwarding HTTP proxy for one request: returns its address and, once it has answered,
/// the request head it read.
async fn one_shot_proxy(answer: &'static str) -> (String, tokio::task::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let served = tokio::spawn(async move {
        let (mut client, _) = listener.accept().await.unwrap();
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") {
            let mut byte = [0];
            if client.read(&mut byte).await.unwrap() == 0 {
                break;
            }
            head.push(byte[0]);
        }
        let response = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{answer}",
            answer.len()
        );
        client.write_all(response.as_bytes()).await.unwrap();
        String::from_utf8(head).unwrap()
    });
    (addr, served)
}

#[tokio::test]
async fn requests_go_through_the_proxy_given_to_the_builder() {
    let (proxy, served) = one_shot_proxy(CREDITS_OK).await;
    // Nothing listens at the base URL's port: only the proxy can answer.
    let client = Client::builder()
        .base_url("http://127.0.0.1:9/api/v1")
        .api_key(KEY)
        .proxy(Proxy::all(format!("http://user:pw@{proxy}")))
        .build()
        .unwrap();
    let credits = client.credits().get().send().await.unwrap();
    assert_eq!(credits.meta().status(), 200);
    assert_eq!(credits.data().data.total_credits, 10.5);
    let head = served.await.unwrap();
    assert!(
        head.starts_with("GET http://127.0.0.1:9/api/v1/credits HTTP/1.1\r\n"),
        "{head}"
    );
    // `user:pw`, base64.
    assert!(
        head.contains("proxy-authorization: Basic dXNlcjpwdw==\r\n"),
        "{head}"
    );
}

#[test]
fn an_unusable_proxy_fails_the_build() {
    let err = Client::builder()
        .api_key(KEY)
        .proxy(Proxy::all("https://proxy.example:8443"))
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    let shown = format!("{err:?}");
    assert!(shown.contains("not supported"), "{shown}");
}
