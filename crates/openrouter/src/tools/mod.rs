//! Tool calling, run for you: local tools defined from Rust functions, and a loop that sends
//! the conversation, runs the tool calls the model asks for, sends their results back, and
//! repeats until the model answers.
//!
//! Feature `tool-loop` (not in the default features: it compiles the chat decoders into this
//! crate, some 40% more compiled code; see BENCHMARKS.md, "Build cost").
//!
//! # What
//!
//! - [`LocalTool`]: a function tool the model may call, run on your side: a name, a
//!   description, the JSON Schema of its arguments (with the feature `schemars`, taken from
//!   the argument type: `LocalTool::new`; else given: [`LocalTool::with_schema`]) and an
//!   async handler that takes the arguments already deserialized.
//! - [`ToolSet`]: the local tools of a run, cheap to clone.
//! - [`ToolRunner`]: what `client.chat().run_tools(request, &tools)` returns. Awaiting it runs
//!   the loop and gives a [`ToolRun`]: the final result, the whole conversation (to go on
//!   with it), the number of requests and the usage summed over them.
//!   [`stream`](ToolRunner::stream) runs the same loop on streamed requests and yields
//!   [`ToolEvent`]s as they happen: text, tool calls starting and finishing, tool results,
//!   the end of each step, the final answer.
//!
//! # How the loop goes
//!
//! Each step sends the request with the conversation so far and the local tools added to the
//! request's own `tools` (which may hold server tools such as `openrouter:web_search`:
//! OpenRouter runs those, the runner never does). When the answer asks for tool calls, the
//! assistant turn is appended *as the model sent it* (tool calls and `reasoning_details`
//! kept), the calls of the step run concurrently (polled together in the caller's task,
//! nothing is spawned), and their results are appended in the order of the calls. An
//! answer without tool calls ends the run.
//!
//! A tool never ends the run by failing: arguments that do not deserialize, a call of a
//! function that is not in the set, and an error the handler returns all go back to the model
//! as that call's result, a text starting with `error:`, so that it can correct itself.
//!
//! The run stops with [`ToolLoopError`] when a request fails (after the call's own retries),
//! or when the model still asks for tools after [`max_steps`](ToolRunner::max_steps) requests
//! (10 by default); either way the error keeps the conversation so far. Per-call options
//! ([`options`](ToolRunner::options): timeouts, retries, headers) apply to every request of
//! the run.
//!
//! # Examples
//!
//! ```
//! use openrouter::tools::{LocalTool, ToolSet};
//! use openrouter::types::chat::{ChatRequest, Message};
//! use serde::Deserialize;
//! use serde_json::json;
//!
//! #[derive(Deserialize)]
//! struct WeatherArgs {
//!     city: String,
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // Offline: a chat request with tools gets a call of the first tool, and one that ends
//! // with a tool result gets a text answer.
//! let client = openrouter::Client::builder()
//!     .transport(openrouter::offline::OfflineTransport::new())
//!     .build()?;
//! let weather = LocalTool::with_schema(
//!     "get_weather",
//!     "The current weather in a city",
//!     json!({
//!         "type": "object",
//!         "properties": {"city": {"type": "string"}},
//!         "required": ["city"],
//!         "additionalProperties": false,
//!     }),
//!     |args: WeatherArgs| async move {
//!         Ok::<_, std::io::Error>(json!({"city": args.city, "celsius": 21}))
//!     },
//! );
//! let tools = ToolSet::new().with(weather);
//! let request = ChatRequest::new(
//!     "openai/gpt-4o-mini",
//!     vec![Message::user("What is the weather in Paris?")],
//! );
//! let run = client.chat().run_tools(request, &tools).await?;
//! println!("{}", run.text());
//! assert_eq!(run.steps, 2);
//! // user, assistant (the tool call), tool (its result), assistant (the answer)
//! assert_eq!(run.messages.len(), 4);
//! # Ok(()) }
//! ```

mod run;
mod stream;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use openrouter_types::generated::{ChatFunctionTool, ChatFunctionToolFunction, ChatToolFunction};
use serde::de::DeserializeOwned;
use serde::Serialize;

pub use run::{ToolLoopError, ToolRun, ToolRunner, DEFAULT_MAX_STEPS};
pub use stream::{ToolEvent, ToolStream};

type Output = Pin<Box<dyn Future<Output = ToolOutcome> + Send>>;
type Handler = dyn Fn(&str) -> Output + Send + Sync;

/// What one call of a local tool gave: the text sent back to the model as the tool's result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ToolOutcome {
    pub(crate) content: String,
    pub(crate) is_error: bool,
}

impl ToolOutcome {
    fn ok(content: String) -> Self {
        ToolOutcome {
            content,
            is_error: false,
        }
    }

    pub(crate) fn error(message: impl fmt::Display) -> Self {
        ToolOutcome {
            content: format!("error: {message}"),
            is_error: true,
        }
    }
}

