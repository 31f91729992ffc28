//! Entry points for the fuzz targets (`fuzz/` at the workspace root) and the property tests:
//! thin wrappers over crate-private functions that parse what a server or a caller sends.
//!
//! Not part of the API: hidden from the docs, and free to change with any release.

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use openrouter_types::error::ErrorBody;
use serde::Serialize;

use crate::body::BodySource;
use crate::error::{ApiError, ConfigError};
use crate::multipart::Multipart;
use crate::sse::StreamProtocol;
use crate::FilePart;

/// How long the headers ask to wait before a retry (`retry-after-ms`, else `Retry-After` as
/// seconds or an HTTP date).
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    crate::retry::retry_after(headers)
}

/// When a rate limit resets, from the `X-RateLimit-Reset` that a 429's
/// `error.metadata.headers` carries; `None` when absent, unreadable or past.
pub fn rate_limit_reset(
    metadata: Option<&serde_json::Map<String, serde_json::Value>>,
) -> Option<Duration> {
    crate::retry::rate_limit_reset(metadata)
}

/// Whether a response status is retried, for a repeatable request or not.
pub fn status_is_retryable(status: StatusCode, headers: &HeaderMap, repeatable: bool) -> bool {
    crate::retry::status_is_retryable(status, headers, repeatable)
}

/// The API error the client makes of an error answer: status, headers and body.
pub fn api_error(status: StatusCode, headers: HeaderMap, body: &[u8]) -> ApiError {
    ApiError::new(status, headers, body)
}

/// The error an event of a stream of `protocol` reports, if it reports one.
pub fn stream_api_error(protocol: StreamProtocol, data: &str) -> Option<ErrorBody> {
    protocol.api_error(data)
}

/// A `multipart/form-data` body as an upload sends it: the form's fields (but `file_field`) as
/// text parts in name order, then `file` if any. Returns the `Content-Type` (with the
/// boundary) and the body. The file must be held in memory ([`FilePart::bytes`]).
pub fn multipart<F: Serialize>(
    form: &F,
    file_field: &'static str,
    file: Option<FilePart>,
) -> Result<(String, Bytes), ConfigError> {
    let mut m = Multipart::from_form(form, file_field)?;
    if let Some(file) = file {
        m.set_file(file);
    }
    match m.into_source()? {
        BodySource::Bytes {
            bytes,
            content_type,
        } => {
            let content_type = content_type
                .to_str()
                .map_err(|_| ConfigError::new("the multipart content type is not text"))?
                .to_owned();
            Ok((content_type, bytes))
        }
        BodySource::Streamed(_) => Err(ConfigError::new(
            "only a file held in memory gives the whole body at once",
        )),
    }
}

/// Whether a `Content-Type` is `text/event-stream`, as a stream's response is checked.
pub fn is_event_stream(content_type: &str) -> bool {
    crate::headers::is_event_stream(content_type)
}

/// A path segment or query component, percent-encoded as a call encodes it.
pub fn encode_component(s: &str) -> String {
    let mut out = String::new();
    crate::call::encode_component(s, &mut out);
    out
}
