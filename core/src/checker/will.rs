//! The will: published when a connection ends without a normal DISCONNECT
//! (3.1.1 and 5.0 MQTT-3.1.2-8; in 5.0 after its Will Delay Interval, and a
//! DISCONNECT with reason 0x04 asks for it), discarded on a normal DISCONNECT
//! (MQTT-3.14.4-3). Judged from the deliveries: [`super::routing`] checks that
//! each matching subscriber online got a published will, and that no one got
//! a discarded one.

use std::collections::BTreeSet;

use super::routing::{Delivery, Msg};
use super::{Checker, PacketRef, Statement};
use crate::capture::Direction;
use crate::codec::properties::Property;
use crate::codec::Protocol;

/// How early a broker may publish a delayed will (it counts whole seconds).
const WILL_SLACK_NS: u64 = 1_000_000_000;

/// A 5.0 will waiting for its Will Delay Interval (or its session's end).
#[derive(Debug, Clone)]
pub struct DelayedWill {
    /// The client it is of.
    pub client_id: String,
    /// The connection that left it.
    pub conn: usize,
    /// Topic.
    pub topic: String,
    /// Payload.
    pub payload: Vec<u8>,
    /// QoS.
    pub qos: u8,
    /// RETAIN.
    pub retain: bool,
    /// Its Message Expiry Interval.
    pub expiry: Option<u32>,
    /// When it is due.
    pub due_ns: u64,
    /// The client's last packet: a delivery of its words since may be it.
    pub since: u64,
    /// The CONNECT that gave it.
    pub at: PacketRef,
}

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
                // 5.0: the will waits for the earlier of its delay and the
                // session's end (MQTT-3.1.2-8).
                let wait = delay.unwrap_or(0).min(c.session_expiry);
                let expiry = super::expiry::message_expiry(&w.properties);
                let will = DelayedWill {
                    client_id: k.client_id.clone(),
                    conn,
                    topic,
                    payload,
                    qos: w.qos.as_u8(),
                    retain: w.retain,
                    expiry,
                    due_ns: time_ns + u64::from(wait) * 1_000_000_000,
                    since: c.last_from_client.unwrap_or(0),
                    at,
                };
                if wait == 0 {
                    self.publish_will(will, time_ns);
                } else {
                    self.routing.delayed.push(will);
                }
            }
        }
    }

    /// A will is due at `time_ns`: the server has it to publish from then on.
    /// The deliveries of its words since its client's last packet that no
    /// message explained, or that were taken for an older message with the
    /// same words, are this will's (the server publishes a will just before
    /// its connection's end is seen): it claims them, and an older message
    /// loses them.
    fn publish_will(&mut self, w: DelayedWill, time_ns: u64) {
        let mine =
            |d: &Delivery| d.topic == w.topic && d.payload == w.payload && d.time_ns >= w.since;
        let (claimed, orphans): (Vec<Delivery>, Vec<Delivery>) =
            core::mem::take(&mut self.routing.orphans)
                .into_iter()
                .partition(|d| mine(d));
        self.routing.orphans = orphans;
        let (recent, kept): (Vec<Delivery>, Vec<Delivery>) =
            core::mem::take(&mut self.routing.recent)
                .into_iter()
                .partition(|d| mine(d));
        self.routing.recent = kept.into();
        let mut delivered = BTreeSet::new();
        let mut sessions = BTreeSet::new();
        for d in claimed.iter().chain(&recent) {
            delivered.insert(d.conn);
            sessions.insert(d.session);
            if let Some((j, to_conn, to_session)) = d.msg {
                let m = &mut self.routing.messages[j];
                if to_conn {
                    m.delivered.remove(&d.conn);
                }
                if to_session {
                    m.sessions.remove(&d.session);
                }
            }
        }
        self.routing.add(Msg {
            conn: w.conn,
            topic: w.topic,
            payload: w.payload,
            qos: w.qos,
            retain: w.retain,
            time_ns,
            seq: 0,
            will: true,
            at: w.at,
            delivered,
            sessions,
            acked_ns: None,
            released_ns: None,
            seen: self.seen,
            expiry: w.expiry,
        });
    }

    /// Time passed to `now_ns`: the delayed wills due by then are published.
    pub(super) fn wills_due(&mut self, now_ns: u64) {
        if self.routing.delayed.is_empty() {
            return;
        }
        let (due, waiting): (Vec<DelayedWill>, Vec<DelayedWill>) =
            core::mem::take(&mut self.routing.delayed)
                .into_iter()
                .partition(|w| w.due_ns <= now_ns);
        self.routing.delayed = waiting;
        for w in due {
            // A broker counting whole seconds may be a little early.
            let from = w.since.max(w.due_ns.saturating_sub(WILL_SLACK_NS));
            self.publish_will(w, from);
        }
    }

    /// A CONNECT of `client_id` at `at`: a will its earlier connection left
    /// waiting is cancelled when the client comes back to its session in time
    /// (MQTT-3.1.3-9); with Clean Start 1 the session ends instead, and the
    /// will's fate is not judged.
    pub(super) fn will_reconnect(&mut self, client_id: &str, clean_start: bool, at: PacketRef) {
        let (back, waiting): (Vec<DelayedWill>, Vec<DelayedWill>) =
            core::mem::take(&mut self.routing.delayed)
                .into_iter()
                .partition(|w| w.client_id == client_id);
        self.routing.delayed = waiting;
        for w in back {
            // Too close to its time to tell which came first.
            if clean_start || at.time_ns + WILL_SLACK_NS >= w.due_ns {
                continue;
            }
            self.routing
                .cancelled
                .push((w.topic, w.payload, at.time_ns, at));
        }
    }

    /// Each discarded will no one got: the statement held; the same for
    /// each will cancelled by its client's return.
    pub(super) fn will_finish(&mut self, end_ns: u64) {
        self.wills_due(end_ns);
        let n = self.routing.cancelled.len();
        let broken = self
            .coverage
            .tally
            .get(&Statement::WillDelayCancelled)
            .map_or(0, |t| t.broken) as usize;
        for _ in broken.min(n)..n {
            self.judge(
                Statement::WillDelayCancelled,
                true,
                Protocol::V5,
                Vec::new(),
            );
        }
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
