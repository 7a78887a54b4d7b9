//! A connection that never sends a complete CONNECT is closed after
//! `connect_timeout` (90 s by default, as mosquitto 2.0 does; §3.1, §4.8).

use std::time::Duration;

use mqttlab_core::broker::{BrokerConfig, BrokerEvent, CloseReason};
use mqttlab_core::codec::Packet;
use mqttlab_core::time::Instant;

use crate::harness::*;

#[test]
fn a_socket_without_connect_is_closed_at_90_s_in_mosquitto_wording() {
    let mut lab = Lab::default();
    lab.advance(Duration::from_secs(5));
    let c = lab.open("10.0.0.7");
    assert_eq!(lab.broker.poll_timeout(), Some(Instant::from_secs(95)));
    lab.clear();
    lab.advance(Duration::from_millis(89_999));
    assert!(lab.out.is_empty(), "not before 90 s: {:?}", lab.out);
    lab.advance(Duration::from_millis(1));
    assert_eq!(
        lab.log(),
        ["Client <unknown> has exceeded timeout, disconnecting."]
    );
    assert_eq!(lab.closed(), [(c, CloseReason::ConnectTimeout)]);
    assert!(lab.events().iter().any(|e| matches!(
        e,
        BrokerEvent::Disconnected {
            client_id: None,
            reason: CloseReason::ConnectTimeout,
            ..
        }
    )));
    assert_eq!(lab.broker.poll_timeout(), None);
}

#[test]
fn a_partial_connect_does_not_stop_the_clock() {
    // Slowloris: the first bytes of a CONNECT, then nothing.
    let mut lab = Lab::new(BrokerConfig {
        connect_timeout: Some(Duration::from_secs(10)),
        ..BrokerConfig::default()
    });
    let c = lab.open("10.0.0.7");
    let mut bytes = Vec::new();
    Packet::Connect(connect("slow")).encode(&mut bytes).unwrap();
    lab.advance(Duration::from_secs(9));
    lab.send_bytes(c, &bytes[..bytes.len() - 1]);
    lab.clear();
    lab.advance(Duration::from_secs(1));
    assert_eq!(lab.closed(), [(c, CloseReason::ConnectTimeout)]);
}

#[test]
fn connect_in_time_disarms_it_and_keep_alive_takes_over() {
    let mut lab = Lab::new(BrokerConfig {
        connect_timeout: Some(Duration::from_secs(10)),
        ..BrokerConfig::default()
    });
    let c = lab.open("10.0.0.7");
    lab.advance(Duration::from_secs(9));
    lab.send(c, Packet::Connect(connect("ok")));
    // keep alive 60: 1.5 x 60 s after CONNECT at 9 s.
    assert_eq!(lab.broker.poll_timeout(), Some(Instant::from_secs(99)));
    lab.clear();
    lab.advance(Duration::from_secs(60));
    assert!(lab.closed().is_empty());
}

#[test]
fn none_waits_for_ever() {
    let mut lab = Lab::new(BrokerConfig {
        connect_timeout: None,
        ..BrokerConfig::default()
    });
    lab.open("10.0.0.7");
    assert_eq!(lab.broker.poll_timeout(), None);
    lab.advance(Duration::from_secs(24 * 3600));
    assert!(lab.closed().is_empty());
}

#[test]
fn a_closed_socket_leaves_no_timer_behind() {
    let mut lab = Lab::default();
    let c = lab.open("10.0.0.7");
    lab.drop_conn(c);
    assert_eq!(lab.broker.poll_timeout(), None);
}
