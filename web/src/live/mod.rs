//! A live MQTT connection from the page to a real broker: the core's sans-IO
//! [`Client`] driven by a browser `WebSocket` (subprotocol `mqtt`, binary frames).
//!
//! The browser's clock enters only here ([`Driver::now`]: `performance.now()`
//! since the driver was made, as an [`Instant`]). Every packet sent (the bytes of a
//! [`mqttlab_core::client::Transmit`]) and every packet received (the incoming
//! bytes cut into frames by a [`Decoder`] of its own, while the client consumes
//! the same bytes) becomes a diagram row with its bytes, for the inspector. What
//! went wrong is kept as a [`Failure`] for the page to explain in words.
//!
//! Nothing is opened before [`Driver::open`], which the page calls only when the
//! student presses Connect.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use gloo_timers::callback::Timeout;
use mqttlab_core::broker::TopicTree;
use mqttlab_core::client::cli::SubArgs;
use mqttlab_core::client::{Client, ClientEvent, ConnectOptions, DisconnectReason, ProtocolError};
use mqttlab_core::codec::properties::Property;
use mqttlab_core::codec::{
    v5 as wire5, AnyPacket, ConnectReturnCode, Decoder, PacketType, Protocol, QoS, SubackReturnCode,
};
use mqttlab_core::time::Instant;
use mqttlab_core::tools::render;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{BinaryType, CloseEvent, MessageEvent, WebSocket};

use crate::components::broker_log::LogLine;
use crate::components::sequence_diagram::{DiagramRow, RowKind, RowNote, Rows};
use crate::i18n::{disconnect_reason, l5, t, Lang, Live5, Text};

pub mod capture;
mod terminal;
pub mod v5;

use terminal::TermTool;

/// Largest packet the display decoder accepts (the client has its own limit).
const DISPLAY_MAX_PACKET: usize = 16 * 1024 * 1024;

/// A broker address the page can open: `ws://` or `wss://`, a host, maybe a port
/// and a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WsUrl {
    /// The whole URL as given (trimmed), with `/` added when there was no path.
    pub url: String,
    /// The host, as the diagram's broker lane names it (`127.0.0.1:9001`).
    pub host: String,
}

/// Why an address cannot be opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlError {
    /// Nothing typed.
    Empty,
    /// Not `ws://` or `wss://`; holds what it starts with.
    Scheme(String),
    /// Nothing between `ws://` and the path.
    NoHost,
    /// A port that is not 1..=65535.
    BadPort(String),
    /// Whitespace inside.
    Spaces,
}

/// Checks a broker address typed by the student.
pub fn parse_ws_url(input: &str) -> Result<WsUrl, UrlError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(UrlError::Empty);
    }
    if s.chars().any(char::is_whitespace) {
        return Err(UrlError::Spaces);
    }
    let lower = s.to_ascii_lowercase();
    let rest_at = if lower.starts_with("ws://") {
        5
    } else if lower.starts_with("wss://") {
        6
    } else {
        let scheme = match s.find("://") {
            Some(i) => s[..i + 3].to_string(),
            None => s.chars().take(12).collect(),
        };
        return Err(UrlError::Scheme(scheme));
    };
    let rest = &s[rest_at..];
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    // user:password@ is not for WebSocket URLs in browsers; keep only the host part.
    let hostport = authority.rsplit('@').next().unwrap_or(authority);
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        match v6.split_once(']') {
            Some((h, p)) => (h, p.strip_prefix(':')),
            None => return Err(UrlError::NoHost),
        }
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        }
    };
    if host.is_empty() {
        return Err(UrlError::NoHost);
    }
    if let Some(p) = port {
        match p.parse::<u16>() {
            Ok(n) if n > 0 => {}
            _ => return Err(UrlError::BadPort(p.to_string())),
        }
    }
    let url = if end == rest.len() {
        format!("{s}/")
    } else {
        s.to_string()
    };
    Ok(WsUrl {
        url,
        host: hostport.to_string(),
    })
}

