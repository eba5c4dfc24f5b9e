"""Bridges (docs/bridge.md): culex to culex, culex to Debian's mosquitto and mosquitto into culex, on loopback.

Every wait is on an event (a log line, a message) with a bound; nothing sleeps to synchronise.
"""
import queue
import signal
import tempfile
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest

from brokers import start_culex, start_mosquitto
from conftest import free_port
from mqtt_peers import WAIT, connected

BRIDGE_UP = r"Bridge {} connected to 127\.0\.0\.1:{} as {}\."


def bridge_config(port, topics, name="b", remote_id="site1", extra=""):
    lines = [f"connection {name}", f"address 127.0.0.1:{port}", f"remote_clientid {remote_id}",
             "restart_timeout 1"]
    lines += [f"topic {t}" for t in topics]
    return "\n".join(lines) + "\n" + extra


class Pair:
    """A remote broker and a local culex bridging to it, the bridge up (and its remote SUBSCRIBE answered)."""

    def __init__(self, directory, topics, remote="culex", extra="", remote_id="site1"):
        self.remote_dir, self.local_dir = site_dirs(directory)
        self.remote = start_culex(self.remote_dir) if remote == "culex" else start_mosquitto(self.remote_dir)
        self.remote_id = remote_id
        self.local = start_culex(self.local_dir, bridge_config(self.remote.port, topics, remote_id=remote_id,
                                                               extra=extra))
        self.local.log.wait_for(BRIDGE_UP.format("b", self.remote.port, remote_id), timeout=WAIT)
        if any(" in" in t or " both" in t for t in topics):
            self.remote.log.wait_for(rf"Sending SUBACK to {remote_id}", timeout=WAIT)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self.local.stop()
        self.remote.stop()


@pytest.fixture
def tmp():
    with tempfile.TemporaryDirectory() as d:
        yield d


def site_dirs(tmp):
    """Two brokers' directories under `tmp`: the remote's and the local's (the one with the bridge)."""
    remote_dir, local_dir = Path(tmp) / "remote", Path(tmp) / "local"
    remote_dir.mkdir()
    local_dir.mkdir()
    return remote_dir, local_dir


def test_out_forwards_local_messages_to_the_remote(tmp):
    with Pair(tmp, ["out/# out 1"]) as pair:
        sub = connected(pair.remote.port, "remote-sub")
        sub.subscribe("out/#", 1)
        pub = connected(pair.local.port, "local-pub")
        pub.publish("out/a", b"hello", qos=1)
        m = sub.next_message()
        assert (m.topic, m.payload, m.qos) == ("out/a", b"hello", 1)
        pub.publish("elsewhere", b"not bridged", qos=1)
        pub.publish("out/b", b"second", qos=0)
        assert sub.next_message().payload == b"second"  # QoS 0 crosses too; "elsewhere" did not
        sub.disconnect()
        pub.disconnect()


def test_qos2_goes_out_exactly_once(tmp):
    with Pair(tmp, ["two/# out 2"]) as pair:
        sub = connected(pair.remote.port, "remote-sub")
        sub.subscribe("two/#", 2)
        pub = connected(pair.local.port, "local-pub")
        for i in range(20):
            pub.publish(f"two/{i}", str(i).encode(), qos=2)
        got = [sub.next_message() for _ in range(20)]
        assert [int(m.payload) for m in got] == list(range(20))
        assert {m.qos for m in got} == {2}
        assert sub.no_message()


def test_mqtt5_bridge_uses_no_local_instead_of_the_bridge_bit(tmp):
    with Pair(tmp, ["v5/# both 1"], extra="bridge_protocol_version mqttv50\n") as pair:
        pair.remote.log.wait_for(r"New client connected from 127\.0\.0\.1:\d+ as site1 \(p5, c0, k60\)\.")
        local_sub = connected(pair.local.port, "local-sub")
        local_sub.subscribe("v5/#", 1)
        remote_sub = connected(pair.remote.port, "remote-sub")
        remote_sub.subscribe("v5/#", 1)
        connected(pair.local.port, "local-pub").publish("v5/l", b"from local", qos=1)
        connected(pair.remote.port, "remote-pub").publish("v5/r", b"from remote", qos=1)
        assert sorted(local_sub.next_message().payload for _ in range(2)) == [b"from local", b"from remote"]
        assert sorted(remote_sub.next_message().payload for _ in range(2)) == [b"from local", b"from remote"]
        assert local_sub.no_message(timeout=1.0)
        assert remote_sub.no_message(timeout=1.0)


