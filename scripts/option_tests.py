#!/usr/bin/env python3
"""Which test shows each mosquitto.conf option (issue 13): docs/config.md, "## Where each option is tested".

The options are those of mosquitto.conf(5) for Mosquitto 2.0 (read from Debian's man page when it is installed,
else the list below, taken from it) and every option culex's parser knows (src/config). A test "names" an option
when the option starts a line of a configuration it writes: a string in a pytest function (its decorators
included), a `config OPTION` line of a differential scenario, or a string in a GoogleTest TEST body of
tests/unit/config. The script only finds candidates: the table's entries are chosen (and kept) by hand.

  scripts/option_tests.py             checks the table: every option has a row, every test it cites exists
                                      and still names the option; prints what is wrong, exits 1 if anything is
  scripts/option_tests.py --write     adds a row for each option without one (the best candidate found), and
                                      rewrites the section; rows already there are kept
  scripts/option_tests.py --candidates OPTION   every test that names OPTION
"""
import argparse
import ast
import gzip
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "config.md"
SECTION = "## Where each option is tested"
MAN_PAGE = Path("/usr/share/man/man5/mosquitto.conf.5.gz")

# mosquitto.conf(5) of Debian's mosquitto 2.0.11: every option the man page describes (.PP entries).
MOSQUITTO_OPTIONS = """
acl_file address addresses allow_anonymous allow_duplicate_messages allow_zero_length_clientid auth_plugin
auth_plugin_deny_special_chars auto_id_prefix autosave_interval autosave_on_changes bind_address bind_interface
bridge_alpn bridge_attempt_unsubscribe bridge_bind_address bridge_cafile bridge_capath bridge_certfile
bridge_identity bridge_insecure bridge_keyfile bridge_max_packet_size bridge_outgoing_retain
bridge_protocol_version bridge_psk bridge_require_ocsp bridge_tls_version cafile capath certfile
check_retain_source ciphers ciphers_tls1.3 cleansession clientid_prefixes connection connection_messages crlfile
dhparamfile http_dir idle_timeout include_dir keepalive_interval keyfile listener local_cleansession
local_clientid local_password local_username log_dest log_facility log_timestamp log_timestamp_format log_type
max_connections max_inflight_bytes max_inflight_messages max_keepalive max_packet_size max_qos max_queued_bytes
max_queued_messages max_topic_alias memory_limit message_size_limit mount_point notification_topic notifications
notifications_local_only password_file per_listener_settings persistence persistence_file persistence_location
persistent_client_expiration pid_file port protocol psk_file psk_hint queue_qos0_messages remote_clientid
remote_password remote_username require_certificate restart_timeout retain_available round_robin set_tcp_nodelay
socket_domain start_type sys_interval threshold tls_engine tls_engine_kpass_sha1 tls_keyform tls_version topic
try_private upgrade_outgoing_qos use_identity_as_username use_subject_as_username use_username_as_clientid user
websockets_headers_size websockets_log_level
""".split()

TEST_GLOBS = ["tests/integration/test_*.py", "tests/differential/test_*.py"]
SCENARIOS = "tests/differential/scenarios/*.scn"
UNIT_GLOBS = ["tests/unit/config/*.cpp"]


def man_page_options():
    """The options of the installed man page, or None when it is not installed."""
    if not MAN_PAGE.exists():
        return None
    text = gzip.decompress(MAN_PAGE.read_bytes()).decode(errors="replace").replace("\\&", "")
    names = set()
    for heading in re.findall(r"^\.PP\n(\\fB.*)$", text, re.M):
        names.update(re.findall(r"\\fB([a-z0-9_.]+)\\fR", heading))
    return {n for n in names if not n.startswith("mosquitto")}


def culex_options():
    """Every option name src/config's parser knows, and those it refuses or warns about."""
    names = set()
    for path in (REPO / "src" / "config").glob("*.cpp"):
        names.update(re.findall(r'^\s*\{"([a-z0-9_.]+)", "', path.read_text(), re.M))
    unimplemented = REPO / "src" / "config" / "unimplemented.cpp"
    if unimplemented.exists():
        names.update(re.findall(r'\{"([a-z0-9_.]+)",', unimplemented.read_text()))
    return names


