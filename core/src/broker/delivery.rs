//! The outgoing leg: routing a message to subscribers, the in-flight window and
//! queue of each session, acknowledgements from subscribers, and resends.

use crate::codec::reason_codes::{PubackReasonCode, PubcompReasonCode, PubrecReasonCode};
use crate::codec::{v5, PacketType, Pid, QoS};
use crate::time::Instant;

use super::limits::Admit;
use super::log;
use super::{
    Broker, BrokerEvent, ConnId, DropReason, Message, OutStage, Outgoing, ResendReason, Timer,
};

impl Broker {
    /// Stores the message if retained, then delivers it to every matching session
    /// once, at min(publish QoS, highest granted QoS), with RETAIN=0
    /// (MQTT-3.3.1-9). Returns how many sessions it went to.
    pub(super) fn route(&mut self, now: Instant, publisher: &str, msg: Message) -> usize {
        if let Some(tree) = &mut self.topics {
            tree.record(now, msg.topic.as_str(), &msg.payload, msg.retain);
        }
        let refused = msg.retain.then(|| {
            self.retained.refuses(
                &msg,
                self.config.max_retained_messages,
                self.config.max_retained_bytes,
            )
        });
        if let Some(Some(limit)) = refused {
            self.limit_reached(now, publisher, limit, Some(msg.topic.as_str()));
        } else if msg.retain {
            let change = self.retained.store(&msg);
            if change != super::RetainChange::Nothing {
                self.event(|| BrokerEvent::RetainedChanged {
                    topic: msg.topic.clone(),
                    change,
                });
            }
        }
        let mut receivers = self.subs.matches(&msg.topic, publisher);
        receivers.retain(|client_id, _| self.may_read(client_id, &msg.topic));
        let sessions = &self.sessions;
        let mut shared = self.subs.pick_shared(&msg.topic, |c| {
            sessions.get(c).is_some_and(|s| s.conn.is_some())
        });
        shared.retain(|(client_id, _)| self.may_read(client_id, &msg.topic));
        let n = receivers.len() + shared.len();
        self.message_event(|| BrokerEvent::Published {
            client_id: publisher.to_owned(),
            topic: msg.topic.clone(),
            qos: msg.qos,
            retain: msg.retain,
            receivers: n,
        });
        // The copies share their PUBLISH's encoding where they are the same
        // packet (encoding.rs).
        self.encodings.begin();
        for (client_id, m) in receivers.into_iter().chain(shared) {
            let copy = Message {
                qos: msg.qos.min(m.qos),
                // RETAIN=0 but with Retain As Published (MQTT-3.3.1-12, -13).
                retain: msg.retain && m.retain_as_published,
                subscription_ids: m.ids,
                shared: m.shared,
                ..msg.clone()
            };
            self.deliver(now, &client_id, copy);
        }
        self.encodings.end();
        n
    }

    /// The in-flight window toward a session's client: the broker's
    /// `max_inflight_messages`, and at most the client's Receive Maximum
    /// (MQTT-3.3.4-9).
    pub(super) fn peer_window(&self, s: &super::Session) -> usize {
        s.conn
            .and_then(|c| self.conns.get(&c))
            .map_or(usize::from(u16::MAX), |c| {
                usize::from(c.peer_limits.receive_maximum)
            })
    }

    /// Whether the ACL lets the session receive a message on `topic` (a
    /// subscription may cover topics it may not read: `acl.rs`). A withheld
    /// message is not logged, as mosquitto does not log it; it is an event.
    pub(super) fn may_read(&mut self, client_id: &str, topic: &crate::topic::TopicName) -> bool {
        let Some(acl) = &self.config.acl else {
            return true;
        };
        let username = self
            .sessions
            .get(client_id)
            .and_then(|s| s.username.as_deref());
        let ok = acl.may_read(client_id, username, topic);
        if !ok {
            self.event(|| BrokerEvent::DeliveryDenied {
                client_id: client_id.to_owned(),
                topic: topic.clone(),
            });
        }
        ok
    }

