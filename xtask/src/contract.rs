//! The contract-test calls: for every operation, a call through the public client with inputs
//! taken from the spec's own examples (or, where the spec has none, the smallest value its schema
//! accepts). Written to `crates/openrouter/tests/contract/calls.rs`.

use std::fmt::Write;

use serde_json::{json, Map, Value};

use crate::model::{Body, Model, Operation, Response, Ty};

use crate::emit::HEADER;

pub(crate) struct Spec<'a> {
    pub(crate) root: &'a Value,
}

impl<'a> Spec<'a> {
    pub(crate) fn resolve(&self, mut v: &'a Value) -> &'a Value {
        for _ in 0..32 {
            let Some(r) = v.get("$ref").and_then(Value::as_str) else {
                return v;
            };
            let mut cur = self.root;
            for seg in r.trim_start_matches("#/").split('/') {
                let seg = seg.replace("~1", "/").replace("~0", "~");
                match cur.get(&seg) {
                    Some(next) => cur = next,
                    None => return v,
                }
            }
            v = cur;
        }
        v
    }

    /// An example of a schema: its own `example`, else the smallest value it accepts.
    pub(crate) fn synth(&self, schema: &'a Value, depth: usize) -> Value {
        let s = self.resolve(schema);
        if let Some(e) = s.get("example") {
            return e.clone();
        }
        if let Some(e) = s
            .get("examples")
            .and_then(Value::as_array)
            .and_then(|a| a.first())
        {
            return e.clone();
        }
        if let Some(c) = s.get("const") {
            return c.clone();
        }
        if let Some(e) = s
            .get("enum")
            .and_then(Value::as_array)
            .and_then(|a| a.iter().find(|v| !v.is_null()))
        {
            return e.clone();
        }
        if depth > 8 {
            return Value::Null;
        }
        if let Some(all) = s.get("allOf").and_then(Value::as_array) {
            let mut out = Map::new();
            for part in all {
                if let Value::Object(m) = self.synth(part, depth + 1) {
                    out.extend(m);
                }
            }
            return Value::Object(out);
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(first) = s.get(key).and_then(Value::as_array).and_then(|a| {
                a.iter()
                    .find(|m| self.resolve(m).get("type") != Some(&json!("null")))
            }) {
                return self.synth(first, depth + 1);
            }
        }
        let ty = match s.get("type") {
            Some(Value::String(t)) => t.as_str(),
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .find(|t| *t != "null")
                .unwrap_or("null"),
            _ if s.get("properties").is_some() => "object",
            _ => "null",
        };
        match ty {
            "string" => match s.get("format").and_then(Value::as_str) {
                Some("uuid") => json!("00000000-0000-4000-8000-000000000000"),
                Some("date-time") => json!("2026-01-01T00:00:00Z"),
                Some("date") => json!("2026-01-01"),
                Some("uri" | "url") => json!("https://example.com"),
                Some("email") => json!("user@example.com"),
                _ => json!("string"),
            },
            "integer" => json!(s.get("minimum").and_then(Value::as_i64).unwrap_or(1).max(1)),
            "number" => json!(1.0),
            "boolean" => json!(true),
            "array" => match s.get("items") {
                Some(items) => json!([self.synth(items, depth + 1)]),
                None => json!([]),
            },
            "object" => {
                let mut out = Map::new();
                let required: Vec<&str> = s
                    .get("required")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                if let Some(props) = s.get("properties").and_then(Value::as_object) {
                    for name in required {
                        if let Some(p) = props.get(name) {
                            out.insert(name.to_owned(), self.synth(p, depth + 1));
                        }
                    }
                }
                Value::Object(out)
            }
            _ => Value::Null,
        }
    }

    pub(crate) fn op(&self, op: &Operation) -> &'a Value {
        &self.root["paths"][&op.path][op.http_method.to_ascii_lowercase()]
    }

    /// (name, location, example) of each parameter the call sends: the required ones, with the
    /// example the spec gives.
    fn params(&self, op: &Operation) -> Vec<(String, String, Value)> {
        let spec_op = self.op(op);
        let path_level = &self.root["paths"][&op.path]["parameters"];
        let mut out = Vec::new();
        for list in [path_level, &spec_op["parameters"]] {
            for p in list.as_array().into_iter().flatten() {
                let p = self.resolve(p);
                let name = p["name"].as_str().unwrap_or_default().to_owned();
                let loc = p["in"].as_str().unwrap_or_default().to_owned();
                if p["required"] != json!(true) && loc != "path" {
                    continue;
                }
                let example = match p.get("example") {
                    Some(e) => e.clone(),
                    None => self.synth(&p["schema"], 0),
                };
                out.push((name, loc, example));
            }
        }
        out
    }

