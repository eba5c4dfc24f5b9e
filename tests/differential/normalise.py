"""Named normalisations: the parts of a broker's packets that are random by design, replaced by a fixed mark
before the comparison. Everything else is compared byte for byte.

- assigned_id: the Assigned Client Identifier of a CONNACK (MQTT 5, for an empty client id) keeps its prefix
  (auto_id_prefix, up to the first '-') and loses the random rest: `auto-*`. Both brokers make it up at random,
  and in different shapes (Mosquitto a UUID, culex 32 hex digits); that an id is assigned, and with what
  prefix, is still compared.
- message_expiry: the Message Expiry Interval of an MQTT 5 PUBLISH is rounded up to an even number of seconds.
  Both brokers send what is left of the interval in whole seconds, and Mosquitto counts from the second its
  event loop last read the clock, so 3600 sent comes back as 3600 or 3599 depending on where a second boundary
  falls in the run (CI saw 3599 from Mosquitto and 3600 from culex once). Scenarios send even intervals, so the
  value is still compared to within that one second.
"""
import packets

ASSIGNED_CLIENT_IDENTIFIER = 0x12


MESSAGE_EXPIRY_INTERVAL = 0x02


def message_expiry(packet, version):
    if packet[0] >> 4 != 3 or version != 5:
        return packet
    body = packet[packets.body_offset(packet):]
    i = 2 + int.from_bytes(body[:2], "big") + (2 if packet[0] & 0x06 else 0)
    props, end = packets.parse_properties(body, i)
    changed = False
    for n, (ident, value) in enumerate(props):
        if ident == MESSAGE_EXPIRY_INTERVAL:
            seconds = int.from_bytes(value, "big")
            props[n] = (ident, (seconds + seconds % 2).to_bytes(4, "big"))
            changed = True
    if not changed:
        return packet
    return packets.rebuild(packet[0], body[:i] + packets.encode_raw_properties(props) + body[end:])


def assigned_id(packet, version):
    if packet[0] != 0x20:
        return packet
    body = packet[packets.body_offset(packet):]
    if len(body) <= 2:
        return packet
    props, end = packets.parse_properties(body, 2)
    changed = False
    for n, (ident, value) in enumerate(props):
        if ident == ASSIGNED_CLIENT_IDENTIFIER:
            text = value[2:]
            cut = text.find(b"-")
            kept = (text[:cut + 1] if cut >= 0 else b"") + b"*"
            props[n] = (ident, packets.u16(len(kept)) + kept)
            changed = True
    if not changed:
        return packet
    return packets.rebuild(packet[0], body[:2] + packets.encode_raw_properties(props) + body[end:])


NORMALISATIONS = [assigned_id, message_expiry]


def packet(data, prefix, version=None):
    for fn in NORMALISATIONS:
        try:
            data = fn(data, version)
        except (IndexError, ValueError):
            pass  # not parseable as the normalisation expects: compared as it is
    return data.hex(" ")
