//! paho-mqtt 2.1 (PyPI), a client no one here wrote, against `mqttlab broker`, for
//! what the mosquitto command-line tools cannot express: overlapping subscriptions
//! delivered once at the highest granted QoS, the session-present flag and an
//! offline message on a persistent session, a QoS 1 retained will after a socket
//! closed without DISCONNECT, and UNSUBSCRIBE.

use std::process::Command;
use std::time::Duration;

use mqttlab_tests::procs::{start_mqttlab_broker, Mosquitto};

const SCRIPT: &str = r#"
import json, sys, threading, time
import paho.mqtt.client as mqtt

port = int(sys.argv[1])

def client(cid, clean=True):
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=cid, clean_session=clean,
                    protocol=mqtt.MQTTv311)
    c.got, c.granted, c.present = [], [], None
    c.connected, c.subscribed = threading.Event(), threading.Event()
    def on_connect(cl, u, flags, rc, props=None):
        cl.present = bool(flags.session_present)
        cl.connected.set()
    def on_subscribe(cl, u, mid, rcs, props=None):
        cl.granted = [r.value for r in rcs]
        cl.subscribed.set()
    def on_message(cl, u, m):
        cl.got.append({"topic": m.topic, "payload": m.payload.decode(), "qos": m.qos,
                       "retain": bool(m.retain)})
    c.on_connect, c.on_subscribe, c.on_message = on_connect, on_subscribe, on_message
    return c

def start(c):
    c.connect("127.0.0.1", port, keepalive=60)
    c.loop_start()
    assert c.connected.wait(10), "no CONNACK"

def subscribe(c, topics):
    c.subscribed.clear()
    c.subscribe(topics)
    assert c.subscribed.wait(10), "no SUBACK"

def publish(c, topic, payload, qos, retain=False):
    c.publish(topic, payload, qos=qos, retain=retain).wait_for_publish(10)

def settle():
    time.sleep(0.5)

out = {}
pub = client("paho-pub"); start(pub)

# Overlapping subscriptions: one delivery, at the highest granted QoS.
a = client("paho-a"); start(a)
subscribe(a, [("casa/#", 1), ("casa/+/temperatura", 2)])
out["granted"] = a.granted
publish(pub, "casa/terreo/temperatura", "21.5", 2)
publish(pub, "casa/terreo/umidade", "60", 2)
settle()
out["overlap"] = list(a.got)

# UNSUBSCRIBE: casa/# gone, casa/+/temperatura stays.
a.got.clear()
a.unsubscribe("casa/#"); settle()
publish(pub, "casa/terreo/umidade", "61", 1)
publish(pub, "casa/terreo/temperatura", "22.0", 1)
settle()
out["after_unsubscribe"] = list(a.got)

# Persistent session: session present, and the message sent while away.
p = client("paho-persist", clean=False); start(p)
out["first_present"] = p.present
subscribe(p, [("topico", 1)])
p.disconnect(); p.loop_stop(); settle()
publish(pub, "topico", "enquanto-fora", 1)
p2 = client("paho-persist", clean=False); start(p2)
settle()
out["second_present"] = p2.present
out["offline"] = list(p2.got)
p2.disconnect(); p2.loop_stop()

# A will at QoS 1, retained, after a socket closed without DISCONNECT.
d = client("paho-sensor")
d.will_set("sensor1/status", "off-line", qos=1, retain=True)
start(d)
d.loop_stop()
d.socket().close()
settle()
late = client("paho-late"); start(late)
subscribe(late, [("sensor1/status", 1)])
settle()
out["will"] = list(late.got)

print(json.dumps(out), flush=True)
"#;

/// Runs the paho script against the broker on `port`; its results as JSON, with
/// the overlap deliveries sorted (QoS 1 and QoS 2 flows may finish in either order).
fn run_paho(port: &str) -> serde_json::Value {
    let out = Command::new("timeout")
        .args(["60", "python3", "-c", SCRIPT, port])
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "paho script failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let mut v: serde_json::Value = serde_json::from_str(text.trim()).expect("one JSON line");
    if let Some(list) = v["overlap"].as_array_mut() {
        list.sort_by_key(|m| m["topic"].as_str().unwrap_or_default().to_string());
    }
    v
}

fn have_paho() -> bool {
    Command::new("python3")
        .args(["-c", "import paho.mqtt.client"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

#[test]
fn paho_against_mqttlab_broker_and_mosquitto() {
    assert!(
        have_paho(),
        "python3 with paho-mqtt is missing: scripts/setup.sh test installs it"
    );
    let (_broker, port) = start_mqttlab_broker(&[], Duration::from_secs(30));
    let v = run_paho(&port.to_string());
    let msg = |topic: &str, payload: &str, qos: u8, retain: bool| serde_json::json!({"topic": topic, "payload": payload, "qos": qos, "retain": retain});

    assert_eq!(v["granted"], serde_json::json!([1, 2]));
    // One copy each, at min(publish QoS 2, the highest granted QoS among matches).
    assert_eq!(
        v["overlap"],
        serde_json::json!([
            msg("casa/terreo/temperatura", "21.5", 2, false),
            msg("casa/terreo/umidade", "60", 1, false)
        ])
    );
    assert_eq!(
        v["after_unsubscribe"],
        serde_json::json!([msg("casa/terreo/temperatura", "22.0", 1, false)])
    );
    assert_eq!(v["first_present"], false);
    assert_eq!(v["second_present"], true);
    assert_eq!(
        v["offline"],
        serde_json::json!([msg("topico", "enquanto-fora", 1, false)])
    );
    assert_eq!(
        v["will"],
        serde_json::json!([msg("sensor1/status", "off-line", 1, true)])
    );

    // The same client actions against real mosquitto give the same results.
    let mosquitto = Mosquitto::start();
    assert_eq!(run_paho(&mosquitto.port()), v);
}
