//! A sans-IO MQTT 3.1.1 broker.
//!
//! The broker does no I/O and reads no clock. Its driver (the simulator, the native
//! server, a test) tells it what happened with `handle_*` methods, every one taking
//! the current time, and after every call drains [`Broker::poll_output`] until it
//! returns `None`, then asks [`Broker::poll_timeout`] when to call
//! [`Broker::handle_timeout`] next:
//!
//! ```
//! use mqttlab_core::broker::{Broker, BrokerConfig, ConnId, Output, PeerAddr};
//! use mqttlab_core::codec::{Connect, Packet, Protocol};
//! use mqttlab_core::time::Instant;
//!
//! let mut broker = Broker::new(BrokerConfig::default());
//! let now = Instant::from_secs(0);
//! let conn = ConnId(1);
//! broker.handle_connection_opened(now, conn, PeerAddr::new("172.17.0.2", 40156));
//!
//! let mut bytes = Vec::new();
//! Packet::Connect(Connect {
//!     protocol: Protocol::V311,
//!     clean_session: true,
//!     keep_alive: 60,
//!     client_id: "sensor1".into(),
//!     will: None,
//!     login: None,
//! })
//! .encode(&mut bytes)
//! .unwrap();
//! broker.handle_bytes(now, conn, &bytes);
//!
//! let mut log = Vec::new();
//! while let Some(out) = broker.poll_output() {
//!     match out {
//!         Output::Transmit(t) => { /* write t.bytes to connection t.conn */ }
//!         Output::Close { conn, .. } => { /* close that socket */ }
//!         Output::Log(line) => log.push(line.text),
//!         Output::Event(_) => {}
//!     }
//! }
//! assert_eq!(log[1], "New client connected from 172.17.0.2:40156 as sensor1 (p2, c1, k60).");
//! assert_eq!(log[3], "Sending CONNACK to sensor1 (0, 0)");
//! // No packet for 1.5 x 60 s: the broker wants to be woken then.
//! assert_eq!(broker.poll_timeout(), Some(Instant::from_secs(90)));
//! ```
//!
//! Everything the broker keeps is in ordered containers (`BTreeMap`, `Vec`), so the
//! same inputs give the same outputs in the same order, on every platform.
//!
//! ## Log and behaviour compared with mosquitto 2.0.11
//!
//! The log lines are mosquitto 2.0's, checked by differential tests that run the
//! same clients against `mosquitto -v` (`tests/tests/broker_interop.rs`,
//! `tests/tests/broker_raw.rs`). Where mosquitto departs from MQTT 3.1.1 this
//! broker follows the standard:
//!
//! - a wrong user name or password gets CONNACK 4 (mosquitto 2.0 answers 5);
//! - the will is published when a second CONNECT closes the connection
//!   (MQTT-3.1.2-8; mosquitto discards it);
//! - the keep-alive timeout fires at exactly 1.5 x keep alive (mosquitto checks
//!   periodically and can be seconds late); so does the CONNECT timeout
//!   ([`BrokerConfig::connect_timeout`], 90 s: mosquitto closed a silent socket
//!   after 95 s);
//! - an ACL that refuses a subscription answers SUBACK 0x80 (as mosquitto's
//!   dynamic-security plugin; its plain `acl_file` grants it). ACL rules, `deny`
//!   among them, are checked in order, the first that speaks deciding
//!   (`acl.rs`, `tests/tests/broker_acl.rs`).
//!
//! [`BrokerConfig::resend_timeout`] turns on the course text's model of resending
//! on an acknowledgement timeout; MQTT 3.1.1 resends only when a session resumes.
//! [`BrokerConfig::hold_acks`] turns on flow control for publishers (`flow.rs`):
//! off by default everywhere, as in mosquitto.
//!
//! The limits (a slow or stalled subscriber, what one client can make the broker
//! keep) are in `limits.rs`, with the 3.1.1 behaviour and the MQTT 5.0 reason
//! code of each.

mod acl;
mod config;
mod connect;
mod connection;
mod delivery;
mod event;
mod flow;
mod inflight;
mod limits;
mod log;
mod message;
mod publish;
mod retained;
mod session;
mod state;
mod subscribe;
mod subscriptions;
mod timer;
mod will;

use std::collections::{BTreeMap, BTreeSet, VecDeque};

