//! MQTT 5.0 clients no one here wrote against `mqttlab broker`: paho-mqtt with
//! MQTTv5 (`tests/interop/paho_broker5.py`), MQTT.js with `protocolVersion: 5`
//! (`tests/interop/mqttjs_broker5.mjs`) and `mosquitto_pub`/`mosquitto_sub -V 5`
//! with `-D` properties. Each script runs against mosquitto 2.0.11 as well: where
//! both agree the feature is checked on both; where mosquitto falls short of
//! the standard, a test named for the difference pins it.
//!
//! Every process is bounded by `timeout`; brokers listen on 127.0.0.1 only.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use mqttlab_tests::peers::{have, Peer};
use mqttlab_tests::procs::{
    start_mosquitto_verbose, start_mqttlab_broker, Mosquitto, Proc, MOSQUITTO_PUB as PUB,
    MOSQUITTO_SUB as SUB,
};
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(30);

fn interop(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("interop")
        .join(file)
}

fn run_json(program: &str, script: &Path, port: u16) -> Value {
    let out = Command::new("timeout")
        .args(["60", program])
        .arg(script)
        .arg(port.to_string())
        .output()
        .expect("the script runs");
    assert!(
        out.status.success(),
        "{} failed: {}",
        script.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(text.trim()).expect("one JSON line")
}

/// The paho script's results: (mqttlab broker, mosquitto 2.0.11), run once for
/// every test that reads them.
fn paho() -> Option<&'static (Value, Value)> {
    static RESULTS: OnceLock<Option<(Value, Value)>> = OnceLock::new();
    RESULTS
        .get_or_init(|| {
            if !have(&[Peer::Paho, Peer::Mosquitto]) {
                return None;
            }
            let script = interop("paho_broker5.py");
            let (_ours, port) = start_mqttlab_broker(&[], WAIT);
            let ours = run_json("python3", &script, port);
            let theirs = Mosquitto::start();
            let port: u16 = theirs.port().parse().unwrap();
            Some((ours, run_json("python3", &script, port)))
        })
        .as_ref()
}

/// What the standard promises and both brokers give a paho MQTTv5 client.
#[test]
fn paho_mqttv5_sees_the_5_0_features_on_both_brokers() {
    let Some((ours, theirs)) = paho() else {
        return;
    };
    for (who, v) in [("mqttlab", ours), ("mosquitto", theirs)] {
        let props = &v["connack"]["props"];
        assert!(
            props["AssignedClientIdentifier"]
                .as_str()
                .is_some_and(|id| id.starts_with("auto-")),
            "{who}: {v}"
        );
        assert_eq!(props["ReceiveMaximum"], 20, "{who}");
        assert_eq!(props["TopicAliasMaximum"], 10, "{who}");
        assert_eq!(v["puback_nobody"], 16, "{who}: PUBACK 0x10");
        assert_eq!(
            v["response"],
            json!([["pong:ping", "01636f7272"]]),
            "{who}: request/response"
        );
        assert_eq!(
            v["forwarded"],
            json!({
                "PayloadFormatIndicator": 1,
                "MessageExpiryInterval": 100,
                "ContentType": "application/json",
                "ResponseTopic": "r/t",
                "CorrelationData": "6364",
                "UserProperty": [["z", "1"], ["a", "2"], ["z", "3"]]
            }),
            "{who}: properties unchanged and in order"
        );
        assert_eq!(
            v["alias"],
            json!([["alias/topic", "first"], ["alias/topic", "second"]]),
            "{who}: topic alias"
        );
        assert_eq!(v["no_local"], json!(["other"]), "{who}: No Local");
        assert_eq!(v["rap"], json!([["live", true]]), "{who}: RAP, RH 2");
        assert_eq!(v["unsuback"], json!([17]), "{who}: UNSUBACK 0x11");
        assert_eq!(
            v["shared"],
            json!([["j0", "j2", "j4"], ["j1", "j3", "j5"]]),
            "{who}: shared subscription"
        );
        assert_eq!(v["rm_before_ack"], 2, "{who}: the client's Receive Maximum");
        assert_eq!(v["rm_after_ack"], 5, "{who}");
        assert_eq!(
            v["session_resumed"],
            json!([true, ["while-away"]]),
            "{who}: session expiry 2 s, back in time"
        );
        let expiry = v["expiry"].as_array().unwrap();
        assert_eq!(expiry.len(), 1, "{who}: the expired message: {expiry:?}");
        assert_eq!(expiry[0][0], "long");
        let left = expiry[0][1].as_u64().unwrap();
        assert!((56..=58).contains(&left), "{who}: time left {left}");
        assert_eq!(v["will_delay"].as_array().unwrap().len(), 1, "{who}");
    }
    // Ours exactly: the will 1 s after the socket died, the session gone 2 s
    // after it. mosquitto 2.0.11 counts both in whole seconds on a periodic
    // check: its will came 1.5 s after, and 2.5 s after the client left its
    // session was there or not depending on where the second boundaries fell.
    assert_eq!(ours["will_delay"], json!([1.0]));
    assert_eq!(ours["session_expired_present"], false);
    assert_eq!(ours["ids"], json!([[5, 9]]));
}

