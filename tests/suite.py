"""What keeps the suite fast, loaded by tests/conftest.py (``pytest_plugins``).

Hypothesis profiles
    ``small`` (the default, in CI and in ``make test``) and ``deep`` (``make test-deep``);
    choose one with ``HYPOTHESIS_PROFILE``. A test that asks for a number of examples asks it
    of Hypothesis's own default of 100 (``examples(50)`` is 50 there): the profile scales it,
    so ``HYPOTHESIS_PROFILE=default`` runs the numbers as written.

The demo seeded once
    ``seeded_demo`` (module-scoped): ``seed_demo`` run once for all the modules that ask for
    it, which run one after the other, inside a transaction that is rolled back after the last
    of them; each test's own writes are rolled back after it (the ``db`` fixture). Its value
    holds what the command printed. With pytest-xdist they all run on one worker
    (`--dist loadgroup`).

Rows shared by consecutive tests
    ``SharedRows``: what an expensive fixture builds (the API tests' world), built once in a
    transaction that stays open while the tests that ask for it run one after another on a
    worker, each test's own writes rolled back after it (the ``db`` fixture); rolled back
    before any test that does not ask for it (which sees an empty database, as before) and
    built again for the next one that does. The fixture hands each test a deep copy of the
    built objects, so that a test changing them in memory changes nothing for the next.

The test database migrated once
    With pytest-xdist on PostgreSQL (`make test`), the first worker to get there creates and
    migrates ``test_<name>_template`` (holding a PostgreSQL advisory lock while it does), and
    every worker's own database, ``test_<name>_gw<n>``, is a copy of it (``CREATE DATABASE ...
    TEMPLATE``, a second or two) instead of migrating again. The template is marked with the
    run's id, so a template left by an earlier run is migrated afresh; the controller drops it
    at the end. Without pytest-xdist, on SQLite or with ``--reuse-db`` nothing changes. The
    tests that need no database run first, so that the worker that does not migrate has work.

The smoke set
    ``SMOKE_TESTS``: the tests marked ``smoke`` (`make test-smoke`; CI runs them on SQLite).
"""

import contextlib
import io
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest
from _pytest.nodeid import coerce_node_id
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import transaction
from django.db.backends.postgresql.creation import DatabaseCreation
from django.test import override_settings
from hypothesis import settings as hypothesis_settings
from psycopg import sql

# --- Hypothesis profiles -----------------------------------------------------------------

HYPOTHESIS_DEFAULT_EXAMPLES = 100  # what the numbers passed to examples() are relative to
hypothesis_settings.register_profile("small", max_examples=25)
hypothesis_settings.register_profile("deep", max_examples=1000)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "small"))


def examples(at_default: int) -> int:
    """The number of examples for a test that runs ``at_default`` under Hypothesis's default
    profile, scaled to the profile in force (at least one)."""
    scaled = at_default * hypothesis_settings.default.max_examples / HYPOTHESIS_DEFAULT_EXAMPLES
    return max(1, round(scaled))


# --- the test database, migrated once for all pytest-xdist workers ------------------------

TEMPLATE_SUFFIX = "_template"


def template_name(database: dict, worker: str | None = None) -> str:
    """``test_<name>_template``: the test database's name without the worker's suffix."""
    test_name = database.get("TEST", {}).get("NAME") or f"test_{database['NAME']}"
    if worker:
        test_name = test_name.removesuffix(f"_{worker}")
    return f"{test_name}{TEMPLATE_SUFFIX}"


def _maintenance_connect(database: dict) -> psycopg.Connection:
    """A connection to the server's ``postgres`` database with the given settings' role."""
    params = {
        "host": database.get("HOST"),
        "port": database.get("PORT"),
        "dbname": "postgres",
        "user": database.get("USER"),
        "password": database.get("PASSWORD"),
    }
    given = {key: value for key, value in params.items() if value}
    return psycopg.connect(**given, autocommit=True)


def _run_of(conn: psycopg.Connection, name: str) -> str | None:
    """The run id a template was made by (its comment), or None when there is none."""
    row = conn.execute(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
        [name],
    ).fetchone()
    return row[0] if row else None


