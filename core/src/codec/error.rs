//! What can go wrong on the wire: [`DecodeError`] for bytes that are not a valid
//! MQTT 3.1.1 packet, [`EncodeError`] for packets the types allow but the wire cannot
//! carry.

use core::fmt;

use super::properties::{value_rule, Holder, PropertyId};
use super::PacketType;
use crate::topic::TopicErrorKind;

/// A length-prefixed or fixed-width field of a packet, named in errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldName {
    /// CONNECT protocol name ("MQTT" or "MQIsdp").
    ProtocolName,
    /// CONNECT protocol level byte.
    ProtocolLevel,
    /// CONNECT flags byte.
    ConnectFlags,
    /// CONNECT keep alive.
    KeepAlive,
    /// CONNECT client identifier.
    ClientId,
    /// CONNECT will topic.
    WillTopic,
    /// CONNECT will message.
    WillMessage,
    /// CONNECT user name.
    Username,
    /// CONNECT password.
    Password,
    /// CONNACK acknowledge flags.
    AckFlags,
    /// CONNACK return code.
    ReturnCode,
    /// PUBLISH topic name.
    TopicName,
    /// A packet identifier.
    PacketId,
    /// A SUBSCRIBE or UNSUBSCRIBE topic filter.
    TopicFilter,
    /// The requested QoS byte after a SUBSCRIBE filter.
    RequestedQos,
    /// A SUBACK return code.
    SubackReturnCode,
    /// The remaining length of the fixed header.
    RemainingLength,
    /// MQTT 5.0: a property block (its length or an identifier).
    Properties,
    /// MQTT 5.0: the value of one property.
    Property(PropertyId),
    /// MQTT 5.0: a reason code.
    ReasonCode,
    /// MQTT 5.0: a SUBSCRIBE filter's subscription options byte.
    SubscriptionOptions,
}

impl FieldName {
    /// The field's name as the standard calls it.
    pub fn as_str(self) -> &'static str {
        use FieldName::*;
        match self {
            ProtocolName => "protocol name",
            ProtocolLevel => "protocol level",
            ConnectFlags => "connect flags",
            KeepAlive => "keep alive",
            ClientId => "client identifier",
            WillTopic => "will topic",
            WillMessage => "will message",
            Username => "user name",
            Password => "password",
            AckFlags => "connect acknowledge flags",
            ReturnCode => "connect return code",
            TopicName => "topic name",
            PacketId => "packet identifier",
            TopicFilter => "topic filter",
            RequestedQos => "requested QoS",
            SubackReturnCode => "SUBACK return code",
            RemainingLength => "remaining length",
            Properties => "properties",
            Property(id) => id.name(),
            ReasonCode => "reason code",
            SubscriptionOptions => "subscription options",
        }
    }
}

impl fmt::Display for FieldName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why bytes are not a valid MQTT 3.1.1 packet, and where.
///
/// `offset` counts from the first byte of the packet (its fixed header), so for
/// [`decode`](super::decode) it is an index into the buffer passed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// What is wrong.
    pub kind: DecodeErrorKind,
    /// Byte offset of the problem from the start of the packet.
    pub offset: usize,
}

impl DecodeError {
    /// An error of `kind` at `offset`.
    pub fn new(kind: DecodeErrorKind, offset: usize) -> Self {
        DecodeError { kind, offset }
    }

    /// The CONNACK return code a broker sends before closing the connection, when
    /// the standard asks for one: `1` (unacceptable protocol version) for a CONNECT
    /// naming a protocol level the broker does not speak (MQTT-3.1.2-2). `None`
    /// means: close the connection without a CONNACK (§4.8).
    pub fn connack_code(&self) -> Option<super::ConnectReturnCode> {
        match &self.kind {
            DecodeErrorKind::UnsupportedProtocol { name, .. }
                if name == "MQTT" || name == "MQIsdp" =>
            {
                Some(super::ConnectReturnCode::UnacceptableProtocolVersion)
            }
            _ => None,
        }
    }
}

