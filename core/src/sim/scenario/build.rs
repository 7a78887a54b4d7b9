//! Turns a parsed scenario into a world ready to run.

use std::collections::BTreeMap;

use core::time::Duration;

use crate::client::ConnectOptions;
use crate::time::Instant;

use super::super::action::Action;
use super::super::fault::FaultRule;
use super::super::link::LinkParams;
use super::super::node::{Actuator, App, Controller, Esp32, MosquittoCli, Responder, Sensor};
use super::super::trace::TraceMode;
use super::super::world::World;
use super::ast::*;
use super::errors::{Problem, ScenarioError};
use crate::sim::id::{NodeId, WorldError};

/// The connect options a device declaration describes; `seed` (the world's)
/// starts the client's SCRAM nonces, if it authenticates so.
pub fn connect_options(
    name: &str,
    conn: &ConnSpec,
    default_keep_alive: u16,
    seed: u64,
) -> ConnectOptions {
    let mut o = ConnectOptions::new(conn.id.clone().unwrap_or_else(|| name.to_owned()))
        .clean_session(!conn.persistent)
        .keep_alive(conn.keep_alive.unwrap_or(default_keep_alive));
    if let Some(w) = &conn.will {
        // The topic was checked by the parser.
        if let Ok(with) = o
            .clone()
            .will(&w.topic, w.payload.clone().into_bytes(), w.qos, w.retain)
        {
            o = with;
        }
    }
    if let Some((u, p)) = &conn.login {
        o = o.login(u.clone(), p.as_ref().map(|p| p.clone().into_bytes().into()));
    }
    if let Some(p) = conn.protocol {
        o.protocol = p;
    }
    // In the order libmosquitto writes them (the parser allows them with
    // `version 5` only).
    use crate::codec::properties as props;
    if o.protocol != crate::codec::Protocol::V5 {
        return o;
    }
    if let Some(s) = conn.session_expiry {
        o.properties.push(props::SessionExpiryInterval(s).into());
    }
    if let Some(r) = conn.receive_maximum {
        o.properties.push(props::ReceiveMaximum(r).into());
    }
    if let Some(t) = conn.topic_alias_maximum {
        o.properties.push(props::TopicAliasMaximum(t).into());
    }
    if let Some((username, password)) = &conn.scram {
        o.scram = Some(crate::client::ScramLogin {
            username: username.clone(),
            password: password.clone(),
            nonce_seed: seed,
        });
    }
    o
}

impl Scenario {
    /// When the run ends: `run D`, else ten seconds after the last action or the
    /// last expectation window, whichever is later.
    pub fn end_time(&self) -> Instant {
        if let Some(d) = self.run {
            return Instant::ZERO + d;
        }
        let last_action = self
            .actions
            .iter()
            .map(|a| a.at)
            .max()
            .unwrap_or(Instant::ZERO);
        let last_window = self
            .expects
            .iter()
            .filter_map(|e| e.until)
            .max()
            .unwrap_or(Instant::ZERO);
        last_action.max(last_window) + Duration::from_secs(10)
    }

