//! Read-only views for a "broker state" panel: sessions, connections, retained
//! messages, pending wills.

use crate::codec::{LastWill, Pid, QoS};
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

    /// One session.
    pub fn session(&self, client_id: &str) -> Option<SessionInfo> {
        let s = self.sessions.get(client_id)?;
        Some(SessionInfo {
            client_id: s.client_id.clone(),
            conn: s.conn,
            clean: s.clean,
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
                unsent_bytes: c.unsent.bytes(),
            })
            .collect()
    }

    /// Counters since the broker started: messages dropped, limits reached.
    pub fn stats(&self) -> BrokerStats {
        self.stats
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
                let w = c.will.clone()?;
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
