//! What the spec says about each operation, as data: the table in
//! [`generated::operations`](crate::generated::operations) is made of these types.
//!
//! The client crate turns the table into methods; tests use it to check that every operation is
//! covered. Nothing about an operation needs to be typed twice.

/// One operation of the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Operation {
    /// The spec's `operationId`, e.g. `getCredits`.
    pub id: &'static str,
    /// The API group (snake_case), from `x-speakeasy-group` or the first tag, e.g. `api_keys`.
    pub group: &'static str,
    /// The method name within its group (snake_case), e.g. `get_credits`.
    pub method_name: &'static str,
    /// The HTTP method, upper case.
    pub http_method: &'static str,
    /// The path template relative to the base URL, e.g. `/keys/{hash}`.
    pub path: &'static str,
    /// Parameters substituted into the path, in declaration order.
    pub path_params: &'static [Param],
    /// The generated struct holding the query parameters, if the operation has any.
    pub query_type: Option<&'static str>,
    /// Header parameters (such as `X-OpenRouter-Metadata`).
    pub headers: &'static [Param],
    /// The request body, if any.
    pub body: Option<RequestBody>,
    /// The status of a successful response.
    pub success_status: u16,
    /// What a successful response carries.
    pub response: ResponseKind,
    /// The body field that switches the response to a stream (`stream`), if any.
    pub stream_field: Option<&'static str>,
    /// How the operation pages through results, if it does.
    pub pagination: Option<Pagination>,
    /// The error statuses the spec declares, with the type of their body.
    pub errors: &'static [ErrorStatus],
    /// Whether the success body's type has a top-level `error` field of its own (a batch's or a
    /// response object's), so that a body with `error` beside its other fields is not an error
    /// answer.
    pub body_has_error_field: bool,
    /// Whether the operation needs a management key (the spec says so only in prose).
    pub management_key: bool,
    /// Whether the spec marks the operation deprecated.
    pub deprecated: bool,
    /// The spec's one-line summary.
    pub summary: &'static str,
}

impl Operation {
    /// Whether the operation can answer with a server-sent event stream.
    pub fn streams(&self) -> bool {
        matches!(
            self.response,
            ResponseKind::Sse { .. } | ResponseKind::JsonOrSse { .. }
        )
    }
}

/// A path or header parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Param {
    /// The name on the wire.
    pub name: &'static str,
    /// The Rust type of its value.
    pub rust_type: &'static str,
    /// Whether the spec requires it.
    pub required: bool,
}

/// A request body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestBody {
    /// How it is encoded.
    pub encoding: BodyEncoding,
    /// The generated type that holds it.
    pub rust_type: &'static str,
    /// Whether the spec requires it.
    pub required: bool,
}

/// How a request body is encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BodyEncoding {
    /// `application/json`.
    Json,
    /// `multipart/form-data` (file uploads).
    Multipart,
    /// `application/x-www-form-urlencoded`.
    FormUrlEncoded,
}

/// What a successful response carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResponseKind {
    /// No body.
    Empty,
    /// A JSON body of the given type.
    Json {
        /// The generated type of the body.
        rust_type: &'static str,
    },
    /// JSON, or a server-sent event stream when the request sets its stream field.
    JsonOrSse {
        /// The generated type of the JSON body.
        rust_type: &'static str,
        /// The type of each event's `data`.
        event_type: &'static str,
        /// The `data` that ends the stream, e.g. `[DONE]`.
        sentinel: Option<&'static str>,
    },
    /// Always a server-sent event stream.
    Sse {
        /// The type of each event's `data`.
        event_type: &'static str,
        /// The `data` that ends the stream, e.g. `[DONE]`.
        sentinel: Option<&'static str>,
    },
    /// Raw bytes (audio, video, file content).
    Binary {
        /// The declared content type, e.g. `audio/*`.
        content_type: &'static str,
    },
}

/// How an operation pages through results.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Pagination {
    /// `offset` and `limit` query parameters; the next offset is `offset + items on this page`.
    OffsetLimit {
        /// JSON path of the items, e.g. `$.data`.
        results: &'static str,
    },
    /// A cursor query parameter; the next cursor is read from the response.
    Cursor {
        /// The query parameter that carries the cursor.
        param: &'static str,
        /// JSON path of the next cursor, e.g. `$.cursor`.
        next_cursor: &'static str,
        /// JSON path of the items, e.g. `$.data`.
        results: &'static str,
    },
}

/// An error status that the spec declares for an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ErrorStatus {
    /// The HTTP status.
    pub status: u16,
    /// The generated type of its JSON body, if the spec gives one.
    pub rust_type: Option<&'static str>,
}
