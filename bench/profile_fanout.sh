#!/bin/bash
# Where a culex broker's CPU goes in a 1 -> 1,000 QoS 0 fan-out (issue 18): starts BINARY as a broker on CPU 0,
# runs `culex bench fanout -c 1000 -q 0 -s SIZE -d 6` on CPU 1, and records the broker with `perf record -g`
# for 4 s of it. Writes OUT.txt (the bench report) and OUT.data (`perf report -i OUT.data --no-children
# --sort dso` for user against kernel, `--sort sym` for the symbols).
# Usage: bench/profile_fanout.sh BINARY SIZE OUT
set -euo pipefail
BIN=$(realpath "$1"); SIZE=$2; OUT=$3
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
printf "listener %s 127.0.0.1\nallow_anonymous true\nthreads 1\n" "$PORT" > "$DIR/broker.conf"
taskset -c 0 "$BIN" broker -c "$DIR/broker.conf" > "$DIR/broker.log" 2>&1 &
BROKER=$!
sleep 0.5
# From 2 s in (the 1,000 subscribers connected), for 4 s of the 6 s of publishing.
(sleep 2; perf record -g -p "$BROKER" -o "$OUT.data" -- sleep 4 > /dev/null 2>&1) &
PERF=$!
taskset -c 1 "$BIN" bench fanout -c 1000 -q 0 -s "$SIZE" -d 6 -p "$PORT" --broker-pid "$BROKER" --quiet \
    > "$OUT.txt" 2>&1
wait "$PERF" || true
kill "$BROKER"
wait "$BROKER" 2>/dev/null || true
cat "$OUT.txt"
