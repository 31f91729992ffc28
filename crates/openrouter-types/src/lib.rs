//! The OpenRouter API data model, generated from the official OpenAPI spec.
//!
//! This crate has no HTTP and no async runtime: `serde` and `serde_json` only. Depend on it alone
//! to read or write OpenRouter payloads; the `openrouter` crate adds the client.

#![cfg_attr(docsrs, feature(doc_cfg))]

mod rt;

pub mod generated;
pub mod operation;

pub use rt::Binary;
