//! Going back in time: a [`Timeline`] drives a world, keeps what was done to it
//! from outside (a command typed, a control pressed, a client added) with its
//! time, and a copy of the world every few thousand events. Any earlier moment
//! is then rebuilt by deterministic replay: the last checkpoint before it,
//! cloned, run forward with the inputs made since. A fork is the same replay
//! stopped just before a moment, with something changed there.
//!
//! Inputs are applied only between instants (after every event of the current
//! instant), so an input's time alone says where it goes: a replay from the
//! scenario, a checkpoint, or a shared link all put it in the same place.
//!
//! A checkpoint keeps no trace entries: those before it are the live run's own,
//! and a rebuilt moment reads them from there ([`Past::entries`]).
//!
//! ```
//! use mqttlab_core::sim::replay::{Input, Timeline};
//! use mqttlab_core::sim::scenario;
//! use mqttlab_core::sim::{bundled, TraceMode};
//! use mqttlab_core::time::Instant;
//!
//! let sc = scenario::parse(bundled::find("06-last-will.mqtt").unwrap().source).unwrap();
//! let mut live = Timeline::new(sc.build(1, TraceMode::Full).unwrap());
//! live.run_until(sc.end_time());
//! // The broker's state at 30 s, before the kill:
//! let past = live.at(Instant::from_secs(30));
//! assert_eq!(past.world.now(), Instant::from_secs(30));
//! assert!(past.entries.len() < live.world().trace().entries().len());
//! // What if alpine1 had been stopped with Ctrl-C instead of killed at 35.6 s?
//! let alpine1 = live.world().node_id("alpine1").unwrap();
//! let fork = live.fork(
//!     Instant::from_millis(35_600),
//!     vec![Input::Instead, Input::Act(mqttlab_core::sim::Action::Stop(alpine1))],
//! );
//! assert!(fork.is_ok());
//! ```

use core::fmt;

use crate::time::Instant;

use super::action::Action;
use super::id::{NodeId, WorldError};
use super::link::LinkParams;
use super::node::{App, MosquittoCli};
use super::trace::TraceEntry;
use super::world::World;

/// Events between checkpoints. A moment is rebuilt by cloning one checkpoint
/// (a few milliseconds: what grows with the run is shared between clones,
/// [`History`](super::history::History)) and running at most this many events
/// without a trace (`replay_cost` in `core/tests/replay.rs` prints the
/// figures on a 100,000-event world).
pub const CHECKPOINT_EVERY: u64 = 1_000;

/// Checkpoints kept at most. When a run outgrows them, every other one is
/// dropped (the first, the world as built, stays) and the interval doubles:
/// memory stays bounded however long the run, and a scrub replays at most
/// the interval's events, which grows with the run (a 1,000,000-event run
/// keeps one every 4,000 events).
pub const MAX_CHECKPOINTS: usize = 256;

/// Node copies all checkpoints may hold together. A checkpoint copies every node
/// (about 4.8 KB each in the page's worker: a 1,000-sensor world's 65 checkpoints
/// take 315 MB), so a world of more than 256 nodes keeps fewer of them, further
/// apart (a 10,000-sensor world keeps 6, about 300 MB), and its scrubs replay more
/// events.
pub const CHECKPOINT_NODE_BUDGET: usize = 64 * 1024;

/// Something done to the world from outside, at the time it is recorded with.
#[derive(Debug, Clone)]
pub enum Input {
    /// An action (a control pressed, a link changed, a fault rule armed...).
    Act(Action),
    /// A command line typed into a client host's terminal: parsed when it is
    /// applied, drawing on the host's command generator as the live run did.
    Command {
        /// The client host.
        node: NodeId,
        /// `mosquitto_pub ...` or `mosquitto_sub ...`.
        line: String,
    },
    /// A client host added (a terminal to type into).
    AddClient {
        /// Its name.
        name: String,
        /// Its broker.
        broker: NodeId,
        /// Its link.
        params: LinkParams,
        /// What runs there.
        app: Box<App>,
    },
    /// The actions the world itself would apply at this instant (a scenario's
    /// `at 35.6s kill alpine1`) are not applied: a fork's "instead".
    Instead,
}

