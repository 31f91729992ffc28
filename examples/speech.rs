//! Speech: synthesize a sentence and write the audio, as it arrives, to `speech.mp3` (or
//! `speech.pcm`) with `Download::write_to_file`.
//!
//! Works with any API key in `OPENROUTER_API_KEY`; costs a little credit. The model comes from
//! `OPENROUTER_TTS_MODEL` (default `openai/gpt-4o-mini-tts`), the voice from
//! `OPENROUTER_TTS_VOICE` (default `alloy`). Run with `cargo run --example speech --features full`.
//!
//! Without `OPENROUTER_API_KEY` it runs offline on the SDK's canned answers, and says so first
//! (`openrouter_examples::client`).

use openrouter::types::speech::{SpeechRequest, SpeechRequestResponseFormat};
use openrouter::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = openrouter_examples::client()?;
    let var = |name: &str, default: &str| {
        std::env::var(name)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| default.to_owned())
    };

    let mut request = SpeechRequest::new(
        var("OPENROUTER_TTS_MODEL", "openai/gpt-4o-mini-tts"),
        "Hello from the OpenRouter Rust SDK.",
    );
    request.voice = Some(var("OPENROUTER_TTS_VOICE", "alloy"));
    let format = SpeechRequestResponseFormat::Mp3;
    let path = openrouter_examples::output_path(&format!("speech.{format}"));
    request.response_format = Some(format);

    // The answer is a `Download`: a stream of bytes, here written to a file as it arrives.
    let audio = client
        .speech()
        .create(request)
        .await
        .inspect_err(|e| report("create_speech", e))?;
    let content_type = audio.content_type().unwrap_or("unknown").to_owned();
    let written = audio
        .write_to_file(&path)
        .await
        .inspect_err(|e| report("write", e))?;
    println!(
        "wrote {written} bytes of {content_type} to {}",
        path.display()
    );
    Ok(())
}

fn report(what: &str, e: &Error) {
    match e.as_api() {
        Some(api) => eprintln!("{what} failed: {} {}", api.status(), api.message()),
        None => eprintln!("{what} failed: {e}"),
    }
}
