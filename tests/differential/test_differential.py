"""Differential tests: each scenario in scenarios/ is played against Debian's mosquitto and against culex with
the same config, and what each sends back (and whether it closes) must be the same, byte for byte after the
named normalisations (normalise.py). A difference passes only when allowed_differences lists it with its reason;
known_differences lists the ones still to fix: reported (xfail), not failed on.
"""
import fnmatch
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import runner  # noqa: E402
import scenario as scenarios  # noqa: E402
from packets import describe  # noqa: E402

ALL = scenarios.load_all(HERE / "scenarios")
# Sorted by config, so that each broker pair is started once and stopped when its scenarios are done.
ALL.sort(key=lambda s: (s.pair_key(), s.name))
ALLOWED = scenarios.Differences(HERE / "allowed_differences")
KNOWN = scenarios.Differences(HERE / "known_differences")


class Pairs:
    """The one running broker pair, replaced when a scenario needs another config."""

    def __init__(self):
        self.key = None
        self.pair = None

    def get(self, s):
        if self.pair and self.key == s.pair_key() and not self.pair.dead():
            return self.pair
        error = self.close()
        if error:
            pytest.fail(error, pytrace=False)
        self.pair = runner.BrokerPair(s)
        self.key = s.pair_key()
        return self.pair

    def close(self):
        error = self.pair.stop() if self.pair else None
        self.pair = None
        return error


@pytest.fixture(scope="module")
def pairs():
    p = Pairs()
    yield p
    error = p.close()
    assert error is None, error


def readable(observations):
    """Observations for a report: packets decoded to one line each."""
    out = []
    for o in observations:
        head, sep, tail = o.rpartition(": ")  # a probe's observations name their connection
        try:
            out.append(head + sep + describe(bytes.fromhex(tail)))
        except (ValueError, IndexError):
            out.append(o)
    return out or ["(nothing)"]


def test_scenario_files_are_many_and_unique():
    names = [s.name for s in ALL]
    assert len(names) >= 150
    assert len(names) == len(set(names))
    for pattern in ALLOWED.patterns() + KNOWN.patterns():
        assert fnmatch.filter(names, pattern), f"a listed difference names no scenario: {pattern}"


@pytest.mark.parametrize("s", ALL, ids=[s.name for s in ALL])
def test_same_as_mosquitto(s, pairs):
    pair = pairs.get(s)
    prefix, source = pair.prefix()
    # Both at once: each broker's waits overlap the other's.
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {name: pool.submit(runner.play, s, b.port, prefix, source) for name, b in pair.brokers.items()}
        seen = {name: f.result() for name, f in futures.items()}
    dead = pair.dead()
    if dead:
        pytest.fail(dead, pytrace=False)

    # The scenario says what Mosquitto does: check it, so that the scenarios stay true statements.
    for step in s.steps:
        if step.verb in ("expect", "expect-any"):
            want = [w for w in step.arg.split() if not w.startswith("within=")]
            got = runner.types_of(seen["mosquitto"].get(str(step.line), []))
            if step.verb == "expect-any":
                want, got = sorted(want), sorted(got)
            if got != want:
                pytest.fail(f"{s.name}:{step.line}: the scenario is wrong: mosquitto answered {got}, the scenario "
                            f"expects {want}:\n  " + "\n  ".join(readable(seen["mosquitto"].get(str(step.line), []))),
                            pytrace=False)

    lines = [str(step.line) for step in s.steps] + ["probe"]
    unexpected, known, stale = [], [], []
    for line in dict.fromkeys(lines):
        m, c = seen["mosquitto"].get(line, []), seen["culex"].get(line, [])
        allowed, to_fix = ALLOWED.reason(s.name, line), KNOWN.reason(s.name, line)
        if m == c:
            if allowed or to_fix:
                stale.append(line)
            continue
        text = (f"{s.name}:{line}\n  mosquitto: " + "\n             ".join(readable(m)) +
                "\n  culex:     " + "\n             ".join(readable(c)))
        if allowed:
            continue
        (known if to_fix else unexpected).append(text + (f"\n  ({to_fix})" if to_fix else ""))
    if unexpected:
        pytest.fail(f"{s.description}\nculex differs from mosquitto:\n" + "\n".join(unexpected), pytrace=False)
    if stale:
        pytest.fail(f"{s.name}: allowed_differences or known_differences lists lines {stale}, which now match: "
                    "remove them", pytrace=False)
    if known:
        pytest.xfail("known difference, to fix:\n" + "\n".join(known))
