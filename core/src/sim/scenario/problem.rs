//! What is wrong with a scenario line, as data. English is [`Problem`]'s
//! `Display`; a front end says each case in its own language from its fields
//! (the page's Portuguese is `web/src/i18n/scenario_text.rs`). Words quoted from
//! the scenario (a name, an option, a topic) are kept as written.

use core::fmt;

use crate::sim::id::WorldError;
use crate::tools::cli::CliError;
use crate::tools::props::PropertyError;
use crate::topic::TopicError;

use super::expected::or_list;
pub use super::expected::{Expected, Incomplete, ModelForm, Vocabulary};

/// What is wrong with a scenario line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A name no line declares, and the declared one it is likely a typo of.
    UnknownNode {
        /// As written.
        name: String,
        /// The closest declared name.
        suggestion: Option<String>,
    },
    /// A line starting with a word that is no statement.
    UnknownStatement {
        /// As written.
        word: String,
        /// The closest statement.
        suggestion: Option<String>,
        /// Every statement, when no suggestion is close.
        all: &'static [&'static str],
    },
    /// An action after `at T` that is none.
    UnknownAction {
        /// As written.
        word: String,
        /// The closest action.
        suggestion: Option<String>,
        /// Every action, when no suggestion is close.
        all: &'static [&'static str],
    },
    /// A word that is not one of a list (an option, a packet type...).
    UnknownWord {
        /// Which list.
        what: Vocabulary,
        /// As written.
        word: String,
        /// The closest word of the list.
        suggestion: Option<String>,
        /// The whole list, when no suggestion is close.
        all: Vec<&'static str>,
    },
    /// Not a duration.
    NotADuration {
        /// As written.
        word: String,
    },
    /// Not a QoS.
    NotAQos {
        /// As written.
        word: String,
    },
    /// `with NAME VALUE` naming no property a PUBLISH may be given.
    UnknownProperty {
        /// As written.
        word: String,
        /// The closest property name.
        suggestion: Option<String>,
    },
    /// `with NAME VALUE` refused by the reader `mosquitto_pub -D publish`
    /// uses: not on a PUBLISH, a bad number, a forbidden value, given twice...
    Property(PropertyError),
    /// `with` properties on a node that does not speak MQTT 5.0.
    PropertiesNeedV5 {
        /// The node.
        node: String,
    },
    /// `with` properties on an ESP32 that publishes no readings.
    PropertiesWithoutReadings {
        /// The node.
        node: String,
    },
    /// A word is missing.
    Missing {
        /// What should be there.
        what: Expected,
        /// Whether the line ended (else something else is there).
        at_end: bool,
    },
    /// A keyword was expected and another word is there.
    WrongWord {
        /// The keyword.
        expected: &'static str,
        /// As written.
        found: String,
    },
    /// None of the words that may come here.
    NoneOf {
        /// The words that may.
        words: &'static [&'static str],
    },
    /// A word is not what it should be (a number...).
    NotA {
        /// As written.
        word: String,
        /// What it should be.
        what: Expected,
    },
    /// A topic name or filter that breaks a rule of §4.7.
    BadTopic {
        /// As written.
        topic: String,
        /// The rule.
        error: TopicError,
    },
    /// Something after the end of a statement, as written (quoted).
    Unexpected {
        /// The token as written, with its quotes.
        token: String,
    },
    /// A line starts with something that is not a word.
    NoStatement,
    /// A string with no closing quote.
    UnclosedQuote,
    /// A sweep binds a variable the scenario does not declare.
    UndeclaredVariable {
        /// Its name.
        name: String,
    },
    /// A variable declared twice.
    VariableTwice {
        /// Its name.
        name: String,
    },
    /// `param` with no name (or something else than a name).
    VariableNameMissing {
        /// Whether the line ended there.
        at_end: bool,
    },
    /// A variable name that is not one.
    BadVariableName {
        /// As written.
        name: String,
    },
    /// A variable's value that is not a word or a string.
    BadVariableValue,
    /// A variable with no value.
    VariableWithoutValues {
        /// Its name.
        name: String,
    },
    /// A node declared twice.
    NodeTwice {
        /// Its name.
        name: String,
        /// The line of the first declaration.
        first_line: usize,
    },
    /// A node of the wrong kind for its place.
    WrongKind {
        /// Its name.
        name: String,
        /// Whether a broker was needed (else a client-side node).
        broker_needed: bool,
    },
    /// The world refused a node (a hand-made scenario).
    World {
        /// The node's name, when the error is about one.
        name: Option<String>,
        /// Why.
        error: WorldError,
    },
    /// A command line the tool would refuse.
    BadCommand {
        /// The tool's error (the tool's own words).
        error: CliError,
    },
    /// `at T link NODE` with no option.
    LinkChangesNothing {
        /// The node.
        node: String,
    },
    /// Receive Maximum 0.
    ReceiveMaximumZero,
    /// A broker's Maximum QoS of 2 or more.
    BrokerMaximumQos,
    /// mosquitto's `pattern` ACL rules.
    AclPattern,
    /// An ACL line without `topic`.
    AclTopicMissing {
        /// The line as it should read.
        example: String,
    },
    /// A publishing period under 1 ms.
    PeriodTooShort,
    /// More retransmissions than TCP makes.
    TooManyRetries {
        /// The most there are.
        max: u32,
    },
    /// Not a percentage.
    NotAPercentage {
        /// As written.
        word: String,
    },
    /// Not a rate.
    NotARate {
        /// As written.
        word: String,
    },
    /// An MQTT 5.0 option without `version 5`.
    NeedsVersion5 {
        /// The option.
        option: &'static str,
    },
    /// A device line without `->` and its broker.
    ArrowMissing {
        /// The statement (`client`, `sensor`...).
        statement: String,
        /// The node's name.
        name: String,
    },
    /// An option the device does not take.
    NotAnOptionOf {
        /// As written.
        option: String,
        /// The statement (`client`, `sensor`...).
        statement: String,
    },
    /// A device line without what it needs.
    Incomplete(Incomplete),
    /// A responder that is told to speak 3.1.1.
    ResponderNeedsV5,
    /// PubSubClient told to speak 5.0.
    PubSubClientV5,
    /// `fault delay` without `by`.
    DelayWithoutBy,
    /// A value model that is not one.
    BadValueModel(ModelForm),
    /// Not `NAME=VALUE` (a user property).
    NotNameValue {
        /// As written.
        word: String,
    },
    /// `a++b` in a list of nodes.
    EmptyNodeInList,
    /// Several nodes for an expectation about one.
    SeveralNodes {
        /// The expectation.
        verb: String,
    },
    /// `receives` with neither payload nor topic.
    ReceivesWhat,
    /// A hex word that is no MQTT 5.0 SUBACK reason code.
    NotASubackReason {
        /// As written.
        word: String,
    },
    /// A number that is no MQTT 3.1.1 SUBACK return code.
    NotASubackCode {
        /// As written.
        word: String,
    },
    /// `suback` with no code.
    SubackCodesMissing,
    /// A state that is neither on nor off.
    NotOnOff {
        /// As written.
        word: String,
    },
    /// A packet summary that does not start with a packet type.
    BadSummary {
        /// Its first word.
        first: String,
        /// The closest packet type.
        suggestion: Option<&'static str>,
        /// Every packet type.
        all: Vec<&'static str>,
    },
}

