//! Decoding throughput of a `/models` list into the generated types, against parsing the same
//! bytes into `serde_json::Value` in the same run.
//!
//! `cargo bench -p openrouter --bench decode` measures the model as shipped (unknown fields
//! kept in `extra`). Built with `RUSTFLAGS="--cfg openrouter_types_drop_unknown"` the `extra` maps
//! are compiled out, which shows what keeping unknown fields costs. Results go to BENCHMARKS.md.
//!
//! It lives in the `openrouter` crate, whose build of `openrouter-types` leaves out the
//! conformance-test registry (a much faster release build).
//!
//! The payload is made from the spec's own `Model` example: 300 models, each with its own id,
//! prices and description, and one field the spec does not declare (as a newer server would send).
//! A last measure decodes the same list with `links` left out of every model (as before early
//! 2026) through `openrouter_types::from_slice`, the lenient path the client takes when the
//! spec-exact decode fails.
//!
//! Two more payloads are made of unions (each member chosen by its tag or its JSON kind): a
//! `/responses` result of 300 output items (messages with cited text, function calls, reasoning)
//! and a chat request of 300 messages (text and image parts, tool calls and results).

use std::hint::black_box;
use std::time::{Duration, Instant};

use openrouter::types::generated::{ChatRequest, ModelsListResponse, OpenResponsesResult};
use serde_json::json;

/// The spec, found as the model tests find it (`crates/openrouter-types/tests/model/main.rs`):
/// `OPENROUTER_OPENAPI_SPEC` alone when set, else the shared snapshot beside the repository,
/// then `target/openapi.json` (from `cargo xtask fetch-spec`). `Err` says where it looked.
fn spec_path() -> Result<std::path::PathBuf, String> {
    let candidates = match std::env::var_os("OPENROUTER_OPENAPI_SPEC") {
        Some(p) => vec![std::path::PathBuf::from(p)],
        None => {
            // The workspace root, two levels up, and the directory beside it.
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .ancestors()
                .nth(2)
                .unwrap();
            let beside = root.parent().unwrap_or(root);
            vec![
                beside.join("shared/openapi/openrouter-2026-10-30.openapi.json"),
                root.join("target/openapi.json"),
            ]
        }
    };
    candidates
        .iter()
        .find(|p| p.is_file())
        .cloned()
        .ok_or_else(|| {
            let looked: Vec<String> = candidates.iter().map(|p| p.display().to_string()).collect();
            format!(
                "the OpenAPI spec is not at {}; set OPENROUTER_OPENAPI_SPEC or run \
             `cargo xtask fetch-spec`",
                looked.join(" or ")
            )
        })
}

fn payload(models: usize) -> Vec<u8> {
    payload_with(models, false)
}

/// `old`: every model without `links` (as `/models` answered before early 2026), which the
/// spec-exact decode rejects and the lenient one (what the client does next) accepts.
fn payload_with(models: usize, old: bool) -> Vec<u8> {
    let spec: serde_json::Value = serde_json::from_slice(
        &std::fs::read(spec_path().expect("checked by main")).expect("the OpenAPI spec"),
    )
    .expect("spec is JSON");
    let example = spec
        .pointer("/components/schemas/Model/example")
        .expect("Model example")
        .clone();
    let data: Vec<serde_json::Value> = (0..models)
        .map(|i| {
            let mut m = example.clone();
            m["id"] = format!("vendor-{}/model-{i}", i % 40).into();
            m["canonical_slug"] = format!("vendor-{}/model-{i}-2026", i % 40).into();
            m["name"] = format!("Model {i}").into();
            m["context_length"] = (4096 * (1 + i % 32)).into();
            m["pricing"]["prompt"] = format!("0.000{:03}", i % 997).into();
            m["pricing"]["completion"] = format!("0.000{:03}", (i * 7) % 997).into();
            m["description"] = format!(
                "{} Variant {i} of the family.",
                example["description"].as_str().unwrap()
            )
            .into();
            m["hugging_face_id"] = format!("org/model-{i}").into();
            if old {
                m.as_object_mut().unwrap().remove("links");
            }
            m
        })
        .collect();
    let body = serde_json::json!({
        "data": data,
        "total_count": models,
        "links": {"next": null, "prev": null},
    });
    serde_json::to_vec(&body).unwrap()
}