/// One line of the event log, kept as data so that it reads in either language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogEvent {
    /// `new WebSocket(url, "mqtt")`.
    Opening(String),
    /// The socket opened, with the subprotocol the server chose.
    Open(String),
    /// The browser reported an error on the socket.
    WsError,
    /// The socket closed.
    Closed {
        /// Close code.
        code: u16,
        /// Close reason.
        reason: String,
        /// Whether the closing handshake completed.
        clean: bool,
    },
    /// A packet sent, by its summary.
    Sent(String),
    /// A packet received, by its summary.
    Got(String),
    /// CONNACK accepted, with session present.
    Accepted(bool),
    /// Our QoS 1/2 message is done: id, QoS.
    Delivered(u16, u8),
    /// SUBACK: id, granted QoS per filter (`None` refused).
    Granted(u16, Vec<Option<u8>>),
    /// UNSUBACK.
    Unsubscribed(u16),
    /// PUBREC for our QoS 2 message.
    Pubrec(u16),
    /// PUBREL for a QoS 2 message to us.
    Pubrel(u16),
    /// PINGRESP.
    Pong,
    /// The MQTT connection ended, and why.
    Ended(DisconnectReason),
    /// A text frame (MQTT uses binary ones).
    TextFrame(String),
    /// An MQTT 5.0 acknowledgement's reason codes (one per filter for
    /// SUBACK/UNSUBACK) and its properties (Reason String, User Property).
    Ack {
        /// PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK or UNSUBACK.
        packet: PacketType,
        /// Its packet identifier.
        pid: u16,
        /// Its reason codes.
        codes: Vec<u8>,
        /// Its properties, each as [`v5::property_text`] writes it.
        properties: Vec<String>,
    },
    /// An MQTT 5.0 message arrived with properties: its topic and each property.
    MessageProperties(String, Vec<String>),
    /// Anything else, as the core describes it.
    Other(String),
}

impl LogEvent {
    /// The line in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        let pt = lang == Lang::PtBr;
        match self {
            LogEvent::Opening(url) => {
                format!("{} {url} (subprotocol mqtt)", t(lang, Text::LogOpening))
            }
            LogEvent::Open(p) => format!("{} ('{p}')", t(lang, Text::LogOpen)),
            LogEvent::WsError => t(lang, Text::LogWsError).to_string(),
            LogEvent::Closed {
                code,
                reason,
                clean,
            } => {
                let mut s = format!("{} {code}", t(lang, Text::LogClosed));
                if !reason.is_empty() {
                    s += &format!(" “{reason}”");
                }
                if !clean {
                    s += &format!(" ({})", t(lang, Text::LogUnclean));
                }
                s
            }
            LogEvent::Sent(p) => format!("{} {p}", t(lang, Text::LogSent)),
            LogEvent::Got(p) => format!("{} {p}", t(lang, Text::LogGot)),
            LogEvent::Accepted(sp) => format!(
                "{} (session present: {})",
                t(lang, Text::LogAccepted),
                u8::from(*sp)
            ),
            LogEvent::Delivered(m, q) => {
                format!("m{m}: {} (QoS {q})", t(lang, Text::LogDelivered))
            }
            LogEvent::Granted(m, g) => {
                let g: Vec<String> = g
                    .iter()
                    .map(|q| match q {
                        Some(q) => format!("QoS {q}"),
                        None if pt => "recusada".into(),
                        None => "refused".into(),
                    })
                    .collect();
                format!("m{m}: {} {}", t(lang, Text::LogGranted), g.join(", "))
            }
            LogEvent::Unsubscribed(m) => format!("m{m}: {}", t(lang, Text::LogUnsubscribed)),
            LogEvent::Pubrec(m) => format!("m{m}: {}", t(lang, Text::LogPubrec)),
            LogEvent::Pubrel(m) => format!("m{m}: {}", t(lang, Text::LogPubrel)),
            LogEvent::Pong => t(lang, Text::LogPong).to_string(),
            LogEvent::Ended(why) => {
                format!(
                    "{} {}",
                    t(lang, Text::LogEnded),
                    disconnect_reason(lang, why)
                )
            }
            LogEvent::TextFrame(text) => format!("{} {text}", t(lang, Text::LogTextFrame)),
            LogEvent::Ack {
                packet,
                pid,
                codes,
                properties,
            } => {
                let codes: Vec<String> =
                    codes.iter().map(|c| v5::reason_text(*packet, *c)).collect();
                let mut s = format!(
                    "{} m{pid}: {} {}",
                    packet.name(),
                    l5(lang, Live5::LogAck),
                    codes.join(", ")
                );
                if !properties.is_empty() {
                    s += &format!(" [{}]", properties.join("; "));
                }
                s
            }
            LogEvent::MessageProperties(topic, props) => format!(
                "{} {topic}: {}",
                l5(lang, Live5::LogMessageProps),
                props.join("; ")
            ),
            LogEvent::Other(s) => s.clone(),
        }
    }
}

