//! Swarm testing in the manner of TigerBeetle's VOPR: one seed gives a whole random
//! world (clients, sessions, wills, subscriptions, lossy links) and a fault schedule
//! (kills, half-open hosts, partitions, Wi-Fi drops, graceful leaves); invariants
//! are checked after every step of a safety phase under faults and, after
//! everything heals, at the end of a liveness phase.
//!
//! Invariants:
//!
//! 1. nothing is delivered to a client whose filters do not match its topic;
//! 2. a will is published if and only if its connection ended without DISCONNECT;
//! 3. retained state is consistent: every retained message on a topic is one that
//!    was published (or willed) with RETAIN on that topic, and a message received
//!    with RETAIN set is one of those;
//! 4. QoS 1 messages the broker acknowledged reach every persistent subscriber
//!    (subscribed before they were sent) at least once, and QoS 2 ones exactly once
//!    when the subscriber never lost its state and one filter matches.
//!
//! The broker is not restarted in the swarm: without persistence a restart loses
//! sessions, which invariant 4 would (rightly) report.

use core::time::Duration;
use std::collections::BTreeSet;

use crate::broker::{BrokerConfig, BrokerEvent};
use crate::client::ConnectOptions;
use crate::codec::{PacketType, QoS, SubackReturnCode};
use crate::rng::SplitMix64;
use crate::time::Instant;
use crate::topic;

use super::action::Action;
use super::draw::Draw;
use super::fault::{FaultAction, FaultRule};
use super::id::{NodeId, WorldError};
use super::link::LinkParams;
use super::node::{App, Generic, Node};
use super::trace::TraceMode;
use super::world::World;

const TOPICS: &[&str] = &[
    "casa/terreo/temperatura",
    "casa/terreo/umidade",
    "casa/superior/temperatura",
    "casa/superior/umidade",
    "jardim/luz",
];

const FILTERS: &[&str] = &[
    "casa/#",
    "casa/+/temperatura",
    "casa/terreo/+",
    "jardim/luz",
    "#",
    "casa/superior/umidade",
    "+/luz",
];

/// One client of a plan: name, connect options, subscriptions, link.
pub type ClientSpec = (String, ConnectOptions, Vec<(String, QoS)>, LinkParams);

/// How one swarm world is made, all derived from its seed.
#[derive(Debug, Clone)]
pub struct SwarmPlan {
    /// The seed.
    pub seed: u64,
    /// Clients: name, options, subscriptions, link.
    pub clients: Vec<ClientSpec>,
    /// Timed actions.
    pub actions: Vec<(Instant, Action)>,
    /// Packet fault rules that keep MQTT's semantics (duplicates and delays; a
    /// dropped packet on a live TCP connection is not something MQTT recovers
    /// from, so drops are left to the links and partitions).
    pub faults: Vec<FaultRule>,
    /// When faults stop and everything is healed.
    pub heal_at: Instant,
    /// When the run ends.
    pub end: Instant,
}

