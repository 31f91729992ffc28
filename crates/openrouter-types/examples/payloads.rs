//! Builds a chat request and reads a streamed answer with the generated types alone: no network,
//! no API key.
//!
//! Run with `cargo run -p openrouter-types --example payloads`.

use openrouter_types::chat::{ChatRequest, Message, StreamChunk, Tool};
use openrouter_types::generated::operations::OPERATIONS;

fn main() -> Result<(), serde_json::Error> {
    let mut request = ChatRequest::new(
        "openai/gpt-4o-mini",
        vec![
            Message::system("Answer in one word."),
            Message::user("What colour is the sky?"),
        ],
    );
    request.temperature = Some(0.0);
    request.tools = Some(vec![Tool::function(
        "lookup",
        "Looks a word up",
        serde_json::json!({"type": "object", "properties": {"word": {"type": "string"}}}),
    )]);
    println!(
        "request body:\n{}\n",
        serde_json::to_string_pretty(&request)?
    );

    // Three chunks as OpenRouter streams them, the last one with a field this SDK does not know.
    let wire = [
        r#"{"id":"gen-1","object":"chat.completion.chunk","created":1,"model":"openai/gpt-4o-mini","choices":[{"index":0,"delta":{"role":"assistant","content":"Bl"},"finish_reason":null}]}"#,
        r#"{"id":"gen-1","object":"chat.completion.chunk","created":1,"model":"openai/gpt-4o-mini","choices":[{"index":0,"delta":{"content":"ue"},"finish_reason":null}]}"#,
        r#"{"id":"gen-1","object":"chat.completion.chunk","created":1,"model":"openai/gpt-4o-mini","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":2,"total_tokens":14},"brand_new_field":true}"#,
    ];
    let mut answer = String::new();
    for line in wire {
        let chunk: StreamChunk = serde_json::from_str(line)?;
        for choice in &chunk.choices {
            if let Some(text) = &choice.delta.content {
                answer.push_str(text);
            }
            if let Some(reason) = &choice.finish_reason {
                println!("finish reason: {reason}");
            }
        }
        if let Some(usage) = &chunk.usage {
            println!(
                "tokens: {} in, {} out",
                usage.prompt_tokens, usage.completion_tokens
            );
        }
        if !chunk.extra.is_empty() {
            println!(
                "kept unknown fields: {:?}",
                chunk.extra.keys().collect::<Vec<_>>()
            );
        }
    }
    println!("answer: {answer}");
    println!(
        "\nthe generated operation table covers {} operations",
        OPERATIONS.len()
    );
    Ok(())
}
