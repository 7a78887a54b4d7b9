//! A case run by the simulated tools: a scenario with a broker `b` and one
//! client node per invocation (`c0`, `c1`, ... each a terminal of its own, 1 ms
//! from the broker), the script's steps as timed actions on the virtual clock.
//!
//! A step that waits for something on the real side takes a fixed stretch of
//! virtual time here, far longer than the exchange needs at 1 ms latency:
//! `Start` 0.5 s, `Run` 2 s (a `--repeat-delay 1` or a `-W 1` fits), `Stop` and
//! `Kill` 0.5 s; the world then runs 10 s past the last step, as the real side
//! waits up to that long for a `Wait`.

use mqttlab_core::sim::scenario;
use mqttlab_core::sim::trace::{Fate, TraceKind};
use mqttlab_core::sim::world::World;
use mqttlab_core::tools::cli::parse_command_line;
use mqttlab_core::tools::Stream;

use super::case::{addressed, with_debug, Broker, Case, Step};
use super::outcome::{packet_line, Outcome, Side};

/// The virtual milliseconds each kind of step takes.
fn step_ms(step: &Step) -> u64 {
    match step {
        Step::Start(_) => 500,
        Step::Run(_) | Step::RunIn(..) => 2000,
        Step::Stop(_) | Step::Kill(_) => 500,
        Step::Wait(_) => 0,
    }
}

/// The scenario text for the case (`debug`: `-d` added to every command line).
pub fn scenario_text(case: &Case, debug: bool) -> String {
    let mut s = String::from(match case.broker {
        Broker::Open | Broker::Elsewhere => "broker b\n",
        Broker::NoAnonymous => "broker b no-anonymous\n",
        Broker::Password => "broker b no-anonymous user aluno \"1234\"\n",
        Broker::Closed => "broker b port 1888\n",
    });
    let invocations = case.invocations();
    for i in 0..invocations.len() {
        s.push_str(&format!("client c{i} -> b latency 1ms\n"));
    }
    let mut t = 1000u64;
    let mut n = 0;
    for step in case.steps {
        let line = match *step {
            Step::Run(l) | Step::Start(l) | Step::RunIn(l, _) => {
                let l = addressed(case, untagged(l), "b");
                let l = if debug { with_debug(&l) } else { l };
                n += 1;
                // A line the tool refuses never starts a program: see `bad_line`.
                if parse_command_line(&l).is_err() {
                    None
                } else {
                    Some(format!("at {t}ms c{}: {l}\n", n - 1))
                }
            }
            Step::Stop(i) => Some(format!("at {t}ms stop c{i}\n")),
            Step::Kill(i) => Some(format!("at {t}ms kill c{i}\n")),
            Step::Wait(_) => None,
        };
        if let Some(line) = line {
            s.push_str(&line);
        }
        t += step_ms(step);
    }
    s.push_str(&format!("run {}ms\n", t + 10_000));
    s
}

/// A command line without the 5.0 matrix's `real ` tag (an observer that is
/// the real tool on both real sides; here the simulated one observes).
fn untagged(line: &str) -> &str {
    line.strip_prefix("real ").unwrap_or(line)
}

/// What the simulator shows for a command line the tool refuses to run.
fn bad_line(line: &str) -> Option<Outcome> {
    parse_command_line(line).err().map(|e| Outcome {
        stdout: String::new(),
        stderr: format!("{e}\n"),
        code: Some(1),
    })
}

/// What node `c{i}`'s program wrote and how it ended; with `merged`, standard
/// error goes into `stdout` too, as in the real side's debug run.
fn outcome(w: &World, i: usize, merged: bool) -> Outcome {
    let c = w
        .client(w.node_id(&format!("c{i}")).expect("node"))
        .expect("a client node");
    let mut o = Outcome {
        code: c.exit_code,
        ..Outcome::default()
    };
    for (_, out) in &c.output {
        let text = String::from_utf8_lossy(&out.bytes);
        match out.stream {
            Stream::Stderr if !merged => o.stderr.push_str(&text),
            _ => o.stdout.push_str(&text),
        }
    }
    o
}

/// Node `c{i}`'s terminal: what the page shows, line by line.
fn terminal(w: &World, i: usize) -> String {
    let c = w
        .client(w.node_id(&format!("c{i}")).expect("node"))
        .expect("a client node");
    c.terminal.iter().map(|(_, l)| format!("{l}\n")).collect()
}

/// Node `c{i}`'s packets and printed lines in the order they happened: sent
/// (`> TYPE`) and delivered to it (`< TYPE`), its terminal lines (`| LINE`)
/// except the debug log's packet lines (the packets stand for those).
fn wire(w: &World, i: usize) -> Vec<String> {
    let node = format!("c{i}");
    let kind = |summary: &str| summary.split(' ').next().unwrap_or("").to_string();
    w.trace()
        .entries()
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::Packet {
                fate: Fate::Sent,
                from,
                summary,
                ..
            } if *from == node => Some(format!("> {}", kind(summary))),
            TraceKind::Packet {
                fate: Fate::Delivered,
                to,
                summary,
                ..
            } if *to == node => Some(format!("< {}", kind(summary))),
            TraceKind::Terminal { node: n, text } if *n == node && packet_line(text).is_none() => {
                Some(format!("| {text}"))
            }
            _ => None,
        })
        .collect()
}

/// Runs the case in the simulator: the outcomes (plain or with `-d`) in
/// [`Side::plain`], the wire view and the terminal of each invocation.
pub fn run(case: &Case, debug: bool) -> Result<Side, String> {
    let text = scenario_text(case, debug);
    let report = scenario::run(&text, Some(1)).map_err(|e| format!("{text}\n{e:?}"))?;
    let w = &report.world;
    let mut side = Side::default();
    for (i, (line, _)) in case.invocations().iter().enumerate() {
        let line = addressed(case, untagged(line), "b");
        let line = if debug { with_debug(&line) } else { line };
        match bad_line(&line) {
            Some(mut o) => {
                if debug {
                    // As the real side's debug run: one stream.
                    let err = std::mem::take(&mut o.stderr);
                    o.stdout.push_str(&err);
                }
                let lines = o.stdout.lines().chain(o.stderr.lines());
                side.wire
                    .push(lines.clone().map(|l| format!("| {l}")).collect());
                side.terminal
                    .push(lines.map(|l| format!("{l}\n")).collect());
                side.plain.push(o);
            }
            None => {
                side.plain.push(outcome(w, i, debug));
                side.wire.push(wire(w, i));
                side.terminal.push(terminal(w, i));
            }
        }
    }
    Ok(side)
}
