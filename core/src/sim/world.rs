//! The world: nodes, links and fault rules on a virtual clock.
//!
//! Everything that will happen is an event in one queue, ordered by time and then
//! by the order it was scheduled in. [`World::step`] takes the next event and
//! applies it; [`World::run_until`] steps until a time. Nothing waits on a real
//! clock, so a 90 s keep-alive timeout plays in microseconds, and nothing draws on
//! the operating system, so the same world with the same seed gives the same
//! trace, byte for byte, natively and in wasm32.
//!
//! ```
//! use mqttlab_core::sim::{World, TraceMode, LinkParams, Action};
//! use mqttlab_core::sim::node::{App, MosquittoCli};
//! use mqttlab_core::broker::BrokerConfig;
//! use mqttlab_core::time::Instant;
//!
//! let mut w = World::new(1, TraceMode::Full);
//! let b = w.add_broker("broker1", BrokerConfig::default());
//! let sub = w.add_client("sub1", b, LinkParams::default(), App::Idle);
//! let publ = w.add_client("pub1", b, LinkParams::default(), App::Idle);
//! let s = MosquittoCli::parse(r#"mosquitto_sub -t "topico""#, w.rng_mut()).unwrap();
//! let p = MosquittoCli::parse(r#"mosquitto_pub -m "mensagem" -t "topico""#, w.rng_mut()).unwrap();
//! w.schedule(Instant::ZERO, Action::Run { node: sub, app: Box::new(App::Cli(s)) });
//! w.schedule(Instant::from_secs(5), Action::Run { node: publ, app: Box::new(App::Cli(p)) });
//! w.run_until(Instant::from_secs(70));
//! let out: Vec<_> = w.client(sub).unwrap().terminal.iter().map(|(_, l)| l.as_str()).collect();
//! assert_eq!(out, ["mensagem"]);
//! ```

use std::collections::{BTreeMap, VecDeque};

use core::time::Duration;

use crate::broker::{BrokerConfig, BrokerEvent, ConnId, Output, PeerAddr};
use crate::client::{debug, Client, ClientEvent, ConnectionState, DisconnectReason};
use crate::codec::{Packet, QosPid};
use crate::rng::SplitMix64;
use crate::time::Instant;

use super::action::Action;
use super::draw::{derive_seed, Draw};
use super::fault::{FaultAction, FaultRule};
use super::link::{Dir, Link, LinkParams, Transit};
use super::node::{App, BrokerNode, ClientNode, Cx, Effect, Node, Received};
use super::queue::EventQueue;
use super::trace::{CloseKind, Fate, Trace, TraceKind, TraceMode};

/// A scheduled happening.
#[derive(Debug, Clone)]
enum Ev {
    Syn {
        link: usize,
        conn: u64,
    },
    Frame {
        link: usize,
        conn: u64,
        dir: Dir,
        packet: Packet,
        bytes: Vec<u8>,
        note: Option<String>,
    },
    Close {
        link: usize,
        conn: u64,
        dir: Dir,
        kind: CloseKind,
    },
    Wake {
        node: usize,
        at: Instant,
    },
    Action(Box<Action>),
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
    link: usize,
    port: u16,
}

