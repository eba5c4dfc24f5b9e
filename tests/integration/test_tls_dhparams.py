"""dhparamfile: a TLS listener with DH parameters lets a TLS 1.2 client use a DHE suite (forward secrecy
without elliptic curves); without it, as in Mosquitto, no DHE suite is offered; a file that holds no DH
parameters stops the broker at start with the fix."""
import socket
import ssl

import pytest

from brokers import Broker, write_config
from conftest import culex_binary, run
from mqtt_peers import WAIT, connect_packet, recv_exact
from tls_fixtures import pki, sh

DHE_SUITE = "DHE-RSA-AES256-GCM-SHA384"


@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    ca = tmp_path_factory.mktemp("dh-pki")
    pki(ca, "init")
    pki(ca, "server", "--name", "localhost", "--ip", "127.0.0.1", "--key-type", "rsa:2048")  # DHE-RSA
    sh(ca, "openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdhe2048 -out dhparam.pem")
    return ca


def start(tmp_path, ca, extra=""):
    text = (f"listener 0 127.0.0.1\nallow_anonymous true\ncertfile {ca / 'localhost.crt'}\n"
            f"keyfile {ca / 'localhost.key'}\n" + extra)
    return Broker([culex_binary(), "broker", "-c", write_config(tmp_path, text), "-v"])


def dhe_client(ca, port):
    """A TLS 1.2 connection that offers only a DHE suite: (the suite agreed, the first bytes of CONNACK)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(str(ca / "ca.crt"))
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers(DHE_SUITE)
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as tls:
            tls.sendall(connect_packet("dh-client"))
            return tls.cipher()[0], recv_exact(tls, 4)


def test_dhparamfile_lets_a_tls12_client_use_dhe(tmp_path, ca):
    with start(tmp_path, ca, f"dhparamfile {ca / 'dhparam.pem'}\n") as broker:
        suite, connack = dhe_client(ca, broker.port)
        assert suite == DHE_SUITE
        assert connack == b"\x20\x02\x00\x00"


def test_without_dhparamfile_no_dhe_suite_is_offered(tmp_path, ca):
    with start(tmp_path, ca) as broker:
        with pytest.raises(ssl.SSLError):
            dhe_client(ca, broker.port)


def test_a_file_without_dh_parameters_stops_the_broker_with_the_fix(tmp_path, ca):
    config = write_config(tmp_path, f"listener 0 127.0.0.1\ncertfile {ca / 'localhost.crt'}\n"
                                    f"keyfile {ca / 'localhost.key'}\ndhparamfile {ca / 'ca.crt'}\n")
    result = run([culex_binary(), "broker", "-c", config])
    assert result.returncode != 0
    assert "holds no PEM DH parameters" in result.stderr and "openssl dhparam -out dhparam.pem 2048" in result.stderr