/// Why an input could not be applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputError {
    /// A node it names is not there, or is not what it must be.
    World(WorldError),
    /// A typed command line is not a command (the shell would print this).
    Command(crate::tools::cli::CliError),
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::World(e) => e.fmt(f),
            InputError::Command(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for InputError {}

impl From<WorldError> for InputError {
    fn from(e: WorldError) -> Self {
        InputError::World(e)
    }
}

/// A copy of the world and how many inputs it had seen.
#[derive(Debug, Clone)]
struct Checkpoint {
    world: World,
    inputs: usize,
}

/// A world as it was at an earlier moment.
#[derive(Debug)]
pub struct Past<'a> {
    /// The world then. Its trace records nothing: read [`Past::entries`].
    pub world: World,
    /// The whole trace up to then (a prefix of the live run's).
    pub entries: &'a [TraceEntry],
    /// Events run from the checkpoint to rebuild it.
    pub replayed: u64,
}

/// A live world, its inputs and its checkpoints. See the [module
/// documentation](self).
#[derive(Debug, Clone)]
pub struct Timeline {
    live: World,
    inputs: Vec<(Instant, Input)>,
    checkpoints: Vec<Checkpoint>,
    every: u64,
    max: usize,
}

/// Applies `input` to `w` at `at` (the world's clock is at or before `at`, and
/// every event before `at` is done), then runs what it sets off at `at`.
fn apply(w: &mut World, at: Instant, input: &Input) -> Result<(), InputError> {
    let result = match input {
        Input::Act(a) => w.schedule(at, a.clone()).map_err(InputError::from),
        Input::Command { node, line } => {
            let rng = w.command_rng(*node)?;
            match MosquittoCli::parse(line, rng) {
                Ok(cli) => w
                    .schedule(
                        at,
                        Action::Run {
                            node: *node,
                            app: Box::new(App::Cli(cli)),
                        },
                    )
                    .map_err(InputError::from),
                Err(e) => Err(InputError::Command(e)),
            }
        }
        Input::AddClient {
            name,
            broker,
            params,
            app,
        } => w
            .add_client(name, *broker, params.clone(), (**app).clone())
            .map(|_| ())
            .map_err(InputError::from),
        Input::Instead => {
            w.cancel_actions_at(at);
            Ok(())
        }
    };
    w.run_until(at);
    result
}

impl Timeline {
    /// Starts keeping the timeline of a freshly built world.
    pub fn new(world: World) -> Timeline {
        Timeline::with_interval(world, CHECKPOINT_EVERY)
    }

    /// The same, with a checkpoint every `every` events (benchmarks compare).
    pub fn with_interval(world: World, every: u64) -> Timeline {
        Timeline::with_limits(world, every, MAX_CHECKPOINTS)
    }

    /// The same, with a checkpoint every `every` events at first and at most
    /// `max` of them (at least 2) kept.
    pub fn with_limits(world: World, every: u64, max: usize) -> Timeline {
        let first = Checkpoint {
            world: world.checkpoint(),
            inputs: 0,
        };
        Timeline {
            live: world,
            inputs: Vec::new(),
            checkpoints: vec![first],
            every: every.max(1),
            max: max.max(2),
        }
    }

    /// The live world.
    pub fn world(&self) -> &World {
        &self.live
    }

    /// The live world, to change it in ways that are not inputs: views only
    /// (keeping received messages or not). What changes its course must be an
    /// [`Input`], or no replay can follow it.
    pub fn world_mut_untracked(&mut self) -> &mut World {
        &mut self.live
    }

    /// Virtual time of the live world.
    pub fn now(&self) -> Instant {
        self.live.now()
    }

    /// The inputs so far, with their times.
    pub fn inputs(&self) -> &[(Instant, Input)] {
        &self.inputs
    }

    /// How many checkpoints are kept.
    pub fn checkpoints(&self) -> usize {
        self.checkpoints.len()
    }

    /// Events between checkpoints now (it doubles each time they are thinned).
    pub fn checkpoint_interval(&self) -> u64 {
        self.every
    }

