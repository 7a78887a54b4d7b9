//! The specification checker: an observer fed the packets of a broker's
//! connections, both ways, with their time (and frame numbers where known),
//! that judges the normative statements of MQTT 3.1.1 and 5.0 that can be
//! judged from the wire, and says which held, which were broken and which
//! never came up.
//!
//! Sans-IO and deterministic: packets in, [`Finding`]s and a [`Coverage`] out;
//! no clock, no randomness, only ordered maps. Words are made at the edge: a
//! finding is data (its [`Statement`] or, for a malformed packet, the codec's
//! rule; its severity; the packets involved).
//!
//! The rules live in files named for their concept: [`connection`] (CONNECT,
//! CONNACK, DISCONNECT, PINGREQ, 5.0 limits), [`qos`] (packet identifiers and
//! the QoS 1 and 2 exchanges), [`routing`] (subscriptions, deliveries, RETAIN,
//! order, shared subscriptions), [`keepalive`], [`will`] (delayed wills too),
//! [`alias`] (5.0 Topic Aliases) and [`expiry`] (5.0 session and message
//! expiry).
//!
//! ```
//! use mqttlab_core::capture::Direction;
//! use mqttlab_core::checker::{Checker, Statement};
//! use mqttlab_core::codec::{AnyPacket, Packet};
//!
//! let mut c = Checker::new();
//! // A client whose first packet is a PINGREQ.
//! c.packet(0, Direction::ToServer, 0, None, &AnyPacket::V3(Packet::Pingreq));
//! let report = c.finish(0);
//! assert_eq!(report.findings[0].statement, Some(Statement::FirstPacketConnect));
//! assert!(report.must_broken());
//! ```

pub mod alias;
pub mod connection;
pub mod expiry;
pub mod keepalive;
pub mod qos;
pub mod routing;
pub mod statements;
pub mod trace;
pub mod will;

#[cfg(test)]
mod tests;

use core::fmt;
use std::collections::{BTreeMap, BTreeSet};

pub use statements::{standard_url, Severity, Statement};

use crate::capture::{self, Direction, What};
use crate::codec::{convert, v5, AnyPacket, DecodeError, Protocol};
use connection::Conn;
use routing::Routing;

/// Where a packet was seen: its connection, direction, index among that
/// connection's packets in that direction, time and (in a capture) frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PacketRef {
    /// The connection (the caller's number for it).
    pub conn: usize,
    /// Which way.
    pub direction: Direction,
    /// 0-based index among the connection's packets that way.
    pub index: u32,
    /// Time, nanoseconds (the caller's epoch).
    pub time_ns: u64,
    /// The capture's frame number, if known.
    pub frame: Option<u32>,
}

/// One judgement that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The statement broken, or `None` for a malformed packet (see `rule`).
    pub statement: Option<Statement>,
    /// The statement's number at the connection's level (`MQTT-3.1.0-1`), or
    /// the codec's rule for a malformed packet.
    pub id: &'static str,
    /// MUST, SHOULD or note.
    pub severity: Severity,
    /// The level of the connection it was seen on.
    pub protocol: Protocol,
    /// The packets involved, the one that broke it first.
    pub packets: Vec<PacketRef>,
    /// For a malformed packet: the codec's error.
    pub malformed: Option<DecodeError>,
}

/// How one statement fared over a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    /// Times it was judged and held.
    pub held: u32,
    /// Times it was broken.
    pub broken: u32,
}

/// Which statements were exercised and held, broken, or never came up.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Coverage {
    /// Per statement (every one in [`Statement::ALL`]).
    pub tally: BTreeMap<Statement, Tally>,
    /// Per number as judged (`MQTT-3.1.2-8`): the level of the connection a
    /// statement was judged on gives its number, so this is what a lab that
    /// lists numbers is checked against.
    pub by_id: BTreeMap<&'static str, Tally>,
}

impl Coverage {
    /// Statements judged at least once and never broken.
    pub fn held(&self) -> impl Iterator<Item = Statement> + '_ {
        self.tally
            .iter()
            .filter(|(_, t)| t.held > 0 && t.broken == 0)
            .map(|(s, _)| *s)
    }
    /// Statements broken at least once.
    pub fn broken(&self) -> impl Iterator<Item = Statement> + '_ {
        self.tally
            .iter()
            .filter(|(_, t)| t.broken > 0)
            .map(|(s, _)| *s)
    }
    /// Statements that never came up.
    pub fn unexercised(&self) -> impl Iterator<Item = Statement> + '_ {
        self.tally
            .iter()
            .filter(|(_, t)| t.held == 0 && t.broken == 0)
            .map(|(s, _)| *s)
    }
}

