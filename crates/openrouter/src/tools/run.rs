//! The loop: [`ToolRunner`], what it ends with ([`ToolRun`]) and how it fails
//! ([`ToolLoopError`]).

use std::borrow::Cow;
use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;

use futures_util::future::join_all;
use openrouter_types::generated::{
    ChatFunctionTool, ChatMessages, ChatRequest, ChatResult, ChatStreamChunk, ChatToolCall,
    ChatUsage,
};

use super::{ToolOutcome, ToolSet};
use crate::call::Call;
use crate::client::Client;
use crate::error::Error;
use crate::response::Response;

/// A chat completion call, as every step of a run sends one.
pub(crate) type ChatCall = Call<ChatResult, ChatStreamChunk>;
type Options = Arc<dyn Fn(ChatCall) -> ChatCall + Send + Sync>;

/// The number of requests a run sends at most, unless [`ToolRunner::max_steps`] says otherwise.
pub const DEFAULT_MAX_STEPS: u32 = 10;

impl crate::api::Chat<'_> {
    /// A tool-calling loop: sends `request` with the local `tools` added to its own, runs the
    /// tool calls the model asks for, sends their results back, and repeats until the model
    /// answers without tool calls. Await the runner for the [`ToolRun`], or
    /// [`stream`](ToolRunner::stream) it for events as they happen. See [`crate::tools`].
    ///
    /// The request's own `tools` stay as they are (server tools such as
    /// `openrouter:web_search` run on OpenRouter's side); the local tools are added after them,
    /// in place of a function of the same name. A call of a function that is not in `tools`
    /// (one the request declares itself, say) is answered with an `error:` result.
    ///
    /// # Errors
    ///
    /// Awaiting the runner (or its stream) gives [`ToolLoopError`] when a request fails (after
    /// the call's retries) or when the model still asks for tools after
    /// [`max_steps`](ToolRunner::max_steps) requests; it keeps the conversation so far.
    ///
    /// # Examples
    ///
    /// ```
    /// use openrouter::tools::{LocalTool, ToolSet};
    /// use openrouter::types::chat::{ChatRequest, Message};
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let client = openrouter::Client::builder()
    /// #     .transport(openrouter::offline::OfflineTransport::new())
    /// #     .build()?;
    /// let clock = LocalTool::with_schema(
    ///     "now",
    ///     "The current time, as HH:MM",
    ///     serde_json::json!({"type": "object", "properties": {}}),
    ///     |_: serde_json::Value| async { Ok::<_, String>("12:00") },
    /// );
    /// let tools = ToolSet::from(clock);
    /// let request = ChatRequest::new("openai/gpt-4o-mini", vec![Message::user("What time is it?")]);
    /// let run = client
    ///     .chat()
    ///     .run_tools(request, &tools)
    ///     .max_steps(4)
    ///     .options(|call| call.total_timeout(Duration::from_secs(60)))
    ///     .await?;
    /// println!("{} ({} requests)", run.text(), run.steps);
    /// # Ok(()) }
    /// ```
    pub fn run_tools(&self, request: ChatRequest, tools: &ToolSet) -> ToolRunner {
        let request = with_local_tools(request, tools);
        // The call carries the client; it is also the first step's call.
        let first = self.create(request.clone());
        ToolRunner {
            client: first.client().clone(),
            request,
            tools: tools.clone(),
            max_steps: DEFAULT_MAX_STEPS,
            options: None,
            first: Some(first),
        }
    }
}

/// `request` with the function definitions of `tools` after its own tools; a function of the
/// request with the name of a local tool gives way to it (two of one name would be refused).
fn with_local_tools(mut request: ChatRequest, tools: &ToolSet) -> ChatRequest {
    if !tools.is_empty() {
        let list = request.tools.get_or_insert_with(Vec::new);
        list.retain(|tool| match tool {
            ChatFunctionTool::Function(f) => tools.get(&f.function.name).is_none(),
            _ => true,
        });
        list.extend(tools.iter().map(super::LocalTool::definition));
    }
    request
}

/// A tool-calling loop, not yet started: what `client.chat().run_tools(request, &tools)`
/// returns. Set its options, then `.await` it (for the [`ToolRun`]) or call
/// [`stream`](Self::stream) (for [`ToolEvent`](super::ToolEvent)s as they happen).
#[must_use = "a tool loop does nothing until it is awaited or streamed"]
pub struct ToolRunner {
    pub(super) client: Client,
    /// The request of every step: the tools added, the messages those of the first step.
    pub(super) request: ChatRequest,
    pub(super) tools: ToolSet,
    pub(super) max_steps: u32,
    pub(super) options: Option<Options>,
    /// The first step's call, made by `run_tools`.
    pub(super) first: Option<ChatCall>,
}

