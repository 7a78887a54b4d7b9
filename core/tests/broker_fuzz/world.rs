//! One fuzzing world: a broker with a configuration drawn from the seed, up to
//! eight connections from six client identifiers (honest, never acknowledging
//! or sloppy), random packet streams on a virtual clock, and the invariants
//! checked after every step. Every draw comes from the seed, so a failure is
//! reproduced by its seed alone.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use bytes::Bytes;
use mqttlab_core::broker::{
    Access, Acl, AclRule, AclSubject, Broker, BrokerConfig, BrokerEvent, ConnId, OutStage, Output,
    PeerAddr, RetainChange,
};
use mqttlab_core::codec::{
    Connect, LastWill, Packet, Pid, Protocol, Publish, QoS, QosPid, Subscribe, SubscribeTopic,
    Unsubscribe,
};
use mqttlab_core::rng::SplitMix64;
use mqttlab_core::time::Instant;
use mqttlab_core::topic::{TopicFilter, TopicName};

use super::model::{Behaviour, ClientConn, SessionModel, Stage};

const CLIENT_IDS: [&str; 6] = ["c0", "c1", "c2", "c3", "c4", "c5"];
const TOPICS: [&str; 7] = ["a", "a/b", "b", "a/b/c", "a/x/c", "$SYS/x", "probe/t"];
const FILTERS: [&str; 9] = [
    "#", "a/#", "a/+", "a/b", "+/b", "b", "$SYS/#", "a/+/c", "probe/#",
];
const MAX_CONNS: usize = 8;
/// The largest payload the clients publish (an id and up to 39 bytes more).
const MAX_PAYLOAD: usize = 8 + 39;

/// An invariant that did not hold: what, after which step.
#[derive(Debug)]
pub struct Violation {
    pub step: u64,
    pub what: String,
}

type Check = Result<(), String>;

fn qos(n: u32) -> QoS {
    QoS::from_u8((n % 3) as u8).unwrap()
}

/// A fuzzing world for one seed.
pub struct World {
    rng: SplitMix64,
    pub broker: Broker,
    pub config: BrokerConfig,
    now: Instant,
    next_conn: u64,
    conns: BTreeMap<ConnId, ClientConn>,
    sessions: BTreeMap<String, SessionModel>,
    /// How many times each payload id was published (resends count).
    sends: BTreeMap<u64, u32>,
    next_payload: u64,
    /// Retained topics, folded from the broker's RetainedChanged events.
    retained: BTreeSet<String>,
    /// Packets (or pieces of garbage) handed to the broker.
    pub packets: u64,
    pub step: u64,
    /// A hash of every byte sent and every close, in order: the same seed must
    /// give the same digest.
    pub digest: u64,
    /// The last actions, for a failure's report.
    pub recent: std::collections::VecDeque<String>,
}

fn fnv(mut h: u64, bytes: &[u8]) -> u64 {
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x100_0000_01b3);
    }
    h
}

/// The configuration a seed draws: the broker's bounds at small values, so
/// that they are reached often.
fn config(rng: &mut SplitMix64) -> BrokerConfig {
    let mut r = |n: u32| rng.next_u32() % n;
    let acl = (r(4) == 0).then(|| Acl {
        rules: vec![
            AclRule {
                who: AclSubject::Anyone,
                filter: TopicFilter::new("a/#").unwrap(),
                access: Access::ReadWrite,
            },
            AclRule {
                who: AclSubject::Client("c1".into()),
                filter: TopicFilter::new("#").unwrap(),
                access: Access::Read,
            },
            AclRule {
                who: AclSubject::Anyone,
                filter: TopicFilter::new("probe/#").unwrap(),
                access: Access::ReadWrite,
            },
        ],
    });
    BrokerConfig {
        max_inflight_messages: [0, 1, 2, 3, 20][r(5) as usize],
        max_queued_messages: [0, 1, 3, 10, 1000][r(5) as usize],
        queue_qos0: r(2) == 0,
        hold_acks: r(2) == 0,
        resend_timeout: (r(4) == 0).then(|| Duration::from_secs(1 + u64::from(r(5)))),
        connect_timeout: [
            None,
            Some(Duration::from_secs(2)),
            Some(Duration::from_secs(90)),
        ][r(3) as usize],
        max_connections: (r(4) == 0).then_some(5),
        allow_zero_length_client_id: r(4) != 0,
        max_packet_size: if r(5) == 0 { 80 } else { 268_435_455 + 5 },
        max_queued_bytes: [0, 0, 0, 20, 200][r(5) as usize],
        max_inflight_bytes: [0, 0, 0, 20, 100][r(5) as usize],
        socket_feedback: r(2) == 0,
        max_retained_messages: [0, 0, 2, 5][r(4) as usize],
        max_retained_bytes: [0, 0, 30, 200][r(4) as usize],
        max_subscriptions_per_client: [0, 0, 1, 3][r(4) as usize],
        max_topic_length: [0, 0, 4, 100][r(4) as usize],
        max_topic_levels: [201, 0, 2, 3][r(4) as usize],
        max_connections_per_address: [0, 0, 1, 2][r(4) as usize],
        log: r(4) == 0,
        acl,
        events: true,
        seed: rng.next_u64(),
        ..BrokerConfig::default()
    }
}