def _create_test_db_from_template(original, worker: str, run: str):
    """``DatabaseCreation.create_test_db`` for one pytest-xdist worker: the template migrated
    by whichever worker comes first (the others wait on the advisory lock), then copied."""

    def create_test_db(self, verbosity=1, autoclobber=False, serialize=True, keepdb=False):
        target = self._get_test_db_name()
        template = template_name(self.connection.settings_dict, worker)
        lock = zlib.crc32(template.encode())  # one key per template, on the whole server
        with _maintenance_connect(self.connection.settings_dict) as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", [lock])
            try:
                if _run_of(conn, template) != run:
                    test_settings = self.connection.settings_dict["TEST"]
                    test_settings["NAME"] = template
                    try:  # created, migrated (as the owner role) and its cache table made
                        original(self, verbosity, autoclobber=True, serialize=False)
                    finally:
                        test_settings["NAME"] = target
                    self.connection.close()  # a template must have no connections
                    conn.execute(
                        sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                            sql.Identifier(template), sql.Literal(run)
                        )
                    )
                if verbosity >= 1:
                    self.log(f"Copying test database {template} to {target}...")
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(target)))
                conn.execute(
                    sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                        sql.Identifier(target), sql.Identifier(template)
                    )
                )
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", [lock])
        django_settings.DATABASES[self.connection.alias]["NAME"] = target
        self.connection.settings_dict["NAME"] = target
        if serialize:  # what the original serializes after migrating, the same rows
            self.connection._test_serialized_contents = self.serialize_db_to_string()
        self.connection.ensure_connection()
        return target

    return create_test_db


@contextlib.contextmanager
def migrated_once(config: pytest.Config) -> Iterator[None]:
    """Around pytest-django's database setup on a pytest-xdist worker: the workers' test
    databases as copies of one migrated template (see the module's docstring)."""
    worker = getattr(config, "workerinput", {}).get("workerid")
    database = django_settings.DATABASES["default"]
    if (
        not worker
        or database["ENGINE"] != "django.db.backends.postgresql"
        or (config.getoption("reuse_db") and not config.getoption("create_db"))
    ):
        yield
        return
    original = DatabaseCreation.create_test_db
    DatabaseCreation.create_test_db = _create_test_db_from_template(
        original, worker, config.workerinput["testrunuid"]
    )
    try:
        yield
    finally:
        DatabaseCreation.create_test_db = original


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """The pytest-xdist controller drops the template once every worker is done."""
    config = session.config
    database = django_settings.DATABASES["default"]
    if (
        hasattr(config, "workerinput")
        or not config.pluginmanager.hasplugin("dsession")
        or database["ENGINE"] != "django.db.backends.postgresql"
    ):
        return
    owner = os.environ.get("DATABASE_OWNER_URL", "")
    if owner:  # the owner role made it (tests/conftest.py)
        import environ

        owner_config = environ.Env.db_url_config(owner)
        database = {**database, "USER": owner_config["USER"]}
        database["PASSWORD"] = owner_config.get("PASSWORD", "")
    with contextlib.suppress(psycopg.Error), _maintenance_connect(database) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(template_name(database)))
        )


# --- the demo, seeded once for the modules that read it -----------------------------------


@dataclass(frozen=True)
class SeededDemo:
    output: str  # what `seed_demo` printed: the summary and the demo logins


class _DemoSeed:
    """The demo, seeded in a transaction that stays open while the modules that ask for it run
    (one after the other: see pytest_collection_modifyitems) and is rolled back before the
    first test of another module, or at the end of the session."""

    def __init__(self) -> None:
        self.atomic = None
        self.value: SeededDemo | None = None
        self.module = None  # the path of the last module that asked for it
        self.blocker = None  # pytest-django's django_db_blocker

    def open(self, blocker) -> SeededDemo:
        if self.value is not None:
            return self.value
        # The test settings of tests/conftest.py: Dutch, fast password hashing.
        test_settings = override_settings(
            LANGUAGE_CODE="nl",
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        )
        out = io.StringIO()
        self.blocker = blocker
        with blocker.unblock(), test_settings:
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            try:
                call_command("seed_demo", stdout=out)
            except BaseException:
                self.close()
                raise
        self.value = SeededDemo(output=out.getvalue())
        return self.value

    def close(self) -> None:
        if self.atomic is None:
            return
        atomic, self.atomic, self.value, self.module = self.atomic, None, None, None
        with self.blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


_demo_seed = _DemoSeed()


@pytest.fixture(scope="session")
def _demo_seed_session(django_db_setup) -> Iterator[_DemoSeed]:
    yield _demo_seed
    _demo_seed.close()  # before the test database is dropped


@pytest.fixture(scope="module")
def seeded_demo(request, _demo_seed_session, django_db_blocker) -> SeededDemo:
    """``seed_demo`` run once for the modules that ask for it, rolled back after them; each
    test's own writes are rolled back after it (the ``db`` fixture)."""
    _demo_seed_session.module = request.path
    return _demo_seed_session.open(django_db_blocker)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Roll the demo back before the first test of a module that does not ask for it (the
    earlier modules' fixtures are gone by now, this one's are still to come); roll back the
    shared rows before a test that does not ask for them, and build them again, before the
    test's own transaction, for one that does (and no longer has them)."""
    for shared in _shared_rows:
        if not shared.wanted_by(item):
            shared.close()
    if (
        _demo_seed.atomic is not None
        and item.path != _demo_seed.module
        and "seeded_demo" not in getattr(item, "fixturenames", ())
    ):
        _demo_seed.close()
    for shared in _shared_rows:
        if shared.blocker is not None and shared.wanted_by(item):
            shared.open()