impl SwarmPlan {
    /// Derives a plan from a seed.
    pub fn new(seed: u64) -> Self {
        let mut rng = SplitMix64::new(seed);
        let n = rng.between(2, 6) as usize;
        let heal_at = Instant::from_secs(rng.between(30, 120));
        let mut clients = Vec::new();
        for i in 0..n {
            let name = format!("c{i}");
            let keep_alive = [5u16, 10, 30, 60][rng.below(4) as usize];
            let mut o = ConnectOptions::new(name.clone())
                .clean_session(rng.below(2) == 0)
                .keep_alive(keep_alive);
            if rng.below(2) == 0 {
                let retain = rng.below(2) == 0;
                let qos = QoS::from_u8(rng.below(3) as u8).unwrap_or(QoS::AtMostOnce);
                if let Ok(w) = o.clone().will(
                    &format!("status/{name}"),
                    format!("{name} gone"),
                    qos,
                    retain,
                ) {
                    o = w;
                }
            }
            let mut subs = Vec::new();
            for _ in 0..rng.below(3) {
                let f = FILTERS[rng.below(FILTERS.len() as u64) as usize];
                if subs.iter().all(|(s, _)| s != f) {
                    subs.push((
                        f.to_owned(),
                        QoS::from_u8(rng.below(3) as u8).unwrap_or(QoS::AtMostOnce),
                    ));
                }
            }
            let link = LinkParams {
                latency: Duration::from_millis(rng.between(1, 50)),
                jitter: Duration::from_millis(rng.below(20)),
                loss_ppm: [0u32, 0, 10_000, 50_000][rng.below(4) as usize],
                ..LinkParams::default()
            };
            clients.push((name, o, subs, link));
        }
        let mut actions = Vec::new();
        // Clients connect in the first seconds; node i is world node i + 1.
        for (i, (_, o, _, _)) in clients.iter().enumerate() {
            let at = Instant::from_millis(rng.below(3000));
            let reconnect = Duration::from_millis(rng.between(500, 5000));
            actions.push((
                at,
                Action::Connect(client_node(i), Box::new(o.clone()), Some(reconnect)),
            ));
        }
        // Publications through the safety phase, each payload unique.
        let heal_ms = heal_at.as_micros() / 1000;
        for k in 0..rng.between(5, 40) {
            let i = rng.below(n as u64) as usize;
            let topic = TOPICS[rng.below(TOPICS.len() as u64) as usize];
            let qos = QoS::from_u8(rng.below(3) as u8).unwrap_or(QoS::AtMostOnce);
            let retain = rng.below(4) == 0;
            let at = Instant::from_millis(rng.between(1000, heal_ms));
            actions.push((
                at,
                Action::Publish {
                    node: client_node(i),
                    topic: topic.to_owned(),
                    payload: format!("s{seed}-c{i}-{k}@{topic}").into_bytes(),
                    qos,
                    retain,
                    properties: Vec::new(),
                },
            ));
        }
        // Faults.
        for _ in 0..rng.below(6) {
            let node = client_node(rng.below(n as u64) as usize);
            let at = Instant::from_millis(rng.between(2000, heal_ms));
            let a = match rng.below(5) {
                0 => Action::Kill(node),
                1 => Action::HalfOpen(node),
                2 => Action::Partition(node),
                3 => Action::WifiDown(node, Duration::from_millis(rng.between(500, 20_000))),
                _ => Action::Disconnect(node),
            };
            actions.push((at, a));
        }
        let mut faults = Vec::new();
        for k in 0..rng.below(5) {
            let packet = [
                PacketType::Publish,
                PacketType::Publish,
                PacketType::Publish,
                PacketType::Puback,
                PacketType::Pubrec,
                PacketType::Pubrel,
                PacketType::Pubcomp,
                PacketType::Pingreq,
                PacketType::Pingresp,
            ][rng.below(9) as usize];
            let client = client_node(rng.below(n as u64) as usize);
            let (from, to) = if rng.below(2) == 0 {
                (Some(client), None)
            } else {
                (None, Some(client))
            };
            let action = if rng.below(2) == 0 {
                FaultAction::Duplicate
            } else {
                FaultAction::Delay(Duration::from_millis(rng.between(100, 8000)))
            };
            let start = Instant::from_millis(rng.between(0, heal_ms / 2));
            faults.push(FaultRule {
                label: format!("swarm fault {k}"),
                action,
                packet: Some(packet),
                from,
                to,
                start,
                until: Some(heal_at),
                remaining: Some(rng.between(1, 5) as u32),
            });
        }
        SwarmPlan {
            seed,
            clients,
            actions,
            faults,
            heal_at,
            end: heal_at + Duration::from_secs(150),
        }
    }

    /// The plan in one paragraph, for "reproduce with" reports.
    pub fn describe(&self) -> String {
        let mut s = format!(
            "seed {}: {} clients, heal at {}, end at {}\n",
            self.seed,
            self.clients.len(),
            self.heal_at,
            self.end
        );
        for (name, o, subs, l) in &self.clients {
            s.push_str(&format!(
                "  {name}: clean {} k{} will {} subs {:?} latency {:?} jitter {:?} loss {}ppm\n",
                u8::from(o.clean_session),
                o.keep_alive,
                o.will.as_ref().map_or("-".into(), |w| format!(
                    "{} r{} q{}",
                    w.topic,
                    u8::from(w.retain),
                    w.qos
                )),
                subs,
                l.latency,
                l.jitter,
                l.loss_ppm
            ));
        }
        for (t, a) in &self.actions {
            let what = match a {
                Action::Publish {
                    node,
                    topic,
                    payload,
                    qos,
                    retain,
                    ..
                } => format!(
                    "c{} publishes \"{}\" on {topic} q{qos} r{}",
                    node.get() - 1,
                    String::from_utf8_lossy(payload),
                    u8::from(*retain)
                ),
                Action::Connect(node, o, r) => format!(
                    "c{} connects (reconnect {r:?}, clean {})",
                    node.get() - 1,
                    u8::from(o.clean_session)
                ),
                other => format!("{other:?}"),
            };
            s.push_str(&format!("  at {t}: {what}\n"));
        }
        for f in &self.faults {
            s.push_str(&format!(
                "  fault {:?} {:?} from node {:?} to node {:?}, from {} until {:?}, {:?} times\n",
                f.action, f.packet, f.from, f.to, f.start, f.until, f.remaining
            ));
        }
        s
    }

