//! What a host name typed after `-h` means on a simulated node.
//!
//! The tools connect to `localhost` when `-h` is not given, as the real ones
//! do. In the simulated world `localhost` is the node the terminal runs on:
//! every terminal is on a client host, which runs no broker, so a command line
//! without `-h` ends as it does on a real machine without mosquitto:
//! `Error: Connection refused`, exit code 1. A node's name (its container's
//! host name) and its IP address reach it; a broker is reached through the
//! node's link only when it is the broker that link goes to.

use crate::sim::id::NodeId;
use crate::sim::node::Node;
use crate::sim::note::HostMiss;
use crate::tools::TransportError;

use super::World;

impl World {
    /// What `host`, typed on client node `node`, reaches: `Ok` for the node's
    /// own broker, otherwise why not.
    pub(super) fn reach(&self, node: NodeId, host: &str) -> Result<(), HostMiss> {
        let Some(me) = self.client(node) else {
            return Err(HostMiss::UnknownName);
        };
        if is_loopback(host) || is_named(host, &me.name, &me.ip) {
            return Err(HostMiss::Itself);
        }
        let found = self.nodes.iter().enumerate().find(|(_, n)| match n {
            Node::Broker(b) => is_named(host, &b.name, &b.ip),
            Node::Client(c) => is_named(host, &c.name, &c.ip),
        });
        match found {
            Some((i, Node::Broker(_))) if i == me.broker.index() => Ok(()),
            Some((_, Node::Broker(_))) => Err(HostMiss::OtherBroker(self.name(me.broker))),
            Some((_, Node::Client(_))) => Err(HostMiss::NotABroker),
            None if is_address(host) => Err(HostMiss::UnknownAddress),
            None => Err(HostMiss::UnknownName),
        }
    }
}

impl HostMiss {
    /// What the connecting program hears from its socket.
    pub fn transport_error(&self) -> TransportError {
        match self {
            HostMiss::Itself | HostMiss::NotABroker => TransportError::Refused,
            HostMiss::UnknownName => TransportError::Lookup,
            HostMiss::OtherBroker(_) | HostMiss::UnknownAddress => TransportError::NoRoute,
        }
    }
}

/// Host names are case-insensitive (RFC 4343).
fn is_named(host: &str, name: &str, ip: &str) -> bool {
    host.eq_ignore_ascii_case(name) || host == ip
}

/// The loopback names of a Debian `/etc/hosts` and the loopback addresses.
fn is_loopback(host: &str) -> bool {
    ["localhost", "ip6-localhost", "ip6-loopback"]
        .iter()
        .any(|n| host.eq_ignore_ascii_case(n))
        || host
            .parse::<core::net::IpAddr>()
            .is_ok_and(|a| a.is_loopback())
}

fn is_address(host: &str) -> bool {
    host.parse::<core::net::IpAddr>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::broker::BrokerConfig;
    use crate::sim::link::LinkParams;
    use crate::sim::node::App;

    fn world() -> (World, NodeId) {
        let mut w = World::new(1, crate::sim::TraceMode::Off);
        let b1 = w.add_broker("broker1", BrokerConfig::default()).unwrap();
        let b2 = w.add_broker("broker2", BrokerConfig::default()).unwrap();
        let a = w
            .add_client("alpine1", b1, LinkParams::default(), App::Idle)
            .unwrap();
        w.add_client("alpine2", b2, LinkParams::default(), App::Idle)
            .unwrap();
        (w, a)
    }

    #[test]
    fn the_nodes_broker_by_name_or_address() {
        let (w, a) = world();
        assert_eq!(w.reach(a, "broker1"), Ok(()));
        assert_eq!(w.reach(a, "BROKER1"), Ok(()));
        assert_eq!(w.reach(a, "192.168.0.13"), Ok(()));
    }

    #[test]
    fn localhost_is_the_node_itself() {
        let (w, a) = world();
        for h in [
            "localhost",
            "127.0.0.1",
            "127.0.1.1",
            "::1",
            "alpine1",
            "172.17.0.2",
        ] {
            assert_eq!(w.reach(a, h), Err(HostMiss::Itself), "{h}");
        }
        assert_eq!(
            HostMiss::Itself.transport_error().line(),
            "Error: Connection refused"
        );
    }

    #[test]
    fn other_hosts_and_names() {
        let (w, a) = world();
        assert_eq!(w.reach(a, "alpine2"), Err(HostMiss::NotABroker));
        assert_eq!(
            w.reach(a, "broker2"),
            Err(HostMiss::OtherBroker("broker1".into()))
        );
        assert_eq!(w.reach(a, "192.168.0.14"), w.reach(a, "broker2"));
        assert_eq!(w.reach(a, "brokr1"), Err(HostMiss::UnknownName));
        assert_eq!(w.reach(a, "10.9.9.9"), Err(HostMiss::UnknownAddress));
        assert_eq!(
            HostMiss::UnknownName.transport_error().line(),
            "Unable to connect (Lookup error.)."
        );
        assert_eq!(
            HostMiss::UnknownAddress.transport_error().line(),
            "Error: No route to host"
        );
    }
}
