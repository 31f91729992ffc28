//! Runtime support for the generated code: open enums, union decoding, tri-state fields, query
//! strings.
//!
//! The generated types call into this module so that the generator emits declarations, not
//! algorithms: the rules below are written (and tested) once.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};

/// Declares an open string enum: the known values as variants plus `Unknown(String)`, which keeps
/// any other value so that a value added to the API later still round-trips.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value this version of the SDK does not know, kept as sent.
            Unknown(String),
        }

        impl $name {
            /// Every value the spec lists, in spec order.
            pub const KNOWN_VALUES: &'static [&'static str] = &[$($value),*];

            /// The wire value.
            #[inline]
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $value, )*
                    Self::Unknown(other) => other.as_str(),
                }
            }

            /// Whether the value is one this version of the SDK does not know.
            #[inline]
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }

            #[inline]
            fn from_known(value: &str) -> Option<Self> {
                match value {
                    $( $value => Some(Self::$variant), )*
                    _ => None,
                }
            }
        }

        impl ::std::fmt::Display for $name {
            #[inline]
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            #[inline]
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl From<&str> for $name {
            #[inline]
            fn from(value: &str) -> Self {
                Self::from_known(value).unwrap_or_else(|| {
                    $crate::rt::count_unknown();
                    Self::Unknown(value.to_owned())
                })
            }
        }

        impl From<String> for $name {
            #[inline]
            fn from(value: String) -> Self {
                match Self::from_known(&value) {
                    Some(known) => known,
                    None => {
                        $crate::rt::count_unknown();
                        Self::Unknown(value)
                    }
                }
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Visitor;
                impl<'de> ::serde::de::Visitor<'de> for Visitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("a string (", stringify!($name), ")"))
                    }
                    fn visit_str<E: ::serde::de::Error>(self, value: &str) -> Result<$name, E> {
                        Ok($name::from(value))
                    }
                    fn visit_string<E: ::serde::de::Error>(self, value: String) -> Result<$name, E> {
                        Ok($name::from(value))
                    }
                }
                deserializer.deserialize_str(Visitor)
            }
        }
    };
}
pub(crate) use open_enum;

/// Bytes of a `format: binary` field (a multipart file part, an audio or video download).
///
/// In JSON it is written as a string; bytes that are not UTF-8 are written lossily.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Binary(pub Vec<u8>);

impl Serialize for Binary {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&String::from_utf8_lossy(&self.0))
    }
}

impl<'de> Deserialize<'de> for Binary {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(|s| Binary(s.into_bytes()))
    }
}

impl From<Vec<u8>> for Binary {
    fn from(bytes: Vec<u8>) -> Self {
        Binary(bytes)
    }
}

/// Deserializes an optional, nullable field of a PATCH body so that `null` is `Some(None)` and a
/// missing field (through `#[serde(default)]`) is `None`.
pub(crate) fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Decodes a union member from its text, naming the path of the first failure.
fn decode<T: DeserializeOwned>(value: &Raw<'_>) -> Result<T, String> {
    let tracking = Tracking::start();
    match value.decode::<T>() {
        Ok(v) => Ok(v),
        Err(e) => {
            let path = tracking.path();
            if path == "." {
                Err(e.to_string())
            } else {
                Err(format!("at `{path}`: {e}"))
            }
        }
    }
}

/// Decodes the one member of a union that a tag selected; the error names the member.
pub(crate) fn member<T: DeserializeOwned>(
    value: &Raw<'_>,
    union: &str,
    variant: &str,
) -> Result<T, String> {
    decode(value).map_err(|e| format!("invalid `{union}::{variant}`: {e}"))
}

/// Ordered trial of union members, remembering why each one failed.
pub(crate) struct Trial {
    union: &'static str,
    errors: Vec<(&'static str, String)>,
}

impl Trial {
    pub(crate) fn new(union: &'static str) -> Self {
        Trial {
            union,
            errors: Vec::new(),
        }
    }

    pub(crate) fn attempt<T: DeserializeOwned>(
        &mut self,
        value: &Raw<'_>,
        variant: &'static str,
    ) -> Option<T> {
        // Members are told apart by what they require, so they are tried strictly even in a
        // lenient decode (which then picks the member that needs the fewest repairs).
        let strict = set_mode(false);
        let before = Counters::now();
        let decoded = decode(value);
        drop(strict);
        if decoded.is_err() {
            before.restore();
        }
        match decoded {
            Ok(v) => Some(v),
            Err(e) => {
                self.errors.push((variant, e));
                None
            }
        }
    }

    pub(crate) fn finish(self) -> String {
        if self.errors.is_empty() {
            return format!(
                "no member of `{}` accepts this kind of JSON value",
                self.union
            );
        }
        let tried: Vec<String> = self
            .errors
            .iter()
            .map(|(v, e)| format!("`{v}`: {e}"))
            .collect();
        format!(
            "no member of `{}` matched ({})",
            self.union,
            tried.join("; ")
        )
    }
}

/// Appends a query parameter: scalars as text, booleans as `true`/`false`, arrays repeated per
/// element (`explode`) or comma-joined, objects as JSON; unset (`None`/`null`) values are left out.
pub(crate) fn push_query<T: Serialize>(
    pairs: &mut Vec<(&'static str, String)>,
    name: &'static str,
    value: &T,
    explode: bool,
) {
    fn text(v: &serde_json::Value) -> Option<String> {
        match v {
            serde_json::Value::Null => None,
            serde_json::Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        }
    }
    let Ok(value) = serde_json::to_value(value) else {
        return;
    };
    match value {
        serde_json::Value::Array(items) if explode => {
            pairs.extend(items.iter().filter_map(text).map(|t| (name, t)));
        }
        serde_json::Value::Array(items) => {
            let joined: Vec<String> = items.iter().filter_map(text).collect();
            pairs.push((name, joined.join(",")));
        }
        other => pairs.extend(text(&other).map(|t| (name, t))),
    }
}

/// Decodes `value` as `T` and encodes it again (conformance tests).
#[cfg(feature = "spec-registry")]
pub(crate) fn round_trip<T: DeserializeOwned + Serialize>(
    value: &serde_json::Value,
) -> Result<serde_json::Value, String> {
    let tracking = Tracking::start();
    let decoded = T::deserialize(value).map_err(|e| match tracking.path().as_str() {
        "." => e.to_string(),
        path => format!("at `{path}`: {e}"),
    })?;
    serde_json::to_value(&decoded).map_err(|e| format!("re-encoding failed: {e}"))
}

/// Decodes `value` as `T` the way the client does (strict, then lenient) and encodes it again;
/// also the decoded value's `Debug` text (mutation tests).
#[cfg(feature = "spec-registry")]
pub(crate) fn lenient_round_trip<T: DeserializeOwned + Serialize + std::fmt::Debug>(
    value: &serde_json::Value,
) -> Result<(serde_json::Value, String), String> {
    let decoded: T = from_value(value).map_err(|e| e.to_string())?;
    let back = serde_json::to_value(&decoded).map_err(|e| format!("re-encoding failed: {e}"))?;
    Ok((back, format!("{decoded:?}")))
}

/// An error `code`: OpenRouter sends HTTP-status numbers (`429`) in error bodies and, in
/// mid-stream errors, sometimes strings (`"server_error"`). Both are kept as sent.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// A numeric code, usually the HTTP status.
    Number(i64),
    /// A textual code such as `server_error`.
    Text(String),
}

impl ErrorCode {
    /// The code as an HTTP status, when it is a number in the status range.
    pub fn as_status(&self) -> Option<u16> {
        match self {
            ErrorCode::Number(n) => u16::try_from(*n).ok().filter(|s| (100..=599).contains(s)),
            ErrorCode::Text(t) => t.parse::<u16>().ok().filter(|s| (100..=599).contains(s)),
        }
    }

