//! Streams crafted to break one rule each, and a clean exchange that breaks
//! none.

use bytes::Bytes;

use super::*;
use crate::codec::properties::{
    MaximumPacketSize, Property, ReceiveMaximum, TopicAlias, TopicAliasMaximum,
};
use crate::codec::{
    convert, Connack, Connect, ConnectReturnCode, LastWill, Packet, Pid, Publish, QoS, QosPid,
    Suback, SubackReturnCode, Subscribe, SubscribeTopic, Unsubscribe,
};
use crate::topic::{TopicFilter, TopicName};

const S: u64 = 1_000_000_000;
const TO_S: Direction = Direction::ToServer;
const TO_C: Direction = Direction::ToClient;

fn pid(n: u16) -> Pid {
    Pid::new(n).unwrap()
}

fn connect(id: &str, clean: bool, keep_alive: u16, will: Option<LastWill>) -> Packet {
    Packet::Connect(Connect {
        protocol: Protocol::V311,
        clean_session: clean,
        keep_alive,
        client_id: id.into(),
        will,
        login: None,
    })
}

fn connack(sp: bool) -> Packet {
    Packet::Connack(Connack {
        session_present: sp,
        code: ConnectReturnCode::Accepted,
    })
}

fn publish(topic: &str, payload: &str, qospid: QosPid, retain: bool, dup: bool) -> Packet {
    Packet::Publish(Publish {
        dup,
        qospid,
        retain,
        topic: TopicName::new(topic).unwrap(),
        payload: Bytes::from(payload.to_string()),
    })
}

fn subscribe(n: u16, filters: &[(&str, QoS)]) -> Packet {
    Packet::Subscribe(Subscribe {
        pid: pid(n),
        topics: filters
            .iter()
            .map(|(f, q)| SubscribeTopic {
                filter: TopicFilter::new(*f).unwrap(),
                qos: *q,
            })
            .collect(),
    })
}

fn suback(n: u16, codes: &[QoS]) -> Packet {
    Packet::Suback(Suback {
        pid: pid(n),
        return_codes: codes
            .iter()
            .map(|q| SubackReturnCode::Success(*q))
            .collect(),
    })
}

/// A run: packets fed one per 10 ms unless a time is given.
struct Run {
    c: Checker,
    t: u64,
}

impl Run {
    fn new() -> Self {
        Run {
            c: Checker::new(),
            t: 0,
        }
    }
    fn at(&mut self, t: u64) -> &mut Self {
        self.t = t;
        self
    }
    fn send(&mut self, conn: usize, d: Direction, p: Packet) -> &mut Self {
        self.t += 10_000_000;
        self.c.packet(conn, d, self.t, None, &AnyPacket::V3(p));
        self
    }
    fn send5(&mut self, conn: usize, d: Direction, p: v5::Packet) -> &mut Self {
        self.t += 10_000_000;
        self.c.packet(conn, d, self.t, None, &AnyPacket::V5(p));
        self
    }
    fn close(&mut self, conn: usize, by: Direction) -> &mut Self {
        self.t += 10_000_000;
        self.c.closed(conn, by, self.t);
        self
    }
    /// Connects `conn` as `id` (clean) and, if `filter`, subscribes it at QoS 2.
    fn client(&mut self, conn: usize, id: &str, filter: Option<&str>) -> &mut Self {
        self.send(conn, TO_S, connect(id, true, 60, None))
            .send(conn, TO_C, connack(false));
        if let Some(f) = filter {
            self.send(conn, TO_S, subscribe(1, &[(f, QoS::ExactlyOnce)]))
                .send(conn, TO_C, suback(1, &[QoS::ExactlyOnce]));
        }
        self
    }
    fn report(self, end: u64) -> Report {
        self.c.finish(end)
    }
}

/// The MUST statements a report says were broken.
fn broken(r: &Report) -> Vec<Statement> {
    r.findings
        .iter()
        .filter(|f| f.severity == Severity::Must)
        .filter_map(|f| f.statement)
        .collect()
}

fn breaks_only(r: Report, s: Statement) {
    let b = broken(&r);
    assert!(b.contains(&s), "expected {s:?} broken, got {b:?}\n{r}");
    assert!(
        b.iter().all(|x| *x == s),
        "only {s:?} expected, got {b:?}\n{r}"
    );
}

#[test]
fn a_clean_exchange_breaks_nothing_and_covers_its_rules() {
    let mut r = Run::new();
    r.client(0, "sub", Some("a/#")).client(1, "pub", None);
    r.send(
        1,
        TO_S,
        publish("a/b", "1", QosPid::AtLeastOnce(pid(1)), false, false),
    )
    .send(1, TO_C, Packet::Puback(pid(1)));
    r.send(
        0,
        TO_C,
        publish("a/b", "1", QosPid::AtLeastOnce(pid(1)), false, false),
    )
    .send(0, TO_S, Packet::Puback(pid(1)));
    r.send(
        1,
        TO_S,
        publish("a/c", "2", QosPid::ExactlyOnce(pid(2)), true, false),
    )
    .send(1, TO_C, Packet::Pubrec(pid(2)));
    r.send(1, TO_S, Packet::Pubrel(pid(2)))
        .send(1, TO_C, Packet::Pubcomp(pid(2)));
    r.send(
        0,
        TO_C,
        publish("a/c", "2", QosPid::ExactlyOnce(pid(2)), false, false),
    )
    .send(0, TO_S, Packet::Pubrec(pid(2)));
    r.send(0, TO_C, Packet::Pubrel(pid(2)))
        .send(0, TO_S, Packet::Pubcomp(pid(2)));
    r.send(0, TO_S, Packet::Pingreq)
        .send(0, TO_C, Packet::Pingresp);
    r.at(5 * S).send(0, TO_S, Packet::Disconnect).close(0, TO_S);
    let t = r.t;
    let rep = r.report(t + 5 * S);
    assert_eq!(rep.findings, vec![], "{rep}");
    let held: Vec<Statement> = rep.coverage.held().collect();
    for s in [
        Statement::FirstPacketConnect,
        Statement::FirstPacketConnack,
        Statement::SessionPresentClean,
        Statement::PingrespForPingreq,
        Statement::AckMatchesPublish,
        Statement::PubrelAfterPubrec,
        Statement::PubcompAfterPubrel,
        Statement::PubackForQos1,
        Statement::PubrecForQos2,
        Statement::DeliveryQos,
        Statement::DeliveryMatchesFilter,
        Statement::RetainClearOnLive,
        Statement::EveryMatchingSubscriber,
        Statement::SubackOneCodePerFilter,
    ] {
        assert!(held.contains(&s), "{s:?} not held: {rep}");
    }
    assert!(rep
        .coverage
        .unexercised()
        .any(|s| s == Statement::WillOnUngracefulClose));
    assert!(!rep.must_broken());
}

#[test]
fn first_packet_not_connect() {
    let mut r = Run::new();
    r.send(0, TO_S, Packet::Pingreq);
    let rep = r.report(0);
    assert_eq!(rep.findings[0].id, "MQTT-3.1.0-1");
    breaks_only(rep, Statement::FirstPacketConnect);
}

