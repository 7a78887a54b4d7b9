//! The incoming leg: PUBLISH from a client at QoS 0, 1 and 2, and PUBREL, which
//! releases a held QoS 2 message exactly once (§4.3).

use crate::codec::{Packet, Pid, Publish, QosPid};
use crate::time::Instant;

use super::{log, Broker, BrokerEvent, ConnId, DropReason, Message};

impl Broker {
    pub(super) fn on_publish(&mut self, now: Instant, conn: ConnId, client_id: &str, p: Publish) {
        if let Some(limit) = self.config.topic_limit(p.topic.as_str()) {
            return self.close_for_topic(now, conn, limit, p.topic.as_str());
        }
        let username = self.conns.get(&conn).and_then(|c| c.username.clone());
        let allowed = self
            .config
            .acl
            .as_ref()
            .is_none_or(|acl| acl.may_publish(client_id, username.as_deref(), &p.topic));
        if !allowed {
            // mosquitto acknowledges a denied publish so the client does not resend
            // it forever, and delivers nothing.
            self.log(now, || {
                format!(
                    "Denied PUBLISH from {client_id} {}",
                    log::publish_details(&p)
                )
            });
            self.event(BrokerEvent::PublishDenied {
                client_id: client_id.to_owned(),
                topic: p.topic.clone(),
            });
        } else {
            self.log(now, || {
                format!(
                    "Received PUBLISH from {client_id} {}",
                    log::publish_details(&p)
                )
            });
        }
        let msg = Message::from_publish(&p);
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
                self.route(now, client_id, msg);
                self.routing_hold = None;
                let waiting = std::mem::take(&mut self.held_copies);
                self.ack_or_owe(now, conn, client_id, pid, hold, waiting);
            }
            QosPid::AtLeastOnce(pid) => {
                // mosquitto 2.0 logs the MQTT 5 reason code (135, not authorized)
                // even though a 3.1.1 PUBACK carries none.
                self.log(now, || {
                    format!("Sending PUBACK to {client_id} (m{pid}, rc135)")
                });
                self.transmit(conn, Packet::Puback(pid));
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
                let fresh = self
                    .sessions
                    .get_mut(client_id)
                    .is_some_and(|s| s.incoming.receive(pid, allowed.then_some(msg)));
                if !fresh {
                    self.event(BrokerEvent::DuplicateQos2 {
                        client_id: client_id.to_owned(),
                        pid,
                    });
                }
                if allowed {
                    self.send(now, conn, client_id, Packet::Pubrec(pid));
                } else {
                    // As for PUBACK: mosquitto logs reason code 135.
                    self.log(now, || {
                        format!("Sending PUBREC to {client_id} (m{pid}, rc135)")
                    });
                    self.transmit(conn, Packet::Pubrec(pid));
                }
            }
        }
    }

    pub(super) fn on_pubrel(&mut self, now: Instant, conn: ConnId, client_id: &str, pid: Pid) {
        self.log(now, || {
            format!("Received PUBREL from {client_id} (Mid: {pid})")
        });
        let released = self
            .sessions
            .get_mut(client_id)
            .and_then(|s| s.incoming.release(pid));
        if let Some(Some(msg)) = released {
            self.route(now, client_id, msg);
        }
        // PUBCOMP also for an id not held: the client may be resending PUBREL after
        // a lost PUBCOMP (MQTT-4.3.3-2).
        self.send(now, conn, client_id, Packet::Pubcomp(pid));
    }
}
