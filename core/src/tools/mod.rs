//! `mosquitto_pub` and `mosquitto_sub` 2.0.11, once, as sans-IO state machines.
//!
//! A [`Tool`] is what the user sees of one command line: when it connects,
//! subscribes, publishes and disconnects, every byte it writes to standard output
//! and standard error, and its exit code. It owns no socket, no clock and no
//! terminal: the simulator's nodes, `mqttlab pub`/`mqttlab sub` on real sockets and
//! the web page's terminal all drive this one implementation, so they cannot
//! disagree.
//!
//! The run loop, as for every state machine in this crate: feed an input
//! (`start`, [`Tool::handle_event`] with each [`ClientEvent`] of the core
//! [`Client`](crate::client::Client), [`Tool::handle_sent`] and
//! [`Tool::handle_received`] with each packet for `-d`, [`Tool::handle_timeout`],
//! [`Tool::handle_stdin_line`]...), then drain the outputs: [`Tool::poll_action`]
//! (or [`drive::apply`], which performs the client's share on a `Client` and hands
//! back only what needs I/O), [`Tool::poll_output`], [`Tool::poll_timeout`] and
//! [`Tool::exit_code`].
//!
//! ```
//! use mqttlab_core::client::{Client, ClientEvent};
//! use mqttlab_core::codec::{Connack, ConnectReturnCode, Packet};
//! use mqttlab_core::time::Instant;
//! use mqttlab_core::tools::{cli, drive, Action, Tool};
//!
//! let cmd = cli::parse_command_line("mosquitto_pub -t casa/sala -m 21.5").unwrap();
//! let mut tool = Tool::new(cmd, "p1".into());
//! let mut client = Client::new();
//! let t0 = Instant::ZERO;
//! tool.start(t0);
//! // Only the connection needs the driver: it opens its transport, then CONNECT.
//! let Some(Action::Connect(opts)) = drive::apply(&mut tool, &mut client, t0).pop() else {
//!     panic!()
//! };
//! client.connect(t0, *opts).unwrap();
//! client.handle_packet(t0, Packet::Connack(Connack {
//!     session_present: false,
//!     code: ConnectReturnCode::Accepted,
//! }));
//! while let Some(ev) = client.poll_event() {
//!     tool.handle_event(t0, &ev);
//!     drive::apply(&mut tool, &mut client, t0);
//! }
//! let sent: Vec<_> = std::iter::from_fn(|| client.poll_packet()).collect();
//! assert!(matches!(&sent[..], [Packet::Connect(_), Packet::Publish(_), Packet::Disconnect]));
//! while let Some(ev) = client.poll_event() {
//!     tool.handle_event(t0, &ev);
//! }
//! assert_eq!(tool.exit_code(), Some(0));
//! ```

pub mod cli;
pub mod debug;
pub mod drive;
mod format;
mod io;
pub mod props;
mod publisher;
mod requester;
mod subscriber;

#[cfg(test)]
mod tests;

use core::fmt;

use crate::client::{ClientError, ClientEvent, ConnectOptions};
use crate::codec::properties::Property;
use crate::codec::v5::SubscriptionOptions;
use crate::codec::{Packet, Pid, Protocol, QoS};
use crate::time::Instant;

pub use debug::Stream;
pub use format::{format_message, render, render_with, WallMicros};

use cli::ToolCommand;
use io::Io;
use publisher::Publisher;
use requester::Requester;
use subscriber::Subscriber;