    /// Sends a message to a session now if it can, else queues it, else (the
    /// client cannot keep up) drops it: the rules are in `limits.rs`.
    pub(super) fn deliver(&mut self, now: Instant, client_id: &str, msg: Message) {
        let Some(s) = self.sessions.get(client_id) else {
            return;
        };
        let conn = s.conn;
        if msg.is_expired(now) {
            return self.event(|| BrokerEvent::Expired {
                client_id: client_id.to_owned(),
                topic: msg.topic,
            });
        }
        if conn.is_none() && msg.qos == QoS::AtMostOnce && !self.config.queue_qos0 {
            return self.event(|| BrokerEvent::Dropped {
                client_id: client_id.to_owned(),
                topic: msg.topic,
                reason: DropReason::Qos0Offline,
            });
        }
        let unsent = conn.and_then(|c| self.conns.get(&c)).map(|c| c.unsent());
        let peer = self.peer_window(s);
        match (self.config.admit(s, &msg, unsent, peer), conn) {
            (Admit::Send, Some(conn)) if msg.qos == QoS::AtMostOnce => {
                self.send_publish(now, conn, client_id, &msg, None, false);
            }
            (Admit::Send, Some(conn)) => self.send_new(now, conn, client_id, msg),
            (Admit::Send | Admit::Queue, _) => self.enqueue(client_id, msg),
            (Admit::Drop, _) => {
                let reason = if conn.is_some() && msg.qos == QoS::AtMostOnce {
                    DropReason::TooSlow
                } else {
                    DropReason::QueueFull
                };
                self.drop_message(now, client_id, msg, reason);
            }
        }
    }

    /// A retained message sent on SUBSCRIBE: the answer to the client's own
    /// request, bounded by the retained store (and its limits), so at QoS 0 it
    /// goes out whatever waits for the client's socket (mosquitto writes it to
    /// the socket at once); at QoS 1/2 it takes the window and queue as any
    /// message.
    pub(super) fn deliver_retained(&mut self, now: Instant, client_id: &str, msg: Message) {
        match self.sessions.get(client_id).and_then(|s| s.conn) {
            Some(conn) if msg.qos == QoS::AtMostOnce => {
                self.send_publish(now, conn, client_id, &msg, None, false);
            }
            _ => self.deliver(now, client_id, msg),
        }
    }

    /// Drops a message a client cannot take: logged once per run of drops, as
    /// mosquitto logs it, and counted.
    pub(super) fn drop_message(
        &mut self,
        now: Instant,
        client_id: &str,
        msg: Message,
        reason: DropReason,
    ) {
        let Some(s) = self.sessions.get_mut(client_id) else {
            return;
        };
        s.dropped += 1;
        self.stats.messages_dropped += 1;
        let first = !s.dropping;
        s.dropping = true;
        if first {
            self.log(now, || {
                format!("Outgoing messages are being dropped for client {client_id}.")
            });
        }
        self.event(|| BrokerEvent::Dropped {
            client_id: client_id.to_owned(),
            topic: msg.topic,
            reason,
        });
    }

    /// A run of drops ends when nothing waits for the client any more.
    fn backlog_cleared(&mut self, client_id: &str) {
        let Some(s) = self.sessions.get_mut(client_id) else {
            return;
        };
        let unsent = s
            .conn
            .and_then(|c| self.conns.get(&c))
            .map_or(0, |c| c.unsent().qos0().0);
        if s.queue.is_empty() && unsent == 0 {
            s.dropping = false;
        }
    }

    /// Puts a QoS 1/2 message in the window under a fresh packet id and sends it.
    fn send_new(&mut self, now: Instant, conn: ConnId, client_id: &str, msg: Message) {
        let Some(s) = self.sessions.get_mut(client_id) else {
            return;
        };
        let Some(pid) = s.outgoing.alloc_pid() else {
            return self.event(|| BrokerEvent::Dropped {
                client_id: client_id.to_owned(),
                topic: msg.topic,
                reason: DropReason::NoPacketId,
            });
        };
        let stage = if msg.qos == QoS::ExactlyOnce {
            OutStage::AwaitPubrec
        } else {
            OutStage::AwaitPuback
        };
        // A PUBLISH larger than the client's Maximum Packet Size is not sent,
        // and counts as delivered (MQTT-3.1.2-25).
        if !self.send_publish(now, conn, client_id, &msg, Some(pid), false) {
            return;
        }
        let Some(s) = self.sessions.get_mut(client_id) else {
            return;
        };
        s.outgoing.push(Outgoing {
            pid,
            msg,
            stage,
            sent_at: now,
        });
        self.sync_resend_timer(client_id);
    }

