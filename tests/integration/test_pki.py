"""`culex pki` files used unchanged by real peers: Debian's mosquitto broker with a TLS listener that requires
client certificates, mosquitto_pub/mosquitto_sub, python3-paho-mqtt, and the openssl command (verify, s_server,
s_client). Also what `culex pki show` and `culex pki verify` say about certificates made the lab's way with
plain `openssl x509 -req`. Everything on 127.0.0.1, every wait bounded."""
import os
import shutil
import ssl
import stat
import subprocess
from pathlib import Path

import pytest

from brokers import LogWatcher, start_mosquitto
from conftest import culex_binary, free_port, run

WAIT = 10  # seconds: the bound on every wait

pytestmark = pytest.mark.skipif(
    not (shutil.which("openssl") and shutil.which("mosquitto_pub") and
         (shutil.which("mosquitto") or Path("/usr/sbin/mosquitto").exists())),
    reason="needs openssl, mosquitto and mosquitto-clients (scripts/install-deps.sh installs them)")


def pki(directory, *args, ok=True, umask=None):
    """Runs `culex pki --dir DIRECTORY ARGS...`; with ok=True, fails the test unless it exits 0."""
    preexec = (lambda: os.umask(umask)) if umask is not None else None
    result = run([culex_binary(), "pki", "--dir", str(directory), *args], preexec_fn=preexec)
    if ok:
        assert result.returncode == 0, f"culex pki {' '.join(args)} failed:\n{result.stdout}{result.stderr}"
    return result


def openssl(*args, cwd=None, input=None):
    return run(["openssl", *args], cwd=cwd, input=input)


def make_ca(directory):
    """A CA with a server certificate for localhost (subjectAltName also holds 127.0.0.1) and two clients."""
    pki(directory, "init")
    pki(directory, "server", "--name", "localhost")
    pki(directory, "client", "--name", "alice")
    pki(directory, "client", "--name", "bob")
    return directory


@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    """Made once for the module (each culex run costs a process start under ASan); tests only read it. A test
    that changes a CA copies it first (see copy_of)."""
    return make_ca(tmp_path_factory.mktemp("shared") / "pki")


def copy_of(ca_dir, tmp_path):
    copy = tmp_path / "pki"
    shutil.copytree(ca_dir, copy)  # copies the modes too: keys stay 0600
    return copy


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def tls_listener(ca_dir, extra=""):
    """mosquitto.conf lines for a TLS listener using the culex pki files as they are. `user root`: Debian's
    mosquitto started as root would otherwise switch to user mosquitto, which cannot read pytest's temp dirs."""
    return (f"cafile {ca_dir / 'ca.crt'}\n"
            f"certfile {ca_dir / 'localhost.crt'}\n"
            f"keyfile {ca_dir / 'localhost.key'}\n"
            "require_certificate true\n"
            "use_identity_as_username true\n"
            f"{extra}"
            "user root\n")


def mosquitto_pub(port, ca_dir, client_id, cert=None, host="127.0.0.1", retain=False, message="hello"):
    args = ["mosquitto_pub", "-h", host, "-p", str(port), "--cafile", str(ca_dir / "ca.crt"), "-i", client_id,
            "-t", "lab/tls", "-m", message]
    if cert:
        args += ["--cert", str(ca_dir / f"{cert}.crt"), "--key", str(ca_dir / f"{cert}.key")]
    if retain:
        args.append("-r")
    return run(args, timeout=WAIT)


# --- the files themselves ---


