//! Forward compatibility with hand-made payloads: what the server may send tomorrow decodes
//! today, and nothing is lost on the way back out.

use openrouter_types::api_keys::UpdateRequest;
use openrouter_types::chat::{ChatRequest, Message, StreamChunk};
use openrouter_types::generated::{
    ChatContentItems, ChatFinishReasonEnum, ChatResult, ChatStreamChoice, ChatToolChoice,
    InputsObjectListItem, ProviderName,
};
use openrouter_types::ErrorCode;
use serde_json::{json, Value};

fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(value: &Value) -> (T, Value) {
    let decoded: T = serde_json::from_value(value.clone()).expect("decodes");
    let back = serde_json::to_value(&decoded).expect("encodes");
    (decoded, back)
}

#[test]
fn unknown_enum_value_is_kept() {
    let p: ProviderName = serde_json::from_value(json!("Brand-New-Provider")).unwrap();
    assert_eq!(p, ProviderName::Unknown("Brand-New-Provider".into()));
    assert!(p.is_unknown());
    assert_eq!(p.as_str(), "Brand-New-Provider");
    assert_eq!(
        serde_json::to_value(&p).unwrap(),
        json!("Brand-New-Provider")
    );
    // A known value still maps to its variant, and FromStr/Display agree with the wire form.
    let known: ProviderName = "OpenAI".parse().unwrap();
    assert!(!known.is_unknown());
    assert_eq!(known.to_string(), "OpenAI");

    let f: ChatFinishReasonEnum = serde_json::from_value(json!("melted")).unwrap();
    assert_eq!(f.as_str(), "melted");
}

#[test]
fn unknown_union_tag_lands_in_unknown() {
    let part = json!({"type": "hologram", "frames": 3});
    let (decoded, back) = round_trip::<ChatContentItems>(&part);
    assert_eq!(decoded, ChatContentItems::Unknown(part.clone()));
    assert_eq!(back, part);
}

#[test]
fn known_tag_with_a_bad_body_names_the_member_and_field() {
    // `image_url` must be an object with a `url`; the error says which member and which field.
    let err =
        serde_json::from_value::<ChatContentItems>(json!({"type": "image_url", "image_url": 7}))
            .unwrap_err()
            .to_string();
    assert!(err.contains("ChatContentItems::ImageUrl"), "{err}");
    assert!(err.contains("image_url"), "{err}");
    assert!(!err.contains("did not match any variant"), "{err}");
}

#[test]
fn unknown_fields_are_kept_and_re_emitted() {
    let body = json!({
        "id": "gen-1", "object": "chat.completion", "created": 1, "model": "m",
        "choices": [{"index": 0, "finish_reason": "stop", "future_choice_field": [1, 2],
                     "message": {"role": "assistant", "content": "hi", "future_message_field": true}}],
        "future_top_level": {"nested": "value"}
    });
    let (decoded, back) = round_trip::<ChatResult>(&body);
    assert_eq!(
        decoded.extra["future_top_level"],
        json!({"nested": "value"})
    );
    assert_eq!(back["choices"][0]["future_choice_field"], json!([1, 2]));
    assert_eq!(
        back["choices"][0]["message"]["future_message_field"],
        json!(true)
    );
    assert_eq!(back["future_top_level"], body["future_top_level"]);
}

#[test]
fn required_nullable_field_accepts_null_and_missing() {
    let with_null = json!({"index": 0, "delta": {}, "finish_reason": null});
    let (decoded, back) = round_trip::<ChatStreamChoice>(&with_null);
    assert_eq!(decoded.finish_reason, None);
    assert_eq!(
        back["finish_reason"],
        Value::Null,
        "a required nullable field is written as null"
    );
    let missing = json!({"index": 0, "delta": {}});
    let decoded: ChatStreamChoice = serde_json::from_value(missing).unwrap();
    assert_eq!(decoded.finish_reason, None);
}