    /// When each checkpoint was taken.
    pub fn checkpoint_times(&self) -> Vec<Instant> {
        self.checkpoints.iter().map(|c| c.world.now()).collect()
    }

    fn events(&self) -> u64 {
        self.live.stats().events
    }

    fn maybe_checkpoint(&mut self) {
        let last = self
            .checkpoints
            .last()
            .map_or(0, |c| c.world.stats().events);
        if self.events() >= last + self.every {
            self.checkpoints.push(Checkpoint {
                world: self.live.checkpoint(),
                inputs: self.inputs.len(),
            });
            let budget = (CHECKPOINT_NODE_BUDGET / self.live.nodes().len().max(1)).max(2);
            while self.checkpoints.len() > self.max.min(budget) {
                self.thin();
            }
        }
    }

    /// Keeps every other checkpoint (the first always) and doubles the
    /// interval, so that the ones kept stay about evenly spread.
    fn thin(&mut self) {
        let mut k = 0;
        self.checkpoints.retain(|_| {
            k += 1;
            k % 2 == 1
        });
        self.every = self.every.saturating_mul(2);
    }

    /// Events left before the next checkpoint is due.
    fn to_next_checkpoint(&self) -> u64 {
        let last = self
            .checkpoints
            .last()
            .map_or(0, |c| c.world.stats().events);
        (last + self.every).saturating_sub(self.events()).max(1)
    }

    /// Applies the next event ([`World::step`]).
    pub fn step(&mut self) -> Option<Instant> {
        let t = self.live.step();
        self.maybe_checkpoint();
        t
    }

    /// Runs the live world until `t` ([`World::run_until`]).
    pub fn run_until(&mut self, t: Instant) {
        while !self.run_until_limited(t, u64::MAX) {}
    }

    /// Runs toward `t`, at most `max_events` events
    /// ([`World::run_until_limited`]). Returns whether it reached `t`.
    pub fn run_until_limited(&mut self, t: Instant, max_events: u64) -> bool {
        let mut left = max_events;
        loop {
            let chunk = self.to_next_checkpoint().min(left);
            let before = self.events();
            let done = self.live.run_until_limited(t, chunk);
            left -= self.events() - before;
            self.maybe_checkpoint();
            if done {
                return true;
            }
            if left == 0 {
                return false;
            }
        }
    }

    /// Applies `input` to the live world now, after whatever is left of the
    /// current instant, and records it. A command line that is not one is
    /// recorded all the same (parsing it drew on the host's generator).
    pub fn input(&mut self, input: Input) -> Result<(), InputError> {
        let now = self.live.now();
        self.live.run_until(now);
        let result = apply(&mut self.live, now, &input);
        if !matches!(result, Err(InputError::World(_))) {
            self.inputs.push((now, input));
        }
        self.maybe_checkpoint();
        result
    }

    /// The last checkpoint whose world is not past `limit` (strictly before it
    /// if `strict`).
    fn checkpoint_for(&self, limit: Instant, strict: bool) -> &Checkpoint {
        let fits = |c: &Checkpoint| {
            let t = c.world.now();
            if strict {
                t < limit
            } else {
                t <= limit
            }
        };
        let k = self.checkpoints.partition_point(fits);
        // The first checkpoint is the world as built, before anything ran.
        &self.checkpoints[k.saturating_sub(1)]
    }

    /// Replays from a checkpoint to `t`: inputs at times before `t` (and at
    /// `t` too if `inclusive`), then events up to `t` (or before it). Without
    /// `trace`, the replay records no trace (half the cost of an event: the
    /// entries are the live run's anyway).
    fn replay(&self, t: Instant, inclusive: bool, trace: bool) -> World {
        let cp = self.checkpoint_for(t, !inclusive);
        let mut w = if trace {
            cp.world.clone()
        } else {
            cp.world.clone_without_trace()
        };
        for (at, input) in &self.inputs[cp.inputs..] {
            if *at > t || (*at == t && !inclusive) {
                break;
            }
            w.run_until(*at);
            // It was applied once already; it applies the same way again.
            let _ = apply(&mut w, *at, input);
        }
        if inclusive {
            w.run_until(t);
        } else if t > Instant::ZERO && w.now() < t {
            w.run_until(Instant::from_micros(t.as_micros() - 1));
        }
        w
    }

