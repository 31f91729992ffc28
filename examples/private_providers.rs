//! Private providers: the providers you registered for your private endpoints, listed, then one
//! fetched by slug. Read-only.
//!
//! Needs a **management key** in `OPENROUTER_API_KEY`. Run with `cargo run --example private_providers --features full`.
//!
//! Without `OPENROUTER_API_KEY` it runs offline on the SDK's canned answers, and says so first
//! (`openrouter_examples::client`).

use openrouter::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = openrouter_examples::client()?;

    let providers = client.private_providers().list().await;
    let providers = providers.inspect_err(|e| report("list", e))?;
    for p in &providers.data {
        println!("{:<25} {:<30} {:?}", p.slug, p.display_name, p.base_url);
    }
    let Some(slug) = providers.data.first().map(|p| p.slug.clone()) else {
        println!("no private providers");
        return Ok(());
    };

    match client.private_providers().get(&slug).await {
        Ok(p) => println!(
            "{}: created {}, data policy {:?}",
            p.data.name, p.data.created_at, p.data.data_policy
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
