"""check_retain_source (on by default, as in Mosquitto): a retained message goes to a new subscriber only while
the ACL still lets its publisher publish on its topic. An ACL reload (SIGHUP) that takes the right away
withholds the message; `check_retain_source false` sends it regardless."""
import signal
import subprocess

import pytest

from brokers import start_culex
from conftest import culex_binary
from mqtt_peers import connected

ACL_BEFORE = """\
user alice
topic readwrite lab/#
user bob
topic read lab/#
user carol
topic readwrite lab/#
"""
# alice may no longer publish on lab/#; carol still may.
ACL_AFTER = ACL_BEFORE.replace("user alice\ntopic readwrite lab/#", "user alice\ntopic read lab/#")


@pytest.fixture
def pwfile(tmp_path):
    path = tmp_path / "passwd"
    for user in ("alice", "bob", "carol"):
        assert subprocess.run([culex_binary(), "passwd", "-b", *([] if path.exists() else ["-c"]), str(path),
                               user, f"{user}-pw"], capture_output=True).returncode == 0
    return path


def retained_seen_by_a_new_subscriber(broker, client_id):
    """Topics of the retained messages a new subscriber to lab/# gets (carol's marker, published after the
    SUBACK, proves that every retained message has arrived: they are sent right after the SUBACK)."""
    reader = connected(broker.port, client_id, username="bob", password="bob-pw")
    reader.subscribe("lab/#", 0)
    carol = connected(broker.port, f"{client_id}-marker", username="carol", password="carol-pw")
    carol.publish("lab/marker", b"", 1)
    topics = []
    while True:
        message = reader.next_message()
        if message.topic == "lab/marker":
            return topics
        topics.append(message.topic)


def reload_acl(broker, acl_path, text):
    acl_path.write_text(text)
    start = len(broker.log.lines)
    broker.proc.send_signal(signal.SIGHUP)
    broker.log.wait_for(r"Reloaded access rules in force on event loop 0\.", start=start)


@pytest.mark.parametrize("check", [True, False])
def test_a_retained_message_of_a_publisher_whose_right_was_revoked(tmp_path, pwfile, check):
    acl = tmp_path / "acl"
    acl.write_text(ACL_BEFORE)
    config = (f"threads 1\npassword_file {pwfile}\nacl_file {acl}\nlogin_throttle false\n"
              + ("" if check else "check_retain_source false\n"))
    with start_culex(tmp_path, config, anonymous=False) as broker:
        alice = connected(broker.port, "alice", username="alice", password="alice-pw")
        alice.publish("lab/state", b"on", 1, retain=True)
        carol = connected(broker.port, "carol", username="carol", password="carol-pw")
        carol.publish("lab/mode", b"auto", 1, retain=True)
        assert sorted(retained_seen_by_a_new_subscriber(broker, "before")) == ["lab/mode", "lab/state"]

        reload_acl(broker, acl, ACL_AFTER)
        seen = retained_seen_by_a_new_subscriber(broker, "after")
        if check:
            assert seen == ["lab/mode"], "alice's retained message went out after her write access was revoked"
            broker.log.wait_for(r"Retained message on 'lab/state' withheld: its publisher alice may no longer "
                                r"publish there \(check_retain_source\)\.")
        else:
            assert sorted(seen) == ["lab/mode", "lab/state"]
