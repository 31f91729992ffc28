//! How values are decoded: one reader for every type (a union reads its value's text, then its
//! member from that text), the JSON path of a failure, unions from formats other than JSON, and
//! no nesting deeper than one document may have.

use openrouter_types::chat::{ChatRequest, ChatResult, ChatUserMessageContent};
use openrouter_types::generated::ChatContentItems;
use serde::Deserialize;

fn path_of<T: serde::de::DeserializeOwned + std::fmt::Debug>(body: &str) -> String {
    let (path, _error) = openrouter_types::from_slice_with_path::<T>(body.as_bytes())
        .expect_err("the body does not decode strictly");
    path
}

fn chat_result(choices: &str) -> String {
    format!(
        r#"{{"id": "gen-1", "object": "chat.completion", "created": 1, "model": "m", "choices": {choices}}}"#
    )
}

const CHOICE: &str =
    r#"{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "hi"}}"#;

#[test]
fn a_failure_is_located_by_field_index_and_key() {
    // A list item's field.
    let body = chat_result(&format!(
        r#"[{CHOICE}, {{"index": "one", "message": {{"role": "assistant"}}}}]"#
    ));
    assert_eq!(path_of::<ChatResult>(&body), "choices[1].index");
    // A field of a field.
    let body = chat_result(r#"[{"index": 0, "message": {"role": "assistant", "refusal": 7}}]"#);
    assert_eq!(path_of::<ChatResult>(&body), "choices[0].message.refusal");
    // A map entry.
    let body = r#"{"model": "m", "messages": [], "logit_bias": {"50256": "high"}}"#;
    assert_eq!(path_of::<ChatRequest>(body), "logit_bias.50256");
    // The top level.
    assert_eq!(path_of::<ChatResult>("[]"), ".");
    assert_eq!(
        path_of::<ChatResult>(&format!("{} trailing", chat_result("[]"))),
        "."
    );
}

#[test]
fn a_union_member_failure_names_the_member_and_where_inside_it() {
    let body = r#"{"model": "m", "messages": [{"role": "user", "content": "hi"},
        {"role": "system", "content": 5}]}"#;
    let (path, error) =
        openrouter_types::from_slice_with_path::<ChatRequest>(body.as_bytes()).unwrap_err();
    assert_eq!(path, "messages[1]");
    let message = error.to_string();
    assert!(message.contains("ChatMessages::System"), "{message}");
    assert!(message.contains("at `content`"), "{message}");
}

