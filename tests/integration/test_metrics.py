"""The HTTP listener (`protocol http`): GET /metrics parsed by python3-prometheus-client's text parser, counters
that match the traffic sent, HTTP Basic against the password file (401 without, 200 with), and requests that
break the rules refused while MQTT goes on; each event loop's lag histogram and CPU time; the HTTPS
certificate reloaded on SIGHUP."""
import base64
import math
import shutil
import signal
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from brokers import start_culex
from conftest import culex_binary
from mqtt_peers import WAIT, connected

HTTP_LISTENER = "listener 0 127.0.0.1\nprotocol http\n"


def http_port(broker):
    return int(broker.log.wait_for(r"Opening http listen socket on port (\d+)\.").group(1))


def get(port, path="/metrics", credentials=None):
    """(status, headers, body text); HTTP errors are answers too."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    if credentials:
        token = base64.b64encode(f"{credentials[0]}:{credentials[1]}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=WAIT) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def samples(text):
    """{(sample name, frozenset of labels): value} from the exposition text, through a real Prometheus parser."""
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, frozenset(s.labels.items()))] = s.value
    return out


def total(metrics, name, **labels):
    """The sum of `name`'s samples whose labels include `labels`."""
    want = set(labels.items())
    return sum(v for (n, ls), v in metrics.items() if n == name and want <= set(ls))


def test_metrics_match_traffic(tmp_path):
    with start_culex(tmp_path, "sys_interval 0\n" + HTTP_LISTENER) as broker:
        port = http_port(broker)
        sub = connected(broker.port, "m-sub")
        sub.subscribe("m/#", 2)
        pub = connected(broker.port, "m-pub")
        for i in range(3):
            pub.publish("m/one", b"1234567", 1)
        pub.publish("m/two", b"abc", 0)
        pub.publish("m/kept", b"retained!", 0, retain=True)
        for _ in range(5):
            sub.next_message()
        status, headers, body = get(port)
        assert status == 200
        assert headers["Content-Type"].startswith("text/plain; version=0.0.4")
        m = samples(body)
        assert total(m, "culex_publish_received_total", qos="1") == 3
        assert total(m, "culex_publish_received_total", qos="0") == 2
        assert total(m, "culex_publish_received_total") == 5
        assert total(m, "culex_publish_sent_total", qos="1") == 3
        assert total(m, "culex_publish_sent_total") == 5
        assert total(m, "culex_publish_bytes_received_total") == 3 * 7 + 3 + 9
        assert total(m, "culex_publish_bytes_sent_total") == 3 * 7 + 3 + 9
        assert total(m, "culex_clients_connected") == 2
        assert total(m, "culex_logins_total") == 2
        assert total(m, "culex_subscriptions") == 1
        assert total(m, "culex_retained_messages") == 1
        assert total(m, "culex_retained_bytes") == 9
        assert total(m, "culex_publish_dropped_total") == 0
        assert total(m, "culex_sessions") == 2
        # CONNECT, SUBSCRIBE, 5 PUBLISHes at least (PINGREQs may add), and the bytes they took.
        assert total(m, "culex_packets_received_total") >= 7
        assert total(m, "culex_bytes_received_total") > 3 * 7 + 3 + 9
        assert total(m, "culex_heap_bytes") > 0
        # Traffic is labelled by listener: the MQTT one, never the HTTP one.
        listeners = {dict(ls).get("listener") for (n, ls), _ in m.items() if n == "culex_bytes_sent_total"}
        assert listeners == {f"0 127.0.0.1"}
        # A denied PUBLISH is counted as a drop, by cause.
        pub.publish("$SYS/forged", b"x", 1)
        m = samples(get(port)[2])
        assert total(m, "culex_publish_dropped_total", cause="denied") == 1
        # `listener 0 127.0.0.1` is loopback: no warning that anyone may read it.
        assert "serves /metrics to anyone" not in broker.log.text()
        pub.disconnect()
        sub.disconnect()


@pytest.fixture
def protected(tmp_path):
    """MQTT open to anyone; the HTTP listener asks for a user of the password file."""
    passwords = tmp_path / "passwd"
    made = subprocess.run([culex_binary(), "passwd", "-c", "-b", str(passwords), "prom", "scrape-pw"],
                          capture_output=True, text=True, timeout=WAIT)
    assert made.returncode == 0, made.stderr
    config = (f"per_listener_settings true\nallow_anonymous true\nsys_interval 0\n"
              f"listener 0 127.0.0.1\nprotocol http\nallow_anonymous false\npassword_file {passwords}\n")
    with start_culex(tmp_path, config, anonymous=False,
                     listener="per_listener_settings true\nlistener 0 127.0.0.1\nallow_anonymous true") as broker:
        yield broker


