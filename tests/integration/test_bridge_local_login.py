"""local_username / local_password (docs/bridge.md, "The bridge's user on the local broker"): the local ACL
applies to what a bridge publishes and subscribes to locally, as that user; a password that is not the user's
stops the broker at start with the line named.

Every wait is on an event (a log line, a message) with a bound; nothing sleeps to synchronise.
"""
import signal
import subprocess

from brokers import start_culex, write_config
from conftest import culex_binary
from mqtt_peers import WAIT, connected
from test_bridge import BRIDGE_UP, bridge_config, site_dirs

# Anonymous clients (the test's own subscribers and publishers) may do anything on in/ and out/; the bridge's
# user may publish locally only under in/allowed/, and may not read out/secret/.
ACL = """topic readwrite in/#
topic readwrite out/#

user site
topic write in/allowed/#
topic readwrite out/#
topic deny out/secret/#
"""


def password_file(directory, user, password):
    path = directory / "passwd"
    subprocess.run([culex_binary(), "passwd", "-c", "-b", str(path), user, password], check=True, timeout=WAIT)
    return path


def secured_bridge(local_dir, remote_port, password):
    (local_dir / "acl").write_text(ACL)
    login = f"local_username site\nlocal_password {password}\n"
    return (f"password_file {password_file(local_dir, 'site', 'site-pw')}\nacl_file {local_dir / 'acl'}\n" +
            bridge_config(remote_port, ["in/# in 1", "out/# out 1"], extra=login))


def test_the_local_acl_applies_to_what_the_bridge_carries(tmp_path):
    remote_dir, local_dir = site_dirs(tmp_path)
    with start_culex(remote_dir) as remote, \
            start_culex(local_dir, secured_bridge(local_dir, remote.port, "site-pw")) as local:
        local.log.wait_for(BRIDGE_UP.format("b", remote.port, "site1"), timeout=WAIT)
        remote.log.wait_for(r"Sending SUBACK to site1", timeout=WAIT)
        local.log.wait_for(r"New client connected from bridge b as local\.site1 \(p5, c0, k0, u'site'\)\.",
                           timeout=WAIT)
        local_sub = connected(local.port, "local-sub")
        local_sub.subscribe("in/#", 1)
        remote_pub = connected(remote.port, "remote-pub")
        # In order on one link: a denied message that got through would arrive before the allowed one.
        remote_pub.publish("in/denied/1", b"kept out", qos=1)
        remote_pub.publish("in/allowed/2", b"let in", qos=1)
        m = local_sub.next_message()
        assert (m.topic, m.payload) == ("in/allowed/2", b"let in")
        local.log.wait_for(r"Denied PUBLISH from local\.site1 \(d0, q1, r0, m\d+, 'in/denied/1'", timeout=WAIT)
        assert local_sub.no_message()

        remote_sub = connected(remote.port, "remote-sub")
        remote_sub.subscribe("out/#", 1)
        local_pub = connected(local.port, "local-pub")
        local_pub.publish("out/secret/1", b"not readable by the bridge", qos=1)
        local_pub.publish("out/open/2", b"readable", qos=1)
        m = remote_sub.next_message()
        assert (m.topic, m.payload) == ("out/open/2", b"readable")
        assert remote_sub.no_message()


def test_a_local_password_that_is_not_the_users_stops_the_broker(tmp_path):
    remote_dir, local_dir = site_dirs(tmp_path)
    config = "listener 0 127.0.0.1\n" + secured_bridge(local_dir, 1, "wrong")
    path = write_config(local_dir, config)
    line = config.splitlines().index("local_username site") + 1
    run = subprocess.run([culex_binary(), "broker", "-c", path], capture_output=True, text=True, timeout=WAIT)
    assert run.returncode != 0
    assert (f"{path}:{line}: bridge 'b': local_password is not the password of user 'site' in password_file"
            in run.stdout + run.stderr), run.stdout + run.stderr


def test_a_reload_with_a_wrong_local_password_keeps_the_running_configuration(tmp_path):
    remote_dir, local_dir = site_dirs(tmp_path)
    with start_culex(remote_dir) as remote, \
            start_culex(local_dir, secured_bridge(local_dir, remote.port, "site-pw")) as local:
        local.log.wait_for(BRIDGE_UP.format("b", remote.port, "site1"), timeout=WAIT)
        text = (local_dir / "broker.conf").read_text()
        (local_dir / "broker.conf").write_text(text.replace("local_password site-pw", "local_password wrong"))
        local.proc.send_signal(signal.SIGHUP)
        local.log.wait_for(r"Error reloading config: .*bridge 'b': local_password is not the password of user "
                           r"'site'.*; keeping the running configuration\.", timeout=WAIT)
        assert "Bridge b changed in the config" not in local.log.text()
