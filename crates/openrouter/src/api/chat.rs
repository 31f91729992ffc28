//! Chat completions: `client.chat()`.

use openrouter_types::generated::operations;
use openrouter_types::generated::{ChatRequest, ChatResult, ChatStreamChunk};

use crate::call::{to_bytes, Call};
use crate::Client;

/// The Chat group: OpenAI-compatible chat completions.
#[derive(Clone, Copy, Debug)]
pub struct Chat<'c> {
    client: &'c Client,
}

impl Client {
    /// Chat completion endpoints.
    pub fn chat(&self) -> Chat<'_> {
        Chat { client: self }
    }
}

impl Chat<'_> {
    /// `POST /chat/completions`: `.send().await` for the whole completion, or `.stream().await`
    /// for its chunks.
    ///
    /// The request's `stream` field is managed by the call: `.stream()` sets it to `true`, and
    /// `.send()` removes a `true` (so the response is one JSON document). Other fields are sent as
    /// set, and nothing unset is written.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use futures_util::StreamExt;
    /// use openrouter::types::chat::{ChatRequest, Message};
    ///
    /// # async fn run(client: openrouter::Client) -> Result<(), openrouter::Error> {
    /// let request = ChatRequest::new("openai/gpt-4o-mini", vec![Message::user("Hello!")]);
    /// let mut stream = client.chat().send(request).stream().await?;
    /// while let Some(chunk) = stream.next().await {
    ///     for choice in chunk?.choices {
    ///         print!("{}", choice.delta.content.unwrap_or_default());
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn send(&self, request: ChatRequest) -> Call<ChatResult, ChatStreamChunk> {
        Call::new(self.client, &operations::SEND_CHAT_COMPLETION_REQUEST, &[]).json_body(
            move |stream| {
                let mut request = request;
                if stream {
                    request.stream = Some(true);
                } else if request.stream == Some(true) {
                    request.stream = None;
                }
                to_bytes(&request)
            },
        )
    }
}