def test_in_brings_remote_messages_to_the_local_broker(tmp):
    with Pair(tmp, ["in/# in 2"]) as pair:
        sub = connected(pair.local.port, "local-sub")
        sub.subscribe("in/#", 2)
        pub = connected(pair.remote.port, "remote-pub")
        pub.publish("in/x", b"from afar", qos=2)
        m = sub.next_message()
        assert (m.topic, m.payload, m.qos) == ("in/x", b"from afar", 2)
        # An `in` topic does not go out.
        remote_sub = connected(pair.remote.port, "remote-sub")
        remote_sub.subscribe("in/#", 1)
        local_pub = connected(pair.local.port, "local-pub")
        local_pub.publish("in/y", b"stays here", qos=1)
        pub.publish("in/z", b"marker", qos=1)
        assert remote_sub.next_message().payload == b"marker"
        assert remote_sub.no_message()
        for c in (sub, pub, remote_sub, local_pub):
            c.disconnect()


def test_both_crosses_each_way_and_echoes_nothing(tmp):
    with Pair(tmp, ["both/# both 1"]) as pair:
        pair.remote.log.wait_for(r"New bridge connected from 127\.0\.0\.1:\d+ as site1 \(p2, c0, k60\)\.")
        local_sub = connected(pair.local.port, "local-sub")
        local_sub.subscribe("both/#", 1)
        remote_sub = connected(pair.remote.port, "remote-sub")
        remote_sub.subscribe("both/#", 1)
        connected(pair.local.port, "local-pub").publish("both/l", b"from local", qos=1)
        connected(pair.remote.port, "remote-pub").publish("both/r", b"from remote", qos=1)
        local_got = sorted(local_sub.next_message().payload for _ in range(2))
        remote_got = sorted(remote_sub.next_message().payload for _ in range(2))
        assert local_got == [b"from local", b"from remote"]
        assert remote_got == [b"from local", b"from remote"]
        # An echo (a message sent back to the side it came from) would arrive as a second copy.
        assert local_sub.no_message(timeout=1.0)
        assert remote_sub.no_message(timeout=1.0)


def test_prefixes_remap_topics_both_ways(tmp):
    with Pair(tmp, ["sensors/# both 1 site/ central/", '"" out 1 local/one remote/one']) as pair:
        remote_sub = connected(pair.remote.port, "remote-sub")
        remote_sub.subscribe("#", 1)
        local_sub = connected(pair.local.port, "local-sub")
        local_sub.subscribe("site/#", 1)
        local_pub = connected(pair.local.port, "local-pub")
        local_pub.publish("site/sensors/t", b"21", qos=1)
        m = remote_sub.next_message()
        assert (m.topic, m.payload) == ("central/sensors/t", b"21")
        assert local_sub.next_message().topic == "site/sensors/t"  # its own local subscriber
        local_pub.publish("local/one", b"single", qos=1)
        m = remote_sub.next_message()
        assert (m.topic, m.payload) == ("remote/one", b"single")
        connected(pair.remote.port, "remote-pub").publish("central/sensors/u", b"22", qos=1)
        assert remote_sub.next_message().topic == "central/sensors/u"
        m = local_sub.next_message()
        assert (m.topic, m.payload) == ("site/sensors/u", b"22")


