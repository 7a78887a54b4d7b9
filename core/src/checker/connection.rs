//! One connection's life: CONNECT first and once, CONNACK first, Session
//! Present on a clean session, nothing after DISCONNECT, PINGRESP for PINGREQ,
//! and the 5.0 Maximum Packet Size each side announced.

use std::collections::BTreeMap;

use super::qos::Session;
use super::routing::Request;
use super::{side, Checker, PacketRef, Statement};
use crate::capture::Direction;
use crate::codec::properties::Property;
use crate::codec::{v5, AnyPacket, Protocol};

/// What the checker knows of one connection.
#[derive(Debug, Clone, Default)]
pub struct Conn {
    /// Packets seen each way (client→server, server→client).
    pub count: [u32; 2],
    /// 5.0 AUTH packets of an enhanced authentication seen each way before
    /// the CONNACK: they belong there (MQTT-3.2.0-1 excepts them), so the
    /// CONNACK after them is still the server's first packet.
    pub auth_before_connack: [u32; 2],
    /// The level its CONNECT named.
    pub protocol: Option<Protocol>,
    /// The CONNECT.
    pub connect: Option<v5::Connect>,
    /// Where the CONNECT was seen.
    pub connect_at: Option<PacketRef>,
    /// Whether a CONNACK accepted it.
    pub accepted: bool,
    /// Whether its first CONNACK refused it.
    pub refused: bool,
    /// Whether the server sent more after refusing it.
    pub sent_after_refusal: bool,
    /// Each side's DISCONNECT, if sent (with its 5.0 reason byte).
    pub disconnect: [Option<u8>; 2],
    /// PINGREQs not yet answered.
    pub pings: Vec<PacketRef>,
    /// When the connection ended.
    pub closed_at: Option<u64>,
    /// Whether the client's FIN or RST ended it.
    pub closed_by_client: bool,
    /// 5.0 limits: Maximum Packet Size the client (0) and server (1) accept.
    pub max_packet: [Option<u32>; 2],
    /// 5.0: Receive Maximum of client (0) and server (1).
    pub receive_max: [u16; 2],
    /// 5.0: Topic Alias Maximum of client (0) and server (1).
    pub alias_max: [u16; 2],
    /// Keep alive in seconds (the server's, if it set one).
    pub keep_alive: u16,
    /// Time of the client's last packet.
    pub last_from_client: Option<u64>,
    /// When either side sent DISCONNECT.
    pub left_ns: Option<u64>,
    /// When a CONNACK accepted it.
    pub accepted_ns: Option<u64>,
    /// The order among everything seen of the CONNACK that accepted it.
    pub accepted_seen: Option<u64>,
    /// The session the connection carries.
    pub session: Session,
    /// SUBSCRIBEs and UNSUBSCRIBEs not yet answered.
    pub requests: BTreeMap<u16, Request>,
    /// 5.0 Topic Aliases set each way.
    pub aliases: [BTreeMap<u16, String>; 2],
    /// 5.0: the Session Expiry Interval (the CONNECT's, or the client's
    /// DISCONNECT's), seconds; 0 when not given.
    pub session_expiry: u32,
    /// A resumed session (Session Present 1): when its previous connection
    /// closed and when this one's CONNECT came.
    pub resumed_after: Option<(u64, u64)>,
    /// The client's PUBLISHes with Topic Aliases the server has yet to answer.
    pub alias_questions: Vec<super::alias::AliasQuestion>,
}

pub(super) fn prop<T>(props: &[Property], f: impl Fn(&Property) -> Option<T>) -> Option<T> {
    props.iter().find_map(f)
}

