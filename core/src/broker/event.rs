//! What happened in the broker, as data: for traces, diagrams and assertions.

use crate::codec::{ConnectReturnCode, PacketType, Pid, QoS, SubackReturnCode};
use crate::topic::{TopicFilter, TopicName};

use super::{ConnId, PeerAddr};

/// Why a connection ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloseReason {
    /// The client sent DISCONNECT.
    Disconnect,
    /// A 5.0 client sent DISCONNECT 0x04 (Disconnect with Will Message): its
    /// will is published.
    DisconnectWithWill,
    /// The broker is shutting down (a 5.0 client heard DISCONNECT 0x8B).
    Shutdown,
    /// The socket closed or reset without DISCONNECT.
    PeerClosed,
    /// The transport failed (reset, read error).
    SocketError,
    /// No packet within 1.5 x keep alive.
    KeepAliveTimeout,
    /// No complete CONNECT within `connect_timeout` of the connection opening.
    ConnectTimeout,
    /// A newer connection with the same client identifier took over.
    TakenOver,
    /// The CONNECT was refused with this CONNACK code.
    Refused(ConnectReturnCode),
    /// Bytes that are not valid MQTT, or a packet out of place.
    ProtocolError(String),
    /// A limit closed it (a topic too long or too deep, too many connections
    /// from one address).
    Limit(super::Limit),
    /// A re-authentication failed (MQTT-4.12.1-2; DISCONNECT 0x87).
    NotAuthorized,
}

impl CloseReason {
    /// Whether the will is discarded rather than published (only after DISCONNECT,
    /// MQTT-3.1.2-10).
    pub fn is_graceful(&self) -> bool {
        matches!(self, CloseReason::Disconnect)
    }
}

/// Why a message did not reach a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DropReason {
    /// A QoS 1/2 message (or any for an offline client) with the session's queue
    /// at `max_queued_messages` or `max_queued_bytes`.
    QueueFull,
    /// A QoS 0 message for a connected client that is not reading: as many
    /// messages as `max_queued_messages` (or bytes) already wait for its socket.
    TooSlow,
    /// A QoS 0 message for an offline session, and `queue_qos0` is off.
    Qos0Offline,
    /// Every packet identifier is in use.
    NoPacketId,
}

/// Why the broker sent something again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResendReason {
    /// A persistent session reconnected (MQTT-4.4.0-1).
    SessionResumed,
    /// Teaching mode: no acknowledgement within `resend_timeout`.
    AckTimeout,
}

