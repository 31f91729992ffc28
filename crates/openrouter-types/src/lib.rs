//! The OpenRouter API data model, generated from the official OpenAPI spec.
//!
//! This crate has no HTTP and no async runtime (`serde`, `serde_json` and one small helper
//! crate only): depend on it alone to read or write OpenRouter payloads. The `openrouter` crate
//! adds the client.
//!
//! # Layout
//! - One module per API group ([`chat`], [`responses`], [`messages`], [`embeddings`],
//!   [`models`], [`credits`], `api_keys`, [`generations`], and every other group of the API
//!   under the same names as the client's groups), each re-exporting every type its operations
//!   use, plus short names for the types used most.
//! - [`error`]: the error body every failing call returns, with typed metadata.
//! - [`operation`] and [`generated::operations`]: the operation table (method, path, body,
//!   response, pagination, errors, key kind) of every operation.
//! - [`generated`]: everything, flat, under the spec's names. Written by `cargo xtask codegen`;
//!   never edited by hand.
//!
//! # Forward compatibility
//! - String enums are open: a value the spec does not list decodes to `Unknown(String)` and
//!   encodes back unchanged.
//! - Unions (`oneOf`/`anyOf`) dispatch on their tag; a tag this version does not know decodes to
//!   `Unknown(serde_json::Value)`.
//! - Every struct keeps the fields it does not know in `extra` and writes them back.
//! - Optional fields that are unset are not written: no default is ever injected.
//!
//! # Examples
//!
//! ```
//! use openrouter_types::chat::{ChatRequest, Message, Tool};
//!
//! let mut request = ChatRequest::new(
//!     "openai/gpt-4o-mini",
//!     vec![Message::system("You are terse."), Message::user("What is 2 + 2?")],
//! );
//! request.temperature = Some(0.2);
//! request.tools = Some(vec![Tool::function(
//!     "add",
//!     "Adds two numbers",
//!     serde_json::json!({"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "number"}}}),
//! )]);
//! let json = serde_json::to_value(&request).unwrap();
//! assert_eq!(json["messages"][1], serde_json::json!({"role": "user", "content": "What is 2 + 2?"}));
//! assert!(json.get("stream").is_none(), "nothing is written that was not set");
//! ```

#![cfg_attr(docsrs, feature(doc_cfg))]
// With some API groups left out, parts of the decoding runtime and of the hand-written helpers
// have no user; the build with every group (`full`, which CI lints) still reports dead code.
#![cfg_attr(
    not(feature = "full"),
    allow(dead_code, unused_imports, unused_macros, unreachable_pub)
)]

mod rt;

pub mod error;
pub mod generated;
pub mod operation;

#[cfg(feature = "chat")]
mod access;
mod constructors;
mod model_id;
mod structured;

pub use error::ParseError;
pub use model_id::{ModelId, ModelIdError, ModelVariant};
pub use rt::{Binary, ErrorCode, FieldIssue, FieldIssues, MissingFields};
#[cfg(feature = "schemars")]
pub use structured::strict_schema;

pub use rt::{from_slice, from_slice_with_path, from_str, from_value};

// Every API group under its client name; the modules below add short names to the busiest ones.
// Each lists its types as re-exports that link to the type's one page, under `generated` (a
// page per group that uses a type doubled the docs: 205 MB for the default features, now 88).
// The hand-written modules below glob the same lists and link to them.
#[doc(inline)]
pub use generated::groups::*;

/// Chat completions (`POST /chat/completions`), OpenAI-compatible.
///
/// Every type of the group: [`generated::groups::chat`].
#[cfg(feature = "chat")]
pub mod chat {
    #[doc(no_inline)]
    pub use crate::generated::groups::chat::*;
    pub use crate::generated::{ChatMessages, ChatStreamChunk};

    /// A chat completion request.
    pub type Request = crate::generated::ChatRequest;
    /// A (non-streamed) chat completion.
    pub type Response = crate::generated::ChatResult;
    /// One chunk of a streamed chat completion.
    pub type StreamChunk = crate::generated::ChatStreamChunk;
    /// A message of the conversation (system, user, developer, assistant or tool).
    pub type Message = crate::generated::ChatMessages;
    /// A tool the model may call (a function, or one of OpenRouter's server tools).
    pub type Tool = crate::generated::ChatFunctionTool;
    /// Token counts and cost of a completion.
    pub type Usage = crate::generated::ChatUsage;
    /// The `response_format` of a request: text, JSON, or a JSON schema
    /// ([`ResponseFormat::json_schema`](crate::generated::ChatRequestResponseFormat::json_schema)).
    pub type ResponseFormat = crate::generated::ChatRequestResponseFormat;
    /// One part of a message's content: text, an image, a file, input audio
    /// (`ContentPart::image_url(..)`, `::image_bytes`, `::file_bytes`, `::input_audio`).
    pub type ContentPart = crate::generated::ChatContentItems;
}

