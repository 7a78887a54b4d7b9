//! Subscriptions and deliveries: SUBACK answers its SUBSCRIBE with one code
//! per filter and grants no more than asked; the server sends a client only
//! what matches its subscriptions, at min(published, granted) QoS, with RETAIN
//! set on a retained message sent for a new subscription and clear on a live
//! one, in the order each publisher sent them; and every subscriber whose
//! subscription matches gets the message.

use super::connection::Conn;
use super::{side, BTreeMap, BTreeSet, Checker, PacketRef, Statement};
use crate::capture::Direction;
use crate::codec::{v5, Protocol, QoS};
use crate::topic::matches;

/// A subscription as the checker follows it.
#[derive(Debug, Clone)]
pub struct Sub {
    /// The filter (of a shared subscription, the part after `$share/GROUP/`).
    pub filter: String,
    /// Whether it is a shared subscription (one of its group gets each message).
    pub shared: bool,
    /// Granted QoS (None until the SUBACK, or if refused).
    pub granted: Option<u8>,
    /// 5.0 Retain As Published.
    pub rap: bool,
    /// 5.0 No Local.
    pub no_local: bool,
    /// When the SUBSCRIBE was seen.
    pub asked_ns: u64,
    /// When the SUBACK granted it.
    pub granted_ns: Option<u64>,
    /// When an UNSUBSCRIBE of it was seen.
    pub until_ns: Option<u64>,
}

/// A SUBSCRIBE or UNSUBSCRIBE waiting for its answer.
#[derive(Debug, Clone)]
pub enum Request {
    /// Filters and requested QoS.
    Subscribe(Vec<(String, u8)>, PacketRef),
    /// Filters.
    Unsubscribe(usize, PacketRef),
}

/// A message the broker received (or a will it has to publish).
#[derive(Debug, Clone)]
pub struct Msg {
    /// The publishing connection.
    pub conn: usize,
    /// Topic.
    pub topic: String,
    /// Payload.
    pub payload: Vec<u8>,
    /// QoS.
    pub qos: u8,
    /// RETAIN.
    pub retain: bool,
    /// When the broker had it.
    pub time_ns: u64,
    /// Order among the publisher's messages.
    pub seq: u64,
    /// A will (judged by the will statement).
    pub will: bool,
    /// The PUBLISH (or the close, for a will).
    pub at: PacketRef,
    /// Connections it was delivered to.
    pub delivered: BTreeSet<usize>,
    /// Sessions it was delivered to (see [`super::qos::Session::id`]): a
    /// delivery on a resumed session's next connection is not a first one.
    pub sessions: BTreeSet<u64>,
    /// When the server acknowledged it (PUBACK, or PUBCOMP for QoS 2), if it did.
    pub acked_ns: Option<u64>,
    /// 5.0: its Message Expiry Interval as the server received it, seconds.
    pub expiry: Option<u32>,
    /// QoS 2: when the client released it (PUBREL). A server may route a QoS 2
    /// message on its PUBLISH or only on its PUBREL (mosquitto does the
    /// latter; MQTT 3.1.1 4.3.3 and 5.0 4.3.3 allow either).
    pub released_ns: Option<u64>,
    /// Its order among everything the checker saw (see [`Checker`]'s `seen`).
    pub seen: u64,
}

impl Msg {
    /// The latest time the server can have routed it: on arrival, or for a
    /// released QoS 2 message at its PUBREL.
    pub fn routed_by(&self) -> u64 {
        match self.released_ns {
            Some(t) if self.qos == 2 && !self.will => t,
            _ => self.time_ns,
        }
    }
}

/// A delivery (a server's PUBLISH that is not one sent again) as the checker
/// remembers it for a while: a will is published just before its
/// connection's end is seen, so a delivery of its words may be seen before
/// the will is known.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The connection it went to.
    pub conn: usize,
    /// That connection's session.
    pub session: u64,
    /// Topic.
    pub topic: String,
    /// Payload.
    pub payload: Vec<u8>,
    /// When it was seen.
    pub time_ns: u64,
    /// The message it was taken to carry, if any, and whether it was the
    /// first to bring that message to the connection and to the session (so
    /// that a will claiming it can take it back).
    pub msg: Option<(usize, bool, bool)>,
}

