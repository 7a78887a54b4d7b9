#!/usr/bin/env bash
# The browser end-to-end tests (tests/e2e/*.test.mjs) on the trunk-built dist/,
# as `node --test --test-concurrency=2 tests/e2e/` runs them, but each file by
# its own `node --test` so that its wall time can be told: two files at a time,
# the longest first (so that no runner is left with a long file at the end),
# each file's spec-reporter output printed whole when it ends, then a table of
# every file's wall time, longest first.
#
# E2E_TEST_JOBS=1 runs one file at a time; E2E_TEST_FILES="classroom connect"
# runs only those files. Extra arguments go to every `node --test`
# (--test-name-pattern=...).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
jobs=${E2E_TEST_JOBS:-2}
# The files that took longest in the last CI runs (the table below says which
# they are now), started first; the others follow in name order.
longest=(labs_all_1 labs_all_2 classroom timetravel)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

{
    for name in "${longest[@]}"; do
        [ -f "tests/e2e/$name.test.mjs" ] && echo "tests/e2e/$name.test.mjs"
    done
    for file in tests/e2e/*.test.mjs; do
        name=$(basename "$file" .test.mjs)
        [[ " ${longest[*]} " == *" $name "* ]] || echo "$file"
    done
} >"$work/all"
if [ -n "${E2E_TEST_FILES:-}" ]; then
    for name in $E2E_TEST_FILES; do
        grep -x "tests/e2e/$name.test.mjs" "$work/all" || { echo "no tests/e2e/$name.test.mjs" >&2; exit 2; }
    done >"$work/files"
else
    cp "$work/all" "$work/files"
fi

# run_file FILE ARGS...: one test file under node --test, its output to a file,
# then printed whole; its wall time to the table; a failure recorded.
run_file() {
    local file="$1" out t0 t1 rc
    shift
    out="$work/out.$(basename "$file")"
    t0=$(date +%s.%N)
    node --test --test-reporter=spec "$@" "$file" >"$out" 2>&1
    rc=$?
    t1=$(date +%s.%N)
    {
        printf '# %s\n' "$file"
        cat "$out"
        [ "$rc" = 0 ] || printf 'error: %s failed (exit %s)\n' "$file" "$rc"
    } | flock "$work/print.lock" cat
    local verdict=ok
    [ "$rc" = 0 ] || verdict=FAILED
    printf '%s\t%s\t%s\n' "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')" "$file" "$verdict" >>"$work/times"
    [ "$rc" = 0 ] || echo "$file" >>"$work/failed"
    return 0
}
export -f run_file
export work

t0=$(date +%s)
tr '\n' '\0' <"$work/files" | xargs -0 -P "$jobs" -I{} bash -c 'run_file "$@"' _ {} "$@"

printf '\ne2e wall time per file (%s at a time, %ss in all):\n' "$jobs" "$(($(date +%s) - t0))"
sort -t$'\t' -k1,1 -rn "$work/times" | awk -F'\t' '{ printf "  %7.1f s  %-40s %s\n", $1, $2, $3 }'

if [ -s "$work/failed" ]; then
    printf '\ne2e tests failed in:\n'
    sed 's/^/    /' "$work/failed"
    exit 1
fi
