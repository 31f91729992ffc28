//! Event streams: content types, empty events, mid-stream errors, cuts, stalls, keep-alive
//! comments, lines and events over the size limit, invalid UTF-8, and what comes instead of a
//! stream.

use openrouter::TimeoutKind;

use crate::*;

const G: &str = "sse";

fn chunk_json(content: &str) -> String {
    serde_json::json!({
        "id": "gen-s", "object": "chat.completion.chunk", "created": 1, "model": "m",
        "choices": [{"index": 0, "delta": {"content": content}}]
    })
    .to_string()
}

/// `data: <chunk>` and the blank line that ends the event.
fn ev(content: &str) -> String {
    format!("data: {}\n\n", chunk_json(content))
}

/// A chunked stream with this content type whose chunks are `events`, each in its own chunk,
/// then `tail` (what ends it).
fn stream_of(content_type: &str, events: &[String], tail: Vec<Act>) -> Vec<Script> {
    let mut s = vec![Act::Read, Act::Write(sse_head(content_type))];
    for e in events {
        s.push(w(chunk(e)));
    }
    s.extend(tail);
    vec![s]
}

/// The stream's last item is a stream error that `pred` accepts; `before` items came first.
fn ends_with(
    o: &Outcome,
    before: &[&str],
    what: &str,
    pred: impl Fn(&openrouter::StreamFailure) -> bool,
) -> Check {
    o.ok()?;
    ensure!(
        o.contents() == before,
        "expected {before:?} before the error, got {:?}",
        o.contents()
    );
    let errors = o.stream_errors();
    ensure!(
        errors.len() == 1,
        "expected one error item, got {}",
        errors.len()
    );
    ensure!(
        o.items.last().is_some_and(Result::is_err),
        "the error is not the last item"
    );
    match errors[0] {
        Error::Stream(s) if pred(s) => {}
        e => return Err(format!("expected {what}, got {}", short(e))),
    }
    // Nothing is retried once a stream has begun.
    o.attempts(1)?;
    o.requests(1)
}

/// A stream that ends cleanly with these contents after one exchange.
fn clean1(o: &Outcome, want: &[&str]) -> Check {
    clean(o, want)?;
    o.attempts(1)?;
    o.requests(1)
}

fn clean(o: &Outcome, want: &[&str]) -> Check {
    o.ok()?;
    let errors: Vec<String> = o.stream_errors().into_iter().map(short).collect();
    ensure!(errors.is_empty(), "unexpected error items: {errors:?}");
    ensure!(
        o.contents() == want,
        "expected {want:?}, got {:?}",
        o.contents()
    );
    Ok(())
}

/// A size-limit error: a stream error that is not a timeout, a truncation or a transport
/// failure, and ends the stream.
fn over_limit(o: &Outcome) -> Check {
    ends_with(o, &[], "an error for the event over the size limit", |s| {
        let e = s.stream_error();
        !e.is_timeout() && !e.is_truncated() && e.transport_error().is_none() && e.is_terminal()
    })?;
    o.within(ms(4000))
}

const DONE: &str = "data: [DONE]\n\n";

