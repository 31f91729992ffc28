//! Decoding a successful answer read whole into the operation's type: a decode error names
//! the type and the JSON path, and keeps the body.

use bytes::Bytes;
use serde::de::DeserializeOwned;

use crate::error::{DecodeError, Error};
use crate::headers::content_type;
use crate::response::ResponseMeta;

/// Decodes the success of an operation that returns no body: whatever the body holds (usually
/// nothing), `T` (usually `()`) is decoded from `null`, unless the body is an API error.
pub(crate) fn decode_empty<T: DeserializeOwned>(
    meta: &ResponseMeta,
    bytes: Bytes,
) -> Result<T, Error> {
    T::deserialize(serde_json::Value::Null).map_err(|e| {
        Error::Decode(Box::new(DecodeError {
            type_name: std::any::type_name::<T>(),
            path: ".".into(),
            status: meta.status,
            headers: meta.headers.clone(),
            body: bytes,
            content_type: content_type(&meta.headers).map(str::to_owned),
            source: Some(e),
            attempts: meta.attempts,
        }))
    })
}

/// Decodes a successful response body (in which the loop found no API error); a body that
/// does not decode is a decode error that keeps it (with no JSON path when its content type is
/// not JSON). A body that decodes is accepted whatever its declared content type.
pub(crate) fn decode_json<T: DeserializeOwned>(
    meta: &ResponseMeta,
    bytes: Bytes,
) -> Result<T, Error> {
    // The plain decoder first: tracking the path costs as much again as the decoding itself,
    // and the path (like the content type) is only needed for an error, so a body that fails
    // is decoded again with it.
    // Lenient: the spec-exact decode, then (only when it fails) one that keeps a missing or
    // ill-typed field instead of failing the whole body (`openrouter_types::from_slice`).
    if let Ok(v) = openrouter_types::from_slice::<T>(&bytes) {
        return Ok(v);
    }
    decode_failure(meta, bytes)
}

/// A successful response body that does not decode into `T`: the decode error, with the JSON
/// path where it failed (out of line: only failures track the path).
#[cold]
#[inline(never)]
fn decode_failure<T: DeserializeOwned>(meta: &ResponseMeta, bytes: Bytes) -> Result<T, Error> {
    let ct = content_type(&meta.headers);
    let decode_error = |path: String, source: Option<serde_json::Error>, bytes: Bytes| {
        Error::Decode(Box::new(DecodeError {
            type_name: std::any::type_name::<T>(),
            path,
            status: meta.status,
            headers: meta.headers.clone(),
            body: bytes,
            content_type: ct.map(str::to_owned),
            source,
            attempts: meta.attempts,
        }))
    };
    // A body that is not JSON by its type (an HTML page from a proxy) is reported as such,
    // without a JSON path.
    if !ct.is_none_or(|c| c.contains("json")) {
        return Err(decode_error(".".into(), None, bytes));
    }
    match openrouter_types::from_slice_with_path::<T>(&bytes) {
        // (Not expected: the strict and the lenient decode have just failed.)
        Ok(v) => Ok(v),
        Err((path, e)) => Err(decode_error(path, Some(e), bytes)),
    }
}
