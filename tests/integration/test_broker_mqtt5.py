"""culex broker with MQTT 5 clients (python3-paho-mqtt and mosquitto_pub/sub -V 5): CONNACK properties, session
expiry and session present, properties passed through, topic aliases, Maximum Packet Size, subscription options
and identifiers, wills, server DISCONNECT reason codes."""
import socket
import subprocess

import pytest
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from brokers import start_culex
from mqtt_peers import WAIT, V5Client, mqtt_string, raw_connect, recv_exact, varint, wait_closed


@pytest.fixture
def broker(tmp_path):
    b = start_culex(tmp_path)
    yield b
    assert b.stop() == 0, "broker did not shut down cleanly:\n" + b.log.text()


def raw_v5_connect(port, client_id, properties=b""):
    """A socket with an MQTT 5 session (CONNACK read), for what paho does not show."""
    s = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
    body = mqtt_string("MQTT") + b"\x05\x02\x00\x3c" + varint(len(properties)) + properties + mqtt_string(client_id)
    s.sendall(b"\x10" + varint(len(body)) + body)
    header = recv_exact(s, 2)
    assert header[0] == 0x20
    connack = recv_exact(s, header[1])
    assert connack[1] == 0, f"CONNACK reason {connack[1]}"
    return s


def publish_properties(**values):
    p = Properties(PacketTypes.PUBLISH)
    for name, value in values.items():
        setattr(p, name, value)
    return p


def test_connack_properties_and_assigned_client_id(broker):
    c = V5Client(broker.port, "")
    props = c.connack_properties
    assigned = props.AssignedClientIdentifier
    assert assigned.startswith("auto-")
    assert props.TopicAliasMaximum > 0
    assert not hasattr(props, "SharedSubscriptionAvailable")  # absent: available (the default)
    assert not hasattr(props, "ResponseInformation")  # only when asked for
    asking = V5Client(broker.port, "asker", RequestResponseInformation=1)
    assert asking.connack_properties.ResponseInformation == "response/asker"
    asking.close()
    broker.log.wait_for(rf"New client connected from 127\.0\.0\.1:\d+ as {assigned} \(p5, c1, k60\)\.")
    c.close()


def test_session_expiry_keeps_the_session_and_queues_qos1(broker):
    c = V5Client(broker.port, "persist5", clean_start=False, session_expiry=300)
    assert c.flags["session present"] == 0
    c.subscribe("keep/#", 1)
    c.close()
    pub = V5Client(broker.port, "pub5")
    pub.publish("keep/a", b"while away", 1)
    c = V5Client(broker.port, "persist5", clean_start=False, session_expiry=300)
    assert c.flags["session present"] == 1
    m = c.next_message()
    assert (m.topic, m.payload) == ("keep/a", b"while away")
    c.close()
    # Session Expiry Interval 0 (the default): the session ends with the connection.
    c = V5Client(broker.port, "short5", clean_start=False)
    c.subscribe("keep/#", 1)
    c.close()
    c = V5Client(broker.port, "short5", clean_start=False)
    assert c.flags["session present"] == 0
    c.close()
    pub.close()


def test_properties_pass_through_with_remaining_expiry(broker):
    sub = V5Client(broker.port, "rr-sub")
    sub.subscribe("req/#", 1)
    pub = V5Client(broker.port, "rr-pub")
    pub.publish("req/1", b"question", 1, properties=publish_properties(
        ResponseTopic="resp/1", CorrelationData=b"\x01\x02", UserProperty=[("k", "v"), ("k", "w")],
        ContentType="text/plain", PayloadFormatIndicator=1, MessageExpiryInterval=100))
    m = sub.next_message()
    p = m.properties
    assert (p.ResponseTopic, p.CorrelationData, p.ContentType, p.PayloadFormatIndicator) == (
        "resp/1", b"\x01\x02", "text/plain", 1)
    assert p.UserProperty == [("k", "v"), ("k", "w")]
    assert 0 < p.MessageExpiryInterval <= 100
    sub.close()
    pub.close()


