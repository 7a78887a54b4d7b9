//! SUBSCRIBE: a client asks for topic filters (MQTT 3.1.1 §3.8).

use super::{Pid, QoS};
use crate::topic::TopicFilter;

/// One filter of a SUBSCRIBE with the maximum QoS asked for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SubscribeTopic {
    /// The filter, wildcards allowed.
    pub filter: TopicFilter,
    /// The highest QoS the client wants to receive on it.
    pub qos: QoS,
}

/// A SUBSCRIBE packet. It must carry at least one filter (MQTT-3.8.3-3).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Subscribe {
    /// The packet identifier the SUBACK will echo.
    pub pid: Pid,
    /// The filters, in order.
    pub topics: Vec<SubscribeTopic>,
}
