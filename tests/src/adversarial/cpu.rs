//! Where the CPU goes during a case: the broker's process, and the load
//! generator's own threads (the attackers' and the honest clients'), read from
//! the kernel's per-process and per-thread accounting. On a 2-core machine the
//! generator competes with the broker it measures; these figures show by how
//! much.

use std::sync::atomic::{AtomicU64, Ordering};

/// The kernel's accounting unit in `/proc/.../stat` (USER_HZ, 100 on Linux).
const TICKS_PER_SEC: f64 = 100.0;

/// User plus system time in a `/proc/.../stat` file, in ticks.
fn stat_ticks(path: &str) -> Option<u64> {
    let stat = std::fs::read_to_string(path).ok()?;
    // The command name, in parentheses, may hold spaces: count fields after it.
    let rest = &stat[stat.rfind(')')? + 2..];
    let mut fields = rest.split_ascii_whitespace();
    // Field 3 (state) is the first after the name; utime and stime are 14 and 15.
    let utime: u64 = fields.nth(11)?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

/// CPU seconds a process has used so far.
pub fn process_secs(pid: u32) -> Option<f64> {
    stat_ticks(&format!("/proc/{pid}/stat")).map(|t| t as f64 / TICKS_PER_SEC)
}

/// CPU seconds the calling thread has used so far.
pub fn thread_secs() -> f64 {
    stat_ticks("/proc/thread-self/stat").map_or(0.0, |t| t as f64 / TICKS_PER_SEC)
}

/// CPU time added up over threads (each adds its own when it ends), in µs.
#[derive(Debug, Default)]
pub struct Tally(AtomicU64);

impl Tally {
    /// Adds what the calling thread used since `from` (a [`thread_secs`] reading).
    pub fn add_since(&self, from: f64) {
        let us = ((thread_secs() - from).max(0.0) * 1e6) as u64;
        self.0.fetch_add(us, Ordering::Relaxed);
    }
    /// The sum, in seconds.
    pub fn secs(&self) -> f64 {
        self.0.load(Ordering::Relaxed) as f64 / 1e6
    }
}

/// CPU used during one case, in seconds, and the case's wall time.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cpu {
    pub wall: f64,
    pub broker: f64,
    /// The attack's threads (flooders, never-reading and never-acking clients...).
    pub attack: f64,
    /// The honest clients' threads (load publisher, latency pair).
    pub honest: f64,
}

impl Cpu {
    /// CPU used per second of wall time: broker, attack, honest clients.
    pub fn shares(&self) -> (f64, f64, f64) {
        if self.wall <= 0.0 {
            return (0.0, 0.0, 0.0);
        }
        (
            self.broker / self.wall,
            self.attack / self.wall,
            self.honest / self.wall,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_busy_thread_is_counted() {
        let t = Tally::default();
        let from = thread_secs();
        // Spin until the kernel has charged this thread 20 ms (ticks are 10 ms),
        // or give up after 5 s of wall time.
        let end = std::time::Instant::now() + std::time::Duration::from_secs(5);
        let mut x = 0u64;
        while thread_secs() - from < 0.02 && std::time::Instant::now() < end {
            for _ in 0..10_000 {
                x = x.wrapping_mul(31).wrapping_add(1);
            }
        }
        std::hint::black_box(x);
        t.add_since(from);
        assert!(t.secs() >= 0.02, "{}", t.secs());
        assert!(process_secs(std::process::id()).unwrap() >= t.secs());
    }
}
