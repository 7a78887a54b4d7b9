//! The nodes of a world: brokers, and client hosts running an application.
//!
//! A client node is a host with one MQTT [`Client`] and one [`App`] that drives
//! it: the command-line tools, a sensor, an actuator, a controller, an ESP32
//! firmware, or a bare client steered by scenario actions. Apps never touch the
//! network: they call the client's commands and return [`Effect`]s through a
//! [`Cx`], and the world moves the packets.

mod actuator;
mod broker;
mod client;
mod controller;
mod esp32;
mod mosquitto_cli;
mod responder;
mod sensor;
mod subscribed;
mod value;

pub use actuator::Actuator;
pub use broker::BrokerNode;
pub use client::Generic;
pub use controller::Controller;
pub use esp32::{Esp32, Esp32Profile};
pub use mosquitto_cli::MosquittoCli;
pub use responder::Responder;
pub use sensor::Sensor;
pub use value::ValueModel;

use crate::client::{Client, ClientEvent, ConnectOptions};
use crate::codec::QoS;
use crate::rng::SplitMix64;
use crate::time::Instant;

use super::history::History;
use super::note::Note;

/// Something an app asks the world to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Open a new TCP connection and send CONNECT with these options.
    Connect(Box<ConnectOptions>),
    /// Print a line on the node's terminal.
    Print(String),
    /// What a program wrote to its standard output or standard error, exactly
    /// (kept with its stream; shown on the terminal line by line).
    Write(crate::tools::Output),
    /// Record a state change in the trace.
    State(Note),
    /// The program ended, with its exit code if it has one.
    Exit(Option<i32>),
    /// Close the connection without DISCONNECT (a program killed by Ctrl-C).
    Abort,
}

/// What an app sees while it runs: the time, its client, its generator, its
/// timer, and a place for its effects.
pub struct Cx<'a> {
    /// Now.
    pub now: Instant,
    /// The node's MQTT client.
    pub client: &'a mut Client,
    /// The node's own generator (derived from the world seed and the node name).
    pub rng: &'a mut SplitMix64,
    /// The app's next wake-up; set it to be called back with [`App::on_wake`].
    pub wake: &'a mut Option<Instant>,
    /// For a sensor coupled to an actuator (a room and its heater): whether the
    /// actuator is on.
    pub coupled: Option<bool>,
    /// What the app asks for.
    pub effects: Vec<Effect>,
}

impl Cx<'_> {
    /// Prints a terminal line.
    pub fn print(&mut self, s: impl Into<String>) {
        self.effects.push(Effect::Print(s.into()));
    }
    /// Records a state change.
    pub fn state(&mut self, note: Note) {
        self.effects.push(Effect::State(note));
    }
}

/// A message a node's client received, for expectations and invariants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// When.
    pub time: Instant,
    /// Topic.
    pub topic: String,
    /// Payload.
    pub payload: Vec<u8>,
    /// Delivery QoS.
    pub qos: QoS,
    /// RETAIN flag.
    pub retain: bool,
    /// DUP flag.
    pub dup: bool,
    /// Its MQTT 5.0 properties, in wire order (none under 3.1.1).
    pub properties: Vec<crate::codec::properties::Property>,
}

/// The application running on a client node.
// One per node, moved rarely: the size difference costs nothing worth a Box.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum App {
    /// Nothing runs (not started yet, or the program exited).
    Idle,
    /// A bare client steered by scenario actions.
    Generic(Generic),
    /// `mosquitto_pub` or `mosquitto_sub`.
    Cli(MosquittoCli),
    /// A sensor publishing readings.
    Sensor(Sensor),
    /// An actuator switched by messages.
    Actuator(Actuator),
    /// A controller closing a loop.
    Controller(Controller),
    /// An ESP32 firmware with a client-library profile.
    Esp32(Esp32),
    /// A device answering MQTT 5.0 requests on their Response Topic.
    Responder(Responder),
}

impl App {
    /// Called when the app starts.
    pub fn start(&mut self, cx: &mut Cx) {
        match self {
            App::Idle => {}
            App::Generic(a) => a.start(cx),
            App::Cli(a) => a.start(cx),
            App::Sensor(a) => a.start(cx),
            App::Actuator(a) => a.start(cx),
            App::Controller(a) => a.start(cx),
            App::Esp32(a) => a.start(cx),
            App::Responder(a) => a.start(cx),
        }
    }

    /// Called for each client event.
    pub fn on_event(&mut self, cx: &mut Cx, ev: &ClientEvent) {
        match self {
            App::Idle => {}
            App::Generic(a) => a.on_event(cx, ev),
            App::Cli(a) => a.on_event(cx, ev),
            App::Sensor(a) => a.on_event(cx, ev),
            App::Actuator(a) => a.on_event(cx, ev),
            App::Controller(a) => a.on_event(cx, ev),
            App::Esp32(a) => a.on_event(cx, ev),
            App::Responder(a) => a.on_event(cx, ev),
        }
    }

