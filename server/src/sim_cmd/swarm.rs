//! `mqttlab swarm --seeds N [--start S]`: random worlds and fault schedules, one per
//! seed, with invariants checked after every step; a failure prints the seed's plan
//! and the command that replays it.

use std::time::Instant as WallClock;

use clap::Args;
use mqttlab_core::sim::swarm::{run_seed, SwarmPlan};
use mqttlab_core::sim::TraceMode;

/// Flags of `mqttlab swarm`.
#[derive(Args, Debug)]
pub struct SwarmArgs {
    /// How many seeds to run.
    #[arg(long, default_value_t = 1000)]
    pub seeds: u64,
    /// The first seed.
    #[arg(long, default_value_t = 0)]
    pub start: u64,
    /// Run every seed twice and compare trace hashes (catches nondeterminism).
    #[arg(long)]
    pub twice: bool,
    /// Print every seed's plan (always printed when a single seed runs).
    #[arg(long)]
    pub verbose: bool,
    /// Write the first seed's whole trace as JSON to FILE (what the page
    /// exports; `mqttlab check FILE` reads it), then run the seeds as usual.
    #[arg(long, value_name = "FILE")]
    pub trace: Option<std::path::PathBuf>,
}

/// Runs the swarm; returns the exit code (0 no violation, 1 otherwise).
pub fn run(args: SwarmArgs) -> i32 {
    let started = WallClock::now();
    let mut events = 0u64;
    let mut guarantees = 0u64;
    let end = args.start.saturating_add(args.seeds);
    if let Some(path) = &args.trace {
        let plan = SwarmPlan::new(args.start);
        let mut w = match plan.build(TraceMode::Full) {
            Ok(w) => w,
            Err(e) => {
                eprintln!("seed {}: the plan cannot be built: {e}", args.start);
                return 2;
            }
        };
        w.run_until(plan.end);
        if let Err(e) = std::fs::write(path, w.trace().to_json()) {
            eprintln!("cannot write {}: {e}", path.display());
            return 2;
        }
    }
    for seed in args.start..end {
        if args.verbose || args.seeds == 1 {
            print!("{}", SwarmPlan::new(seed).describe());
        }
        let out = run_seed(seed);
        events += out.events;
        guarantees += out.guarantees;
        if let Some(v) = &out.violation {
            println!("seed {seed}: invariant violated {v}");
            if !(args.verbose || args.seeds == 1) {
                print!("{}", SwarmPlan::new(seed).describe());
            }
            println!("reproduce with: mqttlab swarm --start {seed} --seeds 1");
            return 1;
        }
        if args.twice {
            let again = run_seed(seed);
            if again.hash != out.hash {
                println!(
                    "seed {seed}: two runs differ (trace hash {:016x} then {:016x})",
                    out.hash, again.hash
                );
                println!("reproduce with: mqttlab swarm --start {seed} --seeds 1 --twice");
                return 1;
            }
        }
        if args.seeds == 1 {
            println!(
                "seed {seed}: ok, trace hash {:016x}, {} events",
                out.hash, out.events
            );
        }
        let done = seed - args.start + 1;
        if done.is_multiple_of(1000) && done < args.seeds {
            eprintln!("... {done} seeds, {:.1} s", started.elapsed().as_secs_f64());
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{} seeds ({}..{}) passed{}: {events} events, {guarantees} QoS 1/2 delivery guarantees checked, in {secs:.2} s ({:.0} seeds/s)",
        args.seeds,
        args.start,
        end.saturating_sub(1),
        if args.twice {
            ", each run twice with equal hashes"
        } else {
            ""
        },
        args.seeds as f64 / secs.max(1e-9)
    );
    0
}
