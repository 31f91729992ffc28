//! Spans after the OpenTelemetry GenAI semantic conventions, through `tracing` (no OpenTelemetry
//! dependency: `tracing-opentelemetry`, or any subscriber, turns them into what it needs).
//!
//! Two spans, both at `INFO` under the target `openrouter::gen_ai`:
//! - `gen_ai`, one per call (`otel.name` `"{operation} {model}"`, e.g. `chat openai/gpt-4o`):
//!   created when the call is sent, ended when the call returns, or for a stream when the
//!   stream ends or is dropped.
//! - `http`, one per attempt (one HTTP request), a child of the call's; retries are siblings.
//!
//! Nothing here costs more than a disabled-callsite check when no subscriber wants the spans:
//! every field beyond the constant ones is computed only when the span is enabled. No header is
//! ever read into a span but `x-generation-id`, so the key never reaches one.

use std::fmt::Write as _;

use http::HeaderMap;
use openrouter_types::operation::Operation;
use serde::Deserialize;
#[cfg(feature = "tracing")]
use tracing::field::Empty;
use tracing::Span;

use crate::error::Error;
use crate::headers;

/// A span of this module, or nothing: `None` unless the feature `tracing` is on and a
/// subscriber wants the span. Without the feature it is empty (no bytes in a call's future)
/// and every use of it compiles away.
#[derive(Clone, Default)]
pub(crate) struct SpanSlot {
    #[cfg(feature = "tracing")]
    span: Option<Box<Span>>,
}

impl SpanSlot {
    /// The span, if any.
    #[inline(always)]
    pub(crate) fn get(&self) -> Option<&Span> {
        #[cfg(feature = "tracing")]
        return self.span.as_deref();
        #[cfg(not(feature = "tracing"))]
        None
    }

    #[cfg(feature = "tracing")]
    fn new(span: Span) -> Self {
        SpanSlot {
            span: (!span.is_disabled()).then(|| Box::new(span)),
        }
    }

    /// Ends the span (drops it).
    #[inline(always)]
    pub(crate) fn end(self) {}

    fn into_span(self) -> Option<Span> {
        #[cfg(feature = "tracing")]
        return self.span.map(|s| *s);
        #[cfg(not(feature = "tracing"))]
        None
    }
}

/// The `gen_ai.operation.name` of an operation: `chat` for the chat-like generations (chat
/// completions, `/responses`, `/messages`, and their preset forms), `embeddings`, else the
/// operation id.
pub(crate) fn operation_name(op: &Operation) -> &'static str {
    match op.id {
        "sendChatCompletionRequest"
        | "createPresetsChatCompletions"
        | "createResponses"
        | "createPresetsResponses"
        | "createMessages"
        | "createPresetsMessages" => "chat",
        "createEmbeddings" => "embeddings",
        id => id,
    }
}

/// The span of one call, empty (and nothing computed) when the feature `tracing` is off or no
/// subscriber wants it. `body` is the serialized JSON body, when the call has one.
#[inline]
pub(crate) fn call_span(
    op: &'static Operation,
    base_url: &str,
    body: Option<&[u8]>,
    content: bool,
) -> SpanSlot {
    #[cfg(not(feature = "tracing"))]
    {
        let _ = (op, base_url, body, content);
        SpanSlot::default()
    }
    #[cfg(feature = "tracing")]
    traced_call_span(op, base_url, body, content)
}

