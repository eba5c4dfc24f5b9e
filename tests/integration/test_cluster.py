"""Cluster mode on NATS (docs/cluster.md): three nats-server processes clustered with JetStream and three culex
nodes, each node on its own server, all on 127.0.0.1 with free ports. A PUBLISH on one node reaches
subscribers on another (QoS 0 and 1, MQTT 5 properties kept), and a NATS message that is no culex frame is
skipped with a warning; a retained message set on one node is seen from
another, and by a node started later; a second live node with the same cluster_node is refused; a node whose
NATS goes away keeps serving its local clients and says so; a message no other node wants never leaves its
node, and flows as soon as another node subscribes (a node started later knows that interest at once); a
client id is connected once in the cluster: a new connection on any node takes over the old one; a shared
subscription with members on two nodes gets each message once in the whole cluster; $SYS/broker/cluster/...
tells the link's state, the messages sent and received, and the interest known; a persistent session that
subscribed on one node resumes on a third with the 200 QoS 1 messages published through a second while it was
offline, in order, none twice; SIGKILL of the node a QoS 1 publisher talks to loses no acknowledged message
for a persistent session elsewhere, nor does SIGKILL between PUBREC and PUBREL; a session connected on a node that
is SIGKILLed, or taken over from a live one with a message unacknowledged, resumes on another with what its
client had not acknowledged; the will of a killed node's client is published once by one survivor, which
sweeps the dead node's expired session records; /metrics has the cluster's families. Runs alone: pytest tests/integration/test_cluster.py
(under 10 s with a Release build; -m cluster selects it too)."""
import json
import queue
import random
import re
import signal
import socket
import struct
import subprocess
import time
import urllib.request

import paho.mqtt.client as mqtt
import pytest

from brokers import Broker, LogWatcher, start_culex, write_config
from conftest import culex_binary, free_port
from mqtt_peers import (WAIT, PahoClient, V5Client, connected, mqtt_string, publish_packet, raw_connect, recv_exact, varint,
                        wait_closed)

pytestmark = pytest.mark.cluster

READY = 30.0  # seconds: the bound on a NATS cluster electing its JetStream leader


class NatsServer:
    """One nats-server with JetStream, its store under `directory`, optionally routed to others."""

    def __init__(self, directory, name, cluster_port=None, routes=()):
        self.port, self.monitor = free_port(), free_port()
        directory.mkdir(parents=True, exist_ok=True)
        args = ["nats-server", "-a", "127.0.0.1", "-p", str(self.port), "-m", str(self.monitor), "-js",
                "-sd", str(directory), "--server_name", name]
        if cluster_port:
            args += ["--cluster_name", "culex-test", "--cluster", f"nats://127.0.0.1:{cluster_port}",
                     "--routes", ",".join(f"nats://127.0.0.1:{p}" for p in routes)]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.log = LogWatcher(self.proc.stdout)
        self.url = f"nats://127.0.0.1:{self.port}"

    def monitoring(self, path):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.monitor}{path}", timeout=2) as response:
            return json.loads(response.read())

    def jetstream_ready(self, cluster_size):
        """JetStream is on and, in a cluster, its meta group has a leader and every peer."""
        try:
            if self.monitoring("/healthz").get("status") != "ok":
                return False
            jsz = self.monitoring("/jsz")
        except (OSError, ValueError):
            return False
        if cluster_size == 1:
            return jsz.get("config") is not None
        meta = jsz.get("meta_cluster") or {}
        return bool(meta.get("leader")) and meta.get("cluster_size") == cluster_size

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def wait_until(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)  # polling a condition with a bound, not synchronising on time
    raise AssertionError(f"{what} within {timeout}s")


def start_nats_cluster(directory, count=3):
    cluster_ports = [free_port() for _ in range(count)]
    servers = [NatsServer(directory / f"nats{i}", f"n{i}", cluster_ports[i],
                          [p for j, p in enumerate(cluster_ports) if j != i]) for i in range(count)]
    try:
        for server in servers:
            wait_until(lambda: server.jetstream_ready(count), READY,
                       f"nats-server {server.url} did not report JetStream ready\n" + server.log.text())
    except BaseException:
        for server in servers:
            server.stop()
        raise
    return servers


def start_node(directory, name, nats_urls, extra_config=""):
    directory.mkdir(parents=True, exist_ok=True)
    node = start_culex(directory, f"cluster_nats {','.join(nats_urls)}\ncluster_node {name}\n{extra_config}")
    node.log.wait_for(rf"cluster: node {name} joined the cluster", timeout=READY)
    return node


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Three NATS servers in one cluster, and culex nodes a, b and c on servers 0, 1 and 2."""
    base = tmp_path_factory.mktemp("cluster")
    servers = start_nats_cluster(base)
    nodes = {}
    try:
        for i, name in enumerate("abc"):
            nodes[name] = start_node(base / name, name, [servers[i].url])
        yield servers, nodes, base
    finally:
        codes = {name: node.stop() for name, node in nodes.items()}
        for server in servers:
            server.stop()
    assert codes == {name: 0 for name in nodes}, "a node did not shut down cleanly"


def await_route(publisher, subscriber, topic, timeout=WAIT):
    """Publishes probes on `topic` from `publisher` until `subscriber` receives one: the subscriber's interest
    has then reached the publisher's NATS server (it travels between servers on its own)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        publisher.publish(topic, b"probe", qos=0)
        try:
            message = subscriber.next_message(timeout=0.3)
        except Exception:
            continue
        assert message.payload == b"probe"
        while not subscriber.no_message(timeout=0.3):  # later probes that were already on their way
            pass
        return
    raise AssertionError(f"no probe on {topic} crossed between the nodes within {timeout}s")


