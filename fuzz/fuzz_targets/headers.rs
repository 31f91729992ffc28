//! Header parsing: `Retry-After` (seconds, a number, an HTTP date), `retry-after-ms`, the
//! `X-RateLimit-Reset` a 429's body carries, the retry decision on a status, the
//! `Content-Type` of an event stream; and proxy URLs, whose credentials must never be shown.
#![no_main]

use std::time::Duration;

use arbitrary::Arbitrary;
use http::{HeaderMap, HeaderValue, StatusCode};
use libfuzzer_sys::fuzz_target;
use openrouter::fuzzing;
use openrouter_transport::{HyperTransport, Proxy};

#[derive(Arbitrary, Debug)]
enum Reset {
    Absent,
    Number(f64),
    Integer(i64),
    Text(String),
    Other(bool),
}

#[derive(Arbitrary, Debug)]
struct Input {
    retry_after: Option<Vec<u8>>,
    retry_after_ms: Option<Vec<u8>>,
    reset: Reset,
    status: u16,
    repeatable: bool,
    /// A proxy URL is built from these around a password that must not leak.
    proxy: Option<(String, String, String, String)>,
    /// A path parameter: it must stay one segment.
    segment: String,
}

/// A path parameter's encoding is one segment that decodes back to it.
fn check_segment(s: &str) {
    let out = fuzzing::encode_component(s);
    assert!(out != "." && out != "..", "{s:?} gives {out:?}");
    assert!(!s.is_empty() || out.is_empty());
    let mut decoded = Vec::new();
    let mut bytes = out.bytes();
    while let Some(b) = bytes.next() {
        assert!(
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'~' | b'.' | b'%'),
            "{s:?} gives {out:?}"
        );
        if b == b'%' {
            let hex: String = [bytes.next().unwrap(), bytes.next().unwrap()]
                .iter()
                .map(|&b| b as char)
                .collect();
            decoded.push(u8::from_str_radix(&hex, 16).unwrap());
        } else {
            decoded.push(b);
        }
    }
    assert_eq!(decoded, s.as_bytes());
}

/// What the seconds or milliseconds of a header give as a wait, as documented.
fn wait(secs: f64) -> Option<Duration> {
    if secs.is_nan() || secs < 0.0 {
        return None;
    }
    Some(Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX))
}

const SECRET: &str = "Pw7Qx9Zr";

fn check_proxy(scheme: &str, user: &str, host: &str, tail: &str) {
    let url = format!("{scheme}://{user}:{SECRET}@{host}{tail}");
    if url.matches(SECRET).count() != 1 {
        return;
    }
    let proxy = Proxy::all(url.clone());
    let shown = format!("{proxy:?}");
    assert!(!shown.contains(SECRET), "Debug shows the password: {shown}");
    let built = HyperTransport::builder().proxy(proxy).build();
    match built {
        Ok(transport) => {
            let shown = format!("{transport:?}");
            assert!(!shown.contains(SECRET), "Debug shows the password: {shown}");
        }
        Err(e) => {
            let shown = format!("{e} {e:?}");
            assert!(
                !shown.contains(SECRET),
                "the error shows the password: {shown}"
            );
        }
    }
}

fuzz_target!(|input: Input| {
    let mut headers = HeaderMap::new();
    let ms = input
        .retry_after_ms
        .as_deref()
        .and_then(|v| HeaderValue::from_bytes(v).ok());
    let secs = input
        .retry_after
        .as_deref()
        .and_then(|v| HeaderValue::from_bytes(v).ok());
    if let Some(v) = &ms {
        headers.insert("retry-after-ms", v.clone());
    }
    if let Some(v) = &secs {
        headers.insert(http::header::RETRY_AFTER, v.clone());
    }
    let got = fuzzing::retry_after(&headers);

    // `retry-after-ms` wins when it is a wait.
    let ms_wait = ms
        .as_ref()
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok())
        .and_then(|v| wait(v / 1000.0));
    if let Some(expected) = ms_wait {
        assert_eq!(got, Some(expected));
    } else if let Some(text) = secs.as_ref().and_then(|v| v.to_str().ok()) {
        let text = text.trim();
        if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
            let expected = text.parse().map_or(Duration::MAX, Duration::from_secs);
            assert_eq!(got, Some(expected), "{text:?}");
        } else if let Ok(n) = text.parse::<f64>() {
            assert_eq!(got, wait(n), "{text:?}");
        }
    } else {
        assert_eq!(got, None);
    }

    // A 429's reset time, in its body's metadata.
    let value = match &input.reset {
        Reset::Absent => None,
        Reset::Number(n) => serde_json::Number::from_f64(*n).map(serde_json::Value::Number),
        Reset::Integer(n) => Some(serde_json::Value::from(*n)),
        Reset::Text(s) => Some(serde_json::Value::String(s.clone())),
        Reset::Other(b) => Some(serde_json::Value::Bool(*b)),
    };
    let metadata = value.map(|v| {
        let mut h = serde_json::Map::new();
        h.insert("X-RateLimit-Reset".into(), v);
        let mut m = serde_json::Map::new();
        m.insert("headers".into(), serde_json::Value::Object(h));
        m
    });
    if let Some(reset) = fuzzing::rate_limit_reset(metadata.as_ref()) {
        assert!(reset > Duration::ZERO);
    }

    if let Ok(status) = StatusCode::from_u16(input.status) {
        let retried = fuzzing::status_is_retryable(status, &headers, input.repeatable);
        if status.is_success() || status.is_redirection() {
            assert!(!retried, "{status}");
        }
        if input.status == 402 {
            assert_eq!(retried, got.is_some());
        }
    }

    if let Some(text) = secs.as_ref().and_then(|v| v.to_str().ok()) {
        let _ = fuzzing::is_event_stream(text);
    }

    check_segment(&input.segment);

    if let Some((user, host, tail, scheme)) = &input.proxy {
        let scheme = match scheme.len() % 4 {
            0 => "http",
            1 => "socks5",
            2 => "socks5h",
            _ => scheme.as_str(),
        };
        check_proxy(scheme, user, host, tail);
    }
});
