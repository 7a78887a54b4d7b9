//! The cursor over one line's tokens, and the readers every statement shares:
//! words, keywords, names, durations, numbers, QoS, topics, the end of the line.

use core::time::Duration;

use crate::codec::QoS;
use crate::sim::scenario::ast::*;
use crate::sim::scenario::errors::{Problem, ScenarioError};
use crate::sim::scenario::expected::Expected;
use crate::sim::scenario::lexer::{Tok, Token};
use crate::sim::scenario::units::parse_duration;
use crate::time::Instant;

pub(super) struct Cur<'a> {
    pub(super) line: usize,
    pub(super) toks: &'a [Token],
    pub(super) pos: usize,
    /// Column just past the end of the line, for "missing ..." errors.
    pub(super) end_col: usize,
}

pub(super) type R<T> = Result<T, ScenarioError>;

impl<'a> Cur<'a> {
    pub(super) fn fail<T>(&self, column: usize, problem: Problem) -> R<T> {
        Err(ScenarioError::new(self.line, column, problem))
    }
    pub(super) fn col(&self) -> usize {
        self.toks.get(self.pos).map_or(self.end_col, |t| t.column)
    }
    pub(super) fn at_end(&self) -> bool {
        self.pos >= self.toks.len()
    }
    pub(super) fn peek_word(&self) -> Option<&'a str> {
        match self.toks.get(self.pos).map(|t| &t.tok) {
            Some(Tok::Word(w)) => Some(w.as_str()),
            _ => None,
        }
    }
    pub(super) fn eat(&mut self, kw: &str) -> bool {
        if self.peek_word() == Some(kw) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    /// "Expected WHAT" where the cursor is: at the next token, or past the end.
    fn missing<T>(&self, what: Expected) -> R<T> {
        match self.toks.get(self.pos) {
            Some(t) => self.fail(
                t.column,
                Problem::Missing {
                    what,
                    at_end: false,
                },
            ),
            None => self.fail(self.end_col, Problem::Missing { what, at_end: true }),
        }
    }
    pub(super) fn word(&mut self, what: Expected) -> R<(String, usize)> {
        match self.toks.get(self.pos) {
            Some(Token {
                tok: Tok::Word(w),
                column,
            }) => {
                self.pos += 1;
                Ok((w.clone(), *column))
            }
            _ => self.missing(what),
        }
    }
    pub(super) fn keyword(&mut self, kw: &'static str) -> R<()> {
        match self.word(Expected::Word(kw))? {
            (w, _) if w == kw => Ok(()),
            (w, c) => self.fail(
                c,
                Problem::WrongWord {
                    expected: kw,
                    found: w,
                },
            ),
        }
    }
    /// A quoted string, or a bare word.
    pub(super) fn text(&mut self, what: Expected) -> R<String> {
        match self.toks.get(self.pos) {
            Some(Token {
                tok: Tok::Str(s) | Tok::Word(s),
                ..
            }) => {
                self.pos += 1;
                Ok(s.clone())
            }
            _ => self.missing(what),
        }
    }
    pub(super) fn name(&mut self, what: Expected) -> R<NameRef> {
        let (name, column) = self.word(what)?;
        Ok(NameRef {
            name,
            line: self.line,
            column,
        })
    }
    pub(super) fn duration(&mut self) -> R<Duration> {
        let (w, c) = self.word(Expected::Duration)?;
        parse_duration(&w).map_or_else(
            || self.fail(c, Problem::NotADuration { word: w.clone() }),
            Ok,
        )
    }
    pub(super) fn time(&mut self) -> R<Instant> {
        Ok(Instant::ZERO + self.duration()?)
    }
    pub(super) fn number<T: core::str::FromStr>(&mut self, what: Expected) -> R<T> {
        let (w, c) = self.word(what)?;
        w.parse::<T>().or_else(|_| {
            self.fail(
                c,
                Problem::NotA {
                    word: w.clone(),
                    what,
                },
            )
        })
    }
    pub(super) fn float(&mut self, what: Expected) -> R<f64> {
        let (w, c) = self.word(what)?;
        match w.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => self.fail(c, Problem::NotA { word: w, what }),
        }
    }
    pub(super) fn qos(&mut self) -> R<QoS> {
        let (w, c) = self.word(Expected::Qos)?;
        w.parse::<u8>()
            .ok()
            .and_then(QoS::from_u8)
            .map_or_else(|| self.fail(c, Problem::NotAQos { word: w.clone() }), Ok)
    }
    pub(super) fn topic(&mut self, filter: bool) -> R<String> {
        let col = self.col();
        let t = self.text(if filter {
            Expected::TopicFilter
        } else {
            Expected::Topic
        })?;
        let check = if filter {
            crate::topic::validate_filter(&t)
        } else {
            crate::topic::validate_name(&t)
        };
        match check {
            Ok(()) => Ok(t),
            Err(error) => self.fail(col, Problem::BadTopic { topic: t, error }),
        }
    }
    pub(super) fn finish(&self) -> R<()> {
        match self.toks.get(self.pos) {
            None => Ok(()),
            Some(t) => {
                let token = match &t.tok {
                    Tok::Word(w) => format!("'{w}'"),
                    Tok::Str(s) => format!("\"{s}\""),
                    Tok::Arrow => "'->'".into(),
                    Tok::Command { node, .. } => format!("'{node}:'"),
                };
                self.fail(t.column, Problem::Unexpected { token })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{err, ok};
    use crate::codec::QoS;
    use crate::sim::scenario::ast::ActionSpec;

    #[test]
    fn durations_qos_and_topics_are_read_and_checked() {
        let sc = ok("broker b\nclient c -> b\nat 1m30s publish c a/b \"x y\" qos 2\n");
        let a = &sc.actions[0];
        assert_eq!(a.at, crate::time::Instant::from_secs(90));
        assert!(matches!(
            &a.action,
            ActionSpec::Publish(p)
                if p.node.name == "c" && p.topic == "a/b" && p.payload == "x y"
                    && p.qos == QoS::ExactlyOnce && !p.retain && p.properties.is_empty()
        ));
    }

    #[test]
    fn a_bad_duration_names_itself_and_its_column() {
        assert_eq!(
            err("at soon kill c"),
            (
                1,
                4,
                "'soon' is not a duration (write e.g. 5s, 250ms, 1m30s)".into()
            )
        );
    }

    #[test]
    fn a_missing_word_points_past_the_end_of_the_line() {
        assert_eq!(
            err("broker b\nclient c -> b\nat 1s kill"),
            (3, 11, "expected a node at the end of the line".into())
        );
    }

    #[test]
    fn qos_and_topic_errors() {
        assert_eq!(
            err("broker b\nclient c -> b\nat 1s publish c t x qos 3"),
            (3, 25, "QoS must be 0, 1 or 2, not '3'".into())
        );
        let (line, col, msg) = err("broker b\nclient c -> b\nat 1s publish c a/# x");
        assert_eq!((line, col), (3, 17));
        assert!(msg.starts_with("'a/#' is not a valid topic: "), "{msg}");
    }

    #[test]
    fn trailing_tokens_are_named() {
        assert_eq!(
            err("broker b\nclient c -> b\nat 1s kill c \"extra\""),
            (3, 14, "unexpected \"extra\"".into())
        );
    }
}
