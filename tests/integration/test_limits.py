"""Limits on what clients may make the broker hold (issue 11): subscriptions per client
(max_subscriptions_per_client, culex's own) and the heap (memory_limit, mosquitto.conf)."""
import os
import socket

from brokers import rss_kb, start_culex
from mqtt_peers import WAIT, V5Client, connect_packet, connected, publish_packet, recv_exact, wait_closed


def test_subscriptions_past_the_per_client_limit_are_refused(tmp_path):
    b = start_culex(tmp_path, "max_subscriptions_per_client 3\n")
    try:
        c = connected(b.port, "lim")
        for i in range(3):
            assert c.subscribe(f"lim/{i}", 1) == (1,)
        assert c.subscribe("lim/3", 1) == (128,)  # 0x80: refused
        b.log.wait_for(r"Denied SUBSCRIBE from lim to 'lim/3': it holds 3 subscriptions, the limit set by "
                       r"max_subscriptions_per_client\.")
        assert c.subscribe("lim/0", 0) == (0,)  # replacing one it holds is not a new one
        v5 = V5Client(b.port, "lim5")
        assert v5.subscribe("a", 1) == [1]
        assert v5.subscribe("b", 1) == [1]
        assert v5.subscribe("c", 1) == [1]
        assert v5.subscribe("d", 1) == [0x97]  # Quota exceeded
        # The refused filter delivers nothing; the held ones still do.
        pub = connected(b.port, "lim-pub")
        pub.publish("lim/3", b"refused", qos=1)
        pub.publish("lim/2", b"held", qos=1)
        assert c.next_message().payload == b"held"
        for client in (c, pub):
            client.disconnect()
        v5.close()
    finally:
        assert b.stop() == 0, b.log.text()[-5000:]


MEMORY_LIMIT = 32 << 20
RETAINED = 64 * 1024
ATTEMPTS = 2_000  # 128 MB of retained messages, four times the limit


def test_memory_limit_stops_a_publisher_of_large_retained_messages(tmp_path):
    env = {"ASAN_OPTIONS": (os.environ.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=4").lstrip(":")}
    b = start_culex(tmp_path, f"memory_limit {MEMORY_LIMIT}\n", env=env)
    try:
        pid = b.proc.pid
        base_kb = rss_kb(pid)
        cleaner = connected(b.port, "cleaner")  # connected before the heap fills: it may still publish
        s = socket.create_connection(("127.0.0.1", b.port), timeout=WAIT)
        s.sendall(connect_packet("retainer"))
        assert recv_exact(s, 4) == b"\x20\x02\x00\x00"
        sent = 0
        try:
            for n in range(ATTEMPTS):
                s.sendall(publish_packet(f"big/{n}", bytes(RETAINED), retain=True))
                sent += 1
        except OSError:
            pass  # disconnected by the broker: what we want
        assert wait_closed(s), "the publisher was not disconnected"
        b.log.wait_for(rf"Heap in use is \d+ bytes, over memory_limit {MEMORY_LIMIT}: incoming PUBLISHes are "
                       r"dropped")
        b.log.wait_for(r"Client retainer disconnected due to out of memory: PUBLISH to 'big/\d+' dropped, the heap "
                       rf"holds \d+ bytes, over memory_limit {MEMORY_LIMIT}\.")
        grown_mb = (rss_kb(pid) - base_kb) / 1024
        print(f"memory_limit {MEMORY_LIMIT >> 20} MB: publisher disconnected after {sent} of {ATTEMPTS} "
              f"retained messages of {RETAINED} bytes; RSS +{grown_mb:.1f} MB")
        assert grown_mb < 2 * (MEMORY_LIMIT >> 20), f"RSS grew by {grown_mb:.1f} MB"
        # Over the limit a new client is refused: CONNACK 3, Server unavailable.
        late = socket.create_connection(("127.0.0.1", b.port), timeout=WAIT)
        late.sendall(connect_packet("late"))
        assert recv_exact(late, 4) == b"\x20\x02\x00\x03"
        late.close()
        # Clearing the retained messages frees the heap; the next sample lets clients in again.
        for n in range(sent):
            cleaner.publish(f"big/{n}", b"", qos=1, retain=True)
        b.log.wait_for(rf"Heap in use is \d+ bytes, below memory_limit {MEMORY_LIMIT} again\.")
        again = connected(b.port, "again")
        again.disconnect()
        cleaner.disconnect()
    finally:
        assert b.stop() == 0, b.log.text()[-5000:]
