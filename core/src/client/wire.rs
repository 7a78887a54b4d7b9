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
            let decoded = codec::decode_any(
                &self.inbuf[start..],
                self.options.max_packet_size,
                Some(self.options.protocol),
            );
            match decoded {
                Ok(Some((packet, used))) => {
                    start += used;
                    match packet {
                        codec::AnyPacket::V3(p) => self.handle_packet(now, p),
                        codec::AnyPacket::V5(p) => self.handle_packet_v5(now, p),
                    }
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
                        && self.state == ConnectionState::Connecting
                        && self.inbuf[start..] == [0x20, 0x02, 0x00, 0x01] =>
                {
                    // A 3.1.1 broker's CONNACK 1 (unacceptable protocol
                    // version) to our 5.0 CONNECT: libmosquitto reads it as
                    // 5.0's 0x84, Unsupported Protocol Version.
                    let _ = e;
                    self.events.push_back(ClientEvent::ConnectionRefused(
                        codec::ConnectReturnCode::UnacceptableProtocolVersion,
                    ));
                    self.close(DisconnectReason::Refused(
                        codec::ConnectReturnCode::UnacceptableProtocolVersion,
                    ));
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
            let queued = self.out.pop_front()?;
            let v5 = if self.options.protocol == codec::Protocol::V5 {
                self.build_v5(&queued).map(Box::new)
            } else {
                None
            };
            let packet = queued.packet;
            let mut bytes = Vec::with_capacity(packet.encoded_len());
            let encoded = match &v5 {
                Some(p) => p.encode(&mut bytes),
                None => packet.encode(&mut bytes),
            };
            match encoded {
                Ok(()) => return Some(Transmit { packet, v5, bytes }),
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
