//! Runnable examples of the OpenRouter SDK for Rust: `cargo run --example quickstart`, and one
//! example per API group (`cargo run --example models`, ...). Every example calls the real API
//! when `OPENROUTER_API_KEY` is set and runs offline otherwise, against the SDK's built-in
//! [`OfflineTransport`], printing first which of the two it uses.
//!
//! This library holds that one shared choice ([`client`], [`client_with_key`]); the examples
//! are the package's `[[example]]` targets.

use openrouter::offline::OfflineTransport;
use openrouter::{Client, ClientBuilder, Error};

/// The value of an environment variable, unless it is unset or blank.
pub fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The client an example runs with: the OpenRouter API when `OPENROUTER_API_KEY` is set (with
/// `OPENROUTER_BASE_URL` and the attribution variables, as [`Client::from_env`] reads them),
/// else the offline transport. Prints one line saying which.
pub fn client() -> Result<Client, Error> {
    client_with_key(var("OPENROUTER_API_KEY"), "OPENROUTER_API_KEY")
}

/// Like [`client`], with the key given (`None`: offline); `source` names where it came from.
pub fn client_with_key(key: Option<String>, source: &str) -> Result<Client, Error> {
    configured_client(key, source, |b| b)
}

/// Like [`client`], with more settings of the builder (`configure`).
pub fn client_with(
    configure: impl FnOnce(ClientBuilder) -> ClientBuilder,
) -> Result<Client, Error> {
    configured_client(var("OPENROUTER_API_KEY"), "OPENROUTER_API_KEY", configure)
}

fn configured_client(
    key: Option<String>,
    source: &str,
    configure: impl FnOnce(ClientBuilder) -> ClientBuilder,
) -> Result<Client, Error> {
    match key {
        Some(key) => {
            println!("Using the OpenRouter API ({source} is set).");
            // `from_env` keeps OPENROUTER_BASE_URL and the attribution variables.
            let builder = ClientBuilder::from_env().unwrap_or_else(|_| Client::builder());
            configure(builder.api_key(key)).build()
        }
        None => {
            println!(
                "Offline mode: {source} is not set, so answers come from the SDK's built-in \
                 offline transport (canned answers, no network)."
            );
            configure(Client::builder().transport(OfflineTransport::new())).build()
        }
    }
}

/// A client on the offline transport, with no key and no network.
pub fn offline_client() -> Result<Client, Error> {
    Client::builder().transport(OfflineTransport::new()).build()
}

/// Whether the examples run offline (no `OPENROUTER_API_KEY`).
pub fn is_offline() -> bool {
    var("OPENROUTER_API_KEY").is_none()
}

/// The value of `name`; offline, when it is unset, `placeholder` (any value does for the canned
/// answers), so that the example's optional steps run too.
pub fn var_or_offline(name: &str, placeholder: &str) -> Option<String> {
    var(name).or_else(|| is_offline().then(|| placeholder.to_owned()))
}

/// Where an example writes a file: `name` in the current directory, or in the system's
/// temporary directory offline (the canned bytes are not worth keeping).
pub fn output_path(name: &str) -> std::path::PathBuf {
    if is_offline() {
        std::env::temp_dir().join(name)
    } else {
        name.into()
    }
}
