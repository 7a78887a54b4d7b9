//! MQTT 5.0 on the tools' command lines, as mosquitto 2.0.11 reads them
//! (`client/client_props.c`, `client/client_shared.c`): `-D COMMAND
//! IDENTIFIER VALUE` (`--property`), `-x` (session expiry), and the checks
//! made once the whole line is read. Each refusal is worded as the real tools
//! word it, checked against them in `tests/tests/tools_diff.rs`.

use bytes::Bytes;

use crate::codec::properties::{self, Holder, Property, PropertyId, ValueType};

/// The `-D` properties, by the packet they go on, in the order given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ToolProperties {
    /// `-D connect ...`
    pub connect: Vec<Property>,
    /// `-D publish ...`
    pub publish: Vec<Property>,
    /// `-D subscribe ...`
    pub subscribe: Vec<Property>,
    /// `-D unsubscribe ...`
    pub unsubscribe: Vec<Property>,
    /// `-D disconnect ...`
    pub disconnect: Vec<Property>,
    /// `-D will ...`
    pub will: Vec<Property>,
}

impl ToolProperties {
    /// Whether any `-D` was given.
    pub fn is_empty(&self) -> bool {
        self.connect.is_empty()
            && self.publish.is_empty()
            && self.subscribe.is_empty()
            && self.unsubscribe.is_empty()
            && self.disconnect.is_empty()
            && self.will.is_empty()
    }
}

/// The COMMAND word of `-D` (`mosquitto_string_to_command`, any case).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Command {
    Connect,
    Connack,
    Publish,
    Puback,
    Pubrec,
    Pubrel,
    Pubcomp,
    Subscribe,
    Unsubscribe,
    Disconnect,
    Auth,
    Will,
}

impl Command {
    fn parse(word: &str) -> Option<Command> {
        use Command::*;
        // mosquitto 2.0.11 knows no `suback` or `unsuback` here.
        Some(match word.to_ascii_lowercase().as_str() {
            "connect" => Connect,
            "connack" => Connack,
            "publish" => Publish,
            "puback" => Puback,
            "pubrec" => Pubrec,
            "pubrel" => Pubrel,
            "pubcomp" => Pubcomp,
            "subscribe" => Subscribe,
            "unsubscribe" => Unsubscribe,
            "disconnect" => Disconnect,
            "auth" => Auth,
            "will" => Will,
            _ => return None,
        })
    }

    fn holder(self) -> Holder {
        use Command::*;
        match self {
            Connect => Holder::Connect,
            Connack => Holder::Connack,
            Publish => Holder::Publish,
            Puback => Holder::Puback,
            Pubrec => Holder::Pubrec,
            Pubrel => Holder::Pubrel,
            Pubcomp => Holder::Pubcomp,
            Subscribe => Holder::Subscribe,
            Unsubscribe => Holder::Unsubscribe,
            Disconnect => Holder::Disconnect,
            Auth => Holder::Auth,
            Will => Holder::Will,
        }
    }
}

/// mosquitto's name of a property: the specification's, in lower case with
/// dashes (`message-expiry-interval`).
pub fn property_name(id: PropertyId) -> String {
    id.name().to_ascii_lowercase().replace(' ', "-")
}

fn property_by_name(word: &str) -> Option<PropertyId> {
    let word = word.to_ascii_lowercase();
    PropertyId::ALL
        .iter()
        .copied()
        .find(|id| property_name(*id) == word)
}

/// libmosquitto's number for a value type (`MQTT_PROP_TYPE_*`), which its
/// "Error adding property" line shows.
fn type_number(t: ValueType) -> u8 {
    match t {
        ValueType::Byte => 1,
        ValueType::TwoByte => 2,
        ValueType::FourByte => 3,
        ValueType::VarInt => 4,
        ValueType::Binary => 5,
        ValueType::Utf8 => 6,
        ValueType::Utf8Pair => 7,
    }
}

/// Why a `-D` (or the whole line's properties) was refused: exactly what
/// mosquitto writes before its usage hint (`\nUse '... --help' to see usage.`).
pub type Refusal = String;

