//! One malformed packet per validation rule, with the byte offset and normative
//! statement the decoder must report, and what the encoder refuses.

use bytes::Bytes;

use super::golden::{name, pid, CONNECT_MINIMAL, CONNECT_V31, COURSE_PUBLISH};
use super::*;

/// Malformed packets: (what, bytes, offset, rule).
fn malformed() -> Vec<(&'static str, Vec<u8>, usize, &'static str)> {
    let connect_with = |flags: u8| {
        let mut b = CONNECT_MINIMAL.to_vec();
        b[9] = flags;
        b
    };
    let mut utf8 = COURSE_PUBLISH.to_vec();
    utf8[6] = 0xc3; // "top\xc3co": a lead byte followed by an ASCII byte
    let mut nul = COURSE_PUBLISH.to_vec();
    nul[5] = 0;
    let mut wildcard = COURSE_PUBLISH.to_vec();
    wildcard[7] = b'+';
    let mut zero_pid = COURSE_PUBLISH.to_vec();
    zero_pid[11] = 0;
    let mut level5 = CONNECT_MINIMAL.to_vec();
    level5[8] = 5;
    let mut name = CONNECT_MINIMAL.to_vec();
    name[7] = b'X';
    vec![
        ("reserved type 0", vec![0x00, 0x00], 0, "§2.2.1"),
        ("reserved type 15", vec![0xf0, 0x00], 0, "§2.2.1"),
        ("SUBSCRIBE flags 0000", vec![0x80, 0x00], 0, "MQTT-2.2.2-2"),
        (
            "PUBACK flags 0001",
            vec![0x41, 0x02, 0, 1],
            0,
            "MQTT-2.2.2-2",
        ),
        ("PUBLISH QoS 3", vec![0x36, 0x00], 0, "MQTT-3.3.1-4"),
        ("PUBLISH DUP at QoS 0", vec![0x38, 0x00], 0, "MQTT-3.3.1-2"),
        (
            "five length bytes",
            vec![0x30, 0x80, 0x80, 0x80, 0x80, 0x01],
            4,
            "§2.2.3",
        ),
        ("PINGREQ with a body", vec![0xc0, 0x01, 0x00], 1, "§2.2.3"),
        ("PUBACK of 3 bytes", vec![0x40, 0x03, 0, 1, 0], 1, "§2.2.3"),
        ("invalid UTF-8 in topic", utf8, 6, "MQTT-1.5.3-1"),
        ("U+0000 in topic", nul, 5, "MQTT-1.5.3-2"),
        ("wildcard in topic name", wildcard, 7, "MQTT-3.3.2-2"),
        (
            "empty topic name",
            vec![0x30, 0x02, 0x00, 0x00],
            4,
            "MQTT-4.7.3-1",
        ),
        ("packet id 0", zero_pid, 10, "MQTT-2.3.1-1"),
        (
            "topic longer than the packet",
            vec![0x30, 0x03, 0x00, 0x05, b'a'],
            2,
            "§2.2.3",
        ),
        (
            "QoS 1 without room for an id",
            vec![0x32, 0x03, 0x00, 0x01, b'a'],
            5,
            "§2.2.3",
        ),
        ("protocol level 5", level5, 8, "MQTT-3.1.2-2"),
        ("protocol name MQTX", name, 2, "MQTT-3.1.2-1"),
        (
            "CONNECT reserved flag",
            connect_with(0x03),
            9,
            "MQTT-3.1.2-3",
        ),
        (
            "will QoS without will",
            connect_with(0x0a),
            9,
            "MQTT-3.1.2-13",
        ),
        (
            "will retain without will",
            connect_with(0x22),
            9,
            "MQTT-3.1.2-15",
        ),
        ("will QoS 3", connect_with(0x1e), 9, "MQTT-3.1.2-14"),
        (
            "password without user name",
            connect_with(0x42),
            9,
            "MQTT-3.1.2-22",
        ),
        (
            "user name flag without a user name",
            connect_with(0x82),
            22,
            "§2.2.3",
        ),
        (
            "CONNACK reserved flags",
            vec![0x20, 0x02, 0x02, 0x00],
            2,
            "§3.2.2.1",
        ),
        (
            "CONNACK code 6",
            vec![0x20, 0x02, 0x00, 0x06],
            3,
            "§3.2.2.3",
        ),
        (
            "CONNACK session present on refusal",
            vec![0x20, 0x02, 0x01, 0x02],
            2,
            "MQTT-3.2.2-4",
        ),
        (
            "SUBSCRIBE without filters",
            vec![0x82, 0x02, 0x00, 0x01],
            4,
            "MQTT-3.8.3-3",
        ),
        (
            "SUBSCRIBE requested QoS 3",
            vec![0x82, 0x06, 0x00, 0x01, 0x00, 0x01, b'a', 0x03],
            7,
            "MQTT-3.8.3-4",
        ),
        (
            "SUBSCRIBE filter a/#/b",
            vec![
                0x82, 0x0a, 0x00, 0x01, 0x00, 0x05, b'a', b'/', b'#', b'/', b'b', 0x00,
            ],
            8,
            "MQTT-4.7.1-2",
        ),
        (
            "SUBSCRIBE filter a+",
            vec![0x82, 0x07, 0x00, 0x01, 0x00, 0x02, b'a', b'+', 0x00],
            7,
            "MQTT-4.7.1-3",
        ),
        (
            "UNSUBSCRIBE without filters",
            vec![0xa2, 0x02, 0x00, 0x01],
            4,
            "MQTT-3.10.3-2",
        ),
        (
            "SUBACK without codes",
            vec![0x90, 0x02, 0x00, 0x01],
            4,
            "§3.9.3",
        ),
        (
            "SUBACK code 3",
            vec![0x90, 0x03, 0x00, 0x01, 0x03],
            4,
            "MQTT-3.9.3-2",
        ),
        (
            "CONNECT trailing byte",
            {
                let mut b = CONNECT_MINIMAL.to_vec();
                b[1] += 1;
                b.push(0);
                b
            },
            22,
            "§2.2.3",
        ),
    ]
}

