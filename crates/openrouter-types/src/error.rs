//! The error bodies of the API, as one type.
//!
//! The spec declares fifteen per-status error schemas (`BadRequestResponse`,
//! `TooManyRequestsResponse`, ...) that all have the same shape:
//! `{"error": {"code", "message", "metadata"}, "openrouter_metadata", "user_id"}`. They are
//! generated too (see [`generated`](crate::generated)), but code that handles errors wants one
//! type: [`ErrorResponse`]. The same `error` object arrives inside a stream chunk when a
//! generation fails after it started, with a `code` that may be a string.
//!
//! Where OpenRouter documents the `metadata` of an error, it can be read typed:
//! [`ErrorBody::moderation`] for a moderation flag (403) and [`ErrorBody::provider`] for an
//! upstream provider's error.
//!
//! The Anthropic-shaped error of `POST /messages` is
//! [`AnthropicMessagesErrorResponse`](crate::generated::AnthropicMessagesErrorResponse).
//!
//! # Examples
//!
//! ```
//! use openrouter_types::error::ErrorResponse;
//!
//! let body = r#"{"error":{"code":403,"message":"Input flagged","metadata":{
//!     "reasons":["violence"],"flagged_input":"...","provider_name":"OpenAI","model_slug":"openai/gpt-4o"}}}"#;
//! let err: ErrorResponse = serde_json::from_str(body).unwrap();
//! assert_eq!(err.error.code.as_status(), Some(403));
//! let moderation = err.error.moderation().unwrap();
//! assert_eq!(moderation.reasons, ["violence"]);
//! ```

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use crate::rt::ErrorCode;

/// An error response body: what every declared error status of the API carries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ErrorResponse {
    /// The error itself.
    pub error: ErrorBody,
    /// OpenRouter's request metadata, when it sends it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub openrouter_metadata: Option<Map<String, Value>>,
    /// The user the request was made for, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Fields this version of the SDK does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The `error` object: a code, a message and optional metadata.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ErrorBody {
    /// The code: usually the HTTP status, sometimes a string such as `server_error`.
    #[serde(default)]
    pub code: ErrorCode,
    /// A human-readable message.
    #[serde(default)]
    pub message: String,
    /// Details that depend on the kind of error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Map<String, Value>>,
    /// Fields this version of the SDK does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ErrorBody {
    /// Creates an error body from a code and a message.
    pub fn new(code: impl Into<ErrorCode>, message: impl Into<String>) -> Self {
        ErrorBody {
            code: code.into(),
            message: message.into(),
            ..Default::default()
        }
    }

    /// The metadata of a moderation flag, if this error is one (its metadata has `reasons`).
    pub fn moderation(&self) -> Option<ModerationErrorMetadata> {
        let m = self.metadata.as_ref()?;
        if !m.contains_key("reasons") {
            return None;
        }
        serde_json::from_value(Value::Object(m.clone())).ok()
    }

    /// The metadata of an upstream provider's error, if this error is one (its metadata has
    /// `provider_name` and `raw`).
    pub fn provider(&self) -> Option<ProviderErrorMetadata> {
        let m = self.metadata.as_ref()?;
        if !m.contains_key("raw") || !m.contains_key("provider_name") {
            return None;
        }
        serde_json::from_value(Value::Object(m.clone())).ok()
    }

    /// The `error_type` of a mid-stream error's metadata (`context_length_exceeded`,
    /// `provider_overloaded`, ...), if present.
    pub fn error_type(&self) -> Option<&str> {
        self.metadata.as_ref()?.get("error_type")?.as_str()
    }

    /// A metadata field by name.
    pub fn metadata_field(&self, name: &str) -> Option<&Value> {
        self.metadata.as_ref()?.get(name)
    }
}

/// Metadata of a moderation error (HTTP 403): why the input was flagged.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ModerationErrorMetadata {
    /// Why the input was flagged.
    #[serde(default)]
    pub reasons: Vec<String>,
    /// The flagged text, at most 100 characters (truncated in the middle with `...`).
    #[serde(default)]
    pub flagged_input: String,
    /// The provider that asked for the moderation.
    #[serde(default)]
    pub provider_name: String,
    /// The model that was requested.
    #[serde(default)]
    pub model_slug: String,
    /// Fields this version of the SDK does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Metadata of an error that an upstream provider returned.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProviderErrorMetadata {
    /// The provider that failed.
    #[serde(default)]
    pub provider_name: String,
    /// The provider's own error, as it sent it.
    #[serde(default)]
    pub raw: Value,
    /// Fields this version of the SDK does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
