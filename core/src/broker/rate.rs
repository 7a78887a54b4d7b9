//! A per-connection message rate limit: a token bucket on PUBLISH, so that one
//! client's flood (a student's page gone wrong, a script in a loop) cannot reach
//! every subscriber at flood rate.
//!
//! Each connection has a bucket of [`RateLimit::burst`] tokens, full when its
//! first PUBLISH arrives, refilled at [`RateLimit::per_second`] tokens a second
//! on the broker's clock (the `now` of every call: the simulator's virtual time,
//! the server's monotonic time). Every PUBLISH takes a token, whatever happens to
//! it next (a denied or unrouted one costs the broker as much to read). A PUBLISH
//! that finds the bucket empty is not handled: the connection is closed, its
//! will published as for any close the client did not ask for,
//!
//! - a 5.0 client first hearing DISCONNECT 0x96 Message rate too high (§3.14.2.1:
//!   "the Client is sending messages faster than the Server can process"), with
//!   a reason string naming the limit;
//! - a 3.1.1 client, which has no way to be told, by closing the socket
//!   (§4.8's only remedy for a server).
//!
//! Both are logged (`Client ID disconnected: max_message_rate (N/s) exceeded.`)
//! and reported as [`BrokerEvent::LimitReached`](super::BrokerEvent) with
//! [`Limit::MessageRate`](super::Limit::MessageRate), and counted in
//! [`BrokerStats::rate_limited`](super::BrokerStats::rate_limited).
//!
//! Configured with `max_message_rate N` (messages a second, 0: none, the
//! default) and `max_message_burst N` (the bucket; default ten seconds' worth)
//! in `mqttlab broker -c FILE` and `mqttlab serve --broker-config FILE`, and
//! `max-message-rate N [BURST]` on a scenario's broker. `mqttlab serve
//! --classroom` sets one for the class ([`RateLimit::CLASSROOM`]).
//!
//! mosquitto 2.0.11 has no such option: its configuration parser refuses the
//! word (`Error: Unknown configuration variable "max_message_rate"`), and a
//! client may publish as fast as its socket carries (pinned against the real
//! broker by `tests/tests/rate_limit.rs`). The word is VerneMQ's
//! (`max_message_rate`, which throttles reading instead of disconnecting).

use crate::time::Instant;

/// One token, in the bucket's fixed-point units: a millionth of a message, so
/// that a rate in messages a second refills `per_second` units each microsecond
/// and no float reaches the arithmetic.
const TOKEN: u64 = 1_000_000;

/// How fast one connection may publish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Sustained rate: PUBLISH packets a second (at least 1).
    pub per_second: u32,
    /// Bucket size: how many may arrive at once after a quiet spell (at least 1).
    pub burst: u32,
}

impl RateLimit {
    /// What `mqttlab serve --classroom` allows each page: a student's page
    /// reports a few messages a minute, a lab on the real-broker page a few a
    /// second; 20 a second sustained and a burst of 200 leave both far inside.
    pub const CLASSROOM: RateLimit = RateLimit {
        per_second: 20,
        burst: 200,
    };

    /// A limit of `per_second` with the default burst (ten seconds' worth).
    pub fn new(per_second: u32) -> RateLimit {
        let per_second = per_second.max(1);
        RateLimit {
            per_second,
            burst: per_second.saturating_mul(10),
        }
    }

    /// The same limit with a bucket of `burst` (at least 1).
    pub fn with_burst(self, burst: u32) -> RateLimit {
        RateLimit {
            burst: burst.max(1),
            ..self
        }
    }
}

/// One connection's bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Bucket {
    /// Tokens held, in [`TOKEN`] units.
    units: u64,
    /// When it was last refilled.
    at: Instant,
}

impl Bucket {
    /// A full bucket at `now`.
    pub fn full(now: Instant, limit: RateLimit) -> Bucket {
        Bucket {
            units: u64::from(limit.burst.max(1)) * TOKEN,
            at: now,
        }
    }

    /// Takes a token for one PUBLISH at `now`; `false` if there is none.
    pub fn take(&mut self, now: Instant, limit: RateLimit) -> bool {
        let cap = u64::from(limit.burst.max(1)) * TOKEN;
        let elapsed = now.saturating_duration_since(self.at).as_micros();
        let refill = elapsed.saturating_mul(u128::from(limit.per_second.max(1)));
        self.units = u64::try_from(u128::from(self.units).saturating_add(refill))
            .unwrap_or(u64::MAX)
            .min(cap);
        self.at = self.at.max(now);
        if self.units >= TOKEN {
            self.units -= TOKEN;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::time::Duration;

    #[test]
    fn a_burst_then_the_sustained_rate() {
        let limit = RateLimit::new(10).with_burst(3);
        let t0 = Instant::from_secs(5);
        let mut b = Bucket::full(t0, limit);
        assert!((0..3).all(|_| b.take(t0, limit)), "the burst at once");
        assert!(!b.take(t0, limit), "the fourth at the same instant");
        // 10 a second: one token every 100 ms, not before.
        assert!(!b.take(t0 + Duration::from_millis(99), limit));
        assert!(b.take(t0 + Duration::from_millis(100), limit));
        assert!(!b.take(t0 + Duration::from_millis(100), limit));
        // A long quiet spell refills the bucket to its size, no more.
        let later = t0 + Duration::from_secs(3600);
        assert_eq!((0..10).filter(|_| b.take(later, limit)).count(), 3);
    }

    #[test]
    fn a_steady_sender_at_the_rate_is_never_refused() {
        let limit = RateLimit::new(20).with_burst(1);
        let mut t = Instant::from_secs(0);
        let mut b = Bucket::full(t, limit);
        for _ in 0..10_000 {
            assert!(b.take(t, limit));
            t += Duration::from_millis(50);
        }
        // 21 a second is not.
        let mut b = Bucket::full(t, limit);
        let refused = (0..1000)
            .filter(|_| {
                t += Duration::from_micros(47_619);
                !b.take(t, limit)
            })
            .count();
        assert!(refused > 0);
    }

    #[test]
    fn defaults_and_bounds() {
        assert_eq!(RateLimit::new(0), RateLimit::new(1).with_burst(10));
        assert_eq!(RateLimit::new(50).burst, 500);
        assert_eq!(RateLimit::new(50).with_burst(0).burst, 1);
        // A clock that went back (it cannot, but) takes nothing and panics not.
        let limit = RateLimit::new(u32::MAX).with_burst(u32::MAX);
        let mut b = Bucket::full(Instant::from_secs(10), limit);
        assert!(b.take(Instant::from_secs(1), limit));
        assert!(b.take(Instant::from_micros(u64::MAX), limit));
    }
}
