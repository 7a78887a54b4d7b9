//! Fault rules for teaching, at the level of MQTT packets: "drop the next PUBACK to
//! sensor1", "drop every PINGRESP for 30 s", "delay PUBREC by 5 s", "duplicate the
//! next PUBLISH". Like smoltcp's `FaultInjector` they sit between a sender and its
//! link and look at each frame; unlike it they are deterministic and say what they
//! did in the trace, labelled with the rule as the scenario wrote it.

use core::time::Duration;

use crate::codec::{v5, AnyPacket, PacketType, Pid};
use crate::time::Instant;

use super::id::NodeId;

/// What a rule does to a matching frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum FaultAction {
    /// The frame never arrives.
    Drop,
    /// The frame (and, TCP being in order, what follows it) arrives this much later.
    Delay(Duration),
    /// The frame arrives twice (a QoS 1/2 PUBLISH copy carries DUP=1).
    Duplicate,
    /// A slow consumer: the client (the rule's `to`) stops reading. What the
    /// broker sends it waits: the first `window` bytes in the client's TCP
    /// receive window, the rest in the broker's socket buffer, which has not
    /// taken them, so they count against the client's limits
    /// (`max_queued_messages`: its QoS 0 messages are dropped once that many
    /// wait). When the rule ends the client reads everything that waited.
    Stall {
        /// The client's TCP receive window, bytes.
        window: usize,
    },
    /// The sender misbehaves: the frame goes out changed so that it breaks a
    /// rule of the standard (a broker that gets MQTT wrong, for the checker to
    /// catch), or does not go out at all.
    Misbehave(Misbehaviour),
}

/// How a misbehaving sender gets a packet wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Misbehaviour {
    /// `wrong-id`: a PUBACK, PUBREC, PUBREL or PUBCOMP carries the next
    /// identifier instead of its PUBLISH's (MQTT-2.3.1-6).
    WrongId,
    /// `set-retain`: a PUBLISH goes out with RETAIN 1 (on a live delivery,
    /// MQTT-3.3.1-9).
    SetRetain,
    /// `raise-qos`: a QoS 0 PUBLISH goes out at QoS 1, above what was
    /// published or granted (MQTT-3.8.4-6), with identifier 65535.
    RaiseQos,
    /// `forget`: the packet is not sent at all (a will the broker skips,
    /// MQTT-3.1.2-8; a delivery a subscriber never gets, MQTT-4.5.0-1). Unlike
    /// `drop`, which loses it on the network, the sender never sent it.
    Forget,
}

impl Misbehaviour {
    /// Every misbehaviour.
    pub const ALL: [Misbehaviour; 4] = [
        Misbehaviour::WrongId,
        Misbehaviour::SetRetain,
        Misbehaviour::RaiseQos,
        Misbehaviour::Forget,
    ];

    /// The scenario language's word (`fault wrong-id next PUBACK from broker`).
    pub fn word(self) -> &'static str {
        match self {
            Misbehaviour::WrongId => "wrong-id",
            Misbehaviour::SetRetain => "set-retain",
            Misbehaviour::RaiseQos => "raise-qos",
            Misbehaviour::Forget => "forget",
        }
    }

    /// Changes `p` as this misbehaviour does; whether it changed anything (a
    /// packet it has nothing to change in goes out as it was).
    pub fn rewrite(self, p: &mut AnyPacket) -> bool {
        use crate::codec::{Packet, QosPid};
        fn next(pid: &mut Pid) {
            *pid = Pid::new(pid.get().wrapping_add(1).max(1)).unwrap_or(*pid);
        }
        let raise = |q: &mut QosPid| {
            if *q == QosPid::AtMostOnce {
                *q = QosPid::AtLeastOnce(Pid::new(65535).expect("non-zero"));
                true
            } else {
                false
            }
        };
        match (self, p) {
            (Misbehaviour::WrongId, AnyPacket::V3(p)) => match p {
                Packet::Puback(pid)
                | Packet::Pubrec(pid)
                | Packet::Pubrel(pid)
                | Packet::Pubcomp(pid) => {
                    next(pid);
                    true
                }
                _ => false,
            },
            (Misbehaviour::WrongId, AnyPacket::V5(p)) => {
                let pid = match p {
                    v5::Packet::Puback(a) => &mut a.pid,
                    v5::Packet::Pubrec(a) => &mut a.pid,
                    v5::Packet::Pubrel(a) => &mut a.pid,
                    v5::Packet::Pubcomp(a) => &mut a.pid,
                    _ => return false,
                };
                next(pid);
                true
            }
            (Misbehaviour::SetRetain, AnyPacket::V3(Packet::Publish(m))) => {
                m.retain = true;
                true
            }
            (Misbehaviour::SetRetain, AnyPacket::V5(v5::Packet::Publish(m))) => {
                m.retain = true;
                true
            }
            (Misbehaviour::RaiseQos, AnyPacket::V3(Packet::Publish(m))) => raise(&mut m.qospid),
            (Misbehaviour::RaiseQos, AnyPacket::V5(v5::Packet::Publish(m))) => raise(&mut m.qospid),
            _ => false,
        }
    }
}

