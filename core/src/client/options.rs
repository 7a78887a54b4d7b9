//! What a client asks for when it connects, and how it behaves afterwards.

use core::time::Duration;

use bytes::Bytes;

use crate::codec::properties::Property;
use crate::codec::{LastWill, Login, Protocol, QoS};
use crate::topic::{TopicError, TopicName};

/// When unacknowledged PUBLISH and PUBREL packets are sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResendPolicy {
    /// Only when a session with `clean_session = false` reconnects, as MQTT 3.1.1
    /// requires (MQTT-4.4.0-1). This is what mosquitto and most libraries do.
    OnReconnect,
    /// Also when no acknowledgement arrived within the given time on the same
    /// connection. This is the model the course text describes ("caso o emissor não
    /// receba reconhecimento num tempo apropriado a mensagem é reenviada com
    /// dupFlag = true"); MQTT 3.1.1 itself does not ask for it over TCP.
    OnAckTimeout(Duration),
}

/// When a received QoS 2 message is handed to the application (§4.3.3 allows
/// both).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Qos2Delivery {
    /// At the first PUBLISH (the spec's Method B; the id is held until PUBREL so a
    /// DUP resend is not delivered twice). The default.
    OnPublish,
    /// When PUBREL arrives, after PUBCOMP is queued: libmosquitto's way, so what
    /// `mosquitto_sub` prints for a QoS 2 message, and when.
    OnPubrel,
}

/// Connect options: the CONNECT packet's fields plus the client's own limits.
///
/// Build one with [`ConnectOptions::new`] and the chained setters:
///
/// ```
/// use mqttlab_core::client::ConnectOptions;
/// let opts = ConnectOptions::new("sensor1").clean_session(false).keep_alive(15);
/// assert_eq!(opts.keep_alive, 15);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectOptions {
    /// The client identifier; may be empty only with a clean session (MQTT-3.1.3-7).
    pub client_id: String,
    /// `false` asks the broker to keep the session (subscriptions, queued messages).
    pub clean_session: bool,
    /// Keep alive in seconds; 0 turns pings off.
    pub keep_alive: u16,
    /// User name and password.
    pub login: Option<Login>,
    /// Last Will and Testament.
    pub will: Option<LastWill>,
    /// MQTT 3.1.1 (default), 3.1 or 5.0.
    pub protocol: Protocol,
    /// MQTT 5.0: the CONNECT's properties, in this order (Session Expiry
    /// Interval, Receive Maximum, Topic Alias Maximum, User Property...).
    /// Receive Maximum and Topic Alias Maximum here are also what the client
    /// enforces on the broker (MQTT-3.3.4-9, MQTT-3.3.2-10).
    pub properties: Vec<Property>,
    /// MQTT 5.0: the will's properties (Will Delay Interval, Message Expiry
    /// Interval, Content Type, Response Topic...).
    pub will_properties: Vec<Property>,
    /// Largest packet accepted from the broker and sent to it, in bytes.
    pub max_packet_size: usize,
    /// What to do with a packet from the broker larger than `max_packet_size`:
    /// `false` (default) closes the connection as a protocol error; `true` skips
    /// it and reports [`ClientEvent::OversizedDropped`](super::ClientEvent), as
    /// Arduino's PubSubClient silently drops what does not fit its buffer.
    pub drop_oversized: bool,
    /// How many QoS 1/2 messages may await acknowledgement at once; further ones
    /// wait in a queue. 0 means no limit.
    pub max_inflight: u16,
    /// When unacknowledged messages are sent again.
    pub resend: ResendPolicy,
    /// How long to wait for PINGRESP after PINGREQ; `None` waits one keep alive
    /// period, as libmosquitto does.
    pub ping_timeout: Option<Duration>,
    /// How long to wait for CONNACK; `None` waits forever.
    pub connect_timeout: Option<Duration>,
    /// When a received QoS 2 message is delivered.
    pub qos2_delivery: Qos2Delivery,
    /// MQTT 5.0 enhanced authentication with SCRAM-SHA-256 (§4.12): the
    /// client runs the exchange itself (`enhanced_auth.rs`).
    pub scram: Option<ScramLogin>,
}

