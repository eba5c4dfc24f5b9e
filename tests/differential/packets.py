"""The scenarios' packet notation: `CONNECT v5 id=a clean=1 ka=60` -> the bytes a client sends; and the reverse
for reports (`describe`), and the small parse of a broker's packets that normalisations need.

A packet line is a type name followed by key=value words (shell quoting: m="two words"). The protocol version
comes from the connection's last CONNECT unless a word `v3`, `v4` or `v5` says otherwise (3 = MQTT 3.1).
Deliberately permissive: a scenario may ask for any flag, length or field, valid or not, because malformed input
is what many scenarios are about.
"""
import shlex
import struct

TYPES = {
    "CONNECT": 1, "CONNACK": 2, "PUBLISH": 3, "PUBACK": 4, "PUBREC": 5, "PUBREL": 6, "PUBCOMP": 7,
    "SUBSCRIBE": 8, "SUBACK": 9, "UNSUBSCRIBE": 10, "UNSUBACK": 11, "PINGREQ": 12, "PINGRESP": 13,
    "DISCONNECT": 14, "AUTH": 15,
}
TYPE_NAMES = {number: name for name, number in TYPES.items()}

# Property words: name -> (identifier, kind). Kinds: b byte, h u16, i u32, v varint, s string, d binary, p pair.
PROPERTIES = {
    "pfi": (0x01, "b"), "mei": (0x02, "i"), "ct": (0x03, "s"), "rt": (0x08, "s"), "cd": (0x09, "d"),
    "si": (0x0B, "v"), "sei": (0x11, "i"), "aci": (0x12, "s"), "ska": (0x13, "h"), "am": (0x15, "s"),
    "ad": (0x16, "d"), "rpi": (0x17, "b"), "wdi": (0x18, "i"), "rri": (0x19, "b"), "ri": (0x1A, "s"),
    "sr": (0x1C, "s"), "rs": (0x1F, "s"), "rm": (0x21, "h"), "tam": (0x22, "h"), "ta": (0x23, "h"),
    "mq": (0x24, "b"), "ra": (0x25, "b"), "up": (0x26, "p"), "mps": (0x27, "i"), "wsa": (0x28, "b"),
    "sia": (0x29, "b"), "ssa": (0x2A, "b"),
}
PROPERTY_KINDS = {ident: (name, kind) for name, (ident, kind) in PROPERTIES.items()}


class NotationError(ValueError):
    pass


def varint(n):
    out = bytearray()
    while True:
        byte = n % 128
        n //= 128
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def u16(n):
    return struct.pack(">H", n)


def utf8(text):
    data = text if isinstance(text, bytes) else text.encode()
    return u16(len(data)) + data


def text_or_hex(fields, name):
    """A string field: `t=abc`, or `thex=61ff` for bytes that are not valid UTF-8."""
    if name + "hex" in fields:
        return bytes.fromhex(fields.pop(name + "hex"))
    value = fields.pop(name, None)
    return None if value is None else value.encode()


def encode_properties(fields, prefix=""):
    body = bytearray()
    for key in list(fields):
        if not key.startswith(prefix) or key[len(prefix):] not in PROPERTIES:
            continue
        ident, kind = PROPERTIES[key[len(prefix):]]
        for value in fields.pop(key):
            body += varint(ident)
            if kind == "b":
                body.append(int(value, 0))
            elif kind == "h":
                body += u16(int(value, 0))
            elif kind == "i":
                body += struct.pack(">I", int(value, 0))
            elif kind == "v":
                body += varint(int(value, 0))
            elif kind == "s":
                body += utf8(value)
            elif kind == "d":
                body += utf8(value.encode())
            else:
                k, _, v = value.partition(":")
                body += utf8(k) + utf8(v)
    return varint(len(body)) + bytes(body)


def payload(fields):
    if "mhex" in fields:
        return bytes.fromhex(fields.pop("mhex"))
    if "msize" in fields:
        return b"x" * int(fields.pop("msize"))
    return fields.pop("m", "").encode()


