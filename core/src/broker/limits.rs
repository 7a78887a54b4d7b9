//! The broker's limits: what one client may make it keep, and how much may wait
//! for a client that reads slowly. One place decides each, so the simulator, the
//! native server and the tests share the same rules.
//!
//! ## Outbound: a client that cannot keep up
//!
//! The words and their arithmetic are mosquitto 2.0's (`db__ready_for_flight`,
//! `db__ready_for_queue` in `src/database.c`):
//!
//! - a QoS 1/2 message goes into the in-flight window while it has room
//!   (`max_inflight_messages`, `max_inflight_bytes`), else into the session's
//!   queue while *in flight + queued − the window* is under `max_queued_messages`
//!   and `max_queued_bytes` (for an offline client the window counts as empty),
//!   else it is dropped;
//! - a QoS 0 message for a connected client is never queued: it is sent while
//!   everything waiting for the client, *QoS 0 messages its socket has not taken
//!   yet* + in flight + queued, less the window, is under the same bounds, else
//!   it is dropped. That is what "QoS 0 dropped first" means: a subscriber that
//!   stops reading fills its socket, its QoS 0 messages are dropped at once, its
//!   QoS 1/2 messages fill the window and then the queue, and only then are they
//!   dropped too.
//!
//! A drop is logged as mosquitto logs it, once per run of drops (`Outgoing
//! messages are being dropped for client ID.`), reported as
//! [`BrokerEvent::Dropped`](super::BrokerEvent::Dropped) and counted, per
//! session and in [`BrokerStats`]. Nobody waits: the publisher is acknowledged
//! as soon as the broker has taken the message (unless
//! [`hold_acks`](super::BrokerConfig::hold_acks) asks otherwise).
//!
//! "Not taken yet" needs the driver: with
//! [`socket_feedback`](super::BrokerConfig::socket_feedback) on it reports, with
//! [`Broker::handle_sent`], how many bytes each transport took.
//!
//! ## What one client can make the broker keep
//!
//! MQTT 3.1.1 has few ways to say no: CONNACK codes before a session exists,
//! SUBACK 0x80 for a subscription, and otherwise only closing the connection.
//! MQTT 5.0 has a reason code for each, noted here for the 5.0 work to come:
//!
//! | limit (config word) | 3.1.1 behaviour here | 5.0 reason code |
//! | --- | --- | --- |
//! | `max_queued_messages`, `max_queued_bytes` | message dropped for that subscriber, logged | none (dropped) |
//! | the same, with `max_inflight_*`, for QoS 2 messages a client sent and has not released | PUBLISH dropped, no PUBREC, logged | PUBREC 0x97 Quota exceeded |
//! | `max_retained_messages`, `max_retained_bytes` | delivered, not stored as retained; logged | PUBACK/PUBREC 0x97 Quota exceeded |
//! | `max_subscriptions_per_client` | SUBACK 0x80 for that filter | SUBACK 0x97 Quota exceeded |
//! | `max_topic_length`, `max_topic_levels` (SUBSCRIBE) | SUBACK 0x80 for that filter | SUBACK 0x8F Topic Filter invalid |
//! | `max_topic_length`, `max_topic_levels` (PUBLISH, will) | connection closed (CONNECT: CONNACK 2 for a will) | DISCONNECT 0x90 Topic Name invalid |
//! | `max_packet_size` | connection closed as the header arrives | DISCONNECT 0x95 Packet too large |
//! | `max_connections_per_address` | socket closed as it opens, before CONNECT | CONNACK 0x9F Connection rate exceeded |
//! | `max_connections` | CONNACK 3 (server unavailable) | CONNACK 0x97 Quota exceeded |
//! | `max_message_rate`, `max_message_burst` (`rate.rs`) | connection closed | DISCONNECT 0x96 Message rate too high |

use std::collections::VecDeque;

use crate::codec::QoS;
use crate::time::Instant;

use super::{Broker, BrokerConfig, BrokerEvent, CloseReason, ConnId, Message, PeerAddr, Session};

/// A limit the broker enforces, for events, counters and the panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Limit {
    /// `max_queued_messages` / `max_queued_bytes`: a message was dropped.
    Queued,
    /// `max_retained_messages`: a retained message was not stored.
    RetainedMessages,
    /// `max_retained_bytes`: a retained message was not stored.
    RetainedBytes,
    /// `max_subscriptions_per_client`: SUBACK 0x80.
    SubscriptionsPerClient,
    /// `max_topic_length`.
    TopicLength,
    /// `max_topic_levels`.
    TopicLevels,
    /// `max_connections_per_address`: the socket was closed as it opened.
    ConnectionsPerAddress,
    /// `max_message_rate`: a connection published faster (`rate.rs`).
    MessageRate,
}