    /// The world as it was at `t`: every event and input up to and including
    /// `t`, as a fresh run stopped at `t` would be. A time past the live
    /// world's is the live world's time.
    pub fn at(&self, t: Instant) -> Past<'_> {
        let t = t.min(self.live.now());
        let from = self.checkpoint_for(t, false).world.stats().events;
        let world = self.replay(t, true, false);
        // Every event up to `t` and nothing after it: the entries up to `t`.
        let all = self.live.trace().entries();
        let n = all.partition_point(|e| e.time <= t);
        Past {
            replayed: world.stats().events - from,
            world,
            entries: &all[..n],
        }
    }

    /// A branch of this run at `t`: the world with everything before `t` done,
    /// then `changes` applied at `t` (before the world's own events of that
    /// instant, which [`Input::Instead`] cancels). Inputs of this run at or
    /// after `t` are not carried over. The branch keeps its own timeline.
    pub fn fork(&self, t: Instant, changes: Vec<Input>) -> Result<Timeline, InputError> {
        let mut w = self.replay(t, false, true);
        let cp_entries = w.trace().len() as usize - w.trace().entries().len();
        let all = self.live.trace().entries();
        w.prepend_trace(&all[..cp_entries.min(all.len())]);
        let mut branch = Timeline::new(w);
        // The branch's own replays start from the fork; what came before is
        // this timeline's.
        for change in changes {
            apply(&mut branch.live, t, &change)?;
            branch.inputs.push((t, change));
        }
        Ok(branch)
    }
}

#[cfg(test)]
mod tests {
    use core::time::Duration;

    use super::*;
    use crate::sim::bundled::BUNDLED;
    use crate::sim::scenario;
    use crate::sim::trace::{first_difference, TraceKind};
    use crate::sim::TraceMode;

    /// Everything a world holds, but its trace (compared apart).
    fn state(w: &World) -> String {
        format!("{:?}", w.clone_without_trace())
    }

    fn fresh(source: &str, t: Instant) -> World {
        let sc = scenario::parse(source).unwrap();
        let mut w = sc.build(1, TraceMode::Full).unwrap();
        w.run_until(t);
        w
    }

    #[test]
    fn every_bundled_scenario_scrubbed_back_equals_a_fresh_run_stopped_there() {
        for b in BUNDLED {
            let sc = scenario::parse(b.source).unwrap();
            let end = sc.end_time();
            // A small interval, so that most moments are rebuilt from a
            // checkpoint other than the first.
            let mut live = Timeline::with_interval(sc.build(1, TraceMode::Full).unwrap(), 50);
            live.run_until(end);
            let e = end.as_micros();
            let mut times = vec![0, 1, e / 7, e / 3, e / 2, 2 * e / 3 + 1, e - 1, e];
            // The instant of an event too, where a checkpoint may fall mid-instant.
            if let Some(en) = live
                .world()
                .trace()
                .entries()
                .get(live.world().trace().entries().len() / 2)
            {
                times.push(en.time.as_micros());
            }
            for t in times.into_iter().map(Instant::from_micros) {
                let past = live.at(t);
                let want = fresh(b.source, t);
                assert_eq!(
                    past.entries,
                    want.trace().entries(),
                    "{} at {t:?}: trace",
                    b.name
                );
                assert_eq!(
                    state(&past.world),
                    state(&want),
                    "{} at {t:?}: state",
                    b.name
                );
                for x in &sc.expects {
                    assert_eq!(
                        scenario::expect::check_in(x, &past.world, past.entries),
                        scenario::expect::check(x, &want),
                        "{} at {t:?}: {}",
                        b.name,
                        x.text
                    );
                }
            }
            assert!(
                live.checkpoints() > 1 || live.world().stats().events < 50,
                "{}",
                b.name
            );
        }
    }

