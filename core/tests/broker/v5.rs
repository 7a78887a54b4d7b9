//! MQTT 5.0 clients on the same broker as 3.1.1 ones: CONNACK properties,
//! reason codes, properties crossing versions, and every 5.0 timer (session
//! expiry, message expiry, will delay, keep alive with Server Keep Alive) on
//! the virtual clock.

use std::time::Duration;

use bytes::Bytes;
use mqttlab_core::broker::{BrokerConfig, BrokerEvent, ConnId, Output};
use mqttlab_core::codec::properties::{
    AssignedClientIdentifier, ContentType, CorrelationData, MaximumPacketSize,
    MessageExpiryInterval, Property, ReasonString, ReceiveMaximum, RequestProblemInformation,
    ResponseTopic, ServerKeepAlive, SessionExpiryInterval, TopicAlias, UserProperty,
    WillDelayInterval,
};
use mqttlab_core::codec::reason_codes::{
    ConnackReasonCode, DisconnectReasonCode, PubackReasonCode, SubackReasonCode, UnsubackReasonCode,
};
use mqttlab_core::codec::v5::{self, Ack, Packet as P5};
use mqttlab_core::codec::{AnyPacket, Packet, QoS, QosPid};
use mqttlab_core::topic::{TopicFilter, TopicName};

use super::harness::{pid, publish, subscribe, Lab};

fn send5(lab: &mut Lab, conn: ConnId, p: P5) {
    let bytes = p.to_bytes().expect("test packets encode");
    lab.send_bytes(conn, &bytes);
}

fn connect5(client_id: &str, properties: Vec<Property>) -> v5::Connect {
    v5::Connect {
        clean_start: true,
        keep_alive: 60,
        properties,
        client_id: client_id.into(),
        will: None,
        username: None,
        password: None,
    }
}

fn open5(lab: &mut Lab, c: v5::Connect) -> ConnId {
    let conn = lab.open("127.0.0.1");
    send5(lab, conn, P5::Connect(c));
    conn
}

fn packets5(lab: &Lab, conn: ConnId) -> Vec<P5> {
    lab.out
        .iter()
        .filter_map(|o| match o {
            Output::Transmit(t) if t.conn == conn => match &t.packet {
                AnyPacket::V5(p) => Some(p.clone()),
                other => panic!("a 5.0 packet to a 5.0 client, not {other}"),
            },
            _ => None,
        })
        .collect()
}

fn publishes5(lab: &Lab, conn: ConnId) -> Vec<v5::Publish> {
    packets5(lab, conn)
        .into_iter()
        .filter_map(|p| match p {
            P5::Publish(p) => Some(p),
            _ => None,
        })
        .collect()
}

fn sub5(lab: &mut Lab, conn: ConnId, id: u16, filter: &str, q: QoS) {
    send5(
        lab,
        conn,
        P5::Subscribe(v5::Subscribe {
            pid: pid(id),
            properties: Vec::new(),
            topics: vec![v5::Subscription {
                filter: TopicFilter::new(filter).unwrap(),
                options: v5::SubscriptionOptions::qos(q),
            }],
        }),
    );
}

fn pub5(topic: Option<&str>, payload: &str, qospid: QosPid, properties: Vec<Property>) -> P5 {
    P5::Publish(v5::Publish {
        dup: false,
        qospid,
        retain: false,
        topic: topic.map(|t| TopicName::new(t).unwrap()),
        properties,
        payload: Bytes::copy_from_slice(payload.as_bytes()),
    })
}

fn expiry(secs: u32) -> Property {
    SessionExpiryInterval(secs).into()
}

fn disconnect_reason(lab: &Lab, conn: ConnId) -> Option<DisconnectReasonCode> {
    packets5(lab, conn).into_iter().find_map(|p| match p {
        P5::Disconnect(d) => d.reason,
        _ => None,
    })
}

#[test]
fn an_empty_client_id_is_assigned_and_told_in_connack() {
    let mut lab = Lab::default();
    let c = open5(&mut lab, connect5("", Vec::new()));
    let [P5::Connack(ack)] = &packets5(&lab, c)[..] else {
        panic!("{:?}", packets5(&lab, c));
    };
    assert_eq!(ack.reason, ConnackReasonCode::Success);
    let Some(Property::AssignedClientIdentifier(AssignedClientIdentifier(id))) =
        ack.properties.first()
    else {
        panic!("{:?}", ack.properties);
    };
    assert!(id.starts_with("auto-"), "{id}");
    // Even without Clean Start, which 3.1.1 would refuse (MQTT-3.1.3-8).
    let mut lab = Lab::default();
    let mut c5 = connect5("", Vec::new());
    c5.clean_start = false;
    let c = open5(&mut lab, c5);
    assert!(
        matches!(&packets5(&lab, c)[..], [P5::Connack(a)] if a.reason == ConnackReasonCode::Success)
    );
}

