//! An actuator: subscribes to a command topic and switches on or off.

use crate::client::{ClientEvent, ConnectOptions};
use crate::codec::QoS;

use super::super::note::Note;
use super::{subscribed, Cx};

/// A switch driven by messages (`on`/`off`, `1`/`0`, `true`/`false`).
#[derive(Debug, Clone, PartialEq)]
pub struct Actuator {
    /// The command topic.
    pub topic: String,
    /// Subscription QoS.
    pub qos: QoS,
    /// How it connects.
    pub options: ConnectOptions,
    /// Whether it is on.
    pub on: bool,
}

/// Reads a command payload: `Some(true)` for on, `Some(false)` for off.
pub fn parse_switch(payload: &[u8]) -> Option<bool> {
    match payload.trim_ascii() {
        b"on" | b"ON" | b"1" | b"true" => Some(true),
        b"off" | b"OFF" | b"0" | b"false" => Some(false),
        _ => None,
    }
}

impl Actuator {
    /// An actuator, off.
    pub fn new(topic: String, options: ConnectOptions) -> Self {
        Actuator {
            topic,
            qos: QoS::AtLeastOnce,
            options,
            on: false,
        }
    }

    pub(super) fn start(&mut self, cx: &mut Cx) {
        subscribed::connect(cx, &self.options);
    }

    pub(super) fn on_event(&mut self, cx: &mut Cx, ev: &ClientEvent) {
        let Some(p) = subscribed::on_event(cx, ev, &self.topic, self.qos) else {
            return;
        };
        if let Some(on) = parse_switch(&p.payload) {
            if on != self.on {
                self.on = on;
                cx.state(Note::Switched { on });
            }
        }
    }

    pub(super) fn on_wake(&mut self, cx: &mut Cx) {
        subscribed::on_wake(cx, &self.options);
    }
}