#[test]
fn second_connect() {
    let mut r = Run::new();
    r.client(0, "a", None)
        .send(0, TO_S, connect("a", true, 60, None));
    let rep = r.report(0);
    assert_eq!(rep.findings[0].id, "MQTT-3.1.0-2");
    breaks_only(rep, Statement::OneConnect);
}

#[test]
fn first_server_packet_not_connack() {
    let mut r = Run::new();
    r.send(0, TO_S, connect("a", true, 60, None))
        .send(0, TO_C, Packet::Pingresp);
    breaks_only(r.report(0), Statement::FirstPacketConnack);
}

#[test]
fn session_present_on_a_clean_session() {
    let mut r = Run::new();
    r.send(0, TO_S, connect("a", true, 60, None))
        .send(0, TO_C, connack(true));
    let rep = r.report(0);
    assert_eq!(rep.findings[0].id, "MQTT-3.2.2-1");
    breaks_only(rep, Statement::SessionPresentClean);
}

#[test]
fn packet_after_disconnect() {
    let mut r = Run::new();
    r.client(0, "a", None)
        .send(0, TO_S, Packet::Disconnect)
        .send(0, TO_S, Packet::Pingreq);
    let rep = r.report(0);
    assert_eq!(rep.findings[0].id, "MQTT-3.14.4-2");
    breaks_only(rep, Statement::NothingAfterDisconnect);
}

#[test]
fn pingreq_never_answered() {
    let mut r = Run::new();
    r.client(0, "a", None).send(0, TO_S, Packet::Pingreq);
    let t = r.t;
    breaks_only(r.report(t + 2 * S), Statement::PingrespForPingreq);
}

#[test]
fn connection_kept_open_past_one_and_a_half_keep_alives() {
    let mut r = Run::new();
    r.send(0, TO_S, connect("a", true, 10, None))
        .send(0, TO_C, connack(false));
    r.at(30 * S).send(0, TO_C, Packet::Pingresp);
    let rep = r.report(0);
    assert_eq!(rep.findings[0].id, "MQTT-3.1.2-24");
    breaks_only(rep, Statement::KeepAliveClose);
    // Closing in time is fine: a 5.0 DISCONNECT 0x8D at 15 s.
    let mut r = Run::new();
    let v5::Packet::Connect(mut k) = connect5(vec![]) else {
        unreachable!()
    };
    k.keep_alive = 10;
    r.send5(0, TO_S, v5::Packet::Connect(k))
        .send5(0, TO_C, connack5(vec![]));
    r.at(15 * S).send5(
        0,
        TO_C,
        v5::Packet::Disconnect(v5::Disconnect {
            reason: crate::codec::reason_codes::DisconnectReasonCode::from_u8(0x8d),
            properties: None,
        }),
    );
    let rep = r.report(0);
    assert_eq!(broken(&rep), vec![]);
    // A 3.1.1 server has no DISCONNECT to send: it goes from the client only.
    let mut r = Run::new();
    r.send(0, TO_S, connect("a", true, 10, None))
        .send(0, TO_C, connack(false));
    r.at(15 * S).send(0, TO_C, Packet::Disconnect);
    breaks_only(r.report(0), Statement::PacketDirection);
}

#[test]
fn packet_identifier_in_use() {
    let mut r = Run::new();
    r.client(0, "a", None);
    r.send(
        0,
        TO_S,
        publish("t", "1", QosPid::AtLeastOnce(pid(5)), false, false),
    );
    r.send(
        0,
        TO_S,
        publish("t", "2", QosPid::AtLeastOnce(pid(5)), false, false),
    );
    let rep = r.report(0);
    assert_eq!(rep.findings[0].id, "MQTT-2.3.1-2");
    breaks_only(rep, Statement::PacketIdUnused);
}

#[test]
fn resend_without_dup() {
    let mut r = Run::new();
    r.client(0, "a", None);
    r.send(
        0,
        TO_S,
        publish("t", "1", QosPid::AtLeastOnce(pid(5)), false, false),
    );
    r.send(
        0,
        TO_S,
        publish("t", "1", QosPid::AtLeastOnce(pid(5)), false, false),
    );
    let rep = r.report(0);
    assert_eq!(rep.findings[0].id, "MQTT-3.3.1-1");
    breaks_only(rep, Statement::DupOnResend);
}

#[test]
fn puback_for_nothing_in_flight() {
    let mut r = Run::new();
    r.client(0, "a", None).send(0, TO_C, Packet::Puback(pid(9)));
    let rep = r.report(0);
    assert_eq!(rep.findings[0].id, "MQTT-2.3.1-6");
    breaks_only(rep, Statement::AckMatchesPublish);
}

#[test]
fn puback_for_a_qos2_publish() {
    let mut r = Run::new();
    r.client(0, "a", None);
    r.send(
        0,
        TO_S,
        publish("t", "1", QosPid::ExactlyOnce(pid(3)), false, false),
    )
    .send(0, TO_C, Packet::Puback(pid(3)));
    breaks_only(r.report(0), Statement::PubrecForQos2);
}

#[test]
fn pubcomp_before_pubrel() {
    let mut r = Run::new();
    r.client(0, "a", None);
    r.send(
        0,
        TO_S,
        publish("t", "1", QosPid::ExactlyOnce(pid(3)), false, false),
    )
    .send(0, TO_C, Packet::Pubrec(pid(3)));
    r.send(0, TO_C, Packet::Pubcomp(pid(3)));
    breaks_only(r.report(0), Statement::PubcompAfterPubrel);
}

#[test]
fn suback_with_another_identifier() {
    let mut r = Run::new();
    r.client(0, "a", None);
    r.send(0, TO_S, subscribe(4, &[("t", QoS::AtMostOnce)]))
        .send(0, TO_C, suback(5, &[QoS::AtMostOnce]));
    let rep = r.report(0);
    assert_eq!(rep.findings[0].id, "MQTT-2.3.1-7");
    breaks_only(rep, Statement::SubackMatchesSubscribe);
}

#[test]
fn suback_with_too_few_codes() {
    let mut r = Run::new();
    r.client(0, "a", None);
    r.send(
        0,
        TO_S,
        subscribe(4, &[("t", QoS::AtMostOnce), ("u", QoS::AtMostOnce)]),
    )
    .send(0, TO_C, suback(4, &[QoS::AtMostOnce]));
    let rep = r.report(0);
    assert_eq!(rep.findings[0].id, "MQTT-3.8.4-5");
    breaks_only(rep, Statement::SubackOneCodePerFilter);
}

#[test]
fn suback_grants_more_than_asked() {
    let mut r = Run::new();
    r.client(0, "a", None);
    r.send(0, TO_S, subscribe(4, &[("t", QoS::AtMostOnce)]))
        .send(0, TO_C, suback(4, &[QoS::AtLeastOnce]));
    breaks_only(r.report(0), Statement::GrantedNoHigher);
}

