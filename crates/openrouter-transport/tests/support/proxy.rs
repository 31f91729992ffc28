//! Proxies for the transport's integration tests, on 127.0.0.1: an HTTP proxy (`CONNECT`
//! tunnels and absolute-form forwarding) and a SOCKS5 proxy. Every host name a client asks
//! for is taken to be this machine: the proxies connect to 127.0.0.1 at the requested port,
//! so a test can name a host (`proxied.test`) that only a proxy can reach.
//!
//! Included with `#[path]` by the test binaries that need a proxy.

// Each test binary uses part of this module.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What a proxy was asked, one entry per client connection: for the HTTP proxy the request
/// head it read, for the SOCKS5 proxy the destination as `host:port`.
#[derive(Clone, Default)]
pub(crate) struct Seen(Arc<Mutex<Vec<String>>>);

impl Seen {
    pub(crate) fn all(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }

    fn push(&self, entry: String) {
        self.0.lock().unwrap().push(entry);
    }
}

pub(crate) struct TestProxy {
    pub(crate) addr: SocketAddr,
    pub(crate) seen: Seen,
}

impl TestProxy {
    /// An HTTP proxy. With `required_auth`, a request head without
    /// `Proxy-Authorization: <required_auth>` is answered `407` and the connection closed.
    pub(crate) async fn http(required_auth: Option<&'static str>) -> TestProxy {
        Self::serve(move |client, seen| http_proxy(client, seen, required_auth)).await
    }

    /// A SOCKS5 proxy without authentication.
    pub(crate) async fn socks5() -> TestProxy {
        Self::serve(socks5_proxy).await
    }

    async fn serve<F, Fut>(handle: F) -> TestProxy
    where
        F: Fn(TcpStream, Seen) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = std::io::Result<()>> + Send + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Seen::default();
        let recorder = seen.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(handle(client, recorder.clone()));
            }
        });
        TestProxy { addr, seen }
    }

    /// The proxy's URL with this scheme, and `user:password@` when given.
    pub(crate) fn url(&self, scheme: &str, credentials: Option<&str>) -> String {
        match credentials {
            Some(credentials) => format!("{scheme}://{credentials}@{}", self.addr),
            None => format!("{scheme}://{}", self.addr),
        }
    }
}

/// One client connection to the HTTP proxy.
async fn http_proxy(
    mut client: TcpStream,
    seen: Seen,
    required_auth: Option<&'static str>,
) -> std::io::Result<()> {
    let mut buffer = Vec::new();
    let head_end = loop {
        let mut chunk = [0; 4096];
        let read = client.read(&mut chunk).await?;
        if read == 0 {
            return Ok(());
        }
        buffer.extend_from_slice(&chunk[..read]);
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    seen.push(head.clone());
    if let Some(expected) = required_auth {
        let authorized = head.lines().any(|line| {
            line.split_once(':').is_some_and(|(name, value)| {
                name.eq_ignore_ascii_case("proxy-authorization") && value.trim() == expected
            })
        });
        if !authorized {
            client
                .write_all(
                    b"HTTP/1.1 407 Proxy Authentication Required\r\n\
                      Proxy-Authenticate: Basic realm=\"test\"\r\n\
                      Content-Length: 0\r\nConnection: close\r\n\r\n",
                )
                .await?;
            return Ok(());
        }
    }
    let mut words = head.split_whitespace();
    let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    if method == "CONNECT" {
        let port = target.rsplit(':').next().and_then(|p| p.parse().ok());
        let mut upstream = TcpStream::connect(("127.0.0.1", port.unwrap_or(443))).await?;
        client
            .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
            .await?;
        // A client sends nothing after `CONNECT` before the answer, so nothing is left over.
        tokio::io::copy_bidirectional(&mut client, &mut upstream).await?;
    } else {
        // Forwarding: the head (absolute form) and what followed go upstream as they are.
        let port = target
            .parse::<http::Uri>()
            .ok()
            .and_then(|uri| uri.port_u16());
        let mut upstream = TcpStream::connect(("127.0.0.1", port.unwrap_or(80))).await?;
        upstream.write_all(&buffer).await?;
        tokio::io::copy_bidirectional(&mut client, &mut upstream).await?;
    }
    Ok(())
}

/// One client connection to the SOCKS5 proxy (RFC 1928, no authentication, `CONNECT` only).
async fn socks5_proxy(mut client: TcpStream, seen: Seen) -> std::io::Result<()> {
    let mut greeting = [0; 2];
    client.read_exact(&mut greeting).await?;
    let mut methods = vec![0; usize::from(greeting[1])];
    client.read_exact(&mut methods).await?;
    client.write_all(&[5, 0]).await?;

    let mut request = [0; 4];
    client.read_exact(&mut request).await?;
    let host = match request[3] {
        1 => {
            let mut ip = [0; 4];
            client.read_exact(&mut ip).await?;
            std::net::Ipv4Addr::from(ip).to_string()
        }
        3 => {
            let mut len = [0; 1];
            client.read_exact(&mut len).await?;
            let mut name = vec![0; usize::from(len[0])];
            client.read_exact(&mut name).await?;
            String::from_utf8_lossy(&name).into_owned()
        }
        _ => {
            let mut ip = [0; 16];
            client.read_exact(&mut ip).await?;
            format!("[{}]", std::net::Ipv6Addr::from(ip))
        }
    };
    let mut port = [0; 2];
    client.read_exact(&mut port).await?;
    let port = u16::from_be_bytes(port);
    seen.push(format!("{host}:{port}"));

    let mut upstream = TcpStream::connect(("127.0.0.1", port)).await?;
    client.write_all(&[5, 0, 0, 1, 127, 0, 0, 1]).await?;
    client.write_all(&port.to_be_bytes()).await?;
    tokio::io::copy_bidirectional(&mut client, &mut upstream).await?;
    Ok(())
}
