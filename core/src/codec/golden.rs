//! Golden bytes for every packet type, checked both ways (smoltcp style: the bytes
//! decode to the value, the value encodes to the bytes). Malformed packets are in
//! `malformed.rs`.

use bytes::Bytes;

use super::*;
use crate::topic::{TopicFilter, TopicName};

pub(crate) fn pid(n: u16) -> Pid {
    Pid::new(n).unwrap()
}

pub(crate) fn name(s: &str) -> TopicName {
    TopicName::new(s).unwrap()
}

fn filter(s: &str) -> TopicFilter {
    TopicFilter::new(s).unwrap()
}

/// The course text's capture: `Header Flags: 0x33`, `Msg Len: 18`, topic `topico`,
/// message identifier 1, message `mensagem`.
pub(crate) const COURSE_PUBLISH: &[u8] = &[
    0x33, 0x12, // fixed header: PUBLISH, QoS 1, RETAIN; remaining length 18
    0x00, 0x06, b't', b'o', b'p', b'i', b'c', b'o', // topic
    0x00, 0x01, // message identifier
    b'm', b'e', b'n', b's', b'a', b'g', b'e', b'm', // payload
];

pub(crate) const CONNECT_MINIMAL: &[u8] = &[
    0x10, 0x14, 0x00, 0x04, b'M', b'Q', b'T', b'T', 0x04, 0x02, 0x00, 0x3c, 0x00, 0x08, b'c', b'l',
    b'i', b'e', b'n', b't', b'e', b'1',
];

pub(crate) const CONNECT_FULL: &[u8] = &[
    0x10, 0x1e, 0x00, 0x04, b'M', b'Q', b'T', b'T', 0x04, 0xee, 0x00, 0x0a, // header
    0x00, 0x01, b'c', // client id
    0x00, 0x03, b'w', b'/', b't', // will topic
    0x00, 0x03, b'b', b'y', b'e', // will message
    0x00, 0x01, b'u', // user name
    0x00, 0x02, 0x00, 0xff, // password (binary)
];

pub(crate) const CONNECT_V31: &[u8] = &[
    0x10, 0x10, 0x00, 0x06, b'M', b'Q', b'I', b's', b'd', b'p', 0x03, 0x00, 0x00, 0x3c, 0x00, 0x02,
    b'c', b'1',
];

pub(crate) fn golden() -> Vec<(&'static str, Vec<u8>, Packet)> {
    let connect = |protocol, clean_session, keep_alive, id: &str, will, login| {
        Packet::Connect(Connect {
            protocol,
            clean_session,
            keep_alive,
            client_id: id.into(),
            will,
            login,
        })
    };
    let publish = |dup, qospid, retain, topic: &str, payload: &'static [u8]| {
        Packet::Publish(Publish {
            dup,
            qospid,
            retain,
            topic: name(topic),
            payload: Bytes::from_static(payload),
        })
    };
    vec![
        (
            "CONNECT clean, keep alive 60, cliente1",
            CONNECT_MINIMAL.to_vec(),
            connect(Protocol::V311, true, 60, "cliente1", None, None),
        ),
        (
            "CONNECT with will and login",
            CONNECT_FULL.to_vec(),
            connect(
                Protocol::V311,
                true,
                10,
                "c",
                Some(LastWill {
                    topic: name("w/t"),
                    message: Bytes::from_static(b"bye"),
                    qos: QoS::AtLeastOnce,
                    retain: true,
                }),
                Some(Login {
                    username: "u".into(),
                    password: Some(Bytes::from_static(&[0x00, 0xff])),
                }),
            ),
        ),
        (
            "CONNECT MQTT 3.1 (MQIsdp), persistent session",
            CONNECT_V31.to_vec(),
            connect(Protocol::V31, false, 60, "c1", None, None),
        ),
        (
            "CONNACK accepted",
            vec![0x20, 0x02, 0x00, 0x00],
            Packet::Connack(Connack {
                session_present: false,
                code: ConnectReturnCode::Accepted,
            }),
        ),
        (
            "CONNACK session present",
            vec![0x20, 0x02, 0x01, 0x00],
            Packet::Connack(Connack {
                session_present: true,
                code: ConnectReturnCode::Accepted,
            }),
        ),
        (
            "CONNACK not authorized",
            vec![0x20, 0x02, 0x00, 0x05],
            Packet::Connack(Connack {
                session_present: false,
                code: ConnectReturnCode::NotAuthorized,
            }),
        ),
        (
            "PUBLISH of the course text",
            COURSE_PUBLISH.to_vec(),
            publish(
                false,
                QosPid::AtLeastOnce(pid(1)),
                true,
                "topico",
                b"mensagem",
            ),
        ),
        (
            "PUBLISH QoS 0",
            vec![
                0x30, 0x0a, 0x00, 0x03, b'a', b'/', b'b', b'h', b'e', b'l', b'l', b'o',
            ],
            publish(false, QosPid::AtMostOnce, false, "a/b", b"hello"),
        ),
        (
            "PUBLISH QoS 2 DUP, empty payload",
            vec![0x3c, 0x05, 0x00, 0x01, b'x', 0x12, 0x34],
            publish(true, QosPid::ExactlyOnce(pid(0x1234)), false, "x", b""),
        ),
        (
            "PUBACK",
            vec![0x40, 0x02, 0x00, 0x07],
            Packet::Puback(pid(7)),
        ),
        (
            "PUBREC",
            vec![0x50, 0x02, 0x00, 0x07],
            Packet::Pubrec(pid(7)),
        ),
        (
            "PUBREL",
            vec![0x62, 0x02, 0x00, 0x07],
            Packet::Pubrel(pid(7)),
        ),
        (
            "PUBCOMP",
            vec![0x70, 0x02, 0xff, 0xff],
            Packet::Pubcomp(pid(65535)),
        ),
        (
            "SUBSCRIBE one filter",
            vec![
                0x82, 0x0b, 0x00, 0x01, 0x00, 0x06, b't', b'o', b'p', b'i', b'c', b'o', 0x01,
            ],
            Packet::Subscribe(Subscribe {
                pid: pid(1),
                topics: vec![SubscribeTopic {
                    filter: filter("topico"),
                    qos: QoS::AtLeastOnce,
                }],
            }),
        ),
        (
            "SUBSCRIBE wildcards",
            vec![
                0x82, 0x0c, 0x00, 0x02, 0x00, 0x03, b'a', b'/', b'+', 0x02, 0x00, 0x01, b'#', 0x00,
            ],
            Packet::Subscribe(Subscribe {
                pid: pid(2),
                topics: vec![
                    SubscribeTopic {
                        filter: filter("a/+"),
                        qos: QoS::ExactlyOnce,
                    },
                    SubscribeTopic {
                        filter: filter("#"),
                        qos: QoS::AtMostOnce,
                    },
                ],
            }),
        ),
        (
            "SUBACK granted QoS 1",
            vec![0x90, 0x03, 0x00, 0x01, 0x01],
            Packet::Suback(Suback {
                pid: pid(1),
                return_codes: vec![SubackReturnCode::Success(QoS::AtLeastOnce)],
            }),
        ),
        (
            "SUBACK mixed with failure",
            vec![0x90, 0x05, 0x00, 0x02, 0x00, 0x02, 0x80],
            Packet::Suback(Suback {
                pid: pid(2),
                return_codes: vec![
                    SubackReturnCode::Success(QoS::AtMostOnce),
                    SubackReturnCode::Success(QoS::ExactlyOnce),
                    SubackReturnCode::Failure,
                ],
            }),
        ),
        (
            "UNSUBSCRIBE",
            vec![
                0xa2, 0x0a, 0x00, 0x03, 0x00, 0x06, b't', b'o', b'p', b'i', b'c', b'o',
            ],
            Packet::Unsubscribe(Unsubscribe {
                pid: pid(3),
                filters: vec![filter("topico")],
            }),
        ),
        (
            "UNSUBACK",
            vec![0xb0, 0x02, 0x00, 0x03],
            Packet::Unsuback(pid(3)),
        ),
        ("PINGREQ", vec![0xc0, 0x00], Packet::Pingreq),
        ("PINGRESP", vec![0xd0, 0x00], Packet::Pingresp),
        ("DISCONNECT", vec![0xe0, 0x00], Packet::Disconnect),
    ]
}

