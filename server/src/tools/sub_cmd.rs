//! `mqttlab sub`: mosquitto_sub, as the core's tool (see [`super::run`]).

use mqttlab_core::tools::cli::{self, ToolCommand};

const USAGE: &str = "mqttlab sub: subscribe and print messages like mosquitto_sub.
Usage: mqttlab sub [-h host] [-p port] [-u username [-P password]] -t topic ...
                   [-c] [-k keepalive] [-q qos] [-v] [-C count] [-W timeout] [-R] [-E]
                   [--retained-only] [--remove-retained] [-T filter_out] [-N] [-F format]
                   [-U topic] [-i id] [-I id_prefix] [-d] [--quiet] [-V mqttv311|mqttv31]
                   [--will-topic topic [--will-payload payload] [--will-qos qos] [--will-retain]]";

/// Runs `mqttlab sub ARGS...` and returns the exit code.
pub fn run(args: &[String]) -> i32 {
    if args.iter().any(|a| a == "--help") {
        println!("{USAGE}");
        return 0;
    }
    match cli::parse_sub(args) {
        Ok(s) => super::block_on(super::run::run(ToolCommand::Sub(s))),
        Err(e) => {
            eprintln!("{e}");
            1
        }
    }
}