    /// The textual code, when it is one.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            ErrorCode::Text(t) => Some(t),
            ErrorCode::Number(_) => None,
        }
    }
}

impl Default for ErrorCode {
    fn default() -> Self {
        ErrorCode::Number(0)
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ErrorCode::Number(n) => write!(f, "{n}"),
            ErrorCode::Text(t) => f.write_str(t),
        }
    }
}

impl From<i64> for ErrorCode {
    fn from(n: i64) -> Self {
        ErrorCode::Number(n)
    }
}

impl From<u16> for ErrorCode {
    fn from(n: u16) -> Self {
        ErrorCode::Number(n.into())
    }
}

impl From<&str> for ErrorCode {
    fn from(t: &str) -> Self {
        ErrorCode::Text(t.to_owned())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            ErrorCode::Number(n) => serializer.serialize_i64(*n),
            ErrorCode::Text(t) => serializer.serialize_str(t),
        }
    }
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = ErrorCode;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an error code (number or string)")
            }
            fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<ErrorCode, E> {
                Ok(ErrorCode::Number(n))
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<ErrorCode, E> {
                i64::try_from(n)
                    .map(ErrorCode::Number)
                    .map_err(|_| E::custom("error code out of range"))
            }
            fn visit_f64<E: serde::de::Error>(self, n: f64) -> Result<ErrorCode, E> {
                if n.fract() == 0.0 && n.abs() < 1e15 {
                    Ok(ErrorCode::Number(n as i64))
                } else {
                    Ok(ErrorCode::Text(n.to_string()))
                }
            }
            fn visit_str<E: serde::de::Error>(self, t: &str) -> Result<ErrorCode, E> {
                Ok(ErrorCode::Text(t.to_owned()))
            }
            fn visit_string<E: serde::de::Error>(self, t: String) -> Result<ErrorCode, E> {
                Ok(ErrorCode::Text(t))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

// ---------------------------------------------------------------------------------------------
// Lenient decoding of responses.
//
// The generated structs decode in one of two modes, chosen per thread for the duration of a
// decode. *Strict* (the default, what `serde_json::from_*` gives) is the spec's letter: a missing
// required field or a value of the wrong type is an error. *Lenient* (`crate::from_slice` and
// friends, which the client uses when the strict decode fails) never fails a struct over one
// field: a missing required field reads as an empty value and is recorded; a value of the wrong
// type is kept raw in the struct's `extra` under its field name, recorded, and written back in
// place of the (empty) typed field. A lenient field reads its value's text first (`Raw`, below)
// so that it can try the type and keep the value when it does not fit; the fast path never pays
// for it.

use std::cell::Cell;

thread_local! {
    static LENIENT: Cell<bool> = const { Cell::new(false) };
    static REPAIRS: Cell<u64> = const { Cell::new(0) };
    static MATCHED: Cell<u64> = const { Cell::new(0) };
}

/// Counts a value this version does not know (an open enum's or a union's `Unknown`): in a
/// lenient decode, a union member that needs fewer of them is the better fit.
#[inline]
pub(crate) fn count_unknown() {
    count_repair();
}

fn count_matched() {
    MATCHED.with(|c| c.set(c.get() + 1));
}

fn matched() -> u64 {
    MATCHED.with(Cell::get)
}

/// The repair and fit counters, to take back what a failed attempt counted.
#[derive(Clone, Copy)]
struct Counters(u64, u64);

impl Counters {
    fn now() -> Self {
        Counters(repairs(), matched())
    }

    fn restore(self) {
        REPAIRS.with(|c| c.set(self.0));
        MATCHED.with(|c| c.set(self.1));
    }
}

/// Whether the current decode is lenient (read once per struct).
#[inline]
pub(crate) fn is_lenient() -> bool {
    LENIENT.with(Cell::get)
}

/// Restores the previous mode when dropped (also on unwinding).
struct ModeGuard(bool);

impl Drop for ModeGuard {
    fn drop(&mut self) {
        LENIENT.with(|c| c.set(self.0));
    }
}

fn set_mode(lenient: bool) -> ModeGuard {
    ModeGuard(LENIENT.with(|c| c.replace(lenient)))
}

fn count_repair() {
    REPAIRS.with(|c| c.set(c.get() + 1));
}

fn repairs() -> u64 {
    REPAIRS.with(Cell::get)
}

/// Decodes a response body as the API really sends it: like `serde_json::from_slice`, but one
/// missing, `null` or oddly typed field does not fail the whole value.
///
/// The spec-exact decode runs first (no cost for a body that follows the spec). When it fails,
/// the body is decoded again leniently: a required field that is missing
/// reads as an empty value, a value of the wrong type is kept raw in its struct's `extra` map
/// under the field's name (and written back from there), a list keeps the items that decode,
/// and a union falls back to the member that needs the fewest repairs. Each struct's
/// `decode_issues()` says which of its fields were missing or invalid. A body that is not JSON,
/// or whose top-level shape does not fit `T` (an array for a struct), is still an error.
///
/// ```
/// use openrouter_types::models::Model;
/// let model: Model = openrouter_types::from_slice(br#"{"id": "a/b", "links": null}"#).unwrap();
/// assert_eq!(model.id, "a/b");
/// assert!(model.decode_issues().missing().any(|f| f == "name"));
/// assert_eq!(model.extra["links"], serde_json::Value::Null); // kept as sent
/// ```
#[allow(dead_code)] // used through the crate root (not by `cargo xtask drift`'s scratch crate)
pub fn from_slice<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> serde_json::Result<T> {
    from_str(text(bytes)?)
}

/// [`from_slice`] for text.
#[allow(dead_code)]
pub fn from_str<T: serde::de::DeserializeOwned>(text: &str) -> serde_json::Result<T> {
    match serde_json::from_str(text) {
        Ok(v) => Ok(v),
        Err(_) => lenient_str(text),
    }
}

/// `bytes` as text, or the error `serde_json` gives for them. Every decode of this crate reads
/// text (`serde_json`'s `StrRead`): one reader, so each type's decoder is compiled once, and
/// the one that checks UTF-8 once for the whole input rather than string by string.
pub(crate) fn text(bytes: &[u8]) -> serde_json::Result<&str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(e) => Err(not_text(e)),
    }
}

/// The error for input that is not UTF-8, saying where (no more is read: a tree of a large body
/// would cost memory to say the same).
#[cold]
#[inline(never)]
fn not_text(error: std::str::Utf8Error) -> serde_json::Error {
    serde::de::Error::custom(format_args!(
        "the input is not UTF-8 (at byte {})",
        error.valid_up_to()
    ))
}

