//! OAuth: the public keys OpenRouter signs access tokens with, and the last step of the PKCE
//! flow, exchanging an authorization code for a user's API key.
//!
//! Works with any API key in `OPENROUTER_API_KEY`. The exchange runs only when
//! `OPENROUTER_OAUTH_CODE` (and, for S256, `OPENROUTER_OAUTH_CODE_VERIFIER`) hold a code from
//! the redirect to your callback URL. Run with `cargo run --example oauth --features full`.
//!
//! Without `OPENROUTER_API_KEY` it runs offline on the SDK's canned answers, and says so first
//! (`openrouter_examples::client`).

use openrouter::types::oauth::{
    ExchangeApiKeyRequestCodeChallengeMethod as Method, ExchangeAuthCodeForApiKeyRequest,
};
use openrouter::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = openrouter_examples::client()?;

    match client.oauth().list_jwks().await {
        Ok(jwks) => {
            for key in &jwks.keys {
                println!(
                    "signing key {} ({} {} {}, use {})",
                    key.kid, key.kty, key.crv, key.alg, key.r#use
                );
            }
        }
        Err(e) => report("list_oauth_jwks", &e),
    }

    let Some(code) = openrouter_examples::var_or_offline("OPENROUTER_OAUTH_CODE", "offline-code")
    else {
        println!("Set OPENROUTER_OAUTH_CODE to exchange an authorization code for an API key.");
        return Ok(());
    };
    let mut request = ExchangeAuthCodeForApiKeyRequest::new(code);
    if let Ok(verifier) = std::env::var("OPENROUTER_OAUTH_CODE_VERIFIER") {
        request.code_verifier = Some(verifier);
        request.code_challenge_method = Some(Method::S256);
    }
    match client.oauth().exchange_auth_code_for_api_key(request).await {
        // The key belongs to the user who authorized your app: store it, never print it.
        Ok(issued) => println!(
            "issued a key ({} characters) for user {:?}",
            issued.key.len(),
            issued.user_id
        ),
        Err(e) => report("exchange_auth_code_for_api_key", &e),
    }
    Ok(())
}

fn report(what: &str, e: &Error) {
    match e.as_api() {
        Some(api) => eprintln!("{what} failed: {} {}", api.status(), api.message()),
        None => eprintln!("{what} failed: {e}"),
    }
}