def test_keys_are_0600_even_under_umask_0_and_nothing_is_overwritten_without_force(tmp_path):
    d = tmp_path / "pki"
    pki(d, "init", umask=0)
    made = pki(d, "server", "--name", "localhost", umask=0)
    assert mode(d / "ca.key") == 0o600
    assert mode(d / "localhost.key") == 0o600
    assert mode(d / "localhost.crt") == 0o644
    assert mode(d / "ca.crt") == 0o644
    assert mode(d) == 0o700  # it holds the CA's key
    # What was written, and the mosquitto.conf lines to use it, with absolute paths.
    assert f"certfile {d / 'localhost.crt'}" in made.stdout
    assert f"keyfile {d / 'localhost.key'}" in made.stdout
    assert f"cafile {d / 'ca.crt'}" in made.stdout

    key_before = (d / "localhost.key").read_bytes()
    again = pki(d, "server", "--name", "localhost", ok=False)
    assert again.returncode != 0
    assert "already exists" in again.stderr and "--force" in again.stderr
    assert (d / "localhost.key").read_bytes() == key_before
    ca_again = pki(d, "init", ok=False)
    assert ca_again.returncode != 0

    pki(d, "server", "--name", "localhost", "--force", umask=0)
    assert (d / "localhost.key").read_bytes() != key_before
    assert mode(d / "localhost.key") == 0o600
    assert not [p.name for p in d.iterdir() if p.name.startswith(".")]  # no temporary files left behind


def test_openssl_verifies_the_chain_and_purposes_and_reads_v3_extensions(ca):
    server = openssl("verify", "-x509_strict", "-purpose", "sslserver", "-CAfile", str(ca / "ca.crt"),
                     str(ca / "localhost.crt"))
    assert server.returncode == 0 and server.stdout.strip().endswith("localhost.crt: OK"), server.stdout + server.stderr
    client = openssl("verify", "-x509_strict", "-purpose", "sslclient", "-CAfile", str(ca / "ca.crt"),
                     str(ca / "alice.crt"))
    assert client.returncode == 0, client.stdout + client.stderr
    # The purposes are real: a client certificate is not a server certificate.
    wrong = openssl("verify", "-purpose", "sslserver", "-CAfile", str(ca / "ca.crt"), str(ca / "alice.crt"))
    assert wrong.returncode != 0

    text = openssl("x509", "-in", str(ca / "localhost.crt"), "-noout", "-text").stdout
    assert "Version: 3 (0x2)" in text
    assert "DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1" in text
    assert "CA:FALSE" in text and "TLS Web Server Authentication" in text
    assert "Subject: CN = localhost" in text
    ca_text = openssl("x509", "-in", str(ca / "ca.crt"), "-noout", "-text").stdout
    assert "CA:TRUE" in ca_text and "Certificate Sign" in ca_text
    assert "id-ecPublicKey" in ca_text and "NIST CURVE: P-256" in ca_text  # ECDSA P-256 by default
    # The key is the certificate's, as openssl sees it.
    assert (openssl("pkey", "-in", str(ca / "localhost.key"), "-pubout").stdout ==
            openssl("x509", "-in", str(ca / "localhost.crt"), "-noout", "-pubkey").stdout)


@pytest.mark.parametrize("key_type,words", [("rsa:2048", "Public-Key: (2048 bit)"),
                                            ("ec:P-384", "NIST CURVE: P-384"),
                                            ("ed25519", "ED25519")])
def test_every_key_type_makes_certificates_openssl_accepts(tmp_path, key_type, words):
    d = tmp_path / "pki"
    pki(d, "init", "--key-type", key_type)
    pki(d, "server", "--name", "broker.lan", "--ip", "127.0.0.1", "--key-type", key_type)
    verified = openssl("verify", "-x509_strict", "-purpose", "sslserver", "-verify_hostname", "broker.lan",
                       "-CAfile", str(d / "ca.crt"), str(d / "broker.lan.crt"))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    text = openssl("x509", "-in", str(d / "broker.lan.crt"), "-noout", "-text").stdout
    assert words in text
    assert mode(d / "broker.lan.key") == 0o600


# --- real peers ---