/// [`from_slice`] for a parsed value. (The client decodes bytes; decoding from a tree compiles
/// each type's decoder a second time, for the tree, and a union member is read from the tree
/// printed as text.)
pub fn from_value<T: serde::de::DeserializeOwned>(
    value: &serde_json::Value,
) -> serde_json::Result<T> {
    match T::deserialize(value) {
        Ok(v) => Ok(v),
        Err(_) => lenient_from_value(value),
    }
}

/// The lenient decode of [`from_str`], through the same reader as the strict one (so a type's
/// decoder is compiled once for both).
#[cold]
#[inline(never)]
fn lenient_str<T: serde::de::DeserializeOwned>(text: &str) -> serde_json::Result<T> {
    let _mode = set_mode(true);
    serde_json::from_str(text)
}

/// Decodes `bytes` strictly as `T`, like `serde_json::from_slice`; when that fails, the error
/// comes with the JSON path where it failed (`choices[0].message.content`, `.` for the top
/// level). For reporting a body that does not decode; [`from_slice`] is the lenient decoder.
///
/// ```
/// use openrouter_types::chat::ChatResult;
/// let body = br#"{"id": "x", "choices": [{"index": "zero"}]}"#;
/// let (path, _error) = openrouter_types::from_slice_with_path::<ChatResult>(body).unwrap_err();
/// assert_eq!(path, "choices[0].index");
/// ```
#[allow(dead_code)] // used through the crate root (not by `cargo xtask drift`'s scratch crate)
pub fn from_slice_with_path<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
) -> Result<T, (String, serde_json::Error)> {
    let _mode = set_mode(false);
    let tracking = Tracking::start();
    let text = text(bytes).map_err(|e| (".".to_owned(), e))?;
    serde_json::from_str(text).map_err(|e| (tracking.path(), e))
}

/// Decodes `value` leniently (see the module notes).
pub(crate) fn lenient_from_value<T: DeserializeOwned>(
    value: &serde_json::Value,
) -> Result<T, serde_json::Error> {
    let _mode = set_mode(true);
    T::deserialize(value)
}

/// What went wrong with one declared field when a struct was decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FieldIssue {
    /// The spec requires the field and the payload left it out (or, for a field the spec lets be
    /// `null`, left it out rather than sending `null`). The typed field holds an empty value
    /// (`""`, `0`, `false`, an empty list, `None`, or `Unknown` for enums and unions) and is not
    /// written back on serialization.
    Missing,
    /// The payload held a value that does not fit the field's type (a `null` where the spec
    /// allows none, a number for an object...). The value is kept as sent in the struct's
    /// `extra` map under the field's name and written back from there; the typed field holds an
    /// empty value, or for a list the items that did decode.
    Invalid,
}

/// The declared fields of a struct that were missing or invalid when it was decoded; empty for
/// a payload that follows the spec, and for every value built in code.
///
/// Only the lenient decoders (`openrouter_types::from_slice` and friends, which the client uses)
/// record invalid fields and missing required ones; a strict decode (`serde_json::from_*`) fails
/// on them instead, and records only a missing field that the spec requires but lets be `null`
/// (so that it is not written back as `null`).
#[derive(Clone, Default, PartialEq, Eq, Hash)]
// One pointer in every struct (a `Vec` would be three words), allocated only when a field is off.
#[allow(clippy::box_collection)]
pub struct FieldIssues(Option<Box<Vec<(&'static str, FieldIssue)>>>);

impl std::fmt::Debug for FieldIssues {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.list()).finish()
    }
}

impl FieldIssues {
    fn list(&self) -> &[(&'static str, FieldIssue)] {
        self.0.as_deref().map_or(&[], Vec::as_slice)
    }

    /// Whether every declared field was present and well typed.
    pub fn is_empty(&self) -> bool {
        self.list().is_empty()
    }

    /// Every field with an issue, in the order they were found.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, FieldIssue)> + '_ {
        self.list().iter().copied()
    }

    /// The required fields the payload left out.
    pub fn missing(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.iter()
            .filter(|(_, i)| *i == FieldIssue::Missing)
            .map(|(f, _)| f)
    }

    /// The fields whose value did not fit their type (kept raw in `extra`).
    pub fn invalid(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.iter()
            .filter(|(_, i)| *i == FieldIssue::Invalid)
            .map(|(f, _)| f)
    }

    /// The issue of one field (by its JSON name), if it has one.
    pub fn get(&self, field: &str) -> Option<FieldIssue> {
        self.list()
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, i)| *i)
    }

    /// Whether serialization leaves the typed field out (missing, or written from `extra`).
    #[inline]
    pub(crate) fn skips(&self, field: &str) -> bool {
        self.0.is_some() && self.get(field).is_some()
    }

    /// The issues of a value started by a generated `builder()`: each of `fields` missing until
    /// its setter is called.
    pub(crate) fn unset(fields: &[&'static str]) -> Self {
        FieldIssues(Some(Box::new(
            fields.iter().map(|f| (*f, FieldIssue::Missing)).collect(),
        )))
    }

    /// A builder's setter was called for `field`.
    pub(crate) fn set(&mut self, field: &str) {
        if let Some(list) = self.0.as_mut() {
            list.retain(|(f, _)| *f != field);
            if list.is_empty() {
                self.0 = None;
            }
        }
    }

    /// `build()` of a generated builder: every required field set, or the ones that are not.
    pub(crate) fn check_set(&self, type_name: &'static str) -> Result<(), MissingFields> {
        let fields: Vec<&'static str> = self.missing().collect();
        if fields.is_empty() {
            Ok(())
        } else {
            Err(MissingFields { type_name, fields })
        }
    }

    fn record(&mut self, field: &'static str, issue: FieldIssue) {
        count_repair();
        self.0
            .get_or_insert_with(Default::default)
            .push((field, issue));
    }
}

/// A generated `build()` was called before every required field was set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MissingFields {
    /// The type being built.
    pub type_name: &'static str,
    /// The required fields (JSON names) whose setters were not called.
    pub fields: Vec<&'static str>,
}

impl std::fmt::Display for MissingFields {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} is missing required fields: {}",
            self.type_name,
            self.fields.join(", ")
        )
    }
}

impl std::error::Error for MissingFields {}

/// Where a struct keeps unknown fields and invalid values (absent when the model is built with
/// `--cfg openrouter_types_drop_unknown`).
pub(crate) trait Keep: Default {
    fn keep(&mut self, key: &str, value: serde_json::Value);
    /// Drops what `keep` kept under `key`.
    fn forget(&mut self, key: &str);
    fn unknown<'de, A: serde::de::MapAccess<'de>>(
        &mut self,
        map: &mut A,
        key: Key<'de>,
    ) -> Result<(), A::Error>;
}