impl World {
    pub fn new(seed: u64) -> World {
        let mut rng = SplitMix64::new(seed);
        let config = config(&mut rng);
        World {
            rng,
            broker: Broker::new(config.clone()),
            config,
            now: Instant::ZERO,
            next_conn: 1,
            conns: BTreeMap::new(),
            sessions: BTreeMap::new(),
            sends: BTreeMap::new(),
            next_payload: 1,
            retained: BTreeSet::new(),
            packets: 0,
            step: 0,
            digest: 0xcbf2_9ce4_8422_2325,
            recent: Default::default(),
        }
    }

    fn r(&mut self, n: u32) -> u32 {
        self.rng.next_u32() % n
    }

    fn pick_conn(&mut self) -> Option<ConnId> {
        if self.conns.is_empty() {
            return None;
        }
        let i = self.r(self.conns.len() as u32) as usize;
        self.conns.keys().nth(i).copied()
    }

    fn payload(&mut self) -> Bytes {
        if self.r(10) == 0 {
            return Bytes::new();
        }
        let id = self.next_payload;
        self.next_payload += 1;
        self.sends.insert(id, 1);
        let mut p = id.to_be_bytes().to_vec();
        let pad = self.r(40) as usize;
        p.resize(8 + pad, b'.');
        Bytes::from(p)
    }

    // ---- one random step ----

    /// Draws and runs one action, then checks every invariant.
    pub fn step(&mut self) -> Result<(), Violation> {
        self.step += 1;
        let result = self.act().and_then(|()| self.check());
        result.map_err(|what| Violation {
            step: self.step,
            what: format!(
                "{what}\n  last actions:\n    {}",
                Vec::from(self.recent.clone()).join("\n    ")
            ),
        })
    }

    fn note(&mut self, what: String) {
        if self.recent.len() == 12 {
            self.recent.pop_front();
        }
        self.recent.push_back(format!("{}: {what}", self.step));
    }

    fn act(&mut self) -> Check {
        let roll = self.r(100);
        let conn = self.pick_conn();
        match (roll, conn) {
            (0..=5, _) | (_, None) if self.conns.len() < MAX_CONNS => self.open(),
            (0..=5, _) | (_, None) => self.advance(),
            (6..=11, Some(c)) => {
                let p = self.connect_packet();
                self.feed_packet(c, p)
            }
            (12..=19, Some(c)) => {
                let p = self.subscribe_packet(c);
                self.feed_packet(c, p)
            }
            (20..=22, Some(c)) => {
                let p = self.unsubscribe_packet(c);
                self.feed_packet(c, p)
            }
            (23..=49, Some(c)) => {
                let p = self.publish_packet(c);
                self.feed_packet(c, p)
            }
            (50..=74, Some(c)) => self.send_acks(c),
            (75..=77, Some(c)) => self.feed_packet(c, Packet::Pingreq),
            (78..=79, Some(c)) => self.feed_packet(c, Packet::Disconnect),
            (80..=82, Some(c)) => self.transport_ends(c),
            (83..=84, Some(c)) => self.garbage(c),
            (85..=86, Some(c)) => self.out_of_place(c),
            (87..=88, Some(c)) => self.resend_qos2(c),
            (89..=90, Some(c)) => self.toggle_stall(c),
            _ => self.advance(),
        }
    }

    fn open(&mut self) -> Check {
        let conn = ConnId(self.next_conn);
        self.next_conn += 1;
        let behaviour = match self.r(4) {
            0 => Behaviour::NeverAcks,
            1 => Behaviour::Sloppy,
            _ => Behaviour::Honest,
        };
        let ip = format!("10.0.0.{}", self.r(4));
        let port = 1024 + (conn.0 % 60000) as u16;
        self.broker
            .handle_connection_opened(self.now, conn, PeerAddr::new(ip, port));
        self.note(format!("{conn} opens, {behaviour:?}"));
        self.conns.insert(conn, ClientConn::new(behaviour));
        self.drain()
    }

    fn connect_packet(&mut self) -> Packet {
        let id = if self.r(10) == 0 {
            String::new()
        } else {
            CLIENT_IDS[self.r(CLIENT_IDS.len() as u32) as usize].to_owned()
        };
        let will = (self.r(3) == 0).then(|| {
            let q = qos(self.r(3));
            LastWill {
                topic: TopicName::new(TOPICS[self.r(5) as usize]).unwrap(),
                message: self.payload(),
                qos: q,
                retain: self.r(2) == 0,
            }
        });
        Packet::Connect(Connect {
            protocol: if self.r(20) == 0 {
                Protocol::V31
            } else {
                Protocol::V311
            },
            clean_session: self.r(2) == 0,
            keep_alive: [0, 1, 5, 60][self.r(4) as usize],
            client_id: id,
            will,
            login: None,
        })
    }

    fn subscribe_packet(&mut self, c: ConnId) -> Packet {
        let n = 1 + self.r(3) as usize;
        let topics = (0..n)
            .map(|_| SubscribeTopic {
                filter: TopicFilter::new(FILTERS[self.r(FILTERS.len() as u32) as usize]).unwrap(),
                qos: qos(self.r(3)),
            })
            .collect();
        let cc = self.conns.get_mut(&c).unwrap();
        let pid = cc.pid();
        cc.pending_sub.insert(pid, n);
        Packet::Subscribe(Subscribe {
            pid: Pid::new(pid).unwrap(),
            topics,
        })
    }

