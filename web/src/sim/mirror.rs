//! What the page knows of the world: the updates from the worker, applied.

use std::collections::BTreeMap;
use std::rc::Rc;

use crate::components::broker_log::{LogLine, MAX_SHOWN};
use crate::components::sequence_diagram::Rows;
use crate::components::terminal::MAX_LINES;

use super::protocol::{
    BrokerView, ChartData, ExpectView, FaultView, ForkView, Lines, MarkView, Moment, NodeCard,
    NodeRole, Reply, Update,
};

/// The page's copy of a world's views.
#[derive(Debug, Default)]
pub struct Mirror {
    /// Which world this mirrors.
    pub epoch: u64,
    /// The first update has come.
    pub loaded: bool,
    /// The world could not be built: why.
    pub error: Option<String>,
    /// Virtual time, in microseconds.
    pub now_us: u64,
    /// The seed.
    pub seed: u64,
    /// A run is going on in the worker.
    pub busy: bool,
    /// A request that moves time was sent and its run has not finished.
    pub awaiting: bool,
    /// Lifelines.
    pub lanes: Rc<Vec<String>>,
    /// The diagram rows the page shows (a window of them, once the diagram
    /// said which: the rows stay in the worker).
    pub rows: Rows,
    /// Diagram rows in all.
    pub rows_total: usize,
    /// Rows that pass the diagram's filter.
    pub rows_shown: usize,
    /// Each held row's index among all rows (empty: the same as its position).
    index: Vec<u32>,
    bytes: Vec<Option<Rc<Vec<u8>>>>,
    v5: Vec<bool>,
    /// The zoomed-out diagram, when asked for.
    pub buckets: Option<Rc<Vec<super::protocol::BucketRow>>>,
    /// The last broker log lines (the whole log is in the JSON export).
    pub log: Vec<LogLine>,
    /// The number of the first of them (lines dropped before it).
    log_first: usize,
    /// The terminals: of every client a student types into, and of any node
    /// that printed something (its last lines).
    pub terminals: BTreeMap<String, Vec<String>>,
    /// The number of each terminal's first line kept.
    terminal_first: BTreeMap<String, usize>,
    /// The nodes.
    pub nodes: Rc<Vec<NodeCard>>,
    /// The brokers' state.
    pub brokers: Rc<Vec<BrokerView>>,
    /// The scenario's expectations.
    pub expects: Vec<ExpectView>,
    /// The scenario's run time has passed.
    pub ended: bool,
    /// Lab steps done.
    pub lab_done: usize,
    /// Fault rules in force.
    pub faults: Vec<FaultView>,
    /// Why the last fault rule typed was refused.
    pub fault_error: Option<crate::labs::Bilingual>,
    /// The specification checker's findings and coverage, as of the last stop.
    pub checks: Option<crate::components::findings::SharedChecks>,
    /// The last chart data asked for (`Request::Charts`).
    pub charts: Option<Rc<ChartData>>,
    /// The timeline's marks so far.
    pub marks: Rc<Vec<MarkView>>,
    /// The timeline is scrubbed: the world as it was then (`None`: live).
    pub moment: Option<Rc<Moment>>,
    /// The last moment the worker sent, shown or not: the next one comes as a
    /// change of it.
    held_moment: Option<Rc<Moment>>,
    /// The student is scrubbing (a moment that arrives after "back to now" is
    /// not shown).
    pub scrubbing: bool,
    /// A scrub asked for and not answered yet: where to, and when it was asked
    /// (ms, the page's clock).
    pub scrub_asked: Option<(u64, f64)>,
    /// A scrub to ask for once the one in flight is answered (a drag moves
    /// faster than answers come).
    pub scrub_next: Option<u64>,
    /// How long the last scrub took, from asking to the answer, ms.
    pub scrub_ms: Option<f64>,
    /// The last fork, or why it could not be made.
    pub fork: Option<Rc<Result<ForkView, String>>>,
    /// A fork was asked for (its answer shows until closed).
    pub fork_asked: bool,
}

