//! In-flight QoS 1/2 state of one session: the outgoing window (messages sent to the
//! client and not yet fully acknowledged) and the incoming QoS 2 packet identifiers
//! held between PUBREC and PUBREL (§4.3.3, method B: deliver on PUBREL, as
//! mosquitto does).

use std::collections::BTreeMap;

use crate::codec::Pid;
use crate::time::Instant;

use super::Message;

/// Where an outgoing QoS 1/2 delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OutStage {
    /// QoS 1 PUBLISH sent, waiting for PUBACK.
    AwaitPuback,
    /// QoS 2 PUBLISH sent, waiting for PUBREC.
    AwaitPubrec,
    /// PUBREL sent, waiting for PUBCOMP.
    AwaitPubcomp,
}

/// One outgoing QoS 1/2 delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// Its packet identifier on this session.
    pub pid: Pid,
    /// The message, at its delivery QoS and RETAIN flag.
    pub msg: Message,
    /// Where the handshake stands.
    pub stage: OutStage,
    /// When its last packet (PUBLISH or PUBREL) was sent; for the teaching-mode
    /// resend timer.
    pub sent_at: Instant,
}

/// The outgoing window, in the order messages were sent.
#[derive(Debug, Clone, Default)]
pub struct OutgoingWindow {
    entries: Vec<Outgoing>,
    last_pid: Option<Pid>,
    /// The payload bytes of `entries` (for `max_inflight_bytes`).
    bytes: usize,
}

impl OutgoingWindow {
    /// How many deliveries are unacknowledged.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Their payload bytes.
    pub fn payload_bytes(&self) -> usize {
        self.bytes
    }

    /// The deliveries, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &Outgoing> {
        self.entries.iter()
    }

    /// The deliveries, oldest first, to update their send times.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut Outgoing> {
        self.entries.iter_mut()
    }

    /// The next free packet identifier after the last one handed out, skipping ids
    /// still in flight (MQTT-2.3.1-2); `None` if all 65,535 are in use.
    pub fn alloc_pid(&mut self) -> Option<Pid> {
        let mut pid = self.last_pid.map_or(Pid::FIRST, Pid::next);
        for _ in 0..u16::MAX {
            if !self.entries.iter().any(|e| e.pid == pid) {
                self.last_pid = Some(pid);
                return Some(pid);
            }
            pid = pid.next();
        }
        None
    }

    /// Adds a delivery just sent.
    pub fn push(&mut self, o: Outgoing) {
        self.bytes += o.msg.payload.len();
        self.entries.push(o);
    }

    fn remove(&mut self, i: usize) -> Outgoing {
        let o = self.entries.remove(i);
        self.bytes -= o.msg.payload.len();
        o
    }

    fn position(&self, pid: Pid, stage: OutStage) -> Option<usize> {
        self.entries
            .iter()
            .position(|e| e.pid == pid && e.stage == stage)
    }

    /// PUBACK: completes a QoS 1 delivery. `None` if no QoS 1 delivery has that id.
    pub fn puback(&mut self, pid: Pid) -> Option<Outgoing> {
        self.position(pid, OutStage::AwaitPuback)
            .map(|i| self.remove(i))
    }

    /// PUBREC: moves a QoS 2 delivery to the PUBREL stage. Returns whether the
    /// broker should answer with PUBREL (also for a repeated PUBREC).
    pub fn pubrec(&mut self, pid: Pid, now: Instant) -> bool {
        if let Some(i) = self.position(pid, OutStage::AwaitPubrec) {
            self.entries[i].stage = OutStage::AwaitPubcomp;
            self.entries[i].sent_at = now;
            return true;
        }
        self.position(pid, OutStage::AwaitPubcomp).is_some()
    }

    /// PUBCOMP: completes a QoS 2 delivery.
    pub fn pubcomp(&mut self, pid: Pid) -> Option<Outgoing> {
        self.position(pid, OutStage::AwaitPubcomp)
            .map(|i| self.remove(i))
    }

    /// The earliest send time, for the resend timer.
    pub fn earliest_sent(&self) -> Option<Instant> {
        self.entries.iter().map(|e| e.sent_at).min()
    }
}

