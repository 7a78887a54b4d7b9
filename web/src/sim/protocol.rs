//! What the page and the simulation worker say to each other.
//!
//! The world lives in the worker; the page holds only what it draws. Every
//! message is plain data (serde, bincode on the wire): [`Request`]s go to the
//! worker, [`Reply`]s come back. An [`Update`] carries only what is new since the
//! last one (rows, log lines, terminal lines) plus the small panels whole when
//! they changed, so a frame costs what happened since the previous frame.

use mqttlab_core::sim::marks::MarkKind;
use mqttlab_core::sim::node::AppSummary;
use mqttlab_core::sim::series::Series;
use mqttlab_core::sim::sweep::SweepResult;
use mqttlab_core::tools::CtrlC;
use std::rc::Rc;

use serde::{Deserialize, Serialize};

use crate::components::broker_log::LogLine;
use crate::components::sequence_diagram::DiagramRow;
use crate::session::Control;

/// Which world to build.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum WorldSource {
    /// A scenario text (the workspace), with a seed or the file's own.
    Scenario {
        /// The scenario.
        source: String,
        /// The seed; `None` for the scenario's `seed` line, else 1.
        seed: Option<u64>,
    },
    /// A guided lab, by id, opened at step `open_at` (1-based): the steps before
    /// it are done first, as a shared link asks.
    Lab {
        /// The lab's id.
        id: String,
        /// The step to open at.
        open_at: usize,
    },
}

/// A link's settings as the world panel edits them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LinkSettings {
    /// One-way latency in milliseconds.
    pub latency_ms: u64,
    /// Loss per transmission, in percent.
    pub loss_pct: f64,
}

/// What the page asks of the worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Builds a new world, replacing the one there was. Updates about it carry
    /// `epoch`, so the page can ignore late news of the world it left.
    Load {
        /// Numbers this world.
        epoch: u64,
        /// What to build.
        world: WorldSource,
    },
    /// Runs virtual time forward by this many microseconds (the play loop, a
    /// lab's "run for 5 s"), in slices, with an update after each slice.
    Advance {
        /// How far.
        by_us: u64,
    },
    /// Runs to this virtual time (go to time), in slices.
    RunTo {
        /// Where.
        to_us: u64,
    },
    /// Stops a run in progress where it is (pause).
    Halt,
    /// Runs until the next diagram row.
    StepPacket,
    /// Something done to the world now: a command typed, a control pressed, a
    /// link changed, a fault rule armed or taken away, a client added. The
    /// worker records it as the run's input at the world's time. A fork's
    /// [`Change::Instead`] does nothing here.
    Change(Change),
    /// Asks for the trace as a file.
    Export {
        /// Which file.
        kind: ExportKind,
    },
    /// Asks for the chart data of the world as it is now.
    Charts,
    /// Runs a scenario over the grid of its `param` values times `seeds` seeds
    /// (from `first_seed`), one run per slice, with progress; replaces a sweep
    /// in progress. The world, if any, waits meanwhile.
    Sweep {
        /// Numbers this sweep (replies carry it).
        id: u64,
        /// The scenario, with `param` lines.
        source: String,
        /// The first seed.
        first_seed: u64,
        /// Seeds per combination.
        seeds: u64,
    },
    /// Stops the sweep in progress.
    CancelSweep,
    /// Shows the world as it was at this time (a scrub of the timeline): the
    /// worker rebuilds it from a checkpoint and answers with a [`Moment`]; the
    /// live world stays where it is.
    Scrub {
        /// When, in microseconds (at most the live world's time).
        to_us: u64,
        /// The moment the page holds ([`MomentUpdate::seq`]), if any: the
        /// answer then carries only what differs from it.
        #[serde(default)]
        have: Option<u64>,
    },
    /// Applies inputs recorded by an earlier run, each at its time (a shared
    /// fork link rebuilds the run it was forked from).
    Replay {
        /// `(time in µs, input)`, in order.
        inputs: Vec<(u64, Change)>,
    },
    /// Branches the run (see [`ForkSpec`]); the answer is [`Reply::Forked`].
    Fork(Box<ForkSpec>),
    /// Says which diagram rows the page shows (see [`RowView`]): updates then
    /// carry that window, not every row. Until a page says, every row is sent.
    View(RowView),
    /// Branches a lab's run where step `step` (from 0) had its action done,
    /// with the step's "what if" changes there instead
    /// ([`crate::labs::WhatIf`]); the answer is [`Reply::Forked`].
    LabFork {
        /// The step, from 0.
        step: usize,
    },
}

