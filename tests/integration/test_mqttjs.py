"""culex broker with MQTT.js (npm `mqtt` 5.x) as the peer: MQTT 3.1.1 and 5 publish/subscribe at every QoS, retained
messages and wills; MQTT 5 sessions, message expiry, properties passed through, topic aliases, subscription
identifiers and options, Receive Maximum, Maximum Packet Size, server DISCONNECT on takeover, refused logins; and
mutual TLS with certificates from `culex pki`. One node process serves the whole module."""
import time

import pytest

from brokers import Broker, start_culex, write_config
from conftest import culex_binary, run
from mqttjs_peer import MqttJs, b64, file_value, needs_mqttjs
from tls_fixtures import pki

pytestmark = needs_mqttjs


@pytest.fixture(scope="module")
def js():
    peer = MqttJs()
    assert peer.version.startswith("5."), peer.version
    yield peer
    peer.close()


@pytest.fixture
def broker(tmp_path):
    b = start_culex(tmp_path)
    yield b
    assert b.stop() == 0, "broker did not shut down cleanly:\n" + b.log.text()


def connect(js, broker, name, version=5, **options):
    c = js.client(name, broker.port, protocolVersion=version, **options)
    c.connack = c.connected()
    return c


@pytest.mark.parametrize("version", [4, 5])
@pytest.mark.parametrize("qos", [0, 1, 2])
def test_publish_subscribe_at_each_qos(js, broker, version, qos):
    sub = connect(js, broker, f"sub-v{version}-q{qos}", version)
    assert sub.subscribe({"qos/#": {"qos": qos}}) == [("qos/#", qos)]
    pub = connect(js, broker, f"pub-v{version}-q{qos}", version)
    pub.publish("qos/a", b"hello", qos=qos)
    m = sub.message()
    assert (m["topic"], m["payload"], m["qos"], m["retain"]) == ("qos/a", b"hello", qos, False)
    p = "p5" if version == 5 else "p2"
    broker.log.wait_for(rf"New client connected from 127\.0\.0\.1:\d+ as pub-v{version}-q{qos} \({p}, c1, k60\)\.")
    broker.log.wait_for(rf"Received PUBLISH from pub-v{version}-q{qos} \(d0, q{qos}, r0, m\d+, 'qos/a', \.\.\. "
                        r"\(5 bytes\)\)")
    pub.end()
    sub.end()


@pytest.mark.parametrize("version", [4, 5])
def test_retained_message_and_will(js, broker, version):
    pub = connect(js, broker, f"ret-pub-v{version}", version)
    pub.publish("ret/state", b"on", qos=1, retain=True)
    late = connect(js, broker, f"ret-late-v{version}", version)
    late.subscribe({"ret/#": {"qos": 1}, "will/#": {"qos": 1}})
    m = late.message()
    assert (m["topic"], m["payload"], m["retain"]) == ("ret/state", b"on", True)
    # A client that vanishes without DISCONNECT: its will goes out.
    dying = connect(js, broker, f"dying-v{version}", version,
                    will={"topic": "will/dying", "payload": b64(b"gone"), "qos": 1, "retain": False})
    broker.log.wait_for(r"Will message specified \(4 bytes\) \(r0, q1\)\.")
    dying.destroy()
    m = late.message()
    assert (m["topic"], m["payload"]) == ("will/dying", b"gone")
    pub.end()
    late.end()


def test_session_expiry_and_resume(js, broker):
    options = {"clean": False, "properties": {"sessionExpiryInterval": 300}}
    c = connect(js, broker, "js-persist", **options)
    assert c.connack["sessionPresent"] is False
    c.subscribe({"keep/#": {"qos": 1}})
    c.end()
    pub = connect(js, broker, "js-persist-pub")
    pub.publish("keep/a", b"while away", qos=1)
    c = connect(js, broker, "js-persist", **options)
    assert c.connack["sessionPresent"] is True
    m = c.message()
    assert (m["topic"], m["payload"], m["qos"]) == ("keep/a", b"while away", 1)
    c.end()
    # Session Expiry Interval 0: nothing survives the connection even with clean false.
    c = connect(js, broker, "js-short", clean=False)
    c.subscribe({"keep/#": {"qos": 1}})
    c.end()
    c = connect(js, broker, "js-short", clean=False)
    assert c.connack["sessionPresent"] is False
    c.end()
    pub.end()


