//! Request and response bodies.
//!
//! [`RequestBody`] holds the serialized request. The SDK serializes once into [`Bytes`] and
//! re-sends the same buffer on every retry: [`RequestBody::try_clone`] is a reference-count
//! increment. A streaming variant exists for large uploads; it cannot be cloned, so a request
//! carrying one is never retried.
//!
//! [`ResponseBody`] erases whatever body a transport produces behind one type that implements
//! [`http_body::Body`], so server-sent events and downloads arrive frame by frame as they come
//! off the wire. [`ResponseBody::collect`] reads it whole when that is what a caller wants.

use std::fmt;
use std::pin::Pin;
use std::sync::{Mutex, PoisonError};
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use http_body_util::BodyExt;

use crate::error::{BoxError, TransportError};

/// A type-erased body that is `Sync` even when the body inside is only `Send`.
///
/// Polling goes through `Mutex::get_mut`, which takes no lock because `poll_frame` has
/// `&mut self`; only `is_end_stream` and `size_hint` (which take `&self`) lock, and nothing
/// else can hold the lock at that time. This keeps `RequestBody` and `ResponseBody` `Sync`
/// without `unsafe` and without asking callers for `Sync` streams.
struct SyncBoxBody<E> {
    inner: Mutex<Pin<Box<dyn Body<Data = Bytes, Error = E> + Send + 'static>>>,
}

impl<E> SyncBoxBody<E> {
    fn new<B>(body: B) -> Self
    where
        B: Body<Data = Bytes, Error = E> + Send + 'static,
    {
        SyncBoxBody {
            inner: Mutex::new(Box::pin(body)),
        }
    }

    fn poll_frame(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, E>>> {
        self.inner
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .as_mut()
            .poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .size_hint()
    }
}

/// The body of a request handed to a [`Transport`](crate::Transport).
///
/// Build it from bytes with `From` (`Bytes`, `Vec<u8>`, `String`, `&'static str`,
/// `&'static [u8]`), or from any [`http_body::Body`] with [`RequestBody::from_body`].
///
/// Polling a body consumes it: once its data frame has been yielded, a `Bytes` body reads
/// as empty. Clone it with [`try_clone`](Self::try_clone) *before* sending.
///
/// # Examples
///
/// ```
/// use openrouter_transport::RequestBody;
///
/// let body = RequestBody::from(r#"{"model":"openai/gpt-4o"}"#);
/// let retry = body.try_clone().expect("byte bodies clone");
/// assert_eq!(retry.as_bytes(), Some(&br#"{"model":"openai/gpt-4o"}"#[..]));
/// ```
#[derive(Default)]
#[non_exhaustive]
pub enum RequestBody {
    /// No body.
    #[default]
    Empty,
    /// A body held in memory; cloning it is cheap.
    Bytes(Bytes),
    /// A body produced as it is sent, such as a large upload. It cannot be cloned.
    Stream(StreamingBody),
}

/// The body inside [`RequestBody::Stream`]: any [`http_body::Body`], boxed.
///
/// Create one through [`RequestBody::from_body`].
pub struct StreamingBody {
    inner: SyncBoxBody<BoxError>,
}

impl fmt::Debug for StreamingBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamingBody")
            .field("size_hint", &self.inner.size_hint())
            .finish()
    }
}

impl RequestBody {
    /// An empty body.
    pub fn empty() -> Self {
        RequestBody::Empty
    }

    /// A body that streams from `body`.
    ///
    /// The result cannot be cloned, so a request that carries it is sent at most once.
    pub fn from_body<B>(body: B) -> Self
    where
        B: Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        RequestBody::Stream(StreamingBody {
            inner: SyncBoxBody::new(body.map_err(Into::into)),
        })
    }

    /// A copy of this body, or `None` for a streaming body.
    ///
    /// For in-memory bodies this is a reference-count increment, not a copy of the data.
    pub fn try_clone(&self) -> Option<RequestBody> {
        match self {
            RequestBody::Empty => Some(RequestBody::Empty),
            RequestBody::Bytes(bytes) => Some(RequestBody::Bytes(bytes.clone())),
            RequestBody::Stream(_) => None,
        }
    }

    /// The whole body if it is held in memory (an empty body gives an empty slice), or `None`
    /// for a streaming body.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            RequestBody::Empty => Some(&[]),
            RequestBody::Bytes(bytes) => Some(bytes),
            RequestBody::Stream(_) => None,
        }
    }

    /// Whether this body streams (and so cannot be cloned).
    pub fn is_stream(&self) -> bool {
        matches!(self, RequestBody::Stream(_))
    }

    /// Reads the whole body into memory.
    ///
    /// # Errors
    ///
    /// Returns the error of a failing streaming body; in-memory bodies never fail.
    pub async fn collect(self) -> Result<Bytes, BoxError> {
        match self {
            RequestBody::Empty => Ok(Bytes::new()),
            RequestBody::Bytes(bytes) => Ok(bytes),
            stream => Ok(BodyExt::collect(stream).await?.to_bytes()),
        }
    }
}

