//! Pumping nodes: draining brokers' and clients' outputs onto links, running app
//! callbacks and applying their effects.

use std::collections::VecDeque;

use crate::broker::{BrokerEvent, Output};
use crate::client::{Client, ClientEvent, ConnectionState, DisconnectReason, Transmit};
use crate::codec::{AnyPacket, Packet};
use crate::time::Instant;

use super::World;
use crate::sim::id::NodeId;
use crate::sim::link::Dir;
use crate::sim::node::{App, ClientNode, Cx, Effect, Node, Received};
use crate::sim::note::{Disconnect, Note};
use crate::sim::trace::CloseKind;
use crate::tools::TransportError;

impl World {
    pub(super) fn pump_broker(&mut self, node: NodeId) {
        loop {
            let Node::Broker(b) = &mut self.nodes[node.index()] else {
                return;
            };
            let Some(out) = b.broker.poll_output() else {
                break;
            };
            match out {
                Output::Transmit(t) => {
                    let conn = t.conn;
                    if let Some(meta) = self.conn_meta(conn) {
                        let link = meta.link;
                        self.broker_transmit(node, link, conn, t.packet, t.bytes.into());
                    }
                }
                Output::Close { conn, reason } => {
                    if let Some(meta) = self.conn_meta(conn) {
                        let link = meta.link;
                        let (dir, fin) = (Dir::ToClient, CloseKind::Fin);
                        self.send_close_because(link, conn, dir, fin, Some(reason));
                    }
                }
                Output::Log(line) => self.log(node, line.text),
                Output::Event(e) => {
                    let will = match &e {
                        BrokerEvent::WillPublished { client_id, .. } => Some((client_id, true)),
                        BrokerEvent::WillDiscarded { client_id } => Some((client_id, false)),
                        _ => None,
                    };
                    if let Some((client_id, published)) = will {
                        self.wills.push(super::WillMoment {
                            time: self.now,
                            broker: node,
                            client_id: client_id.clone(),
                            published,
                        });
                    }
                    if let Some(v) = &mut self.broker_events {
                        v.push((self.now, node, e));
                    }
                }
            }
        }
        self.reschedule(node);
    }

    /// Runs an app callback with a context, then applies its effects.
    pub(super) fn with_app(&mut self, node: NodeId, f: impl FnOnce(&mut App, &mut Cx)) {
        let coupled = self.nodes[node.index()]
            .as_client()
            .and_then(|c| c.app.coupled_to())
            .and_then(|name| self.names.get(name).copied())
            .and_then(|id| self.client(id))
            .and_then(|c| c.app.switch_state());
        let now = self.now;
        let Node::Client(c) = &mut self.nodes[node.index()] else {
            return;
        };
        let ClientNode {
            client,
            rng,
            wake,
            app,
            ..
        } = &mut **c;
        let mut cx = Cx {
            now,
            client,
            rng,
            wake,
            coupled,
            effects: Vec::new(),
        };
        f(app, &mut cx);
        let effects = cx.effects;
        for e in effects {
            self.effect(node, e);
        }
    }

    pub(super) fn effect(&mut self, node: NodeId, e: Effect) {
        let now = self.now;
        match e {
            Effect::Print(s) => self.print(node, s),
            Effect::Write(out) => {
                for line in out.lines() {
                    self.print(node, line);
                }
                if let Node::Client(c) = &mut self.nodes[node.index()] {
                    if c.keep_received {
                        c.output.push((now, out));
                    }
                }
            }
            Effect::State(s) => self.state(node, s),
            Effect::Exit(code) => {
                if let Node::Client(c) = &mut self.nodes[node.index()] {
                    c.app = App::Idle;
                    c.wake = None;
                    c.exit_code = code.or(c.exit_code);
                }
                self.state(node, Note::Exited);
            }
            Effect::Abort => {
                self.state(node, Note::Aborted);
                if let Node::Client(c) = &mut self.nodes[node.index()] {
                    c.client = Client::new();
                    let link = c.link;
                    if let Some(conn) = self.links[link.index()].conn.take() {
                        self.send_close(link, conn, Dir::ToBroker, CloseKind::Fin);
                    }
                }
            }
            Effect::Connect(opts) => {
                let Node::Client(c) = &self.nodes[node.index()] else {
                    return;
                };
                if !c.alive || c.client.state() != ConnectionState::Disconnected {
                    return;
                }
                let listening = self.broker(c.broker).map_or(1883, |b| b.port());
                let refused = c.app.port().filter(|p| *p != listening);
                let wifi_down = c.wifi_down;
                let miss = c.app.host().and_then(|h| {
                    let what = self.reach(node, h).err()?;
                    Some((h.to_owned(), what))
                });
                let failed = if let Some((host, what)) = miss {
                    let error = what.transport_error();
                    self.state(node, Note::NoBrokerAt { host, what });
                    Some(error)
                } else if let Some(port) = refused {
                    self.state(node, Note::WrongPort { listening, port });
                    Some(TransportError::Refused)
                } else if wifi_down {
                    self.state(node, Note::NoWifi);
                    Some(TransportError::Other("Network is unreachable".into()))
                } else {
                    None
                };
                if let Some(error) = failed {
                    self.inbox.entry(node).or_default().push_back(error);
                    return;
                }
                self.open_connection(node);
                if let Node::Client(c) = &mut self.nodes[node.index()] {
                    if let Err(e) = c.client.connect(now, *opts) {
                        let line = format!("Error: {e}.");
                        self.print(node, line);
                    }
                }
            }
        }
    }

