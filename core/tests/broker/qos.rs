//! QoS 1 and 2 on both legs, QoS downgrade, overlapping subscriptions, and the
//! teaching-mode resend on ack timeout.

use std::time::Duration;

use mqttlab_core::broker::{BrokerConfig, BrokerEvent, OutStage, ResendReason};
use mqttlab_core::codec::{Packet, PacketType, QoS, Suback, SubackReturnCode};

use crate::harness::*;

/// `mosquitto_sub -t topico -q 1` and `mosquitto_pub -m mensagem -t topico -q 1`:
/// the log mosquitto 2.0.11 writes, line for line.
#[test]
fn course_text_qos1_flow() {
    let mut lab = Lab::default();
    let sub = lab.connect("sub");
    lab.send(sub, subscribe(1, &[("topico", 1)]));
    assert_eq!(
        lab.packets_to(sub)[1],
        Packet::Suback(Suback {
            pid: pid(1),
            return_codes: vec![SubackReturnCode::Success(QoS::AtLeastOnce)],
        })
    );
    let publ = lab.connect("pub");
    lab.clear();
    lab.send(publ, publish("topico", "mensagem", 1, 1, false));
    lab.send(publ, Packet::Disconnect);
    lab.send(sub, Packet::Puback(pid(1)));
    assert_eq!(
        lab.log(),
        [
            "Received PUBLISH from pub (d0, q1, r0, m1, 'topico', ... (8 bytes))",
            "Sending PUBLISH to sub (d0, q1, r0, m1, 'topico', ... (8 bytes))",
            "Sending PUBACK to pub (m1, rc0)",
            "Received DISCONNECT from pub",
            "Client pub disconnected.",
            "Received PUBACK from sub (Mid: 1, RC:0)",
        ]
    );
    assert_eq!(lab.packets_to(publ), [Packet::Puback(pid(1))]);
    assert!(lab.broker.session("sub").unwrap().inflight.is_empty());
}

/// `-q 2` on both sides: mosquitto delivers on PUBREL (method B).
#[test]
fn course_text_qos2_flow() {
    let mut lab = Lab::default();
    let sub = lab.connect("sub");
    lab.send(sub, subscribe(1, &[("topico", 2)]));
    let publ = lab.connect("pub");
    lab.clear();
    lab.send(publ, publish("topico", "mensagem", 2, 1, false));
    assert!(lab.publishes_to(sub).is_empty(), "held until PUBREL");
    assert_eq!(lab.broker.session("pub").unwrap().incoming_qos2, [pid(1)]);
    lab.send(publ, Packet::Pubrel(pid(1)));
    lab.send(sub, Packet::Pubrec(pid(1)));
    assert_eq!(
        lab.broker.session("sub").unwrap().inflight[0].stage,
        OutStage::AwaitPubcomp
    );
    lab.send(sub, Packet::Pubcomp(pid(1)));
    assert_eq!(
        lab.log(),
        [
            "Received PUBLISH from pub (d0, q2, r0, m1, 'topico', ... (8 bytes))",
            "Sending PUBREC to pub (m1, rc0)",
            "Received PUBREL from pub (Mid: 1)",
            "Sending PUBLISH to sub (d0, q2, r0, m1, 'topico', ... (8 bytes))",
            "Sending PUBCOMP to pub (m1)",
            "Received PUBREC from sub (Mid: 1)",
            "Sending PUBREL to sub (m1)",
            "Received PUBCOMP from sub (Mid: 1, RC:0)",
        ]
    );
    assert_eq!(
        lab.packets_to(publ),
        [Packet::Pubrec(pid(1)), Packet::Pubcomp(pid(1))]
    );
    assert_eq!(lab.packets_to(sub)[1..], [Packet::Pubrel(pid(1))]);
    assert!(lab.broker.session("sub").unwrap().inflight.is_empty());
    assert!(lab.broker.session("pub").unwrap().incoming_qos2.is_empty());
}

#[test]
fn qos2_receipt_is_exactly_once_despite_resent_publish_and_pubrel() {
    // MQTT-4.3.3-2: the id is held until PUBREL; a DUP resend is not a new message.
    let mut lab = Lab::default();
    let sub = lab.connect("sub");
    lab.send(sub, subscribe(1, &[("t", 0)]));
    let publ = lab.connect("pub");
    lab.clear();
    lab.send(publ, publish("t", "x", 2, 7, false));
    let Packet::Publish(mut again) = publish("t", "x", 2, 7, false) else {
        unreachable!()
    };
    again.dup = true;
    lab.send(publ, Packet::Publish(again));
    lab.send(publ, Packet::Pubrel(pid(7)));
    lab.send(publ, Packet::Pubrel(pid(7)));
    assert_eq!(lab.publishes_to(sub).len(), 1);
    assert_eq!(
        lab.packets_to(publ),
        [
            Packet::Pubrec(pid(7)),
            Packet::Pubrec(pid(7)),
            Packet::Pubcomp(pid(7)),
            Packet::Pubcomp(pid(7)),
        ]
    );
    assert!(lab.events().contains(&BrokerEvent::DuplicateQos2 {
        client_id: "pub".into(),
        pid: pid(7),
    }));
}

