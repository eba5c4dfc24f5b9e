#!/usr/bin/python3
"""How long `culex broker` takes to serve after a restart with a large store (issue 12: 1,000,000 retained
messages and 100,000 persistent sessions, serving in under 10 s).

    CULEX_BENCH_KEEP_STORE=/var/tmp/big.db build/bench/bench_store --benchmark_filter=Load
    bench/store/restart_time.py /var/tmp/big.db [build/culex]

The store is copied into a fresh directory first (the broker migrates and may salvage what it opens), on the
same file system as the original. Measured: the time from exec to the listening socket, to a CONNACK, and to
a retained message read back by a new subscriber; the broker's RSS then; each run with the page cache warm (the
copy just read the file). Loopback only; every wait is bounded.
"""
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time


def varint(n):
    out = bytearray()
    while True:
        b, n = n % 128, n // 128
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def string(s):
    return struct.pack("!H", len(s)) + s.encode()


def main():
    store = os.path.abspath(sys.argv[1])
    culex = sys.argv[2] if len(sys.argv) > 2 else "build/culex"
    work = tempfile.mkdtemp(prefix="culex-restart-", dir=os.path.dirname(store))
    try:
        shutil.copy(store, os.path.join(work, "culex.db"))
        conf = os.path.join(work, "culex.conf")
        with open(conf, "w") as f:
            f.write(f"listener 0 127.0.0.1\nallow_anonymous true\npersistence true\n"
                    f"persistence_location {work}\npersistence_file culex.db\n")
        start = time.monotonic()
        broker = subprocess.Popen([culex, "broker", "-c", conf], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  text=True)
        port = None
        deadline = start + 120
        for line in broker.stdout:
            print("  broker:", line.rstrip())
            m = re.search(r"Opening ipv4 listen socket on port (\d+)", line)
            if m:
                port = int(m.group(1))
                break
            if time.monotonic() > deadline:
                break
        listening = time.monotonic() - start
        if port is None:
            raise SystemExit("the broker did not listen within 120 s")
        s = socket.create_connection(("127.0.0.1", port), timeout=60)
        body = string("MQTT") + bytes([4, 2]) + struct.pack("!H", 60) + string("restart-probe")
        s.sendall(b"\x10" + varint(len(body)) + body)
        assert s.recv(4)[:2] == b"\x20\x02"
        connack = time.monotonic() - start
        topic = "sensors/999/999999"
        body = struct.pack("!H", 1) + string(topic) + b"\x00"
        s.sendall(b"\x82" + varint(len(body)) + body)
        data = b""
        while topic.encode() not in data:
            chunk = s.recv(65536)
            if not chunk:
                raise SystemExit("connection closed before the retained message came")
            data += chunk
        retained = time.monotonic() - start
        with open(f"/proc/{broker.pid}/status") as f:
            rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")) / 1024
        s.close()
        broker.terminate()
        broker.wait(timeout=60)
        print(f"listening after {listening:.2f} s, CONNACK after {connack:.2f} s, retained message after "
              f"{retained:.2f} s; RSS {rss:.0f} MB; store {os.path.getsize(store) / 1e6:.0f} MB")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
