//! The client against a real hyper server on 127.0.0.1 (`tests/support`), and through the test
//! transports where no socket is needed. One test binary, so that the large type crate is linked
//! once.

#[path = "../support/mod.rs"]
mod support;

mod coverage;
mod env;
mod errors;
mod hostile;
mod live;
mod operations;
mod precedence;
mod proxy;
mod response_cache;
mod retries;
mod security;
mod sse;
mod stalls;
mod stream_events;
mod structured;
mod timeouts;
#[cfg(feature = "tracing")]
mod tracing_spans;
mod transfer;