/// Where the connection stands, as the page shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// No socket.
    Idle,
    /// `new WebSocket(...)` made, not open yet.
    Opening,
    /// Socket open, CONNECT sent, no CONNACK yet.
    WaitingConnack,
    /// CONNACK accepted.
    Connected,
}

/// What went wrong, for the page to put into words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The browser refused to even try (a malformed URL it rejects).
    Rejected(String),
    /// The WebSocket never opened.
    CouldNotOpen {
        /// The close code the browser reported (1006 when nothing answered).
        code: u16,
        /// The close reason, usually empty.
        reason: String,
    },
    /// The server closed the socket before the MQTT connection was accepted, with a
    /// code and reason (the `mqttlab serve` bridge explains itself this way).
    ServerClosed {
        /// The WebSocket close code.
        code: u16,
        /// The close reason.
        reason: String,
    },
    /// CONNACK with a refusal code.
    Refused(ConnectReturnCode),
    /// An MQTT 5.0 CONNACK with a refusal reason code (0x80 and above).
    RefusedV5(u8),
    /// A 3.1.1 broker's CONNACK 1 to our 5.0 CONNECT: it does not speak 5.0.
    NoV5,
    /// An MQTT 5.0 DISCONNECT from the broker, with its reason code.
    ServerDisconnect(u8),
    /// An accepted connection ended without the student asking.
    Dropped {
        /// The WebSocket close code.
        code: u16,
        /// The close reason.
        reason: String,
    },
    /// No PINGRESP in time.
    PingTimeout,
    /// No CONNACK in time.
    ConnectTimeout,
    /// The broker broke the protocol.
    Protocol(ProtocolError),
}

/// Everything the page shows about the connection.
#[derive(Debug)]
pub struct Live {
    client: Client,
    ws: Option<WebSocket>,
    options: Option<ConnectOptions>,
    decoder: Decoder,
    timer: Option<Timeout>,
    /// The level of the page's connection (the form's choice at Connect).
    pub protocol: Protocol,
    /// The broker's CONNACK under MQTT 5.0: reason code and properties, in
    /// wire order, once it arrived.
    pub connack: Option<(u8, Vec<Property>)>,
    /// Under 5.0, the first bytes before CONNACK, held until they are told
    /// apart from a 3.1.1 broker's CONNACK 1.
    early: Vec<u8>,
    /// Where the connection stands.
    pub phase: Phase,
    /// The last failure, until the next Connect.
    pub failure: Option<Failure>,
    /// Diagram lanes: the client id and the broker's host.
    pub lanes: Rc<Vec<String>>,
    /// Diagram rows.
    pub rows: Rows,
    /// The bytes of each row (empty for notes).
    pub row_bytes: Vec<Rc<Vec<u8>>>,
    /// The level each row's packet was read at, for the inspector (`None` for
    /// 3.x and notes: learnt from a CONNECT, 3.1.1 otherwise).
    pub row_protocol: Vec<Option<Protocol>>,
    /// Event log, put into words by [`Live::log_lines`].
    pub log: Vec<(Instant, LogEvent)>,
    /// Terminal screen.
    pub term: Vec<String>,
    /// Every topic the page's client received a message on, since Connect.
    pub topics: TopicTree,
    /// The terminal's `mosquitto_pub`/`mosquitto_sub` still running, each on a
    /// connection of its own to the page's broker.
    tools: Vec<TermTool>,
    /// The broker address of the last Connect (where the terminal's tools go).
    url: Option<WsUrl>,
    /// The id the next terminal tool gets.
    next_tool: u64,
    /// Socket handlers of ended tools, dropped when none of them can be running.
    retired: Vec<Handlers>,
    /// The student pressed Disconnect (so the close is not a drop).
    closing: bool,
}

/// The live connection and the page's re-render hook.
pub struct Driver {
    /// The state; never borrowed across a call to `notify`.
    pub live: RefCell<Live>,
    /// When the current connection was opened: the diagram's time zero.
    origin_ms: Cell<f64>,
    notify: Box<dyn Fn()>,
    handlers: RefCell<Option<Handlers>>,
}

/// Whose socket an event is for.
#[derive(Debug, Clone, Copy)]
enum Target {
    /// The page's own connection (the form).
    Page,
    /// A terminal tool's, by its id.
    Tool(u64),
}

struct Handlers {
    _open: Closure<dyn FnMut()>,
    _message: Closure<dyn FnMut(MessageEvent)>,
    _close: Closure<dyn FnMut(CloseEvent)>,
    _error: Closure<dyn FnMut()>,
}