pub use acl::{filter_covers, Access, Acl, AclRule, AclSubject};
pub use config::BrokerConfig;
pub use connection::{ConnId, PeerAddr};
pub use event::{BrokerEvent, CloseReason, DropReason, ResendReason};
pub use inflight::{IncomingQos2, OutStage, Outgoing, OutgoingWindow};
pub use limits::{BrokerStats, Limit};
pub use log::LogLine;
pub use message::Message;
pub use retained::{RetainChange, RetainedStore};
pub use session::Session;
pub use state::{ConnectionInfo, InflightInfo, SessionInfo};
pub use subscriptions::SubscriptionStore;
pub use timer::{Timer, Timers};

use crate::codec::{DecodeError, DecodeErrorKind, Packet, PacketType};
use crate::rng::SplitMix64;
use crate::time::Instant;
use connection::Connection;

/// One packet for one connection: its exact bytes, and the packet they encode so
/// that traces and diagrams need not decode them again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    /// Where to send it.
    pub conn: ConnId,
    /// The packet.
    pub packet: Packet,
    /// Its bytes on the wire.
    pub bytes: Vec<u8>,
}

/// What the broker asks its driver to do, or tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Send these bytes.
    Transmit(Transmit),
    /// Close this connection (after sending what was queued for it). Not emitted
    /// for a connection the driver reported closed or failed.
    Close {
        /// The connection.
        conn: ConnId,
        /// Why.
        reason: CloseReason,
    },
    /// A `mosquitto -v` style log line.
    Log(LogLine),
    /// Something that happened, as data.
    Event(BrokerEvent),
}

/// The broker. See the [module documentation](self) for the run loop.
#[derive(Debug, Clone)]
pub struct Broker {
    config: BrokerConfig,
    rng: SplitMix64,
    conns: BTreeMap<ConnId, Connection>,
    sessions: BTreeMap<String, Session>,
    subs: SubscriptionStore,
    retained: RetainedStore,
    /// Every connection's next deadline, earliest first: `poll_timeout` and
    /// `handle_timeout` need not visit every connection.
    schedule: BTreeSet<(Instant, ConnId)>,
    out: VecDeque<Output>,
    /// While a QoS 1 PUBLISH is routed with `hold_acks`: the PUBACK its queued
    /// copies hold, and how many copies were queued.
    routing_hold: Option<(ConnId, u64)>,
    held_copies: usize,
    stats: BrokerStats,
}

impl Broker {
    /// A broker with no connections, sessions or retained messages.
    pub fn new(config: BrokerConfig) -> Self {
        Broker {
            rng: SplitMix64::new(config.seed),
            config,
            conns: BTreeMap::new(),
            sessions: BTreeMap::new(),
            subs: SubscriptionStore::default(),
            retained: RetainedStore::default(),
            schedule: BTreeSet::new(),
            out: VecDeque::new(),
            routing_hold: None,
            held_copies: 0,
            stats: BrokerStats::default(),
        }
    }

    /// The configuration it runs with.
    pub fn config(&self) -> &BrokerConfig {
        &self.config
    }

    // ---- inputs ----

    /// A transport connection opened. `conn` must not be in use.
    pub fn handle_connection_opened(&mut self, now: Instant, conn: ConnId, peer: PeerAddr) {
        let port = self.config.listener_port;
        self.handle_connection_opened_on(now, conn, peer, port);
    }

    /// [`handle_connection_opened`](Self::handle_connection_opened) for a broker
    /// with several listeners: `listener_port` is the one the client connected to,
    /// for the log.
    pub fn handle_connection_opened_on(
        &mut self,
        now: Instant,
        conn: ConnId,
        peer: PeerAddr,
        listener_port: u16,
    ) {
        self.log(now, || log::new_connection(&peer, listener_port));
        self.event(BrokerEvent::ConnectionOpened {
            conn,
            peer: peer.clone(),
        });
        if self.too_many_from(now, conn, &peer) {
            return;
        }
        let mut c = Connection::new(peer, self.config.max_packet_size);
        if let Some(grace) = self.config.connect_timeout {
            c.timers.set(Timer::Connect, now + grace);
        }
        self.conns.insert(conn, c);
        self.reschedule(conn);
    }

    /// The transport of `conn` took `n` more of the bytes transmitted to it (a
    /// socket write returned, a link accepted a frame). Only meaningful with
    /// [`BrokerConfig::socket_feedback`]: what the transport has not taken counts
    /// against the client's limits (see `limits.rs`).
    pub fn handle_sent(&mut self, _now: Instant, conn: ConnId, n: usize) {
        self.sent(conn, n);
    }

