#!/usr/bin/env bash
# Serves MQTT Lab at a local URL, installing first whatever is missing.
#
#   scripts/serve.sh                        http://127.0.0.1:8080/
#   scripts/serve.sh --port 9000            another port
#   scripts/serve.sh --address 0.0.0.0      reachable from the classroom network
#
# Extra arguments go to `trunk serve`; trunk rebuilds and reloads on every change.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=setup.sh
source scripts/setup.sh serve

address=127.0.0.1
port=8080
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
    case "${args[$i]}" in
        --address | -a) address="${args[$((i + 1))]:-$address}" ;;
        --port) port="${args[$((i + 1))]:-$port}" ;;
    esac
done
printf '\n[serve] MQTT Lab will be at http://%s:%s/ once the first build finishes (Ctrl-C stops it)\n\n' "$address" "$port"
exec trunk serve "$@"