#[test]
fn each_malformed_packet_reports_offset_and_rule() {
    for (what, bytes, offset, rule) in malformed() {
        let e = decode(&bytes, 1 << 20).unwrap_err();
        assert_eq!((e.offset, e.kind.rule()), (offset, rule), "{what}: {e}");
        let text = e.to_string();
        assert!(
            text.contains(rule) && text.contains(&format!("at byte {offset}")),
            "{text}"
        );
    }
}

#[test]
fn a_bad_protocol_level_gets_connack_1_but_a_bad_name_gets_nothing() {
    let mut level5 = CONNECT_MINIMAL.to_vec();
    level5[8] = 5;
    let e = decode(&level5, 1024).unwrap_err();
    assert_eq!(
        e.kind,
        DecodeErrorKind::UnsupportedProtocol {
            name: "MQTT".into(),
            level: 5
        }
    );
    assert_eq!(
        e.connack_code(),
        Some(ConnectReturnCode::UnacceptableProtocolVersion)
    );
    let mut mqisdp4 = CONNECT_V31.to_vec();
    mqisdp4[10] = 4;
    assert!(decode(&mqisdp4, 1024).unwrap_err().connack_code().is_some());
    let mut name = CONNECT_MINIMAL.to_vec();
    name[4] = b'X';
    assert_eq!(decode(&name, 1024).unwrap_err().connack_code(), None);
}

#[test]
fn error_messages_say_what_where_and_which_rule() {
    let e = decode(&[0x82, 0x02, 0x00, 0x01], 1024).unwrap_err();
    assert_eq!(
        e.to_string(),
        "malformed packet: SUBSCRIBE carries no topic filter (at byte 4, MQTT-3.8.3-3)"
    );
    let e = decode(&[0x30, 0xff, 0x7f], 1024).unwrap_err();
    assert_eq!(
        e.to_string(),
        "malformed packet: the packet is 16386 bytes, more than the maximum of 1024 bytes \
         (at byte 1, §4.8)"
    );
}

#[test]
fn the_decoder_refuses_an_oversized_packet_before_its_body() {
    let mut d = Decoder::new(100);
    d.push(&[0x30, 0xe5, 0x00]); // announces 101 bytes in all
    let e = d.next_packet().unwrap_err();
    assert_eq!(
        e.kind,
        DecodeErrorKind::PacketTooLarge {
            size: 104,
            max: 100
        }
    );
    // The stream has lost its framing: the error stays.
    d.push(&[0xc0, 0x00]);
    assert_eq!(d.next_packet().unwrap_err(), e);
    // Exactly at the limit is fine.
    let mut d = Decoder::new(20);
    d.push(COURSE_PUBLISH);
    assert!(d.next_packet().unwrap().is_some());
}

#[test]
fn a_body_error_consumes_only_its_packet() {
    let mut d = Decoder::new(1024);
    d.push(&[0x82, 0x02, 0x00, 0x01, 0xc0, 0x00]);
    assert_eq!(
        d.next_packet().unwrap_err().kind,
        DecodeErrorKind::SubscribeWithoutTopics
    );
    assert_eq!(d.next_packet(), Ok(Some(Packet::Pingreq)));
}