/// A simulated world. See the [module documentation](self).
#[derive(Debug)]
pub struct World {
    now: Instant,
    seed: u64,
    queue: EventQueue<Ev>,
    nodes: Vec<Node>,
    links: Vec<Link>,
    faults: Vec<FaultRule>,
    trace: Trace,
    rng: SplitMix64,
    next_conn: u64,
    conns: BTreeMap<u64, ConnMeta>,
    timers: Vec<Option<Instant>>,
    woke: Vec<Option<Instant>>,
    names: BTreeMap<String, usize>,
    held: Vec<(usize, Ev)>,
    inbox: BTreeMap<usize, VecDeque<ClientEvent>>,
    stats: Stats,
    broker_events: Option<Vec<(Instant, usize, BrokerEvent)>>,
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
            rng: SplitMix64::new(derive_seed(seed, "world")),
            next_conn: 1,
            conns: BTreeMap::new(),
            timers: Vec::new(),
            woke: Vec::new(),
            names: BTreeMap::new(),
            held: Vec::new(),
            inbox: BTreeMap::new(),
            stats: Stats::default(),
            broker_events: None,
        }
    }

    // ---- building ----

    /// Adds a broker; its log starts with mosquitto's start-up lines.
    pub fn add_broker(&mut self, name: &str, mut config: BrokerConfig) -> usize {
        let id = self.nodes.len();
        let nb = self
            .nodes
            .iter()
            .filter(|n| n.as_broker().is_some())
            .count();
        let ip = format!("192.168.0.{}", 13 + nb % 200);
        config.seed = derive_seed(self.seed, name);
        let port = config.listener_port;
        self.nodes.push(Node::Broker(Box::new(BrokerNode::new(
            name.into(),
            ip,
            config,
        ))));
        self.timers.push(None);
        self.woke.push(None);
        self.names.insert(name.into(), id);
        for line in [
            "mosquitto version 2.0.18 starting".to_owned(),
            "Using default config.".to_owned(),
            format!("Opening ipv4 listen socket on port {port}."),
        ] {
            self.log(id, line);
        }
        id
    }

    /// Adds a client host linked to `broker`, running `app` once started.
    pub fn add_client(&mut self, name: &str, broker: usize, params: LinkParams, app: App) -> usize {
        let id = self.nodes.len();
        let k = self.links.len();
        let ip = if k < 250 {
            format!("172.17.0.{}", k + 2)
        } else {
            format!("10.{}.{}.{}", (k >> 16) & 255, (k >> 8) & 255, k & 255)
        };
        self.links.push(Link::new(id, broker, params, ip.clone()));
        self.nodes.push(Node::Client(Box::new(ClientNode {
            name: name.into(),
            ip,
            link: k,
            broker,
            client: Client::new(),
            app,
            alive: true,
            wifi_down: false,
            terminal: Vec::new(),
            received: Vec::new(),
            refusals: Vec::new(),
            wake: None,
            rng: SplitMix64::new(derive_seed(self.seed, name)),
            keep_received: true,
            acked: Vec::new(),
            first_suback: None,
            lost_state: false,
            unacked: BTreeMap::new(),
            reset_seen: false,
        })));
        self.timers.push(None);
        self.woke.push(None);
        self.names.insert(name.into(), id);
        id
    }

    /// Schedules an action.
    pub fn schedule(&mut self, at: Instant, action: Action) {
        self.queue.push(at, Ev::Action(Box::new(action)));
    }

    /// Adds a fault rule (active from its own start time).
    pub fn add_fault(&mut self, rule: FaultRule) {
        self.faults.push(rule);
    }

    /// Keeps every broker event (for the swarm's invariants).
    pub fn record_broker_events(&mut self) {
        self.broker_events = Some(Vec::new());
    }

    /// Stops keeping received messages on every client (scale benchmarks).
    pub fn forget_received(&mut self) {
        for n in &mut self.nodes {
            if let Node::Client(c) = n {
                c.keep_received = false;
            }
        }
    }

    /// The world's own generator (e.g. to pick client ids when building).
    pub fn rng_mut(&mut self) -> &mut SplitMix64 {
        &mut self.rng
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
    /// All nodes, by index.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }
    /// All links, by index.
    pub fn links(&self) -> &[Link] {
        &self.links
    }
    /// A node's index by name.
    pub fn node_id(&self, name: &str) -> Option<usize> {
        self.names.get(name).copied()
    }
    /// A client node.
    pub fn client(&self, id: usize) -> Option<&ClientNode> {
        self.nodes.get(id).and_then(Node::as_client)
    }
    /// A broker node.
    pub fn broker(&self, id: usize) -> Option<&BrokerNode> {
        self.nodes.get(id).and_then(Node::as_broker)
    }
    /// The trace so far.
    pub fn trace(&self) -> &Trace {
        &self.trace
    }
    /// Counters.
    pub fn stats(&self) -> Stats {
        self.stats
    }
    /// Broker events kept by [`World::record_broker_events`].
    pub fn broker_events(&self) -> &[(Instant, usize, BrokerEvent)] {
        self.broker_events.as_deref().unwrap_or(&[])
    }
    /// The current characteristics of a client node's link to its broker.
    pub fn link_params(&self, node: usize) -> Option<&LinkParams> {
        self.client(node).map(|c| &self.links[c.link].params)
    }
    /// The fault rules.
    pub fn faults(&self) -> &[FaultRule] {
        &self.faults
    }
    /// When the next event happens.
    pub fn next_event_time(&self) -> Option<Instant> {
        self.queue.peek_time()
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
            } => self.on_frame(link, conn, dir, packet, bytes, note),
            Ev::Close {
                link,
                conn,
                dir,
                kind,
            } => self.on_close(link, conn, dir, kind),
            Ev::Wake { node, at } => {
                if self.timers[node] == Some(at) {
                    self.timers[node] = None;
                    self.woke[node] = Some(self.now);
                    self.on_wake(node);
                }
            }
            Ev::Action(a) => self.apply(*a),
        }
    }

    fn on_wake(&mut self, node: usize) {
        let now = self.now;
        match &mut self.nodes[node] {
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

    fn reschedule(&mut self, node: usize) {
        let next = match &self.nodes[node] {
            Node::Broker(b) => b.broker.poll_timeout(),
            Node::Client(c) if c.alive => match (c.client.poll_timeout(), c.wake) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            },
            Node::Client(_) => None,
        };
        if next != self.timers[node] {
            self.timers[node] = next;
            if let Some(at) = next {
                // A deadline that is already due right after this node woke would
                // wake it again at the same instant forever: a microsecond later
                // keeps a misbehaving timer from freezing the clock.
                let due = if at <= self.now && self.woke[node] == Some(self.now) {
                    self.now + Duration::from_micros(1)
                } else {
                    at.max(self.now)
                };
                self.queue.push(due, Ev::Wake { node, at });
            }
        }
    }

    // ---- the network ----

    fn endpoints(&self, link: usize, dir: Dir) -> (usize, usize) {
        let l = &self.links[link];
        match dir {
            Dir::ToBroker => (l.client, l.broker),
            Dir::ToClient => (l.broker, l.client),
        }
    }

    fn name(&self, node: usize) -> String {
        self.nodes[node].name().to_owned()
    }

    fn open_connection(&mut self, node: usize) -> u64 {
        let conn = self.next_conn;
        self.next_conn += 1;
        let link = self.client(node).map_or(0, |c| c.link);
        let port = 32768 + self.rng.below(28232) as u16;
        self.conns.insert(conn, ConnMeta { link, port });
        self.links[link].conn = Some(conn);
        self.stats.connections += 1;
        self.transmit(
            link,
            Dir::ToBroker,
            Ev::Syn { link, conn },
            0,
            Duration::ZERO,
        );
        conn
    }

    /// Sends an MQTT packet over a link, through the fault rules.
    fn send_packet(&mut self, link: usize, conn: u64, dir: Dir, packet: Packet, bytes: Vec<u8>) {
        let (from, to) = self.endpoints(link, dir);
        self.stats.packets_sent += 1;
        let ptype = packet.packet_type();
        let mut extra = Duration::ZERO;
        let mut duplicate = false;
        let mut note = None;
        if let Some(rule) = self
            .faults
            .iter_mut()
            .find(|r| r.matches(self.now, ptype, from, to))
        {
            rule.consume();
            let label = rule.label.clone();
            let action = rule.action;
            let what = match action {
                FaultAction::Drop => "dropped",
                FaultAction::Delay(_) => "delayed",
                FaultAction::Duplicate => "duplicated",
            };
            let text = format!(
                "{what} {packet} {} -> {}",
                self.nodes[from].name(),
                self.nodes[to].name()
            );
            self.push_trace(TraceKind::Fault {
                label: label.clone(),
                text,
            });
            match action {
                FaultAction::Drop => {
                    self.drop_packet(link, conn, dir, &packet, bytes, label);
                    return;
                }
                FaultAction::Delay(d) => {
                    extra = d;
                    note = Some(format!("delayed by fault \"{label}\""));
                }
                FaultAction::Duplicate => duplicate = true,
            }
        }
        if self.trace.enabled() {
            self.trace_packet(Fate::Sent, link, conn, dir, &packet, bytes.clone(), None);
        }
        let copy = duplicate.then(|| {
            let mut p = packet.clone();
            if let Packet::Publish(publish) = &mut p {
                if publish.qospid != QosPid::AtMostOnce {
                    publish.dup = true;
                }
            }
            let mut b = Vec::new();
            let _ = p.encode(&mut b);
            (p, b)
        });
        let len = bytes.len();
        self.transmit(
            link,
            dir,
            Ev::Frame {
                link,
                conn,
                dir,
                packet,
                bytes,
                note,
            },
            len,
            extra,
        );
        if let Some((p, b)) = copy {
            self.stats.packets_sent += 1;
            if self.trace.enabled() {
                self.trace_packet(
                    Fate::Sent,
                    link,
                    conn,
                    dir,
                    &p,
                    b.clone(),
                    Some("duplicate made by a fault rule".into()),
                );
            }
            let len = b.len();
            self.transmit(
                link,
                dir,
                Ev::Frame {
                    link,
                    conn,
                    dir,
                    packet: p,
                    bytes: b,
                    note: Some("duplicate".into()),
                },
                len,
                Duration::ZERO,
            );
        }
    }

    fn send_close(&mut self, link: usize, conn: u64, dir: Dir, kind: CloseKind) {
        let (from, to) = self.endpoints(link, dir);
        if self.trace.enabled() {
            let to_broker = dir == Dir::ToBroker;
            self.push_trace(TraceKind::Close {
                fate: Fate::Sent,
                from: self.name(from),
                to: self.name(to),
                conn,
                kind,
                to_broker,
            });
        }
        self.transmit(
            link,
            dir,
            Ev::Close {
                link,
                conn,
                dir,
                kind,
            },
            0,
            Duration::ZERO,
        );
    }

    /// Puts a segment on the wire: held while partitioned, else scheduled for its
    /// arrival (or a reset when TCP gives up).
    fn transmit(&mut self, link: usize, dir: Dir, ev: Ev, len: usize, extra: Duration) {
        if self.links[link].partitioned {
            self.held.push((link, ev));
            return;
        }
        let reset_on_loss = matches!(ev, Ev::Frame { .. });
        let now = self.now;
        match self.links[link].transit(now, dir, len, extra, &mut self.rng) {
            Transit::Arrives(t, retrans) => {
                let ev = match ev {
                    Ev::Frame {
                        link,
                        conn,
                        dir,
                        packet,
                        bytes,
                        note,
                    } if retrans > 0 => Ev::Frame {
                        link,
                        conn,
                        dir,
                        packet,
                        bytes,
                        note: Some(match note {
                            Some(n) => format!("{n}; lost and retransmitted {retrans}x"),
                            None => format!("lost and retransmitted {retrans}x"),
                        }),
                    },
                    ev => ev,
                };
                self.queue.push(t, ev);
            }
            Transit::Reset if reset_on_loss => {
                let Ev::Frame { conn, .. } = ev else { return };
                self.push_trace(TraceKind::State {
                    node: self.name(self.links[link].client),
                    text: format!(
                        "TCP gave up after {} retransmissions: connection #{conn} reset",
                        self.links[link].params.max_retransmits
                    ),
                });
                self.reset(link, conn);
            }
            Transit::Reset => {
                let latency = self.links[link].params.latency;
                let at = self.links[link].in_order(dir, now + latency);
                self.queue.push(at, ev);
            }
        }
    }

    fn reset(&mut self, link: usize, conn: u64) {
        let at = self.now + self.links[link].params.latency;
        for dir in [Dir::ToBroker, Dir::ToClient] {
            self.queue.push(
                at,
                Ev::Close {
                    link,
                    conn,
                    dir,
                    kind: CloseKind::Reset,
                },
            );
        }
    }

    /// A packet lost on the way: counted, and traced with why.
    fn drop_packet(
        &mut self,
        link: usize,
        conn: u64,
        dir: Dir,
        packet: &Packet,
        bytes: Vec<u8>,
        why: String,
    ) {
        self.stats.packets_dropped += 1;
        if self.trace.enabled() {
            self.trace_packet(Fate::Dropped, link, conn, dir, packet, bytes, Some(why));
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn trace_packet(
        &mut self,
        fate: Fate,
        link: usize,
        conn: u64,
        dir: Dir,
        packet: &Packet,
        bytes: Vec<u8>,
        note: Option<String>,
    ) {
        let (from, to) = self.endpoints(link, dir);
        self.push_trace(TraceKind::Packet {
            fate,
            from: self.name(from),
            to: self.name(to),
            conn,
            to_broker: dir == Dir::ToBroker,
            summary: packet.to_string(),
            bytes,
            note,
        });
    }

    fn push_trace(&mut self, kind: TraceKind) {
        self.trace.push(self.now, kind);
    }

    fn log(&mut self, node: usize, text: String) {
        if self.trace.enabled() {
            self.push_trace(TraceKind::Log {
                node: self.name(node),
                text,
            });
        }
    }

    fn state(&mut self, node: usize, text: String) {
        if self.trace.enabled() {
            self.push_trace(TraceKind::State {
                node: self.name(node),
                text,
            });
        }
    }

    // ---- arrivals ----

    fn on_syn(&mut self, link: usize, conn: u64) {
        let broker = self.links[link].broker;
        let client = self.links[link].client;
        let Some(meta) = self.conns.get(&conn).cloned() else {
            return;
        };
        let ip = self.links[link].client_ip.clone();
        let Node::Broker(b) = &mut self.nodes[broker] else {
            return;
        };
        let broker_addr = (b.ip.clone(), b.port());
        b.broker.handle_connection_opened(
            self.now,
            ConnId(conn),
            PeerAddr::new(ip.clone(), meta.port),
        );
        if self.trace.enabled() {
            self.push_trace(TraceKind::Open {
                client: self.name(client),
                broker: self.name(broker),
                conn,
                client_addr: (ip, meta.port),
                broker_addr,
            });
        }
        self.pump_broker(broker);
    }

    fn on_frame(
        &mut self,
        link: usize,
        conn: u64,
        dir: Dir,
        packet: Packet,
        bytes: Vec<u8>,
        note: Option<String>,
    ) {
        let now = self.now;
        match dir {
            Dir::ToBroker => {
                let broker = self.links[link].broker;
                self.stats.packets_delivered += 1;
                if self.trace.enabled() {
                    self.trace_packet(Fate::Delivered, link, conn, dir, &packet, bytes, note);
                }
                if let Node::Broker(b) = &mut self.nodes[broker] {
                    b.broker.handle_packet(now, ConnId(conn), packet);
                }
                self.pump_broker(broker);
            }
            Dir::ToClient => {
                let node = self.links[link].client;
                let l = &self.links[link];
                let Node::Client(c) = &self.nodes[node] else {
                    return;
                };
                let refuse = if l.client_gone {
                    Some("the client is gone (half-open connection)".to_owned())
                } else if c.wifi_down {
                    Some("the client's Wi-Fi is down".to_owned())
                } else if !c.alive || l.conn != Some(conn) {
                    Some("no such connection on the client any more".to_owned())
                } else if !c.app.accepts(bytes.len()) {
                    Some(format!(
                        "{} bytes do not fit the client library's buffer: discarded",
                        bytes.len()
                    ))
                } else {
                    None
                };
                if let Some(why) = refuse {
                    self.drop_packet(link, conn, dir, &packet, bytes, why);
                    return;
                }
                self.stats.packets_delivered += 1;
                if self.trace.enabled() {
                    self.trace_packet(Fate::Delivered, link, conn, dir, &packet, bytes, note);
                }
                let Node::Client(c) = &mut self.nodes[node] else {
                    return;
                };
                if c.app.debug() {
                    let o = c.client.options();
                    let line = debug::received_line_as(&o.client_id, o.protocol, &packet);
                    self.print(node, line);
                }
                if let Node::Client(c) = &mut self.nodes[node] {
                    c.client.handle_packet(now, packet);
                }
                self.pump_client(node);
            }
        }
    }

    fn on_close(&mut self, link: usize, conn: u64, dir: Dir, kind: CloseKind) {
        let (from, to) = self.endpoints(link, dir);
        // A host that is gone, or off the network, never sees the segment.
        let lost = dir == Dir::ToClient
            && (self.links[link].client_gone || self.client(to).is_some_and(|c| c.wifi_down));
        if self.trace.enabled() {
            self.push_trace(TraceKind::Close {
                fate: if lost { Fate::Dropped } else { Fate::Delivered },
                from: self.name(from),
                to: self.name(to),
                conn,
                kind,
                to_broker: dir == Dir::ToBroker,
            });
        }
        let now = self.now;
        match dir {
            Dir::ToBroker => {
                if let Node::Broker(b) = &mut self.nodes[to] {
                    b.broker.handle_connection_closed(now, ConnId(conn));
                }
                self.pump_broker(to);
            }
            Dir::ToClient => {
                if self.links[link].conn != Some(conn) {
                    return;
                }
                self.links[link].conn = None;
                if let Node::Client(c) = &mut self.nodes[to] {
                    if c.alive {
                        c.reset_seen = kind == CloseKind::Reset;
                        c.client.handle_closed(now);
                    }
                }
                self.pump_client(to);
            }
        }
    }

    // ---- nodes ----

    fn pump_broker(&mut self, node: usize) {
        loop {
            let Node::Broker(b) = &mut self.nodes[node] else {
                return;
            };
            let Some(out) = b.broker.poll_output() else {
                break;
            };
            match out {
                Output::Transmit(t) => {
                    let conn = t.conn.0;
                    if let Some(meta) = self.conns.get(&conn) {
                        let link = meta.link;
                        self.send_packet(link, conn, Dir::ToClient, t.packet, t.bytes);
                    }
                }
                Output::Close { conn, .. } => {
                    if let Some(meta) = self.conns.get(&conn.0) {
                        let link = meta.link;
                        self.send_close(link, conn.0, Dir::ToClient, CloseKind::Fin);
                    }
                }
                Output::Log(line) => self.log(node, line.text),
                Output::Event(e) => {
                    if let Some(v) = &mut self.broker_events {
                        v.push((self.now, node, e));
                    }
                }
            }
        }
        self.reschedule(node);
    }

    /// Runs an app callback with a context, then applies its effects.
    fn with_app(&mut self, node: usize, f: impl FnOnce(&mut App, &mut Cx)) {
        let coupled = self.nodes[node]
            .as_client()
            .and_then(|c| c.app.coupled_to())
            .and_then(|name| self.names.get(name).copied())
            .and_then(|id| self.client(id))
            .and_then(|c| c.app.switch_state());
        let now = self.now;
        let Node::Client(c) = &mut self.nodes[node] else {
            return;
        };
        let ClientNode {
            client,
            rng,
            wake,
            app,
            ..
        } = &mut **c;
        let mut cx = Cx {
            now,
            client,
            rng,
            wake,
            coupled,
            effects: Vec::new(),
        };
        f(app, &mut cx);
        let effects = cx.effects;
        for e in effects {
            self.effect(node, e);
        }
    }

    fn effect(&mut self, node: usize, e: Effect) {
        let now = self.now;
        match e {
            Effect::Print(s) => self.print(node, s),
            Effect::State(s) => self.state(node, s),
            Effect::Exit => {
                if let Node::Client(c) = &mut self.nodes[node] {
                    c.app = App::Idle;
                    c.wake = None;
                }
                self.state(node, "program exited".into());
            }
            Effect::Connect(opts) => {
                let Node::Client(c) = &self.nodes[node] else {
                    return;
                };
                if !c.alive || c.client.state() != ConnectionState::Disconnected {
                    return;
                }
                let listening = self.broker(c.broker).map_or(1883, |b| b.port());
                let refused = c.app.port().filter(|p| *p != listening);
                if let Some(port) = refused {
                    self.state(
                        node,
                        format!("connection refused: the broker listens on port {listening}, not {port}"),
                    );
                    self.inbox
                        .entry(node)
                        .or_default()
                        .push_back(ClientEvent::Disconnected {
                            reason: DisconnectReason::TransportClosed,
                        });
                    return;
                }
                let Node::Client(c) = &self.nodes[node] else {
                    return;
                };
                if c.wifi_down {
                    self.state(node, "cannot connect: Wi-Fi is down".into());
                    self.inbox
                        .entry(node)
                        .or_default()
                        .push_back(ClientEvent::Disconnected {
                            reason: DisconnectReason::TransportClosed,
                        });
                    return;
                }
                self.open_connection(node);
                if let Node::Client(c) = &mut self.nodes[node] {
                    if let Err(e) = c.client.connect(now, opts) {
                        let line = format!("Error: {e}.");
                        self.print(node, line);
                    }
                }
            }
        }
    }

    fn print(&mut self, node: usize, text: String) {
        let now = self.now;
        if let Node::Client(c) = &mut self.nodes[node] {
            if c.keep_received {
                c.terminal.push((now, text.clone()));
            }
        }
        if self.trace.enabled() {
            self.push_trace(TraceKind::Terminal {
                node: self.name(node),
                text,
            });
        }
    }

    /// Moves a client's packets onto its link and its events into its app, until
    /// both are drained.
    fn pump_client(&mut self, node: usize) {
        let now = self.now;
        loop {
            let Node::Client(c) = &mut self.nodes[node] else {
                return;
            };
            if let Some(packet) = c.client.poll_packet() {
                let link = c.link;
                let debug = c
                    .app
                    .debug()
                    .then(|| debug::sent_lines(&c.client.options().client_id, &packet));
                let mut bytes = Vec::with_capacity(packet.encoded_len());
                if packet.encode(&mut bytes).is_err() {
                    continue;
                }
                if let (true, Packet::Publish(p)) = (c.keep_received, &packet) {
                    if let Some(pid) = p.qospid.pid() {
                        let first = c.unacked.get(&pid.get()).filter(|_| p.dup).map(|(t, _)| *t);
                        c.unacked.insert(
                            pid.get(),
                            (
                                first.unwrap_or(now),
                                Received {
                                    time: now,
                                    topic: p.topic.as_str().to_owned(),
                                    payload: p.payload.to_vec(),
                                    qos: p.qos(),
                                    retain: p.retain,
                                    dup: p.dup,
                                },
                            ),
                        );
                    }
                }
                for line in debug.into_iter().flatten() {
                    self.print(node, line);
                }
                match self.links[link].conn {
                    Some(conn) => self.send_packet(link, conn, Dir::ToBroker, packet, bytes),
                    None => {
                        self.stats.packets_dropped += 1;
                    }
                }
                continue;
            }
            let ev = match c.client.poll_event() {
                Some(ev) => {
                    self.client_event(node, &ev, now);
                    ev
                }
                // A connection that could not even start: only the app hears of it.
                None => match self.inbox.get_mut(&node).and_then(VecDeque::pop_front) {
                    Some(ev) => ev,
                    None => break,
                },
            };
            self.with_app(node, |app, cx| app.on_event(cx, &ev));
        }
        self.reschedule(node);
    }

    /// What the world itself does with a client event: records, and closes the
    /// socket when the client is done with its connection.
    fn client_event(&mut self, node: usize, ev: &ClientEvent, now: Instant) {
        let Node::Client(c) = &mut self.nodes[node] else {
            return;
        };
        match ev {
            ClientEvent::Message(p) => {
                if c.keep_received {
                    c.received.push(Received {
                        time: now,
                        topic: p.topic.as_str().to_owned(),
                        payload: p.payload.to_vec(),
                        qos: p.qos(),
                        retain: p.retain,
                        dup: p.dup,
                    });
                }
            }
            ClientEvent::Published { pid, .. } => {
                if let Some(m) = c.unacked.remove(&pid.get()) {
                    c.acked.push(m);
                }
            }
            ClientEvent::Subscribed { granted, .. } => {
                if c.first_suback.is_none() {
                    c.first_suback = Some((now, granted.clone()));
                }
            }
            ClientEvent::Connected { session_present } => {
                let text = format!(
                    "connected (session present: {})",
                    u8::from(*session_present)
                );
                self.state(node, text);
            }
            ClientEvent::ConnectionRefused(code) => {
                c.refusals.push(code.as_u8());
                let text = format!("CONNACK refused: {code}");
                self.state(node, text);
            }
            ClientEvent::Disconnected { reason } => {
                let link = c.link;
                // The client's transport closing is the broker's FIN unless TCP
                // reset it (too many retransmissions on a lossy or cut link).
                let text = if c.wifi_down {
                    "disconnected: the Wi-Fi connection was lost".to_owned()
                } else if *reason == DisconnectReason::TransportClosed && c.reset_seen {
                    "disconnected: connection reset: TCP gave up".to_owned()
                } else {
                    format!("disconnected: {reason}")
                };
                self.state(node, text);
                if let Some(conn) = self.links[link].conn.take() {
                    self.send_close(link, conn, Dir::ToBroker, CloseKind::Fin);
                }
            }
            _ => {}
        }
    }

    // ---- actions ----

    fn apply(&mut self, action: Action) {
        let now = self.now;
        match action {
            Action::Run { node, app } => {
                let busy = self
                    .client(node)
                    .is_some_and(|c| c.client.state() != ConnectionState::Disconnected);
                if busy {
                    self.with_app(node, |app, cx| app.interrupt(cx));
                    self.pump_client(node);
                }
                if let Node::Client(c) = &mut self.nodes[node] {
                    c.client = Client::new();
                    c.app = *app;
                    c.alive = true;
                    c.wake = None;
                }
                let text = self
                    .client(node)
                    .map(|c| c.app.describe())
                    .unwrap_or_default();
                self.state(node, format!("$ {text}"));
                self.with_app(node, |app, cx| app.start(cx));
                self.pump_client(node);
            }
            Action::Start(node) => {
                self.with_app(node, |app, cx| app.start(cx));
                self.pump_client(node);
            }
            Action::Stop(node) => {
                self.with_app(node, |app, cx| app.interrupt(cx));
                self.pump_client(node);
            }
            Action::Kill(node) => {
                self.state(
                    node,
                    "killed: the socket is closed without DISCONNECT".into(),
                );
                if let Node::Client(c) = &mut self.nodes[node] {
                    forget_host(c);
                    let link = c.link;
                    if let Some(conn) = self.links[link].conn.take() {
                        self.send_close(link, conn, Dir::ToBroker, CloseKind::Fin);
                    }
                }
                self.reschedule(node);
            }
            Action::HalfOpen(node) => {
                self.state(
                    node,
                    "gone silently: no FIN, the connection is half-open".into(),
                );
                if let Node::Client(c) = &mut self.nodes[node] {
                    forget_host(c);
                    c.alive = false;
                    self.links[c.link].client_gone = true;
                }
                self.reschedule(node);
            }
            Action::Partition(node) => {
                if let Some(c) = self.client(node) {
                    let link = c.link;
                    self.links[link].partitioned = true;
                    self.state(node, "network partition: nothing gets through".into());
                }
            }
            Action::Heal(node) => {
                let Some(c) = self.client(node) else { return };
                let link = c.link;
                self.state(node, "network healed".into());
                self.links[link].partitioned = false;
                if self.links[link].client_gone {
                    self.links[link].client_gone = false;
                    if let Node::Client(c) = &mut self.nodes[node] {
                        c.alive = true;
                    }
                }
                let held = core::mem::take(&mut self.held);
                for (l, ev) in held {
                    if l != link {
                        self.held.push((l, ev));
                        continue;
                    }
                    let (dir, len) = match &ev {
                        Ev::Frame { dir, bytes, .. } => (*dir, bytes.len()),
                        Ev::Close { dir, .. } => (*dir, 0),
                        _ => (Dir::ToBroker, 0),
                    };
                    self.transmit(link, dir, ev, len, Duration::ZERO);
                }
            }
            Action::SetLink { node, params } => {
                let Some(c) = self.client(node) else { return };
                let link = c.link;
                let changes = params.changes_from(&self.links[link].params);
                // In-flight frames keep their arrival; `Link::transit` keeps the
                // order for what is sent next.
                self.links[link].params = params;
                let text = if changes.is_empty() {
                    "link: unchanged".to_owned()
                } else {
                    format!("link: {}", changes.join(", "))
                };
                self.state(node, text);
            }
            Action::Restart(node) => {
                self.log(node, "mosquitto version 2.0.18 terminating".into());
                let links: Vec<(usize, u64)> = self
                    .links
                    .iter()
                    .enumerate()
                    .filter(|(_, l)| l.broker == node)
                    .filter_map(|(i, l)| l.conn.map(|c| (i, c)))
                    .collect();
                for (link, conn) in links {
                    self.send_close(link, conn, Dir::ToClient, CloseKind::Fin);
                }
                if let Node::Broker(b) = &mut self.nodes[node] {
                    b.restart();
                }
                let port = self.broker(node).map_or(1883, |b| b.port());
                self.log(node, "mosquitto version 2.0.18 starting".into());
                self.log(node, format!("Opening ipv4 listen socket on port {port}."));
                self.reschedule(node);
            }
            Action::WifiDown(node, d) => {
                self.state(node, format!("Wi-Fi down for {}s", d.as_secs_f32()));
                if let Node::Client(c) = &mut self.nodes[node] {
                    c.wifi_down = true;
                    if self.links[c.link].conn.take().is_some() {
                        c.client.handle_closed(now);
                    }
                }
                self.pump_client(node);
                self.schedule(now + d, Action::WifiUp(node));
            }
            Action::WifiUp(node) => {
                if let Node::Client(c) = &mut self.nodes[node] {
                    c.wifi_down = false;
                }
                self.state(node, "Wi-Fi up".into());
            }
            Action::Connect(node, opts, reconnect) => {
                if let Node::Client(c) = &mut self.nodes[node] {
                    let mut g = match &c.app {
                        App::Generic(g) => g.clone(),
                        _ => Default::default(),
                    };
                    g.options = Some(*opts);
                    g.reconnect = reconnect;
                    g.offline = false;
                    c.app = App::Generic(g);
                }
                self.with_app(node, |app, cx| app.start(cx));
                self.pump_client(node);
            }
            Action::Disconnect(node) => {
                if let Node::Client(c) = &mut self.nodes[node] {
                    if let App::Generic(g) = &mut c.app {
                        g.offline = true;
                    }
                    let _ = c.client.disconnect(now);
                }
                self.pump_client(node);
            }
            Action::Publish {
                node,
                topic,
                payload,
                qos,
                retain,
            } => {
                let err = match &mut self.nodes[node] {
                    Node::Client(c) => c.client.publish(now, &topic, payload, qos, retain).err(),
                    Node::Broker(_) => None,
                };
                if let Some(e) = err {
                    self.print(node, format!("Error publishing: {e}."));
                }
                self.pump_client(node);
            }
            Action::Subscribe { node, filter, qos } => {
                let err = match &mut self.nodes[node] {
                    Node::Client(c) => {
                        if let App::Generic(g) = &mut c.app {
                            g.subscriptions.push((filter.clone(), qos));
                        }
                        c.client.subscribe(now, &[(filter.as_str(), qos)]).err()
                    }
                    Node::Broker(_) => None,
                };
                if let Some(e) = err {
                    self.print(node, format!("Error subscribing: {e}."));
                }
                self.pump_client(node);
            }
            Action::Unsubscribe { node, filter } => {
                if let Node::Client(c) = &mut self.nodes[node] {
                    if let App::Generic(g) = &mut c.app {
                        g.subscriptions.retain(|(f, _)| *f != filter);
                    }
                    let _ = c.client.unsubscribe(now, &[filter.as_str()]);
                }
                self.pump_client(node);
            }
            Action::Fault(rule) => {
                let mut rule = *rule;
                if rule.start < now {
                    rule.start = now;
                }
                self.push_trace(TraceKind::Fault {
                    label: rule.label.clone(),
                    text: "armed".into(),
                });
                self.faults.push(rule);
            }
        }
    }
}

/// A client host that lost its memory (killed, or gone silently): a fresh MQTT
/// client, nothing running, its in-flight messages forgotten.
fn forget_host(c: &mut ClientNode) {
    c.client = Client::new();
    c.app = App::Idle;
    c.wake = None;
    c.lost_state = true;
    c.unacked.clear();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::node::Sensor;
    use crate::sim::node::ValueModel;

    fn lossy_world(seed: u64) -> World {
        let mut w = World::new(seed, TraceMode::HashOnly);
        let b = w.add_broker("b", BrokerConfig::default());
        let params = LinkParams {
            latency: Duration::from_millis(20),
            jitter: Duration::from_millis(15),
            loss_ppm: 100_000,
            ..LinkParams::default()
        };
        for i in 0..5 {
            let name = format!("s{i}");
            let mut s = Sensor::new(
                format!("t/{i}"),
                Duration::from_secs(1),
                ValueModel::Walk {
                    start: 1.0,
                    step: 1.0,
                },
                crate::client::ConnectOptions::new(name.clone()),
            );
            s.qos = crate::codec::QoS::AtLeastOnce;
            let n = w.add_client(&name, b, params.clone(), App::Sensor(s));
            w.schedule(Instant::ZERO, Action::Start(n));
        }
        w
    }

    #[test]
    fn same_seed_same_trace_other_seed_other_trace() {
        let mut a = lossy_world(5);
        let mut b = lossy_world(5);
        let mut c = lossy_world(6);
        for w in [&mut a, &mut b, &mut c] {
            w.run_until(Instant::from_secs(60));
        }
        assert_eq!(a.trace().hash(), b.trace().hash());
        assert_ne!(a.trace().hash(), c.trace().hash());
        assert!(a.stats().packets_delivered > 500);
    }

    #[test]
    fn partitioned_segments_wait_for_the_heal() {
        let mut w = World::new(1, TraceMode::Full);
        let b = w.add_broker("b", BrokerConfig::default());
        let n = w.add_client("c", b, LinkParams::default(), App::Idle);
        w.schedule(
            Instant::ZERO,
            Action::Connect(n, Box::new(crate::client::ConnectOptions::new("c")), None),
        );
        w.schedule(Instant::from_secs(1), Action::Partition(n));
        w.schedule(
            Instant::from_secs(2),
            Action::Publish {
                node: n,
                topic: "t".into(),
                payload: b"x".to_vec(),
                qos: crate::codec::QoS::AtLeastOnce,
                retain: false,
            },
        );
        w.schedule(Instant::from_secs(10), Action::Heal(n));
        w.run_until(Instant::from_secs(9));
        assert_eq!(w.client(n).unwrap().acked.len(), 0);
        w.run_until(Instant::from_secs(11));
        let acked = &w.client(n).unwrap().acked;
        assert_eq!(acked.len(), 1);
        assert_eq!(acked[0].0, Instant::from_secs(2));
    }
}