#[test]
fn acknowledgements_carry_reason_codes_and_3_1_1_gets_none() {
    let mut lab = Lab::default();
    let p5 = open5(&mut lab, connect5("p5", Vec::new()));
    let p3 = lab.connect("p3");
    lab.clear();
    send5(
        &mut lab,
        p5,
        pub5(Some("nobody"), "x", QosPid::AtLeastOnce(pid(1)), vec![]),
    );
    assert_eq!(
        packets5(&lab, p5),
        [P5::Puback(Ack {
            pid: pid(1),
            reason: Some(PubackReasonCode::NoMatchingSubscribers),
            properties: None
        })]
    );
    assert_eq!(lab.log().last().unwrap(), "Sending PUBACK to p5 (m1, rc16)");
    lab.send(p3, publish("nobody", "x", 1, 1, false));
    assert_eq!(lab.packets_to(p3), [Packet::Puback(pid(1))]);
    assert_eq!(lab.log().last().unwrap(), "Sending PUBACK to p3 (m1, rc0)");

    lab.clear();
    send5(
        &mut lab,
        p5,
        P5::Unsubscribe(v5::Unsubscribe {
            pid: pid(2),
            properties: Vec::new(),
            filters: vec![TopicFilter::new("never/subscribed").unwrap()],
        }),
    );
    sub5(&mut lab, p5, 3, "$share/g/t", QoS::AtLeastOnce);
    let acks = packets5(&lab, p5);
    assert!(
        matches!(&acks[0], P5::Unsuback(u) if u.reasons == [UnsubackReasonCode::NoSubscriptionExisted])
    );
    assert!(matches!(&acks[1], P5::Suback(s) if s.reasons == [SubackReasonCode::GrantedQos1]));
}

#[test]
fn properties_cross_to_5_0_receivers_unchanged_and_in_order_and_not_to_3_1_1() {
    let mut lab = Lab::default();
    let s5 = open5(&mut lab, connect5("s5", Vec::new()));
    sub5(&mut lab, s5, 1, "req/#", QoS::AtLeastOnce);
    let s3 = lab.connect("s3");
    lab.send(s3, subscribe(1, &[("req/#", 1)]));
    let p = open5(&mut lab, connect5("p", Vec::new()));
    lab.clear();
    let props: Vec<Property> = vec![
        UserProperty(("b".into(), "2".into())).into(),
        ContentType("text/plain".into()).into(),
        UserProperty(("a".into(), "1".into())).into(),
        ResponseTopic("resp/p".into()).into(),
        CorrelationData(Bytes::from_static(b"\x00\x01")).into(),
        UserProperty(("b".into(), "3".into())).into(),
    ];
    send5(
        &mut lab,
        p,
        pub5(
            Some("req/x"),
            "q",
            QosPid::AtLeastOnce(pid(7)),
            props.clone(),
        ),
    );
    let got = publishes5(&lab, s5);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].properties, props);
    // The 3.1.1 subscriber gets the 3.1.1 PUBLISH: the same bytes as from a 3.1.1
    // publisher.
    let to3 = lab.publishes_to(s3);
    assert_eq!(to3.len(), 1);
    assert_eq!(to3[0].topic.as_str(), "req/x");
    let wire: Vec<&[u8]> = lab
        .out
        .iter()
        .filter_map(|o| match o {
            Output::Transmit(t) if t.conn == s3 => Some(&t.bytes[..]),
            _ => None,
        })
        .collect();
    let mut plain = Vec::new();
    Packet::Publish(to3[0].clone()).encode(&mut plain).unwrap();
    assert_eq!(wire, [&plain[..]]);
}

#[test]
fn a_session_outlives_its_connection_by_its_expiry_interval() {
    let mut lab = Lab::default();
    let mut c = connect5("s", vec![expiry(10)]);
    c.clean_start = false;
    let s = open5(&mut lab, c.clone());
    sub5(&mut lab, s, 1, "t", QoS::AtLeastOnce);
    lab.drop_conn(s);
    let p = lab.connect("p");
    lab.advance(Duration::from_secs(5));
    lab.send(p, publish("t", "kept", 1, 1, false));
    lab.advance(Duration::from_secs(4));
    lab.clear();
    let s = open5(&mut lab, c.clone());
    let got = packets5(&lab, s);
    assert!(
        matches!(&got[0], P5::Connack(a) if a.session_present),
        "{got:?}"
    );
    assert_eq!(publishes5(&lab, s)[0].payload, "kept");

    // Away for longer than 10 s: the session is gone.
    lab.drop_conn(s);
    lab.clear();
    lab.advance(Duration::from_secs(10));
    assert!(lab.events().contains(&BrokerEvent::SessionExpired {
        client_id: "s".into()
    }));
    // As mosquitto 2.0.11 logs it (seen with mosquitto -v and mosquitto_sub
    // -V 5 -c -x 2).
    assert!(
        lab.log()
            .contains(&"Expiring client s due to timeout.".to_owned()),
        "{:?}",
        lab.log()
    );
    let s = open5(&mut lab, c);
    assert!(matches!(&packets5(&lab, s)[0], P5::Connack(a) if !a.session_present));
}

