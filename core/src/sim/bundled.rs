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
    "11-halfopen-will.mqtt",
);

/// A bundled scenario by file name (with or without `.mqtt`).
pub fn find(name: &str) -> Option<&'static Bundled> {
    BUNDLED
        .iter()
        .find(|b| b.name == name || b.name.strip_suffix(".mqtt") == Some(name))
}