/// MQTT-3.3.4-3 lets a broker send one PUBLISH carrying every matching
/// Subscription Identifier; this one does, mosquitto 2.0.11 sends one copy per
/// matching subscription.
#[test]
fn mosquitto_2_0_11_sends_a_copy_per_subscription_identifier_we_send_one_with_all() {
    let Some((ours, theirs)) = paho() else {
        return;
    };
    assert_eq!(ours["ids"], json!([[5, 9]]));
    assert_eq!(theirs["ids"], json!([[9], [5]]));
}

/// The MQTT.js script's results: (mqttlab broker, mosquitto 2.0.11).
fn mqttjs() -> Option<&'static (Value, Value)> {
    static RESULTS: OnceLock<Option<(Value, Value)>> = OnceLock::new();
    RESULTS
        .get_or_init(|| {
            if !have(&[Peer::Mosquitto, Peer::NodeModule("mqtt")]) {
                return None;
            }
            let script = interop("mqttjs_broker5.mjs");
            let (_ours, port) = start_mqttlab_broker(&[], WAIT);
            let ours = run_json("node", &script, port);
            let theirs = Mosquitto::start();
            let theirs = run_json("node", &script, theirs.port().parse().unwrap());
            Some((ours, theirs))
        })
        .as_ref()
}

#[test]
fn mqttjs_protocol_5_against_mqttlab_broker_and_mosquitto() {
    let Some((ours, theirs)) = mqttjs() else {
        return;
    };
    for (who, v) in [("mqttlab", ours), ("mosquitto", theirs)] {
        assert!(
            v["assigned"]
                .as_str()
                .is_some_and(|a| a.starts_with("auto-")),
            "{who}: {v}"
        );
        assert_eq!(v["topicAliasMaximum"], 10, "{who}");
        // Sent with alias 1 twice, without the topic.
        assert_eq!(
            v["sent"],
            json!([
                {"topic": "js/alias/topic", "alias": 1},
                {"topic": "", "alias": 1},
                {"topic": "", "alias": 1},
                {"topic": "nobody/reads", "alias": null}
            ]),
            "{who}"
        );
        let got: Vec<(String, Value, Value)> = v["got"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    format!(
                        "{} {}",
                        m["topic"].as_str().unwrap(),
                        m["payload"].as_str().unwrap()
                    ),
                    m["props"]["userProperties"].clone(),
                    m["props"]["subscriptionIdentifier"].clone(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("js/alias/topic one".into(), json!({"k": "one"}), json!(3)),
                ("js/alias/topic two".into(), json!({"k": "two"}), json!(3)),
                (
                    "js/alias/topic three".into(),
                    json!({"k": "three"}),
                    json!(3)
                ),
            ],
            "{who}"
        );
        assert_eq!(
            v["acks"],
            json!({"puback": [0, 0, 0, 16], "unsuback": [17]}),
            "{who}"
        );
    }
}

fn tool(program: &str, port: u16, args: &[&str]) -> Proc {
    let p = port.to_string();
    let mut all = vec!["-h", "127.0.0.1", "-p", p.as_str(), "-V", "5"];
    all.extend_from_slice(args);
    let name = Path::new(program).file_name().unwrap().to_string_lossy();
    Proc::spawn(&name, Path::new(program), &all)
}