/// The ways bytes can fail to be an MQTT 3.1.1 packet. Each names the normative
/// statement (or section) of the standard it breaks through [`rule`](Self::rule).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// The packet type nibble is 0 or 15, both reserved.
    ReservedPacketType(u8),
    /// The flag nibble of the fixed header is not the one the type requires.
    InvalidHeaderFlags {
        /// The packet type.
        packet_type: PacketType,
        /// The flags found.
        flags: u8,
    },
    /// The remaining length has a continuation bit on its fourth byte.
    RemainingLengthTooLong,
    /// The packet is larger than the receiver accepts.
    PacketTooLarge {
        /// Fixed header plus remaining length.
        size: usize,
        /// The receiver's maximum.
        max: usize,
    },
    /// A fixed-size packet has the wrong remaining length.
    WrongRemainingLength {
        /// The packet type.
        packet_type: PacketType,
        /// What the standard fixes it to.
        expected: usize,
        /// What the packet says.
        found: usize,
    },
    /// The input ends before the packet does (only where more input cannot come,
    /// as in [`decode_frame`](super::decode_frame) or a dissection).
    Incomplete {
        /// The packet's size, if the fixed header was complete.
        expected: Option<usize>,
        /// The bytes there are.
        found: usize,
    },
    /// A field runs past the end given by the remaining length.
    Truncated(FieldName),
    /// Bytes are left after the last field.
    TrailingBytes,
    /// A string is not well-formed UTF-8.
    InvalidUtf8(FieldName),
    /// A string holds U+0000.
    NullCharacter(FieldName),
    /// A packet identifier is zero.
    ZeroPacketId,
    /// PUBLISH with both QoS bits set.
    PublishQos3,
    /// PUBLISH at QoS 0 with the DUP flag set.
    DupWithQos0,
    /// A topic name or filter breaks §4.7.
    Topic(FieldName, TopicErrorKind),
    /// CONNECT with a protocol name or level this codec does not speak.
    UnsupportedProtocol {
        /// The protocol name sent (lossy UTF-8).
        name: String,
        /// The level byte sent.
        level: u8,
    },
    /// CONNECT flags bit 0 is set.
    ConnectReservedFlag,
    /// Will QoS is not 0 although the will flag is 0.
    WillQosWithoutWill,
    /// Will retain is set although the will flag is 0.
    WillRetainWithoutWill,
    /// Will QoS is 3.
    WillQos3,
    /// Password flag without user name flag.
    PasswordWithoutUsername,
    /// CONNACK acknowledge flags bits 7..1 are not 0.
    ConnackReservedFlags(u8),
    /// CONNACK with session present set on a refusal.
    SessionPresentOnRefusal,
    /// CONNACK return code 6..=255.
    ReservedReturnCode(u8),
    /// SUBSCRIBE without any topic filter.
    SubscribeWithoutTopics,
    /// UNSUBSCRIBE without any topic filter.
    UnsubscribeWithoutTopics,
    /// SUBACK without any return code.
    SubackWithoutReturnCodes,
    /// SUBSCRIBE requested QoS byte not 0, 1 or 2 (reserved bits or QoS 3).
    InvalidRequestedQos(u8),
    /// SUBACK return code other than 0, 1, 2, 0x80.
    InvalidSubackReturnCode(u8),
    /// MQTT 5.0: a Variable Byte Integer in more bytes than its value needs.
    NonMinimalVarInt(FieldName),
    /// MQTT 5.0: a Variable Byte Integer with a continuation bit on its fourth byte.
    VarIntTooLong(FieldName),
    /// MQTT 5.0: a property identifier the standard does not define.
    InvalidPropertyId(u8),
    /// MQTT 5.0: a property this packet (or the will) may not carry.
    PropertyNotAllowed {
        /// The property.
        id: PropertyId,
        /// Where it was found.
        holder: Holder,
    },
    /// MQTT 5.0: a property that may appear once appears again.
    PropertyRepeated {
        /// The property.
        id: PropertyId,
        /// Where it was found.
        holder: Holder,
    },
    /// MQTT 5.0: a property value the standard forbids (Receive Maximum 0...).
    InvalidPropertyValue {
        /// The property.
        id: PropertyId,
        /// The value found.
        value: u32,
    },
    /// MQTT 5.0: a reason code this packet may not carry.
    InvalidReasonCode {
        /// The packet.
        packet_type: PacketType,
        /// The code found.
        code: u8,
    },
    /// MQTT 5.0: subscription options bits 7 and 6 are not 0.
    SubscriptionReservedBits(u8),
    /// MQTT 5.0: subscription options with Retain Handling 3.
    RetainHandling3,
    /// MQTT 5.0: subscription options with Maximum QoS 3.
    SubscriptionQos3,
    /// MQTT 5.0: No Local set on a shared subscription (`$share/...`).
    NoLocalOnShared,
    /// MQTT 5.0: a PUBLISH with an empty topic name and no Topic Alias.
    EmptyTopicWithoutAlias,
    /// MQTT 5.0: a SUBACK or UNSUBACK without any reason code.
    NoReasonCodes(PacketType),
    /// An error of the kinds above 3.1.1 shares with 5.0, found in an MQTT 5.0
    /// packet: same meaning, 5.0's statement number.
    V5(Box<DecodeErrorKind>),
}

