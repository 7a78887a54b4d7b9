use super::*;
use crate::broker::BrokerConfig;
use crate::sim::node::ValueModel;
use crate::sim::node::{App, Sensor};

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
