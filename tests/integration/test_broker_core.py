"""culex broker, MQTT 3.1.1, driven by python3-paho-mqtt and raw sockets on loopback."""
import socket
import subprocess

import paho.mqtt.client as mqtt
import pytest

from brokers import start_culex
from mqtt_peers import (WAIT, PahoClient, connect_packet, connected, publish_packet, raw_connect, recv_exact, varint, mqtt_string,
                        wait_closed)


@pytest.fixture
def broker(tmp_path):
    b = start_culex(tmp_path)
    yield b
    assert b.stop() == 0, "broker did not shut down cleanly:\n" + b.log.text()


def test_qos0_delivery_and_log_words(broker):
    sub = connected(broker.port, "lab-sub")
    assert sub.subscribe("#", 2) == (2,)
    pub = connected(broker.port, "lab-pub")
    pub.publish("world", b"hello", 0)
    m = sub.next_message()
    assert (m.topic, m.payload, m.qos, m.retain) == ("world", b"hello", 0, False)
    pub.disconnect()
    log = broker.log
    log.wait_for(r"New connection from 127\.0\.0\.1:\d+ on port \d+\.")
    log.wait_for(r"New client connected from 127\.0\.0\.1:\d+ as lab-sub \(p2, c1, k60\)\.")
    log.wait_for(r"No will message specified\.")
    log.wait_for(r"Sending CONNACK to lab-sub \(0, 0\)")
    log.wait_for(r"Received SUBSCRIBE from lab-sub")
    log.wait_for(r"^\d+: \t# \(QoS 2\)$")
    log.wait_for(r"^\d+: lab-sub 2 #$")
    log.wait_for(r"Sending SUBACK to lab-sub")
    log.wait_for(r"Received PUBLISH from lab-pub \(d0, q0, r0, m0, 'world', \.\.\. \(5 bytes\)\)")
    log.wait_for(r"Sending PUBLISH to lab-sub \(d0, q0, r0, m0, 'world', \.\.\. \(5 bytes\)\)")
    log.wait_for(r"Received DISCONNECT from lab-pub")
    log.wait_for(r"Client lab-pub disconnected\.")
    sub.disconnect()


def test_qos1_and_qos2_both_ways(broker):
    sub = connected(broker.port, "lab-sub")
    sub.subscribe("cheese/+", 2)
    pub = connected(broker.port, "lab-pub")
    pub.publish("cheese/strudel", b"q1", 1)
    m = sub.next_message()
    assert (m.payload, m.qos) == (b"q1", 1)
    pub.publish("cheese/strudel", b"q2", 2)
    m = sub.next_message()
    assert (m.payload, m.qos) == (b"q2", 2)
    log = broker.log
    log.wait_for(r"Sending PUBACK to lab-pub \(m\d+, rc0\)")
    log.wait_for(r"Received PUBACK from lab-sub \(Mid: \d+, RC:0\)")
    log.wait_for(r"Sending PUBREC to lab-pub \(m\d+, rc0\)")
    log.wait_for(r"Received PUBREL from lab-pub \(Mid: \d+\)")
    log.wait_for(r"Sending PUBCOMP to lab-pub \(m\d+\)")
    log.wait_for(r"Received PUBREC from lab-sub \(Mid: \d+\)")
    log.wait_for(r"Sending PUBREL to lab-sub \(m\d+\)")
    log.wait_for(r"Received PUBCOMP from lab-sub \(Mid: \d+, RC:0\)")
    pub.disconnect()
    sub.disconnect()


def test_granted_qos_caps_delivery(broker):
    sub = connected(broker.port, "s")
    sub.subscribe("t", 1)
    pub = connected(broker.port, "p")
    pub.publish("t", b"x", 2)
    assert sub.next_message().qos == 1
    pub.publish("t", b"y", 0)
    assert sub.next_message().qos == 0


def test_retained_store_replace_delete(broker):
    pub = connected(broker.port, "p")
    pub.publish("r/a", b"one", 1, retain=True)
    pub.publish("r/a", b"two", 1, retain=True)
    pub.publish("r/b", b"bee", 0, retain=True)
    s1 = connected(broker.port, "s1")
    s1.subscribe("r/+", 1)
    got = sorted((m.topic, m.payload, m.retain) for m in (s1.next_message(), s1.next_message()))
    assert got == [("r/a", b"two", True), ("r/b", b"bee", True)]
    # A live delivery to an existing subscriber has retain 0.
    pub.publish("r/a", b"three", 1, retain=True)
    m = s1.next_message()
    assert (m.payload, m.retain) == (b"three", False)
    # Empty payload deletes.
    pub.publish("r/a", b"", 1, retain=True)
    assert s1.next_message().payload == b""
    s2 = connected(broker.port, "s2")
    s2.subscribe("r/#", 0)
    m = s2.next_message()
    assert (m.topic, m.payload) == ("r/b", b"bee")
    pub.publish("r/marker", b"end", 0)
    assert s2.next_message().topic == "r/marker", "r/a must not come back after its deletion"


