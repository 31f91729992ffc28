//! Binary downloads: [`Download`], the unread body of an operation that returns bytes (audio
//! from `POST /audio/speech`, file, video and container-file contents).
//!
//! A download is a [`Stream`] of chunks as they come off the wire, so a large file never has
//! to be held in memory; [`bytes`](Download::bytes), [`write_to`](Download::write_to) and
//! [`write_to_file`](Download::write_to_file) read it for the common cases. The call's stream
//! idle timeout ([`TimeoutConfig::stream_idle`](crate::TimeoutConfig)) bounds the wait for each
//! chunk, and its total timeout the whole call, reading included. Like event streams, a
//! download is polled by the caller (nothing is spawned) and dropping it closes the connection.
//!
//! # Examples
//!
//! ```no_run
//! # async fn run(client: openrouter::Client) -> Result<(), openrouter::Error> {
//! use openrouter::types::generated::DownloadFileContentQuery;
//!
//! let download = client
//!     .files()
//!     .download("file-abc123", DownloadFileContentQuery::default())
//!     .await?;
//! println!("{:?}, {:?} bytes", download.content_type(), download.content_length());
//! let written = download.write_to_file("contents.bin").await?;
//! # Ok(()) }
//! ```

use std::fmt;
use std::future::{poll_fn, Future};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures_core::Stream;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use http_body::Body;
use openrouter_transport::ResponseBody;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::time::{Instant, Sleep};

use crate::config::ResolvedTimeouts;
use crate::error::{Error, IoError, StreamFailure, TimeoutError, TimeoutKind};
use crate::response::ResponseMeta;
use crate::sse::StreamError;

/// The body of a binary response, read as the caller polls it.
///
/// A [`Stream`] of `Result<Bytes, Error>` chunks; it ends after the last chunk, or after the
/// first error. Errors: [`Error::Stream`] when reading fails or no chunk arrives within the
/// call's stream idle timeout, [`Error::Timeout`] when the call's total timeout expires.
///
/// Dropping it closes the connection.
pub struct Download {
    body: ResponseBody,
    meta: ResponseMeta,
    idle: Option<(Duration, Pin<Box<Sleep>>)>,
    deadline: Option<(Option<Duration>, Pin<Box<Sleep>>)>,
    done: bool,
}

impl fmt::Debug for Download {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Download")
            .field("meta", &self.meta)
            .field("body", &self.body)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl Download {
    pub(crate) fn new(
        body: ResponseBody,
        meta: ResponseMeta,
        timeouts: ResolvedTimeouts,
        deadline: Option<Instant>,
    ) -> Self {
        let idle = timeouts
            .stream_idle
            .map(|d| (d, Box::pin(tokio::time::sleep(d))));
        let deadline = deadline.map(|at| (timeouts.total, Box::pin(tokio::time::sleep_until(at))));
        Download {
            body,
            meta,
            idle,
            deadline,
            done: false,
        }
    }

    /// Status, headers and ids of the response.
    pub fn meta(&self) -> &ResponseMeta {
        &self.meta
    }

    /// The response's `Content-Type`, such as `audio/mpeg`.
    pub fn content_type(&self) -> Option<&str> {
        self.meta
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
    }

    /// The response's `Content-Length`, when the server sent one.
    pub fn content_length(&self) -> Option<u64> {
        self.meta
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse().ok())
    }

    /// Reads the whole body into memory.
    ///
    /// # Errors
    /// As the stream's: a failed read, the idle timeout, the total timeout.
    pub async fn bytes(mut self) -> Result<Bytes, Error> {
        let mut first: Option<Bytes> = None;
        let mut all: Option<BytesMut> = None;
        while let Some(chunk) = self.next_chunk().await {
            let chunk = chunk?;
            match (&mut first, &mut all) {
                (None, None) => first = Some(chunk),
                (Some(_), None) => {
                    // A second chunk: from now on, gather into one buffer (sized from the
                    // Content-Length, within reason: a header is not a promise).
                    let head = first.take().unwrap_or_default();
                    let hint = self.content_length().unwrap_or(0).min(64 << 20) as usize;
                    let mut buf = BytesMut::with_capacity(hint.max(head.len() + chunk.len()));
                    buf.extend_from_slice(&head);
                    buf.extend_from_slice(&chunk);
                    all = Some(buf);
                }
                (_, Some(buf)) => buf.extend_from_slice(&chunk),
            }
        }
        Ok(match all {
            Some(buf) => buf.freeze(),
            None => first.unwrap_or_default(),
        })
    }

