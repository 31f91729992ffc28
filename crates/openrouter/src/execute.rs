//! The one orchestration loop every call goes through ([`Client::execute`]): resolve the
//! options and the key once, attempt (a per-attempt timeout until the headers, the total
//! deadline, on one timer per call), classify the failure, back off, repeat. It returns the
//! head of a successful response with its body unread (or, for a call that asks, read whole
//! and checked for an error inside a 200), and what bounds the rest of the call.

use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::Poll;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http::header::{HeaderMap, CONTENT_TYPE};
use http::{Request, StatusCode};
use http_body::Body as _;
use openrouter_transport::{RequestBody, ResponseBody, Transport, TransportErrorKind};
use openrouter_types::error::ErrorResponse;
use tokio::time::{Instant, Sleep};

use crate::body::BodySource;
use crate::client::{check_base_url, Client};
use crate::config::{ResolvedRetry, ResolvedTimeouts};
use crate::error::{ApiError, Error, TimeoutError, TimeoutKind, TooLargeError, TransportFailure};
use crate::prepared::Prepared;
use crate::{defaults, headers, retry};

impl Client {
    /// Runs one call: resolve the options, then attempt, classify and back off until a
    /// response head with a success status arrives or the policy gives up. Returns the head and
    /// the unread body; nothing is retried after this returns.
    pub(crate) async fn execute(
        &self,
        call: Prepared,
        accept: &'static str,
        read: Option<ReadWhole>,
    ) -> Result<Executed, Error> {
        // Used in place: moving the fields out would store them twice in this future.
        let (method, path_and_query, body, options) = (
            &call.method,
            &*call.path_and_query,
            &call.body,
            &call.options,
        );
        let timeouts = ResolvedTimeouts::resolve(options.timeouts, self.inner.timeouts);
        let policy = ResolvedRetry::resolve(options.retry, self.inner.retry);
        let deadline = timeouts.total.map(|d| Instant::now() + d);
        // A call's base URL follows the client's rules (no plain http to another host).
        let call_base = match options.extras.as_ref().and_then(|e| e.base_url.as_ref()) {
            Some(url) => Some(check_base_url(url, self.inner.allow_http).map_err(fail(&call))?),
            None => None,
        };
        let uri = self
            .call_uri(call_base.as_deref(), call.uri_slot, path_and_query)
            .map_err(fail(&call))?;
        // The key is resolved once per call (a provider is asked once).
        let auth = self.auth().map_err(fail(&call))?;
        if let Some(err) = options.error() {
            return Err(fail(&call)(Error::Config(err.clone())));
        }
        let content_type = body.as_ref().map(BodySource::content_type);
        // A request that may have reached the server is sent again only when a second copy
        // has no second effect: an idempotent method, or a call with an `Idempotency-Key`
        // (the server answers a repeat with what the first one did), or when the caller
        // allows it.
        let repeatable = retry::is_idempotent(method)
            || policy.retry_maybe_sent
            || options
                .extras
                .as_ref()
                .is_some_and(|e| e.headers.contains_key(headers::IDEMPOTENCY_KEY));
        let max_body = self.max_response_body(options);
        // The first attempt takes the URI and the header map as they are; a retry builds them
        // again from the same values (cloning them up front for a retry that rarely comes
        // would cost every call a copy).
        let mut first = Some((
            uri,
            self.headers(options, content_type, accept, auth.as_ref()),
        ));

        // One timer per call, re-armed for each attempt: registering a timer costs a lock and a
        // wheel insertion, and a non-streamed body is read under the last attempt's limit on
        // the same timer.
        let mut timer: Option<Pin<Box<Sleep>>> = None;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let attempt_deadline = timeouts.attempt.map(|d| Instant::now() + d);
            let limit = earliest(attempt_deadline, deadline);
            // Each attempt gets a fresh body: in-memory bodies share their buffer; a streamed
            // upload opens its file again (or hands over its reader, once), within the
            // attempt's limit.
            let request_body = match body {
                None => RequestBody::empty(),
                Some(BodySource::Bytes { bytes, .. }) => RequestBody::from(bytes.clone()),
                // Boxed: uploads are rare, and the opening future would grow every call's.
                Some(BodySource::Streamed(s)) => {
                    let opening = Box::pin(s.open());
                    let opened = match limit {
                        Some(at) => race(opening, arm(&mut timer, at).as_mut()).await,
                        None => Some(opening.await),
                    };
                    match opened {
                        Some(body) => body.map_err(Error::from).map_err(fail(&call))?,
                        None => {
                            let e = opening_timed_out(deadline, &timeouts, attempt);
                            return Err(fail(&call)(e));
                        }
                    }
                }
            };
            let (uri, headers) = match first.take() {
                Some(prepared) => prepared,
                None => (
                    self.call_uri(call_base.as_deref(), call.uri_slot, path_and_query)
                        .map_err(fail(&call))?,
                    self.headers(options, content_type, accept, auth.as_ref()),
                ),
            };
            // Assembled from typed parts, which cannot fail (unlike `Request::builder`).
            let mut request = Request::new(request_body);
            *request.method_mut() = method.clone();
            *request.uri_mut() = uri;
            *request.headers_mut() = headers;

            // This attempt's span (disabled when the call's is); ends with the iteration.
            let attempt_span = crate::telemetry::attempt_span(&call.span, method, attempt);
            let sent = self.inner.transport.send(request);
            let outcome = match limit {
                Some(at) => race(sent, arm(&mut timer, at).as_mut()).await,
                None => {
                    timer = None;
                    Some(sent.await)
                }
            };

            // Classify the attempt: a response to return, or an error with its retry class.
            let (error, failure, response_headers, asked) = match outcome {
                Some(Ok(response)) => {
                    let status = response.status();
                    if let Some(span) = attempt_span.get() {
                        span.record("http.response.status_code", i64::from(status.as_u16()));
                    }
                    if status.is_success() {
                        let mut rest = AfterHead {
                            attempts: attempt,
                            timeouts,
                            deadline,
                            timer,
                        };
                        let stream_answer = |read: &ReadWhole| {
                            read.unless_event_stream
                                && response
                                    .headers()
                                    .get(CONTENT_TYPE)
                                    .and_then(|v| v.to_str().ok())
                                    .is_some_and(headers::is_event_stream)
                        };
                        let Some(read) = read.filter(|r| !stream_answer(r)) else {
                            if let Some(span) = call.span.get() {
                                crate::telemetry::record_head(span, response.headers());
                            }
                            return Ok(Executed {
                                response,
                                read: None,
                                rest,
                            });
                        };
                        // A body read whole is read here, under this attempt's limit, so
                        // that a 200 whose body is an error (`{"error": {"code": 502}}`) is
                        // classified like that status. A failure while reading is final.
                        let (parts, body) = response.into_parts();
                        let bytes = rest
                            .read_capped(body, max_body, status, &parts.headers)
                            .await
                            .map_err(fail(&call))?;
                        timer = rest.timer;
                        match error_in_body(
                            status,
                            &parts.headers,
                            &bytes,
                            read.own_error_field,
                            attempt,
                        ) {
                            None => {
                                if let Some(span) = call.span.get() {
                                    crate::telemetry::record_head(span, &parts.headers);
                                    let content = self.inner.trace_content;
                                    crate::telemetry::record_body(span, &bytes, content);
                                }
                                return Ok(Executed {
                                    response: http::Response::from_parts(
                                        parts,
                                        ResponseBody::empty(),
                                    ),
                                    read: Some(bytes),
                                    rest: AfterHead { timer, ..rest },
                                });
                            }
                            Some(api) => api_failure(api, parts.headers, repeatable),
                        }
                    } else {
                        let (parts, body) = response.into_parts();
                        // Bounded like the attempt: a stalled error body must not hang the
                        // call. Boxed, as an error is the uncommon path and its future is
                        // large.
                        let bytes =
                            Box::pin(read_error_body(body, timer.as_mut().map(Pin::as_mut))).await;
                        status_failure(status, parts.headers, &bytes, attempt, repeatable)
                    }
                }
                Some(Err(e)) => transport_failure(e, attempt, repeatable),
                None => match timed_out(deadline, &timeouts, attempt, repeatable) {
                    Ok(attempt_timeout) => attempt_timeout,
                    Err(total) => return Err(fail(&call)(total)),
                },
            };

            if let Some(span) = attempt_span.get() {
                crate::telemetry::attempt_failed(span, &error);
            }
            attempt_span.end();
            // A reader-backed upload that has started cannot be sent again.
            let replayable = body.as_ref().is_none_or(BodySource::replayable);
            let wait = if replayable {
                next_wait(
                    &policy,
                    repeatable,
                    failure,
                    response_headers.as_ref(),
                    asked,
                    attempt,
                    deadline,
                )
            } else {
                None
            };
            let Some(wait) = wait else {
                if attempt > 1 {
                    tracing::debug!(
                        target: "openrouter::retry",
                        method = %method,
                        path = path_and_query.split('?').next(),
                        attempts = attempt,
                        error = %error,
                        "giving up"
                    );
                }
                return Err(fail(&call)(error));
            };
            // The method, the path (no query string) and the error: never a header, so never
            // the key.
            tracing::debug!(
                target: "openrouter::retry",
                method = %method,
                path = path_and_query.split('?').next(),
                attempt,
                wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                error = %error,
                "attempt failed, retrying"
            );
            // Nothing of the failed attempt is kept across the wait.
            drop((error, response_headers));
            arm(&mut timer, Instant::now() + wait).as_mut().await;
        }
    }
}

