"""Group and class registers: one session with several clients, each with their own activity.

A register (``GroupSession``) is what the worker filled in once; its participant rows point to
the activity each client got through ``apps.trajectories.services.activity_log`` (funded
separately, as any activity). A class (``SchoolClass``) is a teacher's named group of pupils;
its lessons are group sessions in the education lane. ``AbsenceReport`` records that the
unexcused absence of a pupil was reported to the compulsory-education officer
(leerplichtambtenaar, Leerplichtwet 1969 art. 21a).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.domains import ActivityKind, Attendance, Domain


class SchoolClass(models.Model):
    """A teacher's class: a named group of pupils (clients on whose care team the teacher is
    in the education lane)."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="school_classes",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=100)
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="school_classes",
        verbose_name=_("teacher"),
    )
    lesson_minutes = models.PositiveIntegerField(_("usual lesson length in minutes"), default=50)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["teacher", "name"], name="one_class_name_per_teacher")
        ]

    def __str__(self) -> str:
        return self.name


class ClassPupil(models.Model):
    """A pupil in a class, from the day added until the day removed (nothing is deleted)."""

    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.PROTECT, related_name="pupils", verbose_name=_("class")
    )
    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.PROTECT,
        related_name="class_memberships",
        verbose_name=_("pupil"),
    )
    added_on = models.DateField(_("added on"))
    removed_on = models.DateField(_("removed on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pupil of a class")
        verbose_name_plural = _("pupils of a class")
        constraints = [
            models.UniqueConstraint(
                fields=["school_class", "client"],
                condition=models.Q(removed_on__isnull=True),
                name="one_current_place_per_pupil_and_class",
            )
        ]

    def __str__(self) -> str:  # no name: the pupil is shown by whoever may see it
        return f"{self.school_class} #{self.client_id}"


class GroupSession(models.Model):
    """One group session (a group therapy, a training, a lesson of a class) as registered."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="group_sessions",
        verbose_name=_("organisation"),
    )
    domain = models.CharField(_("domain"), max_length=20, choices=Domain.choices)
    kind = models.CharField(_("kind"), max_length=30, choices=ActivityKind.choices)
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    duration_minutes = models.PositiveIntegerField(_("duration in minutes"))
    subject = models.CharField(_("subject"), max_length=100, blank=True)
    led_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="group_sessions",
        verbose_name=_("led by"),
    )
    school_class = models.ForeignKey(
        SchoolClass,
        on_delete=models.PROTECT,
        related_name="lessons",
        null=True,
        blank=True,
        verbose_name=_("class"),
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("group session")
        verbose_name_plural = _("group sessions")
        ordering = ["-date", "-start_time", "-pk"]

    def __str__(self) -> str:
        return f"{ActivityKind(self.kind).label} {self.date:%d-%m-%Y}"


class SessionParticipant(models.Model):
    """One client's row of a register: attendance, note and the activity it became.

    A client absent from care or work has no activity (nothing took place for them); in the
    education lane an absence is an activity with its attendance, as for any lesson."""

    session = models.ForeignKey(
        GroupSession,
        on_delete=models.PROTECT,
        related_name="participants",
        verbose_name=_("group session"),
    )
    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.PROTECT,
        related_name="group_participations",
        verbose_name=_("client"),
    )
    attendance = models.CharField(_("attendance"), max_length=20, choices=Attendance.choices)
    note = models.TextField(_("note"), blank=True)
    activity = models.OneToOneField(
        "trajectories.Activity",
        on_delete=models.PROTECT,
        related_name="group_participation",
        null=True,
        blank=True,
        verbose_name=_("activity"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "client"], name="one_row_per_client_and_session"
            )
        ]

    def __str__(self) -> str:
        return f"{self.session} #{self.client_id}"


class AbsenceReport(models.Model):
    """That (and when, by whom) a pupil's unexcused absence was reported to the
    compulsory-education officer (leerplichtambtenaar). Absence up to ``absence_until`` is
    covered: counting starts anew after it."""

    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.PROTECT,
        related_name="absence_reports",
        verbose_name=_("pupil"),
    )
    school_class = models.ForeignKey(
        SchoolClass,
        on_delete=models.PROTECT,
        related_name="absence_reports",
        null=True,
        blank=True,
        verbose_name=_("class"),
    )
    reported_on = models.DateField(_("reported on"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="absence_reports",
        verbose_name=_("reported by"),
    )
    absence_until = models.DateField(_("absence counted until"))
    unexcused_minutes = models.PositiveIntegerField(_("unexcused absence in minutes"))
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("absence report")
        verbose_name_plural = _("absence reports")
        ordering = ["-reported_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.reported_on:%d-%m-%Y} #{self.client_id}"
