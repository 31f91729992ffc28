//! Every response body the spec gives, mutated one field at a time, still decodes, as the client
//! decodes it (`openrouter_types::from_value`: strict, then lenient).
//!
//! The bodies are the spec's examples of every operation's responses (JSON bodies, stream
//! events, error bodies) and of every component schema those responses reach. For each field of
//! each body (at any depth) three mutations are tried in turn: the field removed, set to `null`,
//! and set to a value of another JSON type; for each list of objects, each item replaced by a
//! number. A mutation counts as "decoded with the rest intact" when:
//! - the decode succeeds;
//! - it encodes back to the mutated body (JSON equality, `null` equal to absent, numbers by
//!   value): nothing is lost, the odd value is written back where it was;
//! - it took at most one repair more than the unmutated body: the `Debug` text has at most one
//!   more recorded field issue (`Missing`/`Invalid`) or `Unknown(..)` value, so no other field
//!   fell back to raw JSON.
//!
//! The summary goes to `target/tmp/response-mutations-summary.txt`.

use std::collections::{BTreeMap, BTreeSet};

use openrouter_types::generated::registry::{lenient_round_trip, SCHEMA_TYPES};
use serde_json::{json, Value};

use super::spec_examples::{collect, equivalent};

/// Component schemas reached from any operation's responses, through `$ref`s.
fn response_components(spec: &Value) -> BTreeSet<String> {
    fn refs(node: &Value, out: &mut Vec<String>) {
        match node {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    if let Some(name) = r.strip_prefix("#/components/schemas/") {
                        out.push(name.to_owned());
                    }
                }
                map.values().for_each(|v| refs(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let mut pending = Vec::new();
    for item in spec["paths"]
        .as_object()
        .into_iter()
        .flat_map(|p| p.values())
    {
        for op in item.as_object().into_iter().flat_map(|o| o.values()) {
            if let Some(responses) = op.get("responses") {
                refs(responses, &mut pending);
            }
        }
    }
    let mut seen = BTreeSet::new();
    while let Some(name) = pending.pop() {
        if seen.insert(name.clone()) {
            refs(&spec["components"]["schemas"][&name], &mut pending);
        }
    }
    seen
}

/// Recorded repairs in a decoded value's `Debug` text: field issues, and values kept raw as
/// `Unknown` (not counting the empty `Unknown` a missing or invalid field of an enum or union
/// type reads as, which its field issue already counts).
fn repairs(debug: &str) -> usize {
    debug.matches("\", Missing)").count()
        + debug.matches("\", Invalid)").count()
        + debug.matches("Unknown(").count()
        - debug.matches("Unknown(Null)").count()
        - debug.matches("Unknown(\"\")").count()
}

/// A value of another JSON type than `v`.
fn other_type(v: &Value) -> Value {
    match v {
        Value::String(_) => json!(12345),
        Value::Number(_) => json!("not a number"),
        Value::Bool(_) => json!("not a bool"),
        Value::Array(_) => json!({"not": "a list"}),
        Value::Object(_) => json!(7),
        Value::Null => json!(["not null"]),
    }
}

/// Every mutation of `body`: (description, mutated body).
fn mutations(body: &Value) -> Vec<(String, Value)> {
    fn walk(node: &Value, path: &mut Vec<PathSeg>, out: &mut Vec<Vec<PathSeg>>) {
        match node {
            Value::Object(map) => {
                for (k, v) in map {
                    path.push(PathSeg::Key(k.clone()));
                    out.push(path.clone());
                    walk(v, path, out);
                    path.pop();
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    path.push(PathSeg::Index(i));
                    if v.is_object() {
                        out.push(path.clone());
                    }
                    walk(v, path, out);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    let mut paths = Vec::new();
    walk(body, &mut Vec::new(), &mut paths);
    let mut out = Vec::new();
    for path in paths {
        let (last, parent) = path.split_last().expect("non-empty path");
        let name = path.iter().map(PathSeg::to_string).collect::<String>();
        let edit = |f: &dyn Fn(&mut Value, &PathSeg)| {
            let mut m = body.clone();
            let mut node = &mut m;
            for seg in parent {
                node = match seg {
                    PathSeg::Key(k) => &mut node[k.as_str()],
                    PathSeg::Index(i) => &mut node[*i],
                };
            }
            f(node, last);
            m
        };
        match last {
            PathSeg::Key(k) => {
                let current = edit(&|_, _| {});
                let mut cur = &current;
                for seg in &path {
                    cur = match seg {
                        PathSeg::Key(k) => &cur[k.as_str()],
                        PathSeg::Index(i) => &cur[*i],
                    };
                }
                let other = other_type(cur);
                out.push((
                    format!("{name} removed"),
                    edit(&|n, _| {
                        n.as_object_mut().map(|o| o.remove(k));
                    }),
                ));
                if !cur.is_null() {
                    out.push((
                        format!("{name} = null"),
                        edit(&|n, _| n[k.as_str()] = Value::Null),
                    ));
                }
                out.push((
                    format!("{name} = {other}"),
                    edit(&|n, _| n[k.as_str()] = other.clone()),
                ));
            }
            PathSeg::Index(i) => {
                out.push((format!("{name} = 42"), edit(&|n, _| n[*i] = json!(42))));
            }
        }
    }
    out
}

#[derive(Clone)]
enum PathSeg {
    Key(String),
    Index(usize),
}

impl std::fmt::Display for PathSeg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PathSeg::Key(k) => write!(f, ".{k}"),
            PathSeg::Index(i) => write!(f, "[{i}]"),
        }
    }
}

#[test]
fn every_response_field_mutated_decodes_with_the_rest_intact() {
    let spec = spec_or_skip!();
    let types: BTreeMap<&str, &str> = SCHEMA_TYPES.iter().copied().collect();
    let components = response_components(spec);
    let mut examples = Vec::new();
    collect(spec, "#", None, &mut examples);
    let bodies: Vec<(String, &str, Value)> = examples
        .into_iter()
        .filter(|(_, schema_ptr, _)| {
            let in_response =
                schema_ptr.starts_with("#/paths/") && schema_ptr.contains("/responses/");
            let component = schema_ptr
                .strip_prefix("#/components/schemas/")
                .map(|rest| rest.split('/').next().unwrap_or(""))
                .is_some_and(|name| {
                    components.contains(&name.replace("~1", "/").replace("~0", "~"))
                });
            in_response || component
        })
        .filter_map(|(ex_ptr, schema_ptr, value)| {
            types
                .get(schema_ptr.as_str())
                .map(|ty| (ex_ptr, *ty, value))
        })
        // Mutating a bare string or number is not a field mutation.
        .filter(|(_, _, value)| value.is_object() || value.is_array())
        .collect();

    let (mut tried, mut intact, mut skipped) = (0usize, 0usize, 0usize);
    let mut failures: Vec<String> = Vec::new();
    for (ex_ptr, ty, body) in &bodies {
        let Some(Ok((back, debug))) = lenient_round_trip(ty, body) else {
            skipped += 1;
            continue;
        };
        if equivalent(body, &back, "$").is_err() {
            // A spec defect (listed in spec_example_defects.txt): no clean baseline.
            skipped += 1;
            continue;
        }
        let base = repairs(&debug);
        // A body that is a bare list or map (an example of a property; no operation answers
        // with a bare list): its own items are not fields of a generated struct, so only what
        // is inside them is mutated. (A list or map that is a field keeps its good items.)
        let shown = debug.strip_prefix("Some(").unwrap_or(&debug);
        let container = body.is_array() || shown.starts_with('[') || shown.starts_with('{');
        for (what, mutated) in mutations(body) {
            if container && what.matches(['.', '[']).count() == 1 {
                continue;
            }
            tried += 1;
            let verdict = match lenient_round_trip(ty, &mutated) {
                None => Err("no decoder".to_owned()),
                Some(Err(e)) => Err(format!("decode failed: {e}")),
                Some(Ok((back, debug))) => equivalent(&mutated, &back, "$")
                    .map_err(|e| format!("not written back: {e}"))
                    .and_then(|()| {
                        let n = repairs(&debug);
                        if n <= base + 1 {
                            Ok(())
                        } else {
                            Err(format!(
                                "{} repairs beyond the unmutated body's {base}",
                                n - base
                            ))
                        }
                    }),
            };
            match verdict {
                Ok(()) => intact += 1,
                Err(e) => failures.push(format!("{ex_ptr} (`{ty}`), {what}: {e}")),
            }
        }
    }
    let summary = format!(
        "response mutations: {tried} tried, {intact} decoded with the rest intact \
         ({} response bodies, {skipped} without a clean baseline)",
        bodies.len()
    );
    println!("{summary}");
    let _ = std::fs::write(
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("response-mutations-summary.txt"),
        format!("{summary}\n"),
    );
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    for f in &failures {
        let k = f.rsplit_once(": ").map(|(a, _)| a).unwrap_or(f);
        let k = k.rsplit_once("), ").map(|(_, b)| b).unwrap_or(k);
        let k = k.split_whitespace().last().unwrap_or("").to_owned();
        *kinds.entry(k).or_default() += 1;
    }
    println!("failure kinds: {kinds:?}");
    assert!(
        tried >= 10_000,
        "expected at least 10,000 mutations: {summary}"
    );
    assert!(
        failures.is_empty(),
        "{} of {tried} mutations lost data or more than the mutated field:\n{}",
        failures.len(),
        failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
