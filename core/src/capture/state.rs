//! What each broker of a capture held, rebuilt from what was seen on the wire:
//! its sessions (online or not, clean or persistent, subscriptions as the
//! SUBACKs granted them, messages sent to the client and not yet
//! acknowledged), its retained messages and the wills it would publish. A
//! session is online once its CONNACK accepted it; a clean one is gone when
//! its connection closes; a will is published when a connection closes
//! without DISCONNECT.
//!
//! This is what the lab's broker-state panel shows for an imported capture;
//! [`brokers`] takes how many events to replay, so the panel can follow the
//! row the student selects.

use std::collections::BTreeMap;

use core::net::SocketAddr;

use crate::codec::{v5, AnyPacket, Packet, QoS, SubackReturnCode};

use super::{Capture, Direction, TcpNote, What};

/// One broker's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerSeen {
    /// Its address.
    pub address: SocketAddr,
    /// Sessions by client id.
    pub sessions: Vec<SessionSeen>,
    /// Retained messages by topic.
    pub retained: Vec<MessageSeen>,
}

/// One session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSeen {
    /// Client identifier.
    pub client_id: String,
    /// Connected now.
    pub online: bool,
    /// Clean session (3.1.1) or clean start (5.0).
    pub clean: bool,
    /// Filters and the QoS granted.
    pub subscriptions: Vec<(String, QoS)>,
    /// QoS 1 and 2 messages sent to the client, not yet acknowledged.
    pub inflight: usize,
    /// QoS 1 and 2 messages published while this persistent session was
    /// offline, on topics its subscriptions match: the broker keeps them until
    /// the client is back (each leaves the queue when it is seen delivered).
    pub queued: Vec<MessageSeen>,
    /// The will it set.
    pub will: Option<MessageSeen>,
}

/// A message (retained, or a will).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageSeen {
    /// Topic.
    pub topic: String,
    /// Payload.
    pub payload: Vec<u8>,
    /// QoS.
    pub qos: QoS,
    /// Retain flag (a will's).
    pub retain: bool,
}

#[derive(Default)]
struct Broker {
    sessions: BTreeMap<String, SessionSeen>,
    /// Which connection (stream) holds each session now: a client taken over
    /// by a new connection with its id is not put offline by the old one's
    /// close.
    owners: BTreeMap<String, usize>,
    retained: BTreeMap<String, MessageSeen>,
}

#[derive(Default)]
struct Conn {
    client_id: Option<String>,
    /// The CONNECT waiting for its CONNACK: clean flag and will.
    connecting: Option<(bool, Option<MessageSeen>)>,
    subscribing: BTreeMap<u16, Vec<(String, QoS)>>,
    unsubscribing: BTreeMap<u16, Vec<String>>,
    /// Packet ids of QoS 1/2 PUBLISHes to the client awaiting PUBACK/PUBCOMP.
    outgoing: BTreeMap<u16, ()>,
    /// 5.0 topic aliases the client set, per alias.
    aliases: BTreeMap<u16, String>,
    disconnected: bool,
    closed: bool,
}

/// A fact of one packet, the same for both levels.
enum Fact {
    Connect {
        client_id: String,
        clean: bool,
        will: Option<MessageSeen>,
    },
    Connack {
        accepted: bool,
    },
    Publish {
        topic: Option<String>,
        alias: Option<u16>,
        payload: Vec<u8>,
        qos: QoS,
        retain: bool,
        pid: Option<u16>,
    },
    Ack {
        pid: u16,
        completes: bool,
    },
    Subscribe {
        pid: u16,
        filters: Vec<(String, QoS)>,
    },
    Suback {
        pid: u16,
        granted: Vec<Option<QoS>>,
    },
    Unsubscribe {
        pid: u16,
        filters: Vec<String>,
    },
    Unsuback {
        pid: u16,
    },
    Disconnect,
    Other,
}

