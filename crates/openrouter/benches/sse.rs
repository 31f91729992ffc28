//! Decoding throughput of a realistic chat completion stream.
//!
//! The input imitates what OpenRouter sends for a long answer: 1,500 `chat.completion.chunk`
//! events of one or two tokens each, `: OPENROUTER PROCESSING` keep-alives before the first
//! token and now and then after, a finish chunk, a usage chunk and `data: [DONE]`, cut into
//! network frames of 100 to 700 bytes. Each case decodes the same frames:
//!
//! - `typed/openrouter`: [`EventStream<ChatStreamChunk>`] over a body (framing, sentinel,
//!   mid-stream error check and typed JSON decoding);
//! - `typed/eventsource_stream`: `eventsource-stream` plus `serde_json::from_str` into the same
//!   `ChatStreamChunk` type;
//! - `framing/*`: the SSE framing alone (events with their data, no JSON);
//! - `json/*`: the JSON decoding alone, of the same events' data: `chat_stream_chunk` into the
//!   generated `ChatStreamChunk` (every field typed, unknown fields kept), `minimal` into a
//!   hand-written struct with only what a chat UI reads (id, each choice's delta content and
//!   finish reason, usage), unknown fields skipped; `derived` into hand-written structs with
//!   serde's derive and every field these chunks carry, typed as `ChatStreamChunk` types them
//!   (what decoding all of them costs with serde alone).
//!
//! Run with `cargo bench -p openrouter --bench sse`.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::LazyLock;
use std::task::{Context, Poll};

use bytes::Bytes;
use divan::counter::{BytesCount, ItemsCount};
use divan::Bencher;
use eventsource_stream::Eventsource;
use futures_util::{FutureExt, StreamExt};
use http_body::{Body, Frame};
use openrouter::sse::{EventStream, SseDecoder, SseItem};
use openrouter::types::chat::StreamChunk;

fn main() {
    // Check once that every case sees the whole stream.
    let input = &*INPUT;
    assert_eq!(run_openrouter(input.frames.clone()), input.chunks);
    assert_eq!(run_eventsource(input.frames.clone()), input.chunks);
    assert_eq!(framing_openrouter(&input.frames), input.events);
    assert_eq!(framing_eventsource(input.frames.clone()), input.events);
    assert_eq!(json_generated(&DATA), input.chunks);
    assert_eq!(json_minimal(&DATA), input.chunks);
    eprintln!(
        "input: {} bytes, {} frames, {} chunks",
        input.bytes,
        input.frames.len(),
        input.chunks
    );
    divan::main();
}

struct Input {
    frames: Vec<Bytes>,
    bytes: usize,
    /// JSON chunks, not counting `[DONE]`.
    chunks: usize,
    /// Events including `[DONE]`.
    events: usize,
}

const CHUNKS: usize = 1500;