    /// Bytes arrived on a connection, in pieces of any size. Bytes for an unknown or
    /// closed connection are ignored.
    pub fn handle_bytes(&mut self, now: Instant, conn: ConnId, bytes: &[u8]) {
        let Some(c) = self.conns.get_mut(&conn) else {
            return;
        };
        c.decoder.push(bytes);
        loop {
            let Some(c) = self.conns.get_mut(&conn) else {
                return;
            };
            // Remember the first byte of the packet about to be decoded, to name
            // its type should its body be malformed. A packet that began in an
            // earlier piece had its first byte noted then.
            let buffered = c.decoder.buffered();
            if buffered > 0 && buffered <= bytes.len() {
                c.next_first_byte = Some(bytes[bytes.len() - buffered]);
            }
            match c.decoder.next_packet() {
                Ok(Some(packet)) => self.handle_packet(now, conn, packet),
                Ok(None) => return,
                Err(e) => {
                    self.decode_error(now, conn, e);
                    return;
                }
            }
        }
    }

    /// A decoded packet arrived on a connection: for drivers that work with packets
    /// rather than bytes. Packets for an unknown connection are ignored.
    pub fn handle_packet(&mut self, now: Instant, conn: ConnId, packet: Packet) {
        let Some(c) = self.conns.get_mut(&conn) else {
            return;
        };
        c.touch(now);
        // A complete first packet ends the wait for CONNECT: a CONNECT is answered,
        // anything else is a protocol error that closes the connection.
        c.timers.clear(Timer::Connect);
        let client_id = c.client_id.clone();
        self.reschedule(conn);
        let Some(client_id) = client_id else {
            return match packet {
                Packet::Connect(connect) => self.on_connect(now, conn, connect),
                other => self.protocol_error(
                    now,
                    conn,
                    format!(
                        "the first packet must be CONNECT, not {}",
                        other.packet_type()
                    ),
                    "MQTT-3.1.0-1",
                    false,
                ),
            };
        };
        match packet {
            Packet::Connect(_) => {
                self.log(now, || {
                    format!("Bad client {client_id} sending multiple CONNECT messages.")
                });
                self.protocol_error(
                    now,
                    conn,
                    "a second CONNECT on the same connection".into(),
                    "MQTT-3.1.0-2",
                    false,
                );
            }
            Packet::Publish(p) => self.on_publish(now, conn, &client_id, p),
            Packet::Puback(pid) => self.on_puback(now, &client_id, pid),
            Packet::Pubrec(pid) => self.on_pubrec(now, conn, &client_id, pid),
            Packet::Pubrel(pid) => self.on_pubrel(now, conn, &client_id, pid),
            Packet::Pubcomp(pid) => self.on_pubcomp(now, &client_id, pid),
            Packet::Subscribe(s) => self.on_subscribe(now, conn, &client_id, s),
            Packet::Unsubscribe(u) => self.on_unsubscribe(now, conn, &client_id, u),
            Packet::Pingreq => {
                self.log(now, || format!("Received PINGREQ from {client_id}"));
                self.send(now, conn, &client_id, Packet::Pingresp);
            }
            Packet::Disconnect => {
                self.log(now, || format!("Received DISCONNECT from {client_id}"));
                self.log(now, || format!("Client {client_id} disconnected."));
                self.end_connection(now, conn, CloseReason::Disconnect);
            }
            Packet::Connack(_) | Packet::Suback(_) | Packet::Unsuback(_) | Packet::Pingresp => {
                self.protocol_error(
                    now,
                    conn,
                    format!("a client must not send {}", packet.packet_type()),
                    "§4.8",
                    false,
                );
            }
        }
    }

    /// The transport closed or reset without DISCONNECT: the will is published.
    pub fn handle_connection_closed(&mut self, now: Instant, conn: ConnId) {
        let Some(c) = self.conns.get(&conn) else {
            return;
        };
        let text = format!("Client {} closed its connection.", c.log_name());
        self.log(now, || text);
        self.end_connection(now, conn, CloseReason::PeerClosed);
    }

    /// The transport failed (connection reset, read error): like a close without
    /// DISCONNECT, logged as mosquitto logs a socket error. The will is published.
    pub fn handle_connection_error(&mut self, now: Instant, conn: ConnId) {
        let Some(c) = self.conns.get(&conn) else {
            return;
        };
        let text = format!("Socket error on client {}, disconnecting.", c.log_name());
        self.log(now, || text);
        self.end_connection(now, conn, CloseReason::SocketError);
    }

