//! A sweep: one scenario run over every combination of its variables' values
//! (`param qos 0 1 2`, `param loss 0% 5% 10% 20%`) times N seeds, and per
//! combination (a cell) what arrived: messages sent, delivered, duplicated,
//! lost, packets per delivered message, delivery latency percentiles
//! ([`measure`] says how each is counted; messages published in the last
//! [`SETTLE`] of a run are not counted, they may still be on their way).
//!
//! One implementation for every front end: `mqttlab sweep` runs a
//! [`SweepRun`] to the end; the page's worker calls [`SweepRun::step`] one run
//! at a time, so that progress shows and a cancel lands between runs. Both print
//! the same [`SweepResult::to_csv`].
//!
//! ```
//! use mqttlab_core::sim::sweep::{Sweep, SweepRun};
//! let src = "param qos 0 1\nbroker b\nsensor s -> b topic t every 1s model count(1,1) qos $qos\n\
//!            client c -> b\nat 0s c: mosquitto_sub -h b -t t -q 2\nrun 5s\n";
//! let mut run = SweepRun::new(Sweep::new(src).unwrap(), 1, 2).unwrap();
//! while !run.step().unwrap() {}
//! let result = run.result();
//! assert_eq!(result.cells.len(), 2);
//! assert_eq!(result.cells[1].lost, 0);
//! ```

pub mod bundled;
pub mod measure;
pub mod table;

use core::fmt;

use super::scenario::params::Param;
use super::scenario::{parse, parse_with, ScenarioErrors, MAX_EVENTS};
use super::trace::TraceMode;

pub use measure::{measure, RunStats, SETTLE};

/// The most runs one sweep makes (cells times seeds).
pub const MAX_RUNS: u64 = 10_000;

/// Why a sweep cannot run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SweepError {
    /// The scenario has errors (with its variables at their first values).
    Scenario(ScenarioErrors),
    /// With these values the scenario has errors (`param qos 0 1 3`: QoS 3).
    Cell {
        /// The values, `qos=3 loss=5%`.
        cell: String,
        /// What is wrong.
        errors: ScenarioErrors,
    },
    /// More runs than [`MAX_RUNS`].
    TooManyRuns {
        /// Cells times seeds.
        runs: u64,
    },
    /// No seeds asked for.
    NoSeeds,
}

impl fmt::Display for SweepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SweepError::Scenario(e) => write!(f, "{e}"),
            SweepError::Cell { cell, errors } => write!(f, "with {cell}: {errors}"),
            SweepError::TooManyRuns { runs } => write!(
                f,
                "{runs} runs is more than a sweep makes ({MAX_RUNS}): fewer values or seeds"
            ),
            SweepError::NoSeeds => f.write_str("a sweep needs at least one seed"),
        }
    }
}

impl std::error::Error for SweepError {}

/// A scenario and the grid of its variables' values.
#[derive(Debug, Clone, PartialEq)]
pub struct Sweep {
    source: String,
    params: Vec<Param>,
    cells: Vec<Vec<(String, String)>>,
}

impl Sweep {
    /// Reads the scenario and its `param` lines; the first variable varies
    /// slowest.
    pub fn new(source: &str) -> Result<Sweep, SweepError> {
        let sc = parse(source).map_err(SweepError::Scenario)?;
        let mut cells: Vec<Vec<(String, String)>> = vec![Vec::new()];
        for p in &sc.params {
            cells = cells
                .into_iter()
                .flat_map(|c| {
                    p.values.iter().map(move |v| {
                        let mut c = c.clone();
                        c.push((p.name.clone(), v.clone()));
                        c
                    })
                })
                .collect();
        }
        Ok(Sweep {
            source: source.to_owned(),
            params: sc.params,
            cells,
        })
    }

    /// The variables, in file order.
    pub fn params(&self) -> &[Param] {
        &self.params
    }

    /// Every combination of values, in the order they run.
    pub fn cells(&self) -> &[Vec<(String, String)>] {
        &self.cells
    }

    /// Runs one cell with one seed and measures it.
    pub fn run_cell(&self, cell: usize, seed: u64) -> Result<RunStats, SweepError> {
        let binding = &self.cells[cell];
        let sc = parse_with(&self.source, binding).map_err(|errors| SweepError::Cell {
            cell: cell_label(binding),
            errors,
        })?;
        let mut world = sc
            .build(seed, TraceMode::Full)
            .map_err(|e| SweepError::Cell {
                cell: cell_label(binding),
                errors: ScenarioErrors(vec![e]),
            })?;
        let end = sc.end_time();
        world.run_until_limited(end, MAX_EVENTS);
        let count_until = end
            .as_micros()
            .saturating_sub(measure::SETTLE.as_micros() as u64);
        Ok(measure(world.trace().entries(), count_until))
    }
}

