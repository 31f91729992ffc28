//! The body of a request as the attempt loop sees it ([`BodySource`]): something that makes
//! a fresh [`RequestBody`] for each attempt (in-memory bytes shared between attempts, or a
//! multipart upload whose file is opened again, or whose reader is handed over once).

use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use bytes::Bytes;
use http::header::HeaderValue;
use http_body::{Body, Frame, SizeHint};
use openrouter_transport::RequestBody;
use tokio::io::{AsyncRead, ReadBuf};

use crate::error::ConfigError;

/// A caller's reader, boxed.
pub(crate) type Reader = Pin<Box<dyn AsyncRead + Send>>;

/// Where a reader waits until the first attempt whose body is polled takes it.
pub(crate) type ReaderSlot = Arc<Mutex<Option<Reader>>>;

/// A request body as [`Client::execute`](crate::Client) sees it: something that can produce a
/// fresh [`RequestBody`] for each attempt, and its content type.
pub(crate) enum BodySource {
    /// Held in memory (JSON, or a multipart form whose file is in memory): each attempt
    /// shares the buffer.
    Bytes {
        bytes: Bytes,
        content_type: HeaderValue,
    },
    /// A multipart form whose file is read as it is sent.
    Streamed(Streamed),
}

impl BodySource {
    /// A copy that sends the same bytes, for an in-memory body (a streamed upload has none).
    pub(crate) fn try_clone(&self) -> Option<BodySource> {
        match self {
            BodySource::Bytes {
                bytes,
                content_type,
            } => Some(BodySource::Bytes {
                bytes: bytes.clone(),
                content_type: content_type.clone(),
            }),
            BodySource::Streamed(_) => None,
        }
    }

    /// A JSON body.
    pub(crate) fn json(bytes: Bytes) -> Self {
        BodySource::Bytes {
            bytes,
            content_type: HeaderValue::from_static("application/json"),
        }
    }

    /// The `Content-Type` of the request.
    pub(crate) fn content_type(&self) -> &HeaderValue {
        match self {
            BodySource::Bytes { content_type, .. } => content_type,
            BodySource::Streamed(s) => &s.content_type,
        }
    }

    /// Whether another attempt can send this body again (a reader that has started cannot).
    pub(crate) fn replayable(&self) -> bool {
        match self {
            BodySource::Bytes { .. } => true,
            BodySource::Streamed(s) => match &s.file {
                StreamedFile::Path(_) => true,
                StreamedFile::Reader(slot) => slot
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .is_some(),
            },
        }
    }
}

/// A multipart body whose file is streamed: the framed head, the file, the closing boundary.
pub(crate) struct Streamed {
    pub(crate) head: Bytes,
    pub(crate) tail: Bytes,
    pub(crate) file: StreamedFile,
    pub(crate) content_type: HeaderValue,
}

pub(crate) enum StreamedFile {
    Path(PathBuf),
    /// Taken by the first attempt whose body is polled; empty after that.
    Reader(ReaderSlot),
}

impl Streamed {
    /// The body of one attempt: opens the file, or hands over the reader.
    pub(crate) async fn open(&self) -> Result<RequestBody, ConfigError> {
        let framed = |len: u64| Some(self.head.len() as u64 + len + self.tail.len() as u64);
        let (file, len) = match &self.file {
            StreamedFile::Path(path) => {
                let fail = |e: std::io::Error| {
                    ConfigError::new(format!(
                        "cannot read the file to upload `{}`: {}",
                        path.display(),
                        e.kind()
                    ))
                };
                let file = tokio::fs::File::open(path).await.map_err(fail)?;
                let meta = file.metadata().await.map_err(fail)?;
                if !meta.is_file() {
                    return Err(ConfigError::new(format!(
                        "the upload path `{}` is not a file",
                        path.display()
                    )));
                }
                let file: Reader = Box::pin(file);
                (FileState::Reading(file), framed(meta.len()))
            }
            StreamedFile::Reader(slot) => (FileState::Slot(slot.clone()), None),
        };
        Ok(RequestBody::from_body(StreamBody {
            head: Some(self.head.clone()),
            file,
            tail: Some(self.tail.clone()),
            remaining: len,
            buf: Vec::new(),
        }))
    }
}

enum FileState {
    Slot(ReaderSlot),
    Reading(Reader),
    Done,
}

/// The size of each read from a streamed file.
const CHUNK: usize = 64 * 1024;

/// The body of one attempt of a streamed multipart upload.
struct StreamBody {
    head: Option<Bytes>,
    file: FileState,
    tail: Option<Bytes>,
    /// The bytes left to send, when the file's length is known (so the request has a
    /// `Content-Length`).
    remaining: Option<u64>,
    buf: Vec<u8>,
}

impl StreamBody {
    fn data(&mut self, bytes: Bytes) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        if let Some(r) = &mut self.remaining {
            *r = r.saturating_sub(bytes.len() as u64);
        }
        Poll::Ready(Some(Ok(Frame::data(bytes))))
    }
}

impl Body for StreamBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        let this = self.get_mut();
        if let Some(head) = this.head.take() {
            return this.data(head);
        }
        loop {
            match &mut this.file {
                FileState::Slot(slot) => {
                    let taken = slot.lock().unwrap_or_else(PoisonError::into_inner).take();
                    match taken {
                        Some(reader) => this.file = FileState::Reading(reader),
                        None => {
                            this.file = FileState::Done;
                            return Poll::Ready(Some(Err(std::io::Error::other(
                                "the upload's reader was already used by an earlier attempt",
                            ))));
                        }
                    }
                }
                FileState::Reading(reader) => {
                    if this.buf.len() < CHUNK {
                        this.buf.resize(CHUNK, 0);
                    }
                    let mut read = ReadBuf::new(&mut this.buf);
                    match reader.as_mut().poll_read(cx, &mut read) {
                        Poll::Pending => return Poll::Pending,
                        Poll::Ready(Err(e)) => {
                            this.file = FileState::Done;
                            return Poll::Ready(Some(Err(e)));
                        }
                        Poll::Ready(Ok(())) if read.filled().is_empty() => {
                            this.file = FileState::Done;
                            this.buf = Vec::new();
                        }
                        Poll::Ready(Ok(())) => {
                            let chunk = Bytes::copy_from_slice(read.filled());
                            return this.data(chunk);
                        }
                    }
                }
                FileState::Done => {
                    return match this.tail.take() {
                        Some(tail) => this.data(tail),
                        None => Poll::Ready(None),
                    };
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.head.is_none() && matches!(self.file, FileState::Done) && self.tail.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        match self.remaining {
            Some(n) => SizeHint::with_exact(n),
            None => SizeHint::default(),
        }
    }
}