#[test]
fn delivery_above_granted_qos() {
    let mut r = Run::new();
    r.client(0, "s", None).client(1, "p", None);
    r.send(0, TO_S, subscribe(1, &[("t", QoS::AtMostOnce)]))
        .send(0, TO_C, suback(1, &[QoS::AtMostOnce]));
    r.send(
        1,
        TO_S,
        publish("t", "x", QosPid::AtLeastOnce(pid(1)), false, false),
    )
    .send(1, TO_C, Packet::Puback(pid(1)));
    r.send(
        0,
        TO_C,
        publish("t", "x", QosPid::AtLeastOnce(pid(1)), false, false),
    )
    .send(0, TO_S, Packet::Puback(pid(1)));
    let rep = r.report(0);
    assert_eq!(rep.findings[0].id, "MQTT-3.8.4-6");
    breaks_only(rep, Statement::DeliveryQos);
}

#[test]
fn delivery_to_a_client_not_subscribed() {
    let mut r = Run::new();
    r.client(0, "s", Some("a/+")).client(1, "p", None);
    r.send(
        1,
        TO_S,
        publish("b/c", "x", QosPid::AtMostOnce, false, false),
    );
    r.send(
        0,
        TO_C,
        publish("b/c", "x", QosPid::AtMostOnce, false, false),
    );
    let rep = r.report(0);
    assert_eq!(rep.findings[0].id, "MQTT-3.3.2-3");
    breaks_only(rep, Statement::DeliveryMatchesFilter);
}

#[test]
fn a_matching_subscriber_left_out() {
    let mut r = Run::new();
    r.client(0, "s1", Some("a/#"))
        .client(1, "s2", Some("a/b"))
        .client(2, "p", None);
    r.send(
        2,
        TO_S,
        publish("a/b", "x", QosPid::AtLeastOnce(pid(1)), false, false),
    );
    r.send(2, TO_C, Packet::Puback(pid(1)));
    r.send(
        0,
        TO_C,
        publish("a/b", "x", QosPid::AtLeastOnce(pid(1)), false, false),
    );
    r.send(0, TO_S, Packet::Puback(pid(1)));
    // A QoS 0 message a broker may drop for a client that does not read: not judged.
    r.send(
        2,
        TO_S,
        publish("a/b", "y", QosPid::AtMostOnce, false, false),
    );
    r.send(
        0,
        TO_C,
        publish("a/b", "y", QosPid::AtMostOnce, false, false),
    );
    r.send(0, TO_S, Packet::Pingreq)
        .send(0, TO_C, Packet::Pingresp);
    r.send(1, TO_S, Packet::Pingreq)
        .send(1, TO_C, Packet::Pingresp);
    // Not yet judged: s2 may still have "x" waiting in the broker's queue.
    assert_eq!(broken(&r.c.clone().finish(r.t + 2 * S)), vec![]);
    // A later QoS 1 message reaches s2: the broker passed "x" by.
    r.send(
        2,
        TO_S,
        publish("a/b", "z", QosPid::AtLeastOnce(pid(2)), false, false),
    )
    .send(2, TO_C, Packet::Puback(pid(2)));
    for c in [0, 1] {
        r.send(
            c,
            TO_C,
            publish("a/b", "z", QosPid::AtLeastOnce(pid(2)), false, false),
        )
        .send(c, TO_S, Packet::Puback(pid(2)));
    }
    let t = r.t;
    let rep = r.report(t + 2 * S);
    assert_eq!(rep.findings[0].id, "MQTT-4.5.0-1");
    breaks_only(rep, Statement::EveryMatchingSubscriber);
}

#[test]
fn retained_message_for_a_new_subscription_without_retain() {
    let mut r = Run::new();
    r.client(1, "p", None);
    r.send(
        1,
        TO_S,
        publish("t", "kept", QosPid::AtMostOnce, true, false),
    );
    // Not judged when the SUBSCRIBE came at about the time of the PUBLISH:
    // the server may have handled it first (the copy is then a live one).
    let mut near = Run::new();
    near.client(1, "p", None)
        .send(
            1,
            TO_S,
            publish("t", "kept", QosPid::AtMostOnce, true, false),
        )
        .client(0, "s", Some("t"))
        .send(
            0,
            TO_C,
            publish("t", "kept", QosPid::AtMostOnce, false, false),
        );
    assert_eq!(broken(&near.report(0)), vec![]);
    // A second later the server had it: its copy for the new subscription is
    // the retained message and needs RETAIN 1 (swarm seeds 301, 538, 701 were
    // the near case).
    r.at(2 * S).client(0, "s", Some("t"));
    r.send(
        0,
        TO_C,
        publish("t", "kept", QosPid::AtMostOnce, false, false),
    );
    let rep = r.report(0);
    assert_eq!(rep.findings[0].id, "MQTT-3.3.1-8");
    breaks_only(rep, Statement::RetainOnRetained);
}

#[test]
fn live_delivery_with_retain_set() {
    let mut r = Run::new();
    r.client(0, "s", Some("t")).client(1, "p", None);
    r.send(
        1,
        TO_S,
        publish("t", "now", QosPid::AtMostOnce, true, false),
    );
    r.send(
        0,
        TO_C,
        publish("t", "now", QosPid::AtMostOnce, true, false),
    );
    let rep = r.report(0);
    assert_eq!(rep.findings[0].id, "MQTT-3.3.1-9");
    breaks_only(rep, Statement::RetainClearOnLive);
}

#[test]
fn messages_out_of_order() {
    let mut r = Run::new();
    r.client(0, "s", Some("t")).client(1, "p", None);
    r.send(1, TO_S, publish("t", "1", QosPid::AtMostOnce, false, false));
    r.send(1, TO_S, publish("t", "2", QosPid::AtMostOnce, false, false));
    r.send(0, TO_C, publish("t", "2", QosPid::AtMostOnce, false, false));
    r.send(0, TO_C, publish("t", "1", QosPid::AtMostOnce, false, false));
    let rep = r.report(0);
    assert_eq!(rep.findings[0].id, "MQTT-4.6.0-6");
    breaks_only(rep, Statement::OrderedTopic);
}

fn will() -> Option<LastWill> {
    Some(LastWill {
        topic: TopicName::new("w").unwrap(),
        message: Bytes::from_static(b"gone"),
        qos: QoS::AtMostOnce,
        retain: false,
    })
}

#[test]
fn will_not_published_on_a_cut_connection() {
    let mut r = Run::new();
    r.client(0, "s", Some("w"));
    r.send(1, TO_S, connect("p", true, 60, will()))
        .send(1, TO_C, connack(false))
        .close(1, TO_S);
    r.send(0, TO_S, Packet::Pingreq)
        .send(0, TO_C, Packet::Pingresp);
    // A later QoS 1 message on the will's topic reaches the subscriber.
    r.client(2, "q", None)
        .send(
            2,
            TO_S,
            publish("w", "back", QosPid::AtLeastOnce(pid(1)), false, false),
        )
        .send(2, TO_C, Packet::Puback(pid(1)))
        .send(
            0,
            TO_C,
            publish("w", "back", QosPid::AtLeastOnce(pid(5)), false, false),
        )
        .send(0, TO_S, Packet::Puback(pid(5)));
    let t = r.t;
    let rep = r.report(t + 3 * S);
    assert_eq!(rep.findings[0].id, "MQTT-3.1.2-8");
    breaks_only(rep, Statement::WillOnUngracefulClose);
    // Published: held.
    let mut r = Run::new();
    r.client(0, "s", Some("w"));
    r.send(1, TO_S, connect("p", true, 60, will()))
        .send(1, TO_C, connack(false))
        .close(1, TO_S);
    r.send(
        0,
        TO_C,
        publish("w", "gone", QosPid::AtMostOnce, false, false),
    );
    r.send(0, TO_S, Packet::Pingreq)
        .send(0, TO_C, Packet::Pingresp);
    let t = r.t;
    let rep = r.report(t + 3 * S);
    assert_eq!(broken(&rep), vec![]);
    assert!(rep
        .coverage
        .held()
        .any(|s| s == Statement::WillOnUngracefulClose));
}

