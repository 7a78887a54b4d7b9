//! The attacks: each starts its clients (from 127.0.0.2 or 127.0.0.3, so a
//! per-address limit of the broker does not hit the honest clients on
//! 127.0.0.1), runs until told to stop, and is bounded in count as well.

use std::io::{ErrorKind, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use bytes::Bytes;
use mqttlab_core::codec::{Packet, QoS};
use mqttlab_core::rng::SplitMix64;
use mqttlab_core::topic::TopicName;
use socket2::{Domain, Protocol, Socket, Type};

use super::cpu::Tally;
use super::honest::spawn_counted;
use super::wire::{addr, encode, publish_packet, Conn, HANDSHAKE};

/// One attack, with its size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attack {
    /// No attack: the honest clients alone.
    None,
    /// A subscriber to `#` at this QoS that never reads (4 KB receive buffer),
    /// while one publisher sends 1 KB messages at the same QoS as fast as it can.
    NeverReads(QoS),
    /// A subscriber to `#` at QoS 1 or 2 that reads everything and never
    /// acknowledges (no PUBACK, no PUBREC).
    NeverAcks(QoS),
    /// Retained 100-byte messages on this many distinct topics.
    RetainedFlood(u32),
    /// This many connects with clean session 0 (distinct client ids), each
    /// subscribing at QoS 1 and disconnecting: that many persistent sessions.
    SessionChurn(u32),
    /// This many sockets at once sending random bytes, reconnecting when closed.
    Garbage(u32),
    /// This many sockets announcing a 256 MB CONNECT, then trickling a byte per
    /// socket every 100 ms.
    BigConnect(u32),
    /// This many sockets that connect and send nothing.
    Idle(u32),
}

impl Attack {
    /// Its name in the table.
    pub fn name(self) -> String {
        let q = |q: QoS| q.as_u8();
        match self {
            Attack::None => "no attack".into(),
            Attack::NeverReads(qos) => format!("never-reading sub q{}", q(qos)),
            Attack::NeverAcks(qos) => format!("never-acking sub q{}", q(qos)),
            Attack::RetainedFlood(n) => format!("retained x {n} topics"),
            Attack::SessionChurn(n) => format!("{n} persistent connects"),
            Attack::Garbage(n) => format!("garbage x {n} sockets"),
            Attack::BigConnect(n) => format!("{n} x 256 MB CONNECT"),
            Attack::Idle(n) => format!("{n} idle sockets"),
        }
    }
}

/// When an attack stops: told to, or its broker passed the memory cap.
#[derive(Clone)]
pub struct Halt {
    stop: Arc<AtomicBool>,
    cap: Arc<AtomicBool>,
}

impl Halt {
    fn is_set(&self) -> bool {
        self.stop.load(Ordering::Relaxed) || self.cap.load(Ordering::Relaxed)
    }
}

/// A running attack.
pub struct Running {
    halt: Halt,
    threads: Vec<JoinHandle<()>>,
    /// Sockets held open (idle, never reading).
    held: Vec<TcpStream>,
    /// What it did: messages, connections.
    done: Arc<AtomicU64>,
    unit: &'static str,
    /// How much work the attack has in all (sessions, retained topics), when
    /// it is a finite amount: the case waits for it before it reads the
    /// broker's peak memory, so that brokers are compared holding the same.
    goal: Option<u64>,
    /// CPU time its threads used.
    cpu: Arc<Tally>,
}

impl Running {
    /// Waits, at most `limit`, until a finite attack has done all its work
    /// (every session stored, every retained topic sent), so that a faster
    /// broker is not measured holding more than a slower one. Returns
    /// whether it finished; an attack without a goal has nothing to wait for.
    pub fn finish(&self, limit: Duration) -> bool {
        let Some(goal) = self.goal else {
            return true;
        };
        let end = std::time::Instant::now() + limit;
        while self.done.load(Ordering::Relaxed) < goal {
            if self.halt.is_set() || std::time::Instant::now() >= end {
                return false;
            }
            thread::sleep(Duration::from_millis(50));
        }
        true
    }

    /// How many sockets it holds open (the idle ones, the never-reading
    /// subscriber's).
    pub fn held(&self) -> usize {
        self.held.len()
    }

    /// Stops the attack, closes its sockets, and says what it did and how
    /// many CPU seconds its threads used.
    pub fn stop(self) -> (String, f64) {
        self.halt.stop.store(true, Ordering::SeqCst);
        for t in self.threads {
            let _ = t.join();
        }
        drop(self.held);
        let did = if self.unit.is_empty() {
            String::new()
        } else {
            format!("{} {}", self.done.load(Ordering::SeqCst), self.unit)
        };
        (did, self.cpu.secs())
    }
}

