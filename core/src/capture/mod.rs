//! The student's own captures: a `.pcap` or `.pcapng` written by Wireshark,
//! tshark, tcpdump or dumpcap, read into what the lab shows of a world: each
//! TCP connection with its client and server, and in frame order every MQTT
//! packet (decoded at the connection's level), every malformed one, and what
//! TCP, WebSocket and TLS did around them, with the capture's own timestamps
//! and frame numbers.
//!
//! Sans-IO: bytes in, a [`Capture`] out. The layers are one file each:
//! [`file`] (pcap and pcapng), [`link`] (Ethernet, Linux cooked SLL/SLL2,
//! loopback, raw IP; then IP and TCP headers), [`tcp`] (connections and
//! reassembly: retransmissions and out-of-order segments are notes, not MQTT),
//! [`mqtt`] (MQTT on any port, recognised by its CONNECT), [`websocket`] (the
//! HTTP upgrade, then frames) and [`tls`] (records, "encrypted, not
//! readable"). [`state`] rebuilds what each broker held from what was seen.
//!
//! ```
//! use mqttlab_core::capture::{read, What};
//!
//! // Not a capture: a typed error naming the byte offset.
//! let e = read(b"hello, world").unwrap_err();
//! assert_eq!(e.offset, 0);
//! assert!(e.to_string().starts_with("not a pcap or pcapng file"));
//! ```
//!
//! A checker consumes [`Capture::events`]: per connection ([`Event::stream`])
//! and direction ([`Event::direction`]), in frame order, each MQTT packet
//! ([`What::Mqtt`]) with its frame number and time.

pub mod file;
pub mod lifelines;
pub mod link;
pub mod mqtt;
pub mod state;
pub mod tcp;
pub mod tls;
pub mod websocket;

use core::fmt;
use core::net::SocketAddr;

use crate::codec::{connect_protocol, AnyPacket, Packet, Protocol};

pub use file::{FileError, FileErrorKind, Format, Frame, Frames};
pub use link::Skip;
pub use mqtt::{Malformed, MqttPacket};
pub use tcp::{Direction, TcpNote};
pub use tls::{TlsContent, TlsRecord};
pub use websocket::WsNote;

use mqtt::{Found, MqttReader};
use tcp::{Connections, Tcp};
use tls::TlsReader;
use websocket::{Ws, WsReader};

/// What a connection carries, as recognised from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Carries {
    /// No data yet.
    Unknown,
    /// MQTT: it starts with a CONNECT, or (caught mid-connection) uses port 1883.
    Mqtt,
    /// MQTT inside WebSocket frames after an HTTP upgrade.
    MqttOverWebSocket,
    /// TLS: encrypted, not readable.
    Tls,
    /// Something else (shown once per direction, not read).
    Other,
}

/// One TCP connection of the capture (Wireshark's `tcp.stream`, in order of
/// first appearance).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stream {
    /// The side that opened the connection (or sent the CONNECT).
    pub client: SocketAddr,
    /// The side that accepted it: the broker, for MQTT.
    pub server: SocketAddr,
    /// What it carries.
    pub carries: Carries,
    /// The MQTT level its CONNECT named.
    pub protocol: Option<Protocol>,
    /// The client identifier its CONNECT named (or a 5.0 CONNACK assigned).
    pub client_id: Option<String>,
}

/// What one event is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum What {
    /// An MQTT packet.
    Mqtt(Box<MqttPacket>),
    /// Bytes on an MQTT connection that are not a valid packet.
    Malformed(Box<Malformed>),
    /// TCP itself: open, close, reset, retransmission, reordering.
    Tcp(TcpNote),
    /// The WebSocket layer: upgrade, close, ping.
    WebSocket(WsNote),
    /// A TLS record.
    Tls(TlsRecord),
    /// The first data of a direction that is not MQTT, WebSocket or TLS.
    NotMqtt {
        /// Bytes in that first segment.
        len: usize,
    },
}

/// What a diagram shows as a note: everything but MQTT packets.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Note {
    /// TCP.
    Tcp(TcpNote),
    /// WebSocket.
    WebSocket(WsNote),
    /// TLS.
    Tls(TlsRecord),
    /// Data that is not MQTT.
    NotMqtt {
        /// Bytes.
        len: usize,
    },
}

