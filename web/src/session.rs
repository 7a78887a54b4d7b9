//! A running world and the views the page draws from it.
//!
//! The core's [`World`] keeps a trace of everything; a [`Session`] reads the
//! entries it has not seen yet after each run and turns them into diagram rows,
//! log lines and terminal output, so a frame costs only what happened since the
//! last one, however long the run.

use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;
use std::time::Duration;

use mqttlab_core::broker::CloseReason;
use mqttlab_core::checker::{Checker, PacketRef};
use mqttlab_core::sim::node::{App, Node};
use mqttlab_core::sim::note::{PacketCause, PacketNote};
use mqttlab_core::sim::replay::{Input, Timeline};
use mqttlab_core::sim::scenario::ast::ActionSpec;
use mqttlab_core::sim::scenario::build::fault_rule;
use mqttlab_core::sim::scenario::{self, Expected, Problem, Scenario, ScenarioError};
use mqttlab_core::sim::series::{self, SessionSampler};
use mqttlab_core::sim::trace::{CloseKind, Fate};
use mqttlab_core::sim::{Action, LinkParams, NodeId, TraceKind, TraceMode, World};
use mqttlab_core::time::Instant;

use crate::components::broker_log::LogLine;
use crate::components::findings::ChecksView;
use crate::components::sequence_diagram::{DiagramRow, RowKind, RowNote, Rows, SentAt};
use crate::components::terminal::INTERRUPT;
use crate::sim::protocol::{ChartData, LinkSettings};

/// How often the session-load chart samples the brokers (virtual time).
pub const CHART_TICK: Duration = Duration::from_millis(250);

/// Points per topic a value chart keeps.
pub const CHART_POINTS: usize = 5_000;

/// Why a typed fault rule was refused: each problem, with its column in the
/// typed text when it is on that text. Its `Display` is English; the page words
/// it with `i18n::fault_refused`.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultRefused(pub Vec<(Option<usize>, Problem)>);

impl std::fmt::Display for FaultRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, (column, problem)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            match column {
                Some(c) => write!(f, "column {c}: {problem}")?,
                None => write!(f, "{problem}")?,
            }
        }
        Ok(())
    }
}

/// What a student can do to a node from the world panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Control {
    /// Close the socket without DISCONNECT (the will fires).
    Kill,
    /// Ctrl-C: what the node's program does on SIGINT
    /// ([`mqttlab_core::tools::CtrlC`]): mosquitto_sub sends DISCONNECT and
    /// exits; mosquitto_pub dies and its socket closes without one.
    Disconnect,
    /// The host vanishes silently; only keepalive notices.
    HalfOpen,
    /// The link stops carrying anything.
    Partition,
    /// The link carries again.
    Heal,
    /// The broker restarts and loses its state.
    Restart,
}

impl Control {
    /// The word the lab files and the scenario language use (`kill sensor1`).
    pub fn word(self) -> &'static str {
        match self {
            Control::Kill => "kill",
            Control::Disconnect => "disconnect",
            Control::HalfOpen => "halfopen",
            Control::Partition => "partition",
            Control::Heal => "heal",
            Control::Restart => "restart",
        }
    }

    /// The control a word names.
    pub fn from_word(word: &str) -> Option<Control> {
        [
            Control::Kill,
            Control::Disconnect,
            Control::HalfOpen,
            Control::Partition,
            Control::Heal,
            Control::Restart,
        ]
        .into_iter()
        .find(|c| c.word() == word)
    }
}

/// The seed a scenario runs with: the one asked for, else the file's `seed`
/// line, else 1.
pub fn seed_for(sc: &Scenario, seed: Option<u64>) -> u64 {
    seed.or(sc.seed).unwrap_or(1)
}

/// A world and its views.
pub struct Session {
    /// The world, its inputs and its checkpoints (a scrub rebuilds any moment).
    timeline: Timeline,
    seen: usize,
    /// For each trace entry read, how many diagram rows there were before it.
    entry_rows: Vec<u32>,
    lanes: Vec<String>,
    lane_of: BTreeMap<String, usize>,
    rows: Rows,
    /// For each row, the trace entry of its packet, plus one (0: a note or a
    /// TCP event). Its bytes are read from the trace when asked for, not kept
    /// twice.
    row_entry: Vec<u32>,
    log: Vec<LogLine>,
    terminals: BTreeMap<String, Vec<String>>,
    /// When each terminal line was printed (µs), line for line.
    terminal_times: BTreeMap<String, Vec<u64>>,
    on_the_way: OnTheWay,
    /// In-flight and queued counts per session, sampled as the world runs.
    sampler: SessionSampler,
    /// The specification checker, kept up with the trace.
    checked: LiveChecks,
}