#[test]
fn disconnect_may_shorten_the_session_but_not_start_one_after_0() {
    let mut lab = Lab::default();
    let mut c = connect5("s", vec![expiry(100)]);
    c.clean_start = false;
    let s = open5(&mut lab, c.clone());
    sub5(&mut lab, s, 1, "t", QoS::AtLeastOnce);
    send5(
        &mut lab,
        s,
        P5::Disconnect(v5::Disconnect {
            reason: Some(DisconnectReasonCode::NormalDisconnection),
            properties: Some(vec![expiry(0)]),
        }),
    );
    lab.clear();
    let s = open5(&mut lab, c);
    assert!(matches!(&packets5(&lab, s)[0], P5::Connack(a) if !a.session_present));

    // CONNECT said 0: a DISCONNECT saying more is a protocol error (MQTT-3.14.2-2).
    let z = open5(&mut lab, connect5("z", vec![]));
    lab.clear();
    send5(
        &mut lab,
        z,
        P5::Disconnect(v5::Disconnect {
            reason: Some(DisconnectReasonCode::NormalDisconnection),
            properties: Some(vec![expiry(10)]),
        }),
    );
    assert_eq!(
        disconnect_reason(&lab, z),
        Some(DisconnectReasonCode::ProtocolError)
    );
    assert_eq!(lab.closed().len(), 1);
}

#[test]
fn an_expired_message_is_never_delivered_and_the_rest_go_with_the_time_left() {
    let mut lab = Lab::default();
    let mut c = connect5("s", vec![expiry(1000)]);
    c.clean_start = false;
    let s = open5(&mut lab, c.clone());
    sub5(&mut lab, s, 1, "t", QoS::AtLeastOnce);
    lab.drop_conn(s);
    let p = open5(&mut lab, connect5("p", vec![]));
    let mei = |n| -> Vec<Property> { vec![MessageExpiryInterval(n).into()] };
    send5(
        &mut lab,
        p,
        pub5(Some("t"), "short", QosPid::AtLeastOnce(pid(1)), mei(2)),
    );
    send5(
        &mut lab,
        p,
        pub5(Some("t"), "long", QosPid::AtLeastOnce(pid(2)), mei(10)),
    );
    // Retained with 2 s to live.
    let mut retained = pub5(Some("r"), "ret", QosPid::AtMostOnce, mei(2));
    if let P5::Publish(r) = &mut retained {
        r.retain = true;
    }
    send5(&mut lab, p, retained);
    lab.advance(Duration::from_millis(3500));
    lab.clear();
    let s = open5(&mut lab, c);
    let got = publishes5(&lab, s);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].payload, "long");
    assert_eq!(got[0].properties, [MessageExpiryInterval(7).into()]);
    sub5(&mut lab, s, 2, "r", QoS::AtMostOnce);
    assert_eq!(publishes5(&lab, s).len(), 1, "the expired retained message");
}

#[test]
fn topic_aliases_from_clients_up_to_the_maximum_and_0x94_otherwise() {
    let mut lab = Lab::default();
    let s = lab.connect("s");
    lab.send(s, subscribe(1, &[("a/b", 0)]));
    let p = open5(&mut lab, connect5("p", vec![]));
    let alias = |n| -> Vec<Property> { vec![TopicAlias(n).into()] };
    send5(
        &mut lab,
        p,
        pub5(Some("a/b"), "1", QosPid::AtMostOnce, alias(3)),
    );
    send5(&mut lab, p, pub5(None, "2", QosPid::AtMostOnce, alias(3)));
    let got: Vec<_> = lab.publishes_to(s).into_iter().map(|p| p.payload).collect();
    assert_eq!(got, ["1", "2"]);
    for bad in [4u16, 11] {
        // 4: never set; 11: above the Topic Alias Maximum (10).
        let p = open5(&mut lab, connect5("q", vec![]));
        lab.clear();
        let topic = (bad == 11).then_some("a/b");
        send5(
            &mut lab,
            p,
            pub5(topic, "x", QosPid::AtMostOnce, alias(bad)),
        );
        assert_eq!(
            disconnect_reason(&lab, p),
            Some(DisconnectReasonCode::TopicAliasInvalid),
            "alias {bad}"
        );
    }
    // Alias 0, which the decoder refuses (MQTT-3.3.2-8).
    let p = open5(&mut lab, connect5("r", vec![]));
    lab.clear();
    lab.send_bytes(p, &[0x30, 0x08, 0, 1, b't', 3, 0x23, 0, 0, b'x']);
    assert_eq!(
        disconnect_reason(&lab, p),
        Some(DisconnectReasonCode::TopicAliasInvalid)
    );
}

