//! Properties over random action sequences (connect, subscribe, publish at any QoS
//! with or without retain, resend, acknowledge, drop, disconnect, time passing):
//!
//! - no client receives a PUBLISH on a topic none of its filters match;
//! - no client receives the same message twice as a first delivery (DUP=0), which
//!   for QoS 2 is exactly-once on both legs, even when the publisher resends its
//!   PUBLISH and PUBREL;
//! - the same actions give the same outputs (no hidden nondeterminism).

use std::collections::BTreeMap;
use std::time::Duration;

use bytes::Bytes;
use mqttlab_core::broker::{BrokerConfig, ConnId, Output};
use mqttlab_core::codec::{Packet, Publish, QosPid};
use mqttlab_core::topic::{self, TopicName};
use proptest::prelude::*;

use crate::harness::*;

const FILTERS: [&str; 7] = ["a/b", "a/+", "a/#", "#", "+/c", "$SYS/#", "b"];
const TOPICS: [&str; 5] = ["a/b", "a/c", "b", "b/c", "$SYS/x"];
const CLIENTS: usize = 3;

#[derive(Debug, Clone)]
enum Action {
    Connect {
        c: usize,
        clean: bool,
    },
    Disconnect {
        c: usize,
    },
    Drop {
        c: usize,
    },
    Subscribe {
        c: usize,
        f: usize,
        q: u8,
    },
    Unsubscribe {
        c: usize,
        f: usize,
    },
    Publish {
        c: usize,
        t: usize,
        q: u8,
        retain: bool,
        release: bool,
    },
    ResendUnreleased {
        c: usize,
    },
    Release {
        c: usize,
    },
    AckAll {
        c: usize,
    },
    Wait {
        secs: u8,
    },
}

fn action() -> impl Strategy<Value = Action> {
    let c = 0..CLIENTS;
    prop_oneof![
        (c.clone(), any::<bool>()).prop_map(|(c, clean)| Action::Connect { c, clean }),
        c.clone().prop_map(|c| Action::Disconnect { c }),
        c.clone().prop_map(|c| Action::Drop { c }),
        (c.clone(), 0..FILTERS.len(), 0u8..3).prop_map(|(c, f, q)| Action::Subscribe { c, f, q }),
        (c.clone(), 0..FILTERS.len()).prop_map(|(c, f)| Action::Unsubscribe { c, f }),
        (
            c.clone(),
            0..TOPICS.len(),
            0u8..3,
            any::<bool>(),
            any::<bool>()
        )
            .prop_map(|(c, t, q, retain, release)| Action::Publish {
                c,
                t,
                q,
                retain,
                release
            }),
        c.clone().prop_map(|c| Action::ResendUnreleased { c }),
        c.clone().prop_map(|c| Action::Release { c }),
        c.clone().prop_map(|c| Action::AckAll { c }),
        (0u8..100).prop_map(|secs| Action::Wait { secs }),
    ]
}

#[derive(Default)]
struct Client {
    conn: Option<ConnId>,
    next_pid: u16,
    /// Ever subscribed filters (queued messages may arrive after an unsubscribe).
    filters: Vec<&'static str>,
    /// QoS 2 publishes sent and not yet released.
    unreleased: Vec<Publish>,
    /// How many first deliveries of each non-retained payload arrived.
    first_deliveries: BTreeMap<Bytes, u32>,
    /// Acknowledgements owed for what arrived on the current connection.
    to_ack: Vec<Packet>,
}

