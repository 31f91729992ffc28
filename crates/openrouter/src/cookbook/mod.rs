//! Recipes: whole tasks, start to end, with the types and calls they need.
//!
//! Each page is one task. The snippets are doc tests: those that can run without a network
//! answer from a test transport (the hidden lines, `#`, build a client on
//! `openrouter::transport::test_util::FnTransport` (feature `test-util`) or
//! [`OfflineTransport`](crate::offline::OfflineTransport) with canned OpenRouter answers) and
//! run on every `cargo test`; those that need the real API are compiled only (`no_run`). In
//! your code, build the client with [`Client::from_env`](crate::Client::from_env) instead.
//!
//! | recipe | what it shows |
//! | --- | --- |
//! | [`tool_calling`] | local tools from Rust functions and the loop run for you (`run_tools`, whole or streamed); the loop by hand |
//! | [`structured_output`] | a JSON schema as `response_format`, and reading the answer into your type |
//! | [`streaming`] | printing a stream as it arrives and assembling it with [`ChatAccumulator`](crate::sse::ChatAccumulator) |
//! | [`multimodal`] | images, PDFs and other files, and audio as input |
//! | [`routing`] | model fallbacks (`models`) and provider preferences (`provider`) |
//! | [`reasoning`] | the `reasoning` config, and `reasoning_details` kept across turns |
//! | [`prompt_caching`] | `cache_control` on a request and on a content part; OpenRouter's response cache and telling a hit |
//! | [`errors_and_retries`] | matching [`Error`](crate::Error), `retry_after`, per-call [`RetryConfig`](crate::RetryConfig), timeouts |
//! | [`testing`] | testing your application with the test transports, and record/replay cassettes |
//! | [`tracing`] | spans after the OpenTelemetry GenAI conventions, exporting them, recording prompts and completions |
//!
//! Where to find the rest: the types of every API group are listed under
//! [`types`](crate::types) (`types::chat`, `types::embeddings`, ...), and the README's table
//! lists every group's methods (`client.<group>().<method>(...)`).

#[doc = include_str!("tool_calling.md")]
pub mod tool_calling {}

#[doc = include_str!("structured_output.md")]
pub mod structured_output {}

#[doc = include_str!("streaming.md")]
pub mod streaming {}

#[doc = include_str!("multimodal.md")]
pub mod multimodal {}

#[doc = include_str!("routing.md")]
pub mod routing {}

#[doc = include_str!("reasoning.md")]
pub mod reasoning {}

#[doc = include_str!("prompt_caching.md")]
pub mod prompt_caching {}

#[doc = include_str!("errors_and_retries.md")]
pub mod errors_and_retries {}

#[doc = include_str!("testing.md")]
pub mod testing {}

#[doc = include_str!("tracing.md")]
pub mod tracing {}
