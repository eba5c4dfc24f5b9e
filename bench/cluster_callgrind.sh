#!/usr/bin/env bash
# The node-local cost of cluster mode in instructions, which do not scatter as CPU-seconds do on a busy machine:
# p2p at a fixed rate through a culex alone and through a culex node on a nats-server with JetStream (nobody
# else in the cluster), each broker under callgrind, and the instructions of all its threads per delivered
# message (docs/cluster.md, "Fifth slice"). Loopback only; everything started here is stopped here.
#
#   bench/cluster_callgrind.sh            # QoS 0 and QoS 1, 8 pairs at 4,000 msg/s for 5 s
#   CULEX_BIN=/path/to/culex bench/cluster_callgrind.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
culex="${CULEX_BIN:-$here/../build/culex}"
[ -x "$culex" ] || { echo "cluster_callgrind: no culex binary at $culex (run make build)" >&2; exit 1; }
for tool in valgrind callgrind_control nats-server; do
    command -v "$tool" >/dev/null || { echo "cluster_callgrind: $tool missing (apt-get install valgrind nats-server)" >&2; exit 1; }
done
work="$(mktemp -d /tmp/culex-cluster-callgrind.XXXXXX)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {  # bounded: 60 s (a broker under callgrind starts slowly)
    for _ in $(seq 300); do (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.2; done
    echo "cluster_callgrind: nothing listens on port $1" >&2; return 1
}

nats_port="$(free_port)"
nats-server -a 127.0.0.1 -p "$nats_port" -js -sd "$work/js" >"$work/nats.log" 2>&1 &
pids+=($!)
wait_port "$nats_port"

# run TAG QOS [cluster]: prints "TAG: N messages, I instructions, I/N per message" and sets $per
run() {
    local tag=$1 qos=$2 mode=${3:-} port
    port="$(free_port)"
    printf 'listener %s 127.0.0.1\nallow_anonymous true\nthreads 1\n' "$port" >"$work/$tag.conf"
    [ "$mode" = cluster ] && printf 'cluster_nats nats://127.0.0.1:%s\ncluster_node cg-%s\n' "$nats_port" "$tag" >>"$work/$tag.conf"
    valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$work/cg.$tag.out" \
        "$culex" broker -c "$work/$tag.conf" >"$work/$tag.log" 2>&1 &
    local broker=$!
    pids+=("$broker")
    wait_port "$port"
    callgrind_control -i on "$broker" >/dev/null 2>&1
    local out
    out="$(timeout 120 "$culex" bench p2p -p "$port" -c 8 -q "$qos" -r 4000 -d 5 --json 2>/dev/null)"
    callgrind_control -i off "$broker" >/dev/null 2>&1
    callgrind_control -d "$broker" >/dev/null 2>&1
    kill "$broker"; wait "$broker" 2>/dev/null || true
    local messages instructions
    messages="$(echo "$out" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["received"])')"
    instructions="$(cat "$work"/cg."$tag".out* | grep -a '^totals:' | awk '{s += $2} END {print s}')"
    per=$((instructions / messages))
    echo "$tag: $messages messages, $instructions instructions, $per per message"
}

for qos in 0 1; do
    run "alone-q$qos" "$qos"; alone=$per
    run "node-q$qos" "$qos" cluster; node=$per
    /usr/bin/python3 -c "print(f'QoS $qos: a node costs {$node / $alone - 1:+.1%} instructions per message of culex alone')"
done
