"""culex broker with `protocol websockets` listeners, plain (ws://) and with TLS (wss://, certificates from
`culex pki`): MQTT.js and paho (transport="websockets") talk to TCP clients through them; a raw WebSocket client
shows that MQTT packets may span frames and messages, that several may share one, and that pings are answered;
failed upgrades are logged."""
import base64
import os
import queue
import re
import socket
import struct

import paho.mqtt.client as mqtt
import pytest

from brokers import Broker, write_config
from conftest import culex_binary
from mqtt_peers import WAIT, connect_packet, connected, mqtt_string, publish_packet, recv_exact, wait_closed
from mqttjs_peer import MqttJs, file_value, needs_mqttjs
from tls_fixtures import pki



@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    ca = tmp_path_factory.mktemp("pki")
    pki(ca, "init", "--cn", "WebSockets Test CA")
    pki(ca, "server", "--name", "localhost", "--ip", "127.0.0.1")
    pki(ca, "client", "--name", "wsdev")
    return ca


@pytest.fixture
def broker(tmp_path, certs):
    """Three listeners: MQTT over TCP, MQTT over WebSockets, MQTT over WebSockets over TLS (mutual)."""
    config = ("allow_anonymous true\n"
              "listener 0 127.0.0.1\n"
              "listener 0 127.0.0.1\nprotocol websockets\n"
              "listener 0 127.0.0.1\nprotocol websockets\n"
              f"cafile {certs / 'ca.crt'}\ncertfile {certs / 'localhost.crt'}\nkeyfile {certs / 'localhost.key'}\n"
              "require_certificate true\nuse_identity_as_username true\n")
    b = Broker([culex_binary(), "broker", "-c", write_config(tmp_path, config), "-v"])
    b.log.wait_for(r"culex version \S+ running")
    opened = re.findall(r"Opening (ipv4|websockets) listen socket on port (\d+)\.", b.log.text())
    assert [kind for kind, _ in opened] == ["ipv4", "websockets", "websockets"], opened
    b.tcp_port, b.ws_port, b.wss_port = (int(port) for _, port in opened)
    yield b
    assert b.stop() == 0, "broker did not shut down cleanly:\n" + b.log.text()


@pytest.fixture(scope="module")
def js():
    peer = MqttJs()
    yield peer
    peer.close()


@needs_mqttjs
def test_mqttjs_over_ws_and_wss_with_a_tcp_client(js, broker, certs):
    tcp = connected(broker.tcp_port, "tcp-side")
    tcp.subscribe("web/#", 1)
    ws = js.client("js-ws", broker.ws_port, scheme="ws", path="/mqtt", protocolVersion=5)
    ws.connected()
    broker.log.wait_for(rf"New connection from 127\.0\.0\.1:\d+ on port {broker.ws_port}\.")
    broker.log.wait_for(r"New client connected from 127\.0\.0\.1:\d+ as js-ws \(p5, c1, k60\)\.")
    wss = js.client("js-wss", broker.wss_port, scheme="wss", path="/", protocolVersion=4,
                    ca=file_value(certs / "ca.crt"), cert=file_value(certs / "wsdev.crt"),
                    key=file_value(certs / "wsdev.key"), rejectUnauthorized=True, servername="localhost")
    wss.connected()
    broker.log.wait_for(r"New client connected from 127\.0\.0\.1:\d+ as js-wss \(p2, c1, k60, u'wsdev'\)\.")
    ws.subscribe({"tcp/#": {"qos": 1}})
    wss.subscribe({"tcp/#": {"qos": 2}})
    # A payload larger than any one read: it spans WebSocket frames and TCP segments.
    big = os.urandom(200_000)
    ws.publish("web/big", big, qos=1)
    wss.publish("web/tls", b"over wss", qos=2)
    got = {m.topic: m.payload for m in (tcp.next_message(), tcp.next_message())}
    assert got == {"web/big": big, "web/tls": b"over wss"}
    tcp.publish("tcp/x", b"to the browsers", 1)
    for c in (ws, wss):
        m = c.message()
        assert (m["topic"], m["payload"]) == ("tcp/x", b"to the browsers")
        c.end()
    tcp.disconnect()


