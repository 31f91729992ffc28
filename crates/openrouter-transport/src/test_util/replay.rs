//! A transport that checks requests against a script and answers from it.

use std::collections::VecDeque;
use std::fmt::{self, Write as _};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use http::{Method, Uri};

use super::{lock, read_request, RecordedRequest};
use crate::body::{RequestBody, ResponseBody};
use crate::error::TransportError;
use crate::transport::{Transport, TransportFuture};

/// What a [`ReplayTransport`] expects one request to look like.
///
/// The method and URI must match exactly. Only the headers named with
/// [`header`](Self::header) or [`no_header`](Self::no_header) are checked, so headers the
/// test does not care about (such as `user-agent`) need not be listed. The body is checked
/// only when set with [`body`](Self::body).
#[derive(Clone, Debug)]
#[must_use]
pub struct ExpectedRequest {
    method: Method,
    uri: Uri,
    headers: Vec<(HeaderName, Option<HeaderValue>)>,
    body: Option<Bytes>,
}

impl ExpectedRequest {
    /// Expects a request with `method` to `uri`.
    ///
    /// # Panics
    ///
    /// Panics if `uri` is not a valid URI.
    pub fn new(method: Method, uri: &str) -> Self {
        ExpectedRequest {
            method,
            uri: uri.parse().expect("ExpectedRequest: invalid URI"),
            headers: Vec::new(),
            body: None,
        }
    }

    /// Expects a `GET` to `uri`.
    pub fn get(uri: &str) -> Self {
        Self::new(Method::GET, uri)
    }

    /// Expects a `POST` to `uri`.
    pub fn post(uri: &str) -> Self {
        Self::new(Method::POST, uri)
    }

    /// Expects a `PATCH` to `uri`.
    pub fn patch(uri: &str) -> Self {
        Self::new(Method::PATCH, uri)
    }

    /// Expects a `DELETE` to `uri`.
    pub fn delete(uri: &str) -> Self {
        Self::new(Method::DELETE, uri)
    }

    /// Expects header `name` with `value`. Naming a header more than once expects all the
    /// values, in order; the request must carry exactly those values for that name.
    ///
    /// # Panics
    ///
    /// Panics on an invalid header name or value.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((
            HeaderName::try_from(name).expect("ExpectedRequest: invalid header name"),
            Some(HeaderValue::try_from(value).expect("ExpectedRequest: invalid header value")),
        ));
        self
    }

    /// Expects header `name` to be absent.
    ///
    /// # Panics
    ///
    /// Panics on an invalid header name.
    pub fn no_header(mut self, name: &str) -> Self {
        self.headers.push((
            HeaderName::try_from(name).expect("ExpectedRequest: invalid header name"),
            None,
        ));
        self
    }

    /// Expects exactly this body.
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = Some(body.into());
        self
    }

    /// Lists every difference between this expectation and `actual`, one per line.
    fn diff(&self, actual: &RecordedRequest) -> String {
        let mut out = String::new();
        if self.method != actual.method() {
            let _ = writeln!(
                out,
                "  method: expected {}, got {}",
                self.method,
                actual.method()
            );
        }
        if self.uri != *actual.uri() {
            let _ = writeln!(out, "  uri:    expected {}, got {}", self.uri, actual.uri());
        }
        let mut checked: Vec<&HeaderName> = Vec::new();
        for (name, _) in &self.headers {
            if checked.contains(&name) {
                continue;
            }
            checked.push(name);
            let expected: Vec<&HeaderValue> = self
                .headers
                .iter()
                .filter(|(n, _)| n == name)
                .filter_map(|(_, v)| v.as_ref())
                .collect();
            let got: Vec<&HeaderValue> = actual.headers().get_all(name).iter().collect();
            if expected != got {
                let _ = writeln!(
                    out,
                    "  header `{name}`: expected {}, got {}",
                    show_values(&expected),
                    show_values(&got)
                );
            }
        }
        if let Some(body) = &self.body {
            if body != actual.body() {
                let at = body
                    .iter()
                    .zip(actual.body().iter())
                    .position(|(a, b)| a != b)
                    .unwrap_or_else(|| body.len().min(actual.body().len()));
                let _ = writeln!(out, "  body differs at byte {at}:");
                let _ = writeln!(out, "    expected: {}", String::from_utf8_lossy(body));
                let _ = writeln!(out, "    actual:   {}", actual.body_text());
            }
        }
        out
    }
}

fn show_values(values: &[&HeaderValue]) -> String {
    if values.is_empty() {
        return "(absent)".to_owned();
    }
    let shown: Vec<String> = values.iter().map(|v| format!("{v:?}")).collect();
    shown.join(", ")
}

impl fmt::Display for ExpectedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.uri)
    }
}

enum Reply {
    Response(http::Response<ResponseBody>),
    Error(TransportError),
}

#[derive(Default)]
struct State {
    script: VecDeque<(ExpectedRequest, Reply)>,
    seen: Vec<RecordedRequest>,
}