/// A TCP connection to the broker's `port` from `src`, with a receive buffer of
/// `rcvbuf` bytes if given (set before connecting, so the window is small).
/// Closing it resets it: tens of thousands of attack connections leave no
/// TIME_WAIT behind to run the source address out of ports.
pub fn socket_from(src: Ipv4Addr, port: u16, rcvbuf: Option<usize>) -> std::io::Result<TcpStream> {
    let s = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?;
    s.set_linger(Some(Duration::ZERO))?;
    if let Some(n) = rcvbuf {
        s.set_recv_buffer_size(n)?;
    }
    s.bind(&SocketAddr::from((src, 0)).into())?;
    s.connect_timeout(&addr(port).into(), HANDSHAKE)?;
    let tcp: TcpStream = s.into();
    tcp.set_nodelay(true).ok();
    Ok(tcp)
}

const ATTACKER: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 2);
const GARBAGE_SRC: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 3);

/// Writes all of `buf`, waiting while the socket is full, unless `halt` is set:
/// a packet is never left half-written by a timeout.
fn write_fully(s: &mut TcpStream, mut buf: &[u8], halt: &Halt) -> bool {
    s.set_write_timeout(Some(Duration::from_millis(100))).ok();
    while !buf.is_empty() {
        match s.write(buf) {
            Ok(0) => return false,
            Ok(n) => buf = &buf[n..],
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                if halt.is_set() {
                    return false;
                }
            }
            Err(_) => return false,
        }
    }
    true
}

/// Starts `attack` against the broker on `port`; `cap` is set when the broker
/// passed the memory cap. Its random bytes come from `seed`.
pub fn start(attack: Attack, port: u16, cap: Arc<AtomicBool>, seed: u64) -> Running {
    let halt = Halt {
        stop: Arc::new(AtomicBool::new(false)),
        cap,
    };
    let done = Arc::new(AtomicU64::new(0));
    let cpu = Arc::new(Tally::default());
    let mut r = Running {
        halt: halt.clone(),
        threads: Vec::new(),
        held: Vec::new(),
        done: done.clone(),
        unit: "",
        goal: None,
        cpu: cpu.clone(),
    };
    match attack {
        Attack::None => {}
        Attack::NeverReads(qos) => {
            let tcp = socket_from(ATTACKER, port, Some(4096)).expect("attacker connects");
            let mut sub = Conn::over(tcp);
            sub.handshake("attack-never-reads", true).expect("CONNACK");
            sub.subscribe("#", qos).expect("SUBACK");
            r.held.push(sub.tcp);
            r.unit = "msgs flooded";
            r.threads
                .push(spawn_counted("atk-flood", cpu.clone(), move || {
                    flood(port, qos, &halt, &done, &cpu)
                }));
        }
        Attack::NeverAcks(qos) => {
            let tcp = socket_from(ATTACKER, port, None).expect("attacker connects");
            let mut sub = Conn::over(tcp);
            sub.handshake("attack-never-acks", true).expect("CONNACK");
            sub.subscribe("#", qos).expect("SUBACK");
            r.unit = "msgs unacked";
            r.threads
                .push(spawn_counted("atk-never-acks", cpu, move || {
                    while !halt.is_set() {
                        match sub.recv(Duration::from_millis(50)) {
                            Ok(Some(Packet::Publish(_))) => {
                                done.fetch_add(1, Ordering::Relaxed);
                            }
                            Ok(_) => {}
                            Err(_) => return,
                        }
                    }
                }));
        }
        Attack::RetainedFlood(topics) => {
            r.unit = "retained sent";
            r.goal = Some(u64::from(topics));
            r.threads.push(spawn_counted("atk-retained", cpu, move || {
                let Ok(tcp) = socket_from(ATTACKER, port, None) else {
                    return;
                };
                let mut c = Conn::over(tcp);
                if c.handshake("attack-retained", true).is_err() {
                    return;
                }
                let payload = Bytes::from(vec![b'r'; 100]);
                let mut batch = Vec::new();
                for i in 0..topics {
                    let topic = TopicName::new(format!("retained/{i}")).unwrap();
                    let p = publish_packet(&topic, QoS::AtMostOnce, 1, true, payload.clone());
                    batch.extend(encode(&p));
                    if batch.len() > 16 * 1024 || i + 1 == topics {
                        if !write_fully(&mut c.tcp, &batch, &halt) {
                            return;
                        }
                        batch.clear();
                        done.store(u64::from(i) + 1, Ordering::Relaxed);
                    }
                }
                // Stay connected (a close would be fine too) until the case ends.
                while !halt.is_set() {
                    thread::sleep(Duration::from_millis(20));
                }
            }));
        }
        Attack::SessionChurn(sessions) => {
            r.unit = "sessions";
            r.goal = Some(u64::from(sessions));
            let threads = 4;
            for t in 0..threads {
                let (halt, done) = (halt.clone(), done.clone());
                r.threads
                    .push(spawn_counted("atk-churn", cpu.clone(), move || {
                        for i in (t..sessions).step_by(threads as usize) {
                            if halt.is_set() {
                                return;
                            }
                            let Ok(tcp) = socket_from(ATTACKER, port, None) else {
                                continue;
                            };
                            let mut c = Conn::over(tcp);
                            if c.handshake(&format!("churn-{i}"), false).is_err()
                                || c.subscribe(&format!("churn/{i}"), QoS::AtLeastOnce)
                                    .is_err()
                            {
                                continue;
                            }
                            let _ = c.send(&Packet::Disconnect);
                            done.fetch_add(1, Ordering::Relaxed);
                        }
                    }));
            }
        }
        Attack::Garbage(sockets) => {
            r.unit = "garbage connections";
            let threads = 8;
            for t in 0..threads {
                let (halt, done) = (halt.clone(), done.clone());
                let mine = sockets / threads + u32::from(t < sockets % threads);
                r.threads
                    .push(spawn_counted("atk-garbage", cpu.clone(), move || {
                        let mut rng = SplitMix64::new(seed ^ (u64::from(t) << 32));
                        // Rounds of `mine` sockets open at once, at most 1,000 rounds.
                        for _ in 0..1000 {
                            let mut open = Vec::new();
                            for _ in 0..mine {
                                if halt.is_set() {
                                    return;
                                }
                                if let Ok(mut s) = socket_from(GARBAGE_SRC, port, None) {
                                    let len = 256 + (rng.next_u32() % 1792) as usize;
                                    let bytes: Vec<u8> =
                                        (0..len).map(|_| rng.next_u32() as u8).collect();
                                    s.set_write_timeout(Some(Duration::from_millis(100))).ok();
                                    let _ = s.write(&bytes);
                                    done.fetch_add(1, Ordering::Relaxed);
                                    open.push(s);
                                }
                            }
                            // Give the broker a moment with all of them open.
                            thread::sleep(Duration::from_millis(10));
                            drop(open);
                        }
                    }));
            }
        }
        Attack::BigConnect(sockets) => {
            r.unit = "still open";
            let mut open = Vec::new();
            // CONNECT, remaining length 268,435,455 (the most there is), then the
            // start of a real variable header; the rest comes a byte at a time.
            let mut head = vec![0x10, 0xFF, 0xFF, 0xFF, 0x7F];
            head.extend_from_slice(b"\x00\x04MQTT\x04\x02\x00\x3c\xff\xff");
            for _ in 0..sockets {
                if let Ok(mut s) = socket_from(ATTACKER, port, None) {
                    if s.write_all(&head).is_ok() {
                        s.set_nonblocking(true).ok();
                        open.push(s);
                    }
                }
            }
            r.threads
                .push(spawn_counted("atk-big-connect", cpu, move || {
                    let mut buf = [0u8; 64];
                    while !halt.is_set() {
                        let mut alive = 0;
                        for s in open.iter_mut() {
                            // A socket the broker closed reads end-of-stream.
                            let closed = matches!(s.read(&mut buf), Ok(0));
                            if !closed && s.write(b"a").is_ok() {
                                alive += 1;
                            }
                        }
                        done.store(alive, Ordering::Relaxed);
                        thread::sleep(Duration::from_millis(100));
                    }
                }));
        }
        Attack::Idle(sockets) => {
            r.unit = "opened";
            for _ in 0..sockets {
                if let Ok(s) = socket_from(ATTACKER, port, None) {
                    r.held.push(s);
                }
            }
            done.store(r.held.len() as u64, Ordering::Relaxed);
        }
    }
    r
}