@pytest.mark.parametrize("protocol", [mqtt.MQTTv311, mqtt.MQTTv31, mqtt.MQTTv5])
def test_paho_over_websockets(broker, protocol):
    # paho asks for subprotocol "mqtt", or "mqttv3.1" for MQTT 3.1.
    messages, connacks = queue.Queue(), queue.Queue()
    kwargs = {} if protocol == mqtt.MQTTv5 else {"clean_session": True}
    c = mqtt.Client(client_id=f"paho-ws-{protocol}", protocol=protocol, transport="websockets", **kwargs)
    c.ws_set_options(path="/mqtt")
    c.on_connect = lambda client, userdata, flags, rc, *a: connacks.put(rc)
    c.on_message = lambda client, userdata, m: messages.put(m)
    c.connect("127.0.0.1", broker.ws_port)
    c.loop_start()
    try:
        assert connacks.get(timeout=WAIT) == 0
        c.subscribe("paho/#", 1)
        broker.log.wait_for(rf"Sending SUBACK to paho-ws-{protocol}")
        c.publish("paho/echo", b"round trip", 1)
        m = messages.get(timeout=WAIT)
        assert (m.topic, m.payload) == ("paho/echo", b"round trip")
    finally:
        c.disconnect()
        c.loop_stop()


# --- a raw WebSocket client (RFC 6455), for what libraries will not send ---

