//! Socket tasks: TCP and WebSocket connections, each a reader that forwards bytes
//! to the broker task and a writer that sends what the broker task returns.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use mqttlab_core::broker::{ConnId, PeerAddr};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;

use std::sync::Arc;

use super::{Backlog, ToBroker, ToConn};

/// A writer takes up to this many bytes from its channel for one write.
const BATCH: usize = 64 * 1024;

/// Takes what waits in `rx` (at least one message, waiting for it): the bytes,
/// up to about [`BATCH`], and whether a Close came. `None` when the broker task
/// dropped the channel.
async fn next_batch(rx: &mut mpsc::UnboundedReceiver<ToConn>) -> Option<(Vec<Vec<u8>>, bool)> {
    let mut parts = Vec::new();
    let mut len = 0;
    let mut msg = rx.recv().await?;
    loop {
        match msg {
            ToConn::Bytes(b) => {
                len += b.len();
                parts.push(b);
            }
            ToConn::Close => return Some((parts, true)),
        }
        if len >= BATCH {
            return Some((parts, false));
        }
        match rx.try_recv() {
            Ok(m) => msg = m,
            Err(_) => return Some((parts, false)),
        }
    }
}

/// After a write of `n` bytes: the reader may go on, the broker is told.
async fn report_written(
    broker: &mpsc::Sender<ToBroker>,
    backlog: &Backlog,
    conn: ConnId,
    n: usize,
    messages: usize,
) {
    backlog.written(n, messages);
    let _ = broker.send(ToBroker::Sent { conn, n }).await;
}

static NEXT_CONN: AtomicU64 = AtomicU64::new(1);

fn next_conn() -> ConnId {
    ConnId(NEXT_CONN.fetch_add(1, Ordering::Relaxed))
}

fn peer_of(stream: &TcpStream) -> (PeerAddr, u16) {
    let peer = stream
        .peer_addr()
        .map(|a| PeerAddr::new(a.ip().to_string(), a.port()))
        .unwrap_or_else(|_| PeerAddr::new("unknown", 0));
    let local = stream.local_addr().map_or(0, |a| a.port());
    (peer, local)
}

/// Accepts connections on `listener`, each served by `serve` in a task of its own.
async fn accept<F, Fut>(listener: TcpListener, broker: mpsc::Sender<ToBroker>, serve: F)
where
    F: Fn(TcpStream, mpsc::Sender<ToBroker>) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(serve(stream, broker.clone()));
    }
}

/// Tells the broker task about a new connection: its id, and the channel of what
/// to send on it. `None` when the broker task has stopped.
async fn open(
    broker: &mpsc::Sender<ToBroker>,
    peer: PeerAddr,
    local_port: u16,
) -> Option<(ConnId, mpsc::UnboundedReceiver<ToConn>, Arc<Backlog>)> {
    let conn = next_conn();
    // Unbounded, but what the broker puts in it is bounded by the session's
    // limits, and the reader pauses while too much waits (see `super`).
    let (tx, rx) = mpsc::unbounded_channel();
    let backlog = Arc::new(Backlog::default());
    broker
        .send(ToBroker::Opened {
            conn,
            peer,
            local_port,
            tx,
            backlog: backlog.clone(),
        })
        .await
        .ok()?;
    Some((conn, rx, backlog))
}

/// Accepts MQTT over TCP.
pub(super) async fn accept_tcp(listener: TcpListener, broker: mpsc::Sender<ToBroker>) {
    accept(listener, broker, tcp_conn).await;
}

async fn tcp_conn(stream: TcpStream, broker: mpsc::Sender<ToBroker>) {
    let (peer, local_port) = peer_of(&stream);
    let Some((conn, mut rx, backlog)) = open(&broker, peer, local_port).await else {
        return;
    };
    let (read, mut write) = stream.into_split();
    // The writer ends with `true` when the broker closed the connection, `false`
    // on a write error.
    let (to_broker, written) = (broker.clone(), backlog.clone());
    let mut writer = tokio::spawn(async move {
        // Grown on the first write, not before: an idle connection keeps no
        // 64 KiB buffer.
        let mut buf = Vec::new();
        while let Some((parts, close)) = next_batch(&mut rx).await {
            buf.clear();
            parts.iter().for_each(|p| buf.extend_from_slice(p));
            if !parts.is_empty() {
                if write.write_all(&buf).await.is_err() {
                    return false;
                }
                report_written(&to_broker, &written, conn, buf.len(), parts.len()).await;
            }
            if close {
                break;
            }
        }
        let _ = write.shutdown().await;
        true
    });
    let error = loop {
        if backlog.too_much_waiting() || backlog.too_far_ahead() {
            tokio::select! {
                _ = backlog.drained() => continue,
                _ = backlog.caught_up() => continue,
                w = &mut writer => match w {
                    Ok(true) => return,
                    _ => break true,
                },
            }
        }
        tokio::select! {
            r = read_some(&read) => match r {
                Ok(None) => continue,
                Ok(Some(bytes)) if bytes.is_empty() => break false,
                Ok(Some(bytes)) => {
                    backlog.sending();
                    if broker.send(ToBroker::Bytes { conn, bytes }).await.is_err() {
                        return;
                    }
                }
                // mosquitto reports a reset like an orderly close.
                Err(e) => break !matches!(
                    e.kind(),
                    std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe
                ),
            },
            // The broker closed the connection: stop reading, nothing to report.
            // A write error is reported as a socket error.
            w = &mut writer => match w {
                Ok(true) => return,
                _ => break true,
            },
        }
    };
    let _ = broker.send(ToBroker::Closed { conn, error }).await;
    writer.abort();
}

