"""`culex pub` / `culex sub` / `culex rr` speaking MQTT 5, against Debian's mosquitto and the culex broker,
cross-checked with mosquitto_pub/mosquitto_sub/mosquitto_rr -V 5 where both can run."""
import json
import os
import subprocess

import pytest

from brokers import start_culex, start_mosquitto
from conftest import culex_binary, run

WAIT = 10


@pytest.fixture(scope="module", params=["mosquitto", "culex"])
def broker(request, tmp_path_factory):
    directory = tmp_path_factory.mktemp(request.param)
    b = start_mosquitto(directory) if request.param == "mosquitto" else start_culex(directory)
    b.kind = request.param
    yield b
    b.stop()


_n = [0]


def unique(prefix):
    _n[0] += 1
    return f"{prefix}-{os.getpid()}-{_n[0]}"


def culex(tool, broker, *args, env=None):
    return run([culex_binary(), tool, "-p", str(broker.port), *args], timeout=WAIT * 2, env=env)


def start(program, broker, client_id, *args, env=None):
    """Starts a subscriber (culex sub or mosquitto_sub) and returns once the broker has sent its SUBACK."""
    cmd = [culex_binary(), "sub"] if program == "culex" else ["mosquitto_sub"]
    proc = subprocess.Popen([*cmd, "-p", str(broker.port), "-i", client_id, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    broker.log.wait_for(f"Sending SUBACK to {client_id}", timeout=WAIT)
    return proc


def finish(proc):
    out, err = proc.communicate(timeout=WAIT)
    return proc.returncode, out, err


PROPERTIES = ["-D", "publish", "user-property", "k1", "v1", "-D", "publish", "user-property", "k2", "v 2",
              "-D", "publish", "response-topic", "resp/x", "-D", "publish", "correlation-data", "c0rr",
              "-D", "publish", "content-type", "text/plain", "-D", "publish", "payload-format-indicator", "1",
              "-D", "publish", "message-expiry-interval", "3600"]


def test_properties_reach_sub_like_mosquitto_sub(broker):
    topic = unique("v5/props")
    fmt = "%t|%p|%q|%r|%l|%P|%R|%D|%C|%F"
    ours = start("culex", broker, unique("csub"), "-V", "5", "-t", topic, "-C", "1", "-q", "1", "-F", fmt)
    theirs = start("mosquitto", broker, unique("msub"), "-V", "5", "-t", topic, "-C", "1", "-q", "1", "-F", fmt)
    expiry_sub = start("culex", broker, unique("esub"), "-V", "5", "-t", topic, "-C", "1", "-F", "%E")
    r = culex("pub", broker, "-V", "5", "-t", topic, "-m", "hello", "-q", "1", *PROPERTIES)
    assert r.returncode == 0, r.stderr
    o, t, e = finish(ours), finish(theirs), finish(expiry_sub)
    assert o[0] == t[0] == 0, (o, t)
    assert o[1] == f"{topic}|hello|1|0|5|k1:v1 k2:v 2|resp/x|c0rr|text/plain|1\n"
    assert o[1] == t[1]
    assert 3590 <= int(e[1]) <= 3600  # the remaining Message Expiry Interval


def test_json_output_like_mosquitto_sub(broker):
    topic = unique("v5/json")
    ours = start("culex", broker, unique("cj"), "-V", "5", "-t", topic, "-C", "1", "-F", "%j")
    theirs = start("mosquitto", broker, unique("mj"), "-V", "5", "-t", topic, "-C", "1", "-F", "%j")
    r = culex("pub", broker, "-V", "5", "-t", topic, "-m", 'say "hi"', *PROPERTIES[:18])
    assert r.returncode == 0, r.stderr
    o, t = json.loads(finish(ours)[1]), json.loads(finish(theirs)[1])
    del o["tst"], t["tst"]
    assert o == t
    assert o["payload"] == 'say "hi"' and o["properties"]["user-properties"] == {"k1": "v1", "k2": "v 2"}


def test_mosquitto_pub_v5_properties_reach_culex_sub(broker):
    topic = unique("v5/from-mosquitto")
    ours = start("culex", broker, unique("cm"), "-V", "mqttv5", "-t", topic, "-C", "1", "-F", "%P %R %D %p")
    r = run(["mosquitto_pub", "-p", str(broker.port), "-V", "5", "-t", topic, "-m", "x", *PROPERTIES[:18]],
            timeout=WAIT)
    assert r.returncode == 0, r.stderr
    assert finish(ours)[1] == "k1:v1 k2:v 2 resp/x c0rr x\n"


def test_E_exits_once_subscribed(broker):
    r = culex("sub", broker, "-V", "5", "-t", unique("v5/E"), "-E")
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")


def test_retain_handling_and_retain_as_published(broker):
    topic = unique("v5/retained")
    assert culex("pub", broker, "-V", "5", "-t", topic, "-m", "kept", "-r").returncode == 0
    # 0 (default): the retained message comes on subscribing.
    r = culex("sub", broker, "-V", "5", "-t", topic, "-C", "1", "-F", "%p %r", "-W", "5")
    assert (r.returncode, r.stdout) == (0, "kept 1\n"), r.stderr
    # 2: never on subscribing: -W runs out instead (exit 27, as mosquitto_sub -W).
    r = culex("sub", broker, "-V", "5", "-t", topic, "-C", "1", "--retain-handling", "2", "-W", "1")
    assert (r.returncode, r.stdout) == (27, ""), r.stderr
    # A live message published with retain: its retain flag is kept only with --retain-as-published.
    rap = start("culex", broker, unique("rap"), "-V", "5", "-t", topic, "-C", "1", "-F", "%p %r",
                "--retain-as-published", "--retain-handling", "2")
    plain = start("culex", broker, unique("plain"), "-V", "5", "-t", topic, "-C", "1", "-F", "%p %r",
                  "--retain-handling", "2")
    assert culex("pub", broker, "-V", "5", "-t", topic, "-m", "live", "-r").returncode == 0
    assert finish(rap)[1] == "live 1\n"
    assert finish(plain)[1] == "live 0\n"


def test_subscription_options_on_the_wire_like_mosquitto_sub(broker):
    """The SUBSCRIBE options byte, shown by -d in Mosquitto's words: no-local is bit 2, RAP bit 3."""
    topic = unique("v5/opts")
    ours = culex("sub", broker, "-V", "5", "-t", topic, "-E", "-d", "--retain-as-published", "-i", "o1")
    theirs = run(["mosquitto_sub", "-p", str(broker.port), "-V", "5", "-t", topic, "-E", "-d",
                  "--retain-as-published", "-i", "o1"], timeout=WAIT)
    line = f"Client o1 sending SUBSCRIBE (Mid: 1, Topic: {topic}, QoS: 0, Options: 0x08)"
    assert line in ours.stdout and line in theirs.stdout
    nl = culex("sub", broker, "-V", "5", "-t", topic, "-E", "-d", "--no-local", "-i", "o2")
    assert f"Topic: {topic}, QoS: 0, Options: 0x04)" in nl.stdout


def test_rr_request_response(broker):
    req, resp = unique("v5/req"), unique("v5/resp")
    responder = start("mosquitto", broker, unique("responder"), "-V", "5", "-t", req, "-C", "1",
                      "-F", "%R %D %p")
    rr = subprocess.Popen([culex_binary(), "rr", "-p", str(broker.port), "-t", req, "-e", resp, "-m", "ping",
                           "-D", "publish", "correlation-data", "id-7", "-W", "10", "-v"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    rc, out, _ = finish(responder)
    assert out == f"{resp} id-7 ping\n"
    answer = run(["mosquitto_pub", "-p", str(broker.port), "-V", "5", "-t", resp, "-m", "pong",
                  "-D", "publish", "correlation-data", "id-7"], timeout=WAIT)
    assert answer.returncode == 0
    rc, out, err = finish(rr)
    assert (rc, out) == (0, f"{resp} pong\n"), err


def test_rr_times_out_like_mosquitto_rr(broker):
    args = ["-p", str(broker.port), "-t", unique("v5/nobody"), "-e", unique("v5/never"), "-m", "x", "-W", "1"]
    ours = run([culex_binary(), "rr", *args], timeout=WAIT)
    theirs = run(["mosquitto_rr", *args], timeout=WAIT)
    assert (ours.returncode, ours.stderr) == (theirs.returncode, theirs.stderr) == (27, "Timed out\n")


def test_refused_v5_like_mosquitto(tmp_path):
    b = start_mosquitto_closed(tmp_path)
    try:
        for tool, extra in (("pub", ["-m", "x"]), ("sub", []), ("rr", ["-e", "r", "-m", "x"])):
            args = ["-p", str(b.port), "-t", "a", "-V", "5", *extra]
            ours = run([culex_binary(), tool, *args], timeout=WAIT)
            theirs = run([f"mosquitto_{tool}", *args], timeout=WAIT)
            assert (ours.returncode, ours.stderr) == (theirs.returncode, theirs.stderr), tool
            assert ours.returncode == 135 and ours.stderr.startswith("Connection error: Not authorized\n")
    finally:
        b.stop()


def start_mosquitto_closed(directory):
    from brokers import Broker, write_config
    from conftest import free_port
    port = free_port()
    conf = write_config(directory, f"listener {port} 127.0.0.1\nallow_anonymous false\n")
    return Broker(["stdbuf", "-oL", "mosquitto", "-c", conf, "-v"], port_from_log=False, port=port)


def test_D_errors_like_mosquitto():
    cases = [
        ("pub", ["-t", "a", "-m", "x", "-D", "foo", "user-property", "a", "b"]),
        ("pub", ["-t", "a", "-m", "x", "-D", "connect", "content-type", "x"]),
        ("pub", ["-t", "a", "-m", "x", "-D", "publish", "subscription-identifier", "1"]),
        ("pub", ["-t", "a", "-m", "x", "-D", "publish", "message-expiry-interval", "-1"]),
        ("pub", ["-t", "a", "-m", "x", "-D", "publish", "user-property", "a"]),
        ("pub", ["-t", "a", "-m", "x", "-V", "5", "-x", "5", "-D", "connect", "session-expiry-interval", "5"]),
        ("pub", ["-t", "a", "-m", "x", "-D", "connect", "receive-maximum", "0"]),
        ("pub", ["-t", "a", "-m", "x", "-V", "5", "-x", "abc"]),
        ("pub", ["-t", "a", "-m", "x", "-V", "5", "-c"]),
        ("sub", ["-t", "a", "-D", "subscribe", "content-type", "1"]),
        ("sub", ["-t", "a", "-F", "%Z"]),
        ("sub", ["-t", "a", "-F", "%5"]),
        ("rr", ["-t", "a", "-m", "x"]),
        ("rr", ["-t", "a", "-e", "b/#", "-m", "x"]),
    ]
    for tool, args in cases:
        ours = run([culex_binary(), tool, *args], timeout=WAIT)
        theirs = run([f"mosquitto_{tool}", *args], timeout=WAIT)
        assert ours.returncode == theirs.returncode == 1, args
        assert ours.stderr == theirs.stderr.replace(f"mosquitto_{tool}", f"culex {tool}"), args


def test_default_options_files(broker, tmp_path):
    """culex_pub / culex_sub under $XDG_CONFIG_HOME come first; the command line wins."""
    topic = unique("v5/optfile")
    (tmp_path / "culex_sub").write_text(f"# defaults\n-p {broker.port}\n-V 5\n-F %P|%p\n")
    (tmp_path / "culex_pub").write_text(
        f"-p {broker.port}\n-V mqttv5\n-D publish user-property from file\n-m from-file\n")
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path))
    sub = subprocess.Popen([culex_binary(), "sub", "-i", "optsub", "-t", topic, "-C", "1"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    broker.log.wait_for("Sending SUBACK to optsub", timeout=WAIT)
    r = run([culex_binary(), "pub", "-t", topic], timeout=WAIT, env=env)
    assert r.returncode == 0, r.stderr
    rc, out, err = finish(sub)
    assert (rc, out) == (0, "from:file|from-file\n"), err
