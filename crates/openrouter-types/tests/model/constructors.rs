//! Constructors that cannot be swapped silently: every generated `new` is listed, and one with
//! two positional arguments of one type (besides `model`, always first) fails this test unless
//! it is one of the few whose order is the obvious one (`xtask/src/overrides.rs`). A type a
//! string converts into (an open enum, a union with a text member) counts as `String`. Types
//! whose required fields would need such a constructor are built with named setters and
//! `build()`.

use openrouter_types::chat::ChatToolCallFunction;
use openrouter_types::workspaces::CreateWorkspaceRequest;
use openrouter_types::MissingFields;

/// The positional constructors allowed two arguments of one type, with the reason.
const ALLOWED: &[(&str, &str)] = &[
    ("ChatToolCallFunction", "name, arguments"),
    ("AlignmentChatToolCallFunction", "name, arguments"),
];

struct Signature {
    type_name: String,
    /// (argument, type) in order.
    args: Vec<(String, String)>,
}

/// Every `pub fn new(...) -> Self` of the generated model, with the type it belongs to.
fn constructors() -> (Vec<Signature>, usize) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/generated/types.rs");
    let text = std::fs::read_to_string(path).expect("the generated model is part of the crate");
    // Types a string converts into take a string as readily as `String` does.
    // (Unions say so with an `impl From<String>`; open enums, declared inside `open_enum!`,
    // all have one.)
    let text_like: Vec<&str> = text
        .lines()
        .filter_map(|l| {
            l.strip_prefix("impl From<String> for ")
                .or_else(|| l.strip_prefix("    pub enum "))
        })
        .filter_map(|l| l.strip_suffix(" {"))
        .collect();
    let mut out = Vec::new();
    let mut builders = 0;
    let mut current: Option<String> = None;
    let mut rest = text.as_str();
    while let Some(line_end) = rest.find('\n') {
        let line = &rest[..line_end];
        if let Some(name) = line
            .strip_prefix("impl ")
            .and_then(|l| l.strip_suffix(" {"))
            .filter(|n| n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        {
            current = Some(name.to_owned());
        } else if line == "    pub fn builder() -> Self {" {
            builders += 1;
        } else if line.starts_with("    pub fn new(") {
            let sig_end = rest.find(") -> Self").expect("a constructor returns Self");
            let params = &rest["    pub fn new(".len()..sig_end];
            let args = split_params(params)
                .into_iter()
                .map(|(name, ty)| {
                    let inner = ty
                        .strip_prefix("impl Into<")
                        .and_then(|t| t.strip_suffix('>'));
                    match inner {
                        Some(t) if text_like.contains(&t) => (name, "impl Into<String>".to_owned()),
                        _ => (name, ty),
                    }
                })
                .collect();
            out.push(Signature {
                type_name: current
                    .clone()
                    .expect("a constructor sits in an impl block"),
                args,
            });
        }
        rest = &rest[line_end + 1..];
    }
    (out, builders)
}

/// `a: impl Into<X>, b: impl Into<Y<Z, W>>` into `[(a, X), (b, Y<Z, W>)]` (commas inside
/// angle brackets do not split).
fn split_params(params: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    let bytes = params.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'<' => depth += 1,
            b'>' => depth = depth.saturating_sub(1),
            b',' if depth == 0 => {
                push_param(&params[start..i], &mut out);
                start = i + 1;
            }
            _ => {}
        }
    }
    push_param(&params[start..], &mut out);
    out
}

fn push_param(param: &str, out: &mut Vec<(String, String)>) {
    let param = param.trim();
    if let Some((name, ty)) = param.split_once(':') {
        let ty: String = ty.split_whitespace().collect::<Vec<_>>().join(" ");
        out.push((name.trim().to_owned(), ty));
    }
}

#[test]
fn no_constructor_takes_two_arguments_of_one_type() {
    let (signatures, builders) = constructors();
    assert!(
        signatures.len() > 500,
        "found {} constructors",
        signatures.len()
    );
    let mut ambiguous = Vec::new();
    for sig in &signatures {
        let rest: Vec<&(String, String)> = sig.args.iter().filter(|(n, _)| n != "model").collect();
        let repeated = rest
            .iter()
            .any(|(_, t)| rest.iter().filter(|(_, u)| u == t).count() > 1);
        if repeated {
            let names: Vec<&str> = sig.args.iter().map(|(n, _)| n.as_str()).collect();
            ambiguous.push((sig.type_name.clone(), names.join(", ")));
        }
    }
    let unexpected: Vec<String> = ambiguous
        .iter()
        .filter(|(t, args)| !ALLOWED.iter().any(|(at, aa)| at == t && aa == args))
        .map(|(t, args)| format!("{t}::new({args})"))
        .collect();
    assert!(
        unexpected.is_empty(),
        "constructors with two positional arguments of one type (make them builders, or add \
         them to overrides::OBVIOUS_CONSTRUCTORS and here with the reason):\n  {}",
        unexpected.join("\n  ")
    );
    // `model` always comes first.
    for sig in &signatures {
        if let Some(i) = sig.args.iter().position(|(n, _)| n == "model") {
            assert_eq!(i, 0, "{}::new takes `model` at position {i}", sig.type_name);
        }
    }
    eprintln!(
        "constructors: {} positional, {builders} builders, {} positional with two arguments of \
         one type (allowed)",
        signatures.len(),
        ambiguous.len()
    );
}

#[test]
fn obvious_constructor_order() {
    let f = ChatToolCallFunction::new("get_weather", r#"{"city":"Paris"}"#);
    assert_eq!(f.name, "get_weather");
    assert_eq!(f.arguments, r#"{"city":"Paris"}"#);
}

#[test]
fn builder_names_the_fields_not_set() {
    let err = CreateWorkspaceRequest::builder()
        .name("Research")
        .build()
        .unwrap_err();
    assert_eq!(
        err,
        MissingFields {
            type_name: "CreateWorkspaceRequest",
            fields: vec!["slug"]
        }
    );
    assert_eq!(
        err.to_string(),
        "CreateWorkspaceRequest is missing required fields: slug"
    );
    // An unset required field is left out rather than sent empty.
    let partial = CreateWorkspaceRequest::builder().name("Research");
    assert_eq!(
        serde_json::to_value(&partial).unwrap(),
        serde_json::json!({"name": "Research"})
    );
    let built = CreateWorkspaceRequest::builder()
        .slug("research")
        .name("Research")
        .description("Papers")
        .build()
        .unwrap();
    assert!(built.decode_issues().is_empty());
    assert_eq!(
        serde_json::to_value(&built).unwrap(),
        serde_json::json!({"name": "Research", "slug": "research", "description": "Papers"})
    );
}
