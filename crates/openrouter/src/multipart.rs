//! Multipart uploads: [`FilePart`], the file of an upload, and the `multipart/form-data` body
//! built around it.
//!
//! An upload operation (`POST /files`, `POST /audio/transcriptions`) sends its form as
//! `multipart/form-data`: one text part per field, then the file. The file comes from memory
//! ([`FilePart::bytes`]), from a path opened when the call is sent ([`FilePart::path`]), or
//! from any [`AsyncRead`] ([`FilePart::reader`]). An upload whose file is required takes it
//! as an argument of its method (`files().upload(query, file)`); one whose file is optional (a
//! transcription may name a `source_url` instead) takes it with
//! [`Call::file`](crate::Call::file), which only upload calls have.
//!
//! Retries re-send the same body: bytes are shared (a reference-count increment), a path is
//! opened again for each attempt, and a reader, which cannot be rewound, allows one attempt
//! once the body has started to be sent.
//!
//! # Examples
//!
//! ```no_run
//! use openrouter::FilePart;
//! use openrouter::types::files::UploadFileQuery;
//!
//! # async fn run(client: openrouter::Client) -> Result<(), openrouter::Error> {
//! let file = client
//!     .files()
//!     .upload(UploadFileQuery::default(), FilePart::path("report.pdf"))
//!     .await?;
//! # Ok(()) }
//! ```

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use bytes::{BufMut, Bytes, BytesMut};
use http::header::HeaderValue;
use serde::Serialize;
use tokio::io::AsyncRead;

use crate::body::{BodySource, Reader, Streamed, StreamedFile};
use crate::error::ConfigError;

/// The file of a multipart upload: its contents, file name and content type.
///
/// Without [`file_name`](Self::file_name), a path gives its own name and other sources are
/// called `file`. Without [`content_type`](Self::content_type), the type is guessed from the
/// file name's extension (`.mp3` is `audio/mpeg`, `.pdf` is `application/pdf`, ...), else
/// `application/octet-stream`.
///
/// `Debug` shows where the contents come from and their size, never the contents.
///
/// # Examples
///
/// ```
/// use openrouter::FilePart;
///
/// let part = FilePart::bytes(&b"%PDF-1.7 ..."[..])
///     .file_name("report.pdf")
///     .content_type("application/pdf");
/// assert!(format!("{part:?}").contains("report.pdf"));
/// ```
pub struct FilePart {
    source: Source,
    file_name: Option<String>,
    content_type: Option<String>,
}

enum Source {
    Bytes(Bytes),
    Path(PathBuf),
    Reader(Reader),
}

impl FilePart {
    /// A file held in memory. Retries re-send it without copying.
    pub fn bytes(bytes: impl Into<Bytes>) -> Self {
        FilePart::from_source(Source::Bytes(bytes.into()))
    }

    /// A file on disk, opened when the call is sent and opened again for each retry.
    ///
    /// Its name is the path's last component. A file that cannot be opened makes the call
    /// fail with [`Error::Config`](crate::Error::Config) before anything is sent.
    pub fn path(path: impl Into<PathBuf>) -> Self {
        FilePart::from_source(Source::Path(path.into()))
    }

    /// A file read from `reader` as it is sent, without holding it all in memory.
    ///
    /// A reader cannot be rewound, so it is single-use: once the body has started to be sent
    /// the call makes no further attempt, whatever its retry policy (an error that would
    /// have been retried is returned, with its attempt count). Prefer [`path`](Self::path)
    /// or [`bytes`](Self::bytes) when retries matter.
    pub fn reader(reader: impl AsyncRead + Send + 'static) -> Self {
        FilePart::from_source(Source::Reader(Box::pin(reader)))
    }

    fn from_source(source: Source) -> Self {
        FilePart {
            source,
            file_name: None,
            content_type: None,
        }
    }

    /// Sets the file name sent with the part (some operations derive the format from it).
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    /// Sets the part's content type, such as `audio/wav`.
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    fn effective_file_name(&self) -> String {
        if let Some(name) = &self.file_name {
            return name.clone();
        }
        match &self.source {
            Source::Path(p) => p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "file".to_owned()),
            _ => "file".to_owned(),
        }
    }
}

impl fmt::Debug for FilePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("FilePart");
        match &self.source {
            Source::Bytes(b) => d.field("len", &b.len()),
            Source::Path(p) => d.field("path", p),
            Source::Reader(_) => d.field("reader", &format_args!("<AsyncRead>")),
        };
        d.field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .finish()
    }
}