#[test]
fn a_client_exceeding_the_brokers_receive_maximum_gets_0x93() {
    let mut config = BrokerConfig::default();
    config.v5.receive_maximum = 2;
    let mut lab = Lab::new(config);
    let p = open5(&mut lab, connect5("p", vec![]));
    for i in 1..=2 {
        send5(
            &mut lab,
            p,
            pub5(Some("t"), "x", QosPid::ExactlyOnce(pid(i)), vec![]),
        );
    }
    assert!(lab.closed().is_empty());
    lab.clear();
    send5(
        &mut lab,
        p,
        pub5(Some("t"), "x", QosPid::ExactlyOnce(pid(3)), vec![]),
    );
    assert_eq!(
        disconnect_reason(&lab, p),
        Some(DisconnectReasonCode::ReceiveMaximumExceeded)
    );
}

#[test]
fn never_more_unacknowledged_than_the_clients_receive_maximum() {
    let mut lab = Lab::default();
    let s = open5(&mut lab, connect5("s", vec![ReceiveMaximum(1).into()]));
    sub5(&mut lab, s, 1, "t", QoS::AtLeastOnce);
    let p = lab.connect("p");
    lab.clear();
    for i in 1..=3 {
        lab.send(p, publish("t", &format!("m{i}"), 1, i, false));
    }
    assert_eq!(publishes5(&lab, s).len(), 1);
    for _ in 0..2 {
        let last = publishes5(&lab, s).last().unwrap().qospid.pid().unwrap();
        lab.clear();
        send5(
            &mut lab,
            s,
            P5::Puback(Ack {
                pid: last,
                reason: None,
                properties: None,
            }),
        );
        assert_eq!(publishes5(&lab, s).len(), 1);
    }
}

#[test]
fn nothing_larger_than_the_clients_maximum_packet_size_is_sent() {
    let mut lab = Lab::default();
    let s = open5(&mut lab, connect5("s", vec![MaximumPacketSize(32).into()]));
    sub5(&mut lab, s, 1, "t", QoS::AtLeastOnce);
    let p = lab.connect("p");
    lab.clear();
    lab.send(p, publish("t", &"x".repeat(40), 1, 1, false));
    lab.send(p, publish("t", "small", 1, 2, false));
    let got = publishes5(&lab, s);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].payload, "small");
    // The dropped one counts as delivered: it holds no place in the window.
    assert_eq!(lab.broker.session("s").unwrap().inflight.len(), 1);
}

#[test]
fn a_will_waits_its_delay_and_a_reconnection_cancels_it() {
    let will = |delay: u32| v5::Will {
        properties: vec![WillDelayInterval(delay).into()],
        topic: TopicName::new("w").unwrap(),
        payload: Bytes::from_static(b"gone"),
        qos: QoS::AtMostOnce,
        retain: false,
    };
    let mut lab = Lab::default();
    let watcher = lab.connect("watcher");
    lab.send(watcher, subscribe(1, &[("w", 0)]));
    let mut c = connect5("c", vec![expiry(100)]);
    c.will = Some(will(5));
    let conn = open5(&mut lab, c.clone());
    lab.drop_conn(conn);
    lab.clear();
    lab.advance(Duration::from_secs(3));
    assert!(lab.publishes_to(watcher).is_empty());
    open5(&mut lab, {
        let mut again = c.clone();
        again.will = None;
        again
    });
    lab.advance(Duration::from_secs(10));
    assert!(
        lab.publishes_to(watcher).is_empty(),
        "cancelled by reconnecting"
    );

    // Not cancelled: published after 5 s.
    let conn = open5(&mut lab, c.clone());
    lab.drop_conn(conn);
    lab.clear();
    lab.advance(Duration::from_millis(4900));
    assert!(lab.publishes_to(watcher).is_empty());
    lab.advance(Duration::from_millis(100));
    assert_eq!(lab.publishes_to(watcher).len(), 1);

    // The session ends first (2 s): the will goes then.
    let mut short = c;
    short.properties = vec![expiry(2)];
    let conn = open5(&mut lab, short);
    lab.drop_conn(conn);
    lab.clear();
    lab.advance(Duration::from_secs(2));
    assert_eq!(lab.publishes_to(watcher).len(), 1);
}

