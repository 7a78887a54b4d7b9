//! The `$SYS/broker/...` topics: mosquitto 2.0.11's tree of counters, published
//! by the broker itself every [`BrokerConfig::sys_interval`] (mosquitto's
//! `sys_interval`), retained, with mosquitto's topic names and payloads
//! (`src/sys_tree.c`).
//!
//! Each tick publishes `$SYS/broker/uptime` (`N seconds`), then, in mosquitto's
//! order, every counter whose value changed since the last tick (the first tick
//! publishes them all, and `$SYS/broker/version` before them): the clients,
//! the load averages (`%.2f`, exponentially damped over 1, 5 and 15 minutes,
//! published when they move by 0.01 or more), the store, subscription and
//! retained counts, then messages and bytes received and sent. The counts are
//! taken from the broker's own state; the traffic is counted as it happens
//! ([`Traffic`]).
//!
//! Compared with mosquitto 2.0.11 (`tests/tests/sys_tree.rs` lists which topics
//! both publish):
//!
//! - ticks come every `sys_interval` seconds, the first when the broker starts;
//!   mosquitto 2.0.11 waits until more than `sys_interval` seconds have passed
//!   (`now - interval > last_update`), so `sys_interval 1` ticks every 2 s;
//! - the messages carry no Message Expiry Interval: mosquitto 2.0.11 gives every
//!   one but `version` 60 s, so a counter that stops changing disappears from the
//!   retained tree a minute later (fixed in mosquitto 2.0.12);
//! - `$SYS/broker/heap/current` and `/maximum` are left out: they are
//!   mosquitto's allocator, not MQTT;
//! - `clients/connected` counts clients whose CONNECT was accepted (mosquitto
//!   counts every open socket, and its `clients/disconnected` can read `-1`
//!   while a client connects).
//!
//! `$SYS` topics are not matched by filters that begin with a wildcard
//! (MQTT-4.7.2-1, `topic.rs`): `#` does not see them, `$SYS/#` does.

use core::time::Duration;

use bytes::Bytes;

use crate::codec::{v5, AnyPacket, Packet, QoS};
use crate::time::Instant;
use crate::topic::TopicName;

use super::{Broker, Message};

/// The mosquitto the simulated broker is, as `$SYS/broker/version` names it
/// and its `-v` log's "starting" and "terminating" lines do: the one the
/// interop tests run against.
pub const SYS_VERSION: &str = "mosquitto version 2.0.11";

/// What the broker has received and sent since it started: the counters
/// behind `$SYS/broker/messages/...`, `/bytes/...` and `/publish/...`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Traffic {
    /// Packets received, of every type (`$SYS/broker/messages/received`).
    pub messages_received: u64,
    /// Packets sent, of every type (`$SYS/broker/messages/sent`).
    pub messages_sent: u64,
    /// PUBLISH packets received.
    pub publish_received: u64,
    /// PUBLISH packets sent.
    pub publish_sent: u64,
    /// Bytes received, headers included (when the driver hands in bytes or
    /// says how many a packet had).
    pub bytes_received: u64,
    /// Bytes sent, headers included.
    pub bytes_sent: u64,
    /// Payload bytes of the PUBLISH packets received.
    pub publish_bytes_received: u64,
    /// Payload bytes of the PUBLISH packets sent.
    pub publish_bytes_sent: u64,
    /// Transport connections opened.
    pub sockets: u64,
    /// CONNECT packets received.
    pub connects: u64,
    /// Offline sessions that expired.
    pub clients_expired: u64,
}

impl Traffic {
    /// A packet arrived.
    pub(super) fn count_received(&mut self, packet: &AnyPacket) {
        self.messages_received += 1;
        if let Some(n) = publish_payload(packet) {
            self.publish_received += 1;
            self.publish_bytes_received += n as u64;
        }
        if matches!(
            packet,
            AnyPacket::V3(Packet::Connect(_)) | AnyPacket::V5(v5::Packet::Connect(_))
        ) {
            self.connects += 1;
        }
    }