impl What {
    /// The note this event is, if it is not an MQTT packet (valid or not).
    pub fn note(&self) -> Option<Note> {
        match self {
            What::Mqtt(_) | What::Malformed(_) => None,
            What::Tcp(n) => Some(Note::Tcp(n.clone())),
            What::WebSocket(n) => Some(Note::WebSocket(n.clone())),
            What::Tls(r) => Some(Note::Tls(r.clone())),
            What::NotMqtt { len } => Some(Note::NotMqtt { len: *len }),
        }
    }
}

/// One thing seen, at one frame, on one connection, one way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// The frame (1-based, as Wireshark numbers it) that completed it.
    pub frame: u32,
    /// That frame's time, nanoseconds since the Unix epoch.
    pub time_ns: u64,
    /// Index into [`Capture::streams`].
    pub stream: usize,
    /// Which way.
    pub direction: Direction,
    /// What.
    pub what: What,
}

/// A whole capture, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Capture {
    /// pcap or pcapng.
    pub format: Format,
    /// How many frames the file held (up to an error).
    pub frames: u32,
    /// Time of the first frame, nanoseconds since the Unix epoch (0 if none).
    pub first_ns: u64,
    /// Every TCP connection.
    pub streams: Vec<Stream>,
    /// Everything seen, in frame order.
    pub events: Vec<Event>,
    /// Frames without a TCP segment, counted by why.
    pub skipped: Vec<(Skip, u32)>,
    /// Where the file stopped being readable, if it did before its end: the
    /// frames before it are all here.
    pub error: Option<FileError>,
}

#[derive(Debug)]
enum App {
    Undecided([Vec<u8>; 2]),
    Mqtt([MqttReader; 2]),
    WebSocket([WsReader; 2], [MqttReader; 2]),
    Tls([TlsReader; 2]),
    Other([bool; 2]),
}

fn side(d: Direction) -> usize {
    match d {
        Direction::ToServer => 0,
        Direction::ToClient => 1,
    }
}

/// Reads frames one at a time (for a front end that reads a file in pieces, or
/// records live); [`read`] drives it over a whole file.
#[derive(Debug, Default)]
pub struct Reader {
    tcp: Connections,
    apps: Vec<App>,
    streams: Vec<Stream>,
    events: Vec<Event>,
    skipped: Vec<(Skip, u32)>,
    frames: u32,
    first_ns: Option<u64>,
    scratch: Vec<Tcp>,
}

impl Reader {
    /// Reads one frame.
    pub fn handle_frame(&mut self, frame: &Frame<'_>) {
        self.frames = self.frames.max(frame.number);
        self.first_ns.get_or_insert(frame.time_ns);
        let segment = match link::segment(frame.link_type, &frame.data) {
            Ok(s) => s,
            Err(skip) => {
                match self.skipped.iter_mut().find(|(s, _)| *s == skip) {
                    Some((_, n)) => *n += 1,
                    None => self.skipped.push((skip, 1)),
                }
                return;
            }
        };
        let mut out = core::mem::take(&mut self.scratch);
        out.clear();
        let (stream, direction) = self.tcp.segment(&segment, &mut out);
        if stream == self.streams.len() {
            let c = &self.tcp.all[stream];
            self.streams.push(Stream {
                client: c.client,
                server: c.server,
                carries: Carries::Unknown,
                protocol: None,
                client_id: None,
            });
            self.apps.push(App::Undecided(Default::default()));
        }
        let at = At {
            frame: frame.number,
            time_ns: frame.time_ns,
            stream,
        };
        let client = self.streams[stream].client;
        for t in out.drain(..) {
            // Recognising the content may have swapped client and server.
            let dir = if self.streams[stream].client == client {
                direction
            } else {
                direction.reverse()
            };
            match t {
                Tcp::Note(n) => self.push(&at, dir, What::Tcp(n)),
                Tcp::Data(d) => self.data(&at, dir, &d),
            }
        }
        self.scratch = out;
    }

    fn push(&mut self, at: &At, direction: Direction, what: What) {
        self.events.push(Event {
            frame: at.frame,
            time_ns: at.time_ns,
            stream: at.stream,
            direction,
            what,
        });
    }

