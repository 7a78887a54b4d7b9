//! Differential test of the codec against npm `mqtt-packet` (the codec of MQTT.js),
//! an implementation no one here wrote, on thousands of seeded random packets in
//! both directions:
//!
//! 1. our bytes, parsed by mqtt-packet, give the packet we encoded;
//! 2. mqtt-packet's bytes for the same packet are exactly ours, and decode to it;
//! 3. valid packets with one byte changed: whatever we accept, mqtt-packet accepts
//!    and reads the same way (we may refuse more: we are the stricter one).
//!
//! The peer is `tests/interop/mqtt_packet_peer.mjs` under node, killed after
//! [`TIMEOUT`]. A failure prints the seed and the packet; `MQTTLAB_DIFF_SEED=n`
//! replays a run.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use bytes::Bytes;
use mqttlab_core::codec::{
    decode, Connack, Connect, ConnectReturnCode, LastWill, Login, Packet, Pid, Protocol, Publish,
    QoS, QosPid, Suback, SubackReturnCode, Subscribe, SubscribeTopic, Unsubscribe,
};
use mqttlab_core::topic::{TopicFilter, TopicName};
use mqttlab_tests::peers::{have, Peer};
use serde_json::{json, Value};

const PACKETS: usize = 3000;
const MUTANTS: usize = 3000;
const TIMEOUT: Duration = Duration::from_secs(120);

