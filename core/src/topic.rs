//! Topic names, topic filters and how a filter matches a name (MQTT 3.1.1 §4.7).
//!
//! A *topic name* is what a PUBLISH carries (`casa/terreo/temperatura`); a *topic
//! filter* is what a SUBSCRIBE asks for and may hold the wildcards `+` (exactly one
//! level) and `#` (this level and every level below it, last in the filter).
//!
//! ```
//! use mqttlab_core::topic::{TopicFilter, TopicName};
//!
//! let filter = TopicFilter::new("casa/+/temperatura").unwrap();
//! assert!(filter.matches(&TopicName::new("casa/terreo/temperatura").unwrap()));
//! assert!(!filter.matches(&TopicName::new("casa/terreo/umidade").unwrap()));
//! ```

use core::fmt;

/// The longest topic a UTF-8 string field can carry: its length prefix is 16 bits.
pub const MAX_TOPIC_LEN: usize = 65_535;

/// Why a string is not a valid topic name or filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicError {
    /// What is wrong.
    pub kind: TopicErrorKind,
    /// Byte offset in the topic string where the problem is.
    pub offset: usize,
}

/// The rules of §4.7 that a topic can break.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopicErrorKind {
    /// The topic is the empty string.
    Empty,
    /// The topic is longer than 65,535 bytes.
    TooLong,
    /// The topic holds U+0000.
    NullCharacter,
    /// A topic name (not a filter) holds `+` or `#`.
    WildcardInName,
    /// `#` is not alone in the last level (`a/#/b`, `a#`).
    MultiLevelNotLast,
    /// `+` does not fill its whole level (`a+`, `+b/c`).
    SingleLevelNotAlone,
}

impl TopicErrorKind {
    /// The normative statement of MQTT 3.1.1 that the topic breaks.
    pub fn rule(self) -> &'static str {
        match self {
            Self::Empty => "MQTT-4.7.3-1",
            Self::TooLong => "MQTT-4.7.3-3",
            Self::NullCharacter => "MQTT-4.7.3-2",
            Self::WildcardInName => "MQTT-3.3.2-2",
            Self::MultiLevelNotLast => "MQTT-4.7.1-2",
            Self::SingleLevelNotAlone => "MQTT-4.7.1-3",
        }
    }

    /// What the rule says, in a sentence.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Empty => "a topic must be at least one character long",
            Self::TooLong => "a topic must not be longer than 65535 bytes",
            Self::NullCharacter => "a topic must not contain the null character U+0000",
            Self::WildcardInName => {
                "a topic name in a PUBLISH must not contain the wildcards '+' or '#'"
            }
            Self::MultiLevelNotLast => {
                "the multi-level wildcard '#' must be alone in the last level of a filter"
            }
            Self::SingleLevelNotAlone => {
                "the single-level wildcard '+' must fill a whole level of a filter"
            }
        }
    }
}

impl fmt::Display for TopicError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (at byte {}, {})",
            self.kind.describe(),
            self.offset,
            self.kind.rule()
        )
    }
}

impl std::error::Error for TopicError {}

fn check_common(s: &str) -> Result<(), TopicError> {
    if s.is_empty() {
        return Err(TopicError {
            kind: TopicErrorKind::Empty,
            offset: 0,
        });
    }
    if s.len() > MAX_TOPIC_LEN {
        return Err(TopicError {
            kind: TopicErrorKind::TooLong,
            offset: MAX_TOPIC_LEN,
        });
    }
    if let Some(offset) = s.find('\0') {
        return Err(TopicError {
            kind: TopicErrorKind::NullCharacter,
            offset,
        });
    }
    Ok(())
}

/// Checks a topic name as a PUBLISH carries it.
pub fn validate_name(s: &str) -> Result<(), TopicError> {
    check_common(s)?;
    if let Some(offset) = s.find(['+', '#']) {
        return Err(TopicError {
            kind: TopicErrorKind::WildcardInName,
            offset,
        });
    }
    Ok(())
}

/// Checks a topic filter as a SUBSCRIBE or UNSUBSCRIBE carries it.
pub fn validate_filter(s: &str) -> Result<(), TopicError> {
    check_common(s)?;
    let mut offset = 0;
    let mut levels = s.split('/').peekable();
    while let Some(level) = levels.next() {
        let last = levels.peek().is_none();
        if let Some(i) = level.find('#') {
            if level.len() != 1 || !last {
                return Err(TopicError {
                    kind: TopicErrorKind::MultiLevelNotLast,
                    offset: offset + i,
                });
            }
        }
        if let Some(i) = level.find('+') {
            if level.len() != 1 {
                return Err(TopicError {
                    kind: TopicErrorKind::SingleLevelNotAlone,
                    offset: offset + i,
                });
            }
        }
        offset += level.len() + 1;
    }
    Ok(())
}

/// Whether `filter` matches `name`. Both are assumed valid (see [`validate_filter`]
/// and [`validate_name`]).
///
/// Filters that begin with a wildcard do not match names that begin with `$`
/// (MQTT-4.7.2-1), so `#` does not see `$SYS/broker/uptime`.
pub fn matches(filter: &str, name: &str) -> bool {
    if name.starts_with('$') && (filter.starts_with('+') || filter.starts_with('#')) {
        return false;
    }
    let mut f = filter.split('/');
    let mut n = name.split('/');
    loop {
        match (f.next(), n.next()) {
            // `sport/#` matches `sport` as well as everything below it.
            (Some("#"), _) => return true,
            (Some("+"), Some(_)) => {}
            (Some(fl), Some(nl)) if fl == nl => {}
            (None, None) => return true,
            _ => return false,
        }
    }
}

