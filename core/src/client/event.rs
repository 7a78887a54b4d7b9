//! What the client reports to its driver, and the errors of its commands.

use core::fmt;

use crate::codec::properties::Property;
use crate::codec::reason_codes::{ConnackReasonCode, DisconnectReasonCode};
use crate::codec::{ConnectReturnCode, PacketType, Pid, Publish, QoS, SubackReturnCode};
use crate::topic::TopicError;

/// An application message as it arrived: the PUBLISH (its topic already
/// resolved from a 5.0 Topic Alias) and, under MQTT 5.0, its properties in
/// wire order (none under 3.1.1). It reads as the [`Publish`] it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The message.
    pub publish: Publish,
    /// Its MQTT 5.0 properties, in wire order (Topic Alias included).
    pub properties: Vec<Property>,
}

impl core::ops::Deref for Message {
    type Target = Publish;
    fn deref(&self) -> &Publish {
        &self.publish
    }
}

impl From<Publish> for Message {
    fn from(publish: Publish) -> Self {
        Message {
            publish,
            properties: Vec::new(),
        }
    }
}

/// Something that happened, drained with [`Client::poll_event`](super::Client::poll_event).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientEvent {
    /// CONNACK accepted the connection.
    Connected {
        /// Whether the broker resumed a stored session.
        session_present: bool,
    },
    /// CONNACK refused the connection; the driver should close it.
    ConnectionRefused(ConnectReturnCode),
    /// An MQTT 5.0 CONNACK refused the connection with this reason code (0x80
    /// and above); the driver should close it.
    ConnectionRefusedV5(ConnackReasonCode),
    /// An MQTT 5.0 acknowledgement (PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK,
    /// UNSUBACK) arrived: its reason codes as on the wire (one per filter for
    /// SUBACK/UNSUBACK, 0 when the packet left it out) and its properties.
    /// Comes just before the event the packet causes (`Published`,
    /// `Subscribed`...), if any.
    Acknowledged {
        /// The packet.
        packet: PacketType,
        /// Its packet identifier.
        pid: Pid,
        /// Its reason code(s).
        codes: Vec<u8>,
        /// Its properties (Reason String, User Property).
        properties: Vec<Property>,
    },
    /// An application message arrived (for QoS 2, once, on the first PUBLISH).
    Message(Message),
    /// A QoS 1/2 message completed its handshake (PUBACK, or PUBCOMP for QoS 2).
    Published {
        /// Its packet identifier.
        pid: Pid,
        /// Its QoS.
        qos: QoS,
    },
    /// A QoS 2 message got its PUBREC: the broker has it; PUBREL is on its way.
    Received {
        /// Its packet identifier.
        pid: Pid,
    },
    /// A received QoS 2 message was released (PUBREL answered with PUBCOMP): its
    /// packet id is free again.
    Released {
        /// Its packet identifier.
        pid: Pid,
    },
    /// An unacknowledged message was sent again.
    Resent {
        /// Its packet identifier.
        pid: Pid,
        /// `PUBLISH` (with DUP=1) or `PUBREL`.
        packet: PacketType,
    },
    /// SUBACK arrived.
    Subscribed {
        /// The SUBSCRIBE's identifier.
        pid: Pid,
        /// One code per filter, in order.
        granted: Vec<SubackReturnCode>,
    },
    /// UNSUBACK arrived.
    Unsubscribed {
        /// The UNSUBSCRIBE's identifier.
        pid: Pid,
    },
    /// A packet larger than `max_packet_size` was skipped (only with
    /// [`ConnectOptions::drop_oversized`](super::ConnectOptions::drop_oversized)).
    OversizedDropped {
        /// Its size in bytes.
        size: usize,
        /// The maximum.
        max: usize,
    },
    /// PINGRESP arrived.
    Pong,
    /// The connection is over; the driver should close the transport after sending
    /// what [`Client::poll_transmit`](super::Client::poll_transmit) still holds.
    Disconnected {
        /// Why.
        reason: DisconnectReason,
    },
}

