//! The client methods: one accessor per API group on `Client`, one method per operation, and the
//! pagination impls of the paginated responses. Written to `crates/openrouter/src/api/generated.rs`;
//! the README's table of groups and methods comes from the same model.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use crate::model::{Body, Def, Field, Kind, Model, Operation, Pagination, Response, Ty};
use crate::names::{doc_lines, pascal};

use crate::emit::{const_name, HEADER};

fn tq(ty: &Ty) -> String {
    ty.outside()
}

fn group_struct(group: &str) -> String {
    pascal(group)
}

fn group_title(group: &str) -> String {
    group
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn by_group(model: &Model) -> BTreeMap<&str, Vec<&Operation>> {
    let mut groups: BTreeMap<&str, Vec<&Operation>> = BTreeMap::new();
    for op in &model.operations {
        groups.entry(op.group.as_str()).or_default().push(op);
    }
    groups
}

/// A field's declared type, with the `Option`s that optional and nullable fields get.
fn wrap(f: &Field) -> Ty {
    let ty = f.ty.clone();
    if f.tristate {
        Ty::Option(Box::new(Ty::Option(Box::new(ty))))
    } else if !f.required || f.nullable {
        Ty::Option(Box::new(ty))
    } else {
        ty
    }
}

fn struct_fields<'m>(defs: &'m BTreeMap<&str, &Def>, ty: &Ty) -> Option<&'m [Field]> {
    let Ty::Named(n) = ty else { return None };
    match &defs.get(n.as_str())?.kind {
        Kind::Struct { fields, .. } => Some(fields),
        _ => None,
    }
}

/// The field of the body that switches the response to a stream: the spec's
/// `x-speakeasy-stream-request-field`, or a boolean `stream` field of a body whose response can
/// be an event stream.
fn stream_field<'m>(defs: &'m BTreeMap<&str, &Def>, op: &Operation) -> Option<&'m Field> {
    let Response::JsonOrSse { .. } = op.response else {
        return None;
    };
    let Some(Body::Json(body)) = &op.body else {
        return None;
    };
    let name = op.stream_field.as_deref().unwrap_or("stream");
    struct_fields(defs, body)?
        .iter()
        .find(|f| f.json == name)
        .filter(|f| wrap(f) == Ty::Option(Box::new(Ty::Bool)))
}

/// The file field of a multipart form.
fn file_field<'m>(defs: &'m BTreeMap<&str, &Def>, body: &Ty) -> Option<&'m Field> {
    struct_fields(defs, body)?
        .iter()
        .find(|f| f.ty == Ty::Binary)
}

/// What an operation's method takes besides its path, query and headers.
pub struct UploadArgs {
    /// The body (for an upload, the form: only when it has fields besides the file).
    pub form_needed: bool,
    /// The file of an upload whose file is required, as a `FilePart` argument (no placeholder
    /// in the form).
    pub file_arg: bool,
}

pub fn upload_args(defs: &BTreeMap<&str, &Def>, op: &Operation) -> UploadArgs {
    let Some(Body::Multipart(t)) = &op.body else {
        return UploadArgs {
            form_needed: op.body.is_some(),
            file_arg: false,
        };
    };
    match file_field(defs, t).filter(|f| wrap(f) == Ty::Binary) {
        Some(file) => UploadArgs {
            form_needed: struct_fields(defs, t)
                .is_some_and(|fields| fields.iter().any(|f| f.json != file.json && !f.fixed)),
            file_arg: true,
        },
        None => UploadArgs {
            form_needed: true,
            file_arg: false,
        },
    }
}

fn doc_block(s: &mut String, text: &str) {
    for line in doc_lines(text) {
        if line.is_empty() {
            s.push_str("    ///\n");
        } else {
            let _ = writeln!(s, "    /// {line}");
        }
    }
}

