"""`culex lab`: the whole lab on two hosts (network namespaces 192.168.56.101 and .102), run non-interactively
with --report; the report must hold what each step teaches, the captures must be what Wireshark would read, and
no namespace may be left behind, whether the lab ends, fails or is interrupted.

Skipped, saying why, where network namespaces cannot be made (not root, or a container without CAP_SYS_ADMIN)."""
import os
import re
import shutil
import signal
import subprocess
import threading
from pathlib import Path

import pytest

from conftest import culex_binary

LAB_TIMEOUT = 600  # the whole lab, with RSA keys and the sanitizer build; it takes far less


def can_make_namespaces():
    if shutil.which("ip") is None:
        return False, "iproute2's ip is not installed"
    name = f"culex-lab-probe-{os.getpid()}"
    made = subprocess.run(["ip", "netns", "add", name], capture_output=True, text=True, timeout=30)
    if made.returncode != 0:
        return False, "cannot make a network namespace here (root with CAP_SYS_ADMIN is needed): " + made.stderr
    subprocess.run(["ip", "netns", "delete", name], capture_output=True, timeout=30)
    return True, ""


ALLOWED, WHY = can_make_namespaces()
needs_namespaces = pytest.mark.skipif(not ALLOWED, reason=WHY)


def lab_namespaces():
    return sorted(p.name for p in Path("/run/netns").glob("culex-lab-*")) if Path("/run/netns").exists() else []


def host_links():
    out = subprocess.run(["ip", "-o", "link", "show"], capture_output=True, text=True, timeout=30).stdout
    return sorted(line.split(":")[1].strip() for line in out.splitlines())


def section(report, name):
    """The Markdown of one step: from its heading to the next."""
    m = re.search(r"^## \d+\. .*\(`" + re.escape(name) + r"`\)\n(.*?)(?=^## |\Z)", report, re.S | re.M)
    assert m, f"no step {name} in the report"
    return m.group(1)


@pytest.fixture(scope="module")
def lab_report(tmp_path_factory):
    if not ALLOWED:
        pytest.skip(WHY)
    before, links = lab_namespaces(), host_links()
    report_dir = tmp_path_factory.mktemp("lab-report")
    result = subprocess.run([culex_binary(), "lab", "--report", str(report_dir)], stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, timeout=LAB_TIMEOUT)
    return {"result": result, "dir": report_dir, "before": before, "links": links,
            "report": (report_dir / "lab.md").read_text() if (report_dir / "lab.md").exists() else ""}