/// What a run gave.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Report {
    /// Every finding, in the order found.
    pub findings: Vec<Finding>,
    /// The coverage.
    pub coverage: Coverage,
}

impl Report {
    /// Whether any MUST was broken.
    pub fn must_broken(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Must)
    }
}

/// The observer.
#[derive(Debug, Clone, Default)]
pub struct Checker {
    conns: BTreeMap<usize, Conn>,
    routing: Routing,
    findings: Vec<Finding>,
    coverage: Coverage,
    now: u64,
    /// Packets and closes seen so far: their order, where times are equal (a
    /// simulator's instant holds many).
    seen: u64,
    /// Sessions numbered so far.
    sessions: u64,
}

fn side(d: Direction) -> usize {
    match d {
        Direction::ToServer => 0,
        Direction::ToClient => 1,
    }
}

impl Checker {
    /// An observer that has seen nothing.
    pub fn new() -> Self {
        let mut c = Checker::default();
        for s in Statement::ALL {
            c.coverage.tally.insert(*s, Tally::default());
        }
        c
    }

    /// Records that `statement` was judged at `at`: held, or broken (a finding).
    fn judge(
        &mut self,
        statement: Statement,
        ok: bool,
        protocol: Protocol,
        packets: Vec<PacketRef>,
    ) {
        let t = self.coverage.tally.entry(statement).or_default();
        let n = self
            .coverage
            .by_id
            .entry(statement.id(protocol))
            .or_default();
        if ok {
            t.held += 1;
            n.held += 1;
        } else {
            t.broken += 1;
            n.broken += 1;
            self.findings.push(Finding {
                statement: Some(statement),
                id: statement.id(protocol),
                severity: statement.severity(),
                protocol,
                packets,
                malformed: None,
            });
        }
    }

    /// A packet of connection `conn`, one way, at `time_ns`.
    pub fn packet(
        &mut self,
        conn: usize,
        direction: Direction,
        time_ns: u64,
        frame: Option<u32>,
        packet: &AnyPacket,
    ) {
        self.now = self.now.max(time_ns);
        self.seen += 1;
        let c = self.conns.entry(conn).or_default();
        let at = PacketRef {
            conn,
            direction,
            index: c.count[side(direction)],
            time_ns,
            frame,
        };
        c.count[side(direction)] += 1;
        let (p, protocol) = match packet {
            AnyPacket::V5(p) => (p.clone(), Protocol::V5),
            AnyPacket::V3(p) => {
                let level = match p {
                    crate::codec::Packet::Connect(c) => c.protocol,
                    _ => c.protocol.unwrap_or(Protocol::V311),
                };
                (convert::to_v5(p.clone()), level)
            }
        };
        self.on_packet(at, protocol, &p, packet);
    }

    /// Bytes on a connection that are not a valid packet: a finding with the
    /// codec's rule.
    pub fn malformed(
        &mut self,
        conn: usize,
        direction: Direction,
        time_ns: u64,
        frame: Option<u32>,
        error: &DecodeError,
        protocol: Protocol,
    ) {
        self.now = self.now.max(time_ns);
        self.seen += 1;
        let c = self.conns.entry(conn).or_default();
        let at = PacketRef {
            conn,
            direction,
            index: c.count[side(direction)],
            time_ns,
            frame,
        };
        c.count[side(direction)] += 1;
        let id = if protocol == Protocol::V5 {
            crate::codec::DecodeErrorKind::V5(Box::new(error.kind.clone())).rule()
        } else {
            error.kind.rule()
        };
        // A statement the checker also judges (Topic Alias 0 is MQTT-3.3.2-8
        // either way) counts as broken in the coverage.
        let level = |p: Protocol| (p == Protocol::V5) == (protocol == Protocol::V5);
        for (s, _) in Statement::with_id(id)
            .into_iter()
            .filter(|(_, p)| level(*p))
        {
            self.coverage.tally.entry(s).or_default().broken += 1;
            self.coverage.by_id.entry(id).or_default().broken += 1;
        }
        self.findings.push(Finding {
            statement: None,
            id,
            severity: Severity::Must,
            protocol,
            packets: vec![at],
            malformed: Some(error.clone()),
        });
    }

