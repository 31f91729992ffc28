//! The API key stays secret, and exactly the headers the user set are sent.

use futures_util::StreamExt;
use openrouter::transport::test_util::{CannedResponse, RecordingTransport};
use openrouter::{ApiKey, Client, Error, TimeoutConfig};

use crate::support::*;

#[tokio::test]
async fn the_key_never_appears_in_debug_output() {
    let server = Server::always(Reply::json(200, CREDITS_OK));
    let builder = builder(&server);
    assert_no_key("ClientBuilder", &builder);
    let client = builder.build().unwrap();
    assert_no_key("Client", &client);
    assert_no_key("Call", &client.credits().get());
    assert_no_key("ApiKey", &ApiKey::new(KEY));
    assert!(!ApiKey::new(KEY).to_string().contains(KEY));

    let provider = Client::builder()
        .base_url(server.url())
        .api_key_provider(|| Ok(ApiKey::new(KEY)));
    assert_no_key("ClientBuilder with a key provider", &provider);
    let client = provider.build().unwrap();
    assert_no_key("Client with a key provider", &client);
    let ok = client.credits().get().send().await.unwrap();
    assert_no_key("Response", &ok);
    let bearer = format!("Bearer {KEY}");
    assert_eq!(
        server.single().header("authorization"),
        Some(bearer.as_str())
    );
}

/// Checks `Debug`, alternate `Debug` and `Display` of an error.
fn check_error(what: &str, err: &Error) {
    assert_no_key(what, err);
    assert!(!err.to_string().contains(KEY), "{what}: {err}");
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        assert!(!s.to_string().contains(KEY), "{what} source: {s}");
        source = s.source();
    }
}

