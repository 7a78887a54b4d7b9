//! A sans-IO MQTT 3.1.1 client.
//!
//! [`Client`] owns the protocol: CONNECT/CONNACK, keep alive, QoS 1 and 2 in both
//! directions, resend of unacknowledged messages on reconnect, subscriptions. It
//! opens no socket and reads no clock; its driver (the simulator, the native
//! `mqttlab pub`/`sub` tools, the browser) moves bytes and passes the time in.
//!
//! The run loop: call an input (`connect`, `handle_bytes`, `handle_timeout`,
//! `handle_closed`) or a command (`publish`, `subscribe`, `unsubscribe`,
//! `disconnect`), then drain the outputs until they are empty: packets to send
//! ([`Client::poll_packet`], or encoded, [`Client::poll_transmit`]), events
//! ([`Client::poll_event`]) and the next deadline ([`Client::poll_timeout`]), at
//! which the driver calls [`Client::handle_timeout`].
//!
//! ```
//! use mqttlab_core::client::{Client, ClientEvent, ConnectOptions};
//! use mqttlab_core::codec::{Connack, ConnectReturnCode, Packet, QoS};
//! use mqttlab_core::time::Instant;
//!
//! let mut client = Client::new();
//! let t0 = Instant::ZERO;
//! client.connect(t0, ConnectOptions::new("sensor1")).unwrap();
//! assert!(matches!(client.poll_packet(), Some(Packet::Connect(_))));
//! client.handle_packet(t0, Packet::Connack(Connack {
//!     session_present: false,
//!     code: ConnectReturnCode::Accepted,
//! }));
//! assert_eq!(client.poll_event(), Some(ClientEvent::Connected { session_present: false }));
//! client.publish(t0, "casa/sala", "21.5", QoS::AtMostOnce, false).unwrap();
//! assert!(matches!(client.poll_packet(), Some(Packet::Publish(_))));
//! // Nothing sent for 60 s: the keep alive timer asks for a PINGREQ.
//! assert_eq!(client.poll_timeout(), Some(Instant::from_secs(60)));
//! client.handle_timeout(Instant::from_secs(60));
//! assert_eq!(client.poll_packet(), Some(Packet::Pingreq));
//! ```

/// The tools' command lines, now in [`crate::tools::cli`].
pub use crate::tools::cli;
/// The tools' `-d` lines, now in [`crate::tools::debug`].
pub use crate::tools::debug;
mod enhanced_auth;
mod event;
mod flow;
mod options;
mod session;
mod timer;
mod v5;
mod wire;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_v5;

use std::collections::VecDeque;

use bytes::Bytes;

use crate::codec::properties::{Holder, Property};
use crate::codec::reason_codes::DisconnectReasonCode;
use crate::codec::v5::SubscriptionOptions;
use crate::codec::{
    Connect, Packet, Pid, Protocol, Publish, QoS, QosPid, Subscribe, SubscribeTopic, Unsubscribe,
};
use crate::time::Instant;
use crate::topic::{TopicFilter, TopicName};

pub use enhanced_auth::{AuthError, ScramAuth};
pub use event::{AuthFailed, ClientError, ClientEvent, DisconnectReason, Message, ProtocolError};
pub use options::{ConnectOptions, Qos2Delivery, ResendPolicy, ScramLogin, MAX_PACKET_SIZE};
pub use session::{Outgoing, OutgoingState, PendingRequest, Session};
pub use timer::{Timer, Timers};
pub use v5::ServerLimits;

/// A packet waiting to be sent, with what only MQTT 5.0 carries: its
/// properties, a SUBSCRIBE's options per filter, a DISCONNECT's reason code.
#[derive(Debug, Clone)]
struct Queued {
    packet: Packet,
    properties: Vec<Property>,
    sub_options: Vec<SubscriptionOptions>,
    reason: Option<DisconnectReasonCode>,
    /// An AUTH of enhanced authentication, which has no 3.1.1 form: it is
    /// sent as is (its `packet`, `Pingreq`, is a placeholder nothing reads
    /// but [`Transmit::packet`]).
    auth: Option<crate::codec::v5::Auth>,
}

impl Queued {
    fn with(packet: Packet, properties: Vec<Property>) -> Queued {
        Queued {
            packet,
            properties,
            sub_options: Vec::new(),
            reason: None,
            auth: None,
        }
    }

