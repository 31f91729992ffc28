//! Structured output: the answer parsed into a Rust type whose JSON Schema (from schemars) is
//! the request's response format, strict.
//!
//! `cargo run --example structured_output --features schemars`. With `OPENROUTER_API_KEY` set it asks the real API
//! (`OPENROUTER_MODEL`, default `openai/gpt-4o-mini`); offline, the canned answer is plain text,
//! so the example shows the typed error that keeps it.

use std::time::Duration;

use openrouter::types::chat::{ChatRequest, ChatRequestPluginsItem, Message};
use openrouter::Error;
use openrouter_examples::{client, var};

/// What we want back, typed. The doc comments become the schema's descriptions.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
struct CityWeather {
    /// The city the answer is about.
    city: String,
    /// The temperature in degrees Celsius, if the model knows it.
    celsius: Option<f64>,
    /// One word: sunny, cloudy, rainy, snowy...
    sky: String,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let client = client()?;
    let model = var("OPENROUTER_MODEL").unwrap_or_else(|| "openai/gpt-4o-mini".to_owned());
    let request = ChatRequest::new(
        model,
        vec![Message::user("Describe a typical July day in Lisbon.")],
    )
    // OpenRouter repairs JSON that does not parse before it answers.
    .plugins(vec![ChatRequestPluginsItem::response_healing()]);

    let answer = client
        .chat()
        .create_parsed::<CityWeather>(request)
        .options(|call| call.total_timeout(Duration::from_secs(60)))
        .await;
    match answer {
        Ok(parsed) => {
            let w = parsed.value;
            println!("{}: {} ({:?} °C)", w.city, w.sky, w.celsius);
            if let Some(usage) = &parsed.response.data().usage {
                println!(
                    "{} tokens, ${:.6}",
                    usage.total_tokens,
                    usage.total_cost().unwrap_or(0.0)
                );
            }
        }
        // A refusal, or an answer that is not the type: the text is kept.
        Err(Error::Parse(e)) => println!("not a CityWeather: {e}"),
        Err(e) => return Err(e),
    }
    Ok(())
}
