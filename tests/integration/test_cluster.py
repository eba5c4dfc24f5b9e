"""Cluster mode on NATS (docs/cluster.md): three nats-server processes clustered with JetStream and three culex
nodes, each node on its own server (cluster_setup.py). A PUBLISH on one node reaches subscribers on another
(QoS 0 and 1, MQTT 5 properties kept), and a NATS message that is no culex frame is skipped with a warning; a
retained message set on one node is seen from another, and by a node started later; a second live node with
the same cluster_node is refused; a node whose NATS goes away keeps serving its local clients and says so; a
message no other node wants never leaves its node, and flows as soon as another node subscribes (a node
started later knows that interest at once); a client id is connected once in the cluster: a new connection on
any node takes over the old one; a shared subscription with members on two nodes gets each message once in
the whole cluster; $SYS/broker/cluster/... and /metrics tell the link's state, the messages sent and
received, and the interest known. Sessions that move and failures: test_cluster_sessions.py. Runs alone:
pytest tests/integration/test_cluster.py (-m cluster selects both files)."""
from cluster_setup import *  # noqa: F401,F403 - the cluster fixture and its helpers

pytestmark = pytest.mark.cluster


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


def test_interest_of_a_killed_node_goes_when_its_claim_lapses(cluster, node_of_this_test):
    servers, nodes, base = cluster
    doomed = node_of_this_test(base / "k", "k", [servers[2].url])
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


def stream_config(server, stream):
    """The configuration a nats-server reports for one of its JetStream streams."""
    jsz = server.monitoring("/jsz?streams=true&config=true")
    for account in jsz.get("account_details", []):
        for detail in account.get("stream_detail", []):
            if detail["name"] == stream:
                return detail["config"]
    raise AssertionError(f"no stream {stream} in {jsz}")


def test_stream_bounds_and_replicas_are_what_the_options_say(tmp_path):
    """cluster_replicas, cluster_stream_max_age and cluster_stream_max_bytes shape the stream of QoS 1/2 messages
    (and the other streams' replicas) when the first node creates it; a node started later with other bounds
    updates it and says so, and one without the options leaves it as it is."""
    server = NatsServer(tmp_path / "nats", "bounds")
    nodes = []
    try:
        wait_until(lambda: server.jetstream_ready(1), READY, "nats-server did not start JetStream")
        nodes.append(start_node(tmp_path / "b1", "bounds-1", [server.url],
                                "cluster_replicas 1\ncluster_stream_max_age 2d\ncluster_stream_max_bytes 2097152\n"))
        config = stream_config(server, "CULEX_MESSAGES")
        assert (config["max_age"], config["max_bytes"], config["num_replicas"]) == (2 * 86400 * 10**9, 2097152, 1)
        assert stream_config(server, "KV_culex_sessions")["num_replicas"] == 1
        later = start_node(tmp_path / "b2", "bounds-2", [server.url], "cluster_stream_max_age 3d\n")
        nodes.append(later)
        later.log.wait_for(r"cluster: JetStream stream CULEX_MESSAGES now keeps 1 replicas, at most 259200 s and "
                           r"2097152 bytes \(was 1 replicas, 172800 s, 2097152 bytes\)\.")
        assert stream_config(server, "CULEX_MESSAGES")["max_age"] == 3 * 86400 * 10**9
        unset = start_node(tmp_path / "b3", "bounds-3", [server.url])
        nodes.append(unset)
        config = stream_config(server, "CULEX_MESSAGES")
        assert (config["max_age"], config["max_bytes"]) == (3 * 86400 * 10**9, 2097152)
        assert "now keeps" not in unset.log.text()
    finally:
        codes = [node.stop() for node in nodes]
        server.stop()
    assert codes == [0] * len(nodes)


def test_replicas_a_nats_cluster_cannot_keep_stop_the_node_with_the_cause(tmp_path):
    """cluster_replicas 3 on a single NATS server: the node does not start, and says why and what to do."""
    server = NatsServer(tmp_path / "nats", "single")
    try:
        wait_until(lambda: server.jetstream_ready(1), READY, "nats-server did not start JetStream")
        (tmp_path / "node").mkdir()
        config = tmp_path / "node" / "culex.conf"
        config.write_text(f"listener 0 127.0.0.1\nallow_anonymous true\ncluster_nats {server.url}\n"
                          "cluster_node greedy\ncluster_replicas 3\n")
        node = Broker([culex_binary(), "broker", "-c", str(config), "-v"])
        node.log.wait_for(r"Error: cluster: cannot create the JetStream stream CULEX_RETAINED for retained messages: "
                          r".*: cluster_replicas 3 needs a NATS cluster of at least 3 servers with JetStream: lower "
                          r"it, or add servers", timeout=READY)
        assert node.proc.wait(timeout=WAIT) == 1
    finally:
        server.stop()


def test_metrics_tell_the_cluster_figures_and_only_what_a_persistent_session_wants_is_stored(cluster):
    """A QoS 1 message that only clean sessions want is not stored in JetStream (its PUBACK does not wait for
    it: cluster mode's QoS 1 cost); once a persistent session on another node subscribed to its topic, it is."""
    servers, nodes, base = cluster
    node = start_node(base / "metered", "metered", [servers[0].url], "listener 0 127.0.0.1\nprotocol http\n")
    try:
        http = int(node.log.wait_for(r"Opening http listen socket on port (\d+)\.").group(1))

        def metrics():
            with urllib.request.urlopen(f"http://127.0.0.1:{http}/metrics", timeout=WAIT) as response:
                return response.read().decode()

        def stored(text):
            found = re.search(r'^culex_cluster_stored_messages_total\{result="stored"\} (\S+)$', text, re.M)
            assert found, text
            return float(found.group(1))

        client = connected(node.port, "metered-client")
        client.subscribe("metered/t", qos=1)
        client.publish("metered/t", b"not stored", qos=1)
        assert client.next_message().payload == b"not stored"
        text = metrics()
        assert "culex_cluster_nats_up 1" in text
        assert re.search(r'^culex_cluster_messages_total\{direction="sent"\} ', text, re.M), text
        assert stored(text) == 0, "a message no persistent session could want went to JetStream"

        keeper = connected(nodes["b"].port, "metered-keeper", clean_session=False)
        assert keeper.subscribe("metered/#", qos=1) == (1,)
        stores_for(node, "metered-keeper")
        client.publish("metered/t", b"stored", qos=1)  # PUBACK once JetStream stored it
        assert client.next_message().payload == b"stored"
        assert stored(metrics()) == 1
        client.disconnect()
        keeper.disconnect()
    finally:
        assert node.stop() == 0