//! The one place where MQTT 3.1/3.1.1 packets become MQTT 5.0 packets and back.
//!
//! A program that thinks in the 5.0 model (the broker; the client) reads a
//! 3.1.1 packet as the 5.0 packet with no properties and Success codes
//! ([`to_v5`]), and gives a 3.1.1 peer what 3.1.1 can carry ([`to_v3`]): no
//! properties, reason codes mapped to 3.1.1's return codes (SUBACK 0x80 for
//! every refusal), nothing for what 3.1.1 has no packet for (AUTH).
//!
//! The mapping keeps meaning, not bytes, where the two differ:
//! - a 3.1.1 CONNECT with Clean Session 0 is a 5.0 CONNECT with Clean Start 0
//!   and a Session Expiry Interval of 0xFFFFFFFF, a session that never
//!   expires (MQTT 5.0 §3.1.2.11.2; 3.1.1 §3.1.2.4); with Clean Session 1 it has
//!   Clean Start 1 and no Session Expiry Interval (0: the session ends with the
//!   connection). Back, Clean Session is Clean Start.
//! - a 3.1.1 UNSUBACK tells no result per filter: it becomes a 5.0 UNSUBACK
//!   with an empty reason list (which 5.0 cannot encode); a caller that knows how
//!   many filters it acknowledged uses [`unsuback_to_v5`].
//!
//! ```
//! use mqttlab_core::codec::convert::{to_v3, to_v5};
//! use mqttlab_core::codec::reason_codes::SubackReasonCode;
//! use mqttlab_core::codec::{v5, Packet, Pid, Suback, SubackReturnCode, QoS};
//!
//! let refused = v5::Packet::Suback(v5::Suback {
//!     pid: Pid::new(3).unwrap(),
//!     properties: Vec::new(),
//!     reasons: vec![SubackReasonCode::GrantedQos1, SubackReasonCode::NotAuthorized],
//! });
//! let v3 = Packet::Suback(Suback {
//!     pid: Pid::new(3).unwrap(),
//!     return_codes: vec![SubackReturnCode::Success(QoS::AtLeastOnce), SubackReturnCode::Failure],
//! });
//! assert_eq!(to_v3(refused), Ok(v3.clone()));
//! assert_eq!(to_v3(to_v5(v3.clone())), Ok(v3));
//! ```

use core::fmt;

use super::properties::{Property, SessionExpiryInterval};
use super::reason_codes::{ConnackReasonCode, SubackReasonCode, UnsubackReasonCode};
use super::v5;
use super::{
    Connack, Connect, ConnectReturnCode, LastWill, Login, Packet, Pid, Protocol, Publish, Suback,
    SubackReturnCode, Subscribe, SubscribeTopic, Unsubscribe,
};

/// A 5.0 packet that 3.1.1 has no way to carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unrepresentable {
    /// AUTH (§3.15) has no 3.1.1 counterpart.
    Auth,
    /// A PUBLISH with an empty topic (a topic alias stands for it): resolve the
    /// alias first.
    PublishWithoutTopic,
}

impl fmt::Display for Unrepresentable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Unrepresentable::Auth => "MQTT 3.1.1 has no AUTH packet",
            Unrepresentable::PublishWithoutTopic => {
                "a PUBLISH without a topic name (topic alias) has no MQTT 3.1.1 form"
            }
        })
    }
}

impl std::error::Error for Unrepresentable {}

