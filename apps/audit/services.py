"""Writes of the audit app: access-log entries, synchronously, in the request.

The bottom layer: every app writes here, and this module knows users and clients only as the
rows it points to."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

from .context import current_access_point
from .models import AccessBasis, AccessEvent, AccessLogEntry, AccessOutcome

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.clients.models import Client


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
    """Write one access-log entry now (never deferred: a lost job would lose the entry)."""
    point = current_access_point()
    authenticated = user is not None and user.is_authenticated
    organisation_id = (
        client.organisation_id
        if client is not None
        else (user.organisation_id if authenticated else None)
    )
    return AccessLogEntry.objects.create(
        organisation_id=organisation_id,
        user=user if authenticated else None,
        username=(user.get_username() if authenticated else username)[:150],
        acting_role=acting_role,
        on_behalf_of=on_behalf_of,
        client=client,
        event=event,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        detail=detail[:200],
        ip_address=point.ip_address,
        user_agent=point.user_agent,
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
    AccessLogEntry.objects.bulk_create(
        AccessLogEntry(
            organisation_id=client.organisation_id,
            user=user,
            username=user.get_username(),
            acting_role=acting_role,
            client=client,
            event=event,
            object_type="clients.client",
            object_id=str(client.pk),
            detail=detail,
            ip_address=point.ip_address,
            user_agent=point.user_agent,
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
    AccessLogEntry.objects.bulk_create(
        AccessLogEntry(
            organisation_id=client.organisation_id,
            user=actor if authenticated else None,
            username=(actor.get_username() if authenticated else "system")[:150],
            client=client,
            event=event,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            detail=f"{obj._meta.verbose_name} {event}"[:200],
            ip_address=point.ip_address,
            user_agent=point.user_agent,
            basis=basis,
            outcome=AccessOutcome.ALLOWED,
        )
        for client, obj in changed
    )
