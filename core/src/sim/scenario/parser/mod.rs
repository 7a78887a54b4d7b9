//! The scenario parser: one statement per line, checked as it goes, with node names
//! resolved once the whole file is read (so a node may be used before it is
//! declared). The grammar is documented in [`super`].

use crate::time::Instant;

use super::ast::*;
use super::errors::{suggest, Problem, ScenarioError, ScenarioErrors};
use super::expected::Expected;
use super::lexer::{lex_line, Tok};
use super::params::{self, Binding};
use action::timed;
use broker::{acl, broker};
use cursor::{Cur, R};
use device::device;
use expect::expect;
use fault::fault;
use resolve::resolve;

mod action;
mod broker;
mod cursor;
mod device;
mod expect;
mod fault;
mod model;
mod options;
mod properties;
mod resolve;

/// The words a statement starts with (also what the page's editor colours).
pub const STATEMENTS: &[&str] = &[
    "broker",
    "acl",
    "client",
    "sensor",
    "actuator",
    "controller",
    "responder",
    "esp32",
    "at",
    "fault",
    "expect",
    "run",
    "seed",
    "param",
];

pub use options::LINK_OPTIONS;

/// The actions an `at T` line can take (also what the page's editor colours).
pub const ACTIONS: &[&str] = &[
    "kill",
    "halfopen",
    "partition",
    "heal",
    "link",
    "restart",
    "stop",
    "wifi-drop",
    "connect",
    "disconnect",
    "publish",
    "subscribe",
    "unsubscribe",
    "fault",
];

/// Parses a scenario; on failure returns every error found, line by line. Its
/// variables (`param`) take their first value.
pub fn parse(src: &str) -> Result<Scenario, ScenarioErrors> {
    parse_with(src, &[])
}

