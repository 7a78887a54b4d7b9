//! The adversarial suite: `mqttlab broker` and mosquitto 2.0.11 side by side under
//! slow, stalled and hostile peers (issue 19). For every case a fresh broker of
//! each kind starts with its default limits, an attack runs ([`attacks`]), and
//! honest clients measure what the others still get ([`honest`]): the broker's
//! peak memory, an honest QoS 1 publisher's PUBACK rate, an honest subscriber's
//! delivery latency, and whether honest QoS 1/2 messages were lost.
//!
//! The figures come from `tests/examples/adversarial.rs` (`scripts/bench.sh
//! adversarial`); `tests/tests/adversarial.rs` runs a short version of the key
//! cases and asserts the targets that are bounds or ratios, not times.

pub mod attacks;
pub mod brokers;
pub mod honest;
pub mod wire;

use std::path::Path;
use std::time::Duration;

pub use attacks::Attack;
pub use brokers::Kind;
pub use honest::Honest;

/// How long each phase of a case lasts.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// The attack runs alone before the honest clients start.
    pub warmup: Duration,
    /// The honest clients publish for this long.
    pub run: Duration,
    /// The honest subscriber then waits at most this long for the rest.
    pub drain: Duration,
}

/// What one case gave on one broker.
#[derive(Debug, Clone)]
pub struct Figures {
    /// The broker.
    pub kind: Kind,
    /// Its peak resident memory, kB.
    pub peak_kb: u64,
    /// Whether it passed the safety cap (the case was cut short).
    pub over_cap: bool,
    /// Whether it was still running at the end.
    pub alive: bool,
    /// What the honest clients saw.
    pub honest: Honest,
    /// What the attack did.
    pub attack: String,
}

/// Runs `attack` on a fresh broker of `kind` (`mqttlab` is the binary to run).
pub fn run_case(kind: Kind, mqttlab: &Path, attack: Attack, timing: Timing, seed: u64) -> Figures {
    let mut broker = brokers::Broker::start(kind, mqttlab);
    let running = attacks::start(attack, broker.port, broker.over_cap.clone(), seed);
    std::thread::sleep(timing.warmup);
    let honest = honest::run(broker.port, timing.run, timing.drain);
    let attack_did = running.stop();
    let peak_kb = broker.peak_kb();
    let alive = broker.alive();
    Figures {
        kind,
        peak_kb,
        over_cap: broker.over_cap.load(std::sync::atomic::Ordering::Relaxed),
        alive,
        honest,
        attack: attack_did,
    }
}

/// One row of the table: a case on both brokers.
pub struct Row {
    pub attack: Attack,
    pub ours: Figures,
    pub theirs: Figures,
}

fn mb(f: &Figures) -> String {
    let s = format!("{:.1}", f.peak_kb as f64 / 1024.0);
    match (f.over_cap, f.alive) {
        (_, false) => format!("{s} died"),
        (true, _) => format!(">={s}"),
        _ => s,
    }
}

fn ms(v: Option<f64>) -> String {
    v.map_or("-".into(), |v| format!("{v:.1}"))
}

fn lost(h: &Honest) -> String {
    let mut s = format!("{}/{}", h.lost[0], h.lost[1]);
    if h.dup_qos2 > 0 {
        s += &format!(" dup{}", h.dup_qos2);
    }
    if !h.errors.is_empty() {
        s += " ERR";
    }
    s
}

/// The table, ours beside mosquitto's for every figure, then what each attack
/// did and any honest client's error. `baseline` is the no-attack row of each
/// broker, for the p99 ratio.
pub fn table(rows: &[Row]) -> String {
    let base = rows.iter().find(|r| r.attack == Attack::None);
    let p99 = |f: &Figures| f.honest.latency_ms(0.99);
    let mut out = String::new();
    out += &format!(
        "{:<26} | {:>17} | {:>17} | {:>13} | {:>13} | {:>11} | {:>13}\n",
        "case (ours | mosquitto)",
        "peak RSS MB",
        "PUBACK/s",
        "p50 ms",
        "p99 ms",
        "p99/base",
        "lost q1/q2"
    );
    out += &format!(
        "{}\n",
        "-".repeat(26 + 3 + 17 + 3 + 17 + 3 + 13 + 3 + 13 + 3 + 11 + 3 + 13)
    );
    let ratio = |f: &Figures, b: Option<&Figures>| match (p99(f), b.and_then(p99)) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.1}", a / b),
        _ => "-".into(),
    };
    for r in rows {
        out += &format!(
            "{:<26} | {:>8} {:>8} | {:>8.0} {:>8.0} | {:>6} {:>6} | {:>6} {:>6} | {:>5} {:>5} | {:>6} {:>6}\n",
            r.attack.name(),
            mb(&r.ours),
            mb(&r.theirs),
            r.ours.honest.puback_rate(),
            r.theirs.honest.puback_rate(),
            ms(r.ours.honest.latency_ms(0.5)),
            ms(r.theirs.honest.latency_ms(0.5)),
            ms(p99(&r.ours)),
            ms(p99(&r.theirs)),
            ratio(&r.ours, base.map(|b| &b.ours)),
            ratio(&r.theirs, base.map(|b| &b.theirs)),
            lost(&r.ours.honest),
            lost(&r.theirs.honest),
        );
    }
    out += "\nwhat each attack did (ours | mosquitto), and honest clients' errors:\n";
    for r in rows {
        out += &format!(
            "  {:<26} {} | {}\n",
            r.attack.name(),
            r.ours.attack,
            r.theirs.attack
        );
        for f in [&r.ours, &r.theirs] {
            for e in &f.honest.errors {
                out += &format!("    {}: {e}\n", f.kind.name());
            }
        }
    }
    out
}
