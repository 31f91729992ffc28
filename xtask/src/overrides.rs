//! The few places where the generator departs from the spec's letter, each with its reason.
//! Everything else follows from the spec alone.

/// Optional fields that a type's constructor still takes because nearly every caller sets them:
/// OpenRouter routes on `model`, which the spec marks optional only because a preset or
/// `models` list may stand in for it.
const CONSTRUCTOR_EXTRAS: &[(&str, &str)] = &[
    ("ChatRequest", "model"),
    ("ResponsesRequest", "model"),
    ("MessagesRequest", "model"),
];

/// Whether `field` of `type_name` is a constructor argument although the spec makes it optional.
pub fn constructor_takes(type_name: &str, field: &str) -> bool {
    CONSTRUCTOR_EXTRAS
        .iter()
        .any(|(t, f)| *t == type_name && *f == field)
}

/// Method names that the scheme of `names::method_name` would get wrong, by `operationId`,
/// each with its reason.
pub const METHOD_NAMES: &[(&str, &str, &str)] = &[
    (
        "getCurrentKey",
        "get_current",
        "the key the client authenticates with; `get_current_metadata` says less",
    ),
    (
        "downloadContainerFileContent",
        "download_file",
        "binary content, read as a download like `files().download`",
    ),
    (
        "listVideosContent",
        "download",
        "binary content, read as a download like `files().download`",
    ),
    (
        "listKeyAssignments",
        "list_all_key_assignments",
        "across every guardrail; `list_key_assignments` is one guardrail's",
    ),
    (
        "listMemberAssignments",
        "list_all_member_assignments",
        "across every guardrail; `list_member_assignments` is one guardrail's",
    ),
    (
        "createPresetsChatCompletions",
        "create_chat_completion",
        "one completion per call, like `chat().create`",
    ),
    (
        "createPresetsMessages",
        "create_message",
        "one message per call, like `anthropic_messages().create`",
    ),
    (
        "createPresetsResponses",
        "create_response",
        "one response per call, like `responses().create`",
    ),
    (
        "listScimGroupMappings",
        "list_group_mappings",
        "the group holds three resources; the spec's SDK names leave out the noun",
    ),
    (
        "createScimGroupMapping",
        "create_group_mapping",
        "the group holds three resources; the spec's SDK names leave out the noun",
    ),
    (
        "getScimGroupMapping",
        "get_group_mapping",
        "the group holds three resources; the spec's SDK names leave out the noun",
    ),
    (
        "updateScimGroupMapping",
        "update_group_mapping",
        "the group holds three resources; the spec's SDK names leave out the noun",
    ),
    (
        "deleteScimGroupMapping",
        "delete_group_mapping",
        "the group holds three resources; the spec's SDK names leave out the noun",
    ),
];

/// The overridden method name of an operation, if it has one.
pub fn method_name(operation_id: &str) -> Option<&'static str> {
    METHOD_NAMES
        .iter()
        .find(|(id, _, _)| *id == operation_id)
        .map(|(_, name, _)| *name)
}

/// Types whose constructor keeps positional arguments of one type because their order is the
/// obvious one for the API, each with its reason. Any other type whose required fields include
/// two of one type (after `model`, always first) is built with named setters and `build()`.
/// Besides these, a `start_...` / `end_...` pair in that order counts as obvious.
const OBVIOUS_CONSTRUCTORS: &[(&str, &str)] = &[
    (
        "ChatToolCallFunction",
        "(name, arguments): how every chat API and SDK writes a function call",
    ),
    (
        "AlignmentChatToolCallFunction",
        "(name, arguments): how every chat API and SDK writes a function call",
    ),
];

/// Whether a constructor with arguments `args` (in order) may stay positional although two of
/// them share a type.
pub fn obvious_constructor(type_name: &str, args: &[&crate::model::Field]) -> bool {
    if OBVIOUS_CONSTRUCTORS.iter().any(|(t, _)| *t == type_name) {
        return true;
    }
    // The only repeated type is a `start_x`, `end_x` pair, in that order.
    let rest: Vec<&&crate::model::Field> = args.iter().filter(|f| f.json != "model").collect();
    let mut repeated: Vec<&str> = Vec::new();
    for f in &rest {
        if rest.iter().filter(|g| g.ty == f.ty).count() > 1 {
            repeated.push(&f.json);
        }
    }
    matches!(repeated.as_slice(), [a, b]
        if a.strip_prefix("start_").is_some_and(|x| b.strip_prefix("end_") == Some(x)))
}

/// Fields the spec marks required that the spec's own examples leave out. Those examples are
/// upstream's real data (responses as the API sends them), so a type that requires the field
/// would fail to decode a real response: these fields are generated as optional instead. The
/// spec-examples test (`tests/model/spec_examples.rs`) fails if one of them is required again.
/// The spec tells the members of the files unions (`FileResponse`, `FileListResponse`,
/// `FileDeleteResponse`) apart by a `_shape` field that no example of the files endpoints has.
/// Without it the members are told apart by trying them in order, the OpenRouter shape first.
const FILES_SHAPE: &str = "absent from every example of the /files endpoints";

