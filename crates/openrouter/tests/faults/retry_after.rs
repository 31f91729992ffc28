//! `Retry-After` in every form (seconds, an HTTP date, `retry-after-ms`, huge, negative and
//! garbage values) on every retryable status, its bound (about a minute by default) and the
//! call's total deadline, and a 429's rate-limit reset time in its body.
//!
//! The clients here draw their own backoff from 1-10 ms, so a wait of a second can only come
//! from honouring what the server asked for.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::*;

const G: &str = "retry-after";

fn http_date(from_now: i64) -> String {
    let now = SystemTime::now();
    let t = if from_now >= 0 {
        now + Duration::from_secs(from_now as u64)
    } else {
        now - Duration::from_secs(from_now.unsigned_abs())
    };
    httpdate::fmt_http_date(t)
}

fn epoch_ms(from_now_ms: i64) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    (now + from_now_ms).to_string()
}

/// A 429 whose body carries the rate limit's reset time (epoch ms), without `Retry-After`.
fn rate_limited(reset: &str) -> bytes::Bytes {
    json(
        429,
        format!(
            r#"{{"error":{{"code":429,"message":"Rate limit exceeded: free-models-per-min","metadata":{{"headers":{{"X-RateLimit-Limit":"20","X-RateLimit-Remaining":"0","X-RateLimit-Reset":"{reset}"}}}}}}}}"#
        ),
    )
}

/// What a `Retry-After` form should lead to.
#[derive(Clone, Copy, Debug)]
enum Want {
    /// Retried promptly (the value is zero, in the past, tiny, or ignored as invalid).
    Retried,
    /// More than the bound: not retried, the error says how long was asked (at least this).
    GiveUp(Duration),
}

const HOUR: Duration = Duration::from_secs(3600);

/// Every form, for one status.
fn forms() -> Vec<(&'static str, String, Want)> {
    vec![
        ("retry-after", "0".into(), Want::Retried),
        ("retry-after", http_date(-30), Want::Retried),
        ("retry-after-ms", "5".into(), Want::Retried),
        ("retry-after", "3600".into(), Want::GiveUp(HOUR)),
        (
            "retry-after",
            http_date(7200),
            Want::GiveUp(Duration::from_secs(7000)),
        ),
        ("retry-after", "1e300".into(), Want::GiveUp(HOUR)),
        (
            "retry-after",
            "99999999999999999999".into(),
            Want::GiveUp(HOUR),
        ),
        ("retry-after-ms", "1e30".into(), Want::GiveUp(HOUR)),
        ("retry-after", "-5".into(), Want::Retried),
        ("retry-after-ms", "-5".into(), Want::Retried),
        ("retry-after-ms", "NaN".into(), Want::Retried),
        ("retry-after", "soon".into(), Want::Retried),
    ]
}

/// `GET /credits` answered `status` with each form, then a success.
fn matrix(status: u16) -> BoxFut {
    Box::pin(async move {
        let mut failures = Vec::new();
        for (name, value, want) in forms() {
            let server =
                Server::start(vec![answer(error(status, &[(name, &value)])), ok_credits()]).await;
            let client = builder(&server).build().map_err(|e| e.to_string())?;
            let start = Instant::now();
            let call = tokio::spawn(async move { perform(&client, Op::Credits).await });
            let (result, items) = match tokio::time::timeout(ms(3000), call).await {
                Ok(Ok(r)) => r,
                Ok(Err(e)) if e.is_panic() => {
                    failures.push(format!("{name}: {value}: panicked"));
                    continue;
                }
                Ok(Err(e)) => return Err(e.to_string()),
                Err(_) => {
                    failures.push(format!("{name}: {value}: no outcome within 3 s"));
                    continue;
                }
            };
            let o = Outcome {
                server,
                result,
                items,
                elapsed: start.elapsed(),
            };
            // A 402 is retried only when it says how long to wait.
            let want = match want {
                Want::Retried
                    if status == 402
                        && !matches!(value.as_str(), "0" | "5")
                        && !value.contains("GMT") =>
                {
                    None
                }
                w => Some(w),
            };
            let verdict = match want {
                Some(Want::Retried) => (|| {
                    o.ok()?;
                    o.attempts(2)?;
                    o.requests(2)?;
                    o.within(ms(1000))
                })(),
                Some(Want::GiveUp(at_least)) => (|| {
                    o.api(status)?;
                    o.attempts(1)?;
                    o.requests(1)?;
                    o.within(ms(1000))?;
                    o.retry_after("beyond the bound", |d| d.is_some_and(|d| d >= at_least))
                })(),
                None => (|| {
                    o.api(status)?;
                    o.attempts(1)?;
                    o.requests(1)
                })(),
            };
            if let Err(why) = verdict {
                failures.push(format!("{name}: {value}: {why}"));
            }
        }
        ensure!(failures.is_empty(), "{}", failures.join("; "));
        Ok(())
    })
}

macro_rules! matrix {
    ($status:literal) => {
        custom(
            G,
            concat!(
                "every Retry-After form on a GET answered ",
                stringify!($status)
            ),
            || matrix($status),
        )
        .watchdog(ms(30000))
    };
}

