//! The client's session state: what survives a reconnect with `clean_session = false`
//! (MQTT 3.1.1 §4.1): QoS 1/2 messages sent but not completely acknowledged, QoS 2
//! messages received but not released, and the packet identifiers in use.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::codec::properties::Property;
use crate::codec::{Pid, Publish, QoS, QosPid};
use crate::time::Instant;

/// Where an outgoing QoS 1/2 message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutgoingState {
    /// Queued behind a full in-flight window; not sent yet.
    Queued,
    /// QoS 1 PUBLISH sent, waiting for PUBACK.
    AwaitPuback,
    /// QoS 2 PUBLISH sent, waiting for PUBREC.
    AwaitPubrec,
    /// QoS 2 PUBREL sent, waiting for PUBCOMP.
    AwaitPubcomp,
}

/// An outgoing QoS 1/2 message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// The PUBLISH as first sent (DUP=0).
    pub publish: Publish,
    /// Its MQTT 5.0 properties (none under 3.1.1). A resend carries them too,
    /// and the full topic: a Topic Alias lasts one connection (§3.3.2.3.4).
    pub properties: Vec<Property>,
    /// Where the handshake stands.
    pub state: OutgoingState,
    /// When the last packet of this flow was sent on the current connection;
    /// `None` if it has not been sent on it yet.
    pub sent_at: Option<Instant>,
    /// Whether the PUBLISH has been sent at least once (then any resend has DUP=1).
    pub ever_sent: bool,
}

impl Outgoing {
    /// The packet identifier.
    pub fn pid(&self) -> Pid {
        // Only QoS 1/2 publishes are stored, and those always carry an id.
        self.publish.qospid.pid().unwrap_or(Pid::FIRST)
    }
}

/// A SUBSCRIBE or UNSUBSCRIBE waiting for its acknowledgement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PendingRequest {
    /// SUBSCRIBE with this many filters.
    Subscribe(usize),
    /// UNSUBSCRIBE.
    Unsubscribe,
}

/// Session state. Deterministic containers only: iteration order reaches outputs.
#[derive(Debug, Clone, Default)]
pub struct Session {
    /// Outgoing QoS 1/2 messages in the order they were published.
    pub outgoing: VecDeque<Outgoing>,
    /// QoS 2 packet ids received (PUBREC sent) and not yet released by PUBREL.
    pub incoming_qos2: BTreeSet<Pid>,
    /// With [`Qos2Delivery::OnPubrel`](super::Qos2Delivery): the QoS 2 messages
    /// received and waiting for their PUBREL to be delivered.
    pub held_qos2: BTreeMap<Pid, super::Message>,
    /// SUBSCRIBE/UNSUBSCRIBE ids awaiting SUBACK/UNSUBACK (connection scoped).
    pub requests: Vec<(Pid, PendingRequest)>,
    /// Where the search for the next free packet id starts.
    next_pid: Option<Pid>,
}

impl Session {
    /// Forgets everything (a clean session) but where the next packet id is
    /// looked for: libmosquitto's `last_mid` lives as long as its client, so
    /// `mosquitto_sub`'s SUBSCRIBE after a reconnect is mid 2, not 1 again
    /// (`mosquitto_sub -d` against a restarted mosquitto 2.0.11;
    /// `tests/tests/client_interop.rs` compares the two).
    pub fn clear(&mut self) {
        *self = Session {
            next_pid: self.next_pid,
            ..Session::default()
        };
    }

    /// Whether `pid` is used by an outgoing message or a pending request.
    pub fn pid_in_use(&self, pid: Pid) -> bool {
        self.outgoing.iter().any(|o| o.pid() == pid) || self.requests.iter().any(|r| r.0 == pid)
    }

    /// The next free packet id after the last one handed out, skipping ids in use;
    /// `None` if all 65,535 are taken.
    pub fn allocate_pid(&mut self) -> Option<Pid> {
        let in_use = self.outgoing.len() + self.requests.len();
        if in_use >= usize::from(u16::MAX) {
            return None;
        }
        let mut pid = self.next_pid.unwrap_or(Pid::FIRST);
        // At most in_use + 1 probes find a free id.
        for _ in 0..=in_use {
            if !self.pid_in_use(pid) {
                self.next_pid = Some(pid.next());
                return Some(pid);
            }
            pid = pid.next();
        }
        None
    }

