//! The words a scenario error talks about, as data: what a word should have been
//! ([`Expected`]), which list a word is not in ([`Vocabulary`]), what a device
//! line lacks ([`Incomplete`]) and the shape a value model takes ([`ModelForm`]).
//! English is each type's `Display`; a front end says them in its own language.

use core::fmt;

/// What a word of the line should have been.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    /// The word a line starts with.
    Statement,
    /// An action after `at T`.
    Action,
    /// A node's name.
    Node,
    /// The name of the node a line declares.
    NodeName,
    /// A node's name, or `packet` (after `expect`).
    NodeOrPacket,
    /// A broker's name.
    Broker,
    /// The name of the broker a line declares or links to.
    BrokerName,
    /// The client that stops reading (`fault stall`).
    StallingClient,
    /// A duration such as `5s`.
    Duration,
    /// A QoS: 0, 1 or 2.
    Qos,
    /// A broker's Maximum QoS: 0 or 1.
    BrokerQos,
    /// A number.
    Number,
    /// A whole number (`seed`).
    WholeNumber,
    /// How many times.
    Count,
    /// A TCP port.
    Port,
    /// A size in bytes.
    Bytes,
    /// A number of seconds.
    Seconds,
    /// A keep alive in seconds.
    KeepAlive,
    /// A number from 1 to 65535 (Receive Maximum).
    OneTo65535,
    /// A receive window in bytes (`fault stall ... window`).
    ReceiveWindow,
    /// A subscription identifier.
    SubscriptionId,
    /// A CONNACK return code, 1 to 5.
    ConnackCode,
    /// A temperature (a controller's setpoint).
    Temperature,
    /// A user name.
    UserName,
    /// A password.
    Password,
    /// A client identifier.
    ClientId,
    /// A payload.
    Payload,
    /// The will's payload.
    WillPayload,
    /// The responder's answer.
    ReplyPayload,
    /// A payload, or `none`.
    PayloadOrNone,
    /// A quoted line of output.
    QuotedLine,
    /// A quoted text of the broker's log.
    QuotedLogText,
    /// Correlation data.
    CorrelationData,
    /// A content type.
    ContentType,
    /// A value model such as `sine(20, 5, 600s)`.
    ValueModel,
    /// The rest of a value model written with spaces.
    ValueModelRest,
    /// A packet summary such as `"PUBACK m1"`.
    PacketSummary,
    /// A topic name.
    Topic,
    /// A topic filter.
    TopicFilter,
    /// An option of a device line.
    DeviceOption,
    /// An option of `link`.
    LinkOption,
    /// An option of `connect`.
    ConnectOption,
    /// An option of `broker`.
    BrokerOption,
    /// An ESP32 profile.
    Profile,
    /// A protocol version: 5, 311 or 31.
    ProtocolVersion,
    /// A percentage such as `1%`.
    Percentage,
    /// A rate such as `1mbit`.
    Rate,
    /// A packet type such as `PUBACK`.
    PacketType,
    /// What a fault does: drop, delay, duplicate, stall...
    Fault,
    /// An option of a fault.
    FaultOption,
    /// An option of `fault stall`.
    StallOption,
    /// Who an ACL rule is for.
    AclSubject,
    /// An MQTT 5.0 property a message carries.
    Property,
    /// `NAME=VALUE`.
    NameValue,
    /// A property a PUBLISH may be given (`with NAME VALUE`).
    PublishProperty,
    /// A property's value.
    PropertyValue,
    /// `on` or `off`.
    OnOff,
    /// What to expect of a node (receives, output, prints...).
    Expectation,
    /// A keyword, as written.
    Word(&'static str),
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Expected::*;
        let s = match self {
            Statement => "a statement",
            Action => "an action such as 'kill sensor1' or 'sub1: mosquitto_sub ...'",
            Node => "a node",
            NodeName => "a node name",
            NodeOrPacket => "a node name or 'packet'",
            Broker => "a broker",
            BrokerName => "a broker name",
            StallingClient => "the client that stops reading",
            Duration => "a duration such as 5s or 250ms",
            Qos => "a QoS (0, 1 or 2)",
            BrokerQos => "a QoS, 0 or 1",
            Number => "a number",
            WholeNumber => "a whole number",
            Count => "a count",
            Port => "a port number",
            Bytes => "a size in bytes",
            Seconds => "a number of seconds",
            KeepAlive => "a keep alive in seconds",
            OneTo65535 => "a number from 1 to 65535",
            ReceiveWindow => "a receive window in bytes",
            SubscriptionId => "a subscription identifier",
            ConnackCode => "a CONNACK code (1 to 5)",
            Temperature => "a temperature",
            UserName => "a user name",
            Password => "a password",
            ClientId => "a client id",
            Payload => "a payload",
            WillPayload => "the will's payload",
            ReplyPayload => "the answer's payload",
            PayloadOrNone => "a payload or 'none'",
            QuotedLine => "a quoted line",
            QuotedLogText => "a quoted log text",
            CorrelationData => "the correlation data",
            ContentType => "a content type",
            ValueModel => "a value model such as sine(20, 5, 600s)",
            ValueModelRest => "the rest of the value model",
            PacketSummary => "a packet summary such as \"PUBACK m1\"",
            Topic => "a topic",
            TopicFilter => "a topic filter",
            DeviceOption => "an option",
            LinkOption => "a link option",
            ConnectOption => "a connect option",
            BrokerOption => "a broker option",
            Profile => "a profile",
            ProtocolVersion => "a protocol version: 5, 311 or 31",
            Percentage => "a percentage such as 1%",
            Rate => "a rate such as 1mbit",
            PacketType => "a packet type such as PUBACK",
            Fault => "drop, delay, duplicate or stall",
            FaultOption => "to, from, by, for, after or times",
            StallOption => "window, for or after",
            AclSubject => "who the rule is for: user NAME, client ID or anyone",
            Property => "a property: user-property, response-topic, correlation-data, message-expiry, subscription-id or content-type",
            NameValue => "NAME=VALUE",
            PublishProperty => "a property such as content-type or user-property",
            PropertyValue => "the property's value",
            OnOff => "on or off",
            Expectation => "what to expect (receives, output, prints, refused, suback, connected, state, log, retained)",
            Word(w) => return write!(f, "'{w}'"),
        };
        f.write_str(s)
    }
}

