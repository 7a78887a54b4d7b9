//! What the client reports to its driver, and the errors of its commands.

use core::fmt;

use crate::codec::{ConnectReturnCode, PacketType, Pid, Publish, QoS, SubackReturnCode};
use crate::topic::TopicError;

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
    /// An application message arrived (for QoS 2, once, on the first PUBLISH).
    Message(Publish),
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
    /// A packet larger than the client's maximum.
    PacketTooLarge {
        /// Its size.
        size: usize,
        /// The maximum.
        max: usize,
    },
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
            ProtocolError::PacketTooLarge { size, max } => {
                write!(f, "packet of {size} bytes exceeds the maximum of {max}")
            }
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
    /// The packet would be larger than the maximum packet size.
    PacketTooLarge {
        /// Its size.
        size: usize,
        /// The maximum.
        max: usize,
    },
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
        }
    }
}

impl std::error::Error for ClientError {}

impl From<TopicError> for ClientError {
    fn from(e: TopicError) -> Self {
        ClientError::InvalidTopic(e)
    }
}