    /// The outgoing message with this id.
    pub fn outgoing_mut(&mut self, pid: Pid) -> Option<&mut Outgoing> {
        self.outgoing.iter_mut().find(|o| o.pid() == pid)
    }

    /// Removes and returns the outgoing message with this id.
    pub fn remove_outgoing(&mut self, pid: Pid) -> Option<Outgoing> {
        let i = self.outgoing.iter().position(|o| o.pid() == pid)?;
        self.outgoing.remove(i)
    }

    /// How many messages are in flight (sent and not complete).
    pub fn inflight(&self) -> usize {
        self.outgoing
            .iter()
            .filter(|o| o.state != OutgoingState::Queued)
            .count()
    }

    /// Stores a new outgoing message (QoS 1 or 2) as queued.
    pub fn push_outgoing(&mut self, publish: Publish) {
        self.push_outgoing_with(publish, Vec::new());
    }

    /// Stores a new outgoing message (QoS 1 or 2) with its 5.0 properties.
    pub fn push_outgoing_with(&mut self, publish: Publish, properties: Vec<Property>) {
        debug_assert!(publish.qos() != QoS::AtMostOnce);
        self.outgoing.push_back(Outgoing {
            publish,
            properties,
            state: OutgoingState::Queued,
            sent_at: None,
            ever_sent: false,
        });
    }

    /// Removes the pending request with this id.
    pub fn take_request(&mut self, pid: Pid) -> Option<PendingRequest> {
        let i = self.requests.iter().position(|r| r.0 == pid)?;
        Some(self.requests.remove(i).1)
    }
}

/// The PUBLISH to (re)send for an outgoing message: DUP=1 if sent before
/// (MQTT-3.3.1-1), never for QoS 0.
pub fn publish_for_send(o: &Outgoing) -> Publish {
    let mut p = o.publish.clone();
    p.dup = o.ever_sent && !matches!(p.qospid, QosPid::AtMostOnce);
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::topic::TopicName;

    fn qos1(id: u16) -> Publish {
        Publish {
            dup: false,
            qospid: QosPid::AtLeastOnce(Pid::new(id).unwrap()),
            retain: false,
            topic: TopicName::new("t").unwrap(),
            payload: bytes::Bytes::new(),
        }
    }

    #[test]
    fn allocation_wraps_and_skips_ids_in_use() {
        let mut s = Session::default();
        for id in [65535, 1, 2] {
            s.push_outgoing(qos1(id));
        }
        s.requests
            .push((Pid::new(3).unwrap(), PendingRequest::Unsubscribe));
        s.next_pid = Pid::new(65535);
        assert_eq!(s.allocate_pid().map(Pid::get), Some(4));
        assert_eq!(s.allocate_pid().map(Pid::get), Some(5));
    }

    #[test]
    fn allocation_fails_cleanly_when_every_id_is_taken() {
        let mut s = Session::default();
        for id in 1..=65535 {
            s.push_outgoing(qos1(id));
        }
        assert_eq!(s.allocate_pid(), None);
        s.remove_outgoing(Pid::new(40_000).unwrap());
        // One free id: found (the search is bounded, not endless).
        s.next_pid = Pid::new(39_990);
        assert_eq!(s.allocate_pid().map(Pid::get), Some(40_000));
    }

    #[test]
    fn a_clean_session_forgets_its_messages_not_where_ids_go_on() {
        let mut s = Session::default();
        assert_eq!(s.allocate_pid().map(Pid::get), Some(1));
        s.push_outgoing(qos1(2));
        s.requests
            .push((Pid::new(1).unwrap(), PendingRequest::Subscribe(1)));
        s.clear();
        assert!(s.outgoing.is_empty() && s.requests.is_empty());
        assert_eq!(s.allocate_pid().map(Pid::get), Some(2));
    }
}
