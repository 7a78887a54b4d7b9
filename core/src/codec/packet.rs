//! The fourteen control packets of MQTT 3.1.1 (§2.2.1) as one enum.

use core::fmt;

use super::{Connack, Connect, Pid, Publish, Suback, Subscribe, Unsubscribe};

/// The control packet type: the high nibble of the first byte (§2.2.1, table 2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum PacketType {
    /// 1: client request to connect.
    Connect = 1,
    /// 2: connect acknowledgment.
    Connack = 2,
    /// 3: publish message.
    Publish = 3,
    /// 4: publish acknowledgment (QoS 1).
    Puback = 4,
    /// 5: publish received (QoS 2, part 1).
    Pubrec = 5,
    /// 6: publish release (QoS 2, part 2).
    Pubrel = 6,
    /// 7: publish complete (QoS 2, part 3).
    Pubcomp = 7,
    /// 8: subscribe request.
    Subscribe = 8,
    /// 9: subscribe acknowledgment.
    Suback = 9,
    /// 10: unsubscribe request.
    Unsubscribe = 10,
    /// 11: unsubscribe acknowledgment.
    Unsuback = 11,
    /// 12: ping request.
    Pingreq = 12,
    /// 13: ping response.
    Pingresp = 13,
    /// 14: client is disconnecting.
    Disconnect = 14,
    /// 15: authentication exchange (MQTT 5.0 only; reserved in 3.1.1).
    Auth = 15,
}

impl PacketType {
    /// The MQTT 5.0 type for a nibble: as [`from_nibble`](Self::from_nibble),
    /// and 15 is AUTH.
    pub fn from_nibble_v5(n: u8) -> Option<Self> {
        match n {
            15 => Some(PacketType::Auth),
            n => Self::from_nibble(n),
        }
    }

    /// The MQTT 3.1.1 type for a nibble, or `None` for the reserved 0 and 15.
    pub fn from_nibble(n: u8) -> Option<Self> {
        use PacketType::*;
        Some(match n {
            1 => Connect,
            2 => Connack,
            3 => Publish,
            4 => Puback,
            5 => Pubrec,
            6 => Pubrel,
            7 => Pubcomp,
            8 => Subscribe,
            9 => Suback,
            10 => Unsubscribe,
            11 => Unsuback,
            12 => Pingreq,
            13 => Pingresp,
            14 => Disconnect,
            _ => return None,
        })
    }

    /// The name as mosquitto's log writes it (`PUBLISH`, `PINGREQ`...).
    pub fn name(self) -> &'static str {
        use PacketType::*;
        match self {
            Connect => "CONNECT",
            Connack => "CONNACK",
            Publish => "PUBLISH",
            Puback => "PUBACK",
            Pubrec => "PUBREC",
            Pubrel => "PUBREL",
            Pubcomp => "PUBCOMP",
            Subscribe => "SUBSCRIBE",
            Suback => "SUBACK",
            Unsubscribe => "UNSUBSCRIBE",
            Unsuback => "UNSUBACK",
            Pingreq => "PINGREQ",
            Pingresp => "PINGRESP",
            Disconnect => "DISCONNECT",
            Auth => "AUTH",
        }
    }
}

impl fmt::Display for PacketType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Any MQTT 3.1.1 control packet.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Packet {
    /// §3.1
    Connect(Connect),
    /// §3.2
    Connack(Connack),
    /// §3.3
    Publish(Publish),
    /// §3.4
    Puback(Pid),
    /// §3.5
    Pubrec(Pid),
    /// §3.6
    Pubrel(Pid),
    /// §3.7
    Pubcomp(Pid),
    /// §3.8
    Subscribe(Subscribe),
    /// §3.9
    Suback(Suback),
    /// §3.10
    Unsubscribe(Unsubscribe),
    /// §3.11
    Unsuback(Pid),
    /// §3.12
    Pingreq,
    /// §3.13
    Pingresp,
    /// §3.14
    Disconnect,
}

impl Packet {
    /// The packet's type.
    pub fn packet_type(&self) -> PacketType {
        match self {
            Packet::Connect(_) => PacketType::Connect,
            Packet::Connack(_) => PacketType::Connack,
            Packet::Publish(_) => PacketType::Publish,
            Packet::Puback(_) => PacketType::Puback,
            Packet::Pubrec(_) => PacketType::Pubrec,
            Packet::Pubrel(_) => PacketType::Pubrel,
            Packet::Pubcomp(_) => PacketType::Pubcomp,
            Packet::Subscribe(_) => PacketType::Subscribe,
            Packet::Suback(_) => PacketType::Suback,
            Packet::Unsubscribe(_) => PacketType::Unsubscribe,
            Packet::Unsuback(_) => PacketType::Unsuback,
            Packet::Pingreq => PacketType::Pingreq,
            Packet::Pingresp => PacketType::Pingresp,
            Packet::Disconnect => PacketType::Disconnect,
        }
    }
}
