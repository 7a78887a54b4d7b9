//! Packet identifiers and the QoS 1 and QoS 2 exchanges: a new packet takes
//! an identifier not in use, a PUBLISH sent again has DUP 1, each
//! acknowledgement answers a PUBLISH in flight with the packet its QoS calls
//! for, in order; and (5.0) neither side has more QoS 1 and 2 messages
//! unacknowledged than the other's Receive Maximum.

use super::{side, BTreeMap, Checker, PacketRef, Statement};
use crate::capture::Direction;
use crate::codec::{v5, Protocol, QosPid};

/// Where a QoS 1 or 2 exchange stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// PUBLISH sent.
    Published,
    /// PUBREC received (QoS 2).
    Received,
    /// PUBREL sent (QoS 2).
    Released,
}

/// A PUBLISH in flight.
#[derive(Debug, Clone)]
pub struct Flight {
    /// 1 or 2.
    pub qos: u8,
    /// Where it stands.
    pub stage: Stage,
    /// Its topic (as written: empty when only an alias names it).
    pub topic: String,
    /// Its payload.
    pub payload: Vec<u8>,
    /// The PUBLISH.
    pub at: PacketRef,
    /// The message it carries, as [`super::routing`] numbers them (set there):
    /// a PUBLISH sent again on a resumed session's next connection, or a
    /// PUBREL, names its message through it.
    pub msg: Option<usize>,
}

/// A session's state the checker follows (it moves with a resumed session).
#[derive(Debug, Clone, Default)]
pub struct Session {
    /// Its number (1, 2, ...; 0 before a CONNACK began or resumed one): the
    /// identity a delivery is remembered by, since a session outlives its
    /// connections.
    pub id: u64,
    /// Whether it was seen from its start (CONNACK Session Present 0), so that
    /// what is missing from it is known to be missing.
    pub known: bool,
    /// PUBLISHes in flight, by sender (client 0, server 1).
    pub flights: [BTreeMap<u16, Flight>; 2],
    /// Identifiers of exchanges each sender (client 0, server 1) saw completed:
    /// an acknowledgement sent again for one (after a PUBLISH sent again, say)
    /// is not judged.
    pub done: [std::collections::BTreeSet<u16>; 2],
    /// The client's subscriptions.
    pub subs: Vec<super::routing::Sub>,
}

fn other(d: Direction) -> usize {
    1 - side(d)
}

