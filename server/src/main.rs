//! `mqttlab`: the native command line of MQTT Lab.

mod dissect;

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
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
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
        Command::Dissect { hex, ranges } => {
            let hex = if hex.is_empty() {
                std::io::read_to_string(std::io::stdin())?
            } else {
                hex.join(" ")
            };
            print!("{}", dissect::run(&hex, ranges)?);
        }
    }
    Ok(())
}