/// What the checker knows of the broker's routing.
#[derive(Debug, Clone, Default)]
pub struct Routing {
    /// Every message, in order of arrival.
    pub messages: Vec<Msg>,
    /// Messages by (topic, payload).
    pub by_content: BTreeMap<(String, Vec<u8>), Vec<usize>>,
    /// Last sequence number delivered per (subscriber, publisher, topic, QoS).
    pub last_seq: BTreeMap<(usize, usize, String, u8), u64>,
    /// Deliveries of no message seen, until a will claims them.
    pub orphans: Vec<Delivery>,
    /// Deliveries of the last second, whatever they were matched to, until a
    /// will claims them (a will is published just before its connection's
    /// end is seen).
    pub recent: std::collections::VecDeque<Delivery>,
    /// A client's QoS 1/2 message waiting for the server's acknowledgement:
    /// (connection, packet identifier) to its index.
    pub unacked: BTreeMap<(usize, u16), usize>,
    /// Wills discarded on DISCONNECT: (topic, payload, time, close).
    pub discarded: Vec<(String, Vec<u8>, u64, PacketRef)>,
    /// 5.0 wills waiting for their Will Delay Interval.
    pub delayed: Vec<super::will::DelayedWill>,
    /// 5.0 delayed wills cancelled by their client's return: (topic,
    /// payload, time, the returning CONNECT).
    pub cancelled: Vec<(String, Vec<u8>, u64, PacketRef)>,
    next_seq: u64,
}

fn qos_u8(q: QoS) -> u8 {
    q.as_u8()
}

impl Routing {
    /// Records a message the broker has.
    pub fn add(&mut self, m: Msg) {
        let i = self.messages.len();
        self.by_content
            .entry((m.topic.clone(), m.payload.clone()))
            .or_default()
            .push(i);
        self.messages.push(Msg {
            seq: self.next_seq,
            ..m
        });
        self.next_seq += 1;
    }
}

impl Checker {
    /// The message a delivery to `conn` (RETAIN as `retain`) carries, among
    /// those with its topic and payload that the server had by `now`.
    ///
    /// Words alone do not tell two messages apart (a client's will has the
    /// same words each time), so the checker takes the one the server could
    /// have sent there: a message the connection's session was subscribed to
    /// when it was routed (or, for a copy with RETAIN 1, a retained one), and
    /// that the session has not had yet; one routed while this connection
    /// was already accepted (which the server had to send it then) before one
    /// that may have waited in the session, and in each one routed after the
    /// subscription's SUBACK before one that came with the SUBSCRIBE (oldest
    /// first in each); else the
    /// newest it could have sent (a copy for a second matching subscription),
    /// else the newest of all.
    fn origin(
        &self,
        topic: &str,
        payload: &[u8],
        now: u64,
        conn: usize,
        retain: bool,
    ) -> Option<usize> {
        let v = self
            .routing
            .by_content
            .get(&(topic.to_string(), payload.to_vec()))?;
        let c = self.conns.get(&conn)?;
        let msgs = &self.routing.messages;
        let ready: Vec<usize> = v
            .iter()
            .copied()
            .filter(|i| msgs[*i].time_ns <= now)
            .collect();
        // Whether the connection's session could have had message `i`: it was
        // subscribed when the message was routed. `sure`: the server had
        // certainly taken the subscription before the message came (its SUBACK
        // was sent before); a message at the instant of the SUBSCRIBE may have
        // been routed before it and not sent here at all.
        let could = |i: &usize, sure: bool| {
            let m = &msgs[*i];
            (retain && m.retain)
                || !c.session.known
                || c.session.subs.iter().any(|s| {
                    let taken = if sure {
                        s.granted_ns.is_some_and(|g| g < m.time_ns)
                    } else {
                        s.asked_ns <= m.routed_by()
                    };
                    matches(&s.filter, &m.topic)
                        && taken
                        && s.until_ns.is_none_or(|u| u >= m.time_ns)
                })
        };
        let possible = |i: &usize| could(i, false);
        let sure = |i: &usize| could(i, true);
        let new_here = |i: &usize| {
            let m = &msgs[*i];
            !m.delivered.contains(&conn) && !m.sessions.contains(&c.session.id)
        };
        let live = |i: &usize| c.accepted_seen.is_some_and(|a| a <= msgs[*i].seen);
        let first = |f: &dyn Fn(&usize) -> bool| ready.iter().copied().find(|i| f(i));
        first(&|i| sure(i) && new_here(i) && live(i))
            .or_else(|| first(&|i| possible(i) && new_here(i) && live(i)))
            .or_else(|| first(&|i| sure(i) && new_here(i)))
            .or_else(|| first(&|i| possible(i) && new_here(i)))
            .or_else(|| ready.iter().copied().rfind(possible))
            .or_else(|| ready.last().copied())
    }