/// Content types by file extension (lower case), for file parts that do not set one.
const CONTENT_TYPES: &[(&str, &str)] = &[
    ("aac", "audio/aac"),
    ("flac", "audio/flac"),
    ("m4a", "audio/mp4"),
    ("mp3", "audio/mpeg"),
    ("mpga", "audio/mpeg"),
    ("mpeg", "audio/mpeg"),
    ("oga", "audio/ogg"),
    ("ogg", "audio/ogg"),
    ("opus", "audio/opus"),
    ("wav", "audio/wav"),
    ("weba", "audio/webm"),
    ("webm", "audio/webm"),
    ("mp4", "video/mp4"),
    ("mov", "video/quicktime"),
    ("gif", "image/gif"),
    ("jpeg", "image/jpeg"),
    ("jpg", "image/jpeg"),
    ("png", "image/png"),
    ("webp", "image/webp"),
    ("csv", "text/csv"),
    ("htm", "text/html"),
    ("html", "text/html"),
    ("md", "text/markdown"),
    ("txt", "text/plain"),
    ("json", "application/json"),
    ("jsonl", "application/jsonl"),
    ("pdf", "application/pdf"),
    ("zip", "application/zip"),
];

const OCTET_STREAM: &str = "application/octet-stream";

/// The content type for a file name, from its extension.
fn guess_content_type(file_name: &str) -> &'static str {
    let Some(ext) = Path::new(file_name).extension().and_then(|e| e.to_str()) else {
        return OCTET_STREAM;
    };
    CONTENT_TYPES
        .iter()
        .find(|(e, _)| e.eq_ignore_ascii_case(ext))
        .map_or(OCTET_STREAM, |(_, ct)| ct)
}

/// Writes a name or file name inside a quoted `Content-Disposition` parameter, escaped as
/// browsers do (the WHATWG HTML form encoding): `"` as `%22`, CR as `%0D`, LF as `%0A`, so
/// no value can end the parameter or the header.
fn push_quoted(out: &mut BytesMut, s: &str) {
    out.put_u8(b'"');
    for b in s.bytes() {
        match b {
            b'"' => out.put_slice(b"%22"),
            b'\r' => out.put_slice(b"%0D"),
            b'\n' => out.put_slice(b"%0A"),
            b => out.put_u8(b),
        }
    }
    out.put_u8(b'"');
}

/// A `multipart/form-data` body: the form's text parts, framed once, and its file part.
pub(crate) struct Multipart {
    boundary: String,
    /// The framed text parts, each starting with its boundary line.
    text: BytesMut,
    file_field: &'static str,
    file: Option<FilePart>,
}

impl fmt::Debug for Multipart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Multipart")
            .field("text_len", &self.text.len())
            .field("file_field", &self.file_field)
            .field("file", &self.file)
            .finish()
    }
}

impl Multipart {
    /// The form's fields as text parts, every field but `file_field`: strings as they are,
    /// numbers and booleans as JSON text, arrays as one part per element under the field's
    /// name (which for arrays usually ends in `[]`), objects as JSON text; nulls are left out.
    ///
    /// Parts come in the order of the field names (the order of a `serde_json` object); the
    /// file part, set with [`file`](Self::file), comes last. The form's own `file_field` is
    /// ignored (callers take its bytes out first, so they are not serialized for nothing).
    pub(crate) fn from_form<F: Serialize>(
        form: &F,
        file_field: &'static str,
    ) -> Result<Multipart, ConfigError> {
        let value = serde_json::to_value(form)
            .map_err(|e| ConfigError::new(format!("the form cannot be serialized: {e}")))?;
        let serde_json::Value::Object(fields) = value else {
            return Err(ConfigError::new("the form is not an object"));
        };
        let mut m = Multipart {
            boundary: format!(
                "openrouter-{:016x}{:016x}",
                fastrand::u64(..),
                fastrand::u64(..)
            ),
            text: BytesMut::new(),
            file_field,
            file: None,
        };
        // In name order, whatever the map type behind `serde_json::Map` (its order depends on
        // a feature another crate of the build may enable).
        let mut fields: Vec<(&String, &serde_json::Value)> = fields.iter().collect();
        fields.sort_by(|a, b| a.0.cmp(b.0));
        for (name, value) in fields {
            if name == file_field {
                continue;
            }
            match value {
                serde_json::Value::Array(items) => {
                    for item in items {
                        m.text_part(name, item);
                    }
                }
                other => m.text_part(name, other),
            }
        }
        Ok(m)
    }

