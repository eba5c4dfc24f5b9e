"""culex doctor: `config` names each fault of a TLS listener (the lab's four, and the others issue 4 lists) with
file:line, why and a fix, exiting 1; `connect` reports each step of a connection to Debian's mosquitto."""
import os

import pytest

from brokers import start_mosquitto, write_config
from conftest import culex_binary, free_port, run
from tls_fixtures import make_lab_faults, make_pki, needs_mosquitto, needs_openssl, pki, start_tls_mosquitto, \
    tls_listener


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    root = tmp_path_factory.mktemp("doctor")
    lab, other = make_pki(root)
    return {"root": root, "lab": lab, "other": other}


def doctor_config(directory, text):
    path = write_config(directory, text)
    return run([culex_binary(), "doctor", "config", "-c", path]), path


def good_listener(lab, **kwargs):
    return tls_listener(8883, lab / "ca.crt", lab / "localhost.crt", lab / "localhost.key", **kwargs)


def test_good_config_passes(tmp_path, certs):
    result, _ = doctor_config(tmp_path, "listener 1883\n" + good_listener(certs["lab"]))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 fault(s), 0 warning(s)" in result.stdout
    assert "certfile chains to cafile" in result.stdout


def test_config_without_tls_listener(tmp_path):
    result, _ = doctor_config(tmp_path, "listener 1883\n")
    assert result.returncode == 0
    assert "no TLS listener" in result.stdout


def test_config_that_does_not_parse_is_an_error(tmp_path):
    result, _ = doctor_config(tmp_path, "listener 8883\nnot_an_option 1\n")
    assert result.returncode == 1
    assert "broker.conf:2" in result.stderr


def test_require_certificate_without_cafile(tmp_path, certs):
    lab = certs["lab"]
    text = f"listener 8883\ncertfile {lab / 'localhost.crt'}\nkeyfile {lab / 'localhost.key'}\nrequire_certificate true\n"
    result, path = doctor_config(tmp_path, text)
    assert result.returncode == 1
    assert f"[require-certificate-without-cafile] {path}:4" in result.stdout, result.stdout


def test_cafile_holding_a_leaf(tmp_path, certs):
    lab = certs["lab"]
    text = tls_listener(8883, lab / "alice.crt", lab / "localhost.crt", lab / "localhost.key")
    result, path = doctor_config(tmp_path, text)
    assert result.returncode == 1
    assert f"[cafile-holds-leaf] {path}:2" in result.stdout, result.stdout


def test_unreadable_file(tmp_path, certs):
    lab = certs["lab"]
    text = tls_listener(8883, lab / "ca.crt", tmp_path / "missing.crt", lab / "localhost.key")
    result, path = doctor_config(tmp_path, text)
    assert result.returncode == 1
    assert f"[unreadable-file] {path}:3" in result.stdout and "no such file" in result.stdout, result.stdout


def test_key_readable_by_others(tmp_path, certs):
    lab = certs["lab"]
    key = tmp_path / "open.key"
    key.write_bytes((lab / "localhost.key").read_bytes())
    key.chmod(0o644)
    text = tls_listener(8883, lab / "ca.crt", lab / "localhost.crt", key)
    result, path = doctor_config(tmp_path, text)
    assert result.returncode == 1
    assert f"[key-permissions] {path}:4" in result.stdout, result.stdout
    assert f"chmod 600 '{key}'" in result.stdout


def test_expired_certificate(tmp_path, certs):
    lab = certs["lab"]
    pki(lab, "server", "--name", "old.lan", "--not-before", "2020-01-01", "--not-after", "2020-02-01")
    text = tls_listener(8883, lab / "ca.crt", lab / "old.lan.crt", lab / "old.lan.key")
    result, _ = doctor_config(tmp_path, text)
    assert result.returncode == 1
    assert "[expired]" in result.stdout, result.stdout


def test_missing_intermediate_or_other_ca(tmp_path, certs):
    lab, other = certs["lab"], certs["other"]
    pki(other, "server", "--name", "elsewhere")
    text = tls_listener(8883, lab / "ca.crt", other / "elsewhere.crt", other / "elsewhere.key",
                        require_certificate=False)
    result, _ = doctor_config(tmp_path, text)
    assert "[not-issued-by-cafile]" in result.stdout, result.stdout
    assert "intermediate" in result.stdout


