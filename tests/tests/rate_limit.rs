//! `max_message_rate` (core `broker/rate.rs`) on real sockets, with paho-mqtt
//! 2.1, a client no one here wrote, as the flooder, and against mosquitto
//! 2.0.11, which has no such option:
//!
//! - `mqttlab broker -c FILE` with `max_message_rate 10` and `max_message_burst
//!   50`: a 5.0 client publishing 500 messages as fast as it can is told
//!   DISCONNECT 0x96, which paho names "Message rate too high"; a 3.1.1 one is
//!   closed; a subscriber sees no more than the burst (and what refilled while
//!   the flood ran); the broker logs each;
//! - mosquitto 2.0.11 refuses the word (`Unknown configuration variable`), and
//!   without it delivers every one of the 500 and disconnects no one.
//!
//! Every wait is bounded; brokers run on free 127.0.0.1 ports.

use std::process::Command;
use std::time::Duration;

use mqttlab_tests::peers::{have, Peer};
use mqttlab_tests::procs::{
    free_port, mosquitto_conf, start_mqttlab_broker, Mosquitto, Proc, MOSQUITTO,
};

/// A subscriber to `flood/#`, then a flooder at MQTT `version` (5 or 4) that
/// publishes `n` QoS 1 messages without waiting; prints JSON: how many the
/// subscriber got, whether the flooder was disconnected and with what reason.
const SCRIPT: &str = r#"
import json, sys, threading, time
import paho.mqtt.client as mqtt

port, version, n = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
proto = mqtt.MQTTv5 if version == 5 else mqtt.MQTTv311

sub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="watcher", protocol=mqtt.MQTTv5)
got, ready = [], threading.Event()
sub.on_message = lambda c, u, m: got.append(m.payload)
sub.on_subscribe = lambda c, u, mid, rcs, props=None: ready.set()
sub.connect("127.0.0.1", port, keepalive=60)
sub.loop_start()
sub.subscribe("flood/#", qos=1)
assert ready.wait(10), "no SUBACK"

gone, why = threading.Event(), {}
f = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="flooder", protocol=proto)
up = threading.Event()
f.on_connect = lambda c, u, fl, rc, props=None: up.set()
def on_disconnect(c, u, flags, rc, props=None):
    why["value"], why["name"] = rc.value, str(rc)
    gone.set()
f.on_disconnect = on_disconnect
f.connect("127.0.0.1", port, keepalive=60)
f.loop_start()
assert up.wait(10), "no CONNACK"
start = time.monotonic()
for i in range(n):
    if gone.is_set():
        break
    f.publish("flood/x", str(i), qos=1)
# Until the flooder is cut off or every message arrived (at most 10 s).
deadline = start + 10
while time.monotonic() < deadline and not gone.is_set() and len(got) < n:
    time.sleep(0.01)
elapsed = time.monotonic() - start
time.sleep(0.3)
f.loop_stop()
print(json.dumps({"got": len(got), "disconnected": gone.is_set(), "reason": why,
                  "elapsed": elapsed}), flush=True)
sub.disconnect(); sub.loop_stop()
"#;

fn flood(port: u16, version: u8, n: u32) -> serde_json::Value {
    let out = Command::new("timeout")
        .args([
            "60",
            "python3",
            "-c",
            SCRIPT,
            &port.to_string(),
            &version.to_string(),
            &n.to_string(),
        ])
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "paho script failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(text.trim()).expect("one JSON line")
}

fn broker_with(config: &str) -> (Proc, u16, std::path::PathBuf) {
    let file = std::env::temp_dir().join(format!(
        "mqttlab-rate-{}-{}.conf",
        std::process::id(),
        free_port()
    ));
    std::fs::write(&file, config).unwrap();
    let (b, port) = start_mqttlab_broker(&["-c", file.to_str().unwrap()], Duration::from_secs(30));
    (b, port, file)
}

#[test]
fn a_flood_is_cut_off_with_0x96_for_5_0_and_closed_for_3_1_1() {
    if !have(&[Peer::Paho]) {
        return;
    }
    let (mut broker, port, file) = broker_with("max_message_rate 10\nmax_message_burst 50\n");
    for version in [5u8, 4] {
        let v = flood(port, version, 500);
        eprintln!("mqttlab broker, MQTT {version} flood of 500: {v}");
        assert_eq!(v["disconnected"], true, "{v}");
        let got = v["got"].as_u64().unwrap();
        // The burst, plus what 10 a second refilled while the flood ran.
        let refill = (v["elapsed"].as_f64().unwrap() * 10.0).ceil() as u64 + 1;
        assert!(
            (50..=50 + refill).contains(&got),
            "the subscriber got {got} of 500 (burst 50, refill {refill})"
        );
        if version == 5 {
            assert_eq!(v["reason"]["value"], 0x96, "{v}");
            assert_eq!(v["reason"]["name"], "Message rate too high", "{v}");
        }
    }
    broker.wait_for("Received DISCONNECT from watcher", Duration::from_secs(10));
    let log = broker.settle(Duration::from_millis(500));
    let cut = "Client flooder disconnected: max_message_rate (10/s) exceeded.";
    assert_eq!(
        log.iter().filter(|l| l.contains(cut)).count(),
        2,
        "one log line per flood"
    );
    let _ = std::fs::remove_file(file);
}

#[test]
fn mosquitto_2_0_11_has_no_max_message_rate_and_delivers_every_message() {
    if !have(&[Peer::Mosquitto, Peer::Paho]) {
        return;
    }
    // The word is refused: mosquitto does not start.
    let port = free_port();
    let conf = mosquitto_conf("rate-word", port, "max_message_rate 10\n");
    let out = Command::new("timeout")
        .args(["10", MOSQUITTO, "-c", conf.to_str().unwrap()])
        .output()
        .expect("mosquitto runs");
    let _ = std::fs::remove_file(&conf);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "mosquitto started: {stderr}");
    assert!(
        stderr.contains("Unknown configuration variable \"max_message_rate\""),
        "{stderr}"
    );
    // Without it, the same flood: every message delivered, no one disconnected.
    let mosquitto = Mosquitto::start();
    let v = flood(mosquitto.port, 5, 500);
    eprintln!("mosquitto 2.0.11, MQTT 5 flood of 500: {v}");
    assert_eq!(v["disconnected"], false, "{v}");
    assert_eq!(v["got"], 500, "{v}");
    // And so does mqttlab broker without the word (its default, as mosquitto).
    let (_b, port, file) = broker_with("");
    let v = flood(port, 5, 500);
    assert_eq!(
        (v["disconnected"].clone(), v["got"].clone()),
        (false.into(), 500.into()),
        "{v}"
    );
    let _ = std::fs::remove_file(file);
}