/// Something done to the world, as the page says it: what the page records of
/// a run, and what a fork changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Change {
    /// A command line typed into a client's terminal (`^C` too).
    Command {
        /// The client node.
        node: String,
        /// The line.
        line: String,
    },
    /// A control pressed on a node.
    Control {
        /// The node.
        node: String,
        /// Which.
        control: Control,
    },
    /// A client's link changed.
    SetLink {
        /// The client node.
        node: String,
        /// Its new settings.
        settings: LinkSettings,
    },
    /// A fault rule armed, in the scenario language's words.
    Fault {
        /// The rule.
        line: String,
    },
    /// The fault rules written this way taken away.
    RemoveFault {
        /// The rule as written.
        rule: String,
    },
    /// An idle client added on a broker.
    AddClient {
        /// The broker.
        broker: String,
    },
    /// What the world itself does at the fork's instant (a scenario's
    /// `at 35.6s kill alpine1`) does not happen: the change comes instead.
    Instead,
}

/// A fork: the run branched at `at_us`, `changes` applied there, and both the
/// original and the branch run to `until_us`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForkSpec {
    /// Where the branch parts, µs. Everything before it is the original's; the
    /// changes come at it, before the world's own events of that instant.
    pub at_us: u64,
    /// What is different.
    pub changes: Vec<Change>,
    /// How far both runs go, µs.
    pub until_us: u64,
}

/// One mark on the timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MarkView {
    /// When, µs.
    pub time_us: u64,
    /// What.
    pub kind: MarkKind,
}

/// Lines a scrubbed moment shows at most in the log and in each terminal: the
/// panels show a dozen at a time, and every line is a node for the page to
/// build at every moment (the live view keeps [`crate::components::broker_log::MAX_SHOWN`]).
pub const MOMENT_LINES: usize = 100;

/// The last lines of a panel at a moment: the run's lines `first..first +
/// lines.len()`, numbered from the first line the run printed (the page keys
/// them by that number, so that a line shown at two moments is built once).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lines<T> {
    /// The number of the first line.
    pub first: usize,
    /// The lines.
    pub lines: Rc<Vec<T>>,
}

impl<T> Default for Lines<T> {
    fn default() -> Self {
        Lines {
            first: 0,
            lines: Rc::new(Vec::new()),
        }
    }
}

/// A window `first..end` of a panel's lines, as a change of the window the
/// page holds: the lines it holds that are in the new window are kept, and
/// only the others are sent (`before` them and `after` them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinesUpdate<T> {
    /// The number of the window's first line.
    pub first: usize,
    /// One past the number of its last line.
    pub end: usize,
    /// The lines from `first` up to the first line kept.
    pub before: Vec<T>,
    /// The lines from after the last line kept up to `end`.
    pub after: Vec<T>,
}

impl<T: Clone> LinesUpdate<T> {
    /// The window `want` of `all`, as a change of `held` (the window the page
    /// holds, if any).
    pub fn between(
        held: Option<std::ops::Range<usize>>,
        want: std::ops::Range<usize>,
        all: &[T],
    ) -> Self {
        let kept = held
            .map(|h| h.start.max(want.start)..h.end.min(want.end))
            .filter(|k| k.start < k.end)
            .unwrap_or(want.end..want.end);
        LinesUpdate {
            first: want.start,
            end: want.end,
            before: all[want.start..kept.start].to_vec(),
            after: all[kept.end..want.end].to_vec(),
        }
    }

    /// The window it stands for, given the lines the page holds.
    pub fn apply(self, held: Option<&Lines<T>>) -> Lines<T> {
        let kept_from = self.first + self.before.len();
        let kept_to = self.end - self.after.len();
        let mut lines = self.before;
        if kept_from < kept_to {
            if let Some(h) = held {
                let from = kept_from.saturating_sub(h.first).min(h.lines.len());
                let to = kept_to.saturating_sub(h.first).min(h.lines.len());
                lines.extend_from_slice(&h.lines[from..to]);
            }
        }
        lines.extend(self.after);
        Lines {
            first: self.first,
            lines: Rc::new(lines),
        }
    }
}

