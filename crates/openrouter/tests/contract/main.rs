//! Contract tests: every operation of the spec called through the public client against
//! Stoplight Prism, an independent mock of the same OpenAPI document (`contract/`).
//!
//! The test needs Prism, so it is `#[ignore]`d: `cargo test` lists it as ignored (a skip that
//! looks like one). `.ci/run` starts Prism (`contract/prism.sh`), sets `OPENROUTER_PRISM_URL`
//! and runs it with `--ignored`; run without that variable, it fails and says how to start
//! Prism.
//!
//! For every operation:
//! - the request must raise no violation in Prism's `sl-violations` response header;
//! - the example response must decode into the declared type;
//! - responses generated from the schemas (`Prefer: dynamic=true, seed=N`, several seeds) must
//!   decode;
//! - `Prefer: code=<status>` for every declared error status must give `Error::Api` with that
//!   status and a body that decodes into the declared error type.
//!
//! Streaming operations are called in their non-streaming form here: Prism cannot stream
//! incrementally, and their streams are tested on the local server (`tests/sse.rs`,
//! `tests/client/sse.rs`). Known gaps of Prism and defects of the spec's examples are listed in
//! `contract/prism-gaps.txt` with their reasons and scope (which calls they explain); a listed
//! gap that explains no failure fails the test, so the list cannot go stale.
//!
//! `offline.rs` makes the same calls on the offline transport (`openrouter::offline`), which
//! needs no Prism and is not ignored: every canned answer must decode into its typed response,
//! strictly.

mod calls;
mod offline;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use openrouter::types::generated::operations::OPERATIONS;
use openrouter::types::operation::Operation;
use openrouter::{Call, Client, Download, Error, RetryConfig};
use serde::de::DeserializeOwned;

/// What one call gave.
#[derive(Debug)]
pub(crate) struct Outcome {
    /// Prism's request violations (`sl-violations`), if it reported any.
    violations: Option<String>,
    result: Result<(), Failure>,
}

// The payloads are read through `Debug`, in the failure report.
#[allow(dead_code)]
#[derive(Debug)]
enum Failure {
    /// The example input of the spec does not fit the generated type.
    BadExample(String),
    /// The response did not decode (type, path, message, body start).
    Decode(String),
    /// An API error status.
    Api { status: u16, body: String },
    /// Anything else (transport, timeout).
    Other(String),
}

impl Outcome {
    pub(crate) fn bad_example(e: String) -> Outcome {
        Outcome {
            violations: None,
            result: Err(Failure::BadExample(e)),
        }
    }

    fn from_error(e: Error) -> Outcome {
        match e {
            Error::Api(api) => Outcome {
                violations: violations(api.headers()),
                result: Err(Failure::Api {
                    status: api.status().as_u16(),
                    body: api
                        .raw_body()
                        .map(str::to_owned)
                        .or_else(|| api.body().and_then(|b| serde_json::to_string(b).ok()))
                        .unwrap_or_default(),
                }),
            },
            Error::Decode(d) => Outcome {
                violations: violations(d.headers()),
                result: Err(Failure::Decode(format!(
                    "{} at `{}`: {} (body: {})",
                    d.type_name(),
                    d.path(),
                    d,
                    String::from_utf8_lossy(&d.body()[..d.body().len().min(300)])
                ))),
            },
            other => Outcome {
                violations: None,
                result: Err(Failure::Other(other.to_string())),
            },
        }
    }
}