/// A function tool that runs on your side: its name, description and parameter schema, as the
/// model sees them, and the async function that answers a call.
///
/// The handler takes the arguments deserialized as its argument type `A` and returns
/// `Result<R, E>`: `Ok` is sent back as the tool's result (a string as it is, any other value
/// as JSON), `Err` as `error: {E}`. Arguments that do not deserialize as `A` are answered
/// with an `error:` text without calling the handler.
///
/// Cheap to clone (the handler is shared).
///
/// # Examples
///
/// ```
/// use openrouter::tools::LocalTool;
/// use serde_json::json;
///
/// #[derive(serde::Deserialize)]
/// struct Add {
///     a: i64,
///     b: i64,
/// }
///
/// let add = LocalTool::with_schema(
///     "add",
///     "Adds two integers",
///     json!({
///         "type": "object",
///         "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
///         "required": ["a", "b"],
///     }),
///     |args: Add| async move { Ok::<_, std::convert::Infallible>(args.a + args.b) },
/// );
/// assert_eq!(add.name(), "add");
/// ```
#[derive(Clone)]
pub struct LocalTool {
    name: String,
    description: String,
    parameters: serde_json::Value,
    strict: Option<bool>,
    handler: Arc<Handler>,
}

impl fmt::Debug for LocalTool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalTool")
            .field("name", &self.name)
            .field("description", &self.description)
            .field("parameters", &self.parameters)
            .field("strict", &self.strict)
            .finish_non_exhaustive()
    }
}

impl LocalTool {
    /// A tool whose parameters are described by the JSON Schema `parameters` (an object
    /// schema; a value that is not an object is left out, and the model sees a function
    /// without parameters).
    ///
    /// The schema is sent as given, not strict: add `"additionalProperties": false` and
    /// every property to `required`, then [`strict(true)`](Self::strict), for strict mode.
    ///
    /// # Examples
    ///
    /// ```
    /// use openrouter::tools::LocalTool;
    /// use serde_json::{json, Value};
    ///
    /// // Any `DeserializeOwned` type: here the arguments as plain JSON.
    /// let echo = LocalTool::with_schema(
    ///     "echo",
    ///     "Says back what it is given",
    ///     json!({"type": "object", "properties": {"text": {"type": "string"}}}),
    ///     |args: Value| async move { Ok::<_, String>(args["text"].clone()) },
    /// );
    /// assert_eq!(echo.parameters()["properties"]["text"]["type"], "string");
    /// ```
    pub fn with_schema<A, R, E, F, Fut>(
        name: impl Into<String>,
        description: impl Into<String>,
        parameters: serde_json::Value,
        handler: F,
    ) -> Self
    where
        A: DeserializeOwned + Send + 'static,
        R: Serialize + 'static,
        E: fmt::Display + 'static,
        F: Fn(A) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<R, E>> + Send + 'static,
    {
        let handler = Arc::new(handler);
        let handler: Arc<Handler> = Arc::new(move |arguments: &str| -> Output {
            let args = match parse_arguments::<A>(arguments) {
                Ok(args) => args,
                Err(e) => {
                    let outcome = ToolOutcome::error(format_args!(
                        "the arguments do not fit the tool's parameters: {e}"
                    ));
                    return Box::pin(std::future::ready(outcome));
                }
            };
            let answer = handler(args);
            Box::pin(async move {
                match answer.await {
                    Ok(value) => match serde_json::to_value(&value) {
                        Ok(serde_json::Value::String(text)) => ToolOutcome::ok(text),
                        Ok(value) => ToolOutcome::ok(value.to_string()),
                        Err(e) => ToolOutcome::error(format_args!(
                            "the tool's result cannot be serialized: {e}"
                        )),
                    },
                    Err(e) => ToolOutcome::error(e),
                }
            })
        });
        LocalTool {
            name: name.into(),
            description: description.into(),
            parameters,
            strict: None,
            handler,
        }
    }

    /// A tool whose parameter schema is `A`'s JSON Schema, strict (every object closed, every
    /// property required, as [`strict_schema`](openrouter_types::strict_schema) makes it),
    /// with `strict: true` (feature `schemars`).
    ///
    /// # Examples
    ///
    /// ```
    /// use openrouter::tools::LocalTool;
    ///
    /// /// The city to look up.
    /// #[derive(serde::Deserialize, schemars::JsonSchema)]
    /// struct WeatherArgs {
    ///     /// The city's name, in English.
    ///     city: String,
    /// }
    ///
    /// let weather = LocalTool::new("get_weather", "The current weather in a city", |args: WeatherArgs| async move {
    ///     Ok::<_, std::io::Error>(format!("21 °C in {}", args.city))
    /// });
    /// assert_eq!(weather.parameters()["required"], serde_json::json!(["city"]));
    /// assert_eq!(weather.parameters()["additionalProperties"], false);
    /// ```
    #[cfg(feature = "schemars")]
    pub fn new<A, R, E, F, Fut>(
        name: impl Into<String>,
        description: impl Into<String>,
        handler: F,
    ) -> Self
    where
        A: schemars::JsonSchema + DeserializeOwned + Send + 'static,
        R: Serialize + 'static,
        E: fmt::Display + 'static,
        F: Fn(A) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<R, E>> + Send + 'static,
    {
        let mut schema = openrouter_types::strict_schema::<A>();
        // The type's own title and description describe the type, not the call; the tool's
        // description says what the call does.
        if let serde_json::Value::Object(map) = &mut schema {
            map.remove("title");
        }
        Self::with_schema(name, description, schema, handler).strict(true)
    }

