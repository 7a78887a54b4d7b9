//! The fixed header every packet starts with (MQTT 3.1.1 §2.2): the type and flag
//! nibbles, then the remaining length in one to four bytes of seven bits each.
//!
//! ```text
//!  bit    7   6   5   4   3   2   1   0
//! byte 1  packet type    | flags
//! byte 2… remaining length (continuation bit 7, little-endian groups of 7 bits)
//! ```

use super::error::{DecodeError, DecodeErrorKind, EncodeError};
use super::PacketType;

/// The largest remaining length four bytes can say (§2.2.3): 268,435,455.
pub const MAX_REMAINING_LENGTH: usize = 268_435_455;

/// A parsed fixed header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedHeader {
    /// The high nibble of byte 1.
    pub packet_type: PacketType,
    /// The low nibble of byte 1.
    pub flags: u8,
    /// The number of bytes after the fixed header.
    pub remaining_length: usize,
    /// The length of the fixed header itself: 2 to 5 bytes.
    pub header_len: usize,
}

impl FixedHeader {
    /// The size of the whole packet: fixed header plus remaining length.
    pub fn packet_len(&self) -> usize {
        self.header_len + self.remaining_length
    }
}

/// `len` as a remaining length, if the variable byte integer can carry it
/// (§2.2.3: at most 268,435,455), for both levels' encoders.
#[inline]
pub(crate) fn check_remaining_length(len: usize) -> Result<usize, EncodeError> {
    if len <= MAX_REMAINING_LENGTH {
        Ok(len)
    } else {
        Err(EncodeError::PacketTooLarge {
            remaining_length: len,
        })
    }
}

/// The flag nibble the standard fixes for a packet type (§2.2.2, table 2.2), or
/// `None` for PUBLISH whose flags carry DUP, QoS and RETAIN.
pub fn required_flags(t: PacketType) -> Option<u8> {
    match t {
        PacketType::Publish => None,
        PacketType::Pubrel | PacketType::Subscribe | PacketType::Unsubscribe => Some(0b0010),
        _ => Some(0),
    }
}

/// Checks the first byte: a known type with the flags table 2.2 requires.
pub fn parse_first_byte(b: u8) -> Result<(PacketType, u8), DecodeError> {
    let flags = b & 0x0f;
    let packet_type = PacketType::from_nibble(b >> 4)
        .ok_or_else(|| DecodeError::new(DecodeErrorKind::ReservedPacketType(b >> 4), 0))?;
    match required_flags(packet_type) {
        Some(required) if required != flags => Err(DecodeError::new(
            DecodeErrorKind::InvalidHeaderFlags { packet_type, flags },
            0,
        )),
        Some(_) => Ok((packet_type, flags)),
        None => {
            let qos = (flags >> 1) & 0b11;
            if qos == 3 {
                Err(DecodeError::new(DecodeErrorKind::PublishQos3, 0))
            } else if qos == 0 && flags & 0b1000 != 0 {
                Err(DecodeError::new(DecodeErrorKind::DupWithQos0, 0))
            } else {
                Ok((packet_type, flags))
            }
        }
    }
}

/// Parses the fixed header at the start of `buf`.
///
/// `Ok(None)` means `buf` ends inside the header. A packet larger than
/// `max_packet_size` is refused as soon as its length is known, before its body
/// has arrived (as rumqtt's `check()` does), so a peer cannot make the receiver
/// buffer 256 MB by announcing it.
pub fn parse_fixed_header(
    buf: &[u8],
    max_packet_size: usize,
) -> Result<Option<FixedHeader>, DecodeError> {
    parse_fixed_header_by(buf, max_packet_size, parse_first_byte)
}

/// MQTT 5.0's first byte: as 3.1.1's, and type 15 is AUTH with flags 0.
pub fn parse_first_byte_v5(b: u8) -> Result<(PacketType, u8), DecodeError> {
    if b >> 4 == 15 {
        return match b & 0x0f {
            0 => Ok((PacketType::Auth, 0)),
            flags => Err(DecodeError::new(
                DecodeErrorKind::InvalidHeaderFlags {
                    packet_type: PacketType::Auth,
                    flags,
                },
                0,
            )),
        };
    }
    parse_first_byte(b)
}

