//! The connection pool behind [`HyperTransport`](crate::HyperTransport), on hyper's
//! connection API (`hyper::client::conn`).
//!
//! Connections are grouped by origin (scheme and authority) in a [`Host`]:
//!
//! - An HTTP/1.1 connection serves one request at a time. It is taken out of its host for
//!   the request and put back when the response body has been read to the end, once hyper
//!   says it is ready for the next request ([`PooledBody`]). When a body is dropped before
//!   its end, hyper reads the rest if it has already arrived (an SSE stream dropped after
//!   `[DONE]`) and closes the connection otherwise; the connection is checked in only once
//!   hyper says it is ready, so a half-read response never reaches the next request.
//! - An HTTP/2 connection (chosen by ALPN) is shared: every request to the host clones its
//!   handle while it is open.
//!
//! Requests that find no connection to an `https` origin while another request is opening one
//! wait for it (once) when it may turn out to be HTTP/2, so a burst of first requests shares
//! one connection instead of opening one each; once an origin has answered with HTTP/1.1, nobody
//! waits.
//!
//! Behind an HTTP proxy (`crate::proxy`), an `https` origin's connections are tunnels, pooled as
//! any other; a plain `http` origin's requests are sent to the proxy in absolute form, with its
//! `Proxy-Authorization`.
//!
//! A connection the server closed while idle is noticed at checkout, before anything is
//! written to it: hyper's connection task may not have run since the server's `FIN` arrived
//! (a busy runtime, busy cores), so the socket itself is asked, without blocking, whether it
//! has reached its end or holds bytes nobody asked for ([`Probe`], a `MSG_PEEK` on a duplicate
//! of the socket's descriptor, under TLS too); such a connection is dropped. A request that a
//! reused connection hands back unsent (hyper's `TrySendError` with the message) is sent again
//! on the next connection, and so is an idempotent request whose reused connection closed
//! before any byte of its response, so a stale keep-alive connection does not fail a request.
//! Idle connections past the idle timeout are dropped by a reaper task that runs only while
//! the host has idle connections, and are skipped at checkout in any case.
//!
//! Compared with hyper-util's pooled client this does less per request: no hashing of the
//! pool key (a short list of hosts compared by authority), no checkout/connect race, and no
//! task spawned per request to wait for the connection to become idle again.

use std::future::poll_fn;
use std::pin::{pin, Pin};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{HOST, PROXY_AUTHORIZATION};
use http::uri::{Authority, Scheme};
use http::{HeaderValue, Request, Response, Uri};
use http_body::{Body, Frame, SizeHint};
use hyper::body::Incoming;
use hyper::client::conn::{http1, http2};
use hyper_rustls::HttpsConnector;
use hyper_rustls::MaybeHttpsStream;
use hyper_util::client::legacy::connect::Connection;
use hyper_util::rt::TokioIo;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use tokio::sync::Notify;
use tower_service::Service;

use crate::body::{RequestBody, ResponseBody};
use crate::error::{BoxError, TransportError, TransportErrorKind};
use crate::hyper_transport::classify;
use crate::proxy::{Connector, Proxies};

/// How many origins the pool keeps an entry for before it drops unused ones.
const HOSTS_BEFORE_PRUNING: usize = 8;

/// Pool settings, copied into every [`Host`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    pub(crate) idle_timeout: Option<Duration>,
    pub(crate) max_idle_per_host: usize,
    /// Whether HTTP/2 is offered by ALPN (on `https` origins).
    pub(crate) http2: bool,
    /// HTTP/2 `PING` interval and timeout.
    pub(crate) http2_keep_alive: Option<(Duration, Duration)>,
}

pub(crate) struct Pool {
    connector: HttpsConnector<Connector>,
    proxies: Option<Arc<Proxies>>,
    connect_timeout: Option<Duration>,
    h1: http1::Builder,
    h2: http2::Builder<TokioExecutor>,
    limits: Limits,
    hosts: Mutex<Vec<Arc<Host>>>,
}

