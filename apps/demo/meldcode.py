"""The demo's meldcode track (apps/safety, docs/privacy.md).

One track in progress on the first demo client, kept by its lead caseworker: the signals, the
consultation (Veilig Thuis consulted for advice) and the conversation with the client are
recorded; the weighing with the afwegingskader is past its week, so the track shows as stalled
on the client page and on the caseworker's day page. The emergency access the demo opens on the
same client (behandelaar2) does not see it.
"""

from datetime import date, timedelta

from apps.accounts.models import User
from apps.safety.meldcode import meldcode_step_record, meldcode_track_open
from apps.safety.models import MeldcodeStep, MeldcodeTrack
from apps.trajectories.models import Trajectory, TrajectoryStatus


def demo_meldcode_seed(*, client_number: str, today: date) -> MeldcodeTrack | None:
    """Open the track and record steps 1 to 3; None when the client has no open trajectory."""
    trajectory = (
        Trajectory.objects.filter(
            client__client_number=client_number,
            status=TrajectoryStatus.OPEN,
            lead_caseworker__isnull=False,
        )
        .select_related("client", "lead_caseworker")
        .first()
    )
    if trajectory is None:
        return None
    caseworker: User = trajectory.lead_caseworker
    opened = today - timedelta(days=20)
    track = meldcode_track_open(
        client=trajectory.client,
        concern="Signalen van hernieuwd contact met de loverboy",
        opened_on=opened,
        actor=caseworker,
    )
    steps = [
        (
            MeldcodeStep.SIGNALS,
            opened,
            "Nieuwe telefoon, cadeaus, laat thuis; zegt 'een vriend' te zien.",
            {},
        ),
        (
            MeldcodeStep.CONSULTATION,
            opened + timedelta(days=4),
            "Besproken met de aandachtsfunctionaris; Veilig Thuis anoniem geraadpleegd.",
            {"veilig_thuis_consulted": True},
        ),
        (
            MeldcodeStep.CONVERSATION,
            opened + timedelta(days=8),
            "Gesprek gevoerd; zij ontkent contact maar is zichtbaar angstig.",
            {"conversation_held": True},
        ),
    ]
    for step, day, outcome, extra in steps:
        meldcode_step_record(
            track=track, step=step, date=day, outcome=outcome, actor=caseworker, **extra
        )
    return track
