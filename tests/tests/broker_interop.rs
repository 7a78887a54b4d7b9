//! `mqttlab broker` (the core's sans-IO broker on real TCP) with Debian's
//! `mosquitto_pub`/`mosquitto_sub` as clients: the course text's commands (basic,
//! `-q 1`, `-q 2`, `-r`, `-c` with an offline message, `--will-*` with the
//! publisher killed), and a differential log test against real `mosquitto -v` 2.0.
//!
//! Every test starts its own broker on a free 127.0.0.1 port, bounds every wait,
//! and kills what it started when it ends (also on panic). Tests are skipped, with
//! a note, when mosquitto is not installed.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use mqttlab_tests::workspace_root;

const MOSQUITTO: &str = "/usr/sbin/mosquitto";
const PUB: &str = "/usr/bin/mosquitto_pub";
const SUB: &str = "/usr/bin/mosquitto_sub";
const WAIT: Duration = Duration::from_secs(10);

fn mqttlab() -> &'static PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Ok(bin) = std::env::var("MQTTLAB_BIN") {
            return PathBuf::from(bin);
        }
        let target = std::env::var("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|_| workspace_root().join("target"));
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "-p", "mqttlab-server", "--bin", "mqttlab"])
            .current_dir(workspace_root())
            .env("CARGO_TARGET_DIR", &target)
            .status()
            .expect("run cargo build");
        assert!(status.success(), "cargo build -p mqttlab-server failed");
        target.join("debug").join("mqttlab")
    })
}

