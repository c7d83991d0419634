"""Reads for the privacy officer: destruction requests, records past their retention date,
tombstones; and the retention date of a record."""

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from django.db.models import Exists, Max, OuterRef, QuerySet
from django.utils import timezone

from apps.clients.models import Client
from apps.trajectories.models import Trajectory, TrajectoryStatus

from .models import (
    RETENTION_YEARS,
    DestructionRequest,
    RequestStatus,
    RetentionDue,
    RetentionExtension,
    Tombstone,
)


@dataclass(frozen=True)
class Retention:
    client_id: int
    last_care_on: date
    until: date  # the later of twenty years after the last care and any recorded extension
    open_care: bool  # a trajectory is still open: the clock has not started

    def past(self, today: date) -> bool:
        return not self.open_care and self.until < today


def retention_of_clients(clients: QuerySet[Client]) -> list[Retention]:
    """The retention date of each client's record, computed in one query: twenty years after
    the last care (the latest activity or trajectory end; BW 7:454 lid 3, Jeugdwet 7.3.9), or
    the latest recorded extension when that is later."""
    rows = (
        clients.filter(tombstone__isnull=True)
        .annotate(
            last_activity=Max("trajectories__activities__date"),
            last_end=Max("trajectories__end"),
            extended_until=Max("retention_extensions__until"),
            open_care=Exists(
                Trajectory.objects.filter(client=OuterRef("pk"), status=TrajectoryStatus.OPEN)
            ),
        )
        .values("pk", "created_at", "last_activity", "last_end", "extended_until", "open_care")
    )
    found = []
    for row in rows:
        candidates = [d for d in (row["last_activity"], row["last_end"]) if d is not None]
        last_care = max(candidates) if candidates else timezone.localdate(row["created_at"])
        until = last_care + relativedelta(years=RETENTION_YEARS)
        if row["extended_until"] and row["extended_until"] > until:
            until = row["extended_until"]
        found.append(
            Retention(
                client_id=row["pk"],
                last_care_on=last_care,
                until=until,
                open_care=row["open_care"],
            )
        )
    return found


def retention_of(client: Client) -> Retention:
    return retention_of_clients(Client.objects.filter(pk=client.pk))[0]


def destruction_requests_for(*, organisation_id: int) -> QuerySet[DestructionRequest]:
    return (
        DestructionRequest.objects.filter(organisation_id=organisation_id)
        .select_related("client", "recorded_by", "reviewed_by")
        .order_by("received_on", "pk")
    )


def open_destruction_requests_for(*, organisation_id: int) -> QuerySet[DestructionRequest]:
    return destruction_requests_for(organisation_id=organisation_id).filter(
        status__in=[RequestStatus.PENDING, RequestStatus.GRANTED]
    )


def closed_destruction_requests_for(*, organisation_id: int) -> QuerySet[DestructionRequest]:
    return (
        destruction_requests_for(organisation_id=organisation_id)
        .filter(status__in=[RequestStatus.REFUSED, RequestStatus.EXECUTED])
        .order_by("-reviewed_at", "-pk")[:50]
    )


def retention_due_for(*, organisation_id: int) -> QuerySet[RetentionDue]:
    return RetentionDue.objects.filter(organisation_id=organisation_id).select_related("client")


def tombstones_for(*, organisation_id: int) -> QuerySet[Tombstone]:
    return Tombstone.objects.filter(organisation_id=organisation_id).select_related(
        "destroyed_by", "request"
    )


def extensions_of(*, client: Client) -> QuerySet[RetentionExtension]:
    return RetentionExtension.objects.filter(client=client).select_related("created_by")
