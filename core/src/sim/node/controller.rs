//! A controller that closes a loop: a thermostat reading a temperature topic and
//! switching a heater, with a dead band so that it does not chatter.

use crate::client::{ClientEvent, ConnectOptions};
use crate::codec::QoS;

use super::super::note::{Note, Reading};
use super::{subscribed, Cx};

/// A thermostat.
#[derive(Debug, Clone, PartialEq)]
pub struct Controller {
    /// Temperature topic.
    pub input: String,
    /// Heater command topic.
    pub output: String,
    /// Wanted temperature.
    pub setpoint: f64,
    /// Half-width of the dead band.
    pub hysteresis: f64,
    /// How it connects.
    pub options: ConnectOptions,
    /// The last command sent.
    pub heating: Option<bool>,
}

impl Controller {
    /// A thermostat with no command sent yet.
    pub fn new(input: String, output: String, setpoint: f64, options: ConnectOptions) -> Self {
        Controller {
            input,
            output,
            setpoint,
            hysteresis: 0.5,
            options,
            heating: None,
        }
    }

    pub(super) fn start(&mut self, cx: &mut Cx) {
        subscribed::connect(cx, &self.options);
    }

    pub(super) fn on_event(&mut self, cx: &mut Cx, ev: &ClientEvent) {
        let Some(p) = subscribed::on_event(cx, ev, &self.input, QoS::AtMostOnce) else {
            return;
        };
        let Some(t) = core::str::from_utf8(&p.payload)
            .ok()
            .and_then(|s| s.trim().parse::<f64>().ok())
        else {
            return;
        };
        let want = if t < self.setpoint - self.hysteresis {
            Some(true)
        } else if t > self.setpoint + self.hysteresis {
            Some(false)
        } else {
            None
        };
        if let Some(on) = want {
            if self.heating != Some(on) {
                self.heating = Some(on);
                let cmd = if on { "on" } else { "off" };
                cx.state(Note::Heater {
                    reading: Reading(t),
                    setpoint: Reading(self.setpoint),
                    on,
                });
                let _ = cx
                    .client
                    .publish(cx.now, &self.output, cmd, QoS::AtLeastOnce, true);
            }
        }
    }

    pub(super) fn on_wake(&mut self, cx: &mut Cx) {
        subscribed::on_wake(cx, &self.options);
    }
}
