"""Writes of the audit app: access-log entries (synchronously, in the request) and
emergency access (break the glass)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import Role, User
from apps.core.errors import PermissionRefused

from .context import current_access_point
from .models import AccessBasis, AccessEvent, AccessLogEntry, AccessOutcome, BreakGlassAccess

if TYPE_CHECKING:
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


def break_glass_permitted(*, user: User, client: Client) -> bool:
    """Only a caseworker of the client's own organisation may break the glass."""
    return (
        user.is_authenticated
        and user.has_role(Role.CASEWORKER)
        and user.organisation_id is not None
        and user.organisation_id == client.organisation_id
    )


def break_glass_refused(*, user: User, client: Client | None) -> None:
    """Log a refused attempt to open a client in an emergency."""
    access_log_record(
        user=user,
        event=AccessEvent.BREAK_THE_GLASS,
        basis=AccessBasis.NONE,
        outcome=AccessOutcome.REFUSED,
        client=client,
    )


@transaction.atomic
def break_glass_open(*, user: User, client: Client, reason: str) -> BreakGlassAccess:
    """Open a client for a caseworker outside the care team, for a limited time, and log it."""
    reason = reason.strip()
    if not break_glass_permitted(user=user, client=client):
        break_glass_refused(user=user, client=client)
        raise PermissionRefused(
            _("Only caseworkers of the client's organisation may break the glass.")
        )
    if len(reason) < 15:
        raise ValidationError(
            {
                "reason": _(
                    "Describe the emergency in at least 15 characters: the privacy officer "
                    "reviews it."
                )
            }
        )
    now = timezone.now()
    access = BreakGlassAccess(
        user=user,
        client=client,
        reason=reason,
        started_at=now,
        expires_at=now + timedelta(hours=settings.BREAK_GLASS_HOURS),
    )
    access._history_user = user
    access.save()
    access_log_record(
        user=user,
        event=AccessEvent.BREAK_THE_GLASS,
        basis=AccessBasis.BREAK_THE_GLASS,
        client=client,
        obj=access,
        reason=reason,
        acting_role=Role.CASEWORKER,
    )
    return access


@transaction.atomic
def break_glass_review(
    *, access: BreakGlassAccess, reviewer: User, comment: str
) -> BreakGlassAccess:
    """Mark an emergency access as reviewed by the privacy officer, with a comment."""
    access = BreakGlassAccess.objects.select_for_update().select_related("client").get(pk=access.pk)
    if (
        not reviewer.has_role(Role.PRIVACY_OFFICER)
        or reviewer.organisation_id != access.client.organisation_id
    ):
        raise PermissionRefused(
            _("Only the organisation's privacy officer reviews emergency access.")
        )
    if access.reviewed_at is not None:
        raise ValidationError(_("This emergency access has already been reviewed."))
    if not comment.strip():
        raise ValidationError({"review_comment": _("Write down what the review found.")})
    access.reviewed_by = reviewer
    access.reviewed_at = timezone.now()
    access.review_comment = comment.strip()
    access._history_user = reviewer
    access.save(update_fields=["reviewed_by", "reviewed_at", "review_comment"])
    return access
