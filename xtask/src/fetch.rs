//! `cargo xtask fetch-spec`: downloads OpenRouter's current OpenAPI document, so that a clone with
//! no spec snapshot beside it can run the tests that read the spec.
//!
//! It goes through the SDK's own transport (`openrouter-transport`'s `HyperTransport`: rustls
//! with Mozilla's roots, the proxy variables of the environment), so no other HTTP stack is
//! built for it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use openrouter_transport::{http, HyperTransport, RequestBody, Transport};

/// Where OpenRouter publishes its OpenAPI document.
pub const DEFAULT_URL: &str = "https://openrouter.ai/openapi.json";

/// The whole download (every redirect and the body) must finish within this.
const TIMEOUT: Duration = Duration::from_secs(120);
const MAX_REDIRECTS: usize = 5;
/// The spec is a few MiB; anything much larger is not it.
const MAX_BYTES: usize = 256 << 20;

/// The default output: `target/openapi.json` in the workspace, one of the paths the tests look at.
pub fn default_out(workspace_root: &Path) -> PathBuf {
    workspace_root.join("target/openapi.json")
}

/// `fetch-spec [--url URL] [--out PATH]`.
pub fn run(args: &[String], workspace_root: &Path) -> Result<(), String> {
    let mut url = DEFAULT_URL.to_owned();
    let mut out = default_out(workspace_root);
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--url" => url = it.next().ok_or("--url needs a URL")?.clone(),
            "--out" => out = it.next().ok_or("--out needs a path")?.into(),
            other => return Err(format!("fetch-spec: unknown argument `{other}`")),
        }
    }
    let started = std::time::Instant::now();
    let body = download(&url)?;
    let summary = check_spec(&body).map_err(|e| format!("fetch-spec: {url}: {e}"))?;
    write_atomically(&out, &body)?;
    eprintln!(
        "fetch-spec: wrote {} ({} KiB, {summary}) from {url} ({:.1?})",
        out.display(),
        body.len() / 1024,
        started.elapsed()
    );
    Ok(())
}

/// The body of a `GET url` that ends in `200 OK`, following redirects.
fn download(url: &str) -> Result<Vec<u8>, String> {
    let transport = HyperTransport::builder()
        .connect_timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| format!("fetch-spec: cannot set up HTTP: {e}"))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("fetch-spec: cannot start a runtime: {e}"))?;
    runtime.block_on(async {
        match tokio::time::timeout(TIMEOUT, get_following_redirects(&transport, url)).await {
            Ok(result) => result,
            Err(_) => Err(format!(
                "fetch-spec: {url}: no complete answer within {TIMEOUT:?}"
            )),
        }
    })
}

async fn get_following_redirects(transport: &HyperTransport, url: &str) -> Result<Vec<u8>, String> {
    let mut uri: http::Uri = url
        .parse()
        .map_err(|e| format!("fetch-spec: `{url}` is not a URL: {e}"))?;
    for _ in 0..=MAX_REDIRECTS {
        let request = http::Request::get(uri.clone())
            .header(http::header::ACCEPT, "application/json")
            .header(http::header::USER_AGENT, "openrouter-rs-xtask/fetch-spec")
            .body(RequestBody::empty())
            .map_err(|e| format!("fetch-spec: {uri}: {e}"))?;
        let response = transport
            .send(request)
            .await
            .map_err(|e| format!("fetch-spec: GET {uri} failed: {}", chain(&e)))?;
        let status = response.status();
        if status.is_redirection() {
            let location = response
                .headers()
                .get(http::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| format!("fetch-spec: GET {uri}: {status} without a Location"))?;
            uri = resolve(&uri, location)?;
            continue;
        }
        let body = response.into_body().collect().await.map_err(|e| {
            format!(
                "fetch-spec: GET {uri}: reading the body failed: {}",
                chain(&e)
            )
        })?;
        if status != http::StatusCode::OK {
            let head = String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned();
            return Err(format!(
                "fetch-spec: GET {uri} answered {status}, not 200 OK; nothing written. Body: {head}"
            ));
        }
        if body.len() > MAX_BYTES {
            return Err(format!(
                "fetch-spec: GET {uri}: {} bytes is too large for the spec",
                body.len()
            ));
        }
        return Ok(body.to_vec());
    }
    Err(format!(
        "fetch-spec: {url}: more than {MAX_REDIRECTS} redirects"
    ))
}

/// An error and its sources, `: `-separated (the transport's own message is short).
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text = format!("{text}: {s}");
        source = s.source();
    }
    text
}

/// A redirect's `Location`, absolute or relative to the request's origin.
fn resolve(base: &http::Uri, location: &str) -> Result<http::Uri, String> {
    let bad = |e: &dyn std::fmt::Display| format!("fetch-spec: bad redirect `{location}`: {e}");
    let target: http::Uri = location.parse().map_err(|e| bad(&e))?;
    if target.scheme().is_some() {
        return Ok(target);
    }
    if !location.starts_with('/') {
        return Err(bad(&"only absolute URLs and absolute paths are followed"));
    }
    let mut parts = base.clone().into_parts();
    parts.path_and_query = target.path_and_query().cloned();
    http::Uri::from_parts(parts).map_err(|e| bad(&e))
}

/// Checks that `body` is an OpenAPI document in JSON; returns a short description of it.
pub fn check_spec(body: &[u8]) -> Result<String, String> {
    let doc: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        let head = String::from_utf8_lossy(&body[..body.len().min(120)]).into_owned();
        format!("the body is not JSON ({e}); it starts with {head:?}; nothing written")
    })?;
    let version = doc.get("openapi").and_then(|v| v.as_str()).ok_or(
        "the body is JSON but not an OpenAPI document (no `openapi` field); nothing written",
    )?;
    let api_version = doc
        .pointer("/info/version")
        .and_then(|v| v.as_str())
        .unwrap_or("?");
    let operations = doc
        .get("paths")
        .and_then(|p| p.as_object())
        .map_or(0, |paths| {
            paths
                .values()
                .filter_map(|item| item.as_object())
                .flat_map(|item| item.keys())
                .filter(|k| {
                    matches!(
                        k.as_str(),
                        "get" | "put" | "post" | "delete" | "patch" | "head" | "options" | "trace"
                    )
                })
                .count()
        });
    Ok(format!(
        "OpenAPI {version}, API version {api_version}, {operations} operations"
    ))
}

/// Writes through a temporary file beside `path`, so a failed download never leaves half a spec.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("fetch-spec: cannot create {}: {e}", dir.display()))?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".partial");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, bytes)
        .map_err(|e| format!("fetch-spec: cannot write {}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        format!(
            "fetch-spec: cannot move {} to {}: {e}",
            tmp.display(),
            path.display()
        )
    })
}
