"""$SYS/broker/...: Mosquitto's topics every sys_interval, with values that match known traffic, published only
when they change; and a client's PUBLISH into $SYS reaches nobody (denied, as Mosquitto does)."""
import queue
import time

import paho.mqtt.client as mqtt
import pytest

from brokers import start_culex
from mqtt_peers import WAIT, V5Client, connected


@pytest.fixture
def broker(tmp_path):
    b = start_culex(tmp_path, "sys_interval 1\n")
    yield b
    assert b.stop() == 0, "broker did not shut down cleanly:\n" + b.log.text()


def wait_until(client, values, done):
    """Reads $SYS messages into `values` (topic -> text) until done(values) holds; bounded by WAIT."""
    deadline = time.monotonic() + WAIT
    while not done(values):
        left = deadline - time.monotonic()
        assert left > 0, f"$SYS never showed the expected values; last seen: {values}"
        try:
            m = client.next_message(timeout=left)
        except queue.Empty:
            continue
        values[m.topic] = m.payload.decode()
    return values


def test_sys_topics_match_known_traffic(broker):
    pub = connected(broker.port, "sys-pub")
    for i in range(5):
        pub.publish("sys/test", b"0123456789", 1)  # acknowledged: counted before the PUBACK went out
    watcher = connected(broker.port, "sys-watch")
    watcher.subscribe("$SYS/broker/#", 0)
    B = "$SYS/broker/"

    expected = {"publish/messages/received": "5", "publish/bytes/received": "50", "clients/connected": "2",
                "clients/total": "2", "clients/disconnected": "0", "subscriptions/count": "1",
                "clients/expired": "0", "publish/messages/dropped": "0"}
    names = ["version", "uptime", "clients/maximum", "messages/received", "bytes/received", "heap/current",
             "heap/maximum", "messages/sent", "load/messages/received/1min", "load/publish/received/5min",
             "load/bytes/sent/15min", "load/connections/1min", "load/sockets/1min", "retained messages/count",
             "store/messages/count", "store/messages/bytes", "messages/stored", "publish/messages/sent",
             "publish/bytes/sent", "bytes/sent"]

    def settled(v):
        return (all(v.get(B + k) == want for k, want in expected.items()) and all(B + n in v for n in names))

    v = wait_until(watcher, {}, settled)
    assert v[B + "version"].startswith("culex version ")
    assert v[B + "uptime"].endswith(" seconds")
    assert int(v[B + "clients/maximum"]) >= 2
    # Every packet either client sent: 2 CONNECTs, 5 PUBLISHes, 1 SUBSCRIBE at least (PINGREQs may add).
    assert int(v[B + "messages/received"]) >= 8
    assert int(v[B + "bytes/received"]) > 50
    assert int(v[B + "heap/current"]) > 0
    # A client that goes away is counted as it leaves.
    pub.disconnect()
    wait_until(watcher, v, lambda v: v.get(B + "clients/connected") == "1")
    watcher.disconnect()


def test_sys_publishes_only_what_changed(broker):
    watcher = connected(broker.port, "sys-watch")
    watcher.subscribe("$SYS/broker/#", 0)
    seen = []
    deadline = time.monotonic() + WAIT
    # The retained set at SUBSCRIBE, then live updates: uptime changes every interval, version never does.
    while sum(1 for t, _ in seen if t == "$SYS/broker/uptime") < 3:
        assert time.monotonic() < deadline, f"fewer than 3 uptime updates within {WAIT}s: {seen}"
        m = watcher.next_message(timeout=WAIT)
        seen.append((m.topic, m.payload.decode()))
    assert [t for t, _ in seen].count("$SYS/broker/version") == 1
    assert [t for t, _ in seen].count("$SYS/broker/clients/expired") == 1
    watcher.disconnect()


@pytest.mark.parametrize("protocol", [mqtt.MQTTv311, mqtt.MQTTv5])
def test_publish_into_sys_reaches_nobody(tmp_path, protocol):
    with start_culex(tmp_path, "sys_interval 0\n") as broker:
        sub = connected(broker.port, "sys-sub")
        sub.subscribe("$SYS/#", 1)
        everything = connected(broker.port, "hash-sub")
        everything.subscribe("#", 1)
        everything.subscribe("$SYSTEM/#", 1)
        pub = connected(broker.port, "sys-pub", protocol=protocol)
        pub.publish("$SYS/x", b"forged", 1)  # acknowledged (MQTT 5: "not authorized"), and dropped
        pub.publish("$SYS/retained", b"forged", 0, retain=True)
        pub.publish("$SYSTEM/y", b"forged", 2)  # Mosquitto denies every topic that starts with "$SYS"
        pub.publish("marker", b"end", 1)
        assert everything.next_message().payload == b"end"  # in order: nothing forged came before it
        broker.log.wait_for(r"Denied PUBLISH from sys-pub \(d0, q1, r0, m\d+, '\$SYS/x'")
        broker.log.wait_for(r"Denied PUBLISH from sys-pub \(d0, q2, r0, m\d+, '\$SYSTEM/y'")
        late = connected(broker.port, "late-sub")
        late.subscribe("$SYS/#", 0)  # a retained one would come now
        late.subscribe("marker", 0)
        pub.publish("marker", b"again", 0)
        assert late.next_message().payload == b"again"
        assert sub.no_message(0.2)


def test_will_into_sys_is_dropped(tmp_path):
    with start_culex(tmp_path, "sys_interval 0\n") as broker:
        sub = connected(broker.port, "sys-sub")
        sub.subscribe("$SYS/#", 0)
        sub.subscribe("marker", 0)
        dying = connected(broker.port, "dying", will=("$SYS/broker/uptime", b"forged", 0, False))
        dying.drop()
        broker.log.wait_for(r"Will of client dying to '\$SYS/broker/uptime' dropped")
        p = connected(broker.port, "p")
        p.publish("marker", b"end", 0)
        assert sub.next_message().payload == b"end"
