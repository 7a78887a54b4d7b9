//! What a broker is told before it starts: users, access rules, bounds, the seed.

use std::collections::BTreeMap;
use std::time::Duration;

use super::acl::Acl;

/// The broker's configuration. `Default` gives mosquitto 2.0's behaviour for a
/// listener that allows anonymous clients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerConfig {
    /// The listener's port, for the "New connection from ... on port N." log line.
    pub listener_port: u16,
    /// Whether clients without a user name may connect (else CONNACK 5).
    pub allow_anonymous: bool,
    /// User name to password. A client that sends a user name must match an entry
    /// (else CONNACK 4). Empty map: any user name is accepted.
    pub users: BTreeMap<String, Vec<u8>>,
    /// Client identifiers that are refused with CONNACK 2 (identifier rejected).
    pub rejected_client_ids: Vec<String>,
    /// Access rules; `None` allows everything.
    pub acl: Option<Acl>,
    /// At most this many connected clients; one more gets CONNACK 3 (server
    /// unavailable). `None` for no limit.
    pub max_connections: Option<usize>,
    /// At most this many messages wait for one client beyond its in-flight
    /// window: QoS 1/2 in its queue, and for a connected client QoS 0 messages its
    /// socket has not taken yet (see [`socket_feedback`](Self::socket_feedback));
    /// more are dropped, logged once per run of drops (`Outgoing messages are
    /// being dropped for client ...`) and counted. 0 for no limit. mosquitto's
    /// `max_queued_messages`, default 1000.
    pub max_queued_messages: usize,
    /// The same bound in payload bytes (mosquitto's `max_queued_bytes`); 0 (the
    /// default) for no limit.
    pub max_queued_bytes: usize,
    /// At most this many QoS 1/2 messages unacknowledged per client; more wait in
    /// the queue. 0 for no limit. mosquitto's `max_inflight_messages`, default 20.
    pub max_inflight_messages: usize,
    /// At most this many payload bytes of QoS 1/2 messages unacknowledged per
    /// client; more wait in the queue. 0 (the default) for no limit. mosquitto's
    /// `max_inflight_bytes`.
    pub max_inflight_bytes: usize,
    /// Whether the driver reports, with [`Broker::handle_sent`], the bytes each
    /// connection's transport has taken. With it a QoS 0 PUBLISH counts against
    /// the client's limits until its socket takes it, so a client that stops
    /// reading gets its QoS 0 messages dropped instead of buffered without
    /// bound. Without it (the default) a transmit counts as sent when polled.
    ///
    /// [`Broker::handle_sent`]: super::Broker::handle_sent
    pub socket_feedback: bool,
    /// At most this many topics hold a retained message; a retained PUBLISH for a
    /// new topic beyond it is delivered but not stored. 0 (the default) for no
    /// limit (mosquitto has none).
    pub max_retained_messages: usize,
    /// At most this many payload bytes of retained messages in all; 0 (the
    /// default) for no limit.
    pub max_retained_bytes: usize,
    /// At most this many subscriptions per client; a SUBSCRIBE filter beyond it
    /// gets SUBACK 0x80. 0 (the default) for no limit.
    pub max_subscriptions_per_client: usize,
    /// The longest topic name or filter accepted, in bytes: a longer PUBLISH topic
    /// closes the connection, a longer SUBSCRIBE filter gets SUBACK 0x80. 0 for no
    /// limit beyond the wire's 65,535 (the default, as mosquitto).
    pub max_topic_length: usize,
    /// The most levels (`/`-separated parts) a topic name or filter may have,
    /// refused as [`max_topic_length`](Self::max_topic_length) is. Default 201:
    /// mosquitto 2.0 refuses a topic with more than 200 `/`
    /// (`TOPIC_HIERARCHY_LIMIT`); 0 for no limit.
    pub max_topic_levels: usize,
    /// At most this many open connections from one IP address; one more is
    /// closed as it opens, before CONNECT. 0 (the default) for no limit.
    pub max_connections_per_address: usize,
    /// Whether QoS 0 messages are queued for offline persistent sessions
    /// (mosquitto's `queue_qos0_messages`), off by default.
    pub queue_qos0: bool,
    /// Whether a zero-length client identifier with clean session gets an assigned
    /// `auto-...` identifier (MQTT-3.1.3-6); otherwise CONNACK 2.
    pub allow_zero_length_client_id: bool,
    /// Teaching mode, off by default: resend an unacknowledged PUBLISH (DUP=1) or
    /// PUBREL after this long on the same connection. This is the model the course
    /// text describes, *not* MQTT 3.1.1, which resends only when a session resumes
    /// (§4.4).
    pub resend_timeout: Option<Duration>,
    /// Flow control for publishers, off by default everywhere (mosquitto
    /// acknowledges at once): a QoS 1 message queued for a connected subscriber
    /// whose in-flight window is full holds back the publisher's PUBACK until it
    /// leaves the queue, so publishers go no faster than their subscribers read.
    /// The price (see `flow.rs`): a subscriber that never acknowledges stalls the
    /// QoS 1 publishers of its topics. Off, a publisher's PUBACK depends only on
    /// the broker having accepted the message, never on the slowest subscriber.
    pub hold_acks: bool,
    /// How long a new connection may take to send a complete CONNECT before it is
    /// closed (MQTT 3.1.1 §3.1 and §4.8 let a server close it "within a reasonable
    /// amount of time"). mosquitto 2.0 gives a socket without CONNECT the default
    /// keep alive of 60 s and closes it at 1.5 x that, 90 s, as `Client <unknown>
    /// has exceeded timeout, disconnecting.`; so does this broker. `None` waits
    /// for ever.
    pub connect_timeout: Option<Duration>,
    /// The largest packet accepted from a client, in bytes (fixed header included).
    pub max_packet_size: usize,
    /// What the broker offers MQTT 5.0 clients (`v5_config.rs`).
    pub v5: super::V5Config,
    /// Enhanced authentication (MQTT 5.0 §4.12): SCRAM-SHA-256 users and the
    /// nonce key (`enhanced_auth.rs`).
    pub enhanced_auth: super::EnhancedAuthConfig,
    /// Whether [`Output::Log`](super::Output::Log) lines are produced. A driver
    /// that prints no log (a load test) turns them off to save the formatting.
    pub log: bool,
    /// Whether [`Output::Event`](super::Output::Event)s are produced.
    pub events: bool,
    /// With `events`, only the wills' ([`BrokerEvent::WillPublished`] and
    /// [`BrokerEvent::WillDiscarded`]): a driver that only marks wills (the
    /// simulator keeping no broker events) is spared an event per message.
    ///
    /// [`BrokerEvent::WillPublished`]: super::BrokerEvent::WillPublished
    /// [`BrokerEvent::WillDiscarded`]: super::BrokerEvent::WillDiscarded
    pub will_events_only: bool,
    /// Seed for the generator behind assigned client identifiers.
    pub seed: u64,
    /// How often the `$SYS/broker/...` topics are published (mosquitto's
    /// `sys_interval`, `sys.rs`). `None` (the default here, so a simulated
    /// world shows only what its scenario asks for) publishes none; `mqttlab
    /// broker` uses mosquitto's default, 10 s.
    pub sys_interval: Option<Duration>,
    /// Whether the broker keeps the tree of every topic it routes, with last
    /// value, count and recent numbers (`topic_tree.rs`), for a view to draw.
    /// Off by default (a load test need not pay for it).
    pub topic_tree: bool,
    /// How fast one connection may publish (`max_message_rate`,
    /// `max_message_burst`): a token bucket per connection; a PUBLISH beyond
    /// it closes the connection, DISCONNECT 0x96 for a 5.0 client (`rate.rs`).
    /// `None` (the default, as mosquitto, which has no such limit): unlimited.
    pub max_message_rate: Option<super::RateLimit>,
}

impl Default for BrokerConfig {
    fn default() -> Self {
        BrokerConfig {
            listener_port: 1883,
            allow_anonymous: true,
            users: BTreeMap::new(),
            rejected_client_ids: Vec::new(),
            acl: None,
            max_connections: None,
            max_queued_messages: 1000,
            max_queued_bytes: 0,
            max_inflight_messages: 20,
            max_inflight_bytes: 0,
            socket_feedback: false,
            max_retained_messages: 0,
            max_retained_bytes: 0,
            max_subscriptions_per_client: 0,
            max_topic_length: 0,
            max_topic_levels: 201,
            max_connections_per_address: 0,
            queue_qos0: false,
            allow_zero_length_client_id: true,
            resend_timeout: None,
            hold_acks: false,
            connect_timeout: Some(Duration::from_secs(90)),
            max_packet_size: 268_435_455 + 5,
            v5: Default::default(),
            enhanced_auth: Default::default(),
            log: true,
            events: true,
            will_events_only: false,
            seed: 0,
            sys_interval: None,
            topic_tree: false,
            max_message_rate: None,
        }
    }
}
