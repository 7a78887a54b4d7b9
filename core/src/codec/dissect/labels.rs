//! Wireshark's wording: message type and QoS names, and bit views of flag bytes
//! (`.... .01. = QoS Level: ...`).

use super::Field;

/// Wireshark's `mqtt_msgtype_vals`.
pub(super) fn message_type(nibble: u8) -> &'static str {
    match nibble {
        1 => "Connect Command",
        2 => "Connect Ack",
        3 => "Publish Message",
        4 => "Publish Ack",
        5 => "Publish Received",
        6 => "Publish Release",
        7 => "Publish Complete",
        8 => "Subscribe Request",
        9 => "Subscribe Ack",
        10 => "Unsubscribe Request",
        11 => "Unsubscribe Ack",
        12 => "Ping Request",
        13 => "Ping Response",
        14 => "Disconnect Req",
        _ => "Reserved",
    }
}

/// Wireshark's `mqtt_property_vals`: the specification's names, but for 0x02,
/// which Wireshark calls "Publication Expiry Interval".
pub(super) fn property_name(id: u8) -> Option<&'static str> {
    use crate::codec::properties::PropertyId;
    match PropertyId::from_u8(id)? {
        PropertyId::MessageExpiryInterval => Some("Publication Expiry Interval"),
        id => Some(id.name()),
    }
}

/// Wireshark's `mqtt_subscription_retain_handling`.
pub(super) fn retain_handling(v: u8) -> &'static str {
    match v {
        0 => "Send msgs at subscription time",
        1 => "Send msgs if subscription does not exist",
        2 => "Do not send msgs at subscription time",
        _ => "Reserved",
    }
}

/// Wireshark's `mqtt_qos_vals`.
pub(super) fn qos(q: u8) -> &'static str {
    match q {
        0 => "At most once delivery (Fire and Forget)",
        1 => "At least once delivery (Acknowledged deliver)",
        2 => "Exactly once delivery (Assured Delivery)",
        _ => "Reserved",
    }
}

/// Wireshark's `mqtt_conack_vals`.
pub(super) fn connack_code(c: u8) -> &'static str {
    match c {
        0 => "Connection Accepted",
        1 => "Connection Refused: unacceptable protocol version",
        2 => "Connection Refused: identifier rejected",
        3 => "Connection Refused: server unavailable",
        4 => "Connection Refused: bad user name or password",
        5 => "Connection Refused: not authorized",
        _ => "Reserved",
    }
}

/// The bits of `byte` under `mask`, others as dots: `.... .01.`.
pub(super) fn bits(byte: u8, mask: u8) -> String {
    let mut s = String::with_capacity(9);
    for i in (0..8).rev() {
        if i == 3 {
            s.push(' ');
        }
        s.push(match (mask >> i & 1, byte >> i & 1) {
            (0, _) => '.',
            (_, 0) => '0',
            _ => '1',
        });
    }
    s
}

/// A one-bit flag: `.... ...1 = Retain: Set`.
pub(super) fn flag(byte: u8, mask: u8, name: &str, at: usize) -> Field {
    let set = if byte & mask != 0 { "Set" } else { "Not set" };
    Field::new(format!("{} = {name}: {set}", bits(byte, mask)), at..at + 1)
}

/// The first byte: `Header Flags: 0x33, Message Type: Publish Message, ...` with
/// its bit views.
pub(super) fn header_flags(first: u8, at: usize, type_name: &str) -> Field {
    let t = first >> 4;
    let r = at..at + 1;
    let mut label = format!("Header Flags: 0x{first:02x}, Message Type: {type_name}");
    let mut children = vec![Field::new(
        format!("{} = Message Type: {type_name} ({t})", bits(first, 0xf0)),
        r.clone(),
    )];
    if t == 3 {
        let q = (first >> 1) & 3;
        if first & 0x08 != 0 {
            label.push_str(", DUP Flag");
        }
        label.push_str(&format!(", QoS Level: {}", qos(q)));
        if first & 0x01 != 0 {
            label.push_str(", Retain");
        }
        children.push(flag(first, 0x08, "DUP Flag", at));
        children.push(Field::new(
            format!("{} = QoS Level: {} ({q})", bits(first, 0x06), qos(q)),
            r.clone(),
        ));
        children.push(flag(first, 0x01, "Retain", at));
    } else {
        children.push(Field::new(
            format!("{} = Reserved: {}", bits(first, 0x0f), first & 0x0f),
            r.clone(),
        ));
    }
    Field::new(label, r).with_children(children)
}

/// Text if the bytes are printable UTF-8, else lowercase hex as Wireshark shows
/// bytes; long values are cut with an ellipsis.
pub(super) fn text_or_hex(b: &[u8]) -> String {
    const MAX: usize = 256;
    match core::str::from_utf8(b) {
        Ok(s) if !s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') => {
            if s.chars().count() > MAX {
                format!("{}…", s.chars().take(MAX).collect::<String>())
            } else {
                s.to_owned()
            }
        }
        _ => {
            let mut s: String = b.iter().take(MAX / 2).map(|x| format!("{x:02x}")).collect();
            if b.len() > MAX / 2 {
                s.push('…');
            }
            s
        }
    }
}

/// A UTF-8 field's text, showing bad bytes as U+FFFD.
pub(super) fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_views_match_wireshark() {
        assert_eq!(bits(0x33, 0xf0), "0011 ....");
        assert_eq!(bits(0x33, 0x08), ".... 0...");
        assert_eq!(bits(0x33, 0x06), ".... .01.");
        assert_eq!(bits(0x33, 0x01), ".... ...1");
        assert_eq!(bits(0xc2, 0x18), "...0 0...");
    }

    #[test]
    fn payloads_show_as_text_when_they_are_text() {
        assert_eq!(text_or_hex(b"mensagem"), "mensagem");
        assert_eq!(text_or_hex(&[0x00, 0xff]), "00ff");
        assert_eq!(text_or_hex(b"a\x01"), "6101");
    }
}