/// Records the call's failure on its span (when a subscriber wants it), giving the error back.
fn fail(call: &Prepared) -> impl Fn(Error) -> Error + '_ {
    move |e| {
        if let Some(span) = call.span.get() {
            crate::telemetry::call_failed(span, &e);
        }
        e
    }
}

/// The API error carried by a successful response's body (`{"error": ...}`), if it is one.
///
/// When the success type has an `error` field of its own (`own_error_field`: a batch, a
/// response object), a body is an error answer only if it holds nothing but the error (and the
/// `user_id` / `openrouter_metadata` that OpenRouter may send beside it).
pub(crate) fn error_in_body(
    status: StatusCode,
    headers: &HeaderMap,
    bytes: &Bytes,
    own_error_field: bool,
    attempts: u32,
) -> Option<ApiError> {
    // A 200 can carry an error once the model has started; look for a top-level `error` object
    // (a cheap byte scan first, a parse only when the word is there).
    static ERROR_KEY: OnceLock<memchr::memmem::Finder<'static>> = OnceLock::new();
    let error_key = ERROR_KEY.get_or_init(|| memchr::memmem::Finder::new(b"\"error\""));
    error_key.find(bytes)?;
    parse_error_body(status, headers, bytes, own_error_field, attempts)
}

/// The API error in a successful body that mentions `"error"`, if it is one.
#[cold]
#[inline(never)]
fn parse_error_body(
    status: StatusCode,
    headers: &HeaderMap,
    bytes: &Bytes,
    own_error_field: bool,
    attempts: u32,
) -> Option<ApiError> {
    if own_error_field {
        let map =
            serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(bytes).ok()?;
        let only_error = map
            .keys()
            .all(|k| matches!(k.as_str(), "error" | "user_id" | "openrouter_metadata"));
        if !only_error {
            return None;
        }
    }
    let body = serde_json::from_slice::<ErrorResponse>(bytes).ok()?;
    if body.error.message.is_empty() && body.error.code == Default::default() {
        return None;
    }
    let mut api = ApiError::new(status, headers.clone(), bytes);
    api.attempts = attempts;
    Some(api)
}

