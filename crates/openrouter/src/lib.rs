//! Client for the OpenRouter API.
//!
//! The client is being built; today this crate re-exports the data model from
//! [`openrouter_types`] so that dependents can start from one name.

pub use openrouter_types as types;

pub mod sse;
