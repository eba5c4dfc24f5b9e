"""Persistence (issue 12): what the broker acknowledged survives a restart and a crash (SIGKILL), and a damaged
store is reported while the broker serves what is intact.

Peers: a raw 3.1.1 client that keeps its own session state exactly (durable_client.py), paho for MQTT 5 wills.
"""
import collections
import os
import queue
import random
import re
import signal
import socket
import time
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from brokers import Broker, rss_kb, start_culex
from conftest import culex_binary
from durable_client import DurableClient
from mqtt_peers import WAIT, connected

STORE = "culex.db"


def persistent_config(directory, extra=""):
    return (f"persistence true\npersistence_location {directory}\npersistence_file {STORE}\n"
            "max_queued_messages 0\n" + extra)


_started = []


@pytest.fixture(autouse=True)
def stop_every_broker():
    """A test that fails half-way still stops the brokers it started."""
    yield
    while _started:
        _started.pop().stop(signal.SIGKILL)


def start(directory, extra="", env=None):
    broker = start_culex(directory, persistent_config(directory, extra), verbose=False, env=env)
    _started.append(broker)
    return broker


def pump_until(clients, done, timeout, what):
    """Pumps every connected client until done() is true; fails naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout}s: {what}")
        for c in clients:
            c.pump(0.01)


def retained_messages(port, topic_filter, expected, client_id):
    """The retained messages a new clean subscriber gets for `topic_filter`, once `expected` came (bounded)."""
    c = DurableClient(client_id)
    c.connect(port, clean=True)
    c.subscribe(topic_filter, 1)
    deadline = time.monotonic() + WAIT
    while len(c.delivered) < expected and time.monotonic() < deadline:
        c.pump(0.05)
    c.pump(0.2)  # anything beyond `expected` comes right behind it, in the same write
    c.disconnect()
    return {topic: payload for topic, payload, _ in c.delivered}


def test_a_restart_keeps_sessions_subscriptions_queues_and_retained(tmp_path):
    broker = start(tmp_path)
    assert broker.log.wait_for(r"Persistence: sqlite .*culex\.db \(persistence_sync os\)")
    sub = DurableClient("keeper")
    sub.connect(broker.port)
    assert sub.subscribe("keep/#", 2) == [2]
    sub.disconnect()
    pub = DurableClient("keep-pub")
    pub.connect(broker.port, clean=True)
    for i in range(10):
        pub.publish("keep/q1", f"one-{i}".encode(), 1)
        pub.publish("keep/q2", f"two-{i}".encode(), 2)
    pub.publish("keep/retained", b"still here", 1, retain=True)
    pump_until([pub], lambda: not pub.outgoing, WAIT, "every PUBLISH acknowledged")
    pub.disconnect()
    assert broker.stop() == 0

    broker = start(tmp_path)
    broker.log.wait_for(r"Restored 1 sessions, 1 subscriptions, 21 queued and 0 in-flight messages, 0 wills, "
                        r"1 retained messages\.")
    assert sub.connect(broker.port) is True, "CONNACK session present: the session was restored"
    pump_until([sub], lambda: len(sub.delivered) == 21, WAIT, "the 21 queued messages")
    got = [(t, p) for t, p, _ in sub.delivered]
    assert [p for t, p in got if t == "keep/q1"] == [f"one-{i}".encode() for i in range(10)]
    assert [p for t, p in got if t == "keep/q2"] == [f"two-{i}".encode() for i in range(10)]
    # The subscription itself came back too: a new message reaches the restored session live.
    pub.connect(broker.port, clean=True)
    pub.publish("keep/live", b"after restart", 1)
    pump_until([pub, sub], lambda: ("keep/live", b"after restart") in [(t, p) for t, p, _ in sub.delivered],
               WAIT, "a live message through the restored subscription")
    pub.disconnect()
    sub.disconnect()
    assert retained_messages(broker.port, "keep/retained", 1, "keep-reader") == {"keep/retained": b"still here"}
    assert broker.stop() == 0


def test_the_store_file_is_private(tmp_path):
    broker = start(tmp_path)
    assert broker.stop() == 0
    assert (tmp_path / STORE).stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("threads", [1, 2])
def test_acknowledged_messages_survive_sigkill_at_random_moments(tmp_path, threads):
    """Two publishers (QoS 1 and QoS 2) send numbered messages to topics that a live and an offline persistent
    session cover, and a retained topic; the broker is killed with SIGKILL after a random number of
    acknowledgements, several rounds. In the end every message is delivered to both sessions (QoS 2 exactly
    once), nothing that was never published, and the retained topic holds the last retained message.
    With `threads 2` the publishers and subscribers are spread over both loops (routing across loops stores
    the message in the publisher's loop's batch, router.cpp)."""
    seed = int(os.environ.get("CULEX_CRASH_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    print(f"CULEX_CRASH_SEED={seed}")
    rounds, window, round_limit = 20, 20, 20.0

    config = f"threads {threads}\n"
    broker = start(tmp_path, config)
    live, offline = DurableClient("crash-live"), DurableClient("crash-offline")
    for c in (live, offline):
        c.connect(broker.port)
        assert c.subscribe("crash/#", 2) == [2]
    offline.disconnect()
    pub1, pub2 = DurableClient("crash-pub1"), DurableClient("crash-pub2")
    sent = {1: 0, 2: 0}
    last_retained = None

    for round_number in range(rounds):
        if round_number > 0:
            broker = start(tmp_path, config)
        for c in (pub1, pub2, live):
            c.connect(broker.port)
        acked_before = len(pub1.acknowledged) + len(pub2.acknowledged)
        kill_after = rng.randint(50, 1500)
        deadline = time.monotonic() + round_limit
        while True:
            for pub, qos in ((pub1, 1), (pub2, 2)):
                while pub.connected and len(pub.outgoing) < window:
                    sent[qos] += 1
                    pub.publish(f"crash/q{qos}", f"{qos}:{sent[qos]}".encode(), qos)
                    if qos == 1 and sent[1] % 25 == 0:
                        last_retained = f"r:{sent[1]}".encode()
                        pub.publish("crash/retained", last_retained, 1, retain=True)
            if len(pub1.acknowledged) + len(pub2.acknowledged) - acked_before >= kill_after:
                break  # killed with a full window in flight
            assert time.monotonic() < deadline, f"round {round_number}: {kill_after} acknowledgements not within " \
                f"{round_limit}s (seed {seed})"
            for c in (pub1, pub2, live):
                assert c.pump(0.002), f"{c.client_id} lost its connection before the kill (seed {seed})"
        broker.stop(signal.SIGKILL)
        for c in (pub1, pub2, live):  # what was already on its way; each ends when the socket does
            end = time.monotonic() + WAIT
            while c.pump(0.05) and time.monotonic() < end:
                pass
            c.close()

    broker = start(tmp_path, config)
    for c in (pub1, pub2, live):
        assert c.connect(broker.port) is True, f"{c.client_id}: its session survived"
    # The publishers finish what they had in flight when the broker died (resent with DUP, or PUBREL).
    pump_until([pub1, pub2, live], lambda: not pub1.outgoing and not pub2.outgoing, 30, "in-flight finished")
    assert offline.connect(broker.port) is True
    pub1.publish("crash/q1", b"end", 1)
    pub2.publish("crash/q2", b"end", 2)
    subscribers = (live, offline)

    def ends_seen():
        return all(sum(1 for t, p, _ in s.delivered if p == b"end") >= 2 for s in subscribers)

    pump_until([pub1, pub2, live, offline], ends_seen, 60, "both end markers at both subscribers")

    for s in subscribers:
        numbers = collections.defaultdict(list)
        for topic, payload, _ in s.delivered:
            if payload == b"end":
                continue
            if topic == "crash/retained":
                assert payload.startswith(b"r:") and int(payload[2:]) <= sent[1], payload
                continue
            qos = int(topic[-1])
            label, number = payload.split(b":")
            assert int(label) == qos, f"{s.client_id}: {payload!r} on {topic}"
            numbers[qos].append(int(number))
        q1 = set(numbers[1])
        missing = sorted(set(range(1, sent[1] + 1)) - q1)
        assert not missing, f"{s.client_id}: acknowledged QoS 1 messages lost: {missing[:20]} (seed {seed})"
        assert max(q1) <= sent[1], f"{s.client_id}: QoS 1 numbers never published (seed {seed})"
        counts = collections.Counter(numbers[2])
        lost = sorted(set(range(1, sent[2] + 1)) - set(counts))
        invented = sorted(set(counts) - set(range(1, sent[2] + 1)))
        assert not lost and not invented, \
            f"{s.client_id}: QoS 2 messages lost {lost[:20]}, never published {invented[:20]} (seed {seed})"
        twice = [n for n, k in counts.items() if k != 1]
        assert not twice, f"{s.client_id}: QoS 2 messages delivered more than once: {twice[:20]} (seed {seed})\n" + \
            qos2_history(s, twice[0])

    for c in (pub1, pub2, live, offline):
        c.disconnect()
    assert last_retained is not None
    assert retained_messages(broker.port, "crash/retained", 1, "crash-reader") == {"crash/retained": last_retained}
    assert broker.stop() == 0


def qos2_history(client, number):
    """What `client` saw of QoS 2 message `number`: its PUBLISHes, and the PUBRELs of the ids it came under."""
    payload = f"2:{number}".encode()
    ids = {e[2] for e in client.qos2_events if e[1] == "PUBLISH" and e[4] == payload}
    lines = [repr(e) for e in client.qos2_events
             if (e[1] == "PUBLISH" and e[4] == payload) or (e[1] == "PUBREL" and e[2] in ids)]
    return "\n".join(lines[:40])


def v5_client(client_id, port, will=None):
    """A paho MQTT 5 client with a persistent session (expiry 300 s); `will`: (topic, payload, delay). Returns
    the client and the queues its messages and SUBACKs land in."""
    messages, connacks, subacks = queue.Queue(), queue.Queue(), queue.Queue()
    client = mqtt.Client(client_id=client_id, protocol=mqtt.MQTTv5)
    client.on_message = lambda c, u, m: messages.put((m.topic, m.payload))
    client.on_connect = lambda c, u, flags, rc, props: connacks.put(rc)
    client.on_subscribe = lambda c, u, mid, codes, props: subacks.put(codes)
    if will:
        topic, payload, delay = will
        will_properties = Properties(PacketTypes.WILLMESSAGE)
        will_properties.WillDelayInterval = delay
        client.will_set(topic, payload, 1, False, will_properties)
    properties = Properties(PacketTypes.CONNECT)
    properties.SessionExpiryInterval = 300
    client.connect("127.0.0.1", port, 60, clean_start=False, properties=properties)
    client.loop_start()
    assert connacks.get(timeout=WAIT) == 0, f"{client_id}: CONNACK refused"
    return client, messages, subacks


def subscribe_and_leave(client_id, port, topic_filter):
    """An MQTT 5 persistent session (v5_client) subscribed to `topic_filter` at QoS 1, then offline."""
    client, _, subacks = v5_client(client_id, port)
    client.subscribe(topic_filter, 1)
    subacks.get(timeout=WAIT)
    client.disconnect()
    client.loop_stop()


def test_a_stored_session_resumed_with_no_expiry_gets_what_waited_for_it_then_ends(tmp_path):
    """An MQTT 5 client whose persistent session was offline comes back with clean start 0 and Session Expiry 0
    (it takes what waited, and wants no session after this connection). What waited is in the store: it is
    delivered, all of it; the session ends with the connection."""
    broker = start(tmp_path)
    subscribe_and_leave("resumer", broker.port, "resume/#")
    pub = DurableClient("resume-pub")
    pub.connect(broker.port, clean=True)
    for i in range(30):
        pub.publish("resume/q1", f"m{i}".encode(), 1)
    pump_until([pub], lambda: not pub.outgoing, WAIT, "every PUBLISH acknowledged")
    pub.disconnect()

    messages, connacks = queue.Queue(), queue.Queue()
    back = mqtt.Client(client_id="resumer", protocol=mqtt.MQTTv5)
    back.on_message = lambda c, u, m: messages.put(m.payload)
    back.on_connect = lambda c, u, flags, rc, props: connacks.put((flags["session present"], rc))
    properties = Properties(PacketTypes.CONNECT)
    properties.SessionExpiryInterval = 0
    back.connect("127.0.0.1", broker.port, 60, clean_start=False, properties=properties)
    back.loop_start()
    assert connacks.get(timeout=WAIT) == (1, 0), "the stored session was resumed"
    got = [messages.get(timeout=WAIT) for _ in range(30)]
    assert got == [f"m{i}".encode() for i in range(30)]
    back.disconnect()
    back.loop_stop()
    broker.log.wait_for(r"Client resumer disconnected\.")

    again, connacks = mqtt.Client(client_id="resumer", protocol=mqtt.MQTTv5), queue.Queue()
    again.on_connect = lambda c, u, flags, rc, props: connacks.put(flags["session present"])
    again.connect("127.0.0.1", broker.port, 60, clean_start=False)
    again.loop_start()
    assert connacks.get(timeout=WAIT) == 0, "the session ended with the connection that asked for no expiry"
    again.disconnect()
    again.loop_stop()
    assert broker.stop() == 0


def test_a_delayed_will_survives_a_crash_and_is_published_after_the_restart(tmp_path):
    broker = start(tmp_path)
    subscribe_and_leave("will-watcher", broker.port, "will/#")
    willer, _, subacks = v5_client("willer", broker.port, will=("will/willer", b"gone", 1))
    # A SUBACK is sent only after its commit, and the will was stored in the same or an earlier one.
    willer.subscribe("anything", 1)
    subacks.get(timeout=WAIT)
    willer.loop_stop()  # no reconnect attempts: the crash below takes its connection
    broker.stop(signal.SIGKILL)

    broker = start(tmp_path)
    broker.log.wait_for(r"Restored 2 sessions, 2 subscriptions, 0 queued and 0 in-flight messages, 1 wills")
    watcher, messages, _ = v5_client("will-watcher", broker.port)
    assert messages.get(timeout=WAIT) == ("will/willer", b"gone")
    watcher.disconnect()
    watcher.loop_stop()
    assert broker.stop() == 0


def flip_byte(directory, marker):
    """Flips one byte inside the first occurrence of `marker` in the store or its WAL; the file it was in."""
    for name in (STORE + "-wal", STORE):
        path = Path(directory) / name
        if not path.exists():
            continue
        data = bytearray(path.read_bytes())
        at = data.find(marker)
        if at >= 0:
            data[at + len(marker) // 2] ^= 0x20
            path.write_bytes(bytes(data))
            return path
    raise AssertionError(f"{marker!r} is in neither the store nor its WAL")


def publish_retained(port, messages):
    pub = DurableClient("retainer")
    pub.connect(port, clean=True)
    for topic, payload in messages.items():
        pub.publish(topic, payload, 1, retain=True)
    pump_until([pub], lambda: not pub.outgoing, WAIT, "the retained messages acknowledged")
    pub.disconnect()


def test_a_flipped_byte_drops_that_message_says_so_and_the_rest_is_served(tmp_path):
    broker = start(tmp_path)
    intact = {f"keep/{i}": f"intact-{i}".encode() for i in range(5)}
    publish_retained(broker.port, {**intact, "damage/me": b"DAMAGED-PAYLOAD-MARKER"})
    assert broker.stop() == 0
    flip_byte(tmp_path, b"DAMAGED-PAYLOAD-MARKER")

    broker = start(tmp_path)
    broker.log.wait_for(r"dropped retained message 'damage/me': checksum mismatch")
    broker.log.wait_for(r"Restored 0 sessions, 0 subscriptions, 0 queued and 0 in-flight messages, 0 wills, "
                        r"5 retained messages\.")
    assert retained_messages(broker.port, "keep/#", 5, "reader") == intact
    assert retained_messages(broker.port, "damage/#", 0, "reader2") == {}
    assert broker.stop() == 0


def test_a_store_cut_mid_write_is_reported_and_what_is_intact_is_served(tmp_path):
    broker = start(tmp_path)
    messages = {f"many/{i:03}": (f"payload-{i:03}-" * 60).encode() for i in range(300)}
    publish_retained(broker.port, messages)
    assert broker.stop() == 0
    store = tmp_path / STORE
    assert not (tmp_path / (STORE + "-wal")).exists() or (tmp_path / (STORE + "-wal")).stat().st_size == 0, \
        "a clean stop leaves everything in the main file"
    os.truncate(store, store.stat().st_size * 85 // 100)

    broker = start(tmp_path)
    broker.log.wait_for(r"store file was damaged")
    m = broker.log.wait_for(r"Restored 0 sessions, .* (\d+) retained messages\.")
    restored = int(m.group(1))
    assert 0 < restored < 300, f"restored {restored} of 300 from a file cut at 85%"
    got = retained_messages(broker.port, "many/#", restored, "reader")
    assert len(got) == restored and all(messages[t] == p for t, p in got.items())
    # It keeps working as a broker, on a fresh store.
    c = connected(broker.port, "after-damage")
    c.subscribe("fresh", 1)
    c.publish("fresh", b"x", 1)
    assert c.next_message().payload == b"x"
    c.disconnect()
    assert broker.stop() == 0
    assert list(tmp_path.glob(STORE + ".damaged-*")), "the damaged file is kept aside, never deleted"


def test_a_long_outage_is_queued_on_disk_not_in_memory_and_served_in_order(tmp_path):
    """60 MB of QoS 1 messages for an offline persistent session: the broker's RSS grows by far less (they are in
    the store, not in memory), and the session gets every one, in order, when it comes back."""
    count, size = 30000, 2048
    # A small ASan quarantine: freed memory would otherwise stay resident (up to 256 MB) and hide the figure.
    env = {"ASAN_OPTIONS": (os.environ.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=4").lstrip(":")}
    broker = start(tmp_path, env=env)
    sub = DurableClient("outage")
    sub.connect(broker.port)
    sub.subscribe("outage/#", 1)
    sub.disconnect()
    pub = DurableClient("outage-pub")
    pub.connect(broker.port, clean=True)

    def publish(first, last):
        for n in range(first, last):
            while len(pub.outgoing) >= 200:
                assert pub.pump(0.05), "the publisher lost its connection"
            pub.publish("outage/data", n.to_bytes(4, "big") + bytes(size - 4), 1)
        pump_until([pub], lambda: not pub.outgoing, 60, "every PUBLISH acknowledged")

    publish(0, 1000)  # warm up: the store's page cache, the loops' buffers
    before = rss_kb(broker.proc.pid)
    publish(1000, count)
    grown_mb = (rss_kb(broker.proc.pid) - before) / 1024
    print(f"RSS grew by {grown_mb:.1f} MB for {(count - 1000) * size / 1e6:.0f} MB queued")
    assert grown_mb < 25, f"RSS grew by {grown_mb:.1f} MB: the offline queue is held in memory"
    pub.disconnect()

    assert sub.connect(broker.port) is True
    pump_until([sub], lambda: len(sub.delivered) >= count, 120, f"{count} queued messages")
    numbers = [int.from_bytes(payload[:4], "big") for _, payload, _ in sub.delivered]
    assert numbers == list(range(count)), "the stored queue came back out of order or incomplete"
    sub.disconnect()
    assert broker.stop() == 0


def test_without_a_config_file_the_broker_keeps_its_store_in_the_users_data_directory(tmp_path):
    """What `make run` starts: `culex broker` with neither -c nor -p listens on localhost:1883 with persistence in
    $XDG_DATA_HOME/culex (else ~/.local/share/culex), private to the user, and says where at start."""
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", 1883))
        except OSError:
            pytest.skip("port 1883 is taken on this machine")
    env = {k: v for k, v in os.environ.items() if k != "XDG_DATA_HOME"}
    env["HOME"] = str(tmp_path)
    broker = Broker([culex_binary(), "broker"], env=env)
    _started.append(broker)
    store = tmp_path / ".local" / "share" / "culex" / "culex.db"
    broker.log.wait_for(rf"Persistence: sqlite {re.escape(str(store))} \(persistence_sync os\)")
    assert broker.stop() == 0
    assert store.stat().st_mode & 0o777 == 0o600
    assert store.parent.stat().st_mode & 0o777 == 0o700


def test_queue_qos0_messages_keeps_qos0_for_an_offline_session_across_a_restart(tmp_path):
    broker = start(tmp_path, "queue_qos0_messages true\n")
    sub = DurableClient("keeps-qos0")
    sub.connect(broker.port)
    sub.subscribe("q0/#", 1)
    sub.disconnect()
    pub = connected(broker.port, "q0-pub")
    pub.publish("q0/a", b"zero", 0)
    pub.publish("q0/b", b"one", 1)  # its PUBACK follows the QoS 0 message's handling: both are queued
    pub.disconnect()
    assert broker.stop() == 0

    broker = start(tmp_path, "queue_qos0_messages true\n")
    sub.connect(broker.port)
    pump_until([sub], lambda: len(sub.delivered) >= 2, WAIT, "the two queued messages")
    assert sub.delivered == [("q0/a", b"zero", 0), ("q0/b", b"one", 1)]
    sub.disconnect()
    assert broker.stop() == 0
