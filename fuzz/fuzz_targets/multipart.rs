//! The multipart encoder with arbitrary field names, values, file names and content types:
//! the body must parse back, with the boundary of its `Content-Type`, into exactly the parts
//! the form asks for (text fields in name order, one part per array element, nulls and the
//! file field left out, the file last), every name quoted and escaped.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use openrouter::FilePart;
use serde_json::{Map, Value};

#[derive(Arbitrary, Debug)]
enum Field {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
    List(Vec<Field>),
    Object(Vec<(String, String)>),
}

impl Field {
    fn json(&self) -> Value {
        match self {
            Field::Null => Value::Null,
            Field::Bool(b) => Value::Bool(*b),
            Field::Int(n) => Value::from(*n),
            Field::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Field::Text(s) => Value::String(s.clone()),
            Field::List(items) => Value::Array(items.iter().map(Field::json).collect()),
            Field::Object(pairs) => Value::Object(
                pairs
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                    .collect(),
            ),
        }
    }
}

#[derive(Arbitrary, Debug)]
struct File {
    bytes: Vec<u8>,
    name: Option<String>,
    content_type: Option<String>,
}

#[derive(Arbitrary, Debug)]
struct Input {
    fields: Vec<(String, Field)>,
    file_field: u8,
    file: Option<File>,
}

/// One part as read back: name, file name, content type, content.
type Part = (String, Option<String>, Option<String>, Vec<u8>);

/// A name as the encoder must write it inside its quotes.
fn escaped(s: &str) -> String {
    s.replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A quoted parameter at the start of `s` (no quote, CR or LF may be inside), and what follows.
fn quoted(s: &str) -> (&str, &str) {
    let inner = s
        .strip_prefix('"')
        .unwrap_or_else(|| panic!("not quoted: {s:?}"));
    let end = inner
        .find('"')
        .unwrap_or_else(|| panic!("unterminated: {s:?}"));
    assert!(!inner[..end].contains(['\r', '\n']), "{s:?}");
    (&inner[..end], &inner[end + 1..])
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Parses a `multipart/form-data` body (RFC 7578) with its boundary.
fn parse(body: &[u8], boundary: &str) -> Vec<Part> {
    let dash = format!("--{boundary}");
    let delimiter = format!("\r\n--{boundary}");
    let mut rest = body
        .strip_prefix(dash.as_bytes())
        .expect("the body starts with the boundary");
    let mut parts = Vec::new();
    loop {
        if rest == b"--\r\n" {
            return parts;
        }
        rest = rest
            .strip_prefix(b"\r\n")
            .expect("a line end after the boundary");
        let head_end = find(rest, b"\r\n\r\n").expect("a part's headers end");
        let head = std::str::from_utf8(&rest[..head_end]).expect("UTF-8 headers");
        let mut lines = head.split("\r\n");
        let disposition = lines
            .next()
            .unwrap()
            .strip_prefix("Content-Disposition: form-data; name=")
            .expect("a form-data disposition");
        let (name, after) = quoted(disposition);
        let file_name = match after {
            "" => None,
            _ => {
                let after = after
                    .strip_prefix("; filename=")
                    .unwrap_or_else(|| panic!("after the name: {after:?}"));
                let (file_name, after) = quoted(after);
                assert_eq!(after, "", "after the file name");
                Some(file_name.to_owned())
            }
        };
        let content_type = lines.next().map(|l| {
            l.strip_prefix("Content-Type: ")
                .expect("only a content type after the disposition")
                .to_owned()
        });
        assert!(lines.next().is_none(), "more headers: {head:?}");
        rest = &rest[head_end + 4..];
        let end = find(rest, delimiter.as_bytes()).expect("a part ends with a boundary");
        parts.push((
            name.to_owned(),
            file_name,
            content_type,
            rest[..end].to_vec(),
        ));
        rest = &rest[end + delimiter.len()..];
    }
}

fuzz_target!(|input: Input| {
    let file_field = ["file", "audio", "", "a\"b"][usize::from(input.file_field % 4)];
    let form: Map<String, Value> = input
        .fields
        .iter()
        .map(|(name, field)| (name.clone(), field.json()))
        .collect();

    // The parts the form asks for.
    let mut names: Vec<&String> = form.keys().collect();
    names.sort();
    let mut expected: Vec<Part> = Vec::new();
    for name in names {
        if name == file_field {
            continue;
        }
        let value = &form[name];
        let items = match value {
            Value::Array(items) => items.iter().collect(),
            other => vec![other],
        };
        for item in items {
            let text = match item {
                Value::Null => continue,
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            expected.push((escaped(name), None, None, text.into_bytes()));
        }
    }
    let mut bad_type = false;
    let file = input.file.map(|f| {
        let mut part = FilePart::bytes(f.bytes.clone());
        if let Some(name) = &f.name {
            part = part.file_name(name.clone());
        }
        if let Some(ct) = &f.content_type {
            part = part.content_type(ct.clone());
            bad_type = http::HeaderValue::from_str(ct).is_err();
        }
        let file_name = escaped(f.name.as_deref().unwrap_or("file"));
        expected.push((
            escaped(file_field),
            Some(file_name),
            f.content_type.clone(),
            f.bytes,
        ));
        part
    });

    let result = openrouter::fuzzing::multipart(&Value::Object(form), file_field, file);
    let (content_type, body) = match result {
        Ok(ok) => ok,
        Err(e) => {
            assert!(bad_type, "refused: {e}");
            return;
        }
    };
    assert!(
        !bad_type,
        "a content type that is not a header value was accepted"
    );
    let boundary = content_type
        .strip_prefix("multipart/form-data; boundary=")
        .expect("a multipart content type");
    assert!(
        (1..=70).contains(&boundary.len())
            && boundary
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"'()+_,-./:=?".contains(&b)),
        "an invalid boundary: {boundary:?}"
    );
    let mut parts = parse(&body, boundary);
    // A guessed content type is not checked here, only that there is one.
    if let (Some(last), Some(expected_last)) = (parts.last_mut(), expected.last_mut()) {
        if last.1.is_some() && expected_last.2.is_none() {
            assert!(last.2.as_deref().is_some_and(|t| t.contains('/')));
            expected_last.2 = last.2.clone();
        }
    }
    assert_eq!(parts, expected);
});
