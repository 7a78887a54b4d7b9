//! Data series for charts: what a student would rather look at than read.
//!
//! - [`values`]: numeric payloads per topic over virtual time, as published
//!   (each PUBLISH that reached a broker); `on`/`off` (and `true`/`false`) read
//!   as 1 and 0, so the thermostat's heater shares a chart with the room's
//!   temperature.
//! - [`rates`]: messages per second per topic, in fixed windows.
//! - [`SessionSampler`]: in-flight and queued counts per session, sampled from
//!   the brokers' own state at every tick of virtual time while the world runs.
//!
//! Series are sorted by name (no hash map's order reaches a chart).

use core::time::Duration;
use std::collections::BTreeMap;

use crate::codec::{decode_any, AnyPacket, Packet, Protocol};
use crate::time::Instant;

use super::node::Node;
use super::trace::Fate;
use super::{TraceEntry, TraceKind, World};

/// One line of a chart.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Series {
    /// What it is: a topic, or `broker/client id`.
    pub name: String,
    /// Whether its values are 0/1 states (`on`/`off`), drawn as steps.
    pub binary: bool,
    /// (time in µs, value), in time order.
    pub points: Vec<(u64, f64)>,
}

/// A payload as a number: a decimal number, or `on`/`off`/`true`/`false`.
pub fn numeric(payload: &[u8]) -> Option<(f64, bool)> {
    let s = core::str::from_utf8(payload).ok()?.trim();
    match s.to_ascii_lowercase().as_str() {
        "on" | "true" => return Some((1.0, true)),
        "off" | "false" => return Some((0.0, true)),
        _ => {}
    }
    s.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .map(|v| (v, false))
}

/// Each PUBLISH that reached a broker: (time µs, topic, payload).
fn published(entries: &[TraceEntry]) -> impl Iterator<Item = (u64, String, Vec<u8>)> + '_ {
    entries.iter().filter_map(|e| {
        let TraceKind::Packet {
            fate: Fate::Delivered,
            to_broker: true,
            v5,
            bytes,
            ..
        } = &e.kind
        else {
            return None;
        };
        let level = v5.then_some(Protocol::V5);
        let (topic, payload) = match decode_any(bytes, usize::MAX, level).ok()??.0 {
            AnyPacket::V3(Packet::Publish(p)) => (p.topic.as_str().to_owned(), p.payload),
            AnyPacket::V5(crate::codec::v5::Packet::Publish(p)) => {
                (p.topic?.as_str().to_owned(), p.payload)
            }
            _ => return None,
        };
        Some((e.time.as_micros(), topic, payload.to_vec()))
    })
}

/// Numeric payloads per topic over time; a topic with any payload that is not
/// a number is left out, as are topics with more than `max_points` points
/// after the first ones (a chart of 100,000 points helps no one).
pub fn values(entries: &[TraceEntry], max_points: usize) -> Vec<Series> {
    let mut by_topic: BTreeMap<String, Option<Series>> = BTreeMap::new();
    for (t, topic, payload) in published(entries) {
        let slot = by_topic.entry(topic.clone()).or_insert_with(|| {
            Some(Series {
                name: topic,
                binary: true,
                points: Vec::new(),
            })
        });
        let Some(series) = slot else { continue };
        match numeric(&payload) {
            Some((v, binary)) => {
                series.binary &= binary;
                if series.points.len() < max_points {
                    series.points.push((t, v));
                }
            }
            None => *slot = None,
        }
    }
    by_topic.into_values().flatten().collect()
}

/// Messages per second per topic (PUBLISH packets reaching a broker) in
/// windows of `window`, from time 0 to `until`.
pub fn rates(entries: &[TraceEntry], window: Duration, until: Instant) -> Vec<Series> {
    let w = window.as_micros().max(1) as u64;
    let n = (until.as_micros() / w + 1) as usize;
    let mut counts: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for (t, topic, _) in published(entries) {
        let i = (t / w) as usize;
        if i < n {
            counts.entry(topic).or_insert_with(|| vec![0; n])[i] += 1;
        }
    }
    let per_second = 1_000_000.0 / w as f64;
    counts
        .into_iter()
        .map(|(name, c)| Series {
            name,
            binary: false,
            points: c
                .iter()
                .enumerate()
                .map(|(i, k)| (i as u64 * w, *k as f64 * per_second))
                .collect(),
        })
        .collect()
}