    fn send_publish(
        &mut self,
        now: Instant,
        conn: ConnId,
        client_id: &str,
        msg: &Message,
        pid: Option<Pid>,
        dup: bool,
    ) -> bool {
        let mut publish = msg.to_publish(pid, dup, now);
        self.message_event(|| BrokerEvent::Delivered {
            client_id: client_id.to_owned(),
            topic: msg.topic.clone(),
            qos: publish.qospid.qos(),
            pid: publish.qospid.pid(),
            dup: publish.dup,
            retain: publish.retain,
        });
        // The log names the topic even when the PUBLISH carries an alias.
        let line = self
            .config
            .log
            .then(|| log::sending_publish(client_id, &publish, msg.topic.as_str()));
        let alias = self.alias_out(conn, &mut publish);
        if let Some(line) = line {
            self.log(now, || line);
        }
        let sent = self.transmit(now, conn, v5::Packet::Publish(publish));
        if !sent {
            self.forget_new_alias(conn, alias);
        }
        sent
    }

    /// Queues a message (`admit` said there is room).
    fn enqueue(&mut self, client_id: &str, msg: Message) {
        let Some(s) = self.sessions.get_mut(client_id) else {
            return;
        };
        let topic = msg.topic.clone();
        // Only a connected subscriber holds back the publisher (see flow.rs).
        let hold = self.routing_hold.filter(|_| s.conn.is_some());
        if hold.is_some() {
            self.held_copies += 1;
        }
        s.holds.pushed(hold);
        s.push_queued(msg);
        let queued = s.queue.len();
        self.message_event(|| BrokerEvent::Queued {
            client_id: client_id.to_owned(),
            topic,
            queued,
        });
    }

    /// Moves queued messages into the window while the client is connected and the
    /// window has room.
    pub(super) fn drain_queue(&mut self, now: Instant, client_id: &str) {
        loop {
            let Some(s) = self.sessions.get(client_id) else {
                return;
            };
            let Some(conn) = s.conn else {
                return;
            };
            let peer = self.peer_window(s);
            let Some(s) = self.sessions.get_mut(client_id) else {
                return;
            };
            if !self.config.window_has_room(s, peer) {
                return;
            }
            let Some(msg) = s.pop_queued() else {
                return self.backlog_cleared(client_id);
            };
            if let Some(hold) = s.holds.popped() {
                self.release_hold(now, hold);
            }
            if msg.is_expired(now) {
                // Expired while queued: never delivered (MQTT-3.3.2-5).
                self.event(|| BrokerEvent::Expired {
                    client_id: client_id.to_owned(),
                    topic: msg.topic,
                });
                continue;
            }
            if msg.qos == QoS::AtMostOnce {
                self.send_publish(now, conn, client_id, &msg, None, false);
            } else {
                self.send_new(now, conn, client_id, msg);
            }
        }
    }

    /// The transport of `conn` took `n` more bytes (with
    /// [`socket_feedback`](super::BrokerConfig::socket_feedback)).
    pub(super) fn sent(&mut self, conn: ConnId, n: usize) {
        let Some(c) = self.conns.get_mut(&conn) else {
            return;
        };
        c.sent(n);
        if let Some(id) = c.client_id.clone() {
            self.backlog_cleared(&id);
        }
    }

    /// Resends unacknowledged deliveries: all of them (`older_than` = `None`, on
    /// session resumption), or those sent at or before `older_than`.
    pub(super) fn resend(
        &mut self,
        now: Instant,
        conn: ConnId,
        client_id: &str,
        older_than: Option<Instant>,
        reason: ResendReason,
    ) {
        let Some(s) = self.sessions.get_mut(client_id) else {
            return;
        };
        let mut todo = Vec::new();
        for o in s.outgoing.iter_mut() {
            if older_than.is_none_or(|t| o.sent_at <= t) {
                o.sent_at = now;
                todo.push(o.clone());
            }
        }
        for o in todo {
            let packet = if o.stage == OutStage::AwaitPubcomp {
                let rel = v5::Ack {
                    pid: o.pid,
                    reason: None,
                    properties: None,
                };
                self.send(now, conn, client_id, v5::Packet::Pubrel(rel));
                PacketType::Pubrel
            } else {
                self.send_publish(now, conn, client_id, &o.msg, Some(o.pid), true);
                PacketType::Publish
            };
            self.event(|| BrokerEvent::Resent {
                client_id: client_id.to_owned(),
                packet,
                pid: o.pid,
                reason,
            });
        }
        self.sync_resend_timer(client_id);
    }

