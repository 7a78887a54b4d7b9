//! The world: nodes, links and fault rules on a virtual clock.
//!
//! Everything that will happen is an event in one queue, ordered by time and then
//! by the order it was scheduled in. [`World::step`] takes the next event and
//! applies it; [`World::run_until`] steps until a time. Nothing waits on a real
//! clock, so a 90 s keep-alive timeout plays in microseconds, and nothing draws on
//! the operating system, so the same world with the same seed gives the same
//! trace, byte for byte, natively and in wasm32. Each part that draws (a link's
//! loss and jitter, a host's ports, its apps, the commands typed on it, a
//! broker) has its own generator derived from the seed and its name
//! ([`Stream`](super::draw::Stream)), so adding a part, or typing a command, never
//! changes what another draws.
//!
//! ```
//! use mqttlab_core::sim::{World, TraceMode, LinkParams, Action};
//! use mqttlab_core::sim::node::{App, MosquittoCli};
//! use mqttlab_core::broker::BrokerConfig;
//! use mqttlab_core::time::Instant;
//!
//! let mut w = World::new(1, TraceMode::Full);
//! let b = w.add_broker("broker1", BrokerConfig::default())?;
//! let sub = w.add_client("sub1", b, LinkParams::default(), App::Idle)?;
//! let publ = w.add_client("pub1", b, LinkParams::default(), App::Idle)?;
//! let s = MosquittoCli::parse(r#"mosquitto_sub -h broker1 -t "topico""#, w.command_rng(sub)?).unwrap();
//! let p = MosquittoCli::parse(r#"mosquitto_pub -h broker1 -m "mensagem" -t "topico""#, w.command_rng(publ)?).unwrap();
//! w.schedule(Instant::ZERO, Action::Run { node: sub, app: Box::new(App::Cli(s)) })?;
//! w.schedule(Instant::from_secs(5), Action::Run { node: publ, app: Box::new(App::Cli(p)) })?;
//! w.run_until(Instant::from_secs(70));
//! let out: Vec<_> = w.client(sub).unwrap().terminal.iter().map(|(_, l)| l.as_str()).collect();
//! assert_eq!(out, ["mensagem"]);
//! # Ok::<(), mqttlab_core::sim::WorldError>(())
//! ```

use std::collections::{BTreeMap, VecDeque};
use std::fmt;

use core::time::Duration;

use crate::broker::{BrokerEvent, ConnId};
use crate::codec::AnyPacket;
use crate::time::Instant;
use crate::tools::TransportError;

use super::action::Action;
use super::fault::FaultRule;
use super::id::{LinkId, NodeId};
use super::link::{Dir, Link, LinkParams};
use super::node::{BrokerNode, ClientNode, Node};
use super::note::PacketNote;
use super::queue::{EventQueue, Ticket};
use super::trace::{CloseKind, Trace, TraceEntry, TraceMode};

mod actions;
mod arrivals;
mod build;
mod hosts;
mod network;
mod nodes;
mod record;
mod stall;
#[cfg(test)]
mod tests;

/// A scheduled happening.
#[derive(Debug, Clone)]
enum Ev {
    Syn {
        link: LinkId,
        conn: ConnId,
    },
    Frame {
        link: LinkId,
        conn: ConnId,
        dir: Dir,
        /// Boxed: a 5.0 packet is large, and the event stays small.
        packet: Box<InFlight>,
        bytes: Vec<u8>,
        /// Boxed: rare, and the event stays small.
        note: Option<Box<PacketNote>>,
    },
    Close {
        link: LinkId,
        conn: ConnId,
        dir: Dir,
        kind: CloseKind,
    },
    Wake {
        node: NodeId,
        at: Instant,
    },
    Action(Box<Action>),
    /// A slow-consumer rule on this link's client may have ended.
    Unstall {
        link: LinkId,
    },
}

/// A packet on its way, with the one-line summary its `sent` trace entry
/// wrote: the entry of its arrival (or loss) reuses it instead of formatting
/// the packet again (`None` when no trace is kept).
#[derive(Clone)]
struct InFlight {
    packet: AnyPacket,
    summary: Option<String>,
}

