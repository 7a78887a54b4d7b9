//! Whole packets: [`decode`] one from the front of a buffer, [`Packet::encode`]
//! one to the end of a `Vec`. The per-type bodies live in the files named after
//! each packet.

use bytes::Bytes;

use super::error::{DecodeError, DecodeErrorKind, EncodeError};
use super::header::{
    check_remaining_length, parse_fixed_header, remaining_length_len, required_flags,
    write_remaining_length, FixedHeader,
};
use super::strings::{write_u16, Reader};
use super::{Connack, Connect, Packet, PacketType, Publish, Suback, Subscribe, Unsubscribe};

/// Decodes the packet at the front of `buf`.
///
/// - `Ok(None)`: `buf` holds only part of a packet; call again with more bytes.
/// - `Ok(Some((packet, consumed)))`: the first `consumed` bytes were `packet`.
/// - `Err(e)`: the bytes are not a valid MQTT 3.1.1 packet, or the packet would be
///   larger than `max_packet_size` bytes (fixed header included). Both the size
///   limit and the fixed-size packets' lengths are checked as soon as the
///   remaining length has been read, before the body arrives.
///
/// ```
/// use mqttlab_core::codec::{decode, Packet};
///
/// // A PINGREQ followed by the first byte of something else.
/// let (packet, used) = decode(&[0xc0, 0x00, 0x30], 1024).unwrap().unwrap();
/// assert_eq!((packet, used), (Packet::Pingreq, 2));
/// assert_eq!(decode(&[0x30], 1024), Ok(None));
/// ```
pub fn decode(buf: &[u8], max_packet_size: usize) -> Result<Option<(Packet, usize)>, DecodeError> {
    decode_at!(buf, max_packet_size, check_header, decode_body)
}

/// Decodes one complete packet held in `frame` (exactly its bytes), slicing
/// payloads from it without copying.
pub fn decode_frame(frame: &Bytes) -> Result<Packet, DecodeError> {
    decode_whole!(frame, check_header, decode_body, |e| e)
}

// The framing 3.1.1 and 5.0 share, written once and expanded in each level's
// `decode` and `decode_frame` with that level's fixed header checks and bodies.
// Macros rather than a generic over the level: the generic put a call boundary
// in 3.1.1's hot path (valgrind: 599.17M -> 603.37M instructions decoding 200 x
// 1000 PUBLISH packets), the expansion is the code as it was written out.

/// The packet at the front of `$buf`: `Ok(None)` until it is all there.
macro_rules! decode_at {
    ($buf:expr, $max_packet_size:expr, $check_header:ident, $decode_body:ident) => {{
        let buf: &[u8] = $buf;
        let Some(header) = $check_header(buf, $max_packet_size)? else {
            return Ok(None);
        };
        let Some(frame) = buf.get(..header.packet_len()) else {
            return Ok(None);
        };
        let packet = $decode_body(&header, Reader::new(frame, header.header_len))?;
        Ok(Some((packet, header.packet_len())))
    }};
}

/// The one packet `$frame` holds, exactly; `$framing` puts a framing error
/// (incomplete, trailing bytes) in the level's terms.
macro_rules! decode_whole {
    ($frame:expr, $check_header:ident, $decode_body:ident, $framing:expr) => {{
        let frame: &Bytes = $frame;
        let framing = $framing;
        let incomplete = |expected| {
            framing(DecodeError::new(
                DecodeErrorKind::Incomplete {
                    expected,
                    found: frame.len(),
                },
                frame.len(),
            ))
        };
        let header = $check_header(frame, usize::MAX)?.ok_or_else(|| incomplete(None))?;
        if header.packet_len() > frame.len() {
            return Err(incomplete(Some(header.packet_len())));
        }
        if header.packet_len() < frame.len() {
            return Err(framing(DecodeError::new(
                DecodeErrorKind::TrailingBytes,
                header.packet_len(),
            )));
        }
        $decode_body(&header, Reader::shared(frame, header.header_len))
    }};
}
pub(crate) use {decode_at, decode_whole};

/// The fixed header, with the lengths that can be judged from it alone checked.
pub(crate) fn check_header(
    buf: &[u8],
    max_packet_size: usize,
) -> Result<Option<FixedHeader>, DecodeError> {
    let Some(header) = parse_fixed_header(buf, max_packet_size)? else {
        return Ok(None);
    };
    if let Some(expected) = fixed_remaining_length(header.packet_type) {
        if header.remaining_length != expected {
            return Err(DecodeError::new(
                DecodeErrorKind::WrongRemainingLength {
                    packet_type: header.packet_type,
                    expected,
                    found: header.remaining_length,
                },
                1,
            ));
        }
    }
    Ok(Some(header))
}

