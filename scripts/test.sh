#!/usr/bin/env bash
# Runs every test of MQTT Lab, installing first whatever is missing.
#
# Steps: formatting, clippy, native tests of every crate (unit, property, interop
# against mosquitto/paho/MQTT.js/mqtt-packet), the wasm suites of core and web in
# headless Chromium, a release build of the web app with trunk, and the browser
# end-to-end tests on that build. Each step is bounded in time; a failing step does
# not stop the others, and the script exits non-zero if any failed.
#
# Artifacts (screenshots, logs) land in tests/artifacts/.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)

setup_t0=$(date +%s)
# shellcheck source=setup.sh
source scripts/setup.sh test || exit 1
set +e
printf '[test] set-up took %ss\n' "$(($(date +%s) - setup_t0))"

export CHROMEDRIVER="${CHROMEDRIVER:-$(command -v chromedriver)}"
# A test whose real peer (mosquitto, paho-mqtt, MQTT.js, tshark...) is missing fails
# here, naming the peer, instead of skipping (tests/src/peers.rs).
export MQTTLAB_REQUIRE_PEERS=1
export CARGO_TERM_COLOR=never
artifacts="$root/tests/artifacts"
mkdir -p "$artifacts"
log="$artifacts/test-run.log"
: >"$log"

steps_passed=0
steps_failed=0
failed_steps=()
total_t0=$(date +%s)

# step NAME TIMEOUT_SECONDS COMMAND...
step() {
    local name="$1" limit="$2"
    shift 2
    printf '\n[test] ==> %s\n' "$name"
    local t0
    t0=$(date +%s)
    timeout --kill-after=10 "$limit" "$@" 2>&1 | tee -a "$log"
    local rc=${PIPESTATUS[0]}
    local dt=$(($(date +%s) - t0))
    if [ "$rc" = 0 ]; then
        printf '[test] <== %s: ok (%ss)\n' "$name" "$dt"
        steps_passed=$((steps_passed + 1))
    else
        [ "$rc" = 124 ] && printf '[test] %s took longer than %ss\n' "$name" "$limit"
        printf '[test] <== %s: FAILED (exit %s, %ss)\n' "$name" "$rc" "$dt"
        steps_failed=$((steps_failed + 1))
        failed_steps+=("$name")
    fi
}

step "format (cargo fmt --check)" 120 cargo fmt --all -- --check
step "lints (cargo clippy -D warnings)" 1500 cargo clippy --workspace --all-targets --locked -- -D warnings
step "native tests (cargo test --workspace, two binaries at a time)" 1800 bash scripts/native-tests.sh
step "wasm tests of core and web (headless Chromium)" 1500 \
    cargo test --locked --target wasm32-unknown-unknown -p mqttlab-core -p mqttlab-web
step "release build of the web app (trunk build --release)" 1500 trunk build --release
step "browser end-to-end tests (node --test, headless Chromium, two files at a time)" 900 \
    bash scripts/e2e-tests.sh

# Count the tests that the runners report: cargo's and wasm-bindgen-test's
# "test result:" lines and node's "ℹ pass/fail" lines.
read -r passed failed < <(awk '
    /^test result:/ { for (i = 1; i <= NF; i++) { if ($(i) ~ /^passed;?/) p += $(i-1); if ($(i) ~ /^failed;?/) f += $(i-1) } }
    /^ℹ pass / { p += $3 } /^ℹ fail / { f += $3 }
    END { print p + 0, f + 0 }' "$log")

printf '\n[test] steps: %s passed, %s failed in %ss\n' "$steps_passed" "$steps_failed" "$(($(date +%s) - total_t0))"
if [ "$steps_failed" -gt 0 ]; then
    printf '[test] failed steps: %s\n' "${failed_steps[*]}"
    # A failed build runs no tests; make sure the closing line still says failed.
    [ "$failed" -eq 0 ] && failed=$steps_failed
fi
printf 'tests: %s passed, %s failed\n' "$passed" "$failed"
[ "$steps_failed" -eq 0 ]