/// The world as it was at an earlier time: what the page shows while the
/// timeline is scrubbed, put together from [`MomentUpdate`]s. Its panels are
/// shared (`Rc`), so that the page draws them without copying them at every
/// frame, and a panel that did not change from one moment to the next is the
/// same `Rc` (its component is not drawn again).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Moment {
    /// Which moment ([`MomentUpdate::seq`]).
    pub seq: u64,
    /// When, µs.
    pub at_us: u64,
    /// Diagram rows there were then (a prefix of the page's rows).
    pub rows: usize,
    /// Of them, rows that pass the page's filter.
    pub shown: usize,
    /// The broker log's last lines then.
    pub log: Lines<LogLine>,
    /// The last lines then of each terminal that had printed any.
    pub terminals: Vec<(String, Lines<String>)>,
    /// The node cards then.
    pub nodes: Rc<Vec<NodeCard>>,
    /// The brokers' state then.
    pub brokers: Rc<Vec<BrokerView>>,
    /// The expectations as they stood then.
    pub expects: Rc<Vec<ExpectView>>,
    /// The fault rules in force then.
    pub faults: Rc<Vec<FaultView>>,
    /// Events run from the checkpoint to rebuild it.
    pub replayed: u64,
}

impl Moment {
    /// The lines `node`'s terminal showed then (none if it had printed none).
    pub fn terminal(&self, node: &str) -> Lines<String> {
        self.terminals
            .iter()
            .find(|(n, _)| n == node)
            .map(|(_, l)| l.clone())
            .unwrap_or_default()
    }
}

/// A moment as the worker sends it: what differs from the moment the page
/// holds (the scrub's [`Request::Scrub::have`]), so that a moment costs the
/// message and the page what changed. `None` is "as in the moment held".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MomentUpdate {
    /// Which world.
    pub epoch: u64,
    /// Numbers this moment (the page names it in its next scrub).
    pub seq: u64,
    /// The moment this one is a change of (`None`: it is whole).
    pub base: Option<u64>,
    /// When, µs.
    pub at_us: u64,
    /// Diagram rows there were then.
    pub rows: usize,
    /// Of them, rows that pass the page's filter.
    #[serde(default)]
    pub shown: usize,
    /// The broker log's last lines then.
    pub log: Option<LinesUpdate<LogLine>>,
    /// The terminals' last lines then, of those that had printed any.
    pub terminals: Vec<(String, LinesUpdate<String>)>,
    /// The node cards then.
    pub nodes: Option<Rc<Vec<NodeCard>>>,
    /// The brokers' state then.
    pub brokers: Option<Rc<Vec<BrokerView>>>,
    /// The expectations as they stood then.
    pub expects: Option<Rc<Vec<ExpectView>>>,
    /// The fault rules in force then.
    pub faults: Option<Rc<Vec<FaultView>>>,
    /// Events run from the checkpoint to rebuild it.
    pub replayed: u64,
}

impl MomentUpdate {
    /// The moment it stands for, given the one the page holds (which must be
    /// its `base`, if it has one).
    pub fn apply(self, held: Option<&Moment>) -> Moment {
        // The worker sends a change only of the moment the page named, and the
        // page holds every moment it is sent: a base it does not hold cannot
        // come (what is not sent would read as empty).
        let held = held.filter(|h| Some(h.seq) == self.base);
        fn pick<T: Default>(new: Option<Rc<T>>, old: Option<&Rc<T>>) -> Rc<T> {
            new.or_else(|| old.cloned()).unwrap_or_default()
        }
        Moment {
            seq: self.seq,
            at_us: self.at_us,
            rows: self.rows,
            shown: self.shown,
            log: self.log.map_or_else(
                || held.map(|h| h.log.clone()).unwrap_or_default(),
                |u| u.apply(held.map(|h| &h.log)),
            ),
            terminals: self
                .terminals
                .into_iter()
                .map(|(node, u)| {
                    let old = held.and_then(|h| h.terminals.iter().find(|(n, _)| *n == node));
                    let lines = u.apply(old.map(|(_, l)| l));
                    (node, lines)
                })
                .collect(),
            nodes: pick(self.nodes, held.map(|h| &h.nodes)),
            brokers: pick(self.brokers, held.map(|h| &h.brokers)),
            expects: pick(self.expects, held.map(|h| &h.expects)),
            faults: pick(self.faults, held.map(|h| &h.faults)),
            replayed: self.replayed,
        }
    }
}

