//! The fields after the fixed header, walked leniently: a field that runs past
//! the end is shown clipped and the walk stops; nothing here judges validity.

use core::ops::Range;

use super::labels::{self, bits, flag, lossy, text_or_hex};
use super::Field;
use crate::codec::header::FixedHeader;
use crate::codec::properties::{PropertyId, ValueType};
use crate::codec::PacketType;

pub(super) struct Walk<'a> {
    pub(super) bytes: &'a [u8],
    pub(super) pos: usize,
    pub(super) at: usize,
    pub(super) out: &'a mut Vec<Field>,
}

impl Walk<'_> {
    pub(super) fn range(&self, start: usize, end: usize) -> Range<usize> {
        self.at + start..self.at + end
    }

    pub(super) fn push(&mut self, label: String, start: usize) {
        let r = self.range(start, self.pos);
        self.out.push(Field::new(label, r));
    }

    pub(super) fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    pub(super) fn u8(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }

    pub(super) fn u16(&mut self) -> Option<u16> {
        let v = self.bytes.get(self.pos..self.pos + 2)?;
        self.pos += 2;
        Some(u16::from_be_bytes([v[0], v[1]]))
    }

    /// Up to `n` bytes; `None` if fewer were there (the walk then stops).
    pub(super) fn take(&mut self, n: usize) -> (&[u8], bool) {
        let n_ok = n.min(self.remaining());
        let s = &self.bytes[self.pos..self.pos + n_ok];
        self.pos += n_ok;
        (s, n_ok == n)
    }

    pub(super) fn pid(&mut self) -> Option<()> {
        let start = self.pos;
        let id = self.u16()?;
        self.push(format!("Message Identifier: {id}"), start);
        Some(())
    }

    /// MQTT 5.0 properties, as Wireshark shows them: `{name}` over the whole
    /// block, `Total Length: n` (a variable byte integer) under it, then one
    /// node per property, `Session Expiry Interval: 3600`, holding Wireshark's
    /// own lines (`ID: Session Expiry Interval (0x11)`, `Value: 3600`).
    pub(super) fn properties(&mut self, name: &str) -> Option<()> {
        let start = self.pos;
        let mut len = 0usize;
        for i in 0..4 {
            let b = self.u8()?;
            len |= usize::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                break;
            }
        }
        let total = Field::new(format!("Total Length: {len}"), self.range(start, self.pos));
        let end = (self.pos + len).min(self.bytes.len());
        let complete = self.pos + len <= self.bytes.len();
        let mut children = vec![total];
        // The properties are walked over the block's bytes only.
        let mut inner = Walk {
            bytes: &self.bytes[..end],
            pos: self.pos,
            at: self.at,
            out: &mut children,
        };
        while inner.remaining() > 0 {
            if inner.property().is_none() {
                break;
            }
        }
        self.pos = end;
        let r = self.range(start, self.pos);
        self.out.push(Field::new(name, r).with_children(children));
        complete.then_some(())
    }

    /// One property: a node named after it with its value, over Wireshark's lines.
    fn property(&mut self) -> Option<()> {
        let start = self.pos;
        let b = self.u8()?;
        let id_line = Field::new(
            format!(
                "ID: {} (0x{b:02x})",
                labels::property_name(b).unwrap_or("Unknown")
            ),
            self.range(start, self.pos),
        );
        let Some(id) = PropertyId::from_u8(b) else {
            self.out.push(id_line);
            return None;
        };
        let mut lines = vec![id_line];
        let mut sub = Walk {
            bytes: self.bytes,
            pos: self.pos,
            at: self.at,
            out: &mut lines,
        };
        let value = sub.property_value(id);
        self.pos = sub.pos;
        let shown = value.as_deref().unwrap_or("(truncated)");
        let node = Field::new(
            format!("{}: {shown}", id.name()),
            self.range(start, self.pos),
        )
        .with_children(lines);
        self.out.push(node);
        value.map(|_| ())
    }

    /// The value's lines (as Wireshark labels them) and the value as text.
    fn property_value(&mut self, id: PropertyId) -> Option<String> {
        let start = self.pos;
        let number = |w: &mut Self, n: u32| {
            w.push(format!("Value: {n}"), start);
            Some(n.to_string())
        };
        match id.value_type() {
            ValueType::Byte if id == PropertyId::MaximumQos => {
                let q = self.u8()?;
                self.push(format!("QoS: {} ({q})", labels::qos(q)), start);
                Some(q.to_string())
            }
            ValueType::Byte => {
                let n = self.u8()?;
                number(self, u32::from(n))
            }
            ValueType::TwoByte if id == PropertyId::TopicAlias => {
                let n = self.u16()?;
                self.push(format!("Topic Alias: {n}"), start);
                Some(n.to_string())
            }
            ValueType::TwoByte => {
                let n = self.u16()?;
                number(self, u32::from(n))
            }
            ValueType::FourByte => {
                let v = self.bytes.get(self.pos..self.pos + 4)?;
                let n = u32::from_be_bytes([v[0], v[1], v[2], v[3]]);
                self.pos += 4;
                number(self, n)
            }
            ValueType::VarInt => {
                let mut n = 0u32;
                for i in 0..4 {
                    let b = self.u8()?;
                    n |= u32::from(b & 0x7f) << (7 * i);
                    if b & 0x80 == 0 {
                        break;
                    }
                }
                number(self, n)
            }
            ValueType::Utf8 if id == PropertyId::ContentType => {
                let len = self.u16()?;
                let (b, complete) = self.take(usize::from(len));
                let text = lossy(b);
                self.push(format!("Content Type: {text}"), start);
                complete.then_some(text)
            }
            ValueType::Utf8 | ValueType::Binary => {
                let show = if id.value_type() == ValueType::Utf8 {
                    lossy
                } else {
                    text_or_hex
                };
                let len = self.u16()?;
                self.push(format!("Length: {len}"), start);
                let v = self.pos;
                let (b, complete) = self.take(usize::from(len));
                let text = show(b);
                self.push(format!("Value: {text}"), v);
                complete.then_some(text)
            }
            ValueType::Utf8Pair => {
                let len = self.u16()?;
                self.push(format!("Key Length: {len}"), start);
                let k = self.pos;
                let (b, complete) = self.take(usize::from(len));
                let key = lossy(b);
                self.push(format!("Key: {key}"), k);
                complete.then_some(())?;
                let v = self.pos;
                let len = self.u16()?;
                self.push(format!("Value Length: {len}"), v);
                let v = self.pos;
                let (b, complete) = self.take(usize::from(len));
                let value = lossy(b);
                self.push(format!("Value: {value}"), v);
                complete.then(|| format!("{key} = {value}"))
            }
        }
    }

    /// A length-prefixed field: `{name} Length: n` then `{name}: value`.
    pub(super) fn prefixed(&mut self, name: &str, show: fn(&[u8]) -> String) -> Option<()> {
        let start = self.pos;
        let len = self.u16()?;
        self.push(format!("{name} Length: {len}"), start);
        let start = self.pos;
        let (b, complete) = self.take(usize::from(len));
        let label = format!("{name}: {}", show(b));
        self.push(label, start);
        complete.then_some(())
    }
}