def test_publish_on_one_node_reaches_subscribers_on_another(cluster):
    _, nodes, _ = cluster
    subscriber = connected(nodes["a"].port, "sub-on-a")
    assert subscriber.subscribe("plant/#", qos=1) == (1,)
    # Node a now holds two NATS subscriptions that match plant/line1/temp: NATS hands it over twice.
    assert subscriber.subscribe("plant/+/temp", qos=0) == (0,)
    publisher = connected(nodes["b"].port, "pub-on-b")
    await_route(publisher, subscriber, "plant/probe")

    publisher.publish("plant/line1/temp", b"21.5", qos=0)
    publisher.publish("plant/line1/state", b"running", qos=1)
    publisher.publish("plant", b"the parent level too", qos=1)  # `plant/#` matches `plant` (spec 4.7.1.2)
    got = [subscriber.next_message() for _ in range(3)]
    assert [(m.topic, m.payload, m.qos) for m in got] == [
        ("plant/line1/temp", b"21.5", 0), ("plant/line1/state", b"running", 1),
        ("plant", b"the parent level too", 1)]
    assert subscriber.no_message()  # once each: node a dropped NATS's second copy of plant/line1/temp
    nodes["a"].log.wait_for(r"Sending PUBLISH to sub-on-a \(d0, q1, r0, m\d+, 'plant/line1/state'")
    subscriber.disconnect()
    publisher.disconnect()


def test_topics_that_need_escaping_and_mqtt5_properties_cross(cluster):
    _, nodes, _ = cluster
    subscriber = connected(nodes["c"].port, "sub-on-c", protocol=mqtt.MQTTv5)
    subscriber.subscribe("odd/+/x y", qos=1)
    publisher = connected(nodes["a"].port, "pub-on-a", protocol=mqtt.MQTTv5)
    await_route(publisher, subscriber, "odd/probe/x y")

    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties
    properties = Properties(PacketTypes.PUBLISH)
    properties.ContentType = "text/plain"
    properties.UserProperty = [("site", "north")]
    info = publisher.client.publish("odd/v1.2$*>/x y", b"escaped", qos=1, properties=properties)
    info.wait_for_publish(timeout=WAIT)
    message = subscriber.next_message()
    assert message.topic == "odd/v1.2$*>/x y"
    assert message.payload == b"escaped"
    assert message.properties.ContentType == "text/plain"
    assert message.properties.UserProperty == [("site", "north")]
    subscriber.disconnect()
    publisher.disconnect()