    fn unsubscribe_packet(&mut self, c: ConnId) -> Packet {
        let f = TopicFilter::new(FILTERS[self.r(FILTERS.len() as u32) as usize]).unwrap();
        let cc = self.conns.get_mut(&c).unwrap();
        let pid = cc.pid();
        cc.pending_unsub.insert(pid);
        Packet::Unsubscribe(Unsubscribe {
            pid: Pid::new(pid).unwrap(),
            filters: vec![f],
        })
    }

    fn publish_packet(&mut self, c: ConnId) -> Packet {
        let q = qos(self.r(3));
        let topic = TopicName::new(TOPICS[self.r(TOPICS.len() as u32) as usize]).unwrap();
        let payload = self.payload();
        let retain = self.r(3) == 0;
        let cc = self.conns.get_mut(&c).unwrap();
        let pid = Pid::new(cc.pid()).unwrap();
        Packet::Publish(Publish {
            dup: false,
            qospid: QosPid::from_parts(q, pid),
            retain,
            topic,
            payload,
        })
    }

    /// The connection's owed acknowledgements, in one piece of bytes. A sloppy
    /// client forgets some and sends a wrong one, each on its own: in one
    /// piece, a wrong id could name a delivery the broker starts while reading
    /// an earlier acknowledgement of that piece, and the client's side could
    /// not tell which one the broker took it for.
    fn send_acks(&mut self, c: ConnId) -> Check {
        if self.conns[&c].stalled {
            return Ok(());
        }
        let sloppy = self.conns[&c].behaviour == Behaviour::Sloppy;
        let mut acks = std::mem::take(&mut self.conns.get_mut(&c).unwrap().owed);
        if !sloppy {
            return self.feed_acks(c, &acks);
        }
        let keep: Vec<bool> = acks.iter().map(|_| self.r(5) != 0).collect();
        let mut k = keep.into_iter();
        acks.retain(|_| k.next().unwrap());
        for a in acks {
            if self.conns.contains_key(&c) {
                self.feed_acks(c, &[a])?;
            }
        }
        if self.conns.contains_key(&c) {
            let pid = Pid::new(1 + self.r(8) as u16).unwrap();
            let wrong = match self.r(4) {
                0 => Packet::Puback(pid),
                1 => Packet::Pubrec(pid),
                2 => Packet::Pubrel(pid),
                _ => Packet::Pubcomp(pid),
            };
            self.feed_acks(c, &[wrong])?;
        }
        Ok(())
    }

    /// Acknowledgements in one piece. The client's side moves as it sends
    /// them: acknowledgements never end a connection, so the broker handles
    /// every one.
    fn feed_acks(&mut self, c: ConnId, acks: &[Packet]) -> Check {
        if acks.is_empty() || !self.conns.contains_key(&c) {
            return Ok(());
        }
        self.note(format!("{c} acks {acks:?}"));
        let mut bytes = Vec::new();
        for a in acks {
            a.encode(&mut bytes).unwrap();
        }
        let id = self.conns[&c].client_id.clone();
        if let Some(s) = id.as_ref().and_then(|id| self.sessions.get_mut(id)) {
            for a in acks {
                s.client_sent(a);
            }
        }
        self.packets += acks.len() as u64;
        self.broker.handle_bytes(self.now, c, &bytes);
        self.drain()
    }

