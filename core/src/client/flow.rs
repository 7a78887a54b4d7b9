//! How the client answers each packet and timer: the CONNACK handshake, QoS 1 and
//! 2 in both directions (§4.3), the in-flight window, resends (§4.4), keep alive.

use super::session::{self, OutgoingState, PendingRequest};
use super::{
    Client, ClientEvent, ConnectionState, DisconnectReason, Message, ProtocolError, Qos2Delivery,
    Queued, ResendPolicy, Timer,
};
use crate::codec::properties::Property;
use crate::codec::{self, Packet, Pid, Publish, QoS, QosPid};
use crate::time::Instant;

impl Client {
    pub(super) fn on_connack(&mut self, now: Instant, ack: codec::Connack) {
        self.timers.stop(Timer::Connect);
        if ack.code != codec::ConnectReturnCode::Accepted {
            self.events
                .push_back(ClientEvent::ConnectionRefused(ack.code));
            self.close(DisconnectReason::Refused(ack.code));
            return;
        }
        self.accept(now, ack.session_present);
    }

    /// CONNACK accepted the connection (either level).
    pub(super) fn accept(&mut self, now: Instant, session_present: bool) {
        let ack = codec::Connack {
            session_present,
            code: codec::ConnectReturnCode::Accepted,
        };
        self.state = ConnectionState::Connected;
        if !ack.session_present {
            // The broker has no session, so no QoS 2 message to us is half done:
            // ids held from before would swallow new messages that reuse them.
            self.session.incoming_qos2.clear();
            self.session.held_qos2.clear();
        }
        self.events.push_back(ClientEvent::Connected {
            session_present: ack.session_present,
        });
        self.arm_keep_alive(now);
        // MQTT-4.4.0-1: resend unacknowledged PUBLISH (DUP=1) and PUBREL, in their
        // original order. We resend whatever session_present says: a broker that
        // lost the session acknowledges them anyway.
        let mut resent = Vec::new();
        for o in self.session.outgoing.iter_mut() {
            let packet = match o.state {
                OutgoingState::Queued => continue,
                OutgoingState::AwaitPuback | OutgoingState::AwaitPubrec => {
                    let p = session::publish_for_send(o);
                    o.ever_sent = true;
                    Queued::with(Packet::Publish(p), o.properties.clone())
                }
                OutgoingState::AwaitPubcomp => Packet::Pubrel(o.pid()).into(),
            };
            o.sent_at = Some(now);
            resent.push((o.pid(), packet));
        }
        self.resend(now, resent);
        while let Some(p) = self.held.pop_front() {
            self.send(now, p);
        }
        self.pump(now);
    }

