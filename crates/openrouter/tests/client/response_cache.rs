//! OpenRouter's response cache: the request headers a call sends (`response_cache`,
//! `response_cache_ttl`) and what a response says about the cache (`cache_status`, `cache_hit`,
//! `cache_ttl`), for an answer read whole and for a stream.

use std::time::Duration;

use futures_util::StreamExt;
use openrouter::transport::test_util::FnTransport;
use openrouter::types::chat::ChatRequest;
use openrouter::{CacheStatus, Call, Client, ResponseMeta};

use crate::support::*;

/// The cache headers a request carried: (`x-openrouter-cache`, `x-openrouter-cache-ttl`).
type Sent = (Option<String>, Option<String>);

/// The cache headers of each request the server saw.
fn cache_headers(server: &Server) -> Vec<Sent> {
    server
        .requests()
        .iter()
        .map(|r| {
            (
                r.header("x-openrouter-cache").map(str::to_owned),
                r.header("x-openrouter-cache-ttl").map(str::to_owned),
            )
        })
        .collect()
}

fn sent(cache: Option<&str>, ttl: Option<&str>) -> Sent {
    (cache.map(str::to_owned), ttl.map(str::to_owned))
}

type ChatCall = Call<openrouter::types::chat::ChatResult, openrouter::types::chat::ChatStreamChunk>;

/// What a case does to the call.
type Configure = fn(ChatCall) -> ChatCall;

#[tokio::test]
async fn request_headers_follow_the_call() {
    let server = Server::always(Reply::json(200, CHAT_OK));
    let client = client(&server);
    // What each call is configured with, and the headers it must send.
    let cases: Vec<(&str, Configure, Sent)> = vec![
        ("not asked", |c| c, sent(None, None)),
        ("on", |c| c.response_cache(true), sent(Some("true"), None)),
        ("off", |c| c.response_cache(false), sent(None, None)),
        (
            "ttl 90 s",
            |c| c.response_cache_ttl(Duration::from_secs(90)),
            sent(Some("true"), Some("90")),
        ),
        (
            "ttl 90.9 s: whole seconds",
            |c| c.response_cache_ttl(Duration::from_millis(90_900)),
            sent(Some("true"), Some("90")),
        ),
        (
            "ttl 0: clamped to 1",
            |c| c.response_cache_ttl(Duration::ZERO),
            sent(Some("true"), Some("1")),
        ),
        (
            "ttl 300 ms: clamped to 1",
            |c| c.response_cache_ttl(Duration::from_millis(300)),
            sent(Some("true"), Some("1")),
        ),
        (
            "ttl exactly a day",
            |c| c.response_cache_ttl(Duration::from_secs(86_400)),
            sent(Some("true"), Some("86400")),
        ),
        (
            "ttl two days: clamped to one",
            |c| c.response_cache_ttl(Duration::from_secs(2 * 86_400)),
            sent(Some("true"), Some("86400")),
        ),
        (
            "ttl Duration::MAX: clamped to one day",
            |c| c.response_cache_ttl(Duration::MAX),
            sent(Some("true"), Some("86400")),
        ),
        (
            "ttl, then on: the ttl stays",
            |c| {
                c.response_cache_ttl(Duration::from_secs(60))
                    .response_cache(true)
            },
            sent(Some("true"), Some("60")),
        ),
        (
            "ttl, then off: neither header",
            |c| {
                c.response_cache_ttl(Duration::from_secs(60))
                    .response_cache(false)
            },
            sent(None, None),
        ),
        (
            "off, then on: no ttl",
            |c| c.response_cache(false).response_cache(true),
            sent(Some("true"), None),
        ),
        (
            "a later ttl replaces an earlier one",
            |c| {
                c.response_cache_ttl(Duration::from_secs(60))
                    .response_cache_ttl(Duration::from_secs(120))
            },
            sent(Some("true"), Some("120")),
        ),
        (
            "off wins over the same headers set by name, in either order",
            |c| {
                c.header("X-OpenRouter-Cache", "true")
                    .header("X-OpenRouter-Cache-TTL", "30")
                    .response_cache(false)
                    .header("X-OpenRouter-Cache", "true")
            },
            sent(None, None),
        ),
        (
            "a ttl set by name stays with on",
            |c| {
                c.header("X-OpenRouter-Cache-TTL", "30")
                    .response_cache(true)
            },
            sent(Some("true"), Some("30")),
        ),
    ];
    for (_, configure, _) in &cases {
        configure(client.chat().create(chat_request()))
            .send()
            .await
            .unwrap();
    }
    let seen = cache_headers(&server);
    assert_eq!(seen.len(), cases.len());
    for ((what, _, expected), seen) in cases.iter().zip(&seen) {
        assert_eq!(seen, expected, "{what}");
    }
}

