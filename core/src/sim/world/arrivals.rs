//! Arrivals: a SYN, a frame or a close reaching its end of a link.

use crate::broker::{ConnId, PeerAddr};
use crate::codec::AnyPacket;

use super::World;
use crate::sim::id::LinkId;
use crate::sim::link::Dir;
use crate::sim::node::Node;
use crate::sim::note::{PacketCause, PacketNote};
use crate::sim::trace::{CloseKind, Fate, TraceKind};

impl World {
    pub(super) fn on_syn(&mut self, link: LinkId, conn: ConnId) {
        let broker = self.links[link.index()].broker;
        let client = self.links[link.index()].client;
        let Some(meta) = self.conn_meta(conn).cloned() else {
            return;
        };
        let ip = self.links[link.index()].client_ip.clone();
        let Node::Broker(b) = &mut self.nodes[broker.index()] else {
            return;
        };
        let broker_addr = (b.ip.clone(), b.port());
        b.broker
            .handle_connection_opened(self.now, conn, PeerAddr::new(ip.clone(), meta.port));
        if self.trace.enabled() {
            self.push_trace(TraceKind::Open {
                client: self.name(client),
                broker: self.name(broker),
                conn: conn.0,
                client_addr: (ip, meta.port),
                broker_addr,
            });
        }
        self.pump_broker(broker);
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn on_frame(
        &mut self,
        link: LinkId,
        conn: ConnId,
        dir: Dir,
        packet: AnyPacket,
        summary: Option<String>,
        bytes: Vec<u8>,
        note: Option<PacketNote>,
    ) {
        let now = self.now;
        match dir {
            Dir::ToBroker => {
                let broker = self.links[link.index()].broker;
                // Data reaching a connection the broker has closed (held by a
                // partition, say, and let through after its keep-alive
                // timeout) is never read: dropped, not delivered.
                if let Node::Broker(b) = &self.nodes[broker.index()] {
                    if !b.broker.has_connection(conn) {
                        let why = PacketCause::BrokerClosed;
                        self.drop_packet(link, conn, dir, &packet, summary, bytes, why);
                        return;
                    }
                }
                self.stats.packets_delivered += 1;
                let len = bytes.len();
                if self.trace.enabled() {
                    let at = (link, conn, dir);
                    self.trace_packet(Fate::Delivered, at, &packet, summary, bytes, note);
                }
                if let Node::Broker(b) = &mut self.nodes[broker.index()] {
                    b.broker.handle_frame(now, conn, packet, len);
                }
                self.pump_broker(broker);
            }
            Dir::ToClient => {
                let node = self.links[link.index()].client;
                let l = &self.links[link.index()];
                let Node::Client(c) = &self.nodes[node.index()] else {
                    return;
                };
                let refuse = if l.client_gone {
                    Some(PacketCause::ClientGone)
                } else if c.wifi_down {
                    Some(PacketCause::WifiDown)
                } else if !c.alive || l.conn != Some(conn) {
                    Some(PacketCause::NoConnection)
                } else if !c.app.accepts(bytes.len()) {
                    Some(PacketCause::TooBig { len: bytes.len() })
                } else {
                    None
                };
                if let Some(why) = refuse {
                    self.drop_packet(link, conn, dir, &packet, summary, bytes, why);
                    return;
                }
                self.stats.packets_delivered += 1;
                if self.trace.enabled() {
                    let at = (link, conn, dir);
                    self.trace_packet(Fate::Delivered, at, &packet, summary, bytes, note);
                }
                let Node::Client(c) = &mut self.nodes[node.index()] else {
                    return;
                };
                if c.app.debug() {
                    self.with_app(node, |app, cx| app.on_received(cx, &packet));
                }
                if let Node::Client(c) = &mut self.nodes[node.index()] {
                    match packet {
                        AnyPacket::V3(p) => c.client.handle_packet(now, p),
                        AnyPacket::V5(p) => c.client.handle_packet_v5(now, p),
                    }
                }
                self.pump_client(node);
            }
        }
    }

    pub(super) fn on_close(&mut self, link: LinkId, conn: ConnId, dir: Dir, kind: CloseKind) {
        let (from, to) = self.endpoints(link, dir);
        // A host that is gone, or off the network, never sees the segment.
        let lost = dir == Dir::ToClient
            && (self.links[link.index()].client_gone
                || self.client(to).is_some_and(|c| c.wifi_down));
        if self.trace.enabled() {
            self.push_trace(TraceKind::Close {
                fate: if lost { Fate::Dropped } else { Fate::Delivered },
                from: self.name(from),
                to: self.name(to),
                conn: conn.0,
                kind,
                to_broker: dir == Dir::ToBroker,
                reason: None,
            });
        }
        let now = self.now;
        match dir {
            Dir::ToBroker => {
                if let Node::Broker(b) = &mut self.nodes[to.index()] {
                    b.broker.handle_connection_closed(now, conn);
                }
                self.pump_broker(to);
            }
            Dir::ToClient => {
                if self.links[link.index()].conn != Some(conn) {
                    return;
                }
                self.links[link.index()].conn = None;
                if let Node::Client(c) = &mut self.nodes[to.index()] {
                    if c.alive {
                        c.reset_seen = kind == CloseKind::Reset;
                        c.client.handle_closed(now);
                    }
                }
                self.pump_client(to);
            }
        }
    }
}
