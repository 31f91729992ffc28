//! Error answers: every retryable status for a POST and a GET, the gateway timeouts that a POST
//! must not repeat, a 200 whose body is an error, HTML pages, large JSON errors, redirects, and
//! the text of statuses without a registered reason.

use crate::*;

const G: &str = "statuses";

/// A POST answered `status` once, then a success: retried once.
macro_rules! post_retried {
    ($status:literal) => {
        case(
            G,
            concat!("POST answered ", stringify!($status), ": retried"),
            Op::Chat,
            || vec![answer(error($status, &[])), ok_chat()],
            |o| {
                o.ok()?;
                o.attempts(2)?;
                o.requests(2)
            },
        )
    };
}

/// A POST answered `status`: not retried (the gateway timed out; the origin may still run it).
macro_rules! post_not_retried {
    ($status:literal) => {
        case(
            G,
            concat!("POST answered ", stringify!($status), ": not retried"),
            Op::Chat,
            || vec![answer(error($status, &[])), ok_chat()],
            |o| {
                o.api($status)?;
                o.retryable(false)?;
                o.attempts(1)?;
                o.requests(1)
            },
        )
    };
}

/// A 200 whose body is `{"error":{"code":N}}`, then a success.
macro_rules! error_in_200_retried {
    ($code:literal) => {
        case(
            G,
            concat!(
                "200 with an error body of code ",
                stringify!($code),
                ": retried like that status"
            ),
            Op::Chat,
            || vec![answer(json(200, error_body($code))), ok_chat()],
            |o| {
                o.ok()?;
                o.attempts(2)?;
                o.requests(2)
            },
        )
    };
}

fn no_unknown_reason(o: &Outcome, status: u16) -> Check {
    let e = o.err()?;
    let text = e.to_string();
    ensure!(
        !text.contains("<unknown status code>"),
        "the message shows no reason: {text:?}"
    );
    ensure!(
        text.contains(&status.to_string()),
        "the message does not name the status: {text:?}"
    );
    let after = text
        .split(&status.to_string())
        .nth(1)
        .unwrap_or_default()
        .trim_start();
    ensure!(
        after
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic()),
        "no reason after the status: {text:?}"
    );
    Ok(())
}

fn no_key(o: &Outcome) -> Check {
    if let Err(e) = &o.result {
        for text in [e.to_string(), format!("{e:?}"), format!("{e:#?}")] {
            ensure!(!text.contains(KEY), "the error shows the key: {text}");
        }
    }
    Ok(())
}

/// Two servers: the first redirects to the second, which must never be contacted.
fn redirect(status: u16, post: bool) -> BoxFut {
    Box::pin(async move {
        let target = Server::start(vec![ok_chat()]).await;
        let location = format!("{}/chat/completions", target.url());
        let source = Server::start(vec![answer(response(
            status,
            &[("location", &location)],
            "",
        ))])
        .await;
        let client = builder(&source).build().map_err(|e| e.to_string())?;
        let start = Instant::now();
        let (result, items) = perform(&client, if post { Op::Chat } else { Op::Credits }).await;
        let o = Outcome {
            server: source,
            result,
            items,
            elapsed: start.elapsed(),
        };
        o.api(status)?;
        o.attempts(1)?;
        o.requests(1)?;
        no_key(&o)?;
        tokio::time::sleep(ms(20)).await;
        ensure!(
            target.accepted() == 0,
            "the redirect target was contacted ({} connections, {} requests)",
            target.accepted(),
            target.count()
        );
        Ok(())
    })
}

