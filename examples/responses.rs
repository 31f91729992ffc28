//! The Responses API: one non-streaming call, then the same request streamed, printing the
//! events it needs and ignoring the rest.
//!
//! Works with any API key in `OPENROUTER_API_KEY` (`OPENROUTER_MODEL` picks the model).
//! Run with `cargo run --example responses`.
//!
//! Without `OPENROUTER_API_KEY` it runs offline on the SDK's canned answers, and says so first
//! (`openrouter_examples::client`).

use std::io::Write;

use futures_util::StreamExt;
use openrouter::types::responses::{OutputItems, OutputMessageContentItem};
use openrouter::types::responses::{Request, StreamEvent};
use openrouter::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = openrouter_examples::client()?;
    let model =
        std::env::var("OPENROUTER_MODEL").unwrap_or_else(|_| "openai/gpt-4o-mini".to_owned());
    let request = Request::new(model)
        .instructions("Answer in one sentence.")
        .input("What is a Rust trait?".to_owned())
        .max_output_tokens(200);

    let response = client
        .responses()
        .create(request.clone())
        .await
        .inspect_err(report)?;
    println!("[{}] status {}", response.id, response.status);
    for item in &response.output {
        if let OutputItems::Message(message) = item {
            for part in &message.content {
                if let OutputMessageContentItem::OutputText(text) = part {
                    println!("{}", text.text);
                }
            }
        }
    }
    if let Some(usage) = &response.usage {
        println!(
            "tokens: {} in, {} out, cost {:?}",
            usage.input_tokens, usage.output_tokens, usage.cost
        );
    }

    // Streamed: `.stream()` sets `stream: true` on the request.
    let mut events = client
        .responses()
        .create(request)
        .stream()
        .await
        .inspect_err(report)?;
    while let Some(event) = events.next().await {
        match event.inspect_err(report)? {
            StreamEvent::ResponseCreated(e) => println!("created {}", e.response.id),
            StreamEvent::ResponseOutputTextDelta(e) => {
                print!("{}", e.delta);
                let _ = std::io::stdout().flush();
            }
            StreamEvent::ResponseCompleted(e) => {
                println!("\ncompleted: status {}", e.response.status);
            }
            StreamEvent::Error(e) => println!("\nerror event: {:?} {}", e.code, e.message),
            _ => {} // reasoning, tool calls, annotations...: not needed here.
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