#[cfg(feature = "tracing")]
fn traced_call_span(
    op: &'static Operation,
    base_url: &str,
    body: Option<&[u8]>,
    content: bool,
) -> SpanSlot {
    let operation = operation_name(op);
    let span = tracing::info_span!(
        target: "openrouter::gen_ai",
        "gen_ai",
        "otel.name" = Empty,
        "otel.kind" = "client",
        "otel.status_code" = Empty,
        "gen_ai.operation.name" = operation,
        "gen_ai.provider.name" = "openrouter",
        "gen_ai.request.model" = Empty,
        "gen_ai.response.model" = Empty,
        "gen_ai.response.id" = Empty,
        "gen_ai.response.finish_reasons" = Empty,
        "gen_ai.usage.input_tokens" = Empty,
        "gen_ai.usage.output_tokens" = Empty,
        "gen_ai.usage.cache_read.input_tokens" = Empty,
        "gen_ai.usage.cache_creation.input_tokens" = Empty,
        "openrouter.usage.reasoning_tokens" = Empty,
        "openrouter.cost" = Empty,
        "openrouter.generation_id" = Empty,
        "openrouter.operation_id" = op.id,
        "server.address" = Empty,
        "server.port" = Empty,
        "error.type" = Empty,
        "gen_ai.input.messages" = Empty,
        "gen_ai.output.messages" = Empty,
    );
    if !span.is_disabled() {
        record_request(&span, operation, base_url, body, content);
    }
    SpanSlot::new(span)
}

#[cold]
#[inline(never)]
fn record_request(
    span: &Span,
    operation: &str,
    base_url: &str,
    body: Option<&[u8]>,
    content: bool,
) {
    if let Ok(uri) = base_url.parse::<http::Uri>() {
        if let Some(host) = uri.host() {
            span.record(
                "server.address",
                host.trim_start_matches('[').trim_end_matches(']'),
            );
        }
        let port = uri.port_u16().unwrap_or(match uri.scheme_str() {
            Some("http") => 80,
            _ => 443,
        });
        span.record("server.port", i64::from(port));
    }
    let mut model = None;
    if let Some(body) = body {
        if content {
            if let Ok(serde_json::Value::Object(mut map)) = serde_json::from_slice(body) {
                model = match map.remove("model") {
                    Some(serde_json::Value::String(m)) => Some(m),
                    _ => None,
                };
                let input = input_messages(&mut map);
                if let Some(input) = input {
                    span.record("gen_ai.input.messages", input.as_str());
                }
            }
        } else {
            #[derive(Deserialize)]
            struct Model {
                model: Option<String>,
            }
            model = serde_json::from_slice::<Model>(body)
                .ok()
                .and_then(|m| m.model);
        }
    }
    let name = match &model {
        Some(m) => {
            span.record("gen_ai.request.model", m.as_str());
            format!("{operation} {m}")
        }
        None => operation.to_owned(),
    };
    span.record("otel.name", name.as_str());
}

/// The prompt of a request body, as JSON text: the system prompt (`/messages`' `system`, or
/// `/responses`' `instructions`) as a `system` message first, then `messages` (chat,
/// `/messages`) or `input` (`/responses`, a string becoming one user message).
fn input_messages(map: &mut serde_json::Map<String, serde_json::Value>) -> Option<String> {
    use serde_json::{json, Value};
    let mut out = Vec::new();
    for key in ["system", "instructions"] {
        if let Some(system) = map.remove(key) {
            out.push(json!({"role": "system", "content": system}));
        }
    }
    match map.remove("messages").or_else(|| map.remove("input")) {
        Some(Value::Array(items)) => out.extend(items),
        Some(Value::String(text)) => out.push(json!({"role": "user", "content": text})),
        Some(other) => out.push(other),
        None if out.is_empty() => return None,
        None => {}
    }
    serde_json::to_string(&out).ok()
}

/// The span of one attempt, a child of `call`'s; `None` when `call` is.
#[inline]
pub(crate) fn attempt_span(call: &SpanSlot, method: &http::Method, attempt: u32) -> SpanSlot {
    #[cfg(not(feature = "tracing"))]
    {
        let _ = (call, method, attempt);
        SpanSlot::default()
    }
    #[cfg(feature = "tracing")]
    match call.get() {
        Some(call) => traced_attempt_span(call, method, attempt),
        None => SpanSlot::default(),
    }
}

