//! The incoming leg: PUBLISH from a client at QoS 0, 1 and 2, and PUBREL, which
//! releases a held QoS 2 message exactly once (§4.3). A 5.0 client's PUBLISH
//! may stand for its topic by an alias (`topic_alias.rs`), must keep within the
//! broker's Receive Maximum, Maximum QoS and Retain Available, and is
//! acknowledged with a reason code: 0x10 when nobody subscribes, 0x87 when the
//! ACL refuses it.

use crate::codec::properties::ReasonString;
use crate::codec::reason_codes::{
    DisconnectReasonCode, PubackReasonCode, PubcompReasonCode, PubrecReasonCode, PubrelReasonCode,
};
use crate::codec::{v5, QosPid};
use crate::time::Instant;

use super::{log, Broker, BrokerEvent, ConnId, DropReason, Message};

impl Broker {
    pub(super) fn on_publish(
        &mut self,
        now: Instant,
        conn: ConnId,
        client_id: &str,
        p: v5::Publish,
    ) {
        if !self.admit_publish(now, conn) {
            return;
        }
        let topic = match self.resolve_alias(conn, &p) {
            Ok(t) => t,
            Err(why) => {
                return self.close_with(
                    now,
                    conn,
                    DisconnectReasonCode::TopicAliasInvalid,
                    why.to_owned(),
                    "MQTT-3.3.2-7",
                );
            }
        };
        if let Some(limit) = self.config.topic_limit(topic.as_str()) {
            return self.close_for_topic(now, conn, limit, topic.as_str());
        }
        let v5 = self.conns.get(&conn).is_some_and(|c| c.is_v5());
        if v5 {
            if p.qospid.qos() > self.config.v5.maximum_qos {
                return self.close_with(
                    now,
                    conn,
                    DisconnectReasonCode::QosNotSupported,
                    format!("QoS {} is above the Maximum QoS", p.qospid.qos()),
                    "MQTT-3.2.2-11",
                );
            }
            if p.retain && !self.config.v5.retain_available {
                return self.close_with(
                    now,
                    conn,
                    DisconnectReasonCode::RetainNotSupported,
                    "retained messages are not available".into(),
                    "MQTT-3.2.2-14",
                );
            }
            if let QosPid::ExactlyOnce(pid) = p.qospid {
                let held = self.sessions.get(client_id).map_or(0, |s| {
                    if s.incoming.holds(pid) {
                        0
                    } else {
                        s.incoming.load().0
                    }
                });
                if held >= usize::from(self.config.v5.receive_maximum) {
                    return self.close_with(
                        now,
                        conn,
                        DisconnectReasonCode::ReceiveMaximumExceeded,
                        format!(
                            "more than Receive Maximum ({}) QoS 2 PUBLISHes unacknowledged",
                            self.config.v5.receive_maximum
                        ),
                        "MQTT-3.3.4-9",
                    );
                }
            }
        }
        let username = self.conns.get(&conn).and_then(|c| c.username.clone());
        let allowed = self
            .config
            .acl
            .as_ref()
            .is_none_or(|acl| acl.may_publish(client_id, username.as_deref(), &topic));
        if !allowed {
            // mosquitto acknowledges a denied publish so the client does not resend
            // it forever, and delivers nothing.
            self.log(now, || {
                log::publish_line("Denied PUBLISH from", client_id, &p, topic.as_str())
            });
            self.event(|| BrokerEvent::PublishDenied {
                client_id: client_id.to_owned(),
                topic: topic.clone(),
            });
        } else {
            self.log(now, || {
                log::publish_line("Received PUBLISH from", client_id, &p, topic.as_str())
            });
        }
        let msg = Message::from_publish(&p, topic, now);
        match p.qospid {
            QosPid::AtMostOnce => {
                if allowed {
                    self.route(now, client_id, msg);
                }
            }
            QosPid::AtLeastOnce(pid) if allowed => {
                let hold = self.begin_hold(conn);
                self.routing_hold = hold;
                self.held_copies = 0;
                let receivers = self.route(now, client_id, msg);
                self.routing_hold = None;
                let waiting = std::mem::take(&mut self.held_copies);
                // A 5.0 publisher learns that nobody subscribes (0x10); mosquitto
                // 2.0.11 says so too.
                let reason = if v5 && receivers == 0 {
                    PubackReasonCode::NoMatchingSubscribers
                } else {
                    PubackReasonCode::Success
                };
                let ack = self.ack_for(conn, pid, reason);
                self.ack_or_owe(now, conn, client_id, ack, hold, waiting);
            }
            QosPid::AtLeastOnce(pid) => {
                // mosquitto 2.0 logs the MQTT 5 reason code (135, not authorized)
                // even though a 3.1.1 PUBACK carries none.
                let ack = self.ack_for(conn, pid, PubackReasonCode::NotAuthorized);
                self.send(now, conn, client_id, v5::Packet::Puback(ack));
            }
            QosPid::ExactlyOnce(pid) => {
                let full = self.sessions.get(client_id).is_some_and(|s| {
                    let (held, bytes) = s.incoming.load();
                    !s.incoming.holds(pid) && !self.config.admits_incoming_qos2(held, bytes)
                });
                if full {
                    // Unacknowledged, as mosquitto drops it: the client keeps it
                    // and sends it again on reconnection.
                    return self.drop_message(now, client_id, msg, DropReason::QueueFull);
                }
                // A 5.0 publisher refused by the ACL gets PUBREC 0x87 and the
                // exchange ends there (MQTT-4.3.3-4 lets an error PUBREC end it);
                // a 3.1.1 one gets PUBREC and its message is discarded at PUBREL.
                let reason = if !allowed {
                    PubrecReasonCode::NotAuthorized
                } else if v5 && !self.subs.any_match(&msg.topic, client_id) {
                    // mosquitto 2.0.11 answers 0 here (it routes at PUBREL);
                    // 5.0 allows 0x10 (§3.5.2.1), and the subscribers known
                    // now are those it will be routed to unless one subscribes
                    // before PUBREL.
                    PubrecReasonCode::NoMatchingSubscribers
                } else {
                    PubrecReasonCode::Success
                };
                let fresh = if v5 && !allowed {
                    true
                } else {
                    self.sessions
                        .get_mut(client_id)
                        .is_some_and(|s| s.incoming.receive(pid, allowed.then_some(msg)))
                };
                if !fresh {
                    self.event(|| BrokerEvent::DuplicateQos2 {
                        client_id: client_id.to_owned(),
                        pid,
                    });
                }
                let ack = self.ack_for(conn, pid, reason);
                self.send(now, conn, client_id, v5::Packet::Pubrec(ack));
            }
        }
    }

