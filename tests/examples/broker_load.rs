//! Load generator: the same workloads against `mqttlab broker`, real `mosquitto`
//! 2.0 and rumqttd 0.20 on loopback, printing throughput, p50/p99 latency, the
//! broker's peak resident memory and what was lost, and ours against each peer.
//!
//! ```text
//! cargo build --release -p mqttlab-server
//! cargo run --release -p mqttlab-tests --example broker_load [-- OPTIONS]
//!   --quick            a fifth of the messages
//!   --rounds N         N interleaved rounds (default 3; 1 with --quick): each
//!                      round runs every row on every broker, the brokers'
//!                      order turning from round to round, and the table at the
//!                      end gives medians, so a machine shared with other work
//!                      weighs on every broker alike
//!   --rows TEXT        only the rows whose name contains TEXT (e.g. `fan-out`)
//!   --brokers A,B      only these (mqttlab, mosquitto, rumqttd, mqttlab+hold,
//!                      mqttlab-base)
//! ```
//!
//! `MQTTLAB_BIN` names the `mqttlab` to measure (default: this workspace's
//! release build); `MQTTLAB_BASE_BIN`, another one (say, before a change) run
//! as `mqttlab-base` in the same rounds, so the two compare under the same load.
//!
//! rumqttd comes from `RUMQTTD_BIN` or where `scripts/setup.sh bench` installs
//! it (`~/.cache/mqttlab-bench/rumqttd-0.20.0/bin/rumqttd`), with
//! `tests/bench/rumqttd/rumqttd.toml`; without it its column is left out, and
//! the run says so.
//!
//! Workloads: QoS 0 and QoS 1 fan-in (many publishers, one subscriber), QoS 0
//! and QoS 1 fan-out (one publisher, 50 subscribers), and a connection storm
//! (CONNECT, CONNACK, DISCONNECT as fast as possible). Each message carries its
//! send time, so the subscriber measures end-to-end latency. Publishers pace
//! themselves in bursts (QoS 1: a window of one burst) so no broker is measured
//! on how much it can buffer. Every wait is bounded; every broker is started
//! fresh for each row on a free 127.0.0.1 port and killed after it, its peak
//! resident memory (`VmHWM`) read just before.

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

