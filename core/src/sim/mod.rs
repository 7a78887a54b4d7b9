//! The deterministic simulated world: brokers and devices on a virtual clock,
//! lossy links, fault rules, a trace of everything, scenarios students write.
//!
//! - [`World`] holds nodes and links and an event queue ordered by (time,
//!   sequence number); the driver calls [`World::step`] or [`World::run_until`]
//!   (the web app pauses, steps and fast-forwards with these).
//! - [`link`] models each client's TCP connection (latency, jitter, bandwidth,
//!   loss as retransmission delay and, past a bound, a reset); [`fault`] holds the
//!   packet-level teaching rules.
//! - [`node`] has the apps: `mosquitto_pub`/`mosquitto_sub`, sensors, actuators,
//!   a thermostat, ESP32 library profiles.
//! - [`trace`] records what happened and hashes it; [`pcap`] exports a capture
//!   Wireshark opens.
//! - [`scenario`] parses the scenario language and checks expectations; the
//!   bundled scenarios are in [`bundled`].
//! - [`swarm`] builds random worlds from a seed and checks invariants.
//! - [`sweep`] runs a scenario over a grid of its variables' values and seeds
//!   and tabulates what was delivered, lost and duplicated.
//!
//! Nothing here reads a clock, uses the operating system's randomness, or lets a
//! hash map's order reach an output.

// Event handlers read as "on this event, if this holds, do that"; folding the
// condition into the match pattern hides it.
#![allow(clippy::collapsible_match)]

pub mod action;
pub mod bench;
pub mod bundled;
pub mod draw;
pub mod fault;
pub mod history;
pub mod id;
pub mod link;
pub mod marks;
pub mod node;
pub mod note;
pub mod pcap;
pub mod queue;
pub mod replay;
pub mod scenario;
pub mod series;
pub mod swarm;
pub mod sweep;
pub mod trace;
pub mod world;

pub use action::Action;
pub use fault::{FaultAction, FaultRule, Misbehaviour};
pub use id::{LinkId, NodeId, WorldError};
pub use link::{Dir, Link, LinkParams};
pub use trace::{Trace, TraceEntry, TraceKind, TraceMode};
pub use world::{Stats, WillMoment, World};
