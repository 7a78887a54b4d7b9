//! Scenario errors: where (line and column, both from 1) and what, in words a
//! student can act on.

use core::fmt;

use crate::tools::props::PropertyError;

/// One error in a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    /// Line, from 1.
    pub line: usize,
    /// Column (in characters), from 1.
    pub column: usize,
    /// What is wrong, in core's English.
    pub message: String,
    /// The same as data, for the errors a student meets most (a front end says
    /// these in its own language); `None` for the others.
    pub problem: Option<Problem>,
}

/// What is wrong, as data: the common mistakes of a scenario.
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
    /// `with user-property WORD` where WORD is not `NAME=VALUE`.
    NotNameValue {
        /// As written.
        word: String,
    },
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

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::UnknownNode { name, suggestion } => {
                write!(f, "unknown node '{name}'")?;
                match suggestion {
                    Some(s) => write!(f, " (did you mean '{s}'?)"),
                    None => Ok(()),
                }
            }
            Problem::UnknownStatement {
                word,
                suggestion: Some(s),
                ..
            } => write!(f, "unknown statement '{word}' (did you mean '{s}'?)"),
            Problem::UnknownStatement { word, all, .. } => write!(
                f,
                "unknown statement '{word}'; a line starts with one of: {}",
                all.join(", ")
            ),
            Problem::UnknownAction {
                word,
                suggestion: Some(s),
                ..
            } => write!(f, "unknown action '{word}' (did you mean '{s}'?)"),
            Problem::UnknownAction { word, all, .. } => write!(
                f,
                "unknown action '{word}'; write 'NODE: COMMAND' or one of: {}",
                all.join(", ")
            ),
            Problem::NotADuration { word } => {
                write!(
                    f,
                    "'{word}' is not a duration (write e.g. 5s, 250ms, 1m30s)"
                )
            }
            Problem::NotAQos { word } => write!(f, "QoS must be 0, 1 or 2, not '{word}'"),
            Problem::UnknownProperty { word, suggestion } => {
                write!(f, "unknown property '{word}'")?;
                match suggestion {
                    Some(s) => write!(f, " (did you mean '{s}'?)"),
                    None => write!(f, "; a PUBLISH takes: {}", PUBLISH_PROPERTIES.join(", ")),
                }
            }
            Problem::Property(e) => write!(f, "{e}"),
            Problem::NotNameValue { word } => {
                write!(f, "'{word}' is not NAME=VALUE (write e.g. unit=C)")
            }
            Problem::PropertiesNeedV5 { node } => write!(
                f,
                "'{node}' speaks MQTT 3.1.1, which has no properties: give it 'version 5'"
            ),
            Problem::PropertiesWithoutReadings { node } => write!(
                f,
                "'with' puts properties on each reading, and '{node}' makes none: give it 'topic TOPIC every D'"
            ),
        }
    }
}

impl ScenarioError {
    /// An error at a position.
    pub fn new(line: usize, column: usize, message: impl Into<String>) -> Self {
        ScenarioError {
            line,
            column,
            message: message.into(),
            problem: None,
        }
    }

    /// An error at a position that is one of the typed [`Problem`]s.
    pub fn typed(line: usize, column: usize, problem: Problem) -> Self {
        ScenarioError {
            line,
            column,
            message: problem.to_string(),
            problem: Some(problem),
        }
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for ScenarioError {}

/// Every error found in a scenario (parsing goes on after an error, line by line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioErrors(pub Vec<ScenarioError>);

impl fmt::Display for ScenarioErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioErrors {}

/// The candidate closest to `word` by edit distance, if close enough to be a
/// likely typo.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = edit_distance(word, c);
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    let limit = (word.chars().count() / 3).max(1);
    best.filter(|(d, _)| *d <= limit).map(|(_, c)| c)
}

/// Levenshtein distance over characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        core::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_publish_properties_are_the_tools_own() {
        assert_eq!(
            crate::tools::props::publish_property_names(),
            PUBLISH_PROPERTIES
        );
    }

    #[test]
    fn suggestions_catch_typos_only() {
        assert_eq!(suggest("sensr1", ["sensor1", "sub1"]), Some("sensor1"));
        assert_eq!(suggest("xyz", ["sensor1", "sub1"]), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        let e = ScenarioError::new(4, 12, "unknown node 'sensr1' (did you mean 'sensor1'?)");
        assert_eq!(
            e.to_string(),
            "line 4, column 12: unknown node 'sensr1' (did you mean 'sensor1'?)"
        );
    }
}
