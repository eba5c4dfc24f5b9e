"""The bridge cells of bench/peers/compare.py (issue 14): two brokers of one kind joined by a bridge, Mosquitto's
way (`connection`, `address`, `topic culex-bench/# out QOS`, `cleansession true`), culex bench's publishers on
broker A and its subscribers on broker B (`--sub-port`), so every delivery crossed the bridge. The figure is
what B delivered per CPU-second of both brokers together (`--broker-pid A,B`: culex bench sums them), and per
wall second; both brokers are pinned to the broker CPU, culex bench to the other, as in the other cells.

culex bench's in-flight window is end to end (messages sent and not yet received by its subscribers, at QoS 1
also PUBLISHes not yet acknowledged), so A never holds more than 8 x 100 (QoS 1) or 8 x 1000 (QoS 0) messages
for the bridge: under the bridge session's default `max_queued_messages` (1000) at QoS 1, so nothing is dropped
for want of room and the figure is the bridge's pace, not its queue limit.

Before each run a probe (paho, QoS 0 on culex-bench/bridge-probe, published on A every 0.1 s until B delivers
it; 20 s at most) proves the bridge is connected and forwarding: a run that started before would count the
bridge's connect as loss.
"""
import statistics
import threading
import time
import uuid

BROKERS = ["culex", "mosquitto"]
PROBE_TOPIC = "culex-bench/bridge-probe"
PROBE_TIMEOUT = 20.0


def bridge_config(remote_port, qos):
    """The `connection` block of broker A: everything under culex-bench/ out to B at `qos`."""
    return (f"connection bench-bridge\naddress 127.0.0.1:{remote_port}\n"
            f"remote_clientid bench-bridge-{uuid.uuid4().hex[:8]}\n"
            f"topic culex-bench/# out {qos}\ncleansession true\n")


def probe(port_a, port_b, timeout=PROBE_TIMEOUT):
    """Publishes on A until B delivers: True once the bridge forwards, False after `timeout` seconds."""
    import paho.mqtt.client as mqtt  # Debian's python3-paho-mqtt (scripts/install-deps.sh)

    arrived, subscribed = threading.Event(), threading.Event()
    sub = mqtt.Client(client_id=f"bridge-probe-sub-{uuid.uuid4().hex[:8]}")
    sub.on_subscribe = lambda *_: subscribed.set()
    sub.on_message = lambda *_: arrived.set()
    sub.on_connect = lambda client, *_: client.subscribe(PROBE_TOPIC, 0)
    pub = mqtt.Client(client_id=f"bridge-probe-pub-{uuid.uuid4().hex[:8]}")
    deadline = time.monotonic() + timeout
    try:
        sub.connect("127.0.0.1", port_b)
        sub.loop_start()
        pub.connect("127.0.0.1", port_a)
        pub.loop_start()
        if not subscribed.wait(max(deadline - time.monotonic(), 0)):
            return False
        while time.monotonic() < deadline:
            pub.publish(PROBE_TOPIC, b"probe", qos=0)
            if arrived.wait(0.1):
                return True
        return False
    finally:
        for client in (pub, sub):
            client.disconnect()
            client.loop_stop()


class BridgePair:
    """Broker B (the remote), then broker A bridged out to it, both of kind `name`; stopped together. Looks like
    compare.py's BrokerProcess to its bench(): `port` (A: the publishers'), `pid` ("A,B") and `bench_args`
    (the subscribers on B)."""

    def __init__(self, broker_class, name, qos, pin=True):
        self.name = name
        self.remote = broker_class(name, pin=pin)
        self.local = None
        try:
            self.local = broker_class(name, pin=pin, extra_config=bridge_config(self.remote.port, qos))
            if not probe(self.local.port, self.remote.port):
                raise RuntimeError(f"the {name} bridge did not forward within {PROBE_TIMEOUT:g} s; see "
                                   f"{self.local.dir}/broker.log and {self.remote.dir}/broker.log")
        except Exception:
            self.stop()
            raise
        self.port = self.local.port
        self.pid = f"{self.local.pid},{self.remote.pid}"
        self.bench_args = ["--sub-port", str(self.remote.port)]

    def stop(self):
        for broker in (self.local, self.remote):
            if broker:
                broker.stop()


def matrix(seconds, cell_class, per_cpu):
    """p2p 8 pairs across the bridge, QoS 0 and QoS 1 (issue 14's goal: 5x Mosquitto per CPU-second)."""
    d = ["-d", str(seconds)]
    cells = []
    for qos in (0, 1):
        cell = cell_class(f"bridge-q{qos}", f"bridge A -> B, p2p 8 pairs, QoS {qos}: deliveries at B per "
                          "CPU-second of both brokers", ["p2p", "-c", "8", "-q", str(qos)] + d, per_cpu,
                          "msg/cpu-s", goal=">= 5x mosquitto", brokers=BROKERS)
        cell.bridge_qos = qos
        cells.append(cell)
    return cells


def is_bridge(cell):
    return getattr(cell, "bridge_qos", None) is not None


def split(rows):
    """compare.py's rows (cell, medians, ratio, best) -> (the other rows, the bridge rows)."""
    bridge = [row for row in rows if is_bridge(row[0])]
    return [row for row in rows if row not in bridge], bridge


def lines(rows, raw, fmt):
    """The bridge table: per CPU-second (the cell's figure) and per wall second (from the same runs), the
    ratio culex / mosquitto of each, and the messages lost."""
    if not rows:
        return []
    out = ["", "### Through a bridge (issue 14)", "",
           "Two brokers of one kind on loopback, A bridged to B (`connection`, `address 127.0.0.1:PORT_B`, "
           "`topic culex-bench/# out QOS`, `cleansession true`, every other bridge option at its default), "
           "`culex bench p2p -c 8 -q QOS --sub-port PORT_B --broker-pid A,B`: 8 publishers on A, their 8 "
           "subscribers on B, so every delivery crossed the bridge. Both brokers pinned to CPU 0, culex bench to "
           "CPU 1. CPU: both brokers' together. Each run starts both brokers afresh and waits (bounded) until a "
           "probe message published on A arrives at B. Medians over runs.", "",
           "| cell | culex | mosquitto | culex / mosquitto | goal |", "|---|---|---|---|---|"]
    for cell, medians, _, _ in rows:
        wall = {}
        for b in BROKERS:
            rates = [x["result"]["received_per_second"] for x in raw
                     if x.get("cell") == cell.key and x.get("broker") == b and "result" in x]
            wall[b] = statistics.median(rates) if rates else None
        for unit, figures, goal in (("msg/cpu-s", medians, cell.goal), ("msg/s", wall, "-")):
            c, m = figures.get("culex"), figures.get("mosquitto")
            what = "per CPU-second of both brokers" if unit == "msg/cpu-s" else "per wall second"
            out.append(f"| QoS {cell.bridge_qos}: deliveries at B {what} ({unit}) | {fmt(c, unit)} | "
                       f"{fmt(m, unit)} | {f'{c / m:.2f}x' if c and m else '-'} | {goal} |")
    return out