/// One side of a fork.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ForkSide {
    /// Lifelines.
    pub lanes: Vec<String>,
    /// Every diagram row.
    pub rows: Vec<DiagramRow>,
    /// The expectations (the scenario's, or the lab's checks) at the end.
    pub expects: Vec<ExpectView>,
    /// Wills published (`true`) or discarded after the fork, by client id.
    pub wills: Vec<(String, bool)>,
    /// The row where it parts from the other side (the first row made at or
    /// after the first differing trace entry), if they part.
    pub parts_at: Option<usize>,
}

/// Both runs of a fork.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForkView {
    /// Which world.
    pub epoch: u64,
    /// What was forked.
    pub spec: ForkSpec,
    /// The original run, then the branch.
    pub original: ForkSide,
    /// The branch.
    pub branch: ForkSide,
    /// When the two first differ, µs (`None`: they never do).
    pub parts_us: Option<u64>,
    /// The inputs of the original run, for a shared link.
    pub inputs: Vec<(u64, Change)>,
}

/// Files the worker makes from the trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExportKind {
    /// Every event as JSON.
    Json,
    /// The packets as a pcap Wireshark opens.
    Pcap,
    /// The whole sequence diagram as an SVG picture, its notes in Portuguese
    /// (`pt`) or English.
    Svg {
        /// Notes in Brazilian Portuguese.
        pt: bool,
    },
}

/// Which diagram rows pass: a node (the packet's sender or receiver, or the
/// lifeline a note stands on) and a topic filter (`casa/#`, matched against
/// the topic in a PUBLISH's label). Empty: any.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowFilter {
    /// A node's name.
    pub node: String,
    /// A topic filter, MQTT wildcards allowed.
    pub topic: String,
}

impl RowFilter {
    /// Whether it lets every row through.
    pub fn is_empty(&self) -> bool {
        self.node.is_empty() && self.topic.is_empty()
    }
}

/// The rows the page shows: a window of the rows that pass `filter`, or
/// (`zoom`) a zoomed-out summary of all of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowView {
    /// Which rows.
    pub filter: RowFilter,
    /// The first row of the window, counted among the rows that pass.
    pub first: usize,
    /// Rows in the window.
    pub count: usize,
    /// The window follows the newest rows (`first` is then ignored).
    pub follow: bool,
    /// Counts per time bucket and lane pair instead of rows.
    pub zoom: bool,
}

/// A window of diagram rows, with what the inspector needs of each.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RowWindow {
    /// The position of its first row among the rows shown (those that pass the
    /// filter). A window that starts where the page's ends extends it.
    pub first: usize,
    /// The rows. With a filter, an arrow's `sent.row` counts rows shown.
    pub rows: Vec<DiagramRow>,
    /// Each row's index among all rows (empty: no filter, `first + i`).
    #[serde(default)]
    pub index: Vec<u32>,
    /// The packet bytes of each row (`None` for notes and TCP events).
    pub bytes: Vec<Option<Vec<u8>>>,
    /// Whether each row's packet is MQTT 5.0's (dissected at level 5).
    pub v5: Vec<bool>,
}

/// One line of the zoomed-out diagram: the packets of one kind between two
/// lifelines in one stretch of time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BucketRow {
    /// Where the stretch starts, µs.
    pub from_us: u64,
    /// Where it ends, µs.
    pub to_us: u64,
    /// The sender's lifeline (`None`: clients, many of them).
    pub from: Option<usize>,
    /// The receiver's lifeline (`None`: clients, many of them).
    pub to: Option<usize>,
    /// The packet type (`PUBLISH`, `TCP FIN`; empty for notes).
    pub what: String,
    /// How many rows.
    pub count: u64,
    /// How many of them were lost.
    pub dropped: u64,
}

