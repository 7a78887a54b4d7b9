//! What the broker offers MQTT 5.0 clients, announced in CONNACK (§3.2.2.3):
//! the defaults are mosquitto 2.0.11's (it announces Receive Maximum 20 and
//! Topic Alias Maximum 10, and nothing where 5.0's default holds).

use crate::codec::properties::{
    MaximumPacketSize, MaximumQos, Property, ReceiveMaximum, RetainAvailable, ServerKeepAlive,
    TopicAliasMaximum,
};
use crate::codec::QoS;

/// The broker's 5.0 settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V5Config {
    /// Receive Maximum: unacknowledged QoS 1/2 PUBLISHes a client may send; one
    /// more is DISCONNECT 0x93 (MQTT-3.3.4-7). mosquitto announces its
    /// `max_inflight_messages`, 20, and does not enforce it.
    pub receive_maximum: u16,
    /// Topic Alias Maximum: the highest alias a client may set; 0 none.
    pub topic_alias_maximum: u16,
    /// Server Keep Alive: imposed on every 5.0 client instead of its own.
    pub server_keep_alive: Option<u16>,
    /// Maximum QoS: a PUBLISH above it is DISCONNECT 0x9B; subscriptions are
    /// granted at most it.
    pub maximum_qos: QoS,
    /// Retain Available: without it a retained PUBLISH is DISCONNECT 0x9A.
    pub retain_available: bool,
    /// Server Reference: every 5.0 CONNECT is answered 0x9C (use another
    /// server) or, `moved`, 0x9D (server moved) with this reference.
    pub server_reference: Option<ServerReference>,
    /// MQTT 5.0 only: a 3.1 or 3.1.1 CONNECT is refused with CONNACK 1
    /// (unacceptable protocol version, 5.0's 0x84 at the client's level), as a
    /// broker that speaks only 5.0 answers a client such as PubSubClient.
    /// mosquitto 2.0.11 has no such setting.
    pub only: bool,
}

/// Where a redirected client should go (§4.11).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerReference {
    /// The reference, e.g. `other.example:1883`.
    pub reference: String,
    /// 0x9D Server moved (permanent) rather than 0x9C Use another server.
    pub moved: bool,
}

impl Default for V5Config {
    fn default() -> Self {
        V5Config {
            receive_maximum: 20,
            topic_alias_maximum: 10,
            server_keep_alive: None,
            maximum_qos: QoS::ExactlyOnce,
            retain_available: true,
            server_reference: None,
            only: false,
        }
    }
}

impl V5Config {
    /// The CONNACK properties that say what differs from 5.0's defaults, in
    /// mosquitto's order (Topic Alias Maximum, then Receive Maximum).
    /// `max_packet_size` is the broker's (its default, the protocol's largest,
    /// is not announced).
    pub(crate) fn connack_properties(&self, max_packet_size: usize) -> Vec<Property> {
        let mut props = Vec::new();
        if self.topic_alias_maximum > 0 {
            props.push(TopicAliasMaximum(self.topic_alias_maximum).into());
        }
        if self.receive_maximum < u16::MAX {
            props.push(ReceiveMaximum(self.receive_maximum.max(1)).into());
        }
        if max_packet_size < 268_435_455 + 5 {
            let max = u32::try_from(max_packet_size).unwrap_or(u32::MAX).max(1);
            props.push(MaximumPacketSize(max).into());
        }
        if self.maximum_qos != QoS::ExactlyOnce {
            props.push(MaximumQos(self.maximum_qos.as_u8()).into());
        }
        if !self.retain_available {
            props.push(RetainAvailable(0).into());
        }
        if let Some(k) = self.server_keep_alive {
            props.push(ServerKeepAlive(k).into());
        }
        props
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_announce_what_mosquitto_announces() {
        let props = V5Config::default().connack_properties(268_435_455 + 5);
        assert_eq!(
            &props[..],
            &[
                Property::from(TopicAliasMaximum(10)),
                Property::from(ReceiveMaximum(20))
            ]
        );
    }
}