impl fmt::Debug for ToolRunner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ToolRunner")
            .field("tools", &self.tools.names().collect::<Vec<_>>())
            .field("max_steps", &self.max_steps)
            .field("options", &self.options.is_some())
            .finish_non_exhaustive()
    }
}

impl ToolRunner {
    /// Sends at most `steps` requests (at least one; [`DEFAULT_MAX_STEPS`] unless set). When
    /// the answer to the last one still asks for tools, the calls are run, their results
    /// appended, and the run ends with [`ToolLoopError::is_step_limit`], keeping the
    /// conversation (which can be sent on as it is).
    pub fn max_steps(mut self, steps: u32) -> Self {
        self.max_steps = steps.max(1);
        self
    }

    /// Sets per-call options on every request of the run, the same way
    /// [`Structured::options`](crate::Structured::options) does for one:
    /// `.options(|call| call.total_timeout(Duration::from_secs(30)).no_retry())`. A total
    /// timeout limits each request, not the whole run.
    pub fn options(mut self, f: impl Fn(ChatCall) -> ChatCall + Send + Sync + 'static) -> Self {
        self.options = Some(Arc::new(f));
        self
    }

    /// The call of the next step: the first one as made, the others from the conversation
    /// so far; the options applied.
    pub(super) fn next_call(&mut self, messages: &[ChatMessages]) -> ChatCall {
        let call = self.first.take().unwrap_or_else(|| {
            let mut request = self.request.clone();
            request.messages = messages.to_vec();
            self.client.chat().create(request)
        });
        match &self.options {
            Some(options) => options(call),
            None => call,
        }
    }

    /// Runs the loop.
    async fn run(mut self) -> Result<ToolRun, ToolLoopError> {
        let mut messages = std::mem::take(&mut self.request.messages);
        let mut steps = 0;
        let mut usage = None;
        loop {
            let call = self.next_call(&messages);
            steps += 1;
            let response = match call.send().await {
                Ok(response) => response,
                Err(error) => {
                    return Err(ToolLoopError::request(error, messages, steps, usage, None));
                }
            };
            add_usage(&mut usage, response.data.usage.as_deref());
            messages.extend(response.data.to_message());
            let calls = tool_calls(&response.data);
            if calls.is_empty() {
                return Ok(ToolRun {
                    response,
                    messages,
                    steps,
                    usage,
                });
            }
            let outcomes = run_calls(&self.tools, calls).await;
            push_results(&mut messages, calls, outcomes);
            if steps >= self.max_steps {
                return Err(ToolLoopError::step_limit(ToolRun {
                    response,
                    messages,
                    steps,
                    usage,
                }));
            }
        }
    }
}

impl IntoFuture for ToolRunner {
    type Output = Result<ToolRun, ToolLoopError>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}

/// The tool calls of the first choice.
pub(super) fn tool_calls(result: &ChatResult) -> &[ChatToolCall] {
    result
        .choices
        .first()
        .and_then(|c| c.message.tool_calls.as_deref())
        .unwrap_or_default()
}

/// Runs the calls concurrently (in this task), and gives their outcomes in the calls' order.
pub(super) async fn run_calls(tools: &ToolSet, calls: &[ChatToolCall]) -> Vec<ToolOutcome> {
    join_all(
        calls
            .iter()
            .map(|call| tools.call(&call.function.name, &call.function.arguments)),
    )
    .await
}

/// Appends one tool message per call, answering its id.
pub(super) fn push_results(
    messages: &mut Vec<ChatMessages>,
    calls: &[ChatToolCall],
    outcomes: Vec<ToolOutcome>,
) {
    for (call, outcome) in calls.iter().zip(outcomes) {
        messages.push(ChatMessages::tool(call.id.clone(), outcome.content));
    }
}

/// Adds a step's usage to the run's: token counts and cost (the details are per request and
/// are not summed).
pub(super) fn add_usage(sum: &mut Option<ChatUsage>, step: Option<&ChatUsage>) {
    let Some(step) = step else { return };
    match sum {
        None => {
            let mut first = step.clone();
            first.completion_tokens_details = None;
            first.prompt_tokens_details = None;
            first.cost_details = None;
            first.server_tool_use_details = None;
            first.extra.clear();
            *sum = Some(first);
        }
        Some(sum) => {
            sum.prompt_tokens += step.prompt_tokens;
            sum.completion_tokens += step.completion_tokens;
            sum.total_tokens += step.total_tokens;
            sum.cost = match (sum.cost, step.cost) {
                (None, None) => None,
                (a, b) => Some(a.unwrap_or(0.0) + b.unwrap_or(0.0)),
            };
        }
    }
}

