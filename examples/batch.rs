//! Batches: list the batches of the key's workspace with `.items()` (cursor pagination), then
//! fetch one with its results. Read-only: it neither creates nor deletes a batch.
//!
//! Works with any API key in `OPENROUTER_API_KEY`; `OPENROUTER_BATCH_ID` picks the batch to
//! fetch (default: the newest). Run with `cargo run --example batch --features full`.
//!
//! Without `OPENROUTER_API_KEY` it runs offline on the SDK's canned answers, and says so first
//! (`openrouter_examples::client`).

use futures_util::StreamExt;
use openrouter::types::batch::ListBatchesQuery;
use openrouter::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = openrouter_examples::client()?;

    // Pages of 10; the next page is asked for with the previous page's `last_id`.
    let mut batches = client
        .batch()
        .list(ListBatchesQuery::default().limit(10))
        .items()
        .take(25);
    let mut newest = None;
    while let Some(batch) = batches.next().await {
        let batch = batch.inspect_err(|e| report("list", e))?;
        let counts = &batch.request_counts;
        println!(
            "{} {:<10} {} on {}: {}/{} done, {} failed",
            batch.id,
            batch.status,
            batch.model,
            batch.endpoint,
            counts.completed,
            counts.total,
            counts.failed
        );
        newest.get_or_insert(batch.id);
    }

    let Some(id) = std::env::var("OPENROUTER_BATCH_ID").ok().or(newest) else {
        println!("no batches yet (create one with `client.batch().create(...)`)");
        return Ok(());
    };
    match client.batch().get(&id).await {
        Ok(batch) => {
            println!(
                "{}: status {}, error {:?}",
                batch.id, batch.status, batch.error
            );
            let results = batch.results.as_deref().unwrap_or_default();
            println!("{} results", results.len());
        }
        Err(e) => report("get_batches", &e),
    }
    Ok(())
}

fn report(what: &str, e: &Error) {
    match e.as_api() {
        Some(api) => eprintln!("{what} failed: {} {}", api.status(), api.message()),
        None => eprintln!("{what} failed: {e}"),
    }
}
