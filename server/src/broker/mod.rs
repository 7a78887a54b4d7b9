//! `mqttlab broker`: the core's sans-IO broker on real sockets, TCP and MQTT over
//! WebSocket (subprotocol `mqtt`).
//!
//! One task owns the [`Broker`], on a thread of its own (see [`start`]). Socket
//! tasks send it what happened over a channel; it feeds the broker with the time
//! since start, drains the outputs, and hands each connection its bytes in that
//! connection's own queue ([`Backlog`]). With
//! `-v` the log is printed as `mosquitto -v` prints it: unix seconds, a colon,
//! the line.
//!
//! Nothing is buffered without bound for a client that does not read: each
//! connection's writer reports what its socket took (`ToBroker::Sent`, the core's
//! `handle_sent`), so bytes the socket has not taken count against the session's
//! limits (`max_queued_messages`, `max_queued_bytes`: QoS 0 dropped, QoS 1/2
//! queued to the limit; see the core's `broker/limits.rs`). And a connection whose
//! writer has more than [`PAUSE_READING_ABOVE`] bytes waiting is not read from
//! until they drain, so a client that sends requests (PINGREQ, QoS 1 PUBLISH) but
//! never reads the answers is slowed down by TCP instead of growing a buffer.
//! A reader also stays at most [`PIECES_AHEAD`] piece of at most [`READ_PIECE`]
//! bytes ahead of the broker task: fair reading between connections, so a
//! client sending as fast as it can is held back by TCP and takes its turn
//! like the others instead of making them wait.

pub(crate) mod config;
mod sockets;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use bytes::Bytes;
use clap::Args;
use mqttlab_core::broker::{Broker, BrokerConfig, ConnId, Output, PeerAddr};
use mqttlab_core::time::Instant;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::mpsc;

/// Options of `mqttlab broker`.
#[derive(Args, Debug, Clone)]
pub struct BrokerArgs {
    /// Listen for MQTT over TCP on this address.
    #[arg(long, default_value = "127.0.0.1:1883")]
    pub tcp: Option<SocketAddr>,
    /// Also listen for MQTT over WebSocket (subprotocol `mqtt`) on this address.
    #[arg(long)]
    pub ws: Option<SocketAddr>,
    /// A configuration file (users, ACL, bounds; see `server/src/broker/config.rs`).
    #[arg(long, short = 'c')]
    pub config: Option<PathBuf>,
    /// Close a connection that has not sent CONNECT within this many seconds
    /// (0: never). Default 90, as mosquitto 2.0; overrides the configuration file.
    #[arg(long, value_name = "SECS")]
    pub connect_timeout: Option<f64>,
    /// Print the broker log, worded as `mosquitto -v`.
    #[arg(short, long)]
    pub verbose: bool,
}

/// What a socket task tells the broker task.
#[derive(Debug)]
pub(crate) enum ToBroker {
    Opened {
        conn: ConnId,
        peer: PeerAddr,
        local_port: u16,
        backlog: std::sync::Arc<Backlog>,
    },
    Bytes {
        conn: ConnId,
        bytes: Vec<u8>,
    },
    Closed {
        conn: ConnId,
        error: bool,
    },
    /// The connection's socket took `n` more bytes.
    Sent {
        conn: ConnId,
        n: usize,
    },
}

/// A connection's reader stops while more than this many bytes wait for its
/// writer (each message counted with [`PER_MESSAGE`] more, what holding it
/// costs).
pub(crate) const PAUSE_READING_ABOVE: usize = 1 << 20;

/// What one message waiting for a writer costs besides its bytes (its buffer's
/// allocation and its place in the channel), so that a flood of tiny packets
/// (PINGRESP, PUBACK) is bounded in memory, not only in bytes.
pub(crate) const PER_MESSAGE: usize = 64;

