//! The trace: everything that happened in a run, in order, and a stable hash of it.
//!
//! Each entry has one canonical text line (its `Display`); the trace hash is FNV-1a
//! 64 over those lines and the raw bytes of every packet, so two runs that differ
//! in a single byte or a single log line hash differently, and the hash is the same
//! on every platform. The JSON export is written by hand from the same fields, in
//! the same order, with no map whose iteration order could vary.

use core::fmt;

use crate::broker::CloseReason;
use crate::time::Instant;

use super::note::{FaultEvent, Note, PacketNote};

/// FNV-1a, 64 bits: tiny, stable, and good enough to tell two traces apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fnv64(u64);

impl Default for Fnv64 {
    fn default() -> Self {
        Fnv64::new()
    }
}

impl Fnv64 {
    /// The offset basis.
    pub const fn new() -> Self {
        Fnv64(0xcbf2_9ce4_8422_2325)
    }
    /// Mixes in bytes.
    pub fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    /// The hash so far.
    pub fn finish(&self) -> u64 {
        self.0
    }
}

/// Text written to the hash as it is formatted: an entry's line is hashed
/// without being built as a `String` first (the same bytes, so the same hash).
impl fmt::Write for Fnv64 {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.write(s.as_bytes());
        Ok(())
    }
}

/// What happened to a packet or a TCP segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// It left its sender.
    Sent,
    /// It reached its receiver.
    Delivered,
    /// It never will: lost, filtered by a fault rule, or its connection is gone.
    Dropped,
}

impl Fate {
    fn word(self) -> &'static str {
        match self {
            Fate::Sent => "sent",
            Fate::Delivered => "delivered",
            Fate::Dropped => "dropped",
        }
    }
}

/// How a TCP connection ended on one side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseKind {
    /// An orderly close (FIN).
    Fin,
    /// An abortive one (RST), e.g. after too many retransmissions.
    Reset,
}

/// One thing that happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TraceKind {
    /// A TCP connection was set up (three-way handshake as seen by the broker).
    Open {
        /// The client node.
        client: String,
        /// The broker node.
        broker: String,
        /// The connection id (unique in the world).
        conn: u64,
        /// The client's address and ephemeral port.
        client_addr: (String, u16),
        /// The broker's address and port.
        broker_addr: (String, u16),
    },
    /// A FIN or RST.
    Close {
        /// Sent or delivered.
        fate: Fate,
        /// Sender node.
        from: String,
        /// Receiver node.
        to: String,
        /// The connection.
        conn: u64,
        /// FIN or RST.
        kind: CloseKind,
        /// Whether the receiver is the broker (for the pcap's capture point).
        to_broker: bool,
        /// Why the broker closed it, on the FIN a broker sends (data only: the
        /// text line does not show it).
        reason: Option<CloseReason>,
    },
    /// An MQTT packet.
    Packet {
        /// Sent, delivered or dropped.
        fate: Fate,
        /// Sender node.
        from: String,
        /// Receiver node.
        to: String,
        /// The connection.
        conn: u64,
        /// Whether the receiver is the broker.
        to_broker: bool,
        /// One-line summary (`PUBLISH q1 m1 topico`).
        summary: String,
        /// The decoded packet's DUP flag (a PUBLISH sent again).
        dup: bool,
        /// Whether the packet is MQTT 5.0's (its bytes are read at level 5;
        /// data only: the text line and the hash do not show it, the bytes do).
        v5: bool,
        /// The exact bytes.
        bytes: Vec<u8>,
        /// Why it was dropped or delayed, if it was.
        note: Option<PacketNote>,
    },
    /// A broker log line (`mosquitto -v` wording).
    Log {
        /// The broker.
        node: String,
        /// The line.
        text: String,
    },
    /// A node changed state (connected, heater on, Wi-Fi down...).
    State {
        /// The node.
        node: String,
        /// What changed.
        note: Note,
    },
    /// A fault rule was armed or acted.
    Fault {
        /// The rule as written in the scenario.
        label: String,
        /// The node it is about: the one the rule names (`to` first), else the
        /// client end of the packet it acted on; `None` for a rule naming no node,
        /// when armed.
        node: Option<String>,
        /// What happened.
        event: FaultEvent,
    },
    /// A line printed on a node's terminal (mosquitto_sub output, errors).
    Terminal {
        /// The node.
        node: String,
        /// The line.
        text: String,
    },
}

