//! The client under MQTT 5.0, on virtual time: what a CONNACK's properties
//! impose, Topic Aliases both ways, reason codes, request/response. Every
//! packet goes through the real encoder and decoder (bytes in, bytes out).

use bytes::Bytes;

use super::*;
use crate::codec::properties::{
    AssignedClientIdentifier, CorrelationData, MaximumPacketSize, MaximumQos, ReceiveMaximum,
    ResponseTopic, RetainAvailable, ServerKeepAlive, TopicAlias, TopicAliasMaximum,
};
use crate::codec::reason_codes::{
    ConnackReasonCode, DisconnectReasonCode, PubackReasonCode, PubrecReasonCode,
};
use crate::codec::v5::{self, Ack};
use crate::codec::PacketType;

fn secs(s: u64) -> Instant {
    Instant::from_secs(s)
}

/// Everything the client sends, as 5.0 packets decoded from its bytes.
fn sent(c: &mut Client) -> Vec<v5::Packet> {
    std::iter::from_fn(|| c.poll_transmit())
        .map(|t| {
            let (p, n) = v5::decode(&t.bytes, usize::MAX).unwrap().unwrap();
            assert_eq!(n, t.bytes.len());
            assert_eq!(t.v5.as_deref(), Some(&p));
            p
        })
        .collect()
}

fn events(c: &mut Client) -> Vec<ClientEvent> {
    std::iter::from_fn(|| c.poll_event()).collect()
}

fn feed(c: &mut Client, now: Instant, p: v5::Packet) {
    c.handle_bytes(now, &p.to_bytes().unwrap());
}

/// A 5.0 client connected to a broker whose CONNACK has `props`.
fn connected(opts: ConnectOptions, props: Vec<Property>) -> Client {
    let mut c = Client::new();
    c.connect(secs(0), opts).unwrap();
    let s = sent(&mut c);
    assert!(matches!(&s[..], [v5::Packet::Connect(_)]), "{s:?}");
    feed(
        &mut c,
        secs(0),
        v5::Packet::Connack(v5::Connack {
            session_present: false,
            reason: ConnackReasonCode::Success,
            properties: props,
        }),
    );
    assert!(c.is_connected());
    c
}

fn v5opts(id: &str) -> ConnectOptions {
    ConnectOptions::new(id).v5(Vec::new())
}

fn publishes(s: &[v5::Packet]) -> Vec<&v5::Publish> {
    s.iter()
        .filter_map(|p| match p {
            v5::Packet::Publish(p) => Some(p),
            _ => None,
        })
        .collect()
}

#[test]
fn the_connect_carries_its_properties_and_the_wills() {
    let mut c = Client::new();
    let mut o = ConnectOptions::new("c1")
        .v5(vec![ReceiveMaximum(7).into(), TopicAliasMaximum(3).into()])
        .will("w", "bye", QoS::AtLeastOnce, false)
        .unwrap();
    o.will_properties = vec![Property::WillDelayInterval(
        crate::codec::properties::WillDelayInterval(5),
    )];
    c.connect(secs(0), o).unwrap();
    let [v5::Packet::Connect(k)] = &sent(&mut c)[..] else {
        panic!()
    };
    assert_eq!(k.properties.len(), 2);
    assert_eq!(k.will.as_ref().unwrap().properties.len(), 1);
    // A property CONNECT may not carry is refused before anything is sent.
    let mut c = Client::new();
    let bad = ConnectOptions::new("c1").v5(vec![TopicAlias(1).into()]);
    assert_eq!(
        c.connect(secs(0), bad),
        Err(ClientError::PropertyNotAllowed(
            crate::codec::properties::PropertyId::TopicAlias
        ))
    );
    // And properties need 5.0.
    let mut o = ConnectOptions::new("c1");
    o.properties = vec![ReceiveMaximum(7).into()];
    assert_eq!(Client::new().connect(secs(0), o), Err(ClientError::NeedsV5));
}

#[test]
fn receive_maximum_of_the_broker_bounds_the_messages_in_flight() {
    let mut c = connected(v5opts("c1"), vec![ReceiveMaximum(2).into()]);
    assert_eq!(c.server().receive_maximum, 2);
    for i in 0..5 {
        c.publish(secs(1), "t", vec![i], QoS::AtLeastOnce, false)
            .unwrap();
    }
    assert_eq!(publishes(&sent(&mut c)).len(), 2);
    feed(
        &mut c,
        secs(2),
        v5::Packet::Puback(Ack {
            pid: Pid::new(1).unwrap(),
            reason: None,
            properties: None,
        }),
    );
    let s = sent(&mut c);
    let p = publishes(&s);
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].payload, Bytes::from_static(&[2]));
}

