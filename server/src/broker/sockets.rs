//! Socket tasks: a TCP connection is one task that forwards what it reads to the
//! broker task and writes what the broker task hands it; a WebSocket connection
//! is a reader task and a writer task.
//!
//! An idle connection costs what its task holds and little more: one task whose
//! future is [`TcpConn`] (at most 144 bytes: a 256-byte task), its [`Backlog`] (an empty queue allocates nothing), no
//! read or write buffer of its own. With 2,000 idle sockets (the adversarial
//! suite's case) `mqttlab broker` peaked at 14.5 MB with a reader task, a writer
//! task and a tokio channel per connection, and at 9.7 MB (mosquitto 2.0.11:
//! 9.7 MB) with one task, polled by hand, and a plain queue.

use std::future::Future;
use std::io::IoSlice;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::Poll;
use std::time::Duration;

use bytes::Bytes;
use futures_util::future::Either;
use futures_util::{SinkExt, StreamExt};
use mqttlab_core::broker::{ConnId, PeerAddr};
use tokio::io::AsyncWrite;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;

use std::sync::Arc;

use super::{Backlog, ToBroker};

/// A writer takes up to this many bytes from its channel for one write.
const BATCH: usize = 64 * 1024;

/// At most this many packets go in one `writev` (the kernel takes up to
/// 1,024): 256 QoS 0 PUBLISHes of 64 bytes are about 20 KB a call.
const WRITEV_SLICES: usize = 256;

/// After a write of `n` bytes: the reader may go on, the broker is told.
fn report_written<'a>(
    broker: &'a mpsc::Sender<ToBroker>,
    backlog: &Backlog,
    conn: ConnId,
    n: usize,
    messages: usize,
) -> Sending<'a> {
    backlog.written(n, messages);
    send(broker, ToBroker::Sent { conn, n })
}

/// A message on its way to the broker task: `Err` when the broker task has
/// stopped.
type Sending<'a> = Either<
    std::future::Ready<Result<(), ()>>,
    Pin<Box<dyn Future<Output = Result<(), ()>> + Send + 'a>>,
>;

/// Sends `msg` to the broker task: at once when its channel has room, else in a
/// boxed future that waits for room. A task is as large as the largest future it
/// awaits, and every idle connection pays that size: awaiting the channel's own
/// send future (the message and a place in the channel's queue of waiters) made
/// each connection's task larger by over a hundred bytes.
fn send(broker: &mpsc::Sender<ToBroker>, msg: ToBroker) -> Sending<'_> {
    match broker.try_send(msg) {
        Ok(()) => Either::Left(std::future::ready(Ok(()))),
        Err(mpsc::error::TrySendError::Closed(_)) => Either::Left(std::future::ready(Err(()))),
        Err(mpsc::error::TrySendError::Full(msg)) => {
            Either::Right(Box::pin(
                async move { broker.send(msg).await.map_err(drop) },
            ))
        }
    }
}

static NEXT_CONN: AtomicU64 = AtomicU64::new(1);

fn next_conn() -> ConnId {
    ConnId(NEXT_CONN.fetch_add(1, Ordering::Relaxed))
}

/// Where a connection comes from, as the broker logs it, and the port it
/// came to: what `accept` returned and the listener's port, so that a new
/// connection costs no `getpeername`/`getsockname` (a flood of connections
/// is a case of the adversarial suite).
#[derive(Debug, Clone, Copy)]
pub(super) struct Origin {
    peer: std::net::SocketAddr,
    local_port: u16,
}

impl Origin {
    fn peer(self) -> PeerAddr {
        PeerAddr::new(self.peer.ip().to_string(), self.peer.port())
    }
}

/// Accepts connections on `listener`, each served by `serve` in a task of its own.
async fn accept<F, Fut>(listener: TcpListener, broker: mpsc::Sender<ToBroker>, serve: F)
where
    F: Fn(TcpStream, Origin, mpsc::Sender<ToBroker>) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let local_port = listener.local_addr().map_or(0, |a| a.port());
    loop {
        let Ok((stream, peer)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let origin = Origin { peer, local_port };
        tokio::spawn(serve(stream, origin, broker.clone()));
    }
}

