"""MQTT 5 enhanced authentication (AUTH packets, spec 4.12) through culex's test method "culex-test-challenge"
(`enhanced_auth_test true`): the challenge-response at CONNECT, re-authentication while connected, a wrong
answer refused with 0x87, and a method nobody offers refused with 0x8C. Raw sockets: paho 1.6 has no AUTH."""
import socket

import pytest

from brokers import start_culex
from mqtt_peers import WAIT, mqtt_string, recv_exact, varint, wait_closed

METHOD = "culex-test-challenge"


@pytest.fixture
def broker(tmp_path):
    b = start_culex(tmp_path, extra_config="enhanced_auth_test true\n")
    yield b
    assert b.stop() == 0, "broker did not shut down cleanly:\n" + b.log.text()


def auth_properties(method, data=None):
    p = b"\x15" + mqtt_string(method)
    if data is not None:
        p += b"\x16" + mqtt_string(data)
    return varint(len(p)) + p


def read_packet(s):
    """(packet type, first byte, body) of the next packet."""
    first = recv_exact(s, 1)[0]
    length, shift = 0, 0
    while True:
        byte = recv_exact(s, 1)[0]
        length |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            break
    return first >> 4, first, recv_exact(s, length)


def parse_properties(data):
    """{property id: value} for the string/binary properties used here (0x15, 0x16, 0x1F)."""
    length, used, shift = 0, 0, 0
    while True:
        length |= (data[used] & 0x7F) << shift
        shift += 7
        used += 1
        if not data[used - 1] & 0x80:
            break
    props, i, end = {}, used, used + length
    while i < end:
        pid = data[i]
        n = int.from_bytes(data[i + 1:i + 3], "big")
        if pid in (0x15, 0x16, 0x1F):
            props[pid] = data[i + 3:i + 3 + n]
            i += 3 + n
        elif pid == 0x22 or pid == 0x21:  # two-byte integers (topic alias maximum, receive maximum)
            props[pid] = n
            i += 3
        elif pid in (0x24, 0x25, 0x28, 0x29, 0x2A):  # one-byte
            props[pid] = data[i + 1]
            i += 2
        elif pid == 0x27:
            i += 5
        else:
            raise AssertionError(f"unexpected property {pid:#x}")
    return props


def connect(port, client_id, method, data):
    s = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
    body = mqtt_string("MQTT") + b"\x05\x02\x00\x3c" + auth_properties(method, data) + mqtt_string(client_id)
    s.sendall(b"\x10" + varint(len(body)) + body)
    return s


def send_auth(s, reason, data):
    body = bytes([reason]) + auth_properties(METHOD, data)
    s.sendall(b"\xf0" + varint(len(body)) + body)


def challenge_of(s):
    kind, _, body = read_packet(s)
    assert kind == 15 and body[0] == 0x18, f"expected AUTH continue, got type {kind} {body!r}"
    props = parse_properties(body[1:])
    assert props[0x15] == METHOD.encode()
    return props[0x16].decode()


def test_challenge_response_at_connect_then_reauthentication(broker):
    s = connect(broker.port, "prover", METHOD, "user:alice")
    challenge = challenge_of(s)
    send_auth(s, 0x18, "response:" + challenge)
    kind, _, body = read_packet(s)
    assert kind == 2 and body[1] == 0x00, f"CONNACK {body!r}"
    assert parse_properties(body[2:])[0x15] == METHOD.encode()
    broker.log.wait_for(r"New client connected from 127\.0\.0\.1:\d+ as prover \(p5, c1, k60, u'alice'\)")
    # Re-authentication while connected: AUTH 0x19, a new challenge, AUTH 0x00 Success.
    send_auth(s, 0x19, "user:alice")
    second = challenge_of(s)
    assert second != challenge
    send_auth(s, 0x18, "response:" + second)
    kind, _, body = read_packet(s)
    assert kind == 15 and body[0] == 0x00
    # A failed re-authentication ends the connection with DISCONNECT 0x87.
    send_auth(s, 0x19, "user:alice")
    challenge_of(s)
    send_auth(s, 0x18, "response:wrong")
    kind, _, body = read_packet(s)
    assert kind == 14 and body == b"\x87", f"expected DISCONNECT 0x87, got type {kind} {body!r}"
    broker.log.wait_for(r"Client prover disconnected: re-authentication \(culex-test-challenge\) failed")
    assert wait_closed(s)


def test_wrong_answer_is_refused_with_0x87(broker):
    s = connect(broker.port, "guesser", METHOD, "user:mallory")
    challenge_of(s)
    send_auth(s, 0x18, "response:0000")
    kind, _, body = read_packet(s)
    assert kind == 2 and body[1] == 0x87
    assert wait_closed(s)
    broker.log.wait_for(r"Client guesser from 127\.0\.0\.1:\d+ refused: authentication method "
                        r"'culex-test-challenge' failed: wrong answer to the challenge\.")


def test_unknown_method_is_refused_with_0x8c(tmp_path):
    b = start_culex(tmp_path)  # enhanced_auth_test is off by default: no method at all
    try:
        for method in ("SCRAM-SHA-256", METHOD):
            s = connect(b.port, "scram", method, "n,,n=user,r=abc")
            kind, _, body = read_packet(s)
            assert kind == 2 and body[1] == 0x8C, f"{method}: CONNACK {body!r}"
            assert wait_closed(s)
        b.log.wait_for(r"refused: authentication method 'SCRAM-SHA-256' is not offered by this broker\.")
    finally:
        assert b.stop() == 0, b.log.text()
