//! MQTT in a reassembled byte stream: packets cut and decoded by the codec at
//! the connection's level, which the client's CONNECT tells
//! ([`decode_any`]), for both directions. A malformed packet whose length is
//! known is reported with the codec's error and skipped; one whose length is
//! not (a broken fixed header) ends the reading of that direction, since the
//! next packet's start is unknown.

use crate::codec::{decode_any, AnyPacket, DecodeError, Packet, Protocol};

/// Packets larger than this are not waited for (the standard's own maximum).
const MAX_PACKET: usize = 268_435_455 + 5;

/// A decoded MQTT packet of the capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MqttPacket {
    /// The packet.
    pub packet: AnyPacket,
    /// Its exact bytes, for the dissection.
    pub bytes: Vec<u8>,
    /// The level it was read at.
    pub protocol: Protocol,
}

/// Bytes that are not a valid MQTT packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    /// The packet's bytes (to the end of what was read when its length is
    /// unknown).
    pub bytes: Vec<u8>,
    /// The codec's error: what, at which byte of the packet, which rule.
    pub error: DecodeError,
    /// The level it was read at.
    pub protocol: Protocol,
}

/// What the reader found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// A packet.
    Packet(Box<MqttPacket>),
    /// A malformed packet.
    Malformed(Box<Malformed>),
}

/// One direction of an MQTT connection.
#[derive(Debug, Default)]
pub struct MqttReader {
    buf: Vec<u8>,
    stopped: bool,
}

/// The length of the packet at the front of `buf` from its remaining length
/// alone, if that is complete and valid.
fn packet_len(buf: &[u8]) -> Option<usize> {
    let mut len = 0usize;
    for i in 0..4 {
        let b = *buf.get(1 + i)?;
        len |= usize::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some(1 + i + 1 + len);
        }
    }
    None
}

/// The level a packet sets for its connection: a CONNECT's own.
pub fn level_of(packet: &AnyPacket) -> Option<Protocol> {
    match packet {
        AnyPacket::V5(crate::codec::v5::Packet::Connect(_)) => Some(Protocol::V5),
        AnyPacket::V3(Packet::Connect(c)) => Some(c.protocol),
        _ => None,
    }
}

impl MqttReader {
    /// Whether a broken fixed header stopped this direction.
    pub fn stopped(&self) -> bool {
        self.stopped
    }

    /// Reads the packets `data` completes. `level` is the connection's level
    /// (unknown until a CONNECT); a CONNECT read here sets it.
    pub fn push(&mut self, data: &[u8], level: &mut Option<Protocol>, out: &mut Vec<Found>) {
        if self.stopped {
            return;
        }
        self.buf.extend_from_slice(data);
        let mut at = 0;
        while at < self.buf.len() {
            let rest = &self.buf[at..];
            match decode_any(rest, MAX_PACKET, *level) {
                Ok(Some((packet, n))) => {
                    if let Some(l) = level_of(&packet) {
                        *level = Some(l);
                    }
                    let protocol = level.unwrap_or(Protocol::V311);
                    out.push(Found::Packet(Box::new(MqttPacket {
                        packet,
                        bytes: rest[..n].to_vec(),
                        protocol,
                    })));
                    at += n;
                }
                Ok(None) => break,
                Err(error) => {
                    let protocol = level.unwrap_or(Protocol::V311);
                    match packet_len(rest) {
                        Some(n) if n <= rest.len() => {
                            out.push(Found::Malformed(Box::new(Malformed {
                                bytes: rest[..n].to_vec(),
                                error,
                                protocol,
                            })));
                            at += n;
                        }
                        // The header is broken but says how long the packet
                        // is: wait for all of it, then skip it whole.
                        Some(_) => break,
                        // Its remaining length has not all arrived yet.
                        None if rest.len() < 5 && rest[1..].iter().all(|b| b & 0x80 != 0) => break,
                        _ => {
                            out.push(Found::Malformed(Box::new(Malformed {
                                bytes: rest.to_vec(),
                                error,
                                protocol,
                            })));
                            self.stopped = true;
                            at = self.buf.len();
                        }
                    }
                }
            }
        }
        self.buf.drain(..at);
        if self.stopped {
            self.buf = Vec::new();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::PacketType;

    // mosquitto_sub -V 5's CONNECT (client id "s", keepalive 60) and a PUBLISH.
    const CONNECT_V5: &[u8] = &[
        0x10, 0x0e, 0, 4, b'M', b'Q', b'T', b'T', 5, 0x02, 0, 60, 0, 0, 1, b's',
    ];

    #[test]
    fn the_connect_sets_the_level_and_packets_split_anywhere_are_whole() {
        let mut r = MqttReader::default();
        let mut level = None;
        let mut out = Vec::new();
        let mut stream = CONNECT_V5.to_vec();
        // A 5.0 PUBACK with reason code 0x10: only readable at level 5.
        stream.extend_from_slice(&[0x40, 0x03, 0x00, 0x07, 0x10]);
        for b in &stream {
            r.push(&[*b], &mut level, &mut out);
        }
        assert_eq!(level, Some(Protocol::V5));
        assert_eq!(out.len(), 2, "{out:?}");
        match &out[1] {
            Found::Packet(p) => {
                assert_eq!(p.packet.packet_type(), PacketType::Puback);
                assert_eq!(p.bytes, &[0x40, 0x03, 0x00, 0x07, 0x10]);
                assert_eq!(p.protocol, Protocol::V5);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_malformed_packet_is_skipped_by_its_length_and_a_broken_header_stops() {
        let mut r = MqttReader::default();
        let mut level = Some(Protocol::V311);
        let mut out = Vec::new();
        // SUBSCRIBE without a filter (MQTT-3.8.3-3), then a PINGREQ.
        r.push(&[0x82, 0x02, 0x00, 0x01, 0xc0, 0x00], &mut level, &mut out);
        assert!(
            matches!(&out[0], Found::Malformed(m) if m.bytes == [0x82, 0x02, 0x00, 0x01] && !m.error.kind.rule().is_empty())
        );
        assert!(
            matches!(&out[1], Found::Packet(p) if p.packet.packet_type() == PacketType::Pingreq)
        );
        out.clear();
        // A remaining length longer than four bytes: where the next packet
        // starts is unknown, so the reading of this direction stops.
        r.push(&[0x30, 0xff, 0xff, 0xff, 0xff, 0x01], &mut level, &mut out);
        assert!(matches!(&out[0], Found::Malformed(_)));
        assert!(r.stopped());
        r.push(&[0xc0, 0x00], &mut level, &mut out);
        assert_eq!(out.len(), 1);
    }
}