def test_message_expiry_drops_old_and_sends_the_remaining_interval(js, broker):
    options = {"clean": False, "properties": {"sessionExpiryInterval": 300}}
    c = connect(js, broker, "js-expiry", **options)
    c.subscribe({"exp/#": {"qos": 1}})
    c.end()
    pub = connect(js, broker, "js-expiry-pub")
    pub.publish("exp/short", b"stale", qos=1, properties={"messageExpiryInterval": 1})
    pub.publish("exp/long", b"fresh", qos=1, properties={"messageExpiryInterval": 100})
    # Expiry is about time passing, not about ordering: the 1 s message must be older than its interval.
    time.sleep(2.1)
    c = connect(js, broker, "js-expiry", **options)
    m = c.message()
    assert (m["topic"], m["payload"]) == ("exp/long", b"fresh")  # exp/short expired in the queue
    assert 0 < m["properties"]["messageExpiryInterval"] <= 98
    c.end()
    pub.end()


def test_properties_pass_through(js, broker):
    sub = connect(js, broker, "js-props-sub")
    sub.subscribe({"req/#": {"qos": 1}})
    pub = connect(js, broker, "js-props-pub")
    pub.publish("req/1", b"question", qos=1, properties={
        "responseTopic": "resp/1", "correlationData": b64(b"\x01\x02\xff"), "contentType": "text/plain",
        "payloadFormatIndicator": True, "userProperties": {"k": ["v", "w"], "site": "lab"}})
    p = sub.message()["properties"]
    assert p["responseTopic"] == "resp/1"
    assert p["correlationData"] == b"\x01\x02\xff"
    assert p["contentType"] == "text/plain"
    assert p["payloadFormatIndicator"] is True
    assert p["userProperties"] == {"k": ["v", "w"], "site": "lab"}
    assert "messageExpiryInterval" not in p  # none was set, none is made up
    sub.end()
    pub.end()


def test_topic_alias_from_the_client(js, broker):
    sub = connect(js, broker, "js-alias-sub")
    sub.subscribe({"alias/#": {"qos": 1}})
    pub = connect(js, broker, "js-alias-pub", autoUseTopicAlias=True)
    assert pub.connack["properties"]["topicAliasMaximum"] > 0
    pub.publish("alias/a/long/topic", b"first", qos=1, properties={"topicAlias": 1})
    pub.publish("alias/a/long/topic", b"second", qos=1)  # MQTT.js sends an empty topic and alias 1
    got = [(m["topic"], m["payload"]) for m in (sub.message(), sub.message())]
    assert got == [("alias/a/long/topic", b"first"), ("alias/a/long/topic", b"second")]
    broker.log.wait_for(r"Received PUBLISH from js-alias-pub \(d0, q1, r0, m\d+, 'alias/a/long/topic', \.\.\. "
                        r"\(6 bytes\)\)")
    sub.end()
    pub.end()


def test_topic_alias_from_the_broker(js, broker):
    sub = connect(js, broker, "js-alias-recv", properties={"topicAliasMaximum": 5})
    sub.subscribe({"down/#": {"qos": 0}})
    pub = connect(js, broker, "js-alias-send")
    for payload in (b"1", b"2"):
        pub.publish("down/a/rather/long/topic", payload, qos=1)
    first, second = sub.message(), sub.message()
    assert second["topic"] == "down/a/rather/long/topic"  # MQTT.js resolved the alias
    assert "topicAlias" in first["properties"] and "topicAlias" in second["properties"]
    sub.end()
    pub.end()


def test_subscription_identifier_and_no_local(js, broker):
    c = connect(js, broker, "js-subid")
    c.subscribe({"tag/#": {"qos": 1}}, properties={"subscriptionIdentifier": 42})
    c.subscribe({"own/#": {"qos": 1, "nl": True}})
    other = connect(js, broker, "js-subid-other")
    c.publish("own/x", b"mine", qos=1)  # not sent back: No Local
    other.publish("own/x", b"theirs", qos=1)
    m = c.message()
    assert (m["topic"], m["payload"]) == ("own/x", b"theirs")
    assert "subscriptionIdentifier" not in m["properties"]
    other.publish("tag/x", b"tagged", qos=1)
    m = c.message()
    assert (m["topic"], m["properties"]["subscriptionIdentifier"]) == ("tag/x", 42)
    c.end()
    other.end()


