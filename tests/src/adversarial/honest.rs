//! The honest clients measured during each case, all from 127.0.0.1:
//!
//! - a QoS 1 publisher on `honest/load` keeping 20 messages unacknowledged,
//!   as fast as PUBACKs come back: its PUBACK rate;
//! - a publisher sending numbered messages on `honest/lat` every 5 ms,
//!   alternately at QoS 1 and QoS 2, each carrying its send time, and a
//!   subscriber at QoS 2 that acknowledges everything: the delivery latency, and
//!   which numbers never arrived (lost) or arrived twice at QoS 2.
//!
//! Attackers subscribed to `#` receive the honest traffic too: that is how a
//! subscriber that never acknowledges gets to hold up an honest publisher.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use bytes::Bytes;
use mqttlab_core::codec::{Packet, QoS, QosPid};
use mqttlab_core::topic::TopicName;

use super::cpu::{thread_secs, Tally};
use super::wire::{publish_packet, Conn};

/// How often the latency publisher sends: 500 samples a second, so that a
/// round of a second or two has a p99 that is not one unlucky sample.
const LAT_PERIOD: Duration = Duration::from_millis(2);
/// Unacknowledged QoS 1 messages the load publisher keeps.
const WINDOW: usize = 20;

/// What the honest clients saw.
#[derive(Debug, Clone, Default)]
pub struct Honest {
    /// PUBACKs the load publisher got, and over how long.
    pub pubacks: u64,
    pub puback_secs: f64,
    /// Delivery latencies of the latency pair, µs, sorted.
    pub latencies_us: Vec<u64>,
    /// Messages the latency publisher sent at QoS 1 and at QoS 2.
    pub sent: [u32; 2],
    /// Of those, how many never reached the subscriber, at QoS 1 and QoS 2.
    pub lost: [u32; 2],
    /// QoS 2 messages the subscriber got more than once.
    pub dup_qos2: u32,
    /// What went wrong for an honest client (refused, disconnected...).
    pub errors: Vec<String>,
    /// CPU seconds the honest clients' threads used.
    pub cpu_secs: f64,
}

impl Honest {
    /// The PUBACK rate, per second.
    pub fn puback_rate(&self) -> f64 {
        if self.puback_secs > 0.0 {
            self.pubacks as f64 / self.puback_secs
        } else {
            0.0
        }
    }

    /// The `p` quantile of the latency (0..=1), ms; `None` without samples.
    pub fn latency_ms(&self, p: f64) -> Option<f64> {
        if self.latencies_us.is_empty() {
            return None;
        }
        let i = ((self.latencies_us.len() - 1) as f64 * p).round() as usize;
        Some(self.latencies_us[i] as f64 / 1000.0)
    }

    /// Whether any QoS 1/2 message was lost or a QoS 2 one duplicated.
    pub fn lost_anything(&self) -> bool {
        self.lost.iter().any(|&l| l > 0) || self.dup_qos2 > 0
    }
}