    /// Resolves a PUBLISH's topic through the connection's aliases, judging
    /// the 5.0 Topic Alias Maximum.
    fn topic_of(&mut self, at: PacketRef, proto: Protocol, m: &v5::Publish) -> Option<String> {
        let c = self.conns.get_mut(&at.conn)?;
        let s = side(at.direction);
        let alias = m.topic_alias();
        if let (Some(a), 0) = (alias, s) {
            let known = c.aliases[0].contains_key(&a);
            self.alias_from_client(at, m, a, known);
        }
        let c = self.conns.get_mut(&at.conn)?;
        let topic = match (m.topic.as_ref(), alias) {
            (Some(t), Some(a)) => {
                c.aliases[s].insert(a, t.as_str().to_string());
                Some(t.as_str().to_string())
            }
            (Some(t), None) => Some(t.as_str().to_string()),
            (None, Some(a)) => c.aliases[s].get(&a).cloned(),
            (None, None) => None,
        };
        if let Some(a) = alias {
            let (max, st) = if s == 0 {
                (c.alias_max[1], Statement::ClientTopicAliasMaximum)
            } else {
                (c.alias_max[0], Statement::ServerTopicAliasMaximum)
            };
            self.judge(st, a <= max, proto, vec![at]);
        }
        topic
    }

