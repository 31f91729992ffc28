//! Generated operation methods: paths, queries, bodies, and pagination across pages.

use futures_util::StreamExt;
use openrouter::types::generated::{ListBatchesQuery, ListWorkspacesQuery, TokenExchangeRequest};
use openrouter::RetryConfig;
use serde_json::json;

use crate::support::{client, ms, Reply, Server};

fn workspace(id: usize) -> serde_json::Value {
    json!({
        "id": format!("ws-{id}"), "name": format!("w{id}"), "slug": format!("w{id}"),
        "created_at": "2026-01-01T00:00:00Z", "default_guardrail_id": "g",
        "io_logging_sampling_rate": 1.0, "is_data_discount_logging_enabled": false,
        "is_observability_broadcast_enabled": false, "is_observability_io_logging_enabled": false
    })
}

/// A page of workspaces `from..to` out of `total`.
fn workspaces_page(from: usize, to: usize, total: usize) -> Reply {
    let data: Vec<_> = (from..to).map(workspace).collect();
    Reply::json(200, json!({"data": data, "total_count": total}).to_string())
}

fn meta() -> serde_json::Value {
    json!({"as_of": "2026-01-01", "start_date": "2026-01-01", "end_date": "2026-01-02", "version": "v1"})
}

fn app(id: i64) -> serde_json::Value {
    json!({"app_id": id, "app_name": "a", "rank": id, "total_requests": 1, "total_tokens": "1"})
}

fn batch(id: &str) -> serde_json::Value {
    json!({
        "id": id, "object": "batch", "endpoint": "/v1/chat/completions", "model": "m",
        "completion_window": "24h", "created_at": 1, "status": "completed",
        "request_counts": {"total": 1, "completed": 1, "failed": 0}
    })
}

#[tokio::test]
async fn offset_pagination_walks_pages_until_the_total() {
    let server = Server::with(|req, _| {
        let offset = req
            .uri
            .split(['?', '&'])
            .find_map(|kv| kv.strip_prefix("offset="))
            .map_or(0, |v| v.parse().unwrap());
        match offset {
            0 => workspaces_page(0, 2, 5),
            2 => workspaces_page(2, 4, 5),
            4 => workspaces_page(4, 5, 5),
            _ => Reply::error(400, "offset past the end"),
        }
    });
    let client = client(&server);
    let ids: Vec<String> = client
        .workspaces()
        .list(ListWorkspacesQuery::default().limit(2))
        .header("x-trace", "t1")
        .items()
        .map(|w| w.unwrap().id)
        .collect()
        .await;
    assert_eq!(ids, ["ws-0", "ws-1", "ws-2", "ws-3", "ws-4"]);
    let uris: Vec<String> = server.requests().iter().map(|r| r.uri.clone()).collect();
    assert_eq!(
        uris,
        [
            "/api/v1/workspaces?limit=2",
            "/api/v1/workspaces?limit=2&offset=2",
            "/api/v1/workspaces?limit=2&offset=4"
        ]
    );
    // Every page request keeps the call's options.
    assert!(server
        .requests()
        .iter()
        .all(|r| r.header("x-trace") == Some("t1")));
}

#[tokio::test]
async fn offset_pagination_stops_at_an_empty_page_without_a_total() {
    // App rankings have no total count: the listing ends at the first empty page.
    let server = Server::with(|req, _| {
        let page = if req.uri.contains("offset=2") {
            json!({"data": [], "meta": meta()})
        } else {
            json!({"data": [app(1), app(2)], "meta": meta()})
        };
        Reply::json(200, page.to_string())
    });
    let client = client(&server);
    let pages: Vec<_> = client
        .datasets()
        .get_app_rankings(Default::default())
        .pages()
        .collect()
        .await;
    assert_eq!(pages.len(), 2, "{pages:?}");
    assert!(pages.iter().all(Result::is_ok), "{pages:?}");
    assert_eq!(server.count(), 2);
}

/// The spec does not mark `GET /keys` as paginated, but it pages by `offset` like the
/// listings it marks: the generator infers it, so `.items()` walks every page.
#[tokio::test]
async fn an_unmarked_offset_listing_pages_too() {
    fn key(hash: &str) -> serde_json::Value {
        json!({"byok_usage": 0, "byok_usage_daily": 0, "byok_usage_monthly": 0,
            "byok_usage_weekly": 0, "created_at": "2025-08-24T10:30:00Z",
            "creator_user_id": null, "disabled": false, "expires_at": null, "hash": hash,
            "include_byok_in_limit": false, "label": "k", "last_used_at": null, "limit": null,
            "limit_remaining": null, "limit_reset": null, "name": hash,
            "updated_at": null, "usage": 0, "usage_daily": 0, "usage_monthly": 0,
            "usage_weekly": 0, "workspace_id": "w"})
    }
    let server = Server::with(|req, _| {
        let page = if req.uri.contains("offset=3") {
            json!({"data": []})
        } else if req.uri.contains("offset=2") {
            json!({"data": [key("k3")]})
        } else {
            json!({"data": [key("k1"), key("k2")]})
        };
        Reply::json(200, page.to_string())
    });
    let client = client(&server);
    let hashes: Vec<String> = client
        .api_keys()
        .list(Default::default())
        .items()
        .map(|k| k.unwrap().hash)
        .collect()
        .await;
    assert_eq!(hashes, ["k1", "k2", "k3"]);
    let uris: Vec<String> = server.requests().iter().map(|r| r.uri.clone()).collect();
    assert_eq!(
        uris,
        [
            "/api/v1/keys",
            "/api/v1/keys?offset=2",
            "/api/v1/keys?offset=3"
        ]
    );
}