/// Keeps the last `max` items of `v`, in big steps so that trimming is rare.
/// Returns how many it dropped.
fn keep_last<T>(v: &mut Vec<T>, max: usize) -> usize {
    if v.len() > 2 * max {
        let n = v.len() - max;
        v.drain(..n);
        n
    } else {
        0
    }
}

/// The last `max` of `lines`, whose first is line number `first`.
fn last_lines<T: Clone>(lines: &[T], first: usize, max: usize) -> Lines<T> {
    let skip = lines.len().saturating_sub(max);
    Lines {
        first: first + skip,
        lines: Rc::new(lines[skip..].to_vec()),
    }
}

impl Mirror {
    /// An empty mirror of world `epoch`, waiting for its first update.
    pub fn new(epoch: u64) -> Mirror {
        Mirror {
            epoch,
            awaiting: true,
            ..Mirror::default()
        }
    }

    /// The packet bytes of the row shown at `row` (if it is held).
    pub fn row_bytes(&self, row: usize) -> Option<Rc<Vec<u8>>> {
        let k = row.checked_sub(self.rows.first())?;
        self.bytes.get(k).cloned().flatten()
    }

    /// Whether the packet of the row shown at `row` is MQTT 5.0's.
    pub fn row_v5(&self, row: usize) -> bool {
        row.checked_sub(self.rows.first())
            .and_then(|k| self.v5.get(k).copied())
            .unwrap_or(false)
    }

    /// The index among all rows of the row shown at `row` (if it is held).
    pub fn row_index(&self, row: usize) -> Option<usize> {
        let k = row.checked_sub(self.rows.first())?;
        if self.index.is_empty() {
            return (k < self.bytes.len()).then_some(row);
        }
        self.index.get(k).map(|&i| i as usize)
    }

    /// Where the row of index `i` among all rows is shown: its position among
    /// the rows that pass the diagram's filter, if the page holds it. Without a
    /// filter a row is shown at its own index. A finding names its packets by
    /// their index among all rows; the diagram selects by position.
    pub fn shown_row(&self, i: usize) -> Option<usize> {
        if self.rows_shown == self.rows_total {
            return Some(i);
        }
        let k = self.index.binary_search(&u32::try_from(i).ok()?).ok()?;
        Some(self.rows.first() + k)
    }

    /// Whether a command typed into `node`'s terminal is still running there (its
    /// terminal shows no prompt until it ends), in the world shown.
    pub fn running(&self, node: &str) -> bool {
        self.shown_nodes().iter().any(|n| {
            n.name == node
                && matches!(
                    n.what,
                    Some(mqttlab_core::sim::node::AppSummary::Command(_))
                )
        })
    }

    /// The last `MAX_SHOWN` log lines.
    pub fn recent_log(&self) -> &[LogLine] {
        &self.log[self.log.len().saturating_sub(MAX_SHOWN)..]
    }

    /// The moment the page holds (the last one the worker sent), which the
    /// next scrub names.
    pub fn held_moment(&self) -> Option<u64> {
        self.held_moment.as_ref().map(|m| m.seq)
    }

    // What the page shows: the scrubbed moment's world, else the live one.
    // Every panel (cards, diagram, topology, terminals wherever they are
    // docked, log) reads the world through these, so that all of it follows
    // the timeline.

    /// The node cards shown.
    pub fn shown_nodes(&self) -> Rc<Vec<NodeCard>> {
        self.moment
            .as_ref()
            .map_or_else(|| self.nodes.clone(), |m| m.nodes.clone())
    }

    /// How many diagram rows are shown (of those that pass the diagram's
    /// filter).
    pub fn shown_rows(&self) -> usize {
        self.moment
            .as_ref()
            .map_or(self.rows_shown, |m| m.shown.min(self.rows_shown))
    }

    /// The time shown, µs.
    pub fn shown_time_us(&self) -> u64 {
        self.moment.as_ref().map_or(self.now_us, |m| m.at_us)
    }

    /// The log lines shown.
    pub fn shown_log(&self) -> Lines<LogLine> {
        match &self.moment {
            Some(m) => m.log.clone(),
            None => last_lines(&self.log, self.log_first, MAX_SHOWN),
        }
    }

