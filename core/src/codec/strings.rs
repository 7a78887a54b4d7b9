//! The field encodings of §1.5: two-byte integers, length-prefixed UTF-8 strings
//! and binary data, read through a bounds-checked cursor and written to a `Vec`.

use core::ops::Range;

use bytes::Bytes;

use super::error::{DecodeError, DecodeErrorKind, EncodeError, FieldName};
use super::Pid;
use crate::topic::{TopicError, TopicFilter, TopicName};

/// A cursor over the body of one packet. Offsets are indices into the packet,
/// so errors point at the byte a student sees in the hex view. No method panics:
/// every read checks the end given by the remaining length.
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    /// The same bytes as `buf` when they are already shared, to slice payloads
    /// from without copying.
    shared: Option<&'a Bytes>,
}

impl<'a> Reader<'a> {
    /// A cursor over `buf` (the whole packet) starting at `pos`.
    pub(crate) fn new(buf: &'a [u8], pos: usize) -> Self {
        Reader {
            buf,
            pos,
            shared: None,
        }
    }

    /// A cursor over a packet held in `Bytes`: payloads become zero-copy slices.
    pub(crate) fn shared(buf: &'a Bytes, pos: usize) -> Self {
        Reader {
            buf,
            pos,
            shared: Some(buf),
        }
    }

    /// The bytes of `range` as an owned `Bytes`, zero-copy when possible.
    pub(crate) fn slice(&self, range: Range<usize>) -> Bytes {
        match self.shared {
            Some(b) => b.slice(range),
            None => Bytes::copy_from_slice(&self.buf[range]),
        }
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    fn truncated(&self, field: FieldName) -> DecodeError {
        DecodeError::new(DecodeErrorKind::Truncated(field), self.pos)
    }

    pub(crate) fn u8(&mut self, field: FieldName) -> Result<u8, DecodeError> {
        let b = *self
            .buf
            .get(self.pos)
            .ok_or_else(|| self.truncated(field))?;
        self.pos += 1;
        Ok(b)
    }

    pub(crate) fn u16(&mut self, field: FieldName) -> Result<u16, DecodeError> {
        match self.buf.get(self.pos..self.pos + 2) {
            Some(&[hi, lo]) => {
                self.pos += 2;
                Ok(u16::from_be_bytes([hi, lo]))
            }
            _ => Err(self.truncated(field)),
        }
    }

    pub(crate) fn u32(&mut self, field: FieldName) -> Result<u32, DecodeError> {
        match self.buf.get(self.pos..self.pos + 4) {
            Some(&[a, b, c, d]) => {
                self.pos += 4;
                Ok(u32::from_be_bytes([a, b, c, d]))
            }
            _ => Err(self.truncated(field)),
        }
    }

    /// A Variable Byte Integer (MQTT 5.0 §1.5.5): at most four bytes, in the
    /// fewest bytes that hold the value (MQTT-1.5.5-1); a longer encoding is
    /// [`NonMinimalVarInt`](DecodeErrorKind::NonMinimalVarInt) at its first byte.
    pub(crate) fn varint(&mut self, field: FieldName) -> Result<u32, DecodeError> {
        let at = self.pos;
        let mut value = 0u32;
        for i in 0..4 {
            let b = self.u8(field)?;
            value |= u32::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                if i > 0 && b == 0 {
                    return Err(DecodeError::new(
                        DecodeErrorKind::NonMinimalVarInt(field),
                        at,
                    ));
                }
                return Ok(value);
            }
        }
        Err(DecodeError::new(
            DecodeErrorKind::VarIntTooLong(field),
            at + 3,
        ))
    }

