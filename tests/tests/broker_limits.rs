//! `mqttlab broker`'s limits on real sockets: a connection that never sends
//! CONNECT is closed after `--connect-timeout` (mosquitto 2.0 closes it after its
//! default keep alive of 60 s x 1.5, about 95 s on its periodic check, logging
//! `Client <unknown> has exceeded timeout, disconnecting.`), on TCP and on the
//! WebSocket listener, where a handshake that never comes gets the same bound;
//! a subscriber that stops reading has its QoS 0 messages dropped (mosquitto's
//! log line) while the broker's memory stays bounded and other clients are
//! served; a QoS 1 subscriber that never acknowledges does not stop publishers
//! getting their PUBACKs; and flow control (`hold_acks`, an explicit option, off
//! by default): a QoS 1 message waiting in a busy subscriber's queue holds the
//! publisher's PUBACK until it leaves the queue.
//!
//! Every wait is bounded; brokers run on free 127.0.0.1 ports and are killed at
//! the end (also on panic).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use bytes::Bytes;
use mqttlab_core::codec::{
    Connect, Decoder, Packet, Pid, Protocol, Publish, QoS, QosPid, Subscribe, SubscribeTopic,
};
use mqttlab_core::topic::{TopicFilter, TopicName};
use mqttlab_tests::peers::{have, Peer};
use mqttlab_tests::procs::{
    free_port, mosquitto_conf, mqttlab, start_mqttlab_broker, wait_for_port, Proc, MOSQUITTO,
};

const WAIT: Duration = Duration::from_secs(10);

/// Reads from `s` until the broker closes it (end of stream or reset), at most
/// `within`; returns how long that took and what was read, or `None` if it
/// stayed open.
fn closed_within(s: &mut TcpStream, within: Duration) -> Option<(Duration, Vec<u8>)> {
    let start = Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 256];
    loop {
        let left = within.saturating_sub(start.elapsed());
        if left.is_zero() {
            return None;
        }
        s.set_read_timeout(Some(left)).expect("set_read_timeout");
        match s.read(&mut buf) {
            Ok(0) => return Some((start.elapsed(), got)),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return None
            }
            Err(_) => return Some((start.elapsed(), got)),
        }
    }
}

/// The port in the broker's `Opening websockets listen socket on port N.` line.
fn ws_port(b: &Proc) -> u16 {
    b.seen
        .iter()
        .find_map(|l| {
            let (_, rest) = l.split_once("Opening websockets listen socket on port ")?;
            rest.trim_end_matches('.').parse().ok()
        })
        .expect("mqttlab broker -v logs its WebSocket port")
}

#[test]
fn tcp_socket_without_connect_is_closed_after_the_connect_timeout() {
    let (mut b, port) = start_mqttlab_broker(&["--connect-timeout", "1"], WAIT);
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let (after, bytes) = closed_within(&mut s, Duration::from_secs(5))
        .expect("the broker closes a socket that sends nothing within 5 s");
    assert!(
        bytes.is_empty(),
        "nothing is sent before closing: {bytes:?}"
    );
    assert!(
        after >= Duration::from_millis(900),
        "not before the 1 s timeout: closed after {after:?}"
    );
    b.wait_for(
        "Client <unknown> has exceeded timeout, disconnecting.",
        WAIT,
    );
}

#[test]
fn half_a_connect_does_not_keep_a_socket_open() {
    let (_b, port) = start_mqttlab_broker(&["--connect-timeout", "1"], WAIT);
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let mut bytes = Vec::new();
    Packet::Connect(connect("slow")).encode(&mut bytes).unwrap();
    s.write_all(&bytes[..bytes.len() / 2]).expect("write");
    assert!(closed_within(&mut s, Duration::from_secs(5)).is_some());
}

