//! The `$SYS/broker/...` tree (`broker/sys.rs`): mosquitto 2.0.11's topics and
//! payloads, ticked by the virtual clock. The topic names and payload formats
//! are checked against a real mosquitto in `tests/tests/sys_tree.rs`.

use std::time::Duration;

use mqttlab_core::broker::BrokerConfig;
use mqttlab_core::time::Instant;

use crate::harness::*;

fn sys_lab(secs: u64) -> Lab {
    Lab::new(BrokerConfig {
        sys_interval: Some(Duration::from_secs(secs)),
        ..BrokerConfig::default()
    })
}

/// The retained `$SYS` messages, topic -> payload.
fn retained(lab: &Lab) -> Vec<(String, String)> {
    lab.broker
        .retained()
        .filter(|m| m.topic.as_str().starts_with("$SYS/"))
        .map(|m| {
            (
                m.topic.to_string(),
                String::from_utf8_lossy(&m.payload).into_owned(),
            )
        })
        .collect()
}

fn value(lab: &Lab, topic: &str) -> Option<String> {
    retained(lab)
        .into_iter()
        .find(|(t, _)| t == topic)
        .map(|(_, v)| v)
}

#[test]
fn off_by_default_no_sys_topics_and_no_deadline() {
    let mut lab = Lab::default();
    assert_eq!(lab.broker.poll_timeout(), None);
    lab.connect("c");
    lab.advance(Duration::from_secs(60));
    assert!(retained(&lab).is_empty());
}

#[test]
fn first_tick_publishes_every_topic_in_mosquittos_order() {
    let mut lab = sys_lab(10);
    assert_eq!(lab.broker.poll_timeout(), Some(Instant::ZERO));
    let s = lab.connect("watcher");
    lab.send(s, subscribe(1, &[("$SYS/#", 0)]));
    lab.clear();
    lab.advance(Duration::ZERO);
    let got: Vec<(String, String)> = lab
        .publishes_to(s)
        .iter()
        .map(|p| (p.topic.to_string(), text(p)))
        .collect();
    let topics: Vec<&str> = got.iter().map(|(t, _)| t.as_str()).collect();
    let mut want = vec![
        "$SYS/broker/version",
        "$SYS/broker/uptime",
        "$SYS/broker/clients/total",
        "$SYS/broker/clients/maximum",
        "$SYS/broker/clients/inactive",
        "$SYS/broker/clients/disconnected",
        "$SYS/broker/clients/active",
        "$SYS/broker/clients/connected",
        "$SYS/broker/clients/expired",
    ];
    let loads = [
        "messages/received",
        "messages/sent",
        "publish/dropped",
        "publish/received",
        "publish/sent",
        "bytes/received",
        "bytes/sent",
        "sockets",
        "connections",
    ];
    let load_topics: Vec<String> = ["1min", "5min", "15min"]
        .iter()
        .flat_map(|p| {
            loads
                .iter()
                .map(move |l| format!("$SYS/broker/load/{l}/{p}"))
        })
        .collect();
    want.extend(load_topics.iter().map(String::as_str));
    want.extend([
        "$SYS/broker/messages/stored",
        "$SYS/broker/store/messages/count",
        "$SYS/broker/store/messages/bytes",
        "$SYS/broker/subscriptions/count",
        "$SYS/broker/shared_subscriptions/count",
        "$SYS/broker/retained messages/count",
        "$SYS/broker/messages/received",
        "$SYS/broker/messages/sent",
        "$SYS/broker/publish/messages/dropped",
        "$SYS/broker/publish/messages/received",
        "$SYS/broker/publish/messages/sent",
        "$SYS/broker/bytes/received",
        "$SYS/broker/bytes/sent",
        "$SYS/broker/publish/bytes/received",
        "$SYS/broker/publish/bytes/sent",
    ]);
    assert_eq!(topics, want);
    let v = |t: &str| got.iter().find(|(x, _)| x == t).unwrap().1.clone();
    assert_eq!(v("$SYS/broker/version"), "mosquitto version 2.0.11");
    assert_eq!(v("$SYS/broker/uptime"), "0 seconds");
    assert_eq!(v("$SYS/broker/clients/connected"), "1");
    assert_eq!(v("$SYS/broker/clients/maximum"), "1");
    assert_eq!(v("$SYS/broker/subscriptions/count"), "1");
    // CONNECT and SUBSCRIBE in; CONNACK, SUBACK and the $SYS messages
    // delivered so far out.
    assert_eq!(v("$SYS/broker/messages/received"), "2");
    let before = topics
        .iter()
        .position(|t| *t == "$SYS/broker/messages/sent")
        .unwrap();
    assert_eq!(v("$SYS/broker/messages/sent"), (2 + before).to_string());
    for l in &load_topics {
        assert_eq!(v(l), "0.00", "{l}");
    }
    // Sent retained at QoS 2, delivered at the subscription's QoS 0.
    assert!(lab.publishes_to(s).iter().all(|p| p.qos().as_u8() == 0));
}

#[test]
fn later_ticks_publish_uptime_and_only_what_changed() {
    let mut lab = sys_lab(10);
    lab.advance(Duration::ZERO);
    let s = lab.connect("watcher");
    lab.send(s, subscribe(1, &[("$SYS/broker/#", 0)]));
    lab.clear();
    lab.advance(Duration::from_secs(10));
    let got: Vec<(String, String)> = lab
        .publishes_to(s)
        .iter()
        .map(|p| (p.topic.to_string(), text(p)))
        .collect();
    let topics: Vec<&str> = got.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(topics[0], "$SYS/broker/uptime");
    assert_eq!(got[0].1, "10 seconds");
    assert!(!topics.contains(&"$SYS/broker/version"));
    assert!(
        !topics.contains(&"$SYS/broker/clients/expired"),
        "{topics:?}"
    );
    assert!(!topics.contains(&"$SYS/broker/publish/messages/dropped"));
    assert!(topics.contains(&"$SYS/broker/clients/connected"));
    assert!(topics.contains(&"$SYS/broker/messages/received"));
    // Live deliveries carry RETAIN=0 (MQTT-3.3.1-9); the store keeps them.
    assert!(lab.publishes_to(s).iter().all(|p| !p.retain));
    assert_eq!(
        value(&lab, "$SYS/broker/uptime").as_deref(),
        Some("10 seconds")
    );
    assert_eq!(lab.broker.poll_timeout(), Some(Instant::from_secs(20)));
}

