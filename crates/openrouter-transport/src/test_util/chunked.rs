//! A response body that arrives in scripted chunks.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};

use crate::body::ResponseBody;
use crate::error::TransportError;

enum Step {
    Data(Bytes),
    Delay(Duration),
    Error(TransportError),
    Stall,
}

/// A body that yields scripted chunks, with optional delays, errors and stalls in between.
///
/// Each [`chunk`](Self::chunk) is one frame, so a test controls exactly where frame boundaries
/// fall (an SSE event split across two frames, say). Delays use tokio's clock, so under
/// `#[tokio::test(start_paused = true)]` they take no real time.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use openrouter_transport::test_util::{response, ChunkedBody};
///
/// let sse = ChunkedBody::new()
///     .chunk(": OPENROUTER PROCESSING\n\n")
///     .delay(Duration::from_millis(50))
///     .chunk("data: {\"choices\":[]}\n\n")
///     .chunk("data: [DONE]\n\n");
/// let r = response(200, &[("content-type", "text/event-stream")], sse);
/// # let _ = r;
///
/// // A stream that sends one keep-alive comment and then nothing, ever.
/// let stalled = ChunkedBody::new().chunk(": OPENROUTER PROCESSING\n\n").stall();
/// # let _ = stalled;
/// ```
#[must_use]
#[derive(Default)]
pub struct ChunkedBody {
    steps: VecDeque<Step>,
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl ChunkedBody {
    /// An empty body; add steps with the other methods.
    pub fn new() -> Self {
        Self::default()
    }

    /// A body that yields `chunks`, one frame each, without delay.
    pub fn from_chunks<I>(chunks: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<Bytes>,
    {
        chunks.into_iter().fold(Self::new(), Self::chunk)
    }

    /// A body that waits `delay` before each of `chunks`.
    pub fn from_chunks_delayed<I>(chunks: I, delay: Duration) -> Self
    where
        I: IntoIterator,
        I::Item: Into<Bytes>,
    {
        chunks
            .into_iter()
            .fold(Self::new(), |body, chunk| body.delay(delay).chunk(chunk))
    }

    /// Yields `data` as one frame.
    pub fn chunk(mut self, data: impl Into<Bytes>) -> Self {
        self.steps.push_back(Step::Data(data.into()));
        self
    }

    /// Waits `delay` before the next step.
    pub fn delay(mut self, delay: Duration) -> Self {
        self.steps.push_back(Step::Delay(delay));
        self
    }

    /// Fails with `error` (the body ends after it).
    pub fn error(mut self, error: TransportError) -> Self {
        self.steps.push_back(Step::Error(error));
        self
    }

    /// Stops yielding anything, forever, without ending the body: steps after it never run.
    pub fn stall(mut self) -> Self {
        self.steps.push_back(Step::Stall);
        self
    }
}

impl fmt::Debug for ChunkedBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChunkedBody")
            .field("steps_left", &self.steps.len())
            .finish()
    }
}

impl Body for ChunkedBody {
    type Data = Bytes;
    type Error = TransportError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, TransportError>>> {
        let this = self.get_mut();
        loop {
            if let Some(sleep) = &mut this.sleep {
                if sleep.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                this.sleep = None;
            }
            match this.steps.pop_front() {
                None => return Poll::Ready(None),
                Some(Step::Data(data)) => return Poll::Ready(Some(Ok(Frame::data(data)))),
                Some(Step::Delay(delay)) => this.sleep = Some(Box::pin(tokio::time::sleep(delay))),
                Some(Step::Error(error)) => {
                    this.steps.clear();
                    return Poll::Ready(Some(Err(error)));
                }
                Some(Step::Stall) => {
                    // Never woken: this body has nothing more to say.
                    this.steps.push_front(Step::Stall);
                    return Poll::Pending;
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.steps.is_empty() && self.sleep.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        let mut hint = SizeHint::new();
        let known: u64 = self
            .steps
            .iter()
            .map(|step| match step {
                Step::Data(data) => data.len() as u64,
                _ => 0,
            })
            .sum();
        hint.set_lower(known);
        if self
            .steps
            .iter()
            .all(|step| matches!(step, Step::Data(_) | Step::Delay(_)))
        {
            hint.set_upper(known);
        }
        hint
    }
}

impl From<ChunkedBody> for ResponseBody {
    fn from(body: ChunkedBody) -> Self {
        ResponseBody::new(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TransportErrorKind;
    use http_body_util::BodyExt;

    async fn frames(mut body: ResponseBody) -> Vec<Result<Bytes, TransportErrorKind>> {
        let mut out = Vec::new();
        while let Some(frame) = body.frame().await {
            out.push(frame.map(|f| f.into_data().unwrap()).map_err(|e| e.kind()));
        }
        out
    }

    #[tokio::test]
    async fn yields_one_frame_per_chunk() {
        let body = ResponseBody::from(ChunkedBody::from_chunks(["a", "bc", "d"]));
        assert_eq!(
            frames(body).await,
            [Ok("a".into()), Ok("bc".into()), Ok("d".into())]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn delays_use_the_tokio_clock() {
        let start = tokio::time::Instant::now();
        let body = ChunkedBody::from_chunks_delayed(["a", "b"], Duration::from_secs(10));
        assert_eq!(body.size_hint().exact(), Some(2));
        let got = frames(body.into()).await;
        assert_eq!(got, [Ok("a".into()), Ok("b".into())]);
        assert_eq!(start.elapsed(), Duration::from_secs(20));
    }

    #[tokio::test]
    async fn error_ends_the_body() {
        let body = ChunkedBody::new()
            .chunk("a")
            .error(TransportError::with_message(
                TransportErrorKind::Io,
                "reset",
            ))
            .chunk("never");
        assert_eq!(
            frames(body.into()).await,
            [Ok("a".into()), Err(TransportErrorKind::Io)]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn stall_never_ends() {
        let mut body = ResponseBody::from(ChunkedBody::new().chunk("a").stall().chunk("b"));
        assert_eq!(
            body.frame().await.unwrap().unwrap().into_data().unwrap(),
            "a"
        );
        let next = tokio::time::timeout(Duration::from_secs(3600), body.frame()).await;
        assert!(next.is_err(), "a stalled body must stay pending");
        assert!(!body.is_end_stream());
    }
}
