//! Model ids as OpenRouter reads them: `author/slug`, an optional variant after a colon
//! (`openai/gpt-4o:nitro`), or a preset (`@preset/my-preset`).

use std::fmt;
use std::str::FromStr;

/// A model id: `author/slug` with an optional [`ModelVariant`], or a preset.
///
/// Requests take the model as a string; a `ModelId` converts into one
/// (`ChatRequest::new(ModelId::new("openai", "gpt-4o").variant(ModelVariant::Nitro), ...)`),
/// and parses the ids the API returns, keeping what it does not know.
///
/// ```
/// use openrouter_types::{ModelId, ModelVariant};
/// let id: ModelId = "meta-llama/llama-3.1-8b-instruct:free".parse().unwrap();
/// assert_eq!(id.author(), Some("meta-llama"));
/// assert_eq!(id.slug(), Some("llama-3.1-8b-instruct"));
/// assert_eq!(id.variant(), Some(&ModelVariant::Free));
/// assert_eq!(id.to_string(), "meta-llama/llama-3.1-8b-instruct:free");
///
/// let fast = ModelId::new("openai", "gpt-4o-mini").with_variant(ModelVariant::Nitro);
/// assert_eq!(String::from(fast), "openai/gpt-4o-mini:nitro");
///
/// let preset: ModelId = "@preset/support-bot".parse().unwrap();
/// assert_eq!(preset, ModelId::preset("support-bot"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ModelId {
    /// `author/slug[:variant]`.
    Model {
        /// The author (`openai`, `anthropic`, `meta-llama`...).
        author: String,
        /// The model within the author's (`gpt-4o`); may itself contain `/` or `.`.
        slug: String,
        /// The variant after the colon, if any.
        variant: Option<ModelVariant>,
    },
    /// `@preset/name`: a preset configured in the OpenRouter dashboard.
    Preset(String),
}

/// A model variant: the suffix after the colon of a model id.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ModelVariant {
    /// `:free`: the free endpoints of a model (lower rate limits).
    Free,
    /// `:nitro`: the fastest providers first (may route to priority-tier endpoints at their
    /// prices).
    Nitro,
    /// `:floor`: the cheapest providers first.
    Floor,
    /// `:exacto`: providers with the most accurate tool calling first.
    Exacto,
    /// `:extended`: a longer context window.
    Extended,
    /// `:thinking`: reasoning on by default.
    Thinking,
    /// `:online`: web search results added to the prompt. Deprecated by the API in favour of
    /// the `openrouter:web_search` server tool.
    #[deprecated(note = "use the `openrouter:web_search` server tool instead")]
    Online,
    /// A variant this version does not know, as written.
    Other(String),
}

impl ModelVariant {
    /// The suffix as written after the colon.
    pub fn as_str(&self) -> &str {
        #[allow(deprecated)]
        match self {
            ModelVariant::Free => "free",
            ModelVariant::Nitro => "nitro",
            ModelVariant::Floor => "floor",
            ModelVariant::Exacto => "exacto",
            ModelVariant::Extended => "extended",
            ModelVariant::Thinking => "thinking",
            ModelVariant::Online => "online",
            ModelVariant::Other(s) => s,
        }
    }

    fn parse(s: &str) -> Self {
        #[allow(deprecated)]
        match s {
            "free" => ModelVariant::Free,
            "nitro" => ModelVariant::Nitro,
            "floor" => ModelVariant::Floor,
            "exacto" => ModelVariant::Exacto,
            "extended" => ModelVariant::Extended,
            "thinking" => ModelVariant::Thinking,
            "online" => ModelVariant::Online,
            other => ModelVariant::Other(other.to_owned()),
        }
    }
}

impl fmt::Display for ModelVariant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ModelId {
    /// `author/slug`, without a variant.
    pub fn new(author: impl Into<String>, slug: impl Into<String>) -> Self {
        ModelId::Model {
            author: author.into(),
            slug: slug.into(),
            variant: None,
        }
    }

    /// `@preset/name`.
    pub fn preset(name: impl Into<String>) -> Self {
        ModelId::Preset(name.into())
    }

