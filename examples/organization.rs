//! Organization: its settings and its members (listed with `.items()`). Read-only:
//! `update_settings` is not called.
//!
//! Needs a **management key** of an organization in `OPENROUTER_API_KEY`.
//! Run with `cargo run --example organization --features full`.
//!
//! Without `OPENROUTER_API_KEY` it runs offline on the SDK's canned answers, and says so first
//! (`openrouter_examples::client`).

use futures_util::StreamExt;
use openrouter::types::organization::ListOrganizationMembersQuery;
use openrouter::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = openrouter_examples::client()?;
    let organization = client.organization();

    match organization.get_settings().await {
        Ok(settings) => println!(
            "organization {}: filtered model catalog {}",
            settings.data.id, settings.data.is_filtered_model_catalog_enabled
        ),
        // A personal account (no organization) answers with an error here.
        Err(e) => report("get_settings", &e),
    }

    let query = ListOrganizationMembersQuery::default().limit(50);
    let mut members = organization.list_members(query).items();
    let mut count = 0;
    while let Some(member) = members.next().await {
        match member {
            Ok(m) => {
                let name = [m.first_name.as_deref(), m.last_name.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ");
                println!("{:<35} {:<25} {}", m.email, name, m.role);
                count += 1;
            }
            Err(e) => {
                report("list_members", &e);
                break;
            }
        }
    }
    println!("{count} members");
    Ok(())
}

fn report(what: &str, e: &Error) {
    match e.as_api() {
        Some(api) => eprintln!("{what} failed: {} {}", api.status(), api.message()),
        None => eprintln!("{what} failed: {e}"),
    }
}