impl std::fmt::Debug for Handlers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Handlers")
    }
}

fn performance_now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or_else(js_sys::Date::now)
}

impl Driver {
    /// A driver with no connection; `notify` re-renders the page.
    pub fn new(notify: impl Fn() + 'static) -> Rc<Driver> {
        Rc::new(Driver {
            live: RefCell::new(Live {
                client: Client::new(),
                ws: None,
                options: None,
                decoder: Decoder::new(DISPLAY_MAX_PACKET),
                timer: None,
                protocol: Protocol::V311,
                connack: None,
                early: Vec::new(),
                phase: Phase::Idle,
                failure: None,
                lanes: Rc::new(vec!["client".into(), "broker".into()]),
                rows: Rows::default(),
                row_bytes: Vec::new(),
                row_protocol: Vec::new(),
                log: Vec::new(),
                term: Vec::new(),
                topics: TopicTree::new(),
                tools: Vec::new(),
                url: None,
                next_tool: 0,
                retired: Vec::new(),
                closing: false,
            }),
            origin_ms: Cell::new(performance_now()),
            notify: Box::new(notify),
            handlers: RefCell::new(None),
        })
    }

    /// The real time since the current connection was opened (the diagram and
    /// the log count from there, as Wireshark counts from its capture's start).
    pub fn now(&self) -> Instant {
        let ms = (performance_now() - self.origin_ms.get()).max(0.0);
        Instant::from_micros((ms * 1000.0) as u64)
    }

    /// Opens a WebSocket to `url` and, once it is open, sends CONNECT with
    /// `options`. A connection already open is closed first. The diagram starts
    /// afresh.
    pub fn open(self: &Rc<Self>, url: &WsUrl, options: ConnectOptions) {
        self.shutdown();
        self.origin_ms.set(performance_now());
        let now = self.now();
        {
            let mut l = self.live.borrow_mut();
            l.client = Client::new();
            l.topics.clear();
            l.decoder = Decoder::with_protocol(DISPLAY_MAX_PACKET, options.protocol);
            l.protocol = options.protocol;
            l.connack = None;
            l.early.clear();
            l.failure = None;
            l.closing = false;
            l.url = Some(url.clone());
            let id = if options.client_id.is_empty() {
                "(client)".to_string()
            } else {
                options.client_id.clone()
            };
            l.lanes = Rc::new(vec![id, url.host.clone()]);
            l.rows = Rows::default();
            l.row_bytes.clear();
            l.row_protocol.clear();
            l.options = Some(options);
            l.phase = Phase::Opening;
            l.log.clear();
            l.note(
                now,
                0,
                RowNote::WebSocket {
                    url: url.url.clone(),
                },
            );
            l.log_event(now, LogEvent::Opening(url.url.clone()));
        }
        match WebSocket::new_with_str(&url.url, "mqtt") {
            Ok(ws) => {
                ws.set_binary_type(BinaryType::Arraybuffer);
                let h = self.attach(&ws, Target::Page);
                *self.handlers.borrow_mut() = Some(h);
                self.live.borrow_mut().ws = Some(ws);
            }
            Err(e) => {
                let msg = e
                    .dyn_ref::<js_sys::Error>()
                    .map(|e| String::from(e.message()))
                    .or_else(|| e.as_string())
                    .unwrap_or_else(|| format!("{e:?}"));
                let mut l = self.live.borrow_mut();
                l.phase = Phase::Idle;
                l.failure = Some(Failure::Rejected(msg));
            }
        }
        (self.notify)();
    }

