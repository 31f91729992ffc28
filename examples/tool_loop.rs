//! Tool calling, run for you: local tools defined from Rust functions (their parameter
//! schemas from schemars), a server tool beside them, and `run_tools`, awaited whole and then
//! streamed event by event.
//!
//! `cargo run --example tool_loop --features tool-loop`. With `OPENROUTER_API_KEY` set it asks the real API
//! (`OPENROUTER_MODEL`, default `openai/gpt-4o-mini`). Offline, the canned model calls the
//! first local tool with `"example"` for each argument (a city the tool does not know, so the
//! model gets the tool's error as the result), then answers with canned text.

use std::time::Duration;

use futures_util::StreamExt;
use openrouter::tools::{LocalTool, ToolEvent, ToolSet};
use openrouter::types::chat::{ChatFunctionTool, ChatRequest, DatetimeServerTool, Message};
use openrouter_examples::{client, var};
use serde::Deserialize;

/// The city to report on.
#[derive(Deserialize, schemars::JsonSchema)]
struct WeatherArgs {
    /// The city's name, in English.
    city: String,
}

/// A temperature to convert.
#[derive(Deserialize, schemars::JsonSchema)]
struct ConvertArgs {
    /// Degrees Celsius.
    celsius: f64,
}

/// The weather in a few cities, as a real tool would fetch it.
async fn weather(args: WeatherArgs) -> Result<serde_json::Value, String> {
    let (celsius, sky) = match args.city.to_lowercase().as_str() {
        "lisbon" => (24.0, "sunny"),
        "oslo" => (9.0, "rainy"),
        "paris" => (17.0, "cloudy"),
        _ => return Err(format!("no weather report for {}", args.city)),
    };
    Ok(serde_json::json!({"city": args.city, "celsius": celsius, "sky": sky}))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = client()?;
    let model = var("OPENROUTER_MODEL").unwrap_or_else(|| "openai/gpt-4o-mini".to_owned());

    let tools = ToolSet::new()
        .with(LocalTool::new(
            "get_weather",
            "The current weather in a city: degrees Celsius and the sky",
            weather,
        ))
        .with(LocalTool::new(
            "to_fahrenheit",
            "Converts degrees Celsius to Fahrenheit",
            |args: ConvertArgs| async move { Ok::<_, String>(args.celsius * 9.0 / 5.0 + 32.0) },
        ));
    // A server tool: OpenRouter runs it; the runner only adds the local tools beside it.
    let request = ChatRequest::new(
        model,
        vec![Message::user(
            "What is the weather in Lisbon and in Oslo, in Fahrenheit? And what day is it?",
        )],
    )
    .tools(vec![ChatFunctionTool::OpenrouterDatetime(
        DatetimeServerTool::default(),
    )]);

    println!("== awaited");
    let run = client
        .chat()
        .run_tools(request.clone(), &tools)
        .max_steps(6)
        .options(|call| call.total_timeout(Duration::from_secs(90)))
        .await;
    match run {
        Ok(run) => {
            for message in &run.messages {
                let json = serde_json::to_value(message)?;
                match json["role"].as_str() {
                    Some("assistant") if json.get("tool_calls").is_some() => {
                        for call in json["tool_calls"].as_array().into_iter().flatten() {
                            let f = &call["function"];
                            let (name, args) = (&f["name"], &f["arguments"]);
                            println!(
                                "  model calls {}({})",
                                name.as_str().unwrap_or_default(),
                                args.as_str().unwrap_or_default()
                            );
                        }
                    }
                    Some("tool") => println!(
                        "  tool answers {}",
                        json["content"].as_str().unwrap_or_default()
                    ),
                    _ => {}
                }
            }
            println!("answer: {}", run.text());
            let tokens = run.usage.as_ref().map_or(0, |u| u.total_tokens);
            println!("{} requests, {tokens} tokens", run.steps);
            if let Some(cost) = run.usage.as_ref().and_then(|u| u.cost) {
                println!("cost: ${cost:.6}");
            }
        }
        // The model kept asking for tools: the conversation so far is in the error.
        Err(e) if e.is_step_limit() => {
            println!("{e}; {} messages kept", e.messages().len());
        }
        Err(e) => return Err(e.into()),
    }

    println!("== streamed");
    let mut events = client
        .chat()
        .run_tools(request, &tools)
        .max_steps(6)
        .stream();
    while let Some(event) = events.next().await {
        match event {
            Ok(ToolEvent::Text(piece)) => print!("{piece}"),
            Ok(ToolEvent::ToolCallFinished {
                name, arguments, ..
            }) => println!("[calls {name}({arguments})]"),
            Ok(ToolEvent::ToolResult { name, content, .. }) => {
                println!("[{name} answers {content}]");
            }
            Ok(ToolEvent::Finished(run)) => println!("\n({} requests)", run.steps),
            Ok(_) => {}
            Err(e) if e.is_step_limit() => println!("\n{e}"),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
