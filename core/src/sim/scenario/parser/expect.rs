//! `expect ...`: what a node receives, prints, is refused, is acknowledged; a
//! broker's log and retained messages; a packet on the wire; and the windows
//! (within, after, before, between, once, times) they hold in.

use crate::codec::PacketType;
use crate::sim::scenario::ast::*;
use crate::sim::scenario::errors::suggest;
use crate::sim::scenario::lexer::Tok;
use crate::time::Instant;

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
        e.count = Count::Exactly(c.number("a count")?);
    } else {
        return Ok(false);
    }
    Ok(true)
}

/// `with PROPERTY VALUE` after `receives`: an MQTT 5.0 property the message
/// carries.
fn property_match(c: &mut Cur) -> R<PropertyMatch> {
    let (w, wc) = c.word("a property: user-property, response-topic, correlation-data, message-expiry, subscription-id or content-type")?;
    Ok(match w.as_str() {
        "user-property" => {
            let (kv, kc) = c.word("NAME=VALUE")?;
            match kv.split_once('=') {
                Some((k, v)) if !k.is_empty() => PropertyMatch::UserProperty(k.into(), v.into()),
                _ => {
                    return c.err(
                        kc,
                        format!("'{kv}' is not NAME=VALUE (write e.g. sala=101)"),
                    )
                }
            }
        }
        "response-topic" => PropertyMatch::ResponseTopic(c.topic(false)?),
        "correlation-data" => PropertyMatch::CorrelationData(c.text("the correlation data")?),
        "message-expiry" => PropertyMatch::MessageExpiry(c.number("a number of seconds")?),
        "subscription-id" => PropertyMatch::SubscriptionId(c.number("a subscription identifier")?),
        "content-type" => PropertyMatch::ContentType(c.text("a content type")?),
        other => {
            let hint = suggest(other, PROPERTY_MATCHES.iter().copied())
                .map(|s| format!(" (did you mean '{s}'?)"))
                .unwrap_or_default();
            return c.err(
                wc,
                format!(
                    "unknown property '{other}'{hint} ({})",
                    PROPERTY_MATCHES.join(", ")
                ),
            );
        }
    })
}

