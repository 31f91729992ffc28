//! A call taken apart: its per-call options and what [`Client::execute`](crate::Client)
//! sends, shared by the request builder ([`call`](crate::call)), the attempt loop
//! ([`execute`](crate::execute)) and a stream that may be opened again
//! ([`response`](crate::response)).

use std::borrow::Cow;

use http::{HeaderMap, Method};

use crate::body::BodySource;
use crate::config::{Attribution, RetryConfig, TimeoutConfig};
use crate::error::ConfigError;

/// Options of one call. Each overrides the client's default for this call only.
#[derive(Clone, Debug, Default)]
pub(crate) struct RequestOptions {
    pub(crate) timeouts: TimeoutConfig,
    pub(crate) retry: RetryConfig,
    /// Options most calls do not set, boxed so that a call (and every future that holds it)
    /// stays small; allocated when the first of them is set.
    pub(crate) extras: Option<Box<CallExtras>>,
}

/// The less common options of a call.
#[derive(Clone, Debug, Default)]
pub(crate) struct CallExtras {
    pub(crate) headers: HeaderMap,
    pub(crate) base_url: Option<String>,
    pub(crate) metadata: Option<bool>,
    pub(crate) attribution: Attribution,
    pub(crate) error: Option<ConfigError>,
    pub(crate) max_response_body: Option<usize>,
    pub(crate) max_stream_event: Option<usize>,
    /// The response cache as the call asks for it; applied over the headers above.
    pub(crate) response_cache: Option<ResponseCache>,
}

/// The response cache as a call asks for it ([`Call::response_cache`](crate::Call::response_cache),
/// [`Call::response_cache_ttl`](crate::Call::response_cache_ttl)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ResponseCache {
    /// Neither cache header is sent, whatever the client's default headers say.
    Off,
    /// `X-OpenRouter-Cache: true`, and `X-OpenRouter-Cache-TTL` when a lifetime was given.
    On {
        /// Whole seconds, already clamped into `1..=86400`.
        ttl_secs: Option<u32>,
    },
}

impl RequestOptions {
    pub(crate) fn extras_mut(&mut self) -> &mut CallExtras {
        self.extras.get_or_insert_with(Box::default)
    }

    /// The first error found while building the call.
    pub(crate) fn error(&self) -> Option<&ConfigError> {
        self.extras.as_ref()?.error.as_ref()
    }

    /// Keeps the first error found while building the call.
    pub(crate) fn set_error(&mut self, error: ConfigError) {
        self.extras_mut().error.get_or_insert(error);
    }
}

/// A call taken apart, as [`Client::execute`] runs it.
pub(crate) struct Prepared {
    pub(crate) method: Method,
    pub(crate) path_and_query: Cow<'static, str>,
    /// Where the client may cache this call's URI (the same for every call of the operation).
    pub(crate) uri_slot: Option<usize>,
    pub(crate) body: Option<BodySource>,
    pub(crate) options: RequestOptions,
    /// The call's `gen_ai` span (`telemetry`), the parent of each attempt's; empty without
    /// the feature `tracing` or a subscriber that wants it.
    pub(crate) span: crate::telemetry::SpanSlot,
}

impl Prepared {
    /// A copy that sends the same request again, when its body is in memory.
    pub(crate) fn try_clone(&self) -> Option<Prepared> {
        let body = match &self.body {
            None => None,
            Some(body) => Some(body.try_clone()?),
        };
        Some(Prepared {
            method: self.method.clone(),
            path_and_query: self.path_and_query.clone(),
            uri_slot: self.uri_slot,
            body,
            options: self.options.clone(),
            span: self.span.clone(),
        })
    }
}
