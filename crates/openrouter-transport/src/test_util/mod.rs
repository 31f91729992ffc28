//! Transports for tests: no socket, no network, deterministic.
//!
//! Enabled by the `test-util` feature. Hand one of these to the client instead of
//! [`HyperTransport`] and assert on exactly what it sent:
//!
//! | transport | use it to |
//! | --- | --- |
//! | [`ReplayTransport`] | check a sequence of requests against expectations, answering each with a canned response |
//! | [`FnTransport`] | compute each response (or error) from the request with a closure |
//! | [`NeverTransport`] | never answer, to exercise timeouts and cancellation |
//! | [`RecordingTransport`] | record every request, answering with a fixed response or through another transport |
//! | `CassetteRecorder`, `CassettePlayer`, `record_or_replay` (feature `record`) | record real traffic to a file (redacted), and replay it offline in tests |
//!
//! [`response`] and [`CannedResponse`] build responses; [`ChunkedBody`] streams a body in
//! chunks with optional delays, errors or a stall, for streaming and idle-timeout tests.
//!
#![cfg_attr(feature = "hyper", doc = "[`HyperTransport`]: crate::HyperTransport")]
#![cfg_attr(not(feature = "hyper"), doc = "[`HyperTransport`]: crate")]
//!
//! # Examples
//!
//! ```
//! use openrouter_transport::test_util::{response, ExpectedRequest, ReplayTransport};
//! use openrouter_transport::{RequestBody, Transport};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let replay = ReplayTransport::new().expect(
//!     ExpectedRequest::post("https://openrouter.ai/api/v1/chat/completions")
//!         .header("content-type", "application/json")
//!         .body(r#"{"model":"m"}"#),
//!     response(200, &[("content-type", "application/json")], r#"{"id":"gen-1"}"#),
//! );
//!
//! let request = http::Request::post("https://openrouter.ai/api/v1/chat/completions")
//!     .header("content-type", "application/json")
//!     .body(RequestBody::from(r#"{"model":"m"}"#))
//!     .unwrap();
//! let reply = replay.send(request).await.unwrap();
//! assert_eq!(reply.into_body().collect().await.unwrap(), r#"{"id":"gen-1"}"#);
//! replay.assert_done();
//! # }
//! ```

#[cfg(feature = "record")]
mod cassette;
mod chunked;
mod fn_transport;
mod recording;
mod replay;

use std::borrow::Cow;
use std::fmt;

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use http::{HeaderMap, Method, StatusCode, Uri, Version};

use crate::body::{RequestBody, ResponseBody};
use crate::error::TransportError;

#[cfg(feature = "record")]
pub use cassette::{record_or_replay, CassettePlayer, CassetteRecorder};
pub use chunked::ChunkedBody;
pub use fn_transport::{FnTransport, NeverTransport};
pub use recording::RecordingTransport;
pub use replay::{ExpectedRequest, ReplayTransport};

/// Builds a response from a status, headers and a body.
///
/// `body` may be anything that converts into a [`ResponseBody`]: a string, bytes, or a
/// [`ChunkedBody`] for a streamed response.
///
/// # Panics
///
/// Panics on an invalid status code, header name or header value: this is for tests.
///
/// # Examples
///
/// ```
/// use openrouter_transport::test_util::response;
///
/// let r = response(429, &[("retry-after", "2")], "slow down");
/// assert_eq!(r.status(), 429);
/// assert_eq!(r.headers()["retry-after"], "2");
/// ```
pub fn response(
    status: u16,
    headers: &[(&str, &str)],
    body: impl Into<ResponseBody>,
) -> http::Response<ResponseBody> {
    let mut builder = http::Response::builder().status(status);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder
        .body(body.into())
        .expect("test_util::response: invalid status or header")
}

/// A response that can be produced any number of times: what [`RecordingTransport::fixed`]
/// answers with.
///
/// # Examples
///
/// ```
/// use openrouter_transport::test_util::CannedResponse;
///
/// let canned = CannedResponse::json(200, r#"{"data":[]}"#).header("x-request-id", "req-1");
/// let first = canned.to_response();
/// assert_eq!(first.headers()["content-type"], "application/json");
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct CannedResponse {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl CannedResponse {
    /// A response with `status`, no headers and an empty body.
    ///
    /// # Panics
    ///
    /// Panics if `status` is not a valid status code.
    pub fn new(status: u16) -> Self {
        CannedResponse {
            status: StatusCode::from_u16(status).expect("CannedResponse: invalid status"),
            headers: HeaderMap::new(),
            body: Bytes::new(),
        }
    }

    /// A response with `status`, `content-type: application/json` and `body`.
    pub fn json(status: u16, body: impl Into<Bytes>) -> Self {
        Self::new(status)
            .header("content-type", "application/json")
            .body(body)
    }

    /// Adds a header (a repeated name adds another value).
    ///
    /// # Panics
    ///
    /// Panics on an invalid header name or value.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.append(
            HeaderName::try_from(name).expect("CannedResponse: invalid header name"),
            HeaderValue::try_from(value).expect("CannedResponse: invalid header value"),
        );
        self
    }

    /// Sets the body.
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self
    }

    /// A fresh response; the body is shared, not copied.
    pub fn to_response(&self) -> http::Response<ResponseBody> {
        let mut response = http::Response::new(ResponseBody::from(self.body.clone()));
        *response.status_mut() = self.status;
        *response.headers_mut() = self.headers.clone();
        response
    }
}

