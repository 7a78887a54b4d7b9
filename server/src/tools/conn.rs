//! One TCP connection driven by the core client: the run loop of the sans-IO
//! contract (feed input, drain transmits and events, sleep until the next deadline).

use std::io::Write;
use std::time::Duration;

use mqttlab_core::client::{debug, Client, ClientEvent, ConnectOptions};
use mqttlab_core::codec::Decoder;
use mqttlab_core::time::Instant;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::signal::unix::{signal, Signal, SignalKind};

/// What [`Conn::next`] returned.
pub enum Wait {
    /// The client reported an event.
    Event(ClientEvent),
    /// The caller's deadline passed.
    Deadline,
    /// SIGINT or SIGTERM.
    Interrupted,
    /// A line of standard input (`mqttlab pub -l`); `None` at its end.
    Line(Option<Vec<u8>>),
}

pub struct Conn {
    pub client: Client,
    host: String,
    port: u16,
    stream: TcpStream,
    origin: std::time::Instant,
    /// With `-d`: the client id to print and a decoder to see what arrives.
    debug: Option<(String, Decoder, debug::MessageIds)>,
    closed: bool,
    /// SIGINT and SIGTERM, when this connection should stop on them.
    signals: Option<(Signal, Signal)>,
    rbuf: Vec<u8>,
    /// Lines of standard input, when publishing them one by one.
    lines: Option<tokio::sync::mpsc::Receiver<Vec<u8>>>,
}

impl Conn {
    /// Opens TCP to `host:port` and sends CONNECT; stops on SIGINT/SIGTERM.
    pub async fn open(
        host: &str,
        port: u16,
        options: ConnectOptions,
        debug: bool,
    ) -> anyhow::Result<Conn> {
        let mut conn = Conn::open_quiet(host, port, options).await?;
        if debug {
            conn.debug = Some((
                conn.client.options().client_id.clone(),
                Decoder::new(conn.client.options().max_packet_size),
                debug::MessageIds::default(),
            ));
        }
        conn.signals = Some((
            signal(SignalKind::interrupt())?,
            signal(SignalKind::terminate())?,
        ));
        Ok(conn)
    }

    /// Opens TCP to `host:port` and sends CONNECT, with no debug output and no
    /// signal handling (the load generator opens thousands of these).
    pub async fn open_quiet(
        host: &str,
        port: u16,
        options: ConnectOptions,
    ) -> anyhow::Result<Conn> {
        let origin = std::time::Instant::now();
        let stream = TcpStream::connect((host, port)).await.map_err(|e| {
            if e.kind() == std::io::ErrorKind::ConnectionRefused {
                anyhow::anyhow!("Connection refused")
            } else {
                anyhow::anyhow!("{e}")
            }
        })?;
        let _ = stream.set_nodelay(true);
        let mut client = Client::new();
        client
            .connect(Instant::ZERO, options)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(Conn {
            client,
            host: host.to_string(),
            port,
            stream,
            origin,
            debug: None,
            closed: false,
            signals: None,
            rbuf: vec![0u8; 64 * 1024],
            lines: None,
        })
    }