/// A finished tool loop: the final answer and the conversation that led to it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ToolRun {
    /// The last response: the final answer (in a [step-limit
    /// error](ToolLoopError::is_step_limit), the last answer, which asked for tools).
    pub response: Response<ChatResult>,
    /// The whole conversation: the request's messages, then each assistant turn as the model
    /// sent it and the tool results that answered it, ending with the final answer. Send it
    /// with a new user message to go on.
    pub messages: Vec<ChatMessages>,
    /// How many requests were sent.
    pub steps: u32,
    /// Token counts and cost summed over the requests (`None` when no answer carried usage);
    /// the per-request details are in each response.
    pub usage: Option<ChatUsage>,
}

impl ToolRun {
    /// The final result.
    pub fn result(&self) -> &ChatResult {
        self.response.data()
    }

    /// The text of the final answer.
    pub fn text(&self) -> Cow<'_, str> {
        self.response.data().text()
    }
}

/// Why a tool loop stopped before a final answer. The conversation so far is kept: see
/// [`messages`](Self::messages).
///
/// # Examples
///
/// ```
/// # use openrouter::tools::{LocalTool, ToolSet};
/// # use openrouter::types::chat::{ChatRequest, Message};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let client = openrouter::Client::builder()
/// #     .transport(openrouter::offline::OfflineTransport::new())
/// #     .build()?;
/// # let tools = ToolSet::from(LocalTool::with_schema("now", "The time",
/// #     serde_json::json!({"type": "object"}), |_: serde_json::Value| async { Ok::<_, String>("noon") }));
/// # let request = ChatRequest::new("m", vec![Message::user("Hi")]);
/// // One request only: the offline model asks for a tool first.
/// let err = client.chat().run_tools(request, &tools).max_steps(1).await.unwrap_err();
/// assert!(err.is_step_limit());
/// assert_eq!(err.steps(), 1);
/// // user, assistant (the tool call), tool (its result): ready to be sent on.
/// assert_eq!(err.messages().len(), 3);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct ToolLoopError {
    kind: Kind,
    run: Box<Partial>,
}

#[derive(Debug)]
enum Kind {
    Request(Error),
    StepLimit,
}

#[derive(Debug)]
struct Partial {
    messages: Vec<ChatMessages>,
    steps: u32,
    usage: Option<ChatUsage>,
    response: Option<Response<ChatResult>>,
}

impl ToolLoopError {
    pub(super) fn request(
        error: Error,
        messages: Vec<ChatMessages>,
        steps: u32,
        usage: Option<ChatUsage>,
        response: Option<Response<ChatResult>>,
    ) -> Self {
        ToolLoopError {
            kind: Kind::Request(error),
            run: Box::new(Partial {
                messages,
                steps,
                usage,
                response,
            }),
        }
    }

    pub(super) fn step_limit(run: ToolRun) -> Self {
        ToolLoopError {
            kind: Kind::StepLimit,
            run: Box::new(Partial {
                messages: run.messages,
                steps: run.steps,
                usage: run.usage,
                response: Some(run.response),
            }),
        }
    }

    /// Whether the model still asked for tools after the last request the run could send
    /// ([`ToolRunner::max_steps`]). The calls of that answer were run and their results are
    /// the last messages.
    pub fn is_step_limit(&self) -> bool {
        matches!(self.kind, Kind::StepLimit)
    }

    /// The error of the request that failed (after the call's retries), when one did.
    pub fn request_error(&self) -> Option<&Error> {
        match &self.kind {
            Kind::Request(e) => Some(e),
            Kind::StepLimit => None,
        }
    }

    /// The request's error, when one failed, without the rest.
    pub fn into_request_error(self) -> Option<Error> {
        match self.kind {
            Kind::Request(e) => Some(e),
            Kind::StepLimit => None,
        }
    }

    /// The conversation so far: the request's messages, and every assistant turn and tool
    /// result appended before the run stopped.
    pub fn messages(&self) -> &[ChatMessages] {
        &self.run.messages
    }

    /// The conversation so far, owned.
    pub fn into_messages(self) -> Vec<ChatMessages> {
        self.run.messages
    }

    /// How many requests were sent (the failed one included).
    pub fn steps(&self) -> u32 {
        self.run.steps
    }

    /// Token counts and cost summed over the answers received.
    pub fn usage(&self) -> Option<&ChatUsage> {
        self.run.usage.as_ref()
    }

    /// The last answer received (for a step limit, the one that asked for tools).
    pub fn last_response(&self) -> Option<&Response<ChatResult>> {
        self.run.response.as_ref()
    }
}

impl fmt::Display for ToolLoopError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Request(_) => write!(f, "request {} of the tool loop failed", self.run.steps),
            Kind::StepLimit => write!(
                f,
                "the model still asked for tools after {} requests (the tool loop's step limit)",
                self.run.steps
            ),
        }
    }
}

impl std::error::Error for ToolLoopError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            Kind::Request(e) => Some(e),
            Kind::StepLimit => None,
        }
    }
}