    pub(super) fn routing_packet(
        &mut self,
        at: PacketRef,
        protocol: Protocol,
        p: &v5::Packet,
        new_message: bool,
    ) {
        let Some(c) = self.conns.get(&at.conn) else {
            return;
        };
        let proto = c.protocol.unwrap_or(protocol);
        match (at.direction, p) {
            (Direction::ToServer, v5::Packet::Publish(m)) => {
                let Some(topic) = self.topic_of(at, proto, m) else {
                    return;
                };
                let new = new_message || m.qospid.pid().is_none();
                if new {
                    let i = self.routing.messages.len();
                    if let Some(pid) = m.qospid.pid() {
                        self.routing.unacked.insert((at.conn, pid.get()), i);
                        self.flight_carries(at, pid.get(), i);
                    }
                    let seen = self.seen;
                    self.routing.add(Msg {
                        conn: at.conn,
                        topic,
                        payload: m.payload.to_vec(),
                        qos: qos_u8(m.qospid.qos()),
                        retain: m.retain,
                        time_ns: at.time_ns,
                        seq: 0,
                        will: false,
                        at,
                        delivered: BTreeSet::new(),
                        sessions: BTreeSet::new(),
                        acked_ns: None,
                        released_ns: None,
                        seen,
                        expiry: super::expiry::message_expiry(&m.properties),
                    });
                }
            }
            (Direction::ToServer, v5::Packet::Pubrel(a)) => {
                if let Some(i) = self.flight_msg(at, a.pid.get()) {
                    self.routing.messages[i]
                        .released_ns
                        .get_or_insert(at.time_ns);
                }
            }
            (Direction::ToClient, v5::Packet::Puback(a)) => self.acked(at, a.pid.get()),
            // A QoS 2 message may be routed only when it is released (mosquitto
            // does so at PUBREL): the PUBCOMP says it was.
            (Direction::ToClient, v5::Packet::Pubcomp(a)) => self.acked(at, a.pid.get()),
            (Direction::ToServer, v5::Packet::Subscribe(s)) => {
                let filters: Vec<(String, u8)> = s
                    .topics
                    .iter()
                    .map(|t| (split_shared(t.filter.as_str()).0, qos_u8(t.options.qos)))
                    .collect();
                let c = self.conns.get_mut(&at.conn).expect("exists");
                for t in &s.topics {
                    c.session.subs.push(Sub {
                        filter: split_shared(t.filter.as_str()).0,
                        shared: split_shared(t.filter.as_str()).1,
                        granted: None,
                        rap: t.options.retain_as_published,
                        no_local: t.options.no_local,
                        asked_ns: at.time_ns,
                        granted_ns: None,
                        until_ns: None,
                    });
                }
                c.requests
                    .insert(s.pid.get(), Request::Subscribe(filters, at));
                if proto == Protocol::V5 {
                    for t in &s.topics {
                        if let Some(ok) = share_name_ok(t.filter.as_str()) {
                            self.judge(Statement::ShareNameSyntax, ok, proto, vec![at]);
                        }
                    }
                }
            }
            (Direction::ToServer, v5::Packet::Unsubscribe(u)) => {
                let c = self.conns.get_mut(&at.conn).expect("exists");
                for f in &u.filters {
                    for s in
                        c.session.subs.iter_mut().filter(|s| {
                            s.filter == split_shared(f.as_str()).0 && s.until_ns.is_none()
                        })
                    {
                        s.until_ns = Some(at.time_ns);
                    }
                }
                c.requests
                    .insert(u.pid.get(), Request::Unsubscribe(u.filters.len(), at));
            }
            (Direction::ToClient, v5::Packet::Suback(a)) => {
                let c = self.conns.get_mut(&at.conn).expect("exists");
                match c.requests.remove(&a.pid.get()) {
                    Some(Request::Subscribe(filters, req)) => {
                        let codes: Vec<u8> = a.reasons.iter().map(|r| r.as_u8()).collect();
                        let count_ok = codes.len() == filters.len();
                        let mut higher = false;
                        for ((f, asked), code) in filters.iter().zip(&codes) {
                            if *code < 0x80 && code > asked {
                                higher = true;
                            }
                            let sub = c
                                .session
                                .subs
                                .iter_mut()
                                .rev()
                                .find(|s| &s.filter == f && s.asked_ns == req.time_ns);
                            if let Some(s) = sub {
                                if *code < 0x80 {
                                    s.granted = Some(*code);
                                    s.granted_ns = Some(at.time_ns);
                                } else {
                                    s.until_ns = Some(req.time_ns);
                                }
                            }
                        }
                        // A refused filter, or a replaced subscription, leaves older entries: the
                        // newest for a filter wins.
                        dedup_subs(&mut c.session.subs, at.time_ns);
                        self.judge(Statement::SubackMatchesSubscribe, true, proto, vec![at]);
                        self.judge(Statement::SubackForSubscribe, true, proto, vec![req, at]);
                        self.judge(
                            Statement::SubackOneCodePerFilter,
                            count_ok,
                            proto,
                            vec![at, req],
                        );
                        self.judge(Statement::GrantedNoHigher, !higher, proto, vec![at, req]);
                    }
                    other => {
                        if let Some(o) = other {
                            c.requests.insert(a.pid.get(), o);
                        }
                        if c.session.known {
                            self.judge(Statement::SubackMatchesSubscribe, false, proto, vec![at]);
                        }
                    }
                }
            }
            (Direction::ToClient, v5::Packet::Unsuback(a)) => {
                let c = self.conns.get_mut(&at.conn).expect("exists");
                match c.requests.remove(&a.pid.get()) {
                    Some(Request::Unsubscribe(_, req)) => {
                        self.judge(Statement::SubackMatchesSubscribe, true, proto, vec![at]);
                        self.judge(
                            Statement::UnsubackForUnsubscribe,
                            true,
                            proto,
                            vec![req, at],
                        );
                    }
                    other => {
                        if let Some(o) = other {
                            c.requests.insert(a.pid.get(), o);
                        }
                        if c.session.known {
                            self.judge(Statement::SubackMatchesSubscribe, false, proto, vec![at]);
                        }
                    }
                }
            }
            (Direction::ToClient, v5::Packet::Publish(m)) => {
                let Some(topic) = self.topic_of(at, proto, m) else {
                    return;
                };
                if let (false, Some(pid)) = (new_message, m.qospid.pid()) {
                    // Sent again (perhaps on a resumed session's next
                    // connection): the message it carries reached this
                    // connection too.
                    if let Some(i) = self.flight_msg(at, pid.get()) {
                        let session = self.conns.get(&at.conn).map_or(0, |c| c.session.id);
                        let m = &mut self.routing.messages[i];
                        m.delivered.insert(at.conn);
                        m.sessions.insert(session);
                    }
                    return;
                }
                self.delivery(at, proto, m, topic);
            }
            _ => {}
        }
    }

