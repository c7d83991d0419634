"""Reads of the day page and the manager's client search: figures computed in the database, in
a fixed number of queries whatever the size of the organisation."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from apps.accounts.models import Organisation, UnsavedForm, User
from apps.accounts.unsaved_forms import browser_keys
from apps.clients.models import Client
from apps.control.alerts import clients_as_caseworker
from apps.core.domains import ActivityKind
from apps.exchange.allocations_in.waiting import waiting_allocations_for
from apps.exchange.declarations.selectors import declaration_rejected_for
from apps.funding.models import AlertKind, FundingAlert
from apps.trajectories.access import client_list_for_user
from apps.trajectories.models import Activity, FundingStatus, Trajectory, TrajectoryStatus

# Presence is counted in nights and day parts, never in minutes: no duration is missing there.
PRESENCE_KINDS = (ActivityKind.DAY_ACTIVITY, ActivityKind.RESIDENTIAL_STAY)
# The most clients one section of the day page lists; its count covers them all.
SECTION_LIMIT = 50


# --- the caseworker's, teacher's and job coach's day --------------------------------------------


@dataclass(frozen=True)
class UnfinishedActivities:
    """Per client: the user's own recorded activities that wait for funding (only where the
    user is the client's caseworker: nobody else sees funding) and those without a duration."""

    client: Client
    waiting_for_funding: int
    without_duration: int


def unfinished_activities_for(*, user: User) -> tuple[list[UnfinishedActivities], int]:
    """The clients with activities the user logged and has not finished, the most first (at
    most SECTION_LIMIT), and how many clients there are in all. Two queries."""
    own_funding = clients_as_caseworker(user).values("pk")
    rows = (
        Activity.objects.recorded()
        .filter(
            performed_by=user,
            trajectory__client__in=client_list_for_user(user=user).values("pk"),
        )
        .values("trajectory__client_id")
        .annotate(
            waiting=Count(
                "pk",
                filter=Q(funding_status=FundingStatus.UNFUNDED)
                & Q(trajectory__client__in=own_funding),
            ),
            no_duration=Count(
                "pk",
                filter=Q(duration_minutes__isnull=True) & ~Q(kind__in=PRESENCE_KINDS),
            ),
        )
        .filter(Q(waiting__gt=0) | Q(no_duration__gt=0))
        .order_by()
    )
    rows = sorted(
        rows, key=lambda r: (-(r["waiting"] + r["no_duration"]), r["trajectory__client_id"])
    )
    shown = rows[:SECTION_LIMIT]
    clients = Client.objects.in_bulk([row["trajectory__client_id"] for row in shown])
    return [
        UnfinishedActivities(
            client=clients[row["trajectory__client_id"]],
            waiting_for_funding=row["waiting"],
            without_duration=row["no_duration"],
        )
        for row in shown
    ], len(rows)


def unsaved_form_count_for(*, request) -> int:
    """The user's forms kept after a session ended that this browser can open (one query)."""
    keys = browser_keys(request)
    if not keys:
        return 0
    return UnsavedForm.objects.current().filter(user=request.user, pk__in=keys).count()


# --- the manager's signals -------------------------------------------------------------------


@dataclass(frozen=True)
class OrganisationSignals:
    alerts_by_kind: list[tuple[str, int]]  # (label, count), in the order of AlertKind
    open_alerts: int
    rejected_lines: int
    waiting_allocations: int
    unfunded_activities: int

    @property
    def any(self) -> bool:
        return bool(
            self.open_alerts
            or self.rejected_lines
            or self.waiting_allocations
            or self.unfunded_activities
        )


def organisation_signals(*, organisation: Organisation) -> OrganisationSignals:
    """What asks for the manager's attention across the organisation: four count queries."""
    counts = dict(
        FundingAlert.objects.open()
        .filter(organisation=organisation)
        .values("kind")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("kind", "n")
    )
    by_kind = [(kind.label, counts[kind.value]) for kind in AlertKind if counts.get(kind.value)]
    return OrganisationSignals(
        alerts_by_kind=by_kind,
        open_alerts=sum(counts.values()),
        rejected_lines=declaration_rejected_for(organisation=organisation).order_by().count(),
        waiting_allocations=waiting_allocations_for(organisation=organisation).order_by().count(),
        unfunded_activities=Activity.objects.unfunded()
        .filter(trajectory__client__organisation=organisation)
        .count(),
    )


# --- the manager's client search ----------------------------------------------------------------


def _count_of(queryset: QuerySet, client_field: str) -> Coalesce:
    """A correlated count per client, so that two counts never multiply each other's rows."""
    return Coalesce(
        Subquery(
            queryset.filter(**{client_field: OuterRef("pk")})
            .order_by()
            .values(client_field)
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def client_search_for_manager(*, user: User, query: str) -> QuerySet[Client]:
    """The clients of the manager's organisation that match a client number, a pseudonym or
    (only where the name may be shown: not shielded) every word of the query in the given or
    family name. Never the BSN. Each with its figures: recorded activities, those waiting for
    funding, open alerts, and its open trajectory with the lead caseworker (``open_trajectories``).
    Nothing of notes or goals is loaded."""
    query = query.strip()
    matches = Q(client_number__icontains=query) | Q(pseudonym__icontains=query)
    name_match = Q(shielded=False)
    for part in query.split():
        name_match &= Q(given_name__icontains=part) | Q(family_name__icontains=part)
    activities = Activity.objects.recorded()
    return (
        Client.objects.filter(organisation_id=user.organisation_id)
        .kept()
        .filter(matches | name_match)
        .annotate(
            activity_count=_count_of(activities, "trajectory__client"),
            unfunded_count=_count_of(
                activities.filter(funding_status=FundingStatus.UNFUNDED), "trajectory__client"
            ),
            open_alert_count=_count_of(FundingAlert.objects.open(), "client"),
        )
        .prefetch_related(
            Prefetch(
                "trajectories",
                queryset=Trajectory.objects.filter(status=TrajectoryStatus.OPEN).select_related(
                    "lead_caseworker"
                ),
                to_attr="open_trajectories",
            )
        )
        .order_by("client_number", "pk")
    )