/// The property names `with` takes on a PUBLISH, as `mosquitto_pub -D
/// publish` names them (a unit test keeps it equal to the properties table).
pub const PUBLISH_PROPERTIES: &[&str] = &[
    "payload-format-indicator",
    "message-expiry-interval",
    "content-type",
    "response-topic",
    "correlation-data",
    "topic-alias",
    "user-property",
];

/// The MQTT 5.0 SUBACK reason codes, as `0x00 Granted QoS 0, ...`.
pub fn suback_v5_codes() -> String {
    use crate::codec::reason_codes::SubackReasonCode;
    SubackReasonCode::ALL
        .iter()
        .map(|r| format!("{:#04x} {r}", r.as_u8()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn quoted(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| format!("'{w}'")).collect()
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Problem::*;
        let mean = |s: &Option<String>| {
            s.as_ref()
                .map(|s| format!(" (did you mean '{s}'?)"))
                .unwrap_or_default()
        };
        match self {
            UnknownNode { name, suggestion } => {
                write!(f, "unknown node '{name}'{}", mean(suggestion))
            }
            UnknownStatement {
                word,
                suggestion: Some(s),
                ..
            } => write!(f, "unknown statement '{word}' (did you mean '{s}'?)"),
            UnknownStatement { word, all, .. } => write!(
                f,
                "unknown statement '{word}'; a line starts with one of: {}",
                all.join(", ")
            ),
            UnknownAction {
                word,
                suggestion: Some(s),
                ..
            } => write!(f, "unknown action '{word}' (did you mean '{s}'?)"),
            UnknownAction { word, all, .. } => write!(
                f,
                "unknown action '{word}'; write 'NODE: COMMAND' or one of: {}",
                all.join(", ")
            ),
            UnknownWord {
                what: Vocabulary::AclSubject,
                word,
                suggestion,
                ..
            } => write!(
                f,
                "an ACL rule is for 'user NAME', 'client ID' or 'anyone', not '{word}'{}",
                mean(suggestion)
            ),
            UnknownWord {
                what: Vocabulary::Access,
                word,
                suggestion,
                ..
            } => write!(
                f,
                "unknown access '{word}'{}; write read, write, readwrite or deny, then the topic",
                mean(suggestion)
            ),
            UnknownWord {
                what,
                word,
                suggestion: Some(s),
                ..
            } => write!(f, "unknown {what} '{word}' (did you mean '{s}'?)"),
            UnknownWord { what, word, all, .. } => {
                write!(f, "unknown {what} '{word}' ({})", all.join(", "))
            }
            NotADuration { word } => {
                write!(f, "'{word}' is not a duration (write e.g. 5s, 250ms, 1m30s)")
            }
            NotAQos { word } => write!(f, "QoS must be 0, 1 or 2, not '{word}'"),
            UnknownProperty { word, suggestion } => {
                write!(f, "unknown property '{word}'")?;
                match suggestion {
                    Some(s) => write!(f, " (did you mean '{s}'?)"),
                    None => write!(f, "; a PUBLISH takes: {}", PUBLISH_PROPERTIES.join(", ")),
                }
            }
            Property(e) => write!(f, "{e}"),
            PropertiesNeedV5 { node } => write!(
                f,
                "'{node}' speaks MQTT 3.1.1, which has no properties: give it 'version 5'"
            ),
            PropertiesWithoutReadings { node } => write!(
                f,
                "'with' puts properties on each reading, and '{node}' makes none: give it 'topic TOPIC every D'"
            ),
            Missing {
                what,
                at_end: false,
            } => write!(f, "expected {what} here"),
            Missing { what, at_end: true } => {
                write!(f, "expected {what} at the end of the line")
            }
            WrongWord { expected, found } => write!(f, "expected '{expected}', found '{found}'"),
            NoneOf { words } => write!(f, "expected {}", or_list_quoted(words, "or")),
            NotA { word, what } => write!(f, "'{word}' is not {what}"),
            BadTopic { topic, error } => write!(f, "'{topic}' is not a valid topic: {error}"),
            Unexpected { token } => write!(f, "unexpected {token}"),
            NoStatement => {
                f.write_str("a line starts with a statement such as 'broker', 'at' or 'expect'")
            }
            UnclosedQuote => f.write_str("this string has no closing quote"),
            UndeclaredVariable { name } => write!(
                f,
                "the scenario declares no variable '{name}' (param {name} ...)"
            ),
            VariableTwice { name } => write!(f, "'{name}' is declared twice"),
            VariableNameMissing { at_end: false } => {
                f.write_str("expected the variable's name here (param qos 0 1 2)")
            }
            VariableNameMissing { at_end: true } => {
                f.write_str("expected the variable's name and its values (param qos 0 1 2)")
            }
            BadVariableName { name } => write!(
                f,
                "'{name}' is not a variable name: a letter, then letters, digits or '_'"
            ),
            BadVariableValue => f.write_str("a variable's values are words or quoted strings"),
            VariableWithoutValues { name } => {
                write!(f, "'{name}' needs at least one value (param {name} 0 1 2)")
            }
            NodeTwice { name, first_line } => write!(
                f,
                "node '{name}' is declared twice (first on line {first_line})"
            ),
            WrongKind {
                name,
                broker_needed: true,
            } => write!(f, "'{name}' is not a broker"),
            WrongKind {
                name,
                broker_needed: false,
            } => write!(f, "'{name}' is not a client-side node"),
            World {
                name: Some(n),
                error,
            } => write!(f, "'{n}': {error}"),
            World { name: None, error } => write!(f, "{error}"),
            BadCommand { error } => f.write_str(&error.to_string().replace('\n', " ")),
            LinkChangesNothing { node } => write!(
                f,
                "say what changes: link {node} latency 300ms loss 10% (options: {})",
                super::parser::LINK_OPTIONS.join(", ")
            ),
            ReceiveMaximumZero => f.write_str(
                "Receive Maximum 0 is a protocol error (MQTT 5.0 §3.2.2.3.3): write 1 to 65535",
            ),
            BrokerMaximumQos => f.write_str(
                "a broker's Maximum QoS is 0 or 1 (2 is the default, unannounced)",
            ),
            AclPattern => f.write_str(
                "'pattern' rules (with %c and %u) are not supported; write 'topic' with the user or client named",
            ),
            AclTopicMissing { example } => {
                write!(f, "expected 'topic', as in mosquitto's acl_file: {example}")
            }
            PeriodTooShort => f.write_str("a period must be at least 1ms"),
            TooManyRetries { max } => {
                write!(f, "TCP gives up after at most {max} retransmissions")
            }
            NotAPercentage { word } => {
                write!(f, "'{word}' is not a percentage (write e.g. 1% or 0.5%)")
            }
            NotARate { word } => write!(
                f,
                "'{word}' is not a rate (write e.g. 56kbit, 1mbit or unlimited)"
            ),
            NeedsVersion5 { option } => {
                write!(f, "'{option}' is an MQTT 5.0 property: it needs 'version 5'")
            }
            ArrowMissing { statement, name } => write!(
                f,
                "expected '->' and a broker: {statement} {name} -> broker1"
            ),
            NotAnOptionOf { option, statement } => {
                write!(f, "'{option}' is not an option of {statement}")
            }
            Incomplete(what) => write!(f, "{what}"),
            ResponderNeedsV5 => f.write_str(
                "a responder answers on a request's Response Topic, which only MQTT 5.0 has: leave out 'version'",
            ),
            PubSubClientV5 => f.write_str(
                "PubSubClient speaks MQTT 3.1.1 only: 'version 5' needs profile esp-idf",
            ),
            DelayWithoutBy => f.write_str("a delay needs 'by DURATION'"),
            BadValueModel(form) => write!(f, "{form}"),
            NotNameValue { word } => write!(f, "'{word}' is not NAME=VALUE (write e.g. unit=C)"),
            EmptyNodeInList => f.write_str("a list of nodes is NAME+NAME, with no empty name"),
            SeveralNodes { verb } => write!(
                f,
                "only 'receives' counts for several nodes ('{verb}' is about one)"
            ),
            ReceivesWhat => {
                f.write_str("say what is received: a \"payload\", 'on TOPIC', or both")
            }
            NotASubackReason { word } => write!(
                f,
                "{word} is not an MQTT 5.0 SUBACK reason code ({})",
                suback_v5_codes()
            ),
            NotASubackCode { word } => write!(
                f,
                "a SUBACK return code is 0, 1, 2 or 128 (failure), not {word} (MQTT 5.0 reason codes are written in hex: 0x87)"
            ),
            SubackCodesMissing => f.write_str(
                "expected the SUBACK's return codes, one per filter: 0, 1, 2 or 128 (failure), or MQTT 5.0 reason codes in hex (0x00, 0x87...)",
            ),
            NotOnOff { word } => write!(f, "a state is 'on' or 'off', not '{word}'"),
            BadSummary {
                first,
                suggestion: Some(s),
                ..
            } => write!(
                f,
                "a packet summary starts with its type, as the diagram writes it: '{first}' is not one (did you mean '{s}'?)"
            ),
            BadSummary { first, all, .. } => write!(
                f,
                "a packet summary starts with its type, as the diagram writes it: '{first}' is not one (one of {})",
                all.join(", ")
            ),
        }
    }
}

/// `'a', 'b' or 'c'`.
pub fn or_list_quoted(words: &[&str], or: &str) -> String {
    let q = quoted(words);
    let refs: Vec<&str> = q.iter().map(String::as_str).collect();
    or_list(&refs, or)
}
