//! Client for the OpenRouter API.
//!
//! - [`Client`]: cheap to clone, built once ([`Client::from_env`] or [`Client::builder`]).
//! - One accessor per API group (`client.chat()`, `client.credits()`), one method per
//!   operation, returning a [`Call`] that takes per-call options and ends in `.await`
//!   (or `.stream().await`).
//! - Per-call [`TimeoutConfig`] and [`RetryConfig`] over client defaults over
//!   [`defaults`], field by field.
//! - [`Error`]: what a caller acts on, with the parsed API error, the status, the request and
//!   generation ids, and whether retrying may help. The API key never appears in any output.
//! - [`sse`]: the stream decoder and the chat accumulator.
//! - [`tools`]: a tool-calling loop with local tools defined from Rust functions.
//! - [`cookbook`]: recipes for whole tasks (tool calling, structured output, streaming,
//!   multimodal input, routing, reasoning, prompt caching, errors and retries, testing).
//!
//! # Finding things
//!
//! - The types of an API group are listed under [`types`], one module per group named like
//!   the client's accessor: `client.chat()` takes and returns the types of [`types::chat`],
//!   `client.embeddings()` those of [`types::embeddings`]. The busiest have short names too
//!   (`types::chat::Message`, `types::chat::Request`).
//! - Each group's methods are on its accessor's type in [`api`] ([`api::Chat`] for
//!   `client.chat()`); the README has the table of every group and method.
//!
//! The data model is [`openrouter_types`], re-exported as [`types`] with a list of types per
//! API group; the transport is [`openrouter_transport`], re-exported as [`transport`].
//!
//! # Examples
//!
//! ```no_run
//! use openrouter::types::chat::{ChatRequest, Message};
//!
//! # async fn run() -> Result<(), openrouter::Error> {
//! let client = openrouter::Client::from_env()?;
//! let request = ChatRequest::new("openai/gpt-4o-mini", vec![Message::user("Hello!")]);
//! let response = client.chat().create(request).await?;
//! println!("{:?}", response.choices[0].message.content);
//! println!("generation id: {:?}", response.meta().generation_id());
//! # Ok(()) }
//! ```

#![cfg_attr(docsrs, feature(doc_cfg))]
// With some API groups left out, parts of the client (uploads, forms, pagination helpers) have
// no user; the build with every group (`full`, which CI lints) still reports dead code.
#![cfg_attr(
    not(feature = "full"),
    allow(dead_code, unused_imports, unused_macros, unreachable_pub)
)]

/// The data model: [`openrouter_types`], under `openrouter::types`.
///
/// One module per API group, named like the client's accessor (`types::chat` for
/// `client.chat()`, `types::embeddings`, ...), lists every type the group's operations take or
/// return; everything else of [`openrouter_types`] is here under the same path as there: the
/// short names of the busiest types (`types::chat::Message`, `types::chat::Request`),
/// `types::messages` (short names for `anthropic_messages`), [`types::error`],
/// [`types::from_slice`] and the other lenient decoders, and `types::generated` (every type,
/// flat, under the spec's names).
///
/// The lists link to the type pages of [`openrouter_types`] rather than copying them here:
/// a type is used by several groups, and a copy per group would add some 260 MB to these docs.
#[doc(inline)]
pub use api::types;
pub use openrouter_transport as transport;

pub mod api;
mod body;
mod call;
mod client;
pub mod config;
pub mod cookbook;
mod decode;
pub mod defaults;
mod download;
mod error;
mod execute;
#[doc(hidden)]
pub mod fuzzing;
pub mod headers;
mod multipart;
pub mod offline;
pub mod pagination;
mod prepared;
mod response;
mod retry;
pub mod sse;
// Names generated result types (see `cargo xtask drift`).
#[cfg(not(openrouter_drift))]
mod structured;
// Without the feature `tracing` only the empty `SpanSlot` plumbing is used.
#[cfg_attr(not(feature = "tracing"), allow(dead_code))]
mod telemetry;
// Names generated chat types and the chat accumulator (see `cargo xtask drift`). A feature of
// its own: it decodes chat results and chunks inside this crate, which doubled the crate's
// compiled code (BENCHMARKS.md, "Build cost").
#[cfg(all(not(openrouter_drift), feature = "tool-loop"))]
pub mod tools;

pub use call::{Call, NoStream, Upload};
pub use client::{ApiKey, Client, ClientBuilder, KeyProvider};
pub use config::{RetryConfig, Setting, TimeoutConfig};
pub use download::Download;
pub use error::{
    ApiError, ConfigError, DecodeError, Error, IoError, StreamFailure, TimeoutError, TimeoutKind,
    TooLargeError, TransportFailure,
};
pub use multipart::FilePart;
pub use pagination::{Items, Page, Pages};
pub use response::{CacheStatus, RateLimit, Response, ResponseMeta, ResponseStream};
pub use retry::RETRY_STATUSES;
#[cfg(not(openrouter_drift))]
pub use structured::{Parsed, Structured, StructuredAnswer};

/// The README's examples, compiled (and the offline one run) as doc tests so the README stays
/// true.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeExamples;