    #[test]
    fn a_world_of_many_nodes_keeps_fewer_checkpoints() {
        // 1,000 sensors: at most 65 checkpoints (65,536 node copies), however
        // small the interval; without the budget this run would keep 256.
        let world = crate::sim::bench::scale_world(1_000, TraceMode::Off);
        let nodes = world.nodes().len();
        let mut live = Timeline::with_interval(world, 10);
        live.run_until(Instant::from_secs(30));
        let events = live.world().stats().events;
        assert!(events / 10 > 2 * MAX_CHECKPOINTS as u64, "{events} events");
        assert!(live.checkpoints() * nodes <= CHECKPOINT_NODE_BUDGET);
        assert!(live.checkpoints() >= CHECKPOINT_NODE_BUDGET / nodes / 2);
        // A moment is still rebuilt exactly: the same broker state as the live run's.
        let t = Instant::from_secs(17);
        let mut fresh = crate::sim::bench::scale_world(1_000, TraceMode::Off);
        fresh.run_until(t);
        let past = live.at(t);
        assert!(past.replayed <= live.checkpoint_interval());
        assert_eq!(past.world.stats(), fresh.stats());
    }

    #[test]
    fn checkpoints_stay_within_their_cap_and_scrubbing_still_equals_a_fresh_run() {
        let b = crate::sim::bundled::find("22-slow-consumer.mqtt").unwrap();
        let sc = scenario::parse(b.source).unwrap();
        let end = sc.end_time();
        let (every, max) = (20, 8);
        let mut live = Timeline::with_limits(sc.build(1, TraceMode::Full).unwrap(), every, max);
        let mut most = 0;
        // Event by event, so that the bound is seen to hold all along.
        while live.now() < end {
            if live.step().is_none() {
                break;
            }
            most = most.max(live.checkpoints());
            assert!(
                live.checkpoints() <= max,
                "{} at {:?}",
                live.checkpoints(),
                live.now()
            );
        }
        live.run_until(end);
        let events = live.world().stats().events;
        // Without the cap this run would keep events / every checkpoints.
        assert!(events / every > 4 * max as u64, "{events} events");
        assert_eq!(most, max);
        // Thinned more than once: the interval doubled each time, and a moment
        // anywhere in the run is rebuilt with at most that many events.
        let interval = live.checkpoint_interval();
        assert!(interval >= every * 4, "{interval}");
        assert!(interval.is_multiple_of(every) && (interval / every).is_power_of_two());
        let times = live.checkpoint_times();
        assert_eq!(times[0], Instant::ZERO);
        assert!(times.windows(2).all(|p| p[0] <= p[1]));
        let e = end.as_micros();
        for t in [0, e / 5, e / 3, e / 2, 3 * e / 4, e - 1, e].map(Instant::from_micros) {
            let past = live.at(t);
            let want = fresh(b.source, t);
            assert!(
                past.replayed <= interval,
                "{} events replayed",
                past.replayed
            );
            assert_eq!(past.entries, want.trace().entries(), "at {t:?}: trace");
            assert_eq!(state(&past.world), state(&want), "at {t:?}: state");
        }
    }

    fn typed_world() -> World {
        let mut w = World::new(7, TraceMode::Full);
        let b = w
            .add_broker("broker", crate::broker::BrokerConfig::default())
            .unwrap();
        for c in ["sensor1", "monitor"] {
            w.add_client(c, b, LinkParams::default(), App::Idle)
                .unwrap();
        }
        w
    }

    /// The Last Will experiment typed by hand: what the page records.
    fn typed_inputs(w: &World) -> Vec<(Instant, Input)> {
        let s = w.node_id("sensor1").unwrap();
        let m = w.node_id("monitor").unwrap();
        vec![
            (
                Instant::from_millis(1_500),
                Input::Command {
                    node: s,
                    line: "mosquitto_pub -h broker -t s/st -m on-line -r --repeat 20 --repeat-delay 5 \
                           --will-topic s/st --will-payload off-line --will-retain"
                        .into(),
                },
            ),
            (
                Instant::from_millis(2_000),
                Input::Command {
                    node: m,
                    line: "mosquitto_sub -h broker -q 3 -t x".into(),
                },
            ),
            (
                Instant::from_millis(12_250),
                Input::Command {
                    node: m,
                    line: "mosquitto_sub -h broker -t s/st".into(),
                },
            ),
            (
                Instant::from_millis(20_000),
                Input::AddClient {
                    name: "client1".into(),
                    broker: w.node_id("broker").unwrap(),
                    params: LinkParams::default(),
                    app: Box::new(App::Idle),
                },
            ),
            (Instant::from_millis(26_000), Input::Act(Action::Kill(s))),
        ]
    }

