#!/usr/bin/env bash
# What $SYS and a scraped /metrics cost on the hot path (issue 15: within 3%): bench/compare.sh's p2p-q0 cell
# (QoS 0, deliveries per broker CPU-second), culex only, with `sys_interval 0` and no HTTP listener ("off"),
# and with `sys_interval 10` and an http listener that a scraper (curl) reads every second ("on"). The two
# take turns, one run each per round, so that a machine whose speed drifts (other work, frequency) weighs on
# both alike; the verdict compares the totals over all rounds (messages / broker CPU-seconds), since the
# kernel counts a process's CPU time in 10 ms ticks and one short run cannot show a few percent.
#
#   bench/metrics_cost.sh [--rounds N] [--seconds S]     (after `make build`: measures build/culex)
#   defaults: 6 rounds of 10 s; per-run tables and raw JSON in /tmp/culex-metrics-{off,on}-ROUND.*
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
export CULEX_BIN="${CULEX_BIN:-$repo/build/culex}"
rounds=6
seconds=10
while (($#)); do
    case "$1" in
        --rounds) rounds="$2"; shift 2 ;;
        --seconds) seconds="$2"; shift 2 ;;
        *) echo "metrics_cost: unknown argument $1" >&2; exit 2 ;;
    esac
done
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

(while sleep 1; do curl -s -o /dev/null "http://127.0.0.1:$port/metrics" || true; done) &
scraper=$!
trap 'kill "$scraper" 2>/dev/null || true' EXIT
on_config=$'sys_interval 10\nlistener '"$port"$' 127.0.0.1\nprotocol http'

for ((r = 1; r <= rounds; r++)); do
    for mode in off on; do
        config="sys_interval 0"
        [ "$mode" = on ] && config="$on_config"
        CULEX_EXTRA_CONFIG="$config" "$here/compare.sh" --no-build --cells p2p-q0 --brokers culex --runs 1 \
            --seconds "$seconds" --out "/tmp/culex-metrics-$mode-$r.md" --raw "/tmp/culex-metrics-$mode-$r.json" \
            >/dev/null
    done
    echo "metrics_cost: round $r of $rounds done"
done

/usr/bin/python3 - "$rounds" <<'PY'
import json, sys
rounds = int(sys.argv[1])
totals = {}
for mode in ("off", "on"):
    msgs = cpu = 0.0
    per_run = []
    for r in range(1, rounds + 1):
        for entry in json.load(open(f"/tmp/culex-metrics-{mode}-{r}.json")):
            b = entry["result"]["broker"]
            msgs += entry["result"]["received"]
            cpu += b["cpu_seconds"]
            per_run.append(entry["value"])
    totals[mode] = msgs / cpu
    print(f"{mode}: {msgs:,.0f} deliveries in {cpu:.2f} broker CPU-s = {totals[mode]:,.0f} per CPU-s; runs: "
          + ", ".join(f"{v:,.0f}" for v in per_run))
cost = 1 - totals["on"] / totals["off"]
print(f"$SYS every 10 s and /metrics scraped every second cost {cost * 100:+.1f}% of deliveries per broker "
      f"CPU-second (goal: within 3%)")
PY
