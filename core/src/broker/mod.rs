//! A sans-IO MQTT broker for 3.1, 3.1.1 and 5.0 clients at once.
//!
//! It thinks in the 5.0 model: each connection decodes and encodes at the level
//! of its CONNECT, a 3.1.1 packet reads as the 5.0 packet with no properties
//! and Success codes, and a 3.1.1 receiver gets what 3.1.1 can carry
//! ([`crate::codec::convert`]). The 5.0 behaviour is in the files named for it:
//! `connect.rs` (Clean Start, Session Expiry, CONNACK properties from
//! `v5_config.rs`), `disconnect.rs`, `topic_alias.rs`, `will.rs` (Will Delay),
//! `message.rs` (Message Expiry, forwarded properties), `subscriptions.rs`
//! (subscription options, identifiers, shared subscriptions), `delivery.rs`
//! (Receive Maximum and Maximum Packet Size toward the client).
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
//!   (`acl.rs`, `tests/tests/broker_acl.rs`);
//! - enhanced authentication (SCRAM-SHA-256, `enhanced_auth.rs`; mosquitto
//!   has no method of its own): a failed re-authentication ends with DISCONNECT
//!   0x87 (MQTT-4.12.1-2), where mosquitto 2.0.11 sends a CONNACK on the live
//!   connection.
//!
//! With 5.0 clients the log is mosquitto 2.0.11's line for line too
//! (`differential_log_against_mosquitto_with_5_0_clients`), and where mosquitto
//! falls short of MQTT 5.0 this broker follows the standard, each case pinned
//! by a test against mosquitto in `tests/tests/broker5_peers.rs` (or
//! `broker_interop.rs`) named for it:
//!
//! - PUBREC 0x10 for a QoS 2 PUBLISH nobody subscribes to (mosquitto: 0);
//! - its Receive Maximum is enforced: DISCONNECT 0x93
//!   (`mosquitto_2_0_11_does_not_enforce_its_receive_maximum_we_disconnect_0x93`);
//! - an unknown topic alias is DISCONNECT 0x94 (mosquitto: 0x82);
//! - a taken-over 5.0 connection hears DISCONNECT 0x8E (mosquitto: silence),
//!   and one silent past 1.5 x its keep alive DISCONNECT 0x8D (mosquitto:
//!   silence, later);
//! - topic aliases toward clients that allow them (mosquitto sends none);
//! - one delivery carries every matching Subscription Identifier (mosquitto
//!   sends a copy per subscription);
//! - session expiry and will delay on time (mosquitto: whole seconds, on a
//!   periodic check);
//! - a shared-subscription member whose session ends hands its unfinished
//!   QoS 1/2 messages to the next member (mosquitto drops them).
//!
//! [`BrokerConfig::resend_timeout`] turns on the course text's model of resending
//! on an acknowledgement timeout; MQTT 3.1.1 resends only when a session resumes.
//! [`BrokerConfig::hold_acks`] turns on flow control for publishers (`flow.rs`):
//! off by default everywhere, as in mosquitto.
//!
//! The limits (a slow or stalled subscriber, what one client can make the broker
//! keep) are in `limits.rs`, with the 3.1.1 behaviour and the MQTT 5.0 reason
//! code of each.
//!
//! With [`BrokerConfig::sys_interval`] the broker publishes mosquitto 2.0.11's
//! `$SYS/broker/...` tree on its own clock (`sys.rs`); with
//! [`BrokerConfig::topic_tree`] it keeps every topic it routed as a tree for a
//! view (`topic_tree.rs`).

mod acl;
mod config;
mod connect;
mod connection;
mod delivery;
mod disconnect;
mod encoding;
mod enhanced_auth;
mod event;
mod flow;
mod inflight;
mod limits;
mod log;
mod message;
mod publish;
mod rate;
mod retained;
mod session;
mod state;
pub mod state_text;
mod subscribe;
mod subscriptions;
mod sys;
mod timer;
mod topic_alias;
mod topic_tree;
mod transmit;
mod v5_config;
mod will;

