"""`culex pub` and `culex sub` against a real broker (Debian's mosquitto, started here on a free loopback port),
cross-checked with mosquitto_pub/mosquitto_sub: flags, output, exit codes and error wording must match."""
import os
import queue
import re
import select
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from conftest import culex_binary, free_port, run

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
WAIT = 10  # seconds: the bound on every wait


class Broker:
    """A mosquitto broker with its log read on a thread, so tests can wait for a log line (bounded)."""

    def __init__(self, tmp: Path, allow_anonymous=True):
        self.port = free_port()
        conf = tmp / f"mosquitto-{self.port}.conf"
        conf.write_text(
            f"listener {self.port} 127.0.0.1\n"
            f"allow_anonymous {'true' if allow_anonymous else 'false'}\n"
            "log_dest stdout\nlog_type all\npersistence false\n"
        )
        # stdbuf: mosquitto block-buffers its log when stdout is a pipe, so lines would arrive only at exit.
        self.proc = subprocess.Popen(["stdbuf", "-oL", MOSQUITTO, "-c", str(conf)], stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        self.lines = queue.Queue()
        self.log = []
        threading.Thread(target=self._pump, daemon=True).start()
        self.wait_log(f"Opening ipv4 listen socket on port {self.port}")
        self.wait_log("running")

    def _pump(self):
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_log(self, text, timeout=WAIT):
        """Returns the first log line (since the last wait) containing `text`; fails after `timeout`."""
        for line in self.log:
            if text in line:
                self.log.remove(line)
                return line
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                pytest.fail(f"broker never logged {text!r}; log so far: {self.log[-20:]}")
            try:
                line = self.lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if text in line:
                return line
            self.log.append(line)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture(scope="module")
def broker(tmp_path_factory):
    b = Broker(tmp_path_factory.mktemp("broker"))
    yield b
    b.stop()


def culex(*args, **kwargs):
    return run([culex_binary(), *args], timeout=WAIT * 2, **kwargs)


def counter():
    counter.n += 1
    return f"{os.getpid()}-{counter.n}"


counter.n = 0


def start_sub(broker, *args, client_id=None, program=None):
    """Starts a subscriber and returns once the broker has acknowledged its subscription."""
    client_id = client_id or f"sub-{counter()}"
    cmd = program or [culex_binary(), "sub"]
    proc = subprocess.Popen([*cmd, "-p", str(broker.port), "-i", client_id, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    broker.wait_log(f"Sending SUBACK to {client_id}")
    return proc


def finish(proc, timeout=WAIT):
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


def pub(broker, *args, **kwargs):
    return culex("pub", "-p", str(broker.port), *args, **kwargs)


@pytest.mark.parametrize("qos", ["0", "1", "2"])
def test_pub_to_sub_at_each_qos(broker, qos):
    topic = f"qos/{qos}/{counter()}"
    sub = start_sub(broker, "-t", topic, "-q", qos, "-C", "1", "-v")
    r = pub(broker, "-t", topic, "-m", "hello", "-q", qos, "-i", f"pubq{qos}")
    assert r.returncode == 0, r.stderr
    broker.wait_log(f"Received PUBLISH from pubq{qos} (d0, q{qos}, r0, m")
    rc, out, err = finish(sub)
    assert (rc, out) == (0, f"{topic} hello\n".encode()), err


def test_lab_scenario(broker):
    sub = start_sub(broker, "-h", "127.0.0.1", "-t", "#", "-v", "-C", "1")
    r = pub(broker, "-h", "127.0.0.1", "-m", "hello", "-t", "world")
    assert r.returncode == 0, r.stderr
    rc, out, _ = finish(sub)
    assert rc == 0
    assert out.decode().splitlines()[-1] == "world hello"


def test_default_client_ids_look_like_mosquitto_1(broker):
    r = pub(broker, "-t", "ids", "-m", "x")
    assert r.returncode == 0
    # Waits for a pub's line: earlier tests' subscribers connected too.
    line = broker.wait_log(" as culexpub|")
    assert re.search(r"New client connected from 127\.0\.0\.1:\d+ as culexpub\|\d+-\S+ \(p2, c1, k60\)\.$", line), line


def test_retained_message_and_R(broker):
    topic = f"retained/{counter()}"
    assert pub(broker, "-t", topic, "-m", "kept", "-r", "-q", "1").returncode == 0
    r = culex("sub", "-p", str(broker.port), "-t", topic, "-C", "1", "-v")
    assert (r.returncode, r.stdout) == (0, f"{topic} kept\n")
    # -R skips the stale message, so nothing arrives before -W ends the run.
    r = culex("sub", "-p", str(broker.port), "-t", topic, "-C", "1", "-R", "-W", "1")
    assert (r.returncode, r.stdout, r.stderr) == (27, "", "Timed out\n")
    # An empty retained message deletes it.
    assert pub(broker, "-t", topic, "-n", "-r").returncode == 0
    r = culex("sub", "-p", str(broker.port), "-t", topic, "-C", "1", "-W", "1")
    assert r.returncode == 27


def test_count_stops_after_C_messages(broker):
    topic = f"count/{counter()}"
    sub = start_sub(broker, "-t", topic, "-C", "2")
    for payload in ("one", "two", "three"):
        assert pub(broker, "-t", topic, "-m", payload, "-q", "1").returncode == 0
    rc, out, _ = finish(sub)
    assert (rc, out) == (0, b"one\ntwo\n")


def test_W_times_out_with_mosquitto_code(broker):
    r = culex("sub", "-p", str(broker.port), "-t", f"silent/{counter()}", "-W", "1")
    mosq = run(["mosquitto_sub", "-p", str(broker.port), "-t", "silent/x", "-W", "1"], timeout=WAIT)
    assert (r.returncode, r.stderr) == (mosq.returncode, mosq.stderr) == (27, "Timed out\n")


def test_lines_from_stdin_each_a_message(broker):
    topic = f"lines/{counter()}"
    sub = start_sub(broker, "-t", topic, "-C", "4", "-v", "-q", "1")
    r = pub(broker, "-t", topic, "-l", "-q", "1", input="first\nsecond\n\nlast-without-newline")
    assert r.returncode == 0, r.stderr
    rc, out, _ = finish(sub)
    assert rc == 0
    assert out.decode().splitlines() == [f"{topic} first", f"{topic} second", f"{topic} (null)",
                                         f"{topic} last-without-newline"]


def test_file_sent_byte_for_byte(broker, tmp_path):
    topic = f"file/{counter()}"
    content = bytes(range(256)) + b"\nline two\n"
    path = tmp_path / "payload.bin"
    path.write_bytes(content)
    sub = start_sub(broker, "-t", topic, "-C", "1", "-N")
    assert pub(broker, "-t", topic, "-f", str(path), "-q", "2").returncode == 0
    rc, out, _ = finish(sub)
    assert (rc, out) == (0, content)


def test_stdin_whole_as_one_message(broker):
    topic = f"stdin/{counter()}"
    sub = start_sub(broker, "-t", topic, "-C", "1", "-N")
    assert pub(broker, "-t", topic, "-s", input="all\nof it").returncode == 0
    rc, out, _ = finish(sub)
    assert (rc, out) == (0, b"all\nof it")


def test_null_message(broker):
    topic = f"null/{counter()}"
    sub = start_sub(broker, "-t", topic, "-C", "1", "-v")
    assert pub(broker, "-t", topic, "-n").returncode == 0
    broker.wait_log(f"'{topic}', ... (0 bytes))")
    rc, out, _ = finish(sub)
    assert (rc, out) == (0, f"{topic} (null)\n".encode())


def test_will_delivered_on_abrupt_close(broker):
    will_topic = f"will/{counter()}"
    watcher = start_sub(broker, "-t", will_topic, "-C", "1", "-v")
    victim = start_sub(broker, "-t", "will/ignored", "--will-topic", will_topic, "--will-payload", "gone",
                       "--will-qos", "1", client_id="victim")
    victim.kill()  # no DISCONNECT: the broker must publish the will
    victim.communicate(timeout=WAIT)
    rc, out, _ = finish(watcher)
    assert (rc, out) == (0, f"{will_topic} gone\n".encode())


def test_clean_disconnect_sends_no_will(broker):
    will_topic = f"nowill/{counter()}"
    r = pub(broker, "-t", "x", "-m", "x", "--will-topic", will_topic, "--will-payload", "gone", "-i", "polite")
    assert r.returncode == 0
    broker.wait_log("Received DISCONNECT from polite")
    r = culex("sub", "-p", str(broker.port), "-t", will_topic, "-W", "1")
    assert (r.returncode, r.stdout) == (27, "")


def test_persistent_session_queues_while_offline(broker):
    client_id = f"persist-{counter()}"
    topic = f"queued/{counter()}"
    r = culex("sub", "-p", str(broker.port), "-t", topic, "-q", "1", "-c", "-i", client_id, "-E")
    assert r.returncode == 0, r.stderr
    assert pub(broker, "-t", topic, "-m", "while-away", "-q", "1").returncode == 0
    r = culex("sub", "-p", str(broker.port), "-t", topic, "-q", "1", "-c", "-i", client_id, "-C", "1")
    assert (r.returncode, r.stdout) == (0, "while-away\n")


def test_sub_output_is_flushed_per_message(broker):
    topic = f"live/{counter()}"
    sub = start_sub(broker, "-t", topic, "-v")
    try:
        assert pub(broker, "-t", topic, "-m", "now").returncode == 0
        ready, _, _ = select.select([sub.stdout], [], [], WAIT)
        assert ready, "nothing on the pipe while sub runs: output not flushed"
        assert sub.stdout.readline() == f"{topic} now\n".encode()
    finally:
        sub.send_signal(signal.SIGINT)
    rc, _, _ = finish(sub)
    assert rc == 0, "SIGINT is a clean stop"


def test_filter_out_T(broker):
    topic = f"filter/{counter()}"
    sub = start_sub(broker, "-t", f"{topic}/#", "-T", f"{topic}/skip", "-C", "1", "-v")
    assert pub(broker, "-t", f"{topic}/skip", "-m", "no").returncode == 0
    assert pub(broker, "-t", f"{topic}/keep", "-m", "yes").returncode == 0
    rc, out, _ = finish(sub)
    assert (rc, out) == (0, f"{topic}/keep yes\n".encode())


def test_mqtt31(broker):
    topic = f"v31/{counter()}"
    sub = start_sub(broker, "-t", topic, "-C", "1", "-V", "mqttv31")
    assert pub(broker, "-t", topic, "-m", "old", "-V", "31", "-i", "pub31").returncode == 0
    assert "(p1, c1, k60)" in broker.wait_log("as pub31")
    assert finish(sub)[:2] == (0, b"old\n")


def test_debug_lines_match_mosquitto_pub(broker):
    for qos in ("1", "2"):
        ours = pub(broker, "-t", "dbg", "-m", "hello", "-q", qos, "-d", "-i", "dbg-same")
        theirs = run(["mosquitto_pub", "-p", str(broker.port), "-t", "dbg", "-m", "hello", "-q", qos, "-d", "-i",
                      "dbg-same"], timeout=WAIT)
        assert ours.returncode == theirs.returncode == 0
        assert ours.stdout == theirs.stdout


def test_debug_lines_match_mosquitto_sub(broker):
    def debug_run(program):
        topic = f"dbgsub/{counter()}"
        sub = start_sub(broker, "-t", topic, "-t", topic + "/b", "-q", "2", "-d", "-C", "1",
                        client_id="dbgsub", program=program)
        assert pub(broker, "-t", topic, "-m", "hi", "-q", "2").returncode == 0
        rc, out, _ = finish(sub)
        return rc, out.decode().replace(topic, "TOPIC")

    assert debug_run([culex_binary(), "sub"]) == debug_run(["mosquitto_sub"])


def test_mosquitto_sub_receives_culex_pub(broker):
    topic = f"cross1/{counter()}"
    sub = start_sub(broker, "-t", topic, "-C", "2", "-v", "-q", "2", program=["mosquitto_sub"])
    assert pub(broker, "-t", topic, "-m", "q2", "-q", "2").returncode == 0
    assert pub(broker, "-t", topic, "-m", "q1", "-q", "1").returncode == 0
    rc, out, _ = finish(sub)
    # Either order: a QoS 2 message is handed over at PUBREL, which may come after the QoS 1 one.
    assert (rc, sorted(out.decode().splitlines())) == (0, [f"{topic} q1", f"{topic} q2"])


def test_culex_sub_receives_mosquitto_pub(broker):
    topic = f"cross2/{counter()}"
    sub = start_sub(broker, "-t", topic, "-C", "2", "-v", "-q", "2")
    for payload, qos in (("q2", "2"), ("q1", "1")):
        r = run(["mosquitto_pub", "-p", str(broker.port), "-t", topic, "-m", payload, "-q", qos], timeout=WAIT)
        assert r.returncode == 0
    rc, out, _ = finish(sub)
    # Either order: a QoS 2 message is handed over at PUBREL, which may come after the QoS 1 one.
    assert (rc, sorted(out.decode().splitlines())) == (0, [f"{topic} q1", f"{topic} q2"])


def test_connection_refused_wording_and_code():
    port = str(free_port())  # nothing listens there
    for tool in ("pub", "sub"):
        args = ["-p", port, "-t", "a"] + (["-m", "x"] if tool == "pub" else [])
        ours = culex(tool, *args)
        theirs = run([f"mosquitto_{tool}", *args], timeout=WAIT)
        assert (ours.returncode, ours.stderr) == (theirs.returncode, theirs.stderr) == (1, "Error: Connection refused\n")


def test_not_authorised_wording_and_code(tmp_path):
    closed = Broker(tmp_path, allow_anonymous=False)
    try:
        for tool in ("pub", "sub"):
            args = ["-p", str(closed.port), "-t", "a"] + (["-m", "x"] if tool == "pub" else [])
            ours = culex(tool, *args)
            theirs = run([f"mosquitto_{tool}", *args], timeout=WAIT)
            assert (ours.returncode, ours.stderr) == (theirs.returncode, theirs.stderr)
            assert ours.returncode == 5
            assert ours.stderr.startswith("Connection error: Connection Refused: not authorised.\n")
    finally:
        closed.stop()


BAD_FLAGS = [
    ("pub", ["-t", "a", "-m", "x", "-q", "3"]),
    ("pub", ["-t", "a#", "-m", "x"]),
    ("pub", ["-t", "a", "-m", "x", "-V", "5x"]),
    ("pub", ["-t", "a", "-m", "x", "-k", "1"]),
    ("pub", ["-t", "a", "-m", "x", "-z"]),
    ("pub", ["-t", "a", "-m", "x", "-p"]),
    ("pub", ["-t", "a", "-m", "x", "-l"]),
    ("pub", ["-t", "a", "-m", "x", "-c"]),
    ("pub", ["-t", "a", "-m", "x", "-p", "70000"]),
    ("pub", ["-t", "a", "-m", "x", "--will-qos", "5"]),
    ("pub", ["-t", "a", "-m", "x", "--will-payload", "p"]),
    ("pub", ["-t", "a", "-f", "/nonexistent/file"]),
    ("pub", ["-t", "a", "-m", "x", "-i", ""]),
    ("pub", ["-t", "a", "-m", "x", "-P", "secret"]),
    ("sub", ["-t", "a/#/b"]),
    ("sub", ["-t", "a", "-C", "0"]),
    ("sub", ["-t", "a", "-W", "0"]),
    ("sub", ["-t", "a", "-m", "x"]),
    ("sub", ["-t", "a", "-T", "a/#/x"]),
    ("sub", []),
]


@pytest.mark.parametrize("tool,args", BAD_FLAGS, ids=lambda v: " ".join(v) if isinstance(v, list) else v)
def test_bad_flags_like_mosquitto(tool, args):
    ours = culex(tool, *args)
    theirs = run([f"mosquitto_{tool}", *args], timeout=WAIT)
    assert ours.returncode == theirs.returncode == 1
    assert ours.stderr == theirs.stderr.replace(f"mosquitto_{tool}", f"culex {tool}")


def test_missing_message_prints_usage():
    r = culex("pub", "-t", "a")
    assert r.returncode == 1
    assert r.stderr == "Error: Both topic and message must be supplied.\n"
    assert r.stdout.startswith("culex pub is a simple mqtt client")


@pytest.mark.parametrize("tool", ["pub", "sub"])
def test_help_lists_the_flags(tool):
    r = culex(tool, "--help")
    assert r.returncode == 1  # as mosquitto_pub/mosquitto_sub
    for flag in ["-h", "-p", "-t", "-q", "-i", "-I", "-k", "-u", "-P", "-d", "-c", "-V", "--will-topic",
                 "--will-payload", "--will-qos", "--will-retain"]:
        assert f"\n {flag} : " in r.stdout, flag
    own = ["-m", "-f", "-l", "-n", "-s", "-r"] if tool == "pub" else ["-v", "-C", "-W", "-N", "-R", "-T"]
    for flag in own:
        assert f"\n {flag} : " in r.stdout, flag