/// Tells the broker task about a new connection: its id, and the channel of what
/// to send on it. `None` when the broker task has stopped.
async fn open(
    broker: &mpsc::Sender<ToBroker>,
    peer: PeerAddr,
    local_port: u16,
) -> Option<(ConnId, Arc<Backlog>)> {
    let conn = next_conn();
    // Its queue is unbounded, but what the broker puts in it is bounded by the
    // session's limits, and reading pauses while too much waits (see `super`).
    let backlog = Arc::new(Backlog::default());
    send(
        broker,
        ToBroker::Opened {
            conn,
            peer,
            local_port,
            backlog: backlog.clone(),
        },
    )
    .await
    .ok()?;
    Some((conn, backlog))
}

/// Accepts MQTT over TCP.
pub(super) async fn accept_tcp(listener: TcpListener, broker: mpsc::Sender<ToBroker>) {
    accept(listener, broker, TcpConn::new).await;
}

/// A message to the broker task that waited for room in its channel (rare:
/// only while the broker task is behind), boxed so that it costs nothing to a
/// connection that is not sending one.
type Pending = Pin<Box<dyn Future<Output = Result<(), ()>> + Send>>;

/// One TCP connection's task: it tells the broker task about the connection,
/// then reads and writes the socket until one side closes it, then closes it
/// or reports it closed. Reading pauses while more than
/// [`super::PAUSE_READING_ABOVE`] bytes wait to be written, or while the
/// broker task has [`super::PIECES_AHEAD`] pieces from this connection to
/// handle (each at most [`super::READ_PIECE`] bytes); writing goes on
/// meanwhile.
///
/// A `Future` written by hand rather than an `async fn`: every open socket,
/// idle or not, is one task as large as its future, and tokio sizes a task in
/// 128-byte steps. The `async fn` was 272 bytes (a 384-byte task: with 2,000
/// idle sockets, 768 kB); this is 96 (a 256-byte task), since it keeps each
/// thing once where the `async fn` kept its arguments, its locals and the
/// state of whichever future it awaited side by side.
struct TcpConn {
    stream: TcpStream,
    broker: mpsc::Sender<ToBroker>,
    conn: ConnId,
    backlog: Arc<Backlog>,
    /// The batch being written, the packets' own buffers (no copy: the
    /// copies of one message share theirs), written with one `writev`; an
    /// idle connection keeps nothing here.
    out: Vec<Bytes>,
    /// The first packet of `out` not wholly written, and how much of it is.
    first: u32,
    pos: u32,
    /// A message to the broker task waiting for room; nothing else happens
    /// until it is sent.
    sending: Option<Pending>,
    phase: Phase,
    /// The broker closed the connection: what it sent is written, then the
    /// socket is shut down.
    closing: bool,
    /// Whether reading has the first turn, when both reading and writing can go on.
    turn: bool,
}

/// Where a [`TcpConn`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Reading and writing.
    Open,
    /// Shutting the socket down.
    ShuttingDown,
    /// Done once `sending` is (the broker task was told it closed, or is gone).
    Done,
}

impl TcpConn {
    fn new(stream: TcpStream, origin: Origin, broker: mpsc::Sender<ToBroker>) -> TcpConn {
        let (peer, local_port) = (origin.peer(), origin.local_port);
        let conn = next_conn();
        // Its queue is unbounded, but what the broker puts in it is bounded by
        // the session's limits, and reading pauses while too much waits (see
        // `super`).
        let backlog = Arc::new(Backlog::default());
        let mut c = TcpConn {
            stream,
            broker,
            conn,
            backlog: backlog.clone(),
            out: Vec::new(),
            first: 0,
            pos: 0,
            sending: None,
            phase: Phase::Open,
            closing: false,
            turn: false,
        };
        c.send(ToBroker::Opened {
            conn,
            peer,
            local_port,
            backlog,
        });
        c
    }