/// Shows the packet only: the summary belongs to the trace (a copy of the
/// packet's `Display`), so a world replayed without a trace, as a scrub's is,
/// prints the same as the run that kept one (`replay.rs`'s tests compare them).
impl fmt::Debug for InFlight {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InFlight")
            .field("packet", &self.packet)
            .finish_non_exhaustive()
    }
}

/// Counters for benchmarks and summaries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Events processed.
    pub events: u64,
    /// MQTT packets sent.
    pub packets_sent: u64,
    /// MQTT packets delivered.
    pub packets_delivered: u64,
    /// MQTT packets dropped (faults, half-open, closed connections).
    pub packets_dropped: u64,
    /// TCP connections opened.
    pub connections: u64,
}

#[derive(Debug, Clone)]
struct ConnMeta {
    link: LinkId,
    port: u16,
}

/// A will the broker published or discarded (the timeline marks them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WillMoment {
    /// When.
    pub time: Instant,
    /// The broker.
    pub broker: NodeId,
    /// The client whose will it was.
    pub client_id: String,
    /// Published (the connection was lost), or discarded (DISCONNECT).
    pub published: bool,
}

/// A simulated world. See the [module documentation](self). A clone is an
/// independent world that goes on exactly as this one would
/// ([`replay`](super::replay) keeps clones as checkpoints).
#[derive(Debug, Clone)]
pub struct World {
    now: Instant,
    seed: u64,
    queue: EventQueue<Ev>,
    nodes: Vec<Node>,
    links: Vec<Link>,
    faults: Vec<FaultRule>,
    trace: Trace,
    next_conn: u64,
    /// Every connection opened, by id: `ConnId(n)` is `conns[n - 1]` (ids are
    /// handed out in order from 1 and never reused).
    conns: Vec<ConnMeta>,
    /// Each node's next deadline, and its wake in the queue (taken out when the
    /// deadline moves: a wake for a deadline gone would only be skipped, and a
    /// broker's earliest keep-alive moves with every packet).
    timers: Vec<Option<(Instant, Ticket)>>,
    woke: Vec<Option<Instant>>,
    names: BTreeMap<String, NodeId>,
    held: Vec<(LinkId, Ev)>,
    /// Connections that could not even start, by node: what the socket said.
    inbox: BTreeMap<NodeId, VecDeque<TransportError>>,
    stats: Stats,
    broker_events: Option<Vec<(Instant, NodeId, BrokerEvent)>>,
    /// What stalled clients have not read, by link.
    stalls: BTreeMap<LinkId, stall::Stall>,
    /// Wills published or discarded, in order.
    wills: Vec<WillMoment>,
}

impl World {
    /// An empty world whose every random draw follows from `seed`.
    pub fn new(seed: u64, mode: TraceMode) -> Self {
        World {
            now: Instant::ZERO,
            seed,
            queue: EventQueue::default(),
            nodes: Vec::new(),
            links: Vec::new(),
            faults: Vec::new(),
            trace: Trace::new(mode),
            next_conn: 1,
            conns: Vec::new(),
            timers: Vec::new(),
            woke: Vec::new(),
            names: BTreeMap::new(),
            held: Vec::new(),
            inbox: BTreeMap::new(),
            stats: Stats::default(),
            broker_events: None,
            stalls: BTreeMap::new(),
            wills: Vec::new(),
        }
    }

    // ---- getters ----

