//! Helpers shared by MQTT Lab's cross-crate tests: finding the workspace, in
//! [`procs`] the built `mqttlab` binary, free loopback ports, brokers and other
//! child processes, and in [`adversarial`] the adversarial suite's brokers,
//! attacks and honest clients.

use std::path::PathBuf;

pub mod adversarial;
pub mod peers;
pub mod procs;

/// The workspace root (the folder holding the top `Cargo.toml`).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits inside the workspace")
        .to_path_buf()
}