#[test]
fn the_brokers_own_disconnects_name_their_reason() {
    // Takeover: 0x8E to the old connection.
    let mut lab = Lab::default();
    let old = open5(&mut lab, connect5("c", vec![]));
    lab.clear();
    open5(&mut lab, connect5("c", vec![]));
    assert_eq!(
        disconnect_reason(&lab, old),
        Some(DisconnectReasonCode::SessionTakenOver)
    );

    // Keep alive: 0x8D at 1.5 x the Server Keep Alive, which CONNACK announces.
    let mut config = BrokerConfig::default();
    config.v5.server_keep_alive = Some(4);
    let mut lab = Lab::new(config);
    let c = open5(&mut lab, connect5("k", vec![]));
    let P5::Connack(ack) = &packets5(&lab, c)[0] else {
        panic!()
    };
    assert!(ack.properties.contains(&ServerKeepAlive(4).into()));
    lab.clear();
    lab.advance(Duration::from_millis(5999));
    assert!(lab.closed().is_empty());
    lab.advance(Duration::from_millis(1));
    assert_eq!(
        disconnect_reason(&lab, c),
        Some(DisconnectReasonCode::KeepAliveTimeout)
    );

    // Shutdown: 0x8B to 5.0 clients, nothing to 3.1.1 ones.
    let mut lab = Lab::default();
    let c5 = open5(&mut lab, connect5("five", vec![]));
    let c3 = lab.connect("three");
    lab.clear();
    lab.broker.handle_shutdown(lab.now);
    while let Some(o) = lab.broker.poll_output() {
        lab.out.push(o);
    }
    assert_eq!(
        disconnect_reason(&lab, c5),
        Some(DisconnectReasonCode::ServerShuttingDown)
    );
    assert!(lab.packets_to(c3).is_empty());
    assert_eq!(lab.closed().len(), 2);
}

#[test]
fn reason_strings_unless_problem_information_is_off() {
    use mqttlab_core::broker::{Access, Acl, AclRule, AclSubject};
    let config = BrokerConfig {
        acl: Some(Acl {
            rules: vec![AclRule {
                who: AclSubject::Anyone,
                filter: TopicFilter::new("open/#").unwrap(),
                access: Access::ReadWrite,
            }],
        }),
        ..BrokerConfig::default()
    };
    let mut lab = Lab::new(config);
    for (problem, want) in [(None, true), (Some(0u8), false)] {
        let props = problem.map_or(vec![], |v| vec![RequestProblemInformation(v).into()]);
        let p = open5(&mut lab, connect5("p", props));
        lab.clear();
        send5(
            &mut lab,
            p,
            pub5(Some("closed"), "x", QosPid::AtLeastOnce(pid(1)), vec![]),
        );
        let [P5::Puback(ack)] = &packets5(&lab, p)[..] else {
            panic!()
        };
        assert_eq!(ack.reason, Some(PubackReasonCode::NotAuthorized));
        let reason =
            ack.properties.iter().flatten().any(
                |p| matches!(p, Property::ReasonString(ReasonString(s)) if s == "Not authorized"),
            );
        assert_eq!(reason, want);
    }
}

#[test]
fn disconnect_with_will_message_publishes_the_will() {
    let mut lab = Lab::default();
    let watcher = lab.connect("watcher");
    lab.send(watcher, subscribe(1, &[("w", 0)]));
    let mut c = connect5("c", vec![]);
    c.will = Some(v5::Will {
        properties: vec![],
        topic: TopicName::new("w").unwrap(),
        payload: Bytes::from_static(b"bye"),
        qos: QoS::AtMostOnce,
        retain: false,
    });
    let conn = open5(&mut lab, c);
    lab.clear();
    send5(
        &mut lab,
        conn,
        P5::Disconnect(v5::Disconnect {
            reason: Some(DisconnectReasonCode::DisconnectWithWillMessage),
            properties: None,
        }),
    );
    assert_eq!(lab.publishes_to(watcher).len(), 1);
}

fn sub5_with(
    lab: &mut Lab,
    conn: ConnId,
    id: u16,
    props: Vec<Property>,
    subs: &[(&str, v5::SubscriptionOptions)],
) {
    send5(
        lab,
        conn,
        P5::Subscribe(v5::Subscribe {
            pid: pid(id),
            properties: props,
            topics: subs
                .iter()
                .map(|(f, o)| v5::Subscription {
                    filter: TopicFilter::new(*f).unwrap(),
                    options: *o,
                })
                .collect(),
        }),
    );
}

#[test]
fn no_local_retain_as_published_and_retain_handling() {
    use mqttlab_core::codec::v5::{RetainHandling, SubscriptionOptions};
    let mut lab = Lab::default();
    let c = open5(&mut lab, connect5("c", vec![]));
    let no_local = SubscriptionOptions {
        no_local: true,
        ..SubscriptionOptions::qos(QoS::AtMostOnce)
    };
    sub5_with(&mut lab, c, 1, vec![], &[("mine", no_local)]);
    lab.clear();
    send5(
        &mut lab,
        c,
        pub5(Some("mine"), "x", QosPid::AtMostOnce, vec![]),
    );
    assert!(
        publishes5(&lab, c).is_empty(),
        "No Local: not its own message"
    );

    // A retained message; RAP keeps RETAIN=1 on a live delivery.
    let rap = SubscriptionOptions {
        retain_as_published: true,
        ..SubscriptionOptions::qos(QoS::AtMostOnce)
    };
    sub5_with(&mut lab, c, 2, vec![], &[("kept", rap)]);
    let p = lab.connect("p");
    lab.clear();
    lab.send(p, publish("kept", "r", 0, 0, true));
    assert!(publishes5(&lab, c)[0].retain);

    // Retain Handling: 0 sends it, 1 only for a new subscription, 2 never.
    let rh = |h| SubscriptionOptions {
        retain_handling: h,
        ..SubscriptionOptions::qos(QoS::AtMostOnce)
    };
    let d = open5(&mut lab, connect5("d", vec![]));
    for (i, (h, want)) in [
        (RetainHandling::SendIfNew, 1),
        (RetainHandling::SendIfNew, 0),
        (RetainHandling::SendAtSubscribe, 1),
        (RetainHandling::DoNotSend, 0),
    ]
    .into_iter()
    .enumerate()
    {
        lab.clear();
        sub5_with(&mut lab, d, 10 + i as u16, vec![], &[("kept", rh(h))]);
        assert_eq!(publishes5(&lab, d).len(), want, "{h:?} (step {i})");
    }
}