pub(crate) fn scenarios() -> Vec<Scenario> {
    vec![
        case(
            G,
            "Content-Type: Text/Event-Stream (upper case) is a stream",
            Op::Stream,
            || {
                stream_of(
                    "Text/Event-Stream",
                    &[ev("a"), ev("b"), DONE.into()],
                    vec![w(LAST_CHUNK)],
                )
            },
            |o| clean1(o, &["a", "b"]),
        ),
        case(
            G,
            "Content-Type: text/event-stream; charset=utf-8 is a stream",
            Op::Stream,
            || {
                stream_of(
                    "text/event-stream; charset=utf-8",
                    &[ev("a"), DONE.into()],
                    vec![w(LAST_CHUNK)],
                )
            },
            |o| clean1(o, &["a"]),
        ),
        case(
            G,
            "an empty data: event is skipped, not an error",
            Op::Stream,
            || {
                stream_of(
                    "text/event-stream",
                    &[
                        ev("a"),
                        "data:\n\n".into(),
                        "data: \n\n".into(),
                        ev("b"),
                        DONE.into(),
                    ],
                    vec![w(LAST_CHUNK)],
                )
            },
            |o| clean1(o, &["a", "b"]),
        ),
        case(
            G,
            "keep-alive comments between events are ignored",
            Op::Stream,
            || {
                stream_of(
                    "text/event-stream",
                    &[
                        ": OPENROUTER PROCESSING\n\n".into(),
                        ev("a"),
                        ": OPENROUTER PROCESSING\n\n".into(),
                        ev("b"),
                        DONE.into(),
                    ],
                    vec![w(LAST_CHUNK)],
                )
            },
            |o| clean1(o, &["a", "b"]),
        ),
        case(
            G,
            "mid-stream error chunk with a numeric code and provider metadata, no error_type",
            Op::Stream,
            || {
                let error = serde_json::json!({
                    "id": "gen-s", "object": "chat.completion.chunk", "created": 1, "model": "m",
                    "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": "error"}],
                    "error": {"code": 502, "message": "Provider returned error",
                              "metadata": {"provider_name": "Acme", "raw": {"detail": "upstream died"}}}
                });
                stream_of(
                    "text/event-stream",
                    &[ev("a"), format!("data: {error}\n\n"), ev("b"), DONE.into()],
                    vec![w(LAST_CHUNK)],
                )
            },
            |o| {
                // The chunk decodes (`error_type` is optional, as the API leaves it out), so its
                // empty content is delivered before the error, as for any chunk with an error.
                ends_with(
                    o,
                    &["a", ""],
                    "the mid-stream API error 502 from Acme",
                    |s| {
                        s.api_error().is_some_and(|e| {
                            e.code.as_status() == Some(502)
                                && e.provider().is_some_and(|p| p.provider_name == "Acme")
                                && e.error_type().is_none()
                        }) && !s.is_truncated()
                    },
                )
            },
        ),
        case(
            G,
            "mid-stream error chunk with a text code",
            Op::Stream,
            || {
                let error = r#"{"error":{"code":"server_error","message":"boom"}}"#;
                stream_of(
                    "text/event-stream",
                    &[ev("a"), format!("data: {error}\n\n"), DONE.into()],
                    vec![w(LAST_CHUNK)],
                )
            },
            |o| {
                ends_with(o, &["a"], "the mid-stream API error server_error", |s| {
                    s.api_error().is_some_and(|e| e.message == "boom")
                })
            },
        ),
        // --- cuts ------------------------------------------------------------------------
        case(
            G,
            "connection reset mid-stream: truncated",
            Op::Stream,
            || {
                stream_of(
                    "text/event-stream",
                    &[ev("a")],
                    vec![sleep_ms(20), Act::Reset],
                )
            },
            |o| {
                ends_with(o, &["a"], "a truncated stream", |s| s.is_truncated())?;
                o.requests(1)
            },
        ),
        case(
            G,
            "connection closed (FIN) mid-stream without the last chunk: truncated",
            Op::Stream,
            || {
                stream_of(
                    "text/event-stream",
                    &[ev("a")],
                    vec![sleep_ms(20), Act::Close],
                )
            },
            |o| {
                ends_with(o, &["a"], "a truncated stream", |s| s.is_truncated())?;
                o.requests(1)
            },
        ),
        case(
            G,
            "cut in the middle of an event: truncated",
            Op::Stream,
            || {
                stream_of(
                    "text/event-stream",
                    &[ev("a"), "data: {\"id\":\"gen-s\",\"obj".into()],
                    vec![sleep_ms(20), Act::Reset],
                )
            },
            |o| ends_with(o, &["a"], "a truncated stream", |s| s.is_truncated()),
        ),
        case(
            G,
            "the body ends cleanly without [DONE]: truncated",
            Op::Stream,
            || stream_of("text/event-stream", &[ev("a")], vec![w(LAST_CHUNK)]),
            |o| ends_with(o, &["a"], "a truncated stream", |s| s.is_truncated()),
        ),
        case(
            G,
            "a close-delimited stream ends without [DONE]: truncated",
            Op::Stream,
            || {
                vec![vec![
                    Act::Read,
                    w(head(
                        200,
                        &[
                            ("content-type", "text/event-stream"),
                            ("connection", "close"),
                        ],
                    )),
                    w(ev("a")),
                    sleep_ms(20),
                    Act::Close,
                ]]
            },
            |o| ends_with(o, &["a"], "a truncated stream", |s| s.is_truncated()),
        ),
        // --- stalls ----------------------------------------------------------------------
        case(
            G,
            "stall mid-stream: the idle timeout ends it",
            Op::Stream,
            || stream_of("text/event-stream", &[ev("a")], vec![Act::Stall]),
            |o| {
                ends_with(o, &["a"], "the idle timeout", |s| {
                    s.stream_error().is_timeout()
                })?;
                o.within(ms(2000))
            },
        ),
        case(
            G,
            "only keep-alive comments: the idle timeout still fires",
            Op::Stream,
            || {
                let mut tail = Vec::new();
                for _ in 0..100 {
                    tail.push(w(chunk(": OPENROUTER PROCESSING\n\n")));
                    tail.push(sleep_ms(50));
                }
                stream_of("text/event-stream", &[], tail)
            },
            |o| {
                ends_with(o, &[], "the idle timeout", |s| {
                    s.stream_error().is_timeout()
                })?;
                o.within(ms(2000))
            },
        ),
        case(
            G,
            "stall before the stream's head, POST: attempt timeout, not retried",
            Op::Stream,
            || vec![vec![Act::Read, Act::Stall]],
            |o| {
                o.timeout(TimeoutKind::Attempt)?;
                o.attempts(1)?;
                o.requests(1)
            },
        ),
        // --- size limits -----------------------------------------------------------------
        case(
            G,
            "a 40 MiB line (over the default limit) that never ends: a typed error, no timeout",
            Op::Stream,
            || {
                let mut tail = vec![w(chunk("data: "))];
                let block = chunk("a".repeat(1 << 20));
                for _ in 0..40 {
                    tail.push(Act::Write(block.clone()));
                }
                tail.push(Act::Stall);
                stream_of("text/event-stream", &[], tail)
            },
            over_limit,
        )
        .client(|b| b.timeouts(TimeoutConfig::new().attempt(ms(2000)).stream_idle(ms(5000))))
        .watchdog(ms(15000)),
        case(
            G,
            "a 40 MiB event of short data lines (over the default limit): a typed error",
            Op::Stream,
            || {
                let line = format!("data: {}\n", "b".repeat(1018));
                let block = chunk(line.repeat(1024));
                let mut tail = Vec::new();
                for _ in 0..40 {
                    tail.push(Act::Write(block.clone()));
                }
                tail.push(Act::Stall);
                stream_of("text/event-stream", &[], tail)
            },
            over_limit,
        )
        .client(|b| b.timeouts(TimeoutConfig::new().attempt(ms(2000)).stream_idle(ms(5000))))
        .watchdog(ms(15000)),
        case(
            G,
            "a line over a client's own limit: a typed error",
            Op::Stream,
            || {
                stream_of(
                    "text/event-stream",
                    &[ev(&"c".repeat(64 * 1024)), DONE.into()],
                    vec![w(LAST_CHUNK)],
                )
            },
            over_limit,
        )
        .client(|b| b.max_stream_event(16 * 1024)),
        case(
            G,
            "a line over one call's own limit: a typed error",
            Op::StreamCapped,
            || {
                stream_of(
                    "text/event-stream",
                    &[ev(&"c".repeat(64 * 1024)), DONE.into()],
                    vec![w(LAST_CHUNK)],
                )
            },
            over_limit,
        )
        .client(|b| b.max_stream_event(1 << 20)),
        // --- bad content -----------------------------------------------------------------
        case(
            G,
            "invalid UTF-8 in an event: a typed error",
            Op::Stream,
            || {
                let mut bad = b"data: {\"x\":\"".to_vec();
                bad.extend_from_slice(&[0xff, 0xfe, 0xfd]);
                bad.extend_from_slice(b"\"}\n\n");
                stream_of(
                    "text/event-stream",
                    &[ev("a")],
                    vec![w(chunk(bad)), Act::Stall],
                )
            },
            |o| {
                ends_with(o, &["a"], "an invalid UTF-8 error", |s| {
                    let e = s.stream_error();
                    !e.is_timeout() && !e.is_truncated() && e.transport_error().is_none()
                })
            },
        ),
        case(
            G,
            "a chunk that is not JSON: a decode item, and the stream goes on",
            Op::Stream,
            || {
                stream_of(
                    "text/event-stream",
                    &["data: {not json\n\n".into(), ev("b"), DONE.into()],
                    vec![w(LAST_CHUNK)],
                )
            },
            |o| {
                o.ok()?;
                ensure!(o.contents() == ["b"], "contents {:?}", o.contents());
                let errors = o.stream_errors();
                ensure!(
                    errors.len() == 1
                        && matches!(errors[0], Error::Stream(s) if s.stream_error().is_decode()),
                    "expected one decode item, got {:?}",
                    errors.iter().map(|e| short(e)).collect::<Vec<_>>()
                );
                Ok(())
            },
        ),
        case(
            G,
            "events after [DONE] are not read",
            Op::Stream,
            || {
                stream_of(
                    "text/event-stream",
                    &[ev("a"), DONE.into(), "data: {garbage\n\n".into()],
                    vec![Act::Stall],
                )
            },
            |o| clean1(o, &["a"]),
        ),
        // --- instead of a stream ---------------------------------------------------------
        case(
            G,
            "429 before the stream: retried, then the stream",
            Op::Stream,
            || {
                let mut ok = stream_of(
                    "text/event-stream",
                    &[ev("a"), DONE.into()],
                    vec![w(LAST_CHUNK)],
                );
                vec![answer(error(429, &[])), ok.remove(0)]
            },
            |o| {
                clean(o, &["a"])?;
                o.attempts(2)?;
                o.requests(2)
            },
        ),
        case(
            G,
            "a 200 JSON error of code 502 instead of a stream: retried like a 502",
            Op::Stream,
            || {
                let mut ok = stream_of(
                    "text/event-stream",
                    &[ev("a"), DONE.into()],
                    vec![w(LAST_CHUNK)],
                );
                vec![answer(json(200, error_body(502))), ok.remove(0)]
            },
            |o| {
                clean(o, &["a"])?;
                o.attempts(2)?;
                o.requests(2)
            },
        ),
        case(
            G,
            "a JSON completion instead of a stream: a decode error, not retried",
            Op::Stream,
            || vec![answer(json(200, CHAT_OK))],
            |o| {
                o.decode()?;
                o.attempts(1)?;
                o.requests(1)
            },
        ),
    ]
}