#[test]
fn connect_in_time_is_answered_and_the_socket_stays() {
    let (_b, port) = start_mqttlab_broker(&["--connect-timeout", "1"], WAIT);
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let mut bytes = Vec::new();
    Packet::Connect(connect("prompt"))
        .encode(&mut bytes)
        .unwrap();
    s.write_all(&bytes).expect("write");
    // CONNACK, then the socket stays open past the CONNECT timeout.
    let mut dec = Decoder::new(1024);
    let mut buf = [0u8; 64];
    s.set_read_timeout(Some(WAIT)).unwrap();
    let n = s.read(&mut buf).expect("CONNACK");
    dec.push(&buf[..n]);
    assert!(matches!(dec.next_packet(), Ok(Some(Packet::Connack(_)))));
    assert_eq!(closed_within(&mut s, Duration::from_secs(2)), None);
}

#[test]
fn websocket_socket_without_handshake_is_closed_too() {
    let (b, _) = start_mqttlab_broker(&["--ws", "127.0.0.1:0", "--connect-timeout", "1"], WAIT);
    let mut s = TcpStream::connect(("127.0.0.1", ws_port(&b))).expect("connect");
    let (after, _) = closed_within(&mut s, Duration::from_secs(5))
        .expect("the broker closes a WebSocket socket without a handshake within 5 s");
    assert!(
        after >= Duration::from_millis(900),
        "closed after {after:?}"
    );
}

#[test]
fn connect_timeout_0_keeps_waiting() {
    let (_b, port) = start_mqttlab_broker(&["--connect-timeout", "0"], WAIT);
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    assert_eq!(closed_within(&mut s, Duration::from_secs(2)), None);
}

fn connect(client_id: &str) -> Connect {
    Connect {
        protocol: Protocol::V311,
        clean_session: true,
        keep_alive: 60,
        client_id: client_id.into(),
        will: None,
        login: None,
    }
}

/// A raw MQTT client on blocking TCP.
struct Raw {
    s: TcpStream,
    dec: Decoder,
}

impl Raw {
    fn connect(port: u16, id: &str) -> Raw {
        let s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        let mut r = Raw {
            s,
            dec: Decoder::new(1 << 16),
        };
        r.send(Packet::Connect(connect(id)));
        assert!(matches!(r.recv(WAIT), Some(Packet::Connack(_))));
        r
    }

    fn send(&mut self, p: Packet) {
        let mut bytes = Vec::new();
        p.encode(&mut bytes).unwrap();
        self.s.write_all(&bytes).expect("write");
    }

    /// The next packet within `within`, `None` if none came.
    fn recv(&mut self, within: Duration) -> Option<Packet> {
        let end = Instant::now() + within;
        let mut buf = [0u8; 4096];
        loop {
            if let Some(p) = self.dec.next_packet().expect("valid packets") {
                return Some(p);
            }
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            self.s.set_read_timeout(Some(left)).unwrap();
            match self.s.read(&mut buf) {
                Ok(0) | Err(_) => return None,
                Ok(n) => self.dec.push(&buf[..n]),
            }
        }
    }
}

fn pid(n: u16) -> Pid {
    Pid::new(n).unwrap()
}

#[test]
fn a_busy_subscriber_holds_back_the_publishers_puback() {
    let conf = std::env::temp_dir().join(format!("mqttlab-limits-{}.conf", std::process::id()));
    std::fs::write(&conf, "max_inflight_messages 1\nhold_acks true\n").expect("write config");
    let (_b, port) = start_mqttlab_broker(&["--config", &conf.to_string_lossy()], WAIT);
    let mut sub = Raw::connect(port, "slow-sub");
    sub.send(Packet::Subscribe(Subscribe {
        pid: pid(1),
        topics: vec![SubscribeTopic {
            filter: TopicFilter::new("flow/t").unwrap(),
            qos: QoS::AtLeastOnce,
        }],
    }));
    assert!(matches!(sub.recv(WAIT), Some(Packet::Suback(_))));
    let mut publ = Raw::connect(port, "fast-pub");
    for m in 1..=2 {
        publ.send(Packet::Publish(Publish {
            dup: false,
            qospid: QosPid::AtLeastOnce(pid(m)),
            retain: false,
            topic: TopicName::new("flow/t").unwrap(),
            payload: Bytes::from_static(b"x"),
        }));
    }
    // m1 went straight to the subscriber: acknowledged. m2 waits in its queue.
    assert_eq!(publ.recv(WAIT), Some(Packet::Puback(pid(1))));
    assert_eq!(publ.recv(Duration::from_millis(500)), None, "m2 is held");
    let Some(Packet::Publish(first)) = sub.recv(WAIT) else {
        panic!("the subscriber gets the first message");
    };
    sub.send(Packet::Puback(first.qospid.pid().unwrap()));
    // m2 leaves the queue for the subscriber's window: now it is acknowledged.
    assert_eq!(publ.recv(WAIT), Some(Packet::Puback(pid(2))));
    assert!(matches!(sub.recv(WAIT), Some(Packet::Publish(_))));
    let _ = std::fs::remove_file(&conf);
}

