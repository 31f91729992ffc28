//! Every row of the precedence table (`config` module docs), end to end: the call's setting,
//! else the client's, else the library default, field by field; "disabled" at a level wins
//! over the levels below it.

use std::time::Duration;

use futures_util::StreamExt;
use openrouter::sse::StreamError;
use openrouter::transport::test_util::{response, ChunkedBody, FnTransport, NeverTransport};
use openrouter::{defaults, Client, Error, RetryConfig, TimeoutConfig, TimeoutKind};

use crate::support::*;

fn timeout(err: &Error) -> (TimeoutKind, Option<Duration>) {
    match err {
        Error::Timeout(t) => (t.kind(), t.limit()),
        other => panic!("expected a timeout, got {other:?}"),
    }
}

fn with_client_timeouts(server: &Server, timeouts: TimeoutConfig) -> Client {
    builder(server).timeouts(timeouts).build().unwrap()
}

// --- attempt timeout ---------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn attempt_library_default_applies_when_nobody_sets_it() {
    let client = Client::builder()
        .api_key(KEY)
        .transport(NeverTransport)
        .build()
        .unwrap();
    let start = tokio::time::Instant::now();
    let err = expect_err(client.credits().get().no_retry().send().await);
    assert_eq!(
        timeout(&err),
        (TimeoutKind::Attempt, Some(defaults::ATTEMPT_TIMEOUT))
    );
    assert_eq!(start.elapsed(), defaults::ATTEMPT_TIMEOUT);
}

#[tokio::test]
async fn attempt_client_default_applies() {
    let server = Server::always(Reply::hang());
    let client = with_client_timeouts(&server, TimeoutConfig::new().attempt(ms(100)));
    let err = expect_err(client.credits().get().no_retry().send().await);
    assert_eq!(timeout(&err), (TimeoutKind::Attempt, Some(ms(100))));
}

#[tokio::test]
async fn attempt_call_overrides_client() {
    let server = Server::always(Reply::json(200, CREDITS_OK).delay(ms(300)));
    let client = with_client_timeouts(&server, TimeoutConfig::new().attempt(ms(100)));
    let ok = client
        .credits()
        .get()
        .attempt_timeout(ms(3000))
        .no_retry()
        .send()
        .await
        .unwrap();
    assert_eq!(ok.meta().attempts(), 1);

    // And the other way round: a shorter call limit than the client's.
    let client = with_client_timeouts(&server, TimeoutConfig::new().attempt(ms(3000)));
    let err = expect_err(
        client
            .credits()
            .get()
            .timeouts(TimeoutConfig::new().attempt(ms(100)))
            .no_retry()
            .send()
            .await,
    );
    assert_eq!(timeout(&err), (TimeoutKind::Attempt, Some(ms(100))));
}

#[tokio::test]
async fn attempt_call_disables_the_client_default() {
    let server = Server::always(Reply::json(200, CREDITS_OK).delay(ms(300)));
    let client = with_client_timeouts(&server, TimeoutConfig::new().attempt(ms(100)));
    let ok = client
        .credits()
        .get()
        .timeouts(TimeoutConfig::new().no_attempt_timeout())
        .no_retry()
        .send()
        .await
        .unwrap();
    assert_eq!(ok.data.total_credits, 10.5);
}

#[tokio::test(start_paused = true)]
async fn attempt_client_disables_the_library_default() {
    // No per-attempt limit at all: only the call's total timeout (1 h) stops it, not the
    // library's 10-minute attempt timeout.
    let client = Client::builder()
        .api_key(KEY)
        .transport(NeverTransport)
        .timeouts(TimeoutConfig::new().no_attempt_timeout())
        .build()
        .unwrap();
    let err = expect_err(
        client
            .credits()
            .get()
            .total_timeout(Duration::from_secs(3600))
            .no_retry()
            .send()
            .await,
    );
    assert_eq!(
        timeout(&err),
        (TimeoutKind::Total, Some(Duration::from_secs(3600)))
    );
}

#[tokio::test]
async fn attempt_call_sets_what_the_client_disabled() {
    let server = Server::always(Reply::hang());
    let client = with_client_timeouts(&server, TimeoutConfig::new().no_attempt_timeout());
    let err = expect_err(
        client
            .credits()
            .get()
            .attempt_timeout(ms(100))
            .no_retry()
            .send()
            .await,
    );
    assert_eq!(timeout(&err), (TimeoutKind::Attempt, Some(ms(100))));
}

#[tokio::test]
async fn timeout_fields_merge_independently() {
    // The call sets only the total; the client's attempt timeout still applies.
    let server = Server::always(Reply::hang());
    let client = with_client_timeouts(&server, TimeoutConfig::new().attempt(ms(100)));
    let err = expect_err(
        client
            .credits()
            .get()
            .timeouts(TimeoutConfig::new().total(Duration::from_secs(5)))
            .no_retry()
            .send()
            .await,
    );
    assert_eq!(timeout(&err), (TimeoutKind::Attempt, Some(ms(100))));
}

