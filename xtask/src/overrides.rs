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
        "VaultRoutingTableGithubAppsItemMemberLinksItem",
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
