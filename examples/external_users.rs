//! External users: the tracking ids your app registered for its own users, listed with
//! `.items()`, then one fetched. Read-only: nothing is registered, updated or deactivated.
//!
//! Needs a **management key** in `OPENROUTER_API_KEY`; `OPENROUTER_EXTERNAL_USER` names the user
//! to fetch (default: the first listed). Run with `cargo run --example external_users --features full`.
//!
//! Without `OPENROUTER_API_KEY` it runs offline on the SDK's canned answers, and says so first
//! (`openrouter_examples::client`).

use futures_util::StreamExt;
use openrouter::types::external_users::ListExternalUsersQuery;
use openrouter::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = openrouter_examples::client()?;

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