impl Checker {
    /// The connection rules; `false` if the packet should be looked at no further.
    pub(super) fn connection_packet(
        &mut self,
        at: PacketRef,
        protocol: Protocol,
        p: &v5::Packet,
        raw: &AnyPacket,
    ) -> bool {
        let conn = at.conn;
        let seen = self.seen;
        let c = self.conns.get_mut(&conn).expect("connection exists");
        let s = side(at.direction);
        // An AUTH while the server has sent nothing but AUTHs, on a connection
        // whose CONNECT named an Authentication Method, is part of the
        // exchange that precedes the CONNACK.
        let enhanced = c.connect.as_ref().is_some_and(|k| {
            k.properties
                .iter()
                .any(|q| matches!(q, Property::AuthenticationMethod(_)))
        });
        let is_auth = matches!(p, v5::Packet::Auth(_));
        let server_before = c.count[1] - u32::from(s == 1);
        if is_auth && enhanced && server_before == c.auth_before_connack[1] {
            c.auth_before_connack[s] += 1;
        }
        let first = c.count[s] - c.auth_before_connack[s] == 1 && !is_auth;
        let proto = c.protocol.unwrap_or(protocol);
        let mut len = Vec::new();
        let size = raw.encode(&mut len).map(|_| len.len() as u64).ok();
        let wrong_way = match at.direction {
            Direction::ToServer => matches!(
                p,
                v5::Packet::Connack(_)
                    | v5::Packet::Suback(_)
                    | v5::Packet::Unsuback(_)
                    | v5::Packet::Pingresp
            ),
            Direction::ToClient => {
                matches!(
                    p,
                    v5::Packet::Connect(_)
                        | v5::Packet::Subscribe(_)
                        | v5::Packet::Unsubscribe(_)
                        | v5::Packet::Pingreq
                ) || (proto != Protocol::V5 && matches!(p, v5::Packet::Disconnect(_)))
            }
        };
        match at.direction {
            Direction::ToServer => {
                let after_disconnect = c.disconnect[0].is_some();
                let is_connect = matches!(p, v5::Packet::Connect(_));
                let limit = c.max_packet[1];
                if let v5::Packet::Connect(k) = p {
                    if first {
                        c.protocol = Some(protocol);
                        c.connect_at = Some(at);
                        c.keep_alive = k.keep_alive;
                        c.connect = Some(k.clone());
                        c.max_packet[0] = prop(&k.properties, |p| match p {
                            Property::MaximumPacketSize(m) => Some(m.0),
                            _ => None,
                        });
                        c.receive_max[0] = prop(&k.properties, |p| match p {
                            Property::ReceiveMaximum(m) => Some(m.0),
                            _ => None,
                        })
                        .unwrap_or(65535);
                        c.alias_max[0] = prop(&k.properties, |p| match p {
                            Property::TopicAliasMaximum(m) => Some(m.0),
                            _ => None,
                        })
                        .unwrap_or(0);
                        c.session_expiry =
                            super::expiry::session_expiry(&k.properties).unwrap_or(0);
                    }
                }
                if matches!(p, v5::Packet::Pingreq) {
                    c.pings.push(at);
                }
                if let v5::Packet::Disconnect(d) = p {
                    if let Some(e) = d
                        .properties
                        .as_deref()
                        .and_then(super::expiry::session_expiry)
                    {
                        c.session_expiry = e;
                    }
                    c.disconnect[0] = Some(d.reason.map_or(0, |r| r.as_u8()));
                    c.left_ns.get_or_insert(at.time_ns);
                }
                if let (true, v5::Packet::Connect(k)) = (first, p) {
                    self.will_reconnect(&k.client_id, k.clean_start, at);
                }
                if first {
                    self.judge(Statement::FirstPacketConnect, is_connect, proto, vec![at]);
                } else if is_connect {
                    self.judge(Statement::OneConnect, false, proto, vec![at]);
                }
                self.judge(Statement::PacketDirection, !wrong_way, proto, vec![at]);
                if after_disconnect {
                    self.judge(Statement::NothingAfterDisconnect, false, proto, vec![at]);
                }
                if let (Some(limit), Some(size)) = (limit, size) {
                    self.judge(
                        Statement::ClientMaximumPacketSize,
                        size <= u64::from(limit),
                        proto,
                        vec![at],
                    );
                }
                !after_disconnect
            }
            Direction::ToClient => {
                let limit = c.max_packet[0];
                let mut resume = None;
                let after_refusal = c.refused;
                c.sent_after_refusal |= after_refusal;
                match p {
                    v5::Packet::Connack(a) => {
                        c.accepted = a.reason.as_u8() < 0x80;
                        if first && !c.accepted {
                            c.refused = true;
                        }
                        c.max_packet[1] = prop(&a.properties, |p| match p {
                            Property::MaximumPacketSize(m) => Some(m.0),
                            _ => None,
                        });
                        c.receive_max[1] = prop(&a.properties, |p| match p {
                            Property::ReceiveMaximum(m) => Some(m.0),
                            _ => None,
                        })
                        .unwrap_or(65535);
                        c.alias_max[1] = prop(&a.properties, |p| match p {
                            Property::TopicAliasMaximum(m) => Some(m.0),
                            _ => None,
                        })
                        .unwrap_or(0);
                        if let Some(k) = prop(&a.properties, |p| match p {
                            Property::ServerKeepAlive(m) => Some(m.0),
                            _ => None,
                        }) {
                            c.keep_alive = k;
                        }
                        let clean = c.connect.as_ref().map(|k| k.clean_start);
                        if first && c.accepted {
                            c.accepted_ns = Some(at.time_ns);
                            c.accepted_seen = Some(seen);
                            let id = c.connect.as_ref().map(|k| k.client_id.clone());
                            resume = Some((a.session_present, id));
                        }
                        let accepted = c.accepted;
                        if first {
                            if let Some(true) = clean {
                                if accepted {
                                    self.judge(
                                        Statement::SessionPresentClean,
                                        !a.session_present,
                                        proto,
                                        vec![at],
                                    );
                                }
                            }
                        }
                    }
                    v5::Packet::Pingresp if !c.pings.is_empty() => {
                        c.pings.remove(0);
                        self.judge(Statement::PingrespForPingreq, true, proto, vec![at]);
                    }
                    v5::Packet::Disconnect(d) => {
                        c.disconnect[1] = Some(d.reason.map_or(0, |r| r.as_u8()));
                        c.left_ns.get_or_insert(at.time_ns);
                    }
                    _ => {}
                }
                if first {
                    let ok = matches!(p, v5::Packet::Connack(_));
                    self.judge(Statement::FirstPacketConnack, ok, proto, vec![at]);
                }
                if after_refusal {
                    self.judge(Statement::CloseAfterRefusal, false, proto, vec![at]);
                }
                self.judge(Statement::PacketDirection, !wrong_way, proto, vec![at]);
                if let (Some(limit), Some(size)) = (limit, size) {
                    self.judge(
                        Statement::ServerMaximumPacketSize,
                        size <= u64::from(limit),
                        proto,
                        vec![at],
                    );
                }
                if let (Some((sp, _)), v5::Packet::Connack(_)) = (&resume, p) {
                    self.session_expiry_connack(conn, at, *sp);
                }
                match resume {
                    Some((true, id)) => self.resume_session(conn, id),
                    Some((false, _)) => {
                        let id = self.new_session_id();
                        self.conns.get_mut(&conn).expect("exists").session = Session {
                            id,
                            known: true,
                            ..Session::default()
                        };
                    }
                    None => {}
                }
                true
            }
        }
    }

