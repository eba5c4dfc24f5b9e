"""culex broker with password_file, allow_anonymous and acl_file: logins (files from mosquitto_passwd and from
`culex passwd`), refusal codes for MQTT 3.1.1 and 5, reload on SIGHUP, and ACL read/write/subscribe checks,
driven by paho, mosquitto_pub/sub and culex's own clients."""
import signal
import subprocess

import paho.mqtt.client as mqtt
import pytest

from brokers import start_culex
from conftest import culex_binary
from mqtt_peers import WAIT, PahoClient, connected

ACL = """\
# anonymous clients: nothing
user alice
topic readwrite lab/#
topic deny lab/secret
topic read news/#
topic read clients/#
user bob
topic write lab/#
pattern readwrite clients/%c/#
pattern read users/%u/#
"""


@pytest.fixture
def pwfile(tmp_path):
    path = tmp_path / "passwd"
    assert subprocess.run(["mosquitto_passwd", "-c", "-b", str(path), "alice", "alice-pw"]).returncode == 0
    assert subprocess.run([culex_binary(), "passwd", "-b", str(path), "bob", "bob-pw"],
                          capture_output=True).returncode == 0
    return path


def secured(tmp_path, pwfile, anonymous=False, acl=True):
    config = f"password_file {pwfile}\n"
    if acl:
        (tmp_path / "acl").write_text(ACL)
        config += f"acl_file {tmp_path / 'acl'}\n"
    # The throttle would slow the refusals below down (all from 127.0.0.1); it has its own unit tests.
    config += "login_throttle false\n"
    return start_culex(tmp_path, config, anonymous=anonymous)


def refused_code(port, client_id, protocol=mqtt.MQTTv311, **kwargs):
    c = PahoClient(port, client_id, protocol=protocol, **kwargs)
    _, rc = c.connack()
    c.disconnect()
    return rc


def test_passwords_from_mosquitto_passwd_and_culex_passwd(tmp_path, pwfile):
    with secured(tmp_path, pwfile, acl=False) as broker:
        for user, password in (("alice", "alice-pw"), ("bob", "bob-pw")):
            for protocol in (mqtt.MQTTv311, mqtt.MQTTv5):
                c = connected(broker.port, f"{user}-{protocol}", username=user, password=password,
                              protocol=protocol)
                c.disconnect()
        broker.log.wait_for(r"New client connected from 127\.0\.0\.1:\d+ as alice-4 \(p2, c1, k60, u'alice'\)\.")
        broker.log.wait_for(r"as bob-5 \(p5, c1, k60, u'bob'\)\.")


def test_wrong_password_unknown_user_and_anonymous_are_refused(tmp_path, pwfile):
    with secured(tmp_path, pwfile, acl=False) as broker:
        assert refused_code(broker.port, "bad-pw", username="alice", password="nope") == 5
        assert refused_code(broker.port, "bad-pw5", protocol=mqtt.MQTTv5, username="alice", password="nope") == 0x87
        assert refused_code(broker.port, "nobody", username="mallory", password="alice-pw") == 5
        assert refused_code(broker.port, "anon") == 5
        assert refused_code(broker.port, "anon5", protocol=mqtt.MQTTv5) == 0x87
        log = broker.log
        log.wait_for(r"Failed login from 127\.0\.0\.1 as user 'alice' \(client bad-pw\)")
        log.wait_for(r"Client bad-pw disconnected, not authorised\.")
        log.wait_for(r"Client anon from 127\.0\.0\.1:\d+ refused: anonymous clients are not allowed")
        assert "nope" not in log.text(), "a password reached the log"
        # mosquitto_pub's own words for the refusal.
        pub = subprocess.run(["mosquitto_pub", "-p", str(broker.port), "-u", "alice", "-P", "nope", "-t", "t",
                              "-m", "x"], capture_output=True, text=True, timeout=WAIT)
        assert pub.returncode != 0
        assert "Connection Refused: not authorised." in pub.stderr


def test_anonymous_allowed_beside_password_file(tmp_path, pwfile):
    with secured(tmp_path, pwfile, anonymous=True, acl=False) as broker:
        connected(broker.port, "anon").disconnect()
        # A user name is still checked when given.
        assert refused_code(broker.port, "bad-pw", username="alice", password="nope") == 5


def test_removed_user_is_disconnected_on_sighup(tmp_path, pwfile):
    with secured(tmp_path, pwfile, acl=False) as broker:
        alice = connected(broker.port, "alice-1", username="alice", password="alice-pw")
        bob = connected(broker.port, "bob-1", username="bob", password="bob-pw")
        assert subprocess.run([culex_binary(), "passwd", "-D", str(pwfile), "bob"],
                              capture_output=True).returncode == 0
        broker.proc.send_signal(signal.SIGHUP)
        broker.log.wait_for(r"Client bob-1 disconnected: user 'bob' is no longer in the password file\.")
        assert bob.disconnects.get(timeout=WAIT) is not None
        assert alice.disconnects.empty()
        assert refused_code(broker.port, "bob-2", username="bob", password="bob-pw") == 5
        alice.disconnect()