    /// A cursor over the same packet that ends at `end` (a length-delimited
    /// block such as MQTT 5.0 properties), starting here.
    pub(crate) fn limited(&self, end: usize) -> Reader<'a> {
        let end = end.min(self.buf.len());
        Reader {
            buf: &self.buf[..end],
            pos: self.pos,
            shared: self.shared,
        }
    }

    /// Moves to `pos` (after reading a [`limited`](Self::limited) block).
    pub(crate) fn seek(&mut self, pos: usize) {
        self.pos = pos;
    }

    /// A packet identifier, which is never 0 (MQTT-2.3.1-1).
    pub(crate) fn pid(&mut self) -> Result<Pid, DecodeError> {
        let at = self.pos;
        let id = self.u16(FieldName::PacketId)?;
        Pid::new(id).ok_or_else(|| DecodeError::new(DecodeErrorKind::ZeroPacketId, at))
    }

    /// Binary data (§1.5.3 length prefix, any bytes): the range of the data.
    pub(crate) fn binary(&mut self, field: FieldName) -> Result<Range<usize>, DecodeError> {
        let at = self.pos;
        let len = usize::from(self.u16(field)?);
        let start = self.pos;
        if self.remaining() < len {
            self.pos = at;
            return Err(self.truncated(field));
        }
        self.pos += len;
        Ok(start..start + len)
    }

    /// A UTF-8 string (§1.5.3): well-formed (MQTT-1.5.3-1), without U+0000
    /// (MQTT-1.5.3-2). Returns the text and where its bytes start.
    pub(crate) fn string(&mut self, field: FieldName) -> Result<(&'a str, usize), DecodeError> {
        let range = self.binary(field)?;
        let start = range.start;
        let s = check_utf8(&self.buf[range], field, start)?;
        Ok((s, start))
    }

    pub(crate) fn topic_name(&mut self, field: FieldName) -> Result<TopicName, DecodeError> {
        let (s, start) = self.string(field)?;
        TopicName::new(s).map_err(|e| topic_error(field, e, start))
    }

    pub(crate) fn topic_filter(&mut self, field: FieldName) -> Result<TopicFilter, DecodeError> {
        let (s, start) = self.string(field)?;
        TopicFilter::new(s).map_err(|e| topic_error(field, e, start))
    }

    /// Everything up to the end of the packet.
    pub(crate) fn rest(&mut self) -> Range<usize> {
        let start = self.pos.min(self.buf.len());
        self.pos = self.buf.len();
        start..self.buf.len()
    }

    /// Fails unless every byte has been read.
    pub(crate) fn finish(&self) -> Result<(), DecodeError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(DecodeError::new(DecodeErrorKind::TrailingBytes, self.pos))
        }
    }
}

/// Checks the rules of §1.5.3 on `bytes`, which start at packet offset `start`.
pub(crate) fn check_utf8(
    bytes: &[u8],
    field: FieldName,
    start: usize,
) -> Result<&str, DecodeError> {
    let s = core::str::from_utf8(bytes).map_err(|e| {
        DecodeError::new(DecodeErrorKind::InvalidUtf8(field), start + e.valid_up_to())
    })?;
    if let Some(i) = s.find('\0') {
        return Err(DecodeError::new(
            DecodeErrorKind::NullCharacter(field),
            start + i,
        ));
    }
    Ok(s)
}

pub(crate) fn topic_error(field: FieldName, e: TopicError, start: usize) -> DecodeError {
    DecodeError::new(DecodeErrorKind::Topic(field, e.kind), start + e.offset)
}

/// Fails if `len` does not fit a 16-bit length prefix.
pub(crate) fn check_len(field: FieldName, len: usize) -> Result<usize, EncodeError> {
    if len > usize::from(u16::MAX) {
        Err(EncodeError::FieldTooLong { field, len })
    } else {
        Ok(2 + len)
    }
}

/// Like [`check_len`], and refuses U+0000 in a UTF-8 field.
pub(crate) fn check_str(field: FieldName, s: &str) -> Result<usize, EncodeError> {
    if s.contains('\0') {
        return Err(EncodeError::NullCharacter(field));
    }
    check_len(field, s.len())
}

pub(crate) fn write_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

/// Writes a length prefix and the bytes; the length was checked beforehand.
pub(crate) fn write_binary(out: &mut Vec<u8>, b: &[u8]) {
    write_u16(out, b.len() as u16);
    out.extend_from_slice(b);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_point_at_the_offending_byte() {
        // "MQ\xffT" with a two-byte prefix: the bad byte is at index 4.
        let buf = [0x00, 0x04, b'M', b'Q', 0xff, b'T'];
        let e = Reader::new(&buf, 0)
            .string(FieldName::ProtocolName)
            .unwrap_err();
        assert_eq!(e.offset, 4);
        assert_eq!(e.kind.rule(), "MQTT-1.5.3-1");
        let buf = [0x00, 0x03, b'a', 0, b'b'];
        let e = Reader::new(&buf, 0)
            .string(FieldName::ClientId)
            .unwrap_err();
        assert_eq!((e.offset, e.kind.rule()), (3, "MQTT-1.5.3-2"));
        // A UTF-16 surrogate encoded in UTF-8 (ED A0 80) is ill-formed.
        let buf = [0x00, 0x03, 0xed, 0xa0, 0x80];
        assert!(Reader::new(&buf, 0).string(FieldName::ClientId).is_err());
    }

    #[test]
    fn a_length_past_the_end_is_truncated_at_the_prefix() {
        let buf = [0x00, 0x05, b'a'];
        let e = Reader::new(&buf, 0)
            .binary(FieldName::Password)
            .unwrap_err();
        assert_eq!(
            e,
            DecodeError::new(DecodeErrorKind::Truncated(FieldName::Password), 0)
        );
        let e = Reader::new(&[0x00], 0)
            .u16(FieldName::KeepAlive)
            .unwrap_err();
        assert_eq!(e.offset, 0);
    }
}