/// What the worker tells the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Reply {
    /// The world moved.
    Update(Box<Update>),
    /// A world could not be built.
    Failed {
        /// Which world.
        epoch: u64,
        /// Why, with line and column.
        error: String,
    },
    /// A sweep moved on: `done` of `total` runs.
    SweepProgress {
        /// Which sweep.
        id: u64,
        /// Runs done.
        done: u64,
        /// Runs in all.
        total: u64,
    },
    /// A sweep finished (or was cancelled: then cells not run have no runs).
    SweepDone {
        /// Which sweep.
        id: u64,
        /// Whether it was cancelled before the end.
        cancelled: bool,
        /// The table.
        result: Box<SweepResult>,
    },
    /// A sweep could not run (the scenario has errors with some values).
    SweepFailed {
        /// Which sweep.
        id: u64,
        /// Why.
        error: String,
    },
    /// The world's chart data, as asked.
    Charts {
        /// Of which world.
        epoch: u64,
        /// The series.
        charts: Box<ChartData>,
    },
    /// The world at an earlier time ([`Request::Scrub`]).
    Moment(Box<MomentUpdate>),
    /// A fork's two runs ([`Request::Fork`]), or why it could not be made.
    Forked(Box<Result<ForkView, String>>),
    /// An export is ready.
    Exported {
        /// Of which world.
        epoch: u64,
        /// Which file.
        kind: ExportKind,
        /// Its bytes.
        bytes: Vec<u8>,
    },
}

/// What the charts of a world draw, from core's [`mqttlab_core::sim::series`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChartData {
    /// Virtual time now, µs.
    pub now_us: u64,
    /// Numeric payloads per topic.
    pub values: Vec<Series>,
    /// Messages per second per topic.
    pub rates: Vec<Series>,
    /// The window of a rate, µs.
    pub rate_window_us: u64,
    /// Deliveries in flight per session.
    pub inflight: Vec<Series>,
    /// Messages queued per session.
    pub queued: Vec<Series>,
}

/// What changed in the world since the previous update.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Update {
    /// Which world.
    pub epoch: u64,
    /// Virtual time now, in microseconds.
    pub now_us: u64,
    /// The world's seed.
    pub seed: u64,
    /// Whether a run is still going (more updates will follow on their own).
    pub busy: bool,
    /// Lifeline names, when they changed (first update, a client added).
    pub lanes: Option<Vec<String>>,
    /// Diagram rows in all.
    pub rows_total: usize,
    /// Rows that pass the page's filter ([`RowView`]).
    pub rows_shown: usize,
    /// Rows: the new ones (the page has not said what it shows), or the
    /// window it shows when that changed.
    pub rows: Option<RowWindow>,
    /// The zoomed-out diagram, when the page asked for it and it changed.
    #[serde(default)]
    pub buckets: Option<Vec<BucketRow>>,
    /// New broker log lines.
    pub log: Vec<LogLine>,
    /// New terminal lines, `(node, line)`, in order.
    pub terminal: Vec<(String, String)>,
    /// The nodes, when anything about them changed.
    pub nodes: Option<Vec<NodeCard>>,
    /// The brokers' state, when it changed.
    pub brokers: Option<Vec<BrokerView>>,
    /// The scenario's expectations, when any changed.
    pub expects: Option<Vec<ExpectView>>,
    /// Whether the scenario's run time has passed (a failing expectation is
    /// final then).
    pub ended: bool,
    /// A lab: how many of its steps are done.
    pub lab_done: usize,
    /// The fault rules in force, when they changed.
    pub faults: Option<Vec<FaultView>>,
    /// Why the last fault rule typed was not armed (`None`: it was, or none was
    /// typed).
    pub fault_error: Option<crate::labs::Bilingual>,
    /// The specification checker's findings and coverage, when they changed
    /// (sent when a run stops, not after every slice).
    #[serde(default)]
    pub checks: Option<crate::components::findings::ChecksView>,
    /// New marks for the timeline.
    #[serde(default)]
    pub marks: Vec<MarkView>,
}

/// A fault rule in force, as the world panel lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultView {
    /// The rule as written (`drop next PUBACK to sensor1`).
    pub rule: String,
    /// How many more packets it acts on, if it is bounded.
    pub left: Option<u32>,
}

/// One node, as its card in the world panel shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeCard {
    /// Its name.
    pub name: String,
    /// What runs there (`mosquitto_sub -t x`, a sensor...), as data the page
    /// puts in words; `None` for a broker.
    pub what: Option<AppSummary>,
    /// What Ctrl-C would do to what runs there (`None`: nothing runs, or a
    /// broker).
    #[serde(default)]
    pub ctrl_c: Option<CtrlC>,
    /// Its address (`172.17.0.2`, or `ip:port` for a broker).
    pub address: String,
    /// Broker or client, with what a client's card shows.
    pub role: NodeRole,
}

