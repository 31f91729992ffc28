//! Tests of the generated model: the spec's own examples, forward compatibility, the spec's shape.
//!
//! One test binary, so the large generated crate is linked once.

mod constructors;
mod forward_compat;
mod mutations;
mod real_responses;
mod setters;
mod shape;
mod spec_examples;

use std::path::PathBuf;
use std::sync::OnceLock;

/// The spec snapshot the committed model was generated from.
pub(crate) fn spec_path() -> PathBuf {
    match std::env::var_os("OPENROUTER_OPENAPI_SPEC") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/openapi/openrouter-2026-10-30.openapi.json"),
    }
}

pub(crate) fn spec() -> &'static serde_json::Value {
    static SPEC: OnceLock<serde_json::Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = spec_path();
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "cannot read the OpenAPI spec at {} ({e}); set OPENROUTER_OPENAPI_SPEC to its path",
                path.display()
            )
        });
        serde_json::from_str(&text).expect("the spec is JSON")
    })
}