    /// Reads standard input line by line on a thread; [`Conn::next`] then also
    /// returns [`Wait::Line`]s.
    pub fn read_stdin_lines(&mut self) {
        let (tx, rx) = tokio::sync::mpsc::channel(64);
        std::thread::spawn(move || {
            use std::io::BufRead;
            let stdin = std::io::stdin();
            let mut lock = stdin.lock();
            loop {
                let mut line = Vec::new();
                match lock.read_until(b'\n', &mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        if line.last() == Some(&b'\n') {
                            line.pop();
                        }
                        if tx.blocking_send(line).is_err() {
                            break;
                        }
                    }
                }
            }
        });
        self.lines = Some(rx);
    }

    /// Opens a new TCP connection to the same broker and sends CONNECT with the
    /// same options, keeping the client's session (for `-c`, MQTT-4.4.0-1 resends).
    pub async fn reconnect(&mut self) -> anyhow::Result<()> {
        let stream = TcpStream::connect((self.host.as_str(), self.port)).await?;
        let _ = stream.set_nodelay(true);
        self.stream = stream;
        self.closed = false;
        if let Some((_, dec, _)) = &mut self.debug {
            *dec = Decoder::new(self.client.options().max_packet_size);
        }
        let options = self.client.options().clone();
        let now = self.now();
        self.client
            .connect(now, options)
            .map_err(|e| anyhow::anyhow!("{e}"))
    }

    /// Waits `d` without a connection (between reconnect attempts); `Some` if the
    /// deadline `until` or a signal came first.
    pub async fn idle(&mut self, d: Duration, until: Option<tokio::time::Instant>) -> Option<Wait> {
        tokio::select! {
            _ = tokio::time::sleep(d) => None,
            _ = sleep_until(until), if until.is_some() => Some(Wait::Deadline),
            _ = interrupted(&mut self.signals) => Some(Wait::Interrupted),
        }
    }

    /// Wall-clock time since the connection opened, as the core counts it.
    pub fn now(&self) -> Instant {
        Instant::from_micros(u64::try_from(self.origin.elapsed().as_micros()).unwrap_or(u64::MAX))
    }

    fn to_tokio(&self, t: Instant) -> tokio::time::Instant {
        tokio::time::Instant::from_std(self.origin + Duration::from_micros(t.as_micros()))
    }

    /// A deadline `d` from now.
    pub fn deadline_in(&self, d: Duration) -> tokio::time::Instant {
        tokio::time::Instant::now() + d
    }

    /// Writes every packet the client has queued.
    pub async fn flush(&mut self) -> anyhow::Result<()> {
        // One write for everything queued: fewer syscalls, fewer TCP segments.
        let mut wbuf = Vec::new();
        while let Some(t) = self.client.poll_transmit() {
            if let Some((id, _, ids)) = &mut self.debug {
                for line in debug::sent_lines_numbered(id, &t.packet, ids) {
                    println!("{line}");
                }
            }
            wbuf.extend_from_slice(&t.bytes);
        }
        if self.debug.is_some() {
            let _ = std::io::stdout().flush();
        }
        if !self.closed && !wbuf.is_empty() {
            if let Err(e) = self.stream.write_all(&wbuf).await {
                self.closed = true;
                let now = self.now();
                self.client.handle_closed(now);
                return Err(anyhow::anyhow!("{e}"));
            }
        }
        Ok(())
    }

    /// Drives the connection until an event, the deadline `until`, or a signal.
    pub async fn next(&mut self, until: Option<tokio::time::Instant>) -> anyhow::Result<Wait> {
        loop {
            // A write error closes the client, which then reports Disconnected.
            let _ = self.flush().await;
            if let Some(ev) = self.client.poll_event() {
                return Ok(Wait::Event(ev));
            }
            if self.closed {
                anyhow::bail!("connection closed");
            }
            let timer = self.client.poll_timeout().map(|t| self.to_tokio(t));
            tokio::select! {
                r = self.stream.read(&mut self.rbuf) => {
                    let now = self.now();
                    match r {
                        Ok(0) | Err(_) => {
                            self.closed = true;
                            self.client.handle_closed(now);
                        }
                        Ok(n) => {
                            if let Some((id, dec, _)) = &mut self.debug {
                                dec.push(&self.rbuf[..n]);
                                while let Ok(Some(p)) = dec.next_packet() {
                                    println!("{}", debug::received_line(id, &p));
                                }
                            }
                            self.client.handle_bytes(now, &self.rbuf[..n]);
                        }
                    }
                }
                _ = sleep_until(timer), if timer.is_some() => {
                    let now = self.now();
                    self.client.handle_timeout(now);
                }
                _ = sleep_until(until), if until.is_some() => return Ok(Wait::Deadline),
                _ = interrupted(&mut self.signals) => return Ok(Wait::Interrupted),
                line = next_line(&mut self.lines), if self.lines.is_some() => {
                    if line.is_none() {
                        self.lines = None;
                    }
                    return Ok(Wait::Line(line));
                }
            }
        }
    }

    /// Sends DISCONNECT (if connected), flushes and closes the socket.
    pub async fn disconnect(&mut self) {
        let now = self.now();
        let _ = self.client.disconnect(now);
        let _ = self.flush().await;
        let _ = self.stream.shutdown().await;
        while self.client.poll_event().is_some() {}
    }
}

async fn interrupted(signals: &mut Option<(Signal, Signal)>) {
    match signals {
        Some((int, term)) => {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
        }
        None => std::future::pending().await,
    }
}

async fn next_line(lines: &mut Option<tokio::sync::mpsc::Receiver<Vec<u8>>>) -> Option<Vec<u8>> {
    match lines {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

async fn sleep_until(t: Option<tokio::time::Instant>) {
    match t {
        Some(t) => tokio::time::sleep_until(t).await,
        None => std::future::pending().await,
    }
}