/// Runs the actions, checking the safety properties after each; returns every
/// output for the determinism check.
fn run(actions: &[Action]) -> Result<Vec<Output>, TestCaseError> {
    let mut lab = Lab::new(BrokerConfig {
        max_queued_messages: 5,
        max_inflight_messages: 3,
        ..BrokerConfig::default()
    });
    let mut clients: Vec<Client> = (0..CLIENTS).map(|_| Client::default()).collect();
    let mut all = Vec::new();
    let mut serial = 0u32;
    let name = |c: usize| format!("c{c}");
    for a in actions {
        lab.clear();
        match a.clone() {
            Action::Connect { c, clean } => {
                if clients[c].conn.is_none() {
                    let mut p = connect(&name(c));
                    p.clean_session = clean;
                    p.keep_alive = 120;
                    clients[c].conn = Some(lab.connect_with("127.0.0.1", p));
                }
            }
            Action::Disconnect { c } => {
                clients[c].to_ack.clear();
                if let Some(conn) = clients[c].conn.take() {
                    lab.send(conn, Packet::Disconnect);
                }
            }
            Action::Drop { c } => {
                clients[c].to_ack.clear();
                if let Some(conn) = clients[c].conn.take() {
                    lab.drop_conn(conn);
                }
            }
            Action::Subscribe { c, f, q } => {
                if let Some(conn) = clients[c].conn {
                    clients[c].filters.push(FILTERS[f]);
                    lab.send(conn, subscribe(1, &[(FILTERS[f], q)]));
                }
            }
            Action::Unsubscribe { c, f } => {
                if let Some(conn) = clients[c].conn {
                    lab.send(conn, unsubscribe(1, &[FILTERS[f]]));
                }
            }
            Action::Publish {
                c,
                t,
                q,
                retain,
                release,
            } => {
                if let Some(conn) = clients[c].conn {
                    serial += 1;
                    let cl = &mut clients[c];
                    cl.next_pid = cl.next_pid % 1000 + 1;
                    let p = Publish {
                        dup: false,
                        qospid: QosPid::from_parts(qos(q), pid(cl.next_pid)),
                        retain,
                        topic: TopicName::new(TOPICS[t]).unwrap(),
                        payload: Bytes::from(format!("{}m{serial}", if retain { "r" } else { "" })),
                    };
                    lab.send(conn, Packet::Publish(p.clone()));
                    if q == 2 {
                        if release {
                            lab.send(conn, Packet::Pubrel(p.qospid.pid().unwrap()));
                        } else {
                            clients[c].unreleased.push(p);
                        }
                    }
                }
            }
            Action::ResendUnreleased { c } => {
                if let Some(conn) = clients[c].conn {
                    for mut p in clients[c].unreleased.clone() {
                        p.dup = true;
                        lab.send(conn, Packet::Publish(p));
                    }
                }
            }
            Action::Release { c } => {
                if let Some(conn) = clients[c].conn {
                    for p in std::mem::take(&mut clients[c].unreleased) {
                        let id = p.qospid.pid().unwrap();
                        lab.send(conn, Packet::Pubrel(id));
                        lab.send(conn, Packet::Pubrel(id));
                    }
                }
            }
            Action::AckAll { .. } | Action::Wait { .. } => {}
        }
        if let Action::Wait { secs } = a {
            lab.advance(Duration::from_secs(u64::from(*secs)));
        }
        observe(&lab, &mut clients)?;
        all.append(&mut lab.out);
        // The broker's schedule agrees with its connections' keep-alive deadlines
        // (resend is off here).
        let earliest = lab
            .broker
            .connections()
            .iter()
            .filter_map(|c| c.keepalive_deadline)
            .min();
        prop_assert_eq!(lab.broker.poll_timeout(), earliest);
        // Clients answer what they received only when asked (AckAll), so windows
        // fill up and queues form in between.
        if let Action::AckAll { c } = a {
            if let Some(conn) = clients[*c].conn {
                for p in std::mem::take(&mut clients[*c].to_ack) {
                    lab.send(conn, p);
                }
                observe(&lab, &mut clients)?;
                all.append(&mut lab.out);
            }
        }
    }
    Ok(all)
}

