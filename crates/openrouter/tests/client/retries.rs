//! Retries: the classes, `Retry-After` in every form and its cap, the attempt limit, the
//! backoff, and what must never be retried (a maybe-sent POST, a stream that began).

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use futures_util::StreamExt;
use openrouter::transport::test_util::{response, FnTransport};
use openrouter::{Client, Error, RetryConfig};

use crate::support::*;

/// Runs `GET /credits` against a server that answers `first` once and then 200: returns the
/// result and how many requests the server saw.
async fn check_status(first: Reply) -> (Result<f64, Error>, usize) {
    let server = Server::start([first, Reply::json(200, CREDITS_OK)]);
    let client = builder(&server)
        .retry(RetryConfig::new().max_retries(2).backoff(ms(1), ms(5)))
        .build()
        .unwrap();
    let result = client
        .credits()
        .get()
        .send()
        .await
        .map(|r| r.data.total_credits);
    (result, server.count())
}

#[tokio::test]
async fn retryable_statuses_are_retried() {
    for status in openrouter::RETRY_STATUSES {
        let (result, seen) = check_status(Reply::error(*status, "try again")).await;
        assert_eq!(result.unwrap(), 10.5, "status {status}");
        assert_eq!(seen, 2, "status {status}");
    }
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    for status in [400u16, 401, 403, 404, 402, 409, 413, 422] {
        let (result, seen) = check_status(Reply::error(status, "no")).await;
        let err = result.unwrap_err();
        assert_eq!(api(&err).status(), status, "{err:?}");
        assert_eq!(err.attempts(), 1, "status {status}");
        assert!(!err.is_retryable(), "status {status}");
        assert_eq!(seen, 1, "status {status}");
    }
}

#[tokio::test]
async fn status_402_is_retried_only_with_retry_after() {
    let budget = Reply::error(402, "in-flight budget exhausted").header("retry-after", "0");
    let (result, seen) = check_status(budget).await;
    assert_eq!(result.unwrap(), 10.5);
    assert_eq!(seen, 2);

    let budget_ms = Reply::error(402, "in-flight budget exhausted").header("retry-after-ms", "5");
    let (result, seen) = check_status(budget_ms).await;
    assert_eq!(result.unwrap(), 10.5);
    assert_eq!(seen, 2);

    let (result, seen) = check_status(Reply::error(402, "no credits")).await;
    let err = result.unwrap_err();
    assert_eq!(api(&err).status(), 402);
    assert!(!err.is_retryable());
    assert_eq!(seen, 1);
}

#[tokio::test]
async fn gives_up_after_max_retries_with_the_attempt_count() {
    let server = Server::always(Reply::error(503, "no provider"));
    let client = builder(&server)
        .retry(RetryConfig::new().max_retries(3).backoff(ms(1), ms(5)))
        .build()
        .unwrap();
    let err = expect_err(client.credits().get().send().await);
    assert_eq!(err.attempts(), 4);
    assert_eq!(api(&err).attempts(), 4);
    assert_eq!(api(&err).status(), 503);
    assert!(err.is_retryable(), "trying later may still help");
    assert!(err.to_string().contains("after 4 attempts"), "{err}");
    assert_eq!(server.count(), 4);

    // A success after retries reports its attempts too.
    let server = Server::start([
        Reply::error(500, "a"),
        Reply::error(529, "b"),
        Reply::json(200, CREDITS_OK),
    ]);
    let ok = client
        .credits()
        .get()
        .base_url(server.url())
        .send()
        .await
        .unwrap();
    assert_eq!(ok.meta().attempts(), 3);
}

/// The first request answers `first`; returns how long the client waited before the second.
async fn check_wait(first: Reply, max_backoff: Duration) -> Duration {
    let server = Server::start([first, Reply::json(200, CREDITS_OK)]);
    let client = builder(&server)
        .retry(
            RetryConfig::new()
                .max_retries(1)
                .backoff(ms(1), max_backoff),
        )
        .build()
        .unwrap();
    client.credits().get().send().await.unwrap();
    let seen = server.requests();
    assert_eq!(seen.len(), 2);
    seen[1].at - seen[0].at
}

#[tokio::test]
async fn retry_after_seconds_and_milliseconds_are_honoured() {
    let waited = check_wait(
        Reply::error(429, "slow down").header("retry-after-ms", "150"),
        Duration::from_secs(5),
    )
    .await;
    assert!(waited >= ms(150) && waited < ms(1500), "{waited:?}");

    let waited = check_wait(
        Reply::error(503, "busy").header("retry-after", "1"),
        Duration::from_secs(5),
    )
    .await;
    assert!(
        waited >= ms(1000) && waited < ms(3000),
        "Retry-After: 1 waited {waited:?}"
    );
}

