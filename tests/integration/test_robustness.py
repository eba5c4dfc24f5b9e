"""What a hostile or broken client cannot make the broker do (issue 11): hold memory before login whatever a
packet announces, or keep a client from reading why it was disconnected."""
import base64
import os
import re
import socket
import ssl
import struct
import time

import pytest

from brokers import rss_kb, start_culex
from mqtt_peers import WAIT
from tls_fixtures import pki


def varint(n):
    out = bytearray()
    while True:
        byte = n % 128
        n //= 128
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def push(port, header, total, deadline):
    """Sends `header` then up to `total` bytes of filler, until the broker stops taking them or time is up."""
    s = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
    s.settimeout(0.5)
    sent = 0
    chunk = b"\0" * 65536
    try:
        s.sendall(header)
        while sent < total and time.monotonic() < deadline:
            sent += s.send(chunk)
    except OSError:
        pass  # closed by the broker: what we want
    return s, sent


@pytest.fixture
def broker(tmp_path):
    b = start_culex(tmp_path)
    yield b
    assert b.stop() == 0, "broker did not shut down cleanly:\n" + b.log.text()


@pytest.mark.parametrize("first_byte,why", [(0x30, "the first packet is not CONNECT"), (0x10, "max_connect_size")])
def test_memory_before_login_is_not_given_to_what_a_packet_announces(broker, first_byte, why):
    # A PUBLISH (not allowed first) or a CONNECT announcing ~256 MB, each pushing 20 MB, on 14 connections.
    before = rss_kb(broker.proc.pid)
    header = bytes([first_byte]) + varint(268_435_455 - 10)
    deadline = time.monotonic() + 10
    sockets = [push(broker.port, header, 20 << 20, deadline) for _ in range(14)]
    broker.log.wait_for(why)
    grown_mb = (rss_kb(broker.proc.pid) - before) / 1024
    pushed_mb = sum(sent for _, sent in sockets) / (1 << 20)
    for s, _ in sockets:
        s.close()
    print(f"RSS grew by {grown_mb:.1f} MB while 14 connections pushed {pushed_mb:.1f} MB")
    assert grown_mb < 25, f"RSS grew by {grown_mb:.1f} MB before any login"


def connect_v5(client_id, receive_maximum=None):
    props = b""
    variable = b"\x00\x04MQTT\x05\x02\x00\x3c" + varint(len(props)) + props
    payload = struct.pack("!H", len(client_id)) + client_id.encode()
    body = variable + payload
    return b"\x10" + varint(len(body)) + body


def publish_qos2(topic, packet_id, payload=b"x"):
    body = struct.pack("!H", len(topic)) + topic.encode() + struct.pack("!H", packet_id) + b"\x00" + payload
    return b"\x34" + varint(len(body)) + body


def read_packet(s):
    first = s.recv(1)
    if not first:
        return None
    length, shift = 0, 0
    while True:
        b = s.recv(1)[0]
        length |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            break
    body = b""
    while len(body) < length:
        more = s.recv(length - len(body))
        if not more:
            break
        body += more
    return first[0], body


def test_a_client_disconnected_with_a_reason_reads_the_reason(tmp_path):
    # max_inflight_messages 2: Receive Maximum 2. The third unreleased QoS 2 PUBLISH gets DISCONNECT 0x93,
    # while the client keeps sending: without a lingering close the kernel would answer its unread bytes with
    # a reset, and the client would see "connection reset" instead of the reason.
    b = start_culex(tmp_path, extra_config="max_inflight_messages 2\n")
    try:
        s = socket.create_connection(("127.0.0.1", b.port), timeout=WAIT)
        s.sendall(connect_v5("greedy"))
        kind, _ = read_packet(s)
        assert kind >> 4 == 2  # CONNACK
        burst = b"".join(publish_qos2("t", i, b"y" * 512) for i in range(1, 200))
        try:
            s.sendall(burst)
        except OSError:
            pass
        packets = []
        while True:
            try:
                p = read_packet(s)
            except ConnectionResetError:
                pytest.fail(f"connection reset before the DISCONNECT was read; read {packets}")
            if p is None:
                break
            packets.append(p)
        disconnects = [body for kind, body in packets if kind >> 4 == 14]
        assert disconnects and disconnects[0][0] == 0x93, packets
        s.close()
    finally:
        assert b.stop() == 0, b.log.text()


