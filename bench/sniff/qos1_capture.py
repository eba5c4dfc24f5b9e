"""Writes a pcap of MQTT 3.1.1 QoS 1 traffic for the sniff benchmark: several clients on one broker, each
doing TCP handshake, CONNECT/CONNACK, then PUBLISH (QoS 1) / PUBACK pairs, then DISCONNECT and FIN.

Each PUBLISH and each PUBACK is one Ethernet/IPv4/TCP frame, as on a quiet LAN, except that every
`split_every`-th PUBLISH is cut across two segments and every `pair_every`-th shares its segment with the next
one, so that both tools must reassemble. Checksums are real, so any tool may check them.

Written in plain Python (struct) so that the benchmark needs nothing but the tools it compares.
"""
import array
import struct

PCAP_MAGIC = 0xA1B2C3D4
LINKTYPE_ETHERNET = 1
BROKER_IP = bytes([10, 0, 0, 1])
BROKER_MAC = bytes.fromhex("020000000001")
CLIENT_MAC = bytes.fromhex("020000000002")


def _checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(array.array("H", data))  # native order; folded and swapped back below
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    value = ~total & 0xFFFF
    return struct.unpack("!H", struct.pack("=H", value))[0]


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n % 128
        n //= 128
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _mqtt_string(s: bytes) -> bytes:
    return struct.pack("!H", len(s)) + s


def connect(client_id: bytes) -> bytes:
    body = _mqtt_string(b"MQTT") + bytes([4, 0x02]) + struct.pack("!H", 60) + _mqtt_string(client_id)
    return bytes([0x10]) + _varint(len(body)) + body


CONNACK = bytes([0x20, 2, 0, 0])
DISCONNECT = bytes([0xE0, 0])


def publish_qos1(topic: bytes, packet_id: int, payload: bytes) -> bytes:
    body = _mqtt_string(topic) + struct.pack("!H", packet_id) + payload
    return bytes([0x32]) + _varint(len(body)) + body


def puback(packet_id: int) -> bytes:
    return bytes([0x40, 2]) + struct.pack("!H", packet_id)


class _Flow:
    """One TCP connection: sequence numbers of both sides and the frames they make."""

    def __init__(self, writer, client_ip: bytes, client_port: int, broker_port: int):
        self.w = writer
        self.ip = {True: client_ip, False: BROKER_IP}
        self.port = {True: client_port, False: broker_port}
        self.seq = {True: 1000, False: 900000}
        self.ip_id = 0

    def segment(self, from_client: bool, flags: int, data: bytes = b""):
        src, dst = self.ip[from_client], self.ip[not from_client]
        sport, dport = self.port[from_client], self.port[not from_client]
        ack = self.seq[not from_client] if flags & 0x10 else 0
        tcp = struct.pack("!HHIIBBHHH", sport, dport, self.seq[from_client], ack, 5 << 4, flags, 65535, 0, 0)
        pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp) + len(data))
        tcp = tcp[:16] + struct.pack("!H", _checksum(pseudo + tcp + data)) + tcp[18:]
        self.ip_id = (self.ip_id + 1) & 0xFFFF
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(data), self.ip_id, 0x4000, 64, 6, 0, src,
                         dst)
        ip = ip[:10] + struct.pack("!H", _checksum(ip)) + ip[12:]
        macs = (BROKER_MAC + CLIENT_MAC) if from_client else (CLIENT_MAC + BROKER_MAC)
        self.w.frame(macs + b"\x08\x00" + ip + tcp + data)
        self.seq[from_client] = (self.seq[from_client] + len(data) + (1 if flags & 0x03 else 0)) & 0xFFFFFFFF

    def data(self, from_client: bool, data: bytes):
        self.segment(from_client, 0x18, data)  # PSH, ACK


class PcapWriter:
    def __init__(self, path):
        self.f = open(path, "wb")
        self.f.write(struct.pack("=IHHiIII", PCAP_MAGIC, 2, 4, 0, 0, 262144, LINKTYPE_ETHERNET))
        self.time_us = 1_700_000_000_000_000
        self.frames = 0

    def frame(self, data: bytes):
        self.time_us += 50
        seconds, micros = divmod(self.time_us, 1_000_000)
        self.f.write(struct.pack("=IIII", seconds, micros, len(data), len(data)))
        self.f.write(data)
        self.frames += 1

    def close(self):
        self.f.close()


def write_capture(path, publishes: int, clients: int = 8, payload_size: int = 60, broker_port: int = 1883,
                  split_every: int = 97, pair_every: int = 89) -> dict:
    """Writes the capture; returns what it holds: frames, publishes, and the topics used."""
    w = PcapWriter(path)
    flows = []
    for i in range(clients):
        flow = _Flow(w, bytes([10, 0, 1, i + 1]), 40000 + i, broker_port)
        flow.segment(True, 0x02)  # SYN
        flow.segment(False, 0x12)  # SYN, ACK
        flow.segment(True, 0x10)  # ACK
        flow.data(True, connect(b"bench-%d" % i))
        flow.data(False, CONNACK)
        flows.append(flow)

    topics = set()
    payload = (b"{\"temperature\": 21.5, \"unit\": \"C\", \"pad\": \"" + b"x" * payload_size)[:payload_size]
    packet_ids = [0] * clients
    left = publishes
    turn = 0
    while left > 0:
        c = turn % clients
        flow = flows[c]
        topic = b"lab/sensor/%d/temperature" % c
        topics.add(topic.decode())
        count = 2 if turn % pair_every == 1 and left >= 2 else 1
        packets, acks = b"", b""
        for _ in range(count):
            packet_ids[c] = packet_ids[c] % 65535 + 1
            packets += publish_qos1(topic, packet_ids[c], payload)
            acks += puback(packet_ids[c])
        if turn % split_every == 1:
            cut = len(packets) // 2
            flow.data(True, packets[:cut])
            flow.data(True, packets[cut:])
        else:
            flow.data(True, packets)
        flow.data(False, acks)
        left -= count
        turn += 1

    for flow in flows:
        flow.data(True, DISCONNECT)
        flow.segment(True, 0x11)  # FIN, ACK
        flow.segment(False, 0x11)
        flow.segment(True, 0x10)
    w.close()
    return {"frames": w.frames, "publishes": publishes, "topics": sorted(topics)}
