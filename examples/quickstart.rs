//! The main job: stream a chat completion and show the remaining credits.
//!
//! With `OPENROUTER_API_KEY` set it calls the real API (the credits call needs a management
//! key; with an inference key it reports the API's answer). Without it, the same code runs
//! against the SDK's built-in offline transport, and says so first.
//!
//! Run with `cargo run --example quickstart`.

use std::io::Write;

use futures_util::StreamExt;
use openrouter::sse::ChatAccumulator;
use openrouter::types::chat::{ChatRequest, Message};
use openrouter::Error;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    // The real API with OPENROUTER_API_KEY, else the offline transport; it says which.
    let client = openrouter_examples::client()?;
    let model =
        std::env::var("OPENROUTER_MODEL").unwrap_or_else(|_| "openai/gpt-4o-mini".to_owned());

    let request = ChatRequest::new(
        model,
        vec![
            Message::system("You are concise."),
            Message::user("Say hello to a Rust developer in one sentence."),
        ],
    );
    let mut stream = client.chat().create(request).stream().await?;
    if let Some(id) = stream.meta().generation_id() {
        println!("generation id: {id}");
    }
    let mut answer = ChatAccumulator::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        for choice in &chunk.choices {
            if let Some(text) = &choice.delta.content {
                print!("{text}");
                let _ = std::io::stdout().flush();
            }
        }
        answer.push(&chunk);
    }
    let answer = answer.finish();
    println!();
    if let Some(reason) = answer.finish_reason() {
        println!("finish reason: {reason}");
    }
    if let Some(usage) = &answer.usage {
        println!(
            "tokens: {} prompt + {} completion",
            usage.prompt_tokens, usage.completion_tokens
        );
    }

    match client.credits().get().await {
        Ok(credits) => println!(
            "credits: {:.2} used of {:.2} ({:.2} left)",
            credits.data.total_usage,
            credits.data.total_credits,
            credits.data.total_credits - credits.data.total_usage
        ),
        Err(Error::Api(e)) if e.status().as_u16() == 401 || e.status().as_u16() == 403 => {
            println!(
                "credits: not available with this key ({}: {})",
                e.status(),
                e.message()
            )
        }
        Err(e) => return Err(e),
    }
    println!();
    println!("Next: `cargo run --example chat` (a tool call), `--example responses`, `--example models`,");
    println!("`--example embeddings`; every API group has one (see examples/; `--features full` for the groups outside the default features).");
    Ok(())
}
