"""Bridge options of mosquitto.conf(5) that had no test of their own (issue 13): notifications,
notification_topic, notifications_local_only, remote_username/remote_password, round_robin, local_clientid,
local_cleansession, bridge_attempt_unsubscribe, bridge_outgoing_retain, bridge_tls_version and bridge_alpn.
culex is the local side; the remote is culex or Debian's mosquitto (whose -v log shows what the bridge sent).

Every wait is on an event (a log line, a message) with a bound; an absence is asserted only after a later
event proved that what came before it had arrived.
"""
import re
import subprocess

import pytest

from brokers import Broker, LogWatcher, start_culex, start_mosquitto, write_config
from conftest import culex_binary, free_port, run
from mqtt_peers import WAIT, connected
from tls_fixtures import make_pki, needs_mosquitto, needs_openssl, tls_listener

BRIDGE_UP = r"Bridge b connected to 127\.0\.0\.1:{} as {}\."


def bridge(port, topics, remote_id="site1", extra=""):
    lines = ["connection b", f"address 127.0.0.1:{port}", f"remote_clientid {remote_id}", "restart_timeout 1"]
    return "\n".join(lines + [f"topic {t}" for t in topics]) + "\n" + extra


def dirs(tmp_path, *names):
    made = []
    for name in names:
        (tmp_path / name).mkdir()
        made.append(tmp_path / name)
    return made


def marker_first(client, local_pub, topic):
    """Publishes a marker on `topic` (locally, bridged out) and asserts it is the next message `client` gets:
    whatever the bridge published before it would have come first."""
    local_pub.publish(topic, b"marker", qos=1)
    m = client.next_message()
    assert (m.topic, m.payload) == (topic, b"marker"), (m.topic, m.payload)


def test_notifications_false_publishes_no_state_anywhere(tmp_path):
    remote_dir, local_dir = dirs(tmp_path, "remote", "local")
    remote = start_culex(remote_dir)
    local = start_culex(local_dir, bridge(remote.port, ["n/# out 1"], extra="notifications false\n"))
    try:
        local.log.wait_for(BRIDGE_UP.format(remote.port, "site1"))
        remote_sub = connected(remote.port, "remote-watch")
        remote_sub.subscribe("$SYS/broker/connection/#", 1)
        remote_sub.subscribe("n/#", 1)
        local_sub = connected(local.port, "local-watch")
        local_sub.subscribe("$SYS/broker/connection/#", 1)
        local_sub.subscribe("n/#", 1)
        pub = connected(local.port, "local-pub")
        marker_first(remote_sub, pub, "n/1")
        m = local_sub.next_message()
        assert (m.topic, m.payload) == ("n/1", b"marker")
        assert not re.search(r"Received PUBLISH from site1 .*connection/site1/state", remote.log.text())
        # Nor a will that would say 0 when the link dies.
        remote.log.wait_for(r"New bridge connected from .* as site1")
        assert re.search(r"as site1 \(.*\)\.\n.*No will message specified\.", remote.log.text()), remote.log.text()
    finally:
        local.stop()
        remote.stop()


def test_notification_topic_replaces_the_sys_topic_on_both_sides(tmp_path):
    remote_dir, local_dir = dirs(tmp_path, "remote", "local")
    remote = start_culex(remote_dir)
    local = start_culex(local_dir, bridge(remote.port, ["n/# out 1"], extra="notification_topic sites/one/up\n"))
    try:
        local.log.wait_for(BRIDGE_UP.format(remote.port, "site1"))
        remote.log.wait_for(r"Received PUBLISH from site1 \(d0, q\d, r1, m\d+, 'sites/one/up'")
        for port in (remote.port, local.port):
            watch = connected(port, f"watch{port}")
            watch.subscribe("sites/#", 1)
            m = watch.next_message()
            assert (m.topic, m.payload, m.retain) == ("sites/one/up", b"1", True)
            watch.disconnect()
        assert "$SYS/broker/connection/site1/state" not in remote.log.text() + local.log.text()
    finally:
        local.stop()
        remote.stop()


