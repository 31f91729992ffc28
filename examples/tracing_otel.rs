//! Tracing with the OpenTelemetry GenAI conventions: the SDK's `gen_ai` spans (one per call,
//! one per HTTP attempt) exported through `tracing-opentelemetry` to the OpenTelemetry stdout
//! exporter, which prints each span with its attributes (`gen_ai.request.model`,
//! `gen_ai.usage.input_tokens`, `openrouter.cost`, ...) as it ends. Swap the exporter for an
//! OTLP one to send them to a collector. The prompt and the completion are recorded because
//! the client is built with `trace_content(true)` (off by default).
//!
//! Works with any API key in `OPENROUTER_API_KEY` (`OPENROUTER_MODEL` picks the model).
//! Run with `cargo run --example tracing_otel --features otel` (the OpenTelemetry crates are
//! built only with that feature of the examples package).
//!
//! Without `OPENROUTER_API_KEY` it runs offline on the SDK's canned answers, and says so first
//! (`openrouter_examples::client`).

use futures_util::StreamExt;
use openrouter::types::chat::{ChatRequest, Message};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::layer::SubscriberExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Spans are exported as they end, to stdout; nothing goes over the network.
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(opentelemetry_stdout::SpanExporter::default())
        .build();
    let tracer = provider.tracer("openrouter-example");
    let subscriber =
        tracing_subscriber::registry().with(tracing_opentelemetry::layer().with_tracer(tracer));
    tracing::subscriber::set_global_default(subscriber)?;

    let client = openrouter_examples::client_with(|b| b.trace_content(true))?;
    let model =
        std::env::var("OPENROUTER_MODEL").unwrap_or_else(|_| "openai/gpt-4o-mini".to_owned());

    // One call: a `chat {model}` span with one `POST` attempt span under it.
    let request = ChatRequest::new(model.clone(), vec![Message::user("Say hello in French.")]);
    let answer = client.chat().create(request).await?;
    println!("answer: {}", answer.text());

    // A stream: its span ends when the stream does, with the usage of its last chunk.
    let request = ChatRequest::new(model, vec![Message::user("Count to three.")]);
    let mut stream = client.chat().create(request).stream().await?;
    let mut text = String::new();
    while let Some(chunk) = stream.next().await {
        if let Some(delta) = chunk?.choices.first().and_then(|c| c.delta.content.clone()) {
            text.push_str(&delta);
        }
    }
    println!("streamed: {text}");

    provider.shutdown()?;
    Ok(())
}
