//! The one error type every transport returns.
//!
//! A caller decides two things from a transport failure: what went wrong (its
//! [`TransportErrorKind`]) and whether the request may already have reached the server
//! ([`TransportError::may_have_reached_server`]). The second decides whether a
//! non-idempotent request may be retried, so every constructor sets it deliberately.

use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;

/// A boxed error that can cross threads; the type request-body streams fail with and the
/// type kept as the [`source`](std::error::Error::source) of a [`TransportError`].
pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// What kind of failure a [`TransportError`] is.
///
/// New kinds may be added; match with a wildcard arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The connection could not be established: DNS, TCP refused or unreachable, an
    /// unsupported scheme. No request byte was sent.
    Connect,
    /// A deadline enforced by the transport passed. For [`HyperTransport`] this is the
    /// connect timeout, so [`TransportError::is_connect`] is also true.
    ///
    #[cfg_attr(feature = "hyper", doc = "[`HyperTransport`]: crate::HyperTransport")]
    #[cfg_attr(not(feature = "hyper"), doc = "[`HyperTransport`]: crate")]
    Timeout,
    /// An I/O error on an established connection, including the peer closing it early.
    Io,
    /// TLS failed: a handshake error, an untrusted certificate, a bad alert.
    Tls,
    /// The peer broke the HTTP protocol: an unparsable status line or header, an HTTP/2
    /// protocol error.
    Protocol,
    /// Reading the response body failed after the response head had arrived.
    BodyRead,
    /// Anything else, such as a request the transport refused to send or a failing
    /// request-body stream.
    Other,
}

impl TransportErrorKind {
    /// A short lower-case description, used by `Display`.
    fn describe(self) -> &'static str {
        match self {
            TransportErrorKind::Connect => "connection failed",
            TransportErrorKind::Timeout => "timed out",
            TransportErrorKind::Io => "I/O error",
            TransportErrorKind::Tls => "TLS error",
            TransportErrorKind::Protocol => "HTTP protocol error",
            TransportErrorKind::BodyRead => "error reading response body",
            TransportErrorKind::Other => "transport error",
        }
    }
}

impl fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// A failure to send a request or to receive its response.
///
/// `Display` names the kind and, where the transport has one, a short message of its own; it
/// never repeats the underlying error, which is reachable only through
/// [`source()`](std::error::Error::source).
///
/// # Examples
///
/// ```
/// use openrouter_transport::{TransportError, TransportErrorKind};
///
/// let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
/// let err = TransportError::connect(refused);
/// assert_eq!(err.kind(), TransportErrorKind::Connect);
/// assert!(err.is_connect());
/// // Nothing was sent, so even a POST may be retried.
/// assert!(!err.may_have_reached_server());
/// assert_eq!(err.to_string(), "connection failed");
/// assert!(std::error::Error::source(&err).is_some());
/// ```
pub struct TransportError {
    // Boxed so that `Result<Response, TransportError>` stays small on the happy path.
    inner: Box<Inner>,
}

struct Inner {
    kind: TransportErrorKind,
    connect: bool,
    may_have_reached_server: bool,
    message: Option<Cow<'static, str>>,
    source: Option<BoxError>,
}

impl TransportError {
    /// Creates an error of `kind` caused by `source`.
    ///
    /// A [`Connect`](TransportErrorKind::Connect) error is marked as raised while connecting
    /// and as not having reached the server; every other kind is conservatively marked as
    /// possibly having reached it. Adjust with [`during_connect`](Self::during_connect) or
    /// [`with_may_have_reached_server`](Self::with_may_have_reached_server).
    pub fn new(kind: TransportErrorKind, source: impl Into<BoxError>) -> Self {
        Self::build(kind, None, Some(source.into()))
    }

    /// Creates an error of `kind` with a message of its own and no source.
    ///
    /// Reachability defaults as in [`new`](Self::new).
    pub fn with_message(kind: TransportErrorKind, message: impl Into<Cow<'static, str>>) -> Self {
        Self::build(kind, Some(message.into()), None)
    }