def test_topic_alias_from_the_client(broker):
    sub = V5Client(broker.port, "alias-sub")
    sub.subscribe("alias/#", 0)
    pub = V5Client(broker.port, "alias-pub")
    pub.publish("alias/long/topic", b"first", 1, properties=publish_properties(TopicAlias=3))
    pub.publish("", b"second", 1, properties=publish_properties(TopicAlias=3))
    assert [(m.topic, m.payload) for m in (sub.next_message(), sub.next_message())] == [
        ("alias/long/topic", b"first"), ("alias/long/topic", b"second")]
    pub.close()
    # An alias that was never set is a protocol error: DISCONNECT 0x82 (raw bytes: paho reports only "lost").
    s = raw_v5_connect(broker.port, "alias-raw")
    properties = b"\x03\x23\x00\x04"  # Topic Alias 4
    body = mqtt_string("") + properties + b"third"
    s.sendall(b"\x30" + varint(len(body)) + body)
    assert recv_exact(s, 3) == b"\xe0\x01\x82"
    assert wait_closed(s)
    broker.log.wait_for(r"Client alias-raw disconnected due to protocol error: topic alias 4 was never set")
    sub.close()


def read_varint(s):
    value, shift = 0, 0
    while True:
        byte = recv_exact(s, 1)[0]
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value


def read_v5_publish_qos0(s):
    """(topic, topic alias or None, payload) of the next PUBLISH at QoS 0 on a raw MQTT 5 socket."""
    header = recv_exact(s, 1)[0]
    assert header >> 4 == 3, f"expected PUBLISH, got packet type {header >> 4}"
    body = recv_exact(s, read_varint(s))
    topic_length = int.from_bytes(body[:2], "big")
    topic = body[2:2 + topic_length].decode()
    rest = body[2 + topic_length:]
    length, used = 0, 0
    while True:  # property length, a variable byte integer
        length |= (rest[used] & 0x7F) << (7 * used)
        used += 1
        if not rest[used - 1] & 0x80:
            break
    properties, payload = rest[used:used + length], rest[used + length:]
    alias = None
    i = 0
    while i < len(properties):
        if properties[i] == 0x23:
            alias = int.from_bytes(properties[i + 1:i + 3], "big")
            i += 3
        else:
            raise AssertionError(f"unexpected property {properties[i]:#x} in {properties!r}")
    return topic, alias, payload


def test_topic_alias_to_the_client(broker):
    # Topic Alias Maximum 1: the first topic gets alias 1, sent with the topic once and then without it; a
    # second topic finds the table full and goes without an alias.
    s = raw_v5_connect(broker.port, "alias-receiver", properties=b"\x22\x00\x01")
    body = b"\x00\x01\x00" + mqtt_string("ta/#") + b"\x00"
    s.sendall(b"\x82" + varint(len(body)) + body)
    assert recv_exact(s, 6) == b"\x90\x04\x00\x01\x00\x00"
    pub = V5Client(broker.port, "alias-sender")
    for topic, payload in (("ta/one", b"1"), ("ta/one", b"2"), ("ta/two", b"3"), ("ta/one", b"4")):
        pub.publish(topic, payload, qos=0)
    assert read_v5_publish_qos0(s) == ("ta/one", 1, b"1")
    assert read_v5_publish_qos0(s) == ("", 1, b"2")
    assert read_v5_publish_qos0(s) == ("ta/two", None, b"3")
    assert read_v5_publish_qos0(s) == ("", 1, b"4")
    pub.close()
    s.close()


def test_maximum_packet_size_drops_what_the_client_cannot_take(broker):
    sub = V5Client(broker.port, "small", MaximumPacketSize=64)
    sub.subscribe("size/#", 1)
    pub = V5Client(broker.port, "big-pub")
    pub.publish("size/big", b"x" * 200, 1)
    pub.publish("size/small", b"ok", 1)
    m = sub.next_message()
    assert (m.topic, m.payload) == ("size/small", b"ok")
    broker.log.wait_for(r"Dropped PUBLISH to small on 'size/big': larger than the client's Maximum Packet Size")
    sub.close()
    pub.close()


