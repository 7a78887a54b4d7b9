//! `mqttlab pub/sub/rr` against Debian's `mosquitto_pub/sub/rr` 2.0.11 for
//! MQTT 5.0: a matrix of command lines (`tools_diff5/cases.rs`), each case a
//! short script run twice against a fresh `mosquitto -v` 2.0.11 on
//! 127.0.0.1, once with the real tools and once with `mqttlab`'s (the core's
//! one tool state machine on real sockets). Compared, per invocation: standard
//! output, standard error and exit code as typed; the whole output with `-d`
//! (libmosquitto's log of every packet sent and received, which mqttlab's
//! tools print alike); the order of printed lines among those packets; and
//! what the broker logged of the whole case (`mosquitto -v`: each packet it
//! received and sent, with its client, flags, QoS, message ids and reason
//! codes). What the properties themselves carried is checked by observers
//! (a real `mosquitto_sub -F %j` both sides share) printing what arrived.
//!
//! A third column runs each case in the simulator (`tools_diff/sim.rs`: the
//! simulated `-V 5` tools against the simulated broker on the virtual clock,
//! an observer tagged `real` played by the simulated mosquitto_sub) and
//! compares its outputs, `-d` logs and order on the wire with the real tools'.
//!
//! Where the two differ, mqttlab is wrong, unless the standard says otherwise
//! (then the case pins it with `Case::known` and says why). A missing tool or
//! broker fails the test and names it.

#[path = "tools_diff/case.rs"]
#[allow(dead_code)] // the 3.1.1 matrix uses more of it
mod case;
#[path = "tools_diff5/cases.rs"]
mod cases;
#[path = "tools_diff/outcome.rs"]
#[allow(dead_code)]
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
use outcome::{assigned_ids, report, wire_from_debug, Report, Side};
use real::Tools;

/// Cases run at once (each has its own broker; they mostly wait).
const WORKERS: usize = 4;

/// One side of a case and what its broker logged in the run without `-d`.
fn side(case: &Case, tools: Tools) -> Result<(Side, Vec<String>), String> {
    let (plain, log) = real::run_with(case, false, tools)?;
    let (debug, _) = real::run_with(case, true, tools).map_err(|e| format!("-d: {e}"))?;
    let wire = debug.iter().map(|o| wire_from_debug(&o.stdout)).collect();
    let terminal = debug.iter().map(|o| o.stdout.clone()).collect();
    Ok((
        Side {
            plain,
            debug,
            wire,
            terminal,
        },
        log,
    ))
}

/// A broker log line made comparable: assigned client ids, ports, the
/// config file's name; with `digits`, every number.
fn comparable_log(case: &Case, log: &[String]) -> Vec<String> {
    log.iter()
        .filter(|l| !l.starts_with("Config loaded from") && !l.contains("mosquitto version"))
        .map(|l| {
            let mut l = assigned_ids(l);
            if let Some(at) = l.find("127.0.0.1:") {
                let end = l[at + 10..]
                    .find(|c: char| !c.is_ascii_digit())
                    .map_or(l.len(), |e| at + 10 + e);
                l.replace_range(at + 10..end, "PORT");
            }
            if let Some(at) = l.find("on port ") {
                l.truncate(at + 8);
                l.push('N');
            }
            outcome::normalise(case, "", &l)
        })
        .collect()
}

/// The client a broker log line is about, if it names one.
fn client_of(line: &str) -> Option<&str> {
    let after = |key: &str| {
        line.find(key).map(|at| {
            let rest = &line[at + key.len()..];
            rest.split([' ', '(']).next().unwrap_or("")
        })
    };
    if line.starts_with("New client connected") {
        return after(" as ");
    }
    if line.starts_with("Sending ") {
        return after(" to ");
    }
    if line.starts_with("Received ") {
        return after(" from ");
    }
    if let Some(rest) = line.strip_prefix("Client ") {
        return rest.split(' ').next();
    }
    None
}

/// The broker's log per client, each client's lines in order: what each
/// client sent and was sent. Clients run in processes of their own, so how
/// their lines interleave depends on the scheduler, not on the tools.
fn per_client(log: &[String]) -> std::collections::BTreeMap<String, Vec<String>> {
    let mut groups: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    let mut current = String::new();
    let mut pending: Vec<String> = Vec::new();
    for l in log {
        if l.starts_with("New connection from") {
            pending.push(l.clone());
            continue;
        }
        if let Some(c) = client_of(l) {
            current = c.to_string();
        }
        let g = groups.entry(current.clone()).or_default();
        g.append(&mut pending);
        g.push(l.clone());
    }
    groups.entry(current).or_default().append(&mut pending);
    groups
}

/// The third column: the simulated tools in a simulated world (the one
/// state machine again, now on the virtual clock against the core broker).
fn sim_side(case: &Case) -> Result<Side, String> {
    let plain = sim::run(case, false)?;
    let debug = sim::run(case, true).map_err(|e| format!("-d: {e}"))?;
    Ok(Side {
        plain: plain.plain,
        debug: debug.plain,
        wire: debug.wire,
        terminal: debug.terminal,
    })
}

/// The report of a case: the tools' outputs, then the broker's logs; then
/// the simulated tools' outputs against the real ones.
fn compare(case: &Case) -> Result<Report, String> {
    let (real, real_log) = side(case, Tools::Mosquitto).map_err(|e| format!("real tools: {e}"))?;
    let (ours, our_log) = side(case, Tools::Mqttlab).map_err(|e| format!("mqttlab: {e}"))?;
    let simulated = sim_side(case).map_err(|e| format!("simulator: {e}"))?;
    let mut r = report(case, &real, &ours);
    let s = report(case, &real, &simulated);
    if !s.is_empty() {
        r.summary.push_str(&format!("[simulator]\n{}", s.summary));
        r.text.push_str(&format!(
            "[simulator] (\"sim\" below is the simulator)\n{}",
            s.text
        ));
    }
    let (a, b) = (
        per_client(&comparable_log(case, &real_log)),
        per_client(&comparable_log(case, &our_log)),
    );
    if a != b {
        r.summary.push_str("[broker] log\n");
        r.text.push_str(&format!(
            "[broker] mosquitto -v\n  real    {a:?}\n  mqttlab {b:?}\n"
        ));
    }
    Ok(r)
}

fn run_all(cases: &[Case]) -> Vec<(Result<Report, String>, Duration)> {
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..WORKERS {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(case) = cases.get(i) else { break };
                let start = Instant::now();
                let r = compare(case);
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
fn mqttlab_tools_match_mosquitto_2_0_11_under_mqtt_5() {
    let missing = real::missing_peers();
    assert!(
        missing.is_empty(),
        "the 5.0 differential test needs the real tools: missing {missing:?} (scripts/setup.sh test installs mosquitto and mosquitto-clients)"
    );
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
            Ok(r) => match (case.known, r.is_empty()) {
                (None, true) => "same",
                (None, false) => {
                    failures.push_str(&format!(
                        "\n== {}: mqttlab's tools differ (\"sim\" below is mqttlab)\n{}pin (if it must stay): .known(\"WHY\", \"{}\", {:#018x})\n",
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
            },
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
