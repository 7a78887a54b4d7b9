//! The scenario language: a small, line-oriented language in which students
//! declare a world, script what happens in it, break it, and state what they
//! expect to see.
//!
//! # Grammar
//!
//! One statement per line. `#` at the start of a line (or after a space and
//! followed by one) begins a comment. Durations are written `250ms`, `5s`, `1.5s`,
//! `2m`, `1m30s`, `1h`; times are durations since the start. Strings are in double
//! quotes; payloads and topics may also be bare words.
//!
//! ```text
//! scenario    = { line } ;
//! line        = [ statement ] [ comment ] ;
//! statement   = broker | acl | device | timed | fault | expect | "run" DURATION | "seed" NUMBER
//!             | "param" NAME VALUE { VALUE } ;
//!
//! broker      = "broker" NAME { broker-opt } ;
//! broker-opt  = "port" N | "user" NAME PASSWORD | "no-anonymous" | "reject-id" ID
//!             | "max-connections" N | "max-queued" N | "queue-qos0"
//!             | "resend-timeout" DURATION | "max-packet" BYTES
//!             | "max-queued-bytes" BYTES | "max-inflight" N | "max-inflight-bytes" BYTES
//!             | "max-retained" N | "max-retained-bytes" BYTES | "max-subscriptions" N
//!             | "max-topic-length" BYTES | "max-topic-levels" N | "max-per-address" N
//!             | "hold-acks" | "max-message-rate" N [ "burst" N ] ;
//! acl         = "acl" BROKER ( "user" NAME | "client" ID | "anyone" )
//!               "topic" [ "read" | "write" | "readwrite" | "deny" ] FILTER ;
//!
//! device      = KIND NAME "->" BROKER { option } ;
//! KIND        = "client" | "sensor" | "actuator" | "controller" | "responder" | "esp32" ;
//! option      = link-opt | conn-opt | kind-opt ;
//! link-opt    = "latency" DURATION | "jitter" DURATION | "bandwidth" ( RATE | "unlimited" )
//!             | "loss" PERCENT | "rto" DURATION | "retries" N ;
//! conn-opt    = "id" ID | "keepalive" SECONDS | "persistent" | "clean"
//!             | "user" NAME [ "pass" PASSWORD ]
//!             | "will" TOPIC PAYLOAD [ "will-qos" N ] [ "will-retain" ] ;
//! sensor      : "topic" TOPIC "every" DURATION [ "model" MODEL ] [ "qos" N ] [ "retain" ]
//! actuator    : "topic" FILTER [ "qos" N ]
//! controller  : "input" FILTER "output" TOPIC "setpoint" NUMBER [ "hysteresis" NUMBER ]
//! responder   : "topic" FILTER "reply" PAYLOAD [ "qos" N ]   (MQTT 5.0)
//! esp32       : "profile" ( "pubsubclient" | "pubsubclient-128" | "esp-idf" )
//!               [ "topic" TOPIC "every" DURATION [ "model" MODEL ] ]
//!               [ "subscribe" FILTER [ "qos" N ] ] [ "announce" TOPIC PAYLOAD ]
//!               [ "reconnect" DURATION ]
//! MODEL       = "constant(V)" | "walk(START,STEP)" | "sine(MEAN,AMP,PERIOD)"
//!             | "steps(EVERY,V1,V2,...)" | "count(START,STEP)"
//!             | "heated(HEATER,START,AMBIENT,RATE)" ;
//!
//! timed       = "at" TIME ( NAME ":" COMMAND-LINE | action ) ;
//! action      = "kill" NODE | "halfopen" NODE | "partition" NODE [ "for" DURATION ]
//!             | "heal" NODE | "link" NODE link-opt { link-opt }
//!             | "restart" BROKER | "stop" NODE | "wifi-drop" NODE "for" DURATION
//!             | "connect" NODE { conn-opt | "reconnect" DURATION } | "disconnect" NODE
//!             | "publish" NODE TOPIC PAYLOAD [ "qos" N ] [ "retain" ]
//!             | "subscribe" NODE FILTER [ "qos" N ] | "unsubscribe" NODE FILTER
//!             | fault ;
//!
//! fault       = "fault" ( "drop" | "delay" | "duplicate" ) [ "next" | "every" ] PACKET-TYPE
//!               { "to" NODE | "from" NODE | "by" DURATION | "for" DURATION
//!               | "after" TIME | "times" N }
//!             | "fault" "stall" NODE { "window" BYTES | "for" DURATION | "after" TIME } ;
//!
//! expect      = "expect" NODE "receives" [ PAYLOAD ] [ "on" TOPIC ] { window }
//!             | "expect" NODE "never" "receives" [ PAYLOAD ] [ "on" TOPIC ] { window }
//!             | "expect" NODE "output" { LINE }
//!             | "expect" NODE "prints" LINE { window }
//!             | "expect" NODE "refused" CODE
//!             | "expect" NODE "suback" CODE { CODE } { window | "never" }
//!             | "expect" NODE ( "connected" | "disconnected" )
//!             | "expect" NODE "state" ( "on" | "off" )
//!             | "expect" BROKER "log" TEXT { window }
//!             | "expect" BROKER "retained" TOPIC ( PAYLOAD | "none" )
//!             | "expect" "packet" SUMMARY { "from" NODE | "to" NODE | "never" | window } ;
//! window      = "within" DURATION | "after" TIME | "before" TIME
//!             | "between" TIME "and" TIME | "once" | "times" N ;
//! ```
//!
//! `acl` lines give a broker an access control list in the words of mosquitto's
//! `acl_file` (`user aluno` / `topic read casa/#`); a missing access means
//! `readwrite`, as there. The rules are checked in the order written and the
//! first one that applies to the client, matches, and speaks for the access
//! (`deny` speaks for reading and writing) decides; once a broker has one rule,
//! whatever no rule allows is denied (`broker/acl.rs`). A SUBSCRIBE to a filter
//! no read rule covers, or whose first covering rule is a `deny`, gets return
//! code 128 in its SUBACK; a PUBLISH no write rule allows is acknowledged but not
//! delivered ("Denied PUBLISH" in the log); a message on a topic a subscriber may
//! not read is withheld from it (`acl b anyone topic deny a/b` then
//! `acl b anyone topic readwrite #`: `a/#` is granted, `a/b` never delivered). (mosquitto 2.0 with an `acl_file`
//! grants every subscription and filters at delivery instead; 128 comes from
//! brokers that check at subscribe time, mosquitto's dynamic-security plugin
//! among them.) `expect NODE suback 1 128` holds when a SUBACK with exactly these
//! codes, one per filter, reaches the node.
//! `at T link NODE ...` changes the link from `T` on: the options given replace
//! those in force (from the declaration and earlier `link` lines), the others stay;
//! packets already on their way keep their arrival time.
//! `param qos 0 1 2` declares a variable; `$qos` anywhere else stands for its
//! value, the first unless a sweep ([`crate::sim::sweep`]) binds another
//! ([`params`]).
//! `within D` counts from the time of the closest `at` line above the expectation.
//! A command line after `NODE:` is parsed as `mosquitto_pub` or `mosquitto_sub`
//! would parse it. `expect packet "PUBACK m1"` matches delivered packets whose
//! one-line summary is that whole text (not `PUBACK m10`); a type alone
//! (`"PUBACK"`) matches every packet of that type, and a text ending in ` ...`
//! (`"CONNECT c1 k60 ..."`) the summaries that go on from it. Without `run`, a scenario runs until ten
//! seconds after its last action.

