"""The safety notice at the top of the client page (apps.trajectories.panels, slot TOP).

Shown to everyone on the care team, teachers and job coaches included, and to a caseworker
under emergency access; each showing to a teacher or job coach is logged in the access log
(the client page's own entry says "client page", this one says what they were shown). A
manager learns that a notice is in force, never its text.
"""

from django.utils import timezone

from apps.accounts.models import Role
from apps.audit.models import AccessBasis, AccessEvent
from apps.audit.services import access_log_record
from apps.trajectories.models import TeamRole

from .models import SafetyNotice

LOGGED_ROLES = frozenset({TeamRole.TEACHER, TeamRole.JOB_COACH})


def safety_notice_panel(request, client, access, trajectory) -> dict | None:
    notices = list(
        SafetyNotice.objects.in_force_on(timezone.localdate())
        .filter(client=client)
        .select_related("set_by")
        .order_by("start", "pk")
    )
    may_keep = access.basis == AccessBasis.CARE_TEAM and access.acting_role == Role.CASEWORKER
    if not notices and not may_keep:
        return None
    sees_text = access.basis in (AccessBasis.CARE_TEAM, AccessBasis.BREAK_THE_GLASS)
    if notices and sees_text and access.acting_role in LOGGED_ROLES:
        for notice in notices:
            access_log_record(
                user=request.user,
                event=AccessEvent.VIEW,
                basis=access.basis,
                client=client,
                obj=notice,
                detail="safety notice",
                acting_role=access.acting_role,
            )
    return {
        "client": client,
        "notices": notices if sees_text else [],
        "count": len(notices),
        "sees_text": sees_text,
        "may_keep": may_keep,
    }


def meldcode_panel(request, client, access, trajectory) -> dict | None:
    """The meldcode on the client page: the care team only (not a manager, not emergency
    access: docs/privacy.md), with the stalled steps as reminders and the late reports to the
    inspectorate. Part of the client page, whose read is logged. One query when the client has
    no open track and no open report (the usual case), a few more when it has."""
    from django.db.models import Exists, OuterRef

    from apps.clients.models import Client

    from .meldcode import meldcode_access_allows
    from .models import InspectorateReport, MeldcodeTrack, MeldcodeTrackStatus
    from .selectors import inspectorate_reports_of, meldcode_tracks_of

    if not meldcode_access_allows(access):
        return None
    today = timezone.localdate()
    flags = (
        Client.objects.filter(pk=client.pk)
        .annotate(
            open_tracks=Exists(
                MeldcodeTrack.objects.filter(client=OuterRef("pk"), status=MeldcodeTrackStatus.OPEN)
            ),
            open_reports=Exists(
                InspectorateReport.objects.filter(client=OuterRef("pk"), closed_on__isnull=True)
            ),
        )
        .values("open_tracks", "open_reports")
        .get()
    )
    states = (
        [
            state
            for state in meldcode_tracks_of(client=client, today=today)
            if state.track.status == MeldcodeTrackStatus.OPEN
        ]
        if flags["open_tracks"]
        else []
    )
    late = (
        [
            timeline
            for timeline in inspectorate_reports_of(client=client, today=today)
            if timeline.report.closed_on is None
            and (
                timeline.investigation_overdue
                or (timeline.late and not timeline.report.reported_on)
            )
        ]
        if flags["open_reports"]
        else []
    )
    return {"client": client, "states": states, "late_reports": late}