impl Pool {
    pub(crate) fn new(
        connector: HttpsConnector<Connector>,
        proxies: Option<Arc<Proxies>>,
        connect_timeout: Option<Duration>,
        limits: Limits,
    ) -> Self {
        let mut h2 = http2::Builder::new(TokioExecutor::new());
        h2.timer(TokioTimer::new());
        if let Some((interval, timeout)) = limits.http2_keep_alive {
            h2.keep_alive_interval(interval)
                .keep_alive_timeout(timeout)
                .keep_alive_while_idle(true);
        }
        Pool {
            connector,
            proxies,
            connect_timeout,
            h1: http1::Builder::new(),
            h2,
            limits,
            hosts: Mutex::new(Vec::new()),
        }
    }

    /// Sends one request. The URI must be absolute with an `http` or `https` scheme.
    pub(crate) async fn send(
        &self,
        mut request: Request<RequestBody>,
    ) -> Result<Response<ResponseBody>, TransportError> {
        let host = self.host(request.uri());
        let mut waited = false;
        // An idempotent request may be sent once more if a reused connection turns out to
        // have been closed by the server before any byte of the response.
        let mut resend_allowed = is_idempotent(request.method());
        loop {
            let (conn, reused) = match host.checkout() {
                Some(conn) => (conn, true),
                // Another request is opening a connection that may be HTTP/2: wait for it (once)
                // rather than open a second one, then look again.
                None if !waited && host.wait_for_connect().await => {
                    waited = true;
                    continue;
                }
                None => (Box::pin(self.connect(&host, request.uri())).await?, false),
            };
            let (error, unsent) = match conn {
                Conn::H2(mut sender) => match sender.try_send_request(request).await {
                    Ok(response) => return Ok(response.map(PooledBody::shared)),
                    Err(mut err) => {
                        let unsent = err.take_message();
                        if unsent.is_some() {
                            host.forget_h2();
                        }
                        (err.into_error(), unsent)
                    }
                },
                Conn::H1(mut sender, probe) => {
                    // HTTP/1.1 wants the origin form (`/path?query`) and a `Host` header; the
                    // absolute URI is kept in case the request comes back unsent.
                    let absolute = host.prepare_h1(&mut request);
                    // A copy for a second try, only where one may be made: an idempotent
                    // request with a body that can be sent again, on a reused connection.
                    let copy = (reused && resend_allowed)
                        .then(|| copy_request(&request, &absolute))
                        .flatten();
                    match sender.try_send_request(request).await {
                        Ok(response) => {
                            let checkin = (self.limits.max_idle_per_host > 0).then(|| Checkin {
                                host: Arc::clone(&host),
                                sender,
                                probe,
                            });
                            return Ok(response.map(|body| PooledBody::h1(body, checkin)));
                        }
                        Err(mut err) => {
                            let unsent = err.take_message().map(|mut request| {
                                *request.uri_mut() = absolute;
                                request
                            });
                            let error = err.into_error();
                            match (unsent, copy) {
                                (None, Some(copy)) if error.is_incomplete_message() => {
                                    // The server closed the reused connection without
                                    // answering: the request is idempotent, so it is sent
                                    // once more, on another connection.
                                    resend_allowed = false;
                                    request = copy;
                                    continue;
                                }
                                (unsent, _) => (error, unsent),
                            }
                        }
                    }
                }
            };
            match unsent {
                // A pooled connection closed before the request was written: try the next.
                Some(unsent) if reused => request = unsent,
                Some(_) => return Err(send_error(error).with_may_have_reached_server(false)),
                None => return Err(send_error(error)),
            }
        }
    }

    /// The entry for the request's origin, created on first use.
    fn host(&self, uri: &Uri) -> Arc<Host> {
        let scheme = uri.scheme();
        let authority = uri.authority();
        let mut hosts = lock(&self.hosts);
        if let Some(host) = hosts
            .iter()
            .find(|host| Some(&host.authority) == authority && Some(&host.scheme) == scheme)
        {
            return Arc::clone(host);
        }
        if hosts.len() >= HOSTS_BEFORE_PRUNING {
            // Forget origins that hold no connection and are not in use.
            hosts.retain(|host| Arc::strong_count(host) > 1 || !lock(&host.state).is_empty());
        }
        // A plain `http` origin behind an HTTP proxy gets its requests in absolute form.
        let forward = self
            .proxies
            .as_ref()
            .and_then(|proxies| proxies.route(uri).forwarding(uri))
            .map(|auth| Forward { auth });
        let host = Arc::new(Host::new(uri, self.limits, forward));
        hosts.push(Arc::clone(&host));
        host
    }

