//! The world's side of the worker: a [`Session`] that answers [`Request`]s with
//! [`Reply`]s. Plain Rust with no browser in it, so it is tested natively; the
//! worker (and the in-page fallback) only carry its messages and call
//! [`SimHost::slice`] between them.

use std::collections::BTreeMap;
use std::rc::Rc;

use mqttlab_core::broker::state_text::{self, ms_until};
use mqttlab_core::broker::Broker;
use mqttlab_core::sim::marks::{self, Mark};
use mqttlab_core::sim::node::{App, Node};
use mqttlab_core::sim::replay::Input;
use mqttlab_core::sim::scenario::ast::Expect;
use mqttlab_core::sim::scenario::{self, expect};
use mqttlab_core::sim::trace::first_difference;
use mqttlab_core::sim::{LinkParams, World};
use mqttlab_core::time::Instant;

use crate::components::broker_log::MAX_SHOWN;
use crate::components::terminal::MAX_LINES;
use crate::i18n::{fault_refused, Lang};
use crate::labs::{self, Bilingual};
use crate::session::Session;

use super::protocol::{
    BrokerView, Change, ExpectView, ExportKind, FaultView, ForkSide, ForkSpec, ForkView,
    LinesUpdate, LinkSettings, LinkState, MarkView, MomentUpdate, NodeCard, NodeRole, Reply,
    Request, SessionV5View, SessionView, SharedGroupView, Update, WorldSource, MAX_SESSIONS_SHOWN,
    MAX_TOPIC_ROWS_SENT, MOMENT_LINES,
};
use super::row_view::RowViews;
use super::sweep_job::SweepJob;

/// Events per slice: a few milliseconds of work for the core in wasm, so that
/// a request (pause, a command) waits at most that long.
pub const EVENTS_PER_SLICE: u64 = 4_000;

/// During a run, the node cards and the brokers' panels are made every this
/// many updates (about three times a second at 40 ms a slice).
pub const PANELS_EVERY: u64 = 8;

/// The seed every lab runs with, so that a class sees the same thing.
pub const LAB_SEED: u64 = 1;

/// How far past a lab step's fork both runs go (at least).
pub const LAB_FORK_HORIZON_US: u64 = 10_000_000;

/// A guided lab being done: its step checks, parsed once.
struct LabRun {
    checks: Vec<Expect>,
    done: usize,
}

/// The world and what the page has been told of it.
#[derive(Default)]
pub struct SimHost {
    epoch: u64,
    session: Option<Session>,
    expects: Vec<Expect>,
    end: Option<Instant>,
    lab: Option<LabRun>,
    /// The lab's id, when the world is a lab's.
    lab_id: Option<String>,
    /// Where a run in slices is going.
    target: Option<Instant>,
    /// What the page's diagram shows, and what it was sent of the rows.
    views: RowViews,
    sent_log: usize,
    /// Updates made (the panels are made every [`PANELS_EVERY`] during a run).
    updates: u64,
    sent_lanes: usize,
    sent_terminal: BTreeMap<String, usize>,
    last_nodes: Option<Vec<NodeCard>>,
    last_brokers: Option<Vec<BrokerView>>,
    last_expects: Option<Vec<ExpectView>>,
    last_faults: Option<Vec<FaultView>>,
    fault_error: Option<Bilingual>,
    /// The trace length the checker's view was last made at, and what it said.
    checked_len: u64,
    last_checks: Option<crate::components::findings::ChecksView>,
    /// A sweep in progress (it runs before the world's own run goes on).
    sweep: Option<SweepJob>,
    /// What was done to the world from the page, with its time (µs): a fork
    /// link carries it.
    inputs: Vec<(u64, Change)>,
    /// Trace entries and wills already scanned for marks.
    marked_entries: usize,
    marked_wills: usize,
    /// Whether the expectations' marks were sent.
    marked_expects: bool,
    /// The last moment sent: the page holds it, and the next scrub's answer is
    /// a change of it.
    last_moment: Option<SentMoment>,
    /// Moments sent so far (numbers the next one).
    moments_sent: u64,
}