/// One publisher sending 1 KB messages on `flood/x` at `qos` as fast as the
/// broker takes them (at most 5 million), answering PUBREC with PUBREL and
/// ignoring PUBACK and PUBCOMP: an attacker does not wait for them.
fn flood(port: u16, qos: QoS, halt: &Halt, done: &AtomicU64, cpu: &Arc<Tally>) {
    let Ok(tcp) = socket_from(ATTACKER, port, None) else {
        return;
    };
    let mut c = Conn::over(tcp);
    if c.handshake("attack-flood", true).is_err() {
        return;
    }
    let writer = Arc::new(Mutex::new(c.tcp.try_clone().expect("clone socket")));
    // The reader: PUBREL for every PUBREC, so QoS 2 messages are released.
    let reader = {
        let (halt, writer) = (halt.clone(), writer.clone());
        spawn_counted("atk-flood-acks", cpu.clone(), move || {
            while !halt.is_set() {
                match c.recv(Duration::from_millis(50)) {
                    Ok(Some(Packet::Pubrec(id))) => {
                        let bytes = encode(&Packet::Pubrel(id));
                        if !write_fully(&mut writer.lock().unwrap(), &bytes, &halt) {
                            return;
                        }
                    }
                    Ok(_) => {}
                    Err(_) => return,
                }
            }
        })
    };
    let topic = TopicName::new("flood/x").unwrap();
    let payload = Bytes::from(vec![b'f'; 1024]);
    let mut pid = 0u16;
    let mut sent = 0u64;
    while !halt.is_set() && sent < 5_000_000 {
        let mut batch = Vec::with_capacity(16 * 1040);
        for _ in 0..16 {
            pid = pid % 65535 + 1;
            batch.extend(encode(&publish_packet(
                &topic,
                qos,
                pid,
                false,
                payload.clone(),
            )));
        }
        if !write_fully(&mut writer.lock().unwrap(), &batch, halt) {
            break;
        }
        sent += 16;
        done.store(sent, Ordering::Relaxed);
    }
    let _ = reader.join();
}
