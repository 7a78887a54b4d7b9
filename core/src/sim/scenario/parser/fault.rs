//! `fault drop|delay|duplicate [next|every] PACKET-TYPE [to|from|by|for|after|times ...]`,
//! a misbehaving sender, `fault wrong-id|set-retain|raise-qos|forget [next|every] PACKET-TYPE ...`,
//! and the slow consumer, `fault stall NODE [window BYTES] [for D] [after T]`.

use crate::codec::PacketType;
use crate::sim::fault::{FaultAction, Misbehaviour, DEFAULT_STALL_WINDOW};
use crate::sim::scenario::ast::*;
use crate::sim::scenario::errors::{suggest, Problem};
use crate::sim::scenario::expected::{Expected, Vocabulary};
use crate::time::Instant;

use super::action::unknown;
use super::cursor::{Cur, R};

pub(super) fn packet_type(c: &mut Cur) -> R<Option<PacketType>> {
    let (w, col) = c.word(Expected::PacketType)?;
    let upper = w.to_ascii_uppercase();
    if upper == "ANY" || upper == "PACKET" {
        return Ok(None);
    }
    for n in 1..=15u8 {
        if let Some(t) = PacketType::from_nibble_v5(n) {
            if t.name() == upper {
                return Ok(Some(t));
            }
        }
    }
    let names: Vec<&str> = (1..=15u8)
        .filter_map(PacketType::from_nibble_v5)
        .map(PacketType::name)
        .collect();
    let suggestion =
        suggest(&w, ["next", "every"]).or_else(|| suggest(&upper, names.iter().copied()));
    let mut all = names;
    all.push("ANY");
    c.fail(
        col,
        Problem::UnknownWord {
            what: Vocabulary::PacketType,
            word: w.clone(),
            suggestion: suggestion.map(str::to_owned),
            all,
        },
    )
}

pub(super) fn fault(c: &mut Cur, start: Instant, label: &str) -> R<FaultSpec> {
    let (a, col) = c.word(Expected::Fault)?;
    if a == "stall" {
        return stall(c, start, label);
    }
    let mut count = None;
    if c.eat("next") {
        count = Some(1);
    } else if c.eat("every") || c.eat("all") {
    }
    let packet = packet_type(c)?;
    let mut spec = FaultSpec {
        label: label.trim_start_matches("fault ").to_owned(),
        action: FaultAction::Drop,
        packet,
        from: None,
        to: None,
        start,
        duration: None,
        count,
    };
    let mut delay = None;
    while !c.at_end() {
        let (opt, oc) = c.word(Expected::FaultOption)?;
        match opt.as_str() {
            "to" => spec.to = Some(c.name(Expected::Node)?),
            "from" => spec.from = Some(c.name(Expected::Node)?),
            "by" => delay = Some(c.duration()?),
            "for" => spec.duration = Some(c.duration()?),
            "after" => spec.start = c.time()?,
            "times" => spec.count = Some(c.number(Expected::Count)?),
            other => {
                return c.fail(
                    oc,
                    unknown(
                        Vocabulary::FaultOption,
                        other,
                        &["to", "from", "by", "for", "after", "times"],
                    ),
                )
            }
        }
    }
    spec.action = match a.as_str() {
        _ if Misbehaviour::ALL.iter().any(|m| m.word() == a) => FaultAction::Misbehave(
            *Misbehaviour::ALL
                .iter()
                .find(|m| m.word() == a)
                .expect("just found"),
        ),
        "drop" => FaultAction::Drop,
        "duplicate" => FaultAction::Duplicate,
        "delay" => match delay {
            Some(d) => FaultAction::Delay(d),
            None => return c.fail(c.end_col, Problem::DelayWithoutBy),
        },
        other => {
            return c.fail(
                col,
                unknown(
                    Vocabulary::Fault,
                    other,
                    &[
                        "drop",
                        "delay",
                        "duplicate",
                        "stall",
                        "wrong-id",
                        "set-retain",
                        "raise-qos",
                        "forget",
                    ],
                ),
            )
        }
    };
    Ok(spec)
}