    /// Called when the app's wake-up time arrives.
    pub fn on_wake(&mut self, cx: &mut Cx) {
        match self {
            App::Idle => {}
            App::Generic(a) => a.on_wake(cx),
            App::Cli(a) => a.on_wake(cx),
            App::Sensor(a) => a.on_wake(cx),
            App::Actuator(a) => a.on_wake(cx),
            App::Controller(a) => a.on_wake(cx),
            App::Esp32(a) => a.on_wake(cx),
            App::Responder(a) => a.on_wake(cx),
        }
    }

    /// The connection asked for with [`Effect::Connect`] could not be opened.
    pub fn on_connect_failed(&mut self, cx: &mut Cx, error: &crate::tools::TransportError) {
        match self {
            App::Cli(a) => a.on_connect_failed(cx, error),
            other => other.on_event(
                cx,
                &ClientEvent::Disconnected {
                    reason: crate::client::DisconnectReason::TransportClosed,
                },
            ),
        }
    }

    /// A packet the node's client sent (the tools print it under `-d`).
    pub fn on_sent(
        &mut self,
        cx: &mut Cx,
        packet: &crate::codec::Packet,
        v5: Option<&crate::codec::v5::Packet>,
    ) {
        if let App::Cli(a) = self {
            a.on_sent(cx, packet, v5);
        }
    }

    /// A packet the node's client received (the tools print it under `-d`).
    pub fn on_received(&mut self, cx: &mut Cx, packet: &crate::codec::AnyPacket) {
        if let App::Cli(a) = self {
            a.on_received(cx, packet);
        }
    }

    /// What Ctrl-C would do to what runs here: the tools what mosquitto's do
    /// ([`crate::tools::Tool::ctrl_c`]); any other program leaves gracefully;
    /// `None` when nothing runs.
    pub fn ctrl_c(&self) -> Option<crate::tools::CtrlC> {
        match self {
            App::Idle => None,
            App::Cli(a) => Some(a.ctrl_c()),
            _ => Some(crate::tools::CtrlC::Disconnect),
        }
    }

    /// Ctrl-C: the tools do what mosquitto's do; any other program leaves
    /// gracefully (DISCONNECT) and exits.
    pub fn interrupt(&mut self, cx: &mut Cx) {
        if let App::Cli(a) = self {
            a.on_interrupt(cx);
            return;
        }
        if cx.client.disconnect(cx.now).is_ok() {
            cx.state(Note::Interrupted);
        }
        *cx.wake = None;
        cx.effects.push(Effect::Exit(None));
    }

    /// Whether the client library accepts an incoming packet of `len` bytes (an
    /// ESP32 library with a small buffer drops larger ones without a word).
    pub fn accepts(&self, len: usize) -> bool {
        match self {
            App::Esp32(a) => len <= a.profile.buffer(),
            _ => true,
        }
    }

    /// The TCP port the program connects to (`-p`), if it names one.
    pub fn port(&self) -> Option<u16> {
        match self {
            App::Cli(c) => Some(c.port()),
            _ => None,
        }
    }

    /// The host a command-line tool connects to (`-h`, `localhost` without
    /// it); devices connect to their broker and have none.
    pub fn host(&self) -> Option<&str> {
        match self {
            App::Cli(c) => Some(c.host()),
            _ => None,
        }
    }

    /// Whether `-d` debug lines go to the terminal.
    pub fn debug(&self) -> bool {
        matches!(self, App::Cli(c) if c.debug())
    }

    /// Whether the app hears of each packet its client sends (the tools do).
    pub fn hears_sent(&self) -> bool {
        matches!(self, App::Cli(_))
    }

    /// The actuator-like on/off state, if the app has one.
    pub fn switch_state(&self) -> Option<bool> {
        match self {
            App::Actuator(a) => Some(a.on),
            App::Esp32(e) => e.switch,
            _ => None,
        }
    }

    /// The name of the actuator a coupled sensor model reads.
    pub fn coupled_to(&self) -> Option<&str> {
        match self {
            App::Sensor(s) => s.model.coupled_to(),
            App::Esp32(e) => e.sensor.as_ref().and_then(|s| s.model.coupled_to()),
            _ => None,
        }
    }

    /// What runs, for state panels and the note a started program leaves.
    pub fn summary(&self) -> AppSummary {
        match self {
            App::Idle => AppSummary::Idle,
            App::Generic(_) => AppSummary::Client,
            App::Cli(c) => AppSummary::Command(c.command.clone()),
            App::Sensor(s) => AppSummary::Sensor {
                topic: s.topic.clone(),
                period: s.period,
            },
            App::Actuator(a) => AppSummary::Actuator {
                topic: a.topic.clone(),
                on: a.on,
            },
            App::Controller(c) => AppSummary::Controller {
                input: c.input.clone(),
                output: c.output.clone(),
            },
            App::Esp32(e) => AppSummary::Esp32(e.profile),
            App::Responder(r) => AppSummary::Responder {
                topic: r.topic.clone(),
                reply: r.reply.clone(),
            },
        }
    }
}

