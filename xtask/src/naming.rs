//! The names of generated types and client methods (`method_name`, below). For types: how an
//! inline schema is named from where it sits, how long a name may be, how a repeated word at a
//! join is said once, and what a name that is already taken becomes. The functions here are
//! pure, so the same spec always gives the same names.
//!
//! An inline schema's *path* is its nearest named ancestor (a component, or an operation's
//! `{Operation}Request` / `{Operation}Response` / ...) followed by the segments that lead to it:
//! property names, union variant names, `Item` for an array's items and `Value` for a map's
//! values (these two are glued to the segment before them: `MessagesItem`).
//!
//! - The name is the path joined, when that fits in [`MAX`] characters:
//!   `ChatRequest` + `Messages` + `Item` is `ChatRequestMessagesItem`.
//! - Otherwise middle segments are dropped, keeping the ancestor and as many of the last
//!   segments as fit: `BatchObject` + `ResultsItem` + `Response` + `Body` + ... +
//!   `ContentItem` + `ImageUrl` + `ImageUrl` is `BatchObjectFileContentItemImageUrl`. A name that some other
//!   type takes from its whole path is never taken this way (the model is built twice: the first
//!   pass finds those names), so a deep type does not rename a shallow one.
//! - At every join a word (or run of words) that ends the left side and starts the right one is
//!   said once: `ChatContentImage` + `ImageUrl` is `ChatContentImageUrl`, `BatchObject` +
//!   `Object` is `BatchObject`.
//! - A name that is taken (often by the ancestor itself, after a stutter is said once) is told
//!   apart by a word, not a number: a shorter tail, then the ancestor without its middle words
//!   (`ChatFunctionTool` + `Function` + `Function` is `ChatToolFunction`, beside the variant
//!   `ChatFunctionToolFunction`), then the schema's title, then a word for what the type is
//!   (`Kind` for an enum: `BatchObjectKind`; `Object` for a struct; `Union` for a union). Only
//!   when all of these are taken does a number follow, and `report` refuses a numbered name on
//!   a type of the main operations.
//! - A component's name longer than [`MAX`] keeps its last words
//!   (`OpenAiResponsesCodeInterpreterCallCodeDelta` is `ResponsesCodeInterpreterCallCodeDelta`).

use std::collections::BTreeSet;

use crate::model::{Kind, Model, Response, Ty};
use crate::names::{escape_keyword, pascal, snake, words};

/// The longest name a generated type may have.
pub const MAX: usize = 40;

/// Separates the segments of a name hint: `ChatRequest/Messages/Item`.
pub const SEP: char = '/';

/// What an inline type is, for the word that tells two types of the same path apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameKind {
    Struct,
    Enum,
    Union,
}

impl NameKind {
    fn word(self) -> &'static str {
        match self {
            NameKind::Struct => "Object",
            NameKind::Enum => "Kind",
            NameKind::Union => "Union",
        }
    }
}

/// Joins two PascalCase names, saying once the words that end `left` and start `right`:
/// `ImageUrl` + `ImageUrl` is `ImageUrl`, `BatchObject` + `Object` is `BatchObject`.
pub fn join(left: &str, right: &str) -> String {
    let l = words(left);
    let r = words(right);
    let max = l.len().min(r.len());
    let overlap = (1..=max)
        .rev()
        .find(|&k| l[l.len() - k..] == r[..k])
        .unwrap_or(0);
    let mut out = left.to_owned();
    for w in &r[overlap..] {
        out.push_str(w);
    }
    out
}

/// Joins a path's parts in order (see [`join`]).
pub fn join_all<S: AsRef<str>>(parts: &[S]) -> String {
    let mut out = String::new();
    for p in parts {
        out = join(&out, p.as_ref());
    }
    out
}

/// Splits a hint into its PascalCase segments (see [`glue`] for the path made of them).
pub fn path(hint: &str) -> Vec<String> {
    hint.split(SEP)
        .filter(|s| !s.is_empty())
        .map(pascal)
        .collect()
}

