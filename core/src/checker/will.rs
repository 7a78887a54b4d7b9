//! The will: published when a connection ends without a normal DISCONNECT
//! (3.1.1 and 5.0 MQTT-3.1.2-8; in 5.0 after its Will Delay Interval, and a
//! DISCONNECT with reason 0x04 asks for it), discarded on a normal DISCONNECT
//! (MQTT-3.14.4-3). Judged from the deliveries: [`super::routing`] checks that
//! each matching subscriber online got a published will, and that no one got
//! a discarded one.

use std::collections::BTreeSet;

use super::routing::Msg;
use super::{Checker, PacketRef, Statement};
use crate::capture::Direction;
use crate::codec::properties::Property;
use crate::codec::Protocol;

impl Checker {
    pub(super) fn will_close(&mut self, conn: usize, time_ns: u64) {
        let Some(c) = self.conns.get(&conn) else {
            return;
        };
        let Some(k) = c.connect.as_ref() else { return };
        let Some(w) = k.will.as_ref() else { return };
        if !c.accepted {
            return;
        }
        // The packet a finding about the will names: the CONNECT that left it.
        let at = c.connect_at.unwrap_or(PacketRef {
            conn,
            direction: Direction::ToServer,
            index: c.count[0],
            time_ns,
            frame: None,
        });
        let topic = w.topic.as_str().to_string();
        let payload = w.payload.to_vec();
        match c.disconnect[0] {
            Some(0) => self.routing.discarded.push((topic, payload, time_ns, at)),
            _ => {
                let delay = w.properties.iter().find_map(|p| match p {
                    Property::WillDelayInterval(d) => Some(d.0),
                    _ => None,
                });
                if delay.unwrap_or(0) > 0 {
                    // A reconnect within the delay keeps it unpublished: not judged.
                    return;
                }
                let since = c.last_from_client.unwrap_or(0);
                let delivered: BTreeSet<usize> = self
                    .routing
                    .orphans
                    .iter()
                    .chain(self.routing.recent.iter())
                    .filter(|o| o.1 == topic && o.2 == payload && o.3 >= since)
                    .map(|o| o.0)
                    .collect();
                self.routing.add(Msg {
                    conn,
                    topic,
                    payload,
                    qos: w.qos.as_u8(),
                    retain: w.retain,
                    time_ns,
                    seq: 0,
                    will: true,
                    at,
                    delivered,
                    acked_ns: None,
                    released_ns: None,
                    seen: self.seen,
                });
            }
        }
    }

    /// Each discarded will no one got: the statement held.
    pub(super) fn will_finish(&mut self) {
        let n = self.routing.discarded.len();
        let broken = self
            .coverage
            .tally
            .get(&Statement::NoWillAfterDisconnect)
            .map_or(0, |t| t.broken) as usize;
        for _ in broken.min(n)..n {
            self.judge(
                Statement::NoWillAfterDisconnect,
                true,
                Protocol::V311,
                Vec::new(),
            );
        }
    }
}