/// `qos=1 loss=5%`.
pub fn cell_label(binding: &[(String, String)]) -> String {
    binding
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// One cell's figures over all its seeds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CellResult {
    /// The variables' values.
    pub values: Vec<(String, String)>,
    /// Runs (seeds) done.
    pub runs: u64,
    /// Messages published, over all runs.
    pub sent: u64,
    /// (message, receiver) pairs delivered.
    pub delivered: u64,
    /// Extra deliveries.
    pub duplicated: u64,
    /// Expected pairs never delivered.
    pub lost: u64,
    /// PUBLISH/PUBACK/PUBREC/PUBREL/PUBCOMP sent, whole runs.
    pub flow_packets: u64,
    /// Pairs delivered, whole runs (the packets' denominator).
    pub flow_delivered: u64,
    /// TCP retransmissions.
    pub retransmissions: u64,
    /// Every delivery's latency, µs, sorted.
    pub latencies_us: Vec<u64>,
}

impl CellResult {
    fn add(&mut self, s: RunStats) {
        self.runs += 1;
        self.sent += s.sent;
        self.delivered += s.delivered;
        self.duplicated += s.duplicated;
        self.lost += s.lost;
        self.flow_packets += s.flow_packets;
        self.flow_delivered += s.flow_delivered;
        self.retransmissions += s.retransmissions;
        self.latencies_us.extend(s.latencies_us);
    }

    /// Packets of the publish flow per delivered message, over whole runs
    /// (`None` when nothing was delivered).
    pub fn packets_per_delivered(&self) -> Option<f64> {
        (self.flow_delivered > 0).then(|| self.flow_packets as f64 / self.flow_delivered as f64)
    }

    /// The latency at quantile `q` (0 < q ≤ 1) by nearest rank, µs.
    pub fn latency_us(&self, q: f64) -> Option<u64> {
        let n = self.latencies_us.len();
        if n == 0 {
            return None;
        }
        let rank = (q * n as f64).ceil() as usize;
        Some(self.latencies_us[rank.clamp(1, n) - 1])
    }

    /// Percent of the expected deliveries lost.
    pub fn lost_percent(&self) -> f64 {
        let expected = self.delivered + self.lost;
        if expected == 0 {
            0.0
        } else {
            self.lost as f64 * 100.0 / expected as f64
        }
    }
}

/// A finished (or cancelled) sweep's table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SweepResult {
    /// The variables' names, in file order.
    pub params: Vec<String>,
    /// The seeds, `first..first + count`.
    pub first_seed: u64,
    /// How many seeds per cell.
    pub seeds: u64,
    /// One row per cell, in grid order.
    pub cells: Vec<CellResult>,
}

/// A sweep in progress: one run per [`SweepRun::step`].
#[derive(Debug, Clone)]
pub struct SweepRun {
    sweep: Sweep,
    first_seed: u64,
    seeds: u64,
    next: u64,
    cells: Vec<CellResult>,
}

impl SweepRun {
    /// A sweep over seeds `first_seed..first_seed + seeds`.
    pub fn new(sweep: Sweep, first_seed: u64, seeds: u64) -> Result<SweepRun, SweepError> {
        if seeds == 0 {
            return Err(SweepError::NoSeeds);
        }
        let runs = (sweep.cells.len() as u64).saturating_mul(seeds);
        if runs > MAX_RUNS {
            return Err(SweepError::TooManyRuns { runs });
        }
        let cells = sweep
            .cells
            .iter()
            .map(|c| CellResult {
                values: c.clone(),
                ..CellResult::default()
            })
            .collect();
        Ok(SweepRun {
            sweep,
            first_seed,
            seeds,
            next: 0,
            cells,
        })
    }

    /// Runs in all.
    pub fn total(&self) -> u64 {
        self.sweep.cells.len() as u64 * self.seeds
    }

    /// Runs done.
    pub fn done(&self) -> u64 {
        self.next
    }

    /// Runs the next cell and seed; `Ok(true)` once every run is done.
    pub fn step(&mut self) -> Result<bool, SweepError> {
        if self.next >= self.total() {
            return Ok(true);
        }
        let cell = (self.next / self.seeds) as usize;
        let seed = self.first_seed + self.next % self.seeds;
        let stats = self.sweep.run_cell(cell, seed)?;
        self.cells[cell].add(stats);
        self.next += 1;
        if self.next.is_multiple_of(self.seeds) {
            self.cells[cell].latencies_us.sort_unstable();
        }
        Ok(self.next >= self.total())
    }

    /// The table so far (cells not yet run have no runs).
    pub fn result(&self) -> SweepResult {
        let mut cells = self.cells.clone();
        for c in &mut cells {
            c.latencies_us.sort_unstable();
        }
        SweepResult {
            params: self.sweep.params.iter().map(|p| p.name.clone()).collect(),
            first_seed: self.first_seed,
            seeds: self.seeds,
            cells,
        }
    }
}

/// Runs a whole sweep.
pub fn run(source: &str, first_seed: u64, seeds: u64) -> Result<SweepResult, SweepError> {
    let mut r = SweepRun::new(Sweep::new(source)?, first_seed, seeds)?;
    while !r.step()? {}
    Ok(r.result())
}

#[cfg(test)]
mod tests;
