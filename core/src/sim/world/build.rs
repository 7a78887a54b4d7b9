//! Building a world: brokers, client hosts and their links, scheduled actions,
//! fault rules.

use std::collections::BTreeMap;

use crate::broker::BrokerConfig;
use crate::client::Client;
use crate::rng::SplitMix64;
use crate::time::Instant;

use super::{Ev, World};
use crate::sim::action::Action;
use crate::sim::draw::derive_seed;
use crate::sim::fault::FaultRule;
use crate::sim::link::{Link, LinkParams};
use crate::sim::node::{App, BrokerNode, ClientNode, Node};

impl World {
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
        // The world tells the broker what each connection's socket took (all of
        // it, unless a slow-consumer fault stalls the client: `stall.rs`).
        config.socket_feedback = true;
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
}