#[test]
fn one_delivery_carries_every_matching_subscription_identifier() {
    use mqttlab_core::codec::properties::SubscriptionIdentifier;
    use mqttlab_core::codec::v5::SubscriptionOptions;
    let mut lab = Lab::default();
    let c = open5(&mut lab, connect5("c", vec![]));
    let q1 = SubscriptionOptions::qos(QoS::AtLeastOnce);
    sub5_with(
        &mut lab,
        c,
        1,
        vec![SubscriptionIdentifier(7).into()],
        &[("a/#", q1)],
    );
    sub5_with(
        &mut lab,
        c,
        2,
        vec![SubscriptionIdentifier(9).into()],
        &[("a/+", q1)],
    );
    let p = lab.connect("p");
    lab.clear();
    lab.send(p, publish("a/b", "x", 1, 1, false));
    let got = publishes5(&lab, c);
    assert_eq!(got.len(), 1);
    assert_eq!(
        got[0].properties,
        [
            SubscriptionIdentifier(7).into(),
            SubscriptionIdentifier(9).into()
        ]
    );
}

#[test]
fn a_shared_group_gets_each_message_once_and_a_leaving_member_loses_nothing() {
    let mut lab = Lab::default();
    let x = open5(&mut lab, connect5("x", vec![]));
    let y = lab.connect("y");
    sub5(&mut lab, x, 1, "$share/g/job/#", QoS::AtLeastOnce);
    lab.send(y, subscribe(1, &[("$share/g/job/#", 1)]));
    let p = lab.connect("p");
    lab.clear();
    for i in 1..=4 {
        lab.send(p, publish("job/1", &format!("j{i}"), 1, i, false));
    }
    let to_x: Vec<_> = publishes5(&lab, x).into_iter().map(|p| p.payload).collect();
    let to_y: Vec<_> = lab.publishes_to(y).into_iter().map(|p| p.payload).collect();
    assert_eq!(to_x, ["j1", "j3"]);
    assert_eq!(to_y, ["j2", "j4"]);
    // x leaves without acknowledging j1 and j3: y gets them.
    lab.clear();
    lab.drop_conn(x);
    let again: Vec<_> = lab.publishes_to(y).into_iter().map(|p| p.payload).collect();
    assert_eq!(again, ["j1", "j3"]);
}

/// A QoS 2 message whose PUBLISH went out to a member that then left is not
/// sent to another member (MQTT-4.8.2-5: the member may already have passed it
/// on, and QoS 2 must not deliver twice); one still queued for it is.
#[test]
fn a_shared_qos2_message_already_sent_stays_with_its_member() {
    let mut lab = Lab::default();
    let x = open5(&mut lab, connect5("x", vec![]));
    let y = lab.connect("y");
    sub5(&mut lab, x, 1, "$share/g/job/#", QoS::ExactlyOnce);
    lab.send(y, subscribe(1, &[("$share/g/job/#", 2)]));
    let p = lab.connect("p");
    lab.clear();
    for i in 1..=2 {
        lab.send(p, publish("job/1", &format!("j{i}"), 2, i, false));
        lab.send(p, Packet::Pubrel(pid(i)));
    }
    let to_x: Vec<_> = publishes5(&lab, x).into_iter().map(|p| p.payload).collect();
    assert_eq!(to_x, ["j1"]);
    // x leaves without a PUBREC for j1: y must not get it.
    lab.clear();
    lab.drop_conn(x);
    assert!(lab.publishes_to(y).is_empty(), "{:?}", lab.publishes_to(y));
}

/// A will's properties reach a 5.0 subscriber, but for the Will Delay Interval,
/// which a PUBLISH may not carry (paho-mqtt closed the connection on it).
#[test]
fn a_will_carries_its_message_properties_but_not_its_delay() {
    let mut lab = Lab::default();
    let watcher = open5(&mut lab, connect5("watcher", vec![]));
    sub5(&mut lab, watcher, 1, "w", QoS::AtMostOnce);
    let mut c = connect5("c", vec![expiry(10)]);
    c.will = Some(v5::Will {
        properties: vec![
            WillDelayInterval(1).into(),
            ContentType("text/plain".into()).into(),
        ],
        topic: TopicName::new("w").unwrap(),
        payload: Bytes::from_static(b"gone"),
        qos: QoS::AtMostOnce,
        retain: false,
    });
    let conn = open5(&mut lab, c);
    lab.drop_conn(conn);
    lab.clear();
    lab.advance(Duration::from_secs(1));
    let got = publishes5(&lab, watcher);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].properties, [ContentType("text/plain".into()).into()]);
}

