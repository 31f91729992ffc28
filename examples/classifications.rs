//! Task classifications: what OpenRouter traffic is used for, by category, with the share of
//! tokens and requests of each.
//!
//! Works with any API key in `OPENROUTER_API_KEY`. Run with `cargo run --example classifications --features full`.
//!
//! Without `OPENROUTER_API_KEY` it runs offline on the SDK's canned answers, and says so first
//! (`openrouter_examples::client`).

use openrouter::types::classifications::GetTaskClassificationsQuery;
use openrouter::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = openrouter_examples::client()?;

    let query = GetTaskClassificationsQuery::default();
    match client.classifications().get_task(query).await {
        Ok(response) => {
            let data = &response.data;
            println!("last {} days, as of {}", data.window_days, data.as_of);
            for category in &data.macro_categories {
                println!(
                    "{:<30} {:5.1}% of tokens",
                    category.label,
                    category.token_share * 100.0
                );
            }
            for task in data.classifications.iter().take(10) {
                println!(
                    "  {:<28} {:5.1}% of tokens, {} models",
                    task.display_name,
                    task.token_share * 100.0,
                    task.models.len()
                );
            }
        }
        Err(e) => match e.as_api() {
            Some(api) => eprintln!(
                "get_task_classifications failed: {} {}",
                api.status(),
                api.message()
            ),
            None => eprintln!("get_task_classifications failed: {e}"),
        },
    }
    Ok(())
}
