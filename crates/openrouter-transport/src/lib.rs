//! Pluggable HTTP transport for the OpenRouter SDK.
//!
//! # What
//!
//! The layer that puts one HTTP request on the wire and hands back the response:
//!
//! - [`Transport`], an object-safe trait with one method, [`Transport::send`], which sends one
//!   attempt and resolves when the response head arrives; the body streams after.
//! - [`SharedTransport`], the cheaply cloneable handle a client stores.
//! - [`RequestBody`] (cheap to clone, so retries re-send the same bytes) and [`ResponseBody`]
//!   (an [`http_body::Body`] that streams frame by frame).
//! - [`TransportError`], which keeps the failure's [`TransportErrorKind`] and says whether
//!   the request [may have reached the server](TransportError::may_have_reached_server).
#![cfg_attr(
    feature = "hyper",
    doc = "- [`HyperTransport`], the default: a pooled HTTP/1.1 and HTTP/2 client on hyper and rustls, \
           with [`Proxy`] support (HTTP `CONNECT`, forwarding, SOCKS; the environment's proxies by default)."
)]
#![cfg_attr(
    feature = "test-util",
    doc = "- [`test_util`], fake transports for tests: replay, closure, never-answering, recording."
)]
//!
//! # Why
//!
//! The client above this crate does retries, timeouts, serialization and streaming; a
//! transport only moves bytes. Keeping that seam small means a test can swap in a fake with
//! no socket and assert the exact requests the SDK made, and an application can bring its
//! own HTTP stack (a proxy, a different TLS library) without the client being generic over
//! it. Only this crate names hyper or rustls, and none of their types appear in its public
//! API, so their major versions can change without breaking users.
//!
//! # How
//!
//! ```no_run
//! # #[cfg(feature = "hyper")]
//! # async fn run() -> Result<(), openrouter_transport::TransportError> {
//! use openrouter_transport::{HyperTransport, RequestBody, SharedTransport, Transport};
//!
//! let transport = SharedTransport::new(HyperTransport::new()?);
//! let request = http::Request::post("https://openrouter.ai/api/v1/chat/completions")
//!     .header("content-type", "application/json")
//!     .body(RequestBody::from(r#"{"model":"openai/gpt-4o","messages":[]}"#))
//!     .expect("valid request");
//! let response = transport.send(request).await?;
//! let status = response.status();
//! let body = response.into_body().collect().await?;
//! # let _ = (status, body);
//! # Ok(())
//! # }
//! ```
//!
//! # Features
//!
//! | feature | default | what it enables |
//! | --- | --- | --- |
//! | `hyper` | yes | `HyperTransport` (needs a tokio runtime) |
//! | `ring` | yes | the `ring` rustls crypto provider (fast to build) |
//! | `aws-lc-rs` | no | the `aws-lc-rs` provider; preferred over `ring` when both are on |
//! | `webpki-roots` | yes | Mozilla's root certificates, compiled in |
//! | `native-roots` | no | the operating system's certificate store |
//! | `test-util` | no | the `test_util` module of fake transports |

mod body;
mod error;
#[cfg(feature = "hyper")]
mod hyper_transport;
#[cfg(feature = "hyper")]
mod pool;
#[cfg(feature = "hyper")]
mod proxy;
#[cfg(feature = "test-util")]
pub mod test_util;
mod transport;

pub use body::{RequestBody, ResponseBody, StreamingBody};
pub use error::{BoxError, TransportError, TransportErrorKind};
#[cfg(feature = "hyper")]
pub use hyper_transport::{HyperTransport, HyperTransportBuilder, TlsRoots};
#[cfg(feature = "hyper")]
pub use proxy::Proxy;
pub use transport::{SharedTransport, Transport, TransportFuture};

// Re-exported so that users can name the types in this crate's signatures without adding
// (and version-matching) the dependencies themselves.
pub use bytes;
pub use http;
pub use http_body;
