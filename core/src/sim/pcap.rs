//! A classic pcap file of a run, as Wireshark on the broker's host would capture
//! it: each MQTT packet inside synthetic Ethernet, IPv4 and TCP headers with correct
//! lengths, checksums and sequence/acknowledgement numbers, a three-way handshake
//! when a connection opens and FIN (or RST) when it closes. The broker listens on
//! its port (1883 by default) and each client connection has its own ephemeral
//! port, so Wireshark's MQTT dissector and its Flow Graph work as on a real
//! capture.
//!
//! Clients' packets are captured when they reach the broker, the broker's when it
//! sends them; a packet lost on its way to the broker is therefore not in the file.

use std::collections::BTreeMap;

use crate::time::Instant;

use super::trace::{CloseKind, Fate, TraceEntry, TraceKind};

/// Unix time the capture starts at: the moment the course text's `mosquitto -v`
/// started (2020-04-07), so timestamps look like the course's.
pub const EPOCH_SECS: u64 = 1_586_286_914;

const SYN: u8 = 0x02;
const FIN: u8 = 0x01;
const RST: u8 = 0x04;
const PSH: u8 = 0x08;
const ACK: u8 = 0x10;

struct Conn {
    client: ([u8; 4], u16),
    broker: ([u8; 4], u16),
    client_seq: u32,
    broker_seq: u32,
}

impl Conn {
    /// A segment from the client (`from_client`) or the broker, numbered with
    /// the sender's sequence number and acknowledging the other side's; the
    /// sender's sequence number then moves on by `advance`.
    fn send(
        &mut self,
        w: &mut Writer,
        t: Instant,
        from_client: bool,
        flags: u8,
        payload: &[u8],
        advance: u32,
    ) {
        let (src, dst, seq, ack) = if from_client {
            (
                self.client,
                self.broker,
                &mut self.client_seq,
                self.broker_seq,
            )
        } else {
            (
                self.broker,
                self.client,
                &mut self.broker_seq,
                self.client_seq,
            )
        };
        w.segment(t, src, dst, *seq, ack, flags, payload);
        *seq = seq.wrapping_add(advance);
    }
}

fn ip(s: &str) -> [u8; 4] {
    let mut out = [0u8; 4];
    for (i, part) in s.split('.').take(4).enumerate() {
        out[i] = part.parse().unwrap_or(0);
    }
    out
}

fn mac(ip: [u8; 4]) -> [u8; 6] {
    // Docker's locally administered prefix followed by the IPv4 address.
    [0x02, 0x42, ip[0], ip[1], ip[2], ip[3]]
}