/// A packet summary to expect starts with a packet type's name, as the diagram
/// labels do: `PUBACK m1`, `PUBLISH d1 q1 m1 topico`, `CONNECT`, `CONNECT c1 k60 ...`.
fn check_summary(summary: &str) -> Result<(), String> {
    let names: Vec<&str> = (1..=15u8)
        .filter_map(PacketType::from_nibble_v5)
        .map(PacketType::name)
        .collect();
    let first = summary.split(' ').next().unwrap_or("");
    if names.contains(&first) {
        return Ok(());
    }
    let hint = suggest(&first.to_ascii_uppercase(), names.iter().copied())
        .map(|s| format!(" (did you mean '{s}'?)"))
        .unwrap_or_else(|| format!(" (one of {})", names.join(", ")));
    Err(format!(
        "a packet summary starts with its type, as the diagram writes it: '{first}' is not one{hint}"
    ))
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
        let summary = c.text("a packet summary such as \"PUBACK m1\"")?;
        if let Err(msg) = check_summary(&summary) {
            return c.err(col, msg);
        }
        let mut from = None;
        let mut to = None;
        while !c.at_end() {
            if c.eat("from") {
                from = Some(c.name("a node")?);
            } else if c.eat("to") {
                to = Some(c.name("a node")?);
            } else if c.eat("never") {
                e.count = Count::Never;
            } else if !window(c, last_at, &mut e)? {
                return c.err(
                    c.col(),
                    "expected from, to, within, after, before, between, once, times or never",
                );
            }
        }
        e.kind = ExpectKind::Packet { summary, from, to };
        return Ok(e);
    }
    let node = c.name("a node name or 'packet'")?;
    let (verb, vc) = c.word(
        "what to expect (receives, output, prints, refused, suback, connected, state, log, retained)",
    )?;
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
                    return c.err(
                        c.col(),
                        "expected on, with, within, after, before, between, once or times",
                    );
                }
            }
            if payload.is_none() && topic.is_none() && e.count != Count::Never {
                return c.err(
                    c.end_col,
                    "say what is received: a \"payload\", 'on TOPIC', or both",
                );
            }
            ExpectKind::Receives {
                node,
                payload,
                topic,
                with,
            }
        }
        "output" => {
            let mut lines = Vec::new();
            while !c.at_end() {
                lines.push(c.text("a quoted line")?);
            }
            ExpectKind::Output(node, lines)
        }
        "prints" => {
            let l = c.text("a quoted line")?;
            while !c.at_end() {
                if !window(c, last_at, &mut e)? {
                    return c.err(c.col(), "expected within, after, before or between");
                }
            }
            ExpectKind::Prints(node, l)
        }
        "refused" => ExpectKind::Refused(node, c.number("a CONNACK code (1 to 5)")?),
        "suback" => {
            let mut codes = Vec::new();
            while let Some(w) = c.peek_word() {
                let col = c.col();
                match w.parse::<u8>() {
                    Ok(n @ (0 | 1 | 2 | 128)) => codes.push(n),
                    _ if w.chars().all(|ch| ch.is_ascii_digit()) => {
                        return c.err(
                            col,
                            format!("a SUBACK return code is 0, 1, 2 or 128 (failure), not {w}"),
                        )
                    }
                    _ => break,
                }
                c.pos += 1;
            }
            if codes.is_empty() {
                return c.err(
                    c.col(),
                    "expected the SUBACK's return codes, one per filter: 0, 1, 2 or 128 (failure)",
                );
            }
            while !c.at_end() {
                if c.eat("never") {
                    e.count = Count::Never;
                } else if !window(c, last_at, &mut e)? {
                    return c.err(
                        c.col(),
                        "expected within, after, before, between, once, times or never",
                    );
                }
            }
            ExpectKind::Suback(node, codes)
        }
        "connected" => ExpectKind::Connected(node, true),
        "disconnected" => ExpectKind::Connected(node, false),
        "state" => {
            let (s, sc) = c.word("on or off")?;
            match s.as_str() {
                "on" => ExpectKind::Switch(node, true),
                "off" => ExpectKind::Switch(node, false),
                _ => return c.err(sc, "a state is 'on' or 'off'"),
            }
        }
        "log" => {
            let l = c.text("a quoted log text")?;
            while !c.at_end() {
                if !window(c, last_at, &mut e)? {
                    return c.err(
                        c.col(),
                        "expected within, after, before, between, once or times",
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
                Some(c.text("a payload or 'none'")?)
            };
            ExpectKind::Retained(node, t, p)
        }
        other => {
            let verbs = [
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
            return match suggest(other, verbs) {
                Some(s) => c.err(
                    vc,
                    format!("unknown expectation '{other}' (did you mean '{s}'?)"),
                ),
                None => c.err(
                    vc,
                    format!("unknown expectation '{other}' ({})", verbs.join(", ")),
                ),
            };
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
            matches!(e.kind, ExpectKind::Packet { summary, from: Some(f), to: Some(t) }
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
                "a SUBACK return code is 0, 1, 2 or 128 (failure), not 3".into()
            )
        );
        assert_eq!(
            err(&format!("{WORLD}expect c suback")),
            (
                3,
                16,
                "expected the SUBACK's return codes, one per filter: 0, 1, 2 or 128 (failure)"
                    .into()
            )
        );
        assert_eq!(
            err(&format!("{WORLD}expect c state maybe")),
            (3, 16, "a state is 'on' or 'off'".into())
        );
        assert_eq!(
            err(&format!("{WORLD}expect packet \"PUBACK\" via b")),
            (
                3,
                24,
                "expected from, to, within, after, before, between, once, times or never".into()
            )
        );
        assert_eq!(
            err(&format!("{WORLD}expect c receives on t between 1s 3s")),
            (3, 35, "expected 'and', found '3s'".into())
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
