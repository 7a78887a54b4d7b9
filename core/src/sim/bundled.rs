//! The scenarios shipped with MQTT Lab, embedded so that the native CLI, the tests
//! and the browser all run the very same text. The files live in
//! `static/scenarios/`, where the web app can also fetch them.

/// A bundled scenario: its file name and its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bundled {
    /// File name, e.g. `06-last-will.mqtt`.
    pub name: &'static str,
    /// The scenario.
    pub source: &'static str,
}

macro_rules! bundled {
    ($($file:literal),* $(,)?) => {
        /// Every bundled scenario, in lab order.
        pub const BUNDLED: &[Bundled] = &[
            $(Bundled {
                name: $file,
                source: include_str!(concat!("../../../static/scenarios/", $file)),
            }),*
        ];
    };
}

bundled!(
    "01-pubsub-basic.mqtt",
    "02-qos1.mqtt",
    "03-qos2.mqtt",
    "04-retain.mqtt",
    "05-persistent-session.mqtt",
    "06-last-will.mqtt",
    "07-wildcards.mqtt",
    "08-connack-refusals.mqtt",
    "09-dropped-puback.mqtt",
    "10-esp32-buffer.mqtt",
    "11-halfopen-will.mqtt",
    "12-thermostat.mqtt",
    "13-qos2-duplicate.mqtt",
    "14-lost-pings.mqtt",
    "15-delayed-pubrec.mqtt",
    "16-esp-idf-wifi.mqtt",
    "17-lossy-link.mqtt",
    "18-broker-restart.mqtt",
    "19-partition.mqtt",
    "20-listener-port.mqtt",
    "21-suback-failure.mqtt",
    "22-slow-consumer.mqtt",
    "23-session-expiry-5.mqtt",
    "24-v5-only-shared.mqtt",
    "25-session-expiry-gone.mqtt",
    "26-message-expiry.mqtt",
    "27-reason-codes.mqtt",
    "28-topic-alias.mqtt",
    "29-shared-queue.mqtt",
    "30-request-response.mqtt",
    "31-receive-maximum.mqtt",
    "32-will-delay.mqtt",
    "33-scram.mqtt",
    "34-session-311-vs-5.mqtt",
    "35-reading-properties.mqtt",
);

/// A bundled scenario by file name (with or without `.mqtt`).
pub fn find(name: &str) -> Option<&'static Bundled> {
    BUNDLED
        .iter()
        .find(|b| b.name == name || b.name.strip_suffix(".mqtt") == Some(name))
}