def test_notifications_local_only_keeps_the_state_off_the_remote(tmp_path):
    remote_dir, local_dir = dirs(tmp_path, "remote", "local")
    remote = start_culex(remote_dir)
    local = start_culex(local_dir, bridge(remote.port, ["n/# out 1"], extra="notifications_local_only true\n"))
    state = "$SYS/broker/connection/site1/state"
    try:
        local.log.wait_for(BRIDGE_UP.format(remote.port, "site1"))
        local_sub = connected(local.port, "local-watch")
        local_sub.subscribe(state, 1)
        m = local_sub.next_message()
        assert (m.topic, m.payload, m.retain) == (state, b"1", True)
        remote_sub = connected(remote.port, "remote-watch")
        remote_sub.subscribe(state, 1)
        remote_sub.subscribe("n/#", 1)
        marker_first(remote_sub, connected(local.port, "local-pub"), "n/1")
        assert not re.search(r"Received PUBLISH from site1 .*connection/site1/state", remote.log.text())
        assert re.search(r"as site1 \(.*\)\.\n.*No will message specified\.", remote.log.text()), remote.log.text()
    finally:
        local.stop()
        remote.stop()


def password_remote(directory, user, password):
    passwords = directory / "passwords"
    result = run([culex_binary(), "passwd", "-c", "-b", str(passwords), user, password])
    assert result.returncode == 0, result.stdout + result.stderr
    return start_culex(directory, f"password_file {passwords}\n", anonymous=False)


@pytest.mark.parametrize("password,accepted", [("s3cret", True), ("wrong", False)])
def test_remote_username_and_password_log_the_bridge_in(tmp_path, password, accepted):
    remote_dir, local_dir = dirs(tmp_path, "remote", "local")
    remote = password_remote(remote_dir, "bridge-user", "s3cret")
    local = start_culex(local_dir, bridge(remote.port, ["p/# out 1"],
                                          extra=f"remote_username bridge-user\nremote_password {password}\n"))
    try:
        if accepted:
            local.log.wait_for(BRIDGE_UP.format(remote.port, "site1"))
            remote.log.wait_for(r"New bridge connected from 127\.0\.0\.1:\d+ as site1 \(p2, c0, k60, "
                                r"u'bridge-user'\)\.")
        else:
            local.log.wait_for(r"Connection Refused: (not authorised|bad user name or password)")
            local.log.wait_for(r"Bridge b will reconnect in \d+ ms\.")
            # 3.1.1's code 5 (not authorised), logged as the client reads it, as Mosquitto logs it.
            remote.log.wait_for(r"Sending CONNACK to site1 \(0, 5\)")
            remote.log.wait_for(r"refused: bad user name or password for user 'bridge-user'")
            assert "Bridge b connected" not in local.log.text()
    finally:
        local.stop()
        remote.stop()


@pytest.mark.parametrize("round_robin", [True, False])
def test_round_robin_decides_where_a_lost_link_goes_next(tmp_path, round_robin):
    """Both remotes are up; the link to the first is taken over (a client with the bridge's id connects
    there). round_robin true: the next address, the second; false: the first (main) address again."""
    first_dir, second_dir, local_dir = dirs(tmp_path, "first", "second", "local")
    first, second = start_culex(first_dir), start_culex(second_dir)
    conf = (f"connection b\naddresses 127.0.0.1:{first.port} 127.0.0.1:{second.port}\nremote_clientid site1\n"
            f"restart_timeout 1\nround_robin {'true' if round_robin else 'false'}\ntopic r/# out 1\n")
    local = start_culex(local_dir, conf)
    try:
        local.log.wait_for(BRIDGE_UP.format(first.port, "site1"))
        start = len(local.log.lines)
        usurper = connected(first.port, "site1")  # the first broker closes the bridge's connection
        local.log.wait_for(rf"Bridge b disconnected from 127\.0\.0\.1:{first.port}", start=start)
        went = local.log.wait_for(r"Bridge b connected to 127\.0\.0\.1:(\d+) as site1\.", start=start)
        assert int(went.group(1)) == (second.port if round_robin else first.port)
        usurper.client.loop_stop()  # paho would reconnect, and take the id back from the bridge
    finally:
        local.stop()
        first.stop()
        second.stop()


