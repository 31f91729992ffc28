//! Pooled connections and cancellation: a server that closes an idle keep-alive connection
//! before the next POST, and a caller that drops the call (or its stream) at each await point:
//! sending the body, waiting for the head, reading the body or an error body, backing off,
//! between stream events. A dropped call must close its connection (which stops a generation
//! and its billing), must not send anything more, and must leave the client usable, on a
//! connection of its own.

use futures_util::StreamExt;

use crate::*;

const G: &str = "pool and cancellation";

fn client_for(server: &Server, attempt: Duration) -> Result<Client, String> {
    builder(server)
        .timeouts(TimeoutConfig::new().attempt(attempt).stream_idle(attempt))
        .build()
        .map_err(|e| e.to_string())
}

/// Another POST on `client` succeeds, on a connection of its own (`conns` accepted in all).
async fn still_usable(server: &Server, client: &Client, conns: usize) -> Check {
    let (result, _) = perform(client, Op::Chat).await;
    if let Err(e) = result {
        return Err(format!("the next call failed: {}", short(&e)));
    }
    ensure!(
        server.accepted() == conns,
        "expected {conns} connections, the server accepted {}",
        server.accepted()
    );
    Ok(())
}

/// Starts `op` against a server whose first exchange is `first`, drops it after `after`, and
/// checks that it had not finished, that the client closed the connection, that the server saw
/// `requests` requests (also a little later: nothing more is sent), and that the client still
/// works.
async fn cancel(first: Script, op: Op, after: Duration, requests: usize) -> Check {
    let server = Server::start(vec![first, ok_chat()]).await;
    let client = client_for(&server, ms(5000))?;
    let call = perform(&client, op);
    ensure!(
        tokio::time::timeout(after, call).await.is_err(),
        "the call ended before it was dropped"
    );
    ensure!(
        server.wait_client_closed(1, ms(1000)).await,
        "the dropped call's connection was not closed"
    );
    tokio::time::sleep(ms(50)).await;
    ensure!(
        server.count() == requests,
        "expected {requests} requests, the server saw {}",
        server.count()
    );
    still_usable(&server, &client, 2).await
}

fn stale(race: bool) -> BoxFut {
    Box::pin(async move {
        let close = Arc::new(tokio::sync::Notify::new());
        let closed = Arc::new(tokio::sync::Notify::new());
        let server = Server::start(vec![
            vec![
                Act::Read,
                w(json(200, CHAT_OK)),
                Act::Wait(close.clone()),
                Act::Close,
                Act::Signal(closed.clone()),
            ],
            ok_chat(),
        ])
        .await;
        let client = client_for(&server, ms(1000))?;
        let (first, _) = perform(&client, Op::Chat).await;
        first.map_err(|e| format!("first call: {}", short(&e)))?;
        close.notify_one();
        closed.notified().await;
        if !race {
            // Long enough for the close to reach the client's idle connection.
            tokio::time::sleep(ms(100)).await;
        }
        let (second, _) = perform(&client, Op::Chat).await;
        let posts = server.count();
        if race {
            println!(
                "        (stale race: {})",
                if second.is_ok() {
                    "a new connection"
                } else {
                    "a maybe-sent error"
                }
            );
        }
        match second {
            Ok((_, attempts)) => {
                ensure!(posts == 2, "expected 2 requests, the server saw {posts}");
                if !race {
                    ensure!(attempts == 1, "the second call took {attempts} attempts");
                    ensure!(server.accepted() == 2, "{} connections", server.accepted());
                }
                Ok(())
            }
            Err(e) => {
                // Racing the close, the client may write the POST into the closing
                // connection: then it cannot know whether it was processed, and must not send
                // it again.
                ensure!(race, "the second call failed: {}", short(&e));
                ensure!(
                    matches!(&e, Error::Transport(t) if t.may_have_reached_server()),
                    "expected a maybe-sent transport error, got {}",
                    short(&e)
                );
                ensure!(posts == 1, "the POST was sent twice ({posts} requests)");
                Ok(())
            }
        }
    })
}

use std::sync::Arc;