/// What a method's rustdoc says besides the spec's prose: the route, the key it needs, the
/// errors the spec declares, deprecation, and how to stream or page.
fn method_notes(op: &Operation, streams: bool) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "    /// `{} {}`", op.http_method, op.path);
    s.push_str("    ///\n");
    if op.management_key {
        s.push_str("    /// Needs a **management key**.\n");
    } else {
        s.push_str("    /// Works with an API key.\n");
    }
    if !op.errors.is_empty() {
        let statuses: Vec<String> = op.errors.iter().map(|(st, _)| st.to_string()).collect();
        let _ = writeln!(
            s,
            "    /// Declared errors: {}, returned as [`Error::Api`](crate::Error::Api) with the parsed body.",
            statuses.join(", ")
        );
    }
    if streams {
        s.push_str(
            "    ///\n    /// Awaiting the call returns the whole result; `.stream().await` sets the request's \
             stream field and returns its events.\n",
        );
    }
    if op.pagination.is_some() {
        s.push_str(
            "    ///\n    /// Paginated: `.pages()` streams each page and `.items()` every item across \
             pages, with this call's options on every page request.\n",
        );
    }
    if let Response::Binary { content_type } = &op.response {
        let _ = writeln!(
            s,
            "    ///\n    /// Answers with `{content_type}` bytes: awaiting the call returns a \
             [`Download`](crate::Download) to stream, collect or write to a file."
        );
    }
    if matches!(op.body, Some(Body::Multipart(_))) {
        s.push_str(
            "    ///\n    /// Sent as `multipart/form-data`; the file is a [`FilePart`](crate::FilePart) \
             (bytes, a path or a reader), given here or with [`Call::file`](crate::Call::file).\n",
        );
    }
    for h in &op.headers {
        if h.name.eq_ignore_ascii_case("x-openrouter-metadata") {
            s.push_str(
                "    ///\n    /// The optional `X-OpenRouter-Metadata` header is set with \
                 [`Call::openrouter_metadata`](crate::Call::openrouter_metadata).\n",
            );
        } else if h.name.eq_ignore_ascii_case("idempotency-key") {
            s.push_str(
                "    ///\n    /// The optional `Idempotency-Key` header is set with \
                 [`Call::idempotency_key`](crate::Call::idempotency_key).\n",
            );
        } else if !h.required {
            let _ = writeln!(
                s,
                "    ///\n    /// The optional `{}` header is set with [`Call::header`](crate::Call::header).",
                h.name
            );
        }
    }
    if op.deprecated {
        s.push_str("    ///\n    /// **Deprecated** by the API.\n");
    }
    s
}

/// Generates `crates/openrouter/src/api/generated.rs`.
pub fn emit_client(model: &Model) -> String {
    let defs: BTreeMap<&str, &Def> = model.defs.iter().map(|d| (d.name.as_str(), d)).collect();
    let groups = by_group(model);
    let mut s = String::from(HEADER);
    let _ = writeln!(
        s,
        "//! One accessor per API group on [`Client`] and one method per operation: {} groups, {} \
         operations.\n\nuse openrouter_types::generated as t;\nuse openrouter_types::generated::operations as op;\n\n\
         use crate::call::{{to_bytes, Call}};\nuse crate::Client;\n",
        groups.len(),
        model.operations.len()
    );

    // Accessors.
    s.push_str("impl Client {\n");
    for (group, ops) in &groups {
        let names: Vec<String> = ops.iter().map(|o| format!("`{}`", o.method_name)).collect();
        let _ = writeln!(
            s,
            "    /// The {} group: {}.\n    #[cfg(feature = \"{group}\")]\n    pub fn {group}(&self) -> {}<'_> {{\n        {} {{ client: self }}\n    }}\n",
            group_title(group),
            names.join(", "),
            group_struct(group),
            group_struct(group),
        );
    }
    s.push_str("}\n\n");

    for (group, ops) in &groups {
        let name = group_struct(group);
        let _ = writeln!(
            s,
            "/// The {} group of the API: `client.{group}()`.\n#[cfg(feature = \"{group}\")]\n#[derive(Clone, Copy, Debug)]\npub struct {name}<'c> {{\n    client: &'c Client,\n}}\n",
            group_title(group)
        );
        let _ = writeln!(s, "#[cfg(feature = \"{group}\")]\nimpl {name}<'_> {{");
        for op in ops {
            // The operation's position in the types crate's `OPERATIONS` (emitted in model
            // order), which keys the client's cache of fixed request URIs.
            let index = model
                .operations
                .iter()
                .position(|o| std::ptr::eq(o, *op))
                .expect("an operation of the model");
            emit_method(&mut s, &defs, op, index);
        }
        s.push_str("}\n\n");
    }

    emit_pages(&mut s, &defs, model);
    emit_types(&mut s, model, &groups);
    s
}

