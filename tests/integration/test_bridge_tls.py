"""TLS bridges (docs/bridge.md, "TLS"): culex to culex with a client certificate from `culex pki` (the remote
requires it and takes its identity as the user name), culex to Debian's mosquitto over TLS, a wrong CA and a
wrong host name explained through tls/explain while the bridge keeps retrying, and bad TLS files refused at start.

Every wait is on an event (a log line, a message) with a bound; nothing sleeps to synchronise.
"""
import re

import pytest

from brokers import Broker, start_culex, write_config
from conftest import culex_binary, run
from mqtt_peers import WAIT, connected
from tls_fixtures import make_pki, needs_mosquitto, start_tls_mosquitto


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    """pki/: "Lab CA", servers localhost and broker.lan, clients alice; other/: "Other CA"."""
    return make_pki(tmp_path_factory.mktemp("bridge-pki"))


def start_tls_culex(directory, lab):
    """culex with a plain listener (for the tests' own clients) and a TLS one that requires a client
    certificate and takes its CN as the user name."""
    config = ("listener 0 127.0.0.1\nallow_anonymous true\n"
              "listener 0 127.0.0.1\n"
              f"cafile {lab / 'ca.crt'}\ncertfile {lab / 'localhost.crt'}\nkeyfile {lab / 'localhost.key'}\n"
              "require_certificate true\nuse_identity_as_username true\n")
    broker = Broker([culex_binary(), "broker", "-c", write_config(directory, config), "-v"])
    broker.log.wait_for(r"culex version \S+ running")
    ports = re.findall(r"Opening ipv4 listen socket on port (\d+)\.", broker.log.text())
    broker.plain_port, broker.tls_port = int(ports[0]), int(ports[1])
    return broker


def tls_bridge(host, port, topics, cafile, certfile=None, keyfile=None, extra="", remote_id="site1"):
    lines = ["connection b", f"address {host}:{port}", f"remote_clientid {remote_id}", "restart_timeout 1",
             f"bridge_cafile {cafile}"]
    if certfile:
        lines += [f"bridge_certfile {certfile}", f"bridge_keyfile {keyfile}"]
    lines += [f"topic {t}" for t in topics]
    return "\n".join(lines) + "\n" + extra


def test_culex_to_culex_over_tls_with_a_client_certificate(tmp_path, certs):
    lab, _ = certs
    (tmp_path / "remote").mkdir()
    (tmp_path / "local").mkdir()
    remote = start_tls_culex(tmp_path / "remote", lab)
    local = start_culex(tmp_path / "local", tls_bridge("localhost", remote.tls_port, ["tls/# out 1", "cmd/# in 1"],
                                                       lab / "ca.crt", lab / "alice.crt", lab / "alice.key"))
    try:
        local.log.wait_for(rf"Bridge b connected to localhost:{remote.tls_port} as site1\.", timeout=WAIT)
        # The remote requires a client certificate: the bridge got in with alice's.
        remote.log.wait_for(r"New bridge connected from 127\.0\.0\.1:\d+ as site1 \(p2, c0, k60")
        remote.log.wait_for(r"Sending SUBACK to site1")
        remote_sub = connected(remote.plain_port, "remote-sub")
        remote_sub.subscribe("tls/#", 1)
        connected(local.port, "local-pub").publish("tls/a", b"sealed", qos=1)
        m = remote_sub.next_message()
        assert (m.topic, m.payload, m.qos) == ("tls/a", b"sealed", 1)
        local_sub = connected(local.port, "local-sub")
        local_sub.subscribe("cmd/#", 1)
        connected(remote.plain_port, "remote-pub").publish("cmd/go", b"now", qos=1)
        assert local_sub.next_message().payload == b"now"
    finally:
        local.stop()
        remote.stop()


@needs_mosquitto
def test_culex_to_mosquitto_over_tls(tmp_path, certs):
    lab, _ = certs
    (tmp_path / "remote").mkdir()
    (tmp_path / "local").mkdir()
    remote = start_tls_mosquitto(tmp_path / "remote", lab / "ca.crt", lab / "localhost.crt", lab / "localhost.key")
    local = start_culex(tmp_path / "local", tls_bridge("127.0.0.1", remote.port, ["m/# out 1"], lab / "ca.crt",
                                                       lab / "alice.crt", lab / "alice.key"))
    try:
        local.log.wait_for(rf"Bridge b connected to 127\.0\.0\.1:{remote.port} as site1\.", timeout=WAIT)
        remote.log.wait_for(r"New bridge connected from 127\.0\.0\.1:\d+ as site1")
        connected(local.port, "local-pub").publish("m/x", b"hello", qos=1)
        # Debian's mosquitto logs what it received from the bridge (and it got there only through TLS).
        remote.log.wait_for(r"Received PUBLISH from site1 \(d0, q1, r0, m\d+, 'm/x', \.\.\. \(5 bytes\)\)")
    finally:
        local.stop()
        remote.stop()