/// One run of the tools' session: what `mosquitto_sub -F` printed of a PUBLISH
/// with `-D` properties, what `mosquitto_pub -d` printed for a topic nobody
/// reads, and what a `-x 2` session kept while its client was away.
fn tools_session(port: u16, broker: &mut Proc) -> Vec<String> {
    let mut lines = Vec::new();
    let mut s = tool(
        SUB,
        port,
        &[
            "-i",
            "tsub",
            "-t",
            "tools/#",
            "-q",
            "1",
            "-C",
            "1",
            "-W",
            "10",
            "-F",
            "%t %p|%P|%C|%R|%F|%D",
        ],
    );
    broker.wait_for("Sending SUBACK to tsub", WAIT);
    tool(
        PUB,
        port,
        &[
            "-i",
            "tpub",
            "-t",
            "tools/x",
            "-q",
            "1",
            "-m",
            "oi",
            "-D",
            "publish",
            "user-property",
            "sala",
            "3",
            "-D",
            "publish",
            "user-property",
            "andar",
            "1",
            "-D",
            "publish",
            "content-type",
            "text/plain",
            "-D",
            "publish",
            "response-topic",
            "tools/resp",
            "-D",
            "publish",
            "payload-format-indicator",
            "1",
            "-D",
            "publish",
            "correlation-data",
            "abc",
        ],
    )
    .wait(WAIT);
    lines.extend(s.collect(WAIT));
    s.wait(WAIT);
    let mut p = tool(
        PUB,
        port,
        &["-i", "tnobody", "-t", "nobody", "-q", "1", "-m", "x", "-d"],
    );
    lines.extend(p.collect(WAIT));
    p.wait(WAIT);
    // A session that outlives its connection by 2 s.
    let mut s = tool(
        SUB,
        port,
        &[
            "-i", "tsess", "-c", "-x", "2", "-t", "tools/se", "-q", "1", "-W", "1",
        ],
    );
    broker.wait_for("Sending SUBACK to tsess", WAIT);
    s.collect(Duration::from_secs(3));
    s.wait(WAIT);
    tool(
        PUB,
        port,
        &["-i", "tpub2", "-t", "tools/se", "-q", "1", "-m", "kept"],
    )
    .wait(WAIT);
    let mut s = tool(
        SUB,
        port,
        &[
            "-i", "tsess", "-c", "-x", "2", "-t", "tools/se", "-q", "1", "-C", "1", "-W", "5",
        ],
    );
    lines.extend(s.collect(WAIT));
    s.wait(WAIT);
    lines
}

#[test]
fn mosquitto_tools_with_v5_see_the_same_from_both_brokers() {
    if !have(&[Peer::Mosquitto, Peer::MosquittoClients]) {
        return;
    }
    let (mut ours, port) = start_mqttlab_broker(&[], WAIT);
    let got = tools_session(port, &mut ours);
    let (mut real, port, conf) = start_mosquitto_verbose("broker5-tools", WAIT);
    let want = tools_session(port, &mut real);
    real.kill();
    let _ = std::fs::remove_file(conf);
    eprintln!("{}", got.join("\n"));
    assert!(got
        .iter()
        .any(|l| l == "tools/x oi|sala:3 andar:1|text/plain|tools/resp|1|abc"));
    assert!(got
        .iter()
        .any(|l| l.ends_with("received PUBACK (Mid: 1, RC:16)")));
    assert_eq!(got.last().map(String::as_str), Some("kept"));
    assert_eq!(got, want);
}

/// MQTT.js allowed 5 topic aliases: this broker sets alias 1 with the topic,
/// then sends the alias alone (14 bytes of `js/alias/topic` less, as MQTT.js
/// parsed the remaining lengths) and MQTT.js reads the right topic; mosquitto
/// 2.0.11 sends no aliases.
#[test]
fn mosquitto_2_0_11_sends_no_topic_aliases_we_do() {
    let Some((ours, theirs)) = mqttjs() else {
        return;
    };
    let lens = |v: &Value| -> Vec<u64> {
        v["received"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_u64().unwrap())
            .collect()
    };
    let (o, t) = (lens(ours), lens(theirs));
    // "one" then "two": the same payload length.
    assert_eq!(o[0] - o[1], 14, "{o:?}");
    assert_eq!(t[0], t[1], "{t:?}");
    assert!(ours["got"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["topic"] == "js/alias/topic"));
}

// ---- raw 5.0 bytes against both brokers: where mosquitto 2.0.11 falls short ----

mod raw {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::time::{Duration, Instant};

    use mqttlab_core::codec::reason_codes::DisconnectReasonCode;
    use mqttlab_core::codec::v5;

    /// A 5.0 CONNECT with client id `id`, clean start, keep alive 60.
    pub fn connect(id: &str) -> Vec<u8> {
        let mut body = vec![0, 4, b'M', b'Q', b'T', b'T', 5, 0x02, 0, 60, 0];
        body.extend_from_slice(&(id.len() as u16).to_be_bytes());
        body.extend_from_slice(id.as_bytes());
        let mut out = vec![0x10, body.len() as u8];
        out.extend(body);
        out
    }