/// The specification checker fed the trace as it grows ([`Session::check_more`]),
/// so that what it says of a long run is ready when the run stops instead of
/// being one pass over the whole trace then (1.6 s of the worker's time after
/// a 100,000-event run, which a scrub asked meanwhile waited for).
#[derive(Debug, Clone)]
struct LiveChecks {
    checker: Checker,
    /// Trace entries fed so far.
    fed: usize,
    /// The last fed entry's time, ns: where the run ends for the checker.
    end_ns: u64,
    /// Each connection's direction (to the broker or not): the lanes of its
    /// first packet (from, to).
    ends: BTreeMap<(u64, bool), (usize, usize)>,
}

/// What one direction of one connection carries: TCP delivers in order, but a
/// fault rule may delay one segment past the next, so an arrival is matched with
/// the oldest send of the same bytes.
type Direction = (u64, String);

/// Segments sent and not yet arrived, per direction of a connection: when each
/// left and how many rows there were then.
#[derive(Debug, Default)]
struct OnTheWay(BTreeMap<Direction, VecDeque<(Vec<u8>, SentAt)>>);

impl OnTheWay {
    fn sent(&mut self, way: Direction, bytes: &[u8], at: SentAt) {
        self.0
            .entry(way)
            .or_default()
            .push_back((bytes.to_vec(), at));
    }

    fn arrived(&mut self, way: &Direction, bytes: &[u8]) -> Option<SentAt> {
        let queue = self.0.get_mut(way)?;
        let k = queue.iter().position(|(b, _)| b == bytes)?;
        let at = queue.remove(k).map(|(_, at)| at);
        if queue.is_empty() {
            self.0.remove(way);
        }
        at
    }
}

/// A packet a fault rule dropped as it was sent: it never was on the way.
fn dropped_at_sending(note: &Option<PacketNote>) -> bool {
    matches!(
        note,
        Some(PacketNote {
            cause: Some(PacketCause::DroppedByFault { .. }),
            ..
        })
    )
}

/// What a TCP FIN or RST is matched on (it has no bytes of its own).
fn close_marker(kind: CloseKind) -> &'static [u8] {
    match kind {
        CloseKind::Fin => b"FIN",
        CloseKind::Reset => b"RST",
    }
}