    fn auth(auth: crate::codec::v5::Auth) -> Queued {
        Queued {
            auth: Some(auth),
            ..Queued::with(Packet::Pingreq, Vec::new())
        }
    }
}

impl From<Packet> for Queued {
    fn from(p: Packet) -> Self {
        Queued::with(p, Vec::new())
    }
}

/// Where the client's connection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectionState {
    /// No connection (before the first `connect`, or after one ended).
    Disconnected,
    /// CONNECT sent, waiting for CONNACK.
    Connecting,
    /// CONNACK accepted.
    Connected,
}

/// A sans-IO MQTT 3.1.1 client. See the [module documentation](self).
#[derive(Debug, Clone)]
pub struct Client {
    options: ConnectOptions,
    state: ConnectionState,
    session: Session,
    timers: Timers,
    /// Packets to send, in order.
    out: VecDeque<Queued>,
    /// Packets a command produced before CONNACK; sent once it accepts.
    held: VecDeque<Queued>,
    /// What a 5.0 broker's CONNACK said (defaults before it, and under 3.1.1).
    server: ServerLimits,
    /// The keep alive in force: ours, or the broker's Server Keep Alive.
    keep_alive: u16,
    /// 5.0 Topic Aliases we set on this connection, and the broker's to us.
    aliases_out: std::collections::BTreeMap<u16, TopicName>,
    aliases_in: std::collections::BTreeMap<u16, TopicName>,
    events: VecDeque<ClientEvent>,
    ping_outstanding: bool,
    /// Received bytes not yet decoded.
    inbuf: Vec<u8>,
    /// Bytes of an oversized packet still to skip.
    skip: usize,
    /// A SCRAM-SHA-256 exchange (MQTT 5.0 enhanced authentication), when the
    /// options ask for one, and the CONNECT properties that start it.
    scram: Option<ScramAuth>,
    scram_connect: Vec<Property>,
    /// Where SCRAM nonces come from: one stream for the client's life.
    nonces: Option<crate::auth::NonceGen>,
}

impl Default for Client {
    fn default() -> Self {
        Client::new()
    }
}

impl Client {
    /// A client with no connection and an empty session.
    pub fn new() -> Self {
        Client {
            options: ConnectOptions::default(),
            state: ConnectionState::Disconnected,
            session: Session::default(),
            timers: Timers::default(),
            out: VecDeque::new(),
            held: VecDeque::new(),
            server: ServerLimits::default(),
            keep_alive: 0,
            aliases_out: Default::default(),
            aliases_in: Default::default(),
            events: VecDeque::new(),
            ping_outstanding: false,
            inbuf: Vec::new(),
            skip: 0,
            scram: None,
            scram_connect: Vec::new(),
            nonces: None,
        }
    }

    // ---- getters ----

    /// Where the connection stands.
    pub fn state(&self) -> ConnectionState {
        self.state
    }

    /// Whether CONNACK accepted the current connection.
    pub fn is_connected(&self) -> bool {
        self.state == ConnectionState::Connected
    }

    /// The options of the current (or last) connection.
    pub fn options(&self) -> &ConnectOptions {
        &self.options
    }

    /// The session state (in-flight messages, QoS 2 ids held).
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// What the broker's 5.0 CONNACK said: its limits, Server Keep Alive,
    /// Assigned Client Identifier... (the defaults of §3.2.2.3 before a CONNACK
    /// and under 3.1.1).
    pub fn server(&self) -> &ServerLimits {
        &self.server
    }

    /// The keep alive in force, in seconds: the CONNECT's, or the broker's
    /// Server Keep Alive once a 5.0 CONNACK gave one (MQTT-3.2.2-21).
    pub fn keep_alive(&self) -> u16 {
        self.keep_alive
    }

    /// The protocol of the current (or last) connection.
    pub fn protocol(&self) -> Protocol {
        self.options.protocol
    }

    /// How many QoS 1/2 messages have not completed their handshake (queued ones
    /// included). `mosquitto_pub` waits for this to reach 0 before DISCONNECT.
    pub fn pending_messages(&self) -> usize {
        self.session.outgoing.len()
    }

    // ---- inputs ----

