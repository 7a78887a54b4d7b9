//! The tool's client actions performed on a core [`Client`], once for every
//! driver: what is left needs I/O (open a transport, read a file or standard
//! input, close without DISCONNECT).

use crate::client::{Client, ClientEvent, DisconnectReason};
use crate::time::Instant;

use super::{Action, Tool};

/// Performs the tool's pending SUBSCRIBE, UNSUBSCRIBE, PUBLISH and DISCONNECT on
/// `client`, feeding results back, until the tool asks for nothing more of the
/// client. Returns, in order, the actions only the driver can perform:
/// [`Action::Connect`], [`Action::ReadFile`], [`Action::ReadStdin`],
/// [`Action::ReadStdinLines`] and [`Action::Abort`].
pub fn apply(tool: &mut Tool, client: &mut Client, now: Instant) -> Vec<Action> {
    let mut io = Vec::new();
    while let Some(a) = tool.poll_action() {
        match a {
            Action::Subscribe(filters) => {
                let f: Vec<(&str, _)> = filters.iter().map(|(t, q)| (t.as_str(), *q)).collect();
                // The filters were checked when the command line was parsed.
                let _ = client.subscribe(now, &f);
            }
            Action::Unsubscribe(filter) => {
                let _ = client.unsubscribe(now, &[filter.as_str()]);
            }
            Action::Publish {
                topic,
                payload,
                qos,
                retain,
            } => {
                let r = client.publish(now, &topic, payload, qos, retain);
                tool.handle_publish_result(now, r);
            }
            Action::Disconnect => {
                // Nothing to end (between reconnects): the loop stops at once,
                // as libmosquitto's does after `mosquitto_disconnect`.
                if client.disconnect(now).is_err() {
                    tool.handle_event(
                        now,
                        &ClientEvent::Disconnected {
                            reason: DisconnectReason::Requested,
                        },
                    );
                }
            }
            other => io.push(other),
        }
    }
    io
}