def test_local_clientid_names_the_local_session(tmp_path):
    remote_dir, local_dir = dirs(tmp_path, "remote", "local")
    remote = start_culex(remote_dir)
    local = start_culex(local_dir, bridge(remote.port, ["lc/# out 1"], extra="local_clientid edge.local\n"))
    try:
        local.log.wait_for(r"New client connected from bridge b as edge\.local \(p5, c0, k0\)\.")
        local.log.wait_for(r"Bridge edge\.local doing local SUBSCRIBE on topic lc/#")
        local.log.wait_for(BRIDGE_UP.format(remote.port, "site1"))
        assert "local.site1" not in local.log.text()  # the default, local.REMOTE_CLIENTID, is not used
    finally:
        local.stop()
        remote.stop()


@pytest.mark.parametrize("local_clean,kept", [("false", True), ("true", False)])
def test_local_cleansession_decides_whether_queued_messages_survive_a_restart(tmp_path, local_clean, kept):
    port = free_port()
    remote_dir, local_dir = dirs(tmp_path, "remote", "local")
    listener = f"listener {port} 127.0.0.1"
    local_conf = (f"persistence true\npersistence_location {local_dir}/\n"
                  + bridge(port, ["lq/# out 1"], extra=f"local_cleansession {local_clean}\n"))
    remote = start_culex(remote_dir, listener=listener)
    local = start_culex(local_dir, local_conf)
    try:
        local.log.wait_for(BRIDGE_UP.format(port, "site1"))
        remote.stop()  # not persistent: the keeper below reconnects to a fresh remote
        local.log.wait_for(r"Bridge b disconnected from 127\.0\.0\.1:\d+")
        pub = connected(local.port, "local-pub")
        for i in range(3):
            pub.publish(f"lq/{i}", str(i).encode(), qos=1)
        pub.disconnect()
        local.stop()
        remote = start_culex(remote_dir, listener=listener)
        keeper = connected(port, "keeper")
        keeper.subscribe("lq/#", 1)
        local = start_culex(local_dir, local_conf)
        local.log.wait_for(BRIDGE_UP.format(port, "site1"))
        if kept:
            assert sorted(int(keeper.next_message().payload) for _ in range(3)) == [0, 1, 2]
        else:
            marker_first(keeper, connected(local.port, "local-pub2"), "lq/marker")
    finally:
        local.stop()
        remote.stop()


@needs_mosquitto
@pytest.mark.parametrize("attempt", [True, False])
def test_bridge_attempt_unsubscribe_false_sends_no_unsubscribe(tmp_path, attempt):
    remote_dir, local_dir = dirs(tmp_path, "remote", "local")
    remote = start_mosquitto(remote_dir)
    extra = "" if attempt else "bridge_attempt_unsubscribe false\n"
    local = start_culex(local_dir, bridge(remote.port, ["u/# out 1", "d/# in 1"], extra=extra))
    try:
        local.log.wait_for(BRIDGE_UP.format(remote.port, "site1"))
        # What the bridge sends after its SUBSCRIBE (and its UNSUBSCRIBE, if any): the state notification.
        remote.log.wait_for(r"Received PUBLISH from site1 \(d0, q\d, r1, m\d+, '\$SYS/broker/connection/site1/state'")
        assert ("Received UNSUBSCRIBE from site1" in remote.log.text()) == attempt, remote.log.text()
    finally:
        local.stop()
        remote.stop()


@needs_mosquitto
@pytest.mark.parametrize("outgoing_retain", [True, False])
def test_bridge_outgoing_retain_false_clears_the_retain_flag(tmp_path, outgoing_retain):
    remote_dir, local_dir = dirs(tmp_path, "remote", "local")
    remote = start_mosquitto(remote_dir)
    extra = "" if outgoing_retain else "bridge_outgoing_retain false\n"
    local = start_culex(local_dir, bridge(remote.port, ["kept/# out 1"], extra=extra))
    try:
        local.log.wait_for(BRIDGE_UP.format(remote.port, "site1"))
        pub = connected(local.port, "local-pub")
        pub.publish("kept/last", b"42", qos=1, retain=True)
        flag = "1" if outgoing_retain else "0"
        remote.log.wait_for(rf"Received PUBLISH from site1 \(d0, q1, r{flag}, m\d+, 'kept/last'")
        # A subscriber that comes later gets it from the remote's retained store only when it kept the flag.
        late = connected(remote.port, "late")
        late.subscribe("kept/#", 1)
        if outgoing_retain:
            m = late.next_message()
            assert (m.topic, m.payload, m.retain) == ("kept/last", b"42", True)
        else:
            marker_first(late, pub, "kept/marker")
    finally:
        local.stop()
        remote.stop()


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("bridge-option-pki"))


