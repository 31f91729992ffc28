//! Hand-written constructors for the cases every user writes: messages from text, a function
//! tool from a name, a description and a JSON schema.
//!
//! The generated types already have `new(required fields)`; these read better at call sites.

use std::borrow::Cow;

use crate::generated::{
    ChatAssistantMessage, ChatAssistantMessageContent, ChatContentItems, ChatDeveloperMessage,
    ChatDeveloperMessageContent, ChatFunctionTool, ChatFunctionToolFunction, ChatMessages,
    ChatResult, ChatSystemMessage, ChatSystemMessageContent, ChatToolFunction, ChatToolMessage,
    ChatToolMessageContent, ChatUserMessage, ChatUserMessageContent, MessagesMessageParam,
    MessagesMessageParamContent, MessagesMessageParamRole,
};

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
