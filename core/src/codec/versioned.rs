//! One codec for protocol levels 3 (MQIsdp 3.1), 4 (3.1.1) and 5 (5.0): a
//! packet of either family, and decoding at a level that is known, or learnt
//! from a CONNECT.

use core::fmt;

use super::error::{DecodeError, EncodeError};
use super::header::parse_fixed_header;
use super::{v5, Packet, PacketType, Protocol};

/// A packet of MQTT 3.1/3.1.1 or of MQTT 5.0.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AnyPacket {
    /// Levels 3 and 4.
    V3(Packet),
    /// Level 5.
    V5(v5::Packet),
}

impl AnyPacket {
    /// The packet's type.
    pub fn packet_type(&self) -> PacketType {
        match self {
            AnyPacket::V3(p) => p.packet_type(),
            AnyPacket::V5(p) => p.packet_type(),
        }
    }

    /// Appends the packet's exact bytes to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        match self {
            AnyPacket::V3(p) => p.encode(out),
            AnyPacket::V5(p) => p.encode(out),
        }
    }
}

impl fmt::Display for AnyPacket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnyPacket::V3(p) => p.fmt(f),
            AnyPacket::V5(p) => p.fmt(f),
        }
    }
}

/// The protocol a CONNECT at the front of `buf` names, if `buf` holds a
/// CONNECT's fixed header, protocol name and level, and they name one of the
/// three levels.
pub fn connect_protocol(buf: &[u8]) -> Option<Protocol> {
    let header = parse_fixed_header(buf, usize::MAX).ok()??;
    if header.packet_type != PacketType::Connect {
        return None;
    }
    let at = header.header_len;
    let len = usize::from(u16::from_be_bytes([*buf.get(at)?, *buf.get(at + 1)?]));
    let name = buf.get(at + 2..at + 2 + len)?;
    let level = *buf.get(at + 2 + len)?;
    match (name, level) {
        (b"MQTT", 5) => Some(Protocol::V5),
        (name, level) => Protocol::from_name_level(name, level),
    }
}

/// Decodes the packet at the front of `buf` at `protocol`'s level; with `None`,
/// a CONNECT tells the level and anything else is read as 3.1.1.
pub fn decode_any(
    buf: &[u8],
    max_packet_size: usize,
    protocol: Option<Protocol>,
) -> Result<Option<(AnyPacket, usize)>, DecodeError> {
    let protocol = protocol.or_else(|| connect_protocol(buf));
    if protocol == Some(Protocol::V5) {
        Ok(v5::decode(buf, max_packet_size)?.map(|(p, n)| (AnyPacket::V5(p), n)))
    } else {
        Ok(super::decode(buf, max_packet_size)?.map(|(p, n)| (AnyPacket::V3(p), n)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::golden::{CONNECT_MINIMAL, CONNECT_V31};

    #[test]
    fn a_connect_tells_its_level() {
        assert_eq!(connect_protocol(CONNECT_MINIMAL), Some(Protocol::V311));
        assert_eq!(connect_protocol(CONNECT_V31), Some(Protocol::V31));
        let mut v5 = CONNECT_MINIMAL.to_vec();
        v5[8] = 5;
        assert_eq!(connect_protocol(&v5), Some(Protocol::V5));
        assert_eq!(connect_protocol(&v5[..8]), None);
        assert_eq!(connect_protocol(&[0xc0, 0x00]), None);
        // Level 5 CONNECT bytes without properties are not a valid 5.0 CONNECT:
        // the byte after the keep alive is read as the property length.
        assert!(decode_any(&v5, 1024, None).is_err());
    }
}
