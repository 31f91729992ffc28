//! Chat completions with a tool: the model asks for a function call, the example answers it,
//! and the model uses the answer. (Streaming and `ChatAccumulator` are in `quickstart`.)
//!
//! Works with any API key in `OPENROUTER_API_KEY` (`OPENROUTER_MODEL` picks the model).
//! Run with `cargo run --example chat`.
//!
//! Without `OPENROUTER_API_KEY` it runs offline on the SDK's canned answers, and says so first
//! (`openrouter_examples::client`).

use openrouter::types::chat::{ChatRequest, Message, Tool};
use openrouter::Error;
use serde_json::json;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = openrouter_examples::client()?;
    let model =
        std::env::var("OPENROUTER_MODEL").unwrap_or_else(|_| "openai/gpt-4o-mini".to_owned());

    let mut messages = vec![Message::user("What is the weather in Lisbon?")];
    let weather = Tool::function(
        "get_weather",
        "Current weather in a city",
        json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
    );
    let mut request = ChatRequest::new(model.clone(), messages.clone());
    request.tools = Some(vec![weather.clone()]);

    // `chat().send(body)` builds the call; `.send()` sends it.
    let first = client.chat().create(request).await.inspect_err(report)?;
    let Some(choice) = first.choices.first() else {
        println!("no choices in the response");
        return Ok(());
    };
    let calls = choice.message.tool_calls.clone().unwrap_or_default();
    if calls.is_empty() {
        println!("the model answered without the tool: {}", first.text());
        return Ok(());
    }
    // The assistant turn that asked for the calls goes back into the conversation, then one
    // tool message per call.
    messages.extend(first.to_message());
    for call in &calls {
        println!(
            "tool call {}: {}({})",
            call.id, call.function.name, call.function.arguments
        );
        let answer = json!({"temperature_c": 21, "sky": "clear"}).to_string();
        messages.push(Message::tool(call.id.clone(), answer.as_str()));
    }

    let mut request = ChatRequest::new(model, messages);
    request.tools = Some(vec![weather]);
    let second = client.chat().create(request).await;
    let second = second.inspect_err(report)?;
    println!("answer: {}", second.text());
    if let Some(choice) = second.choices.first() {
        println!("finish reason: {:?}", choice.finish_reason);
    }
    println!("generation id: {:?}", second.meta().generation_id());
    Ok(())
}

fn report(e: &Error) {
    match e.as_api() {
        Some(api) => eprintln!("request failed: {} {}", api.status(), api.message()),
        None => eprintln!("request failed: {e}"),
    }
}
