//! MQTT 5.0 properties (§2.2.2): the identifiers, their value types, one
//! newtype per property, and [`rule`], the one table of which packet may carry
//! which property and how often. Decoding, encoding, validation and dissection
//! all read that table; nothing else says where a property belongs.
//!
//! A packet keeps its properties as a `Vec<Property>` in wire order with
//! duplicates: user properties repeat and their order is part of the message.
//! Nothing is filled in at decode: an absent property is absent, not its default.

use core::fmt;

use bytes::Bytes;

use super::error::{DecodeError, DecodeErrorKind, EncodeError, FieldName};
use super::header::write_remaining_length;
use super::strings::{write_binary, write_u16, Reader};

/// How a property's value is encoded (§1.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueType {
    /// One byte.
    Byte,
    /// Two Byte Integer, big-endian.
    TwoByte,
    /// Four Byte Integer, big-endian.
    FourByte,
    /// Variable Byte Integer (§1.5.5).
    VarInt,
    /// UTF-8 Encoded String (§1.5.4).
    Utf8,
    /// Binary Data (§1.5.6).
    Binary,
    /// UTF-8 String Pair (§1.5.7).
    Utf8Pair,
}

/// Where properties sit: the packets that have a property block, and the Will
/// Properties of a CONNECT (§3.1.3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Holder {
    /// CONNECT's own properties (§3.1.2.11).
    Connect = 0,
    /// The will's properties in the CONNECT payload (§3.1.3.2).
    Will,
    /// §3.2.2.3
    Connack,
    /// §3.3.2.3
    Publish,
    /// §3.4.2.2
    Puback,
    /// §3.5.2.2
    Pubrec,
    /// §3.6.2.2
    Pubrel,
    /// §3.7.2.2
    Pubcomp,
    /// §3.8.2.1
    Subscribe,
    /// §3.9.2.1
    Suback,
    /// §3.10.2.1
    Unsubscribe,
    /// §3.11.2.1
    Unsuback,
    /// §3.14.2.2
    Disconnect,
    /// §3.15.2.2
    Auth,
}

impl Holder {
    /// The name used in messages: the packet's, or `Will Properties`.
    pub fn name(self) -> &'static str {
        use Holder::*;
        match self {
            Connect => "CONNECT",
            Will => "Will Properties",
            Connack => "CONNACK",
            Publish => "PUBLISH",
            Puback => "PUBACK",
            Pubrec => "PUBREC",
            Pubrel => "PUBREL",
            Pubcomp => "PUBCOMP",
            Subscribe => "SUBSCRIBE",
            Suback => "SUBACK",
            Unsubscribe => "UNSUBSCRIBE",
            Unsuback => "UNSUBACK",
            Disconnect => "DISCONNECT",
            Auth => "AUTH",
        }
    }

    const fn bit(self) -> u16 {
        1 << self as u16
    }
}

impl fmt::Display for Holder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How many times a holder may carry a property.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Multiplicity {
    /// At most once: a second one is a Protocol Error.
    Once,
    /// Any number of times, order kept (User Property; Subscription Identifier
    /// in PUBLISH).
    Repeatable,
}

/// A property value as read from the wire, before it becomes a newtype.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Value {
    Int(u32),
    Str(String),
    Bin(Bytes),
    Pair(String, String),
}

/// A borrowed view of a property's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueRef<'a> {
    /// Byte, Two Byte, Four Byte and Variable Byte Integers.
    Int(u32),
    /// A UTF-8 string.
    Str(&'a str),
    /// Binary data.
    Bin(&'a [u8]),
    /// A UTF-8 string pair: name, value.
    Pair(&'a str, &'a str),
}

trait PropValue: Sized {
    fn from_value(v: Value) -> Option<Self>;
    fn as_value(&self) -> ValueRef<'_>;
}

impl PropValue for u8 {
    fn from_value(v: Value) -> Option<Self> {
        match v {
            Value::Int(n) => u8::try_from(n).ok(),
            _ => None,
        }
    }
    fn as_value(&self) -> ValueRef<'_> {
        ValueRef::Int(u32::from(*self))
    }
}

