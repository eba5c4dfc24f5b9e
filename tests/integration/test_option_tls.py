"""TLS listener options of mosquitto.conf(5) that had no test of their own (issue 13): capath, ciphers,
tls_keyform and use_subject_as_username. Each runs the same listener on culex and on Debian's Mosquitto 2.0
and asserts what a TLS client sees on both.

Every wait is bounded; an absence is asserted only after a later message proved what came before it arrived.
"""
import shutil
import socket
import ssl

import pytest

from brokers import Broker, start_culex, write_config
from conftest import free_port
from mqtt_peers import WAIT, connected
from tls_fixtures import make_pki, needs_mosquitto, needs_openssl, sh

BROKERS = ["culex", pytest.param("mosquitto", marks=needs_mosquitto)]


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    """pki/ ("Lab CA", server localhost, client alice), other/ ("Other CA", client mallory), and carol: a client
    of the Lab CA with a subject of three parts, C=FR, O=ISIS, CN=carol."""
    root = tmp_path_factory.mktemp("tls-option-pki")
    lab, other = make_pki(root)
    sh(lab, "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout carol.key -out carol.csr "
            "-subj '/C=FR/O=ISIS/CN=carol'")
    sh(lab, "openssl x509 -req -in carol.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out carol.crt -days 30")
    return lab, other


def start_tls(kind, directory, listener_options, extra=""):
    """A broker whose only listener is TLS on 127.0.0.1 (an ephemeral port for culex, a free one for
    Mosquitto), with `listener_options` under it and `extra` (global options) before it."""
    if kind == "culex":
        return start_culex(directory, extra_config="", listener=extra + "listener 0 127.0.0.1\n" + listener_options)
    port = free_port()
    text = "user root\nallow_anonymous true\n" + extra + f"listener {port} 127.0.0.1\n" + listener_options
    broker = Broker(["stdbuf", "-oL", "mosquitto", "-c", write_config(directory, text), "-v"],
                    port_from_log=False, port=port)
    broker.log.wait_for(r"mosquitto version \S+ running")
    return broker


def server_files(lab):
    return f"certfile {lab / 'localhost.crt'}\nkeyfile {lab / 'localhost.key'}\n"


def client_context(cafile, certfile=None, keyfile=None, ciphers=None):
    context = ssl.create_default_context(cafile=str(cafile))
    if certfile:
        context.load_cert_chain(str(certfile), str(keyfile))
    if ciphers:
        context.maximum_version = ssl.TLSVersion.TLSv1_2
        context.set_ciphers(ciphers)
    return context


def tls_client(port, client_id, context):
    """A paho client over TLS, connected (a failed handshake raises)."""
    return connected(port, client_id, tls_context=context)


def handshake_fails(port, context):
    """True when a TLS handshake with the broker fails (the client or the server refused it)."""
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as raw:
        try:
            with context.wrap_socket(raw, server_hostname="localhost") as tls:
                # TLS 1.3: a refused client certificate is reported after the handshake, on the first read.
                tls.settimeout(WAIT)
                tls.sendall(b"\x10\x0c\x00\x04MQTT\x04\x02\x00\x3c\x00\x00")
                return tls.recv(4) == b""
        except (ssl.SSLError, ConnectionResetError, BrokenPipeError):
            return True


def round_trip(client, topic):
    client.subscribe(topic, 1)
    client.publish(topic, b"through TLS", qos=1)
    m = client.next_message()
    assert (m.topic, m.payload) == (topic, b"through TLS")


@needs_openssl
@pytest.mark.parametrize("kind", BROKERS)
def test_capath_verifies_client_certificates_against_a_hashed_directory(tmp_path, certs, kind):
    lab, other = certs
    cas = tmp_path / "cas"
    cas.mkdir()
    shutil.copy(lab / "ca.crt", cas / "lab-ca.pem")
    sh(cas, "openssl rehash .")
    b = start_tls(kind, tmp_path, f"capath {cas}\n{server_files(lab)}require_certificate true\n")
    try:
        alice = tls_client(b.port, "alice", client_context(lab / "ca.crt", lab / "alice.crt", lab / "alice.key"))
        round_trip(alice, "capath/t")
        alice.disconnect()
        # Mallory's certificate is from a CA that is not in the directory.
        assert handshake_fails(b.port, client_context(lab / "ca.crt", other / "mallory.crt", other / "mallory.key"))
    finally:
        b.stop()


@pytest.mark.parametrize("kind", BROKERS)
def test_ciphers_limits_the_tls12_ciphers_a_client_may_use(tmp_path, certs, kind):
    lab, _ = certs
    inside, outside = "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384"  # the keys are EC
    b = start_tls(kind, tmp_path, f"cafile {lab / 'ca.crt'}\n{server_files(lab)}ciphers {inside}\n")
    try:
        assert handshake_fails(b.port, client_context(lab / "ca.crt", ciphers=outside))
        client = tls_client(b.port, "in-list", client_context(lab / "ca.crt", ciphers=inside))
        assert client.client.socket().cipher()[0] == inside
        round_trip(client, "ciphers/t")
        client.disconnect()
    finally:
        b.stop()


@pytest.mark.parametrize("kind", BROKERS)
def test_tls_keyform_pem_reads_the_pem_key(tmp_path, certs, kind):
    lab, _ = certs
    b = start_tls(kind, tmp_path, f"cafile {lab / 'ca.crt'}\n{server_files(lab)}tls_keyform pem\n")
    try:
        client = tls_client(b.port, "pem", client_context(lab / "ca.crt"))
        round_trip(client, "keyform/t")
        client.disconnect()
    finally:
        b.stop()


@pytest.mark.parametrize("kind", BROKERS)
def test_use_subject_as_username_gives_the_acl_the_full_subject(tmp_path, certs, kind):
    lab, _ = certs
    subject = "CN=carol,O=ISIS,C=FR"  # RFC 2253 order, as Mosquitto prints it
    acl = tmp_path / "acl"
    acl.write_text(f"user {subject}\ntopic readwrite allowed/#\n\nuser carol\ntopic readwrite denied/#\n")
    b = start_tls(kind, tmp_path, f"cafile {lab / 'ca.crt'}\n{server_files(lab)}require_certificate true\n"
                                  "use_subject_as_username true\n", extra=f"acl_file {acl}\n")
    try:
        carol = tls_client(b.port, "carol-device",
                           client_context(lab / "ca.crt", lab / "carol.crt", lab / "carol.key"))
        b.log.wait_for(r"New client connected from 127\.0\.0\.1:\d+ as carol-device \(p2, c1, k60, "
                       r"u'CN=carol,O=ISIS,C=FR'\)\.")
        carol.subscribe("denied/#", 1)  # culex refuses it (0x80), Mosquitto grants it and delivers nothing
        carol.subscribe("allowed/#", 1)
        carol.publish("denied/x", b"not for the CN", qos=1)
        carol.publish("allowed/x", b"for the subject", qos=1)
        m = carol.next_message()
        assert (m.topic, m.payload) == ("allowed/x", b"for the subject")
        assert carol.no_message(timeout=0.5)
        carol.disconnect()
    finally:
        b.stop()