    /// The message the PUBLISH in flight with `pid` from `at`'s sender carries.
    fn flight_msg(&self, at: PacketRef, pid: u16) -> Option<usize> {
        let c = self.conns.get(&at.conn)?;
        c.session.flights[side(at.direction)].get(&pid)?.msg
    }

    /// Notes that the PUBLISH in flight with `pid` from `at`'s sender carries
    /// message `i`.
    fn flight_carries(&mut self, at: PacketRef, pid: u16, i: usize) {
        let Some(c) = self.conns.get_mut(&at.conn) else {
            return;
        };
        if let Some(f) = c.session.flights[side(at.direction)].get_mut(&pid) {
            f.msg = Some(i);
        }
    }

    /// The server acknowledged a client's message: it had it then.
    fn acked(&mut self, at: PacketRef, pid: u16) {
        if let Some(i) = self.routing.unacked.remove(&(at.conn, pid)) {
            self.routing.messages[i].acked_ns = Some(at.time_ns);
        }
    }

    fn delivery(&mut self, at: PacketRef, proto: Protocol, m: &v5::Publish, topic: String) {
        let now = at.time_ns;
        let payload = m.payload.to_vec();
        let q = qos_u8(m.qospid.qos());
        let origin = self.origin(&topic, &payload, now, at.conn, m.retain);
        let c = self.conns.get(&at.conn).expect("exists");
        let session = c.session.id;
        let known = c.session.known;
        let v5 = proto == Protocol::V5;
        let live_at = |s: &Sub, t: u64| s.asked_ns <= t && s.until_ns.is_none_or(|u| t < u);
        let matching: Vec<Sub> = c
            .session
            .subs
            .iter()
            .filter(|s| matches(&s.filter, &topic))
            .filter(|s| s.asked_ns <= now)
            .cloned()
            .collect();
        let mut expiry_origin = None;
        let mut verdicts: Vec<(Statement, bool, Vec<PacketRef>)> = Vec::new();
        if known {
            let otime = origin
                .map(|i| self.routing.messages[i].time_ns)
                .unwrap_or(now);
            let ok = matching
                .iter()
                .any(|s| s.until_ns.is_none_or(|u| otime < u || now <= u));
            verdicts.push((Statement::DeliveryMatchesFilter, ok, vec![at]));
        }
        if let Some(i) = origin {
            let o = &self.routing.messages[i];
            let refs = vec![at, o.at];
            if known {
                let granted: Vec<u8> = matching.iter().filter_map(|s| s.granted).collect();
                if !granted.is_empty() {
                    let ok = granted.iter().any(|g| (*g).min(o.qos) == q)
                        || (q <= o.qos && granted.iter().any(|g| q <= *g) && granted.len() > 1);
                    // A shared subscription's member: §4.8.2 states the same rule.
                    let shared = matching.iter().all(|s| s.shared || s.granted.is_none());
                    let st = if shared && v5 {
                        Statement::SharedGrantedQos
                    } else {
                        Statement::DeliveryQos
                    };
                    verdicts.push((st, ok, refs.clone()));
                }
                let live = matching.iter().any(|s| live_at(s, o.time_ns));
                let fresh = o.retain && matching.iter().any(|s| s.asked_ns >= o.time_ns);
                // RETAIN and order are judged on messages told apart by their
                // content. An open connection's will with the same words may be
                // what this is: a takeover publishes it (live) just before the
                // old connection's close is seen.
                let will_alike = self.conns.values().any(|k| {
                    k.accepted
                        && k.closed_at.is_none()
                        && k.connect
                            .as_ref()
                            .and_then(|x| x.will.as_ref())
                            .is_some_and(|w| w.topic.as_str() == o.topic && w.payload == o.payload)
                });
                let unique = !will_alike
                    && self
                        .routing
                        .by_content
                        .get(&(o.topic.clone(), o.payload.clone()))
                        .is_some_and(|v| v.len() == 1);
                if !unique {
                } else if m.retain && fresh {
                    verdicts.push((Statement::RetainOnRetained, true, refs.clone()));
                } else if m.retain {
                    let ok = v5 && matching.iter().any(|s| s.rap && o.retain);
                    verdicts.push((Statement::RetainClearOnLive, ok, refs.clone()));
                } else if fresh && !live && held_before(o, &matching) {
                    verdicts.push((Statement::RetainOnRetained, false, refs.clone()));
                } else if live {
                    verdicts.push((Statement::RetainClearOnLive, true, refs.clone()));
                }
                let again = o.delivered.contains(&at.conn);
                if live && !m.dup && !o.will && unique && !again {
                    let key = (at.conn, o.conn, o.topic.clone(), o.qos);
                    let seq = o.seq;
                    let last = self.routing.last_seq.get(&key).copied();
                    verdicts.push((
                        Statement::OrderedTopic,
                        last.is_none_or(|l| seq > l),
                        refs.clone(),
                    ));
                    self.routing
                        .last_seq
                        .insert(key, seq.max(last.unwrap_or(0)));
                }
            }
            // It may also be a will with the same words as an earlier message
            // whose connection's end is seen just after (a takeover publishes
            // the old connection's will, then closes it).
            let o = &mut self.routing.messages[i];
            if v5 && !o.delivered.contains(&at.conn) {
                expiry_origin = Some(i);
            }
            let to_conn = o.delivered.insert(at.conn);
            let to_session = o.sessions.insert(session);
            if !m.dup {
                let recent = &mut self.routing.recent;
                while recent
                    .front()
                    .is_some_and(|r| r.time_ns + 1_000_000_000 < now)
                {
                    recent.pop_front();
                }
                recent.push_back(Delivery {
                    conn: at.conn,
                    session,
                    topic: topic.clone(),
                    payload: payload.clone(),
                    time_ns: now,
                    msg: Some((i, to_conn, to_session)),
                });
            }
            if let Some(pid) = m.qospid.pid() {
                self.flight_carries(at, pid.get(), i);
            }
        } else if let Some(d) = self
            .routing
            .discarded
            .iter()
            .find(|d| d.0 == topic && d.1 == payload && d.2 <= now)
        {
            verdicts.push((Statement::NoWillAfterDisconnect, false, vec![at, d.3]));
        } else if let Some(d) = self
            .routing
            .cancelled
            .iter()
            .find(|d| d.0 == topic && d.1 == payload && d.2 <= now)
        {
            verdicts.push((Statement::WillDelayCancelled, false, vec![at, d.3]));
        } else {
            // Perhaps a will whose connection's end is seen just after.
            self.routing.orphans.push(Delivery {
                conn: at.conn,
                session,
                topic,
                payload,
                time_ns: now,
                msg: None,
            });
        }
        for (st, ok, refs) in verdicts {
            self.judge(st, ok, proto, refs);
        }
        if let Some(i) = expiry_origin {
            self.expiry_delivery(at, m, i);
        }
    }