impl Keep for serde_json::Map<String, serde_json::Value> {
    #[inline]
    fn keep(&mut self, key: &str, value: serde_json::Value) {
        self.insert(key.to_owned(), value);
    }
    #[inline]
    fn forget(&mut self, key: &str) {
        self.remove(key);
    }
    #[inline]
    fn unknown<'de, A: serde::de::MapAccess<'de>>(
        &mut self,
        map: &mut A,
        key: Key<'de>,
    ) -> Result<(), A::Error> {
        match map.next_value() {
            Ok(value) => {
                self.insert(key.into_owned(), value);
                Ok(())
            }
            Err(e) => Err(at(Segment::Key(key.into_owned()), e)),
        }
    }
}

/// `extra` compiled out: unknown fields and invalid values are dropped.
#[derive(Default)]
#[allow(dead_code)]
pub(crate) struct NoExtra;

impl Keep for NoExtra {
    fn keep(&mut self, _key: &str, _value: serde_json::Value) {}
    fn forget(&mut self, _key: &str) {}
    fn unknown<'de, A: serde::de::MapAccess<'de>>(
        &mut self,
        map: &mut A,
        _key: Key<'de>,
    ) -> Result<(), A::Error> {
        map.next_value::<serde::de::IgnoredAny>().map(|_| ())
    }
}

/// An object key, borrowed from the input when it can be.
pub(crate) enum Key<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl Key<'_> {
    #[inline]
    pub(crate) fn as_str(&self) -> &str {
        match self {
            Key::Borrowed(s) => s,
            Key::Owned(s) => s,
        }
    }

    fn into_owned(self) -> String {
        match self {
            Key::Borrowed(s) => s.to_owned(),
            Key::Owned(s) => s,
        }
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key::Borrowed(v))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key::Owned(v.to_owned()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key::Owned(v))
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

/// Reads the value of a declared field of type `T`. Strict: as `T`, or the error. Lenient: a
/// value that does not fit `T` is kept raw and recorded, and `None` is returned.
#[inline]
pub(crate) fn field<'de, A, T, K>(
    map: &mut A,
    lenient: bool,
    key: &'static str,
    extra: &mut K,
    issues: &mut FieldIssues,
) -> Result<Option<T>, A::Error>
where
    A: serde::de::MapAccess<'de>,
    T: DeserializeOwned,
    K: Keep,
{
    if !lenient {
        return map
            .next_value()
            .map(Some)
            .map_err(|e| at(Segment::Field(key), e));
    }
    lenient_field(map, key, extra, issues)
}

#[inline(never)]
fn lenient_field<'de, A, T, K>(
    map: &mut A,
    key: &'static str,
    extra: &mut K,
    issues: &mut FieldIssues,
) -> Result<Option<T>, A::Error>
where
    A: serde::de::MapAccess<'de>,
    T: DeserializeOwned,
    K: Keep,
{
    let raw: Raw<'de> = map.next_value().map_err(|e| at(Segment::Field(key), e))?;
    let before = Counters::now();
    let mark = path_mark();
    match raw.decode::<T>() {
        Ok(v) => {
            count_matched();
            fits(key, extra, issues);
            Ok(Some(v))
        }
        Err(_) => {
            path_reset(mark);
            before.restore();
            extra.keep(key, raw.into_json()?);
            issues.record(key, FieldIssue::Invalid);
            Ok(None)
        }
    }
}

/// A field's value fits: an earlier occurrence of the same key that did not (a repeated key)
/// is forgotten, so that the last occurrence counts, as in a `serde_json::Value` (and as the
/// strict decode counts it).
#[inline]
fn fits<K: Keep>(key: &'static str, extra: &mut K, issues: &mut FieldIssues) {
    if issues.get(key).is_some() {
        issues.set(key);
        extra.forget(key);
    }
}

/// A list field (`Vec<T>` or `Option<Vec<T>>`) that keeps the items that decode when others
/// do not.
pub(crate) trait List<T>: DeserializeOwned {
    fn from_items(items: Vec<T>) -> Self;
    /// Reads the list as the next value of `map`, naming the item that fails.
    fn next<'de, A: serde::de::MapAccess<'de>>(map: &mut A) -> Result<Self, A::Error>;
}

impl<T: DeserializeOwned> List<T> for Vec<T> {
    fn from_items(items: Vec<T>) -> Self {
        items
    }
    #[inline]
    fn next<'de, A: serde::de::MapAccess<'de>>(map: &mut A) -> Result<Self, A::Error> {
        map.next_value_seed(Items(std::marker::PhantomData))
    }
}

impl<T: DeserializeOwned> List<T> for Option<Vec<T>> {
    fn from_items(items: Vec<T>) -> Self {
        Some(items)
    }
    #[inline]
    fn next<'de, A: serde::de::MapAccess<'de>>(map: &mut A) -> Result<Self, A::Error> {
        map.next_value_seed(Nullable(Items(std::marker::PhantomData)))
    }
}

type StrMap<T> = std::collections::BTreeMap<String, T>;

/// A map field (`BTreeMap<String, T>` or its `Option`) that keeps the entries that decode when
/// others do not.
pub(crate) trait Dict<T>: DeserializeOwned {
    fn from_entries(entries: StrMap<T>) -> Self;
    /// Reads the map as the next value of `map`, naming the entry that fails.
    fn next<'de, A: serde::de::MapAccess<'de>>(map: &mut A) -> Result<Self, A::Error>;
}

impl<T: DeserializeOwned> Dict<T> for StrMap<T> {
    fn from_entries(entries: StrMap<T>) -> Self {
        entries
    }
    #[inline]
    fn next<'de, A: serde::de::MapAccess<'de>>(map: &mut A) -> Result<Self, A::Error> {
        map.next_value_seed(Entries(std::marker::PhantomData))
    }
}

impl<T: DeserializeOwned> Dict<T> for Option<StrMap<T>> {
    fn from_entries(entries: StrMap<T>) -> Self {
        Some(entries)
    }
    #[inline]
    fn next<'de, A: serde::de::MapAccess<'de>>(map: &mut A) -> Result<Self, A::Error> {
        map.next_value_seed(Nullable(Entries(std::marker::PhantomData)))
    }
}

/// Like [`list_field`] for a map.
#[inline]
pub(crate) fn map_field<'de, A, T, M, K>(
    map: &mut A,
    lenient: bool,
    key: &'static str,
    extra: &mut K,
    issues: &mut FieldIssues,
) -> Result<Option<M>, A::Error>
where
    A: serde::de::MapAccess<'de>,
    T: DeserializeOwned,
    M: Dict<T>,
    K: Keep,
{
    if !lenient {
        return M::next(map)
            .map(Some)
            .map_err(|e| at(Segment::Field(key), e));
    }
    lenient_map_field::<A, T, M, K>(map, key, extra, issues)
}

#[inline(never)]
fn lenient_map_field<'de, A, T, M, K>(
    map: &mut A,
    key: &'static str,
    extra: &mut K,
    issues: &mut FieldIssues,
) -> Result<Option<M>, A::Error>
where
    A: serde::de::MapAccess<'de>,
    T: DeserializeOwned,
    M: Dict<T>,
    K: Keep,
{
    let raw: Raw<'de> = map.next_value().map_err(|e| at(Segment::Field(key), e))?;
    let before = Counters::now();
    let mark = path_mark();
    if let Ok(v) = raw.decode::<M>() {
        count_matched();
        fits(key, extra, issues);
        return Ok(Some(v));
    }
    path_reset(mark);
    before.restore();
    let entries = match raw.parts::<StrMap<Raw<'_>>>() {
        Ok(entries) => Some(
            entries
                .into_iter()
                .filter_map(|(k, v)| v.decode::<T>().ok().map(|v| (k, v)))
                .collect(),
        ),
        Err(_) => None,
    };
    path_reset(mark);
    extra.keep(key, raw.into_json()?);
    issues.record(key, FieldIssue::Invalid);
    Ok(entries.map(M::from_entries))
}