def test_mosquitto_and_its_clients_use_the_files_unchanged_for_mutual_tls(ca, tmp_path):
    with start_mosquitto(tmp_path, tls_listener(ca)) as broker:
        broker.log.wait_for(r"mosquitto version \S+ running", timeout=WAIT)
        published = mosquitto_pub(broker.port, ca, "alice-pub", cert="alice", retain=True, message="over tls")
        assert published.returncode == 0, published.stdout + published.stderr
        # use_identity_as_username: the CN of the client certificate made by `culex pki client --name alice`.
        broker.log.wait_for(r"New client connected from 127\.0\.0\.1:\d+ as alice-pub \(p2, c1, k60, u'alice'\)")

        received = run(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(broker.port), "--cafile", str(ca / "ca.crt"),
                        "--cert", str(ca / "bob.crt"), "--key", str(ca / "bob.key"), "-i", "bob-sub",
                        "-t", "lab/tls", "-C", "1", "-W", str(WAIT)], timeout=WAIT + 5)
        assert received.returncode == 0 and received.stdout == "over tls\n", received.stdout + received.stderr

        # The host name check passes by name too (DNS:localhost), not only by address (IP:127.0.0.1).
        by_name = mosquitto_pub(broker.port, ca, "alice-by-name", cert="alice", host="localhost")
        assert by_name.returncode == 0, by_name.stdout + by_name.stderr

        # require_certificate true: without a client certificate the broker refuses the handshake.
        start = len(broker.log.lines)
        anonymous = mosquitto_pub(broker.port, ca, "nobody")
        assert anonymous.returncode != 0
        broker.log.wait_for(r"peer did not return a certificate", start=start)


def test_paho_connects_with_the_client_certificate(ca, tmp_path):
    import paho.mqtt.client as mqtt

    with start_mosquitto(tmp_path, tls_listener(ca)) as broker:
        broker.log.wait_for(r"mosquitto version \S+ running", timeout=WAIT)
        client = mqtt.Client(client_id="paho-alice", protocol=mqtt.MQTTv311)
        context = ssl.create_default_context(cafile=str(ca / "ca.crt"))  # checks the host: 127.0.0.1 is an IP SAN
        context.load_cert_chain(certfile=str(ca / "alice.crt"), keyfile=str(ca / "alice.key"))
        client.tls_set_context(context)
        assert client.connect("127.0.0.1", broker.port, 60) == 0
        client.loop_start()
        try:
            broker.log.wait_for(r"New client connected from 127\.0\.0\.1:\d+ as paho-alice .*u'alice'")
        finally:
            client.disconnect()
            client.loop_stop()


