//! `mqttlab run FILE --seed N [--log] [--trace out.json] [--pcap out.pcap]`: runs a
//! scenario (a file, or the name of a bundled one) and checks its expectations.
//! `--until T --state` stops it at any moment and prints what each broker held
//! then, in the words of the page's broker-state panel (what a scrubbed
//! timeline in the page must show for the same scenario, seed and time).

use std::path::PathBuf;
use std::time::Instant as WallClock;

use clap::Args;
use mqttlab_core::sim::bundled;
use mqttlab_core::sim::node::Node;
use mqttlab_core::sim::pcap::{to_pcap, EPOCH_SECS};
use mqttlab_core::sim::scenario;
use mqttlab_core::sim::scenario::units::parse_duration;
use mqttlab_core::sim::trace::TraceKind;
use mqttlab_core::sim::TraceMode;
use mqttlab_core::time::Instant;

use super::state;

/// Flags of `mqttlab run`.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// A scenario file (`-` for standard input), or a bundled scenario's name
    /// (e.g. `06-last-will`); `--list` shows the bundled ones.
    #[arg(required_unless_present = "list")]
    pub file: Option<String>,
    /// The seed every random draw follows from (default: the file's `seed`, else 0).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Print the broker log, `mosquitto -v` style, with virtual time.
    #[arg(long)]
    pub log: bool,
    /// Print the whole trace.
    #[arg(long)]
    pub verbose: bool,
    /// Write the trace as JSON.
    #[arg(long, value_name = "FILE")]
    pub trace: Option<PathBuf>,
    /// Write a pcap capture (open it in Wireshark, or `tshark -r FILE -Y mqtt`).
    #[arg(long, value_name = "FILE")]
    pub pcap: Option<PathBuf>,
    /// List the bundled scenarios.
    #[arg(long)]
    pub list: bool,
    /// Stop at this virtual time (`30s`, `35.6s`, `1500ms`) instead of the
    /// scenario's end; the expectations, which are about the whole run, are
    /// then not checked.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub until: Option<Instant>,
    /// Print each broker's sessions (subscriptions, in flight, queued),
    /// retained messages and pending wills when the run stops.
    #[arg(long)]
    pub state: bool,
}

fn parse_time(s: &str) -> Result<Instant, String> {
    parse_duration(s)
        .map(|d| Instant::from_micros(d.as_micros() as u64))
        .ok_or_else(|| format!("'{s}' is not a time (30s, 35.6s, 1500ms)"))
}

/// Runs the command; returns the process exit code (0 all expectations held, 1 one
/// failed, 2 the scenario has errors or a file could not be read or written).
pub fn run(args: RunArgs) -> i32 {
    if args.list {
        for b in bundled::BUNDLED {
            let title = scenario::parse(b.source)
                .ok()
                .and_then(|s| s.title)
                .unwrap_or_default();
            println!("{:32} {title}", b.name);
        }
        return 0;
    }
    let Some(file) = args.file.as_deref() else {
        return 2;
    };
    let read = if file == "-" {
        std::io::read_to_string(std::io::stdin())
    } else {
        std::fs::read_to_string(file)
    };
    let (name, source) = match read {
        Ok(s) => (file.to_owned(), s),
        Err(e) => match bundled::find(file) {
            Some(b) => (b.name.to_owned(), b.source.to_owned()),
            None => {
                eprintln!("mqttlab run: cannot read '{file}': {e} (and no bundled scenario has that name; see --list)");
                return 2;
            }
        },
    };
    let started = WallClock::now();
    let ran = scenario::parse(&source).and_then(|sc| {
        let seed = args.seed.or(sc.seed).unwrap_or(0);
        let until = args.until.unwrap_or_else(|| sc.end_time());
        sc.run_to(seed, TraceMode::Full, until)
            .map_err(|e| scenario::ScenarioErrors(vec![e]))
    });
    let mut report = match ran {
        Ok(r) => r,
        Err(errors) => {
            for e in &errors.0 {
                eprintln!("{name}: {e}");
            }
            return 2;
        }
    };
    let cpu = started.elapsed();
    if args.until.is_some() {
        report.results.clear();
    }
    let w = &report.world;
    let title = scenario::parse(&source)
        .ok()
        .and_then(|s| s.title)
        .unwrap_or_default();
    println!("scenario {name}: {title}");
    println!(
        "seed {} | {} virtual | {} events, {} packets delivered | {:.1} ms wall clock",
        report.seed,
        w.now(),
        w.stats().events,
        w.stats().packets_delivered,
        cpu.as_secs_f64() * 1000.0
    );
    if args.verbose {
        print!("{}", w.trace().to_text());
    } else if args.log {
        // As `mosquitto -v` prints it: unix seconds, counted from the moment the
        // course text's broker started; the broker's name only if there are several.
        let brokers = w.nodes().iter().filter(|n| n.as_broker().is_some()).count();
        for e in w.trace().entries() {
            if let TraceKind::Log { node, text } = &e.kind {
                let secs = EPOCH_SECS + e.time.as_micros() / 1_000_000;
                if brokers > 1 {
                    println!("{secs}: [{node}] {text}");
                } else {
                    println!("{secs}: {text}");
                }
            }
        }
    }
    for n in w.nodes() {
        if let Node::Client(c) = n {
            if c.terminal.is_empty() {
                continue;
            }
            println!("terminal of {}:", c.name);
            for (_, line) in &c.terminal {
                println!("  {line}");
            }
        }
    }
    if args.state {
        print!("{}", state::render(w));
    }
    if report.truncated {
        println!(
            "stopped after {} events at {}: the scenario never reached its end",
            scenario::MAX_EVENTS,
            w.now()
        );
    }
    if !report.results.is_empty() {
        println!("expectations:");
    }
    for r in &report.results {
        let mark = if r.passed { "PASS" } else { "FAIL" };
        println!("  {mark} line {}: {}", r.line, r.text);
        if !r.passed {
            println!("       {}", r.detail);
        }
    }
    println!(
        "trace hash {:016x} ({} entries)",
        w.trace().hash(),
        w.trace().len()
    );
    if let Some(path) = &args.trace {
        if let Err(e) = std::fs::write(path, w.trace().to_json()) {
            eprintln!("mqttlab run: cannot write {}: {e}", path.display());
            return 2;
        }
    }
    if let Some(path) = &args.pcap {
        if let Err(e) = std::fs::write(path, to_pcap(w.trace().entries())) {
            eprintln!("mqttlab run: cannot write {}: {e}", path.display());
            return 2;
        }
    }
    if report.passed() {
        0
    } else {
        println!("reproduce with: mqttlab run {file} --seed {}", report.seed);
        1
    }
}