    /// A packet of `len` bytes went out.
    pub(super) fn count_sent(&mut self, packet: &AnyPacket, len: usize) {
        self.messages_sent += 1;
        self.bytes_sent += len as u64;
        if let Some(n) = publish_payload(packet) {
            self.publish_sent += 1;
            self.publish_bytes_sent += n as u64;
        }
    }
}

/// The payload length of a PUBLISH.
fn publish_payload(packet: &AnyPacket) -> Option<usize> {
    match packet {
        AnyPacket::V3(Packet::Publish(p)) => Some(p.payload.len()),
        AnyPacket::V5(v5::Packet::Publish(p)) => Some(p.payload.len()),
        _ => None,
    }
}

/// What the load averages are the rates of, in mosquitto's order within each
/// period (`$SYS/broker/load/NAME/1min`...).
const LOADS: [&str; 9] = [
    "messages/received",
    "messages/sent",
    "publish/dropped",
    "publish/received",
    "publish/sent",
    "bytes/received",
    "bytes/sent",
    "sockets",
    "connections",
];

/// The counts behind [`LOADS`], from the traffic and the messages dropped.
fn load_counts(t: &Traffic, dropped: u64) -> [u64; 9] {
    [
        t.messages_received,
        t.messages_sent,
        dropped,
        t.publish_received,
        t.publish_sent,
        t.bytes_received,
        t.bytes_sent,
        t.sockets,
        t.connects,
    ]
}

/// `v` as mosquitto's `%.2f` prints a load average (never negative), in
/// integers: the float formatter is tens of kilobytes of code that nothing
/// else in a running broker uses, and a broker's resident memory counts the
/// pages of its program it has run.
fn two_decimals(v: f64) -> String {
    let hundredths = libm::round(v.max(0.0) * 100.0) as u64;
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

/// The periods of the load averages: topic suffix and seconds.
const PERIODS: [(&str, f64); 3] = [("1min", 60.0), ("5min", 300.0), ("15min", 900.0)];

/// The counters published when they change, each with its topic(s), in
/// mosquitto 2.0.11's order after the load averages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Counter {
    Stored,
    StoreBytes,
    Subscriptions,
    SharedSubscriptions,
    Retained,
    MessagesReceived,
    MessagesSent,
    PublishDropped,
    PublishReceived,
    PublishSent,
    BytesReceived,
    BytesSent,
    PublishBytesReceived,
    PublishBytesSent,
}

impl Counter {
    const ALL: [Counter; 14] = [
        Counter::Stored,
        Counter::StoreBytes,
        Counter::Subscriptions,
        Counter::SharedSubscriptions,
        Counter::Retained,
        Counter::MessagesReceived,
        Counter::MessagesSent,
        Counter::PublishDropped,
        Counter::PublishReceived,
        Counter::PublishSent,
        Counter::BytesReceived,
        Counter::BytesSent,
        Counter::PublishBytesReceived,
        Counter::PublishBytesSent,
    ];

    fn topics(self) -> &'static [&'static str] {
        match self {
            Counter::Stored => &[
                "$SYS/broker/messages/stored",
                "$SYS/broker/store/messages/count",
            ],
            Counter::StoreBytes => &["$SYS/broker/store/messages/bytes"],
            Counter::Subscriptions => &["$SYS/broker/subscriptions/count"],
            Counter::SharedSubscriptions => &["$SYS/broker/shared_subscriptions/count"],
            Counter::Retained => &["$SYS/broker/retained messages/count"],
            Counter::MessagesReceived => &["$SYS/broker/messages/received"],
            Counter::MessagesSent => &["$SYS/broker/messages/sent"],
            Counter::PublishDropped => &["$SYS/broker/publish/messages/dropped"],
            Counter::PublishReceived => &["$SYS/broker/publish/messages/received"],
            Counter::PublishSent => &["$SYS/broker/publish/messages/sent"],
            Counter::BytesReceived => &["$SYS/broker/bytes/received"],
            Counter::BytesSent => &["$SYS/broker/bytes/sent"],
            Counter::PublishBytesReceived => &["$SYS/broker/publish/bytes/received"],
            Counter::PublishBytesSent => &["$SYS/broker/publish/bytes/sent"],
        }
    }
}

/// The clients' counts, published when they change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Clients {
    Total,
    Disconnected,
    Connected,
    Expired,
}