    /// Opens a connection to the host, bounded by the connect timeout, and hands it out
    /// (an HTTP/2 one is also shared through the host).
    async fn connect(&self, host: &Arc<Host>, uri: &Uri) -> Result<Conn, TransportError> {
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(TransportError::with_message(
                TransportErrorKind::Other,
                "HyperTransport needs a tokio runtime (with IO and time enabled) to send",
            )
            .with_may_have_reached_server(false));
        }
        let _connecting = host.begin_connect();
        let mut connector = self.connector.clone();
        let stream = async {
            poll_fn(|cx| connector.poll_ready(cx)).await?;
            connector.call(uri.clone()).await
        };
        let stream = match self.connect_timeout {
            None => stream.await,
            Some(timeout) => match tokio::time::timeout(timeout, stream).await {
                Ok(result) => result,
                Err(_elapsed) => Err(Box::new(ConnectTimedOut(timeout)) as BoxError),
            },
        }
        .map_err(connect_error)?;

        let h2 = stream.connected().is_negotiated_h2();
        // Taken before hyper owns the socket; only HTTP/1.1 connections wait idle in the pool.
        let probe = if h2 { None } else { Probe::of(&stream) };
        host.negotiated(h2);
        if h2 {
            let (mut sender, connection) =
                self.h2.handshake(stream).await.map_err(handshake_error)?;
            tokio::spawn(connection);
            sender.ready().await.map_err(handshake_error)?;
            host.offer_h2(&sender);
            Ok(Conn::H2(sender))
        } else {
            let (mut sender, connection) =
                self.h1.handshake(stream).await.map_err(handshake_error)?;
            tokio::spawn(connection);
            sender.ready().await.map_err(handshake_error)?;
            Ok(Conn::H1(sender, probe))
        }
    }
}

/// A connection handed out for one request.
enum Conn {
    H1(http1::SendRequest<RequestBody>, Option<Probe>),
    H2(http2::SendRequest<RequestBody>),
}

/// Methods whose request may be sent twice without a second effect.
fn is_idempotent(method: &http::Method) -> bool {
    use http::Method;
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
    )
}

/// A copy of a request, with its absolute URI, when its body can be sent again.
fn copy_request(request: &Request<RequestBody>, absolute: &Uri) -> Option<Request<RequestBody>> {
    let body = request.body().try_clone()?;
    let mut copy = Request::new(body);
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = absolute.clone();
    *copy.version_mut() = request.version();
    *copy.headers_mut() = request.headers().clone();
    Some(copy)
}

/// A second handle on a connection's TCP socket (a duplicate of its descriptor), to ask the
/// kernel whether an idle connection is still usable without disturbing hyper, which owns the
/// socket: a `peek` does not consume bytes and does not touch the runtime's registrations.
///
/// It costs one file descriptor per pooled HTTP/1.1 connection.
pub(crate) struct Probe(std::net::TcpStream);

impl Probe {
    /// The probe of a new connection's socket, plain or under TLS; `None` if the descriptor
    /// cannot be duplicated (the connection is then used without the check).
    fn of(stream: &MaybeHttpsStream<TokioIo<tokio::net::TcpStream>>) -> Option<Probe> {
        let tcp: &tokio::net::TcpStream = match stream {
            MaybeHttpsStream::Http(io) => io.inner(),
            MaybeHttpsStream::Https(io) => io.inner().get_ref().0.inner().inner(),
        };
        let dup = duplicate(tcp)?;
        // Shared with the original (the flag belongs to the open socket), so `peek` never
        // blocks; set again in case a platform keeps it per descriptor.
        dup.set_nonblocking(true).ok()?;
        Some(Probe(dup))
    }