pub(crate) fn scenarios() -> Vec<Scenario> {
    vec![
        post_retried!(408),
        post_retried!(429),
        post_retried!(500),
        post_retried!(502),
        post_retried!(503),
        post_retried!(529),
        post_not_retried!(504),
        post_not_retried!(524),
        case(
            G,
            "GET answered 504: retried",
            Op::Credits,
            || vec![answer(error(504, &[])), ok_credits()],
            |o| {
                o.ok()?;
                o.attempts(2)?;
                o.requests(2)
            },
        ),
        case(
            G,
            "POST with Idempotency-Key answered 524: retried",
            Op::ChatIdem,
            || vec![answer(error(524, &[])), ok_chat()],
            |o| {
                o.ok()?;
                o.attempts(2)?;
                o.requests(2)
            },
        ),
        case(
            G,
            "402 with Retry-After: retried",
            Op::Chat,
            || vec![answer(error(402, &[("retry-after", "0")])), ok_chat()],
            |o| {
                o.ok()?;
                o.attempts(2)?;
                o.requests(2)
            },
        ),
        case(
            G,
            "402 without Retry-After: not retried",
            Op::Chat,
            || vec![answer(error(402, &[])), ok_chat()],
            |o| {
                o.api(402)?;
                o.retryable(false)?;
                o.attempts(1)?;
                o.requests(1)
            },
        ),
        case(
            G,
            "503 every time: gives up after three attempts, still retryable",
            Op::Chat,
            || vec![answer(error(503, &[]))],
            |o| {
                o.api(503)?;
                o.retryable(true)?;
                o.attempts(3)?;
                o.requests(3)
            },
        ),
        // --- a 200 that is an error ------------------------------------------------------
        error_in_200_retried!(429),
        error_in_200_retried!(502),
        case(
            G,
            "200 with an error body of code 502 every time: is_retryable agrees",
            Op::Chat,
            || vec![answer(json(200, error_body(502)))],
            |o| {
                let api = o.api(200)?;
                ensure!(
                    api.error().map(|e| e.code.as_status()) == Some(Some(502)),
                    "error code {:?}",
                    api.error().map(|e| &e.code)
                );
                o.retryable(true)?;
                o.attempts(3)?;
                o.requests(3)
            },
        ),
        case(
            G,
            "200 with an error body of code 400: not retried",
            Op::Chat,
            || vec![answer(json(200, error_body(400))), ok_chat()],
            |o| {
                o.api(200)?;
                o.retryable(false)?;
                o.attempts(1)?;
                o.requests(1)
            },
        ),
        // --- bodies of errors ------------------------------------------------------------
        case(
            G,
            "HTML 502 page from the edge: retried, then success",
            Op::Chat,
            || {
                vec![
                    answer(response(
                        502,
                        &[("content-type", "text/html")],
                        "<html><body><h1>502 Bad Gateway</h1></body></html>",
                    )),
                    ok_chat(),
                ]
            },
            |o| {
                o.ok()?;
                o.attempts(2)?;
                o.requests(2)
            },
        ),
        case(
            G,
            "HTML 524 page every time, GET: the raw page kept, three attempts",
            Op::Credits,
            || {
                vec![answer(response(
                    524,
                    &[("content-type", "text/html")],
                    "<html><body>A timeout occurred</body></html>",
                ))]
            },
            |o| {
                let api = o.api(524)?;
                ensure!(api.error().is_none(), "an HTML page parsed as JSON");
                ensure!(
                    api.raw_body()
                        .is_some_and(|r| r.contains("A timeout occurred")),
                    "raw body {:?}",
                    api.raw_body()
                );
                o.attempts(3)?;
                o.requests(3)
            },
        ),
        case(
            G,
            "a 1 MiB JSON error keeps its typed error",
            Op::Chat,
            || {
                let message = "m".repeat(1_000_000);
                let body = format!(r#"{{"error":{{"code":400,"message":"{message}"}}}}"#);
                vec![answer(json(400, body))]
            },
            |o| {
                let api = o.api(400)?;
                let Some(err) = api.error() else {
                    return Err(format!(
                        "the JSON error was not parsed (raw body of {} bytes kept)",
                        api.raw_body().map_or(0, str::len)
                    ));
                };
                ensure!(
                    err.message.len() == 1_000_000,
                    "message of {} bytes",
                    err.message.len()
                );
                o.attempts(1)?;
                o.requests(1)
            },
        ),
        case(
            G,
            "a 100 KiB JSON error with provider metadata keeps its typed error",
            Op::Chat,
            || {
                let raw = "r".repeat(100 * 1024);
                let body = format!(
                    r#"{{"error":{{"code":400,"message":"Provider returned error","metadata":{{"provider_name":"Acme","raw":"{raw}"}}}}}}"#
                );
                vec![answer(json(400, body))]
            },
            |o| {
                let api = o.api(400)?;
                let p = api.provider().ok_or("no provider metadata")?;
                ensure!(p.provider_name == "Acme", "provider {:?}", p.provider_name);
                Ok(())
            },
        ),
        // --- the text of statuses --------------------------------------------------------
        case(
            G,
            "524 displays a reason",
            Op::Chat,
            || vec![answer(response(524, &[], ""))],
            |o| {
                o.api(524)?;
                no_unknown_reason(o, 524)
            },
        ),
        case(
            G,
            "529 displays a reason",
            Op::Credits,
            || vec![answer(response(529, &[], ""))],
            |o| {
                o.api(529)?;
                o.attempts(3)?;
                no_unknown_reason(o, 529)
            },
        ),
        // --- redirects -------------------------------------------------------------------
        custom(
            G,
            "302 redirect of a POST: not followed, no key sent to the target",
            || redirect(302, true),
        ),
        custom(
            G,
            "307 redirect of a GET: not followed, no key sent to the target",
            || redirect(307, false),
        ),
        custom(
            G,
            "308 redirect of a POST: not followed, no key sent to the target",
            || redirect(308, true),
        ),
    ]
}