def test_will_on_abrupt_close_not_on_disconnect(broker):
    sub = connected(broker.port, "watcher")
    sub.subscribe("lab/will", 1)
    clean = connected(broker.port, "lab-will", will=("lab/will", b"clean", 1, False))
    clean.disconnect()
    broker.log.wait_for(r"Client lab-will disconnected\.")
    abrupt = connected(broker.port, "lab-abrupt", will=("lab/will", b"abrupt", 1, True))
    broker.log.wait_for(r"Will message specified \(6 bytes\) \(r1, q1\)\.")
    abrupt.drop()
    m = sub.next_message()
    assert (m.topic, m.payload, m.qos) == ("lab/will", b"abrupt", 1)
    broker.log.wait_for(r"Client lab-abrupt closed its connection\.")
    # The will was retained.
    late = connected(broker.port, "late")
    late.subscribe("lab/will", 0)
    m = late.next_message()
    assert (m.payload, m.retain) == (b"abrupt", True)


def test_persistent_session_queues_qos1_and_qos2(broker):
    s = connected(broker.port, "lab-dup", clean_session=False)
    s.subscribe("q/#", 2)
    s.disconnect()
    broker.log.wait_for(r"Client lab-dup disconnected\.")
    pub = connected(broker.port, "pub")
    # QoS 0 is not queued for offline clients. Sent first: the acknowledgements of the next two prove that
    # the broker has handled it before the client comes back.
    pub.publish("q/0", b"zero", 0)
    pub.publish("q/1", b"one", 1)
    pub.publish("q/2", b"two", 2)
    back = PahoClient(broker.port, "lab-dup", clean_session=False)
    flags, rc = back.connack()
    assert rc == 0 and flags["session present"] == 1
    got = [back.next_message() for _ in range(2)]
    assert [(m.topic, m.payload, m.qos) for m in got] == [("q/1", b"one", 1), ("q/2", b"two", 2)]
    # Subscriptions survived: a new message arrives without subscribing again.
    pub.publish("q/3", b"three", 1)
    assert back.next_message().payload == b"three"
    back.disconnect()
    # Clean session 1 discards it.
    fresh = PahoClient(broker.port, "lab-dup", clean_session=True)
    flags, rc = fresh.connack()
    assert flags["session present"] == 0


def test_session_takeover(broker):
    first = connected(broker.port, "lab-dup", clean_session=False)
    first.subscribe("t/#", 1)
    second = PahoClient(broker.port, "lab-dup", clean_session=False)
    flags, rc = second.connack()
    assert rc == 0 and flags["session present"] == 1
    broker.log.wait_for(r"Client lab-dup already connected, closing old connection\.")
    broker.log.wait_for(r"Sending CONNACK to lab-dup \(1, 0\)")
    assert first.disconnects.get(timeout=WAIT) != 0
    first.client.loop_stop()
    pub = connected(broker.port, "pub")
    pub.publish("t/x", b"to the new one", 1)
    assert second.next_message().payload == b"to the new one"


def test_takeover_many_times_keeps_session(broker):
    """Sessions move between event loops on takeover; do it often and check nothing is lost."""
    holder = connected(broker.port, "mover", clean_session=False)
    holder.subscribe("mv", 1)
    for i in range(8):
        nxt = PahoClient(broker.port, "mover", clean_session=False)
        flags, rc = nxt.connack()
        assert rc == 0 and flags["session present"] == 1
        holder.client.loop_stop()
        holder = nxt
    pub = connected(broker.port, "pub")
    pub.publish("mv", b"still here", 1)
    assert holder.next_message().payload == b"still here"


def test_keepalive_timeout_publishes_will(broker):
    sub = connected(broker.port, "watcher")
    sub.subscribe("silent/will", 0)
    s = socket.create_connection(("127.0.0.1", broker.port), timeout=WAIT)
    body = (b"\x00\x04MQTT\x04" + bytes([0x02 | 0x04]) + b"\x00\x01" + b"\x00\x0alab-silent" + b"\x00\x0bsilent/will" +
            b"\x00\x04gone")
    s.sendall(bytes([0x10, len(body)]) + body)
    assert recv_exact(s, 4) == b"\x20\x02\x00\x00"
    assert wait_closed(s), "the broker did not close a client silent past 1.5x keepalive"
    broker.log.wait_for(r"Client lab-silent has exceeded timeout, disconnecting\.")
    assert sub.next_message().payload == b"gone"