def test_notification_flag_on_both_sides(tmp):
    with Pair(tmp, ["n/# out 0"], remote_id="site9") as pair:
        state = "$SYS/broker/connection/site9/state"
        # Subscribed once the remote has it: a subscription racing the PUBLISH could get it twice (live and
        # retained), and the second "1" would stand where the "0" is awaited.
        pair.remote.log.wait_for(r"Received PUBLISH from site9 \(d0, q0, r1, m0, '\$SYS/broker/connection/site9/state'")
        remote_sub = connected(pair.remote.port, "remote-watch")
        remote_sub.subscribe(state, 1)
        m = remote_sub.next_message()
        assert (m.payload, m.retain) == (b"1", True)
        local_sub = connected(pair.local.port, "local-watch")
        local_sub.subscribe(state, 1)
        m = local_sub.next_message()
        assert (m.payload, m.retain) == (b"1", True)
        local_sub.disconnect()
        pair.local.stop()
        m = remote_sub.next_message()
        assert (m.topic, m.payload) == (state, b"0")


def test_the_will_says_0_when_the_bridge_dies(tmp):
    with Pair(tmp, ["n/# out 0"], remote_id="site8") as pair:
        # As above: subscribed once the remote holds the "1", or a subscription racing that PUBLISH may get it
        # twice (live and retained) and read the second "1" where the will's "0" is awaited (CI, under TSan).
        pair.remote.log.wait_for(r"Received PUBLISH from site8 \(d0, q0, r1, m0, '\$SYS/broker/connection/site8/state'")
        remote_sub = connected(pair.remote.port, "remote-watch")
        remote_sub.subscribe("$SYS/broker/connection/site8/state", 1)
        assert remote_sub.next_message().payload == b"1"
        pair.local.stop(sig=signal.SIGKILL)
        assert remote_sub.next_message().payload == b"0"


def test_outage_of_the_remote_loses_no_qos1_message(tmp):
    port = free_port()
    remote_dir, local_dir = site_dirs(tmp)
    remote_conf = f"persistence true\npersistence_location {remote_dir}/\n"
    listener = f"listener {port} 127.0.0.1"
    remote = start_culex(remote_dir, remote_conf, listener=listener)
    local = start_culex(local_dir, bridge_config(port, ["q/# out 1"]))
    count = 300
    try:
        local.log.wait_for(BRIDGE_UP.format("b", port, "site1"))
        keeper = connected(port, "keeper", clean_session=False)
        keeper.subscribe("q/#", 1)
        keeper.disconnect()
        remote.stop()
        local.log.wait_for(r"Bridge b disconnected from 127\.0\.0\.1:\d+")
        pub = connected(local.port, "local-pub")
        for i in range(count):
            pub.publish(f"q/{i}", str(i).encode(), qos=1)  # acknowledged by the local broker
        pub.disconnect()
        start = len(local.log.lines)
        remote = start_culex(remote_dir, remote_conf, listener=listener)
        local.log.wait_for(BRIDGE_UP.format("b", port, "site1"), timeout=30, start=start)
        keeper = connected(port, "keeper", clean_session=False)
        seen = []
        while len(set(seen)) < count:
            try:
                seen.append(int(keeper.next_message(timeout=30).payload))
            except queue.Empty:
                raise AssertionError(f"{len(set(seen))} of {count} messages arrived")
        first = list(dict.fromkeys(seen))  # QoS 1 may repeat; the first arrivals keep the publish order
        assert first == list(range(count))
        keeper.disconnect()
    finally:
        local.stop()
        remote.stop()


def test_failover_to_the_second_address(tmp):
    remote_dir, local_dir = site_dirs(tmp)
    remote = start_culex(remote_dir)
    dead = free_port()  # nothing listens there: connection refused
    conf = (f"connection b\naddresses 127.0.0.1:{dead} 127.0.0.1:{remote.port}\nremote_clientid site1\n"
            "restart_timeout 1\ntopic f/# out 1\n")
    local = start_culex(local_dir, conf)
    try:
        local.log.wait_for(rf"Connecting bridge b \(127\.0\.0\.1:{dead}\)")
        local.log.wait_for(BRIDGE_UP.format("b", remote.port, "site1"))
        sub = connected(remote.port, "remote-sub")
        sub.subscribe("f/#", 1)
        connected(local.port, "local-pub").publish("f/1", b"via the second", qos=1)
        assert sub.next_message().payload == b"via the second"
    finally:
        local.stop()
        remote.stop()