pub mod ast;
pub mod build;
pub mod errors;
pub mod expect;
pub mod expected;
pub mod lexer;
pub mod params;
pub mod parser;
pub mod problem;
pub mod units;

pub use ast::Scenario;
pub use errors::{ScenarioError, ScenarioErrors};
pub use expect::ExpectResult;
pub use parser::{parse, parse_with};
pub use problem::{Expected, Incomplete, ModelForm, Problem, Vocabulary};

use super::trace::TraceMode;
use super::world::World;
use crate::time::Instant;

/// A finished run: the world as it ended, and each expectation's result.
#[derive(Debug)]
pub struct RunReport {
    /// The seed used.
    pub seed: u64,
    /// The world after the run (trace, nodes, broker state).
    pub world: World,
    /// Expectation results, in file order.
    pub results: Vec<ExpectResult>,
    /// Whether the run stopped at [`MAX_EVENTS`] before its end.
    pub truncated: bool,
}

/// The most events one scenario run processes (about a minute of CPU natively);
/// a scenario that needs more stops there and fails.
pub const MAX_EVENTS: u64 = 50_000_000;

impl RunReport {
    /// Whether every expectation held (and the run was not cut short).
    pub fn passed(&self) -> bool {
        !self.truncated && self.results.iter().all(|r| r.passed)
    }
}

impl Scenario {
    /// Builds, runs to the end and checks every expectation.
    pub fn run(&self, seed: u64, mode: TraceMode) -> Result<RunReport, ScenarioError> {
        self.run_to(seed, mode, self.end_time())
    }

    /// Builds, runs to `until` (the end or any other moment) and checks every
    /// expectation as it stands then.
    pub fn run_to(
        &self,
        seed: u64,
        mode: TraceMode,
        until: Instant,
    ) -> Result<RunReport, ScenarioError> {
        let mut world = self.build(seed, mode)?;
        let truncated = !world.run_until_limited(until, MAX_EVENTS);
        let results = self
            .expects
            .iter()
            .map(|e| expect::check(e, &world))
            .collect();
        Ok(RunReport {
            seed,
            world,
            results,
            truncated,
        })
    }
}

/// Parses and runs a scenario with a seed (the file's `seed`, if it has one, is
/// used when `seed` is `None`).
pub fn run(src: &str, seed: Option<u64>) -> Result<RunReport, ScenarioErrors> {
    let sc = parse(src)?;
    let seed = seed.or(sc.seed).unwrap_or(0);
    sc.run(seed, TraceMode::Full)
        .map_err(|e| ScenarioErrors(vec![e]))
}