/// Something the tool asks its driver (or [`drive::apply`]) to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Open the transport to the broker (`-h`, `-p`), then `Client::connect` with
    /// these options; report a failure with [`Tool::handle_connect_failed`].
    Connect(Box<ConnectOptions>),
    /// SUBSCRIBE to these filters (one packet).
    Subscribe {
        /// Each filter with its options (under 3.1.1 only the QoS counts).
        filters: Vec<(String, SubscriptionOptions)>,
        /// MQTT 5.0 properties (`-D subscribe`).
        properties: Vec<Property>,
    },
    /// UNSUBSCRIBE from one filter (`-U`).
    Unsubscribe {
        /// The filter.
        filter: String,
        /// MQTT 5.0 properties (`-D unsubscribe`).
        properties: Vec<Property>,
    },
    /// PUBLISH; report the result with [`Tool::handle_publish_result`].
    Publish {
        /// Topic.
        topic: String,
        /// Payload.
        payload: Vec<u8>,
        /// QoS.
        qos: QoS,
        /// RETAIN.
        retain: bool,
        /// MQTT 5.0 properties (`-D publish`, `mosquitto_rr`'s Response Topic).
        properties: Vec<Property>,
    },
    /// DISCONNECT (if connected; with [`Tool::disconnect_properties`]) and
    /// close the transport.
    Disconnect,
    /// Read this file (`-f`); answer with [`Tool::handle_input`].
    ReadFile(String),
    /// Read all of standard input (`-s`); answer with [`Tool::handle_input`].
    ReadStdin,
    /// Read standard input line by line (`-l`); give each line, without its
    /// newline, to [`Tool::handle_stdin_line`], then `None` at its end.
    ReadStdinLines,
    /// Close the transport without DISCONNECT (the process was killed: the broker
    /// then publishes the will).
    Abort,
}

/// Bytes the tool writes, to standard output or standard error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// Which stream.
    pub stream: Stream,
    /// Exactly what is written (a line ends with its `\n`; `-N` writes none).
    pub bytes: Vec<u8>,
}

impl Output {
    /// The text as terminal lines: split at `\n`, the final newline dropped,
    /// invalid UTF-8 replaced (for the simulator's and the page's terminals).
    pub fn lines(&self) -> Vec<String> {
        if self.bytes.is_empty() {
            return Vec::new();
        }
        let text = String::from_utf8_lossy(&self.bytes);
        let text = text.strip_suffix('\n').unwrap_or(&text);
        text.split('\n').map(str::to_owned).collect()
    }
}

/// Why the transport to the broker could not be opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportError {
    /// Nothing listens there (ECONNREFUSED): the host is up, the port closed.
    Refused,
    /// The host name does not resolve (libmosquitto's MOSQ_ERR_EAI, whatever
    /// getaddrinfo said).
    Lookup,
    /// No way to the address (EHOSTUNREACH).
    NoRoute,
    /// Anything else, in the operating system's words.
    Other(String),
}

impl TransportError {
    /// The line the tools print on the first connection's failure, as
    /// `client_connect` in mosquitto 2.0.11's `client_shared.c` words it: an
    /// errno in `strerror`'s words after `Error: `, a libmosquitto error in
    /// `mosquitto_strerror`'s inside `Unable to connect (...).`.
    pub fn line(&self) -> String {
        match self {
            TransportError::Lookup => "Unable to connect (Lookup error.).".to_owned(),
            other => format!("Error: {other}"),
        }
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransportError::Refused => f.write_str("Connection refused"),
            TransportError::Lookup => f.write_str("Lookup error."),
            TransportError::NoRoute => f.write_str("No route to host"),
            TransportError::Other(s) => f.write_str(s),
        }
    }
}

/// Why `-f` or `-s` gave no message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputError {
    /// The file cannot be opened (or, in the simulator, there are no files).
    Open,
    /// Reading failed.
    Read,
}

/// `mosquitto_sub`'s exit code when `-W` runs out (MOSQ_ERR_TIMEOUT).
pub const EXIT_TIMED_OUT: i32 = 27;
/// What the shell reports for a program killed by Ctrl-C (128 + SIGINT).
pub const EXIT_INTERRUPTED: i32 = 130;

/// What Ctrl-C (SIGINT) does to a running program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum CtrlC {
    /// It sends DISCONNECT, then exits (mosquitto_sub's SIGINT handler): the
    /// broker discards the will.
    Disconnect,
    /// It dies at once and the system closes its socket without DISCONNECT
    /// (mosquitto_pub and mosquitto_rr 2.0.11 install no SIGINT handler): the
    /// will is published.
    Abort,
}
/// `exit(-1)` as the shell sees it: `mosquitto_sub` interrupted (or timed out)
/// before its first CONNACK.
pub const EXIT_MINUS_ONE: i32 = 255;

#[derive(Debug, Clone)]
enum Kind {
    Pub(Publisher),
    Sub(Subscriber),
    Rr(Requester),
}