const OMITTED_BY_THE_API: &[(&str, &str, &str)] = &[
    (
        "ModelsListResponse",
        "links",
        "absent from the examples of GET /models, /models/user and /embeddings/models",
    ),
    (
        "ModelsListResponse",
        "total_count",
        "absent from the examples of GET /models, /models/user and /embeddings/models",
    ),
    (
        "PublicEndpoint",
        "native_tools",
        "absent from the example of ListEndpointsResponse",
    ),
    (
        "PublicEndpoint",
        "supports_tool_choice",
        "absent from the examples of GET /endpoints/zdr and /models/{author}/{slug}/endpoints",
    ),
    (
        "ServerToolDetailsNativeSupport",
        "models",
        "absent from the schema's own example",
    ),
    ("OpenRouterFile", "_shape", FILES_SHAPE),
    ("OpenAiFile", "_shape", FILES_SHAPE),
    ("AnthropicFile", "_shape", FILES_SHAPE),
    ("OpenRouterFileList", "_shape", FILES_SHAPE),
    ("OpenAiFileList", "_shape", FILES_SHAPE),
    ("AnthropicFileList", "_shape", FILES_SHAPE),
    ("OpenRouterFileDeleted", "_shape", FILES_SHAPE),
    ("OpenAiFileDeleted", "_shape", FILES_SHAPE),
    ("AnthropicFileDeleted", "_shape", FILES_SHAPE),
    (
        "ChatStreamChunkErrorMetadata",
        "error_type",
        "absent from the metadata of real mid-stream errors",
    ),
    (
        "ChatChoiceErrorMetadata",
        "error_type",
        "absent from the metadata of real mid-stream errors",
    ),
    (
        "VaultRoutingTableAppsItemMemberLinksItem",
        "via",
        "absent from the example of GET /vault/interns/{internId}/connections",
    ),
];

/// Whether `field` of `type_name` is generated as optional although the spec requires it.
pub fn omitted_by_the_api(type_name: &str, field: &str) -> bool {
    OMITTED_BY_THE_API
        .iter()
        .any(|(t, f, _why)| *t == type_name && *f == field)
}

/// Additions to the spec, made to the parsed document before the model is built, each with its
/// reason. They only add what the API is seen to send; nothing the spec declares is removed.
///
/// - `choices[].error`: a chat result (and a stream chunk's choice) can carry an error object
///   beside partial content when the provider failed mid-generation (`finish_reason` is then
///   `null` or `error`). The spec declares that object only at the top of a stream chunk
///   (`ChatStreamChunk.error`); a copy of it becomes the component `ChatChoiceError`, and
///   `ChatChoice` and `ChatStreamChoice` get an optional `error` of that type.
/// - `provider` and `native_finish_reason`: every real chat chunk and result carries the
///   provider that served it and the provider's own finish reason; declared (optional strings)
///   on `ChatResult`, `ChatStreamChunk` (`provider`) and `ChatChoice`, `ChatStreamChoice`
///   (`native_finish_reason`), so that they are typed and do not land in `extra`.
pub fn patch_spec(spec: &mut serde_json::Value) {
    use serde_json::{json, Value};
    let Some(schemas) = spec
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let chunk_error = schemas
        .get("ChatStreamChunk")
        .and_then(|c| c.pointer("/properties/error"))
        .cloned();
    if let Some(mut error) = chunk_error {
        if !schemas.contains_key("ChatChoiceError") {
            if let Some(e) = error.as_object_mut() {
                e.remove("example");
                e.insert(
                    "description".into(),
                    json!("The error that ended this choice: sent beside the content generated before the provider failed."),
                );
            }
            schemas.insert("ChatChoiceError".into(), error);
        }
    }
    let has_choice_error = schemas.contains_key("ChatChoiceError");
    let mut add = |schema: &str, prop: &str, value: Value| {
        if let Some(props) = schemas
            .get_mut(schema)
            .and_then(|s| s.get_mut("properties"))
            .and_then(Value::as_object_mut)
        {
            props.entry(prop).or_insert(value);
        }
    };
    if has_choice_error {
        add(
            "ChatChoice",
            "error",
            json!({"$ref": "#/components/schemas/ChatChoiceError"}),
        );
        add(
            "ChatStreamChoice",
            "error",
            json!({"$ref": "#/components/schemas/ChatChoiceError"}),
        );
    }
    let provider = json!({"type": "string", "description": "The provider that served the request (sent by the API, not declared by the spec)."});
    let native = json!({"type": ["string", "null"], "description": "The provider's own finish reason, as it sent it (`STOP`, `MAX_TOKENS`, `tool_use`...; sent by the API, not declared by the spec)."});
    add("ChatResult", "provider", provider.clone());
    add("ChatStreamChunk", "provider", provider);
    add("ChatChoice", "native_finish_reason", native.clone());
    add("ChatStreamChoice", "native_finish_reason", native);
}