impl Broker {
    /// Peak resident memory so far, in kB (`VmHWM` of `/proc/PID/status`).
    fn peak_rss_kb(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("VmHWM:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            })
            .unwrap_or(0)
    }
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
    start_mqttlab_bin(name, extra, bin)
}

fn start_mqttlab_bin(name: &'static str, extra: &str, bin: PathBuf) -> Broker {
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

/// `MQTTLAB_BASE_BIN`, another build of `mqttlab` (the one before a change),
/// run beside `MQTTLAB_BIN` in the same rounds: "mqttlab-base".
fn start_mqttlab_base() -> Broker {
    let bin = std::env::var("MQTTLAB_BASE_BIN").expect("MQTTLAB_BASE_BIN");
    start_mqttlab_bin("mqttlab-base", "", PathBuf::from(bin))
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

/// Where rumqttd is: `RUMQTTD_BIN`, or where `scripts/setup.sh bench` puts it.
fn rumqttd_bin() -> PathBuf {
    std::env::var("RUMQTTD_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            let cache = std::env::var("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .unwrap_or_else(|_| {
                    PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache")
                });
            cache.join("mqttlab-bench/rumqttd-0.20.0/bin/rumqttd")
        })
}

fn start_rumqttd() -> Broker {
    let port = free_port();
    let template = mqttlab_tests::workspace_root().join("tests/bench/rumqttd/rumqttd.toml");
    let text = std::fs::read_to_string(&template).expect("tests/bench/rumqttd/rumqttd.toml");
    let conf = std::env::temp_dir().join(format!("mqttlab-load-{port}.toml"));
    std::fs::write(
        &conf,
        text.replace("127.0.0.1:1883", &format!("127.0.0.1:{port}")),
    )
    .expect("write conf");
    let child = Command::new(rumqttd_bin())
        .args(["--quiet", "-c", &conf.to_string_lossy()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn rumqttd");
    wait_listening(port);
    Broker {
        name: "rumqttd",
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
            // Not 0: rumqttd 0.20 refuses a CONNECT without keep alive
            // (`Error::ZeroKeepAlive`, link/remote.rs). Every row ends well
            // within 60 s.
            keep_alive: 60,
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
            // When the last message came: a broker that loses some is not
            // charged the read timeout that ends the wait for them.
            let mut last = Instant::now();
            while lat.len() < expect && Instant::now() < end {
                match c.recv() {
                    Some(Packet::Publish(p)) => {
                        let sent = u64::from_be_bytes(p.payload[..8].try_into().unwrap());
                        let now = origin.elapsed().as_nanos() as u64;
                        last = Instant::now();
                        lat.push(now.saturating_sub(sent) / 1000);
                        if let QosPid::AtLeastOnce(id) = p.qospid {
                            c.send(&Packet::Puback(id));
                        }
                    }
                    Some(_) => {}
                    None => break,
                }
            }
            (lat, last)
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

/// One run of one row on one broker.
struct Run {
    rate: f64,
    p50: u64,
    p99: u64,
    rss_kb: u64,
    lost: usize,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

fn arg_value(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let scale = if quick { 1 } else { 5 };
    let rounds: usize = arg_value("--rounds")
        .map(|r| r.parse().expect("--rounds N"))
        .unwrap_or(if quick { 1 } else { 3 });
    let rows_filter = arg_value("--rows");
    let brokers_filter = arg_value("--brokers");
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
            "QoS 0 fan-out (1 pub -> 50 sub)",
            Box::new(move |p| pubsub(p, 1, 50, 1000 * scale, QoS::AtMostOnce, 20)),
        ),
        (
            "QoS 1 fan-out (1 pub -> 50 sub)",
            Box::new(move |p| pubsub(p, 1, 50, 500 * scale, QoS::AtLeastOnce, 20)),
        ),
        (
            "connection storm (8 threads)",
            Box::new(move |p| storm(p, 8, 400 * scale)),
        ),
    ];
    let workloads: Vec<Workload> = workloads
        .into_iter()
        .filter(|(name, _)| {
            rows_filter
                .as_ref()
                .is_none_or(|f| name.contains(f.as_str()))
        })
        .collect();
    /// A broker's name and how to start it.
    type Kind = (&'static str, fn() -> Broker);
    let mut kinds: Vec<Kind> = vec![
        ("mqttlab", start_mqttlab),
        ("mosquitto", start_mosquitto),
        ("rumqttd", start_rumqttd),
        ("mqttlab+hold", start_mqttlab_hold),
    ];
    if std::env::var_os("MQTTLAB_BASE_BIN").is_some() {
        kinds.push(("mqttlab-base", start_mqttlab_base));
    }
    if !rumqttd_bin().exists() {
        println!(
            "rumqttd: not found at {} (scripts/setup.sh bench installs it); its column is left out",
            rumqttd_bin().display()
        );
        kinds.retain(|(n, _)| *n != "rumqttd");
    }
    if let Some(f) = &brokers_filter {
        kinds.retain(|(n, _)| f.split(',').any(|w| w == *n));
    }
    // results[row][broker] = one Run per round.
    let mut results: Vec<Vec<Vec<Run>>> = workloads
        .iter()
        .map(|_| kinds.iter().map(|_| Vec::new()).collect())
        .collect();
    println!(
        "{:<34} {:>12} {:>10} {:>9} {:>9} {:>8} {:>7}",
        "workload", "broker", "msgs/s", "p50 us", "p99 us", "peak MB", "lost"
    );
    for round in 0..rounds {
        println!("-- round {} of {rounds}", round + 1);
        for (w, (name, run)) in workloads.iter().enumerate() {
            for k in 0..kinds.len() {
                // The order turns each round, so no broker always runs first.
                let k = (k + round) % kinds.len();
                let (bname, start) = kinds[k];
                // mqttlab+hold (hold_acks) only matters where publishers wait
                // for PUBACKs behind one subscriber.
                if bname == "mqttlab+hold" && !name.starts_with("QoS 1 fan-in") {
                    continue;
                }
                let b = start();
                let r = run(b.port);
                let rss_kb = b.peak_rss_kb();
                let b_name = b.name;
                drop(b);
                let one = Run {
                    rate: r.rate(),
                    p50: r.pct(0.5),
                    p99: r.pct(0.99),
                    rss_kb,
                    lost: r.expected.saturating_sub(r.msgs),
                };
                println!(
                    "{:<34} {:>12} {:>10.0} {:>9} {:>9} {:>8.1} {:>7}",
                    name,
                    b_name,
                    one.rate,
                    one.p50,
                    one.p99,
                    one.rss_kb as f64 / 1024.0,
                    one.lost
                );
                results[w][k].push(one);
            }
        }
    }
    println!("\n== medians of {rounds} round(s); ratios are ours / the peer, per round, then the median (throughput: higher is better; p99 and memory: lower is better)");
    println!(
        "{:<34} {:>12} {:>10} {:>9} {:>9} {:>8} {:>7}   {:>22}",
        "workload",
        "broker",
        "msgs/s",
        "p50 us",
        "p99 us",
        "peak MB",
        "lost",
        "ours/peer rate p99 mem"
    );
    for (w, (name, _)) in workloads.iter().enumerate() {
        for (k, (bname, _)) in kinds.iter().enumerate() {
            let runs = &results[w][k];
            if runs.is_empty() {
                continue;
            }
            let med = |f: &dyn Fn(&Run) -> f64| median(runs.iter().map(f).collect());
            let ours = kinds.iter().position(|(n, _)| *n == "mqttlab");
            let ratio = if let (false, Some(ours)) =
                (*bname == "mqttlab" || *bname == "mqttlab+hold", ours)
            {
                let ours = &results[w][ours];
                let per = |f: &dyn Fn(&Run) -> f64| {
                    median(
                        ours.iter()
                            .zip(runs)
                            .map(|(o, p)| f(o) / f(p).max(1e-9))
                            .collect(),
                    )
                };
                format!(
                    "{:>8.2} {:>6.2} {:>6.2}",
                    per(&|r| r.rate),
                    per(&|r| r.p99 as f64),
                    per(&|r| r.rss_kb as f64)
                )
            } else {
                String::new()
            };
            println!(
                "{:<34} {:>12} {:>10.0} {:>9.0} {:>9.0} {:>8.1} {:>7}   {:>22}",
                name,
                bname,
                med(&|r| r.rate),
                med(&|r| r.p50 as f64),
                med(&|r| r.p99 as f64),
                runs.iter().map(|r| r.rss_kb).max().unwrap_or(0) as f64 / 1024.0,
                runs.iter().map(|r| r.lost).sum::<usize>(),
                ratio
            );
        }
    }
}
