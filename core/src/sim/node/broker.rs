//! A broker node: the core [`Broker`] with an address, and a switch for restarts.

use crate::broker::{Broker, BrokerConfig};

/// A broker in the world.
#[derive(Debug, Clone)]
pub struct BrokerNode {
    /// Its name in the scenario.
    pub name: String,
    /// Its IP address.
    pub ip: String,
    /// The configuration it (re)starts with.
    pub config: BrokerConfig,
    /// The broker itself; replaced by a fresh one on restart (no persistence, as
    /// mosquitto without `persistence true`).
    pub broker: Broker,
    /// How many times it restarted.
    pub restarts: u32,
}

impl BrokerNode {
    /// A broker node.
    pub fn new(name: String, ip: String, config: BrokerConfig) -> Self {
        BrokerNode {
            name,
            ip,
            broker: Broker::new(config.clone()),
            config,
            restarts: 0,
        }
    }

    /// The listener port.
    pub fn port(&self) -> u16 {
        self.config.listener_port
    }

    /// Forgets everything and starts again (with a seed of its own per restart).
    pub fn restart(&mut self) {
        self.restarts += 1;
        let mut config = self.config.clone();
        config.seed = config.seed.wrapping_add(u64::from(self.restarts));
        self.broker = Broker::new(config);
    }
}