impl Session {
    /// Wraps a freshly built world.
    pub fn new(world: World) -> Session {
        /// More clients than this and the brokers are drawn first.
        const MANY_CLIENTS: usize = 16;
        // Clients on both sides of the brokers, as the course text draws
        // "Cliente A | Broker | Cliente B".
        let brokers: Vec<String> = world
            .nodes()
            .iter()
            .filter(|n| n.as_broker().is_some())
            .map(|n| n.name().to_string())
            .collect();
        let clients: Vec<String> = world
            .nodes()
            .iter()
            .filter(|n| n.as_client().is_some())
            .map(|n| n.name().to_string())
            .collect();
        // A world of many clients (a building of sensors) puts its brokers
        // first: in the middle, the lifeline every arrow goes to would be
        // thousands of lanes off the screen.
        let half = if clients.len() > MANY_CLIENTS {
            0
        } else {
            clients.len().div_ceil(2)
        };
        let mut lanes = clients[..half].to_vec();
        lanes.extend(brokers);
        lanes.extend_from_slice(&clients[half..]);
        let lane_of = lanes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), i))
            .collect();
        let terminals = clients.iter().map(|c| (c.clone(), Vec::new())).collect();
        let mut s = Session {
            timeline: Timeline::new(world),
            seen: 0,
            entry_rows: Vec::new(),
            lanes,
            lane_of,
            rows: Rows::default(),
            row_entry: Vec::new(),
            log: Vec::new(),
            terminals,
            terminal_times: BTreeMap::new(),
            on_the_way: OnTheWay::default(),
            sampler: SessionSampler::new(CHART_TICK),
            checked: LiveChecks {
                checker: Checker::new(),
                fed: 0,
                end_ns: 0,
                ends: BTreeMap::new(),
            },
        };
        s.sync();
        s
    }

    /// What the charts draw now: payload values and message rates from the
    /// trace, session load from the samples (core's `sim::series`, one place).
    pub fn charts(&self) -> ChartData {
        let entries = self.world().trace().entries();
        let now = self.world().now();
        // About sixty bars across whatever time has passed, in whole seconds.
        let window = Duration::from_secs((now.as_micros() / 60_000_000).max(1));
        let (inflight, queued) = self.sampler.series();
        ChartData {
            now_us: now.as_micros(),
            values: series::values(entries, CHART_POINTS),
            rates: series::rates(entries, window, now),
            rate_window_us: window.as_micros() as u64,
            inflight,
            queued,
        }
    }

    /// Parses `source`, builds its world with `seed` (else the file's `seed`, else
    /// 1) and wraps it. Errors carry line and column.
    pub fn from_scenario(
        source: &str,
        seed: Option<u64>,
    ) -> Result<(Session, Scenario), Vec<ScenarioError>> {
        let sc = scenario::parse(source).map_err(|e| e.0)?;
        let seed = seed_for(&sc, seed);
        let mut world = sc.build(seed, TraceMode::Full).map_err(|e| vec![e])?;
        // The broker state panel's topic tree (it changes no trace).
        world.record_topic_trees();
        Ok((Session::new(world), sc))
    }

    /// Checks one expectation line (`expect monitor receives "off-line"`) against
    /// the world so far. `world_source` declares the nodes the line names.
    pub fn check(&self, world_source: &str, line: &str) -> Result<bool, String> {
        let sc = scenario::parse(&format!("{world_source}\n{line}")).map_err(|e| e.to_string())?;
        let e = sc
            .expects
            .last()
            .ok_or_else(|| format!("'{line}' is not an expectation"))?;
        Ok(scenario::expect::check(e, self.world()).passed)
    }

    /// The world.
    pub fn world(&self) -> &World {
        self.timeline.world()
    }

    /// The world's timeline: what was done to it, and its checkpoints.
    pub fn timeline(&self) -> &Timeline {
        &self.timeline
    }

    /// Virtual time now.
    pub fn now(&self) -> Instant {
        self.world().now()
    }

    /// How many diagram rows there were before trace entry `entry` (all of
    /// them for an entry not read yet).
    pub fn rows_before_entry(&self, entry: usize) -> usize {
        self.entry_rows
            .get(entry)
            .map_or(self.rows.len(), |&n| n as usize)
    }

    /// When each line of `node`'s terminal was printed (µs).
    pub fn terminal_times(&self, node: &str) -> &[u64] {
        self.terminal_times.get(node).map_or(&[], Vec::as_slice)
    }

    /// Lifeline names, in drawing order.
    pub fn lanes(&self) -> &[String] {
        &self.lanes
    }

    /// Diagram rows so far.
    pub fn rows(&self) -> std::cell::Ref<'_, Vec<DiagramRow>> {
        self.rows.borrow()
    }

    /// The diagram rows, shared (the diagram reads them without a copy).
    pub fn shared_rows(&self) -> Rows {
        self.rows.clone()
    }

    /// The bytes of the packet a row shows, if it shows one.
    pub fn row_bytes(&self, row: usize) -> Option<Rc<Vec<u8>>> {
        match &self.row_packet(row)?.kind {
            TraceKind::Packet { bytes, .. } => Some(Rc::new(bytes.clone())),
            _ => None,
        }
    }

    /// The trace entry of the packet a row shows.
    fn row_packet(&self, row: usize) -> Option<&mqttlab_core::sim::trace::TraceEntry> {
        let k = (*self.row_entry.get(row)? as usize).checked_sub(1)?;
        self.world().trace().entries().get(k)
    }

    /// Whether diagram row `row`'s packet is MQTT 5.0's (its bytes are read at
    /// level 5).
    pub fn row_v5(&self, row: usize) -> bool {
        self.row_packet(row)
            .is_some_and(|e| matches!(e.kind, TraceKind::Packet { v5: true, .. }))
    }

    /// Broker log lines so far.
    pub fn log(&self) -> &[LogLine] {
        &self.log
    }

    /// Client node names and what their terminals show.
    pub fn terminals(&self) -> &BTreeMap<String, Vec<String>> {
        &self.terminals
    }

    /// Runs the world until `t` (events due at `t` included).
    pub fn run_until(&mut self, t: Instant) {
        self.sampler.run_toward(&mut self.timeline, t, u64::MAX);
        self.sync();
    }

    /// Runs toward `t` but at most `max_events` events, so that the page can draw
    /// and answer between slices of a long run. Returns whether it reached `t`.
    pub fn run_toward(&mut self, t: Instant, max_events: u64) -> bool {
        let done = self.sampler.run_toward(&mut self.timeline, t, max_events);
        self.sync();
        done
    }

    /// Runs until one more diagram row appears, or nothing is left to happen
    /// before `limit`. Returns whether a row appeared.
    pub fn step_packet(&mut self, limit: Instant) -> bool {
        let before = self.rows.len();
        while self.rows.len() == before {
            match self.world().next_event_time() {
                Some(t) if t <= limit => {
                    self.timeline.step();
                    self.sync();
                }
                _ => return false,
            }
        }
        true
    }

    /// A command line typed into `node`'s terminal: `mosquitto_pub ...`,
    /// `mosquitto_sub ...` or `^C`. Errors are printed on that terminal, as a shell
    /// would, and returned.
    pub fn command(&mut self, node: &str, line: &str) -> Result<(), String> {
        let id = self.client_index(node)?;
        if line.trim() == INTERRUPT {
            // A shell echoes ^C under what the program printed, then prompts again.
            self.echo(node, INTERRUPT);
            self.input(Input::Act(Action::Stop(id)))
        } else {
            self.echo(node, &format!("{node}$ {line}"));
            let result = self.input(Input::Command {
                node: id,
                line: line.to_string(),
            });
            if let Err(text) = &result {
                self.echo(node, text);
            }
            result
        }
    }

    /// Applies an input now (after what is left of the current instant) and
    /// shows at once what it sets off at this very instant (the CONNECT).
    pub fn apply_input(&mut self, input: Input) -> Result<(), String> {
        self.input(input)
    }

    fn input(&mut self, input: Input) -> Result<(), String> {
        let result = self.timeline.input(input).map_err(|e| e.to_string());
        self.sync();
        result
    }

    /// A control pressed on a node.
    pub fn control(&mut self, node: &str, control: Control) -> Result<(), String> {
        let input = self.control_input(node, control)?;
        self.input(input)
    }

    /// The input a control pressed on `node` is.
    pub fn control_input(&self, node: &str, control: Control) -> Result<Input, String> {
        let id = self
            .world()
            .node_id(node)
            .ok_or_else(|| format!("no node named '{node}'"))?;
        let action = match control {
            Control::Kill => Action::Kill(id),
            Control::Disconnect => Action::Stop(id),
            Control::HalfOpen => Action::HalfOpen(id),
            Control::Partition => Action::Partition(id),
            Control::Heal => Action::Heal(id),
            Control::Restart => Action::Restart(id),
        };
        Ok(Input::Act(action))
    }

    /// New settings for the link between client `node` and its broker, from now
    /// on (frames already on their way keep their arrival time).
    pub fn set_link(&mut self, node: &str, settings: LinkSettings) -> Result<(), String> {
        let input = self.link_input(node, settings)?;
        self.input(input)
    }

    /// The input new link settings for `node` are.
    pub fn link_input(&self, node: &str, settings: LinkSettings) -> Result<Input, String> {
        let id = self.client_index(node)?;
        let mut params = self.world().link_params(id).cloned().unwrap_or_default();
        params.latency = std::time::Duration::from_millis(settings.latency_ms);
        params.loss_ppm = (settings.loss_pct.clamp(0.0, 100.0) * 10_000.0).round() as u32;
        Ok(Input::Act(Action::SetLink { node: id, params }))
    }

    /// Arms a fault rule now, written as the scenario language's `fault` line
    /// (`drop next PUBACK to sensor1`; the word `fault` may be left out). An
    /// error names the column of the typed text.
    pub fn fault(&mut self, line: &str) -> Result<(), String> {
        let input = self
            .fault_input(line, self.now())
            .map_err(|e| e.to_string())?;
        self.input(input)
    }

    /// The input a typed fault rule armed at `at` is.
    pub fn fault_input(&self, line: &str, at: Instant) -> Result<Input, FaultRefused> {
        let typed = line.trim();
        let rule = typed
            .strip_prefix("fault ")
            .map(str::trim_start)
            .unwrap_or(typed);
        // The world's nodes are declared first, so the rule can name them.
        let mut text = String::new();
        for n in self.world().nodes() {
            match n {
                Node::Broker(b) => text += &format!("broker {}\n", b.name),
                Node::Client(c) => {
                    let broker = self.world().node(c.broker).map_or("", |b| b.name());
                    text += &format!("client {} -> {broker}\n", c.name);
                }
            }
        }
        let lead = format!("at {}us fault ", at.as_micros());
        let last_line = text.lines().count() + 1;
        text += &lead;
        text += rule;
        let sc = scenario::parse(&text).map_err(|errors| {
            FaultRefused(
                errors
                    .0
                    .into_iter()
                    .map(|e| {
                        let column = (e.line == last_line).then(|| {
                            let shift =
                                lead.chars().count() + typed.chars().count() - rule.chars().count();
                            e.column.saturating_sub(shift).max(1)
                        });
                        (column, e.problem)
                    })
                    .collect(),
            )
        })?;
        let Some(ActionSpec::Fault(spec)) = sc.actions.last().map(|a| &a.action) else {
            let missing = Problem::Missing {
                what: Expected::Fault,
                at_end: true,
            };
            return Err(FaultRefused(vec![(None, missing)]));
        };
        let rule =
            fault_rule(self.world(), spec).map_err(|e| FaultRefused(vec![(None, e.problem)]))?;
        Ok(Input::Act(Action::Fault(Box::new(rule))))
    }

    /// The input a command line typed into `node` is (`^C`: Ctrl-C).
    pub fn command_input(&self, node: &str, line: &str) -> Result<Input, String> {
        let id = self.client_index(node)?;
        Ok(if line.trim() == INTERRUPT {
            Input::Act(Action::Stop(id))
        } else {
            Input::Command {
                node: id,
                line: line.to_string(),
            }
        })
    }

    /// The input adding an idle client on `broker` is, and the client's name.
    pub fn add_client_input(&self, broker: &str) -> Result<(Input, String), String> {
        let b = self
            .world()
            .node_id(broker)
            .filter(|&i| self.world().broker(i).is_some())
            .ok_or_else(|| format!("no broker named '{broker}'"))?;
        let name = (1..)
            .map(|n| format!("client{n}"))
            .find(|n| self.world().node_id(n).is_none())
            .unwrap_or_default();
        let input = Input::AddClient {
            name: name.clone(),
            broker: b,
            params: LinkParams::default(),
            app: Box::new(App::Idle),
        };
        Ok((input, name))
    }

    /// Adds an idle client on `broker` (named `client1`, `client2`... whichever is
    /// free), with a lifeline on the right and a terminal to type into.
    pub fn add_client(&mut self, broker: &str) -> Result<String, String> {
        let (input, name) = self.add_client_input(broker)?;
        self.input(input)?;
        self.lane_of.insert(name.clone(), self.lanes.len());
        self.lanes.push(name.clone());
        self.terminals.insert(name.clone(), Vec::new());
        Ok(name)
    }

    fn client_index(&self, node: &str) -> Result<NodeId, String> {
        self.world()
            .node_id(node)
            .filter(|&i| self.world().client(i).is_some())
            .ok_or_else(|| format!("no client node named '{node}'"))
    }

    fn echo(&mut self, node: &str, line: &str) {
        self.echo_at(node, line, self.now().as_micros());
    }

    fn echo_at(&mut self, node: &str, line: &str, time_us: u64) {
        self.terminals
            .entry(node.to_string())
            .or_default()
            .push(line.to_string());
        self.terminal_times
            .entry(node.to_string())
            .or_default()
            .push(time_us);
    }

    fn lane(&self, node: &str) -> usize {
        self.lane_of.get(node).copied().unwrap_or(0)
    }

    /// The first broker's lifeline: where a note about no node in particular goes.
    fn broker_lane(&self) -> usize {
        self.lanes
            .iter()
            .position(|l| {
                self.world()
                    .node_id(l)
                    .is_some_and(|i| self.world().broker(i).is_some())
            })
            .unwrap_or(0)
    }

    /// Adds a row; `entry` is the trace entry of its packet, if it shows one.
    fn push_row(&mut self, row: DiagramRow, entry: Option<usize>) {
        self.rows.push(row);
        self.row_entry.push(entry.map_or(0, |k| k as u32 + 1));
    }

    fn push_note(&mut self, time_us: u64, lane: usize, note: RowNote) {
        let row = DiagramRow {
            time_us,
            label: String::new(),
            kind: RowKind::Note { lane, note },
            fault: None,
            sent: None,
        };
        self.push_row(row, None);
    }

    /// Feeds the specification checker the trace entries it has not seen
    /// (each entry once): called as a run goes on, so that [`Session::checks`]
    /// costs only the end of the run.
    pub fn check_more(&mut self) {
        let entries = self.timeline.world().trace().entries();
        let c = &mut self.checked;
        for e in entries.get(c.fed..).unwrap_or_default() {
            c.end_ns = e.time.as_micros() * 1000;
            mqttlab_core::checker::trace::feed(&mut c.checker, e);
            if let TraceKind::Packet {
                conn,
                to_broker,
                from,
                to,
                ..
            } = &e.kind
            {
                if let (Some(f), Some(t)) = (self.lane_of.get(from), self.lane_of.get(to)) {
                    c.ends.entry((*conn, *to_broker)).or_insert((*f, *t));
                }
            }
        }
        c.fed = entries.len();
    }

    /// The specification checker over the run so far (what reached the
    /// broker and what it sent), each finding's packets placed on their
    /// diagram rows: a client's packet is the row that arrives at the broker
    /// when it did, the broker's the row that left it when it did (the first
    /// such row).
    pub fn checks(&mut self) -> ChecksView {
        use mqttlab_core::capture::Direction as Way;
        self.check_more();
        let report = self.checked.checker.clone().finish(self.checked.end_ns);
        let ends = &self.checked.ends;
        let place = |p: &PacketRef| {
            let (f, t) = ends.get(&(p.conn as u64, p.direction == Way::ToServer))?;
            Some((*f, *t, p.time_ns / 1000))
        };
        // The rows of the packets the findings name, found in one pass over the
        // rows (none when nothing was found).
        let mut at: BTreeMap<(usize, usize, u64), Option<usize>> = report
            .findings
            .iter()
            .flat_map(|f| &f.packets)
            .filter_map(place)
            .map(|k| (k, None))
            .collect();
        let mut missing = at.len();
        for (i, r) in self.rows.borrow().iter().enumerate() {
            if missing == 0 {
                break;
            }
            if let RowKind::Packet { from, to, .. } = r.kind {
                for time in std::iter::once(r.time_us).chain(r.sent.map(|s| s.time_us)) {
                    if let Some(slot @ None) = at.get_mut(&(from, to, time)) {
                        *slot = Some(i);
                        missing -= 1;
                    }
                }
            }
        }
        ChecksView::new(&report, |p| at.get(&place(p)?).copied().flatten())
    }

    /// Reads the trace entries not seen yet.
    fn sync(&mut self) {
        let entries = self.timeline.world().trace().entries();
        if self.seen >= entries.len() {
            return;
        }
        let new: Vec<_> = entries[self.seen..].to_vec();
        let base = self.seen;
        self.seen = entries.len();
        for (k, e) in new.into_iter().enumerate() {
            let entry = base + k;
            self.entry_rows.push(self.rows.len() as u32);
            let time_us = e.time.as_micros();
            match e.kind {
                TraceKind::Packet {
                    fate: Fate::Sent,
                    from,
                    conn,
                    bytes,
                    ..
                } => {
                    let at = SentAt {
                        time_us,
                        row: self.rows.len(),
                    };
                    self.on_the_way.sent((conn, from), &bytes, at);
                }
                TraceKind::Packet {
                    fate: fate @ (Fate::Delivered | Fate::Dropped),
                    from,
                    to,
                    conn,
                    summary,
                    dup,
                    bytes,
                    note,
                    ..
                } => {
                    let sent = if dropped_at_sending(&note) {
                        None
                    } else {
                        self.on_the_way.arrived(&(conn, from.clone()), &bytes)
                    };
                    let row = DiagramRow {
                        time_us,
                        label: summary,
                        kind: RowKind::Packet {
                            from: self.lane(&from),
                            to: self.lane(&to),
                            dropped: fate == Fate::Dropped,
                            dup,
                        },
                        fault: note,
                        sent,
                    };
                    self.push_row(row, Some(entry));
                }
                // The broker's keepalive timer (1.5 × the client's keep alive
                // without a packet) is drawn on its lifeline when it closes the
                // connection. Resends after an ack timeout need no note: they are
                // the DUP arrows.
                TraceKind::Close {
                    fate: Fate::Sent,
                    from,
                    to,
                    conn,
                    kind,
                    reason,
                    ..
                } => {
                    if reason == Some(CloseReason::KeepAliveTimeout) {
                        let lane = self.lane(&from);
                        self.push_note(time_us, lane, RowNote::KeepaliveExpired { client: to });
                    }
                    let at = SentAt {
                        time_us,
                        row: self.rows.len(),
                    };
                    self.on_the_way.sent((conn, from), close_marker(kind), at);
                }
                TraceKind::Close {
                    fate: fate @ (Fate::Delivered | Fate::Dropped),
                    from,
                    to,
                    conn,
                    kind,
                    ..
                } => {
                    let label = match kind {
                        CloseKind::Fin => "TCP FIN",
                        CloseKind::Reset => "TCP RST",
                    };
                    let sent = self
                        .on_the_way
                        .arrived(&(conn, from.clone()), close_marker(kind));
                    let row = DiagramRow {
                        time_us,
                        label: label.to_string(),
                        kind: RowKind::Packet {
                            from: self.lane(&from),
                            to: self.lane(&to),
                            dropped: fate == Fate::Dropped,
                            dup: false,
                        },
                        fault: None,
                        sent,
                    };
                    self.push_row(row, None);
                }
                TraceKind::Open { client, .. } => {
                    let lane = self.lane(&client);
                    self.push_note(time_us, lane, RowNote::TcpConnect);
                }
                TraceKind::Log { node, text } => self.log.push(LogLine {
                    time_us,
                    broker: node,
                    text,
                }),
                TraceKind::State { node, note } => {
                    let lane = self.lane(&node);
                    self.push_note(time_us, lane, RowNote::Sim(note));
                }
                TraceKind::Fault { label, node, event } => {
                    let lane = match &node {
                        Some(n) => self.lane(n),
                        None => self.broker_lane(),
                    };
                    let note = RowNote::Fault { rule: label, event };
                    self.push_note(time_us, lane, note);
                }
                TraceKind::Terminal { node, text } => self.echo_at(&node, &text, time_us),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mqttlab_core::broker::BrokerConfig;
    use mqttlab_core::sim::{LinkParams, TraceMode};
    use std::time::Duration;

    fn world(clients: &[&str]) -> World {
        let mut w = World::new(7, TraceMode::Full);
        let b = w.add_broker("broker", BrokerConfig::default()).unwrap();
        for c in clients {
            w.add_client(c, b, LinkParams::default(), App::Idle)
                .unwrap();
        }
        w
    }

    /// The checker fed as a run goes on, in slices of any size, says what one
    /// pass over the whole trace says; each finding's packet is placed on the
    /// first packet row between its connection's lanes that arrived, or was
    /// sent, at its time (none if no row is).
    #[test]
    fn the_checker_kept_up_with_a_run_says_what_one_pass_over_its_trace_says() {
        let forgetful = "broker broker\nclient monitor -> broker\nclient sensor -> broker\n\
            client app -> broker\nfault forget next PUBLISH from broker to monitor\n\
            at 1s monitor: mosquitto_sub -h broker -t sensor/status -q 1 -i monitor\n\
            at 2s sensor: mosquitto_sub -h broker -t cmd -i sensor --will-topic sensor/status \
            --will-payload off-line --will-qos 1\nat 5s kill sensor\n\
            at 8s app: mosquitto_pub -h broker -t sensor/status -m back -q 1 -i app\nrun 15s\n";
        let sources = mqttlab_core::sim::bundled::BUNDLED
            .iter()
            .map(|b| (b.name, b.source))
            .chain([("forget next PUBLISH", forgetful)]);
        let mut placed = 0;
        for (name, source) in sources {
            let (mut s, sc) = Session::from_scenario(source, Some(1)).unwrap();
            let end = sc.end_time();
            let mut slice = 1;
            while !s.run_toward(end, slice) {
                s.check_more();
                slice = slice * 3 + 1;
            }
            let view = s.checks();
            let whole = mqttlab_core::checker::trace::check_trace(s.world().trace().entries());
            let kept = s.checked.checker.clone().finish(s.checked.end_ns);
            assert_eq!(kept, whole, "{name}");
            let rows = s.rows();
            let fits = |p: &PacketRef, r: &DiagramRow| {
                let way = p.direction == mqttlab_core::capture::Direction::ToServer;
                let lanes = s.checked.ends.get(&(p.conn as u64, way));
                let time = p.time_ns / 1000;
                matches!(r.kind, RowKind::Packet { from, to, .. }
                    if lanes == Some(&(from, to))
                        && (r.time_us == time || r.sent.is_some_and(|x| x.time_us == time)))
            };
            assert_eq!(view.findings.len(), whole.findings.len(), "{name}");
            for (f, v) in whole.findings.iter().zip(&view.findings) {
                for (p, pv) in f.packets.iter().zip(&v.packets) {
                    let first = rows.iter().position(|r| fits(p, r));
                    assert_eq!(pv.row, first, "{name}: {p:?}");
                    placed += usize::from(first.is_some());
                }
            }
        }
        assert!(placed > 0, "no finding was placed on a row");
    }

    #[test]
    fn the_broker_sits_between_the_clients() {
        let s = Session::new(world(&["sensor1", "monitor"]));
        assert_eq!(s.lanes(), ["sensor1", "broker", "monitor"]);
    }

    #[test]
    fn many_clients_come_after_the_broker() {
        let names: Vec<String> = (0..17).map(|i| format!("s{i}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let s = Session::new(world(&names));
        assert_eq!(s.lanes()[..3], ["broker", "s0", "s1"]);
        assert_eq!(s.lanes().len(), 18);
    }

    #[test]
    fn typed_commands_drive_the_world_and_a_kill_fires_the_will() {
        let mut s = Session::new(world(&["sensor1", "monitor"]));
        s.command(
            "sensor1",
            "mosquitto_pub -h broker -t sensor1/status -m on-line -r --repeat 20 --repeat-delay 5 \
             --will-topic sensor1/status --will-payload off-line --will-retain",
        )
        .unwrap();
        s.run_until(s.now() + Duration::from_secs(12));
        s.command("monitor", "mosquitto_sub -h broker -t sensor1/status")
            .unwrap();
        s.run_until(s.now() + Duration::from_secs(3));
        assert!(s.terminals()["monitor"].iter().any(|l| l == "on-line"));
        s.control("sensor1", Control::Kill).unwrap();
        s.run_until(s.now() + Duration::from_secs(5));
        assert_eq!(s.terminals()["monitor"].last().unwrap(), "off-line");
        assert!(s
            .rows()
            .iter()
            .any(|r| r.label.starts_with("CONNECT") && matches!(r.kind, RowKind::Packet { .. })));
        assert!(s
            .log()
            .iter()
            .any(|l| l.text.contains("Sending PUBLISH to")));
    }

    #[test]
    fn a_half_open_client_is_cut_by_the_keepalive_timer_on_the_diagram() {
        let mut s = Session::new(world(&["sensor1"]));
        s.command(
            "sensor1",
            "mosquitto_sub -h broker -t casa/# -k 10 -i sensor1",
        )
        .unwrap();
        s.run_until(Instant::from_secs(2));
        s.control("sensor1", Control::HalfOpen).unwrap();
        s.run_until(Instant::from_secs(30));
        let note = s
            .rows()
            .iter()
            .find(|r| {
                matches!(
                    r.kind,
                    RowKind::Note {
                        note: RowNote::KeepaliveExpired { .. },
                        ..
                    }
                )
            })
            .cloned()
            .expect("a timer note");
        assert_eq!(
            note.kind,
            RowKind::Note {
                lane: 1,
                note: RowNote::KeepaliveExpired {
                    client: "sensor1".into()
                }
            }
        );
        // 1.5 × 10 s after the last packet the client sent (its SUBSCRIBE near 0 s).
        assert!(
            (15_000_000..15_100_000).contains(&note.time_us),
            "{}",
            note.time_us
        );
    }

    #[test]
    fn a_bad_command_is_explained_on_the_terminal() {
        let mut s = Session::new(world(&["sub1"]));
        let e = s.command("sub1", "mosquitto_sub -q 3 -t x").unwrap_err();
        assert_eq!(s.terminals()["sub1"].last().unwrap(), &e);
        assert!(s.command("nobody", "mosquitto_sub -t x").is_err());
    }

    #[test]
    fn stepping_stops_at_the_next_packet() {
        let mut s = Session::new(world(&["sub1"]));
        s.command("sub1", "mosquitto_sub -h broker -t topico")
            .unwrap();
        let before = s.rows().len();
        assert!(s.step_packet(Instant::from_secs(100)));
        assert_eq!(s.rows().len(), before + 1);
    }
}
