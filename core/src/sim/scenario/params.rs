//! Scenario variables: `param NAME V1 V2 ...` declares a variable and the values
//! a sweep tries, in order; `$NAME` anywhere else in the file stands for one of
//! them (the first, unless a sweep binds another).
//!
//! `$NAME` is replaced in the line's text before it is read, so a variable may
//! stand for any word: a link's loss (`loss $loss`), a QoS in a command line
//! (`mosquitto_pub -q $qos`), a duration. A `$` followed by a name no `param`
//! declares is left as written (`$SYS/#` stays a topic).

use std::borrow::Cow;

use super::errors::{Problem, ScenarioError};
use super::lexer::{lex_line, Tok};

/// A declared variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// Its name, without `$`.
    pub name: String,
    /// The values a sweep tries, in the order written.
    pub values: Vec<String>,
    /// Its line, from 1.
    pub line: usize,
}

/// A value for some of the variables, by name.
pub type Binding = [(String, String)];

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Whether `name` can be a variable's name: a letter or `_`, then letters,
/// digits and `_`.
pub fn valid_name(name: &str) -> bool {
    name.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(is_name_char)
}

/// Reads a `param` line's tokens (after the keyword): the name and its values.
pub(super) fn read_param(line_no: usize, raw: &str) -> Result<Option<Param>, ScenarioError> {
    let toks = lex_line(line_no, raw)?;
    let mut it = toks.iter();
    match it.next().map(|t| &t.tok) {
        Some(Tok::Word(w)) if w == "param" => {}
        _ => return Ok(None),
    }
    let end_col = raw.chars().count() + 1;
    let (name, col) = match it.next() {
        Some(t) => match &t.tok {
            Tok::Word(w) => (w.trim_start_matches('$').to_owned(), t.column),
            _ => {
                return Err(ScenarioError::new(
                    line_no,
                    t.column,
                    Problem::VariableNameMissing { at_end: false },
                ))
            }
        },
        None => {
            return Err(ScenarioError::new(
                line_no,
                end_col,
                Problem::VariableNameMissing { at_end: true },
            ))
        }
    };
    if !valid_name(&name) {
        return Err(ScenarioError::new(
            line_no,
            col,
            Problem::BadVariableName { name },
        ));
    }
    let mut values = Vec::new();
    for t in it {
        match &t.tok {
            Tok::Word(w) | Tok::Str(w) => values.push(w.clone()),
            _ => {
                return Err(ScenarioError::new(
                    line_no,
                    t.column,
                    Problem::BadVariableValue,
                ))
            }
        }
    }
    if values.is_empty() {
        return Err(ScenarioError::new(
            line_no,
            end_col,
            Problem::VariableWithoutValues { name },
        ));
    }
    Ok(Some(Param {
        name,
        values,
        line: line_no,
    }))
}

/// Every well-formed `param` line of `src`, in order (errors are reported by the
/// parser when it reaches the line).
pub fn declared(src: &str) -> Vec<Param> {
    let mut out: Vec<Param> = Vec::new();
    for (i, raw) in src.lines().enumerate() {
        if let Ok(Some(p)) = read_param(i + 1, raw) {
            if out.iter().all(|q| q.name != p.name) {
                out.push(p);
            }
        }
    }
    out
}

/// `line` with every `$NAME` of a declared variable replaced by its value.
pub fn substitute<'a>(line: &'a str, values: &Binding) -> Cow<'a, str> {
    if values.is_empty() || !line.contains('$') {
        return Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let len = after
            .find(|c: char| !is_name_char(c))
            .unwrap_or(after.len());
        match values.iter().find(|(n, _)| n == &after[..len]) {
            Some((_, v)) if len > 0 => {
                out.push_str(v);
                rest = &after[len..];
            }
            _ => {
                out.push('$');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// The value each declared variable takes: the binding's, else its first.
pub fn resolve(params: &[Param], binding: &Binding) -> Vec<(String, String)> {
    params
        .iter()
        .map(|p| {
            let v = binding
                .iter()
                .find(|(n, _)| *n == p.name)
                .map_or_else(|| p.values[0].clone(), |(_, v)| v.clone());
            (p.name.clone(), v)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn substitutes_declared_names_only() {
        let v = b(&[("qos", "2"), ("loss", "5%")]);
        assert_eq!(
            substitute("sensor s -> b qos $qos loss $loss", &v),
            "sensor s -> b qos 2 loss 5%"
        );
        assert_eq!(substitute("-t '$SYS/#' -q $qos", &v), "-t '$SYS/#' -q 2");
        assert_eq!(substitute("$qos2 $ $", &v), "$qos2 $ $");
        assert_eq!(substitute("-q$qos,", &v), "-q2,");
    }

    #[test]
    fn declarations_and_their_errors() {
        let ps = declared("param qos 0 1 2\nbroker b\nparam loss 0% \"5%\"\nparam qos 9");
        assert_eq!(ps.len(), 2);
        assert_eq!(ps[0].values, ["0", "1", "2"]);
        assert_eq!(ps[1].values, ["0%", "5%"]);
        assert_eq!(
            read_param(4, "param 9x 1").unwrap_err().column,
            7,
            "a name starts with a letter"
        );
        let e = read_param(2, "param qos").unwrap_err();
        assert_eq!((e.line, e.column), (2, 10));
        assert_eq!(
            resolve(&ps, &b(&[("loss", "5%")])),
            b(&[("qos", "0"), ("loss", "5%")])
        );
    }
}