def flag(fields, name, default=0):
    return int(str(fields.pop(name, default)), 0)


def encode_connect(f, version):
    levels = {3: 3, 4: 4, 5: 5}
    names = {3: "MQIsdp", 4: "MQTT", 5: "MQTT"}
    proto = f.pop("proto", names[version]).encode()
    level = flag(f, "level", levels[version])
    clean = flag(f, "clean", 1)
    ka = flag(f, "ka", 60)
    client_id = text_or_hex(f, "id") or b""
    user = text_or_hex(f, "user")
    password = f.pop("pass", None)
    will_topic = text_or_hex(f, "wt")
    will_msg = f.pop("wm", None)
    will_qos = flag(f, "wq")
    will_retain = flag(f, "wr")
    flags = (clean << 1) | ((will_topic is not None) << 2) | (will_qos << 3) | (will_retain << 5)
    flags |= ((password is not None) << 6) | ((user is not None) << 7)
    flags = flag(f, "flags", flags)  # raw override: reserved bit, inconsistent will flags
    body = utf8(proto) + bytes([level, flags]) + u16(ka)
    if version == 5:
        body += encode_properties(f)
    body += utf8(client_id)
    if will_topic is not None:
        if version == 5:
            body += encode_properties(f, "w.")
        body += utf8(will_topic) + utf8((will_msg or "").encode())
    if user is not None:
        body += utf8(user)
    if password is not None:
        body += utf8(password.encode())
    return 0, body


def encode_publish(f, version):
    qos = flag(f, "q")
    header = (flag(f, "d") << 3) | (qos << 1) | flag(f, "r")
    body = utf8(text_or_hex(f, "t") or b"")
    if qos > 0 or "id" in f:
        body += u16(flag(f, "id", 1))
    if version == 5:
        body += encode_properties(f)
    return header, body + payload(f)


def encode_ack(f, version, header=0):
    """PUBACK, PUBREC, PUBREL, PUBCOMP, DISCONNECT, AUTH: id, then (MQTT 5) reason code and properties, each
    only when given, as clients shorten them."""
    body = u16(flag(f, "id")) if "id" in f else b""
    has_props = any(k in PROPERTIES for k in f)
    if version == 5 and ("rc" in f or has_props):
        body += bytes([flag(f, "rc")])
        if has_props:
            body += encode_properties(f)
    return header, body


def encode_subscribe(f, version):
    body = u16(flag(f, "id", 1))
    filters = f.pop("f", [])
    if version == 5:
        body += encode_properties(f)
    for entry in filters:
        topic, _, opts = entry.rpartition(":")
        options = int(opts[0]) if opts and opts[0].isdigit() else 0
        options |= (0x04 if "n" in opts else 0) | (0x08 if "r" in opts else 0)
        if "h" in opts:
            options |= int(opts[opts.index("h") + 1]) << 4
        if "x" in opts:  # a reserved bit
            options |= 0x40
        body += utf8(topic) + bytes([options])
    return 2, body


def encode_unsubscribe(f, version):
    body = u16(flag(f, "id", 1))
    if version == 5:
        body += encode_properties(f)
    for topic in f.pop("f", []):
        body += utf8(topic)
    return 2, body


ENCODERS = {
    "CONNECT": encode_connect, "PUBLISH": encode_publish, "SUBSCRIBE": encode_subscribe,
    "UNSUBSCRIBE": encode_unsubscribe,
    "PUBACK": encode_ack, "PUBREC": encode_ack, "PUBCOMP": encode_ack, "DISCONNECT": encode_ack, "AUTH": encode_ack,
    "PUBREL": lambda f, v: encode_ack(f, v, 2),
    "PINGREQ": lambda f, v: (0, b""), "PINGRESP": lambda f, v: (0, b""),
    "CONNACK": lambda f, v: (0, bytes([flag(f, "sp"), flag(f, "rc")]) + (b"\0" if v == 5 else b"")),
    "SUBACK": lambda f, v: (0, u16(flag(f, "id", 1))), "UNSUBACK": lambda f, v: (0, u16(flag(f, "id", 1))),
}
REPEATABLE = {"f"} | set(PROPERTIES) | {"w." + p for p in PROPERTIES}


