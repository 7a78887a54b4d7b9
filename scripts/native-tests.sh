#!/usr/bin/env bash
# The native tests of every crate, as `cargo test --workspace --no-fail-fast` runs
# them, but two test binaries at a time: most of the run time is interop tests
# waiting on real peers (mosquitto, paho, MQTT.js), which leave the cores idle, and
# cargo runs binaries one after another. The tests that measure the machine itself
# (memory and throughput beside mosquitto, a 500-student load) run afterwards,
# alone. Doc-tests last. Each binary's output is printed whole when it ends, with
# cargo's "Running" heading, so the log reads as cargo's does.
#
# NATIVE_TEST_JOBS=1 runs one binary at a time. Extra arguments go to every test
# binary (a name filter, --nocapture...).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
jobs=${NATIVE_TEST_JOBS:-2}
# Run alone, after the others: they measure time and memory beside a real peer.
alone='^(adversarial|classroom_load)$'

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Build everything first, as cargo test does, and list the test executables:
# manifest, target name, target kind, executable.
build_t0=$(date +%s)
cargo test --workspace --locked --no-run --message-format=json-render-diagnostics \
    >"$work/build.json" || exit 101
jq -r 'select(.reason == "compiler-artifact" and .profile.test and .executable != null)
       | [.manifest_path, .target.name, .target.kind[0], .target.src_path, .executable] | @tsv' \
    "$work/build.json" | sort -u -k5,5 | sort >"$work/all.tsv"
# The server binary the cross-crate tests start (tests/src/procs.rs), built once
# here rather than by each test process.
cargo build -p mqttlab-server --bin mqttlab --locked --quiet || exit 101
export MQTTLAB_BIN="${CARGO_TARGET_DIR:-$root/target}/debug/mqttlab"
printf '[native] built %s test binaries in %ss\n' "$(wc -l <"$work/all.tsv")" "$(($(date +%s) - build_t0))"
run_t0=$(date +%s)
export CARGO="${CARGO:-$(command -v cargo)}"

awk -F'\t' -v re="$alone" '$2 !~ re' "$work/all.tsv" >"$work/parallel.tsv"
awk -F'\t' -v re="$alone" '$2 ~ re' "$work/all.tsv" >"$work/alone.tsv"

# run_one LINE: runs one test binary in its package's directory (as cargo does),
# its output to a file, then prints the file whole; records a failure.
run_one() {
    local manifest name kind src exe dir out rel
    IFS=$'\t' read -r manifest name kind src exe <<<"$1"
    shift
    dir=$(dirname "$manifest")
    out="$work/out.$name.$kind.$$.$RANDOM"
    rel=${src#"$dir"/}
    case "$kind" in lib | bin) rel="unittests $rel" ;; esac
    local t0 t1
    t0=$(date +%s.%N)
    (cd "$dir" && CARGO_MANIFEST_DIR="$dir" "$exe" "$@") >"$out" 2>&1
    local rc=$?
    t1=$(date +%s.%N)
    printf '%s\t%s: %s\n' "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')" "$(basename "$dir")" "$rel" >>"$work/times"
    {
        printf '     Running %s (%s)\n' "$rel" "${exe#"$root"/}"
        cat "$out"
        [ "$rc" = 0 ] || printf 'error: test failed: %s (exit %s)\n' "$rel" "$rc"
    } | flock "$work/print.lock" cat
    [ "$rc" = 0 ] || echo "$rel" >>"$work/failed"
    return 0
}
export -f run_one
export work root

tr '\n' '\0' <"$work/parallel.tsv" | xargs -0 -P "$jobs" -I{} bash -c 'run_one "$@"' _ {} "$@"
while IFS= read -r line; do run_one "$line" "$@"; done <"$work/alone.tsv"
printf '[native] ran them in %ss\n' "$(($(date +%s) - run_t0))"

printf '   Doc-tests\n'
doc_t0=$(date +%s)
cargo test --workspace --locked --doc -- "$@" || echo "doc-tests" >>"$work/failed"
printf '%s\tdoc-tests (built and run)\n' "$(($(date +%s) - doc_t0))" >>"$work/times"

printf '\nnative test binaries, wall time each (%s at a time; the slowest 20):\n' "$jobs"
sort -t$'\t' -k1,1 -rn "$work/times" | head -20 | awk -F'\t' '{ printf "  %7.1f s  %s\n", $1, $2 }'

if [ -s "$work/failed" ]; then
    printf '\nnative tests failed in:\n'
    sed 's/^/    /' "$work/failed"
    exit 101
fi
