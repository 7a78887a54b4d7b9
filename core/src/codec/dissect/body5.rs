//! MQTT 5.0 bodies, walked leniently as `body` walks 3.1.1's: reason codes by
//! their names, every property on its own line, the subscription options as
//! bits. Nothing here judges validity.

use super::body::{connack_flags, connect, publish_head, publish_message, Walk};
use super::labels::{self, bits, flag, lossy};
use super::Field;
use crate::codec::header::FixedHeader;
use crate::codec::reason_codes::reason_name;
use crate::codec::PacketType;

pub(super) fn walk(header: &FixedHeader, frame: &[u8], at: usize, out: &mut Vec<Field>) {
    let mut w = Walk {
        bytes: frame,
        pos: header.header_len,
        at,
        out,
    };
    let w = &mut w;
    let t = header.packet_type;
    let _ = match t {
        PacketType::Connect => connect(w),
        PacketType::Connack => connack(w),
        PacketType::Publish => publish(w, header.flags),
        PacketType::Puback | PacketType::Pubrec | PacketType::Pubrel | PacketType::Pubcomp => {
            w.pid().and_then(|_| tail(w, t))
        }
        PacketType::Subscribe => subscribe(w),
        PacketType::Suback | PacketType::Unsuback => acks(w, t),
        PacketType::Unsubscribe => unsubscribe(w),
        PacketType::Pingreq | PacketType::Pingresp => Some(()),
        PacketType::Disconnect | PacketType::Auth => tail(w, t),
    };
}

/// `Reason Code: Success (0)`.
fn reason(w: &mut Walk<'_>, t: PacketType) -> Option<()> {
    let start = w.pos;
    let c = w.u8()?;
    let name = reason_name(t, c).unwrap_or("Unknown");
    w.push(format!("Reason Code: {name} ({c})"), start);
    Some(())
}

/// A reason code if bytes remain, then properties if bytes remain.
fn tail(w: &mut Walk<'_>, t: PacketType) -> Option<()> {
    if w.remaining() > 0 {
        reason(w, t)?;
        if w.remaining() > 0 {
            w.properties("Properties")?;
        }
    }
    Some(())
}

fn connack(w: &mut Walk<'_>) -> Option<()> {
    connack_flags(w)?;
    reason(w, PacketType::Connack)?;
    w.properties("Properties")
}

fn publish(w: &mut Walk<'_>, flags: u8) -> Option<()> {
    publish_head(w, flags)?;
    w.properties("Properties")?;
    publish_message(w)
}

fn subscribe(w: &mut Walk<'_>) -> Option<()> {
    w.pid()?;
    w.properties("Properties")?;
    while w.remaining() > 0 {
        w.prefixed("Topic", lossy)?;
        let start = w.pos;
        let o = w.u8()?;
        let a = w.at + start;
        let q = o & 0x03;
        let rh = (o >> 4) & 0x03;
        w.push(format!("Subscription Options: 0x{o:02x}"), start);
        if let Some(last) = w.out.last_mut() {
            last.children = vec![
                Field::new(
                    format!("{} = Reserved: 0x{:x}", bits(o, 0xc0), o >> 6),
                    a..a + 1,
                ),
                Field::new(
                    format!(
                        "{} = Retain Handling: {} ({rh})",
                        bits(o, 0x30),
                        labels::retain_handling(rh)
                    ),
                    a..a + 1,
                ),
                flag(o, 0x08, "Retain As Published", a),
                flag(o, 0x04, "No Local", a),
                Field::new(
                    format!("{} = QoS: {} ({q})", bits(o, 0x03), labels::qos(q)),
                    a..a + 1,
                ),
            ];
        }
    }
    Some(())
}

fn acks(w: &mut Walk<'_>, t: PacketType) -> Option<()> {
    w.pid()?;
    w.properties("Properties")?;
    while w.remaining() > 0 {
        reason(w, t)?;
    }
    Some(())
}

fn unsubscribe(w: &mut Walk<'_>) -> Option<()> {
    w.pid()?;
    w.properties("Properties")?;
    while w.remaining() > 0 {
        w.prefixed("Topic", lossy)?;
    }
    Some(())
}