/// Why a connection ended.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum DisconnectReason {
    /// We sent DISCONNECT.
    Requested,
    /// The transport was closed under us.
    TransportClosed,
    /// The broker refused the CONNECT.
    Refused(ConnectReturnCode),
    /// An MQTT 5.0 broker refused the CONNECT with this CONNACK reason code.
    RefusedV5(u8),
    /// An MQTT 5.0 broker sent DISCONNECT with this reason code.
    ByServer(u8),
    /// No PINGRESP within the ping timeout.
    PingTimeout,
    /// No CONNACK within the connect timeout.
    ConnectTimeout,
    /// The broker broke the protocol.
    Protocol(ProtocolError),
}

impl fmt::Display for DisconnectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DisconnectReason::Requested => f.write_str("disconnected by the client"),
            DisconnectReason::TransportClosed => f.write_str("connection closed by the broker"),
            DisconnectReason::Refused(c) => write!(f, "{c}"),
            DisconnectReason::RefusedV5(c) => write!(
                f,
                "connection refused: {} ({c:#04x})",
                ConnackReasonCode::from_u8(*c).map_or("?", |r| r.name())
            ),
            DisconnectReason::ByServer(c) => write!(
                f,
                "DISCONNECT from the broker: {} ({c:#04x})",
                DisconnectReasonCode::from_u8(*c).map_or("?", |r| r.name())
            ),
            DisconnectReason::PingTimeout => {
                f.write_str("no PINGRESP from the broker (keep alive)")
            }
            DisconnectReason::ConnectTimeout => f.write_str("no CONNACK from the broker"),
            DisconnectReason::Protocol(e) => write!(f, "protocol error: {e}"),
        }
    }
}

/// The broker sent something a 3.1.1 client must not accept.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ProtocolError {
    /// The bytes did not decode (the codec's message).
    Malformed(String),
    /// A packet only a client sends (CONNECT, SUBSCRIBE, PINGREQ...).
    UnexpectedPacket(PacketType),
    /// Something other than CONNACK came first (MQTT-3.2.0-1).
    ExpectedConnack(PacketType),
    /// A second CONNACK on the same connection.
    DuplicateConnack,
    /// SUBACK with a different number of codes than the SUBSCRIBE had filters.
    SubackCountMismatch {
        /// Filters sent.
        expected: usize,
        /// Codes received.
        got: usize,
    },
    /// A 5.0 PUBLISH with Topic Alias 0, above our Topic Alias Maximum, or an
    /// alias not set before with an empty topic (MQTT-3.3.2-8..12).
    TopicAliasInvalid(u16),
    /// More unreleased QoS 2 messages than our 5.0 Receive Maximum
    /// (MQTT-3.3.4-9).
    ReceiveMaximumExceeded,
    /// A packet larger than the client's maximum.
    PacketTooLarge {
        /// Its size.
        size: usize,
        /// The maximum.
        max: usize,
    },
    /// Enhanced authentication failed on our side (the broker's refusals are
    /// CONNACK reason codes, not this).
    Authentication(AuthFailed),
}

/// Why the client gave up an enhanced authentication exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum AuthFailed {
    /// The broker accepted without proving it knows the password: its final
    /// data was missing or its signature wrong (RFC 5802 §5), as a fake
    /// broker's would be.
    ServerNotProven,
    /// A step that does not fit the exchange: another method, no data, a
    /// malformed SCRAM message, or a packet out of place.
    BadStep,
}

impl From<&super::AuthError> for AuthFailed {
    fn from(e: &super::AuthError) -> Self {
        use super::AuthError as E;
        match e {
            E::Scram(crate::auth::ScramError::BadServerSignature) | E::Refused(_) => {
                AuthFailed::ServerNotProven
            }
            E::Scram(_) | E::Disconnected(_) | E::BadStep | E::Unexpected(_) => AuthFailed::BadStep,
        }
    }
}

impl fmt::Display for AuthFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AuthFailed::ServerNotProven => "the broker did not prove it knows the password",
            AuthFailed::BadStep => "an authentication step that does not fit the exchange",
        })
    }
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProtocolError::Malformed(m) => write!(f, "malformed packet: {m}"),
            ProtocolError::UnexpectedPacket(t) => {
                write!(f, "{t} is never sent by a broker to a client")
            }
            ProtocolError::ExpectedConnack(t) => {
                write!(
                    f,
                    "{t} before CONNACK (the first packet must be CONNACK, MQTT-3.2.0-1)"
                )
            }
            ProtocolError::DuplicateConnack => f.write_str("a second CONNACK on one connection"),
            ProtocolError::SubackCountMismatch { expected, got } => write!(
                f,
                "SUBACK has {got} return codes for {expected} filters (MQTT-3.9.3-1)"
            ),
            ProtocolError::TopicAliasInvalid(a) => write!(f, "invalid topic alias {a}"),
            ProtocolError::ReceiveMaximumExceeded => {
                f.write_str("more QoS 2 messages unreleased than our Receive Maximum")
            }
            ProtocolError::PacketTooLarge { size, max } => {
                write!(f, "packet of {size} bytes exceeds the maximum of {max}")
            }
            ProtocolError::Authentication(e) => write!(f, "authentication failed: {e}"),
        }
    }
}

