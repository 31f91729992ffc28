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

/// Whether a response status is worth retrying, for a request that is `repeatable` (an
/// idempotent method, an `Idempotency-Key`, or the caller's `retry_maybe_sent`).
///
/// 504 and 524 are gateway timeouts: the origin may still be running the request (and
/// billing it), so they are retried only for a repeatable request.
pub(crate) fn status_is_retryable(
    status: StatusCode,
    headers: &HeaderMap,
    repeatable: bool,
) -> bool {
    let code = status.as_u16();
    if GATEWAY_TIMEOUTS.contains(&code) {
        return repeatable;
    }
    if RETRY_STATUSES.contains(&code) {
        return true;
    }
    // OpenRouter's in-flight budget answers 402 with Retry-After; a 402 without it means the
    // account has no credits, and retrying cannot help.
    status == StatusCode::PAYMENT_REQUIRED && retry_after(headers).is_some()
}

/// Statuses that say a gateway gave up waiting for the origin, which may still run the request.
const GATEWAY_TIMEOUTS: &[u16] = &[504, 524];

/// A wait of `secs` seconds; a value too large for a `Duration` saturates (so the caller's
/// bound rejects it) instead of panicking. Negative, NaN and infinite values are not waits.
fn secs_f64(secs: f64) -> Option<Duration> {
    if secs.is_nan() || secs < 0.0 {
        return None;
    }
    Some(Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX))
}