/// Parses a scenario with some of its variables bound to other values than
/// their first (a sweep's cell); a name the scenario does not declare is an
/// error at line 1.
pub fn parse_with(src: &str, binding: &Binding) -> Result<Scenario, ScenarioErrors> {
    let mut sc = Scenario::default();
    let mut errors = Vec::new();
    let mut last_at = Instant::ZERO;
    let declared = params::declared(src);
    for (name, _) in binding {
        if declared.iter().all(|p| p.name != *name) {
            errors.push(ScenarioError::new(
                1,
                1,
                Problem::UndeclaredVariable { name: name.clone() },
            ));
        }
    }
    let values = params::resolve(&declared, binding);
    for (i, original) in src.lines().enumerate() {
        let line_no = i + 1;
        let is_param = original.trim_start().starts_with("param ") || original.trim() == "param";
        if is_param {
            match params::read_param(line_no, original) {
                Ok(Some(p)) if sc.params.iter().any(|q| q.name == p.name) => errors.push(
                    ScenarioError::new(line_no, 1, Problem::VariableTwice { name: p.name }),
                ),
                Ok(Some(p)) => sc.params.push(p),
                Ok(None) => {}
                Err(e) => errors.push(e),
            }
            continue;
        }
        let substituted = params::substitute(original, &values);
        let raw: &str = &substituted;
        let trimmed = raw.trim_start();
        if sc.title.is_none() && sc.nodes.is_empty() && trimmed.starts_with('#') {
            let t = trimmed.trim_start_matches('#').trim();
            if !t.is_empty() {
                sc.title = Some(t.to_owned());
            }
        }
        let toks = match lex_line(line_no, raw) {
            Ok(t) => t,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        if toks.is_empty() {
            continue;
        }
        let mut cur = Cur {
            line: line_no,
            toks: &toks,
            pos: 0,
            end_col: raw.chars().count() + 1,
        };
        if let Err(e) = statement(&mut cur, &mut sc, &mut last_at, raw) {
            errors.push(e);
        }
    }
    resolve(&sc, &mut errors);
    if errors.is_empty() {
        Ok(sc)
    } else {
        Err(ScenarioErrors(errors))
    }
}

fn statement(c: &mut Cur, sc: &mut Scenario, last_at: &mut Instant, raw: &str) -> R<()> {
    let (kw, col) = match c.toks.first().map(|t| &t.tok) {
        Some(Tok::Word(_)) => c.word(Expected::Statement)?,
        _ => return c.fail(c.col(), Problem::NoStatement),
    };
    match kw.as_str() {
        "broker" => broker(c, sc),
        "acl" => {
            let a = acl(c)?;
            sc.acls.push(a);
            Ok(())
        }
        "client" | "sensor" | "actuator" | "controller" | "responder" | "esp32" => {
            device(c, sc, &kw)
        }
        "at" => {
            let at = c.time()?;
            *last_at = at;
            let action = timed(c, at)?;
            sc.actions.push(TimedAction {
                at,
                line: c.line,
                action,
            });
            Ok(())
        }
        "fault" => {
            let f = fault(c, Instant::ZERO, raw.trim())?;
            sc.faults.push(f);
            Ok(())
        }
        "expect" => {
            let e = expect(c, *last_at, raw.trim())?;
            sc.expects.push(e);
            Ok(())
        }
        "run" => {
            sc.run = Some(c.duration()?);
            c.finish()
        }
        "seed" => {
            sc.seed = Some(c.number(Expected::WholeNumber)?);
            c.finish()
        }
        other => c.fail(
            col,
            Problem::UnknownStatement {
                word: other.to_owned(),
                suggestion: suggest(other, STATEMENTS.iter().copied()).map(str::to_owned),
                all: STATEMENTS,
            },
        ),
    }
}

/// Helpers for the parser's unit tests: a scenario that must parse, and the first
/// error of one that must not.
#[cfg(test)]
pub(super) mod testing {
    use super::super::ast::Scenario;

    /// Parses `src`, failing the test with every error if it does not parse.
    pub fn ok(src: &str) -> Scenario {
        super::parse(src).unwrap_or_else(|e| panic!("{src}\n{e}"))
    }

    /// The first error of `src` as (line, column, message).
    pub fn err(src: &str) -> (usize, usize, String) {
        match super::parse(src) {
            Ok(_) => panic!("parsed, but should not have:\n{src}"),
            Err(e) => {
                let first = &e.0[0];
                (first.line, first.column, first.problem.to_string())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{err, ok};
    use core::time::Duration;

    #[test]
    fn title_seed_run_and_comments() {
        let sc = ok("# The title\n\nbroker b # trailing comment\nseed 42\nrun 90s\n");
        assert_eq!(sc.title.as_deref(), Some("The title"));
        assert_eq!(sc.seed, Some(42));
        assert_eq!(sc.run, Some(Duration::from_secs(90)));
        assert_eq!(sc.nodes.len(), 1);
    }

    #[test]
    fn unknown_statement_suggests_the_nearest() {
        assert_eq!(
            err("broker b\nsensr s -> b"),
            (
                2,
                1,
                "unknown statement 'sensr' (did you mean 'sensor'?)".into()
            )
        );
        let (line, col, msg) = err("zzzzzz");
        assert_eq!((line, col), (1, 1));
        assert!(
            msg.starts_with("unknown statement 'zzzzzz'; a line starts with one of: broker, acl")
        );
    }

    #[test]
    fn a_line_must_start_with_a_word() {
        assert_eq!(
            err("\"quoted\""),
            (
                1,
                1,
                "a line starts with a statement such as 'broker', 'at' or 'expect'".into()
            )
        );
    }

    #[test]
    fn seed_and_run_take_one_value() {
        assert_eq!(err("seed x"), (1, 6, "'x' is not a whole number".into()));
        assert_eq!(err("run 5s 6s"), (1, 8, "unexpected '6s'".into()));
    }

    #[test]
    fn every_bad_line_is_reported() {
        let e = super::parse("brokr b\nbroker b\nseed x\n").unwrap_err();
        let lines: Vec<_> = e.0.iter().map(|e| e.line).collect();
        assert_eq!(lines, [1, 3]);
    }
}