/// Why a property given in words was refused, as data: the tools word it as
/// mosquitto does ([`PropertyError::mosquitto_text`]), a scenario names the
/// line and column and a front end says it in its language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PropertyError {
    /// Fewer words than the property needs (`-D publish user-property k`).
    MissingValue,
    /// The COMMAND word names no packet mosquitto knows (`-D suback ...`).
    UnknownCommand,
    /// No property has this name.
    UnknownName,
    /// The packet never carries this property (`publish session-expiry-interval`).
    NotAllowed(PropertyId),
    /// The packet may carry it, but the sender does not let it be given
    /// (Subscription Identifier on PUBLISH: the broker sets it; PUBACK...).
    NotSupported(PropertyId),
    /// Refused without a word (`-D connack ...`, client_props.c's `default:`).
    Silent,
    /// A number outside what the property's type holds.
    OutOfRange {
        /// The property.
        id: PropertyId,
        /// The number read.
        value: i64,
    },
    /// Not a number, where the property takes one (a scenario reads numbers
    /// strictly; the tools read them as `atol` does).
    NotANumber {
        /// The property.
        id: PropertyId,
        /// As written.
        word: String,
    },
    /// Binary data longer than 65,535 bytes.
    TooLong(PropertyId),
    /// A value the property cannot hold (a string longer than 65,535 bytes, a
    /// Variable Byte Integer over 268,435,455): libmosquitto's "Error adding
    /// property".
    DoesNotFit(PropertyId),
    /// A value the standard forbids (Payload Format Indicator 2, Topic Alias 0).
    ForbiddenValue(PropertyId),
    /// Given twice, where the packet carries it at most once.
    Duplicate(PropertyId),
}

impl PropertyError {
    /// What mosquitto 2.0.11 writes for this refusal of `-D CMDNAME PROPNAME
    /// ...` (the words as typed); `packet` names the packet in the messages of
    /// the check made once the whole line is read (`CONNECT`, `PUBLISH`, ...
    /// `Will`).
    pub fn mosquitto_text(&self, cmdname: &str, propname: &str, packet: &str) -> Refusal {
        match self {
            PropertyError::MissingValue => {
                "Error: --property argument given but not enough arguments specified.\n\n".into()
            }
            PropertyError::UnknownCommand => {
                "Error: Invalid command given in --property argument.\n\n".into()
            }
            PropertyError::UnknownName => {
                "Error: Invalid property name given in --property argument.\n\n".into()
            }
            PropertyError::NotAllowed(_) => format!(
                "Error: {propname} property not allowed for {cmdname} in --property argument.\n\n"
            ),
            PropertyError::NotSupported(_) => format!(
                "Error: {propname} property not supported for {cmdname} in --property argument.\n\n"
            ),
            PropertyError::Silent => String::new(),
            PropertyError::OutOfRange { value, .. } => {
                format!("Error: Property value ({value}) out of range for property {propname}.\n\n")
            }
            // Never from the tools: they read numbers as atol does.
            PropertyError::NotANumber { .. } => format!("Error: {self}.\n\n"),
            PropertyError::TooLong(_) => {
                format!("Error: Property value too long for property {propname}.\n\n")
            }
            PropertyError::DoesNotFit(id) => format!(
                "Error adding property {propname} {}\n",
                type_number(id.value_type())
            ),
            PropertyError::ForbiddenValue(_) => format!(
                "Error in {packet} properties: A network protocol error occurred when communicating with the broker.\n"
            ),
            PropertyError::Duplicate(_) => {
                format!("Error in {packet} properties: Duplicate property in property list\n")
            }
        }
    }
}

