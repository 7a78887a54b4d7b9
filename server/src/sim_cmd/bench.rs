//! `mqttlab bench-sim`: how fast the simulator runs, and how far it scales.
//!
//! - speed: 50 clients exchanging QoS 1 messages over links with latency and
//!   jitter, no trace kept; packets delivered per second of CPU;
//! - scale: 10,000 sensors publishing every 10 s for one simulated hour.

use std::time::Instant as WallClock;

use clap::Args;
use mqttlab_core::sim::bench::{scale_world, speed_world};
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
    /// Skip the scale run.
    #[arg(long)]
    pub speed_only: bool,
}

/// Runs the benchmark; returns the exit code.
pub fn run(args: BenchSimArgs) -> i32 {
    let mut w = speed_world(50);
    let t = WallClock::now();
    w.run_until(Instant::from_secs(120));
    let cpu = t.elapsed().as_secs_f64();
    let s = w.stats();
    println!(
        "speed: 50 clients, QoS 1 fan-out, 120 s simulated: {} packets delivered, {} events in {:.3} s (wall clock, one thread) = {:.0} packets/s, {:.0} events/s, {:.0}x real time",
        s.packets_delivered,
        s.events,
        cpu,
        s.packets_delivered as f64 / cpu,
        s.events as f64 / cpu,
        120.0 / cpu
    );
    if args.speed_only {
        return 0;
    }
    let mut w = scale_world(args.sensors);
    let t = WallClock::now();
    w.run_until(Instant::from_secs(args.seconds));
    let cpu = t.elapsed().as_secs_f64();
    let s = w.stats();
    println!(
        "scale: {} sensors every 10 s for {} s simulated: {} packets delivered, {} events in {:.2} s (wall clock, one thread; {:.0} packets/s, {:.0}x real time)",
        args.sensors,
        args.seconds,
        s.packets_delivered,
        s.events,
        cpu,
        s.packets_delivered as f64 / cpu,
        args.seconds as f64 / cpu
    );
    0
}
