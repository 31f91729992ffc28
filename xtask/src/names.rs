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
}
