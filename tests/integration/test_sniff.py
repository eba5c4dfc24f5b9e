"""culex sniff on loopback: the lab's demonstration, end to end.

A live capture on `lo` sees `culex pub -u user -P secret -t cheese/strudel -m hello` against culex's broker on a
plain listener (topic, payload and the credentials finding are all there), and the same publish through
Debian's mosquitto on a TLS listener (TLS 1.3, and TLS 1.2 whose certificates cross in clear): only TLS records
and the verdict "encrypted". tshark reads what `-w` saved and finds the same topics.

Live capture needs root or CAP_NET_RAW: without them the tests that capture are skipped, saying so.
"""
import json
import os
import re
import shutil
import signal
import socket
import ssl
import struct
import subprocess
from pathlib import Path

import pytest

from brokers import LogWatcher, start_culex, start_mosquitto
from conftest import culex_binary, run
from mqtt_peers import mqtt_string, publish_packet, recv_exact, varint

WAIT = 10.0  # seconds: the bound on every wait


def make_certificates(directory: Path) -> dict:
    """A CA and a server certificate for localhost/127.0.0.1, made with openssl in `directory`."""
    d = directory

    def openssl(*args):
        result = run(["openssl", *args], cwd=d)
        assert result.returncode == 0, result.stderr

    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
            "ca.key", "-out", "ca.pem", "-days", "1", "-subj", "/CN=Sniff Test CA")
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "server.key",
            "-out", "server.csr", "-subj", "/CN=localhost")
    (d / "san.ext").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out",
            "server.pem", "-days", "1", "-extfile", "san.ext")
    return {"ca": str(d / "ca.pem"), "server": str(d / "server.pem"), "key": str(d / "server.key")}


class Sniffer:
    """`culex sniff -i lo ...` running, its stdout and stderr collected line by line."""

    def __init__(self, args):
        self.proc = subprocess.Popen([culex_binary(), "sniff", "-i", "lo", *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.out = LogWatcher(self.proc.stdout)
        self.err = LogWatcher(self.proc.stderr)
        m = self.err.wait_for(r"Capturing on|culex sniff: ", timeout=WAIT)
        if not m.group(0).startswith("Capturing on"):
            self.proc.wait(timeout=WAIT)
            if "permission" in m.string:
                pytest.skip(f"live capture on lo is not permitted here (needs root or CAP_NET_RAW): {m.string}")
            pytest.fail(f"culex sniff did not start: {self.err.text()}")

    def stop(self):
        """SIGINT, as Ctrl-C: the capture ends cleanly and the summary is printed."""
        self.proc.send_signal(signal.SIGINT)
        assert self.proc.wait(timeout=WAIT) == 0, self.err.text()
        self.out.wait_for(r"^Verdicts: ", timeout=WAIT)  # the pipe is read to its end
        return self.out.text()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=WAIT)


@pytest.fixture
def brokers(tmp_path):
    """culex broker on a plain listener, mosquitto on a TLS listener; both on ephemeral loopback ports."""
    certs = make_certificates(tmp_path)
    (tmp_path / "culex").mkdir()
    (tmp_path / "mosquitto").mkdir()
    plain = start_culex(tmp_path / "culex")
    # `user root`: mosquitto started as root otherwise drops to user mosquitto, who cannot read pytest's tmp.
    tls = start_mosquitto(tmp_path / "mosquitto", f"cafile {certs['ca']}\ncertfile {certs['server']}\n"
                                                  f"keyfile {certs['key']}\nuser root\n")
    tls.log.wait_for(r"mosquitto version \S+ running")  # the key and certificates loaded
    try:
        yield plain, tls, certs
    finally:
        plain.stop()
        tls.stop()


def mosquitto_pub_tls(port, ca, *extra):
    result = run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(port), "--cafile", ca, "-u", "user", "-P",
                  "secret", "-t", "cheese/strudel", "-m", "hello", *extra], timeout=WAIT)
    assert result.returncode == 0, result.stderr