impl fmt::Debug for RequestBody {
    // Bodies can be megabytes of prompt: show the size, not the contents.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestBody::Empty => f.write_str("RequestBody::Empty"),
            RequestBody::Bytes(bytes) => f
                .debug_struct("RequestBody::Bytes")
                .field("len", &bytes.len())
                .finish(),
            RequestBody::Stream(stream) => {
                f.debug_tuple("RequestBody::Stream").field(stream).finish()
            }
        }
    }
}

impl From<Bytes> for RequestBody {
    fn from(bytes: Bytes) -> Self {
        RequestBody::Bytes(bytes)
    }
}

impl From<Vec<u8>> for RequestBody {
    fn from(bytes: Vec<u8>) -> Self {
        RequestBody::Bytes(bytes.into())
    }
}

impl From<String> for RequestBody {
    fn from(text: String) -> Self {
        RequestBody::Bytes(text.into())
    }
}

impl From<&'static str> for RequestBody {
    fn from(text: &'static str) -> Self {
        RequestBody::Bytes(Bytes::from_static(text.as_bytes()))
    }
}

impl From<&'static [u8]> for RequestBody {
    fn from(bytes: &'static [u8]) -> Self {
        RequestBody::Bytes(Bytes::from_static(bytes))
    }
}

impl From<()> for RequestBody {
    fn from((): ()) -> Self {
        RequestBody::Empty
    }
}

impl Body for RequestBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        match this {
            RequestBody::Empty => Poll::Ready(None),
            RequestBody::Bytes(bytes) => {
                let bytes = std::mem::take(bytes);
                *this = RequestBody::Empty;
                if bytes.is_empty() {
                    Poll::Ready(None)
                } else {
                    Poll::Ready(Some(Ok(Frame::data(bytes))))
                }
            }
            RequestBody::Stream(stream) => stream.inner.poll_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            RequestBody::Empty => true,
            RequestBody::Bytes(bytes) => bytes.is_empty(),
            RequestBody::Stream(stream) => stream.inner.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            RequestBody::Empty => SizeHint::with_exact(0),
            RequestBody::Bytes(bytes) => SizeHint::with_exact(bytes.len() as u64),
            RequestBody::Stream(stream) => stream.inner.size_hint(),
        }
    }
}

/// The body of a response, streamed frame by frame.
///
/// Every transport returns this one type, whatever body it reads from, so callers are not
/// generic over the transport. It implements [`http_body::Body`] with `Data = Bytes` and
/// `Error = TransportError`; use [`http_body_util::BodyExt`] to read frames, or
/// [`collect`](Self::collect) to read it whole. Dropping it closes the stream (for
/// [`HyperTransport`], the connection is not returned to the pool unless the body was read
/// to the end).
///
#[cfg_attr(feature = "hyper", doc = "[`HyperTransport`]: crate::HyperTransport")]
#[cfg_attr(not(feature = "hyper"), doc = "[`HyperTransport`]: crate")]
///
/// # Examples
///
/// ```
/// use openrouter_transport::ResponseBody;
///
/// # async fn run() -> Result<(), openrouter_transport::TransportError> {
/// let body = ResponseBody::from("hello");
/// assert_eq!(body.collect().await?, "hello");
/// # Ok(())
/// # }
/// ```
pub struct ResponseBody {
    repr: Repr,
}

enum Repr {
    // In-memory variants avoid a box for canned and empty responses.
    Bytes(Bytes),
    // The default transport's body (hyper's, with the connection to return to the pool) is
    // held as it is, with no box and no error-mapping layer: it is the body of nearly every
    // response the SDK reads.
    #[cfg(feature = "hyper")]
    Hyper(crate::pool::PooledBody),
    Boxed(SyncBoxBody<TransportError>),
}

impl ResponseBody {
    /// An empty body.
    pub fn empty() -> Self {
        ResponseBody {
            repr: Repr::Bytes(Bytes::new()),
        }
    }

    /// A body that yields `bytes` in one frame.
    pub fn from_bytes(bytes: impl Into<Bytes>) -> Self {
        ResponseBody {
            repr: Repr::Bytes(bytes.into()),
        }
    }

