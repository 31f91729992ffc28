//! Vault: `client.vault()`.
//!
//! Hand-written until the generated methods replace it.

use openrouter_types::generated::operations;

use crate::call::Call;
use crate::Client;

/// The Vault group: workspace secrets.
#[derive(Clone, Copy, Debug)]
pub struct Vault<'c> {
    client: &'c Client,
}

impl Client {
    /// Vault endpoints.
    pub fn vault(&self) -> Vault<'_> {
        Vault { client: self }
    }
}

impl Vault<'_> {
    /// `DELETE /vault/secrets/{name}`: deletes a workspace secret; the answer has no body.
    pub fn delete_vault_secret(&self, name: &str) -> Call<()> {
        Call::new(self.client, &operations::DELETE_VAULT_SECRET, &[name])
    }
}
