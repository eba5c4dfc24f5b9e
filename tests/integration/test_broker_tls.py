"""culex broker with a plain and a TLS listener side by side, certificates made by `culex pki`: mutual TLS with
mosquitto_pub/sub and paho, use_identity_as_username, and each refused client (no certificate, another CA,
expired, revoked, plain MQTT on the TLS port) explained in one broker log line while the broker serves on."""
import queue
import re
import signal
import ssl
import subprocess

import paho.mqtt.client as mqtt
import pytest

from brokers import Broker, write_config
from conftest import culex_binary
from mqtt_peers import WAIT, connected
from tls_fixtures import pki



@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    ca = tmp_path_factory.mktemp("pki")
    pki(ca, "init")
    pki(ca, "server", "--name", "localhost", "--ip", "127.0.0.1")
    for name in ("dev1", "gone"):
        pki(ca, "client", "--name", name)
    pki(ca, "client", "--name", "old", "--not-before", "2020-01-01", "--not-after", "2020-06-01")
    pki(ca, "revoke", "gone")
    other = tmp_path_factory.mktemp("other-pki")
    pki(other, "init")
    pki(other, "client", "--name", "rogue")
    return ca, other


def start_tls_broker(tmp_path, ca, extra=""):
    config = (
        "listener 0 127.0.0.1\nallow_anonymous true\n"
        "listener 0 127.0.0.1\n"
        f"cafile {ca / 'ca.crt'}\ncertfile {ca / 'localhost.crt'}\nkeyfile {ca / 'localhost.key'}\n"
        f"require_certificate true\nuse_identity_as_username true\ncrlfile {ca / 'ca.crl'}\n" + extra)
    broker = Broker([culex_binary(), "broker", "-c", write_config(tmp_path, config), "-v"])
    broker.log.wait_for(r"culex version \S+ running")  # every listener is open by then
    ports = re.findall(r"Opening ipv4 listen socket on port (\d+)\.", broker.log.text())
    broker.plain_port, broker.tls_port = int(ports[0]), int(ports[1])
    return broker


@pytest.fixture
def broker(tmp_path, certs):
    b = start_tls_broker(tmp_path, certs[0])
    yield b
    assert b.stop() == 0, "broker did not shut down cleanly:\n" + b.log.text()


def client_cert_args(ca, name, directory=None):
    d = directory or ca
    return ["--cafile", str(ca / "ca.crt"), "--cert", str(d / f"{name}.crt"), "--key", str(d / f"{name}.key")]


def mosquitto_pub(broker, *args):
    return subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(broker.tls_port), *args],
                          capture_output=True, text=True, timeout=WAIT)


def test_mutual_tls_with_mosquitto_clients_and_identity_as_username(broker, certs):
    ca, _ = certs
    sub = subprocess.Popen(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(broker.tls_port), "-t", "lab/#", "-v",
                            "-C", "1", "-W", str(int(WAIT)), "-i", "tls-sub", *client_cert_args(ca, "dev1")],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    broker.log.wait_for(r"Sending SUBACK to tls-sub")
    pub = mosquitto_pub(broker, "-t", "lab/tls", "-m", "secret", "-i", "tls-pub", *client_cert_args(ca, "dev1"))
    assert pub.returncode == 0, pub.stderr
    out, err = sub.communicate(timeout=WAIT)
    assert out == "lab/tls secret\n", err
    # The certificate's CN became the user name.
    broker.log.wait_for(r"New client connected from 127\.0\.0\.1:\d+ as tls-pub \(p2, c1, k60, u'dev1'\)\.")


def test_paho_over_tls_and_plain_side_by_side(broker, certs):
    ca, _ = certs
    tls_client = mqtt.Client(client_id="paho-tls")
    tls_client.tls_set(ca_certs=str(ca / "ca.crt"), certfile=str(ca / "dev1.crt"), keyfile=str(ca / "dev1.key"),
                       tls_version=ssl.PROTOCOL_TLS_CLIENT)
    messages = queue.Queue()
    tls_client.on_message = lambda c, u, m: messages.put(m)
    connacks = queue.Queue()
    tls_client.on_connect = lambda c, u, f, rc: connacks.put(rc)
    tls_client.connect("localhost", broker.tls_port)
    tls_client.loop_start()
    try:
        assert connacks.get(timeout=WAIT) == 0
        subacks = queue.Queue()
        tls_client.on_subscribe = lambda c, u, mid, granted: subacks.put(granted)
        tls_client.subscribe("mixed/#", 1)
        subacks.get(timeout=WAIT)
        plain = connected(broker.plain_port, "plain-pub")
        plain.publish("mixed/a", b"from plain", 1)
        m = messages.get(timeout=WAIT)
        assert (m.topic, m.payload) == ("mixed/a", b"from plain")
        plain.disconnect()
    finally:
        tls_client.loop_stop()
        tls_client.disconnect()


