//! The scenario parser: one statement per line, checked as it goes, with node names
//! resolved once the whole file is read (so a node may be used before it is
//! declared). The grammar is documented in [`super`].

use core::time::Duration;

use crate::broker::{Access, AclRule, AclSubject, BrokerConfig};
use crate::client::cli::parse_command_line;
use crate::codec::{PacketType, QoS};
use crate::time::Instant;

use super::super::fault::FaultAction;
use super::super::link::LinkParams;
use super::super::node::{Esp32Profile, ValueModel};
use super::ast::*;
use super::errors::{suggest, ScenarioError, ScenarioErrors};
use super::lexer::{lex_line, Tok, Token};
use super::units::{parse_duration, parse_percent, parse_rate};

/// The words a statement starts with (also what the page's editor colours).
pub const STATEMENTS: &[&str] = &[
    "broker",
    "acl",
    "client",
    "sensor",
    "actuator",
    "controller",
    "esp32",
    "at",
    "fault",
    "expect",
    "run",
    "seed",
];

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

struct Cur<'a> {
    line: usize,
    toks: &'a [Token],
    pos: usize,
    /// Column just past the end of the line, for "missing ..." errors.
    end_col: usize,
}

type R<T> = Result<T, ScenarioError>;

impl<'a> Cur<'a> {
    fn err<T>(&self, column: usize, msg: impl Into<String>) -> R<T> {
        Err(ScenarioError::new(self.line, column, msg))
    }
    fn col(&self) -> usize {
        self.toks.get(self.pos).map_or(self.end_col, |t| t.column)
    }
    fn at_end(&self) -> bool {
        self.pos >= self.toks.len()
    }
    fn peek_word(&self) -> Option<&'a str> {
        match self.toks.get(self.pos).map(|t| &t.tok) {
            Some(Tok::Word(w)) => Some(w.as_str()),
            _ => None,
        }
    }
    fn eat(&mut self, kw: &str) -> bool {
        if self.peek_word() == Some(kw) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    fn word(&mut self, what: &str) -> R<(String, usize)> {
        match self.toks.get(self.pos) {
            Some(Token {
                tok: Tok::Word(w),
                column,
            }) => {
                self.pos += 1;
                Ok((w.clone(), *column))
            }
            Some(t) => self.err(t.column, format!("expected {what} here")),
            None => self.err(
                self.end_col,
                format!("expected {what} at the end of the line"),
            ),
        }
    }
    fn keyword(&mut self, kw: &str) -> R<()> {
        let col = self.col();
        match self.word(&format!("'{kw}'")) {
            Ok((w, _)) if w == kw => Ok(()),
            Ok((w, c)) => self.err(c, format!("expected '{kw}', found '{w}'")),
            Err(_) => self.err(col, format!("expected '{kw}'")),
        }
    }
    /// A quoted string, or a bare word.
    fn text(&mut self, what: &str) -> R<String> {
        match self.toks.get(self.pos) {
            Some(Token {
                tok: Tok::Str(s) | Tok::Word(s),
                ..
            }) => {
                self.pos += 1;
                Ok(s.clone())
            }
            Some(t) => self.err(t.column, format!("expected {what} here")),
            None => self.err(
                self.end_col,
                format!("expected {what} at the end of the line"),
            ),
        }
    }
    fn name(&mut self, what: &str) -> R<NameRef> {
        let (name, column) = self.word(what)?;
        Ok(NameRef {
            name,
            line: self.line,
            column,
        })
    }
    fn duration(&mut self) -> R<Duration> {
        let (w, c) = self.word("a duration such as 5s or 250ms")?;
        parse_duration(&w).map_or_else(
            || {
                self.err(
                    c,
                    format!("'{w}' is not a duration (write e.g. 5s, 250ms, 1m30s)"),
                )
            },
            Ok,
        )
    }
    fn time(&mut self) -> R<Instant> {
        Ok(Instant::ZERO + self.duration()?)
    }
    fn number<T: core::str::FromStr>(&mut self, what: &str) -> R<T> {
        let (w, c) = self.word(what)?;
        w.parse::<T>()
            .or_else(|_| self.err(c, format!("'{w}' is not {what}")))
    }
    fn float(&mut self, what: &str) -> R<f64> {
        let (w, c) = self.word(what)?;
        match w.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => self.err(c, format!("'{w}' is not {what}")),
        }
    }
    fn qos(&mut self) -> R<QoS> {
        let (w, c) = self.word("a QoS (0, 1 or 2)")?;
        w.parse::<u8>().ok().and_then(QoS::from_u8).map_or_else(
            || self.err(c, format!("QoS must be 0, 1 or 2, not '{w}'")),
            Ok,
        )
    }
    fn topic(&mut self, filter: bool) -> R<String> {
        let col = self.col();
        let t = self.text(if filter { "a topic filter" } else { "a topic" })?;
        let check = if filter {
            crate::topic::validate_filter(&t)
        } else {
            crate::topic::validate_name(&t)
        };
        match check {
            Ok(()) => Ok(t),
            Err(e) => self.err(col, format!("'{t}' is not a valid topic: {e}")),
        }
    }
    fn finish(&self) -> R<()> {
        match self.toks.get(self.pos) {
            None => Ok(()),
            Some(t) => {
                let what = match &t.tok {
                    Tok::Word(w) => format!("'{w}'"),
                    Tok::Str(s) => format!("\"{s}\""),
                    Tok::Arrow => "'->'".into(),
                    Tok::Command { node, .. } => format!("'{node}:'"),
                };
                self.err(t.column, format!("unexpected {what}"))
            }
        }
    }
}