fn config_file(name: &str, text: &str) -> std::path::PathBuf {
    let conf =
        std::env::temp_dir().join(format!("mqttlab-limits-{name}-{}.conf", std::process::id()));
    std::fs::write(&conf, text).expect("write config");
    conf
}

fn publish_packet(topic: &str, qos: u8, mid: u16, payload: Bytes) -> Packet {
    Packet::Publish(Publish {
        dup: false,
        qospid: QosPid::from_parts(QoS::from_u8(qos).unwrap(), pid(mid.max(1))),
        retain: false,
        topic: TopicName::new(topic).unwrap(),
        payload,
    })
}

fn subscribe_to(c: &mut Raw, filter: &str, qos: u8) {
    c.send(Packet::Subscribe(Subscribe {
        pid: pid(1),
        topics: vec![SubscribeTopic {
            filter: TopicFilter::new(filter).unwrap(),
            qos: QoS::from_u8(qos).unwrap(),
        }],
    }));
    assert!(matches!(c.recv(WAIT), Some(Packet::Suback(_))));
}

/// The peak resident memory of a process, from /proc, in MB.
fn peak_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM");
    kb / 1024.0
}

/// A broker process for a side-by-side case: `mqttlab broker` without -v (its
/// own memory is measured, not its log), or mosquitto 2.0 with the same limits.
struct Side {
    name: &'static str,
    proc: Proc,
    port: u16,
}

fn ours() -> Side {
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let proc = Proc::spawn("mqttlab broker", mqttlab(), &["broker", "--tcp", &addr]);
    wait_for_port("mqttlab broker", port, WAIT);
    Side {
        name: "mqttlab",
        proc,
        port,
    }
}

/// mosquitto with its default limits (max_queued_messages 1000,
/// max_inflight_messages 20, as ours), when installed: the figures beside ours.
fn theirs() -> Option<Side> {
    if !have(&[Peer::Mosquitto]) {
        return None;
    }
    let port = free_port();
    let conf = mosquitto_conf("limits", port, "allow_anonymous true\n");
    let proc = Proc::spawn_stderr(
        "mosquitto",
        std::path::Path::new(MOSQUITTO),
        &["-c", &conf.to_string_lossy()],
    );
    wait_for_port("mosquitto", port, WAIT);
    Some(Side {
        name: "mosquitto",
        proc,
        port,
    })
}