    /// A failure to establish the connection; the request was not sent.
    pub fn connect(source: impl Into<BoxError>) -> Self {
        Self::new(TransportErrorKind::Connect, source)
    }

    /// The connect timeout passed; the request was not sent.
    pub fn connect_timeout() -> Self {
        Self::with_message(TransportErrorKind::Timeout, "connect timed out").during_connect()
    }

    /// A failure while reading the response body; the request had reached the server.
    pub fn body_read(source: impl Into<BoxError>) -> Self {
        Self::new(TransportErrorKind::BodyRead, source)
    }

    /// A failure of no more specific kind; it may have reached the server.
    pub fn other(source: impl Into<BoxError>) -> Self {
        Self::new(TransportErrorKind::Other, source)
    }

    fn build(
        kind: TransportErrorKind,
        message: Option<Cow<'static, str>>,
        source: Option<BoxError>,
    ) -> Self {
        let connect = kind == TransportErrorKind::Connect;
        TransportError {
            inner: Box::new(Inner {
                kind,
                connect,
                may_have_reached_server: !connect,
                message,
                source,
            }),
        }
    }

    /// Marks the error as raised while establishing the connection (TCP, TLS handshake),
    /// before any byte of the request was written, so it did not reach the server.
    #[must_use]
    pub fn during_connect(mut self) -> Self {
        self.inner.connect = true;
        self.inner.may_have_reached_server = false;
        self
    }

    /// Overrides whether the request may have reached the server.
    #[must_use]
    pub fn with_may_have_reached_server(mut self, may_have_reached: bool) -> Self {
        self.inner.may_have_reached_server = may_have_reached;
        self
    }

    /// Adds or replaces the transport's own short message, shown by `Display` after the kind.
    #[must_use]
    pub fn context(mut self, message: impl Into<Cow<'static, str>>) -> Self {
        self.inner.message = Some(message.into());
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> TransportErrorKind {
        self.inner.kind
    }

    /// Whether the request may have reached the server.
    ///
    /// `false` means no byte of the request was sent (a connect failure or a connect timeout),
    /// so retrying cannot apply it twice. `true` means it may have been processed, even if no
    /// response arrived: retry only idempotent requests.
    pub fn may_have_reached_server(&self) -> bool {
        self.inner.may_have_reached_server
    }

    /// Whether the error happened while establishing the connection (including a connect
    /// timeout and a TLS handshake failure).
    pub fn is_connect(&self) -> bool {
        self.inner.connect
    }

    /// Whether a transport deadline passed ([`TransportErrorKind::Timeout`]).
    pub fn is_timeout(&self) -> bool {
        self.inner.kind == TransportErrorKind::Timeout
    }

    /// Whether this is an I/O error on an established connection ([`TransportErrorKind::Io`]).
    pub fn is_io(&self) -> bool {
        self.inner.kind == TransportErrorKind::Io
    }

    /// Whether TLS failed ([`TransportErrorKind::Tls`]).
    pub fn is_tls(&self) -> bool {
        self.inner.kind == TransportErrorKind::Tls
    }

    /// Whether the peer broke the HTTP protocol ([`TransportErrorKind::Protocol`]).
    pub fn is_protocol(&self) -> bool {
        self.inner.kind == TransportErrorKind::Protocol
    }

    /// Whether reading the response body failed ([`TransportErrorKind::BodyRead`]).
    pub fn is_body_read(&self) -> bool {
        self.inner.kind == TransportErrorKind::BodyRead
    }

    /// The transport's own short message, if it set one.
    pub fn message(&self) -> Option<&str> {
        self.inner.message.as_deref()
    }
}

impl fmt::Debug for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("TransportError");
        d.field("kind", &self.inner.kind)
            .field("connect", &self.inner.connect)
            .field(
                "may_have_reached_server",
                &self.inner.may_have_reached_server,
            );
        if let Some(message) = &self.inner.message {
            d.field("message", message);
        }
        if let Some(source) = &self.inner.source {
            d.field("source", source);
        }
        d.finish()
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner.message {
            Some(message) => write!(f, "{}: {}", self.inner.kind, message),
            None => fmt::Display::fmt(&self.inner.kind, f),
        }
    }
}

