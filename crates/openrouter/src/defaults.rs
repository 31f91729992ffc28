//! The library defaults, in one place. Client and call settings override them field by field
//! (see [`config`](crate::config)).
//!
//! | setting | default | why |
//! | --- | --- | --- |
//! | base URL | `https://openrouter.ai/api/v1` | OpenRouter's API |
//! | attempt timeout | 10 minutes | a non-streamed completion from a reasoning model sends its headers only when done |
//! | total timeout | none | the attempt and idle timeouts bound a call already; set one for a hard budget |
//! | stream idle timeout | 5 minutes | long enough for slow first tokens, short enough to catch a stalled relay |
//! | max retries | 2 | three attempts |
//! | backoff | 500 ms doubling to 8 s, full jitter | |
//! | retry a maybe-sent POST | no | it may run (and bill) twice |
//! | connect timeout | 10 s | set on the transport |

use std::time::Duration;

use crate::config::{RetryConfig, Setting, TimeoutConfig};

/// OpenRouter's API base URL.
pub const BASE_URL: &str = "https://openrouter.ai/api/v1";

/// Per-attempt timeout (until response headers, and a body read whole).
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(600);

/// Longest wait between two data events of a stream.
pub const STREAM_IDLE_TIMEOUT: Duration = Duration::from_secs(300);

/// Retries after the first attempt.
pub const MAX_RETRIES: u32 = 2;

/// Upper bound of the first backoff.
pub const INITIAL_BACKOFF: Duration = Duration::from_millis(500);

/// Largest backoff, and the longest `Retry-After` the client waits for.
pub const MAX_BACKOFF: Duration = Duration::from_secs(8);

/// The largest error body kept as raw text on an error.
pub const MAX_ERROR_BODY: usize = 16 * 1024;

/// The library's timeouts, as the lowest precedence level.
pub fn timeouts() -> TimeoutConfig {
    TimeoutConfig {
        attempt: Setting::Set(ATTEMPT_TIMEOUT),
        total: Setting::Disabled,
        stream_idle: Setting::Set(STREAM_IDLE_TIMEOUT),
    }
}

/// The library's retry policy, as the lowest precedence level.
pub fn retry() -> RetryConfig {
    RetryConfig {
        max_retries: Setting::Set(MAX_RETRIES),
        initial_backoff: Setting::Set(INITIAL_BACKOFF),
        max_backoff: Setting::Set(MAX_BACKOFF),
        retry_maybe_sent: Setting::Set(false),
    }
}
