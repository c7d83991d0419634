"""The tests that read the seeded demo share one pytest-xdist worker (tests/suite.py), so that
the demo (a minute or more) is seeded once per run, not once per worker; their PostgreSQL
test databases are copies of one migrated template (tests/suite.py); and the flush after a
transactional test empties the tables with DELETE rather than TRUNCATE (tests/conftest.py)."""

import subprocess
import sys
import textwrap
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from apps.audit.models import AccessLogEntry
from apps.audit.services import access_log_record
from apps.core.domains import ActivityKind, Domain
from apps.trajectories.services import activity_log
from tests.conftest import _owner_connect
from tests.trajectories.factories import TrajectoryFactory

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


# --- the test database migrated once for all workers (tests/suite.py) ----------------------

TEMPLATE_SETTINGS = """
import environ

SECRET_KEY = "tests-only"
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth"]
DATABASES = {"default": environ.Env.db_url_config(environ.Env()("DATABASE_URL"))}
USE_TZ = True
"""

TEMPLATE_CONFTEST = """
import os

import pytest
from django.db.models.signals import pre_migrate

from tests.suite import migrated_once, pytest_sessionfinish  # noqa: F401


def _migrating(*, using, **kwargs):
    with open(os.environ["TEMPLATE_OUT"], "a") as out:
        out.write(f"migrate {os.environ['PYTEST_XDIST_WORKER']}\\n")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(request, django_db_modify_db_settings_parallel_suffix):
    pre_migrate.connect(_migrating, dispatch_uid="template-test")
    with migrated_once(request.config):
        yield
"""

TEMPLATE_TESTS = """
import os

from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def test_{n}(db):
    Group.objects.create(name="only in this worker's database")
    executor = MigrationExecutor(connection)
    unapplied = executor.migration_plan(executor.loader.graph.leaf_nodes())
    with open(os.environ["TEMPLATE_OUT"], "a") as out:
        out.write(f"test {os.environ['PYTEST_XDIST_WORKER']} {connection.settings_dict['NAME']}"
                  f" {len(unapplied)} {Group.objects.count()}\\n")
"""


def _server_databases(database: dict, like: str) -> set[str]:
    from tests.suite import _maintenance_connect

    with _maintenance_connect(database) as conn:
        rows = conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [like])
        return {name for (name,) in rows}


@pytest.mark.postgres
def test_the_workers_databases_are_copies_of_one_migrated_template(postgres_only, tmp_path: Path):
    """Two workers, two migrated databases of their own, one migration (the template's), and
    no template left afterwards."""
    from tests.conftest import OWNER

    database = {**connection.settings_dict, **(OWNER or {})}  # a role that may create databases
    name = f"{database['NAME']}_tpl"[:40]
    project = tmp_path / "project"
    project.mkdir()
    (project / "template_settings.py").write_text(textwrap.dedent(TEMPLATE_SETTINGS))
    (project / "conftest.py").write_text(textwrap.dedent(TEMPLATE_CONFTEST))
    for n in range(4):
        (project / f"test_{n}.py").write_text(
            textwrap.dedent(TEMPLATE_TESTS).replace("{n}", str(n))
        )
    out = tmp_path / "out.txt"
    credentials = (
        f"{database['USER']}:{database['PASSWORD']}@"
        if database["PASSWORD"]
        else (f"{database['USER']}@")
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter on a generated project
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2",
         "--dist", "load", "-c", "/dev/null", "--rootdir", str(project),
         "--ds", "template_settings", str(project)],
        capture_output=True, text=True, timeout=300, cwd=project,
        env={"PYTHONPATH": f"{project}:{settings.BASE_DIR}", "TEMPLATE_OUT": str(out),
             "PATH": "/usr/bin:/bin",
             "DATABASE_URL": f"postgres://{credentials}{database['HOST'] or '127.0.0.1'}:"
                             f"{database['PORT'] or 5432}/{name}"},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line.split() for line in out.read_text().splitlines()]
    migrations = [line for line in lines if line[0] == "migrate"]
    tests = [line for line in lines if line[0] == "test"]
    assert len(tests) == 4
    assert {worker for _, worker, *_ in tests} == {"gw0", "gw1"}  # both workers ran tests
    assert {(worker, db) for _, worker, db, *_ in tests} == {
        ("gw0", f"test_{name}_gw0"),
        ("gw1", f"test_{name}_gw1"),
    }
    assert all(unapplied == "0" for *_, unapplied, _ in tests)  # fully migrated copies
    assert all(groups == "1" for *_, groups in tests)  # each test's own rows only
    # contenttypes and auth, migrated once: by one worker, into the template
    assert len({worker for _, worker in migrations}) == 1, migrations
    assert len(migrations) == 2, migrations
    assert _server_databases(database, f"test_{name}%") == set()  # copies and template dropped


# --- the flush after a transactional test (tests/conftest.py) ------------------------------


def _table_files(tables: list[str]) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, relfilenode FROM pg_class WHERE relname = ANY(%s)", [tables]
        )
        return dict(cursor.fetchall())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_flush_empties_every_table_with_delete_and_keeps_the_log_append_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL to a PostgreSQL database)")
    trajectory = TrajectoryFactory()
    access_log_record(user=trajectory.lead_caseworker, event="view", basis="care_team")
    # An activity: its table has row triggers (the monthly roll-up) as well as deferred keys,
    # whose pending checks once made ENABLE TRIGGER fail and every flush fall back to TRUNCATE.
    activity_log(
        trajectory=trajectory,
        domain=Domain.CARE,
        kind=ActivityKind.TREATMENT_SESSION,
        date=trajectory.start,
        duration_minutes=60,
        performed_by=trajectory.lead_caseworker,
        actor=trajectory.lead_caseworker,
    )
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    files = _table_files(tables)

    # what TransactionTestCase does after each test
    call_command(
        "flush", verbosity=0, interactive=False, reset_sequences=False, inhibit_post_migrate=True
    )

    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            assert cursor.fetchone() == (0,), table
        cursor.execute(
            "SELECT tgname, tgenabled FROM pg_trigger"
            " WHERE tgrelid = 'audit_accesslogentry'::regclass AND NOT tgisinternal"
        )
        triggers = dict(cursor.fetchall())
    assert _table_files(tables) == files  # emptied in place: DELETE, not TRUNCATE's new files
    assert len(triggers) == 2
    assert set(triggers.values()) == {"O"}, triggers  # the log's triggers on again
    access_log_record(user=None, event="view", basis="care_team", username="someone")
    with (
        _owner_connect(connection.settings_dict) as owner,
        pytest.raises(psycopg.DatabaseError, match="append-only"),
    ):
        owner.execute("DELETE FROM audit_accesslogentry")
    assert AccessLogEntry.objects.count() == 1


# --- the order: the tests that need no database first (tests/suite.py) ---------------------


def test_the_tests_that_need_no_database_run_before_those_that_do(request):
    from tests.suite import needs_database

    order = [needs_database(item) for item in request.session.items]
    assert order == sorted(order)  # False (no database) before True
    here = {
        item.name: needs_database(item)
        for item in request.session.items
        if item.path == request.path
    }
    assert here[request.node.name] is False
    flush_test = "test_the_flush_empties_every_table_with_delete_and_keeps_the_log_append_only"
    assert here.get(flush_test, True) is True
