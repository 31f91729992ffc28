//! Responses shaped like the real API's (recordings 2024-11 to 2026-09; see the project's notes
//! on what real responses look like), decoded as the client decodes them
//! (`openrouter_types::from_value`): each differs from the spec in one place, and each decodes
//! with the rest typed, the odd part recorded and kept, and nothing lost on the way back.

use openrouter_types::chat::{Response as ChatResult, StreamChunk};
use openrouter_types::error::ErrorResponse;
use openrouter_types::generated::{
    GenerationResponse, GetCurrentKeyResponse, ListResponse, Model, ModelsListResponse,
};
use openrouter_types::FieldIssue;
use serde_json::{json, Value};

use super::spec_examples::equivalent;

fn example(pointer: &str) -> Value {
    super::spec()
        .expect("the test starts with `spec_or_skip!()`")
        .pointer(pointer)
        .unwrap_or_else(|| panic!("no example at {pointer}"))
        .clone()
}

fn model_example() -> Value {
    example("/components/schemas/Model/example")
}

/// Decodes as the client does, and checks that it encodes back to the same JSON.
fn decode<T: serde::de::DeserializeOwned + serde::Serialize>(body: &Value) -> T {
    let value: T = openrouter_types::from_value(body).expect("decodes leniently");
    let back = serde_json::to_value(&value).unwrap();
    equivalent(body, &back, "$").expect("written back as received");
    value
}

#[test]
fn models_before_2026_without_links_and_other_fields_decode() {
    spec_or_skip!();
    let mut old = model_example();
    let o = old.as_object_mut().unwrap();
    o.remove("links");
    o.remove("canonical_slug");
    o.remove("supported_parameters");
    o["architecture"]
        .as_object_mut()
        .unwrap()
        .remove("input_modalities");
    let mut null_links = model_example();
    null_links["id"] = json!("vendor/null-links");
    null_links["links"] = Value::Null;
    let body = json!({"data": [model_example(), old, null_links]});

    // The spec's letter rejects the list; the client's decode does not.
    assert!(serde_json::from_value::<ModelsListResponse>(body.clone()).is_err());
    let list: ModelsListResponse = decode(&body);
    assert_eq!(list.data.len(), 3);
    assert!(list.data[0].decode_issues().is_empty());

    let old = &list.data[1];
    assert_eq!(old.id, "openai/gpt-4");
    assert_eq!(old.pricing.prompt, "0.00003", "the rest is typed");
    let mut missing: Vec<&str> = old.decode_issues().missing().collect();
    missing.sort();
    assert_eq!(missing, ["canonical_slug", "links", "supported_parameters"]);
    assert_eq!(
        old.architecture.decode_issues().get("input_modalities"),
        Some(FieldIssue::Missing)
    );
    assert!(
        old.supported_parameters.is_empty(),
        "missing reads as empty"
    );

    let nulled = &list.data[2];
    assert_eq!(
        nulled.decode_issues().get("links"),
        Some(FieldIssue::Invalid)
    );
    assert_eq!(nulled.extra["links"], Value::Null, "kept as sent");
}

#[test]
fn a_listing_keeps_the_items_that_decode() {
    spec_or_skip!();
    let body = json!({"data": [model_example(), 42, "not a model", model_example()]});
    let list: ModelsListResponse = decode(&body);
    assert_eq!(list.data.len(), 2, "both models are typed");
    assert_eq!(list.decode_issues().get("data"), Some(FieldIssue::Invalid));
    assert_eq!(
        list.extra["data"].as_array().unwrap().len(),
        4,
        "the list as sent"
    );

    let keys = example("/paths/~1keys/get/responses/200/content/application~1json/example");
    let first = keys["data"][0].clone();
    let body = json!({"data": [first.clone(), null, first]});
    let keys: ListResponse = decode(&body);
    assert_eq!(keys.data.len(), 2);
}

#[test]
fn stream_usage_with_only_the_upstream_cost_keeps_usage_and_cost() {
    let chunk = json!({
        "id": "gen-1", "object": "chat.completion.chunk", "created": 1750000000,
        "model": "openai/gpt-4o", "provider": "OpenAI", "choices": [],
        "usage": {"prompt_tokens": 24, "completion_tokens": 198, "total_tokens": 222,
            "cost": 0, "is_byok": false,
            "cost_details": {"upstream_inference_cost": null}}
    });
    assert!(serde_json::from_value::<StreamChunk>(chunk.clone()).is_err());
    let chunk: StreamChunk = decode(&chunk);
    let usage = chunk.usage.as_ref().expect("usage kept");
    assert_eq!((usage.total_tokens, usage.cost), (222, Some(0.0)));
    let details = usage.cost_details.as_ref().unwrap();
    assert_eq!(details.upstream_inference_cost, None);
    assert_eq!(details.decode_issues().missing().count(), 2);
    assert_eq!(chunk.provider.as_deref(), Some("OpenAI"), "declared, typed");
}

#[test]
fn logprobs_as_a_bare_number_loses_only_logprobs() {
    let body = json!({
        "id": "gen-1", "object": "chat.completion", "created": 1750000000, "model": "m",
        "choices": [{"index": 0, "finish_reason": "stop", "native_finish_reason": "STOP",
            "logprobs": -0.25,
            "message": {"role": "assistant", "content": "Paris."}}]
    });
    let result: ChatResult = decode(&body);
    let choice = &result.choices[0];
    assert_eq!(choice.logprobs, None);
    assert_eq!(choice.extra["logprobs"], json!(-0.25));
    assert_eq!(
        choice.decode_issues().invalid().collect::<Vec<_>>(),
        ["logprobs"]
    );
    assert_eq!(choice.native_finish_reason.as_deref(), Some("STOP"));
    assert_eq!(
        serde_json::to_value(&choice.message).unwrap()["content"],
        "Paris."
    );
}