    /// Builds the world; a plan edited to name a node it does not have is refused.
    pub fn build(&self, mode: TraceMode) -> Result<World, WorldError> {
        let mut w = World::new(self.seed, mode);
        w.record_broker_events();
        let b = w.add_broker("broker", BrokerConfig::default())?;
        for (name, o, subs, link) in &self.clients {
            let g = Generic {
                options: Some(o.clone()),
                reconnect: None,
                subscriptions: subs.clone(),
                offline: false,
            };
            w.add_client(name, b, link.clone(), App::Generic(g))?;
        }
        for (t, a) in &self.actions {
            w.schedule(*t, a.clone())?;
        }
        for f in &self.faults {
            w.add_fault(f.clone())?;
        }
        // Liveness: everything heals, every client comes back.
        for (i, (_, o, _, _)) in self.clients.iter().enumerate() {
            w.schedule(self.heal_at, Action::Heal(client_node(i)))?;
            w.schedule(
                self.heal_at + Duration::from_millis(1),
                Action::Connect(
                    client_node(i),
                    Box::new(o.clone()),
                    Some(Duration::from_secs(1)),
                ),
            )?;
        }
        Ok(w)
    }
}

/// The world node of a plan's `i`-th client (the broker is node 0).
pub fn client_node(i: usize) -> NodeId {
    NodeId::at(i + 1)
}

/// What a swarm run found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwarmOutcome {
    /// The seed.
    pub seed: u64,
    /// The trace hash.
    pub hash: u64,
    /// Events processed.
    pub events: u64,
    /// Delivery guarantees checked (acknowledged QoS 1/2 message x persistent
    /// subscriber pairs).
    pub guarantees: u64,
    /// The first invariant broken, if any.
    pub violation: Option<String>,
}

struct Checker {
    received_seen: Vec<usize>,
    events_seen: usize,
    retained_published: BTreeSet<(String, Vec<u8>)>,
}

impl Checker {
    fn step(&mut self, w: &World, plan: &SwarmPlan) -> Result<(), String> {
        // 1. Filters match.
        for (i, (name, _, subs, _)) in plan.clients.iter().enumerate() {
            let Some(c) = w.client(client_node(i)) else {
                continue;
            };
            for m in c.received.iter_from(self.received_seen[i]) {
                if !subs.iter().any(|(f, _)| topic::matches(f, &m.topic)) {
                    return Err(format!(
                        "{name} received '{}' but subscribed to {subs:?}",
                        m.topic
                    ));
                }
                if m.retain
                    && !self
                        .retained_published
                        .contains(&(m.topic.clone(), m.payload.clone()))
                {
                    // The publish may be in flight right now; record and re-check at the end.
                    self.retained_published
                        .insert((format!("?{}", m.topic), m.payload.clone()));
                }
            }
            self.received_seen[i] = c.received.len();
        }
        // 2. Wills iff ungraceful.
        let events = w.broker_events();
        for (k, (_, _, e)) in events.iter().enumerate().skip(self.events_seen) {
            if let BrokerEvent::Disconnected {
                client_id: Some(id),
                graceful,
                ..
            } = e
            {
                let had_will = plan
                    .clients
                    .iter()
                    .any(|(n, o, _, _)| n == id && o.will.is_some());
                // The will, if any, is published just before the Disconnected event.
                let fired = events[..k].iter().rev().take_while(|(_, _, e)| !matches!(e, BrokerEvent::Disconnected { .. })).any(
                    |(_, _, e)| matches!(e, BrokerEvent::WillPublished { client_id, .. } if client_id == id),
                );
                if had_will && fired == *graceful {
                    return Err(format!(
                        "{id} disconnected (graceful: {graceful}) and its will was {}published",
                        if fired { "" } else { "not " }
                    ));
                }
                if !had_will && fired {
                    return Err(format!("{id} had no will but one was published"));
                }
            }
        }
        self.events_seen = events.len();
        Ok(())
    }
}

/// Runs one seed: builds its world, steps it to the end checking invariants after
/// every step, then checks delivery guarantees.
pub fn run_seed(seed: u64) -> SwarmOutcome {
    run_plan(&SwarmPlan::new(seed))
}