/// `openrouter::types` (re-exported from the crate root with `#[doc(inline)]`): everything
/// `openrouter_types` has, under the same paths, and one module per API group whose page lists
/// the group's types by name, each linked to its page in `openrouter_types`. Listed, not
/// inlined: inlining would copy every type's page into this crate's docs (each type once per
/// group that uses it, some 260 MB), where a list of links costs a few KB per group. The group
/// modules shadow the glob's modules of the same name; their hidden glob keeps the short names
/// of the hand-written modules (`types::chat::Message`) reachable.
fn emit_types(s: &mut String, model: &Model, groups: &BTreeMap<&str, Vec<&Operation>>) {
    let types = crate::emit::group_types(model);
    s.push_str(
        "/// The group modules and their lists are generated by `cargo xtask codegen` from the\n\
         /// spec's operations.\n\
         #[doc(hidden)]\npub mod types {\n    #[doc(no_inline)]\n    pub use openrouter_types::*;\n\n",
    );
    for (group, ops) in groups {
        let methods: Vec<String> = ops.iter().map(|o| format!("`{}`", o.method_name)).collect();
        let _ = writeln!(
            s,
            "    /// The types of `client.{group}()`: {}.\n    ///\n    /// The same module as \
             `openrouter_types::{group}`, where each type has its page.\n    #[cfg(feature = \"{group}\")]\n    pub mod {group} {{",
            methods.join(", ")
        );
        if let Some(list) = types.get(*group).filter(|l| !l.is_empty()) {
            let _ = writeln!(
                s,
                "        #[doc(no_inline)]\n        pub use openrouter_types::{group}::{{{}}};",
                list.join(", ")
            );
        }
        // The glob adds what the list cannot name: the short names of the types crate's
        // hand-written modules. For the other groups it adds nothing, hence the `allow`.
        let _ = writeln!(
            s,
            "        #[doc(hidden)]\n        #[allow(unreachable_pub, unused_imports)]\n        pub use openrouter_types::{group}::*;\n    }}\n"
        );
    }
    s.push_str("}\n");
}