    /// The virtual time.
    pub fn now(&self) -> Instant {
        self.now
    }
    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }
    /// All nodes, in the order they were added (a node's id is its place here).
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }
    /// All links, in the order they were added (a link's id is its place here).
    pub fn links(&self) -> &[Link] {
        &self.links
    }
    /// A node.
    pub fn node(&self, id: NodeId) -> Option<&Node> {
        self.nodes.get(id.index())
    }
    /// A link.
    pub fn link(&self, id: LinkId) -> Option<&Link> {
        self.links.get(id.index())
    }
    /// A node's id by name.
    pub fn node_id(&self, name: &str) -> Option<NodeId> {
        self.names.get(name).copied()
    }
    /// A client node.
    pub fn client(&self, id: NodeId) -> Option<&ClientNode> {
        self.node(id).and_then(Node::as_client)
    }
    /// A broker node.
    pub fn broker(&self, id: NodeId) -> Option<&BrokerNode> {
        self.node(id).and_then(Node::as_broker)
    }
    /// The trace so far.
    pub fn trace(&self) -> &Trace {
        &self.trace
    }
    /// Hands over the trace entries kept so far ([`Trace::take_entries`]).
    pub fn take_trace_entries(&mut self) -> Vec<super::trace::TraceEntry> {
        self.trace.take_entries()
    }
    /// Counters.
    pub fn stats(&self) -> Stats {
        self.stats
    }
    /// Broker events kept by [`World::record_broker_events`].
    pub fn broker_events(&self) -> &[(Instant, NodeId, BrokerEvent)] {
        self.broker_events.as_deref().unwrap_or(&[])
    }
    /// The current characteristics of a client node's link to its broker.
    pub fn link_params(&self, node: NodeId) -> Option<&LinkParams> {
        self.client(node)
            .map(|c| &self.links[c.link.index()].params)
    }
    /// The fault rules.
    pub fn faults(&self) -> &[FaultRule] {
        &self.faults
    }
    /// When the next event happens.
    pub fn next_event_time(&self) -> Option<Instant> {
        self.queue.peek_time()
    }
    /// Wills the brokers published or discarded so far, in order.
    pub fn wills(&self) -> &[WillMoment] {
        &self.wills
    }

    /// A copy of the world without its trace's entries (hash and count kept):
    /// cheap to keep, and it goes on exactly as this world would.
    pub(crate) fn checkpoint(&self) -> World {
        World {
            trace: self.trace.without_entries(),
            ..self.clone_without_trace()
        }
    }

    /// A clone whose trace records nothing (a replay that only needs the
    /// world's state: the trace changes nothing else).
    pub(crate) fn clone_without_trace(&self) -> World {
        // Cloning the entries only to drop them would cost what the checkpoint
        // saves: the trace is swapped out for the clone.
        World {
            now: self.now,
            seed: self.seed,
            queue: self.queue.clone(),
            nodes: self.nodes.clone(),
            links: self.links.clone(),
            faults: self.faults.clone(),
            trace: Trace::new(TraceMode::Off),
            next_conn: self.next_conn,
            conns: self.conns.clone(),
            timers: self.timers.clone(),
            woke: self.woke.clone(),
            names: self.names.clone(),
            held: self.held.clone(),
            inbox: self.inbox.clone(),
            stats: self.stats,
            broker_events: self.broker_events.clone(),
            stalls: self.stalls.clone(),
            wills: self.wills.clone(),
        }
    }

    /// Puts back the trace entries a [`World::checkpoint`] left out.
    pub(crate) fn prepend_trace(&mut self, earlier: &[TraceEntry]) {
        self.trace.prepend(earlier);
    }

    /// Takes out of the queue the actions due at exactly `at` that were
    /// scheduled (by the scenario or the page) and not yet applied, in order:
    /// what a fork replaces with its change.
    pub fn cancel_actions_at(&mut self, at: Instant) -> Vec<Action> {
        self.queue
            .take_at(at, |e| matches!(e, Ev::Action(_)))
            .into_iter()
            .filter_map(|e| match e {
                Ev::Action(a) => Some(*a),
                _ => None,
            })
            .collect()
    }

    /// The actions due at exactly `at` still waiting to be applied.
    pub fn actions_at(&self, at: Instant) -> Vec<&Action> {
        self.queue
            .at(at)
            .filter_map(|e| match e {
                Ev::Action(a) => Some(&**a),
                _ => None,
            })
            .collect()
    }

    /// A connection's link and port.
    fn conn_meta(&self, conn: ConnId) -> Option<&ConnMeta> {
        let i = usize::try_from(conn.0.checked_sub(1)?).ok()?;
        self.conns.get(i)
    }

    // ---- running ----

    /// Applies the next event; returns its time, or `None` if nothing is left.
    pub fn step(&mut self) -> Option<Instant> {
        let (t, ev) = self.queue.pop()?;
        self.now = self.now.max(t);
        self.stats.events += 1;
        self.dispatch(ev);
        Some(self.now)
    }

    /// Steps through every event up to and including `t`; the clock ends at `t`.
    pub fn run_until(&mut self, t: Instant) {
        while self.queue.peek_time().is_some_and(|nt| nt <= t) {
            self.step();
        }
        self.now = self.now.max(t);
    }

    /// Like [`World::run_until`], but stops after `max_events` events (a guard for
    /// drivers that must stay responsive, such as a browser tab). Returns whether
    /// it reached `t`.
    pub fn run_until_limited(&mut self, t: Instant, max_events: u64) -> bool {
        let mut n = 0u64;
        while self.queue.peek_time().is_some_and(|nt| nt <= t) {
            if n >= max_events {
                return false;
            }
            self.step();
            n += 1;
        }
        self.now = self.now.max(t);
        true
    }

    /// Runs for `d` of virtual time.
    pub fn run_for(&mut self, d: Duration) {
        self.run_until(self.now + d);
    }

    // ---- dispatch ----

    fn dispatch(&mut self, ev: Ev) {
        match ev {
            Ev::Syn { link, conn } => self.on_syn(link, conn),
            Ev::Frame {
                link,
                conn,
                dir,
                packet,
                bytes,
                note,
            } => {
                let InFlight { packet, summary } = *packet;
                let note = note.map(|n| *n);
                self.on_frame(link, conn, dir, packet, summary, bytes, note)
            }
            Ev::Close {
                link,
                conn,
                dir,
                kind,
            } => self.on_close(link, conn, dir, kind),
            Ev::Wake { node, at } => {
                if self.timers[node.index()].map(|(t, _)| t) == Some(at) {
                    self.timers[node.index()] = None;
                    self.woke[node.index()] = Some(self.now);
                    self.on_wake(node);
                }
            }
            Ev::Action(a) => self.apply(*a),
            Ev::Unstall { link } => self.unstall(link),
        }
    }

    fn on_wake(&mut self, node: NodeId) {
        let now = self.now;
        match &mut self.nodes[node.index()] {
            Node::Broker(b) => {
                b.broker.handle_timeout(now);
                self.pump_broker(node);
            }
            Node::Client(c) => {
                if !c.alive {
                    return;
                }
                if c.client.poll_timeout().is_some_and(|t| t <= now) {
                    c.client.handle_timeout(now);
                }
                if c.wake.is_some_and(|t| t <= now) {
                    c.wake = None;
                    self.with_app(node, |app, cx| app.on_wake(cx));
                }
                self.pump_client(node);
            }
        }
    }

    fn reschedule(&mut self, node: NodeId) {
        let next = match &self.nodes[node.index()] {
            Node::Broker(b) => b.broker.poll_timeout(),
            Node::Client(c) if c.alive => match (c.client.poll_timeout(), c.wake) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            },
            Node::Client(_) => None,
        };
        if next != self.timers[node.index()].map(|(t, _)| t) {
            if let Some((_, queued)) = self.timers[node.index()].take() {
                self.queue.cancel(queued);
            }
            if let Some(at) = next {
                // A deadline that is already due right after this node woke would
                // wake it again at the same instant forever: a microsecond later
                // keeps a misbehaving timer from freezing the clock.
                let due = if at <= self.now && self.woke[node.index()] == Some(self.now) {
                    self.now + Duration::from_micros(1)
                } else {
                    at.max(self.now)
                };
                let ticket = self.queue.push(due, Ev::Wake { node, at });
                self.timers[node.index()] = Some((at, ticket));
            }
        }
    }
}