    /// Writes the body to `writer` as it arrives, then flushes it; returns the number of bytes
    /// written.
    ///
    /// # Errors
    /// As the stream's, and [`Error::Io`] when writing fails.
    pub async fn write_to<W: AsyncWrite + Unpin>(mut self, mut writer: W) -> Result<u64, Error> {
        let io = |source| Error::Io(IoError { source, path: None });
        let mut written = 0u64;
        while let Some(chunk) = self.next_chunk().await {
            let chunk = chunk?;
            writer.write_all(&chunk).await.map_err(io)?;
            written += chunk.len() as u64;
        }
        writer.flush().await.map_err(io)?;
        Ok(written)
    }

    /// Writes the body to the file at `path` (created, or truncated), as it arrives; returns
    /// the number of bytes written.
    ///
    /// On error the file is left with what was written so far.
    ///
    /// # Errors
    /// As the stream's, and [`Error::Io`] when the file cannot be created or written.
    pub async fn write_to_file(self, path: impl AsRef<Path>) -> Result<u64, Error> {
        let path = path.as_ref();
        let with_path = |source| {
            Error::Io(IoError {
                source,
                path: Some(PathBuf::from(path)),
            })
        };
        let file = tokio::fs::File::create(path).await.map_err(with_path)?;
        match self.write_to(file).await {
            Err(Error::Io(e)) => Err(with_path(e.source)),
            other => other,
        }
    }

    async fn next_chunk(&mut self) -> Option<Result<Bytes, Error>> {
        poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// Ends the download with `error`, dropping the body (which closes the connection).
    fn fail(&mut self, error: Error) -> Poll<Option<Result<Bytes, Error>>> {
        self.done = true;
        self.body = ResponseBody::empty();
        self.idle = None;
        self.deadline = None;
        Poll::Ready(Some(Err(error)))
    }
}

impl Stream for Download {
    type Item = Result<Bytes, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.done {
            return Poll::Ready(None);
        }
        let attempts = this.meta.attempts();
        if let Some((limit, sleep)) = &mut this.deadline {
            if sleep.as_mut().poll(cx).is_ready() {
                let limit = *limit;
                return this.fail(Error::Timeout(TimeoutError {
                    kind: TimeoutKind::Total,
                    limit,
                    attempts,
                    repeatable: false,
                }));
            }
        }
        loop {
            match Pin::new(&mut this.body).poll_frame(cx) {
                Poll::Ready(Some(Ok(frame))) => {
                    let Ok(data) = frame.into_data() else {
                        // Trailers carry nothing a download needs.
                        continue;
                    };
                    if data.is_empty() {
                        continue;
                    }
                    if let Some((d, sleep)) = &mut this.idle {
                        sleep.as_mut().reset(Instant::now() + *d);
                    }
                    return Poll::Ready(Some(Ok(data)));
                }
                Poll::Ready(Some(Err(e))) => {
                    return this.fail(Error::Stream(Box::new(StreamFailure {
                        inner: StreamError::Transport(e),
                        attempts,
                    })));
                }
                Poll::Ready(None) => {
                    this.done = true;
                    this.idle = None;
                    this.deadline = None;
                    return Poll::Ready(None);
                }
                Poll::Pending => break,
            }
        }
        if let Some((timeout, sleep)) = &mut this.idle {
            if sleep.as_mut().poll(cx).is_ready() {
                let timeout = *timeout;
                return this.fail(Error::Stream(Box::new(StreamFailure {
                    inner: StreamError::IdleTimeout { timeout },
                    attempts,
                })));
            }
        }
        Poll::Pending
    }
}