    /// Routes the socket's events to the page's connection or to a terminal tool.
    fn attach(self: &Rc<Self>, ws: &WebSocket, target: Target) -> Handlers {
        let weak = Rc::downgrade(self);
        let w = weak.clone();
        let open = Closure::<dyn FnMut()>::new(move || match target {
            Target::Page => with(&w, |d| d.on_open()),
            Target::Tool(id) => with(&w, |d| d.tool_open(id)),
        });
        let w = weak.clone();
        let message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            if let Ok(buf) = e.data().dyn_into::<js_sys::ArrayBuffer>() {
                let bytes = js_sys::Uint8Array::new(&buf).to_vec();
                match target {
                    Target::Page => with(&w, |d| d.on_bytes(&bytes)),
                    Target::Tool(id) => with(&w, |d| d.tool_bytes(id, &bytes)),
                }
            } else if let Some(text) = e.data().as_string() {
                with(&w, |d| d.on_text(&text));
            }
        });
        let w = weak.clone();
        let close = Closure::<dyn FnMut(CloseEvent)>::new(move |e: CloseEvent| match target {
            Target::Page => with(&w, |d| d.on_close(e.code(), e.reason(), e.was_clean())),
            Target::Tool(id) => with(&w, |d| d.tool_closed(id)),
        });
        let w = weak;
        let error = Closure::<dyn FnMut()>::new(move || {
            with(&w, |d| {
                let now = d.now();
                d.live.borrow_mut().log_event(now, LogEvent::WsError);
            })
        });
        ws.set_onopen(Some(open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(close.as_ref().unchecked_ref()));
        ws.set_onerror(Some(error.as_ref().unchecked_ref()));
        Handlers {
            _open: open,
            _message: message,
            _close: close,
            _error: error,
        }
    }

    fn on_open(self: &Rc<Self>) {
        let now = self.now();
        let mut l = self.live.borrow_mut();
        let protocol = l.ws.as_ref().map(|w| w.protocol()).unwrap_or_default();
        l.log_event(now, LogEvent::Open(protocol));
        let options = l.options.clone().unwrap_or_else(|| ConnectOptions::new(""));
        if let Err(e) = l.client.connect(now, options) {
            l.log_event(now, LogEvent::Other(format!("{e}")));
        }
        l.phase = Phase::WaitingConnack;
        drop(l);
        self.pump(now);
    }

    fn on_bytes(self: &Rc<Self>, bytes: &[u8]) {
        let now = self.now();
        {
            let mut l = self.live.borrow_mut();
            // A 3.1.1 broker's CONNACK 1 (unacceptable protocol version) to our
            // 5.0 CONNECT (aedes sends it, in two WebSocket messages): read it
            // as the 3.1.1 packet it is, as the client does. Its first bytes
            // wait until it is told apart from a 5.0 CONNACK.
            const CONNACK_1: [u8; 4] = [0x20, 0x02, 0x00, 0x01];
            let mut bytes_in = bytes.to_vec();
            if l.protocol == Protocol::V5 && l.phase == Phase::WaitingConnack {
                let mut early = std::mem::take(&mut l.early);
                early.extend_from_slice(bytes);
                if early.len() < CONNACK_1.len() && CONNACK_1.starts_with(&early) {
                    l.early = early;
                    bytes_in.clear();
                } else {
                    if early.starts_with(&CONNACK_1) {
                        l.decoder = Decoder::with_protocol(DISPLAY_MAX_PACKET, Protocol::V311);
                    }
                    bytes_in = early;
                }
            }
            l.decoder.push(&bytes_in);
            loop {
                match l.decoder.next_any_frame() {
                    Ok(Some((packet, frame))) => {
                        if let AnyPacket::V5(wire5::Packet::Connack(c)) = &packet {
                            l.connack = Some((c.reason.as_u8(), c.properties.clone()));
                        }
                        l.packet_row(now, 1, 0, &packet, frame.to_vec());
                    }
                    Ok(None) => break,
                    Err(e) => {
                        l.note(
                            now,
                            1,
                            RowNote::Undecodable {
                                error: e.to_string(),
                            },
                        );
                        l.decoder = Decoder::with_protocol(DISPLAY_MAX_PACKET, l.protocol);
                        break;
                    }
                }
            }
            l.client.handle_bytes(now, bytes);
        }
        self.pump(now);
    }

    fn on_text(self: &Rc<Self>, text: &str) {
        let now = self.now();
        self.live
            .borrow_mut()
            .log_event(now, LogEvent::TextFrame(text.to_string()));
        (self.notify)();
    }

    fn on_close(self: &Rc<Self>, code: u16, reason: String, clean: bool) {
        let now = self.now();
        {
            let mut l = self.live.borrow_mut();
            l.timer = None;
            l.ws = None;
            l.note(
                now,
                1,
                RowNote::WebSocketClosed {
                    code,
                    reason: reason.clone(),
                },
            );
            l.log_event(
                now,
                LogEvent::Closed {
                    code,
                    reason: reason.clone(),
                    clean,
                },
            );
            let before = l.phase;
            l.client.handle_closed(now);
            l.drain_events(now);
            if l.failure.is_none() && !l.closing {
                l.failure = Some(match before {
                    Phase::Opening => Failure::CouldNotOpen { code, reason },
                    Phase::WaitingConnack => Failure::ServerClosed { code, reason },
                    Phase::Connected | Phase::Idle => Failure::Dropped { code, reason },
                });
            }
            l.phase = Phase::Idle;
        }
        *self.handlers.borrow_mut() = None;
        (self.notify)();
    }

    /// Sends what the client queued, handles its events, re-arms the timer, and
    /// re-renders.
    fn pump(self: &Rc<Self>, now: Instant) {
        let deadline = {
            let mut l = self.live.borrow_mut();
            l.transmit(now);
            let ended = l.drain_events(now);
            l.transmit(now);
            if ended {
                if let Some(ws) = &l.ws {
                    let _ = ws.close();
                }
            }
            l.client.poll_timeout()
        };
        self.arm(deadline, now);
        (self.notify)();
    }

    fn arm(self: &Rc<Self>, deadline: Option<Instant>, now: Instant) {
        let timer = deadline.map(|at| {
            let wait_ms = at
                .as_micros()
                .saturating_sub(now.as_micros())
                .div_ceil(1000);
            let weak = Rc::downgrade(self);
            Timeout::new(wait_ms.min(u32::MAX as u64) as u32, move || {
                with(&weak, |d| {
                    let now = d.now();
                    d.live.borrow_mut().client.handle_timeout(now);
                    d.pump(now);
                })
            })
        });
        self.live.borrow_mut().timer = timer;
    }

    /// Publishes on the open connection, with MQTT 5.0 `properties` (none
    /// under 3.1.1: the client refuses them there).
    pub fn publish(
        self: &Rc<Self>,
        topic: &str,
        payload: Vec<u8>,
        qos: QoS,
        retain: bool,
        properties: Vec<Property>,
    ) -> Result<(), String> {
        let now = self.now();
        let r = self
            .live
            .borrow_mut()
            .client
            .publish_with(now, topic, payload, qos, retain, properties);
        r.map_err(|e| e.to_string())?;
        self.pump(now);
        Ok(())
    }

    /// Subscribes on the open connection; what arrives prints as
    /// `mosquitto_sub -v` would.
    pub fn subscribe(self: &Rc<Self>, filters: &[(&str, QoS)]) -> Result<(), String> {
        let now = self.now();
        self.live
            .borrow_mut()
            .client
            .subscribe(now, filters)
            .map_err(|e| e.to_string())?;
        self.pump(now);
        Ok(())
    }

    /// Whether CONNACK accepted the connection.
    pub fn is_connected(&self) -> bool {
        self.live.borrow().phase == Phase::Connected
    }

    /// Sends DISCONNECT (when connected) and closes the socket.
    pub fn disconnect(self: &Rc<Self>) {
        let now = self.now();
        {
            let mut l = self.live.borrow_mut();
            l.closing = true;
            if l.client.disconnect(now).is_err() {
                if let Some(ws) = &l.ws {
                    let _ = ws.close();
                }
            }
        }
        self.pump(now);
        let l = self.live.borrow();
        if let Some(ws) = &l.ws {
            let _ = ws.close();
        }
    }

    /// Re-renders the page.
    pub fn refresh(&self) {
        (self.notify)();
    }

    /// Appends a line to the terminal.
    pub fn print(&self, line: String) {
        self.live.borrow_mut().term.push(line);
    }

    /// Closes everything without a word (the page is going away, or a new Connect).
    pub fn shutdown(&self) {
        let now = self.now();
        let mut l = self.live.borrow_mut();
        l.timer = None;
        l.closing = true;
        // Leaving gracefully: DISCONNECT, so the broker discards the will.
        if l.client.is_connected() && l.client.disconnect(now).is_ok() {
            l.transmit(now);
            let _ = l.client.poll_event();
        }
        if let Some(ws) = l.ws.take() {
            detach(&ws);
        }
        // The terminal's tools go too (the page is leaving, or connecting anew).
        for mut tool in l.tools.drain(..) {
            tool.shutdown(now);
        }
        l.phase = Phase::Idle;
        drop(l);
        *self.handlers.borrow_mut() = None;
    }
}