    /// A resumed session (Session Present 1) moves from the latest earlier
    /// connection of the same client id; if none was seen, it is not known.
    fn resume_session(&mut self, conn: usize, id: Option<String>) {
        let from = self
            .conns
            .iter()
            .rev()
            .find(|(i, c)| {
                **i != conn && c.connect.as_ref().map(|k| &k.client_id) == id.as_ref() && c.accepted
            })
            .map(|(i, _)| *i);
        if let Some(f) = from {
            let old = self.conns.get_mut(&f).expect("exists");
            let s = core::mem::take(&mut old.session);
            let away = old.closed_at;
            let c = self.conns.get_mut(&conn).expect("exists");
            c.session = s;
            c.resumed_after = away.zip(c.connect_at.map(|r| r.time_ns));
        } else {
            let id = self.new_session_id();
            self.conns.get_mut(&conn).expect("exists").session.id = id;
        }
    }

    /// A number no session has had.
    fn new_session_id(&mut self) -> u64 {
        self.sessions += 1;
        self.sessions
    }

    /// At the close: a refused connection that the server sent nothing more on
    /// held the refusal rule; a SUBSCRIBE or UNSUBSCRIBE the connection stayed
    /// open a second or more after without its answer broke the answer rule
    /// (a server may instead close the connection on one it refuses).
    pub(super) fn requests_close(&mut self, conn: usize, end_ns: u64, closed: bool) {
        let Some(c) = self.conns.get_mut(&conn) else {
            return;
        };
        let proto = c.protocol.unwrap_or(Protocol::V311);
        let refused_clean = c.refused && !c.sent_after_refusal && closed;
        let requests = core::mem::take(&mut c.requests);
        if refused_clean {
            self.judge(Statement::CloseAfterRefusal, true, proto, Vec::new());
        }
        for (_, r) in requests {
            let (st, at) = match r {
                Request::Subscribe(_, at) => (Statement::SubackForSubscribe, at),
                Request::Unsubscribe(_, at) => (Statement::UnsubackForUnsubscribe, at),
            };
            if end_ns.saturating_sub(at.time_ns) >= 1_000_000_000 {
                self.judge(st, false, proto, vec![at]);
            }
        }
    }

    /// A PINGREQ still unanswered a second or more after it, when the
    /// connection ended or the run did, broke the PINGRESP rule.
    pub(super) fn pings_close(&mut self, conn: usize, end_ns: u64) {
        let Some(c) = self.conns.get_mut(&conn) else {
            return;
        };
        let proto = c.protocol.unwrap_or(Protocol::V311);
        let pings = core::mem::take(&mut c.pings);
        for ping in pings {
            if end_ns.saturating_sub(ping.time_ns) >= 1_000_000_000 {
                self.judge(Statement::PingrespForPingreq, false, proto, vec![ping]);
            }
        }
    }
}
