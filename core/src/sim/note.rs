//! What the simulator notes in the trace, as data.
//!
//! A note is a typed value with its parameters ("TCP gave up after 5
//! retransmissions on connection #1" is [`Note::TcpGaveUp`] with those two
//! numbers), never a sentence to be parsed. Core's one English rendering is each
//! type's `Display`: it is what `mqttlab run --verbose`, the text trace (and so
//! the trace hash) and the JSON trace show. A front end that speaks another
//! language renders the values itself, with a `match` that has a case for every
//! variant, so a new note without a translation does not compile.

use core::fmt;
use core::time::Duration;

use crate::client::DisconnectReason;
use crate::codec::ConnectReturnCode;

use super::fault::FaultAction;
use super::link::LinkOption;
use super::node::{AppSummary, Esp32Profile};

/// Something that happened to a node: a state change, a control pressed, a timer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Note {
    /// A program was started on the node (`$ mosquitto_sub -t x`).
    Started(AppSummary),
    /// CONNACK 0 arrived.
    Connected {
        /// The CONNACK's session-present flag.
        session_present: bool,
    },
    /// CONNACK refused the connection with this code.
    ConnackRefused(ConnectReturnCode),
    /// The MQTT connection ended.
    Disconnected(Disconnect),
    /// The program connects to a port the broker does not listen on.
    WrongPort {
        /// The broker's port.
        listening: u16,
        /// The port the program asked for.
        port: u16,
    },
    /// The program's `-h` names no broker this node reaches.
    NoBrokerAt {
        /// The host as typed.
        host: String,
        /// What that host is, seen from the node.
        what: HostMiss,
    },
    /// A connection was asked for while the Wi-Fi is down.
    NoWifi,
    /// The program ended.
    Exited,
    /// Ctrl-C: the program sends DISCONNECT and exits.
    Interrupted,
    /// Ctrl-C killed the program (mosquitto_pub sets no signal handler): its
    /// socket closes without DISCONNECT.
    Aborted,
    /// The host was killed: its socket closes without DISCONNECT.
    Killed,
    /// The host vanished without a FIN: its connection is half-open.
    GoneSilently,
    /// The link carries nothing until healed.
    Partitioned,
    /// The link carries again.
    Healed,
    /// The link's characteristics changed (empty: set to what they were).
    LinkChanged(Vec<LinkOption>),
    /// The Wi-Fi is down for this long.
    WifiDown(Duration),
    /// The Wi-Fi is back.
    WifiUp,
    /// A segment was lost more times in a row than the link allows: TCP reset
    /// the connection.
    TcpGaveUp {
        /// The link's bound on retransmissions.
        retransmissions: u32,
        /// The connection reset.
        conn: u64,
    },
    /// An actuator (or a firmware's output) switched.
    Switched {
        /// On or off.
        on: bool,
    },
    /// A controller switched its heater: the reading that made it, against its
    /// set point.
    Heater {
        /// The temperature read.
        reading: Reading,
        /// The set point.
        setpoint: Reading,
        /// Whether it switched the heater on.
        on: bool,
    },
    /// A responder answered a request on its Response Topic (MQTT 5.0
    /// request/response).
    Answered {
        /// The Response Topic the answer went to.
        topic: String,
    },
    /// A stalled client reads again.
    ReadsAgain {
        /// The client node.
        client: String,
        /// How many packets had waited for it.
        packets: usize,
    },
    /// A firmware's MQTT library connected.
    LibraryConnected(Esp32Profile),
    /// A firmware's outbox sends a message on this topic again after reconnecting.
    OutboxResend {
        /// The message's topic.
        topic: String,
    },
    /// A firmware's MQTT library saw its connection end for this reason.
    LibraryDisconnected(DisconnectReason),
}

/// A number a node read (a temperature), compared bit for bit so that notes can
/// be `Eq`.
#[derive(Debug, Clone, Copy)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Reading(pub f64);

impl PartialEq for Reading {
    fn eq(&self, other: &Self) -> bool {
        self.0.to_bits() == other.0.to_bits()
    }
}

impl Eq for Reading {}

/// What a host name typed after `-h` turned out to be, when it is not the
/// node's broker (`world/hosts.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum HostMiss {
    /// `localhost` (or the node's own name or address): the node itself,
    /// which runs no broker. Connection refused.
    Itself,
    /// Another client host: up, but nothing listens on the port. Connection
    /// refused.
    NotABroker,
    /// A broker, but not the one this node's link goes to (named here).
    OtherBroker(String),
    /// No node has this name: the lookup fails.
    UnknownName,
    /// An address no node has: no route to it.
    UnknownAddress,
}

/// Why a client node's MQTT connection ended, as its note says.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Disconnect {
    /// The node's Wi-Fi went down under it.
    WifiLost,
    /// TCP reset the connection (too many retransmissions).
    TcpReset,
    /// What the MQTT client reported.
    Client(DisconnectReason),
}