/// A list of words a scenario word must be one of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vocabulary {
    /// `link` options.
    LinkOption,
    /// `connect` options.
    ConnectOption,
    /// `broker` options.
    BrokerOption,
    /// Fault options.
    FaultOption,
    /// `fault stall` options.
    StallOption,
    /// What a fault does.
    Fault,
    /// ESP32 profiles.
    Profile,
    /// Protocol versions.
    ProtocolVersion,
    /// Packet type names.
    PacketType,
    /// MQTT 5.0 properties an expectation can check.
    Property,
    /// Expectations.
    Expectation,
    /// An ACL rule's access.
    Access,
    /// Who an ACL rule is for.
    AclSubject,
}

impl fmt::Display for Vocabulary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Vocabulary::*;
        f.write_str(match self {
            LinkOption => "link option",
            ConnectOption => "connect option",
            BrokerOption => "broker option",
            FaultOption => "fault option",
            StallOption => "stall option",
            Fault => "fault",
            Profile => "profile",
            ProtocolVersion => "protocol version",
            PacketType => "packet type",
            Property => "property",
            Expectation => "expectation",
            Access => "access",
            AclSubject => "ACL subject",
        })
    }
}

/// What a device line lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Incomplete {
    /// A sensor without `topic` or `every`.
    Sensor,
    /// An actuator without `topic`.
    Actuator,
    /// A responder without `topic`.
    Responder,
    /// A controller without `input`, `output` or `setpoint`.
    Controller,
    /// An ESP32 without `profile`.
    Esp32Profile,
    /// An ESP32 sensor with only one of `topic` and `every`.
    Esp32Sensor,
}

impl fmt::Display for Incomplete {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Incomplete::*;
        f.write_str(match self {
            Sensor => "a sensor needs 'topic TOPIC' and 'every DURATION'",
            Actuator => "an actuator needs 'topic TOPIC'",
            Responder => "a responder needs 'topic FILTER reply PAYLOAD'",
            Controller => "a controller needs 'input TOPIC output TOPIC setpoint VALUE'",
            Esp32Profile => "an esp32 needs 'profile pubsubclient|pubsubclient-128|esp-idf'",
            Esp32Sensor => "an esp32 sensor needs both 'topic TOPIC' and 'every DURATION'",
        })
    }
}

/// The shape a sensor's value model must take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelForm {
    /// The arguments are not closed by `)`.
    Unclosed,
    /// `constant(VALUE)`.
    Constant,
    /// `walk(START, STEP)`.
    Walk,
    /// `sine(MEAN, AMPLITUDE, PERIOD)`.
    Sine,
    /// `steps(EVERY, V1, V2, ...)`.
    Steps,
    /// `count(START, STEP)`.
    Count,
    /// `heated(HEATER, START, AMBIENT, RATE)`.
    Heated,
    /// No model of that name.
    Unknown,
}

impl ModelForm {
    /// The form as written in a scenario (its words are the scenario language's).
    pub fn syntax(self) -> &'static str {
        use ModelForm::*;
        match self {
            Unclosed | Sine => "sine(MEAN, AMPLITUDE, PERIOD)",
            Constant => "constant(VALUE)",
            Walk => "walk(START, STEP)",
            Steps => "steps(EVERY, V1, V2, ...)",
            Count => "count(START, STEP)",
            Heated => "heated(HEATER, START, AMBIENT, RATE)",
            Unknown => "constant(V), walk(START,STEP), sine(MEAN,AMP,PERIOD), steps(EVERY,V1,V2,...), count(START,STEP), heated(HEATER,START,AMBIENT,RATE)",
        }
    }

    /// A model of this form, when an example helps.
    pub fn example(self) -> Option<&'static str> {
        match self {
            ModelForm::Unclosed | ModelForm::Sine => Some("sine(20, 5, 600s)"),
            ModelForm::Steps => Some("steps(60s,18,22)"),
            _ => None,
        }
    }
}

impl fmt::Display for ModelForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelForm::Unclosed => f.write_str("a value model's arguments end with ')'"),
            ModelForm::Unknown => write!(f, "unknown value model; use {}", self.syntax()),
            _ => write!(f, "write the value model as {}", self.syntax()),
        }?;
        match self.example() {
            Some(e) => write!(f, ", e.g. {e}"),
            None => Ok(()),
        }
    }
}

/// `a, b or c`.
pub(crate) fn or_list(words: &[&str], or: &str) -> String {
    match words {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} {or} {last}", init.join(", ")),
    }
}
