//! Checking expectations against a finished run.

use crate::codec::Packet;
use crate::time::Instant;

use super::super::trace::{Fate, TraceEntry, TraceKind};
use super::super::world::World;
use super::ast::{Count, Expect, ExpectKind};

/// The outcome of one expectation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectResult {
    /// Its line in the scenario.
    pub line: usize,
    /// Its text.
    pub text: String,
    /// Whether it held.
    pub passed: bool,
    /// What was found.
    pub detail: String,
}

/// Whether a packet's one-line summary `label` is what `expect packet "PATTERN"`
/// asks for: the whole label (`PUBACK m1` is not `PUBACK m10`); a packet type's
/// name alone (`PUBACK`), any packet of that type; a pattern ending in ` ...`
/// (`CONNECT c1 k60 ...`), labels that start with what precedes it, up to a
/// space. An MQTT 5.0 label's reason-code name and property count may be left
/// out: `PUBACK m1 0x10` is `PUBACK m1 0x10 No matching subscribers`,
/// `CONNACK 0x00 sp1` is `CONNACK 0x00 Success sp1 [2 props]`, and
/// `CONNECT c1 k60 v5.0 v` is `CONNECT c1 k60 v5.0 v [1 prop]`.
pub fn summary_matches(pattern: &str, label: &str) -> bool {
    let mut forms = vec![label.to_owned()];
    if without_property_count(pattern).is_none() {
        if let Some(bare) = without_property_count(label) {
            forms.push(bare.to_owned());
        }
    }
    for i in 0..forms.len() {
        if let Some(f) = without_reason_name(&forms[i]) {
            forms.push(f);
        }
    }
    forms.iter().any(|f| matches_whole(pattern, f))
}

fn matches_whole(pattern: &str, label: &str) -> bool {
    if let Some(head) = pattern.strip_suffix(" ...") {
        return label
            .strip_prefix(head)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '));
    }
    if !pattern.contains(' ') {
        return label.split(' ').next() == Some(pattern);
    }
    label == pattern
}

/// A 5.0 label without its ` [N prop]`/` [N props]` mark, if it has one.
fn without_property_count(label: &str) -> Option<&str> {
    let (bare, mark) = label.rsplit_once(" [")?;
    let n = mark
        .strip_suffix(" props]")
        .or_else(|| mark.strip_suffix(" prop]"))?;
    (!n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())).then_some(bare)
}

/// A 5.0 label without the name after its reason code (`PUBACK m1 0x10 No
/// matching subscribers` to `PUBACK m1 0x10`), if it has one.
fn without_reason_name(label: &str) -> Option<String> {
    let first = label.split(' ').next()?;
    let t = (0..16u8)
        .filter_map(crate::codec::PacketType::from_nibble_v5)
        .find(|t| t.name() == first)?;
    let at = label.find(" 0x")? + 1;
    let token = label.get(at..at + 4)?;
    let code = u8::from_str_radix(token.get(2..)?, 16).ok()?;
    let name = crate::codec::reason_codes::reason_name(t, code)?;
    let rest = label[at + 4..].strip_prefix(' ')?.strip_prefix(name)?;
    Some(format!("{}{rest}", &label[..at + 4]))
}

fn in_window(e: &Expect, t: Instant) -> bool {
    t >= e.from && e.until.is_none_or(|u| t <= u)
}

fn count_ok(count: Count, n: usize) -> bool {
    match count {
        Count::AtLeastOnce => n >= 1,
        Count::Exactly(k) => n == k as usize,
        Count::Never => n == 0,
    }
}

fn count_word(count: Count) -> String {
    match count {
        Count::AtLeastOnce => "at least once".into(),
        Count::Exactly(k) => format!("exactly {k} time(s)"),
        Count::Never => "never".into(),
    }
}

/// Checks one expectation against the world after its run.
pub fn check(e: &Expect, w: &World) -> ExpectResult {
    check_in(e, w, w.trace().entries())
}

/// Checks one expectation against a world and its trace given apart: a moment
/// rebuilt by [`replay`](crate::sim::replay) reads the trace before its
/// checkpoint from the live run.
pub fn check_in(e: &Expect, w: &World, entries: &[TraceEntry]) -> ExpectResult {
    let (passed, detail) = evaluate(e, w, entries);
    ExpectResult {
        line: e.line,
        text: e.text.clone(),
        passed,
        detail,
    }
}