#[test]
fn will_published_after_disconnect() {
    let mut r = Run::new();
    r.client(0, "s", Some("w"));
    r.send(1, TO_S, connect("p", true, 60, will()))
        .send(1, TO_C, connack(false));
    r.send(1, TO_S, Packet::Disconnect).close(1, TO_S);
    r.send(
        0,
        TO_C,
        publish("w", "gone", QosPid::AtMostOnce, false, false),
    );
    let rep = r.report(0);
    assert_eq!(rep.findings[0].id, "MQTT-3.14.4-3");
    // The will is also a delivery from nowhere: only the will statement names it.
    breaks_only(rep, Statement::NoWillAfterDisconnect);
}

fn connect5(props: Vec<Property>) -> v5::Packet {
    let v5::Packet::Connect(mut c) = convert::to_v5(connect("c5", true, 60, None)) else {
        unreachable!()
    };
    c.properties = props;
    v5::Packet::Connect(c)
}

fn connack5(props: Vec<Property>) -> v5::Packet {
    let v5::Packet::Connack(mut c) = convert::to_v5(connack(false)) else {
        unreachable!()
    };
    c.properties = props;
    v5::Packet::Connack(c)
}

fn publish5(p: Packet, props: Vec<Property>) -> v5::Packet {
    let v5::Packet::Publish(mut m) = convert::to_v5(p) else {
        unreachable!()
    };
    m.properties = props;
    v5::Packet::Publish(m)
}

#[test]
fn client_above_receive_maximum() {
    let mut r = Run::new();
    r.send5(0, TO_S, connect5(vec![])).send5(
        0,
        TO_C,
        connack5(vec![Property::ReceiveMaximum(ReceiveMaximum(1))]),
    );
    r.send5(
        0,
        TO_S,
        publish5(
            publish("t", "1", QosPid::AtLeastOnce(pid(1)), false, false),
            vec![],
        ),
    );
    r.send5(
        0,
        TO_S,
        publish5(
            publish("t", "2", QosPid::AtLeastOnce(pid(2)), false, false),
            vec![],
        ),
    );
    let rep = r.report(0);
    assert_eq!(rep.findings[0].id, "MQTT-3.3.4-7");
    assert_eq!(rep.findings[0].protocol, Protocol::V5);
    breaks_only(rep, Statement::ClientReceiveMaximum);
}

#[test]
fn server_topic_alias_above_the_clients_maximum() {
    let mut r = Run::new();
    r.send5(
        0,
        TO_S,
        connect5(vec![Property::TopicAliasMaximum(TopicAliasMaximum(2))]),
    )
    .send5(0, TO_C, connack5(vec![]));
    let v5::Packet::Subscribe(s) = convert::to_v5(subscribe(1, &[("t", QoS::AtMostOnce)])) else {
        unreachable!()
    };
    r.send5(0, TO_S, v5::Packet::Subscribe(s));
    r.send5(0, TO_C, convert::to_v5(suback(1, &[QoS::AtMostOnce])));
    r.send5(
        0,
        TO_C,
        publish5(
            publish("t", "1", QosPid::AtMostOnce, false, false),
            vec![Property::TopicAlias(TopicAlias(3))],
        ),
    );
    let rep = r.report(0);
    assert_eq!(rep.findings[0].id, "MQTT-3.3.2-11");
    breaks_only(rep, Statement::ServerTopicAliasMaximum);
}

#[test]
fn server_packet_above_the_clients_maximum_packet_size() {
    let mut r = Run::new();
    r.send5(
        0,
        TO_S,
        connect5(vec![Property::MaximumPacketSize(MaximumPacketSize(20))]),
    )
    .send5(0, TO_C, connack5(vec![]));
    let v5::Packet::Subscribe(s) = convert::to_v5(subscribe(1, &[("t", QoS::AtMostOnce)])) else {
        unreachable!()
    };
    r.send5(0, TO_S, v5::Packet::Subscribe(s)).send5(
        0,
        TO_C,
        convert::to_v5(suback(1, &[QoS::AtMostOnce])),
    );
    r.send5(
        0,
        TO_C,
        publish5(
            publish(
                "t",
                "a payload far longer than twenty bytes",
                QosPid::AtMostOnce,
                false,
                false,
            ),
            vec![],
        ),
    );
    let rep = r.report(0);
    assert_eq!(rep.findings[0].id, "MQTT-3.1.2-24");
    breaks_only(rep, Statement::ServerMaximumPacketSize);
}

#[test]
fn a_malformed_packet_names_the_codecs_rule() {
    // SUBSCRIBE with flags 0000 instead of 0010.
    let e =
        crate::codec::decode(&[0x80, 0x06, 0x00, 0x01, 0x00, 0x01, b't', 0x00], 1024).unwrap_err();
    let mut c = Checker::new();
    c.malformed(0, TO_S, 0, Some(7), &e, Protocol::V311);
    let rep = c.finish(0);
    assert_eq!(rep.findings[0].id, "MQTT-2.2.2-2");
    assert_eq!(rep.findings[0].statement, None);
    assert_eq!(rep.findings[0].packets[0].frame, Some(7));
    assert!(rep.must_broken());
    let mut c = Checker::new();
    c.malformed(0, TO_S, 0, None, &e, Protocol::V5);
    assert_eq!(c.finish(0).findings[0].id, "MQTT-2.1.3-1");
}

#[test]
fn a_resumed_session_carries_its_exchanges() {
    // A QoS 1 PUBLISH left open on one connection is acknowledged on the next.
    let mut r = Run::new();
    r.send(0, TO_S, connect("a", false, 60, None))
        .send(0, TO_C, connack(false));
    r.send(0, TO_S, subscribe(1, &[("t", QoS::AtLeastOnce)]))
        .send(0, TO_C, suback(1, &[QoS::AtLeastOnce]));
    r.send(
        0,
        TO_C,
        publish("t", "1", QosPid::AtLeastOnce(pid(7)), false, false),
    )
    .close(0, TO_S);
    r.send(1, TO_S, connect("a", false, 60, None))
        .send(1, TO_C, connack(true));
    r.send(
        1,
        TO_C,
        publish("t", "1", QosPid::AtLeastOnce(pid(7)), false, true),
    )
    .send(1, TO_S, Packet::Puback(pid(7)));
    let rep = r.report(0);
    assert_eq!(broken(&rep), vec![], "{rep}");
    assert_eq!(
        rep.findings
            .iter()
            .filter(|f| f.severity == Severity::Note)
            .count(),
        1
    );
}