thread_local! {
    /// One read buffer per runtime thread rather than one per connection: an
    /// idle connection then costs its tasks and little more (2,000 idle sockets
    /// kept 32 MiB of per-connection buffers).
    static READ_BUF: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(vec![0; 16 * 1024]);
}

/// Waits until the socket is readable, then reads what it has: the bytes
/// (empty at end of stream), or `None` when the readiness was spurious.
async fn read_some(read: &tokio::net::tcp::OwnedReadHalf) -> std::io::Result<Option<Vec<u8>>> {
    read.readable().await?;
    READ_BUF.with(|b| {
        let mut b = b.borrow_mut();
        match read.try_read(&mut b) {
            Ok(n) => Ok(Some(b[..n].to_vec())),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => Ok(None),
            Err(e) => Err(e),
        }
    })
}

/// Accepts MQTT over WebSocket, choosing the `mqtt` subprotocol when offered. A
/// socket whose WebSocket handshake is not done within `handshake` is closed.
pub(super) async fn accept_ws(
    listener: TcpListener,
    broker: mpsc::Sender<ToBroker>,
    handshake: Option<Duration>,
) {
    accept(listener, broker, move |stream, broker| {
        ws_conn(stream, broker, handshake)
    })
    .await;
}

#[allow(clippy::result_large_err)]
fn choose_mqtt(req: &Request, mut resp: Response) -> Result<Response, ErrorResponse> {
    let offered = req
        .headers()
        .get_all("Sec-WebSocket-Protocol")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .find(|p| p.eq_ignore_ascii_case("mqtt") || p.eq_ignore_ascii_case("mqttv3.1"))
        .map(str::to_owned);
    if let Some(p) = offered {
        if let Ok(v) = HeaderValue::from_str(&p) {
            resp.headers_mut().insert("Sec-WebSocket-Protocol", v);
        }
    }
    Ok(resp)
}

async fn ws_conn(stream: TcpStream, broker: mpsc::Sender<ToBroker>, handshake: Option<Duration>) {
    let (peer, local_port) = peer_of(&stream);
    let accepting = tokio_tungstenite::accept_hdr_async(stream, choose_mqtt);
    let accepted = match handshake {
        Some(d) => tokio::time::timeout(d, accepting).await.ok(),
        None => Some(accepting.await),
    };
    let Some(Ok(ws)) = accepted else {
        return;
    };
    let Some((conn, mut rx, backlog)) = open(&broker, peer, local_port).await else {
        return;
    };
    let (mut sink, mut stream) = ws.split();
    let (to_broker, written) = (broker.clone(), backlog.clone());
    let mut writer = tokio::spawn(async move {
        while let Some((parts, close)) = next_batch(&mut rx).await {
            let n: usize = parts.iter().map(Vec::len).sum();
            let messages = parts.len();
            // One WebSocket message per packet, flushed together.
            for p in parts {
                if sink.feed(Message::binary(p)).await.is_err() {
                    return false;
                }
            }
            if sink.flush().await.is_err() {
                return false;
            }
            if messages > 0 {
                report_written(&to_broker, &written, conn, n, messages).await;
            }
            if close {
                break;
            }
        }
        let _ = sink.close().await;
        true
    });
    let error = loop {
        if backlog.too_much_waiting() || backlog.too_far_ahead() {
            tokio::select! {
                _ = backlog.drained() => continue,
                _ = backlog.caught_up() => continue,
                w = &mut writer => match w {
                    Ok(true) => return,
                    _ => break true,
                },
            }
        }
        tokio::select! {
            m = stream.next() => match m {
                Some(Ok(Message::Binary(b))) => {
                    let bytes = b.to_vec();
                    backlog.sending();
                    if broker.send(ToBroker::Bytes { conn, bytes }).await.is_err() {
                        return;
                    }
                }
                Some(Ok(Message::Close(_))) | None => break false,
                Some(Ok(_)) => {} // ping, pong, text: not MQTT
                Some(Err(_)) => break true,
            },
            w = &mut writer => match w {
                Ok(true) => return,
                _ => break true,
            },
        }
    };
    let _ = broker.send(ToBroker::Closed { conn, error }).await;
    writer.abort();
}