def ws_open(port, protocols="mqtt", path="/mqtt", extra_headers=""):
    """A socket that has done the upgrade; returns (socket, the response's header block)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
    key = base64.b64encode(os.urandom(16)).decode()
    header = (f"Sec-WebSocket-Protocol: {protocols}\r\n" if protocols else "") + extra_headers
    s.sendall((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n{header}\r\n").encode())
    response = b""
    while b"\r\n\r\n" not in response:
        chunk = s.recv(4096)
        if not chunk:
            break
        response += chunk
    return s, response.decode(errors="replace")


def ws_frame(payload: bytes, opcode=2, fin=True):
    """A client frame: masked, as RFC 6455 requires of clients."""
    head = bytes([(0x80 if fin else 0) | opcode])
    n = len(payload)
    if n < 126:
        head += bytes([0x80 | n])
    elif n < 65536:
        head += bytes([0x80 | 126]) + struct.pack("!H", n)
    else:
        head += bytes([0x80 | 127]) + struct.pack("!Q", n)
    mask = os.urandom(4)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def ws_read_frame(s):
    """(opcode, payload) of the next server frame (servers do not mask)."""
    b0, b1 = recv_exact(s, 2)
    n = b1 & 0x7F
    if n == 126:
        n = struct.unpack("!H", recv_exact(s, 2))[0]
    elif n == 127:
        n = struct.unpack("!Q", recv_exact(s, 8))[0]
    return b0 & 0x0F, recv_exact(s, n) if n else b""


class WsMqttReader:
    """MQTT packets out of the binary frames the server sends, wherever the frame boundaries fall."""

    def __init__(self, s):
        self.s, self.data, self.controls = s, b"", []

    def packet(self):
        while True:
            parsed = self._split()
            if parsed:
                return parsed
            opcode, payload = ws_read_frame(self.s)
            if opcode in (0, 2):
                self.data += payload
            else:
                self.controls.append((opcode, payload))

    def _split(self):
        if len(self.data) < 2:
            return None
        length, multiplier, i = 0, 1, 1
        while True:
            if i >= len(self.data):
                return None
            length += (self.data[i] & 0x7F) * multiplier
            multiplier *= 128
            i += 1
            if not self.data[i - 1] & 0x80:
                break
        if len(self.data) < i + length:
            return None
        packet, self.data = self.data[:i + length], self.data[i + length:]
        return packet


def subscribe_packet(topic, qos=0, packet_id=1):
    body = struct.pack("!H", packet_id) + mqtt_string(topic) + bytes([qos])
    return bytes([0x82, len(body)]) + body


def test_packets_span_frames_and_frames_hold_several_packets(broker):
    s, response = ws_open(broker.ws_port, protocols="chat, mqtt")
    assert response.startswith("HTTP/1.1 101"), response
    assert re.search(r"(?im)^Sec-WebSocket-Protocol: mqtt\r$", response), response
    connect = connect_packet("raw-ws")
    # CONNECT in two binary messages, then SUBSCRIBE and PUBLISH together in one message cut into two fragments.
    s.sendall(ws_frame(connect[:5]) + ws_frame(connect[5:]))
    two = subscribe_packet("raw/#") + publish_packet("raw/x", b"hello")
    s.sendall(ws_frame(two[:7], fin=False) + ws_frame(b"ping!", opcode=9) + ws_frame(two[7:], opcode=0))
    reader = WsMqttReader(s)
    assert reader.packet() == b"\x20\x02\x00\x00"  # CONNACK
    assert reader.packet() == b"\x90\x03\x00\x01\x00"  # SUBACK
    assert reader.packet() == publish_packet("raw/x", b"hello")
    assert (10, b"ping!") in reader.controls  # the ping between fragments was answered with a pong
    broker.log.wait_for(r"New client connected from 127\.0\.0\.1:\d+ as raw-ws \(p2, c1, k60\)\.")
    s.sendall(ws_frame(b"\xe0\x00"))  # DISCONNECT
    assert wait_closed(s)
    broker.log.wait_for(r"Client raw-ws disconnected\.")


def test_failed_upgrades_are_logged_and_the_listener_serves_on(broker):
    s, response = ws_open(broker.ws_port, protocols="chat")
    assert not response.startswith("HTTP/1.1 101"), response
    s.close()
    broker.log.wait_for(r"Client 127\.0\.0\.1:\d+ failed the WebSocket upgrade on port \d+: it offered WebSocket "
                        r"subprotocols 'chat', none of them mqtt\.")
    s = socket.create_connection(("127.0.0.1", broker.ws_port), timeout=WAIT)
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert wait_closed(s)
    broker.log.wait_for(r"failed the WebSocket upgrade on port \d+: it sent an HTTP request that is not a "
                        r"WebSocket upgrade\.")
    # Plain MQTT on a WebSockets port is not an HTTP request either.
    s = socket.create_connection(("127.0.0.1", broker.ws_port), timeout=WAIT)
    s.sendall(connect_packet("confused"))
    assert wait_closed(s)
    broker.log.wait_for(r"failed the WebSocket upgrade on port \d+: it ")
    # The listener serves on; MQTT 3.1's subprotocol name is answered as asked, and no subprotocol at all is
    # accepted (answered without one).
    s, response = ws_open(broker.ws_port, protocols="mqttv3.1")
    assert response.startswith("HTTP/1.1 101"), response
    assert re.search(r"(?im)^Sec-WebSocket-Protocol: mqttv3\.1\r$", response), response
    s.close()
    s, response = ws_open(broker.ws_port, protocols="")
    assert response.startswith("HTTP/1.1 101") and "Sec-WebSocket-Protocol" not in response, response
    s.close()


def cookie(size):
    return f"Cookie: session={'c' * size}\r\n"


def test_upgrade_headers_are_bounded_by_websockets_headers_size(broker, tmp_path):
    # culex's default (8 KiB) lets a browser's cookies through where Mosquitto's libwebsockets (1 KiB) would not.
    s, response = ws_open(broker.ws_port, extra_headers=cookie(6000))
    assert response.startswith("HTTP/1.1 101"), response
    s.close()
    s, response = ws_open(broker.ws_port, extra_headers=cookie(9000))
    assert not response.startswith("HTTP/1.1 101"), response
    s.close()
    broker.log.wait_for(r"failed the WebSocket upgrade on port \d+: it sent HTTP headers over the 8192 bytes "
                        r"websockets_headers_size allows\.")
    (tmp_path / "small").mkdir()
    config = ("allow_anonymous true\nwebsockets_headers_size 1024\nlistener 0 127.0.0.1\n"
              "listener 0 127.0.0.1\nprotocol websockets\n")
    small = Broker([culex_binary(), "broker", "-c", write_config(tmp_path / "small", config), "-v"])
    try:
        port = int(small.log.wait_for(r"Opening websockets listen socket on port (\d+)\.").group(1))
        s, response = ws_open(port, extra_headers=cookie(1500))
        assert not response.startswith("HTTP/1.1 101"), response
        s.close()
        small.log.wait_for(r"it sent HTTP headers over the 1024 bytes websockets_headers_size allows\.")
        s, response = ws_open(port, extra_headers=cookie(500))
        assert response.startswith("HTTP/1.1 101"), response
        s.close()
    finally:
        assert small.stop() == 0
