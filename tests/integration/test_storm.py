"""A storm, bounded in time, on loopback (issue 11): hostile connections (garbage, malformed packets, half
CONNECTs), a subscriber that never reads while a publisher floods its topic with 1 KB QoS 0 messages, and
beside them a well-behaved QoS 1 pair. The pair loses nothing, and the broker's memory stays within its base
plus 20 MB: the stalled subscriber's output is capped (output_buffer_limit), what passes it is dropped and
logged, and the stalled client is not read from until it reads."""
import os
import random
import socket
import threading
import time

from brokers import rss_kb, start_culex
from mqtt_peers import WAIT, connect_packet, connected, publish_packet, recv_exact, varint

STORM_SECONDS = int(os.environ.get("CULEX_STORM_SECONDS", "6"))
RSS_ALLOWANCE_MB = 20
# AddressSanitizer's allocator adds redzones and shadow pages to every block: the same broker measures about
# +5 MB in Release and +20 MB under ASan. Unbounded output (what this test guards against) grew by 230 MB.
ASAN_RSS_ALLOWANCE_MB = 50


def under_asan(pid):
    with open(f"/proc/{pid}/maps") as f:
        return "libasan" in f.read()


def subscribe_packet(topic, qos=0, packet_id=1):
    body = packet_id.to_bytes(2, "big") + len(topic).to_bytes(2, "big") + topic.encode() + bytes([qos])
    return b"\x82" + varint(len(body)) + body


HOSTILE = [
    b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",                  # not MQTT at all
    b"\x10\xff\xff\xff\x7f",                                 # a CONNECT announcing 256 MB, then nothing
    b"\x10\x0c\x00\x04MQTT\x04",                             # half a CONNECT
    b"\x30\x05\x00\x01t",                                    # PUBLISH before CONNECT
    b"\x10\x10\x00\x04MQTT\x09\x02\x00\x3c\x00\x04abcd",     # an unknown protocol level
    bytes(random.Random(7).randrange(256) for _ in range(300)),  # noise
]


def hostile_connections(port, stop, count):
    rng = random.Random(11)
    # Paced (about 200 a second per thread): the storm measured in issue 11 was ~165 a second; unpaced, the
    # test would measure how fast Python opens sockets on a loaded machine.
    while not stop.wait(0.005):
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=1)
            s.sendall(rng.choice(HOSTILE))
            if rng.random() < 0.5:
                s.close()  # some hang up at once, the rest are left for the broker to end
            else:
                s.setblocking(False)
                try:
                    s.recv(64)
                except OSError:
                    pass
                s.close()
            count[0] += 1
        except OSError:
            pass


def flood(port, stop, count):
    s = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
    s.sendall(connect_packet("flooder"))
    assert recv_exact(s, 4)[:2] == b"\x20\x02"
    burst = publish_packet("flood/t", b"x" * 1024) * 64
    s.settimeout(1)
    while not stop.is_set():
        try:
            s.sendall(burst)
            count[0] += 64
        except (socket.timeout, TimeoutError):
            continue
    s.close()


def qos1_pair(port, stop, acked, received_ids):
    sub = connected(port, "pair-sub", clean_session=False)
    sub.subscribe("pair/t", 1)
    pub = connected(port, "pair-pub")
    n = 0
    while not stop.is_set():
        n += 1
        pub.publish("pair/t", str(n).encode(), qos=1)  # waits for the PUBACK
        acked.append(n)
    deadline = time.monotonic() + WAIT * 3
    while len(received_ids) < len(acked) and time.monotonic() < deadline:
        try:
            received_ids.add(int(sub.next_message(timeout=1).payload))
        except Exception:
            pass
    pub.disconnect()
    sub.disconnect()


def test_a_storm_beside_a_well_behaved_pair(tmp_path):
    # Under AddressSanitizer, freed blocks wait in a quarantine (256 MB by default) before reuse: RSS would
    # measure the sanitizer, not the broker. A small quarantine keeps the figure the broker's.
    env = {"ASAN_OPTIONS": (os.environ.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=4").lstrip(":")}
    b = start_culex(tmp_path, env=env, verbose=False, extra_config="log_type error\nlog_type warning\n"
                                                                   "log_type notice\n")
    try:
        stalled = socket.socket()
        stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
        stalled.connect(("127.0.0.1", b.port))
        stalled.sendall(connect_packet("stalled") + subscribe_packet("flood/#"))
        assert recv_exact(stalled, 4)[:2] == b"\x20\x02"
        assert recv_exact(stalled, 5)[:1] == b"\x90"  # SUBACK; from here on it reads nothing
        base_kb = rss_kb(b.proc.pid)

        stop = threading.Event()
        hostile, flooded, acked, received = [0], [0], [], set()
        threads = [threading.Thread(target=hostile_connections, args=(b.port, stop, hostile)) for _ in range(3)]
        threads.append(threading.Thread(target=flood, args=(b.port, stop, flooded)))
        pair = threading.Thread(target=qos1_pair, args=(b.port, stop, acked, received))
        for t in threads + [pair]:
            t.start()
        peak_kb = base_kb
        end = time.monotonic() + STORM_SECONDS
        while time.monotonic() < end:
            peak_kb = max(peak_kb, rss_kb(b.proc.pid))
            time.sleep(0.05)  # sampling RSS, not synchronisation
        stop.set()
        for t in threads:
            t.join(timeout=WAIT)
        pair.join(timeout=WAIT * 4)
        assert not pair.is_alive(), "the QoS 1 pair did not finish"
        peak_kb = max(peak_kb, rss_kb(b.proc.pid))
        grown_mb = (peak_kb - base_kb) / 1024
        print(f"storm: {hostile[0]} hostile connections, {flooded[0]} flood messages, {len(acked)} QoS 1 "
              f"acknowledged, {len(acked) - len(received & set(acked))} lost; RSS {base_kb / 1024:.1f} MB, "
              f"peak +{grown_mb:.1f} MB")
        assert acked, "the pair published nothing during the storm"
        missing = sorted(set(acked) - received)
        assert not missing, f"{len(missing)} acknowledged QoS 1 messages lost, first {missing[:10]}"
        assert hostile[0] > 100 and flooded[0] > 1000, (hostile[0], flooded[0])
        b.log.wait_for(r"Outgoing messages are being dropped for client stalled\.")
        allowance = ASAN_RSS_ALLOWANCE_MB if under_asan(b.proc.pid) else RSS_ALLOWANCE_MB
        assert grown_mb < allowance, f"RSS grew by {grown_mb:.1f} MB during the storm (allowed {allowance})"
        stalled.close()
    finally:
        assert b.stop() == 0, "broker did not shut down cleanly:\n" + b.log.text()[-5000:]
