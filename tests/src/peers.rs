//! The real peers that interop tests run against, and what a test does when one
//! is missing.
//!
//! `scripts/test.sh` (and so CI) sets `MQTTLAB_REQUIRE_PEERS=1`: there a missing
//! peer fails the test, naming the peer and how to install it, because a test
//! that passes without its peer proves nothing. Run by hand without that
//! variable (`cargo test -p mqttlab-tests --test client_paho`), a test whose
//! peer is missing says so on stderr and returns early.
//!
//! One file, shared by path: `core/tests` and `server/tests` include it with
//! `#[path = "../../tests/src/peers.rs"] mod peers;` (they cannot depend on this
//! crate), so the rule is written once.

// Each including test file uses only the peers it needs.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The variable `scripts/test.sh` sets to make a missing peer a failure.
pub const REQUIRE_PEERS: &str = "MQTTLAB_REQUIRE_PEERS";

/// A program or package an interop test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Peer {
    /// Debian's mosquitto 2.0 broker.
    Mosquitto,
    /// `mosquitto_pub` and `mosquitto_sub`.
    MosquittoClients,
    /// mosquitto's dynamic-security plugin (SUBACK 0x80 refusals).
    DynamicSecurity,
    /// python3 with paho-mqtt.
    Paho,
    /// Node.js with an npm module of `tests/package.json`.
    NodeModule(&'static str),
    /// Debian's Chromium.
    Chromium,
    /// Wireshark's tshark.
    Tshark,
}

/// Where Debian installs mosquitto's dynamic-security plugin.
pub const DYNSEC: &str = "/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so";

impl Peer {
    /// What the peer is, for the message.
    pub fn name(self) -> String {
        match self {
            Peer::Mosquitto => "mosquitto 2.0 (/usr/sbin/mosquitto)".into(),
            Peer::MosquittoClients => {
                "mosquitto_pub and mosquitto_sub (/usr/bin/mosquitto_pub, /usr/bin/mosquitto_sub)"
                    .into()
            }
            Peer::DynamicSecurity => format!("mosquitto's dynamic-security plugin ({DYNSEC})"),
            Peer::Paho => "python3 with paho-mqtt".into(),
            Peer::NodeModule(m) => format!("node with the npm module {m} (tests/node_modules)"),
            Peer::Chromium => "Chromium (/usr/bin/chromium)".into(),
            Peer::Tshark => "tshark".into(),
        }
    }

    /// How to install it.
    pub fn install(self) -> &'static str {
        match self {
            Peer::Mosquitto | Peer::DynamicSecurity => "apt-get install mosquitto",
            Peer::MosquittoClients => "apt-get install mosquitto-clients",
            Peer::Paho => "python3 -m pip install paho-mqtt==2.1.0",
            Peer::NodeModule(_) => "npm ci --prefix tests",
            Peer::Chromium => "apt-get install chromium chromium-driver",
            Peer::Tshark => "apt-get install tshark",
        }
    }

    /// Whether the peer is installed here.
    pub fn is_present(self) -> bool {
        match self {
            Peer::Mosquitto => Path::new("/usr/sbin/mosquitto").is_file(),
            Peer::MosquittoClients => {
                Path::new("/usr/bin/mosquitto_pub").is_file()
                    && Path::new("/usr/bin/mosquitto_sub").is_file()
            }
            Peer::DynamicSecurity => Path::new(DYNSEC).is_file(),
            Peer::Paho => runs("python3", &["-c", "import paho.mqtt.client"]),
            Peer::NodeModule(m) => {
                node_modules().join(m).join("package.json").is_file() && runs("node", &["-v"])
            }
            Peer::Chromium => Path::new("/usr/bin/chromium").is_file(),
            Peer::Tshark => runs("tshark", &["-v"]),
        }
    }
}

/// `tests/node_modules` of this workspace.
pub fn node_modules() -> PathBuf {
    // This file is compiled into crates of three folders (core, server, tests),
    // all one level below the workspace root.
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/node_modules")
}

fn runs(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// Whether missing peers fail tests (set by `scripts/test.sh`).
pub fn peers_required() -> bool {
    std::env::var_os(REQUIRE_PEERS).is_some_and(|v| !v.is_empty() && v != "0")
}

/// Whether every peer of `peers` is installed. When one is not, the test fails
/// naming it if [`peers_required`], and otherwise says on stderr that it is
/// skipped; the caller then returns.
pub fn have(peers: &[Peer]) -> bool {
    let missing: Vec<Peer> = peers.iter().copied().filter(|p| !p.is_present()).collect();
    if missing.is_empty() {
        return true;
    }
    let list = missing
        .iter()
        .map(|p| format!("{} (install: {})", p.name(), p.install()))
        .collect::<Vec<_>>()
        .join("; ");
    if peers_required() {
        panic!("a peer this test runs against is missing: {list}. scripts/test.sh installs it.");
    }
    eprintln!(
        "SKIPPED: peer missing: {list} ({REQUIRE_PEERS} is not set, so this is not a failure)"
    );
    false
}
