//! `mqttlab sub`: mosquitto_sub, as the core's tool (see [`super::run`]).

use mqttlab_core::tools::cli::{self, ToolCommand};

const USAGE: &str = "mqttlab sub: subscribe and print messages like mosquitto_sub.
Usage: mqttlab sub [-h host] [-p port] [-u username [-P password]] -t topic ...
                   [-c] [-k keepalive] [-q qos] [-v] [-C count] [-W timeout] [-R] [-E]
                   [--retained-only] [--remove-retained] [-T filter_out] [-N] [-F format]
                   [-U topic] [-i id] [-I id_prefix] [-d] [--quiet]
                   [-V mqttv5|mqttv311|mqttv31] [-x session-expiry-interval] [--retain-as-published]
                   [--will-topic topic [--will-payload payload] [--will-qos qos] [--will-retain]]
                   [-D command identifier value]  (MQTT 5.0 properties; -D selects 5.0)";

/// Runs `mqttlab sub ARGS...` and returns the exit code.
pub fn run(args: &[String]) -> i32 {
    super::run::command(args, USAGE, |a| cli::parse_sub(a).map(ToolCommand::Sub))
}