/// Sessions followed at most per world (the first ones by broker and client id).
pub const MAX_SESSIONS_SAMPLED: usize = 16;

/// Samples kept per session before the sampler halves its rate.
pub const MAX_SAMPLES: usize = 4_096;

/// In-flight and queued counts of each session, sampled every `every` of
/// virtual time as the world runs through [`SessionSampler::run_toward`].
#[derive(Debug, Clone)]
pub struct SessionSampler {
    every: Duration,
    next: Instant,
    /// `broker/client` -> [(time µs, in flight, queued)].
    samples: BTreeMap<String, Vec<(u64, usize, usize)>>,
}

impl SessionSampler {
    /// A sampler that samples at time 0, `every`, `2 every`...
    pub fn new(every: Duration) -> Self {
        SessionSampler {
            every: every.max(Duration::from_millis(1)),
            next: Instant::ZERO,
            samples: BTreeMap::new(),
        }
    }

    /// How often it samples now (it halves its rate past [`MAX_SAMPLES`]).
    pub fn every(&self) -> Duration {
        self.every
    }

    /// Records every session's counts at the world's time.
    pub fn sample(&mut self, world: &World) {
        let t = world.now().as_micros();
        for n in world.nodes() {
            let Node::Broker(b) = n else { continue };
            for (client, inflight, queued) in b.broker.session_loads() {
                let key = format!("{}/{client}", b.name);
                if !self.samples.contains_key(&key) && self.samples.len() >= MAX_SESSIONS_SAMPLED {
                    continue;
                }
                let s = self.samples.entry(key).or_default();
                if s.last().is_none_or(|l| l.0 < t) {
                    s.push((t, inflight, queued));
                }
            }
        }
        if self.samples.values().any(|s| s.len() > MAX_SAMPLES) {
            for s in self.samples.values_mut() {
                let mut i = 0;
                s.retain(|_| {
                    i += 1;
                    i % 2 == 1
                });
            }
            self.every *= 2;
        }
    }

    /// Runs `world` toward `t` (at most `max_events` events, as
    /// [`World::run_until_limited`]), sampling at each tick it passes; the
    /// world's events are the same as one `run_until_limited` would process.
    pub fn run_toward<R: Runs>(&mut self, world: &mut R, t: Instant, max_events: u64) -> bool {
        let start = world.world().stats().events;
        loop {
            while self.next <= world.world().now() {
                self.sample(world.world());
                self.next += self.every;
            }
            let used = world.world().stats().events - start;
            let stop = self.next.min(t);
            let reached = world.run_until_limited(stop, max_events.saturating_sub(used));
            if !reached {
                return false;
            }
            if stop >= t {
                if self.next <= world.world().now() {
                    self.sample(world.world());
                    self.next += self.every;
                }
                return true;
            }
        }
    }

    /// The in-flight series and the queued series, by `broker/client`.
    pub fn series(&self) -> (Vec<Series>, Vec<Series>) {
        let make = |pick: fn(&(u64, usize, usize)) -> usize| {
            self.samples
                .iter()
                .map(|(name, s)| Series {
                    name: name.clone(),
                    binary: false,
                    points: s.iter().map(|x| (x.0, pick(x) as f64)).collect(),
                })
                .collect::<Vec<_>>()
        };
        (make(|x| x.1), make(|x| x.2))
    }
}

