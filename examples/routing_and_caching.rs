//! Model ids, routing, caching and cost: a model id with a variant, fallback models and
//! provider preferences; a prompt-cache breakpoint on a long system part; OpenRouter's response
//! cache with a TTL; then what the answer says: which model and provider answered, whether the
//! response cache hit, the cached prompt tokens, and the cost (BYOK included).
//!
//! With `OPENROUTER_API_KEY` set it calls the real API; otherwise it runs offline, where the
//! canned answer reports no cache status. Run with `cargo run --example routing_and_caching`.

use std::time::Duration;

use openrouter::types::chat::{
    ChatContentCacheControl, ChatContentText, ChatRequest, Message, ProviderPreferences,
    ProviderSort,
};
use openrouter::types::{ModelId, ModelVariant};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The real API with OPENROUTER_API_KEY, else the offline transport; it says which.
    let client = openrouter_examples::client()?;

    // `author/slug[:variant]`, parsed or built.
    let primary: ModelId = "openai/gpt-4o-mini".parse()?;
    let fast =
        ModelId::new("meta-llama", "llama-3.3-70b-instruct").with_variant(ModelVariant::Nitro);
    println!(
        "models: {primary} (author {:?}), then {fast} (variant {:?})",
        primary.author(),
        fast.variant()
    );

    let handbook = "A long document, the same on every call. ".repeat(20);
    let system = Message::system(vec![
        ChatContentText::new("Answer in one sentence from the text below."),
        // A prompt-cache breakpoint after the long part (providers that cache prompts).
        ChatContentText::new(handbook).cache_control(ChatContentCacheControl::default()),
    ]);
    let request = ChatRequest::new(
        primary.to_string(),
        vec![system, Message::user("What is the text about?")],
    )
    // Fallbacks, tried in order when the one before fails.
    .models(vec![primary.to_string(), fast.to_string()])
    .provider(
        ProviderPreferences::default()
            .sort(ProviderSort::Throughput)
            .allow_fallbacks(true),
    );

    let response = client
        .chat()
        .create(request)
        // OpenRouter's response cache: an identical call within 10 minutes is answered from it,
        // with zero usage and no charge.
        .response_cache_ttl(Duration::from_secs(600))
        .send()
        .await?;
    let meta = response.meta();
    let result = response.data();
    println!(
        "answered by {} on {}",
        result.model,
        result
            .provider
            .as_deref()
            .unwrap_or("(provider not reported)")
    );
    match meta.cache_status() {
        Some(status) => println!(
            "response cache: {status:?} (hit: {}), kept for {:?}",
            meta.cache_hit(),
            meta.cache_ttl()
        ),
        None => println!("response cache: not reported"),
    }
    match &result.usage {
        Some(usage) => println!(
            "tokens: {} prompt ({} from the prompt cache) + {} completion; cost {:.6} USD",
            usage.prompt_tokens,
            usage.cache_read_tokens(),
            usage.completion_tokens,
            usage.total_cost().unwrap_or(0.0)
        ),
        None => println!("no usage reported"),
    }
    Ok(())
}
