//! The options a device line (and `at T link`/`at T connect`) shares: the link's
//! (latency, jitter, bandwidth, loss, rto, retries) and the connection's (id,
//! keepalive, persistent, clean, user, will), and a publishing period.

use core::time::Duration;

use crate::codec::{Protocol, QoS};
use crate::sim::scenario::ast::*;
use crate::sim::scenario::units::{parse_percent, parse_rate};

use crate::sim::scenario::errors::Problem;
use crate::sim::scenario::expected::{Expected, Vocabulary};

use super::action::unknown;
use super::cursor::{Cur, R};

/// A publishing period: at least a millisecond.
pub(super) fn period(c: &mut Cur) -> R<Duration> {
    let col = c.col();
    let d = c.duration()?;
    if d < Duration::from_millis(1) {
        return c.fail(col, Problem::PeriodTooShort);
    }
    Ok(d)
}

/// The words a link change takes (on a device line and in `at T link`).
pub const LINK_OPTIONS: &[&str] = &["latency", "jitter", "bandwidth", "loss", "rto", "retries"];

/// One link option, if `opt` names one: its value is read and recorded in `link`.
pub(super) fn link_opt(c: &mut Cur, opt: &str, link: &mut LinkChange) -> R<bool> {
    match opt {
        "latency" => link.latency = Some(c.duration()?),
        "jitter" => link.jitter = Some(c.duration()?),
        "rto" => link.rto = Some(c.duration()?),
        "retries" => {
            let col = c.col();
            let n: u32 = c.number(Expected::Number)?;
            if n > crate::sim::link::MAX_RETRANSMITS {
                return c.fail(
                    col,
                    Problem::TooManyRetries {
                        max: crate::sim::link::MAX_RETRANSMITS,
                    },
                );
            }
            link.max_retransmits = Some(n);
        }
        "loss" => {
            let (w, wc) = c.word(Expected::Percentage)?;
            link.loss_ppm = match parse_percent(&w) {
                Some(p) => Some(p),
                None => return c.fail(wc, Problem::NotAPercentage { word: w }),
            };
        }
        "bandwidth" => {
            let (w, wc) = c.word(Expected::Rate)?;
            link.bandwidth_bps = match parse_rate(&w) {
                Some(r) => Some(Some(r)),
                None if w == "unlimited" => Some(None),
                None => return c.fail(wc, Problem::NotARate { word: w }),
            };
        }
        _ => return Ok(false),
    }
    Ok(true)
}

