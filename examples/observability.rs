//! Observability: the destinations generations are broadcast to (Langfuse, Datadog, S3, ...),
//! listed with `.items()`, then one fetched by id. Read-only.
//!
//! Needs a **management key** in `OPENROUTER_API_KEY`. Run with `cargo run --example observability --features full`.
//!
//! Without `OPENROUTER_API_KEY` it runs offline on the SDK's canned answers, and says so first
//! (`openrouter_examples::client`).

use futures_util::StreamExt;
use openrouter::types::observability::{
    ListObservabilityDestinationsQuery, ObservabilityDestination,
};
use openrouter::Error;
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = openrouter_examples::client()?;

    let query = ListObservabilityDestinationsQuery::default().limit(20);
    let mut destinations = client.observability().list(query).items();
    let mut first = None;
    while let Some(d) = destinations.next().await {
        let d = d.inspect_err(|e| report("list", e))?;
        let (id, summary) = describe(&d);
        println!("{id} {summary}");
        first.get_or_insert(id);
    }
    let Some(id) = first else {
        println!("no observability destinations");
        return Ok(());
    };
    match client.observability().get(&id).await {
        Ok(d) => {
            if let ObservabilityDestination::Webhook(w) = &d.data {
                println!(
                    "webhook, sampling rate {}, privacy mode {}",
                    w.sampling_rate, w.privacy_mode
                );
            } else {
                println!("fetched: {}", describe(&d.data).1);
            }
        }
        Err(e) => report("get", &e),
    }
    Ok(())
}

/// The id and a summary of a destination. Each of the 17 destination kinds is its own struct
/// with the same common fields, so they are read here from the JSON form rather than by
/// matching every variant.
fn describe(destination: &ObservabilityDestination) -> (String, String) {
    let json = serde_json::to_value(destination).unwrap_or(Value::Null);
    let field = |name: &str| json.get(name).map(Value::to_string).unwrap_or_default();
    let id = json
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    (
        id,
        format!(
            "type {} name {} enabled {}",
            field("type"),
            field("name"),
            field("enabled")
        ),
    )
}

fn report(what: &str, e: &Error) {
    match e.as_api() {
        Some(api) => eprintln!("{what} failed: {} {}", api.status(), api.message()),
        None => eprintln!("{what} failed: {e}"),
    }
}
