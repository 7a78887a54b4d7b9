//! Every bundled scenario runs natively and all its expectations hold; each runs
//! twice with the same seed and gives the same trace hash; and the hashes match the
//! golden file that the browser test (`wasm_scenarios.rs`) checks too, so native
//! and wasm32 runs are byte-for-byte the same. `UPDATE_SCENARIO_HASHES=1` rewrites
//! the file after an intended change.
#![cfg(not(target_arch = "wasm32"))]

#[path = "../../tests/src/peers.rs"]
mod peers;

use mqttlab_core::sim::bundled::BUNDLED;
use mqttlab_core::sim::pcap::to_pcap;
use mqttlab_core::sim::scenario;
use peers::{have, Peer};

const GOLDEN: &str = "tests/sim_golden_hashes.txt";

#[test]
fn every_bundled_scenario_passes_and_replays() {
    let mut failures = Vec::new();
    let mut golden = String::new();
    for b in BUNDLED {
        let report = match scenario::run(b.source, None) {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{}: does not parse:\n{e}", b.name));
                continue;
            }
        };
        for r in &report.results {
            if !r.passed {
                failures.push(format!("{}:{}: {} -- {}", b.name, r.line, r.text, r.detail));
            }
        }
        if std::env::var_os("SIM_DUMP").is_some() {
            eprintln!("==== {}\n{}", b.name, report.world.trace().to_text());
        }
        let again = scenario::run(b.source, None).unwrap();
        assert_eq!(
            report.world.trace().hash(),
            again.world.trace().hash(),
            "{}: two runs with the same seed differ",
            b.name
        );
        golden.push_str(&format!(
            "{} {:016x}\n",
            b.name,
            report.world.trace().hash()
        ));
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(GOLDEN);
    if std::env::var_os("UPDATE_SCENARIO_HASHES").is_some() {
        std::fs::write(&path, &golden).unwrap();
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        on_disk, golden,
        "{GOLDEN} is out of date: run with UPDATE_SCENARIO_HASHES=1 and commit it"
    );
}

/// The Last Will scenario's capture opens in tshark with MQTT decoded.
#[test]
fn last_will_pcap_decodes_in_tshark() {
    if !have(&[Peer::Tshark]) {
        return;
    }
    let b = mqttlab_core::sim::bundled::find("06-last-will").unwrap();
    let report = scenario::run(b.source, None).unwrap();
    let pcap = to_pcap(report.world.trace().entries());
    let path = std::env::temp_dir().join(format!("mqttlab-last-will-{}.pcap", std::process::id()));
    std::fs::write(&path, &pcap).unwrap();
    let out = std::process::Command::new("timeout")
        .args(["60", "tshark", "-r"])
        .arg(&path)
        .args([
            "-Y",
            "mqtt",
            "-T",
            "fields",
            "-e",
            "tcp.srcport",
            "-e",
            "mqtt.msgtype",
            "-e",
            "mqtt.topic",
            "-e",
            "mqtt.msg",
            "-e",
            "tcp.analysis.flags",
        ])
        .output()
        .expect("tshark runs");
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "tshark could not read our pcap: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
    // CONNECT (1) and CONNACK (2) for both clients, the publishes (3), the SUBSCRIBE.
    assert!(rows.iter().any(|r| r[1] == "1"), "{text}");
    assert!(rows.iter().any(|r| r[1] == "2" && r[0] == "1883"), "{text}");
    assert!(rows.iter().any(|r| r[1] == "8"), "{text}");
    let will: Vec<_> = rows
        .iter()
        .filter(|r| r[1] == "3" && r.get(2) == Some(&"sensor1/status"))
        .collect();
    assert!(will.len() >= 8, "{text}");
    // The last publish to the subscriber is the will, "off-line" (hex in mqtt.msg).
    let last = will.last().unwrap();
    assert!(
        last[3].contains("6f66662d6c696e65") || last[3].contains("off-line"),
        "{text}"
    );
    // No TCP complaints: sequence numbers and checksums are consistent.
    assert!(
        rows.iter().all(|r| r.get(4).is_none_or(|f| f.is_empty())),
        "{text}"
    );
}

/// The broker log of the basic experiment reads like the course text's
/// `mosquitto -v` output, line for line, once client ids and source ports (which
/// mosquitto 2.0 adds) are set aside.
#[test]
fn basic_experiment_log_reads_like_the_course() {
    use mqttlab_core::sim::trace::TraceKind;
    let course = "\
New connection from 172.17.0.2 on port 1883.
New client connected from 172.17.0.2 as ID (p2, c1, k60).
No will message specified.
Sending CONNACK to ID (0, 0)
Received SUBSCRIBE from ID
\ttopico (QoS 0)
ID 0 topico
Sending SUBACK to ID
New connection from 172.17.0.3 on port 1883.
New client connected from 172.17.0.3 as ID (p2, c1, k60).
No will message specified.
Sending CONNACK to ID (0, 0)
Received PUBLISH from ID (d0, q0, r0, m0, 'topico', ... (8 bytes))
Sending PUBLISH to ID (d0, q0, r0, m0, 'topico', ... (8 bytes))
Received DISCONNECT from ID
Client ID disconnected.
Received PINGREQ from ID
Sending PINGRESP to ID
Received DISCONNECT from ID
Client ID disconnected.";
    let b = mqttlab_core::sim::bundled::find("01-pubsub-basic").unwrap();
    let report = scenario::run(b.source, None).unwrap();
    let mut ours = Vec::new();
    for e in report.world.trace().entries() {
        let TraceKind::Log { text, .. } = &e.kind else {
            continue;
        };
        let mut words: Vec<String> = Vec::new();
        for w in text.split(' ') {
            let w = if w.starts_with("mosq-") {
                "ID".to_owned()
            } else if w.starts_with("172.17.") {
                w.split(':').next().unwrap_or(w).to_owned()
            } else {
                w.to_owned()
            };
            words.push(w);
        }
        ours.push(words.join(" "));
    }
    // Our broker also prints its start-up lines first, as mosquitto does.
    let ours: Vec<&str> = ours.iter().map(String::as_str).skip(3).collect();
    let course: Vec<&str> = course.lines().collect();
    assert_eq!(ours, course);
}
