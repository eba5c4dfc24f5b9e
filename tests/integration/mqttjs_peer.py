"""MQTT.js (npm `mqtt`, installed in tests/peers by scripts/install-deps.sh) as a test peer: one node process
(tests/peers/mqttjs_peer.js) holds named clients; commands go to it as JSON lines, its events come back as JSON
lines into a queue per client, and every wait is bounded."""
import base64
import json
import queue
import shutil
import subprocess
import threading
import time

import pytest

from conftest import REPO

WAIT = 10.0
PEERS = REPO / "tests" / "peers"
SCRIPT = PEERS / "mqttjs_peer.js"

needs_mqttjs = pytest.mark.skipif(
    shutil.which("node") is None or not (PEERS / "node_modules" / "mqtt").is_dir(),
    reason="MQTT.js is not installed: run scripts/install-deps.sh (npm install in tests/peers)")


def b64(data: bytes):
    return {"$b64": base64.b64encode(data).decode()}


def file_value(path):
    """A file's contents for a TLS option (ca, cert, key), read by node."""
    return {"$file": str(path)}


def unbinary(value):
    """{"$b64": ...} back to bytes, recursively."""
    if isinstance(value, list):
        return [unbinary(v) for v in value]
    if isinstance(value, dict):
        if set(value) == {"$b64"}:
            return base64.b64decode(value["$b64"])
        return {k: unbinary(v) for k, v in value.items()}
    return value


class MqttJs:
    """The node process. Events for each client name land in that name's queue, in arrival order."""

    def __init__(self):
        self.proc = subprocess.Popen(["node", str(SCRIPT)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, cwd=PEERS)
        self._queues = {}
        self._lock = threading.Lock()
        self._seq = 0
        self._clients = 0
        self.stderr = []
        threading.Thread(target=self._pump, daemon=True).start()
        threading.Thread(target=self._pump_stderr, daemon=True).start()
        ready = self.queue(None).get(timeout=WAIT)
        assert ready["ev"] == "ready", ready
        self.version = ready["version"]

    def queue(self, name):
        with self._lock:
            return self._queues.setdefault(name, queue.Queue())

    def _pump(self):
        for line in self.proc.stdout:
            event = unbinary(json.loads(line))
            self.queue(event.get("name")).put(event)
        self.queue(None).put({"ev": "exited"})

    def _pump_stderr(self):
        for line in self.proc.stderr:
            self.stderr.append(line.rstrip("\n"))

    def send(self, op, name=None, **fields):
        with self._lock:
            self._seq += 1
            seq = self._seq
        self.proc.stdin.write(json.dumps({"op": op, "name": name, "seq": seq, **fields}) + "\n")
        self.proc.stdin.flush()
        return seq

    def client(self, name, port, host="127.0.0.1", scheme="mqtt", path="", hold_acks=False, **options):
        """Starts connecting a client (`options`: MQTT.js's connect options); wait on its connack with connected()
        or on an error with expect(). hold_acks: QoS 1/2 acknowledgements wait for JsClient.release()."""
        options.setdefault("clientId", name)
        with self._lock:
            self._clients += 1
            key = f"{name}#{self._clients}"  # unique in this node process, whatever client id tests reuse
        self.send("connect", key, url=f"{scheme}://{host}:{port}{path}", options=options, holdAcks=hold_acks)
        return JsClient(self, key)

    def close(self):
        if self.proc.poll() is None:
            try:
                self.send("exit")
                self.proc.wait(timeout=WAIT)
            except (BrokenPipeError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait(timeout=WAIT)


class JsClient:
    def __init__(self, peer: MqttJs, name):
        self.peer, self.name = peer, name
        self.events = peer.queue(name)
        self.pending = []  # events taken off the queue that no expect() has asked for yet

    def expect(self, *kinds, timeout=WAIT, where=None):
        """The oldest event of one of `kinds` that satisfies `where`, waiting up to `timeout` for it; events it
        passes over stay pending for later calls (a message may arrive before its publisher's PUBACK event)."""
        def wanted(event):
            return event["ev"] in kinds and (where is None or where(event))

        for i, event in enumerate(self.pending):
            if wanted(event):
                return self.pending.pop(i)
        deadline = time.monotonic() + timeout
        while True:
            try:
                event = self.events.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"{self.name}: no {kinds} event within {timeout}s; pending: "
                                     f"{self.pending[-10:]}; node stderr: {self.peer.stderr[-10:]}") from None
            if wanted(event):
                return event
            self.pending.append(event)

    def answer(self, seq, kind):
        """The event that answers command `seq`: `kind`, or an error that fails the test."""
        event = self.expect(kind, "error", where=lambda e: e.get("seq") == seq)
        assert event["ev"] == kind, f"{self.name}: {event}"
        return event

    def connected(self):
        event = self.expect("connack", "error", "close")
        assert event["ev"] == "connack", f"{self.name}: {event}"
        return event

    def subscribe(self, topics, **options):
        """`topics`: a filter or {filter: {"qos": 1, "nl": True, "rap": True, "rh": 2}}; returns the granted
        [(filter, qos or reason code)]."""
        seq = self.peer.send("subscribe", self.name, topics=topics, options=options)
        return [(g["topic"], g["qos"]) for g in self.answer(seq, "suback")["granted"]]

    def publish(self, topic, payload: bytes, **options):
        """Publishes and waits for MQTT.js to report it done (sent at QoS 0, PUBACK / PUBCOMP at QoS 1 / 2)."""
        seq = self.peer.send("publish", self.name, topic=topic, payload=b64(payload), options=options)
        return self.answer(seq, "published")

    def message(self, timeout=WAIT):
        return self.expect("message", timeout=timeout)

    def no_message(self, timeout=0.5):
        """True when no message arrives within `timeout`: use it only after a later message proved the order."""
        try:
            self.expect("message", timeout=timeout)
            return False
        except AssertionError:
            return True

    def release(self):
        """Sends the oldest held acknowledgement."""
        seq = self.peer.send("release", self.name)
        self.answer(seq, "released")

    def end(self, **options):
        seq = self.peer.send("end", self.name, options=options)
        self.answer(seq, "ended")

    def destroy(self):
        seq = self.peer.send("destroy", self.name)
        self.answer(seq, "ended")
