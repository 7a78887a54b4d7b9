//! `mqttlab rr`: mosquitto_rr, as the core's tool (see [`super::run`]).

use mqttlab_core::tools::cli::{self, ToolCommand};

const USAGE: &str = "mqttlab rr: publish a request and wait for its response like mosquitto_rr
             (MQTT 5.0 request/response: the request carries -e as its Response Topic).
Usage: mqttlab rr [-h host] [-p port] [-u username [-P password]] -t topic -e response-topic
                  {-f file | -n | -m message | -s}
                  [-c] [-k keepalive] [-q qos] [-R] [-x session-expiry-interval]
                  [-F format] [-W timeout_secs] [-i id] [-I id_prefix]
                  [-d] [-N] [--quiet] [-v] [-V mqttv5|mqttv311|mqttv31]
                  [--will-topic topic [--will-payload payload] [--will-qos qos] [--will-retain]]
                  [-D command identifier value]";

/// Runs `mqttlab rr ARGS...` and returns the exit code.
pub fn run(args: &[String]) -> i32 {
    super::run::command(args, USAGE, |a| cli::parse_rr(a).map(ToolCommand::Rr))
}
