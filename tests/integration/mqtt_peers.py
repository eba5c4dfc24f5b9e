"""Small helpers around python3-paho-mqtt (Debian's 1.6) and raw sockets, with bounded waits only."""
import queue
import socket
import struct

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

WAIT = 10.0  # seconds: the bound on every wait in these tests


class PahoClient:
    """A paho client whose received messages, connack and disconnects land in queues."""

    def __init__(self, port, client_id, clean_session=True, protocol=mqtt.MQTTv311, keepalive=60, will=None,
                 username=None, password=None, host="127.0.0.1", tls_context=None):
        self.messages = queue.Queue()
        self.connacks = queue.Queue()
        self.disconnects = queue.Queue()
        self.subacks = queue.Queue()
        self.published = queue.Queue()
        kwargs = {"client_id": client_id, "protocol": protocol}
        if protocol != mqtt.MQTTv5:
            kwargs["clean_session"] = clean_session
        self.client = mqtt.Client(**kwargs)
        if will:
            self.client.will_set(*will)
        if username is not None:
            self.client.username_pw_set(username, password)
        if tls_context is not None:
            self.client.tls_set_context(tls_context)  # an ssl.SSLContext: TLS with its CA, certificate, ciphers
        self.client.on_message = lambda c, u, m: self.messages.put(m)
        self.client.on_connect = lambda c, u, flags, rc, *a: self.connacks.put((flags, rc))
        self.client.on_disconnect = lambda c, u, rc, *a: self.disconnects.put(rc)
        self.client.on_subscribe = lambda c, u, mid, granted, *a: self.subacks.put(granted)
        self.client.on_publish = lambda c, u, mid: self.published.put(mid)
        self.client.connect(host, port, keepalive)
        self.client.loop_start()

    def connack(self):
        """(flags, rc) of the CONNACK."""
        return self.connacks.get(timeout=WAIT)

    def subscribe(self, topic, qos=0):
        self.client.subscribe(topic, qos)
        return self.subacks.get(timeout=WAIT)

    def publish(self, topic, payload, qos=0, retain=False):
        info = self.client.publish(topic, payload, qos, retain)
        info.wait_for_publish(timeout=WAIT)
        assert info.is_published(), f"PUBLISH to {topic} was not acknowledged within {WAIT}s"

    def next_message(self, timeout=WAIT):
        return self.messages.get(timeout=timeout)

    def no_message(self, timeout=0.5):
        """True when nothing arrives within `timeout` (used only after a later message proved delivery order)."""
        try:
            self.messages.get(timeout=timeout)
            return False
        except queue.Empty:
            return True

    def disconnect(self):
        self.client.disconnect()
        self.client.loop_stop()

    def drop(self):
        """Closes the socket without DISCONNECT, as a crashing device would."""
        self.client.loop_stop()
        self.client.socket().close()


def connected(port, client_id, **kwargs):
    c = PahoClient(port, client_id, **kwargs)
    flags, rc = c.connack()
    assert rc == 0, f"{client_id}: CONNACK rc {rc}"
    return c


# --- raw MQTT over a socket, for what a well-behaved library will not send ---

def varint(n):
    out = bytearray()
    while True:
        b = n % 128
        n //= 128
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def mqtt_string(s):
    data = s.encode() if isinstance(s, str) else s
    return struct.pack("!H", len(data)) + data


def connect_packet(client_id, keepalive=60, clean=True, level=4, name="MQTT"):
    flags = 0x02 if clean else 0
    body = mqtt_string(name) + bytes([level, flags]) + struct.pack("!H", keepalive) + mqtt_string(client_id)
    return bytes([0x10]) + varint(len(body)) + body


def publish_packet(topic, payload=b"", qos=0, packet_id=1, retain=False):
    body = mqtt_string(topic) + (struct.pack("!H", packet_id) if qos else b"") + payload
    return bytes([0x30 | (qos << 1) | (1 if retain else 0)]) + varint(len(body)) + body


def raw_connect(port, client_id, keepalive=60, clean=True):
    """A socket that has sent CONNECT and read the 4-byte CONNACK; returns (socket, connack bytes)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
    s.sendall(connect_packet(client_id, keepalive, clean))
    return s, recv_exact(s, 4)


def recv_exact(s, n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


def wait_closed(s, timeout=WAIT):
    """True when the peer closes the socket within `timeout` (reads and discards what comes first)."""
    s.settimeout(timeout)
    try:
        while True:
            if not s.recv(4096):
                return True
    except (socket.timeout, TimeoutError):
        return False
    except ConnectionResetError:
        return True


class V5Client:
    """A paho MQTT 5 client whose callbacks land in queues."""

    def __init__(self, port, client_id, clean_start=True, session_expiry=None, will=None, **connect_properties):
        self.messages, self.connacks, self.disconnects, self.subacks = (queue.Queue() for _ in range(4))
        self.client = mqtt.Client(client_id=client_id, protocol=mqtt.MQTTv5)
        self.client.on_message = lambda c, u, m: self.messages.put(m)
        self.client.on_connect = lambda c, u, flags, rc, props: self.connacks.put((flags, rc, props))
        self.client.on_disconnect = lambda c, u, rc, props=None: self.disconnects.put(rc)
        self.client.on_subscribe = lambda c, u, mid, codes, props: self.subacks.put(codes)
        if will:
            topic, payload, delay = will
            will_props = Properties(PacketTypes.WILLMESSAGE)
            will_props.WillDelayInterval = delay
            self.client.will_set(topic, payload, 0, False, will_props)
        props = Properties(PacketTypes.CONNECT)
        if session_expiry is not None:
            props.SessionExpiryInterval = session_expiry
        for name, value in connect_properties.items():
            setattr(props, name, value)
        self.client.connect("127.0.0.1", port, 60, clean_start=clean_start, properties=props)
        self.client.loop_start()
        self.flags, rc, self.connack_properties = self.connacks.get(timeout=WAIT)
        assert rc == 0, f"{client_id}: CONNACK {rc}"

    def subscribe(self, topic, qos=0, **options):
        sub_options = SubscribeOptions(qos=qos, **{k: v for k, v in options.items() if k != "subscription_id"})
        self.client.subscribe(topic, options=sub_options,
                              properties=self._sub_properties(options.get("subscription_id")))
        return [int(c.value) for c in self.subacks.get(timeout=WAIT)]

    @staticmethod
    def _sub_properties(subscription_id):
        if subscription_id is None:
            return None
        p = Properties(PacketTypes.SUBSCRIBE)
        p.SubscriptionIdentifier = subscription_id
        return p

    def publish(self, topic, payload, qos=1, retain=False, properties=None):
        info = self.client.publish(topic, payload, qos, retain, properties)
        info.wait_for_publish(timeout=WAIT)
        assert info.is_published()

    def next_message(self):
        return self.messages.get(timeout=WAIT)

    def close(self):
        self.client.disconnect()
        self.client.loop_stop()

    def drop(self):
        self.client.loop_stop()
        self.client.socket().close()