/// Like [`field`] for a list: when some items do not decode, the list is kept raw (so it is
/// written back whole and in order) and the typed field holds the items that did decode.
#[inline]
pub(crate) fn list_field<'de, A, T, L, K>(
    map: &mut A,
    lenient: bool,
    key: &'static str,
    extra: &mut K,
    issues: &mut FieldIssues,
) -> Result<Option<L>, A::Error>
where
    A: serde::de::MapAccess<'de>,
    T: DeserializeOwned,
    L: List<T>,
    K: Keep,
{
    if !lenient {
        return L::next(map)
            .map(Some)
            .map_err(|e| at(Segment::Field(key), e));
    }
    lenient_list_field::<A, T, L, K>(map, key, extra, issues)
}

#[inline(never)]
fn lenient_list_field<'de, A, T, L, K>(
    map: &mut A,
    key: &'static str,
    extra: &mut K,
    issues: &mut FieldIssues,
) -> Result<Option<L>, A::Error>
where
    A: serde::de::MapAccess<'de>,
    T: DeserializeOwned,
    L: List<T>,
    K: Keep,
{
    let raw: Raw<'de> = map.next_value().map_err(|e| at(Segment::Field(key), e))?;
    let before = Counters::now();
    let mark = path_mark();
    if let Ok(v) = raw.decode::<L>() {
        count_matched();
        fits(key, extra, issues);
        return Ok(Some(v));
    }
    path_reset(mark);
    before.restore();
    let items = match raw.parts::<Vec<Raw<'_>>>() {
        Ok(items) => Some(
            items
                .iter()
                .filter_map(|item| item.decode::<T>().ok())
                .collect(),
        ),
        Err(_) => None,
    };
    path_reset(mark);
    extra.keep(key, raw.into_json()?);
    issues.record(key, FieldIssue::Invalid);
    Ok(items.map(L::from_items))
}

/// The value of a required field once the object is read: missing is an error when strict, an
/// empty value (recorded) when lenient. A field already recorded invalid is not recorded again.
#[inline]
pub(crate) fn required<T: Fill, E: serde::de::Error>(
    slot: Option<T>,
    key: &'static str,
    lenient: bool,
    issues: &mut FieldIssues,
) -> Result<T, E> {
    match slot {
        Some(v) => Ok(v),
        None => missing(key, lenient, issues),
    }
}

#[cold]
#[inline(never)]
fn missing<T: Fill, E: serde::de::Error>(
    key: &'static str,
    lenient: bool,
    issues: &mut FieldIssues,
) -> Result<T, E> {
    if issues.get(key).is_none() {
        if !lenient {
            return Err(E::missing_field(key));
        }
        issues.record(key, FieldIssue::Missing);
    }
    Ok(T::fill())
}

/// The value of a required field the spec lets be `null`: missing is not an error (the API
/// leaves such fields out), and is recorded so that serialization does not add a `null`.
#[inline]
pub(crate) fn required_nullable<T>(
    slot: Option<Option<T>>,
    key: &'static str,
    issues: &mut FieldIssues,
) -> Option<T> {
    match slot {
        Some(v) => v,
        None => {
            if issues.get(key).is_none() {
                issues.record(key, FieldIssue::Missing);
            }
            None
        }
    }
}

/// The empty value a required field reads as when a lenient decode finds it missing or invalid.
pub(crate) trait Fill {
    fn fill() -> Self;
}

macro_rules! fill_default {
    ($($t:ty),*) => { $(impl Fill for $t { fn fill() -> Self { Default::default() } })* };
}
fill_default!(
    String,
    bool,
    i32,
    i64,
    f32,
    f64,
    serde_json::Value,
    serde_json::Map<String, serde_json::Value>,
    Binary,
    ErrorCode
);

impl<T> Fill for Vec<T> {
    fn fill() -> Self {
        Vec::new()
    }
}

impl<T> Fill for Option<T> {
    fn fill() -> Self {
        None
    }
}

impl<T: Fill> Fill for Box<T> {
    fn fill() -> Self {
        Box::new(T::fill())
    }
}

impl<T> Fill for std::collections::BTreeMap<String, T> {
    fn fill() -> Self {
        Default::default()
    }
}

/// In a lenient decode, the union member that needs the fewest repairs when no member decodes
/// strictly. A member is only a candidate when at least as many of its fields fit as need a
/// repair: an object that shares nothing with a member is not that member with every field
/// missing (the union's field is then kept raw instead).
pub(crate) struct Best<U> {
    start: Counters,
    best: Option<(u64, u64, U)>,
}

impl<U> Best<U> {
    pub(crate) fn new() -> Self {
        Best {
            start: Counters::now(),
            best: None,
        }
    }

    /// Tries one member leniently; on a tie the earlier (more specific) member stays. Only what
    /// the chosen member counted stays counted (for the union this one is a member of).
    pub(crate) fn consider<T: DeserializeOwned>(
        &mut self,
        value: &Raw<'_>,
        wrap: impl FnOnce(T) -> U,
    ) {
        self.start.restore();
        let mark = path_mark();
        let decoded = value.decode::<T>();
        path_reset(mark);
        if let Ok(v) = decoded {
            let (cost, fit) = (repairs() - self.start.0, matched() - self.start.1);
            if cost > fit.max(1) {
                return;
            }
            let better = match &self.best {
                None => true,
                Some((c, f, _)) => cost < *c || (cost == *c && fit > *f),
            };
            if better {
                self.best = Some((cost, fit, wrap(v)));
            }
        }
    }

    pub(crate) fn finish(self) -> Option<U> {
        match self.best {
            Some((cost, fit, u)) => {
                Counters(self.start.0 + cost, self.start.1 + fit).restore();
                Some(u)
            }
            None => {
                self.start.restore();
                None
            }
        }
    }
}

/// The state of one struct's decode: its mode, what it keeps, what went wrong.
pub(crate) struct State<K> {
    lenient: bool,
    pub(crate) extra: K,
    pub(crate) issues: FieldIssues,
}

impl<K: Keep> State<K> {
    #[inline]
    pub(crate) fn new() -> Self {
        State {
            lenient: is_lenient(),
            extra: K::default(),
            issues: FieldIssues::default(),
        }
    }

    /// A declared field (required, or required and nullable with `T = Option<_>`).
    #[inline]
    pub(crate) fn field<'de, A: serde::de::MapAccess<'de>, T: DeserializeOwned>(
        &mut self,
        map: &mut A,
        key: &'static str,
        slot: &mut Option<T>,
    ) -> Result<(), A::Error> {
        if let Some(v) = field(map, self.lenient, key, &mut self.extra, &mut self.issues)? {
            *slot = Some(v);
        }
        Ok(())
    }