/// A 3.1/3.1.1 packet as the 5.0 packet that means the same.
pub fn to_v5(p: Packet) -> v5::Packet {
    match p {
        Packet::Connect(c) => v5::Packet::Connect(connect_to_v5(c)),
        Packet::Connack(c) => v5::Packet::Connack(v5::Connack {
            session_present: c.session_present,
            reason: connack_reason_v5(c.code),
            properties: Vec::new(),
        }),
        Packet::Publish(p) => v5::Packet::Publish(publish_to_v5(p)),
        Packet::Puback(pid) => v5::Packet::Puback(ack(pid)),
        Packet::Pubrec(pid) => v5::Packet::Pubrec(ack(pid)),
        Packet::Pubrel(pid) => v5::Packet::Pubrel(ack(pid)),
        Packet::Pubcomp(pid) => v5::Packet::Pubcomp(ack(pid)),
        Packet::Subscribe(s) => v5::Packet::Subscribe(v5::Subscribe {
            pid: s.pid,
            properties: Vec::new(),
            topics: s
                .topics
                .into_iter()
                .map(|t| v5::Subscription {
                    filter: t.filter,
                    options: v5::SubscriptionOptions::qos(t.qos),
                })
                .collect(),
        }),
        Packet::Suback(s) => v5::Packet::Suback(v5::Suback {
            pid: s.pid,
            properties: Vec::new(),
            reasons: s.return_codes.into_iter().map(suback_reason_v5).collect(),
        }),
        Packet::Unsubscribe(u) => v5::Packet::Unsubscribe(v5::Unsubscribe {
            pid: u.pid,
            properties: Vec::new(),
            filters: u.filters,
        }),
        Packet::Unsuback(pid) => v5::Packet::Unsuback(unsuback_to_v5(pid, 0)),
        Packet::Pingreq => v5::Packet::Pingreq,
        Packet::Pingresp => v5::Packet::Pingresp,
        Packet::Disconnect => v5::Packet::Disconnect(v5::Disconnect::default()),
    }
}

/// What 3.1.1 can carry of a 5.0 packet (a CONNECT becomes a 3.1.1 one; see
/// [`connect_to_v3`] for 3.1).
pub fn to_v3(p: v5::Packet) -> Result<Packet, Unrepresentable> {
    Ok(match p {
        v5::Packet::Connect(c) => Packet::Connect(connect_to_v3(c, Protocol::V311)),
        v5::Packet::Connack(c) => Packet::Connack(Connack {
            session_present: c.session_present,
            code: connack_code_v3(c.reason),
        }),
        v5::Packet::Publish(p) => Packet::Publish(publish_to_v3(p)?),
        v5::Packet::Puback(a) => Packet::Puback(a.pid),
        v5::Packet::Pubrec(a) => Packet::Pubrec(a.pid),
        v5::Packet::Pubrel(a) => Packet::Pubrel(a.pid),
        v5::Packet::Pubcomp(a) => Packet::Pubcomp(a.pid),
        v5::Packet::Subscribe(s) => Packet::Subscribe(Subscribe {
            pid: s.pid,
            topics: s
                .topics
                .into_iter()
                .map(|t| SubscribeTopic {
                    filter: t.filter,
                    qos: t.options.qos,
                })
                .collect(),
        }),
        v5::Packet::Suback(s) => Packet::Suback(Suback {
            pid: s.pid,
            return_codes: s.reasons.into_iter().map(suback_code_v3).collect(),
        }),
        v5::Packet::Unsubscribe(u) => Packet::Unsubscribe(Unsubscribe {
            pid: u.pid,
            filters: u.filters,
        }),
        v5::Packet::Unsuback(u) => Packet::Unsuback(u.pid),
        v5::Packet::Pingreq => Packet::Pingreq,
        v5::Packet::Pingresp => Packet::Pingresp,
        v5::Packet::Disconnect(_) => Packet::Disconnect,
        v5::Packet::Auth(_) => return Err(Unrepresentable::Auth),
    })
}

/// A 3.1/3.1.1 CONNECT as 5.0 (see the [module documentation](self) for Clean
/// Session). The protocol level is not kept: a caller that needs it reads it first.
pub fn connect_to_v5(c: Connect) -> v5::Connect {
    let properties = if c.clean_session {
        Vec::new()
    } else {
        vec![Property::SessionExpiryInterval(SessionExpiryInterval(
            u32::MAX,
        ))]
    };
    let (username, password) = match c.login {
        Some(Login { username, password }) => (Some(username), password),
        None => (None, None),
    };
    v5::Connect {
        clean_start: c.clean_session,
        keep_alive: c.keep_alive,
        properties,
        client_id: c.client_id,
        will: c.will.map(|w| v5::Will {
            properties: Vec::new(),
            topic: w.topic,
            payload: w.message,
            qos: w.qos,
            retain: w.retain,
        }),
        username,
        password,
    }
}

