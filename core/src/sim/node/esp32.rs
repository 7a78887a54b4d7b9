//! An ESP32 running a sensor/actuator firmware on one of two client libraries.
//!
//! The profiles capture the behaviour students meet on real boards:
//!
//! - **Arduino PubSubClient**: one buffer of 256 bytes (128 in releases before 2.8,
//!   the figure the course text quotes) for everything in and out; keep alive 15 s;
//!   `publish()` has no QoS argument, so it always sends QoS 0; `subscribe()` takes
//!   QoS 0 or 1 only; a packet that does not fit the buffer is read and discarded
//!   without a word, and a publish that does not fit returns `false`. The library
//!   never reconnects by itself: the sketch must (`reconnect` sets the sketch's
//!   retry delay, none by default).
//! - **ESP-IDF esp-mqtt**: 1024-byte buffers (larger messages go in pieces, so none
//!   is lost), keep alive 120 s, reconnects every 10 s on its own, and keeps QoS 1/2
//!   messages in an outbox that is sent again once it is back online.

use core::time::Duration;

use crate::client::{publish_size, ClientEvent, ConnectOptions, ConnectionState};
use crate::codec::properties::Property;
use crate::codec::QoS;

use super::super::note::Note;
use super::actuator::parse_switch;
use super::{Cx, Effect, Sensor};

/// A client-library profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Esp32Profile {
    /// Arduino PubSubClient with this buffer size (256, or 128 for old releases).
    PubSubClient {
        /// `MQTT_MAX_PACKET_SIZE`.
        buffer: usize,
    },
    /// ESP-IDF's esp-mqtt.
    EspIdf,
}

impl Esp32Profile {
    /// The buffer size in bytes.
    pub fn buffer(self) -> usize {
        match self {
            Esp32Profile::PubSubClient { buffer } => buffer,
            // esp-mqtt splits larger messages into buffer-sized pieces instead of
            // dropping them, so as a filter the limit is the protocol's own.
            Esp32Profile::EspIdf => usize::MAX,
        }
    }

    /// The default keep alive, seconds.
    pub fn keep_alive(self) -> u16 {
        match self {
            Esp32Profile::PubSubClient { .. } => 15,
            Esp32Profile::EspIdf => 120,
        }
    }

    /// The library's own reconnect delay.
    pub fn auto_reconnect(self) -> Option<Duration> {
        match self {
            Esp32Profile::PubSubClient { .. } => None,
            Esp32Profile::EspIdf => Some(Duration::from_secs(10)),
        }
    }

    /// Its name in scenarios.
    pub fn name(self) -> &'static str {
        match self {
            Esp32Profile::PubSubClient { buffer: 128 } => "pubsubclient-128",
            Esp32Profile::PubSubClient { .. } => "pubsubclient",
            Esp32Profile::EspIdf => "esp-idf",
        }
    }
}

/// A QoS 1/2 message esp-mqtt keeps in its outbox while offline.
#[derive(Debug, Clone, PartialEq)]
struct Unsent {
    topic: String,
    payload: bytes::Bytes,
    qos: QoS,
    retain: bool,
    properties: Vec<Property>,
}

/// The firmware.
#[derive(Debug, Clone, PartialEq)]
pub struct Esp32 {
    /// The library.
    pub profile: Esp32Profile,
    /// How it connects.
    pub options: ConnectOptions,
    /// A sensor it reads and publishes, if any.
    pub sensor: Option<Sensor>,
    /// A command topic it obeys, if any (and the QoS asked for).
    pub command: Option<(String, QoS)>,
    /// A fixed message published once after each connect (e.g. an announcement
    /// larger than the buffer).
    pub announce: Option<(String, String)>,
    /// The sketch's own reconnect delay, on top of the library's.
    pub sketch_reconnect: Option<Duration>,
    /// The switch state driven by the command topic.
    pub switch: Option<bool>,
    outbox: Vec<Unsent>,
    next_reading: Option<crate::time::Instant>,
    reconnect_at: Option<crate::time::Instant>,
}

impl Esp32 {
    /// A board with the profile's defaults.
    pub fn new(profile: Esp32Profile, client_id: &str) -> Self {
        Esp32 {
            profile,
            options: ConnectOptions::new(client_id).keep_alive(profile.keep_alive()),
            sensor: None,
            command: None,
            announce: None,
            sketch_reconnect: None,
            switch: None,
            outbox: Vec::new(),
            next_reading: None,
            reconnect_at: None,
        }
    }

    fn reconnect_delay(&self) -> Option<Duration> {
        self.profile.auto_reconnect().or(self.sketch_reconnect)
    }

    pub(super) fn start(&mut self, cx: &mut Cx) {
        cx.effects
            .push(Effect::Connect(Box::new(self.options.clone())));
    }