use std::collections::{BTreeMap, BTreeSet, VecDeque};

pub use acl::{filter_covers, Access, Acl, AclRule, AclSubject};
pub use config::BrokerConfig;
pub use connection::{ConnId, PeerAddr};
pub use enhanced_auth::{AuthFailure, EnhancedAuthConfig};
pub use event::{BrokerEvent, CloseReason, DropReason, ResendReason};
pub use inflight::{IncomingQos2, OutStage, Outgoing, OutgoingWindow};
pub use limits::{BrokerStats, Limit};
pub use log::LogLine;
pub use message::Message;
pub use rate::RateLimit;
pub use retained::{RetainChange, RetainedStore};
pub use session::Session;
pub use state::{ConnectionInfo, InflightInfo, SessionInfo, SharedGroupInfo};
pub use subscriptions::SubscriptionStore;
pub use sys::{Traffic, SYS_VERSION};
pub use timer::{Timer, Timers};
pub use topic_tree::{numeric, sparkline_points, TopicRow, TopicTree};
pub use v5_config::{ServerReference, V5Config};

use crate::codec::reason_codes::DisconnectReasonCode;
use crate::codec::{convert, v5, AnyPacket, DecodeError, DecodeErrorKind, Packet, PacketType};
use crate::rng::SplitMix64;
use crate::time::Instant;
use connection::Connection;

/// One packet for one connection: its exact bytes, and the packet they encode so
/// that traces and diagrams need not decode them again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    /// Where to send it.
    pub conn: ConnId,
    /// The packet, at the receiver's protocol level.
    pub packet: AnyPacket,
    /// Its bytes on the wire: the copies of one message's PUBLISH share one
    /// buffer where their bytes are the same (`encoding.rs`).
    pub bytes: bytes::Bytes,
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
    /// Boxed: a `Connection` is over 500 bytes, and a B-tree's leaves are kept
    /// about half full, so inline each open socket cost twice that (an idle
    /// socket about 1 KB here alone; see `connection.rs`).
    conns: BTreeMap<ConnId, Box<Connection>>,
    /// Boxed, as `conns` is: a `Session` is 256 bytes, and inline in a
    /// B-tree leaf kept about half full each stored session cost over 500 bytes
    /// of leaves (10,000 offline persistent sessions: 3.3 MB of leaves, now 0.6 MB
    /// with the 2.6 MB of boxes).
    sessions: BTreeMap<String, Box<Session>>,
    subs: SubscriptionStore,
    retained: RetainedStore,
    /// Every connection's next deadline, earliest first: `poll_timeout` and
    /// `handle_timeout` need not visit every connection.
    schedule: BTreeSet<(Instant, ConnId)>,
    /// When offline sessions expire (Session Expiry Interval).
    session_schedule: BTreeSet<(Instant, String)>,
    /// Wills waiting for their Will Delay Interval, by client identifier.
    delayed_wills: BTreeMap<String, will::DelayedWill>,
    will_schedule: BTreeSet<(Instant, String)>,
    out: VecDeque<Output>,
    /// While a QoS 1 PUBLISH is routed with `hold_acks`: the PUBACK its queued
    /// copies hold, and how many copies were queued.
    routing_hold: Option<(ConnId, u64)>,
    held_copies: usize,
    stats: BrokerStats,
    /// Enhanced authentication's exchanges and methods, per connection.
    authn: enhanced_auth::Authenticator,
    /// Packets and bytes in and out, for `$SYS` and the state panel.
    traffic: Traffic,
    /// The `$SYS` tree between ticks.
    sys: sys::SysTree,
    /// Every topic routed, with [`BrokerConfig::topic_tree`].
    topics: Option<TopicTree>,
    /// The PUBLISH encodings the copies of the message being routed share.
    encodings: encoding::SharedEncodings,
}