#[test]
fn generation_and_keys_without_the_newer_fields_decode() {
    spec_or_skip!();
    let mut generation =
        example("/paths/~1generation/get/responses/200/content/application~1json/example");
    let data = generation["data"].as_object_mut().unwrap();
    data.remove("data_region");
    data.remove("is_byok");
    let generation: GenerationResponse = decode(&generation);
    let missing: Vec<&str> = generation.data.decode_issues().missing().collect();
    assert!(
        missing.contains(&"data_region") && missing.contains(&"is_byok"),
        "{missing:?}"
    );
    assert_eq!(generation.data.model, "sao10k/l3-stheno-8b");

    let mut key = example("/paths/~1key/get/responses/200/content/application~1json/example");
    let data = key["data"].as_object_mut().unwrap();
    data.remove("allowed_data_regions");
    data.remove("budgets");
    let key: GetCurrentKeyResponse = decode(&key);
    assert!(key.data.decode_issues().missing().any(|f| f == "budgets"));

    let mut keys = example("/paths/~1keys/get/responses/200/content/application~1json/example");
    for item in keys["data"].as_array_mut().unwrap() {
        let item = item.as_object_mut().unwrap();
        item.remove("creator_user_id");
        item.remove("byok_usage_daily");
    }
    let keys: ListResponse = decode(&keys);
    assert!(!keys.data.is_empty());
    assert!(keys.data[0].decode_issues().missing().count() >= 1);
}

#[test]
fn mid_stream_error_without_error_type_and_choice_errors_are_typed() {
    // Declared optional: no leniency needed.
    let chunk = json!({
        "id": "gen-1", "object": "chat.completion.chunk", "created": 1, "model": "m",
        "error": {"code": "server_error", "message": "Provider disconnected",
            "metadata": {"provider_code": "eof"}},
        "choices": [{"index": 0, "delta": {"content": " last"}, "finish_reason": "error",
            "error": {"code": 502, "message": "Upstream failed"}}]
    });
    let chunk: StreamChunk = serde_json::from_value(chunk).expect("spec-exact decode");
    let error = chunk.error.as_ref().unwrap();
    assert_eq!(error.metadata.as_ref().unwrap().error_type, None);
    let (index, choice_error) = chunk.failed_choices().next().unwrap();
    assert_eq!((index, choice_error.code.as_status()), (0, Some(502)));

    let result = json!({
        "id": "gen-1", "object": "chat.completion", "created": 1, "model": "m",
        "choices": [
            {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "ok"}},
            {"index": 1, "finish_reason": null,
             "message": {"role": "assistant", "content": "Partial ans"},
             "error": {"code": 429, "message": "Rate limited upstream",
                "metadata": {"error_type": "rate_limit_exceeded"}}}]
    });
    let result: ChatResult = decode(&result);
    assert!(result.has_failed_choice());
    let failed: Vec<i64> = result.failed_choices().map(|(i, _)| i).collect();
    assert_eq!(failed, [1]);
}

#[test]
fn error_bodies_keep_odd_fields_and_read_raw_either_way() {
    let body = json!({"error": {"code": 400, "message": "Provider returned error",
        "metadata": {"provider_name": null, "raw": "{\"error\":{\"code\":\"bad\"}}"}},
        "user_id": 42});
    let err: ErrorResponse = decode(&body);
    assert_eq!(err.user_id, None);
    assert_eq!(err.extra["user_id"], 42, "kept as sent");
    let provider = err
        .error
        .provider()
        .expect("provider metadata despite provider_name: null");
    assert_eq!(provider.provider_name, "");
    assert_eq!(provider.raw_json().unwrap()["error"]["code"], "bad");

    let body = json!({"error": {"code": 502, "message": null,
        "metadata": {"provider_name": "X", "raw": {"error": "overloaded"}}}});
    let err: ErrorResponse = decode(&body);
    assert_eq!(err.error.invalid_fields().collect::<Vec<_>>(), ["message"]);
    assert_eq!(
        err.error.provider().unwrap().raw_json().unwrap()["error"],
        "overloaded"
    );
}

#[test]
fn a_body_of_the_wrong_shape_is_still_an_error() {
    assert!(openrouter_types::from_slice::<ModelsListResponse>(b"[1, 2]").is_err());
    assert!(openrouter_types::from_slice::<ModelsListResponse>(b"<html>").is_err());
    assert!(openrouter_types::from_slice::<Model>(b"42").is_err());
    assert!(openrouter_types::from_slice::<ErrorResponse>(br#"{"id": 1}"#).is_err());
}

#[test]
fn a_decode_that_follows_the_spec_records_nothing_and_strict_stays_strict() {
    spec_or_skip!();
    let model: Model = serde_json::from_value(model_example()).unwrap();
    assert!(model.decode_issues().is_empty());
    let mut without = model_example();
    without.as_object_mut().unwrap().remove("id");
    let err = serde_json::from_value::<Model>(without).unwrap_err();
    assert!(err.to_string().contains("missing field `id`"), "{err}");
}
