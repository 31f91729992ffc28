//! Header names the client sends or reads, in one place.

use http::header::HeaderName;

/// App attribution: the app's URL.
pub const HTTP_REFERER: HeaderName = HeaderName::from_static("http-referer");
/// App attribution: the app's name.
pub const X_OPENROUTER_TITLE: HeaderName = HeaderName::from_static("x-openrouter-title");
/// App attribution: comma-separated categories such as `cli-agent`.
pub const X_OPENROUTER_CATEGORIES: HeaderName = HeaderName::from_static("x-openrouter-categories");
/// Asks for `openrouter_metadata` in chat, responses and messages results.
pub const X_OPENROUTER_METADATA: HeaderName = HeaderName::from_static("x-openrouter-metadata");
/// The id of a generation; `GET /generation?id=` returns its cost afterwards.
pub const X_GENERATION_ID: HeaderName = HeaderName::from_static("x-generation-id");
/// A request id set by the server or its edge.
pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
/// The edge's request id, used when `x-request-id` is absent.
pub const CF_RAY: HeaderName = HeaderName::from_static("cf-ray");
/// Milliseconds to wait before retrying.
pub const RETRY_AFTER_MS: HeaderName = HeaderName::from_static("retry-after-ms");
/// Rate limit: requests allowed in the window.
pub const X_RATELIMIT_LIMIT: HeaderName = HeaderName::from_static("x-ratelimit-limit");
/// Rate limit: requests left in the window.
pub const X_RATELIMIT_REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-remaining");
/// Rate limit: when the window resets (epoch milliseconds).
pub const X_RATELIMIT_RESET: HeaderName = HeaderName::from_static("x-ratelimit-reset");
/// Response cache (beta): `true` asks OpenRouter to answer a repeated request from its cache
/// (`Call::response_cache`).
pub const X_OPENROUTER_CACHE: HeaderName = HeaderName::from_static("x-openrouter-cache");
/// Response cache: in a request, how long to keep its answer, in seconds (1 to 86,400, 300 by
/// default; `Call::response_cache_ttl`); in a response, how long the cached answer lives.
pub const X_OPENROUTER_CACHE_TTL: HeaderName = HeaderName::from_static("x-openrouter-cache-ttl");
/// Response cache: whether the answer came from the cache (`HIT`) or not (`MISS`)
/// (`ResponseMeta::cache_status`).
pub const X_OPENROUTER_CACHE_STATUS: HeaderName =
    HeaderName::from_static("x-openrouter-cache-status");
/// Makes a repeated request return what the first one did (`Call::idempotency_key`); a call
/// that carries it may be retried after a failure that may have reached the server.
pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");

/// Whether a header carries a credential, and so is marked sensitive (hidden from `Debug`)
/// when a caller sets it by name (`Call::header`, `ClientBuilder::default_header`).
pub(crate) fn is_sensitive(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "authorization" | "proxy-authorization" | "cookie" | "x-api-key" | "api-key"
    )
}

/// The `Content-Type` of a response, when it is text.
pub(crate) fn content_type(headers: &http::HeaderMap) -> Option<&str> {
    headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
}

/// Whether a content type is `text/event-stream` (media types are case-insensitive, and may
/// carry parameters).
pub(crate) fn is_event_stream(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case("text/event-stream")
}