def test_subscription_options_and_identifier(broker):
    c = V5Client(broker.port, "opts")
    c.subscribe("own/#", 1, noLocal=True)
    c.subscribe("tagged/#", 1, subscription_id=42)
    c.publish("own/x", b"mine", 1)
    c.publish("tagged/x", b"tagged", 1)
    m = c.next_message()  # own/x is not sent back (No Local)
    assert (m.topic, m.properties.SubscriptionIdentifier) == ("tagged/x", [42])
    # Retain As Published keeps the retain flag on live delivery; Retain Handling 2 sends no retained message.
    c.publish("rap/x", b"kept", 1, retain=True)
    c.subscribe("rap/#", 1, retainAsPublished=True, retainHandling=2)
    c.publish("rap/y", b"live", 1, retain=True)
    m = c.next_message()
    assert (m.topic, m.retain) == ("rap/y", True)
    c.close()


def test_takeover_sends_disconnect_0x8e(broker):
    first = raw_v5_connect(broker.port, "twin")
    second = V5Client(broker.port, "twin")
    assert recv_exact(first, 3) == b"\xe0\x01\x8e"
    assert wait_closed(first)
    second.close()


def test_delayed_will_is_sent_when_the_session_ends_first(broker):
    watcher = V5Client(broker.port, "watcher")
    watcher.subscribe("wills/#", 0)
    # Will Delay Interval 3600 but Session Expiry 0: the session ends with the connection, so the will goes now.
    dying = V5Client(broker.port, "dying", will=("wills/dying", b"gone", 3600))
    dying.drop()
    m = watcher.next_message()
    assert (m.topic, m.payload) == ("wills/dying", b"gone")
    watcher.close()


def test_invalid_utf8_with_payload_format_indicator(broker):
    r = subprocess.run([b"mosquitto_pub", b"-V", b"5", b"-d", b"-p", str(broker.port).encode(), b"-t", b"fmt",
                        b"-q", b"1", b"-D", b"publish", b"payload-format-indicator", b"1", b"-m", b"\xff\xfe"],
                       capture_output=True, text=True, timeout=WAIT)
    assert "RC:153" in r.stdout, r.stdout + r.stderr


def test_shutdown_sends_disconnect_0x8b_to_mqtt5_clients(tmp_path):
    b = start_culex(tmp_path)
    v5 = raw_v5_connect(b.port, "v5 client")
    v311, connack = raw_connect(b.port, "v3 client")
    assert connack == b"\x20\x02\x00\x00"
    assert b.stop() == 0, b.log.text()
    assert recv_exact(v5, 3) == b"\xe0\x01\x8b"  # Server shutting down
    assert wait_closed(v5)
    assert recv_exact(v311, 1) == b""  # 3.1.1 has no server DISCONNECT: the connection just closes


def test_receive_maximum_is_announced_and_enforced(tmp_path):
    b = start_culex(tmp_path, extra_config="max_inflight_messages 2\n")
    try:
        assert V5Client(b.port, "announce").connack_properties.ReceiveMaximum == 2
        s = raw_v5_connect(b.port, "greedy")
        for packet_id in (1, 2, 2, 3):  # the resend of id 2 is not a new message
            body = mqtt_string("rm/t") + packet_id.to_bytes(2, "big") + b"\x00" + b"payload"
            s.sendall(b"\x34" + varint(len(body)) + body)
        assert recv_exact(s, 4 * 3) == b"".join(b"\x50\x02\x00" + bytes([i]) for i in (1, 2, 2))  # PUBRECs
        assert recv_exact(s, 3) == b"\xe0\x01\x93"  # Receive Maximum exceeded
        assert wait_closed(s)
        b.log.wait_for(r"Client greedy disconnected due to protocol error: more than Receive Maximum \(2\)")
    finally:
        assert b.stop() == 0, b.log.text()
