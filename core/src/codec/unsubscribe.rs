//! UNSUBSCRIBE: a client drops topic filters (MQTT 3.1.1 §3.10).

use super::Pid;
use crate::topic::TopicFilter;

/// An UNSUBSCRIBE packet. It must carry at least one filter (MQTT-3.10.3-2).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Unsubscribe {
    /// The packet identifier the UNSUBACK will echo.
    pub pid: Pid,
    /// The filters to remove, exactly as they were subscribed.
    pub filters: Vec<TopicFilter>,
}
