//! The retry classes and the backoff, in one place.
//!
//! The orchestration loop (in [`client`](crate::client)) asks [`decide`] after each failed
//! attempt; everything about *whether* and *how long* lives here.

use std::time::{Duration, SystemTime};

use http::{HeaderMap, Method, StatusCode};

use crate::config::ResolvedRetry;
use crate::headers;

/// Statuses retried by default. 402 is retried only when it carries `Retry-After` (OpenRouter's
/// in-flight budget; without it the account is out of credits).
pub const RETRY_STATUSES: &[u16] = &[408, 429, 500, 502, 503, 504, 524, 529];

/// Whether a response status is worth retrying.
pub(crate) fn status_is_retryable(status: StatusCode, headers: &HeaderMap) -> bool {
    if RETRY_STATUSES.contains(&status.as_u16()) {
        return true;
    }
    // OpenRouter's in-flight budget answers 402 with Retry-After; a 402 without it means the
    // account has no credits, and retrying cannot help.
    status == StatusCode::PAYMENT_REQUIRED && retry_after(headers).is_some()
}

/// `retry-after-ms`, else `Retry-After` as seconds or as an HTTP date.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    if let Some(ms) = headers
        .get(&headers::RETRY_AFTER_MS)
        .and_then(|v| v.to_str().ok())
    {
        if let Ok(ms) = ms.trim().parse::<f64>() {
            if ms.is_finite() && ms >= 0.0 {
                return Some(Duration::from_secs_f64(ms / 1000.0));
            }
        }
    }
    let value = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = value.parse::<f64>() {
        if secs.is_finite() && secs >= 0.0 {
            return Some(Duration::from_secs_f64(secs));
        }
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// Methods that may be repeated without a second effect, so a request that may have reached the
/// server can be retried.
pub(crate) fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
    )
}

/// What went wrong with one attempt, as far as retrying is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The request never reached the server (connect failure).
    NotSent,
    /// It may have reached the server, and no answer came (a read timeout, a reset).
    MaybeSent,
    /// The server answered with this status.
    Status(StatusCode),
}

/// Whether to retry, and after how long. `attempt` counts from 1 (the attempt that failed);
/// `repeatable` says whether the request may be sent twice without a second effect (an
/// idempotent method, or an `Idempotency-Key`).
pub(crate) fn decide(
    policy: &ResolvedRetry,
    repeatable: bool,
    failure: Failure,
    headers: Option<&HeaderMap>,
    attempt: u32,
) -> Option<Duration> {
    if attempt > policy.max_retries {
        return None;
    }
    let retry = match failure {
        Failure::NotSent => true,
        Failure::MaybeSent => repeatable || policy.retry_maybe_sent,
        Failure::Status(s) => status_is_retryable(s, headers.unwrap_or(&HeaderMap::new())),
    };
    if !retry {
        return None;
    }
    let asked = headers.and_then(retry_after);
    Some(match asked {
        // The server said how long: wait that long, but never more than the cap.
        Some(d) => d.min(policy.max_backoff),
        None => backoff(policy, attempt, fastrand::f64()),
    })
}

