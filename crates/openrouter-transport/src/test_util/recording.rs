//! A transport that records every request it sees.

use std::fmt;
use std::sync::{Arc, Mutex};

use super::{lock, read_request, CannedResponse, RecordedRequest};
use crate::body::RequestBody;
use crate::transport::{SharedTransport, Transport, TransportFuture};

#[derive(Clone, Debug)]
enum Answer {
    Fixed(CannedResponse),
    Forward(SharedTransport),
}

/// A transport that records every request, then answers with a fixed response or passes the
/// request on to another transport.
///
/// Requests are recorded, body included, before they are answered, so a request whose answer
/// never comes (through a [`NeverTransport`](super::NeverTransport)) is recorded too. Clones
/// share the record.
///
/// # Examples
///
/// ```
/// use openrouter_transport::test_util::{CannedResponse, RecordingTransport};
/// use openrouter_transport::{RequestBody, Transport};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let recorder = RecordingTransport::fixed(CannedResponse::json(200, "{}"));
/// let request = http::Request::post("https://openrouter.ai/api/v1/chat/completions")
///     .header("authorization", "Bearer sk-test")
///     .body(RequestBody::from(r#"{"model":"m"}"#))
///     .unwrap();
/// recorder.send(request).await.unwrap();
///
/// let seen = recorder.requests();
/// assert_eq!(seen.len(), 1);
/// assert_eq!(seen[0].header("authorization"), Some("Bearer sk-test"));
/// assert_eq!(seen[0].body_text(), r#"{"model":"m"}"#);
/// # }
/// ```
#[derive(Clone)]
pub struct RecordingTransport {
    answer: Answer,
    requests: Arc<Mutex<Vec<RecordedRequest>>>,
}

impl RecordingTransport {
    /// Records requests and passes them on to `inner`.
    ///
    /// The request body is read into memory first; `inner` receives it as bytes.
    pub fn new(inner: impl Transport + 'static) -> Self {
        Self::with_answer(Answer::Forward(SharedTransport::new(inner)))
    }

    /// Records requests and answers each with `response`.
    pub fn fixed(response: CannedResponse) -> Self {
        Self::with_answer(Answer::Fixed(response))
    }

    fn with_answer(answer: Answer) -> Self {
        RecordingTransport {
            answer,
            requests: Arc::default(),
        }
    }

    /// Every request seen so far, in the order `send` was called.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.requests).clone()
    }

    /// The most recent request, if any.
    pub fn last_request(&self) -> Option<RecordedRequest> {
        lock(&self.requests).last().cloned()
    }

    /// How many requests were seen.
    pub fn count(&self) -> usize {
        lock(&self.requests).len()
    }

    /// Forgets the requests recorded so far.
    pub fn clear(&self) {
        lock(&self.requests).clear();
    }
}

impl fmt::Debug for RecordingTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordingTransport")
            .field("answer", &self.answer)
            .field("recorded", &self.count())
            .finish()
    }
}

impl Transport for RecordingTransport {
    fn send(&self, request: http::Request<RequestBody>) -> TransportFuture<'_> {
        Box::pin(async move {
            let request = read_request(request).await?;
            lock(&self.requests).push(RecordedRequest::from_request(request.clone()));
            match &self.answer {
                Answer::Fixed(response) => Ok(response.to_response()),
                Answer::Forward(inner) => inner.send(request.map(RequestBody::from)).await,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{FnTransport, NeverTransport};
    use std::time::Duration;

    fn post(uri: &str, body: &'static str) -> http::Request<RequestBody> {
        http::Request::post(uri)
            .header("x-n", uri)
            .body(RequestBody::from(body))
            .unwrap()
    }

    #[tokio::test]
    async fn fixed_answers_and_records() {
        let recorder = RecordingTransport::fixed(CannedResponse::new(204).header("x", "y"));
        let clone = recorder.clone();
        for i in 0..3 {
            let response = clone
                .send(post(&format!("http://h/{i}"), "b"))
                .await
                .unwrap();
            assert_eq!(response.status(), 204);
            assert_eq!(response.headers()["x"], "y");
        }
        let seen = recorder.requests();
        assert_eq!(seen.len(), 3);
        assert_eq!(seen[2].uri(), "http://h/2");
        assert_eq!(seen[2].header("x-n"), Some("http://h/2"));
        assert_eq!(recorder.last_request().unwrap().body(), "b");
        recorder.clear();
        assert_eq!(recorder.count(), 0);
    }

    #[tokio::test]
    async fn forwards_to_inner_with_the_body() {
        let echo = FnTransport::new(|request| http::Response::new(request.into_body()));
        let recorder = RecordingTransport::new(echo);
        let response = recorder.send(post("http://h/", "hello")).await.unwrap();
        assert_eq!(response.into_body().collect().await.unwrap(), "hello");
        assert_eq!(recorder.requests()[0].body_text(), "hello");
    }

    #[tokio::test(start_paused = true)]
    async fn records_requests_that_never_get_an_answer() {
        let recorder = RecordingTransport::new(NeverTransport);
        let attempt = recorder.send(post("http://h/", ""));
        assert!(tokio::time::timeout(Duration::from_secs(5), attempt)
            .await
            .is_err());
        assert_eq!(recorder.count(), 1);
    }
}
