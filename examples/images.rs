//! Images: list the image models and one model's endpoints; generate an image when
//! `OPENROUTER_IMAGE_MODEL` is set (generation costs credits, so it is opt-in).
//!
//! Works with any API key in `OPENROUTER_API_KEY`. Run with `cargo run --example images`.

use openrouter::types::generated::ImageGenerationRequest;
use openrouter::{Client, Error};

#[tokio::main]
async fn main() -> Result<(), Error> {
    if std::env::var("OPENROUTER_API_KEY").map_or(true, |k| k.trim().is_empty()) {
        println!("Set OPENROUTER_API_KEY to run this example against the OpenRouter API.");
        return Ok(());
    }
    let client = Client::from_env()?;
    let images = client.images();

    let models = images
        .list_models()
        .await
        .inspect_err(|e| report("list_models", e))?;
    println!("{} image models", models.data.len());
    for model in models.data.iter().take(5) {
        println!("  {:<40} streaming {}", model.id, model.supports_streaming);
    }

    // Endpoints are addressed by the two halves of the model id.
    if let Some((author, slug)) = models.data.first().and_then(|m| m.id.split_once('/')) {
        match images.list_model_endpoints(author, slug).await {
            Ok(endpoints) => {
                for endpoint in &endpoints.endpoints {
                    println!("  {} served by {}", endpoints.id, endpoint.provider_name);
                }
            }
            Err(e) => report("list_model_endpoints", &e),
        }
    }

    let Ok(model) = std::env::var("OPENROUTER_IMAGE_MODEL") else {
        println!("Set OPENROUTER_IMAGE_MODEL to also generate an image.");
        return Ok(());
    };
    let mut request =
        ImageGenerationRequest::new(model, "A small red crab reading a book, flat illustration");
    request.n = Some(1);
    match images.create(request).await {
        Ok(result) => {
            for image in &result.data {
                // `b64_json` is the image itself, base64-encoded.
                println!(
                    "image: {:?}, {} base64 bytes",
                    image.media_type,
                    image.b64_json.len()
                );
            }
            if let Some(usage) = &result.usage {
                println!("cost {:?}", usage.cost);
            }
        }
        Err(e) => report("generate", &e),
    }
    Ok(())
}

fn report(what: &str, e: &Error) {
    match e.as_api() {
        Some(api) => eprintln!("{what} failed: {} {}", api.status(), api.message()),
        None => eprintln!("{what} failed: {e}"),
    }
}