fn evaluate(e: &Expect, w: &World, entries: &[TraceEntry]) -> (bool, String) {
    let client = |name: &str| w.node_id(name).and_then(|i| w.client(i));
    let broker = |name: &str| w.node_id(name).and_then(|i| w.broker(i));
    match &e.kind {
        ExpectKind::Receives {
            node,
            others,
            payload,
            topic,
            with,
        } => {
            let mut received = Vec::new();
            for n in core::iter::once(node).chain(others) {
                let Some(c) = client(&n.name) else {
                    return (false, format!("no such client '{}'", n.name));
                };
                received.extend(c.received.iter());
            }
            received.sort_by_key(|m| m.time);
            let hits: Vec<_> = received
                .into_iter()
                .filter(|m| in_window(e, m.time))
                .filter(|m| {
                    payload
                        .as_ref()
                        .is_none_or(|p| p.as_bytes() == m.payload.as_slice())
                })
                .filter(|m| topic.as_ref().is_none_or(|t| *t == m.topic))
                .filter(|m| with.iter().all(|w| w.holds(&m.properties)))
                .collect();
            let when: Vec<String> = hits.iter().map(|m| format!("{}", m.time)).collect();
            (
                count_ok(e.count, hits.len()),
                format!(
                    "wanted {}, got {} ({})",
                    count_word(e.count),
                    hits.len(),
                    if when.is_empty() {
                        "none".into()
                    } else {
                        when.join(", ")
                    }
                ),
            )
        }
        ExpectKind::Output(node, lines) => {
            let Some(c) = client(&node.name) else {
                return (false, "no such client".into());
            };
            let got: Vec<&str> = c.terminal.iter().map(|(_, l)| l.as_str()).collect();
            (got == *lines, format!("terminal: {got:?}"))
        }
        ExpectKind::Prints(node, line) => {
            let Some(c) = client(&node.name) else {
                return (false, "no such client".into());
            };
            let n = c
                .terminal
                .iter()
                .filter(|(t, l)| in_window(e, *t) && l == line)
                .count();
            (count_ok(e.count, n), format!("printed {n} time(s)"))
        }
        ExpectKind::Refused(node, code) => {
            let Some(c) = client(&node.name) else {
                return (false, "no such client".into());
            };
            (
                c.refusals.contains(code),
                format!("CONNACK refusals: {:?}", c.refusals),
            )
        }
        ExpectKind::Suback(node, codes) => {
            let mut seen = Vec::new();
            let n = entries
                .iter()
                .filter(|en| in_window(e, en.time))
                .filter_map(|en| match &en.kind {
                    TraceKind::Packet {
                        fate: Fate::Delivered,
                        to,
                        bytes,
                        v5,
                        ..
                    } if *to == node.name => suback_codes(bytes, *v5),
                    _ => None,
                })
                .filter(|got| {
                    let got = got.clone();
                    let hit = got == *codes;
                    seen.push(got);
                    hit
                })
                .count();
            (
                count_ok(e.count, n),
                format!(
                    "wanted {}, SUBACKs delivered: {seen:?}",
                    count_word(e.count)
                ),
            )
        }
        ExpectKind::Connected(node, want) => {
            let Some(c) = client(&node.name) else {
                return (false, "no such client".into());
            };
            let is = c.client.is_connected();
            (is == *want, format!("connected at the end: {is}"))
        }
        ExpectKind::Switch(node, on) => {
            let Some(c) = client(&node.name) else {
                return (false, "no such client".into());
            };
            let s = c.app.switch_state();
            (s == Some(*on), format!("state: {s:?}"))
        }
        ExpectKind::Log(node, text) => {
            let n = entries
                .iter()
                .filter(|en| in_window(e, en.time))
                .filter(|en| matches!(&en.kind, TraceKind::Log { node: b, text: t } if *b == node.name && t.contains(text.as_str())))
                .count();
            (count_ok(e.count, n), format!("{n} matching log line(s)"))
        }
        ExpectKind::Retained(node, topic, payload) => {
            let Some(b) = broker(&node.name) else {
                return (false, "no such broker".into());
            };
            let got = b
                .broker
                .retained()
                .find(|m| m.topic.as_str() == topic)
                .map(|m| String::from_utf8_lossy(&m.payload).into_owned());
            (got == *payload, format!("retained: {got:?}"))
        }
        ExpectKind::Packet {
            summary,
            from,
            to,
            bytes: size,
        } => {
            let mut sizes = Vec::new();
            let n = entries
                .iter()
                .filter(|en| in_window(e, en.time))
                .filter(|en| match &en.kind {
                    TraceKind::Packet {
                        fate: Fate::Delivered,
                        from: f,
                        to: t,
                        summary: s,
                        bytes,
                        ..
                    } if summary_matches(summary, s)
                        && from.as_ref().is_none_or(|r| r.name == *f)
                        && to.as_ref().is_none_or(|r| r.name == *t) =>
                    {
                        sizes.push(bytes.len());
                        size.is_none_or(|n| n == bytes.len())
                    }
                    _ => false,
                })
                .count();
            let detail = match size {
                None => format!("wanted {}, {n} delivered", count_word(e.count)),
                Some(b) => format!(
                    "wanted {} of {b} bytes, {n} delivered (sizes of those matching: {sizes:?})",
                    count_word(e.count)
                ),
            };
            (count_ok(e.count, n), detail)
        }
    }
}

