"""Shared fixtures. Tests build their own data with the factories beside them."""

import io
import itertools
import os
from collections.abc import Iterator

import environ
import psycopg
import pytest
from django.conf import settings as django_settings
from django.core import serializers
from django.db import connection, connections, transaction
from django.db.backends.postgresql.creation import DatabaseCreation
from django.db.backends.postgresql.operations import DatabaseOperations
from django.db.models.constants import OnConflict
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
def django_db_modify_db_settings(
    request, django_db_modify_db_settings_parallel_suffix
) -> Iterator[None]:
    """Create and migrate the test database (one per xdist worker) as the owner role; with
    pytest-xdist on PostgreSQL, migrate it once for all workers (tests/suite.py)."""
    from tests.suite import migrated_once  # a plugin (pytest_plugins): imported once it is one

    if OWNER is not None:
        django_settings.DATABASES["default"].update(OWNER)
        pre_migrate.connect(_app_role_default_privileges, dispatch_uid=DEFAULT_PRIVILEGES)
    with migrated_once(request.config):
        yield


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

# TRUNCATE makes every one of the 120-odd tables anew, seconds per flush on a busy machine;
# DELETE FROM the same tables empties them in a fraction of that, with the same result: no
# rows left, sequences not reset (the flush of a test without reset_sequences). The foreign
# keys (DEFERRABLE INITIALLY DEFERRED, as Django makes them) are checked at the commit, when
# every table is empty; the tables' row triggers are off within the transaction, since a
# TRUNCATE fires none of them. Should the DELETEs fail (a key not deferrable, a row left in a
# table outside the list), the flush TRUNCATEs as before.
USER_TRIGGER_TABLES = (
    "SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal"
)


class _Flush(list):
    """The TRUNCATE of a flush, with the tables it empties, for the DELETEs."""

    tables: list[str]


original_sql_flush = DatabaseOperations.sql_flush


def _sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False) -> list[str]:
    statements = original_sql_flush(
        self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
    )
    if not tables or reset_sequences or allow_cascade:
        return statements
    flush = _Flush(statements)
    flush.tables = [self.quote_name(table) for table in tables]
    return flush


def _delete_all(conn: psycopg.Connection, tables: list[str]) -> None:
    with conn.transaction():
        conn.execute("SET CONSTRAINTS ALL DEFERRED")
        triggered = [row[0] for row in conn.execute(USER_TRIGGER_TABLES)]
        for table in triggered:
            conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        for table in tables:
            conn.execute(f"DELETE FROM {table}")  # noqa: S608 - Django's quoted table names
        # The deferred foreign keys' checks of the deleted rows are pending until the commit,
        # and a table with pending trigger events cannot be altered (ENABLE TRIGGER): check
        # them now, when every table is empty.
        conn.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in triggered:
            conn.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def _execute_sql_flush_as_owner(self, sql_list: list[str]) -> None:
    if not sql_list:
        return
    with _owner_connect(self.connection.settings_dict) as conn:
        if isinstance(sql_list, _Flush):
            try:
                _delete_all(conn, sql_list.tables)
            except psycopg.Error:
                pass  # rolled back: TRUNCATE then
            else:
                return
        with conn.transaction():
            for sql in [FLUSH_BEGIN, *sql_list, FLUSH_END]:
                conn.execute(sql)


# Before each transactional test (the browser tests), serialized_rollback reloads the
# migrations' reference data (a thousand rows: permissions, content types, municipalities,
# funding streams, groups), which Django saves one row at a time: an UPDATE of the row with
# that key, or an INSERT when there is none, a second or more per test. The same raw rows,
# model by model, as multi-row INSERT ... ON CONFLICT (key) DO UPDATE, with the same
# many-to-many sets and the same constraint check, leave the same tables.
INSERT_BATCH = 500

original_deserialize = DatabaseCreation.deserialize_db_from_string


def _deserialize_in_bulk(self, data: str) -> None:
    alias = self.connection.alias
    table_names = set()
    with transaction.atomic(using=alias), self.connection.constraint_checks_disabled():
        objects = list(serializers.deserialize("json", io.StringIO(data), using=alias))
        for model, group in itertools.groupby(objects, key=lambda obj: type(obj.object)):
            rows = [obj.object for obj in group]
            fields = model._meta.local_concrete_fields
            others = [field for field in fields if not field.primary_key]
            for start in range(0, len(rows), INSERT_BATCH):  # raw: the values as serialized
                model._base_manager.using(alias)._insert(
                    rows[start : start + INSERT_BATCH],
                    fields=fields,
                    raw=True,
                    on_conflict=OnConflict.UPDATE if others else OnConflict.IGNORE,
                    update_fields=others,
                    unique_fields=[model._meta.pk],
                )
            table_names.add(model._meta.db_table)
        for obj in objects:  # as DeserializedObject.save does
            for accessor_name, object_list in (obj.m2m_data or {}).items():
                getattr(obj.object, accessor_name).set(object_list)
        self.connection.check_constraints(table_names=table_names)


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
    DatabaseOperations.sql_flush = _sql_flush
    DatabaseCreation.deserialize_db_from_string = _deserialize_in_bulk
    if OWNER is not None:
        with django_db_blocker.unblock():
            connections.close_all()
        database.update(APP_ROLE)
    try:
        yield
    finally:
        DatabaseOperations.execute_sql_flush = original_flush
        DatabaseOperations.sql_flush = original_sql_flush
        DatabaseCreation.deserialize_db_from_string = original_deserialize
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
