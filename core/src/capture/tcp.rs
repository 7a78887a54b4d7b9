//! TCP: segments sorted into connections (one per address pair, a new one when
//! a SYN reuses a closed pair) and reassembled per direction into the byte
//! stream each side sent. A segment that repeats bytes already delivered is a
//! retransmission; one that starts past the next expected byte is held ("the
//! previous segment was not captured") until the segment that fills the gap
//! arrives ("out of order"); neither is read as MQTT twice.

use std::collections::BTreeMap;

use core::net::SocketAddr;

use super::link::Segment;

/// Bytes held past a gap, per direction, before the oldest are given up.
const MAX_HELD: usize = 16 * 1024 * 1024;

/// Which way a segment went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Direction {
    /// From the client (the side that opened the connection, or that sent the
    /// CONNECT) to the server.
    ToServer,
    /// From the server to the client.
    ToClient,
}

impl Direction {
    fn index(self) -> usize {
        match self {
            Direction::ToServer => 0,
            Direction::ToClient => 1,
        }
    }

    /// The other way.
    pub fn reverse(self) -> Direction {
        match self {
            Direction::ToServer => Direction::ToClient,
            Direction::ToClient => Direction::ToServer,
        }
    }
}

/// What TCP itself did, as Wireshark's expert info says it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum TcpNote {
    /// A SYN: the client opens the connection.
    Open,
    /// A FIN: this side has no more to send.
    Close,
    /// An RST: the connection is aborted.
    Reset,
    /// Bytes sent again that were already delivered (not read again).
    Retransmission {
        /// How many bytes.
        len: usize,
    },
    /// Data beyond a gap: the segment before it was not captured (yet); held.
    PreviousSegmentNotCaptured {
        /// How many bytes.
        len: usize,
    },
    /// The segment that fills a gap arrived after the data beyond it.
    OutOfOrder {
        /// How many bytes.
        len: usize,
    },
}

/// What one segment gave: notes and, in order, newly contiguous data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tcp {
    /// A note.
    Note(TcpNote),
    /// Bytes that follow the ones delivered before.
    Data(Vec<u8>),
}

#[derive(Debug, Default)]
struct Half {
    /// Sequence number of the first byte counted (the SYN's, or the first
    /// data's when the capture starts mid-connection).
    isn: Option<u32>,
    /// The next expected byte, relative to `isn`.
    next: u32,
    /// Data past a gap, by relative sequence number.
    held: BTreeMap<u32, Vec<u8>>,
    held_bytes: usize,
    fin: bool,
    rst: bool,
}

/// Relative order of two relative sequence numbers (wrapping).
fn before(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) < 0
}

impl Half {
    fn data(&mut self, seq: u32, payload: &[u8], out: &mut Vec<Tcp>) {
        let isn = *self.isn.get_or_insert(seq);
        let rel = seq.wrapping_sub(isn);
        let len = payload.len() as u32;
        if rel == self.next {
            if !self.held.is_empty() {
                out.push(Tcp::Note(TcpNote::OutOfOrder { len: payload.len() }));
            }
            self.next = self.next.wrapping_add(len);
            out.push(Tcp::Data(payload.to_vec()));
            self.drain(out);
        } else if before(rel, self.next) {
            let end = rel.wrapping_add(len);
            out.push(Tcp::Note(TcpNote::Retransmission { len: payload.len() }));
            if before(self.next, end) {
                // Partly new: deliver the part past what was already read.
                let skip = self.next.wrapping_sub(rel) as usize;
                self.next = end;
                out.push(Tcp::Data(payload[skip..].to_vec()));
                self.drain(out);
            }
        } else {
            out.push(Tcp::Note(TcpNote::PreviousSegmentNotCaptured {
                len: payload.len(),
            }));
            if self.held_bytes + payload.len() <= MAX_HELD {
                let slot = self.held.entry(rel).or_default();
                if slot.len() < payload.len() {
                    self.held_bytes += payload.len() - slot.len();
                    *slot = payload.to_vec();
                }
            }
        }
    }

    /// Delivers held data that the gap's filling made contiguous.
    fn drain(&mut self, out: &mut Vec<Tcp>) {
        while let Some((&rel, _)) = self.held.iter().find(|(&r, _)| !before(self.next, r)) {
            let data = self.held.remove(&rel).unwrap_or_default();
            self.held_bytes -= data.len();
            let end = rel.wrapping_add(data.len() as u32);
            if before(self.next, end) {
                let skip = self.next.wrapping_sub(rel) as usize;
                self.next = end;
                out.push(Tcp::Data(data[skip..].to_vec()));
            }
        }
    }
}

/// One TCP connection.
#[derive(Debug)]
pub struct Connection {
    /// The side that opened it (or, without a SYN captured, the better guess).
    pub client: SocketAddr,
    /// The side that accepted it.
    pub server: SocketAddr,
    halves: [Half; 2],
    /// Whether a SYN or SYN-ACK fixed who is who.
    pub roles_known: bool,
}

impl Connection {
    fn new(s: &Segment<'_>) -> Connection {
        let (client, server, roles_known) = if s.syn && !s.ack {
            (s.src, s.dst, true)
        } else if s.syn {
            (s.dst, s.src, true)
        } else if is_server_port(s.src.port()) && !is_server_port(s.dst.port())
            || (is_server_port(s.src.port()) == is_server_port(s.dst.port())
                && s.src.port() < s.dst.port())
        {
            (s.dst, s.src, false)
        } else {
            (s.src, s.dst, false)
        };
        Connection {
            client,
            server,
            halves: Default::default(),
            roles_known,
        }
    }