    fn publish(&mut self, cx: &mut Cx, m: Unsent) {
        let Unsent {
            topic,
            payload,
            qos,
            retain,
            properties,
        } = m;
        match self.profile {
            Esp32Profile::PubSubClient { buffer } => {
                // PubSubClient speaks 3.1.1 only (the parser allows no
                // properties on it).
                let size = publish_size(topic.len(), payload.len(), QoS::AtMostOnce);
                if size > buffer {
                    cx.print(format!(
                        "publish() returned false: {size} bytes do not fit the {buffer}-byte buffer"
                    ));
                    return;
                }
                if !cx.client.is_connected() {
                    return;
                }
                let _ = cx
                    .client
                    .publish(cx.now, &topic, payload, QoS::AtMostOnce, retain);
            }
            Esp32Profile::EspIdf => {
                if cx.client.is_connected() {
                    let _ = cx
                        .client
                        .publish_with(cx.now, &topic, payload, qos, retain, properties);
                } else if qos != QoS::AtMostOnce {
                    self.outbox.push(Unsent {
                        topic,
                        payload,
                        qos,
                        retain,
                        properties,
                    });
                }
            }
        }
    }

    pub(super) fn on_event(&mut self, cx: &mut Cx, ev: &ClientEvent) {
        match ev {
            ClientEvent::Connected { .. } => {
                cx.state(Note::LibraryConnected(self.profile));
                if let Some((topic, qos)) = self.command.clone() {
                    let qos = match self.profile {
                        Esp32Profile::PubSubClient { .. } => qos.min(QoS::AtLeastOnce),
                        Esp32Profile::EspIdf => qos,
                    };
                    let _ = cx.client.subscribe(cx.now, &[(topic.as_str(), qos)]);
                }
                for m in core::mem::take(&mut self.outbox) {
                    cx.state(Note::OutboxResend {
                        topic: m.topic.clone(),
                    });
                    let _ = cx.client.publish_with(
                        cx.now,
                        &m.topic,
                        m.payload,
                        m.qos,
                        m.retain,
                        m.properties,
                    );
                }
                if let Some((topic, p)) = self.announce.clone() {
                    let announce = Unsent {
                        topic,
                        payload: p.into_bytes().into(),
                        qos: QoS::AtMostOnce,
                        retain: false,
                        properties: Vec::new(),
                    };
                    self.publish(cx, announce);
                }
                self.reconnect_at = None;
                if self.sensor.is_some() && self.next_reading.is_none() {
                    self.next_reading = Some(cx.now);
                }
                self.arm(cx);
            }
            ClientEvent::Message(p) => {
                let text = String::from_utf8_lossy(&p.payload).into_owned();
                cx.print(format!("Message arrived [{}] {text}", p.topic));
                if let Some(on) = parse_switch(&p.payload) {
                    if self.switch != Some(on) {
                        self.switch = Some(on);
                        cx.state(Note::Switched { on });
                    }
                }
            }
            ClientEvent::Disconnected { reason } => {
                if !matches!(reason, crate::client::DisconnectReason::TransportClosed) {
                    cx.state(Note::LibraryDisconnected(reason.clone()));
                }
                if self.profile == Esp32Profile::EspIdf {
                    // In-flight QoS 1/2 messages stay in the outbox.
                    for o in &cx.client.session().outgoing {
                        let p = &o.publish;
                        self.outbox.push(Unsent {
                            topic: p.topic.as_str().to_owned(),
                            payload: p.payload.clone(),
                            qos: p.qos(),
                            retain: p.retain,
                            properties: o.properties.clone(),
                        });
                    }
                }
                self.reconnect_at = self.reconnect_delay().map(|d| cx.now + d);
                self.arm(cx);
            }
            _ => {}
        }
    }

    /// The next wake-up: a reading or a reconnection attempt, whichever is first.
    fn arm(&self, cx: &mut Cx) {
        *cx.wake = match (self.next_reading, self.reconnect_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }

    pub(super) fn on_wake(&mut self, cx: &mut Cx) {
        if self.reconnect_at.is_some_and(|t| t <= cx.now) {
            self.reconnect_at = None;
            if cx.client.state() == ConnectionState::Disconnected {
                cx.effects
                    .push(Effect::Connect(Box::new(self.options.clone())));
            }
        }
        if self.next_reading.is_none_or(|t| t > cx.now) {
            self.arm(cx);
            return;
        }
        let Some(mut sensor) = self.sensor.take() else {
            return;
        };
        if sensor.last.is_none() {
            sensor.mark_started(cx.now);
        }
        let payload = sensor.reading(cx);
        let reading = Unsent {
            topic: sensor.topic.clone(),
            payload: payload.into_bytes().into(),
            qos: sensor.qos,
            retain: sensor.retain,
            properties: sensor.properties.clone(),
        };
        let period = sensor.period;
        self.sensor = Some(sensor);
        self.publish(cx, reading);
        self.next_reading = Some(cx.now + period);
        self.arm(cx);
    }
}