static INPUT: LazyLock<Input> = LazyLock::new(|| {
    const WORDS: &[&str] = &[
        " the",
        " model",
        " streams",
        " tokens",
        ",",
        " one",
        " or",
        " two",
        " at",
        " a",
        " time",
        ".",
        " Rust",
        "'s",
        " \\\"serde\\\"",
        " decodes",
        " each",
        " chunk",
        "\\n",
        " quickly",
        " ü",
        "ber",
        " café",
        " 🚀",
    ];
    let head = r#"{"id":"gen-1730000000-AbCdEfGhIjKlMnOpQrSt","provider":"OpenAI","model":"openai/gpt-4o","object":"chat.completion.chunk","created":1730000000,"#;
    let mut out = String::new();
    out.push_str(": OPENROUTER PROCESSING\n\n: OPENROUTER PROCESSING\n\n");
    let mut chunks = 0;
    for i in 0..CHUNKS {
        if i > 0 && i % 250 == 0 {
            out.push_str(": OPENROUTER PROCESSING\n\n");
        }
        let role = if i == 0 { r#""role":"assistant","# } else { "" };
        let mut content = String::from(WORDS[i % WORDS.len()]);
        if i % 3 == 0 {
            content.push_str(WORDS[(i * 7 + 3) % WORDS.len()]);
        }
        out.push_str(&format!(
            "data: {head}\"choices\":[{{\"index\":0,\"delta\":{{{role}\"content\":\"{content}\"}},\"finish_reason\":null,\"native_finish_reason\":null,\"logprobs\":null}}],\"system_fingerprint\":\"fp_2f406b9113\"}}\n\n"
        ));
        chunks += 1;
    }
    out.push_str(&format!(
        "data: {head}\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"\"}},\"finish_reason\":\"stop\",\"native_finish_reason\":\"stop\",\"logprobs\":null}}],\"system_fingerprint\":\"fp_2f406b9113\"}}\n\n"
    ));
    out.push_str(&format!(
        "data: {head}\"choices\":[],\"usage\":{{\"prompt_tokens\":412,\"completion_tokens\":2013,\"total_tokens\":2425,\"cost\":0.0211,\"is_byok\":false,\"prompt_tokens_details\":{{\"cached_tokens\":0,\"audio_tokens\":0}},\"completion_tokens_details\":{{\"reasoning_tokens\":0,\"image_tokens\":0}}}}}}\n\n"
    ));
    chunks += 2;
    out.push_str("data: [DONE]\n\n");
    let bytes = out.into_bytes();

    // Network frames of 100 to 700 bytes, from a fixed pseudo-random sequence.
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut frames = Vec::new();
    let mut rest = &bytes[..];
    while !rest.is_empty() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let n = (100 + state % 601) as usize;
        let n = n.min(rest.len());
        frames.push(Bytes::copy_from_slice(&rest[..n]));
        rest = &rest[n..];
    }
    Input {
        bytes: bytes.len(),
        frames,
        chunks,
        events: chunks + 1,
    }
});

/// A body that is always ready with the next frame.
struct FramesBody(std::vec::IntoIter<Bytes>);

impl Body for FramesBody {
    type Data = Bytes;
    type Error = openrouter_transport::TransportError;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        Poll::Ready(self.get_mut().0.next().map(|b| Ok(Frame::data(b))))
    }
}

fn run_openrouter(frames: Vec<Bytes>) -> usize {
    let mut stream = EventStream::<StreamChunk, _>::new(FramesBody(frames.into_iter()));
    let mut n = 0;
    while let Some(item) = stream.next().now_or_never().expect("always ready") {
        divan::black_box(item.expect("valid chunk"));
        n += 1;
    }
    n
}

fn run_eventsource(frames: Vec<Bytes>) -> usize {
    let mut stream =
        futures_util::stream::iter(frames.into_iter().map(Ok::<_, Infallible>)).eventsource();
    let mut n = 0;
    while let Some(event) = stream.next().now_or_never().expect("always ready") {
        let event = event.expect("valid event");
        if event.data == "[DONE]" {
            break;
        }
        let chunk: StreamChunk = serde_json::from_str(&event.data).expect("valid chunk");
        divan::black_box(chunk);
        n += 1;
    }
    n
}

fn framing_openrouter(frames: &[Bytes]) -> usize {
    let mut decoder = SseDecoder::new();
    let mut n = 0;
    for frame in frames {
        decoder.push(frame);
        for item in decoder.by_ref() {
            if let SseItem::Event(event) = item.expect("valid UTF-8") {
                divan::black_box(event);
                n += 1;
            }
        }
    }
    n
}

fn framing_eventsource(frames: Vec<Bytes>) -> usize {
    let mut stream =
        futures_util::stream::iter(frames.into_iter().map(Ok::<_, Infallible>)).eventsource();
    let mut n = 0;
    while let Some(event) = stream.next().now_or_never().expect("always ready") {
        divan::black_box(event.expect("valid event"));
        n += 1;
    }
    n
}

/// The data of every JSON event of the input.
static DATA: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut decoder = SseDecoder::new();
    let mut out = Vec::new();
    for frame in &INPUT.frames {
        decoder.push(frame);
        for item in decoder.by_ref() {
            if let SseItem::Event(event) = item.expect("valid UTF-8") {
                if event.data != "[DONE]" {
                    out.push(event.data);
                }
            }
        }
    }
    out
});

