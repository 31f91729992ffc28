//! Opt-in tests against the real OpenRouter API. Ignored by default (tests never touch the
//! network); run them with a key:
//!
//! ```text
//! OPENROUTER_API_KEY=sk-or-... cargo test -p openrouter --test client live -- --ignored
//! ```
//!
//! They spend a few tokens of a small model (`OPENROUTER_MODEL`, default `openai/gpt-4o-mini`)
//! and check what the offline tests cannot: that the real answers decode, in particular where
//! the generator departs from the spec because the API does (`xtask/src/overrides.rs`). They
//! have not been run by CI, which has no key and no network.

use futures_util::StreamExt;
use openrouter::sse::ChatAccumulator;
use openrouter::types::chat::{ChatRequest, Message};
use openrouter::{Client, Error};

fn client() -> Client {
    Client::from_env().expect("live tests need OPENROUTER_API_KEY (and take OPENROUTER_BASE_URL)")
}

fn model() -> String {
    std::env::var("OPENROUTER_MODEL").unwrap_or_else(|_| "openai/gpt-4o-mini".to_owned())
}

fn request() -> ChatRequest {
    ChatRequest::new(
        model(),
        vec![Message::user("Reply with the single word: pong")],
    )
    .max_tokens(16)
}

#[tokio::test]
#[ignore = "live: calls the real API; needs OPENROUTER_API_KEY and --ignored"]
async fn live_models_and_their_endpoints_decode() {
    let client = client();
    let models = client
        .models()
        .list(Default::default())
        .send()
        .await
        .expect("GET /models decodes");
    assert!(!models.data.is_empty(), "the catalogue is empty");
    let model = model();
    let (author, slug) = model
        .split_once('/')
        .expect("OPENROUTER_MODEL is author/slug");
    let endpoints = client
        .endpoints()
        .list(author, slug)
        .send()
        .await
        .expect("GET /models/{author}/{slug}/endpoints decodes");
    assert!(
        !endpoints.data.endpoints.is_empty(),
        "{model} has no endpoint"
    );
}

#[tokio::test]
#[ignore = "live: calls the real API; needs OPENROUTER_API_KEY and --ignored"]
async fn live_chat_completion_with_its_metadata() {
    let response = client()
        .chat()
        .create(request())
        .send()
        .await
        .expect("a chat completion");
    assert_eq!(response.meta().status(), 200);
    assert!(!response.data().id.is_empty(), "the generation id");
    let choice = response.data().choices.first().expect("one choice");
    assert!(choice.finish_reason.is_some(), "{:?}", response.data());
}

#[tokio::test]
#[ignore = "live: calls the real API; needs OPENROUTER_API_KEY and --ignored"]
async fn live_stream_ends_with_done_and_accumulates() {
    let mut stream = client()
        .chat()
        .create(request())
        .stream()
        .await
        .expect("a stream opens");
    let mut answer = ChatAccumulator::new();
    while let Some(chunk) = stream.next().await {
        // A truncated stream or a mid-stream error fails here.
        answer.push(&chunk.expect("every chunk decodes, and the stream ends with [DONE]"));
    }
    let answer = answer.finish();
    assert!(!answer.content().is_empty(), "{answer:?}");
    assert!(answer.finish_reason().is_some(), "{answer:?}");
}

#[tokio::test]
#[ignore = "live: calls the real API; needs OPENROUTER_API_KEY and --ignored"]
async fn live_credits_decode_or_are_refused_typed() {
    match client().credits().get().send().await {
        Ok(credits) => assert!(credits.data.total_credits >= 0.0),
        // An inference key may not read credits: the refusal must still be a typed API error.
        Err(Error::Api(e)) => assert!(
            matches!(e.status().as_u16(), 401 | 403),
            "unexpected API error: {e:?}"
        ),
        Err(other) => panic!("GET /credits: {other:?}"),
    }
}
