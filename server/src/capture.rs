//! `mqttlab capture FILE`: a student's Wireshark, tshark, tcpdump or dumpcap
//! file read by the core (`mqttlab_core::capture`) and printed as a flow, one
//! line per packet like `tshark -Y mqtt`: frame number, seconds since the first
//! frame, sender → receiver, the packet's summary. TCP, WebSocket and TLS
//! notes are lines in brackets (`--mqtt` leaves them out); `--state` adds what
//! each broker held at the end, rebuilt from what was seen.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;
use mqttlab_core::capture::state::brokers;
use mqttlab_core::capture::{read, Capture, Carries, What};

/// `mqttlab capture` options.
#[derive(Args)]
pub struct CaptureArgs {
    /// A .pcap or .pcapng file.
    pub file: PathBuf,
    /// Only MQTT packets (and malformed ones), as `tshark -Y mqtt`.
    #[arg(long)]
    pub mqtt: bool,
    /// Then each connection, and each broker's sessions, subscriptions,
    /// retained messages and wills at the end of the capture.
    #[arg(long)]
    pub state: bool,
}

/// The flow as text, and the file's error if it stopped early.
pub fn render(c: &Capture, mqtt_only: bool, state: bool) -> String {
    let mut out = String::new();
    for e in &c.events {
        let is_mqtt = matches!(e.what, What::Mqtt(_) | What::Malformed(_));
        if mqtt_only && !is_mqtt {
            continue;
        }
        let _ = writeln!(out, "{}", c.line(e));
    }
    if state {
        let _ = writeln!(out, "\nConnections:");
        for (i, s) in c.streams.iter().enumerate() {
            let carries = match s.carries {
                Carries::Mqtt => "MQTT",
                Carries::MqttOverWebSocket => "MQTT over WebSocket",
                Carries::Tls => "TLS (encrypted, not readable)",
                Carries::Other => "not MQTT",
                Carries::Unknown => "no data",
            };
            let level = match s.protocol {
                Some(p) => format!(" {p:?}"),
                None => String::new(),
            };
            let id = s
                .client_id
                .as_deref()
                .map(|id| format!(" client id '{id}'"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  stream {i}: {} → {}, {carries}{level}{id}",
                s.client, s.server
            );
        }
        for b in brokers(c, c.events.len()) {
            let _ = writeln!(out, "\nBroker {}:", b.address);
            for s in &b.sessions {
                let subs: Vec<String> = s
                    .subscriptions
                    .iter()
                    .map(|(f, q)| format!("{f} q{}", q.as_u8()))
                    .collect();
                let _ = writeln!(
                    out,
                    "  session '{}': {}, {}, subscriptions [{}], in flight {}, queued {}{}",
                    s.client_id,
                    if s.online { "online" } else { "offline" },
                    if s.clean { "clean" } else { "persistent" },
                    subs.join(", "),
                    s.inflight,
                    s.queued.len(),
                    s.will
                        .as_ref()
                        .map(|w| format!(", will on '{}'", w.topic))
                        .unwrap_or_default()
                );
            }
            for m in &b.retained {
                let _ = writeln!(
                    out,
                    "  retained '{}': {:?} q{}",
                    m.topic,
                    String::from_utf8_lossy(&m.payload),
                    m.qos.as_u8()
                );
            }
        }
    }
    out
}

/// Runs the command; exits 1 if the file could not be read to its end.
pub fn run(args: CaptureArgs) -> anyhow::Result<i32> {
    let bytes =
        std::fs::read(&args.file).map_err(|e| anyhow::anyhow!("{}: {e}", args.file.display()))?;
    let c = read(&bytes).map_err(|e| anyhow::anyhow!("{}: {e}", args.file.display()))?;
    print!("{}", render(&c, args.mqtt, args.state));
    let packets = c
        .events
        .iter()
        .filter(|e| matches!(e.what, What::Mqtt(_)))
        .count();
    eprintln!(
        "{}: {:?}, {} frames, {} MQTT packets, {} TCP connections",
        args.file.display(),
        c.format,
        c.frames,
        packets,
        c.streams.len()
    );
    if let Some(e) = &c.error {
        eprintln!(
            "{}: stopped reading after frame {}: {e}",
            args.file.display(),
            c.frames
        );
        return Ok(1);
    }
    Ok(0)
}