#[test]
fn delivery_qos_is_the_minimum_of_publish_and_granted() {
    let mut lab = Lab::default();
    let s0 = lab.connect("s0");
    lab.send(s0, subscribe(1, &[("t", 0)]));
    let s2 = lab.connect("s2");
    lab.send(s2, subscribe(1, &[("t", 2)]));
    let p = lab.connect("p");
    lab.clear();
    lab.send(p, publish("t", "a", 1, 1, false));
    assert_eq!(lab.publishes_to(s0)[0].qos(), QoS::AtMostOnce);
    assert_eq!(lab.publishes_to(s2)[0].qos(), QoS::AtLeastOnce);
}

#[test]
fn overlapping_subscriptions_deliver_once_at_the_highest_granted_qos() {
    let mut lab = Lab::default();
    let s = lab.connect("s");
    lab.send(s, subscribe(1, &[("a/#", 0), ("a/b", 2), ("+/b", 1)]));
    let p = lab.connect("p");
    lab.clear();
    lab.send(p, publish("a/b", "x", 2, 1, false));
    lab.send(p, Packet::Pubrel(pid(1)));
    let got = lab.publishes_to(s);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].qos(), QoS::ExactlyOnce);
}

#[test]
fn packet_ids_count_up_per_session_and_skip_ids_in_flight() {
    let mut lab = Lab::default();
    let s = lab.connect("s");
    lab.send(s, subscribe(1, &[("t", 1)]));
    let p = lab.connect("p");
    lab.clear();
    for i in 1..=3 {
        lab.send(p, publish("t", "x", 1, i, false));
    }
    lab.send(s, Packet::Puback(pid(2)));
    let mids: Vec<u16> = lab
        .publishes_to(s)
        .iter()
        .map(|p| p.qospid.pid().unwrap().get())
        .collect();
    assert_eq!(mids, [1, 2, 3]);
    let inflight: Vec<u16> = lab
        .broker
        .session("s")
        .unwrap()
        .inflight
        .iter()
        .map(|i| i.pid.get())
        .collect();
    assert_eq!(inflight, [1, 3]);
}

#[test]
fn inflight_window_bound_queues_the_rest_until_acked() {
    let mut lab = Lab::new(BrokerConfig {
        max_inflight_messages: 1,
        ..BrokerConfig::default()
    });
    let s = lab.connect("s");
    lab.send(s, subscribe(1, &[("t", 1)]));
    let p = lab.connect("p");
    lab.clear();
    lab.send(p, publish("t", "one", 1, 1, false));
    lab.send(p, publish("t", "two", 1, 2, false));
    assert_eq!(lab.publishes_to(s).len(), 1);
    assert_eq!(lab.broker.session("s").unwrap().queued.len(), 1);
    lab.clear();
    lab.send(s, Packet::Puback(pid(1)));
    assert_eq!(text(&lab.publishes_to(s)[0]), "two");
}

#[test]
fn no_resend_on_timeout_by_default() {
    // MQTT 3.1.1 resends only when a session resumes (§4.4).
    let mut lab = Lab::default();
    let s = lab.connect_with("127.0.0.1", {
        let mut c = connect("s");
        c.keep_alive = 0;
        c
    });
    lab.send(s, subscribe(1, &[("t", 1)]));
    let p = lab.connect("p");
    lab.send(p, publish("t", "x", 1, 1, false));
    lab.send(p, Packet::Disconnect);
    lab.clear();
    // s has keep alive 0 and p is gone: nothing is due, ever.
    assert_eq!(lab.broker.poll_timeout(), None);
    lab.advance(Duration::from_secs(600));
    assert!(lab.packets_to(s).is_empty());
    assert_eq!(lab.broker.session("s").unwrap().inflight.len(), 1);
}

#[test]
fn teaching_mode_resends_publish_and_pubrel_on_ack_timeout() {
    let mut lab = Lab::new(BrokerConfig {
        resend_timeout: Some(Duration::from_secs(5)),
        ..BrokerConfig::default()
    });
    let s = lab.connect("s");
    lab.send(s, subscribe(1, &[("q1", 1), ("q2", 2)]));
    let p = lab.connect("p");
    lab.send(p, publish("q1", "a", 1, 1, false));
    lab.send(p, publish("q2", "b", 2, 2, false));
    lab.send(p, Packet::Pubrel(pid(2)));
    lab.send(s, Packet::Pubrec(pid(2)));
    lab.clear();
    lab.advance(Duration::from_secs(4));
    assert!(lab.packets_to(s).is_empty());
    lab.advance(Duration::from_secs(1));
    assert_eq!(
        lab.log(),
        [
            "Sending PUBLISH to s (d1, q1, r0, m1, 'q1', ... (1 bytes))",
            "Sending PUBREL to s (m2)",
        ]
    );
    assert!(lab.events().contains(&BrokerEvent::Resent {
        client_id: "s".into(),
        packet: PacketType::Pubrel,
        pid: pid(2),
        reason: ResendReason::AckTimeout,
    }));
    lab.send(s, Packet::Puback(pid(1)));
    lab.send(s, Packet::Pubcomp(pid(2)));
    lab.clear();
    lab.advance(Duration::from_secs(30));
    assert!(lab.packets_to(s).is_empty());
}
