//! Golden bytes for every MQTT 5.0 packet type and every property, both ways:
//! the bytes decode to the value and the value encodes to the bytes. The
//! bytes are laid out by hand from the standard's figures (§3.1 to §3.15);
//! `tests/tests/v5_peers.rs` checks the same codec against bytes captured
//! from mosquitto 2.0 and MQTT.js.

use bytes::Bytes;

use super::*;
use crate::codec::properties::*;
use crate::codec::reason_codes::*;
use crate::codec::{EncodeError, PacketType, Pid, QoS, QosPid};
use crate::topic::{TopicFilter, TopicName};

pub(crate) fn h(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn pid(n: u16) -> Pid {
    Pid::new(n).unwrap()
}

fn user(k: &str, v: &str) -> Property {
    UserProperty((k.into(), v.into())).into()
}

pub(crate) fn golden() -> Vec<(&'static str, Vec<u8>, Packet)> {
    vec![
        (
            "CONNECT as mosquitto_pub -V 5 -i pub sends it",
            h("10 10 0004 4d515454 05 02 003c 00 0003 707562"),
            Packet::Connect(Connect {
                clean_start: true,
                keep_alive: 60,
                properties: vec![],
                client_id: "pub".into(),
                will: None,
                username: None,
                password: None,
            }),
        ),
        (
            "CONNECT with properties, a will with properties, user name and password",
            h("10 31 0004 4d515454 05 ce 000a
               0f 11 00000e10 21 0014 26 0001 61 0001 62
               0001 63
               07 18 00000005 01 01
               0001 77 0001 78 0001 75 0001 70"),
            Packet::Connect(Connect {
                clean_start: true,
                keep_alive: 10,
                properties: vec![
                    SessionExpiryInterval(3600).into(),
                    ReceiveMaximum(20).into(),
                    user("a", "b"),
                ],
                client_id: "c".into(),
                will: Some(Will {
                    properties: vec![
                        WillDelayInterval(5).into(),
                        PayloadFormatIndicator(1).into(),
                    ],
                    topic: TopicName::new("w").unwrap(),
                    payload: Bytes::from_static(b"x"),
                    qos: QoS::AtLeastOnce,
                    retain: false,
                }),
                username: Some("u".into()),
                password: Some(Bytes::from_static(b"p")),
            }),
        ),
        (
            "CONNECT with a password and no user name (allowed in 5.0)",
            h("10 11 0004 4d515454 05 40 0000 00 0000 0002 7077"),
            Packet::Connect(Connect {
                clean_start: false,
                keep_alive: 0,
                properties: vec![],
                client_id: String::new(),
                will: None,
                username: None,
                password: Some(Bytes::from_static(b"pw")),
            }),
        ),
        (
            "CONNACK with the server's limits",
            h("20 0d 00 00 0a 22 000a 21 0014 24 01 25 01"),
            Packet::Connack(Connack {
                session_present: false,
                reason: ConnackReasonCode::Success,
                properties: vec![
                    TopicAliasMaximum(10).into(),
                    ReceiveMaximum(20).into(),
                    MaximumQos(1).into(),
                    RetainAvailable(1).into(),
                ],
            }),
        ),
        (
            "CONNACK Not authorized",
            h("20 03 00 87 00"),
            Packet::Connack(Connack {
                session_present: false,
                reason: ConnackReasonCode::NotAuthorized,
                properties: vec![],
            }),
        ),
        (
            "CONNACK session present",
            h("20 03 01 00 00"),
            Packet::Connack(Connack {
                session_present: true,
                reason: ConnackReasonCode::Success,
                properties: vec![],
            }),
        ),
        (
            "PUBLISH QoS 0 without properties",
            h("30 09 0003 612f62 00 686921"),
            Packet::Publish(Publish {
                dup: false,
                qospid: QosPid::AtMostOnce,
                retain: false,
                topic: Some(TopicName::new("a/b").unwrap()),
                properties: vec![],
                payload: Bytes::from_static(b"hi!"),
            }),
        ),
        (
            "PUBLISH QoS 1 retained with every message property, two subscription identifiers",
            h("33 2d 0001 74 0007 26
               01 01 02 0000003c 03 0004 74657874 08 0001 72 09 0002 0102
               0b 05 0b 8001 23 0001 26 0001 6b 0001 76
               6d"),
            Packet::Publish(Publish {
                dup: false,
                qospid: QosPid::AtLeastOnce(pid(7)),
                retain: true,
                topic: Some(TopicName::new("t").unwrap()),
                properties: vec![
                    PayloadFormatIndicator(1).into(),
                    MessageExpiryInterval(60).into(),
                    ContentType("text".into()).into(),
                    ResponseTopic("r".into()).into(),
                    CorrelationData(Bytes::from_static(&[1, 2])).into(),
                    SubscriptionIdentifier(5).into(),
                    SubscriptionIdentifier(128).into(),
                    TopicAlias(1).into(),
                    user("k", "v"),
                ],
                payload: Bytes::from_static(b"m"),
            }),
        ),
        (
            "PUBLISH with an empty topic and a Topic Alias",
            h("30 07 0000 03 23 0001 78"),
            Packet::Publish(Publish {
                dup: false,
                qospid: QosPid::AtMostOnce,
                retain: false,
                topic: None,
                properties: vec![TopicAlias(1).into()],
                payload: Bytes::from_static(b"x"),
            }),
        ),
        (
            "PUBACK, shortest form (Success, no properties)",
            h("40 02 0001"),
            Packet::Puback(Ack {
                pid: pid(1),
                reason: None,
                properties: None,
            }),
        ),
        (
            "PUBACK No matching subscribers",
            h("40 03 0001 10"),
            Packet::Puback(Ack {
                pid: pid(1),
                reason: Some(PubackReasonCode::NoMatchingSubscribers),
                properties: None,
            }),
        ),
        (
            "PUBACK Success with an empty property length",
            h("40 04 0001 00 00"),
            Packet::Puback(Ack {
                pid: pid(1),
                reason: Some(PubackReasonCode::Success),
                properties: Some(vec![]),
            }),
        ),
        (
            "PUBACK Unspecified error with a Reason String",
            h("40 0a 0001 80 06 1f 0003 626164"),
            Packet::Puback(Ack {
                pid: pid(1),
                reason: Some(PubackReasonCode::UnspecifiedError),
                properties: Some(vec![ReasonString("bad".into()).into()]),
            }),
        ),
        (
            "PUBREC",
            h("50 02 0002"),
            Packet::Pubrec(Ack {
                pid: pid(2),
                reason: None,
                properties: None,
            }),
        ),
        (
            "PUBREL Packet Identifier not found",
            h("62 03 0002 92"),
            Packet::Pubrel(Ack {
                pid: pid(2),
                reason: Some(PubrelReasonCode::PacketIdentifierNotFound),
                properties: None,
            }),
        ),
        (
            "PUBCOMP with a user property",
            h("70 0b 0002 00 07 26 0001 61 0001 62"),
            Packet::Pubcomp(Ack {
                pid: pid(2),
                reason: Some(PubcompReasonCode::Success),
                properties: Some(vec![user("a", "b")]),
            }),
        ),
        (
            "SUBSCRIBE with a Subscription Identifier and every option",
            h("82 18 0001 02 0b 01 0003 612f23 2e 000a 2473686172652f672f78 01"),
            Packet::Subscribe(Subscribe {
                pid: pid(1),
                properties: vec![SubscriptionIdentifier(1).into()],
                topics: vec![
                    Subscription {
                        filter: TopicFilter::new("a/#").unwrap(),
                        options: SubscriptionOptions {
                            qos: QoS::ExactlyOnce,
                            no_local: true,
                            retain_as_published: true,
                            retain_handling: RetainHandling::DoNotSend,
                        },
                    },
                    Subscription {
                        filter: TopicFilter::new("$share/g/x").unwrap(),
                        options: SubscriptionOptions::qos(QoS::AtLeastOnce),
                    },
                ],
            }),
        ),
        (
            "SUBACK Granted QoS 2, Not authorized",
            h("90 05 0001 00 02 87"),
            Packet::Suback(Suback {
                pid: pid(1),
                properties: vec![],
                reasons: vec![
                    SubackReasonCode::GrantedQos2,
                    SubackReasonCode::NotAuthorized,
                ],
            }),
        ),
        (
            "UNSUBSCRIBE",
            h("a2 08 0002 00 0003 612f23"),
            Packet::Unsubscribe(Unsubscribe {
                pid: pid(2),
                properties: vec![],
                filters: vec![TopicFilter::new("a/#").unwrap()],
            }),
        ),
        (
            "UNSUBACK No subscription existed",
            h("b0 04 0002 00 11"),
            Packet::Unsuback(Unsuback {
                pid: pid(2),
                properties: vec![],
                reasons: vec![UnsubackReasonCode::NoSubscriptionExisted],
            }),
        ),
        ("PINGREQ", h("c0 00"), Packet::Pingreq),
        ("PINGRESP", h("d0 00"), Packet::Pingresp),
        (
            "DISCONNECT, shortest form",
            h("e0 00"),
            Packet::Disconnect(Disconnect::default()),
        ),
        (
            "DISCONNECT with Will Message",
            h("e0 01 04"),
            Packet::Disconnect(Disconnect {
                reason: Some(DisconnectReasonCode::DisconnectWithWillMessage),
                properties: None,
            }),
        ),
        (
            "DISCONNECT with a Session Expiry Interval",
            h("e0 07 04 05 11 0000003c"),
            Packet::Disconnect(Disconnect {
                reason: Some(DisconnectReasonCode::DisconnectWithWillMessage),
                properties: Some(vec![SessionExpiryInterval(60).into()]),
            }),
        ),
        (
            "AUTH, shortest form",
            h("f0 00"),
            Packet::Auth(Auth::default()),
        ),
        (
            "AUTH Continue authentication, SCRAM",
            h("f0 0a 18 08 15 0005 5343524d41"),
            Packet::Auth(Auth {
                reason: Some(AuthReasonCode::ContinueAuthentication),
                properties: Some(vec![AuthenticationMethod("SCRMA".into()).into()]),
            }),
        ),
    ]
}

#[test]
fn every_packet_type_both_ways() {
    let golden = golden();
    let mut types: Vec<_> = golden
        .iter()
        .map(|(_, _, p)| p.packet_type() as u8)
        .collect();
    types.dedup();
    assert_eq!(
        types,
        (1..=15).collect::<Vec<u8>>(),
        "all fifteen types, in order"
    );
    for (what, bytes, packet) in golden {
        assert_eq!(
            decode(&bytes, usize::MAX),
            Ok(Some((packet.clone(), bytes.len()))),
            "decode {what}"
        );
        assert_eq!(
            decode_frame(&Bytes::from(bytes.clone())),
            Ok(packet.clone()),
            "frame {what}"
        );
        assert_eq!(packet.to_bytes().unwrap(), bytes, "encode {what}");
        // Every proper prefix asks for more.
        for cut in 0..bytes.len() {
            assert_eq!(
                decode(&bytes[..cut], usize::MAX),
                Ok(None),
                "{what} cut {cut}"
            );
        }
    }
}

/// One value per property with its bytes after the identifier.
fn one_of_each() -> Vec<(Property, &'static str)> {
    vec![
        (PayloadFormatIndicator(1).into(), "01"),
        (MessageExpiryInterval(86400).into(), "00015180"),
        (ContentType("a/b".into()).into(), "0003 612f62"),
        (ResponseTopic("r/s".into()).into(), "0003 722f73"),
        (
            CorrelationData(Bytes::from_static(&[0, 0xff])).into(),
            "0002 00ff",
        ),
        (SubscriptionIdentifier(268_435_455).into(), "ffffff7f"),
        (SessionExpiryInterval(u32::MAX).into(), "ffffffff"),
        (
            AssignedClientIdentifier("auto-1".into()).into(),
            "0006 6175746f2d31",
        ),
        (ServerKeepAlive(30).into(), "001e"),
        (
            AuthenticationMethod("PLAIN".into()).into(),
            "0005 504c41494e",
        ),
        (
            AuthenticationData(Bytes::from_static(b"\x00u\x00p")).into(),
            "0004 00750070",
        ),
        (RequestProblemInformation(0).into(), "00"),
        (WillDelayInterval(10).into(), "0000000a"),
        (RequestResponseInformation(1).into(), "01"),
        (ResponseInformation("resp".into()).into(), "0004 72657370"),
        (
            ServerReference("other:1883".into()).into(),
            "000a 6f746865723a31383833",
        ),
        (ReasonString("ok".into()).into(), "0002 6f6b"),
        (ReceiveMaximum(65535).into(), "ffff"),
        (TopicAliasMaximum(0).into(), "0000"),
        (TopicAlias(65535).into(), "ffff"),
        (MaximumQos(0).into(), "00"),
        (RetainAvailable(0).into(), "00"),
        (user("ç", "ã"), "0002 c3a7 0002 c3a3"),
        (MaximumPacketSize(1).into(), "00000001"),
        (WildcardSubscriptionAvailable(1).into(), "01"),
        (SubscriptionIdentifierAvailable(0).into(), "00"),
        (SharedSubscriptionAvailable(1).into(), "01"),
    ]
}

#[test]
fn every_property_both_ways() {
    let all = one_of_each();
    let ids: Vec<_> = all.iter().map(|(p, _)| p.id()).collect();
    assert_eq!(ids, PropertyId::ALL, "one of each, in identifier order");
    for (prop, value) in all {
        let id = prop.id();
        // The first holder the table allows, and a packet to carry it.
        let holders = [
            Holder::Publish,
            Holder::Connack,
            Holder::Connect,
            Holder::Will,
            Holder::Subscribe,
        ];
        let holder = *holders.iter().find(|&&h| rule(h, id).is_some()).unwrap();
        let mut expected = vec![id as u8];
        expected.extend(h(value));
        let props = vec![prop.clone()];
        let packet = match holder {
            Holder::Publish => Packet::Publish(Publish {
                dup: false,
                qospid: QosPid::AtMostOnce,
                retain: false,
                topic: Some(TopicName::new("t").unwrap()),
                properties: props,
                payload: Bytes::new(),
            }),
            Holder::Connack => Packet::Connack(Connack {
                session_present: false,
                reason: ConnackReasonCode::Success,
                properties: props,
            }),
            Holder::Connect | Holder::Will => Packet::Connect(Connect {
                clean_start: true,
                keep_alive: 0,
                properties: if holder == Holder::Connect {
                    props.clone()
                } else {
                    vec![]
                },
                client_id: String::new(),
                will: (holder == Holder::Will).then(|| Will {
                    properties: props,
                    topic: TopicName::new("w").unwrap(),
                    payload: Bytes::new(),
                    qos: QoS::AtMostOnce,
                    retain: false,
                }),
                username: None,
                password: None,
            }),
            _ => unreachable!("{id:?}"),
        };
        let bytes = packet.to_bytes().unwrap();
        let found = bytes
            .windows(expected.len())
            .any(|w| w == expected.as_slice());
        assert!(found, "{id:?}: {expected:02x?} in {bytes:02x?}");
        assert_eq!(
            decode(&bytes, usize::MAX),
            Ok(Some((packet, bytes.len()))),
            "{id:?}"
        );
    }
}

#[test]
fn user_properties_keep_their_order_and_duplicates() {
    let props = vec![
        user("b", "2"),
        user("a", "1"),
        user("b", "2"),
        user("b", "3"),
    ];
    let packet = Packet::Disconnect(Disconnect {
        reason: Some(DisconnectReasonCode::NormalDisconnection),
        properties: Some(props.clone()),
    });
    let bytes = packet.to_bytes().unwrap();
    let Ok(Some((Packet::Disconnect(d), _))) = decode(&bytes, usize::MAX) else {
        panic!()
    };
    assert_eq!(d.properties, Some(props));
}

#[test]
fn the_encoder_refuses_what_the_table_refuses() {
    let bad = Packet::Puback(Ack {
        pid: pid(1),
        reason: Some(PubackReasonCode::Success),
        properties: Some(vec![SessionExpiryInterval(1).into()]),
    });
    assert_eq!(
        bad.to_bytes(),
        Err(EncodeError::PropertyNotAllowed {
            id: PropertyId::SessionExpiryInterval,
            holder: Holder::Puback
        })
    );
    let twice = Packet::Connack(Connack {
        session_present: false,
        reason: ConnackReasonCode::Success,
        properties: vec![ReceiveMaximum(1).into(), ReceiveMaximum(2).into()],
    });
    assert!(matches!(
        twice.to_bytes(),
        Err(EncodeError::PropertyRepeated { .. })
    ));
    let zero = Packet::Connack(Connack {
        session_present: false,
        reason: ConnackReasonCode::Success,
        properties: vec![ReceiveMaximum(0).into()],
    });
    assert!(matches!(
        zero.to_bytes(),
        Err(EncodeError::InvalidPropertyValue { .. })
    ));
    let orphan = Packet::Disconnect(Disconnect {
        reason: None,
        properties: Some(vec![]),
    });
    assert_eq!(
        orphan.to_bytes(),
        Err(EncodeError::PropertiesWithoutReasonCode(
            PacketType::Disconnect
        ))
    );
}

/// Bytes captured on loopback from mosquitto 2.0.11, `mosquitto_sub`/`mosquitto_pub
/// -V 5` with `-D` properties, and MQTT.js 5.16 with `protocolVersion: 5`
/// (`MQTTLAB_V5_DUMP=1 cargo test -p mqttlab-tests --test v5_peers` prints them):
/// (who sent it, summary, bytes).
const CAPTURED: &[(&str, &str, &str)] = &[
    ("mosquitto_sub", "CONNECT c1 k60 v5.0 v5sub [6 props]", "103200044d5154540502003c20110000003c21000a27000186a02200031701260005637572736f00046d71747400057635737562"),
    ("mosquitto_sub", "SUBSCRIBE m1 lab/v5 q2 [1 prop]", "821600010a26000473616c6100013300066c61622f763502"),
    ("mosquitto_sub", "DISCONNECT", "e000"),
    ("mosquitto", "CONNACK 0x00 Success [2 props]", "200900000622000a210014"),
    ("mosquitto", "SUBACK m1 [0x02]", "900400010002"),
    ("mosquitto", "PUBLISH q2 m1 lab/v5 [7 props]", "344800066c61622f763500013b010103000a746578742f706c61696e0800096c61622f7265706c7909000469642d3726000473616c6100013326000473616c61000134020000003c3231"),
    ("mosquitto", "PUBREL m1", "62020001"),
    ("mosquitto_pub", "CONNECT c1 k60 v5.0 v5pub will:lab/will q0 [1 prop]", "103100044d5154540506003c03210014000576357075620c18000000052600017700013100086c61622f77696c6c00036f6666"),
    ("mosquitto_pub", "PUBLISH q2 m1 lab/v5 [7 props]", "344800066c61622f763500013b0101020000003c03000a746578742f706c61696e0800096c61622f7265706c7909000469642d3726000473616c6100013326000473616c610001343231"),
    ("mosquitto_pub", "DISCONNECT 0x00 Normal disconnection [1 prop]", "e00700051100000000"),
    ("MQTT.js", "CONNECT c1 k60 v5.0 mqttjs5 will:lab/js/will q1 [6 props]", "106000044d515454050e003c20110000001e21000527000100002200041701260005637572736f00046d71747400076d7174746a733519180000000503000a746578742f706c61696e26000177000131000b6c61622f6a732f77696c6c00036f6666"),
    ("MQTT.js", "SUBSCRIBE m53289 lab/js q2 [2 props]", "8215d029090b072600017300017800066c61622f6a731a"),
    ("MQTT.js", "PUBLISH q2 m53290 lab/js [6 props]", "343d00066c61622f6a73d02a300101020000001e03000a746578742f706c61696e08000c6c61622f6a732f7265706c79090003010203260001700001716f69"),
    ("MQTT.js", "PUBREL m53290 0x00 Success", "6204d02a0000"),
    ("MQTT.js", "UNSUBSCRIBE m53291 lab/js [1 prop]", "a212d02b072600017500017600066c61622f6a73"),
    ("mosquitto", "PUBLISH q2 m1 lab/js [7 props]", "343f00066c61622f6a730001320b07010103000a746578742f706c61696e08000c6c61622f6a732f7265706c7909000301020326000170000171020000001e6f69"),
    ("mosquitto", "UNSUBACK m53291 [0x00]", "b004d02b0000"),
    // mosquitto_pub -V 5 -i v5pub --will-topic lab/will --will-payload off --will-retain --will-qos 1
    ("mosquitto_pub", "CONNECT c1 k60 v5.0 v5pub will:lab/will q1 r1 [1 prop]", "102500044d515454052e003c03210014000576357075620000086c61622f77696c6c00036f6666"),
];

#[test]
fn bytes_captured_from_mosquitto_and_mqttjs_both_ways() {
    for (who, summary, hex) in CAPTURED {
        let bytes = h(hex);
        let (packet, used) = decode(&bytes, usize::MAX)
            .unwrap_or_else(|e| panic!("{who} {summary}: {e}"))
            .unwrap();
        assert_eq!(used, bytes.len(), "{who} {summary}");
        assert_eq!(packet.to_string(), *summary, "{who}");
        assert_eq!(packet.to_bytes().unwrap(), bytes, "{who} {summary}: encode");
    }
    // What the captures teach: mosquitto moves the Message Expiry Interval it
    // forwards to the end (after the user properties, in their order) and adds
    // the subscriber's Subscription Identifier; MQTT.js writes a PUBREL's
    // Success and an empty property length that mosquitto leaves out.
    let (p, _) = decode(&h(CAPTURED[15].2), usize::MAX).unwrap().unwrap();
    assert_eq!(p.properties()[0], SubscriptionIdentifier(7).into());
    assert_eq!(
        p.properties().last().unwrap().id(),
        PropertyId::MessageExpiryInterval
    );
    let (p, _) = decode(&h(CAPTURED[13].2), usize::MAX).unwrap().unwrap();
    assert_eq!(
        p,
        Packet::Pubrel(Ack {
            pid: pid(53290),
            reason: Some(PubrelReasonCode::Success),
            properties: Some(vec![]),
        })
    );
}

#[test]
fn a_topic_alias_is_named_in_the_label_and_not_counted_among_the_properties() {
    let publish = |topic: Option<&str>, properties: Vec<Property>| {
        Packet::Publish(Publish {
            dup: false,
            qospid: QosPid::AtLeastOnce(pid(7)),
            retain: false,
            topic: topic.map(|t| TopicName::new(t).unwrap()),
            properties,
            payload: Bytes::from_static(b"x"),
        })
        .to_string()
    };
    assert_eq!(
        publish(None, vec![TopicAlias(3).into()]),
        "PUBLISH q1 m7 alias 3"
    );
    assert_eq!(
        publish(Some("casa/sala"), vec![TopicAlias(3).into()]),
        "PUBLISH q1 m7 casa/sala alias 3"
    );
    assert_eq!(
        publish(None, vec![TopicAlias(3).into(), user("k", "v")]),
        "PUBLISH q1 m7 alias 3 [1 prop]"
    );
    assert_eq!(
        publish(Some("casa/sala"), vec![user("k", "v")]),
        "PUBLISH q1 m7 casa/sala [1 prop]"
    );
}
