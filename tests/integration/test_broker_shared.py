"""Shared subscriptions (`$share/GROUP/FILTER`, MQTT 5 and, as in Mosquitto, 3.1.1): each message goes to one
member of each group in turn, ordinary subscribers still get every message, retained messages are not sent to
a new shared subscription, and QoS 1 messages a member leaves unacknowledged go to another member."""
import struct

import pytest

from brokers import start_culex
from mqtt_peers import WAIT, V5Client, mqtt_string, raw_connect, recv_exact, varint


@pytest.fixture
def broker(tmp_path):
    b = start_culex(tmp_path)
    yield b
    assert b.stop() == 0, "broker did not shut down cleanly:\n" + b.log.text()


def drain(client, count):
    return [client.next_message().payload.decode() for _ in range(count)]


def test_members_take_turns_and_ordinary_subscribers_get_everything(broker):
    a, b, watcher, publisher = (V5Client(broker.port, name) for name in ("a", "b", "watcher", "pub"))
    assert a.subscribe("$share/workers/jobs/+", qos=1) == [1]
    assert b.subscribe("$share/workers/jobs/+", qos=1) == [1]
    assert watcher.subscribe("jobs/#", qos=1) == [1]
    sent = [f"job {i}" for i in range(10)]
    for payload in sent:
        publisher.publish("jobs/new", payload, qos=1)
    got_a, got_b = drain(a, 5), drain(b, 5)
    assert sorted(got_a + got_b) == sorted(sent)  # each job once, to one member
    assert drain(watcher, 10) == sent
    assert a.messages.empty() and b.messages.empty()
    for c in (a, b, watcher, publisher):
        c.close()


def test_no_retained_message_on_a_new_shared_subscription(broker):
    publisher = V5Client(broker.port, "pub")
    publisher.publish("state/lamp", "on", qos=1, retain=True)
    member = V5Client(broker.port, "member")
    assert member.subscribe("$share/g/state/#", qos=1) == [1]
    plain = V5Client(broker.port, "plain")
    assert plain.subscribe("state/#", qos=1) == [1]
    assert plain.next_message().payload == b"on"  # the retained message exists...
    publisher.publish("state/lamp", "off", qos=1)
    assert member.next_message().payload == b"off"  # ...but the member only sees live traffic
    assert member.messages.empty()
    for c in (publisher, member, plain):
        c.close()


def raw_subscribe(sock, topic_filter, qos, packet_id=1):
    body = struct.pack("!H", packet_id) + mqtt_string(topic_filter) + bytes([qos])
    sock.sendall(bytes([0x82]) + varint(len(body)) + body)
    suback = recv_exact(sock, 5)
    assert suback[0] == 0x90 and suback[4] == qos, suback


def test_unacknowledged_messages_of_a_departing_member_go_to_another(broker):
    # The silent member (MQTT 3.1.1, clean session) takes its messages and never acknowledges them.
    silent, connack = raw_connect(broker.port, "silent")
    assert connack == b"\x20\x02\x00\x00"
    raw_subscribe(silent, "$share/g/work", 1)
    steady = V5Client(broker.port, "steady")
    assert steady.subscribe("$share/g/work", qos=1) == [1]
    publisher = V5Client(broker.port, "pub")
    sent = [f"task {i}" for i in range(6)]
    for payload in sent:
        publisher.publish("work", payload, qos=1)
    broker.log.wait_for(r"Sending PUBLISH to silent .*'work'")
    # The session ends with the connection (clean session): what it held goes to the other member.
    silent.close()
    broker.log.wait_for(r"Client silent closed its connection")
    got = drain(steady, len(sent))
    assert sorted(got) == sorted(sent)
    for c in (steady, publisher):
        c.close()


def test_invalid_shared_filters_are_refused(broker):
    c = V5Client(broker.port, "c")
    assert c.subscribe("$share//t", qos=0) == [0x8F]  # empty group: Topic Filter invalid
    assert c.subscribe("$share/g", qos=0) == [0x8F]  # no filter after the group
    assert not hasattr(c.connack_properties, "SharedSubscriptionAvailable")  # absent: available
    c.close()