def test_retain_handling_and_retain_as_published(js, broker):
    pub = connect(js, broker, "js-rh-pub")
    pub.publish("rh/x", b"kept", qos=1, retain=True)

    def marker():
        pub.publish("rh/x", b"live", qos=1)  # not retained: the retained "kept" stays

    def retained_then_marker(c, options, expect_retained):
        c.subscribe({"rh/#": options})
        marker()
        if expect_retained:
            m = c.message()
            assert (m["payload"], m["retain"]) == (b"kept", True)
        assert c.message()["payload"] == b"live"  # the retained message would have come before it

    c0 = connect(js, broker, "js-rh0")
    retained_then_marker(c0, {"qos": 1, "rh": 0}, True)
    retained_then_marker(c0, {"qos": 1, "rh": 0}, True)  # 0: on every subscribe
    c1 = connect(js, broker, "js-rh1")
    retained_then_marker(c1, {"qos": 1, "rh": 1}, True)
    retained_then_marker(c1, {"qos": 1, "rh": 1}, False)  # 1: only when the subscription is new
    c2 = connect(js, broker, "js-rh2")
    retained_then_marker(c2, {"qos": 1, "rh": 2}, False)  # 2: never
    # Retain As Published: a live retained message keeps its flag; without it the flag is cleared.
    rap = connect(js, broker, "js-rap")
    rap.subscribe({"rap/on/#": {"qos": 1, "rap": True, "rh": 2}, "rap/off/#": {"qos": 1, "rh": 2}})
    pub.publish("rap/on/x", b"a", qos=1, retain=True)
    pub.publish("rap/off/x", b"b", qos=1, retain=True)
    assert [(m["topic"], m["retain"]) for m in (rap.message(), rap.message())] == [
        ("rap/on/x", True), ("rap/off/x", False)]
    for c in (pub, c0, c1, c2, rap):
        c.end()


def test_receive_maximum_limits_unacknowledged_messages(js, broker):
    sub = connect(js, broker, "js-rm", hold_acks=True, properties={"receiveMaximum": 2})
    sub.subscribe({"rm/#": {"qos": 1}})
    pub = connect(js, broker, "js-rm-pub")
    for i in range(4):
        pub.publish(f"rm/{i}", b"x", qos=1)
    sending = r"Sending PUBLISH to js-rm \(d0, q1, r0, m\d+, 'rm/{}'"
    broker.log.wait_for(sending.format(1))
    with pytest.raises(AssertionError):  # the window is full: rm/2 waits for an acknowledgement
        broker.log.wait_for(sending.format(2), timeout=0.5)
    for i in range(4):
        assert sub.expect("held")["topic"] == f"rm/{i}"
        sub.release()
        if i == 0:
            broker.log.wait_for(sending.format(2))  # one PUBACK, one more message
    assert [sub.message()["topic"] for _ in range(4)] == [f"rm/{i}" for i in range(4)]
    sub.end()
    pub.end()


def test_maximum_packet_size_drops_what_the_client_cannot_take(js, broker):
    sub = connect(js, broker, "js-small", properties={"maximumPacketSize": 64})
    sub.subscribe({"size/#": {"qos": 1}})
    pub = connect(js, broker, "js-big-pub")
    pub.publish("size/big", b"x" * 200, qos=1)
    pub.publish("size/small", b"ok", qos=1)
    m = sub.message()
    assert (m["topic"], m["payload"]) == ("size/small", b"ok")
    broker.log.wait_for(r"Dropped PUBLISH to js-small on 'size/big': larger than the client's Maximum Packet Size")
    sub.end()
    pub.end()


def test_takeover_sends_disconnect_0x8e(js, broker):
    first = connect(js, broker, "js-twin")
    second = connect(js, broker, "js-twin")
    assert first.expect("disconnect")["reasonCode"] == 0x8E
    first.expect("close")
    second.publish("still/here", b"ok", qos=1)
    second.end()


