//! A scripted raw-TCP server on 127.0.0.1: it writes exact bytes, so it can misbehave in ways an
//! HTTP server library cannot (garbage status lines, resets at any byte, bodies shorter than
//! their length, header floods, connections closed while idle in the client's pool).
//!
//! A server has a list of [`Script`]s; the last one repeats. Each script is what the server does
//! for one exchange: usually [`Act::Read`] (read one request, head and body, and record it),
//! then writes, pauses, and maybe an end of the connection ([`Act::Close`], [`Act::Reset`],
//! [`Act::Stall`]). A script that does not end the connection leaves it open for the next
//! exchange (keep-alive). Scripts are handed out in order: a new connection takes the next one
//! as it is accepted (so a script can act before any request, such as a reset on accept), a
//! kept-alive connection takes the next one when the first bytes of its next request arrive.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

/// One step of a script.
#[derive(Clone)]
pub(crate) enum Act {
    /// Read one whole request (head and `content-length` or chunked body) and record it.
    Read,
    /// Read and record one request head only; its body stays unread.
    ReadHead,
    /// Write these bytes.
    Write(Bytes),
    /// Pause.
    Sleep(Duration),
    /// Close the connection (FIN) and end it.
    Close,
    /// Reset the connection (RST: `SO_LINGER` 0, then close) and end it.
    Reset,
    /// Never answer: read and discard until the client closes the connection (which is
    /// recorded), then end it.
    Stall,
    /// Wake whoever waits on this (a permit is stored if nobody waits yet).
    Signal(Arc<Notify>),
    /// Wait until this is signalled.
    Wait(Arc<Notify>),
}

/// What one exchange does.
pub(crate) type Script = Vec<Act>;

/// A request head as the server read it (all of it, for a failing scenario's `Debug`).
#[derive(Clone, Debug)]
#[allow(dead_code)]
pub(crate) struct Req {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) headers: Vec<(String, String)>,
    /// Which connection (from 0, in accept order) carried it.
    pub(crate) conn: usize,
    pub(crate) at: Instant,
}

impl Req {
    /// A header's value (names compared without case).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct State {
    requests: Vec<Req>,
    accepted: usize,
    /// Connections the client closed (seen as end of file or an error while reading).
    client_closed: usize,
    next_script: usize,
}

