//! The API groups: one accessor on [`Client`](crate::Client) per group, one method per
//! operation, all generated from the spec's operation table
//! ([`openrouter_types::generated::operations`]) by `cargo xtask codegen`.

mod generated;

pub use generated::*;
