//! The SSE decoder, fed arbitrary bytes at arbitrary split points.
//!
//! Input: a mode byte, two seed bytes for the split points, then the stream.
//! - Without a limit (or with one no line or event can reach), the items, the incomplete
//!   event `finish` returns, the `retry` and the last event ID are the same for the whole
//!   input, for the input cut into pieces, and for a plain whole-input reading of the rules
//!   (`sse_reference.rs`).
//! - With a small limit, what the decoder buffers stays within the limit after every push and
//!   no event's data is larger than the limit.
#![no_main]

mod sse_reference;

use libfuzzer_sys::fuzz_target;
use openrouter::sse::{SseDecoder, SseItem};
use sse_reference::{Item, Outcome};

fn item(r: Result<SseItem, openrouter::sse::SseDecodeError>) -> Item {
    match r {
        Ok(SseItem::Event(e)) => Item::Event {
            event: e.event,
            data: e.data,
            id: e.id,
        },
        Ok(SseItem::Comment(c)) => Item::Comment(c),
        Ok(other) => panic!("an item of a new kind: {other:?}"),
        Err(e) => Item::Error {
            offset: e.offset(),
            invalid_at: e.invalid_byte_offset(),
        },
    }
}

/// Split points: pieces of 1 to `max` bytes, from a small xorshift generator.
fn pieces(input: &[u8], seed: u16, max: usize) -> Vec<&[u8]> {
    let mut state = u32::from(seed).wrapping_mul(2_654_435_761) | 1;
    let mut out = Vec::new();
    let mut at = 0;
    while at < input.len() {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let n = (state as usize % max + 1).min(input.len() - at);
        out.push(&input[at..at + n]);
        at += n;
    }
    out
}

fn run(chunks: &[&[u8]], limit: Option<usize>) -> Outcome {
    let mut decoder = SseDecoder::new();
    if let Some(limit) = limit {
        decoder = decoder.with_max_event_size(limit);
    }
    let mut items = Vec::new();
    for chunk in chunks {
        decoder.push(chunk);
        decoder.push(&[]);
        for r in decoder.by_ref() {
            if let (Ok(SseItem::Event(e)), Some(limit)) = (&r, limit) {
                assert!(e.data.len() <= limit, "an event of {} bytes", e.data.len());
            }
            if let (Err(e), Some(limit)) = (&r, limit) {
                assert!(e.too_large().is_none_or(|l| l == limit));
            }
            items.push(item(r));
        }
        if let Some(limit) = limit {
            // Two bytes of a possible byte order mark wait for the third.
            assert!(
                decoder.buffered() <= limit.max(2),
                "{} bytes buffered over a limit of {limit}",
                decoder.buffered()
            );
        }
    }
    let incomplete = decoder.finish().map(|e| item(Ok(SseItem::Event(e))));
    assert_eq!(decoder.buffered(), 0);
    assert!(decoder.next().is_none(), "an item after finish");
    Outcome {
        items,
        incomplete,
        retry: decoder.retry(),
        last_event_id: decoder.last_event_id().map(str::to_owned),
    }
}

fuzz_target!(|data: &[u8]| {
    let [mode, a, b, input @ ..] = data else {
        return;
    };
    let seed = u16::from_le_bytes([*a, *b]);
    let max_piece = if mode & 4 != 0 {
        1
    } else {
        usize::from(*a % 64) + 1
    };
    let chunks = pieces(input, seed, max_piece);
    match mode & 3 {
        // No limit, or one nothing in the input can reach: every reading agrees.
        0 | 1 => {
            let limit = (mode & 3 == 1).then_some(input.len());
            let expected = sse_reference::decode(input);
            assert_eq!(run(&[input], limit), expected, "whole input");
            assert_eq!(run(&chunks, limit), expected, "in pieces: {:?}", chunks);
        }
        // A small limit: bounded, and nothing panics.
        _ => {
            let limit = usize::from(*b % 128);
            run(&chunks, Some(limit));
        }
    }
});
