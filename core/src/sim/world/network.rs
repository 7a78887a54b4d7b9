//! The network: opening connections, sending packets and closes over a link
//! through the fault rules, the TCP model's holds, retransmissions and resets.

use core::time::Duration;

use crate::broker::CloseReason;
use crate::codec::{v5, AnyPacket, Packet, QosPid};

use super::{ConnMeta, Ev, InFlight, World};
use crate::broker::ConnId;
use crate::sim::fault::{FaultAction, Misbehaviour};
use crate::sim::id::{LinkId, NodeId};
use crate::sim::link::{Dir, Transit};
use crate::sim::note::{FaultEvent, Note, PacketCause, PacketNote};
use crate::sim::trace::{CloseKind, Fate, TraceKind};

impl World {
    pub(super) fn endpoints(&self, link: LinkId, dir: Dir) -> (NodeId, NodeId) {
        let l = &self.links[link.index()];
        match dir {
            Dir::ToBroker => (l.client, l.broker),
            Dir::ToClient => (l.broker, l.client),
        }
    }

    /// Opens a TCP connection from a client host to its broker (a SYN on its link).
    pub(super) fn open_connection(&mut self, node: NodeId) {
        let Some(link) = self.client(node).map(|c| c.link) else {
            return;
        };
        let conn = ConnId(self.next_conn);
        self.next_conn += 1;
        let port = self.links[link.index()].ephemeral_port();
        debug_assert_eq!(self.conns.len() as u64 + 1, conn.0);
        self.conns.push(ConnMeta { link, port });
        self.links[link.index()].conn = Some(conn);
        self.stats.connections += 1;
        self.transmit(
            link,
            Dir::ToBroker,
            Ev::Syn { link, conn },
            0,
            Duration::ZERO,
        );
    }

    /// Sends an MQTT packet over a link, through the fault rules.
    pub(super) fn send_packet(
        &mut self,
        link: LinkId,
        conn: ConnId,
        dir: Dir,
        packet: AnyPacket,
        bytes: Vec<u8>,
    ) {
        let (from, to) = self.endpoints(link, dir);
        self.stats.packets_sent += 1;
        let mut packet = packet;
        let mut bytes = bytes;
        let ptype = packet.packet_type();
        let mut extra = Duration::ZERO;
        let mut duplicate = false;
        let mut note = None;
        if let Some(rule) = self
            .faults
            .iter_mut()
            .find(|r| !r.is_stall() && r.matches(self.now, ptype, from, to))
        {
            rule.consume();
            let label = rule.label.clone();
            let action = rule.action;
            let node = rule.node().unwrap_or(self.links[link.index()].client);
            if self.trace.enabled() {
                let event = FaultEvent::Acted {
                    action,
                    packet: packet.to_string(),
                    from: self.name(from),
                    to: self.name(to),
                };
                self.push_trace(TraceKind::Fault {
                    label: label.clone(),
                    node: Some(self.name(node)),
                    event,
                });
            }
            match action {
                FaultAction::Drop => {
                    let why = PacketCause::DroppedByFault { rule: label };
                    self.drop_packet(link, conn, dir, &packet, None, bytes, why);
                    return;
                }
                FaultAction::Delay(d) => {
                    extra = d;
                    let cause = PacketCause::DelayedByFault { rule: label };
                    note = Some(Box::new(PacketNote::cause(cause)));
                }
                FaultAction::Duplicate => duplicate = true,
                FaultAction::Stall { .. } => {}
                FaultAction::Misbehave(Misbehaviour::Forget) => return,
                FaultAction::Misbehave(m) => {
                    if m.rewrite(&mut packet) {
                        let mut b = Vec::new();
                        if packet.encode(&mut b).is_ok() {
                            bytes = b;
                        }
                    }
                }
            }
        }
        // The summary is made once, for this entry and its arrival's.
        let summary = self.trace.enabled().then(|| packet.to_string());
        if let Some(s) = &summary {
            let (at, b) = ((link, conn, dir), bytes.clone());
            self.trace_packet(Fate::Sent, at, &packet, Some(s.clone()), b, None);
        }
        let copy = duplicate.then(|| {
            let mut p = packet.clone();
            match &mut p {
                AnyPacket::V3(Packet::Publish(publish)) => {
                    if publish.qospid != QosPid::AtMostOnce {
                        publish.dup = true;
                    }
                }
                AnyPacket::V5(v5::Packet::Publish(publish)) => {
                    if publish.qospid != QosPid::AtMostOnce {
                        publish.dup = true;
                    }
                }
                _ => {}
            }
            let mut b = Vec::new();
            let _ = p.encode(&mut b);
            (p, b)
        });
        let len = bytes.len();
        self.transmit(
            link,
            dir,
            Ev::Frame {
                link,
                conn,
                dir,
                packet: Box::new(InFlight { packet, summary }),
                bytes,
                note,
            },
            len,
            extra,
        );
        if let Some((p, b)) = copy {
            self.stats.packets_sent += 1;
            if self.trace.enabled() {
                self.trace_packet(
                    Fate::Sent,
                    (link, conn, dir),
                    &p,
                    None,
                    b.clone(),
                    Some(PacketNote::cause(PacketCause::DuplicateMade)),
                );
            }
            let len = b.len();
            self.transmit(
                link,
                dir,
                Ev::Frame {
                    link,
                    conn,
                    dir,
                    packet: Box::new(InFlight {
                        packet: p,
                        summary: None,
                    }),
                    bytes: b,
                    note: Some(Box::new(PacketNote::cause(PacketCause::Duplicate))),
                },
                len,
                Duration::ZERO,
            );
        }
    }

