//! Benchmarks: scores from Artificial Analysis, Design Arena and OpenRouter's own evals, one
//! enum variant per source.
//!
//! Works with any API key in `OPENROUTER_API_KEY` (rate-limited to 30 requests a minute).
//! Run with `cargo run --example benchmarks --features full`.
//!
//! Without `OPENROUTER_API_KEY` it runs offline on the SDK's canned answers, and says so first
//! (`openrouter_examples::client`).

use openrouter::types::benchmarks::{
    GetBenchmarksQuery, GetBenchmarksSource, UnifiedBenchmarksResponseDataItem as Item,
};
use openrouter::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = openrouter_examples::client()?;

    let query = GetBenchmarksQuery::default()
        .source(GetBenchmarksSource::ArtificialAnalysis)
        .max_results(10);
    match client.benchmarks().get(query).await {
        Ok(response) => {
            let meta = &response.meta;
            println!(
                "{} models as of {} (source {:?})",
                meta.model_count, meta.as_of, meta.source_url
            );
            for item in &response.data {
                match item {
                    Item::ArtificialAnalysis(m) => println!(
                        "{:<40} intelligence {:?}, coding {:?}",
                        m.display_name, m.intelligence_index, m.coding_index
                    ),
                    Item::DesignArena(m) => println!("{:<40} elo {:.0}", m.display_name, m.elo),
                    Item::Or(m) => println!("{:<40} accuracy {:.3}", m.display_name, m.accuracy),
                    Item::Search(m) => {
                        println!("{:<40} score {:.3}", m.display_name, m.primary_score)
                    }
                    _ => {} // a source this SDK version does not know
                }
            }
        }
        Err(e) => match e.as_api() {
            Some(api) => eprintln!("get_benchmarks failed: {} {}", api.status(), api.message()),
            None => eprintln!("get_benchmarks failed: {e}"),
        },
    }
    Ok(())
}
