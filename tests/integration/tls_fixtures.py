"""TLS fixtures shared by the TLS client and doctor tests: culex pki directories, the lab's hand-made faults (made
with the openssl command, as the lab made them), and Debian's mosquitto with a TLS listener."""
import shutil
import subprocess
from pathlib import Path

import pytest

from brokers import Broker, write_config
from conftest import culex_binary, free_port, run

needs_mosquitto = pytest.mark.skipif(shutil.which("mosquitto") is None, reason="Debian's mosquitto is not installed")
needs_openssl = pytest.mark.skipif(shutil.which("openssl") is None, reason="the openssl command is not installed")


def pki(directory, *args):
    result = run([culex_binary(), "pki", "--dir", str(directory), *args])
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def make_pki(root: Path):
    """pki/: "Lab CA", server localhost (DNS:localhost, IP:127.0.0.1, ::1), server broker.lan, client alice;
    other/: "Other CA" and its client mallory."""
    lab, other = root / "pki", root / "other"
    pki(lab, "init", "--cn", "Lab CA")
    pki(lab, "server", "--name", "localhost")
    pki(lab, "server", "--name", "broker.lan")
    pki(lab, "client", "--name", "alice")
    pki(other, "init", "--cn", "Other CA")
    pki(other, "client", "--name", "mallory")
    return lab, other


def sh(directory, command):
    result = subprocess.run(command, shell=True, cwd=directory, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, command + "\n" + result.stderr
    return result


def make_lab_faults(root: Path):
    """The lab's CA and broker certificates, made by hand with openssl, one directory per fault:
    same-subject/ (server subject = CA subject), v1/ (plain `openssl x509 -req`, CN debian2, no SAN),
    no-host/ (v3 but no CN and no SAN), mismatch/ (certfile from one run, keyfile from another)."""
    lab = root / "lab"
    lab.mkdir()
    sh(lab, "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 30 "
            "-subj '/C=FR/ST=France/O=ISIS'")

    def signed(name, subject, extfile=None):
        sh(lab, f"openssl req -newkey rsa:2048 -nodes -keyout {name}.key -out {name}.csr -subj '{subject}'")
        ext = f"-extfile {extfile}" if extfile else ""
        sh(lab, f"openssl x509 -req -in {name}.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out {name}.crt "
                f"-days 30 {ext}")
        (lab / f"{name}.key").chmod(0o600)

    signed("same", "/C=FR/ST=France/O=ISIS")
    signed("v1", "/C=FR/ST=France/O=ISIS/CN=debian2")
    (lab / "v3.ext").write_text("basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
    signed("nohost", "/C=FR/ST=France/O=ISIS/OU=broker", extfile="v3.ext")
    # Another run of the same commands: a new key, so this key does not match v1.crt.
    signed("rerun", "/C=FR/ST=France/O=ISIS/CN=debian2")
    return lab


def tls_listener(port, cafile, certfile, keyfile, require_certificate=True, extra=""):
    text = (f"listener {port} 127.0.0.1\n"
            f"cafile {cafile}\n"
            f"certfile {certfile}\n"
            f"keyfile {keyfile}\n")
    if require_certificate:
        text += "require_certificate true\n"
    return text + extra


def start_tls_mosquitto(directory, cafile, certfile, keyfile, require_certificate=True):
    """Debian's mosquitto with one TLS listener on a free loopback port (as root: it must read pytest's files)."""
    port = free_port()
    text = "user root\nallow_anonymous true\n" + tls_listener(port, cafile, certfile, keyfile, require_certificate)
    args = ["stdbuf", "-oL", "mosquitto", "-c", write_config(directory, text), "-v"]
    return Broker(args, port_from_log=False, port=port)
