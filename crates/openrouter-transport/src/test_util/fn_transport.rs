//! Transports driven by a closure, and one that never answers.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use bytes::Bytes;

use super::read_request;
use crate::body::{RequestBody, ResponseBody};
use crate::error::TransportError;
use crate::transport::{Transport, TransportFuture};

type Reply = Result<http::Response<ResponseBody>, TransportError>;
type Handler =
    dyn Fn(http::Request<Bytes>) -> Pin<Box<dyn Future<Output = Reply> + Send>> + Send + Sync;

/// A transport that answers each request by calling a closure.
///
/// The closure gets the request with its body read into memory. Use [`FnTransport::new`] for
/// a plain function of the request, and [`FnTransport::new_async`] to return errors, delay,
/// stream, or keep state across calls (count attempts to fail the first few, say).
///
/// # Examples
///
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use std::sync::Arc;
/// use openrouter_transport::test_util::{response, FnTransport};
/// use openrouter_transport::TransportError;
///
/// // Echo the body back.
/// let echo = FnTransport::new(|request| http::Response::new(request.into_body()));
///
/// // Fail the first attempt with a connect error, then succeed.
/// let attempts = Arc::new(AtomicUsize::new(0));
/// let flaky = FnTransport::new_async(move |_request| {
///     let attempt = attempts.fetch_add(1, Ordering::SeqCst);
///     async move {
///         if attempt == 0 {
///             Err(TransportError::connect(std::io::Error::from(
///                 std::io::ErrorKind::ConnectionRefused,
///             )))
///         } else {
///             Ok(response(200, &[], "ok"))
///         }
///     }
/// });
/// # let _ = (echo, flaky);
/// ```
#[derive(Clone)]
pub struct FnTransport {
    handler: Arc<Handler>,
}

impl FnTransport {
    /// Answers each request with `f(request)`.
    pub fn new<F>(f: F) -> Self
    where
        F: Fn(http::Request<Bytes>) -> http::Response<Bytes> + Send + Sync + 'static,
    {
        Self::new_async(move |request| {
            let response = f(request).map(ResponseBody::from);
            std::future::ready(Ok(response))
        })
    }

    /// Answers each request with the result of the future `f(request)` returns.
    pub fn new_async<F, Fut>(f: F) -> Self
    where
        F: Fn(http::Request<Bytes>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<http::Response<ResponseBody>, TransportError>> + Send + 'static,
    {
        FnTransport {
            handler: Arc::new(move |request| Box::pin(f(request))),
        }
    }
}

impl fmt::Debug for FnTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FnTransport").finish_non_exhaustive()
    }
}

impl Transport for FnTransport {
    fn send(&self, request: http::Request<RequestBody>) -> TransportFuture<'_> {
        Box::pin(async move {
            let request = read_request(request).await?;
            (self.handler)(request).await
        })
    }
}

/// A transport whose responses never arrive: every `send` stays pending forever.
///
/// Use it to test timeouts and cancellation; wrap it in a
/// [`RecordingTransport`](super::RecordingTransport) to also count the attempts.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use openrouter_transport::test_util::NeverTransport;
/// use openrouter_transport::{RequestBody, Transport};
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let request = http::Request::get("http://localhost/").body(RequestBody::empty()).unwrap();
/// let attempt = tokio::time::timeout(Duration::from_secs(30), NeverTransport.send(request));
/// assert!(attempt.await.is_err(), "timed out");
/// # }
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct NeverTransport;

impl Transport for NeverTransport {
    fn send(&self, request: http::Request<RequestBody>) -> TransportFuture<'_> {
        // Hold the request, as a real transport would while waiting, and drop it on cancel.
        Box::pin(async move {
            let _request = request;
            std::future::pending().await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::response;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    fn get(uri: &str) -> http::Request<RequestBody> {
        http::Request::get(uri).body(RequestBody::empty()).unwrap()
    }

    #[tokio::test]
    async fn sync_closure_sees_the_request() {
        let transport = FnTransport::new(|request| {
            let text = format!("{} {}", request.method(), request.uri());
            http::Response::builder()
                .status(202)
                .body(Bytes::from(text))
                .unwrap()
        });
        let response = transport.send(get("http://h/p")).await.unwrap();
        assert_eq!(response.status(), 202);
        assert_eq!(
            response.into_body().collect().await.unwrap(),
            "GET http://h/p"
        );
    }

    #[tokio::test]
    async fn sync_closure_gets_the_body() {
        let echo = FnTransport::new(|request| http::Response::new(request.into_body()));
        let request = http::Request::post("http://h/")
            .body(RequestBody::from("ping"))
            .unwrap();
        let body = echo.send(request).await.unwrap().into_body();
        assert_eq!(body.collect().await.unwrap(), "ping");
    }

    #[tokio::test]
    async fn async_closure_can_fail_then_succeed() {
        let calls = Arc::new(AtomicUsize::new(0));
        let counter = calls.clone();
        let transport = FnTransport::new_async(move |_| {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            async move {
                if n == 0 {
                    Err(TransportError::connect_timeout())
                } else {
                    Ok(response(200, &[], "ok"))
                }
            }
        });
        assert!(transport
            .send(get("http://h/"))
            .await
            .unwrap_err()
            .is_timeout());
        assert_eq!(
            transport.send(get("http://h/")).await.unwrap().status(),
            200
        );
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        assert_eq!(format!("{transport:?}"), "FnTransport { .. }");
    }

    #[tokio::test(start_paused = true)]
    async fn never_transport_never_answers() {
        let pending = NeverTransport.send(get("http://h/"));
        let outcome = tokio::time::timeout(Duration::from_secs(3600), pending).await;
        assert!(outcome.is_err());
    }
}
