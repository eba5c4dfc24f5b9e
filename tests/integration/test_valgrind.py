"""The Release broker under valgrind's memcheck for a short run of everyday traffic: no invalid read or write,
no use of an uninitialised value, and no leak (definitely or indirectly lost) when it exits on SIGTERM.

The rest of the suite runs the AddressSanitizer build; memcheck looks at the binary users run (no sanitizer
in it), including what ASan does not see: uninitialised reads. The run is small because memcheck is 20 to 50
times slower; every wait is still bounded.
"""
import shutil

import pytest

from brokers import Broker, write_config
from conftest import REPO
from mqtt_peers import V5Client, connected

RELEASE_BINARY = REPO / "build" / "culex"
SLOW = 60.0  # seconds: memcheck makes every step slow, and the machine may be busy


def test_a_short_run_under_memcheck_has_no_error_and_no_leak(tmp_path):
    if not RELEASE_BINARY.exists():
        pytest.fail("build/culex is missing: run `make build`")
    assert shutil.which("valgrind"), "valgrind is missing: scripts/install-deps.sh installs it"
    config = write_config(tmp_path, "listener 0 127.0.0.1\nallow_anonymous true\nthreads 2\n"
                          f"persistence true\npersistence_location {tmp_path}\n")
    args = ["valgrind", "--leak-check=full", "--errors-for-leak-kinds=definite,indirect",
            "--show-leak-kinds=definite,indirect", "--error-exitcode=99", "--num-callers=30",
            str(RELEASE_BINARY), "broker", "-c", config, "-v"]
    broker = Broker(args, ready_timeout=SLOW)
    try:
        broker.log.wait_for(r"culex version .* running", timeout=SLOW)
        sub = connected(broker.port, "vg-sub", clean_session=False)
        assert sub.subscribe("vg/#", 2) == (2,)
        pub = connected(broker.port, "vg-pub", will=("vg/will", b"gone", 1, False))
        for qos in (0, 1, 2):
            pub.publish(f"vg/q{qos}", f"message at QoS {qos}".encode(), qos)
        pub.publish("vg/retained", b"kept", 1, retain=True)
        got = sorted(sub.next_message(timeout=SLOW).topic for _ in range(4))
        assert got == ["vg/q0", "vg/q1", "vg/q2", "vg/retained"]

        v5 = V5Client(broker.port, "vg-v5", session_expiry=300)
        assert v5.subscribe("vg/retained", 1, subscription_id=7) == [1]
        assert v5.next_message().payload == b"kept"
        v5.close()

        pub.drop()  # its will goes out
        assert sub.next_message(timeout=SLOW).topic == "vg/will"
        sub.disconnect()
        offline = connected(broker.port, "vg-pub2")
        offline.publish("vg/queued", b"for the offline session", 1)  # stored for vg-sub
        offline.disconnect()
    finally:
        rc = broker.stop(timeout=SLOW)
    text = broker.log.text()
    assert rc == 0, "memcheck found errors or leaks, or the broker failed:\n" + text[-6000:]
    assert "Memcheck" in text and "ERROR SUMMARY: 0 errors" in text, text[-6000:]
