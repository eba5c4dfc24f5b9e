"""What compare.py's report says about where it ran: the machine, and the version of each broker (culex with
the commit it was built from)."""
import json
import os
import platform
import shutil
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
# Absolute: brokers run in their own directories.
CULEX = os.path.abspath(os.environ.get("CULEX_BIN", str(REPO / "build" / "culex")))


def source_revision():
    """The commit the measured culex was built from, as far as this checkout can tell."""
    try:
        head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no", "src"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""
    if not head:
        return ""
    return f" (source at commit {head}{', with uncommitted changes in src/' if dirty else ''})"


def versions():
    def first_line(cmd):
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
            return (out.stdout or out.stderr).strip().splitlines()[0]
        except Exception:  # noqa: BLE001
            return "not installed"
    aedes = "not installed"
    pkg = HERE / "node_modules" / "aedes" / "package.json"
    if pkg.exists():
        aedes = "aedes " + json.loads(pkg.read_text())["version"] + " on node " + first_line(["node", "--version"])
    mosq = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "mosquitto"], capture_output=True, text=True)
    return {
        "culex": first_line([CULEX, "--version"]) + source_revision(),
        "mosquitto": "mosquitto " + (mosq.stdout.strip() or "?") + " (Debian)",
        "nats": (first_line(["nats-server", "--version"]) + " (Debian), MQTT listener"
                 if shutil.which("nats-server") else "not installed"),
        "aedes": aedes,
    }


def machine():
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, Linux {platform.release()}"