/// The remaining length the standard fixes for a type, if it does.
pub fn fixed_remaining_length(t: PacketType) -> Option<usize> {
    use PacketType::*;
    match t {
        Connack | Puback | Pubrec | Pubrel | Pubcomp | Unsuback => Some(2),
        Pingreq | Pingresp | Disconnect => Some(0),
        Connect | Publish | Subscribe | Suback | Unsubscribe | Auth => None,
    }
}

fn decode_body(header: &FixedHeader, mut r: Reader<'_>) -> Result<Packet, DecodeError> {
    let r = &mut r;
    Ok(match header.packet_type {
        PacketType::Connect => Packet::Connect(Connect::decode_body(r)?),
        PacketType::Connack => Packet::Connack(Connack::decode_body(r)?),
        PacketType::Publish => Packet::Publish(Publish::decode_body(r, header.flags)?),
        PacketType::Puback => Packet::Puback(r.pid()?),
        PacketType::Pubrec => Packet::Pubrec(r.pid()?),
        PacketType::Pubrel => Packet::Pubrel(r.pid()?),
        PacketType::Pubcomp => Packet::Pubcomp(r.pid()?),
        PacketType::Subscribe => Packet::Subscribe(Subscribe::decode_body(r)?),
        PacketType::Suback => Packet::Suback(Suback::decode_body(r)?),
        PacketType::Unsubscribe => Packet::Unsubscribe(Unsubscribe::decode_body(r)?),
        PacketType::Unsuback => Packet::Unsuback(r.pid()?),
        PacketType::Pingreq => Packet::Pingreq,
        PacketType::Pingresp => Packet::Pingresp,
        PacketType::Disconnect => Packet::Disconnect,
        // `parse_first_byte` refuses type 15 in 3.1.1.
        PacketType::Auth => {
            return Err(DecodeError::new(DecodeErrorKind::ReservedPacketType(15), 0))
        }
    })
}

impl Packet {
    /// The flag nibble of the fixed header (§2.2.2).
    pub fn header_flags(&self) -> u8 {
        match self {
            Packet::Publish(p) => p.header_flags(),
            p => required_flags(p.packet_type()).unwrap_or(0),
        }
    }

    /// The remaining length: the size of everything after the fixed header.
    pub fn remaining_length(&self) -> Result<usize, EncodeError> {
        let len = match self {
            Packet::Connect(c) => c.body_len()?,
            Packet::Publish(p) => p.body_len()?,
            Packet::Subscribe(s) => s.body_len()?,
            Packet::Suback(s) => s.body_len()?,
            Packet::Unsubscribe(u) => u.body_len()?,
            p => fixed_remaining_length(p.packet_type()).unwrap_or(0),
        };
        check_remaining_length(len)
    }

    /// The number of bytes [`encode`](Self::encode) appends. For a packet that
    /// cannot be encoded, the size it would have.
    pub fn encoded_len(&self) -> usize {
        let body = self
            .remaining_length()
            .unwrap_or_else(|_| self.body_len_unchecked());
        1 + remaining_length_len(body) + body
    }

    fn body_len_unchecked(&self) -> usize {
        // Only reached for packets `remaining_length` refuses; those are rare, so
        // encoding into a scratch buffer is simpler than a second length walk.
        let mut scratch = Vec::new();
        self.write_body(&mut scratch);
        scratch.len()
    }

    /// Appends the packet's exact bytes to `out`. On error nothing is appended.
    ///
    /// ```
    /// use mqttlab_core::codec::{Packet, Pid};
    ///
    /// let mut out = Vec::new();
    /// Packet::Puback(Pid::new(7).unwrap()).encode(&mut out).unwrap();
    /// assert_eq!(out, [0x40, 0x02, 0x00, 0x07]);
    /// ```
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let body = self.remaining_length()?;
        out.reserve(1 + remaining_length_len(body) + body);
        out.push(((self.packet_type() as u8) << 4) | self.header_flags());
        write_remaining_length(out, body);
        self.write_body(out);
        Ok(())
    }

    /// The packet's bytes in a fresh `Vec`.
    pub fn to_bytes(&self) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::with_capacity(self.encoded_len());
        self.encode(&mut out)?;
        Ok(out)
    }

    fn write_body(&self, out: &mut Vec<u8>) {
        match self {
            Packet::Connect(c) => c.write_body(out),
            Packet::Connack(c) => c.write_body(out),
            Packet::Publish(p) => p.write_body(out),
            Packet::Puback(pid)
            | Packet::Pubrec(pid)
            | Packet::Pubrel(pid)
            | Packet::Pubcomp(pid)
            | Packet::Unsuback(pid) => write_u16(out, pid.get()),
            Packet::Subscribe(s) => s.write_body(out),
            Packet::Suback(s) => s.write_body(out),
            Packet::Unsubscribe(u) => u.write_body(out),
            Packet::Pingreq | Packet::Pingresp | Packet::Disconnect => {}
        }
    }
}
