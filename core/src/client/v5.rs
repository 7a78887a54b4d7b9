//! What MQTT 5.0 adds to the client, around the one logic of `flow.rs`: the
//! broker's limits from CONNACK and the checks they impose on what we send,
//! Topic Aliases both ways, reason codes on the acknowledgements and on the
//! broker's DISCONNECT, and the 5.0 form of each packet the logic queued.

use core::time::Duration;

use bytes::Bytes;

use super::{
    Client, ClientError, ClientEvent, ConnectionState, DisconnectReason, ProtocolError, Queued,
};
use crate::codec::properties::{self, Holder, Multiplicity, Property, PropertyId};
use crate::codec::reason_codes::{ConnackReasonCode, DisconnectReasonCode};
use crate::codec::v5::{self, Ack, Reason};
use crate::codec::{self, Packet, PacketType, Pid, Protocol, Publish, QoS, SubackReturnCode};
use crate::time::Instant;
use crate::topic::TopicName;

/// What a 5.0 broker's CONNACK said (§3.2.2.3), with the standard's value for
/// each property it left out. Under 3.1.1 these defaults stand: no limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerLimits {
    /// Receive Maximum: QoS 1/2 PUBLISHes the broker takes unacknowledged
    /// (65,535 when absent). The client's in-flight window never exceeds it.
    pub receive_maximum: u16,
    /// Maximum Packet Size the broker accepts (`None`: no limit but the
    /// protocol's). Nothing larger is sent (MQTT-3.2.2-15).
    pub maximum_packet_size: Option<u32>,
    /// Topic Alias Maximum (0 when absent: no alias may be sent).
    pub topic_alias_maximum: u16,
    /// Maximum QoS (2 when absent).
    pub maximum_qos: QoS,
    /// Retain Available (true when absent).
    pub retain_available: bool,
    /// Server Keep Alive, which replaces the CONNECT's keep alive.
    pub server_keep_alive: Option<u16>,
    /// Assigned Client Identifier, for a CONNECT with an empty one.
    pub assigned_client_identifier: Option<String>,
    /// Session Expiry Interval, if the broker changed ours.
    pub session_expiry_interval: Option<u32>,
    /// Wildcard Subscription Available (true when absent).
    pub wildcard_subscription_available: bool,
    /// Subscription Identifier Available (true when absent).
    pub subscription_identifier_available: bool,
    /// Shared Subscription Available (true when absent).
    pub shared_subscription_available: bool,
    /// Response Information (for request/response topics).
    pub response_information: Option<String>,
    /// Server Reference.
    pub server_reference: Option<String>,
    /// Reason String.
    pub reason_string: Option<String>,
}

impl Default for ServerLimits {
    fn default() -> Self {
        ServerLimits {
            receive_maximum: u16::MAX,
            maximum_packet_size: None,
            topic_alias_maximum: 0,
            maximum_qos: QoS::ExactlyOnce,
            retain_available: true,
            server_keep_alive: None,
            assigned_client_identifier: None,
            session_expiry_interval: None,
            wildcard_subscription_available: true,
            subscription_identifier_available: true,
            shared_subscription_available: true,
            response_information: None,
            server_reference: None,
            reason_string: None,
        }
    }
}

impl ServerLimits {
    /// The limits a CONNACK's properties state.
    pub fn from_properties(props: &[Property]) -> ServerLimits {
        let mut s = ServerLimits::default();
        for p in props {
            match p {
                Property::ReceiveMaximum(v) if v.0 > 0 => s.receive_maximum = v.0,
                Property::MaximumPacketSize(v) if v.0 > 0 => s.maximum_packet_size = Some(v.0),
                Property::TopicAliasMaximum(v) => s.topic_alias_maximum = v.0,
                Property::MaximumQos(v) => {
                    s.maximum_qos = QoS::from_u8(v.0).unwrap_or(QoS::ExactlyOnce)
                }
                Property::RetainAvailable(v) => s.retain_available = v.0 != 0,
                Property::ServerKeepAlive(v) => s.server_keep_alive = Some(v.0),
                Property::AssignedClientIdentifier(v) => {
                    s.assigned_client_identifier = Some(v.0.clone())
                }
                Property::SessionExpiryInterval(v) => s.session_expiry_interval = Some(v.0),
                Property::WildcardSubscriptionAvailable(v) => {
                    s.wildcard_subscription_available = v.0 != 0
                }
                Property::SubscriptionIdentifierAvailable(v) => {
                    s.subscription_identifier_available = v.0 != 0
                }
                Property::SharedSubscriptionAvailable(v) => {
                    s.shared_subscription_available = v.0 != 0
                }
                Property::ResponseInformation(v) => s.response_information = Some(v.0.clone()),
                Property::ServerReference(v) => s.server_reference = Some(v.0.clone()),
                Property::ReasonString(v) => s.reason_string = Some(v.0.clone()),
                _ => {}
            }
        }
        s
    }
}

