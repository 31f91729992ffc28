//! Timeouts: per attempt, for the whole call, between stream events (with keep-alive comments
//! that must not reset it), and connecting.
//!
//! Real-socket tests use real time with short limits; paused time is used only with the test
//! transports, where no socket is involved.
//!
//! Connect timeouts: no non-loopback address may be used, so "an address that never answers"
//! is made two ways: a listener on 127.0.0.1 whose accept queue is full (Linux then drops the
//! SYN, so the TCP connect hangs until the client's connect timeout), and a test transport that
//! fails with the transport's connect-timeout error, to check the client's classification in
//! paused time.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use openrouter::sse::StreamError;
use openrouter::transport::test_util::{
    response, ChunkedBody, FnTransport, NeverTransport, RecordingTransport,
};
use openrouter::transport::TransportError;
use openrouter::{Client, Error, RetryConfig, TimeoutConfig, TimeoutKind};

use crate::support::*;

/// The timeout inside `err`; panics on any other error.
fn timeout(err: &Error) -> (TimeoutKind, Option<Duration>, u32) {
    match err {
        Error::Timeout(t) => (t.kind(), t.limit(), t.attempts()),
        other => panic!("expected a timeout, got {other:?}"),
    }
}

#[tokio::test]
async fn the_attempt_timeout_fires_when_headers_never_come() {
    let server = Server::always(Reply::hang());
    let client = client(&server);
    let start = Instant::now();
    let err = expect_err(
        client
            .credits()
            .get()
            .attempt_timeout(ms(150))
            .no_retry()
            .send()
            .await,
    );
    let elapsed = start.elapsed();
    assert_eq!(timeout(&err), (TimeoutKind::Attempt, Some(ms(150)), 1));
    assert!(err.is_timeout());
    assert!(elapsed >= ms(150) && elapsed < ms(2000), "{elapsed:?}");
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn an_attempt_timeout_is_retried_for_a_get_but_not_for_a_post() {
    let server = Server::always(Reply::hang());
    let client = client(&server);
    let err = expect_err(
        client
            .credits()
            .get()
            .attempt_timeout(ms(100))
            .retry(RetryConfig::new().max_retries(2))
            .send()
            .await,
    );
    assert_eq!(timeout(&err), (TimeoutKind::Attempt, Some(ms(100)), 3));
    assert_eq!(server.count(), 3);
    assert!(err.is_retryable(), "a GET can be sent again");

    let server = Server::always(Reply::hang());
    let err = expect_err(
        client
            .chat()
            .create(chat_request())
            .base_url(server.url())
            .attempt_timeout(ms(100))
            .retry(RetryConfig::new().max_retries(2))
            .send()
            .await,
    );
    assert_eq!(timeout(&err), (TimeoutKind::Attempt, Some(ms(100)), 1));
    assert!(!err.is_retryable(), "it may have run");
    assert_eq!(server.count(), 1, "a POST that may have run is not re-sent");

    // Opting in re-sends it.
    let server = Server::always(Reply::hang());
    let err = expect_err(
        client
            .chat()
            .create(chat_request())
            .base_url(server.url())
            .attempt_timeout(ms(100))
            .retry(RetryConfig::new().max_retries(2).retry_maybe_sent(true))
            .send()
            .await,
    );
    assert_eq!(timeout(&err).2, 3);
    assert_eq!(server.count(), 3);

    // So does an Idempotency-Key: the server answers a repeat with the first outcome. Each
    // attempt carries the same key.
    let server = Server::always(Reply::hang());
    let err = expect_err(
        client
            .chat()
            .create(chat_request())
            .base_url(server.url())
            .idempotency_key("order-42")
            .attempt_timeout(ms(100))
            .retry(RetryConfig::new().max_retries(2))
            .send()
            .await,
    );
    assert_eq!(timeout(&err).2, 3);
    assert_eq!(server.count(), 3);
    assert!(
        err.is_retryable(),
        "a POST with an Idempotency-Key can be sent again"
    );
    let keys: Vec<_> = server
        .requests()
        .iter()
        .map(|r| r.headers.get("idempotency-key").cloned())
        .collect();
    assert_eq!(keys, vec![Some("order-42".parse().unwrap()); 3]);
}

#[tokio::test]
async fn the_total_timeout_spans_attempts_and_backoff() {
    let server = Server::always(Reply::hang());
    let client = client(&server);
    let start = Instant::now();
    let err = expect_err(
        client
            .credits()
            .get()
            .attempt_timeout(ms(100))
            .total_timeout(ms(250))
            .retry(RetryConfig::new().max_retries(10).backoff(ms(1), ms(5)))
            .send()
            .await,
    );
    let elapsed = start.elapsed();
    let (kind, limit, attempts) = timeout(&err);
    assert_eq!((kind, limit), (TimeoutKind::Total, Some(ms(250))));
    assert_eq!(attempts, 3, "two attempt timeouts, then the total");
    assert!(elapsed >= ms(250) && elapsed < ms(2000), "{elapsed:?}");
    assert_eq!(server.count(), 3);
}

#[tokio::test]
async fn the_total_timeout_bounds_reading_a_body() {
    let server = Server::always(
        Reply::status(200)
            .header("content-type", "application/json")
            .chunk(r#"{"data":"#)
            .stall(),
    );
    let start = Instant::now();
    let err = expect_err(
        client(&server)
            .credits()
            .get()
            .total_timeout(ms(200))
            .send()
            .await,
    );
    assert_eq!(timeout(&err).0, TimeoutKind::Total);
    assert!(start.elapsed() < ms(2000));
}

#[tokio::test(start_paused = true)]
async fn total_and_attempt_timeouts_in_paused_time() {
    let recorder = RecordingTransport::new(NeverTransport);
    let client = Client::builder()
        .api_key(KEY)
        .transport(recorder.clone())
        .retry(RetryConfig::new().max_retries(100).backoff(ms(10), ms(10)))
        .build()
        .unwrap();
    let start = tokio::time::Instant::now();
    let err = expect_err(
        client
            .credits()
            .get()
            .attempt_timeout(Duration::from_secs(1))
            .total_timeout(Duration::from_millis(4500))
            .send()
            .await,
    );
    let (kind, limit, attempts) = timeout(&err);
    assert_eq!(kind, TimeoutKind::Total);
    assert_eq!(limit, Some(Duration::from_millis(4500)));
    assert_eq!(start.elapsed(), Duration::from_millis(4500));
    // Attempts of 1 s with backoffs of at most 10 ms: the fifth is cut by the total.
    assert_eq!(attempts, 5);
    assert_eq!(recorder.count(), 5);
}

const KEEPALIVE: &str = ": OPENROUTER PROCESSING\n\n";

#[tokio::test]
async fn keep_alive_comments_do_not_reset_the_stream_idle_timeout() {
    let server = Server::always(Reply::sse([KEEPALIVE]).every(ms(50), KEEPALIVE));
    let client = client(&server);
    let start = Instant::now();
    let mut stream = client
        .chat()
        .create(chat_request())
        .timeouts(TimeoutConfig::new().stream_idle(ms(300)))
        .stream()
        .await
        .unwrap();
    let err = stream.next().await.unwrap().unwrap_err();
    let elapsed = start.elapsed();
    assert!(err.is_timeout(), "{err:?}");
    let Error::Stream(s) = &err else {
        panic!("expected a stream error, got {err:?}")
    };
    assert!(
        matches!(s.stream_error(), StreamError::IdleTimeout { timeout } if *timeout == ms(300)),
        "{err:?}"
    );
    assert!(elapsed >= ms(300) && elapsed < ms(2000), "{elapsed:?}");
    assert!(stream.next().await.is_none());
    drop(stream);
    server.wait_closed(1).await;
}

#[tokio::test]
async fn events_reset_the_stream_idle_timeout() {
    let chunk = r#"data: {"id":"gen-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"x"}}]}

"#;
    // Six events 100 ms apart: 600 ms in all, but never 300 ms without one.
    let mut reply = Reply::sse(Vec::<&str>::new());
    for _ in 0..6 {
        reply = reply.sleep(ms(100)).chunk(chunk);
    }
    let server = Server::always(reply.chunk("data: [DONE]\n\n"));
    let stream = client(&server)
        .chat()
        .create(chat_request())
        .timeouts(TimeoutConfig::new().stream_idle(ms(300)))
        .stream()
        .await
        .unwrap();
    let items: Vec<_> = stream.collect().await;
    assert_eq!(items.len(), 6);
    assert!(items.iter().all(Result::is_ok), "{items:?}");
}

#[tokio::test(start_paused = true)]
async fn stream_idle_timeout_in_paused_time() {
    let transport = FnTransport::new_async(|_| async {
        let body = ChunkedBody::new()
            .chunk(KEEPALIVE)
            .delay(Duration::from_secs(20))
            .chunk(KEEPALIVE)
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
        .timeouts(TimeoutConfig::new().stream_idle(Duration::from_secs(30)))
        .build()
        .unwrap();
    let start = tokio::time::Instant::now();
    let mut stream = client.chat().create(chat_request()).stream().await.unwrap();
    let err = stream.next().await.unwrap().unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(start.elapsed(), Duration::from_secs(30));
}

#[tokio::test(start_paused = true)]
async fn a_connect_timeout_is_reported_as_connect_and_retried() {
    let recorder = RecordingTransport::new(FnTransport::new_async(|_| async {
        Err(TransportError::connect_timeout())
    }));
    let client = Client::builder()
        .api_key(KEY)
        .transport(recorder.clone())
        .retry(RetryConfig::new().max_retries(2).backoff(ms(1), ms(5)))
        .build()
        .unwrap();
    let err = expect_err(client.chat().create(chat_request()).send().await);
    assert_eq!(timeout(&err), (TimeoutKind::Connect, None, 3));
    assert!(err.is_retryable(), "nothing was sent");
    assert_eq!(recorder.count(), 3, "a POST that never left is retried");
}

/// A listener on 127.0.0.1 with a backlog of 1 whose queue is filled by connections nobody
/// accepts: further connects hang (Linux drops their SYN).
fn full_backlog() -> (
    std::net::SocketAddr,
    Vec<std::net::TcpStream>,
    tokio::net::TcpListener,
) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(1).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut held = Vec::new();
    for _ in 0..4 {
        match std::net::TcpStream::connect_timeout(&addr, ms(100)) {
            Ok(s) => held.push(s),
            Err(_) => break,
        }
    }
    (addr, held, listener)
}

#[tokio::test]
async fn the_connect_timeout_fires_against_a_full_backlog() {
    let (addr, _held, _listener) = full_backlog();
    let client = Client::builder()
        .base_url(format!("http://{addr}/api/v1"))
        .api_key(KEY)
        .connect_timeout(ms(150))
        .retry(RetryConfig::new().max_retries(1).backoff(ms(1), ms(5)))
        .build()
        .unwrap();
    let start = Instant::now();
    let err = expect_err(client.credits().get().send().await);
    assert_eq!(timeout(&err), (TimeoutKind::Connect, None, 2), "{err:?}");
    assert!(start.elapsed() >= ms(300) && start.elapsed() < ms(3000));
}

/// Runs `fut`, failing the test if it takes more than 3 s (instead of hanging the suite).
async fn bounded<T>(fut: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(3), fut)
        .await
        .expect("the call hung")
}

#[tokio::test]
async fn a_stalled_error_body_does_not_hang_the_call() {
    // The status arrives, its body never ends: the error is still returned, within the
    // attempt's limit, with what was read.
    let server = Server::always(
        Reply::status(503)
            .header("content-type", "application/json")
            .chunk(r#"{"error":"#)
            .stall(),
    );
    let client = client(&server);
    let err = bounded(
        client
            .credits()
            .get()
            .attempt_timeout(ms(200))
            .no_retry()
            .send(),
    )
    .await
    .unwrap_err();
    assert_eq!(api(&err).status(), 503, "{err:?}");
    assert_eq!(err.attempts(), 1);

    // And with retries, each attempt is bounded.
    let err = bounded(
        client
            .credits()
            .get()
            .attempt_timeout(ms(100))
            .retry(RetryConfig::new().max_retries(2).backoff(ms(1), ms(5)))
            .send(),
    )
    .await
    .unwrap_err();
    assert_eq!(api(&err).status(), 503, "{err:?}");
    assert_eq!(err.attempts(), 3);
}

#[tokio::test]
async fn a_stalled_success_body_is_bounded_by_the_attempt_timeout() {
    // The head of a 200 arrives, its body stops half-way and no total timeout is set: the
    // attempt's limit still ends the call, as an attempt timeout, without a retry (the head
    // had arrived).
    let server = Server::always(
        Reply::status(200)
            .header("content-type", "application/json")
            .chunk(r#"{"data":{"total_credits":"#)
            .stall(),
    );
    let client = client(&server);
    let start = Instant::now();
    let err = bounded(client.credits().get().attempt_timeout(ms(200)).send())
        .await
        .unwrap_err();
    assert_eq!(timeout(&err), (TimeoutKind::Attempt, Some(ms(200)), 1));
    assert!(start.elapsed() >= ms(200), "{:?}", start.elapsed());
    assert_eq!(server.count(), 1);

    // With a total deadline before the attempt's, the total one is reported.
    let err = bounded(
        client
            .credits()
            .get()
            .attempt_timeout(Duration::from_secs(10))
            .total_timeout(ms(150))
            .send(),
    )
    .await
    .unwrap_err();
    assert_eq!(timeout(&err), (TimeoutKind::Total, Some(ms(150)), 1));
}

#[tokio::test]
async fn the_total_timeout_bounds_a_non_sse_answer_to_a_stream() {
    let server = Server::always(
        Reply::status(200)
            .header("content-type", "application/json")
            .chunk("{")
            .stall(),
    );
    let err = bounded(
        client(&server)
            .chat()
            .create(chat_request())
            .total_timeout(ms(200))
            .stream(),
    )
    .await
    .unwrap_err();
    assert_eq!(timeout(&err).0, TimeoutKind::Total, "{err:?}");
}