def encode(line, version):
    """(bytes, version) for one packet line; version is the CONNECT's own for a CONNECT, else `version`."""
    words = shlex.split(line)
    name = words[0].upper()
    if name == "HEX":
        return bytes.fromhex("".join(words[1:])), version
    if name not in TYPES:
        raise NotationError(f"unknown packet type {words[0]!r} (one of {', '.join(TYPES)} or hex)")
    fields = {}
    for word in words[1:]:
        if word in ("v3", "v4", "v5"):
            version = int(word[1])
            continue
        key, eq, value = word.partition("=")
        if not eq:
            raise NotationError(f"{word!r} in {line!r}: expected key=value")
        if key in REPEATABLE:
            fields.setdefault(key, []).append(value)
        else:
            fields[key] = value
    header_flags, body = ENCODERS[name](fields, version)
    header_flags = flag(fields, "hflags", header_flags)  # raw override of the fixed header's low nibble
    length = varint(len(body)) if "rl" not in fields else bytes.fromhex(fields.pop("rl"))
    if fields:
        raise NotationError(f"{line!r}: words not understood for {name}: {', '.join(fields)}")
    return bytes([(TYPES[name] << 4) | header_flags]) + length + body, version


def split_packets(data):
    """Complete packets at the front of `data`, and the incomplete rest."""
    packets = []
    while True:
        if len(data) < 2:
            return packets, data
        length, shift, i = 0, 0, 1
        while True:
            if i >= len(data):
                return packets, data
            byte = data[i]
            length |= (byte & 0x7F) << shift
            shift += 7
            i += 1
            if not byte & 0x80 or i > 4:
                break
        if len(data) < i + length:
            return packets, data
        packets.append(bytes(data[:i + length]))
        data = data[i + length:]


def body_offset(packet):
    i = 1
    while packet[i] & 0x80:
        i += 1
    return i + 1


def read_varint(data, i):
    n, shift = 0, 0
    while True:
        byte = data[i]
        n |= (byte & 0x7F) << shift
        shift += 7
        i += 1
        if not byte & 0x80:
            return n, i


def parse_properties(data, i):
    """[(identifier, raw value bytes)], index after them."""
    length, i = read_varint(data, i)
    end = i + length
    props = []
    while i < end:
        ident, i = read_varint(data, i)
        kind = PROPERTY_KINDS.get(ident, ("?", "b"))[1]
        start = i
        if kind == "b":
            i += 1
        elif kind == "h":
            i += 2
        elif kind == "i":
            i += 4
        elif kind == "v":
            _, i = read_varint(data, i)
        elif kind in "sd":
            i += 2 + struct.unpack_from(">H", data, i)[0]
        else:
            i += 2 + struct.unpack_from(">H", data, i)[0]
            i += 2 + struct.unpack_from(">H", data, i)[0]
        props.append((ident, bytes(data[start:i])))
    return props, end


def encode_raw_properties(props):
    body = b"".join(varint(ident) + value for ident, value in props)
    return varint(len(body)) + body


def rebuild(first_byte, body):
    return bytes([first_byte]) + varint(len(body)) + body


def describe(packet):
    """One readable line for a report: type, flags, and the body in hex."""
    name = TYPE_NAMES.get(packet[0] >> 4, "?")
    body = packet[body_offset(packet):]
    extra = ""
    if name == "CONNACK" and len(body) > 2:
        try:
            props, _ = parse_properties(body, 2)
            extra = " props[" + ", ".join(
                f"{PROPERTY_KINDS.get(i, ('0x%02x' % i,))[0]}={v.hex()}" for i, v in props) + "]"
        except (IndexError, struct.error):
            extra = " (properties unreadable)"
    return f"{name}/{packet[0] & 0x0F:x} {body.hex(' ')}{extra}"