    /// Moves a client's packets onto its link and its events into its app, until
    /// both are drained.
    pub(super) fn pump_client(&mut self, node: NodeId) {
        let now = self.now;
        loop {
            let Node::Client(c) = &mut self.nodes[node.index()] else {
                return;
            };
            if let Some(Transmit { packet, v5, bytes }) = c.client.poll_transmit() {
                let link = c.link;
                // The tools hear of every packet they send (their -d lines, and
                // what they print only once a packet is out), under 5.0 with
                // the packet as it went out.
                let sent = c.app.hears_sent().then(|| (packet.clone(), v5.clone()));
                if let (true, Packet::Publish(p)) = (c.keep_received, &packet) {
                    if let Some(pid) = p.qospid.pid() {
                        let first = c.unacked.get(&pid.get()).filter(|_| p.dup).map(|(t, _)| *t);
                        c.unacked.insert(
                            pid.get(),
                            (
                                first.unwrap_or(now),
                                Received {
                                    time: now,
                                    topic: p.topic.as_str().to_owned(),
                                    payload: p.payload.to_vec(),
                                    qos: p.qos(),
                                    retain: p.retain,
                                    dup: p.dup,
                                    properties: Vec::new(),
                                },
                            ),
                        );
                    }
                }
                match self.links[link.index()].conn {
                    Some(conn) => {
                        let packet = match v5 {
                            Some(p) => AnyPacket::V5(*p),
                            None => AnyPacket::V3(packet),
                        };
                        self.send_packet(link, conn, Dir::ToBroker, packet, bytes);
                    }
                    None => {
                        self.stats.packets_dropped += 1;
                    }
                }
                // After the packet is on its way, so that the trace shows a line
                // the tool prints in answer after the packet.
                if let Some((p, v5)) = sent {
                    self.with_app(node, |app, cx| app.on_sent(cx, &p, v5.as_deref()));
                }
                continue;
            }
            let ev = match c.client.poll_event() {
                Some(ev) => {
                    self.client_event(node, &ev, now);
                    ev
                }
                // A connection that could not even start: only the app hears of it.
                None => match self.inbox.get_mut(&node).and_then(VecDeque::pop_front) {
                    Some(error) => {
                        self.with_app(node, |app, cx| app.on_connect_failed(cx, &error));
                        continue;
                    }
                    None => break,
                },
            };
            self.with_app(node, |app, cx| app.on_event(cx, &ev));
        }
        self.reschedule(node);
    }

    /// What the world itself does with a client event: records, and closes the
    /// socket when the client is done with its connection.
    pub(super) fn client_event(&mut self, node: NodeId, ev: &ClientEvent, now: Instant) {
        let Node::Client(c) = &mut self.nodes[node.index()] else {
            return;
        };
        match ev {
            ClientEvent::Message(p) => {
                if c.keep_received {
                    c.received.push(Received {
                        time: now,
                        topic: p.topic.as_str().to_owned(),
                        payload: p.payload.to_vec(),
                        qos: p.qos(),
                        retain: p.retain,
                        dup: p.dup,
                        properties: p.properties.clone(),
                    });
                }
            }
            ClientEvent::Published { pid, .. } => {
                if let Some(m) = c.unacked.remove(&pid.get()) {
                    c.acked.push(m);
                }
            }
            ClientEvent::Subscribed { granted, .. } => {
                if c.first_suback.is_none() {
                    c.first_suback = Some((now, granted.clone()));
                }
            }
            ClientEvent::Connected { session_present } => {
                let session_present = *session_present;
                self.state(node, Note::Connected { session_present });
            }
            ClientEvent::ConnectionRefused(code) => {
                c.refusals.push(code.as_u8());
                let code = *code;
                self.state(node, Note::ConnackRefused(code));
            }
            ClientEvent::Disconnected { reason } => {
                let link = c.link;
                // The client's transport closing is the broker's FIN unless TCP
                // reset it (too many retransmissions on a lossy or cut link).
                let why = if c.wifi_down {
                    Disconnect::WifiLost
                } else if *reason == DisconnectReason::TransportClosed && c.reset_seen {
                    Disconnect::TcpReset
                } else {
                    Disconnect::Client(reason.clone())
                };
                self.state(node, Note::Disconnected(why));
                if let Some(conn) = self.links[link.index()].conn.take() {
                    self.send_close(link, conn, Dir::ToBroker, CloseKind::Fin);
                }
            }
            _ => {}
        }
    }
}