/// What the page was last sent of a moment: the windows of lines it holds and
/// its panels.
struct SentMoment {
    seq: u64,
    log: std::ops::Range<usize>,
    terminals: BTreeMap<String, std::ops::Range<usize>>,
    nodes: Rc<Vec<NodeCard>>,
    brokers: Rc<Vec<BrokerView>>,
    expects: Rc<Vec<ExpectView>>,
    faults: Rc<Vec<FaultView>>,
}

/// `new` if it differs from what was sent (`None`: the page has it already).
fn changed<T: PartialEq>(new: &Rc<T>, sent: Option<&Rc<T>>) -> Option<Rc<T>> {
    (sent.map(|s| **s != **new) != Some(false)).then(|| new.clone())
}

/// The last [`MOMENT_LINES`] of lines numbered `..end`.
fn window(end: usize) -> std::ops::Range<usize> {
    end.saturating_sub(MOMENT_LINES)..end
}

/// `world` plus one check line, parsed into its expectation.
fn parse_check(world: &str, line: &str) -> Result<Expect, String> {
    let sc = scenario::parse(&format!("{world}\n{line}")).map_err(|e| e.to_string())?;
    sc.expects
        .last()
        .cloned()
        .ok_or_else(|| format!("'{line}' is not an expectation"))
}

