//! What a parsed scenario holds: node declarations, timed actions, fault rules,
//! expectations and a run length, with node names still as written (and where
//! they were written, for errors found when they are resolved).

use core::time::Duration;

use crate::broker::{AclRule, BrokerConfig};
use crate::codec::{PacketType, QoS};
use crate::time::Instant;

use super::super::link::LinkParams;
use super::super::node::{Esp32Profile, ValueModel};

/// A node name as written, with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameRef {
    /// The name.
    pub name: String,
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1.
    pub column: usize,
}

/// A will given in a declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WillSpec {
    /// Topic.
    pub topic: String,
    /// Payload.
    pub payload: String,
    /// QoS.
    pub qos: QoS,
    /// RETAIN.
    pub retain: bool,
}

/// Connection settings shared by device declarations.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConnSpec {
    /// Client id (default: the node name).
    pub id: Option<String>,
    /// Keep alive, seconds.
    pub keep_alive: Option<u16>,
    /// `persistent`: clean session off.
    pub persistent: bool,
    /// Will.
    pub will: Option<WillSpec>,
    /// User name and password.
    pub login: Option<(String, Option<String>)>,
    /// `version 5|311|31` (3.1.1 by default).
    pub protocol: Option<crate::codec::Protocol>,
    /// MQTT 5.0: `session-expiry S`, the CONNECT's Session Expiry Interval.
    pub session_expiry: Option<u32>,
    /// MQTT 5.0: `receive-maximum N`, the CONNECT's Receive Maximum.
    pub receive_maximum: Option<u16>,
    /// MQTT 5.0: `topic-alias-maximum N`, the CONNECT's Topic Alias Maximum.
    pub topic_alias_maximum: Option<u16>,
    /// MQTT 5.0: `scram USER PASSWORD`, enhanced authentication with
    /// SCRAM-SHA-256 (Authentication Method in CONNECT, then AUTH packets).
    pub scram: Option<(String, String)>,
}

/// MQTT 5.0 properties given as `with NAME VALUE` (`with content-type
/// text/plain with user-property unit=C`), for each PUBLISH a line makes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WithProperties {
    /// The properties, in the order given.
    pub list: Vec<crate::codec::properties::Property>,
    /// The column of the first `with` (0 when none is given), for errors.
    pub column: usize,
}

impl WithProperties {
    /// Whether none was given.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

/// `publish NODE TOPIC "PAYLOAD" [qos N] [retain] [with NAME VALUE]...`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishSpec {
    /// The node.
    pub node: NameRef,
    /// Topic.
    pub topic: String,
    /// Payload.
    pub payload: String,
    /// QoS.
    pub qos: QoS,
    /// RETAIN.
    pub retain: bool,
    /// MQTT 5.0 properties.
    pub properties: WithProperties,
}

/// What kind of node a declaration makes.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    /// `broker NAME ...`
    Broker(Box<BrokerConfig>),
    /// `client NAME -> BROKER ...`: a host for command lines and actions.
    Client,
    /// `sensor NAME -> BROKER topic T every D [model M] ...`
    Sensor {
        /// Topic.
        topic: String,
        /// Period.
        every: Duration,
        /// Value model.
        model: ValueModel,
        /// QoS.
        qos: QoS,
        /// RETAIN.
        retain: bool,
        /// MQTT 5.0 properties on each reading.
        properties: WithProperties,
    },
    /// `actuator NAME -> BROKER topic T ...`
    Actuator {
        /// Command topic.
        topic: String,
        /// Subscription QoS.
        qos: QoS,
    },
    /// `controller NAME -> BROKER input T output T setpoint X [hysteresis H]`
    Controller {
        /// Temperature topic.
        input: String,
        /// Heater topic.
        output: String,
        /// Setpoint.
        setpoint: f64,
        /// Dead band half-width.
        hysteresis: f64,
    },
    /// `responder NAME -> BROKER topic FILTER reply "PAYLOAD" [qos N]`: answers
    /// each MQTT 5.0 request on its Response Topic, with its Correlation Data.
    Responder {
        /// The request filter.
        topic: String,
        /// The answer's payload.
        reply: String,
        /// The QoS of its subscription and its answers.
        qos: QoS,
    },
    /// `esp32 NAME -> BROKER profile P ...`
    Esp32 {
        /// Library profile.
        profile: Esp32Profile,
        /// A sensor reading: topic, period, model, QoS.
        sensor: Option<(String, Duration, ValueModel, QoS)>,
        /// A command topic and QoS.
        command: Option<(String, QoS)>,
        /// A message sent once per connect.
        announce: Option<(String, String)>,
        /// The sketch's reconnect delay.
        reconnect: Option<Duration>,
        /// MQTT 5.0 properties on each reading (esp-mqtt with `version 5`).
        properties: WithProperties,
    },
}

