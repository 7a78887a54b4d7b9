//! `expect ...`: what a node receives, prints, is refused, is acknowledged; a
//! broker's log and retained messages; a packet on the wire; and the windows
//! (within, after, before, between, once, times) they hold in.

use crate::codec::reason_codes::SubackReasonCode;
use crate::codec::PacketType;
use crate::sim::scenario::ast::*;
use crate::sim::scenario::errors::{suggest, Problem};
use crate::sim::scenario::expected::{Expected, Vocabulary};
use crate::sim::scenario::lexer::Tok;
use crate::time::Instant;

use super::action::unknown;
use super::cursor::{Cur, R};

pub(super) fn window(c: &mut Cur, last_at: Instant, e: &mut Expect) -> R<bool> {
    if c.eat("within") {
        e.from = last_at;
        e.until = Some(last_at + c.duration()?);
    } else if c.eat("after") {
        e.from = c.time()?;
    } else if c.eat("before") {
        e.until = Some(c.time()?);
    } else if c.eat("between") {
        e.from = c.time()?;
        c.keyword("and")?;
        e.until = Some(c.time()?);
    } else if c.eat("once") {
        e.count = Count::Exactly(1);
    } else if c.eat("times") {
        e.count = Count::Exactly(c.number(Expected::Count)?);
    } else {
        return Ok(false);
    }
    Ok(true)
}

/// `with PROPERTY VALUE` after `receives`: an MQTT 5.0 property the message
/// carries.
fn property_match(c: &mut Cur) -> R<PropertyMatch> {
    let (w, wc) = c.word(Expected::Property)?;
    Ok(match w.as_str() {
        "user-property" => {
            let (kv, kc) = c.word(Expected::NameValue)?;
            match kv.split_once('=') {
                Some((k, v)) if !k.is_empty() => PropertyMatch::UserProperty(k.into(), v.into()),
                _ => return c.fail(kc, Problem::NotNameValue { word: kv }),
            }
        }
        "response-topic" => PropertyMatch::ResponseTopic(c.topic(false)?),
        "correlation-data" => PropertyMatch::CorrelationData(c.text(Expected::CorrelationData)?),
        "message-expiry" => PropertyMatch::MessageExpiry(c.number(Expected::Seconds)?),
        "subscription-id" => PropertyMatch::SubscriptionId(c.number(Expected::SubscriptionId)?),
        "content-type" => PropertyMatch::ContentType(c.text(Expected::ContentType)?),
        other => return c.fail(wc, unknown(Vocabulary::Property, other, PROPERTY_MATCHES)),
    })
}

/// A packet summary to expect starts with a packet type's name, as the diagram
/// labels do: `PUBACK m1`, `PUBLISH d1 q1 m1 topico`, `CONNECT`, `CONNECT c1 k60 ...`.
fn check_summary(summary: &str) -> Result<(), Problem> {
    let names: Vec<&str> = (1..=15u8)
        .filter_map(PacketType::from_nibble_v5)
        .map(PacketType::name)
        .collect();
    let first = summary.split(' ').next().unwrap_or("");
    if names.contains(&first) {
        return Ok(());
    }
    Err(Problem::BadSummary {
        first: first.to_owned(),
        suggestion: suggest(&first.to_ascii_uppercase(), names.iter().copied()),
        all: names,
    })
}

/// `NODE`, or `NODE+NODE+...` for what several nodes receive between them.
fn nodes(c: &mut Cur) -> R<(NameRef, Vec<NameRef>)> {
    let first = c.name(Expected::NodeOrPacket)?;
    let mut names = Vec::new();
    let mut column = first.column;
    for part in first.name.split('+') {
        if part.is_empty() {
            return c.fail(column, Problem::EmptyNodeInList);
        }
        names.push(NameRef {
            name: part.to_owned(),
            line: first.line,
            column,
        });
        column += part.chars().count() + 1;
    }
    let node = names.remove(0);
    Ok((node, names))
}

