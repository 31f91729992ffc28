//! Generations: the cost and stats of one generation, and its stored content.
//!
//! Works with any API key in `OPENROUTER_API_KEY`. The generation is `OPENROUTER_GENERATION_ID`,
//! or else that of a one-word chat completion made here. Run with `cargo run --example generations`.
//!
//! Without `OPENROUTER_API_KEY` it runs offline on the SDK's canned answers, and says so first
//! (`openrouter_examples::client`).

use std::time::Duration;

use openrouter::types::chat::{ChatRequest, Message};
use openrouter::types::generations::{GetGenerationQuery, ListGenerationContentQuery};
use openrouter::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = openrouter_examples::client()?;

    let id = match std::env::var("OPENROUTER_GENERATION_ID") {
        Ok(id) => id,
        Err(_) => {
            let mut request =
                ChatRequest::new("openai/gpt-4o-mini", vec![Message::user("Say hi.")]);
            request.max_tokens = Some(5);
            let response = client
                .chat()
                .create(request)
                .await
                .inspect_err(|e| report("chat", e))?;
            // The `X-Generation-Id` header, or the body's id.
            response
                .meta()
                .generation_id()
                .map_or_else(|| response.id.clone(), str::to_owned)
        }
    };
    println!("generation {id}");

    // Stats are written shortly after the generation ends: a fresh id may answer 404 at first.
    for attempt in 1..=5 {
        match client
            .generations()
            .get(GetGenerationQuery::new(id.clone()))
            .await
        {
            Ok(g) => {
                let g = &g.data;
                println!(
                    "{} via {:?}: {:?} prompt + {:?} completion tokens, cost ${:.6}, latency {:?} ms, finish {:?}",
                    g.model, g.provider_name, g.tokens_prompt, g.tokens_completion, g.total_cost, g.latency, g.finish_reason
                );
                break;
            }
            Err(e) if e.status().is_some_and(|s| s.as_u16() == 404) && attempt < 5 => {
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            Err(e) => {
                report("get_generation", &e);
                break;
            }
        }
    }

    // Stored only when the account keeps prompts and completions; otherwise an error explains why.
    match client
        .generations()
        .list_content(ListGenerationContentQuery::new(id))
        .await
    {
        Ok(content) => println!(
            "input: {:?}\noutput: {:?}",
            content.data.input, content.data.output
        ),
        Err(e) => report("list_generation_content", &e),
    }
    // `submit_feedback` (management key) records feedback on a generation: not done here.
    Ok(())
}

fn report(what: &str, e: &Error) {
    match e.as_api() {
        Some(api) => eprintln!("{what} failed: {} {}", api.status(), api.message()),
        None => eprintln!("{what} failed: {e}"),
    }
}
