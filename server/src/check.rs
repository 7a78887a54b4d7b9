//! `mqttlab check FILE`: the specification checker (`mqttlab_core::checker`)
//! over a capture (.pcap or .pcapng), a trace exported as JSON, or a scenario
//! (a file, or a bundled scenario's name) run on the simulator. Prints the
//! findings and the coverage; exit status 1 if a MUST was broken, 2 if the
//! file cannot be read.

use std::path::PathBuf;

use clap::Args;
use mqttlab_core::checker::trace::{check_json, check_trace};
use mqttlab_core::checker::{Checker, Report};
use mqttlab_core::sim::{bundled, scenario};

/// `mqttlab check` options.
#[derive(Args)]
pub struct CheckArgs {
    /// A .pcap/.pcapng capture, a JSON trace export, or a scenario (file or
    /// bundled name).
    pub file: PathBuf,
}

/// What the file is, and the checker's report on it.
pub fn check_bytes(name: &str, bytes: &[u8]) -> Result<Report, String> {
    let pcap = bytes.len() >= 4
        && matches!(
            bytes[..4],
            [0xd4, 0xc3, 0xb2, 0xa1]
                | [0xa1, 0xb2, 0xc3, 0xd4]
                | [0x4d, 0x3c, 0xb2, 0xa1]
                | [0xa1, 0xb2, 0x3c, 0x4d]
                | [0x0a, 0x0d, 0x0d, 0x0a]
        );
    if pcap {
        let c = mqttlab_core::capture::read(bytes).map_err(|e| format!("{name}: {e}"))?;
        if let Some(e) = &c.error {
            eprintln!("{name}: stopped reading after frame {}: {e}", c.frames);
        }
        return Ok(Checker::check_capture(&c));
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|_| format!("{name}: not a capture, a JSON trace or a scenario"))?;
    if text.trim_start().starts_with('{') {
        return check_json(text).map_err(|e| format!("{name}: {e}"));
    }
    let report = scenario::run(text, None).map_err(|errors| {
        errors
            .0
            .iter()
            .map(|e| format!("{name}: {e}"))
            .collect::<Vec<_>>()
            .join("\n")
    })?;
    Ok(check_trace(report.world.trace().entries()))
}

/// Runs the command: 0 if no MUST was broken, 1 if one was, 2 on an unreadable file.
pub fn run(args: CheckArgs) -> i32 {
    let name = args.file.display().to_string();
    let read = std::fs::read(&args.file).or_else(|e| match bundled::find(&name) {
        Some(b) => Ok(b.source.as_bytes().to_vec()),
        None => Err(e),
    });
    let bytes = match read {
        Ok(b) => b,
        Err(e) => {
            eprintln!(
                "mqttlab check: cannot read '{name}': {e} (and no bundled scenario has that name)"
            );
            return 2;
        }
    };
    match check_bytes(&name, &bytes) {
        Ok(report) => {
            print!("{report}");
            i32::from(report.must_broken())
        }
        Err(e) => {
            eprintln!("{e}");
            2
        }
    }
}