// The failure paths of `Client::execute`, out of line: they are rare, and keeping them out of
// the loop keeps the code every call runs compact.

/// What the loop knows of a failed attempt: the error to return, its retry class, the
/// response headers (when a response arrived) and the wait the server asked for.
type Attempted = (Error, retry::Failure, Option<HeaderMap>, Option<Duration>);

/// An attempt answered with an error status.
#[cold]
#[inline(never)]
fn status_failure(
    status: http::StatusCode,
    headers: HeaderMap,
    body: &Bytes,
    attempt: u32,
    repeatable: bool,
) -> Attempted {
    let mut api = ApiError::new(status, headers.clone(), body);
    api.attempts = attempt;
    api_failure(api, headers, repeatable)
}

/// An attempt answered with an API error (an error status, or a success whose body is an
/// error): classified by the status it stands for.
#[cold]
#[inline(never)]
fn api_failure(mut api: ApiError, headers: HeaderMap, repeatable: bool) -> Attempted {
    api.repeatable = repeatable;
    let failure = retry::Failure::Status(api.effective_status());
    let asked = api.retry_after();
    (Error::Api(Box::new(api)), failure, Some(headers), asked)
}

/// An attempt failed in the transport.
#[cold]
#[inline(never)]
fn transport_failure(
    e: openrouter_transport::TransportError,
    attempt: u32,
    repeatable: bool,
) -> Attempted {
    let failure = if e.may_have_reached_server() {
        retry::Failure::MaybeSent
    } else {
        retry::Failure::NotSent
    };
    let error = if e.kind() == TransportErrorKind::Timeout && !e.may_have_reached_server() {
        Error::Timeout(TimeoutError {
            kind: TimeoutKind::Connect,
            limit: None,
            attempts: attempt,
            repeatable,
        })
    } else {
        Error::Transport(TransportFailure {
            source: e,
            attempts: attempt,
            repeatable,
        })
    };
    (error, failure, None, None)
}

