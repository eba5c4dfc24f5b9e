#!/usr/bin/python3
"""culex sniff against tshark on the same capture file: time, peak memory, and PUBLISH count.

Writes a capture of N QoS 1 publishes (qos1_capture.py), then runs the issue's two commands on it:
    tshark -r FILE -Y mqtt -T fields -e mqtt.topic
    culex sniff -r FILE -T fields -e topic
each `--runs` times (best wall time kept), measures peak RSS, prints the ratios, and checks that both find
the same number of PUBLISH packets (with -Y mqtt.msgtype==3 and -e type respectively). Exits 1 when the counts
differ. Bounded: N is capped and every command has a timeout.

Use a Release build of culex (a sanitizer build measures the instrumentation):
    bench/sniff/compare_tshark.py --culex build/culex --publishes 120000
"""
import argparse
import os
import selectors
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import qos1_capture  # noqa: E402

MAX_PUBLISHES = 2_000_000


def run_timed(args, timeout):
    """Wall seconds, peak RSS in MB and stdout of one run of `args`; exits when it fails or times out."""
    start = time.monotonic()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    chunks = []
    deadline = start + timeout
    # Read stdout to the end (it can be large), then reap with wait4 for this child's own peak RSS.
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            proc.kill()
            proc.wait()
            sys.exit(f"{args[0]} took longer than {timeout}s: give fewer --publishes or a larger --timeout")
        if not sel.select(timeout=left):
            continue
        data = os.read(proc.stdout.fileno(), 1 << 20)
        if not data:
            break
        chunks.append(data)
    sel.close()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.monotonic() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(args)} failed with exit code {proc.returncode}")
    return elapsed, usage.ru_maxrss / 1024.0, b"".join(chunks)


def best_of(args, runs, timeout):
    results = [run_timed(args, timeout) for _ in range(runs)]
    best = min(results, key=lambda r: r[0])
    return best[0], max(r[1] for r in results), best[2]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    repo = Path(__file__).resolve().parents[2]
    parser.add_argument("--culex", default=str(repo / "build" / "culex"), help="culex binary (Release build)")
    parser.add_argument("--tshark", default="tshark")
    parser.add_argument("--publishes", type=int, default=120_000,
                        help="QoS 1 publishes in the capture (each with its PUBACK: about 2 frames each)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--payload", type=int, default=60, help="payload bytes per PUBLISH")
    parser.add_argument("--runs", type=int, default=3, help="runs of each tool; the best time is kept")
    parser.add_argument("--timeout", type=float, default=300, help="seconds allowed per run")
    parser.add_argument("--keep", help="write the capture here and keep it")
    args = parser.parse_args()
    if not 1 <= args.publishes <= MAX_PUBLISHES:
        sys.exit(f"--publishes must be between 1 and {MAX_PUBLISHES}")
    if not Path(args.culex).exists():
        sys.exit(f"no culex binary at {args.culex}: run `make build` or give --culex")

    with tempfile.TemporaryDirectory(prefix="culex-sniff-bench-") as tmp:
        path = args.keep or os.path.join(tmp, "qos1.pcap")
        started = time.monotonic()
        info = qos1_capture.write_capture(path, args.publishes, clients=args.clients, payload_size=args.payload)
        size_mb = os.path.getsize(path) / 1e6
        print(f"capture: {path}: {info['frames']} frames, {size_mb:.1f} MB, {info['publishes']} QoS 1 PUBLISH "
              f"(written in {time.monotonic() - started:.1f} s)")

        tshark_cmd = [args.tshark, "-r", path, "-Y", "mqtt", "-T", "fields", "-e", "mqtt.topic"]
        culex_cmd = [args.culex, "sniff", "-r", path, "-T", "fields", "-e", "topic"]
        tshark_s, tshark_mb, _ = best_of(tshark_cmd, args.runs, args.timeout)
        culex_s, culex_mb, _ = best_of(culex_cmd, args.runs, args.timeout)

        # The PUBLISH count each finds (a frame carrying two PUBLISHes gives tshark one line, topics joined by ",").
        _, _, tshark_out = run_timed([args.tshark, "-r", path, "-Y", "mqtt.msgtype == 3", "-T", "fields",
                                      "-e", "mqtt.topic"], args.timeout)
        tshark_publishes = sum(len(line.split(b",")) for line in tshark_out.splitlines() if line)
        _, _, culex_out = run_timed([args.culex, "sniff", "-r", path, "-T", "fields", "-e", "type"],
                                    args.timeout)
        culex_publishes = sum(1 for line in culex_out.splitlines() if line == b"PUBLISH")

    print(f"{'':8}{'seconds':>10}{'peak MB':>10}{'PUBLISH':>10}")
    print(f"{'tshark':8}{tshark_s:>10.2f}{tshark_mb:>10.1f}{tshark_publishes:>10}")
    print(f"{'culex':8}{culex_s:>10.2f}{culex_mb:>10.1f}{culex_publishes:>10}")
    print(f"culex sniff is {tshark_s / culex_s:.1f}x faster and uses {tshark_mb / culex_mb:.1f}x less memory "
          f"(best of {args.runs} runs each)")
    if tshark_publishes != culex_publishes or culex_publishes != info["publishes"]:
        print(f"PUBLISH counts differ: capture {info['publishes']}, tshark {tshark_publishes}, "
              f"culex {culex_publishes}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