impl Clients {
    const ALL: [Clients; 4] = [
        Clients::Total,
        Clients::Disconnected,
        Clients::Connected,
        Clients::Expired,
    ];

    fn topics(self) -> &'static [&'static str] {
        match self {
            Clients::Total => &["$SYS/broker/clients/total"],
            Clients::Disconnected => &[
                "$SYS/broker/clients/inactive",
                "$SYS/broker/clients/disconnected",
            ],
            Clients::Connected => &[
                "$SYS/broker/clients/active",
                "$SYS/broker/clients/connected",
            ],
            Clients::Expired => &["$SYS/broker/clients/expired"],
        }
    }
}

/// The `$SYS` tree's memory between ticks.
#[derive(Debug, Clone, Default)]
pub(super) struct SysTree {
    /// When the first tick happened: the broker's start for `uptime`.
    started: Option<Instant>,
    /// The last tick, and the traffic and drops counted then.
    last: Option<(Instant, Traffic, u64)>,
    /// The next tick.
    next: Option<Instant>,
    /// The values last published, to publish only what changed.
    clients: [Option<u64>; 4],
    clients_max: u64,
    counters: [Option<u64>; 14],
    /// The load averages, by period then by `LOADS`.
    loads: [[f64; 9]; 3],
}

impl SysTree {
    /// When the tree wants its next tick, if it is on.
    pub(super) fn next(&self, interval: Option<Duration>) -> Option<Instant> {
        match (interval, self.next) {
            (None, _) => None,
            (Some(_), None) => Some(self.started.unwrap_or(Instant::ZERO)),
            (Some(_), next) => next,
        }
    }
}

impl Broker {
    /// Publishes the `$SYS` tree if a tick is due at `now`.
    pub(super) fn sys_tick(&mut self, now: Instant) {
        let Some(interval) = self.config.sys_interval.filter(|d| !d.is_zero()) else {
            return;
        };
        if self.sys.next(Some(interval)).is_none_or(|at| at > now) {
            return;
        }
        let first = self.sys.started.is_none();
        let started = *self.sys.started.get_or_insert(now);
        let after = self.sys.next.map_or(now, |at| at) + interval;
        self.sys.next = Some(if after > now { after } else { now + interval });
        if first {
            self.sys_publish(now, "$SYS/broker/version", SYS_VERSION.to_owned());
        }
        let uptime = now.saturating_duration_since(started).as_secs();
        self.sys_publish(now, "$SYS/broker/uptime", format!("{uptime} seconds"));

        let (total, connected) = self.sys_clients();
        let values = [
            total,
            total.saturating_sub(connected),
            connected,
            self.traffic.clients_expired,
        ];
        for (i, which) in Clients::ALL.into_iter().enumerate() {
            if self.sys.clients[i] == Some(values[i]) {
                continue;
            }
            self.sys.clients[i] = Some(values[i]);
            for topic in which.topics() {
                self.sys_publish(now, topic, values[i].to_string());
            }
            if which == Clients::Total && values[i] > self.sys.clients_max {
                self.sys.clients_max = values[i];
                let max = values[i].to_string();
                self.sys_publish(now, "$SYS/broker/clients/maximum", max);
            }
        }

        self.sys_loads(now);

        for (i, c) in Counter::ALL.into_iter().enumerate() {
            let v = self.sys_counter(c);
            if self.sys.counters[i] == Some(v) {
                continue;
            }
            self.sys.counters[i] = Some(v);
            for topic in c.topics() {
                self.sys_publish(now, topic, v.to_string());
            }
        }
    }

    /// Clients with a session (connected or not), and those connected.
    fn sys_clients(&self) -> (u64, u64) {
        let total = self.sessions.len() as u64;
        let connected = self.sessions.values().filter(|s| s.conn.is_some()).count() as u64;
        (total, connected)
    }

