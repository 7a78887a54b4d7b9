//! `mqttlab pub`: mosquitto_pub, as the core's tool (see [`super::run`]).

use mqttlab_core::tools::cli::{self, ToolCommand};

const USAGE: &str = "mqttlab pub: publish a message like mosquitto_pub.
Usage: mqttlab pub [-h host] [-p port] [-u username [-P password]] -t topic
                   {-m message | -n | -f file | -s | -l}
                   [-c] [-k keepalive] [-q qos] [-r] [--repeat N] [--repeat-delay secs]
                   [-i id] [-I id_prefix] [-d] [--quiet] [-M max_inflight]
                   [-V mqttv5|mqttv311|mqttv31] [-x session-expiry-interval]
                   [--will-topic topic [--will-payload payload] [--will-qos qos] [--will-retain]]
                   [-D command identifier value]  (MQTT 5.0 properties; -D selects 5.0)
                   [--resend-timeout secs]  (course-text model: resend unacknowledged messages)";

/// Runs `mqttlab pub ARGS...` and returns the exit code.
pub fn run(args: &[String]) -> i32 {
    super::run::command(args, USAGE, |a| cli::parse_pub(a).map(ToolCommand::Pub))
}
