//! Hand-written constructors for the cases every user writes: messages from text, a function
//! tool from a name, a description and a JSON schema, content parts for images, files and
//! audio, a JSON-schema response format, and the text of a Responses result.
//!
//! The generated types already have `new(required fields)`; these read better at call sites.

#[cfg(feature = "chat")]
use crate::generated::{
    ChatAssistantMessage, ChatAssistantMessageContent, ChatContentAudio,
    ChatContentAudioInputAudio, ChatContentFile, ChatContentImage, ChatContentImageUrl,
    ChatContentItems, ChatContentText, ChatDeveloperMessage, ChatDeveloperMessageContent, ChatFile,
    ChatFormatJsonSchemaConfig, ChatFunctionTool, ChatFunctionToolFunction, ChatJsonSchemaConfig,
    ChatMessages, ChatRequestResponseFormat, ChatResult, ChatSystemMessage,
    ChatSystemMessageContent, ChatToolFunction, ChatToolMessage, ChatToolMessageContent,
    ChatUserMessage, ChatUserMessageContent,
};
#[cfg(feature = "responses")]
use crate::generated::{
    FormatJsonSchemaConfig, Formats, OpenResponsesResult, OutputItems, OutputMessageContentItem,
};
#[cfg(feature = "anthropic_messages")]
use crate::generated::{
    MessagesMessageParam, MessagesMessageParamContent, MessagesMessageParamRole,
};
use std::borrow::Cow;

#[cfg(feature = "chat")]
impl ChatAssistantMessageContent {
    /// The text: the string, or the text parts joined (other parts, such as images, are left
    /// out).
    ///
    /// ```
    /// use openrouter_types::generated::ChatAssistantMessageContent;
    /// let content = ChatAssistantMessageContent::String("Hi".into());
    /// assert_eq!(content.text(), "Hi");
    /// ```
    pub fn text(&self) -> Cow<'_, str> {
        match self {
            ChatAssistantMessageContent::String(s) => Cow::Borrowed(s),
            ChatAssistantMessageContent::ChatContentItemsList(items) => {
                let mut texts = items.iter().filter_map(|item| match item {
                    ChatContentItems::Text(t) => Some(t.text.as_str()),
                    _ => None,
                });
                match (texts.next(), texts.next()) {
                    (None, _) => Cow::Borrowed(""),
                    (Some(one), None) => Cow::Borrowed(one),
                    (Some(first), Some(second)) => {
                        let mut joined = format!("{first}{second}");
                        texts.for_each(|t| joined.push_str(t));
                        Cow::Owned(joined)
                    }
                }
            }
            ChatAssistantMessageContent::Unknown(_) => Cow::Borrowed(""),
        }
    }
}

#[cfg(feature = "chat")]
impl ChatResult {
    /// The text of the first choice's message (empty when there is no choice or no text).
    ///
    /// ```
    /// let result: openrouter_types::chat::Response = serde_json::from_str(r#"{"id":"gen-1",
    ///     "object":"chat.completion","created":1,"model":"m","choices":[{"index":0,
    ///     "finish_reason":"stop","message":{"role":"assistant","content":"Hello"}}]}"#).unwrap();
    /// assert_eq!(result.text(), "Hello");
    /// ```
    pub fn text(&self) -> Cow<'_, str> {
        self.choices
            .first()
            .and_then(|c| c.message.content.as_ref())
            .map_or(Cow::Borrowed(""), ChatAssistantMessageContent::text)
    }

    /// The first choice's message as the assistant turn of the next request (content, tool
    /// calls and reasoning details as the model sent them).
    pub fn to_message(&self) -> Option<ChatMessages> {
        Some(ChatMessages::Assistant(
            self.choices.first()?.message.clone(),
        ))
    }
}

#[cfg(feature = "chat")]
impl ChatMessages {
    /// A user message: text, or content parts (`Vec<ChatContentItems>`).
    ///
    /// ```
    /// let m = openrouter_types::chat::Message::user("Hello");
    /// assert_eq!(serde_json::to_value(&m).unwrap(), serde_json::json!({"role": "user", "content": "Hello"}));
    /// ```
    pub fn user(content: impl Into<ChatUserMessageContent>) -> Self {
        ChatMessages::User(ChatUserMessage::new(content))
    }

    /// A system message.
    pub fn system(content: impl Into<ChatSystemMessageContent>) -> Self {
        ChatMessages::System(ChatSystemMessage::new(content))
    }

    /// A developer message.
    pub fn developer(content: impl Into<ChatDeveloperMessageContent>) -> Self {
        ChatMessages::Developer(ChatDeveloperMessage::new(content))
    }

