"""The driver behind bench/compare.sh: starts each broker on a free loopback port, runs `culex bench` against
it with --broker-pid, takes medians over runs, and writes the table of figures and ratios.

Every wait is bounded; a broker that does not come up, or a run that fails, leaves an empty cell and a note,
not a hung script.
"""
import argparse
import datetime
import json
import os
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import bridge_cells
import tls_cells
from environment import machine, versions

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
# Absolute: brokers run in their own directories.
CULEX = os.path.abspath(os.environ.get("CULEX_BIN", str(REPO / "build" / "culex")))
PEERS = ["mosquitto", "nats", "aedes"]
BROKERS = ["culex"] + PEERS
# The persistence cells' brokers: a broker and its store. culex without a store, then with each
# persistence_sync; Mosquitto with `persistence true`; NATS keeps MQTT sessions in JetStream whatever it is told.
PERSIST_BROKERS = ["culex", "culex-os", "culex-fsync", "mosquitto-persist", "nats"]
# Where the brokers' directories (and so their stores) go: a real disk, not tmpfs, where an fsync is free.
STORE_ROOT = None
# What strace counts for "messages per fsync": SQLite syncs its WAL with fdatasync, Go (NATS) with fsync.
SYNC_CALLS = "trace=fsync,fdatasync"
# Broker log lines worth a reader's attention, gathered as brokers stop: (broker, line).
LOG_NOTES = []
LOG_WORTHY = re.compile(r"error|warn|fail|refus", re.IGNORECASE)
BROKER_CPU, BENCH_CPU = "0", "1"
# The fixed-rate cells measure latency, which other processes on the same cores (a compiler, another test)
# turn into scheduling delay: a woken broker or load generator waits for the running task's slice, milliseconds
# on a busy machine. Both run at a round-robin real-time priority there, when this process may set one, so the
# figure is the broker's. Those cells use well under one core each, so other processes still run; saturated
# cells never get it (they would take 95% of both cores).
REALTIME = ["chrt", "--rr", "10"]


def base_name(name):
    """The program behind a broker variant: culex-os -> culex, mosquitto-persist -> mosquitto."""
    return name.split("-")[0]


def filesystem(path):
    try:
        out = subprocess.run(["df", "--output=fstype", str(path)], capture_output=True, text=True, timeout=10)
        return out.stdout.split()[-1]
    except (OSError, subprocess.TimeoutExpired, IndexError):
        return "?"


