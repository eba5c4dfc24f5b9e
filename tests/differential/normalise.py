"""Named normalisations: the parts of a broker's packets that are random by design, replaced by a fixed mark
before the comparison. Everything else is compared byte for byte.

- assigned_id: the Assigned Client Identifier of a CONNACK (MQTT 5, for an empty client id) keeps its prefix
  (auto_id_prefix, up to the first '-') and loses the random rest: `auto-*`. Both brokers make it up at random,
  and in different shapes (Mosquitto a UUID, culex 32 hex digits); that an id is assigned, and with what
  prefix, is still compared.
"""
import packets

ASSIGNED_CLIENT_IDENTIFIER = 0x12


def assigned_id(packet):
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


NORMALISATIONS = [assigned_id]


def packet(data, prefix):
    for fn in NORMALISATIONS:
        try:
            data = fn(data)
        except (IndexError, ValueError):
            pass  # not parseable as the normalisation expects: compared as it is
    return data.hex(" ")
