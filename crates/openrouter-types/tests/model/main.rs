//! Tests of the generated model: the spec's own examples, forward compatibility, the spec's shape.
//!
//! One test binary, so the large generated crate is linked once.

/// The spec, or returns from the calling test, which is then reported as skipped (see
/// [`spec`]).
macro_rules! spec_or_skip {
    () => {
        match crate::spec() {
            Some(spec) => spec,
            None => return,
        }
    };
}

mod constructors;
mod decoding;
mod forward_compat;
mod mutations;
mod real_responses;
mod setters;
mod shape;
mod spec_examples;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Where the spec snapshot the committed model was generated from is looked for:
/// `OPENROUTER_OPENAPI_SPEC` alone when it is set, else the shared snapshot beside the
/// repository, then `target/openapi.json` (what `cargo xtask fetch-spec` writes).
pub(crate) fn spec_candidates() -> Vec<PathBuf> {
    if let Some(p) = std::env::var_os("OPENROUTER_OPENAPI_SPEC") {
        return vec![PathBuf::from(p)];
    }
    // The workspace root, two levels up, and the directory beside it.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .unwrap();
    let beside = root.parent().unwrap_or(root);
    vec![
        beside.join("shared/openapi/openrouter-2026-10-30.openapi.json"),
        root.join("target/openapi.json"),
    ]
}

/// The spec, or `None` when it is not there: the test that asked returns at once (through
/// `spec_or_skip!`), after a `skipped: ...` line on stderr that the test harness does not
/// capture, so a clone without the spec shows what it did not test. With
/// `OPENROUTER_REQUIRE_SPEC` set (to anything but `0`; CI sets it), a missing spec fails
/// the test instead. (Not `#[ignore]`, as the contract test is without Prism: whether the spec
/// is there is only known at run time, and an ignored test would not run where it is.)
pub(crate) fn spec() -> Option<&'static serde_json::Value> {
    static SPEC: OnceLock<Result<serde_json::Value, String>> = OnceLock::new();
    let spec = SPEC.get_or_init(|| {
        let candidates = spec_candidates();
        let Some(path) = candidates.iter().find(|p| p.is_file()) else {
            let looked: Vec<String> = candidates.iter().map(|p| p.display().to_string()).collect();
            return Err(format!(
                "the OpenAPI spec is not at {}; set OPENROUTER_OPENAPI_SPEC or run \
                 `cargo xtask fetch-spec`",
                looked.join(" or ")
            ));
        };
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("cannot read the OpenAPI spec at {} ({e})", path.display()));
        Ok(serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("the spec at {} is not JSON: {e}", path.display())))
    });
    match spec {
        Ok(spec) => Some(spec),
        Err(missing) => {
            let test = std::thread::current()
                .name()
                .unwrap_or("a test that reads the spec")
                .to_owned();
            let required = std::env::var_os("OPENROUTER_REQUIRE_SPEC")
                .is_some_and(|v| !v.is_empty() && v != "0");
            assert!(!required, "OPENROUTER_REQUIRE_SPEC is set and {missing}");
            let _ = writeln!(std::io::stderr(), "skipped: {test}: {missing}");
            None
        }
    }
}
