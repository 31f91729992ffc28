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
//!
//! The data model is [`openrouter_types`], re-exported as [`types`]; the transport is
//! [`openrouter_transport`], re-exported as [`transport`].
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

pub use openrouter_transport as transport;
pub use openrouter_types as types;

pub mod api;
mod body;
mod call;
mod client;
pub mod config;
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
pub use response::{RateLimit, Response, ResponseMeta, ResponseStream};
pub use retry::RETRY_STATUSES;

/// The README's examples, compiled (and the offline one run) as doc tests so the README stays
/// true.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeExamples;
