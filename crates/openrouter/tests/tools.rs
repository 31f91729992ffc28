//! The tool-calling loop (`openrouter::tools`) against a scripted model on the closure
//! transport: each request gets the next answer of a script, whole or streamed as the request
//! asks, and every request is kept to be asserted on.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use openrouter::tools::{LocalTool, ToolEvent, ToolSet};
use openrouter::transport::test_util::FnTransport;
use openrouter::transport::ResponseBody;
use openrouter::types::chat::{ChatFunctionTool, ChatRequest, Message};
use openrouter::Client;
use serde_json::{json, Value};

/// The runner's future and stream can be sent to another task, and the stream and the error
/// shared across threads like the crate's other streams and errors.
#[test]
fn runners_streams_and_errors_are_send_and_sync() {
    fn send<T: Send>() {}
    fn send_sync<T: Send + Sync + 'static>() {}
    send::<openrouter::tools::ToolRunner>();
    send::<<openrouter::tools::ToolRunner as std::future::IntoFuture>::IntoFuture>();
    send_sync::<openrouter::tools::ToolStream>();
    send_sync::<openrouter::tools::ToolLoopError>();
    send_sync::<openrouter::tools::ToolRun>();
    send_sync::<openrouter::tools::ToolEvent>();
    send_sync::<ToolSet>();
    // `?` into the usual boxed error.
    let _: fn(openrouter::tools::ToolLoopError) -> Box<dyn std::error::Error + Send + Sync> =
        |e| e.into();
}

/// What the scripted model answers one request with.
#[derive(Clone)]
enum Answer {
    /// An assistant message (whole, or streamed in pieces).
    Message(Value),
    /// An error status with an API error body.
    Status(u16),
    /// Never answers.
    Hang,
}

/// The requests the model received: their headers and JSON bodies.
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<http::Request<Value>>>>);

impl Seen {
    fn bodies(&self) -> Vec<Value> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .map(|r| r.body().clone())
            .collect()
    }

    fn len(&self) -> usize {
        self.0.lock().unwrap().len()
    }

    fn header(&self, i: usize, name: &str) -> Option<String> {
        let requests = self.0.lock().unwrap();
        let value = requests[i].headers().get(name)?;
        Some(value.to_str().unwrap().to_owned())
    }
}

/// A client whose model answers the n-th request with `script[n]` (the last answer again past
/// the end).
fn model(script: Vec<Answer>) -> (Client, Seen) {
    let seen = Seen::default();
    let log = seen.clone();
    let transport = FnTransport::new_async(move |request: http::Request<bytes::Bytes>| {
        let (parts, body) = request.into_parts();
        let body: Value = serde_json::from_slice(&body).unwrap();
        let streamed = body["stream"] == json!(true);
        let n = {
            let mut log = log.0.lock().unwrap();
            log.push(http::Request::from_parts(parts, body));
            log.len() - 1
        };
        let answer = script[n.min(script.len() - 1)].clone();
        async move {
            match answer {
                Answer::Message(message) if streamed => Ok(sse(&message)),
                Answer::Message(message) => Ok(whole(&message)),
                Answer::Status(status) => {
                    let body = json!({"error": {"code": status, "message": "no"}}).to_string();
                    Ok(response(status, "application/json", body))
                }
                Answer::Hang => std::future::pending().await,
            }
        }
    });
    let client = Client::builder()
        .api_key("k")
        .transport(transport)
        .build()
        .unwrap();
    (client, seen)
}

fn response(status: u16, content_type: &str, body: String) -> http::Response<ResponseBody> {
    http::Response::builder()
        .status(status)
        .header("content-type", content_type)
        .body(ResponseBody::from(body))
        .unwrap()
}

fn finish_reason(message: &Value) -> &'static str {
    if message.get("tool_calls").is_some() {
        "tool_calls"
    } else {
        "stop"
    }
}