def realtime_allowed():
    try:
        return subprocess.run(REALTIME + ["true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, proc, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


class BrokerProcess:
    """One broker on a free port, optionally pinned to a CPU; stopped (and its files removed) on exit."""

    def __init__(self, name, pin=True, threads=1, realtime=False, count_syncs=False, extra_config=""):
        self.name = name
        self.extra_config = extra_config  # lines added to culex's or Mosquitto's configuration (a bridge)
        self.dir = tempfile.mkdtemp(prefix=f"culex-compare-{name}-", dir=STORE_ROOT)
        self.port = free_port()
        cmd = self._command(threads)
        self.syncs = Path(self.dir) / "syncs.strace" if count_syncs else None
        if self.syncs:
            # seccomp-bpf stops the broker only at the traced calls: its network path runs untraced.
            cmd = ["strace", "-f", "--seccomp-bpf", "-qq", "-e", SYNC_CALLS, "-e", "signal=none", "-o",
                   str(self.syncs)] + cmd
        if pin:
            cmd = ["taskset", "-c", BROKER_CPU] + cmd
        if realtime:
            cmd = REALTIME + cmd
        self.log = open(Path(self.dir) / "broker.log", "w")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, cwd=self.dir)
        if not wait_for_port(self.port, self.proc):
            self.stop()
            raise RuntimeError(f"{name} did not listen on port {self.port}; see {self.dir}/broker.log")
        # taskset and chrt exec the next program, strace forks it: the broker is strace's child.
        self.pid = self._traced_pid() if self.syncs else self.proc.pid
        # The port answers before a Node.js or Go broker has finished warming up its first connection.
        time.sleep(0.2)

    def _traced_pid(self):
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        if not children:
            self.stop()
            raise RuntimeError(f"{self.name} under strace: no broker process found")
        return int(children[0])

    def sync_calls(self):
        """fsync and fdatasync calls so far (strace writes a line per call as it returns)."""
        with open(self.syncs) as f:
            return sum(1 for line in f if "sync(" in line)

    def _command(self, threads):
        if tls_cells.is_tls(self.name):
            return tls_cells.command(base_name(self.name), self.port, self.dir, threads, CULEX)
        conf = Path(self.dir) / "broker.conf"
        if self.name.startswith("culex"):
            store = ""
            if self.name != "culex":
                store = (f"persistence true\npersistence_location {self.dir}\npersistence_file culex.db\n"
                         f"persistence_sync {self.name.split('-', 1)[1]}\n")
            # CULEX_EXTRA_CONFIG: lines added to culex's configuration (e.g. "sys_interval 0", an http listener),
            # to measure what an option costs.
            extra = os.environ.get("CULEX_EXTRA_CONFIG", "")
            conf.write_text(f"listener {self.port} 127.0.0.1\nallow_anonymous true\nthreads {threads}\n{store}"
                            f"{extra}\n{self.extra_config}")
            return [CULEX, "broker", "-c", str(conf)]
        if self.name.startswith("mosquitto"):
            # As root, mosquitto would drop to user mosquitto, which cannot read this temporary directory.
            user = "user root\n" if os.geteuid() == 0 else ""
            # Mosquitto's location is a prefix: it needs the trailing slash.
            store = f"persistence true\npersistence_location {self.dir}/\n" if self.name != "mosquitto" else ""
            conf.write_text(f"listener {self.port} 127.0.0.1\nallow_anonymous true\n{user}{store}{self.extra_config}")
            return [shutil.which("mosquitto") or "/usr/sbin/mosquitto", "-c", str(conf)]
        if self.name == "nats":
            conf.write_text(
                f"listen: 127.0.0.1:{free_port()}\nserver_name: culex_compare\n"
                f"jetstream {{ store_dir: \"{self.dir}/js\" }}\n"
                f"mqtt {{ listen: 127.0.0.1:{self.port} }}\n")
            return ["nats-server", "-c", str(conf)]
        if self.name == "aedes":
            return ["node", str(HERE / "aedes-server.js"), str(self.port)]
        raise ValueError(name)

    def stop(self):
        if self.proc.poll() is None:
            # Under strace the broker is strace's child, and a SIGTERM to strace detaches it and leaves the
            # broker running: the broker gets the signal, and strace ends with it.
            traced = getattr(self, "pid", None) if self.syncs else None
            try:
                if traced:
                    os.kill(traced, signal.SIGTERM)
                else:
                    self.proc.send_signal(signal.SIGTERM)
                self.proc.wait(timeout=10)
            except (subprocess.TimeoutExpired, ProcessLookupError):
                if traced:
                    try:
                        os.kill(traced, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()
        try:
            lines = (Path(self.dir) / "broker.log").read_text(errors="replace").splitlines()
            # compare.sh runs as root: Mosquitto and culex both say so, and that is not a finding.
            LOG_NOTES.extend((self.name, line.strip()) for line in lines if LOG_WORTHY.search(line)
                             and "run as root" not in line and "set `user NAME`" not in line)
        except OSError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


def available(name):
    name = base_name(name)
    if name == "culex":
        return os.access(CULEX, os.X_OK)
    if name == "mosquitto":
        return shutil.which("mosquitto") is not None or os.path.exists("/usr/sbin/mosquitto")
    if name == "nats":
        return shutil.which("nats-server") is not None
    if name == "aedes":
        return shutil.which("node") is not None and (HERE / "node_modules" / "aedes").is_dir()
    return False


def bench(broker, args, pin=True, timeout=300, realtime=False):
    # A bridged pair (bridge_cells.BridgePair) adds its subscribers' port; its pid is "A,B".
    cmd = [CULEX, "bench"] + args + ["-p", str(broker.port), "--broker-pid", str(broker.pid), "--json",
                                     "--quiet"] + getattr(broker, "bench_args", [])
    if pin:
        cmd = ["taskset", "-c", BENCH_CPU] + cmd
    if realtime:
        cmd = REALTIME + cmd
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip() or f"culex bench exited {out.returncode}")
    return json.loads(out.stdout)


def per_cpu(r):
    return r.get("broker", {}).get("messages_per_cpu_second")


def cpu_per_50k(r):
    moved = r["received"] or r["sent"]
    return r["broker"]["cpu_seconds"] / moved * 50000 if moved else None


class Cell:
    """One row of the matrix: what to run and which figure to read (higher or lower is better)."""

    def __init__(self, key, title, args, metric, unit, higher_better=True, goal="", pin=True, brokers=None,
                 realtime=False):
        self.key, self.title, self.args, self.metric, self.unit = key, title, args, metric, unit
        self.higher_better, self.goal, self.pin, self.realtime = higher_better, goal, pin, realtime
        self.brokers = brokers or BROKERS
        self.persistence = self.brokers is PERSIST_BROKERS  # a table of its own: its columns are variants


def matrix(seconds, idle):
    d = ["-d", str(seconds)]
    return [
        Cell("p2p-q0", "p2p 8 pairs, QoS 0, 64 B: deliveries per broker CPU-second",
             ["p2p", "-c", "8", "-q", "0"] + d, per_cpu, "msg/cpu-s", goal=">= 1.2x best peer"),
        Cell("p2p-q0-rate", "p2p 8 pairs, QoS 0, 64 B: deliveries per wall second (pinned, saturated)",
             ["p2p", "-c", "8", "-q", "0"] + d, lambda r: r["received_per_second"], "msg/s",
             goal="ahead of every peer"),
        Cell("fanin-q0", "fanin 8 -> 1 (wildcard), QoS 0: deliveries per broker CPU-second",
             ["fanin", "-c", "8", "-q", "0"] + d, per_cpu, "msg/cpu-s", goal=">= 1.2x best peer"),
        Cell("fanout-q0", "fanout 1 -> 16, QoS 0: deliveries per broker CPU-second",
             ["fanout", "-c", "16", "-q", "0"] + d, per_cpu, "msg/cpu-s", goal=">= 1.2x best peer"),
        Cell("p2p-q1", "p2p 8 pairs, QoS 1: deliveries per broker CPU-second",
             ["p2p", "-c", "8", "-q", "1"] + d, per_cpu, "msg/cpu-s", goal=">= 2x best peer"),
        Cell("p2p-10k-p99", "p2p 8 pairs at 10,000 msg/s, QoS 0: p99 latency",
             ["p2p", "-c", "8", "-q", "0", "-r", "10000"] + d, lambda r: r["latency_us"]["p99"], "us",
             higher_better=False, goal="<= best peer", realtime=True),
        Cell("p2p-10k-cpu", "p2p 8 pairs at 10,000 msg/s, QoS 0: broker CPU seconds per 50,000 messages",
             ["p2p", "-c", "8", "-q", "0", "-r", "10000"] + d, cpu_per_50k, "cpu-s", higher_better=False,
             goal="<= mosquitto", realtime=True),
        Cell("idle", f"{idle} idle connections: broker RSS per connection",
             ["conn", "-c", str(idle), "-d", "1", "-k", "600", "--connect-timeout", "120"], lambda r: r["broker"].get("bytes_per_connection"),
             "bytes", higher_better=False, goal="<= mosquitto", pin=False),
    ] + [Cell(f"fanout1000-q0-{k}k", f"fanout 1 -> 1000, QoS 0, {k} KB: deliveries per broker CPU-second",
              ["fanout", "-c", "1000", "-q", "0", "-s", str(k * 1024)] + d, per_cpu, "msg/cpu-s",
              goal=">= 1.5x nats") for k in (1, 16)] + persistence_matrix(seconds)


def persistence_matrix(seconds):
    """QoS 1 to persistent sessions (issue 12): every message is stored for its subscriber before the PUBACK,
    by the brokers that store at all. Both cells read the same runs."""
    args = ["p2p", "-c", "8", "-q", "1", "-w", "100", "--disable-clean-session", "-d", str(seconds)]
    return [
        Cell("persist-q1", "p2p 8 pairs, QoS 1 to persistent sessions: deliveries per broker CPU-second",
             args, per_cpu, "msg/cpu-s", goal="os >= 2x nats; os >= 0.5x no store", brokers=PERSIST_BROKERS),
        Cell("persist-q1-rate", "p2p 8 pairs, QoS 1 to persistent sessions: deliveries per wall second (pinned)",
             args, lambda r: r["received_per_second"], "msg/s", goal="-", brokers=PERSIST_BROKERS),
    ]


def fmt(value, unit):
    if value is None:
        return "-"
    if unit == "cpu-s":
        return f"{value:.3f}"
    return f"{value:,.0f}"


def run_cell(cell, brokers, runs, raw, cache, realtime):
    """Medians per broker; brokers take turns within each run so drift hits all of them alike. Cells that read
    another figure of the same run (the two fixed-rate cells) share it through `cache`."""
    values = {b: [] for b in brokers}
    rt = realtime and cell.realtime
    for i in range(runs):
        for name in brokers:
            if name not in cell.brokers:
                continue
            broker = None
            # A bridge cell runs the same bench command as a p2p cell, against a bridged pair: its own key.
            key = (name, tuple(cell.args), cell.pin, rt, i, getattr(cell, "bridge_qos", None))
            try:
                if key in cache:
                    result = cache[key]
                else:
                    if bridge_cells.is_bridge(cell):
                        broker = bridge_cells.BridgePair(BrokerProcess, name, cell.bridge_qos, pin=cell.pin)
                    else:
                        broker = BrokerProcess(name, pin=cell.pin, realtime=rt)
                    result = bench(broker, cell.args, pin=cell.pin, realtime=rt)
                    cache[key] = result
                value = cell.metric(result)
                raw.append({"cell": cell.key, "broker": name, "run": i + 1, "value": value, "result": result})
                if value is not None:
                    values[name].append(value)
                lost = result.get("lost", 0)
                print(f"  {cell.key:12} {name:10} run {i + 1}: {fmt(value, cell.unit)} {cell.unit}"
                      f"{'  (lost ' + str(lost) + ')' if lost else ''}", flush=True)
            except Exception as e:  # noqa: BLE001 - one broker's failure must not end the comparison
                print(f"  {cell.key:12} {name:10} run {i + 1}: failed: {e}", flush=True)
                raw.append({"cell": cell.key, "broker": name, "run": i + 1, "error": str(e)})
            finally:
                if broker:
                    broker.stop()
    return {b: (statistics.median(v) if v else None) for b, v in values.items()}


def ratio(cell, medians, ours_name="culex"):
    ours = medians.get(ours_name)
    peers = [v for b, v in medians.items() if base_name(b) != "culex" and v]
    if not ours or not peers:
        return None, None
    best = max(peers) if cell.higher_better else min(peers)
    best_name = next(b for b, v in medians.items() if v == best and base_name(b) != "culex")
    return (ours / best if cell.higher_better else best / ours), best_name


def sync_cell(args, runs, raw, brokers):
    """Messages per fsync: each storing broker once more per run under strace, counting fsync and fdatasync
    calls during the bench. Separate runs, so that the tracer's stops never touch the figures above."""
    out = {}
    for i in range(runs):
        for name in brokers:
            broker = None
            try:
                broker = BrokerProcess(name, count_syncs=True)
                before = broker.sync_calls()
                r = bench(broker, args)
                calls = broker.sync_calls() - before
                out.setdefault(name, []).append((calls, r["received"]))
                raw.append({"cell": "persist-syncs", "broker": name, "run": i + 1, "calls": calls, "result": r})
                print(f"  persist-syncs {name:17} run {i + 1}: {calls:,} sync calls, {r['received']:,} messages",
                      flush=True)
            except Exception as e:  # noqa: BLE001
                print(f"  persist-syncs {name:17} run {i + 1}: failed: {e}", flush=True)
                raw.append({"cell": "persist-syncs", "broker": name, "run": i + 1, "error": str(e)})
            finally:
                if broker:
                    broker.stop()
    return out


def threads_cell(seconds, runs, raw):
    """culex alone, unpinned: CPU per delivered message with 2 loops over 1 loop (the contention tax)."""
    out = {}
    for threads in (1, 2):
        costs = []
        for i in range(runs):
            broker = BrokerProcess("culex", pin=False, threads=threads)
            try:
                r = bench(broker, ["p2p", "-c", "8", "-q", "0", "-T", "1", "-d", str(seconds)], pin=False)
                cost = r["broker"]["cpu_seconds"] / max(r["received"], 1) * 1e6
                costs.append(cost)
                raw.append({"cell": f"threads-{threads}", "broker": "culex", "run": i + 1, "value": cost,
                            "result": r})
                print(f"  threads {threads}: {cost:.3f} cpu-us per message, "
                      f"{r['received_per_second']:,.0f} msg/s", flush=True)
            except Exception as e:  # noqa: BLE001
                print(f"  threads {threads}: failed: {e}", flush=True)
            finally:
                broker.stop()
        out[threads] = statistics.median(costs) if costs else None
    return out


def persistence_lines(rows, syncs, root, fstype):
    """The persistence table: its own columns (each store configuration), ratios of culex with a store against
    the peers and against culex without one, and the messages per fsync."""
    names = {"culex": "culex (no store)", "culex-os": "culex os", "culex-fsync": "culex fsync",
             "mosquitto-persist": "mosquitto persistence", "nats": "nats (JetStream)"}
    lines = ["", "### QoS 1 to persistent sessions (issue 12)", "",
             "`culex bench p2p -c 8 -q 1 -w 100 --disable-clean-session`: 8 subscribers with clean session 0 "
             "(MQTT 3.1.1, a client id of their own), subscribed at QoS 1; 8 publishers at QoS 1, at most 100 "
             "PUBLISHes unacknowledged each; broker and load pinned as above. Each broker starts in a fresh "
             f"directory under {root} ({fstype}), its store there. culex: no store, then `persistence true` with "
             "`persistence_sync os` or `fsync` (a PUBACK only once the message is committed to the subscriber's "
             "queue). Mosquitto: `persistence true` and `persistence_location`; it writes its store every "
             "`autosave_interval` (1800 s by default) and at exit, so not during a run. NATS: MQTT sessions and "
             "QoS 1 messages in JetStream's file store (`store_dir`).", "",
             "| cell | unit | " + " | ".join(names.values()) + " | culex os vs best peer | culex fsync vs best "
             "peer | culex os vs nats | culex os / culex no store | goal |",
             "|---|---|" + "---|" * len(names) + "---|---|---|---|---|"]
    def x(a, b):
        return f"{a / b:.2f}x" if a and b else "-"
    for cell, medians, _, _ in rows:
        os_r, os_best = ratio(cell, medians, "culex-os")
        fs_r, fs_best = ratio(cell, medians, "culex-fsync")
        lines.append(f"| {cell.title} | {cell.unit} | "
                     + " | ".join(fmt(medians.get(b), cell.unit) for b in names) + " | "
                     + (f"{os_r:.2f}x ({os_best})" if os_r else "-") + " | "
                     + (f"{fs_r:.2f}x ({fs_best})" if fs_r else "-") + " | "
                     + f"{x(medians.get('culex-os'), medians.get('nats'))} | "
                     + f"{x(medians.get('culex-os'), medians.get('culex'))} | {cell.goal} |")
    if syncs is None:
        return lines
    if not syncs:
        return lines + ["", "Messages per fsync: not measured (strace is not installed)."]
    lines += ["", "Messages per fsync: each storing broker run once more per run under strace (`strace -f "
              f"--seccomp-bpf -e {SYNC_CALLS}`: only those calls stop the broker), counting the calls made "
              "during the bench; medians over runs, and the range of messages per call. These runs are not in "
              "the table above.", "",
              "| broker | fsync + fdatasync calls | messages delivered | messages per call | range |", "|---|---|---|---|---|"]
    for b, runs in syncs.items():
        per = sorted(moved / calls for calls, moved in runs if calls)
        lines.append(f"| {names[b]} | {statistics.median(c for c, _ in runs):,.0f} | "
                     f"{statistics.median(m for _, m in runs):,.0f} | "
                     + (f"{statistics.median(per):,.0f} | {per[0]:,.0f}-{per[-1]:,.0f} |" if per else "- | - |"))
    return lines


def command_line():
    # compare.sh consumes --no-build and passes the rest; CULEX_BIN set by hand means --no-build was implied.
    env = os.environ.get("CULEX_BIN_GIVEN", "")
    prefix = f"CULEX_BIN={env} " if env else ""
    return f"{prefix}bench/compare.sh {shlex.join(sys.argv[1:])}".rstrip()


def main():
    # Stopped from outside: unwind, so that each cell's `finally` stops its broker.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--idle", type=int, default=19000)
    ap.add_argument("--brokers", default=" ".join(BROKERS))
    ap.add_argument("--cells", default="", help="only these cells (keys, space-separated)")
    ap.add_argument("--quick", action="store_true", help="1 run of 2 s per cell, 2,000 idle connections")
    ap.add_argument("--out", default=str(REPO / "bench" / "RESULTS.md"))
    ap.add_argument("--raw", default="", help="also write every run's JSON here")
    ap.add_argument("--no-realtime", action="store_true",
                    help="run the fixed-rate cells at normal priority (default: chrt --rr 10 when allowed)")
    ap.add_argument("--store-dir", default=tempfile.gettempdir(),
                    help="where the brokers' temporary directories and stores go (a real disk, not tmpfs)")
    ap.add_argument("--append", action="store_true",
                    help="add this run as a section at the end of --out instead of rewriting it (for a few cells)")
    a = ap.parse_args()
    global STORE_ROOT
    STORE_ROOT = a.store_dir
    store_fs = filesystem(STORE_ROOT)
    if store_fs == "tmpfs":
        print(f"compare: {STORE_ROOT} is tmpfs: an fsync costs nothing there (give --store-dir on a disk)",
              file=sys.stderr)
    if a.quick:
        a.runs, a.seconds, a.idle = 1, 2, 2000
    wanted = a.brokers.split()
    brokers = [b for b in wanted if available(b)]
    for b in wanted:
        if b not in brokers:
            print(f"compare: {b} is not available; its cells stay empty", file=sys.stderr)
    if "culex" not in brokers:
        sys.exit("compare: no culex binary (set CULEX_BIN or run make build)")

    realtime = not a.no_realtime and realtime_allowed()
    raw = []
    rows = []
    cache = {}
    started = time.monotonic()
    load_at_start = os.getloadavg()[0]
    broker_versions = versions()  # now: the checkout may move on while the matrix runs
    cells = (matrix(a.seconds, a.idle) + tls_cells.matrix(a.seconds, Cell, per_cpu)
             + bridge_cells.matrix(a.seconds, Cell, per_cpu))
    if a.cells:
        cells = [c for c in cells if c.key in a.cells.split()]
    for cell in cells:
        print(f"{cell.key}: {cell.title}", flush=True)
        cell_brokers = [b for b in cell.brokers if base_name(b) in brokers]
        medians = run_cell(cell, cell_brokers, a.runs, raw, cache, realtime)
        r, best = ratio(cell, medians)
        rows.append((cell, medians, r, best))
    rows, tls_rows = tls_cells.split(rows)
    rows, bridge_rows = bridge_cells.split(rows)
    threads = None
    if not a.cells or "threads" in a.cells.split():
        print("threads: culex p2p QoS 0, CPU per message with threads 1 and threads 2", flush=True)
        threads = threads_cell(a.seconds, a.runs, raw)
    syncs = None
    if not a.cells or "persist-syncs" in a.cells.split():
        if shutil.which("strace"):
            print("persist-syncs: fsync and fdatasync calls per message, under strace", flush=True)
            syncs = sync_cell(persistence_matrix(a.seconds)[0].args, a.runs, raw,
                              [b for b in PERSIST_BROKERS if b != "culex" and base_name(b) in brokers])
        else:
            syncs = {}  # said so in the report
    when = datetime.datetime.now().strftime('%Y-%m-%d %H:%M')

    lines = [
        f"## Run of {when}: {a.cells}" if a.append else "# culex compared with the brokers a user could pick instead",
        "",
        f"Date: {when}. Machine: {machine()}.",
        f"Command: `{command_line()}` ({a.runs} run(s) of {a.seconds:g} s per cell, "
        f"medians; {time.monotonic() - started:.0f} s in all).",
        "",
        "Brokers: " + "; ".join(f"{b}: {v}" for b, v in broker_versions.items() if b in wanted) + ".",
        "",
        "Load: `culex bench` (one process, one event loop) on CPU 1, the broker on CPU 0 (`taskset`), except the "
        "idle-connection and threads cells. Each run starts a fresh broker with its default configuration "
        "(culex: `threads 1`). "
        + ("The fixed-rate cells run broker and load generator at real-time priority (`chrt --rr 10`), so that "
           "other processes on the machine do not add their scheduling delay to the latency. " if realtime else
           "The fixed-rate cells ran at normal priority: their latency includes whatever else ran on the "
           "machine. ")
        + f"Machine load (1-minute average) when the run began: {load_at_start:.2f}. "
        "Ratio: culex over the best peer, oriented so that above 1 means culex is better. "
        "How to read and reproduce this: docs/bench.md.",
        "",
    ]
    main_rows = [row for row in rows if not row[0].persistence]
    if main_rows:
        lines += ["| cell | unit | " + " | ".join(wanted) + " | culex vs best peer | goal |",
                  "|---|---|" + "---|" * len(wanted) + "---|---|"]
    for cell, medians, r, best in main_rows:
        cells_text = " | ".join(fmt(medians.get(b), cell.unit) for b in wanted)
        rtext = f"{r:.2f}x ({best})" if r else "-"
        lines.append(f"| {cell.title} | {cell.unit} | {cells_text} | {rtext} | {cell.goal} |")
    if threads:
        t1, t2 = threads.get(1), threads.get(2)
        extra = f"{(t2 / t1 - 1) * 100:+.1f}%" if t1 and t2 else "-"
        lines += ["", "culex alone, unpinned, p2p 8 pairs QoS 0: broker CPU microseconds per delivered message, "
                  f"`threads 1`: {t1 and round(t1, 3)}, `threads 2`: {t2 and round(t2, 3)} ({extra}; goal: "
                  "no more than +15%)."]
    headroom = [x for x in raw if x.get("cell") == "p2p-q0-rate" and "result" in x]
    if headroom:
        lines += ["", "The load generator itself, p2p QoS 0 flat out (median over runs): messages received per "
                  "second, and its own CPU use on its core (below 100% means it was not the bottleneck):", ""]
        for b in wanted:
            rs = [x["result"] for x in headroom if x["broker"] == b]
            if rs:
                rate = statistics.median(r["received_per_second"] for r in rs)
                cpu = statistics.median(r["bench_cpu_seconds"] / max(r["receive_seconds"], 1e-9) for r in rs)
                lines.append(f"- {b}: {rate:,.0f} msg/s received ({2 * rate:,.0f} PUBLISHes through culex bench "
                             f"counting both ways), culex bench at {cpu * 100:.0f}% of one core")
    persist_rows = [row for row in rows if row[0].persistence]
    if persist_rows or syncs is not None:
        lines += persistence_lines(persist_rows, syncs, STORE_ROOT, store_fs)
    lines += tls_cells.lines(tls_rows, ratio, fmt, wanted, LOG_NOTES)
    lines += bridge_cells.lines(bridge_rows, raw, fmt)
    if LOG_NOTES:
        lines += ["", "Broker log lines that name an error, a warning, a failure or a refusal (first 20):", ""]
        lines += [f"- {b}: `{line}`" for b, line in LOG_NOTES[:20]]
    failures = [x for x in raw if "error" in x]
    if failures:
        lines += ["", "Failed runs:", ""] + [f"- {x['cell']} {x['broker']} run {x['run']}: {x['error']}"
                                            for x in failures]
    lost = [x for x in raw if "result" in x and x["result"].get("lost")]
    if lost:
        lines += ["", "Runs that lost messages (QoS 0 lets a broker drop; the figure counts what arrived):", ""]
        lines += [f"- {x['cell']} {x['broker']} run {x['run']}: lost {x['result']['lost']:,} of "
                  f"{x['result']['expected']:,}" for x in lost]
    behind = [x for x in raw if "result" in x and x["result"].get("skipped")]
    if behind:
        lines += ["", "Fixed-rate runs where the load generator fell more than 1 ms behind its schedule and skipped "
                  "sends (the rate achieved was lower than asked):", ""]
        lines += [f"- {x['cell']} {x['broker']} run {x['run']}: skipped {x['result']['skipped']:,}, sent "
                  f"{x['result']['sent']:,}" for x in behind if x["cell"] == "p2p-10k-p99"]
    text = "\n".join(lines) + "\n"
    if a.append and Path(a.out).exists():
        Path(a.out).write_text(Path(a.out).read_text().rstrip("\n") + "\n\n" + text)
    else:
        Path(a.out).write_text(text)
    if a.raw:
        Path(a.raw).write_text(json.dumps(raw, indent=1))
    print(text)


if __name__ == "__main__":
    main()