/// A server that asks for longer than `max_retry_after` is not retried early: the call gives
/// up at once, and the error says how long the server asked for.
#[tokio::test]
async fn a_retry_after_past_the_bound_gives_up_at_once() {
    let date = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(3600));
    for (status, name, value) in [
        (429, "retry-after", "3600".to_owned()),
        (503, "retry-after", date),
        (429, "retry-after", "100000".to_owned()),
        (429, "retry-after", "1e300".to_owned()),
        (429, "retry-after", "99999999999999999999".to_owned()),
        (429, "retry-after-ms", "1e30".to_owned()),
    ] {
        let server = Server::start([
            Reply::error(status, "slow down").header(name, &value),
            Reply::json(200, CREDITS_OK),
        ]);
        let client = builder(&server)
            .retry(RetryConfig::new().max_retries(3).backoff(ms(1), ms(100)))
            .build()
            .unwrap();
        let start = std::time::Instant::now();
        let err = client.credits().get().send().await.unwrap_err();
        assert!(start.elapsed() < ms(1000), "{name}: {value}");
        assert_eq!(server.requests().len(), 1, "{name}: {value}");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        let asked = err.retry_after().expect("the asked wait is kept");
        assert!(
            asked > Duration::from_secs(3000),
            "{name}: {value}: {asked:?}"
        );
    }
}

/// Within the bound, a `Retry-After` longer than the backoff cap is honoured as asked.
#[tokio::test]
async fn a_retry_after_within_the_bound_is_waited_in_full() {
    let server = Server::start([
        Reply::error(429, "slow down").header("retry-after", "1"),
        Reply::json(200, CREDITS_OK),
    ]);
    let client = builder(&server)
        .retry(
            RetryConfig::new()
                .max_retries(1)
                .backoff(ms(1), ms(50))
                .max_retry_after(Duration::from_secs(2)),
        )
        .build()
        .unwrap();
    client.credits().get().send().await.unwrap();
    let seen = server.requests();
    assert_eq!(seen.len(), 2);
    let waited = seen[1].at - seen[0].at;
    assert!(waited >= ms(1000) && waited < ms(1900), "{waited:?}");
}

/// A transport that answers `first` once, then `200`, recording when each request came (in
/// tokio's clock, so that paused-time tests measure waits exactly).
fn timed_transport(
    first: impl Fn() -> http::Response<openrouter::transport::ResponseBody> + Send + Sync + 'static,
    times: Arc<Mutex<Vec<tokio::time::Instant>>>,
) -> FnTransport {
    FnTransport::new_async(move |_| {
        let n = {
            let mut t = times.lock().unwrap();
            t.push(tokio::time::Instant::now());
            t.len()
        };
        let reply = if n == 1 {
            first()
        } else {
            response(200, &[("content-type", "application/json")], CREDITS_OK)
        };
        async move { Ok(reply) }
    })
}