/// The Responses API (`POST /responses`), OpenAI-compatible.
///
/// Every type of the group: [`generated::groups::responses`].
#[cfg(feature = "responses")]
pub mod responses {
    #[doc(no_inline)]
    pub use crate::generated::groups::responses::*;

    /// A Responses request.
    pub type Request = crate::generated::ResponsesRequest;
    /// A (non-streamed) response.
    pub type Response = crate::generated::OpenResponsesResult;
    /// One event of a streamed response.
    pub type StreamEvent = crate::generated::StreamEvents;
    /// The `input` of a request: a string or a list of items.
    pub type Input = crate::generated::Inputs;
    /// One item of an `input` list.
    pub type InputItem = crate::generated::InputsObjectListItem;
    /// The `text.format` of a request: text, JSON, or a JSON schema
    /// ([`Format::json_schema`](crate::generated::Formats::json_schema)).
    pub type Format = crate::generated::Formats;
}

/// Anthropic-compatible Messages (`POST /messages`): short names for the busiest types of
/// [`anthropic_messages`], which lists them all.
///
/// Every type of the group: [`generated::groups::anthropic_messages`].
#[cfg(feature = "anthropic_messages")]
pub mod messages {
    // Not inlined: the pages would copy `anthropic_messages`'s, type for type (some 30 MB).
    #[doc(no_inline)]
    pub use crate::anthropic_messages::*;

    /// A Messages request.
    pub type Request = crate::generated::MessagesRequest;
    /// A (non-streamed) Messages result.
    pub type Response = crate::generated::MessagesResult;
    /// One event of a streamed Messages result (`message_start`, `content_block_delta`, ...).
    pub type StreamEvent = crate::generated::MessagesStreamEvents;
    /// A message of the conversation.
    pub type Message = crate::generated::MessagesMessageParam;
    /// The Anthropic-shaped error body of `/messages`.
    pub type ErrorResponse = crate::generated::AnthropicMessagesErrorResponse;
}

/// Embeddings (`POST /embeddings`).
///
/// Every type of the group: [`generated::groups::embeddings`].
#[cfg(feature = "embeddings")]
pub mod embeddings {
    #[doc(no_inline)]
    pub use crate::generated::groups::embeddings::*;

    /// An embeddings request.
    pub type Request = crate::generated::CreateEmbeddingsRequest;
    /// An embeddings response.
    pub type Response = crate::generated::CreateEmbeddingsResponse;
}

/// The model catalogue (`GET /models` and friends).
///
/// Every type of the group: [`generated::groups::models`].
#[cfg(feature = "models")]
pub mod models {
    #[doc(no_inline)]
    pub use crate::generated::groups::models::*;

    /// One model of the catalogue.
    pub type Model = crate::generated::Model;
    /// A page of the model list.
    pub type ListResponse = crate::generated::ModelsListResponse;
}

/// Credits (`GET /credits`).
///
/// Every type of the group: [`generated::groups::credits`].
#[cfg(feature = "credits")]
pub mod credits {
    #[doc(no_inline)]
    pub use crate::generated::groups::credits::*;

    /// The credits response: total purchased and used.
    pub type Response = crate::generated::GetCreditsResponse;
    /// The credit figures inside [`Response`].
    pub type Credits = crate::generated::GetCreditsResponseData;
}

/// API key management (`/keys`); needs a management key.
///
/// Every type of the group: [`generated::groups::api_keys`].
#[cfg(feature = "api_keys")]
pub mod api_keys {
    #[doc(no_inline)]
    pub use crate::generated::groups::api_keys::*;

    /// A request to create a key.
    pub type CreateRequest = crate::generated::CreateKeysRequest;
    /// A request to update a key; fields can be left alone, cleared (`Some(None)`) or set.
    pub type UpdateRequest = crate::generated::UpdateKeysRequest;
}

/// Generation stats (`GET /generation`).
///
/// Every type of the group: [`generated::groups::generations`].
#[cfg(feature = "generations")]
pub mod generations {
    #[doc(no_inline)]
    pub use crate::generated::groups::generations::*;

    /// Stats and cost of one generation.
    pub type Response = crate::generated::GenerationResponse;
}