/// One running `mosquitto_pub` or `mosquitto_sub`. See the [module docs](self).
#[derive(Debug, Clone)]
pub struct Tool {
    io: Io,
    kind: Kind,
}

impl Tool {
    /// A tool for a parsed command line, connecting as `client_id` (see
    /// [`client_id`] for how the tools choose one).
    pub fn new(command: ToolCommand, client_id: String) -> Tool {
        match command {
            ToolCommand::Pub(p) => Tool {
                io: Io::new(p.common.clone(), client_id, false),
                kind: Kind::Pub(Publisher::new(p)),
            },
            ToolCommand::Sub(s) => Tool {
                io: Io::new(s.common.clone(), client_id, true),
                kind: Kind::Sub(Subscriber::new(s)),
            },
            // Its refusals read as mosquitto_sub's.
            ToolCommand::Rr(r) => Tool {
                io: Io::new(r.common.clone(), client_id, true),
                kind: Kind::Rr(Requester::new(r)),
            },
        }
    }

    /// The properties of the DISCONNECT it sends (`-D disconnect`, 5.0 only).
    pub fn disconnect_properties(&self) -> Vec<Property> {
        if self.io.common.protocol == Protocol::V5 {
            self.io.common.properties.disconnect.clone()
        } else {
            Vec::new()
        }
    }

    /// Says what the driver's `Instant::ZERO` is worth on the wall clock
    /// (microseconds since the UNIX epoch, UTC), for `-F` time fields.
    pub fn set_epoch(&mut self, epoch: WallMicros) {
        self.io.epoch = epoch;
    }

    /// The client id it connects with.
    pub fn client_id(&self) -> &str {
        &self.io.client_id
    }

    /// The port it connects to (`-p`).
    pub fn port(&self) -> u16 {
        self.io.common.port
    }

    /// The host it connects to (`-h`).
    pub fn host(&self) -> &str {
        &self.io.common.host
    }

    /// Whether `-d` was given (the driver then reports packets).
    pub fn debug(&self) -> bool {
        self.io.common.debug
    }

    /// The program runs: it connects (or first reads its message).
    pub fn start(&mut self, now: Instant) {
        match &mut self.kind {
            Kind::Pub(p) => p.start(&mut self.io, now),
            Kind::Sub(s) => s.start(&mut self.io, now),
            Kind::Rr(r) => r.start(&mut self.io, now),
        }
    }

    /// An event of the client the tool drives.
    pub fn handle_event(&mut self, now: Instant, ev: &ClientEvent) {
        if self.io.exit.is_some() {
            return;
        }
        match &mut self.kind {
            Kind::Pub(p) => p.on_event(&mut self.io, now, ev),
            Kind::Sub(s) => s.on_event(&mut self.io, now, ev),
            Kind::Rr(r) => r.on_event(&mut self.io, now, ev),
        }
    }

    /// A packet the client sent: every one, as it goes out (for `-d`, and for
    /// what mosquitto_sub prints after its `--remove-retained` PUBLISH).
    pub fn handle_sent(&mut self, now: Instant, packet: &Packet) {
        self.handle_sent_as(now, packet, None);
    }

    /// [`Tool::handle_sent`] with, under MQTT 5.0, the packet as it went out
    /// ([`Transmit::v5`](crate::client::Transmit::v5)).
    pub fn handle_sent_as(
        &mut self,
        _now: Instant,
        packet: &Packet,
        v5: Option<&crate::codec::v5::Packet>,
    ) {
        self.io.on_sent(packet, v5);
        if let Kind::Sub(s) = &mut self.kind {
            s.on_sent(&mut self.io, packet);
        }
    }

    /// A packet the client received (for `-d`).
    pub fn handle_received(&mut self, _now: Instant, packet: &Packet) {
        self.io.on_received(packet);
    }

    /// A packet of either level the client received (for `-d`; a 5.0
    /// CONNACK's Assigned Client Identifier names the client from then on,
    /// as in libmosquitto).
    pub fn handle_received_any(&mut self, now: Instant, packet: &crate::codec::AnyPacket) {
        match packet {
            crate::codec::AnyPacket::V3(p) => self.handle_received(now, p),
            crate::codec::AnyPacket::V5(p) => self.io.on_received_v5(p),
        }
    }