/// The call's timer fired during an attempt: an attempt timeout to classify (`Ok`), or the end
/// of the call's time (`Err`).
#[cold]
#[inline(never)]
fn timed_out(
    deadline: Option<Instant>,
    timeouts: &ResolvedTimeouts,
    attempt: u32,
    repeatable: bool,
) -> Result<Attempted, Error> {
    if deadline.is_some_and(|d| Instant::now() >= d) {
        return Err(timeout_error(true, timeouts, attempt, false));
    }
    let error = timeout_error(false, timeouts, attempt, repeatable);
    Ok((error, retry::Failure::MaybeSent, None, None))
}

/// Opening a file to upload took longer than the attempt's limit (nothing was sent; the file
/// is local, so this is not retried).
#[cold]
#[inline(never)]
fn opening_timed_out(
    deadline: Option<Instant>,
    timeouts: &ResolvedTimeouts,
    attempt: u32,
) -> Error {
    let total = deadline.is_some_and(|d| Instant::now() >= d);
    timeout_error(total, timeouts, attempt, false)
}

/// How long to wait before the next attempt, or `None` to give up: the policy says no, or
/// waiting would use up the call's budget (the last failure is then reported instead).
#[cold]
#[inline(never)]
fn next_wait(
    policy: &ResolvedRetry,
    repeatable: bool,
    failure: retry::Failure,
    headers: Option<&HeaderMap>,
    asked: Option<Duration>,
    attempt: u32,
    deadline: Option<Instant>,
) -> Option<Duration> {
    let wait = retry::decide(policy, repeatable, failure, headers, asked, attempt)?;
    // A wait too long to add to the clock, or one that passes the deadline, is not waited.
    let until = Instant::now().checked_add(wait)?;
    deadline.is_none_or(|d| until < d).then_some(wait)
}

/// The call's timer, armed at `at` (created on first use).
fn arm(timer: &mut Option<Pin<Box<Sleep>>>, at: Instant) -> &mut Pin<Box<Sleep>> {
    match timer {
        Some(sleep) => {
            if sleep.deadline() != at {
                sleep.as_mut().reset(at);
            }
            sleep
        }
        None => timer.insert(Box::pin(tokio::time::sleep_until(at))),
    }
}

/// Runs `future` until it completes (`Some`) or `sleep` fires first (`None`).
async fn race<F: Future>(future: F, mut sleep: Pin<&mut Sleep>) -> Option<F::Output> {
    let mut future = std::pin::pin!(future);
    std::future::poll_fn(|cx| {
        if let Poll::Ready(output) = future.as_mut().poll(cx) {
            return Poll::Ready(Some(output));
        }
        sleep.as_mut().poll(cx).map(|()| None)
    })
    .await
}

