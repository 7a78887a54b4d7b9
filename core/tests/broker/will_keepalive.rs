//! Keep alive (1.5 x, 0 = off) and the Last Will: published on keep-alive timeout,
//! on a socket closed without DISCONNECT and on a protocol error, never after
//! DISCONNECT; will QoS and retain honoured.

use std::time::Duration;

use mqttlab_core::broker::{BrokerEvent, CloseReason};
use mqttlab_core::codec::{Packet, QoS};
use mqttlab_core::time::Instant;

use crate::harness::*;

fn keep_alive(mut c: mqttlab_core::codec::Connect, secs: u16) -> mqttlab_core::codec::Connect {
    c.keep_alive = secs;
    c
}

#[test]
fn keepalive_timeout_at_one_and_a_half_times_publishes_the_will() {
    // MQTT-3.1.2-24
    let mut lab = Lab::default();
    let watcher = lab.connect_with("127.0.0.1", keep_alive(connect("watcher"), 0));
    lab.send(watcher, subscribe(1, &[("w/t", 1)]));
    let c = lab.connect_with(
        "127.0.0.1",
        keep_alive(with_will(connect("ka"), "w/t", "gone", qos(1), false), 10),
    );
    assert_eq!(lab.broker.poll_timeout(), Some(Instant::from_secs(15)));
    lab.clear();
    lab.advance(Duration::from_millis(14_999));
    assert!(lab.out.is_empty(), "not before 15 s");
    lab.advance(Duration::from_millis(1));
    assert_eq!(
        lab.log(),
        [
            "Client ka has exceeded timeout, disconnecting.",
            "Sending PUBLISH to watcher (d0, q1, r0, m1, 'w/t', ... (4 bytes))",
        ]
    );
    assert_eq!(lab.closed(), [(c, CloseReason::KeepAliveTimeout)]);
    assert_eq!(lab.broker.poll_timeout(), None);
}

#[test]
fn any_packet_rearms_keepalive_and_pingreq_gets_pingresp() {
    let mut lab = Lab::default();
    let c = lab.connect_with("127.0.0.1", keep_alive(connect("pg"), 10));
    lab.advance(Duration::from_secs(14));
    lab.clear();
    lab.send(c, Packet::Pingreq);
    assert_eq!(lab.packets_to(c), [Packet::Pingresp]);
    assert_eq!(
        lab.log(),
        ["Received PINGREQ from pg", "Sending PINGRESP to pg"]
    );
    lab.advance(Duration::from_secs(14));
    assert!(lab.closed().is_empty());
    lab.advance(Duration::from_secs(1));
    assert_eq!(lab.closed().len(), 1);
}

#[test]
fn keepalive_zero_turns_the_timeout_off() {
    let mut lab = Lab::default();
    lab.connect_with("127.0.0.1", keep_alive(connect("forever"), 0));
    assert_eq!(lab.broker.poll_timeout(), None);
    lab.advance(Duration::from_secs(100_000));
    assert!(lab.closed().is_empty());
}

/// The course text's will experiment: `mosquitto_pub -r --will-topic
/// sensor1/status --will-payload off-line --will-retain`, a subscriber, and the
/// publisher's machine stopped: the subscriber gets "off-line", which is also kept
/// as the retained message.
#[test]
fn course_text_will_on_connection_lost_is_published_and_retained() {
    let mut lab = Lab::default();
    let sensor = lab.connect_with(
        "172.17.0.2",
        with_will(
            connect("sensor1"),
            "sensor1/status",
            "off-line",
            QoS::AtMostOnce,
            true,
        ),
    );
    assert_eq!(
        lab.log()[2..4],
        [
            "Will message specified (8 bytes) (r1, q0).",
            "\tsensor1/status"
        ]
    );
    lab.send(sensor, publish("sensor1/status", "on-line", 0, 0, true));
    let sub = lab.connect_with("172.17.0.3", connect("sub"));
    lab.send(sub, subscribe(1, &[("sensor1/status", 0)]));
    for _ in 0..3 {
        lab.advance(Duration::from_secs(5));
        lab.send(sensor, publish("sensor1/status", "on-line", 0, 0, true));
    }
    lab.drop_conn(sensor);
    let got: Vec<String> = lab.publishes_to(sub).iter().map(text).collect();
    assert_eq!(
        got,
        ["on-line", "on-line", "on-line", "on-line", "off-line"]
    );
    assert!(lab
        .log()
        .contains(&"Client sensor1 closed its connection.".to_string()));
    assert!(lab.events().contains(&BrokerEvent::WillPublished {
        client_id: "sensor1".into(),
        topic: mqttlab_core::topic::TopicName::new("sensor1/status").unwrap(),
        qos: QoS::AtMostOnce,
        retain: true,
    }));
    let retained: Vec<_> = lab.broker.retained().collect();
    assert_eq!(&retained[0].payload[..], b"off-line");
    assert!(
        lab.closed().is_empty(),
        "the driver closed it, not the broker"
    );
}

#[test]
fn no_will_after_disconnect() {
    // MQTT-3.1.2-10
    let mut lab = Lab::default();
    let sub = lab.connect("sub");
    lab.send(sub, subscribe(1, &[("w", 0)]));
    let c = lab.connect_with(
        "127.0.0.1",
        with_will(connect("c"), "w", "gone", qos(0), false),
    );
    lab.clear();
    lab.send(c, Packet::Disconnect);
    lab.drop_conn(c);
    assert!(lab.publishes_to(sub).is_empty());
    assert!(lab.events().contains(&BrokerEvent::WillDiscarded {
        client_id: "c".into()
    }));
    assert_eq!(lab.closed(), [(c, CloseReason::Disconnect)]);
}

#[test]
fn will_qos_is_honoured_and_capped_by_the_subscription() {
    let mut lab = Lab::default();
    let s2 = lab.connect("s2");
    lab.send(s2, subscribe(1, &[("w", 2)]));
    let s0 = lab.connect("s0");
    lab.send(s0, subscribe(1, &[("w", 0)]));
    let c = lab.connect_with(
        "127.0.0.1",
        with_will(connect("c"), "w", "gone", qos(2), false),
    );
    lab.clear();
    lab.drop_conn(c);
    assert_eq!(lab.publishes_to(s2)[0].qos(), QoS::ExactlyOnce);
    assert_eq!(lab.publishes_to(s0)[0].qos(), QoS::AtMostOnce);
}

#[test]
fn will_on_protocol_error() {
    let mut lab = Lab::default();
    let sub = lab.connect("sub");
    lab.send(sub, subscribe(1, &[("w", 0)]));
    let c = lab.connect_with(
        "127.0.0.1",
        with_will(connect("c"), "w", "gone", qos(0), false),
    );
    lab.clear();
    lab.send_bytes(c, &[0x00, 0x00]); // reserved packet type 0
    assert_eq!(text(&lab.publishes_to(sub)[0]), "gone");
}

#[test]
fn socket_error_is_logged_and_fires_the_will() {
    let mut lab = Lab::default();
    let sub = lab.connect("sub");
    lab.send(sub, subscribe(1, &[("w", 0)]));
    let c = lab.connect_with(
        "127.0.0.1",
        with_will(connect("se"), "w", "gone", qos(0), false),
    );
    lab.clear();
    lab.broker.handle_connection_error(lab.now, c);
    while let Some(o) = lab.broker.poll_output() {
        lab.out.push(o);
    }
    assert_eq!(lab.log()[0], "Socket error on client se, disconnecting.");
    assert_eq!(text(&lab.publishes_to(sub)[0]), "gone");
    assert!(lab.closed().is_empty());
}
