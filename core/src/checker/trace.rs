//! The simulator's trace as the checker's input: packets and closes seen at
//! the broker, as a capture there would show them (what reached the broker,
//! and what the broker sent, whether or not it arrived).

use super::{Checker, Report};
use crate::capture::Direction;
use crate::codec::{decode_any, Protocol};
use crate::sim::note::PacketCause;
use crate::sim::trace::Fate;
use crate::sim::{TraceEntry, TraceKind};

/// Feeds one trace entry to a checker.
pub fn feed(c: &mut Checker, e: &TraceEntry) {
    let t = e.time.as_micros() * 1000;
    match &e.kind {
        TraceKind::Packet {
            fate,
            conn,
            to_broker,
            v5,
            bytes,
            note,
            ..
        } => {
            // A fault rule that drops what the broker sends acts on the network:
            // the broker did send it.
            let by_fault = note
                .as_ref()
                .is_some_and(|n| matches!(n.cause, Some(PacketCause::DroppedByFault { .. })));
            let seen = matches!(
                (to_broker, fate),
                (true, Fate::Delivered) | (false, Fate::Sent)
            ) || (!to_broker && *fate == Fate::Dropped && by_fault);
            if !seen {
                return;
            }
            let d = if *to_broker {
                Direction::ToServer
            } else {
                Direction::ToClient
            };
            let level = v5.then_some(Protocol::V5);
            match decode_any(bytes, usize::MAX, level) {
                Ok(Some((p, _))) => c.packet(*conn as usize, d, t, None, &p),
                Ok(None) => {}
                Err(err) => c.malformed(
                    *conn as usize,
                    d,
                    t,
                    None,
                    &err,
                    level.unwrap_or(Protocol::V311),
                ),
            }
        }
        TraceKind::Close {
            fate,
            conn,
            to_broker,
            ..
        } => {
            let seen = matches!(
                (to_broker, fate),
                (true, Fate::Delivered) | (false, Fate::Sent)
            );
            if seen {
                let by = if *to_broker {
                    Direction::ToServer
                } else {
                    Direction::ToClient
                };
                c.closed(*conn as usize, by, t);
            }
        }
        _ => {}
    }
}

/// Checks a whole trace (kept in full).
pub fn check_trace(entries: &[TraceEntry]) -> Report {
    let mut c = Checker::new();
    let mut end = 0;
    for e in entries {
        end = e.time.as_micros() * 1000;
        feed(&mut c, e);
    }
    c.finish(end)
}

/// Why a JSON trace export could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonTraceError {
    /// The 1-based line.
    pub line: usize,
    /// The field missing or unreadable.
    pub field: &'static str,
}

impl core::fmt::Display for JsonTraceError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "line {}: the trace entry's \"{}\" is missing or unreadable",
            self.line, self.field
        )
    }
}

/// The value of `"name":` in one JSON entry line: a string's text (escapes
/// other than `\"` and `\\` are kept as written) or a number's digits.
fn json_field<'a>(line: &'a str, name: &str) -> Option<std::borrow::Cow<'a, str>> {
    let key = format!("\"{name}\":");
    let at = line.find(&key)? + key.len();
    let rest = &line[at..];
    if let Some(s) = rest.strip_prefix('"') {
        let mut end = None;
        let mut escaped = false;
        for (i, ch) in s.char_indices() {
            match (escaped, ch) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => {
                    end = Some(i);
                    break;
                }
                _ => {}
            }
        }
        let v = &s[..end?];
        Some(if v.contains('\\') {
            v.replace("\\\"", "\"").replace("\\\\", "\\").into()
        } else {
            v.into()
        })
    } else {
        let end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        Some(rest[..end].into())
    }
}

/// Checks a trace exported as JSON ([`crate::sim::Trace::to_json`], the
/// page's "export"): the packets that reached a broker and those a broker
/// sent, and the closes, read as [`feed`] reads a live trace.
pub fn check_json(text: &str) -> Result<Report, JsonTraceError> {
    let mut c = Checker::new();
    // Brokers are the nodes connections open to (a client's CONNECT is sent
    // before its connection's open entry).
    let brokers: std::collections::BTreeSet<String> = text
        .lines()
        .filter(|l| json_field(l, "kind").is_some_and(|k| k == "tcp_open"))
        .filter_map(|l| json_field(l, "to").map(|v| v.into_owned()))
        .collect();
    let mut levels = std::collections::BTreeMap::new();
    let mut end = 0;
    for (i, line) in text.lines().enumerate() {
        let Some(kind) = json_field(line, "kind") else {
            continue;
        };
        let err = |field| JsonTraceError { line: i + 1, field };
        let num = |name: &'static str| {
            json_field(line, name)
                .and_then(|v| v.parse::<u64>().ok())
                .ok_or(err(name))
        };
        let t = num("t_us")? * 1000;
        end = t;
        match kind.as_ref() {
            "packet" | "tcp_close" => {
                let fate = json_field(line, "fate").ok_or(err("fate"))?;
                let to = json_field(line, "to").ok_or(err("to"))?;
                let conn = num("conn")? as usize;
                let to_broker = brokers.contains(to.as_ref());
                if !matches!(
                    (to_broker, fate.as_ref()),
                    (true, "delivered") | (false, "sent")
                ) {
                    continue;
                }
                let d = if to_broker {
                    Direction::ToServer
                } else {
                    Direction::ToClient
                };
                if kind == "tcp_close" {
                    c.closed(conn, d, t);
                    continue;
                }
                let bytes = crate::hex::parse_hex(&json_field(line, "hex").ok_or(err("hex"))?)
                    .map_err(|_| err("hex"))?;
                if let Some(p) = crate::codec::connect_protocol(&bytes) {
                    levels.insert(conn, p);
                }
                let level = levels.get(&conn).copied().filter(|p| *p == Protocol::V5);
                match decode_any(&bytes, usize::MAX, level) {
                    Ok(Some((p, _))) => c.packet(conn, d, t, None, &p),
                    Ok(None) => {}
                    Err(e) => c.malformed(conn, d, t, None, &e, level.unwrap_or(Protocol::V311)),
                }
            }
            _ => {}
        }
    }
    Ok(c.finish(end))
}