/// A 5.0 CONNECT at level 3 or 4: properties dropped, Clean Session from Clean
/// Start. A password without a user name (which 3.1.1 forbids, MQTT-3.1.2-22)
/// goes with an empty user name.
pub fn connect_to_v3(c: v5::Connect, protocol: Protocol) -> Connect {
    let login = match (c.username, c.password) {
        (None, None) => None,
        (username, password) => Some(Login {
            username: username.unwrap_or_default(),
            password,
        }),
    };
    Connect {
        protocol,
        clean_session: c.clean_start,
        keep_alive: c.keep_alive,
        client_id: c.client_id,
        will: c.will.map(|w| LastWill {
            topic: w.topic,
            message: w.payload,
            qos: w.qos,
            retain: w.retain,
        }),
        login,
    }
}

/// A 3.1.1 PUBLISH as 5.0: the same message, no properties.
pub fn publish_to_v5(p: Publish) -> v5::Publish {
    v5::Publish {
        dup: p.dup,
        qospid: p.qospid,
        retain: p.retain,
        topic: Some(p.topic),
        properties: Vec::new(),
        payload: p.payload,
    }
}

/// A 5.0 PUBLISH as 3.1.1: properties dropped; the topic must be there.
pub fn publish_to_v3(p: v5::Publish) -> Result<Publish, Unrepresentable> {
    Ok(Publish {
        dup: p.dup,
        qospid: p.qospid,
        retain: p.retain,
        topic: p.topic.ok_or(Unrepresentable::PublishWithoutTopic)?,
        payload: p.payload,
    })
}

/// A 3.1.1 UNSUBACK as 5.0 with `filters` Success codes (3.1.1 acknowledges
/// every filter of the UNSUBSCRIBE without saying more).
pub fn unsuback_to_v5(pid: Pid, filters: usize) -> v5::Unsuback {
    v5::Unsuback {
        pid,
        properties: Vec::new(),
        reasons: vec![UnsubackReasonCode::Success; filters],
    }
}

fn ack<R>(pid: Pid) -> v5::Ack<R> {
    v5::Ack {
        pid,
        reason: None,
        properties: None,
    }
}

/// The 3.1.1 return code closest to a 5.0 CONNACK reason (3.1.1 §3.2.2.3 has
/// five refusals): identifier, credentials and authorisation keep their
/// meaning, a refused protocol version is 1, and every other refusal is
/// "Server unavailable" (3).
pub fn connack_code_v3(reason: ConnackReasonCode) -> ConnectReturnCode {
    use ConnackReasonCode as R;
    use ConnectReturnCode as C;
    match reason {
        R::Success => C::Accepted,
        R::UnsupportedProtocolVersion => C::UnacceptableProtocolVersion,
        R::ClientIdentifierNotValid => C::IdentifierRejected,
        R::BadUserNameOrPassword | R::BadAuthenticationMethod => C::BadUserNameOrPassword,
        R::NotAuthorized | R::Banned => C::NotAuthorized,
        _ => C::ServerUnavailable,
    }
}

/// The 5.0 CONNACK reason that means what a 3.1.1 return code means
/// (MQTT 5.0 table 3-1 has each of them).
pub fn connack_reason_v5(code: ConnectReturnCode) -> ConnackReasonCode {
    use ConnackReasonCode as R;
    use ConnectReturnCode as C;
    match code {
        C::Accepted => R::Success,
        C::UnacceptableProtocolVersion => R::UnsupportedProtocolVersion,
        C::IdentifierRejected => R::ClientIdentifierNotValid,
        C::ServerUnavailable => R::ServerUnavailable,
        C::BadUserNameOrPassword => R::BadUserNameOrPassword,
        C::NotAuthorized => R::NotAuthorized,
    }
}

/// A 5.0 SUBACK reason as 3.1.1 carries it: the granted QoS, or 0x80 for any
/// refusal (MQTT-3.9.3-2 has only the one).
pub fn suback_code_v3(reason: SubackReasonCode) -> SubackReturnCode {
    use super::QoS;
    match reason {
        SubackReasonCode::GrantedQos0 => SubackReturnCode::Success(QoS::AtMostOnce),
        SubackReasonCode::GrantedQos1 => SubackReturnCode::Success(QoS::AtLeastOnce),
        SubackReasonCode::GrantedQos2 => SubackReturnCode::Success(QoS::ExactlyOnce),
        _ => SubackReturnCode::Failure,
    }
}