impl core::fmt::Display for PropertyError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let name = |id: &PropertyId| property_name(*id);
        match self {
            PropertyError::MissingValue => f.write_str("a property needs a value"),
            PropertyError::UnknownCommand => f.write_str("no packet has this name"),
            PropertyError::UnknownName => f.write_str("no property has this name"),
            PropertyError::NotAllowed(id) => {
                write!(f, "a PUBLISH never carries {}", name(id))
            }
            PropertyError::NotSupported(id) => write!(
                f,
                "{} is not given by the sender: the broker sets it",
                name(id)
            ),
            PropertyError::Silent => f.write_str("this packet's properties cannot be given"),
            PropertyError::OutOfRange { id, value } => write!(
                f,
                "{value} is out of range for {} (0 to {})",
                name(id),
                largest_value(*id)
            ),
            PropertyError::NotANumber { id, word } => {
                write!(f, "{} takes a number, not '{word}'", name(id))
            }
            PropertyError::TooLong(id) | PropertyError::DoesNotFit(id) => {
                write!(f, "the value is too long for {}", name(id))
            }
            PropertyError::ForbiddenValue(id) => match forbidden_rule(*id) {
                Forbidden::ZeroOrOne => write!(f, "{} is 0 or 1", name(id)),
                Forbidden::NotZero => write!(f, "{} cannot be 0", name(id)),
            },
            PropertyError::Duplicate(id) => {
                write!(f, "{} is given twice: a PUBLISH carries it once", name(id))
            }
        }
    }
}

/// Why a value is forbidden, by property: [`PropertyError::ForbiddenValue`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forbidden {
    /// A flag: 0 or 1 (Payload Format Indicator, Request Problem
    /// Information, Maximum QoS...).
    ZeroOrOne,
    /// A count or an alias: never 0 (Receive Maximum, Topic Alias, Maximum
    /// Packet Size).
    NotZero,
}

/// Which values `mosquitto_property_check_all` refuses for a property.
pub fn forbidden_rule(id: PropertyId) -> Forbidden {
    use PropertyId::*;
    match id {
        ReceiveMaximum | TopicAlias | MaximumPacketSize => Forbidden::NotZero,
        _ => Forbidden::ZeroOrOne,
    }
}

/// The largest number property `id` holds (0 for one that holds no number).
pub fn largest_value(id: PropertyId) -> i64 {
    match id.value_type() {
        ValueType::Byte => i64::from(u8::MAX),
        ValueType::TwoByte => i64::from(u16::MAX),
        ValueType::VarInt => 268_435_455,
        ValueType::FourByte => i64::from(u32::MAX),
        ValueType::Binary | ValueType::Utf8 | ValueType::Utf8Pair => 0,
    }
}

/// How a property's number is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Numbers {
    /// As `atol` reads it, as client_props.c does (`12abc` is 12, `abc` 0).
    Atol,
    /// Decimal digits and nothing else (a scenario: a typo is an error).
    Strict,
}

/// Reads one `-D`: `words` are those after `-D`. Adds the property to `props`
/// and returns how many words it used.
pub fn parse_property(words: &[String], props: &mut ToolProperties) -> Result<usize, Refusal> {
    let cmdname = words.first().map_or("", String::as_str);
    let propname = words.get(1).map_or("", String::as_str);
    let refuse = |e: PropertyError| e.mosquitto_text(cmdname, propname, "");
    if words.len() < 3 {
        return Err(refuse(PropertyError::MissingValue));
    }
    let cmd = Command::parse(cmdname).ok_or_else(|| refuse(PropertyError::UnknownCommand))?;
    let id = property_id(cmd, propname).map_err(refuse)?;
    let (key, value, used) = if id == PropertyId::UserProperty {
        if words.len() < 4 {
            return Err(refuse(PropertyError::MissingValue));
        }
        (Some(words[2].as_str()), words[3].as_str(), 4)
    } else {
        (None, words[2].as_str(), 3)
    };
    let p = property_value(cmd, id, key, value, Numbers::Atol).map_err(refuse)?;
    let list = match cmd {
        Command::Connect => &mut props.connect,
        Command::Publish => &mut props.publish,
        Command::Subscribe => &mut props.subscribe,
        Command::Unsubscribe => &mut props.unsubscribe,
        Command::Disconnect => &mut props.disconnect,
        Command::Will => &mut props.will,
        // property_value refused these already.
        Command::Auth
        | Command::Puback
        | Command::Pubrec
        | Command::Pubrel
        | Command::Pubcomp
        | Command::Connack => return Err(refuse(PropertyError::NotSupported(id))),
    };
    list.push(p);
    Ok(used)
}

