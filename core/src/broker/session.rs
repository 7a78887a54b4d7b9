//! A session: what the broker keeps for a client identifier, apart from any one
//! connection (§4.1). A clean session ends with its connection; a persistent one
//! stays, collecting QoS 1/2 messages while the client is away.

use std::collections::VecDeque;

use super::{ConnId, IncomingQos2, Message, OutgoingWindow};

/// The broker's state for one client identifier.
#[derive(Debug, Clone)]
pub struct Session {
    /// The client identifier.
    pub client_id: String,
    /// Whether it ends with the connection (clean session = 1).
    pub clean: bool,
    /// The connection the client is on, if it is connected.
    pub conn: Option<ConnId>,
    /// Deliveries sent and not yet acknowledged.
    pub outgoing: OutgoingWindow,
    /// Deliveries waiting: the client is offline or the window is full.
    pub queue: VecDeque<Message>,
    /// Received QoS 2 ids waiting for PUBREL.
    pub incoming: IncomingQos2,
    /// Whether messages are being dropped at the queue bound (logged once per run of
    /// drops, as mosquitto does).
    pub dropping: bool,
    /// Queued messages that hold back a publisher's PUBACK (flow control).
    pub(crate) holds: super::flow::Holds,
}

impl Session {
    /// A fresh session.
    pub fn new(client_id: String, clean: bool) -> Self {
        Session {
            client_id,
            clean,
            conn: None,
            outgoing: OutgoingWindow::default(),
            queue: VecDeque::new(),
            incoming: IncomingQos2::default(),
            dropping: false,
            holds: Default::default(),
        }
    }
}