    /// Connects, sends `bytes`, and reads what comes back for `within` or until
    /// the broker closes: the packets, and whether it closed.
    pub fn exchange(port: u16, bytes: &[u8], within: Duration) -> (Vec<v5::Packet>, bool) {
        let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        s.write_all(bytes).expect("write");
        read(&mut s, within)
    }

    pub fn read(s: &mut TcpStream, within: Duration) -> (Vec<v5::Packet>, bool) {
        let end = Instant::now() + within;
        let mut buf = Vec::new();
        let mut closed = false;
        while Instant::now() < end {
            s.set_read_timeout(Some(Duration::from_millis(100)))
                .unwrap();
            let mut chunk = [0u8; 4096];
            match s.read(&mut chunk) {
                Ok(0) => {
                    closed = true;
                    break;
                }
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                Err(_) => {
                    closed = true;
                    break;
                }
            }
        }
        let mut packets = Vec::new();
        let mut at = 0;
        while let Ok(Some((p, n))) = v5::decode(&buf[at..], 1 << 20) {
            packets.push(p);
            at += n;
        }
        (packets, closed)
    }

    pub fn disconnect_reason(packets: &[v5::Packet]) -> Option<DisconnectReasonCode> {
        packets.iter().find_map(|p| match p {
            v5::Packet::Disconnect(d) => d.reason,
            _ => None,
        })
    }
}

fn both_brokers() -> Option<(Proc, u16, Mosquitto, u16)> {
    if !have(&[Peer::Mosquitto]) {
        return None;
    }
    let (ours, port) = start_mqttlab_broker(&[], WAIT);
    let theirs = Mosquitto::start();
    let their_port = theirs.port().parse().unwrap();
    Some((ours, port, theirs, their_port))
}

/// 21 QoS 2 PUBLISHes never released, to a broker whose Receive Maximum is 20:
/// this one answers 20 PUBRECs then DISCONNECT 0x93 (MQTT-3.3.4-9);
/// mosquitto 2.0.11 announces 20 and takes the 21st.
#[test]
fn mosquitto_2_0_11_does_not_enforce_its_receive_maximum_we_disconnect_0x93() {
    use mqttlab_core::codec::reason_codes::DisconnectReasonCode;
    let Some((_ours, port, _theirs, their_port)) = both_brokers() else {
        return;
    };
    let mut bytes = raw::connect("rm");
    for id in 1..=21u16 {
        // PUBLISH q2, topic "t", id, no properties, payload "x".
        bytes.extend_from_slice(&[0x34, 7, 0, 1, b't']);
        bytes.extend_from_slice(&id.to_be_bytes());
        bytes.extend_from_slice(&[0, b'x']);
    }
    let pubrecs = |p: &[mqttlab_core::codec::v5::Packet]| {
        p.iter()
            .filter(|p| matches!(p, mqttlab_core::codec::v5::Packet::Pubrec(_)))
            .count()
    };
    let (ours, closed) = raw::exchange(port, &bytes, Duration::from_secs(2));
    assert_eq!(pubrecs(&ours), 20, "{ours:?}");
    assert_eq!(
        raw::disconnect_reason(&ours),
        Some(DisconnectReasonCode::ReceiveMaximumExceeded)
    );
    assert!(closed);
    let (theirs, closed) = raw::exchange(their_port, &bytes, Duration::from_secs(2));
    assert_eq!(pubrecs(&theirs), 21, "{theirs:?}");
    assert!(!closed);
}

/// A PUBLISH with an alias never set: 0x94 Topic Alias invalid here
/// (MQTT-3.3.2-7: a protocol error, and 5.0 has the precise code); mosquitto
/// 2.0.11 sends 0x82.
#[test]
fn mosquitto_2_0_11_answers_an_unknown_topic_alias_0x82_we_0x94() {
    use mqttlab_core::codec::reason_codes::DisconnectReasonCode as D;
    let Some((_ours, port, _theirs, their_port)) = both_brokers() else {
        return;
    };
    let mut bytes = raw::connect("alias");
    // PUBLISH q0, empty topic, properties: Topic Alias 4.
    bytes.extend_from_slice(&[0x30, 6, 0, 0, 3, 0x23, 0, 4]);
    let (ours, _) = raw::exchange(port, &bytes, Duration::from_secs(1));
    assert_eq!(raw::disconnect_reason(&ours), Some(D::TopicAliasInvalid));
    let (theirs, _) = raw::exchange(their_port, &bytes, Duration::from_secs(1));
    assert_eq!(raw::disconnect_reason(&theirs), Some(D::ProtocolError));
}

