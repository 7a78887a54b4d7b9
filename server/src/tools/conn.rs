//! One TCP connection driven by the core client, for the load generator
//! (`mqttlab bench`): the run loop of the sans-IO contract (feed input, drain
//! transmits and events, sleep until the next deadline).

use std::time::Duration;

use mqttlab_core::client::{Client, ClientEvent, ConnectOptions};
use mqttlab_core::time::Instant;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// What [`Conn::next`] returned.
pub enum Wait {
    /// The client reported an event.
    Event(ClientEvent),
    /// The caller's deadline passed.
    Deadline,
}

pub struct Conn {
    pub client: Client,
    stream: TcpStream,
    origin: std::time::Instant,
    closed: bool,
    rbuf: Vec<u8>,
}

impl Conn {
    /// Opens TCP to `host:port` and sends CONNECT (the load generator opens
    /// thousands of these).
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
            stream,
            origin,
            closed: false,
            rbuf: vec![0u8; 64 * 1024],
        })
    }

    /// Wall-clock time since the connection opened, as the core counts it.
    pub fn now(&self) -> Instant {
        Instant::from_micros(u64::try_from(self.origin.elapsed().as_micros()).unwrap_or(u64::MAX))
    }

    fn to_tokio(&self, t: Instant) -> tokio::time::Instant {
        tokio::time::Instant::from_std(self.origin + Duration::from_micros(t.as_micros()))
    }

    /// Writes every packet the client has queued.
    pub async fn flush(&mut self) -> anyhow::Result<()> {
        // One write for everything queued: fewer syscalls, fewer TCP segments.
        let mut wbuf = Vec::new();
        while let Some(t) = self.client.poll_transmit() {
            wbuf.extend_from_slice(&t.bytes);
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

    /// Drives the connection until an event or the deadline `until`.
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
                        Ok(n) => self.client.handle_bytes(now, &self.rbuf[..n]),
                    }
                }
                _ = sleep_until(timer), if timer.is_some() => {
                    let now = self.now();
                    self.client.handle_timeout(now);
                }
                _ = sleep_until(until), if until.is_some() => return Ok(Wait::Deadline),
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

async fn sleep_until(t: Option<tokio::time::Instant>) {
    match t {
        Some(t) => tokio::time::sleep_until(t).await,
        None => std::future::pending().await,
    }
}