# --- rows shared by consecutive tests ----------------------------------------------------


class SharedRows:
    """Rows that ``build`` makes, kept in an open transaction for the tests that ask for the
    session fixture named ``fixture`` (see the module's docstring). ``settings`` are in force
    while it builds: those of tests/conftest.py's ``_test_settings`` that matter to rows."""

    def __init__(self, fixture: str, build, **settings) -> None:
        self.fixture = fixture
        self.build = build
        self.settings = {
            "LANGUAGE_CODE": "nl",
            "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
            **settings,
        }
        self.atomic = None
        self.value = None
        self.blocker = None  # pytest-django's django_db_blocker, once the fixture ran

    def open(self, blocker=None):
        self.blocker = blocker or self.blocker
        if self.atomic is not None:
            return self.value
        with self.blocker.unblock(), override_settings(**self.settings):
            atomic = transaction.atomic()
            atomic.__enter__()
            try:
                self.value = self.build()
            except BaseException:
                transaction.set_rollback(True)
                atomic.__exit__(None, None, None)
                raise
            self.atomic = atomic
        return self.value

    def close(self) -> None:
        if self.atomic is None:
            return
        atomic, self.atomic, self.value = self.atomic, None, None
        with self.blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)

    def wanted_by(self, item: pytest.Item) -> bool:
        names = getattr(item, "fixturenames", ())
        return self.fixture in names and "seeded_demo" not in names


_shared_rows: list[SharedRows] = []


def shared_rows(fixture: str, build, **settings) -> SharedRows:
    """A ``SharedRows`` that this module opens and closes around the tests (register once, at
    import, for the session fixture named ``fixture``)."""
    shared = SharedRows(fixture, build, **settings)
    _shared_rows.append(shared)
    return shared


# --- the smoke set -----------------------------------------------------------------------
#
# A few dozen tests across the apps, marked ``smoke`` here (all parameters of each): CI runs
# them on SQLite, the demo's database, after the whole suite on PostgreSQL (`make test-smoke`).
# tests/test_smoke_set.py fails when a listed test is no longer in its module.

