//! The client's byte layer: decoding what the broker sent, encoding what we send.

use super::{Client, ClientEvent, ConnectionState, DisconnectReason, ProtocolError, Transmit};
use crate::codec;
use crate::time::Instant;

impl Client {
    /// Bytes arrived from the broker. Undecodable bytes end the connection with a
    /// [`ProtocolError::Malformed`].
    pub fn handle_bytes(&mut self, now: Instant, bytes: &[u8]) {
        if self.state == ConnectionState::Disconnected {
            return;
        }
        self.inbuf.extend_from_slice(bytes);
        let mut start = 0;
        while self.state != ConnectionState::Disconnected {
            if self.skip > 0 {
                let n = self.skip.min(self.inbuf.len() - start);
                start += n;
                self.skip -= n;
                if self.skip > 0 {
                    break;
                }
            }
            match codec::decode(&self.inbuf[start..], self.options.max_packet_size) {
                Ok(Some((packet, used))) => {
                    start += used;
                    self.handle_packet(now, packet);
                }
                Ok(None) => break,
                Err(codec::DecodeError {
                    kind: codec::DecodeErrorKind::PacketTooLarge { size, max },
                    ..
                }) if self.options.drop_oversized => {
                    self.events
                        .push_back(ClientEvent::OversizedDropped { size, max });
                    self.skip = size;
                }
                Err(e)
                    if self.options.protocol == codec::Protocol::V5
                        && self.state == ConnectionState::Connecting =>
                {
                    // A 5.0 broker accepted the 5.0 CONNECT: its CONNACK has
                    // properties, which this 3.1.1 client does not read.
                    self.protocol_error(ProtocolError::Malformed(format!(
                        "the broker answered in MQTT 5.0 ({e}); MQTT Lab's client speaks 3.1.1, and -V mqttv5 is there to meet a 3.1.1 broker's CONNACK 1"
                    )));
                    return;
                }
                Err(e) => {
                    self.protocol_error(ProtocolError::Malformed(e.to_string()));
                    return;
                }
            }
        }
        if self.state == ConnectionState::Disconnected {
            self.inbuf.clear();
        } else {
            self.inbuf.drain(..start.min(self.inbuf.len()));
        }
    }

    /// The next packet to send, encoded, with the packet itself (for traces).
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        loop {
            let packet = self.out.pop_front()?;
            let mut bytes = Vec::with_capacity(packet.encoded_len());
            match packet.encode(&mut bytes) {
                Ok(()) => return Some(Transmit { packet, bytes }),
                // Cannot happen for packets this client builds (topics and sizes are
                // checked by the commands); reported rather than panicking.
                Err(e) => self.events.push_back(ClientEvent::Disconnected {
                    reason: DisconnectReason::Protocol(ProtocolError::Malformed(format!(
                        "cannot encode {}: {e}",
                        packet.packet_type()
                    ))),
                }),
            }
        }
    }
}