fn join_errors<E: ToString>(errors: &[E]) -> String {
    errors
        .iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

impl SimHost {
    /// A host with no world yet.
    pub fn new() -> SimHost {
        SimHost::default()
    }

    /// The session, if a world is loaded (tests compare it with the page's view).
    pub fn session(&self) -> Option<&Session> {
        self.session.as_ref()
    }

    /// Whether a run is still going: call [`SimHost::slice`] again.
    pub fn busy(&self) -> bool {
        self.sweep.is_some() || (self.session.is_some() && self.target.is_some())
    }

    /// Answers one request.
    pub fn handle(&mut self, request: Request) -> Vec<Reply> {
        let request = match request {
            Request::Sweep {
                id,
                source,
                first_seed,
                seeds,
            } => {
                return match SweepJob::start(id, &source, first_seed, seeds) {
                    Ok(job) => {
                        self.sweep = Some(job);
                        Vec::new()
                    }
                    Err(reply) => vec![reply],
                }
            }
            Request::CancelSweep => {
                return self
                    .sweep
                    .take()
                    .map(|job| job.finish(true))
                    .into_iter()
                    .collect()
            }
            // Said before a world is built too (the page's diagram mounts first):
            // it holds for the worlds to come.
            Request::View(view) => {
                self.views.set(view);
                return match self.session {
                    Some(_) => vec![self.update()],
                    None => Vec::new(),
                };
            }
            other => other,
        };
        let Request::Load { epoch, world } = request else {
            return self.act(request);
        };
        let sweep = self.sweep.take();
        // The page's diagram stays: what it shows of the rows too.
        let views = self.views.carry();
        *self = SimHost {
            epoch,
            sweep,
            views,
            ..SimHost::default()
        };
        match self.load(world) {
            Ok(()) => vec![self.update()],
            Err(error) => vec![Reply::Failed { epoch, error }],
        }
    }

    fn load(&mut self, world: WorldSource) -> Result<(), String> {
        match world {
            WorldSource::Scenario { source, seed } => {
                let (session, sc) =
                    Session::from_scenario(&source, seed).map_err(|e| join_errors(&e))?;
                self.expects = sc.expects.clone();
                self.end = Some(sc.end_time());
                self.session = Some(session);
            }
            WorldSource::Lab { id, open_at } => {
                let lab = labs::find(&id).ok_or_else(|| format!("there is no lab '{id}'"))?;
                let (mut session, _) = Session::from_scenario(&lab.world, Some(LAB_SEED))
                    .map_err(|e| join_errors(&e))?;
                let checks = lab
                    .steps
                    .iter()
                    .map(|s| parse_check(&lab.world, &s.check))
                    .collect::<Result<Vec<_>, _>>()?;
                // A shared link that opens at step N replays the N-1 steps before it,
                // recorded as the student's own (a fork of them finds their time).
                for step in lab.steps.iter().take(open_at.saturating_sub(1)) {
                    if let Some(change) = labs::step_change(step) {
                        self.inputs.push((session.now().as_micros(), change));
                    }
                    labs::perform(&mut session, step)?;
                }
                self.session = Some(session);
                self.lab = Some(LabRun { checks, done: 0 });
                self.lab_id = Some(id);
            }
        }
        Ok(())
    }

    fn act(&mut self, request: Request) -> Vec<Reply> {
        let epoch = self.epoch;
        if let Some(change) = change_of(&request) {
            if let Some(s) = &self.session {
                self.inputs.push((s.now().as_micros(), change));
            }
        }
        let Some(s) = self.session.as_mut() else {
            return Vec::new();
        };
        match request {
            Request::Load { .. }
            | Request::Sweep { .. }
            | Request::CancelSweep
            | Request::View(_) => {
                unreachable!("handled by handle()")
            }
            Request::Charts => {
                return vec![Reply::Charts {
                    epoch,
                    charts: Box::new(s.charts()),
                }]
            }
            Request::Advance { by_us } => {
                let from = self.target.unwrap_or(s.now()).max(s.now());
                self.target = Some(from + std::time::Duration::from_micros(by_us));
                return Vec::new();
            }
            Request::RunTo { to_us } => {
                self.target = Some(Instant::from_micros(to_us));
                return Vec::new();
            }
            Request::Halt => self.target = None,
            Request::StepPacket => {
                // Far enough for any keepalive or retry to come due.
                let limit = s.now() + std::time::Duration::from_secs(3_600);
                s.step_packet(limit);
            }
            Request::Change(Change::Fault { line }) => {
                self.fault_error = match s.fault_input(&line, s.now()) {
                    Err(refused) => Some(Bilingual {
                        en: fault_refused(Lang::En, &refused),
                        pt: fault_refused(Lang::PtBr, &refused),
                    }),
                    Ok(input) => s.apply_input(input).err().map(|e| Bilingual {
                        en: e.clone(),
                        pt: e,
                    }),
                };
            }
            Request::Change(change) => {
                // A command's errors are printed on the node's terminal, as a
                // shell would; a control or link a node does not have is ignored.
                let _ = apply_change(s, &change);
            }
            Request::Export { kind } => {
                let trace = s.world().trace();
                let bytes = match kind {
                    ExportKind::Json => trace.to_json().into_bytes(),
                    ExportKind::Pcap => mqttlab_core::sim::pcap::to_pcap(trace.entries()),
                    ExportKind::Svg { pt } => {
                        let lang = if pt { Lang::PtBr } else { Lang::En };
                        crate::components::sequence_diagram::export_svg(s.lanes(), &s.rows(), lang)
                            .into_bytes()
                    }
                };
                return vec![Reply::Exported { epoch, kind, bytes }];
            }
            Request::Scrub { to_us, have } => {
                return vec![Reply::Moment(Box::new(self.moment(to_us, have)))];
            }
            Request::Replay { inputs } => {
                for (at, change) in inputs {
                    let Some(s) = self.session.as_mut() else {
                        break;
                    };
                    s.run_until(Instant::from_micros(at));
                    let _ = apply_change(s, &change);
                    self.inputs.push((at, change));
                }
            }
            Request::Fork(spec) => {
                return vec![Reply::Forked(Box::new(self.fork(*spec)))];
            }
            Request::LabFork { step } => {
                let forked = self.lab_fork_spec(step).and_then(|spec| self.fork(spec));
                return vec![Reply::Forked(Box::new(forked))];
            }
        }
        vec![self.update()]
    }

    /// The world at `to_us` (at most now), rebuilt from a checkpoint, as a
    /// change of the moment the page holds (`have`) if that is the last one
    /// sent.
    fn moment(&mut self, to_us: u64, have: Option<u64>) -> MomentUpdate {
        let Some(s) = self.session.as_ref() else {
            return MomentUpdate::default();
        };
        let t = Instant::from_micros(to_us).min(s.now());
        let past = s.timeline().at(t);
        let world = &past.world;
        let at_us = t.as_micros();
        let sent = self.last_moment.take().filter(|m| have == Some(m.seq));
        let log = window(s.log().partition_point(|l| l.time_us <= at_us));
        let terminals: BTreeMap<String, std::ops::Range<usize>> = s
            .terminals()
            .iter()
            .filter_map(|(node, lines)| {
                let end = s
                    .terminal_times(node)
                    .partition_point(|&x| x <= at_us)
                    .min(lines.len());
                (end > 0).then(|| (node.clone(), window(end)))
            })
            .collect();
        let rows = s.rows_before_entry(past.entries.len());
        let shown = self.views.shown_before(&s.rows(), s.lanes(), rows);
        let now = SentMoment {
            seq: self.moments_sent + 1,
            log: log.clone(),
            terminals,
            nodes: Rc::new(node_cards(world)),
            brokers: Rc::new(broker_views(world)),
            expects: Rc::new(
                self.expects
                    .iter()
                    .map(|e| expect_view(expect::check_in(e, world, past.entries)))
                    .collect(),
            ),
            faults: Rc::new(fault_views(world)),
        };
        let update = MomentUpdate {
            epoch: self.epoch,
            seq: now.seq,
            base: sent.as_ref().map(|m| m.seq),
            at_us,
            rows,
            shown,
            log: (sent.as_ref().map(|m| &m.log) != Some(&log))
                .then(|| LinesUpdate::between(sent.as_ref().map(|m| m.log.clone()), log, s.log())),
            terminals: now
                .terminals
                .iter()
                .map(|(node, want)| {
                    let held = sent.as_ref().and_then(|m| m.terminals.get(node)).cloned();
                    let all = &s.terminals()[node];
                    (node.clone(), LinesUpdate::between(held, want.clone(), all))
                })
                .collect(),
            nodes: changed(&now.nodes, sent.as_ref().map(|m| &m.nodes)),
            brokers: changed(&now.brokers, sent.as_ref().map(|m| &m.brokers)),
            expects: changed(&now.expects, sent.as_ref().map(|m| &m.expects)),
            faults: changed(&now.faults, sent.as_ref().map(|m| &m.faults)),
            replayed: past.replayed,
        };
        self.moments_sent = now.seq;
        self.last_moment = Some(now);
        update
    }

    /// The fork a lab step offers: at the last time its action was done, with
    /// its "what if" changes, both runs going on for [`LAB_FORK_HORIZON_US`]
    /// (or to now, if the run went further).
    fn lab_fork_spec(&self, step: usize) -> Result<ForkSpec, String> {
        let s = self.session.as_ref().ok_or("no world")?;
        let id = self.lab_id.as_deref().ok_or("not a lab")?;
        let lab = labs::find(id).ok_or_else(|| format!("there is no lab '{id}'"))?;
        let step_def = lab
            .steps
            .get(step)
            .ok_or_else(|| format!("the lab has no step {}", step + 1))?;
        let what_if = step_def
            .what_if
            .as_ref()
            .ok_or_else(|| format!("step {} has no 'what if'", step + 1))?;
        let action = labs::step_change(step_def)
            .ok_or_else(|| format!("step {} does nothing to fork at", step + 1))?;
        let at_us = self
            .inputs
            .iter()
            .rev()
            .find(|(_, c)| *c == action)
            .map(|(at, _)| *at)
            .ok_or_else(|| format!("step {} was not done in this run", step + 1))?;
        Ok(ForkSpec {
            at_us,
            changes: what_if.parsed()?,
            until_us: s.now().as_micros().max(at_us + LAB_FORK_HORIZON_US),
        })
    }

    /// Branches the run as `spec` says and runs both sides.
    fn fork(&mut self, spec: ForkSpec) -> Result<ForkView, String> {
        let at = Instant::from_micros(spec.at_us);
        let s = self.session.as_mut().ok_or("no world")?;
        // A shared link forks at a time its replay has not reached yet.
        if at > s.now() {
            s.run_until(at);
        }
        let s = self.session.as_ref().ok_or("no world")?;
        let changes = spec
            .changes
            .iter()
            .map(|c| fork_input(s, c, at))
            .collect::<Result<Vec<_>, _>>()?;
        let mut branch = s.timeline().fork(at, changes).map_err(|e| e.to_string())?;
        let until = Instant::from_micros(spec.until_us.max(spec.at_us));
        branch.run_until(until);
        let mut original = s.world().clone();
        original.run_until(until);
        let (a, b) = (original.trace().entries(), branch.world().trace().entries());
        let parts = first_difference(a, b);
        let checks: &[Expect] = match &self.lab {
            Some(lab) => &lab.checks,
            None => &self.expects,
        };
        let side = |world: mqttlab_core::sim::World| {
            let wills = world
                .wills()
                .iter()
                .filter(|w| w.time >= at)
                .map(|w| (w.client_id.clone(), w.published))
                .collect();
            let expects = checks
                .iter()
                .map(|e| expect_view(expect::check(e, &world)))
                .collect();
            let session = Session::new(world);
            let parts_at = parts.map(|d| session.rows_before_entry(d));
            let rows = session.rows().clone();
            ForkSide {
                lanes: session.lanes().to_vec(),
                rows,
                expects,
                wills,
                parts_at,
            }
        };
        let parts_us = parts
            .and_then(|d| a.get(d).or(b.get(d)))
            .map(|e| e.time.as_micros());
        let branch_world = branch.world().clone();
        Ok(ForkView {
            epoch: self.epoch,
            spec,
            parts_us,
            original: side(original),
            branch: side(branch_world),
            inputs: self.inputs.clone(),
        })
    }

    /// Runs one slice of the run in progress and says what changed.
    pub fn slice(&mut self) -> Option<Reply> {
        self.slice_while(&|| false)
    }

    /// Runs a slice of [`EVENTS_PER_SLICE`] events, then more of them while
    /// `more()` says so (the runner's clock: a few tens of milliseconds of
    /// work per update, however fast the world runs), and says what changed.
    /// Every update costs the views' comparison, a message and the page's
    /// handling, and each slice a task (a worker's chained 0 ms timers wait 4 ms
    /// each): 4,000 events take under 20 ms in wasm on a quiet machine.
    pub fn slice_while(&mut self, more: &dyn Fn() -> bool) -> Option<Reply> {
        if let Some(job) = self.sweep.as_mut() {
            let (reply, over) = job.step();
            if over {
                self.sweep = None;
            }
            return Some(reply);
        }
        let target = self.target?;
        let s = self.session.as_mut()?;
        loop {
            let reached = s.run_toward(target, EVENTS_PER_SLICE);
            // The checker keeps pace with the run, so that when it stops its
            // findings cost only the run's end, not a pass over the whole trace
            // that a scrub asked then would wait for.
            s.check_more();
            if reached {
                self.target = None;
                break;
            }
            if !more() {
                break;
            }
        }
        Some(self.update())
    }

    /// What changed since the last update.
    fn update(&mut self) -> Reply {
        // The checker's view is made when a run stops, not per slice: ending its
        // report (a copy of the checker, then every message weighed against
        // the subscribers) costs a pass over the run's messages.
        let checks = match self.session.as_mut() {
            Some(s) if self.target.is_none() && s.world().trace().len() != self.checked_len => {
                self.checked_len = s.world().trace().len();
                Some(s.checks())
            }
            _ => None,
        };
        let Some(s) = self.session.as_ref() else {
            return Reply::Failed {
                epoch: self.epoch,
                error: "no world".into(),
            };
        };
        let world = s.world();
        let mut u = Update {
            epoch: self.epoch,
            now_us: s.now().as_micros(),
            seed: world.seed(),
            busy: self.target.is_some(),
            ended: self.end.is_some_and(|e| s.now() >= e),
            ..Update::default()
        };
        if s.lanes().len() != self.sent_lanes {
            self.sent_lanes = s.lanes().len();
            u.lanes = Some(s.lanes().to_vec());
        }
        let rows = s.rows();
        // Which lanes are brokers': only the zoomed-out diagram asks.
        let brokers: Vec<bool> = match self.views.view() {
            Some(v) if v.zoom => s
                .lanes()
                .iter()
                .map(|l| world.node_id(l).is_some_and(|i| world.broker(i).is_some()))
                .collect(),
            _ => Vec::new(),
        };
        u.rows_total = rows.len();
        (u.rows_shown, u.rows, u.buckets) = self.views.update(
            &rows,
            s.lanes(),
            &brokers,
            &|i| s.row_bytes(i).map(|b| b.to_vec()),
            &|i| s.row_v5(i),
        );
        drop(rows);
        if let Some(checks) = checks {
            if self.last_checks.as_ref() != Some(&checks) {
                u.checks = Some(checks.clone());
                self.last_checks = Some(checks);
            }
        }
        // While a run goes on, the log's and the terminals' new lines (the last
        // 500), the node cards and the brokers' panels (100 sessions, 600 topic
        // rows: about 100 KB for a big world) are made and sent every
        // PANELS_EVERY updates; when it stops, at once.
        self.updates += 1;
        if self.target.is_none() || self.updates % PANELS_EVERY == 1 {
            // The page keeps the last lines of the log and of each terminal: of
            // what is new, only those are sent.
            let log = s.log();
            u.log = log[self.sent_log.max(log.len().saturating_sub(MAX_SHOWN))..].to_vec();
            self.sent_log = log.len();
            for (node, lines) in s.terminals() {
                let sent = self.sent_terminal.entry(node.clone()).or_default();
                let from = (*sent).max(lines.len().saturating_sub(MAX_LINES));
                u.terminal
                    .extend(lines[from..].iter().map(|l| (node.clone(), l.clone())));
                *sent = lines.len();
            }

            let nodes = node_cards(world);
            if self.last_nodes.as_ref() != Some(&nodes) {
                u.nodes = Some(nodes.clone());
                self.last_nodes = Some(nodes);
            }
            let brokers = broker_views(world);
            if self.last_brokers.as_ref() != Some(&brokers) {
                u.brokers = Some(brokers.clone());
                self.last_brokers = Some(brokers);
            }
        }
        let expects: Vec<ExpectView> = self
            .expects
            .iter()
            .map(|e| expect_view(expect::check(e, world)))
            .collect();
        if self.last_expects.as_ref() != Some(&expects) {
            u.expects = Some(expects.clone());
            self.last_expects = Some(expects);
        }
        let faults = fault_views(world);
        if self.last_faults.as_ref() != Some(&faults) {
            u.faults = Some(faults.clone());
            self.last_faults = Some(faults);
        }
        u.fault_error = self.fault_error.clone();
        let mut new: Vec<Mark> = marks::trace_marks(world.trace().entries(), self.marked_entries);
        self.marked_entries = world.trace().entries().len();
        new.extend(marks::will_marks(world, self.marked_wills));
        self.marked_wills = world.wills().len();
        if u.ended && !self.marked_expects {
            self.marked_expects = true;
            if let Some(end) = self.end {
                new.extend(marks::expectation_marks(&self.expects, world, end));
            }
        }
        new.sort_by_key(|m| m.time);
        u.marks = new
            .into_iter()
            .map(|m| MarkView {
                time_us: m.time.as_micros(),
                kind: m.kind,
            })
            .collect();
        if let Some(lab) = self.lab.as_mut() {
            while lab
                .checks
                .get(lab.done)
                .is_some_and(|c| expect::check(c, world).passed)
            {
                lab.done += 1;
            }
            u.lab_done = lab.done;
        }
        Reply::Update(Box::new(u))
    }
}

fn expect_view(r: expect::ExpectResult) -> ExpectView {
    ExpectView {
        text: r.text,
        passed: r.passed,
        detail: r.detail,
    }
}

/// What a request does to the world, as a run's record keeps it.
fn change_of(request: &Request) -> Option<Change> {
    match request {
        Request::Change(Change::Instead) => None,
        Request::Change(change) => Some(change.clone()),
        _ => None,
    }
}

/// Applies a recorded change to the live session now.
pub fn apply_change(s: &mut Session, change: &Change) -> Result<(), String> {
    match change {
        Change::Command { node, line } => s.command(node, line),
        Change::Control { node, control } => s.control(node, *control),
        Change::SetLink { node, settings } => s.set_link(node, *settings),
        Change::Fault { line } => s.fault(line),
        Change::AddClient { broker } => s.add_client(broker).map(|_| ()),
        Change::RemoveFault { rule } => {
            let input = Input::Act(mqttlab_core::sim::Action::RemoveFault(rule.clone()));
            s.apply_input(input)
        }
        Change::Instead => Ok(()),
    }
}

/// The input a fork's change is, at the fork's time `at`.
fn fork_input(s: &Session, change: &Change, at: Instant) -> Result<Input, String> {
    match change {
        Change::Command { node, line } => s.command_input(node, line),
        Change::Control { node, control } => s.control_input(node, *control),
        Change::SetLink { node, settings } => s.link_input(node, *settings),
        Change::Fault { line } => s.fault_input(line, at).map_err(|e| e.to_string()),
        Change::RemoveFault { rule } => Ok(Input::Act(mqttlab_core::sim::Action::RemoveFault(
            rule.clone(),
        ))),
        Change::AddClient { broker } => s.add_client_input(broker).map(|(i, _)| i),
        Change::Instead => Ok(Input::Instead),
    }
}

/// The fault rules still in force, as the world panel lists them.
fn fault_views(world: &World) -> Vec<FaultView> {
    let now = world.now();
    world
        .faults()
        .iter()
        .filter(|f| f.remaining != Some(0) && f.until.is_none_or(|u| u > now))
        .map(|f| FaultView {
            rule: f.label.clone(),
            left: f.remaining,
        })
        .collect()
}

/// A link's settings as the page shows them.
pub fn link_settings(p: &LinkParams) -> LinkSettings {
    LinkSettings {
        latency_ms: p.latency.as_millis() as u64,
        loss_pct: f64::from(p.loss_ppm) / 10_000.0,
    }
}

/// Nodes listed at most in the world panel.
pub const MAX_NODES_SHOWN: usize = 200;

/// Whether a student types into this node (it runs a command line, or nothing).
fn interactive(n: &Node) -> bool {
    matches!(n, Node::Client(c) if matches!(c.app, App::Idle | App::Cli(_) | App::Generic(_)))
}

fn node_cards(world: &World) -> Vec<NodeCard> {
    let mut nodes: Vec<&Node> = world.nodes().iter().collect();
    if nodes.len() > MAX_NODES_SHOWN {
        // Too many to list: brokers and the nodes a student types into first.
        nodes.sort_by_key(|n| match n {
            Node::Broker(_) => 0,
            n if interactive(n) => 1,
            _ => 2,
        });
    }
    nodes
        .into_iter()
        .take(MAX_NODES_SHOWN)
        .map(|n| match n {
            Node::Broker(b) => NodeCard {
                name: b.name.clone(),
                what: None,
                ctrl_c: None,
                address: format!("{}:{}", b.ip, b.port()),
                role: NodeRole::Broker,
            },
            Node::Client(c) => {
                let link = world.link(c.link);
                let connected = c.client.is_connected();
                let state = match link {
                    Some(l) if l.partitioned => LinkState::Partitioned,
                    Some(l) if l.client_gone => LinkState::HalfOpen,
                    _ if !c.alive || !connected => LinkState::Cut,
                    Some(l) if l.params.loss_ppm > 0 => LinkState::Lossy,
                    _ => LinkState::Up,
                };
                NodeCard {
                    name: c.name.clone(),
                    what: Some(c.app.summary()),
                    ctrl_c: c.app.ctrl_c(),
                    address: c.ip.clone(),
                    role: NodeRole::Client {
                        alive: c.alive,
                        connected,
                        link: link_settings(&link.map(|l| l.params.clone()).unwrap_or_default()),
                        interactive: interactive(n),
                        broker: link
                            .and_then(|l| world.node(l.broker))
                            .map(|b| b.name().to_string())
                            .unwrap_or_default(),
                        state,
                    },
                }
            }
        })
        .collect()
}

// A payload as the broker-state panel shows it (also an imported capture's).
pub(crate) use mqttlab_core::broker::state_text::payload_text;

fn broker_views(world: &World) -> Vec<BrokerView> {
    world
        .nodes()
        .iter()
        .filter_map(|n| match n {
            Node::Broker(b) => Some(broker_view(&b.name, &b.broker, world.now())),
            Node::Client(_) => None,
        })
        .collect()
}

/// The 5.0 part of a session's row: for a session whose connection speaks 5.0,
/// or an offline one with an expiry interval other than 3.1.1's 0 and never.
fn session_v5(
    s: &mqttlab_core::broker::SessionInfo,
    conns: &[mqttlab_core::broker::ConnectionInfo],
    now: Instant,
) -> Option<SessionV5View> {
    let conn = s.conn.and_then(|id| conns.iter().find(|c| c.conn == id));
    let v5 = match conn {
        Some(c) => c.protocol == Some(mqttlab_core::codec::Protocol::V5),
        None => s.expiry_interval != 0 && s.expiry_interval != u32::MAX,
    };
    if !v5 {
        return None;
    }
    let aliases = |a: &[(u16, mqttlab_core::topic::TopicName)]| {
        a.iter()
            .map(|(n, t)| format!("{n}={t}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    Some(SessionV5View {
        expiry_interval: s.expiry_interval,
        ends_in_ms: s.expires_at.map(|at| ms_until(now, at)),
        inflight: (s.inflight.len(), conn.map(|c| c.receive_maximum)),
        aliases_in: conn.map(|c| aliases(&c.aliases_in)).unwrap_or_default(),
        aliases_out: conn.map(|c| aliases(&c.aliases_out)).unwrap_or_default(),
    })
}

/// What `broker` holds at `now`, as its panel lists it.
pub fn broker_view(name: &str, broker: &Broker, now: Instant) -> BrokerView {
    let sessions = broker.sessions();
    let conns = broker.connections();
    let (topics, untracked_topics) = broker.topic_tree().map_or((Vec::new(), 0), |t| {
        let mut rows = t.rows();
        let cut = rows.len().saturating_sub(MAX_TOPIC_ROWS_SENT);
        rows.truncate(MAX_TOPIC_ROWS_SENT);
        (rows, t.untracked() + cut as u64)
    });
    BrokerView {
        name: name.to_string(),
        more_sessions: sessions.len().saturating_sub(MAX_SESSIONS_SHOWN),
        sessions: sessions
            .iter()
            .take(MAX_SESSIONS_SHOWN)
            .map(|s| SessionView {
                client_id: s.client_id.clone(),
                online: s.conn.is_some(),
                clean: s.clean,
                subscriptions: state_text::subscriptions_line(s),
                inflight: state_text::inflight_line(s),
                queued: state_text::queued_line(s, now),
                dropped: s.dropped,
                v5: session_v5(s, &conns, now),
            })
            .collect(),
        dropped: broker.stats().messages_dropped,
        shared: broker
            .shared_groups()
            .into_iter()
            .map(|g| SharedGroupView {
                filter: g.filter,
                members: g.members,
                next: g.next,
            })
            .collect(),
        retained: broker.retained().map(state_text::retained_line).collect(),
        topics,
        untracked_topics,
        wills: broker
            .pending_wills()
            .into_iter()
            .map(|(client, w)| state_text::will_line(&client, &w))
            .collect(),
    }
}
