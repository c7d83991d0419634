"""Writes of the audit app: access-log entries, synchronously, in the request.

The bottom layer: every app writes here, and this module knows users and clients only as the
rows it points to."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import connection, models, transaction
from django.utils import timezone

from .context import current_access_point
from .labels import REPEATED_READS
from .models import AccessBasis, AccessEvent, AccessLogEntry, AccessOutcome

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.clients.models import Client


# The role column is always filled in: the role the page acted in when it says so, otherwise
# the roles the user holds; and these for entries without a signed-in user.
ROLE_SYSTEM = "system"  # a nightly task or a command
ROLE_NOT_SIGNED_IN = "not_signed_in"  # a failed login
ROLE_NONE = "no_role"  # a signed-in user who holds no role (a platform administrator)
ROLE_MAX_LENGTH = 30

# A page that repeats the same read while one form is filled in (labels.REPEATED_READS) writes
# one entry per this window: the first read of the series.
REPEAT_WINDOW = timedelta(minutes=15)


def access_log_role(user: User | None, *, system: bool = False) -> str:
    """The role to log for a user who acted without naming a role: all the roles they hold,
    comma-separated (as many whole codes as the column holds)."""
    if user is None or not user.is_authenticated:
        return ROLE_SYSTEM if system else ROLE_NOT_SIGNED_IN
    joined = ""
    for role in sorted(getattr(user, "roles", ())):
        candidate = f"{joined},{role}" if joined else role
        if len(candidate) > ROLE_MAX_LENGTH:
            break
        joined = candidate
    return joined or ROLE_NONE


def _repeated_read(*, user, client, event, basis, outcome, view_name: str) -> AccessLogEntry | None:
    if (
        view_name not in REPEATED_READS
        or event != AccessEvent.VIEW
        or outcome != AccessOutcome.ALLOWED
        or user is None
        or not user.is_authenticated
    ):
        return None
    return (
        AccessLogEntry.objects.filter(
            user=user,
            client=client,
            view_name=view_name,
            event=event,
            basis=basis,
            outcome=outcome,
            occurred_at__gte=timezone.now() - REPEAT_WINDOW,
        )
        .order_by("-occurred_at", "-pk")
        .first()
    )


def access_log_record(
    *,
    user: User | None,
    event: AccessEvent,
    basis: AccessBasis,
    outcome: AccessOutcome = AccessOutcome.ALLOWED,
    client: Client | None = None,
    obj: models.Model | None = None,
    detail: str = "",
    reason: str = "",
    acting_role: str = "",
    on_behalf_of: User | None = None,
    username: str = "",
) -> AccessLogEntry:
    """Write one access-log entry now (never deferred: a lost job would lose the entry).

    A read that a page repeats while one form is filled in (the live funding preview) is
    written once per ``REPEAT_WINDOW``: the entry already written is returned instead.
    """
    point = current_access_point()
    authenticated = user is not None and user.is_authenticated
    repeated = _repeated_read(
        user=user,
        client=client,
        event=event,
        basis=basis,
        outcome=outcome,
        view_name=point.view_name,
    )
    if repeated is not None:
        return repeated
    organisation_id = (
        client.organisation_id
        if client is not None
        else (user.organisation_id if authenticated else None)
    )
    return AccessLogEntry.objects.create(
        organisation_id=organisation_id,
        user=user if authenticated else None,
        username=(user.get_username() if authenticated else username)[:150],
        acting_role=acting_role or access_log_role(user, system=username == "system"),
        on_behalf_of=on_behalf_of,
        client=client,
        event=event,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        detail=detail[:200],
        ip_address=point.ip_address,
        user_agent=point.user_agent,
        view_name=point.view_name,
        basis=basis,
        reason=reason,
        outcome=outcome,
    )


def access_log_write(
    *,
    actor: User | None,
    event: AccessEvent,
    client: Client,
    obj: models.Model,
    basis: AccessBasis = AccessBasis.CARE_TEAM,
    on_behalf_of: User | None = None,
) -> AccessLogEntry:
    """Log a create, change or cancellation of part of a client's record by a service.

    ``on_behalf_of`` is the responsible colleague when the actor records for someone else.
    """
    return access_log_record(
        user=actor,
        on_behalf_of=on_behalf_of if on_behalf_of != actor else None,
        username="" if actor is not None else "system",
        event=event,
        basis=basis,
        client=client,
        obj=obj,
        detail=f"{obj._meta.verbose_name} {event}"[:200],
    )


def access_log_record_many(
    *,
    user: User,
    clients: list[Client],
    event: AccessEvent,
    basis: AccessBasis,
    detail: str,
    acting_role: str = "",
) -> None:
    """One entry per client shown in a list or search result, in one statement."""
    point = current_access_point()
    role = acting_role or access_log_role(user)
    AccessLogEntry.objects.bulk_create(
        AccessLogEntry(
            organisation_id=client.organisation_id,
            user=user,
            username=user.get_username(),
            acting_role=role,
            client=client,
            event=event,
            object_type="clients.client",
            object_id=str(client.pk),
            detail=detail,
            ip_address=point.ip_address,
            user_agent=point.user_agent,
            view_name=point.view_name,
            basis=basis,
            outcome=AccessOutcome.ALLOWED,
        )
        for client in clients
    )


def access_log_write_many(
    *,
    actor: User | None,
    event: AccessEvent,
    changed: list[tuple[Client, models.Model]],
    basis: AccessBasis,
) -> None:
    """``access_log_write`` for many changed parts of clients' records, in one statement (a
    nightly run; without an actor the entries name the system)."""
    point = current_access_point()
    authenticated = actor is not None and actor.is_authenticated
    role = access_log_role(actor, system=True)
    AccessLogEntry.objects.bulk_create(
        AccessLogEntry(
            organisation_id=client.organisation_id,
            user=actor if authenticated else None,
            username=(actor.get_username() if authenticated else "system")[:150],
            acting_role=role,
            client=client,
            event=event,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            detail=f"{obj._meta.verbose_name} {event}"[:200],
            ip_address=point.ip_address,
            user_agent=point.user_agent,
            view_name=point.view_name,
            basis=basis,
            outcome=AccessOutcome.ALLOWED,
        )
        for client, obj in changed
    )


# NEN 7513 par. 8.5 leaves the period to the organisation, at least two years and at most the
# record's own (twenty years, WGBO 7:454 lid 3, Jeugdwet art. 7.3.8); the Minister set it at at
# least five years from the moment an entry is written (Stcrt. 2019, 38007, on the ground of
# art. 5 lid 2 Besluit elektronische gegevensverwerking door zorgaanbieders). Five it is: the
# least the law allows, since the log itself names clients and their carers (AVG art. 5 lid 1
# onder c and e). Migration 0004's audit_access_log_purge refuses anything shorter.
ACCESS_LOG_RETENTION_YEARS = 5


def access_log_retention_cutoff(*, now: datetime | None = None) -> datetime:
    """The moment before which entries have been kept long enough (calendar years, as
    PostgreSQL's ``now() - interval '5 years'``: 29 February goes back to 28 February)."""
    now = now or timezone.now()
    year = now.year - ACCESS_LOG_RETENTION_YEARS
    try:
        return now.replace(year=year)
    except ValueError:
        return now.replace(year=year, day=28)


@transaction.atomic
def access_log_purge_expired(*, now: datetime | None = None) -> int:
    """Destroy the access-log entries older than the retention period; return how many.

    The only deletion the log allows. On PostgreSQL through audit_access_log_purge (migration
    0004), which runs as the table's owner and refuses a cutoff inside the five years; the
    application's role cannot delete otherwise. Elsewhere (the SQLite demo) a plain delete.
    """
    cutoff = access_log_retention_cutoff(now=now)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT audit_access_log_purge(%s)", [cutoff])
            (purged,) = cursor.fetchone()
        return purged
    expired = AccessLogEntry.objects.filter(occurred_at__lt=cutoff)
    # QuerySet.delete() is refused for the log (AppendOnlyQuerySet); this is the one exception.
    return expired._raw_delete(expired.db)
