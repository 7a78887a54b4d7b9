//! CONNECT: validation, every CONNACK code, session takeover, Clean Start and
//! Session Expiry (§3.1, §3.2), at any protocol level.
//!
//! The steps are `on_connect` (read and check the packet, answer what is wrong
//! with it), then [`Broker::authenticate`] (who may connect), then `accept`
//! (take over, start or resume the session, CONNACK). Enhanced authentication
//! (AUTH, §4.12) takes the place of the second when CONNECT names a method
//! (`enhanced_auth.rs`).

use crate::codec::properties::{AssignedClientIdentifier, Property, ReasonString, ServerReference};
use crate::codec::reason_codes::{ConnackReasonCode, DisconnectReasonCode};
use crate::codec::{convert, v5, Protocol};
use crate::time::Instant;

use super::connection::PeerLimits;
use super::{
    log, Broker, BrokerEvent, CloseReason, ConnId, Message, OutStage, ResendReason, Session,
};

/// A CONNECT as the broker reads it: the 5.0 packet, and the level it came at.
#[derive(Debug, Clone)]
pub(super) struct ConnectRequest {
    pub protocol: Protocol,
    pub connect: v5::Connect,
    /// Session Expiry Interval asked for (3.1.1: 0 for clean session, else never).
    pub session_expiry: u32,
    pub limits: PeerLimits,
    /// Whether the client identifier was assigned by the broker.
    pub assigned: bool,
    /// More CONNACK properties (enhanced authentication's method and data).
    pub connack_properties: Vec<Property>,
}

impl Broker {
    pub(super) fn on_connect(
        &mut self,
        now: Instant,
        conn: ConnId,
        protocol: Protocol,
        mut c: v5::Connect,
    ) {
        use ConnackReasonCode as R;
        if let Some(cn) = self.conns.get_mut(&conn) {
            // Every answer, a refusal included, goes at the client's level.
            cn.protocol = Some(protocol);
        }
        let v5 = protocol == Protocol::V5;
        let mut session_expiry = 0;
        let mut limits = PeerLimits::default();
        let mut auth_method = None;
        for p in &c.properties {
            match p {
                Property::SessionExpiryInterval(s) => session_expiry = s.0,
                Property::ReceiveMaximum(r) => limits.receive_maximum = r.0,
                Property::MaximumPacketSize(m) => limits.max_packet_size = Some(m.0),
                Property::TopicAliasMaximum(t) => limits.topic_alias_maximum = t.0,
                Property::RequestProblemInformation(r) => limits.problem_information = r.0 != 0,
                Property::AuthenticationMethod(m) => auth_method = Some(m.0.clone()),
                _ => {}
            }
        }
        if let Some(r) = &self.config.v5.server_reference {
            if v5 {
                let code = if r.moved {
                    R::ServerMoved
                } else {
                    R::UseAnotherServer
                };
                let props = vec![ServerReference(r.reference.clone()).into()];
                return self.refuse_with(now, conn, code, props);
            }
        }
        if self.config.v5.only && !v5 {
            return self.refuse(now, conn, R::UnsupportedProtocolVersion);
        }
        let mut assigned = false;
        if c.client_id.is_empty() {
            // MQTT-3.1.3-7/8: a zero-length id needs clean session in 3.1.1 and
            // is refused in 3.1; 5.0 assigns one whatever Clean Start says
            // (MQTT-3.1.3-6) and tells it (MQTT-3.2.2-16).
            let allowed = match protocol {
                Protocol::V31 => false,
                Protocol::V311 => c.clean_start,
                Protocol::V5 => true,
            };
            if !allowed || !self.config.allow_zero_length_client_id {
                return self.refuse(now, conn, R::ClientIdentifierNotValid);
            }
            c.client_id = self.assign_client_id();
            assigned = true;
        }
        // MQTT 3.1 limits client identifiers to 23 characters, but mosquitto
        // 2.0.11 takes longer ones on 3.1 as on 3.1.1 (MQTT-3.1.3-5), and so does
        // this broker (tests/tests/tools_diff.rs, case mqttv31-long-id).
        if self.config.rejected_client_ids.contains(&c.client_id) {
            return self.refuse(now, conn, R::ClientIdentifierNotValid);
        }
        if let Some(w) = &c.will {
            if let Some(limit) = self.config.topic_limit(w.topic.as_str()) {
                let topic = w.topic.as_str().to_owned();
                return self.close_for_topic(now, conn, limit, &topic);
            }
            // MQTT-3.2.2-12, -13: a will the broker could not publish.
            if w.qos > self.config.v5.maximum_qos {
                return self.refuse(now, conn, R::QosNotSupported);
            }
            if w.retain && !self.config.v5.retain_available {
                return self.refuse(now, conn, R::RetainNotSupported);
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
                return self.refuse(now, conn, R::ServerUnavailable);
            }
        }
        if auth_method.is_none() {
            if let Err(code) = self.authenticate(&c) {
                return self.refuse(now, conn, code);
            }
        }
        if protocol != Protocol::V5 {
            // A 3.1.1 client's properties come from convert: clean session 0 is
            // a session that never expires.
            session_expiry = if c.clean_start { 0 } else { u32::MAX };
        }
        let req = ConnectRequest {
            protocol,
            connect: c,
            session_expiry,
            limits,
            assigned,
            connack_properties: Vec::new(),
        };
        match auth_method {
            // The method authenticates instead of the user table (§4.12).
            Some(method) => self.begin_enhanced_auth(now, conn, method, req),
            None => self.accept(now, conn, req),
        }
    }

