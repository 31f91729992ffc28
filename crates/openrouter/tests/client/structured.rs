//! Structured output: `Call::parsed` and (feature `schemars`) `create_parsed`.

use openrouter::Error;
use openrouter_types::ParseError;

use crate::support::*;

#[derive(Debug, PartialEq, serde::Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
struct Weather {
    city: String,
    celsius: Option<f64>,
}

fn chat_answer(message: &str) -> String {
    format!(
        r#"{{"id":"gen-1","object":"chat.completion","created":1,"model":"m","choices":[{{"index":0,"finish_reason":"stop","message":{message}}}],"usage":{{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}}}"#
    )
}

#[tokio::test]
async fn the_answer_is_parsed_beside_the_result() {
    let body =
        chat_answer(r#"{"role":"assistant","content":"{\"city\":\"Paris\",\"celsius\":21.5}"}"#);
    let server = Server::always(Reply::json(200, body.clone()));
    let parsed = client(&server)
        .chat()
        .create(chat_request())
        .parsed::<Weather>()
        .await
        .unwrap();
    assert_eq!(
        parsed.value,
        Weather {
            city: "Paris".into(),
            celsius: Some(21.5)
        }
    );
    assert_eq!(
        parsed.response.data().usage.as_ref().unwrap().total_tokens,
        7
    );
}

#[tokio::test]
async fn a_refusal_is_a_parse_error_with_its_text() {
    let body =
        chat_answer(r#"{"role":"assistant","content":null,"refusal":"I can't help with that."}"#);
    let server = Server::always(Reply::json(200, body.clone()));
    let err = client(&server)
        .chat()
        .create(chat_request())
        .parsed::<Weather>()
        .await
        .unwrap_err();
    match err {
        Error::Parse(e) => assert!(
            matches!(&*e, ParseError::Refusal(text) if text == "I can't help with that."),
            "{e:?}"
        ),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn text_that_does_not_parse_is_kept_in_the_error() {
    let body = chat_answer(r#"{"role":"assistant","content":"Sunny in Paris"}"#);
    let server = Server::always(Reply::json(200, body.clone()));
    let err = client(&server)
        .chat()
        .create(chat_request())
        .parsed::<Weather>()
        .await
        .unwrap_err();
    assert_eq!(err.attempts(), 0);
    match err {
        Error::Parse(e) => match &*e {
            ParseError::Invalid { text, .. } => assert_eq!(text, "Sunny in Paris"),
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
    let server = Server::always(Reply::json(
        200,
        chat_answer(r#"{"role":"assistant","content":""}"#),
    ));
    let err = client(&server)
        .chat()
        .create(chat_request())
        .parsed::<Weather>()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Parse(e) if matches!(*e, ParseError::NoContent)));
}

#[cfg(feature = "schemars")]
#[tokio::test]
async fn create_parsed_asks_for_the_type_s_strict_schema() {
    use openrouter::types::chat::ChatRequestPluginsItem;
    use std::time::Duration;

    let body =
        chat_answer(r#"{"role":"assistant","content":"{\"city\":\"Oslo\",\"celsius\":null}"}"#);
    let server = Server::always(Reply::json(200, body.clone()));
    let request = chat_request().plugins(vec![ChatRequestPluginsItem::response_healing()]);
    let parsed = client(&server)
        .chat()
        .create_parsed::<Weather>(request)
        .options(|call| call.total_timeout(Duration::from_secs(5)))
        .await
        .unwrap();
    assert_eq!(parsed.value.city, "Oslo");
    assert_eq!(parsed.value.celsius, None);
    let sent = server.single().json();
    let format = &sent["response_format"];
    assert_eq!(format["type"], "json_schema");
    assert_eq!(format["json_schema"]["name"], "Weather");
    assert_eq!(format["json_schema"]["strict"], true);
    let schema = &format["json_schema"]["schema"];
    assert_eq!(schema["additionalProperties"], false);
    // Every property required (in the schema's order, which depends on serde_json's features).
    let mut required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    required.sort_unstable();
    assert_eq!(required, ["celsius", "city"]);
    assert!(schema.get("$schema").is_none());
    assert_eq!(
        sent["plugins"],
        serde_json::json!([{"id": "response-healing"}])
    );
}