impl std::error::Error for ProtocolError {}

/// Why a command was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientError {
    /// The command needs a connection (or one being set up).
    NotConnected,
    /// `connect` while a connection is already open or opening.
    AlreadyConnected,
    /// All 65,535 packet identifiers are in use.
    NoPacketIdAvailable,
    /// A topic name or filter is not valid.
    InvalidTopic(TopicError),
    /// SUBSCRIBE and UNSUBSCRIBE need at least one filter (MQTT-3.8.3-3, MQTT-3.10.3-2).
    NoFilters,
    /// An empty client id needs a clean session (MQTT-3.1.3-7).
    EmptyClientIdNeedsCleanSession,
    /// A client id longer than the 65,535 bytes a string can hold.
    ClientIdTooLong,
    /// The packet would be larger than the maximum packet size (ours, or the
    /// Maximum Packet Size of a 5.0 broker's CONNACK).
    PacketTooLarge {
        /// Its size.
        size: usize,
        /// The maximum.
        max: usize,
    },
    /// A 5.0 broker's CONNACK said Maximum QoS is lower than asked
    /// (MQTT-3.2.2-11).
    QosNotSupported {
        /// The QoS asked for.
        asked: QoS,
        /// The broker's maximum.
        max: QoS,
    },
    /// A 5.0 broker's CONNACK said Retain Available is 0 (MQTT-3.2.2-14).
    RetainNotSupported,
    /// A Topic Alias of 0 or above the broker's Topic Alias Maximum
    /// (MQTT-3.3.2-8, MQTT-3.3.2-9).
    TopicAliasInvalid {
        /// The alias.
        alias: u16,
        /// The broker's Topic Alias Maximum (0: none allowed).
        max: u16,
    },
    /// Properties or reason codes on a packet of an MQTT 3.1/3.1.1 connection.
    NeedsV5,
    /// A property the packet may not carry (the table of §2.2.2.2).
    PropertyNotAllowed(crate::codec::properties::PropertyId),
    /// Enhanced authentication could not start (the SCRAM login given).
    Authentication(super::AuthError),
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::NotConnected => f.write_str("not connected"),
            ClientError::AlreadyConnected => f.write_str("already connected"),
            ClientError::NoPacketIdAvailable => {
                f.write_str("all 65535 packet identifiers are in use")
            }
            ClientError::InvalidTopic(e) => write!(f, "invalid topic: {e}"),
            ClientError::NoFilters => f.write_str("at least one topic filter is needed"),
            ClientError::EmptyClientIdNeedsCleanSession => f.write_str(
                "an empty client id requires clean session (MQTT-3.1.3-7); give a client id",
            ),
            ClientError::ClientIdTooLong => f.write_str("client id longer than 65535 bytes"),
            ClientError::PacketTooLarge { size, max } => {
                write!(f, "packet of {size} bytes exceeds the maximum of {max}")
            }
            ClientError::QosNotSupported { asked, max } => {
                write!(f, "QoS {asked} asked, the broker's Maximum QoS is {max}")
            }
            ClientError::RetainNotSupported => f.write_str("the broker has no retained messages"),
            ClientError::TopicAliasInvalid { alias, max } => {
                write!(f, "topic alias {alias} outside 1..={max}")
            }
            ClientError::NeedsV5 => f.write_str("properties need MQTT 5.0"),
            ClientError::PropertyNotAllowed(id) => {
                write!(f, "{} is not allowed here", id.name())
            }
            ClientError::Authentication(e) => write!(f, "cannot authenticate: {e}"),
        }
    }
}

impl std::error::Error for ClientError {}

impl From<TopicError> for ClientError {
    fn from(e: TopicError) -> Self {
        ClientError::InvalidTopic(e)
    }
}