    /// The transport asked for by [`Action::Connect`] could not be opened.
    pub fn handle_connect_failed(&mut self, now: Instant, error: TransportError) {
        if self.io.exit.is_some() {
            return;
        }
        match &mut self.kind {
            Kind::Pub(p) => p.on_connect_failed(&mut self.io, now, &error),
            Kind::Sub(s) => s.on_connect_failed(&mut self.io, now, &error),
            Kind::Rr(r) => r.on_connect_failed(&mut self.io, now, &error),
        }
    }

    /// What `Client::publish` said to an [`Action::Publish`]: the packet id of a
    /// QoS 1/2 message, `None` for QoS 0 (then it counts as sent), or an error.
    pub fn handle_publish_result(&mut self, now: Instant, r: Result<Option<Pid>, ClientError>) {
        if self.io.exit.is_some() {
            return;
        }
        match &mut self.kind {
            Kind::Pub(p) => p.on_publish_result(&mut self.io, now, r),
            Kind::Sub(s) => s.on_publish_result(&mut self.io, now, r),
            Kind::Rr(q) => q.on_publish_result(&mut self.io, now, r),
        }
    }

    /// The contents asked for by [`Action::ReadFile`] or [`Action::ReadStdin`].
    pub fn handle_input(&mut self, now: Instant, r: Result<Vec<u8>, InputError>) {
        match &mut self.kind {
            Kind::Pub(p) => p.on_input(&mut self.io, now, r),
            Kind::Rr(q) => q.on_input(&mut self.io, now, r),
            Kind::Sub(_) => {}
        }
    }

    /// A line of standard input (`-l`), or `None` at its end.
    pub fn handle_stdin_line(&mut self, now: Instant, line: Option<Vec<u8>>) {
        if self.io.exit.is_some() {
            return;
        }
        if let Kind::Pub(p) = &mut self.kind {
            p.on_line(&mut self.io, now, line);
        }
    }

    /// What Ctrl-C does to this tool (see [`CtrlC`]).
    pub fn ctrl_c(&self) -> CtrlC {
        match self.kind {
            Kind::Sub(_) => CtrlC::Disconnect,
            Kind::Pub(_) | Kind::Rr(_) => CtrlC::Abort,
        }
    }

    /// Ctrl-C (SIGINT), as [`Tool::ctrl_c`] says.
    pub fn handle_interrupt(&mut self, now: Instant) {
        if self.io.exit.is_some() {
            return;
        }
        match (self.ctrl_c(), &mut self.kind) {
            (CtrlC::Disconnect, Kind::Sub(s)) => s.on_interrupt(&mut self.io, now),
            _ => {
                self.io.actions.push_back(Action::Abort);
                self.io.finish(EXIT_INTERRUPTED);
            }
        }
    }

    /// The deadline from [`Tool::poll_timeout`] arrived.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.io.exit.is_some() {
            return;
        }
        for timer in self.io.expired(now) {
            match &mut self.kind {
                Kind::Pub(p) => p.on_timer(&mut self.io, now, timer),
                Kind::Sub(s) => s.on_timer(&mut self.io, now, timer),
                Kind::Rr(r) => r.on_timer(&mut self.io, now, timer),
            }
        }
    }

    /// The next thing to do, or `None`.
    pub fn poll_action(&mut self) -> Option<Action> {
        self.io.actions.pop_front()
    }

    /// The next bytes written, or `None`.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.io.outputs.pop_front()
    }

    /// When [`Tool::handle_timeout`] must be called next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.io.next_timer()
    }

    /// The exit code once the program has ended.
    pub fn exit_code(&self) -> Option<i32> {
        self.io.exit
    }
}

/// The client id the tools use: `-i`, else `-I` with the process id, else none
/// (the broker assigns one; under `-V mqttv31`, `mosq-` and the process id).
/// `fallback` names a client when it would otherwise be empty (the simulator's
/// broker lanes need a name); pass `None` to send an empty id as mosquitto 2.0 does.
pub fn client_id(
    common: &cli::CommonArgs,
    process_id: u32,
    fallback: Option<&mut dyn FnMut() -> String>,
) -> String {
    let id = common.effective_client_id(process_id);
    match fallback {
        Some(f) if id.is_empty() => f(),
        _ => id,
    }
}
