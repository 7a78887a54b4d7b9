//! What the real-broker page adds for MQTT 5.0: the properties a student types
//! (user properties as `name=value` lines, expiry intervals, a response topic,
//! correlation data), checked into typed errors, and properties and reason codes
//! put into one line each for the log and the CONNACK panel.
//!
//! Property and reason-code names are the specification's (§2.2.2.2, §2.4), the
//! same the inspector's tree and Wireshark show, in both languages.

use bytes::Bytes;
use mqttlab_core::codec::properties::{
    ContentType, CorrelationData, MessageExpiryInterval, Property, ReceiveMaximum, ResponseTopic,
    SessionExpiryInterval, TopicAliasMaximum, UserProperty, ValueRef,
};
use mqttlab_core::codec::reason_codes::reason_name;
use mqttlab_core::codec::PacketType;

/// Why a property typed in a form cannot be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PropsError {
    /// A user property line without `=`: its line number (from 1) and text.
    NoEquals(usize, String),
    /// A user property with an empty name: its line number.
    EmptyName(usize),
    /// A number field that is not a whole number in range: the field and the text.
    NotANumber(Field, String),
    /// Receive Maximum 0 (a protocol error, §3.1.2.11.3).
    ZeroReceiveMaximum,
}

/// A numeric field of the forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// CONNECT's Session Expiry Interval.
    SessionExpiry,
    /// CONNECT's Receive Maximum.
    ReceiveMaximum,
    /// CONNECT's Topic Alias Maximum.
    TopicAliasMaximum,
    /// PUBLISH's Message Expiry Interval.
    MessageExpiry,
}

impl Field {
    /// The property's name in the specification.
    pub fn name(self) -> &'static str {
        match self {
            Field::SessionExpiry => "Session Expiry Interval",
            Field::ReceiveMaximum => "Receive Maximum",
            Field::TopicAliasMaximum => "Topic Alias Maximum",
            Field::MessageExpiry => "Message Expiry Interval",
        }
    }
}

/// User properties, one `name=value` per line (blank lines skipped; the first
/// `=` splits, so a value may hold `=`; names and values are kept as typed, and
/// the same name may come twice, as §3.3.2.3.7 allows).
pub fn parse_user_properties(text: &str) -> Result<Vec<Property>, PropsError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            return Err(PropsError::NoEquals(i + 1, line.to_string()));
        };
        let k = k.trim();
        if k.is_empty() {
            return Err(PropsError::EmptyName(i + 1));
        }
        out.push(Property::UserProperty(UserProperty((
            k.to_string(),
            v.trim().to_string(),
        ))));
    }
    Ok(out)
}

fn number<T: std::str::FromStr>(field: Field, text: &str) -> Result<Option<T>, PropsError> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<T>()
        .map(Some)
        .map_err(|_| PropsError::NotANumber(field, t.to_string()))
}

/// The CONNECT's properties from the form: Session Expiry Interval, Receive
/// Maximum, Topic Alias Maximum (each only when filled in), then user properties.
pub fn connect_properties(
    session_expiry: &str,
    receive_maximum: &str,
    topic_alias_maximum: &str,
    user: &str,
) -> Result<Vec<Property>, PropsError> {
    let mut out = Vec::new();
    if let Some(s) = number::<u32>(Field::SessionExpiry, session_expiry)? {
        out.push(SessionExpiryInterval(s).into());
    }
    if let Some(r) = number::<u16>(Field::ReceiveMaximum, receive_maximum)? {
        if r == 0 {
            return Err(PropsError::ZeroReceiveMaximum);
        }
        out.push(ReceiveMaximum(r).into());
    }
    if let Some(a) = number::<u16>(Field::TopicAliasMaximum, topic_alias_maximum)? {
        out.push(TopicAliasMaximum(a).into());
    }
    out.extend(parse_user_properties(user)?);
    Ok(out)
}

