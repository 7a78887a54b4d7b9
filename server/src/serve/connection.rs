//! One bridged connection after the upgrade: wait for the CONNECT, open the
//! upstream, pipe bytes both ways, and close with a code and reason that say why.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use bytes::BytesMut;
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::OwnedSemaphorePermit;

use super::first_packet::{check_first_packet, FirstPacket};
use super::limits::Limits;
use super::log;
use super::record::Recorder;
use super::upstream::Upstream;

/// How long to wait for an upstream's TCP handshake.
const UPSTREAM_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long to wait for a page to take a close frame before giving up on it.
const CLOSE_SEND_TIMEOUT: Duration = Duration::from_secs(2);
/// How long what an upstream sent before it closed may take to reach the page,
/// once writing to it failed.
const UPSTREAM_DRAIN_TIMEOUT: Duration = Duration::from_secs(2);
/// A close frame's reason is at most 123 bytes (RFC 6455 §5.5: 125 less the code).
const MAX_CLOSE_REASON: usize = 123;

/// Close codes (RFC 6455 §7.4.1) the bridge sends.
pub(super) mod code {
    pub const NORMAL: u16 = 1000;
    pub const GOING_AWAY: u16 = 1001;
    pub const PROTOCOL_ERROR: u16 = 1002;
    pub const UNSUPPORTED_DATA: u16 = 1003;
    pub const POLICY: u16 = 1008;
    pub const TOO_BIG: u16 = 1009;
    /// 1014 (bad gateway) would fit better, but tungstenite-based clients treat it
    /// as a protocol error.
    pub const UPSTREAM: u16 = 1011;
    pub const TRY_AGAIN_LATER: u16 = 1013;
}

/// One bridged connection, from upgrade to close.
pub(super) struct Connection {
    pub(super) id: u64,
    pub(super) peer: SocketAddr,
    pub(super) upstream: Upstream,
    pub(super) limits: Limits,
    pub(super) _slot: OwnedSemaphorePermit,
    /// `--record DIR`: where this connection's capture goes.
    pub(super) record: Option<std::sync::Arc<std::path::PathBuf>>,
}

/// Why a bridged connection ended, and what the page is told.
#[derive(Debug)]
enum End {
    /// The page sent a close frame.
    PageClosed(Option<CloseFrame>),
    /// The page's TCP connection ended without a close frame.
    PageGone,
    /// A WebSocket protocol error from the page.
    PageError(String),
    /// A frame or message larger than `--max-frame`.
    TooBig { size: usize },
    /// A text frame: MQTT travels in binary frames only.
    Text,
    /// The first packet is not a CONNECT.
    NotMqtt(String),
    /// No CONNECT within the connect timeout.
    NoConnect,
    /// No bytes either way for the idle timeout.
    Idle,
    /// The upstream could not be reached.
    Unreachable(String),
    /// The upstream closed its TCP connection.
    UpstreamClosed,
    /// The upstream connection failed after it was open.
    UpstreamError(String),
}

/// Bytes and time of one connection, shared by its two directions.
struct Traffic {
    started: Instant,
    to_upstream: AtomicU64,
    to_page: AtomicU64,
    /// Milliseconds after `started` of the last byte either way.
    last_active_ms: AtomicU64,
    /// The bytes themselves, with `--record`.
    recorder: Option<Recorder>,
}

impl Traffic {
    fn new(record: bool) -> Traffic {
        Traffic {
            started: Instant::now(),
            to_upstream: AtomicU64::new(0),
            to_page: AtomicU64::new(0),
            last_active_ms: AtomicU64::new(0),
            recorder: record.then(Recorder::new),
        }
    }

    /// Bytes that went to the upstream (`to_broker`) or the page.
    fn carried(&self, to_broker: bool, bytes: &[u8]) {
        let counter = if to_broker {
            &self.to_upstream
        } else {
            &self.to_page
        };
        self.record(counter, bytes.len());
        if let Some(r) = &self.recorder {
            r.bytes(to_broker, bytes);
        }
    }

