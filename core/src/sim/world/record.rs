//! What the world writes down: packets, broker log lines, state notes and terminal
//! output, into the trace (and a client's terminal).

use crate::codec::{v5, AnyPacket, Packet};

use super::World;
use crate::broker::ConnId;
use crate::sim::id::{LinkId, NodeId};
use crate::sim::link::Dir;
use crate::sim::node::Node;
use crate::sim::note::{Note, PacketNote};
use crate::sim::trace::{Fate, TraceKind};

impl World {
    pub(super) fn name(&self, node: NodeId) -> String {
        self.nodes[node.index()].name().to_owned()
    }

    /// Traces a packet at `(link, conn, dir)`; `summary` is its one-line
    /// summary if already made (its `sent` entry's), else it is made here.
    pub(super) fn trace_packet(
        &mut self,
        fate: Fate,
        (link, conn, dir): (LinkId, ConnId, Dir),
        packet: &AnyPacket,
        summary: Option<String>,
        bytes: Vec<u8>,
        note: Option<PacketNote>,
    ) {
        let (from, to) = self.endpoints(link, dir);
        self.push_trace(TraceKind::Packet {
            fate,
            from: self.name(from),
            to: self.name(to),
            conn: conn.0,
            to_broker: dir == Dir::ToBroker,
            summary: summary.unwrap_or_else(|| packet.to_string()),
            dup: match packet {
                AnyPacket::V3(Packet::Publish(p)) => p.dup,
                AnyPacket::V5(v5::Packet::Publish(p)) => p.dup,
                _ => false,
            },
            v5: matches!(packet, AnyPacket::V5(_)),
            bytes,
            note,
        });
    }

    pub(super) fn push_trace(&mut self, kind: TraceKind) {
        self.trace.push(self.now, kind);
    }

    pub(super) fn log(&mut self, node: NodeId, text: String) {
        if self.trace.enabled() {
            self.push_trace(TraceKind::Log {
                node: self.name(node),
                text,
            });
        }
    }

    pub(super) fn state(&mut self, node: NodeId, note: Note) {
        if self.trace.enabled() {
            self.push_trace(TraceKind::State {
                node: self.name(node),
                note,
            });
        }
    }

    pub(super) fn print(&mut self, node: NodeId, text: String) {
        let now = self.now;
        if let Node::Client(c) = &mut self.nodes[node.index()] {
            if c.keep_received {
                c.terminal.push((now, text.clone()));
            }
        }
        if self.trace.enabled() {
            self.push_trace(TraceKind::Terminal {
                node: self.name(node),
                text,
            });
        }
    }
}
