"""The demo's client statement and copy of the record (docs/privacy.md, "A copy of the record
and the client's own statement").

On the first demo client of 12 or older (by client number, not shielded, with an open
trajectory): a statement the young person gave about the record, recorded by the lead
caseworker, so that it shows on the client page; and a request for a copy received five days
ago, with the copy made, so that the privacy officer ("privacy") finds a PDF to download.
"""

from datetime import date, timedelta

from apps.accounts.models import User
from apps.clients.models import Client
from apps.records.build import record_copy_build
from apps.records.models import RecordCopy
from apps.records.services import (
    access_request_record,
    client_statement_add,
    record_copy_request,
)
from apps.trajectories.models import Trajectory, TrajectoryStatus

STATEMENT = (
    "Ik ben het niet eens met de notitie dat ik in oktober 'zonder reden' niet op school was. "
    "Ik was die weken ziek en heb dat toen ook tegen mijn mentor gezegd."
)
REQUEST_NOTE = "Gevraagd tijdens het gesprek op kantoor; identiteit gecontroleerd met ID-kaart."


def demo_records_seed(*, users: dict[str, User], today: date) -> RecordCopy | None:
    """Add a statement and make a copy; returns the copy (None when no client fits)."""
    trajectory = next(
        (
            trajectory
            for trajectory in Trajectory.objects.filter(
                status=TrajectoryStatus.OPEN,
                client__shielded=False,
                client__organisation=users["privacy"].organisation,
            )
            .select_related("client", "lead_caseworker")
            .order_by("client__client_number")
            if trajectory.client.age_on(today) >= 12
        ),
        None,
    )
    if trajectory is None:
        return None
    client: Client = trajectory.client
    client_statement_add(
        client=client,
        text=STATEMENT,
        given_by="young_person",
        given_on=today - timedelta(days=3),
        actor=trajectory.lead_caseworker,
    )
    request = access_request_record(
        client=client,
        kind="copy",
        requester="young_person",
        received_on=today - timedelta(days=5),
        note=REQUEST_NOTE,
        actor=users["privacy"],
    )
    copy = record_copy_request(access_request=request, actor=users["privacy"], language="nl")
    # Made now rather than on commit, so that the demo has its PDF whatever the transaction.
    return record_copy_build(copy_id=copy.pk)
