"""Reads of the meldcode and the reports to the inspectorate, for the client's care team."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from apps.accounts.models import Role, User
from apps.audit.models import AccessBasis, AccessEvent, AccessOutcome
from apps.audit.services import access_log_record
from apps.clients.models import Client
from apps.trajectories.access import (
    ClientAccess,
    caseload_access_for,
    client_access_for,
    memberships_giving_access,
    part_not_of_client,
)
from apps.trajectories.models import TeamRole

from .meldcode import meldcode_access_allows
from .meldcode_rules import (
    Afweging,
    NextThing,
    afwegingskader_outcome,
    decisions_allowed,
    inspectorate_report_due,
    inspectorate_report_late,
    track_next,
)
from .models import (
    InspectorateReport,
    MeldcodeFollowUp,
    MeldcodeStep,
    MeldcodeStepRecord,
    MeldcodeTrack,
    MeldcodeTrackStatus,
)


def meldcode_client_open_for(*, user: User, pk: int, what: str) -> tuple[Client, ClientAccess]:
    """The door to a client's meldcode and inspectorate reports: the care team only. Anyone
    else, whatever they may see of the client otherwise, gets 404 and a refused entry in the
    access log (not even that a track exists is revealed); an allowed read is logged."""
    client = (
        Client.objects.select_related("organisation", "municipality", "responsible_municipality")
        .filter(pk=pk)
        .first()
    )
    access = client_access_for(user=user, client=client) if client is not None else None
    if not meldcode_access_allows(access):
        access_log_record(
            user=user,
            event=AccessEvent.VIEW,
            basis=access.basis if access is not None else AccessBasis.NONE,
            outcome=AccessOutcome.REFUSED,
            client=client,
            detail=what,
            acting_role=access.acting_role if access is not None else "",
        )
        raise Http404
    access_log_record(
        user=user,
        event=AccessEvent.VIEW,
        basis=access.basis,
        client=client,
        detail=what,
        acting_role=access.acting_role,
    )
    return client, access


def _tracks() -> QuerySet[MeldcodeTrack]:
    return MeldcodeTrack.objects.select_related("opened_by", "reported_by").prefetch_related(
        Prefetch(
            "steps",
            queryset=MeldcodeStepRecord.objects.select_related("recorded_by").order_by("step"),
        ),
        Prefetch(
            "follow_ups",
            queryset=MeldcodeFollowUp.objects.select_related("recorded_by").order_by("date", "pk"),
        ),
    )


@dataclass
class TrackState:
    """What a track's page and reminders show: its steps by number, the weighing's outcome,
    the decision, and what it waits for."""

    track: MeldcodeTrack
    steps: dict[int, MeldcodeStepRecord]
    afweging: Afweging | None
    decision: str
    next: NextThing | None
    stalled: bool

    @property
    def next_step(self) -> int | None:
        return self.next.step if self.next is not None else None

    @property
    def decisions_allowed(self) -> frozenset[str]:
        return decisions_allowed(self.afweging) if self.afweging else frozenset()

    @property
    def help_fails(self) -> bool:
        """Afweging 5 answered "no" at the last follow-up: report (again) to Veilig Thuis."""
        follow_ups = list(self.track.follow_ups.all())
        return bool(follow_ups) and follow_ups[-1].help_works is False


def track_state(track: MeldcodeTrack, *, today: date) -> TrackState:
    """A track's state from its prefetched steps and follow-ups (no query)."""
    steps = {record.step: record for record in track.steps.all()}
    weighing = steps.get(MeldcodeStep.WEIGHING)
    afweging = (
        afwegingskader_outcome(
            suspicion=weighing.suspicion,
            acute_or_structural=weighing.acute_or_structural,
            effective_help=weighing.effective_help,
            help_accepted=weighing.help_accepted,
        )
        if weighing is not None
        else None
    )
    decision = steps[MeldcodeStep.DECISION].decision if MeldcodeStep.DECISION in steps else ""
    follow_ups = list(track.follow_ups.all())
    next_thing = (
        track_next(
            opened_on=track.opened_on,
            steps={number: record.date for number, record in steps.items()},
            decision=decision,
            reported_on=track.reported_on,
            last_follow_up=follow_ups[-1].date if follow_ups else None,
        )
        if track.status == MeldcodeTrackStatus.OPEN
        else None
    )
    return TrackState(
        track=track,
        steps=steps,
        afweging=afweging,
        decision=decision,
        next=next_thing,
        stalled=next_thing is not None and next_thing.stalled_on(today),
    )


def meldcode_tracks_of(*, client: Client, today: date) -> list[TrackState]:
    """The client's tracks, the open ones first, each with its state (three queries)."""
    tracks = _tracks().filter(client=client).order_by("status", "-opened_on", "-pk")
    return [track_state(track, today=today) for track in tracks]


def meldcode_track_of(*, user: User, client: Client, track_pk: int, today: date) -> TrackState:
    """One track of the client (the client is opened through the door already); 404, logged as
    refused, for a track of another client."""
    track = _tracks().filter(client=client, pk=track_pk).first()
    if track is None:
        raise part_not_of_client(user=user, client=client, what="meldcode track")
    return track_state(track, today=today)


@dataclass(frozen=True)
class Reminder:
    client: Client
    name: str
    state: TrackState


def meldcode_reminders_for(*, user: User, today: date) -> list[Reminder]:
    """The stalled tracks of the clients on whose care team the user is a caseworker now, the
    longest stalled first (four queries whatever the caseload). The name is the one the care
    team sees: the reminder goes to the care team only."""
    client_ids = (
        memberships_giving_access(user=user)
        .filter(role=TeamRole.CASEWORKER)
        .values("trajectory__client_id")
    )
    tracks = list(
        _tracks()
        .select_related("client")
        .filter(
            client_id__in=client_ids,
            client__organisation_id=user.organisation_id,
            status=MeldcodeTrackStatus.OPEN,
        )
    )
    stalled = [track_state(track, today=today) for track in tracks]
    stalled = [state for state in stalled if state.stalled]
    access = caseload_access_for(user=user, clients=[state.track.client for state in stalled])
    stalled.sort(key=lambda state: (state.next.due, state.track.pk))
    return [
        Reminder(
            state.track.client, access[state.track.client_id].name_of(state.track.client), state
        )
        for state in stalled
        if state.track.client_id in access
        and access[state.track.client_id].acting_role == Role.CASEWORKER
    ]


# --- reports to the inspectorate ---------------------------------------------------------------


@dataclass
class InspectorateTimeline:
    report: InspectorateReport
    due: date
    late: bool
    investigation_overdue: bool


def inspectorate_timeline(report: InspectorateReport, *, today: date) -> InspectorateTimeline:
    return InspectorateTimeline(
        report=report,
        due=inspectorate_report_due(report.discovered_on),
        late=inspectorate_report_late(
            discovered_on=report.discovered_on, reported_on=report.reported_on, today=today
        ),
        investigation_overdue=report.investigation_due is not None
        and report.investigation_sent_on is None
        and report.investigation_due < today,
    )


def inspectorate_reports_of(*, client: Client, today: date) -> list[InspectorateTimeline]:
    reports = InspectorateReport.objects.filter(client=client).select_related("recorded_by")
    return [inspectorate_timeline(report, today=today) for report in reports]


def inspectorate_report_of(*, user: User, client: Client, report_pk: int) -> InspectorateReport:
    report = (
        InspectorateReport.objects.filter(client=client, pk=report_pk)
        .select_related("recorded_by")
        .first()
    )
    if report is None:
        raise part_not_of_client(user=user, client=client, what="inspectorate report")
    return report
