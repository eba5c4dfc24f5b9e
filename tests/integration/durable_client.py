"""A raw MQTT 3.1.1 client that keeps its side of a persistent session across reconnects, as a device does.

The crash tests need a peer whose own state is exact: which PUBLISHes the broker acknowledged (PUBACK, PUBCOMP),
which it still owes, and which QoS 2 messages it has received but not yet released (so that a resend after a
broker restart is not delivered twice). paho keeps some of that, but not across a new connection object, and
hides what it resends; this client does exactly what the spec says and nothing else.

Every wait is bounded; a connection that breaks (the broker was killed) ends pump() quietly: the state stays,
and connect() on the restarted broker resends what was unacknowledged.
"""
import selectors
import socket
import struct
import time

from mqtt_peers import mqtt_string, varint

CONNECT, CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBSCRIBE, SUBACK = 1, 2, 3, 4, 5, 6, 7, 8, 9
DISCONNECT = 14


def packet(kind, flags, body):
    return bytes([(kind << 4) | flags]) + varint(len(body)) + body


class DurableClient:
    def __init__(self, client_id):
        self.client_id = client_id
        self.sock = None
        self.buffer = b""
        self.next_id = 0
        # Outgoing QoS 1/2 not yet finished, in send order: packet id -> [topic, payload, qos, retain, stage];
        # stage is "publish" (waiting for PUBACK/PUBREC) or "pubrel" (PUBREL sent, waiting for PUBCOMP).
        self.outgoing = {}
        self.acknowledged = []  # (topic, payload, qos) whose PUBACK or PUBCOMP came
        self.pending_qos2 = set()  # incoming QoS 2 ids received (delivered) and not yet released by PUBREL
        self.delivered = []  # (topic, payload, qos) handed to the "application": once per QoS 2 message
        self.subacks = []
        self.connections = 0  # how many times it connected: the events below say in which connection
        # What happened to incoming QoS 2 messages, for a failing test to show: (connection, "PUBLISH", packet
        # id, dup, payload, delivered now) and (connection, "PUBREL", packet id).
        self.qos2_events = []

    # --- connection ---
    def connect(self, port, clean=False, timeout=10.0):
        """Connects, reads CONNACK, and resends what the broker still owes an answer for. Returns the CONNACK's
        session present flag; raises on refusal or when no CONNACK comes within `timeout`."""
        self.close()
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.connections += 1
        self.buffer = b""
        body = mqtt_string("MQTT") + bytes([4, 0x02 if clean else 0]) + struct.pack("!H", 60) + \
            mqtt_string(self.client_id)
        self.sock.sendall(packet(CONNECT, 0, body))
        deadline = time.monotonic() + timeout
        while True:
            kind, flags, payload = self._read_one(deadline)
            if kind == CONNACK:
                break
        if payload[1] != 0:
            raise ConnectionError(f"{self.client_id}: CONNACK return code {payload[1]}")
        self.sock.setblocking(False)
        for pid, (topic, data, qos, retain, stage) in list(self.outgoing.items()):
            if stage == "publish":
                self._send(self._publish_bytes(pid, topic, data, qos, retain, dup=True))
            else:
                self._send(packet(PUBREL, 2, struct.pack("!H", pid)))
        return bool(payload[0] & 1)

    def disconnect(self):
        if self.sock:
            try:
                self._send(packet(DISCONNECT, 0, b""))
            except OSError:
                pass
        self.close()

    def close(self):
        if self.sock:
            self.sock.close()
        self.sock = None

    @property
    def connected(self):
        return self.sock is not None

    # --- sending ---
    def subscribe(self, topic_filter, qos, timeout=10.0):
        self.next_id = self.next_id % 65535 + 1
        body = struct.pack("!H", self.next_id) + mqtt_string(topic_filter) + bytes([qos])
        count = len(self.subacks)
        self._send(packet(SUBSCRIBE, 2, body))
        deadline = time.monotonic() + timeout
        while len(self.subacks) == count:
            left = deadline - time.monotonic()
            if left <= 0 or not self.pump(min(left, 0.05)):
                raise AssertionError(f"{self.client_id}: no SUBACK for {topic_filter}")
        return self.subacks[-1]

    def publish(self, topic, data, qos, retain=False):
        """Sends a QoS 1/2 PUBLISH and tracks it until acknowledged (resent by the next connect() if the
        connection breaks first)."""
        while True:
            self.next_id = self.next_id % 65535 + 1
            if self.next_id not in self.outgoing:
                break
        self.outgoing[self.next_id] = [topic, data, qos, retain, "publish"]
        self._send(self._publish_bytes(self.next_id, topic, data, qos, retain))

    @staticmethod
    def _publish_bytes(pid, topic, data, qos, retain, dup=False):
        flags = (8 if dup else 0) | (qos << 1) | (1 if retain else 0)
        return packet(PUBLISH, flags, mqtt_string(topic) + struct.pack("!H", pid) + data)

    def _send(self, data):
        """Sends all of `data` within 10 s; a broken connection is closed (the session state stays)."""
        if not self.sock:
            return
        self.sock.settimeout(10.0)
        try:
            self.sock.sendall(data)
            self.sock.setblocking(False)
        except OSError:
            self.close()

    # --- receiving ---
    def pump(self, timeout):
        """Handles what arrives within `timeout` seconds (at least one read attempt). False when the connection
        is gone (it is closed then; the session state stays)."""
        if not self.sock:
            return False
        while self.sock and (one := self._take_packet()) is not None:  # what came with the CONNACK
            self._handle(*one)
        if not self.sock:
            return False
        deadline = time.monotonic() + max(timeout, 0)
        with selectors.DefaultSelector() as selector:
            selector.register(self.sock, selectors.EVENT_READ)
            while True:
                left = deadline - time.monotonic()
                if not selector.select(max(left, 0)):
                    return True
                try:
                    data = self.sock.recv(65536)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    data = b""
                if not data:
                    self.close()
                    return False
                self.buffer += data
                while self.sock and (one := self._take_packet()) is not None:
                    self._handle(*one)
                if not self.sock:
                    return False
                if time.monotonic() >= deadline:
                    return True

    def _read_one(self, deadline):
        while (one := self._take_packet()) is None:
            self.sock.settimeout(max(deadline - time.monotonic(), 0.001))
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError(f"{self.client_id}: connection closed before CONNACK")
            self.buffer += data
        return one

    def _take_packet(self):
        b = self.buffer
        if len(b) < 2:
            return None
        length, shift, i = 0, 0, 1
        while True:
            if i >= len(b):
                return None
            length |= (b[i] & 0x7F) << shift
            shift += 7
            i += 1
            if not b[i - 1] & 0x80:
                break
        if len(b) < i + length:
            return None
        self.buffer = b[i + length:]
        return b[0] >> 4, b[0] & 0x0F, b[i:i + length]

    def _handle(self, kind, flags, body):
        if kind == PUBLISH:
            qos = (flags >> 1) & 3
            (topic_length,) = struct.unpack("!H", body[:2])
            topic = body[2:2 + topic_length].decode()
            rest = body[2 + topic_length:]
            if qos == 0:
                self.delivered.append((topic, rest, 0))
                return
            (pid,) = struct.unpack("!H", rest[:2])
            data = rest[2:]
            if qos == 1:
                self.delivered.append((topic, data, 1))
                self._send(packet(PUBACK, 0, struct.pack("!H", pid)))
            else:
                # Delivered once: a resend of an id not yet released is the same message.
                fresh = pid not in self.pending_qos2
                self.qos2_events.append((self.connections, "PUBLISH", pid, bool(flags & 8), data, fresh))
                if fresh:
                    self.pending_qos2.add(pid)
                    self.delivered.append((topic, data, 2))
                self._send(packet(PUBREC, 0, struct.pack("!H", pid)))
        elif kind == PUBREL:
            (pid,) = struct.unpack("!H", body[:2])
            self.qos2_events.append((self.connections, "PUBREL", pid))
            self.pending_qos2.discard(pid)
            self._send(packet(PUBCOMP, 0, struct.pack("!H", pid)))
        elif kind in (PUBACK, PUBCOMP):
            (pid,) = struct.unpack("!H", body[:2])
            entry = self.outgoing.get(pid)
            if entry and (kind == PUBACK) == (entry[2] == 1) and (kind == PUBACK or entry[4] == "pubrel"):
                del self.outgoing[pid]
                self.acknowledged.append((entry[0], entry[1], entry[2]))
        elif kind == PUBREC:
            (pid,) = struct.unpack("!H", body[:2])
            entry = self.outgoing.get(pid)
            if entry and entry[2] == 2:
                entry[4] = "pubrel"
                self._send(packet(PUBREL, 2, struct.pack("!H", pid)))
        elif kind == SUBACK:
            self.subacks.append(list(body[2:]))
