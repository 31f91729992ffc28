//! Workspaces: list them with `.items()`, then show the first one, its members and budgets.
//!
//! Read-only. Needs a **management key** in `OPENROUTER_API_KEY`.
//! Run with `cargo run --example workspaces --features full`.
//!
//! Without `OPENROUTER_API_KEY` it runs offline on the SDK's canned answers, and says so first
//! (`openrouter_examples::client`).

use futures_util::StreamExt;
use openrouter::types::workspaces::{
    ListWorkspaceMembersQuery, ListWorkspacesQuery, WorkspaceBudgetInterval,
};
use openrouter::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = openrouter_examples::client()?;
    let workspaces = client.workspaces();

    // Pages of 5 to show the paging; `.items()` hides it.
    let mut all = workspaces
        .list(ListWorkspacesQuery::default().limit(5))
        .items();
    let mut first = None;
    while let Some(workspace) = all.next().await {
        let workspace = workspace.inspect_err(|e| report("list", e))?;
        println!(
            "{} {:<30} slug {}",
            workspace.id, workspace.name, workspace.slug
        );
        first.get_or_insert(workspace.id);
    }
    let Some(id) = first else {
        println!("no workspaces");
        return Ok(());
    };

    match workspaces.get(&id).await {
        Ok(w) => println!(
            "{}: default model {:?}, created {}",
            w.data.name, w.data.default_text_model, w.data.created_at
        ),
        Err(e) => report("get", &e),
    }
    let members = ListWorkspaceMembersQuery::default().limit(10);
    match workspaces.list_members(&id, members).await {
        Ok(page) => {
            println!("{} members", page.total_count);
            for m in &page.data {
                println!("  {} ({})", m.user_id, m.role);
            }
        }
        Err(e) => report("list_members", &e),
    }
    match workspaces.list_budgets(&id).await {
        Ok(budgets) => {
            for b in &budgets.data {
                println!("budget ${} per {:?}", b.limit_usd, b.reset_interval);
            }
        }
        Err(e) => report("list_budgets", &e),
    }
    match workspaces
        .get_budget(&id, &WorkspaceBudgetInterval::Monthly)
        .await
    {
        Ok(b) => println!("monthly budget: ${}", b.data.limit_usd),
        Err(e) => report("get_budget (monthly)", &e),
    }
    Ok(())
}

fn report(what: &str, e: &Error) {
    match e.as_api() {
        Some(api) => eprintln!("{what} failed: {} {}", api.status(), api.message()),
        None => eprintln!("{what} failed: {e}"),
    }
}