    /// Every matching subscriber online while the server routed a message got
    /// it: held when it did; broken when it did not but got a QoS 1 or 2
    /// message (or a will) routed after it, so the broker had moved past it
    /// on that connection. A message not delivered and followed by nothing is
    /// not judged: it may still wait in the broker's queue for a client that
    /// reads slowly, or a partition may have hidden the subscriber (the
    /// capture cannot tell).
    ///
    /// The server routes a message between its arrival and [`Msg::routed_by`]
    /// (a QoS 2 one perhaps only at its PUBREL): a subscriber is judged only
    /// if it was there, accepted and subscribed, over all of that time, and
    /// "routed after" means after all of it.
    pub(super) fn routing_finish(&mut self, _end: u64) {
        // The QoS 1/2 messages (and wills) each connection got: (seq, arrival),
        // in order of seq (messages are numbered as they come).
        let mut got: BTreeMap<usize, Vec<(u64, u64)>> = BTreeMap::new();
        for m in &self.routing.messages {
            if m.qos > 0 || m.will {
                for c in &m.delivered {
                    got.entry(*c).or_default().push((m.seq, m.time_ns));
                }
            }
        }
        // The connections a message can have been owed to at all: accepted,
        // with a known session that subscribed to something. The rest are
        // never judged, so each message is weighed against these only (a
        // world of 200 sensors and one subscriber has one).
        let owed: Vec<(usize, &Conn)> = self
            .conns
            .iter()
            .filter(|(_, c)| {
                c.session.known
                    && c.accepted
                    && c.accepted_seen.is_some()
                    && !c.session.subs.is_empty()
            })
            .map(|(&id, c)| (id, c))
            .collect();
        let mut verdicts = Vec::new();
        for m in &self.routing.messages {
            // Only messages the broker routed at all (an ACL may refuse one silently).
            if m.delivered.is_empty() && !m.will {
                continue;
            }
            let by = m.routed_by();
            let publisher_id = self
                .conns
                .get(&m.conn)
                .and_then(|c| c.connect.as_ref())
                .map(|k| k.client_id.as_str());
            for &(id, c) in &owed {
                // Accepted after the message came (in the order seen: a takeover's
                // will is routed before the new connection's CONNACK, at the
                // same instant) is not judged.
                if c.accepted_seen.is_none_or(|s| s > m.seen) {
                    continue;
                }
                let gone = match (c.closed_at, c.left_ns) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                if gone.is_some_and(|t| t < by) {
                    continue;
                }
                let own = || c.connect.as_ref().map(|k| k.client_id.as_str()) == publisher_id;
                // A broker may drop QoS 0 messages for a client that does not read.
                let subscribed = c.session.subs.iter().any(|s| {
                    matches(&s.filter, &m.topic)
                        && (m.will || s.granted.is_some_and(|g| g.min(m.qos) > 0))
                        && s.granted_ns.is_some_and(|g| g < m.time_ns)
                        && s.until_ns.is_none_or(|u| u > by)
                        && !(s.no_local && own())
                        && !s.shared
                });
                if !subscribed {
                    continue;
                }
                let delivered = m.delivered.contains(&id);
                // A later message, routed after this one was.
                let passed = || {
                    got.get(&id).is_some_and(|v| {
                        let later = &v[v.partition_point(|(seq, _)| *seq <= m.seq)..];
                        later.iter().any(|(_, t)| by == m.time_ns || *t > by)
                    })
                };
                if !delivered && !passed() {
                    continue;
                }
                let st = if m.will {
                    Statement::WillOnUngracefulClose
                } else {
                    Statement::EveryMatchingSubscriber
                };
                let proto = c.protocol.unwrap_or(Protocol::V311);
                verdicts.push((st, delivered, proto, vec![m.at]));
            }
        }
        for (st, ok, proto, refs) in verdicts {
            self.judge(st, ok, proto, refs);
        }
    }
}