#[test]
fn every_statement_has_ids_at_both_levels() {
    for s in Statement::ALL {
        for p in [Protocol::V311, Protocol::V5] {
            let id = s.id(p);
            assert!(id.starts_with("MQTT-") || id.starts_with('§'), "{s:?} {id}");
            assert!(s.section(p).starts_with('§'));
        }
    }
    let _ = Unsubscribe {
        pid: pid(1),
        filters: vec![],
    };
}

#[test]
fn a_will_sent_just_before_the_close_is_seen() {
    let mut r = Run::new();
    r.client(0, "s", Some("w"));
    r.send(1, TO_S, connect("p", true, 60, will()))
        .send(1, TO_C, connack(false));
    r.send(
        0,
        TO_C,
        publish("w", "gone", QosPid::AtMostOnce, false, false),
    );
    let t = r.t;
    r.c.closed(1, TO_C, t);
    r.send(0, TO_S, Packet::Pingreq)
        .send(0, TO_C, Packet::Pingresp);
    let t = r.t;
    let rep = r.report(t + 3 * S);
    assert_eq!(broken(&rep), vec![], "{rep}");
    assert!(rep
        .coverage
        .held()
        .any(|s| s == Statement::WillOnUngracefulClose));
}

/// Each number sits in the section that states it (`MQTT-3.2.2-4` in
/// §3.2.2.x; a `.0` subsection is the section itself), and the numbers that
/// were checked against the OASIS texts of 3.1.1 and 5.0 stay as checked.
#[test]
fn statement_numbers_are_the_standards() {
    for s in Statement::ALL {
        for p in [Protocol::V311, Protocol::V5] {
            let (id, sec) = (s.id(p), s.section(p));
            let Some(num) = id.strip_prefix("MQTT-") else {
                assert_eq!(
                    id, sec,
                    "{s:?}: an unnumbered statement is named by its section"
                );
                continue;
            };
            let (x, _) = num.rsplit_once('-').expect("MQTT-x.y.z-n");
            let x = x.strip_suffix(".0").unwrap_or(x);
            let sec = sec.trim_start_matches('§');
            assert!(
                sec == x || sec.starts_with(&format!("{x}.")),
                "{s:?} at {p:?}: {id} is not in §{sec}"
            );
        }
    }
    use Statement as S;
    let v3 = Protocol::V311;
    let v5 = Protocol::V5;
    for (s, p, id) in [
        // SUBACK's codes and the delivery QoS swap numbers between the levels.
        (S::SubackOneCodePerFilter, v3, "MQTT-3.8.4-5"),
        (S::SubackOneCodePerFilter, v5, "MQTT-3.8.4-6"),
        (S::DeliveryQos, v3, "MQTT-3.8.4-6"),
        (S::DeliveryQos, v5, "MQTT-3.8.4-8"),
        // 5.0 splits 3.1.1's one sender rule (4.3.3-1) and one receiver rule (4.3.3-2).
        (S::PubrelAfterPubrec, v3, "MQTT-4.3.3-1"),
        (S::PubrelAfterPubrec, v5, "MQTT-4.3.3-3"),
        (S::PubcompAfterPubrel, v3, "MQTT-4.3.3-2"),
        (S::PubcompAfterPubrel, v5, "MQTT-4.3.3-11"),
        (S::PubrecForQos2, v3, "MQTT-4.3.3-2"),
        (S::PubrecForQos2, v5, "MQTT-4.3.3-8"),
        (S::PubackForQos1, v3, "MQTT-4.3.2-2"),
        (S::PubackForQos1, v5, "MQTT-4.3.2-4"),
        // 3.1.1's 4.6.0-6 is 5.0's 4.6.0-5 (5.0's 4.6.0-6 makes every topic ordered).
        (S::OrderedTopic, v3, "MQTT-4.6.0-6"),
        (S::OrderedTopic, v5, "MQTT-4.6.0-5"),
        (S::PacketIdUnused, v3, "MQTT-2.3.1-2"),
        (S::PacketIdUnused, v5, "MQTT-2.2.1-3"),
        (S::ServerPacketIdUnused, v3, "MQTT-2.3.1-4"),
        (S::ServerPacketIdUnused, v5, "MQTT-2.2.1-4"),
        (S::AckMatchesPublish, v5, "MQTT-2.2.1-5"),
        (S::SubackMatchesSubscribe, v5, "MQTT-2.2.1-6"),
        (S::EveryMatchingSubscriber, v3, "MQTT-4.5.0-1"),
        (S::KeepAliveClose, v3, "MQTT-3.1.2-24"),
        (S::KeepAliveClose, v5, "MQTT-3.1.2-22"),
        (S::NothingAfterDisconnect, v3, "MQTT-3.14.4-2"),
        (S::NothingAfterDisconnect, v5, "MQTT-3.14.4-1"),
        (S::NoWillAfterDisconnect, v3, "MQTT-3.14.4-3"),
        (S::SessionPresentClean, v5, "MQTT-3.2.2-2"),
        (S::CloseAfterRefusal, v5, "MQTT-3.2.2-7"),
        (S::RetainClearOnLive, v5, "MQTT-3.3.1-12"),
        (S::ClientReceiveMaximum, v5, "MQTT-3.3.4-7"),
        (S::ServerReceiveMaximum, v5, "MQTT-3.3.4-9"),
        (S::ClientTopicAliasMaximum, v5, "MQTT-3.3.2-9"),
        (S::ServerTopicAliasMaximum, v5, "MQTT-3.3.2-11"),
        (S::ServerMaximumPacketSize, v5, "MQTT-3.1.2-24"),
        (S::ClientMaximumPacketSize, v5, "MQTT-3.2.2-15"),
        (S::UnsubackForUnsubscribe, v5, "MQTT-3.10.4-4"),
        // 5.0 only, checked against the OASIS text of §3.3.2.3.3-4, §4.1,
        // §4.8.2 and §3.1.3.2.2.
        (S::ExpiredNotDelivered, v5, "MQTT-3.3.2-5"),
        (S::ExpiryReduced, v5, "MQTT-3.3.2-6"),
        (S::AliasNotCarriedForward, v5, "MQTT-3.3.2-7"),
        (S::AliasNotZero, v5, "MQTT-3.3.2-8"),
        (S::ServerAcceptsAliases, v5, "MQTT-3.3.2-12"),
        (S::SessionExpired, v5, "MQTT-4.1.0-2"),
        (S::ShareNameSyntax, v5, "MQTT-4.8.2-2"),
        (S::SharedGrantedQos, v5, "MQTT-4.8.2-3"),
        (S::WillDelayCancelled, v5, "MQTT-3.1.3-9"),
    ] {
        assert_eq!(s.id(p), id, "{s:?} at {p:?}");
        assert!(Statement::with_id(id).contains(&(s, p)));
    }
    // One number, two statements: the level decides.
    assert_eq!(Statement::with_id("MQTT-3.8.4-6").len(), 2);
}