impl StdError for TransportError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }
}

/// Walks an error and its causes.
///
/// Unlike following `source()` alone, this also visits the payload of a custom
/// [`std::io::Error`]: `io::Error::source()` skips it and returns the payload's own source,
/// which would hide a TLS error wrapped in an `io::Error`.
#[cfg(feature = "hyper")]
pub(crate) fn chain<'a>(
    err: &'a (dyn StdError + 'static),
) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    std::iter::successors(Some(err), |&e: &&'a (dyn StdError + 'static)| match e
        .downcast_ref::<std::io::Error>()
    {
        Some(io) => io.get_ref().map(|inner| inner as &(dyn StdError + 'static)),
        None => e.source(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;

    #[test]
    fn kinds_and_reachability() {
        struct Case {
            err: TransportError,
            kind: TransportErrorKind,
            connect: bool,
            reached: bool,
        }
        let check = |c: Case| {
            assert_eq!(c.err.kind(), c.kind, "{:?}", c.err);
            assert_eq!(c.err.is_connect(), c.connect, "{:?}", c.err);
            assert_eq!(c.err.may_have_reached_server(), c.reached, "{:?}", c.err);
        };
        let io_err = || io::Error::from(io::ErrorKind::ConnectionReset);
        check(Case {
            err: TransportError::connect(io_err()),
            kind: TransportErrorKind::Connect,
            connect: true,
            reached: false,
        });
        check(Case {
            err: TransportError::connect_timeout(),
            kind: TransportErrorKind::Timeout,
            connect: true,
            reached: false,
        });
        check(Case {
            err: TransportError::new(TransportErrorKind::Tls, io_err()).during_connect(),
            kind: TransportErrorKind::Tls,
            connect: true,
            reached: false,
        });
        check(Case {
            err: TransportError::new(TransportErrorKind::Io, io_err()),
            kind: TransportErrorKind::Io,
            connect: false,
            reached: true,
        });
        check(Case {
            err: TransportError::with_message(TransportErrorKind::Timeout, "read"),
            kind: TransportErrorKind::Timeout,
            connect: false,
            reached: true,
        });
        check(Case {
            err: TransportError::body_read(io_err()),
            kind: TransportErrorKind::BodyRead,
            connect: false,
            reached: true,
        });
        check(Case {
            err: TransportError::other("refused").with_may_have_reached_server(false),
            kind: TransportErrorKind::Other,
            connect: false,
            reached: false,
        });
    }

    #[test]
    fn is_methods_follow_kind() {
        let e = |k| TransportError::with_message(k, "x");
        assert!(e(TransportErrorKind::Timeout).is_timeout());
        assert!(e(TransportErrorKind::Io).is_io());
        assert!(e(TransportErrorKind::Tls).is_tls());
        assert!(e(TransportErrorKind::Protocol).is_protocol());
        assert!(e(TransportErrorKind::BodyRead).is_body_read());
        assert!(!e(TransportErrorKind::Other).is_timeout());
        assert!(e(TransportErrorKind::Connect).is_connect());
    }

    #[test]
    fn display_does_not_print_source() {
        let err = TransportError::connect(io::Error::other("secret detail"));
        assert_eq!(err.to_string(), "connection failed");
        assert_eq!(err.source().unwrap().to_string(), "secret detail");

        let err = TransportError::connect_timeout();
        assert_eq!(err.to_string(), "timed out: connect timed out");
        assert!(err.source().is_none());
        assert_eq!(err.message(), Some("connect timed out"));

        let err = TransportError::body_read(io::Error::other("eof")).context("after 3 bytes");
        assert_eq!(
            err.to_string(),
            "error reading response body: after 3 bytes"
        );
    }

    #[test]
    fn error_is_send_sync_and_small() {
        fn assert_send_sync<T: Send + Sync + 'static>() {}
        assert_send_sync::<TransportError>();
        assert_eq!(
            std::mem::size_of::<TransportError>(),
            std::mem::size_of::<usize>()
        );
    }
}
