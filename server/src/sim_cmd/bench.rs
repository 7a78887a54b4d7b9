//! `mqttlab bench-sim`: how fast the simulator runs, and how far it scales.
//!
//! - speed: 50 clients exchanging QoS 1 messages over links with latency and
//!   jitter, no trace kept; packets delivered per second of CPU;
//! - scale: 10,000 sensors publishing every 10 s for one simulated hour.

use core::time::Duration;
use std::time::Instant as WallClock;

use clap::Args;
use mqttlab_core::broker::BrokerConfig;
use mqttlab_core::client::ConnectOptions;
use mqttlab_core::codec::QoS;
use mqttlab_core::sim::node::{App, Generic, Sensor, ValueModel};
use mqttlab_core::sim::{Action, LinkParams, TraceMode, World};
use mqttlab_core::time::Instant;

/// Flags of `mqttlab bench-sim`.
#[derive(Args, Debug)]
pub struct BenchSimArgs {
    /// Sensors in the scale run.
    #[arg(long, default_value_t = 10_000)]
    pub sensors: u32,
    /// Simulated seconds of the scale run.
    #[arg(long, default_value_t = 3600)]
    pub seconds: u64,
    /// Skip the scale run.
    #[arg(long)]
    pub speed_only: bool,
}

/// A world of `clients` clients, half publishing QoS 1 every second, half
/// subscribed to everything.
pub fn speed_world(clients: usize) -> World {
    let mut w = World::new(1, TraceMode::Off);
    w.forget_received();
    let b = w.add_broker("broker", BrokerConfig::default());
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
        let n = w.add_client(&name, b, link, app);
        w.schedule(Instant::from_millis(i as u64), Action::Start(n));
    }
    w
}

/// Runs the benchmark; returns the exit code.
pub fn run(args: BenchSimArgs) -> i32 {
    let mut w = speed_world(50);
    let t = WallClock::now();
    w.run_until(Instant::from_secs(120));
    let cpu = t.elapsed().as_secs_f64();
    let s = w.stats();
    println!(
        "speed: 50 clients, QoS 1 fan-out, 120 s simulated: {} packets delivered, {} events in {:.3} s (wall clock, one thread) = {:.0} packets/s, {:.0} events/s, {:.0}x real time",
        s.packets_delivered,
        s.events,
        cpu,
        s.packets_delivered as f64 / cpu,
        s.events as f64 / cpu,
        120.0 / cpu
    );
    if args.speed_only {
        return 0;
    }
    let mut w = World::new(2, TraceMode::Off);
    w.forget_received();
    let b = w.add_broker("broker", BrokerConfig::default());
    for i in 0..args.sensors {
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
        let n = w.add_client(&name, b, LinkParams::default(), App::Sensor(s));
        // Sensors power up over the first 10 s, as a building would.
        w.schedule(
            Instant::from_micros(u64::from(i) * 10_000_000 / u64::from(args.sensors.max(1))),
            Action::Start(n),
        );
    }
    let t = WallClock::now();
    w.run_until(Instant::from_secs(args.seconds));
    let cpu = t.elapsed().as_secs_f64();
    let s = w.stats();
    println!(
        "scale: {} sensors every 10 s for {} s simulated: {} packets delivered, {} events in {:.2} s (wall clock, one thread; {:.0} packets/s, {:.0}x real time)",
        args.sensors,
        args.seconds,
        s.packets_delivered,
        s.events,
        cpu,
        s.packets_delivered as f64 / cpu,
        args.seconds as f64 / cpu
    );
    0
}