    fn text_part(&mut self, name: &str, value: &serde_json::Value) {
        let text = match value {
            serde_json::Value::Null => return,
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        self.part_head(name, None, None);
        let out = &mut self.text;
        out.put_slice(text.as_bytes());
        out.put_slice(b"\r\n");
    }

    /// Writes a part's boundary line and headers, up to and including the blank line.
    fn part_head(&mut self, name: &str, file_name: Option<&str>, content_type: Option<&str>) {
        let out = &mut self.text;
        out.put_slice(b"--");
        out.put_slice(self.boundary.as_bytes());
        out.put_slice(b"\r\nContent-Disposition: form-data; name=");
        push_quoted(out, name);
        if let Some(file_name) = file_name {
            out.put_slice(b"; filename=");
            push_quoted(out, file_name);
        }
        out.put_slice(b"\r\n");
        if let Some(ct) = content_type {
            out.put_slice(b"Content-Type: ");
            out.put_slice(ct.as_bytes());
            out.put_slice(b"\r\n");
        }
        out.put_slice(b"\r\n");
    }

    /// Sets (or replaces) the file part.
    pub(crate) fn file(mut self, part: FilePart) -> Self {
        self.set_file(part);
        self
    }

    pub(crate) fn set_file(&mut self, part: FilePart) {
        self.file = Some(part);
    }

    /// The body to send: everything framed, with the file's source.
    pub(crate) fn into_source(mut self) -> Result<BodySource, ConfigError> {
        let content_type =
            HeaderValue::try_from(format!("multipart/form-data; boundary={}", self.boundary))
                .map_err(|_| ConfigError::new("invalid multipart boundary"))?;
        let Some(file) = self.file.take() else {
            // A form without a file (a transcription by `source_url`).
            let mut out = self.text;
            out.put_slice(b"--");
            out.put_slice(self.boundary.as_bytes());
            out.put_slice(b"--\r\n");
            return Ok(BodySource::Bytes {
                bytes: out.freeze(),
                content_type,
            });
        };
        let file_name = file.effective_file_name();
        let part_type = match &file.content_type {
            Some(ct) => {
                // The type is written into the part's headers: it must be one header value
                // (which rules out CR and LF).
                if HeaderValue::try_from(ct.as_str()).is_err() {
                    return Err(ConfigError::new(format!(
                        "invalid content type for the file part `{}`",
                        self.file_field
                    )));
                }
                ct.clone()
            }
            None => guess_content_type(&file_name).to_owned(),
        };
        self.part_head(self.file_field, Some(&file_name), Some(&part_type));
        let mut tail = BytesMut::with_capacity(self.boundary.len() + 8);
        tail.put_slice(b"\r\n--");
        tail.put_slice(self.boundary.as_bytes());
        tail.put_slice(b"--\r\n");
        let head = self.text;
        Ok(match file.source {
            Source::Bytes(bytes) => {
                // One buffer, so that each attempt is a reference-count increment (and test
                // transports see the whole body).
                let mut out = head;
                out.reserve(bytes.len() + tail.len());
                out.put_slice(&bytes);
                out.put_slice(&tail);
                BodySource::Bytes {
                    bytes: out.freeze(),
                    content_type,
                }
            }
            Source::Path(path) => BodySource::Streamed(Streamed {
                head: head.freeze(),
                tail: tail.freeze(),
                file: StreamedFile::Path(path),
                content_type,
            }),
            Source::Reader(reader) => BodySource::Streamed(Streamed {
                head: head.freeze(),
                tail: tail.freeze(),
                file: StreamedFile::Reader(Arc::new(Mutex::new(Some(reader)))),
                content_type,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_are_guessed_from_the_extension() {
        assert_eq!(guess_content_type("a.MP3"), "audio/mpeg");
        assert_eq!(guess_content_type("dir.x/report.pdf"), "application/pdf");
        assert_eq!(guess_content_type("noext"), OCTET_STREAM);
        assert_eq!(guess_content_type("a.unknown"), OCTET_STREAM);
    }

    #[test]
    fn names_are_escaped() {
        let mut out = BytesMut::new();
        push_quoted(&mut out, "a\"b\r\nc é");
        assert_eq!(&out[..], "\"a%22b%0D%0Ac é\"".as_bytes());
    }

    #[test]
    fn debug_does_not_show_contents() {
        let part = FilePart::bytes(&b"secret-bytes"[..]);
        let text = format!("{part:?}");
        assert!(!text.contains("secret"), "{text}");
        assert!(text.contains("12"), "{text}");
    }

    #[test]
    fn boundaries_differ() {
        let a = Multipart::from_form(&serde_json::json!({}), "file").unwrap();
        let b = Multipart::from_form(&serde_json::json!({}), "file").unwrap();
        assert_ne!(a.boundary, b.boundary);
        assert!(Multipart::from_form(&1, "file").is_err());
    }
}
