"""mosquitto.conf(5) options that had no test of their own (issue 13), outside bridges and TLS: the old global
`bind_address` (with `port`, the default listener) and `log_facility` with `log_dest syslog`.

Every wait is bounded.
"""
import socket

import pytest

from brokers import Broker, start_culex, write_config
from conftest import culex_binary, free_port, run
from mqtt_peers import WAIT, connected, varint, wait_closed
from tls_fixtures import needs_mosquitto

BROKERS = ["culex", pytest.param("mosquitto", marks=needs_mosquitto)]


def refused(host, port):
    """True when nothing accepts a TCP connection at host:port."""
    try:
        socket.create_connection((host, port), timeout=WAIT).close()
        return False
    except ConnectionRefusedError:
        return True


@pytest.mark.parametrize("kind", BROKERS)
def test_global_bind_address_binds_the_default_listener_there(tmp_path, kind):
    port = free_port()
    text = f"port {port}\nbind_address 127.0.0.2\nallow_anonymous true\n"
    if kind == "culex":
        args = [culex_binary(), "broker", "-c", write_config(tmp_path, text), "-v"]
    else:
        args = ["stdbuf", "-oL", "mosquitto", "-c", write_config(tmp_path, text), "-v"]
    b = Broker(args, port_from_log=False, port=port)
    try:
        b.log.wait_for(r"version \S+ running")
        c = connected(port, "on-two", host="127.0.0.2")
        c.publish("bound/t", b"x", qos=1)
        c.disconnect()
        b.log.wait_for(r"New client connected from 127\.0\.0\.1:\d+ as on-two|"
                       r"New client connected from 127\.0\.0\.2:\d+ as on-two")
        assert refused("127.0.0.1", port), "the listener is bound to every address, not 127.0.0.2"
    finally:
        b.stop()


@pytest.mark.parametrize("facility", ["0", "5", "7"])
def test_log_facility_with_syslog_is_accepted_and_the_broker_logs(tmp_path, facility):
    """The test machine has no syslog daemon (no /dev/log), and reading one would need root tricks: what is
    shown is that `log_dest syslog` with `log_facility N` starts the broker, which goes on logging to its
    other destination; the facility's mapping (N -> localN) is tests/unit/log/log_format_test.cpp's."""
    b = start_culex(tmp_path, f"log_dest syslog\nlog_dest stdout\nlog_facility {facility}\n")
    try:
        b.log.wait_for(r"culex version \S+ running")
        c = connected(b.port, "logged")
        c.disconnect()
        b.log.wait_for(r"Client logged disconnected\.")
    finally:
        b.stop()


@pytest.mark.parametrize("value", ["8", "-1", "local5"])
def test_log_facility_out_of_range_is_refused_at_start_naming_the_line(tmp_path, value):
    config = write_config(tmp_path, f"listener 0 127.0.0.1\nlog_dest syslog\nlog_facility {value}\n")
    result = run([culex_binary(), "broker", "-c", config])
    assert result.returncode != 0
    out = result.stdout + result.stderr
    assert "log_facility" in out and "broker.conf:3" in out, out


def test_preauth_memory_budget_closes_the_connection_whose_input_passes_it(tmp_path):
    """culex's own: what connections not yet logged in may hold together (one loop: all of it is its share).
    A CONNECT that announces 500 kB (under max_connect_size) and sends 100 kB of it passes 64 KiB."""
    b = start_culex(tmp_path, "threads 1\npreauth_memory_budget 65536\n")
    try:
        s = socket.create_connection(("127.0.0.1", b.port), timeout=WAIT)
        s.sendall(bytes([0x10]) + varint(500_000))
        try:
            for _ in range(100):
                s.sendall(b"\0" * 1000)
        except OSError:
            pass  # closed while we were still sending: what we want
        assert wait_closed(s)
        b.log.wait_for(r"over its share of preauth_memory_budget \(65536 bytes\)")
        s.close()
        ok = connected(b.port, "after")  # the budget is free again: an ordinary CONNECT gets in
        ok.disconnect()
    finally:
        b.stop()
