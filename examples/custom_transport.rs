//! A custom transport: wrap the default one to log every request (without its key), and swap
//! the network out in a test.
//!
//! Run with `cargo run --example custom_transport` (offline unless `OPENROUTER_API_KEY` is set);
//! `cargo test --example custom_transport` runs the test at the bottom.

use std::time::Instant;

use openrouter::transport::{RequestBody, Transport, TransportFuture};
use openrouter::Client;

/// Logs method, path, status and latency of each attempt, then delegates.
#[derive(Debug)]
struct Logging<T> {
    inner: T,
}

impl<T: Transport> Transport for Logging<T> {
    fn send(&self, request: http::Request<RequestBody>) -> TransportFuture<'_> {
        let line = format!("{} {}", request.method(), request.uri().path());
        let started = Instant::now();
        let sent = self.inner.send(request);
        Box::pin(async move {
            let result = sent.await;
            match &result {
                Ok(r) => eprintln!(
                    "[transport] {line} -> {} in {:?}",
                    r.status(),
                    started.elapsed()
                ),
                Err(e) => eprintln!("[transport] {line} -> error: {e}"),
            }
            result
        })
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), openrouter::Error> {
    let client = match openrouter_examples::var("OPENROUTER_API_KEY") {
        Some(_) => {
            println!("Using the OpenRouter API (OPENROUTER_API_KEY is set), logging the default transport.");
            let inner = openrouter::transport::HyperTransport::new().map_err(|e| {
                openrouter::Error::Config(openrouter::ConfigError::from_message(e.to_string()))
            })?;
            openrouter::ClientBuilder::from_env()?
                .transport(Logging { inner })
                .build()?
        }
        None => {
            println!("Offline mode: OPENROUTER_API_KEY is not set; logging the built-in offline transport.");
            Client::builder()
                .transport(Logging {
                    inner: openrouter::offline::OfflineTransport::new(),
                })
                .build()?
        }
    };
    let credits = client.credits().get().await;
    println!(
        "credits call: {}",
        if credits.is_ok() {
            "ok"
        } else {
            "failed (see the log)"
        }
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use openrouter::transport::test_util::{CannedResponse, RecordingTransport};

    /// Code under test gets a client whose transport records requests and answers from a script.
    #[tokio::test]
    async fn sends_the_key_and_reads_credits() {
        let transport = RecordingTransport::fixed(CannedResponse::json(
            200,
            r#"{"data":{"total_credits":5,"total_usage":1.5}}"#,
        ));
        let client = openrouter::Client::builder()
            .api_key("sk-or-v1-test")
            .transport(transport.clone())
            .build()
            .unwrap();
        let credits = client.credits().get().await.unwrap();
        assert_eq!(credits.data.total_usage, 1.5);
        let sent = transport.last_request().unwrap();
        assert_eq!(sent.uri().path(), "/api/v1/credits");
        assert_eq!(sent.header("authorization"), Some("Bearer sk-or-v1-test"));
    }
}