/// Exponential backoff with full jitter: a uniform wait in `[0, min(max, initial * 2^(n-1))]`.
/// `unit` is the random draw in `[0, 1)`, passed in so tests can pin it.
pub(crate) fn backoff(policy: &ResolvedRetry, attempt: u32, unit: f64) -> Duration {
    let exp = attempt.saturating_sub(1).min(30);
    let ceiling = policy
        .initial_backoff
        .saturating_mul(1u32 << exp)
        .min(policy.max_backoff);
    ceiling.mul_f64(unit.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> ResolvedRetry {
        ResolvedRetry {
            max_retries: 3,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(1),
            retry_maybe_sent: false,
        }
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    #[test]
    fn retry_classes() {
        let p = policy();
        let none = HeaderMap::new();
        for s in RETRY_STATUSES {
            let st = StatusCode::from_u16(*s).unwrap();
            assert!(
                decide(
                    &p,
                    is_idempotent(&Method::POST),
                    Failure::Status(st),
                    Some(&none),
                    1
                )
                .is_some(),
                "{s}"
            );
        }
        for s in [400u16, 401, 403, 404, 409, 413, 422, 402, 501] {
            let st = StatusCode::from_u16(s).unwrap();
            assert!(
                decide(
                    &p,
                    is_idempotent(&Method::POST),
                    Failure::Status(st),
                    Some(&none),
                    1
                )
                .is_none(),
                "{s}"
            );
        }
        let with_retry_after = headers(&[("retry-after", "1")]);
        assert!(decide(
            &p,
            is_idempotent(&Method::POST),
            Failure::Status(StatusCode::PAYMENT_REQUIRED),
            Some(&with_retry_after),
            1
        )
        .is_some());
        assert!(decide(&p, is_idempotent(&Method::POST), Failure::NotSent, None, 1).is_some());
        assert!(
            decide(
                &p,
                is_idempotent(&Method::POST),
                Failure::MaybeSent,
                None,
                1
            )
            .is_none(),
            "maybe-sent POST"
        );
        assert!(
            decide(
                &p,
                is_idempotent(&Method::PATCH),
                Failure::MaybeSent,
                None,
                1
            )
            .is_none(),
            "maybe-sent PATCH"
        );
        assert!(
            decide(&p, is_idempotent(&Method::GET), Failure::MaybeSent, None, 1).is_some(),
            "maybe-sent GET"
        );
        let opt_in = ResolvedRetry {
            retry_maybe_sent: true,
            ..p
        };
        assert!(decide(
            &opt_in,
            is_idempotent(&Method::POST),
            Failure::MaybeSent,
            None,
            1
        )
        .is_some());
    }

    #[test]
    fn max_attempts() {
        let p = policy();
        assert!(decide(&p, is_idempotent(&Method::GET), Failure::NotSent, None, 3).is_some());
        assert!(decide(&p, is_idempotent(&Method::GET), Failure::NotSent, None, 4).is_none());
        let off = ResolvedRetry {
            max_retries: 0,
            ..p
        };
        assert!(decide(&off, is_idempotent(&Method::GET), Failure::NotSent, None, 1).is_none());
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(
            retry_after(&headers(&[("retry-after", "3")])),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            retry_after(&headers(&[("retry-after", "1.5")])),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(
            retry_after(&headers(&[("retry-after-ms", "250")])),
            Some(Duration::from_millis(250))
        );
        // retry-after-ms wins over Retry-After.
        assert_eq!(
            retry_after(&headers(&[("retry-after", "9"), ("retry-after-ms", "20")])),
            Some(Duration::from_millis(20))
        );
        let future = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(30));
        let d = retry_after(&headers(&[("retry-after", &future)])).unwrap();
        assert!(
            d > Duration::from_secs(28) && d <= Duration::from_secs(30),
            "{d:?}"
        );
        let past = httpdate::fmt_http_date(SystemTime::now() - Duration::from_secs(30));
        assert_eq!(
            retry_after(&headers(&[("retry-after", &past)])),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after(&headers(&[("retry-after", "soon")])), None);
        assert_eq!(retry_after(&headers(&[])), None);
    }

    #[test]
    fn retry_after_is_capped() {
        let p = policy();
        let h = headers(&[("retry-after", "3600")]);
        let wait = decide(
            &p,
            is_idempotent(&Method::GET),
            Failure::Status(StatusCode::TOO_MANY_REQUESTS),
            Some(&h),
            1,
        );
        assert_eq!(wait, Some(p.max_backoff));
    }

    #[test]
    fn backoff_bounds_and_jitter() {
        let p = policy();
        assert_eq!(backoff(&p, 1, 0.0), Duration::ZERO);
        assert_eq!(backoff(&p, 1, 1.0), Duration::from_millis(100));
        assert_eq!(backoff(&p, 2, 1.0), Duration::from_millis(200));
        assert_eq!(backoff(&p, 3, 1.0), Duration::from_millis(400));
        assert_eq!(backoff(&p, 10, 1.0), Duration::from_secs(1), "capped");
        assert_eq!(backoff(&p, 3, 0.5), Duration::from_millis(200));
        // Full jitter: drawn waits spread over the whole range, never above it.
        let draws: Vec<Duration> = (0..2000).map(|_| backoff(&p, 3, fastrand::f64())).collect();
        assert!(draws.iter().all(|d| *d <= Duration::from_millis(400)));
        assert!(draws.iter().any(|d| *d < Duration::from_millis(100)));
        assert!(draws.iter().any(|d| *d > Duration::from_millis(300)));
    }
}