    fn data(&mut self, at: &At, dir: Direction, data: &[u8]) {
        let s = at.stream;
        if let App::Undecided(bufs) = &mut self.apps[s] {
            bufs[side(dir)].extend_from_slice(data);
            let Some((carries, from)) = classify(bufs, &self.streams[s]) else {
                return;
            };
            let mut bufs = core::mem::take(bufs);
            if from == Direction::ToClient && !self.tcp.all[s].roles_known {
                self.tcp.all[s].swap();
                let st = &mut self.streams[s];
                core::mem::swap(&mut st.client, &mut st.server);
                bufs.swap(0, 1);
            }
            self.streams[s].carries = carries;
            self.apps[s] = match carries {
                Carries::Mqtt => App::Mqtt(Default::default()),
                Carries::MqttOverWebSocket => {
                    App::WebSocket(Default::default(), Default::default())
                }
                Carries::Tls => App::Tls(Default::default()),
                _ => App::Other([false; 2]),
            };
            for (i, d) in [Direction::ToServer, Direction::ToClient]
                .into_iter()
                .enumerate()
            {
                if !bufs[i].is_empty() {
                    self.read_app(at, d, &bufs[i]);
                }
            }
            return;
        }
        self.read_app(at, dir, data);
    }

    fn read_app(&mut self, at: &At, dir: Direction, data: &[u8]) {
        let s = at.stream;
        let mut found = Vec::new();
        let mut notes = Vec::new();
        let level = &mut self.streams[s].protocol;
        match &mut self.apps[s] {
            App::Undecided(_) => {}
            App::Mqtt(readers) => readers[side(dir)].push(data, level, &mut found),
            App::WebSocket(ws, readers) => {
                let mut frames = Vec::new();
                ws[side(dir)].push(data, &mut frames);
                for f in frames {
                    match f {
                        Ws::Data(d) => readers[side(dir)].push(&d, level, &mut found),
                        Ws::Note(n) => notes.push(What::WebSocket(n)),
                    }
                }
            }
            App::Tls(readers) => {
                let mut records = Vec::new();
                readers[side(dir)].push(data, &mut records);
                notes.extend(records.into_iter().map(What::Tls));
            }
            App::Other(shown) => {
                if !shown[side(dir)] {
                    shown[side(dir)] = true;
                    notes.push(What::NotMqtt { len: data.len() });
                }
            }
        }
        for n in notes {
            self.push(at, dir, n);
        }
        for f in found {
            let what = match f {
                Found::Packet(p) => {
                    self.learn(s, dir, &p.packet);
                    What::Mqtt(p)
                }
                Found::Malformed(m) => What::Malformed(m),
            };
            self.push(at, dir, what);
        }
    }

    /// A CONNECT names the client; a 5.0 CONNACK may assign its name.
    fn learn(&mut self, s: usize, dir: Direction, packet: &AnyPacket) {
        use crate::codec::properties::Property;
        let st = &mut self.streams[s];
        match (dir, packet) {
            (Direction::ToServer, AnyPacket::V3(Packet::Connect(c))) => {
                st.client_id = Some(c.client_id.clone())
            }
            (Direction::ToServer, AnyPacket::V5(crate::codec::v5::Packet::Connect(c))) => {
                st.client_id = Some(c.client_id.clone())
            }
            (Direction::ToClient, AnyPacket::V5(crate::codec::v5::Packet::Connack(c)))
                if st.client_id.as_deref().is_none_or(str::is_empty) =>
            {
                for p in &c.properties {
                    if let Property::AssignedClientIdentifier(id) = p {
                        st.client_id = Some(id.0.clone());
                    }
                }
            }
            _ => {}
        }
    }

    /// The capture read so far.
    pub fn finish(self, format: Format, error: Option<FileError>) -> Capture {
        let mut skipped = self.skipped;
        skipped.sort_by_key(|(s, _)| format!("{s:?}"));
        Capture {
            format,
            frames: self.frames,
            first_ns: self.first_ns.unwrap_or(0),
            streams: self.streams,
            events: self.events,
            skipped,
            error,
        }
    }
}

struct At {
    frame: u32,
    time_ns: u64,
    stream: usize,
}

/// What a connection carries, from the first bytes of either direction, and
/// which direction showed it; `None` while too few bytes have come.
fn classify(bufs: &[Vec<u8>; 2], stream: &Stream) -> Option<(Carries, Direction)> {
    let mut undecided = false;
    for (i, dir) in [Direction::ToServer, Direction::ToClient]
        .into_iter()
        .enumerate()
    {
        let b = &bufs[i];
        if b.is_empty() {
            continue;
        }
        if connect_protocol(b).is_some() {
            return Some((Carries::Mqtt, dir));
        }
        if b[0] == 0x10 && b.len() < 12 {
            undecided = true;
            continue;
        }
        match websocket::is_upgrade_request(b) {
            Some(true) => return Some((Carries::MqttOverWebSocket, dir)),
            None => {
                undecided = true;
                continue;
            }
            Some(false) => {}
        }
        if tls::is_tls(b) {
            return Some((Carries::Tls, dir));
        }
    }
    if undecided {
        return None;
    }
    // Caught mid-connection: MQTT's own port says it, without a CONNECT.
    if stream.server.port() == 1883 || stream.client.port() == 1883 {
        let dir = if stream.client.port() == 1883 {
            Direction::ToClient
        } else {
            Direction::ToServer
        };
        return Some((Carries::Mqtt, dir));
    }
    Some((Carries::Other, Direction::ToServer))
}

