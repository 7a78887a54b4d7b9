//! A sensor: connects, then publishes a reading from its value model every period,
//! and reconnects after a while if its connection is lost.

use core::time::Duration;

use crate::client::{ClientEvent, ConnectOptions};
use crate::codec::properties::Property;
use crate::codec::QoS;
use crate::time::Instant;

use super::{Cx, Effect, ValueModel};

/// A periodic publisher.
#[derive(Debug, Clone, PartialEq)]
pub struct Sensor {
    /// Where readings go.
    pub topic: String,
    /// How often.
    pub period: Duration,
    /// Where readings come from.
    pub model: ValueModel,
    /// QoS of each reading.
    pub qos: QoS,
    /// Whether readings are retained.
    pub retain: bool,
    /// MQTT 5.0 properties on each reading (`with content-type text/plain`).
    pub properties: Vec<Property>,
    /// How it connects.
    pub options: ConnectOptions,
    /// Wait before reconnecting after a lost connection; `None` never reconnects.
    pub reconnect: Option<Duration>,
    /// The last reading.
    pub last: Option<f64>,
    started: Option<Instant>,
    next_reading: Option<Instant>,
}

impl Sensor {
    /// A sensor; it starts publishing once connected.
    pub fn new(
        topic: String,
        period: Duration,
        model: ValueModel,
        options: ConnectOptions,
    ) -> Self {
        Sensor {
            topic,
            period,
            model,
            qos: QoS::AtMostOnce,
            retain: false,
            properties: Vec::new(),
            options,
            reconnect: Some(Duration::from_secs(5)),
            last: None,
            started: None,
            next_reading: None,
        }
    }

    pub(super) fn mark_started(&mut self, now: Instant) {
        self.started = Some(now);
    }

    pub(super) fn start(&mut self, cx: &mut Cx) {
        self.started = Some(cx.now);
        cx.effects
            .push(Effect::Connect(Box::new(self.options.clone())));
    }

    /// The next reading, formatted as the payload (one decimal).
    pub(super) fn reading(&mut self, cx: &mut Cx) -> String {
        let elapsed = cx.now - self.started.unwrap_or(cx.now);
        let v = self.model.next(elapsed, self.last, cx.coupled, cx.rng);
        self.last = Some(v);
        format!("{v:.1}")
    }

    pub(super) fn on_event(&mut self, cx: &mut Cx, ev: &ClientEvent) {
        match ev {
            ClientEvent::Connected { .. } => {
                if self.next_reading.is_none() {
                    self.next_reading = Some(cx.now);
                    *cx.wake = Some(cx.now);
                }
            }
            ClientEvent::Disconnected { .. } => {
                if let Some(d) = self.reconnect {
                    *cx.wake = Some(cx.now + d);
                    self.next_reading = None;
                }
            }
            _ => {}
        }
    }

    pub(super) fn on_wake(&mut self, cx: &mut Cx) {
        if !cx.client.is_connected() {
            if cx.client.state() == crate::client::ConnectionState::Disconnected {
                cx.effects
                    .push(Effect::Connect(Box::new(self.options.clone())));
            }
            return;
        }
        let payload = self.reading(cx);
        // A failed publish (bad topic) is reported once on the terminal.
        if let Err(e) = cx.client.publish_with(
            cx.now,
            &self.topic,
            payload.into_bytes(),
            self.qos,
            self.retain,
            self.properties.clone(),
        ) {
            cx.print(format!("publish failed: {e}"));
        }
        let next = cx.now + self.period;
        self.next_reading = Some(next);
        *cx.wake = Some(next);
    }
}
