//! `mqttlab swarm --seeds N [--start S]`: random worlds and fault schedules, one per
//! seed, with invariants checked after every step. Every seed runs (up to
//! `--max-failures` failing ones); each failure prints the seed's plan and the
//! command that replays it, and the last lines list every failing seed.

use std::time::Instant as WallClock;

use clap::Args;
use mqttlab_core::sim::swarm::{run_seed, SwarmOutcome, SwarmPlan};
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
    /// Stop after this many failing seeds (each prints its plan).
    #[arg(long, default_value_t = 20)]
    pub max_failures: usize,
}

/// Why a seed failed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Failure {
    /// An invariant did not hold.
    Violated(String),
    /// The second run's trace hash differed from the first's (`--twice`).
    Differs(u64, u64),
}

/// One seed's run: the outcome, and whether it failed.
struct SeedRun {
    outcome: SwarmOutcome,
    failure: Option<Failure>,
}

/// Runs `seed` (twice with `twice`, comparing hashes).
fn run_one(seed: u64, twice: bool) -> SeedRun {
    let outcome = run_seed(seed);
    let failure = match &outcome.violation {
        Some(v) => Some(Failure::Violated(v.clone())),
        None if twice => {
            let again = run_seed(seed).hash;
            (again != outcome.hash).then_some(Failure::Differs(outcome.hash, again))
        }
        None => None,
    };
    SeedRun { outcome, failure }
}

/// What a run of seeds came to.
#[derive(Debug, Default, PartialEq, Eq)]
struct Tally {
    /// Seeds run.
    ran: u64,
    /// Events processed.
    events: u64,
    /// Delivery guarantees checked.
    guarantees: u64,
    /// The failing seeds, in order.
    failed: Vec<u64>,
}

/// Runs every seed of `seeds` with `one`, printing each failure as it comes
/// (`report`), until the seeds or `max_failures` failures run out.
fn run_seeds(
    seeds: std::ops::Range<u64>,
    max_failures: usize,
    mut one: impl FnMut(u64) -> SeedRun,
    mut report: impl FnMut(u64, &Failure),
    mut progress: impl FnMut(u64),
) -> Tally {
    let mut tally = Tally::default();
    for seed in seeds {
        let run = one(seed);
        tally.ran += 1;
        tally.events += run.outcome.events;
        tally.guarantees += run.outcome.guarantees;
        if let Some(f) = &run.failure {
            report(seed, f);
            tally.failed.push(seed);
            if tally.failed.len() >= max_failures {
                break;
            }
        }
        progress(tally.ran);
    }
    tally
}

/// Runs the swarm; returns the exit code (0 no violation, 1 otherwise).
pub fn run(args: SwarmArgs) -> i32 {
    let started = WallClock::now();
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
    let single = args.seeds == 1;
    let tally = run_seeds(
        args.start..end,
        args.max_failures.max(1),
        |seed| {
            if args.verbose || single {
                print!("{}", SwarmPlan::new(seed).describe());
            }
            let run = run_one(seed, args.twice);
            if single && run.failure.is_none() {
                println!(
                    "seed {seed}: ok, trace hash {:016x}, {} events",
                    run.outcome.hash, run.outcome.events
                );
            }
            run
        },
        |seed, failure| {
            match failure {
                Failure::Violated(v) => println!("seed {seed}: invariant violated {v}"),
                Failure::Differs(a, b) => {
                    println!("seed {seed}: two runs differ (trace hash {a:016x} then {b:016x})")
                }
            }
            if !(args.verbose || single) {
                print!("{}", SwarmPlan::new(seed).describe());
            }
            let twice = if matches!(failure, Failure::Differs(..)) {
                " --twice"
            } else {
                ""
            };
            println!("reproduce with: mqttlab swarm --start {seed} --seeds 1{twice}");
        },
        |done| {
            if done.is_multiple_of(1000) && done < args.seeds {
                eprintln!("... {done} seeds, {:.1} s", started.elapsed().as_secs_f64());
            }
        },
    );
    let secs = started.elapsed().as_secs_f64();
    let (events, guarantees) = (tally.events, tally.guarantees);
    if !tally.failed.is_empty() {
        let list: Vec<String> = tally.failed.iter().map(u64::to_string).collect();
        let stopped = if tally.ran < args.seeds {
            format!(
                ", stopped after {} failures (--max-failures); {} seeds not run",
                tally.failed.len(),
                args.seeds - tally.ran
            )
        } else {
            String::new()
        };
        println!(
            "{} of {} seeds run ({}..{}) failed{stopped}: {}",
            tally.failed.len(),
            tally.ran,
            args.start,
            end.saturating_sub(1),
            list.join(" ")
        );
        return 1;
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn fake(seed: u64, failing: &[u64]) -> SeedRun {
        SeedRun {
            outcome: SwarmOutcome {
                seed,
                hash: seed,
                events: 10,
                guarantees: 1,
                violation: None,
            },
            failure: failing
                .contains(&seed)
                .then(|| Failure::Violated(format!("broken at {seed}"))),
        }
    }

    #[test]
    fn every_seed_runs_and_every_failing_one_is_reported() {
        let mut reported = Vec::new();
        let tally = run_seeds(
            0..10,
            20,
            |s| fake(s, &[3, 7]),
            |s, f| reported.push((s, f.clone())),
            |_| {},
        );
        assert_eq!(tally.ran, 10);
        assert_eq!(tally.events, 100);
        assert_eq!(tally.failed, [3, 7]);
        assert_eq!(
            reported,
            [
                (3, Failure::Violated("broken at 3".into())),
                (7, Failure::Violated("broken at 7".into()))
            ]
        );
    }

    #[test]
    fn the_run_stops_at_the_bound_of_failures() {
        let tally = run_seeds(5..100, 2, |s| fake(s, &[6, 8, 9]), |_, _| {}, |_| {});
        assert_eq!(tally.failed, [6, 8]);
        assert_eq!(tally.ran, 4);
    }
}
