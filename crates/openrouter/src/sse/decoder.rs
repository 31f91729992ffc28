//! An incremental decoder for the `text/event-stream` format.
//!
//! It follows the parsing rules of the WHATWG HTML standard ("Server-sent events", section
//! 9.2.6): lines end with LF, CR or CRLF (a CRLF may be split across two chunks), a leading
//! UTF-8 byte order mark is skipped, `data:` lines of one event are joined with `\n`, one space
//! after the colon is dropped, unknown fields are ignored, and an event is dispatched at a
//! blank line only if it had data. Comments (lines starting with `:`) are reported as
//! [`SseItem::Comment`] so that a caller can tell a keep-alive from an event.
//!
//! An event whose data is empty is not dispatched (the standard's rule), and a decoder can be
//! given a limit on one line or one event's data
//! ([`with_max_event_size`](SseDecoder::with_max_event_size)), past which it reports an error
//! and skips the rest of that line or event instead of buffering without bound.
//!
//! Bytes go in with [`SseDecoder::push`] and items come out of the decoder's
//! [`Iterator`] implementation; [`SseDecoder::finish`] marks the end of input.

use std::fmt;
use std::str::Utf8Error;

/// One event of an event stream: what a blank line dispatches.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SseEvent {
    /// The event type from an `event:` line, or `None` for the default type (`message`).
    pub event: Option<String>,
    /// The `data:` lines of the event, joined with `\n`.
    pub data: String,
    /// The last event ID seen so far on the stream (`id:` lines persist across events, as the
    /// standard says), or `None` when it is empty.
    pub id: Option<String>,
}

impl SseEvent {
    /// Creates an event of the default type with `data` and no ID.
    pub fn new(data: impl Into<String>) -> Self {
        SseEvent {
            event: None,
            data: data.into(),
            id: None,
        }
    }

    /// Sets the event type.
    pub fn with_event(mut self, event: impl Into<String>) -> Self {
        self.event = Some(event.into());
        self
    }

    /// Sets the event ID.
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// The event type, `"message"` when the stream did not name one.
    pub fn event_type(&self) -> &str {
        self.event.as_deref().unwrap_or("message")
    }
}

/// What the decoder produces: an event, or a comment line.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SseItem {
    /// A dispatched event.
    Event(SseEvent),
    /// A comment line (`: text`), such as OpenRouter's `: OPENROUTER PROCESSING` keep-alive.
    /// The text is what follows the colon, without one leading space.
    Comment(String),
}

/// A line of the stream that is not valid UTF-8, or a line or event larger than the decoder's
/// limit.
///
/// The standard decodes the stream lossily; this decoder reports the line instead, because a
/// corrupted event is better surfaced than silently altered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SseDecodeError {
    offset: u64,
    kind: DecodeErrorKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum DecodeErrorKind {
    Utf8 { invalid_at: u64, source: Utf8Error },
    TooLarge { limit: usize },
}

impl SseDecodeError {
    /// The byte offset in the stream of the start of the line.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The byte offset in the stream of the first invalid byte (for a UTF-8 error; for a line
    /// or event too large, where the line starts).
    pub fn invalid_byte_offset(&self) -> u64 {
        match self.kind {
            DecodeErrorKind::Utf8 { invalid_at, .. } => invalid_at,
            DecodeErrorKind::TooLarge { .. } => self.offset,
        }
    }

    /// The UTF-8 error, relative to the start of the field value (or comment text), when the
    /// line is not valid UTF-8.
    pub fn utf8_error(&self) -> Option<&Utf8Error> {
        match &self.kind {
            DecodeErrorKind::Utf8 { source, .. } => Some(source),
            DecodeErrorKind::TooLarge { .. } => None,
        }
    }

    /// The limit a line or an event's data went past, when that is the error.
    pub fn too_large(&self) -> Option<usize> {
        match self.kind {
            DecodeErrorKind::TooLarge { limit } => Some(limit),
            DecodeErrorKind::Utf8 { .. } => None,
        }
    }
}

impl fmt::Display for SseDecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            DecodeErrorKind::Utf8 { invalid_at, .. } => {
                write!(f, "invalid UTF-8 in the event stream at byte {invalid_at}")
            }
            DecodeErrorKind::TooLarge { limit } => write!(
                f,
                "an event stream line or event at byte {} is larger than {limit} bytes",
                self.offset
            ),
        }
    }
}