impl Limit {
    /// The configuration word that sets it (as in `mqttlab broker -c FILE`).
    pub fn config_word(self) -> &'static str {
        match self {
            Limit::Queued => "max_queued_messages",
            Limit::RetainedMessages => "max_retained_messages",
            Limit::RetainedBytes => "max_retained_bytes",
            Limit::SubscriptionsPerClient => "max_subscriptions_per_client",
            Limit::TopicLength => "max_topic_length",
            Limit::TopicLevels => "max_topic_levels",
            Limit::ConnectionsPerAddress => "max_connections_per_address",
            Limit::MessageRate => "max_message_rate",
        }
    }

    /// The MQTT 5.0 reason code a 5.0 broker would send (see the table above);
    /// `None` where 5.0 has nothing to send either.
    pub fn reason_code_v5(self) -> Option<u8> {
        match self {
            Limit::Queued => None,
            Limit::RetainedMessages | Limit::RetainedBytes | Limit::SubscriptionsPerClient => {
                Some(0x97)
            }
            // 0x8F for a SUBSCRIBE filter, 0x90 for a PUBLISH topic name.
            Limit::TopicLength | Limit::TopicLevels => Some(0x90),
            Limit::ConnectionsPerAddress => Some(0x9F),
            Limit::MessageRate => Some(0x96),
        }
    }
}

/// Counters since the broker started (the web's broker-state panel shows them;
/// `sys.rs` publishes `messages_dropped` as `$SYS/broker/publish/messages/dropped`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BrokerStats {
    /// Messages dropped for clients that could not keep up (queue or socket
    /// full), in all; mosquitto's `$SYS/broker/publish/messages/dropped`.
    pub messages_dropped: u64,
    /// Retained messages not stored for a retained limit.
    pub retained_refused: u64,
    /// Subscriptions answered 0x80 for a subscription or topic limit.
    pub subscriptions_refused: u64,
    /// Connections closed for a topic limit in a PUBLISH or will.
    pub topics_refused: u64,
    /// Sockets closed as they opened for `max_connections_per_address`.
    pub connections_refused: u64,
    /// Connections closed for publishing faster than `max_message_rate`.
    pub rate_limited: u64,
}

/// What a connection's transport has not taken yet, as far as the broker
/// knows: every byte it transmitted, less those the driver reported sent; and,
/// of those, the QoS 0 PUBLISHes, which count against the client's limits.
#[derive(Debug, Clone, Default)]
pub(crate) struct Unsent {
    /// Bytes ever transmitted, and ever reported sent.
    out: u64,
    sent: u64,
    /// For each unsent QoS 0 PUBLISH: where its last byte ends in `out`, and
    /// its payload length.
    qos0: VecDeque<(u64, usize)>,
    qos0_bytes: usize,
}

impl Unsent {
    /// Nothing transmitted.
    pub const NOTHING: Unsent = Unsent {
        out: 0,
        sent: 0,
        qos0: VecDeque::new(),
        qos0_bytes: 0,
    };

    /// A packet of `len` bytes was transmitted; a QoS 0 PUBLISH gives its
    /// payload length.
    pub fn transmitted(&mut self, len: usize, qos0_payload: Option<usize>) {
        self.out += len as u64;
        if let Some(p) = qos0_payload {
            self.qos0.push_back((self.out, p));
            self.qos0_bytes += p;
        }
    }

    /// The transport took `n` more bytes.
    pub fn sent(&mut self, n: usize) {
        self.sent = (self.sent + n as u64).min(self.out);
        while let Some(&(end, p)) = self.qos0.front() {
            if end > self.sent {
                break;
            }
            self.qos0.pop_front();
            self.qos0_bytes -= p;
        }
    }

    /// Bytes transmitted and not taken yet.
    pub fn bytes(&self) -> u64 {
        self.out - self.sent
    }

    /// QoS 0 PUBLISHes not taken yet, and their payload bytes.
    pub fn qos0(&self) -> (usize, usize) {
        (self.qos0.len(), self.qos0_bytes)
    }
}

/// Where a message for a session goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Admit {
    /// Send it now (QoS 0), or into the in-flight window (QoS 1/2).
    Send,
    /// Into the session's queue.
    Queue,
    /// Dropped: the client cannot keep up.
    Drop,
}

/// `a - b < max`, or no limit when `max` is 0.
fn under(a: usize, b: usize, max: usize) -> bool {
    max == 0 || a.saturating_sub(b) < max
}

