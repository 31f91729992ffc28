//! BYOK: the provider keys you brought (bring your own key), listed with `.items()`, then one of
//! them fetched by id. Read-only: the raw provider keys are never returned by the API.
//!
//! Needs a **management key** in `OPENROUTER_API_KEY`. Run with `cargo run --example byok --features full`.
//!
//! Without `OPENROUTER_API_KEY` it runs offline on the SDK's canned answers, and says so first
//! (`openrouter_examples::client`).

use futures_util::StreamExt;
use openrouter::types::byok::ListByokKeysQuery;
use openrouter::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = openrouter_examples::client()?;

    let mut keys = client
        .byok()
        .list(ListByokKeysQuery::default().limit(20))
        .items();
    let mut first = None;
    while let Some(key) = keys.next().await {
        let key = key.inspect_err(|e| report("list", e))?;
        println!(
            "{} {:<15} {:<20} disabled {}, fallback {}, models {:?}",
            key.id, key.provider, key.label, key.disabled, key.is_fallback, key.allowed_models
        );
        first.get_or_insert(key.id);
    }
    let Some(id) = first else {
        println!("no BYOK credentials in this workspace");
        return Ok(());
    };

    match client.byok().get(&id).await {
        Ok(key) => println!(
            "{}: {:?}, region {:?}, created {}",
            key.data.id, key.data.name, key.data.declared_region, key.data.created_at
        ),
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
