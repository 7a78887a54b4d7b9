//! What a scenario (or the web app, or the swarm) can make happen at a given time.

use core::time::Duration;

use crate::client::ConnectOptions;
use crate::codec::QoS;

use super::fault::FaultRule;
use super::id::NodeId;
use super::link::LinkParams;
use super::node::App;

/// One scheduled action.
#[derive(Debug, Clone)]
pub enum Action {
    /// Start a program on a client node (replacing what runs there).
    Run {
        /// The node.
        node: NodeId,
        /// The program.
        app: Box<App>,
    },
    /// Start the node's declared app (sensors, actuators... start at 0 s).
    Start(NodeId),
    /// Ctrl-C: the program sends DISCONNECT and exits.
    Stop(NodeId),
    /// The program dies: its socket is closed without DISCONNECT (FIN).
    Kill(NodeId),
    /// The host vanishes silently: no FIN, only keep alive can tell.
    HalfOpen(NodeId),
    /// The link to the node's broker stops carrying anything (held until heal).
    Partition(NodeId),
    /// The link carries again; what waited is delivered.
    Heal(NodeId),
    /// The link between a client node and its broker takes new characteristics.
    /// Frames sent from now on follow them; frames already in flight keep their
    /// arrival time, and a later frame still never overtakes an earlier one.
    SetLink {
        /// The client node.
        node: NodeId,
        /// The whole new set (unchanged options keep their old values).
        params: LinkParams,
    },
    /// A broker restarts, losing its state; its clients see their connections close.
    Restart(NodeId),
    /// The node's Wi-Fi goes down for a while.
    WifiDown(NodeId, Duration),
    /// The node's Wi-Fi is back.
    WifiUp(NodeId),
    /// A generic client connects, reconnecting after the given delay if its
    /// connection is lost.
    Connect(NodeId, Box<ConnectOptions>, Option<Duration>),
    /// A generic client disconnects gracefully.
    Disconnect(NodeId),
    /// A client publishes.
    Publish {
        /// The node.
        node: NodeId,
        /// Topic.
        topic: String,
        /// Payload.
        payload: Vec<u8>,
        /// QoS.
        qos: QoS,
        /// RETAIN.
        retain: bool,
        /// MQTT 5.0 properties (none under 3.1.1: the client refuses them).
        properties: Vec<crate::codec::properties::Property>,
    },
    /// A client subscribes.
    Subscribe {
        /// The node.
        node: NodeId,
        /// Filter.
        filter: String,
        /// Maximum QoS.
        qos: QoS,
    },
    /// A client unsubscribes.
    Unsubscribe {
        /// The node.
        node: NodeId,
        /// Filter.
        filter: String,
    },
    /// A fault rule becomes active now.
    Fault(Box<FaultRule>),
    /// The fault rules written this way (`drop next PUBACK to sensor1`) are
    /// taken away: they act no more.
    RemoveFault(String),
}