#[test]
fn server_keep_alive_replaces_ours() {
    let mut c = connected(v5opts("c1").keep_alive(60), vec![ServerKeepAlive(5).into()]);
    assert_eq!(c.keep_alive(), 5);
    assert_eq!(c.poll_timeout(), Some(secs(5)));
    c.handle_timeout(secs(5));
    assert!(matches!(&sent(&mut c)[..], [v5::Packet::Pingreq]));
    // No PINGRESP within the (new) keep alive: the connection is dead.
    events(&mut c);
    c.handle_timeout(secs(10));
    assert!(events(&mut c).contains(&ClientEvent::Disconnected {
        reason: DisconnectReason::PingTimeout
    }));
}

#[test]
fn topic_alias_is_sent_with_the_topic_once_then_alone_and_again_after_a_reconnect() {
    let props = vec![TopicAliasMaximum(4).into()];
    let mut c = connected(v5opts("c1").clean_session(false), props.clone());
    let alias = || vec![Property::from(TopicAlias(1))];
    c.publish_with(secs(1), "casa/sala", "1", QoS::AtLeastOnce, false, alias())
        .unwrap();
    c.publish_with(secs(1), "casa/sala", "2", QoS::AtLeastOnce, false, alias())
        .unwrap();
    let s = sent(&mut c);
    let p = publishes(&s);
    assert_eq!(p[0].topic.as_ref().map(|t| t.as_str()), Some("casa/sala"));
    assert_eq!(p[1].topic, None);
    assert!(p[1].properties.contains(&TopicAlias(1).into()));
    // Beyond the broker's maximum, or 0: refused (MQTT-3.3.2-8, -9).
    let too_big = vec![Property::from(TopicAlias(5))];
    assert_eq!(
        c.publish_with(secs(1), "x", "", QoS::AtMostOnce, false, too_big),
        Err(ClientError::TopicAliasInvalid { alias: 5, max: 4 })
    );
    // A new connection starts with no alias: the resends carry the topic.
    c.handle_closed(secs(2));
    c.connect(secs(3), v5opts("c1").clean_session(false))
        .unwrap();
    sent(&mut c);
    feed(
        &mut c,
        secs(3),
        v5::Packet::Connack(v5::Connack {
            session_present: true,
            reason: ConnackReasonCode::Success,
            properties: props,
        }),
    );
    let s = sent(&mut c);
    let p = publishes(&s);
    assert_eq!(p.len(), 2);
    assert!(p[0].dup && p[1].dup);
    assert_eq!(p[0].topic.as_ref().map(|t| t.as_str()), Some("casa/sala"));
    assert_eq!(p[1].topic, None);
}

#[test]
fn a_broker_without_topic_aliases_gets_none() {
    // Published before CONNACK, when the maximum was not known yet: the
    // alias is left off, the topic goes in full.
    let mut c = Client::new();
    c.connect(secs(0), v5opts("c1")).unwrap();
    c.publish_with(
        secs(0),
        "t",
        "x",
        QoS::AtMostOnce,
        false,
        vec![TopicAlias(1).into()],
    )
    .unwrap();
    sent(&mut c);
    feed(
        &mut c,
        secs(0),
        v5::Packet::Connack(v5::Connack {
            session_present: false,
            reason: ConnackReasonCode::Success,
            properties: Vec::new(),
        }),
    );
    let s = sent(&mut c);
    let p = publishes(&s);
    assert_eq!(p[0].topic.as_ref().map(|t| t.as_str()), Some("t"));
    assert!(p[0].properties.is_empty());
}

