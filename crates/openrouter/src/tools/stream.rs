//! The streamed loop: [`ToolRunner::stream`] and its [`ToolEvent`]s.

use std::collections::VecDeque;
use std::fmt;
use std::pin::Pin;
use std::sync::{Mutex, PoisonError};
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use futures_util::StreamExt;
use openrouter_types::generated::{ChatMessages, ChatResult, ChatStreamChunk, ChatUsage};
use serde_json::{json, Value};

use super::run::{add_usage, push_results, run_calls, tool_calls, ToolLoopError, ToolRun};
use super::ToolRunner;
use crate::error::{DecodeError, Error};
use crate::response::{Response, ResponseMeta, ResponseStream};
use crate::sse::{AccumulatedChat, ChatAccumulator};

/// What a streamed tool loop reports, in the order it happens.
///
/// Per step: [`Text`](Self::Text) and [`Reasoning`](Self::Reasoning) pieces and
/// [`ToolCallStarted`](Self::ToolCallStarted) as the answer streams in; when it is complete,
/// [`ToolCallFinished`](Self::ToolCallFinished) for each call and then
/// [`StepFinished`](Self::StepFinished); then, when the answer asked for tools,
/// [`ToolResult`](Self::ToolResult) for each call, in the calls' order, once they have all
/// run (concurrently). The last event is [`Finished`](Self::Finished), or an error.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum ToolEvent {
    /// A piece of the answer's text, as it arrived.
    Text(String),
    /// A piece of the model's reasoning, as it arrived.
    Reasoning(String),
    /// The model began a tool call: its id and name are known, its arguments are coming.
    #[non_exhaustive]
    ToolCallStarted {
        /// The step (1 for the first request).
        step: u32,
        /// The call's id.
        id: String,
        /// The function's name.
        name: String,
    },
    /// A tool call is complete.
    #[non_exhaustive]
    ToolCallFinished {
        /// The step (1 for the first request).
        step: u32,
        /// The call's id.
        id: String,
        /// The function's name.
        name: String,
        /// The arguments, as the model sent them (JSON text).
        arguments: String,
        /// The arguments parsed as JSON (an empty text is `{}`); `None` when they are not
        /// JSON (the tool then answers with an error).
        parsed: Option<Value>,
    },
    /// A step's answer is complete; it is the last message of the conversation.
    #[non_exhaustive]
    StepFinished {
        /// The step (1 for the first request).
        step: u32,
        /// The step's answer, assembled from its chunks (usage and finish reason included).
        result: Box<ChatResult>,
    },
    /// A local tool answered a call (or the call was answered with an error: an unknown tool,
    /// arguments that do not fit, an error of the handler).
    #[non_exhaustive]
    ToolResult {
        /// The step (1 for the first request).
        step: u32,
        /// The id of the call it answers.
        id: String,
        /// The function's name.
        name: String,
        /// The result as sent to the model.
        content: String,
        /// Whether the result is an error (its content starts with `error:`).
        is_error: bool,
    },
    /// The model answered without tool calls: the run, as awaiting the runner gives it.
    Finished(Box<ToolRun>),
}

/// The events of a streamed tool loop: what [`ToolRunner::stream`] returns.
///
/// A `Stream` of `Result<ToolEvent, ToolLoopError>`; it ends after
/// [`ToolEvent::Finished`] or the first error (a chunk that does not decode included: it may
/// have held a piece of a tool call). Polled by the caller, nothing spawned: dropping it
/// closes the current request's stream.
#[must_use = "streams do nothing unless polled"]
pub struct ToolStream {
    /// In a `Mutex` only so that the stream is `Sync`, as [`ResponseStream`] is; it is reached
    /// through `get_mut`, never locked.
    inner: Mutex<Pin<Box<dyn Stream<Item = Item> + Send>>>,
}

impl fmt::Debug for ToolStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ToolStream").finish_non_exhaustive()
    }
}

impl Stream for ToolStream {
    type Item = Result<ToolEvent, ToolLoopError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let inner = self.inner.get_mut().unwrap_or_else(PoisonError::into_inner);
        inner.as_mut().poll_next(cx)
    }
}

