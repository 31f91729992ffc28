//! Structured output: the answer's text parsed into your type, and (feature `schemars`) the
//! response format made from that type's JSON Schema.

use serde::de::DeserializeOwned;

use crate::error::ParseError;
#[cfg(feature = "chat")]
use crate::generated::{ChatRequestPluginsItem, ChatResult, ResponseHealingPlugin};
#[cfg(feature = "responses")]
use crate::generated::{OpenResponsesResult, OutputItems, OutputMessageContentItem};

fn parse_text<T: DeserializeOwned>(text: &str) -> Result<T, ParseError> {
    if text.trim().is_empty() {
        return Err(ParseError::NoContent);
    }
    serde_json::from_str(text).map_err(|error| ParseError::Invalid {
        text: text.to_owned(),
        error,
    })
}

#[cfg(feature = "chat")]
impl ChatResult {
    /// The first choice's text parsed as `T` (structured output: ask for it with a JSON-schema
    /// `response_format`). A refusal, an empty answer or text that does not parse is a
    /// [`ParseError`] that keeps the text.
    ///
    /// ```
    /// #[derive(serde::Deserialize)]
    /// struct Weather { city: String }
    /// let result: openrouter_types::chat::Response = openrouter_types::from_str(r#"{
    ///     "id": "gen-1", "object": "chat.completion", "created": 1, "model": "m",
    ///     "choices": [{"index": 0, "finish_reason": "stop",
    ///         "message": {"role": "assistant", "content": "{\"city\": \"Paris\"}"}}]
    /// }"#).unwrap();
    /// assert_eq!(result.parse::<Weather>().unwrap().city, "Paris");
    /// ```
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, ParseError> {
        if let Some(refusal) = self
            .choices
            .first()
            .and_then(|c| c.message.refusal.as_deref())
            .filter(|r| !r.is_empty())
        {
            return Err(ParseError::Refusal(refusal.to_owned()));
        }
        parse_text(&self.text())
    }
}

#[cfg(feature = "responses")]
impl OpenResponsesResult {
    /// The output text parsed as `T` (structured output: ask for it with a JSON-schema
    /// `text.format`). A refusal, an empty answer or text that does not parse is a
    /// [`ParseError`] that keeps the text.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, ParseError> {
        for item in &self.output {
            if let OutputItems::Message(message) = item {
                for part in &message.content {
                    if let OutputMessageContentItem::Refusal(r) = part {
                        return Err(ParseError::Refusal(r.refusal.clone()));
                    }
                }
            }
        }
        parse_text(&self.text())
    }
}

#[cfg(feature = "chat")]
impl ChatRequestPluginsItem {
    /// The `response-healing` plugin: OpenRouter repairs an answer that is not valid JSON
    /// before returning it (for structured output).
    pub fn response_healing() -> Self {
        ChatRequestPluginsItem::ResponseHealing(ResponseHealingPlugin::default())
    }
}

#[cfg(feature = "schemars")]
mod from_type {
    use schemars::JsonSchema;
    use serde_json::Value;

    #[cfg(feature = "chat")]
    use crate::generated::ChatRequestResponseFormat;
    #[cfg(feature = "responses")]
    use crate::generated::Formats;

    /// The JSON Schema of `T`, adjusted for strict structured output: every object closed
    /// (`additionalProperties: false`) with all its properties required (an `Option` field is
    /// then one that may be `null`), and the `$schema` and `format` keywords strict mode does
    /// not take removed.
    ///
    /// ```
    /// #[derive(schemars::JsonSchema)]
    /// #[allow(dead_code)]
    /// struct Weather { city: String, celsius: Option<f64> }
    /// let schema = openrouter_types::strict_schema::<Weather>();
    /// assert_eq!(schema["additionalProperties"], false);
    /// let required = schema["required"].as_array().unwrap();
    /// assert_eq!(required.len(), 2);
    /// assert!(required.contains(&"celsius".into()) && required.contains(&"city".into()));
    /// ```
    pub fn strict_schema<T: JsonSchema>() -> Value {
        let mut schema = schemars::schema_for!(T).to_value();
        strict(&mut schema);
        if let Value::Object(map) = &mut schema {
            map.remove("$schema");
        }
        schema
    }

    fn strict(value: &mut Value) {
        match value {
            Value::Object(map) => {
                map.remove("format");
                let props: Option<Vec<String>> = map
                    .get("properties")
                    .and_then(Value::as_object)
                    .map(|p| p.keys().cloned().collect());
                if let Some(names) = props {
                    map.insert("additionalProperties".into(), Value::Bool(false));
                    map.insert(
                        "required".into(),
                        Value::Array(names.into_iter().map(Value::String).collect()),
                    );
                }
                for v in map.values_mut() {
                    strict(v);
                }
            }
            Value::Array(items) => items.iter_mut().for_each(strict),
            _ => {}
        }
    }

    /// A schema name as the API takes it: letters, digits, `_` and `-`, at most 64.
    fn schema_name<T: JsonSchema>() -> String {
        let name: String = T::schema_name()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .take(64)
            .collect();
        if name.is_empty() {
            "output".to_owned()
        } else {
            name
        }
    }

    #[cfg(feature = "chat")]
    impl ChatRequestResponseFormat {
        /// Structured output as `T`: [`json_schema`](Self::json_schema) with `T`'s name and
        /// [`strict_schema`].
        pub fn for_type<T: JsonSchema>() -> Self {
            Self::json_schema(schema_name::<T>(), strict_schema::<T>())
        }
    }

    #[cfg(feature = "responses")]
    impl Formats {
        /// Structured output as `T` for the Responses API (`text.format`).
        pub fn for_type<T: JsonSchema>() -> Self {
            Self::json_schema(schema_name::<T>(), strict_schema::<T>())
        }
    }
}

#[cfg(feature = "schemars")]
pub use from_type::strict_schema;
