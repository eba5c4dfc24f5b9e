"""mosquitto.conf's mount_point (a listener whose clients live in a topic tree of their own) and
upgrade_outgoing_qos, with paho clients on two listeners of one broker: one plain, one mounted at `mnt/`.
(The bytes of each answer are compared with Mosquitto's in tests/differential: option-mount-point-*,
option-upgrade-outgoing-qos-*.)"""
import queue
import re
import time

import pytest
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from brokers import start_culex
from mqtt_peers import WAIT, PahoClient, V5Client, connected

MOUNTED_LISTENER = "listener 0 127.0.0.1\nlistener 0 127.0.0.1\nmount_point mnt/\n"


@pytest.fixture
def broker(tmp_path):
    with start_culex(tmp_path, listener=MOUNTED_LISTENER) as b:
        b.log.wait_for(r"culex version \S+ running")  # every listener is open by then
        b.plain_port, b.mounted_port = map(
            int, re.findall(r"Opening ipv4 listen socket on port (\d+)\.", b.log.text()))
        yield b


def test_a_mounted_client_publishes_under_the_mount_point(broker):
    plain = connected(broker.plain_port, "mp-plain")
    plain.subscribe("#", 1)
    mounted = connected(broker.mounted_port, "mp-mounted")
    mounted.publish("sensor/t", b"21", 1)
    message = plain.next_message()
    assert (message.topic, message.payload) == ("mnt/sensor/t", b"21")
    broker.log.wait_for(r"Received PUBLISH from mp-mounted \(d0, q1, r0, m\d+, 'mnt/sensor/t'")


def test_a_mounted_client_sees_only_its_tree_without_the_prefix(broker):
    mounted = connected(broker.mounted_port, "mp-reader")
    mounted.subscribe("#", 0)
    plain = connected(broker.plain_port, "mp-writer")
    plain.publish("outside/x", b"not for the mounted client", 1)
    plain.publish("mnt", b"the mount point itself is no topic in its tree", 1)
    plain.publish("mnt/inside/x", b"for it", 1)
    message = mounted.next_message()
    assert (message.topic, message.payload) == ("inside/x", b"for it")
    assert mounted.no_message(), "a message outside mnt/ reached the mounted client"


def test_sys_topics_are_out_of_a_mounted_clients_reach(broker):
    mounted = connected(broker.mounted_port, "mp-sys")
    mounted.subscribe("$SYS/#", 0)
    mounted.publish("$SYS/fake", b"x", 1)  # becomes mnt/$SYS/fake: its own tree, not the broker's
    message = mounted.next_message()
    assert message.topic == "$SYS/fake"
    plain = connected(broker.plain_port, "mp-sys-plain")
    plain.subscribe("mnt/$SYS/fake", 0)
    plain.subscribe("$SYS/fake", 0)
    mounted.publish("$SYS/fake", b"y", 1)
    assert plain.next_message().topic == "mnt/$SYS/fake"
    assert plain.no_message()


def test_retained_messages_and_unsubscribe_under_the_mount_point(broker):
    plain = connected(broker.plain_port, "mp-retainer")
    plain.publish("mnt/state", b"on", 1, retain=True)
    mounted = connected(broker.mounted_port, "mp-late")
    mounted.subscribe("state", 1)
    message = mounted.next_message()
    assert (message.topic, message.payload, message.retain) == ("state", b"on", True)
    mounted.client.unsubscribe("state")
    broker.log.wait_for(r"mp-late mnt/state")  # the unsubscribe log line names the whole filter
    plain.publish("mnt/state", b"off", 1)
    plain.subscribe("mnt/sync", 0)
    plain.publish("mnt/sync", b"", 1)  # proves the broker handled "off" before we look
    plain.next_message()
    assert mounted.no_message(), "the mounted client's UNSUBSCRIBE did not remove its mounted filter"


def test_a_mounted_clients_will_goes_under_the_mount_point(broker):
    plain = connected(broker.plain_port, "mp-watch")
    plain.subscribe("mnt/status", 1)
    mounted = PahoClient(broker.mounted_port, "mp-will", will=("status", b"gone", 1, False))
    assert mounted.connack()[1] == 0
    mounted.drop()
    message = plain.next_message()
    assert (message.topic, message.payload) == ("mnt/status", b"gone")


def test_a_shared_subscription_stays_shared_under_the_mount_point(broker):
    first = connected(broker.mounted_port, "mp-share-1")
    second = connected(broker.mounted_port, "mp-share-2")
    first.subscribe("$share/g/jobs", 1)
    second.subscribe("$share/g/jobs", 1)
    plain = connected(broker.plain_port, "mp-jobs")
    for i in range(4):
        plain.publish("mnt/jobs", str(i).encode(), 1)
    got = []
    deadline = time.monotonic() + WAIT
    while len(got) < 4 and time.monotonic() < deadline:
        for member in (first, second):
            try:
                message = member.messages.get(timeout=0.05)
            except queue.Empty:
                continue
            assert message.topic == "jobs"
            got.append(message.payload)
    assert sorted(got) == [b"0", b"1", b"2", b"3"], "each job once, to one member of the group"


def test_mqtt5_topic_alias_names_the_clients_own_topic(broker):
    reader = V5Client(broker.plain_port, "mp-alias-reader")
    reader.subscribe("mnt/aliased", 0)
    writer = V5Client(broker.mounted_port, "mp-alias-writer")
    props = Properties(PacketTypes.PUBLISH)
    props.TopicAlias = 1
    writer.publish("aliased", b"first", 1, properties=props)
    writer.publish("", b"second", 1, properties=props)  # the alias stands for "aliased", mounted again
    assert [reader.next_message().payload for _ in range(2)] == [b"first", b"second"]


def test_upgrade_outgoing_qos_delivers_at_the_subscriptions_qos(tmp_path):
    with start_culex(tmp_path, "upgrade_outgoing_qos true\n") as broker:
        sub = connected(broker.port, "uq-sub")
        sub.subscribe("uq/#", 2)
        pub = connected(broker.port, "uq-pub")
        pub.publish("uq/t", b"x", 0)
        assert sub.next_message().qos == 2
        pub.publish("uq/retained", b"r", 0, retain=True)
        assert sub.next_message().qos == 2
        late = connected(broker.port, "uq-late")
        late.subscribe("uq/retained", 1)
        message = late.next_message()
        assert (message.qos, message.retain) == (1, True)


def test_without_upgrade_outgoing_qos_the_lower_qos_wins(tmp_path):
    with start_culex(tmp_path) as broker:
        sub = connected(broker.port, "nq-sub")
        sub.subscribe("nq/#", 2)
        pub = connected(broker.port, "nq-pub")
        pub.publish("nq/t", b"x", 0)
        assert sub.next_message().qos == 0
