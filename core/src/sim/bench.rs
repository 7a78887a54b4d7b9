//! The worlds behind the simulator's benchmarks, shared by `mqttlab bench-sim` and
//! the browser test so that native and wasm32 figures measure the same thing.

use core::time::Duration;

use crate::broker::BrokerConfig;
use crate::client::ConnectOptions;
use crate::codec::QoS;
use crate::time::Instant;

use super::action::Action;
use super::link::LinkParams;
use super::node::{App, Generic, Sensor, ValueModel};
use super::trace::TraceMode;
use super::world::World;

/// `clients` clients on links with latency and jitter: half publish a QoS 1
/// reading every second, half subscribe to all of them. `mode` is the trace it
/// keeps (`Off` for the speed figure, `Full` for the trace's cost).
pub fn speed_world(clients: usize, mode: TraceMode) -> World {
    let mut w = World::new(1, mode);
    w.forget_received();
    let b = w
        .add_broker("broker", BrokerConfig::default())
        .expect("the first node of an empty world");
    for i in 0..clients {
        let link = LinkParams {
            latency: Duration::from_millis(5),
            jitter: Duration::from_millis(2),
            ..LinkParams::default()
        };
        let name = format!("c{i}");
        let opts = ConnectOptions::new(name.clone());
        let app = if i % 2 == 0 {
            App::Generic(Generic {
                options: Some(opts),
                reconnect: Some(Duration::from_secs(1)),
                subscriptions: vec![("bench/#".into(), QoS::AtLeastOnce)],
                offline: false,
            })
        } else {
            let mut s = Sensor::new(
                format!("bench/{i}"),
                Duration::from_secs(1),
                ValueModel::Walk {
                    start: 20.0,
                    step: 0.5,
                },
                opts,
            );
            s.qos = QoS::AtLeastOnce;
            App::Sensor(s)
        };
        let n = w
            .add_client(&name, b, link, app)
            .expect("a fresh name on the world's broker");
        w.schedule(Instant::from_millis(i as u64), Action::Start(n))
            .expect("a client host");
    }
    w
}

/// `sensors` sensors publishing a QoS 0 reading every 10 s, powering up over the
/// first 10 s, with the trace `mode` keeps.
pub fn scale_world(sensors: u32, mode: TraceMode) -> World {
    let mut w = World::new(2, mode);
    w.forget_received();
    let b = w
        .add_broker("broker", BrokerConfig::default())
        .expect("the first node of an empty world");
    for i in 0..sensors {
        let name = format!("s{i}");
        let s = Sensor::new(
            format!("casa/sensor{i}/temperatura"),
            Duration::from_secs(10),
            ValueModel::Sine {
                mean: 20.0,
                amplitude: 5.0,
                period: Duration::from_secs(600),
            },
            ConnectOptions::new(name.clone()),
        );
        let n = w
            .add_client(&name, b, LinkParams::default(), App::Sensor(s))
            .expect("a fresh name on the world's broker");
        let at = u64::from(i) * 10_000_000 / u64::from(sensors.max(1));
        w.schedule(Instant::from_micros(at), Action::Start(n))
            .expect("a client host");
    }
    w
}

/// The scrub world's sensors and seconds: 200 sensors for 100 s make a little
/// over 100,000 events.
pub const SCRUB_SENSORS: usize = 200;
/// See [`SCRUB_SENSORS`].
pub const SCRUB_SECONDS: u64 = 100;

/// A scenario of `sensors` QoS 1 sensors reporting every second to one broker,
/// a `mosquitto_sub -h broker1 -t casa/#` and a fault rule: about 100,000 events with
/// 200 sensors over 100 s, every one of them in the trace. The world
/// the timeline's scrub is measured on, natively (`core/tests/replay.rs`) and
/// in the page (`tests/e2e/timetravel.test.mjs`; `mqttlab bench-sim
/// --scrub-world` prints it).
pub fn scrub_world_source(sensors: usize, seconds: u64) -> String {
    let mut s = String::from("# A hundred thousand events to scrub through\nbroker broker1\n");
    s += "client painel -> broker1 latency 2ms\n";
    for i in 0..sensors {
        s += &format!(
            "sensor s{i} -> broker1 topic casa/s{i}/temperatura every 1s model walk(20,0.5) qos 1 latency {}ms\n",
            1 + i % 7
        );
    }
    s += "at 0s painel: mosquitto_sub -h broker1 -t \"casa/#\" -q 1\n";
    s += &format!("at {}s fault drop next PUBACK to s0\n", seconds / 2);
    s += &format!("run {seconds}s\n");
    s
}
