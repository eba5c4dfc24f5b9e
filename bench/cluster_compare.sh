#!/usr/bin/env bash
# Cross-node p2p through culex's cluster mode (QoS 0 and 1, per broker CPU-second) beside single-node culex and
# beside NATS's own MQTT on the same three-server nats-server cluster, and the node-local overhead of cluster
# mode; all on loopback, three nats-servers (JetStream, MQTT listener) started and stopped here. Cells take
# turns within each run (bench/peers/cluster_compare.py says what each cell is and which CPU is counted).
#
#   bench/cluster_compare.sh                       # 3 runs of 5 s per cell
#   bench/cluster_compare.sh --runs 1 --seconds 2  # a smoke test
#   bench/cluster_compare.sh --cells cross-q0,single-q0 --json /tmp/runs.json
#   bench/cluster_compare.sh --cells single-q0,local-q0 --rate 20000 --seconds 8   # node-local overhead, fixed rate
#   CULEX_BIN=/path/to/culex bench/cluster_compare.sh   # a culex built elsewhere (Release!)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export CULEX_BIN="${CULEX_BIN:-$here/../build/culex}"
[ -x "$CULEX_BIN" ] || { echo "cluster_compare: no culex binary at $CULEX_BIN (run make build)" >&2; exit 1; }
command -v nats-server >/dev/null || { echo "cluster_compare: nats-server missing: scripts/install-deps.sh installs it" >&2; exit 1; }
exec /usr/bin/python3 "$here/peers/cluster_compare.py" "$@"