def test_shared_subscription_round_robin(js, broker):
    members = [connect(js, broker, f"js-share-{i}") for i in range(2)]
    for m in members:
        assert m.subscribe({"$share/g/jobs/#": {"qos": 1}, "marker": {"qos": 1}}) == [
            ("$share/g/jobs/#", 1), ("marker", 1)]
    pub = connect(js, broker, "js-share-pub")
    for i in range(4):
        pub.publish(f"jobs/{i}", b"job", qos=1)
    pub.publish("marker", b"end", qos=1)
    got = []
    for m in members:  # each job went to exactly one member, turn by turn; the marker comes after them
        topics = []
        while (t := m.message()["topic"]) != "marker":
            topics.append(t)
        got.append(topics)
    assert sorted(got[0] + got[1]) == [f"jobs/{i}" for i in range(4)]
    assert len(got[0]) == len(got[1]) == 2


def pwfile(tmp_path):
    path = tmp_path / "passwd"
    r = run([culex_binary(), "passwd", "-c", "-b", str(path), "alice", "alice-pw"])
    assert r.returncode == 0, r.stderr
    return path


# Mosquitto 2.0.11 answers a wrong password with 0x87 Not authorized (MQTT 5) / 5 (3.1.1), not 0x86 Bad User Name
# or Password; culex answers as Mosquitto does, so scripts written against it see the same codes.
@pytest.mark.parametrize("version,bad_password,anonymous", [
    (5, 0x87, 0x87),
    (4, 5, 5),
])
def test_refused_logins(js, tmp_path, version, bad_password, anonymous):
    config = f"password_file {pwfile(tmp_path)}\nlogin_throttle false\n"
    with start_culex(tmp_path, config, anonymous=False) as broker:
        good = connect(js, broker, f"js-alice-v{version}", version, username="alice", password="alice-pw")
        good.end()
        for name, options, code in ((f"js-wrong-v{version}", {"username": "alice", "password": "nope"}, bad_password),
                                    (f"js-anon-v{version}", {}, anonymous)):
            c = js.client(name, broker.port, protocolVersion=version, **options)
            e = c.expect("connack", "error")
            assert (e["ev"], e.get("code")) == ("error", code), e


# --- mutual TLS with certificates from culex pki ---


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    ca = tmp_path_factory.mktemp("pki")
    pki(ca, "init", "--cn", "MQTT.js Test CA")
    pki(ca, "server", "--name", "localhost", "--ip", "127.0.0.1")
    pki(ca, "client", "--name", "jsdev")
    return ca


@pytest.fixture
def tls_broker(tmp_path, certs):
    config = (f"listener 0 127.0.0.1\ncafile {certs / 'ca.crt'}\ncertfile {certs / 'localhost.crt'}\n"
              f"keyfile {certs / 'localhost.key'}\nrequire_certificate true\nuse_identity_as_username true\n"
              "allow_anonymous true\n")
    b = Broker([culex_binary(), "broker", "-c", write_config(tmp_path, config), "-v"])
    yield b
    assert b.stop() == 0, "broker did not shut down cleanly:\n" + b.log.text()


def test_mutual_tls(js, tls_broker, certs):
    tls = {"ca": file_value(certs / "ca.crt"), "rejectUnauthorized": True, "servername": "localhost"}
    good = js.client("js-tls", tls_broker.port, scheme="mqtts", protocolVersion=5, cert=file_value(certs / "jsdev.crt"),
                     key=file_value(certs / "jsdev.key"), **tls)
    good.connected()
    good.subscribe({"tls/#": {"qos": 1}})
    good.publish("tls/echo", b"over tls", qos=1)
    m = good.message()
    assert (m["topic"], m["payload"]) == ("tls/echo", b"over tls")
    tls_broker.log.wait_for(r"New client connected from 127\.0\.0\.1:\d+ as js-tls \(p5, c1, k60, u'jsdev'\)\.")
    good.end()
    # Without a client certificate the handshake fails: no CONNACK, and the broker says why.
    bare = js.client("js-tls-bare", tls_broker.port, scheme="mqtts", protocolVersion=5, **tls)
    event = bare.expect("connack", "error", "close")
    assert event["ev"] != "connack", event
    tls_broker.log.wait_for(r"TLS handshake with 127\.0\.0\.1:\d+ on listener .* failed.*"
                            r"the client sent no certificate, but require_certificate is true")