pub(crate) fn scenarios() -> Vec<Scenario> {
    vec![
        custom(G, "keep-alive: sequential POSTs share one connection", || {
            Box::pin(async {
                let server = Server::start(vec![ok_chat()]).await;
                let client = client_for(&server, ms(1000))?;
                for _ in 0..3 {
                    perform(&client, Op::Chat).await.0.map_err(|e| short(&e))?;
                }
                ensure!(server.count() == 3, "{} requests", server.count());
                ensure!(server.accepted() == 1, "{} connections", server.accepted());
                Ok(())
            })
        }),
        custom(
            G,
            "stale keep-alive: the server closed the idle connection, the next POST goes on a new one",
            || stale(false),
        ),
        custom(
            G,
            "stale keep-alive race: closed right before the next POST, which is never sent twice",
            || stale(true),
        ),
        custom(G, "Connection: close answer: the next call opens a new connection", || {
            Box::pin(async {
                let server = Server::start(vec![answer(response(
                    200,
                    &[("content-type", "application/json"), ("connection", "close")],
                    CHAT_OK,
                ))])
                .await;
                let client = client_for(&server, ms(1000))?;
                for _ in 0..2 {
                    perform(&client, Op::Chat).await.0.map_err(|e| short(&e))?;
                }
                ensure!(server.count() == 2, "{} requests", server.count());
                ensure!(server.accepted() == 2, "{} connections", server.accepted());
                Ok(())
            })
        }),
        custom(G, "cancel while sending a large request body", || {
            Box::pin(async {
                let server = Server::start(vec![
                    vec![Act::ReadHead, sleep_ms(300), Act::Stall],
                    ok_chat(),
                ])
                .await;
                let client = client_for(&server, ms(5000))?;
                let big = ChatRequest::new(
                    "openai/gpt-4o-mini",
                    vec![Message::user("z".repeat(32 << 20))],
                );
                let call = client.chat().create(big).send();
                // Dropped once the server has the head and the body is on its way.
                let head_seen = async {
                    while server.count() == 0 {
                        tokio::time::sleep(ms(5)).await;
                    }
                    tokio::time::sleep(ms(50)).await;
                };
                tokio::select! {
                    _ = call => return Err("the upload finished before it was dropped".into()),
                    () = head_seen => {}
                }
                ensure!(
                    server.wait_client_closed(1, ms(2000)).await,
                    "the dropped upload's connection was not closed"
                );
                ensure!(server.count() == 1, "{} requests", server.count());
                still_usable(&server, &client, 2).await
            })
        }),
        custom(G, "cancel while waiting for the head", || {
            Box::pin(cancel(vec![Act::Read, Act::Stall], Op::Chat, ms(100), 1))
        }),
        custom(G, "cancel while waiting for a stream's head", || {
            Box::pin(cancel(vec![Act::Read, Act::Stall], Op::Stream, ms(100), 1))
        }),
        custom(G, "cancel while reading the body", || {
            Box::pin(cancel(
                vec![
                    Act::Read,
                    w(head(
                        200,
                        &[("content-type", "application/json"), ("content-length", "1000")],
                    )),
                    w(&CHAT_OK.as_bytes()[..40]),
                    Act::Stall,
                ],
                Op::Chat,
                ms(100),
                1,
            ))
        }),
        custom(G, "cancel while reading an error body", || {
            Box::pin(cancel(
                vec![
                    Act::Read,
                    w(head(
                        503,
                        &[("content-type", "application/json"), ("content-length", "1000")],
                    )),
                    w(error_body(503).as_bytes()[..10].to_vec()),
                    Act::Stall,
                ],
                Op::Chat,
                ms(100),
                1,
            ))
        }),
        custom(G, "cancel during the backoff: no further attempt is sent", || {
            Box::pin(async {
                let server =
                    Server::start(vec![answer(error(503, &[("retry-after-ms", "400")])), ok_chat()])
                        .await;
                let client = client_for(&server, ms(1000))?;
                ensure!(
                    tokio::time::timeout(ms(100), perform(&client, Op::Chat))
                        .await
                        .is_err(),
                    "the call ended before it was dropped"
                );
                tokio::time::sleep(ms(600)).await;
                ensure!(
                    server.count() == 1,
                    "a dropped call sent {} requests",
                    server.count()
                );
                perform(&client, Op::Chat).await.0.map_err(|e| short(&e))?;
                ensure!(server.count() == 2, "{} requests", server.count());
                Ok(())
            })
        }),
        custom(G, "drop a stream between events: its connection is closed", || {
            Box::pin(async {
                let first = format!(
                    "data: {}\n\n",
                    serde_json::json!({
                        "id": "gen-s", "object": "chat.completion.chunk", "created": 1,
                        "model": "m", "choices": [{"index": 0, "delta": {"content": "a"}}]
                    })
                );
                let server = Server::start(vec![
                    vec![
                        Act::Read,
                        Act::Write(sse_head("text/event-stream")),
                        w(chunk(first)),
                        Act::Stall,
                    ],
                    ok_chat(),
                ])
                .await;
                let client = client_for(&server, ms(5000))?;
                let mut stream = client
                    .chat()
                    .create(chat_request())
                    .stream()
                    .await
                    .map_err(|e| short(&e))?;
                let item = stream.next().await;
                ensure!(
                    matches!(item, Some(Ok(_))),
                    "expected a first chunk, got {:?}",
                    item.map(|i| i.map(|_| ()))
                );
                drop(stream);
                ensure!(
                    server.wait_client_closed(1, ms(1000)).await,
                    "the dropped stream's connection was not closed"
                );
                ensure!(server.count() == 1, "{} requests", server.count());
                still_usable(&server, &client, 2).await
            })
        }),
        custom(G, "drop a stream before reading it: its connection is closed", || {
            Box::pin(async {
                let server = Server::start(vec![
                    vec![Act::Read, Act::Write(sse_head("text/event-stream")), Act::Stall],
                    ok_chat(),
                ])
                .await;
                let client = client_for(&server, ms(5000))?;
                let stream = client
                    .chat()
                    .create(chat_request())
                    .stream()
                    .await
                    .map_err(|e| short(&e))?;
                drop(stream);
                ensure!(
                    server.wait_client_closed(1, ms(1000)).await,
                    "the dropped stream's connection was not closed"
                );
                still_usable(&server, &client, 2).await
            })
        }),
    ]
}
