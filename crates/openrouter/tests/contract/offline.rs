//! The offline transport, through the real client: every operation's canned answer decodes
//! into its typed response (strictly, as the spec's letter; no lenient repair), and the three
//! generation protocols stream in their own shapes.

use std::sync::Mutex;
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use http::{Request, Response};
use openrouter::offline::OfflineTransport;
use openrouter::sse::{ChatAccumulator, MessagesAccumulator, ResponsesAccumulator};
use openrouter::transport::{RequestBody, ResponseBody, Transport, TransportFuture};
use openrouter::types::chat::{ChatRequest, Message};
use openrouter::types::generated::operations::OPERATIONS;
use openrouter::types::{messages, responses};
use openrouter::Client;
use serde::de::DeserializeOwned;

use crate::calls;

/// The `prefer` argument that makes `run_json` decode the body strictly as well.
pub(crate) const STRICT: &str = "offline-strict";

/// The last JSON body the offline transport answered (the test runs its calls one at a time).
static LAST_BODY: Mutex<Option<Bytes>> = Mutex::new(None);

/// The offline transport, keeping a copy of each body it answers.
#[derive(Debug)]
struct Keeping(OfflineTransport);

impl Transport for Keeping {
    fn send(&self, request: Request<RequestBody>) -> TransportFuture<'_> {
        Box::pin(async move {
            let response = self.0.send(request).await?;
            let (parts, body) = response.into_parts();
            let bytes = http_body_util::BodyExt::collect(body)
                .await
                .map_err(openrouter::transport::TransportError::other)?
                .to_bytes();
            *LAST_BODY.lock().unwrap() = Some(bytes.clone());
            Ok(Response::from_parts(parts, ResponseBody::from_bytes(bytes)))
        })
    }
}

/// The last body, decoded strictly as `T`.
pub(crate) fn strict<T: DeserializeOwned>() -> Result<(), String> {
    let body = LAST_BODY.lock().unwrap().take().unwrap_or_default();
    if body.is_empty() {
        // An operation without a body (`T` is `()`): the client has checked it.
        return Ok(());
    }
    serde_json::from_slice::<T>(&body).map(drop).map_err(|e| {
        format!(
            "{}: {e} (body: {})",
            std::any::type_name::<T>(),
            String::from_utf8_lossy(&body[..body.len().min(300)])
        )
    })
}

fn offline_client(transport: impl Transport + 'static) -> Client {
    Client::builder()
        .transport(transport)
        .build()
        .expect("offline client")
}

/// On a thread with a large stack, like the Prism test: the generated types are deep.
fn run<F: std::future::Future<Output = ()> + Send + 'static>(f: F) {
    std::thread::Builder::new()
        .stack_size(64 * 1024 * 1024)
        .spawn(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime")
                .block_on(f)
        })
        .expect("thread")
        .join()
        .expect("the test panicked");
}

#[test]
fn every_operation_answers_offline_and_decodes_strictly() {
    run(async {
        let client = offline_client(Keeping(OfflineTransport::new()));
        let mut failures = Vec::new();
        for op in OPERATIONS {
            let outcome = calls::call(&client, op.id, STRICT)
                .await
                .expect("a call for every operation");
            if let Err(e) = outcome.result {
                failures.push(format!("{} {} ({}): {e:?}", op.http_method, op.path, op.id));
            }
        }
        assert!(
            failures.is_empty(),
            "{} of {} operations fail offline:\n{}",
            failures.len(),
            OPERATIONS.len(),
            failures.join("\n")
        );
    });
}

#[test]
fn chat_streams_and_calls_tools_offline() {
    run(async {
        let client = offline_client(OfflineTransport::new().chunk_delay(Duration::ZERO));
        let request = ChatRequest::new("openai/gpt-4o-mini", vec![Message::user("Hello")]);
        let mut stream = client.chat().create(request).stream().await.unwrap();
        assert_eq!(stream.meta().generation_id(), Some("gen-offline-1"));
        let mut acc = ChatAccumulator::new();
        while let Some(chunk) = stream.next().await {
            acc.push(&chunk.unwrap());
        }
        let answer = acc.finish();
        assert!(
            answer.content().starts_with("Offline mode"),
            "{}",
            answer.content()
        );
        assert!(answer.usage.is_some());

        let tool = openrouter::types::chat::Tool::function(
            "get_weather",
            "Current weather in a city",
            serde_json::json!({"type": "object", "properties": {"city": {"type": "string"}},
                               "required": ["city"]}),
        );
        let mut request = ChatRequest::new("openai/gpt-4o-mini", vec![Message::user("Weather?")]);
        request.tools = Some(vec![tool]);
        let result = client.chat().create(request).await.unwrap();
        let calls = result.choices[0].message.tool_calls.clone().unwrap();
        assert_eq!(calls[0].function.name, "get_weather");
        assert_eq!(calls[0].function.arguments, r#"{"city":"example"}"#);
    });
}

#[test]
fn responses_and_messages_stream_offline() {
    run(async {
        let client = offline_client(OfflineTransport::new().chunk_delay(Duration::ZERO));
        let mut stream = client
            .responses()
            .create(responses::Request::new("openai/gpt-4o-mini"))
            .stream()
            .await
            .unwrap();
        let mut acc = ResponsesAccumulator::new();
        while let Some(event) = stream.next().await {
            acc.push(&event.unwrap());
        }
        let response = acc.finish();
        assert!(
            response.text().starts_with("Offline mode"),
            "{:?}",
            response.text()
        );

        let request = messages::Request::new("anthropic/claude-3.5-haiku")
            .max_tokens(100)
            .messages(vec![messages::Message::user("Hello".to_owned())]);
        let mut stream = client
            .anthropic_messages()
            .create(request)
            .stream()
            .await
            .unwrap();
        let mut acc = MessagesAccumulator::new();
        while let Some(event) = stream.next().await {
            acc.push(&event.unwrap());
        }
        let message = acc.finish();
        assert!(
            message.text().starts_with("Offline mode"),
            "{:?}",
            message.text()
        );
    });
}

#[test]
fn what_has_no_answer_is_a_404_that_says_so() {
    run(async {
        let transport = OfflineTransport::new();
        let request = Request::get("https://openrouter.ai/api/v1/no/such/operation")
            .body(RequestBody::empty())
            .unwrap();
        let response = transport.send(request).await.unwrap();
        assert_eq!(response.status().as_u16(), 404);
        let body = http_body_util::BodyExt::collect(response.into_body())
            .await
            .unwrap()
            .to_bytes();
        let text = String::from_utf8_lossy(&body);
        assert!(text.contains("no answer for GET"), "{text}");
    });
}
