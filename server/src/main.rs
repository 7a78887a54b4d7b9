//! `mqttlab`: the native command line of MQTT Lab.

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
    }
    Ok(())
}
