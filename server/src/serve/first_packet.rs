//! Is the page speaking MQTT? The bytes a page sends first must be a CONNECT
//! (MQTT-3.1.0-1); until they are, nothing is opened upstream.

use mqttlab_core::codec::{decode, DecodeErrorKind, Packet};

/// What the bytes received so far say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FirstPacket {
    /// Only part of the first packet has arrived; wait for more.
    NeedMore,
    /// A CONNECT, from the client named (empty when the broker is to assign one).
    /// For a CONNECT naming another MQTT protocol level (3.1, 5) the client id is
    /// `None`: it is MQTT, and the upstream broker decides whether it speaks it.
    Connect {
        /// The client identifier, for the log line.
        client_id: Option<String>,
    },
    /// Not an MQTT client; the reason, for the close frame and the log.
    NotMqtt(String),
}

/// Judges the first bytes a page sent (all of them so far, in order).
/// `max_packet` bounds the CONNECT's size so that junk claiming a huge length
/// is refused before it is buffered.
pub fn check_first_packet(bytes: &[u8], max_packet: usize) -> FirstPacket {
    match decode(bytes, max_packet) {
        Ok(None) => FirstPacket::NeedMore,
        Ok(Some((Packet::Connect(c), _))) => FirstPacket::Connect {
            client_id: Some(c.client_id),
        },
        Ok(Some((other, _))) => FirstPacket::NotMqtt(format!(
            "first packet is {}, an MQTT client must send CONNECT first (MQTT-3.1.0-1)",
            other.packet_type()
        )),
        Err(e) if e.connack_code().is_some() => FirstPacket::Connect { client_id: None },
        Err(e) => match e.kind {
            DecodeErrorKind::ReservedPacketType(_)
            | DecodeErrorKind::InvalidHeaderFlags { .. }
            | DecodeErrorKind::RemainingLengthTooLong
                if !bytes.is_empty() =>
            {
                FirstPacket::NotMqtt(format!(
                    "first byte {:#04x} does not start an MQTT packet ({})",
                    bytes[0], e.kind
                ))
            }
            _ => FirstPacket::NotMqtt(e.to_string()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mqttlab_core::codec::{Connect, Protocol};

    fn connect_bytes(client_id: &str) -> Vec<u8> {
        let mut out = Vec::new();
        Packet::Connect(Connect {
            protocol: Protocol::V311,
            clean_session: true,
            keep_alive: 30,
            client_id: client_id.into(),
            will: None,
            login: None,
        })
        .encode(&mut out)
        .unwrap();
        out
    }

    #[test]
    fn a_connect_in_pieces_is_mqtt() {
        let bytes = connect_bytes("aluno-1");
        for cut in 0..bytes.len() {
            assert_eq!(
                check_first_packet(&bytes[..cut], 1024),
                FirstPacket::NeedMore
            );
        }
        assert_eq!(
            check_first_packet(&bytes, 1024),
            FirstPacket::Connect {
                client_id: Some("aluno-1".into())
            }
        );
    }

    #[test]
    fn a_connect_followed_by_more_packets_is_mqtt() {
        let mut bytes = connect_bytes("a");
        bytes.extend_from_slice(&[0xc0, 0x00]);
        assert!(matches!(
            check_first_packet(&bytes, 1024),
            FirstPacket::Connect { .. }
        ));
    }

    #[test]
    fn mqtt_5_connect_is_passed_to_the_upstream() {
        // CONNECT, "MQTT" level 5, clean start, keepalive 60, no properties, id "a".
        let v5 = [
            0x10, 14, 0, 4, b'M', b'Q', b'T', b'T', 5, 0x02, 0, 60, 0, 0, 1, b'a',
        ];
        assert_eq!(
            check_first_packet(&v5, 1024),
            FirstPacket::Connect { client_id: None }
        );
    }

    #[test]
    fn other_bytes_are_not_mqtt() {
        let http = check_first_packet(b"GET / HTTP/1.1\r\n", 1024);
        let FirstPacket::NotMqtt(why) = http else {
            panic!("{http:?}")
        };
        assert!(why.contains("0x47"), "{why}");
        let ping = check_first_packet(&[0xc0, 0x00], 1024);
        let FirstPacket::NotMqtt(why) = ping else {
            panic!("{ping:?}")
        };
        assert!(
            why.contains("PINGREQ") && why.contains("MQTT-3.1.0-1"),
            "{why}"
        );
        let huge = check_first_packet(&[0x10, 0xff, 0xff, 0xff, 0x7f], 1024);
        assert!(
            matches!(huge, FirstPacket::NotMqtt(ref w) if w.contains("maximum")),
            "{huge:?}"
        );
        let amqp = check_first_packet(b"\x10\x0aAMQP\x00\x00\x09\x01xx", 1024);
        assert!(matches!(amqp, FirstPacket::NotMqtt(_)), "{amqp:?}");
    }
}