impl BrokerConfig {
    /// Where `msg` goes for session `s`; `unsent` is what its connection's
    /// socket has not taken, `None` when the client is offline.
    pub(crate) fn admit(
        &self,
        s: &Session,
        msg: &Message,
        unsent: Option<&Unsent>,
        peer_window: usize,
    ) -> Admit {
        let (window, window_bytes) = (self.window(peer_window), self.max_inflight_bytes);
        let held = s.outgoing.len() + s.queue.len();
        let held_bytes = s.outgoing.payload_bytes() + s.queued_bytes;
        let Some(unsent) = unsent else {
            // Offline: nothing is in flight, so the window is not deducted.
            return if under(held, 0, self.max_queued_messages)
                && under(held_bytes, 0, self.max_queued_bytes)
            {
                Admit::Queue
            } else {
                Admit::Drop
            };
        };
        if msg.qos == QoS::AtMostOnce {
            let (n, bytes) = unsent.qos0();
            return if under(n + held, window, self.max_queued_messages)
                && under(bytes + held_bytes, window_bytes, self.max_queued_bytes)
            {
                Admit::Send
            } else {
                Admit::Drop
            };
        }
        let window_free = (window == 0 || s.outgoing.len() < window)
            && (window_bytes == 0 || s.outgoing.payload_bytes() < window_bytes);
        if s.queue.is_empty() && window_free {
            Admit::Send
        } else if under(held, window, self.max_queued_messages)
            && under(held_bytes, window_bytes, self.max_queued_bytes)
        {
            Admit::Queue
        } else {
            Admit::Drop
        }
    }

    /// Whether a session holding `held` QoS 2 messages (`held_bytes` of
    /// payload) between PUBREC and PUBREL may take one more. mosquitto 2.0 gives
    /// incoming messages a window of `max_inflight_messages` and a queue bounded
    /// as the outgoing one (`db__message_insert` with `msgs_in`), then drops them
    /// unacknowledged; here they are acknowledged while both together have room.
    /// Without it a client publishing QoS 2 and never releasing makes the broker
    /// keep up to 65,535 messages of any size.
    pub(crate) fn admits_incoming_qos2(&self, held: usize, held_bytes: usize) -> bool {
        (self.max_queued_messages == 0
            || held < self.max_inflight_messages + self.max_queued_messages)
            && (self.max_queued_bytes == 0
                || held_bytes < self.max_inflight_bytes + self.max_queued_bytes)
    }

    /// The in-flight window toward a client whose Receive Maximum is
    /// `peer_window`: `max_inflight_messages` (0 unbounded), at most that.
    pub(crate) fn window(&self, peer_window: usize) -> usize {
        match self.max_inflight_messages {
            0 => peer_window,
            w => w.min(peer_window),
        }
    }

    /// Whether a queued message may move into the window now.
    pub(crate) fn window_has_room(&self, s: &Session, peer_window: usize) -> bool {
        let window = self.window(peer_window);
        (window == 0 || s.outgoing.len() < window)
            && (self.max_inflight_bytes == 0
                || s.outgoing.payload_bytes() < self.max_inflight_bytes)
    }

    /// The limit a topic name or filter breaks, if any.
    pub(crate) fn topic_limit(&self, topic: &str) -> Option<Limit> {
        if self.max_topic_length > 0 && topic.len() > self.max_topic_length {
            return Some(Limit::TopicLength);
        }
        if self.max_topic_levels > 0 && topic.split('/').count() > self.max_topic_levels {
            return Some(Limit::TopicLevels);
        }
        None
    }
}

impl Broker {
    /// A client reached a limit: logged, counted, reported. `client_id` is its
    /// identifier, or its address before CONNECT.
    pub(super) fn limit_reached(
        &mut self,
        now: Instant,
        client_id: &str,
        limit: Limit,
        topic: Option<&str>,
    ) {
        let word = limit.config_word();
        let max = match limit {
            Limit::Queued => self.config.max_queued_messages,
            Limit::RetainedMessages => self.config.max_retained_messages,
            Limit::RetainedBytes => self.config.max_retained_bytes,
            Limit::SubscriptionsPerClient => self.config.max_subscriptions_per_client,
            Limit::TopicLength => self.config.max_topic_length,
            Limit::TopicLevels => self.config.max_topic_levels,
            Limit::ConnectionsPerAddress => self.config.max_connections_per_address,
            Limit::MessageRate => self
                .config
                .max_message_rate
                .map_or(0, |r| r.per_second as usize),
        };
        match limit {
            Limit::Queued => {}
            Limit::RetainedMessages | Limit::RetainedBytes => {
                self.stats.retained_refused += 1;
                let topic = topic.unwrap_or_default();
                self.log(now, || {
                    format!("Retained message from {client_id} on '{topic}' not stored: {word} ({max}) reached.")
                });
            }
            Limit::SubscriptionsPerClient => {
                self.stats.subscriptions_refused += 1;
                let topic = topic.unwrap_or_default();
                self.log(now, || {
                    format!(
                        "Subscription of {client_id} to '{topic}' denied: {word} ({max}) reached."
                    )
                });
            }
            Limit::TopicLength | Limit::TopicLevels => {
                self.log(now, || {
                    format!("Topic from {client_id} refused: longer than {word} ({max}).")
                });
            }
            Limit::ConnectionsPerAddress => {
                self.stats.connections_refused += 1;
                self.log(now, || {
                    format!("Client connection from {client_id} denied: {word} ({max}) reached.")
                });
            }
            Limit::MessageRate => {
                self.stats.rate_limited += 1;
                self.log(now, || {
                    format!("Client {client_id} disconnected: {word} ({max}/s) exceeded.")
                });
            }
        }
        let conn = self.sessions.get(client_id).and_then(|s| s.conn);
        let known = self.sessions.contains_key(client_id);
        self.event(|| BrokerEvent::LimitReached {
            conn,
            client_id: known.then(|| client_id.to_owned()),
            limit,
            topic: topic.map(str::to_owned),
        });
    }

