//! The chainable setters generated for the optional fields of request types.

use openrouter_types::api_keys::UpdateKeysRequest;
use openrouter_types::chat::{ChatRequest, Message};
use serde_json::json;

#[test]
fn chat_request_setters_set_the_optional_fields() {
    let request = ChatRequest::new("openai/gpt-4o-mini", vec![Message::user("Hi")])
        .temperature(0.2)
        .max_tokens(64)
        .stop(vec!["\n\n".to_owned()])
        .user("user-1");
    let value = serde_json::to_value(&request).unwrap();
    assert_eq!(value["temperature"], json!(0.2));
    assert_eq!(value["max_tokens"], json!(64));
    assert_eq!(value["user"], json!("user-1"));
    assert_eq!(value["model"], json!("openai/gpt-4o-mini"));
    // Only what was set is written.
    let keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys.len(), 6, "{keys:?}");
}

#[test]
fn a_nullable_optional_field_is_set_to_a_value_by_its_setter() {
    let request = UpdateKeysRequest::default().name("renamed").limit(10.0);
    let value = serde_json::to_value(&request).unwrap();
    assert_eq!(value, json!({"name": "renamed", "limit": 10.0}));

    // `null` is sent by setting the field itself.
    let mut request = UpdateKeysRequest::default();
    request.limit = Some(None);
    assert_eq!(
        serde_json::to_value(&request).unwrap(),
        json!({"limit": null})
    );
}
