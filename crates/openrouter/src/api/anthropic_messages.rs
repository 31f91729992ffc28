//! Anthropic Messages API: `client.anthropic_messages()`.

use openrouter_types::generated::operations;
use openrouter_types::generated::{MessagesRequest, MessagesResult, MessagesStreamEvents};

use crate::call::{to_bytes, Call};
use crate::Client;

/// The Anthropic Messages group: the Anthropic Messages API format (`POST /messages`).
#[derive(Clone, Copy, Debug)]
pub struct AnthropicMessages<'c> {
    client: &'c Client,
}

impl Client {
    /// Anthropic Messages API endpoints.
    pub fn anthropic_messages(&self) -> AnthropicMessages<'_> {
        AnthropicMessages { client: self }
    }
}

impl AnthropicMessages<'_> {
    /// `POST /messages`: `.send().await` for the whole message, or `.stream().await` for its
    /// events.
    ///
    /// The request's `stream` field is managed by the call, as for
    /// [`Chat::send`](super::chat::Chat::send). The stream has no `[DONE]`: it ends after
    /// `message_stop`, a body that ends before it is
    /// [`StreamError::Truncated`](crate::sse::StreamError::Truncated), and an `error` event
    /// ends it with [`StreamError::Api`](crate::sse::StreamError::Api) (see
    /// [`StreamProtocol::Messages`](crate::sse::StreamProtocol::Messages)).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use futures_util::StreamExt;
    /// use openrouter::sse::MessagesAccumulator;
    /// use openrouter::types::generated::MessagesRequest;
    ///
    /// # async fn run(client: openrouter::Client) -> Result<(), openrouter::Error> {
    /// let mut request = MessagesRequest::new("anthropic/claude-sonnet-4.5");
    /// request.max_tokens = Some(1024);
    /// request.messages = Some(
    ///     serde_json::from_value(serde_json::json!([{"role": "user", "content": "Hello!"}]))
    ///         .unwrap(),
    /// );
    /// let mut stream = client.anthropic_messages().create(request).stream().await?;
    /// let mut acc = MessagesAccumulator::new();
    /// while let Some(event) = stream.next().await {
    ///     acc.push(&event?);
    /// }
    /// println!("{}", acc.finish().text());
    /// # Ok(()) }
    /// ```
    pub fn create(&self, request: MessagesRequest) -> Call<MessagesResult, MessagesStreamEvents> {
        Call::new(self.client, &operations::CREATE_MESSAGES, &[]).json_body(move |stream| {
            let mut request = request;
            if stream {
                request.stream = Some(true);
            } else if request.stream == Some(true) {
                request.stream = None;
            }
            to_bytes(&request)
        })
    }
}
