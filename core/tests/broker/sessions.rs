//! Clean and persistent sessions: session present, offline queueing, the queue
//! bound, and redelivery with DUP=1 on reconnect.

use mqttlab_core::broker::{BrokerConfig, BrokerEvent, DropReason};
use mqttlab_core::codec::{Connack, ConnectReturnCode, Packet};

use crate::harness::*;

fn session_present(lab: &Lab, conn: mqttlab_core::broker::ConnId) -> bool {
    match lab.packets_to(conn).first() {
        Some(Packet::Connack(Connack {
            session_present,
            code: ConnectReturnCode::Accepted,
        })) => *session_present,
        other => panic!("expected CONNACK, got {other:?}"),
    }
}

#[test]
fn clean_session_forgets_subscriptions() {
    let mut lab = Lab::default();
    let a = lab.connect("c");
    lab.send(a, subscribe(1, &[("t", 1)]));
    lab.send(a, Packet::Disconnect);
    assert!(lab.broker.session("c").is_none());
    lab.clear();
    let b = lab.connect("c");
    assert!(!session_present(&lab, b));
    let p = lab.connect("p");
    lab.send(p, publish("t", "x", 1, 1, false));
    assert!(lab.publishes_to(b).is_empty());
}

/// The course text's persistent-session experiment:
/// `mosquitto_sub -t topico -q 1 -c`, a publish, CTRL-C, another publish while the
/// subscriber is away, and the subscriber back: the offline message arrives right
/// after CONNACK with session present = 1.
#[test]
fn course_text_persistent_session_gets_the_offline_message() {
    let mut lab = Lab::default();
    let sub = lab.connect_with("172.17.0.2", persistent("persub"));
    assert!(!session_present(&lab, sub));
    lab.send(sub, subscribe(1, &[("topico", 1)]));
    let p = lab.connect("pub1");
    lab.send(p, publish("topico", "mensagem1", 1, 1, false));
    lab.send(p, Packet::Disconnect);
    lab.send(sub, Packet::Puback(pid(1)));
    lab.send(sub, Packet::Disconnect);
    assert!(lab.broker.session("persub").unwrap().conn.is_none());

    let p = lab.connect("pub2");
    lab.send(p, publish("topico", "mensagem2", 1, 1, false));
    lab.send(p, Packet::Disconnect);
    assert_eq!(lab.broker.session("persub").unwrap().queued.len(), 1);

    lab.clear();
    let sub = lab.connect_with("172.17.0.2", persistent("persub"));
    assert!(session_present(&lab, sub));
    assert_eq!(
        lab.log()[3..],
        [
            "Sending CONNACK to persub (1, 0)",
            "Sending PUBLISH to persub (d0, q1, r0, m2, 'topico', ... (9 bytes))",
        ]
    );
    assert_eq!(text(&lab.publishes_to(sub)[0]), "mensagem2");
    assert!(lab.events().contains(&BrokerEvent::SessionResumed {
        client_id: "persub".into(),
        inflight: 0,
        queued: 1,
    }));
}

#[test]
fn unacknowledged_messages_are_resent_with_dup_and_pubrel_for_pubrec_stage() {
    // MQTT-4.4.0-1
    let mut lab = Lab::default();
    let sub = lab.connect_with("127.0.0.1", persistent("s"));
    lab.send(sub, subscribe(1, &[("q1", 1), ("q2", 2)]));
    let p = lab.connect("p");
    lab.send(p, publish("q1", "a", 1, 1, false));
    lab.send(p, publish("q2", "b", 2, 2, false));
    lab.send(p, Packet::Pubrel(pid(2)));
    lab.send(p, publish("q2", "c", 2, 3, false));
    lab.send(p, Packet::Pubrel(pid(3)));
    // m1 (QoS 1) unacked, m2 at PUBREC stage, m3 (QoS 2) unacked.
    lab.send(sub, Packet::Pubrec(pid(2)));
    lab.drop_conn(sub);
    lab.clear();
    let sub = lab.connect_with("127.0.0.1", persistent("s"));
    assert!(session_present(&lab, sub));
    assert_eq!(
        lab.packets_to(sub)[1..],
        [
            publish_dup("q1", "a", 1, 1),
            Packet::Pubrel(pid(2)),
            publish_dup("q2", "c", 2, 3),
        ]
    );
    lab.send(sub, Packet::Puback(pid(1)));
    lab.send(sub, Packet::Pubcomp(pid(2)));
    lab.send(sub, Packet::Pubrec(pid(3)));
    lab.send(sub, Packet::Pubcomp(pid(3)));
    assert!(lab.broker.session("s").unwrap().inflight.is_empty());
}

