"""`listener 0 PATH`: a Unix socket listener, as in Mosquitto 2.0 (issue 13). Debian's mosquitto_pub and
mosquitto_sub (`--unix`) talk through it to a TCP client; the log says what Mosquitto's says; a socket file
left behind is replaced, one in use or a file of another kind is a clear start error."""
import os
import shutil
import socket
import stat
import subprocess
import tempfile

import pytest

from brokers import start_culex, write_config
from conftest import culex_binary
from mqtt_peers import WAIT, connected


@pytest.fixture
def socket_dir():
    # A Unix socket's path must fit in 108 bytes: pytest's tmp_path can be longer.
    directory = tempfile.mkdtemp(prefix="culex-unix-", dir="/tmp")
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


def run_broker(tmp_path, text):
    return subprocess.run([culex_binary(), "broker", "-c", write_config(tmp_path, text)], capture_output=True,
                          text=True, timeout=WAIT * 3)


def test_mosquitto_clients_over_a_unix_socket_reach_a_tcp_client(tmp_path, socket_dir):
    path = os.path.join(socket_dir, "culex.sock")
    b = start_culex(tmp_path, extra_config=f"listener 0 {path}\n")
    try:
        b.log.wait_for(rf"Opening unix listen socket on path {path}\.")
        mode = os.stat(path).st_mode
        assert stat.S_ISSOCK(mode) and stat.S_IMODE(mode) == 0o770, oct(mode)
        tcp = connected(b.port, "tcp-side")
        tcp.subscribe("from/unix", 1)
        sub = subprocess.Popen(["mosquitto_sub", "--unix", path, "-i", "unix-sub", "-t", "from/tcp", "-q", "1",
                                "-C", "1"], stdout=subprocess.PIPE, text=True)
        b.log.wait_for(r"unix-sub 1 from/tcp")
        assert b.log.wait_for(rf"New connection from {path}:0 on port 0\.")
        b.log.wait_for(rf"New client connected from {path}:0 as unix-sub \(p2, c1, k60\)\.")
        tcp.publish("from/tcp", b"to the socket", 1)
        out, _ = sub.communicate(timeout=WAIT)
        assert out == "to the socket\n"
        pub = subprocess.run(["mosquitto_pub", "--unix", path, "-i", "unix-pub", "-t", "from/unix", "-q", "1",
                              "-m", "from the socket"], capture_output=True, text=True, timeout=WAIT)
        assert pub.returncode == 0, pub.stderr
        m = tcp.next_message()
        assert (m.topic, m.payload) == ("from/unix", b"from the socket")
    finally:
        assert b.stop() == 0, b.log.text()
    assert not os.path.exists(path), "the socket file is removed at exit"


def test_a_socket_file_left_behind_is_replaced(tmp_path, socket_dir):
    path = os.path.join(socket_dir, "culex.sock")
    left = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    left.bind(path)  # a broker that died without removing its socket: nothing listens on it
    left.close()
    b = start_culex(tmp_path, extra_config=f"listener 0 {path}\n")
    try:
        b.log.wait_for(rf"Opening unix listen socket on path {path}\.")
        pub = subprocess.run(["mosquitto_pub", "--unix", path, "-t", "t", "-m", "x"], capture_output=True,
                             timeout=WAIT)
        assert pub.returncode == 0, pub.stderr
    finally:
        assert b.stop() == 0, b.log.text()


def test_a_socket_in_use_is_a_start_error(tmp_path, socket_dir):
    path = os.path.join(socket_dir, "culex.sock")
    live = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    live.bind(path)
    live.listen()
    try:
        result = run_broker(tmp_path, f"listener 0 {path}\n")
        assert result.returncode == 1
        assert (f"cannot listen on the Unix socket {path}: another process listens on it (another broker?); "
                "stop it or choose another path") in result.stderr, result.stderr
        assert os.path.exists(path), "the other process's socket is left alone"
    finally:
        live.close()


def test_a_file_of_another_kind_is_a_start_error(tmp_path, socket_dir):
    path = os.path.join(socket_dir, "notes.txt")
    with open(path, "w") as f:
        f.write("not a socket\n")
    result = run_broker(tmp_path, f"listener 0 {path}\n")
    assert result.returncode == 1
    assert "a file that is not a socket is in the way; remove it or choose another path" in result.stderr
    assert open(path).read() == "not a socket\n"


@pytest.mark.parametrize("option,why", [
    ("protocol websockets", "a Unix socket listener speaks plain MQTT only"),
    ("certfile /x.crt\nkeyfile /x.key", "TLS on a Unix socket listener is not supported"),
])
def test_what_a_unix_socket_cannot_carry_is_refused(tmp_path, socket_dir, option, why):
    path = os.path.join(socket_dir, "culex.sock")
    result = run_broker(tmp_path, f"listener 0 {path}\n{option}\n")
    assert result.returncode == 1
    assert why in result.stderr, result.stderr
    assert not os.path.exists(path)