pub(super) fn walk(header: &FixedHeader, frame: &[u8], at: usize, out: &mut Vec<Field>) {
    let mut w = Walk {
        bytes: frame,
        pos: header.header_len,
        at,
        out,
    };
    let w = &mut w;
    let _ = match header.packet_type {
        PacketType::Connect => connect(w),
        PacketType::Connack => connack(w),
        PacketType::Publish => publish(w, header.flags),
        PacketType::Puback
        | PacketType::Pubrec
        | PacketType::Pubrel
        | PacketType::Pubcomp
        | PacketType::Unsuback => w.pid(),
        PacketType::Subscribe => subscribe(w),
        PacketType::Suback => suback(w),
        PacketType::Unsubscribe => unsubscribe(w),
        // AUTH is MQTT 5.0's (see `body5`); 3.1.1's fixed header refuses it.
        PacketType::Pingreq | PacketType::Pingresp | PacketType::Disconnect | PacketType::Auth => {
            Some(())
        }
    };
}

fn version(level: u8) -> &'static str {
    match level {
        3 => "MQTT v3.1",
        4 => "MQTT v3.1.1",
        5 => "MQTT v5.0",
        _ => "Unknown",
    }
}

pub(super) fn connect(w: &mut Walk<'_>) -> Option<()> {
    w.prefixed("Protocol Name", lossy)?;
    let start = w.pos;
    let level = w.u8()?;
    w.push(format!("Version: {} ({level})", version(level)), start);

    let start = w.pos;
    let f = w.u8()?;
    let q = (f >> 3) & 3;
    let mut label = format!("Connect Flags: 0x{f:02x}");
    for (mask, name) in [
        (0x80, "User Name Flag"),
        (0x40, "Password Flag"),
        (0x20, "Will Retain"),
    ] {
        if f & mask != 0 {
            label.push_str(", ");
            label.push_str(name);
        }
    }
    label.push_str(&format!(", QoS Level: {}", labels::qos(q)));
    for (mask, name) in [
        (0x04, "Will Flag"),
        (0x02, "Clean Session Flag"),
        (0x01, "(Reserved)"),
    ] {
        if f & mask != 0 {
            label.push_str(", ");
            label.push_str(name);
        }
    }
    let a = w.at + start;
    w.push(label, start);
    let children = vec![
        flag(f, 0x80, "User Name Flag", a),
        flag(f, 0x40, "Password Flag", a),
        flag(f, 0x20, "Will Retain", a),
        Field::new(
            format!("{} = QoS Level: {} ({q})", bits(f, 0x18), labels::qos(q)),
            a..a + 1,
        ),
        flag(f, 0x04, "Will Flag", a),
        flag(f, 0x02, "Clean Session Flag", a),
        flag(f, 0x01, "(Reserved)", a),
    ];
    if let Some(last) = w.out.last_mut() {
        last.children = children;
    }

    let start = w.pos;
    let keep_alive = w.u16()?;
    w.push(format!("Keep Alive: {keep_alive}"), start);
    // MQTT 5.0 (what `mosquitto_pub -V mqttv5` sends) adds properties.
    let v5 = level == 5;
    if v5 {
        w.properties("Properties")?;
    }
    w.prefixed("Client ID", lossy)?;
    if f & 0x04 != 0 {
        if v5 {
            w.properties("Will Properties")?;
        }
        w.prefixed("Will Topic", lossy)?;
        w.prefixed("Will Message", text_or_hex)?;
    }
    if f & 0x80 != 0 {
        w.prefixed("User Name", lossy)?;
    }
    if f & 0x40 != 0 {
        w.prefixed("Password", text_or_hex)?;
    }
    Some(())
}

