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

/// One deadline per [`Timer`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timers([Option<Instant>; 3]);

impl Timers {
    /// Arms `t` for `at`.
    pub fn set(&mut self, t: Timer, at: Instant) {
        self.0[t as usize] = Some(at);
    }

    /// Disarms `t`.
    pub fn clear(&mut self, t: Timer) {
        self.0[t as usize] = None;
    }

    /// When `t` fires, if armed.
    pub fn get(&self, t: Timer) -> Option<Instant> {
        self.0[t as usize]
    }

    /// Whether `t` is armed and due at `now`.
    pub fn is_due(&self, t: Timer, now: Instant) -> bool {
        self.get(t).is_some_and(|at| at <= now)
    }

    /// The earliest armed deadline.
    pub fn next(&self) -> Option<Instant> {
        self.0.iter().flatten().copied().min()
    }
}
