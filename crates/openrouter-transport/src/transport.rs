//! The [`Transport`] trait and its shared handle.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::body::{RequestBody, ResponseBody};
use crate::error::TransportError;

/// The future returned by [`Transport::send`]: boxed so that the trait stays object-safe.
///
/// It resolves to the response as soon as its head (status and headers) has arrived; the
/// body streams after.
pub type TransportFuture<'a> =
    Pin<Box<dyn Future<Output = Result<http::Response<ResponseBody>, TransportError>> + Send + 'a>>;

/// Sends one HTTP request attempt and returns the response head, with the body to stream.
///
/// A transport does one thing: put one request on the wire and hand back what came back.
/// Retries, timeouts other than the connect timeout, authentication and serialization
/// belong to the client above it, so a transport stays small enough to fake in tests.
///
/// Implementations must:
/// - send the request as given, to its absolute URI, without adding retries;
/// - resolve as soon as the response head arrives and stream the body after;
/// - report every failure as a [`TransportError`] whose
///   [`may_have_reached_server`](TransportError::may_have_reached_server) is `false` only
///   when no byte of the request was sent;
/// - cancel the attempt when the future (or, after it resolved, the body) is dropped.
///
/// # Examples
///
/// A transport that answers every request with `204 No Content`:
///
/// ```
/// use openrouter_transport::{RequestBody, ResponseBody, Transport, TransportFuture};
///
/// #[derive(Debug)]
/// struct NoContent;
///
/// impl Transport for NoContent {
///     fn send(&self, _request: http::Request<RequestBody>) -> TransportFuture<'_> {
///         Box::pin(async {
///             let mut response = http::Response::new(ResponseBody::empty());
///             *response.status_mut() = http::StatusCode::NO_CONTENT;
///             Ok(response)
///         })
///     }
/// }
/// ```
pub trait Transport: Send + Sync + fmt::Debug {
    /// Sends `request` once and resolves when the response head has arrived.
    ///
    /// # Errors
    ///
    /// Returns a [`TransportError`] when no response head could be obtained: the connection
    /// failed, timed out, or broke, or the peer sent something that is not HTTP. An HTTP error
    /// status is a response, not an error.
    fn send(&self, request: http::Request<RequestBody>) -> TransportFuture<'_>;
}

impl<T: Transport + ?Sized> Transport for &T {
    fn send(&self, request: http::Request<RequestBody>) -> TransportFuture<'_> {
        (**self).send(request)
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn send(&self, request: http::Request<RequestBody>) -> TransportFuture<'_> {
        (**self).send(request)
    }
}

impl<T: Transport + ?Sized> Transport for Arc<T> {
    fn send(&self, request: http::Request<RequestBody>) -> TransportFuture<'_> {
        (**self).send(request)
    }
}

/// A cheaply cloneable, type-erased [`Transport`].
///
/// This is what a client stores: one type whatever transport is plugged in, so the client is
/// not generic over it. Cloning shares the same transport (and so its connection pool).
///
/// # Examples
///
/// ```
/// use openrouter_transport::{SharedTransport, Transport};
/// # #[derive(Debug)] struct MyTransport;
/// # impl Transport for MyTransport {
/// #     fn send(&self, _: http::Request<openrouter_transport::RequestBody>)
/// #         -> openrouter_transport::TransportFuture<'_> { unimplemented!() }
/// # }
///
/// let shared = SharedTransport::new(MyTransport);
/// let for_another_task = shared.clone();
/// # let _ = for_another_task;
/// ```
#[derive(Clone)]
pub struct SharedTransport(Arc<dyn Transport>);

impl SharedTransport {
    /// Wraps `transport` for sharing.
    pub fn new(transport: impl Transport + 'static) -> Self {
        SharedTransport(Arc::new(transport))
    }

    /// Wraps an already shared transport without another allocation.
    pub fn from_arc(transport: Arc<dyn Transport>) -> Self {
        SharedTransport(transport)
    }

    /// The shared transport.
    pub fn as_arc(&self) -> &Arc<dyn Transport> {
        &self.0
    }
}

impl fmt::Debug for SharedTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SharedTransport").field(&self.0).finish()
    }
}

impl Transport for SharedTransport {
    fn send(&self, request: http::Request<RequestBody>) -> TransportFuture<'_> {
        self.0.send(request)
    }
}

impl From<Arc<dyn Transport>> for SharedTransport {
    fn from(transport: Arc<dyn Transport>) -> Self {
        SharedTransport(transport)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Teapot;

    impl Transport for Teapot {
        fn send(&self, request: http::Request<RequestBody>) -> TransportFuture<'_> {
            Box::pin(async move {
                let mut response =
                    http::Response::new(ResponseBody::from(request.uri().to_string()));
                *response.status_mut() = http::StatusCode::IM_A_TEAPOT;
                Ok(response)
            })
        }
    }

    #[tokio::test]
    async fn shared_transport_delegates_and_clones() {
        let shared = SharedTransport::new(Teapot);
        let clone = shared.clone();
        assert!(Arc::ptr_eq(shared.as_arc(), clone.as_arc()));
        let request = http::Request::get("http://example.test/x")
            .body(RequestBody::empty())
            .unwrap();
        let response = clone.send(request).await.unwrap();
        assert_eq!(response.status(), 418);
        assert_eq!(
            response.into_body().collect().await.unwrap(),
            "http://example.test/x"
        );
        assert_eq!(format!("{shared:?}"), "SharedTransport(Teapot)");
    }

    #[test]
    fn trait_is_object_safe_and_shared_is_send_sync() {
        fn assert_send_sync<T: Send + Sync + 'static>() {}
        assert_send_sync::<SharedTransport>();
        let _: Box<dyn Transport> = Box::new(Teapot);
        let _ = SharedTransport::from_arc(Arc::new(Box::new(Teapot) as Box<dyn Transport>));
    }
}