impl Checker {
    /// The QoS rules. Returns whether a PUBLISH is a new message (not one
    /// sent again).
    pub(super) fn qos_packet(&mut self, at: PacketRef, protocol: Protocol, p: &v5::Packet) -> bool {
        let Some(c) = self.conns.get_mut(&at.conn) else {
            return false;
        };
        let proto = c.protocol.unwrap_or(protocol);
        let known = c.session.known;
        let s = side(at.direction);
        let mut verdicts: Vec<(Statement, bool)> = Vec::new();
        let mut new_message = false;
        // The client's identifiers and the server's are two rules.
        let unused = if s == 0 {
            Statement::PacketIdUnused
        } else {
            Statement::ServerPacketIdUnused
        };
        let ack = |pid: crate::codec::Pid| pid.get();
        match p {
            v5::Packet::Publish(m) => {
                let Some(pid) = m.qospid.pid() else {
                    return true;
                };
                let qos = if matches!(m.qospid, QosPid::ExactlyOnce(_)) {
                    2
                } else {
                    1
                };
                let topic = m
                    .topic
                    .as_ref()
                    .map(|t| t.as_str().to_string())
                    .unwrap_or_default();
                let payload = m.payload.to_vec();
                let pid = pid.get();
                let requests_hold = s == 0 && c.requests.contains_key(&pid);
                match c.session.flights[s].get(&pid) {
                    Some(f) => {
                        let same = f.payload == payload
                            && (f.topic == topic || topic.is_empty() || f.topic.is_empty());
                        if m.dup {
                            verdicts.push((Statement::DupOnResend, true));
                        } else if same {
                            verdicts.push((Statement::DupOnResend, false));
                        } else {
                            verdicts.push((unused, false));
                            new_message = true;
                        }
                        if !same {
                            c.session.flights[s].insert(
                                pid,
                                Flight {
                                    qos,
                                    stage: Stage::Published,
                                    topic,
                                    payload,
                                    at,
                                    msg: None,
                                },
                            );
                        }
                    }
                    None => {
                        new_message = true;
                        c.session.done[s].remove(&pid);
                        if known {
                            verdicts.push((unused, !requests_hold));
                        }
                        c.session.flights[s].insert(
                            pid,
                            Flight {
                                qos,
                                stage: Stage::Published,
                                topic,
                                payload,
                                at,
                                msg: None,
                            },
                        );
                        if proto == Protocol::V5 {
                            let (limit, st) = if s == 0 {
                                (c.receive_max[1], Statement::ClientReceiveMaximum)
                            } else {
                                (c.receive_max[0], Statement::ServerReceiveMaximum)
                            };
                            if known {
                                verdicts
                                    .push((st, c.session.flights[s].len() <= usize::from(limit)));
                            }
                        }
                    }
                }
            }
            v5::Packet::Puback(a) => {
                let o = other(at.direction);
                match c.session.flights[o].get(&ack(a.pid)) {
                    Some(f) if f.qos == 1 => {
                        c.session.flights[o].remove(&ack(a.pid));
                        c.session.done[o].insert(ack(a.pid));
                        verdicts.push((Statement::AckMatchesPublish, true));
                        verdicts.push((Statement::PubackForQos1, true));
                    }
                    Some(_) => verdicts.push((Statement::PubrecForQos2, false)),
                    None if known && !c.session.done[o].contains(&ack(a.pid)) => {
                        verdicts.push((Statement::AckMatchesPublish, false))
                    }
                    None => {}
                }
            }
            v5::Packet::Pubrec(a) => {
                let o = other(at.direction);
                let failed = a.reason.is_some_and(|r| r.as_u8() >= 0x80);
                match c.session.flights[o].get_mut(&ack(a.pid)) {
                    Some(f) if f.qos == 2 => {
                        verdicts.push((Statement::AckMatchesPublish, true));
                        verdicts.push((Statement::PubrecForQos2, true));
                        if f.stage == Stage::Published {
                            f.stage = Stage::Received;
                        }
                        if failed {
                            c.session.flights[o].remove(&ack(a.pid));
                            c.session.done[o].insert(ack(a.pid));
                        }
                    }
                    Some(_) => verdicts.push((Statement::PubackForQos1, false)),
                    None if known && !c.session.done[o].contains(&ack(a.pid)) => {
                        verdicts.push((Statement::AckMatchesPublish, false))
                    }
                    None => {}
                }
            }
            v5::Packet::Pubrel(a)
                if c.session.done[s].contains(&ack(a.pid))
                    && !c.session.flights[s].contains_key(&ack(a.pid)) => {}
            v5::Packet::Pubcomp(a)
                if c.session.done[other(at.direction)].contains(&ack(a.pid))
                    && !c.session.flights[other(at.direction)].contains_key(&ack(a.pid)) => {}
            v5::Packet::Pubrel(a) => match c.session.flights[s].get_mut(&ack(a.pid)) {
                Some(f) if f.qos == 2 => {
                    verdicts.push((Statement::AckMatchesPublish, true));
                    verdicts.push((Statement::PubrelAfterPubrec, f.stage != Stage::Published));
                    f.stage = Stage::Released;
                }
                Some(_) => verdicts.push((Statement::PubrelAfterPubrec, false)),
                None if known && !c.session.done[s].contains(&ack(a.pid)) => {
                    verdicts.push((Statement::AckMatchesPublish, false))
                }
                None => {}
            },
            v5::Packet::Pubcomp(a) => {
                let o = other(at.direction);
                match c.session.flights[o].get(&ack(a.pid)) {
                    Some(f) if f.qos == 2 => {
                        verdicts.push((Statement::AckMatchesPublish, true));
                        verdicts.push((Statement::PubcompAfterPubrel, f.stage == Stage::Released));
                        c.session.flights[o].remove(&ack(a.pid));
                        c.session.done[o].insert(ack(a.pid));
                    }
                    Some(_) => verdicts.push((Statement::PubackForQos1, false)),
                    None if known && !c.session.done[o].contains(&ack(a.pid)) => {
                        verdicts.push((Statement::AckMatchesPublish, false))
                    }
                    None => {}
                }
            }
            v5::Packet::Subscribe(v5::Subscribe { pid, .. })
            | v5::Packet::Unsubscribe(v5::Unsubscribe { pid, .. }) => {
                let busy = c.requests.contains_key(&pid.get())
                    || c.session.flights[0].contains_key(&pid.get());
                if known {
                    verdicts.push((Statement::PacketIdUnused, !busy));
                }
            }
            _ => {}
        }
        for (st, ok) in verdicts {
            self.judge(st, ok, proto, vec![at]);
        }
        new_message
    }

    /// The connection ended with exchanges open: a note (the session may
    /// finish them on a later connection).
    pub(super) fn qos_close(&mut self, conn: usize) {
        let Some(c) = self.conns.get(&conn) else {
            return;
        };
        let proto = c.protocol.unwrap_or(Protocol::V311);
        let open: Vec<PacketRef> = c
            .session
            .flights
            .iter()
            .flat_map(|m| m.values().map(|f| f.at))
            .collect();
        if !open.is_empty() {
            self.judge(Statement::ExchangeOpenAtClose, false, proto, open);
        }
    }
}
