"""Appointments: planned activities of one worker with one client, and the personal calendar
feed that shows them in a calendar app (docs/agenda.md)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from apps.core.domains import ActivityKind, Domain
from apps.trajectories.models import Activity, Trajectory

PURPOSE_MAX_LENGTH = 200
PLACE_MAX_LENGTH = 200


class AppointmentStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", pgettext_lazy("appointment", "Done")
    NO_SHOW = "no_show", _("No-show")
    CANCELLED = "cancelled", _("Cancelled")


class Appointment(models.Model):
    """One planned activity: who, with whom, in which lane, when and for how long.

    Confirmed, it becomes a logged activity (``activity``); a no-show stays an appointment and
    never becomes an activity (docs/agenda.md)."""

    trajectory = models.ForeignKey(
        Trajectory,
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("trajectory"),
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("worker"),
    )
    domain = models.CharField(_("lane"), max_length=20, choices=Domain.choices)
    kind = models.CharField(_("kind"), max_length=30, choices=ActivityKind.choices)
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start time"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration in minutes"))
    place = models.CharField(_("place"), max_length=PLACE_MAX_LENGTH, blank=True)
    purpose = models.CharField(_("purpose"), max_length=PURPOSE_MAX_LENGTH)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.PLANNED,
    )
    activity = models.OneToOneField(
        Activity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointment",
        verbose_name=_("activity"),
    )
    created_at = models.DateTimeField(_("planned at"), default=timezone.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["date", "start_time", "pk"]
        indexes = [
            models.Index(fields=["worker", "date"]),
            models.Index(fields=["trajectory", "date"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="done", activity__isnull=False)
                | (~models.Q(status="done") & models.Q(activity__isnull=True)),
                name="appointment_done_has_its_activity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d-%m-%Y} {self.start_time:%H:%M} · {self.get_kind_display()}"


class CalendarFeedQuerySet(models.QuerySet):
    def active(self) -> "CalendarFeedQuerySet":
        return self.filter(revoked_at__isnull=True)


class CalendarFeed(models.Model):
    """A personal calendar feed: its secret is in the URL, shown once; only a SHA-256 hash of
    it (256 random bits, so a plain hash is enough, as for API tokens) is kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="calendar_feeds",
        verbose_name=_("user"),
    )
    secret_hash = models.CharField(_("hash of the secret"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = CalendarFeedQuerySet.as_manager()

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user} · {self.created_at:%d-%m-%Y}"