    fn sys_counter(&self, c: Counter) -> u64 {
        let t = &self.traffic;
        match c {
            Counter::Stored => {
                let held: usize = self
                    .sessions
                    .values()
                    .map(|s| s.outgoing.len() + s.queue.len())
                    .sum();
                (self.retained.len() + held) as u64
            }
            Counter::StoreBytes => {
                let held: usize = self
                    .sessions
                    .values()
                    .map(|s| s.outgoing.payload_bytes() + s.queued_bytes)
                    .sum();
                (self.retained.payload_bytes() + held) as u64
            }
            Counter::Subscriptions => (self.subs.len() - self.subs.shared_len()) as u64,
            Counter::SharedSubscriptions => self.subs.shared_len() as u64,
            Counter::Retained => self.retained.len() as u64,
            Counter::MessagesReceived => t.messages_received,
            Counter::MessagesSent => t.messages_sent,
            Counter::PublishDropped => self.stats.messages_dropped,
            Counter::PublishReceived => t.publish_received,
            Counter::PublishSent => t.publish_sent,
            Counter::BytesReceived => t.bytes_received,
            Counter::BytesSent => t.bytes_sent,
            Counter::PublishBytesReceived => t.publish_bytes_received,
            Counter::PublishBytesSent => t.publish_bytes_sent,
        }
    }

    /// The load averages: the first tick publishes them all as 0.00; later
    /// ones damp each toward the rate per minute since the last tick
    /// (mosquitto's `calc_load`) and publish those that moved by 0.01.
    fn sys_loads(&mut self, now: Instant) {
        let (traffic, dropped) = (self.traffic, self.stats.messages_dropped);
        let last = self.sys.last.replace((now, traffic, dropped));
        let rates: Option<(f64, [f64; 9])> = last.and_then(|(at, before, dropped_before)| {
            let secs = now.saturating_duration_since(at).as_micros() as f64 / 1e6;
            (secs > 0.0).then(|| {
                let per_minute = 60.0 / secs;
                let (now_counts, then) = (
                    load_counts(&traffic, dropped),
                    load_counts(&before, dropped_before),
                );
                let r = core::array::from_fn(|i| {
                    now_counts[i].saturating_sub(then[i]) as f64 * per_minute
                });
                (secs, r)
            })
        });
        for (p, (suffix, period)) in PERIODS.iter().enumerate() {
            let damping = rates.map(|(secs, _)| libm::exp(-secs / period));
            for (i, name) in LOADS.iter().enumerate() {
                let current = self.sys.loads[p][i];
                let publish = match (last, rates, damping) {
                    (None, _, _) => Some(current),
                    (Some(_), Some((_, r)), Some(e)) => {
                        let new = r[i] + e * (current - r[i]);
                        self.sys.loads[p][i] = new;
                        ((new - current).abs() >= 0.01).then_some(new)
                    }
                    _ => None,
                };
                if let Some(v) = publish {
                    let topic = format!("$SYS/broker/load/{name}/{suffix}");
                    self.sys_publish(now, &topic, two_decimals(v));
                }
            }
        }
    }

    /// Publishes one `$SYS` message: retained, QoS 2 (mosquitto's
    /// `SYS_TREE_QOS`), from the broker itself.
    fn sys_publish(&mut self, now: Instant, topic: &str, payload: String) {
        let Ok(topic) = TopicName::new(topic) else {
            return;
        };
        let msg = Message {
            topic,
            payload: Bytes::from(payload.into_bytes()),
            qos: QoS::ExactlyOnce,
            retain: true,
            properties: Vec::new(),
            expires_at: None,
            subscription_ids: Vec::new(),
            shared: None,
        };
        // No client has the empty identifier (one is assigned), so No Local
        // keeps no subscriber from it.
        self.route(now, "", msg);
    }
}

#[cfg(test)]
mod tests {
    use super::two_decimals;

    #[test]
    fn load_averages_print_as_percent_2f() {
        let mut rng = crate::rng::SplitMix64::new(19);
        for i in 0..20_000u64 {
            // Rates per minute from nothing to a flood, and their damped values.
            let scale = [1.0, 100.0, 1e4, 1e7][(i % 4) as usize];
            let v = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * scale;
            assert_eq!(two_decimals(v), format!("{v:.2}"), "{v:e}");
        }
        assert_eq!(two_decimals(0.0), "0.00");
        assert_eq!(two_decimals(0.004), "0.00");
        assert_eq!(two_decimals(0.006), "0.01");
        assert_eq!(two_decimals(1234.5678), "1234.57");
    }
}