fn emit_method(s: &mut String, defs: &BTreeMap<&str, &Def>, op: &Operation, index: usize) {
    let stream = stream_field(defs, op);
    // Doc: summary, the spec's description, then the notes.
    let summary = op.summary.clone().unwrap_or_else(|| op.id.clone());
    doc_block(s, &summary);
    if let Some(d) = op
        .description
        .as_deref()
        .filter(|d| d.trim() != summary.trim())
    {
        s.push_str("    ///\n");
        doc_block(s, d);
    }
    s.push_str("    ///\n");
    s.push_str(&method_notes(op, stream.is_some()));
    if op.deprecated {
        s.push_str("    #[deprecated(note = \"deprecated by the API\")]\n");
    }

    // Parameters.
    let mut params = Vec::new();
    let mut path_args = Vec::new();
    for p in &op.path_params {
        let ident = &p.ident;
        match &p.ty {
            Ty::String => {
                params.push(format!("{ident}: &str"));
                path_args.push(ident.clone());
            }
            Ty::Named(_) => {
                params.push(format!("{ident}: &{}", tq(&p.ty)));
                path_args.push(format!("{ident}.as_str()"));
            }
            other => {
                params.push(format!("{ident}: {}", tq(other)));
                path_args.push(format!("&{ident}.to_string()"));
            }
        }
    }
    let mut required_headers = Vec::new();
    for h in op.headers.iter().filter(|h| h.required) {
        params.push(format!("{}: &str", h.ident));
        required_headers.push((h.name.clone(), h.ident.clone()));
    }
    if let Some(q) = &op.query {
        params.push(format!("query: t::{q}"));
    }
    let body_ty = match &op.body {
        Some(Body::Json(t) | Body::Multipart(t) | Body::Form(t)) => Some(t),
        None => None,
    };
    let upload = match &op.body {
        Some(Body::Multipart(t)) => Some(t),
        _ => None,
    };
    let UploadArgs {
        form_needed,
        file_arg,
    } = upload_args(defs, op);
    if let Some(t) = body_ty.filter(|_| form_needed) {
        params.push(format!("body: {}", tq(t)));
    }
    if file_arg {
        params.push("file: crate::FilePart".to_owned());
    }

    // Return type.
    let ret = match &op.response {
        Response::Empty => "Call<()>".to_owned(),
        Response::Json(t) => format!("Call<{}>", tq(t)),
        Response::JsonOrSse { json, event, .. } => match stream {
            Some(_) => format!("Call<{}, {}>", tq(json), tq(event)),
            None => format!("Call<{}>", tq(json)),
        },
        Response::Sse { event, .. } => format!("Call<serde_json::Value, {}>", tq(event)),
        Response::Binary { .. } => "Call<crate::Download>".to_owned(),
    };
    let ret = match upload {
        Some(_) => format!("{}, crate::Upload>", ret.trim_end_matches('>')),
        None => ret,
    };

    let mut sig = String::from("&self");
    for p in &params {
        sig.push_str(", ");
        sig.push_str(p);
    }
    // Inline: compiled in the crate that calls it, and only there, so the serializer of a
    // request type is compiled for the operations an application calls, not for all of them
    // (a third of this crate's compiled code otherwise).
    let _ = writeln!(
        s,
        "    #[inline]\n    pub fn {}({sig}) -> {ret} {{",
        op.method_name
    );
    let mut prelude = String::new();
    let mut expr = if path_args.is_empty() {
        // A path without parameters: the call's URI can be cached by the client.
        format!("Call::fixed(self.client, &op::{}, {index})", const_name(op))
    } else {
        format!(
            "Call::new(self.client, &op::{}, &[{}])",
            const_name(op),
            path_args.join(", ")
        )
    };
    if op.query.is_some() {
        expr.push_str(".query(query.to_query_pairs())");
    }
    for (name, ident) in &required_headers {
        let _ = write!(expr, ".header({name:?}, {ident})");
    }
    match &op.body {
        Some(Body::Json(_)) => match stream {
            Some(f) => {
                let field = &f.ident;
                let _ = write!(
                    expr,
                    ".json_body(move |stream| {{\n            let mut body = body;\n            if stream {{\n                body.{field} = Some(true);\n            }} else if body.{field} == Some(true) {{\n                body.{field} = None;\n            }}\n            to_bytes(&body)\n        }})"
                );
            }
            None => expr.push_str(".json_body(move |_| to_bytes(&body))"),
        },
        Some(Body::Form(_)) => expr.push_str(".form_body(&body)"),
        Some(Body::Multipart(t)) => match file_field(defs, t) {
            // A required file is the method's argument; the form's own field is left empty.
            Some(f) if wrap(f) == Ty::Binary => {
                if form_needed {
                    let _ = write!(
                        expr,
                        ".multipart_form(&body, {:?}, Vec::new()).file(file)",
                        f.json
                    );
                } else {
                    let _ = write!(
                        expr,
                        ".multipart_form(&serde_json::Map::new(), {:?}, Vec::new()).file(file)",
                        f.json
                    );
                }
            }
            Some(f) => {
                prelude = format!(
                    "let mut body = body;\n        let file = body.{}.take().map(|b| b.0).unwrap_or_default();\n        ",
                    f.ident
                );
                let _ = write!(expr, ".multipart_form(&body, {:?}, file)", f.json);
            }
            None => expr.push_str(".multipart_form(&body, \"file\", Vec::new())"),
        },
        None => {}
    }
    let _ = writeln!(s, "        {prelude}{expr}\n    }}\n");
}