/// A path from segments: `Item` and `Value` are glued to the segment before them.
pub fn glue(segs: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for seg in segs {
        match out.last_mut() {
            Some(last) if seg == "Item" || seg == "Value" => last.push_str(&seg),
            _ => out.push(seg),
        }
    }
    out
}

/// The names an inline type with this path may take, best first; each at most [`MAX`]
/// characters. The first one that is free is the type's name.
pub fn candidates(path: &[String], title: Option<&str>, kind: NameKind) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    fn add(out: &mut Vec<String>, n: String) {
        if n.len() <= MAX && !n.is_empty() && !out.contains(&n) {
            out.push(n);
        }
    }
    let Some((root, segs)) = path.split_first() else {
        return out;
    };
    // The whole path, then the ancestor with ever shorter tails of it; then the same with the
    // ancestor's middle words dropped (its first word kept), for an ancestor that is long.
    let n = segs.len();
    let tails = |k: usize| segs[n - k..].to_vec();
    let min_k = n.min(1);
    for k in (min_k..=n).rev() {
        let mut parts = vec![root.clone()];
        parts.extend(tails(k));
        add(&mut out, join_all(&parts));
    }
    // Only when there is a tail to keep, and with two words of the ancestor at least: an
    // operation's envelope is not renamed to its first word.
    let w = words(root);
    // The first word, with a short word after it that belongs to it (`OpenAi`).
    let head = if w.len() > 2 && w[1].len() <= 2 { 2 } else { 1 };
    for j in (head + 1..w.len()).filter(|_| n > 0) {
        let short = format!("{}{}", w[..head].concat(), w[j..].concat());
        for k in (min_k..=n).rev() {
            let mut parts = vec![short.clone()];
            parts.extend(tails(k));
            add(&mut out, join_all(&parts));
        }
    }
    let base = out.first().cloned().unwrap_or_else(|| fit(&join_all(path)));
    if let Some(t) = title.map(pascal).filter(|t| !t.is_empty()) {
        add(&mut out, join(&base, &t));
    }
    add(&mut out, format!("{base}{}", kind.word()));
    add(&mut out, fit(&format!("{base}{}", kind.word())));
    if out.is_empty() {
        add(&mut out, fit(&join_all(path)));
    }
    out
}

/// A component's name when the spec's is longer than [`MAX`]: its last words that fit (a
/// vendor prefix goes first: `OpenAiResponsesCodeInterpreterCallCodeDelta` is
/// `ResponsesCodeInterpreterCallCodeDelta`), else its first word with the last words that fit.
pub fn component_name(name: &str, taken: impl Fn(&str) -> bool) -> String {
    if name.len() <= MAX {
        return name.to_owned();
    }
    let w = words(name);
    let mut cands = vec![fit(name)];
    for j in 2..w.len() {
        cands.push(format!("{}{}", w[0], w[j..].concat()));
    }
    cands
        .into_iter()
        .find(|c| c.len() <= MAX && !taken(c))
        .unwrap_or_else(|| fit(name))
}

/// The last words of a name that fit in [`MAX`] characters (the tail of a path says the most).
pub fn fit(name: &str) -> String {
    if name.len() <= MAX {
        return name.to_owned();
    }
    let w = words(name);
    let mut kept: Vec<&String> = Vec::new();
    let mut len = 0;
    for word in w.iter().rev() {
        if len + word.len() > MAX {
            break;
        }
        len += word.len();
        kept.insert(0, word);
    }
    // A short word cut from the one before it (`Ai` of `OpenAi`) does not start a name.
    while kept.len() > 1 && kept[0].len() <= 2 {
        kept.remove(0);
    }
    let out: String = kept.into_iter().map(String::as_str).collect();
    if out.is_empty() {
        name[..MAX].to_owned()
    } else {
        out
    }
}

