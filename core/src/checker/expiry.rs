//! MQTT 5.0's clocks on sessions and messages: a session whose Session Expiry
//! Interval passed after its connection closed is gone (MQTT-4.1.0-2, seen as
//! Session Present 0 when the client comes back); a copy of a message whose
//! Message Expiry Interval passed before its delivery started is not
//! delivered (MQTT-3.3.2-5), and one that is sent carries the interval less
//! the time it waited (MQTT-3.3.2-6).
//!
//! A broker counts in whole seconds and looks at its clocks now and then
//! (mosquitto once a second), so a verdict of "too late" needs a second more
//! than the interval ([`SLACK_NS`]). A message whose delivery started (a
//! PUBLISH sent with DUP 0) and is sent again after a reconnection, DUP 1, is
//! not judged here: the standard asks for that resend even if the message
//! expired meanwhile (MQTT-4.4.0-1). mosquitto 2.0.11 drops it instead
//! (`db__message_write_inflight_out_single`), a difference pinned in
//! `tests/tests/broker5_peers.rs`
//! (`mosquitto_2_0_11_drops_an_expired_message_already_sent_we_resend_it`).

use super::routing::Msg;
use super::{Checker, PacketRef, Statement};
use crate::codec::properties::Property;
use crate::codec::{v5, Protocol};

/// How late a broker's clock may be, on top of an interval, before a verdict.
pub const SLACK_NS: u64 = 1_000_000_000;

const S: u64 = 1_000_000_000;

/// A PUBLISH's (or a will's) Message Expiry Interval, seconds.
pub fn message_expiry(props: &[Property]) -> Option<u32> {
    props.iter().find_map(|p| match p {
        Property::MessageExpiryInterval(e) => Some(e.0),
        _ => None,
    })
}

/// A CONNECT's or DISCONNECT's Session Expiry Interval, seconds.
pub fn session_expiry(props: &[Property]) -> Option<u32> {
    props.iter().find_map(|p| match p {
        Property::SessionExpiryInterval(e) => Some(e.0),
        _ => None,
    })
}

impl Checker {
    /// A 5.0 CONNACK accepting a CONNECT with Clean Start 0: if the client's
    /// last connection closed longer ago than its Session Expiry Interval,
    /// the session is gone and Session Present must be 0.
    pub(super) fn session_expiry_connack(
        &mut self,
        conn: usize,
        at: PacketRef,
        session_present: bool,
    ) {
        let Some(c) = self.conns.get(&conn) else {
            return;
        };
        let (Some(k), Some(Protocol::V5)) = (c.connect.as_ref(), c.protocol) else {
            return;
        };
        if k.clean_start {
            return;
        }
        let asked_ns = c.connect_at.map_or(at.time_ns, |r| r.time_ns);
        let id = k.client_id.clone();
        let last = self
            .conns
            .iter()
            .rev()
            .find(|(i, o)| {
                **i != conn
                    && o.accepted
                    && o.connect.as_ref().is_some_and(|k| k.client_id == id)
                    && o.connect_at.is_some_and(|r| r.time_ns <= asked_ns)
            })
            .map(|(_, o)| o);
        let Some(last) = last else { return };
        let (Some(closed), Some(Protocol::V5)) = (last.closed_at, last.protocol) else {
            return;
        };
        if last.session_expiry == u32::MAX {
            return;
        }
        let ends = closed + u64::from(last.session_expiry) * S;
        if asked_ns > ends + SLACK_NS {
            let connect = c.connect_at.unwrap_or(at);
            self.judge(
                Statement::SessionExpired,
                !session_present,
                Protocol::V5,
                vec![at, connect],
            );
        }
    }

    /// A new (DUP 0) delivery of `o` to a 5.0 subscriber: not after its
    /// expiry, and with the interval less the time it waited.
    pub(super) fn expiry_delivery(&mut self, at: PacketRef, m: &v5::Publish, o: usize) {
        let msg = &self.routing.messages[o];
        let Some(e) = msg.expiry else { return };
        if m.dup {
            return;
        }
        let refs = vec![at, msg.at];
        let waited = at.time_ns.saturating_sub(msg.time_ns);
        let interval = u64::from(e) * S;
        let expired = waited > interval + SLACK_NS;
        self.judge(
            Statement::ExpiredNotDelivered,
            !expired,
            Protocol::V5,
            refs.clone(),
        );
        if waited > interval {
            // Expired meanwhile: what it should say is not defined.
            return;
        }
        // Whole seconds, rounded either way, give or take the broker's second.
        let left = interval - waited;
        let (low, high) = ((left / S).saturating_sub(1), left.div_ceil(S) + 1);
        let ok = message_expiry(&m.properties)
            .is_some_and(|v| (low..=high).contains(&u64::from(v)) && v <= e);
        self.judge(Statement::ExpiryReduced, ok, Protocol::V5, refs);
    }

    /// At the end: each message with an expiry that waited for a 5.0 client
    /// away from its session, and expired before the client came back, was
    /// rightly not delivered to it (a delivery was judged when it was seen).
    pub(super) fn expiry_finish(&mut self) {
        let mut held = Vec::new();
        for m in &self.routing.messages {
            let Some(e) = m.expiry else { continue };
            let expires = m.time_ns + u64::from(e) * S + SLACK_NS;
            for (id, c) in &self.conns {
                let Some((away, back)) = c.resumed_after else {
                    continue;
                };
                let waiting = away < m.time_ns && back > expires;
                if !waiting || c.protocol != Some(Protocol::V5) || m.delivered.contains(id) {
                    continue;
                }
                if c.session.subs.iter().any(|s| queued_for(s, m)) {
                    held.push(vec![m.at]);
                }
            }
        }
        for refs in held {
            self.judge(Statement::ExpiredNotDelivered, true, Protocol::V5, refs);
        }
    }
}

/// Whether a broker keeps `m` for an offline session subscribed with `s`:
/// a matching filter granted before it came, at QoS 1 or 2 (a broker may drop
/// QoS 0 for an offline client).
fn queued_for(s: &super::routing::Sub, m: &Msg) -> bool {
    crate::topic::matches(&s.filter, &m.topic)
        && s.granted.is_some_and(|g| g.min(m.qos) > 0)
        && s.granted_ns.is_some_and(|g| g < m.time_ns)
        && s.until_ns.is_none_or(|u| u > m.time_ns)
        && !s.shared
}
