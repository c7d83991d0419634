"""The access log cannot be emptied or changed, not even by the application's own database role.

Two layers (docs/deployment.md, "PostgreSQL"): triggers refuse UPDATE, DELETE and TRUNCATE for
everyone, its owner included; and the application connects as a role that owns no table, so it
can neither switch the triggers off nor alter the table, and holds only SELECT and INSERT on the
log. The second layer is tested as the role the tests run as, which is the application's role
when DATABASE_OWNER_URL is set (tests/conftest.py; CI sets it).
"""

import os

import psycopg
import pytest
from django.core.checks import Tags, run_checks
from django.db import ProgrammingError, connection, transaction

from apps.audit.checks import access_log_guard_problems
from apps.audit.models import AccessLogEntry
from apps.audit.services import access_log_record
from tests.accounts.factories import UserFactory
from tests.conftest import OWNER

INSUFFICIENT_PRIVILEGE = "42501"  # SQLSTATE: permission denied, must be owner

FORBIDDEN = [
    "UPDATE audit_accesslogentry SET detail = 'x'",
    "DELETE FROM audit_accesslogentry",
    "TRUNCATE audit_accesslogentry",
    "ALTER TABLE audit_accesslogentry DISABLE TRIGGER ALL",
    "ALTER TABLE audit_accesslogentry DISABLE TRIGGER audit_access_log_append_only",
    "ALTER TABLE audit_accesslogentry DISABLE TRIGGER audit_access_log_no_truncate",
    "DROP TRIGGER audit_access_log_append_only ON audit_accesslogentry",
    "ALTER TABLE audit_accesslogentry ADD COLUMN note text",
    "ALTER TABLE audit_accesslogentry OWNER TO CURRENT_USER",
    "DROP TABLE audit_accesslogentry",
]


def _execute(sql: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql)


def _fetch(sql: str) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()


def test_truncate_is_refused_by_a_trigger_even_for_the_owner(db_owner):
    with pytest.raises(psycopg.errors.RaiseException, match="append-only: TRUNCATE"):
        db_owner.execute("TRUNCATE audit_accesslogentry")
    db_owner.rollback()
    with pytest.raises(psycopg.errors.RaiseException, match="append-only: TRUNCATE"):
        db_owner.execute("TRUNCATE audit_accesslogentry, accounts_user CASCADE")
    db_owner.rollback()


@pytest.fixture
def app_role(postgres_only) -> str:
    """The role the tests connect as; skipped when it owns the tables (no DATABASE_OWNER_URL)."""
    role, superuser, owner = _fetch(
        "SELECT current_user, rolsuper,"
        " pg_has_role(current_user, c.relowner, 'MEMBER')"
        " FROM pg_roles, pg_class c"
        " WHERE rolname = current_user AND c.oid = 'audit_accesslogentry'::regclass"
    )
    if superuser or owner:
        message = f"the tests connect as {role}, a superuser or the access log's owner"
        if os.environ.get("DATABASE_OWNER_URL"):
            pytest.fail(f"{message}, although DATABASE_OWNER_URL is set")
        pytest.skip(f"{message}: set DATABASE_OWNER_URL (see tests/conftest.py)")
    return role


def test_the_app_role_holds_only_select_and_insert_on_the_access_log(app_role):
    privileges = {
        privilege: _fetch(f"SELECT has_table_privilege('audit_accesslogentry', '{privilege}')")[0]
        for privilege in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "TRIGGER")
    }
    assert privileges == {
        "SELECT": True,
        "INSERT": True,
        "UPDATE": False,
        "DELETE": False,
        "TRUNCATE": False,
        "TRIGGER": False,
    }


@pytest.mark.parametrize("statement", FORBIDDEN)
def test_the_app_role_cannot_change_empty_or_unguard_the_access_log(app_role, statement):
    entry = access_log_record(user=UserFactory(), event="view", basis="care_team")
    with pytest.raises(ProgrammingError) as refused, transaction.atomic():
        _execute(statement)
    assert refused.value.__cause__.sqlstate == INSUFFICIENT_PRIVILEGE, refused.value
    assert AccessLogEntry.objects.filter(pk=entry.pk, detail="").exists()
    assert _fetch(
        "SELECT count(*) FROM pg_trigger"
        " WHERE tgrelid = 'audit_accesslogentry'::regclass AND NOT tgisinternal"
        " AND tgenabled = 'O'"
    ) == (2,)


def test_the_app_role_may_still_write_the_rest(app_role):
    """The privileges the application needs: it writes, updates and deletes elsewhere."""
    user = UserFactory()
    user.first_name = "Changed"
    user.save(update_fields=["first_name"])
    access_log_record(user=user, event="view", basis="care_team")
    assert AccessLogEntry.objects.filter(user=user).count() == 1


# --- the deployment check (apps/audit/checks.py) -------------------------------------------


def test_the_database_check_accepts_the_app_role(app_role):
    assert [m.id for m in run_checks(tags=[Tags.database], databases=["default"])] == []


def test_the_database_check_warns_when_the_app_could_switch_the_triggers_off(postgres_only):
    owner = connection.copy()
    owner.settings_dict.update(OWNER or {})  # without DATABASE_OWNER_URL the tests' role owns
    try:
        problems = access_log_guard_problems(owner)
    finally:
        owner.close()
    assert [p.id for p in problems] == ["audit.W001"]
    assert "append-only triggers" in problems[0].msg
