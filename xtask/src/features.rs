//! The Cargo features of the API groups, written into the two library crates' manifests: one
//! feature per group (the types crate's gates its types, the client's also its methods), the
//! default set `inference` and `full`.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::emit::INFERENCE;
use crate::model::Model;

fn groups(model: &Model) -> BTreeSet<&str> {
    model.operations.iter().map(|o| o.group.as_str()).collect()
}

fn list(names: impl IntoIterator<Item = String>) -> String {
    let names: Vec<String> = names.into_iter().map(|n| format!("\"{n}\"")).collect();
    format!("[{}]", names.join(", "))
}

/// The shared head: `inference` and `full`.
fn head(model: &Model) -> String {
    let groups = groups(model);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# What most applications call (in the default features): inference and what it needs.\n\
         inference = {}",
        list(INFERENCE.iter().map(|g| g.to_string()))
    );
    let _ = writeln!(
        s,
        "# Every API group.\nfull = {}",
        list(groups.iter().map(|g| g.to_string()))
    );
    s.push_str("# One feature per API group, named like its module and client accessor.\n");
    s
}

/// The region of `crates/openrouter-types/Cargo.toml`.
pub fn types_features(model: &Model) -> String {
    let mut s = head(model);
    for group in groups(model) {
        let _ = writeln!(s, "{group} = []");
    }
    s
}

/// The region of `crates/openrouter/Cargo.toml`: each group switches on the types crate's.
pub fn client_features(model: &Model) -> String {
    let mut s = head(model).replacen("\nfull = [", "\nfull = [\"openrouter-types/full\", ", 1);
    for group in groups(model) {
        let _ = writeln!(s, "{group} = [\"openrouter-types/{group}\"]");
    }
    s
}