/// A node declaration.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeDecl {
    /// Its name.
    pub name: NameRef,
    /// What it is.
    pub kind: NodeKind,
    /// Its broker, for client-side nodes.
    pub broker: Option<NameRef>,
    /// Its link, for client-side nodes.
    pub link: LinkParams,
    /// Connection settings, for devices.
    pub conn: ConnSpec,
}

/// Link options as written: the ones given, each replacing the current value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LinkChange {
    /// `latency D`.
    pub latency: Option<Duration>,
    /// `jitter D`.
    pub jitter: Option<Duration>,
    /// `bandwidth RATE` (`Some(None)` for `bandwidth unlimited`).
    pub bandwidth_bps: Option<Option<u64>>,
    /// `loss P%`, in parts per million.
    pub loss_ppm: Option<u32>,
    /// `rto D`.
    pub rto: Option<Duration>,
    /// `retries N`.
    pub max_retransmits: Option<u32>,
}

impl LinkChange {
    /// Whether no option was given.
    pub fn is_empty(&self) -> bool {
        *self == LinkChange::default()
    }

    /// Replaces in `params` what was given, keeping the rest.
    pub fn apply(&self, params: &mut LinkParams) {
        if let Some(d) = self.latency {
            params.latency = d;
        }
        if let Some(d) = self.jitter {
            params.jitter = d;
        }
        if let Some(b) = self.bandwidth_bps {
            params.bandwidth_bps = b;
        }
        if let Some(p) = self.loss_ppm {
            params.loss_ppm = p;
        }
        if let Some(d) = self.rto {
            params.rto = d;
        }
        if let Some(n) = self.max_retransmits {
            params.max_retransmits = n;
        }
    }
}

/// `acl BROKER user NAME topic read FILTER`: one access rule for a broker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AclSpec {
    /// The broker it is for.
    pub broker: NameRef,
    /// Who may do what on which topics.
    pub rule: AclRule,
}

/// A packet-level fault rule as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultSpec {
    /// The rule's text, for the trace.
    pub label: String,
    /// What it does.
    pub action: super::super::fault::FaultAction,
    /// Packet type; `None` for any.
    pub packet: Option<PacketType>,
    /// Sender.
    pub from: Option<NameRef>,
    /// Receiver.
    pub to: Option<NameRef>,
    /// Active from.
    pub start: Instant,
    /// Active for.
    pub duration: Option<Duration>,
    /// How many frames (`next` is 1).
    pub count: Option<u32>,
}

/// What an `at` line does.
#[derive(Debug, Clone, PartialEq)]
pub enum ActionSpec {
    /// `at T NODE: mosquitto_pub ...`
    Command {
        /// The node.
        node: NameRef,
        /// The command line.
        line: String,
    },
    /// `kill NODE`
    Kill(NameRef),
    /// `halfopen NODE`
    HalfOpen(NameRef),
    /// `partition NODE [for D]`
    Partition(NameRef, Option<Duration>),
    /// `heal NODE`
    Heal(NameRef),
    /// `link NODE [latency D] [jitter D] [bandwidth R] [loss P%] [rto D] [retries N]`
    Link(NameRef, LinkChange),
    /// `restart BROKER`
    Restart(NameRef),
    /// `stop NODE` (Ctrl-C)
    Stop(NameRef),
    /// `wifi-drop NODE for D`
    WifiDrop(NameRef, Duration),
    /// `connect NODE [...]`
    Connect(NameRef, ConnSpec, Option<Duration>),
    /// `disconnect NODE`
    Disconnect(NameRef),
    /// `publish NODE TOPIC "PAYLOAD" [qos N] [retain] [with NAME VALUE]...`
    Publish(PublishSpec),
    /// `subscribe NODE FILTER [qos N]`
    Subscribe(NameRef, String, QoS),
    /// `unsubscribe NODE FILTER`
    Unsubscribe(NameRef, String),
    /// `at T fault ...`
    Fault(FaultSpec),
}

/// A timed action.
#[derive(Debug, Clone, PartialEq)]
pub struct TimedAction {
    /// When.
    pub at: Instant,
    /// Line, for messages.
    pub line: usize,
    /// What.
    pub action: ActionSpec,
}

/// How many times something must happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    /// At least once (the default).
    AtLeastOnce,
    /// Exactly this many times.
    Exactly(u32),
    /// Never.
    Never,
}

/// An MQTT 5.0 property a received message must carry
/// (`expect NODE receives ... with user-property sala=101`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PropertyMatch {
    /// `user-property NAME=VALUE`.
    UserProperty(String, String),
    /// `response-topic TOPIC`.
    ResponseTopic(String),
    /// `correlation-data "TEXT"`.
    CorrelationData(String),
    /// `message-expiry S`: the Message Expiry Interval as received (what is
    /// left of it).
    MessageExpiry(u32),
    /// `subscription-id N`.
    SubscriptionId(u32),
    /// `content-type TEXT`.
    ContentType(String),
}