impl DecodeErrorKind {
    /// The normative statement of MQTT 3.1.1 this breaks, e.g. `MQTT-2.2.2-2`, or
    /// the section (`§2.2.3`) when the standard states the rule without a number.
    pub fn rule(&self) -> &'static str {
        use DecodeErrorKind::*;
        match self {
            ReservedPacketType(_) => "§2.2.1",
            InvalidHeaderFlags { .. } => "MQTT-2.2.2-2",
            RemainingLengthTooLong => "§2.2.3",
            PacketTooLarge { .. } => "§4.8",
            WrongRemainingLength { .. } | Incomplete { .. } | Truncated(_) | TrailingBytes => {
                "§2.2.3"
            }
            InvalidUtf8(_) => "MQTT-1.5.3-1",
            NullCharacter(_) => "MQTT-1.5.3-2",
            ZeroPacketId => "MQTT-2.3.1-1",
            PublishQos3 => "MQTT-3.3.1-4",
            DupWithQos0 => "MQTT-3.3.1-2",
            Topic(_, k) => k.rule(),
            UnsupportedProtocol { name, .. } => {
                if name == "MQTT" || name == "MQIsdp" {
                    "MQTT-3.1.2-2"
                } else {
                    "MQTT-3.1.2-1"
                }
            }
            ConnectReservedFlag => "MQTT-3.1.2-3",
            WillQosWithoutWill => "MQTT-3.1.2-13",
            WillRetainWithoutWill => "MQTT-3.1.2-15",
            WillQos3 => "MQTT-3.1.2-14",
            PasswordWithoutUsername => "MQTT-3.1.2-22",
            ConnackReservedFlags(_) => "§3.2.2.1",
            SessionPresentOnRefusal => "MQTT-3.2.2-4",
            ReservedReturnCode(_) => "§3.2.2.3",
            SubscribeWithoutTopics => "MQTT-3.8.3-3",
            UnsubscribeWithoutTopics => "MQTT-3.10.3-2",
            SubackWithoutReturnCodes => "§3.9.3",
            InvalidRequestedQos(_) => "MQTT-3.8.3-4",
            InvalidSubackReturnCode(_) => "MQTT-3.9.3-2",
            NonMinimalVarInt(_) => "MQTT-1.5.5-1",
            VarIntTooLong(_) => "§1.5.5",
            InvalidPropertyId(_) | PropertyNotAllowed { .. } => "§2.2.2.2",
            PropertyRepeated { id, .. } => id.section(),
            InvalidPropertyValue { id, value } => value_rule(*id, *value).unwrap_or(id.section()),
            InvalidReasonCode { packet_type, .. } => reason_code_section(*packet_type),
            SubscriptionReservedBits(_) => "MQTT-3.8.3-5",
            RetainHandling3 | SubscriptionQos3 => "§3.8.3.1",
            NoLocalOnShared => "MQTT-3.8.3-4",
            EmptyTopicWithoutAlias => "§3.3.2.1",
            NoReasonCodes(t) => reason_code_section(*t),
            V5(k) => k.rule_v5(),
        }
    }

    /// The statement of MQTT 5.0 that a kind shared with 3.1.1 breaks.
    fn rule_v5(&self) -> &'static str {
        use DecodeErrorKind::*;
        match self {
            ReservedPacketType(_) => "§2.1.2",
            InvalidHeaderFlags { .. } => "MQTT-2.1.3-1",
            RemainingLengthTooLong => "§1.5.5",
            WrongRemainingLength { .. } | Incomplete { .. } | Truncated(_) | TrailingBytes => {
                "§2.1.4"
            }
            InvalidUtf8(_) => "MQTT-1.5.4-1",
            NullCharacter(_) => "MQTT-1.5.4-2",
            ZeroPacketId => "MQTT-2.2.1-3",
            Topic(_, k) => match k {
                TopicErrorKind::WildcardInName => "MQTT-3.3.2-2",
                TopicErrorKind::MultiLevelNotLast => "MQTT-4.7.1-1",
                TopicErrorKind::SingleLevelNotAlone => "MQTT-4.7.1-2",
                k => k.rule(),
            },
            WillQosWithoutWill => "MQTT-3.1.2-11",
            WillQos3 => "MQTT-3.1.2-12",
            WillRetainWithoutWill => "MQTT-3.1.2-13",
            ConnackReservedFlags(_) => "§3.2.2.1.1",
            SessionPresentOnRefusal => "MQTT-3.2.2-6",
            SubscribeWithoutTopics => "MQTT-3.8.3-2",
            SubackWithoutReturnCodes => "§3.9.3",
            k => k.rule(),
        }
    }

    /// In an MQTT 5.0 packet: kinds whose statement number differs between the
    /// versions are wrapped in [`V5`](Self::V5); 5.0's own pass as they are.
    pub(crate) fn in_v5(self) -> DecodeErrorKind {
        use DecodeErrorKind::*;
        match self {
            k @ (NonMinimalVarInt(_)
            | VarIntTooLong(_)
            | InvalidPropertyId(_)
            | PropertyNotAllowed { .. }
            | PropertyRepeated { .. }
            | InvalidPropertyValue { .. }
            | InvalidReasonCode { .. }
            | SubscriptionReservedBits(_)
            | RetainHandling3
            | SubscriptionQos3
            | NoLocalOnShared
            | EmptyTopicWithoutAlias
            | NoReasonCodes(_)
            | V5(_)
            | PacketTooLarge { .. }
            | UnsupportedProtocol { .. }) => k,
            k => V5(Box::new(k)),
        }
    }

    /// The kind without the 5.0 wrapper.
    pub fn inner(&self) -> &DecodeErrorKind {
        match self {
            DecodeErrorKind::V5(k) => k,
            k => k,
        }
    }
}

