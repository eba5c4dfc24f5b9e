"""A scenario file: the broker config it needs, and the script of steps played against each broker.

    # One line that says what is tested (the first comment).
    config max_inflight_messages 2      the broker pair's config, line by line ({dir}: the pair's folder;
                                        {listener}: where the listener line goes, else it comes first)
    passwd pw alice:secret bob:pw       a password file {dir}/pw made by mosquitto_passwd
    file acl                            a file {dir}/acl, its lines up to `end`
    connect a                           a TCP connection named a
    send a CONNECT v5 id={p}a           a packet in the notation of packets.py ({p}: the scenario's prefix)
    expect a CONNACK SUBACK             read exactly these packets (types checked on Mosquitto, bytes compared)
    expect a CONNACK closed             ... then the broker closes the connection
    expect a closed within=4000         a longer bound, for what takes long by design (a keep alive timeout)
    expect-any a PUBACK PUBLISH         the same, in either order (two sessions' packets, no order promised)
    quiet a 150                         nothing arrives within 150 ms (only where absence is the point)
    close a                             the client closes
At the end each connection still open is probed with PINGREQ: what answers (PINGRESP, stray packets, or a close)
is compared too.
"""
import fnmatch
import shlex
from dataclasses import dataclass, field
from pathlib import Path


class ScenarioError(ValueError):
    pass


@dataclass
class Step:
    line: int  # in the scenario file: how allowed differences name a step
    verb: str
    conn: str
    arg: str  # the rest of the line


@dataclass
class Scenario:
    name: str
    description: str
    config: list = field(default_factory=list)
    files: dict = field(default_factory=dict)  # name -> text
    passwd: dict = field(default_factory=dict)  # file name -> [(user, password)]
    steps: list = field(default_factory=list)

    def pair_key(self):
        """Scenarios with the same key share one broker pair."""
        return ("\n".join(self.config), tuple(sorted(self.files.items())),
                tuple(sorted((k, tuple(v)) for k, v in self.passwd.items())))


VERBS = {"connect", "send", "expect", "expect-any", "quiet", "close"}


def parse(path):
    path = Path(path)
    s = Scenario(name=path.stem, description="")
    lines = path.read_text().splitlines()
    i = 0
    while i < len(lines):
        number, raw = i + 1, lines[i]
        i += 1
        text = raw.strip()
        if not text:
            continue
        if text.startswith("#"):
            if not s.description:
                s.description = text.lstrip("# ")
            continue
        verb, _, rest = text.partition(" ")
        if verb == "config":
            s.config.append(rest)
        elif verb == "passwd":
            words = shlex.split(rest)
            s.passwd[words[0]] = [tuple(w.split(":", 1)) for w in words[1:]]
        elif verb == "file":
            body = []
            while i < len(lines) and lines[i].strip() != "end":
                body.append(lines[i])
                i += 1
            if i == len(lines):
                raise ScenarioError(f"{path}:{number}: 'file {rest}' has no 'end' line")
            i += 1
            s.files[rest.strip()] = "\n".join(body) + "\n"
        elif verb in VERBS:
            conn, _, arg = rest.partition(" ")
            if not conn:
                raise ScenarioError(f"{path}:{number}: '{verb}' needs a connection name")
            s.steps.append(Step(number, verb, conn, arg.strip()))
        else:
            raise ScenarioError(f"{path}:{number}: unknown verb {verb!r} (one of config, passwd, file, "
                                f"{', '.join(sorted(VERBS))})")
    if not s.steps:
        raise ScenarioError(f"{path}: no steps")
    return s


def load_all(directory):
    return [parse(p) for p in sorted(Path(directory).glob("*.scn"))]


class Differences:
    """'scenario:line  reason' entries: scenario may be a glob (ping-*-bad-flags), line is a step's line number
    in the scenario file or 'probe' (the closing PINGREQ probe)."""

    def __init__(self, path):
        self.entries = []  # (scenario pattern, line, reason)
        if not Path(path).exists():
            return
        for number, raw in enumerate(Path(path).read_text().splitlines(), 1):
            text = raw.strip()
            if not text or text.startswith("#"):
                continue
            where, _, reason = text.partition(" ")
            name, _, line = where.partition(":")
            if not line or not reason.strip():
                raise ScenarioError(f"{path}:{number}: expected 'scenario:line reason', got {text!r}")
            self.entries.append((name, line, reason.strip()))

    def reason(self, scenario, line):
        for pattern, at, why in self.entries:
            if at == line and fnmatch.fnmatchcase(scenario, pattern):
                return why
        return None

    def lines_for(self, scenario):
        return {at for pattern, at, _ in self.entries if fnmatch.fnmatchcase(scenario, pattern)}

    def patterns(self):
        return [pattern for pattern, _, _ in self.entries]