    /// Builds the world, every draw following from `seed`. A scenario from
    /// [`parse`](super::parse) always builds; one put together by hand may name a
    /// node that is not there, and gets the error at that name.
    pub fn build(&self, seed: u64, mode: TraceMode) -> Result<World, ScenarioError> {
        let mut w = World::new(seed, mode);
        for n in &self.nodes {
            if let NodeKind::Broker(cfg) = &n.kind {
                let mut cfg = (**cfg).clone();
                for a in self.acls.iter().filter(|a| a.broker.name == n.name.name) {
                    cfg.acl
                        .get_or_insert_with(Default::default)
                        .rules
                        .push(a.rule.clone());
                }
                w.add_broker(&n.name.name, cfg).map_err(at(&n.name))?;
            }
        }
        for n in &self.nodes {
            let Some(broker) = &n.broker else { continue };
            let b = id(&w, broker)?;
            let name = n.name.name.as_str();
            let (app, start) = match &n.kind {
                NodeKind::Broker(_) | NodeKind::Client => (App::Idle, false),
                NodeKind::Sensor {
                    topic,
                    every,
                    model,
                    qos,
                    retain,
                    properties,
                } => {
                    let mut s = Sensor::new(
                        topic.clone(),
                        *every,
                        model.clone(),
                        connect_options(name, &n.conn, 60, seed),
                    );
                    s.qos = *qos;
                    s.retain = *retain;
                    s.properties = properties.list.clone();
                    (App::Sensor(s), true)
                }
                NodeKind::Actuator { topic, qos } => {
                    let mut a =
                        Actuator::new(topic.clone(), connect_options(name, &n.conn, 60, seed));
                    a.qos = *qos;
                    (App::Actuator(a), true)
                }
                NodeKind::Controller {
                    input,
                    output,
                    setpoint,
                    hysteresis,
                } => {
                    let mut c = Controller::new(
                        input.clone(),
                        output.clone(),
                        *setpoint,
                        connect_options(name, &n.conn, 60, seed),
                    );
                    c.hysteresis = *hysteresis;
                    (App::Controller(c), true)
                }
                NodeKind::Responder { topic, reply, qos } => {
                    let mut r = Responder::new(
                        topic.clone(),
                        reply.clone(),
                        connect_options(name, &n.conn, 60, seed),
                    );
                    r.qos = *qos;
                    (App::Responder(r), true)
                }
                NodeKind::Esp32 {
                    profile,
                    sensor,
                    command,
                    announce,
                    reconnect,
                    properties,
                } => {
                    let mut e = Esp32::new(*profile, name);
                    e.options = connect_options(name, &n.conn, profile.keep_alive(), seed);
                    e.sensor = sensor.as_ref().map(|(t, every, m, q)| {
                        let mut s = Sensor::new(t.clone(), *every, m.clone(), e.options.clone());
                        s.qos = *q;
                        s.properties = properties.list.clone();
                        s
                    });
                    e.command = command.clone();
                    e.announce = announce.clone();
                    e.sketch_reconnect = *reconnect;
                    (App::Esp32(e), true)
                }
            };
            let node = w
                .add_client(name, b, n.link.clone(), app)
                .map_err(at(&n.name))?;
            if start {
                w.schedule(Instant::ZERO, Action::Start(node))
                    .map_err(at(&n.name))?;
            }
        }
        for f in &self.faults {
            let rule = fault_rule(&w, f)?;
            w.add_fault(rule).map_err(|e| fault_error(f, e))?;
        }
        let links = self.link_timeline();
        for (i, a) in self.actions.iter().enumerate() {
            let node = action_node(&a.action);
            let action = match &a.action {
                ActionSpec::Command { node, line } => {
                    let n = id(&w, node)?;
                    let rng = w.command_rng(n).map_err(at(node))?;
                    match MosquittoCli::parse(line, rng) {
                        Ok(cli) => Action::Run {
                            node: n,
                            app: Box::new(App::Cli(cli)),
                        },
                        // The parser already checked the line.
                        Err(_) => continue,
                    }
                }
                ActionSpec::Kill(r) => Action::Kill(id(&w, r)?),
                ActionSpec::HalfOpen(r) => Action::HalfOpen(id(&w, r)?),
                ActionSpec::Partition(r, d) => {
                    let n = id(&w, r)?;
                    if let Some(d) = d {
                        w.schedule(a.at + *d, Action::Heal(n)).map_err(at(r))?;
                    }
                    Action::Partition(n)
                }
                ActionSpec::Heal(r) => Action::Heal(id(&w, r)?),
                ActionSpec::Link(r, _) => match links.get(&i) {
                    Some(params) => Action::SetLink {
                        node: id(&w, r)?,
                        params: params.clone(),
                    },
                    // Only a client-side node has a link (the parser checked).
                    None => continue,
                },
                ActionSpec::Restart(r) => Action::Restart(id(&w, r)?),
                ActionSpec::Stop(r) => Action::Stop(id(&w, r)?),
                ActionSpec::WifiDrop(r, d) => Action::WifiDown(id(&w, r)?, *d),
                ActionSpec::Connect(r, conn, reconnect) => {
                    // The client's declaration (`client c -> b version 5`)
                    // gives the version a connect line leaves out.
                    let mut conn = conn.clone();
                    if conn.protocol.is_none() {
                        conn.protocol = self
                            .nodes
                            .iter()
                            .find(|n| n.name.name == r.name)
                            .and_then(|n| n.conn.protocol);
                    }
                    Action::Connect(
                        id(&w, r)?,
                        Box::new(connect_options(&r.name, &conn, 60, seed)),
                        *reconnect,
                    )
                }
                ActionSpec::Disconnect(r) => Action::Disconnect(id(&w, r)?),
                ActionSpec::Publish(p) => Action::Publish {
                    node: id(&w, &p.node)?,
                    topic: p.topic.clone(),
                    payload: p.payload.clone().into_bytes(),
                    qos: p.qos,
                    retain: p.retain,
                    properties: p.properties.list.clone(),
                },
                ActionSpec::Subscribe(r, filter, qos) => Action::Subscribe {
                    node: id(&w, r)?,
                    filter: filter.clone(),
                    qos: *qos,
                },
                ActionSpec::Unsubscribe(r, filter) => Action::Unsubscribe {
                    node: id(&w, r)?,
                    filter: filter.clone(),
                },
                ActionSpec::Fault(f) => Action::Fault(Box::new(fault_rule(&w, f)?)),
            };
            let scheduled = w.schedule(a.at, action);
            scheduled.map_err(|e| match node {
                Some(r) => at(r)(e),
                None => ScenarioError::new(
                    a.line,
                    1,
                    Problem::World {
                        name: None,
                        error: e,
                    },
                ),
            })?;
        }
        Ok(w)
    }
}