def test_culex_bridges_to_mosquitto(tmp):
    with Pair(tmp, ["up/# out 1", "down/# in 1"], remote="mosquitto") as pair:
        # Mosquitto recognises the bridge bit (try_private).
        pair.remote.log.wait_for(r"New bridge connected from 127\.0\.0\.1:\d+ as site1")
        remote_sub = connected(pair.remote.port, "m-sub")
        remote_sub.subscribe("up/#", 1)
        connected(pair.local.port, "c-pub").publish("up/1", b"to mosquitto", qos=1)
        assert remote_sub.next_message().payload == b"to mosquitto"
        local_sub = connected(pair.local.port, "c-sub")
        local_sub.subscribe("down/#", 1)
        connected(pair.remote.port, "m-pub").publish("down/1", b"from mosquitto", qos=1)
        assert local_sub.next_message().payload == b"from mosquitto"


def test_mosquitto_bridges_into_culex(tmp):
    culex_dir = Path(tmp) / "culex"
    mosq_dir = Path(tmp) / "mosquitto"
    culex_dir.mkdir()
    mosq_dir.mkdir()
    culex = start_culex(culex_dir)
    mosquitto = start_mosquitto(mosq_dir, f"connection tocx\naddress 127.0.0.1:{culex.port}\n"
                                          "remote_clientid mosq-bridge\nrestart_timeout 1\ntopic m/# both 1\n")
    try:
        culex.log.wait_for(r"New bridge connected from 127\.0\.0\.1:\d+ as mosq-bridge \(p2, c0, k60\)\.")
        culex.log.wait_for(r"Sending SUBACK to mosq-bridge")
        culex_sub = connected(culex.port, "c-sub")
        culex_sub.subscribe("m/#", 1)
        mosq_sub = connected(mosquitto.port, "m-sub")
        mosq_sub.subscribe("m/#", 1)
        connected(mosquitto.port, "m-pub").publish("m/from-mosquitto", b"1", qos=1)
        assert culex_sub.next_message().topic == "m/from-mosquitto"
        assert mosq_sub.next_message().topic == "m/from-mosquitto"
        connected(culex.port, "c-pub").publish("m/from-culex", b"2", qos=1)
        assert mosq_sub.next_message().topic == "m/from-culex"
        assert culex_sub.next_message().topic == "m/from-culex"
        # culex does not echo what the bridge published back to it: mosquitto would hand it out twice.
        assert mosq_sub.no_message(timeout=1.0)
        assert culex_sub.no_message(timeout=1.0)
    finally:
        mosquitto.stop()
        culex.stop()


def test_lazy_bridge_connects_at_threshold_and_leaves_when_idle(tmp):
    port = free_port()
    remote_dir, local_dir = site_dirs(tmp)
    remote = start_culex(remote_dir, listener=f"listener {port} 127.0.0.1")
    # One loop: a message the local broker acknowledged has reached the bridge by then.
    local = start_culex(local_dir, "threads 1\n" + bridge_config(
        port, ["lz/# out 1"], extra="start_type lazy\nthreshold 5\nidle_timeout 2\n"))
    try:
        local.log.wait_for(r"Bridge b waits for 5 queued messages before it connects \(start_type lazy\)\.")
        keeper = connected(port, "keeper", clean_session=False)
        keeper.subscribe("lz/#", 1)
        pub = connected(local.port, "local-pub")
        for i in range(4):
            pub.publish(f"lz/{i}", str(i).encode(), qos=1)  # waits for its PUBACK
        assert "Connecting bridge b" not in local.log.text()  # 4 wait: below the threshold
        assert "site1" not in remote.log.text()
        pub.publish("lz/4", b"4", qos=1)
        local.log.wait_for(r"Bridge b: 5 messages wait for the remote \(threshold 5\): connecting\.")
        local.log.wait_for(BRIDGE_UP.format("b", port, "site1"))
        assert sorted(int(keeper.next_message().payload) for _ in range(5)) == list(range(5))
        # Nothing more to carry: after idle_timeout the bridge leaves the remote, and waits again.
        local.log.wait_for(r"Bridge b was idle for 2 s: disconnecting \(start_type lazy\)\.", timeout=WAIT)
        remote.log.wait_for(r"Client site1 disconnected\.")
        pub.disconnect()
        keeper.disconnect()
    finally:
        local.stop()
        remote.stop()