    /// The request body example: the media type's `example`, its first `examples` entry, or one
    /// made from the schema.
    fn body(&self, op: &Operation) -> Option<Value> {
        let rb = self.resolve(self.op(op).get("requestBody")?);
        let (_, media) = rb.get("content")?.as_object()?.iter().next()?;
        if let Some(e) = media.get("example") {
            return Some(e.clone());
        }
        if let Some(e) = media
            .get("examples")
            .and_then(Value::as_object)
            .and_then(|m| m.values().next())
        {
            let e = self.resolve(e);
            if let Some(v) = e.get("value") {
                return Some(v.clone());
            }
        }
        Some(self.synth(media.get("schema")?, 0))
    }
}

/// A raw string literal for `text`.
/// A raw string literal for `text` (with as many `#` as it needs).
pub fn raw(text: &str) -> String {
    let mut hashes = String::from("#");
    while text.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    format!("r{hashes}\"{text}\"{hashes}")
}

fn tq(ty: &Ty) -> String {
    ty.outside()
}

/// Generates `crates/openrouter/tests/contract/calls.rs`.
pub fn emit_contract(spec: &Value, model: &Model) -> String {
    let defs: std::collections::BTreeMap<&str, &crate::model::Def> =
        model.defs.iter().map(|d| (d.name.as_str(), d)).collect();
    let spec = Spec { root: spec };
    let mut s = String::from(HEADER);
    s.push_str(
        "//! One call per operation, through the public client, with the spec's example inputs.\n\n\
         use openrouter::types::generated as t;\nuse openrouter::Client;\n\n\
         use crate::{example, run_download, run_json, Outcome};\n\n\
         /// Calls the operation `id` with its example inputs; `None` for an unknown id.\n\
         #[allow(deprecated)]\n\
         pub(crate) async fn call(client: &Client, id: &str, prefer: &str) -> Option<Outcome> {\n    \
         Some(match id {\n",
    );
    for op in &model.operations {
        let _ = writeln!(s, "        {:?} => {{", op.id);
        let params = spec.params(op);
        let mut args = Vec::new();
        for p in &op.path_params {
            let value = params
                .iter()
                .find(|(n, l, _)| *n == p.name && l == "path")
                .map(|(_, _, v)| v.clone())
                .unwrap_or_else(|| json!("example-id"));
            match &p.ty {
                Ty::String => {
                    let text = match &value {
                        Value::String(t) => t.clone(),
                        other => other.to_string(),
                    };
                    args.push(format!("{text:?}"));
                }
                ty => {
                    let _ = writeln!(
                        s,
                        "            let {}: {} = match example({}) {{ Ok(v) => v, Err(e) => return Some(Outcome::bad_example(e)) }};",
                        p.ident,
                        tq(ty),
                        raw(&value.to_string())
                    );
                    args.push(format!("&{}", p.ident));
                }
            }
        }
        if let Some(q) = &op.query {
            let mut obj = Map::new();
            for (name, loc, v) in &params {
                if loc == "query" {
                    obj.insert(name.clone(), v.clone());
                }
            }
            let _ = writeln!(
                s,
                "            let query: t::{q} = match example({}) {{ Ok(v) => v, Err(e) => return Some(Outcome::bad_example(e)) }};",
                raw(&Value::Object(obj).to_string())
            );
            args.push("query".into());
        }
        let upload = crate::client::upload_args(&defs, op);
        if let Some(Body::Json(t) | Body::Multipart(t) | Body::Form(t)) =
            &op.body.as_ref().filter(|_| upload.form_needed)
        {
            let mut body = spec.body(op).unwrap_or(Value::Null);
            if let (Some(Body::Multipart(_)), Value::Object(m)) = (&op.body, &mut body) {
                // The file part: a few bytes of text.
                for v in m.values_mut() {
                    if v.is_null() {
                        *v = json!("contract test file");
                    }
                }
                m.entry("file").or_insert(json!("contract test file"));
            }
            let _ = writeln!(
                s,
                "            let body: {} = match example({}) {{ Ok(v) => v, Err(e) => return Some(Outcome::bad_example(e)) }};",
                tq(t),
                raw(&body.to_string())
            );
            args.push("body".into());
        }
        if upload.file_arg {
            args.push("openrouter::FilePart::bytes(\"contract test file\")".into());
        }
        let runner = match op.response {
            Response::Binary { .. } => "run_download",
            _ => "run_json",
        };
        let _ = writeln!(
            s,
            "            Box::pin({runner}(client.{}().{}({}), prefer)).await\n        }}",
            op.group,
            op.method_name,
            args.join(", ")
        );
    }
    s.push_str("        _ => return None,\n    })\n}\n\n");
    let mut errors = std::collections::BTreeSet::new();
    for op in &model.operations {
        for (_, ty) in &op.errors {
            if let Some(Ty::Named(n)) = ty {
                errors.insert(n.clone());
            }
        }
    }
    s.push_str(
        "/// Decodes an error body into the generated type the spec declares for it.\n\
         pub(crate) fn decode_error(type_name: &str, body: &str) -> Result<(), String> {\n    match type_name {\n",
    );
    for n in errors {
        let _ = writeln!(s, "        {n:?} => example::<t::{n}>(body).map(drop),");
    }
    s.push_str("        other => Err(format!(\"no generated error type `{other}`\")),\n    }\n}\n");
    s
}