def all_options():
    return sorted(set(MOSQUITTO_OPTIONS) | culex_options())


def starts_a_config_line(text, option):
    """True when `option` starts a line of `text` (a configuration), followed by a value or the line's end."""
    pattern = re.compile(r"(?:^|\n)[ \t]*" + re.escape(option) + r"(?:[ \t]|$|\n)")
    return bool(pattern.search(text))


def python_strings(node):
    """The string constants under `node` (f-strings' constant parts included, each part on its own)."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            yield sub.value


def python_tests(path):
    """(test name, its strings) for each test function of a pytest file. A test's strings include those of
    the module's functions it calls or takes as fixtures, two levels deep: a config often lives in a helper."""
    tree = ast.parse(path.read_text(), str(path))
    functions = {node.name: node for node in tree.body
                 if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}

    def used_helpers(node):
        names = {sub.id for sub in ast.walk(node) if isinstance(sub, ast.Name)}
        names |= {a.arg for a in node.args.args} if isinstance(node, ast.FunctionDef) else set()
        return {functions[n] for n in names if n in functions and functions[n] is not node}

    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_"):
            reached, frontier = {node}, {node}
            for _ in range(2):
                frontier = {h for f in frontier for h in used_helpers(f)} - reached
                reached |= frontier
            yield node.name, [text for f in reached for text in python_strings(f)]


def unit_tests(path):
    """(Suite.Name, body text) for each TEST/TEST_F of a GoogleTest file."""
    text = path.read_text()
    starts = [(m.start(), f"{m.group(1)}.{m.group(2)}")
              for m in re.finditer(r"^TEST(?:_F|_P)?\((\w+),\s*(\w+)\)", text, re.M)]
    for i, (start, name) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(text)
        yield name, text[start:end]


def cpp_names(body, option):
    """A C++ string literal in `body` has `option` starting one of its lines ("opt v\\nopt2 v")."""
    raw = re.findall(r'R"([^(\s]*)\((.*?)\)\1"', body, re.S)  # R"(...)" and R"x(...)x"
    if any(starts_a_config_line(text, option) for _, text in raw):
        return True
    body = re.sub(r'R"([^(\s]*)\((.*?)\)\1"', "", body, flags=re.S)
    for literal in re.findall(r'"((?:[^"\\\n]|\\.)*)"', body):
        if starts_a_config_line(literal.replace("\\n", "\n"), option):
            return True
    return False


class Index:
    """Every test, with what it names; built once."""

    def __init__(self):
        self.python = {}  # "path::test" -> strings
        for pattern in TEST_GLOBS:
            for path in sorted(REPO.glob(pattern)):
                rel = path.relative_to(REPO).as_posix()
                for name, strings in python_tests(path):
                    self.python[f"{rel}::{name}"] = strings
        self.scenarios = {p.relative_to(REPO).as_posix(): p.read_text() for p in sorted(REPO.glob(SCENARIOS))}
        self.unit = {}
        for pattern in UNIT_GLOBS:
            for path in sorted(REPO.glob(pattern)):
                rel = path.relative_to(REPO).as_posix()
                for name, body in unit_tests(path):
                    self.unit[f"{rel}::{name}"] = body

    def names(self, ref, option):
        """True when the test `ref` exists and names `option`; None when `ref` is no test at all."""
        if ref in self.python:
            return any(starts_a_config_line(s, option) for s in self.python[ref])
        if ref in self.scenarios:
            return bool(re.search(r"^config " + re.escape(option) + r"(?:\s|$)", self.scenarios[ref], re.M))
        if ref in self.unit:
            return cpp_names(self.unit[ref], option)
        return None

    def candidates(self, option):
        """The tests that name `option`, best first: an integration test whose name says the option, one of
        the option-family files, any integration test, a differential scenario, a unit test."""
        words = option.replace(".", "")

        def rank(ref):
            name = ref.split("::")[-1].replace(".", "")
            if ref.endswith(".scn"):
                return 3 if option.replace("_", "-") in ref else 4
            if "tests/unit/" in ref:
                return 5
            if words in name:
                return 0
            return 1 if "/test_option_" in ref else 2

        found = [ref for ref in [*self.python, *self.scenarios, *self.unit] if self.names(ref, option)]
        return sorted(found, key=lambda ref: (rank(ref), ref))