def test_pingreq(broker):
    s, connack = raw_connect(broker.port, "lab-ping")
    assert connack == b"\x20\x02\x00\x00"
    s.sendall(b"\xc0\x00")
    assert recv_exact(s, 2) == b"\xd0\x00"
    broker.log.wait_for(r"Received PINGREQ from lab-ping")
    broker.log.wait_for(r"Sending PINGRESP to lab-ping")


@pytest.mark.parametrize("bad,words", [
    (publish_packet("a/+", b"x"), r"protocol error"),
    (connect_packet("again"), r"protocol error: second CONNECT"),
    (b"\x30\xff\xff\xff\xff\x01", r"malformed packet"),
    (b"\x80\x06\x00\x01\x00\x01a\x00", r"malformed packet"),  # SUBSCRIBE with bad fixed header flags
    (b"\x30\x04\x00\x02\xc3\x28", r"malformed packet"),  # topic with invalid UTF-8
])
def test_protocol_violation_closes_only_that_client(broker, bad, words):
    bystander = connected(broker.port, "bystander")
    bystander.subscribe("ok", 0)
    s, connack = raw_connect(broker.port, "lab-bad")
    assert connack == b"\x20\x02\x00\x00"
    s.sendall(bad)
    assert wait_closed(s)
    broker.log.wait_for(r"Client lab-bad disconnected due to " + words)
    other = connected(broker.port, "other")
    other.publish("ok", b"still serving", 0)
    assert bystander.next_message().payload == b"still serving"


def test_first_packet_must_be_connect(broker):
    s = socket.create_connection(("127.0.0.1", broker.port), timeout=WAIT)
    s.sendall(b"\xc0\x00")
    assert wait_closed(s)


def test_unsupported_protocol_level_gets_connack_1(broker):
    s = socket.create_connection(("127.0.0.1", broker.port), timeout=WAIT)
    s.sendall(connect_packet("x", level=7))
    assert recv_exact(s, 4) == b"\x20\x02\x00\x01"
    assert wait_closed(s)


def test_empty_client_id(broker):
    # Clean session 1: the broker assigns an id.
    s, connack = raw_connect(broker.port, "", clean=True)
    assert connack == b"\x20\x02\x00\x00"
    # Clean session 0: identifier rejected.
    s2, connack = raw_connect(broker.port, "", clean=False)
    assert connack == b"\x20\x02\x00\x02"
    assert wait_closed(s2)


def test_mqtt31_client(broker):
    c = connected(broker.port, "old-timer", protocol=mqtt.MQTTv31)
    c.subscribe("v31", 1)
    c.publish("v31", b"hi", 1)
    assert c.next_message().payload == b"hi"
    broker.log.wait_for(r"as old-timer \(p1, c1, k60\)")


def test_wildcards_and_dollar_topics(broker):
    s = connected(broker.port, "s")
    s.subscribe("#", 0)
    s2 = connected(broker.port, "s2")
    s2.subscribe("$SYS/#", 0)
    s2.subscribe("dollar", 0)
    s3 = connected(broker.port, "s3")
    s3.subscribe("sport/tennis/#", 0)
    s3.subscribe("+/+", 0)
    p = connected(broker.port, "p")
    # As Mosquitto: only the broker publishes into $SYS; a client's PUBLISH there is denied and reaches nobody.
    p.publish("$SYS/x", b"dollar", 0)
    p.publish("dollar", b"after", 0)
    m = s2.next_message()
    while m.topic.startswith("$SYS/broker/"):  # the broker's own $SYS, every sys_interval
        m = s2.next_message()
    assert (m.topic, m.payload) == ("dollar", b"after")
    assert s.next_message().payload == b"after"  # neither "$SYS/x" nor the broker's $SYS reach "#"
    p.publish("sport/tennis", b"parent", 0)
    assert s.next_message().payload == b"parent"
    m = s3.next_message()
    assert m.payload == b"parent"
    p.publish("sport", b"end", 0)
    assert s.next_message().payload == b"end"
    assert s3.no_message(0.3), "sport/tennis matched two of s3's filters but must arrive once"


def test_overlapping_subscriptions_delivered_once_at_highest_qos(broker):
    s = connected(broker.port, "s")
    s.subscribe("a/#", 0)
    s.subscribe("a/+", 2)
    s.subscribe("a/b", 1)
    p = connected(broker.port, "p")
    p.publish("a/b", b"x", 2)
    m = s.next_message()
    assert (m.payload, m.qos) == (b"x", 2)
    p.publish("a/end", b"end", 0)
    assert s.next_message().payload == b"end", "a/b was delivered more than once"