    /// Sets the function's `strict` flag: the provider then holds the model's arguments to
    /// the schema exactly (which must close every object and require every property).
    #[must_use]
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = Some(strict);
        self
    }

    /// The function's name, as the model calls it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What the tool does, as the model reads it.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The JSON Schema of the arguments.
    pub fn parameters(&self) -> &serde_json::Value {
        &self.parameters
    }

    /// The tool as a request's `tools` item.
    ///
    /// ```
    /// # use openrouter::tools::LocalTool;
    /// let tool = LocalTool::with_schema("now", "The time", serde_json::json!({"type": "object"}),
    ///     |_: serde_json::Value| async { Ok::<_, String>("noon") });
    /// assert_eq!(
    ///     serde_json::to_value(tool.definition()).unwrap(),
    ///     serde_json::json!({"type": "function", "function": {
    ///         "name": "now", "description": "The time", "parameters": {"type": "object"}}})
    /// );
    /// ```
    pub fn definition(&self) -> ChatFunctionTool {
        let mut function = ChatToolFunction::new(self.name.clone());
        function.description = Some(self.description.clone());
        if let serde_json::Value::Object(schema) = &self.parameters {
            function.parameters = Some(schema.clone());
        }
        function.strict = self.strict;
        ChatFunctionTool::Function(ChatFunctionToolFunction::new(function))
    }

    /// Calls the tool with its arguments as the model sent them (a JSON text).
    pub(crate) fn call(&self, arguments: &str) -> Output {
        (self.handler)(arguments)
    }
}

/// Parses a call's arguments; an empty string (some models send one for a function without
/// parameters) is an empty object.
fn parse_arguments<A: DeserializeOwned>(arguments: &str) -> serde_json::Result<A> {
    if arguments.trim().is_empty() {
        serde_json::from_str("{}")
    } else {
        serde_json::from_str(arguments)
    }
}

/// The local tools of a run, by name. Cheap to clone.
///
/// # Examples
///
/// ```
/// use openrouter::tools::{LocalTool, ToolSet};
/// # let tool = |name: &str| LocalTool::with_schema(name, "", serde_json::json!({"type": "object"}),
/// #     |_: serde_json::Value| async { Ok::<_, String>("") });
///
/// let tools: ToolSet = [tool("a"), tool("b")].into_iter().collect();
/// let tools = tools.with(tool("c"));
/// assert_eq!(tools.names().collect::<Vec<_>>(), ["a", "b", "c"]);
/// assert!(tools.get("b").is_some() && tools.get("z").is_none());
/// ```
#[derive(Clone, Debug, Default)]
pub struct ToolSet {
    tools: Arc<Vec<LocalTool>>,
}

impl ToolSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a tool; it replaces a tool of the same name.
    #[must_use]
    pub fn with(mut self, tool: LocalTool) -> Self {
        self.insert(tool);
        self
    }

    /// Adds a tool; it replaces a tool of the same name.
    pub fn insert(&mut self, tool: LocalTool) {
        let tools = Arc::make_mut(&mut self.tools);
        match tools.iter_mut().find(|t| t.name == tool.name) {
            Some(same) => *same = tool,
            None => tools.push(tool),
        }
    }

    /// The tool named `name`.
    pub fn get(&self, name: &str) -> Option<&LocalTool> {
        self.tools.iter().find(|t| t.name == name)
    }

    /// The tools' names, in the order they were added.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.tools.iter().map(|t| t.name.as_str())
    }

    /// The tools, in the order they were added.
    pub fn iter(&self) -> impl Iterator<Item = &LocalTool> {
        self.tools.iter()
    }

    /// How many tools the set holds.
    pub fn len(&self) -> usize {
        self.tools.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.tools.is_empty()
    }

    /// Runs a call of the tool `name`; a name not in the set is an `error:` result.
    pub(crate) fn call(&self, name: &str, arguments: &str) -> Output {
        match self.get(name) {
            Some(tool) => tool.call(arguments),
            None => Box::pin(std::future::ready(ToolOutcome::error(format_args!(
                "there is no tool named `{name}`"
            )))),
        }
    }
}

impl FromIterator<LocalTool> for ToolSet {
    fn from_iter<I: IntoIterator<Item = LocalTool>>(iter: I) -> Self {
        let mut set = ToolSet::new();
        for tool in iter {
            set.insert(tool);
        }
        set
    }
}

impl From<Vec<LocalTool>> for ToolSet {
    fn from(tools: Vec<LocalTool>) -> Self {
        tools.into_iter().collect()
    }
}

impl From<LocalTool> for ToolSet {
    fn from(tool: LocalTool) -> Self {
        ToolSet::new().with(tool)
    }
}