impl ToolRunner {
    /// Runs the loop on streamed requests, and yields what happens as it happens (see
    /// [`ToolEvent`]). Each step's request is sent with `stream: true`; its chunks are
    /// assembled ([`ChatAccumulator`]) into the assistant turn that is appended, with its
    /// tool calls and reasoning details.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures_util::StreamExt;
    /// use openrouter::tools::{LocalTool, ToolEvent, ToolSet};
    /// use openrouter::types::chat::{ChatRequest, Message};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let client = openrouter::Client::builder()
    /// #     .transport(openrouter::offline::OfflineTransport::new().chunk_delay(std::time::Duration::ZERO))
    /// #     .build()?;
    /// let tools = ToolSet::from(LocalTool::with_schema(
    ///     "now",
    ///     "The current time, as HH:MM",
    ///     serde_json::json!({"type": "object", "properties": {}}),
    ///     |_: serde_json::Value| async { Ok::<_, String>("12:00") },
    /// ));
    /// let request = ChatRequest::new("openai/gpt-4o-mini", vec![Message::user("What time is it?")]);
    /// let mut events = client.chat().run_tools(request, &tools).stream();
    /// while let Some(event) = events.next().await {
    ///     match event? {
    ///         ToolEvent::Text(piece) => print!("{piece}"),
    ///         ToolEvent::ToolCallStarted { name, .. } => println!("[calling {name}]"),
    ///         ToolEvent::ToolResult { content, .. } => println!("[result: {content}]"),
    ///         ToolEvent::Finished(run) => println!("\n({} requests)", run.steps),
    ///         _ => {}
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn stream(mut self) -> ToolStream {
        let messages = std::mem::take(&mut self.request.messages);
        let state = State {
            runner: self,
            messages,
            steps: 0,
            usage: None,
            phase: Phase::Send,
            queue: VecDeque::new(),
        };
        let inner = futures_util::stream::unfold(state, |mut state| async move {
            let item = state.next().await?;
            Some((item, state))
        });
        ToolStream {
            inner: Mutex::new(Box::pin(inner)),
        }
    }
}

type Item = Result<ToolEvent, ToolLoopError>;

struct State {
    runner: ToolRunner,
    messages: Vec<ChatMessages>,
    steps: u32,
    usage: Option<ChatUsage>,
    phase: Phase,
    /// Events ready to be yielded, before anything else is done.
    queue: VecDeque<Item>,
}

enum Phase {
    /// The next step's request is to be sent.
    Send,
    /// A step's answer is streaming in.
    Streaming(Box<Streaming>),
    /// The tool calls of the answer (the last message) are to be run.
    RunTools(Box<Response<ChatResult>>),
    /// Nothing more.
    Done,
}

/// A step's answer, streaming in.
struct Streaming {
    stream: ResponseStream<ChatStreamChunk>,
    acc: ChatAccumulator,
    /// How many of the answer's tool calls were announced (`ToolCallStarted`).
    announced: usize,
}

impl State {
    /// The next item, or `None` at the end.
    async fn next(&mut self) -> Option<Item> {
        loop {
            if let Some(item) = self.queue.pop_front() {
                return Some(item);
            }
            match std::mem::replace(&mut self.phase, Phase::Done) {
                Phase::Done => return None,
                Phase::Send => {
                    let call = self.runner.next_call(&self.messages);
                    self.steps += 1;
                    match call.stream().await {
                        Ok(stream) => {
                            self.phase = Phase::Streaming(Box::new(Streaming {
                                stream,
                                acc: ChatAccumulator::new(),
                                announced: 0,
                            }));
                        }
                        Err(error) => return Some(Err(self.failed(error))),
                    }
                }
                Phase::Streaming(mut step) => match step.stream.next().await {
                    Some(Ok(chunk)) => {
                        self.deltas(&chunk);
                        step.acc.push(&chunk);
                        let calls = step.acc.current().tool_calls();
                        // In order, each once its name is known.
                        while step.announced < calls.len() && !calls[step.announced].name.is_empty()
                        {
                            self.started(&calls[step.announced]);
                            step.announced += 1;
                        }
                        self.phase = Phase::Streaming(step);
                    }
                    // Any error ends the step, and with it the run: a chunk that did not
                    // decode may have held a piece of a tool call.
                    Some(Err(error)) => return Some(Err(self.failed(error))),
                    None => {
                        let Streaming {
                            stream,
                            acc,
                            announced,
                        } = *step;
                        let meta = stream.meta().clone();
                        let chat = acc.finish();
                        for call in &chat.tool_calls()[announced.min(chat.tool_calls().len())..] {
                            self.started(call);
                        }
                        match to_result(&chat, meta) {
                            Ok(response) => self.step_finished(response),
                            Err(error) => return Some(Err(self.failed(error))),
                        }
                    }
                },
                Phase::RunTools(response) => {
                    let response = *response;
                    let calls = tool_calls(&response.data);
                    let outcomes = run_calls(&self.runner.tools, calls).await;
                    for (call, outcome) in calls.iter().zip(&outcomes) {
                        self.queue.push_back(Ok(ToolEvent::ToolResult {
                            step: self.steps,
                            id: call.id.clone(),
                            name: call.function.name.clone(),
                            content: outcome.content.clone(),
                            is_error: outcome.is_error,
                        }));
                    }
                    push_results(&mut self.messages, calls, outcomes);
                    if self.steps >= self.runner.max_steps {
                        let run = self.run(response);
                        self.queue.push_back(Err(ToolLoopError::step_limit(run)));
                    } else {
                        self.phase = Phase::Send;
                    }
                }
            }
        }
    }

