//! A client's TCP connection to its broker, as a pair of one-way pipes that carry
//! whole MQTT packets (frames) in order.
//!
//! The model follows str0m's `netem`: a fixed latency, uniform jitter, a bandwidth
//! that serialises frames one after another, and random loss, all drawn from the
//! link's own generator (derived from the world's seed and the client's name, so
//! adding a link never changes another link's draws). Because MQTT runs over TCP, a lost segment is not a
//! lost packet: it is sent again after a retransmission timeout that doubles each
//! time, so loss shows up as delay, and jitter never reorders (a later frame never
//! overtakes an earlier one). Only when a frame is lost more times in a row than
//! the retransmission bound does TCP give up and reset the connection.

use core::time::Duration;

use crate::broker::ConnId;
use crate::rng::SplitMix64;
use crate::time::Instant;

use super::draw::{stream, Draw, Stream};
use super::id::NodeId;

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

/// One of a link's characteristics with its value: what a "link changed" note
/// lists. Its `Display` is the scenario language's words and units
/// (`latency 300ms`, `bandwidth unlimited`, `loss 10%`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum LinkOption {
    /// One-way delay.
    Latency(Duration),
    /// Jitter bound.
    Jitter(Duration),
    /// Bits per second; `None` for unlimited.
    Bandwidth(Option<u64>),
    /// Loss per transmission, parts per million.
    Loss(u32),
    /// First retransmission timeout.
    Rto(Duration),
    /// Retransmissions before a reset.
    Retries(u32),
}

impl LinkOption {
    /// The scenario language's word for it.
    pub fn word(self) -> &'static str {
        match self {
            LinkOption::Latency(_) => "latency",
            LinkOption::Jitter(_) => "jitter",
            LinkOption::Bandwidth(_) => "bandwidth",
            LinkOption::Loss(_) => "loss",
            LinkOption::Rto(_) => "rto",
            LinkOption::Retries(_) => "retries",
        }
    }

    /// Its value in the scenario language's units (`300ms`, `10%`, `56kbit`);
    /// an unlimited bandwidth is the word `unlimited`.
    pub fn value(self) -> String {
        match self {
            LinkOption::Latency(d) | LinkOption::Jitter(d) | LinkOption::Rto(d) => fmt_duration(d),
            LinkOption::Bandwidth(b) => fmt_rate(b),
            LinkOption::Loss(ppm) => fmt_percent(ppm),
            LinkOption::Retries(n) => n.to_string(),
        }
    }
}

impl core::fmt::Display for LinkOption {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{} {}", self.word(), self.value())
    }
}

impl LinkParams {
    /// Each option, in declaration order.
    pub fn all(&self) -> [LinkOption; 6] {
        [
            LinkOption::Latency(self.latency),
            LinkOption::Jitter(self.jitter),
            LinkOption::Bandwidth(self.bandwidth_bps),
            LinkOption::Loss(self.loss_ppm),
            LinkOption::Rto(self.rto),
            LinkOption::Retries(self.max_retransmits),
        ]
    }