/// A 3.1.1 SUBACK return code as 5.0: 0x80 reads as "Unspecified error" (the
/// same byte).
pub fn suback_reason_v5(code: SubackReturnCode) -> SubackReasonCode {
    use super::QoS;
    match code {
        SubackReturnCode::Success(QoS::AtMostOnce) => SubackReasonCode::GrantedQos0,
        SubackReturnCode::Success(QoS::AtLeastOnce) => SubackReasonCode::GrantedQos1,
        SubackReturnCode::Success(QoS::ExactlyOnce) => SubackReasonCode::GrantedQos2,
        SubackReturnCode::Failure => SubackReasonCode::UnspecifiedError,
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;
    use crate::codec::properties::UserProperty;
    use crate::codec::reason_codes::{DisconnectReasonCode, PubackReasonCode};
    use crate::codec::{QoS, QosPid};
    use crate::topic::{TopicFilter, TopicName};

    fn pid(n: u16) -> Pid {
        Pid::new(n).unwrap()
    }

    fn v3_packets() -> Vec<Packet> {
        let topic = TopicName::new("a/b").unwrap();
        vec![
            Packet::Connect(Connect {
                protocol: Protocol::V311,
                clean_session: false,
                keep_alive: 30,
                client_id: "c".into(),
                will: Some(LastWill {
                    topic: topic.clone(),
                    message: Bytes::from_static(b"bye"),
                    qos: QoS::AtLeastOnce,
                    retain: true,
                }),
                login: Some(Login {
                    username: "u".into(),
                    password: Some(Bytes::from_static(b"p")),
                }),
            }),
            Packet::Connect(Connect {
                protocol: Protocol::V311,
                clean_session: true,
                keep_alive: 0,
                client_id: String::new(),
                will: None,
                login: None,
            }),
            Packet::Connack(Connack {
                session_present: true,
                code: ConnectReturnCode::Accepted,
            }),
            Packet::Publish(Publish {
                dup: true,
                qospid: QosPid::ExactlyOnce(pid(9)),
                retain: true,
                topic,
                payload: Bytes::from_static(b"x"),
            }),
            Packet::Puback(pid(1)),
            Packet::Pubrec(pid(2)),
            Packet::Pubrel(pid(3)),
            Packet::Pubcomp(pid(4)),
            Packet::Subscribe(Subscribe {
                pid: pid(5),
                topics: vec![SubscribeTopic {
                    filter: TopicFilter::new("a/#").unwrap(),
                    qos: QoS::ExactlyOnce,
                }],
            }),
            Packet::Suback(Suback {
                pid: pid(5),
                return_codes: vec![
                    SubackReturnCode::Success(QoS::AtMostOnce),
                    SubackReturnCode::Failure,
                ],
            }),
            Packet::Unsubscribe(Unsubscribe {
                pid: pid(6),
                filters: vec![TopicFilter::new("a/#").unwrap()],
            }),
            Packet::Unsuback(pid(6)),
            Packet::Pingreq,
            Packet::Pingresp,
            Packet::Disconnect,
        ]
    }

    #[test]
    fn every_3_1_1_packet_survives_the_round_trip() {
        for p in v3_packets() {
            assert_eq!(to_v3(to_v5(p.clone())), Ok(p));
        }
    }

    /// Each converted packet, but UNSUBACK (no codes in 3.1.1), is a packet the
    /// 5.0 codec writes and reads back unchanged.
    #[test]
    fn converted_packets_are_valid_5_0() {
        for p in v3_packets() {
            let v5 = to_v5(p);
            if matches!(v5, v5::Packet::Unsuback(_)) {
                continue;
            }
            let bytes = v5.to_bytes().unwrap();
            assert_eq!(
                v5::decode(&bytes, 1 << 20).unwrap(),
                Some((v5.clone(), bytes.len()))
            );
        }
    }

    #[test]
    fn clean_session_0_is_a_session_that_never_expires() {
        let Some(Packet::Connect(c)) = v3_packets().into_iter().next() else {
            unreachable!()
        };
        let v5 = connect_to_v5(c);
        assert!(!v5.clean_start);
        assert_eq!(
            v5.properties,
            [Property::SessionExpiryInterval(SessionExpiryInterval(
                u32::MAX
            ))]
        );
        let c1 = connect_to_v5(Connect {
            clean_session: true,
            ..connect_to_v3(v5, Protocol::V311)
        });
        assert!(c1.clean_start);
        assert!(c1.properties.is_empty());
    }

    #[test]
    fn a_3_1_1_receiver_gets_no_properties_and_no_reason_codes() {
        let publish = v5::Publish {
            dup: false,
            qospid: QosPid::AtLeastOnce(pid(1)),
            retain: false,
            topic: Some(TopicName::new("t").unwrap()),
            properties: vec![Property::UserProperty(UserProperty((
                "k".into(),
                "v".into(),
            )))],
            payload: Bytes::from_static(b"m"),
        };
        let Ok(Packet::Publish(p)) = to_v3(v5::Packet::Publish(publish.clone())) else {
            panic!("a PUBLISH")
        };
        assert_eq!(p.topic.as_str(), "t");
        assert_eq!(p.payload, publish.payload);
        let puback = v5::Packet::Puback(v5::Ack {
            pid: pid(1),
            reason: Some(PubackReasonCode::NoMatchingSubscribers),
            properties: None,
        });
        assert_eq!(to_v3(puback), Ok(Packet::Puback(pid(1))));
        let disconnect = v5::Packet::Disconnect(v5::Disconnect {
            reason: Some(DisconnectReasonCode::SessionTakenOver),
            properties: None,
        });
        assert_eq!(to_v3(disconnect), Ok(Packet::Disconnect));
    }

    #[test]
    fn what_3_1_1_cannot_carry_is_an_error() {
        assert_eq!(
            to_v3(v5::Packet::Auth(v5::Auth::default())),
            Err(Unrepresentable::Auth)
        );
        let aliased = v5::Publish {
            dup: false,
            qospid: QosPid::AtMostOnce,
            retain: false,
            topic: None,
            properties: vec![Property::TopicAlias(crate::codec::properties::TopicAlias(
                1,
            ))],
            payload: Bytes::new(),
        };
        assert_eq!(
            to_v3(v5::Packet::Publish(aliased)),
            Err(Unrepresentable::PublishWithoutTopic)
        );
    }

    #[test]
    fn connack_codes_map_both_ways() {
        use ConnectReturnCode::*;
        for code in [
            Accepted,
            UnacceptableProtocolVersion,
            IdentifierRejected,
            ServerUnavailable,
            BadUserNameOrPassword,
            NotAuthorized,
        ] {
            assert_eq!(connack_code_v3(connack_reason_v5(code)), code);
        }
        assert_eq!(
            connack_code_v3(ConnackReasonCode::ServerBusy),
            ServerUnavailable
        );
        assert_eq!(connack_code_v3(ConnackReasonCode::Banned), NotAuthorized);
        // Every 5.0 reason has a 3.1.1 code; only Success is Accepted.
        for &r in ConnackReasonCode::ALL {
            assert_eq!(
                connack_code_v3(r) == Accepted,
                r == ConnackReasonCode::Success
            );
        }
    }

    #[test]
    fn every_suback_refusal_is_0x80_in_3_1_1() {
        for &r in SubackReasonCode::ALL {
            let code = suback_code_v3(r);
            assert_eq!(code.as_u8(), if r.is_error() { 0x80 } else { r.as_u8() });
        }
        assert_eq!(
            suback_reason_v5(SubackReturnCode::Failure),
            SubackReasonCode::UnspecifiedError
        );
    }

    #[test]
    fn a_password_without_user_name_gets_an_empty_one_in_3_1_1() {
        let c = v5::Connect {
            clean_start: true,
            keep_alive: 10,
            properties: Vec::new(),
            client_id: "c".into(),
            will: None,
            username: None,
            password: Some(Bytes::from_static(b"pw")),
        };
        let v3 = connect_to_v3(c, Protocol::V31);
        assert_eq!(v3.protocol, Protocol::V31);
        assert_eq!(
            v3.login,
            Some(Login {
                username: String::new(),
                password: Some(Bytes::from_static(b"pw"))
            })
        );
        assert_eq!(
            unsuback_to_v5(pid(2), 2).reasons,
            [UnsubackReasonCode::Success; 2]
        );
    }
}