    /// Sends `msg` to the broker task: at once when its channel has room, else
    /// later (see [`TcpConn::sending`]). When the broker task has stopped, the
    /// connection ends.
    fn send(&mut self, msg: ToBroker) {
        match self.broker.try_send(msg) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Closed(_)) => self.broker_gone(),
            Err(mpsc::error::TrySendError::Full(msg)) => {
                let broker = self.broker.clone();
                self.sending = Some(Box::pin(
                    async move { broker.send(msg).await.map_err(drop) },
                ));
            }
        }
    }

    fn broker_gone(&mut self) {
        self.sending = None;
        self.phase = Phase::Done;
    }

    /// The peer closed the connection (`error`: a socket error, as opposed to
    /// an orderly close or a reset, which mosquitto reports as one).
    fn peer_closed(&mut self, error: bool) {
        let conn = self.conn;
        self.phase = Phase::Done;
        self.send(ToBroker::Closed { conn, error });
    }

    /// Once `out` is written: reports it, and takes the next batch if any
    /// (after the broker's Close, shuts down instead). Returns whether there
    /// is something to write.
    fn refill(&mut self) -> bool {
        loop {
            if (self.first as usize) < self.out.len() {
                return true;
            }
            if !self.out.is_empty() {
                let n = self.out.iter().map(Bytes::len).sum();
                self.backlog.written(n, self.out.len());
                let conn = self.conn;
                self.send(ToBroker::Sent { conn, n });
            }
            // Each packet's buffer goes (the last copy of a message frees it),
            // and the list: an idle connection keeps nothing.
            self.out = Vec::new();
            (self.first, self.pos) = (0, 0);
            if self.closing {
                if self.phase == Phase::Open {
                    self.phase = Phase::ShuttingDown;
                }
                return false;
            }
            let Some((parts, close)) = self.backlog.try_batch(BATCH) else {
                return false;
            };
            self.out = parts;
            self.closing = close;
        }
    }

    /// Waits for the socket or the backlog, and does what it can: one read or
    /// one write, or takes a batch. Pending when there is nothing to do.
    fn step(&mut self, cx: &mut std::task::Context<'_>) -> Poll<()> {
        let writing = self.refill();
        if self.sending.is_some() || self.phase != Phase::Open {
            return Poll::Ready(());
        }
        self.backlog.waker.register(cx.waker());
        if !writing && self.backlog.has_queued() {
            return Poll::Ready(());
        }
        let reading = !self.backlog.must_wait();
        self.turn = !self.turn;
        // Reading and writing take turns when both can go on.
        for read in [self.turn, !self.turn] {
            if read && reading {
                if let Poll::Ready(r) = self.stream.poll_read_ready(cx) {
                    self.readable(r);
                    return Poll::Ready(());
                }
            } else if !read && writing {
                if let Poll::Ready(r) = self.stream.poll_write_ready(cx) {
                    self.writable(r);
                    return Poll::Ready(());
                }
            }
        }
        Poll::Pending
    }

    fn writable(&mut self, ready: std::io::Result<()>) {
        let (first, pos) = (self.first as usize, self.pos as usize);
        let mut slices = [IoSlice::new(&[]); WRITEV_SLICES];
        let mut k = 0;
        for (slice, part) in slices.iter_mut().zip(&self.out[first..]) {
            *slice = IoSlice::new(if k == 0 { &part[pos..] } else { part });
            k += 1;
        }
        let written = ready.and_then(|()| match self.stream.try_write_vectored(&slices[..k]) {
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => Ok(0),
            w => w,
        });
        match written {
            Ok(mut n) => {
                // Past the packets written whole, into the one written in part.
                while let Some(part) = self.out.get(self.first as usize) {
                    let left = part.len() - self.pos as usize;
                    if n < left {
                        // Within one packet of at most 256 MB: a u32.
                        self.pos += n as u32;
                        break;
                    }
                    n -= left;
                    (self.first, self.pos) = (self.first + 1, 0);
                }
            }
            // A write error is reported as a socket error.
            Err(_) => self.peer_closed(true),
        }
    }

    fn readable(&mut self, ready: std::io::Result<()>) {
        match ready.and_then(|()| read_some(&self.stream)) {
            Ok(None) => {}
            Ok(Some(bytes)) if bytes.is_empty() => self.peer_closed(false),
            Ok(Some(bytes)) => {
                self.backlog.sending();
                let conn = self.conn;
                self.send(ToBroker::Bytes { conn, bytes });
            }
            // mosquitto reports a reset like an orderly close.
            Err(e) => self.peer_closed(!matches!(
                e.kind(),
                std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe
            )),
        }
    }
}