    pub(super) fn on_packet(&mut self, now: Instant, packet: Packet) {
        match packet {
            Packet::Connack(_) => self.protocol_error(ProtocolError::DuplicateConnack),
            Packet::Publish(p) => self.on_publish(now, p, Vec::new()),
            Packet::Puback(pid) => {
                self.complete(now, pid, OutgoingState::AwaitPuback, QoS::AtLeastOnce)
            }
            Packet::Pubrec(pid) => {
                let state = self.session.outgoing_mut(pid).map(|o| o.state);
                match state {
                    Some(OutgoingState::AwaitPubrec) | Some(OutgoingState::AwaitPubcomp) => {
                        if let Some(o) = self.session.outgoing_mut(pid) {
                            o.state = OutgoingState::AwaitPubcomp;
                            o.sent_at = Some(now);
                        }
                        if state == Some(OutgoingState::AwaitPubrec) {
                            self.events.push_back(ClientEvent::Received { pid });
                        }
                        self.send(now, Packet::Pubrel(pid));
                        self.arm_resend();
                    }
                    _ => {}
                }
            }
            Packet::Pubcomp(pid) => {
                self.complete(now, pid, OutgoingState::AwaitPubcomp, QoS::ExactlyOnce)
            }
            Packet::Pubrel(pid) => {
                // Answer even an unknown id: our PUBCOMP may have been lost before
                // a reconnect (§4.3.3).
                // libmosquitto queues PUBCOMP, then hands a held message over.
                self.send(now, Packet::Pubcomp(pid));
                if self.session.incoming_qos2.remove(&pid) {
                    if let Some(m) = self.session.held_qos2.remove(&pid) {
                        self.events.push_back(ClientEvent::Message(m));
                    }
                    self.events.push_back(ClientEvent::Released { pid });
                }
            }
            Packet::Suback(ack) => match self.session.take_request(ack.pid) {
                Some(PendingRequest::Subscribe(n)) if n != ack.return_codes.len() => self
                    .protocol_error(ProtocolError::SubackCountMismatch {
                        expected: n,
                        got: ack.return_codes.len(),
                    }),
                Some(PendingRequest::Subscribe(_)) => {
                    self.events.push_back(ClientEvent::Subscribed {
                        pid: ack.pid,
                        granted: ack.return_codes,
                    })
                }
                Some(other) => self.session.requests.push((ack.pid, other)),
                None => {}
            },
            Packet::Unsuback(pid) => match self.session.take_request(pid) {
                Some(PendingRequest::Unsubscribe) => {
                    self.events.push_back(ClientEvent::Unsubscribed { pid })
                }
                Some(other) => self.session.requests.push((pid, other)),
                None => {}
            },
            Packet::Pingresp => {
                self.ping_outstanding = false;
                self.timers.stop(Timer::PingTimeout);
                self.events.push_back(ClientEvent::Pong);
            }
            other @ (Packet::Connect(_)
            | Packet::Subscribe(_)
            | Packet::Unsubscribe(_)
            | Packet::Pingreq
            | Packet::Disconnect) => {
                self.protocol_error(ProtocolError::UnexpectedPacket(other.packet_type()))
            }
        }
    }

    /// The last acknowledgement of an outgoing QoS 1 or 2 message (PUBACK or
    /// PUBCOMP): if `pid` is waiting for it, the message is done and the window
    /// has room for the next.
    fn complete(&mut self, now: Instant, pid: Pid, awaiting: OutgoingState, qos: QoS) {
        let done = matches!(
            self.session.outgoing_mut(pid),
            Some(o) if o.state == awaiting
        );
        if done {
            self.session.remove_outgoing(pid);
            self.events.push_back(ClientEvent::Published { pid, qos });
            self.pump(now);
        }
    }

    pub(super) fn on_publish(&mut self, now: Instant, publish: Publish, properties: Vec<Property>) {
        let message = Message {
            publish,
            properties,
        };
        match message.publish.qospid {
            QosPid::AtMostOnce => self.events.push_back(ClientEvent::Message(message)),
            QosPid::AtLeastOnce(pid) => {
                self.events.push_back(ClientEvent::Message(message));
                self.send(now, Packet::Puback(pid));
            }
            QosPid::ExactlyOnce(pid) => {
                // Method B of §4.3.3: deliver on the first PUBLISH, hold the id until
                // PUBREL, so a DUP resend is not delivered twice; or hold the message
                // too and deliver it at PUBREL, as libmosquitto does.
                if self.session.incoming_qos2.insert(pid) {
                    // MQTT-3.3.4-9: no more unreleased QoS 2 messages than our
                    // Receive Maximum (5.0; 65,535 when not given).
                    if self.session.incoming_qos2.len() > usize::from(self.our_receive_maximum()) {
                        self.protocol_error(ProtocolError::ReceiveMaximumExceeded);
                        return;
                    }
                    match self.options.qos2_delivery {
                        Qos2Delivery::OnPublish => {
                            self.events.push_back(ClientEvent::Message(message))
                        }
                        Qos2Delivery::OnPubrel => {
                            self.session.held_qos2.insert(pid, message);
                        }
                    }
                }
                self.send(now, Packet::Pubrec(pid));
            }
        }
    }