    /// Teaching mode: resends what has waited `resend_timeout` for an ack.
    pub(super) fn resend_overdue(&mut self, now: Instant, conn: ConnId) {
        let (Some(timeout), Some(client_id)) = (
            self.config.resend_timeout,
            self.conns.get(&conn).and_then(|c| c.client_id.clone()),
        ) else {
            return;
        };
        self.resend(
            now,
            conn,
            &client_id,
            Some(now - timeout),
            ResendReason::AckTimeout,
        );
    }

    /// Arms or disarms the connection's resend timer after the window changed.
    pub(super) fn sync_resend_timer(&mut self, client_id: &str) {
        let Some(timeout) = self.config.resend_timeout else {
            return;
        };
        let Some(s) = self.sessions.get(client_id) else {
            return;
        };
        let deadline = s.outgoing.earliest_sent().map(|t| t + timeout);
        let Some(conn) = s.conn else {
            return;
        };
        let Some(c) = self.conns.get_mut(&conn) else {
            return;
        };
        match deadline {
            Some(at) => c.timers.set(Timer::Resend, at),
            None => c.timers.clear(Timer::Resend),
        }
        self.reschedule(conn);
    }

    fn completed(&mut self, now: Instant, client_id: &str, done: Option<Outgoing>) {
        if let Some(o) = done {
            self.message_event(|| BrokerEvent::Acknowledged {
                client_id: client_id.to_owned(),
                pid: o.pid,
                qos: o.msg.qos,
            });
            self.sync_resend_timer(client_id);
            self.drain_queue(now, client_id);
        }
    }

    pub(super) fn on_puback(
        &mut self,
        now: Instant,
        client_id: &str,
        a: v5::Ack<PubackReasonCode>,
    ) {
        let (pid, rc) = (a.pid, a.reason.map_or(0, |r| r.as_u8()));
        self.log(now, || {
            format!("Received PUBACK from {client_id} (Mid: {pid}, RC:{rc})")
        });
        let done = self
            .sessions
            .get_mut(client_id)
            .and_then(|s| s.outgoing.puback(pid));
        self.completed(now, client_id, done);
    }

    /// PUBREC: PUBREL follows, unless the reason is an error, which ends the
    /// delivery there (MQTT-4.3.3-4 lets the sender forget it).
    pub(super) fn on_pubrec(
        &mut self,
        now: Instant,
        conn: ConnId,
        client_id: &str,
        a: v5::Ack<PubrecReasonCode>,
    ) {
        let pid = a.pid;
        self.log(now, || {
            format!("Received PUBREC from {client_id} (Mid: {pid})")
        });
        if a.reason.is_some_and(|r| r.is_error()) {
            let done = self.sessions.get_mut(client_id).and_then(|s| {
                s.outgoing
                    .pubrec(pid, now)
                    .then(|| s.outgoing.pubcomp(pid))?
            });
            return self.completed(now, client_id, done);
        }
        let known = self
            .sessions
            .get_mut(client_id)
            .is_some_and(|s| s.outgoing.pubrec(pid, now));
        if known {
            let rel = v5::Ack {
                pid,
                reason: None,
                properties: None,
            };
            self.send(now, conn, client_id, v5::Packet::Pubrel(rel));
            self.sync_resend_timer(client_id);
        }
    }

    pub(super) fn on_pubcomp(
        &mut self,
        now: Instant,
        client_id: &str,
        a: v5::Ack<PubcompReasonCode>,
    ) {
        let (pid, rc) = (a.pid, a.reason.map_or(0, |r| r.as_u8()));
        self.log(now, || {
            format!("Received PUBCOMP from {client_id} (Mid: {pid}, RC:{rc})")
        });
        let done = self
            .sessions
            .get_mut(client_id)
            .and_then(|s| s.outgoing.pubcomp(pid));
        self.completed(now, client_id, done);
    }
}
