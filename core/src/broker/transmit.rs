//! What the broker sends: each packet logged in mosquitto's words and encoded
//! at the receiving connection's level (a 3.1.1 client gets what 3.1.1 carries,
//! [`convert::to_v3`]), within a 5.0 client's Maximum Packet Size; and the
//! broker's own DISCONNECT to 5.0 clients.

use crate::codec::properties::ReasonString;
use crate::codec::reason_codes::DisconnectReasonCode;
use crate::codec::{convert, v5, AnyPacket, Packet};
use crate::time::Instant;

use super::{log, Broker, ConnId, Output, Transmit};

impl Broker {
    /// Logs `Sending <TYPE> to <name>...` the way mosquitto words each type, and
    /// queues the packet's bytes at the receiver's level.
    pub(super) fn send(
        &mut self,
        now: Instant,
        conn: ConnId,
        name: &str,
        packet: v5::Packet,
    ) -> bool {
        let v5 = self.conns.get(&conn).is_some_and(|c| c.is_v5());
        if let Some(line) = self
            .config
            .log
            .then(|| log::sending(name, &packet, v5))
            .flatten()
        {
            self.log(now, || line);
        }
        self.transmit(now, conn, packet)
    }

    /// Encodes a packet at the connection's level and queues it: a 3.1.1 client
    /// gets what 3.1.1 carries ([`convert::to_v3`]); a 5.0 client nothing larger
    /// than its Maximum Packet Size (MQTT-3.1.2-24: the packet is dropped).
    /// Returns whether it went out.
    pub(super) fn transmit(&mut self, _now: Instant, conn: ConnId, packet: v5::Packet) -> bool {
        let Some(c) = self.conns.get(&conn) else {
            return false;
        };
        let limit = c.peer_limits.max_packet_size;
        let mut packet = if c.is_v5() {
            AnyPacket::V5(packet)
        } else {
            match convert::to_v3(packet) {
                Ok(p) => AnyPacket::V3(p),
                Err(_) => return false,
            }
        };
        // The broker only builds packets the wire can carry (topics and payloads
        // come from decoded packets); should encoding still fail, nothing is sent
        // rather than half a packet.
        let Ok(mut bytes) = self.encodings.encode(&packet) else {
            return false;
        };
        let too_large = |b: &[u8]| limit.is_some_and(|max| b.len() as u64 > u64::from(max));
        if too_large(&bytes) {
            // Not a PUBLISH: what may go is the Reason String and User
            // Properties (MQTT-3.1.2-25's companions, e.g. MQTT-3.4.2-2); the
            // packet itself must still be sent.
            let AnyPacket::V5(p) = &packet else {
                return false;
            };
            let Some(slim) = without_problem_information(p) else {
                return false;
            };
            let mut own = Vec::new();
            if slim.encode(&mut own).is_err() || too_large(&own) {
                return false;
            }
            bytes = own.into();
            packet = AnyPacket::V5(slim);
        }
        if self.config.socket_feedback {
            if let Some(c) = self.conns.get_mut(&conn) {
                let qos0 = match &packet {
                    AnyPacket::V3(Packet::Publish(p)) if p.qospid.pid().is_none() => {
                        Some(p.payload.len())
                    }
                    AnyPacket::V5(v5::Packet::Publish(p)) if p.qospid.pid().is_none() => {
                        Some(p.payload.len())
                    }
                    _ => None,
                };
                c.transmitted(bytes.len(), qos0);
            }
        }
        self.traffic.count_sent(&packet, bytes.len());
        self.out.push_back(Output::Transmit(Transmit {
            conn,
            packet,
            bytes,
        }));
        true
    }

    /// Sends a 5.0 client the broker's DISCONNECT (§3.14) before the broker
    /// closes its connection; a 3.1.1 client gets none (3.1.1 has no DISCONNECT
    /// from the server). With `why`, a Reason String unless the client turned
    /// problem information off.
    pub(super) fn send_disconnect(
        &mut self,
        now: Instant,
        conn: ConnId,
        code: DisconnectReasonCode,
        why: Option<String>,
    ) {
        let Some(c) = self.conns.get(&conn) else {
            return;
        };
        if !c.is_v5() || c.client_id.is_none() {
            return;
        }
        let name = c.log_name().to_owned();
        let properties = match why {
            Some(why) if c.peer_limits.problem_information => Some(vec![ReasonString(why).into()]),
            _ => None,
        };
        self.send(
            now,
            conn,
            &name,
            v5::Packet::Disconnect(v5::Disconnect {
                reason: Some(code),
                properties,
            }),
        );
    }
}

/// A packet other than PUBLISH without its Reason String and User Properties,
/// the parts a receiver's Maximum Packet Size may cost (§3.1.2.11.4).
fn without_problem_information(p: &v5::Packet) -> Option<v5::Packet> {
    use crate::codec::properties::{Property, PropertyId};
    let keep = |props: &mut Vec<Property>| {
        props.retain(|p| !matches!(p.id(), PropertyId::ReasonString | PropertyId::UserProperty))
    };
    let mut p = p.clone();
    match &mut p {
        v5::Packet::Publish(_) => return None,
        v5::Packet::Connack(c) => keep(&mut c.properties),
        v5::Packet::Puback(a) => a.properties = None,
        v5::Packet::Pubrec(a) => a.properties = None,
        v5::Packet::Pubrel(a) => a.properties = None,
        v5::Packet::Pubcomp(a) => a.properties = None,
        v5::Packet::Suback(s) => keep(&mut s.properties),
        v5::Packet::Unsuback(u) => keep(&mut u.properties),
        v5::Packet::Disconnect(d) => d.properties = None,
        _ => return None,
    }
    Some(p)
}