#[tokio::test]
async fn off_removes_the_clients_default_cache_headers() {
    let server = Server::always(Reply::json(200, CHAT_OK));
    let client = builder(&server)
        .default_header("X-OpenRouter-Cache", "true")
        .default_header("X-OpenRouter-Cache-TTL", "600")
        .build()
        .unwrap();
    let request = chat_request;
    client.chat().create(request()).send().await.unwrap();
    client
        .chat()
        .create(request())
        .response_cache(false)
        .send()
        .await
        .unwrap();
    client
        .chat()
        .create(request())
        .response_cache_ttl(Duration::from_secs(5))
        .send()
        .await
        .unwrap();
    assert_eq!(
        cache_headers(&server),
        [
            sent(Some("true"), Some("600")),
            sent(None, None),
            sent(Some("true"), Some("5")),
        ]
    );
}

#[tokio::test]
async fn a_streamed_call_sends_the_cache_headers() {
    let server = Server::always(Reply::sse([sse_chunk("Hi"), "data: [DONE]\n\n".into()]));
    let client = client(&server);
    let stream = client
        .chat()
        .create(chat_request())
        .response_cache_ttl(Duration::from_secs(45))
        .stream()
        .await
        .unwrap();
    assert_eq!(stream.count().await, 1);
    assert_eq!(cache_headers(&server), [sent(Some("true"), Some("45"))]);
}

fn sse_chunk(content: &str) -> String {
    let chunk = serde_json::json!({
        "id": "gen-s", "object": "chat.completion.chunk", "created": 1, "model": "m",
        "choices": [{"index": 0, "delta": {"content": content}}]
    });
    format!("data: {chunk}\n\n")
}

/// What the response's cache headers read as.
#[derive(Debug, PartialEq)]
struct Seen {
    status: Option<CacheStatus>,
    hit: bool,
    ttl: Option<Duration>,
}

fn seen(meta: &ResponseMeta) -> Seen {
    Seen {
        status: meta.cache_status(),
        hit: meta.cache_hit(),
        ttl: meta.cache_ttl(),
    }
}

/// Response headers (`x-openrouter-cache-status`, `x-openrouter-cache-ttl`) and what they read
/// as: the status, whether it is a hit, the lifetime in seconds.
fn response_cases() -> Vec<(Option<&'static str>, Option<&'static str>, Seen)> {
    use CacheStatus::{Hit, Miss, Other};
    let other = |v: &str| Some(Other(v.to_owned()));
    let cases = [
        (Some("HIT"), Some("300"), Some(Hit), true, Some(300)),
        (Some("MISS"), Some("60"), Some(Miss), false, Some(60)),
        (Some("hit"), None, Some(Hit), true, None),
        (Some("Miss"), Some("86400"), Some(Miss), false, Some(86_400)),
        (Some("BYPASS"), Some("soon"), other("BYPASS"), false, None),
        (Some("HITS"), Some("-5"), other("HITS"), false, None),
        (
            Some("hit, miss"),
            Some("1.5"),
            other("hit, miss"),
            false,
            None,
        ),
        (None, Some("120"), None, false, Some(120)),
        (None, Some("99999999999999999999999"), None, false, None),
        (None, None, None, false, None),
    ];
    cases
        .into_iter()
        .map(|(status_header, ttl_header, status, hit, ttl)| {
            let ttl = ttl.map(Duration::from_secs);
            (status_header, ttl_header, Seen { status, hit, ttl })
        })
        .collect()
}

