//! Load generator: the same workloads against `mqttlab broker` and against real
//! `mosquitto` 2.0 on loopback, printing throughput, p50/p99 latency and the ratio.
//!
//! ```text
//! cargo build --release -p mqttlab-server
//! cargo run --release -p mqttlab-tests --example broker_load [-- --quick]
//! ```
//!
//! Workloads: QoS 0 and QoS 1 fan-in (many publishers, one subscriber), QoS 0
//! fan-out (one publisher, many subscribers), and a connection storm (CONNECT,
//! CONNACK, DISCONNECT as fast as possible). Each message carries its send time,
//! so the subscriber measures end-to-end latency. Publishers pace themselves in
//! bursts so neither broker is measured on how much it can buffer. Every wait is
//! bounded; both brokers are started on free 127.0.0.1 ports and killed at the end.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use bytes::Bytes;
use mqttlab_core::codec::{
    Connect, Decoder, Packet, Pid, Protocol, Publish, QoS, QosPid, Subscribe, SubscribeTopic,
};
use mqttlab_core::topic::{TopicFilter, TopicName};

const DEADLINE: Duration = Duration::from_secs(60);

struct Broker {
    name: &'static str,
    child: Child,
    port: u16,
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn wait_listening(port: u16) {
    let end = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < end, "broker on port {port} did not start");
        thread::sleep(Duration::from_millis(50));
    }
}

fn start_mqttlab() -> Broker {
    start_mqttlab_with("mqttlab", "")
}

/// `mqttlab broker` with `hold_acks true`: a publisher's PUBACK waits while a
/// subscriber's queue holds its message (an option, off by default, as mosquitto
/// has no such thing): the QoS 1 fan-in latency both ways.
fn start_mqttlab_hold() -> Broker {
    start_mqttlab_with("mqttlab+hold", "hold_acks true\n")
}

