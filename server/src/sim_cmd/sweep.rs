//! `mqttlab sweep FILE [--seeds N] [--start S] [--csv]`: a scenario over every
//! combination of its `param` values times N seeds, and the table of what was
//! delivered, duplicated and lost per combination (`core/src/sim/sweep/`, the
//! same code the page's sweep runs in its worker).

use std::time::Instant as WallClock;

use clap::Args;
use mqttlab_core::sim::sweep::{bundled, Sweep, SweepRun};

/// Flags of `mqttlab sweep`.
#[derive(Args, Debug)]
pub struct SweepArgs {
    /// A scenario file with `param` lines, or a bundled sweep's name
    /// (`qos-under-loss`).
    pub file: String,
    /// Seeds per combination.
    #[arg(long, default_value_t = 20)]
    pub seeds: u64,
    /// The first seed.
    #[arg(long, default_value_t = 1)]
    pub start: u64,
    /// Print the table as CSV.
    #[arg(long)]
    pub csv: bool,
}

/// Runs the sweep; returns the exit code (0 done, 2 the scenario has errors).
pub fn run(args: SweepArgs) -> i32 {
    let source = match std::fs::read_to_string(&args.file) {
        Ok(s) => s,
        Err(e) => match bundled::find(&args.file) {
            Some(b) => b.source.to_owned(),
            None => {
                eprintln!(
                    "mqttlab sweep: cannot read '{}': {e} (and no bundled sweep has that name: {})",
                    args.file,
                    bundled::SWEEPS
                        .iter()
                        .map(|b| b.name.trim_end_matches(".mqtt"))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                return 2;
            }
        },
    };
    let started = WallClock::now();
    let mut r = match Sweep::new(&source).and_then(|s| SweepRun::new(s, args.start, args.seeds)) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{}: {e}", args.file);
            return 2;
        }
    };
    loop {
        match r.step() {
            Ok(true) => break,
            Ok(false) => {}
            Err(e) => {
                eprintln!("{}: {e}", args.file);
                return 2;
            }
        }
    }
    let result = r.result();
    if args.csv {
        print!("{}", result.to_csv());
    } else {
        print!("{}", result.to_text());
        println!(
            "{} combinations x {} seeds ({}..{}) in {:.2} s",
            result.cells.len(),
            args.seeds,
            args.start,
            args.start + args.seeds - 1,
            started.elapsed().as_secs_f64()
        );
    }
    0
}
