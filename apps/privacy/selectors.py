"""Reads for the privacy officer: the access log and the change history of a client."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.audit.models import AccessLogEntry, BreakGlassAccess
from apps.clients.models import Client, ExtendedYouthCare
from apps.funding.models import Allocation
from apps.trajectories.models import (
    Activity,
    CareTeamMembership,
    Employment,
    Goal,
    SchoolPlacement,
    Trajectory,
)

# Values the privacy officer does not see in the history: clinical text and identity.
HIDDEN_VALUES = frozenset(
    {"note", "description", "given_name", "family_name", "bsn", "date_of_birth"}
)
HISTORY_LIMIT = 500


def access_log_for_client(
    *,
    client: Client,
    user_id: int | None = None,
    event: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AccessLogEntry]:
    """A client's access log, newest first, filtered by user, event and period (whole days)."""
    entries = AccessLogEntry.objects.filter(client=client).select_related(
        "user", "on_behalf_of", "organisation"
    )
    if user_id:
        entries = entries.filter(user_id=user_id)
    if event:
        entries = entries.filter(event=event)
    if since:
        entries = entries.filter(occurred_at__date__gte=since)
    if until:
        entries = entries.filter(occurred_at__date__lte=until)
    return entries.order_by("-occurred_at", "-pk")


def break_glass_review_queue(*, organisation_id: int) -> QuerySet[BreakGlassAccess]:
    return (
        BreakGlassAccess.objects.filter(
            client__organisation_id=organisation_id, reviewed_at__isnull=True
        )
        .select_related("user", "client")
        .order_by("-started_at", "-pk")
    )


def break_glass_reviewed(*, organisation_id: int) -> QuerySet[BreakGlassAccess]:
    return (
        BreakGlassAccess.objects.filter(
            client__organisation_id=organisation_id, reviewed_at__isnull=False
        )
        .select_related("user", "client", "reviewed_by")
        .order_by("-reviewed_at", "-pk")[:50]
    )


@dataclass(frozen=True)
class Change:
    when: datetime
    user: User | None
    what: str
    action: str
    fields: list[tuple[str, str, str]]  # field label, old, new


def _histories(client: Client) -> list[tuple[str, QuerySet]]:
    return [
        (_("client"), Client.history.filter(id=client.pk)),
        (_("trajectory"), Trajectory.history.filter(client_id=client.pk)),
        (_("goal"), Goal.history.filter(trajectory__client_id=client.pk)),
        (
            _("care-team membership"),
            CareTeamMembership.history.filter(trajectory__client_id=client.pk),
        ),
        (_("activity"), Activity.history.filter(trajectory__client_id=client.pk)),
        (_("allocation"), Allocation.history.filter(client_id=client.pk)),
        (_("extended youth care"), ExtendedYouthCare.history.filter(client_id=client.pk)),
        (_("school placement"), SchoolPlacement.history.filter(trajectory__client_id=client.pk)),
        (_("employment"), Employment.history.filter(trajectory__client_id=client.pk)),
    ]


def client_change_history(
    *,
    client: Client,
    user_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
) -> list[Change]:
    """Who changed what of a client's record and when, newest first (the latest
    ``HISTORY_LIMIT``), without clinical text."""
    actions = {"+": _("created"), "~": _("changed"), "-": _("deleted")}
    changes: list[Change] = []
    for label, history in _histories(client):
        if user_id:
            history = history.filter(history_user_id=user_id)
        if since:
            history = history.filter(history_date__date__gte=since)
        if until:
            history = history.filter(history_date__date__lte=until)
        records = list(
            history.select_related("history_user").order_by("-history_date", "-history_id")[
                :HISTORY_LIMIT
            ]
        )
        # Each version is compared with the one before it of the same object.
        records.sort(key=lambda record: (record.id, record.history_date, record.history_id))
        previous_by_object: dict = {}
        for record in records:
            previous = previous_by_object.get(record.id)
            fields = []
            if previous is not None:
                for change in record.diff_against(previous).changes:
                    field = record.instance_type._meta.get_field(change.field)
                    hidden = change.field in HIDDEN_VALUES
                    fields.append(
                        (
                            str(field.verbose_name),
                            "…" if hidden else str(change.old),
                            "…" if hidden else str(change.new),
                        )
                    )
            previous_by_object[record.id] = record
            changes.append(
                Change(
                    when=record.history_date,
                    user=record.history_user,
                    what=f"{label} #{record.id}",
                    action=actions.get(record.history_type, record.history_type),
                    fields=fields,
                )
            )
    changes.sort(key=lambda change: change.when, reverse=True)
    return changes[:HISTORY_LIMIT]