/// Swarm seeds 209 and 256: a client with a persistent session reconnects
/// while its old connection is still open; the broker publishes the old
/// connection's will (the same words as a will it published earlier) just
/// before it closes that connection. MQTT-3.1.2-8 held: the delivery is the
/// new will's, not a second copy of the old one. (mosquitto 2.0.11 instead
/// discards the will on such a takeover unless a clean session is involved,
/// handle_connect.c; the standard publishes it.)
#[test]
fn a_will_published_at_a_takeover_with_the_words_of_an_earlier_one_holds() {
    let mut r = Run::new();
    r.client(0, "s", Some("w"));
    let w = || {
        Some(LastWill {
            topic: TopicName::new("w").unwrap(),
            message: Bytes::from_static(b"gone"),
            qos: QoS::AtLeastOnce,
            retain: false,
        })
    };
    // The first connection is cut: its will goes out.
    r.send(1, TO_S, connect("p", false, 60, w()))
        .send(1, TO_C, connack(false))
        .close(1, TO_S);
    r.send(
        0,
        TO_C,
        publish("w", "gone", QosPid::AtLeastOnce(pid(1)), false, false),
    )
    .send(0, TO_S, Packet::Puback(pid(1)));
    // Two connections of "p" race; the later takes the session over.
    r.send(2, TO_S, connect("p", false, 60, w()))
        .send(2, TO_C, connack(true))
        .send(3, TO_S, connect("p", false, 60, w()));
    r.send(
        0,
        TO_C,
        publish("w", "gone", QosPid::AtLeastOnce(pid(2)), false, false),
    )
    .close(2, TO_C)
    .send(3, TO_C, connack(true))
    .send(0, TO_S, Packet::Puback(pid(2)));
    // A later message reaches the subscriber.
    r.send(
        3,
        TO_S,
        publish("w", "back", QosPid::AtLeastOnce(pid(1)), false, false),
    )
    .send(3, TO_C, Packet::Puback(pid(1)))
    .send(
        0,
        TO_C,
        publish("w", "back", QosPid::AtLeastOnce(pid(3)), false, false),
    )
    .send(0, TO_S, Packet::Puback(pid(3)));
    let t = r.t;
    let rep = r.report(t + 2 * S);
    assert_eq!(broken(&rep), vec![], "{rep}");
    assert_eq!(
        rep.coverage.tally[&Statement::WillOnUngracefulClose],
        Tally { held: 2, broken: 0 }
    );
}

/// Swarm seed 1167: a resumed session's next connection gets the message
/// left in flight sent again (DUP), then a message with the same words
/// published anew. The resend carries the first message there, so the
/// second delivery is the second message's: no one was left out.
#[test]
fn a_resend_on_a_resumed_session_carries_its_own_message() {
    let mut r = Run::new();
    r.send(0, TO_S, connect("a", false, 60, None))
        .send(0, TO_C, connack(false))
        .send(0, TO_S, subscribe(1, &[("t", QoS::AtLeastOnce)]))
        .send(0, TO_C, suback(1, &[QoS::AtLeastOnce]));
    r.client(1, "p", None);
    let q1 = |n| QosPid::AtLeastOnce(pid(n));
    r.send(1, TO_S, publish("t", "x", q1(1), false, false))
        .send(1, TO_C, Packet::Puback(pid(1)))
        .send(0, TO_C, publish("t", "x", q1(6), false, false))
        .close(0, TO_S);
    r.send(2, TO_S, connect("a", false, 60, None))
        .send(2, TO_C, connack(true))
        .send(2, TO_C, publish("t", "x", q1(6), false, true))
        .send(2, TO_S, Packet::Puback(pid(6)));
    // The publisher sends "x" again: a new publication (MQTT-4.3.2), routed again.
    r.send(1, TO_S, publish("t", "x", q1(2), false, true))
        .send(1, TO_C, Packet::Puback(pid(2)))
        .send(2, TO_C, publish("t", "x", q1(7), false, false))
        .send(2, TO_S, Packet::Puback(pid(7)));
    r.send(1, TO_S, publish("t", "z", q1(3), false, false))
        .send(1, TO_C, Packet::Puback(pid(3)))
        .send(2, TO_C, publish("t", "z", q1(8), false, false))
        .send(2, TO_S, Packet::Puback(pid(8)));
    let t = r.t;
    let rep = r.report(t + 2 * S);
    assert_eq!(broken(&rep), vec![], "{rep}");
    let held = rep.coverage.tally[&Statement::EveryMatchingSubscriber].held;
    assert_eq!(held, 2, "{rep}");
}

/// Swarm seed 1636: a QoS 2 message whose subscriber left between its
/// PUBLISH and its PUBREL. mosquitto routes a QoS 2 message on PUBREL (the
/// standard allows that), so the subscriber was not there to get it, though
/// it got a QoS 1 message that arrived after the PUBLISH. Judged when the
/// subscriber stays: a QoS 1 message routed after the PUBREL passes it by.
#[test]
fn a_qos2_message_is_routed_by_its_pubrel() {
    let run = |stays: bool| {
        let mut r = Run::new();
        r.client(0, "s", Some("t"))
            .client(1, "p", None)
            .client(2, "s2", Some("t"));
        r.send(
            1,
            TO_S,
            publish("t", "x", QosPid::ExactlyOnce(pid(1)), false, false),
        )
        .send(1, TO_C, Packet::Pubrec(pid(1)))
        .send(
            1,
            TO_S,
            publish("t", "y", QosPid::AtLeastOnce(pid(2)), false, false),
        )
        .send(1, TO_C, Packet::Puback(pid(2)))
        .send(
            0,
            TO_C,
            publish("t", "y", QosPid::AtLeastOnce(pid(1)), false, false),
        )
        .send(0, TO_S, Packet::Puback(pid(1)));
        if !stays {
            r.close(0, TO_C);
        }
        // Routed now: "s2" gets it (and "y" before it).
        r.send(1, TO_S, Packet::Pubrel(pid(1)))
            .send(1, TO_C, Packet::Pubcomp(pid(1)))
            .send(
                2,
                TO_C,
                publish("t", "y", QosPid::AtLeastOnce(pid(1)), false, false),
            )
            .send(2, TO_S, Packet::Puback(pid(1)))
            .send(
                2,
                TO_C,
                publish("t", "x", QosPid::ExactlyOnce(pid(2)), false, false),
            )
            .send(2, TO_S, Packet::Pubrec(pid(2)))
            .send(2, TO_C, Packet::Pubrel(pid(2)))
            .send(2, TO_S, Packet::Pubcomp(pid(2)));
        if stays {
            r.send(
                1,
                TO_S,
                publish("t", "z", QosPid::AtLeastOnce(pid(3)), false, false),
            )
            .send(1, TO_C, Packet::Puback(pid(3)))
            .send(
                0,
                TO_C,
                publish("t", "z", QosPid::AtLeastOnce(pid(2)), false, false),
            )
            .send(0, TO_S, Packet::Puback(pid(2)));
        }
        let t = r.t;
        r.report(t + 2 * S)
    };
    let rep = run(false);
    assert_eq!(broken(&rep), vec![], "{rep}");
    breaks_only(run(true), Statement::EveryMatchingSubscriber);
}