pub(super) fn conn_opt(c: &mut Cur, opt: &str, conn: &mut ConnSpec) -> R<bool> {
    match opt {
        "id" => conn.id = Some(c.text(Expected::ClientId)?),
        "keepalive" => conn.keep_alive = Some(c.number(Expected::KeepAlive)?),
        "persistent" => conn.persistent = true,
        "clean" => conn.persistent = false,
        "user" => {
            let u = c.text(Expected::UserName)?;
            let p = if c.eat("pass") {
                Some(c.text(Expected::Password)?)
            } else {
                None
            };
            conn.login = Some((u, p));
        }
        "will" => {
            let topic = c.topic(false)?;
            let payload = c.text(Expected::WillPayload)?;
            let mut w = WillSpec {
                topic,
                payload,
                qos: QoS::AtMostOnce,
                retain: false,
            };
            loop {
                if c.eat("will-retain") {
                    w.retain = true;
                } else if c.eat("will-qos") {
                    w.qos = c.qos()?;
                } else {
                    break;
                }
            }
            conn.will = Some(w);
        }
        "version" => {
            let (w, wc) = c.word(Expected::ProtocolVersion)?;
            conn.protocol = Some(match w.as_str() {
                "5" | "5.0" | "mqttv5" => Protocol::V5,
                "311" | "3.1.1" | "mqttv311" => Protocol::V311,
                "31" | "3.1" | "mqttv31" => Protocol::V31,
                other => {
                    return c.fail(
                        wc,
                        unknown(Vocabulary::ProtocolVersion, other, &["5", "311", "31"]),
                    )
                }
            });
        }
        "session-expiry" => conn.session_expiry = Some(c.number(Expected::Seconds)?),
        "receive-maximum" => {
            let col = c.col();
            let n: u16 = c.number(Expected::OneTo65535)?;
            if n == 0 {
                return c.fail(col, Problem::ReceiveMaximumZero);
            }
            conn.receive_maximum = Some(n);
        }
        "topic-alias-maximum" => conn.topic_alias_maximum = Some(c.number(Expected::Number)?),
        "scram" => {
            let u = c.text(Expected::UserName)?;
            let p = c.text(Expected::Password)?;
            conn.scram = Some((u, p));
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// MQTT 5.0 connection options need `version 5`: the error, at the end of the
/// line, if they were given without it.
pub(super) fn check_v5_options(c: &Cur, conn: &ConnSpec) -> R<()> {
    let v5_only = [
        ("session-expiry", conn.session_expiry.is_some()),
        ("receive-maximum", conn.receive_maximum.is_some()),
        ("topic-alias-maximum", conn.topic_alias_maximum.is_some()),
        ("scram", conn.scram.is_some()),
    ];
    match v5_only.iter().find(|(_, given)| *given) {
        Some((option, _)) if conn.protocol != Some(Protocol::V5) => {
            c.fail(c.end_col, Problem::NeedsVersion5 { option })
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{err, ok};
    use crate::codec::QoS;
    use core::time::Duration;

    #[test]
    fn link_options_on_a_device() {
        let sc = ok("broker b\nclient c -> b latency 20ms jitter 5ms bandwidth 56kbit loss 0.5% rto 300ms retries 7");
        let l = &sc.nodes[1].link;
        assert_eq!(l.latency, Duration::from_millis(20));
        assert_eq!(l.jitter, Duration::from_millis(5));
        assert_eq!(l.bandwidth_bps, Some(56_000));
        assert_eq!(l.loss_ppm, 5_000);
        assert_eq!(l.rto, Duration::from_millis(300));
        assert_eq!(l.max_retransmits, 7);
    }

    #[test]
    fn link_option_errors() {
        assert_eq!(
            err("broker b\nclient c -> b retries 16"),
            (
                2,
                23,
                "TCP gives up after at most 15 retransmissions".into()
            )
        );
        assert_eq!(
            err("broker b\nclient c -> b loss lots"),
            (
                2,
                20,
                "'lots' is not a percentage (write e.g. 1% or 0.5%)".into()
            )
        );
        assert_eq!(
            err("broker b\nclient c -> b bandwidth fast"),
            (
                2,
                25,
                "'fast' is not a rate (write e.g. 56kbit, 1mbit or unlimited)".into()
            )
        );
    }

    #[test]
    fn connection_options() {
        let sc = ok("broker b\nclient c -> b id cid keepalive 30 persistent user u pass p will w/t gone will-qos 1 will-retain");
        let conn = &sc.nodes[1].conn;
        assert_eq!(conn.id.as_deref(), Some("cid"));
        assert_eq!(conn.keep_alive, Some(30));
        assert!(conn.persistent);
        assert_eq!(conn.login, Some(("u".into(), Some("p".into()))));
        let will = conn.will.as_ref().unwrap();
        assert_eq!(
            (will.topic.as_str(), will.payload.as_str()),
            ("w/t", "gone")
        );
        assert_eq!((will.qos, will.retain), (QoS::AtLeastOnce, true));
    }

    #[test]
    fn keepalive_must_be_a_number_and_a_will_topic_valid() {
        assert_eq!(
            err("broker b\nclient c -> b keepalive soon"),
            (2, 25, "'soon' is not a keep alive in seconds".into())
        );
        let (line, col, msg) = err("broker b\nclient c -> b will a/+ x");
        assert_eq!((line, col), (2, 20));
        assert!(msg.starts_with("'a/+' is not a valid topic"), "{msg}");
    }

    #[test]
    fn a_period_is_at_least_a_millisecond() {
        assert_eq!(
            err("broker b\nsensor s -> b topic t every 100us"),
            (2, 29, "a period must be at least 1ms".into())
        );
    }
}
