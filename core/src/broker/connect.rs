//! CONNECT: validation, every CONNACK code, session takeover, clean and persistent
//! sessions (§3.1, §3.2).

use crate::codec::{Connack, Connect, ConnectReturnCode, Packet, Protocol};
use crate::time::Instant;

use super::{log, Broker, BrokerEvent, CloseReason, ConnId, ResendReason, Session};

impl Broker {
    pub(super) fn on_connect(&mut self, now: Instant, conn: ConnId, mut c: Connect) {
        use ConnectReturnCode::*;
        if c.protocol == Protocol::V5 {
            // This broker speaks 3.1 and 3.1.1. From bytes, the decoder stops at
            // the level byte; a simulated client hands the packet over decoded, so
            // it takes the very same way: CONNACK 1, then close (MQTT-3.1.2-2).
            let level_at = 2 + 2 + c.protocol.name().len();
            let e = crate::codec::DecodeError::new(
                crate::codec::DecodeErrorKind::UnsupportedProtocol {
                    name: c.protocol.name().to_owned(),
                    level: c.protocol.level(),
                },
                level_at,
            );
            return self.decode_error(now, conn, e);
        }
        if c.client_id.is_empty() {
            // MQTT-3.1.3-7/8: a zero-length id needs clean session; 3.1 forbids it.
            if !c.clean_session
                || c.protocol == Protocol::V31
                || !self.config.allow_zero_length_client_id
            {
                return self.refuse(now, conn, IdentifierRejected);
            }
            c.client_id = self.assign_client_id();
        }
        // MQTT 3.1 limits client identifiers to 23 characters, but mosquitto
        // 2.0.11 takes longer ones on 3.1 as on 3.1.1 (MQTT-3.1.3-5), and so does
        // this broker (tests/tests/tools_diff.rs, case mqttv31-long-id).
        if self.config.rejected_client_ids.contains(&c.client_id) {
            return self.refuse(now, conn, IdentifierRejected);
        }
        if let Some(w) = &c.will {
            if let Some(limit) = self.config.topic_limit(w.topic.as_str()) {
                let topic = w.topic.as_str().to_owned();
                return self.close_for_topic(now, conn, limit, &topic);
            }
        }
        if let Some(max) = self.config.max_connections {
            let connected = self
                .conns
                .values()
                // A takeover does not add a client.
                .filter(|o| o.client_id.as_ref().is_some_and(|id| *id != c.client_id))
                .count();
            if connected >= max {
                return self.refuse(now, conn, ServerUnavailable);
            }
        }
        match &c.login {
            // An empty user table accepts any user name.
            Some(login) if !self.config.users.is_empty() => {
                let ok = match (self.config.users.get(&login.username), &login.password) {
                    (Some(want), Some(got)) => want.as_slice() == got.as_ref(),
                    _ => false,
                };
                if !ok {
                    return self.refuse(now, conn, BadUserNameOrPassword);
                }
            }
            None if !self.config.allow_anonymous => return self.refuse(now, conn, NotAuthorized),
            _ => {}
        }

        let client_id = c.client_id.clone();
        // Session takeover (MQTT-3.1.4-2): the old connection closes; mosquitto
        // publishes its will, as for any connection lost without DISCONNECT.
        if let Some(old) = self.sessions.get(&client_id).and_then(|s| s.conn) {
            if old != conn {
                self.log(now, || {
                    format!("Client {client_id} already connected, closing old connection.")
                });
                self.event(BrokerEvent::SessionTakenOver {
                    client_id: client_id.clone(),
                    old,
                    new: conn,
                });
                self.end_connection(now, old, CloseReason::TakenOver);
            }
        }

        // Clean session discards any stored state (MQTT-3.1.2-6); otherwise a stored
        // session resumes (MQTT-3.1.2-4) and CONNACK says so (MQTT-3.2.2-2).
        let session_present = if c.clean_session {
            if self.sessions.remove(&client_id).is_some() {
                self.subs.remove_client(&client_id);
            }
            false
        } else {
            self.sessions.contains_key(&client_id)
        };
        let session = self
            .sessions
            .entry(client_id.clone())
            .or_insert_with(|| Session::new(client_id.clone(), c.clean_session));
        session.clean = c.clean_session;
        session.conn = Some(conn);
        session.username = c.login.as_ref().map(|l| l.username.clone());

        let Some(cn) = self.conns.get_mut(&conn) else {
            return;
        };
        cn.client_id = Some(client_id.clone());
        cn.protocol = Some(c.protocol);
        cn.username = c.login.as_ref().map(|l| l.username.clone());
        cn.keep_alive = c.keep_alive;
        cn.will = c.will.clone();
        cn.touch(now);
        let peer = cn.peer.clone();
        self.reschedule(conn);

        self.log(now, || log::client_connected(&peer, &client_id, &c));
        for line in log::will_lines(&c) {
            self.log(now, || line);
        }
        self.send(
            now,
            conn,
            &client_id,
            Packet::Connack(Connack {
                session_present,
                code: Accepted,
            }),
        );
        self.event(BrokerEvent::ClientConnected {
            conn,
            client_id: client_id.clone(),
            clean_session: c.clean_session,
            keep_alive: c.keep_alive,
            session_present,
        });
        if session_present {
            self.resume_session(now, conn, &client_id);
        }
    }

    /// Resends what a persistent session left unacknowledged, with DUP=1 (or PUBREL
    /// for deliveries past PUBREC), then sends what was queued (MQTT-4.4.0-1).
    fn resume_session(&mut self, now: Instant, conn: ConnId, client_id: &str) {
        let Some(s) = self.sessions.get(client_id) else {
            return;
        };
        self.event(BrokerEvent::SessionResumed {
            client_id: client_id.to_owned(),
            inflight: s.outgoing.len(),
            queued: s.queue.len(),
        });
        self.resend(now, conn, client_id, None, ResendReason::SessionResumed);
        self.drain_queue(now, client_id);
    }

    /// Answers CONNECT with a refusal and closes the connection (MQTT-3.2.2-5).
    fn refuse(&mut self, now: Instant, conn: ConnId, code: ConnectReturnCode) {
        let Some(c) = self.conns.get(&conn) else {
            return;
        };
        // Before a client id is accepted mosquitto names the client by its address.
        let ip = c.peer.ip.clone();
        self.send(
            now,
            conn,
            &ip,
            Packet::Connack(Connack {
                session_present: false,
                code,
            }),
        );
        let why = match code {
            ConnectReturnCode::BadUserNameOrPassword | ConnectReturnCode::NotAuthorized => {
                "disconnected, not authorised."
            }
            ConnectReturnCode::ServerUnavailable => "disconnected, server unavailable.",
            _ => "disconnected due to protocol error.",
        };
        self.log(now, || format!("Client <unknown> {why}"));
        self.event(BrokerEvent::ConnectionRefused { conn, code });
        self.end_connection(now, conn, CloseReason::Refused(code));
    }

    /// A client identifier for a client that sent none, worded as mosquitto's:
    /// `auto-` and a UUID-like string, from the seeded generator.
    fn assign_client_id(&mut self) -> String {
        loop {
            let a = self.rng.next_u64();
            let b = self.rng.next_u64();
            let id = format!(
                "auto-{:08X}-{:04X}-{:04X}-{:04X}-{:012X}",
                a >> 32,
                (a >> 16) & 0xFFFF,
                a & 0xFFFF,
                b >> 48,
                b & 0xFFFF_FFFF_FFFF
            );
            if !self.sessions.contains_key(&id) {
                return id;
            }
        }
    }
}