#[cfg(feature = "tracing")]
fn traced_attempt_span(call: &Span, method: &http::Method, attempt: u32) -> SpanSlot {
    let span = tracing::info_span!(
        target: "openrouter::gen_ai",
        parent: call,
        "http",
        "otel.name" = method.as_str(),
        "otel.kind" = "client",
        "http.request.method" = method.as_str(),
        "http.request.resend_count" = i64::from(attempt.saturating_sub(1)),
        "http.response.status_code" = Empty,
        "error.type" = Empty,
    );
    SpanSlot::new(span)
}

/// The `error.type` of an error: the HTTP status an API error stands for, else its kind.
pub(crate) fn error_type(error: &Error) -> String {
    match error {
        Error::Api(api) => api.effective_status().as_u16().to_string(),
        Error::Timeout(_) => "timeout".into(),
        Error::Transport(_) => "transport".into(),
        Error::Decode(_) => "decode".into(),
        Error::Stream(s) => match &s.inner {
            crate::sse::StreamError::Api { .. } => "stream_api_error".into(),
            crate::sse::StreamError::IdleTimeout { .. }
            | crate::sse::StreamError::FirstContentTimeout { .. } => "timeout".into(),
            _ => "stream".into(),
        },
        Error::Config(_) => "config".into(),
        Error::Io(_) => "io".into(),
        Error::TooLarge(_) => "too_large".into(),
        #[allow(unreachable_patterns)]
        _ => "_OTHER".into(),
    }
}

/// Records a failed attempt on its span.
#[cold]
#[inline(never)]
pub(crate) fn attempt_failed(span: &Span, error: &Error) {
    if let Error::Api(api) = error {
        span.record("http.response.status_code", i64::from(api.status.as_u16()));
    }
    span.record("error.type", error_type(error).as_str());
}

/// Records a failed call on its span.
#[cold]
#[inline(never)]
pub(crate) fn call_failed(span: &Span, error: &Error) {
    span.record("error.type", error_type(error).as_str());
    span.record("otel.status_code", "ERROR");
}

/// Records what a successful response's head says (the generation id).
pub(crate) fn record_head(span: &Span, headers: &HeaderMap) {
    if let Some(id) = headers
        .get(headers::X_GENERATION_ID)
        .and_then(|v| v.to_str().ok())
    {
        span.record("openrouter.generation_id", id);
    }
}

/// Records what a successful body read whole says: ids, model, finish reasons, usage, cost,
/// and, when `content`, the completion.
#[cold]
#[inline(never)]
pub(crate) fn record_body(span: &Span, body: &[u8], content: bool) {
    let mut summary = TraceSummary::new(content);
    if content {
        if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
            summary.output = output_messages(&value);
            summary.merge_value(value);
        }
    } else if let Ok(peek) = serde_json::from_slice::<Peek>(body) {
        summary.merge(peek);
    }
    summary.record(span);
}

/// The completion of a response body, as JSON text: chat's `choices[].message`,
/// `/responses`' `output`, `/messages`' `content` as one assistant message.
fn output_messages(value: &serde_json::Value) -> Option<String> {
    use serde_json::{json, Value};
    let list = if let Some(Value::Array(choices)) = value.get("choices") {
        Value::Array(
            choices
                .iter()
                .filter_map(|c| c.get("message").cloned())
                .collect(),
        )
    } else if let Some(output) = value.get("output") {
        output.clone()
    } else if let Some(content) = value.get("content") {
        json!([{"role": "assistant", "content": content}])
    } else {
        return None;
    };
    serde_json::to_string(&list).ok()
}

