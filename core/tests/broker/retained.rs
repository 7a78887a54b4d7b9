//! Retained messages: store, replace, clear on empty payload, RETAIN=1 on
//! subscribe and RETAIN=0 when forwarded live.

use mqttlab_core::broker::{BrokerEvent, RetainChange};
use mqttlab_core::codec::Packet;

use crate::harness::*;

/// `mosquitto_pub -m mensagem -t topico -q 1 -r`, then
/// `mosquitto_sub -t topico -q 1`: the retained message follows the SUBACK.
#[test]
fn course_text_retained_message_sent_on_subscribe() {
    let mut lab = Lab::default();
    let p = lab.connect("pub");
    lab.send(p, publish("topico", "mensagem", 1, 1, true));
    lab.send(p, Packet::Disconnect);
    assert_eq!(lab.broker.retained().count(), 1);
    let s = lab.connect("sub");
    lab.clear();
    lab.send(s, subscribe(1, &[("topico", 1)]));
    assert_eq!(
        lab.log(),
        [
            "Received SUBSCRIBE from sub",
            "\ttopico (QoS 1)",
            "sub 1 topico",
            "Sending SUBACK to sub",
            "Sending PUBLISH to sub (d0, q1, r1, m1, 'topico', ... (8 bytes))",
        ]
    );
}

#[test]
fn retained_is_forwarded_live_with_retain_0_and_replaced_then_cleared() {
    let mut lab = Lab::default();
    let s = lab.connect("s");
    lab.send(s, subscribe(1, &[("t", 0)]));
    let p = lab.connect("p");
    lab.clear();
    lab.send(p, publish("t", "v1", 0, 0, true));
    lab.send(p, publish("t", "v2", 0, 0, true));
    let live = lab.publishes_to(s);
    assert_eq!(live.len(), 2);
    assert!(live.iter().all(|p| !p.retain), "MQTT-3.3.1-9");
    assert!(lab.events().contains(&BrokerEvent::RetainedChanged {
        topic: mqttlab_core::topic::TopicName::new("t").unwrap(),
        change: RetainChange::Replaced,
    }));
    let r: Vec<String> = lab
        .broker
        .retained()
        .map(|m| String::from_utf8_lossy(&m.payload).into_owned())
        .collect();
    assert_eq!(r, ["v2"]);

    // An empty retained payload clears it (MQTT-3.3.1-10/11), and is forwarded.
    lab.clear();
    lab.send(p, publish("t", "", 0, 0, true));
    assert_eq!(lab.broker.retained().count(), 0);
    assert_eq!(lab.publishes_to(s).len(), 1);
    let late = lab.connect("late");
    lab.send(late, subscribe(1, &[("t", 0)]));
    assert!(lab.publishes_to(late).is_empty());
}

#[test]
fn retained_qos_is_capped_by_the_granted_qos() {
    let mut lab = Lab::default();
    let p = lab.connect("p");
    lab.send(p, publish("t", "x", 2, 1, true));
    lab.send(p, Packet::Pubrel(pid(1)));
    let s = lab.connect("s");
    lab.clear();
    lab.send(s, subscribe(1, &[("t", 1)]));
    let got = lab.publishes_to(s);
    assert_eq!(
        summary(&got[0]),
        (false, 1, true, 1, "t".into(), "x".into())
    );
}

#[test]
fn dollar_topics_are_not_matched_by_leading_wildcards() {
    // MQTT-4.7.2-1
    let mut lab = Lab::default();
    let p = lab.connect("p");
    lab.send(p, publish("$SYS/uptime", "1", 0, 0, true));
    let all = lab.connect("all");
    lab.send(all, subscribe(1, &[("#", 0), ("+/uptime", 0)]));
    let sys = lab.connect("sys");
    lab.send(sys, subscribe(1, &[("$SYS/#", 0)]));
    lab.clear();
    lab.send(p, publish("$SYS/uptime", "2", 0, 0, false));
    assert!(lab.publishes_to(all).is_empty());
    assert_eq!(lab.publishes_to(sys).len(), 1);
}
