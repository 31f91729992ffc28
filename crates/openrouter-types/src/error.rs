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
///
/// Decoding is lenient past the `error` object itself (which must be an object): a field whose
/// value has another type than documented (`message: null`, `user_id: 42`, `metadata: "..."`)
/// is kept as sent in `extra` under its name, written back from there, and its typed field
/// reads as empty; see [`ErrorBody::invalid_fields`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ErrorResponse {
    /// The error itself.
    pub error: ErrorBody,
    /// OpenRouter's request metadata, when it sends it.
    pub openrouter_metadata: Option<Map<String, Value>>,
    /// The user the request was made for, when known.
    pub user_id: Option<String>,
    /// Fields this version of the SDK does not know, kept as sent (and fields whose value did
    /// not fit their type).
    pub extra: Map<String, Value>,
}

/// The `error` object: a code, a message and optional metadata.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct ErrorBody {
    /// The code: usually the HTTP status, sometimes a string such as `server_error`.
    pub code: ErrorCode,
    /// A human-readable message.
    pub message: String,
    /// Details that depend on the kind of error.
    pub metadata: Option<Map<String, Value>>,
    /// Fields this version of the SDK does not know, kept as sent (and fields whose value did
    /// not fit their type).
    pub extra: Map<String, Value>,
}

/// Takes `key` out of `map` when its value decodes as `T` (`None` when absent or `null`);
/// a value that does not decode stays in `map`, which becomes the struct's `extra`.
fn take<T: serde::de::DeserializeOwned>(map: &mut Map<String, Value>, key: &str) -> Option<T> {
    match map.get(key) {
        None => None,
        Some(Value::Null) => {
            map.remove(key);
            None
        }
        Some(v) => {
            let t = T::deserialize(v).ok()?;
            map.remove(key);
            Some(t)
        }
    }
}

/// [`take`] for a field that is documented as always present: `null` does not fit it either.
fn take_present<T: serde::de::DeserializeOwned>(
    map: &mut Map<String, Value>,
    key: &str,
) -> Option<T> {
    if map.get(key).is_some_and(Value::is_null) {
        return None;
    }
    take(map, key)
}

impl<'de> Deserialize<'de> for ErrorBody {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut map = Map::<String, Value>::deserialize(deserializer)?;
        Ok(ErrorBody {
            code: take_present(&mut map, "code").unwrap_or_default(),
            message: take_present(&mut map, "message").unwrap_or_default(),
            metadata: take(&mut map, "metadata"),
            extra: map,
        })
    }
}

