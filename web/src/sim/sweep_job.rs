//! A sweep running in the worker: core's [`SweepRun`], one run per slice, so
//! that progress reaches the page and a cancel lands between runs.

use mqttlab_core::sim::sweep::{Sweep, SweepRun};

use super::protocol::Reply;

/// The sweep in progress.
pub struct SweepJob {
    id: u64,
    run: SweepRun,
}

impl SweepJob {
    /// Reads the scenario; a scenario with errors is a [`Reply::SweepFailed`].
    pub fn start(id: u64, source: &str, first_seed: u64, seeds: u64) -> Result<SweepJob, Reply> {
        Sweep::new(source)
            .and_then(|s| SweepRun::new(s, first_seed, seeds))
            .map(|run| SweepJob { id, run })
            .map_err(|e| Reply::SweepFailed {
                id,
                error: e.to_string(),
            })
    }

    /// Runs one cell with one seed; returns the reply and whether the sweep
    /// is over.
    pub fn step(&mut self) -> (Reply, bool) {
        match self.run.step() {
            Ok(true) => (self.finish(false), true),
            Ok(false) => (
                Reply::SweepProgress {
                    id: self.id,
                    done: self.run.done(),
                    total: self.run.total(),
                },
                false,
            ),
            Err(e) => (
                Reply::SweepFailed {
                    id: self.id,
                    error: e.to_string(),
                },
                true,
            ),
        }
    }

    /// The table as it stands.
    pub fn finish(&self, cancelled: bool) -> Reply {
        Reply::SweepDone {
            id: self.id,
            cancelled,
            result: Box::new(self.run.result()),
        }
    }
}