/// The first candidate that is free, else the first one with the smallest number that is.
/// Returns the name and whether it had to be numbered.
pub fn choose(
    path: &[String],
    title: Option<&str>,
    kind: NameKind,
    taken: impl Fn(&str) -> bool,
) -> (String, bool) {
    let cands = candidates(path, title, kind);
    if let Some(free) = cands.iter().find(|c| !taken(c)) {
        return (free.clone(), false);
    }
    let base = cands
        .first()
        .cloned()
        .unwrap_or_else(|| fit(&join_all(path)));
    let mut n = 2;
    loop {
        let digits = n.to_string();
        let stem = if base.len() + digits.len() > MAX {
            fit(&base[..MAX - digits.len()])
        } else {
            base.clone()
        };
        let name = format!("{stem}{digits}");
        if !taken(&name) {
            return (name, true);
        }
        n += 1;
    }
}

/// A union variant name that is free among the variants named so far: the base name, else the
/// alternatives in order, else the base with a number.
pub fn variant_name(base: &str, alternatives: &[String], used: &BTreeSet<String>) -> String {
    if !used.contains(base) {
        return base.to_owned();
    }
    if let Some(a) = alternatives
        .iter()
        .find(|a| !a.is_empty() && !used.contains(*a))
    {
        return a.clone();
    }
    let mut i = 2;
    loop {
        let n = format!("{base}{i}");
        if !used.contains(&n) {
            return n;
        }
        i += 1;
    }
}

/// The API groups whose types people write most; no type they reach may carry a number that only
/// tells it from another type.
pub const MAIN_GROUPS: &[&str] = &[
    "chat",
    "responses",
    "anthropic_messages",
    "messages",
    "embeddings",
    "models",
];