/// A transport that checks each request against the next expectation in a script and
/// answers with the response scripted for it.
///
/// A request that does not match panics with a list of the differences; a request after the
/// script ran out panics too. Call [`assert_done`](Self::assert_done) at the end of the test to
/// check that every scripted request was made. Clones share the script, so keep one to check
/// after handing another to the client.
///
/// # Examples
///
/// ```
/// use openrouter_transport::test_util::{response, ExpectedRequest, ReplayTransport};
/// use openrouter_transport::{SharedTransport, TransportError, TransportErrorKind};
///
/// let replay = ReplayTransport::new()
///     .expect_error(
///         ExpectedRequest::get("https://openrouter.ai/api/v1/credits"),
///         TransportError::connect(std::io::Error::from(std::io::ErrorKind::ConnectionRefused)),
///     )
///     .expect(
///         ExpectedRequest::get("https://openrouter.ai/api/v1/credits"),
///         response(200, &[], r#"{"data":{}}"#),
///     );
/// let for_client = SharedTransport::new(replay.clone());
/// // ... run the code under test with `for_client` ...
/// # drop(for_client);
/// # let _ = || replay.assert_done();
/// ```
#[derive(Clone, Default)]
pub struct ReplayTransport {
    state: Arc<Mutex<State>>,
}

impl ReplayTransport {
    /// An empty script: any request panics.
    pub fn new() -> Self {
        Self::default()
    }

    /// A script made of `(expectation, response)` pairs, in order.
    pub fn from_pairs(
        pairs: impl IntoIterator<Item = (ExpectedRequest, http::Response<ResponseBody>)>,
    ) -> Self {
        pairs
            .into_iter()
            .fold(Self::new(), |replay, (expected, response)| {
                replay.expect(expected, response)
            })
    }

    /// Appends a request to expect and the response to answer it with.
    #[must_use]
    pub fn expect(self, expected: ExpectedRequest, response: http::Response<ResponseBody>) -> Self {
        self.push(expected, Reply::Response(response))
    }

    /// Appends a request to expect and the error to fail it with.
    #[must_use]
    pub fn expect_error(self, expected: ExpectedRequest, error: TransportError) -> Self {
        self.push(expected, Reply::Error(error))
    }

    fn push(self, expected: ExpectedRequest, reply: Reply) -> Self {
        lock(&self.state).script.push_back((expected, reply));
        self
    }

    /// How many scripted requests have not been made yet.
    pub fn remaining(&self) -> usize {
        lock(&self.state).script.len()
    }

    /// The requests received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.state).seen.clone()
    }

    /// Panics unless every scripted request has been made.
    ///
    /// # Panics
    ///
    /// Panics listing the requests still expected.
    #[track_caller]
    pub fn assert_done(&self) {
        let state = lock(&self.state);
        if state.script.is_empty() {
            return;
        }
        let mut message = format!(
            "ReplayTransport: {} of {} expected requests were not made:\n",
            state.script.len(),
            state.script.len() + state.seen.len()
        );
        for (i, (expected, _)) in state.script.iter().enumerate() {
            let _ = writeln!(message, "  #{}: {expected}", state.seen.len() + i + 1);
        }
        drop(state);
        panic!("{message}");
    }

    fn reply_to(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<ResponseBody>, TransportError> {
        let recorded = RecordedRequest::from_request(request);
        let mut state = lock(&self.state);
        state.seen.push(recorded.clone());
        let number = state.seen.len();
        let Some((expected, reply)) = state.script.pop_front() else {
            drop(state);
            panic!(
                "ReplayTransport: unexpected request #{number}: {} {} (the script has only {} requests)",
                recorded.method(),
                recorded.uri(),
                number - 1
            );
        };
        // Release the lock before panicking so that `assert_done` and `requests` keep working
        // in the panic's aftermath.
        drop(state);
        let diff = expected.diff(&recorded);
        if !diff.is_empty() {
            panic!(
                "ReplayTransport: request #{number} does not match the script\n\
                 expected: {expected}\n\
                 got:      {} {}\n{diff}",
                recorded.method(),
                recorded.uri()
            );
        }
        match reply {
            Reply::Response(response) => Ok(response),
            Reply::Error(error) => Err(error),
        }
    }
}

impl fmt::Debug for ReplayTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = lock(&self.state);
        f.debug_struct("ReplayTransport")
            .field("remaining", &state.script.len())
            .field("seen", &state.seen.len())
            .finish()
    }
}