    /// Who may connect: the user table and `allow_anonymous`. An empty user table
    /// accepts any user name.
    pub(super) fn authenticate(&self, c: &v5::Connect) -> Result<(), ConnackReasonCode> {
        match &c.username {
            Some(username) if !self.config.users.is_empty() => {
                let ok = match (self.config.users.get(username), &c.password) {
                    (Some(want), Some(got)) => want.as_slice() == got.as_ref(),
                    _ => false,
                };
                if ok {
                    Ok(())
                } else {
                    Err(ConnackReasonCode::BadUserNameOrPassword)
                }
            }
            None if !self.config.allow_anonymous => Err(ConnackReasonCode::NotAuthorized),
            _ => Ok(()),
        }
    }

    /// Takes over any connection of the same client, starts or resumes its
    /// session, and answers CONNACK.
    pub(super) fn accept(&mut self, now: Instant, conn: ConnId, req: ConnectRequest) {
        let ConnectRequest {
            protocol,
            connect: c,
            session_expiry,
            limits,
            assigned,
            connack_properties,
        } = req;
        let client_id = c.client_id.clone();
        // Session takeover (MQTT-3.1.4-2): the old connection closes; mosquitto
        // publishes its will, as for any connection lost without DISCONNECT. A
        // 5.0 client hears why, 0x8E (MQTT-3.1.4-3; mosquitto 2.0.11 closes
        // without a word).
        if let Some(old) = self.sessions.get(&client_id).and_then(|s| s.conn) {
            if old != conn {
                self.log(now, || {
                    format!("Client {client_id} already connected, closing old connection.")
                });
                self.event(|| BrokerEvent::SessionTakenOver {
                    client_id: client_id.clone(),
                    old,
                    new: conn,
                });
                self.send_disconnect(now, old, DisconnectReasonCode::SessionTakenOver, None);
                self.end_connection(now, old, CloseReason::TakenOver);
            }
        }

        // Clean Start discards any stored state (MQTT-3.1.2-4; 3.1.1
        // MQTT-3.1.2-6); otherwise a stored session resumes (MQTT-3.1.2-5) and
        // CONNACK says so (MQTT-3.2.2-2, -3).
        let session_present = if c.clean_start {
            self.discard_session(now, &client_id);
            false
        } else {
            self.sessions.contains_key(&client_id)
        };
        let session = self
            .sessions
            .entry(client_id.clone())
            .or_insert_with(|| Box::new(Session::new(client_id.clone(), session_expiry)));
        session.clean = session_expiry == 0;
        session.expiry_interval = session_expiry;
        session.conn = Some(conn);
        session.username = c.username.clone();
        if let Some(at) = session.expires_at.take() {
            self.session_schedule.remove(&(at, client_id.clone()));
        }
        // A will waiting for its delay is cancelled by the reconnection
        // (MQTT-3.1.3-9).
        self.cancel_delayed_will(&client_id);

        let keep_alive = match (protocol, self.config.v5.server_keep_alive) {
            (Protocol::V5, Some(k)) => k,
            _ => c.keep_alive,
        };
        let Some(cn) = self.conns.get_mut(&conn) else {
            return;
        };
        cn.client_id = Some(client_id.clone());
        cn.username = c.username.clone();
        cn.keep_alive = keep_alive;
        cn.will = c.will.clone().map(Box::new);
        cn.peer_limits = limits;
        cn.session_expiry = session_expiry;
        cn.touch(now);
        let peer = cn.peer.clone();
        self.reschedule(conn);

        self.log(now, || {
            log::client_connected(&peer, &client_id, protocol, &c, keep_alive)
        });
        for line in log::will_lines(c.will.as_ref()) {
            self.log(now, || line);
        }
        let mut properties = Vec::new();
        if protocol == Protocol::V5 {
            if assigned {
                properties.push(AssignedClientIdentifier(client_id.clone()).into());
            }
            properties.extend(
                self.config
                    .v5
                    .connack_properties(self.config.max_packet_size),
            );
            properties.extend(connack_properties);
        }
        self.send(
            now,
            conn,
            &client_id,
            v5::Packet::Connack(v5::Connack {
                session_present,
                reason: ConnackReasonCode::Success,
                properties,
            }),
        );
        self.event(|| BrokerEvent::ClientConnected {
            conn,
            client_id: client_id.clone(),
            clean_session: c.clean_start,
            keep_alive,
            session_present,
        });
        if session_present {
            self.resume_session(now, conn, &client_id);
        }
    }