#[test]
fn encoding_refuses_what_the_wire_cannot_carry() {
    let empty = Packet::Subscribe(Subscribe {
        pid: pid(1),
        topics: vec![],
    });
    let mut out = vec![];
    assert_eq!(empty.encode(&mut out), Err(EncodeError::EmptySubscribe));
    assert!(out.is_empty(), "nothing appended on error");
    let empty = Packet::Unsubscribe(Unsubscribe {
        pid: pid(1),
        filters: vec![],
    });
    assert_eq!(empty.encode(&mut out), Err(EncodeError::EmptyUnsubscribe));
    let empty = Packet::Suback(Suback {
        pid: pid(1),
        return_codes: vec![],
    });
    assert_eq!(empty.encode(&mut out), Err(EncodeError::EmptySuback));
    let long_id = Packet::Connect(Connect {
        protocol: Protocol::V311,
        clean_session: true,
        keep_alive: 0,
        client_id: "x".repeat(65_536),
        will: None,
        login: None,
    });
    assert_eq!(
        long_id.encode(&mut out),
        Err(EncodeError::FieldTooLong {
            field: FieldName::ClientId,
            len: 65_536
        })
    );
    let nul_user = Packet::Connect(Connect {
        protocol: Protocol::V311,
        clean_session: true,
        keep_alive: 0,
        client_id: "c".into(),
        will: None,
        login: Some(Login {
            username: "a\0b".into(),
            password: None,
        }),
    });
    assert_eq!(
        nul_user.encode(&mut out),
        Err(EncodeError::NullCharacter(FieldName::Username))
    );
    let huge = Packet::Publish(Publish {
        dup: false,
        qospid: QosPid::AtMostOnce,
        retain: false,
        topic: name("t"),
        payload: Bytes::from(vec![0u8; 268_435_455 - 2]),
    });
    assert_eq!(
        huge.encode(&mut out),
        Err(EncodeError::PacketTooLarge {
            remaining_length: 268_435_456
        })
    );
    assert!(out.is_empty());
}

#[test]
fn a_four_byte_remaining_length_round_trips() {
    // 2,097,152 is the smallest length that needs four bytes (§2.2.3).
    let big = Packet::Publish(Publish {
        dup: false,
        qospid: QosPid::AtMostOnce,
        retain: false,
        topic: name("t"),
        payload: Bytes::from(vec![0u8; 2_097_152 - 3]),
    });
    let bytes = big.to_bytes().unwrap();
    assert_eq!(&bytes[..5], &[0x30, 0x80, 0x80, 0x80, 0x01]);
    assert_eq!(bytes.len(), big.encoded_len());
    let (back, used) = decode(&bytes, usize::MAX).unwrap().unwrap();
    assert_eq!((back, used), (big, bytes.len()));
}

/// `-V mqttv5` CONNECTs encode as mosquitto_sub 2.0.11 sends them (less its
/// Receive Maximum property: ours are empty), and the 3.1.1 decoder answers them
/// with CONNACK 1 rather than a malformed-packet close.
#[test]
fn an_mqtt5_connect_encodes_with_empty_properties_and_decodes_to_connack_1() {
    let v5 = |will: Option<LastWill>| {
        let mut b = Vec::new();
        Packet::Connect(Connect {
            protocol: Protocol::V5,
            clean_session: true,
            keep_alive: 60,
            client_id: String::new(),
            will,
            login: None,
        })
        .encode(&mut b)
        .unwrap();
        b
    };
    let plain = v5(None);
    assert_eq!(
        plain,
        [0x10, 0x0d, 0, 4, b'M', b'Q', b'T', b'T', 5, 0x02, 0, 60, 0, 0, 0]
    );
    let will = v5(Some(LastWill {
        topic: name("w"),
        message: Bytes::from_static(b"x"),
        qos: QoS::AtMostOnce,
        retain: false,
    }));
    // mosquitto_sub -V 5 --will-topic w --will-payload x sends the same bytes
    // with `03 21 00 14` (Receive Maximum 20) as its properties.
    assert_eq!(
        will,
        [
            0x10, 0x14, 0, 4, b'M', b'Q', b'T', b'T', 5, 0x06, 0, 60, 0, 0, 0, 0, 0, 1, b'w', 0, 1,
            b'x'
        ]
    );
    for bytes in [plain, will] {
        let e = decode(&bytes, 1024).unwrap_err();
        assert_eq!(
            (e.kind.clone(), e.offset),
            (
                DecodeErrorKind::UnsupportedProtocol {
                    name: "MQTT".into(),
                    level: 5
                },
                8
            )
        );
        assert_eq!(
            e.connack_code(),
            Some(ConnectReturnCode::UnacceptableProtocolVersion)
        );
    }
}