    /// An assistant message with text content (earlier turns of a conversation).
    pub fn assistant(content: impl Into<ChatAssistantMessageContent>) -> Self {
        ChatMessages::Assistant(ChatAssistantMessage {
            content: Some(content.into()),
            ..Default::default()
        })
    }

    /// The result of a tool call, answering the call with id `tool_call_id`.
    pub fn tool(
        tool_call_id: impl Into<String>,
        content: impl Into<ChatToolMessageContent>,
    ) -> Self {
        ChatMessages::Tool(
            ChatToolMessage::builder()
                .tool_call_id(tool_call_id)
                .content(content),
        )
    }
}

#[cfg(feature = "chat")]
impl ChatFunctionTool {
    /// A function tool: its name, what it does, and the JSON schema of its arguments.
    ///
    /// A `parameters` value that is not a JSON object is sent as `{}` is not: it is dropped, so
    /// the model sees a function without arguments.
    pub fn function(
        name: impl Into<String>,
        description: impl Into<String>,
        parameters: serde_json::Value,
    ) -> Self {
        let mut function = ChatToolFunction::new(name);
        function.description = Some(description.into());
        if let serde_json::Value::Object(schema) = parameters {
            function.parameters = Some(schema);
        }
        ChatFunctionTool::Function(ChatFunctionToolFunction::new(function))
    }
}

#[cfg(feature = "anthropic_messages")]
impl MessagesMessageParam {
    /// A user turn of an Anthropic Messages request: text (`"Hello"`) or content blocks.
    ///
    /// ```
    /// use openrouter_types::messages::Message;
    /// let message = Message::user("Hello");
    /// assert_eq!(
    ///     serde_json::to_value(&message).unwrap(),
    ///     serde_json::json!({"role": "user", "content": "Hello"})
    /// );
    /// ```
    pub fn user(content: impl Into<MessagesMessageParamContent>) -> Self {
        Self::builder()
            .role(MessagesMessageParamRole::User)
            .content(content)
    }

    /// An assistant turn (an earlier answer, or a prefill the model continues from).
    pub fn assistant(content: impl Into<MessagesMessageParamContent>) -> Self {
        Self::builder()
            .role(MessagesMessageParamRole::Assistant)
            .content(content)
    }
}

/// A `data:` URL holding `bytes` in base64 (RFC 4648, with padding), as the API takes inline
/// images and files.
fn data_url(media_type: &str, bytes: &[u8]) -> String {
    let mut out = format!("data:{media_type};base64,");
    out.push_str(&base64(bytes));
    out
}

/// Standard base64 with padding; small enough that a dependency would not pay for itself.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(feature = "chat")]
impl ChatContentItems {
    /// A text part.
    pub fn text(text: impl Into<String>) -> Self {
        ChatContentItems::Text(ChatContentText::new(text))
    }

    /// An image by URL: `https://...`, or a `data:` URL.
    ///
    /// ```
    /// use openrouter_types::chat::{ChatContentItems, Message};
    /// let message = Message::user(vec![
    ///     ChatContentItems::text("What is in this picture?"),
    ///     ChatContentItems::image_url("https://example.com/cat.png"),
    /// ]);
    /// let json = serde_json::to_value(&message).unwrap();
    /// assert_eq!(json["content"][1]["image_url"]["url"], "https://example.com/cat.png");
    /// ```
    pub fn image_url(url: impl Into<String>) -> Self {
        ChatContentItems::ImageUrl(ChatContentImage::new(ChatContentImageUrl::new(url)))
    }

    /// An image from its bytes, sent inline as a base64 `data:` URL of `media_type`
    /// (`image/png`, `image/jpeg`, `image/webp`, `image/gif`).
    ///
    /// ```
    /// use openrouter_types::chat::ChatContentItems;
    /// let part = ChatContentItems::image_bytes("image/png", b"\x89PNG");
    /// let json = serde_json::to_value(&part).unwrap();
    /// assert_eq!(json["image_url"]["url"], "data:image/png;base64,iVBORw==");
    /// ```
    pub fn image_bytes(media_type: &str, bytes: &[u8]) -> Self {
        Self::image_url(data_url(media_type, bytes))
    }

    /// A file (a PDF, say) from its bytes, sent inline as a base64 `data:` URL, with its name.
    ///
    /// ```
    /// use openrouter_types::chat::ChatContentItems;
    /// let part = ChatContentItems::file_bytes("report.pdf", "application/pdf", b"%PDF-1.7");
    /// let json = serde_json::to_value(&part).unwrap();
    /// assert_eq!(json["type"], "file");
    /// assert_eq!(json["file"]["filename"], "report.pdf");
    /// assert_eq!(json["file"]["file_data"], "data:application/pdf;base64,JVBERi0xLjc=");
    /// ```
    pub fn file_bytes(filename: impl Into<String>, media_type: &str, bytes: &[u8]) -> Self {
        Self::file_url(filename, data_url(media_type, bytes))
    }