    /// An optional field: `null` reads as unset.
    #[inline]
    pub(crate) fn optional<'de, A: serde::de::MapAccess<'de>, T: DeserializeOwned>(
        &mut self,
        map: &mut A,
        key: &'static str,
        slot: &mut Option<T>,
    ) -> Result<(), A::Error> {
        if let Some(v) =
            field::<A, Option<T>, K>(map, self.lenient, key, &mut self.extra, &mut self.issues)?
        {
            *slot = v;
        }
        Ok(())
    }

    /// A required list.
    #[inline]
    pub(crate) fn list<'de, A: serde::de::MapAccess<'de>, T: DeserializeOwned>(
        &mut self,
        map: &mut A,
        key: &'static str,
        slot: &mut Option<Vec<T>>,
    ) -> Result<(), A::Error> {
        if let Some(v) = list_field::<A, T, Vec<T>, K>(
            map,
            self.lenient,
            key,
            &mut self.extra,
            &mut self.issues,
        )? {
            *slot = Some(v);
        }
        Ok(())
    }

    /// An optional list: `null` reads as unset.
    #[inline]
    pub(crate) fn optional_list<'de, A: serde::de::MapAccess<'de>, T: DeserializeOwned>(
        &mut self,
        map: &mut A,
        key: &'static str,
        slot: &mut Option<Vec<T>>,
    ) -> Result<(), A::Error> {
        if let Some(v) = list_field::<A, T, Option<Vec<T>>, K>(
            map,
            self.lenient,
            key,
            &mut self.extra,
            &mut self.issues,
        )? {
            *slot = v;
        }
        Ok(())
    }

    /// A required map.
    #[inline]
    pub(crate) fn map<'de, A: serde::de::MapAccess<'de>, T: DeserializeOwned>(
        &mut self,
        map: &mut A,
        key: &'static str,
        slot: &mut Option<StrMap<T>>,
    ) -> Result<(), A::Error> {
        if let Some(v) = map_field::<A, T, StrMap<T>, K>(
            map,
            self.lenient,
            key,
            &mut self.extra,
            &mut self.issues,
        )? {
            *slot = Some(v);
        }
        Ok(())
    }

    /// An optional map: `null` reads as unset.
    #[inline]
    pub(crate) fn optional_map<'de, A: serde::de::MapAccess<'de>, T: DeserializeOwned>(
        &mut self,
        map: &mut A,
        key: &'static str,
        slot: &mut Option<StrMap<T>>,
    ) -> Result<(), A::Error> {
        if let Some(v) = map_field::<A, T, Option<StrMap<T>>, K>(
            map,
            self.lenient,
            key,
            &mut self.extra,
            &mut self.issues,
        )? {
            *slot = v;
        }
        Ok(())
    }

    /// A field this version does not declare: kept in `extra`.
    #[inline]
    pub(crate) fn unknown<'de, A: serde::de::MapAccess<'de>>(
        &mut self,
        map: &mut A,
        key: Key<'de>,
    ) -> Result<(), A::Error> {
        self.extra.unknown(map, key)
    }

    #[inline]
    pub(crate) fn required<T: Fill, E: serde::de::Error>(
        &mut self,
        slot: Option<T>,
        key: &'static str,
    ) -> Result<T, E> {
        required(slot, key, self.lenient, &mut self.issues)
    }

    #[inline]
    pub(crate) fn required_nullable<T>(
        &mut self,
        slot: Option<Option<T>>,
        key: &'static str,
    ) -> Option<T> {
        required_nullable(slot, key, &mut self.issues)
    }
}

/// Writes a required field unless it was missing or is written from `extra`.
#[inline]
pub(crate) fn entry<M: serde::ser::SerializeMap, T: Serialize + ?Sized>(
    map: &mut M,
    issues: &FieldIssues,
    key: &'static str,
    value: &T,
) -> Result<(), M::Error> {
    if issues.skips(key) {
        return Ok(());
    }
    map.serialize_entry(key, value)
}

/// Writes an optional field when it is set.
#[inline]
pub(crate) fn opt_entry<M: serde::ser::SerializeMap, T: Serialize>(
    map: &mut M,
    issues: &FieldIssues,
    key: &'static str,
    value: &Option<T>,
) -> Result<(), M::Error> {
    match value {
        Some(v) => entry(map, issues, key, v),
        None => Ok(()),
    }
}

// ---------------------------------------------------------------------------------------------
// Raw JSON text, and where a decode failed.
//
// A union cannot know its member before it has seen the value, and a lenient field must be able
// to keep a value that does not fit. Both read the value as `Raw`, its JSON text (borrowed from
// the input when it can be), and decode from that text with `serde_json`'s text reader
// (`StrRead`): the reader every decode of this crate uses (`from_slice` checks UTF-8 once, then
// reads the text; the client's bodies and stream events go through it). So each type's decoder
// is compiled once, for that one reader, rather than once for bytes, once for text and again for
// a parsed `serde_json::Value` tree.
//
// The path of a failure is recorded on the way out of the error (each field, item and entry adds
// its name), only while a `Tracking` is alive: a decode that nobody asked to locate records
// nothing.

use std::borrow::Cow;
use std::cell::RefCell;

/// One step of a JSON path.
pub(crate) enum Segment {
    /// A declared field.
    Field(&'static str),
    /// A list item.
    Index(usize),
    /// A map entry or an undeclared field.
    Key(String),
}

thread_local! {
    /// The path of the failure being reported, innermost step first.
    static PATH: RefCell<Vec<Segment>> = const { RefCell::new(Vec::new()) };
    /// How many `Tracking`s are alive.
    static TRACKING: Cell<u32> = const { Cell::new(0) };
    /// How many raw decodes are running, one inside the other.
    static NESTED: Cell<u32> = const { Cell::new(0) };
}

/// Adds a step to the path of a failure, when one is being located; returns the error.
#[cold]
#[inline(never)]
pub(crate) fn at<E>(segment: Segment, error: E) -> E {
    if TRACKING.with(Cell::get) > 0 {
        PATH.with(|p| p.borrow_mut().push(segment));
    }
    error
}

/// The length of the path, to take back what a failed attempt that was recovered from added.
pub(crate) fn path_mark() -> usize {
    PATH.with(|p| p.borrow().len())
}

/// Takes the path back to `mark`.
pub(crate) fn path_reset(mark: usize) {
    PATH.with(|p| p.borrow_mut().truncate(mark));
}

/// Records the path of a failure while alive; `path()` reads what was recorded since it started.
pub(crate) struct Tracking {
    mark: usize,
}

impl Tracking {
    pub(crate) fn start() -> Self {
        TRACKING.with(|t| t.set(t.get() + 1));
        Tracking { mark: path_mark() }
    }

