//! Quality of service and packet identifiers (MQTT 3.1.1 §2.3.1, §4.3).

use core::fmt;
use core::num::NonZeroU16;

/// A delivery guarantee: at most once, at least once, exactly once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum QoS {
    /// QoS 0: fire and forget, no acknowledgement.
    AtMostOnce = 0,
    /// QoS 1: acknowledged by PUBACK; may arrive more than once.
    AtLeastOnce = 1,
    /// QoS 2: the four-way PUBLISH, PUBREC, PUBREL, PUBCOMP handshake; arrives once.
    ExactlyOnce = 2,
}

impl QoS {
    /// The QoS for the two bits of a header or a subscription, or `None` for 3.
    pub fn from_u8(bits: u8) -> Option<QoS> {
        match bits {
            0 => Some(QoS::AtMostOnce),
            1 => Some(QoS::AtLeastOnce),
            2 => Some(QoS::ExactlyOnce),
            _ => None,
        }
    }

    /// The number on the wire (0, 1 or 2).
    pub fn as_u8(self) -> u8 {
        self as u8
    }
}

impl fmt::Display for QoS {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Digits written directly: a summary per packet in the trace, and
        // `core::fmt`'s integer padding cost more than the digit.
        f.write_str(itoa::Buffer::new().format(self.as_u8()))
    }
}

/// A packet identifier. Never zero (MQTT-2.3.1-1), so the type cannot hold one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pid(NonZeroU16);

impl Pid {
    /// The first identifier a fresh session hands out.
    pub const FIRST: Pid = Pid(NonZeroU16::MIN);

    /// `Some` for 1..=65535, `None` for 0.
    pub fn new(id: u16) -> Option<Pid> {
        NonZeroU16::new(id).map(Pid)
    }

    /// The identifier as a number.
    pub fn get(self) -> u16 {
        self.0.get()
    }

    /// The identifier after this one, wrapping from 65535 back to 1.
    pub fn next(self) -> Pid {
        Pid::new(self.get().wrapping_add(1)).unwrap_or(Pid::FIRST)
    }
}

impl fmt::Display for Pid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(itoa::Buffer::new().format(self.get()))
    }
}

/// QoS together with the packet identifier it requires, so that a QoS 1 or 2 PUBLISH
/// without an identifier, or a QoS 0 one with an identifier, cannot be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QosPid {
    /// QoS 0, no packet identifier on the wire.
    AtMostOnce,
    /// QoS 1 with its identifier.
    AtLeastOnce(Pid),
    /// QoS 2 with its identifier.
    ExactlyOnce(Pid),
}

impl QosPid {
    /// Pairs a QoS with an identifier; QoS 0 drops it.
    pub fn from_parts(qos: QoS, pid: Pid) -> QosPid {
        match qos {
            QoS::AtMostOnce => QosPid::AtMostOnce,
            QoS::AtLeastOnce => QosPid::AtLeastOnce(pid),
            QoS::ExactlyOnce => QosPid::ExactlyOnce(pid),
        }
    }

    /// The QoS level.
    pub fn qos(self) -> QoS {
        match self {
            QosPid::AtMostOnce => QoS::AtMostOnce,
            QosPid::AtLeastOnce(_) => QoS::AtLeastOnce,
            QosPid::ExactlyOnce(_) => QoS::ExactlyOnce,
        }
    }

    /// The identifier, for QoS 1 and 2.
    pub fn pid(self) -> Option<Pid> {
        match self {
            QosPid::AtMostOnce => None,
            QosPid::AtLeastOnce(p) | QosPid::ExactlyOnce(p) => Some(p),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_is_not_a_packet_id_and_ids_wrap_to_one() {
        assert_eq!(Pid::new(0), None);
        assert_eq!(Pid::new(65535).unwrap().next(), Pid::FIRST);
        assert_eq!(Pid::new(7).unwrap().next().get(), 8);
    }

    #[test]
    fn qos_three_does_not_exist() {
        assert_eq!(QoS::from_u8(3), None);
        assert_eq!(QoS::from_u8(2), Some(QoS::ExactlyOnce));
    }
}