/// Median time of one decode, over `rounds` rounds of `iters` decodes each.
/// A `/responses` result of `n` output items of three kinds.
fn responses_payload(n: usize) -> Vec<u8> {
    let output: Vec<serde_json::Value> = (0..n)
        .map(|i| match i % 3 {
            0 => json!({"type": "message", "id": format!("msg_{i}"), "role": "assistant",
                "status": "completed", "content": [{"type": "output_text",
                "text": format!("Answer {i}: the capital of France is Paris."),
                "annotations": [{"type": "url_citation", "url": "https://example.com/paris",
                    "title": "Paris", "start_index": 0, "end_index": 5}]}]}),
            1 => json!({"type": "function_call", "id": format!("fc_{i}"),
                "call_id": format!("call_{i}"), "name": "get_weather",
                "arguments": "{\"city\": \"Paris\", \"unit\": \"c\"}", "status": "completed"}),
            _ => json!({"type": "reasoning", "id": format!("rs_{i}"),
                "summary": [{"type": "summary_text", "text": format!("Thinking about {i}.")}]}),
        })
        .collect();
    serde_json::to_vec(&json!({
        "id": "resp-1", "object": "response", "created_at": 1_700_000_000u64,
        "completed_at": 1_700_000_001u64, "model": "openai/gpt-4o", "status": "completed",
        "output": output, "error": null, "incomplete_details": null, "instructions": null,
        "metadata": null, "frequency_penalty": null, "presence_penalty": null,
        "temperature": null, "top_p": null, "max_output_tokens": null,
        "parallel_tool_calls": true, "tool_choice": "auto", "tools": [],
        "usage": {"input_tokens": 10, "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": 20, "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": 30}
    }))
    .unwrap()
}