SMOKE_TESTS = {
    "tests/test_settings.py": [
        "test_development_defaults_need_no_environment",
        "test_database_broker_and_hosts_are_read_from_the_environment",
    ],
    "tests/test_health.py": ["test_healthz_answers_200_with_database_and_eager_broker"],
    "tests/test_admin.py": ["test_an_administrator_sees_and_edits_only_their_own_organisation"],
    "tests/test_demo_data.py": [
        "test_every_activity_is_funded_unfunded_or_not_chargeable_with_a_reason",
        "test_every_seeded_row_has_history_with_a_user",
        "test_the_demo_tells_its_stories",
        "test_the_demo_shows_funding_control",
    ],
    "tests/accounts/test_seed_demo.py": [
        "test_seed_demo_twice_gives_the_same_data",
        "test_seed_demo_has_a_user_for_every_role_and_prints_working_logins",
    ],
    "tests/accounts/test_views.py": [
        "test_landing_page_requires_login",
        "test_login_with_the_right_password_lands_on_the_start_page",
        "test_login_with_a_wrong_password_says_so_in_dutch",
        "test_language_switch_to_english_and_back",
    ],
    "tests/accounts/test_login_security.py": [
        "test_five_failures_lock_out_that_username_from_that_address",
    ],
    "tests/accounts/test_models.py": [
        "test_organisation_create_accepts_8_digits_and_records_history"
    ],
    "tests/clients/test_services.py": [
        "test_bsn_is_unique_per_organisation_but_not_across_organisations",
        "test_client_update_moves_responsibility_when_the_stay_ends_and_records_history",
    ],
    "tests/clients/test_selectors.py": [
        "test_joining_the_care_team_grants_access_to_the_client",
        "test_leaving_the_care_team_revokes_access_at_once",
    ],
    "tests/trajectories/test_views.py": [
        "test_the_caseworker_sees_every_lane_note_and_goal",
        "test_a_teacher_sees_the_education_lane_only_and_never_a_treatment_note",
        "test_my_clients_lists_the_care_team_clients_and_searches",
    ],
    "tests/trajectories/test_forms_views.py": [
        "test_a_caseworker_logs_a_treatment_step_and_sees_where_it_is_funded",
        "test_a_teacher_records_attendance_and_sees_the_schooling_record",
    ],
    "tests/trajectories/test_services.py": ["test_goals_are_added_and_updated_with_history"],
    "tests/funding/test_services.py": [
        "test_activity_is_assigned_to_the_clients_fitting_allocation_with_its_reason",
        "test_jeugdwet_pays_the_day_before_the_18th_birthday_and_not_on_it",
        "test_volume_is_never_overdrawn_in_the_week",
        "test_month_and_day_windows",
    ],
    "tests/funding/test_selectors.py": [
        "test_a_weekly_allocation_counts_the_current_iso_week_only",
        "test_the_queue_values_minutes_at_an_hour_tariff",
    ],
    "tests/funding/test_alerts.py": [
        "test_each_cause_raises_one_alert_and_a_second_run_raises_nothing",
    ],
    "tests/funding/test_mosaic.py": ["test_the_months_show_the_trend"],
    "tests/funding/test_pilots.py": [
        "test_a_pilot_clients_care_draws_on_the_pilot_before_an_allocation",
    ],
    "tests/funding/test_use.py": [
        "test_twice_a_week_for_four_weeks_on_600_minutes_runs_out_a_week_later",
    ],
    "tests/funding/test_views.py": ["test_a_manager_sees_the_organisations_funding"],
    "tests/funding/test_control_views.py": [
        "test_the_manager_sees_the_organisations_alerts_and_a_shielded_client_by_pseudonym",
    ],
    "tests/reports/test_selectors.py": [
        "test_the_totals_equal_the_activities_computed_independently",
    ],
    "tests/reports/test_views.py": [
        "test_a_manager_requests_a_report_and_downloads_it",
        "test_a_pdf_report_is_built_as_well",
    ],
    "tests/audit/test_access_log.py": [
        "test_a_client_page_read_writes_exactly_one_complete_entry",
        "test_the_application_cannot_change_or_delete_an_entry",
        "test_history_page_shows_who_changed_what_without_notes_and_exports_csv",
    ],
    "tests/api/test_clients.py": [
        "test_my_clients_are_those_on_my_care_teams_and_each_shown_is_logged",
        "test_logging_an_activity_runs_the_funding_assignment_and_says_where_and_why",
    ],
    "tests/api/test_funding.py": ["test_an_allocation_with_its_use_and_forecast"],
}


def _xdist_group(config: pytest.Config, item: pytest.Item, group: str) -> None:
    """Send the item to the group's one worker under `--dist loadgroup`. pytest-xdist 3.8 marks a
    group by appending "@group" to the item's `_nodeid`, which pytest 9.2 no longer reads (the
    node id is `_id`), so its `xdist_group` marker has no effect there: this appends it where
    pytest keeps it. tests/test_suite_grouping.py fails if the two stop agreeing."""
    if getattr(config.option, "loadgroup", False) and not item.nodeid.endswith(f"@{group}"):
        item._id = coerce_node_id(f"{item.nodeid}@{group}")


def needs_database(item: pytest.Item) -> bool:
    """Whether the test sets up the test database (pytest-django's fixtures or marker)."""
    return "django_db_setup" in getattr(item, "fixturenames", ()) or bool(
        item.get_closest_marker("django_db")
    )


class _DatabaseLast:
    """The tests that need no database first, after pytest-django's own order (which puts them
    last) and the browser tests' (tests/browser/conftest.py), keeping both among the rest (a
    stable sort): under pytest-xdist one worker migrates the template (the seeded demo's group,
    the largest, goes to a worker first) while the other runs these instead of waiting."""

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        items.sort(key=needs_database)


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(_DatabaseLast(), "tests-suite-database-last")


@pytest.hookimpl(tryfirst=True)  # before `-m smoke` deselects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the smoke set; run the modules that read the seeded demo one after the other (where
    the first of them is) and, with pytest-xdist (`--dist loadgroup`, the Makefile), on one
    worker, so that it is seeded once for all of them."""
    seeded = [item for item in items if "seeded_demo" in getattr(item, "fixturenames", ())]
    for item in seeded:
        _xdist_group(config, item, "seeded_demo")
    if seeded:
        first = items.index(seeded[0])
        chosen = set(seeded)
        rest = [item for item in items if item not in chosen]
        items[:] = rest[:first] + seeded + rest[first:]
    for item in items:
        path = item.nodeid.split("::", 1)[0]
        name = getattr(item, "originalname", None) or item.name.split("[", 1)[0]
        if name in SMOKE_TESTS.get(path, ()):
            item.add_marker(pytest.mark.smoke)
