//! What an invocation printed, the same made comparable, and the report of
//! where the two sides differ.

use super::case::Case;

/// What one invocation printed and how it ended. In a debug run standard error
/// is merged into `stdout` (in the order written) and `stderr` is empty.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    /// The exit code; `None` for a process that died of a signal (or, in the
    /// simulator, one that has not ended).
    pub code: Option<i32>,
}

/// One side of a case: its plain run, its debug run, and per invocation the
/// order of output lines among the packets that invocation's client sent
/// (`> TYPE`) and received (`< TYPE`), printed lines as `| LINE`.
#[derive(Debug, Clone, Default)]
pub struct Side {
    pub plain: Vec<Outcome>,
    pub debug: Vec<Outcome>,
    pub wire: Vec<Vec<String>>,
    /// Per invocation, what a terminal shows of the debug run: the real one
    /// prints the bytes as written; the simulated page shows its terminal lines.
    pub terminal: Vec<String>,
}

/// Whether `line` is libmosquitto's debug log line for a packet sent or
/// received (`Client ID sending PUBLISH (d0, ...)`), and which.
pub fn packet_line(line: &str) -> Option<(bool, &str)> {
    let rest = line.strip_prefix("Client ")?;
    let (_, rest) = rest.split_once(' ')?;
    let (sent, rest) = if let Some(r) = rest.strip_prefix("sending ") {
        (true, r)
    } else {
        (false, rest.strip_prefix("received ")?)
    };
    let kind = rest.split([' ', '(']).next()?;
    (!kind.is_empty() && kind.chars().all(|c| c.is_ascii_uppercase())).then_some((sent, kind))
}

/// The real side's wire view, from a debug run's merged output: its packet
/// lines are the packets. Two things in libmosquitto's log are not one packet
/// each: a SUBSCRIBE (or UNSUBSCRIBE) with several filters logs one line per
/// filter, all with the same Mid (one packet here); and the DISCONNECT
/// mosquitto_sub logs after a refused CONNACK is left out, the socket being
/// closed by then (tests/tests/tools_refusals.rs checks that no byte is sent).
/// A line printed without an end of line (`-N`) runs into the next log line:
/// the two are split where the log line starts.
pub fn wire_from_debug(merged: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut refused = false;
    let mut last_subscribe: Option<String> = None;
    for whole in merged.lines() {
        let mut pieces = vec![whole];
        if packet_line(whole).is_none() {
            if let Some(at) = whole
                .match_indices("Client ")
                .map(|(i, _)| i)
                .find(|&i| i > 0 && packet_line(&whole[i..]).is_some())
            {
                pieces = vec![&whole[..at], &whole[at..]];
            }
        }
        for line in pieces {
            let mid = line
                .split_once("(Mid: ")
                .map(|(_, m)| m.split([',', ')']).next().unwrap_or("").to_string());
            match packet_line(line) {
                Some((true, "DISCONNECT")) if refused => refused = false,
                Some((true, kind @ ("SUBSCRIBE" | "UNSUBSCRIBE")))
                    if last_subscribe.as_deref() == Some(&format!("{kind} {mid:?}")) => {}
                Some((sent, kind)) => {
                    refused = kind == "CONNACK" && !line.ends_with("CONNACK (0)");
                    last_subscribe = sent.then(|| format!("{kind} {mid:?}"));
                    out.push(format!("{} {kind}", if sent { ">" } else { "<" }));
                }
                None => {
                    last_subscribe = None;
                    out.push(format!("| {line}"));
                }
            }
        }
    }
    out
}

/// A comparable copy of `text` for this case. The simulator's made-up client
/// id (`mosq-` and 18 letters or digits from the node's generator, for a
/// command without `-i`) becomes `mosq-RANDOM`, so that a pinned difference
/// does not hang on the draw (the real tools print `Client (null)`: that
/// difference stays). For cases that ask, every run of digits is replaced (the
/// time in `-F %I`, `%U`, `%j`, the process id in a `-I` client id). Nothing
/// else is normalised, but for the identifier a 5.0 broker assigns
/// (`auto-` and a random UUID), which becomes `auto-ID`.
pub fn normalise(case: &Case, _line: &str, text: &str) -> String {
    let text = &assigned_ids(text);
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(at) = rest.find("mosq-") {
        let id = &rest[at + 5..];
        let len = id.bytes().take_while(u8::is_ascii_alphanumeric).count();
        out.push_str(&rest[..at + 5]);
        if len == 18 {
            out.push_str("RANDOM");
            rest = &id[18..];
        } else {
            rest = id;
        }
    }
    out.push_str(rest);
    if !case.digits {
        return out;
    }
    let mut d = String::with_capacity(out.len());
    let mut in_digits = false;
    for c in out.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                d.push('N');
            }
            in_digits = true;
        } else {
            in_digits = false;
            d.push(c);
        }
    }
    d
}