/// Runs the honest clients against the broker on `port` for `run` (the latency
/// subscriber then waits up to `drain` for what is still on its way), and returns
/// what they saw.
pub fn run(port: u16, run: Duration, drain: Duration) -> Honest {
    let cpu = Arc::new(Tally::default());
    let my_cpu = thread_secs();
    let errors = Arc::new(Mutex::new(Vec::new()));
    let origin = Instant::now();
    let sending = Arc::new(AtomicBool::new(true));
    let sub_done = Arc::new(AtomicBool::new(false));
    let sent_total = Arc::new(AtomicU32::new(0));
    // Set by the latency publisher once it has seen `sending` off: no number
    // is sent after it, so `sent_total` is final.
    let sent_all = Arc::new(AtomicBool::new(false));

    // The subscriber first, so nothing is published before it subscribed.
    let mut sub = match Conn::open(port, "honest-sub", true)
        .and_then(|mut c| c.subscribe("honest/lat", QoS::ExactlyOnce).map(|_| c))
    {
        Ok(c) => c,
        Err(e) => {
            return Honest {
                errors: vec![format!("honest-sub: {e}")],
                ..Honest::default()
            }
        }
    };
    let note = {
        let errors = errors.clone();
        move |who: &str, e: &dyn std::fmt::Display| {
            errors.lock().unwrap().push(format!("{who}: {e}"))
        }
    };

    let load = {
        let (sending, note, cpu) = (sending.clone(), note.clone(), cpu.clone());
        spawn_counted("honest-load", cpu, move || {
            load_publisher(port, &sending, note)
        })
    };
    let lat_pub = {
        let (sending, sub_done, note) = (sending.clone(), sub_done.clone(), note.clone());
        let (sent_total, sent_all) = (sent_total.clone(), sent_all.clone());
        spawn_counted("honest-lat-pub", cpu.clone(), move || {
            let counts = (&*sent_total, &*sent_all);
            latency_publisher(port, origin, &sending, &sub_done, counts, note)
        })
    };

    let start = Instant::now();
    let mut got: [BTreeSet<u32>; 2] = [BTreeSet::new(), BTreeSet::new()];
    let mut latencies = Vec::new();
    let mut dup_qos2 = 0;
    let mut drain_end: Option<Instant> = None;
    loop {
        if drain_end.is_none() && start.elapsed() >= run {
            sending.store(false, Ordering::SeqCst);
            drain_end = Some(Instant::now() + drain);
        }
        if let Some(end) = drain_end {
            // Read before the total: a message counted after `sent_all` could
            // otherwise be missed.
            let final_total = sent_all.load(Ordering::SeqCst);
            let all = sent_total.load(Ordering::SeqCst) as usize;
            if Instant::now() >= end || (final_total && got[0].len() + got[1].len() >= all) {
                break;
            }
        }
        match sub.recv(Duration::from_millis(20)) {
            Ok(Some(Packet::Publish(p))) => {
                let now_ns = origin.elapsed().as_nanos() as u64;
                if p.payload.len() >= 12 {
                    let seq = u32::from_be_bytes(p.payload[..4].try_into().unwrap());
                    let sent_ns = u64::from_be_bytes(p.payload[4..12].try_into().unwrap());
                    latencies.push(now_ns.saturating_sub(sent_ns) / 1000);
                    let fresh = got[(seq % 2) as usize].insert(seq);
                    if !fresh && p.qos() == QoS::ExactlyOnce && !p.dup {
                        dup_qos2 += 1;
                    }
                }
                let ack = match p.qospid {
                    QosPid::AtMostOnce => None,
                    QosPid::AtLeastOnce(id) => Some(Packet::Puback(id)),
                    QosPid::ExactlyOnce(id) => Some(Packet::Pubrec(id)),
                };
                if let Some(ack) = ack {
                    if let Err(e) = sub.send(&ack) {
                        note("honest-sub", &e);
                        break;
                    }
                }
            }
            Ok(Some(Packet::Pubrel(id))) => {
                if let Err(e) = sub.send(&Packet::Pubcomp(id)) {
                    note("honest-sub", &e);
                    break;
                }
            }
            Ok(_) => {}
            Err(e) => {
                note("honest-sub", &e);
                break;
            }
        }
    }
    sending.store(false, Ordering::SeqCst);
    sub_done.store(true, Ordering::SeqCst);
    let (pubacks, puback_secs) = load.join().unwrap_or((0, 0.0));
    let sent = lat_pub.join().unwrap_or([0, 0]);
    latencies.sort_unstable();
    let lost = [
        sent[0].saturating_sub(got[0].len() as u32),
        sent[1].saturating_sub(got[1].len() as u32),
    ];
    let mut errors = errors.lock().unwrap().clone();
    // Which numbers are missing, and when the last one was sent: a message
    // stuck at the end of a run is not the same fault as one dropped midway.
    let total = sent[0] + sent[1];
    let missing: Vec<u32> = (0..total)
        .filter(|seq| !got[(seq % 2) as usize].contains(seq))
        .collect();
    if !missing.is_empty() {
        errors.push(format!(
            "honest-sub: {} of {total} numbered messages missing (even QoS 1, odd QoS 2): {:?}",
            missing.len(),
            &missing[..missing.len().min(10)]
        ));
    }
    cpu.add_since(my_cpu);
    Honest {
        pubacks,
        puback_secs,
        latencies_us: latencies,
        sent,
        lost,
        dup_qos2,
        errors,
        cpu_secs: cpu.secs(),
    }
}

