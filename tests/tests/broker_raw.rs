//! `mqttlab broker` on real TCP, driven by raw MQTT clients built on the core codec
//! for what `mosquitto_pub`/`mosquitto_sub` cannot express: keep-alive timeout in
//! real time, session takeover, redelivery with DUP=1, malformed input, CONNACK
//! refusals; and a differential log test of those against real `mosquitto -v`.
//!
//! Every wait is bounded; brokers run on free 127.0.0.1 ports and are killed at
//! the end (also on panic).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use bytes::Bytes;
use mqttlab_core::codec::{
    Connack, Connect, ConnectReturnCode, Decoder, LastWill, Login, Packet, Pid, Protocol, Publish,
    QoS, QosPid, Subscribe, SubscribeTopic,
};
use mqttlab_core::topic::{TopicFilter, TopicName};
use mqttlab_tests::workspace_root;

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

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A broker process whose log lines are collected by a thread.
struct BrokerProc {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
    port: u16,
}

impl BrokerProc {
    fn mqttlab(config: &str) -> BrokerProc {
        let port = free_port();
        let conf = std::env::temp_dir().join(format!("mqttlab-raw-{port}.conf"));
        std::fs::write(&conf, config).expect("write config");
        let mut cmd = Command::new(mqttlab());
        cmd.args(["broker", "-v", "--tcp", &format!("127.0.0.1:{port}")])
            .args(["--config", &conf.to_string_lossy()]);
        Self::spawn(cmd, port, false)
    }

    fn mosquitto() -> Option<BrokerProc> {
        if !Path::new("/usr/sbin/mosquitto").exists() {
            eprintln!("mosquitto not installed: skipping");
            return None;
        }
        let port = free_port();
        let conf = std::env::temp_dir().join(format!("mqttlab-raw-mosq-{port}.conf"));
        std::fs::write(
            &conf,
            format!("listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"),
        )
        .expect("write conf");
        let mut cmd = Command::new("/usr/sbin/mosquitto");
        cmd.args(["-v", "-c", &conf.to_string_lossy()]);
        Some(Self::spawn(cmd, port, true))
    }

    fn spawn(mut cmd: Command, port: u16, stderr: bool) -> BrokerProc {
        cmd.stdin(Stdio::null());
        if stderr {
            cmd.stdout(Stdio::null()).stderr(Stdio::piped());
        } else {
            cmd.stdout(Stdio::piped()).stderr(Stdio::inherit());
        }
        let mut child = cmd.spawn().expect("spawn broker");
        let out: Box<dyn Read + Send> = if stderr {
            Box::new(child.stderr.take().unwrap())
        } else {
            Box::new(child.stdout.take().unwrap())
        };
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            for l in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(l).is_err() {
                    break;
                }
            }
        });
        let mut b = BrokerProc {
            child,
            lines: rx,
            seen: Vec::new(),
            port,
        };
        b.wait_for("running");
        b
    }

    fn wait_for(&mut self, needle: &str) {
        let end = Instant::now() + WAIT;
        while !self.seen.iter().any(|l| l.contains(needle)) {
            match self
                .lines
                .recv_timeout(end.saturating_duration_since(Instant::now()))
            {
                Ok(l) => self.seen.push(l),
                Err(_) => panic!("{needle:?} not logged; log:\n{}", self.seen.join("\n")),
            }
        }
    }

    fn settle(&mut self) {
        while let Ok(l) = self.lines.recv_timeout(Duration::from_millis(300)) {
            self.seen.push(l);
        }
    }
}

impl Drop for BrokerProc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A raw MQTT client over blocking TCP.
struct Raw {
    tcp: TcpStream,
    dec: Decoder,
}

impl Raw {
    fn open(port: u16) -> Raw {
        let tcp = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        tcp.set_read_timeout(Some(WAIT)).unwrap();
        tcp.set_nodelay(true).unwrap();
        Raw {
            tcp,
            dec: Decoder::new(1 << 20),
        }
    }

    fn send(&mut self, p: Packet) {
        let mut b = Vec::new();
        p.encode(&mut b).unwrap();
        self.tcp.write_all(&b).unwrap();
    }

    fn send_bytes(&mut self, b: &[u8]) {
        self.tcp.write_all(b).unwrap();
    }