/// `auto-XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX` (mosquitto's Assigned Client
/// Identifier) as `auto-ID`.
pub fn assigned_ids(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("auto-") {
        let id = &rest[at + 5..];
        let len = id
            .bytes()
            .take_while(|b| b.is_ascii_hexdigit() || *b == b'-')
            .count();
        out.push_str(&rest[..at + 5]);
        if len == 36 {
            out.push_str("ID");
            rest = &id[36..];
        } else {
            rest = id;
        }
    }
    out.push_str(rest);
    out
}

fn normalised(case: &Case, line: &str, o: &Outcome) -> Outcome {
    Outcome {
        stdout: normalise(case, line, &o.stdout),
        stderr: normalise(case, line, &o.stderr),
        code: o.code,
    }
}

/// Where and how the two sides of a case differ.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// `[i] aspect, aspect` for each invocation that differs, one per line.
    pub summary: String,
    /// The details: both sides of every aspect that differs.
    pub text: String,
}

impl Report {
    pub fn is_empty(&self) -> bool {
        self.summary.is_empty()
    }

    /// FNV-1a 64 of the details: a known difference pins it, so that any
    /// change in what differs is noticed.
    pub fn hash(&self) -> u64 {
        let mut h = mqttlab_core::sim::trace::Fnv64::new();
        h.write(self.text.as_bytes());
        h.finish()
    }
}

/// Every difference between the two sides, per invocation and aspect: the run
/// as typed (`stdout`, `stderr`, `exit`), the run with `-d` (`with -d`: the
/// whole output, standard error merged; `exit with -d`), what the page's
/// terminal shows of the latter (`terminal`, compared only where the output
/// itself agrees) and the order among the packets (`order on the wire`).
pub fn report(case: &Case, real: &Side, sim: &Side) -> Report {
    let mut r = Report::default();
    for (i, (line, _)) in case.invocations().iter().enumerate() {
        let pick = |v: &[Outcome]| {
            v.get(i)
                .map(|o| normalised(case, line, o))
                .unwrap_or_default()
        };
        let (rp, sp) = (pick(&real.plain), pick(&sim.plain));
        let (rd, sd) = (pick(&real.debug), pick(&sim.debug));
        let mut aspects: Vec<(&str, String)> = Vec::new();
        let mut both = |name: &'static str, a: &dyn std::fmt::Debug, b: &dyn std::fmt::Debug| {
            aspects.push((
                name,
                format!(
                    "  {name}: real {a:?}\n  {:w$}  sim  {b:?}",
                    "",
                    w = name.len()
                ),
            ));
        };
        if rp.stdout != sp.stdout {
            both("stdout", &rp.stdout, &sp.stdout);
        }
        if rp.stderr != sp.stderr {
            both("stderr", &rp.stderr, &sp.stderr);
        }
        if rp.code != sp.code {
            both("exit", &rp.code, &sp.code);
        }
        if rd.stdout != sd.stdout {
            both("with -d", &rd.stdout, &sd.stdout);
        } else {
            let term = |v: &[String]| {
                v.get(i)
                    .map(|t| normalise(case, line, t))
                    .unwrap_or_default()
            };
            let (rt, st) = (term(&real.terminal), term(&sim.terminal));
            if rt != st {
                both("terminal", &rt, &st);
            }
        }
        if rd.code != sd.code && rp.code == sp.code {
            both("exit with -d", &rd.code, &sd.code);
        }
        let wire = |v: &[Vec<String>]| -> Vec<String> {
            v.get(i)
                .map(|w| w.iter().map(|l| normalise(case, line, l)).collect())
                .unwrap_or_default()
        };
        let (rw, sw) = (wire(&real.wire), wire(&sim.wire));
        if rw != sw {
            both("order on the wire", &rw.join(", "), &sw.join(", "));
        }
        if !aspects.is_empty() {
            let names: Vec<&str> = aspects.iter().map(|(n, _)| *n).collect();
            r.summary.push_str(&format!("[{i}] {}\n", names.join(", ")));
            let details: Vec<String> = aspects.into_iter().map(|(_, d)| d).collect();
            r.text
                .push_str(&format!("[{i}] {line}\n{}\n", details.join("\n")));
        }
    }
    r
}