/// `retry-after-ms`, else `Retry-After` as seconds or as an HTTP date. Total: any header
/// value gives an answer or `None`, never a panic; a value too large to represent is
/// [`Duration::MAX`].
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    if let Some(ms) = headers
        .get(&headers::RETRY_AFTER_MS)
        .and_then(|v| v.to_str().ok())
    {
        if let Ok(ms) = ms.trim().parse::<f64>() {
            if let Some(d) = secs_f64(ms / 1000.0) {
                return Some(d);
            }
        }
    }
    let value = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Digits only: whole seconds, saturating when there are too many of them.
        return Some(
            value
                .parse::<u64>()
                .map_or(Duration::MAX, Duration::from_secs),
        );
    }
    if let Ok(secs) = value.parse::<f64>() {
        return secs_f64(secs);
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// When a rate limit resets, from the `X-RateLimit-Reset` value (epoch milliseconds, as a
/// number or a string) that OpenRouter copies into `error.metadata.headers` of a 429; `None`
/// when absent, unreadable or already past.
pub(crate) fn rate_limit_reset(
    metadata: Option<&serde_json::Map<String, serde_json::Value>>,
) -> Option<Duration> {
    let headers = metadata?.get("headers")?.as_object()?;
    let value = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("x-ratelimit-reset"))?
        .1;
    let reset_ms = match value {
        serde_json::Value::Number(n) => n.as_f64()?,
        serde_json::Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    let now_ms = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .ok()?
        .as_secs_f64()
        * 1000.0;
    let wait_ms = reset_ms - now_ms;
    // Past, now, or not a number: no wait to honour.
    if wait_ms.is_nan() || wait_ms <= 0.0 {
        return None;
    }
    secs_f64(wait_ms / 1000.0)
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
    /// The server answered with this status (for a 200 whose body is an error, the error's
    /// code).
    Status(StatusCode),
}

/// Whether to retry, and after how long. `attempt` counts from 1 (the attempt that failed);
/// `repeatable` says whether the request may be sent twice without a second effect (an
/// idempotent method, or an `Idempotency-Key`); `asked` is how long the server asked to wait
/// (`Retry-After`, or a rate limit's reset time).
///
/// A server that asks for longer than the policy's `max_retry_after` is not retried early:
/// the call gives up at once, and the error carries the wait it asked for.
pub(crate) fn decide(
    policy: &ResolvedRetry,
    repeatable: bool,
    failure: Failure,
    headers: Option<&HeaderMap>,
    asked: Option<Duration>,
    attempt: u32,
) -> Option<Duration> {
    if attempt > policy.max_retries {
        return None;
    }
    let repeatable = repeatable || policy.retry_maybe_sent;
    let retry = match failure {
        Failure::NotSent => true,
        Failure::MaybeSent => repeatable,
        Failure::Status(s) => {
            status_is_retryable(s, headers.unwrap_or(&HeaderMap::new()), repeatable)
        }
    };
    if !retry {
        return None;
    }
    match asked {
        Some(d) if d > policy.max_retry_after => None,
        Some(d) => Some(d),
        None => Some(backoff(policy, attempt, fastrand::f64())),
    }
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
            max_retry_after: Duration::from_secs(60),
            retry_maybe_sent: false,
            retry_stalled_stream: false,
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

    /// `decide` as the loop calls it, with the wait read from the headers.
    fn check(
        p: &ResolvedRetry,
        method: Method,
        failure: Failure,
        h: Option<&HeaderMap>,
        attempt: u32,
    ) -> Option<Duration> {
        let asked = h.and_then(retry_after);
        decide(p, is_idempotent(&method), failure, h, asked, attempt)
    }

    fn status(s: u16) -> Failure {
        Failure::Status(StatusCode::from_u16(s).unwrap())
    }

    #[test]
    fn retry_classes() {
        let p = policy();
        let none = HeaderMap::new();
        for s in RETRY_STATUSES {
            let post = check(&p, Method::POST, status(*s), Some(&none), 1);
            let get = check(&p, Method::GET, status(*s), Some(&none), 1);
            assert!(get.is_some(), "GET {s}");
            // A gateway timeout may leave the origin running: a POST is not sent again.
            assert_eq!(post.is_some(), !matches!(s, 504 | 524), "POST {s}");
        }
        for s in [400u16, 401, 403, 404, 409, 413, 422, 402, 501] {
            assert!(
                check(&p, Method::POST, status(s), Some(&none), 1).is_none(),
                "{s}"
            );
        }
        let with_retry_after = headers(&[("retry-after", "1")]);
        assert!(check(&p, Method::POST, status(402), Some(&with_retry_after), 1).is_some());
        assert!(check(&p, Method::POST, Failure::NotSent, None, 1).is_some());
        assert!(
            check(&p, Method::POST, Failure::MaybeSent, None, 1).is_none(),
            "maybe-sent POST"
        );
        assert!(
            check(&p, Method::PATCH, Failure::MaybeSent, None, 1).is_none(),
            "maybe-sent PATCH"
        );
        assert!(
            check(&p, Method::GET, Failure::MaybeSent, None, 1).is_some(),
            "maybe-sent GET"
        );
        let opt_in = ResolvedRetry {
            retry_maybe_sent: true,
            ..p
        };
        assert!(check(&opt_in, Method::POST, Failure::MaybeSent, None, 1).is_some());
        assert!(check(&opt_in, Method::POST, status(524), Some(&none), 1).is_some());
        // An Idempotency-Key makes a POST repeatable.
        assert!(decide(&p, true, status(504), Some(&none), None, 1).is_some());
    }

    #[test]
    fn max_attempts() {
        let p = policy();
        assert!(check(&p, Method::GET, Failure::NotSent, None, 3).is_some());
        assert!(check(&p, Method::GET, Failure::NotSent, None, 4).is_none());
        let off = ResolvedRetry {
            max_retries: 0,
            ..p
        };
        assert!(check(&off, Method::GET, Failure::NotSent, None, 1).is_none());
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
        assert_eq!(retry_after(&headers(&[("retry-after", "-3")])), None);
        assert_eq!(retry_after(&headers(&[("retry-after", "NaN")])), None);
        assert_eq!(retry_after(&headers(&[])), None);
    }

    /// Values too large for a `Duration` saturate instead of panicking.
    #[test]
    fn huge_retry_after_values_saturate() {
        for (name, value) in [
            ("retry-after", "1e300"),
            ("retry-after", "99999999999999999999"),
            ("retry-after", "18446744073709551616"),
            ("retry-after", "inf"),
            ("retry-after-ms", "1e30"),
            ("retry-after-ms", "1e308"),
        ] {
            assert_eq!(
                retry_after(&headers(&[(name, value)])),
                Some(Duration::MAX),
                "{name}: {value}"
            );
        }
    }

    /// Any header value at all: an answer or `None`, never a panic (a property over many
    /// generated values, on stable, without a fuzzer).
    #[test]
    fn retry_after_parsing_is_total() {
        let pieces = [
            "",
            "0",
            "1",
            "-",
            "+",
            ".",
            "e",
            "E",
            "9",
            "99999999999999999999",
            "1e308",
            "1e-308",
            "inf",
            "NaN",
            " ",
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Fri, 31 Dec 9999 23:59:59 GMT",
            "0x10",
            "1_000",
            "\t",
            ",",
            "ms",
            "-0",
            "e999",
            "4294967296",
        ];
        let mut rng = fastrand::Rng::with_seed(7);
        let p = policy();
        for _ in 0..20_000 {
            let mut value = String::new();
            for _ in 0..rng.usize(1..4) {
                value.push_str(pieces[rng.usize(..pieces.len())]);
            }
            let Ok(v) = http::HeaderValue::from_str(&value) else {
                continue;
            };
            for name in ["retry-after", "retry-after-ms"] {
                let mut h = HeaderMap::new();
                h.insert(http::HeaderName::from_static(name), v.clone());
                let asked = retry_after(&h);
                let wait = decide(&p, true, status(429), Some(&h), asked, 1);
                // The wait is within the bound whatever the server asked.
                assert!(
                    wait.is_none_or(|w| w <= p.max_retry_after),
                    "{name}: {value}"
                );
            }
        }
    }

    #[test]
    fn long_retry_after_gives_up_at_once() {
        let p = policy();
        let h = headers(&[("retry-after", "3600")]);
        assert_eq!(
            check(&p, Method::GET, status(429), Some(&h), 1),
            None,
            "an hour is longer than the bound: not retried early"
        );
        // Within the bound it is honoured as asked, even above the backoff cap.
        let h = headers(&[("retry-after", "30")]);
        assert_eq!(
            check(&p, Method::GET, status(429), Some(&h), 1),
            Some(Duration::from_secs(30))
        );
    }

    #[test]
    fn rate_limit_reset_from_error_metadata() {
        let now_ms = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64;
        let meta = |v: serde_json::Value| {
            serde_json::json!({"headers": {"X-RateLimit-Limit": "20", "X-RateLimit-Reset": v}})
                .as_object()
                .cloned()
        };
        let d = rate_limit_reset(meta(serde_json::json!((now_ms + 5000).to_string())).as_ref())
            .unwrap();
        assert!(
            d > Duration::from_secs(3) && d <= Duration::from_secs(5),
            "{d:?}"
        );
        let d = rate_limit_reset(meta(serde_json::json!(now_ms + 2000)).as_ref()).unwrap();
        assert!(d <= Duration::from_secs(2), "{d:?}");
        assert_eq!(
            rate_limit_reset(meta(serde_json::json!(now_ms - 1000)).as_ref()),
            None
        );
        assert_eq!(
            rate_limit_reset(meta(serde_json::json!("soon")).as_ref()),
            None
        );
        // A reset beyond what a `Duration` holds saturates, and the bound then refuses it.
        assert_eq!(
            rate_limit_reset(meta(serde_json::json!("1e400")).as_ref()),
            Some(Duration::MAX)
        );
        assert_eq!(rate_limit_reset(None), None);
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
