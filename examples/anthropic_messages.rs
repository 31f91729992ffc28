//! Anthropic-compatible Messages (`POST /messages`): one non-streaming call, then the same
//! request streamed, printing the events it needs and ignoring the rest.
//!
//! Works with any API key in `OPENROUTER_API_KEY` (`OPENROUTER_MODEL` picks the model).
//! Run with `cargo run --example anthropic_messages`.
//!
//! Without `OPENROUTER_API_KEY` it runs offline on the SDK's canned answers, and says so first
//! (`openrouter_examples::client`).

use std::io::Write;

use futures_util::StreamExt;
use openrouter::types::messages::{Message, Request, StreamEvent};
use openrouter::types::messages::{MessagesContentBlockDeltaEventDelta, OrAnthropicContentBlock};
use openrouter::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = openrouter_examples::client()?;
    let model = std::env::var("OPENROUTER_MODEL")
        .unwrap_or_else(|_| "anthropic/claude-3.5-haiku".to_owned());
    let question = "What is a Rust lifetime?".to_owned();
    let request = Request::new(model)
        .system("Answer in one sentence.".to_owned())
        .max_tokens(200)
        .messages(vec![Message::user(question)]);

    let result = client
        .anthropic_messages()
        .create(request.clone())
        .await
        .inspect_err(report)?;
    for block in &result.content {
        if let OrAnthropicContentBlock::Text(text) = block {
            println!("{}", text.text);
        }
    }
    println!(
        "stop reason {:?}, tokens {} in / {} out",
        result.stop_reason, result.usage.input_tokens, result.usage.output_tokens
    );

    // Streamed: `.stream()` sets `stream: true` on the request.
    let mut events = client
        .anthropic_messages()
        .create(request)
        .stream()
        .await
        .inspect_err(report)?;
    while let Some(event) = events.next().await {
        match event.inspect_err(report)? {
            StreamEvent::MessageStart(e) => {
                println!("message {} from {}", e.message.id, e.message.model)
            }
            StreamEvent::ContentBlockDelta(e) => {
                if let MessagesContentBlockDeltaEventDelta::TextDelta(d) = e.delta {
                    print!("{}", d.text);
                    let _ = std::io::stdout().flush();
                }
            }
            StreamEvent::MessageDelta(e) => println!(
                "\nstop reason {:?}, {} output tokens",
                e.delta.stop_reason, e.usage.output_tokens
            ),
            StreamEvent::Error(e) => println!("\nerror event: {}", e.error.message),
            _ => {} // pings, block start/stop, message stop: not needed here.
        }
    }
    Ok(())
}

fn report(e: &Error) {
    match e.as_api() {
        Some(api) => eprintln!("request failed: {} {}", api.status(), api.message()),
        None => eprintln!("request failed: {e}"),
    }
}
