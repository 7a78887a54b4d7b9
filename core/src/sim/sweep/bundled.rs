//! The sweeps shipped with MQTT Lab (`static/sweeps/`): scenarios with `param`
//! lines, embedded so that `mqttlab sweep NAME`, the tests and the page's sweep
//! lab run the very same text.

use super::super::bundled::Bundled;

/// Every bundled sweep.
pub const SWEEPS: &[Bundled] = &[Bundled {
    name: "qos-under-loss.mqtt",
    source: include_str!("../../../../static/sweeps/qos-under-loss.mqtt"),
}];

/// A bundled sweep by file name (with or without `.mqtt`).
pub fn find(name: &str) -> Option<&'static Bundled> {
    SWEEPS
        .iter()
        .find(|b| b.name == name || b.name.strip_suffix(".mqtt") == Some(name))
}