/// A SCRAM-SHA-256 login for enhanced authentication, and where the client's
/// nonces come from: a seed from the driver (the world's seed in the
/// simulator), never the operating system, so that a run replays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScramLogin {
    /// The user name SCRAM sends (in the client-first, not in CONNECT's User
    /// Name).
    pub username: String,
    /// The password; only keys derived from it leave the client.
    pub password: String,
    /// The seed of the client's nonces (one stream per seed and client id).
    pub nonce_seed: u64,
}

/// MQTT's largest possible packet: 256 MB (§2.2.3).
pub const MAX_PACKET_SIZE: usize = 268_435_455 + 5;

impl ConnectOptions {
    /// Options with the defaults of `mosquitto_pub`: clean session, keep alive 60 s,
    /// no login, no will, MQTT 3.1.1, up to 20 messages in flight, resend on
    /// reconnect only.
    pub fn new(client_id: impl Into<String>) -> Self {
        ConnectOptions {
            client_id: client_id.into(),
            clean_session: true,
            keep_alive: 60,
            login: None,
            will: None,
            protocol: Protocol::V311,
            properties: Vec::new(),
            will_properties: Vec::new(),
            max_packet_size: MAX_PACKET_SIZE,
            drop_oversized: false,
            max_inflight: 20,
            resend: ResendPolicy::OnReconnect,
            ping_timeout: None,
            connect_timeout: None,
            qos2_delivery: Qos2Delivery::OnPublish,
            scram: None,
        }
    }

    /// Sets the clean session flag.
    pub fn clean_session(mut self, clean: bool) -> Self {
        self.clean_session = clean;
        self
    }

    /// Sets the keep alive, in seconds.
    pub fn keep_alive(mut self, secs: u16) -> Self {
        self.keep_alive = secs;
        self
    }

    /// Sets user name and optional password.
    pub fn login(mut self, username: impl Into<String>, password: Option<Bytes>) -> Self {
        self.login = Some(Login {
            username: username.into(),
            password,
        });
        self
    }

    /// Sets the Last Will; fails if `topic` is not a valid topic name.
    pub fn will(
        mut self,
        topic: &str,
        message: impl Into<Bytes>,
        qos: QoS,
        retain: bool,
    ) -> Result<Self, TopicError> {
        self.will = Some(LastWill {
            topic: TopicName::new(topic)?,
            message: message.into(),
            qos,
            retain,
        });
        Ok(self)
    }

    /// Speaks MQTT 5.0 with these CONNECT properties.
    pub fn v5(mut self, properties: Vec<Property>) -> Self {
        self.protocol = Protocol::V5;
        self.properties = properties;
        self
    }

    /// Sets the largest packet size, both directions.
    pub fn max_packet_size(mut self, bytes: usize) -> Self {
        self.max_packet_size = bytes;
        self
    }

    /// Skips oversized incoming packets instead of closing the connection.
    pub fn drop_oversized(mut self, drop: bool) -> Self {
        self.drop_oversized = drop;
        self
    }

    /// Sets the in-flight window (0: unlimited).
    pub fn max_inflight(mut self, n: u16) -> Self {
        self.max_inflight = n;
        self
    }

    /// Sets the resend policy.
    pub fn resend(mut self, policy: ResendPolicy) -> Self {
        self.resend = policy;
        self
    }

    /// Sets how long to wait for a PINGRESP.
    pub fn ping_timeout(mut self, timeout: Duration) -> Self {
        self.ping_timeout = Some(timeout);
        self
    }

    /// Sets how long to wait for a CONNACK.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Sets when a received QoS 2 message is delivered.
    pub fn qos2_delivery(mut self, when: Qos2Delivery) -> Self {
        self.qos2_delivery = when;
        self
    }

    /// The keep alive as a duration, `None` when off.
    pub fn keep_alive_interval(&self) -> Option<Duration> {
        (self.keep_alive > 0).then(|| Duration::from_secs(u64::from(self.keep_alive)))
    }
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions::new("")
    }
}