/// A node's role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum NodeRole {
    /// A broker.
    Broker,
    /// A client.
    Client {
        /// The program or host is alive.
        alive: bool,
        /// It holds an MQTT connection.
        connected: bool,
        /// Its link's settings.
        link: LinkSettings,
        /// It runs a command line or nothing (a terminal to type into), not a
        /// modelled device.
        interactive: bool,
        /// Its broker's name (the other end of its link).
        #[serde(default)]
        broker: String,
        /// Its link's state, as the topology draws it.
        #[serde(default)]
        state: LinkState,
    },
}

/// A client's link as the topology draws it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkState {
    /// Carrying, without loss.
    #[default]
    Up,
    /// Carrying, losing some transmissions (TCP resends them).
    Lossy,
    /// No connection: the client is dead, not connected, or its Wi-Fi is down.
    Cut,
    /// The client vanished without a word; the broker still holds the connection.
    HalfOpen,
    /// A partition: nothing gets through either way.
    Partitioned,
}

/// What a broker holds, formatted for its panel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BrokerView {
    /// The broker's name.
    pub name: String,
    /// Its sessions (the first [`MAX_SESSIONS_SHOWN`]).
    pub sessions: Vec<SessionView>,
    /// Sessions not shown.
    pub more_sessions: usize,
    /// Retained messages, one line each.
    pub retained: Vec<String>,
    /// Wills it would publish, one line each.
    pub wills: Vec<String>,
    /// Messages it dropped for clients that could not keep up, in all.
    pub dropped: u64,
    /// MQTT 5.0 shared subscriptions and their members.
    #[serde(default)]
    pub shared: Vec<SharedGroupView>,
    /// Every topic it routed, as the topic tree's rows (the first
    /// [`MAX_TOPIC_ROWS_SENT`]).
    #[serde(default)]
    pub topics: Vec<mqttlab_core::broker::TopicRow>,
    /// Messages on topics beyond the tree's limit, or rows not sent.
    #[serde(default)]
    pub untracked_topics: u64,
}

/// Topic tree rows sent per broker and update.
pub const MAX_TOPIC_ROWS_SENT: usize = 600;

/// A shared subscription (`$share/GROUP/FILTER`) and its members.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharedGroupView {
    /// `$share/GROUP/FILTER`.
    pub filter: String,
    /// Its members, in the order they joined.
    pub members: Vec<String>,
    /// Whose turn is next.
    pub next: Option<String>,
}

/// Sessions listed at most per broker; a world of thousands of sensors lists
/// the first ones and says how many more.
pub const MAX_SESSIONS_SHOWN: usize = 100;

/// One session on a broker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionView {
    /// Client id.
    pub client_id: String,
    /// Connected now.
    pub online: bool,
    /// Clean session (else persistent).
    pub clean: bool,
    /// `filter (QoS n)`, comma separated.
    pub subscriptions: String,
    /// Messages waiting for their acknowledgement.
    pub inflight: String,
    /// Messages queued for an offline persistent session.
    pub queued: String,
    /// Messages dropped for it because it could not keep up.
    pub dropped: u64,
    /// MQTT 5.0 and the rest of the state a 5.0 session has; `None` for a
    /// 3.1.1 client's.
    #[serde(default)]
    pub v5: Option<SessionV5View>,
}

/// What the panel shows of a 5.0 session and its connection.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SessionV5View {
    /// Session Expiry Interval, seconds (0xFFFFFFFF: never).
    pub expiry_interval: u32,
    /// While away: milliseconds until the session ends.
    pub ends_in_ms: Option<u64>,
    /// Deliveries awaiting acknowledgement, and the client's Receive Maximum
    /// (while connected).
    pub inflight: (usize, Option<u16>),
    /// Topic aliases the client set: `alias=topic`, comma separated.
    pub aliases_in: String,
    /// Topic aliases the broker set toward the client, likewise.
    pub aliases_out: String,
}

/// One expectation and how it stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpectView {
    /// Its text.
    pub text: String,
    /// Whether it holds now.
    pub passed: bool,
    /// What was found.
    pub detail: String,
}
