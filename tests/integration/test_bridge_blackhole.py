"""A bridge whose remote never answers (its SYNs vanish) costs local clients nothing: in network namespaces the
test makes, the bridge's address is reached over a veth link whose far end drops every packet (a neighbour entry
with a MAC nobody has), so each connect waits out its timeout. A paho QoS 1 pair on the local broker must lose nothing; its p99 latency with and
without the black-holed bridge is printed (figures, not assertions: no timing assertions in tests).

Skipped, saying why, where network namespaces cannot be made (not root, or no CAP_SYS_ADMIN)."""
import json
import os
import subprocess
import sys

import pytest

from brokers import Broker, write_config
from conftest import culex_binary

NS = f"culex-bh-{os.getpid()}"
BLACK_HOLE = "10.213.0.2"  # on the dummy link: nothing ever answers
COUNT = 2000


def ip(*args):
    return subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30)


def can_make_namespace():
    made = ip("netns", "add", NS + "-probe")
    if made.returncode != 0:
        return False, "cannot make a network namespace here (root with CAP_SYS_ADMIN is needed): " + made.stderr
    ip("netns", "delete", NS + "-probe")
    return True, ""


ALLOWED, WHY = can_make_namespace() if os.geteuid() == 0 else (False, "not root: no network namespace")


@pytest.fixture
def namespace():
    """NS, where the broker runs, with a veth link to NS-far. BLACK_HOLE has a fixed neighbour entry whose MAC
    no interface has: the SYNs go out, NS-far's kernel drops them (not its MAC), and nothing ever answers, not
    even an ICMP error."""
    if not ALLOWED:
        pytest.skip(WHY)
    far = NS + "-far"
    assert ip("netns", "add", NS).returncode == 0
    assert ip("netns", "add", far).returncode == 0
    try:
        steps = [(NS, ["link", "set", "lo", "up"]),
                 (NS, ["link", "add", "hole0", "type", "veth", "peer", "name", "hole1", "netns", far]),
                 (NS, ["addr", "add", "10.213.0.1/24", "dev", "hole0"]),
                 (NS, ["link", "set", "hole0", "up"]),
                 (far, ["link", "set", "hole1", "up"]),
                 (NS, ["neigh", "add", BLACK_HOLE, "lladdr", "02:00:00:00:bb:02", "dev", "hole0", "nud",
                       "permanent"])]
        for where, command in steps:
            done = ip("netns", "exec", where, "ip", *command)
            assert done.returncode == 0, " ".join(command) + ": " + done.stderr
        yield NS
    finally:
        ip("netns", "delete", NS)
        ip("netns", "delete", far)


# Runs inside the namespace: a QoS 1 publisher and subscriber on the local broker; prints lost count and p99.
PAIR = r"""
import json, sys, threading, time
import paho.mqtt.client as mqtt
port, count = int(sys.argv[1]), int(sys.argv[2])
got, lat, done = set(), [], threading.Event()
def on_message(c, u, m):
    i, sent = m.payload.decode().split(" ")
    if int(i) >= 0 and int(i) not in got:  # -1: the "ready" message, before the timed ones
        got.add(int(i)); lat.append(time.monotonic() - float(sent))
    if len(got) == count: done.set()
sub = mqtt.Client("bh-sub"); sub.on_message = on_message
sub.connect("127.0.0.1", port); sub.subscribe("local/#", 1); sub.loop_start()
pub = mqtt.Client("bh-pub"); pub.connect("127.0.0.1", port); pub.loop_start()
ready = pub.publish("local/ready", b"-1 0", qos=1); ready.wait_for_publish(10)
for i in range(count):
    pub.publish("local/t", f"{i} {time.monotonic()}".encode(), qos=1).wait_for_publish(10)
done.wait(60)
lat.sort()
p99 = lat[int(len(lat) * 0.99) - 1] * 1000 if lat else None
print(json.dumps({"lost": count - len(got), "p99_ms": p99}))
"""


def run_pair(namespace, port):
    result = subprocess.run(["ip", "netns", "exec", namespace, sys.executable, "-c", PAIR, str(port), str(COUNT)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def start_in(namespace, directory, extra):
    config = "listener 0 127.0.0.1\nallow_anonymous true\n" + extra
    args = ["ip", "netns", "exec", namespace, culex_binary(), "broker", "-c", write_config(directory, config), "-v"]
    return Broker(args)


def test_a_black_holed_remote_costs_local_clients_nothing(namespace, tmp_path):
    plain = start_in(namespace, tmp_path, "")
    try:
        without = run_pair(namespace, plain.port)
    finally:
        plain.stop()
    bridged_dir = tmp_path / "bridged"
    bridged_dir.mkdir()
    bridged = start_in(namespace, bridged_dir,
                       f"connection hole\naddress {BLACK_HOLE}:1883\nrestart_timeout 1\nkeepalive_interval 5\n"
                       "topic local/# out 1\n")
    try:
        bridged.log.wait_for(rf"Connecting bridge hole \({BLACK_HOLE}:1883\)")
        with_hole = run_pair(namespace, bridged.port)
        # The bridge was still trying (its connect not answered) while the pair ran.
        assert "Bridge hole connected" not in bridged.log.text()
    finally:
        bridged.stop()
    print(f"\nlocal QoS 1 p99 latency over {COUNT} messages: {without['p99_ms']:.2f} ms without a bridge, "
          f"{with_hole['p99_ms']:.2f} ms with a bridge to a black-holed address")
    assert without["lost"] == 0
    assert with_hole["lost"] == 0
