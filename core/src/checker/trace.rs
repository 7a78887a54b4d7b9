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