/// Swarm seed 1727: a takeover of a persistent session that subscribes to
/// its own will. The old connection's QoS 0 will is routed at the takeover,
/// before the new connection's CONNACK (the same instant): the session had no
/// connection then, and a broker may drop a QoS 0 message for it. Its next
/// connection getting a later QoS 1 message does not make it one left out.
#[test]
fn a_will_routed_at_a_takeover_before_the_new_connack() {
    let mut r = Run::new();
    r.send(0, TO_S, connect("a", false, 60, will()))
        .send(0, TO_C, connack(false))
        .send(0, TO_S, subscribe(1, &[("#", QoS::AtLeastOnce)]))
        .send(0, TO_C, suback(1, &[QoS::AtLeastOnce]));
    r.client(1, "s", Some("w")).client(2, "p", None);
    r.send(3, TO_S, connect("a", false, 60, None));
    // One instant: the will to "s", the old connection closed, the CONNACK.
    let t = r.t + 10_000_000;
    let gone = AnyPacket::V3(publish("w", "gone", QosPid::AtMostOnce, false, false));
    r.c.packet(1, TO_C, t, None, &gone);
    r.c.closed(0, TO_C, t);
    r.c.packet(3, TO_C, t, None, &AnyPacket::V3(connack(true)));
    r.at(t);
    r.send(
        2,
        TO_S,
        publish("w", "back", QosPid::AtLeastOnce(pid(1)), false, false),
    )
    .send(2, TO_C, Packet::Puback(pid(1)));
    for c in [1, 3] {
        r.send(
            c,
            TO_C,
            publish("w", "back", QosPid::AtLeastOnce(pid(1)), false, false),
        )
        .send(c, TO_S, Packet::Puback(pid(1)));
    }
    let t = r.t;
    let rep = r.report(t + 2 * S);
    assert_eq!(broken(&rep), vec![], "{rep}");
    assert!(rep
        .coverage
        .held()
        .any(|s| s == Statement::WillOnUngracefulClose));
}

/// MQTT-3.3.2-7 held: a client names only alias 1, set on its previous
/// connection; the server refuses it (DISCONNECT 0x94), or closes on it.
#[test]
fn an_alias_of_an_earlier_connection_is_refused() {
    use crate::codec::reason_codes::DisconnectReasonCode;
    for refusal in [true, false] {
        let mut r = Run::new();
        let max = || vec![Property::TopicAliasMaximum(TopicAliasMaximum(5))];
        let alias = || vec![Property::TopicAlias(TopicAlias(1))];
        r.send5(0, TO_S, connect5(vec![]))
            .send5(0, TO_C, connack5(max()))
            .send5(
                0,
                TO_S,
                publish5(
                    publish("t", "1", QosPid::AtLeastOnce(pid(1)), false, false),
                    alias(),
                ),
            )
            .send(0, TO_C, Packet::Puback(pid(1)))
            .close(0, TO_S)
            .at(S)
            .send5(1, TO_S, connect5(vec![]))
            .send5(1, TO_C, connack5(max()));
        let v5::Packet::Publish(mut m) = publish5(
            publish("t", "2", QosPid::AtLeastOnce(pid(2)), false, false),
            alias(),
        ) else {
            unreachable!()
        };
        m.topic = None;
        r.send5(1, TO_S, v5::Packet::Publish(m));
        if refusal {
            r.send5(
                1,
                TO_C,
                v5::Packet::Disconnect(v5::Disconnect {
                    reason: DisconnectReasonCode::from_u8(0x94),
                    properties: None,
                }),
            );
        }
        r.close(1, TO_C);
        let rep = r.report(2 * S);
        assert!(!rep.must_broken(), "{rep}");
        let t = rep.coverage.tally[&Statement::AliasNotCarriedForward];
        assert_eq!((t.held, t.broken), (1, 0), "refusal {refusal}");
        let t = rep.coverage.tally[&Statement::ServerAcceptsAliases];
        assert_eq!((t.held, t.broken), (1, 0), "refusal {refusal}");
    }
}

/// Swarm seed 10214: a retained will sits on "w"; a new subscriber gets it
/// with RETAIN 1; then another connection of the same client, with the same
/// will, is taken over and its will goes out live (RETAIN 0) just before its
/// close is seen. That live copy is not a retained copy sent without RETAIN.
#[test]
fn a_takeover_will_with_the_words_of_a_retained_one_is_live() {
    let retained_will = || {
        Some(LastWill {
            topic: TopicName::new("w").unwrap(),
            message: Bytes::from_static(b"gone"),
            qos: QoS::AtMostOnce,
            retain: true,
        })
    };
    let mut r = Run::new();
    r.send(0, TO_S, connect("a", false, 10, retained_will()))
        .send(0, TO_C, connack(false))
        .close(0, TO_C);
    r.send(1, TO_S, connect("a", false, 10, retained_will()))
        .send(1, TO_C, connack(true));
    let t = r.t + 2 * S;
    r.at(t);
    r.send(2, TO_S, connect("s", true, 60, None))
        .send(2, TO_C, connack(false))
        .send(2, TO_S, subscribe(1, &[("w", QoS::AtMostOnce)]))
        .send(2, TO_C, suback(1, &[QoS::AtMostOnce]))
        .send(
            2,
            TO_C,
            publish("w", "gone", QosPid::AtMostOnce, true, false),
        );
    // The takeover, one instant: the will to "s", the close, the CONNACK.
    r.send(3, TO_S, connect("a", false, 10, retained_will()));
    let t = r.t + 10_000_000;
    let live = AnyPacket::V3(publish("w", "gone", QosPid::AtMostOnce, false, false));
    r.c.packet(2, TO_C, t, None, &live);
    r.c.closed(1, TO_C, t);
    r.c.packet(3, TO_C, t, None, &AnyPacket::V3(connack(true)));
    let rep = r.report(t + S);
    assert_eq!(broken(&rep), vec![], "{rep}");
}

/// A QoS 1 message on "w" from "q" (conn 9) that reaches each of `conns`: a
/// later message that shows the broker had moved past what came before.
fn later_qos1(r: &mut Run, conns: &[usize]) {
    r.client(9, "q", None)
        .send(
            9,
            TO_S,
            publish("w", "later", QosPid::AtLeastOnce(pid(1)), false, false),
        )
        .send(9, TO_C, Packet::Puback(pid(1)));
    for &c in conns {
        r.send(
            c,
            TO_C,
            publish("w", "later", QosPid::AtLeastOnce(pid(7)), false, false),
        )
        .send(c, TO_S, Packet::Puback(pid(7)));
    }
}

/// Swarm seeds 17236, 5491, 17885, 19265: a client's will goes out twice
/// (two connections, each cut), with the same words. A subscriber that came
/// after the first gets only the second: that delivery is the second will's,
/// not the first's (which this subscriber could not have had). Taken for the
/// first, the second looked left out (MQTT-3.1.2-8).
#[test]
fn a_will_with_the_words_of_an_earlier_one_is_the_later_one() {
    let run = |second_to_late: bool| {
        let mut r = Run::new();
        r.client(0, "s1", Some("w"));
        r.send(1, TO_S, connect("p", true, 60, will()))
            .send(1, TO_C, connack(false))
            .close(1, TO_S)
            .send(
                0,
                TO_C,
                publish("w", "gone", QosPid::AtMostOnce, false, false),
            );
        r.client(2, "s2", Some("w"));
        r.send(3, TO_S, connect("p", true, 60, will()))
            .send(3, TO_C, connack(false))
            .close(3, TO_S)
            .send(
                0,
                TO_C,
                publish("w", "gone", QosPid::AtMostOnce, false, false),
            );
        if second_to_late {
            r.send(
                2,
                TO_C,
                publish("w", "gone", QosPid::AtMostOnce, false, false),
            );
        }
        later_qos1(&mut r, &[0, 2]);
        let t = r.t;
        r.report(t + 2 * S)
    };
    let rep = run(true);
    assert_eq!(broken(&rep), vec![], "{rep}");
    assert_eq!(
        rep.coverage.tally[&Statement::WillOnUngracefulClose],
        Tally { held: 3, broken: 0 },
        "{rep}"
    );
    // Still blind to nothing: without that copy s2 was left out.
    breaks_only(run(false), Statement::WillOnUngracefulClose);
}