// --- stream idle timeout -----------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn stream_idle_library_default_applies() {
    let transport = FnTransport::new_async(|_| async {
        let body = ChunkedBody::new()
            .chunk(": OPENROUTER PROCESSING\n\n")
            .stall();
        Ok(response(
            200,
            &[("content-type", "text/event-stream")],
            body,
        ))
    });
    let client = Client::builder()
        .api_key(KEY)
        .transport(transport)
        .build()
        .unwrap();
    let mut stream = client.chat().create(chat_request()).stream().await.unwrap();
    let err = stream.next().await.unwrap().unwrap_err();
    let Error::Stream(s) = &err else {
        panic!("{err:?}")
    };
    assert!(
        matches!(s.stream_error(), StreamError::IdleTimeout { timeout } if *timeout == defaults::STREAM_IDLE_TIMEOUT),
        "{err:?}"
    );
}

fn slow_events() -> Reply {
    let chunk = "data: {\"id\":\"g\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[]}\n\n";
    Reply::sse([chunk])
        .sleep(ms(300))
        .chunk(chunk)
        .chunk("data: [DONE]\n\n")
}

#[tokio::test]
async fn stream_idle_client_default_applies_and_call_overrides_or_disables_it() {
    let server = Server::always(slow_events());
    let client = with_client_timeouts(&server, TimeoutConfig::new().stream_idle(ms(100)));

    let items: Vec<_> = client
        .chat()
        .create(chat_request())
        .stream()
        .await
        .unwrap()
        .collect()
        .await;
    assert_eq!(items.len(), 2, "{items:?}");
    assert!(items[1].as_ref().unwrap_err().is_timeout(), "{items:?}");

    for call in [
        TimeoutConfig::new().stream_idle(ms(3000)),
        TimeoutConfig::new().no_stream_idle_timeout(),
    ] {
        let items: Vec<_> = client
            .chat()
            .create(chat_request())
            .timeouts(call)
            .stream()
            .await
            .unwrap()
            .collect()
            .await;
        assert_eq!(items.len(), 2, "{call:?}: {items:?}");
        assert!(items.iter().all(Result::is_ok), "{call:?}: {items:?}");
    }
}

// --- retries -----------------------------------------------------------------------------

async fn attempts(client_retry: Option<RetryConfig>, call_retry: Option<RetryConfig>) -> u32 {
    let server = Server::always(Reply::error(500, "down"));
    let mut b = plain_builder(&server);
    if let Some(r) = client_retry {
        b = b.retry(r);
    }
    let mut call = b.build().unwrap().credits().get();
    if let Some(r) = call_retry {
        call = call.retry(r);
    }
    let err = expect_err(call.send().await);
    assert_eq!(err.attempts() as usize, server.count());
    err.attempts()
}

fn fast() -> RetryConfig {
    RetryConfig::new().backoff(ms(1), ms(5))
}

#[tokio::test]
async fn retry_precedence_rows() {
    // Library default (2 retries) when neither level sets max_retries.
    assert_eq!(
        attempts(Some(fast()), None).await,
        defaults::MAX_RETRIES + 1
    );
    assert_eq!(
        attempts(None, Some(fast())).await,
        defaults::MAX_RETRIES + 1
    );
    // Client default applies.
    assert_eq!(attempts(Some(fast().max_retries(4)), None).await, 5);
    // Call overrides client.
    assert_eq!(
        attempts(
            Some(fast().max_retries(0)),
            Some(RetryConfig::new().max_retries(2))
        )
        .await,
        3
    );
    // Call disables the client's retries.
    assert_eq!(
        attempts(Some(fast().max_retries(3)), Some(RetryConfig::disabled())).await,
        1
    );
    // Client disables, call silent: no retries.
    assert_eq!(
        attempts(Some(RetryConfig::disabled()), Some(fast())).await,
        1
    );
    // Client disables, call sets: the call's value.
    assert_eq!(
        attempts(Some(RetryConfig::disabled()), Some(fast().max_retries(1))).await,
        2
    );
}

#[tokio::test]
async fn retry_fields_merge_independently() {
    // The client sets the count, the call only opts in to re-sending a maybe-sent POST.
    let server = Server::always(Reply::close());
    let client = builder(&server)
        .retry(fast().max_retries(3))
        .build()
        .unwrap();
    let err = expect_err(
        client
            .chat()
            .create(chat_request())
            .retry(RetryConfig::new().retry_maybe_sent(true))
            .send()
            .await,
    );
    assert_eq!(err.attempts(), 4);
    assert_eq!(server.count(), 4);

    // The client opts in; the call says nothing about it.
    let server = Server::always(Reply::close());
    let client = builder(&server)
        .retry(fast().max_retries(1).retry_maybe_sent(true))
        .build()
        .unwrap();
    let err = expect_err(client.chat().create(chat_request()).send().await);
    assert_eq!(err.attempts(), 2);

    // The call forbids what the client allowed.
    let err = expect_err(
        client
            .chat()
            .create(chat_request())
            .retry(RetryConfig::new().retry_maybe_sent(false))
            .send()
            .await,
    );
    assert_eq!(err.attempts(), 1);
}