#[tokio::test]
async fn cursor_pagination_follows_the_cursor_until_has_more_is_false() {
    let server = Server::with(|req, _| {
        let page = if req.uri.contains("after=b2") {
            json!({"object": "list", "data": [batch("b3")], "has_more": false, "last_id": "b3"})
        } else {
            json!({"object": "list", "data": [batch("b1"), batch("b2")], "has_more": true, "last_id": "b2"})
        };
        Reply::json(200, page.to_string())
    });
    let client = client(&server);
    let ids: Vec<String> = client
        .batch()
        .list(ListBatchesQuery::default().limit(2))
        .items()
        .map(|b| b.unwrap().id)
        .collect()
        .await;
    assert_eq!(ids, ["b1", "b2", "b3"]);
    let uris: Vec<String> = server.requests().iter().map(|r| r.uri.clone()).collect();
    assert_eq!(
        uris,
        [
            "/api/v1/batches?limit=2",
            "/api/v1/batches?limit=2&after=b2"
        ]
    );
}

#[tokio::test]
async fn a_failed_page_ends_the_listing_after_its_error_and_pages_are_retried() {
    // Page 2 fails once with a 503 (retried by the call's policy), then with a 500 for good.
    let server = Server::start([
        workspaces_page(0, 2, 10),
        Reply::error(503, "busy"),
        workspaces_page(2, 4, 10),
        Reply::error(500, "broken"),
    ]);
    let client = client(&server);
    let items: Vec<_> = client
        .workspaces()
        .list(Default::default())
        .retry(RetryConfig::new().max_retries(1).backoff(ms(1), ms(2)))
        .items()
        .collect()
        .await;
    assert_eq!(items.len(), 5, "4 items then the error: {items:?}");
    assert!(items[..4].iter().all(Result::is_ok));
    let err = items[4].as_ref().unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    // 1 + (503, retried ok) + (500, retried 500)
    assert_eq!(server.count(), 5);
}

#[tokio::test]
async fn path_parameters_stay_one_segment() {
    let server = Server::always(Reply::json(200, r#"{"data":{}}"#));
    let client = client(&server);
    let _ = client.api_keys().get("a/../b?c#d").send().await;
    let _ = client
        .workspaces()
        .get_budget("w s", &"daily".parse().unwrap())
        .send()
        .await;
    let uris: Vec<String> = server.requests().iter().map(|r| r.uri.clone()).collect();
    assert_eq!(
        uris,
        [
            "/api/v1/keys/a%2F..%2Fb%3Fc%23d",
            "/api/v1/workspaces/w%20s/budgets/daily"
        ]
    );
}

#[tokio::test]
async fn form_bodies_are_url_encoded() {
    let server = Server::always(Reply::json(
        200,
        r#"{"access_token":"t","token_type":"Bearer","expires_in":60,"issued_token_type":"x"}"#,
    ));
    let client = client(&server);
    let request: TokenExchangeRequest = serde_json::from_value(json!({
        "federation_policy_id": "fp 1",
        "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
        "subject_token": "a&b=c",
        "subject_token_type": "urn:ietf:params:oauth:token-type:jwt"
    }))
    .unwrap();
    let _ = client.oauth().create_token(request).send().await;
    let req = server.single();
    assert_eq!(
        req.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    let body = String::from_utf8(req.body.to_vec()).unwrap();
    assert!(body.contains("federation_policy_id=fp%201"), "{body}");
    assert!(body.contains("subject_token=a%26b%3Dc"), "{body}");
    assert!(
        body.contains("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange"),
        "{body}"
    );
}

#[tokio::test]
async fn an_empty_first_page_is_the_whole_listing() {
    let server = Server::always(Reply::json(200, r#"{"data":[],"total_count":0}"#));
    let client = client(&server);
    let items: Vec<_> = client
        .workspaces()
        .list(Default::default())
        .items()
        .collect()
        .await;
    assert!(items.is_empty());
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn an_error_field_of_the_resource_is_not_an_error_answer() {
    // A batch has an `error` field of its own: a batch that failed is still a batch.
    let mut failed = batch("b1");
    failed["status"] = json!("failed");
    failed["error"] = json!({"code": 0, "message": "input file invalid"});
    let server = Server::start([
        Reply::json(200, failed.to_string()),
        // Nothing but an error: an error answer, even for an operation whose type has `error`.
        Reply::json(
            200,
            r#"{"error":{"code":502,"message":"upstream failed"},"user_id":"u"}"#,
        ),
    ]);
    let client = client(&server);
    let batch = client.batch().get("b1").send().await.unwrap();
    assert_eq!(batch.id, "b1");
    assert_eq!(
        batch.error.as_ref().map(|e| e.message.as_str()),
        Some("input file invalid")
    );
    let err = client
        .batch()
        .get("b1")
        .no_retry()
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.as_api().map(|a| a.message()), Some("upstream failed"));
}
