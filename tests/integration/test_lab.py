"""The lab this product comes from, on one host: `culex broker -c culex.conf -v`, `culex sub -t "#" -v`,
`culex pub -m hello -t world`; the subscriber prints the message and the broker logs Mosquitto's lines."""
import subprocess

import pytest

from brokers import start_culex
from conftest import culex_binary
from mqtt_peers import WAIT


@pytest.fixture
def broker(tmp_path):
    # The lab's config: a listener and anonymous access (port 0: an ephemeral port, for the test).
    b = start_culex(tmp_path, listener="listener 0 127.0.0.1")
    yield b
    assert b.stop() == 0, "broker did not shut down cleanly:\n" + b.log.text()


def test_lab_scenario_culex_clients_against_culex_broker(broker):
    sub = subprocess.Popen([culex_binary(), "sub", "-h", "127.0.0.1", "-p", str(broker.port), "-t", "#", "-v",
                            "-C", "1", "-W", str(int(WAIT))], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
    sub_id = broker.log.wait_for(r"New client connected from 127\.0\.0\.1:\d+ as (culexsub\|\d+-\S+) "
                                 r"\(p2, c1, k60\)\.").group(1)
    broker.log.wait_for(r"Sending SUBACK to " + sub_id.replace("|", r"\|"))
    pub = subprocess.run([culex_binary(), "pub", "-h", "127.0.0.1", "-p", str(broker.port), "-m", "hello", "-t",
                          "world"], capture_output=True, text=True, timeout=WAIT)
    assert (pub.returncode, pub.stderr) == (0, "")
    out, err = sub.communicate(timeout=WAIT)
    assert (sub.returncode, out, err) == (0, "world hello\n", "")

    # The broker's log holds the lab's lines, in Mosquitto's words and order (timestamps aside).
    log = broker.log
    start = 0
    expected = [
        r"New connection from 127\.0\.0\.1:(\d+) on port \d+\.",
        r"New client connected from 127\.0\.0\.1:\d+ as (culexpub\|\d+-\S+) \(p2, c1, k60\)\.",
        r"No will message specified\.",
        r"Sending CONNACK to culexpub\|\S+ \(0, 0\)",
        r"Received PUBLISH from culexpub\|\S+ \(d0, q0, r0, m0, 'world', \.\.\. \(5 bytes\)\)",
        r"Received DISCONNECT from culexpub\|\S+",
        r"Client culexpub\|\S+ disconnected\.",
    ]
    for pattern in expected:
        m = log.wait_for(pattern, start=start)
        start = log.lines.index(m.string) + 1
    log.wait_for(r"Received SUBSCRIBE from culexsub\|")
    log.wait_for(r"^\d+: \t# \(QoS 0\)$")
    log.wait_for(r"Sending PUBLISH to culexsub\|\S+ \(d0, q0, r0, m0, 'world', \.\.\. \(5 bytes\)\)")


def test_mosquitto_sub_sees_culex_pub_through_culex_broker(broker):
    sub = subprocess.Popen(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(broker.port), "-t", "lab/#", "-v", "-C",
                            "2", "-W", str(int(WAIT)), "-q", "2"], stdout=subprocess.PIPE, text=True)
    broker.log.wait_for(r"Sending SUBACK to")
    for qos in ("1", "2"):
        pub = subprocess.run([culex_binary(), "pub", "-p", str(broker.port), "-t", f"lab/q{qos}", "-m", "x",
                              "-q", qos], capture_output=True, text=True, timeout=WAIT)
        assert pub.returncode == 0, pub.stderr
    out, _ = sub.communicate(timeout=WAIT)
    assert out == "lab/q1 x\nlab/q2 x\n"
