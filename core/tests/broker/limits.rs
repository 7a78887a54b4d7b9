//! The broker's limits (`broker/limits.rs`): a subscriber that stops reading gets
//! its QoS 0 messages dropped first, its QoS 1/2 queued to `max_queued_messages`
//! and then dropped, with mosquitto's log line, counted; publishers are
//! acknowledged whatever their subscribers do; and what one client may make the
//! broker keep (retained messages, subscriptions, topic length and levels,
//! connections from one address) is bounded, each refusal the 3.1.1 way.

use mqttlab_core::broker::{BrokerConfig, BrokerEvent, CloseReason, DropReason, Limit};
use mqttlab_core::codec::{Packet, SubackReturnCode};

use crate::harness::*;

const DROP_LINE: &str = "Outgoing messages are being dropped for client slow.";

fn limited(max_queued: usize, max_inflight: usize) -> Lab {
    Lab::new(BrokerConfig {
        socket_feedback: true,
        max_queued_messages: max_queued,
        max_inflight_messages: max_inflight,
        ..BrokerConfig::default()
    })
}

fn payloads(lab: &Lab, conn: mqttlab_core::broker::ConnId) -> Vec<String> {
    lab.publishes_to(conn).iter().map(text).collect()
}

/// Messages dropped for `slow`, for `reason`.
fn drops(lab: &Lab, reason: DropReason) -> usize {
    lab.events()
        .iter()
        .filter(|e| {
            matches!(e, BrokerEvent::Dropped { reason: r, client_id, .. }
                if *r == reason && client_id == "slow")
        })
        .count()
}

fn suback(lab: &Lab, conn: mqttlab_core::broker::ConnId) -> Vec<SubackReturnCode> {
    lab.packets_to(conn)
        .into_iter()
        .find_map(|p| match p {
            Packet::Suback(s) => Some(s.return_codes),
            _ => None,
        })
        .expect("a SUBACK")
}

/// `slow` subscribes to `t` and reads nothing from then on; `fast` subscribes
/// too and its socket takes everything.
fn slow_and_fast(
    lab: &mut Lab,
    q: u8,
) -> (mqttlab_core::broker::ConnId, mqttlab_core::broker::ConnId) {
    let slow = lab.connect("slow");
    lab.send(slow, subscribe(1, &[("t", q)]));
    let n = lab.bytes_to(slow);
    lab.sent(slow, n); // CONNACK and SUBACK were read
    let fast = lab.connect("fast");
    lab.send(fast, subscribe(1, &[("t", q)]));
    lab.clear();
    (slow, fast)
}

#[test]
fn a_subscriber_that_stops_reading_has_its_qos0_dropped_and_others_are_served() {
    let mut lab = limited(5, 2);
    let (slow, fast) = slow_and_fast(&mut lab, 0);
    let publ = lab.connect("pub");
    let mut taken = 0;
    for i in 1..=20 {
        lab.send(publ, publish("t", &format!("m{i}"), 0, 0, false));
        // The fast subscriber's socket takes everything at once.
        let n = lab.bytes_to(fast);
        lab.sent(fast, n - taken);
        taken = n;
    }
    // mosquitto's arithmetic: unsent QoS 0 - max_inflight < max_queued: 7 go out.
    assert_eq!(
        payloads(&lab, slow),
        (1..=7).map(|i| format!("m{i}")).collect::<Vec<_>>()
    );
    assert_eq!(
        payloads(&lab, fast).len(),
        20,
        "the other subscriber misses nothing"
    );
    assert_eq!(drops(&lab, DropReason::TooSlow), 13);
    assert_eq!(
        lab.log().iter().filter(|l| *l == DROP_LINE).count(),
        1,
        "logged once per run of drops: {:?}",
        lab.log()
    );
    assert_eq!(lab.broker.stats().messages_dropped, 13);
    assert_eq!(lab.broker.session("slow").unwrap().dropped, 13);
    assert_eq!(lab.broker.session("fast").unwrap().dropped, 0);
    let waiting = lab.broker.connections()[0].unsent_bytes;
    assert_eq!(
        waiting as usize,
        lab.bytes_to(slow),
        "its socket took nothing"
    );

    // It reads again: its socket takes what waited, and new messages go out.
    lab.sent(slow, waiting as usize);
    lab.clear();
    lab.send(publ, publish("t", "again", 0, 0, false));
    assert_eq!(payloads(&lab, slow), ["again"]);
    lab.clear();
    // A new run of drops is logged again.
    for _ in 0..10 {
        lab.send(publ, publish("t", "x", 0, 0, false));
    }
    assert_eq!(lab.log().iter().filter(|l| *l == DROP_LINE).count(), 1);
}