@needs_namespaces
class TestLabReport:
    def test_every_step_passes(self, lab_report):
        r = lab_report["result"]
        assert r.returncode == 0, r.stdout[-6000:] + r.stderr
        assert "Every step did what it should." in lab_report["report"]

    def test_no_namespace_is_left_behind(self, lab_report):
        names = re.findall(r"namespace (culex-lab-\d+-(?:broker|client))", lab_report["report"])
        assert len(names) == 2, lab_report["report"][:2000]
        for name in names:
            assert not Path("/run/netns", name).exists(), name
        assert lab_namespaces() == lab_report["before"]
        # Both veth ends were made in the namespaces, and went with them: this host's links are as they were.
        assert host_links() == lab_report["links"]

    def test_broker_log_names_the_client_host(self, lab_report):
        text = section(lab_report["report"], "pubsub")
        assert "client$ culex pub -h 192.168.56.101 -m hello -t world" in text
        assert re.search(r"New connection from 192\.168\.56\.102:\d+ on port 1883\.", text), text
        assert re.search(r"New client connected from 192\.168\.56\.102:\d+ as culexpub\|\S+ \(p2, c1, k60\)\.", text)
        assert "\nworld hello\n" in text
        network = section(lab_report["report"], "network")
        assert "192.168.56.101/24" in network and "192.168.56.102/24" in network

    def test_plain_capture_shows_handshake_topic_and_fin(self, lab_report):
        text = section(lab_report["report"], "sniff")
        assert re.search(r"192\.168\.56\.102:\d+ -> 192\.168\.56\.101:1883 TCP \[SYN\] len=0", text), text
        assert re.search(r"192\.168\.56\.101:1883 -> 192\.168\.56\.102:\d+ TCP \[SYN, ACK\] len=0", text)
        assert re.search(r"TCP \[FIN, ACK\]", text)
        assert "CONNECT MQTT 3.1.1" in text
        assert "PUBLISH 'cheese/strudel'" in text and "apple and cinnamon" in text
        assert "VERDICT readable" in text
        # -T fields -e mqtt.topic, as the lab's tshark.
        assert re.search(r"broker\$ culex sniff -r plain.pcap -T fields -e mqtt.topic\n(.*\n)*?cheese/strudel\n", text)
        pcap = lab_report["dir"] / "captures" / "plain.pcap"
        assert b"cheese/strudel" in pcap.read_bytes()

    @pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark is not installed")
    def test_tshark_reads_the_plain_capture(self, lab_report):
        pcap = str(lab_report["dir"] / "captures" / "plain.pcap")
        topics = subprocess.run(["tshark", "-r", pcap, "-Y", "mqtt", "-T", "fields", "-e", "mqtt.topic"],
                                capture_output=True, text=True, timeout=120)
        assert topics.returncode == 0, topics.stderr
        assert "cheese/strudel" in topics.stdout.split()
        syn = subprocess.run(["tshark", "-r", pcap, "-Y", "tcp.flags.syn == 1 && tcp.flags.ack == 0"],
                             capture_output=True, text=True, timeout=120)
        assert len(syn.stdout.strip().splitlines()) == 1, syn.stdout

    def test_lab_certificates_fail_and_doctor_names_three_faults(self, lab_report):
        wrong = section(lab_report["report"], "tls-wrong")
        assert "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt " \
               "-days 100" in wrong
        assert "unknown ca" in wrong
        if shutil.which("mosquitto_pub") and shutil.which("mosquitto"):
            # mosquitto_pub 2.0's words: "Unable to connect (A TLS error occurred.)." when the handshake fails
            # within its connect call, "Error: A TLS error occurred." when it fails later in its loop (a
            # loaded machine: the broker's answer comes after connect returned).
            assert re.search(r"(Unable to connect \(|Error: )A TLS error occurred\.", wrong), wrong
        doctor = section(lab_report["report"], "doctor")
        for code in ("subject-equals-issuer", "version-1", "missing-san"):
            assert f"FAULT [{code}]" in doctor, doctor
        assert "fix: " in doctor
        certs = lab_report["dir"] / "certificates" / "lab"
        assert (certs / "ca.crt").exists() and (certs / "server.crt").exists()
        assert not list(lab_report["dir"].rglob("*.key")), "a private key was copied into the report"

    def test_mutual_tls_works_and_hides_the_topic(self, lab_report):
        text = section(lab_report["report"], "tls-right")
        assert "\ncheese/strudel apple and cinnamon\n" in text
        assert re.search(r"New client connected from 192\.168\.56\.102:\d+ as culexpub", text)
        assert "VERDICT encrypted" in text and "VERDICT readable" not in text
        assert re.search(r"broker\$ culex sniff -r tls.pcap -T fields -e mqtt.topic\n", text)
        pcap = (lab_report["dir"] / "captures" / "tls.pcap").read_bytes()
        assert len(pcap) > 1000
        assert b"cheese/strudel" not in pcap and b"apple and cinnamon" not in pcap
        if shutil.which("tshark"):
            mqtt = subprocess.run(["tshark", "-r", str(lab_report["dir"] / "captures" / "tls.pcap"), "-Y", "mqtt"],
                                  capture_output=True, text=True, timeout=120)
            assert mqtt.stdout.strip() == ""

    def test_login_crosses_in_clear(self, lab_report):
        text = section(lab_report["report"], "login")
        assert "FINDING credentials in clear" in text
        assert "username 'student'" in text


def run_lab(*args, **kwargs):
    return subprocess.run([culex_binary(), "lab", *args], stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=LAB_TIMEOUT, **kwargs)