/// A chat request of `n` messages: user turns with text and image parts, assistant turns with
/// tool calls, tool results.
fn chat_request_payload(n: usize) -> Vec<u8> {
    let messages: Vec<serde_json::Value> = (0..n)
        .map(|i| match i % 3 {
            0 => json!({"role": "user", "content": [
                {"type": "text", "text": format!("Question {i}: what is in this picture?")},
                {"type": "image_url", "image_url": {"url": format!("https://example.com/{i}.png")}}]}),
            1 => json!({"role": "assistant", "content": format!("Let me check {i}."),
                "tool_calls": [{"id": format!("call_{i}"), "type": "function",
                    "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}}]}),
            _ => json!({"role": "tool", "tool_call_id": format!("call_{}", i - 1),
                "content": "{\"temperature\": 21}"}),
        })
        .collect();
    serde_json::to_vec(&json!({"model": "openai/gpt-4o", "messages": messages})).unwrap()
}

/// The median time of decoding `bytes` as `T` against as `serde_json::Value`, interleaved.
fn typed_vs_value<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> (Duration, Duration) {
    let (mut value_t, mut typed_t) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        value_t.push(measure(7, 10, || {
            black_box(serde_json::from_slice::<serde_json::Value>(black_box(bytes)).unwrap());
        }));
        typed_t.push(measure(7, 10, || {
            black_box(serde_json::from_slice::<T>(black_box(bytes)).unwrap());
        }));
    }
    value_t.sort();
    typed_t.sort();
    (typed_t[2], value_t[2])
}

fn measure(rounds: usize, iters: usize, mut f: impl FnMut()) -> Duration {
    let mut samples: Vec<Duration> = (0..rounds)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..iters {
                f();
            }
            start.elapsed() / iters as u32
        })
        .collect();
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    // The payload is made from the spec: without it the benchmark says it skipped (or fails,
    // with OPENROUTER_REQUIRE_SPEC set), as the tests that read the spec do.
    if let Err(missing) = spec_path() {
        let required =
            std::env::var_os("OPENROUTER_REQUIRE_SPEC").is_some_and(|v| !v.is_empty() && v != "0");
        assert!(!required, "OPENROUTER_REQUIRE_SPEC is set and {missing}");
        eprintln!("skipped: the decode benchmark: {missing}");
        return;
    }
    let bytes = payload(300);
    let mb = bytes.len() as f64 / 1e6;
    // Sanity: the typed decode must succeed and see every model.
    let typed: ModelsListResponse = serde_json::from_slice(&bytes).expect("payload decodes");
    assert_eq!(typed.data.len(), 300);
    let config = if cfg!(openrouter_types_drop_unknown) {
        "without extra maps"
    } else {
        "with extra maps (as shipped)"
    };
    println!(
        "payload: 300 models, {:.0} KiB; model built {config}",
        bytes.len() as f64 / 1024.0
    );

    // Interleave the two so that machine noise hits both alike.
    let (mut value_t, mut typed_t) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        value_t.push(measure(7, 10, || {
            black_box(serde_json::from_slice::<serde_json::Value>(black_box(&bytes)).unwrap());
        }));
        typed_t.push(measure(7, 10, || {
            black_box(serde_json::from_slice::<ModelsListResponse>(black_box(&bytes)).unwrap());
        }));
    }
    // The lenient path: a list whose models all lack `links`, through `openrouter_types::from_slice`
    // (the strict attempt fails, and the same bytes are decoded again in lenient mode).
    let old = payload_with(300, true);
    let lenient: ModelsListResponse = openrouter::types::from_slice(&old).expect("decodes");
    assert_eq!(lenient.data.len(), 300);
    assert!(serde_json::from_slice::<ModelsListResponse>(&old).is_err());
    let mut lenient_t = Vec::new();
    for _ in 0..5 {
        lenient_t.push(measure(7, 10, || {
            black_box(
                openrouter::types::from_slice::<ModelsListResponse>(black_box(&old)).unwrap(),
            );
        }));
    }
    lenient_t.sort();
    value_t.sort();
    typed_t.sort();
    let (v, t) = (value_t[2], typed_t[2]);
    println!(
        "serde_json::Value:   {:>8.1?} per decode, {:>7.1} MB/s",
        v,
        mb / v.as_secs_f64()
    );
    println!(
        "ModelsListResponse:  {:>8.1?} per decode, {:>7.1} MB/s",
        t,
        mb / t.as_secs_f64()
    );
    println!(
        "typed / Value time ratio: {:.2}",
        t.as_secs_f64() / v.as_secs_f64()
    );
    let l = lenient_t[2];
    println!(
        "lenient (no `links`): {:>8.1?} per decode, {:>7.1} MB/s, {:.2}x the typed time",
        l,
        old.len() as f64 / 1e6 / l.as_secs_f64(),
        l.as_secs_f64() / t.as_secs_f64()
    );

    // Unions: each output item and each message (and each content part) picks its member.
    for (name, bytes) in [
        ("/responses result, 300 items", responses_payload(300)),
        ("chat request, 300 messages", chat_request_payload(300)),
    ] {
        let (t, v) = if name.starts_with("/responses") {
            let r: OpenResponsesResult = serde_json::from_slice(&bytes).expect("decodes strictly");
            assert_eq!(r.output.len(), 300);
            typed_vs_value::<OpenResponsesResult>(&bytes)
        } else {
            let r: ChatRequest = serde_json::from_slice(&bytes).expect("decodes strictly");
            assert_eq!(r.messages.len(), 300);
            typed_vs_value::<ChatRequest>(&bytes)
        };
        println!(
            "{name} ({:.0} KiB): typed {:>8.1?}, Value {:>8.1?}, typed / Value time {:.2}",
            bytes.len() as f64 / 1024.0,
            t,
            v,
            t.as_secs_f64() / v.as_secs_f64()
        );
    }
}