#[test]
fn qos0_is_dropped_first_qos1_is_queued_to_the_limit_then_dropped() {
    let mut lab = limited(3, 2);
    let (slow, _fast) = slow_and_fast(&mut lab, 1);
    let publ = lab.connect("pub");
    // Two QoS 1 fill its window (it never acknowledges: it reads nothing).
    lab.send(publ, publish("t", "a1", 1, 1, false));
    lab.send(publ, publish("t", "a2", 1, 2, false));
    // QoS 0: everything waiting (2 in flight + unsent QoS 0) less the window
    // must stay under 3, so 3 QoS 0 go out, then they are dropped.
    for i in 1..=5 {
        lab.send(publ, publish("t", &format!("z{i}"), 0, 0, false));
    }
    assert_eq!(payloads(&lab, slow), ["a1", "a2", "z1", "z2", "z3"]);
    assert_eq!(drops(&lab, DropReason::TooSlow), 2);
    // QoS 1 is still queued, up to 3 beyond the window, while QoS 0 is dropped.
    lab.clear();
    for i in 3..=7 {
        lab.send(publ, publish("t", &format!("a{i}"), 1, i, false));
    }
    lab.send(publ, publish("t", "z6", 0, 0, false));
    let s = lab.broker.session("slow").unwrap();
    let queued: Vec<String> = s
        .queued
        .iter()
        .map(|m| String::from_utf8_lossy(&m.payload).into_owned())
        .collect();
    assert_eq!(queued, ["a3", "a4", "a5"]);
    assert_eq!(drops(&lab, DropReason::QueueFull), 2, "a6 and a7");
    assert_eq!(drops(&lab, DropReason::TooSlow), 1, "z6");
    assert_eq!(s.dropped, 5);
    // The publisher got every PUBACK, at once: nobody waits on `slow`.
    let pubacks = lab
        .packets_to(publ)
        .iter()
        .filter(|p| matches!(p, Packet::Puback(_)))
        .count();
    assert_eq!(pubacks, 5);
}

#[test]
fn a_subscriber_that_never_acknowledges_does_not_stall_qos1_publishers() {
    let mut lab = Lab::default();
    let bad = lab.connect("bad");
    lab.send(bad, subscribe(1, &[("t", 1)]));
    let good = lab.connect("good");
    lab.send(good, subscribe(1, &[("t", 1)]));
    let publ = lab.connect("pub");
    lab.clear();
    for i in 1..=2000u16 {
        lab.send(publ, publish("t", "x", 1, i, false));
        lab.send(good, Packet::Puback(pid(i)));
    }
    let pubacks = lab
        .packets_to(publ)
        .iter()
        .filter(|p| matches!(p, Packet::Puback(_)))
        .count();
    assert_eq!(pubacks, 2000, "every PUBLISH acknowledged at once");
    assert_eq!(lab.publishes_to(good).len(), 2000);
    let s = lab.broker.session("bad").unwrap();
    assert_eq!(
        (s.inflight.len(), s.queued.len()),
        (20, 1000),
        "mosquitto's defaults"
    );
    assert_eq!(s.dropped, 980);
}

#[test]
fn byte_limits_bound_the_window_and_the_queue() {
    let mut lab = Lab::new(BrokerConfig {
        socket_feedback: true,
        max_inflight_messages: 0,
        max_inflight_bytes: 10,
        max_queued_messages: 0,
        max_queued_bytes: 10,
        ..BrokerConfig::default()
    });
    let (slow, _fast) = slow_and_fast(&mut lab, 1);
    let publ = lab.connect("pub");
    for i in 1..=6u16 {
        lab.send(publ, publish("t", "12345", 1, i, false));
    }
    // 10 bytes in flight (two), then queued while in flight + queued - 10 < 10.
    assert_eq!(payloads(&lab, slow).len(), 2);
    let s = lab.broker.session("slow").unwrap();
    assert_eq!((s.inflight.len(), s.queued.len(), s.dropped), (2, 2, 2));
}

#[test]
fn without_socket_feedback_nothing_counts_as_unsent() {
    let mut lab = Lab::new(BrokerConfig {
        max_queued_messages: 2,
        ..BrokerConfig::default()
    });
    let sub = lab.connect("sub");
    lab.send(sub, subscribe(1, &[("t", 0)]));
    let publ = lab.connect("pub");
    lab.clear();
    for _ in 0..50 {
        lab.send(publ, publish("t", "x", 0, 0, false));
    }
    assert_eq!(lab.publishes_to(sub).len(), 50);
    assert_eq!(lab.broker.stats().messages_dropped, 0);
}