/// Reads a whole capture file. An unreadable file header is an error; damage
/// further on ends the reading there, keeps every frame before it and is
/// reported in [`Capture::error`].
pub fn read(file: &[u8]) -> Result<Capture, FileError> {
    let frames = Frames::new(file)?;
    let format = frames.format();
    let mut reader = Reader::default();
    let mut error = None;
    for f in frames {
        match f {
            Ok(frame) => reader.handle_frame(&frame),
            Err(e) => error = Some(e),
        }
    }
    Ok(reader.finish(format, error))
}

impl Capture {
    /// Seconds since the first frame, as Wireshark's default time column.
    pub fn relative_ns(&self, e: &Event) -> u64 {
        e.time_ns.saturating_sub(self.first_ns)
    }

    /// Sender and receiver of an event.
    pub fn endpoints(&self, e: &Event) -> (SocketAddr, SocketAddr) {
        let s = &self.streams[e.stream];
        match e.direction {
            Direction::ToServer => (s.client, s.server),
            Direction::ToClient => (s.server, s.client),
        }
    }

    /// One line per event, as `tshark` prints a packet list: frame, seconds
    /// since the first frame, sender → receiver, what.
    pub fn line(&self, e: &Event) -> String {
        let (src, dst) = self.endpoints(e);
        let t = self.relative_ns(e);
        format!(
            "{:>6} {:>4}.{:06} {src} → {dst} {}",
            e.frame,
            t / 1_000_000_000,
            (t % 1_000_000_000) / 1_000,
            e.what
        )
    }
}

impl fmt::Display for What {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            What::Mqtt(p) => p.packet.fmt(f),
            What::Malformed(m) => write!(f, "[Malformed MQTT packet: {}]", m.error),
            What::Tcp(n) => write!(f, "[{n}]"),
            What::WebSocket(n) => write!(f, "[{n}]"),
            What::Tls(r) => write!(f, "[{r}]"),
            What::NotMqtt { len } => write!(f, "[TCP data, not MQTT: {len} bytes]"),
        }
    }
}

impl fmt::Display for TcpNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TcpNote::Open => f.write_str("TCP SYN"),
            TcpNote::Close => f.write_str("TCP FIN"),
            TcpNote::Reset => f.write_str("TCP RST"),
            TcpNote::Retransmission { len } => write!(f, "TCP Retransmission, {len} bytes"),
            TcpNote::PreviousSegmentNotCaptured { len } => {
                write!(f, "TCP previous segment not captured, {len} bytes held")
            }
            TcpNote::OutOfOrder { len } => write!(f, "TCP Out-Of-Order, {len} bytes"),
        }
    }
}

impl fmt::Display for WsNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WsNote::Handshake { line } => write!(f, "WebSocket upgrade: {line}"),
            WsNote::Close { code: Some(c) } => write!(f, "WebSocket Close {c}"),
            WsNote::Close { code: None } => f.write_str("WebSocket Close"),
            WsNote::Ping => f.write_str("WebSocket Ping"),
            WsNote::Pong => f.write_str("WebSocket Pong"),
            WsNote::Text { len } => {
                write!(f, "WebSocket text frame, {len} bytes: MQTT must be binary")
            }
        }
    }
}

impl fmt::Display for TlsRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.content {
            TlsContent::Handshake(t) => write!(f, "TLS {}", TlsContent::handshake_name(t)),
            TlsContent::ChangeCipherSpec => f.write_str("TLS Change Cipher Spec"),
            TlsContent::Alert => f.write_str("TLS Alert"),
            TlsContent::ApplicationData | TlsContent::Encrypted(_) => {
                write!(f, "TLS, encrypted, not readable: {} bytes", self.len)
            }
        }
    }
}

#[cfg(test)]
mod tests;