impl Scenario {
    /// The whole link each `link` action leaves, by action index: the options a
    /// line gives replace those in force at its time (from the declaration and
    /// the `link` lines before it, in the order the world will apply them: by
    /// time, then by line).
    fn link_timeline(&self) -> BTreeMap<usize, LinkParams> {
        let mut current: BTreeMap<&str, LinkParams> = self
            .nodes
            .iter()
            .filter(|n| n.broker.is_some())
            .map(|n| (n.name.name.as_str(), n.link.clone()))
            .collect();
        let mut order: Vec<(Instant, usize, &NameRef, &LinkChange)> = self
            .actions
            .iter()
            .enumerate()
            .filter_map(|(i, a)| match &a.action {
                ActionSpec::Link(r, change) => Some((a.at, i, r, change)),
                _ => None,
            })
            .collect();
        order.sort_by_key(|(at, i, _, _)| (*at, *i));
        let mut out = BTreeMap::new();
        for (_, i, r, change) in order {
            if let Some(params) = current.get_mut(r.name.as_str()) {
                change.apply(params);
                out.insert(i, params.clone());
            }
        }
        out
    }
}

/// The rule a `fault` line arms in `w` (node names resolved to ids): used by the
/// scenario builder and by the page when a student arms a fault while it runs.
/// A name `w` does not have is an error at that name (never a rule for any node).
pub fn fault_rule(w: &World, f: &FaultSpec) -> Result<FaultRule, ScenarioError> {
    let opt = |r: &Option<NameRef>| r.as_ref().map(|r| id(w, r)).transpose();
    Ok(FaultRule {
        label: f.label.clone(),
        action: f.action,
        packet: f.packet,
        from: opt(&f.from)?,
        to: opt(&f.to)?,
        start: f.start,
        until: f.duration.map(|d| f.start + d),
        remaining: f.count,
    })
}

/// The node a name refers to in `w`.
fn id(w: &World, r: &NameRef) -> Result<NodeId, ScenarioError> {
    w.node_id(&r.name).ok_or_else(|| {
        let problem = Problem::UnknownNode {
            name: r.name.clone(),
            suggestion: None,
        };
        ScenarioError::new(r.line, r.column, problem)
    })
}

/// A world's refusal, as an error at the name it is about.
fn at(r: &NameRef) -> impl Fn(WorldError) -> ScenarioError + '_ {
    move |error| {
        ScenarioError::new(
            r.line,
            r.column,
            Problem::World {
                name: Some(r.name.clone()),
                error,
            },
        )
    }
}

fn fault_error(f: &FaultSpec, e: WorldError) -> ScenarioError {
    match f.from.iter().chain(f.to.iter()).next() {
        Some(r) => at(r)(e),
        None => ScenarioError::new(
            0,
            0,
            Problem::World {
                name: None,
                error: e,
            },
        ),
    }
}

/// The node an action is about, for errors.
fn action_node(a: &ActionSpec) -> Option<&NameRef> {
    match a {
        ActionSpec::Fault(f) => f.from.as_ref().or(f.to.as_ref()),
        ActionSpec::Command { node: r, .. }
        | ActionSpec::Kill(r)
        | ActionSpec::HalfOpen(r)
        | ActionSpec::Partition(r, _)
        | ActionSpec::Heal(r)
        | ActionSpec::Link(r, _)
        | ActionSpec::Restart(r)
        | ActionSpec::Stop(r)
        | ActionSpec::WifiDrop(r, _)
        | ActionSpec::Connect(r, _, _)
        | ActionSpec::Disconnect(r)
        | ActionSpec::Publish(PublishSpec { node: r, .. })
        | ActionSpec::Subscribe(r, ..)
        | ActionSpec::Unsubscribe(r, _) => Some(r),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::scenario::parse;

    #[test]
    fn a_hand_made_scenario_naming_no_node_is_an_error_at_the_name() {
        let mut sc = parse("broker b\nclient c -> b\nat 1s kill c").unwrap();
        let ActionSpec::Kill(r) = &mut sc.actions[0].action else {
            panic!()
        };
        r.name = "ghost".into();
        let e = sc.build(1, TraceMode::Off).unwrap_err();
        assert_eq!(
            (e.line, e.column, e.problem.to_string()),
            (3, 12, "unknown node 'ghost'".to_string())
        );
        let mut sc = parse("broker b\nclient c -> b\nfault drop PUBACK to c").unwrap();
        sc.faults[0].to.as_mut().unwrap().name = "ghost".into();
        let e = sc.build(1, TraceMode::Off).unwrap_err();
        assert_eq!((e.line, e.column), (3, 22));
    }
}
