//! Dissection: any bytes, valid or not, as a tree of labelled byte ranges in the
//! style of Wireshark's MQTT dissector. This is what the web inspector renders
//! over its hex view and what `mqttlab dissect` prints.
//!
//! ```
//! use mqttlab_core::codec::dissect::{dissect, render};
//!
//! let bytes = [0x33, 0x12, 0x00, 0x06, b't', b'o', b'p', b'i', b'c', b'o', 0x00, 0x01,
//!              b'm', b'e', b'n', b's', b'a', b'g', b'e', b'm'];
//! let text = render(&dissect(&bytes));
//! assert!(text.starts_with("MQ Telemetry Transport Protocol, Publish Message\n"));
//! assert!(text.contains("    Msg Len: 18\n"));
//! assert!(text.contains("        .... .01. = QoS Level: At least once delivery (Acknowledged deliver) (1)\n"));
//! ```
//!
//! The walk over the bytes is lenient and only labels; whether a packet is valid
//! is decided by the decoder ([`decode_frame`](super::decode_frame())), so the tree
//! and the decoder can never disagree. For a malformed packet the tree keeps the
//! fields up to the byte the decoder complains about, marks the field holding that
//! byte, and ends with an error node that names the problem and the rule.

mod body;
mod body5;
mod labels;

use core::fmt::Write;
use core::ops::Range;

use bytes::Bytes;

use super::error::{DecodeError, DecodeErrorKind};
use super::frame::{check_header, decode_frame};
use super::header::{parse_first_byte, parse_first_byte_v5};
use super::{connect_protocol, v5, Protocol};

/// One line of a dissection tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// What Wireshark would print, e.g. `Topic: topico`.
    pub label: String,
    /// The bytes it covers, as indices into the dissected buffer.
    pub range: Range<usize>,
    /// Sub-fields (bit views of a flags byte, fields of a packet).
    pub children: Vec<Field>,
    /// Whether this field is, or holds, what makes the packet malformed.
    pub is_error: bool,
}

impl Field {
    /// A leaf field.
    pub fn new(label: impl Into<String>, range: Range<usize>) -> Field {
        Field {
            label: label.into(),
            range,
            children: Vec::new(),
            is_error: false,
        }
    }

    /// This field with children.
    pub fn with_children(mut self, children: Vec<Field>) -> Field {
        self.children = children;
        self
    }

    /// Whether this field or any below it is an error.
    pub fn has_error(&self) -> bool {
        self.is_error || self.children.iter().any(Field::has_error)
    }

    /// Depth-first: the field and all below it, each with its depth (0 for self).
    pub fn walk(&self) -> Vec<(usize, &Field)> {
        let mut out = Vec::new();
        fn go<'a>(f: &'a Field, depth: usize, out: &mut Vec<(usize, &'a Field)>) {
            out.push((depth, f));
            for c in &f.children {
                go(c, depth + 1, out);
            }
        }
        go(self, 0, &mut out);
        out
    }
}

/// Dissects every packet in `bytes`, one root field per packet, in order.
///
/// A packet whose fixed header is broken (reserved type, bad flags, remaining
/// length over four bytes) ends the dissection, since the next packet's start is
/// unknown; a packet with a malformed body does not.
pub fn dissect(bytes: &[u8]) -> Vec<Field> {
    dissect_as(bytes, Some(Protocol::V311))
}

/// Dissects every packet in `bytes` at `protocol`'s level, as [`dissect`]
/// does for 3.1.1. With `None` the level is learnt as Wireshark learns it: a
/// CONNECT tells it for the packets after it, and before any CONNECT packets
/// are read as 3.1.1.
///
/// ```
/// use mqttlab_core::codec::dissect::{dissect_as, render};
/// use mqttlab_core::codec::Protocol;
///
/// // A 5.0 PUBACK: No matching subscribers.
/// let text = render(&dissect_as(&[0x40, 0x03, 0x00, 0x07, 0x10], Some(Protocol::V5)));
/// assert!(text.contains("    Reason Code: No matching subscribers (16)\n"));
/// ```
pub fn dissect_as(bytes: &[u8], protocol: Option<Protocol>) -> Vec<Field> {
    let mut roots = Vec::new();
    let mut at = 0;
    let mut level = protocol;
    while at < bytes.len() {
        if protocol.is_none() {
            if let Some(p) = connect_protocol(&bytes[at..]) {
                level = Some(p);
            }
        }
        let (root, next) = dissect_one(bytes, at, level == Some(Protocol::V5));
        roots.push(root);
        match next {
            Some(n) if n > at => at = n,
            _ => break,
        }
    }
    roots
}

