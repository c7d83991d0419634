"""The access log is kept five years from the moment an entry is written, then purged nightly.

Besluit van de Minister voor Medische Zorg van 27 juni 2019 (Stcrt. 2019, 38007), on the ground
of art. 5 lid 2 Besluit elektronische gegevensverwerking door zorgaanbieders: "De logging ...
wordt ten minste 5 jaar bewaard vanaf het moment dat de logregel wordt geschreven." NEN 7513
par. 8.5: at least two years, at most the record's own period (twenty years: WGBO art. 7:454
lid 3, Jeugdwet art. 7.3.8). We keep the least the law allows (AVG art. 5 lid 1 onder c, e).
"""

import datetime

import psycopg
import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from apps.audit.models import AccessLogEntry
from apps.audit.services import (
    ACCESS_LOG_RETENTION_YEARS,
    access_log_purge_expired,
    access_log_retention_cutoff,
)
from apps.audit.tasks import access_log_purge_task

NOW = timezone.now()


def _entry(*, age: datetime.timedelta, years: int = 0) -> AccessLogEntry:
    when = access_log_retention_cutoff(now=NOW) if years else NOW
    return AccessLogEntry.objects.create(
        occurred_at=when - age, event="view", basis="none", outcome="allowed"
    )


def test_the_retention_is_five_years():
    assert ACCESS_LOG_RETENTION_YEARS == 5


def test_the_cutoff_counts_calendar_years_and_29_february_goes_to_28_february():
    tz = datetime.UTC
    assert access_log_retention_cutoff(
        now=datetime.datetime(2026, 11, 30, 3, 45, tzinfo=tz)
    ) == datetime.datetime(2021, 11, 30, 3, 45, tzinfo=tz)
    assert access_log_retention_cutoff(
        now=datetime.datetime(2028, 2, 29, tzinfo=tz)
    ) == datetime.datetime(2023, 2, 28, tzinfo=tz)


def test_entries_older_than_five_years_are_purged_and_younger_ones_kept(db):
    old = _entry(age=datetime.timedelta(days=1), years=5)
    kept_just = _entry(age=-datetime.timedelta(hours=1), years=5)
    recent = _entry(age=datetime.timedelta(days=30))
    assert access_log_purge_expired() == 1
    assert set(AccessLogEntry.objects.values_list("pk", flat=True)) >= {kept_just.pk, recent.pk}
    assert not AccessLogEntry.objects.filter(pk=old.pk).exists()
    assert access_log_purge_expired() == 0  # nothing left to do


def test_the_nightly_task_purges_and_is_scheduled(db):
    _entry(age=datetime.timedelta(days=400), years=5)
    assert access_log_purge_task() == {"purged": 1}
    schedule = settings.CELERY_BEAT_SCHEDULE["access-log-purge"]
    assert schedule["task"] == access_log_purge_task.name


def test_the_database_refuses_a_purge_inside_the_five_years(postgres_only):
    """The SQL function keeps the five years itself: no role that may call it can shorten them."""
    recent = _entry(age=datetime.timedelta(days=1), years=5)
    with (
        pytest.raises(DatabaseError, match="kept five years"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "SELECT audit_access_log_purge(now() - interval '5 years' + interval '1 day')"
        )
    assert AccessLogEntry.objects.filter(pk=recent.pk).exists()


def test_a_younger_entry_cannot_be_deleted_even_by_the_owner_in_purge_mode(db_owner):
    (entry_pk,) = db_owner.execute(
        "INSERT INTO audit_accesslogentry (occurred_at, username, acting_role, event,"
        " object_type, object_id, detail, user_agent, basis, reason, outcome)"
        " VALUES (now() - interval '4 years', '', '', 'view', '', '', '', '', 'none', '',"
        " 'allowed') RETURNING id"
    ).fetchone()
    with db_owner.transaction():
        db_owner.execute("SELECT set_config('audit.purge', 'on', true)")
        with pytest.raises(psycopg.DatabaseError, match="append-only"), db_owner.transaction():
            db_owner.execute("DELETE FROM audit_accesslogentry WHERE id = %s", [entry_pk])
    assert db_owner.execute(
        "SELECT count(*) FROM audit_accesslogentry WHERE id = %s", [entry_pk]
    ).fetchone() == (1,)
