//! Endpoints: the providers serving one model, with price, context and uptime, and the
//! endpoints that remain under Zero Data Retention.
//!
//! Works with any API key in `OPENROUTER_API_KEY` (`OPENROUTER_MODEL` picks the model).
//! Run with `cargo run --example endpoints`.
//!
//! Without `OPENROUTER_API_KEY` it runs offline on the SDK's canned answers, and says so first
//! (`openrouter_examples::client`).

use openrouter::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = openrouter_examples::client()?;
    let model =
        std::env::var("OPENROUTER_MODEL").unwrap_or_else(|_| "openai/gpt-4o-mini".to_owned());
    // The path takes the two halves of the model id.
    let Some((author, slug)) = model.split_once('/') else {
        println!("OPENROUTER_MODEL must look like author/slug, not {model:?}");
        return Ok(());
    };

    match client.endpoints().list(author, slug).await {
        Ok(response) => {
            let model = &response.data;
            println!(
                "{} ({}): {} endpoints",
                model.name,
                model.id,
                model.endpoints.len()
            );
            for e in &model.endpoints {
                println!(
                    "  {:<20} context {:>7}, prompt {} / completion {}, uptime 1d {:?}, p50 latency {:?}",
                    e.provider_name,
                    e.context_length,
                    e.pricing.prompt,
                    e.pricing.completion,
                    e.uptime_last_1d,
                    e.latency_last_30m.as_ref().map(|l| l.p50)
                );
            }
        }
        Err(e) => report("list", &e),
    }

    match client.endpoints().list_zdr().await {
        Ok(zdr) => println!("{} endpoints under Zero Data Retention", zdr.data.len()),
        Err(e) => report("list_zdr_endpoints", &e),
    }
    Ok(())
}

fn report(what: &str, e: &Error) {
    match e.as_api() {
        Some(api) => eprintln!("{what} failed: {} {}", api.status(), api.message()),
        None => eprintln!("{what} failed: {e}"),
    }
}