    /// Client and server trade places (the content showed the guess wrong).
    pub fn swap(&mut self) {
        core::mem::swap(&mut self.client, &mut self.server);
        self.halves.swap(0, 1);
    }

    fn closed(&self) -> bool {
        self.halves.iter().any(|h| h.rst) || self.halves.iter().all(|h| h.fin)
    }
}

/// Ports where a server usually listens: MQTT, MQTT over TLS, WebSocket ones.
pub fn is_server_port(port: u16) -> bool {
    matches!(port, 1883 | 8883 | 80 | 443 | 8080 | 8081 | 8443 | 9001)
}

/// Every connection of a capture.
#[derive(Debug, Default)]
pub struct Connections {
    /// In order of their first segment; the index is the stream number.
    pub all: Vec<Connection>,
    by_pair: BTreeMap<(SocketAddr, SocketAddr), usize>,
}

impl Connections {
    /// Sorts `s` into its connection and reassembles it; returns the stream
    /// number and direction, and appends what it gave to `out`.
    pub fn segment(&mut self, s: &Segment<'_>, out: &mut Vec<Tcp>) -> (usize, Direction) {
        let key = if s.src <= s.dst {
            (s.src, s.dst)
        } else {
            (s.dst, s.src)
        };
        let reuse = match self.by_pair.get(&key) {
            Some(&i) => s.syn && !s.ack && self.all[i].closed(),
            None => true,
        };
        if reuse {
            self.by_pair.insert(key, self.all.len());
            self.all.push(Connection::new(s));
        }
        let index = self.by_pair[&key];
        let conn = &mut self.all[index];
        let dir = if s.src == conn.client {
            Direction::ToServer
        } else {
            Direction::ToClient
        };
        let half = &mut conn.halves[dir.index()];
        if s.syn {
            if half.isn.is_none() && !s.ack {
                out.push(Tcp::Note(TcpNote::Open));
            }
            if half.isn.is_none() {
                half.isn = Some(s.seq);
                half.next = 1;
            }
        }
        if !s.payload.is_empty() {
            half.data(s.seq, s.payload, out);
        }
        if s.fin && !half.fin {
            half.fin = true;
            out.push(Tcp::Note(TcpNote::Close));
        }
        if s.rst && !half.rst {
            half.rst = true;
            out.push(Tcp::Note(TcpNote::Reset));
        }
        (index, dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg<'a>(src: u16, dst: u16, seq: u32, flags: &str, payload: &'a [u8]) -> Segment<'a> {
        Segment {
            src: SocketAddr::from(([127, 0, 0, 1], src)),
            dst: SocketAddr::from(([127, 0, 0, 1], dst)),
            seq,
            syn: flags.contains('S'),
            ack: flags.contains('A'),
            fin: flags.contains('F'),
            rst: flags.contains('R'),
            payload,
        }
    }

    fn data(out: &[Tcp]) -> Vec<u8> {
        out.iter()
            .filter_map(|t| match t {
                Tcp::Data(d) => Some(d.clone()),
                _ => None,
            })
            .flatten()
            .collect()
    }

    #[test]
    fn retransmitted_and_reordered_segments_are_read_once_in_order() {
        let mut c = Connections::default();
        let mut out = Vec::new();
        let (i, d) = c.segment(&seg(50000, 1883, 99, "S", b""), &mut out);
        assert_eq!((i, d), (0, Direction::ToServer));
        assert_eq!(out, vec![Tcp::Note(TcpNote::Open)]);
        let (_, d) = c.segment(&seg(1883, 50000, 5000, "SA", b""), &mut out);
        assert_eq!(d, Direction::ToClient);
        out.clear();
        c.segment(&seg(50000, 1883, 100, "A", b"abc"), &mut out);
        c.segment(&seg(50000, 1883, 100, "A", b"abc"), &mut out);
        assert_eq!(out[1], Tcp::Note(TcpNote::Retransmission { len: 3 }));
        c.segment(&seg(50000, 1883, 106, "A", b"ghi"), &mut out);
        c.segment(&seg(50000, 1883, 103, "A", b"def"), &mut out);
        assert!(out.contains(&Tcp::Note(TcpNote::PreviousSegmentNotCaptured { len: 3 })));
        assert!(out.contains(&Tcp::Note(TcpNote::OutOfOrder { len: 3 })));
        // Partly old, partly new.
        c.segment(&seg(50000, 1883, 107, "A", b"hijk"), &mut out);
        assert_eq!(data(&out), b"abcdefghijk");
        c.segment(&seg(50000, 1883, 111, "FA", b""), &mut out);
        assert_eq!(out.last(), Some(&Tcp::Note(TcpNote::Close)));
        c.segment(&seg(1883, 50000, 5001, "RA", b""), &mut out);
        // The same ports again after the close: a new connection.
        let (i, _) = c.segment(&seg(50000, 1883, 7, "S", b""), &mut out);
        assert_eq!(i, 1);
    }

    #[test]
    fn without_a_syn_the_listening_port_is_the_server_and_seq_wraps() {
        let mut c = Connections::default();
        let mut out = Vec::new();
        let (_, d) = c.segment(&seg(1883, 41000, u32::MAX - 1, "A", b"ab"), &mut out);
        assert_eq!(d, Direction::ToClient);
        assert_eq!(c.all[0].server.port(), 1883);
        c.segment(&seg(1883, 41000, 0, "A", b"cd"), &mut out);
        assert_eq!(data(&out), b"abcd");
    }
}