    fn record(&self, counter: &AtomicU64, n: usize) {
        counter.fetch_add(n as u64, Ordering::Relaxed);
        let ms = self.started.elapsed().as_millis() as u64;
        self.last_active_ms.store(ms, Ordering::Relaxed);
    }

    /// Resolves when nothing has moved for `idle`.
    async fn idle(&self, idle: Duration) {
        loop {
            let last = Duration::from_millis(self.last_active_ms.load(Ordering::Relaxed));
            let deadline = self.started + last + idle;
            if Instant::now() >= deadline {
                return;
            }
            tokio::time::sleep_until(deadline.into()).await;
        }
    }
}

impl Connection {
    pub(super) async fn run(self, mut socket: WebSocket) {
        let traffic = Traffic::new(self.record.is_some());
        log(format_args!(
            "bridge #{} open: peer {} -> upstream {}",
            self.id, self.peer, self.upstream
        ));
        let end = self.bridge(&mut socket, &traffic).await;
        let reason = self.close_page(&mut socket, &end).await;
        if let (Some(dir), Some(r)) = (&self.record, &traffic.recorder) {
            let page_closed = matches!(end, End::PageClosed(_) | End::PageGone | End::PageError(_));
            match r.write(dir, self.id, page_closed) {
                Ok(path) => log(format_args!(
                    "bridge #{} recorded: {}",
                    self.id,
                    path.display()
                )),
                Err(e) => log(format_args!(
                    "bridge #{} not recorded in {}: {e}",
                    self.id,
                    dir.display()
                )),
            }
        }
        log(format_args!(
            "bridge #{} closed: peer {} upstream {}: {} bytes page->broker, {} bytes broker->page, {:.1} s, {}",
            self.id,
            self.peer,
            self.upstream,
            traffic.to_upstream.load(Ordering::Relaxed),
            traffic.to_page.load(Ordering::Relaxed),
            traffic.started.elapsed().as_secs_f64(),
            reason
        ));
    }

    async fn bridge(&self, socket: &mut WebSocket, traffic: &Traffic) -> End {
        let first =
            match tokio::time::timeout(self.limits.connect_timeout(), self.read_connect(socket))
                .await
            {
                Ok(Ok(first)) => first,
                Ok(Err(end)) => return end,
                Err(_) => return End::NoConnect,
            };
        let mut upstream = match self.connect_upstream().await {
            Ok(stream) => stream,
            Err(why) => return End::Unreachable(why),
        };
        if let Err(e) = upstream.write_all(&first).await {
            return End::UpstreamError(format!("writing the CONNECT: {e}"));
        }
        traffic.carried(true, &first);
        self.pipe(socket, upstream, traffic).await
    }

    /// Phase 2: the bytes up to and including the first packet, once it is
    /// known to be a CONNECT.
    async fn read_connect(&self, socket: &mut WebSocket) -> Result<BytesMut, End> {
        let mut first = BytesMut::new();
        loop {
            match next_data(socket).await? {
                Data::Binary(bytes) => first.extend_from_slice(&bytes),
                Data::Other => continue,
            }
            match check_first_packet(&first, self.limits.max_frame) {
                FirstPacket::NeedMore => continue,
                FirstPacket::NotMqtt(why) => return Err(End::NotMqtt(why)),
                FirstPacket::Connect { client_id } => {
                    if let Some(id) = client_id {
                        log(format_args!(
                            "bridge #{} CONNECT from client id '{}'",
                            self.id,
                            id.escape_debug()
                        ));
                    }
                    return Ok(first);
                }
            }
        }
    }