def test_openssl_s_server_and_s_client_accept_the_files_both_ways(ca):
    port = free_port()
    server = subprocess.Popen(
        ["stdbuf", "-oL", "openssl", "s_server", "-accept", f"127.0.0.1:{port}", "-cert", str(ca / "localhost.crt"),
         "-key", str(ca / "localhost.key"), "-CAfile", str(ca / "ca.crt"), "-Verify", "1", "-verify_return_error",
         "-naccept", "1", "-www"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        log = LogWatcher(server.stdout)
        log.wait_for(r"^ACCEPT$", timeout=WAIT)
        client = openssl("s_client", "-connect", f"127.0.0.1:{port}", "-CAfile", str(ca / "ca.crt"),
                         "-cert", str(ca / "alice.crt"), "-key", str(ca / "alice.key"), "-verify_return_error",
                         "-verify_hostname", "localhost", "-servername", "localhost", "-quiet",
                         input="GET / HTTP/1.0\r\n\r\n")
        assert client.returncode == 0, client.stdout + client.stderr
        assert "HTTP/1.0 200 ok" in client.stdout
        assert "depth=0 CN = localhost" in client.stderr  # the client verified the server's certificate
        server.wait(timeout=WAIT)  # -naccept 1: it exits after this connection
        log.wait_for(r"depth=0 CN = alice")  # and the server verified the client's
        assert "verify error" not in log.text()
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=WAIT)


# --- a private key that never leaves its host ---


def test_csr_and_sign_keep_the_key_on_the_device_and_make_a_working_certificate(tmp_path):
    ca_dir, device = tmp_path / "ca", tmp_path / "device"
    pki(ca_dir, "init")
    requested = pki(device, "csr", "--name", "gateway", "--dns", "gw.lan", "--ip", "127.0.0.1")
    assert "culex pki sign --csr" in requested.stdout
    assert mode(device / "gateway.key") == 0o600
    csr_text = openssl("req", "-in", str(device / "gateway.csr"), "-noout", "-verify", "-subject")
    assert csr_text.returncode == 0 and "CN = gateway" in csr_text.stdout, csr_text.stdout + csr_text.stderr

    signed = pki(ca_dir, "sign", "--csr", str(device / "gateway.csr"), "--profile", "server")
    assert "gateway.crt" in signed.stdout
    assert not (ca_dir / "gateway.key").exists()  # the CA never held the key
    verified = openssl("verify", "-purpose", "sslserver", "-verify_hostname", "gw.lan", "-CAfile",
                       str(ca_dir / "ca.crt"), str(ca_dir / "gateway.crt"))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    # The signed certificate carries the key that stayed on the device.
    assert (openssl("pkey", "-in", str(device / "gateway.key"), "-pubout").stdout ==
            openssl("x509", "-in", str(ca_dir / "gateway.crt"), "-noout", "-pubkey").stdout)
    checked = pki(ca_dir, "verify", "--ca", str(ca_dir / "ca.crt"), "--host", "127.0.0.1", "--key",
                  str(device / "gateway.key"), str(ca_dir / "gateway.crt"))
    assert "OK" in checked.stdout and "belongs to it" in checked.stdout

    # A client CSR signed as a client certificate connects to mosquitto (key from the device, cert from the CA).
    pki(device, "csr", "--name", "sensor-01")
    pki(ca_dir, "sign", "--csr", str(device / "sensor-01.csr"), "--profile", "client")
    pki(ca_dir, "server", "--name", "localhost")
    shutil.copy(device / "sensor-01.key", ca_dir / "sensor-01.key")
    with start_mosquitto(tmp_path, tls_listener(ca_dir)) as broker:
        broker.log.wait_for(r"mosquitto version \S+ running", timeout=WAIT)
        published = mosquitto_pub(broker.port, ca_dir, "sensor", cert="sensor-01")
        assert published.returncode == 0, published.stdout + published.stderr
        broker.log.wait_for(r"as sensor \(p2, c1, k60, u'sensor-01'\)")


# --- revocation ---


def test_a_revoked_client_is_refused_by_mosquitto_crlfile_and_the_others_are_not(ca, tmp_path):
    ca = copy_of(ca, tmp_path)
    revoked = pki(ca, "revoke", "bob", "--reason", "keyCompromise")
    assert "revoked serial" in revoked.stdout and f"crlfile {ca / 'ca.crl'}" in revoked.stdout
    bob_serial = openssl("x509", "-in", str(ca / "bob.crt"), "-noout", "-serial").stdout.strip().split("=")[1]
    crl_text = openssl("crl", "-in", str(ca / "ca.crl"), "-noout", "-text").stdout
    assert f"Serial Number: {bob_serial}" in crl_text and "Key Compromise" in crl_text
    by_openssl = openssl("verify", "-crl_check", "-CRLfile", str(ca / "ca.crl"), "-CAfile", str(ca / "ca.crt"),
                         str(ca / "bob.crt"))
    assert by_openssl.returncode != 0 and "certificate revoked" in by_openssl.stdout + by_openssl.stderr
    by_culex = pki(ca, "verify", "--ca", str(ca / "ca.crt"), "--crl", str(ca / "ca.crl"), str(ca / "bob.crt"),
                   ok=False)
    assert by_culex.returncode == 1 and "has been revoked" in by_culex.stdout, by_culex.stdout

    with start_mosquitto(tmp_path, tls_listener(ca, f"crlfile {ca / 'ca.crl'}\n")) as broker:
        broker.log.wait_for(r"mosquitto version \S+ running", timeout=WAIT)
        alice = mosquitto_pub(broker.port, ca, "alice-pub", cert="alice")
        assert alice.returncode == 0, alice.stdout + alice.stderr
        broker.log.wait_for(r"as alice-pub \(p2, c1, k60, u'alice'\)")
        start = len(broker.log.lines)
        bob = mosquitto_pub(broker.port, ca, "bob-pub", cert="bob")
        assert bob.returncode != 0
        broker.log.wait_for(r"certificate verify failed", start=start)
        assert "bob-pub" not in broker.log.text()


# --- the lab's faults, made the lab's way ---


@pytest.fixture
def lab(tmp_path):
    """The lab's CA (C=FR, ST=France, O=ISIS) and two broker certificates made with plain `openssl x509 -req`:
    one with a CN (X.509 v1, no extensions), one whose subject is the CA's."""
    def sh(*args):
        r = openssl(*args, cwd=tmp_path)
        assert r.returncode == 0, r.stdout + r.stderr

    sh("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "30",
       "-subj", "/C=FR/ST=France/O=ISIS")
    for name, subject in (("v1", "/C=FR/ST=France/O=ISIS/CN=debian2"), ("same", "/C=FR/ST=France/O=ISIS")):
        sh("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", subject)
        sh("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
           "-out", f"{name}.crt", "-days", "30")
    return tmp_path


def test_show_names_the_v1_certificate_and_its_missing_subject_alt_name(lab):
    shown = pki(lab / "unused", "show", str(lab / "v1.crt"))
    assert "Version:              1 (X.509 v1: no extensions possible)" in shown.stdout
    assert "error: X.509 v1 certificate" in shown.stdout
    assert "no subjectAltName" in shown.stdout
    assert "fix: reissue it as v3: culex pki server --name debian2" in shown.stdout
    # A client connecting by address fails the host check (an IP never matches a CN), and is told why.
    verified = pki(lab / "unused", "verify", "--ca", str(lab / "ca.crt"), "--host", "127.0.0.1",
                   str(lab / "v1.crt"), ok=False)
    assert verified.returncode == 1
    assert ('IP address "127.0.0.1" is not in the certificate, which has no subjectAltName at all (CN "debian2"'
            in verified.stdout and "X.509 v1" in verified.stdout), verified.stdout
    assert openssl("verify", "-CAfile", str(lab / "ca.crt"), "-verify_ip", "127.0.0.1",
                   str(lab / "v1.crt")).returncode != 0
    # By name, OpenSSL falls back to the CN, as mosquitto_pub would: culex says that is all that matched.
    by_name = pki(lab / "unused", "verify", "--ca", str(lab / "ca.crt"), "--host", "debian2", str(lab / "v1.crt"))
    assert "names debian2 (through its CN only" in by_name.stdout, by_name.stdout


def test_show_names_the_subject_equal_to_the_cas(lab):
    shown = pki(lab / "unused", "show", str(lab / "same.crt"))
    assert "Issuer:               C=FR, ST=France, O=ISIS (same as subject)" in shown.stdout
    assert 'error: the subject "C=FR, ST=France, O=ISIS" is the same as the issuer\'s' in shown.stdout
    verified = pki(lab / "unused", "verify", "--ca", str(lab / "ca.crt"), str(lab / "same.crt"), ok=False)
    assert verified.returncode == 1
    assert "same as its issuer's" in verified.stdout, verified.stdout
    # openssl agrees that it does not verify: the fault is real, not culex's opinion.
    assert openssl("verify", "-CAfile", str(lab / "ca.crt"), str(lab / "same.crt")).returncode != 0


def test_show_finds_nothing_wrong_with_culex_certificates_and_verify_explains_a_wrong_host(ca):
    for name in ("ca", "localhost", "alice"):
        shown = pki(ca, "show", str(ca / f"{name}.crt"))
        assert "No problems found." in shown.stdout, shown.stdout
    mismatch = pki(ca, "verify", "--ca", str(ca / "ca.crt"), "--host", "debian2", str(ca / "localhost.crt"), ok=False)
    assert mismatch.returncode == 1
    assert ('host name "debian2" is not in the certificate\'s subjectAltName, which holds DNS:localhost, '
            'IP:127.0.0.1, IP:::1') in mismatch.stdout
    wrong_key = pki(ca, "verify", "--ca", str(ca / "ca.crt"), "--key", str(ca / "alice.key"),
                    str(ca / "localhost.crt"), ok=False)
    assert wrong_key.returncode == 1 and "does not belong to the certificate" in wrong_key.stdout
