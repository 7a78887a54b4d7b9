//! The options a device line (and `at T link`/`at T connect`) shares: the link's
//! (latency, jitter, bandwidth, loss, rto, retries) and the connection's (id,
//! keepalive, persistent, clean, user, will), and a publishing period.

use core::time::Duration;

use crate::codec::{Protocol, QoS};
use crate::sim::scenario::ast::*;
use crate::sim::scenario::units::{parse_percent, parse_rate};

use super::cursor::{Cur, R};

/// A publishing period: at least a millisecond.
pub(super) fn period(c: &mut Cur) -> R<Duration> {
    let col = c.col();
    let d = c.duration()?;
    if d < Duration::from_millis(1) {
        return c.err(col, "a period must be at least 1ms");
    }
    Ok(d)
}

pub(super) const LINK_OPTIONS: &[&str] =
    &["latency", "jitter", "bandwidth", "loss", "rto", "retries"];

/// One link option, if `opt` names one: its value is read and recorded in `link`.
pub(super) fn link_opt(c: &mut Cur, opt: &str, link: &mut LinkChange) -> R<bool> {
    match opt {
        "latency" => link.latency = Some(c.duration()?),
        "jitter" => link.jitter = Some(c.duration()?),
        "rto" => link.rto = Some(c.duration()?),
        "retries" => {
            let col = c.col();
            let n: u32 = c.number("a number")?;
            if n > crate::sim::link::MAX_RETRANSMITS {
                return c.err(col, "TCP gives up after at most 15 retransmissions");
            }
            link.max_retransmits = Some(n);
        }
        "loss" => {
            let (w, wc) = c.word("a percentage such as 1%")?;
            link.loss_ppm = match parse_percent(&w) {
                Some(p) => Some(p),
                None => {
                    return c.err(
                        wc,
                        format!("'{w}' is not a percentage (write e.g. 1% or 0.5%)"),
                    )
                }
            };
        }
        "bandwidth" => {
            let (w, wc) = c.word("a rate such as 1mbit")?;
            link.bandwidth_bps = match parse_rate(&w) {
                Some(r) => Some(Some(r)),
                None if w == "unlimited" => Some(None),
                None => {
                    return c.err(
                        wc,
                        format!("'{w}' is not a rate (write e.g. 56kbit, 1mbit or unlimited)"),
                    )
                }
            };
        }
        _ => return Ok(false),
    }
    Ok(true)
}

pub(super) fn conn_opt(c: &mut Cur, opt: &str, conn: &mut ConnSpec) -> R<bool> {
    match opt {
        "id" => conn.id = Some(c.text("a client id")?),
        "keepalive" => conn.keep_alive = Some(c.number("a keep alive in seconds")?),
        "persistent" => conn.persistent = true,
        "clean" => conn.persistent = false,
        "user" => {
            let u = c.text("a user name")?;
            let p = if c.eat("pass") {
                Some(c.text("a password")?)
            } else {
                None
            };
            conn.login = Some((u, p));
        }
        "will" => {
            let topic = c.topic(false)?;
            let payload = c.text("the will's payload")?;
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
            let (w, wc) = c.word("a protocol version: 5, 311 or 31")?;
            conn.protocol = Some(match w.as_str() {
                "5" | "5.0" | "mqttv5" => Protocol::V5,
                "311" | "3.1.1" | "mqttv311" => Protocol::V311,
                "31" | "3.1" | "mqttv31" => Protocol::V31,
                other => {
                    return c.err(
                        wc,
                        format!("unknown protocol version '{other}' (5, 311 or 31)"),
                    )
                }
            });
        }
        "session-expiry" => conn.session_expiry = Some(c.number("a number of seconds")?),
        "receive-maximum" => {
            let col = c.col();
            let n: u16 = c.number("a number from 1 to 65535")?;
            if n == 0 {
                return c.err(
                    col,
                    "Receive Maximum 0 is a protocol error: write 1 to 65535",
                );
            }
            conn.receive_maximum = Some(n);
        }
        "topic-alias-maximum" => conn.topic_alias_maximum = Some(c.number("a number")?),
        "scram" => {
            let u = c.text("a user name")?;
            let p = c.text("a password")?;
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
        Some((word, _)) if conn.protocol != Some(Protocol::V5) => c.err(
            c.end_col,
            format!("'{word}' is an MQTT 5.0 property: it needs 'version 5'"),
        ),
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