/// One trace entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceEntry {
    /// When.
    pub time: Instant,
    /// What.
    pub kind: TraceKind,
}

/// `12.000500` (seconds with microseconds): exact, unlike floats.
pub fn fmt_time(t: Instant) -> String {
    let us = t.as_micros();
    format!("{}.{:06}", us / 1_000_000, us % 1_000_000)
}

impl fmt::Display for TraceEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_line(self, f)
    }
}

/// Where an entry's line goes: a formatter (the entry's `Display`) or the
/// hash. One function writes both, so the hashed bytes are the text's; it
/// writes numbers and words itself, without the formatting machinery's
/// padding checks, which cost most of what keeping a trace cost (a packet's
/// line was 1,600 instructions to hash, on the speed world).
trait Line {
    fn text(&mut self, s: &str) -> fmt::Result;
    fn args(&mut self, a: fmt::Arguments<'_>) -> fmt::Result;
    /// `n` in decimal.
    fn num(&mut self, n: u64) -> fmt::Result {
        self.text(itoa::Buffer::new().format(n))
    }
    /// `12.000500`: seconds, then the microseconds in six digits.
    fn time(&mut self, t: Instant) -> fmt::Result {
        let us = t.as_micros();
        self.num(us / 1_000_000)?;
        let mut frac = *b".000000";
        let mut r = us % 1_000_000;
        for d in frac[1..].iter_mut().rev() {
            *d = b'0' + (r % 10) as u8;
            r /= 10;
        }
        // A dot and digits: ASCII.
        self.text(core::str::from_utf8(&frac).unwrap_or_default())
    }
}

impl Line for fmt::Formatter<'_> {
    fn text(&mut self, s: &str) -> fmt::Result {
        self.write_str(s)
    }
    fn args(&mut self, a: fmt::Arguments<'_>) -> fmt::Result {
        self.write_fmt(a)
    }
}

impl Line for Fnv64 {
    fn text(&mut self, s: &str) -> fmt::Result {
        self.write(s.as_bytes());
        Ok(())
    }
    fn args(&mut self, a: fmt::Arguments<'_>) -> fmt::Result {
        fmt::Write::write_fmt(self, a)
    }
}

/// An entry's canonical line.
fn write_line(e: &TraceEntry, out: &mut impl Line) -> fmt::Result {
    out.time(e.time)?;
    out.text(" ")?;
    match &e.kind {
        TraceKind::Open {
            client,
            broker,
            conn,
            client_addr,
            broker_addr,
        } => {
            out.text("tcp open #")?;
            out.num(*conn)?;
            for (i, (node, (ip, port))) in [(client, client_addr), (broker, broker_addr)]
                .into_iter()
                .enumerate()
            {
                out.text(if i == 0 { " " } else { " -> " })?;
                out.text(node)?;
                out.text(" ")?;
                out.text(ip)?;
                out.text(":")?;
                out.num(u64::from(*port))?;
            }
            Ok(())
        }
        TraceKind::Close {
            fate,
            from,
            to,
            conn,
            kind,
            ..
        } => {
            out.text(match kind {
                CloseKind::Fin => "tcp FIN ",
                CloseKind::Reset => "tcp RST ",
            })?;
            out.text(fate.word())?;
            out.text(" #")?;
            out.num(*conn)?;
            ends(out, from, to)
        }
        TraceKind::Packet {
            fate,
            from,
            to,
            conn,
            summary,
            bytes,
            note,
            ..
        } => {
            out.text(fate.word())?;
            out.text(" #")?;
            out.num(*conn)?;
            ends(out, from, to)?;
            out.text(" ")?;
            out.text(summary)?;
            out.text(" (")?;
            out.num(bytes.len() as u64)?;
            out.text(" bytes)")?;
            if let Some(n) = note {
                out.args(format_args!(" [{n}]"))?;
            }
            Ok(())
        }
        TraceKind::Log { node, text } => said(out, "log ", node, text),
        TraceKind::State { node, note } => {
            out.text("state ")?;
            out.text(node)?;
            out.args(format_args!(": {note}"))
        }
        TraceKind::Fault { label, event, .. } => {
            out.args(format_args!("fault \"{label}\": {event}"))
        }
        TraceKind::Terminal { node, text } => said(out, "term ", node, text),
    }
}

