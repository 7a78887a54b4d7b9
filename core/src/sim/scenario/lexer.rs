//! Splits one scenario line into tokens, each with its column.
//!
//! Words run until whitespace; `"..."` is a string with `\"` and `\\` escapes;
//! `->` is an arrow. A `#` that starts a line, or that follows whitespace and is
//! followed by a space, starts a comment (so `casa/#` and `-t #` stay topics). In
//! `at 5s sub1: mosquitto_sub ...` everything after the colon is kept as raw text
//! for the command-line parser, which does its own quoting.

use super::errors::{Problem, ScenarioError};

/// What a token is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tok {
    /// A bare word.
    Word(String),
    /// A quoted string (quotes removed, escapes applied).
    Str(String),
    /// `->`
    Arrow,
    /// A word ending in `:` followed by the rest of the line, verbatim.
    Command {
        /// The word before the colon (a node name).
        node: String,
        /// The rest of the line, trimmed.
        text: String,
        /// The column where the text starts.
        text_column: usize,
    },
}

/// A token and where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The token.
    pub tok: Tok,
    /// Column, from 1.
    pub column: usize,
}

/// Tokenises one line (`line_no` is for errors).
pub fn lex_line(line_no: usize, line: &str) -> Result<Vec<Token>, ScenarioError> {
    let chars: Vec<char> = line.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let column = i + 1;
        let after_space = i == 0 || chars[i - 1].is_whitespace();
        if c == '#' && after_space && (out.is_empty() || chars.get(i + 1).is_none_or(|n| *n == ' '))
        {
            // `-t #` at the very end of a line is a topic, not a comment.
            let at_end = chars.get(i + 1).is_none();
            if out.is_empty() || !at_end {
                break;
            }
        }
        if c == '"' {
            let mut s = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => {
                        return Err(ScenarioError::new(line_no, column, Problem::UnclosedQuote))
                    }
                    Some('"') => {
                        i += 1;
                        break;
                    }
                    Some('\\') => {
                        match chars.get(i + 1) {
                            Some('n') => s.push('\n'),
                            Some(&e) => s.push(e),
                            None => {
                                return Err(ScenarioError::new(
                                    line_no,
                                    column,
                                    Problem::UnclosedQuote,
                                ))
                            }
                        }
                        i += 2;
                    }
                    Some(&ch) => {
                        s.push(ch);
                        i += 1;
                    }
                }
            }
            out.push(Token {
                tok: Tok::Str(s),
                column,
            });
            continue;
        }
        let start = i;
        while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '"' {
            i += 1;
        }
        let word: String = chars[start..i].iter().collect();
        if word == "->" {
            out.push(Token {
                tok: Tok::Arrow,
                column,
            });
        } else if let Some(node) = word.strip_suffix(':').filter(|n| !n.is_empty()) {
            let mut j = i;
            while j < chars.len() && chars[j].is_whitespace() {
                j += 1;
            }
            let text: String = chars[j..].iter().collect();
            out.push(Token {
                tok: Tok::Command {
                    node: node.to_owned(),
                    text: text.trim_end().to_owned(),
                    text_column: j + 1,
                },
                column,
            });
            break;
        } else {
            out.push(Token {
                tok: Tok::Word(word),
                column,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<Tok> {
        lex_line(1, line)
            .unwrap()
            .into_iter()
            .map(|t| t.tok)
            .collect()
    }

    #[test]
    fn words_strings_arrows_comments_and_commands() {
        assert_eq!(
            words(r#"client sub1 -> broker1 latency 5ms # a comment"#),
            [
                Tok::Word("client".into()),
                Tok::Word("sub1".into()),
                Tok::Arrow,
                Tok::Word("broker1".into()),
                Tok::Word("latency".into()),
                Tok::Word("5ms".into()),
            ]
        );
        assert!(words("# only a comment").is_empty());
        assert_eq!(words("subscribe s casa/#").len(), 3);
        assert_eq!(words("subscribe s #").len(), 3);
        assert_eq!(
            words(r#"expect s receives "a \"b\"""#)[3],
            Tok::Str("a \"b\"".into())
        );
        let t = lex_line(3, r#"at 5s pub1: mosquitto_pub -m "x # y" -t t"#).unwrap();
        assert_eq!(
            t[2].tok,
            Tok::Command {
                node: "pub1".into(),
                text: r#"mosquitto_pub -m "x # y" -t t"#.into(),
                text_column: 13
            }
        );
        let e = lex_line(7, r#"publish a t "oops"#).unwrap_err();
        assert_eq!((e.line, e.column), (7, 13));
    }
}