impl PropValue for u16 {
    fn from_value(v: Value) -> Option<Self> {
        match v {
            Value::Int(n) => u16::try_from(n).ok(),
            _ => None,
        }
    }
    fn as_value(&self) -> ValueRef<'_> {
        ValueRef::Int(u32::from(*self))
    }
}

impl PropValue for u32 {
    fn from_value(v: Value) -> Option<Self> {
        match v {
            Value::Int(n) => Some(n),
            _ => None,
        }
    }
    fn as_value(&self) -> ValueRef<'_> {
        ValueRef::Int(*self)
    }
}

impl PropValue for String {
    fn from_value(v: Value) -> Option<Self> {
        match v {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
    fn as_value(&self) -> ValueRef<'_> {
        ValueRef::Str(self)
    }
}

impl PropValue for Bytes {
    fn from_value(v: Value) -> Option<Self> {
        match v {
            Value::Bin(b) => Some(b),
            _ => None,
        }
    }
    fn as_value(&self) -> ValueRef<'_> {
        ValueRef::Bin(self)
    }
}

impl PropValue for (String, String) {
    fn from_value(v: Value) -> Option<Self> {
        match v {
            Value::Pair(k, v) => Some((k, v)),
            _ => None,
        }
    }
    fn as_value(&self) -> ValueRef<'_> {
        ValueRef::Pair(&self.0, &self.1)
    }
}