/// A subscriber to `#` that stops reading, a publisher flooding 1 KB QoS 0
/// messages for 3 s, and meanwhile an honest QoS 1 pair that must lose nothing:
/// how much was flooded, the broker's peak memory (MB) and the honest pair's
/// worst round trip.
fn stalled_subscriber_case(side: &Side) -> (u64, f64, Duration) {
    let port = side.port;
    let mut stalled = Raw::connect(port, "stalled");
    subscribe_to(&mut stalled, "#", 0);
    let mut honest_sub = Raw::connect(port, "honest-sub");
    subscribe_to(&mut honest_sub, "honest/t", 1);
    let mut honest_pub = Raw::connect(port, "honest-pub");
    let flood_for = Duration::from_secs(3);
    let flood = std::thread::spawn(move || {
        let mut p = Raw::connect(port, "flood");
        let payload = Bytes::from(vec![b'x'; 1024]);
        let mut bytes = Vec::new();
        for _ in 0..64 {
            publish_packet("flood/x", 0, 0, payload.clone())
                .encode(&mut bytes)
                .unwrap();
        }
        let (start, mut sent) = (Instant::now(), 0u64);
        while start.elapsed() < flood_for {
            p.s.write_all(&bytes).expect("flood write");
            sent += 64;
        }
        sent
    });
    // While it floods: 200 QoS 1 messages, each acknowledged and delivered.
    let mut worst = Duration::ZERO;
    for m in 1..=200u16 {
        let t = Instant::now();
        honest_pub.send(publish_packet("honest/t", 1, m, Bytes::from(m.to_string())));
        assert_eq!(
            honest_pub.recv(WAIT),
            Some(Packet::Puback(pid(m))),
            "{}",
            side.name
        );
        match honest_sub.recv(WAIT) {
            Some(Packet::Publish(p)) => {
                assert_eq!(p.payload, Bytes::from(m.to_string()), "in order, none lost");
                honest_sub.send(Packet::Puback(p.qospid.pid().unwrap()));
            }
            other => panic!(
                "{}: the honest subscriber got {other:?} for message {m}",
                side.name
            ),
        }
        worst = worst.max(t.elapsed());
        std::thread::sleep(Duration::from_millis(10));
    }
    let flooded = flood.join().expect("flood thread");
    let peak = peak_mb(side.proc.child.id());
    drop(stalled);
    (flooded, peak, worst)
}

#[test]
fn a_subscriber_that_stops_reading_is_dropped_for_and_others_are_served() {
    let ours = ours();
    let start_mb = peak_mb(ours.proc.child.id());
    let (flooded, peak, worst) = stalled_subscriber_case(&ours);
    eprintln!(
        "mqttlab:   {flooded} x 1 KB QoS 0 to a stalled '#' subscriber in 3 s; peak {peak:.1} MB \
         (at start {start_mb:.1} MB); honest QoS 1 round trip worst {worst:?}"
    );
    assert!(flooded > 10_000, "the flood got going: {flooded}");
    assert!(
        peak < 64.0,
        "memory stays bounded (mosquitto 2.0.11: 9 MB; unbounded before: 785 MB after 2 s): {peak:.1} MB"
    );
    if let Some(theirs) = theirs() {
        let (flooded, peak, worst) = stalled_subscriber_case(&theirs);
        eprintln!(
            "mosquitto: {flooded} x 1 KB QoS 0 to a stalled '#' subscriber in 3 s; peak {peak:.1} MB; \
             honest QoS 1 round trip worst {worst:?}"
        );
    }
}

#[test]
fn the_drop_is_logged_as_mosquitto_logs_it() {
    let conf = config_file("drop-log", "max_queued_messages 10\n");
    let (mut b, port) = start_mqttlab_broker(&["-c", &conf.to_string_lossy()], WAIT);
    let mut stalled = Raw::connect(port, "stalled");
    subscribe_to(&mut stalled, "t", 0);
    let mut p = Raw::connect(port, "p");
    let payload = Bytes::from(vec![b'y'; 16 * 1024]);
    // 2,000 x 16 KB: more than loopback's socket buffers hold.
    for _ in 0..2000 {
        p.send(publish_packet("t", 0, 0, payload.clone()));
    }
    b.wait_for(
        "Outgoing messages are being dropped for client stalled.",
        WAIT,
    );
    let _ = std::fs::remove_file(&conf);
}

