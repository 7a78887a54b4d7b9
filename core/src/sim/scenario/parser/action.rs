//! What follows `at T`: a command line typed on a node (`sub1: mosquitto_sub ...`)
//! or an action (kill, halfopen, partition, heal, link, restart, stop, wifi-drop,
//! connect, disconnect, publish, subscribe, unsubscribe, fault).

use crate::client::cli::parse_command_line;
use crate::codec::QoS;
use crate::sim::scenario::ast::*;
use crate::sim::scenario::errors::{suggest, Problem};
use crate::sim::scenario::expected::{Expected, Vocabulary};
use crate::sim::scenario::lexer::{Tok, Token};
use crate::time::Instant;

use super::cursor::{Cur, R};
use super::fault::fault;
use super::options::{conn_opt, link_opt, LINK_OPTIONS};
use super::properties::with_property;
use super::ACTIONS;

/// The words a `connect` action takes.
const CONNECT_OPTIONS: &[&str] = &[
    "id",
    "keepalive",
    "persistent",
    "clean",
    "user",
    "will",
    "version",
    "session-expiry",
    "receive-maximum",
    "topic-alias-maximum",
    "reconnect",
];

/// A word that is none of `all`, with the closest if it is likely a typo.
pub(super) fn unknown(what: Vocabulary, word: &str, all: &[&'static str]) -> Problem {
    Problem::UnknownWord {
        what,
        word: word.to_owned(),
        suggestion: suggest(word, all.iter().copied()).map(str::to_owned),
        all: all.to_vec(),
    }
}

pub(super) fn timed(c: &mut Cur, at: Instant) -> R<ActionSpec> {
    if let Some(Token {
        tok: Tok::Command {
            node,
            text,
            text_column,
        },
        column,
    }) = c.toks.get(c.pos)
    {
        if let Err(error) = parse_command_line(text) {
            return c.fail(*text_column, Problem::BadCommand { error });
        }
        return Ok(ActionSpec::Command {
            node: NameRef {
                name: node.clone(),
                line: c.line,
                column: *column,
            },
            line: text.clone(),
        });
    }
    let (a, col) = c.word(Expected::Action)?;
    let spec = match a.as_str() {
        "kill" => ActionSpec::Kill(c.name(Expected::Node)?),
        "halfopen" => ActionSpec::HalfOpen(c.name(Expected::Node)?),
        "partition" => {
            let n = c.name(Expected::Node)?;
            let d = if c.eat("for") {
                Some(c.duration()?)
            } else {
                None
            };
            ActionSpec::Partition(n, d)
        }
        "heal" => ActionSpec::Heal(c.name(Expected::Node)?),
        "link" => {
            let n = c.name(Expected::Node)?;
            let mut change = LinkChange::default();
            while !c.at_end() {
                let (opt, oc) = c.word(Expected::LinkOption)?;
                if link_opt(c, &opt, &mut change)? {
                    continue;
                }
                return c.fail(oc, unknown(Vocabulary::LinkOption, &opt, LINK_OPTIONS));
            }
            if change.is_empty() {
                return c.fail(
                    c.end_col,
                    Problem::LinkChangesNothing {
                        node: n.name.clone(),
                    },
                );
            }
            ActionSpec::Link(n, change)
        }
        "restart" => ActionSpec::Restart(c.name(Expected::Broker)?),
        "stop" | "ctrl-c" => ActionSpec::Stop(c.name(Expected::Node)?),
        "wifi-drop" => {
            let n = c.name(Expected::Node)?;
            c.keyword("for")?;
            ActionSpec::WifiDrop(n, c.duration()?)
        }
        "connect" => {
            let n = c.name(Expected::Node)?;
            let mut conn = ConnSpec::default();
            let mut reconnect = None;
            while !c.at_end() {
                let (opt, oc) = c.word(Expected::ConnectOption)?;
                if conn_opt(c, &opt, &mut conn)? {
                    continue;
                }
                if opt == "reconnect" {
                    reconnect = Some(c.duration()?);
                    continue;
                }
                return c.fail(
                    oc,
                    unknown(Vocabulary::ConnectOption, &opt, CONNECT_OPTIONS),
                );
            }
            ActionSpec::Connect(n, conn, reconnect)
        }
        "disconnect" => ActionSpec::Disconnect(c.name(Expected::Node)?),
        "publish" => {
            let n = c.name(Expected::Node)?;
            let t = c.topic(false)?;
            let p = c.text(Expected::Payload)?;
            let mut qos = QoS::AtMostOnce;
            let mut retain = false;
            let mut properties = WithProperties::default();
            while !c.at_end() {
                let col = c.col();
                if c.eat("qos") {
                    qos = c.qos()?;
                } else if c.eat("retain") {
                    retain = true;
                } else if c.eat("with") {
                    with_property(c, col, &mut properties)?;
                } else {
                    return c.fail(
                        col,
                        Problem::NoneOf {
                            words: &["qos N", "retain", "with PROPERTY VALUE"],
                        },
                    );
                }
            }
            ActionSpec::Publish(PublishSpec {
                node: n,
                topic: t,
                payload: p,
                qos,
                retain,
                properties,
            })
        }
        "subscribe" => {
            let n = c.name(Expected::Node)?;
            let f = c.topic(true)?;
            let q = if c.eat("qos") {
                c.qos()?
            } else {
                QoS::AtMostOnce
            };
            ActionSpec::Subscribe(n, f, q)
        }
        "unsubscribe" => {
            let n = c.name(Expected::Node)?;
            ActionSpec::Unsubscribe(n, c.topic(true)?)
        }
        "fault" => {
            let label: String = c.toks[c.pos..]
                .iter()
                .map(|t| match &t.tok {
                    Tok::Word(w) => w.clone(),
                    Tok::Str(s) => format!("\"{s}\""),
                    _ => String::new(),
                })
                .collect::<Vec<_>>()
                .join(" ");
            return Ok(ActionSpec::Fault(fault(c, at, &format!("fault {label}"))?));
        }
        other => {
            return c.fail(
                col,
                Problem::UnknownAction {
                    word: other.to_owned(),
                    suggestion: suggest(other, ACTIONS.iter().copied()).map(str::to_owned),
                    all: ACTIONS,
                },
            );
        }
    };
    c.finish()?;
    Ok(spec)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{err, ok};
    use crate::codec::QoS;
    use crate::sim::scenario::ast::{ActionSpec, LinkChange};
    use crate::time::Instant;
    use core::time::Duration;

    const WORLD: &str = "broker b\nclient c -> b\n";

    fn action(line: &str) -> ActionSpec {
        let sc = ok(&format!("{WORLD}{line}"));
        sc.actions.into_iter().next().unwrap().action
    }

    #[test]
    fn a_command_line_on_a_node() {
        let sc = ok(&format!("{WORLD}at 2s c: mosquitto_sub -t \"a b\" -q 1"));
        assert_eq!(sc.actions[0].at, Instant::from_secs(2));
        assert_eq!(sc.actions[0].line, 3);
        assert!(matches!(&sc.actions[0].action,
            ActionSpec::Command { node, line } if node.name == "c" && node.column == 7 && line == "mosquitto_sub -t \"a b\" -q 1"));
    }

    #[test]
    fn a_bad_command_line_is_refused_where_the_command_starts() {
        let (line, col, _) = err(&format!("{WORLD}at 2s c: mosquitto_sub --nope"));
        assert_eq!((line, col), (3, 10));
    }

    #[test]
    fn every_action_word() {
        assert!(matches!(action("at 1s kill c"), ActionSpec::Kill(n) if n.name == "c"));
        assert!(matches!(
            action("at 1s halfopen c"),
            ActionSpec::HalfOpen(_)
        ));
        assert!(matches!(
            action("at 1s partition c for 10s"),
            ActionSpec::Partition(_, Some(d)) if d == Duration::from_secs(10)
        ));
        assert!(matches!(action("at 1s heal c"), ActionSpec::Heal(_)));
        assert_eq!(
            action("at 1s link c latency 300ms loss 10%"),
            ActionSpec::Link(
                crate::sim::scenario::ast::NameRef {
                    name: "c".into(),
                    line: 3,
                    column: 12
                },
                LinkChange {
                    latency: Some(Duration::from_millis(300)),
                    loss_ppm: Some(100_000),
                    ..LinkChange::default()
                }
            )
        );
        assert!(matches!(action("at 1s restart b"), ActionSpec::Restart(_)));
        assert!(matches!(action("at 1s ctrl-c c"), ActionSpec::Stop(_)));
        assert!(matches!(
            action("at 1s wifi-drop c for 5s"),
            ActionSpec::WifiDrop(_, d) if d == Duration::from_secs(5)
        ));
        assert!(matches!(
            action("at 1s connect c id x persistent reconnect 2s"),
            ActionSpec::Connect(_, conn, Some(_)) if conn.persistent && conn.id.as_deref() == Some("x")
        ));
        assert!(matches!(
            action("at 1s disconnect c"),
            ActionSpec::Disconnect(_)
        ));
        assert!(matches!(
            action("at 1s subscribe c a/# qos 2"),
            ActionSpec::Subscribe(_, f, QoS::ExactlyOnce) if f == "a/#"
        ));
        assert!(
            matches!(action("at 1s unsubscribe c a/#"), ActionSpec::Unsubscribe(_, f) if f == "a/#")
        );
        assert!(matches!(
            action("at 1s fault drop next PUBACK to c"),
            ActionSpec::Fault(f) if f.label == "drop next PUBACK to c" && f.start == Instant::from_secs(1)
        ));
    }

    #[test]
    fn action_errors() {
        assert_eq!(
            err(&format!("{WORLD}at 1s kil c")),
            (3, 7, "unknown action 'kil' (did you mean 'kill'?)".into())
        );
        assert_eq!(
            err(&format!("{WORLD}at 1s link c latncy 3ms")),
            (
                3,
                14,
                "unknown link option 'latncy' (did you mean 'latency'?)".into()
            )
        );
        let (line, col, msg) = err(&format!("{WORLD}at 1s link c"));
        assert_eq!((line, col), (3, 13));
        assert!(
            msg.starts_with("say what changes: link c latency 300ms loss 10%"),
            "{msg}"
        );
        assert_eq!(
            err(&format!("{WORLD}at 1s wifi-drop c 5s")),
            (3, 19, "expected 'for', found '5s'".into())
        );
        assert_eq!(
            err(&format!("{WORLD}at 1s publish c t x retian")),
            (
                3,
                21,
                "expected 'qos N', 'retain' or 'with PROPERTY VALUE'".into()
            )
        );
        let (_, col, msg) = err(&format!("{WORLD}at 1s connect c sticky"));
        assert_eq!(col, 17);
        assert!(msg.starts_with("unknown connect option 'sticky'"), "{msg}");
    }

    #[test]
    fn actions_need_the_right_kind_of_node() {
        assert_eq!(
            err(&format!("{WORLD}at 1s kill b")),
            (3, 12, "'b' is not a client-side node".into())
        );
        assert_eq!(
            err(&format!("{WORLD}at 1s restart c")),
            (3, 15, "'c' is not a broker".into())
        );
    }
}