def test_messages_waiting_for_the_remote_survive_a_restart_of_culex(tmp):
    port = free_port()
    remote_dir, local_dir = site_dirs(tmp)
    remote_conf = f"persistence true\npersistence_location {remote_dir}/\n"
    local_conf = f"persistence true\npersistence_location {local_dir}/\n" + bridge_config(port, ["p/# out 1"])
    listener = f"listener {port} 127.0.0.1"
    remote = start_culex(remote_dir, remote_conf, listener=listener)
    local = start_culex(local_dir, local_conf)
    count = 50
    try:
        local.log.wait_for(BRIDGE_UP.format("b", port, "site1"))
        keeper = connected(port, "keeper", clean_session=False)
        keeper.subscribe("p/#", 1)
        keeper.disconnect()
        remote.stop()
        local.log.wait_for(r"Bridge b disconnected from 127\.0\.0\.1:\d+")
        pub = connected(local.port, "local-pub")
        for i in range(count):
            pub.publish(f"p/{i}", str(i).encode(), qos=1)
        pub.disconnect()
        local.stop()  # the local broker goes down with the messages still waiting for the remote
        remote = start_culex(remote_dir, remote_conf, listener=listener)
        local = start_culex(local_dir, local_conf)
        local.log.wait_for(BRIDGE_UP.format("b", port, "site1"), timeout=30)
        keeper = connected(port, "keeper", clean_session=False)
        seen = []
        while len(set(seen)) < count:
            try:
                seen.append(int(keeper.next_message(timeout=30).payload))
            except queue.Empty:
                raise AssertionError(f"{len(set(seen))} of {count} messages arrived")
        assert list(dict.fromkeys(seen)) == list(range(count))
        keeper.disconnect()
    finally:
        local.stop()
        remote.stop()


def test_sighup_adds_and_removes_bridges_and_leaves_the_others_alone(tmp):
    with Pair(tmp, ["h/# out 1"]) as pair:
        conf = pair.local_dir / "broker.conf"
        first = conf.read_text()
        second = bridge_config(pair.remote.port, ["k/# out 1"], name="c", remote_id="site2")
        conf.write_text(first + second)
        start = len(pair.local.log.lines)
        pair.local.proc.send_signal(signal.SIGHUP)
        pair.local.log.wait_for(r"Bridge c added to the config: starting it\.", start=start)
        pair.local.log.wait_for(BRIDGE_UP.format("c", pair.remote.port, "site2"), start=start)
        pair.remote.log.wait_for(r"New bridge connected from 127\.0\.0\.1:\d+ as site2")
        # The first bridge kept its connection: the remote saw it connect once.
        assert len([l for l in pair.remote.log.lines if "New bridge connected" in l and " as site1 " in l]) == 1
        assert "Bridge b" not in "\n".join(pair.local.log.lines[start:])
        sub = connected(pair.remote.port, "remote-sub")
        sub.subscribe("h/#", 1)
        sub.subscribe("k/#", 1)
        pub = connected(pair.local.port, "local-pub")
        pub.publish("h/1", b"by b", qos=1)
        pub.publish("k/1", b"by c", qos=1)
        assert sorted(sub.next_message().payload for _ in range(2)) == [b"by b", b"by c"]
        # Now without b: its remote sees it leave, and h/ no longer crosses; c goes on.
        conf.write_text(first.split("connection b")[0] + second)
        start = len(pair.local.log.lines)
        pair.local.proc.send_signal(signal.SIGHUP)
        pair.local.log.wait_for(r"Bridge b removed from the config: stopping it\.", start=start)
        pair.remote.log.wait_for(r"Client site1 disconnected\.")
        pub.publish("h/2", b"stays", qos=1)
        pub.publish("k/2", b"still by c", qos=1)
        assert sub.next_message().payload == b"still by c"
        assert sub.no_message()
        assert "Bridge c" not in "\n".join(pair.local.log.lines[start:])