/// Prism's `sl-violations` header, as text.
fn violations(headers: &http::HeaderMap) -> Option<String> {
    headers
        .get("sl-violations")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

/// Decodes an example input of the spec.
pub(crate) fn example<T: DeserializeOwned>(json: &str) -> Result<T, String> {
    serde_json::from_str(json).map_err(|e| format!("{}: {e}", std::any::type_name::<T>()))
}

fn prefer<T, S>(call: Call<T, S>, prefer: &str) -> Call<T, S> {
    let call = call.retry(RetryConfig::disabled());
    if prefer.is_empty() || prefer == offline::STRICT {
        call
    } else {
        call.header("Prefer", prefer)
    }
}

pub(crate) async fn run_json<T: DeserializeOwned, S>(call: Call<T, S>, p: &str) -> Outcome {
    match prefer(call, p).send().await {
        Ok(response) => Outcome {
            violations: violations(response.meta().headers()),
            result: if p == offline::STRICT {
                offline::strict::<T>().map_err(Failure::Decode)
            } else {
                Ok(())
            },
        },
        Err(e) => Outcome::from_error(e),
    }
}

pub(crate) async fn run_download<S>(call: Call<Download, S>, p: &str) -> Outcome {
    match prefer(call, p).send().await {
        Ok(download) => {
            let violations = violations(download.meta().headers());
            let result = download
                .bytes()
                .await
                .map(drop)
                .map_err(|e| Failure::Other(e.to_string()));
            Outcome { violations, result }
        }
        Err(e) => Outcome::from_error(e),
    }
}

/// The gap list `contract/prism-gaps.txt`: `operationId<TAB>scope: reason` lines, keyed by
/// (operation, scope).
fn known_gaps() -> BTreeMap<(String, String), String> {
    let path = format!(
        "{}/../../contract/prism-gaps.txt",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).expect("contract/prism-gaps.txt");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let (id, rest) = l.split_once('\t')?;
            let (scope, why) = rest.split_once(':')?;
            Some((
                (id.trim().to_owned(), scope.trim().to_owned()),
                why.trim().to_owned(),
            ))
        })
        .collect()
}

/// The gap scopes that can explain a failure in each phase of the test.
fn scopes(phase: Phase) -> &'static [&'static str] {
    match phase {
        Phase::Example => &["example", "status", "request-example"],
        Phase::Dynamic => &["dynamic", "request-example"],
        Phase::Error => &["request-example"],
    }
}

#[derive(Clone, Copy, Debug)]
enum Phase {
    Example,
    Dynamic,
    Error,
}

/// The request violations in an `sl-violations` header (Prism also lists its own answer's).
fn request_violations(header: &str) -> Option<String> {
    let list: Vec<serde_json::Value> = match serde_json::from_str(header) {
        Ok(list) => list,
        Err(_) => return Some(header.to_owned()),
    };
    let request: Vec<&serde_json::Value> = list
        .iter()
        .filter(|v| v["location"][0] == "request")
        .collect();
    (!request.is_empty()).then(|| serde_json::to_string(&request).unwrap_or_default())
}

fn client(base: &str) -> Client {
    Client::builder()
        .base_url(base)
        .api_key("sk-or-v1-contract-test")
        .timeouts(
            openrouter::TimeoutConfig::new()
                .attempt(Duration::from_secs(30))
                .total(Duration::from_secs(60)),
        )
        .build()
        .expect("contract client")
}

struct Tally {
    called: BTreeSet<&'static str>,
    violations: Vec<String>,
    decode: Vec<String>,
    other: Vec<String>,
    /// Failures explained by each listed gap (a listed gap that never fails is stale).
    hits: BTreeMap<(String, String), usize>,
}

impl Tally {
    /// Records one call of `op` in `phase`.
    fn record(
        &mut self,
        op: &'static Operation,
        phase: Phase,
        what: &str,
        outcome: Outcome,
        expect_ok: impl FnOnce(&Result<(), Failure>) -> Result<(), String>,
        gaps: &BTreeMap<(String, String), String>,
    ) {
        self.called.insert(op.id);
        let violation = outcome.violations.as_deref().and_then(request_violations);
        let failure = expect_ok(&outcome.result).err();
        if violation.is_none() && failure.is_none() {
            return;
        }
        let listed = scopes(phase)
            .iter()
            .map(|scope| (op.id.to_owned(), (*scope).to_owned()))
            .find(|key| gaps.contains_key(key));
        if let Some(key) = listed {
            *self.hits.entry(key).or_default() += 1;
            return;
        }
        if let Some(v) = violation {
            self.violations.push(format!("{what}: {v}"));
        }
        if let Some(why) = failure {
            match &outcome.result {
                Err(Failure::Decode(_)) => self.decode.push(format!("{what}: {why}")),
                _ => self.other.push(format!("{what}: {why}")),
            }
        }
    }
}

/// Seeds of the randomly generated responses (`Prefer: dynamic=true, seed=N`).
const SEEDS: [u32; 3] = [1, 2, 3];