impl Broker {
    /// A broker with no connections, sessions or retained messages.
    pub fn new(config: BrokerConfig) -> Self {
        Broker {
            rng: SplitMix64::new(config.seed),
            conns: BTreeMap::new(),
            sessions: BTreeMap::new(),
            subs: SubscriptionStore::default(),
            retained: RetainedStore::default(),
            schedule: BTreeSet::new(),
            session_schedule: BTreeSet::new(),
            delayed_wills: BTreeMap::new(),
            will_schedule: BTreeSet::new(),
            out: VecDeque::new(),
            routing_hold: None,
            held_copies: 0,
            stats: BrokerStats::default(),
            authn: enhanced_auth::Authenticator::new(&config.enhanced_auth, config.seed),
            traffic: Traffic::default(),
            sys: sys::SysTree::default(),
            topics: config.topic_tree.then(TopicTree::new),
            encodings: encoding::SharedEncodings::default(),
            config,
        }
    }

    /// The configuration it runs with.
    pub fn config(&self) -> &BrokerConfig {
        &self.config
    }

    /// Starts keeping the tree of every topic routed from now on
    /// ([`BrokerConfig::topic_tree`]).
    pub fn enable_topic_tree(&mut self) {
        self.config.topic_tree = true;
        self.topics.get_or_insert_with(TopicTree::new);
    }

    /// Reports every event from now on, not only the wills'
    /// ([`BrokerConfig::will_events_only`]).
    pub fn report_every_event(&mut self) {
        self.config.events = true;
        self.config.will_events_only = false;
    }

