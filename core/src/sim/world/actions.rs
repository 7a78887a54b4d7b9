//! Scheduled actions: what a scenario, the page or the swarm makes happen.

use core::time::Duration;

use crate::client::{Client, ConnectionState};

use super::{Ev, World};
use crate::broker::{ConnId, SYS_VERSION};
use crate::sim::action::Action;
use crate::sim::id::{LinkId, WorldError};
use crate::sim::link::Dir;
use crate::sim::node::{App, ClientNode, Node};
use crate::sim::note::{FaultEvent, Note};
use crate::sim::trace::{CloseKind, TraceKind};

impl World {
    /// Whether every node `action` names is there, and a broker or a client host
    /// as the action needs.
    pub(super) fn check_action(&self, action: &Action) -> Result<(), WorldError> {
        match action {
            Action::Restart(b) => self.check_broker(*b),
            Action::Fault(rule) => self.check_fault(rule),
            Action::RemoveFault(_) => Ok(()),
            Action::Run { node, .. }
            | Action::Start(node)
            | Action::Stop(node)
            | Action::Kill(node)
            | Action::HalfOpen(node)
            | Action::Partition(node)
            | Action::Heal(node)
            | Action::SetLink { node, .. }
            | Action::WifiDown(node, _)
            | Action::WifiUp(node)
            | Action::Connect(node, ..)
            | Action::Disconnect(node)
            | Action::Publish { node, .. }
            | Action::Subscribe { node, .. }
            | Action::Unsubscribe { node, .. } => self.check_client(*node),
        }
    }

    pub(super) fn apply(&mut self, action: Action) {
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
                if let Node::Client(c) = &mut self.nodes[node.index()] {
                    c.client = Client::new();
                    c.app = *app;
                    c.alive = true;
                    c.wake = None;
                }
                if let Some(app) = self.client(node).map(|c| c.app.summary()) {
                    self.state(node, Note::Started(app));
                }
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
                self.state(node, Note::Killed);
                if let Node::Client(c) = &mut self.nodes[node.index()] {
                    forget_host(c);
                    let link = c.link;
                    if let Some(conn) = self.links[link.index()].conn.take() {
                        self.send_close(link, conn, Dir::ToBroker, CloseKind::Fin);
                    }
                }
                self.reschedule(node);
            }
            Action::HalfOpen(node) => {
                self.state(node, Note::GoneSilently);
                if let Node::Client(c) = &mut self.nodes[node.index()] {
                    forget_host(c);
                    c.alive = false;
                    self.links[c.link.index()].client_gone = true;
                }
                self.reschedule(node);
            }
            Action::Partition(node) => {
                if let Some(c) = self.client(node) {
                    let link = c.link;
                    self.links[link.index()].partitioned = true;
                    self.state(node, Note::Partitioned);
                }
            }
            Action::Heal(node) => {
                let Some(c) = self.client(node) else { return };
                let link = c.link;
                self.state(node, Note::Healed);
                self.links[link.index()].partitioned = false;
                if self.links[link.index()].client_gone {
                    self.links[link.index()].client_gone = false;
                    if let Node::Client(c) = &mut self.nodes[node.index()] {
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
                let changes = params.changes_from(&self.links[link.index()].params);
                // In-flight frames keep their arrival; `Link::transit` keeps the
                // order for what is sent next.
                self.links[link.index()].params = params;
                self.state(node, Note::LinkChanged(changes));
            }
            Action::Restart(node) => {
                self.log(node, format!("{SYS_VERSION} terminating"));
                let links: Vec<(LinkId, ConnId)> = self
                    .links
                    .iter()
                    .enumerate()
                    .filter(|(_, l)| l.broker == node)
                    .filter_map(|(i, l)| l.conn.map(|c| (LinkId::at(i), c)))
                    .collect();
                for (link, conn) in links {
                    self.send_close(link, conn, Dir::ToClient, CloseKind::Fin);
                }
                if let Node::Broker(b) = &mut self.nodes[node.index()] {
                    b.restart();
                }
                let port = self.broker(node).map_or(1883, |b| b.port());
                self.log(node, format!("{SYS_VERSION} starting"));
                self.log(node, format!("Opening ipv4 listen socket on port {port}."));
                self.reschedule(node);
            }
            Action::WifiDown(node, d) => {
                self.state(node, Note::WifiDown(d));
                if let Node::Client(c) = &mut self.nodes[node.index()] {
                    c.wifi_down = true;
                    if self.links[c.link.index()].conn.take().is_some() {
                        c.client.handle_closed(now);
                    }
                }
                self.pump_client(node);
                self.queue
                    .push(now + d, Ev::Action(Box::new(Action::WifiUp(node))));
            }
            Action::WifiUp(node) => {
                if let Node::Client(c) = &mut self.nodes[node.index()] {
                    c.wifi_down = false;
                }
                self.state(node, Note::WifiUp);
            }
            Action::Connect(node, opts, reconnect) => {
                if let Node::Client(c) = &mut self.nodes[node.index()] {
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
                if let Node::Client(c) = &mut self.nodes[node.index()] {
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
                properties,
            } => {
                let err = match &mut self.nodes[node.index()] {
                    Node::Client(c) => c
                        .client
                        .publish_with(now, &topic, payload, qos, retain, properties)
                        .err(),
                    Node::Broker(_) => None,
                };
                if let Some(e) = err {
                    self.print(node, format!("Error publishing: {e}."));
                }
                self.pump_client(node);
            }
            Action::Subscribe { node, filter, qos } => {
                let err = match &mut self.nodes[node.index()] {
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
                if let Node::Client(c) = &mut self.nodes[node.index()] {
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
                if self.trace.enabled() {
                    let node = rule.node().map(|n| self.name(n));
                    self.push_trace(TraceKind::Fault {
                        label: rule.label.clone(),
                        node,
                        event: FaultEvent::Armed,
                    });
                }
                self.faults.push(rule);
            }
            Action::RemoveFault(label) => {
                let (gone, kept) = std::mem::take(&mut self.faults)
                    .into_iter()
                    .partition::<Vec<_>, _>(|f| f.label == label);
                self.faults = kept;
                if let Some(rule) = gone.first() {
                    if self.trace.enabled() {
                        let node = rule.node().map(|n| self.name(n));
                        self.push_trace(TraceKind::Fault {
                            label,
                            node,
                            event: FaultEvent::Disarmed,
                        });
                    }
                }
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
