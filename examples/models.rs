//! Models: list the catalogue with `.items()` (every model, across pages) and `.pages()`
//! (page by page), count the models, and fetch one.
//!
//! Works with any API key in `OPENROUTER_API_KEY`. Run with `cargo run --example models`.
//!
//! Without `OPENROUTER_API_KEY` it runs offline on the SDK's canned answers, and says so first
//! (`openrouter_examples::client`).

use futures_util::StreamExt;
use openrouter::types::models::{GetModelsQuery, ListModelsCountQuery};
use openrouter::Error;

const SHOWN: usize = 10;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = openrouter_examples::client()?;

    // Every model, across pages: the stream asks for the next page when this one runs out.
    let query = GetModelsQuery::default().limit(100);
    let mut models = client.models().list(query.clone()).items();
    let mut count = 0;
    while let Some(model) = models.next().await {
        let Ok(model) = model.inspect_err(|e| report("list", e)) else {
            break;
        };
        if count < SHOWN {
            let price = &model.pricing;
            println!(
                "{:<45} prompt {} / completion {} per token",
                model.id, price.prompt, price.completion
            );
        }
        count += 1;
    }
    println!("... {count} models in all");

    // The same listing page by page, each page with its response metadata.
    let mut pages = client.models().list(query).pages();
    while let Some(page) = pages.next().await {
        let Ok(page) = page.inspect_err(|e| report("page", e)) else {
            break;
        };
        // The spec promises a total, but the API may leave it out.
        let total = page
            .total_count
            .map_or("not given".to_owned(), |n| n.to_string());
        println!(
            "page of {} models (total {total}, request id {:?})",
            page.data.len(),
            page.meta().request_id()
        );
    }

    match client.models().count(ListModelsCountQuery::default()).await {
        Ok(total) => println!("count endpoint: {} models", total.data.count),
        Err(e) => report("count", &e),
    }

    // `get` takes the two halves of a model id ("author/slug").
    let id = std::env::var("OPENROUTER_MODEL").unwrap_or_else(|_| "openai/gpt-4o-mini".to_owned());
    let (author, slug) = id.split_once('/').unwrap_or(("openai", "gpt-4o-mini"));
    match client.models().get(author, slug).await {
        Ok(model) => println!(
            "{}: {} (context {:?})",
            model.data.id, model.data.name, model.data.context_length
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