/// Closes a socket and stops listening to it.
fn detach(ws: &WebSocket) {
    ws.set_onopen(None);
    ws.set_onmessage(None);
    ws.set_onclose(None);
    ws.set_onerror(None);
    let _ = ws.close();
}

fn with(weak: &Weak<Driver>, f: impl FnOnce(&Rc<Driver>)) {
    if let Some(d) = weak.upgrade() {
        f(&d);
    }
}

impl Live {
    fn transmit(&mut self, now: Instant) {
        while let Some(t) = self.client.poll_transmit() {
            let packet = match t.v5 {
                Some(p) => AnyPacket::V5(*p),
                None => AnyPacket::V3(t.packet),
            };
            self.packet_row(now, 0, 1, &packet, t.bytes.clone());
            if let Some(ws) = &self.ws {
                let _ = ws.send_with_u8_array(&t.bytes);
            }
        }
    }

    fn packet_row(
        &mut self,
        now: Instant,
        from: usize,
        to: usize,
        packet: &AnyPacket,
        bytes: Vec<u8>,
    ) {
        let dup = match packet {
            AnyPacket::V3(mqttlab_core::codec::Packet::Publish(p)) => p.dup,
            AnyPacket::V5(wire5::Packet::Publish(p)) => p.dup,
            _ => false,
        };
        let summary = packet.to_string();
        self.rows.push(DiagramRow {
            time_us: now.as_micros(),
            label: summary.clone(),
            kind: RowKind::Packet {
                from,
                to,
                dropped: false,
                dup,
            },
            fault: None,
            sent: None,
        });
        self.row_bytes.push(Rc::new(bytes));
        self.row_protocol
            .push(matches!(packet, AnyPacket::V5(_)).then_some(Protocol::V5));
        self.log_event(
            now,
            if to == 1 {
                LogEvent::Sent(summary)
            } else {
                LogEvent::Got(summary)
            },
        );
    }

