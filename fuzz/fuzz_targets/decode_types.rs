//! Arbitrary bytes decoded into the types a response or a stream carries. One target for all
//! of them (the first byte picks the type), so the generated model's decoders are compiled
//! into one instrumented binary only.
//!
//! What decodes must serialize, decode again, and serialize to the same bytes (decoding drops
//! nothing and writing back is stable); the accumulators take what the streams yield; the
//! client's error handling takes any error body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use openrouter::sse::{
    ChatAccumulator, MessagesAccumulator, ResponsesAccumulator, SseEvent, StreamProtocol,
};
use openrouter::types::{chat, error::ErrorResponse, messages, responses};
use serde::{de::DeserializeOwned, Serialize};

/// Decodes `bytes` as `T`; when that works, checks that writing it back is stable. When the
/// strict decode fails, the client's lenient one (what it does next): what that gives must
/// write back into bytes that decode leniently again.
fn round_trip<T: DeserializeOwned + Serialize>(bytes: &[u8]) -> Option<T> {
    let value: T = match serde_json::from_slice(bytes) {
        Ok(value) => value,
        Err(_) => {
            let value: T = openrouter::types::from_slice(bytes).ok()?;
            // With a key repeated in an object (which RFC 8259 leaves to the reader), the last
            // occurrence counts, but the lenient choice of a union member still counts every
            // occurrence: the value written back may then fit no member. Only inputs with unique
            // keys are held to the round trip.
            if repeats_a_key(bytes) {
                return Some(value);
            }
            let written = serde_json::to_vec(&value).expect("a leniently decoded value serializes");
            if let Err(e) = openrouter::types::from_slice::<T>(&written) {
                panic!(
                    "what was written back does not decode leniently: {e}\n{}",
                    String::from_utf8_lossy(&written)
                );
            }
            return Some(value);
        }
    };
    let written = serde_json::to_vec(&value).expect("a decoded value serializes");
    let again: T = serde_json::from_slice(&written).unwrap_or_else(|e| {
        panic!(
            "what was written back does not decode: {e}\n{}",
            String::from_utf8_lossy(&written)
        )
    });
    let rewritten = serde_json::to_vec(&again).expect("serializes");
    assert!(
        same_json(&written, &rewritten),
        "writing back is not stable:\n{}\n{}",
        String::from_utf8_lossy(&written),
        String::from_utf8_lossy(&rewritten)
    );
    Some(value)
}

/// Whether some object in the JSON text `bytes` repeats a key.
fn repeats_a_key(bytes: &[u8]) -> bool {
    struct Check(bool);
    impl<'de> serde::de::DeserializeSeed<'de> for &mut Check {
        type Value = ();
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_any(self)
        }
    }
    impl<'de> serde::de::Visitor<'de> for &mut Check {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("JSON")
        }
        fn visit_bool<E>(self, _: bool) -> Result<(), E> {
            Ok(())
        }
        fn visit_i64<E>(self, _: i64) -> Result<(), E> {
            Ok(())
        }
        fn visit_u64<E>(self, _: u64) -> Result<(), E> {
            Ok(())
        }
        fn visit_f64<E>(self, _: f64) -> Result<(), E> {
            Ok(())
        }
        fn visit_str<E>(self, _: &str) -> Result<(), E> {
            Ok(())
        }
        fn visit_unit<E>(self) -> Result<(), E> {
            Ok(())
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            while seq.next_element_seed(&mut *self)?.is_some() {}
            Ok(())
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            let mut keys = std::collections::HashSet::new();
            while let Some(key) = map.next_key::<String>()? {
                if !keys.insert(key) {
                    self.0 = true;
                }
                map.next_value_seed(&mut *self)?;
            }
            Ok(())
        }
    }
    let mut check = Check(false);
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde::de::DeserializeSeed::deserialize(&mut check, &mut de).is_err() || check.0
}

/// Whether two JSON texts are the same, but for the last bits of floating-point numbers:
/// serde_json (without its `float_roundtrip` feature) may read a float it wrote one unit in
/// the last place away, so a float kept in a `Value` can move by that much per pass.
fn same_json(a: &[u8], b: &[u8]) -> bool {
    fn same(a: &serde_json::Value, b: &serde_json::Value) -> bool {
        use serde_json::Value::*;
        match (a, b) {
            (Number(x), Number(y)) if x.is_f64() || y.is_f64() => {
                let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
                (x - y).abs() <= 4.0 * f64::EPSILON * x.abs().max(y.abs())
            }
            (Array(x), Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y)),
            (Object(x), Object(y)) => {
                x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
            }
            _ => a == b,
        }
    }
    a == b
        || match (
            serde_json::from_slice::<serde_json::Value>(a),
            serde_json::from_slice::<serde_json::Value>(b),
        ) {
            (Ok(a), Ok(b)) => same(&a, &b),
            _ => false,
        }
}

fuzz_target!(|data: &[u8]| {
    let [selector, rest @ ..] = data else {
        return;
    };
    match selector % 8 {
        0 => {
            round_trip::<chat::Response>(rest);
        }
        1 => {
            if let Some(chunk) = round_trip::<chat::StreamChunk>(rest) {
                let mut acc = ChatAccumulator::new();
                acc.push(&chunk);
                acc.push(&chunk);
                let chat = acc.finish();
                let _ = (chat.content(), chat.reasoning(), chat.tool_calls().len());
            }
        }
        2 => {
            if let Some(event) = round_trip::<responses::StreamEvent>(rest) {
                let mut acc = ResponsesAccumulator::new();
                acc.push(&event);
                acc.push(&event);
                let done = acc.finish();
                let _ = (done.text(), done.reasoning(), done.function_calls().count());
            }
        }
        3 => {
            if let Some(event) = round_trip::<messages::StreamEvent>(rest) {
                let mut acc = MessagesAccumulator::new();
                acc.push(&event);
                acc.push(&event);
                let done = acc.finish();
                let _ = (done.text(), done.thinking(), done.tool_uses().count());
            }
        }
        4 => {
            if let Some(error) = round_trip::<ErrorResponse>(rest) {
                let _ = (error.error.moderation(), error.error.provider());
            }
        }
        5 => {
            round_trip::<responses::Response>(rest);
        }
        6 => {
            // An error answer as the client reads it: any status, any body.
            let [a, b, body @ ..] = rest else {
                return;
            };
            let code = 100 + u16::from_le_bytes([*a, *b]) % 900;
            let status = http::StatusCode::from_u16(code).unwrap();
            let error = openrouter::fuzzing::api_error(status, http::HeaderMap::new(), body);
            let _ = (
                error.to_string(),
                format!("{error:?}"),
                error.effective_status(),
                error.message(),
                error.raw_body(),
                error.moderation(),
                error.provider(),
                error.retry_after(),
                error.is_retryable(),
            );
            if let Some(raw) = error.raw_body() {
                assert!(raw.len() <= 3 * openrouter::defaults::MAX_ERROR_BODY);
            }
        }
        _ => {
            // A stream event's data under each protocol's end and error rules.
            let Ok(text) = std::str::from_utf8(rest) else {
                return;
            };
            let event = SseEvent::new(text).with_event("error");
            for protocol in [
                StreamProtocol::Chat,
                StreamProtocol::Responses,
                StreamProtocol::Messages,
            ] {
                let _ = protocol.is_end(&event);
                let _ = protocol.is_end(&SseEvent::new(text));
                if let Some(body) = openrouter::fuzzing::stream_api_error(protocol, text) {
                    let _ = (body.moderation(), body.provider(), body.error_type());
                }
            }
        }
    }
});