/// Where 5.0 lists the reason codes a packet may carry.
fn reason_code_section(t: PacketType) -> &'static str {
    match t {
        PacketType::Connack => "§3.2.2.2",
        PacketType::Puback => "§3.4.2.1",
        PacketType::Pubrec => "§3.5.2.1",
        PacketType::Pubrel => "§3.6.2.1",
        PacketType::Pubcomp => "§3.7.2.1",
        PacketType::Suback => "§3.9.3",
        PacketType::Unsuback => "§3.11.3",
        PacketType::Disconnect => "§3.14.2.1",
        PacketType::Auth => "§3.15.2.1",
        _ => "§2.4",
    }
}

impl DecodeError {
    /// The same error found in an MQTT 5.0 packet (see [`DecodeErrorKind::V5`]).
    pub(crate) fn in_v5(self) -> DecodeError {
        DecodeError::new(self.kind.in_v5(), self.offset)
    }
}

impl fmt::Display for DecodeErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use DecodeErrorKind::*;
        match self {
            ReservedPacketType(t) => write!(f, "packet type {t} is reserved"),
            InvalidHeaderFlags { packet_type, flags } => write!(
                f,
                "{packet_type} header flags are {flags:#06b}, the standard fixes them to {:#06b}",
                match packet_type {
                    PacketType::Pubrel | PacketType::Subscribe | PacketType::Unsubscribe => 2,
                    _ => 0,
                }
            ),
            RemainingLengthTooLong => f.write_str("the remaining length is longer than 4 bytes"),
            PacketTooLarge { size, max } => write!(
                f,
                "the packet is {size} bytes, more than the maximum of {max} bytes"
            ),
            WrongRemainingLength {
                packet_type,
                expected,
                found,
            } => write!(
                f,
                "{packet_type} must have remaining length {expected}, not {found}"
            ),
            Incomplete {
                expected: Some(n),
                found,
            } => write!(f, "the packet is {n} bytes but only {found} are there"),
            Incomplete {
                expected: None,
                found,
            } => write!(f, "the fixed header is incomplete ({found} bytes)"),
            Truncated(field) => write!(f, "the {field} runs past the end of the packet"),
            TrailingBytes => f.write_str("bytes are left after the last field of the packet"),
            InvalidUtf8(field) => write!(f, "the {field} is not well-formed UTF-8"),
            NullCharacter(field) => write!(f, "the {field} contains the null character U+0000"),
            ZeroPacketId => f.write_str("the packet identifier is 0"),
            PublishQos3 => f.write_str("PUBLISH has QoS 3 (both QoS bits set)"),
            DupWithQos0 => f.write_str("PUBLISH at QoS 0 has the DUP flag set"),
            Topic(field, k) => write!(f, "the {field} is invalid: {}", k.describe()),
            UnsupportedProtocol { name, level } => {
                write!(f, "unsupported protocol name {name:?} level {level}")
            }
            ConnectReservedFlag => f.write_str("CONNECT flags reserved bit 0 is set"),
            WillQosWithoutWill => f.write_str("will QoS is not 0 but the will flag is 0"),
            WillRetainWithoutWill => f.write_str("will retain is set but the will flag is 0"),
            WillQos3 => f.write_str("will QoS is 3"),
            PasswordWithoutUsername => {
                f.write_str("the password flag is set without the user name flag")
            }
            ConnackReservedFlags(b) => {
                write!(
                    f,
                    "CONNACK acknowledge flags {b:#04x} have reserved bits set"
                )
            }
            SessionPresentOnRefusal => {
                f.write_str("CONNACK refuses the connection but has session present set")
            }
            ReservedReturnCode(c) => write!(f, "CONNACK return code {c} is reserved"),
            SubscribeWithoutTopics => f.write_str("SUBSCRIBE carries no topic filter"),
            UnsubscribeWithoutTopics => f.write_str("UNSUBSCRIBE carries no topic filter"),
            SubackWithoutReturnCodes => f.write_str("SUBACK carries no return code"),
            InvalidRequestedQos(b) => write!(
                f,
                "requested QoS byte {b:#04x} is not 0, 1 or 2 (reserved bits or QoS 3)"
            ),
            InvalidSubackReturnCode(c) => {
                write!(
                    f,
                    "SUBACK return code {c:#04x} is not 0x00, 0x01, 0x02 or 0x80"
                )
            }
            NonMinimalVarInt(field) => write!(
                f,
                "the {field} is a variable byte integer in more bytes than its value needs"
            ),
            VarIntTooLong(field) => write!(
                f,
                "the {field} is a variable byte integer longer than 4 bytes"
            ),
            InvalidPropertyId(b) => write!(f, "property identifier {b:#04x} is not defined"),
            PropertyNotAllowed { id, holder } => {
                write!(f, "{holder} may not carry the {} property", id.name())
            }
            PropertyRepeated { id, holder } => write!(
                f,
                "{holder} carries the {} property more than once",
                id.name()
            ),
            InvalidPropertyValue { id, value } => {
                write!(f, "{} {value} is not allowed", id.name())
            }
            InvalidReasonCode { packet_type, code } => {
                write!(f, "{packet_type} may not carry reason code {code:#04x}")
            }
            SubscriptionReservedBits(b) => write!(
                f,
                "subscription options {b:#04x} have reserved bits 7-6 set"
            ),
            RetainHandling3 => f.write_str("subscription options have Retain Handling 3"),
            SubscriptionQos3 => f.write_str("subscription options have Maximum QoS 3"),
            NoLocalOnShared => f.write_str("No Local is set on a shared subscription"),
            EmptyTopicWithoutAlias => {
                f.write_str("PUBLISH has an empty topic name and no Topic Alias")
            }
            NoReasonCodes(t) => write!(f, "{t} carries no reason code"),
            V5(k) => k.fmt(f),
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "malformed packet: {} (at byte {}, {})",
            self.kind,
            self.offset,
            self.kind.rule()
        )
    }
}

