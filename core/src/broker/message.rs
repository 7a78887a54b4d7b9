//! An application message as the broker stores it, apart from any one PUBLISH.

use bytes::Bytes;

use crate::codec::{Publish, QoS, QosPid};
use crate::topic::TopicName;

/// A message in the broker: in a queue, in flight, retained or a will.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Where it was published.
    pub topic: TopicName,
    /// The application payload.
    pub payload: Bytes,
    /// For a received message its publish QoS; for a delivery the QoS it goes out
    /// at (already min(publish, granted)).
    pub qos: QoS,
    /// For a received message its RETAIN flag; for a delivery the flag it goes out
    /// with (1 only for retained messages sent on subscribe).
    pub retain: bool,
}

impl Message {
    /// The message a PUBLISH carries.
    pub fn from_publish(p: &Publish) -> Self {
        Message {
            topic: p.topic.clone(),
            payload: p.payload.clone(),
            qos: p.qos(),
            retain: p.retain,
        }
    }

    /// A PUBLISH carrying this message with the given id (ignored at QoS 0) and DUP.
    pub fn to_publish(&self, pid: Option<crate::codec::Pid>, dup: bool) -> Publish {
        let qospid = match pid {
            Some(pid) => QosPid::from_parts(self.qos, pid),
            None => QosPid::AtMostOnce,
        };
        Publish {
            dup: dup && qospid.qos() != QoS::AtMostOnce,
            qospid,
            retain: self.retain,
            topic: self.topic.clone(),
            payload: self.payload.clone(),
        }
    }
}