/// Checks what the broker sent since the last clear and notes what to answer.
fn observe(lab: &Lab, clients: &mut [Client]) -> Result<(), TestCaseError> {
    for (i, cl) in clients.iter_mut().enumerate() {
        let Some(conn) = cl.conn else { continue };
        for p in lab.packets_to(conn) {
            match &p {
                Packet::Publish(p) => {
                    let matched = cl
                        .filters
                        .iter()
                        .any(|f| topic::matches(f, p.topic.as_str()));
                    prop_assert!(
                        matched,
                        "c{} got {} but subscribed to {:?}",
                        i,
                        p.topic,
                        cl.filters
                    );
                    if !p.dup && !p.payload.starts_with(b"r") {
                        let n = cl.first_deliveries.entry(p.payload.clone()).or_default();
                        *n += 1;
                        prop_assert!(*n == 1, "c{} got {:?} twice", i, p.payload);
                    }
                    match p.qospid {
                        QosPid::AtLeastOnce(id) => cl.to_ack.push(Packet::Puback(id)),
                        QosPid::ExactlyOnce(id) => cl.to_ack.push(Packet::Pubrec(id)),
                        QosPid::AtMostOnce => {}
                    }
                }
                Packet::Pubrel(id) => cl.to_ack.push(Packet::Pubcomp(*id)),
                _ => {}
            }
        }
        if lab.closed().iter().any(|(c, _)| *c == conn) {
            cl.conn = None;
        }
        if cl.conn.is_none() {
            cl.to_ack.clear();
        }
    }
    Ok(())
}
proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn deliveries_match_filters_and_are_never_duplicated(
        actions in proptest::collection::vec(action(), 1..80)
    ) {
        let first = run(&actions)?;
        let second = run(&actions)?;
        prop_assert_eq!(first, second, "same actions, same outputs");
    }
}

// ---- QoS 2 end to end: exactly once, through drops and reconnects ----

#[derive(Debug, Clone)]
enum Q2 {
    Publish { release: bool },
    Release,
    ResendUnreleased,
    DropPublisher,
    DropSubscriber,
    AckSome { n: usize },
    Wait,
}

fn q2_action() -> impl Strategy<Value = Q2> {
    prop_oneof![
        3 => any::<bool>().prop_map(|release| Q2::Publish { release }),
        1 => Just(Q2::Release),
        1 => Just(Q2::ResendUnreleased),
        1 => Just(Q2::DropPublisher),
        1 => Just(Q2::DropSubscriber),
        3 => (0usize..6).prop_map(|n| Q2::AckSome { n }),
        1 => Just(Q2::Wait),
    ]
}

/// A QoS 2 receiver as the standard describes it (method B): the message goes to
/// the application on the first PUBLISH of a packet id, the id is held until
/// PUBREL, and the held ids survive reconnects (a persistent session).
#[derive(Default)]
struct Receiver2 {
    conn: Option<ConnId>,
    held: std::collections::BTreeSet<u16>,
    delivered: BTreeMap<Bytes, u32>,
    owed: Vec<Packet>,
}

impl Receiver2 {
    fn take(&mut self, lab: &Lab) {
        let Some(conn) = self.conn else { return };
        for p in lab.packets_to(conn) {
            match p {
                Packet::Publish(p) => {
                    let QosPid::ExactlyOnce(id) = p.qospid else {
                        panic!("QoS 2 subscription got {p:?}")
                    };
                    if self.held.insert(id.get()) {
                        *self.delivered.entry(p.payload.clone()).or_default() += 1;
                    }
                    self.owed.push(Packet::Pubrec(id));
                }
                Packet::Pubrel(id) => {
                    self.held.remove(&id.get());
                    self.owed.push(Packet::Pubcomp(id));
                }
                _ => {}
            }
        }
    }
}

/// A persistent session without keep alive: the model does not answer PINGs.
fn no_keepalive(id: &str) -> mqttlab_core::codec::Connect {
    let mut c = persistent(id);
    c.keep_alive = 0;
    c
}