    /// The path recorded since the start (`a.b[0].c`, `.` when empty), then forgotten.
    pub(crate) fn path(&self) -> String {
        PATH.with(|p| {
            let mut p = p.borrow_mut();
            let mut out = String::new();
            if p.len() > self.mark {
                for segment in p[self.mark..].iter().rev() {
                    let name = match segment {
                        Segment::Index(i) => {
                            let _ = std::fmt::Write::write_fmt(&mut out, format_args!("[{i}]"));
                            continue;
                        }
                        Segment::Field(name) => *name,
                        Segment::Key(name) => name.as_str(),
                    };
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(name);
                }
            }
            p.truncate(self.mark);
            if out.is_empty() {
                out.push('.');
            }
            out
        })
    }
}

impl Drop for Tracking {
    fn drop(&mut self) {
        TRACKING.with(|t| t.set(t.get() - 1));
        path_reset(self.mark);
    }
}

/// A list's items, naming the index of the item that fails.
pub(crate) struct Items<T>(std::marker::PhantomData<T>);

impl<'de, T: Deserialize<'de>> serde::de::DeserializeSeed<'de> for Items<T> {
    type Value = Vec<T>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Vec<T>, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Items<T> {
    type Value = Vec<T>;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a list")
    }
    fn visit_seq<S: serde::de::SeqAccess<'de>>(self, mut seq: S) -> Result<Vec<T>, S::Error> {
        // As serde's own `Vec` does: a size hint is trusted only so far.
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        loop {
            match seq.next_element() {
                Ok(Some(item)) => items.push(item),
                Ok(None) => return Ok(items),
                Err(e) => return Err(at(Segment::Index(items.len()), e)),
            }
        }
    }
}

/// A map's entries, naming the key of the entry that fails.
pub(crate) struct Entries<T>(std::marker::PhantomData<T>);

impl<'de, T: Deserialize<'de>> serde::de::DeserializeSeed<'de> for Entries<T> {
    type Value = StrMap<T>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<StrMap<T>, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Entries<T> {
    type Value = StrMap<T>;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a map")
    }
    fn visit_map<M: serde::de::MapAccess<'de>>(self, mut map: M) -> Result<StrMap<T>, M::Error> {
        let mut entries = StrMap::new();
        while let Some(key) = map.next_key::<String>()? {
            match map.next_value() {
                Ok(value) => {
                    entries.insert(key, value);
                }
                Err(e) => return Err(at(Segment::Key(key), e)),
            }
        }
        Ok(entries)
    }
}

/// `null` or what `S` reads.
pub(crate) struct Nullable<S>(S);

impl<'de, S: serde::de::DeserializeSeed<'de>> serde::de::DeserializeSeed<'de> for Nullable<S> {
    type Value = Option<S::Value>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de, S: serde::de::DeserializeSeed<'de>> serde::de::Visitor<'de> for Nullable<S> {
    type Value = Option<S::Value>;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a value or null")
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        self.0.deserialize(deserializer).map(Some)
    }
}

/// The nesting depth `serde_json` allows in one document.
const MAX_DEPTH: usize = 128;

/// A JSON value's text, as received (see the notes above).
pub(crate) struct Raw<'a>(Cow<'a, str>);

impl<'a> Raw<'a> {
    fn new<E: serde::de::Error>(text: Cow<'a, str>) -> Result<Self, E> {
        // Capturing a value's text does not count its depth, and each decode from the text
        // starts counting again: the outermost text is held to the document limit, so that no
        // chain of nested decodes goes deeper than one document could.
        if NESTED.with(Cell::get) == 0 && depth(text.as_bytes()) > MAX_DEPTH {
            return Err(E::custom("recursion limit exceeded"));
        }
        Ok(Raw(text))
    }

    fn from_value<E: serde::de::Error>(value: &serde_json::Value) -> Result<Self, E> {
        Raw::new(Cow::Owned(value.to_string()))
    }

    fn first(&self) -> u8 {
        self.0
            .bytes()
            .find(|b| !b.is_ascii_whitespace())
            .unwrap_or(b'n')
    }

    pub(crate) fn is_string(&self) -> bool {
        self.first() == b'"'
    }

    pub(crate) fn is_number(&self) -> bool {
        matches!(self.first(), b'-' | b'0'..=b'9')
    }

    pub(crate) fn is_boolean(&self) -> bool {
        matches!(self.first(), b't' | b'f')
    }

    pub(crate) fn is_array(&self) -> bool {
        self.first() == b'['
    }

    pub(crate) fn is_object(&self) -> bool {
        self.first() == b'{'
    }

    #[allow(dead_code)] // for a union with a `null` member (the generator emits the test)
    pub(crate) fn is_null(&self) -> bool {
        self.first() == b'n'
    }

    /// The string, when the value is one.
    pub(crate) fn string(&self) -> Option<String> {
        if !self.is_string() {
            return None;
        }
        serde_json::from_str(&self.0).ok()
    }

    /// The string value of the object's field `key` (its last occurrence, as in a `Value`),
    /// when the value is an object that has it. Scans the text; decodes only that field.
    pub(crate) fn tag(&self, key: &str) -> Option<String> {
        if !self.is_object() {
            return None;
        }
        scan_field(self.0.as_bytes(), key).flatten()
    }

    /// Decodes `T` from the text, in the current mode.
    pub(crate) fn decode<T: DeserializeOwned>(&self) -> serde_json::Result<T> {
        self.parts()
    }

    /// Decodes a `T` that borrows from the text (the items or entries of a list or map).
    fn parts<'s, T: Deserialize<'s>>(&'s self) -> serde_json::Result<T> {
        let _nested = Nested::enter();
        let mut de = serde_json::Deserializer::from_str(&self.0);
        let value = T::deserialize(&mut de)?;
        de.end()?;
        Ok(value)
    }

    /// The value as a JSON tree (an `Unknown` member, a field kept raw).
    pub(crate) fn into_json<E: serde::de::Error>(self) -> Result<serde_json::Value, E> {
        let _nested = Nested::enter();
        serde_json::from_str(&self.0).map_err(E::custom)
    }
}

/// Counts a decode from raw text while alive (also on unwinding).
struct Nested;

impl Nested {
    fn enter() -> Self {
        NESTED.with(|n| n.set(n.get() + 1));
        Nested
    }
}

impl Drop for Nested {
    fn drop(&mut self) {
        NESTED.with(|n| n.set(n.get() - 1));
    }
}

/// The deepest nesting of arrays and objects in a JSON text.
fn depth(text: &[u8]) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut bytes = text.iter();
    while let Some(&b) = bytes.next() {
        match b {
            b'"' => {
                // Skip the string, escapes included.
                while let Some(&c) = bytes.next() {
                    match c {
                        b'\\' => {
                            bytes.next();
                        }
                        b'"' => break,
                        _ => {}
                    }
                }
            }
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// `serde_json`'s name for a raw value: asked for it, its deserializers (of bytes, text, readers
/// and `Value`s) hand over the value's text as a one-entry map. Other formats build a tree,
/// written out as JSON.
const RAW_TOKEN: &str = "$serde_json::private::RawValue";

impl<'de> Deserialize<'de> for Raw<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_newtype_struct(RAW_TOKEN, RawVisitor)
    }
}

struct RawVisitor;

impl RawVisitor {
    fn tree<'de, E: serde::de::Error>(value: serde_json::Value) -> Result<Raw<'de>, E> {
        Raw::from_value(&value)
    }
}

