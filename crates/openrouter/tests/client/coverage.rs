//! Every operation of the spec has a client method: `client.<group>().<method>(...)`.
//!
//! The generated source is read as text: for each operation of the table, its group's `impl`
//! block must hold a method of the operation's name documented with the operation's route, and
//! `Client` an accessor for the group. (That the methods compile and call the right route is
//! checked by the tests that call them, and by the contract tests.)

use openrouter::types::generated::operations::OPERATIONS;

const GENERATED: &str = include_str!("../../src/api/generated.rs");

fn pascal(group: &str) -> String {
    group
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The text of `impl <Group><'_> { ... }`.
fn impl_block(group: &str) -> Option<&'static str> {
    let start = GENERATED.find(&format!("\nimpl {}<'_> {{\n", pascal(group)))?;
    let end = GENERATED[start + 1..]
        .find("\n}\n")
        .map(|e| start + 1 + e)?;
    Some(&GENERATED[start..end])
}

#[test]
fn every_operation_has_a_client_method() {
    let mut missing = Vec::new();
    for op in OPERATIONS {
        let accessor = format!("pub fn {}(&self) -> {}<'_>", op.group, pascal(op.group));
        let route = format!("/// `{} {}`\n", op.http_method, op.path);
        let ok = GENERATED.contains(&accessor)
            && impl_block(op.group).is_some_and(|block| {
                block
                    .split("    pub fn ")
                    .skip(1)
                    .any(|method| method.starts_with(&format!("{}(", op.method_name)))
                    && block.split("    pub fn ").any(|chunk| {
                        chunk.contains(&route) && {
                            // The method right after this doc comment is the operation's.
                            let after = &block[block.find(&route).unwrap()..];
                            after.split_once("    pub fn ").is_some_and(|(_, rest)| {
                                rest.starts_with(&format!("{}(", op.method_name))
                            })
                        }
                    })
            });
        if !ok {
            missing.push(format!("{} ({} {})", op.id, op.http_method, op.path));
        }
    }
    assert!(
        missing.is_empty(),
        "{} of {} operations have no client method:\n  {}",
        missing.len(),
        OPERATIONS.len(),
        missing.join("\n  ")
    );
}