#[test]
fn maximum_packet_size_maximum_qos_and_retain_available_are_respected() {
    let mut c = connected(
        v5opts("c1"),
        vec![
            MaximumPacketSize(40).into(),
            MaximumQos(1).into(),
            RetainAvailable(0).into(),
        ],
    );
    let big = vec![b'x'; 40];
    assert!(matches!(
        c.publish(secs(1), "t", big, QoS::AtMostOnce, false),
        Err(ClientError::PacketTooLarge { max: 40, .. })
    ));
    // 2 + 1 + 2 + 1 (no properties) + payload: 34 bytes of payload fit in 40.
    assert_eq!(
        c.publish(secs(1), "t", vec![b'x'; 34], QoS::AtMostOnce, false),
        Ok(None)
    );
    assert!(matches!(
        c.publish(secs(1), "t", vec![b'x'; 35], QoS::AtMostOnce, false),
        Err(ClientError::PacketTooLarge { size: 41, max: 40 })
    ));
    assert_eq!(
        c.publish(secs(1), "t", "x", QoS::ExactlyOnce, false),
        Err(ClientError::QosNotSupported {
            asked: QoS::ExactlyOnce,
            max: QoS::AtLeastOnce
        })
    );
    assert_eq!(
        c.publish(secs(1), "t", "x", QoS::AtMostOnce, true),
        Err(ClientError::RetainNotSupported)
    );
    assert_eq!(publishes(&sent(&mut c)).len(), 1);
}

#[test]
fn an_assigned_client_identifier_becomes_ours() {
    let c = connected(
        v5opts(""),
        vec![AssignedClientIdentifier("auto-7".into()).into()],
    );
    assert_eq!(
        c.server().assigned_client_identifier.as_deref(),
        Some("auto-7")
    );
    assert_eq!(c.options().client_id, "auto-7");
}

#[test]
fn reason_codes_of_acks_are_reported_and_a_failed_pubrec_ends_the_exchange() {
    let mut c = connected(v5opts("c1"), Vec::new());
    c.publish(secs(1), "t", "1", QoS::AtLeastOnce, false)
        .unwrap();
    c.publish(secs(1), "t", "2", QoS::ExactlyOnce, false)
        .unwrap();
    sent(&mut c);
    events(&mut c);
    feed(
        &mut c,
        secs(2),
        v5::Packet::Puback(Ack {
            pid: Pid::new(1).unwrap(),
            reason: Some(PubackReasonCode::NoMatchingSubscribers),
            properties: None,
        }),
    );
    feed(
        &mut c,
        secs(2),
        v5::Packet::Pubrec(Ack {
            pid: Pid::new(2).unwrap(),
            reason: Some(PubrecReasonCode::NotAuthorized),
            properties: None,
        }),
    );
    let e = events(&mut c);
    assert_eq!(
        e[0],
        ClientEvent::Acknowledged {
            packet: PacketType::Puback,
            pid: Pid::new(1).unwrap(),
            codes: vec![0x10],
            properties: Vec::new()
        }
    );
    assert!(matches!(e[1], ClientEvent::Published { .. }));
    assert!(matches!(
        &e[2],
        ClientEvent::Acknowledged { codes, .. } if codes == &[0x87]
    ));
    assert_eq!(
        e[3],
        ClientEvent::Published {
            pid: Pid::new(2).unwrap(),
            qos: QoS::ExactlyOnce
        }
    );
    // No PUBREL after a failed PUBREC (§4.3.3).
    assert!(sent(&mut c).is_empty());
    assert_eq!(c.pending_messages(), 0);
}

#[test]
fn the_brokers_disconnect_ends_the_connection_with_its_reason() {
    let mut c = connected(v5opts("c1"), Vec::new());
    events(&mut c);
    feed(
        &mut c,
        secs(1),
        v5::Packet::Disconnect(v5::Disconnect {
            reason: Some(DisconnectReasonCode::SessionTakenOver),
            properties: None,
        }),
    );
    assert_eq!(
        events(&mut c),
        [ClientEvent::Disconnected {
            reason: DisconnectReason::ByServer(0x8e)
        }]
    );
}

#[test]
fn a_refusal_is_a_reason_code() {
    let mut c = Client::new();
    c.connect(secs(0), v5opts("c1")).unwrap();
    sent(&mut c);
    feed(
        &mut c,
        secs(0),
        v5::Packet::Connack(v5::Connack {
            session_present: false,
            reason: ConnackReasonCode::NotAuthorized,
            properties: Vec::new(),
        }),
    );
    assert_eq!(
        events(&mut c),
        [
            ClientEvent::ConnectionRefusedV5(ConnackReasonCode::NotAuthorized),
            ClientEvent::Disconnected {
                reason: DisconnectReason::RefusedV5(0x87)
            }
        ]
    );
}