@needs_openssl
class TestLabFaults:
    """Each of the lab's four faults, made the lab's way, is named with its line, why and fix."""

    @pytest.fixture(scope="class")
    def lab(self, tmp_path_factory):
        return make_lab_faults(tmp_path_factory.mktemp("lab"))

    def check(self, tmp_path, lab, cert, key, code):
        result, path = doctor_config(tmp_path, tls_listener(8883, lab / "ca.crt", lab / cert, lab / key))
        assert result.returncode == 1, result.stdout
        assert f"FAULT [{code}]" in result.stdout, result.stdout
        assert f"{path}:" in result.stdout
        assert "fix: " in result.stdout
        return result.stdout

    def test_same_subject_as_the_ca(self, tmp_path, lab):
        out = self.check(tmp_path, lab, "same.crt", "same.key", "subject-equals-issuer")
        assert "is the same as the issuer's" in out

    def test_v1_certificate(self, tmp_path, lab):
        out = self.check(tmp_path, lab, "v1.crt", "v1.key", "version-1")
        assert "X.509 v1" in out

    def test_key_of_another_run(self, tmp_path, lab):
        out = self.check(tmp_path, lab, "v1.crt", "rerun.key", "key-mismatch")
        assert "the key belongs to" in out and "rerun.crt" in out, out

    def test_no_host_name(self, tmp_path, lab):
        self.check(tmp_path, lab, "nohost.crt", "nohost.key", "missing-san")


@needs_mosquitto
class TestConnect:
    def connect(self, port, *args, host="localhost"):
        return run([culex_binary(), "doctor", "connect", "-h", host, "-p", str(port), *args], timeout=60)

    def test_every_step_passes_with_mutual_tls(self, tmp_path, certs):
        lab = certs["lab"]
        with start_tls_mosquitto(tmp_path, lab / "ca.crt", lab / "localhost.crt", lab / "localhost.key") as b:
            result = self.connect(b.port, "--cafile", str(lab / "ca.crt"), "--cert", str(lab / "alice.crt"), "--key",
                                  str(lab / "alice.key"))
        assert result.returncode == 0, result.stdout
        out = result.stdout
        for step in ("ok   TCP:", "ok   TLS: TLSv1.3", "ok   server chain:", "ok   host name:",
                     "ok   client certificate: requested by the broker", "ok   MQTT: CONNACK: Connection Accepted."):
            assert step in out, out

    def test_missing_client_certificate_step_fails(self, tmp_path, certs):
        lab = certs["lab"]
        with start_tls_mosquitto(tmp_path, lab / "ca.crt", lab / "localhost.crt", lab / "localhost.key") as b:
            result = self.connect(b.port, "--cafile", str(lab / "ca.crt"))
        assert result.returncode == 1
        assert "FAIL client certificate: requested by the broker" in result.stdout, result.stdout

    def test_wrong_ca_and_host_are_separate_steps(self, tmp_path, certs):
        lab, other = certs["lab"], certs["other"]
        with start_tls_mosquitto(tmp_path, lab / "ca.crt", lab / "broker.lan.crt", lab / "broker.lan.key",
                                 require_certificate=False) as b:
            result = self.connect(b.port, "--cafile", str(other / "ca.crt"))
        assert result.returncode == 1
        out = result.stdout
        assert "FAIL server chain:" in out and '"CN=Lab CA", which is not in the CA file' in out, out
        assert "FAIL host name:" in out and "DNS:broker.lan" in out, out
        assert "ok   MQTT: CONNACK: Connection Accepted." in out, out

    def test_plain_port_is_recognised(self, tmp_path, certs):
        with start_mosquitto(tmp_path) as b:
            result = self.connect(b.port, "--cafile", str(certs["lab"] / "ca.crt"))
        assert result.returncode == 1
        assert "FAIL TLS:" in result.stdout and "plain listener" in result.stdout, result.stdout

    def test_nothing_listening(self):
        result = self.connect(free_port())
        assert result.returncode == 1
        assert "FAIL TCP:" in result.stdout