#[test]
fn tool_choice_as_string_and_as_object() {
    let (auto, back) = round_trip::<ChatToolChoice>(&json!("auto"));
    assert_eq!(auto, ChatToolChoice::Auto);
    assert_eq!(back, json!("auto"));
    let named = json!({"type": "function", "function": {"name": "get_weather"}});
    let (decoded, back) = round_trip::<ChatToolChoice>(&named);
    assert!(matches!(decoded, ChatToolChoice::Named(_)), "{decoded:?}");
    assert_eq!(back, named);
    // A mode this version does not know is kept, not rejected.
    let (later, back) = round_trip::<ChatToolChoice>(&json!("sometimes"));
    assert_eq!(later, ChatToolChoice::Unknown(json!("sometimes")));
    assert_eq!(back, json!("sometimes"));
}

#[test]
fn responses_input_item_without_type() {
    let item = json!({"role": "user", "content": "hi"});
    let (decoded, back) = round_trip::<InputsObjectListItem>(&item);
    assert!(
        matches!(decoded, InputsObjectListItem::EasyInputMessage(_)),
        "{decoded:?}"
    );
    assert_eq!(back, item);
}

#[test]
fn stream_chunk_with_a_string_error_code() {
    let chunk = json!({
        "id": "gen-1", "object": "chat.completion.chunk", "created": 1, "model": "m",
        "error": {"code": "server_error", "message": "Provider disconnected"},
        "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": "error"}]
    });
    let (decoded, back): (StreamChunk, Value) = round_trip(&chunk);
    let error = decoded.error.as_ref().expect("error kept");
    assert_eq!(error.code, ErrorCode::Text("server_error".into()));
    assert_eq!(error.message, "Provider disconnected");
    assert_eq!(
        decoded.choices[0].finish_reason,
        Some(ChatFinishReasonEnum::Error)
    );
    assert_eq!(back, chunk);
    // The numeric form of the same field.
    let mut numeric = chunk.clone();
    numeric["error"]["code"] = json!(502);
    let decoded: StreamChunk = serde_json::from_value(numeric).unwrap();
    assert_eq!(decoded.error.unwrap().code.as_status(), Some(502));
}

#[test]
fn patch_body_distinguishes_null_from_absent() {
    let clear: UpdateRequest = serde_json::from_value(json!({"limit": null})).unwrap();
    assert_eq!(clear.limit, Some(None));
    assert_eq!(
        serde_json::to_value(&clear).unwrap(),
        json!({"limit": null})
    );
    let untouched: UpdateRequest = serde_json::from_value(json!({})).unwrap();
    assert_eq!(untouched.limit, None);
    assert_eq!(serde_json::to_value(&untouched).unwrap(), json!({}));
    let mut set = UpdateRequest::default();
    set.limit = Some(Some(25.0));
    assert_eq!(serde_json::to_value(&set).unwrap(), json!({"limit": 25.0}));
}

#[test]
fn requests_write_only_what_was_set() {
    let request = ChatRequest::new("openai/gpt-4o-mini", vec![Message::user("hi")]);
    assert_eq!(
        serde_json::to_value(&request).unwrap(),
        json!({"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]})
    );
    // Extra fields a caller adds for a parameter this version does not know are sent.
    let mut request = request;
    request.extra.insert("brand_new_param".into(), json!(1));
    assert_eq!(
        serde_json::to_value(&request).unwrap()["brand_new_param"],
        json!(1)
    );
}

#[test]
fn query_structs_serialize_arrays_and_booleans() {
    use openrouter_types::generated::{BatchListStatus, ListBatchesQuery, ListQuery};

    let mut q = ListBatchesQuery::default();
    q.limit = Some(5);
    q.status = Some(vec![
        BatchListStatus::from("completed"),
        BatchListStatus::from("in_progress"),
    ]);
    assert_eq!(
        q.to_query_pairs(),
        vec![
            ("limit", "5".to_owned()),
            ("status", "completed".to_owned()),
            ("status", "in_progress".to_owned())
        ],
        "arrays repeat the key (explode), unset parameters are left out"
    );
    let mut keys = ListQuery::default();
    keys.include_disabled = Some(true);
    keys.include_expired = Some(false);
    assert_eq!(
        keys.to_query_pairs(),
        vec![
            ("include_disabled", "true".to_owned()),
            ("include_expired", "false".to_owned())
        ]
    );
}