/// Parses a scenario; on failure returns every error found, line by line.
pub fn parse(src: &str) -> Result<Scenario, ScenarioErrors> {
    let mut sc = Scenario::default();
    let mut errors = Vec::new();
    let mut last_at = Instant::ZERO;
    for (i, raw) in src.lines().enumerate() {
        let line_no = i + 1;
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
        Some(Tok::Word(_)) => c.word("a statement")?,
        _ => {
            return c.err(
                c.col(),
                "a line starts with a statement such as 'broker', 'at' or 'expect'",
            )
        }
    };
    match kw.as_str() {
        "broker" => broker(c, sc),
        "acl" => {
            let a = acl(c)?;
            sc.acls.push(a);
            Ok(())
        }
        "client" | "sensor" | "actuator" | "controller" | "esp32" => device(c, sc, &kw),
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
            sc.seed = Some(c.number("a whole number")?);
            c.finish()
        }
        other => match suggest(other, STATEMENTS.iter().copied()) {
            Some(s) => c.err(
                col,
                format!("unknown statement '{other}' (did you mean '{s}'?)"),
            ),
            None => c.err(
                col,
                format!(
                    "unknown statement '{other}'; a line starts with one of: {}",
                    STATEMENTS.join(", ")
                ),
            ),
        },
    }
}

fn broker(c: &mut Cur, sc: &mut Scenario) -> R<()> {
    let name = c.name("a broker name")?;
    let mut cfg = BrokerConfig::default();
    while !c.at_end() {
        let (opt, col) = c.word("a broker option")?;
        match opt.as_str() {
            "port" => cfg.listener_port = c.number("a port number")?,
            "user" => {
                let u = c.text("a user name")?;
                let p = c.text("a password")?;
                cfg.users.insert(u, p.into_bytes());
            }
            "no-anonymous" => cfg.allow_anonymous = false,
            "reject-id" => cfg.rejected_client_ids.push(c.text("a client id")?),
            "max-connections" => cfg.max_connections = Some(c.number("a number")?),
            "max-queued" => cfg.max_queued_messages = c.number("a number")?,
            "queue-qos0" => cfg.queue_qos0 = true,
            "resend-timeout" => cfg.resend_timeout = Some(c.duration()?),
            "max-packet" => cfg.max_packet_size = c.number("a size in bytes")?,
            other => {
                return c.err(
                    col,
                    format!("unknown broker option '{other}' (options: port, user, no-anonymous, reject-id, max-connections, max-queued, queue-qos0, resend-timeout, max-packet)"),
                )
            }
        }
    }
    sc.nodes.push(NodeDecl {
        name,
        kind: NodeKind::Broker(Box::new(cfg)),
        broker: None,
        link: LinkParams::default(),
        conn: ConnSpec::default(),
    });
    Ok(())
}

