//! MQTT 5.0 Topic Aliases, as the server receives them: never 0
//! (MQTT-3.3.2-8; a PUBLISH with 0 does not even decode, and the codec names
//! the same number), accepted from 1 up to the Topic Alias Maximum the
//! server's CONNACK gave (MQTT-3.3.2-12), and not carried from one connection
//! to the next (MQTT-3.3.2-7). The server's answer tells: a DISCONNECT 0x94
//! (Topic Alias invalid) or 0x82 (Protocol Error) refuses a PUBLISH; its
//! PUBACK or PUBREC takes it. The maxima themselves are judged in
//! [`super::routing`] (MQTT-3.3.2-9, -11).

use super::{Checker, PacketRef, Statement};
use crate::capture::Direction;
use crate::codec::{v5, Protocol};

/// A client's PUBLISH whose alias the server's next word judges.
#[derive(Debug, Clone, Copy)]
pub struct AliasQuestion {
    /// The PUBLISH.
    pub at: PacketRef,
    /// Its packet identifier (QoS 1 and 2).
    pub pid: Option<u16>,
    /// Which statement the answer decides.
    pub statement: Statement,
}

/// Whether a server's packet refuses a client's Topic Alias.
fn refuses(p: &v5::Packet) -> bool {
    matches!(p, v5::Packet::Disconnect(d) if d.reason.is_some_and(|r| matches!(r.as_u8(), 0x82 | 0x94)))
}

impl Checker {
    /// A client's PUBLISH with Topic Alias `alias`, before the alias is
    /// looked up: `known` says whether this connection set it before.
    pub(super) fn alias_from_client(
        &mut self,
        at: PacketRef,
        m: &v5::Publish,
        alias: u16,
        known: bool,
    ) {
        // A PUBLISH with 0 is malformed: what decodes has another alias.
        self.judge(Statement::AliasNotZero, true, Protocol::V5, vec![at]);
        let Some(c) = self.conns.get(&at.conn) else {
            return;
        };
        let pid = m.qospid.pid().map(|p| p.get());
        let valid = alias <= c.alias_max[1] && (m.topic.is_some() || known);
        let question = if valid {
            Some(Statement::ServerAcceptsAliases)
        } else if m.topic.is_none()
            && !known
            && pid.is_some()
            && self.alias_set_before(at.conn, alias)
        {
            Some(Statement::AliasNotCarriedForward)
        } else {
            None
        };
        if let Some(statement) = question {
            let c = self.conns.get_mut(&at.conn).expect("exists");
            c.alias_questions.push(AliasQuestion { at, pid, statement });
        }
    }

    /// Whether an earlier connection of the same client set `alias`.
    fn alias_set_before(&self, conn: usize, alias: u16) -> bool {
        let Some(id) = self
            .conns
            .get(&conn)
            .and_then(|c| c.connect.as_ref())
            .map(|k| k.client_id.clone())
        else {
            return false;
        };
        self.conns.iter().any(|(i, o)| {
            *i != conn
                && o.connect.as_ref().is_some_and(|k| k.client_id == id)
                && o.aliases[0].contains_key(&alias)
        })
    }

    /// The server's next packet answers the client's PUBLISHes with aliases.
    pub(super) fn alias_answer(&mut self, at: PacketRef, p: &v5::Packet) {
        if at.direction != Direction::ToClient {
            return;
        }
        let Some(c) = self.conns.get_mut(&at.conn) else {
            return;
        };
        if c.alias_questions.is_empty() {
            return;
        }
        let refused = refuses(p);
        let acked = match p {
            v5::Packet::Puback(a) => Some((a.pid.get(), a.reason.is_none_or(|r| r.as_u8() < 0x80))),
            v5::Packet::Pubrec(a) => Some((a.pid.get(), a.reason.is_none_or(|r| r.as_u8() < 0x80))),
            _ => None,
        };
        let mut verdicts = Vec::new();
        c.alias_questions.retain(|q| {
            let verdict = match q.statement {
                // Anything but a refusal: it went on with the connection.
                Statement::ServerAcceptsAliases => Some(!refused),
                _ if refused => Some(true),
                _ => match acked {
                    Some((pid, ok)) if Some(pid) == q.pid => Some(!ok),
                    _ => None,
                },
            };
            if let Some(ok) = verdict {
                verdicts.push((q.statement, ok, vec![q.at, at]));
            }
            verdict.is_none()
        });
        for (s, ok, refs) in verdicts {
            self.judge(s, ok, Protocol::V5, refs);
        }
    }

    /// The connection ended, or the run did (`by_client`: the client closed
    /// it, or it was still open): a PUBLISH naming an alias of an earlier
    /// connection that the server never acknowledged, and then closed on, was
    /// refused; the server that let the client go on to the end accepted its
    /// aliases.
    pub(super) fn alias_close(&mut self, conn: usize, by_client: bool) {
        let Some(c) = self.conns.get_mut(&conn) else {
            return;
        };
        let questions = core::mem::take(&mut c.alias_questions);
        for q in questions {
            let judged = match q.statement {
                Statement::ServerAcceptsAliases => by_client,
                _ => !by_client,
            };
            if judged {
                self.judge(q.statement, true, Protocol::V5, vec![q.at]);
            }
        }
    }
}
