//! A POST must not be lost on a pooled connection that the server closed while it was idle.
//!
//! The race: the server answers, then closes the idle keep-alive connection; its `FIN` has
//! reached the client's kernel, but hyper's connection task has not run since (the cores are
//! busy), so hyper still calls the connection ready. A POST written into it is never read by
//! the server, and it cannot be sent again safely. The pool asks the socket itself at
//! checkout and drops such a connection.
//!
//! The test runs 1,000 rounds (server closes the connection after each answer, client sends
//! the next POST at once) while two threads keep both cores busy, and requires every POST to
//! succeed and the server to see each exactly once. Nothing leaves the machine.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use openrouter_transport::{HyperTransport, RequestBody, Transport};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

const ROUNDS: usize = 1000;

/// Reads one request (head and `content-length` body); returns its body, or `None` when the
/// connection closed first.
async fn read_request(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Some(buf[head_end..head_end + length].to_vec())
}

#[test]
fn no_post_is_lost_on_a_connection_closed_while_idle() {
    // Two threads that keep both cores busy for the length of the test.
    let stop = Arc::new(AtomicBool::new(false));
    let spinners: Vec<_> = (0..2)
        .map(|_| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut x = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
                    std::hint::black_box(x);
                }
            })
        })
        .collect();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let result = runtime.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen: Arc<Mutex<HashMap<Vec<u8>, usize>>> = Arc::default();
        let (closed_tx, mut closed_rx) = mpsc::unbounded_channel::<()>();
        let server_seen = seen.clone();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let seen = server_seen.clone();
                let closed = closed_tx.clone();
                tokio::spawn(async move {
                    let Some(body) = read_request(&mut stream).await else {
                        return;
                    };
                    *seen.lock().unwrap().entry(body).or_default() += 1;
                    let _ = stream
                        .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
                        .await;
                    // Give the client time to read the answer and pool the connection, then
                    // close it while it is idle, and tell the client it may send the next.
                    tokio::time::sleep(Duration::from_millis(2)).await;
                    let _ = stream.shutdown().await;
                    drop(stream);
                    let _ = closed.send(());
                });
            }
        });

        let transport = HyperTransport::builder().build().unwrap();
        let uri: http::Uri = format!("http://{addr}/chat/completions").parse().unwrap();
        let mut failures = Vec::new();
        for round in 0..ROUNDS {
            let mut request = http::Request::new(RequestBody::from(format!("round {round}")));
            *request.method_mut() = http::Method::POST;
            *request.uri_mut() = uri.clone();
            let exchange = async {
                let response = transport.send(request).await?;
                response.into_body().collect().await.map(|_| ())
            };
            match tokio::time::timeout(Duration::from_secs(5), exchange).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => failures.push(format!("round {round}: {e}")),
                Err(_) => failures.push(format!("round {round}: timed out")),
            }
            // The server has closed the connection this round used.
            let _ = tokio::time::timeout(Duration::from_secs(5), closed_rx.recv()).await;
        }
        let seen = seen.lock().unwrap();
        let duplicates = seen.values().filter(|n| **n > 1).count();
        (failures, seen.len(), duplicates)
    });
    stop.store(true, Ordering::Relaxed);
    for s in spinners {
        s.join().unwrap();
    }
    let (failures, distinct, duplicates) = result;
    assert!(
        failures.is_empty(),
        "{} of {ROUNDS} POSTs failed: {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    assert_eq!(distinct, ROUNDS, "every POST reached the server");
    assert_eq!(duplicates, 0, "no POST was sent twice");
}