pub(crate) fn scenarios() -> Vec<Scenario> {
    vec![
        matrix!(408),
        matrix!(429),
        matrix!(500),
        matrix!(502),
        matrix!(503),
        matrix!(504),
        matrix!(524),
        matrix!(529),
        matrix!(402),
        case(
            G,
            "Retry-After: 1 (seconds) is waited for, beyond the client's own backoff",
            Op::Chat,
            || vec![answer(error(429, &[("retry-after", "1")])), ok_chat()],
            |o| {
                o.ok()?;
                o.attempts(2)?;
                o.requests(2)?;
                let gap = o.gap(0)?;
                ensure!(gap >= ms(900), "waited only {gap:?}");
                Ok(())
            },
        ),
        case(
            G,
            "Retry-After as an HTTP date 2 s ahead is waited for",
            Op::Chat,
            || {
                vec![
                    answer(error(503, &[("retry-after", &http_date(2))])),
                    ok_chat(),
                ]
            },
            |o| {
                o.ok()?;
                o.attempts(2)?;
                let gap = o.gap(0)?;
                ensure!(gap >= ms(900) && gap <= ms(2500), "waited {gap:?}");
                Ok(())
            },
        ),
        case(
            G,
            "retry-after-ms: 300 is waited for",
            Op::Chat,
            || vec![answer(error(429, &[("retry-after-ms", "300")])), ok_chat()],
            |o| {
                o.ok()?;
                o.attempts(2)?;
                let gap = o.gap(0)?;
                ensure!(gap >= ms(280) && gap < ms(1500), "waited {gap:?}");
                Ok(())
            },
        ),
        case(
            G,
            "retry-after-ms wins over Retry-After",
            Op::Chat,
            || {
                vec![
                    answer(error(
                        429,
                        &[("retry-after", "30"), ("retry-after-ms", "20")],
                    )),
                    ok_chat(),
                ]
            },
            |o| {
                o.ok()?;
                o.attempts(2)?;
                o.within(ms(1000))
            },
        ),
        case(
            G,
            "503 asking for 2 minutes (beyond the bound): gives up at once with retry_after",
            Op::Chat,
            || vec![answer(error(503, &[("retry-after", "120")])), ok_chat()],
            |o| {
                o.api(503)?;
                o.attempts(1)?;
                o.requests(1)?;
                o.within(ms(1000))?;
                o.retry_after("of 120 s", |d| d == Some(Duration::from_secs(120)))
            },
        ),
        case(
            G,
            "429 asking for 5 s with a total deadline of 1 s: gives up at once",
            Op::Chat,
            || vec![answer(error(429, &[("retry-after", "5")])), ok_chat()],
            |o| {
                o.api(429)?;
                o.attempts(1)?;
                o.requests(1)?;
                o.within(ms(500))?;
                o.retry_after("of 5 s", |d| d == Some(Duration::from_secs(5)))
            },
        )
        .client(|b| b.timeouts(TimeoutConfig::new().attempt(ms(400)).total(ms(1000)))),
        case(
            G,
            "a smaller max_retry_after set by the caller is the bound",
            Op::Chat,
            || vec![answer(error(429, &[("retry-after", "1")])), ok_chat()],
            |o| {
                o.api(429)?;
                o.attempts(1)?;
                o.within(ms(500))
            },
        )
        .client(|b| {
            b.retry(
                RetryConfig::new()
                    .max_retries(2)
                    .backoff(ms(1), ms(10))
                    .max_retry_after(ms(200)),
            )
        }),
        // --- the rate limit's reset time in a 429's body ---------------------------------
        case(
            G,
            "429 without Retry-After waits for X-RateLimit-Reset in its body",
            Op::Chat,
            || vec![answer(rate_limited(&epoch_ms(700))), ok_chat()],
            |o| {
                o.ok()?;
                o.attempts(2)?;
                let gap = o.gap(0)?;
                ensure!(gap >= ms(500) && gap < ms(2000), "waited {gap:?}");
                Ok(())
            },
        ),
        case(
            G,
            "429 whose X-RateLimit-Reset has passed: retried promptly",
            Op::Chat,
            || vec![answer(rate_limited(&epoch_ms(-5000))), ok_chat()],
            |o| {
                o.ok()?;
                o.attempts(2)?;
                o.within(ms(1000))
            },
        ),
        case(
            G,
            "429 whose X-RateLimit-Reset is an hour away: gives up at once",
            Op::Chat,
            || vec![answer(rate_limited(&epoch_ms(3_600_000))), ok_chat()],
            |o| {
                o.api(429)?;
                o.attempts(1)?;
                o.requests(1)?;
                o.within(ms(1000))?;
                o.retry_after("of about an hour", |d| {
                    d.is_some_and(|d| d > Duration::from_secs(3500) && d <= HOUR)
                })
            },
        ),
        case(
            G,
            "429 with a garbage X-RateLimit-Reset: the client's own backoff",
            Op::Chat,
            || vec![answer(rate_limited("tomorrow")), ok_chat()],
            |o| {
                o.ok()?;
                o.attempts(2)?;
                o.within(ms(1000))
            },
        ),
    ]
}