    /// Each option in the scenario language's words and units, in declaration
    /// order: `("latency", "300ms")`, `("bandwidth", "unlimited")`, `("loss", "10%")`.
    pub fn options(&self) -> [(&'static str, String); 6] {
        self.all().map(|o| (o.word(), o.value()))
    }

    /// The options that differ from `before`, in declaration order.
    pub fn changes_from(&self, before: &LinkParams) -> Vec<LinkOption> {
        self.all()
            .into_iter()
            .zip(before.all())
            .filter(|(a, b)| a != b)
            .map(|(a, _)| a)
            .collect()
    }
}

/// `300ms`, `2s`, `250us`: exact, and what the scenario language reads back.
fn fmt_duration(d: Duration) -> String {
    let us = d.as_micros();
    if us == 0 {
        "0ms".into()
    } else if us.is_multiple_of(1_000_000) {
        format!("{}s", us / 1_000_000)
    } else if us.is_multiple_of(1_000) {
        format!("{}ms", us / 1_000)
    } else {
        format!("{us}us")
    }
}

/// `10%`, `0.5%` from parts per million.
fn fmt_percent(ppm: u32) -> String {
    let (int, frac) = (ppm / 10_000, ppm % 10_000);
    if frac == 0 {
        format!("{int}%")
    } else {
        let digits = format!("{frac:04}");
        format!("{int}.{}%", digits.trim_end_matches('0'))
    }
}

/// `56kbit`, `1mbit`, `unlimited`.
fn fmt_rate(bps: Option<u64>) -> String {
    match bps {
        None => "unlimited".into(),
        Some(b) if b != 0 && b.is_multiple_of(1_000_000_000) => {
            format!("{}gbit", b / 1_000_000_000)
        }
        Some(b) if b != 0 && b.is_multiple_of(1_000_000) => format!("{}mbit", b / 1_000_000),
        Some(b) if b != 0 && b.is_multiple_of(1_000) => format!("{}kbit", b / 1_000),
        Some(b) => format!("{b}bit"),
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
    pub client: NodeId,
    /// The broker node's index.
    pub broker: NodeId,
    /// Its characteristics (a scenario may change them while it runs).
    pub params: LinkParams,
    /// While partitioned, segments wait (TCP keeps retrying) and flow after heal.
    pub partitioned: bool,
    /// The client vanished without a FIN (half-open): what is sent to it is lost.
    pub client_gone: bool,
    /// The current connection as the client sees it.
    pub conn: Option<ConnId>,
    /// The client's address.
    pub client_ip: String,
    /// Loss and jitter draws.
    rng: SplitMix64,
    /// Ephemeral port draws.
    ports: SplitMix64,
    busy_until: [Instant; 2],
    last_arrival: [Instant; 2],
}

impl Link {
    /// A link with no connection, drawing from its own generators: those of the
    /// world seeded `seed` for the client host named `name`.
    pub fn new(
        client: NodeId,
        broker: NodeId,
        params: LinkParams,
        client_ip: String,
        seed: u64,
        name: &str,
    ) -> Self {
        Link {
            client,
            broker,
            params,
            partitioned: false,
            client_gone: false,
            conn: None,
            client_ip,
            rng: stream(seed, Stream::Link, name),
            ports: stream(seed, Stream::Ports, name),
            busy_until: [Instant::ZERO; 2],
            last_arrival: [Instant::ZERO; 2],
        }
    }

    /// The client's port for a new connection: an ephemeral port, 32768 to 60999
    /// as Linux picks them.
    pub fn ephemeral_port(&mut self) -> u16 {
        32768 + self.ports.below(28232) as u16
    }

    /// When a frame of `len` bytes sent at `now` arrives, drawing loss and jitter
    /// from the link's generator; `extra` is a delay a fault rule adds. Frames
    /// never overtake.
    pub fn transit(&mut self, now: Instant, dir: Dir, len: usize, extra: Duration) -> Transit {
        let i = dir.index();
        let rng = &mut self.rng;
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
        let at = self.in_order(
            dir,
            start + serialise + p.latency + jitter + backoff + extra,
        );
        Transit::Arrives(at, retrans)
    }

    /// `at`, or the arrival of the last segment sent the same way if that is later:
    /// what TCP sends next never overtakes what it sent before, even after the
    /// latency dropped.
    pub fn in_order(&mut self, dir: Dir, at: Instant) -> Instant {
        let i = dir.index();
        let at = at.max(self.last_arrival[i]);
        self.last_arrival[i] = at;
        at
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
        let mut l = Link::new(
            NodeId::new(0),
            NodeId::new(1),
            params,
            "10.0.0.2".into(),
            3,
            "c",
        );
        let mut last = Instant::ZERO;
        for _ in 0..100 {
            let Transit::Arrives(t, _) =
                l.transit(Instant::ZERO, Dir::ToBroker, 10, Duration::ZERO)
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
    fn options_read_as_the_scenario_language_writes_them() {
        let p = LinkParams {
            latency: Duration::from_millis(300),
            jitter: Duration::from_micros(1500),
            bandwidth_bps: Some(56_000),
            loss_ppm: 5_000,
            rto: Duration::from_secs(1),
            max_retransmits: 3,
        };
        let words: Vec<String> = p
            .options()
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        assert_eq!(
            words,
            [
                "latency 300ms",
                "jitter 1500us",
                "bandwidth 56kbit",
                "loss 0.5%",
                "rto 1s",
                "retries 3"
            ]
        );
        let before = LinkParams::default();
        let after = LinkParams {
            latency: Duration::from_millis(300),
            loss_ppm: 100_000,
            ..before.clone()
        };
        assert_eq!(
            after.changes_from(&before),
            [
                LinkOption::Latency(Duration::from_millis(300)),
                LinkOption::Loss(100_000)
            ]
        );
        let words: Vec<String> = after
            .changes_from(&before)
            .iter()
            .map(|o| o.to_string())
            .collect();
        assert_eq!(words, ["latency 300ms", "loss 10%"]);
        assert_eq!(
            LinkOption::Bandwidth(None).to_string(),
            "bandwidth unlimited"
        );
        assert!(before.changes_from(&before).is_empty());
    }

    #[test]
    fn lowering_latency_never_lets_a_later_frame_overtake() {
        let slow = LinkParams {
            latency: Duration::from_millis(500),
            ..LinkParams::default()
        };
        let mut l = Link::new(
            NodeId::new(0),
            NodeId::new(1),
            slow,
            "10.0.0.2".into(),
            3,
            "c",
        );
        let Transit::Arrives(first, _) =
            l.transit(Instant::ZERO, Dir::ToBroker, 10, Duration::ZERO)
        else {
            panic!("no loss configured")
        };
        assert_eq!(first, Instant::from_millis(500));
        l.params.latency = Duration::from_millis(1);
        let Transit::Arrives(second, _) =
            l.transit(Instant::from_millis(10), Dir::ToBroker, 10, Duration::ZERO)
        else {
            panic!("no loss configured")
        };
        // It would arrive at 11 ms on its own; TCP delivers it after the first.
        assert_eq!(second, first);
        let Transit::Arrives(later, _) =
            l.transit(Instant::from_millis(600), Dir::ToBroker, 10, Duration::ZERO)
        else {
            panic!("no loss configured")
        };
        assert_eq!(later, Instant::from_millis(601));
    }

    #[test]
    fn total_loss_resets() {
        let params = LinkParams {
            loss_ppm: 1_000_000,
            ..LinkParams::default()
        };
        let mut l = Link::new(
            NodeId::new(0),
            NodeId::new(1),
            params,
            "10.0.0.2".into(),
            3,
            "c",
        );
        assert_eq!(
            l.transit(Instant::ZERO, Dir::ToClient, 2, Duration::ZERO),
            Transit::Reset
        );
    }
}