#[test]
fn retained_limits_keep_delivering_but_stop_storing() {
    let mut lab = Lab::new(BrokerConfig {
        max_retained_messages: 2,
        max_retained_bytes: 12,
        ..BrokerConfig::default()
    });
    let sub = lab.connect("sub");
    lab.send(sub, subscribe(1, &[("r/#", 0)]));
    let p = lab.connect("p");
    lab.send(p, publish("r/a", "aaaa", 0, 0, true));
    lab.send(p, publish("r/b", "bbbb", 0, 0, true));
    lab.clear();
    lab.send(p, publish("r/c", "cccc", 1, 1, true));
    assert_eq!(payloads(&lab, sub), ["cccc"], "still delivered live");
    assert_eq!(lab.packets_to(p), [Packet::Puback(pid(1))]);
    assert!(lab.log().contains(
        &"Retained message from p on 'r/c' not stored: max_retained_messages (2) reached."
            .to_owned()
    ));
    assert!(lab.events().contains(&BrokerEvent::LimitReached {
        conn: Some(p),
        client_id: Some("p".into()),
        limit: Limit::RetainedMessages,
        topic: Some("r/c".into()),
    }));
    let topics =
        |lab: &Lab| -> Vec<String> { lab.broker.retained().map(|m| m.topic.to_string()).collect() };
    assert_eq!(topics(&lab), ["r/a", "r/b"]);
    // Replacing an existing topic is fine within the bytes; growing past them is not.
    lab.send(p, publish("r/a", "AAAA", 0, 0, true));
    lab.send(p, publish("r/b", "BBBBBBBBBB", 0, 0, true));
    let kept: Vec<String> = lab
        .broker
        .retained()
        .map(|m| String::from_utf8_lossy(&m.payload).into_owned())
        .collect();
    assert_eq!(kept, ["AAAA", "bbbb"]);
    // Clearing makes room.
    lab.send(p, publish("r/a", "", 0, 0, true));
    lab.send(p, publish("r/c", "cccc", 0, 0, true));
    assert_eq!(topics(&lab), ["r/b", "r/c"]);
    assert_eq!(lab.broker.stats().retained_refused, 2);
}

#[test]
fn subscriptions_per_client_beyond_the_limit_get_0x80() {
    let mut lab = Lab::new(BrokerConfig {
        max_subscriptions_per_client: 2,
        ..BrokerConfig::default()
    });
    let c = lab.connect("c");
    lab.send(c, subscribe(1, &[("a", 0), ("b/+", 1)]));
    lab.clear();
    lab.send(c, subscribe(2, &[("c", 1), ("a", 2)]));
    // `c` would be a third; `a` replaces an existing one (MQTT-3.8.4-3).
    assert_eq!(
        suback(&lab, c),
        [SubackReturnCode::Failure, SubackReturnCode::Success(qos(2))]
    );
    assert!(lab.log().contains(
        &"Subscription of c to 'c' denied: max_subscriptions_per_client (2) reached.".to_owned()
    ));
    lab.send(c, unsubscribe(3, &["a"]));
    lab.clear();
    lab.send(c, subscribe(4, &[("c", 1)]));
    assert_eq!(suback(&lab, c), [SubackReturnCode::Success(qos(1))]);
    // Another client has its own allowance.
    let d = lab.connect("d");
    lab.clear();
    lab.send(d, subscribe(1, &[("x", 0), ("y", 0)]));
    assert_eq!(suback(&lab, d).len(), 2);
    assert!(!suback(&lab, d).contains(&SubackReturnCode::Failure));
    assert_eq!(lab.broker.stats().subscriptions_refused, 1);
}

#[test]
fn topic_limits_refuse_filters_with_0x80_and_close_on_publish_and_will() {
    let mut lab = Lab::new(BrokerConfig {
        max_topic_length: 16,
        max_topic_levels: 3,
        ..BrokerConfig::default()
    });
    let c = lab.connect("c");
    lab.clear();
    lab.send(
        c,
        subscribe(1, &[("a/b/c/d", 0), ("a/+/c", 0), ("0123456789abcdefg", 0)]),
    );
    assert_eq!(
        suback(&lab, c),
        [
            SubackReturnCode::Failure,
            SubackReturnCode::Success(qos(0)),
            SubackReturnCode::Failure
        ]
    );
    lab.clear();
    lab.send(c, publish("a/b/c/d", "x", 0, 0, false));
    assert_eq!(lab.closed(), [(c, CloseReason::Limit(Limit::TopicLevels))]);
    assert!(lab
        .log()
        .contains(&"Topic from c refused: longer than max_topic_levels (3).".to_owned()));
    // A will whose topic is too long: the CONNECT is not answered.
    lab.clear();
    let w = lab.connect_with(
        "127.0.0.1",
        with_will(connect("w"), "0123456789abcdefg", "bye", qos(0), false),
    );
    assert_eq!(lab.packets_to(w), []);
    assert_eq!(lab.closed(), [(w, CloseReason::Limit(Limit::TopicLength))]);
    assert_eq!(lab.broker.stats().topics_refused, 2);
    assert_eq!(lab.broker.stats().subscriptions_refused, 2);
}