/// `fault stall NODE [window BYTES] [for D] [after T]`: NODE stops reading.
fn stall(c: &mut Cur, start: Instant, label: &str) -> R<FaultSpec> {
    let node = c.name(Expected::StallingClient)?;
    let mut spec = FaultSpec {
        label: label.trim_start_matches("fault ").to_owned(),
        action: FaultAction::Stall {
            window: DEFAULT_STALL_WINDOW,
        },
        packet: None,
        from: None,
        to: Some(node),
        start,
        duration: None,
        count: None,
    };
    while !c.at_end() {
        let (opt, oc) = c.word(Expected::StallOption)?;
        match opt.as_str() {
            "window" => {
                spec.action = FaultAction::Stall {
                    window: c.number(Expected::ReceiveWindow)?,
                }
            }
            "for" => spec.duration = Some(c.duration()?),
            "after" => spec.start = c.time()?,
            other => {
                return c.fail(
                    oc,
                    unknown(Vocabulary::StallOption, other, &["window", "for", "after"]),
                )
            }
        }
    }
    Ok(spec)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{err, ok};
    use crate::codec::PacketType;
    use crate::sim::fault::FaultAction;
    use crate::time::Instant;
    use core::time::Duration;

    const WORLD: &str = "broker b\nclient c -> b\n";

    #[test]
    fn a_fault_and_its_options() {
        let sc = ok(&format!(
            "{WORLD}fault delay every PUBREC from b to c by 5s for 30s after 2s times 3\nfault duplicate next any\nfault drop PINGRESP"
        ));
        let f = &sc.faults[0];
        assert_eq!(
            f.label,
            "delay every PUBREC from b to c by 5s for 30s after 2s times 3"
        );
        assert_eq!(f.action, FaultAction::Delay(Duration::from_secs(5)));
        assert_eq!(f.packet, Some(PacketType::Pubrec));
        assert_eq!(f.from.as_ref().unwrap().name, "b");
        assert_eq!(f.to.as_ref().unwrap().name, "c");
        assert_eq!(f.start, Instant::from_secs(2));
        assert_eq!(f.duration, Some(Duration::from_secs(30)));
        assert_eq!(f.count, Some(3));
        assert_eq!(
            (sc.faults[1].action, sc.faults[1].packet, sc.faults[1].count),
            (FaultAction::Duplicate, None, Some(1))
        );
        assert_eq!(
            (sc.faults[2].packet, sc.faults[2].count),
            (Some(PacketType::Pingresp), None)
        );
    }

    #[test]
    fn a_stalled_client() {
        let sc = ok(&format!(
            "{WORLD}fault stall c window 4096 for 30s after 5s\nfault stall c"
        ));
        let f = &sc.faults[0];
        assert_eq!(f.action, FaultAction::Stall { window: 4096 });
        assert_eq!(f.to.as_ref().unwrap().name, "c");
        assert_eq!(f.start, Instant::from_secs(5));
        assert_eq!(f.duration, Some(Duration::from_secs(30)));
        assert_eq!(
            sc.faults[1].action,
            FaultAction::Stall {
                window: crate::sim::fault::DEFAULT_STALL_WINDOW
            }
        );
        assert_eq!(
            err(&format!("{WORLD}fault stall c window big")),
            (3, 22, "'big' is not a receive window in bytes".into())
        );
        assert_eq!(
            err(&format!("{WORLD}fault stall c until 3s")),
            (
                3,
                15,
                "unknown stall option 'until' (window, for, after)".into()
            )
        );
    }

    #[test]
    fn fault_errors() {
        assert_eq!(
            err("fault drop PUBAKC"),
            (
                1,
                12,
                "unknown packet type 'PUBAKC' (did you mean 'PUBACK'?)".into()
            )
        );
        assert_eq!(
            err("fault drop nxt PUBACK"),
            (
                1,
                12,
                "unknown packet type 'nxt' (did you mean 'next'?)".into()
            )
        );
        assert_eq!(
            err("fault delay PUBACK"),
            (1, 19, "a delay needs 'by DURATION'".into())
        );
        assert_eq!(
            err("fault lose PUBACK"),
            (
                1,
                7,
                "unknown fault 'lose' (drop, delay, duplicate, stall, wrong-id, set-retain, raise-qos, forget)".into()
            )
        );
        assert_eq!(
            err("fault drop PUBACK until 3s"),
            (
                1,
                19,
                "unknown fault option 'until' (to, from, by, for, after, times)".into()
            )
        );
        assert_eq!(
            err(&format!("{WORLD}fault drop PUBACK to nobody")),
            (3, 22, "unknown node 'nobody'".into())
        );
    }
}
