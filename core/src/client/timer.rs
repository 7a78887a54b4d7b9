//! The client's timers: an enum indexing an array of deadlines, as in quinn-proto.

use crate::time::Instant;

/// One of the client's timers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Timer {
    /// No CONNACK arrived in time.
    Connect = 0,
    /// Nothing was sent for a keep alive period: time to send PINGREQ.
    KeepAlive = 1,
    /// A PINGREQ got no PINGRESP in time: the connection is dead.
    PingTimeout = 2,
    /// An unacknowledged message is due to be sent again (course-text model).
    Resend = 3,
}

impl Timer {
    /// All timers, in the order they fire when due at the same instant.
    pub const ALL: [Timer; 4] = [
        Timer::Connect,
        Timer::PingTimeout,
        Timer::Resend,
        Timer::KeepAlive,
    ];
}

/// The deadline of each timer; `None` when stopped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timers([Option<Instant>; 4]);

impl Timers {
    /// Starts (or moves) a timer.
    pub fn set(&mut self, timer: Timer, at: Instant) {
        self.0[timer as usize] = Some(at);
    }

    /// Stops a timer.
    pub fn stop(&mut self, timer: Timer) {
        self.0[timer as usize] = None;
    }

    /// A timer's deadline.
    pub fn get(&self, timer: Timer) -> Option<Instant> {
        self.0[timer as usize]
    }

    /// Stops every timer.
    pub fn stop_all(&mut self) {
        self.0 = [None; 4];
    }

    /// The earliest deadline.
    pub fn next(&self) -> Option<Instant> {
        self.0.iter().flatten().min().copied()
    }

    /// Whether `timer` is due at `now`; stops it if so.
    pub fn expire(&mut self, timer: Timer, now: Instant) -> bool {
        match self.0[timer as usize] {
            Some(at) if at <= now => {
                self.0[timer as usize] = None;
                true
            }
            _ => false,
        }
    }
}