/// ` from -> to`
fn ends(out: &mut impl Line, from: &str, to: &str) -> fmt::Result {
    out.text(" ")?;
    out.text(from)?;
    out.text(" -> ")?;
    out.text(to)
}

/// `log node: text`
fn said(out: &mut impl Line, what: &str, node: &str, text: &str) -> fmt::Result {
    out.text(what)?;
    out.text(node)?;
    out.text(": ")?;
    out.text(text)
}

/// How much of the trace is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraceMode {
    /// Keep every entry and hash it.
    Full,
    /// Hash every entry but keep none (long swarm runs).
    HashOnly,
    /// Neither (benchmarks of scale).
    Off,
}

/// The trace of one run.
#[derive(Debug, Clone)]
pub struct Trace {
    mode: TraceMode,
    entries: Vec<TraceEntry>,
    hash: Fnv64,
    count: u64,
}

impl Trace {
    /// An empty trace.
    pub fn new(mode: TraceMode) -> Self {
        Trace {
            mode,
            entries: Vec::new(),
            hash: Fnv64::new(),
            count: 0,
        }
    }

    /// What it keeps.
    pub fn mode(&self) -> TraceMode {
        self.mode
    }

    /// Whether anything is recorded at all (callers skip building entries if not).
    pub fn enabled(&self) -> bool {
        self.mode != TraceMode::Off
    }

    /// Appends an entry.
    pub fn push(&mut self, time: Instant, kind: TraceKind) {
        if self.mode == TraceMode::Off {
            return;
        }
        let e = TraceEntry { time, kind };
        // Writing to the hash cannot fail.
        let _ = write_line(&e, &mut self.hash);
        self.hash.write(b"\n");
        if let TraceKind::Packet { bytes, .. } = &e.kind {
            self.hash.write(bytes);
        }
        self.count += 1;
        if self.mode == TraceMode::Full {
            self.entries.push(e);
        }
    }

    /// The entries kept.
    pub fn entries(&self) -> &[TraceEntry] {
        &self.entries
    }

    /// Hands over the entries kept so far (the hash and count go on): how a
    /// long run feeds an observer without keeping the whole trace.
    pub fn take_entries(&mut self) -> Vec<TraceEntry> {
        core::mem::take(&mut self.entries)
    }

    /// The same trace without its entries (its hash and count stay): what a
    /// checkpoint keeps, since the entries before it are the live run's.
    pub(crate) fn without_entries(&self) -> Trace {
        Trace {
            mode: self.mode,
            entries: Vec::new(),
            hash: self.hash,
            count: self.count,
        }
    }

    /// Puts back in front the entries a checkpoint left out (`earlier`, the
    /// live run's first ones).
    pub(crate) fn prepend(&mut self, earlier: &[TraceEntry]) {
        if self.mode == TraceMode::Full {
            let mut all = earlier.to_vec();
            all.append(&mut self.entries);
            self.entries = all;
        }
    }

    /// How many entries were recorded (kept or not).
    pub fn len(&self) -> u64 {
        self.count
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The stable hash of everything recorded.
    pub fn hash(&self) -> u64 {
        self.hash.finish()
    }

    /// The trace as text, one canonical line per entry.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        for e in &self.entries {
            s.push_str(&e.to_string());
            s.push('\n');
        }
        s
    }

    /// The trace as a JSON document: `{"hash": "...", "entries": [...]}`.
    pub fn to_json(&self) -> String {
        let mut s = String::with_capacity(self.entries.len() * 120);
        s.push_str("{\"hash\":\"");
        s.push_str(&format!("{:016x}", self.hash()));
        s.push_str("\",\"entries\":[");
        for (i, e) in self.entries.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            s.push('\n');
            json_entry(&mut s, e);
        }
        s.push_str("\n]}\n");
        s
    }
}

/// Where two traces first part: the index of the first entry that differs
/// (or that one of them has and the other not), `None` if they are equal.
/// Two runs forked from one world share everything before the fork, so this
/// is the first thing the change made happen.
pub fn first_difference(a: &[TraceEntry], b: &[TraceEntry]) -> Option<usize> {
    let common = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    (common < a.len().max(b.len())).then_some(common)
}

