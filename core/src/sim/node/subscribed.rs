//! What every device that keeps one subscription does (the actuator, the
//! thermostat controller, the request/response responder): it connects when it
//! starts, subscribes to its filter after each CONNACK, and connects again 5 s
//! after it loses the connection. Each device adds only what it does with a
//! message.

use core::time::Duration;

use crate::client::{ClientEvent, ConnectOptions, ConnectionState, Message};
use crate::codec::QoS;

use super::{Cx, Effect};

/// How long a device waits before connecting again.
const RECONNECT: Duration = Duration::from_secs(5);

/// Asks the world for a connection.
pub(super) fn connect(cx: &mut Cx, options: &ConnectOptions) {
    cx.effects.push(Effect::Connect(Box::new(options.clone())));
}

/// Handles a client event: subscribes to `filter` once connected, schedules a
/// reconnection once disconnected, and hands back a message that arrived.
pub(super) fn on_event<'e>(
    cx: &mut Cx,
    ev: &'e ClientEvent,
    filter: &str,
    qos: QoS,
) -> Option<&'e Message> {
    match ev {
        ClientEvent::Connected { .. } => {
            let _ = cx.client.subscribe(cx.now, &[(filter, qos)]);
            None
        }
        ClientEvent::Message(m) => Some(m),
        ClientEvent::Disconnected { .. } => {
            *cx.wake = Some(cx.now + RECONNECT);
            None
        }
        _ => None,
    }
}

/// At the wake-up a disconnection scheduled: connects again if still needed.
pub(super) fn on_wake(cx: &mut Cx, options: &ConnectOptions) {
    if cx.client.state() == ConnectionState::Disconnected {
        connect(cx, options);
    }
}