/// Runs on a thread with a large stack: the generated types are deep, and a debug build
/// decodes them with large stack frames.
#[test]
#[ignore = "needs the Prism mock: export OPENROUTER_PRISM_URL=$(contract/prism.sh start), then --ignored"]
fn every_operation_against_prism() {
    std::thread::Builder::new()
        .name("contract".into())
        .stack_size(64 * 1024 * 1024)
        .spawn(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_stack_size(64 * 1024 * 1024)
                .enable_all()
                .build()
                .expect("runtime")
                .block_on(contract())
        })
        .expect("contract thread")
        .join()
        .expect("the contract test panicked");
}

async fn contract() {
    let base = std::env::var("OPENROUTER_PRISM_URL").expect(
        "OPENROUTER_PRISM_URL is not set: start Prism with \
         `export OPENROUTER_PRISM_URL=$(contract/prism.sh start)`",
    );
    let gaps = known_gaps();
    let mut tally = Tally {
        called: BTreeSet::new(),
        violations: Vec::new(),
        decode: Vec::new(),
        other: Vec::new(),
        hits: BTreeMap::new(),
    };
    let client = client(&base);
    let success = |r: &Result<(), Failure>| match r {
        Ok(()) => Ok(()),
        Err(f) => Err(format!("{f:?}")),
    };

    // A control: a request Prism must flag (no bearer token), so a silent violation detector
    // cannot pass unnoticed.
    let control = run_json(
        client.credits().get().header("Authorization", "Basic eDp5"),
        "",
    )
    .await;
    assert!(
        control
            .violations
            .as_deref()
            .and_then(request_violations)
            .is_some(),
        "Prism reported no violation for a request without a bearer token: {control:?}"
    );

    for op in OPERATIONS {
        // The spec's example response.
        let outcome = calls::call(&client, op.id, "")
            .await
            .expect("every operation has a generated call");
        let what = format!("{} (example)", op.id);
        tally.record(op, Phase::Example, &what, outcome, success, &gaps);

        // Responses generated from the schemas, reproducibly, for several seeds.
        for seed in SEEDS {
            let prefer = format!("dynamic=true, seed={seed}");
            let outcome = calls::call(&client, op.id, &prefer)
                .await
                .expect("generated call");
            let what = format!("{} (dynamic, seed {seed})", op.id);
            tally.record(op, Phase::Dynamic, &what, outcome, success, &gaps);
        }

        // Every declared error status.
        for e in op.errors {
            let outcome = calls::call(&client, op.id, &format!("code={}", e.status))
                .await
                .expect("generated call");
            let what = format!("{} (error {})", op.id, e.status);
            let expect = |r: &Result<(), Failure>| match r {
                Err(Failure::Api { status, body }) if *status == e.status => match e.rust_type {
                    Some(ty) => calls::decode_error(ty, body),
                    None => Ok(()),
                },
                other => Err(format!(
                    "expected Error::Api with status {}, got {other:?}",
                    e.status
                )),
            };
            tally.record(op, Phase::Error, &what, outcome, expect, &gaps);
        }
    }

    let summary = format!(
        "contract: {}/{} operations called, {} request violations, {} decode failures \
         ({} other failures; {} failures explained by the gaps in contract/prism-gaps.txt)",
        tally.called.len(),
        OPERATIONS.len(),
        tally.violations.len(),
        tally.decode.len(),
        tally.other.len(),
        tally.hits.values().sum::<usize>(),
    );
    println!("{summary}");
    // CI prints this file after the tests (the test harness hides a passing test's output).
    let _ = std::fs::write(
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("contract-summary.txt"),
        format!("{summary}\n"),
    );
    // Streams are not called here (see the module docs), so `sse` gaps cannot be checked;
    // `note` lines record defects that fail no call.
    let stale: Vec<String> = gaps
        .iter()
        .filter(|((_, scope), _)| scope != "sse" && scope != "note")
        .filter(|(k, _)| !tally.hits.contains_key(*k))
        .map(|((id, scope), why)| format!("{id} {scope} (listed: {why})"))
        .collect();
    let mut report = String::new();
    for (title, list) in [
        ("request violations", &tally.violations),
        ("decode failures", &tally.decode),
        ("other failures", &tally.other),
        (
            "listed as known gaps but passed (remove them from contract/prism-gaps.txt)",
            &stale,
        ),
    ] {
        if !list.is_empty() {
            report.push_str(&format!("\n{title}:\n  {}", list.join("\n  ")));
        }
    }
    assert_eq!(
        tally.called.len(),
        OPERATIONS.len(),
        "operations not called"
    );
    assert!(report.is_empty(), "contract failures:{report}");
}