/// The words `with` takes.
pub const PROPERTY_MATCHES: &[&str] = &[
    "user-property",
    "response-topic",
    "correlation-data",
    "message-expiry",
    "subscription-id",
    "content-type",
];

impl PropertyMatch {
    /// Whether `props` holds this property with this value.
    pub fn holds(&self, props: &[crate::codec::properties::Property]) -> bool {
        use crate::codec::properties::Property as P;
        props.iter().any(|p| match (self, p) {
            (PropertyMatch::UserProperty(k, v), P::UserProperty(u)) => u.0 .0 == *k && u.0 .1 == *v,
            (PropertyMatch::ResponseTopic(t), P::ResponseTopic(r)) => r.0 == *t,
            (PropertyMatch::CorrelationData(d), P::CorrelationData(c)) => {
                c.0.as_ref() == d.as_bytes()
            }
            (PropertyMatch::MessageExpiry(s), P::MessageExpiryInterval(m)) => m.0 == *s,
            (PropertyMatch::SubscriptionId(n), P::SubscriptionIdentifier(i)) => i.0 == *n,
            (PropertyMatch::ContentType(t), P::ContentType(c)) => c.0 == *t,
            _ => false,
        })
    }
}

/// What an expectation checks.
#[derive(Debug, Clone, PartialEq)]
pub enum ExpectKind {
    /// `expect NODE receives "P" [on TOPIC]` (or `never receives`);
    /// `expect w1+w2+w3 receives ...` counts what any of them received (the
    /// members of a shared subscription between them).
    Receives {
        /// Node.
        node: NameRef,
        /// More nodes whose messages count with `node`'s (`w1+w2+w3`).
        others: Vec<NameRef>,
        /// Payload, if given.
        payload: Option<String>,
        /// Topic, if given.
        topic: Option<String>,
        /// `with PROPERTY VALUE`: MQTT 5.0 properties the message carries.
        with: Vec<PropertyMatch>,
    },
    /// `expect NODE output "l1" "l2" ...`: the whole terminal output.
    Output(NameRef, Vec<String>),
    /// `expect NODE prints "line"`.
    Prints(NameRef, String),
    /// `expect NODE refused CODE`.
    Refused(NameRef, u8),
    /// `expect NODE suback CODE...`: a SUBACK delivered to the node with exactly
    /// these return codes, in order (128 for a refused filter; an MQTT 5.0
    /// reason code in hex, `0x87`).
    Suback(NameRef, Vec<u8>),
    /// `expect NODE connected` / `disconnected` at the end.
    Connected(NameRef, bool),
    /// `expect NODE state on|off`.
    Switch(NameRef, bool),
    /// `expect BROKER log "text"`: a log line containing the text.
    Log(NameRef, String),
    /// `expect BROKER retained TOPIC "P"` or `... none`.
    Retained(NameRef, String, Option<String>),
    /// `expect packet "SUMMARY" [from N] [to N]`: delivered packets whose summary
    /// is the text ([`summary_matches`](super::expect::summary_matches): the whole
    /// label, a type alone, or a head followed by ` ...`).
    Packet {
        /// The summary to match.
        summary: String,
        /// Sender.
        from: Option<NameRef>,
        /// Receiver.
        to: Option<NameRef>,
        /// `bytes N`: only packets of exactly N bytes on the wire.
        bytes: Option<usize>,
    },
}

/// An expectation.
#[derive(Debug, Clone, PartialEq)]
pub struct Expect {
    /// Its line.
    pub line: usize,
    /// Its text, for reports.
    pub text: String,
    /// What it checks.
    pub kind: ExpectKind,
    /// From when (inclusive).
    pub from: Instant,
    /// Until when (inclusive), if bounded.
    pub until: Option<Instant>,
    /// How many times.
    pub count: Count,
}

/// A parsed scenario.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Scenario {
    /// The first comment line, as a title.
    pub title: Option<String>,
    /// `seed N`, if given.
    pub seed: Option<u64>,
    /// Nodes, in declaration order.
    pub nodes: Vec<NodeDecl>,
    /// Access rules, in file order; a broker with any has an ACL.
    pub acls: Vec<AclSpec>,
    /// Timed actions, in file order.
    pub actions: Vec<TimedAction>,
    /// Fault rules declared with `fault`.
    pub faults: Vec<FaultSpec>,
    /// Expectations.
    pub expects: Vec<Expect>,
    /// `run D`; default: 10 s after the last action.
    pub run: Option<Duration>,
    /// `param NAME V1 V2 ...`: the variables a sweep varies, in file order.
    pub params: Vec<super::params::Param>,
}
