//! `mqttlab`: the native command line of MQTT Lab.

mod broker;
mod tools;

mod capture;
mod check;
mod dissect;

mod serve;

mod sim_cmd;

use clap::{Parser, Subcommand};
use mqttlab_core::topic;

#[derive(Parser)]
#[command(name = "mqttlab", version = mqttlab_core::VERSION, about = "MQTT Lab's native tools")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Tell whether a topic filter matches a topic name, as a broker would.
    Match {
        /// The filter a subscriber asks for, e.g. `casa/+/temperatura`.
        filter: String,
        /// The topic a publisher uses, e.g. `casa/terreo/temperatura`.
        topic: String,
    },
    /// Publish like `mosquitto_pub` (same flags: -h -p -t -m -q -r -c -i -k -u -P -d
    /// --will-* --repeat --repeat-delay ...), through MQTT Lab's own client.
    #[command(disable_help_flag = true)]
    Pub {
        /// mosquitto_pub's flags; `mqttlab pub --help` lists them.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Subscribe like `mosquitto_sub` (same flags: -h -p -t -q -c -i -k -u -P -v -d
    /// -C -W --will-* ...), through MQTT Lab's own client.
    #[command(disable_help_flag = true)]
    Sub {
        /// mosquitto_sub's flags; `mqttlab sub --help` lists them.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Request/response like `mosquitto_rr` (MQTT 5.0: -t topic -e response-topic
    /// -m message ...), through MQTT Lab's own client.
    #[command(disable_help_flag = true)]
    Rr {
        /// mosquitto_rr's flags; `mqttlab rr --help` lists them.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Load a broker (fan-in, fan-out at QoS 0 and 1, connection storm) and print
    /// throughput and latency percentiles; several --target compare brokers.
    Bench(tools::bench::BenchArgs),
    /// Dissect MQTT packets given as hex, Wireshark style.
    ///
    /// Accepts a hex stream, bytes separated by spaces or colons, or a hex dump
    /// with offsets (Wireshark "Copy as Hex + ASCII Dump", hexdump -C, xxd).
    /// With no argument the hex is read from standard input.
    Dissect {
        /// The bytes in hex, e.g. `33 12 00 06 74 6f 70 69 63 6f 00 01 ...`.
        hex: Vec<String>,
        /// Show each field's byte range.
        #[arg(long)]
        ranges: bool,
        /// The protocol version, as mosquitto's -V: 31, 311, 5, mqttv31,
        /// mqttv311 or mqttv5. Without it a CONNECT tells the version of the
        /// packets after it, and other packets are read as 3.1.1.
        #[arg(short = 'V', long = "protocol-version")]
        version: Option<String>,
    },
    /// Read a Wireshark/tshark/tcpdump capture (.pcap or .pcapng) and print its
    /// MQTT flow, one line per packet: frame, time, sender → receiver, packet.
    Capture(capture::CaptureArgs),
    /// Check a capture, a JSON trace export or a scenario against the MQTT
    /// standard: the findings (statement, severity, packets) and which
    /// statements held, were broken or never came up. Exit 1 if a MUST was broken.
    Check(check::CheckArgs),
    /// Run MQTT Lab's broker on TCP and WebSocket, logging like `mosquitto -v`.
    Broker(broker::BrokerArgs),
    /// Serve the built web app and bridge MQTT over WebSocket to named brokers.
    Serve(serve::ServeArgs),
    /// Run a scenario on the deterministic simulator and check its expectations
    /// (a file, or a bundled scenario's name; --list shows them).
    Run(sim_cmd::run::RunArgs),
    /// Random simulated worlds and fault schedules, one per seed, invariants checked
    /// after every step.
    Swarm(sim_cmd::swarm::SwarmArgs),
    /// Run a scenario over every combination of its `param` values times N
    /// seeds and print what was delivered, duplicated and lost per combination
    /// (a file, or a bundled sweep's name: qos-under-loss).
    Sweep(sim_cmd::sweep::SweepArgs),
    /// Measure the simulator: packets per CPU-second, and 10,000 sensors for an hour.
    BenchSim(sim_cmd::bench::BenchSimArgs),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Broker(args) => broker::run(args)?,
        Command::Capture(args) => std::process::exit(capture::run(args)?),
        Command::Check(args) => std::process::exit(check::run(args)),
        Command::Serve(args) => serve::run(args)?,
        Command::Run(args) => std::process::exit(sim_cmd::run::run(args)),
        Command::Swarm(args) => std::process::exit(sim_cmd::swarm::run(args)),
        Command::Sweep(args) => std::process::exit(sim_cmd::sweep::run(args)),
        Command::BenchSim(args) => std::process::exit(sim_cmd::bench::run(args)),
        Command::Match { filter, topic } => {
            topic::validate_filter(&filter)
                .map_err(|e| anyhow::anyhow!("filter '{filter}': {e}"))?;
            topic::validate_name(&topic).map_err(|e| anyhow::anyhow!("topic '{topic}': {e}"))?;
            if topic::matches(&filter, &topic) {
                println!("match: '{filter}' matches '{topic}'");
            } else {
                println!("no match: '{filter}' does not match '{topic}'");
                std::process::exit(1);
            }
        }
        Command::Pub { args } => std::process::exit(tools::pub_cmd::run(&args)),
        Command::Sub { args } => std::process::exit(tools::sub_cmd::run(&args)),
        Command::Rr { args } => std::process::exit(tools::rr_cmd::run(&args)),
        Command::Bench(args) => std::process::exit(tools::bench::run(args)),
        Command::Dissect {
            hex,
            ranges,
            version,
        } => {
            let hex = if hex.is_empty() {
                std::io::read_to_string(std::io::stdin())?
            } else {
                hex.join(" ")
            };
            let protocol = version.as_deref().map(dissect::parse_version).transpose()?;
            let d = dissect::run(&hex, ranges, protocol)?;
            print!("{}", d.text);
            if d.malformed {
                std::process::exit(1);
            }
        }
    }
    Ok(())
}
