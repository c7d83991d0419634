"""The tests that read the seeded demo share one pytest-xdist worker (tests/suite.py), so that
the demo (a minute or more) is seeded once per run, not once per worker."""

import subprocess
import sys
import textwrap
from pathlib import Path

from django.conf import settings

CONFTEST = """
import pytest
from tests.suite import _xdist_group

@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        if "together" in item.name:
            _xdist_group(config, item, "together")
"""

TESTS = """
import os

def _note(name):
    with open(os.environ["GROUPING_OUT"], "a") as out:
        out.write(f"{name} {os.environ['PYTEST_XDIST_WORKER']}\\n")

def test_together_{n}():
    _note("together-{n}")

def test_alone_{n}():
    _note("alone-{n}")
"""


def test_a_group_runs_on_one_worker(tmp_path: Path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "conftest.py").write_text(textwrap.dedent(CONFTEST))
    for n in range(4):
        (project / f"test_{n}.py").write_text(textwrap.dedent(TESTS).replace("{n}", str(n)))
    out = tmp_path / "out.txt"
    result = subprocess.run(  # noqa: S603 - our own interpreter on a generated project
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:django",
         "-n", "2", "--dist", "loadgroup", "-c", "/dev/null", "--rootdir", str(project),
         str(project)],
        capture_output=True, text=True, timeout=120,
        env={"PYTHONPATH": str(settings.BASE_DIR), "GROUPING_OUT": str(out),
             "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    runs = dict(line.split() for line in out.read_text().splitlines())
    together = {worker for name, worker in runs.items() if name.startswith("together")}
    assert len(runs) == 8
    assert len(together) == 1, runs