class RawWebSocket:
    """An MQTT client's side of a WebSocket, by hand: masked binary frames out, frames' payloads in."""

    def __init__(self, sock):
        self.sock, self.pending = sock, b""
        key = base64.b64encode(os.urandom(16)).decode()
        sock.sendall((f"GET /mqtt HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                      "Sec-WebSocket-Protocol: mqtt\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += sock.recv(1)
        assert head.startswith(b"HTTP/1.1 101"), head

    def fileno(self):
        return self.sock.fileno()

    def close(self):
        self.sock.close()

    def sendall(self, data):
        mask = os.urandom(4)
        n = len(data)
        size = bytes([0x80 | n]) if n < 126 else (bytes([0x80 | 126]) + struct.pack("!H", n) if n < 65536
                                                   else bytes([0x80 | 127]) + struct.pack("!Q", n))
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.sock.sendall(b"\x82" + size + mask + masked)

    def recv(self, n):
        while not self.pending:
            head = self.sock.recv(2, socket.MSG_WAITALL)
            if len(head) < 2:
                return b""
            size = head[1] & 0x7F
            if size == 126:
                size = struct.unpack("!H", self.sock.recv(2, socket.MSG_WAITALL))[0]
            elif size == 127:
                size = struct.unpack("!Q", self.sock.recv(8, socket.MSG_WAITALL))[0]
            self.pending = self.sock.recv(size, socket.MSG_WAITALL) if size else b""
        taken, self.pending = self.pending[:n], self.pending[n:]
        return taken


@pytest.fixture(scope="module")
def server_cert(tmp_path_factory):
    ca = tmp_path_factory.mktemp("pki")
    pki(ca, "init", "--cn", "Robustness Test CA")
    pki(ca, "server", "--name", "localhost")
    return ca


def open_stream(kind, port, ca):
    s = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
    if kind == "tls":
        context = ssl.create_default_context(cafile=str(ca / "ca.crt"))
        return context.wrap_socket(s, server_hostname="localhost")
    if kind == "websockets":
        return RawWebSocket(s)
    return s


@pytest.mark.parametrize("kind", ["tcp", "tls", "websockets"])
def test_after_its_last_words_the_broker_drains_instead_of_resetting(tmp_path, server_cert, kind):
    # After DISCONNECT 0x93 the broker has shut its side (the client reads the end of the stream) but still
    # reads and drops what the client sends, for linger_time: a socket closed with unread input would answer
    # those bytes with a reset, and a reset can overtake the broker's last words. Asserted on every transport.
    ca = server_cert
    b = start_culex(tmp_path, extra_config=(
        "max_inflight_messages 2\n"
        f"listener 0 127.0.0.1\ncertfile {ca / 'localhost.crt'}\nkeyfile {ca / 'localhost.key'}\n"
        "listener 0 127.0.0.1\nprotocol websockets\n"))
    try:
        b.log.wait_for(r"culex version \S+ running")
        ports = [int(p) for p in re.findall(r"Opening \S+ listen socket on port (\d+)\.", b.log.text())]
        port = dict(zip(["tcp", "tls", "websockets"], ports))[kind]
        s = open_stream(kind, port, ca)
        s.sendall(connect_v5("greedy"))
        kind_byte, _ = read_packet(s)
        assert kind_byte >> 4 == 2  # CONNACK
        s.sendall(b"".join(publish_qos2("t", i) for i in range(1, 4)))  # one past Receive Maximum 2
        packets = []
        while (p := read_packet(s)) is not None:
            packets.append(p)
        disconnects = [body for kind_byte, body in packets if kind_byte >> 4 == 14]
        assert disconnects and disconnects[0][0] == 0x93, packets
        # The end of the stream has been read. Bytes sent now reach a socket that is draining, not closed.
        fd = s.fileno()
        try:
            for _ in range(32):
                os.write(fd, b"\0" * 1024)
            assert os.read(fd, 1) == b""
        except (ConnectionResetError, BrokenPipeError) as e:
            pytest.fail(f"the broker reset the connection instead of draining it: {e!r}")
        s.close()
    finally:
        assert b.stop() == 0, b.log.text()