fn fact(p: &AnyPacket) -> Fact {
    use crate::codec::properties::Property;
    match p {
        AnyPacket::V3(p) => match p {
            Packet::Connect(c) => Fact::Connect {
                client_id: c.client_id.clone(),
                clean: c.clean_session,
                will: c.will.as_ref().map(|w| MessageSeen {
                    topic: w.topic.to_string(),
                    payload: w.message.to_vec(),
                    qos: w.qos,
                    retain: w.retain,
                }),
            },
            Packet::Connack(c) => Fact::Connack {
                accepted: c.code.as_u8() == 0,
            },
            Packet::Publish(p) => Fact::Publish {
                topic: Some(p.topic.to_string()),
                alias: None,
                payload: p.payload.to_vec(),
                qos: p.qospid.qos(),
                retain: p.retain,
                pid: p.qospid.pid().map(|p| p.get()),
            },
            Packet::Puback(pid) => Fact::Ack {
                pid: pid.get(),
                completes: true,
            },
            Packet::Pubrec(pid) => Fact::Ack {
                pid: pid.get(),
                completes: false,
            },
            Packet::Pubcomp(pid) => Fact::Ack {
                pid: pid.get(),
                completes: true,
            },
            Packet::Subscribe(s) => Fact::Subscribe {
                pid: s.pid.get(),
                filters: s
                    .topics
                    .iter()
                    .map(|t| (t.filter.to_string(), t.qos))
                    .collect(),
            },
            Packet::Suback(s) => Fact::Suback {
                pid: s.pid.get(),
                granted: s
                    .return_codes
                    .iter()
                    .map(|c| match c {
                        SubackReturnCode::Success(q) => Some(*q),
                        SubackReturnCode::Failure => None,
                    })
                    .collect(),
            },
            Packet::Unsubscribe(u) => Fact::Unsubscribe {
                pid: u.pid.get(),
                filters: u.filters.iter().map(|f| f.to_string()).collect(),
            },
            Packet::Unsuback(pid) => Fact::Unsuback { pid: pid.get() },
            Packet::Disconnect => Fact::Disconnect,
            _ => Fact::Other,
        },
        AnyPacket::V5(p) => match p {
            v5::Packet::Connect(c) => Fact::Connect {
                client_id: c.client_id.clone(),
                // A 5.0 session without a Session Expiry Interval ends with
                // its connection, as a clean 3.1.1 session does.
                clean: c.clean_start
                    || !c
                        .properties
                        .iter()
                        .any(|p| matches!(p, Property::SessionExpiryInterval(e) if e.0 > 0)),
                will: c.will.as_ref().map(|w| MessageSeen {
                    topic: w.topic.to_string(),
                    payload: w.payload.to_vec(),
                    qos: w.qos,
                    retain: w.retain,
                }),
            },
            v5::Packet::Connack(c) => Fact::Connack {
                accepted: c.reason.as_u8() < 0x80,
            },
            v5::Packet::Publish(p) => Fact::Publish {
                topic: p.topic.as_ref().map(|t| t.to_string()),
                alias: p.topic_alias(),
                payload: p.payload.to_vec(),
                qos: p.qospid.qos(),
                retain: p.retain,
                pid: p.qospid.pid().map(|p| p.get()),
            },
            v5::Packet::Puback(a) => Fact::Ack {
                pid: a.pid.get(),
                completes: true,
            },
            v5::Packet::Pubrec(a) => Fact::Ack {
                pid: a.pid.get(),
                // A PUBREC with an error reason code ends the exchange.
                completes: a.reason.is_some_and(|r| r.as_u8() >= 0x80),
            },
            v5::Packet::Pubcomp(a) => Fact::Ack {
                pid: a.pid.get(),
                completes: true,
            },
            v5::Packet::Subscribe(s) => Fact::Subscribe {
                pid: s.pid.get(),
                filters: s
                    .topics
                    .iter()
                    .map(|t| (t.filter.to_string(), t.options.qos))
                    .collect(),
            },
            v5::Packet::Suback(s) => Fact::Suback {
                pid: s.pid.get(),
                granted: s
                    .reasons
                    .iter()
                    .map(|r| QoS::from_u8(r.as_u8()).filter(|_| r.as_u8() < 0x80))
                    .collect(),
            },
            v5::Packet::Unsubscribe(u) => Fact::Unsubscribe {
                pid: u.pid.get(),
                filters: u.filters.iter().map(|f| f.to_string()).collect(),
            },
            v5::Packet::Unsuback(u) => Fact::Unsuback { pid: u.pid.get() },
            v5::Packet::Disconnect(d) => {
                // 0x04 asks the broker to publish the will anyway.
                if d.reason.is_some_and(|r| r.as_u8() == 0x04) {
                    Fact::Other
                } else {
                    Fact::Disconnect
                }
            }
            _ => Fact::Other,
        },
    }
}