/// A stalled client's receive window when the rule names none: TCP's 65,535
/// bytes without window scaling.
pub const DEFAULT_STALL_WINDOW: usize = 65_535;

/// One rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRule {
    /// The rule as the scenario wrote it, for the trace.
    pub label: String,
    /// What it does.
    pub action: FaultAction,
    /// Which packet type it matches; `None` for any.
    pub packet: Option<PacketType>,
    /// Only frames sent by this node.
    pub from: Option<NodeId>,
    /// Only frames sent to this node.
    pub to: Option<NodeId>,
    /// Active from this time.
    pub start: Instant,
    /// Active until this time (exclusive), if bounded.
    pub until: Option<Instant>,
    /// How many more frames it acts on, if bounded (`next` is 1).
    pub remaining: Option<u32>,
}

impl FaultRule {
    /// Whether it applies to a frame of type `packet` from `from` to `to` at `now`.
    pub fn matches(&self, now: Instant, packet: PacketType, from: NodeId, to: NodeId) -> bool {
        now >= self.start
            && self.until.is_none_or(|u| now < u)
            && self.remaining != Some(0)
            && self.packet.is_none_or(|p| p == packet)
            && self.from.is_none_or(|f| f == from)
            && self.to.is_none_or(|t| t == to)
    }

    /// Whether it is a slow-consumer rule rather than one on packets.
    pub fn is_stall(&self) -> bool {
        matches!(self.action, FaultAction::Stall { .. })
    }

    /// The receive window of `client` if a slow-consumer rule stalls it at `now`.
    pub fn stalls(&self, now: Instant, client: NodeId) -> Option<usize> {
        match self.action {
            FaultAction::Stall { window }
                if self.to == Some(client)
                    && now >= self.start
                    && self.until.is_none_or(|u| now < u) =>
            {
                Some(window)
            }
            _ => None,
        }
    }

    /// The node the rule is about, for where its notes are drawn: the one it
    /// names after `to`, else after `from`.
    pub fn node(&self) -> Option<NodeId> {
        self.to.or(self.from)
    }

    /// Counts one use.
    pub fn consume(&mut self) {
        if let Some(n) = &mut self.remaining {
            *n = n.saturating_sub(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_rule_fires_once_and_windows_bound_time() {
        let mut r = FaultRule {
            label: "drop next PUBACK to sensor1".into(),
            action: FaultAction::Drop,
            packet: Some(PacketType::Puback),
            from: None,
            to: Some(NodeId::new(2)),
            start: Instant::ZERO,
            until: Some(Instant::from_secs(30)),
            remaining: Some(1),
        };
        assert!(!r.matches(
            Instant::ZERO,
            PacketType::Puback,
            NodeId::new(0),
            NodeId::new(1)
        ));
        assert!(!r.matches(
            Instant::ZERO,
            PacketType::Pubrec,
            NodeId::new(0),
            NodeId::new(2)
        ));
        assert!(r.matches(
            Instant::ZERO,
            PacketType::Puback,
            NodeId::new(0),
            NodeId::new(2)
        ));
        r.consume();
        assert!(!r.matches(
            Instant::ZERO,
            PacketType::Puback,
            NodeId::new(0),
            NodeId::new(2)
        ));
        r.remaining = None;
        assert!(!r.matches(
            Instant::from_secs(30),
            PacketType::Puback,
            NodeId::new(0),
            NodeId::new(2)
        ));
    }
}