    /// Whether the socket is still usable for a request: no end of stream (the server's
    /// `FIN`), no error (a reset), and no bytes waiting (on an idle HTTP/1.1 connection, any
    /// byte is unexpected: a TLS alert before a close, or garbage).
    fn is_clean(&self) -> bool {
        let mut byte = [0u8; 1];
        matches!(self.0.peek(&mut byte), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
    }
}

#[cfg(unix)]
fn duplicate(tcp: &tokio::net::TcpStream) -> Option<std::net::TcpStream> {
    use std::os::fd::AsFd;
    let fd = tcp.as_fd().try_clone_to_owned().ok()?;
    Some(std::net::TcpStream::from(fd))
}

#[cfg(windows)]
fn duplicate(tcp: &tokio::net::TcpStream) -> Option<std::net::TcpStream> {
    use std::os::windows::io::AsSocket;
    let socket = tcp.as_socket().try_clone_to_owned().ok()?;
    Some(std::net::TcpStream::from(socket))
}

#[cfg(not(any(unix, windows)))]
fn duplicate(_: &tokio::net::TcpStream) -> Option<std::net::TcpStream> {
    None
}

/// The connections to one origin.
pub(crate) struct Host {
    scheme: Scheme,
    authority: Authority,
    /// The `Host` header for HTTP/1.1, made once: the host, and the port unless it is the
    /// scheme's default.
    host_header: HeaderValue,
    limits: Limits,
    /// Set when the requests go to an HTTP proxy that forwards them (a plain `http` origin).
    forward: Option<Forward>,
    /// Whether a connection to this origin may negotiate HTTP/2.
    may_be_h2: bool,
    state: Mutex<HostState>,
    /// Notified when a connection that may be HTTP/2 has been opened (or failed to).
    connected: Notify,
}

/// How requests to an origin behind a forwarding HTTP proxy are sent.
struct Forward {
    /// `Proxy-Authorization`, from the proxy URL's credentials.
    auth: Option<HeaderValue>,
}

#[derive(Default)]
struct HostState {
    /// Idle HTTP/1.1 connections, the most recently used last.
    idle: Vec<Idle>,
    /// The shared HTTP/2 connection, if one is open.
    h2: Option<http2::SendRequest<RequestBody>>,
    /// Whether a task is dropping idle connections as they expire.
    reaping: bool,
    /// Whether a request is opening a connection that may be HTTP/2.
    connecting: bool,
    /// Whether the last connection opened negotiated HTTP/1.1: then nobody waits for the
    /// next one to open.
    speaks_h1: bool,
}

impl HostState {
    fn is_empty(&self) -> bool {
        self.idle.is_empty() && self.h2.is_none()
    }
}

struct Idle {
    sender: http1::SendRequest<RequestBody>,
    probe: Option<Probe>,
    since: Instant,
}

impl Idle {
    /// Whether it has been idle for `timeout` or longer at `now`.
    fn expired(&self, now: Instant, timeout: Duration) -> bool {
        now.saturating_duration_since(self.since) >= timeout
    }
}

impl Host {
    fn new(uri: &Uri, limits: Limits, forward: Option<Forward>) -> Self {
        let scheme = uri.scheme().cloned().unwrap_or(Scheme::HTTPS);
        let authority = uri
            .authority()
            .cloned()
            .unwrap_or_else(|| Authority::from_static("localhost"));
        let default_port = if scheme == Scheme::HTTPS { 443 } else { 80 };
        let host_header = match authority.port_u16() {
            Some(port) if port != default_port => format!("{}:{port}", authority.host()),
            _ => authority.host().to_owned(),
        };
        Host {
            host_header: HeaderValue::from_maybe_shared(Bytes::from(host_header))
                .expect("a URI's host and port are a valid header value"),
            may_be_h2: limits.http2 && scheme == Scheme::HTTPS,
            scheme,
            authority,
            limits,
            forward,
            state: Mutex::new(HostState::default()),
            connected: Notify::new(),
        }
    }

    /// Marks a connection that may be HTTP/2 as being opened, unless one already is; the
    /// guard clears the mark and wakes the requests waiting for it when dropped (the connect
    /// finished, failed or was cancelled).
    fn begin_connect(&self) -> Option<ConnectingGuard<'_>> {
        if !self.may_be_h2 {
            return None;
        }
        let mut state = lock(&self.state);
        if state.connecting || state.speaks_h1 {
            return None;
        }
        state.connecting = true;
        Some(ConnectingGuard { host: self })
    }