    fn run_typed(every: u64, stop: Instant) -> Timeline {
        let w = typed_world();
        let inputs = typed_inputs(&w);
        let mut live = Timeline::with_interval(w, every);
        for (at, input) in inputs {
            if at > stop {
                break;
            }
            live.run_until(at);
            // The second command is refused by its parser; it is still an input.
            let _ = live.input(input);
        }
        live.run_until(stop);
        live
    }

    #[test]
    fn typed_commands_and_controls_replay_to_the_same_world() {
        let end = Instant::from_secs(40);
        let live = run_typed(7, end);
        assert_eq!(live.inputs().len(), 5);
        for ms in [
            0, 1_500, 1_501, 2_000, 12_250, 15_000, 20_000, 26_000, 26_001, 33_333, 40_000,
        ] {
            let t = Instant::from_millis(ms);
            let past = live.at(t);
            let want = run_typed(1_000_000, t);
            assert_eq!(past.entries, want.world().trace().entries(), "at {ms} ms");
            assert_eq!(state(&past.world), state(want.world()), "at {ms} ms");
        }
        let monitor = live.world().node_id("monitor").unwrap();
        let out: Vec<_> = live
            .world()
            .client(monitor)
            .unwrap()
            .terminal
            .iter()
            .map(|(_, l)| l.as_str())
            .collect();
        assert_eq!(out.last(), Some(&"off-line"));
    }

    fn first_packet(es: &[crate::sim::TraceEntry]) -> String {
        es.iter()
            .find_map(|e| match &e.kind {
                TraceKind::Packet { summary, .. } => Some(summary.clone()),
                TraceKind::Close { kind, .. } => Some(format!("{kind:?}")),
                _ => None,
            })
            .unwrap_or_default()
    }

    fn published(w: &World) -> Vec<bool> {
        w.wills().iter().map(|m| m.published).collect()
    }

    /// The Last Will scenario forked at its kill into "Ctrl-C instead".
    fn ctrl_c_instead(source: &str) -> (Timeline, Timeline, usize) {
        let sc = scenario::parse(source).unwrap();
        let mut live = Timeline::new(sc.build(1, TraceMode::Full).unwrap());
        live.run_until(sc.end_time());
        let kill = Instant::from_millis(35_600);
        let alpine1 = live.world().node_id("alpine1").unwrap();
        let mut fork = live
            .fork(
                kill,
                vec![Input::Instead, Input::Act(Action::Stop(alpine1))],
            )
            .unwrap();
        fork.run_until(sc.end_time());
        let (a, b) = (
            live.world().trace().entries(),
            fork.world().trace().entries(),
        );
        let d = first_difference(a, b).expect("they part");
        assert_eq!((a[d].time, b[d].time), (kill, kill));
        // Everything before the fork is the original's.
        assert!(a[..d].iter().all(|e| e.time <= kill));
        (live, fork, d)
    }

    #[test]
    fn mosquitto_pub_stopped_with_ctrl_c_instead_of_killed_still_leaves_its_will() {
        // mosquitto_pub 2.0.11 sets no SIGINT handler: Ctrl-C kills it and the
        // kernel closes its socket without DISCONNECT (tools_diff.rs,
        // publisher-ctrl-c). So the runs part at the kill's note, and the
        // broker publishes the will in both.
        let source = crate::sim::bundled::find("06-last-will.mqtt")
            .unwrap()
            .source;
        let (live, fork, d) = ctrl_c_instead(source);
        let (a, b) = (
            live.world().trace().entries(),
            fork.world().trace().entries(),
        );
        assert!(a[d].to_string().contains("killed"), "{}", a[d]);
        assert!(
            b[d].to_string().contains("interrupted (Ctrl-C)"),
            "{}",
            b[d]
        );
        assert_eq!(first_packet(&a[d..]), "Fin");
        assert_eq!(first_packet(&b[d..]), "Fin");
        assert_eq!(published(live.world()), [true]);
        assert_eq!(published(fork.world()), [true]);
    }