/// CONNACK's Acknowledge Flags byte, the same in 3.1.1 and 5.0.
pub(super) fn connack_flags(w: &mut Walk<'_>) -> Option<()> {
    let start = w.pos;
    let f = w.u8()?;
    // As Wireshark's bitmask header: the names of the bits that are set.
    let mut label = format!("Acknowledge Flags: 0x{f:02x}");
    if f & 0xfe != 0 {
        label.push_str(", Reserved");
    }
    if f & 0x01 != 0 {
        label.push_str(", Session Present");
    }
    w.push(label, start);
    let a = w.at + start;
    let reserved = if f & 0xfe != 0 { "Set" } else { "Not set" };
    let children = vec![
        Field::new(
            format!("{} = Reserved: {reserved}", bits(f, 0xfe)),
            a..a + 1,
        ),
        flag(f, 0x01, "Session Present", a),
    ];
    if let Some(last) = w.out.last_mut() {
        last.children = children;
    }
    Some(())
}

fn connack(w: &mut Walk<'_>) -> Option<()> {
    connack_flags(w)?;
    let start = w.pos;
    let code = w.u8()?;
    w.push(
        format!("Return Code: {} ({code})", labels::connack_code(code)),
        start,
    );
    Some(())
}

fn publish(w: &mut Walk<'_>, flags: u8) -> Option<()> {
    publish_head(w, flags)?;
    publish_message(w)
}

/// PUBLISH's topic name and, at QoS 1 and 2, packet identifier (both levels).
pub(super) fn publish_head(w: &mut Walk<'_>, flags: u8) -> Option<()> {
    w.prefixed("Topic", lossy)?;
    if (flags >> 1) & 3 != 0 {
        w.pid()?;
    }
    Some(())
}

/// PUBLISH's payload, if any (both levels).
pub(super) fn publish_message(w: &mut Walk<'_>) -> Option<()> {
    if w.remaining() > 0 {
        let start = w.pos;
        let (b, _) = w.take(w.remaining());
        let label = format!("Message: {}", text_or_hex(b));
        w.push(label, start);
    }
    Some(())
}

fn subscribe(w: &mut Walk<'_>) -> Option<()> {
    w.pid()?;
    while w.remaining() > 0 {
        w.prefixed("Topic", lossy)?;
        let start = w.pos;
        let q = w.u8()?;
        w.push(format!("Requested QoS: {} ({q})", labels::qos(q)), start);
    }
    Some(())
}

fn suback(w: &mut Walk<'_>) -> Option<()> {
    w.pid()?;
    while let Some(c) = {
        let start = w.pos;
        w.u8().map(|c| (c, start))
    } {
        let (c, start) = c;
        let text = if c == 0x80 { "Failure" } else { labels::qos(c) };
        w.push(format!("Granted QoS: {text} ({c})"), start);
    }
    Some(())
}

fn unsubscribe(w: &mut Walk<'_>) -> Option<()> {
    w.pid()?;
    while w.remaining() > 0 {
        w.prefixed("Topic", lossy)?;
    }
    Some(())
}
