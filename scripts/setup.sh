#!/usr/bin/env bash
# Installs what MQTT Lab needs and is missing, and says what and why.
#
#   scripts/setup.sh serve   what `scripts/serve.sh` needs (wasm target, trunk,
#                            wasm-bindgen CLI, wasm-opt)
#   scripts/setup.sh test    all of that plus the test peers (Chromium and
#                            chromedriver, mosquitto and its clients, tshark,
#                            npm and PyPI test peers)
#   scripts/setup.sh bench   all of that plus rumqttd 0.20, the broker that
#                            `scripts/bench.sh broker` measures ours against
#                            (not a test peer: CI never installs it)
#
# Idempotent: a second run finds everything and installs nothing. Every tool comes
# from a package registry (crates.io, npm, PyPI, Debian); nothing is downloaded
# from anywhere else, so trunk runs offline (see Trunk.toml).
#
# scripts/serve.sh and scripts/test.sh source it, which also puts the installed
# tools on their PATH.

set -euo pipefail

MQTTLAB_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$MQTTLAB_ROOT/tests/node_modules/.bin:$HOME/.cargo/bin:$PATH"

setup_mode="${1:-test}"
setup_started=$(date +%s)
setup_installed=()

say() { printf '[setup] %s\n' "$*"; }

# Runs an install step, timing it. $1 = what, $2 = why, rest = command.
install_step() {
    local what="$1" why="$2"
    shift 2
    say "installing $what ($why)"
    local t0
    t0=$(date +%s)
    # Checked by hand: errexit does not hold where this file is sourced as
    # `source setup.sh || exit 1`, and a failed install must stop everything.
    if ! "$@"; then
        say "FAILED to install $what; the command was: $*"
        exit 1
    fi
    local dt=$(($(date +%s) - t0))
    say "installed $what in ${dt}s"
    setup_installed+=("$what (${dt}s)")
}

apt_updated=0
apt_install() {
    if [ "$apt_updated" = 0 ]; then
        apt-get update -qq
        apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# Debian's own python3 refuses system-wide installs (PEP 668); pyenv's does not.
pip_install() {
    python3 -m pip install --quiet --disable-pip-version-check "$@" 2>/dev/null ||
        python3 -m pip install --quiet --disable-pip-version-check --break-system-packages "$@"
}

need_cmd() { command -v "$1" >/dev/null 2>&1; }

# The wasm-bindgen version that Cargo.lock resolved: the CLI must be exactly it.
lock_version() {
    awk -v name="$1" '$0 == "name = \"" name "\"" { getline; gsub(/version = |"/, ""); print; exit }' \
        "$MQTTLAB_ROOT/Cargo.lock"
}

setup_common() {
    need_cmd cargo || { say "cargo is missing: install Rust 1.95 with rustup first"; exit 1; }

    if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
        install_step "the wasm32-unknown-unknown target" "the lab runs in the browser as WebAssembly" \
            rustup target add wasm32-unknown-unknown
    fi

    for comp in rustfmt clippy; do
        if ! rustup component list --installed | grep -q "^$comp"; then
            install_step "$comp" "the tests check formatting and lints" rustup component add "$comp"
        fi
    done

    if ! trunk --version 2>/dev/null | grep -q '^trunk 0\.21\.'; then
        install_step "trunk 0.21" "it builds and serves the web app (0.22 needs a newer rustc); ~10 min once" \
            cargo install trunk --version '~0.21' --locked --quiet
    fi

    local wb
    wb=$(lock_version wasm-bindgen)
    if ! wasm-bindgen --version 2>/dev/null | grep -q " $wb\$"; then
        install_step "wasm-bindgen-cli $wb" "trunk and the browser tests need the CLI matching Cargo.lock; ~3 min once" \
            cargo install wasm-bindgen-cli --version "$wb" --quiet
    fi
    if ! grep -q "^wasm_bindgen = \"$wb\"" "$MQTTLAB_ROOT/Trunk.toml"; then
        say "Trunk.toml's wasm_bindgen must equal Cargo.lock's wasm-bindgen ($wb): update it"
        exit 1
    fi

    need_cmd npm || install_step "Node.js and npm" "wasm-opt and the browser test driver come from npm" apt_install nodejs npm
    if [ ! -x "$MQTTLAB_ROOT/tests/node_modules/.bin/wasm-opt" ] ||
        [ "$MQTTLAB_ROOT/tests/package-lock.json" -nt "$MQTTLAB_ROOT/tests/node_modules/.package-lock.json" ]; then
        install_step "npm packages of tests/package.json" "wasm-opt (binaryen) for release builds, playwright-core, MQTT.js, mqtt-packet, aedes" \
            npm ci --prefix "$MQTTLAB_ROOT/tests" --no-audit --no-fund --silent
    fi
}

setup_test() {
    local missing=()
    need_cmd chromium || missing+=(chromium)
    need_cmd chromedriver || missing+=(chromium-driver)
    need_cmd mosquitto || [ -x /usr/sbin/mosquitto ] || missing+=(mosquitto)
    need_cmd mosquitto_pub || missing+=(mosquitto-clients)
    need_cmd tshark || missing+=(tshark)
    # scripts/native-tests.sh reads cargo's list of test binaries with jq and
    # prints each one's output whole under flock.
    need_cmd jq || missing+=(jq)
    need_cmd flock || missing+=(util-linux)
    if [ "${#missing[@]}" -gt 0 ]; then
        install_step "${missing[*]} (Debian)" "headless browser tests, a real broker and its clients to test against, pcap decoding, the test runner's tools" \
            apt_install "${missing[@]}"
    fi

    if ! python3 -c 'import paho.mqtt' 2>/dev/null; then
        python3 -m pip --version >/dev/null 2>&1 ||
            install_step "python3-pip (Debian)" "to install paho-mqtt" apt_install python3-pip
        install_step "paho-mqtt (PyPI)" "an independent MQTT client for interop tests" pip_install 'paho-mqtt==2.1.0'
    fi
}

# rumqttd 0.20.0 (crates.io; the version issue 17 was measured with), built
# without TLS and WebSocket into ~/.cache (outside every worktree's target/, so
# one build serves them all and `cargo clean` keeps it). RUMQTTD_BIN names it
# for tests/examples/broker_load.rs. Not --locked: rumqttd's own lock file pins
# metrics 0.22.1, which rustc 1.95 refuses (E0521); 0.22.4 builds.
RUMQTTD_VERSION=0.20.0
RUMQTTD_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/mqttlab-bench/rumqttd-$RUMQTTD_VERSION"
export RUMQTTD_BIN="$RUMQTTD_ROOT/bin/rumqttd"
setup_rumqttd() {
    if [ ! -x "$RUMQTTD_BIN" ]; then
        install_step "rumqttd $RUMQTTD_VERSION (crates.io)" "the broker that 'scripts/bench.sh broker' compares ours with; a build of several minutes, once" \
            env CARGO_TARGET_DIR="$RUMQTTD_ROOT/build" cargo install rumqttd --version "$RUMQTTD_VERSION" \
            --no-default-features --quiet --root "$RUMQTTD_ROOT"
        rm -rf "$RUMQTTD_ROOT/build"
    fi
}

setup_common
if [ "$setup_mode" = test ] || [ "$setup_mode" = bench ]; then
    setup_test
fi
if [ "$setup_mode" = bench ]; then
    setup_rumqttd
fi

if [ "${#setup_installed[@]}" -eq 0 ]; then
    say "everything needed for '$setup_mode' is already installed"
else
    say "installed in $(($(date +%s) - setup_started))s: ${setup_installed[*]}"
fi