    /// Sends queued QoS 1/2 messages while the in-flight window has room.
    pub(super) fn pump(&mut self, now: Instant) {
        // Ours (0: none), and a 5.0 broker's Receive Maximum (MQTT-3.3.4-7).
        let ours = match self.options.max_inflight {
            0 => u16::MAX,
            n => n,
        };
        let max = usize::from(ours.min(self.server.receive_maximum));
        let mut inflight = self.session.inflight();
        let mut to_send = Vec::new();
        for o in self.session.outgoing.iter_mut() {
            if max != 0 && inflight >= max {
                break;
            }
            if o.state != OutgoingState::Queued {
                continue;
            }
            o.state = match o.publish.qos() {
                QoS::ExactlyOnce => OutgoingState::AwaitPubrec,
                _ => OutgoingState::AwaitPuback,
            };
            o.sent_at = Some(now);
            let p = session::publish_for_send(o);
            o.ever_sent = true;
            to_send.push(Queued::with(Packet::Publish(p), o.properties.clone()));
            inflight += 1;
        }
        for p in to_send {
            self.send(now, p);
        }
        self.arm_resend();
    }

    /// Resends what has waited longer than the ack timeout (course-text model).
    pub(super) fn resend_due(&mut self, now: Instant) {
        let ResendPolicy::OnAckTimeout(wait) = self.options.resend else {
            return;
        };
        if !self.is_connected() {
            return;
        }
        let mut resent = Vec::new();
        for o in self.session.outgoing.iter_mut() {
            let Some(at) = o.sent_at else { continue };
            if at + wait > now {
                continue;
            }
            let packet = match o.state {
                OutgoingState::Queued => continue,
                OutgoingState::AwaitPuback | OutgoingState::AwaitPubrec => Queued::with(
                    Packet::Publish(session::publish_for_send(o)),
                    o.properties.clone(),
                ),
                OutgoingState::AwaitPubcomp => Packet::Pubrel(o.pid()).into(),
            };
            o.sent_at = Some(now);
            resent.push((o.pid(), packet));
        }
        self.resend(now, resent);
        self.arm_resend();
    }

    /// Sends again what [`ClientEvent::Resent`] will name, in this order.
    fn resend(&mut self, now: Instant, resent: Vec<(Pid, Queued)>) {
        for (pid, packet) in resent {
            let kind = packet.packet.packet_type();
            self.send(now, packet);
            self.events
                .push_back(ClientEvent::Resent { pid, packet: kind });
        }
    }

    pub(super) fn arm_resend(&mut self) {
        let ResendPolicy::OnAckTimeout(wait) = self.options.resend else {
            return;
        };
        match self.session.outgoing.iter().filter_map(|o| o.sent_at).min() {
            Some(at) if self.is_connected() => self.timers.set(Timer::Resend, at + wait),
            _ => self.timers.stop(Timer::Resend),
        }
    }

    pub(super) fn arm_keep_alive(&mut self, now: Instant) {
        match self.keep_alive_interval() {
            Some(ka) => self.timers.set(Timer::KeepAlive, now + ka),
            None => self.timers.stop(Timer::KeepAlive),
        }
    }

    pub(super) fn send_or_hold(&mut self, now: Instant, packet: impl Into<Queued>) {
        let packet = packet.into();
        if self.is_connected() {
            self.send(now, packet);
        } else {
            self.held.push_back(packet);
        }
    }

    /// Queues a packet; any packet sent restarts the keep alive period (§3.1.2.10).
    pub(super) fn send(&mut self, now: Instant, packet: impl Into<Queued>) {
        self.out.push_back(packet.into());
        if self.is_connected() {
            self.arm_keep_alive(now);
        }
    }

    pub(super) fn protocol_error(&mut self, e: ProtocolError) {
        // A 5.0 client says why before it closes (§4.13.1).
        if self.options.protocol == codec::Protocol::V5 && self.is_connected() {
            let q = Queued {
                auth: None,
                packet: Packet::Disconnect,
                properties: Vec::new(),
                sub_options: Vec::new(),
                reason: Some(super::v5::disconnect_reason(&e)),
            };
            self.out.push_back(q);
        }
        self.close(DisconnectReason::Protocol(e));
    }

    pub(super) fn close(&mut self, reason: DisconnectReason) {
        self.state = ConnectionState::Disconnected;
        self.timers.stop_all();
        self.ping_outstanding = false;
        self.held.clear();
        self.session.requests.clear();
        for o in self.session.outgoing.iter_mut() {
            o.sent_at = None;
        }
        self.inbuf.clear();
        self.skip = 0;
        self.events.push_back(ClientEvent::Disconnected { reason });
    }
}
