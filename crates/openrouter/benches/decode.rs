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

use std::hint::black_box;
use std::time::{Duration, Instant};

use openrouter::types::generated::ModelsListResponse;

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
    // (the strict attempt fails, the body is parsed into a `Value` and decoded again).
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
}
