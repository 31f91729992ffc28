//! Guardrails: list them with `.items()`, show one, and list which keys and members each is
//! assigned to. Read-only: nothing is created, assigned or deleted.
//!
//! Needs a **management key** in `OPENROUTER_API_KEY`. Run with `cargo run --example guardrails --features full`.
//!
//! Without `OPENROUTER_API_KEY` it runs offline on the SDK's canned answers, and says so first
//! (`openrouter_examples::client`).

use futures_util::StreamExt;
use openrouter::types::guardrails::ListGuardrailsQuery;
use openrouter::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = openrouter_examples::client()?;
    let guardrails = client.guardrails();

    let mut all = guardrails
        .list(ListGuardrailsQuery::default().limit(20))
        .items();
    let mut first = None;
    while let Some(g) = all.next().await {
        let g = g.inspect_err(|e| report("list", e))?;
        println!(
            "{} {:<25} limit {:?} per {:?}, ZDR {:?}",
            g.id, g.name, g.limit_usd, g.reset_interval, g.enforce_zdr
        );
        first.get_or_insert(g.id);
    }

    // Every assignment of the account, across guardrails.
    // Queries with nothing to set can be written `Default::default()`.
    match guardrails
        .list_all_key_assignments(Default::default())
        .await
    {
        Ok(page) => println!("{} key assignments", page.total_count),
        Err(e) => report("list_key_assignments", &e),
    }
    match guardrails
        .list_all_member_assignments(Default::default())
        .await
    {
        Ok(page) => println!("{} member assignments", page.total_count),
        Err(e) => report("list_member_assignments", &e),
    }

    let Some(id) = first else {
        println!("no guardrails");
        return Ok(());
    };
    match guardrails.get(&id).await {
        Ok(g) => println!(
            "{}: allowed providers {:?}, models {:?}",
            g.data.name, g.data.allowed_providers, g.data.allowed_models
        ),
        Err(e) => report("get", &e),
    }
    let mut keys = guardrails
        .list_key_assignments(&id, Default::default())
        .items();
    while let Some(a) = keys.next().await {
        match a {
            Ok(a) => println!("  key {} ({})", a.key_name, a.key_label),
            Err(e) => report("list_guardrail_key_assignments", &e),
        }
    }
    match guardrails
        .list_member_assignments(&id, Default::default())
        .await
    {
        Ok(page) => page
            .data
            .iter()
            .for_each(|a| println!("  member {}", a.user_id)),
        Err(e) => report("list_guardrail_member_assignments", &e),
    }
    Ok(())
}

fn report(what: &str, e: &Error) {
    match e.as_api() {
        Some(api) => eprintln!("{what} failed: {} {}", api.status(), api.message()),
        None => eprintln!("{what} failed: {e}"),
    }
}