const ACL_SUBJECTS: &[&str] = &["user", "client", "anyone"];
const ACL_ACCESS: &[&str] = &["read", "write", "readwrite"];

/// `acl BROKER (user NAME | client ID | anyone) topic [read|write|readwrite] FILTER`:
/// the words of mosquitto's `acl_file` (`user aluno` then `topic read casa/#`) on
/// one line. As there, the access may be left out and is then `readwrite`.
fn acl(c: &mut Cur) -> R<AclSpec> {
    let broker = c.name("a broker name")?;
    let (kind, kc) = c.word("who the rule is for: user NAME, client ID or anyone")?;
    let who = match kind.as_str() {
        "user" => AclSubject::User(c.text("a user name")?),
        "client" | "clientid" => AclSubject::Client(c.text("a client id")?),
        "anyone" => AclSubject::Anyone,
        other => {
            let hint = suggest(other, ACL_SUBJECTS.iter().copied())
                .map(|s| format!(" (did you mean '{s}'?)"))
                .unwrap_or_default();
            return c.err(
                kc,
                format!(
                    "an ACL rule is for 'user NAME', 'client ID' or 'anyone', not '{other}'{hint}"
                ),
            );
        }
    };
    let example = |who: &AclSubject| {
        let w = match who {
            AclSubject::User(u) => format!("user {u}"),
            AclSubject::Client(id) => format!("client {id}"),
            AclSubject::Anyone => "anyone".into(),
        };
        format!("acl {} {w} topic read sensores/#", broker.name)
    };
    let tc = c.col();
    match c.peek_word() {
        Some("topic") => c.pos += 1,
        Some("pattern") => {
            return c.err(
                tc,
                "'pattern' rules (with %c and %u) are not supported; write 'topic' with the user or client named",
            )
        }
        _ => {
            return c.err(
                tc,
                format!("expected 'topic', as in mosquitto's acl_file: {}", example(&who)),
            )
        }
    }
    let ac = c.col();
    let access = match c.peek_word() {
        Some("read") => Some(Access::Read),
        Some("write") => Some(Access::Write),
        Some("readwrite") => Some(Access::ReadWrite),
        Some("deny") => return c.err(
            ac,
            "'deny' is not supported: once a broker has an ACL, whatever no rule allows is denied",
        ),
        // A misspelt access word followed by a filter, not a one-word filter.
        Some(w) if c.toks.len() > c.pos + 1 => {
            let hint = suggest(w, ACL_ACCESS.iter().copied())
                .map(|s| format!(" (did you mean '{s}'?)"))
                .unwrap_or_default();
            return c.err(
                ac,
                format!(
                    "unknown access '{w}'{hint}; write read, write or readwrite, then the topic"
                ),
            );
        }
        _ => None,
    };
    if access.is_some() {
        c.pos += 1;
    }
    let fc = c.col();
    let filter = c.topic(true)?;
    let filter = crate::topic::TopicFilter::new(&filter)
        .or_else(|e| c.err(fc, format!("'{filter}' is not a valid topic: {e}")))?;
    c.finish()?;
    Ok(AclSpec {
        broker,
        rule: AclRule {
            who,
            filter,
            access: access.unwrap_or(Access::ReadWrite),
        },
    })
}

/// A publishing period: at least a millisecond.
fn period(c: &mut Cur) -> R<Duration> {
    let col = c.col();
    let d = c.duration()?;
    if d < Duration::from_millis(1) {
        return c.err(col, "a period must be at least 1ms");
    }
    Ok(d)
}

const LINK_OPTIONS: &[&str] = &["latency", "jitter", "bandwidth", "loss", "rto", "retries"];

