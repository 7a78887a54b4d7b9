//! A connection's timers: an enum indexing an array of deadlines.

use crate::time::Instant;

/// What a connection waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Timer {
    /// 1.5 x keep alive without a packet from the client (MQTT-3.1.2-24).
    KeepAlive = 0,
    /// Teaching mode: the oldest unacknowledged delivery is due for a resend.
    Resend = 1,
    /// A connection that has not sent a complete CONNECT yet (§3.1, §4.8).
    Connect = 2,
}

impl Timer {
    /// Every timer, in index order.
    pub const ALL: [Timer; 3] = [Timer::KeepAlive, Timer::Resend, Timer::Connect];
}

/// One deadline per [`Timer`]. An unarmed timer is [`Timers::UNARMED`] rather
/// than `None`: a broker keeps one `Timers` per open socket, and three
/// `Option<Instant>` are 48 bytes where three `Instant`s are 24.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timers([Instant; 3]);

impl Default for Timers {
    fn default() -> Self {
        Timers([Self::UNARMED; 3])
    }
}

impl Timers {
    /// The deadline of a timer that is not armed: the end of time, when no
    /// timer could fire anyway.
    const UNARMED: Instant = Instant::from_micros(u64::MAX);

    /// Arms `t` for `at`.
    pub fn set(&mut self, t: Timer, at: Instant) {
        self.0[t as usize] = at;
    }

    /// Disarms `t`.
    pub fn clear(&mut self, t: Timer) {
        self.0[t as usize] = Self::UNARMED;
    }

    /// When `t` fires, if armed.
    pub fn get(&self, t: Timer) -> Option<Instant> {
        Some(self.0[t as usize]).filter(|&at| at != Self::UNARMED)
    }

    /// Whether `t` is armed and due at `now`.
    pub fn is_due(&self, t: Timer, now: Instant) -> bool {
        self.get(t).is_some_and(|at| at <= now)
    }

    /// The earliest armed deadline.
    pub fn next(&self) -> Option<Instant> {
        Timer::ALL.iter().filter_map(|&t| self.get(t)).min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn armed_cleared_and_the_earliest() {
        let mut t = Timers::default();
        assert_eq!(t.next(), None);
        assert!(!t.is_due(Timer::Connect, Instant::from_micros(u64::MAX)));
        t.set(Timer::Connect, Instant::from_secs(90));
        t.set(Timer::KeepAlive, Instant::from_secs(30));
        assert_eq!(t.next(), Some(Instant::from_secs(30)));
        assert!(t.is_due(Timer::KeepAlive, Instant::from_secs(30)));
        assert!(!t.is_due(Timer::Connect, Instant::from_secs(30)));
        t.clear(Timer::KeepAlive);
        assert_eq!(t.get(Timer::KeepAlive), None);
        assert_eq!(t.next(), Some(Instant::from_secs(90)));
        assert_eq!(core::mem::size_of::<Timers>(), 24);
    }
}