/// A validated topic name: no wildcards, no U+0000, 1 to 65,535 bytes.
///
/// Shared, not copied, when cloned: a broker clones a message's topic for
/// every subscriber it goes to (the copy it keeps in flight, the PUBLISH it
/// encodes), which as a `String` was an allocation and a copy each.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TopicName(std::sync::Arc<str>);

impl TopicName {
    /// Validates `s` as a topic name.
    pub fn new(s: impl Into<String>) -> Result<Self, TopicError> {
        let s = s.into();
        validate_name(&s)?;
        Ok(Self(s.into()))
    }

    /// The topic as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TopicName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A validated topic filter: wildcards only where §4.7.1 allows them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TopicFilter(String);

impl TopicFilter {
    /// Validates `s` as a topic filter.
    pub fn new(s: impl Into<String>) -> Result<Self, TopicError> {
        let s = s.into();
        validate_filter(&s)?;
        Ok(Self(s))
    }

    /// The filter as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this filter matches the topic name.
    pub fn matches(&self, name: &TopicName) -> bool {
        matches(&self.0, &name.0)
    }

    /// Whether the filter holds a wildcard.
    pub fn has_wildcards(&self) -> bool {
        self.0.contains(['+', '#'])
    }
}

impl fmt::Display for TopicFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(filter: &str, name: &str) -> bool {
        validate_filter(filter).unwrap();
        validate_name(name).unwrap();
        matches(filter, name)
    }

    #[test]
    fn course_text_wildcards_over_the_house() {
        // The course text's house: two floors, temperature and humidity on each.
        assert!(m("/casa/#", "/casa/terreo/temperatura"));
        assert!(m("/casa/#", "/casa/superior/umidade"));
        assert!(m("/casa/+/temperatura", "/casa/terreo/temperatura"));
        assert!(m("/casa/+/temperatura", "/casa/superior/temperatura"));
        assert!(!m("/casa/+/temperatura", "/casa/terreo/umidade"));
        assert!(!m("casa/+/temperatura", "/casa/terreo/temperatura"));
    }

    #[test]
    fn spec_examples_of_section_4_7() {
        // §4.7.1.2: "sport/tennis/player1/#" and its matches.
        assert!(m("sport/tennis/player1/#", "sport/tennis/player1"));
        assert!(m("sport/tennis/player1/#", "sport/tennis/player1/ranking"));
        assert!(m(
            "sport/tennis/player1/#",
            "sport/tennis/player1/score/wimbledon"
        ));
        assert!(m("sport/#", "sport"));
        // §4.7.1.3: "+" is exactly one level, and may be empty.
        assert!(m("sport/tennis/+", "sport/tennis/player1"));
        assert!(!m("sport/tennis/+", "sport/tennis/player1/ranking"));
        assert!(!m("sport/+", "sport"));
        assert!(m("sport/+", "sport/"));
        assert!(m("+/+", "/finance"));
        assert!(m("/+", "/finance"));
        assert!(!m("+", "/finance"));
        assert!(m("#", "a/b/c"));
        assert!(!m("a/b", "a/b/c"));
        assert!(!m("a/b/c", "a/b"));
    }

    #[test]
    fn dollar_topics_are_hidden_from_leading_wildcards() {
        assert!(!m("#", "$SYS/broker/uptime"));
        assert!(!m("+/broker/uptime", "$SYS/broker/uptime"));
        assert!(m("$SYS/#", "$SYS/broker/uptime"));
        assert!(m("$SYS/+/uptime", "$SYS/broker/uptime"));
    }

    #[test]
    fn malformed_filters_name_the_rule_and_offset() {
        let e = validate_filter("a/#/b").unwrap_err();
        assert_eq!(e.kind, TopicErrorKind::MultiLevelNotLast);
        assert_eq!(e.offset, 2);
        assert_eq!(e.kind.rule(), "MQTT-4.7.1-2");
        let e = validate_filter("a+").unwrap_err();
        assert_eq!(e.kind, TopicErrorKind::SingleLevelNotAlone);
        assert_eq!(e.offset, 1);
        let e = validate_filter("a/b#").unwrap_err();
        assert_eq!((e.kind, e.offset), (TopicErrorKind::MultiLevelNotLast, 3));
        assert_eq!(validate_filter("").unwrap_err().kind, TopicErrorKind::Empty);
        assert_eq!(
            validate_filter("a\0b").unwrap_err(),
            TopicError {
                kind: TopicErrorKind::NullCharacter,
                offset: 1
            }
        );
        assert!(validate_filter("+/+/#").is_ok());
        assert!(validate_filter("#").is_ok());
        assert!(validate_filter("/").is_ok());
    }

    #[test]
    fn names_reject_wildcards() {
        let e = validate_name("casa/+/temperatura").unwrap_err();
        assert_eq!((e.kind, e.offset), (TopicErrorKind::WildcardInName, 5));
        assert!(e.to_string().contains("MQTT-3.3.2-2"));
        assert!(validate_name("casa/terreo/temperatura").is_ok());
        assert!(TopicName::new("x".repeat(MAX_TOPIC_LEN + 1)).is_err());
    }
}