/// A reader sends at most this many pieces ahead of the broker task: a
/// connection whose last piece the broker task has not handled yet does not
/// read, so its bytes stay in its socket and TCP slows its sender down, as
/// mosquitto's one loop does. With one piece of at most [`READ_PIECE`] bytes
/// per connection, the broker task's channel holds at most one turn of each
/// connection with something to say: a client sending as fast as it can
/// waits its turn behind the others instead of filling the channel with its
/// own bytes.
///
/// Figures (the adversarial suite's rounds, ours only, two rounds each, load
/// 16-19 on 2 cores): a 1 KB QoS 0 flood past a subscriber that never reads got 250,000
/// to 340,000 messages into the broker in 1.9 s with 4 pieces of 16 KiB
/// ahead, 110,000 to 127,000 with one of 4 KiB, and the honest QoS 1
/// publisher's PUBACK rate rose from 8,000-18,000 to 18,000-25,000 a second;
/// without an attack it was unchanged (66,000-67,000).
pub(crate) const PIECES_AHEAD: usize = 1;

/// A reader takes at most this many bytes from its socket at a time: one
/// turn of a connection (four 1 KB PUBLISHes, or an honest publisher's
/// window of twenty small ones).
pub(crate) const READ_PIECE: usize = 4 * 1024;

/// What the broker task and a connection's socket task share: what to send on
/// the socket, and how far behind the socket and the broker task are.
///
/// The queue is a plain `VecDeque` behind a lock rather than a channel: an
/// empty one allocates nothing, where a tokio channel costs every connection,
/// idle or not, about a kilobyte (its first block of slots and its padded
/// state). Its tasks wait on two `AtomicWaker`s (24 bytes each) rather than
/// tokio `Notify`s (32 bytes each, three of them): every open socket has a
/// `Backlog`, and it is 104 bytes (a 128-byte allocation), where it was 176.
#[derive(Debug, Default)]
pub(crate) struct Backlog {
    /// What the broker task handed over and the socket task has not taken yet.
    queue: std::sync::Mutex<std::collections::VecDeque<ToConn>>,
    /// The task that writes: a TCP connection's one task (which also reads,
    /// see `sockets::TcpConn`), a WebSocket's writer. Woken by the broker task
    /// after each push and after handling a piece.
    pub waker: futures_util::task::AtomicWaker,
    /// A WebSocket's reader while it waits for its writer or for the broker
    /// task: woken after each write and after each piece handled.
    reader: futures_util::task::AtomicWaker,
    /// Bytes (plus [`PER_MESSAGE`] each) handed to the writer and not written yet.
    waiting: AtomicUsize,
    /// Pieces the reader sent that the broker task has not handled yet.
    unhandled: AtomicUsize,
}