/// What a sampler can drive: a world, or a [`Timeline`](super::replay::Timeline)
/// that keeps checkpoints as it runs one.
pub trait Runs {
    /// The world.
    fn world(&self) -> &World;
    /// Runs toward `t`, at most `max_events` events; whether it reached `t`.
    fn run_until_limited(&mut self, t: Instant, max_events: u64) -> bool;
}

impl Runs for World {
    fn world(&self) -> &World {
        self
    }
    fn run_until_limited(&mut self, t: Instant, max_events: u64) -> bool {
        World::run_until_limited(self, t, max_events)
    }
}

impl Runs for super::replay::Timeline {
    fn world(&self) -> &World {
        super::replay::Timeline::world(self)
    }
    fn run_until_limited(&mut self, t: Instant, max_events: u64) -> bool {
        super::replay::Timeline::run_until_limited(self, t, max_events)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::bundled;
    use crate::sim::scenario::parse;
    use crate::sim::trace::TraceMode;

    #[test]
    fn the_thermostat_gives_temperature_and_heater_on_one_time_axis() {
        let src = bundled::find("12-thermostat").unwrap().source;
        let r = crate::sim::scenario::run(src, Some(1)).unwrap();
        let v = values(r.world.trace().entries(), 10_000);
        let names: Vec<&str> = v.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["casa/sala/aquecedor", "casa/sala/temperatura"]);
        let (heater, temp) = (&v[0], &v[1]);
        assert!(heater.binary && !temp.binary);
        // A reading every 10 s for 600 s; it starts at 18.0.
        assert!(
            (59..=61).contains(&temp.points.len()),
            "{}",
            temp.points.len()
        );
        assert_eq!(temp.points[0].1, 18.0);
        assert!(heater.points.iter().any(|p| p.1 == 1.0));
        assert!(heater.points.iter().any(|p| p.1 == 0.0));
        // The heater goes on below 20.5 and the room then warms.
        let max = temp.points.iter().map(|p| p.1).fold(f64::MIN, f64::max);
        assert!(max > 21.0, "{max}");
        let r = rates(
            r.world.trace().entries(),
            Duration::from_secs(60),
            Instant::from_secs(600),
        );
        let temp_rate = r
            .iter()
            .find(|s| s.name == "casa/sala/temperatura")
            .unwrap();
        // Six readings a minute: 0.1 per second.
        assert!(
            (temp_rate.points[3].1 - 0.1).abs() < 1e-9,
            "{:?}",
            temp_rate.points
        );
    }

    #[test]
    fn non_numeric_topics_are_left_out() {
        assert_eq!(numeric(b" 21.5 "), Some((21.5, false)));
        assert_eq!(numeric(b"ON"), Some((1.0, true)));
        assert_eq!(numeric(b"on-line"), None);
        let src = bundled::find("06-last-will").unwrap().source;
        let r = crate::sim::scenario::run(src, Some(1)).unwrap();
        assert!(values(r.world.trace().entries(), 100).is_empty());
    }

    #[test]
    fn sampling_sees_a_persistent_sessions_queue_and_changes_no_event() {
        let src = bundled::find("05-persistent-session").unwrap().source;
        let sc = parse(src).unwrap();
        let end = sc.end_time();
        let mut plain = sc.build(1, TraceMode::Full).unwrap();
        plain.run_until(end);
        let mut sampled = sc.build(1, TraceMode::Full).unwrap();
        let mut s = SessionSampler::new(Duration::from_millis(500));
        // In small slices, as the page's worker runs.
        while !s.run_toward(&mut sampled, end, 7) {}
        assert_eq!(plain.trace().hash(), sampled.trace().hash());
        let (inflight, queued) = s.series();
        assert!(!inflight.is_empty());
        assert!(
            queued.iter().any(|q| q.points.iter().any(|p| p.1 >= 1.0)),
            "a message waits for the offline subscriber: {queued:?}"
        );
        let times: Vec<u64> = queued[0].points.iter().map(|p| p.0).collect();
        assert!(
            times.windows(2).all(|w| w[1] - w[0] == 500_000),
            "{times:?}"
        );
    }
}
