//! What a scenario (or the web app, or the swarm) can make happen at a given time.

use core::time::Duration;

use crate::client::ConnectOptions;
use crate::codec::QoS;

use super::fault::FaultRule;
use super::link::LinkParams;
use super::node::App;

/// One scheduled action. Node fields are node indices.
#[derive(Debug, Clone)]
pub enum Action {
    /// Start a program on a client node (replacing what runs there).
    Run {
        /// The node.
        node: usize,
        /// The program.
        app: Box<App>,
    },
    /// Start the node's declared app (sensors, actuators... start at 0 s).
    Start(usize),
    /// Ctrl-C: the program sends DISCONNECT and exits.
    Stop(usize),
    /// The program dies: its socket is closed without DISCONNECT (FIN).
    Kill(usize),
    /// The host vanishes silently: no FIN, only keep alive can tell.
    HalfOpen(usize),
    /// The link to the node's broker stops carrying anything (held until heal).
    Partition(usize),
    /// The link carries again; what waited is delivered.
    Heal(usize),
    /// The link between a client node and its broker takes new characteristics.
    /// Frames sent from now on follow them; frames already in flight keep their
    /// arrival time, and a later frame still never overtakes an earlier one.
    SetLink {
        /// The client node.
        node: usize,
        /// The whole new set (unchanged options keep their old values).
        params: LinkParams,
    },
    /// A broker restarts, losing its state; its clients see their connections close.
    Restart(usize),
    /// The node's Wi-Fi goes down for a while.
    WifiDown(usize, Duration),
    /// The node's Wi-Fi is back.
    WifiUp(usize),
    /// A generic client connects, reconnecting after the given delay if its
    /// connection is lost.
    Connect(usize, Box<ConnectOptions>, Option<Duration>),
    /// A generic client disconnects gracefully.
    Disconnect(usize),
    /// A client publishes.
    Publish {
        /// The node.
        node: usize,
        /// Topic.
        topic: String,
        /// Payload.
        payload: Vec<u8>,
        /// QoS.
        qos: QoS,
        /// RETAIN.
        retain: bool,
    },
    /// A client subscribes.
    Subscribe {
        /// The node.
        node: usize,
        /// Filter.
        filter: String,
        /// Maximum QoS.
        qos: QoS,
    },
    /// A client unsubscribes.
    Unsubscribe {
        /// The node.
        node: usize,
        /// Filter.
        filter: String,
    },
    /// A fault rule becomes active now.
    Fault(Box<FaultRule>),
}