    /// The next packet, or `None` when the broker closed the connection.
    fn recv(&mut self) -> Option<Packet> {
        let mut buf = [0u8; 4096];
        loop {
            if let Some(p) = self.dec.next_packet().expect("broker sends valid packets") {
                return Some(p);
            }
            match self.tcp.read(&mut buf) {
                Ok(0) => return None,
                Ok(n) => self.dec.push(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return None,
                Err(e) => panic!("read: {e}"),
            }
        }
    }

    fn connect(port: u16, c: Connect) -> (Raw, Option<Packet>) {
        let mut r = Raw::open(port);
        r.send(Packet::Connect(c));
        let reply = r.recv();
        (r, reply)
    }
}

fn connect(id: &str) -> Connect {
    Connect {
        protocol: Protocol::V311,
        clean_session: true,
        keep_alive: 60,
        client_id: id.into(),
        will: None,
        login: None,
    }
}

fn will(mut c: Connect, topic: &str, msg: &str) -> Connect {
    c.will = Some(LastWill {
        topic: TopicName::new(topic).unwrap(),
        message: Bytes::copy_from_slice(msg.as_bytes()),
        qos: QoS::AtMostOnce,
        retain: false,
    });
    c
}

fn accepted(session_present: bool) -> Option<Packet> {
    Some(Packet::Connack(Connack {
        session_present,
        code: ConnectReturnCode::Accepted,
    }))
}

fn subscribe(r: &mut Raw, filter: &str, qos: QoS) {
    r.send(Packet::Subscribe(Subscribe {
        pid: Pid::FIRST,
        topics: vec![SubscribeTopic {
            filter: TopicFilter::new(filter).unwrap(),
            qos,
        }],
    }));
    assert!(matches!(r.recv(), Some(Packet::Suback(_))));
}

fn publish(topic: &str, msg: &str, qos: QoS, pid: u16) -> Packet {
    Packet::Publish(Publish {
        dup: false,
        qospid: QosPid::from_parts(qos, Pid::new(pid).unwrap()),
        retain: false,
        topic: TopicName::new(topic).unwrap(),
        payload: Bytes::copy_from_slice(msg.as_bytes()),
    })
}

fn payload(p: Option<Packet>) -> String {
    match p {
        Some(Packet::Publish(p)) => String::from_utf8_lossy(&p.payload).into_owned(),
        other => panic!("expected PUBLISH, got {other:?}"),
    }
}

#[test]
fn keepalive_timeout_in_real_time_publishes_the_will() {
    let mut b = BrokerProc::mqttlab("");
    let (mut watcher, r) = Raw::connect(b.port, connect("watcher"));
    assert_eq!(r, accepted(false));
    subscribe(&mut watcher, "w/#", QoS::AtMostOnce);
    let mut c = connect("silent");
    c.keep_alive = 1;
    let start = Instant::now();
    let (mut silent, r) = Raw::connect(b.port, will(c, "w/silent", "gone"));
    assert_eq!(r, accepted(false));
    assert_eq!(silent.recv(), None, "closed by the broker");
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_millis(1400) && waited < Duration::from_secs(4),
        "{waited:?}"
    );
    assert_eq!(payload(watcher.recv()), "gone");
    b.wait_for("Client silent has exceeded timeout, disconnecting.");
}

#[test]
fn takeover_redelivery_and_malformed_input_on_real_sockets() {
    let mut b = BrokerProc::mqttlab("");
    let mut c = connect("persist");
    c.clean_session = false;
    let (mut s, r) = Raw::connect(b.port, c.clone());
    assert_eq!(r, accepted(false));
    subscribe(&mut s, "t", QoS::AtLeastOnce);
    let (mut p, _) = Raw::connect(b.port, connect("pub"));
    p.send(publish("t", "um", QoS::AtLeastOnce, 1));
    assert_eq!(p.recv(), Some(Packet::Puback(Pid::FIRST)));
    let Some(Packet::Publish(first)) = s.recv() else {
        panic!("no delivery")
    };
    assert!(!first.dup);
    // No PUBACK; another connection takes the session over and gets it again,
    // DUP=1, same packet id.
    let (mut s2, r) = Raw::connect(b.port, c);
    assert_eq!(r, accepted(true));
    assert_eq!(s.recv(), None, "old connection closed by the takeover");
    let Some(Packet::Publish(again)) = s2.recv() else {
        panic!("no redelivery")
    };
    assert!(again.dup);
    assert_eq!(again.qospid, first.qospid);
    s2.send(Packet::Puback(again.qospid.pid().unwrap()));
    b.wait_for("Client persist already connected, closing old connection.");

    // Garbage from one client closes only that client.
    let (mut bad, _) = Raw::connect(b.port, connect("bad"));
    bad.send_bytes(&[0x00, 0x00]);
    assert_eq!(bad.recv(), None);
    p.send(publish("t", "dois", QoS::AtMostOnce, 1));
    assert_eq!(payload(s2.recv()), "dois");
    b.wait_for("Client bad disconnected due to protocol error.");
}