/// The PUBLISH's properties from the form, in the order mosquitto_pub sends
/// them: Message Expiry Interval, Content Type, Response Topic, Correlation
/// Data, then user properties.
pub fn publish_properties(
    message_expiry: &str,
    content_type: &str,
    response_topic: &str,
    correlation: &str,
    user: &str,
) -> Result<Vec<Property>, PropsError> {
    let mut out = Vec::new();
    if let Some(e) = number::<u32>(Field::MessageExpiry, message_expiry)? {
        out.push(MessageExpiryInterval(e).into());
    }
    if !content_type.trim().is_empty() {
        out.push(ContentType(content_type.trim().to_string()).into());
    }
    if !response_topic.trim().is_empty() {
        out.push(ResponseTopic(response_topic.trim().to_string()).into());
    }
    if !correlation.is_empty() {
        out.push(CorrelationData(Bytes::from(correlation.as_bytes().to_vec())).into());
    }
    out.extend(parse_user_properties(user)?);
    Ok(out)
}

/// `Name: value`, the value as the inspector shows it: numbers in decimal,
/// strings as they are, binary data as text when it is printable UTF-8 and in
/// hex otherwise, a user property as `name=value`.
pub fn property_text(p: &Property) -> String {
    let name = p.id().name();
    match p.value() {
        ValueRef::Int(n) => format!("{name}: {n}"),
        ValueRef::Str(s) => format!("{name}: {s}"),
        ValueRef::Pair(k, v) => format!("{name}: {k}={v}"),
        ValueRef::Bin(b) => match std::str::from_utf8(b) {
            Ok(s) if !s.chars().any(char::is_control) => format!("{name}: {s}"),
            _ => {
                let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
                format!("{name}: 0x{hex}")
            }
        },
    }
}

/// `0x10 No matching subscribers`: a reason code with the name the packet type
/// gives it (`0x.. ?` for a byte that packet may not carry).
pub fn reason_text(packet: PacketType, code: u8) -> String {
    format!("{code:#04x} {}", reason_name(packet, code).unwrap_or("?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_properties_are_name_value_lines_and_mistakes_say_which_line() {
        let p = parse_user_properties("sala=101\n\n  andar = 2 \nurl=a=b").unwrap();
        let texts: Vec<String> = p.iter().map(property_text).collect();
        assert_eq!(
            texts,
            [
                "User Property: sala=101",
                "User Property: andar=2",
                "User Property: url=a=b"
            ]
        );
        assert_eq!(
            parse_user_properties("a=1\nsala"),
            Err(PropsError::NoEquals(2, "sala".into()))
        );
        assert_eq!(parse_user_properties("=1"), Err(PropsError::EmptyName(1)));
    }

    #[test]
    fn numbers_are_checked_and_receive_maximum_zero_refused() {
        let p = connect_properties("60", "2", "", "").unwrap();
        assert_eq!(
            p,
            vec![
                Property::from(SessionExpiryInterval(60)),
                Property::from(ReceiveMaximum(2))
            ]
        );
        assert_eq!(
            connect_properties("-1", "", "", ""),
            Err(PropsError::NotANumber(Field::SessionExpiry, "-1".into()))
        );
        assert_eq!(
            connect_properties("", "70000", "", ""),
            Err(PropsError::NotANumber(
                Field::ReceiveMaximum,
                "70000".into()
            ))
        );
        assert_eq!(
            connect_properties("", "0", "", ""),
            Err(PropsError::ZeroReceiveMaximum)
        );
        let p = publish_properties("30", "", "resp/t", "req-1", "k=v").unwrap();
        let texts: Vec<String> = p.iter().map(property_text).collect();
        assert_eq!(
            texts,
            [
                "Message Expiry Interval: 30",
                "Response Topic: resp/t",
                "Correlation Data: req-1",
                "User Property: k=v"
            ]
        );
        let bin = Property::from(CorrelationData(Bytes::from_static(&[0, 0xff])));
        assert_eq!(property_text(&bin), "Correlation Data: 0x00ff");
    }

    #[test]
    fn reason_codes_are_named_for_their_packet() {
        assert_eq!(
            reason_text(PacketType::Puback, 0x10),
            "0x10 No matching subscribers"
        );
        assert_eq!(reason_text(PacketType::Suback, 0x87), "0x87 Not authorized");
        assert_eq!(reason_text(PacketType::Pubrel, 0x10), "0x10 ?");
    }
}
