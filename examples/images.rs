//! Images: list the image models and one model's endpoints; generate an image when
//! `OPENROUTER_IMAGE_MODEL` is set (generation costs credits, so it is opt-in).
//!
//! Works with any API key in `OPENROUTER_API_KEY`. Run with `cargo run --example images --features full`.
//!
//! Without `OPENROUTER_API_KEY` it runs offline on the SDK's canned answers, and says so first
//! (`openrouter_examples::client`).

use openrouter::types::images::ImageGenerationRequest;
use openrouter::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = openrouter_examples::client()?;
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

    let Some(model) = openrouter_examples::var_or_offline(
        "OPENROUTER_IMAGE_MODEL",
        "bytedance-seed/seedream-4.5",
    ) else {
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
