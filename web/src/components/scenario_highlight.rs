//! Colours for the scenario editor: statement words, times, strings, commands
//! and comments, so a student sees at a glance what each part of a line is.
//! Display only; the parser in the core decides what a line means.

use mqttlab_core::sim::scenario::parser::{ACTIONS, STATEMENTS};
use mqttlab_core::sim::scenario::units::parse_duration;

/// What a piece of a line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    /// Spaces and words with no colour.
    Plain,
    /// The statement's first word (`broker`, `at`, `expect`...).
    Keyword,
    /// A time or duration (`5s`, `1m30s`).
    Time,
    /// A quoted string.
    Str,
    /// `NODE:` and the command line after it.
    Command,
    /// From `#` to the end of the line.
    Comment,
    /// `->`, and the words of a fault or an action after `at T`.
    Operator,
}

impl Span {
    /// The CSS class.
    pub fn class(self) -> &'static str {
        match self {
            Span::Plain => "",
            Span::Keyword => "kw",
            Span::Time => "time",
            Span::Str => "str",
            Span::Command => "cmd",
            Span::Comment => "comment",
            Span::Operator => "op",
        }
    }
}

/// Cuts `line` into coloured pieces that, joined, give the line back.
pub fn highlight(line: &str) -> Vec<(Span, String)> {
    let chars: Vec<char> = line.chars().collect();
    let mut out: Vec<(Span, String)> = Vec::new();
    let mut push = |span: Span, text: String| match out.last_mut() {
        Some((s, t)) if *s == span => t.push_str(&text),
        _ => out.push((span, text)),
    };
    let mut i = 0;
    let mut word_no = 0;
    let mut first = String::new();
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            push(Span::Plain, c.to_string());
            i += 1;
            continue;
        }
        let after_space = i == 0 || chars[i - 1].is_whitespace();
        // A comment, as the lexer sees one: `#` at the start or after a space,
        // followed by a space or the end (so `casa/#` stays a filter).
        if c == '#' && after_space && chars.get(i + 1).is_none_or(|n| n.is_whitespace()) {
            push(Span::Comment, chars[i..].iter().collect());
            break;
        }
        if c == '"' {
            let mut j = i + 1;
            while j < chars.len() && chars[j] != '"' {
                j += if chars[j] == '\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(chars.len());
            push(Span::Str, chars[i..end].iter().collect());
            i = end;
            word_no += 1;
            continue;
        }
        let mut j = i;
        while j < chars.len() && !chars[j].is_whitespace() {
            j += 1;
        }
        let word: String = chars[i..j].iter().collect();
        // `at 5s sub1: mosquitto_sub ...`: the rest of the line is a command.
        if first == "at" && word_no == 2 && word.ends_with(':') {
            push(Span::Command, chars[i..].iter().collect());
            break;
        }
        let span = if word_no == 0 {
            first = word.clone();
            if STATEMENTS.contains(&word.as_str()) {
                Span::Keyword
            } else {
                Span::Plain
            }
        } else if word == "->"
            || (first == "at" && word_no == 2 && ACTIONS.contains(&word.as_str()))
        {
            Span::Operator
        } else if word.starts_with(|c: char| c.is_ascii_digit())
            && word.ends_with(|c: char| c.is_ascii_alphabetic())
            && parse_duration(&word).is_some()
        {
            Span::Time
        } else {
            Span::Plain
        };
        push(span, word);
        i = j;
        word_no += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `line`'s coloured pieces (joined, they must give the line back).
    fn check(line: &str, want: &[(Span, &str)]) {
        let h = highlight(line);
        assert_eq!(h.iter().map(|(_, t)| t.as_str()).collect::<String>(), line);
        let got: Vec<(Span, &str)> = h
            .iter()
            .filter(|(s, _)| *s != Span::Plain)
            .map(|(s, t)| (*s, t.as_str()))
            .collect();
        assert_eq!(got, want, "{line}");
    }

    #[test]
    fn statements_times_strings_commands_and_comments() {
        check(
            "sensor t1 -> b topic casa/sala every 5s # a sensor",
            &[
                (Span::Keyword, "sensor"),
                (Span::Operator, "->"),
                (Span::Time, "5s"),
                (Span::Comment, "# a sensor"),
            ],
        );
        check(
            r#"at 12s sub1: mosquitto_sub -t "casa/#" -v"#,
            &[
                (Span::Keyword, "at"),
                (Span::Time, "12s"),
                (Span::Command, r#"sub1: mosquitto_sub -t "casa/#" -v"#),
            ],
        );
        check(
            r#"expect monitor receives "off-line \"x\"" within 2s"#,
            &[
                (Span::Keyword, "expect"),
                (Span::Str, r#""off-line \"x\"""#),
                (Span::Time, "2s"),
            ],
        );
        check(
            "at 15s kill sensor1",
            &[
                (Span::Keyword, "at"),
                (Span::Time, "15s"),
                (Span::Operator, "kill"),
            ],
        );
    }

    #[test]
    fn a_filter_ending_in_hash_is_not_a_comment_and_bad_text_is_kept() {
        check("expect s receives on casa/#", &[(Span::Keyword, "expect")]);
        check(
            r#"publish "unterminated"#,
            &[(Span::Str, r#""unterminated"#)],
        );
        check("   ", &[]);
        check(
            "# só um comentário",
            &[(Span::Comment, "# só um comentário")],
        );
    }
}