#[test]
fn default_topic_levels_are_mosquittos() {
    let mut lab = Lab::default();
    let c = lab.connect("c");
    lab.clear();
    let ok = "a/".repeat(200); // 200 separators, 201 levels
    let deep = "a/".repeat(201);
    lab.send(c, subscribe(1, &[(ok.as_str(), 0), (deep.as_str(), 0)]));
    assert_eq!(
        suback(&lab, c),
        [SubackReturnCode::Success(qos(0)), SubackReturnCode::Failure]
    );
}

#[test]
fn connections_per_address_are_bounded_before_connect() {
    let mut lab = Lab::new(BrokerConfig {
        max_connections_per_address: 2,
        ..BrokerConfig::default()
    });
    let a = lab.open("10.0.0.7");
    let _b = lab.open("10.0.0.7");
    lab.clear();
    let c = lab.open("10.0.0.7");
    assert_eq!(
        lab.closed(),
        [(c, CloseReason::Limit(Limit::ConnectionsPerAddress))]
    );
    assert!(lab.log().contains(
        &"Client connection from 10.0.0.7 denied: max_connections_per_address (2) reached."
            .to_owned()
    ));
    // Bytes for the refused connection are ignored; another address is served.
    lab.send(c, Packet::Connect(connect("late")));
    assert!(lab.packets_to(c).is_empty());
    let other = lab.connect_with("10.0.0.8", connect("other"));
    assert!(matches!(lab.packets_to(other)[..], [Packet::Connack(_)]));
    // One leaves: room for one more.
    lab.drop_conn(a);
    lab.clear();
    let d = lab.open("10.0.0.7");
    assert!(lab.closed().is_empty());
    lab.send(d, Packet::Connect(connect("d")));
    assert!(matches!(lab.packets_to(d)[..], [Packet::Connack(_)]));
    assert_eq!(lab.broker.stats().connections_refused, 1);
}

#[test]
fn retained_messages_on_subscribe_are_not_dropped_for_the_backlog() {
    let mut lab = limited(2, 1);
    let p = lab.connect("p");
    for i in 0..30 {
        lab.send(p, publish(&format!("r/{i}"), "v", 0, 0, true));
    }
    let s = lab.connect("s");
    lab.clear();
    lab.send(s, subscribe(1, &[("r/#", 0)]));
    // The answer to its own SUBSCRIBE, bounded by the retained store.
    assert_eq!(lab.publishes_to(s).len(), 30);
    assert_eq!(lab.broker.stats().messages_dropped, 0);
    // Its socket has taken none of it: a live QoS 0 message is dropped.
    lab.send(p, publish("r/0", "live", 0, 0, false));
    assert_eq!(lab.publishes_to(s).len(), 30);
    assert_eq!(lab.broker.stats().messages_dropped, 1);
}

#[test]
fn qos2_messages_a_client_never_releases_are_bounded() {
    // In flight + queued: 2 + 3 held between PUBREC and PUBREL, then dropped
    // unacknowledged (as mosquitto drops them), with the drop line.
    let mut lab = limited(3, 2);
    let sub = lab.connect("watcher");
    lab.send(sub, subscribe(1, &[("t", 2)]));
    let p = lab.connect("slow");
    lab.clear();
    for id in 1..=7 {
        lab.send(p, publish("t", "x", 2, id, false));
    }
    let pubrecs: Vec<Packet> = lab
        .packets_to(p)
        .into_iter()
        .filter(|p| matches!(p, Packet::Pubrec(_)))
        .collect();
    assert_eq!(
        pubrecs,
        (1..=5).map(|i| Packet::Pubrec(pid(i))).collect::<Vec<_>>()
    );
    assert_eq!(drops(&lab, DropReason::QueueFull), 2);
    assert_eq!(lab.log().iter().filter(|l| *l == DROP_LINE).count(), 1);
    // A resend of a held one is still answered; a release makes room.
    lab.clear();
    lab.send(p, publish("t", "x", 2, 3, false));
    lab.send(p, Packet::Pubrel(pid(1)));
    lab.send(p, publish("t", "x", 2, 6, false));
    let answers: Vec<Packet> = lab
        .packets_to(p)
        .into_iter()
        .filter(|p| !matches!(p, Packet::Publish(_)))
        .collect();
    assert_eq!(
        answers,
        vec![
            Packet::Pubrec(pid(3)),
            Packet::Pubcomp(pid(1)),
            Packet::Pubrec(pid(6))
        ]
    );
    assert_eq!(
        lab.publishes_to(sub).len(),
        1,
        "the released one is delivered"
    );
}