/// The state of every broker after the first `upto` events of `capture`.
pub fn brokers(capture: &Capture, upto: usize) -> Vec<BrokerSeen> {
    let mut brokers: BTreeMap<SocketAddr, Broker> = BTreeMap::new();
    let mut conns: Vec<Conn> = Vec::new();
    conns.resize_with(capture.streams.len(), Conn::default);
    for e in capture.events.iter().take(upto) {
        let stream = &capture.streams[e.stream];
        let conn = &mut conns[e.stream];
        let broker = brokers.entry(stream.server).or_default();
        match &e.what {
            What::Mqtt(p) => {
                let f = fact(&p.packet);
                apply(
                    broker,
                    conn,
                    e.stream,
                    e.direction,
                    f,
                    stream.client.to_string(),
                );
            }
            What::Tcp(TcpNote::Close | TcpNote::Reset) if !conn.closed => {
                conn.closed = true;
                close(broker, conn, e.stream);
            }
            _ => {}
        }
    }
    brokers
        .into_iter()
        .filter(|(_, b)| !b.sessions.is_empty() || !b.retained.is_empty())
        .map(|(address, b)| BrokerSeen {
            address,
            sessions: b.sessions.into_values().collect(),
            retained: b.retained.into_values().collect(),
        })
        .collect()
}

fn apply(
    broker: &mut Broker,
    conn: &mut Conn,
    stream: usize,
    dir: Direction,
    f: Fact,
    address: String,
) {
    match (dir, f) {
        (
            Direction::ToServer,
            Fact::Connect {
                client_id,
                clean,
                will,
            },
        ) => {
            let id = if client_id.is_empty() {
                address
            } else {
                client_id
            };
            conn.client_id = Some(id);
            conn.connecting = Some((clean, will));
        }
        (Direction::ToClient, Fact::Connack { accepted }) => {
            let (Some(id), Some((clean, will))) = (conn.client_id.clone(), conn.connecting.take())
            else {
                return;
            };
            if !accepted {
                return;
            }
            broker.owners.insert(id.clone(), stream);
            let s = broker
                .sessions
                .entry(id.clone())
                .or_insert_with(|| SessionSeen {
                    client_id: id,
                    online: true,
                    clean,
                    subscriptions: Vec::new(),
                    inflight: 0,
                    queued: Vec::new(),
                    will: None,
                });
            if clean {
                s.subscriptions.clear();
                s.inflight = 0;
                s.queued.clear();
            }
            s.online = true;
            s.clean = clean;
            s.will = will;
        }
        (
            dir,
            Fact::Publish {
                topic,
                alias,
                payload,
                qos,
                retain,
                pid,
            },
        ) => {
            let topic = match (topic.filter(|t| !t.is_empty()), alias) {
                (Some(t), Some(a)) => {
                    conn.aliases.insert(a, t.clone());
                    Some(t)
                }
                (Some(t), None) => Some(t),
                (None, Some(a)) => conn.aliases.get(&a).cloned(),
                (None, None) => None,
            };
            let Some(topic) = topic else {
                return;
            };
            if dir == Direction::ToServer {
                queue_for_offline(broker, &topic, &payload, qos);
                if retain {
                    store_retained(
                        broker,
                        MessageSeen {
                            topic,
                            payload,
                            qos,
                            retain,
                        },
                    );
                }
            } else {
                if let Some(s) = conn
                    .client_id
                    .as_ref()
                    .and_then(|id| broker.sessions.get_mut(id))
                {
                    if let Some(i) = s.queued.iter().position(|m| m.topic == topic) {
                        s.queued.remove(i);
                    }
                }
                if let Some(pid) = pid {
                    conn.outgoing.insert(pid, ());
                    update_inflight(broker, conn);
                }
            }
        }
        (
            Direction::ToServer,
            Fact::Ack {
                pid,
                completes: true,
            },
        ) if conn.outgoing.remove(&pid).is_some() => {
            update_inflight(broker, conn);
        }
        (Direction::ToServer, Fact::Subscribe { pid, filters }) => {
            conn.subscribing.insert(pid, filters);
        }
        (Direction::ToClient, Fact::Suback { pid, granted }) => {
            let Some(filters) = conn.subscribing.remove(&pid) else {
                return;
            };
            if let Some(s) = conn
                .client_id
                .as_ref()
                .and_then(|id| broker.sessions.get_mut(id))
            {
                for ((filter, _), g) in filters.into_iter().zip(granted) {
                    if let Some(q) = g {
                        match s.subscriptions.iter_mut().find(|(f, _)| *f == filter) {
                            Some(sub) => sub.1 = q,
                            None => s.subscriptions.push((filter, q)),
                        }
                    }
                }
                s.subscriptions.sort();
            }
        }
        (Direction::ToServer, Fact::Unsubscribe { pid, filters }) => {
            conn.unsubscribing.insert(pid, filters);
        }
        (Direction::ToClient, Fact::Unsuback { pid }) => {
            let Some(filters) = conn.unsubscribing.remove(&pid) else {
                return;
            };
            if let Some(s) = conn
                .client_id
                .as_ref()
                .and_then(|id| broker.sessions.get_mut(id))
            {
                s.subscriptions.retain(|(f, _)| !filters.contains(f));
            }
        }
        (Direction::ToServer, Fact::Disconnect) => conn.disconnected = true,
        _ => {}
    }
}