/// Swarm seed 7339: a persistent session is away while a client's QoS 0 will
/// goes out (a broker may drop it or keep it for the session); back, it gets
/// the same words again just as that client's next connection is cut. The
/// copy is the will routed while it was connected, which it had to get.
#[test]
fn a_will_routed_while_connected_before_one_that_may_have_waited() {
    let mut r = Run::new();
    r.send(0, TO_S, connect("s", false, 60, None))
        .send(0, TO_C, connack(false))
        .send(0, TO_S, subscribe(1, &[("w", QoS::AtLeastOnce)]))
        .send(0, TO_C, suback(1, &[QoS::AtLeastOnce]))
        .close(0, TO_S);
    r.send(1, TO_S, connect("p", true, 60, will()))
        .send(1, TO_C, connack(false))
        .close(1, TO_S);
    r.send(2, TO_S, connect("s", false, 60, None))
        .send(2, TO_C, connack(true));
    r.send(3, TO_S, connect("p", true, 60, will()))
        .send(3, TO_C, connack(false))
        .close(3, TO_S)
        .send(
            2,
            TO_C,
            publish("w", "gone", QosPid::AtMostOnce, false, false),
        );
    later_qos1(&mut r, &[2]);
    let t = r.t;
    let rep = r.report(t + 2 * S);
    assert_eq!(broken(&rep), vec![], "{rep}");
}

/// Swarm seed 3695: the same words published twice at QoS 1 (in the seed, a
/// PUBLISH sent again on the publisher's next connection after the broker's
/// PUBACK was lost: a new message to the broker). A subscriber that came
/// between the two gets only the second.
#[test]
fn a_message_with_the_words_of_an_earlier_one_is_the_later_one() {
    let run = |second_to_late: bool| {
        let mut r = Run::new();
        r.client(0, "s1", Some("w")).client(1, "p", None);
        let x = |n| publish("w", "x", QosPid::AtLeastOnce(pid(n)), false, false);
        r.send(1, TO_S, x(1))
            .send(1, TO_C, Packet::Puback(pid(1)))
            .send(0, TO_C, x(1))
            .send(0, TO_S, Packet::Puback(pid(1)));
        r.client(2, "s2", Some("w"));
        r.send(1, TO_S, x(2))
            .send(1, TO_C, Packet::Puback(pid(2)))
            .send(0, TO_C, x(2))
            .send(0, TO_S, Packet::Puback(pid(2)));
        if second_to_late {
            r.send(2, TO_C, x(1)).send(2, TO_S, Packet::Puback(pid(1)));
        }
        later_qos1(&mut r, &[0, 2]);
        let t = r.t;
        r.report(t + 2 * S)
    };
    let rep = run(true);
    assert_eq!(broken(&rep), vec![], "{rep}");
    breaks_only(run(false), Statement::EveryMatchingSubscriber);
}

/// Swarm seed 14150: a will's copy seen before its connection's end (a
/// takeover publishes the old connection's will, then closes it) is that
/// will's, and only that one's. Left among the unexplained deliveries, it
/// was claimed again by the next connection's will, which the broker never
/// sent: a will left out went unseen (and, through a later sequence number,
/// made a false finding in the seed).
#[test]
fn a_will_copy_seen_before_the_close_is_claimed_once() {
    let mut r = Run::new();
    r.client(0, "s", Some("w"));
    r.send(1, TO_S, connect("p", true, 60, will()))
        .send(1, TO_C, connack(false));
    // The takeover, one instant: the new CONNECT, the will to "s", the close.
    r.send(2, TO_S, connect("p", true, 60, will()));
    let t = r.t;
    let gone = AnyPacket::V3(publish("w", "gone", QosPid::AtMostOnce, false, false));
    r.c.packet(0, TO_C, t, None, &gone);
    r.c.closed(1, TO_C, t);
    r.c.packet(2, TO_C, t, None, &AnyPacket::V3(connack(false)));
    // The new connection is cut, and its will reaches no one.
    r.close(2, TO_S);
    later_qos1(&mut r, &[0]);
    let t = r.t;
    let rep = r.report(t + 2 * S);
    assert_eq!(rep.findings[0].id, "MQTT-3.1.2-8");
    assert_eq!(rep.findings[0].packets[0].conn, 2, "{rep}");
    breaks_only(rep, Statement::WillOnUngracefulClose);
}

/// The slow-consumer lab: a SUBSCRIBE and a QoS 1 message reach the server at
/// the same instant, and the server routes the message first (the new
/// subscriber does not get it, as it may; another does). The next message with the same
/// words is the first this subscriber gets: taken for the one that came with
/// the SUBSCRIBE, the later one looked left out once the subscriber got a
/// message after it (MQTT-4.5.0-1).
#[test]
fn a_message_at_the_instant_of_a_subscribe_is_not_taken_for_a_later_copy() {
    let run = |copy: bool| {
        let mut r = Run::new();
        r.client(8, "p", None).client(1, "a", Some("w"));
        r.send(0, TO_S, connect("s", true, 60, None))
            .send(0, TO_C, connack(false))
            .send(0, TO_S, subscribe(1, &[("w", QoS::AtLeastOnce)]));
        let t = r.t;
        r.at(t - 10_000_000)
            .send(
                8,
                TO_S,
                publish("w", "1", QosPid::AtLeastOnce(pid(1)), false, false),
            )
            .send(8, TO_C, Packet::Puback(pid(1)))
            .send(
                1,
                TO_C,
                publish("w", "1", QosPid::AtLeastOnce(pid(3)), false, false),
            )
            .send(1, TO_S, Packet::Puback(pid(3)))
            .send(0, TO_C, suback(1, &[QoS::AtLeastOnce]))
            .send(
                8,
                TO_S,
                publish("w", "1", QosPid::AtLeastOnce(pid(2)), false, false),
            )
            .send(8, TO_C, Packet::Puback(pid(2)))
            .send(
                1,
                TO_C,
                publish("w", "1", QosPid::AtLeastOnce(pid(4)), false, false),
            )
            .send(1, TO_S, Packet::Puback(pid(4)));
        if copy {
            r.send(
                0,
                TO_C,
                publish("w", "1", QosPid::AtLeastOnce(pid(5)), false, false),
            )
            .send(0, TO_S, Packet::Puback(pid(5)));
        }
        later_qos1(&mut r, &[0, 1]);
        let t = r.t;
        r.report(t + S)
    };
    let rep = run(true);
    assert_eq!(broken(&rep), vec![], "{rep}");
    // Still blind to nothing: without the copy the later message was left out.
    breaks_only(run(false), Statement::EveryMatchingSubscriber);
}
