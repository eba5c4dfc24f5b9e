"""Cluster mode on NATS: sessions that move between nodes, and failures that lose nothing acknowledged
(docs/cluster.md, "Sessions that move" and "Failures"; the cluster of cluster_setup.py). A persistent session
that subscribed on one node resumes on a third with the 200 QoS 1 messages published through a second while it
was offline, in order, none twice; SIGKILL of the node a QoS 1 publisher talks to loses no acknowledged
message for a persistent session elsewhere, nor does SIGKILL between PUBREC and PUBREL; a session connected on
a node that is SIGKILLed, or taken over from a live one with a message unacknowledged, resumes on another with
what its client had not acknowledged; the will of a killed node's client is published once by one survivor,
which sweeps the dead node's expired session records; a dead node's will waits out its delay, and is not
published if its client connected again elsewhere, and one waiting out its delay on a node that dies is
published by another; a moved session gets only what its ACL lets it read.
Runs alone: pytest tests/integration/test_cluster_sessions.py (-m cluster selects it too)."""
from cluster_setup import *  # noqa: F401,F403 - the cluster fixture and its helpers

pytestmark = pytest.mark.cluster


def test_persistent_session_moves_to_a_third_node_and_gets_every_message_it_missed(cluster):
    _, nodes, _ = cluster
    subscriber = connected(nodes["a"].port, "mover", clean_session=False)
    assert subscriber.subscribe("mover/t", qos=1) == (1,)
    subscriber.disconnect()
    # The session's record is written in the background once its connection ends.
    nodes["a"].log.wait_for(r"Cluster: session of client mover recorded")
    stores_for(nodes["b"], "mover")
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


def test_sigkill_of_the_publishers_node_loses_no_acknowledged_message(cluster, node_of_this_test):
    servers, nodes, base = cluster
    doomed = node_of_this_test(base / "victim", "victim", [servers[1].url])
    subscriber = connected(nodes["a"].port, "keeper", clean_session=False)
    assert subscriber.subscribe("keeper/t", qos=1) == (1,)
    subscriber.disconnect()
    nodes["a"].log.wait_for(r"Cluster: session of client keeper recorded")
    stores_for(doomed, "keeper")

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


def test_sigkill_between_pubrec_and_pubrel_loses_nothing(cluster, node_of_this_test):
    """PUBREC says the broker owns a QoS 2 message: it is in JetStream before the PUBREC leaves, so a node
    killed before the PUBREL has lost nothing a persistent session elsewhere should get."""
    servers, nodes, base = cluster
    doomed = node_of_this_test(base / "q2-victim", "q2-victim", [servers[1].url])
    subscriber = connected(nodes["a"].port, "q2-keeper", clean_session=False)
    assert subscriber.subscribe("q2-keeper/t", qos=2) == (2,)
    subscriber.disconnect()
    nodes["a"].log.wait_for(r"Cluster: session of client q2-keeper recorded")
    stores_for(doomed, "q2-keeper")

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


def test_session_connected_on_a_killed_node_resumes_on_another(cluster, node_of_this_test):
    """A persistent session is recorded while its client is connected: when its node is SIGKILLed, the client
    reconnects to another node and gets every message published after what it acknowledged (at least once)."""
    servers, nodes, base = cluster
    doomed = node_of_this_test(base / "s-victim", "s-victim", [servers[1].url])
    subscriber = connected(doomed.port, "survivor", clean_session=False)
    assert subscriber.subscribe("survivor/#", qos=1) == (1,)
    doomed.log.wait_for(r"Cluster: session of client survivor recorded")  # with its subscription
    stores_for(nodes["a"], "survivor")
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
    stores_for(nodes["b"], "unacked")
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


def test_will_of_a_client_of_a_killed_node_is_published_once(cluster, node_of_this_test):
    """A connected client's will is kept in JetStream; when its node dies, exactly one surviving node publishes
    it once the dead node's claim lapses (15 s after the kill, noticed within 3 s more)."""
    servers, nodes, base = cluster
    doomed = node_of_this_test(base / "w-victim", "w-victim", [servers[2].url])
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


