//! CONNECT: the first packet a client sends (MQTT 3.1.1 §3.1).

use bytes::Bytes;

use super::QoS;
use crate::topic::TopicName;

/// Which protocol the CONNECT names in its variable header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// MQTT 3.1: protocol name "MQIsdp", level 3. Accepted as mosquitto does.
    V31,
    /// MQTT 3.1.1: protocol name "MQTT", level 4.
    V311,
}

impl Protocol {
    /// The protocol name string on the wire.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::V31 => "MQIsdp",
            Protocol::V311 => "MQTT",
        }
    }

    /// The protocol level byte (`p2`/`p3`/`p4` style numbers come from here).
    pub fn level(self) -> u8 {
        match self {
            Protocol::V31 => 3,
            Protocol::V311 => 4,
        }
    }
}

/// The Last Will and Testament a client leaves with the broker (§3.1.2.5).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LastWill {
    /// Where the will is published.
    pub topic: TopicName,
    /// What is published.
    pub message: Bytes,
    /// At which QoS.
    pub qos: QoS,
    /// Whether the broker keeps it as the topic's retained message.
    pub retain: bool,
}

/// A user name and an optional password. A password without a user name is not
/// allowed in MQTT 3.1.1 (MQTT-3.1.2-22), so the type cannot express it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Login {
    /// The user name (UTF-8).
    pub username: String,
    /// The password (binary data).
    pub password: Option<Bytes>,
}

/// A CONNECT packet.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Connect {
    /// MQTT 3.1 or 3.1.1.
    pub protocol: Protocol,
    /// Clean session flag: `false` asks for a persistent session.
    pub clean_session: bool,
    /// Keep alive in seconds; 0 turns the mechanism off.
    pub keep_alive: u16,
    /// The client identifier; may be empty (then the broker may assign one).
    pub client_id: String,
    /// The will, if any.
    pub will: Option<LastWill>,
    /// User name and password, if any.
    pub login: Option<Login>,
}
