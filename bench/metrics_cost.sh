#!/usr/bin/env bash
# What $SYS and a scraped /metrics cost on the hot path: bench/compare.sh's p2p-q0 cell (QoS 0, deliveries
# per broker CPU-second), culex only, first with `sys_interval 0` and no HTTP listener, then with
# `sys_interval 10` and an http listener that a scraper (curl) reads every second. Each configuration
# `--runs` times (default 3); the tables land in /tmp/culex-metrics-off.md and /tmp/culex-metrics-on.md.
#
#   bench/metrics_cost.sh [--runs N] [--seconds S]      (after `make build`: measures build/culex)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
export CULEX_BIN="${CULEX_BIN:-$repo/build/culex}"
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

CULEX_EXTRA_CONFIG="sys_interval 0" "$here/compare.sh" --no-build --cells p2p-q0 --brokers culex \
    --out /tmp/culex-metrics-off.md --raw /tmp/culex-metrics-off.json "$@"

(while sleep 1; do curl -s -o /dev/null "http://127.0.0.1:$port/metrics" || true; done) &
scraper=$!
trap 'kill "$scraper" 2>/dev/null || true' EXIT
CULEX_EXTRA_CONFIG=$'sys_interval 10\nlistener '"$port"$' 127.0.0.1\nprotocol http' "$here/compare.sh" --no-build \
    --cells p2p-q0 --brokers culex --out /tmp/culex-metrics-on.md --raw /tmp/culex-metrics-on.json "$@"
grep -h "p2p-q0\|p2p QoS 0" /tmp/culex-metrics-off.md /tmp/culex-metrics-on.md || true