def test_the_remote_receive_maximum_bounds_what_is_in_flight(tmp):
    # The remote (culex) says Receive Maximum 2 in its CONNACK, and disconnects a client that has more than 2
    # QoS 2 messages unreleased: every message arriving, and no such violation, shows the bridge kept to it.
    port = free_port()
    remote_dir, local_dir = site_dirs(tmp)
    remote = start_culex(remote_dir, "max_inflight_messages 2\n", listener=f"listener {port} 127.0.0.1")
    local = start_culex(local_dir, bridge_config(port, ["rm/# out 2"], extra="bridge_protocol_version mqttv50\n"))
    try:
        local.log.wait_for(BRIDGE_UP.format("b", port, "site1"))
        sub = connected(port, "remote-sub")
        sub.subscribe("rm/#", 2)
        pub = connected(local.port, "local-pub")
        for i in range(40):
            pub.publish(f"rm/{i}", str(i).encode(), qos=2)
        got = [int(sub.next_message().payload) for _ in range(40)]
        assert got == list(range(40))
        assert "Receive Maximum" not in remote.log.text()
        assert len([l for l in local.log.lines if "Bridge b connected" in l]) == 1
    finally:
        local.stop()
        remote.stop()


def test_bridge_figures_in_sys(tmp):
    remote_dir, local_dir = site_dirs(tmp)
    remote = start_culex(remote_dir)
    local = start_culex(local_dir, "sys_interval 1\n" + bridge_config(remote.port, ["f/# out 1"], remote_id="site7"))
    try:
        local.log.wait_for(BRIDGE_UP.format("b", remote.port, "site7"))
        pub = connected(local.port, "local-pub")
        for i in range(3):
            pub.publish(f"f/{i}", b"x", qos=1)
        watch = connected(local.port, "watch")
        watch.subscribe("$SYS/broker/connection/site7/bridge/#", 0)
        seen = {}
        names = {"state", "address", "queued", "forwarded/out", "forwarded/in", "reconnects"}
        while seen.get("forwarded/out") != b"3" or not names <= seen.keys():
            m = watch.next_message(timeout=WAIT)
            seen[m.topic.split("/bridge/", 1)[1]] = m.payload
        assert seen["state"] == b"connected"
        assert seen["address"] == f"127.0.0.1:{remote.port}".encode()
        assert seen["queued"] == b"0"
        assert seen["reconnects"] == b"0"
    finally:
        local.stop()
        remote.stop()


def test_bridge_max_packet_size_drops_what_is_too_big_and_nothing_else(tmp):
    with Pair(tmp, ["big/# out 1"], extra="bridge_max_packet_size 100\n") as pair:
        sub = connected(pair.remote.port, "remote-sub")
        sub.subscribe("big/#", 1)
        pub = connected(pair.local.port, "local-pub")
        pub.publish("big/1", b"x" * 500, qos=1)
        pub.publish("big/2", b"small", qos=1)
        m = sub.next_message()
        assert (m.topic, m.payload) == ("big/2", b"small")
        pair.local.log.wait_for(r"Bridge b: a message on 'big/1' is larger than the remote's maximum packet size "
                                r"\(100 bytes\): dropped\.")
        # Each dropped one is acknowledged locally: more of them than the in-flight window (20) would
        # otherwise fill it for ever, and the small one after them would never go.
        for i in range(25):
            pub.publish(f"big/n{i}", b"x" * 500, qos=1)
        pub.publish("big/3", b"after", qos=1)
        assert sub.next_message().payload == b"after"
        assert sub.no_message()