impl Transport for ReplayTransport {
    fn send(&self, request: http::Request<RequestBody>) -> TransportFuture<'_> {
        Box::pin(async move {
            let request = read_request(request).await?;
            self.reply_to(request)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::response;
    use crate::TransportErrorKind;

    fn request(
        method: &str,
        uri: &str,
        headers: &[(&str, &str)],
        body: &'static str,
    ) -> http::Request<RequestBody> {
        let mut builder = http::Request::builder().method(method).uri(uri);
        for (n, v) in headers {
            builder = builder.header(*n, *v);
        }
        builder.body(RequestBody::from(body)).unwrap()
    }

    fn panic_message(result: Result<(), Box<dyn std::any::Any + Send>>) -> String {
        let payload = result.expect_err("expected a panic");
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_default()
    }

    /// Sends `req` through a fresh replay of `expected` and returns the panic message, or ""
    /// if it matched.
    fn check(expected: ExpectedRequest, req: http::Request<RequestBody>) -> String {
        let replay = ReplayTransport::new().expect(expected, response(200, &[], "ok"));
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            rt.block_on(async {
                replay.send(req).await.unwrap();
            })
        }));
        match result {
            Ok(()) => String::new(),
            Err(_) => panic_message(result),
        }
    }

    #[tokio::test]
    async fn replays_in_order_and_records() {
        let replay = ReplayTransport::from_pairs([
            (
                ExpectedRequest::get("http://h/a"),
                response(200, &[("x", "1")], "first"),
            ),
            (
                ExpectedRequest::post("http://h/b")
                    .header("content-type", "application/json")
                    .body("{}"),
                response(201, &[], "second"),
            ),
        ]);
        assert_eq!(replay.remaining(), 2);
        let r = replay
            .send(request("GET", "http://h/a", &[], ""))
            .await
            .unwrap();
        assert_eq!(r.headers()["x"], "1");
        assert_eq!(r.into_body().collect().await.unwrap(), "first");
        let r = replay
            .send(request(
                "POST",
                "http://h/b",
                &[("content-type", "application/json"), ("user-agent", "t")],
                "{}",
            ))
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        replay.assert_done();
        let seen = replay.requests();
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[1].body(), "{}");
        assert_eq!(seen[1].header("user-agent"), Some("t"));
    }

    #[tokio::test]
    async fn scripted_errors_are_returned() {
        let replay = ReplayTransport::new().expect_error(
            ExpectedRequest::get("http://h/"),
            TransportError::connect_timeout(),
        );
        let err = replay
            .send(request("GET", "http://h/", &[], ""))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), TransportErrorKind::Timeout);
        replay.assert_done();
    }

    #[test]
    fn matching_and_mismatch_messages() {
        // Matches: unlisted headers are ignored.
        assert_eq!(
            check(
                ExpectedRequest::post("http://h/x")
                    .header("a", "1")
                    .body("b"),
                request("POST", "http://h/x", &[("a", "1"), ("other", "z")], "b"),
            ),
            ""
        );

        let msg = check(
            ExpectedRequest::post("http://h/x"),
            request("GET", "http://h/x", &[], ""),
        );
        assert!(msg.contains("method: expected POST, got GET"), "{msg}");

        let msg = check(
            ExpectedRequest::get("http://h/x?a=1"),
            request("GET", "http://h/x?a=2", &[], ""),
        );
        assert!(
            msg.contains("uri:    expected http://h/x?a=1, got http://h/x?a=2"),
            "{msg}"
        );

        let msg = check(
            ExpectedRequest::get("http://h/").header("authorization", "Bearer k"),
            request("GET", "http://h/", &[], ""),
        );
        assert!(
            msg.contains("header `authorization`: expected \"Bearer k\", got (absent)"),
            "{msg}"
        );

        let msg = check(
            ExpectedRequest::get("http://h/").no_header("http-referer"),
            request("GET", "http://h/", &[("http-referer", "x")], ""),
        );
        assert!(
            msg.contains("header `http-referer`: expected (absent), got \"x\""),
            "{msg}"
        );

        let msg = check(
            ExpectedRequest::get("http://h/")
                .header("x", "1")
                .header("x", "2"),
            request("GET", "http://h/", &[("x", "1")], ""),
        );
        assert!(msg.contains("expected \"1\", \"2\", got \"1\""), "{msg}");

        let msg = check(
            ExpectedRequest::post("http://h/").body(r#"{"a":1}"#),
            request("POST", "http://h/", &[], r#"{"a":2}"#),
        );
        assert!(msg.contains("body differs at byte 5"), "{msg}");
        assert!(msg.contains(r#"expected: {"a":1}"#), "{msg}");
        assert!(msg.contains(r#"actual:   {"a":2}"#), "{msg}");
    }

    #[test]
    fn unexpected_request_panics() {
        let replay = ReplayTransport::new();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            rt.block_on(async {
                let _ = replay.send(request("GET", "http://h/", &[], "")).await;
            })
        }));
        let msg = panic_message(result);
        assert!(
            msg.contains("unexpected request #1: GET http://h/"),
            "{msg}"
        );
    }

    #[test]
    fn assert_done_lists_missing_requests() {
        let replay = ReplayTransport::new()
            .expect(ExpectedRequest::get("http://h/1"), response(200, &[], ""))
            .expect(
                ExpectedRequest::delete("http://h/2"),
                response(200, &[], ""),
            );
        let result = std::panic::catch_unwind(|| replay.assert_done());
        let msg = panic_message(result);
        assert!(
            msg.contains("2 of 2 expected requests were not made"),
            "{msg}"
        );
        assert!(msg.contains("#2: DELETE http://h/2"), "{msg}");
    }
}