    /// Time passed: fires CONNECT and keep-alive timeouts and teaching-mode resends
    /// due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        let due: Vec<(ConnId, bool, bool, bool)> = self
            .schedule
            .iter()
            .take_while(|(at, _)| *at <= now)
            .filter_map(|(_, id)| {
                let c = self.conns.get(id)?;
                Some((
                    *id,
                    c.timers.is_due(Timer::Connect, now),
                    c.timers.is_due(Timer::KeepAlive, now),
                    c.timers.is_due(Timer::Resend, now),
                ))
            })
            .collect();
        for (conn, connect, keepalive, resend) in due {
            if connect {
                // mosquitto words it as a keep-alive timeout: before CONNECT it
                // applies a default keep alive of 60 s.
                self.log(now, || {
                    "Client <unknown> has exceeded timeout, disconnecting.".to_owned()
                });
                self.end_connection(now, conn, CloseReason::ConnectTimeout);
            } else if keepalive {
                let name = self.conns[&conn].log_name().to_owned();
                self.log(now, || {
                    format!("Client {name} has exceeded timeout, disconnecting.")
                });
                self.end_connection(now, conn, CloseReason::KeepAliveTimeout);
            } else if resend {
                self.resend_overdue(now, conn);
            }
        }
    }

    // ---- outputs ----

    /// The next output, `None` when drained.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.out.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) must be called next, if ever.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.schedule.first().map(|(at, _)| *at)
    }

    // ---- helpers shared by the handler files ----

    /// Brings the schedule in line with the connection's timers after they changed.
    fn reschedule(&mut self, conn: ConnId) {
        let Some(c) = self.conns.get_mut(&conn) else {
            return;
        };
        let next = c.timers.next();
        if next != c.scheduled {
            if let Some(old) = c.scheduled {
                self.schedule.remove(&(old, conn));
            }
            if let Some(new) = next {
                self.schedule.insert((new, conn));
            }
            c.scheduled = next;
        }
    }

    /// Queues a log line; the text is only built when logging is on.
    fn log(&mut self, now: Instant, text: impl FnOnce() -> String) {
        if self.config.log {
            let text = text();
            self.out.push_back(Output::Log(LogLine { time: now, text }));
        }
    }

    fn event(&mut self, e: BrokerEvent) {
        if self.config.events {
            self.out.push_back(Output::Event(e));
        }
    }

    /// Logs `Sending <TYPE> to <name>...` the way mosquitto words each type, and
    /// queues the packet's bytes.
    fn send(&mut self, now: Instant, conn: ConnId, name: &str, packet: Packet) {
        self.log(now, || match &packet {
            Packet::Connack(c) => format!(
                "Sending CONNACK to {name} ({}, {})",
                u8::from(c.session_present),
                c.code.as_u8()
            ),
            Packet::Publish(p) => format!("Sending PUBLISH to {name} {}", log::publish_details(p)),
            Packet::Puback(m) => format!("Sending PUBACK to {name} (m{m}, rc0)"),
            Packet::Pubrec(m) => format!("Sending PUBREC to {name} (m{m}, rc0)"),
            Packet::Pubrel(m) => format!("Sending PUBREL to {name} (m{m})"),
            Packet::Pubcomp(m) => format!("Sending PUBCOMP to {name} (m{m})"),
            other => format!("Sending {} to {name}", other.packet_type()),
        });
        self.transmit(conn, packet);
    }

    fn transmit(&mut self, conn: ConnId, packet: Packet) {
        let mut bytes = Vec::with_capacity(packet.encoded_len());
        // The broker only builds packets the wire can carry (topics and payloads
        // come from decoded packets); should encoding still fail, nothing is sent
        // rather than half a packet.
        if packet.encode(&mut bytes).is_err() {
            return;
        }
        if self.config.socket_feedback {
            if let Some(c) = self.conns.get_mut(&conn) {
                let qos0 = match &packet {
                    Packet::Publish(p) if p.qospid.pid().is_none() => Some(p.payload.len()),
                    _ => None,
                };
                c.unsent.transmitted(bytes.len(), qos0);
            }
        }
        self.out.push_back(Output::Transmit(Transmit {
            conn,
            packet,
            bytes,
        }));
    }

    fn decode_error(&mut self, now: Instant, conn: ConnId, e: DecodeError) {
        let ip = self.conns[&conn].peer.ip.clone();
        if let DecodeErrorKind::UnsupportedProtocol { name, level } = &e.kind {
            if let Some(code) = e.connack_code() {
                self.log(now, || {
                    format!("Invalid protocol version {level} in CONNECT from {ip}.")
                });
                self.send(
                    now,
                    conn,
                    &ip,
                    Packet::Connack(crate::codec::Connack {
                        session_present: false,
                        code,
                    }),
                );
                self.event(BrokerEvent::ConnectionRefused { conn, code });
            } else {
                self.log(now, || {
                    format!("Invalid protocol \"{name}\" in CONNECT from {ip}.")
                });
            }
            return self.protocol_error(now, conn, e.to_string(), e.kind.rule(), false);
        }
        // mosquitto logs "Received SUBSCRIBE/UNSUBSCRIBE" before it reads the body,
        // so a malformed one is announced first.
        let framed = !matches!(
            e.kind,
            DecodeErrorKind::ReservedPacketType(_)
                | DecodeErrorKind::RemainingLengthTooLong
                | DecodeErrorKind::PacketTooLarge { .. }
        );
        let c = &self.conns[&conn];
        if let (true, Some(id), Some(first)) = (framed, c.client_id.clone(), c.next_first_byte) {
            if let Some(t @ (PacketType::Subscribe | PacketType::Unsubscribe)) =
                PacketType::from_nibble(first >> 4)
            {
                self.log(now, || format!("Received {t} from {id}"));
            }
        }
        // mosquitto tells "protocol error" from "malformed packet"; the event and
        // the close reason carry the exact rule either way.
        let malformed = !matches!(
            e.kind,
            DecodeErrorKind::ReservedPacketType(_) | DecodeErrorKind::Topic(..)
        );
        self.protocol_error(now, conn, e.to_string(), e.kind.rule(), malformed);
    }

    /// Closes a connection for a protocol violation; its will is published.
    fn protocol_error(
        &mut self,
        now: Instant,
        conn: ConnId,
        reason: String,
        rule: &'static str,
        malformed: bool,
    ) {
        let Some(c) = self.conns.get(&conn) else {
            return;
        };
        let name = c.log_name().to_owned();
        let client_id = c.client_id.clone();
        let what = if malformed {
            "malformed packet"
        } else {
            "protocol error"
        };
        self.log(now, || format!("Client {name} disconnected due to {what}."));
        self.event(BrokerEvent::ProtocolError {
            conn,
            client_id,
            reason: reason.clone(),
            rule,
        });
        self.end_connection(now, conn, CloseReason::ProtocolError(reason));
    }

    /// Forgets a connection: publishes or discards its will, ends a clean session
    /// or leaves a persistent one offline, and (unless the peer closed it) tells the
    /// driver to close it.
    fn end_connection(&mut self, now: Instant, conn: ConnId, reason: CloseReason) {
        let Some(c) = self.conns.remove(&conn) else {
            return;
        };
        if let Some(at) = c.scheduled {
            self.schedule.remove(&(at, conn));
        }
        if let Some(client_id) = &c.client_id {
            // The session goes offline first: the will is published once the
            // connection is gone (MQTT-3.1.2-8), so a copy for the client itself
            // is queued or dropped like any message to an offline session, never
            // sent on the connection that just closed.
            let mut released = Vec::new();
            if let Some(s) = self.sessions.get_mut(client_id) {
                if s.conn == Some(conn) {
                    s.conn = None;
                    // An offline subscriber holds back no publisher.
                    released = s.holds.release_all();
                    if s.clean {
                        self.sessions.remove(client_id);
                        self.subs.remove_client(client_id);
                    }
                }
            }
            for hold in released {
                self.release_hold(now, hold);
            }
            if let Some(will) = c.will {
                if reason.is_graceful() {
                    self.event(BrokerEvent::WillDiscarded {
                        client_id: client_id.clone(),
                    });
                } else {
                    self.publish_will(now, client_id, c.username.as_deref(), will);
                }
            }
        }
        if !matches!(reason, CloseReason::PeerClosed | CloseReason::SocketError) {
            self.out.push_back(Output::Close {
                conn,
                reason: reason.clone(),
            });
        }
        self.event(BrokerEvent::Disconnected {
            conn,
            client_id: c.client_id,
            graceful: reason.is_graceful(),
            reason,
        });
    }
}