/// The return (3.1.1) or reason (5.0) codes of a SUBACK's bytes.
fn suback_codes(bytes: &[u8], v5: bool) -> Option<Vec<u8>> {
    if v5 {
        match crate::codec::v5::decode(bytes, usize::MAX) {
            Ok(Some((crate::codec::v5::Packet::Suback(s), _))) => {
                Some(s.reasons.iter().map(|c| c.as_u8()).collect())
            }
            _ => None,
        }
    } else {
        match crate::codec::decode(bytes, usize::MAX) {
            Ok(Some((Packet::Suback(s), _))) => {
                Some(s.return_codes.iter().map(|c| c.as_u8()).collect())
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::summary_matches;

    #[test]
    fn a_5_0_label_without_its_reason_name_or_property_count() {
        let label = "PUBACK m1 0x10 No matching subscribers";
        assert!(summary_matches("PUBACK m1 0x10", label));
        assert!(summary_matches(
            "PUBACK m1 0x10 No matching subscribers",
            label
        ));
        assert!(!summary_matches("PUBACK m1 0x00", label));
        assert!(!summary_matches("PUBACK m1", label));
        assert!(!summary_matches(
            "PUBACK m1 0x10",
            "PUBACK m10 0x10 No matching subscribers"
        ));
        let connect = "CONNECT c1 k60 v5.0 v [1 prop]";
        assert!(summary_matches("CONNECT c1 k60 v5.0 v", connect));
        assert!(summary_matches("CONNECT c1 k60 v5.0 v [1 prop]", connect));
        assert!(!summary_matches("CONNECT c1 k60 v5.0 v [2 props]", connect));
        assert!(summary_matches(
            "CONNACK 0x00",
            "CONNACK 0x00 Success [2 props]"
        ));
        let resumed = "CONNACK 0x00 Success sp1 [2 props]";
        assert!(summary_matches("CONNACK 0x00 sp1", resumed));
        assert!(summary_matches("CONNACK 0x00 Success sp1", resumed));
        assert!(!summary_matches("CONNACK 0x00", resumed));
        assert!(summary_matches("CONNACK ...", resumed));
        // A 3.1.1 SUBACK's codes are not a property count.
        assert!(!summary_matches("SUBACK m1", "SUBACK m1 [0]"));
    }

    #[test]
    fn the_whole_label_a_type_alone_or_a_head_and_dots() {
        assert!(summary_matches("PUBACK m1", "PUBACK m1"));
        assert!(!summary_matches("PUBACK m1", "PUBACK m10"));
        assert!(!summary_matches(
            "PUBLISH q1 m1 casa",
            "PUBLISH d1 q1 m1 casa"
        ));
        assert!(!summary_matches(
            "PUBLISH q1 m1 casa",
            "PUBLISH q1 m1 casa/sala"
        ));
        assert!(summary_matches("PUBACK", "PUBACK m10"));
        assert!(!summary_matches("PUBACK", "PUBREC m1"));
        assert!(!summary_matches("PUB", "PUBACK m1"));
        assert!(summary_matches(
            "CONNECT c1 k60 ...",
            "CONNECT c1 k60 mosq-x1"
        ));
        assert!(!summary_matches(
            "CONNECT c1 k6 ...",
            "CONNECT c1 k60 mosq-x1"
        ));
        assert!(summary_matches("PUBACK m1 ...", "PUBACK m1"));
        assert!(!summary_matches("PUBACK m1 ...", "PUBACK m10"));
    }
}