impl Future for TcpConn {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        loop {
            if let Some(sending) = &mut this.sending {
                match sending.as_mut().poll(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Ok(())) => this.sending = None,
                    Poll::Ready(Err(())) => this.broker_gone(),
                }
                continue;
            }
            match this.phase {
                Phase::Open => {
                    if this.step(cx).is_pending() {
                        return Poll::Pending;
                    }
                }
                Phase::ShuttingDown => {
                    let _ = std::task::ready!(Pin::new(&mut this.stream).poll_shutdown(cx));
                    return Poll::Ready(());
                }
                Phase::Done => return Poll::Ready(()),
            }
        }
    }
}

thread_local! {
    /// One read buffer per runtime thread rather than one per connection: an
    /// idle connection then costs its tasks and little more (2,000 idle sockets
    /// kept 32 MiB of per-connection buffers).
    /// At most one turn's bytes, [`super::READ_PIECE`], are read at a time.
    static READ_BUF: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(vec![0; super::READ_PIECE]);
}

/// Reads what a readable socket has: the bytes (empty at end of stream), or
/// `None` when the readiness was spurious.
fn read_some(read: &TcpStream) -> std::io::Result<Option<Vec<u8>>> {
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
    accept(listener, broker, move |stream, origin, broker| {
        ws_conn(stream, origin, broker, handshake)
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

async fn ws_conn(
    stream: TcpStream,
    origin: Origin,
    broker: mpsc::Sender<ToBroker>,
    handshake: Option<Duration>,
) {
    let (peer, local_port) = (origin.peer(), origin.local_port);
    let accepting = tokio_tungstenite::accept_hdr_async(stream, choose_mqtt);
    let accepted = match handshake {
        Some(d) => tokio::time::timeout(d, accepting).await.ok(),
        None => Some(accepting.await),
    };
    let Some(Ok(ws)) = accepted else {
        return;
    };
    let Some((conn, backlog)) = open(&broker, peer, local_port).await else {
        return;
    };
    let (mut sink, mut stream) = ws.split();
    let (to_broker, written) = (broker.clone(), backlog.clone());
    let mut writer = tokio::spawn(async move {
        loop {
            let (parts, close) = written.next_batch(BATCH).await;
            let n: usize = parts.iter().map(Bytes::len).sum();
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
                let _ = report_written(&to_broker, &written, conn, n, messages).await;
            }
            if close {
                break;
            }
        }
        let _ = sink.close().await;
        true
    });
    let error = loop {
        if backlog.must_wait() {
            tokio::select! {
                () = std::future::poll_fn(|cx| backlog.poll_may_read(cx)) => continue,
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
                    if send(&broker, ToBroker::Bytes { conn, bytes }).await.is_err() {
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
    let _ = send(&broker, ToBroker::Closed { conn, error }).await;
    writer.abort();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every open TCP connection, idle or not, is one task as large as its
    /// future: with 2,000 idle sockets (the adversarial suite) each byte here
    /// is 2 kB of the broker's memory, and tokio sizes a task in 128-byte
    /// steps (heaptrack on 5,000 idle sockets: a 384-byte task for a 272-byte
    /// `async fn`; 512 bytes when the accept loop announced the connection and
    /// spawned only the loop). [`TcpConn`] is a `Future` written by hand to
    /// stay at most 144 bytes, which makes a 256-byte task. A connection that
    /// grows should be made smaller, or this bound raised knowingly.
    #[tokio::test]
    async fn a_connection_task_stays_small() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let client = TcpStream::connect(addr).await.unwrap();
        let (stream, peer) = listener.accept().await.unwrap();
        let (tx, _rx) = mpsc::channel(1);
        let origin = Origin {
            peer,
            local_port: addr.port(),
        };
        let task = TcpConn::new(stream, origin, tx);
        let size = std::mem::size_of_val(&task);
        eprintln!("TcpConn: {size} bytes");
        assert!(size <= 144, "a connection's task is {size} bytes");
        drop((task, client));
    }
}
