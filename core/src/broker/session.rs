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
    /// Whether it ends with the connection (3.1.1 clean session = 1; 5.0
    /// Session Expiry Interval 0).
    pub clean: bool,
    /// Session Expiry Interval (§3.1.2.11.2): seconds it outlives its
    /// connection; 0 it ends with it, 0xFFFFFFFF never (3.1.1 clean session 0).
    pub expiry_interval: u32,
    /// While offline: when it ends.
    pub expires_at: Option<crate::time::Instant>,
    /// The connection the client is on, if it is connected.
    pub conn: Option<ConnId>,
    /// The user name of the client's latest connection: the ACL checks what is
    /// delivered to the session with it, also while the client is away.
    pub username: Option<String>,
    /// Deliveries sent and not yet acknowledged.
    pub outgoing: OutgoingWindow,
    /// Deliveries waiting: the client is offline or the window is full. Change
    /// it through `push_queued`/`pop_queued`, which keep `queued_bytes`.
    pub queue: VecDeque<Message>,
    /// The payload bytes of `queue` (for `max_queued_bytes`).
    pub queued_bytes: usize,
    /// Messages dropped for this client because it could not keep up.
    pub dropped: u64,
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
    pub fn new(client_id: String, expiry_interval: u32) -> Self {
        Session {
            client_id,
            clean: expiry_interval == 0,
            expiry_interval,
            expires_at: None,
            conn: None,
            username: None,
            outgoing: OutgoingWindow::default(),
            queue: VecDeque::new(),
            queued_bytes: 0,
            dropped: 0,
            incoming: IncomingQos2::default(),
            dropping: false,
            holds: Default::default(),
        }
    }
}

impl Session {
    /// Adds a message at the back of the queue.
    pub(crate) fn push_queued(&mut self, msg: Message) {
        self.queued_bytes += msg.payload.len();
        self.queue.push_back(msg);
    }

    /// Takes the message at the front of the queue.
    pub(crate) fn pop_queued(&mut self) -> Option<Message> {
        let msg = self.queue.pop_front()?;
        self.queued_bytes -= msg.payload.len();
        Some(msg)
    }
}

#[cfg(test)]
mod size_tests {
    /// The broker keeps one boxed `Session` per stored session, offline ones
    /// too (10,000 persistent sessions are an adversarial suite case): a field
    /// that makes every session larger should be boxed, or this bound raised
    /// knowingly.
    #[test]
    fn a_session_stays_small() {
        let size = core::mem::size_of::<super::Session>();
        eprintln!("Session: {size} bytes");
        assert!(size <= 256, "Session is {size} bytes");
    }
}