    /// Closes a connection whose PUBLISH or will broke a topic limit.
    pub(super) fn close_for_topic(
        &mut self,
        now: Instant,
        conn: ConnId,
        limit: Limit,
        topic: &str,
    ) {
        let Some(c) = self.conns.get(&conn) else {
            return;
        };
        let name = c.client_id.clone().unwrap_or_else(|| c.peer.ip.clone());
        self.stats.topics_refused += 1;
        self.limit_reached(now, &name, limit, Some(topic));
        self.end_connection(now, conn, CloseReason::Limit(limit));
    }

    /// Takes a token from `conn`'s PUBLISH bucket (`rate.rs`). `false` when
    /// there was none: the connection has been closed, a 5.0 client told
    /// DISCONNECT 0x96 first, and the PUBLISH must not be handled.
    pub(super) fn admit_publish(&mut self, now: Instant, conn: ConnId) -> bool {
        let Some(limit) = self.config.max_message_rate else {
            return true;
        };
        let Some(c) = self.conns.get_mut(&conn) else {
            return false;
        };
        if c.bucket
            .get_or_insert_with(|| Box::new(super::rate::Bucket::full(now, limit)))
            .take(now, limit)
        {
            return true;
        }
        let name = c.log_name().to_owned();
        let why = format!(
            "more than {} PUBLISH a second (max_message_rate, burst {})",
            limit.per_second, limit.burst
        );
        self.send_disconnect(
            now,
            conn,
            crate::codec::reason_codes::DisconnectReasonCode::MessageRateTooHigh,
            Some(why),
        );
        self.limit_reached(now, &name, Limit::MessageRate, None);
        self.end_connection(now, conn, CloseReason::Limit(Limit::MessageRate));
        false
    }

    /// Whether a new connection from `peer` is one too many from its address;
    /// if so it is refused (logged, counted, closed).
    pub(super) fn too_many_from(&mut self, now: Instant, conn: ConnId, peer: &PeerAddr) -> bool {
        let max = self.config.max_connections_per_address;
        if max == 0 || self.conns.values().filter(|c| c.peer.ip == peer.ip).count() < max {
            return false;
        }
        self.limit_reached(now, &peer.ip, Limit::ConnectionsPerAddress, None);
        self.out.push_back(super::Output::Close {
            conn,
            reason: CloseReason::Limit(Limit::ConnectionsPerAddress),
        });
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsent_qos0_publishes_leave_as_their_bytes_are_taken() {
        let mut u = Unsent::default();
        u.transmitted(4, None); // CONNACK
        u.transmitted(10, Some(5));
        u.transmitted(10, Some(5));
        assert_eq!(u.qos0(), (2, 10));
        u.sent(13);
        assert_eq!(u.qos0(), (2, 10), "the first is not all out");
        u.sent(1);
        assert_eq!(u.qos0(), (1, 5));
        u.sent(100);
        assert_eq!((u.qos0(), u.bytes()), ((0, 0), 0));
    }

    #[test]
    fn topic_limits() {
        let c = BrokerConfig {
            max_topic_length: 8,
            max_topic_levels: 3,
            ..BrokerConfig::default()
        };
        assert_eq!(c.topic_limit("a/b/c"), None);
        assert_eq!(c.topic_limit("a/b/c/d"), Some(Limit::TopicLevels));
        assert_eq!(c.topic_limit("abcdefghi"), Some(Limit::TopicLength));
        let d = BrokerConfig::default();
        assert_eq!(d.topic_limit(&"a/".repeat(200)), None, "201 levels");
        assert_eq!(
            d.topic_limit(&"a/".repeat(201)),
            Some(Limit::TopicLevels),
            "mosquitto refuses more than 200 separators"
        );
    }
}