/// The scripted server. Clones share it.
#[derive(Clone)]
pub(crate) struct Server {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    _acceptor: Arc<AbortOnDrop>,
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Server {
    /// Starts a server on 127.0.0.1 playing `scripts` (the last one repeats).
    pub(crate) async fn start(scripts: Vec<Script>) -> Server {
        assert!(!scripts.is_empty(), "at least one script");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State::default()));
        let scripts = Arc::new(scripts);
        let st = state.clone();
        let acceptor = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let conn = {
                    let mut s = st.lock().unwrap();
                    s.accepted += 1;
                    s.accepted - 1
                };
                tokio::spawn(serve(st.clone(), scripts.clone(), stream, conn));
            }
        });
        Server {
            addr,
            state,
            _acceptor: Arc::new(AbortOnDrop(acceptor)),
        }
    }

    /// `http://127.0.0.1:PORT/api/v1`.
    pub(crate) fn url(&self) -> String {
        format!("http://{}/api/v1", self.addr)
    }

    /// Every request head read so far.
    pub(crate) fn requests(&self) -> Vec<Req> {
        self.state.lock().unwrap().requests.clone()
    }

    /// How many request heads were read.
    pub(crate) fn count(&self) -> usize {
        self.state.lock().unwrap().requests.len()
    }

    /// How many connections were accepted.
    pub(crate) fn accepted(&self) -> usize {
        self.state.lock().unwrap().accepted
    }

    /// How many connections the client was seen to close.
    pub(crate) fn client_closed(&self) -> usize {
        self.state.lock().unwrap().client_closed
    }

    /// Waits up to `within` for the client to have closed `n` connections.
    pub(crate) async fn wait_client_closed(&self, n: usize, within: Duration) -> bool {
        let start = Instant::now();
        while self.client_closed() < n {
            if start.elapsed() > within {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        true
    }
}

async fn serve(state: Arc<Mutex<State>>, scripts: Arc<Vec<Script>>, mut s: TcpStream, conn: usize) {
    let mut buf: Vec<u8> = Vec::new();
    let mut fresh = true;
    let closed = |state: &Arc<Mutex<State>>| state.lock().unwrap().client_closed += 1;
    loop {
        if !fresh && buf.is_empty() && read_more(&mut s, &mut buf).await == 0 {
            closed(&state);
            return;
        }
        fresh = false;
        let script = {
            let mut st = state.lock().unwrap();
            st.next_script += 1;
            scripts[(st.next_script - 1).min(scripts.len() - 1)].clone()
        };
        // After an act that ends the connection, the rest of the script runs without it
        // (signals and waits only), then the connection's task ends.
        let mut conn_open = Some(s);
        for act in script {
            let Some(s) = conn_open.as_mut() else {
                match act {
                    Act::Signal(n) => n.notify_one(),
                    Act::Wait(n) => n.notified().await,
                    Act::Sleep(d) => tokio::time::sleep(d).await,
                    _ => {}
                }
                continue;
            };
            match act {
                Act::Read | Act::ReadHead => {
                    match read_request(s, &mut buf, matches!(act, Act::Read), conn).await {
                        Some(req) => state.lock().unwrap().requests.push(req),
                        None => {
                            closed(&state);
                            conn_open = None;
                        }
                    }
                }
                Act::Write(bytes) => {
                    if s.write_all(&bytes).await.is_err() {
                        conn_open = None;
                    }
                }
                Act::Sleep(d) => tokio::time::sleep(d).await,
                Act::Close => {
                    let _ = s.shutdown().await;
                    conn_open = None;
                }
                Act::Reset => {
                    let _ = s.set_zero_linger();
                    conn_open = None;
                }
                Act::Stall => {
                    let mut sink = vec![0u8; 64 * 1024];
                    while let Ok(n) = s.read(&mut sink).await {
                        if n == 0 {
                            break;
                        }
                    }
                    closed(&state);
                    conn_open = None;
                }
                Act::Signal(n) => n.notify_one(),
                Act::Wait(n) => n.notified().await,
            }
        }
        match conn_open {
            Some(open) => s = open,
            None => return,
        }
    }
}

/// Reads more bytes into `buf`; 0 at end of file or on an error.
async fn read_more(s: &mut TcpStream, buf: &mut Vec<u8>) -> usize {
    let mut tmp = [0u8; 16 * 1024];
    match s.read(&mut tmp).await {
        Ok(n) => {
            buf.extend_from_slice(&tmp[..n]);
            n
        }
        Err(_) => 0,
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Reads one request head (and, with `body`, its body) from `buf` and the socket.
async fn read_request(
    s: &mut TcpStream,
    buf: &mut Vec<u8>,
    body: bool,
    conn: usize,
) -> Option<Req> {
    let end = loop {
        if let Some(p) = find(buf, b"\r\n\r\n") {
            break p;
        }
        if read_more(s, buf).await == 0 {
            return None;
        }
    };
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    buf.drain(..end + 4);
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or_default().split(' ');
    let method = first.next().unwrap_or_default().to_owned();
    let path = first.next().unwrap_or_default().to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let req = Req {
        method,
        path,
        headers,
        conn,
        at: Instant::now(),
    };
    if body {
        if req
            .header("transfer-encoding")
            .is_some_and(|v| v.contains("chunked"))
        {
            loop {
                if let Some(p) = find(buf, b"0\r\n\r\n") {
                    buf.drain(..p + 5);
                    break;
                }
                if read_more(s, buf).await == 0 {
                    return None;
                }
            }
        } else {
            let len: usize = req
                .header("content-length")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            while buf.len() < len {
                if read_more(s, buf).await == 0 {
                    return None;
                }
            }
            buf.drain(..len);
        }
    }
    Some(req)
}

// ---------------------------------------------------------------------------------------------
// Response bytes

/// A status line and headers, ending the head (no `content-length` added).
pub(crate) fn head(status: u16, headers: &[(&str, &str)]) -> String {
    let mut s = format!("HTTP/1.1 {status} Scripted\r\n");
    for (n, v) in headers {
        s.push_str(&format!("{n}: {v}\r\n"));
    }
    s.push_str("\r\n");
    s
}

/// A whole response with `content-length`.
pub(crate) fn response(status: u16, headers: &[(&str, &str)], body: impl AsRef<[u8]>) -> Bytes {
    let body = body.as_ref();
    let len = body.len().to_string();
    let mut all: Vec<(&str, &str)> = headers.to_vec();
    all.push(("content-length", &len));
    let mut out = head(status, &all).into_bytes();
    out.extend_from_slice(body);
    Bytes::from(out)
}

/// A JSON response.
pub(crate) fn json(status: u16, body: impl AsRef<[u8]>) -> Bytes {
    response(status, &[("content-type", "application/json")], body)
}

/// OpenRouter's error body for `code`.
pub(crate) fn error_body(code: u16) -> String {
    format!(r#"{{"error":{{"code":{code},"message":"scripted {code}"}}}}"#)
}

/// A JSON error response with extra headers.
pub(crate) fn error(status: u16, headers: &[(&str, &str)]) -> Bytes {
    let mut all: Vec<(&str, &str)> = vec![("content-type", "application/json")];
    all.extend_from_slice(headers);
    response(status, &all, error_body(status))
}

/// One chunk of a chunked body.
pub(crate) fn chunk(data: impl AsRef<[u8]>) -> Bytes {
    let data = data.as_ref();
    let mut out = format!("{:x}\r\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\r\n");
    Bytes::from(out)
}

/// The last chunk of a chunked body.
pub(crate) const LAST_CHUNK: &[u8] = b"0\r\n\r\n";

/// The head of a chunked event stream.
pub(crate) fn sse_head(content_type: &str) -> Bytes {
    Bytes::from(head(
        200,
        &[
            ("content-type", content_type),
            ("transfer-encoding", "chunked"),
        ],
    ))
}

pub(crate) fn w(bytes: impl Into<Bytes>) -> Act {
    Act::Write(bytes.into())
}

pub(crate) fn sleep_ms(n: u64) -> Act {
    Act::Sleep(Duration::from_millis(n))
}