    /// The same experiment with the will left by `mosquitto_sub`, which does
    /// say goodbye on Ctrl-C.
    pub(crate) const SUB_WILL: &str = r#"broker broker1
client alpine1 -> broker1 latency 1ms
client alpine2 -> broker1 latency 1ms
at 6.5s alpine1: mosquitto_sub -h 192.168.0.13 -t "cmd/alpine1" --will-topic "sensor1/status" --will-payload "off-line" --will-retain
at 18.2s alpine2: mosquitto_sub -h 192.168.0.13 -t "sensor1/status"
at 35.6s kill alpine1
expect alpine2 receives "off-line" on sensor1/status
run 45s
"#;

    #[test]
    fn a_fork_at_the_kill_with_ctrl_c_instead_parts_at_the_disconnect_and_keeps_the_will() {
        let (live, fork, d) = ctrl_c_instead(SUB_WILL);
        let (a, b) = (
            live.world().trace().entries(),
            fork.world().trace().entries(),
        );
        assert_eq!(first_packet(&a[d..]), "Fin");
        assert_eq!(first_packet(&b[d..]), "DISCONNECT");
        assert_eq!(published(live.world()), [true]);
        assert_eq!(published(fork.world()), [false]);
        let sc = scenario::parse(SUB_WILL).unwrap();
        assert!(scenario::expect::check(&sc.expects[0], live.world()).passed);
        assert!(!scenario::expect::check(&sc.expects[0], fork.world()).passed);
    }

    #[test]
    fn a_fork_is_reproducible_and_a_fork_that_changes_nothing_is_the_original() {
        let source = crate::sim::bundled::find("06-last-will.mqtt")
            .unwrap()
            .source;
        let (live, fork, _) = ctrl_c_instead(source);
        let (_, again, _) = ctrl_c_instead(source);
        assert_eq!(again.world().trace().hash(), fork.world().trace().hash());
        let end = live.now();
        for ms in [0, 1, 6_500, 20_000, 35_600, 45_000] {
            let mut same = live.fork(Instant::from_millis(ms), vec![]).unwrap();
            same.run_until(end);
            assert_eq!(
                same.world().trace().hash(),
                live.world().trace().hash(),
                "at {ms} ms"
            );
            assert_eq!(
                first_difference(
                    live.world().trace().entries(),
                    same.world().trace().entries()
                ),
                None
            );
            assert_eq!(state(same.world()), state(live.world()), "at {ms} ms");
        }
    }

    #[test]
    fn a_fork_can_take_a_fault_rule_away() {
        let source = crate::sim::bundled::find("09-dropped-puback.mqtt")
            .unwrap()
            .source;
        let sc = scenario::parse(source).unwrap();
        let mut live = Timeline::new(sc.build(1, TraceMode::Full).unwrap());
        live.run_until(sc.end_time());
        let rule = live
            .world()
            .faults()
            .first()
            .expect("the scenario's rule")
            .label
            .clone();
        let mut fork = live
            .fork(
                Instant::ZERO,
                vec![Input::Act(Action::RemoveFault(rule.clone()))],
            )
            .unwrap();
        fork.run_until(sc.end_time());
        assert!(fork.world().faults().iter().all(|f| f.label != rule));
        let acted = |w: &World| {
            w.trace()
                .entries()
                .iter()
                .filter(|e| {
                    matches!(
                        &e.kind,
                        TraceKind::Fault {
                            event: crate::sim::note::FaultEvent::Acted { .. },
                            ..
                        }
                    )
                })
                .count()
        };
        assert!(acted(live.world()) > 0);
        assert_eq!(acted(fork.world()), 0);
        let _ = Duration::ZERO;
    }
}
