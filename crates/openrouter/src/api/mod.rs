//! The API groups: one accessor on [`Client`](crate::Client) per group, one method per
//! operation, each built from the generated operation table
//! ([`openrouter_types::generated::operations`]).

pub mod anthropic_messages;
pub mod chat;
pub mod credits;
pub mod responses;