@needs_namespaces
def test_interrupted_lab_removes_its_namespaces():
    before = lab_namespaces()
    lab = subprocess.Popen([culex_binary(), "lab"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    seen = threading.Event()
    lines = []

    def read():
        for line in lab.stdout:
            lines.append(line)
            if "=== 3." in line:  # the capture step has begun: a broker and a capture are running
                seen.set()
        seen.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert seen.wait(LAB_TIMEOUT), "the lab did not reach step 3"
        assert lab.poll() is None, "".join(lines)
        inside = lab_namespaces()
        assert len(inside) == len(before) + 2
        lab.send_signal(signal.SIGINT)
        assert lab.wait(timeout=60) == 130, "".join(lines) + lab.stderr.read()
    finally:
        if lab.poll() is None:
            lab.kill()
            lab.wait()
    reader.join(timeout=10)
    assert lab_namespaces() == before
    assert any("interrupted" in line for line in lines)


@needs_namespaces
def test_failing_step_is_reported_and_cleaned_up(tmp_path):
    # A PATH where only ip is found: the lab's openssl command cannot run, so tls-wrong fails on its first command.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "ip").symlink_to(shutil.which("ip"))
    before = lab_namespaces()
    report = tmp_path / "report"
    r = run_lab("--only", "tls-wrong", "--report", str(report), env={**os.environ, "PATH": str(bin_dir)})
    assert r.returncode == 1, r.stdout + r.stderr
    text = (report / "lab.md").read_text()
    assert "**The lab stopped here:** step tls-wrong failed: `openssl req -x509" in text, text
    assert 'exec of "openssl" failed' in text
    assert lab_namespaces() == before


@needs_namespaces
def test_keep_leaves_the_namespaces_and_says_how_to_enter_them():
    before = lab_namespaces()
    r = run_lab("--only", "network", "--keep")
    kept = sorted(set(lab_namespaces()) - set(before))
    try:
        assert r.returncode == 0, r.stdout + r.stderr
        assert len(kept) == 2, kept
        for name in kept:
            assert f"ip netns exec {name} bash" in r.stdout
        # The next run leaves kept namespaces alone.
        again = run_lab("--only", "network")
        assert again.returncode == 0, again.stdout + again.stderr
        assert set(kept) <= set(lab_namespaces())
    finally:
        for name in kept:
            subprocess.run(["ip", "netns", "delete", name], capture_output=True, timeout=30)
        work = re.search(r"rm -r (\S+) (\S+)", r.stdout)
        if work:
            shutil.rmtree(work.group(1), ignore_errors=True)
            Path(work.group(2)).unlink(missing_ok=True)
    assert lab_namespaces() == before


@needs_namespaces
def test_only_runs_one_step():
    r = run_lab("--only", "doctor")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "=== 5. What was wrong, and the fix (doctor) ===" in r.stdout
    assert "=== 2." not in r.stdout and "=== 6." not in r.stdout
    assert "FAULT [version-1]" in r.stdout


@needs_namespaces
def test_step_pauses_before_each_step_until_enter():
    r = subprocess.run([culex_binary(), "lab", "--only", "network", "--step"], input="\n", capture_output=True,
                       text=True, timeout=LAB_TIMEOUT)
    assert r.returncode == 0, r.stdout + r.stderr
    prompt = r.stdout.index("[--step] Press Enter for step 1 (network), Ctrl-C to stop")
    assert prompt < r.stdout.index("=== 1. Two hosts on one link (network) ===")


def test_unknown_step_is_refused_naming_the_steps():
    r = run_lab("--only", "wireshark")
    assert r.returncode == 2
    assert 'no step called "wireshark"' in r.stderr
    assert "network, pubsub, sniff, tls-wrong, doctor, tls-right, login" in r.stderr


@pytest.mark.skipif(shutil.which("setpriv") is None, reason="util-linux's setpriv is not installed")
def test_without_privileges_it_says_which_and_does_nothing():
    before = lab_namespaces()
    # Root without the three capabilities (dropped from the bounding set before exec).
    r = subprocess.run(["setpriv", "--bounding-set=-sys_admin,-net_admin,-net_raw", "--inh-caps=-all",
                        culex_binary(), "lab"], stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    if r.returncode != 2 and "setpriv" in r.stderr:
        pytest.skip("setpriv cannot drop capabilities here: " + r.stderr)
    assert r.returncode == 2, r.stdout + r.stderr
    assert "CAP_SYS_ADMIN, CAP_NET_ADMIN, CAP_NET_RAW" in r.stderr
    assert "sudo culex lab" in r.stderr
    assert r.stdout == ""
    assert lab_namespaces() == before