impl std::error::Error for DecodeError {}

/// Why a packet cannot be encoded: what the types allow but the wire cannot carry.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EncodeError {
    /// SUBSCRIBE with no filter (MQTT-3.8.3-3).
    EmptySubscribe,
    /// UNSUBSCRIBE with no filter (MQTT-3.10.3-2).
    EmptyUnsubscribe,
    /// SUBACK with no return code (§3.9.3).
    EmptySuback,
    /// A string or binary field longer than its 16-bit length prefix (§1.5.3).
    FieldTooLong {
        /// Which field.
        field: FieldName,
        /// Its length in bytes.
        len: usize,
    },
    /// A UTF-8 field holds U+0000 (MQTT-1.5.3-2).
    NullCharacter(FieldName),
    /// The remaining length would exceed 268,435,455 bytes (§2.2.3).
    PacketTooLarge {
        /// The remaining length it would need.
        remaining_length: usize,
    },
    /// MQTT 5.0: a property the table does not allow where it was put.
    PropertyNotAllowed {
        /// The property.
        id: PropertyId,
        /// Where it was put.
        holder: Holder,
    },
    /// MQTT 5.0: a property that may appear once, twice.
    PropertyRepeated {
        /// The property.
        id: PropertyId,
        /// Where.
        holder: Holder,
    },
    /// MQTT 5.0: a property value the standard forbids.
    InvalidPropertyValue {
        /// The property.
        id: PropertyId,
        /// The value.
        value: u32,
    },
    /// MQTT 5.0: a Variable Byte Integer over 268,435,455.
    VarIntTooLarge {
        /// Which field.
        field: FieldName,
        /// The value.
        value: u32,
    },
    /// MQTT 5.0: properties on an acknowledgement without a reason code, which
    /// the wire cannot say (the properties follow the reason code).
    PropertiesWithoutReasonCode(PacketType),
    /// MQTT 5.0: a PUBLISH with an empty topic name and no Topic Alias.
    EmptyTopicWithoutAlias,
    /// MQTT 5.0: a SUBACK or UNSUBACK without reason codes.
    NoReasonCodes(PacketType),
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::EmptySubscribe => {
                f.write_str("SUBSCRIBE needs at least one topic filter (MQTT-3.8.3-3)")
            }
            EncodeError::EmptyUnsubscribe => {
                f.write_str("UNSUBSCRIBE needs at least one topic filter (MQTT-3.10.3-2)")
            }
            EncodeError::EmptySuback => f.write_str("SUBACK needs at least one return code"),
            EncodeError::FieldTooLong { field, len } => write!(
                f,
                "the {field} is {len} bytes, more than the 65535 a length prefix can say"
            ),
            EncodeError::NullCharacter(field) => {
                write!(f, "the {field} contains U+0000 (MQTT-1.5.3-2)")
            }
            EncodeError::PacketTooLarge { remaining_length } => write!(
                f,
                "remaining length {remaining_length} exceeds the maximum 268435455"
            ),
            EncodeError::PropertyNotAllowed { id, holder } => write!(
                f,
                "{holder} may not carry the {} property (§2.2.2.2)",
                id.name()
            ),
            EncodeError::PropertyRepeated { id, holder } => write!(
                f,
                "{holder} may carry the {} property only once ({})",
                id.name(),
                id.section()
            ),
            EncodeError::InvalidPropertyValue { id, value } => write!(
                f,
                "{} {value} is not allowed ({})",
                id.name(),
                value_rule(*id, *value).unwrap_or(id.section())
            ),
            EncodeError::VarIntTooLarge { field, value } => write!(
                f,
                "the {field} {value} exceeds a variable byte integer's 268435455"
            ),
            EncodeError::PropertiesWithoutReasonCode(t) => {
                write!(f, "{t} properties need a reason code before them")
            }
            EncodeError::EmptyTopicWithoutAlias => {
                f.write_str("PUBLISH with an empty topic name needs a Topic Alias (§3.3.2.1)")
            }
            EncodeError::NoReasonCodes(t) => write!(f, "{t} needs at least one reason code"),
        }
    }
}

impl std::error::Error for EncodeError {}
