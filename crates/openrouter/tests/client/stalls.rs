//! Streams that stall: the first-content timeout (keep-alives and empty chunks do not count),
//! and the opt-in re-open of a stream that stalled before any content reached the caller.

use futures_util::StreamExt;
use openrouter::{Error, RetryConfig, TimeoutConfig};

use crate::support::*;

fn chunk(delta: &str, finish: &str) -> String {
    format!(
        r#"data: {{"id":"g","object":"chat.completion.chunk","created":1,"model":"m","choices":[{{"index":0,"delta":{delta},"finish_reason":{finish}}}]}}

"#
    )
}

fn role_chunk() -> String {
    chunk(r#"{"role":"assistant","content":""}"#, "null")
}

fn text_chunk(text: &str) -> String {
    chunk(&format!(r#"{{"content":"{text}"}}"#), "null")
}

/// A stream that starts (a role chunk) and then sends only keep-alives and empty chunks.
fn stalling() -> Reply {
    Reply::sse([role_chunk()]).every(
        ms(40),
        format!(": OPENROUTER PROCESSING\n\n{}", role_chunk()),
    )
}

fn complete() -> Reply {
    Reply::sse([
        role_chunk(),
        text_chunk("Hello"),
        chunk("{}", r#""stop""#),
        "data: [DONE]\n\n".to_owned(),
    ])
}

async fn drain(
    client: &openrouter::Client,
    retry: RetryConfig,
) -> (Vec<Result<String, Error>>, u32) {
    let mut stream = client
        .chat()
        .create(chat_request())
        .timeouts(
            TimeoutConfig::new()
                .stream_first_content(ms(300))
                .stream_idle(ms(5000)),
        )
        .retry(retry)
        .stream()
        .await
        .unwrap();
    let mut items = Vec::new();
    let run = async {
        while let Some(item) = stream.next().await {
            items.push(item.map(|c| {
                c.choices
                    .first()
                    .and_then(|c| c.delta.content.clone())
                    .unwrap_or_default()
            }));
        }
    };
    tokio::time::timeout(ms(10_000), run)
        .await
        .expect("the stream ended");
    (items, stream.meta().attempts())
}

#[tokio::test]
async fn empty_chunks_and_keep_alives_do_not_count_as_content() {
    let server = Server::always(stalling());
    let start = std::time::Instant::now();
    let (mut items, _) = drain(&client(&server), RetryConfig::new()).await;
    assert!(start.elapsed() < ms(3000), "{:?}", start.elapsed());
    let err = items.pop().unwrap().unwrap_err();
    let Error::Stream(s) = &err else {
        panic!("{err:?}")
    };
    assert!(
        matches!(
            s.stream_error(),
            openrouter::sse::StreamError::FirstContentTimeout { .. }
        ),
        "{err:?}"
    );
    assert!(err.is_timeout());
    // The empty chunks themselves were given to the caller (no retry was asked for).
    assert!(!items.is_empty() && items.iter().all(|i| matches!(i.as_deref(), Ok(""))));
    assert_eq!(server.count(), 1, "not re-opened without the opt-in");
}

#[tokio::test]
async fn a_stream_that_stalls_before_content_is_opened_again_when_allowed() {
    let server = Server::start([stalling(), complete()]);
    let retry = RetryConfig::new()
        .max_retries(2)
        .backoff(ms(1), ms(5))
        .retry_stalled_stream(true);
    let (items, attempts) = drain(&client(&server), retry).await;
    let texts: Vec<String> = items.into_iter().map(Result::unwrap).collect();
    // The held-back empty chunks of the stalled stream are not shown: one start, one answer.
    assert_eq!(texts, ["", "Hello", ""]);
    assert_eq!(server.count(), 2);
    assert_eq!(attempts, 2);
}

#[tokio::test]
async fn a_stream_is_not_opened_again_once_content_arrived() {
    let stalls_after_content = Reply::sse([role_chunk(), text_chunk("Hel")]).stall();
    let server = Server::start([stalls_after_content, complete()]);
    let retry = RetryConfig::new()
        .max_retries(2)
        .backoff(ms(1), ms(5))
        .retry_stalled_stream(true);
    let client = builder(&server)
        .timeouts(TimeoutConfig::new().stream_idle(ms(300)))
        .build()
        .unwrap();
    let mut stream = client
        .chat()
        .create(chat_request())
        .retry(retry)
        .stream()
        .await
        .unwrap();
    let mut texts = Vec::new();
    let mut error = None;
    while let Some(item) = tokio::time::timeout(ms(5000), stream.next()).await.unwrap() {
        match item {
            Ok(c) => texts.push(c.choices[0].delta.content.clone().unwrap_or_default()),
            Err(e) => error = Some(e),
        }
    }
    assert_eq!(texts, ["", "Hel"]);
    assert!(error.unwrap().is_timeout());
    assert_eq!(
        server.count(),
        1,
        "content reached the caller: never re-opened"
    );
}

#[test]
fn response_streams_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<openrouter::ResponseStream<openrouter::types::chat::StreamChunk>>();
}