fn have_mosquitto() -> bool {
    let ok = [MOSQUITTO, PUB, SUB].iter().all(|p| Path::new(p).exists());
    if !ok {
        eprintln!("mosquitto not installed: skipping");
    }
    ok
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A child process, killed when dropped, whose stdout (or stderr) lines are read
/// by a thread.
struct Proc {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
    name: String,
}

impl Proc {
    fn spawn(name: &str, program: &Path, args: &[&str], stderr: bool) -> Proc {
        let mut cmd = Command::new(program);
        cmd.args(args).stdin(Stdio::null());
        if stderr {
            cmd.stdout(Stdio::null()).stderr(Stdio::piped());
        } else {
            cmd.stdout(Stdio::piped()).stderr(Stdio::inherit());
        }
        let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {name}: {e}"));
        let out: Box<dyn std::io::Read + Send> = if stderr {
            Box::new(child.stderr.take().expect("piped stderr"))
        } else {
            Box::new(child.stdout.take().expect("piped stdout"))
        };
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Proc {
            child,
            lines: rx,
            seen: Vec::new(),
            name: name.into(),
        }
    }

    /// Reads lines until one contains `needle`, failing after `within`.
    fn wait_for(&mut self, needle: &str, within: Duration) {
        if self.seen.iter().any(|l| l.contains(needle)) {
            return;
        }
        let end = Instant::now() + within;
        loop {
            let left = end.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(l) => {
                    let hit = l.contains(needle);
                    self.seen.push(l);
                    if hit {
                        return;
                    }
                }
                Err(_) => panic!(
                    "{}: {needle:?} not seen within {within:?}; saw:\n{}",
                    self.name,
                    self.seen.join("\n")
                ),
            }
        }
    }

    /// Collects lines until the process exits or `within` ends.
    fn collect(&mut self, within: Duration) -> Vec<String> {
        let end = Instant::now() + within;
        while let Ok(l) = self
            .lines
            .recv_timeout(end.saturating_duration_since(Instant::now()))
        {
            self.seen.push(l);
        }
        self.seen.clone()
    }

    /// Reads what has arrived so far, waiting `settle` for more.
    fn settle(&mut self, settle: Duration) -> Vec<String> {
        while let Ok(l) = self.lines.recv_timeout(settle) {
            self.seen.push(l);
        }
        self.seen.clone()
    }

    /// Waits for the process to exit, killing it after `within`.
    fn finish(&mut self, within: Duration) {
        let end = Instant::now() + within;
        while Instant::now() < end {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        panic!("{} did not exit within {within:?}", self.name);
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `mqttlab broker -v` on a free port, once it is listening.
fn start_mqttlab(extra: &[&str]) -> (Proc, u16) {
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let mut args = vec!["broker", "--tcp", addr.as_str(), "-v"];
    args.extend_from_slice(extra);
    let mut b = Proc::spawn("mqttlab broker", mqttlab(), &args, false);
    b.wait_for("running", WAIT);
    (b, port)
}

/// Real `mosquitto -v` on a free port, once it is listening.
fn start_mosquitto() -> (Proc, u16, PathBuf) {
    let port = free_port();
    let conf = std::env::temp_dir().join(format!("mqttlab-broker-interop-{port}.conf"));
    std::fs::write(
        &conf,
        format!("listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"),
    )
    .expect("write mosquitto.conf");
    let conf_s = conf.to_string_lossy().into_owned();
    let mut b = Proc::spawn(
        "mosquitto",
        Path::new(MOSQUITTO),
        &["-v", "-c", &conf_s],
        true,
    );
    b.wait_for("running", WAIT);
    (b, port, conf)
}

fn pub_(port: u16, args: &[&str]) {
    let p = port.to_string();
    let mut all = vec!["-h", "127.0.0.1", "-p", p.as_str()];
    all.extend_from_slice(args);
    let mut proc = Proc::spawn("mosquitto_pub", Path::new(PUB), &all, false);
    proc.finish(WAIT);
}

fn sub(port: u16, args: &[&str]) -> Proc {
    let p = port.to_string();
    let mut all = vec!["-h", "127.0.0.1", "-p", p.as_str(), "-W", "10"];
    all.extend_from_slice(args);
    Proc::spawn("mosquitto_sub", Path::new(SUB), &all, false)
}

/// mosquitto_sub -t topico [-q N] receives what mosquitto_pub -m mensagem -t topico
/// [-q N] publishes, and the broker log shows the course text's lines.
fn pub_sub_at(q: &str) {
    if !have_mosquitto() {
        return;
    }
    let (mut broker, port) = start_mqttlab(&[]);
    let mut s = sub(
        port,
        &["-t", "topico", "-q", q, "-C", "1", "-i", "assinante"],
    );
    broker.wait_for("Sending SUBACK to assinante", WAIT);
    pub_(
        port,
        &[
            "-m",
            "mensagem",
            "-t",
            "topico",
            "-q",
            q,
            "-i",
            "publicador",
        ],
    );
    assert_eq!(s.collect(WAIT), ["mensagem"]);
    s.finish(WAIT);
    broker.wait_for("Client assinante disconnected.", WAIT);
    broker.wait_for("Client publicador disconnected.", WAIT);
    let log = broker.seen.join("\n");
    for line in [
        "New client connected from 127.0.0.1".to_string(),
        "as assinante (p2, c1, k60).".to_string(),
        format!("\ttopico (QoS {q})"),
        format!("assinante {q} topico"),
        format!(
            "Received PUBLISH from publicador (d0, q{q}, r0, m{}, 'topico', ... (8 bytes))",
            if q == "0" { 0 } else { 1 }
        ),
        format!(
            "Sending PUBLISH to assinante (d0, q{q}, r0, m{}, 'topico', ... (8 bytes))",
            if q == "0" { 0 } else { 1 }
        ),
        "Received DISCONNECT from publicador".to_string(),
        "Client publicador disconnected.".to_string(),
    ] {
        assert!(log.contains(&line), "missing {line:?} in\n{log}");
    }
}

#[test]
fn course_basic_pub_sub() {
    pub_sub_at("0");
}

#[test]
fn course_qos1_pub_sub() {
    pub_sub_at("1");
}

#[test]
fn course_qos2_pub_sub() {
    pub_sub_at("2");
}

#[test]
fn course_retained_message() {
    if !have_mosquitto() {
        return;
    }
    let (_broker, port) = start_mqttlab(&[]);
    pub_(port, &["-m", "mensagem", "-t", "topico", "-q", "1", "-r"]);
    let mut s = sub(port, &["-t", "topico", "-q", "1", "-C", "1", "-v"]);
    assert_eq!(s.collect(WAIT), ["topico mensagem"]);
}

#[test]
fn course_persistent_session_with_offline_message() {
    if !have_mosquitto() {
        return;
    }
    let (mut broker, port) = start_mqttlab(&[]);
    let args = [
        "-t",
        "topico",
        "-q",
        "1",
        "-c",
        "-i",
        "persistente",
        "-C",
        "1",
    ];
    let mut s = sub(port, &args);
    broker.wait_for("Sending SUBACK to persistente", WAIT);
    pub_(port, &["-m", "mensagem1", "-t", "topico", "-q", "1"]);
    assert_eq!(s.collect(WAIT), ["mensagem1"]);
    s.finish(WAIT);
    broker.wait_for("Client persistente disconnected.", WAIT);
    pub_(port, &["-m", "mensagem2", "-t", "topico", "-q", "1"]);
    let mut s = sub(port, &args);
    assert_eq!(s.collect(WAIT), ["mensagem2"]);
    broker.wait_for("Sending CONNACK to persistente (1, 0)", WAIT);
}

#[test]
fn course_will_when_the_publisher_is_killed() {
    if !have_mosquitto() {
        return;
    }
    let (mut broker, port) = start_mqttlab(&[]);
    let p = port.to_string();
    let mut sensor = Proc::spawn(
        "mosquitto_pub",
        Path::new(PUB),
        &[
            "-h",
            "127.0.0.1",
            "-p",
            &p,
            "-i",
            "sensor1",
            "-m",
            "on-line",
            "-t",
            "sensor1/status",
            "-r",
            "--repeat",
            "20",
            "--repeat-delay",
            "1",
            "--will-topic",
            "sensor1/status",
            "--will-payload",
            "off-line",
            "--will-retain",
        ],
        false,
    );
    broker.wait_for("Received PUBLISH from sensor1", WAIT);
    let mut s = sub(port, &["-i", "watcher", "-t", "sensor1/status", "-C", "2"]);
    broker.wait_for("Sending SUBACK to watcher", WAIT);
    sensor.kill(); // SIGKILL: no DISCONNECT
    assert_eq!(s.collect(WAIT), ["on-line", "off-line"]);
    // The will was retained: a late subscriber sees it.
    let mut late = sub(port, &["-t", "sensor1/status", "-C", "1"]);
    assert_eq!(late.collect(WAIT), ["off-line"]);
}

#[test]
fn websocket_listener_speaks_mqtt() {
    if !have_mosquitto() {
        return;
    }
    // mosquitto_sub has no WebSocket transport; a raw handshake checks the
    // subprotocol, then a CONNECT over a binary frame gets a CONNACK.
    use std::io::{Read, Write};
    let ws_port = free_port();
    let ws = format!("127.0.0.1:{ws_port}");
    let (_broker, _port) = start_mqttlab(&["--ws", &ws]);
    let mut tcp = std::net::TcpStream::connect(&ws).expect("connect ws");
    tcp.set_read_timeout(Some(WAIT)).unwrap();
    write!(
        tcp,
        "GET / HTTP/1.1\r\nHost: {ws}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
         Sec-WebSocket-Protocol: mqtt\r\n\r\n"
    )
    .unwrap();
    let mut head = Vec::new();
    let mut b = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        tcp.read_exact(&mut b).expect("handshake response");
        head.push(b[0]);
    }
    let head = String::from_utf8_lossy(&head).to_lowercase();
    assert!(head.starts_with("http/1.1 101"), "{head}");
    assert!(head.contains("sec-websocket-protocol: mqtt"), "{head}");
    // CONNECT "ws1", clean, keep alive 60, in a masked binary frame.
    let connect: &[u8] = &[
        0x10, 0x0f, 0x00, 0x04, b'M', b'Q', b'T', b'T', 0x04, 0x02, 0x00, 0x3c, 0x00, 0x03, b'w',
        b's', b'1',
    ];
    let mask = [1u8, 2, 3, 4];
    let mut frame = vec![0x82, 0x80 | connect.len() as u8];
    frame.extend_from_slice(&mask);
    frame.extend(connect.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    tcp.write_all(&frame).unwrap();
    let mut reply = [0u8; 6];
    tcp.read_exact(&mut reply).expect("CONNACK frame");
    assert_eq!(reply, [0x82, 0x04, 0x20, 0x02, 0x00, 0x00]);
}

// ---- differential log test ----

/// The log without timestamps and with source ports and listener ports blanked,
/// from the first client line on.
fn normalise(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .filter_map(|l| l.split_once(": ").map(|(_, t)| t.to_string()))
        .skip_while(|t| !t.starts_with("New connection"))
        .map(|t| {
            let mut out = String::new();
            let mut rest = t.as_str();
            // "127.0.0.1:40156" -> "127.0.0.1:PORT"; "on port 1883." -> "on port P."
            while let Some(i) = rest.find("127.0.0.1:") {
                out.push_str(&rest[..i + "127.0.0.1:".len()]);
                rest =
                    rest[i + "127.0.0.1:".len()..].trim_start_matches(|c: char| c.is_ascii_digit());
                out.push_str("PORT");
            }
            out.push_str(rest);
            match out.find(" on port ") {
                Some(i) => format!("{} on port P.", &out[..i]),
                None => out,
            }
        })
        .collect()
}

/// One client at a time, so that the order of log lines is fixed.
fn scripted_session(port: u16, broker: &mut Proc) {
    pub_(
        port,
        &[
            "-i", "p1", "-t", "topico", "-m", "mensagem", "-q", "1", "-r",
        ],
    );
    let mut s = sub(port, &["-i", "s1", "-t", "topico", "-q", "2", "-C", "1"]);
    assert_eq!(s.collect(WAIT), ["mensagem"]);
    s.finish(WAIT);
    broker.wait_for("Client s1 disconnected.", WAIT);
    pub_(port, &["-i", "p2", "-t", "topico", "-m", "dois", "-q", "2"]);
    pub_(port, &["-i", "p3", "-t", "topico", "-r", "-n"]);
    let mut s = sub(
        port,
        &[
            "-i", "s2", "-t", "a/#", "-t", "a/b", "-q", "1", "-W", "1", "-U", "a/b",
        ],
    );
    s.collect(Duration::from_secs(3));
    s.finish(WAIT);
    broker.wait_for("Client s2 disconnected.", WAIT);
    pub_(
        port,
        &[
            "-i",
            "p4",
            "-t",
            "x",
            "-m",
            "w",
            "--will-topic",
            "w/t",
            "--will-payload",
            "bye",
            "--will-qos",
            "1",
        ],
    );
    // A will: a subscriber with a will is killed while a watcher listens.
    let mut watcher = sub(port, &["-i", "watcher", "-t", "w/#", "-C", "1"]);
    broker.wait_for("Sending SUBACK to watcher", WAIT);
    let mut dying = sub(
        port,
        &[
            "-i",
            "dying",
            "-t",
            "nada",
            "-u",
            "alice",
            "--will-topic",
            "w/t",
            "--will-payload",
            "bye",
            "--will-retain",
        ],
    );
    broker.wait_for("Sending SUBACK to dying", WAIT);
    dying.kill();
    assert_eq!(watcher.collect(WAIT), ["bye"]);
    watcher.finish(WAIT);
    broker.wait_for("Client watcher disconnected.", WAIT);
    broker.settle(Duration::from_millis(300));
}

#[test]
fn differential_log_against_mosquitto() {
    if !have_mosquitto() {
        return;
    }
    let (mut real, port, conf) = start_mosquitto();
    scripted_session(port, &mut real);
    let want = normalise(&real.seen);
    real.kill();
    let _ = std::fs::remove_file(conf);

    let (mut ours, port) = start_mqttlab(&[]);
    scripted_session(port, &mut ours);
    let got = normalise(&ours.seen);
    eprintln!("{}", got.join("\n"));
    assert!(want.len() > 30, "mosquitto log too short: {want:#?}");
    assert_eq!(got, want);
}