#[tokio::test]
async fn the_key_never_appears_in_errors() {
    // API errors, with and without a JSON body.
    let server = Server::start([
        Reply::error(401, "No auth credentials found"),
        Reply::status(502).chunk("<html>bad gateway</html>"),
        Reply::json(200, r#"[5]"#),
        Reply::hang(),
        Reply::sse(["data: {}\n\n"]),
    ]);
    let client = client(&server);
    let call = || client.credits().get().no_retry();
    check_error("401", &call().send().await.unwrap_err());
    check_error("HTML 502", &call().send().await.unwrap_err());
    check_error("decode", &call().send().await.unwrap_err());
    let timeout = call().attempt_timeout(ms(50)).send().await.unwrap_err();
    assert!(matches!(timeout, Error::Timeout(_)), "{timeout:?}");
    check_error("timeout", &timeout);
    // A stream failure.
    let mut stream = client
        .chat()
        .create(chat_request())
        .base_url(server.url())
        .timeouts(TimeoutConfig::new().stream_idle(ms(500)))
        .stream()
        .await
        .unwrap();
    let mut saw_error = false;
    while let Some(item) = stream.next().await {
        if let Err(e) = item {
            check_error("stream", &e);
            saw_error = true;
        }
    }
    assert!(saw_error);

    // Transport errors: refused, and a dropped connection.
    let refused = Client::builder()
        .base_url(format!("http://{}/api/v1", refused_addr()))
        .api_key(KEY)
        .build()
        .unwrap();
    let err = refused.credits().get().no_retry().send().await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    check_error("refused", &err);
    let closing = Server::always(Reply::close());
    let err = client
        .chat()
        .create(chat_request())
        .base_url(closing.url())
        .send()
        .await
        .unwrap_err();
    check_error("closed", &err);

    // Configuration errors, including a key that cannot be a header.
    let bad_key = format!("{KEY}\n");
    let err = Client::builder()
        .base_url(server.url())
        .api_key(bad_key.as_str())
        .build()
        .unwrap()
        .credits()
        .get()
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    check_error("bad key", &err);
    let err = Client::builder()
        .base_url("http://example.com/api/v1")
        .api_key(KEY)
        .build()
        .unwrap_err();
    check_error("plain http", &err);
}

#[tokio::test]
async fn attribution_headers_are_sent_only_when_set() {
    let server = Server::always(Reply::json(200, CHAT_OK));
    client(&server)
        .chat()
        .create(chat_request())
        .send()
        .await
        .unwrap();
    let seen = server.single();
    for name in [
        "http-referer",
        "x-openrouter-title",
        "x-title",
        "x-openrouter-categories",
        "x-openrouter-metadata",
    ] {
        assert_eq!(seen.header(name), None, "{name} sent without being set");
    }
    assert_eq!(seen.header("content-type"), Some("application/json"));
    assert_eq!(seen.header("accept"), Some("application/json"));
    assert!(seen
        .header("user-agent")
        .is_some_and(|ua| ua.starts_with("openrouter-rust/")));
    assert_eq!(seen.method, "POST");
    assert_eq!(seen.uri, "/api/v1/chat/completions");
    let body = seen.json();
    assert_eq!(body["model"], "openai/gpt-4o-mini");
    assert!(body.get("stream").is_none(), "{body}");
}

#[tokio::test]
async fn client_attribution_and_call_overrides() {
    let server = Server::always(Reply::json(200, CHAT_OK));
    let client = builder(&server)
        .http_referer("https://app.example")
        .app_title("Client App")
        .app_categories("cli-agent,cloud-agent")
        .build()
        .unwrap();
    client.chat().create(chat_request()).send().await.unwrap();
    client
        .chat()
        .create(chat_request())
        .app_title("Call App")
        .send()
        .await
        .unwrap();
    client
        .chat()
        .create(chat_request())
        .http_referer("https://other.example")
        .app_categories("ide")
        .send()
        .await
        .unwrap();
    let seen = server.requests();
    let get = |i: usize, name: &str| seen[i].header(name).map(str::to_owned);
    assert_eq!(
        get(0, "http-referer").as_deref(),
        Some("https://app.example")
    );
    assert_eq!(get(0, "x-openrouter-title").as_deref(), Some("Client App"));
    assert_eq!(
        get(0, "x-openrouter-categories").as_deref(),
        Some("cli-agent,cloud-agent")
    );
    assert_eq!(get(1, "x-openrouter-title").as_deref(), Some("Call App"));
    assert_eq!(
        get(1, "http-referer").as_deref(),
        Some("https://app.example")
    );
    assert_eq!(
        get(2, "http-referer").as_deref(),
        Some("https://other.example")
    );
    assert_eq!(get(2, "x-openrouter-title").as_deref(), Some("Client App"));
    assert_eq!(get(2, "x-openrouter-categories").as_deref(), Some("ide"));
    // One client, one kept-alive connection.
    assert_eq!(server.connections(), 1);
}

#[tokio::test]
async fn a_call_only_attribution_is_sent_for_that_call() {
    let server = Server::always(Reply::json(200, CHAT_OK));
    let client = client(&server);
    client
        .chat()
        .create(chat_request())
        .app_title("Once")
        .send()
        .await
        .unwrap();
    client.chat().create(chat_request()).send().await.unwrap();
    let seen = server.requests();
    assert_eq!(seen[0].header("x-openrouter-title"), Some("Once"));
    assert_eq!(seen[1].header("x-openrouter-title"), None);
}

#[tokio::test]
async fn openrouter_metadata_header() {
    let server = Server::always(Reply::json(200, CHAT_OK));
    let client = client(&server);
    for on in [true, false] {
        client
            .chat()
            .create(chat_request())
            .openrouter_metadata(on)
            .send()
            .await
            .unwrap();
    }
    let seen = server.requests();
    assert_eq!(seen[0].header("x-openrouter-metadata"), Some("enabled"));
    assert_eq!(seen[1].header("x-openrouter-metadata"), Some("disabled"));
}

#[tokio::test]
async fn response_cache_header() {
    let server = Server::always(Reply::json(200, CHAT_OK));
    let client = client(&server);
    for on in [true, false] {
        client
            .chat()
            .create(chat_request())
            .response_cache(on)
            .await
            .unwrap();
    }
    let seen = server.requests();
    assert_eq!(seen[0].header("x-openrouter-cache"), Some("true"));
    assert_eq!(seen[1].header("x-openrouter-cache"), None);
}

#[tokio::test]
async fn default_and_call_headers() {
    let server = Server::always(Reply::json(200, CREDITS_OK));
    let client = builder(&server)
        .default_header("x-team", "search")
        .default_header("x-env", "test")
        .user_agent("my-app/1.0")
        .build()
        .unwrap();
    client
        .credits()
        .get()
        .header("x-env", "staging")
        .send()
        .await
        .unwrap();
    let seen = server.single();
    assert_eq!(seen.header("x-team"), Some("search"));
    assert_eq!(seen.header("x-env"), Some("staging"));
    assert_eq!(seen.header("user-agent"), Some("my-app/1.0"));
    assert_eq!(seen.method, "GET");
    assert_eq!(seen.uri, "/api/v1/credits");
    assert!(seen.body.is_empty());
    assert_eq!(
        seen.header("content-type"),
        None,
        "no body, no content type"
    );

    // Invalid header values are reported by `send`, and nothing is sent.
    let err = client
        .credits()
        .get()
        .header("x-bad", "a\nb")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    let err = client
        .credits()
        .get()
        .app_title("bad\ntitle")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    assert_eq!(err.attempts(), 0);
    assert_eq!(server.count(), 1);
    assert!(builder(&server).app_title("a\rb").build().is_err());
}

#[tokio::test]
async fn base_url_joins_and_call_base_url_override() {
    let server = Server::always(Reply::json(200, CREDITS_OK));
    // A trailing slash on the base URL does not double the slash.
    let client = Client::builder()
        .base_url(format!("{}/", server.url()))
        .api_key(KEY)
        .build()
        .unwrap();
    client.credits().get().send().await.unwrap();
    let other = Server::always(Reply::json(200, CREDITS_OK));
    client
        .credits()
        .get()
        .base_url(format!("http://{}/proxy/v1/", other.addr()))
        .send()
        .await
        .unwrap();
    assert_eq!(server.single().uri, "/api/v1/credits");
    assert_eq!(other.single().uri, "/proxy/v1/credits");
}

#[tokio::test]
async fn requests_through_a_recording_transport() {
    // No socket: the same request, seen by a test transport.
    let recorder = RecordingTransport::fixed(CannedResponse::json(200, CHAT_OK));
    let client = Client::builder()
        .api_key(KEY)
        .app_title("Rec")
        .transport(recorder.clone())
        .build()
        .unwrap();
    client.chat().create(chat_request()).send().await.unwrap();
    let seen = recorder.last_request().unwrap();
    assert_eq!(
        seen.uri().to_string(),
        "https://openrouter.ai/api/v1/chat/completions"
    );
    assert_eq!(seen.header("x-openrouter-title"), Some("Rec"));
    assert!(seen.headers()["authorization"].is_sensitive());
    // A sensitive header value is not printed by `Debug`.
    assert_no_key("RecordedRequest", &seen);
}

#[tokio::test]
async fn a_call_base_url_follows_the_plain_http_rule() {
    // No socket: a recording transport shows whether anything would have been sent.
    let recorder = RecordingTransport::fixed(CannedResponse::json(200, CREDITS_OK));
    let client = Client::builder()
        .api_key(KEY)
        .transport(recorder.clone())
        .build()
        .unwrap();
    let err = client
        .credits()
        .get()
        .base_url("http://proxy.example/api/v1")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    assert_eq!(recorder.count(), 0, "the key must not travel in clear text");
    check_error("call base URL", &err);

    // Loopback, https, and any host once the client allows plain http.
    for url in ["http://127.0.0.1:1/api/v1", "https://proxy.example/api/v1"] {
        client.credits().get().base_url(url).send().await.unwrap();
    }
    let allowing = Client::builder()
        .api_key(KEY)
        .allow_http(true)
        .transport(recorder.clone())
        .build()
        .unwrap();
    allowing
        .credits()
        .get()
        .base_url("http://proxy.example/api/v1")
        .send()
        .await
        .unwrap();
    let uris: Vec<String> = recorder
        .requests()
        .iter()
        .map(|r| r.uri().to_string())
        .collect();
    assert_eq!(
        uris,
        [
            "http://127.0.0.1:1/api/v1/credits",
            "https://proxy.example/api/v1/credits",
            "http://proxy.example/api/v1/credits",
        ]
    );
}