/// One PUBLISH property as a scenario writes it (`with content-type
/// text/plain`, `with user-property unit=C`): the name as `-D publish` takes
/// it, the key of a User Property, the value; numbers read strictly. The same
/// reading as `mosquitto_pub -D publish NAME VALUE`, so both refuse the same
/// things.
pub fn publish_property(
    name: &str,
    key: Option<&str>,
    value: &str,
) -> Result<Property, PropertyError> {
    let id = property_id(Command::Publish, name)?;
    property_value(Command::Publish, id, key, value, Numbers::Strict)
}

/// The property names a PUBLISH may be given (`-D publish NAME`, a
/// scenario's `with NAME`), in the table's order.
pub fn publish_property_names() -> Vec<String> {
    PropertyId::ALL
        .iter()
        .copied()
        .filter(|id| supported(Command::Publish, *id))
        .map(property_name)
        .collect()
}

/// The property `propname` names, if `cmd`'s packet may carry it.
fn property_id(cmd: Command, propname: &str) -> Result<PropertyId, PropertyError> {
    let id = property_by_name(propname).ok_or(PropertyError::UnknownName)?;
    if properties::rule(cmd.holder(), id).is_none() {
        return Err(PropertyError::NotAllowed(id));
    }
    Ok(id)
}

/// Whether the tools let `id` be given for `cmd` (client_props.c's switch).
fn supported(cmd: Command, id: PropertyId) -> bool {
    properties::rule(cmd.holder(), id).is_some()
        && match cmd {
            Command::Publish => id != PropertyId::SubscriptionIdentifier,
            Command::Connect
            | Command::Subscribe
            | Command::Unsubscribe
            | Command::Disconnect
            | Command::Will => true,
            Command::Auth
            | Command::Puback
            | Command::Pubrec
            | Command::Pubrel
            | Command::Pubcomp
            | Command::Connack => false,
        }
}

/// The property `id` with `value` (and `key`, for a User Property), for `cmd`.
fn property_value(
    cmd: Command,
    id: PropertyId,
    key: Option<&str>,
    value: &str,
    numbers: Numbers,
) -> Result<Property, PropertyError> {
    if cmd == Command::Connack {
        return Err(PropertyError::Silent);
    }
    if !supported(cmd, id) {
        return Err(PropertyError::NotSupported(id));
    }
    let value = match id.value_type() {
        ValueType::Byte | ValueType::TwoByte | ValueType::FourByte | ValueType::VarInt => {
            let n = match numbers {
                // atol, as client_props.c reads them (`12abc` is 12).
                Numbers::Atol => super::cli::atoi(value),
                Numbers::Strict
                    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) =>
                {
                    value.parse::<i64>().unwrap_or(i64::MAX)
                }
                Numbers::Strict => {
                    return Err(PropertyError::NotANumber {
                        id,
                        word: value.to_owned(),
                    })
                }
            };
            let max = match id.value_type() {
                ValueType::Byte => i64::from(u8::MAX),
                ValueType::TwoByte => i64::from(u16::MAX),
                _ => i64::from(u32::MAX),
            };
            if !(0..=max).contains(&n) {
                return Err(PropertyError::OutOfRange { id, value: n });
            }
            if id.value_type() == ValueType::VarInt && n > 268_435_455 {
                return Err(PropertyError::DoesNotFit(id));
            }
            Value::Int(n as u32)
        }
        ValueType::Binary => {
            if value.len() > usize::from(u16::MAX) {
                return Err(PropertyError::TooLong(id));
            }
            Value::Bin(Bytes::copy_from_slice(value.as_bytes()))
        }
        ValueType::Utf8 => {
            if value.len() > usize::from(u16::MAX) {
                return Err(PropertyError::DoesNotFit(id));
            }
            Value::Str(value.to_owned())
        }
        ValueType::Utf8Pair => {
            let key = key.unwrap_or_default();
            if value.len() > usize::from(u16::MAX) || key.len() > usize::from(u16::MAX) {
                return Err(PropertyError::DoesNotFit(id));
            }
            Value::Pair(key.to_owned(), value.to_owned())
        }
    };
    make(id, value).ok_or(PropertyError::DoesNotFit(id))
}