    /// Records what a new connection negotiated.
    fn negotiated(&self, h2: bool) {
        if self.may_be_h2 {
            lock(&self.state).speaks_h1 = !h2;
        }
    }

    /// Waits until the connection another request is opening (one that may be HTTP/2) is
    /// open, or has failed; `false` at once when no such connection is being opened.
    async fn wait_for_connect(&self) -> bool {
        if !self.may_be_h2 {
            return false;
        }
        let mut notified = pin!(self.connected.notified());
        {
            let state = lock(&self.state);
            if !state.connecting {
                return false;
            }
            // Registered before the lock is released, so the wake-up cannot be missed.
            notified.as_mut().enable();
        }
        notified.await;
        true
    }

    /// An open connection from the pool: the shared HTTP/2 one, else the most recently used
    /// idle HTTP/1.1 one.
    fn checkout(&self) -> Option<Conn> {
        let mut state = lock(&self.state);
        if let Some(h2) = &state.h2 {
            if !h2.is_closed() {
                return Some(Conn::H2(h2.clone()));
            }
            state.h2 = None;
        }
        let expiry = self
            .limits
            .idle_timeout
            .map(|timeout| (Instant::now(), timeout));
        while let Some(idle) = state.idle.pop() {
            if expiry.is_some_and(|(now, timeout)| idle.expired(now, timeout)) {
                // The rest are older still.
                state.idle.clear();
                break;
            }
            // The probe sees what hyper may not have read yet: the server closed it.
            if !idle.sender.is_closed() && idle.probe.as_ref().is_none_or(Probe::is_clean) {
                return Some(Conn::H1(idle.sender, idle.probe));
            }
        }
        None
    }

    /// Turns an absolute request into the HTTP/1.1 form (the origin form, or the absolute
    /// form for a forwarding proxy); returns the absolute URI.
    fn prepare_h1(&self, request: &mut Request<RequestBody>) -> Uri {
        if !request.headers().contains_key(HOST) {
            request.headers_mut().insert(HOST, self.host_header.clone());
        }
        if let Some(forward) = &self.forward {
            if let Some(auth) = &forward.auth {
                if !request.headers().contains_key(PROXY_AUTHORIZATION) {
                    request
                        .headers_mut()
                        .insert(PROXY_AUTHORIZATION, auth.clone());
                }
            }
            return request.uri().clone();
        }
        let origin = match request.uri().path_and_query() {
            Some(path) if path.as_str() != "/" => {
                let mut parts = http::uri::Parts::default();
                parts.path_and_query = Some(path.clone());
                Uri::from_parts(parts).expect("a path and query alone are a valid URI")
            }
            _ => Uri::default(),
        };
        std::mem::replace(request.uri_mut(), origin)
    }

    /// Shares a new HTTP/2 connection, unless one is already open.
    fn offer_h2(&self, sender: &http2::SendRequest<RequestBody>) {
        let mut state = lock(&self.state);
        if state.h2.as_ref().is_none_or(|h2| h2.is_closed()) {
            state.h2 = Some(sender.clone());
        }
    }

    /// Stops sharing the HTTP/2 connection: it handed a request back unsent.
    fn forget_h2(&self) {
        lock(&self.state).h2 = None;
    }

    /// Puts an HTTP/1.1 connection that is ready for a request back in the pool.
    fn checkin(self: &Arc<Self>, sender: http1::SendRequest<RequestBody>, probe: Option<Probe>) {
        if sender.is_closed() {
            return;
        }
        let mut state = lock(&self.state);
        if state.idle.len() >= self.limits.max_idle_per_host {
            return;
        }
        state.idle.push(Idle {
            sender,
            probe,
            since: Instant::now(),
        });
        if let Some(timeout) = self.limits.idle_timeout {
            if !state.reaping {
                // Outside a runtime (a body dropped after it shut down) nothing is spawned:
                // expired connections are then skipped at checkout.
                if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                    state.reaping = true;
                    runtime.spawn(reap(Arc::downgrade(self), timeout));
                }
            }
        }
    }
}

