"""Cross-node cost of culex's cluster mode beside single-node culex and NATS's own MQTT (bench/cluster_compare.sh
says how to run it; docs/cluster.md "Measured" and bench/RESULTS.md hold what it printed).

Starts three nats-server 2.9 processes clustered with JetStream, each with an MQTT listener and a server_name,
all on 127.0.0.1; two culex nodes (threads 1) on servers 1 and 2; a culex alone (threads 1); then, for each
run, takes turns over the cells:

  cross-q0/q1   culex bench p2p -c 8, publishers on culex node 1, subscribers on culex node 2
  nats-q0/q1    the same on NATS's MQTT: publishers on server 1's MQTT port, subscribers on server 2's
  single-q0/q1  culex alone, publishers and subscribers on it
  persist-q1p   culex alone with `persistence true` (SQLite), persistent subscribers: what storing QoS 1 to
                persistent sessions costs without a cluster, beside local-q1p (the same stored in JetStream)
  local-q0/q1   culex node 1 alone in the bench: publishers and subscribers on it (node-local overhead)
  *-q1p         QoS 1 to persistent subscribers (culex bench --disable-clean-session): in cluster mode the
                messages they want are stored in JetStream and each PUBACK waits for it; with clean subscribers
                (q1) nothing is stored. Not in the default cells, and best run in a call of its own: the
                sessions it leaves (offline, an hour's expiry) want the same topics, so q1 cells after it
                store their messages too.
  single-conn, local-conn   culex bench conn -c 2000 -d 1 on culex alone, and on node 1 (node 2 watching):
                what a CONNECT (and its disconnection) costs in cluster mode, client-id claims included
  watch-conn    the same on node 1, counting node 2's CPU: what each CONNECT elsewhere costs every node

Broker CPU (what "per broker CPU-second" divides by): for culex cells, the culex processes' CPU (the NATS
servers' CPU during the run is read from /proc and printed beside it); for NATS cells, the three
nats-servers' CPU. Everything started here is stopped here; every wait is bounded."""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

CULEX = os.environ.get("CULEX_BIN", str(Path(__file__).resolve().parents[2] / "build" / "culex"))
TICK = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise RuntimeError(f"timed out after {timeout} s waiting for {what}")


def port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class Process:
    def __init__(self, args, log):
        self.log = open(log, "w")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        self.pid = self.proc.pid

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()


class NatsServer(Process):
    def __init__(self, root, index, cluster_ports):
        self.port, self.monitor, self.mqtt = free_port(), free_port(), free_port()
        self.cluster_port = cluster_ports[index]
        d = root / f"n{index + 1}"
        d.mkdir()
        routes = ",".join(f"nats://127.0.0.1:{p}" for i, p in enumerate(cluster_ports) if i != index)
        conf = d / "nats.conf"
        conf.write_text(
            f"listen: 127.0.0.1:{self.port}\nhttp: 127.0.0.1:{self.monitor}\nserver_name: n{index + 1}\n"
            f"jetstream {{ store_dir: \"{d}/js\" }}\n"
            f"cluster {{ name: culex_bench, listen: 127.0.0.1:{self.cluster_port}, routes: [{routes}] }}\n"
            f"mqtt {{ listen: 127.0.0.1:{self.mqtt} }}\n")
        super().__init__(["nats-server", "-c", str(conf)], d / "log")
        self.url = f"nats://127.0.0.1:{self.port}"

    def jetstream_ready(self):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.monitor}/jsz", timeout=2) as r:
                meta = json.loads(r.read()).get("meta_cluster") or {}
        except (OSError, ValueError):
            return False
        return bool(meta.get("leader")) and meta.get("cluster_size") == 3


class Culex(Process):
    def __init__(self, root, name, nats_url=None, persistence=False):
        self.port = free_port()
        d = root / name
        d.mkdir()
        cluster = f"cluster_nats {nats_url}\ncluster_node {name}\n" if nats_url else ""
        store = f"persistence true\npersistence_location {d}/\n" if persistence else ""
        (d / "culex.conf").write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\nthreads 1\n{cluster}{store}")
        super().__init__([CULEX, "broker", "-c", str(d / "culex.conf")], d / "log")
        wait_for(lambda: port_open(self.port) or self.proc.poll() is not None, 30, f"culex {name}")
        if self.proc.poll() is not None:
            raise RuntimeError(f"culex {name} exited: see {d / 'log'}")


# What a cell's second half runs: p2p at QoS 0 or 1, flat out; or CONN connections made and held for a second
# (each a CONNECT: in cluster mode, a client-id claim in the culex_clients bucket, which every node watches).
CONN = 2000


def scenario(kind, seconds, rate):
    if kind == "conn":
        return ["conn", "-c", str(CONN), "-d", "1"]
    persistent = kind.endswith("p")
    qos = kind.removeprefix("q").removesuffix("p")
    return (["p2p", "-c", "8", "-d", str(seconds), "-q", qos] + (["-r", str(rate)] if rate else [])
            + (["--disable-clean-session"] if persistent else []))


