"""culex as a service (issue 15): systemd's notify protocol (READY=1, RELOADING=1, STOPPING=1, WATCHDOG=1) on a
NOTIFY_SOCKET the test listens on, the pid file, dropping privileges with `user`, JSON logs, and the Debian
package built by `make deb`, installed with dpkg and removed again.

Tests that need root (changing user, installing a package) skip without it; CI runs them as root.
"""
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from brokers import Broker, start_culex, write_config
from conftest import REPO, culex_binary, run
from mqtt_peers import WAIT, connected

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (changes user, installs a package)")


class NotifySocket:
    """A datagram socket standing in for systemd's notify socket: each datagram is one sd_notify() call."""

    def __init__(self):
        # Short path: a Unix socket's path must fit in 108 bytes.
        self.dir = tempfile.mkdtemp(prefix="culex-notify-")
        self.path = os.path.join(self.dir, "notify")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.received = []

    def next(self, timeout=WAIT):
        """The next datagram as a dict of its KEY=VALUE lines."""
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(4096).decode()
        except socket.timeout:
            raise AssertionError(f"no notification within {timeout}s; got so far: {self.received}")
        fields = dict(line.split("=", 1) for line in data.splitlines() if "=" in line)
        self.received.append(fields)
        return fields

    def wait_for(self, key, timeout=WAIT):
        """Datagrams until one has `key`; returns it."""
        deadline = time.monotonic() + timeout
        while True:
            fields = self.next(max(0.01, deadline - time.monotonic()))
            if key in fields:
                return fields

    def close(self):
        self.sock.close()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def notify():
    s = NotifySocket()
    yield s
    s.close()


def proc_status_ids(pid):
    """The Uid, Gid and Groups lines of /proc/PID/status as lists of ints."""
    ids = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("Uid", "Gid", "Groups"):
                ids[key] = [int(v) for v in value.split()]
    return ids


def round_trip(port, topic="service/check"):
    """A message through the broker: proof that it serves."""
    sub = connected(port, "svc-sub")
    sub.subscribe(topic)
    pub = connected(port, "svc-pub")
    pub.publish(topic, b"up")
    assert sub.next_message().payload == b"up"
    pub.disconnect()
    sub.disconnect()


# --- systemd's notify protocol -----------------------------------------------------------------------------

def test_ready_when_serving_and_stopping_on_sigterm(tmp_path, notify):
    broker = start_culex(tmp_path, env={"NOTIFY_SOCKET": notify.path})
    with broker:
        ready = notify.wait_for("READY")
        assert ready["READY"] == "1"
        assert "running" in ready.get("STATUS", "")
        # READY=1 is sent once the broker serves: a client gets through at once.
        round_trip(broker.port)
        broker.proc.send_signal(signal.SIGTERM)
        assert notify.wait_for("STOPPING")["STOPPING"] == "1"
        assert broker.proc.wait(timeout=WAIT) == 0


def test_reloading_on_sighup_then_ready_again(tmp_path, notify):
    broker = start_culex(tmp_path, env={"NOTIFY_SOCKET": notify.path})
    with broker:
        notify.wait_for("READY")
        before_ns = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
        broker.proc.send_signal(signal.SIGHUP)
        reloading = notify.wait_for("RELOADING")
        assert reloading["RELOADING"] == "1"
        # systemd compares MONOTONIC_USEC with the time it sent the signal: CLOCK_MONOTONIC, in microseconds.
        assert int(reloading["MONOTONIC_USEC"]) >= before_ns // 1000
        assert notify.wait_for("READY")["READY"] == "1"
        broker.log.wait_for(r"Reloading config\.")
        round_trip(broker.port)


