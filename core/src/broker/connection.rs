//! One transport connection: what the broker knows about the socket and the client
//! on it, until it closes. Session state lives in [`Session`](super::Session).

use core::fmt;

use std::collections::BTreeMap;

use crate::codec::{v5, Decoder, Protocol};
use crate::time::Instant;
use crate::topic::TopicName;

use super::limits::Unsent;
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
    /// The level its CONNECT named: every packet to it is encoded at it.
    pub protocol: Option<Protocol>,
    pub username: Option<String>,
    pub keep_alive: u16,
    /// The will, with its 5.0 properties (none from a 3.1.1 client). Boxed:
    /// most connections have none, and inline it would make every one 80
    /// bytes larger.
    pub will: Option<Box<v5::Will>>,
    /// What a 5.0 client asked of the broker in its CONNECT.
    pub peer_limits: PeerLimits,
    /// Session Expiry Interval in force (CONNECT's, changed by DISCONNECT).
    pub session_expiry: u32,
    /// Topic aliases in both directions, once the first is set (boxed: most
    /// connections never use one).
    pub aliases: Option<Box<Aliases>>,
    pub timers: Timers,
    /// The deadline this connection has in the broker's schedule.
    pub scheduled: Option<Instant>,
    /// PUBACKs held back by flow control (`hold_acks`, off by default: boxed
    /// once used).
    pub owed: Option<Box<super::flow::OwedAcks>>,
    /// What the transport has not taken yet, from the first packet sent to it
    /// on (boxed: a socket that never sends CONNECT is never written to; see
    /// [`Connection::unsent`]).
    unsent: Option<Box<Unsent>>,
    /// Its PUBLISH token bucket, from its first PUBLISH on, when
    /// [`max_message_rate`](super::BrokerConfig::max_message_rate) is set
    /// (boxed: off by default).
    pub bucket: Option<Box<super::rate::Bucket>>,
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
            peer_limits: PeerLimits::default(),
            session_expiry: 0,
            aliases: None,
            timers: Timers::default(),
            scheduled: None,
            owed: None,
            unsent: None,
            bucket: None,
        }
    }

    /// What the transport has not taken yet.
    pub fn unsent(&self) -> &Unsent {
        static NOTHING: Unsent = Unsent::NOTHING;
        self.unsent.as_deref().unwrap_or(&NOTHING)
    }

    /// The transport took `n` more bytes.
    pub fn sent(&mut self, n: usize) {
        if let Some(u) = &mut self.unsent {
            u.sent(n);
        }
    }

    /// A packet of `len` bytes was transmitted (see [`Unsent::transmitted`]).
    pub fn transmitted(&mut self, len: usize, qos0_payload: Option<usize>) {
        self.unsent
            .get_or_insert_with(Default::default)
            .transmitted(len, qos0_payload);
    }

    /// Whether it speaks 5.0 (its CONNECT said so).
    pub fn is_v5(&self) -> bool {
        self.protocol == Some(Protocol::V5)
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

/// A connection's topic aliases (§3.3.2.3.4).
#[derive(Debug, Clone, Default)]
pub(crate) struct Aliases {
    /// Those the client set: alias to topic.
    pub inbound: BTreeMap<u16, TopicName>,
    /// Those the broker set toward the client: topic to alias.
    pub outbound: BTreeMap<TopicName, u16>,
}

/// The limits a 5.0 client set in its CONNECT, which bind the broker (a 3.1.1
/// client sets none: the defaults below).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PeerLimits {
    /// Receive Maximum (§3.1.2.11.3): unacknowledged QoS 1/2 PUBLISHes it takes.
    pub receive_maximum: u16,
    /// Maximum Packet Size (§3.1.2.11.4), if it set one.
    pub max_packet_size: Option<u32>,
    /// Topic Alias Maximum (§3.1.2.11.5): 0, no aliases toward it.
    pub topic_alias_maximum: u16,
    /// Request Problem Information (§3.1.2.11.7): reason strings and user
    /// properties only on PUBLISH, CONNACK and DISCONNECT when false.
    pub problem_information: bool,
}

impl Default for PeerLimits {
    fn default() -> Self {
        PeerLimits {
            receive_maximum: u16::MAX,
            max_packet_size: None,
            topic_alias_maximum: 0,
            problem_information: true,
        }
    }
}

#[cfg(test)]
mod tests {
    /// A broker keeps one `Connection` per open socket, CONNECT or not: 2,000
    /// idle sockets (the adversarial suite) cost 2,000 of them. What most
    /// connections never use (a will, topic aliases, held PUBACKs, a decoding
    /// error) is boxed; a field that makes every connection larger should be
    /// too, or raise this bound knowingly. It was 528 bytes, then 344 (a
    /// 352-byte allocation), then 256 with its timers as three `Instant`s
    /// rather than `Option`s and what the socket has not taken boxed.
    #[test]
    fn a_connection_stays_small() {
        let size = core::mem::size_of::<super::Connection>();
        assert!(size <= 256, "Connection is {size} bytes");
    }
}