    /// Queues the text and reasoning pieces of a chunk's first choice.
    fn deltas(&mut self, chunk: &ChatStreamChunk) {
        let Some(choice) = chunk.choices.iter().find(|c| c.index == 0) else {
            return;
        };
        if let Some(reasoning) = choice.delta.reasoning.as_ref().filter(|r| !r.is_empty()) {
            self.queue
                .push_back(Ok(ToolEvent::Reasoning(reasoning.clone())));
        }
        if let Some(text) = choice.delta.content.as_ref().filter(|t| !t.is_empty()) {
            self.queue.push_back(Ok(ToolEvent::Text(text.clone())));
        }
    }

    fn started(&mut self, call: &crate::sse::AccumulatedToolCall) {
        self.queue.push_back(Ok(ToolEvent::ToolCallStarted {
            step: self.steps,
            id: call.id.clone(),
            name: call.name.clone(),
        }));
    }

    /// Appends a complete answer, queues its events, and decides what comes next.
    fn step_finished(&mut self, response: Response<ChatResult>) {
        add_usage(&mut self.usage, response.data.usage.as_deref());
        self.messages.extend(response.data.to_message());
        let calls = tool_calls(&response.data);
        for call in calls {
            let arguments = &call.function.arguments;
            let parsed = if arguments.trim().is_empty() {
                Some(json!({}))
            } else {
                serde_json::from_str(arguments).ok()
            };
            self.queue.push_back(Ok(ToolEvent::ToolCallFinished {
                step: self.steps,
                id: call.id.clone(),
                name: call.function.name.clone(),
                arguments: arguments.clone(),
                parsed,
            }));
        }
        self.queue.push_back(Ok(ToolEvent::StepFinished {
            step: self.steps,
            result: Box::new(response.data.clone()),
        }));
        if calls.is_empty() {
            let run = self.run(response);
            self.queue.push_back(Ok(ToolEvent::Finished(Box::new(run))));
        } else {
            self.phase = Phase::RunTools(Box::new(response));
        }
    }

    fn run(&mut self, response: Response<ChatResult>) -> ToolRun {
        ToolRun {
            response,
            messages: std::mem::take(&mut self.messages),
            steps: self.steps,
            usage: self.usage.take(),
        }
    }

    fn failed(&mut self, error: Error) -> ToolLoopError {
        self.phase = Phase::Done;
        ToolLoopError::request(
            error,
            std::mem::take(&mut self.messages),
            self.steps,
            self.usage.take(),
            None,
        )
    }
}

/// The assembled answer as the result a whole (not streamed) request would have given.
fn to_result(chat: &AccumulatedChat, meta: ResponseMeta) -> Result<Response<ChatResult>, Error> {
    let choices: Vec<Value> = chat
        .choices
        .iter()
        .map(|choice| {
            let message = match choice.to_message() {
                ChatMessages::Assistant(m) => serde_json::to_value(&m).unwrap_or(Value::Null),
                _ => Value::Null,
            };
            json!({
                "index": choice.index,
                "finish_reason": choice.finish_reason,
                "message": message,
            })
        })
        .collect();
    let mut value = json!({
        "id": chat.id,
        "object": "chat.completion",
        "created": chat.created,
        "model": chat.model,
        "choices": choices,
    });
    if let Some(usage) = &chat.usage {
        value["usage"] = serde_json::to_value(usage).unwrap_or(Value::Null);
    }
    if let Some(fingerprint) = &chat.system_fingerprint {
        value["system_fingerprint"] = json!(fingerprint);
    }
    match openrouter_types::from_value::<ChatResult>(&value) {
        Ok(data) => Ok(Response { data, meta }),
        // Not expected: the value is made of typed parts.
        Err(source) => Err(Error::Decode(Box::new(DecodeError {
            type_name: "ChatResult",
            path: ".".into(),
            status: meta.status,
            body: Bytes::from(value.to_string()),
            headers: meta.headers,
            content_type: None,
            source: Some(source),
            attempts: meta.attempts,
        }))),
    }
}
