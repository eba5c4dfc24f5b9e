"""`culex passwd` against the real thing: files it writes are accepted by Debian's mosquitto broker, files
mosquitto_passwd writes are edited by it, and its messages and exit codes are mosquitto_passwd's."""
import os
import pwd
import queue
import shutil
import stat
import subprocess
import threading
import time
from pathlib import Path

import pytest

from conftest import culex_binary, free_port, run

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
MOSQUITTO_PUB = shutil.which("mosquitto_pub")
MOSQUITTO_PASSWD = shutil.which("mosquitto_passwd")

needs_mosquitto = pytest.mark.skipif(
    not (os.path.exists(MOSQUITTO) and MOSQUITTO_PUB and MOSQUITTO_PASSWD),
    reason="Debian's mosquitto and mosquitto-clients are needed (scripts/install-deps.sh installs them)",
)


def passwd(*args, stdin=None):
    return run([culex_binary(), "passwd", *args], input=stdin)


def readable_by_broker(path: Path):
    """Debian's broker started as root drops to user mosquitto before it reads the password file, and pytest's
    temporary directories are private to root: the file goes to user mosquitto, as an administrator would hand
    it over (so edits can be checked to keep its owner), and the broker stays root to reach it (`user root`)."""
    if os.geteuid() != 0:
        return []
    try:
        user = pwd.getpwnam("mosquitto")
        os.chown(path, user.pw_uid, user.pw_gid)
    except KeyError:
        pass
    return ["user root"]


class Mosquitto:
    """Debian's broker on a free loopback port, with a password file and no anonymous access."""

    def __init__(self, tmp: Path, password_file: Path, extra_lines):
        self.port = free_port()
        conf = tmp / "mosquitto.conf"
        conf.write_text(
            "\n".join(
                [f"listener {self.port} 127.0.0.1", "allow_anonymous false", f"password_file {password_file}",
                 "log_dest stderr", "log_type all", *extra_lines]
            )
            + "\n"
        )
        self.proc = subprocess.Popen([MOSQUITTO, "-c", str(conf)], stderr=subprocess.PIPE, text=True)
        self.log = []
        # A thread reads the log: select() on the pipe would miss lines already in Python's read buffer.
        self.lines = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()
        self._wait_for("running", timeout=10)

    def _pump(self):
        for line in self.proc.stderr:
            self.lines.put(line)
        self.lines.put(None)  # end of the log: the broker exited

    def _wait_for(self, words: str, timeout: float):
        deadline = time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=remaining)
            except queue.Empty:
                break
            if line is None:
                break
            self.log.append(line)
            if words in line:
                return
        self.stop()
        pytest.fail(f"mosquitto did not report '{words}':\n" + "".join(self.log))

    def publish(self, user, password, version="mqttv311"):
        return run([MOSQUITTO_PUB, "-h", "127.0.0.1", "-p", str(self.port), "-V", version, "-u", user, "-P", password,
                    "-t", "culex/test", "-m", "hello"], timeout=20)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


@pytest.fixture
def broker_dir(tmp_path):
    directory = tmp_path / "broker"
    directory.mkdir()
    return directory


@needs_mosquitto
def test_file_written_by_culex_passwd_works_with_mosquitto(broker_dir):
    pwfile = broker_dir / "passwd"
    created = passwd("-c", "-b", str(pwfile), "alice", "correct horse")
    assert created.returncode == 0, created.stderr
    assert stat.S_IMODE(pwfile.stat().st_mode) == 0o600
    # The prompt path, fed through a pipe: the password must not be echoed back.
    prompted = passwd(str(pwfile), "bob", stdin="battery staple\nbattery staple\n")
    assert prompted.returncode == 0, prompted.stderr
    assert prompted.stdout == "Password: \nReenter password: \n"
    assert "battery" not in prompted.stdout + prompted.stderr
    text = pwfile.read_text()
    assert text.startswith("alice:$7$100000$") and "\nbob:$7$100000$" in text

    extra = readable_by_broker(pwfile)
    broker = Mosquitto(broker_dir, pwfile, extra)
    try:
        for version in ("mqttv311", "mqttv5"):
            assert broker.publish("alice", "correct horse", version).returncode == 0
            assert broker.publish("bob", "battery staple", version).returncode == 0
            refused = broker.publish("alice", "battery staple", version)
            assert refused.returncode != 0
            assert "not authori" in refused.stderr.lower() or "bad user name or password" in refused.stderr.lower()
            assert broker.publish("mallory", "correct horse", version).returncode != 0
        # An edit keeps the file readable by the broker's user (owner and group are kept).
        changed = passwd("-b", str(pwfile), "alice", "new one")
        assert changed.returncode == 0, changed.stderr
        if os.geteuid() == 0:
            assert pwfile.stat().st_uid == pwd.getpwnam("mosquitto").pw_uid
    finally:
        broker.stop()

    broker = Mosquitto(broker_dir, pwfile, extra)
    try:
        assert broker.publish("alice", "new one").returncode == 0
        assert broker.publish("alice", "correct horse").returncode != 0
    finally:
        broker.stop()


