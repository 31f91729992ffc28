//! What hostile or odd servers send, and what the client makes of it: errors inside 200
//! bodies, rate-limit resets in the error metadata, gateway timeouts on a POST, bodies and
//! stream lines past their limits, media types in any case, cut streams, credentials given as
//! plain headers. Each test here failed before the behaviour it pins was built.

use std::time::{Duration, SystemTime};

use futures_util::StreamExt;
use openrouter::{Error, RetryConfig};
use serde_json::json;

use crate::support::*;

fn retrying(server: &Server) -> openrouter::Client {
    builder(server)
        .retry(RetryConfig::new().max_retries(2).backoff(ms(1), ms(5)))
        .build()
        .unwrap()
}

/// A 200 whose body is an error with a retryable code is retried like that status, even for
/// a POST; one with a code that is not retryable is returned at once.
#[tokio::test]
async fn an_error_in_a_200_body_is_classified_by_its_code() {
    let body =
        json!({"error": {"code": 502, "message": "Provider returned error"}, "user_id": "u"});
    let server = Server::start([
        Reply::json(200, body.to_string()),
        Reply::json(200, CHAT_OK),
    ]);
    let ok = retrying(&server)
        .chat()
        .create(chat_request())
        .send()
        .await
        .unwrap();
    assert_eq!(ok.meta().attempts(), 2);
    assert_eq!(server.count(), 2);

    // Without retries, the error says it is retryable and stands for a 502.
    let server = Server::always(Reply::json(200, body.to_string()));
    let err = client(&server)
        .chat()
        .create(chat_request())
        .no_retry()
        .send()
        .await
        .unwrap_err();
    let api = api(&err);
    assert_eq!(api.status(), 200);
    assert_eq!(api.effective_status(), 502);
    assert!(err.is_retryable());

    let bad = json!({"error": {"code": 400, "message": "bad"}});
    let server = Server::start([Reply::json(200, bad.to_string()), Reply::json(200, CHAT_OK)]);
    let err = retrying(&server)
        .chat()
        .create(chat_request())
        .send()
        .await
        .unwrap_err();
    assert_eq!(server.count(), 1);
    assert!(!err.is_retryable());
}

/// A 429 without `Retry-After` waits until the reset time OpenRouter copies into
/// `error.metadata.headers` (epoch milliseconds).
#[tokio::test]
async fn a_429_waits_for_the_rate_limit_reset_in_its_metadata() {
    let reset = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_millis()
        + 700;
    let body = json!({"error": {"code": 429, "message": "Rate limit exceeded: free-models-per-min",
        "metadata": {"headers": {"X-RateLimit-Limit": "20", "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": reset.to_string()}}}});
    let server = Server::start([
        Reply::json(429, body.to_string()),
        Reply::json(200, CREDITS_OK),
    ]);
    retrying(&server).credits().get().send().await.unwrap();
    let seen = server.requests();
    assert_eq!(seen.len(), 2);
    let waited = seen[1].at - seen[0].at;
    assert!(waited >= ms(400) && waited < ms(2000), "{waited:?}");
}

/// A gateway timeout may leave the origin running (and billing): a POST is not sent again,
/// unless it carries an `Idempotency-Key` or the caller opted in; a GET is.
#[tokio::test]
async fn gateway_timeouts_are_not_retried_for_a_post() {
    for status in [504u16, 524] {
        let server = Server::start([Reply::error(status, "timeout"), Reply::json(200, CHAT_OK)]);
        let err = retrying(&server)
            .chat()
            .create(chat_request())
            .send()
            .await
            .unwrap_err();
        assert_eq!(server.count(), 1, "{status}");
        assert!(!err.is_retryable(), "{status}");

        let server = Server::start([Reply::error(status, "timeout"), Reply::json(200, CHAT_OK)]);
        retrying(&server)
            .chat()
            .create(chat_request())
            .idempotency_key("k-1")
            .send()
            .await
            .unwrap();
        assert_eq!(server.count(), 2, "{status} with a key");

        let server = Server::start([Reply::error(status, "timeout"), Reply::json(200, CHAT_OK)]);
        retrying(&server)
            .chat()
            .create(chat_request())
            .retry(RetryConfig::new().retry_maybe_sent(true))
            .send()
            .await
            .unwrap();
        assert_eq!(server.count(), 2, "{status} opted in");

        let server = Server::start([
            Reply::error(status, "timeout"),
            Reply::json(200, CREDITS_OK),
        ]);
        retrying(&server).credits().get().send().await.unwrap();
        assert_eq!(server.count(), 2, "{status} GET");
    }
}

/// Statuses outside the registry display with a reason, not "<unknown status code>".
#[tokio::test]
async fn edge_statuses_display_their_reason() {
    for (status, reason) in [(524u16, "A Timeout Occurred"), (529, "Provider Overloaded")] {
        let err = client(&Server::always(Reply::error(status, "x")))
            .credits()
            .get()
            .no_retry()
            .send()
            .await
            .unwrap_err();
        let text = err.to_string();
        assert!(text.contains(&format!("{status} {reason}")), "{text}");
        assert!(!text.contains("unknown"), "{text}");
    }
}

