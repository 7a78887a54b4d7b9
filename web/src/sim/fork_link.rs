//! A fork as a link: the inputs of the run it branched from and the fork
//! itself, one line each, in words a student can read in the decoded URL:
//!
//! ```text
//! input 12250000 command monitor mosquitto_sub -t sensor1/status
//! fork 35600000 45000000
//! change instead
//! change control alpine1 disconnect
//! ```
//!
//! Times are microseconds of virtual time. The page that opens the link loads
//! the scenario (its own parameters), replays the inputs and forks again: the
//! simulation is deterministic, so the student who opens it sees the same two
//! runs.

use std::fmt;

use crate::session::Control;

use super::protocol::{Change, ForkSpec, LinkSettings};

/// A fork link's content.
#[derive(Debug, Clone, PartialEq)]
pub struct ForkLink {
    /// The original run's inputs, `(µs, change)`.
    pub inputs: Vec<(u64, Change)>,
    /// The fork.
    pub spec: ForkSpec,
}

/// Why a fork link could not be read: the line (from 1) and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForkLinkError {
    /// The line, from 1.
    pub line: usize,
    /// What was wrong.
    pub message: String,
}

impl fmt::Display for ForkLinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "fork link, line {}: {}", self.line, self.message)
    }
}

fn change_line(c: &Change) -> String {
    match c {
        Change::Command { node, line } => format!("command {node} {line}"),
        Change::Control { node, control } => format!("control {node} {}", control.word()),
        Change::SetLink { node, settings } => {
            format!("link {node} {} {}", settings.latency_ms, settings.loss_pct)
        }
        Change::Fault { line } => format!("fault {line}"),
        Change::RemoveFault { rule } => format!("remove-fault {rule}"),
        Change::AddClient { broker } => format!("add-client {broker}"),
        Change::Instead => "instead".into(),
    }
}

impl ForkLink {
    /// The link's text.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        for (at, c) in &self.inputs {
            s += &format!("input {at} {}\n", change_line(c));
        }
        s += &format!("fork {} {}\n", self.spec.at_us, self.spec.until_us);
        for c in &self.spec.changes {
            s += &format!("change {}\n", change_line(c));
        }
        s
    }

    /// Reads a link's text.
    pub fn parse(text: &str) -> Result<ForkLink, ForkLinkError> {
        let mut inputs = Vec::new();
        let mut spec: Option<ForkSpec> = None;
        for (i, raw) in text.lines().enumerate() {
            let err = |message: String| ForkLinkError {
                line: i + 1,
                message,
            };
            let line = raw.trim();
            if line.is_empty() {
                continue;
            }
            let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
            match word {
                "input" => {
                    let (at, rest) = rest.split_once(' ').unwrap_or((rest, ""));
                    let at = number(at).map_err(err)?;
                    inputs.push((at, parse_change(rest).map_err(err)?));
                }
                "fork" => {
                    let mut w = rest.split_whitespace();
                    let at_us = number(w.next().unwrap_or("")).map_err(err)?;
                    let until_us = number(w.next().unwrap_or("")).map_err(err)?;
                    spec = Some(ForkSpec {
                        at_us,
                        changes: Vec::new(),
                        until_us,
                    });
                }
                "change" => match spec.as_mut() {
                    Some(s) => s.changes.push(parse_change(rest).map_err(err)?),
                    None => return Err(err("a change before the 'fork' line".into())),
                },
                w => return Err(err(format!("'{w}' is not input, fork or change"))),
            }
        }
        let spec = spec.ok_or(ForkLinkError {
            line: text.lines().count().max(1),
            message: "there is no 'fork' line".into(),
        })?;
        Ok(ForkLink { inputs, spec })
    }
}

fn number<T: std::str::FromStr>(s: &str) -> Result<T, String> {
    s.parse().map_err(|_| format!("'{s}' is not a number"))
}

/// One change in a fork link's words (`control alpine1 disconnect`).
pub fn parse_change(text: &str) -> Result<Change, String> {
    let (word, rest) = text.split_once(' ').unwrap_or((text, ""));
    let (node, arg) = rest.split_once(' ').unwrap_or((rest, ""));
    let need_node = || {
        if node.is_empty() {
            Err(format!("'{word}' names no node"))
        } else {
            Ok(node.to_string())
        }
    };
    Ok(match word {
        "command" => Change::Command {
            node: need_node()?,
            line: arg.to_string(),
        },
        "control" => Change::Control {
            node: need_node()?,
            control: Control::from_word(arg.trim())
                .ok_or_else(|| format!("'{arg}' is not a control"))?,
        },
        "link" => {
            let mut w = arg.split_whitespace();
            Change::SetLink {
                node: need_node()?,
                settings: LinkSettings {
                    latency_ms: number(w.next().unwrap_or(""))?,
                    loss_pct: number(w.next().unwrap_or(""))?,
                },
            }
        }
        "fault" => Change::Fault {
            line: rest.to_string(),
        },
        "remove-fault" => Change::RemoveFault {
            rule: rest.to_string(),
        },
        "add-client" => Change::AddClient {
            broker: need_node()?,
        },
        "instead" => Change::Instead,
        w => return Err(format!("'{w}' is not a change")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fork_link_reads_back_what_it_wrote() {
        let link = ForkLink {
            inputs: vec![
                (
                    12_250_000,
                    Change::Command {
                        node: "monitor".into(),
                        line: "mosquitto_sub -t \"sensor1/status\" -v".into(),
                    },
                ),
                (
                    13_000_000,
                    Change::SetLink {
                        node: "monitor".into(),
                        settings: LinkSettings {
                            latency_ms: 20,
                            loss_pct: 12.5,
                        },
                    },
                ),
                (
                    14_000_000,
                    Change::Fault {
                        line: "drop next PUBACK to sensor1".into(),
                    },
                ),
                (
                    15_000_000,
                    Change::AddClient {
                        broker: "broker1".into(),
                    },
                ),
            ],
            spec: ForkSpec {
                at_us: 35_600_000,
                changes: vec![
                    Change::Instead,
                    Change::Control {
                        node: "alpine1".into(),
                        control: Control::Disconnect,
                    },
                    Change::RemoveFault {
                        rule: "drop next PUBACK to sensor1".into(),
                    },
                ],
                until_us: 45_000_000,
            },
        };
        let text = link.to_text();
        assert!(
            text.contains("change control alpine1 disconnect\n"),
            "{text}"
        );
        assert_eq!(ForkLink::parse(&text), Ok(link));
    }

    #[test]
    fn a_damaged_link_names_its_line() {
        let e = ForkLink::parse("fork 1 2\nchange control alpine1 explode").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("explode"), "{e}");
        assert_eq!(ForkLink::parse("input x command a b").unwrap_err().line, 1);
        assert!(ForkLink::parse("input 1 instead")
            .unwrap_err()
            .message
            .contains("no 'fork'"));
        assert_eq!(
            ForkLink::parse("change instead\nfork 1 2")
                .unwrap_err()
                .line,
            1
        );
    }
}