    /// Opens a connection: queues CONNECT. With `clean_session` the session state
    /// is discarded first; without it, unacknowledged messages are resent after
    /// CONNACK (MQTT-4.4.0-1).
    pub fn connect(&mut self, now: Instant, options: ConnectOptions) -> Result<(), ClientError> {
        if self.state != ConnectionState::Disconnected {
            return Err(ClientError::AlreadyConnected);
        }
        if options.client_id.is_empty() && !options.clean_session {
            return Err(ClientError::EmptyClientIdNeedsCleanSession);
        }
        if options.client_id.len() > usize::from(u16::MAX) {
            return Err(ClientError::ClientIdTooLong);
        }
        if options.protocol != Protocol::V5
            && !(options.properties.is_empty() && options.will_properties.is_empty())
        {
            return Err(ClientError::NeedsV5);
        }
        v5::check_properties(Holder::Connect, &options.properties)?;
        v5::check_properties(Holder::Will, &options.will_properties)?;
        self.scram = None;
        self.scram_connect.clear();
        if let Some(login) = &options.scram {
            if options.protocol != Protocol::V5 {
                return Err(ClientError::NeedsV5);
            }
            let nonce = self
                .nonces
                .get_or_insert_with(|| {
                    crate::auth::NonceGen::from_seed(login.nonce_seed, &options.client_id)
                })
                .next_nonce();
            let mut auth = ScramAuth::new(&login.username, login.password.as_bytes());
            self.scram_connect = auth
                .connect_properties(&nonce)
                .map_err(ClientError::Authentication)?;
            self.scram = Some(auth);
        }
        if options.clean_session {
            self.session.clear();
        }
        self.server = ServerLimits::default();
        self.keep_alive = options.keep_alive;
        self.aliases_out.clear();
        self.aliases_in.clear();
        let connect = Connect {
            protocol: options.protocol,
            clean_session: options.clean_session,
            keep_alive: options.keep_alive,
            client_id: options.client_id.clone(),
            will: options.will.clone(),
            login: options.login.clone(),
        };
        self.inbuf.clear();
        self.skip = 0;
        // Whatever was not sent belonged to the previous transport.
        self.out.clear();
        self.options = options;
        self.state = ConnectionState::Connecting;
        self.ping_outstanding = false;
        self.timers.stop_all();
        if let Some(t) = self.options.connect_timeout {
            self.timers.set(Timer::Connect, now + t);
        }
        self.out.push_back(Packet::Connect(connect).into());
        Ok(())
    }

    /// A decoded packet arrived from the broker (the simulator's and the tests'
    /// entry point; [`Client::handle_bytes`] ends here too).
    pub fn handle_packet(&mut self, now: Instant, packet: Packet) {
        match self.state {
            ConnectionState::Disconnected => {}
            ConnectionState::Connecting => match packet {
                Packet::Connack(ack) => self.on_connack(now, ack),
                other => self.protocol_error(ProtocolError::ExpectedConnack(other.packet_type())),
            },
            ConnectionState::Connected => self.on_packet(now, packet),
        }
    }

    /// Deadlines up to `now` fire: PINGREQ, ping timeout, connect timeout, resend.
    pub fn handle_timeout(&mut self, now: Instant) {
        for timer in Timer::ALL {
            if !self.timers.expire(timer, now) {
                continue;
            }
            match timer {
                Timer::Connect => self.close(DisconnectReason::ConnectTimeout),
                Timer::PingTimeout => self.close(DisconnectReason::PingTimeout),
                Timer::Resend => self.resend_due(now),
                Timer::KeepAlive => {
                    if self.is_connected() && !self.ping_outstanding {
                        self.ping_outstanding = true;
                        let wait = self.options.ping_timeout.or(self.keep_alive_interval());
                        if let Some(wait) = wait {
                            self.timers.set(Timer::PingTimeout, now + wait);
                        }
                        self.send(now, Packet::Pingreq);
                    }
                }
            }
        }
    }

    /// The transport closed (by the broker, or the network failed).
    pub fn handle_closed(&mut self, _now: Instant) {
        // Nothing more can be sent on a closed transport.
        self.out.clear();
        if self.state != ConnectionState::Disconnected {
            self.close(DisconnectReason::TransportClosed);
        }
    }

    // ---- commands ----

    /// Publishes a message. QoS 0 returns `None`; QoS 1/2 return the packet id that
    /// [`ClientEvent::Published`] will name. Before CONNACK the message waits; when
    /// the in-flight window is full it is queued.
    pub fn publish(
        &mut self,
        now: Instant,
        topic: &str,
        payload: impl Into<Bytes>,
        qos: QoS,
        retain: bool,
    ) -> Result<Option<Pid>, ClientError> {
        self.publish_with(now, topic, payload, qos, retain, Vec::new())
    }

