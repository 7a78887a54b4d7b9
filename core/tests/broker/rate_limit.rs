//! `max_message_rate` (`broker/rate.rs`): a token bucket per connection on
//! PUBLISH. A flood is cut off after the burst, a 5.0 client told DISCONNECT
//! 0x96 Message rate too high and a 3.1.1 client closed, each with a log line;
//! its will goes out; subscribers see no more than the burst; a client at the
//! rate is never cut off; and without the word (mosquitto's default, which has
//! no such option) nothing is limited.

use std::time::Duration;

use bytes::Bytes;
use mqttlab_core::broker::{BrokerConfig, BrokerEvent, CloseReason, Limit, Output, RateLimit};
use mqttlab_core::codec::reason_codes::DisconnectReasonCode;
use mqttlab_core::codec::v5::{self, Packet as P5};
use mqttlab_core::codec::{AnyPacket, QoS, QosPid};
use mqttlab_core::topic::TopicName;

use super::harness::*;

fn limited(per_second: u32, burst: u32) -> Lab {
    Lab::new(BrokerConfig {
        max_message_rate: Some(RateLimit::new(per_second).with_burst(burst)),
        ..BrokerConfig::default()
    })
}

fn connect5(lab: &mut Lab, client_id: &str) -> mqttlab_core::broker::ConnId {
    let conn = lab.open("10.0.0.9");
    let c = P5::Connect(v5::Connect {
        clean_start: true,
        keep_alive: 60,
        properties: Vec::new(),
        client_id: client_id.into(),
        will: Some(v5::Will {
            topic: TopicName::new("status/flood").unwrap(),
            payload: Bytes::from_static(b"gone"),
            qos: QoS::AtMostOnce,
            retain: false,
            properties: Vec::new(),
        }),
        username: None,
        password: None,
    });
    lab.send_bytes(conn, &c.to_bytes().unwrap());
    conn
}

fn publish5(n: u16) -> Vec<u8> {
    P5::Publish(v5::Publish {
        dup: false,
        qospid: QosPid::AtLeastOnce(pid(n)),
        retain: false,
        topic: Some(TopicName::new("sala/flood").unwrap()),
        properties: Vec::new(),
        payload: Bytes::from(format!("m{n}")),
    })
    .to_bytes()
    .unwrap()
}

fn disconnects5(lab: &Lab, conn: mqttlab_core::broker::ConnId) -> Vec<v5::Disconnect> {
    lab.out
        .iter()
        .filter_map(|o| match o {
            Output::Transmit(t) if t.conn == conn => match &t.packet {
                AnyPacket::V5(P5::Disconnect(d)) => Some(d.clone()),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

#[test]
fn a_5_0_flood_is_cut_off_after_the_burst_with_disconnect_0x96() {
    let mut lab = limited(10, 5);
    let watcher = lab.connect("teacher");
    lab.send(watcher, subscribe(1, &[("sala/#", 0), ("status/#", 0)]));
    let flood = connect5(&mut lab, "student-7");
    lab.clear();
    // 100 PUBLISH in one instant: the burst of 5 goes through, the sixth
    // closes the connection and nothing after it is read.
    for n in 1..=100 {
        lab.send_bytes(flood, &publish5(n));
    }
    let seen: Vec<String> = lab.publishes_to(watcher).iter().map(text).collect();
    assert_eq!(
        seen,
        ["m1", "m2", "m3", "m4", "m5", "gone"],
        "the burst, then its will"
    );
    let [d] = &disconnects5(&lab, flood)[..] else {
        panic!("one DISCONNECT: {:?}", disconnects5(&lab, flood));
    };
    assert_eq!(d.reason, Some(DisconnectReasonCode::MessageRateTooHigh));
    assert_eq!(
        lab.closed(),
        [(flood, CloseReason::Limit(Limit::MessageRate))]
    );
    let log = lab.log();
    assert!(
        log.contains(&"Client student-7 disconnected: max_message_rate (10/s) exceeded.".into()),
        "{log:#?}"
    );
    assert!(lab.events().iter().any(|e| matches!(e,
        BrokerEvent::LimitReached { limit: Limit::MessageRate, client_id: Some(id), .. } if id == "student-7")));
    assert_eq!(lab.broker.stats().rate_limited, 1);
    assert_eq!(Limit::MessageRate.reason_code_v5(), Some(0x96));
    assert_eq!(Limit::MessageRate.config_word(), "max_message_rate");
}

#[test]
fn a_3_1_1_flood_is_closed_without_a_word_it_cannot_hear() {
    let mut lab = limited(10, 5);
    let watcher = lab.connect("teacher");
    lab.send(watcher, subscribe(1, &[("t", 0)]));
    let flood = lab.connect("old-client");
    lab.clear();
    for n in 1..=50 {
        lab.send(flood, publish("t", &format!("m{n}"), 1, n, false));
    }
    assert_eq!(lab.publishes_to(watcher).len(), 5);
    assert!(
        !lab.packets_to(flood)
            .iter()
            .any(|p| matches!(p, mqttlab_core::codec::Packet::Disconnect)),
        "3.1.1 has no DISCONNECT from the server"
    );
    assert_eq!(
        lab.closed(),
        [(flood, CloseReason::Limit(Limit::MessageRate))]
    );
    assert!(lab
        .log()
        .contains(&"Client old-client disconnected: max_message_rate (10/s) exceeded.".into()));
}

#[test]
fn a_client_at_the_rate_is_never_cut_off_and_the_bucket_is_per_connection() {
    let mut lab = limited(10, 5);
    let watcher = lab.connect("teacher");
    lab.send(watcher, subscribe(1, &[("t", 0)]));
    let steady = lab.connect("steady");
    let other = lab.connect("other");
    lab.clear();
    // 10 a second for a minute: 600 messages, none refused.
    for n in 1..=600u16 {
        lab.send(steady, publish("t", "s", 0, 0, false));
        if n % 100 == 0 {
            // Another connection's burst is its own.
            for _ in 0..5 {
                lab.send(other, publish("u", "o", 0, 0, false));
            }
            lab.advance(Duration::from_secs(1));
        }
        lab.advance(Duration::from_millis(100));
    }
    assert_eq!(lab.publishes_to(watcher).len(), 600);
    assert_eq!(lab.closed(), []);
    // A burst after a quiet spell (shorter than the watcher's keep alive):
    // the bucket refilled to 5, no more.
    lab.advance(Duration::from_secs(10));
    lab.clear();
    for _ in 0..6 {
        lab.send(steady, publish("t", "b", 0, 0, false));
    }
    assert_eq!(lab.publishes_to(watcher).len(), 5);
    assert_eq!(
        lab.closed(),
        [(steady, CloseReason::Limit(Limit::MessageRate))]
    );
}

#[test]
fn without_the_word_nothing_is_limited_as_in_mosquitto() {
    let mut lab = Lab::default();
    assert_eq!(BrokerConfig::default().max_message_rate, None);
    let watcher = lab.connect("teacher");
    lab.send(watcher, subscribe(1, &[("t", 0)]));
    let flood = lab.connect("flood");
    lab.clear();
    for n in 1..=5000u16 {
        lab.send(flood, publish("t", "x", 1, n, false));
    }
    assert_eq!(lab.publishes_to(watcher).len(), 5000);
    assert_eq!(lab.closed(), []);
}