impl<'de> serde::de::Visitor<'de> for RawVisitor {
    type Value = Raw<'de>;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_map<M: serde::de::MapAccess<'de>>(self, mut map: M) -> Result<Raw<'de>, M::Error> {
        let Some(key) = map.next_key::<Key<'de>>()? else {
            return Raw::new(Cow::Borrowed("{}"));
        };
        if key.as_str() == RAW_TOKEN {
            return match map.next_value::<Key<'de>>()? {
                Key::Borrowed(text) => Raw::new(Cow::Borrowed(text)),
                Key::Owned(text) => Raw::new(Cow::Owned(text)),
            };
        }
        let mut object = serde_json::Map::new();
        object.insert(key.into_owned(), map.next_value()?);
        while let Some((k, v)) = map.next_entry::<String, serde_json::Value>()? {
            object.insert(k, v);
        }
        Self::tree(serde_json::Value::Object(object))
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Raw<'de>, D::Error> {
        Self::tree(serde_json::Value::deserialize(deserializer)?)
    }
    fn visit_seq<S: serde::de::SeqAccess<'de>>(self, mut seq: S) -> Result<Raw<'de>, S::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<serde_json::Value>()? {
            items.push(item);
        }
        Self::tree(serde_json::Value::Array(items))
    }
    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Raw<'de>, E> {
        Self::tree(v.into())
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Raw<'de>, E> {
        Self::tree(v.into())
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Raw<'de>, E> {
        Self::tree(v.into())
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Raw<'de>, E> {
        Self::tree(v.into())
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Raw<'de>, E> {
        Self::tree(v.into())
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<Raw<'de>, E> {
        Self::tree(serde_json::Value::Null)
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<Raw<'de>, E> {
        Self::tree(serde_json::Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Raw<'de>, D::Error> {
        Self::tree(serde_json::Value::deserialize(deserializer)?)
    }
}

/// In the text of an object (valid JSON: a raw value's text always is), the value of its field
/// `key` as a string (`Some(None)` when it is not a string), scanning the other fields without
/// decoding them; `None` when the object has no such field. A key that repeats counts by its
/// last occurrence, as everywhere else (a `serde_json::Value`, the generated structs), so that
/// a union picks the member its value, written back, is read as again.
fn scan_field(text: &[u8], key: &str) -> Option<Option<String>> {
    let mut at = skip_ws(text, 0);
    if text.get(at) != Some(&b'{') {
        return None;
    }
    at += 1;
    let mut found = None;
    loop {
        at = skip_ws(text, at);
        if text.get(at) != Some(&b'"') {
            return found; // `}`: the end of the object
        }
        let end = string_end(text, at)?;
        let matches = json_string(&text[at..end]).is_some_and(|k| k == key);
        at = skip_ws(text, end);
        if text.get(at) != Some(&b':') {
            return found;
        }
        at = skip_ws(text, at + 1);
        let end = value_end(text, at)?;
        if matches {
            found = Some(if text.get(at) == Some(&b'"') {
                json_string(&text[at..end]).map(Cow::into_owned)
            } else {
                None
            });
        }
        at = skip_ws(text, end);
        if text.get(at) != Some(&b',') {
            return found;
        }
        at += 1;
    }
}

fn skip_ws(text: &[u8], mut at: usize) -> usize {
    while text.get(at).is_some_and(u8::is_ascii_whitespace) {
        at += 1;
    }
    at
}

/// The index just past the string that starts (with its quote) at `at`.
fn string_end(text: &[u8], at: usize) -> Option<usize> {
    let mut i = at + 1;
    loop {
        match text.get(i)? {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
}

/// The index just past the value that starts at `at`.
fn value_end(text: &[u8], at: usize) -> Option<usize> {
    match text.get(at)? {
        b'"' => string_end(text, at),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = at;
            loop {
                match text.get(i)? {
                    b'"' => {
                        i = string_end(text, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        _ => {
            let mut i = at;
            while text
                .get(i)
                .is_some_and(|b| !matches!(b, b',' | b'}' | b']') && !b.is_ascii_whitespace())
            {
                i += 1;
            }
            Some(i)
        }
    }
}

/// The text of a JSON string literal (with its quotes), escapes resolved.
fn json_string(literal: &[u8]) -> Option<Cow<'_, str>> {
    let inner = literal.get(1..literal.len().checked_sub(1)?)?;
    if inner.contains(&b'\\') {
        serde_json::from_slice::<String>(literal)
            .ok()
            .map(Cow::Owned)
    } else {
        std::str::from_utf8(inner).ok().map(Cow::Borrowed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_counts_arrays_and_objects_outside_strings() {
        assert_eq!(depth(b"1"), 0);
        assert_eq!(depth(br#"{"a": [1, {"b": []}]}"#), 4);
        assert_eq!(depth(br#"["[[[\"{{", "\\"]"#), 1);
        assert_eq!(depth(b"]]]"), 0);
    }

    #[test]
    fn raw_text_deeper_than_a_document_may_be_is_refused() {
        // No union of the current spec contains itself, so this guard (for specs where one does:
        // each decode from a text counts depth from zero again) is tested here directly.
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        let mut de = serde_json::Deserializer::from_str(&deep);
        assert!(Raw::deserialize(&mut de).is_err());
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        let mut de = serde_json::Deserializer::from_str(&ok);
        let raw = Raw::deserialize(&mut de).unwrap();
        assert!(raw.is_array());
        // Inside a decode from raw text, a part of an already checked text is not checked again.
        let _nested = Nested::enter();
        let mut de = serde_json::Deserializer::from_str(&deep);
        assert!(Raw::deserialize(&mut de).is_ok());
    }

    #[test]
    fn raw_text_is_borrowed_from_bytes_and_read_by_kind_and_tag() {
        let body = br#" {"x": [1, {"type": "inner"}], "type": "a\"b", "type2": 1, "y": [1, 2]} "#;
        let mut de = serde_json::Deserializer::from_slice(body);
        let raw = Raw::deserialize(&mut de).unwrap();
        assert!(matches!(raw.0, Cow::Borrowed(_)));
        assert!(raw.is_object() && !raw.is_array() && !raw.is_string());
        assert_eq!(raw.tag("type").as_deref(), Some("a\"b"));
        assert_eq!(raw.tag("type2"), None);
        assert_eq!(raw.tag("missing"), None);
        assert_eq!(raw.tag("x"), None);
        for (text, tag) in [
            (r#"{}"#, None),
            (r#"{ "a" : {"type": "no"} , "type" : "yes" }"#, Some("yes")),
            (
                r#"{"a": "}\"{", "b": -1.5e3, "c": [[], {}], "type": "t"}"#,
                Some("t"),
            ),
            (r#"{"t\u0079pe": "escaped key"}"#, Some("escaped key")),
            (r#"{"type": null}"#, None),
            (r#"{"type": "first", "type": "second"}"#, Some("second")),
            (r#"{"type": "first", "x": 1, "type": 2}"#, None),
        ] {
            assert_eq!(
                scan_field(text.as_bytes(), "type").flatten().as_deref(),
                tag,
                "{text}"
            );
        }
        let value: serde_json::Value = raw.into_json::<serde_json::Error>().unwrap();
        assert_eq!(value["y"][1], 2);
    }
}