impl Serialize for ErrorBody {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let mut map = serializer.serialize_map(None)?;
        if !self.extra.contains_key("code") {
            map.serialize_entry("code", &self.code)?;
        }
        if !self.extra.contains_key("message") {
            map.serialize_entry("message", &self.message)?;
        }
        if let Some(m) = &self.metadata {
            if !self.extra.contains_key("metadata") {
                map.serialize_entry("metadata", m)?;
            }
        }
        for (k, v) in &self.extra {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for ErrorResponse {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        let mut map = Map::<String, Value>::deserialize(deserializer)?;
        // The one thing that makes a body an error body: an `error` object.
        let error = match map.remove("error") {
            Some(v @ Value::Object(_)) => ErrorBody::deserialize(v).map_err(D::Error::custom)?,
            Some(_) => return Err(D::Error::custom("`error` is not an object")),
            None => return Err(D::Error::missing_field("error")),
        };
        Ok(ErrorResponse {
            error,
            openrouter_metadata: take(&mut map, "openrouter_metadata"),
            user_id: take(&mut map, "user_id"),
            extra: map,
        })
    }
}

impl Serialize for ErrorResponse {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("error", &self.error)?;
        if let Some(m) = &self.openrouter_metadata {
            if !self.extra.contains_key("openrouter_metadata") {
                map.serialize_entry("openrouter_metadata", m)?;
            }
        }
        if let Some(u) = &self.user_id {
            if !self.extra.contains_key("user_id") {
                map.serialize_entry("user_id", u)?;
            }
        }
        for (k, v) in &self.extra {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
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

    /// The documented fields (`code`, `message`, `metadata`) whose value had another type than
    /// documented; each is kept as sent in `extra`.
    pub fn invalid_fields(&self) -> impl Iterator<Item = &str> + '_ {
        ["code", "message", "metadata"]
            .into_iter()
            .filter(|k| self.extra.contains_key(*k))
    }
}

/// Deserializes `null` as the type's default (providers send `provider_name: null`).
fn null_default<'de, D: serde::Deserializer<'de>, T: Default + Deserialize<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// Metadata of a moderation error (HTTP 403): why the input was flagged.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ModerationErrorMetadata {
    /// Why the input was flagged.
    #[serde(default, deserialize_with = "null_default")]
    pub reasons: Vec<String>,
    /// The flagged text, at most 100 characters (truncated in the middle with `...`).
    #[serde(default, deserialize_with = "null_default")]
    pub flagged_input: String,
    /// The provider that asked for the moderation.
    #[serde(default, deserialize_with = "null_default")]
    pub provider_name: String,
    /// The model that was requested.
    #[serde(default, deserialize_with = "null_default")]
    pub model_slug: String,
    /// Fields this version of the SDK does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Metadata of an error that an upstream provider returned.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProviderErrorMetadata {
    /// The provider that failed (empty when the API sent `null`).
    #[serde(default, deserialize_with = "null_default")]
    pub provider_name: String,
    /// The provider's own error, as it sent it: an object, or an escaped JSON string (see
    /// [`raw_json`](Self::raw_json)).
    #[serde(default)]
    pub raw: Value,
    /// Fields this version of the SDK does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ProviderErrorMetadata {
    /// The provider's error as JSON, whichever way it came: `raw` itself when it is an object
    /// (or any JSON other than a string), the parsed text when it is a string holding JSON,
    /// and `None` for a string that is not JSON (read [`raw_text`](Self::raw_text) then).
    ///
    /// ```
    /// use openrouter_types::error::ErrorResponse;
    /// let body = r#"{"error":{"code":400,"message":"Provider returned error","metadata":{
    ///     "provider_name":"Anthropic","raw":"{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\"}}"}}}"#;
    /// let err: ErrorResponse = serde_json::from_str(body).unwrap();
    /// let raw = err.error.provider().unwrap().raw_json().unwrap();
    /// assert_eq!(raw["error"]["type"], "invalid_request_error");
    /// ```
    pub fn raw_json(&self) -> Option<Value> {
        match &self.raw {
            Value::String(text) => serde_json::from_str(text).ok(),
            other => Some(other.clone()),
        }
    }

    /// `raw` when it is a string (escaped JSON or plain text).
    pub fn raw_text(&self) -> Option<&str> {
        self.raw.as_str()
    }
}

/// Why the answer is not the value asked for. Each case keeps what the model said.
#[derive(Debug)]
#[non_exhaustive]
pub enum ParseError {
    /// The model refused; its refusal text.
    Refusal(String),
    /// The answer has no text to parse (no choice, or empty content).
    NoContent,
    /// The text is not JSON of the asked type.
    Invalid {
        /// The answer's text, as received.
        text: String,
        /// Where and why it does not parse.
        error: serde_json::Error,
    },
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ParseError::Refusal(text) => write!(f, "the model refused: {text}"),
            ParseError::NoContent => f.write_str("the answer has no text to parse"),
            ParseError::Invalid { error, text } => {
                let shown: String = text.chars().take(200).collect();
                write!(f, "the answer is not the expected JSON ({error}): {shown}")
            }
        }
    }
}

impl std::error::Error for ParseError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ParseError::Invalid { error, .. } => Some(error),
            _ => None,
        }
    }
}
