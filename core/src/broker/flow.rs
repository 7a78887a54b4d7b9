//! Flow control for publishers, an explicit option off by default everywhere
//! (`hold_acks true` in `mqttlab broker -c FILE`, [`BrokerConfig::hold_acks`]): a
//! QoS 1 message that had to wait in a connected subscriber's queue (its in-flight
//! window full) holds back the publisher's PUBACK until it has left that queue.
//! A publisher that keeps a window of unacknowledged messages (every QoS 1 client
//! does) then publishes no faster than its slowest subscriber reads, and the
//! queue, hence the latency, stays bounded by the publishers' windows instead of
//! growing to `max_queued_messages`.
//!
//! MQTT 3.1.1 sets no deadline for PUBACK; it only asks that PUBACKs go out in the
//! order their PUBLISHes came (MQTT-4.6.0-2), so an acknowledgement that is free
//! waits behind a held one. A message queued for an *offline* session holds
//! nothing (the client may never come back), and a subscriber that goes offline
//! releases what it held. mosquitto acknowledges at once and lets the queue grow
//! to `max_queued_messages`, then drops.
//!
//! The price: a subscriber that stays connected (it answers PINGREQ) but never
//! acknowledges stalls the QoS 1 publishers of its topics once their windows are
//! full, where mosquitto would drop its messages and let them go on. QoS 0
//! publishers and QoS 2 (PUBREC) are not held. That is why it is off: without
//! it a publisher is acknowledged as soon as the broker has taken the message,
//! and a subscriber that cannot keep up has its messages dropped at its limits
//! (`limits.rs`) instead of slowing anyone else down. What it buys is latency
//! under fan-in: with ten QoS 1 publishers and one subscriber
//! (`tests/examples/broker_load.rs`, which runs both) the queue stays short and
//! the p99 delivery latency is some twenty times lower than without it, where
//! the queue grows toward `max_queued_messages`.
//!
//! [`BrokerConfig::hold_acks`]: super::BrokerConfig::hold_acks

use std::collections::VecDeque;

use crate::codec::reason_codes::PubackReasonCode;
use crate::codec::v5;
use crate::time::Instant;

use super::{Broker, ConnId};

/// A PUBACK owed to a publisher, in the order the PUBLISHes came.
#[derive(Debug, Clone)]
pub(crate) struct OwedAck {
    /// The publisher connection's count of the PUBLISH it answers.
    seq: u64,
    ack: v5::Ack<PubackReasonCode>,
    /// Copies of the message still waiting in subscribers' queues.
    waiting: usize,
}

/// The PUBACKs a connection is owed.
#[derive(Debug, Clone, Default)]
pub(crate) struct OwedAcks {
    next_seq: u64,
    acks: VecDeque<OwedAck>,
}

/// A queued copy that holds a publisher's PUBACK: the session's count of the
/// message in its queue, and the ack it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hold {
    queued_at: u64,
    conn: ConnId,
    seq: u64,
}

/// What a session's queue holds back.
#[derive(Debug, Clone, Default)]
pub(crate) struct Holds {
    /// Messages ever pushed to, and popped from, the queue.
    pushed: u64,
    popped: u64,
    holds: VecDeque<Hold>,
}

impl Holds {
    /// A message was pushed to the queue; `hold` it if it holds an ack.
    pub fn pushed(&mut self, hold: Option<(ConnId, u64)>) {
        if let Some((conn, seq)) = hold {
            self.holds.push_back(Hold {
                queued_at: self.pushed,
                conn,
                seq,
            });
        }
        self.pushed += 1;
    }

    /// A message left the queue: the hold it carried, if any, is released.
    pub fn popped(&mut self) -> Option<(ConnId, u64)> {
        let at = self.popped;
        self.popped += 1;
        match self.holds.front() {
            Some(h) if h.queued_at == at => self.holds.pop_front().map(|h| (h.conn, h.seq)),
            _ => None,
        }
    }

    /// Every hold, released at once (the subscriber went offline).
    pub fn release_all(&mut self) -> Vec<(ConnId, u64)> {
        self.holds.drain(..).map(|h| (h.conn, h.seq)).collect()
    }
}

impl Broker {
    /// Before routing a QoS 1 PUBLISH from `conn`: the hold its queued copies
    /// will carry, when acknowledgements may be held.
    pub(super) fn begin_hold(&mut self, conn: ConnId) -> Option<(ConnId, u64)> {
        if !self.config.hold_acks {
            return None;
        }
        let owed = self
            .conns
            .get_mut(&conn)?
            .owed
            .get_or_insert_with(Default::default);
        let seq = owed.next_seq;
        owed.next_seq += 1;
        Some((conn, seq))
    }

    /// After routing: sends the PUBACK now, or owes it until the `waiting`
    /// copies counted by [`Broker::enqueue`] have left their queues (or until an
    /// earlier owed PUBACK is sent, to keep the order).
    pub(super) fn ack_or_owe(
        &mut self,
        now: Instant,
        conn: ConnId,
        client_id: &str,
        ack: v5::Ack<PubackReasonCode>,
        hold: Option<(ConnId, u64)>,
        waiting: usize,
    ) {
        let owe = match (hold, self.conns.get_mut(&conn)) {
            (Some((_, seq)), Some(c))
                if waiting > 0 || c.owed.as_ref().is_some_and(|o| !o.acks.is_empty()) =>
            {
                let owed = c.owed.get_or_insert_with(Default::default);
                owed.acks.push_back(OwedAck {
                    seq,
                    ack: ack.clone(),
                    waiting,
                });
                true
            }
            _ => false,
        };
        if !owe {
            self.send(now, conn, client_id, v5::Packet::Puback(ack));
        }
    }

    /// A held copy left its queue (or its subscriber went offline): one fewer
    /// copy to wait for; PUBACKs no longer waiting go out, in order.
    pub(super) fn release_hold(&mut self, now: Instant, (conn, seq): (ConnId, u64)) {
        let Some(c) = self.conns.get_mut(&conn) else {
            return; // the publisher left; it resends on reconnection
        };
        let mut ready = Vec::new();
        if let Some(owed) = c.owed.as_mut() {
            if let Some(a) = owed.acks.iter_mut().find(|a| a.seq == seq) {
                a.waiting = a.waiting.saturating_sub(1);
            }
            while owed.acks.front().is_some_and(|a| a.waiting == 0) {
                ready.extend(owed.acks.pop_front().map(|a| a.ack));
            }
        }
        let Some(name) = c.client_id.clone() else {
            return;
        };
        for ack in ready {
            self.send(now, conn, &name, v5::Packet::Puback(ack));
        }
    }
}
