//! PUBLISH: an application message, in either direction (MQTT 3.1.1 §3.3).

use bytes::Bytes;

use super::{QoS, QosPid};
use crate::topic::TopicName;

/// A PUBLISH packet.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Publish {
    /// DUP flag: this is a resend of an earlier attempt (QoS 1 and 2 only).
    pub dup: bool,
    /// QoS and, for QoS 1 and 2, the packet identifier.
    pub qospid: QosPid,
    /// RETAIN flag.
    pub retain: bool,
    /// The topic name (never a filter).
    pub topic: TopicName,
    /// The application message.
    pub payload: Bytes,
}

impl Publish {
    /// The QoS level.
    pub fn qos(&self) -> QoS {
        self.qospid.qos()
    }
}