    /// Every topic routed, if [`BrokerConfig::topic_tree`] is on.
    pub fn topic_tree(&self) -> Option<&TopicTree> {
        self.topics.as_ref()
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
        self.traffic.sockets += 1;
        self.event(|| BrokerEvent::ConnectionOpened {
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
        self.conns.insert(conn, Box::new(c));
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
        self.traffic.bytes_received += bytes.len() as u64;
        // The first byte a client sends must start a CONNECT (MQTT-3.1.0-1):
        // refused on that byte, as mosquitto does, before anything is buffered,
        // so a socket sending garbage costs no buffer and no wait for the rest
        // of a packet it announces. (The reserved types 0 and 15 are the
        // decoder's to refuse, as before.)
        if c.client_id.is_none() && c.decoder.position() == 0 && c.decoder.buffered() == 0 {
            if let Some(t) = bytes
                .first()
                .and_then(|b| PacketType::from_nibble(b >> 4))
                .filter(|&t| t != PacketType::Connect)
            {
                return self.protocol_error(
                    now,
                    conn,
                    format!("the first packet must be CONNECT, not {t}"),
                    "MQTT-3.1.0-1",
                    false,
                );
            }
        }
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
            match c.decoder.next_any_frame() {
                Ok(Some((packet, _))) => self.handle_any(now, conn, packet),
                Ok(None) => return,
                Err(e) => {
                    self.decode_error(now, conn, e);
                    return;
                }
            }
        }
    }

    /// A decoded 3.1/3.1.1 packet arrived on a connection: for drivers that work
    /// with packets rather than bytes. Packets for an unknown connection are
    /// ignored.
    pub fn handle_packet(&mut self, now: Instant, conn: ConnId, packet: Packet) {
        self.handle_any(now, conn, AnyPacket::V3(packet));
    }

    /// A decoded packet of any level arrived on a connection, `len` bytes on the
    /// wire: [`handle_any`](Self::handle_any) for drivers that decode
    /// themselves (the simulator), with the bytes counted for `$SYS`.
    pub fn handle_frame(&mut self, now: Instant, conn: ConnId, packet: AnyPacket, len: usize) {
        if self.conns.contains_key(&conn) {
            self.traffic.bytes_received += len as u64;
        }
        self.handle_any(now, conn, packet);
    }

    /// A decoded packet of any level arrived on a connection. The broker thinks
    /// in 5.0: a 3.1.1 packet is read as the 5.0 packet with no properties
    /// ([`convert::to_v5`]). Packets for an unknown connection are ignored.
    pub fn handle_any(&mut self, now: Instant, conn: ConnId, packet: AnyPacket) {
        let Some(c) = self.conns.get_mut(&conn) else {
            return;
        };
        c.touch(now);
        self.traffic.count_received(&packet);
        // A complete first packet ends the wait for CONNECT: a CONNECT is answered,
        // anything else is a protocol error that closes the connection.
        c.timers.clear(Timer::Connect);
        let client_id = c.client_id.clone();
        self.reschedule(conn);
        let Some(client_id) = client_id else {
            return match packet {
                // A CONNECT waiting for its AUTH exchange (enhanced_auth.rs).
                AnyPacket::V3(Packet::Connect(_)) | AnyPacket::V5(v5::Packet::Connect(_))
                    if self.authn.connecting(conn) =>
                {
                    self.protocol_error(
                        now,
                        conn,
                        "a second CONNECT during the authentication exchange".into(),
                        "MQTT-3.1.0-2",
                        false,
                    )
                }
                AnyPacket::V3(Packet::Connect(connect)) => {
                    let protocol = connect.protocol;
                    self.on_connect(now, conn, protocol, convert::connect_to_v5(connect))
                }
                AnyPacket::V5(v5::Packet::Connect(connect)) => {
                    self.on_connect(now, conn, crate::codec::Protocol::V5, connect)
                }
                // The AUTH exchange between CONNECT and CONNACK (enhanced_auth.rs).
                AnyPacket::V5(v5::Packet::Auth(a)) if self.authn.connecting(conn) => {
                    self.on_auth(now, conn, a)
                }
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
        let packet = match packet {
            AnyPacket::V3(p) => convert::to_v5(p),
            AnyPacket::V5(p) => p,
        };
        match packet {
            v5::Packet::Connect(_) => {
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
            v5::Packet::Publish(p) => self.on_publish(now, conn, &client_id, p),
            v5::Packet::Puback(a) => self.on_puback(now, &client_id, a),
            v5::Packet::Pubrec(a) => self.on_pubrec(now, conn, &client_id, a),
            v5::Packet::Pubrel(a) => self.on_pubrel(now, conn, &client_id, a),
            v5::Packet::Pubcomp(a) => self.on_pubcomp(now, &client_id, a),
            v5::Packet::Subscribe(s) => self.on_subscribe(now, conn, &client_id, s),
            v5::Packet::Unsubscribe(u) => self.on_unsubscribe(now, conn, &client_id, u),
            v5::Packet::Pingreq => {
                self.log(now, || format!("Received PINGREQ from {client_id}"));
                self.send(now, conn, &client_id, v5::Packet::Pingresp);
            }
            v5::Packet::Disconnect(d) => self.on_disconnect(now, conn, &client_id, d),
            // Re-authentication, or an AUTH the exchange's rules refuse
            // (enhanced_auth.rs).
            v5::Packet::Auth(a) => self.on_auth(now, conn, a),
            v5::Packet::Connack(_)
            | v5::Packet::Suback(_)
            | v5::Packet::Unsuback(_)
            | v5::Packet::Pingresp => {
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

    /// Time passed: fires CONNECT and keep-alive timeouts, teaching-mode
    /// resends, delayed wills and session expiries due at `now`.
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
                self.send_disconnect(now, conn, DisconnectReasonCode::KeepAliveTimeout, None);
                self.end_connection(now, conn, CloseReason::KeepAliveTimeout);
            } else if resend {
                self.resend_overdue(now, conn);
            }
        }
        self.fire_delayed_wills(now);
        self.expire_sessions(now);
        self.sys_tick(now);
    }

    /// The broker is stopping: every 5.0 client hears DISCONNECT 0x8B (Server
    /// shutting down), and every connection closes; wills are published as
    /// for any connection the server closes (MQTT-3.1.2-8).
    pub fn handle_shutdown(&mut self, now: Instant) {
        let conns: Vec<ConnId> = self.conns.keys().copied().collect();
        for conn in conns {
            self.send_disconnect(now, conn, DisconnectReasonCode::ServerShuttingDown, None);
            self.end_connection(now, conn, CloseReason::Shutdown);
        }
    }

    // ---- outputs ----

    /// The next output, `None` when drained.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.out.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) must be called next, if ever.
    pub fn poll_timeout(&self) -> Option<Instant> {
        [
            self.schedule.first().map(|(at, _)| *at),
            self.session_schedule.first().map(|(at, _)| *at),
            self.will_schedule.first().map(|(at, _)| *at),
            self.sys
                .next(self.config.sys_interval.filter(|d| !d.is_zero())),
        ]
        .into_iter()
        .flatten()
        .min()
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

    /// Queues an event; it is only built when events are on (`mqttlab broker`
    /// turns them off: a flood of garbage sockets or of dropped messages would
    /// otherwise copy an address, a client id or a topic into an event each
    /// time, only to drop it).
    fn event(&mut self, e: impl FnOnce() -> BrokerEvent) {
        if self.config.events {
            let e = e();
            if !self.config.will_events_only || e.is_will() {
                self.out.push_back(Output::Event(e));
            }
        }
    }

    /// An event of every message (published, delivered, acknowledged): built
    /// only when someone takes it.
    fn message_event(&mut self, e: impl FnOnce() -> BrokerEvent) {
        if self.config.events && !self.config.will_events_only {
            self.out.push_back(Output::Event(e()));
        }
    }

    fn decode_error(&mut self, now: Instant, conn: ConnId, e: DecodeError) {
        if let DecodeErrorKind::UnsupportedProtocol { name, level } = &e.kind {
            let ip = self.conns[&conn].peer.ip.clone();
            if let Some(code) = e.connack_code() {
                self.log(now, || {
                    format!("Invalid protocol version {level} in CONNECT from {ip}.")
                });
                self.send(
                    now,
                    conn,
                    &ip,
                    v5::Packet::Connack(v5::Connack {
                        session_present: false,
                        reason: convert::connack_reason_v5(code),
                        properties: Vec::new(),
                    }),
                );
                self.event(|| BrokerEvent::ConnectionRefused { conn, code });
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
            e.kind.inner(),
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
        if let DecodeErrorKind::InvalidPropertyValue {
            id: crate::codec::properties::PropertyId::TopicAlias,
            ..
        } = e.kind.inner()
        {
            // Alias 0 (MQTT-3.3.2-8): Topic Alias invalid, not just malformed.
            let code = DisconnectReasonCode::TopicAliasInvalid;
            return self.close_with(now, conn, code, e.to_string(), e.kind.rule());
        }
        if matches!(e.kind.inner(), DecodeErrorKind::PacketTooLarge { .. }) {
            // §4.13: 0x95 to a 5.0 client (MQTT-3.1.2-24 is the broker's side).
            let code = DisconnectReasonCode::PacketTooLarge;
            return self.close_with(now, conn, code, e.to_string(), e.kind.rule());
        }
        // mosquitto tells "protocol error" from "malformed packet"; the event and
        // the close reason carry the exact rule either way.
        let malformed = !matches!(
            e.kind.inner(),
            DecodeErrorKind::ReservedPacketType(_) | DecodeErrorKind::Topic(..)
        );
        self.protocol_error(now, conn, e.to_string(), e.kind.rule(), malformed);
    }

    /// Closes a connection for a protocol violation; its will is published. A
    /// 5.0 client hears DISCONNECT 0x81 (malformed) or 0x82 (protocol error)
    /// first (§4.13).
    fn protocol_error(
        &mut self,
        now: Instant,
        conn: ConnId,
        reason: String,
        rule: &'static str,
        malformed: bool,
    ) {
        let code = if malformed {
            DisconnectReasonCode::MalformedPacket
        } else {
            DisconnectReasonCode::ProtocolError
        };
        self.close_with(now, conn, code, reason, rule);
    }

    /// Closes a connection for a violation the reason code names (0x81, 0x82,
    /// 0x93 Receive Maximum exceeded, 0x94 Topic Alias invalid, ...).
    fn close_with(
        &mut self,
        now: Instant,
        conn: ConnId,
        code: DisconnectReasonCode,
        reason: String,
        rule: &'static str,
    ) {
        let Some(c) = self.conns.get(&conn) else {
            return;
        };
        let name = c.log_name().to_owned();
        let client_id = c.client_id.clone();
        // mosquitto's two words: an oversized packet is malformed to it.
        let what = match code {
            DisconnectReasonCode::MalformedPacket | DisconnectReasonCode::PacketTooLarge => {
                "malformed packet"
            }
            _ => "protocol error",
        };
        self.send_disconnect(now, conn, code, Some(reason.clone()));
        self.log(now, || format!("Client {name} disconnected due to {what}."));
        self.event(|| BrokerEvent::ProtocolError {
            conn,
            client_id,
            reason: reason.clone(),
            rule,
        });
        self.end_connection(now, conn, CloseReason::ProtocolError(reason));
    }

    /// Forgets a connection: publishes, delays or discards its will, ends a
    /// session whose expiry is 0 or leaves it offline until it expires, and
    /// (unless the peer closed it) tells the driver to close it.
    fn end_connection(&mut self, now: Instant, conn: ConnId, reason: CloseReason) {
        let Some(c) = self.conns.remove(&conn) else {
            return;
        };
        self.authn.forget(conn);
        if let Some(at) = c.scheduled {
            self.schedule.remove(&(at, conn));
        }
        if let Some(client_id) = &c.client_id {
            // The session goes offline first: the will is published once the
            // connection is gone (MQTT-3.1.2-8), so a copy for the client itself
            // is queued or dropped like any message to an offline session, never
            // sent on the connection that just closed.
            let mut released = Vec::new();
            let mut session_ends = None;
            if let Some(s) = self.sessions.get_mut(client_id) {
                if s.conn == Some(conn) {
                    s.conn = None;
                    // An offline subscriber holds back no publisher.
                    released = s.holds.release_all();
                    s.expiry_interval = c.session_expiry;
                    s.clean = c.session_expiry == 0;
                    session_ends = Some(match c.session_expiry {
                        0 => Some(now),
                        u32::MAX => None,
                        secs => Some(now + core::time::Duration::from_secs(u64::from(secs))),
                    });
                }
            }
            for hold in released {
                self.release_hold(now, hold);
            }
            match session_ends {
                Some(Some(at)) if at <= now => self.discard_session(now, client_id),
                Some(Some(at)) => {
                    if let Some(s) = self.sessions.get_mut(client_id) {
                        s.expires_at = Some(at);
                        self.session_schedule.insert((at, client_id.clone()));
                    }
                }
                _ => {}
            }
            if let Some(will) = c.will {
                if reason.is_graceful() {
                    self.event(|| BrokerEvent::WillDiscarded {
                        client_id: client_id.clone(),
                    });
                } else {
                    let ends = session_ends.flatten();
                    self.will_or_delay(now, client_id, c.username.clone(), *will, ends);
                }
            }
        }
        if !matches!(reason, CloseReason::PeerClosed | CloseReason::SocketError) {
            self.out.push_back(Output::Close {
                conn,
                reason: reason.clone(),
            });
        }
        let client_id = c.client_id;
        self.event(|| BrokerEvent::Disconnected {
            conn,
            client_id,
            graceful: reason.is_graceful(),
            reason,
        });
    }

    /// Ends the offline sessions whose expiry is due.
    fn expire_sessions(&mut self, now: Instant) {
        while let Some((at, id)) = self.session_schedule.first().cloned() {
            if at > now {
                return;
            }
            self.session_schedule.remove(&(at, id.clone()));
            // A delayed will fires at the latest when its session ends.
            self.fire_will_now(now, &id);
            if self.sessions.get(&id).is_some_and(|s| s.conn.is_none()) {
                // mosquitto 2.0.11's words (session_expiry.c, notice level).
                self.log(now, || format!("Expiring client {id} due to timeout."));
                self.discard_session(now, &id);
                self.traffic.clients_expired += 1;
                self.event(|| BrokerEvent::SessionExpired { client_id: id });
            }
        }
    }
}