fn q2_run(actions: &[Q2]) -> Result<(), TestCaseError> {
    let mut lab = Lab::new(BrokerConfig {
        max_queued_messages: 10_000,
        max_inflight_messages: 3,
        ..BrokerConfig::default()
    });
    let mut sub = Receiver2::default();
    let reconnect_sub = |lab: &mut Lab, sub: &mut Receiver2| {
        lab.clear();
        let conn = lab.connect_with("127.0.0.1", no_keepalive("sub"));
        sub.conn = Some(conn);
        sub.owed.clear();
        sub.take(lab);
    };
    reconnect_sub(&mut lab, &mut sub);
    lab.send(sub.conn.unwrap(), subscribe(1, &[("t", 2)]));
    let mut publ = Some(lab.connect_with("127.0.0.1", no_keepalive("pub")));
    let mut unreleased: Vec<Publish> = Vec::new();
    let mut published = Vec::new();
    let mut next_pid = 0u16;
    for a in actions {
        lab.clear();
        let p = match publ {
            Some(p) => p,
            None => {
                let p = lab.connect_with("127.0.0.1", no_keepalive("pub"));
                publ = Some(p);
                p
            }
        };
        match a {
            Q2::Publish { release } => {
                next_pid = next_pid % 500 + 1;
                let msg = Publish {
                    dup: false,
                    qospid: QosPid::ExactlyOnce(pid(next_pid)),
                    retain: false,
                    topic: TopicName::new("t").unwrap(),
                    payload: Bytes::from(format!("m{}", published.len())),
                };
                published.push(msg.payload.clone());
                lab.send(p, Packet::Publish(msg.clone()));
                if *release {
                    lab.send(p, Packet::Pubrel(pid(next_pid)));
                } else {
                    unreleased.push(msg);
                }
            }
            Q2::Release => {
                for m in unreleased.drain(..) {
                    lab.send(p, Packet::Pubrel(m.qospid.pid().unwrap()));
                }
            }
            Q2::ResendUnreleased => {
                for m in &unreleased {
                    let mut m = m.clone();
                    m.dup = true;
                    lab.send(p, Packet::Publish(m));
                }
            }
            Q2::DropPublisher => {
                lab.drop_conn(p);
                publ = None;
            }
            Q2::DropSubscriber => {
                if let Some(c) = sub.conn.take() {
                    lab.drop_conn(c);
                }
            }
            Q2::AckSome { n } => {
                if sub.conn.is_none() {
                    reconnect_sub(&mut lab, &mut sub);
                }
                let conn = sub.conn.unwrap();
                let k = (*n).min(sub.owed.len());
                let acks: Vec<Packet> = sub.owed.drain(..k).collect();
                lab.clear();
                for ack in acks {
                    lab.send(conn, ack);
                }
            }
            Q2::Wait => lab.advance(Duration::from_secs(30)),
        }
        sub.take(&lab);
    }
    // Heal: the publisher releases everything, the subscriber comes back and
    // answers until the broker has nothing left to send.
    lab.clear();
    let p = publ.unwrap_or_else(|| lab.connect_with("127.0.0.1", no_keepalive("pub")));
    for m in unreleased.drain(..) {
        lab.send(p, Packet::Pubrel(m.qospid.pid().unwrap()));
    }
    if sub.conn.is_none() {
        reconnect_sub(&mut lab, &mut sub);
    } else {
        sub.take(&lab);
    }
    for _ in 0..10_000 {
        if sub.owed.is_empty() {
            break;
        }
        let conn = sub.conn.unwrap();
        let acks = std::mem::take(&mut sub.owed);
        lab.clear();
        for ack in acks {
            lab.send(conn, ack);
        }
        sub.take(&lab);
    }
    for m in &published {
        let n = sub.delivered.get(m).copied().unwrap_or(0);
        prop_assert_eq!(n, 1, "{:?} delivered {} times", m, n);
    }
    let s = lab.broker.session("sub").unwrap();
    prop_assert!(s.inflight.is_empty() && s.queued.is_empty());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn qos2_is_delivered_exactly_once_through_drops_and_reconnects(
        actions in proptest::collection::vec(q2_action(), 1..60)
    ) {
        q2_run(&actions)?;
    }
}
