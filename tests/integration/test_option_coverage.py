"""Every mosquitto.conf option (and each of culex's own) has a row in docs/config.md, "Where each option is
tested", naming a test that still sets it (scripts/option_tests.py): a new option without a test fails here."""
import importlib.util
import sys

from conftest import REPO, run


def option_tests():
    spec = importlib.util.spec_from_file_location("option_tests", REPO / "scripts" / "option_tests.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_option_has_a_test_that_sets_it():
    result = run([sys.executable, str(REPO / "scripts" / "option_tests.py")], timeout=120)
    assert result.returncode == 0, "docs/config.md, Where each option is tested:\n" + result.stdout + result.stderr
    assert "each shown by a test" in result.stdout


def test_the_check_flags_a_missing_row_and_a_row_whose_test_does_not_set_the_option():
    module = option_tests()
    index = module.Index()
    rows = module.read_table()
    assert len(rows) >= len(module.MOSQUITTO_OPTIONS)
    without = dict(rows)
    del without["round_robin"]
    assert any(p.startswith("round_robin: no row") for p in module.check(index, without))
    stale = dict(rows)
    stale["round_robin"] = ["tests/integration/test_option_tls.py::test_tls_keyform_pem_reads_the_pem_key"]
    assert any(p.startswith("round_robin: ") and "does not set round_robin" in p
               for p in module.check(index, stale))
    missing = dict(rows)
    missing["round_robin"] = ["tests/integration/test_option_bridges.py::test_no_such_test"]
    assert any("is not a test" in p for p in module.check(index, missing))