/// Toward a client allowing 2 aliases: the first two topics get one each, sent
/// with the topic once and alone after; a third topic goes without. The log
/// names the topic either way.
#[test]
fn topic_aliases_toward_clients_that_allow_them() {
    use mqttlab_core::codec::properties::TopicAliasMaximum;
    let mut lab = Lab::default();
    let s = open5(&mut lab, connect5("s", vec![TopicAliasMaximum(2).into()]));
    sub5(&mut lab, s, 1, "#", QoS::AtMostOnce);
    let p = lab.connect("p");
    lab.clear();
    for t in ["a", "a", "b", "c", "b"] {
        lab.send(p, publish(t, "x", 0, 0, false));
    }
    let got: Vec<(Option<String>, Vec<Property>)> = publishes5(&lab, s)
        .into_iter()
        .map(|p| (p.topic.map(|t| t.as_str().to_owned()), p.properties))
        .collect();
    let alias = |n| vec![Property::from(TopicAlias(n))];
    assert_eq!(
        got,
        [
            (Some("a".into()), alias(1)),
            (None, alias(1)),
            (Some("b".into()), alias(2)),
            (Some("c".into()), vec![]),
            (None, alias(2)),
        ]
    );
    assert!(lab
        .log()
        .contains(&"Sending PUBLISH to s (d0, q0, r0, m0, 'b', ... (1 bytes))".to_owned()));
    // A client that allows none gets none.
    let n = open5(&mut lab, connect5("n", vec![]));
    sub5(&mut lab, n, 1, "#", QoS::AtMostOnce);
    lab.clear();
    lab.send(p, publish("a", "x", 0, 0, false));
    assert!(publishes5(&lab, n)[0].properties.is_empty());
}

#[test]
fn limits_the_broker_announces_are_enforced_with_their_reason_codes() {
    use mqttlab_core::broker::ServerReference;
    use mqttlab_core::codec::properties::{MaximumQos, RetainAvailable};
    let mut config = BrokerConfig {
        max_packet_size: 64,
        ..BrokerConfig::default()
    };
    config.v5.maximum_qos = QoS::AtLeastOnce;
    config.v5.retain_available = false;
    let mut lab = Lab::new(config);
    let c = open5(&mut lab, connect5("c", vec![]));
    let P5::Connack(ack) = &packets5(&lab, c)[0] else {
        panic!()
    };
    for p in [
        Property::from(MaximumPacketSize(64)),
        MaximumQos(1).into(),
        RetainAvailable(0).into(),
    ] {
        assert!(ack.properties.contains(&p), "{:?}", ack.properties);
    }
    // Subscriptions are granted at most the Maximum QoS.
    lab.clear();
    sub5(&mut lab, c, 1, "t", QoS::ExactlyOnce);
    assert!(
        matches!(&packets5(&lab, c)[0], P5::Suback(s) if s.reasons == [SubackReasonCode::GrantedQos1])
    );
    let cases: [(P5, DisconnectReasonCode); 3] = [
        (
            pub5(Some("t"), "x", QosPid::ExactlyOnce(pid(1)), vec![]),
            DisconnectReasonCode::QosNotSupported,
        ),
        (
            {
                let mut p = pub5(Some("t"), "x", QosPid::AtMostOnce, vec![]);
                if let P5::Publish(p) = &mut p {
                    p.retain = true;
                }
                p
            },
            DisconnectReasonCode::RetainNotSupported,
        ),
        (
            pub5(Some("t"), &"x".repeat(80), QosPid::AtMostOnce, vec![]),
            DisconnectReasonCode::PacketTooLarge,
        ),
    ];
    for (packet, want) in cases {
        let c = open5(&mut lab, connect5("c", vec![]));
        lab.clear();
        send5(&mut lab, c, packet);
        assert_eq!(disconnect_reason(&lab, c), Some(want));
        assert_eq!(lab.closed().len(), 1, "{want:?}");
    }
    // Malformed: a PUBLISH whose property length runs past the packet.
    let c = open5(&mut lab, connect5("c", vec![]));
    lab.clear();
    lab.send_bytes(c, &[0x30, 0x05, 0, 1, b't', 9, b'x']);
    assert_eq!(
        disconnect_reason(&lab, c),
        Some(DisconnectReasonCode::MalformedPacket)
    );

    // Server Reference: every 5.0 CONNECT is sent elsewhere; 3.1.1 is served.
    for moved in [false, true] {
        let mut config = BrokerConfig::default();
        config.v5.server_reference = Some(ServerReference {
            reference: "other:1883".into(),
            moved,
        });
        let mut lab = Lab::new(config);
        let c = open5(&mut lab, connect5("c", vec![]));
        let P5::Connack(ack) = &packets5(&lab, c)[0] else {
            panic!()
        };
        let want = if moved {
            ConnackReasonCode::ServerMoved
        } else {
            ConnackReasonCode::UseAnotherServer
        };
        assert_eq!(ack.reason, want);
        assert!(ack.properties.contains(
            &mqttlab_core::codec::properties::ServerReference("other:1883".into()).into()
        ));
        let c3 = lab.connect("three");
        assert!(matches!(
            &lab.packets_to(c3)[..],
            [Packet::Connack(a)] if a.code == mqttlab_core::codec::ConnectReturnCode::Accepted
        ));
    }
}

