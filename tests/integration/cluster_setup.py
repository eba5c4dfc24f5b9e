"""What the cluster tests share (test_cluster.py, test_cluster_sessions.py): three nats-server processes
clustered with JetStream and culex nodes on them, all on 127.0.0.1 with free ports (the module-scoped
`cluster` fixture), and the helpers that look into NATS and the nodes. A test module takes it all with
`from cluster_setup import *`, the fixture included."""
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


@pytest.fixture
def node_of_this_test():
    """start_node for nodes a test kills itself: if the test fails before it does, the node is killed after
    the test instead of running on past the run (and into the next one's ports and claims)."""
    started = []

    def start(*args, **kwargs):
        started.append(start_node(*args, **kwargs))
        return started[-1]

    yield start
    for node in started:
        node.stop(signal.SIGKILL)


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


def stores_for(node, client_id, subscriptions=1):
    """Waits until `node` knows the persistent session of `client_id` with that many subscriptions: only then
    does it store the QoS 1/2 messages they match (docs/cluster.md, "What is stored"; it learns a record
    milliseconds after it is written, from the KV watch of culex_sessions)."""
    node.log.wait_for(rf"Cluster: this node stores the QoS 1/2 messages the persistent session of client "
                      rf"{re.escape(client_id)} subscribed to \({subscriptions} subscriptions\)")


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


def node_subjects(server, node):
    """The NATS subjects culex node `node` subscribes to on `server`, from its monitoring port (/connz)."""
    for connection in server.monitoring("/connz?subs=1").get("connections", []):
        if connection.get("name") == f"culex node {node}":
            return sorted(s for s in connection.get("subscriptions_list", []) if s.startswith("culex.msg."))
    return None


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
