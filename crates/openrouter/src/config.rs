//! Timeouts and retries: one type for each, used both as client defaults and per call.
//!
//! Every field is a [`Setting`]: unset (fall through to the next level), set, or explicitly
//! disabled (so one call can switch off a client default). Values resolve field by field:
//!
//! | level | wins when the field is |
//! | --- | --- |
//! | the call (`.timeouts(..)`, `.retry(..)` on a request builder) | set or disabled |
//! | the client (`ClientBuilder::timeouts`, `ClientBuilder::retry`) | set or disabled |
//! | the library default ([`defaults`](mod@crate::defaults)) | always |
//!
//! # Examples
//!
//! ```
//! use std::time::Duration;
//! use openrouter::{RetryConfig, TimeoutConfig};
//!
//! // Client default: 30 s per attempt, three retries.
//! let client_timeouts = TimeoutConfig::new().attempt(Duration::from_secs(30));
//! let client_retry = RetryConfig::new().max_retries(3);
//! // One call: no per-attempt limit, a 2-minute budget for the whole call, no retries.
//! let call_timeouts = TimeoutConfig::new().no_attempt_timeout().total(Duration::from_secs(120));
//! let call_retry = RetryConfig::disabled();
//! # let _ = (client_timeouts, client_retry, call_timeouts, call_retry);
//! ```

use std::time::Duration;

use crate::defaults;

/// One configuration value: unset, set, or explicitly disabled.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Setting<T> {
    /// Not set at this level: the next level decides.
    #[default]
    Unset,
    /// Set to this value.
    Set(T),
    /// Explicitly switched off, whatever the levels below say.
    Disabled,
}

impl<T: Copy> Setting<T> {
    /// This setting if it says anything, else `lower`.
    pub fn or(self, lower: Setting<T>) -> Setting<T> {
        match self {
            Setting::Unset => lower,
            decided => decided,
        }
    }

    /// The value, if set.
    pub fn get(self) -> Option<T> {
        match self {
            Setting::Set(v) => Some(v),
            _ => None,
        }
    }
}

/// Timeouts of a call. See the [module docs](self) for how levels combine.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TimeoutConfig {
    /// One attempt, from sending the request until the response headers arrive, and, for a
    /// call whose body is read whole (not a stream or a [`Download`](crate::Download)), until
    /// that body is read. Nothing is retried once the headers of a success have arrived.
    pub attempt: Setting<Duration>,
    /// The whole call: every attempt and every backoff between them, and reading a
    /// non-streamed body or a [`Download`](crate::Download). An event stream is bounded by it
    /// only until its headers arrive.
    pub total: Setting<Duration>,
    /// For streams: the longest wait between two data events (for a
    /// [`Download`](crate::Download), between two chunks). Keep-alive comments
    /// (`: OPENROUTER PROCESSING`) do not reset it.
    pub stream_idle: Setting<Duration>,
    /// For streams: the longest wait, from the response's headers, for the first event that
    /// carries content (text, reasoning, tool calls, a finish; see
    /// [`StreamedEvent::carries_content`](crate::sse::StreamedEvent::carries_content)).
    /// Keep-alive comments and chunks with empty deltas do not count, so a stream that only
    /// ever sends those is caught even though each resets the idle timeout.
    pub stream_first_content: Setting<Duration>,
}

impl TimeoutConfig {
    /// Nothing set: every field falls through to the next level.
    pub fn new() -> Self {
        Self::default()
    }

    /// Limits each attempt (until response headers, and a body read whole) to `d`.
    pub fn attempt(mut self, d: Duration) -> Self {
        self.attempt = Setting::Set(d);
        self
    }

    /// No per-attempt limit, even if a lower level sets one.
    pub fn no_attempt_timeout(mut self) -> Self {
        self.attempt = Setting::Disabled;
        self
    }

    /// Limits the whole call to `d`.
    pub fn total(mut self, d: Duration) -> Self {
        self.total = Setting::Set(d);
        self
    }

