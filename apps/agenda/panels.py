"""What the agenda adds to the client pages (apps.trajectories.panels)."""

from django.http import HttpRequest
from django.utils import timezone

from apps.accounts.models import User
from apps.clients.models import Client
from apps.trajectories.access import ClientAccess
from apps.trajectories.models import Trajectory, TrajectoryStatus

from .selectors import next_appointment_per_client, next_appointments_for_client
from .services import may_plan


def next_appointments_panel(
    request: HttpRequest, client: Client, access: ClientAccess, trajectory: Trajectory | None
) -> dict | None:
    """The client's next appointments in the user's lanes and "plan an appointment", for who
    may plan with the client (managers see figures, not the agenda). The client page's own entry
    in the access log covers the read."""
    if not may_plan(access) or trajectory is None:
        return None
    appointments = next_appointments_for_client(
        client=client, lanes=access.lanes, today=timezone.localdate()
    )
    return {
        "client": client,
        "appointments": appointments,
        "may_plan": trajectory.status == TrajectoryStatus.OPEN,
        "sees_notes": access.sees_notes,
    }


def next_appointment_column(clients: list[Client], user: User) -> dict:
    """ "My clients": the user's next appointment with each client (one query)."""
    return next_appointment_per_client(user=user, clients=clients, today=timezone.localdate())
