//! A streaming decoder: bytes go in as they arrive from a socket or a simulated
//! link, in pieces of any size; whole packets come out in order.

use bytes::{Bytes, BytesMut};

use super::error::DecodeError;
use super::frame::{check_header, decode_frame};
use super::Packet;

/// Buffers a byte stream and cuts it into packets.
///
/// ```
/// use mqttlab_core::codec::{Decoder, Packet};
///
/// let mut d = Decoder::new(1024);
/// d.push(&[0xc0, 0x00, 0xd0]); // PINGREQ, then half a PINGRESP
/// assert_eq!(d.next_packet(), Ok(Some(Packet::Pingreq)));
/// assert_eq!(d.next_packet(), Ok(None));
/// d.push(&[0x00]);
/// assert_eq!(d.next_packet(), Ok(Some(Packet::Pingresp)));
/// ```
///
/// After an error the connection must be closed (§4.8). An error in a packet's
/// body consumes that packet, so a dissector-like caller may go on; an error in
/// the fixed header (reserved type, bad flags, oversized or overlong length)
/// leaves the stream without framing, and every later call returns it again.
#[derive(Debug, Clone)]
pub struct Decoder {
    buf: BytesMut,
    max_packet_size: usize,
    consumed: u64,
    poisoned: Option<DecodeError>,
}

impl Decoder {
    /// A decoder refusing packets larger than `max_packet_size` bytes (fixed header
    /// included) as soon as their remaining length is read.
    pub fn new(max_packet_size: usize) -> Self {
        Decoder {
            buf: BytesMut::new(),
            max_packet_size,
            consumed: 0,
            poisoned: None,
        }
    }

    /// Appends bytes received from the peer.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Bytes pushed but not yet decoded.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// Bytes decoded so far: the stream offset of the next packet's first byte.
    pub fn position(&self) -> u64 {
        self.consumed
    }

    /// The next packet, `Ok(None)` if it has not fully arrived.
    pub fn next_packet(&mut self) -> Result<Option<Packet>, DecodeError> {
        Ok(self.next_frame()?.map(|(packet, _)| packet))
    }

    /// The next packet with its exact bytes (shared, not copied), for traces and
    /// the hex view.
    pub fn next_frame(&mut self) -> Result<Option<(Packet, Bytes)>, DecodeError> {
        if let Some(e) = &self.poisoned {
            return Err(e.clone());
        }
        let header = match check_header(&self.buf, self.max_packet_size) {
            Ok(Some(h)) => h,
            Ok(None) => return Ok(None),
            Err(e) => {
                self.poisoned = Some(e.clone());
                return Err(e);
            }
        };
        if self.buf.len() < header.packet_len() {
            // Room for the rest of the packet, but not more than 64 KiB ahead of
            // the bytes: an announced length alone must not make us allocate.
            let missing = header.packet_len() - self.buf.len();
            self.buf.reserve(missing.min(64 * 1024));
            return Ok(None);
        }
        let frame = self.buf.split_to(header.packet_len()).freeze();
        self.consumed += frame.len() as u64;
        let packet = decode_frame(&frame)?;
        Ok(Some((packet, frame)))
    }
}

impl Iterator for Decoder {
    type Item = Result<Packet, DecodeError>;

    /// Packets until more bytes are needed; an error ends the iteration after
    /// being returned once.
    fn next(&mut self) -> Option<Self::Item> {
        if self.poisoned.is_some() {
            return None;
        }
        self.next_packet().transpose()
    }
}
