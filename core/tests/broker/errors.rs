//! Bad input closes only the connection it came on, with a logged reason; the ACL
//! refuses subscriptions (SUBACK 0x80) and publishes ("Denied PUBLISH").

use mqttlab_core::broker::{
    Access, Acl, AclRule, AclSubject, BrokerConfig, BrokerEvent, CloseReason,
};
use mqttlab_core::codec::{Packet, Suback, SubackReturnCode};
use mqttlab_core::topic::TopicFilter;

use crate::harness::*;

#[test]
fn malformed_packet_closes_only_that_connection() {
    let mut lab = Lab::default();
    let good = lab.connect("good");
    lab.send(good, subscribe(1, &[("t", 0)]));
    let bad = lab.connect("bf");
    lab.clear();
    // SUBSCRIBE with header flags 0 instead of 2 (MQTT-3.8.1-1).
    lab.send_bytes(bad, &[0x80, 0x06, 0x00, 0x01, 0x00, 0x01, b'a', 0x00]);
    assert_eq!(
        lab.log(),
        [
            "Received SUBSCRIBE from bf",
            "Client bf disconnected due to malformed packet."
        ]
    );
    let closed = lab.closed();
    assert_eq!(closed.len(), 1);
    assert_eq!(closed[0].0, bad);
    let CloseReason::ProtocolError(reason) = &closed[0].1 else {
        panic!("{closed:?}")
    };
    assert!(reason.contains("MQTT-2.2.2-2"), "{reason}");
    assert!(lab.events().iter().any(|e| matches!(
        e,
        BrokerEvent::ProtocolError {
            rule: "MQTT-2.2.2-2",
            ..
        }
    )));

    // The other client carries on.
    let p = lab.connect("p");
    lab.clear();
    lab.send(p, publish("t", "still here", 0, 0, false));
    assert_eq!(text(&lab.publishes_to(good)[0]), "still here");
}

#[test]
fn bytes_split_anywhere_still_decode() {
    let mut lab = Lab::default();
    let c = lab.open("127.0.0.1");
    let mut bytes = Vec::new();
    Packet::Connect(connect("slow")).encode(&mut bytes).unwrap();
    Packet::Pingreq.encode(&mut bytes).unwrap();
    for b in &bytes {
        lab.send_bytes(c, std::slice::from_ref(b));
    }
    assert_eq!(lab.packets_to(c).len(), 2);
}

#[test]
fn oversized_packet_closes_the_connection() {
    let mut lab = Lab::new(BrokerConfig {
        max_packet_size: 64,
        ..BrokerConfig::default()
    });
    let c = lab.connect("big");
    lab.clear();
    lab.send(c, publish("t", &"x".repeat(100), 0, 0, false));
    assert_eq!(lab.closed().len(), 1);
}

#[test]
fn a_client_sending_a_broker_packet_is_a_protocol_error() {
    let mut lab = Lab::default();
    let c = lab.connect("odd");
    lab.clear();
    lab.send(c, Packet::Pingresp);
    assert_eq!(
        lab.log(),
        ["Client odd disconnected due to protocol error."]
    );
    assert_eq!(lab.closed().len(), 1);
}

fn acl_config() -> BrokerConfig {
    BrokerConfig {
        acl: Some(Acl {
            rules: vec![AclRule {
                who: AclSubject::User("alice".into()),
                filter: TopicFilter::new("open/#").unwrap(),
                access: Access::ReadWrite,
            }],
        }),
        ..BrokerConfig::default()
    }
}

#[test]
fn acl_refuses_a_subscription_with_suback_0x80() {
    let mut lab = Lab::new(acl_config());
    let c = lab.connect_with("127.0.0.1", with_login(connect("ac"), "alice", "x"));
    lab.clear();
    lab.send(c, subscribe(1, &[("secret/x", 1), ("open/x", 2)]));
    assert_eq!(
        lab.packets_to(c),
        [Packet::Suback(Suback {
            pid: pid(1),
            return_codes: vec![SubackReturnCode::Failure, SubackReturnCode::Success(qos(2))],
        })]
    );
    assert_eq!(
        lab.log(),
        [
            "Received SUBSCRIBE from ac",
            "\tsecret/x (QoS 1)",
            "\topen/x (QoS 2)",
            "ac 2 open/x",
            "Sending SUBACK to ac",
        ]
    );
}

#[test]
fn acl_denied_publish_is_acknowledged_but_not_delivered() {
    let mut config = acl_config();
    config.acl.as_mut().unwrap().rules.push(AclRule {
        who: AclSubject::Anyone,
        filter: TopicFilter::new("#").unwrap(),
        access: Access::Read,
    });
    let mut lab2 = Lab::new(config);
    let spy2 = lab2.connect("spy");
    lab2.send(spy2, subscribe(1, &[("#", 2)]));
    let c = lab2.connect_with("127.0.0.1", with_login(connect("ac"), "alice", "x"));
    lab2.clear();
    lab2.send(c, publish("secret/x", "hi", 1, 3, false));
    lab2.send(c, publish("secret/y", "hi", 2, 4, false));
    lab2.send(c, Packet::Pubrel(pid(4)));
    assert!(lab2.publishes_to(spy2).is_empty());
    assert_eq!(
        lab2.packets_to(c),
        [
            Packet::Puback(pid(3)),
            Packet::Pubrec(pid(4)),
            Packet::Pubcomp(pid(4))
        ]
    );
    assert_eq!(
        lab2.log()[..2],
        [
            "Denied PUBLISH from ac (d0, q1, r0, m3, 'secret/x', ... (2 bytes))",
            "Sending PUBACK to ac (m3, rc135)",
        ]
    );
    lab2.send(c, publish("open/x", "ok", 0, 0, false));
    assert_eq!(lab2.publishes_to(spy2).len(), 1);
}

#[test]
fn unsubscribe_is_logged_and_acknowledged() {
    let mut lab = Lab::default();
    let c = lab.connect("u");
    lab.send(c, subscribe(1, &[("a/#", 0), ("a/b", 0)]));
    lab.clear();
    lab.send(c, unsubscribe(2, &["a/b"]));
    assert_eq!(
        lab.log(),
        [
            "Received UNSUBSCRIBE from u",
            "\ta/b",
            "u a/b",
            "Sending UNSUBACK to u",
        ]
    );
    assert_eq!(lab.packets_to(c), [Packet::Unsuback(pid(2))]);
    assert_eq!(lab.broker.session("u").unwrap().subscriptions.len(), 1);
}
