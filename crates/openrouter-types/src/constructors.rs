//! Hand-written constructors for the cases every user writes: messages from text, a function
//! tool from a name, a description and a JSON schema.
//!
//! The generated types already have `new(required fields)`; these read better at call sites.

use crate::generated::{
    ChatAssistantMessage, ChatAssistantMessageContent, ChatDeveloperMessage,
    ChatDeveloperMessageContent, ChatFunctionTool, ChatFunctionToolFunction,
    ChatFunctionToolFunctionFunction, ChatMessages, ChatSystemMessage, ChatSystemMessageContent,
    ChatToolMessage, ChatToolMessageContent, ChatUserMessage, ChatUserMessageContent,
};

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
        ChatMessages::Tool(ChatToolMessage::new(content, tool_call_id))
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
        let mut function = ChatFunctionToolFunctionFunction::new(name);
        function.description = Some(description.into());
        if let serde_json::Value::Object(schema) = parameters {
            function.parameters = Some(schema);
        }
        ChatFunctionTool::Function(ChatFunctionToolFunction::new(function))
    }
}
