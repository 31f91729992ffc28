//! `Client::from_env` and the base URL rules.
//!
//! Only `from_env_reads_every_variable` touches the environment, so tests cannot race on it.

use openrouter::{Client, ClientBuilder, Error};

use crate::support::*;

const VARS: [&str; 5] = [
    "OPENROUTER_API_KEY",
    "OPENROUTER_BASE_URL",
    "OPENROUTER_HTTP_REFERER",
    "OPENROUTER_APP_TITLE",
    "OPENROUTER_APP_CATEGORIES",
];

fn clear() {
    for v in VARS {
        std::env::remove_var(v);
    }
}

#[tokio::test]
async fn from_env_reads_every_variable() {
    clear();
    let err = Client::from_env().unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    assert!(err.to_string().contains("OPENROUTER_API_KEY"), "{err}");
    std::env::set_var("OPENROUTER_API_KEY", "   ");
    assert!(Client::from_env().is_err(), "a blank key is no key");

    let server = Server::always(Reply::json(200, CREDITS_OK));
    std::env::set_var("OPENROUTER_API_KEY", KEY);
    std::env::set_var("OPENROUTER_BASE_URL", server.url());
    std::env::set_var("OPENROUTER_HTTP_REFERER", "https://env.example");
    std::env::set_var("OPENROUTER_APP_TITLE", "Env App");
    std::env::set_var("OPENROUTER_APP_CATEGORIES", "cli-agent");
    let client = Client::from_env().unwrap();
    assert_eq!(client.base_url(), server.url());
    assert_no_key("Client from the environment", &client);
    client.credits().get().send().await.unwrap();
    let seen = server.single();
    let bearer = format!("Bearer {KEY}");
    assert_eq!(seen.header("authorization"), Some(bearer.as_str()));
    assert_eq!(seen.header("http-referer"), Some("https://env.example"));
    assert_eq!(seen.header("x-openrouter-title"), Some("Env App"));
    assert_eq!(seen.header("x-openrouter-categories"), Some("cli-agent"));
    assert_eq!(seen.uri, "/api/v1/credits");

    // The builder from the environment can still be changed.
    let client = ClientBuilder::from_env()
        .unwrap()
        .app_title("Code App")
        .build()
        .unwrap();
    client.credits().get().send().await.unwrap();
    assert_eq!(
        server.requests()[1].header("x-openrouter-title"),
        Some("Code App")
    );

    // Blank attribution variables are not sent.
    std::env::set_var("OPENROUTER_APP_TITLE", " ");
    Client::from_env()
        .unwrap()
        .credits()
        .get()
        .send()
        .await
        .unwrap();
    assert_eq!(server.requests()[2].header("x-openrouter-title"), None);

    // Plain http to another host is refused unless allowed.
    std::env::set_var(
        "OPENROUTER_BASE_URL",
        "http://openrouter.internal:8080/api/v1",
    );
    let err = Client::from_env().unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    let client = ClientBuilder::from_env()
        .unwrap()
        .allow_http(true)
        .build()
        .unwrap();
    assert_eq!(client.base_url(), "http://openrouter.internal:8080/api/v1");

    // No base URL: OpenRouter's.
    std::env::remove_var("OPENROUTER_BASE_URL");
    assert_eq!(
        Client::from_env().unwrap().base_url(),
        openrouter::defaults::BASE_URL
    );
    clear();
}

#[test]
fn base_url_rules() {
    let build = |url: &str, allow: bool| {
        Client::builder()
            .api_key(KEY)
            .base_url(url)
            .allow_http(allow)
            .build()
            .map(|c| c.base_url().to_owned())
            .map_err(Box::new)
    };
    assert_eq!(
        build("https://openrouter.ai/api/v1/", false).unwrap(),
        "https://openrouter.ai/api/v1"
    );
    for loopback in [
        "http://127.0.0.1:9/api/v1",
        "http://localhost:9/api/v1",
        "http://[::1]:9/api/v1",
    ] {
        assert!(build(loopback, false).is_ok(), "{loopback}");
    }
    for remote in ["http://example.com/api/v1", "http://10.0.0.1/api/v1"] {
        let err = build(remote, false).unwrap_err();
        assert!(matches!(*err, Error::Config(_)), "{err:?}");
        assert!(err.to_string().contains("http"), "{err}");
        assert_eq!(build(remote, true).unwrap(), remote);
    }
    for bad in ["ftp://example.com", "not a url", "https://h/api/v1?x=1"] {
        assert!(build(bad, true).is_err(), "{bad}");
    }
}