    /// Wraps any body.
    ///
    /// An error from `body` that is already a [`TransportError`] is passed through unchanged;
    /// any other error becomes a [`TransportErrorKind::BodyRead`](crate::TransportErrorKind)
    /// error with it as the source.
    pub fn new<B>(body: B) -> Self
    where
        B: Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        ResponseBody {
            repr: Repr::Boxed(SyncBoxBody::new(body.map_err(into_transport_error))),
        }
    }

    /// Wraps the body of a response hyper received, without boxing it.
    #[cfg(feature = "hyper")]
    pub(crate) fn from_hyper(body: crate::pool::PooledBody) -> Self {
        ResponseBody {
            repr: Repr::Hyper(body),
        }
    }

    /// Reads the whole body into memory.
    ///
    /// # Errors
    ///
    /// Returns the first error the body yields, usually a
    /// [`BodyRead`](crate::TransportErrorKind::BodyRead) error.
    pub async fn collect(self) -> Result<Bytes, TransportError> {
        match self.repr {
            Repr::Bytes(bytes) => Ok(bytes),
            #[cfg(feature = "hyper")]
            Repr::Hyper(body) => Ok(BodyExt::collect(body)
                .await
                .map_err(TransportError::body_read)?
                .to_bytes()),
            Repr::Boxed(_) => Ok(BodyExt::collect(self).await?.to_bytes()),
        }
    }
}

fn into_transport_error(err: impl Into<BoxError>) -> TransportError {
    match err.into().downcast::<TransportError>() {
        Ok(err) => *err,
        Err(other) => TransportError::body_read(other),
    }
}

impl Default for ResponseBody {
    fn default() -> Self {
        ResponseBody::empty()
    }
}

impl fmt::Debug for ResponseBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("ResponseBody");
        match &self.repr {
            Repr::Bytes(bytes) => d.field("len", &bytes.len()),
            #[cfg(feature = "hyper")]
            Repr::Hyper(body) => d.field("size_hint", &body.size_hint()),
            Repr::Boxed(body) => d.field("size_hint", &body.size_hint()),
        };
        d.finish()
    }
}

impl From<Bytes> for ResponseBody {
    fn from(bytes: Bytes) -> Self {
        ResponseBody::from_bytes(bytes)
    }
}

impl From<Vec<u8>> for ResponseBody {
    fn from(bytes: Vec<u8>) -> Self {
        ResponseBody::from_bytes(bytes)
    }
}

impl From<String> for ResponseBody {
    fn from(text: String) -> Self {
        ResponseBody::from_bytes(text)
    }
}

impl From<&'static str> for ResponseBody {
    fn from(text: &'static str) -> Self {
        ResponseBody::from_bytes(Bytes::from_static(text.as_bytes()))
    }
}

impl From<&'static [u8]> for ResponseBody {
    fn from(bytes: &'static [u8]) -> Self {
        ResponseBody::from_bytes(Bytes::from_static(bytes))
    }
}

