"""culex pub/sub over TLS against Debian's mosquitto (require_certificate true) with culex pki files: mutual TLS
works; a wrong CA, a missing client certificate, a host name mismatch and the lab's certificate faults each give
an error that names the cause and the fix instead of "A TLS error occurred"."""
import subprocess

import pytest

from conftest import culex_binary, run
from tls_fixtures import make_lab_faults, make_pki, needs_mosquitto, needs_openssl, start_tls_mosquitto

pytestmark = needs_mosquitto


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    root = tmp_path_factory.mktemp("tls-clients")
    lab, other = make_pki(root)
    return {"root": root, "lab": lab, "other": other}


@pytest.fixture
def broker(tmp_path, certs):
    lab = certs["lab"]
    with start_tls_mosquitto(tmp_path, lab / "ca.crt", lab / "localhost.crt", lab / "localhost.key") as b:
        yield b


def client_tls(lab, cert=True):
    args = ["--cafile", str(lab / "ca.crt")]
    if cert:
        args += ["--cert", str(lab / "alice.crt"), "--key", str(lab / "alice.key")]
    return args


def pub(port, *args, host="localhost"):
    return run([culex_binary(), "pub", "-h", host, "-p", str(port), "-t", "tls/test", "-m", "hello", *args])


def test_mutual_tls_pub_sub(broker, certs):
    lab = certs["lab"]
    sub = subprocess.Popen([culex_binary(), "sub", "-h", "localhost", "-p", str(broker.port), "-t", "tls/#", "-C",
                            "1", "-v", *client_tls(lab)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        broker.log.wait_for(r"Received SUBSCRIBE from")
        result = pub(broker.port, *client_tls(lab))
        assert result.returncode == 0, result.stderr
        out, err = sub.communicate(timeout=20)
    finally:
        if sub.poll() is None:
            sub.kill()
    assert sub.returncode == 0, err
    assert out == "tls/test hello\n"


def test_tls_port_defaults_to_8883(certs):
    # mosquitto_pub's rule: with TLS on and no -p, the port is 8883 (nothing listens there in the test).
    lab = certs["lab"]
    result = run([culex_binary(), "pub", "-h", "127.0.0.1", "-t", "t", "-m", "x", "-d", *client_tls(lab)], timeout=30)
    assert result.returncode != 0
    assert "TLS" not in result.stderr  # refused at TCP, before any handshake


def test_wrong_ca_is_explained(broker, certs):
    result = pub(broker.port, "--cafile", str(certs["other"] / "ca.crt"), "--cert", str(certs["lab"] / "alice.crt"),
                 "--key", str(certs["lab"] / "alice.key"))
    assert result.returncode != 0
    err = result.stderr
    assert "A TLS error occurred" not in err
    # Mosquitto sends its CA along with its certificate, so OpenSSL sees an untrusted root in the chain.
    assert "the broker's certificate was refused" in err, err
    assert '"CN=Lab CA", which is not in your --cafile' in err, err
    assert "other/ca.crt" in err and '(it holds "CN=Other CA")' in err, err
    assert "Fix: " in err, err


def test_missing_client_certificate_is_explained(broker, certs):
    result = pub(broker.port, *client_tls(certs["lab"], cert=False))
    assert result.returncode != 0
    assert "the broker asked for a client certificate and none was given" in result.stderr, result.stderr
    assert "--cert FILE --key FILE" in result.stderr, result.stderr


def test_client_certificate_from_another_ca_is_explained(broker, certs):
    other = certs["other"]
    result = pub(broker.port, "--cafile", str(certs["lab"] / "ca.crt"), "--cert", str(other / "mallory.crt"), "--key",
                 str(other / "mallory.key"))
    assert result.returncode != 0
    assert "the broker refused our certificate" in result.stderr, result.stderr
    assert 'issued by "CN=Other CA"' in result.stderr, result.stderr


def test_host_name_mismatch_is_explained(tmp_path, certs):
    lab = certs["lab"]
    with start_tls_mosquitto(tmp_path, lab / "ca.crt", lab / "broker.lan.crt", lab / "broker.lan.key") as b:
        result = pub(b.port, *client_tls(lab))
        assert result.returncode != 0
        assert 'host name "localhost" is not in the certificate\'s subjectAltName, which holds DNS:broker.lan' \
            in result.stderr, result.stderr
        assert "--insecure" in result.stderr

        # --insecure skips exactly that check, and says so.
        result = pub(b.port, "--insecure", *client_tls(lab))
        assert result.returncode == 0, result.stderr
        assert "--insecure" in result.stderr and "not checked" in result.stderr


def test_tls_to_a_plain_port_is_explained(tmp_path, certs):
    from brokers import start_mosquitto
    with start_mosquitto(tmp_path) as b:
        result = pub(b.port, *client_tls(certs["lab"]))
        assert result.returncode != 0
        assert "plain MQTT listener" in result.stderr, result.stderr


def test_missing_cafile_is_named(certs):
    result = run([culex_binary(), "pub", "-t", "t", "-m", "x", "-p", "1", "--cafile", "/nonexistent/ca.crt"])
    assert result.returncode == 1
    assert '--cafile "/nonexistent/ca.crt": no such file' in result.stderr, result.stderr


def test_cert_without_key_is_refused_as_mosquitto_pub_does(certs):
    result = run([culex_binary(), "pub", "-t", "t", "-m", "x", "--cert", str(certs["lab"] / "alice.crt")])
    assert result.returncode == 1
    assert "Error: Both certfile and keyfile must be provided if one of them is set." in result.stderr


@needs_openssl
class TestLabFaultsSeenByTheClient:
    """The broker runs with the lab's hand-made certificates; the client's error names each fault."""

    @pytest.fixture(scope="class")
    def lab(self, tmp_path_factory):
        return make_lab_faults(tmp_path_factory.mktemp("lab"))

    def connect(self, tmp_path, lab, name, host="localhost"):
        with start_tls_mosquitto(tmp_path, lab / "ca.crt", lab / f"{name}.crt", lab / f"{name}.key",
                                 require_certificate=False) as b:
            return pub(b.port, "--cafile", str(lab / "ca.crt"), host=host)

    def test_same_subject_as_ca(self, tmp_path, lab):
        result = self.connect(tmp_path, lab, "same")
        assert result.returncode != 0
        assert "is the same as its issuer's, so it looks self-signed" in result.stderr, result.stderr

    def test_v1_certificate(self, tmp_path, lab):
        result = self.connect(tmp_path, lab, "v1")
        assert result.returncode != 0
        assert "no subjectAltName at all" in result.stderr and "X.509 v1" in result.stderr, result.stderr

    def test_no_host_name(self, tmp_path, lab):
        result = self.connect(tmp_path, lab, "nohost")
        assert result.returncode != 0
        assert 'host name "localhost" is not in the certificate, which has no subjectAltName' in result.stderr, \
            result.stderr

    def test_cafile_of_another_ca(self, tmp_path, lab, certs):
        # The lab's "config points at other files", as the client sees it: a CA file from another CA.
        with start_tls_mosquitto(tmp_path, lab / "ca.crt", lab / "v1.crt", lab / "v1.key",
                                 require_certificate=False) as b:
            result = pub(b.port, "--cafile", str(certs["lab"] / "ca.crt"), host="localhost")
        assert result.returncode != 0
        assert '"C=FR, ST=France, O=ISIS", which is not in your --cafile' in result.stderr, result.stderr
