//! A client's TCP connection to its broker, as a pair of one-way pipes that carry
//! whole MQTT packets (frames) in order.
//!
//! The model follows str0m's `netem`: a fixed latency, uniform jitter, a bandwidth
//! that serialises frames one after another, and random loss, all drawn from the
//! world's seeded generator. Because MQTT runs over TCP, a lost segment is not a
//! lost packet: it is sent again after a retransmission timeout that doubles each
//! time, so loss shows up as delay, and jitter never reorders (a later frame never
//! overtakes an earlier one). Only when a frame is lost more times in a row than
//! the retransmission bound does TCP give up and reset the connection.

use core::time::Duration;

use crate::rng::SplitMix64;
use crate::time::Instant;

use super::draw::Draw;

/// The most retransmissions of one segment before a reset, whatever a link says.
pub const MAX_RETRANSMITS: u32 = 15;

/// Which way a frame travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Dir {
    /// Client to broker.
    ToBroker,
    /// Broker to client.
    ToClient,
}

impl Dir {
    fn index(self) -> usize {
        match self {
            Dir::ToBroker => 0,
            Dir::ToClient => 1,
        }
    }
}

/// A link's characteristics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkParams {
    /// One-way delay.
    pub latency: Duration,
    /// Extra one-way delay, uniform in `0..=jitter`.
    pub jitter: Duration,
    /// Bits per second; `None` for unlimited.
    pub bandwidth_bps: Option<u64>,
    /// Chance that one transmission of a segment is lost, in parts per million.
    pub loss_ppm: u32,
    /// First retransmission timeout (doubles on every further loss).
    pub rto: Duration,
    /// Losses in a row after which TCP gives up and resets the connection.
    pub max_retransmits: u32,
}

impl Default for LinkParams {
    fn default() -> Self {
        LinkParams {
            latency: Duration::from_millis(1),
            jitter: Duration::ZERO,
            bandwidth_bps: None,
            loss_ppm: 0,
            rto: Duration::from_millis(200),
            max_retransmits: 5,
        }
    }
}

/// How a frame fares on its way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transit {
    /// It arrives at this time, after this many retransmissions.
    Arrives(Instant, u32),
    /// TCP gave up: the connection is reset.
    Reset,
}

/// One link between a client node and its broker node.
#[derive(Debug, Clone)]
pub struct Link {
    /// The client node's index.
    pub client: usize,
    /// The broker node's index.
    pub broker: usize,
    /// Its characteristics (a scenario may change them while it runs).
    pub params: LinkParams,
    /// While partitioned, segments wait (TCP keeps retrying) and flow after heal.
    pub partitioned: bool,
    /// The client vanished without a FIN (half-open): what is sent to it is lost.
    pub client_gone: bool,
    /// The current connection as the client sees it.
    pub conn: Option<u64>,
    /// The client's address.
    pub client_ip: String,
    busy_until: [Instant; 2],
    last_arrival: [Instant; 2],
}

impl Link {
    /// A link with no connection.
    pub fn new(client: usize, broker: usize, params: LinkParams, client_ip: String) -> Self {
        Link {
            client,
            broker,
            params,
            partitioned: false,
            client_gone: false,
            conn: None,
            client_ip,
            busy_until: [Instant::ZERO; 2],
            last_arrival: [Instant::ZERO; 2],
        }
    }

    /// When a frame of `len` bytes sent at `now` arrives, drawing loss and jitter
    /// from `rng`; `extra` is a delay a fault rule adds. Frames never overtake.
    pub fn transit(
        &mut self,
        now: Instant,
        dir: Dir,
        len: usize,
        extra: Duration,
        rng: &mut SplitMix64,
    ) -> Transit {
        let i = dir.index();
        let p = &self.params;
        let start = now.max(self.busy_until[i]);
        let serialise = match p.bandwidth_bps {
            Some(bps) if bps > 0 => {
                Duration::from_micros((len as u64).saturating_mul(8_000_000) / bps)
            }
            _ => Duration::ZERO,
        };
        self.busy_until[i] = start + serialise;
        let mut retrans = 0u32;
        let mut backoff = Duration::ZERO;
        // Linux gives up after 15 retransmissions (tcp_retries2); so do we at most.
        while rng.chance_ppm(p.loss_ppm) {
            if retrans >= p.max_retransmits.min(MAX_RETRANSMITS) {
                return Transit::Reset;
            }
            let rto = p
                .rto
                .checked_mul(1u32 << retrans.min(16))
                .unwrap_or(Duration::MAX);
            backoff = backoff.saturating_add(rto);
            retrans += 1;
        }
        let jitter = if p.jitter.is_zero() {
            Duration::ZERO
        } else {
            let j = u64::try_from(p.jitter.as_micros()).unwrap_or(u64::MAX);
            Duration::from_micros(rng.between(0, j))
        };
        let at =
            (start + serialise + p.latency + jitter + backoff + extra).max(self.last_arrival[i]);
        self.last_arrival[i] = at;
        Transit::Arrives(at, retrans)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_never_reorders_and_bandwidth_serialises() {
        let params = LinkParams {
            latency: Duration::from_millis(10),
            jitter: Duration::from_millis(50),
            bandwidth_bps: Some(8_000), // 1 byte per ms
            ..LinkParams::default()
        };
        let mut l = Link::new(0, 1, params, "10.0.0.2".into());
        let mut rng = SplitMix64::new(3);
        let mut last = Instant::ZERO;
        for _ in 0..100 {
            let Transit::Arrives(t, _) =
                l.transit(Instant::ZERO, Dir::ToBroker, 10, Duration::ZERO, &mut rng)
            else {
                panic!("no loss configured")
            };
            assert!(t >= last);
            last = t;
        }
        // 100 frames of 10 bytes at 1 byte/ms take at least a second to send.
        assert!(last >= Instant::from_millis(1000));
    }

    #[test]
    fn total_loss_resets() {
        let params = LinkParams {
            loss_ppm: 1_000_000,
            ..LinkParams::default()
        };
        let mut l = Link::new(0, 1, params, "10.0.0.2".into());
        let mut rng = SplitMix64::new(3);
        assert_eq!(
            l.transit(Instant::ZERO, Dir::ToClient, 2, Duration::ZERO, &mut rng),
            Transit::Reset
        );
    }
}