fn publish_dup(topic: &str, payload: &str, q: u8, id: u16) -> Packet {
    let Packet::Publish(mut p) = publish(topic, payload, q, id, false) else {
        unreachable!()
    };
    p.dup = true;
    Packet::Publish(p)
}

#[test]
fn qos0_is_not_queued_offline_unless_configured() {
    for queue_qos0 in [false, true] {
        let mut lab = Lab::new(BrokerConfig {
            queue_qos0,
            ..BrokerConfig::default()
        });
        let s = lab.connect_with("127.0.0.1", persistent("s"));
        lab.send(s, subscribe(1, &[("t", 1)]));
        lab.send(s, Packet::Disconnect);
        let p = lab.connect("p");
        lab.send(p, publish("t", "zero", 0, 0, false));
        let queued = lab.broker.session("s").unwrap().queued.len();
        assert_eq!(queued, usize::from(queue_qos0));
        if !queue_qos0 {
            assert!(lab.events().contains(&BrokerEvent::Dropped {
                client_id: "s".into(),
                topic: mqttlab_core::topic::TopicName::new("t").unwrap(),
                reason: DropReason::Qos0Offline,
            }));
        }
    }
}

#[test]
fn queue_bound_drops_and_logs_as_mosquitto() {
    let mut lab = Lab::new(BrokerConfig {
        max_queued_messages: 2,
        ..BrokerConfig::default()
    });
    let s = lab.connect_with("127.0.0.1", persistent("bq"));
    lab.send(s, subscribe(1, &[("q/#", 1)]));
    lab.send(s, Packet::Disconnect);
    let p = lab.connect("bqp");
    lab.clear();
    for i in 1..=4 {
        lab.send(p, publish("q/a", &format!("m{i}"), 1, i, false));
    }
    let drops = lab
        .log()
        .iter()
        .filter(|l| *l == "Outgoing messages are being dropped for client bq.")
        .count();
    assert_eq!(drops, 1, "logged once per run of drops");
    let dropped = lab
        .events()
        .iter()
        .filter(|e| {
            matches!(
                e,
                BrokerEvent::Dropped {
                    reason: DropReason::QueueFull,
                    ..
                }
            )
        })
        .count();
    assert_eq!(dropped, 2);
    lab.clear();
    let s = lab.connect_with("127.0.0.1", persistent("bq"));
    let got: Vec<String> = lab.publishes_to(s).iter().map(text).collect();
    assert_eq!(got, ["m1", "m2"]);
}

#[test]
fn a_clean_connect_discards_a_stored_persistent_session() {
    let mut lab = Lab::default();
    let s = lab.connect_with("127.0.0.1", persistent("s"));
    lab.send(s, subscribe(1, &[("t", 1)]));
    lab.send(s, Packet::Disconnect);
    lab.clear();
    let s = lab.connect("s");
    assert!(!session_present(&lab, s));
    assert!(lab.broker.session("s").unwrap().subscriptions.is_empty());
}

#[test]
fn state_panel_lists_sessions_connections_and_wills() {
    let mut lab = Lab::default();
    let a = lab.connect_with(
        "127.0.0.1",
        with_will(persistent("a"), "w/a", "bye", qos(1), true),
    );
    lab.send(a, subscribe(1, &[("x/#", 2)]));
    lab.connect("b");
    let sessions = lab.broker.sessions();
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions[0].client_id, "a");
    assert!(!sessions[0].clean);
    assert_eq!(sessions[0].subscriptions[0].0.as_str(), "x/#");
    let wills = lab.broker.pending_wills();
    assert_eq!(wills.len(), 1);
    assert_eq!(wills[0].0, "a");
    assert_eq!(lab.broker.connections().len(), 2);
}