fn earliest(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The most of an error body that is read: far more than any JSON error OpenRouter sends (a
/// provider's error with its raw upstream body and `previous_errors` included); a larger body
/// (a proxy's page, or one that never ends) is cut here, and of a body that is not JSON only
/// the first [`MAX_ERROR_BODY`](defaults::MAX_ERROR_BODY) bytes are kept as text.
const MAX_ERROR_READ: usize = defaults::MAX_ERROR_READ;

/// Reads an error body, at most [`MAX_ERROR_READ`] bytes of it, bounded by the attempt's limit
/// (the call's timer, armed at its attempt timeout or the call's deadline, whichever is first).
/// What was read when the limit passes or the body fails is kept (the status alone still makes
/// the error).
async fn read_error_body(body: ResponseBody, timer: Option<Pin<&mut Sleep>>) -> Bytes {
    let mut read = BytesMut::new();
    let reading = read_up_to(body, MAX_ERROR_READ, &mut read);
    match timer {
        Some(sleep) => {
            race(reading, sleep).await;
        }
        None => reading.await,
    }
    read.freeze()
}

/// Appends the body's data to `out` until it ends, fails, or `out` holds `cap` bytes.
async fn read_up_to(mut body: ResponseBody, cap: usize, out: &mut BytesMut) {
    while out.len() < cap {
        let next = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await;
        let Some(Ok(frame)) = next else {
            return;
        };
        if let Ok(data) = frame.into_data() {
            let room = cap - out.len();
            out.extend_from_slice(&data[..data.len().min(room)]);
        }
    }
}

/// A successful response head with its unread body (or, for a call that asked for it, the
/// body read whole), and what bounds the rest of the call.
pub(crate) struct Executed {
    pub(crate) response: http::Response<ResponseBody>,
    /// The body, read whole, when the call asked for it ([`ReadWhole`]); the response's body
    /// is then empty.
    pub(crate) read: Option<Bytes>,
    pub(crate) rest: AfterHead,
}

/// How a call whose body is read whole wants it read inside the loop.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ReadWhole {
    /// The success type has an `error` field of its own (see
    /// [`error_in_body`]).
    pub(crate) own_error_field: bool,
    /// For a streaming call: an event stream is left unread (it is the answer); any other
    /// body is read, so that an error in it is classified like its code.
    pub(crate) unless_event_stream: bool,
}

/// What a call resolved that still applies once its head is in.
pub(crate) struct AfterHead {
    pub(crate) attempts: u32,
    pub(crate) timeouts: ResolvedTimeouts,
    pub(crate) deadline: Option<Instant>,
    /// The call's timer, armed at the last attempt's limit (`None`: neither an attempt timeout
    /// nor a total timeout applies).
    pub(crate) timer: Option<Pin<Box<Sleep>>>,
}

impl AfterHead {
    /// Reads a whole non-streamed body, of at most `cap` bytes, within the limit of the
    /// attempt that received its head (the attempt timeout or the call's deadline, whichever
    /// comes first), on the call's timer, which is still armed there. A larger body is an
    /// [`Error::TooLarge`], found before reading when its length is declared; what was read is
    /// dropped with the body, which closes the connection.
    pub(crate) async fn read_capped(
        &mut self,
        body: ResponseBody,
        cap: usize,
        status: http::StatusCode,
        headers: &HeaderMap,
    ) -> Result<Bytes, Error> {
        let read = read_capped(body, cap);
        let result = match self.timer.as_mut() {
            Some(sleep) => match race(read, sleep.as_mut()).await {
                Some(result) => result,
                None => {
                    let total = self.deadline.is_some_and(|d| sleep.deadline() >= d);
                    return Err(timeout_error(total, &self.timeouts, self.attempts, false));
                }
            },
            None => read.await,
        };
        result.map_err(|e| match e {
            Some(source) => Error::Transport(TransportFailure {
                source,
                attempts: self.attempts,
                repeatable: false,
            }),
            None => too_large(cap, status, headers, self.attempts),
        })
    }
}

#[cold]
#[inline(never)]
fn too_large(limit: usize, status: http::StatusCode, headers: &HeaderMap, attempts: u32) -> Error {
    Error::TooLarge(Box::new(TooLargeError {
        limit,
        status,
        headers: headers.clone(),
        attempts,
    }))
}

/// Reads a body whole; `Err(None)` when it is larger than `cap` (a declared length is checked
/// before anything is read), `Err(Some(_))` when reading fails. A body of one frame is
/// returned as that frame, without a copy.
async fn read_capped(
    mut body: ResponseBody,
    cap: usize,
) -> Result<Bytes, Option<openrouter_transport::TransportError>> {
    if body.size_hint().lower() > cap as u64 {
        return Err(None);
    }
    let mut first: Option<Bytes> = None;
    let mut rest = BytesMut::new();
    let mut len = 0usize;
    while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let Ok(data) = frame.map_err(Some)?.into_data() else {
            continue;
        };
        len = len.saturating_add(data.len());
        if len > cap {
            return Err(None);
        }
        match first.take() {
            None if rest.is_empty() => first = Some(data),
            held => {
                if let Some(held) = held {
                    rest.reserve(held.len() + data.len());
                    rest.extend_from_slice(&held);
                }
                rest.extend_from_slice(&data);
            }
        }
    }
    Ok(first.unwrap_or_else(|| rest.freeze()))
}

/// The attempt's or (`total`) the call's timeout, reached after `attempts` attempts.
#[cold]
#[inline(never)]
fn timeout_error(
    total: bool,
    timeouts: &ResolvedTimeouts,
    attempts: u32,
    repeatable: bool,
) -> Error {
    let (kind, limit) = if total {
        (TimeoutKind::Total, timeouts.total)
    } else {
        (TimeoutKind::Attempt, timeouts.attempt)
    };
    Error::Timeout(TimeoutError {
        kind,
        limit,
        attempts,
        // Only an attempt's timeout can be retried; the call's budget is spent.
        repeatable: repeatable && !total,
    })
}