    async fn connect_upstream(&self) -> Result<TcpStream, String> {
        let u = &self.upstream;
        let stream =
            match tokio::time::timeout(UPSTREAM_CONNECT_TIMEOUT, TcpStream::connect(&u.address))
                .await
            {
                Err(_) => {
                    return Err(format!(
                        "upstream {u} did not answer within {} s",
                        UPSTREAM_CONNECT_TIMEOUT.as_secs()
                    ))
                }
                Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                    return Err(format!("upstream {u} refused the connection"))
                }
                Ok(Err(e)) => return Err(format!("upstream {u} is unreachable: {e}")),
                Ok(Ok(stream)) => stream,
            };
        // MQTT packets are small and latency is what students watch.
        let _ = stream.set_nodelay(true);
        Ok(stream)
    }

    /// Phase 3: bytes both ways until either side ends or the link goes idle.
    /// Both directions are polled by this one task, so neither can starve the
    /// other, and both stop together.
    async fn pipe(&self, socket: &mut WebSocket, upstream: TcpStream, traffic: &Traffic) -> End {
        let (mut up_read, mut up_write) = upstream.into_split();
        let (mut page_tx, mut page_rx) = (&mut *socket).split();
        let page_to_upstream = async {
            loop {
                match next_data(&mut page_rx).await {
                    Ok(Data::Binary(bytes)) => {
                        up_write.write_all(&bytes).await?;
                        traffic.carried(true, &bytes);
                    }
                    Ok(Data::Other) => traffic.record(&traffic.to_upstream, 0),
                    Err(end) => return Ok::<End, std::io::Error>(end),
                }
            }
        };
        let upstream_to_page = async {
            let mut buf = BytesMut::with_capacity(16 * 1024);
            loop {
                buf.reserve(16 * 1024);
                match up_read.read_buf(&mut buf).await {
                    Ok(0) => return End::UpstreamClosed,
                    Ok(n) => {
                        let bytes = buf.split().freeze();
                        debug_assert_eq!(bytes.len(), n);
                        let sent = bytes.clone();
                        if let Err(e) = page_tx.send(Message::Binary(bytes)).await {
                            return End::PageError(e.to_string());
                        }
                        traffic.carried(false, &sent);
                    }
                    Err(e) => return End::UpstreamError(format!("reading: {e}")),
                }
            }
        };
        let mut upstream_to_page = std::pin::pin!(upstream_to_page);
        tokio::select! {
            end = page_to_upstream => match end {
                Ok(end) => end,
                // The broker closed its side while the page was still
                // writing (a flood cut off by its rate limit): what it sent
                // before closing, its DISCONNECT with the reason code, still
                // goes to the page, then the page hears that it closed.
                Err(e) => match tokio::time::timeout(UPSTREAM_DRAIN_TIMEOUT, &mut upstream_to_page).await {
                    Ok(end) => end,
                    Err(_) => End::UpstreamError(format!("writing: {e}")),
                },
            },
            end = &mut upstream_to_page => end,
            () = traffic.idle(self.limits.idle_timeout) => End::Idle,
        }
    }

    /// Tells the page why (unless it left first); returns the reason for the log.
    async fn close_page(&self, socket: &mut WebSocket, end: &End) -> String {
        let u = &self.upstream;
        let (code, reason) = match end {
            End::PageClosed(frame) => {
                // tungstenite answers the page's close frame itself; flush it.
                let _ = tokio::time::timeout(CLOSE_SEND_TIMEOUT, socket.flush()).await;
                return match frame {
                    Some(f) if f.reason.is_empty() => format!("page closed (code {})", f.code),
                    Some(f) => format!("page closed (code {}: {})", f.code, f.reason),
                    None => "page closed".to_owned(),
                };
            }
            End::PageGone => return "page went away without a close frame".to_owned(),
            End::PageError(e) => (code::PROTOCOL_ERROR, format!("WebSocket error: {e}")),
            End::TooBig { size } => (
                code::TOO_BIG,
                format!(
                    "frame too large: {size} bytes, the limit (--max-frame) is {} bytes",
                    self.limits.max_frame
                ),
            ),
            End::Text => (
                code::UNSUPPORTED_DATA,
                "not MQTT: a text frame; MQTT over WebSocket uses binary frames (MQTT-6.0.0-1)"
                    .to_owned(),
            ),
            End::NotMqtt(why) => (code::PROTOCOL_ERROR, format!("not MQTT: {why}")),
            End::NoConnect => (
                code::POLICY,
                format!(
                    "no MQTT CONNECT within {} s of opening the WebSocket",
                    self.limits.connect_timeout().as_secs()
                ),
            ),
            End::Idle => (
                code::GOING_AWAY,
                format!(
                    "idle: no traffic either way for {} s (--idle-timeout)",
                    self.limits.idle_timeout.as_secs()
                ),
            ),
            End::Unreachable(why) => (code::UPSTREAM, why.clone()),
            End::UpstreamClosed => (code::NORMAL, format!("upstream {u} closed the connection")),
            End::UpstreamError(e) => (
                code::UPSTREAM,
                format!("upstream {u} connection failed, {e}"),
            ),
        };
        send_close(socket, code, &reason).await;
        drain(socket).await;
        format!("closed by bridge ({code}: {reason})")
    }
}