    fn note(&mut self, now: Instant, lane: usize, note: RowNote) {
        self.rows.push(DiagramRow {
            time_us: now.as_micros(),
            label: String::new(),
            kind: RowKind::Note { lane, note },
            fault: None,
            sent: None,
        });
        self.row_bytes.push(Rc::new(Vec::new()));
        self.row_protocol.push(None);
    }

    fn log_event(&mut self, now: Instant, event: LogEvent) {
        self.log.push((now, event));
    }

    /// The log in `lang`.
    pub fn log_lines(&self, lang: Lang) -> Vec<LogLine> {
        let broker = self.lanes.get(1).cloned().unwrap_or_default();
        self.log
            .iter()
            .map(|(at, e)| LogLine {
                time_us: at.as_micros(),
                broker: broker.clone(),
                text: e.text(lang),
            })
            .collect()
    }

    /// A CONNACK refusal as the page explains it: CONNACK 1 to a 5.0 CONNECT
    /// is a broker without 5.0.
    fn refused(&self, code: ConnectReturnCode) -> Failure {
        if self.protocol == Protocol::V5 && code == ConnectReturnCode::UnacceptableProtocolVersion {
            Failure::NoV5
        } else {
            Failure::Refused(code)
        }
    }

    /// Handles the client's events; true when the connection ended.
    fn drain_events(&mut self, now: Instant) -> bool {
        let mut ended = false;
        while let Some(ev) = self.client.poll_event() {
            match ev {
                ClientEvent::Connected { session_present } => {
                    self.phase = Phase::Connected;
                    self.log_event(now, LogEvent::Accepted(session_present));
                }
                ClientEvent::ConnectionRefused(code) => {
                    self.failure = Some(self.refused(code));
                }
                ClientEvent::ConnectionRefusedV5(code) => {
                    self.failure = Some(Failure::RefusedV5(code.as_u8()));
                }
                ClientEvent::Acknowledged {
                    packet,
                    pid,
                    codes,
                    properties,
                } => self.log_event(
                    now,
                    LogEvent::Ack {
                        packet,
                        pid: pid.get(),
                        codes,
                        properties: properties.iter().map(v5::property_text).collect(),
                    },
                ),
                ClientEvent::Message(p) => {
                    self.topics
                        .record(now, p.topic.as_str(), &p.payload, p.retain);
                    if !p.properties.is_empty() {
                        self.log_event(
                            now,
                            LogEvent::MessageProperties(
                                p.topic.to_string(),
                                p.properties.iter().map(v5::property_text).collect(),
                            ),
                        );
                    }
                    // The form's subscriptions print as `mosquitto_sub -v` does.
                    let out = render(&verbose_sub(), &p, 0);
                    let text = String::from_utf8_lossy(&out);
                    if !out.is_empty() {
                        for line in text.trim_end_matches('\n').split('\n') {
                            self.term.push(line.to_string());
                        }
                    }
                }
                ClientEvent::Published { pid, qos } => {
                    self.log_event(now, LogEvent::Delivered(pid.get(), qos.as_u8()))
                }
                ClientEvent::Subscribed { pid, granted } => {
                    let granted = granted
                        .iter()
                        .map(|g| match g {
                            SubackReturnCode::Success(q) => Some(q.as_u8()),
                            SubackReturnCode::Failure => None,
                        })
                        .collect();
                    self.log_event(now, LogEvent::Granted(pid.get(), granted))
                }
                ClientEvent::Unsubscribed { pid } => {
                    self.log_event(now, LogEvent::Unsubscribed(pid.get()))
                }
                ClientEvent::Received { pid } => self.log_event(now, LogEvent::Pubrec(pid.get())),
                ClientEvent::Released { pid } => self.log_event(now, LogEvent::Pubrel(pid.get())),
                ClientEvent::Pong => self.log_event(now, LogEvent::Pong),
                ClientEvent::Disconnected { reason } => {
                    ended = true;
                    self.log_event(now, LogEvent::Ended(reason.clone()));
                    match reason {
                        DisconnectReason::Requested => self.closing = true,
                        DisconnectReason::Refused(c) => self.failure = Some(self.refused(c)),
                        DisconnectReason::PingTimeout => {
                            self.note(now, 0, RowNote::NoPingresp);
                            self.failure = Some(Failure::PingTimeout)
                        }
                        DisconnectReason::ConnectTimeout => {
                            self.failure = Some(Failure::ConnectTimeout)
                        }
                        DisconnectReason::Protocol(e) => self.failure = Some(Failure::Protocol(e)),
                        DisconnectReason::RefusedV5(c) => {
                            self.failure = Some(Failure::RefusedV5(c))
                        }
                        DisconnectReason::ByServer(c) => {
                            self.failure = Some(Failure::ServerDisconnect(c))
                        }
                        // The socket's close says the rest.
                        DisconnectReason::TransportClosed => {}
                    }
                }
                other => self.log_event(now, LogEvent::Other(format!("{other:?}"))),
            }
        }
        ended
    }
}