@pytest.mark.parametrize("case,args,pattern", [
    ("no certificate", lambda ca, other: ["--cafile", str(ca / "ca.crt")],
     r"the client sent no certificate, but require_certificate is true"),
    ("another CA", lambda ca, other: client_cert_args(ca, "rogue", other),
     r"the client's certificate was refused: certificate not trusted: issued by .* which is not in cafile"),
    ("expired", lambda ca, other: client_cert_args(ca, "old"), r"expired"),
    ("revoked", lambda ca, other: client_cert_args(ca, "gone"), r"revoked"),
])
def test_refused_clients_are_explained_and_others_keep_working(broker, certs, case, args, pattern):
    ca, other = certs
    bystander = connected(broker.plain_port, "bystander")
    r = mosquitto_pub(broker, "-t", "x", "-m", "x", "-i", "refused", *args(ca, other))
    assert r.returncode != 0, f"{case}: the broker accepted the client"
    line = broker.log.wait_for(r"TLS handshake with 127\.0\.0\.1:\d+ on listener .* failed.*" + pattern).string
    assert "fix:" in line or case in ("expired", "revoked"), line
    bystander.publish("still", b"here", 1)  # the broker serves on
    bystander.disconnect()


def test_plain_mqtt_on_the_tls_port_is_explained(broker):
    s, _ = None, None
    import socket
    from mqtt_peers import connect_packet
    s = socket.create_connection(("127.0.0.1", broker.tls_port), timeout=WAIT)
    s.sendall(connect_packet("plain-on-tls"))
    broker.log.wait_for(r"TLS handshake with 127\.0\.0\.1:\d+ on listener .* failed.*not .*TLS|plain MQTT")
    s.close()


def test_sighup_reloads_certificates(tmp_path, certs):
    ca, _ = certs
    b = start_tls_broker(tmp_path, ca)
    try:
        before = mosquitto_pub(b, "-t", "x", "-m", "x", *client_cert_args(ca, "dev1"))
        assert before.returncode == 0, before.stderr
        b.proc.send_signal(signal.SIGHUP)
        b.log.wait_for(r"Reloading config\.")
        after = mosquitto_pub(b, "-t", "x", "-m", "x", *client_cert_args(ca, "dev1"))
        assert after.returncode == 0, after.stderr
        assert "Error reloading TLS" not in b.log.text()
    finally:
        assert b.stop() == 0


def test_broken_tls_setup_is_an_error_at_start(tmp_path, certs):
    ca, other = certs
    # certfile from one CA, keyfile of another certificate: the lab's "key does not match" fault.
    config = ("listener 0 127.0.0.1\n"
              f"cafile {ca / 'ca.crt'}\ncertfile {ca / 'localhost.crt'}\nkeyfile {ca / 'dev1.key'}\n")
    r = subprocess.run([culex_binary(), "broker", "-c", write_config(tmp_path, config)], capture_output=True,
                       text=True, timeout=WAIT)
    assert r.returncode != 0
    assert "key" in r.stderr.lower() and "localhost.crt" in r.stderr, r.stderr


def test_certificate_identity_feeds_the_acl(tmp_path, certs):
    """use_identity_as_username: the certificate's CN is the user the ACL file names (issue 6)."""
    ca, _ = certs
    acl = tmp_path / "acl"
    acl.write_text("user dev1\ntopic readwrite devices/dev1/#\npattern read broadcast/%u\n")
    broker = start_tls_broker(tmp_path, ca, extra=f"acl_file {acl}\n")
    try:
        sub = subprocess.Popen(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(broker.tls_port), "-t",
                                "devices/dev1/#", "-v", "-C", "1", "-W", str(int(WAIT)), "-i", "acl-sub",
                                *client_cert_args(ca, "dev1")], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
        broker.log.wait_for(r"Sending SUBACK to acl-sub")
        # Another device's topic: dropped with a log line (3.1.1 has no reason code to say so).
        denied = mosquitto_pub(broker, "-t", "devices/dev2/x", "-m", "not mine", "-q", "1", "-i", "acl-pub",
                               *client_cert_args(ca, "dev1"))
        assert denied.returncode == 0, denied.stderr
        broker.log.wait_for(r"Denied PUBLISH from acl-pub .*'devices/dev2/x'")
        allowed = mosquitto_pub(broker, "-t", "devices/dev1/x", "-m", "mine", "-q", "1", "-i", "acl-pub",
                                *client_cert_args(ca, "dev1"))
        assert allowed.returncode == 0, allowed.stderr
        out, err = sub.communicate(timeout=WAIT)
        assert out == "devices/dev1/x mine\n", err  # the first message it got: the denied one never arrived
        # Subscribing to another device's topics is refused at SUBSCRIBE.
        other = subprocess.run(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(broker.tls_port), "-t",
                                "devices/dev2/#", "-C", "1", "-W", "2", "-i", "acl-snoop",
                                *client_cert_args(ca, "dev1")], capture_output=True, text=True, timeout=WAIT)
        assert other.stderr == "All subscription requests were denied.\n"
        broker.log.wait_for(r"Denied SUBSCRIBE from acl-snoop to 'devices/dev2/#'")
    finally:
        assert broker.stop() == 0, broker.log.text()
