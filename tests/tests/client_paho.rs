//! `mqttlab pub` / `mqttlab sub` against paho-mqtt 2.1 (PyPI) through a real
//! `mosquitto`: what the mosquitto command-line tools cannot show, such as the QoS
//! and RETAIN flags a subscriber receives, and binary payloads byte for byte.
//! Skipped, with a note, when python3 with paho-mqtt or mosquitto is missing.

mod client_common;

use client_common::*;
use mqttlab_tests::peers::{have, Peer};
use mqttlab_tests::procs::{have_mosquitto, mqttlab_within, Mosquitto, Proc};

/// Subscribes at QoS 2, prints READY after SUBACK, then one JSON line per message
/// with the flags as received; exits after N messages or 30 s.
const PAHO_SUB: &str = r#"
import sys, json, time
import paho.mqtt.client as mqtt
port, topic, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
got = []
def on_connect(c, u, flags, rc, props=None):
    c.subscribe(topic, qos=2)
def on_subscribe(c, u, mid, rcs, props=None):
    print("READY", flush=True)
def on_message(c, u, m):
    print(json.dumps({"topic": m.topic, "payload": m.payload.hex(), "qos": m.qos,
                      "retain": bool(m.retain)}), flush=True)
    got.append(m)
c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
c.on_connect, c.on_subscribe, c.on_message = on_connect, on_subscribe, on_message
c.connect("127.0.0.1", port)
c.loop_start()
end = time.time() + 30
while len(got) < n and time.time() < end:
    time.sleep(0.02)
c.disconnect()
c.loop_stop()
"#;

/// Publishes every byte value 0..=255 as one retained QoS 1 message.
const PAHO_PUB_BINARY: &str = r#"
import sys
import paho.mqtt.client as mqtt
port, topic = int(sys.argv[1]), sys.argv[2]
c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
c.connect("127.0.0.1", port)
c.loop_start()
c.publish(topic, bytes(range(256)), qos=1, retain=True).wait_for_publish(10)
c.disconnect()
c.loop_stop()
"#;

fn have_paho() -> bool {
    have(&[Peer::Paho]) && have_mosquitto()
}

fn paho_sub(b: &Mosquitto, topic: &str, n: u32) -> Proc {
    let port = b.port();
    let n = n.to_string();
    let mut p = Proc::spawn(
        "paho subscriber",
        std::path::Path::new("python3"),
        &["-c", PAHO_SUB, &port, topic, &n],
    );
    p.wait_line(T, |l| l == "READY");
    p
}

fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn paho_receives_our_qos_and_retain_flags() {
    if !have_paho() {
        return;
    }
    let b = Mosquitto::start();
    let port = b.port();
    let mut sub = paho_sub(&b, "lab/#", 2);
    for (topic, msg, qos) in [("lab/q2", "hello", "2"), ("lab/q1", "ola", "1")] {
        let mut p = ours(
            "mqttlab pub",
            "pub",
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &port,
                "-t",
                topic,
                "-m",
                msg,
                "-q",
                qos,
            ],
        );
        assert!(p.wait(T).success());
    }
    // paho hands a QoS 2 message over at PUBREL, so the QoS 1 one sent after it
    // may reach the application first: compare as a set.
    let mut got = sub.messages(T);
    got.sort();
    assert_eq!(
        got,
        [
            format!(
                r#"{{"topic": "lab/q1", "payload": "{}", "qos": 1, "retain": false}}"#,
                hex("ola")
            ),
            format!(
                r#"{{"topic": "lab/q2", "payload": "{}", "qos": 2, "retain": false}}"#,
                hex("hello")
            ),
        ]
    );
    // Retained at QoS 1: a later subscriber gets it with RETAIN=1.
    let mut p = ours(
        "mqttlab pub",
        "pub",
        &[
            "-h",
            "127.0.0.1",
            "-p",
            &port,
            "-t",
            "lab/r",
            "-m",
            "kept",
            "-q",
            "1",
            "-r",
        ],
    );
    assert!(p.wait(T).success());
    let mut late = paho_sub(&b, "lab/r", 1);
    assert_eq!(
        late.messages(T),
        [format!(
            r#"{{"topic": "lab/r", "payload": "{}", "qos": 1, "retain": true}}"#,
            hex("kept")
        )]
    );
}

#[test]
fn paho_receives_our_will_at_its_qos_and_retained() {
    if !have_paho() {
        return;
    }
    let b = Mosquitto::start();
    let port = b.port();
    let mut sub = paho_sub(&b, "sensor1/status", 2);
    let mut p = ours(
        "mqttlab pub",
        "pub",
        &[
            "-h",
            "127.0.0.1",
            "-p",
            &port,
            "-t",
            "sensor1/status",
            "-m",
            "on-line",
            "-q",
            "1",
            "--repeat",
            "20",
            "--repeat-delay",
            "5",
            "--will-topic",
            "sensor1/status",
            "--will-payload",
            "off-line",
            "--will-qos",
            "1",
            "--will-retain",
        ],
    );
    sub.wait_line(T, |l| l.contains(&hex("on-line")));
    p.kill();
    let will = sub.wait_line(T, |l| l.contains(&hex("off-line")));
    assert!(will.contains(r#""qos": 1"#), "{will}");
    let mut late = paho_sub(&b, "sensor1/status", 1);
    assert_eq!(
        late.messages(T),
        [format!(
            r#"{{"topic": "sensor1/status", "payload": "{}", "qos": 1, "retain": true}}"#,
            hex("off-line")
        )]
    );
}

#[test]
fn our_sub_prints_a_binary_payload_byte_for_byte() {
    if !have_paho() {
        return;
    }
    let b = Mosquitto::start();
    let port = b.port();
    let mut publ = Proc::spawn(
        "paho publisher",
        std::path::Path::new("python3"),
        &["-c", PAHO_PUB_BINARY, &port, "bin"],
    );
    assert!(publ.wait(T).success());
    let out = mqttlab_within(15)
        .args([
            "sub",
            "-h",
            "127.0.0.1",
            "-p",
            &port,
            "-t",
            "bin",
            "-q",
            "1",
            "-C",
            "1",
            "-N",
            "-W",
            "10",
        ])
        .output()
        .expect("run mqttlab sub");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(out.stdout, (0..=255u8).collect::<Vec<u8>>());
}
