//! External users: the tracking ids your app registered for its own users, listed with
//! `.items()`, then one fetched. Read-only: nothing is registered, updated or deactivated.
//!
//! Needs a **management key** in `OPENROUTER_API_KEY`; `OPENROUTER_EXTERNAL_USER` names the user
//! to fetch (default: the first listed). Run with `cargo run --example external_users`.

use futures_util::StreamExt;
use openrouter::types::generated::ListExternalUsersQuery;
use openrouter::{Client, Error};

#[tokio::main]
async fn main() -> Result<(), Error> {
    if std::env::var("OPENROUTER_API_KEY").map_or(true, |k| k.trim().is_empty()) {
        println!("Set OPENROUTER_API_KEY (a management key) to run this example against the OpenRouter API.");
        return Ok(());
    }
    let client = Client::from_env()?;

    let query = ListExternalUsersQuery::default()
        .limit(20)
        .include_inactive(true);
    let mut users = client.external_users().list(query).items().take(50);
    let mut first = None;
    while let Some(user) = users.next().await {
        let user = user.inspect_err(|e| report("list", e))?;
        println!(
            "{:<30} active {}, since {}",
            user.user, user.is_active, user.created_at
        );
        first.get_or_insert(user.user);
    }
    let Some(name) = std::env::var("OPENROUTER_EXTERNAL_USER").ok().or(first) else {
        println!("no external users registered");
        return Ok(());
    };

    // The id goes into the path as given; the client percent-encodes it.
    match client.external_users().get(&name).await {
        Ok(user) => println!(
            "{}: active {}, updated {}",
            user.data.user, user.data.is_active, user.data.updated_at
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