impl std::error::Error for SseDecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.utf8_error()
            .map(|source| source as &(dyn std::error::Error + 'static))
    }
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// An incremental `text/event-stream` decoder.
///
/// Feed it bytes as they arrive with [`push`](Self::push), in chunks of any size and split at
/// any byte, and take items with [`next`](Iterator::next) until it returns `None` (it needs
/// more input). At the end of the input call [`finish`](Self::finish).
///
/// The decoder keeps only the bytes of the line it has not finished and the fields of the
/// event being built. It scans for line ends with `memchr`, copies each field value once,
/// and allocates nothing per byte.
///
/// # Examples
///
/// ```
/// use openrouter::sse::{SseDecoder, SseEvent, SseItem};
///
/// let mut decoder = SseDecoder::new();
/// decoder.push(b": OPENROUTER PROCESSING\n\ndata: {\"a\":");
/// decoder.push(b"1}\r\n\r\n");
/// let items: Vec<SseItem> = decoder.by_ref().collect::<Result<_, _>>().unwrap();
/// assert_eq!(
///     items,
///     [
///         SseItem::Comment("OPENROUTER PROCESSING".into()),
///         SseItem::Event(SseEvent::new(r#"{"a":1}"#)),
///     ]
/// );
/// assert!(decoder.finish().is_none());
/// ```
#[derive(Clone)]
pub struct SseDecoder {
    /// Bytes received and not yet consumed; `buf[pos..]` is unconsumed.
    buf: Vec<u8>,
    pos: usize,
    /// Where to resume the search for a line end (relative to `pos`), so a long line that
    /// arrives in many chunks is scanned once.
    scanned: usize,
    /// The previous line ended with a CR at the very end of the buffer: an LF that starts the
    /// next input belongs to it.
    skip_lf: bool,
    /// Whether the start of the stream has been checked for a byte order mark.
    bom_checked: bool,
    /// Bytes consumed before `buf[pos]`, for error offsets.
    consumed: u64,
    // The event being built.
    data: String,
    has_data: bool,
    event: String,
    last_id: String,
    retry: Option<u64>,
    finished: bool,
    /// The largest line, and the largest data of one event, in bytes.
    max_event: usize,
    /// The rest of the current line is skipped: it went past `max_event`.
    skip_line: bool,
    /// The `data:` lines of the current event are skipped until its blank line: its data went
    /// past `max_event`.
    skip_event: bool,
}

impl Default for SseDecoder {
    fn default() -> Self {
        SseDecoder {
            buf: Vec::new(),
            pos: 0,
            scanned: 0,
            skip_lf: false,
            bom_checked: false,
            consumed: 0,
            data: String::new(),
            has_data: false,
            event: String::new(),
            last_id: String::new(),
            retry: None,
            finished: false,
            max_event: usize::MAX,
            skip_line: false,
            skip_event: false,
        }
    }
}

impl fmt::Debug for SseDecoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SseDecoder")
            .field("buffered", &(self.buf.len() - self.pos))
            .field("pending_data", &self.has_data)
            .field("last_event_id", &self.last_id)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl SseDecoder {
    /// Creates a decoder at the start of a stream, with no limit on a line or an event.
    pub fn new() -> Self {
        Self::default()
    }

    /// Limits one line, and the joined data of one event, to `limit` bytes. Past it, the
    /// decoder yields an error ([`SseDecodeError::too_large`]), drops what it buffered of that
    /// line or event, and skips the rest of it; decoding goes on after it. What the decoder
    /// holds then stays under `limit` plus the last chunk pushed.
    pub fn with_max_event_size(mut self, limit: usize) -> Self {
        self.max_event = limit;
        self
    }

    /// Appends bytes received from the stream.
    ///
    /// Bytes pushed after [`finish`](Self::finish) start a new line of the same stream.
    pub fn push(&mut self, chunk: &[u8]) {
        if chunk.is_empty() {
            return;
        }
        self.finished = false;
        if self.pos > 0 {
            self.consumed += self.pos as u64;
            if self.pos == self.buf.len() {
                self.buf.clear();
            } else {
                // Only the tail of an unfinished line is moved.
                self.buf.drain(..self.pos);
            }
            self.pos = 0;
        }
        self.buf.extend_from_slice(chunk);
    }

    /// The number of bytes received and not yet consumed (an unfinished line).
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// The reconnection time in milliseconds from the last valid `retry:` line, if any.
    pub fn retry(&self) -> Option<u64> {
        self.retry
    }

    /// The last event ID (`id:` line) seen, or `None` when it is empty.
    pub fn last_event_id(&self) -> Option<&str> {
        (!self.last_id.is_empty()).then_some(self.last_id.as_str())
    }

    /// Marks the end of the input.
    ///
    /// A final line without a line end is processed as if it had one. The standard says that
    /// an event not ended by a blank line is discarded at the end of the stream, so it is not
    /// dispatched through [`next`](Iterator::next); it is returned here instead, so that a
    /// caller may decide to be lenient (for example when the last line is `data: [DONE]` and
    /// the server omitted the blank line). Take the remaining items with `next` before calling
    /// this.
    ///
    /// An invalid UTF-8 final line is dropped; the incomplete event is returned as it was.
    pub fn finish(&mut self) -> Option<SseEvent> {
        if self.finished {
            return None;
        }
        self.finished = true;
        if !self.bom_checked {
            self.check_bom();
        }
        if self.pos < self.buf.len() {
            let buf = std::mem::take(&mut self.buf);
            // The line cannot dispatch (it is not blank); a comment or an invalid line at the
            // very end carries nothing, so what it produces is dropped.
            let _ = self.process_line(&buf[self.pos..], self.pos);
            self.buf = buf;
        }
        self.consumed += self.buf.len() as u64;
        self.buf.clear();
        self.pos = 0;
        self.scanned = 0;
        self.skip_lf = false;
        self.skip_line = false;
        self.skip_event = false;
        let incomplete = (self.has_data && !self.data.is_empty()).then(|| self.take_event());
        self.event.clear();
        incomplete
    }

    /// Skips a byte order mark at the very start. Returns `false` when more bytes are needed
    /// to decide.
    fn check_bom(&mut self) -> bool {
        let avail = &self.buf[self.pos..];
        let n = avail.len().min(BOM.len());
        if avail[..n] != BOM[..n] {
            self.bom_checked = true;
        } else if n == BOM.len() {
            self.pos += BOM.len();
            self.bom_checked = true;
        } else if self.finished {
            self.bom_checked = true;
        }
        self.bom_checked
    }

    /// Hands back the data of an event this decoder produced, once the caller is done with
    /// it, so that the next event's data reuses its allocation.
    pub(crate) fn recycle(&mut self, mut data: String) {
        if self.data.capacity() == 0 {
            data.clear();
            self.data = data;
        }
    }

    fn take_event(&mut self) -> SseEvent {
        self.has_data = false;
        SseEvent {
            event: (!self.event.is_empty()).then(|| std::mem::take(&mut self.event)),
            data: std::mem::take(&mut self.data),
            id: (!self.last_id.is_empty()).then(|| self.last_id.clone()),
        }
    }

    /// Interprets one line (without its line end). `start` is the line's index in `buf`.
    fn process_line(
        &mut self,
        line: &[u8],
        start: usize,
    ) -> Option<Result<SseItem, SseDecodeError>> {
        let offset = self.consumed + start as u64;
        if line.is_empty() {
            // Dispatch, unless the data is empty (the standard's rule: `data:` alone
            // dispatches nothing). The event type is reset even when nothing is dispatched.
            self.skip_event = false;
            if self.has_data && !self.data.is_empty() {
                return Some(Ok(SseItem::Event(self.take_event())));
            }
            self.has_data = false;
            self.data.clear();
            self.event.clear();
            return None;
        }
        let (name, value) = match memchr::memchr(b':', line) {
            Some(0) => {
                let text = strip_space(&line[1..]);
                return Some(match std::str::from_utf8(text) {
                    Ok(text) => Ok(SseItem::Comment(text.to_owned())),
                    Err(source) => Err(utf8_error(offset, line.len() - text.len(), source)),
                });
            }
            Some(i) => (&line[..i], strip_space(&line[i + 1..])),
            None => (line, &b""[..]),
        };
        let value = match std::str::from_utf8(value) {
            Ok(value) => value,
            Err(source) => {
                return Some(Err(utf8_error(offset, line.len() - value.len(), source)));
            }
        };
        match name {
            b"data" if self.skip_event => {}
            b"data" => {
                let joined = self.data.len() + usize::from(self.has_data) + value.len();
                if joined > self.max_event {
                    // The event is dropped whole: its other data lines are skipped too.
                    self.data = String::new();
                    self.has_data = false;
                    self.skip_event = true;
                    return Some(Err(too_large(offset, self.max_event)));
                }
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(value);
                self.has_data = true;
            }
            b"event" => {
                self.event.clear();
                self.event.push_str(value);
            }
            // An ID with a NUL is ignored.
            b"id" if !value.contains('\0') => {
                self.last_id.clear();
                self.last_id.push_str(value);
            }
            // Only ASCII digits; absurdly long values saturate instead of being ignored.
            b"retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                self.retry = Some(value.parse().unwrap_or(u64::MAX));
            }
            _ => {}
        }
        None
    }
}

