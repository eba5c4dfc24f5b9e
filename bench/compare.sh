#!/usr/bin/env bash
# Compares culex with the brokers a user could pick instead (Debian's mosquitto, nats-server's MQTT listener,
# aedes from npm), each started on loopback on its own free port, measured by the same load generator
# (`culex bench`) in one script, taking turns. Writes the table of figures and ratios to bench/RESULTS.md.
#
#   bench/compare.sh                 # full matrix: 3 runs of 5 s per cell, 19,000 idle connections
#   bench/compare.sh --quick         # 1 run of 2 s per cell, 2,000 idle connections: a smoke test
#   bench/compare.sh --runs 5 --seconds 10 --brokers "culex mosquitto" --out /tmp/results.md
#   CULEX_BIN=/path/to/culex bench/compare.sh --no-build     # measure a culex built elsewhere (Release!)
#
# Throughput cells pin the broker to CPU 0 and the load generator to CPU 1 (taskset), so "per broker
# CPU-second" and "on its one core" mean the same thing for every broker. The peers are installed here, if
# missing: nats-server from Debian (apt-get), aedes from npm into bench/peers/node_modules; strace (Debian)
# counts the fsyncs of the persistence cells.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
build=1
args=()
for a in "$@"; do
    case "$a" in
        --no-build) build=0 ;;
        *) args+=("$a") ;;
    esac
done

if ((build)) && [ -z "${CULEX_BIN:-}" ]; then
    echo "compare: building culex in Release (make build)"
    make -C "$repo" build >/dev/null
fi
export CULEX_BIN_GIVEN="${CULEX_BIN:-}"  # for RESULTS.md's command line
export CULEX_BIN="${CULEX_BIN:-$repo/build/culex}"
[ -x "$CULEX_BIN" ] || { echo "compare: no culex binary at $CULEX_BIN (run make build)" >&2; exit 1; }

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if ! command -v mosquitto >/dev/null && [ ! -x /usr/sbin/mosquitto ]; then
    echo "compare: installing mosquitto (Debian)"
    $sudo apt-get install -y -q --no-install-recommends mosquitto >/dev/null
fi
if ! command -v nats-server >/dev/null; then
    echo "compare: installing nats-server (Debian)"
    $sudo apt-get install -y -q --no-install-recommends nats-server >/dev/null ||
        { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q --no-install-recommends nats-server >/dev/null; } ||
        echo "compare: nats-server could not be installed: its cells stay empty" >&2
fi
if ! command -v strace >/dev/null; then
    echo "compare: installing strace (Debian), to count the stores' fsyncs"
    $sudo apt-get install -y -q --no-install-recommends strace >/dev/null ||
        echo "compare: strace could not be installed: messages per fsync stay unmeasured" >&2
fi
if command -v npm >/dev/null && [ ! -d "$here/peers/node_modules/aedes" ]; then
    echo "compare: installing aedes (npm) into bench/peers"
    (cd "$here/peers" && npm install --no-audit --no-fund --loglevel=error >/dev/null) ||
        echo "compare: aedes could not be installed: its cells stay empty" >&2
fi

exec /usr/bin/python3 "$here/peers/compare.py" "${args[@]}"