#[test]
fn a_located_failure_is_not_confused_by_an_earlier_repaired_one() {
    // A lenient decode that repairs a field, then a strict one that fails elsewhere: the path is
    // the second failure's alone.
    let repaired = chat_result(r#"[{"index": "zero", "message": {"role": "assistant"}}]"#);
    let result: ChatResult = openrouter_types::from_slice(repaired.as_bytes()).unwrap();
    assert_eq!(result.choices.len(), 1);
    let body = r#"{"model": "m", "messages": [], "temperature": "hot"}"#;
    assert_eq!(path_of::<ChatRequest>(body), "temperature");
}

#[test]
fn unions_decode_from_formats_other_than_json() {
    use serde::de::value::{Error, MapDeserializer, StrDeserializer};
    let text = ChatUserMessageContent::deserialize(StrDeserializer::<Error>::new("hi")).unwrap();
    assert_eq!(text, ChatUserMessageContent::String("hi".into()));
    let part = ChatContentItems::deserialize(MapDeserializer::<_, Error>::new(
        [("type", "text"), ("text", "hello")].into_iter(),
    ))
    .unwrap();
    match part {
        ChatContentItems::Text(t) => assert_eq!(t.text, "hello"),
        other => panic!("not a text part: {other:?}"),
    }
}

#[test]
fn unions_decode_from_a_json_tree_too() {
    let value = serde_json::json!({"model": "m", "messages": [
        {"role": "user", "content": [{"type": "text", "text": "hi"}]}]});
    let request: ChatRequest = serde_json::from_value(value.clone()).unwrap();
    assert_eq!(serde_json::to_value(&request).unwrap(), value);
    let by_ref = ChatRequest::deserialize(&value).unwrap();
    assert_eq!(by_ref, request);
}

#[test]
fn nesting_deeper_than_a_document_may_be_is_an_error_not_a_crash() {
    // A union reads its value's text (serde_json does not count the depth of a text it skips),
    // then decodes from it. Here the union finds no member for a nested list and keeps it as
    // an unrecognised value, which is held to serde_json's limit (128). (The limit on the
    // outermost text, for a union that would contain itself, is tested in `rt.rs`.)
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let body = format!(r#"{{"model": "m", "messages": [{{"role": "user", "content": {deep}}}]}}"#);
    assert!(serde_json::from_str::<ChatRequest>(&body).is_err());
    assert!(openrouter_types::from_slice::<ChatRequest>(body.as_bytes()).is_err());
    assert!(openrouter_types::from_slice_with_path::<ChatRequest>(body.as_bytes()).is_err());
    // Just under the limit still decodes (kept as an unrecognised value).
    let ok = format!("{}{}", "[".repeat(100), "]".repeat(100));
    let body = format!(r#"{{"model": "m", "messages": [{{"role": "user", "content": {ok}}}]}}"#);
    let request: ChatRequest = openrouter_types::from_slice(body.as_bytes()).unwrap();
    assert_eq!(request.messages.len(), 1);
}

#[test]
fn a_union_keeps_exact_numbers_from_bytes() {
    // A member decoded from the received text, not from a re-printed tree.
    let body = br#"{"model": "m", "messages": [{"role": "user", "content": "x"}],
        "tools": [{"type": "function", "function": {"name": "f", "parameters": {"x": 0.30000000000000004}}}]}"#;
    let request: ChatRequest = openrouter_types::from_slice(body).unwrap();
    let back = serde_json::to_string(&request).unwrap();
    assert!(back.contains("0.30000000000000004"), "{back}");
}

#[test]
fn a_union_of_objects_reads_its_tag_and_id_without_serializing() {
    use openrouter_types::generated::OutputItems;
    let known: OutputItems = serde_json::from_str(
        r#"{"type": "web_search_call", "id": "ws_1", "status": "in_progress"}"#,
    )
    .unwrap();
    assert!(matches!(known, OutputItems::WebSearchCall(_)));
    assert_eq!(
        (known.tag(), known.id()),
        (Some("web_search_call"), Some("ws_1"))
    );
    let unknown: OutputItems =
        serde_json::from_str(r#"{"type": "future_call", "id": "fu_1"}"#).unwrap();
    assert!(matches!(unknown, OutputItems::Unknown(_)));
    assert_eq!(
        (unknown.tag(), unknown.id()),
        (Some("future_call"), Some("fu_1"))
    );
    let part: ChatContentItems = serde_json::from_str(r#"{"type": "text", "text": "hi"}"#).unwrap();
    assert_eq!(part.tag(), Some("text"));
}

#[test]
fn bytes_that_are_not_utf8_are_an_error_that_says_where() {
    let body = b"{\"id\": \"gen-\xff\", \"choices\": []}";
    let error = openrouter_types::from_slice::<ChatResult>(body).unwrap_err();
    assert!(
        error.to_string().contains("not UTF-8 (at byte 12)"),
        "{error}"
    );
    let (path, _) = openrouter_types::from_slice_with_path::<ChatResult>(body).unwrap_err();
    assert_eq!(path, ".");
}

#[test]
fn a_repeated_tag_counts_by_its_last_occurrence_so_writing_back_is_stable() {
    // Found by fuzzing: the union read its tag from the first `type`, the `Value` it kept took
    // the last, and the value written back decoded as another member (or not at all).
    use openrouter_types::generated::StreamEvents;
    let body = r#"{"type": "response.future_event", "output_index": 0, "content_index": 0,
        "item_id": "msg_1", "delta": "Hel", "logprobs": [], "sequence_number": 2,
        "type": "response.output_text.delta"}"#;
    let event: StreamEvents = serde_json::from_str(body).unwrap();
    assert!(
        matches!(event, StreamEvents::ResponseOutputTextDelta(_)),
        "{event:?}"
    );
    let written = serde_json::to_string(&event).unwrap();
    let again: StreamEvents = serde_json::from_str(&written).expect("written back decodes");
    assert_eq!(serde_json::to_string(&again).unwrap(), written);
}

#[test]
fn a_repeated_key_counts_by_its_last_occurrence_in_a_lenient_decode_too() {
    // Found by fuzzing: `"type": 0` then the right `type`. The lenient decode kept the first as
    // an invalid value and wrote it back in place of the second.
    use openrouter_types::generated::StreamEvents;
    let body = br#"{"type": 0, "type": "response.output_text.delta", "output_index": 0,
        "content_index": 0, "item_id": "msg_1", "delta": "Hel", "logprobs": [],
        "sequence_number": 2}"#;
    let event: StreamEvents = openrouter_types::from_slice(body).unwrap();
    let StreamEvents::ResponseOutputTextDelta(delta) = &event else {
        panic!("{event:?}");
    };
    assert!(
        delta.decode_issues().is_empty(),
        "{:?}",
        delta.decode_issues()
    );
    let written = serde_json::to_vec(&event).unwrap();
    let again: StreamEvents = openrouter_types::from_slice(&written).expect("decodes again");
    assert_eq!(again, event);
}
