"""Brokers under test, started on ephemeral loopback ports: culex's own and Debian's mosquitto.

Each keeps its log lines as they arrive (a reader thread), so tests wait on a log line with a bound instead of
sleeping.
"""
import os
import queue
import re
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from conftest import culex_binary, free_port


class LogWatcher:
    """Collects a process's output lines; wait_for() blocks until a line matches, or fails after `timeout`."""

    def __init__(self, stream):
        self.lines = []
        self.ended = False  # the process closed its output (it exited)
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self._thread.start()

    def _pump(self, stream):
        for raw in stream:
            line = raw.rstrip("\n")
            with self._cond:
                self.lines.append(line)
                self._cond.notify_all()
        with self._cond:
            self.ended = True
            self._cond.notify_all()

    def wait_for(self, pattern, timeout=10.0, start=0):
        """The first match of `pattern` among lines[start:], waiting up to `timeout` seconds for it."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._cond:
            seen = start
            while True:
                for i in range(seen, len(self.lines)):
                    m = regex.search(self.lines[i])
                    if m:
                        return m
                seen = len(self.lines)
                left = deadline - time.monotonic()
                if left <= 0 or self.ended:
                    raise AssertionError(
                        f"no log line matched {pattern!r} within {timeout}s (or before the process exited); "
                        "log was:\n" + "\n".join(self.lines[-60:]))
                self._cond.wait(left)

    def wait_ended(self, timeout):
        """Waits up to `timeout` seconds for the process's output to end (its last lines read)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not self.ended and time.monotonic() < deadline:
                self._cond.wait(deadline - time.monotonic())

    def text(self):
        with self._cond:
            return "\n".join(self.lines)


# Every culex broker the tests started, so that conftest can look for sanitizer reports in their output after
# each test: a report that does not kill the broker (ThreadSanitizer's never do) would otherwise pass unseen.
CULEX_BROKERS = []
SANITIZER_REPORT = re.compile(r"WARNING: ThreadSanitizer:|ERROR: AddressSanitizer:|ERROR: LeakSanitizer:"
                              r"|runtime error:")


def sanitizer_reports():
    """The sanitizer reports that culex brokers printed since the last call: a list of texts."""
    reports = []
    for broker in CULEX_BROKERS[:]:
        if broker.proc.poll() is not None:
            broker.log.wait_ended(timeout=5)
            CULEX_BROKERS.remove(broker)  # its output is complete: scanned once more below, then let go
        lines = broker.log.lines[:]
        for i in range(broker.scanned, len(lines)):
            if SANITIZER_REPORT.search(lines[i]):
                reports.append("\n".join(lines[i:i + 60]))
                break
        broker.scanned = len(lines)
    return reports


class Broker:
    """A broker process listening on 127.0.0.1:port."""

    def __init__(self, args, port_from_log=True, port=None, env=None, ready_timeout=10.0, preexec_fn=None):
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                                     preexec_fn=preexec_fn)
        self.log = LogWatcher(self.proc.stdout)
        self.scanned = 0
        if args[0] == culex_binary():
            CULEX_BROKERS.append(self)
        if port_from_log:
            m = self.log.wait_for(r"Opening ipv4 listen socket on port (\d+)\.", timeout=ready_timeout)
            self.port = int(m.group(1))
        else:
            self.port = port
            self.log.wait_for(r"Opening ipv4 listen socket on port")
        self.host = "127.0.0.1"

    def stop(self, sig=signal.SIGTERM, timeout=10):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=timeout)
        return self.proc.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def rss_kb(pid):
    """The resident set size of process `pid`, in KiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def write_config(directory, text):
    path = Path(directory) / "broker.conf"
    path.write_text(text)
    return str(path)


def start_culex(directory, extra_config="", listener="listener 0 127.0.0.1", anonymous=True, verbose=True,
                env=None, preexec_fn=None, binary=None):
    """culex broker on an ephemeral port, config in `directory`, every log type to stdout; `env`: variables
    added to the environment; `preexec_fn`: run in the child before exec (resource limits); `binary`: another
    culex than the one under test."""
    text = f"{listener}\n"
    threads = os.environ.get("CULEX_TEST_THREADS")  # the ThreadSanitizer run asks for more than one loop
    if threads and not re.search(r"^threads ", extra_config, re.M):
        text += f"threads {threads}\n"
    if anonymous:
        text += "allow_anonymous true\n"
    text += extra_config
    args = [binary or culex_binary(), "broker", "-c", write_config(directory, text)]
    if verbose:
        args.append("-v")
    return Broker(args, env={**os.environ, **env} if env else None, preexec_fn=preexec_fn)


def start_mosquitto(directory, extra_config="", env=None):
    """Debian's mosquitto on a free port (mosquitto cannot report an ephemeral port); `env`: variables added
    to the environment."""
    port = free_port()
    text = f"listener {port} 127.0.0.1\nallow_anonymous true\n" + extra_config
    # stdbuf: mosquitto block-buffers its log when stdout is a pipe, so lines would arrive only at exit.
    args = ["stdbuf", "-oL", "mosquitto", "-c", write_config(directory, text), "-v"]
    return Broker(args, port_from_log=False, port=port, env={**os.environ, **env} if env else None)