/// Runs `f` on a thread named `name` (as `top -H` shows it), adding the CPU
/// time it used to `cpu` when it ends.
pub(super) fn spawn_counted<T: Send + 'static>(
    name: &str,
    cpu: Arc<Tally>,
    f: impl FnOnce() -> T + Send + 'static,
) -> thread::JoinHandle<T> {
    thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            let from = thread_secs();
            let r = f();
            cpu.add_since(from);
            r
        })
        .expect("spawn a thread")
}

/// The QoS 1 load publisher: PUBACKs received while `sending`, and over how long.
fn load_publisher(
    port: u16,
    sending: &AtomicBool,
    note: impl Fn(&str, &dyn std::fmt::Display),
) -> (u64, f64) {
    let mut c = match Conn::open(port, "honest-pub", true) {
        Ok(c) => c,
        Err(e) => {
            note("honest-pub", &e);
            return (0, 0.0);
        }
    };
    let topic = TopicName::new("honest/load").unwrap();
    let payload = Bytes::from(vec![b'h'; 64]);
    let start = Instant::now();
    let (mut outstanding, mut pid, mut acks) = (0usize, 0u16, 0u64);
    while sending.load(Ordering::Relaxed) {
        while outstanding < WINDOW {
            pid = pid % 65535 + 1;
            let p = publish_packet(&topic, QoS::AtLeastOnce, pid, false, payload.clone());
            if let Err(e) = c.send(&p) {
                note("honest-pub", &e);
                return (acks, start.elapsed().as_secs_f64());
            }
            outstanding += 1;
        }
        match c.recv(Duration::from_millis(20)) {
            Ok(Some(Packet::Puback(_))) => {
                acks += 1;
                outstanding -= 1;
            }
            Ok(_) => {}
            Err(e) => {
                note("honest-pub", &e);
                break;
            }
        }
    }
    (acks, start.elapsed().as_secs_f64())
}

/// The latency publisher: sends every [`LAT_PERIOD`] while `sending`, then keeps
/// answering PUBREC until the subscriber is done. Returns how many it sent at
/// QoS 1 and QoS 2.
fn latency_publisher(
    port: u16,
    origin: Instant,
    sending: &AtomicBool,
    sub_done: &AtomicBool,
    (sent_total, sent_all): (&AtomicU32, &AtomicBool),
    note: impl Fn(&str, &dyn std::fmt::Display),
) -> [u32; 2] {
    let mut sent = [0u32; 2];
    let mut c = match Conn::open(port, "honest-lat-pub", true) {
        Ok(c) => c,
        Err(e) => {
            note("honest-lat-pub", &e);
            return sent;
        }
    };
    let topic = TopicName::new("honest/lat").unwrap();
    let (mut seq, mut pid) = (0u32, 0u16);
    let mut next = Instant::now();
    while !sub_done.load(Ordering::SeqCst) {
        if !sending.load(Ordering::SeqCst) {
            sent_all.store(true, Ordering::SeqCst);
        } else if Instant::now() >= next {
            // No catching up in a burst after a stall: one message per period.
            next = (next + LAT_PERIOD).max(Instant::now());
            let qos = if seq % 2 == 0 {
                QoS::AtLeastOnce
            } else {
                QoS::ExactlyOnce
            };
            let mut payload = seq.to_be_bytes().to_vec();
            payload.extend_from_slice(&(origin.elapsed().as_nanos() as u64).to_be_bytes());
            payload.resize(64, b'l');
            pid = pid % 65535 + 1;
            let p = publish_packet(&topic, qos, pid, false, Bytes::from(payload));
            if let Err(e) = c.send(&p) {
                note("honest-lat-pub", &e);
                break;
            }
            sent[(seq % 2) as usize] += 1;
            sent_total.fetch_add(1, Ordering::SeqCst);
            seq += 1;
        }
        let wait = next
            .saturating_duration_since(Instant::now())
            .min(Duration::from_millis(5));
        match c.recv(wait.max(Duration::from_micros(200))) {
            Ok(Some(Packet::Pubrec(id))) => {
                if let Err(e) = c.send(&Packet::Pubrel(id)) {
                    note("honest-lat-pub", &e);
                    break;
                }
            }
            Ok(_) => {}
            Err(e) => {
                note("honest-lat-pub", &e);
                break;
            }
        }
    }
    sent
}