/// Counts the generated type names and checks the naming rules: prints
/// `type names: <n> types, longest <l>, <k> over 40`, and fails when a name is longer than
/// [`MAX`] or a numbered name (a collision that found no word) is reachable from an operation of
/// [`MAIN_GROUPS`].
pub fn report(model: &Model) -> Result<(), String> {
    let names: Vec<&str> = model.defs.iter().map(|d| d.name.as_str()).collect();
    let longest = names.iter().map(|n| n.len()).max().unwrap_or(0);
    let over: Vec<&str> = names.iter().copied().filter(|n| n.len() > MAX).collect();
    println!(
        "type names: {} types, longest {longest}, {} over {MAX}",
        names.len(),
        over.len()
    );
    let reach = reachable(model, MAIN_GROUPS);
    let numbered: Vec<&String> = model
        .numbered
        .iter()
        .filter(|n| reach.contains(n.as_str()))
        .collect();
    let mut problems = Vec::new();
    if !over.is_empty() {
        problems.push(format!("names over {MAX} characters: {}", over.join(", ")));
    }
    if !numbered.is_empty() {
        problems.push(format!(
            "numbered names reachable from the main operations: {}",
            numbered
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("type names: {}", problems.join("; ")))
    }
}

/// The names of the types reachable from the operations of the given groups.
pub fn reachable(model: &Model, groups: &[&str]) -> BTreeSet<String> {
    let by_name: std::collections::HashMap<&str, &crate::model::Def> =
        model.defs.iter().map(|d| (d.name.as_str(), d)).collect();
    let mut stack: Vec<String> = Vec::new();
    let push_ty = |t: &Ty, stack: &mut Vec<String>| {
        let mut names = Vec::new();
        ty_names(t, &mut names);
        stack.extend(names);
    };
    for op in model
        .operations
        .iter()
        .filter(|o| groups.contains(&o.group.as_str()))
    {
        if let Some(q) = &op.query {
            stack.push(q.clone());
        }
        for p in op.path_params.iter().chain(&op.headers) {
            push_ty(&p.ty, &mut stack);
        }
        if let Some(b) = &op.body {
            match b {
                crate::model::Body::Json(t)
                | crate::model::Body::Multipart(t)
                | crate::model::Body::Form(t) => push_ty(t, &mut stack),
            }
        }
        match &op.response {
            Response::Json(t) => push_ty(t, &mut stack),
            Response::JsonOrSse { json, event, .. } => {
                push_ty(json, &mut stack);
                push_ty(event, &mut stack);
            }
            Response::Sse { event, .. } => push_ty(event, &mut stack),
            Response::Empty | Response::Binary { .. } => {}
        }
        for (_, t) in &op.errors {
            if let Some(t) = t {
                push_ty(t, &mut stack);
            }
        }
    }
    let mut seen = BTreeSet::new();
    while let Some(n) = stack.pop() {
        if !seen.insert(n.clone()) {
            continue;
        }
        let Some(d) = by_name.get(n.as_str()) else {
            continue;
        };
        let mut names = Vec::new();
        match &d.kind {
            Kind::Struct { fields, .. } => fields.iter().for_each(|f| ty_names(&f.ty, &mut names)),
            Kind::Union(u) => u
                .variants
                .iter()
                .filter_map(|v| v.payload.as_ref())
                .for_each(|t| ty_names(t, &mut names)),
            Kind::Alias(t) => ty_names(t, &mut names),
            Kind::Enum { .. } => {}
        }
        stack.extend(names);
    }
    seen
}

fn ty_names(t: &Ty, out: &mut Vec<String>) {
    match t {
        Ty::Named(n) => out.push(n.clone()),
        Ty::Vec(t) | Ty::Map(t) | Ty::Option(t) | Ty::Boxed(t) => ty_names(t, out),
        _ => {}
    }
}

/// The names a `Call` ends in: an operation's method
/// never takes one, so `client.chat().create(req).send()` never reads `send(req).send()`.
pub const CALL_TERMINALS: &[&str] = &["send", "stream", "pages", "items", "into_future"];

/// Verbs of the spec's operation names that mean one of the scheme's verbs.
const VERB_SYNONYMS: &[(&str, &str)] = &[
    ("retrieve", "get"),
    ("read", "get"),
    ("fetch", "get"),
    ("generate", "create"),
    ("send", "create"),
];

/// Whether two words name the same noun, singular or plural (`key` / `keys`,
/// `batch` / `batches`).
fn same_noun(a: &str, b: &str) -> bool {
    a == b
        || a.strip_suffix('s') == Some(b)
        || b.strip_suffix('s') == Some(a)
        || a.strip_suffix("es") == Some(b)
        || b.strip_suffix("es") == Some(a)
}

/// The method of an operation in its group, by the one scheme every group follows:
///
/// - the operation's name in the spec (its SDK name, else its `operationId`) in snake case;
/// - its first word is the verb, with synonyms made one (`retrieve`, `read` → `get`;
///   `generate`, `send` → `create`);
/// - the words that repeat the group's name (singular or plural) are dropped, so a group's
///   own resource needs no noun (`credits().get()`, not `get_credits`) and a second resource
///   keeps its noun (`workspaces().list_members()`);
/// - a verb that is the group's name (`rerank`) becomes `create` for a `POST`, `get`
///   otherwise.
///
/// The few operations this gets wrong are in `overrides::METHOD_NAMES`, each with its reason.
pub fn method_name(group: &str, spec_name: &str, http_method: &str) -> String {
    let group_words: Vec<String> = words(group)
        .iter()
        .map(|w| w.to_ascii_lowercase())
        .collect();
    let in_group = |w: &str| group_words.iter().any(|g| same_noun(g, w));
    let ws: Vec<String> = words(spec_name)
        .iter()
        .map(|w| w.to_ascii_lowercase())
        .collect();
    let Some((first, rest)) = ws.split_first() else {
        return snake(spec_name);
    };
    let mut verb = VERB_SYNONYMS
        .iter()
        .find(|(from, _)| from == first)
        .map_or(first.as_str(), |(_, to)| to)
        .to_owned();
    if in_group(&verb) {
        verb = if http_method.eq_ignore_ascii_case("post") {
            "create".to_owned()
        } else {
            "get".to_owned()
        };
    }
    let mut out = vec![verb];
    out.extend(rest.iter().filter(|w| !in_group(w)).cloned());
    escape_keyword(out.join("_"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(segs: &[&str]) -> Vec<String> {
        segs.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn paths_glue_items_and_values() {
        assert_eq!(
            glue(path("ChatRequest/Messages/Item")),
            p(&["ChatRequest", "MessagesItem"])
        );
        assert_eq!(
            glue(path("Foo/Metadata/Value/Item")),
            p(&["Foo", "MetadataValueItem"])
        );
        assert_eq!(path("ListEndpointsResponse"), p(&["ListEndpointsResponse"]));
        assert_eq!(path("Usage/cost_details"), p(&["Usage", "CostDetails"]));
    }

    #[test]
    fn names_join_the_path_when_it_fits() {
        let c = candidates(&p(&["ChatRequest", "MessagesItem"]), None, NameKind::Struct);
        assert_eq!(c[0], "ChatRequestMessagesItem");
    }

    #[test]
    fn stutter_is_said_once() {
        assert_eq!(
            join("ChatFunctionToolFunction", "Function"),
            "ChatFunctionToolFunction"
        );
        assert_eq!(
            join("ContentItemImageUrl", "ImageUrl"),
            "ContentItemImageUrl"
        );
        assert_eq!(join("AnnotationsItemFile", "File"), "AnnotationsItemFile");
        assert_eq!(join("File", "FileContentItem"), "FileContentItem");
        assert_eq!(join("BatchObject", "Object"), "BatchObject");
        assert_eq!(join("ChatContentImage", "ImageUrl"), "ChatContentImageUrl");
        // Only whole words: `Tools` does not repeat `Tool`.
        assert_eq!(join("McpTool", "ToolsItem"), "McpToolToolsItem");
        assert_eq!(join("", "Chat"), "Chat");
    }

    #[test]
    fn long_paths_drop_middle_segments() {
        let path = p(&[
            "BatchObject",
            "ResultsItem",
            "Response",
            "Body",
            "ChatCompletion",
            "ChoicesItem",
            "Message",
            "AnnotationsItem",
            "File",
            "File",
            "ContentItem",
            "ImageUrl",
            "ImageUrl",
        ]);
        let c = candidates(&path, None, NameKind::Struct);
        assert!(c.iter().all(|n| n.len() <= MAX), "{c:?}");
        assert_eq!(c[0], "BatchObjectFileContentItemImageUrl");
        // Shorter tails follow, then the word for the kind.
        assert!(c.contains(&"BatchObjectImageUrl".to_owned()));
        assert!(
            c.contains(&"BatchObjectFileContentItemImageUrlObject".to_owned())
                || c.iter().any(|n| n.ends_with("Object"))
        );
    }

    #[test]
    fn nothing_is_over_the_limit() {
        let root = "CreateAudioTranscriptionsFormTimestampGranularities".to_owned();
        let c = candidates(&[root, "Item".to_owned()], None, NameKind::Enum);
        assert!(!c.is_empty());
        assert!(c.iter().all(|n| n.len() <= MAX), "{c:?}");
        assert_eq!(
            fit("AaaaaaaaaaBbbbbbbbbbCcccccccccDdddddddddEeeee"),
            "BbbbbbbbbbCcccccccccDdddddddddEeeee"
        );
    }

    #[test]
    fn collisions_take_a_word_before_a_number() {
        let path = p(&["BatchObject", "Object"]);
        let taken = |n: &str| n == "BatchObject";
        assert_eq!(
            choose(&path, None, NameKind::Enum, taken),
            ("BatchObjectKind".to_owned(), false)
        );
        // The ancestor's middle words go before a word is added.
        let path = p(&["ChatFunctionTool", "Function", "Function"]);
        let taken = |n: &str| n == "ChatFunctionToolFunction";
        assert_eq!(
            choose(&path, None, NameKind::Struct, taken),
            ("ChatToolFunction".to_owned(), false)
        );
        // Then the schema's title, then the word for the kind.
        let path = p(&["ToolCall", "Function"]);
        let taken = |n: &str| n == "ToolCallFunction";
        assert_eq!(
            choose(&path, Some("Definition"), NameKind::Struct, taken).0,
            "ToolCallFunctionDefinition"
        );
        assert_eq!(
            choose(&path, None, NameKind::Struct, taken).0,
            "ToolCallFunctionObject"
        );
        // Numbers only when every word is taken.
        let path = p(&["Foo", "Bar"]);
        let cands = candidates(&path, None, NameKind::Struct);
        let taken = |n: &str| cands.iter().any(|c| c == n);
        assert_eq!(
            choose(&path, None, NameKind::Struct, taken),
            ("FooBar2".to_owned(), true)
        );
    }

    #[test]
    fn long_component_names_keep_their_last_words() {
        let none = |_: &str| false;
        assert_eq!(
            component_name("OpenAiResponsesCodeInterpreterCallCodeDelta", none),
            "ResponsesCodeInterpreterCallCodeDelta"
        );
        assert_eq!(component_name("ChatRequest", none), "ChatRequest");
        let taken = |n: &str| n == "TextEditorCodeExecutionToolResultError";
        let n = component_name("AnthropicTextEditorCodeExecutionToolResultError", taken);
        assert!(
            n.len() <= MAX && n != "TextEditorCodeExecutionToolResultError",
            "{n}"
        );
    }

    #[test]
    fn the_ancestor_keeps_a_short_word_after_its_first() {
        let path = p(&["OpenAiResponseCustomToolCallOutput", "Output"]);
        let taken = |n: &str| n == "OpenAiResponseCustomToolCallOutput";
        assert_eq!(
            choose(&path, None, NameKind::Union, taken).0,
            "OpenAiCustomToolCallOutput"
        );
    }

    #[test]
    fn union_variant_names() {
        let used: BTreeSet<String> = ["Unknown", "String"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(variant_name("Object", &[], &used), "Object");
        assert_eq!(
            variant_name("String", &["DateOrDateTime".to_owned()], &used),
            "DateOrDateTime"
        );
        assert_eq!(variant_name("String", &[], &used), "String2");
    }

    #[test]
    fn method_names() {
        // The verb is made one, the group's own noun is dropped (singular or plural).
        assert_eq!(method_name("chat", "send", "post"), "create");
        assert_eq!(method_name("files", "retrieve", "get"), "get");
        assert_eq!(method_name("scim", "read", "get"), "get");
        assert_eq!(method_name("embeddings", "generate", "post"), "create");
        assert_eq!(method_name("credits", "getCredits", "get"), "get");
        assert_eq!(method_name("batch", "createBatches", "post"), "create");
        assert_eq!(method_name("speech", "createSpeech", "post"), "create");
        assert_eq!(
            method_name("transcriptions", "createTranscription", "post"),
            "create"
        );
        assert_eq!(method_name("tools", "getTool", "get"), "get");
        // A second resource keeps its noun.
        assert_eq!(
            method_name("workspaces", "listMembers", "get"),
            "list_members"
        );
        assert_eq!(
            method_name("containers", "listContainerFiles", "get"),
            "list_files"
        );
        assert_eq!(
            method_name("vault", "storeInternVaultSecret", "put"),
            "store_intern_secret"
        );
        assert_eq!(
            method_name("video_generation", "listVideosModels", "get"),
            "list_models"
        );
        assert_eq!(
            method_name("endpoints", "listZdrEndpoints", "get"),
            "list_zdr"
        );
        // A verb that is the group's name.
        assert_eq!(method_name("rerank", "rerank", "post"), "create");
        // Other verbs are kept.
        assert_eq!(
            method_name("generations", "submitFeedback", "post"),
            "submit_feedback"
        );
        assert_eq!(
            method_name("private_endpoints", "activate", "post"),
            "activate"
        );
        assert!(!CALL_TERMINALS.contains(&method_name("responses", "send", "post").as_str()));
    }
}
