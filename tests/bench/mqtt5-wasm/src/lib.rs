//! Our side of the page benchmark: the four rows as simulated worlds, run by the
//! core in the page's worker (`www/ours_worker.js`), with the full trace the lab
//! keeps or with none. The peer's side is `mqtt5-wasm`'s own classes (`Broker`,
//! `MqttClient`), which this module also exports because it links that crate;
//! `www/bench.js` drives them from the page, as a page using its in-tab broker
//! would.
//!
//! A row counts messages handed to subscribers (for the connect row, CONNACKs
//! received) per second of wall clock, measured from the moment the subscribers
//! hold their subscriptions, as on the peer's side.

use core::time::Duration;

use mqttlab_core::broker::BrokerConfig;
use mqttlab_core::client::ConnectOptions;
use mqttlab_core::codec::QoS;
use mqttlab_core::sim::node::{App, Generic, Sensor, ValueModel};
use mqttlab_core::sim::{Action, LinkParams, NodeId, TraceMode, World};
use mqttlab_core::time::Instant;
use wasm_bindgen::prelude::*;

// Keep the peer's exports in the module (a cdylib keeps what a dependency exports
// only if the dependency is linked at all).
pub use mqtt5_wasm::{WasmBroker, WasmMqttClient};

/// When the publisher starts: every subscription is in place well before.
const PUBLISH_FROM: Instant = Instant::from_secs(1);

/// One row's world, built and set up to the moment the timed part begins.
#[wasm_bindgen]
pub struct OursRow {
    world: World,
    counted: Vec<NodeId>,
    connects: bool,
    target: usize,
    base: usize,
}

#[wasm_bindgen]
impl OursRow {
    /// `row`: `qos0`, `qos1`, `fanout` or `connects`; `messages`: how many to
    /// deliver (for `fanout`, messages published; each reaches 50 subscribers);
    /// `trace`: keep the full trace, as the lab does, or none.
    #[wasm_bindgen(constructor)]
    pub fn new(row: &str, messages: u32, trace: bool) -> Result<OursRow, JsError> {
        let mode = if trace {
            TraceMode::Full
        } else {
            TraceMode::Off
        };
        let mut world = World::new(1, mode);
        let broker = world
            .add_broker("broker", BrokerConfig::default())
            .map_err(|e| JsError::new(&format!("{e:?}")))?;
        let (subscribers, qos, connects) = match row {
            "qos0" => (1, QoS::AtMostOnce, false),
            "qos1" => (1, QoS::AtLeastOnce, false),
            "fanout" => (50, QoS::AtMostOnce, false),
            "connects" => (0, QoS::AtMostOnce, true),
            other => return Err(JsError::new(&format!("unknown row {other:?}"))),
        };
        let mut counted = Vec::new();
        let add = |world: &mut World, name: String, app: App, at: Instant| {
            let n = world
                .add_client(&name, broker, LinkParams::default(), app)
                .map_err(|e| JsError::new(&format!("{e:?}")))?;
            world
                .schedule(at, Action::Start(n))
                .map_err(|e| JsError::new(&format!("{e:?}")))?;
            Ok::<NodeId, JsError>(n)
        };
        if connects {
            // Each client connects once; they come 100 µs apart from the start.
            for i in 0..messages {
                let name = format!("c{i}");
                let app = App::Generic(Generic {
                    options: Some(ConnectOptions::new(name.clone())),
                    reconnect: None,
                    subscriptions: Vec::new(),
                    offline: false,
                });
                let at = PUBLISH_FROM + Duration::from_micros(100 * u64::from(i));
                counted.push(add(&mut world, name, app, at)?);
            }
        } else {
            for i in 0..subscribers {
                let name = format!("sub{i}");
                let app = App::Generic(Generic {
                    options: Some(ConnectOptions::new(name.clone())),
                    reconnect: None,
                    subscriptions: vec![("bench/#".into(), qos)],
                    offline: false,
                });
                counted.push(add(&mut world, name, app, Instant::ZERO)?);
            }
            // One reading a millisecond (virtual time) from PUBLISH_FROM on.
            let mut s = Sensor::new(
                "bench/t".into(),
                Duration::from_millis(1),
                ValueModel::Walk {
                    start: 20.0,
                    step: 0.5,
                },
                ConnectOptions::new("pub"),
            );
            s.qos = qos;
            add(&mut world, "pub".into(), App::Sensor(s), PUBLISH_FROM)?;
        }
        world.run_until(PUBLISH_FROM);
        let target = if connects {
            messages as usize
        } else {
            messages as usize * counted.len()
        };
        let mut r = OursRow {
            world,
            counted,
            connects,
            target,
            base: 0,
        };
        r.base = r.count();
        Ok(r)
    }

    fn count(&self) -> usize {
        let clients = self.counted.iter().filter_map(|n| self.world.client(*n));
        if self.connects {
            clients.filter(|c| c.client.is_connected()).count()
        } else {
            clients.map(|c| c.received.len()).sum()
        }
    }

    /// Runs until the row's messages are delivered (or ten virtual hours pass);
    /// returns how many were.
    pub fn run(&mut self) -> u32 {
        let step = if self.connects {
            Duration::from_millis(10)
        } else {
            Duration::from_millis(500)
        };
        let give_up = Instant::from_secs(36_000);
        let mut done = self.count() - self.base;
        while done < self.target && self.world.now() < give_up {
            let next = self.world.now() + step;
            self.world.run_until(next);
            done = self.count() - self.base;
        }
        done as u32
    }

    /// Events the world handled.
    pub fn events(&self) -> f64 {
        self.world.stats().events as f64
    }

    /// MQTT packets delivered, all kinds.
    pub fn packets(&self) -> f64 {
        self.world.stats().packets_delivered as f64
    }

    /// Trace entries kept.
    pub fn entries(&self) -> f64 {
        self.world.trace().len() as f64
    }
}