fn start_mqttlab_with(name: &'static str, extra: &str) -> Broker {
    let root = mqttlab_tests::workspace_root();
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root.join("target"));
    let bin = std::env::var("MQTTLAB_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|_| target.join("release").join("mqttlab"));
    let port = free_port();
    // The same bounds as the mosquitto configuration below.
    let conf = std::env::temp_dir().join(format!("mqttlab-load-{port}.conf"));
    std::fs::write(
        &conf,
        format!("max_queued_messages 100000\nmax_inflight_messages 100\n{extra}"),
    )
    .expect("write conf");
    let child = Command::new(&bin)
        .args(["broker", "--tcp", &format!("127.0.0.1:{port}")])
        .args(["--config", &conf.to_string_lossy()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {}: {e} (build it with --release)", bin.display()));
    wait_listening(port);
    Broker { name, child, port }
}

fn start_mosquitto() -> Broker {
    let port = free_port();
    let conf = std::env::temp_dir().join(format!("mqttlab-load-{port}.conf"));
    std::fs::write(
        &conf,
        format!(
            "listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n\
             max_queued_messages 100000\nmax_inflight_messages 100\nset_tcp_nodelay true\n"
        ),
    )
    .expect("write conf");
    let child = Command::new("/usr/sbin/mosquitto")
        .args(["-c", &conf.to_string_lossy()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn mosquitto");
    wait_listening(port);
    Broker {
        name: "mosquitto",
        child,
        port,
    }
}

/// A blocking MQTT connection with a decoder.
struct Conn {
    tcp: TcpStream,
    dec: Decoder,
    buf: Vec<u8>,
}

impl Conn {
    fn open(port: u16, id: &str) -> Conn {
        let tcp = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        tcp.set_nodelay(true).ok();
        tcp.set_read_timeout(Some(Duration::from_secs(10))).ok();
        let mut c = Conn {
            tcp,
            dec: Decoder::new(1 << 20),
            buf: vec![0; 64 * 1024],
        };
        c.send(&Packet::Connect(Connect {
            protocol: Protocol::V311,
            clean_session: true,
            keep_alive: 0,
            client_id: id.into(),
            will: None,
            login: None,
        }));
        match c.recv() {
            Some(Packet::Connack(_)) => c,
            other => panic!("expected CONNACK, got {other:?}"),
        }
    }

    fn send(&mut self, p: &Packet) {
        let mut out = Vec::new();
        p.encode(&mut out).expect("encode");
        self.tcp.write_all(&out).expect("write");
    }

    fn send_many(&mut self, ps: &[Packet]) {
        let mut out = Vec::new();
        for p in ps {
            p.encode(&mut out).expect("encode");
        }
        self.tcp.write_all(&out).expect("write");
    }

    fn recv(&mut self) -> Option<Packet> {
        loop {
            if let Some(p) = self.dec.next_packet().expect("valid packets") {
                return Some(p);
            }
            let n = self.tcp.read(&mut self.buf).ok()?;
            if n == 0 {
                return None;
            }
            self.dec.push(&self.buf[..n]);
        }
    }

    fn subscribe(&mut self, filter: &str, qos: QoS) {
        self.send(&Packet::Subscribe(Subscribe {
            pid: Pid::FIRST,
            topics: vec![SubscribeTopic {
                filter: TopicFilter::new(filter).unwrap(),
                qos,
            }],
        }));
        match self.recv() {
            Some(Packet::Suback(_)) => {}
            other => panic!("expected SUBACK, got {other:?}"),
        }
    }
}

fn publish(topic: &TopicName, qos: QoS, pid: u16, origin: Instant) -> Packet {
    let nanos = origin.elapsed().as_nanos() as u64;
    let mut payload = nanos.to_be_bytes().to_vec();
    payload.resize(64, b'x');
    Packet::Publish(Publish {
        dup: false,
        qospid: QosPid::from_parts(qos, Pid::new(pid.max(1)).unwrap()),
        retain: false,
        topic: topic.clone(),
        payload: Bytes::from(payload),
    })
}

struct Result_ {
    msgs: usize,
    expected: usize,
    secs: f64,
    latencies_us: Vec<u64>,
}

impl Result_ {
    fn rate(&self) -> f64 {
        self.msgs as f64 / self.secs
    }
    fn pct(&self, p: f64) -> u64 {
        if self.latencies_us.is_empty() {
            return 0;
        }
        let i = ((self.latencies_us.len() as f64 - 1.0) * p).round() as usize;
        self.latencies_us[i]
    }
}

/// Subscribers on `filter` each expecting `expect` messages; publishers each
/// sending `per_pub` messages at `qos` in bursts of `burst`.
fn pubsub(port: u16, pubs: usize, subs: usize, per_pub: usize, qos: QoS, burst: usize) -> Result_ {
    let origin = Instant::now();
    let expect = pubs * per_pub;
    let ready = Arc::new(Barrier::new(subs + pubs));
    let mut sub_threads = Vec::new();
    for s in 0..subs {
        let ready = ready.clone();
        sub_threads.push(thread::spawn(move || {
            let mut c = Conn::open(port, &format!("load-sub-{s}"));
            c.subscribe("load/#", qos);
            ready.wait();
            let mut lat = Vec::with_capacity(expect);
            let end = Instant::now() + DEADLINE;
            while lat.len() < expect && Instant::now() < end {
                match c.recv() {
                    Some(Packet::Publish(p)) => {
                        let sent = u64::from_be_bytes(p.payload[..8].try_into().unwrap());
                        let now = origin.elapsed().as_nanos() as u64;
                        lat.push(now.saturating_sub(sent) / 1000);
                        if let QosPid::AtLeastOnce(id) = p.qospid {
                            c.send(&Packet::Puback(id));
                        }
                    }
                    Some(_) => {}
                    None => break,
                }
            }
            (lat, Instant::now())
        }));
    }
    let start = Instant::now();
    let mut pub_threads = Vec::new();
    for p in 0..pubs {
        let ready = ready.clone();
        pub_threads.push(thread::spawn(move || {
            let mut c = Conn::open(port, &format!("load-pub-{p}"));
            let topic = TopicName::new(format!("load/{p}")).unwrap();
            ready.wait();
            let mut pid = 0u16;
            let mut sent = 0;
            while sent < per_pub {
                let n = burst.min(per_pub - sent);
                let batch: Vec<Packet> = (0..n)
                    .map(|_| {
                        pid = pid % 60000 + 1;
                        publish(&topic, qos, pid, origin)
                    })
                    .collect();
                c.send_many(&batch);
                sent += n;
                if qos == QoS::AtLeastOnce {
                    // Wait for the burst's PUBACKs: a window of `burst`.
                    let mut acks = 0;
                    while acks < n {
                        match c.recv() {
                            Some(Packet::Puback(_)) => acks += 1,
                            Some(_) => {}
                            None => return,
                        }
                    }
                } else {
                    thread::sleep(Duration::from_micros(200));
                }
            }
        }));
    }
    for t in pub_threads {
        t.join().expect("publisher");
    }
    let mut latencies = Vec::new();
    let mut last = start;
    for t in sub_threads {
        let (lat, done) = t.join().expect("subscriber");
        latencies.extend(lat);
        last = last.max(done);
    }
    latencies.sort_unstable();
    Result_ {
        msgs: latencies.len(),
        expected: expect * subs,
        secs: (last - start).as_secs_f64(),
        latencies_us: latencies,
    }
}

/// `conns` CONNECT/CONNACK/DISCONNECT cycles from `threads` threads.
fn storm(port: u16, threads: usize, conns: usize) -> Result_ {
    let start = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            thread::spawn(move || {
                let mut lat = Vec::new();
                for i in 0..conns / threads {
                    let t0 = Instant::now();
                    let mut c = Conn::open(port, &format!("storm-{t}-{i}"));
                    lat.push(t0.elapsed().as_micros() as u64);
                    c.send(&Packet::Disconnect);
                }
                lat
            })
        })
        .collect();
    let mut lat: Vec<u64> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    lat.sort_unstable();
    Result_ {
        msgs: lat.len(),
        expected: conns / threads * threads,
        secs: start.elapsed().as_secs_f64(),
        latencies_us: lat,
    }
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let scale = if quick { 1 } else { 5 };
    type Workload = (&'static str, Box<dyn Fn(u16) -> Result_>);
    let workloads: Vec<Workload> = vec![
        (
            "QoS 0 fan-in (10 pub -> 1 sub)",
            Box::new(move |p| pubsub(p, 10, 1, 2000 * scale, QoS::AtMostOnce, 50)),
        ),
        (
            "QoS 1 fan-in (10 pub -> 1 sub)",
            Box::new(move |p| pubsub(p, 10, 1, 1000 * scale, QoS::AtLeastOnce, 20)),
        ),
        (
            "QoS 0 fan-out (1 pub -> 10 sub)",
            Box::new(move |p| pubsub(p, 1, 10, 2000 * scale, QoS::AtMostOnce, 20)),
        ),
        (
            "QoS 1 fan-out (1 pub -> 10 sub)",
            Box::new(move |p| pubsub(p, 1, 10, 1000 * scale, QoS::AtLeastOnce, 20)),
        ),
        (
            "connection storm (8 threads)",
            Box::new(move |p| storm(p, 8, 400 * scale)),
        ),
    ];
    println!(
        "{:<34} {:>10} {:>12} {:>9} {:>9} {:>9}",
        "workload", "broker", "msgs/s", "p50 us", "p99 us", "received"
    );
    for (name, run) in &workloads {
        let mut rates = Vec::new();
        let mut brokers = vec![start_mqttlab as fn() -> Broker, start_mosquitto];
        if name.starts_with("QoS 1 fan-in") {
            brokers.push(start_mqttlab_hold);
        }
        for start in brokers {
            let b = start();
            let r = run(b.port);
            println!(
                "{:<34} {:>10} {:>12.0} {:>9} {:>9} {:>4}/{:<4}",
                name,
                b.name,
                r.rate(),
                r.pct(0.5),
                r.pct(0.99),
                r.msgs,
                r.expected
            );
            rates.push((r.rate(), r.pct(0.99)));
        }
        println!(
            "{:<34} {:>10} {:>12.2} {:>19.2}",
            "",
            "ratio",
            rates[0].0 / rates[1].0,
            rates[0].1 as f64 / rates[1].1.max(1) as f64
        );
    }
}