impl fmt::Display for Disconnect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Disconnect::WifiLost => f.write_str("the Wi-Fi connection was lost"),
            Disconnect::TcpReset => f.write_str("connection reset: TCP gave up"),
            Disconnect::Client(r) => write!(f, "{r}"),
        }
    }
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::Started(app) => write!(f, "$ {app}"),
            Note::Connected { session_present } => write!(
                f,
                "connected (session present: {})",
                u8::from(*session_present)
            ),
            Note::ConnackRefused(code) => write!(f, "CONNACK refused: {code}"),
            Note::Disconnected(why) => write!(f, "disconnected: {why}"),
            Note::WrongPort { listening, port } => write!(
                f,
                "connection refused: the broker listens on port {listening}, not {port}"
            ),
            Note::NoBrokerAt { host, what } => match what {
                HostMiss::Itself => write!(
                    f,
                    "connection refused: {host} is this node, which runs no broker (-h names the broker)"
                ),
                HostMiss::NotABroker => {
                    write!(f, "connection refused: {host} runs no broker")
                }
                HostMiss::OtherBroker(mine) => write!(
                    f,
                    "no route to {host}: this node's link goes to {mine}"
                ),
                HostMiss::UnknownName => write!(f, "cannot connect: no host is named {host}"),
                HostMiss::UnknownAddress => {
                    write!(f, "no route to {host}: no host has that address")
                }
            },
            Note::NoWifi => f.write_str("cannot connect: Wi-Fi is down"),
            Note::Exited => f.write_str("program exited"),
            Note::Interrupted => f.write_str("interrupted (Ctrl-C): DISCONNECT"),
            Note::Aborted => {
                f.write_str("interrupted (Ctrl-C): the socket is closed without DISCONNECT")
            }
            Note::Killed => f.write_str("killed: the socket is closed without DISCONNECT"),
            Note::GoneSilently => f.write_str("gone silently: no FIN, the connection is half-open"),
            Note::Partitioned => f.write_str("network partition: nothing gets through"),
            Note::Healed => f.write_str("network healed"),
            Note::LinkChanged(changes) if changes.is_empty() => f.write_str("link: unchanged"),
            Note::LinkChanged(changes) => {
                f.write_str("link: ")?;
                for (i, c) in changes.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{c}")?;
                }
                Ok(())
            }
            Note::WifiDown(d) => write!(f, "Wi-Fi down for {}s", d.as_secs_f32()),
            Note::WifiUp => f.write_str("Wi-Fi up"),
            Note::TcpGaveUp {
                retransmissions,
                conn,
            } => write!(
                f,
                "TCP gave up after {retransmissions} retransmissions: connection #{conn} reset"
            ),
            Note::Switched { on: true } => f.write_str("switched on"),
            Note::Switched { on: false } => f.write_str("switched off"),
            Note::Heater {
                reading,
                setpoint,
                on,
            } => write!(
                f,
                "{:.1} against {:.1}: heater {}",
                reading.0,
                setpoint.0,
                if *on { "on" } else { "off" }
            ),
            Note::Answered { topic } => write!(f, "answered on {topic}"),
            Note::ReadsAgain { client, packets: 1 } => {
                write!(f, "{client} reads again: 1 packet had waited for it")
            }
            Note::ReadsAgain { client, packets } => write!(
                f,
                "{client} reads again: {packets} packets had waited for it"
            ),
            Note::LibraryConnected(profile) => write!(f, "MQTT connected ({})", profile.name()),
            Note::OutboxResend { topic } => write!(f, "outbox: sending {topic} again"),
            Note::LibraryDisconnected(r) => write!(f, "MQTT disconnected: {r}"),
        }
    }
}

/// Why a packet was delayed, copied or lost on its way, beside it in the trace.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PacketNote {
    /// What acted on it, if anything did besides loss.
    pub cause: Option<PacketCause>,
    /// How many times TCP sent it again before it arrived.
    pub retransmissions: u32,
}

/// What acted on a packet.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum PacketCause {
    /// A fault rule (as the scenario wrote it) dropped it.
    DroppedByFault {
        /// The rule.
        rule: String,
    },
    /// A fault rule delayed it.
    DelayedByFault {
        /// The rule.
        rule: String,
    },
    /// The copy a duplicating fault rule sent.
    DuplicateMade,
    /// That copy, arriving.
    Duplicate,
    /// Its receiver vanished silently (half-open connection).
    ClientGone,
    /// Its receiver's Wi-Fi is down.
    WifiDown,
    /// Its connection no longer exists on the client.
    NoConnection,
    /// The broker had closed its connection (at a keep-alive timeout, a
    /// takeover, a restart): a closed socket's data is never read.
    BrokerClosed,
    /// Too large for the client library's buffer, discarded unread.
    TooBig {
        /// Its size in bytes.
        len: usize,
    },
}

impl PacketNote {
    /// A note with a cause and no retransmissions.
    pub fn cause(cause: PacketCause) -> Self {
        PacketNote {
            cause: Some(cause),
            retransmissions: 0,
        }
    }
}