fn checksum(chunks: &[&[u8]]) -> u16 {
    let mut sum: u32 = 0;
    let mut odd: Option<u8> = None;
    for chunk in chunks {
        for &b in *chunk {
            match odd.take() {
                Some(hi) => sum += u32::from(u16::from_be_bytes([hi, b])),
                None => odd = Some(b),
            }
        }
    }
    if let Some(hi) = odd {
        sum += u32::from(u16::from_be_bytes([hi, 0]));
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// Writes pcap records, or pcapng Enhanced Packet Blocks.
struct Writer {
    out: Vec<u8>,
    ip_id: u16,
    /// pcapng rather than pcap.
    ng: bool,
    /// Microseconds since the Unix epoch of the run's time zero.
    epoch_us: u64,
}

impl Writer {
    #[allow(clippy::too_many_arguments)]
    fn segment(
        &mut self,
        t: Instant,
        src: ([u8; 4], u16),
        dst: ([u8; 4], u16),
        seq: u32,
        ack: u32,
        flags: u8,
        payload: &[u8],
    ) {
        let tcp_len = 20 + payload.len();
        let ip_len = 20 + tcp_len;
        let mut frame = Vec::with_capacity(14 + ip_len);
        frame.extend_from_slice(&mac(dst.0));
        frame.extend_from_slice(&mac(src.0));
        frame.extend_from_slice(&[0x08, 0x00]);
        // IPv4 header.
        let mut iph = [0u8; 20];
        iph[0] = 0x45;
        iph[2..4].copy_from_slice(&(ip_len as u16).to_be_bytes());
        self.ip_id = self.ip_id.wrapping_add(1);
        iph[4..6].copy_from_slice(&self.ip_id.to_be_bytes());
        iph[6] = 0x40; // don't fragment
        iph[8] = 64;
        iph[9] = 6;
        iph[12..16].copy_from_slice(&src.0);
        iph[16..20].copy_from_slice(&dst.0);
        let c = checksum(&[&iph]);
        iph[10..12].copy_from_slice(&c.to_be_bytes());
        frame.extend_from_slice(&iph);
        // TCP header.
        let mut tcph = [0u8; 20];
        tcph[0..2].copy_from_slice(&src.1.to_be_bytes());
        tcph[2..4].copy_from_slice(&dst.1.to_be_bytes());
        tcph[4..8].copy_from_slice(&seq.to_be_bytes());
        tcph[8..12].copy_from_slice(&ack.to_be_bytes());
        tcph[12] = 5 << 4;
        tcph[13] = flags;
        tcph[14..16].copy_from_slice(&64240u16.to_be_bytes());
        let mut pseudo = [0u8; 12];
        pseudo[0..4].copy_from_slice(&src.0);
        pseudo[4..8].copy_from_slice(&dst.0);
        pseudo[9] = 6;
        pseudo[10..12].copy_from_slice(&(tcp_len as u16).to_be_bytes());
        let c = checksum(&[&pseudo, &tcph, payload]);
        tcph[16..18].copy_from_slice(&c.to_be_bytes());
        frame.extend_from_slice(&tcph);
        frame.extend_from_slice(payload);
        let us = self.epoch_us + t.as_micros();
        let len = frame.len() as u32;
        if self.ng {
            // Enhanced Packet Block: interface 0, microsecond timestamp (the
            // interface's default resolution), the frame padded to 4 bytes.
            let padded = frame.len().div_ceil(4) * 4;
            let total = (32 + padded) as u32;
            self.out.extend_from_slice(&6u32.to_le_bytes());
            self.out.extend_from_slice(&total.to_le_bytes());
            self.out.extend_from_slice(&0u32.to_le_bytes());
            self.out
                .extend_from_slice(&((us >> 32) as u32).to_le_bytes());
            self.out.extend_from_slice(&(us as u32).to_le_bytes());
            self.out.extend_from_slice(&len.to_le_bytes());
            self.out.extend_from_slice(&len.to_le_bytes());
            self.out.extend_from_slice(&frame);
            self.out.resize(self.out.len() + padded - frame.len(), 0);
            self.out.extend_from_slice(&total.to_le_bytes());
        } else {
            let secs = (us / 1_000_000) as u32;
            let usecs = (us % 1_000_000) as u32;
            self.out.extend_from_slice(&secs.to_le_bytes());
            self.out.extend_from_slice(&usecs.to_le_bytes());
            self.out.extend_from_slice(&len.to_le_bytes());
            self.out.extend_from_slice(&len.to_le_bytes());
            self.out.extend_from_slice(&frame);
        }
    }
}

/// The trace entries a capture of bytes seen on the wire is written from, outside
/// a simulated world (a recorded bridge, the real-broker page, a crafted stream):
/// connection `conn` between client `client` at 10.0.0.(conn+2), port
/// 50000+conn, and `broker` at 10.0.0.1:1883, each packet captured as the
/// broker's host would (a client's as delivered, the broker's as sent).
pub struct WireConnection {
    client: String,
    broker: String,
    conn: u64,
}

impl WireConnection {
    /// Connection `conn` from `client` to `broker`.
    pub fn new(client: &str, broker: &str, conn: u64) -> WireConnection {
        WireConnection {
            client: client.to_owned(),
            broker: broker.to_owned(),
            conn,
        }
    }

    /// The connection opening (the capture's three-way handshake).
    pub fn open(&self) -> TraceKind {
        TraceKind::Open {
            client: self.client.clone(),
            broker: self.broker.clone(),
            conn: self.conn,
            client_addr: (
                format!("10.0.0.{}", self.conn + 2),
                50_000 + self.conn as u16,
            ),
            broker_addr: ("10.0.0.1".into(), 1883),
        }
    }

    fn ends(&self, to_broker: bool) -> (Fate, String, String) {
        if to_broker {
            (Fate::Delivered, self.client.clone(), self.broker.clone())
        } else {
            (Fate::Sent, self.broker.clone(), self.client.clone())
        }
    }

    /// One MQTT packet's bytes, towards the broker or from it.
    pub fn packet(&self, to_broker: bool, bytes: Vec<u8>) -> TraceKind {
        let (fate, from, to) = self.ends(to_broker);
        TraceKind::Packet {
            fate,
            from,
            to,
            conn: self.conn,
            to_broker,
            summary: String::new(),
            dup: false,
            v5: false,
            bytes,
            note: None,
        }
    }

    /// The connection closing with `kind`, by the client or by the broker.
    pub fn close(&self, by_client: bool, kind: CloseKind) -> TraceKind {
        let (fate, from, to) = self.ends(by_client);
        TraceKind::Close {
            fate,
            from,
            to,
            conn: self.conn,
            kind,
            to_broker: by_client,
            reason: None,
        }
    }
}

/// Builds the pcap file for a trace's entries.
pub fn to_pcap(entries: &[TraceEntry]) -> Vec<u8> {
    let mut w = Writer {
        out: Vec::new(),
        ip_id: 0,
        ng: false,
        epoch_us: EPOCH_SECS * 1_000_000,
    };
    // Global header: microsecond timestamps, version 2.4, Ethernet.
    w.out.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    w.out.extend_from_slice(&2u16.to_le_bytes());
    w.out.extend_from_slice(&4u16.to_le_bytes());
    w.out.extend_from_slice(&0i32.to_le_bytes());
    w.out.extend_from_slice(&0u32.to_le_bytes());
    w.out.extend_from_slice(&65_535u32.to_le_bytes());
    w.out.extend_from_slice(&1u32.to_le_bytes());
    write_entries(&mut w, entries);
    w.out
}

/// Builds a pcapng file (one section, one Ethernet interface) for a trace's
/// entries, time zero being `epoch_us` microseconds after the Unix epoch (a
/// recording's real start; the simulator's files use [`to_pcap`]).
pub fn to_pcapng(entries: &[TraceEntry], epoch_us: u64) -> Vec<u8> {
    let mut w = Writer {
        out: Vec::new(),
        ip_id: 0,
        ng: true,
        epoch_us,
    };
    // Section Header Block: byte-order magic, version 1.0, length unknown.
    w.out.extend_from_slice(&0x0a0d_0d0au32.to_le_bytes());
    w.out.extend_from_slice(&28u32.to_le_bytes());
    w.out.extend_from_slice(&0x1a2b_3c4du32.to_le_bytes());
    w.out.extend_from_slice(&1u16.to_le_bytes());
    w.out.extend_from_slice(&0u16.to_le_bytes());
    w.out.extend_from_slice(&(-1i64).to_le_bytes());
    w.out.extend_from_slice(&28u32.to_le_bytes());
    // Interface Description Block: Ethernet, no snap length limit.
    w.out.extend_from_slice(&1u32.to_le_bytes());
    w.out.extend_from_slice(&20u32.to_le_bytes());
    w.out.extend_from_slice(&1u16.to_le_bytes());
    w.out.extend_from_slice(&0u16.to_le_bytes());
    w.out.extend_from_slice(&0u32.to_le_bytes());
    w.out.extend_from_slice(&20u32.to_le_bytes());
    write_entries(&mut w, entries);
    w.out
}

fn write_entries(w: &mut Writer, entries: &[TraceEntry]) {
    let mut conns: BTreeMap<u64, Conn> = BTreeMap::new();
    for e in entries {
        let t = e.time;
        match &e.kind {
            TraceKind::Open {
                conn,
                client_addr,
                broker_addr,
                ..
            } => {
                // Initial sequence numbers: fixed per connection, far apart.
                let isn_c = (*conn as u32).wrapping_mul(0x9E37_79B9);
                let isn_b = (*conn as u32).wrapping_mul(0x85EB_CA6B) ^ 0x5bd1_e995;
                let c = Conn {
                    client: (ip(&client_addr.0), client_addr.1),
                    broker: (ip(&broker_addr.0), broker_addr.1),
                    client_seq: isn_c.wrapping_add(1),
                    broker_seq: isn_b.wrapping_add(1),
                };
                w.segment(t, c.client, c.broker, isn_c, 0, SYN, &[]);
                w.segment(t, c.broker, c.client, isn_b, c.client_seq, SYN | ACK, &[]);
                w.segment(t, c.client, c.broker, c.client_seq, c.broker_seq, ACK, &[]);
                conns.insert(*conn, c);
            }
            TraceKind::Packet {
                fate,
                conn,
                to_broker,
                bytes,
                ..
            } => {
                let Some(c) = conns.get_mut(conn) else {
                    continue;
                };
                match (fate, to_broker) {
                    (Fate::Delivered, true) | (Fate::Sent, false) => {
                        c.send(w, t, *to_broker, PSH | ACK, bytes, bytes.len() as u32);
                    }
                    _ => {}
                }
            }
            TraceKind::Close {
                fate,
                conn,
                kind,
                to_broker,
                ..
            } => {
                let Some(c) = conns.get_mut(conn) else {
                    continue;
                };
                let flags = match kind {
                    CloseKind::Fin => FIN | ACK,
                    CloseKind::Reset => RST | ACK,
                };
                match (fate, to_broker) {
                    (Fate::Delivered, true) | (Fate::Sent, false) => {
                        // A FIN takes a sequence number and the other side ACKs it.
                        let fin = *kind == CloseKind::Fin;
                        c.send(w, t, *to_broker, flags, &[], u32::from(fin));
                        if fin {
                            c.send(w, t, !*to_broker, ACK, &[], 0);
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_of_a_known_ipv4_header() {
        // The example header from RFC 1071 discussions (Wikipedia "IPv4 header checksum").
        let h: [u8; 20] = [
            0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00, 0xc0, 0xa8,
            0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
        ];
        assert_eq!(checksum(&[&h]), 0xb861);
    }
}
