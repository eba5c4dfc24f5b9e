"""The TLS cells of bench/peers/compare.py (issue 18: "over TLS too"): the same p2p and fan-out runs as the
plain cells, each broker with a TLS 1.3 listener instead of a plain one, and culex bench connecting with
`--cafile`. One CA and one server certificate (localhost, 127.0.0.1) are made per compare run by `culex pki`,
the first time a TLS broker starts; every broker serves that certificate, so the handshakes are alike.

Broker variants are named NAME-tls (culex-tls, mosquitto-tls, nats-tls): compare.py's BrokerProcess asks
`command()` here for their command line, and their rows go to a table of their own (`lines()`). aedes is left
out: aedes-server.js listens on plain TCP only, and a TLS server for it is a program of its own to write.
"""
import atexit
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

BROKERS = ["culex-tls", "mosquitto-tls", "nats-tls"]
# The certificates are made on first use (compare runs without TLS cells make none); the directory goes when
# compare.py exits.
PKI = Path(tempfile.mkdtemp(prefix="culex-compare-pki-"))
atexit.register(shutil.rmtree, PKI, ignore_errors=True)
CA, CERT, KEY = PKI / "ca.crt", PKI / "localhost.crt", PKI / "localhost.key"
# What culex bench adds to a plain cell's arguments: the CA above, TLS 1.3 only, and one cipher for every
# broker. No client certificate: the figure is the cost of encrypted traffic, not of one more verification per
# connection. The cipher: OpenSSL servers (culex, Mosquitto) take the client's first choice, which OpenSSL's
# default order makes AES-256-GCM, while Go's TLS (NATS) always picks AES-128-GCM; offering AES-128-GCM alone
# puts all three on the same cipher (before 2026-12-06 21:00 culex and Mosquitto ran AES-256 against NATS's
# AES-128).
BENCH_TLS = ["--cafile", str(CA), "--tls-version", "tlsv1.3", "--ciphersuites", "TLS_AES_128_GCM_SHA256"]


def is_tls(name):
    return name.endswith("-tls")


def make_pki(culex):
    """culex pki's CA and server certificate for localhost (DNS:localhost, IP:127.0.0.1, IP:::1); keys 0600."""
    if CERT.exists():
        return
    for args in (["init", "--cn", "culex compare CA"], ["server", "--name", "localhost"]):
        out = subprocess.run([culex, "pki", "--dir", str(PKI), *args], capture_output=True, text=True, timeout=60)
        if out.returncode != 0:
            raise RuntimeError(f"culex pki {args[0]} failed: {out.stderr.strip() or out.stdout.strip()}")
    KEY.chmod(0o600)


def command(name, port, directory, threads, culex):
    """The command line of broker `name` (culex, mosquitto or nats) with one TLS 1.3 listener on `port`."""
    make_pki(culex)
    conf = Path(directory) / "broker.conf"
    # culex and Mosquitto read the same listener options.
    listener = (f"listener {port} 127.0.0.1\ncafile {CA}\ncertfile {CERT}\nkeyfile {KEY}\n"
                f"tls_version tlsv1.3\nallow_anonymous true\n")
    if name == "culex":
        conf.write_text(f"{listener}threads {threads}\n")
        return [culex, "broker", "-c", str(conf)]
    if name == "mosquitto":
        # As root, mosquitto would drop to user mosquitto, which cannot read the key (0600, ours).
        user = "user root\n" if os.geteuid() == 0 else ""
        conf.write_text(listener + user)
        return [shutil.which("mosquitto") or "/usr/sbin/mosquitto", "-c", str(conf)]
    if name == "nats":
        # Go's TLS picks TLS 1.3 with a TLS 1.3 client (culex bench asks for nothing older). timeout: the
        # handshake's, 0.5 s by default, too short for 17 connections opened at once to a broker on one core
        # of a busy machine.
        conf.write_text(
            f"listen: 127.0.0.1:{free_port()}\nserver_name: culex_compare\n"
            f"jetstream {{ store_dir: \"{directory}/js\" }}\n"
            f"mqtt {{\n  listen: 127.0.0.1:{port}\n"
            f"  tls {{ cert_file: \"{CERT}\", key_file: \"{KEY}\", ca_file: \"{CA}\", timeout: 5 }}\n}}\n")
        return ["nats-server", "-c", str(conf)]
    raise ValueError(f"no TLS listener for {name}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def matrix(seconds, cell_class, per_cpu):
    """p2p and fan-out at QoS 0 over TLS 1.3, the figure per broker CPU-second (issue 18's goal: 2x)."""
    d = ["-d", str(seconds)]
    cells = [
        cell_class("p2p-q0-tls", "p2p 8 pairs, QoS 0, 64 B, TLS 1.3: deliveries per broker CPU-second",
                   ["p2p", "-c", "8", "-q", "0"] + d + BENCH_TLS, per_cpu, "msg/cpu-s", goal=">= 2x best peer",
                   brokers=BROKERS),
        cell_class("fanout-q0-tls", "fanout 1 -> 16, QoS 0, TLS 1.3: deliveries per broker CPU-second",
                   ["fanout", "-c", "16", "-q", "0"] + d + BENCH_TLS, per_cpu, "msg/cpu-s",
                   goal=">= 2x best peer", brokers=BROKERS),
    ]
    for c in cells:
        c.tls = True
    return cells


def split(rows):
    """compare.py's rows (cell, medians, ratio, best) -> (the rows of the main table, the TLS rows)."""
    tls = [row for row in rows if getattr(row[0], "tls", False)]
    return [row for row in rows if row not in tls], [(cell, medians) for cell, medians, _, _ in tls]


# What each broker logs when compare.py's port probe (a TCP connect, then close) meets its TLS listener: not
# a finding about the run.
PROBE_NOISE = ("unexpected eof while reading", "TLS handshake error: EOF", "did not finish the TLS handshake",
               "the client closed the connection during the handshake without an alert")


def lines(rows, ratio, fmt, wanted, log_notes):
    """The TLS table: the brokers of `wanted` with a TLS listener, culex over the best peer. Drops the port
    probe's handshake failures from `log_notes`, compare.py's (broker, line) list."""
    log_notes[:] = [(b, line) for b, line in log_notes if not (is_tls(b) and any(n in line for n in PROBE_NOISE))]
    names = [f"{b}-tls" for b in wanted if f"{b}-tls" in BROKERS]
    if not rows or not names:
        return []
    out = ["", "### Over TLS 1.3 (issue 18)", "",
           "The same runs as the plain cells, each broker with one TLS listener (`tls_version tlsv1.3`; NATS: "
           "`mqtt { tls { ... } }`) serving a certificate made by `culex pki` for this run, culex bench "
           f"connecting with `{' '.join(BENCH_TLS[:1])} ca.crt {' '.join(BENCH_TLS[2:])}` (no client "
           "certificate). Pinned as above. aedes has no TLS listener here.", "",
           "| cell | unit | " + " | ".join(names) + " | culex vs best peer | goal |",
           "|---|---|" + "---|" * len(names) + "---|---|"]
    for cell, medians in rows:
        r, best = ratio(cell, medians, "culex-tls")
        out.append(f"| {cell.title} | {cell.unit} | " + " | ".join(fmt(medians.get(b), cell.unit) for b in names)
                   + f" | {f'{r:.2f}x ({best})' if r else '-'} | {cell.goal} |")
    return out