ROW = re.compile(r"^\| `([a-z0-9_.]+)` \| (.*) \|$")


def read_table():
    """option -> list of test references, from the section of docs/config.md (empty when absent)."""
    text = DOC.read_text()
    if SECTION not in text:
        return {}
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        m = ROW.match(line)
        if m:
            rows[m.group(1)] = re.findall(r"`([^`]+)`", m.group(2))
    return rows


INTRO = """
Each option of mosquitto.conf(5) (Mosquitto 2.0) and each option of culex's own, with the test that shows it:
an integration test with real clients (tests/integration, often on Debian's mosquitto too), a differential
scenario (tests/differential: the same bytes to both brokers), or, for an option that only changes parsing
or is refused or warned about, a unit test of tests/unit/config. `scripts/option_tests.py` finds the
candidates and checks this table (tests/integration/test_option_coverage.py runs it in `make test`): a new
option without a row, or a row whose test no longer names its option, fails. A unit test cited for
`login_throttle_free_failures`, `login_throttle_max_delay` and `output_buffer_limit` shows their parsing and
bounds only: their effect is a delay or a drop under load, shown by the unit tests of auth::LoginThrottle and
of net's back-pressure, not by an integration test (it would have to time the broker).

| option | test |
|---|---|
"""


def write_table(index, rows):
    lines = []
    for option in all_options():
        refs = rows.get(option) or index.candidates(option)[:1]
        cell = ", ".join(f"`{r}`" for r in refs) if refs else "**no test**"
        lines.append(f"| `{option}` | {cell} |")
    body = SECTION + "\n" + INTRO + "\n".join(lines) + "\n"
    text = DOC.read_text()
    if SECTION in text:
        before, rest = text.split(SECTION, 1)
        after = rest.split("\n## ", 1)
        text = before + body + ("\n## " + after[1] if len(after) > 1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + body
    DOC.write_text(text)


def check(index, rows):
    problems = []
    man = man_page_options()
    if man is not None and man != set(MOSQUITTO_OPTIONS):
        problems.append("the installed mosquitto.conf(5) lists other options than MOSQUITTO_OPTIONS in "
                        f"scripts/option_tests.py: added {sorted(man - set(MOSQUITTO_OPTIONS))}, "
                        f"gone {sorted(set(MOSQUITTO_OPTIONS) - man)}")
    for option in all_options():
        refs = rows.get(option)
        if not refs:
            hint = index.candidates(option)[:3]
            problems.append(f"{option}: no row in docs/config.md \"{SECTION[3:]}\"; write a test that sets it, "
                            f"then add its row (`scripts/option_tests.py --write`)"
                            + (f"; candidates: {', '.join(hint)}" if hint else "; no test names it yet"))
            continue
        for ref in refs:
            named = index.names(ref, option)
            if named is None:
                problems.append(f"{option}: {ref} is not a test (file::test_function, a .scn scenario, or "
                                "file::Suite.Name)")
            elif not named:
                problems.append(f"{option}: {ref} does not set {option} (no configuration line starts with it)")
    for option in sorted(set(rows) - set(all_options())):
        problems.append(f"{option}: a row for an option neither Mosquitto nor culex has")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="add missing rows and rewrite the section")
    parser.add_argument("--candidates", metavar="OPTION", help="print every test that names OPTION")
    args = parser.parse_args()
    index = Index()
    if args.candidates:
        for ref in index.candidates(args.candidates):
            print(ref)
        return 0
    rows = read_table()
    if args.write:
        write_table(index, rows)
        rows = read_table()
    problems = check(index, rows)
    for p in problems:
        print(p)
    if not problems:
        print(f"{len(rows)} options, each shown by a test.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