impl From<CannedResponse> for http::Response<ResponseBody> {
    fn from(canned: CannedResponse) -> Self {
        canned.to_response()
    }
}

/// A request as a test transport saw it, with its body read into memory.
#[derive(Clone)]
pub struct RecordedRequest {
    method: Method,
    uri: Uri,
    version: Version,
    headers: HeaderMap,
    body: Bytes,
}

impl RecordedRequest {
    /// The request method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The request URI.
    pub fn uri(&self) -> &Uri {
        &self.uri
    }

    /// The HTTP version the request asked for.
    pub fn version(&self) -> Version {
        self.version
    }

    /// All request headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The first value of header `name`, if present and valid UTF-8.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The request body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The request body as text, with invalid UTF-8 replaced.
    pub fn body_text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }

    /// An `http::Request` with the same parts.
    pub fn to_request(&self) -> http::Request<Bytes> {
        let mut request = http::Request::new(self.body.clone());
        *request.method_mut() = self.method.clone();
        *request.uri_mut() = self.uri.clone();
        *request.version_mut() = self.version;
        *request.headers_mut() = self.headers.clone();
        request
    }

    fn from_request(request: http::Request<Bytes>) -> Self {
        let (parts, body) = request.into_parts();
        RecordedRequest {
            method: parts.method,
            uri: parts.uri,
            version: parts.version,
            headers: parts.headers,
            body,
        }
    }
}

impl fmt::Debug for RecordedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordedRequest")
            .field("method", &self.method)
            .field("uri", &self.uri)
            .field("headers", &self.headers)
            .field("body", &self.body_text())
            .finish()
    }
}

/// Reads the request body into memory, so test transports can inspect it.
async fn read_request(
    request: http::Request<RequestBody>,
) -> Result<http::Request<Bytes>, TransportError> {
    let (parts, body) = request.into_parts();
    let body = body.collect().await.map_err(|e| {
        TransportError::other(e)
            .context("request body stream failed")
            .with_may_have_reached_server(false)
    })?;
    Ok(http::Request::from_parts(parts, body))
}

/// Locks a mutex, ignoring poisoning: a test transport's state stays meaningful after a
/// panicking assertion elsewhere, and a second panic would only hide the first.
fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn response_helper_builds_status_headers_body() {
        let r = response(201, &[("x-a", "1"), ("x-a", "2")], "made");
        assert_eq!(r.status(), 201);
        let values: Vec<_> = r.headers().get_all("x-a").iter().collect();
        assert_eq!(values, ["1", "2"]);
        assert_eq!(r.into_body().collect().await.unwrap(), "made");
    }

    #[tokio::test]
    async fn canned_response_is_reusable() {
        let canned = CannedResponse::json(200, "{}").header("x-request-id", "r");
        for _ in 0..2 {
            let r = canned.to_response();
            assert_eq!(r.headers()["content-type"], "application/json");
            assert_eq!(r.headers()["x-request-id"], "r");
            assert_eq!(r.into_body().collect().await.unwrap(), "{}");
        }
    }

    #[test]
    #[should_panic(expected = "invalid status or header")]
    fn response_helper_panics_on_bad_header() {
        let _ = response(200, &[("bad header", "x")], "");
    }

    #[test]
    fn recorded_request_accessors() {
        let request = http::Request::post("http://h/p?q=1")
            .header("a", "b")
            .body(Bytes::from_static(b"hi \xff"))
            .unwrap();
        let recorded = RecordedRequest::from_request(request);
        assert_eq!(recorded.method(), Method::POST);
        assert_eq!(recorded.uri(), "http://h/p?q=1");
        assert_eq!(recorded.header("a"), Some("b"));
        assert_eq!(recorded.header("missing"), None);
        assert_eq!(recorded.body_text(), "hi \u{fffd}");
        assert_eq!(recorded.to_request().body(), recorded.body());
    }
}
