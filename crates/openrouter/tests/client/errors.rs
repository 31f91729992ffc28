//! Errors: every declared error status of `GET /credits` and `POST /chat/completions` parsed
//! into an `ApiError`, typed metadata, non-JSON error pages, error bodies on a 200, decode
//! errors, and the ids a caller needs to report a problem.

use std::error::Error as _;

use openrouter::types::generated::operations;
use openrouter::types::ErrorCode;
use openrouter::Error;
use serde_json::json;

use crate::support::*;

/// `GET /credits` once (no retries) against a server answering `reply`.
async fn credits(reply: Reply) -> Result<openrouter::Response<impl std::fmt::Debug>, Error> {
    let server = Server::always(reply);
    client(&server).credits().get().no_retry().send().await
}

/// `POST /chat/completions` once (no retries) against a server answering `reply`.
async fn chat(reply: Reply) -> Result<openrouter::Response<impl std::fmt::Debug>, Error> {
    let server = Server::always(reply);
    client(&server)
        .chat()
        .create(chat_request())
        .no_retry()
        .send()
        .await
}

/// Checks the API error parsed from `{"error":{"code":status,"message":..,"metadata":..}}`.
fn check_api(err: &Error, status: u16, message: &str) {
    let e = api(err);
    assert_eq!(e.status(), status, "{err:?}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
    assert_eq!(e.message(), message);
    let body = e.error().expect("a parsed error body");
    assert_eq!(body.code, ErrorCode::Number(i64::from(status)));
    assert_eq!(body.code.as_status(), Some(status));
    assert_eq!(
        body.metadata_field("hint"),
        Some(&json!(format!("h{status}")))
    );
    assert_eq!(e.raw_body(), None);
    assert_eq!(e.request_id(), Some("req-42"));
    assert!(err.to_string().contains(message), "{err}");
    assert!(err.to_string().contains(&status.to_string()), "{err}");
    assert!(err.source().is_none(), "an API error has no source");
}

fn error_reply(status: u16) -> (Reply, String) {
    let message = format!("failure {status}");
    let body = json!({
        "error": {"code": status, "message": message, "metadata": {"hint": format!("h{status}")}},
        "user_id": "user-1"
    });
    let reply = Reply::json(status, body.to_string()).header("x-request-id", "req-42");
    (reply, message)
}

#[tokio::test]
async fn every_declared_error_of_get_credits_is_an_api_error() {
    let declared: Vec<u16> = operations::GET_CREDITS
        .errors
        .iter()
        .map(|e| e.status)
        .collect();
    assert!(!declared.is_empty());
    for status in declared {
        let (reply, message) = error_reply(status);
        let err = credits(reply).await.unwrap_err();
        check_api(&err, status, &message);
        assert_eq!(
            api(&err).body().and_then(|b| b.user_id.as_deref()),
            Some("user-1")
        );
    }
}

#[tokio::test]
async fn every_declared_error_of_chat_completions_is_an_api_error() {
    let declared: Vec<u16> = operations::SEND_CHAT_COMPLETION_REQUEST
        .errors
        .iter()
        .map(|e| e.status)
        .collect();
    assert!(declared.len() >= 10, "{declared:?}");
    for status in declared {
        let (reply, message) = error_reply(status);
        let err = chat(reply).await.unwrap_err();
        check_api(&err, status, &message);
        // A POST: gateway timeouts (504, 524) may leave the origin running, so they are not
        // retried.
        assert_eq!(
            err.is_retryable(),
            openrouter::RETRY_STATUSES.contains(&status) && !matches!(status, 504 | 524),
            "{status}"
        );
    }
}

#[tokio::test]
async fn moderation_metadata_on_403() {
    let body = json!({"error": {"code": 403, "message": "Your input was flagged", "metadata": {
        "reasons": ["violence", "harassment"],
        "flagged_input": "some...text",
        "provider_name": "OpenAI",
        "model_slug": "openai/gpt-4o"
    }}});
    let err = chat(Reply::json(403, body.to_string())).await.unwrap_err();
    let m = api(&err).moderation().expect("moderation metadata");
    assert_eq!(m.reasons, ["violence", "harassment"]);
    assert_eq!(m.flagged_input, "some...text");
    assert_eq!(m.provider_name, "OpenAI");
    assert_eq!(m.model_slug, "openai/gpt-4o");
    assert!(api(&err).provider().is_none());
}

#[tokio::test]
async fn provider_metadata_on_502() {
    let body = json!({"error": {"code": 502, "message": "Provider returned error", "metadata": {
        "provider_name": "Anthropic",
        "raw": {"type": "overloaded_error", "message": "Overloaded"}
    }}});
    let err = chat(Reply::json(502, body.to_string())).await.unwrap_err();
    let p = api(&err).provider().expect("provider metadata");
    assert_eq!(p.provider_name, "Anthropic");
    assert_eq!(p.raw["type"], "overloaded_error");
    assert!(api(&err).moderation().is_none());
}

#[tokio::test]
async fn an_html_502_page_is_an_api_error_with_the_raw_body() {
    let page = "<html><head><title>502 Bad Gateway</title></head><body>cloudflare</body></html>";
    let err = credits(
        Reply::status(502)
            .header("content-type", "text/html")
            .header("cf-ray", "8f00-AMS")
            .chunk(page),
    )
    .await
    .unwrap_err();
    let e = api(&err);
    assert_eq!(e.status(), 502);
    assert_eq!(e.raw_body(), Some(page));
    assert!(e.error().is_none());
    assert_eq!(e.message(), page);
    assert_eq!(
        err.request_id(),
        Some("8f00-AMS"),
        "cf-ray when no x-request-id"
    );
    assert!(err.is_retryable());
    assert!(
        !err.to_string().contains("<html>"),
        "Display stays one line: {err}"
    );
}

#[tokio::test]
async fn an_endless_error_page_is_read_only_up_to_a_bound() {
    // A proxy's page that never ends: the error comes as soon as the bound is read, long
    // before the attempt timeout, with the first 16 KiB as text.
    let kib = "x".repeat(1024);
    let mut reply = Reply::status(502).header("content-type", "text/html");
    for _ in 0..1100 {
        reply = reply.chunk(kib.clone());
    }
    let server = Server::always(reply.stall());
    let start = std::time::Instant::now();
    let err = client(&server)
        .credits()
        .get()
        .attempt_timeout(std::time::Duration::from_secs(20))
        .no_retry()
        .send()
        .await
        .unwrap_err();
    assert!(
        start.elapsed() < std::time::Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
    let e = api(&err);
    assert_eq!(e.status(), 502);
    assert_eq!(e.raw_body().map(str::len), Some(16 * 1024));
}

#[tokio::test]
async fn an_empty_error_body_still_makes_an_api_error() {
    let err = credits(Reply::status(500)).await.unwrap_err();
    assert_eq!(api(&err).status(), 500);
    assert_eq!(api(&err).message(), "");
    assert!(api(&err).error().is_none());
}

#[tokio::test]
async fn an_error_body_on_a_200_is_an_api_error() {
    let body = json!({"error": {"code": 502, "message": "No content generated", "metadata": {"provider_name": "X", "raw": null}}});
    let err = chat(
        Reply::json(200, body.to_string())
            .header("x-generation-id", "gen-err")
            .header("x-request-id", "req-7"),
    )
    .await
    .unwrap_err();
    let e = api(&err);
    assert_eq!(e.status(), 200);
    assert_eq!(e.message(), "No content generated");
    assert_eq!(e.error().unwrap().code, ErrorCode::Number(502));
    assert_eq!(err.generation_id(), Some("gen-err"));
    assert_eq!(err.request_id(), Some("req-7"));

    // A string code is accepted too.
    let body = json!({"error": {"code": "server_error", "message": "boom"}});
    let err = credits(Reply::json(200, body.to_string()))
        .await
        .unwrap_err();
    assert_eq!(
        api(&err).error().unwrap().code,
        ErrorCode::Text("server_error".into())
    );
}

#[tokio::test]
async fn a_success_body_mentioning_error_is_not_an_error() {
    // `"error": null` beside a completion, and the word in the content.
    let body = CHAT_OK
        .replacen('{', r#"{"error":null,"#, 1)
        .replace("Hello", r#"the \"error\": field"#);
    let ok = chat(Reply::json(200, body)).await.unwrap();
    let text = format!("{ok:?}");
    assert!(text.contains("field"), "{text}");
}

#[tokio::test]
async fn invalid_json_on_a_200_is_a_decode_error_with_type_path_and_body() {
    // One ill-typed field does not fail the body: it is recorded and kept as sent.
    let body = r#"{"data":{"total_credits":"lots","total_usage":1}}"#;
    let server = Server::always(Reply::json(200, body));
    let ok = client(&server)
        .credits()
        .get()
        .no_retry()
        .send()
        .await
        .unwrap();
    assert_eq!(ok.data.total_usage, 1.0);
    assert_eq!(ok.data.extra["total_credits"], "lots");
    assert!(ok.data.decode_issues().invalid().eq(["total_credits"]));

    // A body whose shape does not fit the type at all is a decode error.
    let body = r#"[{"data":{"total_credits":"lots","total_usage":1}}]"#;
    let err = credits(Reply::json(200, body).header("x-request-id", "req-d"))
        .await
        .unwrap_err();
    let Error::Decode(d) = &err else {
        panic!("expected a decode error, got {err:?}")
    };
    assert!(
        d.type_name().ends_with("GetCreditsResponse"),
        "{}",
        d.type_name()
    );
    assert_eq!(d.path(), ".");
    assert_eq!(d.body(), body.as_bytes());
    assert_eq!(d.status(), 200);
    assert_eq!(d.content_type(), Some("application/json"));
    assert_eq!(err.request_id(), Some("req-d"));
    assert!(err.source().is_some(), "serde_json's error is the source");
    let shown = err.to_string();
    assert!(shown.contains("GetCreditsResponse"), "{shown}");
    let source = err.source().unwrap().to_string();
    assert!(
        !shown.contains(&source) && !shown.contains("lots"),
        "Display repeats neither the source nor the body: {shown}"
    );

    // Not JSON at all.
    let err = credits(Reply::json(200, "{not json")).await.unwrap_err();
    let Error::Decode(d) = &err else {
        panic!("expected a decode error, got {err:?}")
    };
    assert_eq!(d.body(), "{not json".as_bytes());

    // Trailing garbage after a valid document.
    let err = credits(Reply::json(200, format!("{CREDITS_OK} trailing")))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
}

#[tokio::test]
async fn an_unexpected_content_type_is_a_decode_error() {
    let page = "<html>maintenance</html>";
    let err = credits(
        Reply::status(200)
            .header("content-type", "text/html; charset=utf-8")
            .chunk(page),
    )
    .await
    .unwrap_err();
    let Error::Decode(d) = &err else {
        panic!("expected a decode error, got {err:?}")
    };
    assert_eq!(d.content_type(), Some("text/html; charset=utf-8"));
    assert_eq!(d.body(), page.as_bytes());
    assert!(err.to_string().contains("text/html"), "{err}");
}

#[tokio::test]
async fn a_non_sse_answer_to_a_stream_is_an_error() {
    // An API error with a 200 where a stream was asked for.
    let server = Server::always(Reply::json(
        200,
        json!({"error": {"code": 429, "message": "rate limited"}}).to_string(),
    ));
    let err = client(&server)
        .chat()
        .create(chat_request())
        .stream()
        .await
        .unwrap_err();
    assert_eq!(api(&err).message(), "rate limited");

    // A JSON completion where a stream was asked for.
    let server = Server::always(Reply::json(200, CHAT_OK));
    let err = client(&server)
        .chat()
        .create(chat_request())
        .stream()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err:?}");

    // An error status before the stream starts.
    let server = Server::always(Reply::error(401, "bad key"));
    let err = client(&server)
        .chat()
        .create(chat_request())
        .stream()
        .await
        .unwrap_err();
    assert_eq!(api(&err).status(), 401);
}

#[tokio::test]
async fn success_metadata_accessors() {
    let server = Server::always(
        Reply::json(200, CHAT_OK)
            .header("x-generation-id", "gen-abc")
            .header("x-request-id", "req-1")
            .header("x-ratelimit-limit", "100")
            .header("x-ratelimit-remaining", "99")
            .header("x-ratelimit-reset", "1700000000000"),
    );
    let ok = client(&server)
        .chat()
        .create(chat_request())
        .send()
        .await
        .unwrap();
    let meta = ok.meta();
    assert_eq!(meta.status(), 200);
    assert_eq!(meta.generation_id(), Some("gen-abc"));
    assert_eq!(meta.request_id(), Some("req-1"));
    assert_eq!(meta.attempts(), 1);
    let rl = meta.rate_limit().unwrap();
    assert_eq!(
        (rl.limit, rl.remaining, rl.reset),
        (Some(100), Some(99), Some(1_700_000_000_000))
    );
    assert_eq!(ok.id, "gen-1");

    let server = Server::always(Reply::json(200, CREDITS_OK).header("cf-ray", "ray-1"));
    let ok = client(&server).credits().get().send().await.unwrap();
    assert_eq!(ok.meta().request_id(), Some("ray-1"));
    assert_eq!(ok.meta().generation_id(), None);
    assert!(ok.meta().rate_limit().is_none());
    assert_eq!(ok.data.total_usage, 2.25);
}

#[tokio::test]
async fn error_retry_after_accessor() {
    let err = credits(Reply::error(429, "slow").header("retry-after-ms", "1500"))
        .await
        .unwrap_err();
    assert_eq!(err.retry_after(), Some(ms(1500)));
    assert_eq!(api(&err).retry_after(), Some(ms(1500)));
}

/// `Result<T, Error>` and `Result<T, StreamError>` stay small, so that callers' functions
/// returning them do not copy a large error around (nor trip clippy's `result_large_err`): the
/// large payloads are boxed. 32 and 72 bytes on 64-bit targets when this was written.
#[test]
fn the_error_types_are_small() {
    let size = std::mem::size_of::<Error>();
    assert!(size <= 40, "openrouter::Error is {size} bytes");
    let size = std::mem::size_of::<openrouter::sse::StreamError>();
    assert!(size <= 80, "openrouter::sse::StreamError is {size} bytes");
}
