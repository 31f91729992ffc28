//! Every `example` in the spec decodes into its generated type and encodes back to an equal
//! JSON value.
//!
//! Equality is JSON equality with two normalisations, both lossless for the API:
//! - numbers compare by value (`1` equals `1.0`);
//! - a field whose value is `null` equals an absent field (optional fields are not re-emitted when
//!   unset, and required nullable fields are emitted as `null` when an example leaves them out).
//!
//! Examples that contradict their own schema are listed in `spec_example_defects.txt` with a
//! reason each; the test fails when a listed example starts passing or an unlisted one fails.

use std::collections::{BTreeMap, BTreeSet};

use openrouter_types::generated::registry::{round_trip, SCHEMA_TYPES};
use serde_json::Value;

fn esc(seg: &str) -> String {
    seg.replace('~', "~0").replace('/', "~1")
}

/// (pointer of the example value, pointer of the schema it is an example of)
pub(crate) fn collect(
    node: &Value,
    ptr: &str,
    parent_key: Option<&str>,
    out: &mut Vec<(String, String, Value)>,
) {
    match node {
        Value::Object(map) => {
            // Media type objects and parameters carry examples of their `schema`.
            let is_wrapper = map.contains_key("schema")
                && (map.contains_key("in") || parent_key.is_some_and(|k| k.contains('/')));
            let schema_ptr = if is_wrapper {
                format!("{ptr}/schema")
            } else {
                ptr.to_owned()
            };
            if let Some(ex) = map.get("example") {
                out.push((format!("{ptr}/example"), schema_ptr.clone(), ex.clone()));
            }
            match map.get("examples") {
                Some(Value::Object(named)) if is_wrapper => {
                    for (name, ex) in named {
                        let value = ex.get("value").cloned().unwrap_or(Value::Null);
                        out.push((
                            format!("{ptr}/examples/{}", esc(name)),
                            schema_ptr.clone(),
                            value,
                        ));
                    }
                }
                Some(Value::Array(list)) => {
                    for (i, ex) in list.iter().enumerate() {
                        out.push((
                            format!("{ptr}/examples/{i}"),
                            schema_ptr.clone(),
                            ex.clone(),
                        ));
                    }
                }
                _ => {}
            }
            for (k, v) in map {
                if k == "example" || k == "examples" {
                    continue;
                }
                collect(v, &format!("{ptr}/{}", esc(k)), Some(k), out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                collect(v, &format!("{ptr}/{i}"), None, out);
            }
        }
        _ => {}
    }
}

/// JSON equality under the normalisations in the module docs; `Err` names the first difference.
pub(crate) fn equivalent(a: &Value, b: &Value, path: &str) -> Result<(), String> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            if x == y || x.as_f64() == y.as_f64() {
                Ok(())
            } else {
                Err(format!("{path}: {x} became {y}"))
            }
        }
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                match y.get(k) {
                    Some(w) => equivalent(v, w, &format!("{path}.{k}"))?,
                    None if v.is_null() => {}
                    None => return Err(format!("{path}.{k}: dropped")),
                }
            }
            for (k, w) in y {
                if !x.contains_key(k) && !w.is_null() {
                    return Err(format!("{path}.{k}: added {w}"));
                }
            }
            Ok(())
        }
        (Value::Array(x), Value::Array(y)) => {
            if x.len() != y.len() {
                return Err(format!("{path}: {} items became {}", x.len(), y.len()));
            }
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                equivalent(v, w, &format!("{path}[{i}]"))?;
            }
            Ok(())
        }
        _ if a == b => Ok(()),
        _ => Err(format!("{path}: {a} became {b}")),
    }
}

fn known_defects() -> BTreeMap<String, String> {
    let text = include_str!("spec_example_defects.txt");
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with("//") {
            continue;
        }
        let (ptr, reason) = line
            .split_once(char::is_whitespace)
            .expect("`<pointer> <reason>` per line");
        assert!(!reason.trim().is_empty(), "defect {ptr} has no reason");
        out.insert(ptr.to_owned(), reason.trim().to_owned());
    }
    out
}

#[test]
fn spec_examples_round_trip() {
    let spec = spec_or_skip!();
    let types: BTreeMap<&str, &str> = SCHEMA_TYPES.iter().copied().collect();
    let mut examples = Vec::new();
    collect(spec, "#", None, &mut examples);
    let defects = known_defects();
    let mut failed: BTreeMap<String, String> = BTreeMap::new();
    let mut passed = 0;
    for (ex_ptr, schema_ptr, value) in &examples {
        let outcome = match types.get(schema_ptr.as_str()) {
            None => Err(format!("no generated type for schema {schema_ptr}")),
            Some(ty) => match round_trip(ty, value) {
                None => Err(format!("registry has no decoder for `{ty}`")),
                Some(Err(e)) => Err(format!("`{ty}`: {e}")),
                Some(Ok(back)) => equivalent(value, &back, "$").map_err(|e| format!("`{ty}`: {e}")),
            },
        };
        match outcome {
            Ok(()) => passed += 1,
            Err(e) => {
                failed.insert(ex_ptr.clone(), e);
            }
        }
    }
    let unlisted: Vec<String> = failed
        .iter()
        .filter(|(p, _)| !defects.contains_key(*p))
        .map(|(p, e)| format!("{p}\n    {e}"))
        .collect();
    let fixed: Vec<&String> = defects
        .keys()
        .filter(|p| !failed.contains_key(*p))
        .collect();
    let summary = format!(
        "spec examples: {passed}/{} round-trip, {} known spec defects",
        examples.len(),
        defects.len()
    );
    println!("{summary}");
    // Also left in the target directory, so CI can show it without re-running the test.
    let _ = std::fs::write(
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("spec-examples-summary.txt"),
        format!("{summary}\n"),
    );
    assert!(
        examples.len() > 3000,
        "expected the spec's ~3,400 examples, found {}",
        examples.len()
    );
    assert!(
        unlisted.is_empty(),
        "{} examples fail and are not listed as known spec defects:\n{}",
        unlisted.len(),
        unlisted.join("\n")
    );
    assert!(
        fixed.is_empty(),
        "these listed spec defects pass now; remove them from spec_example_defects.txt: {fixed:?}"
    );
}

#[test]
fn every_component_schema_has_a_type() {
    let spec = spec_or_skip!();
    let registered: BTreeSet<&str> = SCHEMA_TYPES.iter().map(|(p, _)| *p).collect();
    let components = spec["components"]["schemas"]
        .as_object()
        .expect("components.schemas");
    // No component is excluded today; a future exclusion goes here with its reason.
    const EXCLUDED: &[(&str, &str)] = &[];
    let missing: Vec<&String> = components
        .keys()
        .filter(|name| !EXCLUDED.iter().any(|(n, _)| n == *name))
        .filter(|name| !registered.contains(format!("#/components/schemas/{}", esc(name)).as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "component schemas without a generated type: {missing:?}"
    );
    assert_eq!(components.len(), 945, "component count of the pinned spec");
}