impl Backlog {
    /// Whether the reader must wait for the writer.
    pub fn too_much_waiting(&self) -> bool {
        self.waiting.load(Ordering::Relaxed) > PAUSE_READING_ABOVE
    }
    /// The broker task handed `n` bytes to the writer.
    fn add(&self, n: usize) {
        self.waiting.fetch_add(n + PER_MESSAGE, Ordering::Relaxed);
    }
    /// The writer wrote `messages` messages of `n` bytes in all.
    pub fn written(&self, n: usize, messages: usize) {
        self.waiting
            .fetch_sub(n + messages * PER_MESSAGE, Ordering::Relaxed);
        self.reader.wake();
    }
    /// Whether the reader must wait for the broker task.
    pub fn too_far_ahead(&self) -> bool {
        self.unhandled.load(Ordering::Relaxed) >= PIECES_AHEAD
    }
    /// Whether the reader must wait, for the writer or for the broker task.
    pub fn must_wait(&self) -> bool {
        self.too_much_waiting() || self.too_far_ahead()
    }
    /// The reader sends a piece.
    pub fn sending(&self) {
        self.unhandled.fetch_add(1, Ordering::Relaxed);
    }
    /// The broker task handled a piece.
    pub fn handled(&self) {
        self.unhandled.fetch_sub(1, Ordering::Relaxed);
        self.reader.wake();
        self.waker.wake();
    }
    /// A WebSocket's reader: ready once it need not wait any more (see
    /// [`Backlog::must_wait`]).
    pub fn poll_may_read(&self, cx: &mut std::task::Context<'_>) -> std::task::Poll<()> {
        self.reader.register(cx.waker());
        if self.must_wait() {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    }
}

impl Backlog {
    /// The broker task hands `msg` to the socket task and wakes it.
    fn push(&self, msg: ToConn) {
        self.push_quietly(msg);
        self.wake();
    }
    /// [`Backlog::push`] without waking the socket task: the broker task hands
    /// a connection everything one batch of input made for it, then wakes it
    /// once ([`Backlog::wake`]), so that it writes it all in one write and a
    /// socket task is not woken (nor a runtime thread unparked) per packet.
    fn push_quietly(&self, msg: ToConn) {
        if let ToConn::Bytes(b) = &msg {
            self.add(b.len());
        }
        self.queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push_back(msg);
    }
    /// Wakes the socket task after [`Backlog::push_quietly`].
    fn wake(&self) {
        self.waker.wake();
    }
    /// Whether something waits in the queue.
    pub fn has_queued(&self) -> bool {
        !self
            .queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .is_empty()
    }
    /// Takes what waits (at least one message, waiting for it): the bytes, up to
    /// about `batch` of them, and whether a Close came. For one task only (it
    /// takes [`Backlog::waker`]).
    pub async fn next_batch(&self, batch: usize) -> (Vec<Bytes>, bool) {
        std::future::poll_fn(|cx| {
            self.waker.register(cx.waker());
            match self.try_batch(batch) {
                Some(b) => std::task::Poll::Ready(b),
                None => std::task::Poll::Pending,
            }
        })
        .await
    }
    /// What [`Backlog::next_batch`] takes, or `None` when nothing waits.
    pub fn try_batch(&self, batch: usize) -> Option<(Vec<Bytes>, bool)> {
        let mut q = self
            .queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if q.is_empty() {
            return None;
        }
        let mut parts = Vec::new();
        let mut len = 0;
        while len < batch {
            match q.pop_front() {
                Some(ToConn::Bytes(b)) => {
                    len += b.len();
                    parts.push(b);
                }
                Some(ToConn::Close) => return Some((parts, true)),
                None => break,
            }
        }
        // An emptied queue gives its buffer back (a burst of small packets
        // would otherwise keep it for the connection's life).
        if q.is_empty() && q.capacity() > 64 {
            *q = Default::default();
        }
        Some((parts, false))
    }
}

/// What the broker task tells a socket task.
#[derive(Debug)]
pub(crate) enum ToConn {
    /// A packet's bytes: the copies of one message share them where they are
    /// the same (the core's `broker/encoding.rs`).
    Bytes(Bytes),
    Close,
}

fn log_line(text: &str) {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    println!("{secs}: {text}");
}

/// Runs `mqttlab broker` until interrupted.
pub fn run(args: BrokerArgs) -> anyhow::Result<()> {
    let mut config = BrokerConfig {
        sys_interval: Some(config::DEFAULT_SYS_INTERVAL),
        ..BrokerConfig::default()
    };
    if let Some(path) = &args.config {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        config = config::parse(&text, config)?;
    }
    if let Some(tcp) = args.tcp {
        config.listener_port = tcp.port();
    }
    if let Some(secs) = args.connect_timeout {
        config.connect_timeout = config::seconds(secs)?;
    }
    // Nothing reads events here, and without -v nothing prints the log: the broker
    // need not format either.
    config.log = args.verbose;
    config.events = false;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(serve(args, config))
}

async fn serve(args: BrokerArgs, config: BrokerConfig) -> anyhow::Result<()> {
    let running = start(args.tcp, args.ws, config, args.verbose).await?;
    let _ = tokio::signal::ctrl_c().await;
    running.shut_down().await;
    Ok(())
}

/// A broker started by [`start`]: its bound addresses and its tasks.
pub(crate) struct Running {
    /// The bound TCP listener, if any (the real port when 0 was asked for).
    pub tcp: Option<SocketAddr>,
    /// The bound WebSocket listener, if any.
    pub ws: Option<SocketAddr>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    /// Tells the broker task to shut down (DISCONNECT 0x8B to 5.0 clients);
    /// dropped, it stops the broker task at once.
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Running {
    /// Shuts the broker down as mosquitto does on SIGINT: every connection
    /// closes, 5.0 clients hearing DISCONNECT 0x8B (Server shutting down) first;
    /// then stops the listeners.
    pub async fn shut_down(mut self) {
        if let Some(stop) = self.stop.take() {
            if stop.send(()).is_ok() {
                // The socket tasks write what was queued (the DISCONNECTs), then
                // close; give them a moment before the runtime goes.
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
        self.stop();
    }

    /// Stops the listeners and the broker (its thread ends when it sees the
    /// `stop` sender gone).
    pub fn stop(self) {
        for t in self.tasks {
            t.abort();
        }
    }
}

/// Binds the listeners and starts the broker task on the current runtime (also
/// used by `mqttlab serve --broker`).
pub(crate) async fn start(
    tcp: Option<SocketAddr>,
    ws: Option<SocketAddr>,
    mut config: BrokerConfig,
    verbose: bool,
) -> anyhow::Result<Running> {
    if verbose {
        log_line(&format!(
            "mqttlab broker version {} starting",
            mqttlab_core::VERSION
        ));
    }
    // Bounded: when the broker task falls behind, socket readers wait, and TCP
    // slows the publishers down instead of a queue growing in front of the broker
    // (where a subscriber's acknowledgements would wait behind publishes).
    let (tx, rx) = mpsc::channel(256);
    // The writers report what their sockets took.
    config.socket_feedback = true;
    // Enhanced authentication's nonces: unpredictable on real sockets.
    if config.enhanced_auth.nonce_key.is_none() {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|e| anyhow::anyhow!("no randomness for nonces: {e}"))?;
        config.enhanced_auth.nonce_key = Some(key);
    }
    let mut tasks = Vec::new();
    let mut running_tcp = None;
    let mut running_ws = None;
    if let Some(addr) = tcp {
        let l = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("binding {addr}"))?;
        let bound = l.local_addr().context("reading the bound address")?;
        config.listener_port = bound.port();
        running_tcp = Some(bound);
        if verbose {
            log_line(&format!(
                "Opening ipv4 listen socket on port {}.",
                bound.port()
            ));
        }
        tasks.push(tokio::spawn(sockets::accept_tcp(l, tx.clone())));
    }
    if let Some(addr) = ws {
        let l = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("binding {addr}"))?;
        let bound = l.local_addr().context("reading the bound address")?;
        running_ws = Some(bound);
        if verbose {
            log_line(&format!(
                "Opening websockets listen socket on port {}.",
                bound.port()
            ));
        }
        // The core's CONNECT timer starts once the WebSocket handshake is done;
        // the handshake itself gets the same bound here.
        let handshake = config.connect_timeout;
        tasks.push(tokio::spawn(sockets::accept_ws(l, tx.clone(), handshake)));
    }
    if verbose {
        log_line(&format!(
            "mqttlab broker version {} running",
            mqttlab_core::VERSION
        ));
    }
    drop(tx);
    let (stop, stopped) = tokio::sync::oneshot::channel();
    let broker = Broker::new(config);
    // The broker task runs on a thread of its own, not on the runtime's workers.
    // On a worker, each socket task it woke went to that worker's LIFO slot,
    // which no other worker may steal from, and waited there until the broker
    // task yielded: under a flood that is after tokio's budget of 128 pieces
    // (about 2,000 messages), so an honest subscriber's delivery waited
    // milliseconds behind an attacker's traffic. Woken from this thread, a
    // socket task goes to the runtime's shared queue and an idle worker runs it
    // at once. Its runtime needs only a clock (no sockets): it parks on a
    // condition variable.
    let thread = std::thread::Builder::new()
        .name("mqttlab-broker".into())
        .spawn(move || {
            match tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .build()
            {
                Ok(rt) => rt.block_on(drive(broker, rx, stopped, verbose)),
                Err(e) => eprintln!("mqttlab broker: no runtime for the broker task: {e}"),
            }
        });
    thread.context("starting the broker thread")?;
    Ok(Running {
        tcp: running_tcp,
        ws: running_ws,
        tasks,
        stop: Some(stop),
    })
}

/// The one task that owns the broker.
async fn drive(
    mut broker: Broker,
    mut rx: mpsc::Receiver<ToBroker>,
    mut stop: tokio::sync::oneshot::Receiver<()>,
    verbose: bool,
) {
    let start = tokio::time::Instant::now();
    let now = |start: tokio::time::Instant| {
        Instant::from_micros(u64::try_from(start.elapsed().as_micros()).unwrap_or(u64::MAX))
    };
    let mut conns: BTreeMap<ConnId, ConnHandle> = BTreeMap::new();
    loop {
        let deadline = broker
            .poll_timeout()
            .map(|t| start + Duration::from_micros(t.as_micros().min(u64::MAX / 4)));
        let far = start + Duration::from_secs(u64::from(u32::MAX));
        let msg = tokio::select! {
            m = rx.recv() => m,
            _ = tokio::time::sleep_until(deadline.unwrap_or(far)), if deadline.is_some() => {
                broker.handle_timeout(now(start));
                flush(&mut broker, &mut conns, verbose);
                continue;
            }
            told = &mut stop => {
                // Told to shut down: say so to the clients. The sender dropped
                // instead: stop at once.
                if told.is_ok() {
                    broker.handle_shutdown(now(start));
                    flush(&mut broker, &mut conns, verbose);
                }
                return;
            }
        };
        let Some(msg) = msg else {
            return;
        };
        let t = now(start);
        let mut read = handle(&mut broker, &mut conns, t, msg);
        // What else is already waiting is handled before anything is flushed
        // (up to a bound, so that replies do not wait behind a long run and
        // what waits to be flushed stays small): a connection then gets one
        // batch, one wake and one write for everything these pieces made for
        // it.
        for _ in 1..BATCH_PIECES {
            if read >= BATCH_BYTES {
                break;
            }
            match rx.try_recv() {
                Ok(msg) => read += handle(&mut broker, &mut conns, t, msg),
                Err(_) => break,
            }
        }
        flush(&mut broker, &mut conns, verbose);
    }
}

/// How many pieces from the socket tasks the broker task handles before it
/// hands over what they made.
const BATCH_PIECES: usize = 32;

/// How many bytes read from sockets the broker task handles before it hands
/// over what they made: one PUBLISH can make a copy for every subscriber, and
/// those copies wait in the broker's output until the flush (with 32 pieces
/// of QoS 0 bursts to 50 subscribers, `broker_load`'s fan-out peaked at 27 MB
/// instead of 15).
const BATCH_BYTES: usize = 2048;

/// One piece from a socket task, fed to the broker; how many bytes it read.
fn handle(
    broker: &mut Broker,
    conns: &mut BTreeMap<ConnId, ConnHandle>,
    t: Instant,
    msg: ToBroker,
) -> usize {
    let mut read = 0;
    match msg {
        ToBroker::Opened {
            conn,
            peer,
            local_port,
            backlog,
        } => {
            conns.insert(conn, ConnHandle { backlog });
            broker.handle_connection_opened_on(t, conn, peer, local_port);
        }
        ToBroker::Bytes { conn, bytes } => {
            read = bytes.len();
            broker.handle_bytes(t, conn, &bytes);
            if let Some(h) = conns.get(&conn) {
                h.backlog.handled();
            }
        }
        ToBroker::Sent { conn, n } => broker.handle_sent(t, conn, n),
        ToBroker::Closed { conn, error } => {
            conns.remove(&conn);
            if error {
                broker.handle_connection_error(t, conn);
            } else {
                broker.handle_connection_closed(t, conn);
            }
        }
    }
    read
}

/// The broker task's end of a connection. Dropping it (the broker closed the
/// connection, or the broker task stopped) tells the socket task to close.
struct ConnHandle {
    backlog: std::sync::Arc<Backlog>,
}

impl Drop for ConnHandle {
    fn drop(&mut self) {
        self.backlog.push(ToConn::Close);
    }
}

/// Hands every connection what the broker made for it, waking each socket
/// task once.
fn flush(broker: &mut Broker, conns: &mut BTreeMap<ConnId, ConnHandle>, verbose: bool) {
    // The connections handed something, in the order first handed (a
    // connection's transmits are usually consecutive, so the last one is
    // checked first).
    let mut woken: Vec<std::sync::Arc<Backlog>> = Vec::new();
    let mut last = None;
    while let Some(out) = broker.poll_output() {
        match out {
            Output::Transmit(t) => {
                if let Some(h) = conns.get(&t.conn) {
                    h.backlog.push_quietly(ToConn::Bytes(t.bytes));
                    if last != Some(t.conn) {
                        last = Some(t.conn);
                        if !woken.iter().any(|b| std::sync::Arc::ptr_eq(b, &h.backlog)) {
                            woken.push(h.backlog.clone());
                        }
                    }
                }
            }
            Output::Close { conn, .. } => {
                // Dropping the handle sends the Close.
                conns.remove(&conn);
            }
            Output::Log(line) => {
                if verbose {
                    log_line(&line.text);
                }
            }
            Output::Event(_) => {}
        }
    }
    for b in woken {
        b.wake();
    }
}
