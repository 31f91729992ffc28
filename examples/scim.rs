//! SCIM: the directory groups synced from your identity provider and how they map to
//! workspaces, and the status of a sync job. Read-only: no mapping or sync job is created.
//!
//! Needs a **management key** of an organization with SCIM in `OPENROUTER_API_KEY`;
//! `OPENROUTER_SCIM_SYNC_JOB_ID` names a sync job to check. Run with `cargo run --example scim --features full`.
//!
//! Without `OPENROUTER_API_KEY` it runs offline on the SDK's canned answers, and says so first
//! (`openrouter_examples::client`).

use futures_util::StreamExt;
use openrouter::types::scim::{ListScimGroupMappingsQuery, ListScimGroupsQuery};
use openrouter::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = openrouter_examples::client()?;
    let scim = client.scim();

    let mut groups = scim
        .list_groups(ListScimGroupsQuery::default().limit(50))
        .items();
    while let Some(group) = groups.next().await {
        match group {
            Ok(g) => println!(
                "group {} {:<30} external id {:?}",
                g.id, g.display_name, g.external_id
            ),
            Err(e) => {
                report("list_groups", &e);
                break;
            }
        }
    }

    let mappings = scim
        .list_group_mappings(ListScimGroupMappingsQuery::default().limit(50))
        .await;
    let first = match mappings {
        Ok(page) => {
            println!("{} group mappings", page.total_count);
            page.into_inner().data.into_iter().next()
        }
        Err(e) => {
            report("list_mappings", &e);
            None
        }
    };
    if let Some(mapping) = first {
        match scim.get_group_mapping(&mapping.id).await {
            Ok(m) => println!(
                "group {} -> workspace {} as {}",
                m.data.scim_group_id, m.data.workspace_id, m.data.role
            ),
            Err(e) => report("read", &e),
        }
    }

    match openrouter_examples::var_or_offline("OPENROUTER_SCIM_SYNC_JOB_ID", "sync-offline") {
        Some(id) => match scim.get_sync_job(&id).await {
            Ok(job) => println!(
                "sync job {}: {}, {:?} groups synced, error {:?}",
                job.data.id, job.data.status, job.data.synced_groups, job.data.error_message
            ),
            Err(e) => report("get_sync_job", &e),
        },
        None => println!("Set OPENROUTER_SCIM_SYNC_JOB_ID to check a sync job."),
    }
    Ok(())
}

fn report(what: &str, e: &Error) {
    match e.as_api() {
        Some(api) => eprintln!("{what} failed: {} {}", api.status(), api.message()),
        None => eprintln!("{what} failed: {e}"),
    }
}