/// The fixed header with the first byte judged by `first_byte` (3.1.1's or 5.0's).
#[inline]
pub(crate) fn parse_fixed_header_by(
    buf: &[u8],
    max_packet_size: usize,
    first_byte: impl Fn(u8) -> Result<(PacketType, u8), DecodeError>,
) -> Result<Option<FixedHeader>, DecodeError> {
    let Some(&first) = buf.first() else {
        return Ok(None);
    };
    let (packet_type, flags) = first_byte(first)?;
    let mut remaining_length = 0usize;
    for i in 0..4 {
        let Some(&b) = buf.get(1 + i) else {
            return Ok(None);
        };
        remaining_length |= usize::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            let header = FixedHeader {
                packet_type,
                flags,
                remaining_length,
                header_len: 2 + i,
            };
            if header.packet_len() > max_packet_size {
                return Err(DecodeError::new(
                    DecodeErrorKind::PacketTooLarge {
                        size: header.packet_len(),
                        max: max_packet_size,
                    },
                    1,
                ));
            }
            return Ok(Some(header));
        }
    }
    Err(DecodeError::new(DecodeErrorKind::RemainingLengthTooLong, 4))
}

/// How many bytes the remaining length `len` takes on the wire (1 to 4).
pub fn remaining_length_len(len: usize) -> usize {
    match len {
        0..=127 => 1,
        128..=16_383 => 2,
        16_384..=2_097_151 => 3,
        _ => 4,
    }
}

/// Appends `len` (at most [`MAX_REMAINING_LENGTH`]) as a remaining length.
pub fn write_remaining_length(out: &mut Vec<u8>, mut len: usize) {
    debug_assert!(len <= MAX_REMAINING_LENGTH);
    loop {
        let mut b = (len & 0x7f) as u8;
        len >>= 7;
        if len > 0 {
            b |= 0x80;
        }
        out.push(b);
        if len == 0 {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The boundary values of the table in §2.2.3.
    const LENGTHS: [(usize, &[u8]); 8] = [
        (0, &[0x00]),
        (127, &[0x7f]),
        (128, &[0x80, 0x01]),
        (16_383, &[0xff, 0x7f]),
        (16_384, &[0x80, 0x80, 0x01]),
        (2_097_151, &[0xff, 0xff, 0x7f]),
        (2_097_152, &[0x80, 0x80, 0x80, 0x01]),
        (268_435_455, &[0xff, 0xff, 0xff, 0x7f]),
    ];

    #[test]
    fn remaining_length_table_of_section_2_2_3() {
        for (len, bytes) in LENGTHS {
            let mut out = Vec::new();
            write_remaining_length(&mut out, len);
            assert_eq!(out, bytes, "emit {len}");
            assert_eq!(remaining_length_len(len), bytes.len());
            let mut packet = vec![0xd0];
            packet.extend_from_slice(bytes);
            let h = parse_fixed_header(&packet, usize::MAX).unwrap().unwrap();
            assert_eq!(h.remaining_length, len, "parse {bytes:02x?}");
            assert_eq!(h.header_len, 1 + bytes.len());
            // Every proper prefix asks for more.
            for cut in 0..packet.len() {
                assert_eq!(parse_fixed_header(&packet[..cut], usize::MAX), Ok(None));
            }
        }
    }

    #[test]
    fn a_fifth_length_byte_is_refused_at_the_fourth() {
        let e = parse_fixed_header(&[0x30, 0xff, 0xff, 0xff, 0xff, 0x01], usize::MAX);
        assert_eq!(
            e,
            Err(DecodeError::new(DecodeErrorKind::RemainingLengthTooLong, 4))
        );
    }

    #[test]
    fn oversized_packets_are_refused_from_the_length_alone() {
        // 0x30 0x80 0x80 0x01 announces 16384 bytes; none of them has arrived.
        let e = parse_fixed_header(&[0x30, 0x80, 0x80, 0x01], 1024).unwrap_err();
        assert_eq!(
            e.kind,
            DecodeErrorKind::PacketTooLarge {
                size: 16_388,
                max: 1024
            }
        );
        assert_eq!(e.offset, 1);
    }

    #[test]
    fn reserved_types_and_flags_are_refused_from_the_first_byte() {
        let e = parse_first_byte(0x00).unwrap_err();
        assert_eq!((e.kind.rule(), e.offset), ("§2.2.1", 0));
        assert!(parse_first_byte(0xf0).is_err());
        // SUBSCRIBE must be 0x82; 0x80 breaks MQTT-2.2.2-2.
        let e = parse_first_byte(0x80).unwrap_err();
        assert_eq!(e.kind.rule(), "MQTT-2.2.2-2");
        assert!(parse_first_byte(0x82).is_ok());
        assert!(parse_first_byte(0x62).is_ok());
        assert!(parse_first_byte(0x60).is_err());
        assert!(parse_first_byte(0xc1).is_err());
        assert_eq!(
            parse_first_byte(0x36).unwrap_err().kind.rule(),
            "MQTT-3.3.1-4"
        );
        assert_eq!(
            parse_first_byte(0x38).unwrap_err().kind.rule(),
            "MQTT-3.3.1-2"
        );
        assert!(parse_first_byte(0x3b).is_ok());
    }
}
