//! Private endpoints: the model endpoints you host behind OpenRouter, listed, then one fetched
//! with its settings. Read-only: nothing is created, enabled, disabled or deleted.
//!
//! Needs a **management key** in `OPENROUTER_API_KEY`; `OPENROUTER_PRIVATE_ENDPOINT_ID` picks
//! the endpoint to fetch (default: the first listed). Run with `cargo run --example private_endpoints --features full`.
//!
//! Without `OPENROUTER_API_KEY` it runs offline on the SDK's canned answers, and says so first
//! (`openrouter_examples::client`).

use openrouter::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = openrouter_examples::client()?;

    let endpoints = client.private_endpoints().list().await;
    let endpoints = endpoints.inspect_err(|e| report("list", e))?;
    for e in &endpoints.data {
        println!(
            "{} {:<40} {:<20} {}",
            e.id, e.model_permaslug, e.provider_name, e.status
        );
    }
    let first = endpoints.data.first().map(|e| e.id.clone());
    let Some(id) = std::env::var("OPENROUTER_PRIVATE_ENDPOINT_ID")
        .ok()
        .or(first)
    else {
        println!("no private endpoints");
        return Ok(());
    };

    match client.private_endpoints().get(&id).await {
        Ok(endpoint) => {
            let e = &endpoint.data;
            println!(
                "{}: upstream model {}, base URL {:?}, region {:?}, ZDR {:?}",
                e.id, e.upstream_model_id, e.base_url, e.declared_region, e.declared_zdr
            );
            println!(
                "  declared parameters {:?}, tested {:?}",
                e.declared_parameters, e.tested_parameters
            );
        }
        Err(e) => report("get", &e),
    }
    Ok(())
}

fn report(what: &str, e: &Error) {
    match e.as_api() {
        Some(api) => eprintln!("{what} failed: {} {}", api.status(), api.message()),
        None => eprintln!("{what} failed: {e}"),
    }
}