/// Clears [`HostState::connecting`] and wakes the requests waiting for the connection.
struct ConnectingGuard<'a> {
    host: &'a Host,
}

impl Drop for ConnectingGuard<'_> {
    fn drop(&mut self) {
        lock(&self.host.state).connecting = false;
        self.host.connected.notify_waiters();
    }
}

/// Drops the host's idle connections as they expire; ends when none is left.
async fn reap(host: Weak<Host>, timeout: Duration) {
    let mut wake = Instant::now() + timeout;
    loop {
        tokio::time::sleep_until(wake.into()).await;
        let Some(host) = host.upgrade() else {
            return;
        };
        let mut state = lock(&host.state);
        let now = Instant::now();
        state
            .idle
            .retain(|idle| !idle.expired(now, timeout) && !idle.sender.is_closed());
        match state.idle.first() {
            Some(oldest) => wake = oldest.since + timeout,
            None => {
                state.reaping = false;
                return;
            }
        }
    }
}

/// An HTTP/1.1 connection on its way back to the pool.
struct Checkin {
    host: Arc<Host>,
    sender: http1::SendRequest<RequestBody>,
    probe: Option<Probe>,
}

impl Checkin {
    /// Returns the connection once hyper says it can take the next request: at once if it
    /// already can (the usual case when the body has been read), else from a task that
    /// waits for it.
    fn run(mut self) {
        if self.sender.is_ready() {
            self.host.checkin(self.sender, self.probe);
        } else if !self.sender.is_closed() {
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move {
                    if poll_fn(|cx| self.sender.poll_ready(cx)).await.is_ok() {
                        self.host.checkin(self.sender, self.probe);
                    }
                });
            }
        }
    }
}

/// hyper's response body, and for HTTP/1.1 the connection to return when it has been read.
pub(crate) struct PooledBody {
    body: Incoming,
    checkin: Option<Checkin>,
}

impl PooledBody {
    fn h1(body: Incoming, checkin: Option<Checkin>) -> ResponseBody {
        let mut body = PooledBody { body, checkin };
        if body.body.is_end_stream() {
            // No body (a 204, a HEAD, `Content-Length: 0`): the connection is free now.
            body.finish();
        }
        ResponseBody::from_hyper(body)
    }

    fn shared(body: Incoming) -> ResponseBody {
        ResponseBody::from_hyper(PooledBody {
            body,
            checkin: None,
        })
    }

    fn finish(&mut self) {
        if let Some(checkin) = self.checkin.take() {
            checkin.run();
        }
    }
}

impl Body for PooledBody {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let this = &mut *self;
        let polled = Pin::new(&mut this.body).poll_frame(cx);
        match &polled {
            Poll::Ready(None) => this.finish(),
            Poll::Ready(Some(Ok(_))) if this.body.is_end_stream() => this.finish(),
            // A connection whose response failed is not reused.
            Poll::Ready(Some(Err(_))) => this.checkin = None,
            _ => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

impl Drop for PooledBody {
    fn drop(&mut self) {
        // Dropped before its end, the body's remainder is hyper's: it reads what has already
        // arrived, and closes the connection if that is not the end. The connection is ready
        // for the next request (and checked in) only in the first case.
        self.finish();
    }
}

/// The connect timeout passed; recognised by type when errors are classified.
#[derive(Debug)]
pub(crate) struct ConnectTimedOut(pub(crate) Duration);

impl std::fmt::Display for ConnectTimedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "connect timed out after {:?}", self.0)
    }
}

impl std::error::Error for ConnectTimedOut {}

/// A failure to connect (DNS, TCP, TLS, the connect timeout): nothing was sent.
fn connect_error(err: BoxError) -> TransportError {
    let kind = classify(&*err, true);
    TransportError::new(kind, err).during_connect()
}

/// A failure of hyper's handshake on a new connection: nothing was sent.
fn handshake_error(err: hyper::Error) -> TransportError {
    let kind = classify(&err, false);
    TransportError::new(kind, err).during_connect()
}

/// A failure while sending the request or reading the response head.
fn send_error(err: hyper::Error) -> TransportError {
    let kind = classify(&err, false);
    TransportError::new(kind, err)
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