pub(super) fn expect(c: &mut Cur, last_at: Instant, text: &str) -> R<Expect> {
    let mut e = Expect {
        line: c.line,
        text: text.to_owned(),
        kind: ExpectKind::Connected(
            NameRef {
                name: String::new(),
                line: 0,
                column: 0,
            },
            true,
        ),
        from: Instant::ZERO,
        until: None,
        count: Count::AtLeastOnce,
    };
    if c.eat("packet") {
        let col = c.col();
        let summary = c.text(Expected::PacketSummary)?;
        if let Err(p) = check_summary(&summary) {
            return c.fail(col, p);
        }
        let mut from = None;
        let mut to = None;
        let mut bytes = None;
        while !c.at_end() {
            if c.eat("from") {
                from = Some(c.name(Expected::Node)?);
            } else if c.eat("to") {
                to = Some(c.name(Expected::Node)?);
            } else if c.eat("bytes") {
                bytes = Some(c.number(Expected::Bytes)?);
            } else if c.eat("never") {
                e.count = Count::Never;
            } else if !window(c, last_at, &mut e)? {
                return c.fail(
                    c.col(),
                    Problem::NoneOf {
                        words: &[
                            "from", "to", "bytes", "within", "after", "before", "between", "once",
                            "times", "never",
                        ],
                    },
                );
            }
        }
        e.kind = ExpectKind::Packet {
            summary,
            from,
            to,
            bytes,
        };
        return Ok(e);
    }
    let (node, others) = nodes(c)?;
    let (verb, vc) = c.word(Expected::Expectation)?;
    if let (Some(other), false) = (others.first(), verb == "receives" || verb == "never") {
        return c.fail(other.column - 1, Problem::SeveralNodes { verb });
    }
    e.kind = match verb.as_str() {
        "receives" | "never" => {
            if verb == "never" {
                c.keyword("receives")?;
                e.count = Count::Never;
            }
            let payload = match c.toks.get(c.pos).map(|t| &t.tok) {
                Some(Tok::Str(s)) => {
                    let s = s.clone();
                    c.pos += 1;
                    Some(s)
                }
                _ => None,
            };
            let mut topic = None;
            let mut with = Vec::new();
            while !c.at_end() {
                if c.eat("on") {
                    topic = Some(c.topic(false)?);
                } else if c.eat("with") {
                    with.push(property_match(c)?);
                } else if !window(c, last_at, &mut e)? {
                    return c.fail(
                        c.col(),
                        Problem::NoneOf {
                            words: &[
                                "on", "with", "within", "after", "before", "between", "once",
                                "times",
                            ],
                        },
                    );
                }
            }
            if payload.is_none() && topic.is_none() && e.count != Count::Never {
                return c.fail(c.end_col, Problem::ReceivesWhat);
            }
            ExpectKind::Receives {
                node,
                others,
                payload,
                topic,
                with,
            }
        }
        "output" => {
            let mut lines = Vec::new();
            while !c.at_end() {
                lines.push(c.text(Expected::QuotedLine)?);
            }
            ExpectKind::Output(node, lines)
        }
        "prints" => {
            let l = c.text(Expected::QuotedLine)?;
            while !c.at_end() {
                if !window(c, last_at, &mut e)? {
                    return c.fail(
                        c.col(),
                        Problem::NoneOf {
                            words: &["within", "after", "before", "between"],
                        },
                    );
                }
            }
            ExpectKind::Prints(node, l)
        }
        "refused" => ExpectKind::Refused(node, c.number(Expected::ConnackCode)?),
        "suback" => {
            let mut codes = Vec::new();
            while let Some(w) = c.peek_word() {
                let col = c.col();
                if let Some(hex) = w.strip_prefix("0x") {
                    match u8::from_str_radix(hex, 16).ok().filter(|_| hex.len() == 2) {
                        Some(n) if SubackReasonCode::from_u8(n).is_some() => codes.push(n),
                        _ => return c.fail(col, Problem::NotASubackReason { word: w.to_owned() }),
                    }
                    c.pos += 1;
                    continue;
                }
                match w.parse::<u8>() {
                    Ok(n @ (0 | 1 | 2 | 128)) => codes.push(n),
                    _ if w.chars().all(|ch| ch.is_ascii_digit()) => {
                        return c.fail(col, Problem::NotASubackCode { word: w.to_owned() })
                    }
                    _ => break,
                }
                c.pos += 1;
            }
            if codes.is_empty() {
                return c.fail(c.col(), Problem::SubackCodesMissing);
            }
            while !c.at_end() {
                if c.eat("never") {
                    e.count = Count::Never;
                } else if !window(c, last_at, &mut e)? {
                    return c.fail(
                        c.col(),
                        Problem::NoneOf {
                            words: &[
                                "within", "after", "before", "between", "once", "times", "never",
                            ],
                        },
                    );
                }
            }
            ExpectKind::Suback(node, codes)
        }
        "connected" => ExpectKind::Connected(node, true),
        "disconnected" => ExpectKind::Connected(node, false),
        "state" => {
            let (s, sc) = c.word(Expected::OnOff)?;
            match s.as_str() {
                "on" => ExpectKind::Switch(node, true),
                "off" => ExpectKind::Switch(node, false),
                _ => return c.fail(sc, Problem::NotOnOff { word: s }),
            }
        }
        "log" => {
            let l = c.text(Expected::QuotedLogText)?;
            while !c.at_end() {
                if !window(c, last_at, &mut e)? {
                    return c.fail(
                        c.col(),
                        Problem::NoneOf {
                            words: &["within", "after", "before", "between", "once", "times"],
                        },
                    );
                }
            }
            ExpectKind::Log(node, l)
        }
        "retained" => {
            let t = c.topic(false)?;
            let p = if c.eat("none") {
                None
            } else {
                Some(c.text(Expected::PayloadOrNone)?)
            };
            ExpectKind::Retained(node, t, p)
        }
        other => {
            const VERBS: &[&str] = &[
                "receives",
                "never",
                "output",
                "prints",
                "refused",
                "suback",
                "connected",
                "disconnected",
                "state",
                "log",
                "retained",
            ];
            return c.fail(vc, unknown(Vocabulary::Expectation, other, VERBS));
        }
    };
    c.finish()?;
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{err, ok};
    use crate::sim::scenario::ast::{Count, Expect, ExpectKind};
    use crate::time::Instant;

    const WORLD: &str = "broker b\nclient c -> b\n";

    fn expect(line: &str) -> Expect {
        ok(&format!("{WORLD}at 10s kill c\n{line}"))
            .expects
            .remove(0)
    }

    #[test]
    fn windows_are_read_against_the_last_at() {
        let e = expect("expect c receives \"x\" on t within 2s");
        assert_eq!(
            (e.from, e.until),
            (Instant::from_secs(10), Some(Instant::from_secs(12)))
        );
        let e = expect("expect c receives on t between 1s and 3s times 2");
        assert_eq!(
            (e.from, e.until),
            (Instant::from_secs(1), Some(Instant::from_secs(3)))
        );
        assert_eq!(e.count, Count::Exactly(2));
        let e = expect("expect c never receives on t after 4s");
        assert_eq!((e.from, e.count), (Instant::from_secs(4), Count::Never));
        assert!(
            matches!(e.kind, ExpectKind::Receives { payload: None, topic: Some(t), .. } if t == "t")
        );
        assert_eq!(e.text, "expect c never receives on t after 4s");
        assert_eq!(e.line, 4);
    }

    #[test]
    fn every_expectation_word() {
        assert!(
            matches!(expect("expect c output \"a\" \"b\"").kind, ExpectKind::Output(_, l) if l == ["a", "b"])
        );
        assert!(
            matches!(expect("expect c prints \"a\" before 3s").kind, ExpectKind::Prints(_, l) if l == "a")
        );
        assert!(matches!(
            expect("expect c refused 5").kind,
            ExpectKind::Refused(_, 5)
        ));
        assert!(
            matches!(expect("expect c suback 1 128 once").kind, ExpectKind::Suback(_, c) if c == [1, 128])
        );
        assert!(matches!(
            expect("expect c connected").kind,
            ExpectKind::Connected(_, true)
        ));
        assert!(matches!(
            expect("expect c disconnected").kind,
            ExpectKind::Connected(_, false)
        ));
        assert!(matches!(
            expect("expect c state on").kind,
            ExpectKind::Switch(_, true)
        ));
        assert!(
            matches!(expect("expect b log \"New client\" once").kind, ExpectKind::Log(_, l) if l == "New client")
        );
        assert!(
            matches!(expect("expect b retained t none").kind, ExpectKind::Retained(_, t, None) if t == "t")
        );
        let e = expect("expect packet \"PUBACK m1\" from b to c never");
        assert_eq!(e.count, Count::Never);
        assert!(
            matches!(e.kind, ExpectKind::Packet { summary, from: Some(f), to: Some(t), bytes: None }
            if summary == "PUBACK m1" && f.name == "b" && t.name == "c")
        );
    }

    #[test]
    fn expectation_errors() {
        assert_eq!(
            err(&format!("{WORLD}expect c recieves \"x\"")),
            (
                3,
                10,
                "unknown expectation 'recieves' (did you mean 'receives'?)".into()
            )
        );
        assert_eq!(
            err(&format!("{WORLD}expect c receives")),
            (
                3,
                18,
                "say what is received: a \"payload\", 'on TOPIC', or both".into()
            )
        );
        assert_eq!(
            err(&format!("{WORLD}expect c suback 3")),
            (
                3,
                17,
                "a SUBACK return code is 0, 1, 2 or 128 (failure), not 3 (MQTT 5.0 reason codes are written in hex: 0x87)".into()
            )
        );
        assert_eq!(
            err(&format!("{WORLD}expect c suback")),
            (
                3,
                16,
                "expected the SUBACK's return codes, one per filter: 0, 1, 2 or 128 (failure), or MQTT 5.0 reason codes in hex (0x00, 0x87...)"
                    .into()
            )
        );
        assert_eq!(
            err(&format!("{WORLD}expect c state maybe")),
            (3, 16, "a state is 'on' or 'off', not 'maybe'".into())
        );
        assert_eq!(
            err(&format!("{WORLD}expect packet \"PUBACK\" via b")),
            (
                3,
                24,
                "expected 'from', 'to', 'bytes', 'within', 'after', 'before', 'between', 'once', 'times' or 'never'"
                    .into()
            )
        );
        assert_eq!(
            err(&format!("{WORLD}expect c receives on t between 1s 3s")),
            (3, 35, "expected 'and', found '3s'".into())
        );
    }

    #[test]
    fn mqtt5_suback_codes_in_hex() {
        assert!(
            matches!(expect("expect c suback 0x01 0x87").kind, ExpectKind::Suback(_, c) if c == [0x01, 0x87])
        );
        // 3.1.1's decimal codes still read as before, next to hex ones.
        assert!(
            matches!(expect("expect c suback 1 0x80").kind, ExpectKind::Suback(_, c) if c == [1, 0x80])
        );
        let (line, column, msg) = err(&format!("{WORLD}expect c suback 0x05"));
        assert_eq!((line, column), (3, 17));
        assert!(
            msg.starts_with("0x05 is not an MQTT 5.0 SUBACK reason code (0x00 Granted QoS 0, "),
            "{msg}"
        );
        assert!(msg.contains("0x87 Not authorized"), "{msg}");
        assert!(err(&format!("{WORLD}expect c suback 0x8"))
            .2
            .starts_with("0x8 is not an MQTT 5.0 SUBACK reason code"));
    }

    #[test]
    fn several_nodes_receive_between_them() {
        let sc = ok("broker b\nclient w1 -> b\nclient w2 -> b\nclient w3 -> b\n\
                     expect w1+w2+w3 receives \"job\" on t times 20");
        let e = &sc.expects[0];
        assert_eq!(e.count, Count::Exactly(20));
        match &e.kind {
            ExpectKind::Receives { node, others, .. } => {
                assert_eq!(node.name, "w1");
                let names: Vec<_> = others.iter().map(|r| (r.name.as_str(), r.column)).collect();
                assert_eq!(names, [("w2", 11), ("w3", 14)]);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            err("broker b\nclient w1 -> b\nexpect w1+w9 receives on t"),
            (3, 11, "unknown node 'w9' (did you mean 'w1'?)".into())
        );
        assert_eq!(
            err("broker b\nclient w1 -> b\nexpect w1++w1 receives on t"),
            (
                3,
                11,
                "a list of nodes is NAME+NAME, with no empty name".into()
            )
        );
        assert_eq!(
            err("broker b\nclient w1 -> b\nclient w2 -> b\nexpect w1+w2 connected"),
            (
                4,
                10,
                "only 'receives' counts for several nodes ('connected' is about one)".into()
            )
        );
    }

    #[test]
    fn a_packet_of_so_many_bytes() {
        let e = expect("expect packet \"PUBLISH\" from c bytes 12 times 4");
        assert_eq!(e.count, Count::Exactly(4));
        assert!(
            matches!(e.kind, ExpectKind::Packet { summary, from: Some(f), to: None, bytes: Some(12) }
            if summary == "PUBLISH" && f.name == "c")
        );
        assert_eq!(
            err(&format!("{WORLD}expect packet \"PUBLISH\" bytes many")),
            (3, 31, "'many' is not a size in bytes".into())
        );
    }

    #[test]
    fn broker_expectations_need_a_broker() {
        assert_eq!(
            err(&format!("{WORLD}expect c log \"x\"")),
            (3, 8, "'c' is not a broker".into())
        );
    }
}
