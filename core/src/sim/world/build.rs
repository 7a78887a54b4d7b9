//! Building a world: brokers, client hosts and their links, scheduled actions,
//! fault rules.

use std::collections::BTreeMap;

use crate::broker::{BrokerConfig, SYS_VERSION};
use crate::client::Client;
use crate::rng::SplitMix64;
use crate::time::Instant;

use super::{Ev, World};
use crate::sim::action::Action;
use crate::sim::draw::{stream, stream_seed, Stream};
use crate::sim::fault::FaultRule;
use crate::sim::id::{LinkId, NodeId, WorldError};
use crate::sim::link::{Link, LinkParams};
use crate::sim::node::{App, BrokerNode, ClientNode, Node};

impl World {
    /// Adds a broker; its log starts with mosquitto's start-up lines.
    pub fn add_broker(
        &mut self,
        name: &str,
        mut config: BrokerConfig,
    ) -> Result<NodeId, WorldError> {
        self.check_new_name(name)?;
        let id = NodeId::at(self.nodes.len());
        let nb = self
            .nodes
            .iter()
            .filter(|n| n.as_broker().is_some())
            .count();
        let ip = format!("192.168.0.{}", 13 + nb % 200);
        config.seed = stream_seed(self.seed, Stream::Broker, name);
        // The world tells the broker what each connection's socket took (all of
        // it, unless a slow-consumer fault stalls the client: `stall.rs`).
        config.socket_feedback = true;
        // Log lines only ever reach the trace: without one, the broker need
        // not word them (a line per packet, most of a traceless run's work).
        config.log &= self.trace.enabled();
        // The world marks wills; other events only matter when it keeps them.
        config.will_events_only = self.broker_events.is_none();
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
            format!("{SYS_VERSION} starting"),
            "Using default config.".to_owned(),
            format!("Opening ipv4 listen socket on port {port}."),
        ] {
            self.log(id, line);
        }
        // A broker with a clock of its own (`sys-interval`) starts it now;
        // any other has no deadline yet and nothing is scheduled.
        self.reschedule(id);
        Ok(id)
    }

    /// Adds a client host linked to `broker`, running `app` once started.
    pub fn add_client(
        &mut self,
        name: &str,
        broker: NodeId,
        params: LinkParams,
        app: App,
    ) -> Result<NodeId, WorldError> {
        self.check_new_name(name)?;
        self.check_broker(broker)?;
        let id = NodeId::at(self.nodes.len());
        let k = self.links.len();
        let ip = if k < 250 {
            format!("172.17.0.{}", k + 2)
        } else {
            format!("10.{}.{}.{}", (k >> 16) & 255, (k >> 8) & 255, k & 255)
        };
        self.links
            .push(Link::new(id, broker, params, ip.clone(), self.seed, name));
        self.nodes.push(Node::Client(Box::new(ClientNode {
            name: name.into(),
            ip,
            link: LinkId::at(k),
            broker,
            client: Client::new(),
            app,
            alive: true,
            wifi_down: false,
            terminal: Default::default(),
            received: Default::default(),
            refusals: Vec::new(),
            wake: None,
            rng: stream(self.seed, Stream::Node, name),
            commands: stream(self.seed, Stream::Commands, name),
            keep_received: true,
            acked: Default::default(),
            first_suback: None,
            lost_state: false,
            unacked: BTreeMap::new(),
            reset_seen: false,
            exit_code: None,
            output: Default::default(),
        })));
        self.timers.push(None);
        self.woke.push(None);
        self.names.insert(name.into(), id);
        Ok(id)
    }

    /// Schedules an action, once every node it names is there and of the kind it
    /// needs.
    pub fn schedule(&mut self, at: Instant, action: Action) -> Result<(), WorldError> {
        self.check_action(&action)?;
        self.queue.push(at, Ev::Action(Box::new(action)));
        Ok(())
    }

    /// Adds a fault rule (active from its own start time), once the nodes it names
    /// are there.
    pub fn add_fault(&mut self, rule: FaultRule) -> Result<(), WorldError> {
        self.check_fault(&rule)?;
        self.faults.push(rule);
        Ok(())
    }

    fn check_new_name(&self, name: &str) -> Result<(), WorldError> {
        match self.names.contains_key(name) {
            true => Err(WorldError::DuplicateName(name.to_owned())),
            false => Ok(()),
        }
    }

    pub(super) fn check_node(&self, id: NodeId) -> Result<&Node, WorldError> {
        self.node(id).ok_or(WorldError::UnknownNode(id))
    }

    pub(super) fn check_broker(&self, id: NodeId) -> Result<(), WorldError> {
        match self.check_node(id)? {
            Node::Broker(_) => Ok(()),
            Node::Client(_) => Err(WorldError::NotABroker(id)),
        }
    }

    pub(super) fn check_client(&self, id: NodeId) -> Result<(), WorldError> {
        match self.check_node(id)? {
            Node::Client(_) => Ok(()),
            Node::Broker(_) => Err(WorldError::NotAClient(id)),
        }
    }

    pub(super) fn check_fault(&self, rule: &FaultRule) -> Result<(), WorldError> {
        for id in rule.from.iter().chain(rule.to.iter()) {
            self.check_node(*id)?;
        }
        Ok(())
    }

    /// Keeps every broker event (for the swarm's invariants).
    pub fn record_broker_events(&mut self) {
        self.broker_events = Some(Vec::new());
        for n in &mut self.nodes {
            if let Node::Broker(b) = n {
                b.config.will_events_only = false;
                b.broker.report_every_event();
            }
        }
    }

    /// Has every broker keep the tree of the topics it routes (the broker state
    /// view's topic tree), also after a restart.
    pub fn record_topic_trees(&mut self) {
        for n in &mut self.nodes {
            if let Node::Broker(b) = n {
                b.config.topic_tree = true;
                b.broker.enable_topic_tree();
            }
        }
    }

    /// Stops keeping received messages on every client (scale benchmarks).
    pub fn forget_received(&mut self) {
        for n in &mut self.nodes {
            if let Node::Client(c) = n {
                c.keep_received = false;
            }
        }
    }

    /// The generator for command lines typed on client host `node` (the client id
    /// `mosquitto_sub` makes up when `-i` is not given): its own, so typing a
    /// command never changes what anything else draws.
    pub fn command_rng(&mut self, node: NodeId) -> Result<&mut SplitMix64, WorldError> {
        match self.nodes.get_mut(node.index()) {
            Some(Node::Client(c)) => Ok(&mut c.commands),
            Some(Node::Broker(_)) => Err(WorldError::NotAClient(node)),
            None => Err(WorldError::UnknownNode(node)),
        }
    }
}