    /// [`Client::publish`] with MQTT 5.0 properties (Message Expiry Interval,
    /// Response Topic, Correlation Data, User Property, Topic Alias...). A
    /// Topic Alias is sent with the topic the first time on a connection and
    /// alone after that. Refused, as §3.3 asks of a client, when the broker's
    /// CONNACK said the QoS, RETAIN, the alias or the size is not acceptable.
    pub fn publish_with(
        &mut self,
        now: Instant,
        topic: &str,
        payload: impl Into<Bytes>,
        qos: QoS,
        retain: bool,
        properties: Vec<Property>,
    ) -> Result<Option<Pid>, ClientError> {
        if self.state == ConnectionState::Disconnected {
            return Err(ClientError::NotConnected);
        }
        let topic = TopicName::new(topic)?;
        let payload = payload.into();
        self.check_publish(qos, retain, &properties)?;
        let size = if self.options.protocol == Protocol::V5 {
            v5::publish_size(&topic, &payload, qos, &properties)?
        } else {
            publish_size(topic.as_str().len(), payload.len(), qos)
        };
        let max = self.max_send_size();
        if size > max {
            return Err(ClientError::PacketTooLarge { size, max });
        }
        let mut publish = Publish {
            dup: false,
            qospid: QosPid::AtMostOnce,
            retain,
            topic,
            payload,
        };
        if qos == QoS::AtMostOnce {
            self.send_or_hold(now, Queued::with(Packet::Publish(publish), properties));
            return Ok(None);
        }
        let pid = self.next_pid()?;
        publish.qospid = QosPid::from_parts(qos, pid);
        self.session.push_outgoing_with(publish, properties);
        if self.is_connected() {
            self.pump(now);
        }
        Ok(Some(pid))
    }

    /// Subscribes to filters, each with the highest QoS wanted. Returns the id that
    /// [`ClientEvent::Subscribed`] will name. A SUBSCRIBE still unacknowledged when
    /// the connection ends is forgotten (3.1.1 resends only PUBLISH and PUBREL):
    /// subscribe again after reconnecting, or rely on a persistent session.
    pub fn subscribe(&mut self, now: Instant, filters: &[(&str, QoS)]) -> Result<Pid, ClientError> {
        let f: Vec<(&str, SubscriptionOptions)> = filters
            .iter()
            .map(|(f, q)| (*f, SubscriptionOptions::qos(*q)))
            .collect();
        self.subscribe_with(now, &f, Vec::new())
    }

    /// [`Client::subscribe`] with MQTT 5.0 subscription options (No Local,
    /// Retain As Published, Retain Handling) and properties (Subscription
    /// Identifier, User Property). Under 3.1.1 only the QoS of the options
    /// is sent, and properties are refused.
    pub fn subscribe_with(
        &mut self,
        now: Instant,
        filters: &[(&str, SubscriptionOptions)],
        properties: Vec<Property>,
    ) -> Result<Pid, ClientError> {
        self.check_request(filters.len())?;
        self.check_v5_properties(Holder::Subscribe, &properties)?;
        let topics = filters
            .iter()
            .map(|(f, o)| {
                Ok(SubscribeTopic {
                    filter: TopicFilter::new(*f)?,
                    qos: o.qos,
                })
            })
            .collect::<Result<Vec<_>, ClientError>>()?;
        let pid = self.next_pid()?;
        self.session
            .requests
            .push((pid, PendingRequest::Subscribe(topics.len())));
        let q = Queued {
            packet: Packet::Subscribe(Subscribe { pid, topics }),
            properties,
            sub_options: filters.iter().map(|(_, o)| *o).collect(),
            reason: None,
            auth: None,
        };
        self.send_or_hold(now, q);
        Ok(pid)
    }

    /// Unsubscribes from filters. Returns the id that [`ClientEvent::Unsubscribed`]
    /// will name.
    pub fn unsubscribe(&mut self, now: Instant, filters: &[&str]) -> Result<Pid, ClientError> {
        self.unsubscribe_with(now, filters, Vec::new())
    }

