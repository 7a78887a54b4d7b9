//! The fields after the fixed header, walked leniently: a field that runs past
//! the end is shown clipped and the walk stops; nothing here judges validity.

use core::ops::Range;

use super::labels::{self, bits, flag, lossy, text_or_hex};
use super::Field;
use crate::codec::header::FixedHeader;
use crate::codec::PacketType;

struct Walk<'a> {
    bytes: &'a [u8],
    pos: usize,
    at: usize,
    out: &'a mut Vec<Field>,
}

impl Walk<'_> {
    fn range(&self, start: usize, end: usize) -> Range<usize> {
        self.at + start..self.at + end
    }

    fn push(&mut self, label: String, start: usize) {
        let r = self.range(start, self.pos);
        self.out.push(Field::new(label, r));
    }

    fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    fn u8(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }

    fn u16(&mut self) -> Option<u16> {
        let v = self.bytes.get(self.pos..self.pos + 2)?;
        self.pos += 2;
        Some(u16::from_be_bytes([v[0], v[1]]))
    }

    /// Up to `n` bytes; `None` if fewer were there (the walk then stops).
    fn take(&mut self, n: usize) -> (&[u8], bool) {
        let n_ok = n.min(self.remaining());
        let s = &self.bytes[self.pos..self.pos + n_ok];
        self.pos += n_ok;
        (s, n_ok == n)
    }

    fn pid(&mut self) -> Option<()> {
        let start = self.pos;
        let id = self.u16()?;
        self.push(format!("Message Identifier: {id}"), start);
        Some(())
    }

    /// MQTT 5.0 properties, as Wireshark shows them: `{name}` over the whole
    /// block, `Total Length: n` (a variable byte integer) under it. The properties
    /// themselves are not named one by one.
    fn properties(&mut self, name: &str) -> Option<()> {
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
        let data = self.pos;
        let (_, complete) = self.take(len);
        let mut children = vec![total];
        if len > 0 {
            let r = self.range(data, self.pos);
            children.push(Field::new(format!("[{len} bytes of properties]"), r));
        }
        let r = self.range(start, self.pos);
        self.out.push(Field::new(name, r).with_children(children));
        complete.then_some(())
    }

    /// A length-prefixed field: `{name} Length: n` then `{name}: value`.
    fn prefixed(&mut self, name: &str, show: fn(&[u8]) -> String) -> Option<()> {
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
        PacketType::Pingreq | PacketType::Pingresp | PacketType::Disconnect => Some(()),
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

fn connect(w: &mut Walk<'_>) -> Option<()> {
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

fn connack(w: &mut Walk<'_>) -> Option<()> {
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
    let start = w.pos;
    let code = w.u8()?;
    w.push(
        format!("Return Code: {} ({code})", labels::connack_code(code)),
        start,
    );
    Some(())
}

fn publish(w: &mut Walk<'_>, flags: u8) -> Option<()> {
    w.prefixed("Topic", lossy)?;
    if (flags >> 1) & 3 != 0 {
        w.pid()?;
    }
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