/// One link option, if `opt` names one: its value is read and recorded in `link`.
fn link_opt(c: &mut Cur, opt: &str, link: &mut LinkChange) -> R<bool> {
    match opt {
        "latency" => link.latency = Some(c.duration()?),
        "jitter" => link.jitter = Some(c.duration()?),
        "rto" => link.rto = Some(c.duration()?),
        "retries" => {
            let col = c.col();
            let n: u32 = c.number("a number")?;
            if n > super::super::link::MAX_RETRANSMITS {
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

fn conn_opt(c: &mut Cur, opt: &str, conn: &mut ConnSpec) -> R<bool> {
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
        _ => return Ok(false),
    }
    Ok(true)
}

fn model(c: &mut Cur) -> R<ValueModel> {
    let col = c.col();
    let mut text = c.text("a value model such as sine(20, 5, 600s)")?;
    // Students write `sine(20, 5, 600s)` with spaces: the arguments go on until the
    // word that closes the parenthesis.
    while text.contains('(') && !text.ends_with(')') && c.peek_word().is_some() {
        text.push(' ');
        text.push_str(&c.text("the rest of the value model")?);
    }
    let bad = |m: &str| Err(ScenarioError::new(c.line, col, m.to_owned()));
    let (name, args) = match text.split_once('(') {
        Some((n, rest)) => match rest.strip_suffix(')') {
            Some(a) => (n, a),
            None => return bad("a value model's arguments end with ')', e.g. sine(20, 5, 600s)"),
        },
        None => (text.as_str(), ""),
    };
    let args: Vec<&str> = args
        .split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .collect();
    let num = |s: &str| s.parse::<f64>().ok().filter(|v| v.is_finite());
    match (name, args.as_slice()) {
        ("constant", [v]) => num(v).map_or_else(|| bad("constant(VALUE)"), |v| Ok(ValueModel::Constant(v))),
        ("walk", [s, st]) => match (num(s), num(st)) {
            (Some(start), Some(step)) => Ok(ValueModel::Walk { start, step }),
            _ => bad("walk(START, STEP)"),
        },
        ("sine", [m, a, p]) => match (num(m), num(a), parse_duration(p)) {
            (Some(mean), Some(amplitude), Some(period)) => Ok(ValueModel::Sine {
                mean,
                amplitude,
                period,
            }),
            _ => bad("sine(MEAN, AMPLITUDE, PERIOD), e.g. sine(20,5,600s)"),
        },
        ("steps", [every, values @ ..]) if !values.is_empty() => {
            let vals: Option<Vec<f64>> = values.iter().map(|v| num(v)).collect();
            match (parse_duration(every), vals) {
                (Some(every), Some(values)) => Ok(ValueModel::Steps { every, values }),
                _ => bad("steps(EVERY, V1, V2, ...), e.g. steps(60s,18,22)"),
            }
        }
        ("heated", [h, s, a, r]) => match (num(s), num(a), num(r)) {
            (Some(start), Some(ambient), Some(rate)) => Ok(ValueModel::Heated {
                heater: (*h).to_owned(),
                start,
                ambient,
                rate,
            }),
            _ => bad("heated(HEATER, START, AMBIENT, RATE)"),
        },
        _ => bad("unknown value model; use constant(V), walk(START,STEP), sine(MEAN,AMP,PERIOD), steps(EVERY,V1,V2,...) or heated(HEATER,START,AMBIENT,RATE)"),
    }
}

fn device(c: &mut Cur, sc: &mut Scenario, kw: &str) -> R<()> {
    let name = c.name("a node name")?;
    if !c.at_end() && !matches!(c.toks.get(c.pos).map(|t| &t.tok), Some(Tok::Arrow)) {
        return c.err(
            c.col(),
            format!("expected '->' and a broker: {kw} {} -> broker1", name.name),
        );
    }
    if c.at_end() {
        return c.err(
            c.end_col,
            format!("expected '->' and a broker: {kw} {} -> broker1", name.name),
        );
    }
    c.pos += 1;
    let broker = c.name("a broker name")?;
    let mut link = LinkChange::default();
    let mut conn = ConnSpec::default();
    let mut kind = match kw {
        "client" => NodeKind::Client,
        "sensor" => NodeKind::Sensor {
            topic: String::new(),
            every: Duration::ZERO,
            model: ValueModel::Constant(0.0),
            qos: QoS::AtMostOnce,
            retain: false,
        },
        "actuator" => NodeKind::Actuator {
            topic: String::new(),
            qos: QoS::AtLeastOnce,
        },
        "controller" => NodeKind::Controller {
            input: String::new(),
            output: String::new(),
            setpoint: f64::NAN,
            hysteresis: 0.5,
        },
        _ => NodeKind::Esp32 {
            profile: Esp32Profile::PubSubClient { buffer: 256 },
            sensor: None,
            command: None,
            announce: None,
            reconnect: None,
        },
    };
    let mut esp_sensor: (Option<String>, Option<Duration>, Option<ValueModel>) = (None, None, None);
    let mut have_profile = false;
    let mut esp_qos = QoS::AtMostOnce;
    while !c.at_end() {
        let (opt, col) = c.word("an option")?;
        if link_opt(c, &opt, &mut link)? || conn_opt(c, &opt, &mut conn)? {
            continue;
        }
        let handled = match (&mut kind, opt.as_str()) {
            (NodeKind::Sensor { topic, .. }, "topic") => {
                *topic = c.topic(false)?;
                true
            }
            (NodeKind::Sensor { every, .. }, "every") => {
                *every = period(c)?;
                true
            }
            (NodeKind::Sensor { model: m, .. }, "model") => {
                *m = model(c)?;
                true
            }
            (NodeKind::Sensor { qos, .. }, "qos") => {
                *qos = c.qos()?;
                true
            }
            (NodeKind::Sensor { retain, .. }, "retain") => {
                *retain = true;
                true
            }
            (NodeKind::Actuator { topic, .. }, "topic") => {
                *topic = c.topic(true)?;
                true
            }
            (NodeKind::Actuator { qos, .. }, "qos") => {
                *qos = c.qos()?;
                true
            }
            (NodeKind::Controller { input, .. }, "input") => {
                *input = c.topic(true)?;
                true
            }
            (NodeKind::Controller { output, .. }, "output") => {
                *output = c.topic(false)?;
                true
            }
            (NodeKind::Controller { setpoint, .. }, "setpoint") => {
                *setpoint = c.float("a temperature")?;
                true
            }
            (NodeKind::Controller { hysteresis, .. }, "hysteresis") => {
                *hysteresis = c.float("a number")?;
                true
            }
            (NodeKind::Esp32 { profile, .. }, "profile") => {
                let (p, pc) = c.word("a profile")?;
                *profile = match p.as_str() {
                    "pubsubclient" => Esp32Profile::PubSubClient { buffer: 256 },
                    "pubsubclient-128" => Esp32Profile::PubSubClient { buffer: 128 },
                    "esp-idf" => Esp32Profile::EspIdf,
                    other => {
                        return c.err(
                            pc,
                            format!(
                            "unknown profile '{other}' (pubsubclient, pubsubclient-128, esp-idf)"
                        ),
                        )
                    }
                };
                have_profile = true;
                true
            }
            (NodeKind::Esp32 { .. }, "topic") => {
                esp_sensor.0 = Some(c.topic(false)?);
                true
            }
            (NodeKind::Esp32 { .. }, "qos") => {
                esp_qos = c.qos()?;
                true
            }
            (NodeKind::Esp32 { .. }, "every") => {
                esp_sensor.1 = Some(period(c)?);
                true
            }
            (NodeKind::Esp32 { .. }, "model") => {
                esp_sensor.2 = Some(model(c)?);
                true
            }
            (NodeKind::Esp32 { command, .. }, "subscribe") => {
                let f = c.topic(true)?;
                let q = if c.eat("qos") {
                    c.qos()?
                } else {
                    QoS::AtMostOnce
                };
                *command = Some((f, q));
                true
            }
            (NodeKind::Esp32 { announce, .. }, "announce") => {
                let t = c.topic(false)?;
                let p = c.text("a payload")?;
                *announce = Some((t, p));
                true
            }
            (NodeKind::Esp32 { reconnect, .. }, "reconnect") => {
                *reconnect = Some(c.duration()?);
                true
            }
            _ => false,
        };
        if !handled {
            return c.err(col, format!("'{opt}' is not an option of {kw}"));
        }
    }
    match &mut kind {
        NodeKind::Sensor { topic, every, .. } => {
            if topic.is_empty() || every.is_zero() {
                return c.err(
                    c.end_col,
                    "a sensor needs 'topic TOPIC' and 'every DURATION'",
                );
            }
        }
        NodeKind::Actuator { topic, .. } if topic.is_empty() => {
            return c.err(c.end_col, "an actuator needs 'topic TOPIC'");
        }
        NodeKind::Controller {
            input,
            output,
            setpoint,
            ..
        } if input.is_empty() || output.is_empty() || setpoint.is_nan() => {
            return c.err(
                c.end_col,
                "a controller needs 'input TOPIC output TOPIC setpoint VALUE'",
            );
        }
        NodeKind::Esp32 { sensor, .. } => {
            if !have_profile {
                return c.err(
                    c.end_col,
                    "an esp32 needs 'profile pubsubclient|pubsubclient-128|esp-idf'",
                );
            }
            match esp_sensor {
                (Some(t), Some(e), m) => {
                    *sensor = Some((t, e, m.unwrap_or(ValueModel::Constant(0.0)), esp_qos))
                }
                (None, None, None) => {}
                _ => {
                    return c.err(
                        c.end_col,
                        "an esp32 sensor needs both 'topic TOPIC' and 'every DURATION'",
                    )
                }
            }
        }
        _ => {}
    }
    let mut params = LinkParams::default();
    link.apply(&mut params);
    sc.nodes.push(NodeDecl {
        name,
        kind,
        broker: Some(broker),
        link: params,
        conn,
    });
    Ok(())
}

fn timed(c: &mut Cur, at: Instant) -> R<ActionSpec> {
    if let Some(Token {
        tok: Tok::Command {
            node,
            text,
            text_column,
        },
        column,
    }) = c.toks.get(c.pos)
    {
        if let Err(e) = parse_command_line(text) {
            let msg = e.to_string().replace('\n', " ");
            return c.err(*text_column, msg);
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
    let (a, col) = c.word("an action such as 'kill sensor1' or 'sub1: mosquitto_sub ...'")?;
    let spec = match a.as_str() {
        "kill" => ActionSpec::Kill(c.name("a node")?),
        "halfopen" => ActionSpec::HalfOpen(c.name("a node")?),
        "partition" => {
            let n = c.name("a node")?;
            let d = if c.eat("for") {
                Some(c.duration()?)
            } else {
                None
            };
            ActionSpec::Partition(n, d)
        }
        "heal" => ActionSpec::Heal(c.name("a node")?),
        "link" => {
            let n = c.name("a node")?;
            let mut change = LinkChange::default();
            while !c.at_end() {
                let (opt, oc) = c.word("a link option")?;
                if link_opt(c, &opt, &mut change)? {
                    continue;
                }
                return match suggest(&opt, LINK_OPTIONS.iter().copied()) {
                    Some(s) => c.err(
                        oc,
                        format!("unknown link option '{opt}' (did you mean '{s}'?)"),
                    ),
                    None => c.err(
                        oc,
                        format!("unknown link option '{opt}' ({})", LINK_OPTIONS.join(", ")),
                    ),
                };
            }
            if change.is_empty() {
                return c.err(
                    c.end_col,
                    format!(
                        "say what changes: link {} latency 300ms loss 10% (options: {})",
                        n.name,
                        LINK_OPTIONS.join(", ")
                    ),
                );
            }
            ActionSpec::Link(n, change)
        }
        "restart" => ActionSpec::Restart(c.name("a broker")?),
        "stop" | "ctrl-c" => ActionSpec::Stop(c.name("a node")?),
        "wifi-drop" => {
            let n = c.name("a node")?;
            c.keyword("for")?;
            ActionSpec::WifiDrop(n, c.duration()?)
        }
        "connect" => {
            let n = c.name("a node")?;
            let mut conn = ConnSpec::default();
            let mut reconnect = None;
            while !c.at_end() {
                let (opt, oc) = c.word("a connect option")?;
                if conn_opt(c, &opt, &mut conn)? {
                    continue;
                }
                if opt == "reconnect" {
                    reconnect = Some(c.duration()?);
                    continue;
                }
                return c.err(oc, format!("unknown connect option '{opt}' (id, keepalive, persistent, clean, user, will, reconnect)"));
            }
            ActionSpec::Connect(n, conn, reconnect)
        }
        "disconnect" => ActionSpec::Disconnect(c.name("a node")?),
        "publish" => {
            let n = c.name("a node")?;
            let t = c.topic(false)?;
            let p = c.text("a payload")?;
            let mut qos = QoS::AtMostOnce;
            let mut retain = false;
            while !c.at_end() {
                if c.eat("qos") {
                    qos = c.qos()?;
                } else if c.eat("retain") {
                    retain = true;
                } else {
                    return c.err(c.col(), "expected 'qos N' or 'retain'");
                }
            }
            ActionSpec::Publish(n, t, p, qos, retain)
        }
        "subscribe" => {
            let n = c.name("a node")?;
            let f = c.topic(true)?;
            let q = if c.eat("qos") {
                c.qos()?
            } else {
                QoS::AtMostOnce
            };
            ActionSpec::Subscribe(n, f, q)
        }
        "unsubscribe" => {
            let n = c.name("a node")?;
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
            return match suggest(other, ACTIONS.iter().copied()) {
                Some(s) => c.err(
                    col,
                    format!("unknown action '{other}' (did you mean '{s}'?)"),
                ),
                None => c.err(
                    col,
                    format!(
                        "unknown action '{other}'; write 'NODE: COMMAND' or one of: {}",
                        ACTIONS.join(", ")
                    ),
                ),
            }
        }
    };
    c.finish()?;
    Ok(spec)
}

fn packet_type(c: &mut Cur) -> R<Option<PacketType>> {
    let (w, col) = c.word("a packet type such as PUBACK")?;
    let upper = w.to_ascii_uppercase();
    if upper == "ANY" || upper == "PACKET" {
        return Ok(None);
    }
    for n in 1..=14u8 {
        if let Some(t) = PacketType::from_nibble(n) {
            if t.name() == upper {
                return Ok(Some(t));
            }
        }
    }
    let names: Vec<&str> = (1..=14u8)
        .filter_map(PacketType::from_nibble)
        .map(PacketType::name)
        .collect();
    if let Some(kw) = suggest(&w, ["next", "every"]) {
        return c.err(
            col,
            format!("unknown packet type '{w}' (did you mean '{kw}'?)"),
        );
    }
    match suggest(&upper, names.iter().copied()) {
        Some(s) => c.err(
            col,
            format!("unknown packet type '{w}' (did you mean '{s}'?)"),
        ),
        None => c.err(
            col,
            format!(
                "unknown packet type '{w}' (one of {} or ANY)",
                names.join(", ")
            ),
        ),
    }
}

fn fault(c: &mut Cur, start: Instant, label: &str) -> R<FaultSpec> {
    let (a, col) = c.word("drop, delay or duplicate")?;
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
        let (opt, oc) = c.word("to, from, by, for, after or times")?;
        match opt.as_str() {
            "to" => spec.to = Some(c.name("a node")?),
            "from" => spec.from = Some(c.name("a node")?),
            "by" => delay = Some(c.duration()?),
            "for" => spec.duration = Some(c.duration()?),
            "after" => spec.start = c.time()?,
            "times" => spec.count = Some(c.number("a count")?),
            other => {
                return c.err(
                    oc,
                    format!("unknown fault option '{other}' (to, from, by, for, after, times)"),
                )
            }
        }
    }
    spec.action = match a.as_str() {
        "drop" => FaultAction::Drop,
        "duplicate" => FaultAction::Duplicate,
        "delay" => match delay {
            Some(d) => FaultAction::Delay(d),
            None => return c.err(c.end_col, "a delay needs 'by DURATION'"),
        },
        other => {
            return c.err(
                col,
                format!("unknown fault '{other}' (drop, delay, duplicate)"),
            )
        }
    };
    Ok(spec)
}

fn window(c: &mut Cur, last_at: Instant, e: &mut Expect) -> R<bool> {
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

fn expect(c: &mut Cur, last_at: Instant, text: &str) -> R<Expect> {
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
        let summary = c.text("a packet summary such as \"PUBLISH d1\"")?;
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
            while !c.at_end() {
                if c.eat("on") {
                    topic = Some(c.topic(false)?);
                } else if !window(c, last_at, &mut e)? {
                    return c.err(
                        c.col(),
                        "expected on, within, after, before, between, once or times",
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

/// Checks that every name used is declared once, and is a broker where a broker is
/// needed.
fn resolve(sc: &Scenario, errors: &mut Vec<ScenarioError>) {
    let mut declared: Vec<(&str, bool, usize)> = Vec::new();
    for n in &sc.nodes {
        if let Some((_, _, first)) = declared.iter().find(|(d, _, _)| *d == n.name.name) {
            errors.push(ScenarioError::new(
                n.name.line,
                n.name.column,
                format!(
                    "node '{}' is declared twice (first on line {first})",
                    n.name.name
                ),
            ));
            continue;
        }
        declared.push((
            &n.name.name,
            matches!(n.kind, NodeKind::Broker(_)),
            n.name.line,
        ));
    }
    let check =
        |r: &NameRef, want_broker: Option<bool>, errors: &mut Vec<ScenarioError>| match declared
            .iter()
            .find(|(d, _, _)| *d == r.name)
        {
            None => {
                let hint = suggest(&r.name, declared.iter().map(|(d, _, _)| *d))
                    .map(|s| format!(" (did you mean '{s}'?)"))
                    .unwrap_or_default();
                errors.push(ScenarioError::new(
                    r.line,
                    r.column,
                    format!("unknown node '{}'{hint}", r.name),
                ));
            }
            Some((_, is_broker, _)) => {
                if let Some(want) = want_broker {
                    if want != *is_broker {
                        let what = if want {
                            "a broker"
                        } else {
                            "a client-side node"
                        };
                        errors.push(ScenarioError::new(
                            r.line,
                            r.column,
                            format!("'{}' is not {what}", r.name),
                        ));
                    }
                }
            }
        };
    for n in &sc.nodes {
        if let Some(b) = &n.broker {
            check(b, Some(true), errors);
        }
    }
    for a in &sc.acls {
        check(&a.broker, Some(true), errors);
    }
    let fault_refs = |f: &FaultSpec, errors: &mut Vec<ScenarioError>| {
        for r in f.from.iter().chain(f.to.iter()) {
            check(r, None, errors);
        }
    };
    for a in &sc.actions {
        match &a.action {
            ActionSpec::Restart(r) => check(r, Some(true), errors),
            ActionSpec::Fault(f) => fault_refs(f, errors),
            ActionSpec::Command { node: r, .. }
            | ActionSpec::Kill(r)
            | ActionSpec::HalfOpen(r)
            | ActionSpec::Partition(r, _)
            | ActionSpec::Heal(r)
            | ActionSpec::Link(r, _)
            | ActionSpec::Stop(r)
            | ActionSpec::WifiDrop(r, _)
            | ActionSpec::Connect(r, _, _)
            | ActionSpec::Disconnect(r)
            | ActionSpec::Publish(r, ..)
            | ActionSpec::Subscribe(r, ..)
            | ActionSpec::Unsubscribe(r, _) => check(r, Some(false), errors),
        }
    }
    for f in &sc.faults {
        fault_refs(f, errors);
    }
    for e in &sc.expects {
        match &e.kind {
            ExpectKind::Log(r, _) | ExpectKind::Retained(r, ..) => check(r, Some(true), errors),
            ExpectKind::Packet { from, to, .. } => {
                for r in from.iter().chain(to.iter()) {
                    check(r, None, errors);
                }
            }
            ExpectKind::Receives { node: r, .. }
            | ExpectKind::Output(r, _)
            | ExpectKind::Prints(r, _)
            | ExpectKind::Refused(r, _)
            | ExpectKind::Suback(r, _)
            | ExpectKind::Connected(r, _)
            | ExpectKind::Switch(r, _) => check(r, Some(false), errors),
        }
    }
}