#[test]
fn the_brokers_topic_aliases_are_resolved_and_a_bad_one_is_disconnect_0x94() {
    let mut c = connected(
        ConnectOptions::new("c1").v5(vec![TopicAliasMaximum(2).into()]),
        Vec::new(),
    );
    events(&mut c);
    let publish = |topic: Option<&str>, alias: u16| {
        v5::Packet::Publish(v5::Publish {
            dup: false,
            qospid: crate::codec::QosPid::AtMostOnce,
            retain: false,
            topic: topic.map(|t| TopicName::new(t).unwrap()),
            properties: vec![TopicAlias(alias).into()],
            payload: Bytes::from_static(b"m"),
        })
    };
    feed(&mut c, secs(1), publish(Some("a/b"), 2));
    feed(&mut c, secs(1), publish(None, 2));
    let topics: Vec<String> = events(&mut c)
        .iter()
        .filter_map(|e| match e {
            ClientEvent::Message(m) => Some(m.topic.as_str().to_owned()),
            _ => None,
        })
        .collect();
    assert_eq!(topics, ["a/b", "a/b"]);
    // Alias 3 is above the Topic Alias Maximum we sent.
    feed(&mut c, secs(2), publish(Some("x"), 3));
    assert!(matches!(
        &sent(&mut c)[..],
        [v5::Packet::Disconnect(v5::Disconnect {
            reason: Some(DisconnectReasonCode::TopicAliasInvalid),
            ..
        })]
    ));
    assert!(!c.is_connected());
}

#[test]
fn request_response_properties_go_out_and_come_in_unchanged() {
    let mut c = connected(v5opts("c1"), Vec::new());
    let props = vec![
        Property::from(ResponseTopic("resp/c1".into())),
        CorrelationData(Bytes::from_static(b"\x00\x01")).into(),
    ];
    c.publish_with(secs(1), "req", "q?", QoS::AtMostOnce, false, props.clone())
        .unwrap();
    let s = sent(&mut c);
    assert_eq!(publishes(&s)[0].properties, props);
    // The response, with the same correlation data, arrives with it.
    events(&mut c);
    feed(
        &mut c,
        secs(2),
        v5::Packet::Publish(v5::Publish {
            dup: false,
            qospid: crate::codec::QosPid::AtMostOnce,
            retain: false,
            topic: Some(TopicName::new("resp/c1").unwrap()),
            properties: vec![props[1].clone()],
            payload: Bytes::from_static(b"42"),
        }),
    );
    let e = events(&mut c);
    let [ClientEvent::Message(m)] = &e[..] else {
        panic!("{e:?}")
    };
    assert_eq!(m.properties, [props[1].clone()]);
}

#[test]
fn our_receive_maximum_bounds_the_brokers_unreleased_qos2_messages() {
    let mut c = connected(
        ConnectOptions::new("c1").v5(vec![ReceiveMaximum(1).into()]),
        Vec::new(),
    );
    let q2 = |id| {
        v5::Packet::Publish(v5::Publish {
            dup: false,
            qospid: crate::codec::QosPid::ExactlyOnce(Pid::new(id).unwrap()),
            retain: false,
            topic: Some(TopicName::new("t").unwrap()),
            properties: Vec::new(),
            payload: Bytes::new(),
        })
    };
    feed(&mut c, secs(1), q2(1));
    assert!(matches!(&sent(&mut c)[..], [v5::Packet::Pubrec(_)]));
    feed(&mut c, secs(1), q2(2));
    assert!(matches!(
        &sent(&mut c)[..],
        [v5::Packet::Disconnect(v5::Disconnect {
            reason: Some(DisconnectReasonCode::ReceiveMaximumExceeded),
            ..
        })]
    ));
}

#[test]
fn a_311_broker_refusing_the_5_0_connect_is_connack_1() {
    let mut c = Client::new();
    c.connect(secs(0), v5opts("c1")).unwrap();
    sent(&mut c);
    c.handle_bytes(secs(0), &[0x20, 0x02, 0x00, 0x01]);
    assert_eq!(
        events(&mut c)[0],
        ClientEvent::ConnectionRefused(
            crate::codec::ConnectReturnCode::UnacceptableProtocolVersion
        )
    );
}
