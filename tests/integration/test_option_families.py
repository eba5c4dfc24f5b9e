"""mosquitto.conf option families that had no integration test of their own (issue 13): connection limits and
logging options, and include_dir. Each runs the same configuration on culex and on Debian's Mosquitto 2.0 and
asserts what a client and a log reader see on both."""
import re
import socket

import pytest

from brokers import start_culex, start_mosquitto
from mqtt_peers import WAIT, connect_packet, connected, raw_connect, wait_closed

BROKERS = ["culex", "mosquitto"]


def start(kind, directory, extra_config):
    if kind == "culex":
        b = start_culex(directory, extra_config=extra_config)
    else:
        b = start_mosquitto(directory, extra_config=extra_config)
    b.log.wait_for(r"version \S+ running")  # Mosquitto says "Opening" before it listens
    return b


@pytest.mark.parametrize("kind", BROKERS)
def test_max_connections_refuses_the_connection_past_it(tmp_path, kind):
    b = start(kind, tmp_path, "max_connections 2\n")
    try:
        held = [raw_connect(b.port, f"held{i}")[0] for i in range(2)]
        s = socket.create_connection(("127.0.0.1", b.port), timeout=WAIT)
        try:
            s.sendall(connect_packet("third"))
        except OSError:
            pass  # closed before the CONNECT went: what we want
        assert wait_closed(s), "the third connection was not closed"
        b.log.wait_for(r"Client connection from 127\.0\.0\.1 denied: max_connections exceeded\.")
        assert "third" not in b.log.text()
        for h in held:
            h.close()
        # A place is free again once a held connection is gone.
        later = connected(b.port, "later")
        later.disconnect()
    finally:
        b.stop()


@pytest.mark.parametrize("kind", BROKERS)
def test_connection_messages_false_leaves_out_connects_and_disconnects(tmp_path, kind):
    b = start(kind, tmp_path, "connection_messages false\n")
    try:
        c = connected(b.port, "quiet")
        c.publish("t", b"x", 1)
        b.log.wait_for(r"Received PUBLISH from quiet")
        c.disconnect()
        b.log.wait_for(r"Received DISCONNECT from quiet")
        text = b.log.text()
        for words in ("New connection from", "New client connected", "will message specified",
                      "Client quiet disconnected"):
            assert words.lower() not in text.lower(), text
    finally:
        b.stop()


@pytest.mark.parametrize("kind", BROKERS)
@pytest.mark.parametrize("option,line", [
    ("log_timestamp false", r"^Opening ipv4 listen socket on port \d+\.$"),
    ("log_timestamp_format %Y-%m-%dT%H:%M:%S", r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d: Opening ipv4 listen socket"),
])
def test_log_timestamp_options_shape_every_line(tmp_path, kind, option, line):
    b = start(kind, tmp_path, option + "\n")
    try:
        c = connected(b.port, "stamped")
        c.disconnect()
        b.log.wait_for(r"Client stamped disconnected\.")
        lines = [l for l in b.log.text().splitlines() if l.strip()]
        assert any(re.match(line, l) for l in lines), lines
        prefix = r"^(?:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d: )" if "format" in option else r"^(?!\d+: )"
        assert all(re.match(prefix, l) for l in lines), lines
    finally:
        b.stop()


@pytest.mark.parametrize("kind", BROKERS)
def test_include_dir_reads_each_conf_file_in_order(tmp_path, kind):
    included = tmp_path / "conf.d"
    included.mkdir()
    (included / "10-size.conf").write_text("message_size_limit 100\n")
    (included / "20-size.conf").write_text("message_size_limit 10\n")  # later in the order: it wins
    (included / "notes.txt").write_text("message_size_limit 1\n")     # not *.conf: not read
    b = start(kind, tmp_path, f"include_dir {included}\n")
    try:
        sub = connected(b.port, "reader")
        sub.subscribe("t", 0)
        pub = connected(b.port, "writer")
        pub.publish("t", b"x" * 11, 0)  # over the limit: dropped
        pub.publish("t", b"y" * 10, 0)  # at the limit: delivered
        m = sub.next_message()
        assert m.payload == b"y" * 10
        pub.disconnect()
        sub.disconnect()
    finally:
        b.stop()