def test_credentials_required(protected):
    port = http_port(protected)
    status, headers, body = get(port)
    assert status == 401
    assert headers["WWW-Authenticate"].startswith("Basic realm=")
    assert headers["Content-Type"].startswith("text/plain")  # a scraper's answer; the API's is JSON
    assert "password file" in body
    assert get(port, credentials=("prom", "wrong"))[0] == 401
    assert get(port, credentials=("nobody", "scrape-pw"))[0] == 401
    status, _, body = get(port, credentials=("prom", "scrape-pw"))
    assert status == 200
    assert "culex_clients_connected" in body
    # MQTT on the other listener is untouched by the HTTP listener's rules.
    c = connected(protected.port, "anyone")
    c.disconnect()


def raw_request(port, data, read=True):
    """Sends `data` on a new connection; the status code of the answer, or None if the connection was reset."""
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as s:
        try:
            s.sendall(data)
            answer = b""
            while read and b"\r\n" not in answer:
                chunk = s.recv(4096)
                if not chunk:
                    break
                answer += chunk
        except (ConnectionResetError, BrokenPipeError):
            return None
        return int(answer.split(b" ")[1]) if answer.startswith(b"HTTP/1.1 ") else answer


def test_bad_requests_refused_and_mqtt_goes_on(tmp_path):
    with start_culex(tmp_path, "sys_interval 0\n" + HTTP_LISTENER) as broker:
        port = http_port(broker)
        sub = connected(broker.port, "still-here")
        sub.subscribe("alive", 0)
        # A client that opens connections and sends half a request holds nothing the broker needs.
        idle = [socket.create_connection(("127.0.0.1", port), timeout=WAIT) for _ in range(10)]
        for s in idle:
            s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
        assert raw_request(port, b"NONSENSE\r\n\r\n") == 400
        assert raw_request(port, b"GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello") == 413
        huge = b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Filler: " + b"a" * 20000 + b"\r\n\r\n"
        assert raw_request(port, huge) in (431, None)  # refused; the unread rest may reset the connection
        assert get(port, "/nothing")[0] == 404
        request = urllib.request.Request(f"http://127.0.0.1:{port}/metrics", data=b"", method="DELETE")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=WAIT)
        assert refused.value.code in (405, 413)
        # Keep-alive: several requests on one connection, each answered.
        with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as s:
            s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n" * 3)
            answers = b""
            while answers.count(b"HTTP/1.1 200 OK") < 3:
                chunk = s.recv(65536)
                assert chunk, "the connection closed before three answers"
                answers += chunk
        p = connected(broker.port, "publisher")
        p.publish("alive", b"yes", 0)
        assert sub.next_message().payload == b"yes"
        assert get(port)[0] == 200
        for s in idle:
            s.close()