    /// [`Client::unsubscribe`] with MQTT 5.0 properties (User Property).
    pub fn unsubscribe_with(
        &mut self,
        now: Instant,
        filters: &[&str],
        properties: Vec<Property>,
    ) -> Result<Pid, ClientError> {
        self.check_request(filters.len())?;
        self.check_v5_properties(Holder::Unsubscribe, &properties)?;
        let filters = filters
            .iter()
            .map(|f| TopicFilter::new(*f))
            .collect::<Result<Vec<_>, _>>()?;
        let pid = self.next_pid()?;
        self.session
            .requests
            .push((pid, PendingRequest::Unsubscribe));
        let q = Queued::with(
            Packet::Unsubscribe(Unsubscribe { pid, filters }),
            properties,
        );
        self.send_or_hold(now, q);
        Ok(pid)
    }

    /// A packet id for a new QoS 1/2 message or request.
    fn next_pid(&mut self) -> Result<Pid, ClientError> {
        self.session
            .allocate_pid()
            .ok_or(ClientError::NoPacketIdAvailable)
    }

    /// What SUBSCRIBE and UNSUBSCRIBE need first: a connection (or one being
    /// made) and at least one filter.
    fn check_request(&self, filters: usize) -> Result<(), ClientError> {
        if self.state == ConnectionState::Disconnected {
            return Err(ClientError::NotConnected);
        }
        if filters == 0 {
            return Err(ClientError::NoFilters);
        }
        Ok(())
    }

    /// Ends the connection gracefully: queues DISCONNECT (so the broker discards
    /// the will) and reports [`ClientEvent::Disconnected`]. The driver sends what
    /// is queued and then closes the transport.
    pub fn disconnect(&mut self, now: Instant) -> Result<(), ClientError> {
        self.disconnect_with(now, None, Vec::new())
    }

    /// [`Client::disconnect`] with an MQTT 5.0 reason code (`None`: Normal
    /// disconnection, left off the wire) and properties (Session Expiry
    /// Interval, Reason String, User Property). 0x04, Disconnect with Will
    /// Message, asks the broker to publish the will.
    pub fn disconnect_with(
        &mut self,
        now: Instant,
        reason: Option<DisconnectReasonCode>,
        properties: Vec<Property>,
    ) -> Result<(), ClientError> {
        if reason.is_some() && self.options.protocol != Protocol::V5 {
            return Err(ClientError::NeedsV5);
        }
        self.check_v5_properties(Holder::Disconnect, &properties)?;
        match self.state {
            ConnectionState::Disconnected => Err(ClientError::NotConnected),
            ConnectionState::Connecting => {
                self.close(DisconnectReason::Requested);
                Ok(())
            }
            ConnectionState::Connected => {
                let q = Queued {
                    auth: None,
                    packet: Packet::Disconnect,
                    properties,
                    sub_options: Vec::new(),
                    reason,
                };
                self.send(now, q);
                self.close(DisconnectReason::Requested);
                Ok(())
            }
        }
    }

    // ---- outputs ----

    /// The next packet to send, or `None` when there is nothing to send.
    pub fn poll_packet(&mut self) -> Option<Packet> {
        self.out.pop_front().map(|q| q.packet)
    }

    /// The next event, or `None`.
    pub fn poll_event(&mut self) -> Option<ClientEvent> {
        self.events.pop_front()
    }

    /// The earliest deadline at which [`Client::handle_timeout`] must be called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers.next()
    }
}

/// An encoded packet ready for the transport, with the packet for traces and logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    /// The packet (under MQTT 5.0, its 3.1.1 reading: what the client's logic
    /// decided, without properties; an AUTH, which 3.1.1 lacks, reads as
    /// `Pingreq` here: look at `v5`).
    pub packet: Packet,
    /// Under MQTT 5.0, the packet as sent (properties, reason code, a topic
    /// left out for its alias).
    pub v5: Option<Box<crate::codec::v5::Packet>>,
    /// Its bytes on the wire.
    pub bytes: Vec<u8>,
}

/// The encoded size of a PUBLISH (§3.3): fixed header, topic, id, payload.
pub fn publish_size(topic_len: usize, payload_len: usize, qos: QoS) -> usize {
    let remaining = 2 + topic_len + if qos == QoS::AtMostOnce { 0 } else { 2 } + payload_len;
    let len_bytes = match remaining {
        0..=127 => 1,
        128..=16_383 => 2,
        16_384..=2_097_151 => 3,
        _ => 4,
    };
    1 + len_bytes + remaining
}