/// A message for every offline persistent session subscribed to its topic,
/// at the lower of the two QoS (QoS 0 is not kept for an offline client).
fn queue_for_offline(broker: &mut Broker, topic: &str, payload: &[u8], qos: QoS) {
    for s in broker
        .sessions
        .values_mut()
        .filter(|s| !s.online && !s.clean)
    {
        let granted = s
            .subscriptions
            .iter()
            .filter(|(f, _)| crate::topic::matches(f, topic))
            .map(|(_, g)| *g)
            .max();
        if let Some(g) = granted {
            let q = g.min(qos);
            if q != QoS::AtMostOnce {
                s.queued.push(MessageSeen {
                    topic: topic.to_string(),
                    payload: payload.to_vec(),
                    qos: q,
                    retain: false,
                });
            }
        }
    }
}

fn update_inflight(broker: &mut Broker, conn: &Conn) {
    if let Some(s) = conn
        .client_id
        .as_ref()
        .and_then(|id| broker.sessions.get_mut(id))
    {
        s.inflight = conn.outgoing.len();
    }
}

fn store_retained(broker: &mut Broker, m: MessageSeen) {
    if m.payload.is_empty() {
        broker.retained.remove(&m.topic);
    } else {
        broker.retained.insert(m.topic.clone(), m);
    }
}

/// The connection closed: the will is published unless DISCONNECT came first;
/// a clean session ends with it.
fn close(broker: &mut Broker, conn: &Conn, stream: usize) {
    let Some(id) = &conn.client_id else {
        return;
    };
    if broker.owners.get(id) != Some(&stream) {
        return;
    }
    let Some(s) = broker.sessions.get_mut(id) else {
        return;
    };
    if !s.online {
        return;
    }
    s.online = false;
    let will = s.will.take();
    let clean = s.clean;
    if clean {
        broker.sessions.remove(id);
    }
    if let Some(w) = will.filter(|w| w.retain && !conn.disconnected) {
        store_retained(broker, w);
    }
}