@pytest.mark.parametrize("protocol", [mqtt.MQTTv311, mqtt.MQTTv5])
def test_acl_read_write_and_deny(tmp_path, pwfile, protocol):
    v5 = protocol == mqtt.MQTTv5
    with secured(tmp_path, pwfile) as broker:
        alice = connected(broker.port, "alice", username="alice", password="alice-pw", protocol=protocol)
        bob = connected(broker.port, "bob", username="bob", password="bob-pw", protocol=protocol)
        # Subscribing: granted where a rule covers the filter, refused elsewhere.
        granted = alice.subscribe("lab/#", 1)
        assert [int(getattr(g, "value", g)) for g in granted] == [1]
        refused = alice.subscribe("other/#", 1)
        assert [int(getattr(g, "value", g)) for g in refused] == [0x87 if v5 else 0x80]
        refused = bob.subscribe("lab/#", 0)  # bob may write there, not read
        assert [int(getattr(g, "value", g)) for g in refused] == [0x87 if v5 else 0x80]

        # Writing: bob may publish to lab/#; alice's subscription receives all but lab/secret (read deny).
        bob.publish("lab/secret", b"hidden", 1)
        bob.publish("lab/open", b"visible", 1)
        m = alice.next_message()
        assert (m.topic, m.payload) == ("lab/open", b"visible")
        # bob may not write news/: acknowledged, dropped, and logged as denied.
        alice.subscribe("news/#", 0)
        bob.publish("news/today", b"forged", 1)
        broker.log.wait_for(r"Denied PUBLISH from bob \(d0, q1, r0, m\d+, 'news/today', \.\.\. \(6 bytes\)\)")
        bob.publish("lab/after", b"marker", 1)
        m = alice.next_message()
        assert (m.topic, m.payload) == ("lab/after", b"marker"), "a denied message was delivered"
        alice.disconnect()
        bob.disconnect()


@pytest.mark.parametrize("protocol", [mqtt.MQTTv311, mqtt.MQTTv5])
def test_acl_wildcard_subscription_read_in_part_gets_what_may_be_read(tmp_path, pwfile, protocol):
    # alice may read lab/# (but not lab/secret), news/# and clients/#: "+/open" and "#" reach beyond that, yet
    # share topics with it. Granted, as Mosquitto grants them, and filtered per message at delivery.
    with secured(tmp_path, pwfile) as broker:
        alice = connected(broker.port, "alice", username="alice", password="alice-pw", protocol=protocol)
        bob = connected(broker.port, "bob", username="bob", password="bob-pw", protocol=protocol)
        granted = alice.subscribe("+/open", 1)
        assert [int(getattr(g, "value", g)) for g in granted] == [1]
        bob.publish("lab/secret", b"hidden", 1)
        bob.publish("lab/open", b"visible", 1)
        m = alice.next_message()
        assert (m.topic, m.payload) == ("lab/open", b"visible")
        assert [int(getattr(g, "value", g)) for g in alice.subscribe("#", 0)] == [0]
        bob.publish("lab/secret", b"hidden", 1)
        bob.publish("lab/after", b"marker", 1)
        m = alice.next_message()
        assert (m.topic, m.payload) == ("lab/after", b"marker"), "a message alice may not read was delivered"
        # A filter no rule of hers can grant any part of is still refused.
        refused = alice.subscribe("elsewhere/+/#", 0)
        assert [int(getattr(g, "value", g)) for g in refused] == [0x87 if protocol == mqtt.MQTTv5 else 0x80]
        alice.disconnect()
        bob.disconnect()


def test_acl_patterns_and_v5_puback_reason(tmp_path, pwfile):
    with secured(tmp_path, pwfile) as broker:
        # Patterns: %c is the client id, %u the user name (bob has no read rules of his own).
        dev = connected(broker.port, "dev1", username="bob", password="bob-pw")
        assert dev.subscribe("clients/dev1/#", 0) == (0,)
        assert dev.subscribe("users/bob/#", 0) == (0,)
        assert dev.subscribe("clients/dev2/#", 0) == (0x80,)
        dev.disconnect()
        # mosquitto_pub -V 5 -d shows the PUBACK's reason code for a denied publish.
        pub = subprocess.run(["mosquitto_pub", "-V", "5", "-d", "-p", str(broker.port), "-u", "bob", "-P", "bob-pw",
                              "-i", "dev2", "-t", "users/alice/x", "-m", "x", "-q", "1"], capture_output=True,
                             text=True, timeout=WAIT)
        assert "received PUBACK (Mid: 1, RC:135)" in pub.stdout, pub.stdout + pub.stderr
        # culex pub may write below clients/ its own client id.
        monitor = connected(broker.port, "monitor", username="alice", password="alice-pw")
        assert monitor.subscribe("clients/#", 0) == (0,)
        ok = subprocess.run([culex_binary(), "pub", "-p", str(broker.port), "-u", "bob", "-P", "bob-pw", "-i", "dev1",
                             "-t", "clients/dev1/status", "-m", "up", "-q", "1"], capture_output=True, text=True,
                            timeout=WAIT)
        assert ok.returncode == 0, ok.stderr
        m = monitor.next_message()
        assert (m.topic, m.payload) == ("clients/dev1/status", b"up")
        monitor.disconnect()
