//! OpenAI Responses API: `client.responses()`.

use openrouter_types::generated::operations;
use openrouter_types::generated::{OpenResponsesResult, ResponsesRequest, StreamEvents};

use crate::call::{to_bytes, Call};
use crate::Client;

/// The Responses group: the OpenAI Responses API format (`POST /responses`).
#[derive(Clone, Copy, Debug)]
pub struct Responses<'c> {
    client: &'c Client,
}

impl Client {
    /// Responses API endpoints.
    pub fn responses(&self) -> Responses<'_> {
        Responses { client: self }
    }
}

impl Responses<'_> {
    /// `POST /responses`: `.send().await` for the whole response, or `.stream().await` for its
    /// events.
    ///
    /// The request's `stream` field is managed by the call, as for
    /// [`Chat::send`](super::chat::Chat::send). The stream ends after `response.completed` or
    /// `response.incomplete`; `error` and `response.failed` events end it with
    /// [`StreamError::Api`](crate::sse::StreamError::Api) (see
    /// [`StreamProtocol::Responses`](crate::sse::StreamProtocol::Responses)).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use futures_util::StreamExt;
    /// use openrouter::sse::ResponsesAccumulator;
    /// use openrouter::types::generated::{ResponsesRequest, StreamEvents};
    ///
    /// # async fn run(client: openrouter::Client) -> Result<(), openrouter::Error> {
    /// let mut request = ResponsesRequest::new("openai/gpt-4o-mini");
    /// request.input = Some(serde_json::from_value(serde_json::json!("Hello!")).unwrap());
    /// let mut stream = client.responses().send(request).stream().await?;
    /// let mut acc = ResponsesAccumulator::new();
    /// while let Some(event) = stream.next().await {
    ///     let event = event?;
    ///     if let StreamEvents::ResponseOutputTextDelta(delta) = &event {
    ///         print!("{}", delta.delta);
    ///     }
    ///     acc.push(&event);
    /// }
    /// println!("\n{:?}", acc.finish().usage);
    /// # Ok(()) }
    /// ```
    pub fn send(&self, request: ResponsesRequest) -> Call<OpenResponsesResult, StreamEvents> {
        Call::new(self.client, &operations::CREATE_RESPONSES, &[]).json_body(move |stream| {
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
