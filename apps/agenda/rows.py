"""The agenda's appointments as pages show them: the agenda's week and day, the day page."""

from django.http import HttpRequest
from django.utils import timezone

from apps.audit.models import AccessBasis, AccessEvent
from apps.audit.services import access_log_record_many
from apps.trajectories.access import caseload_access_for

from .models import Appointment


def appointment_rows(
    request: HttpRequest, appointments: list[Appointment], *, what: str
) -> list[dict]:
    """Each appointment with its client as the user may see them (for
    templates/agenda/_appointment.html); the read is logged with `what` as its detail."""
    clients = {a.trajectory.client_id: a.trajectory.client for a in appointments}
    access = caseload_access_for(user=request.user, clients=list(clients.values()))
    access_log_record_many(
        user=request.user,
        clients=list(clients.values()),
        event=AccessEvent.VIEW,
        basis=AccessBasis.CARE_TEAM,
        detail=what,
    )
    rows = []
    for appointment in appointments:
        client = appointment.trajectory.client
        client_access = access.get(client.pk)
        rows.append(
            {
                "appointment": appointment,
                "client": client,
                "name": client_access.name_of(client) if client_access else client.pseudonym,
                "on_team": client_access is not None,
                "ahead": appointment.date > timezone.localdate(),
            }
        )
    return rows
