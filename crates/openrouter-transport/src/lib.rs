//! Pluggable HTTP transport for the OpenRouter SDK.
//!
//! This crate is a placeholder until the transport issue lands: it will hold the object-safe
//! `Transport` trait, the hyper-based default implementation and the test transports.