def test_unsubscribe(broker):
    s = connected(broker.port, "lab-dup")
    s.subscribe("t/#", 1)
    s.client.unsubscribe("t/#")
    broker.log.wait_for(r"Sending UNSUBACK to lab-dup")
    broker.log.wait_for(r"^\d+: \tt/#$")
    broker.log.wait_for(r"^\d+: lab-dup t/#$")
    s.subscribe("z", 0)
    p = connected(broker.port, "p")
    p.publish("t/1", b"gone", 0)
    p.publish("z", b"z", 0)
    assert s.next_message().topic == "z"


def test_invalid_filter_closes_the_connection(broker):
    # Raw bytes: paho refuses to send an invalid filter. A protocol violation (spec 4.7.1): Mosquitto closes too.
    s, _ = raw_connect(broker.port, "bad-filter")
    body = b"\x00\x07" + mqtt_string("a/#/b") + b"\x00"
    s.sendall(b"\x82" + varint(len(body)) + body)
    assert wait_closed(s)
    broker.log.wait_for(r"Client bad-filter disconnected due to protocol error: invalid topic filter 'a/#/b'\.")


def test_per_topic_order_across_loops(broker):
    subs = [connected(broker.port, f"s{i}") for i in range(4)]
    for s in subs:
        s.subscribe("order", 1)
    p = connected(broker.port, "p")
    for i in range(200):
        p.client.publish("order", str(i).encode(), 1)
    for s in subs:
        got = [int(s.next_message().payload) for _ in range(200)]
        assert got == list(range(200))


def test_large_messages_and_pipelined_packets(broker):
    # A 3 MB payload spans many reads (the broker keeps a partial packet between them); many small packets
    # written at once arrive several to a read.
    sub = connected(broker.port, "big-sub")
    sub.subscribe("big/#", 1)
    p = connected(broker.port, "big-pub")
    payload = bytes(range(256)) * (3 * 4096)
    p.publish("big/one", payload, 1)
    m = sub.next_message()
    assert (m.topic, len(m.payload), m.payload == payload) == ("big/one", len(payload), True)
    s, connack = raw_connect(broker.port, "pipeliner")
    assert connack == b"\x20\x02\x00\x00"
    s.sendall(b"".join(publish_packet("big/small", str(i).encode()) for i in range(500)))
    assert [int(sub.next_message().payload) for _ in range(500)] == list(range(500))


def test_mosquitto_clients_against_culex(broker):
    sub = subprocess.Popen(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(broker.port), "-t", "#", "-v", "-C", "1",
                            "-W", "10"], stdout=subprocess.PIPE, text=True)
    broker.log.wait_for(r"Sending SUBACK to")
    pub = subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(broker.port), "-t", "world", "-m", "hello",
                          "-q", "1"], timeout=WAIT)
    assert pub.returncode == 0
    out, _ = sub.communicate(timeout=WAIT)
    assert out == "world hello\n"
    assert sub.returncode == 0


def test_message_size_limit(tmp_path):
    b = start_culex(tmp_path, "message_size_limit 10\n")
    try:
        s, connack = raw_connect(b.port, "big")
        # As Mosquitto: the PUBLISH is dropped (a QoS 1 one still acknowledged), the connection kept.
        s.sendall(publish_packet("t", b"x" * 11, qos=1, packet_id=5))
        assert recv_exact(s, 4) == b"\x40\x02\x00\x05"
        b.log.wait_for(r"PUBLISH to 't' dropped: payload of 11 bytes exceeds message_size_limit 10")
        s.sendall(b"\xc0\x00")
        assert recv_exact(s, 2) == b"\xd0\x00"
    finally:
        b.stop()


def test_anonymous_refused_by_default(tmp_path):
    b = start_culex(tmp_path, anonymous=False)
    try:
        s, connack = raw_connect(b.port, "anon")
        assert connack == b"\x20\x02\x00\x05"
        assert wait_closed(s)
        b.log.wait_for(r"Client anon disconnected, not authorised")
    finally:
        b.stop()


def test_silent_connection_is_closed_after_connect_timeout(tmp_path):
    b = start_culex(tmp_path, "connect_timeout 1\n")
    try:
        silent = socket.create_connection(("127.0.0.1", b.port), timeout=WAIT)
        assert wait_closed(silent)  # closed by the broker, within the bound
        b.log.wait_for(r"Client 127\.0\.0\.1:\d+ did not send CONNECT in time, closing the connection\.")
        # A client that does send CONNECT in time is served as usual.
        s, connack = raw_connect(b.port, "prompt")
        assert connack == b"\x20\x02\x00\x00"
    finally:
        assert b.stop() == 0, b.log.text()
