//! Vault: the secret metadata of the key's workspace and, with `OPENROUTER_INTERN_ID`, of one
//! intern (its secrets, the secrets it sees, its connections). Never secret values; read-only.
//!
//! Works with an API key in `OPENROUTER_API_KEY` that has access to the Intern API programme
//! (other keys get 404). Run with `cargo run --example vault --features full`.
//!
//! Without `OPENROUTER_API_KEY` it runs offline on the SDK's canned answers, and says so first
//! (`openrouter_examples::client`).

use openrouter::types::vault::{
    ListInternEffectiveVaultSecretsQuery, ListInternVaultSecretsQuery, ListVaultSecretsQuery,
};
use openrouter::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = openrouter_examples::client()?;
    let vault = client.vault();

    match vault
        .list_secrets(ListVaultSecretsQuery::default().limit(50))
        .await
    {
        Ok(page) => {
            for s in &page.data {
                println!(
                    "{:<30} hosts {:?}, fingerprint {:?}",
                    s.name, s.hosts, s.fingerprint
                );
            }
            println!(
                "{} workspace secrets{}",
                page.data.len(),
                if page.has_more { " (more)" } else { "" }
            );
        }
        Err(e) => report("list_vault_secrets", &e),
    }

    let Some(intern) =
        openrouter_examples::var_or_offline("OPENROUTER_INTERN_ID", "intern-offline")
    else {
        println!("Set OPENROUTER_INTERN_ID to list an intern's secrets and connections.");
        return Ok(());
    };
    match vault
        .list_intern_secrets(&intern, ListInternVaultSecretsQuery::default())
        .await
    {
        Ok(page) => page
            .data
            .iter()
            .for_each(|s| println!("intern secret {}", s.name)),
        Err(e) => report("list_intern_vault_secrets", &e),
    }
    let effective = ListInternEffectiveVaultSecretsQuery::default();
    match vault
        .list_intern_effective_secrets(&intern, effective)
        .await
    {
        Ok(page) => page
            .data
            .iter()
            .for_each(|s| println!("effective {} ({})", s.name, s.scope)),
        Err(e) => report("list_intern_effective_vault_secrets", &e),
    }
    match vault.list_intern_connections(&intern).await {
        Ok(c) => {
            let keys: Vec<_> = c.data.iter().map(|c| c.key.as_str()).collect();
            println!("connections: {}", keys.join(", "));
        }
        Err(e) => report("list_intern_connections", &e),
    }
    Ok(())
}

fn report(what: &str, e: &Error) {
    match e.as_api() {
        Some(api) => eprintln!("{what} failed: {} {}", api.status(), api.message()),
        None => eprintln!("{what} failed: {e}"),
    }
}