#[test]
fn connack_refusals_from_the_config_file() {
    let b = BrokerProc::mqttlab("allow_anonymous false\nuser alice secret\n");
    let refused = |c: Connect| {
        let (_, r) = Raw::connect(b.port, c);
        match r {
            Some(Packet::Connack(Connack { code, .. })) => code,
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(refused(connect("anon")), ConnectReturnCode::NotAuthorized);
    let mut c = connect("alice");
    c.login = Some(Login {
        username: "alice".into(),
        password: Some(Bytes::from_static(b"wrong")),
    });
    assert_eq!(refused(c.clone()), ConnectReturnCode::BadUserNameOrPassword);
    c.login = Some(Login {
        username: "alice".into(),
        password: Some(Bytes::from_static(b"secret")),
    });
    assert_eq!(refused(c), ConnectReturnCode::Accepted);
    let mut c = connect("");
    c.clean_session = false;
    assert_eq!(refused(c), ConnectReturnCode::IdentifierRejected);
}

// ---- differential ----

fn normalise(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .filter_map(|l| l.split_once(": ").map(|(_, t)| t.to_string()))
        .skip_while(|t| !t.starts_with("New connection"))
        .map(|t| {
            let mut out = String::new();
            let mut rest = t.as_str();
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

/// Takeover with a will, a second CONNECT, a malformed SUBSCRIBE, an unsupported
/// protocol level, a zero-length id without clean session, a socket closed
/// without DISCONNECT: one step at a time, waiting for each answer.
fn script(b: &mut BrokerProc) {
    let port = b.port;
    let (mut watcher, _) = Raw::connect(port, connect("watcher"));
    subscribe(&mut watcher, "w/#", QoS::AtMostOnce);
    let (mut old, _) = Raw::connect(port, will(connect("tk"), "w/tk", "gone"));
    let (mut new, _) = Raw::connect(port, connect("tk"));
    assert_eq!(old.recv(), None);
    assert_eq!(payload(watcher.recv()), "gone");
    new.send(Packet::Disconnect);
    assert_eq!(new.recv(), None);
    b.wait_for("Client tk disconnected.");

    // No will here: mosquitto 2.0.11 does not publish it after a second CONNECT,
    // MQTT 3.1.1 (MQTT-3.1.2-8) and this broker do.
    let (mut twice, _) = Raw::connect(port, connect("twice"));
    twice.send(Packet::Connect(connect("twice")));
    assert_eq!(twice.recv(), None);
    b.wait_for("Client twice disconnected");

    let (mut bf, _) = Raw::connect(port, connect("bf"));
    bf.send_bytes(&[0x80, 0x06, 0x00, 0x01, 0x00, 0x01, b'a', 0x00]);
    assert_eq!(bf.recv(), None);
    b.wait_for("Client bf disconnected");

    let mut v6 = Raw::open(port);
    let mut bytes = Vec::new();
    Packet::Connect(connect("v6")).encode(&mut bytes).unwrap();
    bytes[8] = 6;
    v6.send_bytes(&bytes);
    assert!(matches!(v6.recv(), Some(Packet::Connack(_))));
    assert_eq!(v6.recv(), None);

    let mut c = connect("");
    c.clean_session = false;
    let (mut zero, r) = Raw::connect(port, c);
    assert!(matches!(r, Some(Packet::Connack(_))));
    assert_eq!(zero.recv(), None);

    let (lost, _) = Raw::connect(port, will(connect("lost"), "w/lost", "bye"));
    drop(lost);
    assert_eq!(payload(watcher.recv()), "bye");
    watcher.send(Packet::Pingreq);
    assert_eq!(watcher.recv(), Some(Packet::Pingresp));
    watcher.send(Packet::Disconnect);
    b.wait_for("Client watcher disconnected.");
    b.settle();
}

#[test]
fn differential_log_of_errors_and_takeover_against_mosquitto() {
    let Some(mut real) = BrokerProc::mosquitto() else {
        return;
    };
    script(&mut real);
    let want = normalise(&real.seen);
    let mut ours = BrokerProc::mqttlab("");
    script(&mut ours);
    let got = normalise(&ours.seen);
    eprintln!("{}", got.join("\n"));
    assert!(want.len() > 30, "{want:#?}");
    assert_eq!(got, want);
}