macro_rules! properties {
    ($( $(#[$doc:meta])* $id:literal $name:ident($ty:ty) $vt:ident $label:literal $section:literal; )*) => {
        $(
            $(#[$doc])*
            #[derive(Debug, Clone, PartialEq, Eq, Hash)]
            pub struct $name(pub $ty);
        )*

        /// A property identifier (§2.2.2.2, table 2-4).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum PropertyId {
            $( $(#[$doc])* $name = $id, )*
        }

        /// One property with its value.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum Property {
            $( $(#[$doc])* $name($name), )*
        }

        impl PropertyId {
            /// Every identifier, in numeric order.
            pub const ALL: &'static [PropertyId] = &[$( PropertyId::$name, )*];

            /// The identifier for a byte, or `None` if 5.0 defines none.
            pub fn from_u8(b: u8) -> Option<PropertyId> {
                match b {
                    $( $id => Some(PropertyId::$name), )*
                    _ => None,
                }
            }

            /// The encoding of its value.
            pub fn value_type(self) -> ValueType {
                match self {
                    $( PropertyId::$name => ValueType::$vt, )*
                }
            }

            /// The specification's name, which is also Wireshark's label.
            pub fn name(self) -> &'static str {
                match self {
                    $( PropertyId::$name => $label, )*
                }
            }

            /// The section that defines it and its value rules.
            pub fn section(self) -> &'static str {
                match self {
                    $( PropertyId::$name => $section, )*
                }
            }
        }

        impl Property {
            /// Its identifier.
            pub fn id(&self) -> PropertyId {
                match self {
                    $( Property::$name(_) => PropertyId::$name, )*
                }
            }

            /// Its value.
            pub fn value(&self) -> ValueRef<'_> {
                match self {
                    $( Property::$name(v) => v.0.as_value(), )*
                }
            }

            fn from_value(id: PropertyId, v: Value) -> Option<Property> {
                Some(match id {
                    $( PropertyId::$name => Property::$name($name(PropValue::from_value(v)?)), )*
                })
            }
        }

        $(
            impl From<$name> for Property {
                fn from(p: $name) -> Property {
                    Property::$name(p)
                }
            }
        )*
    };
}

properties! {
    /// 0 unspecified bytes, 1 UTF-8 (§3.3.2.3.2).
    0x01 PayloadFormatIndicator(u8) Byte "Payload Format Indicator" "§3.3.2.3.2";
    /// Seconds the message lives.
    0x02 MessageExpiryInterval(u32) FourByte "Message Expiry Interval" "§3.3.2.3.3";
    /// A MIME type, say.
    0x03 ContentType(String) Utf8 "Content Type" "§3.3.2.3.9";
    /// Where a response goes.
    0x08 ResponseTopic(String) Utf8 "Response Topic" "§3.3.2.3.5";
    /// Matches a response to its request.
    0x09 CorrelationData(Bytes) Binary "Correlation Data" "§3.3.2.3.6";
    /// 1 to 268,435,455; never 0.
    0x0b SubscriptionIdentifier(u32) VarInt "Subscription Identifier" "§3.8.2.1.2";
    /// Seconds the session outlives the connection.
    0x11 SessionExpiryInterval(u32) FourByte "Session Expiry Interval" "§3.1.2.11.2";
    /// The identifier the server chose for an empty one.
    0x12 AssignedClientIdentifier(String) Utf8 "Assigned Client Identifier" "§3.2.2.3.7";
    /// The keep alive the server imposes.
    0x13 ServerKeepAlive(u16) TwoByte "Server Keep Alive" "§3.2.2.3.14";
    /// Extended authentication method.
    0x15 AuthenticationMethod(String) Utf8 "Authentication Method" "§3.1.2.11.9";
    /// Extended authentication data.
    0x16 AuthenticationData(Bytes) Binary "Authentication Data" "§3.1.2.11.10";
    /// 0 or 1.
    0x17 RequestProblemInformation(u8) Byte "Request Problem Information" "§3.1.2.11.7";
    /// Seconds before the will is published.
    0x18 WillDelayInterval(u32) FourByte "Will Delay Interval" "§3.1.3.2.2";
    /// 0 or 1.
    0x19 RequestResponseInformation(u8) Byte "Request Response Information" "§3.1.2.11.6";
    /// The basis of response topics.
    0x1a ResponseInformation(String) Utf8 "Response Information" "§3.2.2.3.15";
    /// Another server to use.
    0x1c ServerReference(String) Utf8 "Server Reference" "§3.2.2.3.16";
    /// Human-readable diagnostics.
    0x1f ReasonString(String) Utf8 "Reason String" "§3.2.2.3.9";
    /// Unacknowledged QoS 1 and 2 PUBLISH the sender accepts; never 0.
    0x21 ReceiveMaximum(u16) TwoByte "Receive Maximum" "§3.1.2.11.3";
    /// The highest topic alias the sender accepts.
    0x22 TopicAliasMaximum(u16) TwoByte "Topic Alias Maximum" "§3.1.2.11.5";
    /// A number standing for the topic; never 0.
    0x23 TopicAlias(u16) TwoByte "Topic Alias" "§3.3.2.3.4";
    /// 0 or 1.
    0x24 MaximumQos(u8) Byte "Maximum QoS" "§3.2.2.3.4";
    /// 0 or 1.
    0x25 RetainAvailable(u8) Byte "Retain Available" "§3.2.2.3.5";
    /// A name and a value; repeatable, order kept.
    0x26 UserProperty((String, String)) Utf8Pair "User Property" "§3.1.2.11.8";
    /// The largest packet the sender accepts; never 0.
    0x27 MaximumPacketSize(u32) FourByte "Maximum Packet Size" "§3.1.2.11.4";
    /// 0 or 1.
    0x28 WildcardSubscriptionAvailable(u8) Byte "Wildcard Subscription Available" "§3.2.2.3.11";
    /// 0 or 1.
    0x29 SubscriptionIdentifierAvailable(u8) Byte "Subscription Identifier Available" "§3.2.2.3.12";
    /// 0 or 1.
    0x2a SharedSubscriptionAvailable(u8) Byte "Shared Subscription Available" "§3.2.2.3.13";
}

/// The table (§2.2.2.2, table 2-4): may `holder` carry `id`, and how often?
/// `None` means it may not (a Protocol Error).
pub fn rule(holder: Holder, id: PropertyId) -> Option<Multiplicity> {
    use Holder::*;
    use PropertyId::*;
    const fn set(hs: &[Holder]) -> u16 {
        let mut m = 0;
        let mut i = 0;
        while i < hs.len() {
            m |= hs[i].bit();
            i += 1;
        }
        m
    }
    const MESSAGE: u16 = set(&[Publish, Will]);
    const ALL: u16 = set(&[
        Connect,
        Will,
        Connack,
        Publish,
        Puback,
        Pubrec,
        Pubrel,
        Pubcomp,
        Subscribe,
        Suback,
        Unsubscribe,
        Unsuback,
        Disconnect,
        Auth,
    ]);
    // (where it may appear, where it may repeat)
    let (allowed, repeatable): (u16, u16) = match id {
        PayloadFormatIndicator
        | MessageExpiryInterval
        | ContentType
        | ResponseTopic
        | CorrelationData => (MESSAGE, 0),
        SubscriptionIdentifier => (set(&[Publish, Subscribe]), set(&[Publish])),
        SessionExpiryInterval => (set(&[Connect, Connack, Disconnect]), 0),
        AssignedClientIdentifier
        | ServerKeepAlive
        | ResponseInformation
        | MaximumQos
        | RetainAvailable
        | WildcardSubscriptionAvailable
        | SubscriptionIdentifierAvailable
        | SharedSubscriptionAvailable => (set(&[Connack]), 0),
        AuthenticationMethod | AuthenticationData => (set(&[Connect, Connack, Auth]), 0),
        RequestProblemInformation | RequestResponseInformation => (set(&[Connect]), 0),
        WillDelayInterval => (set(&[Will]), 0),
        ServerReference => (set(&[Connack, Disconnect]), 0),
        ReasonString => (
            set(&[
                Connack, Puback, Pubrec, Pubrel, Pubcomp, Suback, Unsuback, Disconnect, Auth,
            ]),
            0,
        ),
        ReceiveMaximum | TopicAliasMaximum | MaximumPacketSize => (set(&[Connect, Connack]), 0),
        TopicAlias => (set(&[Publish]), 0),
        UserProperty => (ALL, ALL),
    };
    if allowed & holder.bit() == 0 {
        None
    } else if repeatable & holder.bit() != 0 {
        Some(Multiplicity::Repeatable)
    } else {
        Some(Multiplicity::Once)
    }
}

/// A value the type allows but the specification forbids: `Some(rule)` names
/// the statement it breaks.
pub fn value_rule(id: PropertyId, value: u32) -> Option<&'static str> {
    use PropertyId::*;
    let bad = match id {
        PayloadFormatIndicator
        | RequestProblemInformation
        | RequestResponseInformation
        | MaximumQos
        | RetainAvailable
        | WildcardSubscriptionAvailable
        | SubscriptionIdentifierAvailable
        | SharedSubscriptionAvailable => value > 1,
        ReceiveMaximum | MaximumPacketSize | SubscriptionIdentifier => value == 0,
        TopicAlias => return (value == 0).then_some("MQTT-3.3.2-8"),
        _ => false,
    };
    bad.then(|| id.section())
}

/// Reads a property block (length, then properties) for `holder`, checking each
/// property against [`rule`] and [`value_rule`].
pub(crate) fn read(r: &mut Reader<'_>, holder: Holder) -> Result<Vec<Property>, DecodeError> {
    let len_at = r.pos();
    let len = r.varint(FieldName::Properties)? as usize;
    let start = r.pos();
    if r.remaining() < len {
        return Err(DecodeError::new(
            DecodeErrorKind::Truncated(FieldName::Properties),
            len_at,
        ));
    }
    let end = start + len;
    let mut block = r.limited(end);
    let mut props = Vec::new();
    let mut seen = 0u64;
    while !block.is_empty() {
        let id_at = block.pos();
        let b = block.u8(FieldName::Properties)?;
        let id = PropertyId::from_u8(b)
            .ok_or_else(|| DecodeError::new(DecodeErrorKind::InvalidPropertyId(b), id_at))?;
        let Some(multiplicity) = rule(holder, id) else {
            return Err(DecodeError::new(
                DecodeErrorKind::PropertyNotAllowed { id, holder },
                id_at,
            ));
        };
        let bit = 1u64 << (b & 63);
        if multiplicity == Multiplicity::Once && seen & bit != 0 {
            return Err(DecodeError::new(
                DecodeErrorKind::PropertyRepeated { id, holder },
                id_at,
            ));
        }
        seen |= bit;
        let field = FieldName::Property(id);
        let value_at = block.pos();
        let value = match id.value_type() {
            ValueType::Byte => Value::Int(u32::from(block.u8(field)?)),
            ValueType::TwoByte => Value::Int(u32::from(block.u16(field)?)),
            ValueType::FourByte => Value::Int(block.u32(field)?),
            ValueType::VarInt => Value::Int(block.varint(field)?),
            ValueType::Utf8 => Value::Str(block.string(field)?.0.to_owned()),
            ValueType::Binary => {
                let range = block.binary(field)?;
                Value::Bin(block.slice(range))
            }
            ValueType::Utf8Pair => {
                let k = block.string(field)?.0.to_owned();
                let v = block.string(field)?.0.to_owned();
                Value::Pair(k, v)
            }
        };
        if let Value::Int(n) = value {
            if value_rule(id, n).is_some() {
                return Err(DecodeError::new(
                    DecodeErrorKind::InvalidPropertyValue { id, value: n },
                    value_at,
                ));
            }
        }
        // The value type matches the identifier by construction.
        props.extend(Property::from_value(id, value));
    }
    r.seek(end);
    Ok(props)
}

/// The size of one property on the wire.
fn property_len(p: &Property) -> Result<usize, EncodeError> {
    let field = FieldName::Property(p.id());
    let value = match (p.id().value_type(), p.value()) {
        (ValueType::Byte, _) => 1,
        (ValueType::TwoByte, _) => 2,
        (ValueType::FourByte, _) => 4,
        (ValueType::VarInt, ValueRef::Int(n)) => {
            if n > super::header::MAX_REMAINING_LENGTH as u32 {
                return Err(EncodeError::VarIntTooLarge { field, value: n });
            }
            varint_len(n as usize)
        }
        (_, ValueRef::Str(s)) => str_len(field, s)?,
        (_, ValueRef::Bin(b)) => super::strings::check_len(field, b.len())?,
        (_, ValueRef::Pair(k, v)) => str_len(field, k)? + str_len(field, v)?,
        (_, ValueRef::Int(_)) => 0,
    };
    Ok(1 + value)
}

fn str_len(field: FieldName, s: &str) -> Result<usize, EncodeError> {
    super::strings::check_str(field, s)
}

/// The bytes a Variable Byte Integer takes.
pub(crate) fn varint_len(n: usize) -> usize {
    super::header::remaining_length_len(n)
}

/// Checks `props` against the table for `holder` and returns the length of the
/// properties (without the length prefix).
pub(crate) fn encoded_len(props: &[Property], holder: Holder) -> Result<usize, EncodeError> {
    let mut seen = 0u64;
    let mut len = 0;
    for p in props {
        let id = p.id();
        let Some(m) = rule(holder, id) else {
            return Err(EncodeError::PropertyNotAllowed { id, holder });
        };
        let bit = 1u64 << (id as u8 & 63);
        if m == Multiplicity::Once && seen & bit != 0 {
            return Err(EncodeError::PropertyRepeated { id, holder });
        }
        seen |= bit;
        if let ValueRef::Int(n) = p.value() {
            if value_rule(id, n).is_some() {
                return Err(EncodeError::InvalidPropertyValue { id, value: n });
            }
        }
        len += property_len(p)?;
    }
    Ok(len)
}

/// Length prefix plus properties.
pub(crate) fn block_len(props: &[Property], holder: Holder) -> Result<usize, EncodeError> {
    let len = encoded_len(props, holder)?;
    Ok(varint_len(len) + len)
}

/// Writes the length prefix and the properties; `props` passed [`encoded_len`].
pub(crate) fn write(out: &mut Vec<u8>, props: &[Property]) {
    let len: usize = props.iter().map(|p| property_len(p).unwrap_or(0)).sum();
    write_remaining_length(out, len);
    for p in props {
        let id = p.id();
        out.push(id as u8);
        match (id.value_type(), p.value()) {
            (ValueType::Byte, ValueRef::Int(n)) => out.push(n as u8),
            (ValueType::TwoByte, ValueRef::Int(n)) => write_u16(out, n as u16),
            (ValueType::FourByte, ValueRef::Int(n)) => out.extend_from_slice(&n.to_be_bytes()),
            (ValueType::VarInt, ValueRef::Int(n)) => write_remaining_length(out, n as usize),
            (_, ValueRef::Str(s)) => write_binary(out, s.as_bytes()),
            (_, ValueRef::Bin(b)) => write_binary(out, b),
            (_, ValueRef::Pair(k, v)) => {
                write_binary(out, k.as_bytes());
                write_binary(out, v.as_bytes());
            }
            (_, ValueRef::Int(_)) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_matches_table_2_4() {
        use Holder::*;
        use PropertyId::*;
        assert_eq!(rule(Connect, ReceiveMaximum), Some(Multiplicity::Once));
        assert_eq!(rule(Publish, ReceiveMaximum), None);
        assert_eq!(
            rule(Publish, SubscriptionIdentifier),
            Some(Multiplicity::Repeatable)
        );
        assert_eq!(
            rule(Subscribe, SubscriptionIdentifier),
            Some(Multiplicity::Once)
        );
        assert_eq!(rule(Will, WillDelayInterval), Some(Multiplicity::Once));
        assert_eq!(rule(Connect, WillDelayInterval), None);
        assert_eq!(rule(Auth, UserProperty), Some(Multiplicity::Repeatable));
        assert_eq!(rule(Unsubscribe, ReasonString), None);
        // Every identifier is allowed somewhere, 27 in all.
        assert_eq!(PropertyId::ALL.len(), 27);
        for &id in PropertyId::ALL {
            assert_eq!(PropertyId::from_u8(id as u8), Some(id));
            assert!(
                [Connect, Will, Connack, Publish, Subscribe, Disconnect, Auth]
                    .iter()
                    .any(|&h| rule(h, id).is_some()),
                "{id:?}"
            );
        }
        for b in [0x00, 0x04, 0x0a, 0x14, 0x1b, 0x20, 0x2b, 0x7f, 0xff] {
            assert_eq!(PropertyId::from_u8(b), None, "{b:#x}");
        }
    }

    #[test]
    fn value_rules() {
        assert_eq!(
            value_rule(PropertyId::ReceiveMaximum, 0),
            Some("§3.1.2.11.3")
        );
        assert_eq!(value_rule(PropertyId::ReceiveMaximum, 1), None);
        assert_eq!(value_rule(PropertyId::MaximumQos, 2), Some("§3.2.2.3.4"));
        assert_eq!(value_rule(PropertyId::TopicAlias, 0), Some("MQTT-3.3.2-8"));
        assert_eq!(value_rule(PropertyId::MessageExpiryInterval, 0), None);
    }
}
