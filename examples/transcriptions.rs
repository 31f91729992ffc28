//! Transcriptions: transcribe an audio file, uploaded as `multipart/form-data` with
//! `FilePart::path` (streamed from disk, re-opened on a retry), and print the text.
//!
//! Works with any API key in `OPENROUTER_API_KEY`; costs a little credit. The audio file comes
//! from `OPENROUTER_AUDIO_FILE` (mp3, wav, flac, ogg, m4a, ...), the model from
//! `OPENROUTER_STT_MODEL` (default `openai/whisper-large-v3`). Run with
//! `OPENROUTER_AUDIO_FILE=speech.mp3 cargo run --example transcriptions --features full`.
//!
//! Without `OPENROUTER_API_KEY` it runs offline on the SDK's canned answers, and says so first
//! (`openrouter_examples::client`).

use openrouter::types::transcriptions::CreateAudioTranscriptionsForm;
use openrouter::{Error, FilePart};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let client = openrouter_examples::client()?;
    // Offline, a few bytes in memory stand in for the file (`FilePart::bytes`).
    let (audio, file) = match var("OPENROUTER_AUDIO_FILE") {
        Some(path) => (path.clone(), FilePart::path(path)),
        None if openrouter_examples::is_offline() => (
            "offline.mp3".to_owned(),
            FilePart::bytes(&b"offline audio"[..]).file_name("offline.mp3"),
        ),
        None => {
            println!("Set OPENROUTER_AUDIO_FILE to an audio file to transcribe it.");
            return Ok(());
        }
    };

    let model = var("OPENROUTER_STT_MODEL").unwrap_or_else(|| "openai/whisper-large-v3".to_owned());
    let mut form = CreateAudioTranscriptionsForm::new(model);
    form.language = var("OPENROUTER_AUDIO_LANGUAGE"); // ISO-639-1, such as `en`; else detected.
                                                      // The format is derived from the file name's extension (or the part's content type).
    let transcript = client
        .transcriptions()
        .create(form)
        .file(file)
        .await
        .inspect_err(|e| report("create_transcription", e))?;

    println!("{audio}:");
    println!("{}", transcript.text);
    if let Some(usage) = &transcript.usage {
        println!("usage: {usage:?}");
    }
    Ok(())
}

fn report(what: &str, e: &Error) {
    match e.as_api() {
        Some(api) => eprintln!("{what} failed: {} {}", api.status(), api.message()),
        None => eprintln!("{what} failed: {e}"),
    }
}
