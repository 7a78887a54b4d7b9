//! `mqttlab bench-sim`: how fast the simulator runs, and how far it scales.
//!
//! - speed: 50 clients exchanging QoS 1 messages over links with latency and
//!   jitter, with no trace and then with the full trace the lab keeps; packets
//!   delivered per second of wall clock and of CPU time (the thread's own, so a
//!   machine shared with other work still gives a fair figure), and what the
//!   trace costs (in CPU time where known);
//! - scale: 10,000 sensors publishing every 10 s for one simulated hour.

use std::time::Instant as WallClock;

use clap::{Args, ValueEnum};
use mqttlab_core::sim::bench::{
    scale_world, scrub_world_source, speed_world, SCRUB_SECONDS, SCRUB_SENSORS,
};
use mqttlab_core::sim::{TraceMode, World};
use mqttlab_core::time::Instant;

/// Flags of `mqttlab bench-sim`.
#[derive(Args, Debug)]
pub struct BenchSimArgs {
    /// Sensors in the scale run.
    #[arg(long, default_value_t = 10_000)]
    pub sensors: u32,
    /// Simulated seconds of the scale run.
    #[arg(long, default_value_t = 3600)]
    pub seconds: u64,
    /// The trace the scale run keeps.
    #[arg(long, value_enum, default_value_t = Keep::Off)]
    pub scale_trace: Keep,
    /// Skip the scale run.
    #[arg(long)]
    pub speed_only: bool,
    /// Skip the speed runs.
    #[arg(long)]
    pub scale_only: bool,
    /// Print the scenario of the 100,000-event world the timeline's scrub is
    /// measured on (`core/tests/replay.rs`, the browser test) and exit.
    #[arg(long)]
    pub scrub_world: bool,
}

/// A trace mode on the command line.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Keep {
    /// No trace.
    Off,
    /// Every entry hashed, none kept.
    Hash,
    /// Every entry kept, as the lab keeps them.
    Full,
}

impl From<Keep> for TraceMode {
    fn from(k: Keep) -> Self {
        match k {
            Keep::Off => TraceMode::Off,
            Keep::Hash => TraceMode::HashOnly,
            Keep::Full => TraceMode::Full,
        }
    }
}

/// A run's figures.
struct Figures {
    delivered: u64,
    events: u64,
    entries: u64,
    secs: f64,
    /// The run's own CPU time: on a machine shared with other work the wall
    /// clock also counts the time the thread waited for a core.
    cpu: Option<f64>,
}

/// This thread's CPU time so far in seconds (Linux), if known.
fn thread_cpu_secs() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

impl Figures {
    /// ` (0.213 s of CPU = 730,000 packets/s)`, or nothing where the CPU time
    /// is unknown.
    fn cpu_note(&self) -> String {
        match self.cpu {
            Some(c) if c > 0.0 => format!(
                " ({c:.3} s of CPU = {:.0} packets/s)",
                self.delivered as f64 / c
            ),
            _ => String::new(),
        }
    }
}

fn timed(mut w: World, until: Instant) -> Figures {
    let cpu0 = thread_cpu_secs();
    let t = WallClock::now();
    w.run_until(until);
    let secs = t.elapsed().as_secs_f64();
    let cpu = thread_cpu_secs().zip(cpu0).map(|(b, a)| b - a);
    let s = w.stats();
    let f = Figures {
        delivered: s.packets_delivered,
        events: s.events,
        entries: w.trace().len(),
        secs,
        cpu,
    };
    // Dropping a full trace is not part of the run.
    drop(w);
    f
}

/// The process's peak resident memory in MB (Linux), if known.
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Runs the benchmark; returns the exit code.
pub fn run(args: BenchSimArgs) -> i32 {
    if args.scrub_world {
        print!("{}", scrub_world_source(SCRUB_SENSORS, SCRUB_SECONDS));
        return 0;
    }
    if !args.scale_only {
        let until = Instant::from_secs(120);
        let off = timed(speed_world(50, TraceMode::Off), until);
        println!(
            "speed: 50 clients, QoS 1 fan-out, 120 s simulated, no trace: {} packets delivered, {} events in {:.3} s (wall clock, one thread) = {:.0} packets/s, {:.0} events/s, {:.0}x real time{}",
            off.delivered,
            off.events,
            off.secs,
            off.delivered as f64 / off.secs,
            off.events as f64 / off.secs,
            120.0 / off.secs,
            off.cpu_note()
        );
        let full = timed(speed_world(50, TraceMode::Full), until);
        println!(
            "speed with the full trace: {} entries kept in {:.3} s = {:.0} packets/s{}; the trace costs {:+.0} %",
            full.entries,
            full.secs,
            full.delivered as f64 / full.secs,
            full.cpu_note(),
            match (full.cpu, off.cpu) {
                (Some(f), Some(o)) if o > 0.0 => (f / o - 1.0) * 100.0,
                _ => (full.secs / off.secs - 1.0) * 100.0,
            }
        );
    }
    if args.speed_only {
        return 0;
    }
    let mode = TraceMode::from(args.scale_trace);
    let s = timed(
        scale_world(args.sensors, mode),
        Instant::from_secs(args.seconds),
    );
    println!(
        "scale: {} sensors every 10 s for {} s simulated, trace {:?}: {} packets delivered, {} events, {} trace entries in {:.2} s (wall clock, one thread; {:.0} packets/s, {:.0}x real time){}",
        args.sensors,
        args.seconds,
        args.scale_trace,
        s.delivered,
        s.events,
        s.entries,
        s.secs,
        s.delivered as f64 / s.secs,
        args.seconds as f64 / s.secs,
        s.cpu_note()
    );
    if let Some(mb) = peak_rss_mb() {
        println!("peak resident memory: {mb:.0} MB");
    }
    0
}