def test_a_dead_nodes_will_waits_out_its_delay_and_a_reconnection_cancels_one(cluster, node_of_this_test):
    """The survivor that publishes a dead node's wills waits out what is left of a Will Delay Interval longer
    than the claim's lapse (15 s), and publishes no will of a client that connected again elsewhere since: it
    would overwrite the status that client published on its return (the usual retained online/offline)."""
    servers, nodes, base = cluster
    doomed = node_of_this_test(base / "d-victim", "d-victim", [servers[2].url])
    watcher = connected(nodes["b"].port, "delay-watcher")
    assert watcher.subscribe("delayed/#", qos=1) == (1,)
    late = V5Client(doomed.port, "late-will", clean_start=False, session_expiry=300,
                    will=("delayed/late", b"late died", 20))
    back = PahoClient(doomed.port, "back-will", will=("delayed/status", b"offline", 1, True))
    assert back.connack()[1] == 0
    for client_id in ("late-will", "back-will"):
        doomed.log.wait_for(rf"Cluster: will of client {client_id} kept in JetStream")
    for node in nodes.values():
        node.log.wait_for(r"Cluster: node d-victim seen live", timeout=READY)
    late.client.loop_stop()
    back.client.loop_stop()
    doomed.proc.kill()
    doomed.proc.wait(timeout=WAIT)
    returned = connected(nodes["a"].port, "back-will")
    returned.publish("delayed/status", b"online", qos=1, retain=True)
    assert watcher.next_message().payload == b"online"

    def said(pattern):
        wait_until(lambda: any(re.search(pattern, node.log.text()) for node in nodes.values()), READY,
                   f"no node said {pattern!r}")

    said(r"Cluster: will of client back-will of dead node d-victim not published: the client connected again "
         r"\(to node a\)")
    said(r"Cluster: will of client late-will of dead node d-victim due here in 5 s")  # 20 s, 15 of them gone
    message = watcher.next_message(timeout=READY)
    assert (message.topic, message.payload) == ("delayed/late", b"late died")
    assert watcher.no_message(timeout=1)
    status = connected(nodes["c"].port, "status-reader")
    status.subscribe("delayed/status", qos=1)
    message = status.next_message()
    assert (message.payload, message.retain) == (b"online", True)
    for client in (status, returned, watcher):
        client.disconnect()


def test_a_will_waiting_out_its_delay_on_a_node_that_dies_is_published_by_another(cluster, node_of_this_test):
    """A client's connection ends without DISCONNECT and its will waits out its 20 s delay on its node; that
    node is killed meanwhile: a survivor publishes the will (it stayed in JetStream while it waited)."""
    servers, nodes, base = cluster
    doomed = node_of_this_test(base / "p-victim", "p-victim", [servers[1].url])
    watcher = connected(nodes["b"].port, "pending-watcher")
    assert watcher.subscribe("pending/#", qos=1) == (1,)
    client = V5Client(doomed.port, "pending-will", clean_start=False, session_expiry=300,
                      will=("pending/t", b"pending died", 20))
    doomed.log.wait_for(r"Cluster: will of client pending-will kept in JetStream")
    for node in nodes.values():
        node.log.wait_for(r"Cluster: node p-victim seen live", timeout=READY)
    client.drop()  # the socket closes under it: no DISCONNECT
    doomed.log.wait_for(r"Cluster: will of client pending-will stays in JetStream while it waits out its delay")
    doomed.proc.kill()
    doomed.proc.wait(timeout=WAIT)

    message = watcher.next_message(timeout=READY)
    assert (message.topic, message.payload) == ("pending/t", b"pending died")
    assert watcher.no_message(timeout=1)
    watcher.disconnect()


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
        stores_for(a, "acl-mover")
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
