//! The specification checker against real mosquitto 2.0.11 and its tools:
//! captures made at test time with dumpcap on 127.0.0.1 (3.1.1 and 5.0) and
//! the committed ones break no MUST, and `mqttlab check` says so (exit 0), while
//! a scenario whose broker misbehaves on purpose... is not bundled: a crafted
//! JSON trace with a SUBACK of the wrong identifier exits 1 naming MQTT-2.3.1-7.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use mqttlab_core::capture::read;
use mqttlab_core::checker::{Checker, Report, Statement};
use mqttlab_tests::peers::{have, Peer};
use mqttlab_tests::procs::{Mosquitto, Proc, MOSQUITTO_PUB, MOSQUITTO_SUB};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mqttlab-checker-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn no_must(r: &Report, what: &str) {
    assert!(!r.must_broken(), "{what}:\n{r}");
}

#[test]
fn committed_mosquitto_captures_break_no_must() {
    let dir = mqttlab_tests::workspace_root().join("tests/fixtures/capture");
    for f in ["qos-311-p18931.pcapng", "will-5-p18931.pcap"] {
        let c = read(&std::fs::read(dir.join(f)).unwrap()).unwrap();
        let r = Checker::check_capture(&c);
        no_must(&r, f);
        assert!(r.coverage.held().count() >= 8, "{f}: {r}");
    }
}

fn run(program: &str, args: &[&str]) {
    let status = Command::new("timeout")
        .arg("10")
        .arg(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "{program} {args:?}: {status}");
}

fn sub(port: &str, v: &str, args: &[&str]) -> Proc {
    let mut all = vec!["-p", port, "-V", v, "-W", "15"];
    all.extend_from_slice(args);
    let p = Proc::spawn("mosquitto_sub", Path::new(MOSQUITTO_SUB), &all);
    std::thread::sleep(Duration::from_millis(300));
    p
}

/// QoS 0/1/2 to a subscriber, a retained message to a late one, a will on a kill.
fn experiments(port: u16, v: &str) {
    let port = port.to_string();
    let p = port.as_str();
    let publish = |args: &[&str]| {
        let mut all = vec!["-p", p, "-V", v];
        all.extend_from_slice(args);
        run(MOSQUITTO_PUB, &all);
    };
    let mut watcher = sub(p, v, &["-i", "watcher", "-t", "lab/#", "-q", "2"]);
    for q in ["0", "1", "2"] {
        publish(&[
            "-i",
            "sensor",
            "-t",
            &format!("lab/qos/{q}"),
            "-q",
            q,
            "-m",
            &format!("m{q}"),
        ]);
    }
    publish(&["-t", "lab/retained", "-r", "-q", "1", "-m", "on"]);
    let mut late = sub(p, v, &["-i", "late", "-t", "lab/retained", "-C", "1"]);
    late.wait(Duration::from_secs(10));
    let args = [
        "-p",
        p,
        "-V",
        v,
        "-i",
        "dying",
        "-t",
        "lab/none",
        "--will-topic",
        "lab/will/dying",
        "--will-payload",
        "offline",
    ];
    let mut dying = Proc::spawn("dying", Path::new(MOSQUITTO_SUB), &args);
    std::thread::sleep(Duration::from_millis(300));
    dying.kill();
    std::thread::sleep(Duration::from_millis(1300));
    watcher.kill();
}

fn record(name: &str, v: &str) -> Option<Report> {
    if !have(&[Peer::Mosquitto, Peer::MosquittoClients, Peer::Tshark]) {
        return None;
    }
    let broker = Mosquitto::start();
    let file = scratch(name);
    let mut cmd = Command::new("dumpcap");
    cmd.args(["-a", "duration:60", "-i", "lo", "-f"])
        .arg(format!("tcp port {}", broker.port))
        .arg("-w")
        .arg(&file);
    let mut d = Proc::start("dumpcap", cmd, true);
    d.wait_for("Capturing on", Duration::from_secs(10));
    std::thread::sleep(Duration::from_millis(300));
    experiments(broker.port, v);
    std::thread::sleep(Duration::from_millis(300));
    let _ = Command::new("kill")
        .args(["-INT", &d.child.id().to_string()])
        .status();
    d.wait(Duration::from_secs(10));
    let c = read(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(c.error, None);
    Some(Checker::check_capture(&c))
}

fn held(r: &Report, s: Statement) -> bool {
    r.coverage.held().any(|x| x == s)
}

#[test]
fn mosquitto_311_and_5_captured_on_lo_break_no_must() {
    for (name, v) in [("lo-311.pcapng", "311"), ("lo-5.pcapng", "5")] {
        let Some(r) = record(name, v) else { return };
        no_must(&r, name);
        for s in [
            Statement::FirstPacketConnect,
            Statement::FirstPacketConnack,
            Statement::SessionPresentClean,
            Statement::AckMatchesPublish,
            Statement::PubrelAfterPubrec,
            Statement::PubcompAfterPubrel,
            Statement::SubackOneCodePerFilter,
            Statement::DeliveryQos,
            Statement::DeliveryMatchesFilter,
            Statement::WillOnUngracefulClose,
        ] {
            assert!(held(&r, s), "{name}: {s:?} did not come up and hold:\n{r}");
        }
    }
}

#[test]
fn the_check_command_exits_0_on_mosquitto_and_1_on_a_broken_must() {
    let fixture = mqttlab_tests::workspace_root().join("tests/fixtures/capture/will-5-p18931.pcap");
    let out = mqttlab_tests::procs::mqttlab_within(30)
        .arg("check")
        .arg(&fixture)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("0 finding(s)") || !text.contains("[MUST]"),
        "{text}"
    );
    assert!(text.contains("coverage:"), "{text}");
    // A bundled scenario by name.
    let out = mqttlab_tests::procs::mqttlab_within(60)
        .args(["check", "06-last-will"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // A JSON trace whose broker answers SUBSCRIBE 1 with SUBACK 2.
    let json = concat!(
        "{\"hash\":\"0\",\"entries\":[\n",
        "{\"t_us\":0,\"kind\":\"tcp_open\",\"from\":\"c\",\"to\":\"b\",\"conn\":1},\n",
        "{\"t_us\":1,\"kind\":\"packet\",\"fate\":\"delivered\",\"from\":\"c\",\"to\":\"b\",\"conn\":1,\"hex\":\"100c00044d5154540402003c0000\"},\n",
        "{\"t_us\":2,\"kind\":\"packet\",\"fate\":\"sent\",\"from\":\"b\",\"to\":\"c\",\"conn\":1,\"hex\":\"20020000\"},\n",
        "{\"t_us\":3,\"kind\":\"packet\",\"fate\":\"delivered\",\"from\":\"c\",\"to\":\"b\",\"conn\":1,\"hex\":\"8206000100017400\"},\n",
        "{\"t_us\":4,\"kind\":\"packet\",\"fate\":\"sent\",\"from\":\"b\",\"to\":\"c\",\"conn\":1,\"hex\":\"9003000200\"}\n",
        "]}\n"
    );
    let file = scratch("bad-suback.json");
    std::fs::write(&file, json).unwrap();
    let out = mqttlab_tests::procs::mqttlab_within(30)
        .arg("check")
        .arg(&file)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("[MUST] MQTT-2.3.1-7"), "{text}");
}