/// Properties the table of §2.2.2.2 lets `holder` carry, each as often as it
/// may.
pub(super) fn check_properties(holder: Holder, props: &[Property]) -> Result<(), ClientError> {
    for (i, p) in props.iter().enumerate() {
        match properties::rule(holder, p.id()) {
            None => return Err(ClientError::PropertyNotAllowed(p.id())),
            Some(Multiplicity::Once) if props[..i].iter().any(|q| q.id() == p.id()) => {
                return Err(ClientError::PropertyNotAllowed(p.id()))
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// The encoded size of a 5.0 PUBLISH of this topic, payload and properties.
pub(super) fn publish_size(
    topic: &TopicName,
    payload: &Bytes,
    qos: QoS,
    props: &[Property],
) -> Result<usize, ClientError> {
    let p = v5::Packet::Publish(v5::Publish {
        dup: false,
        qospid: codec::QosPid::from_parts(qos, Pid::FIRST),
        retain: false,
        topic: Some(topic.clone()),
        properties: props.to_vec(),
        payload: payload.clone(),
    });
    let body = p
        .remaining_length()
        .map_err(|_| ClientError::PacketTooLarge {
            size: usize::MAX,
            max: super::MAX_PACKET_SIZE,
        })?;
    Ok(1 + codec::header::remaining_length_len(body) + body)
}

/// The reason code a 5.0 client's DISCONNECT gives for a protocol error of
/// the broker's (§4.13.1).
pub(super) fn disconnect_reason(e: &ProtocolError) -> DisconnectReasonCode {
    match e {
        ProtocolError::Malformed(_) => DisconnectReasonCode::MalformedPacket,
        ProtocolError::TopicAliasInvalid(_) => DisconnectReasonCode::TopicAliasInvalid,
        ProtocolError::ReceiveMaximumExceeded => DisconnectReasonCode::ReceiveMaximumExceeded,
        ProtocolError::PacketTooLarge { .. } => DisconnectReasonCode::PacketTooLarge,
        ProtocolError::Authentication(_) => DisconnectReasonCode::NotAuthorized,
        _ => DisconnectReasonCode::ProtocolError,
    }
}

fn ack<R: Reason>(pid: Pid) -> Ack<R> {
    Ack {
        pid,
        reason: None,
        properties: None,
    }
}

impl Client {
    /// The keep alive in force as a duration, `None` when off.
    pub(super) fn keep_alive_interval(&self) -> Option<Duration> {
        (self.keep_alive > 0).then(|| Duration::from_secs(u64::from(self.keep_alive)))
    }

    /// The Receive Maximum our CONNECT stated (65,535 when it stated none).
    pub(super) fn our_receive_maximum(&self) -> u16 {
        self.options
            .properties
            .iter()
            .find_map(|p| match p {
                Property::ReceiveMaximum(v) if v.0 > 0 => Some(v.0),
                _ => None,
            })
            .unwrap_or(u16::MAX)
    }

    /// The Topic Alias Maximum our CONNECT stated (0 when none).
    fn our_topic_alias_maximum(&self) -> u16 {
        self.options
            .properties
            .iter()
            .find_map(|p| match p {
                Property::TopicAliasMaximum(v) => Some(v.0),
                _ => None,
            })
            .unwrap_or(0)
    }

    /// The largest packet we may send: ours, and a 5.0 broker's maximum.
    pub(super) fn max_send_size(&self) -> usize {
        let server = self
            .server
            .maximum_packet_size
            .map_or(usize::MAX, |m| usize::try_from(m).unwrap_or(usize::MAX));
        self.options.max_packet_size.min(server)
    }

    /// Properties are 5.0's, each where the table allows it.
    pub(super) fn check_v5_properties(
        &self,
        holder: Holder,
        props: &[Property],
    ) -> Result<(), ClientError> {
        if props.is_empty() {
            return Ok(());
        }
        if self.options.protocol != Protocol::V5 {
            return Err(ClientError::NeedsV5);
        }
        check_properties(holder, props)
    }

    /// What the broker's CONNACK allows a PUBLISH (§3.2.2.3).
    pub(super) fn check_publish(
        &self,
        qos: QoS,
        retain: bool,
        props: &[Property],
    ) -> Result<(), ClientError> {
        self.check_v5_properties(Holder::Publish, props)?;
        if qos > self.server.maximum_qos {
            return Err(ClientError::QosNotSupported {
                asked: qos,
                max: self.server.maximum_qos,
            });
        }
        if retain && !self.server.retain_available {
            return Err(ClientError::RetainNotSupported);
        }
        for p in props {
            if let Property::TopicAlias(a) = p {
                // Before CONNACK the broker's maximum is not known yet: it is
                // checked again when the PUBLISH goes out.
                let max = self.server.topic_alias_maximum;
                if a.0 == 0 || (self.is_connected() && a.0 > max) {
                    return Err(ClientError::TopicAliasInvalid { alias: a.0, max });
                }
            }
        }
        Ok(())
    }

    /// A decoded 5.0 packet from the broker.
    pub fn handle_packet_v5(&mut self, now: Instant, packet: v5::Packet) {
        match self.state {
            ConnectionState::Disconnected => {}
            ConnectionState::Connecting => match packet {
                v5::Packet::Connack(ack) => self.on_connack_v5(now, ack),
                v5::Packet::Auth(a) if self.scram.is_some() => self.on_auth(a),
                other => self.protocol_error(ProtocolError::ExpectedConnack(other.packet_type())),
            },
            ConnectionState::Connected => self.on_packet_v5(now, packet),
        }
    }

    fn on_connack_v5(&mut self, now: Instant, ack: v5::Connack) {
        self.timers.stop(super::Timer::Connect);
        if ack.reason.is_error() {
            self.events
                .push_back(ClientEvent::ConnectionRefusedV5(ack.reason));
            self.close(DisconnectReason::RefusedV5(ack.reason.as_u8()));
            return;
        }
        if ack.reason != ConnackReasonCode::Success {
            self.protocol_error(ProtocolError::Malformed(format!(
                "CONNACK reason code {:#04x} is not a refusal",
                ack.reason.as_u8()
            )));
            return;
        }
        // Enhanced authentication: the CONNACK carries the server's final
        // data, which must prove it knows the password (RFC 5802 §5).
        if let Some(auth) = self.scram.as_mut() {
            if let Err(e) = auth.handle(&v5::Packet::Connack(ack.clone())) {
                self.protocol_error(ProtocolError::Authentication((&e).into()));
                return;
            }
        }
        self.server = ServerLimits::from_properties(&ack.properties);
        if let Some(k) = self.server.server_keep_alive {
            self.keep_alive = k;
        }
        // As libmosquitto does: the identifier the broker chose is ours now
        // (a reconnect resumes that session).
        if let Some(id) = &self.server.assigned_client_identifier {
            self.options.client_id = id.clone();
        }
        self.accept(now, ack.session_present);
    }

    fn on_packet_v5(&mut self, now: Instant, packet: v5::Packet) {
        let acknowledged = |packet: PacketType, pid: Pid, codes: Vec<u8>, props: &[Property]| {
            ClientEvent::Acknowledged {
                packet,
                pid,
                codes,
                properties: props.to_vec(),
            }
        };
        match packet {
            v5::Packet::Connack(_) => self.protocol_error(ProtocolError::DuplicateConnack),
            v5::Packet::Publish(p) => self.on_publish_v5(now, p),
            v5::Packet::Puback(a) => {
                let code = a.reason.map_or(0, |r| r.as_u8());
                self.events.push_back(acknowledged(
                    PacketType::Puback,
                    a.pid,
                    vec![code],
                    a.properties.as_deref().unwrap_or(&[]),
                ));
                self.on_packet(now, Packet::Puback(a.pid));
            }
            v5::Packet::Pubrec(a) => {
                let code = a.reason.map_or(0, |r| r.as_u8());
                self.events.push_back(acknowledged(
                    PacketType::Pubrec,
                    a.pid,
                    vec![code],
                    a.properties.as_deref().unwrap_or(&[]),
                ));
                if code >= 0x80 {
                    // §4.3.3: a failed PUBREC ends the exchange; no PUBREL.
                    let qos = QoS::ExactlyOnce;
                    if self.session.remove_outgoing(a.pid).is_some() {
                        self.events
                            .push_back(ClientEvent::Published { pid: a.pid, qos });
                        self.pump(now);
                    }
                } else {
                    self.on_packet(now, Packet::Pubrec(a.pid));
                }
            }
            v5::Packet::Pubrel(a) => {
                let code = a.reason.map_or(0, |r| r.as_u8());
                self.events.push_back(acknowledged(
                    PacketType::Pubrel,
                    a.pid,
                    vec![code],
                    a.properties.as_deref().unwrap_or(&[]),
                ));
                self.on_packet(now, Packet::Pubrel(a.pid));
            }
            v5::Packet::Pubcomp(a) => {
                let code = a.reason.map_or(0, |r| r.as_u8());
                self.events.push_back(acknowledged(
                    PacketType::Pubcomp,
                    a.pid,
                    vec![code],
                    a.properties.as_deref().unwrap_or(&[]),
                ));
                self.on_packet(now, Packet::Pubcomp(a.pid));
            }
            v5::Packet::Suback(s) => {
                let codes: Vec<u8> = s.reasons.iter().map(|r| r.as_u8()).collect();
                self.events.push_back(acknowledged(
                    PacketType::Suback,
                    s.pid,
                    codes.clone(),
                    &s.properties,
                ));
                let return_codes = codes
                    .iter()
                    .map(|c| match QoS::from_u8(*c) {
                        Some(q) => SubackReturnCode::Success(q),
                        None => SubackReturnCode::Failure,
                    })
                    .collect();
                self.on_packet(
                    now,
                    Packet::Suback(codec::Suback {
                        pid: s.pid,
                        return_codes,
                    }),
                );
            }
            v5::Packet::Unsuback(u) => {
                let codes = u.reasons.iter().map(|r| r.as_u8()).collect();
                self.events.push_back(acknowledged(
                    PacketType::Unsuback,
                    u.pid,
                    codes,
                    &u.properties,
                ));
                self.on_packet(now, Packet::Unsuback(u.pid));
            }
            v5::Packet::Pingresp => self.on_packet(now, Packet::Pingresp),
            v5::Packet::Disconnect(d) => {
                let code = d
                    .reason
                    .unwrap_or(DisconnectReasonCode::NormalDisconnection);
                self.close(DisconnectReason::ByServer(code.as_u8()));
            }
            // No AUTH method is offered, so none may come (MQTT-3.15.0-1 ...).
            other @ (v5::Packet::Connect(_)
            | v5::Packet::Subscribe(_)
            | v5::Packet::Unsubscribe(_)
            | v5::Packet::Pingreq
            | v5::Packet::Auth(_)) => {
                self.protocol_error(ProtocolError::UnexpectedPacket(other.packet_type()))
            }
        }
    }

    /// An AUTH from the broker during the CONNECT exchange (§4.12): SCRAM's
    /// answer goes back as an AUTH 0x18.
    fn on_auth(&mut self, a: v5::Auth) {
        let Some(auth) = self.scram.as_mut() else {
            return;
        };
        match auth.handle(&v5::Packet::Auth(a)) {
            Ok(Some(reply)) => self.out.push_back(Queued::auth(reply)),
            Ok(None) => {}
            Err(e) => self.protocol_error(ProtocolError::Authentication((&e).into())),
        }
    }

    /// A 5.0 PUBLISH: its topic from a Topic Alias if it has one (§3.3.2.3.4),
    /// then the one QoS logic.
    fn on_publish_v5(&mut self, now: Instant, p: v5::Publish) {
        let alias = p.topic_alias();
        let topic = match (alias, p.topic) {
            (None, Some(t)) => t,
            (Some(a), topic) if a == 0 || a > self.our_topic_alias_maximum() => {
                let _ = topic;
                self.protocol_error(ProtocolError::TopicAliasInvalid(a));
                return;
            }
            (Some(a), Some(t)) => {
                self.aliases_in.insert(a, t.clone());
                t
            }
            (Some(a), None) => match self.aliases_in.get(&a) {
                Some(t) => t.clone(),
                None => {
                    self.protocol_error(ProtocolError::TopicAliasInvalid(a));
                    return;
                }
            },
            (None, None) => {
                self.protocol_error(ProtocolError::Malformed(
                    "PUBLISH with neither a topic nor a Topic Alias (MQTT-3.3.4-2)".into(),
                ));
                return;
            }
        };
        let publish = Publish {
            dup: p.dup,
            qospid: p.qospid,
            retain: p.retain,
            topic,
            payload: p.payload,
        };
        self.on_publish(now, publish, p.properties);
    }

    /// The 5.0 packet for one the logic queued. A PUBLISH with a Topic Alias
    /// already set on this connection to its topic goes without the topic;
    /// one whose alias the broker does not allow (it was published before
    /// CONNACK) goes without the alias.
    pub(super) fn build_v5(&mut self, q: &Queued) -> Option<v5::Packet> {
        if let Some(a) = &q.auth {
            return Some(v5::Packet::Auth(a.clone()));
        }
        Some(match &q.packet {
            Packet::Connect(c) => {
                let o = &self.options;
                let mut properties = o.properties.clone();
                properties.extend(self.scram_connect.iter().cloned());
                v5::Packet::Connect(v5::Connect {
                    clean_start: c.clean_session,
                    keep_alive: c.keep_alive,
                    properties,
                    client_id: c.client_id.clone(),
                    will: c.will.as_ref().map(|w| v5::Will {
                        properties: o.will_properties.clone(),
                        topic: w.topic.clone(),
                        payload: w.message.clone(),
                        qos: w.qos,
                        retain: w.retain,
                    }),
                    username: c.login.as_ref().map(|l| l.username.clone()),
                    password: c.login.as_ref().and_then(|l| l.password.clone()),
                })
            }
            Packet::Publish(p) => {
                let mut properties = q.properties.clone();
                let mut topic = Some(p.topic.clone());
                let alias = properties.iter().find_map(|x| match x {
                    Property::TopicAlias(a) => Some(a.0),
                    _ => None,
                });
                if let Some(a) = alias {
                    if a > self.server.topic_alias_maximum {
                        properties.retain(|x| x.id() != PropertyId::TopicAlias);
                    } else if self.aliases_out.get(&a) == Some(&p.topic) {
                        topic = None;
                    } else {
                        self.aliases_out.insert(a, p.topic.clone());
                    }
                }
                v5::Packet::Publish(v5::Publish {
                    dup: p.dup,
                    qospid: p.qospid,
                    retain: p.retain,
                    topic,
                    properties,
                    payload: p.payload.clone(),
                })
            }
            Packet::Puback(pid) => v5::Packet::Puback(ack(*pid)),
            Packet::Pubrec(pid) => v5::Packet::Pubrec(ack(*pid)),
            Packet::Pubrel(pid) => v5::Packet::Pubrel(ack(*pid)),
            Packet::Pubcomp(pid) => v5::Packet::Pubcomp(ack(*pid)),
            Packet::Subscribe(s) => v5::Packet::Subscribe(v5::Subscribe {
                pid: s.pid,
                properties: q.properties.clone(),
                topics: s
                    .topics
                    .iter()
                    .enumerate()
                    .map(|(i, t)| v5::Subscription {
                        filter: t.filter.clone(),
                        options: q
                            .sub_options
                            .get(i)
                            .copied()
                            .unwrap_or(v5::SubscriptionOptions::qos(t.qos)),
                    })
                    .collect(),
            }),
            Packet::Unsubscribe(u) => v5::Packet::Unsubscribe(v5::Unsubscribe {
                pid: u.pid,
                properties: q.properties.clone(),
                filters: u.filters.clone(),
            }),
            Packet::Pingreq => v5::Packet::Pingreq,
            Packet::Disconnect => v5::Packet::Disconnect(v5::Disconnect {
                reason: q.reason.or(if q.properties.is_empty() {
                    None
                } else {
                    Some(DisconnectReasonCode::NormalDisconnection)
                }),
                properties: (!q.properties.is_empty()).then(|| q.properties.clone()),
            }),
            // Never queued by a client.
            Packet::Connack(_) | Packet::Suback(_) | Packet::Unsuback(_) | Packet::Pingresp => {
                return None
            }
        })
    }
}