    /// No limit on the whole call, even if a lower level sets one.
    pub fn no_total_timeout(mut self) -> Self {
        self.total = Setting::Disabled;
        self
    }

    /// Limits the wait between two stream data events to `d`.
    pub fn stream_idle(mut self, d: Duration) -> Self {
        self.stream_idle = Setting::Set(d);
        self
    }

    /// No idle limit on streams, even if a lower level sets one.
    pub fn no_stream_idle_timeout(mut self) -> Self {
        self.stream_idle = Setting::Disabled;
        self
    }

    /// Limits the wait for a stream's first content to `d`.
    pub fn stream_first_content(mut self, d: Duration) -> Self {
        self.stream_first_content = Setting::Set(d);
        self
    }

    /// No first-content limit on streams, even if a lower level sets one.
    pub fn no_stream_first_content_timeout(mut self) -> Self {
        self.stream_first_content = Setting::Disabled;
        self
    }

    /// Field by field: `self` where it says anything, else `lower`.
    pub fn or(self, lower: TimeoutConfig) -> TimeoutConfig {
        TimeoutConfig {
            attempt: self.attempt.or(lower.attempt),
            total: self.total.or(lower.total),
            stream_idle: self.stream_idle.or(lower.stream_idle),
            stream_first_content: self.stream_first_content.or(lower.stream_first_content),
        }
    }
}

/// Retry policy of a call. See the [module docs](self) for how levels combine.
///
/// What is retried (the classes are fixed; see [`Error::is_retryable`](crate::Error::is_retryable)):
/// connection failures that never reached the server; 408, 429, 500, 502, 503 and 529
/// responses, and a 200 whose body is an error with one of these codes; 504 and 524 (gateway
/// timeouts: the origin may still run the request) only for a repeatable request (below);
/// 402 when it carries `Retry-After` (an in-flight budget, not an empty account). A
/// request that may have reached the server without an answer (a read timeout) is retried only
/// for idempotent methods, for a call with an `Idempotency-Key`
/// ([`Call::idempotency_key`](crate::Call::idempotency_key)), or when
/// [`retry_maybe_sent`](Self::retry_maybe_sent) allows it.
/// Nothing is retried once a response body has started to reach the caller.
///
/// Each retry, and giving up after more than one attempt, is a `debug` event of the
/// [`tracing`](https://docs.rs/tracing) target `openrouter::retry` (method, path, attempt, wait,
/// error; never a header or the key), for whichever subscriber the application installs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryConfig {
    /// Retries after the first attempt (so attempts = retries + 1).
    pub max_retries: Setting<u32>,
    /// The first backoff's upper bound; each later one doubles, with full jitter.
    pub initial_backoff: Setting<Duration>,
    /// The largest backoff the client draws for itself.
    pub max_backoff: Setting<Duration>,
    /// The longest wait a server may ask for (`Retry-After`, `retry-after-ms`, or a 429's
    /// rate-limit reset time) and still be retried. A server that asks for longer is not
    /// retried early: the call gives up at once and the error's
    /// [`retry_after`](crate::Error::retry_after) says how long it asked for. A wait that
    /// would pass the call's total deadline also gives up at once.
    pub max_retry_after: Setting<Duration>,
    /// Whether a POST or PATCH that may have reached the server (timed out or lost after
    /// sending) is retried. Retrying it may run (and bill) the request twice.
    pub retry_maybe_sent: Setting<bool>,
    /// Whether a stream that stalls (its first-content or idle timeout) before any content
    /// has reached the caller is opened again, up to `max_retries` times. Events without
    /// content that came before (a chat stream's first chunk, `response.created`) are held
    /// back until content arrives, so the caller never sees a stream start twice. The
    /// stalled request may have run, and a provider may bill for the prompt: off by default.
    pub retry_stalled_stream: Setting<bool>,
}