    /// The same model with `variant` (replacing any it had); a preset is returned unchanged.
    pub fn with_variant(self, variant: ModelVariant) -> Self {
        match self {
            ModelId::Model { author, slug, .. } => ModelId::Model {
                author,
                slug,
                variant: Some(variant),
            },
            preset => preset,
        }
    }

    /// The author, for a model id.
    pub fn author(&self) -> Option<&str> {
        match self {
            ModelId::Model { author, .. } => Some(author),
            ModelId::Preset(_) => None,
        }
    }

    /// The slug, for a model id.
    pub fn slug(&self) -> Option<&str> {
        match self {
            ModelId::Model { slug, .. } => Some(slug),
            ModelId::Preset(_) => None,
        }
    }

    /// The variant, if the id has one.
    pub fn variant(&self) -> Option<&ModelVariant> {
        match self {
            ModelId::Model { variant, .. } => variant.as_ref(),
            ModelId::Preset(_) => None,
        }
    }
}

/// Why a string is not a model id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelIdError {
    input: String,
    reason: &'static str,
}

impl fmt::Display for ModelIdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} is not a model id: {}", self.input, self.reason)
    }
}

impl std::error::Error for ModelIdError {}

impl FromStr for ModelId {
    type Err = ModelIdError;

    fn from_str(s: &str) -> Result<Self, ModelIdError> {
        let error = |reason| ModelIdError {
            input: s.to_owned(),
            reason,
        };
        if s.chars().any(char::is_whitespace) {
            return Err(error("it contains whitespace"));
        }
        if let Some(name) = s.strip_prefix("@preset/") {
            return if name.is_empty() {
                Err(error("the preset has no name"))
            } else {
                Ok(ModelId::Preset(name.to_owned()))
            };
        }
        let (path, variant) = match s.rsplit_once(':') {
            Some((path, variant)) if !variant.is_empty() => {
                (path, Some(ModelVariant::parse(variant)))
            }
            Some(_) => return Err(error("the variant after `:` is empty")),
            None => (s, None),
        };
        let Some((author, slug)) = path.split_once('/') else {
            return Err(error("expected `author/slug`"));
        };
        if author.is_empty() || slug.is_empty() {
            return Err(error("expected `author/slug`"));
        }
        Ok(ModelId::Model {
            author: author.to_owned(),
            slug: slug.to_owned(),
            variant,
        })
    }
}

impl fmt::Display for ModelId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelId::Model {
                author,
                slug,
                variant,
            } => {
                write!(f, "{author}/{slug}")?;
                if let Some(v) = variant {
                    write!(f, ":{v}")?;
                }
                Ok(())
            }
            ModelId::Preset(name) => write!(f, "@preset/{name}"),
        }
    }
}

impl From<ModelId> for String {
    fn from(id: ModelId) -> String {
        id.to_string()
    }
}

impl From<&ModelId> for String {
    fn from(id: &ModelId) -> String {
        id.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_and_print_back() {
        for id in [
            "openai/gpt-4o",
            "openai/gpt-4o:nitro",
            "anthropic/claude-3.5-sonnet:floor",
            "deepseek/deepseek-r1:free",
            "some/new-model:beta",
            "author/path/with/slashes",
            "@preset/my-preset",
        ] {
            let parsed: ModelId = id.parse().unwrap();
            assert_eq!(parsed.to_string(), id);
        }
        let unknown: ModelId = "some/new-model:beta".parse().unwrap();
        assert_eq!(
            unknown.variant(),
            Some(&ModelVariant::Other("beta".to_owned()))
        );
    }

    #[test]
    fn bad_ids_say_why() {
        for (id, reason) in [
            ("gpt-4o", "expected `author/slug`"),
            ("/gpt-4o", "expected `author/slug`"),
            ("openai/", "expected `author/slug`"),
            ("openai/gpt-4o:", "the variant after `:` is empty"),
            ("@preset/", "the preset has no name"),
            ("openai/gpt 4o", "it contains whitespace"),
        ] {
            let err = id.parse::<ModelId>().unwrap_err();
            assert_eq!(err.reason, reason, "{id}");
            assert!(err.to_string().contains(id), "{err}");
        }
    }
}
