"""Shared fixtures. Tests build their own data with the factories beside them."""

import os
from collections.abc import Iterator

import environ
import psycopg
import pytest
from django.conf import settings as django_settings
from django.db import connection, connections
from django.db.backends.postgresql.operations import DatabaseOperations
from django.db.models.signals import pre_migrate


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.LANGUAGE_CODE = "nl"
    # The folder transport of the message exchange: one folder per test.
    settings.EXCHANGE_FOLDER = str(tmp_path / "exchange-transport")
    # Hashing is deliberately slow in production; tests only need it to work.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Hypothesis profiles and the demo seeded once per module: tests/suite.py.
pytest_plugins = ["tests.suite"]


@pytest.fixture
def postgres_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL to a PostgreSQL database)")


# --- the database roles (docs/deployment.md, "PostgreSQL") -----------------------------------
#
# With DATABASE_OWNER_URL set (CI does), the test database is created and migrated as that
# owner role, exactly as production migrates, with the application role's default privileges
# set first; the tests then run as the role of DATABASE_URL, which owns nothing. Only the
# user name and password of DATABASE_OWNER_URL are used: same server, same database names.
# Without it, everything runs as the role of DATABASE_URL, as before.


def _owner_credentials() -> dict[str, str] | None:
    url = os.environ.get("DATABASE_OWNER_URL", "")
    if not url:
        return None
    if django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise pytest.UsageError("DATABASE_OWNER_URL is set but DATABASE_URL is not PostgreSQL")
    owner = environ.Env.db_url_config(url)
    return {"USER": owner["USER"], "PASSWORD": owner.get("PASSWORD", "")}


OWNER = _owner_credentials()
APP_ROLE = {key: django_settings.DATABASES["default"].get(key, "") for key in ("USER", "PASSWORD")}


DEFAULT_PRIVILEGES = "tests-app-role-default-privileges"


def _app_role_default_privileges(*, using: str, **kwargs) -> None:
    """Before the migrations: what the owner's new tables grant the application role."""
    role = connections[using].ops.quote_name(APP_ROLE["USER"])
    with connections[using].cursor() as cursor:
        cursor.execute(
            "ALTER DEFAULT PRIVILEGES IN SCHEMA public"
            f" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}"
        )
        cursor.execute(
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE ON SEQUENCES TO {role}"
        )


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix) -> None:
    """Create and migrate the test database (one per xdist worker) as the owner role."""
    if OWNER is not None:
        django_settings.DATABASES["default"].update(OWNER)
        pre_migrate.connect(_app_role_default_privileges, dispatch_uid=DEFAULT_PRIVILEGES)


def _owner_connect(settings_dict: dict) -> psycopg.Connection:
    """A connection to the test database as the owner of its tables, outside Django."""
    credentials = OWNER or settings_dict  # without DATABASE_OWNER_URL the tests' role owns them
    params = {
        "host": settings_dict["HOST"],
        "port": settings_dict["PORT"],
        "dbname": settings_dict["NAME"],
        "user": credentials["USER"],
        "password": credentials["PASSWORD"],
    }
    conn = psycopg.connect(**{key: value for key, value in params.items() if value})
    conn.execute("SET lock_timeout = '30s'")  # a lock held by the test's connection: fail, not hang
    return conn


# The flush after a transactional test TRUNCATEs every table. The access log refuses TRUNCATE
# (its trigger), and the application role may TRUNCATE nothing: the flush runs as the owner,
# with the log's triggers off inside the flush's own transaction only.
FLUSH_BEGIN = "ALTER TABLE audit_accesslogentry DISABLE TRIGGER USER"
FLUSH_END = "ALTER TABLE audit_accesslogentry ENABLE TRIGGER USER"


def _execute_sql_flush_as_owner(self, sql_list: list[str]) -> None:
    if not sql_list:
        return
    with _owner_connect(self.connection.settings_dict) as conn, conn.transaction():
        for sql in [FLUSH_BEGIN, *sql_list, FLUSH_END]:
            conn.execute(sql)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker) -> Iterator[None]:
    """The test databases as pytest-django sets them up, then the tests as the application role."""
    pre_migrate.disconnect(dispatch_uid=DEFAULT_PRIVILEGES)
    database = django_settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        yield
        return

    original_flush = DatabaseOperations.execute_sql_flush
    DatabaseOperations.execute_sql_flush = _execute_sql_flush_as_owner
    if OWNER is not None:
        with django_db_blocker.unblock():
            connections.close_all()
        database.update(APP_ROLE)
    try:
        yield
    finally:
        DatabaseOperations.execute_sql_flush = original_flush
        if OWNER is not None:  # the owner drops the test database
            with django_db_blocker.unblock():
                connections.close_all()
            database.update(OWNER)


@pytest.fixture
def db_owner(postgres_only) -> Iterator[psycopg.Connection]:
    """A connection to the test database as its owner, beside the test's own connection."""
    with _owner_connect(connection.settings_dict) as conn:
        try:
            yield conn
        finally:
            conn.rollback()  # whatever the test did, not committed


@pytest.fixture
def as_schema_owner() -> Iterator[None]:
    """The test's own connection as the owner of the tables, for tests that migrate back and
    forth: changing the schema is the owner role's (docs/deployment.md). Without
    DATABASE_OWNER_URL (SQLite, or PostgreSQL as one role) nothing changes."""
    if OWNER is None:
        yield
        return
    settings_dict = connection.settings_dict
    saved = {key: settings_dict[key] for key in OWNER}
    connection.close()
    settings_dict.update(OWNER)
    try:
        yield
    finally:
        connection.close()
        settings_dict.update(saved)
