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
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $value, )*
                    Self::Unknown(other) => other.as_str(),
                }
            }

            /// Whether the value is one this version of the SDK does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }

            fn from_known(value: &str) -> Option<Self> {
                match value {
                    $( $value => Some(Self::$variant), )*
                    _ => None,
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self::from_known(value).unwrap_or_else(|| Self::Unknown(value.to_owned()))
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self::from_known(&value).unwrap_or(Self::Unknown(value))
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

/// Decodes a JSON value, naming the path of the first failure.
///
/// The plain decoder runs first: tracking the path costs about as much as decoding, and the path
/// is only needed for the error, so a value that fails is decoded again with it.
fn decode<T: DeserializeOwned>(value: &serde_json::Value) -> Result<T, String> {
    if let Ok(v) = T::deserialize(value) {
        return Ok(v);
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        if path == "." {
            e.into_inner().to_string()
        } else {
            format!("at `{path}`: {}", e.into_inner())
        }
    })
}

/// Decodes the one member of a union that a tag selected; the error names the member.
pub(crate) fn member<T: DeserializeOwned>(
    value: &serde_json::Value,
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
        value: &serde_json::Value,
        variant: &'static str,
    ) -> Option<T> {
        match decode(value) {
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
    let decoded: T = decode(value)?;
    serde_json::to_value(&decoded).map_err(|e| format!("re-encoding failed: {e}"))
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
