//! One transport connection: what the broker knows about the socket and the client
//! on it, until it closes. Session state lives in [`Session`](super::Session).

use core::fmt;

use crate::codec::{Decoder, LastWill, Protocol};
use crate::time::Instant;

use super::Timers;

/// The driver's name for a transport connection (a TCP socket, a WebSocket, a
/// simulated link). Chosen by the driver, unique while the connection lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ConnId(pub u64);

impl fmt::Display for ConnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// The address of the other end, as the log shows it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PeerAddr {
    /// IP address as text (`172.17.0.2`).
    pub ip: String,
    /// Source port.
    pub port: u16,
}

impl PeerAddr {
    /// An address from its parts.
    pub fn new(ip: impl Into<String>, port: u16) -> Self {
        PeerAddr {
            ip: ip.into(),
            port,
        }
    }
}

impl fmt::Display for PeerAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.ip, self.port)
    }
}

/// The state of one connection.
#[derive(Debug, Clone)]
pub(crate) struct Connection {
    pub peer: PeerAddr,
    pub decoder: Decoder,
    /// The first byte of the packet the decoder is working on.
    pub next_first_byte: Option<u8>,
    /// Set once CONNECT is accepted.
    pub client_id: Option<String>,
    pub protocol: Option<Protocol>,
    pub username: Option<String>,
    pub keep_alive: u16,
    pub will: Option<LastWill>,
    pub timers: Timers,
    /// The deadline this connection has in the broker's schedule.
    pub scheduled: Option<Instant>,
    /// PUBACKs held back by flow control.
    pub owed: super::flow::OwedAcks,
    /// What the transport has not taken yet.
    pub unsent: super::limits::Unsent,
}

impl Connection {
    pub fn new(peer: PeerAddr, max_packet_size: usize) -> Self {
        Connection {
            peer,
            decoder: Decoder::new(max_packet_size),
            next_first_byte: None,
            client_id: None,
            protocol: None,
            username: None,
            keep_alive: 0,
            will: None,
            timers: Timers::default(),
            scheduled: None,
            owed: Default::default(),
            unsent: Default::default(),
        }
    }

    /// The name the log uses: the client id, or `<unknown>` before CONNECT.
    pub fn log_name(&self) -> &str {
        self.client_id.as_deref().unwrap_or("<unknown>")
    }

    /// Rearms the keep-alive timer after a packet from the client (MQTT-3.1.2-24):
    /// 1.5 x keep alive; 0 turns it off.
    pub fn touch(&mut self, now: Instant) {
        if self.client_id.is_some() && self.keep_alive > 0 {
            let grace = core::time::Duration::from_millis(u64::from(self.keep_alive) * 1500);
            self.timers.set(super::Timer::KeepAlive, now + grace);
        }
    }
}