impl Body for ResponseBody {
    type Data = Bytes;
    type Error = TransportError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, TransportError>>> {
        match &mut self.get_mut().repr {
            Repr::Bytes(bytes) => {
                let bytes = std::mem::take(bytes);
                if bytes.is_empty() {
                    Poll::Ready(None)
                } else {
                    Poll::Ready(Some(Ok(Frame::data(bytes))))
                }
            }
            #[cfg(feature = "hyper")]
            Repr::Hyper(body) => Pin::new(body)
                .poll_frame(cx)
                .map_err(TransportError::body_read),
            Repr::Boxed(body) => body.poll_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.repr {
            Repr::Bytes(bytes) => bytes.is_empty(),
            #[cfg(feature = "hyper")]
            Repr::Hyper(body) => body.is_end_stream(),
            Repr::Boxed(body) => body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.repr {
            Repr::Bytes(bytes) => SizeHint::with_exact(bytes.len() as u64),
            #[cfg(feature = "hyper")]
            Repr::Hyper(body) => body.size_hint(),
            Repr::Boxed(body) => body.size_hint(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TransportErrorKind;
    use http_body_util::{Full, StreamBody};

    fn assert_send_sync_unpin<T: Send + Sync + Unpin + 'static>() {}

    #[test]
    fn bodies_are_send_sync_unpin() {
        assert_send_sync_unpin::<RequestBody>();
        assert_send_sync_unpin::<ResponseBody>();
    }

    #[test]
    fn request_body_clones_share_the_buffer() {
        let original = Bytes::from(vec![b'x'; 1024]);
        let body = RequestBody::from(original.clone());
        let clone = body.try_clone().unwrap();
        let (a, b) = (body.as_bytes().unwrap(), clone.as_bytes().unwrap());
        assert_eq!(a, b);
        // Same allocation: a clone is a reference-count increment.
        assert_eq!(a.as_ptr(), b.as_ptr());
        assert_eq!(a.as_ptr(), original.as_ptr());
    }

    #[test]
    fn request_body_try_clone_per_variant() {
        assert!(matches!(
            RequestBody::empty().try_clone(),
            Some(RequestBody::Empty)
        ));
        assert!(RequestBody::from("x").try_clone().is_some());
        let stream = RequestBody::from_body(Full::new(Bytes::from_static(b"x")));
        assert!(stream.is_stream());
        assert!(stream.try_clone().is_none());
        assert!(stream.as_bytes().is_none());
    }

    #[test]
    fn request_body_size_hints() {
        assert_eq!(RequestBody::empty().size_hint().exact(), Some(0));
        assert!(RequestBody::empty().is_end_stream());
        let body = RequestBody::from("abc");
        assert_eq!(body.size_hint().exact(), Some(3));
        assert!(!body.is_end_stream());
        let stream = RequestBody::from_body(Full::new(Bytes::from_static(b"abcd")));
        assert_eq!(stream.size_hint().exact(), Some(4));
    }

    #[tokio::test]
    async fn request_body_collects() {
        assert_eq!(RequestBody::from("abc").collect().await.unwrap(), "abc");
        assert_eq!(RequestBody::empty().collect().await.unwrap(), "");
        let chunks = futures_stream(vec![Ok("ab"), Ok("cd")]);
        let stream = RequestBody::from_body(StreamBody::new(chunks));
        assert_eq!(stream.collect().await.unwrap(), "abcd");
    }

    #[tokio::test]
    async fn request_body_yields_one_frame_then_ends() {
        let mut body = RequestBody::from("abc");
        let frame = body.frame().await.unwrap().unwrap();
        assert_eq!(frame.into_data().unwrap(), "abc");
        assert!(body.frame().await.is_none());
        assert!(body.is_end_stream());
    }

    #[tokio::test]
    async fn request_stream_error_is_reported() {
        let chunks = futures_stream(vec![Ok("ab"), Err("boom")]);
        let stream = RequestBody::from_body(StreamBody::new(chunks));
        assert_eq!(stream.collect().await.unwrap_err().to_string(), "boom");
    }

    #[tokio::test]
    async fn response_body_variants_collect() {
        assert_eq!(ResponseBody::empty().collect().await.unwrap(), "");
        assert_eq!(ResponseBody::from("hi").collect().await.unwrap(), "hi");
        let wrapped = ResponseBody::new(Full::new(Bytes::from_static(b"full")));
        assert_eq!(wrapped.size_hint().exact(), Some(4));
        assert_eq!(wrapped.collect().await.unwrap(), "full");
    }

    #[tokio::test]
    async fn response_body_maps_errors() {
        // A foreign error becomes BodyRead...
        let body = ResponseBody::new(StreamBody::new(futures_stream(vec![Ok("a"), Err("x")])));
        let err = body.collect().await.unwrap_err();
        assert_eq!(err.kind(), TransportErrorKind::BodyRead);
        assert!(err.may_have_reached_server());
        assert_eq!(std::error::Error::source(&err).unwrap().to_string(), "x");

        // ...and a TransportError keeps its kind.
        let items: Vec<Result<Frame<Bytes>, TransportError>> = vec![Err(
            TransportError::with_message(TransportErrorKind::Io, "reset"),
        )];
        let body = ResponseBody::new(StreamBody::new(Iter(items.into_iter())));
        assert_eq!(
            body.collect().await.unwrap_err().kind(),
            TransportErrorKind::Io
        );
    }

    /// A stream of data frames or string errors, without pulling in `futures`.
    fn futures_stream(
        items: Vec<Result<&'static str, &'static str>>,
    ) -> Iter<std::vec::IntoIter<Result<Frame<Bytes>, BoxError>>> {
        let items: Vec<Result<Frame<Bytes>, BoxError>> = items
            .into_iter()
            .map(|item| match item {
                Ok(data) => Ok(Frame::data(Bytes::from_static(data.as_bytes()))),
                Err(msg) => Err(msg.into()),
            })
            .collect();
        Iter(items.into_iter())
    }

    struct Iter<I>(I);

    impl<I: Iterator + Unpin> futures_core::Stream for Iter<I> {
        type Item = I::Item;
        fn poll_next(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<I::Item>> {
            Poll::Ready(self.get_mut().0.next())
        }
    }
}
