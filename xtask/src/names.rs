//! Turning spec names into Rust identifiers and spec descriptions into doc comments.

/// Splits a name into words at non-alphanumerics, lower-to-upper transitions and acronym ends.
pub fn words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if let Some(&prev) = cur.chars().last().as_ref() {
            let next = chars.get(i + 1).copied();
            let boundary = (prev.is_ascii_lowercase() && c.is_ascii_uppercase())
                || (prev.is_ascii_digit() && c.is_ascii_alphabetic() && c.is_ascii_uppercase())
                || (prev.is_ascii_uppercase()
                    && c.is_ascii_uppercase()
                    && cur.len() >= 2
                    && next.is_some_and(|n| n.is_ascii_lowercase()));
            if boundary {
                out.push(std::mem::take(&mut cur));
            }
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// `foo_bar-baz` → `FooBarBaz`; keeps an existing PascalCase name as it is.
pub fn pascal(s: &str) -> String {
    let mut out = String::new();
    for w in words(s) {
        let mut cs = w.chars();
        if let Some(f) = cs.next() {
            out.push(f.to_ascii_uppercase());
            // Keep the rest as written when the word is an acronym run like `BYOK`; lower it
            // otherwise so `fooBAR` and `foo_bar` read the same.
            let rest: String = cs.collect();
            if w.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                && w.len() > 1
            {
                out.push_str(&rest.to_ascii_lowercase());
            } else {
                out.push_str(&rest);
            }
        }
    }
    if out.is_empty() {
        out.push_str("Empty");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    out
}

/// `fooBar-baz` → `foo_bar_baz`, escaped when it is a keyword.
pub fn snake(s: &str) -> String {
    let mut out = words(s)
        .iter()
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("_");
    if out.is_empty() {
        out.push_str("value");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    escape_keyword(out)
}

pub fn escape_keyword(s: String) -> String {
    const KEYWORDS: &[&str] = &[
        "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn",
        "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref",
        "return", "static", "struct", "trait", "true", "type", "unsafe", "use", "where", "while",
        "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro", "override",
        "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
    ];
    match s.as_str() {
        "self" | "Self" | "super" | "crate" => format!("{s}_"),
        _ if KEYWORDS.contains(&s.as_str()) => format!("r#{s}"),
        _ => s,
    }
}

/// A field name without the raw-identifier prefix, for building other names from it.
pub fn bare(ident: &str) -> &str {
    ident.strip_prefix("r#").unwrap_or(ident)
}

/// The names a [`Call`](../../crates/openrouter/src/call.rs) ends in: an operation's method
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

/// Makes spec prose safe as a doc comment: code fences are marked as text so rustdoc does not
/// compile them, and indentation that would open an (executable) indented code block is removed.
pub fn doc_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_fence = false;
    for line in text.trim().lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            if in_fence {
                out.push("```".to_owned());
            } else {
                out.push("```text".to_owned());
            }
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            out.push(line.to_owned());
        } else {
            out.push(trimmed.trim_end().to_owned());
        }
    }
    if in_fence {
        out.push("```".to_owned());
    }
    out
}

/// Renders `///` lines (or nothing) for a description.
pub fn doc_comment(text: Option<&str>) -> String {
    let Some(text) = text.filter(|t| !t.trim().is_empty()) else {
        return String::new();
    };
    let mut s = String::new();
    for line in doc_lines(text) {
        if line.is_empty() {
            s.push_str("///\n");
        } else {
            s.push_str("/// ");
            s.push_str(&line);
            s.push('\n');
        }
    }
    s
}

/// A Rust string literal for `s`.
pub fn lit(s: &str) -> String {
    format!("{s:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            pascal("response.output_text.delta"),
            "ResponseOutputTextDelta"
        );
        assert_eq!(pascal("listBYOKKeys"), "ListByokKeys");
        assert_eq!(pascal("ChatStreamChunk"), "ChatStreamChunk");
        assert_eq!(pascal("gpt-4o"), "Gpt4o");
        assert_eq!(pascal("1h"), "V1h");
        assert_eq!(snake("createdAt"), "created_at");
        assert_eq!(snake("type"), "r#type");
        assert_eq!(snake("keyterms[]"), "keyterms");
        assert_eq!(snake("X-OpenRouter-Metadata"), "x_open_router_metadata");
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