    /// The lines `node`'s terminal shows.
    pub fn shown_terminal(&self, node: &str) -> Lines<String> {
        match &self.moment {
            Some(m) => m.terminal(node),
            None => self.terminals.get(node).map_or_else(Lines::default, |l| {
                let first = self.terminal_first.get(node).copied().unwrap_or(0);
                last_lines(l, first, MAX_LINES)
            }),
        }
    }

    /// The fault rules shown.
    pub fn shown_faults(&self) -> Rc<Vec<FaultView>> {
        self.moment
            .as_ref()
            .map_or_else(|| Rc::new(self.faults.clone()), |m| m.faults.clone())
    }

    /// The brokers' state shown.
    pub fn shown_brokers(&self) -> Rc<Vec<BrokerView>> {
        self.moment
            .as_ref()
            .map_or_else(|| self.brokers.clone(), |m| m.brokers.clone())
    }

    /// Applies a reply. Returns whether it was about this world.
    pub fn apply(&mut self, reply: Reply) -> bool {
        match reply {
            Reply::Update(u) if u.epoch == self.epoch => {
                self.apply_update(*u);
                true
            }
            Reply::Moment(m) if m.epoch == self.epoch => {
                let m = Rc::new(m.apply(self.held_moment.as_deref()));
                self.held_moment = Some(m.clone());
                if self.scrubbing {
                    self.moment = Some(m);
                }
                true
            }
            Reply::Forked(f) if f.as_ref().as_ref().map_or(true, |v| v.epoch == self.epoch) => {
                self.fork = Some(Rc::new(*f));
                true
            }
            Reply::Charts { epoch, charts } if epoch == self.epoch => {
                self.charts = Some(Rc::new(*charts));
                true
            }
            Reply::Failed { epoch, error } if epoch == self.epoch => {
                self.error = Some(error);
                self.loaded = true;
                self.awaiting = false;
                true
            }
            _ => false,
        }
    }

    fn apply_update(&mut self, u: Update) {
        self.loaded = true;
        self.now_us = u.now_us;
        self.seed = u.seed;
        self.busy = u.busy;
        if !u.busy {
            self.awaiting = false;
        }
        self.ended = u.ended;
        self.lab_done = u.lab_done;
        if let Some(lanes) = u.lanes {
            self.lanes = Rc::new(lanes);
        }
        self.rows_total = u.rows_total;
        self.rows_shown = u.rows_shown;
        if let Some(w) = u.rows {
            if !self.rows.put(w.first, w.rows) {
                self.bytes.clear();
                self.v5.clear();
                self.index.clear();
            }
            self.bytes
                .extend(w.bytes.into_iter().map(|b| b.map(Rc::new)));
            self.v5.extend(w.v5);
            self.index.extend(w.index);
        }
        if let Some(b) = u.buckets {
            self.buckets = Some(Rc::new(b));
        }
        self.log.extend(u.log);
        self.log_first += keep_last(&mut self.log, MAX_SHOWN);
        for (node, line) in u.terminal {
            let lines = self.terminals.entry(node.clone()).or_default();
            lines.push(line);
            let dropped = keep_last(lines, MAX_LINES);
            if dropped > 0 {
                *self.terminal_first.entry(node).or_default() += dropped;
            }
        }
        if let Some(nodes) = u.nodes {
            for n in &nodes {
                if matches!(
                    n.role,
                    NodeRole::Client {
                        interactive: true,
                        ..
                    }
                ) {
                    self.terminals.entry(n.name.clone()).or_default();
                }
            }
            self.nodes = Rc::new(nodes);
        }
        if let Some(brokers) = u.brokers {
            self.brokers = Rc::new(brokers);
        }
        if let Some(faults) = u.faults {
            self.faults = faults;
        }
        self.fault_error = u.fault_error;
        if let Some(c) = u.checks {
            self.checks = Some(crate::components::findings::SharedChecks(Rc::new(c)));
        }
        if let Some(expects) = u.expects {
            self.expects = expects;
        }
        if !u.marks.is_empty() {
            Rc::make_mut(&mut self.marks).extend(u.marks);
        }
    }
}
