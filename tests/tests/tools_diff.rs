//! The simulated `mosquitto_pub`/`mosquitto_sub` against the real ones: a
//! matrix of command lines (`tools_diff/cases.rs`), each case a short script of
//! invocations run twice, by Debian's mosquitto_sub/mosquitto_pub 2.0.11 against
//! a fresh `mosquitto` 2.0.11 on 127.0.0.1 (`tools_diff/real.rs`), and by the
//! simulated tools in a simulated world (`tools_diff/sim.rs`). Compared, per
//! invocation: standard output, standard error and the exit code of the run as
//! typed; the whole output of the run with `-d` added; and the order of each
//! printed line among the packets the invocation's client sent and received
//! (the real side's from libmosquitto's `-d` log, which it writes as it sends
//! and handles each packet; the simulator's from its trace).
//!
//! Where the two differ, the simulator is wrong. A difference not fixed yet is
//! pinned in its case (`Case::known`): the case still runs and its report must
//! be exactly the one pinned, so a fix or a new drift fails until the pin is
//! updated. A missing tool or broker fails the test and names it.

#[path = "tools_diff/case.rs"]
mod case;
#[path = "tools_diff/cases.rs"]
mod cases;
#[path = "tools_diff/outcome.rs"]
mod outcome;
#[path = "tools_diff/real.rs"]
mod real;
#[path = "tools_diff/sim.rs"]
mod sim;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use case::Case;
use cases::CASES;
use outcome::{report, wire_from_debug, Side};

/// Cases run at once (each has its own broker; they mostly wait).
const WORKERS: usize = 4;

/// Both sides of a case (real, simulated), or why it could not run.
type Sides = Result<(Side, Side), String>;

/// Both sides of a case.
fn run_case(case: &Case) -> Sides {
    let plain = real::run(case, false).map_err(|e| format!("real tools: {e}"))?;
    let debug = real::run(case, true).map_err(|e| format!("real tools, -d: {e}"))?;
    let wire = debug.iter().map(|o| wire_from_debug(&o.stdout)).collect();
    let terminal = debug.iter().map(|o| o.stdout.clone()).collect();
    let real = Side {
        plain,
        debug,
        wire,
        terminal,
    };
    let plain = sim::run(case, false).map_err(|e| format!("simulator: {e}"))?;
    let debug = sim::run(case, true).map_err(|e| format!("simulator, -d: {e}"))?;
    let sim = Side {
        plain: plain.plain,
        debug: debug.plain,
        wire: debug.wire,
        terminal: debug.terminal,
    };
    Ok((real, sim))
}

/// Fails naming each real peer that is not installed.
fn require_peers() {
    let missing = real::missing_peers();
    assert!(
        missing.is_empty(),
        "the differential test needs the real tools: missing {missing:?} (scripts/setup.sh test installs mosquitto, mosquitto-clients and coreutils)"
    );
}

/// Runs `cases` on [`WORKERS`] threads: each case's report (or why it could
/// not run) and how long it took, in matrix order.
fn run_all(cases: &[Case]) -> Vec<(Sides, Duration)> {
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..WORKERS {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(case) = cases.get(i) else { break };
                let start = Instant::now();
                let r = run_case(case);
                results
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((i, r, start.elapsed()));
            });
        }
    });
    let mut v = results.into_inner().unwrap_or_else(|e| e.into_inner());
    v.sort_by_key(|(i, _, _)| *i);
    v.into_iter().map(|(_, r, t)| (r, t)).collect()
}

#[test]
fn simulated_tools_match_mosquitto_2_0_11() {
    require_peers();
    let lines: usize = CASES.iter().map(|c| c.invocations().len()).sum();
    assert!(lines >= 40, "the matrix has only {lines} command lines");
    let start = Instant::now();
    let results = run_all(CASES);
    real::remove_password_file();
    let mut failures = String::new();
    let mut known = 0;
    for (case, (result, took)) in CASES.iter().zip(&results) {
        let verdict = match result {
            Err(e) => {
                failures.push_str(&format!("\n== {}: could not run: {e}\n", case.name));
                "could not run"
            }
            Ok((real, sim)) => {
                let r = report(case, real, sim);
                match (case.known, r.is_empty()) {
                    (None, true) => "same",
                    (None, false) => {
                        failures.push_str(&format!(
                            "\n== {}: the simulator differs\n{}pin (if it must stay): .known(\"WHY\", \"{}\", {:#018x})\n",
                            case.name,
                            r.text,
                            r.summary.escape_default(),
                            r.hash()
                        ));
                        "DIFFERS"
                    }
                    (Some(k), _) if k.summary == r.summary && k.hash == r.hash() => {
                        known += 1;
                        "known difference"
                    }
                    (Some(k), _) => {
                        failures.push_str(&format!(
                            "\n== {}: the known difference ({}) changed; pinned:\n{}now:\n{}{}pin: \"{}\", {:#018x}\n",
                            case.name,
                            k.why,
                            k.summary,
                            r.summary,
                            r.text,
                            r.summary.escape_default(),
                            r.hash()
                        ));
                        "known difference CHANGED"
                    }
                }
            }
        };
        eprintln!("{:<40} {:>6} ms  {verdict}", case.name, took.as_millis());
    }
    eprintln!(
        "{} cases, {lines} command lines, {known} known differences, in {:.1} s",
        CASES.len(),
        start.elapsed().as_secs_f64()
    );
    assert!(failures.is_empty(), "{failures}");
}

/// The course's QoS 2 experiment: the real mosquitto_sub prints the message
/// after PUBREL has arrived (libmosquitto hands a QoS 2 message to the program
/// then), and so must the simulated one.
#[test]
fn course_qos2_message_printed_after_pubrel() {
    require_peers();
    let case = CASES
        .iter()
        .find(|c| c.name == "course-qos2")
        .expect("the course case");
    let (real, sim) = run_case(case).unwrap_or_else(|e| panic!("{e}"));
    for (side, s) in [("real", &real), ("simulated", &sim)] {
        let w = &s.wire[0];
        let at = |item: &str| w.iter().position(|l| l == item);
        let (pubrel, printed) = (at("< PUBREL"), at("| mensagem"));
        assert!(
            pubrel.is_some() && printed.is_some() && printed > pubrel,
            "{side} mosquitto_sub: the message must be printed after PUBREL: {w:?}"
        );
    }
}