def bench(args, pub_port, sub_port, pids, others, seconds):
    cmd = [CULEX, "bench"] + args + ["-p", str(pub_port), "--broker-pid", ",".join(map(str, pids)), "--json",
                                     "--quiet"]
    if args[0] == "p2p":
        cmd += ["--pub-port", str(pub_port), "--sub-port", str(sub_port)]
    before, own_before = sum(cpu_seconds(p) for p in others), sum(cpu_seconds(p) for p in pids)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds * 10 + 60)
    after, own_after = sum(cpu_seconds(p) for p in others), sum(cpu_seconds(p) for p in pids)
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip() or f"culex bench exited {out.returncode}")
    r = json.loads(out.stdout)
    if args[0] == "conn":
        # The unit of a conn cell: connections made. culex bench counts broker CPU from the first PUBLISH (none
        # here): the whole call's is counted instead, connecting and closing included.
        r["received"] = CONN
        r["broker"]["cpu_seconds"] = own_after - own_before
    return {"received": r["received"], "sent": r["sent"], "lost": r.get("lost", 0),
            "duplicated": r.get("duplicated", 0), "cpu": r["broker"]["cpu_seconds"], "others_cpu": after - before}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--seconds", type=int, default=5)
    p.add_argument("--cells", default="cross-q0,nats-q0,single-q0,local-q0,cross-q1,nats-q1,single-q1,local-q1,"
                                      "single-conn,local-conn")
    p.add_argument("--json", help="write every run's figures here")
    p.add_argument("--rate", type=int, help="p2p at this many messages a second in all (culex bench -r) instead "
                                            "of flat out: steadier node-local overhead on a busy machine")
    a = p.parse_args()
    if not shutil.which("nats-server"):
        sys.exit("cluster_compare: nats-server is not installed (apt-get install nats-server)")
    root = Path(tempfile.mkdtemp(prefix="culex-cluster-bench-"))
    started = []
    try:
        cluster_ports = [free_port() for _ in range(3)]
        nats = [NatsServer(root, i, cluster_ports) for i in range(3)]
        started += nats
        wait_for(lambda: all(n.jetstream_ready() for n in nats), 60, "the NATS cluster's JetStream leader")
        wait_for(lambda: all(port_open(n.mqtt) for n in nats), 30, "NATS's MQTT listeners")
        node1 = Culex(root, "bench1", nats[0].url)
        started.append(node1)
        node2 = Culex(root, "bench2", nats[1].url)
        started.append(node2)
        alone = Culex(root, "alone")
        started.append(alone)
        # Only when asked for: a fourth broker process is one more on the machine's cores.
        stored = Culex(root, "stored", persistence=True) if "persist-" in a.cells else None
        if stored:
            started.append(stored)
        nats_pids = [n.pid for n in nats]
        setups = {
            "cross": (node1.port, node2.port, [node1.pid, node2.pid], nats_pids),
            "nats": (nats[0].mqtt, nats[1].mqtt, nats_pids, []),
            "single": (alone.port, alone.port, [alone.pid], []),
            "persist": (stored.port, stored.port, [stored.pid], []) if stored else None,
            "local": (node1.port, node1.port, [node1.pid], nats_pids),
            # Connections on node 1, CPU of node 2: what another node's CONNECTs cost a node (its watch of
            # culex_clients), which every node pays for every CONNECT in the cluster.
            "watch": (node1.port, node1.port, [node2.pid], nats_pids),
        }
        cells = a.cells.split(",")
        results = {c: [] for c in cells}
        print(f"load before: {os.getloadavg()[0]:.2f}", flush=True)
        for run in range(a.runs):
            for cell in cells:
                setup, kind = cell.rsplit("-", 1)
                pub, sub, pids, others = setups[setup]
                r = bench(scenario(kind, a.seconds, a.rate), pub, sub, pids, others, a.seconds)
                results[cell].append(r)
                print(f"run {run + 1} {cell:10} received {r['received']:>9,} lost {r['lost']} dup {r['duplicated']} "
                      f"broker cpu {r['cpu']:6.2f} s -> {r['received'] / max(r['cpu'], 1e-9):>11,.0f} per cpu-s "
                      f"(nats-servers {r['others_cpu']:.2f} s) load {os.getloadavg()[0]:.2f}", flush=True)
        print("\ntotals (all runs): deliveries / broker CPU-s")
        totals = {}
        for cell, rs in results.items():
            received = sum(r["received"] for r in rs)
            cpu = sum(r["cpu"] for r in rs)
            others = sum(r["others_cpu"] for r in rs)
            totals[cell] = received / cpu if cpu else 0
            runs = ", ".join(f"{r['received'] / max(r['cpu'], 1e-9):,.0f}" for r in rs)
            with_nats = f"; with the nats-servers' {others:.2f} s: {received / (cpu + others):,.0f}" if others else ""
            print(f"{cell:10} {received:>10,} / {cpu:6.2f} = {totals[cell]:>11,.0f}  (runs {runs}; "
                  f"lost {sum(r['lost'] for r in rs)}, dup {sum(r['duplicated'] for r in rs)}{with_nats})")
        for q in ("0", "1", "1p"):
            t = lambda s: totals.get(f"{s}-q{q}")
            if t("cross") and t("single"):
                print(f"QoS {q}: cross-node / single-node culex = {t('cross') / t('single'):.3f}x")
            if t("cross") and t("nats"):
                print(f"QoS {q}: culex cross-node / NATS MQTT cross-server = {t('cross') / t('nats'):.2f}x")
            if t("local") and t("single"):
                print(f"QoS {q}: node-local CPU per message vs alone = {t('single') / t('local') - 1:+.1%}")
            if t("local") and t("persist"):
                print(f"QoS {q}: node-local CPU per message vs alone with persistence = "
                      f"{t('persist') / t('local') - 1:+.1%}")
        for setup in ("single", "local", "watch"):
            rs = results.get(f"{setup}-conn")
            if rs:
                cpu, others = sum(r["cpu"] for r in rs), sum(r["others_cpu"] for r in rs)
                print(f"connections ({setup}): {cpu / (CONN * len(rs)) * 1e6:.0f} us of culex CPU each"
                      + (f", {others / (CONN * len(rs)) * 1e6:.0f} us of the nats-servers'" if others else ""))
        print(f"load after: {os.getloadavg()[0]:.2f}")
        if a.json:
            Path(a.json).write_text(json.dumps(results, indent=1))
    finally:
        for proc in reversed(started):
            proc.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
