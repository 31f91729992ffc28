//! Providers: every provider OpenRouter routes to, with its policies and headquarters.
//!
//! Works with any API key in `OPENROUTER_API_KEY`. Run with `cargo run --example providers --features full`.
//!
//! Without `OPENROUTER_API_KEY` it runs offline on the SDK's canned answers, and says so first
//! (`openrouter_examples::client`).

use openrouter::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = openrouter_examples::client()?;

    match client.providers().list().await {
        Ok(providers) => {
            println!("{} providers", providers.data.len());
            for p in providers.data.iter().take(15) {
                println!(
                    "  {:<25} {:<25} privacy policy: {}",
                    p.slug,
                    p.name,
                    p.privacy_policy_url.as_deref().unwrap_or("-")
                );
            }
        }
        Err(e) => match e.as_api() {
            Some(api) => eprintln!("list failed: {} {}", api.status(), api.message()),
            None => eprintln!("list failed: {e}"),
        },
    }
    Ok(())
}