enum Value {
    Int(u32),
    Str(String),
    Bin(Bytes),
    Pair(String, String),
}

fn make(id: PropertyId, v: Value) -> Option<Property> {
    use crate::codec::properties as p;
    use PropertyId::*;
    let int = |v: &Value| match v {
        Value::Int(n) => Some(*n),
        _ => None,
    };
    let s = |v: Value| match v {
        Value::Str(s) => Some(s),
        _ => None,
    };
    Some(match id {
        PayloadFormatIndicator => p::PayloadFormatIndicator(int(&v)? as u8).into(),
        MessageExpiryInterval => p::MessageExpiryInterval(int(&v)?).into(),
        ContentType => p::ContentType(s(v)?).into(),
        ResponseTopic => p::ResponseTopic(s(v)?).into(),
        CorrelationData => match v {
            Value::Bin(b) => p::CorrelationData(b).into(),
            _ => return None,
        },
        SubscriptionIdentifier => p::SubscriptionIdentifier(int(&v)?).into(),
        SessionExpiryInterval => p::SessionExpiryInterval(int(&v)?).into(),
        AssignedClientIdentifier => p::AssignedClientIdentifier(s(v)?).into(),
        ServerKeepAlive => p::ServerKeepAlive(int(&v)? as u16).into(),
        AuthenticationMethod => p::AuthenticationMethod(s(v)?).into(),
        AuthenticationData => match v {
            Value::Bin(b) => p::AuthenticationData(b).into(),
            _ => return None,
        },
        RequestProblemInformation => p::RequestProblemInformation(int(&v)? as u8).into(),
        WillDelayInterval => p::WillDelayInterval(int(&v)?).into(),
        RequestResponseInformation => p::RequestResponseInformation(int(&v)? as u8).into(),
        ResponseInformation => p::ResponseInformation(s(v)?).into(),
        ServerReference => p::ServerReference(s(v)?).into(),
        ReasonString => p::ReasonString(s(v)?).into(),
        ReceiveMaximum => p::ReceiveMaximum(int(&v)? as u16).into(),
        TopicAliasMaximum => p::TopicAliasMaximum(int(&v)? as u16).into(),
        TopicAlias => p::TopicAlias(int(&v)? as u16).into(),
        MaximumQos => p::MaximumQos(int(&v)? as u8).into(),
        RetainAvailable => p::RetainAvailable(int(&v)? as u8).into(),
        UserProperty => match v {
            Value::Pair(k, val) => p::UserProperty((k, val)).into(),
            _ => return None,
        },
        MaximumPacketSize => p::MaximumPacketSize(int(&v)?).into(),
        WildcardSubscriptionAvailable => p::WildcardSubscriptionAvailable(int(&v)? as u8).into(),
        SubscriptionIdentifierAvailable => {
            p::SubscriptionIdentifierAvailable(int(&v)? as u8).into()
        }
        SharedSubscriptionAvailable => p::SharedSubscriptionAvailable(int(&v)? as u8).into(),
    })
}

/// `-x VALUE`: the session expiry interval, `u32::MAX` for `∞` or -1.
pub fn parse_session_expiry(v: &str) -> Result<u32, Refusal> {
    if v == "∞" {
        return Ok(u32::MAX);
    }
    let n =
        strtol(v).ok_or_else(|| "Error: session-expiry-interval not a number.\n\n".to_owned())?;
    if n > i64::from(u32::MAX) || n < -1 {
        return Err("Error: session-expiry-interval out of range.\n\n".into());
    }
    Ok(if n == -1 { u32::MAX } else { n as u32 })
}

/// C's `strtol(v, &end, 0)` that must use every character: blanks, a sign,
/// then `0x` hexadecimal, `0` octal or decimal digits.
fn strtol(v: &str) -> Option<i64> {
    let t = v.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let (radix, digits) = if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        (16, h)
    } else if t.len() > 1 && t.starts_with('0') {
        (8, &t[1..])
    } else {
        (10, t)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let n = i64::from_str_radix(digits, radix).unwrap_or(i64::MAX);
    Some(if neg { -n } else { n })
}