/// The tree as indented text, four spaces a level, as Wireshark's "Export Packet
/// Dissections as plain text" writes it.
pub fn render(fields: &[Field]) -> String {
    let mut out = String::new();
    for root in fields {
        for (depth, f) in root.walk() {
            let _ = writeln!(out, "{}{}", "    ".repeat(depth), f.label);
        }
    }
    out
}

/// The packet starting at `at`: its tree and where the next one starts, if known.
fn dissect_one(bytes: &[u8], at: usize, v5: bool) -> (Field, Option<usize>) {
    let rest = &bytes[at..];
    let first = rest[0];
    let t = first >> 4;
    let type_name = if v5 && t == 15 {
        "Authentication Exchange"
    } else {
        labels::message_type(t)
    };
    let title = format!("MQ Telemetry Transport Protocol, {type_name}");
    let mut fields = vec![labels::header_flags(first, at, type_name)];

    let checked = if v5 {
        v5::check_header(rest, usize::MAX)
    } else {
        check_header(rest, usize::MAX)
    };
    let first_ok = if v5 {
        parse_first_byte_v5(first).is_ok()
    } else {
        parse_first_byte(first).is_ok()
    };
    let header = match checked {
        Ok(Some(h)) => Some(h),
        Ok(None) => None,
        Err(e) => {
            // The length field, if it is what failed, is still worth showing.
            if first_ok {
                let end = rest.len().min(5);
                fields.push(Field::new("Msg Len: (invalid)", at + 1..at + end));
            }
            let root = finish(title, at, rest.len().min(5), fields, Some(e));
            return (root, None);
        }
    };
    let Some(header) = header else {
        let e = DecodeError::new(
            DecodeErrorKind::Incomplete {
                expected: None,
                found: rest.len(),
            },
            rest.len(),
        );
        let e = if v5 { e.in_v5() } else { e };
        return (finish(title, at, rest.len(), fields, Some(e)), None);
    };
    fields.push(Field::new(
        format!("Msg Len: {}", header.remaining_length),
        at + 1..at + header.header_len,
    ));
    let end = header.packet_len().min(rest.len());
    let frame = &rest[..end];
    if v5 {
        body5::walk(&header, frame, at, &mut fields);
    } else {
        body::walk(&header, frame, at, &mut fields);
    }
    let error = if end < header.packet_len() {
        let e = DecodeError::new(
            DecodeErrorKind::Incomplete {
                expected: Some(header.packet_len()),
                found: end,
            },
            end,
        );
        Some(if v5 { e.in_v5() } else { e })
    } else if v5 {
        v5::decode_frame(&Bytes::copy_from_slice(frame)).err()
    } else {
        decode_frame(&Bytes::copy_from_slice(frame)).err()
    };
    let root = finish(title, at, end, fields, error);
    (root, Some(at + end))
}

/// Builds the root; with an error, keeps the fields that start at or before the
/// offending byte, marks the innermost one holding it, and adds the error node.
/// A CONNECT refused with CONNACK 1 (another protocol level) keeps every field.
fn finish(
    title: String,
    at: usize,
    len: usize,
    mut fields: Vec<Field>,
    error: Option<DecodeError>,
) -> Field {
    if let Some(e) = error.as_ref().filter(|e| e.connack_code().is_some()) {
        // A CONNECT of another protocol level (MQTT 5.0 from `-V mqttv5`) is well
        // formed for its own version: every field stays, and the note says what a
        // 3.1.1 broker does with it.
        let offset = at + e.offset;
        for f in &mut fields {
            mark(f, offset);
        }
        fields.push(Field {
            label: format!(
                "[Not MQTT 3.1.1: {}; a 3.1.1 broker answers CONNACK 1 (unacceptable protocol version) and closes (at byte {}, {})]",
                e.kind,
                e.offset,
                e.kind.rule()
            ),
            range: offset..offset + 1,
            children: Vec::new(),
            is_error: true,
        });
    } else if let Some(e) = error {
        let offset = at + e.offset;
        fields.retain(|f| f.range.start <= offset);
        for f in &mut fields {
            mark(f, offset);
        }
        let end = (offset + 1).min(at + len).max(offset);
        fields.push(Field {
            label: format!(
                "[Malformed Packet: {} (at byte {}, {})]",
                e.kind,
                e.offset,
                e.kind.rule()
            ),
            range: offset..end,
            children: Vec::new(),
            is_error: true,
        });
    }
    Field::new(title, at..at + len).with_children(fields)
}

fn mark(f: &mut Field, offset: usize) -> bool {
    if !f.range.contains(&offset) {
        return false;
    }
    // Bit views cover the same byte as their flags field: the field is marked.
    let mut inner = false;
    for c in &mut f.children {
        if c.range != f.range {
            inner |= mark(c, offset);
        }
    }
    if !inner {
        f.is_error = true;
    }
    true
}

#[cfg(test)]
mod tests;
