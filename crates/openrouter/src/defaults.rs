//! The library defaults, in one place. Client and call settings override them field by field
//! (see [`config`](crate::config)).
//!
//! | setting | default | why |
//! | --- | --- | --- |
//! | base URL | `https://openrouter.ai/api/v1` | OpenRouter's API |
//! | attempt timeout | 10 minutes | a non-streamed completion from a reasoning model sends its headers only when done |
//! | total timeout | none | the attempt and idle timeouts bound a call already; set one for a hard budget |
//! | stream idle timeout | 5 minutes | long enough for slow first tokens, short enough to catch a stalled relay |
//! | stream first-content timeout | 5 minutes | as long as a stream may sit idle: a stream that sends only keep-alives and empty chunks for that long is stalled, though each empty chunk resets the idle timeout |
//! | reopen a stalled stream | no | the stalled request may have run and billed its prompt; a caller opts in |
//! | max retries | 2 | three attempts |
//! | backoff | 500 ms doubling to 8 s, full jitter | |
//! | longest `Retry-After` honoured | 60 s | rate limits reset within a minute; a longer wait is the caller's decision, so the call gives up at once with the asked wait |
//! | retry a maybe-sent POST | no | it may run (and bill) twice |
//! | connect timeout | 10 s | set on the transport |
//! | largest response body read whole | 64 MiB | a `/models` listing is about 1 MB, a chat result with several base64 images tens of MB; a body larger than this is not an answer to hold in memory (use a download) |
//! | largest stream event | 32 MiB | one image-generation event carries a base64 image (a few MB, 10-20 MB for the largest sizes); a line that never ends must not grow without bound |
//! | error body read | 1 MiB | covers real error bodies (a provider's raw upstream error, `previous_errors`) so they keep their typed error |

use std::time::Duration;

use crate::config::{RetryConfig, Setting, TimeoutConfig};

/// OpenRouter's API base URL.
pub const BASE_URL: &str = "https://openrouter.ai/api/v1";

/// Per-attempt timeout (until response headers, and a body read whole).
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(600);

/// Longest wait between two data events of a stream.
pub const STREAM_IDLE_TIMEOUT: Duration = Duration::from_secs(300);

/// Longest wait for a stream's first event with content.
pub const STREAM_FIRST_CONTENT_TIMEOUT: Duration = Duration::from_secs(300);

/// Retries after the first attempt.
pub const MAX_RETRIES: u32 = 2;

/// Upper bound of the first backoff.
pub const INITIAL_BACKOFF: Duration = Duration::from_millis(500);

/// Largest backoff the client draws for itself.
pub const MAX_BACKOFF: Duration = Duration::from_secs(8);

/// The longest wait a server may ask for (`Retry-After`, a rate limit's reset) and be retried.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// The largest successful response body read whole (a JSON answer), in bytes.
pub const MAX_RESPONSE_BODY: usize = 64 * 1024 * 1024;

/// The largest stream event (one line, or the joined data of one event), in bytes.
pub const MAX_STREAM_EVENT: usize = 32 * 1024 * 1024;

/// The most of an error body that is read (a JSON error up to this size keeps its typed body).
pub const MAX_ERROR_READ: usize = 1024 * 1024;

/// The largest error body kept as raw text on an error.
pub const MAX_ERROR_BODY: usize = 16 * 1024;

/// The library's timeouts, as the lowest precedence level.
pub fn timeouts() -> TimeoutConfig {
    TimeoutConfig {
        attempt: Setting::Set(ATTEMPT_TIMEOUT),
        total: Setting::Disabled,
        stream_idle: Setting::Set(STREAM_IDLE_TIMEOUT),
        stream_first_content: Setting::Set(STREAM_FIRST_CONTENT_TIMEOUT),
    }
}

/// The library's retry policy, as the lowest precedence level.
pub fn retry() -> RetryConfig {
    RetryConfig {
        max_retries: Setting::Set(MAX_RETRIES),
        initial_backoff: Setting::Set(INITIAL_BACKOFF),
        max_backoff: Setting::Set(MAX_BACKOFF),
        max_retry_after: Setting::Set(MAX_RETRY_AFTER),
        retry_maybe_sent: Setting::Set(false),
        retry_stalled_stream: Setting::Set(false),
    }
}
