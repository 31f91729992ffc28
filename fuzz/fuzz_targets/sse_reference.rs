//! A plain, whole-input reading of the event-stream rules the decoder implements (WHATWG
//! "Server-sent events" 9.2.6, with the decoder's own choices: invalid UTF-8 in a value or a
//! comment is an error item, comments are items, a final event without its blank line is
//! returned apart). No buffering, no limits: the oracle the incremental decoder is held to.

/// What the decoder yields, flattened for comparison.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Item {
    Event {
        event: Option<String>,
        data: String,
        id: Option<String>,
    },
    Comment(String),
    /// An invalid line: where it starts and where its first invalid byte is.
    Error {
        offset: u64,
        invalid_at: u64,
    },
}

/// Everything a decoder says about a whole input.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Outcome {
    pub(crate) items: Vec<Item>,
    /// What `finish` returns: an event without its blank line.
    pub(crate) incomplete: Option<Item>,
    pub(crate) retry: Option<u64>,
    pub(crate) last_event_id: Option<String>,
}

fn strip_space(v: &[u8]) -> &[u8] {
    v.strip_prefix(b" ").unwrap_or(v)
}

pub(crate) fn decode(input: &[u8]) -> Outcome {
    let mut pos = if input.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let mut items = Vec::new();
    let (mut data, mut has_data, mut event, mut last_id) =
        (String::new(), false, String::new(), String::new());
    let mut retry = None;
    let event_of = |event: &mut String, data: &mut String, last_id: &str| Item::Event {
        event: (!event.is_empty()).then(|| std::mem::take(event)),
        data: std::mem::take(data),
        id: (!last_id.is_empty()).then(|| last_id.to_owned()),
    };
    while pos < input.len() {
        let rest = &input[pos..];
        let (len, ended, next) = match rest.iter().position(|&b| b == b'\n' || b == b'\r') {
            Some(i) if rest[i] == b'\r' && rest.get(i + 1) == Some(&b'\n') => (i, true, i + 2),
            Some(i) => (i, true, i + 1),
            None => (rest.len(), false, rest.len()),
        };
        let line = &rest[..len];
        let offset = pos as u64;
        pos += next;
        let mut out = None;
        if line.is_empty() {
            if has_data && !data.is_empty() {
                out = Some(event_of(&mut event, &mut data, &last_id));
            }
            has_data = false;
            data.clear();
            event.clear();
        } else if line[0] == b':' {
            let text = strip_space(&line[1..]);
            out = Some(match std::str::from_utf8(text) {
                Ok(t) => Item::Comment(t.to_owned()),
                Err(e) => Item::Error {
                    offset,
                    invalid_at: offset + (line.len() - text.len() + e.valid_up_to()) as u64,
                },
            });
        } else {
            let (name, value) = match line.iter().position(|&b| b == b':') {
                Some(i) => (&line[..i], strip_space(&line[i + 1..])),
                None => (line, &b""[..]),
            };
            match std::str::from_utf8(value) {
                Err(e) => {
                    out = Some(Item::Error {
                        offset,
                        invalid_at: offset + (line.len() - value.len() + e.valid_up_to()) as u64,
                    })
                }
                Ok(value) => match name {
                    b"data" => {
                        if has_data {
                            data.push('\n');
                        }
                        data.push_str(value);
                        has_data = true;
                    }
                    b"event" => event = value.to_owned(),
                    b"id" if !value.contains('\0') => last_id = value.to_owned(),
                    b"retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                        retry = Some(value.parse().unwrap_or(u64::MAX))
                    }
                    _ => {}
                },
            }
        }
        // A final line without its line end is read, but what it yields is dropped.
        if let (Some(item), true) = (out, ended) {
            items.push(item);
        }
    }
    let incomplete =
        (has_data && !data.is_empty()).then(|| event_of(&mut event, &mut data, &last_id));
    Outcome {
        items,
        incomplete,
        retry,
        last_event_id: (!last_id.is_empty()).then_some(last_id),
    }
}
