"""Issue 4's proof with Wireshark's own dissector: tshark capturing on `lo` sees the MQTT topic and payload of
`culex pub -t cheese/strudel -m hello` on culex's plain listener, and neither on its TLS listener (certificates
from `culex pki`), where it sees only TLS records.

Live capture needs root or CAP_NET_RAW: without them the test is skipped, saying so."""
import re
import shutil
import signal
import socket
import subprocess

import pytest

from brokers import Broker, LogWatcher, write_config
from conftest import culex_binary, run

WAIT = 10.0
TOPIC, PAYLOAD = "cheese/strudel", "hello"

pytestmark = pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark is not installed")


def pki(directory, *args):
    r = run([culex_binary(), "pki", "--dir", str(directory), *args])
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.fixture
def broker(tmp_path):
    """culex broker with a plain listener and a TLS listener, both on ephemeral loopback ports."""
    ca = tmp_path / "pki"
    pki(ca, "init", "--cn", "Tshark Test CA")
    pki(ca, "server", "--name", "localhost", "--ip", "127.0.0.1")
    config = ("listener 0 127.0.0.1\nallow_anonymous true\n"
              f"listener 0 127.0.0.1\ncafile {ca / 'ca.crt'}\ncertfile {ca / 'localhost.crt'}\n"
              f"keyfile {ca / 'localhost.key'}\n")
    b = Broker([culex_binary(), "broker", "-c", write_config(tmp_path, config), "-v"])
    b.log.wait_for(r"culex version \S+ running")  # every listener is open by then
    b.plain_port, b.tls_port = map(int, re.findall(r"Opening ipv4 listen socket on port (\d+)\.", b.log.text()))
    b.cafile = ca / "ca.crt"
    yield b
    assert b.stop() == 0, "broker did not shut down cleanly:\n" + b.log.text()


class Capture:
    """tshark on lo, limited to the broker's two ports and bounded in time, writing a pcap file; it prints one
    line per packet (ports and FIN flag) so the test knows when both sessions are fully captured."""

    def __init__(self, path, ports):
        self.path = path
        self.knocks = []  # local ports of the connections wait_live() made
        capture_filter = " or ".join(f"tcp port {p}" for p in ports)
        self.proc = subprocess.Popen(
            ["tshark", "-i", "lo", "-f", capture_filter, "-a", "duration:60", "-w", str(path), "-P", "-l",
             "-T", "fields", "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "tcp.flags.fin"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.out = LogWatcher(self.proc.stdout)
        self.err = LogWatcher(self.proc.stderr)
        m = self.err.wait_for(r"Capturing on|tshark: ", timeout=WAIT)
        if not m.group(0).startswith("Capturing on"):
            self.proc.wait(timeout=WAIT)
            if re.search(r"permission|Operation not permitted", self.err.text(), re.I):
                pytest.skip(f"tshark may not capture on lo here (needs root or CAP_NET_RAW): {m.string}")
            pytest.fail(f"tshark did not start: {self.err.text()}")

    def wait_live(self, port, attempts=20):
        """tshark says "Capturing on" a moment before its filter is live: knock on `port` until a knock shows."""
        for _ in range(attempts):
            with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as knock:
                local = knock.getsockname()[1]
            self.knocks.append(local)
            try:
                self.out.wait_for(rf"^{local}\t", timeout=0.5)
                return
            except AssertionError:
                continue
        pytest.fail(f"tshark captured none of {attempts} connections to port {port}: {self.err.text()}")

    def wait_closed(self, port):
        """Both FINs of the (one, knocks aside) connection to `port` were captured: everything it carried is in
        the file."""
        other = rf"(?!(?:{'|'.join(map(str, self.knocks))})\t)\d+" if self.knocks else r"\d+"
        self.out.wait_for(rf"^{port}\t{other}\t(1|True)$", timeout=WAIT)
        self.out.wait_for(rf"^{other}\t{port}\t(1|True)$", timeout=WAIT)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # tshark closes the file cleanly
        assert self.proc.wait(timeout=WAIT) == 0, self.err.text()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=WAIT)


def read_fields(path, port, display_filter, *fields, decode_as="mqtt"):
    """Fields of the packets on `port` in the capture file, with that port decoded as `decode_as`."""
    r = run(["tshark", "-r", str(path), "-d", f"tcp.port=={port},{decode_as}",
             "-Y", f"tcp.port=={port} && ({display_filter})", "-T", "fields", "-E", "separator=|",
             *[a for f in fields for a in ("-e", f)]])
    assert r.returncode == 0, r.stderr
    return [line.split("|") for line in r.stdout.splitlines()]


def test_topic_in_clear_on_the_plain_port_and_hidden_on_the_tls_port(broker, tmp_path):
    pcap = tmp_path / "lo.pcapng"
    capture = Capture(pcap, (broker.plain_port, broker.tls_port))
    try:
        capture.wait_live(broker.plain_port)
        for args in (["-p", str(broker.plain_port)],
                     ["-p", str(broker.tls_port), "--cafile", str(broker.cafile)]):
            r = run([culex_binary(), "pub", "-h", "127.0.0.1", *args, "-t", TOPIC, "-m", PAYLOAD], timeout=WAIT)
            assert r.returncode == 0, r.stdout + r.stderr
        capture.wait_closed(broker.plain_port)
        capture.wait_closed(broker.tls_port)
        capture.stop()
    finally:
        capture.kill()

    # Plain: Wireshark's MQTT dissector reads the topic and the payload off the wire.
    plain = read_fields(pcap, broker.plain_port, "mqtt.msgtype == 3", "mqtt.topic", "mqtt.msg")
    assert len(plain) == 1, plain
    topic, message = plain[0]
    assert topic == TOPIC
    assert bytes.fromhex(message.replace(":", "")) == PAYLOAD.encode() or message == PAYLOAD

    # TLS: the same exchange was captured (handshake and application data records)...
    # (TLS 1.3 hides the real type of an encrypted record behind opaque_type 23, application data.)
    records = read_fields(pcap, broker.tls_port, "tls.record", "tls.record.content_type", "tls.record.opaque_type",
                          decode_as="tls")
    content_types = {t for row in records for field in row for t in field.split(",") if t}
    assert {"22", "23"} <= content_types, records  # handshake, application data
    # ...but no MQTT PUBLISH decodes from it, and neither the topic nor the payload is anywhere in its bytes.
    assert read_fields(pcap, broker.tls_port, "mqtt.topic", "mqtt.topic") == []
    raw = b"".join(bytes.fromhex(row[0].replace(":", ""))
                   for row in read_fields(pcap, broker.tls_port, "tcp.len > 0", "tcp.payload"))
    assert raw, "no TCP payload captured on the TLS port"
    assert TOPIC.encode() not in raw and PAYLOAD.encode() not in raw
