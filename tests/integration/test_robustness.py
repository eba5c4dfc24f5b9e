"""What a hostile or broken client cannot make the broker do (issue 11): hold memory before login whatever a
packet announces, or keep a client from reading why it was disconnected."""
import socket
import struct
import time

import pytest

from brokers import rss_kb, start_culex
from mqtt_peers import WAIT


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
