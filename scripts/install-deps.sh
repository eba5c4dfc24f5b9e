#!/usr/bin/env bash
# Installs everything culex needs to build and test on Debian 12. Idempotent: only what is missing is
# installed, so `make run` and `make test` can call it every time.
set -euo pipefail

packages=(
    # build
    build-essential cmake ninja-build ccache pkg-config clang-14 clang-format
    libboost1.81-dev libssl-dev libsqlite3-dev libpcap-dev libtins-dev
    libcli11-dev libfmt-dev nlohmann-json3-dev libgtest-dev libgmock-dev libbenchmark-dev
    zlib1g-dev  # src/store: the CRC-32 of each stored row
    libsystemd-dev  # src/service: sd_notify (READY=1, RELOADING=1, STOPPING=1, the watchdog)
    prometheus-cpp-dev  # src/ops: the Prometheus text format of /metrics
    libnats-dev  # src/cluster: the NATS C client (cluster_nats)
    nats-server  # src/cluster tests (three clustered servers) and bench (NATS's own MQTT)
    # real peers for the integration tests
    mosquitto mosquitto-clients python3-paho-mqtt python3-pytest openssl tshark
    valgrind  # tests/integration/test_valgrind.py: a short broker run, leak-checked
    lintian  # `make deb`: the package is checked (tests/integration/test_service.py)
    python3-prometheus-client  # tests/integration/test_metrics.py: parses /metrics
    chromium chromium-driver python3-selenium  # tests/integration/test_dashboard.py: a real headless browser
    faketime  # tests/integration/test_option_families.py: a broker restarted hours later (persistent_client_expiration)
)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

# Node.js may come from elsewhere than Debian (it does on these machines, npm included): take Debian's only if absent.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)

if ((${#missing[@]})); then
    echo "install-deps: installing ${missing[*]}"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -q
    # tshark asks whether non-root users may capture; answer no without a prompt.
    echo "wireshark-common wireshark-common/install-setuid boolean false" | $sudo debconf-set-selections
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Debian's mosquitto package may start a system broker on 1883; culex's `make run` wants that port.
if command -v systemctl >/dev/null && systemctl is-active --quiet mosquitto 2>/dev/null; then
    echo "install-deps: note: a system mosquitto service is running on port 1883 (systemctl stop mosquitto)"
fi

# npm test peers (MQTT.js), kept inside the repository's tests/peers folder.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -f "$here/tests/peers/package.json" ] && [ ! -d "$here/tests/peers/node_modules/mqtt" ]; then
    (cd "$here/tests/peers" && npm install --no-audit --no-fund --loglevel=error)
fi
