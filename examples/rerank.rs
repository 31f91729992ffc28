//! Rerank: order documents by relevance to a query.
//!
//! Works with any API key in `OPENROUTER_API_KEY` (`OPENROUTER_RERANK_MODEL` picks the model).
//! Run with `cargo run --example rerank --features full`.
//!
//! Without `OPENROUTER_API_KEY` it runs offline on the SDK's canned answers, and says so first
//! (`openrouter_examples::client`).

use openrouter::types::rerank::CreateRerankRequest;
use openrouter::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = openrouter_examples::client()?;
    let model = std::env::var("OPENROUTER_RERANK_MODEL")
        .unwrap_or_else(|_| "cohere/rerank-v3.5".to_owned());

    let documents = [
        "Rust guarantees memory safety without a garbage collector.",
        "Paris is the capital of France.",
        "The borrow checker enforces ownership rules at compile time.",
    ];
    let items: Vec<_> = documents.iter().map(|d| d.to_string().into()).collect();
    let mut request = CreateRerankRequest::new(model, "How does Rust manage memory?", items);
    request.top_n = Some(2);

    match client.rerank().create(request).await {
        Ok(response) => {
            println!("model {} via {:?}", response.model, response.provider);
            for result in &response.results {
                let text = result
                    .document
                    .text
                    .as_deref()
                    .unwrap_or(documents[result.index as usize]);
                println!("{:.3}  {}", result.relevance_score, text);
            }
        }
        Err(e) => match e.as_api() {
            Some(api) => eprintln!("rerank failed: {} {}", api.status(), api.message()),
            None => eprintln!("rerank failed: {e}"),
        },
    }
    Ok(())
}