/// A QoS 1 subscriber that reads everything and acknowledges nothing, and a
/// publisher sending 5,000 QoS 1 messages with 20 unacknowledged at a time: how
/// long its PUBACKs took, and how many messages the bad subscriber got.
fn never_acknowledging_case(side: &Side) -> (Duration, u64) {
    let port = side.port;
    let mut bad = Raw::connect(port, "never-acks");
    subscribe_to(&mut bad, "q/#", 1);
    let reader = std::thread::spawn(move || {
        let mut n = 0u64;
        while let Some(p) = bad.recv(Duration::from_secs(2)) {
            if matches!(p, Packet::Publish(_)) {
                n += 1;
            }
        }
        n
    });
    let mut publ = Raw::connect(port, "publisher");
    let total = 5000u32;
    let (mut sent, mut acked, window) = (0u32, 0u32, 20u32);
    let start = Instant::now();
    while acked < total {
        while sent < total && sent - acked < window {
            sent += 1;
            let m = (sent % 65535 + 1) as u16;
            publ.send(publish_packet("q/t", 1, m, Bytes::from_static(b"m")));
        }
        match publ.recv(WAIT) {
            Some(Packet::Puback(_)) => acked += 1,
            other => panic!(
                "{}: after {acked} PUBACKs the publisher got {other:?}",
                side.name
            ),
        }
    }
    let took = start.elapsed();
    (took, reader.join().expect("reader"))
}

#[test]
fn a_subscriber_that_never_acknowledges_does_not_stall_publishers() {
    let ours = ours();
    let (took, got) = never_acknowledging_case(&ours);
    eprintln!(
        "mqttlab:   5000 QoS 1 PUBACKs in {took:?} ({:.0}/s) with a never-acknowledging subscriber, which got {got}",
        5000.0 / took.as_secs_f64()
    );
    // Its window (20) and queue (1000) filled; the rest was dropped for it.
    assert_eq!(got, 20, "its in-flight window");
    if let Some(theirs) = theirs() {
        let (took, got) = never_acknowledging_case(&theirs);
        eprintln!(
            "mosquitto: 5000 QoS 1 PUBACKs in {took:?} ({:.0}/s) with a never-acknowledging subscriber, which got {got}",
            5000.0 / took.as_secs_f64()
        );
    }
}

#[test]
fn connections_per_address_beyond_the_limit_are_closed_as_they_open() {
    let conf = config_file("per-address", "max_connections_per_address 2\n");
    let (mut b, port) = start_mqttlab_broker(&["-c", &conf.to_string_lossy()], WAIT);
    let _one = Raw::connect(port, "one");
    let _two = Raw::connect(port, "two");
    let mut three = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let (_, bytes) = closed_within(&mut three, Duration::from_secs(5))
        .expect("the third socket from 127.0.0.1 is closed at once");
    assert!(bytes.is_empty(), "before CONNECT, nothing is sent");
    b.wait_for(
        "Client connection from 127.0.0.1 denied: max_connections_per_address (2) reached.",
        WAIT,
    );
    let _ = std::fs::remove_file(&conf);
}

#[test]
fn a_client_that_sends_but_never_reads_is_slowed_down_not_buffered() {
    let ours = ours();
    // PINGREQs as fast as TCP takes them, never reading a PINGRESP: once more
    // than 1 MiB of answers wait, the broker stops reading this client.
    let port = ours.port;
    let pinger = std::thread::spawn(move || {
        let mut c = Raw::connect(port, "pinger");
        c.s.set_write_timeout(Some(Duration::from_secs(2))).unwrap();
        let burst = [0xC0u8, 0x00].repeat(4096);
        let (start, mut sent) = (Instant::now(), 0usize);
        while start.elapsed() < Duration::from_secs(3) {
            match c.s.write(&burst) {
                Ok(n) => sent += n,
                Err(_) => break, // TCP pushes back: the broker stopped reading
            }
        }
        (sent, c)
    });
    std::thread::sleep(Duration::from_secs(1));
    // Another client is served meanwhile.
    let mut other = Raw::connect(port, "other");
    subscribe_to(&mut other, "t", 0);
    let (sent, _pinger) = pinger.join().expect("pinger");
    let peak = peak_mb(ours.proc.child.id());
    eprintln!(
        "a client sent {} MB of PINGREQ without reading; broker peak {peak:.1} MB",
        sent >> 20
    );
    assert!(peak < 64.0, "{peak:.1} MB");
}
