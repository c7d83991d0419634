"""The smoke set of tests/suite.py names tests that exist (CI runs it on SQLite)."""

import importlib
import inspect

import pytest

from tests.suite import SMOKE_TESTS


@pytest.mark.parametrize("path", sorted(SMOKE_TESTS))
def test_every_smoke_test_exists(path):
    module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    missing = [
        name for name in SMOKE_TESTS[path] if not inspect.isfunction(getattr(module, name, None))
    ]
    assert not missing, f"{path} has no {missing} (tests/suite.py, SMOKE_TESTS)"


def test_the_smoke_set_spans_the_apps():
    folders = {path.split("/")[1] for path in SMOKE_TESTS if path.count("/") == 2}
    assert folders >= {"accounts", "api", "audit", "clients", "funding", "reports", "trajectories"}
    assert 30 <= sum(map(len, SMOKE_TESTS.values())) <= 80