/// SplitMix64: a fixed, platform-independent generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn bool(&mut self) -> bool {
        self.next() & 1 == 1
    }
    fn pid(&mut self) -> Pid {
        Pid::new(1 + self.below(65535) as u16).unwrap()
    }
    fn qos(&mut self) -> QoS {
        QoS::from_u8(self.below(3) as u8).unwrap()
    }
    fn bytes(&mut self, max: u64) -> Bytes {
        let n = self.below(max + 1);
        (0..n)
            .map(|_| self.next() as u8)
            .collect::<Vec<u8>>()
            .into()
    }
    fn text(&mut self, min: u64, max: u64) -> String {
        const ALPHABET: [&str; 12] = ["a", "Z", "0", "9", "/", " ", "_", "$", "é", "€", "😀", "ç"];
        let n = min + self.below(max - min + 1);
        (0..n)
            .map(|_| ALPHABET[self.below(ALPHABET.len() as u64) as usize])
            .collect()
    }
    fn topic(&mut self) -> TopicName {
        TopicName::new(self.text(1, 12)).unwrap()
    }
    fn filter(&mut self) -> TopicFilter {
        let levels = 1 + self.below(4);
        let mut parts: Vec<String> = (0..levels)
            .map(|_| match self.below(4) {
                0 => "+".to_string(),
                _ => self.text(0, 5).replace('/', ""),
            })
            .collect();
        if self.below(4) == 0 {
            parts.push("#".into());
        }
        let f = parts.join("/");
        TopicFilter::new(if f.is_empty() { "+".to_string() } else { f }).unwrap()
    }

    fn packet(&mut self) -> Packet {
        match self.below(14) {
            0 => {
                let mut protocol = if self.below(4) == 0 {
                    Protocol::V31
                } else {
                    Protocol::V311
                };
                let mut clean_session = self.bool();
                let client_id = self.text(0, 10);
                // mqtt-packet refuses an empty id before 3.1.1 or without clean
                // session (the broker's business, MQTT-3.1.3-8, not the codec's).
                if client_id.is_empty() {
                    protocol = Protocol::V311;
                    clean_session = true;
                }
                let will = self.bool().then(|| LastWill {
                    topic: self.topic(),
                    message: self.bytes(16),
                    qos: self.qos(),
                    retain: self.bool(),
                });
                let login = self.bool().then(|| Login {
                    username: self.text(0, 8),
                    password: self.bool().then(|| self.bytes(16)),
                });
                Packet::Connect(Connect {
                    protocol,
                    clean_session,
                    keep_alive: self.next() as u16,
                    client_id,
                    will,
                    login,
                })
            }
            1 => {
                let code = ConnectReturnCode::from_u8(self.below(6) as u8).unwrap();
                Packet::Connack(Connack {
                    session_present: code == ConnectReturnCode::Accepted && self.bool(),
                    code,
                })
            }
            2..=4 => {
                let qospid = QosPid::from_parts(self.qos(), self.pid());
                Packet::Publish(Publish {
                    dup: qospid.pid().is_some() && self.bool(),
                    qospid,
                    retain: self.bool(),
                    topic: self.topic(),
                    payload: self.bytes(40),
                })
            }
            5 => Packet::Puback(self.pid()),
            6 => Packet::Pubrec(self.pid()),
            7 => Packet::Pubrel(self.pid()),
            8 => Packet::Pubcomp(self.pid()),
            9 => Packet::Subscribe(Subscribe {
                pid: self.pid(),
                topics: (0..1 + self.below(4))
                    .map(|_| SubscribeTopic {
                        filter: self.filter(),
                        qos: self.qos(),
                    })
                    .collect(),
            }),
            10 => Packet::Suback(Suback {
                pid: self.pid(),
                return_codes: (0..1 + self.below(5))
                    .map(|_| match self.below(4) {
                        3 => SubackReturnCode::Failure,
                        q => SubackReturnCode::Success(QoS::from_u8(q as u8).unwrap()),
                    })
                    .collect(),
            }),
            11 => Packet::Unsubscribe(Unsubscribe {
                pid: self.pid(),
                filters: (0..1 + self.below(4)).map(|_| self.filter()).collect(),
            }),
            12 => Packet::Unsuback(self.pid()),
            _ => [Packet::Pingreq, Packet::Pingresp, Packet::Disconnect][self.below(3) as usize]
                .clone(),
        }
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// The packet in the neutral JSON shape the peer speaks.
fn to_json(p: &Packet) -> Value {
    let cmd = p.packet_type().name().to_lowercase();
    match p {
        Packet::Connect(c) => {
            let mut v = json!({
                "cmd": cmd,
                "protocolId": c.protocol.name(),
                "protocolVersion": c.protocol.level(),
                "clean": c.clean_session,
                "keepalive": c.keep_alive,
                "clientId": c.client_id,
            });
            if let Some(w) = &c.will {
                v["will"] = json!({
                    "topic": w.topic.as_str(),
                    "payload": hex(&w.message),
                    "qos": w.qos.as_u8(),
                    "retain": w.retain,
                });
            }
            if let Some(l) = &c.login {
                v["username"] = json!(l.username);
                if let Some(pw) = &l.password {
                    v["password"] = json!(hex(pw));
                }
            }
            v
        }
        Packet::Connack(c) => json!({
            "cmd": cmd, "sessionPresent": c.session_present, "returnCode": c.code.as_u8()
        }),
        Packet::Publish(p) => {
            let mut v = json!({
                "cmd": cmd, "qos": p.qos().as_u8(), "dup": p.dup, "retain": p.retain,
                "topic": p.topic.as_str(), "payload": hex(&p.payload),
            });
            if let Some(pid) = p.qospid.pid() {
                v["messageId"] = json!(pid.get());
            }
            v
        }
        Packet::Puback(pid)
        | Packet::Pubrec(pid)
        | Packet::Pubrel(pid)
        | Packet::Pubcomp(pid)
        | Packet::Unsuback(pid) => json!({"cmd": cmd, "messageId": pid.get()}),
        Packet::Subscribe(s) => json!({
            "cmd": cmd, "messageId": s.pid.get(),
            "subscriptions": s.topics.iter()
                .map(|t| json!({"topic": t.filter.as_str(), "qos": t.qos.as_u8()}))
                .collect::<Vec<_>>(),
        }),
        Packet::Suback(s) => json!({
            "cmd": cmd, "messageId": s.pid.get(),
            "granted": s.return_codes.iter().map(|c| c.as_u8()).collect::<Vec<_>>(),
        }),
        Packet::Unsubscribe(u) => json!({
            "cmd": cmd, "messageId": u.pid.get(),
            "unsubscriptions": u.filters.iter().map(|f| f.as_str()).collect::<Vec<_>>(),
        }),
        Packet::Pingreq | Packet::Pingresp | Packet::Disconnect => json!({"cmd": cmd}),
    }
}

/// Sends every request to a fresh peer and returns its answers, in order.
fn ask_peer(requests: &[Value]) -> Vec<Value> {
    let root = mqttlab_tests::workspace_root().join("tests");
    let script = root.join("interop/mqtt_packet_peer.mjs");
    assert!(
        root.join("node_modules/mqtt-packet/package.json").exists(),
        "npm module mqtt-packet is missing: run `npm ci` in {}",
        root.display()
    );
    let mut child = Command::new("node")
        .arg(&script)
        .current_dir(&root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run `node` (is Node.js installed?): {e}"));
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let pid = child.id();

    let lines: Vec<String> = requests.iter().map(|r| r.to_string()).collect();
    let writer = std::thread::spawn(move || {
        for l in lines {
            if writeln!(stdin, "{l}").is_err() {
                return;
            }
        }
    });
    // The watchdog: a peer that hangs is killed, and the reads below then fail.
    let (done, timer) = mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        if timer.recv_timeout(TIMEOUT).is_err() {
            let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
            return true;
        }
        false
    });

    let mut answers = Vec::with_capacity(requests.len());
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("read from the mqtt-packet peer");
        answers.push(serde_json::from_str::<Value>(&line).expect("peer answers JSON"));
        if answers.len() == requests.len() {
            break;
        }
    }
    let _ = done.send(());
    let timed_out = watchdog.join().unwrap();
    writer.join().unwrap();
    let _ = child.wait();
    assert!(
        !timed_out,
        "the mqtt-packet peer took more than {TIMEOUT:?} and was killed"
    );
    assert_eq!(
        answers.len(),
        requests.len(),
        "the mqtt-packet peer died after {} answers",
        answers.len()
    );
    answers
}