def test_watchdog_pings_when_asked(tmp_path, notify):
    # WatchdogSec=0.4s: a ping every 0.2 s (no WATCHDOG_PID: it applies to whichever process reads it).
    broker = start_culex(tmp_path, env={"NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "400000"})
    with broker:
        notify.wait_for("READY")
        for _ in range(3):
            assert notify.wait_for("WATCHDOG")["WATCHDOG"] == "1"
        broker.log.wait_for(r"systemd watchdog: notifying every 200 ms\.")


def test_no_watchdog_for_another_pid(tmp_path, notify):
    # WATCHDOG_PID names another process (systemd's way of saying "not you"): no pings, READY=1 still.
    broker = start_culex(tmp_path, env={"NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "100000",
                                        "WATCHDOG_PID": "1"})
    with broker:
        notify.wait_for("READY")
        broker.proc.send_signal(signal.SIGTERM)
        notify.wait_for("STOPPING")  # everything between READY and STOPPING is below
        assert not any("WATCHDOG" in fields for fields in notify.received)
        assert "systemd watchdog" not in broker.log.text()


# --- pid_file ------------------------------------------------------------------------------------------------

def test_pid_file_written_once_serving_and_removed_on_sigterm(tmp_path):
    pid_path = tmp_path / "culex.pid"
    broker = start_culex(tmp_path, f"pid_file {pid_path}\n")
    with broker:
        broker.log.wait_for(r"culex version \S+ running")
        assert pid_path.read_text() == f"{broker.proc.pid}\n"
        assert broker.stop(signal.SIGTERM) == 0
    assert not pid_path.exists()


def test_pid_file_removed_on_sigint(tmp_path):
    pid_path = tmp_path / "culex.pid"
    broker = start_culex(tmp_path, f"pid_file {pid_path}\n")
    with broker:
        broker.log.wait_for(r"culex version \S+ running")
        assert broker.stop(signal.SIGINT) == 0
    assert not pid_path.exists()


def test_pid_file_of_a_running_broker_is_a_start_error(tmp_path):
    pid_path = tmp_path / "culex.pid"
    first_dir = tmp_path / "first"
    second_dir = tmp_path / "second"
    first_dir.mkdir()
    second_dir.mkdir()
    first = start_culex(first_dir, f"pid_file {pid_path}\n")
    with first:
        first.log.wait_for(r"culex version \S+ running")
        config = write_config(second_dir, f"listener 0 127.0.0.1\nallow_anonymous true\npid_file {pid_path}\n")
        second = run([culex_binary(), "broker", "-c", config], timeout=WAIT * 3)
        assert second.returncode == 1
        assert (f"Error: the pid file '{pid_path}' belongs to a running culex broker (process {first.proc.pid}); "
                "stop that broker first, or give this one another pid_file") in second.stderr
        assert pid_path.read_text() == f"{first.proc.pid}\n"  # the running broker's file is untouched
        round_trip(first.port)


def test_stale_pid_file_is_replaced(tmp_path):
    pid_path = tmp_path / "culex.pid"
    gone = subprocess.Popen(["true"])
    gone.wait(timeout=WAIT)
    pid_path.write_text(f"{gone.pid}\n")  # left by a broker that crashed: no process holds it
    broker = start_culex(tmp_path, f"pid_file {pid_path}\n")
    with broker:
        broker.log.wait_for(r"culex version \S+ running")
        assert pid_path.read_text() == f"{broker.proc.pid}\n"


def test_unwritable_pid_file_is_a_start_error(tmp_path):
    config = write_config(tmp_path, "listener 0 127.0.0.1\npid_file /nonexistent-culex-dir/culex.pid\n")
    result = run([culex_binary(), "broker", "-c", config], timeout=WAIT * 3)
    assert result.returncode == 1
    assert ("Error: Unable to write pid file. Cannot open '/nonexistent-culex-dir/culex.pid': No such file or "
            "directory; check that its directory exists and that this user may write to it") in result.stderr


# --- user ---------------------------------------------------------------------------------------------------

@needs_root
def test_user_drops_privileges_and_the_broker_still_serves(tmp_path):
    nobody = pwd.getpwnam("nobody")
    # The store opens after the drop, as nobody: its directory must be nobody's (culex changes no owners).
    store = Path(tempfile.mkdtemp(prefix="culex-user-"))
    os.chown(store, nobody.pw_uid, nobody.pw_gid)
    try:
        pid_path = store / "culex.pid"
        broker = start_culex(tmp_path, f"user nobody\npersistence true\npersistence_location {store}/\n"
                                       f"pid_file {pid_path}\n")
        with broker:
            broker.log.wait_for(r"culex version \S+ running")
            broker.log.wait_for(rf"Dropped privileges to user nobody \(uid {nobody.pw_uid}, gid {nobody.pw_gid}\)\.")
            ids = proc_status_ids(broker.proc.pid)
            assert ids["Uid"] == [nobody.pw_uid] * 4  # real, effective, saved, filesystem
            assert ids["Gid"] == [nobody.pw_gid] * 4
            assert 0 not in ids["Groups"]  # root's supplementary groups are gone (initgroups)
            round_trip(broker.port)
            assert (store / "mosquitto.db").stat().st_uid == nobody.pw_uid  # created by nobody
            # The pid file was written before the drop, in a directory nobody may write: removed at exit.
            assert pid_path.read_text() == f"{broker.proc.pid}\n"
            assert broker.stop() == 0
        assert not pid_path.exists()
    finally:
        shutil.rmtree(store, ignore_errors=True)


@needs_root
def test_unknown_user_is_a_start_error(tmp_path):
    config = write_config(tmp_path, "listener 0 127.0.0.1\nuser culex-no-such-user\n")
    result = run([culex_binary(), "broker", "-c", config], timeout=WAIT * 3)
    assert result.returncode == 1
    assert ("Error: Unable to drop privileges to 'culex-no-such-user' because this user does not exist. "
            "Create it (adduser --system --group culex-no-such-user) or name an existing user in the config's "
            "`user` line.") in result.stderr


@needs_root
def test_root_without_user_warns(tmp_path):
    broker = start_culex(tmp_path)
    with broker:
        broker.log.wait_for(r"^\d+: Warning: culex should not be run as root/administrator\.$")


# --- log_format json ------------------------------------------------------------------------------------------

def test_json_log_lines(tmp_path):
    broker = start_culex(tmp_path, "log_format json\nlog_dest stdout\n", verbose=False)
    with broker:
        broker.log.wait_for(r'"message":"culex version \S+ running"')
        client_id = 'odd "id" \\ here'
        c = connected(broker.port, client_id)
        broker.log.wait_for(r"New client connected")
        c.disconnect()
        broker.log.wait_for(r"disconnected\.")
    objects = [json.loads(line) for line in broker.log.lines]  # every line is one JSON object
    assert all(set(o) == {"time", "type", "message"} for o in objects)
    assert {"type": "notice", "message": "culex version 0.1.0 running"}.items() <= next(
        o for o in objects if o["message"].endswith("running")).items()
    connect = next(o for o in objects if o["message"].startswith("New client connected"))
    assert connect["type"] == "notice"
    assert f" as {client_id} (p2, c1, k60)." in connect["message"]
    assert connect["time"].endswith("Z") and connect["time"][4] == "-" and connect["time"][10] == "T"


# --- the Debian package ------------------------------------------------------------------------------------

def package_installed(name):
    result = run(["dpkg-query", "-W", "-f=${Status}", name])
    return result.returncode == 0 and "installed" in result.stdout and "not-installed" not in result.stdout


@needs_root
@pytest.mark.slow
def test_make_deb_installs_and_removes(tmp_path):
    """`make deb` (42 s in all when build/ holds a current Release build, as after `make build`; 37 minutes from
    an empty build/ on a busy 2-core machine), lintian without errors, dpkg -i, the installed broker
    starts with the packaged config (moved to an ephemeral port), dpkg -r, dpkg --purge; the machine is left as
    it was: the culex user is deleted again if this test created it."""
    if package_installed("culex") or Path("/usr/bin/culex").exists():
        pytest.skip("a culex package is installed here already: not replacing it")
    user_existed = run(["getent", "passwd", "culex"]).returncode == 0
    built = run(["make", "deb"], timeout=1800, cwd=REPO)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    print(built.stdout[-3000:])  # lintian's warnings, if any
    debs = sorted((REPO / "build").glob("culex_*.deb"))
    assert len(debs) == 1, debs
    try:
        installed = run(["dpkg", "-i", str(debs[0])], timeout=300)
        assert installed.returncode == 0, installed.stdout + installed.stderr
        assert os.access("/usr/bin/culex", os.X_OK)
        assert Path("/lib/systemd/system/culex.service").is_file()
        assert Path("/usr/share/doc/culex/copyright").is_file()
        assert Path("/usr/share/doc/culex/README").is_file()
        assert "/etc/culex/culex.conf" in run(["dpkg-query", "-W", "-f=${Conffiles}", "culex"]).stdout
        culex_user = pwd.getpwnam("culex")
        state = Path("/var/lib/culex").stat()
        assert (state.st_uid, state.st_gid) == (culex_user.pw_uid, culex_user.pw_gid)

        # The packaged config loads and serves (on an ephemeral loopback port, with a store of its own).
        text = Path("/etc/culex/culex.conf").read_text()
        assert "listener 1883 127.0.0.1" in text and "listener 1883 ::1" in text
        text = text.replace("listener 1883 127.0.0.1", "listener 0 127.0.0.1").replace("listener 1883 ::1\n", "")
        text = text.replace("persistence_location /var/lib/culex/", f"persistence_location {tmp_path}/")
        config = write_config(tmp_path, text + "log_dest stdout\n")
        broker = Broker(["/usr/bin/culex", "broker", "-c", config])
        with broker:
            broker.log.wait_for(r"culex version \S+ running")
            round_trip(broker.port)

        removed = run(["dpkg", "-r", "culex"], timeout=300)
        assert removed.returncode == 0, removed.stdout + removed.stderr
        assert not Path("/usr/bin/culex").exists()
        assert Path("/etc/culex/culex.conf").exists()  # a removed package keeps its conffiles until purged
    finally:
        purged = run(["dpkg", "--purge", "culex"], timeout=300)
        if not user_existed:
            run(["deluser", "--system", "culex"], timeout=60)
            run(["delgroup", "--system", "culex"], timeout=60)
    assert purged.returncode == 0, purged.stdout + purged.stderr
    assert not package_installed("culex")
    assert not Path("/etc/culex").exists()
    assert not Path("/var/lib/culex").exists()
    assert not Path("/etc/systemd/system/multi-user.target.wants/culex.service").exists()
    assert not Path("/lib/systemd/system/culex.service").exists()
    assert user_existed or run(["getent", "passwd", "culex"]).returncode != 0