fn json_str(out: &mut String, v: &str) {
    out.push('"');
    for c in v.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn field(out: &mut String, name: &str, v: &str) {
    out.push(',');
    json_str(out, name);
    out.push(':');
    json_str(out, v);
}

fn field_num(out: &mut String, name: &str, v: u64) {
    out.push(',');
    json_str(out, name);
    out.push(':');
    out.push_str(&v.to_string());
}

fn json_entry(out: &mut String, e: &TraceEntry) {
    out.push_str("{\"t_us\":");
    out.push_str(&e.time.as_micros().to_string());
    match &e.kind {
        TraceKind::Open {
            client,
            broker,
            conn,
            client_addr,
            broker_addr,
        } => {
            field(out, "kind", "tcp_open");
            field(out, "from", client);
            field(out, "to", broker);
            field_num(out, "conn", *conn);
            field(
                out,
                "client_addr",
                &format!("{}:{}", client_addr.0, client_addr.1),
            );
            field(
                out,
                "broker_addr",
                &format!("{}:{}", broker_addr.0, broker_addr.1),
            );
        }
        TraceKind::Close {
            fate,
            from,
            to,
            conn,
            kind,
            ..
        } => {
            field(out, "kind", "tcp_close");
            field(out, "fate", fate.word());
            field(out, "from", from);
            field(out, "to", to);
            field_num(out, "conn", *conn);
            field(
                out,
                "flag",
                match kind {
                    CloseKind::Fin => "FIN",
                    CloseKind::Reset => "RST",
                },
            );
        }
        TraceKind::Packet {
            fate,
            from,
            to,
            conn,
            summary,
            bytes,
            note,
            ..
        } => {
            field(out, "kind", "packet");
            field(out, "fate", fate.word());
            field(out, "from", from);
            field(out, "to", to);
            field_num(out, "conn", *conn);
            field(out, "summary", summary);
            field_num(out, "len", bytes.len() as u64);
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            field(out, "hex", &hex);
            if let Some(n) = note {
                field(out, "note", &n.to_string());
            }
        }
        TraceKind::Log { node, text } => {
            field(out, "kind", "log");
            field(out, "node", node);
            field(out, "text", text);
        }
        TraceKind::State { node, note } => {
            field(out, "kind", "state");
            field(out, "node", node);
            field(out, "text", &note.to_string());
        }
        TraceKind::Fault { label, node, event } => {
            field(out, "kind", "fault");
            field(out, "label", label);
            if let Some(n) = node {
                field(out, "node", n);
            }
            field(out, "text", &event.to_string());
        }
        TraceKind::Terminal { node, text } => {
            field(out, "kind", "terminal");
            field(out, "node", node);
            field(out, "text", text);
        }
    }
    out.push('}');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_known_value_and_json_escaping() {
        let mut h = Fnv64::new();
        h.write(b"a");
        assert_eq!(h.finish(), 0xaf63_dc4c_8601_ec8c);
        let mut t = Trace::new(TraceMode::Full);
        t.push(
            Instant::from_millis(1500),
            TraceKind::Terminal {
                node: "sub1".into(),
                text: "say \"hi\"\n".into(),
            },
        );
        assert_eq!(t.to_text(), "1.500000 term sub1: say \"hi\"\n\n");
        assert!(t.to_json().contains(r#""text":"say \"hi\"\n""#));
        let mut u = Trace::new(TraceMode::HashOnly);
        u.push(
            Instant::from_millis(1500),
            TraceKind::Terminal {
                node: "sub1".into(),
                text: "say \"hi\"\n".into(),
            },
        );
        assert_eq!(t.hash(), u.hash());
        assert!(u.entries().is_empty());
    }

    fn term(ms: u64, text: &str) -> TraceEntry {
        TraceEntry {
            time: Instant::from_millis(ms),
            kind: TraceKind::Terminal {
                node: "sub1".into(),
                text: text.into(),
            },
        }
    }

    #[test]
    fn first_difference_is_the_first_entry_that_parts() {
        let a = [term(1, "x"), term(2, "y"), term(3, "z")];
        assert_eq!(first_difference(&a, &a), None);
        assert_eq!(first_difference(&a, &[term(1, "x"), term(2, "w")]), Some(1));
        assert_eq!(first_difference(&a, &[term(1, "x"), term(5, "y")]), Some(1));
        // One run simply went on longer: it parts where the other one ends.
        assert_eq!(first_difference(&a[..2], &a), Some(2));
        assert_eq!(first_difference(&[], &a), Some(0));
    }
}