/// `mosquitto_property_check_all` on one packet's `-D` properties: each at
/// most once unless it may repeat, and the values the standard forbids.
/// `packet` names it in the message (`CONNECT`, `PUBLISH`, ... `Will`).
pub fn check_all(packet: &str, holder: Holder, props: &[Property]) -> Result<(), Refusal> {
    check_properties(holder, props).map_err(|e| e.mosquitto_text("", "", packet))
}

/// [`check_all`] as data: the first property refused, and why.
pub fn check_properties(holder: Holder, props: &[Property]) -> Result<(), PropertyError> {
    for (i, p) in props.iter().enumerate() {
        let bad_value = match p {
            Property::PayloadFormatIndicator(v) => v.0 > 1,
            Property::RequestProblemInformation(v) => v.0 > 1,
            Property::RequestResponseInformation(v) => v.0 > 1,
            Property::MaximumQos(v) => v.0 > 1,
            Property::RetainAvailable(v) => v.0 > 1,
            Property::WildcardSubscriptionAvailable(v) => v.0 > 1,
            Property::SubscriptionIdentifierAvailable(v) => v.0 > 1,
            Property::SharedSubscriptionAvailable(v) => v.0 > 1,
            Property::ReceiveMaximum(v) => v.0 == 0,
            Property::TopicAlias(v) => v.0 == 0,
            Property::MaximumPacketSize(v) => v.0 == 0,
            _ => false,
        };
        if bad_value {
            return Err(PropertyError::ForbiddenValue(p.id()));
        }
        let once = properties::rule(holder, p.id()) != Some(properties::Multiplicity::Repeatable)
            && p.id() != PropertyId::UserProperty;
        if once && props[..i].iter().any(|q| q.id() == p.id()) {
            return Err(PropertyError::Duplicate(p.id()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(line: &str) -> Result<ToolProperties, Refusal> {
        let words: Vec<String> = line.split(' ').map(str::to_owned).collect();
        let mut p = ToolProperties::default();
        let n = parse_property(&words, &mut p)?;
        assert_eq!(n, words.len());
        Ok(p)
    }

    #[test]
    fn properties_are_read_as_mosquitto_reads_them() {
        let p = d("publish message-expiry-interval 12abc").unwrap();
        assert_eq!(
            p.publish,
            [Property::from(properties::MessageExpiryInterval(12))]
        );
        let p = d("PUBLISH User-Property k v").unwrap();
        assert_eq!(
            p.publish,
            [Property::from(properties::UserProperty((
                "k".into(),
                "v".into()
            )))]
        );
        assert_eq!(
            d("publish bogus 1").unwrap_err(),
            "Error: Invalid property name given in --property argument.\n\n"
        );
        assert_eq!(
            d("suback reason-string x").unwrap_err(),
            "Error: Invalid command given in --property argument.\n\n"
        );
        assert!(d("publish session-expiry-interval 5")
            .unwrap_err()
            .contains("not allowed for publish"));
        assert!(d("puback reason-string x")
            .unwrap_err()
            .contains("not supported for puback"));
        assert_eq!(d("connack user-property a b").unwrap_err(), "");
        assert!(d("publish payload-format-indicator -3")
            .unwrap_err()
            .contains("(-3) out of range"));
        assert_eq!(
            d("subscribe subscription-identifier 300000000").unwrap_err(),
            "Error adding property subscription-identifier 4\n"
        );
    }

    #[test]
    fn session_expiry_reads_like_strtol() {
        assert_eq!(parse_session_expiry("30"), Ok(30));
        assert_eq!(parse_session_expiry("0x10"), Ok(16));
        assert_eq!(parse_session_expiry("-1"), Ok(u32::MAX));
        assert_eq!(parse_session_expiry("∞"), Ok(u32::MAX));
        assert!(parse_session_expiry("abc")
            .unwrap_err()
            .contains("not a number"));
        assert!(parse_session_expiry("-2")
            .unwrap_err()
            .contains("out of range"));
        assert!(parse_session_expiry("4294967296")
            .unwrap_err()
            .contains("out of range"));
    }
}
