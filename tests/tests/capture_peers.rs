//! `mqttlab_core::capture` against tshark, on captures of real mosquitto 2.0
//! and mosquitto_pub/sub running the course's experiments (QoS 0, 1 and 2,
//! retained, wildcards, persistent session, last will), at 3.1.1 and 5.0,
//! recorded here by `dumpcap` on loopback in pcap and pcapng, on `lo` and on
//! `any` (Linux cooked SLL2, what a capture on a docker host gives); MQTT over
//! WebSocket (MQTT.js against `mqttlab broker --ws`); the committed fixtures;
//! and cut or damaged files. For each capture, every MQTT packet tshark shows
//! is in ours, in order, in the same frame, on the same connection, the same
//! way.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use mqttlab_core::capture::{read, Capture, Carries, FileErrorKind, What};
use mqttlab_tests::peers::{have, Peer};
use mqttlab_tests::procs::{Mosquitto, Proc, MOSQUITTO_PUB, MOSQUITTO_SUB};

fn fixtures() -> PathBuf {
    mqttlab_tests::workspace_root().join("tests/fixtures/capture")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mqttlab-capture-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// dumpcap recording `tcp port PORT` on an interface into a file, until
/// stopped.
struct Dumpcap {
    proc: Proc,
    file: PathBuf,
}

impl Dumpcap {
    fn start(iface: &str, port: u16, file: &Path, extra: &[&str]) -> Dumpcap {
        // Its own time bound (`-a duration`), so that the signals below reach
        // dumpcap itself.
        let mut cmd = Command::new("dumpcap");
        cmd.args(["-a", "duration:60", "-i", iface, "-f"])
            .arg(format!("tcp port {port}"))
            .arg("-w")
            .arg(file)
            .args(extra);
        let mut proc = Proc::start("dumpcap", cmd, true);
        proc.wait_for("Capturing on", Duration::from_secs(10));
        // The filter is attached once it says so; give the kernel a moment.
        std::thread::sleep(Duration::from_millis(300));
        Dumpcap {
            proc,
            file: file.to_path_buf(),
        }
    }

    /// SIGINT (dumpcap then writes its last blocks), and the file.
    fn stop(mut self) -> Vec<u8> {
        std::thread::sleep(Duration::from_millis(300));
        let pid = self.proc.child.id().to_string();
        let _ = Command::new("kill").args(["-INT", &pid]).status();
        self.proc.wait(Duration::from_secs(10));
        std::fs::read(&self.file).unwrap()
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

fn spawn_sub(port: &str, v: &[&str], args: &[&str]) -> Proc {
    // mosquitto_sub's own time bound (-W), so that a kill reaches it.
    let mut all = vec!["-p", port, "-W", "15"];
    all.extend_from_slice(v);
    all.extend_from_slice(args);
    let p = Proc::spawn("mosquitto_sub", Path::new(MOSQUITTO_SUB), &all);
    std::thread::sleep(Duration::from_millis(300));
    p
}

/// The course's experiments against mosquitto on `port`, at 3.1.1 or (`v5`) 5.0.
fn experiments(port: u16, v5: bool) {
    let port = port.to_string();
    let p = port.as_str();
    let v: &[&str] = if v5 { &["-V", "5"] } else { &["-V", "311"] };
    let publish = |args: &[&str]| {
        let mut all = vec!["-p", p];
        all.extend_from_slice(v);
        all.extend_from_slice(args);
        run(MOSQUITTO_PUB, &all);
    };
    let mut watcher = spawn_sub(p, v, &["-i", "watcher", "-t", "lab/#", "-q", "2", "-v"]);
    // QoS 0, 1 and 2.
    for q in ["0", "1", "2"] {
        publish(&[
            "-i",
            "sensor",
            "-t",
            &format!("lab/qos/{q}"),
            "-q",
            q,
            "-m",
            "21.5",
        ]);
    }
    // Retained: a late subscriber gets it at once.
    publish(&["-t", "lab/retained", "-r", "-q", "1", "-m", "on"]);
    let mut late = spawn_sub(p, v, &["-i", "late", "-t", "lab/retained", "-C", "1"]);
    late.wait(Duration::from_secs(10));
    // Wildcards.
    let mut wild = spawn_sub(p, v, &["-i", "wild", "-t", "lab/+/temp", "-C", "1"]);
    publish(&["-t", "lab/sala/temp", "-m", "22"]);
    wild.wait(Duration::from_secs(10));
    // Persistent session: a QoS 1 message queued while the client is away.
    let persistent: &[&str] = if v5 {
        &[
            "-i",
            "persist",
            "-c",
            "-q",
            "1",
            "-t",
            "lab/persist",
            "-C",
            "1",
            "-x",
            "60",
        ]
    } else {
        &[
            "-i",
            "persist",
            "-c",
            "-q",
            "1",
            "-t",
            "lab/persist",
            "-C",
            "1",
        ]
    };
    let mut first = spawn_sub(p, v, persistent);
    publish(&["-t", "lab/persist", "-q", "1", "-m", "first"]);
    first.wait(Duration::from_secs(10));
    publish(&["-t", "lab/persist", "-q", "1", "-m", "while away"]);
    let mut back = spawn_sub(p, v, persistent);
    back.wait(Duration::from_secs(10));
    // Last will: the client dies without DISCONNECT.
    // Started without `timeout`, so that the kill reaches mosquitto_sub itself.
    let mut args = vec!["-p", p];
    args.extend_from_slice(v);
    args.extend_from_slice(&[
        "-i",
        "dying",
        "-t",
        "lab/none",
        "--will-topic",
        "lab/will/dying",
        "--will-payload",
        "offline",
        "--will-retain",
    ]);
    let mut dying = Proc::spawn("dying", Path::new(MOSQUITTO_SUB), &args);
    std::thread::sleep(Duration::from_millis(300));
    dying.kill();
    std::thread::sleep(Duration::from_millis(300));
    watcher.kill();
}

/// One MQTT packet as a list of packets shows it: frame, connection (as
/// numbered by whoever read it), source port, type.
type Row = (u32, u32, u16, u8);

/// What `tshark -Y mqtt` shows, one row per MQTT packet (a frame may hold
/// several).
fn tshark_rows(file: &Path, port: u16) -> Vec<Row> {
    let out = Command::new("timeout")
        .args(["60", "tshark", "-r"])
        .arg(file)
        .args([
            "-d",
            &format!("tcp.port=={port},mqtt"),
            "-Y",
            "mqtt",
            "-T",
            "fields",
        ])
        .args([
            "-e",
            "frame.number",
            "-e",
            "tcp.stream",
            "-e",
            "tcp.srcport",
            "-e",
            "mqtt.msgtype",
        ])
        .stderr(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success());
    let mut rows = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let f: Vec<&str> = line.split('\t').collect();
        for t in f[3].split(',') {
            rows.push((
                f[0].parse().unwrap(),
                f[1].parse().unwrap(),
                f[2].parse().unwrap(),
                t.parse().unwrap(),
            ));
        }
    }
    rows
}

fn our_rows(c: &Capture) -> Vec<Row> {
    c.events
        .iter()
        .filter_map(|e| match &e.what {
            What::Mqtt(p) => {
                let (src, _) = c.endpoints(e);
                Some((
                    e.frame,
                    e.stream as u32,
                    src.port(),
                    p.packet.packet_type() as u8,
                ))
            }
            What::Malformed(m) => panic!("frame {}: malformed: {}", e.frame, m.error),
            _ => None,
        })
        .collect()
}

/// Ours and tshark's agree packet for packet; connections may be numbered
/// differently but must map one to one.
fn agree(ours: &[Row], theirs: &[Row], what: &str) {
    assert!(!theirs.is_empty(), "{what}: tshark shows no MQTT");
    let mut map: BTreeMap<u32, u32> = BTreeMap::new();
    let mut back: BTreeMap<u32, u32> = BTreeMap::new();
    for (i, (o, t)) in ours.iter().zip(theirs).enumerate() {
        assert_eq!(
            (o.0, o.2, o.3),
            (t.0, t.2, t.3),
            "{what}: packet {i}: ours {o:?}, tshark {t:?}"
        );
        assert_eq!(
            *map.entry(t.1).or_insert(o.1),
            o.1,
            "{what}: packet {i}: tshark stream {} is two of ours",
            t.1
        );
        assert_eq!(
            *back.entry(o.1).or_insert(t.1),
            t.1,
            "{what}: packet {i}: our stream {} is two of tshark's",
            o.1
        );
    }
    assert_eq!(
        ours.len(),
        theirs.len(),
        "{what}: ours {} packets, tshark {}",
        ours.len(),
        theirs.len()
    );
}

fn check_file(file: &Path, port: u16, what: &str) -> Capture {
    let bytes = std::fs::read(file).unwrap();
    let c = read(&bytes).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(c.error, None, "{what}");
    agree(&our_rows(&c), &tshark_rows(file, port), what);
    c
}

/// Records the experiments and checks the file; returns it.
fn record(
    name: &str,
    iface: &str,
    v5: bool,
    dumpcap_args: &[&str],
) -> Option<(Capture, PathBuf, u16)> {
    if !have(&[Peer::Mosquitto, Peer::MosquittoClients, Peer::Tshark]) {
        return None;
    }
    let broker = Mosquitto::start();
    let file = scratch(name);
    let d = Dumpcap::start(iface, broker.port, &file, dumpcap_args);
    experiments(broker.port, v5);
    d.stop();
    let c = check_file(&file, broker.port, name);
    let ids: Vec<_> = c
        .streams
        .iter()
        .filter_map(|s| s.client_id.clone())
        .collect();
    for id in ["watcher", "sensor", "late", "wild", "persist", "dying"] {
        assert!(
            ids.iter().any(|i| i == id),
            "{name}: no connection of {id}: {ids:?}"
        );
    }
    let level = if v5 {
        mqttlab_core::codec::Protocol::V5
    } else {
        mqttlab_core::codec::Protocol::V311
    };
    assert!(c
        .streams
        .iter()
        .all(|s| s.carries == Carries::Mqtt && s.protocol == Some(level)));
    Some((c, file, broker.port))
}

#[test]
fn mosquitto_311_on_lo_as_pcapng() {
    if let Some((c, _, _)) = record("lo-311.pcapng", "lo", false, &[]) {
        assert_eq!(c.format, mqttlab_core::capture::Format::PcapNg);
        broker_state_from_the_wire(&c);
    }
}

#[test]
fn mosquitto_5_on_lo_as_pcap() {
    if let Some((c, _, _)) = record("lo-5.pcap", "lo", true, &["-P"]) {
        assert_eq!(c.format, mqttlab_core::capture::Format::Pcap);
        broker_state_from_the_wire(&c);
    }
}

/// What the experiments leave in the broker, rebuilt from the capture.
fn broker_state_from_the_wire(c: &Capture) {
    // The broker state from the wire: the retained message and the
    // dying client's retained will; the persistent session offline.
    let b = mqttlab_core::capture::state::brokers(c, c.events.len());
    let topics: Vec<_> = b[0].retained.iter().map(|m| m.topic.as_str()).collect();
    assert_eq!(topics, vec!["lab/retained", "lab/will/dying"]);
    let persist = b[0]
        .sessions
        .iter()
        .find(|s| s.client_id == "persist")
        .unwrap();
    assert!(!persist.online && !persist.clean);
    assert_eq!(persist.subscriptions.len(), 1);
    // While it was away, "while away" waited for it; seen delivered on
    // its return, it left the queue.
    let away = c
        .events
        .iter()
        .position(
            |e| matches!(&e.what, What::Mqtt(p) if p.bytes.windows(10).any(|w| w == b"while away")),
        )
        .unwrap();
    let then = mqttlab_core::capture::state::brokers(c, away + 1);
    let persist = then[0]
        .sessions
        .iter()
        .find(|s| s.client_id == "persist")
        .unwrap();
    assert_eq!(persist.queued.len(), 1, "{persist:?}");
    assert_eq!(persist.queued[0].payload, b"while away");
    assert!(b[0].sessions.iter().all(|s| s.queued.is_empty()));
}

#[test]
fn mosquitto_311_on_any_as_pcap_and_5_as_sll2_pcapng() {
    if let Some((c, file, _)) = record("any-311.pcap", "any", false, &["-P"]) {
        assert_eq!(c.format, mqttlab_core::capture::Format::Pcap);
        let head = std::fs::read(file).unwrap();
        assert_eq!(
            u32::from_le_bytes(head[20..24].try_into().unwrap()),
            113,
            "SLL"
        );
    }
    if let Some((_, file, _)) = record("any-5.pcapng", "any", true, &["-y", "LINUX_SLL2"]) {
        let out = Command::new("tshark")
            .arg("-r")
            .arg(&file)
            .args(["-c", "1", "-T", "fields", "-e", "frame.encap_type"])
            .stderr(Stdio::null())
            .output()
            .unwrap();
        // Wireshark's WTAP_ENCAP_SLL2.
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "210");
    }
}

#[test]
fn committed_fixtures_read_as_tshark_reads_them() {
    if !have(&[Peer::Tshark]) {
        return;
    }
    let mut n = 0;
    for entry in std::fs::read_dir(fixtures()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        // Each fixture's name ends in its broker's port: `…-p18931.pcapng`.
        let Some(port) = name
            .rsplit_once("-p")
            .and_then(|(_, rest)| rest.split('.').next())
            .and_then(|p| p.parse::<u16>().ok())
        else {
            continue;
        };
        if name.contains("-ws-") {
            continue;
        }
        check_file(&path, port, &name);
        n += 1;
    }
    assert!(n >= 2, "fixtures: {n}");
}

#[test]
fn cut_and_damaged_files_name_the_byte_offset() {
    let path = fixtures().join("qos-311-p18931.pcapng");
    let bytes = std::fs::read(&path).unwrap();
    let whole = read(&bytes).unwrap();
    // Cut anywhere past the header: the frames before the cut, and the offset
    // of the record it cuts.
    for cut in [bytes.len() - 1, bytes.len() / 2, bytes.len() / 3 + 7] {
        let c = read(&bytes[..cut]).unwrap();
        let e = c.error.clone().expect("a cut file says so");
        assert_eq!(e.kind, FileErrorKind::Truncated);
        assert!(e.offset < cut && e.offset > 0, "{e}");
        assert!(e.to_string().contains(&format!("byte offset {}", e.offset)));
        // (The last block of a pcapng is interface statistics, not a frame.)
        assert!(c.frames <= whole.frames);
        assert_eq!(&c.events[..], &whole.events[..c.events.len()]);
    }
    // A block length made odd: the block at that offset is damaged.
    // The section header's length: where the second block starts.
    let second = u32::from_le_bytes(bytes[4..8].try_into().unwrap()) as usize;
    let mut bad = bytes.clone();
    bad[second + 4] = 0x03;
    let c = read(&bad).unwrap();
    let e = c.error.expect("damage is reported");
    assert_eq!(e.offset, second, "{e}");
    // Not a capture at all.
    let e = read(b"\x7fELF\x02\x01\x01").unwrap_err();
    assert_eq!(e.offset, 0);
    assert!(matches!(e.kind, FileErrorKind::NotACapture { .. }));
}

#[test]
fn a_100000_frame_capture_loads_and_its_time_is_printed() {
    let file = big_capture(100_000);
    let start = Instant::now();
    let c = read(&file).unwrap();
    let took = start.elapsed();
    let packets = c
        .events
        .iter()
        .filter(|e| matches!(e.what, What::Mqtt(_)))
        .count();
    eprintln!(
        "capture load: {} frames, {} MQTT packets, {} bytes read in {:.0} ms ({} build)",
        c.frames,
        packets,
        file.len(),
        took.as_secs_f64() * 1000.0,
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );
    assert_eq!(c.frames, 100_000);
    assert_eq!(packets, 100_000);
}

/// `n` frames of one MQTT connection (Ethernet, IPv4): a CONNECT, then QoS 0
/// PUBLISHes from the client and PINGRESP-sized answers, alternating.
fn big_capture(n: u32) -> Vec<u8> {
    let mut f = Vec::new();
    f.extend_from_slice(&[0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    f.extend_from_slice(&65535u32.to_le_bytes());
    f.extend_from_slice(&1u32.to_le_bytes());
    let (mut seq_c, mut seq_s) = (1000u32, 5000u32);
    for i in 0..n {
        let from_client = i % 2 == 0;
        let payload: Vec<u8> = if i == 0 {
            vec![
                0x10, 0x0d, 0, 4, b'M', b'Q', b'T', b'T', 4, 0x02, 0, 60, 0, 1, b'c',
            ]
        } else if i == 1 {
            vec![0x20, 0x02, 0, 0]
        } else if from_client {
            let mut p = vec![0x30, 0x0c, 0, 5];
            p.extend_from_slice(b"lab/t");
            p.extend_from_slice(format!("{:05}", i % 100_000).as_bytes());
            p
        } else {
            vec![0xd0, 0x00]
        };
        let (src, dst, seq) = if from_client {
            (50000u16, 1883u16, &mut seq_c)
        } else {
            (1883, 50000, &mut seq_s)
        };
        let total = 20 + 20 + payload.len();
        let mut frame = vec![0u8; 12];
        frame.extend_from_slice(&[0x08, 0x00]);
        frame.extend_from_slice(&[
            0x45,
            0,
            (total >> 8) as u8,
            total as u8,
            0,
            0,
            0x40,
            0,
            64,
            6,
            0,
            0,
            127,
            0,
            0,
            1,
            127,
            0,
            0,
            1,
        ]);
        frame.extend_from_slice(&src.to_be_bytes());
        frame.extend_from_slice(&dst.to_be_bytes());
        frame.extend_from_slice(&seq.to_be_bytes());
        frame.extend_from_slice(&[0, 0, 0, 0, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0]);
        frame.extend_from_slice(&payload);
        *seq = seq.wrapping_add(payload.len() as u32);
        f.extend_from_slice(&(1_700_000_000 + i / 1000).to_le_bytes());
        f.extend_from_slice(&((i % 1000) * 1000).to_le_bytes());
        f.extend_from_slice(&(frame.len() as u32).to_le_bytes());
        f.extend_from_slice(&(frame.len() as u32).to_le_bytes());
        f.extend_from_slice(&frame);
    }
    f
}

/// MQTT over WebSocket, captured on `any` (SLL2): MQTT.js (a real client,
/// which cuts each packet into several frames) against `mqttlab broker --ws`.
/// The oracle is MQTT.js's own record of the packets it sent and received.
#[test]
fn mqtt_over_websocket_reads_as_mqttjs_sent_and_received_it() {
    if !have(&[Peer::Tshark, Peer::NodeModule("mqtt")]) {
        return;
    }
    let (_broker, _tcp, ws) =
        mqttlab_tests::procs::start_mqttlab_broker_ws(&[], Duration::from_secs(20));
    let file = scratch("ws.pcapng");
    let d = Dumpcap::start("any", ws, &file, &["-y", "LINUX_SLL2"]);
    let script = format!(
        r#"
const mqtt = require('mqtt');
const log = [];
const c = mqtt.connect('ws://127.0.0.1:{ws}/mqtt', {{ protocolVersion: 4, clientId: 'wsclient', manualConnect: true }});
c.on('packetsend', (p) => log.push('S ' + p.cmd));
c.on('packetreceive', (p) => log.push('R ' + p.cmd));
c.on('connect', () => c.subscribe('w/#', {{ qos: 1 }}, () => c.publish('w/x', 'over ws', {{ qos: 1 }})));
c.on('message', () => c.end(false, () => {{ console.log(JSON.stringify(log)); process.exit(0); }}));
c.connect();
setTimeout(() => process.exit(2), 8000);
"#
    );
    let out = Command::new("timeout")
        .args(["15", "node", "-e", &script])
        .current_dir(mqttlab_tests::peers::node_modules().join(".."))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = d.stop();
    let log: Vec<String> =
        serde_json::from_slice(String::from_utf8_lossy(&out.stdout).trim().as_bytes()).unwrap();
    let c = read(&bytes).unwrap();
    let s = c
        .streams
        .iter()
        .position(|s| s.carries == Carries::MqttOverWebSocket)
        .expect("a WebSocket connection");
    assert_eq!(c.streams[s].client_id.as_deref(), Some("wsclient"));
    let ours: Vec<String> = c
        .events
        .iter()
        .filter(|e| e.stream == s)
        .filter_map(|e| match &e.what {
            What::Mqtt(p) => Some(format!(
                "{} {}",
                if e.direction == mqttlab_core::capture::Direction::ToServer {
                    "S"
                } else {
                    "R"
                },
                format!("{:?}", p.packet.packet_type()).to_lowercase()
            )),
            What::Malformed(m) => panic!("malformed: {}", m.error),
            _ => None,
        })
        .collect();
    // Per direction, the same packets in the same order (the two directions
    // interleave differently on the wire and in the client's event loop).
    for dir in ["S ", "R "] {
        let a: Vec<_> = ours.iter().filter(|l| l.starts_with(dir)).collect();
        let b: Vec<_> = log.iter().filter(|l| l.starts_with(dir)).collect();
        assert_eq!(a, b, "ours {ours:?}, MQTT.js {log:?}");
    }
    let upgrade = c.events.iter().any(|e| {
        matches!(&e.what, What::WebSocket(mqttlab_core::capture::WsNote::Handshake { line }) if line.starts_with("GET /mqtt"))
    });
    assert!(upgrade);
}

/// MQTT over TLS (mosquitto with a certificate made here by openssl): the
/// connection is shown as TLS, its records as tshark counts them, and no MQTT
/// is read from it, as tshark reads none without the keys.
#[test]
fn mqtt_over_tls_is_encrypted_not_readable() {
    if !have(&[Peer::Mosquitto, Peer::MosquittoClients, Peer::Tshark]) {
        return;
    }
    let key = scratch("tls.key");
    let cert = scratch("tls.crt");
    let status = Command::new("timeout")
        .args([
            "30",
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
        ])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "openssl");
    // mosquitto run as root reads its files as the user `mosquitto`: a
    // throwaway key, readable.
    use std::os::unix::fs::PermissionsExt;
    for p in [key.parent().unwrap(), &key, &cert] {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let broker = Mosquitto::start_with(&format!(
        "allow_anonymous true\ncertfile {}\nkeyfile {}\n",
        cert.display(),
        key.display()
    ));
    let file = scratch("tls.pcapng");
    let d = Dumpcap::start("lo", broker.port, &file, &[]);
    let port = broker.port();
    let cafile = cert.to_string_lossy().to_string();
    run(
        MOSQUITTO_PUB,
        &[
            "-p",
            &port,
            "--cafile",
            &cafile,
            "--insecure",
            "-t",
            "lab/tls",
            "-m",
            "secret",
            "-q",
            "1",
        ],
    );
    d.stop();
    let c = check_tls(&file, broker.port);
    assert_eq!(c.streams.len(), 1);
}

fn check_tls(file: &Path, port: u16) -> Capture {
    let c = read(&std::fs::read(file).unwrap()).unwrap();
    assert!(c.streams.iter().all(|s| s.carries == Carries::Tls));
    assert!(!c
        .events
        .iter()
        .any(|e| matches!(e.what, What::Mqtt(_) | What::Malformed(_))));
    let ours = c
        .events
        .iter()
        .filter(|e| matches!(e.what, What::Tls(_)))
        .count();
    let out = Command::new("timeout")
        .args(["60", "tshark", "-r"])
        .arg(file)
        .args([
            "-d",
            &format!("tcp.port=={port},tls"),
            "-Y",
            "tls",
            "-T",
            "fields",
            "-e",
            "tls.record.content_type",
        ])
        // TLS 1.3 calls an encrypted record's type its "opaque type".
        .args(["-e", "tls.record.opaque_type"])
        .stderr(Stdio::null())
        .output()
        .unwrap();
    let theirs: usize = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.split([',', '\t']).filter(|t| !t.is_empty()).count())
        .sum();
    assert!(ours > 3);
    assert_eq!(ours, theirs, "TLS records: ours {ours}, tshark {theirs}");
    assert!(tshark_rows_or_none(file, port));
    c
}

/// tshark reads no MQTT from the encrypted connection either.
fn tshark_rows_or_none(file: &Path, port: u16) -> bool {
    let out = Command::new("timeout")
        .args(["60", "tshark", "-r"])
        .arg(file)
        .args(["-d", &format!("tcp.port=={port},tls"), "-Y", "mqtt"])
        .stderr(Stdio::null())
        .output()
        .unwrap();
    out.stdout.is_empty()
}

/// `mqttlab capture`: one line per MQTT packet tshark shows, with `--mqtt`;
/// the broker state with `--state`; a cut file prints what it read and exits 1
/// naming the byte offset.
#[test]
fn the_capture_command_prints_the_flow_and_fails_on_a_cut_file() {
    let fixture = fixtures().join("will-5-p18931.pcap");
    let out = mqttlab_tests::procs::mqttlab_within(30)
        .arg("capture")
        .arg(&fixture)
        .args(["--mqtt", "--state"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let packets = text.lines().take_while(|l| !l.is_empty()).count();
    if have(&[Peer::Tshark]) {
        assert_eq!(packets, tshark_rows(&fixture, 18931).len(), "{text}");
    }
    assert!(text.contains("127.0.0.1:18931 → 127.0.0.1:"), "{text}");
    assert!(text.contains("PUBLISH q0 lab/will/dying"), "{text}");
    assert!(
        text.contains("retained 'lab/will/dying': \"offline\" q0"),
        "{text}"
    );
    let bytes = std::fs::read(&fixture).unwrap();
    let cut = scratch("cut.pcap");
    std::fs::write(&cut, &bytes[..bytes.len() - 10]).unwrap();
    let out = mqttlab_tests::procs::mqttlab_within(30)
        .arg("capture")
        .arg(&cut)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cut short in the middle of a record (byte offset"),
        "{err}"
    );
    assert!(!out.stdout.is_empty());
}

/// IPv6: mosquitto listening on [::1] too, a QoS 1 exchange over it.
#[test]
fn mosquitto_over_ipv6_loopback() {
    if !have(&[Peer::Mosquitto, Peer::MosquittoClients, Peer::Tshark]) {
        return;
    }
    let v6 = mqttlab_tests::procs::free_port();
    let broker = Mosquitto::start_with(&format!("allow_anonymous true\nlistener {v6} ::1\n"));
    let file = scratch("v6.pcapng");
    let d = Dumpcap::start("lo", v6, &file, &[]);
    let port = v6.to_string();
    let mut sub = spawn_sub(
        &port,
        &["-h", "::1"],
        &["-i", "sub6", "-t", "lab/v6", "-q", "1", "-C", "1"],
    );
    run(
        MOSQUITTO_PUB,
        &[
            "-h", "::1", "-p", &port, "-i", "pub6", "-t", "lab/v6", "-q", "1", "-m", "x",
        ],
    );
    sub.wait(Duration::from_secs(10));
    d.stop();
    drop(broker);
    let c = check_file(&file, v6, "v6.pcapng");
    assert!(c
        .streams
        .iter()
        .all(|s| s.server.is_ipv6() && s.server.port() == v6));
    assert_eq!(c.streams.len(), 2);
}

/// A real capture's records reordered and repeated, as a lossy network
/// delivers them: a segment sent twice and a segment arriving before the one
/// it follows. tshark's TCP analysis is the oracle for where the notes go; the
/// MQTT packets are read once each, in the order their bytes were sent.
#[test]
fn retransmitted_and_reordered_segments_are_notes_where_tshark_flags_them() {
    if !have(&[Peer::Tshark]) {
        return;
    }
    let bytes = std::fs::read(fixtures().join("will-5-p18931.pcap")).unwrap();
    let mut records: Vec<&[u8]> = Vec::new();
    let mut at = 24;
    while at < bytes.len() {
        let len = u32::from_le_bytes(bytes[at + 8..at + 12].try_into().unwrap()) as usize;
        records.push(&bytes[at..at + 16 + len]);
        at += 16 + len;
    }
    // Frames 8 (SUBSCRIBE of 'watcher') and 14/18 (CONNECT and SUBSCRIBE of
    // 'dying'), numbered from 1.
    let mut order: Vec<usize> = (0..records.len()).collect();
    order.insert(8, 7); // frame 8 again: new frame 9
    let connect = order.iter().position(|&i| i == 13).unwrap();
    let subscribe = order.iter().position(|&i| i == 17).unwrap();
    let moved = order.remove(subscribe);
    order.insert(connect, moved); // the SUBSCRIBE before the CONNECT
    let mut file = bytes[..24].to_vec();
    for &i in &order {
        file.extend_from_slice(records[i]);
    }
    let path = scratch("reordered.pcap");
    std::fs::write(&path, &file).unwrap();
    let c = read(&file).unwrap();
    let flagged = |filter: &str| -> Vec<u32> {
        let out = Command::new("timeout")
            .args(["60", "tshark", "-r"])
            .arg(&path)
            .args(["-Y", filter, "-T", "fields", "-e", "frame.number"])
            .stderr(Stdio::null())
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| l.trim().parse().unwrap())
            .collect()
    };
    let ours = |want: fn(&TcpNote) -> bool| -> Vec<u32> {
        c.events
            .iter()
            .filter(|e| matches!(&e.what, What::Tcp(n) if want(n)))
            .map(|e| e.frame)
            .collect()
    };
    use mqttlab_core::capture::TcpNote;
    // The segment that fills the gap: we call it out of order; Wireshark
    // calls it out of order, a retransmission or a fast retransmission by its
    // timing and the duplicate ACKs before it (here: fast retransmission).
    let filled = ours(|n| matches!(n, TcpNote::OutOfOrder { .. }));
    assert_eq!(filled.len(), 1);
    let mut repeated = ours(|n| matches!(n, TcpNote::Retransmission { .. }));
    assert_eq!(repeated.len(), 1);
    repeated.extend(&filled);
    repeated.sort();
    assert_eq!(
        repeated,
        flagged(
            "tcp.analysis.retransmission or tcp.analysis.spurious_retransmission \
             or tcp.analysis.fast_retransmission or tcp.analysis.out_of_order"
        ),
    );
    assert_eq!(
        ours(|n| matches!(n, TcpNote::PreviousSegmentNotCaptured { .. })),
        flagged("tcp.analysis.lost_segment"),
    );
    // Each MQTT packet once, and 'dying''s CONNECT before its SUBSCRIBE.
    let types: Vec<String> = c
        .events
        .iter()
        .filter(|e| c.streams[e.stream].client_id.as_deref() == Some("dying"))
        .filter_map(|e| match &e.what {
            What::Mqtt(p) => Some(format!("{:?}", p.packet.packet_type())),
            _ => None,
        })
        .collect();
    // Both of its packets are read when the gap fills (the SUBSCRIBE held
    // until then), in the order they were sent.
    assert_eq!(types, ["Connect", "Subscribe", "Connack", "Suback"]);
    let watcher_subscribes = c
        .events
        .iter()
        .filter(|e| matches!(&e.what, What::Mqtt(p) if p.packet.packet_type() == mqttlab_core::codec::PacketType::Subscribe))
        .count();
    assert_eq!(watcher_subscribes, 2);
}