/// Whether the server is known to have held `m` before the subscription a
/// retained copy of it would answer: it acknowledged it before (PUBACK for
/// QoS 1, PUBCOMP for QoS 2),
/// or (QoS 0) had it a second before. A message that reached the server at
/// about the same time as the SUBSCRIBE may have been handled after it, and
/// its copy be a live one (RETAIN 0 is right then).
fn held_before(m: &Msg, subs: &[Sub]) -> bool {
    let since = match (m.qos, m.acked_ns) {
        (0, _) => Some(m.time_ns + 1_000_000_000),
        (_, a) => a,
    };
    since.is_some_and(|t| subs.iter().any(|s| s.asked_ns > t))
}

/// MQTT-4.8.2-2 on a 5.0 filter: `None` if it is no shared subscription (or
/// one with an empty ShareName, MQTT-4.8.2-1's); else whether its ShareName
/// holds no `+` or `#` and is followed by `/` and a topic filter.
fn share_name_ok(f: &str) -> Option<bool> {
    let rest = f.strip_prefix("$share/")?;
    if rest.is_empty() || rest.starts_with('/') {
        return None;
    }
    Some(match rest.split_once('/') {
        Some((name, filter)) => !name.contains(['+', '#']) && !filter.is_empty(),
        None => false,
    })
}

/// `$share/GROUP/FILTER` as (FILTER, true); any other filter as itself.
fn split_shared(f: &str) -> (String, bool) {
    match f.strip_prefix("$share/").and_then(|r| r.split_once('/')) {
        Some((_, filter)) => (filter.to_string(), true),
        None => (f.to_string(), false),
    }
}

/// Keeps, for each filter, only the newest subscription still in force.
fn dedup_subs(subs: &mut [Sub], now: u64) {
    let n = subs.len();
    for i in 0..n {
        if subs[i].until_ns.is_some() || subs[i].granted.is_none() {
            continue;
        }
        let newer = subs[i + 1..]
            .iter()
            .any(|s| s.filter == subs[i].filter && s.granted.is_some() && s.until_ns.is_none());
        if newer {
            subs[i].until_ns = Some(now);
        }
    }
}
