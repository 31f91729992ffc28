//! The offline transport's canned answers (`crates/openrouter/src/offline/answers.rs`): for
//! every operation, its success status and a body. A JSON body is the spec's own response
//! example where it has one, else one made from the response schema by the contract
//! generator's synthesizer (`contract::Spec::synth`); a binary body is a few bytes of the
//! declared content type; an operation without a body gets none.

use std::fmt::Write;

use serde_json::Value;

use crate::contract::Spec;
use crate::model::{Model, Response};

use crate::contract::raw;
use crate::emit::HEADER;

/// A concrete content type for a declared one (`audio/*` is answered as MP3).
fn concrete(content_type: &str) -> &str {
    match content_type {
        "audio/*" => "audio/mpeg",
        "video/*" => "video/mp4",
        "image/*" => "image/png",
        "*/*" => "application/octet-stream",
        other => other,
    }
}

/// Generates `crates/openrouter/src/offline/answers.rs`.
pub fn emit_answers(spec_root: &Value, model: &Model) -> String {
    let spec = Spec { root: spec_root };
    let mut s = String::from(HEADER);
    let mut from_example = 0;
    let mut synthesized = 0;
    let mut binary = 0;
    let mut empty = 0;
    let mut rows = String::new();
    for op in &model.operations {
        let response = &spec.op(op)["responses"][op.success_status.to_string()];
        let response = spec.resolve(response);
        let content = response.get("content").and_then(Value::as_object);
        let media = |pred: &dyn Fn(&str) -> bool| {
            content.and_then(|c| c.iter().find(|(k, _)| pred(k)).map(|(_, v)| v))
        };
        let body = match &op.response {
            Response::Empty => {
                empty += 1;
                "Canned::Empty".to_owned()
            }
            Response::Sse { .. } => {
                // No JSON form: the stream is the transport's (or there is none).
                empty += 1;
                "Canned::Empty".to_owned()
            }
            Response::Binary { content_type } => {
                binary += 1;
                let example = media(&|k| k == content_type)
                    .and_then(|m| m.get("example"))
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .unwrap_or_else(|| format!("offline {content_type} content"));
                format!(
                    "Canned::Binary {{ content_type: {:?}, bytes: b{:?} }}",
                    concrete(content_type),
                    example
                )
            }
            Response::Json(_) | Response::JsonOrSse { .. } => {
                let m = media(&|k| k.contains("json"));
                let example = m.and_then(|m| {
                    m.get("example").cloned().or_else(|| {
                        m.get("examples")
                            .and_then(Value::as_object)
                            .and_then(|e| e.values().next())
                            .and_then(|e| spec.resolve(e).get("value").cloned())
                    })
                });
                let (value, source) = match example {
                    Some(v) => {
                        from_example += 1;
                        (v, "Source::Example")
                    }
                    None => {
                        synthesized += 1;
                        let v = m
                            .and_then(|m| m.get("schema"))
                            .map(|schema| spec.synth(schema, 0))
                            .unwrap_or(Value::Null);
                        (v, "Source::Synthesized")
                    }
                };
                format!(
                    "Canned::Json {{ source: {source}, text: {} }}",
                    raw(&value.to_string())
                )
            }
        };
        let _ = writeln!(
            rows,
            "    Answer {{ operation: &operations::{}, status: {}, body: {body} }},",
            crate::emit::const_name(op),
            op.success_status
        );
    }
    let _ = write!(
        s,
        "//! One canned answer per operation of the spec, in the order of `OPERATIONS`: {} from the\n\
         //! spec's response examples, {} made from the response schemas, {} binary, {} without a body.\n\n\
         use openrouter_types::generated::operations;\n\n\
         use super::{{Answer, Canned, Source}};\n\n\
         /// Every operation's answer, in the order of `OPERATIONS`.\n\
         pub(super) static ANSWERS: &[Answer] = &[\n{rows}];\n",
        from_example, synthesized, binary, empty
    );
    s
}