/// What a call span learns from a response body or from a stream's events; recorded on the
/// span when the call ends (a stream's when it ends or is dropped).
#[doc(hidden)]
#[derive(Debug, Default)]
pub struct TraceSummary {
    id: Option<String>,
    model: Option<String>,
    finish_reasons: Vec<String>,
    input_tokens: Option<i64>,
    output_tokens: Option<i64>,
    cache_read: Option<i64>,
    cache_creation: Option<i64>,
    reasoning: Option<i64>,
    cost: Option<f64>,
    /// Whether the completion is recorded.
    content: bool,
    /// A stream's text, gathered from its deltas when `content`.
    text: String,
    /// The completion as JSON text, when a body (or a final event) carried it whole.
    output: Option<String>,
}

impl TraceSummary {
    pub(crate) fn new(content: bool) -> Self {
        TraceSummary {
            content,
            ..TraceSummary::default()
        }
    }

    /// Whether the completion's text is wanted ([`push_text`](Self::push_text)).
    pub fn wants_text(&self) -> bool {
        self.content
    }

    /// Adds a stream delta's text to the completion.
    pub fn push_text(&mut self, text: &str) {
        if self.content {
            self.text.push_str(text);
        }
    }

    /// Sets the response id and model, when not set yet.
    pub fn set_ids(&mut self, id: &str, model: &str) {
        if self.id.is_none() && !id.is_empty() {
            self.id = Some(id.to_owned());
        }
        if self.model.is_none() && !model.is_empty() {
            self.model = Some(model.to_owned());
        }
    }

    /// Sets the completion, given whole as its text, when not set yet.
    pub fn set_output_text(&mut self, text: &str) {
        if self.content && self.output.is_none() {
            self.output =
                Some(serde_json::json!([{"role": "assistant", "content": text}]).to_string());
        }
    }

    /// Adds a finish reason.
    pub fn push_finish_reason(&mut self, reason: &str) {
        self.finish_reasons.push(reason.to_owned());
    }

    /// Sets the token counts and cost that are given (a later value replaces an earlier one).
    #[allow(clippy::too_many_arguments)]
    pub fn set_usage(
        &mut self,
        input: Option<i64>,
        output: Option<i64>,
        cache_read: Option<i64>,
        cache_creation: Option<i64>,
        reasoning: Option<i64>,
        cost: Option<f64>,
    ) {
        let set = |slot: &mut Option<i64>, v: Option<i64>| {
            if v.is_some() {
                *slot = v;
            }
        };
        set(&mut self.input_tokens, input);
        set(&mut self.output_tokens, output);
        set(&mut self.cache_read, cache_read);
        set(&mut self.cache_creation, cache_creation);
        set(&mut self.reasoning, reasoning);
        if cost.is_some() {
            self.cost = cost;
        }
    }

    /// Reads ids, finish reasons and usage from a JSON value shaped like a chat, `/responses`
    /// or `/messages` result (or one of their stream events' payloads), and, when the
    /// completion is wanted and the value carries it whole, the completion.
    pub fn merge_value(&mut self, value: serde_json::Value) {
        if self.content && self.output.is_none() {
            self.output = output_messages(&value);
        }
        if let Ok(peek) = serde_json::from_value::<Peek>(value) {
            self.merge(peek);
        }
    }

    fn merge(&mut self, peek: Peek) {
        self.set_ids(
            peek.id.as_deref().unwrap_or(""),
            peek.model.as_deref().unwrap_or(""),
        );
        for choice in peek.choices {
            if let Some(r) = choice.finish_reason {
                self.finish_reasons.push(r);
            }
        }
        if let Some(r) = peek.stop_reason.or(peek.status) {
            self.finish_reasons.push(r);
        }
        if let Some(u) = peek.usage {
            let detail =
                |d: &Option<Details>, f: fn(&Details) -> Option<i64>| d.as_ref().and_then(f);
            self.set_usage(
                u.prompt_tokens.or(u.input_tokens),
                u.completion_tokens.or(u.output_tokens),
                detail(&u.prompt_tokens_details, |d| d.cached_tokens)
                    .or(detail(&u.input_tokens_details, |d| d.cached_tokens))
                    .or(u.cache_read_input_tokens),
                detail(&u.prompt_tokens_details, |d| d.cache_write_tokens)
                    .or(u.cache_creation_input_tokens),
                detail(&u.completion_tokens_details, |d| d.reasoning_tokens)
                    .or(detail(&u.output_tokens_details, |d| d.reasoning_tokens)),
                u.cost,
            );
        }
    }

