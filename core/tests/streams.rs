//! Generators per stream: every link, host and broker draws from its own generator,
//! derived from the seed and its name, so adding a part to a world never changes
//! what the others draw.
//!
//! Each bundled scenario is run twice with the same seed: as shipped, and with two
//! more nodes (on the first broker that lets anyone in, else on one of their
//! own): a QoS 1 sensor behind a lossy, jittery link, and a lossy host on which
//! `mosquitto_sub` commands are typed, publishing and subscribing where no one
//! else does. Every other node must receive the same messages at the same
//! times and print the same lines, and every packet and close between the other
//! nodes must fare the same (sent, delivered or dropped, retransmitted as often,
//! at the same microsecond).

use mqttlab_core::sim::bundled::BUNDLED;
use mqttlab_core::sim::node::Node;
use mqttlab_core::sim::scenario::{self, ast::NodeKind};
use mqttlab_core::sim::{TraceKind, World};

const EXTRA: &str = "extra9";

/// Whether a node is one the test added.
fn added(name: &str) -> bool {
    name.starts_with(EXTRA)
}

/// The added nodes' lines: a lossy sensor, and a host on which commands are typed
/// (`mosquitto_sub` without `-i` draws its client id). `$`-topics match no `#` or
/// `+` filter (MQTT-4.7.2-1), so nothing the scenario subscribes to receives what
/// they publish.
fn extra_lines(broker: &str, port: u16) -> String {
    format!(
        "sensor {EXTRA} -> {broker} topic $lab/extra every 700ms model walk(0, 1) qos 1 \
         latency 15ms jitter 25ms loss 30% retries 15\n\
         client {EXTRA}b -> {broker} latency 5ms loss 20% retries 15\n\
         at 1s {EXTRA}b: mosquitto_sub -h {broker} -p {port} -t \"$lab/#\" -q 1 -v\n\
         at 2500ms {EXTRA}b: mosquitto_sub -h {broker} -p {port} -t \"$lab/extra\"\n"
    )
}

/// What each node other than the extra one received and printed.
fn hosts(w: &World) -> Vec<String> {
    w.nodes()
        .iter()
        .filter_map(Node::as_client)
        .filter(|c| !added(&c.name))
        .map(|c| format!("{}: {:?} {:?}", c.name, c.received, c.terminal))
        .collect()
}

/// Every packet and close between nodes other than the extra one, with its fate.
fn fates(w: &World) -> Vec<String> {
    w.trace()
        .entries()
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::Packet {
                fate,
                from,
                to,
                summary,
                note,
                ..
            } if !added(from) && !added(to) => Some(format!(
                "{} {fate:?} {from} -> {to} {summary} [{}]",
                e.time,
                note.as_ref().map(|n| n.to_string()).unwrap_or_default()
            )),
            TraceKind::Close {
                fate,
                from,
                to,
                kind,
                ..
            } if !added(from) && !added(to) => {
                Some(format!("{} {fate:?} {from} -> {to} {kind:?}", e.time))
            }
            _ => None,
        })
        .collect()
}

/// `source` with every client-side link lossy and jittery from the start, so
/// that every link draws.
fn all_lossy(source: &str, sc: &scenario::Scenario) -> String {
    let mut s = format!("{source}\n");
    for n in sc.nodes.iter().filter(|n| n.broker.is_some()) {
        s += &format!(
            "at 0s link {} loss 10% jitter 5ms retries 15\n",
            n.name.name
        );
    }
    s
}

#[test]
fn adding_a_lossy_link_changes_no_other_node_or_link() {
    let mut lossy_fates = 0;
    let mut compared = 0;
    for b in BUNDLED {
        let sc = scenario::parse(b.source).unwrap();
        // The first broker that lets anyone in, unlimited; else a broker of the
        // extra node's own.
        let open = sc.nodes.iter().find_map(|n| match &n.kind {
            NodeKind::Broker(cfg)
                if cfg.allow_anonymous
                    && cfg.max_connections.is_none()
                    && !sc.acls.iter().any(|a| a.broker.name == n.name.name) =>
            {
                Some((n.name.name.as_str(), cfg.listener_port))
            }
            _ => None,
        });
        let extra = match open {
            Some((broker, port)) => extra_lines(broker, port),
            None => format!(
                "broker {EXTRA}broker\n{}",
                extra_lines(&format!("{EXTRA}broker"), 1883)
            ),
        };
        let seed = sc.seed.unwrap_or(0);
        // As shipped, and with every link drawing losses.
        for source in [format!("{}\n", b.source), all_lossy(b.source, &sc)] {
            let with_extra = format!("{source}{extra}");
            let before = scenario::run(&source, Some(seed)).unwrap().world;
            let after = scenario::run(&with_extra, Some(seed)).unwrap().world;
            // The extra nodes did draw: their links lost and retransmitted
            // segments, and the typed command made up a client id.
            let extra_retransmitted = after.trace().entries().iter().any(|e| {
                matches!(&e.kind, TraceKind::Packet { from, note: Some(n), .. }
                    if added(from) && n.retransmissions > 0)
            });
            assert!(
                extra_retransmitted,
                "{}: the extra links drew no loss",
                b.name
            );
            let made_up_id = after.trace().entries().iter().any(|e| {
                matches!(&e.kind, TraceKind::Packet { from, summary, .. }
                    if *from == format!("{EXTRA}b") && summary.contains("mosq-"))
            });
            assert!(
                made_up_id,
                "{}: the typed command drew no client id",
                b.name
            );
            assert_eq!(
                hosts(&before),
                hosts(&after),
                "{}: a node's messages changed",
                b.name
            );
            let (f0, f1) = (fates(&before), fates(&after));
            assert_eq!(f0, f1, "{}: a packet's fate changed", b.name);
            lossy_fates += f0.iter().filter(|f| f.contains("retransmitted")).count();
            compared += f0.len();
        }
    }
    // The comparison covered links that themselves draw losses.
    assert!(
        lossy_fates > 100,
        "only {lossy_fates} retransmitted packets compared"
    );
    eprintln!("{compared} packet fates compared, {lossy_fates} of them retransmitted");
}