/// Runs a plan (a seed's, possibly edited) and checks the invariants.
pub fn run_plan(plan: &SwarmPlan) -> SwarmOutcome {
    let seed = plan.seed;
    let plan = plan.clone();
    // Full, drained after every step into the specification checker (the
    // hash is the same as HashOnly's).
    let mut w = match plan.build(TraceMode::Full) {
        Ok(w) => w,
        Err(e) => {
            return SwarmOutcome {
                seed,
                hash: 0,
                events: 0,
                guarantees: 0,
                violation: Some(format!("the plan cannot be built: {e}")),
            }
        }
    };
    let mut checker = Checker {
        received_seen: vec![0; plan.clients.len()],
        events_seen: 0,
        retained_published: BTreeSet::new(),
    };
    // Retained payloads that may legitimately be stored: retained publishes and
    // retained wills.
    for (_, a) in &plan.actions {
        if let Action::Publish {
            topic,
            payload,
            retain: true,
            ..
        } = a
        {
            checker
                .retained_published
                .insert((topic.clone(), payload.clone()));
        }
    }
    for (_, o, _, _) in &plan.clients {
        if let Some(wl) = o.will.as_ref().filter(|w| w.retain) {
            checker
                .retained_published
                .insert((wl.topic.as_str().to_owned(), wl.message.to_vec()));
        }
    }
    let mut spec = crate::checker::Checker::new();
    let mut violation = None;
    while w.next_event_time().is_some_and(|t| t <= plan.end) {
        w.step();
        for e in w.take_trace_entries() {
            crate::checker::trace::feed(&mut spec, &e);
        }
        if let Err(e) = checker.step(&w, &plan) {
            violation = Some(format!("at {}: {e}", w.now()));
            break;
        }
    }
    let mut guarantees = 0;
    if violation.is_none() {
        violation = final_checks(&w, &plan, &checker, &mut guarantees).err();
    }
    if violation.is_none() {
        // The specification checker, one more invariant: no MUST broken.
        let report = spec.finish(w.now().as_micros() * 1000);
        if let Some(f) = report
            .findings
            .iter()
            .find(|f| f.severity == crate::checker::Severity::Must)
        {
            violation = Some(format!("the specification checker: {f}"));
        }
    }
    SwarmOutcome {
        seed,
        hash: w.trace().hash(),
        events: w.stats().events,
        guarantees,
        violation,
    }
}

fn final_checks(
    w: &World,
    plan: &SwarmPlan,
    checker: &Checker,
    guarantees: &mut u64,
) -> Result<(), String> {
    // 3. Retained consistency.
    let broker = w.broker(NodeId::new(0)).ok_or("no broker")?;
    for m in broker.broker.retained() {
        let key = (m.topic.as_str().to_owned(), m.payload.to_vec());
        if !checker.retained_published.contains(&key) {
            return Err(format!(
                "retained message on {} was never published with RETAIN there",
                m.topic
            ));
        }
    }
    for (k, p) in &checker.retained_published {
        if let Some(t) = k.strip_prefix('?') {
            if !checker
                .retained_published
                .contains(&(t.to_owned(), p.clone()))
            {
                return Err(format!(
                    "a message with RETAIN on {t} was never published with RETAIN"
                ));
            }
        }
    }
    // 4. Delivery guarantees to persistent subscribers.
    for (pi, _) in plan.clients.iter().enumerate() {
        let Some(publisher) = w.client(client_node(pi)) else {
            continue;
        };
        for (sent, m) in &publisher.acked {
            for (si, (sname, so, subs, _)) in plan.clients.iter().enumerate() {
                if so.clean_session {
                    continue;
                }
                let Some(sub) = w.client(client_node(si)) else {
                    continue;
                };
                let Some((suback_at, granted)) = &sub.first_suback else {
                    continue;
                };
                if suback_at >= sent {
                    continue;
                }
                let matching: Vec<QoS> = subs
                    .iter()
                    .zip(granted.iter())
                    .filter(|((f, _), _)| topic::matches(f, &m.topic))
                    .filter_map(|(_, g)| match g {
                        SubackReturnCode::Success(q) => Some(*q),
                        SubackReturnCode::Failure => None,
                    })
                    .collect();
                let Some(best) = matching.iter().max() else {
                    continue;
                };
                let eff = (*best).min(m.qos);
                if eff == QoS::AtMostOnce {
                    continue;
                }
                *guarantees += 1;
                let got = sub
                    .received
                    .iter()
                    .filter(|r| r.topic == m.topic && r.payload == m.payload)
                    .count();
                if got == 0 {
                    return Err(format!(
                        "{sname} never received QoS {} message '{}' on {} (acknowledged to its publisher)",
                        eff,
                        String::from_utf8_lossy(&m.payload),
                        m.topic
                    ));
                }
                if eff == QoS::ExactlyOnce && matching.len() == 1 && !sub.lost_state && got > 1 {
                    return Err(format!(
                        "{sname} received QoS 2 message '{}' {got} times",
                        String::from_utf8_lossy(&m.payload)
                    ));
                }
            }
        }
    }
    // Everyone is back.
    for (i, (name, ..)) in plan.clients.iter().enumerate() {
        if let Some(Node::Client(c)) = w.node(client_node(i)) {
            if !c.client.is_connected() {
                return Err(format!(
                    "{name} is not connected at the end of the liveness phase"
                ));
            }
        }
    }
    Ok(())
}
