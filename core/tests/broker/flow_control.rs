//! `hold_acks`: a QoS 1 message waiting in a connected subscriber's queue holds
//! the publisher's PUBACK until it leaves the queue; PUBACKs keep the order of
//! their PUBLISHes (MQTT-4.6.0-2); an offline subscriber holds nothing back.

use mqttlab_core::broker::BrokerConfig;
use mqttlab_core::codec::{Packet, Publish};

use crate::harness::*;

fn lab(hold_acks: bool) -> Lab {
    Lab::new(BrokerConfig {
        hold_acks,
        max_inflight_messages: 2,
        ..BrokerConfig::default()
    })
}

fn pubacks(lab: &Lab, conn: mqttlab_core::broker::ConnId) -> Vec<u16> {
    lab.packets_to(conn)
        .into_iter()
        .filter_map(|p| match p {
            Packet::Puback(m) => Some(m.get()),
            _ => None,
        })
        .collect()
}

fn mids(ps: &[Publish]) -> Vec<u16> {
    ps.iter()
        .map(|p| p.qospid.pid().map_or(0, |m| m.get()))
        .collect()
}

#[test]
fn a_queued_message_holds_the_puback_until_it_leaves_the_queue() {
    let mut lab = lab(true);
    let sub = lab.connect("sub");
    lab.send(sub, subscribe(1, &[("t", 1)]));
    let publ = lab.connect("pub");
    lab.clear();
    for m in 1..=4 {
        lab.send(publ, publish("t", "x", 1, m, false));
    }
    // Two fit the subscriber's window; two wait in its queue.
    assert_eq!(mids(&lab.publishes_to(sub)), [1, 2]);
    assert_eq!(pubacks(&lab, publ), [1, 2]);
    lab.clear();
    lab.send(sub, Packet::Puback(pid(1)));
    assert_eq!(mids(&lab.publishes_to(sub)), [3]);
    assert_eq!(pubacks(&lab, publ), [3]);
    assert_eq!(
        lab.log()[1..3],
        [
            "Sending PUBACK to pub (m3, rc0)",
            "Sending PUBLISH to sub (d0, q1, r0, m3, 't', ... (1 bytes))"
        ]
    );
    lab.clear();
    lab.send(sub, Packet::Puback(pid(2)));
    assert_eq!(pubacks(&lab, publ), [4]);
}

#[test]
fn pubacks_keep_the_order_of_the_publishes() {
    let mut lab = lab(true);
    let sub = lab.connect("sub");
    lab.send(sub, subscribe(1, &[("t", 1)]));
    let publ = lab.connect("pub");
    for m in 1..=3 {
        lab.send(publ, publish("t", "x", 1, m, false));
    }
    lab.clear();
    // Nobody subscribes to "other": free to acknowledge, but not before m3.
    lab.send(publ, publish("other", "y", 1, 4, false));
    assert_eq!(pubacks(&lab, publ), Vec::<u16>::new());
    lab.send(sub, Packet::Puback(pid(1)));
    assert_eq!(pubacks(&lab, publ), [3, 4]);
}

#[test]
fn a_subscriber_going_offline_releases_what_it_held() {
    let mut lab = lab(true);
    let sub = lab.connect_with("127.0.0.1", persistent("sub"));
    lab.send(sub, subscribe(1, &[("t", 1)]));
    let publ = lab.connect("pub");
    for m in 1..=4 {
        lab.send(publ, publish("t", "x", 1, m, false));
    }
    lab.clear();
    lab.drop_conn(sub);
    assert_eq!(pubacks(&lab, publ), [3, 4]);
    // Queued for an offline session: acknowledged at once.
    lab.clear();
    lab.send(publ, publish("t", "x", 1, 5, false));
    assert_eq!(pubacks(&lab, publ), [5]);
}

#[test]
fn off_by_default_as_mosquitto() {
    assert!(!BrokerConfig::default().hold_acks);
    let mut lab = lab(false);
    let sub = lab.connect("sub");
    lab.send(sub, subscribe(1, &[("t", 1)]));
    let publ = lab.connect("pub");
    lab.clear();
    for m in 1..=4 {
        lab.send(publ, publish("t", "x", 1, m, false));
    }
    assert_eq!(pubacks(&lab, publ), [1, 2, 3, 4]);
}