/// What runs on a client node, as data (see [`App::summary`]); its `Display` is
/// core's English (`sensor casa/temp every 1s`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum AppSummary {
    /// Nothing.
    Idle,
    /// A bare client steered by scenario actions.
    Client,
    /// A command line, as typed.
    Command(String),
    /// A sensor.
    Sensor {
        /// Where it publishes.
        topic: String,
        /// How often.
        period: core::time::Duration,
    },
    /// An actuator.
    Actuator {
        /// Its command topic.
        topic: String,
        /// Whether it is on.
        on: bool,
    },
    /// A controller.
    Controller {
        /// The topic it reads.
        input: String,
        /// The topic it writes.
        output: String,
    },
    /// An ESP32 firmware.
    Esp32(Esp32Profile),
    /// A responder.
    Responder {
        /// The request topic it listens on.
        topic: String,
        /// What it answers.
        reply: String,
    },
}

impl core::fmt::Display for AppSummary {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            AppSummary::Idle => f.write_str("idle"),
            AppSummary::Client => f.write_str("client"),
            AppSummary::Command(c) => f.write_str(c),
            AppSummary::Sensor { topic, period } => write!(f, "sensor {topic} every {period:?}"),
            AppSummary::Actuator { topic, on } => {
                write!(f, "actuator {topic} ({})", if *on { "on" } else { "off" })
            }
            AppSummary::Controller { input, output } => {
                write!(f, "controller {input} -> {output}")
            }
            AppSummary::Esp32(p) => write!(f, "esp32 {}", p.name()),
            AppSummary::Responder { topic, reply } => {
                write!(f, "responder {topic} -> \"{reply}\"")
            }
        }
    }
}

/// A client host.
#[derive(Debug, Clone)]
pub struct ClientNode {
    /// Its name in the scenario.
    pub name: String,
    /// Its IP address (for logs and the pcap).
    pub ip: String,
    /// Its link.
    pub link: super::id::LinkId,
    /// Its broker node.
    pub broker: super::id::NodeId,
    /// Its MQTT client.
    pub client: Client,
    /// What runs on it.
    pub app: App,
    /// Whether the host is up (false after `kill` or `halfopen`).
    pub alive: bool,
    /// Whether its Wi-Fi is down.
    pub wifi_down: bool,
    /// Terminal output, in order.
    pub terminal: History<(Instant, String)>,
    /// Messages received, in order.
    pub received: History<Received>,
    /// CONNACK refusal codes received.
    pub refusals: Vec<u8>,
    /// The app's next wake-up.
    pub wake: Option<Instant>,
    /// Its apps' generator.
    pub rng: SplitMix64,
    /// The generator of the command lines typed on it.
    pub(crate) commands: SplitMix64,
    /// Whether to keep received messages (off in scale benchmarks).
    pub keep_received: bool,
    /// QoS 1/2 messages this node published that the broker acknowledged: when
    /// each was first sent, and the message.
    pub acked: History<(Instant, Received)>,
    /// When the first SUBACK arrived, and its codes.
    pub first_suback: Option<(Instant, Vec<crate::codec::SubackReturnCode>)>,
    /// Whether the node's client state was ever lost (killed, half-open).
    pub lost_state: bool,
    /// QoS 1/2 PUBLISH packets sent and not yet acknowledged, by packet id.
    pub(crate) unacked: std::collections::BTreeMap<u16, (Instant, Received)>,
    /// Whether the last close its connection saw was a reset (TCP gave up), not
    /// the broker's FIN: what its "disconnected: ..." note then says.
    pub(crate) reset_seen: bool,
    /// The exit code of the last program that ended with one (the tools).
    pub exit_code: Option<i32>,
    /// What its programs wrote, exactly and with the stream, in order (the
    /// terminal shows it line by line).
    pub output: History<(Instant, crate::tools::Output)>,
}

/// A world node.
#[derive(Debug, Clone)]
pub enum Node {
    /// A broker.
    Broker(Box<BrokerNode>),
    /// A client host.
    Client(Box<ClientNode>),
}

impl Node {
    /// Its name.
    pub fn name(&self) -> &str {
        match self {
            Node::Broker(b) => &b.name,
            Node::Client(c) => &c.name,
        }
    }

    /// The broker, if it is one.
    pub fn as_broker(&self) -> Option<&BrokerNode> {
        match self {
            Node::Broker(b) => Some(b),
            Node::Client(_) => None,
        }
    }

    /// The client host, if it is one.
    pub fn as_client(&self) -> Option<&ClientNode> {
        match self {
            Node::Client(c) => Some(c),
            Node::Broker(_) => None,
        }
    }
}