    /// Forgets a stored session and its subscriptions. What it held through a
    /// shared subscription and the client had not acknowledged goes to another
    /// member of the group (§4.8.2's SHOULD for QoS 1; mosquitto 2.0.11 drops
    /// it with the session), and so does what was still queued for it. A QoS 2
    /// PUBLISH already sent does not: the member may have passed it on, and
    /// MQTT-4.8.2-5 forbids sending it to anyone else.
    pub(super) fn discard_session(&mut self, now: Instant, client_id: &str) {
        let Some(s) = self.sessions.remove(client_id) else {
            return;
        };
        self.subs.remove_client(client_id);
        if let Some(at) = s.expires_at {
            self.session_schedule.remove(&(at, client_id.to_owned()));
        }
        let unfinished = s
            .outgoing
            .iter()
            .filter(|o| o.stage == OutStage::AwaitPuback)
            .map(|o| o.msg.clone())
            .chain(s.queue.iter().cloned());
        let shared: Vec<Message> = unfinished.filter(|m| m.shared.is_some()).collect();
        for msg in shared {
            let Some(key) = msg.shared.clone() else {
                continue;
            };
            let sessions = &self.sessions;
            let next = self
                .subs
                .shared_member(&key, |c| sessions.get(c).is_some_and(|s| s.conn.is_some()));
            if let Some((member, m)) = next {
                let copy = Message {
                    qos: msg.qos.min(m.qos),
                    subscription_ids: m.ids,
                    ..msg
                };
                self.deliver(now, &member, copy);
            }
        }
    }

    /// Resends what a persistent session left unacknowledged, with DUP=1 (or PUBREL
    /// for deliveries past PUBREC), then sends what was queued (MQTT-4.4.0-1).
    fn resume_session(&mut self, now: Instant, conn: ConnId, client_id: &str) {
        let Some(s) = self.sessions.get(client_id) else {
            return;
        };
        let (inflight, queued) = (s.outgoing.len(), s.queue.len());
        self.event(|| BrokerEvent::SessionResumed {
            client_id: client_id.to_owned(),
            inflight,
            queued,
        });
        self.resend(now, conn, client_id, None, ResendReason::SessionResumed);
        self.drain_queue(now, client_id);
    }

    /// Answers CONNECT with a refusal and closes the connection (MQTT-3.2.2-5;
    /// 5.0 MQTT-3.2.2-7). A 3.1/3.1.1 client gets the nearest 3.1.1 code.
    pub(super) fn refuse(&mut self, now: Instant, conn: ConnId, code: ConnackReasonCode) {
        self.refuse_with(now, conn, code, Vec::new());
    }

    fn refuse_with(
        &mut self,
        now: Instant,
        conn: ConnId,
        code: ConnackReasonCode,
        mut properties: Vec<Property>,
    ) {
        let Some(c) = self.conns.get(&conn) else {
            return;
        };
        // Before a client id is accepted mosquitto names the client by its address.
        let ip = c.peer.ip.clone();
        let v3 = convert::connack_code_v3(code);
        if c.is_v5() && c.peer_limits.problem_information {
            properties.push(ReasonString(code.name().to_owned()).into());
        }
        self.send(
            now,
            conn,
            &ip,
            v5::Packet::Connack(v5::Connack {
                session_present: false,
                reason: code,
                properties,
            }),
        );
        let why = match v3 {
            crate::codec::ConnectReturnCode::BadUserNameOrPassword
            | crate::codec::ConnectReturnCode::NotAuthorized => "disconnected, not authorised.",
            crate::codec::ConnectReturnCode::ServerUnavailable => {
                "disconnected, server unavailable."
            }
            _ => "disconnected due to protocol error.",
        };
        self.log(now, || format!("Client <unknown> {why}"));
        self.event(|| BrokerEvent::ConnectionRefused { conn, code: v3 });
        self.end_connection(now, conn, CloseReason::Refused(v3));
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