/// `Page` impls for the responses of paginated operations.
fn emit_pages(s: &mut String, defs: &BTreeMap<&str, &Def>, model: &Model) {
    let mut done = BTreeSet::new();
    for op in &model.operations {
        let Some(p) = &op.pagination else { continue };
        let Response::Json(Ty::Named(resp)) = &op.response else {
            continue;
        };
        if !done.insert(resp.clone()) {
            continue;
        }
        let (results, cursor) = match p {
            Pagination::OffsetLimit { results } => (results.as_str(), None),
            Pagination::Cursor { next, results, .. } => (results.as_str(), Some(next.as_str())),
        };
        let results = results.trim_start_matches("$.");
        let cursor = cursor.map(|c| c.trim_start_matches("$."));
        let _ = writeln!(
            s,
            "#[cfg(feature = \"{}\")]\nimpl crate::pagination::Page for t::{resp} {{",
            op.group
        );
        match defs.get(resp.as_str()).map(|d| &d.kind) {
            Some(Kind::Struct { fields, .. }) => {
                let data = fields.iter().find(|f| f.json == results);
                // An alias of an array counts as the array.
                let unalias = |ty: Ty| -> Ty {
                    let resolve = |t: &Ty| match t {
                        Ty::Named(n) => match defs.get(n.as_str()).map(|d| &d.kind) {
                            Some(Kind::Alias(inner @ Ty::Vec(_))) => inner.clone(),
                            _ => t.clone(),
                        },
                        _ => t.clone(),
                    };
                    match ty {
                        Ty::Option(inner) => Ty::Option(Box::new(resolve(&inner))),
                        other => resolve(&other),
                    }
                };
                let (item, opt) = match data.map(wrap).map(unalias).as_ref() {
                    Some(Ty::Vec(t)) => (tq(t), false),
                    Some(Ty::Option(o)) => match &**o {
                        Ty::Vec(t) => (tq(t), true),
                        _ => ("serde_json::Value".into(), true),
                    },
                    _ => ("serde_json::Value".into(), false),
                };
                let data = data.expect("paginated response without its results field");
                let ident = &data.ident;
                let _ = writeln!(s, "    type Item = {item};");
                if opt {
                    let _ = writeln!(
                        s,
                        "    fn into_items(self) -> Vec<Self::Item> {{ self.{ident}.unwrap_or_default() }}\n    fn item_count(&self) -> usize {{ self.{ident}.as_ref().map_or(0, Vec::len) }}"
                    );
                } else {
                    let _ = writeln!(
                        s,
                        "    fn into_items(self) -> Vec<Self::Item> {{ self.{ident} }}\n    fn item_count(&self) -> usize {{ self.{ident}.len() }}"
                    );
                }
                if let Some(f) = fields.iter().find(|f| f.json == "total_count") {
                    let ident = &f.ident;
                    let expr = match &wrap(f) {
                        Ty::I64 | Ty::I32 => format!("u64::try_from(self.{ident}).ok()"),
                        Ty::F64 | Ty::F32 => format!("Some(self.{ident}.max(0.0) as u64)"),
                        Ty::Option(o) if matches!(**o, Ty::I64 | Ty::I32) => {
                            format!("self.{ident}.and_then(|n| u64::try_from(n).ok())")
                        }
                        Ty::Option(o) if matches!(**o, Ty::F64 | Ty::F32) => {
                            format!("self.{ident}.map(|n| n.max(0.0) as u64)")
                        }
                        _ => "None".into(),
                    };
                    let _ = writeln!(s, "    fn total_count(&self) -> Option<u64> {{ {expr} }}");
                }
                if let Some(f) = fields.iter().find(|f| f.json == "has_more") {
                    let ident = &f.ident;
                    let expr = match &wrap(f) {
                        Ty::Bool => format!("Some(self.{ident})"),
                        Ty::Option(o) if **o == Ty::Bool => format!("self.{ident}"),
                        _ => "None".into(),
                    };
                    let _ = writeln!(s, "    fn has_more(&self) -> Option<bool> {{ {expr} }}");
                }
                if let Some(c) = cursor {
                    if let Some(f) = fields.iter().find(|f| f.json == c) {
                        let ident = &f.ident;
                        let expr = match &wrap(f) {
                            Ty::String => format!("Some(self.{ident}.clone())"),
                            Ty::Option(o) if **o == Ty::String => format!("self.{ident}.clone()"),
                            Ty::Option(o) if matches!(**o, Ty::Option(_)) => {
                                format!("self.{ident}.clone().flatten()")
                            }
                            _ => format!("crate::pagination::json_string(&self.{ident})"),
                        };
                        let _ = writeln!(
                            s,
                            "    fn next_cursor(&self) -> Option<String> {{ {expr} }}"
                        );
                    }
                }
            }
            _ => {
                // A union of response shapes: items and cursor are read from the JSON.
                let _ = writeln!(
                    s,
                    "    type Item = serde_json::Value;\n    fn into_items(self) -> Vec<Self::Item> {{ crate::pagination::json_items(&self, {results:?}) }}\n    fn item_count(&self) -> usize {{ crate::pagination::json_items(self, {results:?}).len() }}\n    fn has_more(&self) -> Option<bool> {{ crate::pagination::json_field(self, \"has_more\").and_then(|v| v.as_bool()) }}"
                );
                if let Some(c) = cursor {
                    let _ = writeln!(
                        s,
                        "    fn next_cursor(&self) -> Option<String> {{ crate::pagination::json_field(self, {c:?}).and_then(|v| v.as_str().map(str::to_owned)) }}"
                    );
                }
            }
        }
        s.push_str("}\n\n");
    }
}

/// The README table of groups and their methods (Markdown, between markers).
pub fn readme_table(model: &Model) -> String {
    let mut s = String::from("| Group | Methods |\n|---|---|\n");
    for (group, ops) in by_group(model) {
        let methods: Vec<String> = ops.iter().map(|o| format!("`{}`", o.method_name)).collect();
        let _ = writeln!(s, "| `client.{group}()` | {} |", methods.join(", "));
    }
    s
}