/// Incoming QoS 2 packet identifiers between PUBREC and PUBREL, each with the
/// message to deliver on PUBREL (`None` when the publish was denied by the ACL).
#[derive(Debug, Clone, Default)]
pub struct IncomingQos2 {
    held: BTreeMap<Pid, Option<Message>>,
    /// Payload bytes of the messages held.
    bytes: usize,
}

impl IncomingQos2 {
    /// Holds a received QoS 2 message. Returns `false` if the id is already held:
    /// a resend, which must not be delivered a second time (MQTT-4.3.3-2).
    pub fn receive(&mut self, pid: Pid, msg: Option<Message>) -> bool {
        if self.held.contains_key(&pid) {
            return false;
        }
        self.bytes += msg.as_ref().map_or(0, |m| m.payload.len());
        self.held.insert(pid, msg);
        true
    }

    /// Whether `pid` is held (a PUBLISH with it is a resend).
    pub fn holds(&self, pid: Pid) -> bool {
        self.held.contains_key(&pid)
    }

    /// How many messages are held, and their payload bytes.
    pub fn load(&self) -> (usize, usize) {
        (self.held.len(), self.bytes)
    }

    /// PUBREL: releases the id. `Some(msg)` the first time, `None` if the id was not
    /// held (a repeated PUBREL, still answered with PUBCOMP).
    pub fn release(&mut self, pid: Pid) -> Option<Option<Message>> {
        let released = self.held.remove(&pid);
        if let Some(Some(m)) = &released {
            self.bytes -= m.payload.len();
        }
        released
    }

    /// The ids held, ascending.
    pub fn pids(&self) -> impl Iterator<Item = Pid> + '_ {
        self.held.keys().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::QoS;
    use crate::topic::TopicName;

    fn out(pid: u16, stage: OutStage) -> Outgoing {
        Outgoing {
            pid: Pid::new(pid).unwrap(),
            msg: Message {
                topic: TopicName::new("t").unwrap(),
                payload: bytes::Bytes::from_static(b"x"),
                qos: QoS::AtLeastOnce,
                retain: false,
                properties: Vec::new(),
                expires_at: None,
                subscription_ids: Vec::new(),
                shared: None,
            },
            stage,
            sent_at: Instant::ZERO,
        }
    }

    #[test]
    fn packet_ids_skip_those_in_flight_and_wrap() {
        let mut w = OutgoingWindow::default();
        assert_eq!(w.alloc_pid().unwrap().get(), 1);
        w.push(out(2, OutStage::AwaitPuback));
        assert_eq!(w.alloc_pid().unwrap().get(), 3);
        w.last_pid = Pid::new(65535);
        w.push(out(1, OutStage::AwaitPuback));
        assert_eq!(w.alloc_pid().unwrap().get(), 3);
    }

    #[test]
    fn qos2_handshake_stages() {
        let mut w = OutgoingWindow::default();
        w.push(out(5, OutStage::AwaitPubrec));
        let p = Pid::new(5).unwrap();
        assert!(w.pubcomp(p).is_none());
        assert!(w.pubrec(p, Instant::ZERO));
        assert!(
            w.pubrec(p, Instant::ZERO),
            "a repeated PUBREC is answered again"
        );
        assert!(w.pubcomp(p).is_some());
        assert!(w.is_empty());
    }

    #[test]
    fn incoming_qos2_is_held_once() {
        let mut i = IncomingQos2::default();
        let p = Pid::new(7).unwrap();
        assert!(i.receive(p, None));
        assert!(!i.receive(p, None));
        assert_eq!(i.release(p), Some(None));
        assert_eq!(i.release(p), None);
    }
}
