use super::*;
use crate::broker::BrokerConfig;
use crate::sim::id::{NodeId, WorldError};
use crate::sim::node::ValueModel;
use crate::sim::node::{App, Sensor};

fn lossy_world(seed: u64) -> World {
    let mut w = World::new(seed, TraceMode::HashOnly);
    let b = w.add_broker("b", BrokerConfig::default()).unwrap();
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
        let n = w
            .add_client(&name, b, params.clone(), App::Sensor(s))
            .unwrap();
        w.schedule(Instant::ZERO, Action::Start(n)).unwrap();
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
    let b = w.add_broker("b", BrokerConfig::default()).unwrap();
    let n = w
        .add_client("c", b, LinkParams::default(), App::Idle)
        .unwrap();
    w.schedule(
        Instant::ZERO,
        Action::Connect(n, Box::new(crate::client::ConnectOptions::new("c")), None),
    )
    .unwrap();
    w.schedule(Instant::from_secs(1), Action::Partition(n))
        .unwrap();
    w.schedule(
        Instant::from_secs(2),
        Action::Publish {
            node: n,
            topic: "t".into(),
            payload: b"x".to_vec(),
            qos: crate::codec::QoS::AtLeastOnce,
            retain: false,
            properties: Vec::new(),
        },
    )
    .unwrap();
    w.schedule(Instant::from_secs(10), Action::Heal(n)).unwrap();
    w.run_until(Instant::from_secs(9));
    assert_eq!(w.client(n).unwrap().acked.len(), 0);
    w.run_until(Instant::from_secs(11));
    let acked = &w.client(n).unwrap().acked;
    assert_eq!(acked.len(), 1);
    assert_eq!(acked[0].0, Instant::from_secs(2));
}

#[test]
fn a_bad_id_in_an_action_is_an_error_not_a_panic() {
    let mut w = World::new(1, TraceMode::Full);
    let b = w.add_broker("b", BrokerConfig::default()).unwrap();
    let c = w
        .add_client("c", b, LinkParams::default(), App::Idle)
        .unwrap();
    let nobody = NodeId::new(99);
    assert_eq!(
        w.schedule(Instant::ZERO, Action::Kill(nobody)),
        Err(WorldError::UnknownNode(nobody))
    );
    assert_eq!(
        w.schedule(Instant::ZERO, Action::Restart(c)),
        Err(WorldError::NotABroker(c))
    );
    assert_eq!(
        w.schedule(Instant::ZERO, Action::Partition(b)),
        Err(WorldError::NotAClient(b))
    );
    let rule = |to| crate::sim::FaultRule {
        label: "drop next PUBACK".into(),
        action: crate::sim::FaultAction::Drop,
        packet: None,
        from: None,
        to: Some(to),
        start: Instant::ZERO,
        until: None,
        remaining: Some(1),
    };
    assert_eq!(
        w.add_fault(rule(nobody)),
        Err(WorldError::UnknownNode(nobody))
    );
    assert_eq!(
        w.schedule(Instant::ZERO, Action::Fault(Box::new(rule(nobody)))),
        Err(WorldError::UnknownNode(nobody))
    );
    assert_eq!(
        w.add_client("d", c, LinkParams::default(), App::Idle),
        Err(WorldError::NotABroker(c))
    );
    assert_eq!(
        w.add_client("c", b, LinkParams::default(), App::Idle),
        Err(WorldError::DuplicateName("c".into()))
    );
    // Nothing refused was queued or added: the world runs as if never asked.
    assert_eq!(w.next_event_time(), None);
    assert_eq!(w.nodes().len(), 2);
    assert!(w.faults().is_empty());
    w.schedule(Instant::ZERO, Action::Kill(c)).unwrap();
    w.run_until(Instant::from_secs(1));
}

/// Swarm seed 301: segments held by a partition reach the broker after it
/// closed the connection at its keep-alive timeout. The broker never reads
/// them (a closed socket's data is not read): the trace says so, and no
/// checker or diagram takes them for packets the broker handled.
#[test]
fn segments_reaching_a_connection_the_broker_closed_are_dropped() {
    use crate::sim::note::PacketCause;
    use crate::sim::trace::{Fate, TraceKind};
    let mut w = World::new(1, TraceMode::Full);
    let b = w.add_broker("b", BrokerConfig::default()).unwrap();
    let n = w
        .add_client("c", b, LinkParams::default(), App::Idle)
        .unwrap();
    let o = crate::client::ConnectOptions::new("c").keep_alive(5);
    w.schedule(Instant::ZERO, Action::Connect(n, Box::new(o), None))
        .unwrap();
    w.schedule(Instant::from_secs(1), Action::Partition(n))
        .unwrap();
    w.schedule(
        Instant::from_secs(2),
        Action::Publish {
            node: n,
            topic: "t".into(),
            payload: b"x".to_vec(),
            qos: crate::codec::QoS::AtLeastOnce,
            retain: false,
            properties: Vec::new(),
        },
    )
    .unwrap();
    // The broker closes at 1.5 x 5 s after the CONNECT; the heal comes later.
    w.schedule(Instant::from_secs(10), Action::Heal(n)).unwrap();
    w.run_until(Instant::from_secs(11));
    let closed_at = Instant::from_millis(7_500);
    let mut late = Vec::new();
    for e in w.trace().entries() {
        if let TraceKind::Packet {
            fate,
            to_broker: true,
            summary,
            note,
            ..
        } = &e.kind
        {
            if e.time > closed_at && *fate != Fate::Sent {
                let cause = note.as_ref().and_then(|n| n.cause.clone());
                late.push((*fate, summary.clone(), cause));
            }
        }
    }
    assert!(
        late.iter().any(|(_, s, _)| s.starts_with("PUBLISH")),
        "{late:?}"
    );
    for (fate, summary, cause) in late {
        assert_eq!(fate, Fate::Dropped, "{summary}");
        assert_eq!(cause, Some(PacketCause::BrokerClosed), "{summary}");
    }
}
