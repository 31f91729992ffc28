//! Embeddings: embed two sentences and compare them, then list the embedding models.
//!
//! Works with any API key in `OPENROUTER_API_KEY` (`OPENROUTER_EMBEDDING_MODEL` picks the model).
//! Run with `cargo run --example embeddings`.
//!
//! Without `OPENROUTER_API_KEY` it runs offline on the SDK's canned answers, and says so first
//! (`openrouter_examples::client`).

use futures_util::StreamExt;
use openrouter::types::embeddings::Request;
use openrouter::types::embeddings::{CreateEmbeddingsResponseEmbedding, ListEmbeddingsModelsQuery};
use openrouter::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = openrouter_examples::client()?;
    let model = std::env::var("OPENROUTER_EMBEDDING_MODEL")
        .unwrap_or_else(|_| "openai/text-embedding-3-small".to_owned());

    let input = vec![
        "The cat sat on the mat.".to_owned(),
        "A kitten rests on a rug.".to_owned(),
    ];
    let response = client.embeddings().create(Request::new(model, input)).await;
    match response {
        Ok(response) => {
            let vectors: Vec<&[f64]> = response
                .data
                .iter()
                .filter_map(|item| match &item.embedding {
                    CreateEmbeddingsResponseEmbedding::NumberList(v) => Some(v.as_slice()),
                    _ => None, // base64 when `encoding_format` asks for it
                })
                .collect();
            println!(
                "{} vectors of {} dimensions from {}",
                vectors.len(),
                vectors[0].len(),
                response.model
            );
            if let [a, b] = vectors[..] {
                println!("cosine similarity: {:.3}", cosine(a, b));
            }
            if let Some(usage) = &response.usage {
                println!("tokens {}, cost {:?}", usage.total_tokens, usage.cost);
            }
        }
        Err(e) => report("generate", &e),
    }

    let mut models = client
        .embeddings()
        .list_models(ListEmbeddingsModelsQuery::default())
        .items();
    let mut count = 0;
    while let Some(model) = models.next().await {
        match model {
            Ok(model) if count < 5 => println!("  {}", model.id),
            Ok(_) => {}
            Err(e) => {
                report("list_models", &e);
                break;
            }
        }
        count += 1;
    }
    println!("{count} embedding models");
    Ok(())
}

fn cosine(a: &[f64], b: &[f64]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let norm = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>().sqrt();
    dot / (norm(a) * norm(b))
}

fn report(what: &str, e: &Error) {
    match e.as_api() {
        Some(api) => eprintln!("{what} failed: {} {}", api.status(), api.message()),
        None => eprintln!("{what} failed: {e}"),
    }
}
