"""The admin API under /api/v1/ on the `protocol http` listener: JSON about clients, sessions, subscriptions,
retained messages, listeners and bridges; the actions (disconnect, reload, delete a retained message); HTTP
Basic against the password file (401), and the ACL's `$CONTROL/culex/api/...` right for actions (403)."""
import base64
import json
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from brokers import start_culex
from conftest import culex_binary
from mqtt_peers import WAIT, connected

ADMIN = ("admin", "admin-pw")
VIEWER = ("viewer", "viewer-pw")


def call(port, path, method="GET", credentials=ADMIN):
    """(status, headers, parsed JSON or None) of one request; HTTP errors are answers too."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/{path}", method=method,
                                     data=b"" if method in ("POST", "DELETE") else None)
    if credentials:
        token = base64.b64encode(f"{credentials[0]}:{credentials[1]}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=WAIT) as response:
            status, headers, body = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, headers, body = error.code, error.headers, error.read()
    parsed = json.loads(body) if headers.get("Content-Type", "").startswith("application/json") else None
    return status, headers, parsed


def add_user(passwords, user, password, create=False):
    made = subprocess.run([culex_binary(), "passwd"] + (["-c"] if create else []) + ["-b", str(passwords), user,
                          password], capture_output=True, text=True, timeout=WAIT)
    assert made.returncode == 0, made.stderr


@pytest.fixture
def broker(tmp_path):
    """MQTT open to anyone on one listener; the HTTP listener asks for a user of its password file, and its
    ACL lets only `admin` act."""
    passwords = tmp_path / "passwd"
    add_user(passwords, *ADMIN, create=True)
    add_user(passwords, *VIEWER)
    acl = tmp_path / "acl"
    acl.write_text("user admin\ntopic write $CONTROL/culex/api/#\n")
    config = (f"sys_interval 0\nlistener 0 127.0.0.1\nprotocol http\nallow_anonymous false\n"
              f"password_file {passwords}\nacl_file {acl}\n")
    with start_culex(tmp_path, config, anonymous=False,
                     listener="per_listener_settings true\nlistener 0 127.0.0.1\nallow_anonymous true") as b:
        b.http_port = int(b.log.wait_for(r"Opening http listen socket on port (\d+)\.").group(1))
        yield b


def test_a_connected_client_appears_with_its_fields(broker):
    client = connected(broker.port, "api-one", keepalive=45)
    status, headers, body = call(broker.http_port, "clients")
    assert status == 200
    assert headers["Cache-Control"] == "no-store"
    [entry] = [c for c in body["clients"] if c["id"] == "api-one"]
    assert entry["online"] is True
    assert entry["address"].startswith("127.0.0.1:")
    assert entry["protocol_level"] == 4
    assert entry["keepalive"] == 45
    assert entry["username"] is None
    assert entry["connected_since"].endswith("Z")
    assert entry["queued"] == 0
    assert body["connected"] == 1
    status, _, about = call(broker.http_port, "broker")
    assert status == 200
    assert about["version"].startswith("culex version")
    assert about["counters"]["connected"] == 1
    assert about["threads"] >= 1
    status, _, listeners = call(broker.http_port, "listeners")
    assert [l["protocol"] for l in listeners["listeners"]] == ["mqtt", "http"]
    client.disconnect()


def test_listeners_report_their_bound_ports(broker):
    """Both listeners of the fixture are ephemeral (`listener 0 127.0.0.1`): the API shows the ports they got."""
    status, _, body = call(broker.http_port, "listeners")
    assert status == 200
    mqtt, http = body["listeners"]
    assert (mqtt["protocol"], mqtt["port"], mqtt["configured_port"]) == ("mqtt", broker.port, 0)
    assert (http["protocol"], http["port"], http["configured_port"]) == ("http", broker.http_port, 0)
    assert mqtt["address"] == http["address"] == "127.0.0.1"
    assert broker.port != 0 and broker.http_port != 0


def test_one_clients_session_and_subscriptions(broker):
    client = connected(broker.port, "api/two", clean_session=False)
    client.subscribe("a/+/c", 1)
    client.subscribe("d/#", 2)
    # The id holds a '/': sent percent-encoded.
    status, _, body = call(broker.http_port, "clients/" + urllib.parse.quote("api/two", safe=""))
    assert status == 200
    assert body["id"] == "api/two"
    assert body["session"]["clean"] is False
    filters = {s["filter"]: s["qos"] for s in body["session"]["subscriptions"]}
    assert filters == {"a/+/c": 1, "d/#": 2}
    assert body["session"]["inflight"] == 0
    status, _, subs = call(broker.http_port, "subscriptions")
    assert {(s["client_id"], s["filter"]) for s in subs["subscriptions"]} == {("api/two", "a/+/c"),
                                                                             ("api/two", "d/#")}
    assert call(broker.http_port, "subscriptions?limit=1")[2]["subscriptions"].__len__() == 1
    assert call(broker.http_port, "clients/nobody")[0] == 404
    client.disconnect()


def test_disconnect_a_client(broker):
    client = connected(broker.port, "api-victim")
    status, _, body = call(broker.http_port, "clients/api-victim/disconnect", "POST")
    assert status == 200, body
    assert body == {"disconnected": "api-victim"}
    assert client.disconnects.get(timeout=WAIT) != 0  # the client saw the close
    client.client.loop_stop()  # no reconnection
    broker.log.wait_for(r"Client api-victim disconnected by the HTTP API \(requested by user 'admin'\)\.")
    assert call(broker.http_port, "clients/api-victim/disconnect", "POST")[0] == 404
    assert call(broker.http_port, "clients/api-victim/disconnect")[0] == 405


def test_reload(broker):
    status, _, body = call(broker.http_port, "reload", "POST")
    assert status == 202
    assert body == {"reloading": True}
    broker.log.wait_for(r"Reload requested through the HTTP API by user 'admin'\.")
    broker.log.wait_for(r"Reloading config\.")


def test_delete_a_retained_message(broker):
    pub = connected(broker.port, "api-pub")
    pub.publish("keep/a", b"stays", 1, retain=True)
    pub.publish("keep/b", b"goes away", 1, retain=True)
    status, _, body = call(broker.http_port, "retained")
    assert status == 200
    assert {(r["topic"], r["bytes"]) for r in body["retained"]} == {("keep/a", 5), ("keep/b", 9)}
    assert body["total"] == 2
    assert len(call(broker.http_port, "retained?limit=1&offset=1")[2]["retained"]) == 1
    assert call(broker.http_port, "retained?limit=x")[0] == 400
    status, _, body = call(broker.http_port, "retained/keep/b", "DELETE")
    assert status == 200, body
    broker.log.wait_for(r"Retained message on keep/b deleted through the HTTP API by user 'admin'\.")
    assert call(broker.http_port, "retained/keep/b", "DELETE")[0] == 404
    assert call(broker.http_port, "retained/keep/%2B", "DELETE")[0] == 400
    # A new subscriber gets keep/a only: the live marker after it proves nothing else was retained.
    sub = connected(broker.port, "api-sub")
    sub.subscribe("keep/#", 1)
    assert sub.next_message().topic == "keep/a"
    pub.publish("keep/marker", b"live", 1)
    assert sub.next_message().topic == "keep/marker"
    sub.disconnect()
    pub.disconnect()


def test_credentials_and_the_admin_right(broker):
    port = broker.http_port
    # 401 is JSON like the API's other errors, and still asks for HTTP Basic.
    status, headers, body = call(port, "clients", credentials=None)
    assert status == 401
    assert headers["WWW-Authenticate"].startswith('Basic realm="culex"')
    assert headers["Content-Type"] == "application/json"
    assert "password file" in body["error"]
    status, headers, body = call(port, "clients", credentials=("admin", "wrong"))
    assert status == 401
    assert headers["WWW-Authenticate"].startswith("Basic realm=")
    assert "bad credentials" in body["error"]
    # A user of the password file may read ...
    assert call(port, "clients", credentials=VIEWER)[0] == 200
    # ... but acts only with the ACL's right.
    status, _, body = call(port, "reload", "POST", credentials=VIEWER)
    assert status == 403
    assert "$CONTROL/culex/api/reload" in body["error"]
    assert call(port, "retained/x", "DELETE", credentials=VIEWER)[0] == 403
    assert call(port, "clients/x/disconnect", "POST", credentials=VIEWER)[0] == 403
    assert call(port, "clients/x/disconnect", "POST", credentials=ADMIN)[0] == 404
    assert call(port, "nothing-here")[0] == 404
    assert call(port, "clients/%zz")[0] == 400
    assert call(port, "broker", "POST")[0] == 405


def test_bridges_from_the_config(tmp_path):
    config = ("sys_interval 0\nlistener 0 127.0.0.1\nprotocol http\n"
              "connection api-bridge\naddress 127.0.0.1:1\ntopic sensors/# out 1 local/ remote/\n"
              "")
    with start_culex(tmp_path, config) as b:
        port = int(b.log.wait_for(r"Opening http listen socket on port (\d+)\.").group(1))
        status, _, body = call(port, "bridges", credentials=None)
        assert status == 200
        [bridge] = body["bridges"]
        assert bridge["name"] == "api-bridge"
        assert bridge["addresses"] == ["127.0.0.1:1"]
        assert bridge["topics"] == [{"pattern": "sensors/#", "direction": "out", "qos": 1,
                                     "local_prefix": "local/", "remote_prefix": "remote/"}]
        # Its state comes from the running bridge (nothing listens on port 1: it is never connected). The
        # bridges start just after the HTTP listener, so the first answers may not have it yet.
        deadline = time.monotonic() + WAIT
        while bridge["state"] is None and time.monotonic() < deadline:
            bridge = call(port, "bridges", credentials=None)[2]["bridges"][0]
        assert bridge["state"] in ("connecting", "disconnected"), bridge