    /// The connection ended (FIN or RST), closed by `by` (the side that sent it).
    pub fn closed(&mut self, conn: usize, by: Direction, time_ns: u64) {
        self.now = self.now.max(time_ns);
        self.seen += 1;
        let Some(c) = self.conns.get_mut(&conn) else {
            return;
        };
        if c.closed_at.is_some() {
            return;
        }
        c.closed_at = Some(time_ns);
        c.closed_by_client = by == Direction::ToServer;
        self.on_close(conn, time_ns);
    }

    /// Ends the run at `time_ns`: the judgements that wait for the end are made.
    pub fn finish(mut self, time_ns: u64) -> Report {
        let end = self.now.max(time_ns);
        let open: Vec<usize> = self
            .conns
            .iter()
            .filter(|(_, c)| c.closed_at.is_none())
            .map(|(i, _)| *i)
            .collect();
        for conn in open {
            self.pings_close(conn, end);
            self.requests_close(conn, end, false);
            self.alias_close(conn, true);
        }
        self.wills_due(end);
        self.routing_finish(end);
        self.will_finish(end);
        self.expiry_finish();
        Report {
            findings: self.findings,
            coverage: self.coverage,
        }
    }

    fn on_packet(&mut self, at: PacketRef, protocol: Protocol, p: &v5::Packet, raw: &AnyPacket) {
        self.wills_due(at.time_ns);
        let go_on = self.connection_packet(at, protocol, p, raw);
        if !go_on {
            return;
        }
        self.alias_answer(at, p);
        self.keepalive_packet(at, protocol);
        let new_message = self.qos_packet(at, protocol, p);
        self.routing_packet(at, protocol, p, new_message);
    }

    fn on_close(&mut self, conn: usize, time_ns: u64) {
        self.pings_close(conn, time_ns);
        self.requests_close(conn, time_ns, true);
        self.qos_close(conn);
        let by_client = self
            .conns
            .get(&conn)
            .is_some_and(|c| c.closed_by_client || c.disconnect[0].is_some());
        self.alias_close(conn, by_client);
        self.wills_due(time_ns);
        self.will_close(conn, time_ns);
    }

    /// Checks a whole capture: every MQTT packet and malformed one, every close.
    pub fn check_capture(cap: &capture::Capture) -> Report {
        let mut c = Checker::new();
        let mut last = 0;
        for e in &cap.events {
            last = e.time_ns;
            match &e.what {
                What::Mqtt(m) => {
                    c.packet(e.stream, e.direction, e.time_ns, Some(e.frame), &m.packet)
                }
                What::Malformed(m) => c.malformed(
                    e.stream,
                    e.direction,
                    e.time_ns,
                    Some(e.frame),
                    &m.error,
                    m.protocol,
                ),
                What::Tcp(capture::TcpNote::Close | capture::TcpNote::Reset) => {
                    c.closed(e.stream, e.direction, e.time_ns)
                }
                _ => {}
            }
        }
        c.finish(last)
    }
}

impl fmt::Display for PacketRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dir = match self.direction {
            Direction::ToServer => "client→server",
            Direction::ToClient => "server→client",
        };
        write!(
            f,
            "connection {} {dir} packet {}",
            self.conn,
            self.index + 1
        )?;
        if let Some(fr) = self.frame {
            write!(f, " (frame {fr})")?;
        }
        write!(
            f,
            " at {}.{:06} s",
            self.time_ns / 1_000_000_000,
            self.time_ns % 1_000_000_000 / 1000
        )
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {} ", self.severity, self.id)?;
        match (&self.statement, &self.malformed) {
            (Some(s), _) => write!(f, "{s}")?,
            (None, Some(e)) => write!(f, "malformed packet: {e}")?,
            (None, None) => {}
        }
        for p in &self.packets {
            write!(f, "\n    {p}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} finding(s)", self.findings.len())?;
        for x in &self.findings {
            writeln!(f, "{x}")?;
        }
        writeln!(f, "coverage:")?;
        for (s, t) in &self.coverage.tally {
            let state = match (t.held, t.broken) {
                (_, b) if b > 0 => format!("broken {b}, held {}", t.held),
                (0, 0) => "never came up".to_string(),
                (h, _) => format!("held {h}"),
            };
            writeln!(
                f,
                "  {:<14} {:<13} {state}",
                s.id(Protocol::V311),
                s.id(Protocol::V5)
            )?;
        }
        Ok(())
    }
}
