//! What one run delivered, read from its trace: the application messages
//! published, which subscribers got each of them (once, twice, never), how late,
//! and how many packets it took.
//!
//! A message is a PUBLISH a client sent to its broker for the first time (a resend
//! with DUP set is the same message). Its expected receivers are the clients
//! that had sent a SUBSCRIBE with a matching filter before it was published. A
//! PUBLISH delivered to a client is matched to the oldest message with the same
//! topic and payload, published before it arrived, that this client has not had
//! yet; if there is none, it is a duplicate. Messages are told apart by topic and
//! payload: a sweep's publisher gives each a payload of its own (`model
//! count(1,1)`).
//!
//! Only messages published before a cut-off count (a sweep's is [`SETTLE`]
//! before the run ends): one published just before the end may still be on
//! its way, waiting for a reconnection, and is neither delivered nor lost.

use std::collections::BTreeMap;

use crate::codec::{decode_any, AnyPacket, Packet, PacketType, Protocol};
use crate::sim::trace::Fate;
use crate::sim::{TraceEntry, TraceKind};
use crate::topic;

/// One run's figures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunStats {
    /// Application messages published.
    pub sent: u64,
    /// (message, receiver) pairs that arrived at least once.
    pub delivered: u64,
    /// Deliveries beyond the first of the same message to the same receiver.
    pub duplicated: u64,
    /// Expected (message, receiver) pairs that never arrived.
    pub lost: u64,
    /// PUBLISH, PUBACK, PUBREC, PUBREL and PUBCOMP sent, by anyone, in the
    /// whole run.
    pub flow_packets: u64,
    /// (message, receiver) pairs delivered in the whole run, counted or not
    /// (what [`RunStats::flow_packets`] paid for).
    pub flow_delivered: u64,
    /// TCP retransmissions of the packets that arrived.
    pub retransmissions: u64,
    /// Delay from publication to first arrival, per delivered pair, in µs.
    pub latencies_us: Vec<u64>,
}

struct Message {
    topic: String,
    payload: Vec<u8>,
    at: u64,
}

fn publish_of(p: &AnyPacket) -> Option<(bool, String, Vec<u8>)> {
    match p {
        AnyPacket::V3(Packet::Publish(p)) => {
            Some((p.dup, p.topic.as_str().to_owned(), p.payload.to_vec()))
        }
        AnyPacket::V5(crate::codec::v5::Packet::Publish(p)) => Some((
            p.dup,
            p.topic.as_ref()?.as_str().to_owned(),
            p.payload.to_vec(),
        )),
        _ => None,
    }
}

fn filters_of(p: &AnyPacket) -> Vec<String> {
    match p {
        AnyPacket::V3(Packet::Subscribe(s)) => s
            .topics
            .iter()
            .map(|t| t.filter.as_str().to_owned())
            .collect(),
        AnyPacket::V5(crate::codec::v5::Packet::Subscribe(s)) => s
            .topics
            .iter()
            .map(|t| t.filter.as_str().to_owned())
            .collect(),
        _ => Vec::new(),
    }
}

const FLOW: [PacketType; 5] = [
    PacketType::Publish,
    PacketType::Puback,
    PacketType::Pubrec,
    PacketType::Pubrel,
    PacketType::Pubcomp,
];

/// How long before a run's end a message must have been published to count:
/// longer than a sensor's reconnection (5 s) after TCP gives up (a few
/// seconds of doubling retransmission timeouts).
pub const SETTLE: core::time::Duration = core::time::Duration::from_secs(20);

/// Measures one run from its whole trace, counting the messages published up to
/// `count_until` (µs) and what became of them.
pub fn measure(entries: &[TraceEntry], count_until: u64) -> RunStats {
    let mut stats = RunStats::default();
    let mut messages: Vec<Message> = Vec::new();
    // (client, filter, since): what each client asked for, and when.
    let mut subs: Vec<(String, String, u64)> = Vec::new();
    // (receiver, topic, payload, time), in order of arrival.
    let mut arrivals: Vec<(String, String, Vec<u8>, u64)> = Vec::new();
    for e in entries {
        let TraceKind::Packet {
            fate,
            from,
            to,
            to_broker,
            v5,
            bytes,
            note,
            ..
        } = &e.kind
        else {
            continue;
        };
        let t = e.time.as_micros();
        let level = if *v5 { Some(Protocol::V5) } else { None };
        let Ok(Some((p, _))) = decode_any(bytes, usize::MAX, level) else {
            continue;
        };
        match fate {
            Fate::Sent => {
                if FLOW.contains(&p.packet_type()) {
                    stats.flow_packets += 1;
                }
                if !*to_broker {
                    continue;
                }
                if let Some((dup, topic, payload)) = publish_of(&p) {
                    if !dup {
                        messages.push(Message {
                            topic,
                            payload,
                            at: t,
                        });
                    }
                } else {
                    for f in filters_of(&p) {
                        subs.push((from.clone(), f, t));
                    }
                }
            }
            Fate::Delivered => {
                stats.retransmissions += u64::from(note.as_ref().map_or(0, |n| n.retransmissions));
                if *to_broker {
                    continue;
                }
                if let Some((_, topic, payload)) = publish_of(&p) {
                    arrivals.push((to.clone(), topic, payload, t));
                }
            }
            Fate::Dropped => {}
        }
    }
    let counted = |i: usize| messages[i].at <= count_until;
    stats.sent = (0..messages.len()).filter(|&i| counted(i)).count() as u64;
    let mut by_key: BTreeMap<(&str, &[u8]), Vec<usize>> = BTreeMap::new();
    for (i, m) in messages.iter().enumerate() {
        by_key
            .entry((m.topic.as_str(), m.payload.as_slice()))
            .or_default()
            .push(i);
    }
    let mut got: BTreeMap<(&str, usize), ()> = BTreeMap::new();
    for (to, topic, payload, t) in &arrivals {
        let ids = by_key
            .get(&(topic.as_str(), payload.as_slice()))
            .map_or(&[][..], Vec::as_slice);
        let matched = ids
            .iter()
            .copied()
            .find(|&i| messages[i].at <= *t && !got.contains_key(&(to.as_str(), i)));
        match matched {
            Some(i) => {
                got.insert((to.as_str(), i), ());
                stats.flow_delivered += 1;
                if counted(i) {
                    stats.delivered += 1;
                    stats.latencies_us.push(t - messages[i].at);
                }
            }
            // Another copy of the latest such message (or of none at all).
            None => {
                let of = ids.iter().copied().rev().find(|&i| messages[i].at <= *t);
                if of.is_none_or(counted) {
                    stats.duplicated += 1;
                }
            }
        }
    }
    for (i, m) in messages.iter().enumerate().filter(|(i, _)| counted(*i)) {
        let mut receivers: Vec<&str> = subs
            .iter()
            .filter(|(_, f, since)| *since <= m.at && topic::matches(f, &m.topic))
            .map(|(c, _, _)| c.as_str())
            .collect();
        receivers.sort_unstable();
        receivers.dedup();
        stats.lost += receivers
            .iter()
            .filter(|r| !got.contains_key(&(**r, i)))
            .count() as u64;
    }
    stats
}