impl RetryConfig {
    /// Nothing set: every field falls through to the next level.
    pub fn new() -> Self {
        Self::default()
    }

    /// No retries at all.
    pub fn disabled() -> Self {
        RetryConfig {
            max_retries: Setting::Disabled,
            ..Self::default()
        }
    }

    /// At most `n` retries after the first attempt.
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = Setting::Set(n);
        self
    }

    /// Backoff bounds: the first wait is at most `initial`, each later one doubles up to `max`.
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = Setting::Set(initial);
        self.max_backoff = Setting::Set(max);
        self
    }

    /// The longest `Retry-After` (or rate-limit reset) that is waited for; see
    /// [`max_retry_after`](Self#structfield.max_retry_after).
    pub fn max_retry_after(mut self, d: Duration) -> Self {
        self.max_retry_after = Setting::Set(d);
        self
    }

    /// Allows (or forbids) opening a stream again when it stalls before any content; see
    /// [`retry_stalled_stream`](Self#structfield.retry_stalled_stream).
    pub fn retry_stalled_stream(mut self, allow: bool) -> Self {
        self.retry_stalled_stream = Setting::Set(allow);
        self
    }

    /// Allows (or forbids) retrying a POST or PATCH that may have reached the server.
    pub fn retry_maybe_sent(mut self, allow: bool) -> Self {
        self.retry_maybe_sent = Setting::Set(allow);
        self
    }

    /// Field by field: `self` where it says anything, else `lower`.
    pub fn or(self, lower: RetryConfig) -> RetryConfig {
        RetryConfig {
            max_retries: self.max_retries.or(lower.max_retries),
            initial_backoff: self.initial_backoff.or(lower.initial_backoff),
            max_backoff: self.max_backoff.or(lower.max_backoff),
            max_retry_after: self.max_retry_after.or(lower.max_retry_after),
            retry_maybe_sent: self.retry_maybe_sent.or(lower.retry_maybe_sent),
            retry_stalled_stream: self.retry_stalled_stream.or(lower.retry_stalled_stream),
        }
    }
}

/// App attribution headers: sent only when set.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Attribution {
    pub(crate) referer: Option<http::HeaderValue>,
    pub(crate) title: Option<http::HeaderValue>,
    pub(crate) categories: Option<http::HeaderValue>,
}

impl Attribution {
    /// Inserts the headers that are set.
    pub(crate) fn insert_into(&self, h: &mut http::HeaderMap) {
        for (name, value) in [
            (crate::headers::HTTP_REFERER, &self.referer),
            (crate::headers::X_OPENROUTER_TITLE, &self.title),
            (crate::headers::X_OPENROUTER_CATEGORIES, &self.categories),
        ] {
            if let Some(v) = value {
                h.insert(name, v.clone());
            }
        }
    }
}

/// Timeouts after merging every level: `None` means no limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ResolvedTimeouts {
    pub(crate) attempt: Option<Duration>,
    pub(crate) total: Option<Duration>,
    pub(crate) stream_idle: Option<Duration>,
    pub(crate) stream_first_content: Option<Duration>,
}

impl ResolvedTimeouts {
    pub(crate) fn resolve(call: TimeoutConfig, client: TimeoutConfig) -> Self {
        let merged = call.or(client).or(defaults::timeouts());
        ResolvedTimeouts {
            attempt: merged.attempt.get(),
            total: merged.total.get(),
            stream_idle: merged.stream_idle.get(),
            stream_first_content: merged.stream_first_content.get(),
        }
    }
}

/// Retry policy after merging every level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ResolvedRetry {
    pub(crate) max_retries: u32,
    pub(crate) initial_backoff: Duration,
    pub(crate) max_backoff: Duration,
    pub(crate) max_retry_after: Duration,
    pub(crate) retry_maybe_sent: bool,
    pub(crate) retry_stalled_stream: bool,
}