#[test]
fn every_golden_packet_decodes_to_its_value() {
    for (what, bytes, packet) in golden() {
        assert_eq!(
            decode(&bytes, 1 << 20),
            Ok(Some((packet.clone(), bytes.len()))),
            "{what}"
        );
        assert_eq!(
            decode_frame(&Bytes::from(bytes.clone())),
            Ok(packet),
            "{what}"
        );
    }
}

#[test]
fn every_golden_value_encodes_to_its_bytes() {
    for (what, bytes, packet) in golden() {
        let mut out = vec![0xaa]; // encode appends
        packet.encode(&mut out).unwrap();
        assert_eq!(&out[1..], &bytes[..], "{what}");
        assert_eq!(packet.encoded_len(), bytes.len(), "{what}");
    }
}

#[test]
fn every_proper_prefix_of_a_golden_packet_needs_more() {
    for (what, bytes, _) in golden() {
        for cut in 0..bytes.len() {
            assert_eq!(
                decode(&bytes[..cut], 1 << 20),
                Ok(None),
                "{what} cut at {cut}"
            );
        }
    }
}

#[test]
fn all_golden_packets_in_one_stream_decode_in_order_from_any_chunking() {
    let stream: Vec<u8> = golden().iter().flat_map(|(_, b, _)| b.clone()).collect();
    let expected: Vec<Packet> = golden().into_iter().map(|(_, _, p)| p).collect();
    for chunk in [1, 2, 3, 7, 64, stream.len()] {
        let mut d = Decoder::new(1 << 20);
        let mut got = Vec::new();
        for piece in stream.chunks(chunk) {
            d.push(piece);
            while let Some((p, raw)) = d.next_frame().unwrap() {
                assert_eq!(raw, Bytes::from(p.to_bytes().unwrap()));
                got.push(p);
            }
        }
        assert_eq!(got, expected, "chunks of {chunk}");
        assert_eq!(d.buffered(), 0);
        assert_eq!(d.position(), stream.len() as u64);
    }
}

#[test]
fn summaries_for_the_sequence_diagram() {
    let s: Vec<String> = golden().iter().map(|(_, _, p)| p.to_string()).collect();
    assert_eq!(
        s,
        [
            "CONNECT c1 k60 cliente1",
            "CONNECT c1 k10 c will:w/t q1 r1 u:u p:***",
            "CONNECT c0 k60 v3.1 c1",
            "CONNACK 0",
            "CONNACK 0 sp1",
            "CONNACK 5",
            "PUBLISH q1 r1 m1 topico",
            "PUBLISH q0 a/b",
            "PUBLISH d1 q2 m4660 x",
            "PUBACK m7",
            "PUBREC m7",
            "PUBREL m7",
            "PUBCOMP m65535",
            "SUBSCRIBE m1 topico q1",
            "SUBSCRIBE m2 a/+ q2, # q0",
            "SUBACK m1 [1]",
            "SUBACK m2 [0, 2, 128]",
            "UNSUBSCRIBE m3 topico",
            "UNSUBACK m3",
            "PINGREQ",
            "PINGRESP",
            "DISCONNECT",
        ]
    );
}