def raw_nats_publish(server, messages):
    """Publishes (subject, data) pairs on `server` as a bare NATS client, and returns once the server has
    them all (PING answered by PONG)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=WAIT) as sock:
        sock.settimeout(WAIT)
        got = b""
        while b"\r\n" not in got:
            got += sock.recv(4096)  # INFO {...}
        out = b'CONNECT {"verbose":false,"pedantic":false}\r\n'
        for subject, data in messages:
            out += f"PUB {subject} {len(data)}\r\n".encode() + data + b"\r\n"
        sock.sendall(out + b"PING\r\n")
        got = b""
        while b"PONG" not in got:
            chunk = sock.recv(4096)
            assert chunk, "nats-server closed the connection"
            assert b"-ERR" not in chunk, chunk
            got += chunk


def test_a_message_that_is_no_culex_frame_is_skipped_with_a_warning(cluster):
    """What crosses nodes is a binary frame (docs/cluster.md, "Routing"): one that is not culex's, or is cut
    short, is refused with a warning naming the subject and the cause, and the node goes on routing."""
    servers, nodes, _ = cluster
    subscriber = connected(nodes["a"].port, "sub-frames")
    assert subscriber.subscribe("frames/#", qos=0) == (0,)
    publisher = connected(nodes["b"].port, "pub-frames")
    await_route(publisher, subscriber, "frames/probe")
    start = len(nodes["a"].log.lines)
    raw_nats_publish(servers[0], [("culex.msg.frames.x", b"hello"),            # no version byte
                                  ("culex.msg.frames.x", b"\xc1"),             # shorter than a header
                                  ("culex.msg.frames.x", b"\xc1\x08\x7fab")])  # origin cut short
    log = nodes["a"].log
    log.wait_for(re.escape("Warning: cluster: message from NATS on 'culex.msg.frames.x' skipped: version byte "
                           "0x68"), start=start)
    log.wait_for(re.escape("skipped: 1 bytes: shorter than a frame's header"), start=start)
    log.wait_for(re.escape("skipped: origin cut short"), start=start)
    publisher.publish("frames/after", b"still routing", qos=0)
    message = subscriber.next_message()
    assert (message.topic, message.payload) == ("frames/after", b"still routing")
    assert subscriber.no_message()
    subscriber.disconnect()
    publisher.disconnect()


def node_subjects(server, node):
    """The NATS subjects culex node `node` subscribes to on `server`, from its monitoring port (/connz)."""
    for connection in server.monitoring("/connz?subs=1").get("connections", []):
        if connection.get("name") == f"culex node {node}":
            return sorted(s for s in connection.get("subscriptions_list", []) if s.startswith("culex.msg."))
    return None


def test_interest_is_one_nats_subscription_per_subject_and_goes_with_the_last(cluster):
    servers, nodes, _ = cluster
    first = connected(nodes["b"].port, "interest-1")
    second = connected(nodes["b"].port, "interest-2")
    first.subscribe("interest/#", qos=0)
    second.subscribe("interest/#", qos=1)
    second.subscribe("interest/+/x", qos=1)
    wanted = ["culex.msg.interest", "culex.msg.interest.*.x", "culex.msg.interest.>"]
    wait_until(lambda: node_subjects(servers[1], "b") == wanted, WAIT,
               f"node b's NATS subscriptions are not {wanted}: {node_subjects(servers[1], 'b')}")
    first.disconnect()  # a clean session ends: one of two sessions on interest/# is left
    second.client.unsubscribe("interest/+/x")
    wanted = ["culex.msg.interest", "culex.msg.interest.>"]
    wait_until(lambda: node_subjects(servers[1], "b") == wanted, WAIT,
               f"node b's NATS subscriptions are not {wanted}: {node_subjects(servers[1], 'b')}")
    second.disconnect()
    wait_until(lambda: node_subjects(servers[1], "b") == [], WAIT,
               f"node b still subscribes to {node_subjects(servers[1], 'b')}")


def node_in_msgs(server, node):
    """How many messages culex node `node` has sent to `server` (its NATS connection's in_msgs, /connz)."""
    for connection in server.monitoring("/connz").get("connections", []):
        if connection.get("name") == f"culex node {node}":
            return connection["in_msgs"]
    raise AssertionError(f"node {node} has no connection on {server.url}")


def publish_and_count(server, node, publisher, subscribers, topic, count):
    """Publishes `count` QoS 0 messages on `topic` through `publisher`, waits until each of `subscribers` got
    them all (so the node has routed them), and returns how many messages the node sent to NATS meanwhile."""
    before = node_in_msgs(server, node)
    for i in range(count):
        publisher.publish(topic, str(i).encode(), qos=0)
    for subscriber in subscribers:
        got = [subscriber.next_message().payload for _ in range(count)]
        assert got == [str(i).encode() for i in range(count)]
    return node_in_msgs(server, node) - before


def test_message_without_remote_interest_stays_on_its_node(cluster):
    servers, nodes, _ = cluster
    local = connected(nodes["a"].port, "quiet-local-sub")
    local.subscribe("quiet/#", qos=0)
    publisher = connected(nodes["a"].port, "quiet-pub")
    # Nobody on b or c wants quiet/...: node a keeps the messages (a few messages of its own, as the renewal of
    # its name's claim, may go to NATS meanwhile).
    assert publish_and_count(servers[0], "a", publisher, [local], "quiet/x", 300) < 30

    remote = connected(nodes["c"].port, "quiet-remote-sub")
    remote.subscribe("quiet/+", qos=0)
    await_route(publisher, remote, "quiet/probe")  # as soon as c's interest is known on a, messages flow
    while not local.no_message(timeout=0.3):  # the probes, delivered locally too
        pass
    # Counted once the remote subscriber has them all: they have all passed through NATS by then.
    assert publish_and_count(servers[0], "a", publisher, [local, remote], "quiet/x", 100) >= 100

    remote.disconnect()  # c's last subscription on quiet/+ goes: so does its interest, on a too
    wait_until(lambda: publish_and_count(servers[0], "a", publisher, [local], "quiet/x", 50) < 10, WAIT,
               "node a still sends quiet/x to NATS after the remote subscriber left")
    local.disconnect()
    publisher.disconnect()


def test_interest_of_a_killed_node_goes_when_its_claim_lapses(cluster):
    servers, nodes, base = cluster
    doomed = start_node(base / "k", "k", [servers[2].url])
    remote = connected(doomed.port, "doomed-sub")
    remote.subscribe("doomed/#", qos=0)
    local = connected(nodes["a"].port, "doomed-local-sub")
    local.subscribe("doomed/#", qos=0)
    publisher = connected(nodes["a"].port, "doomed-pub")
    await_route(publisher, remote, "doomed/probe")
    while not local.no_message(timeout=0.3):  # the probes, delivered locally too
        pass
    remote.drop()
    doomed.proc.kill()  # no clean stop: no "gone"; its claim lapses after 15 s, then a forgets its interest
    doomed.proc.wait(timeout=WAIT)
    wait_until(lambda: publish_and_count(servers[0], "a", publisher, [local], "doomed/x", 50) < 10,
               READY, "node a still sends doomed/x to NATS after node k's claim lapsed")
    local.disconnect()
    publisher.disconnect()


def test_node_started_later_knows_the_interest_of_the_others(cluster):
    servers, nodes, base = cluster
    subscriber = connected(nodes["c"].port, "late-interest-sub")
    subscriber.subscribe("late/#", qos=1)
    probe = connected(nodes["b"].port, "late-interest-probe")
    await_route(probe, subscriber, "late/probe")  # c's NATS subscription has reached server 1
    probe.disconnect()
    late = start_node(base / "e", "e", [servers[1].url])
    try:
        # Node e learnt c's interest before it served anyone: its first message goes to c, no probe needed.
        publisher = connected(late.port, "late-pub")
        publisher.publish("late/first", b"from the start", qos=1)
        message = subscriber.next_message()
        assert (message.topic, message.payload) == ("late/first", b"from the start")
        publisher.disconnect()
    finally:
        assert late.stop() == 0
    subscriber.disconnect()


def raw_v5_connected(port, client_id):
    """A socket that has sent an MQTT 5 CONNECT (clean start) and read a successful CONNACK. Raw: paho 1.6
    ignores the reason code of a DISCONNECT without properties, as culex sends 0x8E."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
    variable = mqtt_string("MQTT") + bytes([5, 0x02]) + struct.pack("!H", 60) + b"\x00"
    body = variable + mqtt_string(client_id)
    sock.sendall(b"\x10" + varint(len(body)) + body)
    header = recv_exact(sock, 2)
    assert header[0] == 0x20, f"{client_id}: no CONNACK but {header!r}"
    connack = recv_exact(sock, header[1])
    assert connack[1] == 0, f"{client_id}: CONNACK reason {connack[1]:#x}"
    return sock


def disconnect_reason(sock):
    """The reason code of the DISCONNECT the broker sends on `sock` (it then closes it)."""
    header = recv_exact(sock, 2)
    assert header and header[0] == 0xE0, f"no DISCONNECT but {header!r}"
    reason = recv_exact(sock, header[1])[0] if header[1] else 0
    assert wait_closed(sock)
    sock.close()
    return reason


def test_client_id_is_connected_once_in_the_cluster(cluster):
    _, nodes, _ = cluster
    # Claims are written in the background and the last one written wins: each connection waits for its
    # node's claim before the next one connects elsewhere.
    claimed = r"Cluster: client id roamer claimed for this node"
    on_a = raw_v5_connected(nodes["a"].port, "roamer")
    nodes["a"].log.wait_for(claimed)
    on_b = raw_v5_connected(nodes["b"].port, "roamer")
    assert disconnect_reason(on_a) == 0x8E  # Session taken over
    nodes["a"].log.wait_for(r"Client roamer already connected to another node, closing old connection\.")

    on_c = connected(nodes["c"].port, "roamer")  # MQTT 3.1.1 this time
    on_c.client.reconnect_delay_set(min_delay=600, max_delay=600)  # paho would reconnect, and take over b
    assert disconnect_reason(on_b) == 0x8E
    nodes["c"].log.wait_for(claimed)
    nodes["b"].log.wait_for(r"Client roamer already connected to another node, closing old connection\.")

    # Back on a, where its first connection was closed: c's goes (MQTT 3.1.1 hears no reason: closed).
    again_on_a = connected(nodes["a"].port, "roamer", protocol=mqtt.MQTTv5)
    on_c.disconnects.get(timeout=WAIT)
    on_c.client.loop_stop()
    nodes["c"].log.wait_for(r"Client roamer already connected to another node, closing old connection\.")
    # The last connection stays, and works.
    again_on_a.subscribe("roamer/check", qos=1)
    again_on_a.publish("roamer/check", b"still here", qos=1)
    assert again_on_a.next_message().payload == b"still here"
    assert again_on_a.disconnects.empty()
    again_on_a.disconnect()


def collect(clients, count, skip=b"probe"):
    """Payloads each of `clients` receives (probes aside) until together they have `count`, then until none
    comes for half a second (a copy too many would show then)."""
    got = {client: [] for client in clients}
    deadline = time.monotonic() + WAIT

    def poll(timeout):
        arrived = False
        for client in clients:
            try:
                message = client.next_message(timeout=timeout)
            except Exception:
                continue
            arrived = True
            if message.payload != skip:
                got[client].append(message.payload)
        return arrived

    while sum(len(v) for v in got.values()) < count:
        assert time.monotonic() < deadline, f"only {sum(len(v) for v in got.values())} of {count} arrived"
        poll(0.05)
    while poll(0.5 / len(clients)):
        pass
    return got


def test_shared_subscription_across_nodes_delivers_each_message_once(cluster):
    _, nodes, _ = cluster
    member_a = connected(nodes["a"].port, "worker-on-a")
    member_a.subscribe("$share/workers/jobs/#", qos=1)
    member_b = connected(nodes["b"].port, "worker-on-b")
    member_b.subscribe("$share/workers/jobs/#", qos=1)
    plain_b = connected(nodes["b"].port, "watcher-on-b")  # a plain subscriber beside a member: its own copy
    plain_b.subscribe("jobs/#", qos=1)
    publisher = connected(nodes["c"].port, "jobs-pub")
    # Until NATS has handed probes to both nodes' queue subscriptions: both nodes' interest is then known.
    seen = set()
    deadline = time.monotonic() + WAIT
    while seen != {"a", "b"}:
        assert time.monotonic() < deadline, f"probes reached the members on {seen} only"
        publisher.publish("jobs/probe", b"probe", qos=0)
        for name, member in (("a", member_a), ("b", member_b)):
            if not member.no_message(timeout=0.05):
                seen.add(name)
    collect([member_a, member_b, plain_b], 0)  # what probes were still on their way

    jobs = [f"job {i}".encode() for i in range(200)]
    for job in jobs:
        publisher.publish("jobs/new", job, qos=1)
    got = collect([member_a, member_b], len(jobs))
    assert sorted(got[member_a] + got[member_b]) == sorted(jobs)  # each job once, in the whole cluster
    assert got[member_a] and got[member_b], "NATS's queue group gave every job to one node"
    assert collect([plain_b], len(jobs))[plain_b] == jobs  # the plain subscriber beside a member gets all

    # Published on a node that has a member: that member gets it (local first), and no other member does.
    local_jobs = [f"local {i}".encode() for i in range(50)]
    for job in local_jobs:
        member_a.publish("jobs/local", job, qos=1)  # no_local is not set: the member may get its own
    got = collect([member_a, member_b], len(local_jobs))
    assert got[member_a] == local_jobs and got[member_b] == []
    for client in (member_a, member_b, plain_b, publisher):
        client.disconnect()


def test_sys_topics_tell_the_cluster_figures(cluster):
    servers, nodes, base = cluster
    node = start_node(base / "s", "s", [servers[2].url], "sys_interval 1\n")
    try:
        figures = {}
        watcher = connected(node.port, "sys-watcher")
        watcher.subscribe("$SYS/broker/cluster/#", qos=0)

        def read_until(condition, what):
            deadline = time.monotonic() + WAIT
            while not condition():
                assert time.monotonic() < deadline, f"{what}: $SYS/broker/cluster says {figures}"
                try:
                    message = watcher.next_message(timeout=0.5)
                except Exception:
                    continue
                figures[message.topic.removeprefix("$SYS/broker/cluster/")] = message.payload.decode()

        read_until(lambda: figures.get("nats/connected") == "1" and int(figures.get("interest/nodes", 0)) >= 3,
                   "no link up with the interest of nodes a, b and c")
        subscriber = connected(nodes["a"].port, "sys-remote-sub")
        subscriber.subscribe("sysprobe/#", qos=0)
        publisher = connected(node.port, "sys-pub")
        await_route(publisher, subscriber, "sysprobe/x")  # s sends to a: counted in messages/sent
        read_until(lambda: int(figures.get("messages/sent", 0)) >= 1 and
                   int(figures.get("interest/remote", 0)) >= 1, "no message sent counted")
        subscriber.disconnect()
        publisher.disconnect()
        watcher.disconnect()
    finally:
        assert node.stop() == 0


def retained_on(port, client_id, quiet=0.5):
    """(topic, payload) of the retained messages a new subscriber to config/# on `port` gets, until `quiet`
    seconds pass without one."""
    reader = connected(port, client_id)
    reader.subscribe("config/#", qos=1)
    got = []
    try:
        while True:
            message = reader.next_message(timeout=quiet)
            if message.retain:
                got.append((message.topic, message.payload))
    except Exception:
        return got
    finally:
        reader.disconnect()


def test_retained_message_set_on_one_node_is_seen_from_another(cluster):
    servers, nodes, base = cluster
    publisher = connected(nodes["a"].port, "retainer-on-a")
    publisher.publish("config/site", b"v42", qos=1, retain=True)
    publisher.disconnect()

    # On node c: its follower of the retained stream learns it; a new subscriber then gets it. (A reader that
    # subscribes before A's PUBLISH has crossed gets it live, retain flag clear: it tries again.)
    deadline = time.monotonic() + WAIT
    while True:
        retained = retained_on(nodes["c"].port, "reader-on-c")
        if retained:
            break
        assert time.monotonic() < deadline, "the retained message never reached node c"
    assert retained == [("config/site", b"v42")]

    # A node started now loads it from JetStream before serving anyone.
    late = start_node(base / "d", "d", [servers[1].url])
    try:
        reader = connected(late.port, "reader-on-d")
        reader.subscribe("config/#", qos=1)
        message = reader.next_message()
        assert (message.topic, message.payload, message.retain) == ("config/site", b"v42", True)
        reader.disconnect()
    finally:
        assert late.stop() == 0

    # Cleared on node b (empty payload): node c's new subscribers no longer get it.
    clearer = connected(nodes["b"].port, "clearer-on-b")
    clearer.publish("config/site", b"", qos=1, retain=True)
    clearer.publish("config/marker", b"after", qos=1, retain=True)
    clearer.disconnect()
    deadline = time.monotonic() + WAIT
    while True:
        retained = retained_on(nodes["c"].port, "reader2-on-c")
        if retained == [("config/marker", b"after")]:
            break
        assert time.monotonic() < deadline, f"node c still serves {retained} after the clear"


def test_duplicate_node_name_is_refused(cluster):
    servers, _, base = cluster
    directory = base / "dup"
    directory.mkdir()
    config = write_config(directory, f"listener 0 127.0.0.1\nallow_anonymous true\n"
                                     f"cluster_nats {servers[2].url}\ncluster_node a\n")
    duplicate = Broker([culex_binary(), "broker", "-c", config, "-v"])
    duplicate.log.wait_for(r"cluster_node a is already held by a live node .*: give this node another name",
                           timeout=READY)
    assert duplicate.proc.wait(timeout=WAIT) == 1


def test_node_whose_nats_goes_away_keeps_serving_local_clients(tmp_path):
    server = NatsServer(tmp_path / "nats", "alone")
    try:
        wait_until(lambda: server.jetstream_ready(1), READY, "nats-server did not start JetStream")
        node = start_node(tmp_path / "node", "lonely", [server.url])
        subscriber = connected(node.port, "local-sub")
        subscriber.subscribe("local/#", qos=1)
        server.stop(signal.SIGKILL)
        node.log.wait_for(r"Warning: cluster: lost the connection to NATS", timeout=WAIT)
        publisher = connected(node.port, "local-pub")
        publisher.publish("local/a", b"still served", qos=1)
        publisher.publish("local/b", b"zero", qos=0)
        assert [subscriber.next_message().payload for _ in range(2)] == [b"still served", b"zero"]
        subscriber.disconnect()
        publisher.disconnect()
        assert node.stop() == 0
    finally:
        server.stop()


def test_persistent_session_moves_to_a_third_node_and_gets_every_message_it_missed(cluster):
    _, nodes, _ = cluster
    subscriber = connected(nodes["a"].port, "mover", clean_session=False)
    assert subscriber.subscribe("mover/t", qos=1) == (1,)
    subscriber.disconnect()
    # The session's record is written in the background once its connection ends.
    nodes["a"].log.wait_for(r"Cluster: session of client mover recorded")
    publisher = connected(nodes["b"].port, "mover-pub")
    sent = [f"m{i}".encode() for i in range(200)]
    for payload in sent:
        publisher.publish("mover/t", payload, qos=1)  # each waits for its PUBACK
    publisher.disconnect()

    back = connected(nodes["c"].port, "mover", clean_session=False)
    assert [back.next_message().payload for _ in sent] == sent  # all, in order
    nodes["c"].log.wait_for(r"Cluster: client mover resumed its session from node a: 1 subscriptions, "
                            r"200 messages it missed\.")
    nodes["a"].log.wait_for(r"Client mover resumed its session on another node: ended here\.")
    # None twice: a message published on c after the resumption comes next, after the 200.
    marker = connected(nodes["c"].port, "mover-marker")
    marker.publish("mover/t", b"end", qos=1)
    assert back.next_message().payload == b"end"
    marker.disconnect()
    back.disconnect()


def test_sigkill_of_the_publishers_node_loses_no_acknowledged_message(cluster):
    servers, nodes, base = cluster
    doomed = start_node(base / "victim", "victim", [servers[1].url])
    subscriber = connected(nodes["a"].port, "keeper", clean_session=False)
    assert subscriber.subscribe("keeper/t", qos=1) == (1,)
    subscriber.disconnect()
    nodes["a"].log.wait_for(r"Cluster: session of client keeper recorded")

    publisher = PahoClient(doomed.port, "keeper-pub")
    assert publisher.connack()[1] == 0
    index_of = {}
    for i in range(2000):  # paho keeps 20 in flight and queues the rest
        index_of[publisher.client.publish("keeper/t", f"k{i}".encode(), qos=1).mid] = i
    acknowledged = set()
    kill_after = random.randint(20, 400)
    while len(acknowledged) < kill_after:
        acknowledged.add(index_of[publisher.published.get(timeout=WAIT)])
    doomed.proc.kill()  # SIGKILL, at a moment the publisher does not choose
    doomed.proc.wait(timeout=WAIT)
    publisher.client.loop_stop()
    while not publisher.published.empty():  # PUBACKs paho read before the connection went
        acknowledged.add(index_of[publisher.published.get_nowait()])

    back = connected(nodes["c"].port, "keeper", clean_session=False)
    received = set()
    deadline = time.monotonic() + WAIT
    while not acknowledged <= received and time.monotonic() < deadline:
        try:
            payload = back.next_message(timeout=max(0.1, deadline - time.monotonic())).payload
        except queue.Empty:
            break
        received.add(int(payload[1:]))
    missing = sorted(acknowledged - received)
    assert not missing, f"{len(missing)} acknowledged messages lost, the first: {missing[:10]}"
    back.disconnect()


def test_sigkill_between_pubrec_and_pubrel_loses_nothing(cluster):
    """PUBREC says the broker owns a QoS 2 message: it is in JetStream before the PUBREC leaves, so a node
    killed before the PUBREL has lost nothing a persistent session elsewhere should get."""
    servers, nodes, base = cluster
    doomed = start_node(base / "q2-victim", "q2-victim", [servers[1].url])
    subscriber = connected(nodes["a"].port, "q2-keeper", clean_session=False)
    assert subscriber.subscribe("q2-keeper/t", qos=2) == (2,)
    subscriber.disconnect()
    nodes["a"].log.wait_for(r"Cluster: session of client q2-keeper recorded")

    publisher, connack = raw_connect(doomed.port, "q2-pub")
    assert connack == b"\x20\x02\x00\x00"
    publisher.sendall(publish_packet("q2-keeper/t", b"owned at PUBREC", qos=2, packet_id=7))
    assert recv_exact(publisher, 4) == b"\x50\x02\x00\x07"  # PUBREC; no PUBREL follows
    doomed.proc.kill()
    doomed.proc.wait(timeout=WAIT)
    publisher.close()

    back = connected(nodes["c"].port, "q2-keeper", clean_session=False)
    message = back.next_message()
    assert (message.topic, message.payload, message.qos) == ("q2-keeper/t", b"owned at PUBREC", 2)
    assert back.no_message()
    back.disconnect()


def test_session_connected_on_a_killed_node_resumes_on_another(cluster):
    """A persistent session is recorded while its client is connected: when its node is SIGKILLed, the client
    reconnects to another node and gets every message published after what it acknowledged (at least once)."""
    servers, nodes, base = cluster
    doomed = start_node(base / "s-victim", "s-victim", [servers[1].url])
    subscriber = connected(doomed.port, "survivor", clean_session=False)
    assert subscriber.subscribe("survivor/#", qos=1) == (1,)
    doomed.log.wait_for(r"Cluster: session of client survivor recorded")  # with its subscription
    publisher = connected(nodes["a"].port, "survivor-pub")
    await_route(publisher, subscriber, "survivor/probe")
    for i in range(50):
        publisher.publish("survivor/t", f"s{i}".encode(), qos=1)  # each waits for its PUBACK
    assert [subscriber.next_message().payload for _ in range(50)] == [f"s{i}".encode() for i in range(50)]
    # Acknowledged (paho sends PUBACK at once): the record moves past them at a checkpoint.
    doomed.log.wait_for(r"Cluster: session of client survivor checkpointed")
    subscriber.client.loop_stop()
    doomed.proc.kill()
    doomed.proc.wait(timeout=WAIT)
    for i in range(50, 100):
        publisher.publish("survivor/t", f"s{i}".encode(), qos=1)  # stored in JetStream, nobody routed to

    back = connected(nodes["c"].port, "survivor", clean_session=False)
    received = []
    deadline = time.monotonic() + WAIT
    while not set(range(50, 100)) <= set(received) and time.monotonic() < deadline:
        try:
            payload = back.next_message(timeout=max(0.1, deadline - time.monotonic())).payload
        except queue.Empty:
            break
        received.append(int(payload[1:]))
    missing = sorted(set(range(50, 100)) - set(received))
    assert not missing, f"{len(missing)} messages lost, the first: {missing[:10]}"
    replayed = [i for i in received if i >= 50]
    assert replayed == sorted(replayed), "not in the order they were stored"
    nodes["c"].log.wait_for(r"Cluster: client survivor resumed its session from node s-victim")
    back.disconnect()
    publisher.disconnect()


def test_a_session_taken_over_on_another_node_gets_what_it_had_not_acknowledged(cluster):
    """The node where a client connects while another live node holds its session waits for that node's final
    record, which starts at what the client had not acknowledged there: the new node resends it."""
    _, nodes, _ = cluster
    holder, connack = raw_connect(nodes["b"].port, "unacked", clean=False)
    assert connack == b"\x20\x02\x00\x00"
    body = struct.pack("!H", 1) + mqtt_string("unacked/t") + bytes([1])
    holder.sendall(bytes([0x82]) + varint(len(body)) + body)
    assert recv_exact(holder, 5) == b"\x90\x03\x00\x01\x01"
    nodes["b"].log.wait_for(r"Cluster: session of client unacked recorded")
    publisher = connected(nodes["b"].port, "unacked-pub")
    publisher.publish("unacked/t", b"never acknowledged", qos=1)
    header = recv_exact(holder, 2)
    assert header[0] == 0x32, f"no QoS 1 PUBLISH but {header!r}"
    assert recv_exact(holder, header[1]).endswith(b"never acknowledged")  # and no PUBACK

    back = connected(nodes["c"].port, "unacked", clean_session=False)
    message = back.next_message()
    assert (message.topic, message.payload) == ("unacked/t", b"never acknowledged")
    assert wait_closed(holder)  # taken over
    holder.close()
    nodes["b"].log.wait_for(r"Client unacked resumed its session on another node: ended here\.")
    back.disconnect()
    publisher.disconnect()


def test_will_of_a_client_of_a_killed_node_is_published_once(cluster):
    """A connected client's will is kept in JetStream; when its node dies, exactly one surviving node publishes
    it once the dead node's claim lapses (15 s after the kill, noticed within 3 s more)."""
    servers, nodes, base = cluster
    doomed = start_node(base / "w-victim", "w-victim", [servers[2].url])
    watcher = connected(nodes["b"].port, "will-watcher")
    assert watcher.subscribe("wills/#", qos=1) == (1,)
    holder = PahoClient(doomed.port, "will-holder", will=("wills/holder", b"holder died", 1, False))
    assert holder.connack()[1] == 0
    doomed.log.wait_for(r"Cluster: will of client will-holder kept in JetStream")
    for node in nodes.values():  # each survivor saw it live, so each notices its death
        node.log.wait_for(r"Cluster: node w-victim seen live", timeout=READY)
    # A session that expires (5 s) after its node died (before its own node could end it): the survivor's
    # sweep deletes its record.
    short = V5Client(doomed.port, "short-lived", clean_start=False, session_expiry=5)
    short.close()
    wait_until(lambda: len(re.findall(r"Cluster: session of client short-lived recorded", doomed.log.text())) >= 2,
               WAIT, "the session of short-lived was not recorded offline")
    holder.client.loop_stop()
    doomed.proc.kill()
    doomed.proc.wait(timeout=WAIT)

    message = watcher.next_message(timeout=READY)
    assert (message.topic, message.payload, message.qos) == ("wills/holder", b"holder died", 1)
    published = r"Cluster: will of client will-holder of dead node w-victim published here"
    wait_until(lambda: any(re.search(published, node.log.text()) for node in nodes.values()), WAIT,
               "no node said it published the will")
    assert watcher.no_message(timeout=2)
    assert sum(len(re.findall(published, node.log.text())) for node in nodes.values()) == 1
    # The one that published the wills swept the dead node's sessions: short-lived's record had expired.
    swept = r"Cluster: sessions of dead nodes swept: ([1-9]\d*) expired records deleted"
    wait_until(lambda: any(re.search(swept, node.log.text()) for node in nodes.values()), WAIT,
               "no node swept the expired record of the dead node's session")
    watcher.disconnect()


def test_metrics_tell_the_cluster_figures(cluster):
    servers, nodes, base = cluster
    node = start_node(base / "metered", "metered", [servers[0].url], "listener 0 127.0.0.1\nprotocol http\n")
    try:
        http = int(node.log.wait_for(r"Opening http listen socket on port (\d+)\.").group(1))
        client = connected(node.port, "metered-client")
        client.subscribe("metered/t", qos=1)
        client.publish("metered/t", b"counted", qos=1)  # PUBACK once JetStream stored it
        assert client.next_message().payload == b"counted"
        client.disconnect()
        with urllib.request.urlopen(f"http://127.0.0.1:{http}/metrics", timeout=WAIT) as response:
            text = response.read().decode()
        assert "culex_cluster_nats_up 1" in text
        stored = re.search(r'^culex_cluster_stored_messages_total\{result="stored"\} (\S+)$', text, re.M)
        assert stored and float(stored.group(1)) >= 1, text
        assert re.search(r'^culex_cluster_messages_total\{direction="sent"\} ', text, re.M), text
    finally:
        assert node.stop() == 0


def test_a_moved_session_gets_only_what_its_acl_lets_it_read(tmp_path):
    """A subscription the ACL grants only in part (read mover/ok/#, subscribed to mover/#) sees only what the
    client may read, also when its messages are replayed on the node it moves to."""
    server = NatsServer(tmp_path / "nats", "acl")
    nodes = []
    try:
        wait_until(lambda: server.jetstream_ready(1), READY, "nats-server did not start JetStream")
        (tmp_path / "acl").write_text("topic read acl-mover/ok/#\ntopic write acl-mover/#\n")
        for name in ("acl-a", "acl-c"):
            nodes.append(start_node(tmp_path / name, name, [server.url], f"acl_file {tmp_path / 'acl'}\n"))
        a, c = nodes
        mover = connected(a.port, "acl-mover", clean_session=False)
        assert mover.subscribe("acl-mover/#", qos=1) == (1,)
        mover.disconnect()
        a.log.wait_for(r"Cluster: session of client acl-mover recorded")
        publisher = connected(a.port, "acl-pub")
        publisher.publish("acl-mover/secret", b"not for the mover", qos=1)
        publisher.publish("acl-mover/ok/1", b"readable", qos=1)
        publisher.disconnect()
        back = connected(c.port, "acl-mover", clean_session=False)
        c.log.wait_for(r"Cluster: client acl-mover resumed its session from node acl-a")
        marker = connected(c.port, "acl-marker")
        marker.publish("acl-mover/ok/end", b"end", qos=1)
        got = [back.next_message().payload, back.next_message().payload]
        assert got == [b"readable", b"end"], got
        marker.disconnect()
        back.disconnect()
    finally:
        codes = [node.stop() for node in nodes]
        server.stop()
    assert codes == [0] * len(nodes)
