"""Reads of the agenda for pages: a worker's day and week, a client's next appointments."""

from datetime import date, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from apps.accounts.models import User
from apps.clients.models import Client

from .models import Appointment, AppointmentStatus


def _for_worker(user: User) -> QuerySet[Appointment]:
    if not user.is_authenticated or user.organisation_id is None:
        return Appointment.objects.none()
    return Appointment.objects.filter(
        worker=user, trajectory__client__organisation_id=user.organisation_id
    ).select_related("trajectory__client", "activity")


def appointments_for_worker(*, user: User, day: date) -> list[Appointment]:
    """The worker's appointments on one day, in time order (cancelled ones included, marked):
    for the day page. The caller logs the read of the clients it shows."""
    return list(_for_worker(user).filter(date=day).order_by("start_time", "pk"))


def appointments_for_worker_between(*, user: User, first: date, last: date) -> list[Appointment]:
    return list(
        _for_worker(user).filter(date__gte=first, date__lte=last).order_by("date", "start_time")
    )


def next_appointments_for_client(
    *, client: Client, lanes, today: date | None = None, limit: int = 5
) -> list[Appointment]:
    """The client's planned appointments from today on, in the given lanes."""
    today = today or timezone.localdate()
    return list(
        Appointment.objects.filter(
            trajectory__client=client,
            status=AppointmentStatus.PLANNED,
            date__gte=today,
            domain__in=list(lanes),
        )
        .select_related("worker")
        .order_by("date", "start_time", "pk")[:limit]
    )


def next_appointment_per_client(
    *, user: User, clients: list[Client], today: date | None = None
) -> dict[int, Appointment]:
    """The user's next planned appointment with each of the clients, in one query."""
    today = today or timezone.localdate()
    nearest: dict[int, Appointment] = {}
    rows = (
        _for_worker(user)
        .filter(trajectory__client__in=clients, status=AppointmentStatus.PLANNED, date__gte=today)
        .order_by("date", "start_time", "pk")
    )
    for appointment in rows:
        nearest.setdefault(appointment.trajectory.client_id, appointment)
    return nearest


def week_of(day: date) -> tuple[date, date]:
    """Monday and Sunday of the day's week."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)