/// One thing that happened in the broker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BrokerEvent {
    /// A transport connection opened.
    ConnectionOpened {
        /// Its id.
        conn: ConnId,
        /// Who is on the other end.
        peer: PeerAddr,
    },
    /// A CONNECT was accepted.
    ClientConnected {
        /// The connection.
        conn: ConnId,
        /// The client identifier (assigned if the client sent none).
        client_id: String,
        /// Its clean session flag.
        clean_session: bool,
        /// Its keep alive, seconds.
        keep_alive: u16,
        /// The CONNACK's session-present flag.
        session_present: bool,
    },
    /// A CONNECT was refused.
    ConnectionRefused {
        /// The connection.
        conn: ConnId,
        /// The CONNACK code sent (or that would be, for a close without CONNACK).
        code: ConnectReturnCode,
    },
    /// A persistent session was picked up again.
    SessionResumed {
        /// The client.
        client_id: String,
        /// Deliveries still unacknowledged, resent now.
        inflight: usize,
        /// Messages queued while offline.
        queued: usize,
    },
    /// A new connection with the same client identifier closed the old one.
    SessionTakenOver {
        /// The client.
        client_id: String,
        /// The connection closed.
        old: ConnId,
        /// The connection taking over.
        new: ConnId,
    },
    /// One filter of a SUBSCRIBE was answered.
    Subscribed {
        /// The client.
        client_id: String,
        /// The filter.
        filter: TopicFilter,
        /// The QoS asked for.
        requested: QoS,
        /// The SUBACK code.
        result: SubackReturnCode,
    },
    /// One filter of an UNSUBSCRIBE was handled.
    Unsubscribed {
        /// The client.
        client_id: String,
        /// The filter.
        filter: TopicFilter,
        /// Whether a subscription was removed.
        existed: bool,
    },
    /// A client published a message (for QoS 2: when it is released by PUBREL).
    Published {
        /// The publisher.
        client_id: String,
        /// The topic.
        topic: TopicName,
        /// Its QoS.
        qos: QoS,
        /// Its RETAIN flag.
        retain: bool,
        /// How many subscribers it goes to.
        receivers: usize,
    },
    /// The ACL refused a PUBLISH.
    PublishDenied {
        /// The publisher.
        client_id: String,
        /// The topic.
        topic: TopicName,
    },
    /// An enhanced authentication exchange ended well (`enhanced_auth.rs`).
    Authenticated {
        /// The connection.
        conn: ConnId,
        /// The client.
        client_id: String,
        /// The method, e.g. `SCRAM-SHA-256`.
        method: String,
        /// The user it proved to be.
        username: String,
        /// Whether it re-authenticated a live connection (AUTH 0x19).
        reauthentication: bool,
    },
    /// An enhanced authentication exchange failed, and the connection with it.
    AuthenticationFailed {
        /// The connection.
        conn: ConnId,
        /// The client.
        client_id: String,
        /// Why.
        failure: super::AuthFailure,
    },
    /// The ACL withheld a message from a subscriber whose subscription covers
    /// its topic but who may not read it.
    DeliveryDenied {
        /// The subscriber.
        client_id: String,
        /// The topic.
        topic: TopicName,
    },
    /// A QoS 2 PUBLISH repeated a held packet id: acknowledged, not delivered again.
    DuplicateQos2 {
        /// The publisher.
        client_id: String,
        /// The id.
        pid: Pid,
    },
    /// A PUBLISH went out to a subscriber.
    Delivered {
        /// The subscriber.
        client_id: String,
        /// The topic.
        topic: TopicName,
        /// The delivery QoS: min(publish, granted).
        qos: QoS,
        /// The packet id, for QoS 1/2.
        pid: Option<Pid>,
        /// DUP flag.
        dup: bool,
        /// RETAIN flag (1 only for a retained message sent on subscribe).
        retain: bool,
    },
    /// A message waits in an offline or busy session's queue.
    Queued {
        /// The subscriber.
        client_id: String,
        /// The topic.
        topic: TopicName,
        /// Queue length after adding it.
        queued: usize,
    },
    /// A message did not reach a subscriber.
    Dropped {
        /// The subscriber.
        client_id: String,
        /// The topic.
        topic: TopicName,
        /// Why.
        reason: DropReason,
    },
    /// A QoS 1/2 delivery completed (PUBACK, or PUBCOMP).
    Acknowledged {
        /// The subscriber.
        client_id: String,
        /// The id, now free.
        pid: Pid,
        /// The QoS of the delivery.
        qos: QoS,
    },
    /// A PUBLISH or PUBREL went out again.
    Resent {
        /// The subscriber.
        client_id: String,
        /// PUBLISH or PUBREL.
        packet: PacketType,
        /// The id.
        pid: Pid,
        /// Why.
        reason: ResendReason,
    },
    /// A retained message was stored, replaced or cleared.
    RetainedChanged {
        /// The topic.
        topic: TopicName,
        /// What happened.
        change: super::RetainChange,
    },
    /// A client's will was published.
    WillPublished {
        /// The client that left.
        client_id: String,
        /// The will topic.
        topic: TopicName,
        /// The will QoS.
        qos: QoS,
        /// The will retain flag.
        retain: bool,
    },
    /// A client left with DISCONNECT: its will is discarded.
    WillDiscarded {
        /// The client.
        client_id: String,
    },
    /// Bytes that are not valid MQTT, or a packet out of place.
    ProtocolError {
        /// The connection, closed because of it.
        conn: ConnId,
        /// The client, if it had connected.
        client_id: Option<String>,
        /// What was wrong.
        reason: String,
        /// The normative statement broken, e.g. `MQTT-3.1.0-2`.
        rule: &'static str,
    },
    /// A limit refused something a client asked the broker to keep (see
    /// `limits.rs` for what each limit does).
    LimitReached {
        /// The connection, if one asked (a will published after its connection
        /// ended has none).
        conn: Option<ConnId>,
        /// The client, if it had connected.
        client_id: Option<String>,
        /// Which limit.
        limit: super::Limit,
        /// The topic or filter concerned, if any.
        topic: Option<String>,
    },
    /// An offline session reached its Session Expiry Interval and ended, its
    /// subscriptions and queued messages with it.
    SessionExpired {
        /// Its client identifier.
        client_id: String,
    },
    /// A message expired (Message Expiry Interval) before it could be delivered.
    Expired {
        /// The session it waited for.
        client_id: String,
        /// Its topic.
        topic: TopicName,
    },
    /// A connection ended.
    Disconnected {
        /// The connection.
        conn: ConnId,
        /// The client, if it had connected.
        client_id: Option<String>,
        /// Whether it ended with DISCONNECT.
        graceful: bool,
        /// Why.
        reason: CloseReason,
    },
}

impl BrokerEvent {
    /// Whether it is a will published or discarded (what
    /// [`BrokerConfig::will_events_only`](super::BrokerConfig::will_events_only)
    /// keeps).
    pub fn is_will(&self) -> bool {
        matches!(
            self,
            BrokerEvent::WillPublished { .. } | BrokerEvent::WillDiscarded { .. }
        )
    }
}