@needs_mosquitto
def test_file_written_by_mosquitto_passwd_is_edited_by_culex_passwd(broker_dir):
    pwfile = broker_dir / "passwd"
    assert run([MOSQUITTO_PASSWD, "-c", "-b", str(pwfile), "alice", "a-pass"]).returncode == 0
    assert run([MOSQUITTO_PASSWD, "-b", str(pwfile), "bob", "b-pass"]).returncode == 0
    assert run([MOSQUITTO_PASSWD, "-H", "sha512", "-b", str(pwfile), "carol", "c-pass"]).returncode == 0
    with pwfile.open("a") as f:
        f.write("dave:d-pass\n")  # plain text, for -U
    before = pwfile.read_text().splitlines()

    missing = passwd("-D", str(pwfile), "nobody")
    assert missing.returncode == 1
    assert missing.stderr == "Warning: User nobody not found in password file.\n"
    assert pwfile.read_text().splitlines() == before

    deleted = passwd("-D", str(pwfile), "bob")
    assert deleted.returncode == 0, deleted.stderr
    assert pwfile.read_text().splitlines() == [before[0], before[2], before[3]]

    upgraded = passwd("-U", str(pwfile))
    assert upgraded.returncode == 0, upgraded.stderr
    after = pwfile.read_text().splitlines()
    assert after[:2] == [before[0], before[2]]  # hashed lines are left alone
    assert after[2].startswith("dave:$7$")

    extra = readable_by_broker(pwfile)
    broker = Mosquitto(broker_dir, pwfile, extra)
    try:
        assert broker.publish("alice", "a-pass").returncode == 0
        assert broker.publish("carol", "c-pass").returncode == 0
        assert broker.publish("dave", "d-pass").returncode == 0
        assert broker.publish("bob", "b-pass").returncode != 0
    finally:
        broker.stop()


MISUSE = [
    [],
    ["-c", "-D", "f", "u"],
    ["-c", "-U", "f"],
    ["-D", "-U", "f"],
    ["-b", "-D", "f", "u"],
    ["-c", "f"],
    ["-c", "-b", "f", "u"],
    ["-D", "f"],
    ["-U"],
    ["-H"],
    ["-H", "md5", "f", "u"],
    ["-I", "0", "f", "u"],
    ["-b", "f", "u:x", "p"],
    ["-b", "{missing}", "u", "p"],
    ["-D", "{missing}", "u"],
    ["-b", "f", "u"],
]


@pytest.mark.skipif(not MOSQUITTO_PASSWD, reason="mosquitto_passwd is absent")
@pytest.mark.parametrize("args", MISUSE, ids=lambda a: " ".join(a) or "no-arguments")
def test_errors_and_exit_codes_match_mosquitto_passwd(tmp_path, args):
    args = [a.replace("{missing}", str(tmp_path / "missing")) for a in args]
    theirs = run([MOSQUITTO_PASSWD, *args], cwd=tmp_path)
    ours = run([culex_binary(), "passwd", *args], cwd=tmp_path)
    assert ours.returncode == theirs.returncode
    assert ours.stderr == theirs.stderr
    if theirs.stdout.startswith("mosquitto_passwd is a tool"):
        assert ours.stdout.startswith("culex passwd manages password files")
    assert not (tmp_path / "f").exists()


def test_mismatched_passwords_exit_2_and_write_nothing(tmp_path):
    result = passwd("-c", str(tmp_path / "pw"), "alice", stdin="one\ntwo\n")
    assert result.returncode == 2
    assert result.stderr == "Error: Passwords do not match.\n"
    assert not (tmp_path / "pw").exists()


def test_help_lists_the_flags():
    result = passwd("--help")
    assert result.returncode == 0
    for flag in ("-b", "-c", "-D", "-H", "-I", "-U"):
        assert f" {flag} " in result.stdout