#[test]
fn a_new_subscriber_gets_the_tree_as_retained_messages() {
    let mut lab = sys_lab(5);
    lab.advance(Duration::from_secs(5));
    let s = lab.connect("late");
    lab.clear();
    lab.send(s, subscribe(1, &[("$SYS/broker/uptime", 1)]));
    let p = lab.publishes_to(s);
    assert_eq!(p.len(), 1);
    assert!(p[0].retain);
    assert_eq!(text(&p[0]), "5 seconds");
}

/// MQTT-4.7.2-1: a filter beginning with a wildcard does not match `$SYS`.
#[test]
fn hash_and_plus_do_not_see_sys() {
    let mut lab = sys_lab(1);
    let s = lab.connect("all");
    lab.send(s, subscribe(1, &[("#", 2), ("+/broker/#", 2)]));
    lab.clear();
    lab.advance(Duration::from_secs(5));
    assert!(lab.publishes_to(s).is_empty());
    assert!(!retained(&lab).is_empty());
}

#[test]
fn counts_clients_sessions_messages_and_bytes() {
    let mut lab = sys_lab(10);
    lab.advance(Duration::ZERO);
    let p = lab.connect_with("10.0.0.2", persistent("sensor"));
    lab.send(p, publish("casa/temp", "21.5", 1, 1, true));
    lab.send(p, publish("casa/temp", "21.6", 0, 0, false));
    lab.drop_conn(p);
    let _live = lab.connect("live");
    lab.advance(Duration::from_secs(10));
    let v = |t: &str| value(&lab, t).unwrap_or_else(|| panic!("{t} missing"));
    assert_eq!(v("$SYS/broker/clients/total"), "2");
    assert_eq!(v("$SYS/broker/clients/connected"), "1");
    assert_eq!(v("$SYS/broker/clients/disconnected"), "1");
    assert_eq!(v("$SYS/broker/clients/inactive"), "1");
    assert_eq!(v("$SYS/broker/clients/maximum"), "2");
    assert_eq!(v("$SYS/broker/publish/messages/received"), "2");
    assert_eq!(v("$SYS/broker/publish/bytes/received"), "8");
    // 3 packets from sensor, 1 from live.
    assert_eq!(v("$SYS/broker/messages/received"), "4");
    let connect = 2 + 10 + 2 + 6; // fixed header, variable header, "sensor"
    let qos1_pub = 2 + 11 + 2 + 4; // fixed header, topic, id, payload
    let qos0_pub = 2 + 11 + 4;
    let live = 2 + 10 + 2 + 4;
    assert_eq!(
        v("$SYS/broker/bytes/received"),
        (connect + qos1_pub + qos0_pub + live).to_string()
    );
    // The retained casa/temp and every retained $SYS message.
    let retained_count: usize = v("$SYS/broker/retained messages/count").parse().unwrap();
    assert_eq!(retained_count, lab.broker.retained().count());
}

/// The load averages are mosquitto's exponentially damped rates per minute:
/// 60 PUBLISH in the first 10 s is 360 a minute, damped by exp(-10/60).
#[test]
fn load_averages_damp_the_rate_per_minute() {
    let mut lab = sys_lab(10);
    lab.advance(Duration::ZERO);
    let p = lab.connect("pub");
    for _ in 0..60 {
        lab.send(p, publish("t", "x", 0, 0, false));
    }
    lab.advance(Duration::from_secs(10));
    let rate = 360.0_f64;
    let one = rate * (1.0 - (-10.0_f64 / 60.0).exp());
    let five = rate * (1.0 - (-10.0_f64 / 300.0).exp());
    assert_eq!(
        value(&lab, "$SYS/broker/load/publish/received/1min").unwrap(),
        format!("{one:.2}")
    );
    assert_eq!(
        value(&lab, "$SYS/broker/load/publish/received/5min").unwrap(),
        format!("{five:.2}")
    );
    assert_eq!(
        value(&lab, "$SYS/broker/load/publish/received/1min").unwrap(),
        "55.27"
    );
    assert_eq!(
        value(&lab, "$SYS/broker/load/connections/1min").unwrap(),
        format!("{:.2}", 6.0 * (1.0 - (-10.0_f64 / 60.0).exp()))
    );
    // Nothing more for a while: the 1-minute load decays.
    lab.advance(Duration::from_secs(60));
    let later: f64 = value(&lab, "$SYS/broker/load/publish/received/1min")
        .unwrap()
        .parse()
        .unwrap();
    assert!(later < one / 2.0, "{later}");
}

#[test]
fn a_restart_of_the_clock_driver_late_skips_missed_ticks() {
    let mut lab = sys_lab(10);
    lab.advance(Duration::ZERO);
    // The driver wakes the broker 35 s late, once.
    lab.now = Instant::from_secs(45);
    lab.broker.handle_timeout(lab.now);
    assert_eq!(
        value(&lab, "$SYS/broker/uptime").as_deref(),
        Some("45 seconds")
    );
    assert_eq!(lab.broker.poll_timeout(), Some(Instant::from_secs(55)));
}