    pub(super) fn send_close(&mut self, link: LinkId, conn: ConnId, dir: Dir, kind: CloseKind) {
        self.send_close_because(link, conn, dir, kind, None);
    }

    /// Sends a FIN or RST; `reason` is why a broker closes (kept in the trace).
    pub(super) fn send_close_because(
        &mut self,
        link: LinkId,
        conn: ConnId,
        dir: Dir,
        kind: CloseKind,
        reason: Option<CloseReason>,
    ) {
        let (from, to) = self.endpoints(link, dir);
        if self.trace.enabled() {
            let to_broker = dir == Dir::ToBroker;
            self.push_trace(TraceKind::Close {
                fate: Fate::Sent,
                from: self.name(from),
                to: self.name(to),
                conn: conn.0,
                kind,
                to_broker,
                reason,
            });
        }
        self.transmit(
            link,
            dir,
            Ev::Close {
                link,
                conn,
                dir,
                kind,
            },
            0,
            Duration::ZERO,
        );
    }

    /// Puts a segment on the wire: held while partitioned, else scheduled for its
    /// arrival (or a reset when TCP gives up).
    pub(super) fn transmit(&mut self, link: LinkId, dir: Dir, ev: Ev, len: usize, extra: Duration) {
        if self.links[link.index()].partitioned {
            self.held.push((link, ev));
            return;
        }
        let reset_on_loss = matches!(ev, Ev::Frame { .. });
        let now = self.now;
        match self.links[link.index()].transit(now, dir, len, extra) {
            Transit::Arrives(t, retrans) => {
                let ev = match ev {
                    Ev::Frame {
                        link,
                        conn,
                        dir,
                        packet,
                        bytes,
                        note,
                    } if retrans > 0 => Ev::Frame {
                        link,
                        conn,
                        dir,
                        packet,
                        bytes,
                        note: Some(Box::new(PacketNote {
                            cause: note.and_then(|n| n.cause),
                            retransmissions: retrans,
                        })),
                    },
                    ev => ev,
                };
                self.queue.push(t, ev);
            }
            Transit::Reset if reset_on_loss => {
                let Ev::Frame { conn, .. } = ev else { return };
                let note = Note::TcpGaveUp {
                    retransmissions: self.links[link.index()].params.max_retransmits,
                    conn: conn.0,
                };
                self.state(self.links[link.index()].client, note);
                self.reset(link, conn);
            }
            Transit::Reset => {
                let latency = self.links[link.index()].params.latency;
                let at = self.links[link.index()].in_order(dir, now + latency);
                self.queue.push(at, ev);
            }
        }
    }

    pub(super) fn reset(&mut self, link: LinkId, conn: ConnId) {
        let at = self.now + self.links[link.index()].params.latency;
        for dir in [Dir::ToBroker, Dir::ToClient] {
            self.queue.push(
                at,
                Ev::Close {
                    link,
                    conn,
                    dir,
                    kind: CloseKind::Reset,
                },
            );
        }
    }

    /// A packet lost on the way: counted, and traced with why.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn drop_packet(
        &mut self,
        link: LinkId,
        conn: ConnId,
        dir: Dir,
        packet: &AnyPacket,
        summary: Option<String>,
        bytes: Vec<u8>,
        why: PacketCause,
    ) {
        self.stats.packets_dropped += 1;
        if self.trace.enabled() {
            let note = Some(PacketNote::cause(why));
            let at = (link, conn, dir);
            self.trace_packet(Fate::Dropped, at, packet, summary, bytes, note);
        }
    }
}
