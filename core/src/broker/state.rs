//! Read-only views for a "broker state" panel: sessions (with their 5.0 expiry),
//! connections (level, Receive Maximum, topic aliases both ways), shared
//! subscription groups, retained messages, pending wills.

use crate::codec::{LastWill, Pid, Protocol, QoS};
use crate::time::Instant;
use crate::topic::{TopicFilter, TopicName};

use super::{Broker, BrokerStats, ConnId, Message, OutStage, PeerAddr, Timer};

/// One unacknowledged delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InflightInfo {
    /// Its packet id.
    pub pid: Pid,
    /// Its topic.
    pub topic: TopicName,
    /// Its delivery QoS.
    pub qos: QoS,
    /// Which acknowledgement it waits for.
    pub stage: OutStage,
}

/// A session as the panel shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    /// The client identifier.
    pub client_id: String,
    /// The connection, if the client is connected.
    pub conn: Option<ConnId>,
    /// Clean session flag.
    pub clean: bool,
    /// Session Expiry Interval in seconds (§3.1.2.11.2): 0 ends with the
    /// connection, 0xFFFFFFFF never (a 3.1.1 persistent session).
    pub expiry_interval: u32,
    /// While the client is away: when the session ends.
    pub expires_at: Option<Instant>,
    /// Subscriptions, by filter.
    pub subscriptions: Vec<(TopicFilter, QoS)>,
    /// Deliveries waiting for an acknowledgement, oldest first.
    pub inflight: Vec<InflightInfo>,
    /// Messages waiting to be sent, oldest first.
    pub queued: Vec<Message>,
    /// Received QoS 2 ids waiting for PUBREL.
    pub incoming_qos2: Vec<Pid>,
    /// Messages dropped because the client could not keep up.
    pub dropped: u64,
}

/// A shared subscription (§4.8.2) as the panel shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedGroupInfo {
    /// `$share/GROUP/FILTER`.
    pub filter: String,
    /// Its members' client identifiers, in the order they joined.
    pub members: Vec<String>,
    /// The member whose turn is next (connected or not).
    pub next: Option<String>,
}

/// A connection as the panel shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionInfo {
    /// Its id.
    pub conn: ConnId,
    /// The other end.
    pub peer: PeerAddr,
    /// The client, once CONNECT was accepted.
    pub client_id: Option<String>,
    /// Keep alive, seconds.
    pub keep_alive: u16,
    /// When the keep-alive timeout fires, if armed.
    pub keepalive_deadline: Option<Instant>,
    /// Whether it has a will.
    pub has_will: bool,
    /// The level its CONNECT named (`None` before CONNECT).
    pub protocol: Option<Protocol>,
    /// The client's Receive Maximum (§3.1.2.11.3): QoS 1/2 deliveries it takes
    /// unacknowledged (65,535 when it set none, and for 3.1.1).
    pub receive_maximum: u16,
    /// The client's Topic Alias Maximum (§3.1.2.11.5): 0, no aliases toward it.
    pub topic_alias_maximum: u16,
    /// Topic aliases the client set, by alias.
    pub aliases_in: Vec<(u16, TopicName)>,
    /// Topic aliases the broker set toward the client, by alias.
    pub aliases_out: Vec<(u16, TopicName)>,
    /// Bytes sent to it that its transport has not taken yet (with
    /// `socket_feedback`).
    pub unsent_bytes: u64,
}

impl Broker {
    /// Every session, by client identifier.
    pub fn sessions(&self) -> Vec<SessionInfo> {
        self.sessions
            .keys()
            .filter_map(|id| self.session(id))
            .collect()
    }

    /// Each session's load, cheaply (nothing cloned): client identifier,
    /// deliveries in flight, messages queued; in client identifier order.
    pub fn session_loads(&self) -> impl Iterator<Item = (&str, usize, usize)> {
        self.sessions
            .iter()
            .map(|(id, s)| (id.as_str(), s.outgoing.len(), s.queue.len()))
    }

    /// One session.
    pub fn session(&self, client_id: &str) -> Option<SessionInfo> {
        let s = self.sessions.get(client_id)?;
        Some(SessionInfo {
            client_id: s.client_id.clone(),
            conn: s.conn,
            clean: s.clean,
            expiry_interval: s.expiry_interval,
            expires_at: s.expires_at,
            subscriptions: self.subs.of_client(client_id),
            inflight: s
                .outgoing
                .iter()
                .map(|o| InflightInfo {
                    pid: o.pid,
                    topic: o.msg.topic.clone(),
                    qos: o.msg.qos,
                    stage: o.stage,
                })
                .collect(),
            queued: s.queue.iter().cloned().collect(),
            incoming_qos2: s.incoming.pids().collect(),
            dropped: s.dropped,
        })
    }

    /// Whether `conn` is open here: opened and not yet closed by either side
    /// (packets arriving on a connection that is not are ignored).
    pub fn has_connection(&self, conn: ConnId) -> bool {
        self.conns.contains_key(&conn)
    }

    /// Every open connection, by id.
    pub fn connections(&self) -> Vec<ConnectionInfo> {
        self.conns
            .iter()
            .map(|(id, c)| ConnectionInfo {
                conn: *id,
                peer: c.peer.clone(),
                client_id: c.client_id.clone(),
                keep_alive: c.keep_alive,
                keepalive_deadline: c.timers.get(Timer::KeepAlive),
                has_will: c.will.is_some(),
                protocol: c.protocol,
                receive_maximum: c.peer_limits.receive_maximum,
                topic_alias_maximum: c.peer_limits.topic_alias_maximum,
                aliases_in: c
                    .aliases
                    .iter()
                    .flat_map(|x| &x.inbound)
                    .map(|(a, t)| (*a, t.clone()))
                    .collect(),
                aliases_out: {
                    let mut v: Vec<(u16, TopicName)> = c
                        .aliases
                        .iter()
                        .flat_map(|x| &x.outbound)
                        .map(|(t, a)| (*a, t.clone()))
                        .collect();
                    v.sort();
                    v
                },
                unsent_bytes: c.unsent().bytes(),
            })
            .collect()
    }

    /// Every shared subscription group with its members.
    pub fn shared_groups(&self) -> Vec<SharedGroupInfo> {
        self.subs
            .shared_groups()
            .into_iter()
            .map(|(filter, members, next)| SharedGroupInfo {
                filter,
                members,
                next,
            })
            .collect()
    }

    /// Counters since the broker started: messages dropped, limits reached.
    pub fn stats(&self) -> BrokerStats {
        self.stats
    }

    /// Packets and bytes received and sent since the broker started (what
    /// `$SYS/broker/messages/...` and `/bytes/...` publish).
    pub fn traffic(&self) -> super::Traffic {
        self.traffic
    }

    /// Retained messages, by topic.
    pub fn retained(&self) -> impl Iterator<Item = &Message> {
        self.retained.iter()
    }

    /// The wills of connected clients, by connection id: what would be published if
    /// each connection were lost now.
    pub fn pending_wills(&self) -> Vec<(String, LastWill)> {
        self.conns
            .values()
            .filter_map(|c| {
                let w = c.will.as_deref()?.clone();
                Some((
                    c.client_id.clone()?,
                    LastWill {
                        topic: w.topic,
                        message: w.payload,
                        qos: w.qos,
                        retain: w.retain,
                    },
                ))
            })
            .collect()
    }
}