/// A JSON error body well over 64 KiB (a provider's raw error) keeps its typed error.
#[tokio::test]
async fn a_large_json_error_body_keeps_its_typed_error() {
    let raw = "r".repeat(300 * 1024);
    let body = json!({"error": {"code": 502, "message": "upstream", "metadata": {"provider_name": "P", "raw": raw}}});
    let err = client(&Server::always(Reply::json(502, body.to_string())))
        .credits()
        .get()
        .no_retry()
        .send()
        .await
        .unwrap_err();
    let api = api(&err);
    assert_eq!(api.message(), "upstream");
    assert_eq!(api.provider().unwrap().provider_name, "P");
}

/// A success body past the limit fails with `TooLarge` as soon as the limit is passed (or at
/// once when its length is declared), per client and per call.
#[tokio::test]
async fn a_success_body_past_the_limit_is_too_large() {
    let big = format!(
        r#"{{"data":{{"total_credits":1,"total_usage":0,"pad":"{}"}}}}"#,
        "x".repeat(4096)
    );
    let server = Server::always(Reply::json(200, big.clone()));
    let client = builder(&server).max_response_body(1024).build().unwrap();
    let err = client.credits().get().send().await.unwrap_err();
    let Error::TooLarge(e) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(e.limit(), 1024);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(200));
    assert_eq!(server.count(), 1, "not retried");
    // The call's own limit wins over the client's.
    client
        .credits()
        .get()
        .max_response_body(1 << 20)
        .send()
        .await
        .unwrap();
    // A body sent in chunks without a length stops at the limit, without waiting for more.
    let mut reply = Reply::status(200).header("content-type", "application/json");
    for _ in 0..64 {
        reply = reply.chunk("x".repeat(1024));
    }
    let server = Server::always(reply.stall());
    let err = builder(&server)
        .max_response_body(8 * 1024)
        .build()
        .unwrap()
        .credits()
        .get()
        .attempt_timeout(Duration::from_secs(20))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::TooLarge(_)), "{err:?}");
}

/// A stream line that never ends stops at the limit with a typed error, and the connection
/// is closed.
#[tokio::test]
async fn a_stream_line_past_the_limit_ends_the_stream() {
    let mut reply = Reply::sse(["data: {\"id\":\"x\",\"choices\":[]}\n\ndata: "]);
    for _ in 0..200 {
        reply = reply.chunk("y".repeat(1024));
    }
    let server = Server::always(reply.stall());
    let client = builder(&server)
        .max_stream_event(16 * 1024)
        .build()
        .unwrap();
    let mut stream = client.chat().create(chat_request()).stream().await.unwrap();
    let mut items = Vec::new();
    let outcome = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(item) = stream.next().await {
            items.push(item);
        }
    })
    .await;
    assert!(outcome.is_ok(), "the stream ended instead of buffering");
    let err = items.pop().unwrap().unwrap_err();
    let Error::Stream(s) = &err else {
        panic!("{err:?}")
    };
    assert!(
        matches!(
            s.stream_error(),
            openrouter::sse::StreamError::EventTooLarge { limit: 16384 }
        ),
        "{err:?}"
    );
    server.wait_closed(1).await;
}

/// Media types are case-insensitive; an empty `data:` event is not an item; a connection
/// cut mid-stream is a truncated stream.
#[tokio::test]
async fn stream_framing_edge_cases() {
    let chunk = r#"{"id":"g","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}"#;
    let reply = Reply::status(200)
        .header("content-type", "Text/Event-Stream; charset=UTF-8")
        .chunk(format!("data:\n\ndata: {chunk}\n\ndata: [DONE]\n\n"));
    let server = Server::always(reply);
    let mut stream = client(&server)
        .chat()
        .create(chat_request())
        .stream()
        .await
        .unwrap();
    let mut items = Vec::new();
    while let Some(item) = stream.next().await {
        items.push(item.unwrap());
    }
    assert_eq!(items.len(), 1);

    let server = Server::always(
        Reply::sse([format!("data: {chunk}\n\n")])
            .sleep(ms(20))
            .abort(),
    );
    let mut stream = client(&server)
        .chat()
        .create(chat_request())
        .stream()
        .await
        .unwrap();
    assert!(stream.next().await.unwrap().is_ok());
    let err = stream.next().await.unwrap().unwrap_err();
    let Error::Stream(s) = &err else {
        panic!("{err:?}")
    };
    assert!(s.is_truncated(), "{err:?}");
}

/// A 200 that is not an event stream, on a streaming call, names the event type it was not.
#[tokio::test]
async fn a_non_stream_answer_names_the_event_type() {
    let server = Server::always(Reply::json(200, r#"{"unexpected":true}"#));
    let err = client(&server)
        .chat()
        .create(chat_request())
        .stream()
        .await
        .unwrap_err();
    let Error::Decode(d) = &err else {
        panic!("{err:?}")
    };
    assert!(
        d.type_name().contains("ChatStreamChunk"),
        "{}",
        d.type_name()
    );
}

/// An `Authorization` given as a plain header is hidden from `Debug` like the client's key.
#[test]
fn credentials_given_as_headers_are_not_printed() {
    let secret = "sk-or-v1-header-secret";
    let builder = openrouter::Client::builder()
        .api_key("unused")
        .default_header("Authorization", format!("Bearer {secret}"));
    assert!(!format!("{builder:?}").contains(secret));
    let client = builder.build().unwrap();
    let call = client
        .credits()
        .get()
        .header("authorization", format!("Bearer {secret}"))
        .header("Proxy-Authorization", format!("Basic {secret}"));
    assert!(!format!("{call:?}").contains(secret));
}