/// What a chat UI reads of a chunk, and nothing else.
#[derive(serde::Deserialize)]
struct MinimalChunk {
    #[allow(dead_code)]
    id: String,
    choices: Vec<MinimalChoice>,
    #[serde(default)]
    #[allow(dead_code)]
    usage: Option<MinimalUsage>,
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct MinimalChoice {
    delta: MinimalDelta,
    finish_reason: Option<String>,
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct MinimalDelta {
    #[serde(default)]
    content: Option<String>,
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct MinimalUsage {
    prompt_tokens: i64,
    completion_tokens: i64,
    total_tokens: i64,
    #[serde(default)]
    cost: Option<f64>,
}

/// Every field these chunks carry, typed as `ChatStreamChunk` types them, with serde's derive
/// and nothing else: no unknown-field maps, no decode-issue records, no lenient mode. What
/// decoding every field costs with serde alone, to tell that cost from the generated code's.
#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct DerivedChunk {
    id: String,
    provider: Option<String>,
    model: String,
    object: DerivedObject,
    created: i64,
    choices: Vec<DerivedChoice>,
    system_fingerprint: Option<String>,
    #[serde(default)]
    usage: Option<Box<DerivedUsage>>,
}

#[derive(serde::Deserialize)]
enum DerivedObject {
    #[serde(rename = "chat.completion.chunk")]
    ChatCompletionChunk,
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct DerivedChoice {
    index: i64,
    delta: DerivedDelta,
    finish_reason: Option<String>,
    native_finish_reason: Option<String>,
    logprobs: Option<serde_json::Value>,
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct DerivedDelta {
    #[serde(default)]
    role: Option<String>,
    #[serde(default)]
    content: Option<String>,
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct DerivedUsage {
    prompt_tokens: i64,
    completion_tokens: i64,
    total_tokens: i64,
    cost: Option<f64>,
    is_byok: Option<bool>,
    prompt_tokens_details: Option<DerivedPromptDetails>,
    completion_tokens_details: Option<DerivedCompletionDetails>,
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct DerivedPromptDetails {
    cached_tokens: Option<i64>,
    audio_tokens: Option<i64>,
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct DerivedCompletionDetails {
    reasoning_tokens: Option<i64>,
    image_tokens: Option<i64>,
}

fn json_derived(data: &[String]) -> usize {
    for d in data {
        divan::black_box(serde_json::from_str::<DerivedChunk>(d).expect("valid chunk"));
    }
    data.len()
}

fn json_generated(data: &[String]) -> usize {
    for d in data {
        divan::black_box(serde_json::from_str::<StreamChunk>(d).expect("valid chunk"));
    }
    data.len()
}

fn json_minimal(data: &[String]) -> usize {
    for d in data {
        let chunk = serde_json::from_str::<MinimalChunk>(d).expect("valid chunk");
        divan::black_box(chunk.choices.len());
        divan::black_box(chunk);
    }
    data.len()
}

fn counted<'a, 'b>(bencher: Bencher<'a, 'b>) -> Bencher<'a, 'b> {
    let input = &*INPUT;
    bencher
        .counter(BytesCount::new(input.bytes))
        .counter(ItemsCount::new(input.chunks))
}

mod typed {
    use super::*;

    #[divan::bench]
    fn openrouter(bencher: Bencher<'_, '_>) {
        counted(bencher)
            .with_inputs(|| INPUT.frames.clone())
            .bench_local_values(run_openrouter);
    }

    #[divan::bench]
    fn eventsource_stream(bencher: Bencher<'_, '_>) {
        counted(bencher)
            .with_inputs(|| INPUT.frames.clone())
            .bench_local_values(run_eventsource);
    }
}

mod framing {
    use super::*;

    #[divan::bench]
    fn openrouter(bencher: Bencher<'_, '_>) {
        counted(bencher).bench_local(|| framing_openrouter(&INPUT.frames));
    }

    #[divan::bench]
    fn eventsource_stream(bencher: Bencher<'_, '_>) {
        counted(bencher)
            .with_inputs(|| INPUT.frames.clone())
            .bench_local_values(framing_eventsource);
    }
}

mod json {
    use super::*;

    #[divan::bench]
    fn chat_stream_chunk(bencher: Bencher<'_, '_>) {
        counted(bencher).bench_local(|| json_generated(&DATA));
    }

    #[divan::bench]
    fn derived(bencher: Bencher<'_, '_>) {
        counted(bencher).bench_local(|| json_derived(&DATA));
    }

    #[divan::bench]
    fn minimal(bencher: Bencher<'_, '_>) {
        counted(bencher).bench_local(|| json_minimal(&DATA));
    }
}
