//! API keys: create a key with a small limit, rename it and raise its limit, fetch it, delete it.
//!
//! Needs a **management key**, read from `OPENROUTER_MANAGEMENT_KEY`, falling back to
//! `OPENROUTER_API_KEY`. The key the example creates is deleted at the end, even when a step in
//! between failed. Run with `cargo run --example api_keys --features full`.
//!
//! Without `OPENROUTER_MANAGEMENT_KEY` or `OPENROUTER_API_KEY` it runs offline on the SDK's canned answers, and says so first
//! (`openrouter_examples::client`).

use openrouter::types::api_keys::{CreateRequest, UpdateRequest};
use openrouter::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    use openrouter_examples::var;
    let key = var("OPENROUTER_MANAGEMENT_KEY").or_else(|| var("OPENROUTER_API_KEY"));
    let client = openrouter_examples::client_with_key(
        key,
        "OPENROUTER_MANAGEMENT_KEY (or OPENROUTER_API_KEY)",
    )?;
    let keys = client.api_keys();

    let mut create = CreateRequest::new("sdk-example-key");
    create.limit = Some(1.0);
    let created = keys
        .create(create)
        .await
        .inspect_err(|e| report("create", e))?;
    // `created.key` is the new key in plain text, returned only once: never print or log it.
    let hash = created.data.hash.clone();
    println!(
        "created {:?} ({}), limit {:?}",
        created.data.name, created.data.label, created.data.limit
    );

    let steps = async {
        let mut update = UpdateRequest::default();
        update.name = Some("sdk-example-key-renamed".to_owned());
        update.limit = Some(Some(2.0)); // `Some(None)` would remove the limit.
        let updated = keys.update(&hash, update).await?;
        println!(
            "updated: {:?}, limit {:?}",
            updated.data.name, updated.data.limit
        );

        let fetched = keys.get(&hash).await?;
        println!(
            "fetched: {:?}, limit {:?}, remaining {:?}, disabled {}",
            fetched.data.name,
            fetched.data.limit,
            fetched.data.limit_remaining,
            fetched.data.disabled
        );
        Ok::<(), Error>(())
    }
    .await;
    if let Err(e) = &steps {
        report("update or get", e);
    }

    // Best-effort cleanup: runs whatever happened above.
    match keys.delete(&hash).await {
        Ok(deleted) => println!("deleted: {}", deleted.deleted),
        Err(e) => {
            report("delete", &e);
            println!("the key {hash} is still there: delete it in the dashboard");
            return Err(e);
        }
    }
    steps
}

fn report(what: &str, e: &Error) {
    match e.as_api() {
        Some(api) => eprintln!("{what} failed: {} {}", api.status(), api.message()),
        None => eprintln!("{what} failed: {e}"),
    }
}