/// A second connection with the same client id: the first hears DISCONNECT
/// 0x8E Session taken over here (MQTT-3.1.4-3, §4.13); mosquitto 2.0.11 closes
/// it without a word.
#[test]
fn mosquitto_2_0_11_closes_a_taken_over_connection_silently_we_send_0x8e() {
    use mqttlab_core::codec::reason_codes::DisconnectReasonCode as D;
    use std::io::Write;
    let Some((_ours, port, _theirs, their_port)) = both_brokers() else {
        return;
    };
    let heard = |port: u16| {
        let mut first = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        first.write_all(&raw::connect("twice")).unwrap();
        let (p, _) = raw::read(&mut first, Duration::from_millis(500));
        assert!(matches!(
            p[..],
            [mqttlab_core::codec::v5::Packet::Connack(_)]
        ));
        let _second = raw::exchange(port, &raw::connect("twice"), Duration::from_millis(500));
        let (p, closed) = raw::read(&mut first, Duration::from_secs(1));
        assert!(closed);
        raw::disconnect_reason(&p)
    };
    assert_eq!(heard(port), Some(D::SessionTakenOver));
    assert_eq!(heard(their_port), None);
}

/// What `mqttlab broker -c FILE` announces in CONNACK, as mosquitto_pub and
/// mosquitto_sub 2.0.11 with `-V 5` read it: Server Reference with 0x9D (the
/// tool exits 157, "Server moved"), Maximum QoS 1 (it refuses to publish at
/// QoS 2), Retain Available 0 (it clears RETAIN); and paho-mqtt reads Server
/// Keep Alive 7 in the CONNACK.
#[test]
fn mosquitto_tools_honour_what_the_broker_announces() {
    if !have(&[Peer::MosquittoClients]) {
        return;
    }
    let dir = std::env::temp_dir();
    let conf = |name: &str, text: &str| {
        let p = dir.join(format!("broker5-{name}-{}.conf", std::process::id()));
        std::fs::write(&p, text).unwrap();
        p
    };
    let moved = conf("moved", "server_moved other.example:1883\n");
    let limited = conf(
        "limited",
        "max_qos 1\nretain_available false\nserver_keep_alive 7\n",
    );
    let (_b1, p1) = start_mqttlab_broker(&["-c", moved.to_str().unwrap()], WAIT);
    let (mut b2, p2) = start_mqttlab_broker(&["-c", limited.to_str().unwrap()], WAIT);
    let mut s = Proc::spawn_stderr(
        "mosquitto_sub",
        Path::new(SUB),
        &[
            "-h",
            "127.0.0.1",
            "-p",
            &p1.to_string(),
            "-V",
            "5",
            "-t",
            "x",
        ],
    );
    assert!(s
        .collect(WAIT)
        .contains(&"Connection error: Server moved".to_owned()));
    assert_eq!(s.wait(WAIT).code(), Some(157));
    let mut p = Proc::spawn_stderr(
        "mosquitto_pub",
        Path::new(PUB),
        &[
            "-h",
            "127.0.0.1",
            "-p",
            &p2.to_string(),
            "-V",
            "5",
            "-t",
            "x",
            "-m",
            "y",
            "-q",
            "2",
        ],
    );
    assert!(p
        .collect(WAIT)
        .contains(&"Error: Message QoS not supported on broker, try a lower QoS.".to_owned()));
    tool(PUB, p2, &["-i", "r", "-t", "x", "-m", "y", "-r"]).wait(WAIT);
    b2.wait_for(
        "Received PUBLISH from r (d0, q0, r0, m0, 'x', ... (1 bytes))",
        WAIT,
    );
    let _ = std::fs::remove_file(moved);
    let _ = std::fs::remove_file(limited);
}