    /// Hands one packet to the broker, in one piece or split in two or three.
    fn feed_packet(&mut self, c: ConnId, p: Packet) -> Check {
        self.note(format!("{c} sends {p:?}"));
        let mut bytes = Vec::new();
        if !self.conns.contains_key(&c) || p.encode(&mut bytes).is_err() {
            return Ok(());
        }
        {
            let cc = self.conns.get_mut(&c).unwrap();
            match &p {
                Packet::Connect(_) => cc.connect_sent = true,
                Packet::Publish(pb) if pb.qos() == QoS::AtLeastOnce => cc.qos1_sent += 1,
                Packet::Publish(pb) if pb.qos() == QoS::ExactlyOnce => {
                    cc.qos2_sent += 1;
                    cc.last_qos2 = Some(p.clone());
                }
                _ => {}
            }
        }
        self.packets += 1;
        let cuts = self.r(3) as usize;
        let mut pieces = vec![0, bytes.len()];
        for _ in 0..cuts {
            pieces.push(self.r(bytes.len() as u32 + 1) as usize);
        }
        pieces.sort_unstable();
        let before = self.pubacks_and_pubrecs(c);
        // A QoS 2 PUBLISH is answered unless its sender already holds as many
        // unreleased ones as its window and queue allow (then it is dropped).
        let pubrec_due = match (&p, &self.conns[&c].client_id) {
            (Packet::Publish(pb), Some(id)) => {
                let held = self
                    .broker
                    .session(id)
                    .map(|s| {
                        (
                            s.incoming_qos2.len(),
                            s.incoming_qos2
                                .contains(&pb.qospid.pid().unwrap_or(Pid::FIRST)),
                        )
                    })
                    .unwrap_or((0, false));
                let (max_q, max_if) = (
                    self.config.max_queued_messages,
                    self.config.max_inflight_messages,
                );
                held.1
                    || (self.config.max_queued_bytes == 0
                        && (max_q == 0 || held.0 < max_q + max_if))
            }
            _ => true,
        };
        for w in pieces.windows(2) {
            self.broker.handle_bytes(self.now, c, &bytes[w[0]..w[1]]);
        }
        let closed = self.drain().map(|()| !self.conns.contains_key(&c))?;
        // No publisher waits on a subscriber: without held acknowledgements,
        // an accepted PUBLISH is answered at once.
        if let (Packet::Publish(pb), false) = (&p, closed) {
            let after = self.pubacks_and_pubrecs(c);
            let accepted = self.conns[&c].client_id.is_some();
            match pb.qos() {
                QoS::AtLeastOnce if accepted && !self.config.hold_acks && after.0 == before.0 => {
                    return Err(format!("no PUBACK for a QoS 1 PUBLISH on {c}"))
                }
                QoS::ExactlyOnce if accepted && pubrec_due && after.1 == before.1 => {
                    return Err(format!("no PUBREC for a QoS 2 PUBLISH on {c}"))
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn pubacks_and_pubrecs(&self, c: ConnId) -> (u64, u64) {
        self.conns
            .get(&c)
            .map_or((0, 0), |cc| (cc.pubacks, cc.pubrecs))
    }

    /// The client stops reading, or reads again (its transport then takes
    /// everything waiting).
    fn toggle_stall(&mut self, c: ConnId) -> Check {
        let cc = self.conns.get_mut(&c).unwrap();
        cc.stalled = !cc.stalled;
        let stalled = cc.stalled;
        self.note(format!("{c} stalled: {stalled}"));
        self.drain()
    }

    /// The last QoS 2 PUBLISH again, with DUP=1: never delivered twice.
    fn resend_qos2(&mut self, c: ConnId) -> Check {
        let Some(Packet::Publish(mut p)) = self.conns[&c].last_qos2.clone() else {
            return self.advance();
        };
        p.dup = true;
        if let Some(id) = p.payload.get(..8) {
            let id = u64::from_be_bytes(id.try_into().unwrap());
            *self.sends.entry(id).or_default() += 1;
        }
        self.feed_packet(c, Packet::Publish(p))
    }

    fn transport_ends(&mut self, c: ConnId) -> Check {
        self.note(format!("{c} transport ends"));
        self.conns.remove(&c);
        if self.r(2) == 0 {
            self.broker.handle_connection_closed(self.now, c);
        } else {
            self.broker.handle_connection_error(self.now, c);
        }
        self.drain()?;
        // Bytes or a close for a connection the broker forgot change nothing.
        self.broker.handle_bytes(self.now, c, &[0x30, 0x00]);
        self.broker.handle_connection_closed(self.now, c);
        match self.broker.poll_output() {
            None => Ok(()),
            Some(o) => Err(format!("output for a closed connection {c}: {o:?}")),
        }
    }

    /// Random bytes the broker's decoder rejects at once (bytes that decode,
    /// or begin a packet, would change state the model does not see).
    fn garbage(&mut self, c: ConnId) -> Check {
        let mut bytes = Vec::new();
        for attempt in 0..10 {
            let n = 1 + self.r(24) as usize;
            bytes = (0..n).map(|_| self.rng.next_u32() as u8).collect();
            if attempt == 9 {
                bytes[0] = 0xF0; // a reserved packet type
            }
            let mut d = mqttlab_core::codec::Decoder::new(self.config.max_packet_size);
            d.push(&bytes);
            if d.next_packet().is_err() {
                break;
            }
        }
        // It may read as a CONNECT of an unknown protocol, answered by CONNACK.
        self.conns.get_mut(&c).unwrap().connect_sent = true;
        self.note(format!("{c} garbage {bytes:02x?}"));
        self.packets += 1;
        self.broker.handle_bytes(self.now, c, &bytes);
        self.drain()
    }

    /// A packet a client must not send, or CONNECT again.
    fn out_of_place(&mut self, c: ConnId) -> Check {
        let pid = Pid::FIRST;
        let p = match self.r(4) {
            0 => Packet::Pingresp,
            1 => Packet::Unsuback(pid),
            2 => Packet::Pubrel(Pid::new(1 + self.r(5) as u16).unwrap()),
            _ => self.connect_packet(),
        };
        self.feed_packet(c, p)
    }

    /// Time passes: a little, up to the next deadline, or a lot.
    fn advance(&mut self) -> Check {
        let next = self.broker.poll_timeout();
        self.now = match (self.r(3), next) {
            (0, Some(at)) if at > self.now => at,
            (1, _) => self.now + Duration::from_millis(u64::from(self.r(200_000))),
            _ => self.now + Duration::from_millis(u64::from(self.r(500))),
        };
        self.note(format!("time {:?}", self.now));
        self.broker.handle_timeout(self.now);
        self.drain()?;
        match self.broker.poll_timeout() {
            Some(at) if at <= self.now => Err(format!(
                "after handle_timeout({:?}) the next deadline is still {at:?}",
                self.now
            )),
            _ => Ok(()),
        }
    }

    // ---- what the broker says ----

    /// Drains the broker's outputs into the clients' models, checking each;
    /// with socket feedback, the transports of clients that read take what was
    /// sent (all of it, or part), and the broker is told.
    fn drain(&mut self) -> Check {
        for _ in 0..100 {
            self.drain_once()?;
            if !self.config.socket_feedback {
                return Ok(());
            }
            let readers: Vec<(ConnId, u64)> = self
                .conns
                .iter()
                .filter(|(_, c)| !c.stalled && c.unsent > 0)
                .map(|(id, c)| (*id, c.unsent))
                .collect();
            if readers.is_empty() {
                return Ok(());
            }
            for (c, unsent) in readers {
                let n = if self.r(4) == 0 {
                    1 + u64::from(self.rng.next_u32()) % unsent
                } else {
                    unsent
                };
                self.conns.get_mut(&c).unwrap().unsent -= n;
                self.broker.handle_sent(self.now, c, n as usize);
            }
        }
        Err("the transports never took everything".into())
    }

    fn drain_once(&mut self) -> Check {
        let mut outs = Vec::new();
        while let Some(o) = self.broker.poll_output() {
            outs.push(o);
        }
        // The CONNACK comes before the event naming the client: read those first.
        let mut connected: BTreeMap<ConnId, (String, bool)> = BTreeMap::new();
        for o in &outs {
            if let Output::Event(BrokerEvent::ClientConnected {
                conn,
                client_id,
                session_present,
                ..
            }) = o
            {
                connected.insert(*conn, (client_id.clone(), *session_present));
            }
        }
        for o in outs {
            match o {
                Output::Transmit(t) => {
                    self.digest = fnv(self.digest, &t.bytes);
                    let mqttlab_core::codec::AnyPacket::V3(packet) = &t.packet else {
                        return Err(format!("a 5.0 packet to a 3.1.1 client: {}", t.packet));
                    };
                    self.received(t.conn, packet, &t.bytes, &connected)?
                }
                Output::Close { conn, .. } => {
                    self.digest = fnv(self.digest, &conn.0.to_be_bytes());
                    if self.conns.remove(&conn).is_none() {
                        return Err(format!("Close for {conn}, not open"));
                    }
                }
                Output::Event(BrokerEvent::RetainedChanged { topic, change }) => {
                    let t = topic.as_str().to_owned();
                    let had = self.retained.contains(&t);
                    match change {
                        RetainChange::Stored if !had => self.retained.insert(t),
                        RetainChange::Replaced if had => true,
                        RetainChange::Cleared if had => self.retained.remove(&t),
                        other => {
                            return Err(format!(
                                "RetainedChanged {other:?} on {t}, which was retained: {had}"
                            ))
                        }
                    };
                }
                Output::Log(_) | Output::Event(_) => {}
            }
        }
        Ok(())
    }

    /// A packet the broker sent to `conn`.
    fn received(
        &mut self,
        conn: ConnId,
        packet: &Packet,
        bytes: &[u8],
        connected: &BTreeMap<ConnId, (String, bool)>,
    ) -> Check {
        let Some(cc) = self.conns.get_mut(&conn) else {
            return Err(format!("{packet:?} sent to {conn}, which is closed"));
        };
        cc.decoder.push(bytes);
        cc.unsent += bytes.len() as u64;
        let decoded = cc.decoder.next_packet().map_err(|e| e.to_string())?;
        if decoded.as_ref() != Some(packet) || cc.decoder.buffered() != 0 {
            return Err(format!("bytes {bytes:02x?} are not {packet:?}"));
        }
        if !cc.connacked && !matches!(packet, Packet::Connack(_)) {
            return Err(format!("{packet:?} before CONNACK on {conn}"));
        }
        let id = cc.client_id.clone();
        match packet {
            Packet::Connack(ack) => {
                if cc.connacked {
                    return Err(format!("a second CONNACK on {conn}"));
                }
                if !cc.connect_sent {
                    return Err(format!("CONNACK on {conn} without CONNECT"));
                }
                cc.connacked = true;
                if ack.code.as_u8() != 0 {
                    cc.refused = true;
                    return Ok(());
                }
                let Some((id, present)) = connected.get(&conn) else {
                    return Err(format!("CONNACK 0 on {conn} without ClientConnected"));
                };
                if *present != ack.session_present {
                    return Err("CONNACK and event disagree on session present".into());
                }
                cc.client_id = Some(id.clone());
                if !ack.session_present {
                    self.sessions.insert(id.clone(), SessionModel::default());
                }
                Ok(())
            }
            Packet::Publish(p) => {
                let id = id.ok_or("PUBLISH to a client not connected")?;
                let behaviour = cc.behaviour;
                let s = self.sessions.entry(id.clone()).or_default();
                let payload_id = p
                    .payload
                    .get(..8)
                    .map(|b| u64::from_be_bytes(b.try_into().unwrap()));
                let mut to_app = true;
                match p.qospid {
                    QosPid::AtMostOnce => {}
                    QosPid::AtLeastOnce(pid) | QosPid::ExactlyOnce(pid) => {
                        let want = if p.qos() == QoS::AtLeastOnce {
                            Stage::Puback
                        } else {
                            Stage::Pubrec
                        };
                        match s.outstanding.get(&pid.get()) {
                            // Every resend repeats a PUBLISH sent before, on this
                            // or an earlier connection of the session.
                            None if p.dup => {
                                return Err(format!("DUP PUBLISH m{pid} to {id}, never sent"))
                            }
                            Some(_) if !p.dup => {
                                return Err(format!(
                                    "PUBLISH m{pid} to {id} while m{pid} is still in flight"
                                ))
                            }
                            Some(stage) if *stage != want => {
                                return Err(format!(
                                    "PUBLISH m{pid} resent to {id} at stage {stage:?}"
                                ))
                            }
                            _ => {}
                        }
                        s.outstanding.insert(pid.get(), want);
                        s.outstanding_bytes.insert(pid.get(), p.payload.len());
                        let max = self.config.max_inflight_messages;
                        if max > 0 && s.outstanding.len() > max {
                            return Err(format!(
                                "{} deliveries in flight to {id}, max_inflight_messages {max}",
                                s.outstanding.len()
                            ));
                        }
                        if p.qos() == QoS::ExactlyOnce {
                            to_app = s.held_qos2.insert(pid.get());
                        }
                        if behaviour != Behaviour::NeverAcks {
                            let ack = if p.qos() == QoS::AtLeastOnce {
                                Packet::Puback(pid)
                            } else {
                                Packet::Pubrec(pid)
                            };
                            self.conns.get_mut(&conn).unwrap().owed.push(ack);
                        }
                    }
                }
                // The application gets each message once per routing: a
                // second copy of a payload published once is a duplicate
                // (retained copies sent on subscribe excepted; QoS 1 may be
                // resent with DUP).
                if let (Some(pl), true, false) = (payload_id, to_app, p.retain) {
                    let once = self.sends.get(&pl) == Some(&1);
                    let s = self.sessions.get_mut(&id).unwrap();
                    let first = s.delivered.insert(pl);
                    if !first && once && (p.qos() == QoS::ExactlyOnce || !p.dup) {
                        return Err(format!(
                            "payload {pl} delivered twice to {id} ({:?}, dup {})",
                            p.qos(),
                            p.dup
                        ));
                    }
                }
                Ok(())
            }
            Packet::Pubrel(pid) => {
                let id = id.ok_or("PUBREL to a client not connected")?;
                let s = self.sessions.entry(id.clone()).or_default();
                if s.outstanding.get(&pid.get()) != Some(&Stage::Pubcomp) {
                    return Err(format!("PUBREL m{pid} to {id} before its PUBREC"));
                }
                s.held_qos2.remove(&pid.get());
                let cc = self.conns.get_mut(&conn).unwrap();
                if cc.behaviour != Behaviour::NeverAcks {
                    cc.owed.push(Packet::Pubcomp(*pid));
                }
                Ok(())
            }
            Packet::Puback(_) => {
                cc.pubacks += 1;
                Ok(())
            }
            Packet::Pubrec(pid) => {
                cc.pubrecs += 1;
                // The publisher releases it at once (also for a sloppy one).
                cc.owed.push(Packet::Pubrel(*pid));
                Ok(())
            }
            Packet::Pubcomp(_) | Packet::Pingresp => Ok(()),
            Packet::Suback(s) => match cc.pending_sub.remove(&s.pid.get()) {
                Some(n) if n == s.return_codes.len() => Ok(()),
                other => Err(format!("SUBACK {s:?} for a SUBSCRIBE of {other:?} filters")),
            },
            Packet::Unsuback(pid) => match cc.pending_unsub.remove(&pid.get()) {
                true => Ok(()),
                false => Err(format!("UNSUBACK m{pid} for no UNSUBSCRIBE")),
            },
            other => Err(format!("the broker sent {other:?}")),
        }
    }

    // ---- invariants ----

    fn check(&self) -> Check {
        let conns = self.broker.connections();
        if conns.len() != self.conns.len() {
            return Err(format!(
                "the broker has {} connections, the clients {}",
                conns.len(),
                self.conns.len()
            ));
        }
        let mut ids = BTreeSet::new();
        let mut per_ip: BTreeMap<&str, usize> = BTreeMap::new();
        for c in &conns {
            let Some(cc) = self.conns.get(&c.conn) else {
                return Err(format!("the broker keeps {}, which was closed", c.conn));
            };
            let n = per_ip.entry(c.peer.ip.as_str()).or_default();
            *n += 1;
            let max = self.config.max_connections_per_address;
            if max > 0 && *n > max {
                return Err(format!("{n} connections from {}, max {max}", c.peer.ip));
            }
            if self.config.socket_feedback && c.unsent_bytes != cc.unsent {
                return Err(format!(
                    "{}: the broker counts {} bytes unsent, the transport {}",
                    c.conn, c.unsent_bytes, cc.unsent
                ));
            }
            if c.client_id != cc.client_id {
                return Err(format!(
                    "{}: broker says client {:?}, CONNACK said {:?}",
                    c.conn, c.client_id, cc.client_id
                ));
            }
            if let Some(id) = &c.client_id {
                if !ids.insert(id.clone()) {
                    return Err(format!("two connections for {id}"));
                }
                let s = self.broker.session(id).ok_or("no session for a client")?;
                if s.conn != Some(c.conn) {
                    return Err(format!("{id}'s session is on {:?}, not {}", s.conn, c.conn));
                }
            }
        }
        let max_q = self.config.max_queued_messages;
        for s in self.broker.sessions() {
            match s.conn {
                None if s.clean => {
                    return Err(format!("clean session {} kept offline", s.client_id))
                }
                Some(c) if !self.conns.contains_key(&c) => {
                    return Err(format!("session {} on closed {c}", s.client_id))
                }
                _ => {}
            }
            // mosquitto's arithmetic (db__ready_for_queue): a message is queued
            // while in flight + queued - max_inflight_messages is under
            // max_queued_messages, the window counting as full whether or not
            // it is (a byte window can keep it short).
            let max_if = self.config.max_inflight_messages;
            if max_q > 0 && s.queued.len() > max_q + max_if {
                return Err(format!(
                    "{} queued for {}, max_queued_messages {max_q}, max_inflight_messages {max_if}",
                    s.queued.len(),
                    s.client_id
                ));
            }
            if max_if > 0 && s.inflight.len() > max_if {
                return Err(format!(
                    "{} in flight for {}",
                    s.inflight.len(),
                    s.client_id
                ));
            }
            // Byte bounds are checked before a message is added (mosquitto's
            // arithmetic), so one message may go past them.
            let queued_bytes: usize = s.queued.iter().map(|m| m.payload.len()).sum();
            let max_qb = self.config.max_queued_bytes;
            let window_b = self.config.max_inflight_bytes;
            if max_qb > 0 && queued_bytes >= max_qb + window_b + MAX_PAYLOAD {
                return Err(format!(
                    "{queued_bytes} payload bytes queued for {}, max_queued_bytes {max_qb}",
                    s.client_id
                ));
            }
            let inflight_bytes = self.inflight_bytes(&s.client_id);
            if window_b > 0 && inflight_bytes >= window_b + MAX_PAYLOAD {
                return Err(format!(
                    "{inflight_bytes} payload bytes in flight for {}, max_inflight_bytes {window_b}",
                    s.client_id
                ));
            }
            if max_q > 0 && s.incoming_qos2.len() > max_q + max_if {
                return Err(format!(
                    "{} QoS 2 messages held unreleased for {}",
                    s.incoming_qos2.len(),
                    s.client_id
                ));
            }
            let max_subs = self.config.max_subscriptions_per_client;
            if max_subs > 0 && s.subscriptions.len() > max_subs {
                return Err(format!(
                    "{} subscriptions for {}, max {max_subs}",
                    s.subscriptions.len(),
                    s.client_id
                ));
            }
            for (f, _) in &s.subscriptions {
                let (len, levels) = (f.as_str().len(), f.as_str().split('/').count());
                let (max_len, max_lv) =
                    (self.config.max_topic_length, self.config.max_topic_levels);
                if (max_len > 0 && len > max_len) || (max_lv > 0 && levels > max_lv) {
                    return Err(format!(
                        "{} holds filter {f}, past the topic limits",
                        s.client_id
                    ));
                }
            }
            // The broker's window is the one the standard gives the client.
            let model = self
                .sessions
                .get(&s.client_id)
                .map(|m| m.outstanding.clone())
                .unwrap_or_default();
            let broker: BTreeMap<u16, Stage> = s
                .inflight
                .iter()
                .map(|i| {
                    let st = match i.stage {
                        OutStage::AwaitPuback => Stage::Puback,
                        OutStage::AwaitPubrec => Stage::Pubrec,
                        OutStage::AwaitPubcomp => Stage::Pubcomp,
                    };
                    (i.pid.get(), st)
                })
                .collect();
            if broker.len() != s.inflight.len() {
                return Err(format!("a packet id twice in {}'s window", s.client_id));
            }
            if broker != model {
                return Err(format!(
                    "{}'s window {broker:?}, by the standard {model:?}",
                    s.client_id
                ));
            }
        }
        let stored: BTreeSet<String> = self
            .broker
            .retained()
            .map(|m| {
                if m.payload.is_empty() || !m.retain {
                    Err(format!("retained on {} is {m:?}", m.topic))
                } else {
                    Ok(m.topic.as_str().to_owned())
                }
            })
            .collect::<Result<_, _>>()?;
        let (count, bytes) = self
            .broker
            .retained()
            .fold((0, 0), |(n, b), m| (n + 1, b + m.payload.len()));
        let (max_n, max_b) = (
            self.config.max_retained_messages,
            self.config.max_retained_bytes,
        );
        if (max_n > 0 && count > max_n) || (max_b > 0 && bytes > max_b) {
            return Err(format!(
                "{count} retained messages of {bytes} bytes, limits {max_n} and {max_b}"
            ));
        }
        if stored != self.retained {
            return Err(format!(
                "retained {stored:?}, by the events {:?}",
                self.retained
            ));
        }
        Ok(())
    }

    /// Payload bytes in a session's window, from what its clients received.
    fn inflight_bytes(&self, client_id: &str) -> usize {
        self.sessions
            .get(client_id)
            .map_or(0, |m| m.outstanding_bytes.values().sum())
    }

    // ---- the end: every client honest, then probes ----

    /// Every client turns honest and acknowledges until nothing moves; then
    /// connected sessions have nothing in flight or queued, held PUBACKs are
    /// all sent, and fresh clients get their messages and the retained ones.
    pub fn heal_and_probe(&mut self) -> Result<(), Violation> {
        let r = self.heal().and_then(|()| self.probe());
        r.map_err(|what| Violation {
            step: self.step,
            what: format!("after healing: {what}"),
        })
    }

    fn heal(&mut self) -> Check {
        for cc in self.conns.values_mut() {
            cc.stalled = false;
        }
        self.drain()?;
        // An honest client acknowledges what it has not yet (a sloppy one
        // forgot some; MQTT 3.1.1 resends only on reconnection).
        for cc in self.conns.values_mut() {
            cc.behaviour = Behaviour::Honest;
            cc.stalled = false;
            let Some(s) = cc.client_id.as_ref().and_then(|id| self.sessions.get(id)) else {
                continue;
            };
            let pubrels: Vec<Packet> = cc
                .owed
                .iter()
                .filter(|p| matches!(p, Packet::Pubrel(_)))
                .cloned()
                .collect();
            cc.owed = s
                .outstanding
                .iter()
                .map(|(&pid, stage)| {
                    let pid = Pid::new(pid).unwrap();
                    match stage {
                        Stage::Puback => Packet::Puback(pid),
                        Stage::Pubrec => Packet::Pubrec(pid),
                        Stage::Pubcomp => Packet::Pubcomp(pid),
                    }
                })
                .chain(pubrels)
                .collect();
        }
        for _ in 0..10_000 {
            let with_acks: Vec<ConnId> = self
                .conns
                .iter()
                .filter(|(_, c)| !c.owed.is_empty())
                .map(|(id, _)| *id)
                .collect();
            if with_acks.is_empty() {
                break;
            }
            for c in with_acks {
                if self.conns.contains_key(&c) {
                    self.send_acks(c)?;
                    self.check()?;
                }
            }
        }
        for s in self.broker.sessions() {
            if s.conn.is_some() && (!s.inflight.is_empty() || !s.queued.is_empty()) {
                return Err(format!(
                    "{} connected and honest, yet {} in flight and {} queued",
                    s.client_id,
                    s.inflight.len(),
                    s.queued.len()
                ));
            }
        }
        for (id, c) in &self.conns {
            if c.client_id.is_some() && c.pubacks != c.qos1_sent {
                return Err(format!(
                    "{id} sent {} QoS 1 PUBLISH, got {} PUBACK",
                    c.qos1_sent, c.pubacks
                ));
            }
        }
        Ok(())
    }

    fn probe(&mut self) -> Check {
        let short_topics = (1..8).contains(&self.config.max_topic_length);
        if self.config.max_connections.is_some()
            || self.config.max_packet_size < 1000
            || short_topics
        {
            // A full broker may refuse the probes; a tiny packet or topic
            // bound, their packets.
            return Ok(());
        }
        let sub = self.probe_client("probe-sub")?;
        let filter = TopicFilter::new("probe/#").unwrap();
        let p = Packet::Subscribe(Subscribe {
            pid: Pid::new(self.conns.get_mut(&sub).unwrap().pid()).unwrap(),
            topics: vec![SubscribeTopic {
                filter,
                qos: QoS::ExactlyOnce,
            }],
        });
        if let Packet::Subscribe(s) = &p {
            let pid = s.pid.get();
            self.conns.get_mut(&sub).unwrap().pending_sub.insert(pid, 1);
        }
        self.feed_packet(sub, p)?;
        self.settle()?;
        let publ = self.probe_client("probe-pub")?;
        let first = self.next_payload;
        for i in 0..20u32 {
            let q = if i % 2 == 0 {
                QoS::AtLeastOnce
            } else {
                QoS::ExactlyOnce
            };
            let payload = self.payload_always();
            let pid = Pid::new(self.conns.get_mut(&publ).unwrap().pid()).unwrap();
            self.feed_packet(
                publ,
                Packet::Publish(Publish {
                    dup: false,
                    qospid: QosPid::from_parts(q, pid),
                    retain: false,
                    topic: TopicName::new("probe/t").unwrap(),
                    payload,
                }),
            )?;
            self.settle()?;
        }
        let got = &self.sessions["probe-sub"].delivered;
        let missing: Vec<u64> = (first..first + 20).filter(|p| !got.contains(p)).collect();
        if !missing.is_empty() {
            return Err(format!("the probe subscriber never got {missing:?}"));
        }
        Ok(())
    }

    fn payload_always(&mut self) -> Bytes {
        let id = self.next_payload;
        self.next_payload += 1;
        self.sends.insert(id, 1);
        Bytes::from(id.to_be_bytes().to_vec())
    }

    /// Acknowledges until nothing is owed.
    fn settle(&mut self) -> Check {
        for _ in 0..1000 {
            let Some(c) = self
                .conns
                .iter()
                .find(|(_, c)| !c.owed.is_empty())
                .map(|(id, _)| *id)
            else {
                return Ok(());
            };
            self.send_acks(c)?;
            self.check()?;
        }
        Err("acknowledgements never settle".into())
    }

    fn probe_client(&mut self, id: &str) -> Result<ConnId, String> {
        let conn = ConnId(self.next_conn);
        self.next_conn += 1;
        // Each probe from an address of its own (10.9.9.N, N its connection).
        let ip = format!("10.9.9.{}", conn.0 % 250);
        self.broker
            .handle_connection_opened(self.now, conn, PeerAddr::new(ip, 1));
        self.conns.insert(conn, ClientConn::new(Behaviour::Honest));
        self.drain()?;
        self.feed_packet(
            conn,
            Packet::Connect(Connect {
                protocol: Protocol::V311,
                clean_session: true,
                keep_alive: 0,
                client_id: id.into(),
                will: None,
                login: None,
            }),
        )?;
        match self.conns.get(&conn) {
            Some(c) if c.client_id.is_some() => Ok(conn),
            _ => Err(format!("the probe {id} was not accepted")),
        }
    }
}