/// An acknowledgement whose Reason String would pass the client's Maximum
/// Packet Size goes without it: the acknowledgement itself is never dropped.
#[test]
fn a_reason_string_gives_way_to_the_clients_maximum_packet_size() {
    use mqttlab_core::broker::{Access, Acl, AclRule, AclSubject};
    let config = BrokerConfig {
        acl: Some(Acl {
            rules: vec![AclRule {
                who: AclSubject::Anyone,
                filter: TopicFilter::new("open/#").unwrap(),
                access: Access::ReadWrite,
            }],
        }),
        ..BrokerConfig::default()
    };
    let mut lab = Lab::new(config);
    let p = open5(&mut lab, connect5("p", vec![MaximumPacketSize(10).into()]));
    lab.clear();
    send5(
        &mut lab,
        p,
        pub5(Some("closed"), "x", QosPid::AtLeastOnce(pid(1)), vec![]),
    );
    assert_eq!(
        packets5(&lab, p),
        [P5::Puback(Ack {
            pid: pid(1),
            reason: Some(PubackReasonCode::NotAuthorized),
            properties: None
        })]
    );
}

/// What the broker state panel reads of 5.0: a session's expiry interval and,
/// while away, when it ends; a connection's level, Receive Maximum and topic
/// aliases both ways; shared groups with their members and whose turn is next.
#[test]
fn the_state_panel_reads_expiry_aliases_receive_maximum_and_shared_groups() {
    use mqttlab_core::codec::properties::TopicAliasMaximum;
    use mqttlab_core::codec::Protocol;
    let mut lab = Lab::default();
    let mut c = connect5(
        "s",
        vec![
            expiry(30),
            ReceiveMaximum(2).into(),
            TopicAliasMaximum(3).into(),
        ],
    );
    c.clean_start = false;
    let s = open5(&mut lab, c);
    sub5(&mut lab, s, 1, "$share/g/job/#", QoS::AtLeastOnce);
    let y = lab.connect("y");
    lab.send(y, subscribe(1, &[("$share/g/job/#", 1)]));
    // The client sets alias 1 for "job/in"; that message comes back to it
    // through the group (its turn first), with the broker's alias 1 for
    // "job/in" toward it; j1 goes to y.
    send5(
        &mut lab,
        s,
        pub5(
            Some("job/in"),
            "x",
            QosPid::AtMostOnce,
            vec![TopicAlias(1).into()],
        ),
    );
    let p = lab.connect("p");
    lab.send(p, publish("job/1", "j1", 1, 1, false));

    let conn = lab
        .broker
        .connections()
        .into_iter()
        .find(|i| i.conn == s)
        .unwrap();
    assert_eq!(conn.protocol, Some(Protocol::V5));
    assert_eq!(conn.receive_maximum, 2);
    assert_eq!(conn.topic_alias_maximum, 3);
    assert_eq!(conn.aliases_in, [(1, TopicName::new("job/in").unwrap())]);
    assert_eq!(conn.aliases_out, [(1, TopicName::new("job/in").unwrap())]);
    let y_info = lab
        .broker
        .connections()
        .into_iter()
        .find(|i| i.conn == y)
        .unwrap();
    assert_eq!(
        (y_info.protocol, y_info.receive_maximum),
        (Some(Protocol::V311), u16::MAX)
    );

    let groups = lab.broker.shared_groups();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].filter, "$share/g/job/#");
    assert_eq!(groups[0].members, ["s", "y"]);
    assert_eq!(groups[0].next.as_deref(), Some("s"), "s had job/in, y j1");

    let online = lab.broker.session("s").unwrap();
    assert_eq!((online.expiry_interval, online.expires_at), (30, None));
    let at = lab.now;
    lab.drop_conn(s);
    let away = lab.broker.session("s").unwrap();
    assert_eq!(away.expires_at, Some(at + Duration::from_secs(30)));
    // A 3.1.1 clean session: interval 0.
    assert_eq!(lab.broker.session("y").unwrap().expiry_interval, 0);
}
