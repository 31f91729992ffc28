//! Record and replay: a test of your code that calls OpenRouter, run against the real API once
//! to record the answers into a file (a cassette), then offline from that file, in CI, with no
//! key and no network.
//!
//! Run with `cargo run --example record_replay --features record`.
//!
//! - With `OPENROUTER_API_KEY` set, the chat call goes to OpenRouter and is recorded, through
//!   `record_or_replay`, into `record_replay.cassette.json` in the current directory (replaced
//!   if it exists).
//! - Without it, the example records the SDK's built-in offline transport instead (canned
//!   answers), into the temporary directory, with a made-up key on the client.
//!
//! Either way it then replays the call from the file with no network and no key, shows that the
//! replayed answer is the recorded one, that a request the cassette does not hold fails, and
//! that neither the key nor any request header is in the file.
//!
//! In your own tests one call does both: `record_or_replay(path, "OPENROUTER_API_KEY", real)`
//! records through `real()` when the variable is set and replays the file otherwise
//! (`openrouter::cookbook::testing`). Commit the cassette.

use std::sync::Arc;

use openrouter::offline::OfflineTransport;
use openrouter::transport::test_util::{record_or_replay, CassettePlayer, CassetteRecorder};
use openrouter::transport::{HyperTransport, SharedTransport};
use openrouter::types::chat::{ChatRequest, Message};
use openrouter::{Client, Error};

/// The code under test: one chat call, kept deterministic (fixed model and prompt, temperature
/// 0) so that a replayed request matches the recorded one.
async fn capital(client: &Client, country: &str) -> Result<String, Error> {
    let request = ChatRequest::new(
        "openai/gpt-4o-mini",
        vec![Message::user(format!(
            "What is the capital of {country}? One word."
        ))],
    )
    .temperature(0.0);
    Ok(client.chat().create(request).await?.text().into_owned())
}

/// The key of the offline run: never sent anywhere, and never written to the cassette.
const MADE_UP_KEY: &str = "sk-or-v1-record-replay-example-made-up-key";

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = openrouter_examples::output_path("record_replay.cassette.json");
    let key = openrouter_examples::var("OPENROUTER_API_KEY");

    // 1. Record. With the key set, `record_or_replay` records (it replays only without it).
    let recorder = match key {
        Some(_) => record_or_replay(&path, "OPENROUTER_API_KEY", HyperTransport::new)?,
        None => SharedTransport::new(CassetteRecorder::new(&path, OfflineTransport::new())),
    };
    // Prints first whether it runs offline; offline, the recorder replaces the offline
    // transport (and wraps it) and the client carries a made-up key.
    let client = openrouter_examples::client_with(|builder| {
        let builder = builder.transport(recorder);
        if key.is_none() {
            builder.api_key(MADE_UP_KEY)
        } else {
            builder
        }
    })?;
    let recorded = capital(&client, "France").await?;
    println!("Recorded:  {recorded:?}");
    println!("Cassette:  {}", path.display());

    // 2. Replay, as CI does: the cassette answers, no key, no network.
    let player = Arc::new(CassettePlayer::open(&path)?);
    let offline = Client::builder().transport(player.clone()).build()?;
    let replayed = capital(&offline, "France").await?;
    println!("Replayed:  {replayed:?}");
    assert_eq!(
        replayed, recorded,
        "the replayed answer is the recorded one"
    );
    assert_eq!(player.remaining(), 0, "the one recording was played");

    // A request the cassette does not hold is an error, not a network call.
    let other = ChatRequest::new(
        "openai/gpt-4o-mini",
        vec![Message::user("What is the capital of Italy? One word.")],
    )
    .temperature(0.0);
    match offline.chat().create(other).no_retry().await {
        Ok(result) => return Err(format!("unexpected answer: {:?}", result.text()).into()),
        Err(e) => {
            // The error's sources say why: the cassette has no recording for this request.
            let mut why = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                why = format!("{why}: {s}");
                source = s.source();
            }
            println!("Not recorded, so it fails: {why}");
        }
    }

    // 3. What the file holds: the exchange, redacted.
    let text = std::fs::read_to_string(&path)?;
    let cassette: serde_json::Value = serde_json::from_str(&text)?;
    let exchanges = cassette["exchanges"].as_array().map_or(0, Vec::len);
    let used_key = key.as_deref().unwrap_or(MADE_UP_KEY);
    assert_eq!(exchanges, 1, "one exchange recorded");
    assert!(!text.contains(used_key), "the key is not in the cassette");
    assert!(
        !text.to_ascii_lowercase().contains("authorization"),
        "no request header is recorded"
    );
    println!(
        "The cassette ({} bytes) holds {exchanges} exchange and neither the key nor the \
         Authorization header.",
        text.len()
    );
    Ok(())
}