/// An error for a line at `offset` whose value, starting `prefix` bytes into the line, failed.
fn utf8_error(offset: u64, prefix: usize, source: Utf8Error) -> SseDecodeError {
    SseDecodeError {
        offset,
        kind: DecodeErrorKind::Utf8 {
            invalid_at: offset + (prefix + source.valid_up_to()) as u64,
            source,
        },
    }
}

/// An error for a line or event at `offset` that went past `limit`.
fn too_large(offset: u64, limit: usize) -> SseDecodeError {
    SseDecodeError {
        offset,
        kind: DecodeErrorKind::TooLarge { limit },
    }
}

/// Drops one leading space.
fn strip_space(value: &[u8]) -> &[u8] {
    match value.first() {
        Some(b' ') => &value[1..],
        _ => value,
    }
}

impl Iterator for SseDecoder {
    type Item = Result<SseItem, SseDecodeError>;

    /// The next item, or `None` when the decoder needs more input.
    ///
    /// The decoder is not fused: after `None`, pushing more bytes can produce more items.
    /// After an error the offending line is skipped and decoding can go on.
    fn next(&mut self) -> Option<Self::Item> {
        if !self.bom_checked && !self.check_bom() {
            return None;
        }
        loop {
            if self.skip_lf && self.pos < self.buf.len() {
                self.skip_lf = false;
                if self.buf[self.pos] == b'\n' {
                    self.pos += 1;
                }
            }
            let from = self.pos + self.scanned;
            let rel = match memchr::memchr2(b'\n', b'\r', &self.buf[from..]) {
                Some(rel) => rel,
                None if self.skip_line || self.buf.len() - self.pos > self.max_event => {
                    // A line past the limit: what is buffered of it is dropped, and so is the
                    // rest of it as it arrives, so the buffer stays bounded.
                    let offset = self.consumed + self.pos as u64;
                    self.consumed += self.buf.len() as u64;
                    self.buf.clear();
                    self.pos = 0;
                    self.scanned = 0;
                    if std::mem::replace(&mut self.skip_line, true) {
                        return None;
                    }
                    // The event the line belonged to is dropped too.
                    self.data = String::new();
                    self.has_data = false;
                    self.skip_event = true;
                    return Some(Err(too_large(offset, self.max_event)));
                }
                None => {
                    self.scanned = self.buf.len() - self.pos;
                    // Compact eagerly when everything was consumed, so a buffer does not grow
                    // while a caller only pulls.
                    if self.pos == self.buf.len() {
                        self.consumed += self.pos as u64;
                        self.buf.clear();
                        self.pos = 0;
                    }
                    return None;
                }
            };
            let end = from + rel;
            let start = self.pos;
            let next = if self.buf[end] == b'\r' {
                match self.buf.get(end + 1) {
                    Some(b'\n') => end + 2,
                    Some(_) => end + 1,
                    None => {
                        self.skip_lf = true;
                        end + 1
                    }
                }
            } else {
                end + 1
            };
            self.pos = next;
            self.scanned = 0;
            if std::mem::take(&mut self.skip_line) {
                // The end of a line that went past the limit.
                continue;
            }
            // The line is borrowed from `buf` while `process_line` mutates other fields; take
            // the buffer out for the call (a pointer swap, no copy).
            let buf = std::mem::take(&mut self.buf);
            let item = self.process_line(&buf[start..end], start);
            self.buf = buf;
            if let Some(item) = item {
                return Some(item);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(chunks: &[&[u8]]) -> (Vec<SseItem>, Option<SseEvent>) {
        let mut decoder = SseDecoder::new();
        let mut items = Vec::new();
        for chunk in chunks {
            decoder.push(chunk);
            items.extend(decoder.by_ref().map(Result::unwrap));
        }
        let rest = decoder.finish();
        (items, rest)
    }

    fn events(input: &[u8]) -> Vec<SseEvent> {
        decode_all(&[input])
            .0
            .into_iter()
            .filter_map(|item| match item {
                SseItem::Event(event) => Some(event),
                SseItem::Comment(_) => None,
            })
            .collect()
    }

    #[test]
    fn line_endings() {
        for input in [
            &b"data: a\n\ndata: b\n\n"[..],
            b"data: a\r\rdata: b\r\r",
            b"data: a\r\n\r\ndata: b\r\n\r\n",
            b"data: a\r\n\rdata: b\n\r\n",
        ] {
            assert_eq!(
                events(input),
                [SseEvent::new("a"), SseEvent::new("b")],
                "{input:?}"
            );
        }
    }

    #[test]
    fn cr_at_chunk_end_then_lf() {
        let (items, rest) = decode_all(&[b"data: a\r", b"\n\r", b"\ndata: b\r", b"\r"]);
        assert_eq!(
            items,
            [
                SseItem::Event(SseEvent::new("a")),
                SseItem::Event(SseEvent::new("b"))
            ]
        );
        assert!(rest.is_none());
    }

    #[test]
    fn cr_then_non_lf_in_next_chunk() {
        // CR ends the line; the next chunk's first byte starts a new line.
        let (items, _) = decode_all(&[b"data: a\r", b"data: b\n\n"]);
        assert_eq!(items, [SseItem::Event(SseEvent::new("a\nb"))]);
    }

    #[test]
    fn multi_line_data_and_space_rules() {
        assert_eq!(
            events(b"data:a\ndata:  b\ndata\ndata: \n\n"),
            [SseEvent::new("a\n b\n\n")]
        );
        // An event whose data is empty is not dispatched; two empty lines make data "\n".
        assert_eq!(events(b"data\n\n"), []);
        assert_eq!(events(b"data:\n\ndata: x\n\n"), [SseEvent::new("x")]);
        assert_eq!(events(b"data:\ndata:\n\n"), [SseEvent::new("\n")]);
    }

    #[test]
    fn comments_and_unknown_fields() {
        let (items, _) =
            decode_all(&[b": OPENROUTER PROCESSING\n:x\n:\nfoo: bar\nbaz\ndata: d\n\n"]);
        assert_eq!(
            items,
            [
                SseItem::Comment("OPENROUTER PROCESSING".into()),
                SseItem::Comment("x".into()),
                SseItem::Comment(String::new()),
                SseItem::Event(SseEvent::new("d")),
            ]
        );
    }

    #[test]
    fn bom_is_skipped_once() {
        assert_eq!(events(b"\xEF\xBB\xBFdata: a\n\n"), [SseEvent::new("a")]);
        let (items, _) = decode_all(&[b"\xEF", b"\xBB", b"\xBFdata: a\n\n"]);
        assert_eq!(items, [SseItem::Event(SseEvent::new("a"))]);
        // A second BOM is part of the field name, so the line is an unknown field.
        assert_eq!(
            events(b"\xEF\xBB\xBF\xEF\xBB\xBFdata: a\n\ndata: b\n\n"),
            [SseEvent::new("b")]
        );
    }

    #[test]
    fn event_id_retry() {
        let evs = events(b"event: ping\nid: 7\nretry: 1500\ndata: x\n\ndata: y\n\nid\ndata: z\n\n");
        assert_eq!(
            evs,
            [
                SseEvent::new("x").with_event("ping").with_id("7"),
                SseEvent::new("y").with_id("7"),
                SseEvent::new("z"),
            ]
        );
        let mut decoder = SseDecoder::new();
        decoder.push(b"retry: 1500\nretry: 12a\nid: a\0b\n");
        assert!(decoder.next().is_none());
        assert_eq!(decoder.retry(), Some(1500));
        assert_eq!(decoder.last_event_id(), None);
    }

    #[test]
    fn no_dispatch_without_data() {
        // `event:` alone dispatches nothing and its type does not leak into the next event.
        assert_eq!(events(b"event: a\n\ndata: x\n\n"), [SseEvent::new("x")]);
        assert_eq!(events(b"\n\n\n"), []);
    }

    #[test]
    fn finish_returns_the_incomplete_event() {
        let (items, rest) = decode_all(&[b"data: a\n\ndata: [DONE]"]);
        assert_eq!(items, [SseItem::Event(SseEvent::new("a"))]);
        assert_eq!(rest, Some(SseEvent::new("[DONE]")));
        let (_, rest) = decode_all(&[b"data: a\ndata: b\n"]);
        assert_eq!(rest, Some(SseEvent::new("a\nb")));
        let (_, rest) = decode_all(&[b"data: a\n\n: comment"]);
        assert_eq!(rest, None);
    }

    #[test]
    fn invalid_utf8_is_an_error_and_decoding_goes_on() {
        let mut decoder = SseDecoder::new();
        decoder.push(b"data: ok\n\ndata: \xFF\xFE\ndata: fine\n\n");
        assert_eq!(
            decoder.next(),
            Some(Ok(SseItem::Event(SseEvent::new("ok"))))
        );
        let err = decoder.next().unwrap().unwrap_err();
        assert!(err.utf8_error().is_some());
        assert_eq!(err.offset(), 10);
        assert_eq!(err.invalid_byte_offset(), 16);
        assert_eq!(
            err.to_string(),
            "invalid UTF-8 in the event stream at byte 16"
        );
        assert_eq!(
            decoder.next(),
            Some(Ok(SseItem::Event(SseEvent::new("fine"))))
        );
        assert_eq!(decoder.next(), None);
    }

    #[test]
    fn utf8_split_across_chunks() {
        let text = "data: héllo wörld ✓\n\n".as_bytes();
        for split in 0..text.len() {
            let (items, _) = decode_all(&[&text[..split], &text[split..]]);
            assert_eq!(items, [SseItem::Event(SseEvent::new("héllo wörld ✓"))]);
        }
    }

    #[test]
    fn every_split_gives_the_same_items() {
        let input: &[u8] = b"\xEF\xBB\xBF: hi\r\nevent: e\r\nid: 1\r\ndata: a\r\ndata:b\r\n\r\n: OPENROUTER PROCESSING\r\rdata: c\n\ndata: d\r\r";
        let (whole, _) = decode_all(&[input]);
        assert_eq!(whole.len(), 5);
        for a in 0..=input.len() {
            for b in a..=input.len() {
                let (items, _) = decode_all(&[&input[..a], &input[a..b], &input[b..]]);
                assert_eq!(items, whole, "split at {a}, {b}");
            }
        }
    }

    #[test]
    fn a_line_past_the_limit_is_an_error_and_skipped() {
        let mut decoder = SseDecoder::new().with_max_event_size(64);
        decoder.push(b"data: ok\n\ndata: ");
        assert_eq!(
            decoder.next(),
            Some(Ok(SseItem::Event(SseEvent::new("ok"))))
        );
        // A line that never ends: the buffer never holds more than the limit and a chunk.
        let chunk = [b'x'; 50];
        let mut errors = 0;
        for _ in 0..10_000 {
            decoder.push(&chunk);
            for item in decoder.by_ref() {
                let err = item.unwrap_err();
                assert_eq!(err.too_large(), Some(64));
                assert_eq!(err.offset(), 10);
                errors += 1;
            }
            assert!(decoder.buffered() <= 64 + chunk.len());
        }
        assert_eq!(errors, 1, "one error per line");
        // The line ends, then its event (nothing more of it is kept).
        decoder.push(b"\ndata: more of the dropped event\n\ndata: after\n\n");
        assert_eq!(
            decoder.next(),
            Some(Ok(SseItem::Event(SseEvent::new("after"))))
        );
        assert_eq!(decoder.next(), None);
    }

    #[test]
    fn an_event_past_the_limit_is_an_error_and_skipped() {
        // Many short `data:` lines and no blank line: the joined data is bounded too.
        let mut decoder = SseDecoder::new().with_max_event_size(100);
        let mut errors = 0;
        for _ in 0..1000 {
            decoder.push(b"data: 0123456789\n");
            for item in decoder.by_ref() {
                assert_eq!(item.unwrap_err().too_large(), Some(100));
                errors += 1;
            }
            assert!(decoder.data.len() <= 100);
        }
        assert_eq!(errors, 1);
        decoder.push(b"\ndata: next\n\n");
        assert_eq!(
            decoder.next(),
            Some(Ok(SseItem::Event(SseEvent::new("next"))))
        );
        assert!(decoder.finish().is_none());
    }

    #[test]
    fn buffer_is_compacted() {
        let mut decoder = SseDecoder::new();
        for _ in 0..1000 {
            decoder.push(b"data: 0123456789\n\n: keep-alive\n");
            while decoder.next().is_some() {}
            assert_eq!(decoder.buffered(), 0);
        }
        assert!(decoder.buf.capacity() < 1024);
    }
}
