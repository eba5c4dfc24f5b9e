"""Plays a scenario against one broker and records what came back: per step, the packets (normalised) and
whether the connection closed. Every read is bounded; nothing sleeps.
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from brokers import Broker  # noqa: E402
from conftest import culex_binary, free_port  # noqa: E402

import normalise  # noqa: E402
import packets  # noqa: E402

EXPECT_TIMEOUT = 2.0  # only reached when a broker does not send what the step says (a difference)


class BrokerPair:
    """Mosquitto and culex with the same config, files in one folder."""

    def __init__(self, scenario):
        self.dir = tempfile.mkdtemp(prefix="culex-diff-")
        self.next_prefix = 0
        for name, text in scenario.files.items():
            Path(self.dir, name).write_text(text)
        for name, users in scenario.passwd.items():
            path = str(Path(self.dir, name))
            for n, (user, password) in enumerate(users):
                args = ["mosquitto_passwd"] + (["-c"] if n == 0 else []) + ["-b", path, user, password]
                subprocess.run(args, check=True, capture_output=True, timeout=30)
        self.config = list(scenario.config) or ["allow_anonymous true"]
        self.brokers = {}
        try:
            port = free_port()
            root = ["user root"] if os.geteuid() == 0 else []  # else it drops to 'mosquitto', locked out of dir
            self.brokers["mosquitto"] = Broker(
                ["stdbuf", "-oL", "mosquitto", "-c", self._write("mosquitto.conf", f"listener {port} 127.0.0.1",
                                                                  root), "-v"],
                port_from_log=False, port=port)
            self.brokers["culex"] = Broker(
                [culex_binary(), "broker", "-c", self._write("culex.conf", "listener 0 127.0.0.1", []), "-v"])
        except BaseException:
            self.stop()
            raise

    def _write(self, name, listener, head):
        lines = [line.replace("{dir}", self.dir) for line in self.config]
        if "{listener}" in lines:
            lines[lines.index("{listener}")] = listener
        else:
            lines.insert(0, listener)
        path = Path(self.dir, name)
        path.write_text("\n".join(head + lines) + "\n")
        return str(path)

    def prefix(self):
        """A fresh short prefix for client ids and topics (MQTT 3.1 ids have at most 23 characters), and a
        loopback source address of the scenario's own: culex slows down an address after failed logins, and
        one scenario's failures must not delay the next one's."""
        self.next_prefix += 1
        n = self.next_prefix
        return f"d{n:03d}", f"127.0.{n // 250 + 1}.{n % 250 + 2}"

    def dead(self):
        """The name and log tail of a broker that exited, or None."""
        for name, b in self.brokers.items():
            if b.proc.poll() is not None:
                return f"{name} exited with {b.proc.returncode}; its log ends:\n" + "\n".join(b.log.lines[-40:])
        return None

    def stop(self):
        """Stops both; the error of a culex that did not exit cleanly (a sanitizer report, say), else None."""
        codes = {name: b.stop() for name, b in self.brokers.items()}
        shutil.rmtree(self.dir, ignore_errors=True)
        if codes.get("culex", 0) != 0:
            return (f"culex exited with {codes['culex']} after the scenarios of config {self.config}; its log "
                    "ends:\n" + "\n".join(self.brokers["culex"].log.lines[-40:]))
        return None


class Connection:
    def __init__(self, port, source):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=EXPECT_TIMEOUT,
                                             source_address=(source, 0))
        self.buffer = b""
        self.closed = False
        self.version = 4

    def send(self, data):
        try:
            self.sock.sendall(data)
        except OSError:
            self.closed = True  # the broker closed it: the next expect records that

    def _fill(self, deadline):
        """Reads more bytes until deadline; False when nothing more came (timeout or close)."""
        left = deadline - time.monotonic()
        if self.closed or left <= 0:
            return False
        self.sock.settimeout(left)
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return False
        except OSError:  # a reset counts as a close: whether a broker lingers is not the point
            data = b""
        if not data:
            self.closed = True
            return False
        self.buffer += data
        return True

    def read(self, count, timeout):
        """Up to `count` packets; fewer when the connection closes or the time is up."""
        deadline = time.monotonic() + timeout
        got = []
        while True:
            complete, self.buffer = packets.split_packets(self.buffer)
            got += complete
            if len(got) >= count:
                self.buffer = b"".join(got[count:]) + self.buffer
                return got[:count]
            if not self._fill(deadline):
                return got

    def until_closed(self, timeout):
        """Packets that arrive before the close, and whether it closed within timeout."""
        deadline = time.monotonic() + timeout
        while self._fill(deadline):
            pass
        complete, self.buffer = packets.split_packets(self.buffer)
        rest = [f"partial {self.buffer.hex(' ')}"] if self.buffer else []
        return complete, rest, self.closed

    def close(self):
        self.sock.close()


def play(scenario, port, prefix, source):
    """{line: [observations]} for one broker; an observation is a normalised packet in hex, 'closed',
    'open' or 'missing N'."""
    conns = {}
    record = {}

    def sub(text):
        return text.replace("{p}", prefix)

    try:
        for step in scenario.steps:
            obs = record.setdefault(str(step.line), [])
            if step.verb == "connect":
                conns[step.conn] = Connection(port, source)
                continue
            conn = conns[step.conn]
            if step.verb == "send":
                data, conn.version = packets.encode(sub(step.arg), conn.version)
                conn.send(data)
            elif step.verb == "close":
                conn.close()
                del conns[step.conn]
            elif step.verb == "quiet":
                got = conn.read(1, int(step.arg) / 1000)
                obs += [normalise.packet(p, prefix, conn.version) for p in got] + (["closed"] if conn.closed else [])
            else:
                words = step.arg.split()
                timeout = EXPECT_TIMEOUT
                if words and words[-1].startswith("within="):  # for what takes long by design (keep alive)
                    timeout = int(words.pop()[len("within="):]) / 1000
                want_close = words[-1:] == ["closed"]
                count = len(words) - want_close
                got = conn.read(count, timeout) if count else []
                seen = [normalise.packet(p, prefix, conn.version) for p in got]
                if step.verb == "expect-any":
                    seen.sort()
                obs += seen
                if len(got) < count:
                    obs.append("closed" if conn.closed else f"missing {count - len(got)}")
                elif want_close:
                    extra, rest, closed = conn.until_closed(timeout)
                    obs += [normalise.packet(p, prefix, conn.version) for p in extra] + rest + ["closed" if closed else "open"]
        probe = record.setdefault("probe", [])
        for name, conn in sorted(conns.items()):
            if conn.closed:
                continue
            conn.send(b"\xc0\x00")
            pings = 0
            while True:
                got = conn.read(1, EXPECT_TIMEOUT)
                if not got:
                    probe.append(f"{name}: " + ("closed" if conn.closed else "no answer"))
                    break
                probe.append(f"{name}: " + normalise.packet(got[0], prefix, conn.version))
                if got[0] == b"\xd0\x00":
                    break
                pings += 1
                if pings > 50:
                    break
    finally:
        for conn in conns.values():
            conn.close()
    return record


def types_of(observations):
    """The packet type names of a step's observations, for checking the scenario against Mosquitto."""
    out = []
    for o in observations:
        if o in ("closed", "open") or o.startswith(("missing", "partial")):
            out.append(o)
        else:
            out.append(packets.TYPE_NAMES.get(int(o[:1], 16), "?"))
    return out