def test_a_wrong_ca_is_explained_and_the_bridge_keeps_retrying(tmp_path, certs):
    lab, other = certs
    (tmp_path / "remote").mkdir()
    (tmp_path / "local").mkdir()
    remote = start_tls_culex(tmp_path / "remote", lab)
    local = start_culex(tmp_path / "local", tls_bridge("localhost", remote.tls_port, ["w/# out 1"],
                                                       other / "ca.crt", lab / "alice.crt", lab / "alice.key"))
    try:
        line = local.log.wait_for(r"Error creating bridge: TLS handshake with localhost:\d+ failed.*")
        assert "bridge_cafile" in line.group(0), line.group(0)  # names the option to fix, not --cafile
        local.log.wait_for(r"Fix: ")
        local.log.wait_for(r"Warning: Unable to connect to bridge b\.")
        first = local.log.wait_for(r"Bridge b will reconnect in \d+ ms\.")
        # It tries again (and fails the same way): a failed TLS handshake does not stop the bridge.
        start = len(local.log.lines)
        local.log.wait_for(rf"Connecting bridge b \(localhost:{remote.tls_port}\)", start=start, timeout=WAIT)
        local.log.wait_for(r"Error creating bridge: TLS handshake", start=start, timeout=WAIT)
        assert first
        assert "New bridge connected" not in remote.log.text()
    finally:
        local.stop()
        remote.stop()


def test_the_host_name_is_checked_unless_bridge_insecure(tmp_path, certs):
    lab, _ = certs
    (tmp_path / "remote").mkdir()
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    # The remote presents broker.lan's certificate; the bridge connects to 127.0.0.1.
    config = ("listener 0 127.0.0.1\n"
              f"cafile {lab / 'ca.crt'}\ncertfile {lab / 'broker.lan.crt'}\nkeyfile {lab / 'broker.lan.key'}\n"
              "allow_anonymous true\n")
    remote = Broker([culex_binary(), "broker", "-c", write_config(tmp_path / "remote", config), "-v"])
    checked = start_culex(tmp_path / "a", tls_bridge("127.0.0.1", remote.port, ["h/# out 1"], lab / "ca.crt"))
    insecure = start_culex(tmp_path / "b", tls_bridge("127.0.0.1", remote.port, ["h/# out 1"], lab / "ca.crt",
                                                      extra="bridge_insecure true\n", remote_id="site2"))
    try:
        line = checked.log.wait_for(r"Error creating bridge: TLS handshake with 127\.0\.0\.1:\d+ failed.*")
        fix = checked.log.wait_for(r"Fix: .*")
        assert "bridge_insecure" in fix.group(0), line.group(0) + "\n" + fix.group(0)
        insecure.log.wait_for(rf"Bridge b connected to 127\.0\.0\.1:{remote.port} as site2\.", timeout=WAIT)
    finally:
        checked.stop()
        insecure.stop()
        remote.stop()


@pytest.mark.parametrize("lines, expected", [
    ("bridge_cafile /nonexistent/ca.crt\n", "bridge_cafile"),
    ("bridge_cafile CA\nbridge_certfile /nonexistent/c.crt\nbridge_keyfile /nonexistent/c.key\n",
     "bridge_certfile"),
    ("bridge_cafile CA\nbridge_ciphers NO-SUCH-CIPHER\n", "bridge_ciphers \"NO-SUCH-CIPHER\" names no cipher"),
    ("bridge_insecure true\n", "neither bridge_cafile nor bridge_capath"),
    ("bridge_identity me\nbridge_psk 00ff\n", "TLS-PSK"),
])
def test_bad_tls_settings_stop_the_start_with_the_option_named(tmp_path, certs, lines, expected):
    lab, _ = certs
    conf = tmp_path / "bad.conf"
    conf.write_text("listener 0 127.0.0.1\nconnection b\naddress 127.0.0.1:1\ntopic # out\n" +
                    lines.replace("CA", str(lab / "ca.crt")))
    result = run([culex_binary(), "broker", "-c", str(conf)])
    assert result.returncode != 0
    assert expected in result.stdout + result.stderr, result.stdout + result.stderr