    pub(super) fn on_pubrel(
        &mut self,
        now: Instant,
        conn: ConnId,
        client_id: &str,
        a: v5::Ack<PubrelReasonCode>,
    ) {
        let pid = a.pid;
        self.log(now, || {
            format!("Received PUBREL from {client_id} (Mid: {pid})")
        });
        let released = self
            .sessions
            .get_mut(client_id)
            .and_then(|s| s.incoming.release(pid));
        let known = released.is_some();
        if let Some(Some(msg)) = released {
            if !msg.is_expired(now) {
                self.route(now, client_id, msg);
            }
        }
        // PUBCOMP also for an id not held: the client may be resending PUBREL after
        // a lost PUBCOMP (MQTT-4.3.3-2). A 5.0 client learns it was not held
        // (0x92); mosquitto 2.0.11 answers 0x92 too.
        let reason = if known {
            PubcompReasonCode::Success
        } else {
            PubcompReasonCode::PacketIdentifierNotFound
        };
        let ack = self.ack_for(conn, pid, reason);
        self.send(now, conn, client_id, v5::Packet::Pubcomp(ack));
    }

    /// An acknowledgement with a reason code, and a reason string for an error
    /// unless the client turned problem information off. Success goes without
    /// its byte, as mosquitto sends it.
    pub(super) fn ack_for<R: v5::Reason>(
        &self,
        conn: ConnId,
        pid: crate::codec::Pid,
        reason: R,
    ) -> v5::Ack<R> {
        let problem = self
            .conns
            .get(&conn)
            .is_some_and(|c| c.peer_limits.problem_information);
        let code = reason.to_u8();
        let properties =
            (code >= 0x80 && problem).then(|| vec![ReasonString(reason.label().to_owned()).into()]);
        v5::Ack {
            pid,
            reason: (code != 0 || properties.is_some()).then_some(reason),
            properties,
        }
    }
}
