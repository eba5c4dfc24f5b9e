"""Every row of mosquitto.conf(5)'s `topic` remapping table, on culex and on Debian's mosquitto with the same
bridge lines (docs/bridge.md, "Topics and remapping", lists the rows and these tests).

The valid rows: a bridge (culex, or mosquitto) bridging `both` ways into a remote culex; a message published
on the full local topic arrives on the full remote topic, and one published on the full remote topic arrives
on the full local topic. The invalid rows: each broker refuses to start. Every wait is bounded.
"""
import subprocess

import pytest

from brokers import start_culex, start_mosquitto, write_config
from conftest import culex_binary, free_port
from mqtt_peers import WAIT, connected
from test_bridge import site_dirs

# (pattern, local prefix, remote prefix) as written in the topic line -> (full local, full remote) topics of
# one message. The pattern `t/#` stands for the man page's `pattern`.
VALID_ROWS = {
    "pattern L/ R/": ("t/# both 1 L/ R/", "L/t/x", "R/t/x"),
    'pattern L/ ""': ('t/# both 1 L/ ""', "L/t/x", "t/x"),
    'pattern "" R/': ('t/# both 1 "" R/', "t/x", "R/t/x"),
    'pattern "" ""': ('t/# both 1 "" ""', "t/x", "t/x"),
    '"" local remote': ('"" both 1 local remote', "local", "remote"),
}

INVALID_ROWS = {
    '"" local ""': '"" both 1 local ""',
    '"" "" remote': '"" both 1 "" remote',
    '"" "" ""': '"" both 1 "" ""',
}


def bridge_lines(port, topic):
    return (f"connection b\naddress 127.0.0.1:{port}\nremote_clientid site1\nrestart_timeout 1\n"
            f"topic {topic}\n")


def start_local(kind, directory, text):
    return start_culex(directory, text) if kind == "culex" else start_mosquitto(directory, text)


@pytest.mark.parametrize("kind", ["culex", "mosquitto"])
@pytest.mark.parametrize("row", list(VALID_ROWS))
def test_valid_row_remaps_both_ways(tmp_path, kind, row):
    topic, full_local, full_remote = VALID_ROWS[row]
    remote_dir, local_dir = site_dirs(tmp_path)
    with start_culex(remote_dir) as remote, start_local(kind, local_dir, bridge_lines(remote.port, topic)) as local:
        remote.log.wait_for(r"Sending SUBACK to site1", timeout=WAIT)  # the bridge's `in` half is subscribed
        local_sub = connected(local.port, "local-sub")
        local_sub.subscribe(full_local, 1)
        remote_sub = connected(remote.port, "remote-sub")
        remote_sub.subscribe(full_remote, 1)
        connected(local.port, "local-pub").publish(full_local, b"out", qos=1)
        connected(remote.port, "remote-pub").publish(full_remote, b"in", qos=1)
        local_got = {(m.topic, m.payload) for m in (local_sub.next_message(), local_sub.next_message())}
        remote_got = {(m.topic, m.payload) for m in (remote_sub.next_message(), remote_sub.next_message())}
        assert local_got == {(full_local, b"out"), (full_local, b"in")}
        assert remote_got == {(full_remote, b"out"), (full_remote, b"in")}


@pytest.mark.parametrize("kind", ["culex", "mosquitto"])
@pytest.mark.parametrize("row", list(INVALID_ROWS))
def test_invalid_row_is_refused_at_start(tmp_path, kind, row):
    _, local_dir = site_dirs(tmp_path)
    text = f"listener {0 if kind == 'culex' else free_port()} 127.0.0.1\n"
    path = write_config(local_dir, text + "allow_anonymous true\n" + bridge_lines(1, INVALID_ROWS[row]))
    args = [culex_binary(), "broker", "-c", path] if kind == "culex" else ["mosquitto", "-c", path]
    run = subprocess.run(args, capture_output=True, text=True, timeout=WAIT)  # a broker that started: TimeoutExpired
    assert run.returncode != 0, run.stdout + run.stderr
    if kind == "culex":
        assert "needs a local and a remote prefix" in run.stdout + run.stderr


@pytest.mark.parametrize("kind", ["culex", "mosquitto"])
def test_the_man_pages_sys_example(tmp_path, kind):
    """`topic clients/total in 0 test/mosquitto/org/ $SYS/broker/`: the remote's $SYS/broker/clients/total
    arrives locally as test/mosquitto/org/clients/total."""
    remote_dir, local_dir = site_dirs(tmp_path)
    topic = "clients/total in 0 test/mosquitto/org/ $SYS/broker/"
    with start_culex(remote_dir, "sys_interval 1\n") as remote, \
            start_local(kind, local_dir, bridge_lines(remote.port, topic)) as local:
        remote.log.wait_for(r"Sending SUBACK to site1", timeout=WAIT)
        local_sub = connected(local.port, "local-sub")
        local_sub.subscribe("test/mosquitto/org/#", 0)
        m = local_sub.next_message()  # retained on the remote, or its next sys_interval
        assert m.topic == "test/mosquitto/org/clients/total"
        assert m.payload.isdigit()  # a count of the remote's clients (retained: maybe from before the bridge)
