#!/usr/bin/python3
"""1,000,000 QoS 1 messages of 64 bytes queued for 10 offline persistent sessions: the broker's RSS before and
after, then one session comes back and is served from the store, in order (issue 12: under 64 MB).

    bench/store/million_queued.py build/culex [COUNT]

Release build; loopback only; the store goes in a fresh directory under /var/tmp (on disk), removed at the end.
The publisher is the raw client of the integration tests (tests/integration/durable_client.py), 500 in flight:
the rate it reports is the Python client's, not the broker's."""
import os, sys, time, subprocess, re, tempfile
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "integration"))
from durable_client import DurableClient
from brokers import rss_kb

culex = sys.argv[1]
count = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
sessions = 10
work = tempfile.mkdtemp(prefix="culex-million-", dir="/var/tmp")
conf = os.path.join(work, "c.conf")
open(conf, "w").write(f"listener 0 127.0.0.1\nallow_anonymous true\npersistence true\npersistence_location {work}\n"
                      f"persistence_file c.db\nmax_queued_messages 0\n")
broker = subprocess.Popen([culex, "broker", "-c", conf], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
port = None
for line in broker.stdout:
    m = re.search(r"listen socket on port (\d+)", line)
    if m:
        port = int(m.group(1)); break
subs = []
for i in range(sessions):
    s = DurableClient(f"offline-{i}"); s.connect(port); s.subscribe(f"fleet/{i}/#", 1); s.disconnect(); subs.append(s)
base = rss_kb(broker.pid)
pub = DurableClient("million-pub"); pub.connect(port, clean=True)
start = time.monotonic()
payload = bytes(60)
for n in range(count):
    while len(pub.outgoing) >= 500:
        assert pub.pump(0.05)
    pub.publish(f"fleet/{n % sessions}/m", n.to_bytes(4, "big") + payload, 1)
while pub.outgoing:
    assert pub.pump(0.05)
took = time.monotonic() - start
rss = rss_kb(broker.pid)
size = os.path.getsize(os.path.join(work, "c.db")) + os.path.getsize(os.path.join(work, "c.db-wal"))
print(f"{count} messages queued for {sessions} offline sessions in {took:.1f} s ({count/took:.0f}/s): "
      f"RSS {base/1024:.1f} MB before, {rss/1024:.1f} MB after; store {size/1e6:.0f} MB")
s = subs[0]
start = time.monotonic()
s.connect(port)
want = count // sessions
while len(s.delivered) < want and time.monotonic() - start < 300:
    s.pump(0.05)
took = time.monotonic() - start
nums = [int.from_bytes(p[:4], "big") for _, p, _ in s.delivered]
ok = nums == list(range(0, count, sessions))
print(f"session offline-0 served {len(nums)} of {want} in {took:.1f} s, in order: {ok}; RSS {rss_kb(broker.pid)/1024:.1f} MB")
broker.terminate(); broker.wait(60)
subprocess.run(["rm", "-rf", work])