def publish_over_tls12(port, ca):
    """CONNECT (user/secret), PUBLISH cheese/strudel hello, DISCONNECT over TLS 1.2 with SNI 'localhost'.

    By hand with Python's ssl: mosquitto_pub's --tls-version tlsv1.2 only sets a minimum, and 1.3 would hide
    the certificate this half of the test wants to see cross in clear."""
    context = ssl.create_default_context(cafile=ca)
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    body = mqtt_string("MQTT") + bytes([4, 0xC2]) + struct.pack("!H", 60) + mqtt_string("tls12-client") + \
        mqtt_string("user") + mqtt_string("secret")
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as s:
            assert s.version() == "TLSv1.2"
            s.sendall(bytes([0x10]) + varint(len(body)) + body)
            assert recv_exact(s, 4) == b"\x20\x02\x00\x00"
            s.sendall(publish_packet("cheese/strudel", b"hello") + b"\xe0\x00")
            assert s.recv(1) == b""  # the broker closes after DISCONNECT


def lines_with(text, *needles):
    return [line for line in text.splitlines() if all(n in line for n in needles)]


def test_plain_mqtt_is_readable_and_tls_is_not(brokers, tmp_path):
    plain, tls, certs = brokers
    capture = tmp_path / "lab.pcap"
    ports = f"{plain.port},{tls.port}"
    sniffer = Sniffer(["--port", ports, "-w", str(capture)])
    try:
        pub = run([culex_binary(), "pub", "-h", "127.0.0.1", "-p", str(plain.port), "-t", "cheese/strudel", "-m",
                   "hello", "-u", "user", "-P", "secret"], timeout=WAIT)
        assert (pub.returncode, pub.stderr) == (0, "")
        # Each line is flushed as it happens: the verdict is there as soon as the connection closes.
        sniffer.out.wait_for(rf":{plain.port} .*VERDICT readable", timeout=WAIT)

        mosquitto_pub_tls(tls.port, certs["ca"])  # TLS 1.3: the certificate is encrypted too
        publish_over_tls12(tls.port, certs["ca"])
        m = sniffer.out.wait_for(rf":{tls.port} .*VERDICT encrypted", timeout=WAIT)
        sniffer.out.wait_for(rf":{tls.port} .*VERDICT encrypted", timeout=WAIT,
                             start=sniffer.out.lines.index(m.string) + 1)
        out = sniffer.stop()
    finally:
        sniffer.kill()

    plain_at, tls_at = f"127.0.0.1:{plain.port}", f"127.0.0.1:{tls.port}"
    # Plain: the topic, the payload, the client id from CONNECT, and the credentials (password masked).
    publish = [line for line in out.splitlines()
               if re.search(rf"-> {plain_at} \[culexpub\|\S+\] PUBLISH 'cheese/strudel' q0 r0 d0 ", line)]
    assert len(publish) == 1, out
    assert "payload 'hello' (5 bytes)" in publish[0]
    connect = lines_with(out, plain_at, " CONNECT MQTT 3.1.1 ")
    assert len(connect) == 1 and "username 'user' password '******' (6 bytes;" in connect[0], out
    credentials = lines_with(out, plain_at, "FINDING credentials in clear")
    assert len(credentials) == 1 and "username 'user'" in credentials[0], out
    assert lines_with(out, plain_at, "FINDING topics and payloads readable: PUBLISH 'cheese/strudel'"), out
    assert "'secret'" not in out  # masked without --show-secrets, and never readable over TLS

    # TLS: records and what the handshake shows, never MQTT.
    tls_lines = lines_with(out, tls_at)
    assert tls_lines, out
    assert not [line for line in tls_lines if "cheese/strudel" in line or "hello" in line], out
    assert not lines_with(out, tls_at, "PUBLISH"), out
    assert lines_with(out, tls_at, " TLS ", "bytes of application data: not readable"), out
    assert lines_with(out, tls_at, "FINDING TLS session: TLS 1.3"), out
    assert lines_with(out, tls_at, "FINDING TLS session: TLS 1.2", "SNI 'localhost'"), out
    # TLS 1.2 sends the broker's certificate in clear; 1.3 encrypts it.
    certificate = [line for line in tls_lines if re.search(r"FINDING certificates? sent in clear", line)]
    assert len(certificate) == 1 and "'CN=localhost'" in certificate[0], out
    verdicts = lines_with(out, tls_at, "VERDICT encrypted")
    assert len(verdicts) == 2 and all("not readable" in v for v in verdicts), out

    # The summary repeats the findings and gives one verdict per connection.
    assert "--- culex sniff summary (capture stopped) ---" in out
    assert re.search(r"^Verdicts: 1 readable, 2 encrypted$", out, re.M), out

    # Our pcap writer is valid: tshark reads every frame and finds the same topics as culex sniff.
    tshark = run(["tshark", "-r", str(capture), "-d", f"tcp.port=={plain.port},mqtt", "-Y", "mqtt.msgtype == 3",
                  "-T", "fields", "-e", "mqtt.topic"], timeout=60)
    assert tshark.returncode == 0, tshark.stderr
    ours = run([culex_binary(), "sniff", "-r", str(capture), "--port", ports, "-T", "fields", "-e", "type", "-e",
                "topic"], timeout=60)
    assert ours.returncode == 0, ours.stderr
    ours_topics = [line.split("\t")[1] for line in ours.stdout.splitlines() if line.startswith("PUBLISH\t")]
    assert tshark.stdout.split() == ours_topics == ["cheese/strudel"]
    frames = run(["tshark", "-r", str(capture), "-T", "fields", "-e", "frame.number"], timeout=60)
    m = re.search(r"(\d+) frames", ours.stderr)
    assert m and int(m.group(1)) == len(frames.stdout.split()) > 0, ours.stderr

    # --json from the file: one object per line, a verdict per connection.
    result = run([culex_binary(), "sniff", "-r", str(capture), "--port", ports, "--json"], timeout=60)
    assert result.returncode == 0, result.stderr
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    verdicts = sorted((o["verdict"], o["broker"]) for o in objects if o["kind"] == "verdict")
    assert verdicts == [("encrypted", tls_at), ("encrypted", tls_at), ("readable", plain_at)]
    publishes = [o for o in objects if o["kind"] == "packet" and o["type"] == "PUBLISH"]
    assert [(p["topic"], p["payload"], p["qos"]) for p in publishes] == [("cheese/strudel", "hello", 0)]
    assert objects[-1]["kind"] == "summary" and objects[-1]["verdicts"] == {"readable": 1, "encrypted": 2}


def test_not_a_capture_file_is_a_clear_error(tmp_path):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a capture\n" * 10)
    result = run([culex_binary(), "sniff", "-r", str(bogus)], timeout=WAIT)
    assert result.returncode == 1
    assert result.stderr.startswith(f"culex sniff: cannot read capture file '{bogus}'"), result.stderr
    assert "pcap" in result.stderr and result.stdout == ""


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"),
                    reason="needs root (to drop to an unprivileged user) and setpriv")
def test_live_capture_without_privileges_says_what_it_needs():
    result = run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
                  "--bounding-set=-all", culex_binary(), "sniff", "-i", "lo"], timeout=WAIT)
    if "Permission denied" in result.stderr and "culex sniff" not in result.stderr:
        pytest.skip(f"the unprivileged user cannot run {culex_binary()}: {result.stderr.strip()}")
    assert result.returncode == 1, result.stderr
    assert "no permission to capture on 'lo'" in result.stderr
    assert "CAP_NET_RAW" in result.stderr and "-r" in result.stderr