impl ResolvedRetry {
    pub(crate) fn resolve(call: RetryConfig, client: RetryConfig) -> Self {
        let merged = call.or(client).or(defaults::retry());
        ResolvedRetry {
            max_retries: merged.max_retries.get().unwrap_or(0),
            initial_backoff: merged.initial_backoff.get().unwrap_or(Duration::ZERO),
            max_backoff: merged.max_backoff.get().unwrap_or(Duration::ZERO),
            max_retry_after: merged.max_retry_after.get().unwrap_or(Duration::ZERO),
            retry_maybe_sent: merged.retry_maybe_sent.get().unwrap_or(false),
            retry_stalled_stream: merged.retry_stalled_stream.get().unwrap_or(false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: fn(u64) -> Duration = Duration::from_secs;

    /// One row of the precedence table per case: (call, client, expected attempt timeout).
    #[test]
    fn timeout_precedence_rows() {
        let default_attempt = defaults::timeouts().attempt.get();
        let rows: [(TimeoutConfig, TimeoutConfig, Option<Duration>); 6] = [
            // Nothing set anywhere: the library default.
            (TimeoutConfig::new(), TimeoutConfig::new(), default_attempt),
            // Client sets it: the client's value.
            (
                TimeoutConfig::new(),
                TimeoutConfig::new().attempt(S(5)),
                Some(S(5)),
            ),
            // Call sets it: the call wins over the client.
            (
                TimeoutConfig::new().attempt(S(1)),
                TimeoutConfig::new().attempt(S(5)),
                Some(S(1)),
            ),
            // Call disables it: no limit, whatever the client says.
            (
                TimeoutConfig::new().no_attempt_timeout(),
                TimeoutConfig::new().attempt(S(5)),
                None,
            ),
            // Client disables it and the call says nothing: no limit.
            (
                TimeoutConfig::new(),
                TimeoutConfig::new().no_attempt_timeout(),
                None,
            ),
            // Client disables it, the call sets it: the call's value.
            (
                TimeoutConfig::new().attempt(S(2)),
                TimeoutConfig::new().no_attempt_timeout(),
                Some(S(2)),
            ),
        ];
        for (i, (call, client, want)) in rows.into_iter().enumerate() {
            assert_eq!(
                ResolvedTimeouts::resolve(call, client).attempt,
                want,
                "row {i}"
            );
        }
    }

    #[test]
    fn fields_merge_independently() {
        let call = TimeoutConfig::new().total(S(9));
        let client = TimeoutConfig::new()
            .attempt(S(3))
            .total(S(60))
            .no_stream_idle_timeout();
        let r = ResolvedTimeouts::resolve(call, client);
        assert_eq!(r.attempt, Some(S(3)));
        assert_eq!(r.total, Some(S(9)));
        assert_eq!(r.stream_idle, None);
    }

    #[test]
    fn retry_precedence_rows() {
        let d = defaults::retry().max_retries.get().unwrap();
        let rows: [(RetryConfig, RetryConfig, u32); 5] = [
            (RetryConfig::new(), RetryConfig::new(), d),
            (RetryConfig::new(), RetryConfig::new().max_retries(5), 5),
            (
                RetryConfig::new().max_retries(1),
                RetryConfig::new().max_retries(5),
                1,
            ),
            (
                RetryConfig::disabled(),
                RetryConfig::new().max_retries(5),
                0,
            ),
            (
                RetryConfig::new().max_retries(4),
                RetryConfig::disabled(),
                4,
            ),
        ];
        for (i, (call, client, want)) in rows.into_iter().enumerate() {
            assert_eq!(
                ResolvedRetry::resolve(call, client).max_retries,
                want,
                "row {i}"
            );
        }
        let r = ResolvedRetry::resolve(
            RetryConfig::new().retry_maybe_sent(true),
            RetryConfig::new(),
        );
        assert!(r.retry_maybe_sent);
        assert!(!ResolvedRetry::resolve(RetryConfig::new(), RetryConfig::new()).retry_maybe_sent);
    }
}
