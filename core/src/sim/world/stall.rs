//! The slow consumer (`fault stall NODE [window BYTES] [for D]`): a client that
//! stops reading, as a background browser tab or a phone on a weak link does.
//!
//! What the broker sends it waits, in order: the first `window` bytes in the
//! client's TCP receive window (the broker's socket took them, and the world
//! says so with `handle_sent`), the rest in the broker's socket buffer, which
//! the world does *not* report as taken, so they count against the client's
//! limits: once `max_queued_messages` QoS 0 messages wait, the broker drops the
//! client's QoS 0 messages and logs it, as mosquitto does. When the rule ends
//! the client reads everything that waited, and the broker hears that its
//! socket took the rest.

use std::collections::VecDeque;

use crate::broker::ConnId;
use crate::codec::AnyPacket;

use super::{Ev, World};
use crate::sim::id::{LinkId, NodeId};
use crate::sim::link::Dir;
use crate::sim::node::Node;
use crate::sim::note::{FaultEvent, Note};
use crate::sim::trace::TraceKind;

/// A frame a stalled client has not read.
#[derive(Debug, Clone)]
struct Waiting {
    conn: ConnId,
    packet: AnyPacket,
    bytes: Vec<u8>,
    /// Whether it fit the receive window (the broker was told it was sent).
    in_window: bool,
}

/// What a stalled client has not read.
#[derive(Debug, Clone, Default)]
pub(super) struct Stall {
    frames: VecDeque<Waiting>,
    /// Bytes of `frames` in the receive window.
    in_window: usize,
    /// Whether the trace said the window is full.
    full_noted: bool,
}

impl World {
    /// The window and rule label of a slow-consumer rule stalling `client` now.
    fn active_stall(
        &self,
        client: NodeId,
    ) -> Option<(usize, Option<crate::time::Instant>, String)> {
        self.faults.iter().find_map(|r| {
            let window = r.stalls(self.now, client)?;
            Some((window, r.until, r.label.clone()))
        })
    }

    /// A packet from broker `node` for `conn` on `link`: on the wire now, or
    /// waiting if its client is stalled.
    pub(super) fn broker_transmit(
        &mut self,
        node: NodeId,
        link: LinkId,
        conn: ConnId,
        packet: AnyPacket,
        bytes: Vec<u8>,
    ) {
        let len = bytes.len();
        let client = self.links[link.index()].client;
        let Some((window, until, label)) = self.active_stall(client) else {
            // Whatever waited goes first: TCP keeps the order.
            self.release(link);
            self.send_packet(link, conn, Dir::ToClient, packet, bytes);
            return self.socket_took(node, conn, len);
        };
        let s = self.stalls.entry(link).or_default();
        let first = s.frames.is_empty();
        let fits = s.in_window + len <= window;
        let note_full = !fits && !s.full_noted;
        if fits {
            s.in_window += len;
        } else {
            s.full_noted = true;
        }
        s.frames.push_back(Waiting {
            conn,
            packet,
            bytes,
            in_window: fits,
        });
        let name = self.name(client);
        if first {
            if let Some(u) = until {
                self.queue.push(u, Ev::Unstall { link });
            }
            let event = FaultEvent::NotReading {
                client: name.clone(),
                window,
            };
            self.push_trace(TraceKind::Fault {
                label: label.clone(),
                node: Some(name.clone()),
                event,
            });
        }
        if note_full {
            self.push_trace(TraceKind::Fault {
                label,
                node: Some(name.clone()),
                event: FaultEvent::WindowFull { client: name },
            });
        }
        if fits {
            self.socket_took(node, conn, len);
        }
    }

    /// Broker `node`'s socket for `conn` took `len` bytes.
    fn socket_took(&mut self, node: NodeId, conn: ConnId, len: usize) {
        let now = self.now;
        if let Node::Broker(b) = &mut self.nodes[node.index()] {
            b.broker.handle_sent(now, conn, len);
        }
    }

    /// The client on `link` reads again: what waited goes on the wire, in order.
    fn release(&mut self, link: LinkId) {
        let Some(s) = self.stalls.remove(&link) else {
            return;
        };
        if s.frames.is_empty() {
            return;
        }
        let broker = self.links[link.index()].broker;
        let client = self.name(self.links[link.index()].client);
        let note = Note::ReadsAgain {
            client: client.clone(),
            packets: s.frames.len(),
        };
        self.push_trace(TraceKind::State { node: client, note });
        for w in s.frames {
            let len = w.bytes.len();
            self.send_packet(link, w.conn, Dir::ToClient, w.packet, w.bytes);
            if !w.in_window {
                self.socket_took(broker, w.conn, len);
            }
        }
    }

    /// A slow-consumer rule on `link`'s client may have ended.
    pub(super) fn unstall(&mut self, link: LinkId) {
        if self.active_stall(self.links[link.index()].client).is_some() {
            return;
        }
        self.release(link);
        let broker = self.links[link.index()].broker;
        self.pump_broker(broker);
    }
}