def test_https_with_the_listeners_tls_options(tmp_path):
    from tls_fixtures import make_pki
    import ssl
    lab, _ = make_pki(tmp_path / "certs")
    config = ("sys_interval 0\nlistener 0 127.0.0.1\nprotocol http\n"
              f"certfile {lab / 'localhost.crt'}\nkeyfile {lab / 'localhost.key'}\n")
    with start_culex(tmp_path, config) as broker:
        port = int(broker.log.wait_for(r"Opening https listen socket on port (\d+)\.").group(1))
        context = ssl.create_default_context(cafile=str(lab / "ca.crt"))
        with urllib.request.urlopen(f"https://localhost:{port}/metrics", context=context, timeout=WAIT) as r:
            assert r.status == 200
            assert "culex_clients_connected" in r.read().decode()
        # Plain HTTP on the HTTPS port gets no metrics.
        assert raw_request(port, b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n") in (None, b"")


def loop_histograms(body):
    """{loop label: {"buckets": [(le, cumulative count)], "count", "sum"}} of culex_loop_scheduling_lag_seconds,
    through the Prometheus parser; fails on a sample seen twice."""
    out = {}
    seen = set()
    for family in text_string_to_metric_families(body):
        if family.name != "culex_loop_scheduling_lag_seconds":
            continue
        assert family.type == "histogram"
        for s in family.samples:
            key = (s.name, frozenset(s.labels.items()))
            assert key not in seen, f"{key} twice"
            seen.add(key)
            entry = out.setdefault(s.labels["loop"], {"buckets": [], "count": None, "sum": None})
            if s.name.endswith("_bucket"):
                entry["buckets"].append((float(s.labels["le"]), s.value))
            elif s.name.endswith("_count"):
                entry["count"] = s.value
            elif s.name.endswith("_sum"):
                entry["sum"] = s.value
    return out


def test_each_loops_lag_histogram_and_cpu_time(tmp_path):
    with start_culex(tmp_path, "sys_interval 0\nthreads 2\n" + HTTP_LISTENER) as broker:
        port = http_port(broker)
        first = loop_histograms(get(port)[2])
        assert set(first) == {"0", "1"}, "one series per loop"
        for loop, h in first.items():
            bounds = [le for le, _ in h["buckets"]]
            counts = [count for _, count in h["buckets"]]
            assert bounds == sorted(bounds) and len(set(bounds)) == len(bounds), (loop, bounds)
            assert bounds[-1] == math.inf
            assert counts == sorted(counts), f"loop {loop}: buckets not cumulative: {counts}"
            assert counts[-1] == h["count"], f"loop {loop}: +Inf {counts[-1]} != count {h['count']}"
            assert h["sum"] >= 0
        # Each loop measures itself every 100 ms: its count grows with time (polled, bounded by WAIT).
        deadline = time.monotonic() + WAIT
        while True:
            later = loop_histograms(get(port)[2])
            if all(later[loop]["count"] > first[loop]["count"] for loop in first):
                break
            if time.monotonic() > deadline:
                raise AssertionError(f"a loop's lag count did not grow within {WAIT} s: {first} then {later}")
            time.sleep(0.05)  # a poll interval with a bound above, not a synchronisation
        for h in later.values():
            assert h["buckets"][-1][1] == h["count"]
        # CPU time: one counter per loop, each loop's own thread, never going back.
        before = samples(get(port)[2])
        sub = connected(broker.port, "cpu-sub")
        sub.subscribe("cpu/#", 0)
        pub = connected(broker.port, "cpu-pub")
        for i in range(50):
            pub.publish("cpu/x", b"x" * 100, 0)
        for _ in range(50):
            sub.next_message()
        after = samples(get(port)[2])
        cpu_loops = {dict(ls)["loop"] for (n, ls), _ in after.items() if n == "culex_loop_cpu_seconds_total"}
        assert cpu_loops == {"0", "1"}
        for loop in cpu_loops:
            assert total(after, "culex_loop_cpu_seconds_total", loop=loop) >= \
                total(before, "culex_loop_cpu_seconds_total", loop=loop)
        assert total(after, "culex_loop_cpu_seconds_total") > 0
        pub.disconnect()
        sub.disconnect()


def certificate_serial(data, form):
    """The serial of a certificate (PEM or DER bytes), as openssl prints it."""
    result = subprocess.run(["openssl", "x509", "-inform", form, "-noout", "-serial"], input=data,
                            capture_output=True, timeout=WAIT)
    assert result.returncode == 0, result.stderr
    return result.stdout.decode().strip()


def served_serial(port):
    """The serial of the certificate a new HTTPS connection to `port` is shown (not verified: only read)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as tls:
            return certificate_serial(tls.getpeercert(binary_form=True), "DER")


def test_sighup_reloads_the_https_certificate(tmp_path):
    from tls_fixtures import make_pki
    first, _ = make_pki(tmp_path / "first")
    second, _ = make_pki(tmp_path / "second")
    cert, key = tmp_path / "http.crt", tmp_path / "http.key"
    shutil.copyfile(first / "localhost.crt", cert)
    shutil.copyfile(first / "localhost.key", key)
    old = certificate_serial((first / "localhost.crt").read_bytes(), "PEM")
    new = certificate_serial((second / "localhost.crt").read_bytes(), "PEM")
    assert old != new
    config = f"sys_interval 0\nlistener 0 127.0.0.1\nprotocol http\ncertfile {cert}\nkeyfile {key}\n"
    with start_culex(tmp_path, config) as broker:
        port = int(broker.log.wait_for(r"Opening https listen socket on port (\d+)\.").group(1))
        assert served_serial(port) == old
        shutil.copyfile(second / "localhost.crt", cert)
        shutil.copyfile(second / "localhost.key", key)
        start = len(broker.log.lines)
        broker.proc.send_signal(signal.SIGHUP)
        broker.log.wait_for(r"Reloading config\.", start=start)
        # The new context is in place once the reload has run its course: new connections until then may
        # still see the old one (polled, bounded by WAIT).
        deadline = time.monotonic() + WAIT
        while (seen := served_serial(port)) != new:
            if time.monotonic() > deadline:
                raise AssertionError(f"still serving serial {seen} {WAIT} s after SIGHUP; wanted {new}")
            time.sleep(0.05)  # a poll interval with a bound above, not a synchronisation
        assert "Error reloading TLS" not in broker.log.text()
        # Verified against the second CA, /metrics is served under the new certificate.
        context = ssl.create_default_context(cafile=str(second / "ca.crt"))
        with urllib.request.urlopen(f"https://localhost:{port}/metrics", context=context, timeout=WAIT) as r:
            assert r.status == 200


def bridge_metrics(port):
    """{family: {labels...: value}} of the culex_bridge_* samples, labels as a sorted tuple."""
    status, _, body = get(port)
    assert status == 200
    return {key: value for key, value in samples(body).items() if key[0].startswith("culex_bridge_")}


def wait_for_metrics(port, check, what):
    """/metrics until `check(samples)` holds: the bridge's figures move on its loop, the request reads them on
    the HTTP thread a moment later. Bounded by WAIT."""
    deadline = time.monotonic() + WAIT
    while True:
        m = bridge_metrics(port)
        if check(m):
            return m
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not seen in /metrics within {WAIT} s; last: {m}")
        time.sleep(0.05)  # a poll interval with a bound above, not a synchronisation


def test_bridge_figures_move_with_traffic_and_an_outage(tmp_path):
    from conftest import free_port
    remote_port = free_port()
    remote_listener = f"listener {remote_port} 127.0.0.1"
    (tmp_path / "remote").mkdir()
    (tmp_path / "local").mkdir()
    remote = start_culex(tmp_path / "remote", listener=remote_listener)
    bridge = (f"connection to-centre\naddress 127.0.0.1:{remote_port}\nremote_clientid site9\n"
              "restart_timeout 1\ntopic up/# out 1\ntopic down/# in 1\n")
    local = start_culex(tmp_path / "local", "sys_interval 0\n" + HTTP_LISTENER + bridge)
    try:
        port = http_port(local)
        local.log.wait_for(rf"Bridge to-centre connected to 127\.0\.0\.1:{remote_port} as site9\.")
        remote.log.wait_for(r"Sending SUBACK to site9")

        def bridge_total(m, name, **labels):
            return total(m, name, bridge="to-centre", **labels)

        m = wait_for_metrics(port, lambda m: bridge_total(m, "culex_bridge_up") == 1, "bridge up")
        assert bridge_total(m, "culex_bridge_state", state="connected") == 1
        assert bridge_total(m, "culex_bridge_state", state="disconnected") == 0
        assert bridge_total(m, "culex_bridge_forwarded_total") == 0
        assert bridge_total(m, "culex_bridge_reconnects_total") == 0
        assert bridge_total(m, "culex_bridge_queued_messages") == 0

        # Out: 3 QoS 1 messages reach the remote; in: 2 come back from it.
        far = connected(remote_port, "far-sub")
        far.subscribe("up/#", 1)
        near = connected(local.port, "near-sub")
        near.subscribe("down/#", 1)
        pub = connected(local.port, "near-pub")
        for i in range(3):
            pub.publish(f"up/{i}", b"x", 1)
        for _ in range(3):
            far.next_message()
        far_pub = connected(remote_port, "far-pub")
        for i in range(2):
            far_pub.publish(f"down/{i}", b"y", 1)
        for _ in range(2):
            near.next_message()
        m = wait_for_metrics(port, lambda m: bridge_total(m, "culex_bridge_forwarded_total", direction="out") == 3
                             and bridge_total(m, "culex_bridge_forwarded_total", direction="in") == 2,
                             "3 out, 2 in")
        for c in (far, far_pub):
            c.disconnect()

        # Outage: the bridge is down, what is published for the remote waits (queued), and the reconnect counts.
        remote.stop()
        local.log.wait_for(r"Bridge to-centre disconnected from 127\.0\.0\.1:\d+")
        for i in range(4):
            pub.publish(f"up/late/{i}", b"z", 1)
        m = wait_for_metrics(port, lambda m: bridge_total(m, "culex_bridge_queued_messages") == 4,
                             "4 queued while the remote is down")
        assert bridge_total(m, "culex_bridge_up") == 0
        assert bridge_total(m, "culex_bridge_state", state="connected") == 0
        start = len(local.log.lines)
        remote = start_culex(tmp_path / "remote", listener=remote_listener)
        local.log.wait_for(rf"Bridge to-centre connected to 127\.0\.0\.1:{remote_port} as site9\.", start=start)
        m = wait_for_metrics(port, lambda m: bridge_total(m, "culex_bridge_reconnects_total") == 1
                             and bridge_total(m, "culex_bridge_queued_messages") == 0
                             and bridge_total(m, "culex_bridge_forwarded_total", direction="out") == 7,
                             "reconnected, the 4 delivered")
        assert bridge_total(m, "culex_bridge_up") == 1
        pub.disconnect()
        near.disconnect()
    finally:
        local.stop()
        remote.stop()


def test_no_bridge_no_bridge_families(tmp_path):
    with start_culex(tmp_path, "sys_interval 0\n" + HTTP_LISTENER) as broker:
        assert "culex_bridge_" not in get(http_port(broker))[2]
