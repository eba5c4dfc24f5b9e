"""Shared helpers for integration tests: real sockets on loopback, real peers, bounded waits only."""
import os
import socket
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def culex_binary() -> str:
    """The culex binary under test: $CULEX_BIN, else the sanitizer build, else the Release build."""
    env = os.environ.get("CULEX_BIN")
    if env:
        return str(Path(env).resolve())  # absolute: tests run peers from other directories
    for candidate in (REPO / "build-asan" / "culex", REPO / "build" / "culex"):
        if candidate.exists():
            return str(candidate)
    pytest.fail("no culex binary: run `make build` or set CULEX_BIN")


def free_port() -> int:
    """An ephemeral TCP port on loopback that was free a moment ago (for peers that cannot report theirs)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: takes minutes (building the Debian package); -m 'not slow' skips it")
    config.addinivalue_line("markers", "cluster: three nats-server processes and culex nodes (test_cluster.py, test_cluster_sessions.py)")


@pytest.fixture(autouse=True)
def no_sanitizer_report():
    """Fails the test when a culex broker it ran printed a sanitizer report (ThreadSanitizer reports without
    stopping the broker, so the test itself may not notice)."""
    yield
    import brokers  # here, not at the top: brokers imports this module
    reports = brokers.sanitizer_reports()
    assert not reports, "a culex broker printed a sanitizer report:\n" + "\n---\n".join(reports)


@pytest.fixture
def culex():
    return culex_binary()


def run(args, timeout=30, **kwargs) -> subprocess.CompletedProcess:
    """Runs a command to completion with a bound on its time; output captured as text."""
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, **kwargs)