    /// Records everything known on `span`.
    pub(crate) fn record(&mut self, span: &Span) {
        if let Some(id) = &self.id {
            span.record("gen_ai.response.id", id.as_str());
        }
        if let Some(model) = &self.model {
            span.record("gen_ai.response.model", model.as_str());
        }
        if !self.finish_reasons.is_empty() {
            // The conventions' string array, as JSON text (what `tracing` can carry).
            let mut s = String::from("[");
            for (i, r) in self.finish_reasons.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                let _ = write!(s, "{}", serde_json::Value::String(r.clone()));
            }
            s.push(']');
            span.record("gen_ai.response.finish_reasons", s.as_str());
        }
        let int = |name: &str, v: Option<i64>| {
            if let Some(v) = v {
                span.record(name, v);
            }
        };
        int("gen_ai.usage.input_tokens", self.input_tokens);
        int("gen_ai.usage.output_tokens", self.output_tokens);
        int("gen_ai.usage.cache_read.input_tokens", self.cache_read);
        int(
            "gen_ai.usage.cache_creation.input_tokens",
            self.cache_creation,
        );
        int("openrouter.usage.reasoning_tokens", self.reasoning);
        if let Some(cost) = self.cost {
            span.record("openrouter.cost", cost);
        }
        if self.content {
            let output = self.output.take().or_else(|| {
                (!self.text.is_empty()).then(|| {
                    serde_json::json!([{"role": "assistant", "content": self.text}]).to_string()
                })
            });
            if let Some(output) = output {
                span.record("gen_ai.output.messages", output.as_str());
            }
        }
    }
}

/// The fields of a result a span records, read leniently (serde skips the rest).
#[derive(Deserialize, Default)]
struct Peek {
    id: Option<String>,
    model: Option<String>,
    #[serde(default)]
    choices: Vec<PeekChoice>,
    /// `/messages`.
    stop_reason: Option<String>,
    /// `/responses`.
    status: Option<String>,
    usage: Option<PeekUsage>,
}

#[derive(Deserialize)]
struct PeekChoice {
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct PeekUsage {
    prompt_tokens: Option<i64>,
    input_tokens: Option<i64>,
    completion_tokens: Option<i64>,
    output_tokens: Option<i64>,
    cost: Option<f64>,
    prompt_tokens_details: Option<Details>,
    input_tokens_details: Option<Details>,
    completion_tokens_details: Option<Details>,
    output_tokens_details: Option<Details>,
    cache_read_input_tokens: Option<i64>,
    cache_creation_input_tokens: Option<i64>,
}

#[derive(Deserialize)]
struct Details {
    cached_tokens: Option<i64>,
    cache_write_tokens: Option<i64>,
    reasoning_tokens: Option<i64>,
}

/// A stream's call span and what its events said; recorded when it is dropped (the stream
/// ended, or was dropped).
pub(crate) struct StreamTrace {
    pub(crate) span: Span,
    pub(crate) summary: TraceSummary,
}

/// What a stream's span needs while the stream runs; `None` (nothing done per event) when
/// the span is disabled.
pub(crate) fn stream_trace(span: SpanSlot, content: bool) -> Option<Box<StreamTrace>> {
    Some(Box::new(StreamTrace {
        span: span.into_span()?,
        summary: TraceSummary::new(content),
    }))
}

impl StreamTrace {
    /// Records a stream error on the span.
    pub(crate) fn failed(&self, error: &Error) {
        call_failed(&self.span, error);
    }
}

impl Drop for StreamTrace {
    fn drop(&mut self) {
        self.summary.record(&self.span);
    }
}