/// A 5.0 client with keep alive 1 s that goes silent: DISCONNECT 0x8D Keep
/// Alive timeout at 1.5 s here (MQTT-3.1.2-22, §4.13); mosquitto 2.0.11 sends
/// no DISCONNECT (and, checking periodically, had not closed 2.5 s later).
#[test]
fn mosquitto_2_0_11_sends_no_keep_alive_disconnect_we_send_0x8d() {
    use mqttlab_core::codec::reason_codes::DisconnectReasonCode as D;
    use std::io::Write;
    let Some((_ours, port, _theirs, their_port)) = both_brokers() else {
        return;
    };
    let heard = |port: u16| {
        let mut c = raw::connect("ka");
        c[11] = 1; // keep alive 1 s
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.write_all(&c).unwrap();
        let start = std::time::Instant::now();
        let (p, _) = raw::read(&mut s, Duration::from_millis(2500));
        (raw::disconnect_reason(&p), start.elapsed())
    };
    let (ours, after) = heard(port);
    assert_eq!(ours, Some(D::KeepAliveTimeout));
    assert!(after >= Duration::from_millis(1500), "{after:?}");
    assert_eq!(heard(their_port).0, None);
}

/// A QoS 1 message with a Message Expiry Interval of 2 s is sent to a
/// subscriber whose session outlives its connection (60 s), which drops the
/// connection before its PUBACK; it comes back 3.5 s later, after the message
/// expired. Delivery had started, so the standard asks for the PUBLISH again,
/// DUP 1 (MQTT-4.4.0-1; MQTT-3.3.2-5 deletes only a copy not yet sent): ours
/// sends it; mosquitto 2.0.11 drops it
/// (`db__message_write_inflight_out_single` skips an expired message). The
/// checker follows the standard (`core/src/checker/expiry.rs` judges no DUP
/// resend).
#[test]
fn mosquitto_2_0_11_drops_an_expired_message_already_sent_we_resend_it() {
    use mqttlab_core::codec::v5;
    use std::io::Write;
    let Some((_ours, port, _theirs, their_port)) = both_brokers() else {
        return;
    };
    // 5.0 CONNECT, keep alive 60, Session Expiry Interval 60.
    let connect = |id: &str, clean: bool| {
        let mut body = vec![
            0,
            4,
            b'M',
            b'Q',
            b'T',
            b'T',
            5,
            if clean { 2 } else { 0 },
            0,
            60,
        ];
        body.extend_from_slice(&[5, 0x11, 0, 0, 0, 60]);
        body.extend_from_slice(&(id.len() as u16).to_be_bytes());
        body.extend_from_slice(id.as_bytes());
        let mut out = vec![0x10, body.len() as u8];
        out.extend(body);
        out
    };
    let resent = |port: u16| {
        let id = format!("expiry-sub-{port}");
        let mut sub = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        let mut bytes = connect(&id, true);
        // SUBSCRIBE m1, no properties, exp/t at QoS 1.
        bytes.extend_from_slice(&[0x82, 11, 0, 1, 0, 0, 5, b'e', b'x', b'p', b'/', b't', 1]);
        sub.write_all(&bytes).unwrap();
        let (p, _) = raw::read(&mut sub, Duration::from_millis(500));
        assert!(
            matches!(p[..], [v5::Packet::Connack(_), v5::Packet::Suback(_)]),
            "{p:?}"
        );
        // PUBLISH q1 m1 exp/t "short", Message Expiry Interval 2.
        let mut publish = connect(&format!("expiry-pub-{port}"), true);
        publish.extend_from_slice(&[0x32, 20, 0, 5, b'e', b'x', b'p', b'/', b't', 0, 1]);
        publish.extend_from_slice(&[5, 0x02, 0, 0, 0, 2]);
        publish.extend_from_slice(b"short");
        let (p, _) = raw::exchange(port, &publish, Duration::from_millis(500));
        assert!(
            p.iter().any(|p| matches!(p, v5::Packet::Puback(_))),
            "{p:?}"
        );
        let (p, _) = raw::read(&mut sub, Duration::from_millis(500));
        assert!(
            matches!(&p[..], [v5::Packet::Publish(m)] if !m.dup && &m.payload[..] == b"short"),
            "{p:?}"
        );
        // Gone without its PUBACK; back once the message has expired.
        drop(sub);
        std::thread::sleep(Duration::from_millis(3500));
        let (p, _) = raw::exchange(port, &connect(&id, false), Duration::from_millis(1500));
        assert!(
            matches!(p.first(), Some(v5::Packet::Connack(a)) if a.session_present),
            "{p:?}"
        );
        p.iter()
            .any(|p| matches!(p, v5::Packet::Publish(m) if m.dup && &m.payload[..] == b"short"))
    };
    assert!(resent(port), "ours sends the started delivery again");
    assert!(!resent(their_port), "mosquitto 2.0.11 drops it");
}