fn with_cache_headers(mut reply: Reply, status: Option<&str>, ttl: Option<&str>) -> Reply {
    if let Some(v) = status {
        reply = reply.header("x-openrouter-cache-status", v);
    }
    if let Some(v) = ttl {
        reply = reply.header("x-openrouter-cache-ttl", v);
    }
    reply
}

#[tokio::test]
async fn a_whole_response_says_whether_it_came_from_the_cache() {
    for (status, ttl, expected) in response_cases() {
        let reply = with_cache_headers(Reply::json(200, CHAT_OK), status, ttl);
        let server = Server::always(reply);
        let result = client(&server)
            .chat()
            .create(chat_request())
            .response_cache(true)
            .await
            .unwrap();
        assert_eq!(seen(result.meta()), expected, "{status:?} {ttl:?}");
        assert_eq!(result.text(), "Hello");
    }
}

#[tokio::test]
async fn a_stream_says_whether_it_came_from_the_cache() {
    for (status, ttl, expected) in response_cases() {
        let chunks = [sse_chunk("Hel"), sse_chunk("lo"), "data: [DONE]\n\n".into()];
        let reply = with_cache_headers(Reply::sse(chunks), status, ttl);
        let server = Server::always(reply);
        let stream = client(&server)
            .chat()
            .create(chat_request())
            .response_cache(true)
            .stream()
            .await
            .unwrap();
        assert_eq!(seen(stream.meta()), expected, "{status:?} {ttl:?}");
        // The metadata is there before the first event, and the events are unchanged.
        let text: Vec<String> = stream
            .map(|c| {
                c.unwrap().choices[0]
                    .delta
                    .content
                    .clone()
                    .unwrap_or_default()
            })
            .collect()
            .await;
        assert_eq!(text.concat(), "Hello");
    }
}

/// A hit as OpenRouter describes it: zeroed usage and a new generation id, with the cache
/// headers; and a status that is not UTF-8, which still reads as present.
#[tokio::test]
async fn a_hit_has_a_new_generation_id_and_no_usage() {
    let hit = r#"{"id":"gen-new","object":"chat.completion","created":1,"model":"openai/gpt-4o-mini",
        "choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"Hello"}}],
        "usage":{"prompt_tokens":0,"completion_tokens":0,"total_tokens":0}}"#;
    let transport = FnTransport::new(move |request| {
        assert_eq!(request.headers()["x-openrouter-cache"], "true");
        let odd = request.headers().contains_key("x-odd");
        let mut response = http::Response::builder()
            .header("content-type", "application/json")
            .header("x-generation-id", "gen-new")
            .header("x-openrouter-cache-ttl", "300")
            .header("x-openrouter-cache-age", "12");
        response = if odd {
            response.header(
                "x-openrouter-cache-status",
                http::HeaderValue::from_bytes(b"H\xffT").unwrap(),
            )
        } else {
            response.header("x-openrouter-cache-status", "HIT")
        };
        response.body(hit.as_bytes().to_vec().into()).unwrap()
    });
    let client = Client::builder().transport(transport).build().unwrap();
    let request = || {
        ChatRequest::new(
            "openai/gpt-4o-mini",
            vec![openrouter::types::chat::Message::user("Hi")],
        )
    };
    let result = client
        .chat()
        .create(request())
        .response_cache(true)
        .await
        .unwrap();
    let meta = result.meta();
    assert!(meta.cache_hit());
    assert_eq!(meta.cache_status(), Some(CacheStatus::Hit));
    assert_eq!(meta.cache_ttl(), Some(Duration::from_secs(300)));
    assert_eq!(meta.generation_id(), Some("gen-new"));
    assert_eq!(result.id, "gen-new");
    assert_eq!(result.usage.as_ref().map(|u| u.total_tokens), Some(0));
    // A header the SDK has no accessor for is still there, as sent.
    assert_eq!(meta.headers()["x-openrouter-cache-age"], "12");

    let odd = client
        .chat()
        .create(request())
        .response_cache(true)
        .header("x-odd", "1")
        .await
        .unwrap();
    assert_eq!(
        odd.meta().cache_status(),
        Some(CacheStatus::Other("H\u{fffd}T".to_owned()))
    );
    assert!(!odd.meta().cache_hit());
}