impl fmt::Display for PacketCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PacketCause::DroppedByFault { rule } => f.write_str(rule),
            PacketCause::DelayedByFault { rule } => write!(f, "delayed by fault \"{rule}\""),
            PacketCause::DuplicateMade => f.write_str("duplicate made by a fault rule"),
            PacketCause::Duplicate => f.write_str("duplicate"),
            PacketCause::ClientGone => f.write_str("the client is gone (half-open connection)"),
            PacketCause::WifiDown => f.write_str("the client's Wi-Fi is down"),
            PacketCause::NoConnection => f.write_str("no such connection on the client any more"),
            PacketCause::BrokerClosed => f.write_str("the broker had closed this connection"),
            PacketCause::TooBig { len } => write!(
                f,
                "{len} bytes do not fit the client library's buffer: discarded"
            ),
        }
    }
}

impl fmt::Display for PacketNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.cause, self.retransmissions) {
            (Some(c), 0) => write!(f, "{c}"),
            (Some(c), n) => write!(f, "{c}; lost and retransmitted {n}x"),
            (None, n) => write!(f, "lost and retransmitted {n}x"),
        }
    }
}

/// What a fault rule did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum FaultEvent {
    /// It was armed (from a scenario action or typed in the page).
    Armed,
    /// It was taken away (a fork's change) and acts no more.
    Disarmed,
    /// It acted on a packet.
    Acted {
        /// What it did.
        action: FaultAction,
        /// The packet's summary (`PUBACK m1`).
        packet: String,
        /// Its sender node.
        from: String,
        /// Its receiver node.
        to: String,
    },
    /// A slow-consumer rule: the client stopped reading; what the broker sends
    /// waits in its TCP receive window.
    NotReading {
        /// The client node.
        client: String,
        /// Its receive window, bytes.
        window: usize,
    },
    /// That window is full: the broker's socket keeps the rest, counted against
    /// the client's limits.
    WindowFull {
        /// The client node.
        client: String,
    },
}

impl FaultAction {
    /// The past tense the trace uses: `dropped`, `delayed`, `duplicated`.
    pub fn done(self) -> &'static str {
        match self {
            FaultAction::Drop => "dropped",
            FaultAction::Delay(_) => "delayed",
            FaultAction::Duplicate => "duplicated",
            FaultAction::Stall { .. } => "held",
            FaultAction::Misbehave(super::fault::Misbehaviour::Forget) => "did not send",
            FaultAction::Misbehave(_) => "sent wrong",
        }
    }
}

impl fmt::Display for FaultEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FaultEvent::Armed => f.write_str("armed"),
            FaultEvent::Disarmed => f.write_str("disarmed"),
            FaultEvent::Acted {
                action,
                packet,
                from,
                to,
            } => write!(f, "{} {packet} {from} -> {to}", action.done()),
            FaultEvent::NotReading { client, window } => write!(
                f,
                "{client} is not reading: what the broker sends waits in its TCP receive window ({window} bytes)"
            ),
            FaultEvent::WindowFull { client } => write!(
                f,
                "{client}'s receive window is full: the broker's socket keeps the rest, counted against {client}'s limits"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_read_as_the_trace_always_wrote_them() {
        let cases: [(Note, &str); 8] = [
            (
                Note::Connected {
                    session_present: true,
                },
                "connected (session present: 1)",
            ),
            (
                Note::Disconnected(Disconnect::Client(DisconnectReason::PingTimeout)),
                "disconnected: no PINGRESP from the broker (keep alive)",
            ),
            (
                Note::Disconnected(Disconnect::TcpReset),
                "disconnected: connection reset: TCP gave up",
            ),
            (
                Note::TcpGaveUp {
                    retransmissions: 5,
                    conn: 1,
                },
                "TCP gave up after 5 retransmissions: connection #1 reset",
            ),
            (Note::LinkChanged(Vec::new()), "link: unchanged"),
            (
                Note::LinkChanged(vec![
                    LinkOption::Latency(Duration::from_millis(300)),
                    LinkOption::Loss(100_000),
                ]),
                "link: latency 300ms, loss 10%",
            ),
            (
                Note::WifiDown(Duration::from_millis(2500)),
                "Wi-Fi down for 2.5s",
            ),
            (
                Note::OutboxResend { topic: "t".into() },
                "outbox: sending t again",
            ),
        ];
        for (note, text) in cases {
            assert_eq!(note.to_string(), text);
        }
    }

    #[test]
    fn packet_notes_join_a_cause_and_retransmissions() {
        let rule = "delay next PUBREC by 5s".to_string();
        let mut n = PacketNote::cause(PacketCause::DelayedByFault { rule });
        assert_eq!(
            n.to_string(),
            "delayed by fault \"delay next PUBREC by 5s\""
        );
        n.retransmissions = 2;
        assert_eq!(
            n.to_string(),
            "delayed by fault \"delay next PUBREC by 5s\"; lost and retransmitted 2x"
        );
        n.cause = None;
        assert_eq!(n.to_string(), "lost and retransmitted 2x");
        let acted = FaultEvent::Acted {
            action: FaultAction::Drop,
            packet: "PUBACK m1".into(),
            from: "broker".into(),
            to: "client1".into(),
        };
        assert_eq!(acted.to_string(), "dropped PUBACK m1 broker -> client1");
    }
}