fn paused_client(transport: FnTransport, retry: RetryConfig) -> Client {
    Client::builder()
        .api_key(KEY)
        .transport(transport)
        .retry(retry)
        .build()
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn retry_after_as_an_http_date_is_honoured() {
    let times = Arc::new(Mutex::new(Vec::new()));
    let transport = timed_transport(
        || {
            let date = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(30));
            response(503, &[("retry-after", date.as_str())], "")
        },
        times.clone(),
    );
    let retry = RetryConfig::new()
        .max_retries(1)
        .backoff(ms(1), Duration::from_secs(60));
    let client = paused_client(transport, retry);
    client.credits().get().send().await.unwrap();
    let t = times.lock().unwrap().clone();
    let waited = t[1] - t[0];
    // An HTTP date has whole seconds: the wait is within a second below 30 s.
    assert!(
        waited > Duration::from_secs(28) && waited <= Duration::from_secs(30),
        "{waited:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn retry_after_seconds_exactly_in_paused_time() {
    let times = Arc::new(Mutex::new(Vec::new()));
    let transport = timed_transport(|| response(429, &[("retry-after", "7")], ""), times.clone());
    let retry = RetryConfig::new()
        .max_retries(1)
        .backoff(ms(1), Duration::from_secs(60));
    paused_client(transport, retry)
        .credits()
        .get()
        .send()
        .await
        .unwrap();
    let t = times.lock().unwrap().clone();
    assert_eq!(t[1] - t[0], Duration::from_secs(7));
}

/// Full jitter, end to end: every wait lies in `[0, min(max, initial * 2^(n-1))]`, and the
/// waits are spread, not fixed.
#[tokio::test(start_paused = true)]
async fn backoff_is_exponential_with_full_jitter() {
    let initial = ms(100);
    let max = ms(400);
    let mut waits: Vec<Vec<Duration>> = Vec::new();
    for _ in 0..30 {
        let times = Arc::new(Mutex::new(Vec::new()));
        let recorder = times.clone();
        let transport = FnTransport::new_async(move |_| {
            recorder.lock().unwrap().push(tokio::time::Instant::now());
            async { Ok(response(500, &[], "")) }
        });
        let retry = RetryConfig::new().max_retries(4).backoff(initial, max);
        let err = expect_err(paused_client(transport, retry).credits().get().send().await);
        assert_eq!(err.attempts(), 5);
        let t = times.lock().unwrap().clone();
        waits.push(t.windows(2).map(|w| w[1] - w[0]).collect());
    }
    for call in &waits {
        for (i, wait) in call.iter().enumerate() {
            let ceiling = (initial * (1 << i)).min(max);
            assert!(*wait <= ceiling, "wait {i} = {wait:?} > {ceiling:?}");
        }
    }
    for i in 0..4 {
        let ceiling = (initial * (1 << i)).min(max);
        let column: Vec<Duration> = waits.iter().map(|c| c[i]).collect();
        assert!(
            column.iter().any(|w| *w < ceiling / 2),
            "wait {i}: never in the lower half {column:?}"
        );
        assert!(
            column.iter().any(|w| *w > ceiling / 2),
            "wait {i}: never in the upper half {column:?}"
        );
    }
}

#[tokio::test]
async fn a_maybe_sent_post_is_not_retried() {
    let server = Server::start([Reply::close(), Reply::json(200, CHAT_OK)]);
    let client = client(&server);
    let err = expect_err(client.chat().create(chat_request()).send().await);
    let Error::Transport(t) = &err else {
        panic!("expected a transport error, got {err:?}")
    };
    assert!(t.may_have_reached_server(), "{err:?}");
    assert_eq!(err.attempts(), 1);
    assert!(!err.is_retryable());
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn a_maybe_sent_post_is_retried_when_allowed() {
    let server = Server::start([Reply::close(), Reply::json(200, CHAT_OK)]);
    let client = client(&server);
    let ok = client
        .chat()
        .create(chat_request())
        .retry(RetryConfig::new().retry_maybe_sent(true))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.meta().attempts(), 2);
    assert_eq!(server.count(), 2);
    let seen = server.requests();
    assert_eq!(seen[0].body, seen[1].body, "the same body is re-sent");
}

#[tokio::test]
async fn a_get_is_retried_after_the_connection_drops() {
    let server = Server::start([Reply::close(), Reply::json(200, CREDITS_OK)]);
    let ok = client(&server).credits().get().send().await.unwrap();
    assert_eq!(ok.meta().attempts(), 2);
    assert_eq!(server.count(), 2);
    assert_eq!(server.connections(), 2);
}

#[tokio::test]
async fn a_refused_connection_is_retried_and_reported_as_not_sent() {
    let addr = refused_addr();
    let client = Client::builder()
        .base_url(format!("http://{addr}/api/v1"))
        .api_key(KEY)
        .retry(RetryConfig::new().max_retries(2).backoff(ms(1), ms(5)))
        .build()
        .unwrap();
    // A POST too: it never reached the server, so retrying it is safe.
    let err = expect_err(client.chat().create(chat_request()).send().await);
    let Error::Transport(t) = &err else {
        panic!("expected a transport error, got {err:?}")
    };
    assert!(!t.may_have_reached_server(), "{err:?}");
    assert!(t.transport_error().is_connect(), "{err:?}");
    assert_eq!(err.attempts(), 3);
    assert!(err.is_retryable());
    assert!(err.to_string().contains("could not be sent"), "{err}");
}

#[tokio::test]
async fn nothing_is_retried_after_the_stream_began() {
    let first = r#"{"id":"gen-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"}}]}"#;
    let server = Server::always(
        Reply::sse([format!("data: {first}\n\n")])
            .sleep(ms(20))
            .abort(),
    );
    let client = builder(&server)
        .retry(
            RetryConfig::new()
                .max_retries(3)
                .retry_maybe_sent(true)
                .backoff(ms(1), ms(5)),
        )
        .build()
        .unwrap();
    let mut stream = client.chat().create(chat_request()).stream().await.unwrap();
    let chunk = stream.next().await.unwrap().unwrap();
    assert_eq!(chunk.choices[0].delta.content.as_deref(), Some("Hel"));
    let err = stream.next().await.unwrap().unwrap_err();
    let Error::Stream(s) = &err else {
        panic!("expected a stream error, got {err:?}")
    };
    assert!(
        s.stream_error().transport_error().is_some(),
        "a body read failure: {err:?}"
    );
    assert!(stream.next().await.is_none(), "the stream ended");
    assert_eq!(server.count(), 1, "the stream was not re-opened");
}

#[tokio::test]
async fn a_wait_past_the_total_timeout_gives_up_at_once() {
    let server = Server::always(Reply::error(429, "slow down").header("retry-after-ms", "2000"));
    let client = builder(&server)
        .retry(
            RetryConfig::new()
                .max_retries(3)
                .backoff(ms(1), Duration::from_secs(5)),
        )
        .build()
        .unwrap();
    let start = std::time::Instant::now();
    let err = expect_err(client.credits().get().total_timeout(ms(500)).send().await);
    assert!(start.elapsed() < ms(400), "{:?}", start.elapsed());
    assert_eq!(api(&err).status(), 429);
    assert_eq!(err.retry_after(), Some(ms(2000)));
    assert_eq!(server.count(), 1);
}

/// Dropping the call's future cancels everything, the backoff sleep included: no later attempt
/// is ever sent.
#[tokio::test]
async fn dropping_the_call_during_backoff_sends_nothing_more() {
    let server = Server::always(Reply::error(503, "busy").header("retry-after", "1"));
    let client = builder(&server)
        .retry(
            RetryConfig::new()
                .max_retries(5)
                .backoff(ms(1), Duration::from_secs(1)),
        )
        .build()
        .unwrap();
    // The first attempt fails at once; the call then sleeps a second before the next one.
    let call = client.credits().get().send();
    assert!(
        tokio::time::timeout(ms(300), call).await.is_err(),
        "the call was still waiting"
    );
    assert_eq!(server.count(), 1);
    // Well past the backoff: had anything kept running, a second request would have arrived.
    tokio::time::sleep(ms(1500)).await;
    assert_eq!(server.count(), 1, "a dropped call sent another attempt");
}

/// Collects the events of the `openrouter` targets, as text, on the thread that installs it.
#[derive(Clone, Default)]
struct Events(Arc<Mutex<Vec<String>>>);

impl tracing::Subscriber for Events {
    fn enabled(&self, metadata: &tracing::Metadata<'_>) -> bool {
        metadata.target().starts_with("openrouter")
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        struct Text(String);
        impl tracing::field::Visit for Text {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                self.0.push_str(&format!(" {}={value:?}", field.name()));
            }
        }
        let mut text = Text(event.metadata().target().to_owned());
        event.record(&mut text);
        self.0.lock().unwrap().push(text.0);
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[tokio::test]
async fn retries_are_reported_as_debug_events_without_the_key() {
    let events = Events::default();
    let _installed = tracing::subscriber::set_default(events.clone());

    let server = Server::start([
        Reply::error(503, "overloaded"),
        Reply::json(200, CREDITS_OK),
    ]);
    let client = builder(&server)
        .retry(RetryConfig::new().max_retries(2).backoff(ms(1), ms(5)))
        .build()
        .unwrap();
    client.credits().get().send().await.unwrap();
    let seen = events.0.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "{seen:?}");
    let retry = &seen[0];
    for part in [
        "openrouter::retry",
        "message=attempt failed, retrying",
        "method=GET",
        "path=\"/credits\"",
        "attempt=1",
        "overloaded",
    ] {
        assert!(retry.contains(part), "{part} in {retry}");
    }

    let server = Server::always(Reply::error(503, "still overloaded"));
    let client = builder(&server)
        .retry(RetryConfig::new().max_retries(1).backoff(ms(1), ms(5)))
        .build()
        .unwrap();
    client.credits().get().send().await.unwrap_err();
    let seen = events.0.lock().unwrap().clone();
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert!(
        seen[2].contains("message=giving up") && seen[2].contains("attempts=2"),
        "{seen:?}"
    );
    for event in &seen {
        assert!(!event.contains(KEY), "{event}");
    }
}
