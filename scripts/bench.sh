#!/usr/bin/env bash
# Runs MQTT Lab's benchmarks and prints their figures. Not part of the tests: the
# figures depend on the machine, and a busy machine gives lower ones.
#
#   scripts/bench.sh            everything (about 10 minutes on 2 cores)
#   scripts/bench.sh codec sim  only some: codec wasm-codec sim swarm broker adversarial bridge web page
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=setup.sh
if [ -z "$*" ] || [[ " $* " == *" broker "* ]]; then
    source scripts/setup.sh bench || exit 1 # rumqttd too
else
    source scripts/setup.sh test || exit 1
fi
set +e
export CHROMEDRIVER="${CHROMEDRIVER:-$(command -v chromedriver)}"

only="$*"
bench() {
    local name="$1"
    shift
    if [ -n "$only" ] && [[ " $only " != *" $name "* ]]; then return; fi
    printf '\n[bench] ==> %s: %s\n' "$name" "$*"
    "$@"
}

bench codec cargo bench -p mqttlab-core --bench codec
bench wasm-codec cargo test --release --target wasm32-unknown-unknown -p mqttlab-core --test wasm_codec_bench -- --nocapture
bench sim cargo run --release -q -p mqttlab-server -- bench-sim
bench swarm cargo run --release -q -p mqttlab-server -- swarm --seeds 10000
# mqttlab broker (release) beside mosquitto 2.0.11 and rumqttd 0.20 (setup.sh
# bench installs it), fresh brokers per row, interleaved rounds; medians and
# ratios at the end.
bench broker sh -c 'cargo build --release -q -p mqttlab-server && cargo run --release -q -p mqttlab-tests --example broker_load'
# mqttlab broker (release) beside mosquitto under slow, stalled and hostile peers
# (issue 19): one table, 5 interleaved rounds per case, about 8 minutes.
bench adversarial sh -c 'cargo build --release -q -p mqttlab-server && cargo run --release -q -p mqttlab-tests --example adversarial'
bench bridge cargo test --release -p mqttlab-server --test bridge_throughput -- --ignored --nocapture
if [ -z "$only" ] || [[ " $only " == *" web "* ]]; then
    printf '\n[bench] ==> web: trunk build --release, then node tests/bench/web_figures.mjs\n'
    trunk build --release && node tests/bench/web_figures.mjs
fi
# The simulator in the page beside LabOverWire's mqtt5-wasm 2.1.9 in-tab broker (issue 17):
# tests/bench/mqtt5-wasm is a Cargo project of its own (the workspace and CI never
# build it); its first build fetches and compiles mqtt5-wasm (about 15 minutes on 2 cores).
if [ -z "$only" ] || [[ " $only " == *" page "* ]]; then
    printf '\n[bench] ==> page: tests/bench/mqtt5-wasm (wasm32, wasm-bindgen), then node tests/bench/page_bench.mjs\n'
    pb=tests/bench/mqtt5-wasm
    (cd "$pb" && cargo build --release --target wasm32-unknown-unknown) &&
        wasm-bindgen --target web --out-dir "$pb/www/pkg" "$pb/target/wasm32-unknown-unknown/release/mqttlab_pagebench.wasm" &&
        node tests/bench/page_bench.mjs
fi
