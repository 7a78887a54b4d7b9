//! A bare client steered by scenario actions (`connect`, `publish`, `subscribe`,
//! `disconnect`) and by the swarm, with an optional reconnect that resubscribes.

use core::time::Duration;

use crate::client::{ClientEvent, ConnectOptions, ConnectionState};
use crate::codec::QoS;

use super::{Cx, Effect};

/// A generic client.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Generic {
    /// How it connects (set by the last `connect`).
    pub options: Option<ConnectOptions>,
    /// Reconnect this long after a lost connection; `None` stays offline.
    pub reconnect: Option<Duration>,
    /// Filters to subscribe to after every connect without a stored session.
    pub subscriptions: Vec<(String, QoS)>,
    /// Whether the user asked it to stay offline (after `disconnect`).
    pub offline: bool,
}

impl Generic {
    pub(super) fn start(&mut self, cx: &mut Cx) {
        if let Some(o) = &self.options {
            self.offline = false;
            cx.effects.push(Effect::Connect(Box::new(o.clone())));
        }
    }

    pub(super) fn on_event(&mut self, cx: &mut Cx, ev: &ClientEvent) {
        match ev {
            ClientEvent::Connected { session_present } => {
                if !session_present && !self.subscriptions.is_empty() {
                    let f: Vec<(&str, QoS)> = self
                        .subscriptions
                        .iter()
                        .map(|(t, q)| (t.as_str(), *q))
                        .collect();
                    let _ = cx.client.subscribe(cx.now, &f);
                }
            }
            ClientEvent::ConnectionRefused(code) => {
                cx.print(format!("connection refused: {code}"));
            }
            ClientEvent::Disconnected { .. } => {
                if let (false, Some(d)) = (self.offline, self.reconnect) {
                    *cx.wake = Some(cx.now + d);
                }
            }
            _ => {}
        }
    }

    pub(super) fn on_wake(&mut self, cx: &mut Cx) {
        if self.offline || cx.client.state() != ConnectionState::Disconnected {
            return;
        }
        if let Some(o) = &self.options {
            cx.effects.push(Effect::Connect(Box::new(o.clone())));
        }
    }
}
