//! Helpers shared by MQTT Lab's cross-crate tests: finding the workspace, the
//! built `mqttlab` binary, and free loopback ports.

use std::path::PathBuf;

/// The workspace root (the folder holding the top `Cargo.toml`).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits inside the workspace")
        .to_path_buf()
}