#[test]
fn mqtt_packet_and_this_codec_agree_both_ways() {
    let seed: u64 = std::env::var("MQTTLAB_DIFF_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x6d71_7474);
    let mut rng = Rng(seed);
    let packets: Vec<Packet> = (0..PACKETS).map(|_| rng.packet()).collect();
    let ours: Vec<Vec<u8>> = packets.iter().map(|p| p.to_bytes().unwrap()).collect();

    // Mutants: one byte of a valid packet replaced.
    let mutants: Vec<Vec<u8>> = (0..MUTANTS)
        .map(|_| {
            let mut b = rng.packet().to_bytes().unwrap();
            let i = rng.below(b.len() as u64) as usize;
            b[i] = rng.next() as u8;
            b
        })
        .collect();

    let mut requests = Vec::new();
    for (p, b) in packets.iter().zip(&ours) {
        requests.push(json!({"op": "parse", "hex": hex(b)}));
        requests.push(json!({"op": "generate", "packet": to_json(p)}));
    }
    for m in &mutants {
        requests.push(json!({"op": "parse", "hex": hex(m)}));
    }
    let answers = ask_peer(&requests);

    let mut types = std::collections::BTreeMap::new();
    for (i, (p, b)) in packets.iter().zip(&ours).enumerate() {
        *types.entry(p.packet_type().name()).or_insert(0) += 1;
        let why = format!("seed {seed}, packet {i}: {p:?}\nour bytes {}", hex(b));
        // 1. mqtt-packet reads our bytes as the packet we meant.
        let parsed = &answers[2 * i];
        assert_eq!(parsed, &json!({"packets": [to_json(p)]}), "{why}");
        // 2. mqtt-packet writes the same bytes, and we read them back.
        let generated = &answers[2 * i + 1];
        let theirs = unhex(
            generated["hex"]
                .as_str()
                .unwrap_or_else(|| panic!("{why}\n{generated}")),
        );
        assert_eq!(hex(&theirs), hex(b), "{why}");
        assert_eq!(
            decode(&theirs, usize::MAX).unwrap(),
            Some((p.clone(), b.len())),
            "{why}"
        );
    }
    assert_eq!(types.len(), 14, "every packet type was tried: {types:?}");

    // 3. On mutants we may be stricter, never more lenient or different.
    let (mut both, mut only_they) = (0, 0);
    for (i, m) in mutants.iter().enumerate() {
        let theirs = &answers[2 * PACKETS + i];
        match decode(m, usize::MAX) {
            Ok(Some((p, used))) if used == m.len() => {
                both += 1;
                assert_eq!(
                    theirs,
                    &json!({"packets": [to_json(&p)]}),
                    "seed {seed}, mutant {i} {}: we read {p:?}",
                    hex(m)
                );
            }
            _ => {
                if theirs.get("error").is_none()
                    && theirs["packets"].as_array().is_some_and(|a| !a.is_empty())
                {
                    only_they += 1;
                }
            }
        }
    }
    println!(
        "seed {seed}: {PACKETS} packets agree both ways ({types:?}); of {MUTANTS} mutants \
         both accept {both} identically, mqtt-packet alone accepts {only_they}"
    );
    assert!(
        both > MUTANTS / 10,
        "the mutant check compared too few packets"
    );
}

/// MQTT 5.0 packets both sides should read: bytes captured from mosquitto 2.0.11
/// and MQTT.js (as in `core/src/codec/v5/golden.rs`) and the golden packets of
/// every type.
const V5_PACKETS: &[&str] = &[
    "103200044d5154540502003c20110000003c21000a27000186a02200031701260005637572736f00046d71747400057635737562",
    "821600010a26000473616c6100013300066c61622f763502",
    "200900000622000a210014",
    "900400010002",
    "344800066c61622f763500013b010103000a746578742f706c61696e0800096c61622f7265706c7909000469642d3726000473616c6100013326000473616c61000134020000003c3231",
    "62020001",
    "e00700051100000000",
    "8215d029090b072600017300017800066c61622f6a731a",
    "343d00066c61622f6a73d02a300101020000001e03000a746578742f706c61696e08000c6c61622f6a732f7265706c79090003010203260001700001716f69",
    "6204d02a0000",
    "a212d02b072600017500017600066c61622f6a73",
    "b004d02b0000",
    "3009000361 2f6200686921",
    "30070000032300017 8",
    "40030001 10",
    "400a0001800 61f0003626164",
    "62030002 92",
    "700b0002000726000161000162",
    "90050001000287",
    "b00400020011",
    "c000",
    "d000",
    "e00104",
    "f00a18081500055343524d41",
    "20030087 00",
];

fn v5_hexes() -> Vec<String> {
    V5_PACKETS.iter().map(|h| h.replace(' ', "")).collect()
}

/// mqtt-packet reads each of our 5.0 packets and writes it back byte for byte,
/// except the short forms it fills in (a reason code and an empty property
/// length that the wire left out, or the reverse: we keep what was on the
/// wire); on one-byte mutants we may be stricter, never more lenient.
#[test]
fn mqtt_packet_v5_reads_our_packets_and_we_are_never_more_lenient_on_mutants() {
    if !have(&[Peer::NodeModule("mqtt-packet")]) {
        return;
    }
    let bases = v5_hexes();
    let mut requests: Vec<Value> = bases
        .iter()
        .map(|h| json!({"op": "parse5", "hex": h}))
        .collect();
    let mut mutants = Vec::new();
    for h in &bases {
        let b = unhex(h);
        for i in 0..b.len() {
            for v in [0x00, 0xff, 0x7f, 0x80, b[i] ^ 0x01, b[i] ^ 0x40] {
                if v != b[i] {
                    let mut m = b.clone();
                    m[i] = v;
                    mutants.push(m);
                }
            }
        }
    }
    requests.extend(
        mutants
            .iter()
            .map(|m| json!({"op": "parse5", "hex": hex(m)})),
    );
    let answers = ask_peer(&requests);
    let (mut exact, mut rewritten) = (0, Vec::new());
    for (h, a) in bases.iter().zip(&answers) {
        let ours = mqttlab_core::codec::v5::decode_frame(&Bytes::from(unhex(h)));
        assert!(ours.is_ok(), "{h}: {ours:?}");
        assert_eq!(a["count"], json!(1), "mqtt-packet reads {h}: {a}");
        if a["regen"][0].as_str() == Some(h.as_str()) {
            exact += 1;
        } else {
            rewritten.push(format!("{h} -> {}", a["regen"][0]));
        }
    }
    let (mut both, mut only_they, mut only_we) = (0, 0, Vec::new());
    for (m, a) in mutants.iter().zip(&answers[bases.len()..]) {
        let theirs = a["count"] == json!(1);
        match mqttlab_core::codec::v5::decode_frame(&Bytes::from(m.clone())) {
            Ok(_) if theirs => both += 1,
            Ok(p) => only_we.push(format!("{} ({p}): mqtt-packet says {a}", hex(m))),
            Err(_) if theirs => only_they += 1,
            Err(_) => {}
        }
    }
    println!(
        "5.0: {} packets, {exact} written back byte for byte by mqtt-packet, rewritten: {rewritten:#?}; \
         of {} mutants both accept {both}, mqtt-packet alone accepts {only_they}, we alone {}",
        bases.len(),
        mutants.len(),
        only_we.len()
    );
    assert!(
        only_we.is_empty(),
        "we accept what mqtt-packet refuses: {only_we:#?}"
    );
}

/// Where mqtt-packet accepts what 5.0 forbids, we refuse and name the statement.
#[test]
fn mqtt_packet_v5_accepts_what_the_standard_forbids_and_we_do_not() {
    if !have(&[Peer::NodeModule("mqtt-packet")]) {
        return;
    }
    let cases: &[(&str, &str, &str)] = &[
        ("Receive Maximum 0", "2006000003210000", "§3.1.2.11.3"),
        (
            "Receive Maximum twice",
            "20090000062100012100 02",
            "§3.1.2.11.3",
        ),
        ("Maximum QoS 2", "200500000224 02", "§3.2.2.3.4"),
        ("Topic Alias 0", "300700017403230000", "MQTT-3.3.2-8"),
        (
            "Payload Format Indicator 2",
            "3006000174020102",
            "§3.3.2.3.2",
        ),
        (
            "Subscription Identifier 0",
            "82090001020b0000016100",
            "§3.8.2.1.2",
        ),
        ("Retain Handling 3", "8207000100000161 30", "§3.8.3.1"),
        (
            "reserved subscription option bits",
            "820700010000016140",
            "MQTT-3.8.3-5",
        ),
        (
            "Session Expiry Interval in a PUBLISH",
            "3009000174051100000001",
            "§2.2.2.2",
        ),
        ("PUBACK reason code 0x92", "4003000192", "§3.4.2.1"),
    ];
    let requests: Vec<Value> = cases
        .iter()
        .map(|(_, h, _)| json!({"op": "parse5", "hex": h.replace(' ', "")}))
        .collect();
    let answers = ask_peer(&requests);
    let mut accepted = Vec::new();
    for ((what, h, rule), a) in cases.iter().zip(&answers) {
        let e = mqttlab_core::codec::v5::decode_frame(&Bytes::from(unhex(&h.replace(' ', ""))))
            .expect_err(what);
        assert_eq!(e.kind.rule(), *rule, "{what}: {e}");
        if a["count"] == json!(1) {
            accepted.push(format!("{what}: we refuse ({rule})"));
        }
    }
    println!("mqtt-packet 9.0.2 accepts: {accepted:#?}");
    // The two the issue names.
    assert!(
        accepted.iter().any(|a| a.starts_with("Receive Maximum 0")),
        "{accepted:?}"
    );
    assert!(
        accepted
            .iter()
            .any(|a| a.starts_with("Receive Maximum twice")),
        "{accepted:?}"
    );
}