/// What a page's next WebSocket message means to the bridge.
enum Data {
    Binary(bytes::Bytes),
    /// Ping or pong: nothing to forward (tungstenite answers pings), but it keeps
    /// the connection from counting as idle.
    Other,
}

/// The page's next message, or how the connection ended.
async fn next_data<S>(page: &mut S) -> Result<Data, End>
where
    S: futures_util::Stream<Item = Result<Message, axum::Error>> + Unpin,
{
    match page.next().await {
        None => Err(End::PageGone),
        Some(Ok(Message::Binary(bytes))) => Ok(Data::Binary(bytes)),
        Some(Ok(Message::Text(_))) => Err(End::Text),
        Some(Ok(Message::Ping(_) | Message::Pong(_))) => Ok(Data::Other),
        Some(Ok(Message::Close(frame))) => Err(End::PageClosed(frame)),
        Some(Err(e)) => Err(classify(e)),
    }
}

fn classify(e: axum::Error) -> End {
    let inner = e.into_inner();
    match inner.downcast_ref::<tungstenite::Error>() {
        Some(tungstenite::Error::Capacity(tungstenite::error::CapacityError::MessageTooLong {
            size,
            ..
        })) => End::TooBig { size: *size },
        Some(tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed) => {
            End::PageGone
        }
        Some(tungstenite::Error::Protocol(
            tungstenite::error::ProtocolError::ResetWithoutClosingHandshake,
        )) => End::PageGone,
        Some(tungstenite::Error::Io(e))
            if matches!(
                e.kind(),
                std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::UnexpectedEof
                    | std::io::ErrorKind::BrokenPipe
            ) =>
        {
            End::PageGone
        }
        _ => End::PageError(inner.to_string()),
    }
}

/// Sends a close frame, its reason cut to what a close frame can carry.
pub(super) async fn send_close(socket: &mut WebSocket, code: u16, reason: &str) {
    let frame = CloseFrame {
        code,
        reason: truncate(reason, MAX_CLOSE_REASON).into(),
    };
    let _ =
        tokio::time::timeout(CLOSE_SEND_TIMEOUT, socket.send(Message::Close(Some(frame)))).await;
}

/// Reads (and drops) what the page still sends after our close frame, until its
/// own close frame, so that unread bytes do not turn our TCP close into a reset
/// that could overtake the close frame.
pub(super) async fn drain(socket: &mut WebSocket) {
    let _ = tokio::time::timeout(CLOSE_SEND_TIMEOUT, async {
        while let Some(Ok(message)) = socket.next().await {
            if matches!(message, Message::Close(_)) {
                break;
            }
        }
    })
    .await;
}

/// `s` cut at a character boundary to at most `max` bytes, with `…` when cut.
fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_reasons_fit_a_close_frame() {
        assert_eq!(truncate("short", MAX_CLOSE_REASON), "short");
        let long = "é".repeat(100);
        let cut = truncate(&long, MAX_CLOSE_REASON);
        assert!(cut.len() <= MAX_CLOSE_REASON && cut.len() >= MAX_CLOSE_REASON - 1);
    }
}