    /// A file by URL (a PDF the API downloads), with its name.
    pub fn file_url(filename: impl Into<String>, url: impl Into<String>) -> Self {
        let file = ChatFile::default().filename(filename).file_data(url);
        ChatContentItems::File(ChatContentFile::new(file))
    }

    /// Input audio from its bytes, sent as base64, in `format` (`wav`, `mp3`, `flac`, `m4a`,
    /// `ogg`...).
    ///
    /// ```
    /// use openrouter_types::chat::ChatContentItems;
    /// let part = ChatContentItems::input_audio(b"RIFF", "wav");
    /// let json = serde_json::to_value(&part).unwrap();
    /// assert_eq!(json["input_audio"], serde_json::json!({"data": "UklGRg==", "format": "wav"}));
    /// ```
    pub fn input_audio(bytes: &[u8], format: impl Into<String>) -> Self {
        let audio = ChatContentAudioInputAudio::builder()
            .data(base64(bytes))
            .format(format);
        ChatContentItems::InputAudio(ChatContentAudio::new(audio))
    }
}

#[cfg(feature = "chat")]
impl ChatRequestResponseFormat {
    /// Structured output: the answer is JSON that follows `schema` (a JSON Schema object),
    /// named `name`, in strict mode (the schema must then list every property in `required`
    /// and set `additionalProperties: false`; set `strict` to `None` on the config to relax
    /// it). A `schema` that is not a JSON object is left out.
    ///
    /// ```
    /// use openrouter_types::chat::{ChatRequest, ChatRequestResponseFormat, Message};
    /// let schema = serde_json::json!({
    ///     "type": "object",
    ///     "properties": {"city": {"type": "string"}},
    ///     "required": ["city"],
    ///     "additionalProperties": false
    /// });
    /// let request = ChatRequest::new("openai/gpt-4o-mini", vec![Message::user("Where?")])
    ///     .response_format(ChatRequestResponseFormat::json_schema("place", schema));
    /// let json = serde_json::to_value(&request).unwrap();
    /// assert_eq!(json["response_format"]["type"], "json_schema");
    /// assert_eq!(json["response_format"]["json_schema"]["strict"], true);
    /// ```
    pub fn json_schema(name: impl Into<String>, schema: serde_json::Value) -> Self {
        let mut config = ChatJsonSchemaConfig::new(name);
        if let serde_json::Value::Object(schema) = schema {
            config.schema = Some(schema);
        }
        config.strict = Some(true);
        ChatRequestResponseFormat::JsonSchema(ChatFormatJsonSchemaConfig::new(config))
    }
}

#[cfg(feature = "responses")]
impl Formats {
    /// Structured output for the Responses API (`text.format`): as
    /// [`ChatRequestResponseFormat::json_schema`], strict, a non-object `schema` sent as `{}`.
    pub fn json_schema(name: impl Into<String>, schema: serde_json::Value) -> Self {
        let schema = match schema {
            serde_json::Value::Object(schema) => schema,
            _ => serde_json::Map::new(),
        };
        let mut config = FormatJsonSchemaConfig::new(name, schema);
        config.strict = Some(true);
        Formats::JsonSchema(config)
    }
}

#[cfg(feature = "responses")]
impl OpenResponsesResult {
    /// The output text: the result's `output_text` when the API sent it, otherwise the text
    /// parts of every output message, joined (refusals and other items are left out).
    ///
    /// ```
    /// use openrouter_types::responses::Response;
    /// let result: Response = openrouter_types::from_str(r#"{
    ///     "id": "resp-1", "object": "response", "created_at": 1, "model": "m",
    ///     "status": "completed", "output": [{"type": "message", "id": "m1", "role": "assistant",
    ///         "status": "completed",
    ///         "content": [{"type": "output_text", "text": "Hello", "annotations": []}]}]
    /// }"#).unwrap();
    /// assert_eq!(result.text(), "Hello");
    /// ```
    pub fn text(&self) -> Cow<'_, str> {
        if let Some(text) = &self.output_text {
            return Cow::Borrowed(text);
        }
        let mut out = String::new();
        for item in &self.output {
            if let OutputItems::Message(message) = item {
                for part in &message.content {
                    if let OutputMessageContentItem::OutputText(t) = part {
                        out.push_str(&t.text);
                    }
                }
            }
        }
        Cow::Owned(out)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_matches_rfc_4648() {
        // The test vectors of RFC 4648, section 10.
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (input, expected) in cases {
            assert_eq!(super::base64(input.as_bytes()), expected);
        }
        assert_eq!(super::base64(&[0xff, 0xfe, 0xfd]), "//79");
    }
}