fn usage() -> Value {
    json!({"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15, "cost": 0.25})
}

fn whole(message: &Value) -> http::Response<ResponseBody> {
    let body = json!({
        "id": "gen-1", "object": "chat.completion", "created": 1, "model": "m",
        "choices": [{"index": 0, "finish_reason": finish_reason(message), "message": message}],
        "usage": usage(),
    });
    response(200, "application/json", body.to_string())
}

/// The message as a chat stream: reasoning details, then the text in two pieces, then each
/// tool call (id and name first, the arguments in two pieces), the finish reason, the usage.
fn sse(message: &Value) -> http::Response<ResponseBody> {
    let mut deltas = vec![json!({"role": "assistant", "content": ""})];
    if let Some(details) = message.get("reasoning_details") {
        deltas.push(json!({"reasoning": "thinking", "reasoning_details": details}));
    }
    if let Some(text) = message["content"].as_str() {
        let (a, b) = text.split_at(text.len() / 2);
        deltas.push(json!({"content": a}));
        deltas.push(json!({"content": b}));
    }
    for (i, call) in message["tool_calls"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let args = call["function"]["arguments"].as_str().unwrap();
        let (a, b) = args.split_at(args.len() / 2);
        deltas.push(
            json!({"tool_calls": [{"index": i, "id": call["id"], "type": "function",
            "function": {"name": call["function"]["name"], "arguments": a}}]}),
        );
        deltas.push(json!({"tool_calls": [{"index": i, "function": {"arguments": b}}]}));
    }
    let chunk = |delta: Value, finish: Option<&str>| {
        json!({"id": "gen-1", "object": "chat.completion.chunk", "created": 1, "model": "m",
               "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
    };
    let mut body = String::new();
    for delta in deltas {
        body.push_str(&format!("data: {}\n\n", chunk(delta, None)));
    }
    body.push_str(&format!(
        "data: {}\n\n",
        chunk(json!({}), Some(finish_reason(message)))
    ));
    let mut last = chunk(json!({}), None);
    last["choices"] = json!([]);
    last["usage"] = usage();
    body.push_str(&format!("data: {last}\n\ndata: [DONE]\n\n"));
    response(200, "text/event-stream", body)
}

fn call(id: &str, name: &str, arguments: Value) -> Value {
    json!({"id": id, "type": "function",
           "function": {"name": name, "arguments": arguments.to_string()}})
}

fn asks(calls: Vec<Value>) -> Answer {
    Answer::Message(json!({"role": "assistant", "content": null, "tool_calls": calls}))
}

fn says(text: &str) -> Answer {
    Answer::Message(json!({"role": "assistant", "content": text}))
}

fn request() -> ChatRequest {
    ChatRequest::new("m", vec![Message::user("What is the weather?")])
}

#[derive(serde::Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
struct City {
    city: String,
}

fn city_schema() -> Value {
    json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]})
}

/// A weather tool that answers `"{city}: sunny"`.
fn weather() -> LocalTool {
    LocalTool::with_schema(
        "get_weather",
        "The weather",
        city_schema(),
        |a: City| async move { Ok::<_, String>(format!("{}: sunny", a.city)) },
    )
}

/// The tool messages of a request body, as `(tool_call_id, content)`.
fn tool_results(body: &Value) -> Vec<(String, String)> {
    body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] == "tool")
        .map(|m| {
            (
                m["tool_call_id"].as_str().unwrap().to_owned(),
                m["content"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Two calls in one answer run concurrently: each handler waits at a barrier that only opens
/// when both have reached it (run one after the other, the first would wait forever). The
/// first call finishes last, and its result still comes first.
#[tokio::test]
async fn parallel_calls_run_concurrently_and_results_keep_the_calls_order() {
    let (client, seen) = model(vec![
        asks(vec![
            call("call_a", "wait", json!({"name": "a", "ms": 30})),
            call("call_b", "wait", json!({"name": "b", "ms": 0})),
        ]),
        says("Both done."),
    ]);
    let barrier = Arc::new(tokio::sync::Barrier::new(2));
    let finished = Arc::new(Mutex::new(Vec::new()));
    let (b, f) = (barrier.clone(), finished.clone());
    let wait = LocalTool::with_schema(
        "wait",
        "Waits",
        json!({"type": "object"}),
        move |args: Value| {
            let (barrier, finished) = (b.clone(), f.clone());
            async move {
                barrier.wait().await;
                tokio::time::sleep(Duration::from_millis(args["ms"].as_u64().unwrap())).await;
                let name = args["name"].as_str().unwrap().to_owned();
                finished.lock().unwrap().push(name.clone());
                Ok::<_, String>(format!("{name} done"))
            }
        },
    );
    let tools = ToolSet::from(wait);
    let run = tokio::time::timeout(
        Duration::from_secs(5),
        client.chat().run_tools(request(), &tools),
    )
    .await
    .expect("the handlers ran one after the other and deadlocked")
    .unwrap();

    assert_eq!(*finished.lock().unwrap(), ["b", "a"]);
    assert_eq!(run.text(), "Both done.");
    assert_eq!(run.steps, 2);
    let bodies = seen.bodies();
    assert_eq!(
        tool_results(&bodies[1]),
        [
            ("call_a".to_owned(), "a done".to_owned()),
            ("call_b".to_owned(), "b done".to_owned())
        ]
    );
    let roles: Vec<&str> = run
        .messages
        .iter()
        .map(|m| {
            serde_json::to_value(m).unwrap()["role"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .map(|r| match r.as_str() {
            "user" => "user",
            "assistant" => "assistant",
            "tool" => "tool",
            _ => "other",
        })
        .collect();
    assert_eq!(roles, ["user", "assistant", "tool", "tool", "assistant"]);
    // The conversation sent second is the one kept, minus the final answer.
    let sent: Vec<Value> = bodies[1]["messages"].as_array().unwrap().clone();
    let kept: Vec<Value> = run.messages[..4]
        .iter()
        .map(|m| serde_json::to_value(m).unwrap())
        .collect();
    assert_eq!(sent, kept);
    // Usage summed over both requests.
    let usage = run.usage.unwrap();
    assert_eq!(
        (
            usage.prompt_tokens,
            usage.completion_tokens,
            usage.total_tokens
        ),
        (20, 10, 30)
    );
    assert_eq!(usage.cost, Some(0.5));
}

/// A handler's error, arguments that do not deserialize, and a call of a function the set does
/// not hold are each answered with an `error:` text, and the loop goes on to the answer.
#[tokio::test]
async fn tool_failures_go_back_to_the_model_as_results() {
    let (client, seen) = model(vec![
        asks(vec![
            call("c1", "get_weather", json!({"city": "Paris"})),
            call("c2", "lookup", json!({"city": "Atlantis"})),
            call("c3", "lookup", json!({"city": 5})),
            call("c4", "launch_rockets", json!({})),
        ]),
        says("Paris is sunny; the rest failed."),
    ]);
    let called_with_bad_arguments = Arc::new(AtomicBool::new(false));
    let flag = called_with_bad_arguments.clone();
    let lookup = LocalTool::with_schema("lookup", "Looks up", city_schema(), move |a: City| {
        if a.city != "Atlantis" {
            flag.store(true, Ordering::SeqCst);
        }
        async move { Err::<String, _>(format!("no such city: {}", a.city)) }
    });
    let tools = ToolSet::new().with(weather()).with(lookup);
    let run = client.chat().run_tools(request(), &tools).await.unwrap();

    assert_eq!(run.text(), "Paris is sunny; the rest failed.");
    let results = tool_results(&seen.bodies()[1]);
    assert_eq!(results[0], ("c1".into(), "Paris: sunny".into()));
    assert_eq!(
        results[1],
        ("c2".into(), "error: no such city: Atlantis".into())
    );
    assert_eq!(results[2].0, "c3");
    assert!(
        results[2]
            .1
            .starts_with("error: the arguments do not fit the tool's parameters: invalid type"),
        "{}",
        results[2].1
    );
    assert!(!called_with_bad_arguments.load(Ordering::SeqCst));
    assert_eq!(
        results[3],
        (
            "c4".into(),
            "error: there is no tool named `launch_rockets`".into()
        )
    );
}

/// A result that is not a string is sent as JSON; a string as it is.
#[tokio::test]
async fn results_are_strings_as_they_are_and_other_values_as_json() {
    let (client, seen) = model(vec![asks(vec![call("c1", "facts", json!({}))]), says("ok")]);
    let facts = LocalTool::with_schema(
        "facts",
        "Facts",
        json!({"type": "object"}),
        |_: Value| async { Ok::<_, String>(json!({"celsius": 21, "sky": "clear"})) },
    );
    client
        .chat()
        .run_tools(request(), &ToolSet::from(facts))
        .await
        .unwrap();
    let (_, content) = &tool_results(&seen.bodies()[1])[0];
    assert_eq!(
        serde_json::from_str::<Value>(content).unwrap(),
        json!({"celsius": 21, "sky": "clear"})
    );
}

/// A model that always asks for a tool is stopped after `max_steps` requests; the error keeps
/// the conversation, with the last calls answered, and the usage so far.
#[tokio::test]
async fn the_step_limit_stops_the_loop_and_keeps_the_conversation() {
    let (client, seen) = model(vec![asks(vec![call(
        "c",
        "get_weather",
        json!({"city": "Oslo"}),
    )])]);
    let err = client
        .chat()
        .run_tools(request(), &ToolSet::from(weather()))
        .max_steps(3)
        .await
        .unwrap_err();

    assert!(err.is_step_limit(), "{err}");
    assert!(err.request_error().is_none());
    assert_eq!(err.steps(), 3);
    assert_eq!(seen.len(), 3);
    // user, then (assistant, tool) three times.
    assert_eq!(err.messages().len(), 7);
    let last = serde_json::to_value(err.messages().last().unwrap()).unwrap();
    assert_eq!(last["role"], "tool");
    assert_eq!(last["content"], "Oslo: sunny");
    assert_eq!(err.usage().unwrap().total_tokens, 45);
    assert!(err.last_response().is_some());
    assert_eq!(
        err.to_string(),
        "the model still asked for tools after 3 requests (the tool loop's step limit)"
    );
}

/// The assistant turn sent back is the model's message as it came: tool calls, reasoning
/// details (encrypted ones included) and the reasoning text.
#[tokio::test]
async fn the_assistant_turn_goes_back_with_its_reasoning_details() {
    let details = json!([
        {"type": "reasoning.encrypted", "data": "opaque==", "id": "r1", "format": "openai-responses-v1", "index": 0},
        {"type": "reasoning.summary", "summary": "Check the weather.", "index": 1}
    ]);
    let first = json!({
        "role": "assistant", "content": "Checking.", "reasoning": "I should call the tool.",
        "reasoning_details": details,
        "tool_calls": [call("c1", "get_weather", json!({"city": "Rome"}))],
    });
    let (client, seen) = model(vec![Answer::Message(first.clone()), says("Sunny.")]);
    client
        .chat()
        .run_tools(request(), &ToolSet::from(weather()))
        .await
        .unwrap();

    let sent = &seen.bodies()[1]["messages"][1];
    assert_eq!(*sent, first);
}

/// Per-call options apply to every request of the run: a header reaches each one, and an
/// attempt timeout ends a later request that never answers (the conversation kept).
#[tokio::test]
async fn per_call_options_apply_to_every_step() {
    let (client, seen) = model(vec![
        asks(vec![call("c1", "get_weather", json!({"city": "Lima"}))]),
        asks(vec![call("c2", "get_weather", json!({"city": "Quito"}))]),
        Answer::Hang,
    ]);
    let err = client
        .chat()
        .run_tools(request(), &ToolSet::from(weather()))
        .options(|call| {
            call.header("x-run", "r-1")
                .attempt_timeout(Duration::from_millis(200))
                .no_retry()
        })
        .await
        .unwrap_err();

    assert_eq!(seen.len(), 3);
    for i in 0..3 {
        assert_eq!(
            seen.header(i, "x-run").as_deref(),
            Some("r-1"),
            "request {i}"
        );
    }
    let error = err.request_error().expect("a request failed");
    assert!(matches!(error, openrouter::Error::Timeout(_)), "{error:?}");
    assert_eq!(err.steps(), 3);
    assert_eq!(err.messages().len(), 5);
    assert_eq!(err.to_string(), "request 3 of the tool loop failed");
    assert!(std::error::Error::source(&err).is_some());
}

/// A failed request ends the run with its error; the conversation up to it is kept.
#[tokio::test]
async fn a_failed_request_keeps_the_conversation() {
    let (client, _) = model(vec![
        asks(vec![call("c1", "get_weather", json!({"city": "Lima"}))]),
        Answer::Status(400),
    ]);
    let err = client
        .chat()
        .run_tools(request(), &ToolSet::from(weather()))
        .await
        .unwrap_err();
    assert!(!err.is_step_limit());
    assert_eq!(
        err.request_error().unwrap().status().map(|s| s.as_u16()),
        Some(400)
    );
    assert_eq!(err.messages().len(), 3);
    assert_eq!(err.usage().unwrap().total_tokens, 15);
}

/// Server tools in the request stay as they are, before the local tools, which replace a
/// function of the same name; the runner does not run server tools.
#[tokio::test]
async fn server_tools_stay_beside_local_tools() {
    let web_search: ChatFunctionTool = serde_json::from_value(
        json!({"type": "openrouter:web_search", "parameters": {"max_results": 3}}),
    )
    .unwrap();
    assert!(matches!(
        web_search,
        ChatFunctionTool::OpenrouterWebSearch(_)
    ));
    let (client, seen) = model(vec![
        asks(vec![call("c1", "get_weather", json!({"city": "Oslo"}))]),
        says("Done."),
    ]);
    // A function the request declares with a local tool's name gives way to the local tool.
    let declared = ChatFunctionTool::function("get_weather", "Old", json!({"type": "object"}));
    let request = request().tools(vec![web_search, declared]);
    let run = client
        .chat()
        .run_tools(request, &ToolSet::from(weather()))
        .await
        .unwrap();
    assert_eq!(run.text(), "Done.");
    for body in seen.bodies() {
        let tools = body["tools"].as_array().unwrap();
        assert_eq!(tools.len(), 2);
        assert_eq!(
            tools[0],
            json!({"type": "openrouter:web_search", "parameters": {"max_results": 3}})
        );
        assert_eq!(tools[1]["type"], "function");
        assert_eq!(tools[1]["function"]["name"], "get_weather");
        assert_eq!(tools[1]["function"]["description"], "The weather");
        assert_eq!(tools[1]["function"]["parameters"], city_schema());
    }
}

/// A short description of an event, to compare sequences.
fn describe(event: &ToolEvent) -> String {
    match event {
        ToolEvent::Text(t) => format!("text {t}"),
        ToolEvent::Reasoning(r) => format!("reasoning {r}"),
        ToolEvent::ToolCallStarted { step, id, name, .. } => format!("start {step} {id} {name}"),
        ToolEvent::ToolCallFinished {
            step, id, parsed, ..
        } => format!("call {step} {id} {}", parsed.as_ref().unwrap()),
        ToolEvent::StepFinished { step, result, .. } => {
            format!(
                "step {step} {}",
                result.choices[0].finish_reason.as_ref().unwrap()
            )
        }
        ToolEvent::ToolResult {
            step,
            id,
            content,
            is_error,
            ..
        } => format!("result {step} {id} {content} {is_error}"),
        ToolEvent::Finished(run) => format!("finished {} {}", run.steps, run.text()),
        other => format!("{other:?}"),
    }
}

/// The streamed loop yields the pieces as they arrive, each tool call's start as soon as its
/// name is known, the complete calls and the step's end when its stream ends, then the
/// results in the calls' order; the assembled assistant turn (reasoning details included) is
/// what the next request sends.
#[tokio::test]
async fn the_streamed_loop_yields_events_in_order() {
    let details =
        json!([{"type": "reasoning.encrypted", "data": "opaque==", "id": "r1", "index": 0}]);
    let first = json!({
        "role": "assistant", "content": "Checking.",
        "reasoning_details": details,
        "tool_calls": [
            call("c1", "get_weather", json!({"city": "Rome"})),
            call("c2", "nope", json!({})),
        ],
    });
    let (client, seen) = model(vec![Answer::Message(first), says("Sunny.")]);
    let events: Vec<String> = client
        .chat()
        .run_tools(request(), &ToolSet::from(weather()))
        .options(|call| call.header("x-run", "r-2"))
        .stream()
        .map(|e| describe(&e.unwrap()))
        .collect()
        .await;
    assert_eq!(
        events,
        [
            "reasoning thinking",
            "text Chec",
            "text king.",
            "start 1 c1 get_weather",
            "start 1 c2 nope",
            r#"call 1 c1 {"city":"Rome"}"#,
            "call 1 c2 {}",
            "step 1 tool_calls",
            "result 1 c1 Rome: sunny false",
            "result 1 c2 error: there is no tool named `nope` true",
            "text Sun",
            "text ny.",
            "step 2 stop",
            "finished 2 Sunny.",
        ]
    );
    let bodies = seen.bodies();
    assert_eq!(bodies.len(), 2);
    assert!(bodies.iter().all(|b| b["stream"] == json!(true)));
    for i in 0..2 {
        assert_eq!(
            seen.header(i, "x-run").as_deref(),
            Some("r-2"),
            "request {i}"
        );
    }
    let assistant = &bodies[1]["messages"][1];
    assert_eq!(assistant["reasoning_details"], details);
    assert_eq!(assistant["content"], "Checking.");
    assert_eq!(
        assistant["tool_calls"],
        json!([
            call("c1", "get_weather", json!({"city": "Rome"})),
            call("c2", "nope", json!({}))
        ])
    );
    assert_eq!(
        tool_results(&bodies[1]),
        [
            ("c1".to_owned(), "Rome: sunny".to_owned()),
            (
                "c2".to_owned(),
                "error: there is no tool named `nope`".to_owned()
            )
        ]
    );
}

/// The streamed loop ends with the step-limit error after the last results, and with a
/// request's error when one fails.
#[tokio::test]
async fn the_streamed_loop_ends_with_its_errors() {
    let (client, _) = model(vec![asks(vec![call(
        "c",
        "get_weather",
        json!({"city": "Oslo"}),
    )])]);
    let items: Vec<_> = client
        .chat()
        .run_tools(request(), &ToolSet::from(weather()))
        .max_steps(2)
        .stream()
        .collect()
        .await;
    let (last, events) = items.split_last().unwrap();
    assert!(events.iter().all(Result::is_ok));
    let steps: Vec<String> = events
        .iter()
        .map(|e| describe(e.as_ref().unwrap()))
        .filter(|d| d.starts_with("step") || d.starts_with("result"))
        .collect();
    assert_eq!(
        steps,
        [
            "step 1 tool_calls",
            "result 1 c Oslo: sunny false",
            "step 2 tool_calls",
            "result 2 c Oslo: sunny false"
        ]
    );
    let err = last.as_ref().unwrap_err();
    assert!(err.is_step_limit());
    assert_eq!(err.messages().len(), 5);

    let (client, _) = model(vec![Answer::Status(429)]);
    let items: Vec<_> = client
        .chat()
        .run_tools(request(), &ToolSet::from(weather()))
        .options(|call| call.no_retry())
        .stream()
        .collect()
        .await;
    assert_eq!(items.len(), 1);
    let err = items[0].as_ref().unwrap_err();
    assert_eq!(
        err.request_error().unwrap().status().map(|s| s.as_u16()),
        Some(429)
    );
    assert_eq!(err.messages().len(), 1);
}

/// With the feature `schemars`, a tool's parameters are its argument type's strict schema,
/// sent with `strict: true`, and the arguments arrive typed.
#[cfg(feature = "schemars")]
#[tokio::test]
async fn a_typed_tool_sends_its_strict_schema() {
    /// Where to look.
    #[derive(serde::Deserialize, schemars::JsonSchema)]
    struct Args {
        /// The city.
        city: String,
        /// Days ahead.
        days: Option<u8>,
    }
    let (client, seen) = model(vec![
        asks(vec![call(
            "c1",
            "forecast",
            json!({"city": "Bern", "days": null}),
        )]),
        says("ok"),
    ]);
    let forecast = LocalTool::new("forecast", "The forecast", |a: Args| async move {
        Ok::<_, String>(format!("{} in {} days", a.city, a.days.unwrap_or(0)))
    });
    client
        .chat()
        .run_tools(request(), &ToolSet::from(forecast))
        .await
        .unwrap();
    let bodies = seen.bodies();
    let function = &bodies[0]["tools"][0]["function"];
    assert_eq!(function["strict"], true);
    assert_eq!(function["description"], "The forecast");
    let params = &function["parameters"];
    assert_eq!(params["additionalProperties"], false);
    let mut required: Vec<&str> = params["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    required.sort_unstable();
    assert_eq!(required, ["city", "days"]);
    assert_eq!(params["properties"]["city"]["description"], "The city.");
    assert!(params.get("title").is_none());
    assert_eq!(tool_results(&bodies[1])[0].1, "Bern in 0 days");
}

/// Offline, the loop ends: the canned model calls the first tool, then answers the tool's
/// result with text, whole and streamed.
#[tokio::test]
async fn the_loop_runs_offline_whole_and_streamed() {
    let offline = openrouter::offline::OfflineTransport::new().chunk_delay(Duration::ZERO);
    let client = Client::builder().transport(offline).build().unwrap();
    let tools = ToolSet::from(weather());
    let run = client.chat().run_tools(request(), &tools).await.unwrap();
    assert_eq!(run.steps, 2);
    let tool = serde_json::to_value(&run.messages[2]).unwrap();
    assert_eq!(tool["content"], "example: sunny");
    assert!(run.text().starts_with("Offline mode"), "{}", run.text());

    let events: Vec<String> = client
        .chat()
        .run_tools(request(), &tools)
        .stream()
        .map(|e| describe(&e.unwrap()))
        .filter(|d| std::future::ready(!d.starts_with("text")))
        .collect()
        .await;
    assert_eq!(
        events,
        [
            "start 1 call_offline_1 get_weather",
            r#"call 1 call_offline_1 {"city":"example"}"#,
            "step 1 tool_calls",
            "result 1 call_offline_1 example: sunny false",
            "step 2 stop",
            "finished 2 Offline mode: this answer comes from the SDK's canned transport.",
        ]
    );
}