def tls_mosquitto(directory, lab, extra=""):
    port = free_port()
    text = ("user root\nallow_anonymous true\n"
            + tls_listener(port, lab / "ca.crt", lab / "localhost.crt", lab / "localhost.key",
                           require_certificate=False, extra=extra))
    return Broker(["stdbuf", "-oL", "mosquitto", "-c", write_config(directory, text), "-v"],
                  port_from_log=False, port=port)


def tls_bridge(port, lab, extra):
    return bridge(port, ["t/# out 1"], extra=f"bridge_cafile {lab / 'ca.crt'}\n" + extra)


@needs_mosquitto
def test_bridge_tls_version_tlsv13_connects_to_a_tls13_remote(tmp_path, certs):
    lab, _ = certs
    remote_dir, local_dir = dirs(tmp_path, "remote", "local")
    remote = tls_mosquitto(remote_dir, lab, "tls_version tlsv1.3\n")
    local = start_culex(local_dir, tls_bridge(remote.port, lab, "bridge_tls_version tlsv1.3\n"))
    try:
        local.log.wait_for(BRIDGE_UP.format(remote.port, "site1"))
        remote.log.wait_for(r"New bridge connected from 127\.0\.0\.1:\d+ as site1")
    finally:
        local.stop()
        remote.stop()


def openssl_server(port, lab, *options):
    """`openssl s_server` on 127.0.0.1:port with the localhost certificate, its output watched; ready when it
    says ACCEPT."""
    server = subprocess.Popen(["openssl", "s_server", "-accept", f"127.0.0.1:{port}", "-cert",
                               str(lab / "localhost.crt"), "-key", str(lab / "localhost.key"), *options],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              errors="replace")
    server.log = LogWatcher(server.stdout)
    server.log.wait_for(r"ACCEPT")
    return server


def stop_server(server):
    server.kill()
    server.wait(timeout=WAIT)


@needs_openssl
@pytest.mark.parametrize("option,refused", [("bridge_tls_version tlsv1.3\n", True), ("", False)])
def test_bridge_tls_version_tlsv13_refuses_a_tls12_only_remote(tmp_path, certs, option, refused):
    """Mosquitto's `tls_version tlsv1.2` is a minimum (it accepts TLS 1.3 too): a remote that speaks only
    TLS 1.2 is `openssl s_server -tls1_2`. Without the option (TLS 1.2 and newer) the same bridge gets in."""
    lab, _ = certs
    (local_dir,) = dirs(tmp_path, "local")
    port = free_port()
    server = openssl_server(port, lab, "-tls1_2")
    local = None
    try:
        local = start_culex(local_dir, tls_bridge(port, lab, option))
        if refused:
            local.log.wait_for(r"Error creating bridge: TLS handshake with 127\.0\.0\.1:\d+ failed")
            local.log.wait_for(r"Bridge b will reconnect in \d+ ms\.")
            assert "Bridge site1 sending CONNECT" not in local.log.text()
        else:
            local.log.wait_for(r"Bridge site1 sending CONNECT")
            server.log.wait_for(r"Protocol version: TLSv1\.2|CIPHER is")
    finally:
        if local:
            local.stop()
        stop_server(server)


@needs_openssl
def test_bridge_alpn_is_offered_in_the_handshake(tmp_path, certs):
    """Mosquitto 2.0.11's listeners do not look at ALPN: `openssl s_server -alpn` is the remote, and prints
    the protocols the client (the bridge) offered."""
    lab, _ = certs
    (local_dir,) = dirs(tmp_path, "local")
    port = free_port()
    server = openssl_server(port, lab, "-alpn", "mqtt")
    local = None
    try:
        local = start_culex(local_dir, tls_bridge(port, lab, "bridge_alpn mqtt\n"))
        server.log.wait_for(r"ALPN protocols advertised by the client: mqtt$")
        local.log.wait_for(r"Bridge site1 sending CONNECT")
    finally:
        if local:
            local.stop()
        stop_server(server)