/// How messages print that no terminal `mosquitto_sub` asked for (the form's
/// subscriptions): `topic payload`, as `mosquitto_sub -v`.
fn verbose_sub() -> SubArgs {
    let mut s = mqttlab_core::client::cli::parse_sub(&["-t".into(), "#".into(), "-v".into()])
        .expect("constant arguments parse");
    s.topics.clear();
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broker_addresses_are_checked_in_words() {
        let u = parse_ws_url(" ws://127.0.0.1:9001 ").unwrap();
        assert_eq!(u.url, "ws://127.0.0.1:9001/");
        assert_eq!(u.host, "127.0.0.1:9001");
        let u = parse_ws_url("wss://broker.example.org/mqtt").unwrap();
        assert_eq!(u.host, "broker.example.org");
        assert_eq!(u.url, "wss://broker.example.org/mqtt");
        assert!(parse_ws_url("ws://[::1]:8080/mqtt/lab").is_ok());
        assert_eq!(parse_ws_url(""), Err(UrlError::Empty));
        assert_eq!(
            parse_ws_url("http://localhost:8080/"),
            Err(UrlError::Scheme("http://".into()))
        );
        assert_eq!(
            parse_ws_url("mqtt://localhost:1883"),
            Err(UrlError::Scheme("mqtt://".into()))
        );
        assert_eq!(
            parse_ws_url("localhost:1883"),
            Err(UrlError::Scheme("localhost:18".into()))
        );
        assert_eq!(parse_ws_url("ws:///mqtt"), Err(UrlError::NoHost));
        assert_eq!(parse_ws_url("ws://:9001/"), Err(UrlError::NoHost));
        assert_eq!(
            parse_ws_url("ws://localhost:99999/"),
            Err(UrlError::BadPort("99999".into()))
        );
        assert_eq!(parse_ws_url("ws://local host/"), Err(UrlError::Spaces));
    }

    #[test]
    fn why_a_connection_ended_is_data_put_in_words_in_each_language() {
        let ended = LogEvent::Ended(DisconnectReason::PingTimeout);
        assert_eq!(
            ended.text(Lang::PtBr),
            "conexão MQTT encerrada: sem PINGRESP do broker (keepalive)"
        );
        assert_eq!(
            ended.text(Lang::En),
            "MQTT connection ended: no PINGRESP from the broker (keep alive)"
        );
        let e = ProtocolError::DuplicateConnack;
        assert_eq!(
            crate::i18n::protocol_error(Lang::PtBr, &e),
            "um segundo CONNACK na mesma conexão"
        );
    }
}
