//! Credits: the account's purchased and used credits, and the limit and usage of the key in use.
//!
//! The credits call needs a **management key** in `OPENROUTER_API_KEY`; the key metadata works
//! with any key. Run with `cargo run --example credits --features full`.
//!
//! Without `OPENROUTER_API_KEY` it runs offline on the SDK's canned answers, and says so first
//! (`openrouter_examples::client`).

use openrouter::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = openrouter_examples::client()?;

    // `GET /key` lives in the api_keys group: it describes the key that signs the request.
    match client.api_keys().get_current().await {
        Ok(key) => {
            let key = &key.data;
            println!(
                "key {:?}: management {}, free tier {}, limit {:?}, remaining {:?}, used {:.4} (today {:.4})",
                key.label,
                key.is_management_key,
                key.is_free_tier,
                key.limit,
                key.limit_remaining,
                key.usage,
                key.usage_daily
            );
        }
        Err(e) => report("get_current_key_metadata", &e),
    }

    match client.credits().get().await {
        Ok(credits) => {
            let c = &credits.data;
            println!(
                "credits: {:.2} used of {:.2} ({:.2} left)",
                c.total_usage,
                c.total_credits,
                c.total_credits - c.total_usage
            );
        }
        Err(e) => report("get_credits (needs a management key)", &e),
    }
    // `create_coinbase_charge` starts a payment: not something an example should do.
    Ok(())
}

fn report(what: &str, e: &Error) {
    match e.as_api() {
        Some(api) => eprintln!("{what} failed: {} {}", api.status(), api.message()),
        None => eprintln!("{what} failed: {e}"),
    }
}
