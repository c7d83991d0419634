from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from apps.clients.models import Client
from apps.core.domains import ActivityKind, Attendance, Domain
from apps.funding.reasons import funding_reason_text

# Limits on what people type (the forms, the services and the API say and enforce the same).
ACTIVITY_NOTE_MAX_LENGTH = 10_000
# The reason kept with a history row: django-simple-history's change-reason column.
CHANGE_REASON_MAX_LENGTH = 100
GOAL_DESCRIPTION_MAX_LENGTH = 2_000
# A goal's target date lies between the client's birth and this many years from today.
GOAL_TARGET_MAX_YEARS_AHEAD = 10


class TrajectoryStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class TrajectoryPhase(models.TextChoices):
    """The steps of a trajectory (apps.intake.services): registration, intake, treatment,
    aftercare, closed. The trajectory's status and the client's status follow from it."""

    REGISTRATION = "registration", _("Registration")
    INTAKE = "intake", _("Intake")
    TREATMENT = "treatment", _("Treatment")
    AFTERCARE = "aftercare", _("Aftercare")
    CLOSED = "closed", _("Closed")


class ClosingReason(models.TextChoices):
    GOALS_ACHIEVED = "goals_achieved", _("Goals achieved")
    REFERRED_ON = "referred_on", _("Referred to other care")
    CLIENT_STOPPED = "client_stopped", _("The client or the representatives stopped")
    MOVED = "moved", _("Moved out of the region")
    OTHER = "other", _("Other")


class Trajectory(models.Model):
    """A client's single integrated trajectory across care, education and work."""

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="trajectories", verbose_name=_("client")
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=TrajectoryStatus.choices, default=TrajectoryStatus.OPEN
    )
    lead_caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="led_trajectories",
        verbose_name=_("lead caseworker"),
    )
    phase = models.CharField(
        _("phase"),
        max_length=20,
        choices=TrajectoryPhase.choices,
        default=TrajectoryPhase.REGISTRATION,
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("trajectory")
        verbose_name_plural = _("trajectories")
        ordering = ["-start", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["client"],
                condition=models.Q(status="open"),
                name="one_open_trajectory_per_client",
            ),
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="trajectory_end_after_start",
            ),
            # The phase and the status say the same about being closed.
            models.CheckConstraint(
                condition=(models.Q(status="closed") & models.Q(phase="closed"))
                | (~models.Q(status="closed") & ~models.Q(phase="closed")),
                name="trajectory_phase_matches_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client} · {self.start:%d-%m-%Y}"

    def save(self, *args, **kwargs):
        """The phase follows the status wherever the status is written (trajectory_close
        writes only the status): closed is the closed phase, and an open trajectory is never
        in it."""
        closed = self.status == TrajectoryStatus.CLOSED
        if closed != (self.phase == TrajectoryPhase.CLOSED):
            self.phase = TrajectoryPhase.CLOSED if closed else TrajectoryPhase.INTAKE
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "phase"}
        super().save(*args, **kwargs)


class TrajectoryPhaseChange(models.Model):
    """One step of a trajectory's lifecycle: the phase it entered, on which day, by whom; a
    closing also says why. Written only by apps.intake.services, never changed."""

    trajectory = models.ForeignKey(
        Trajectory,
        on_delete=models.PROTECT,
        related_name="phase_changes",
        verbose_name=_("trajectory"),
    )
    phase = models.CharField(_("phase"), max_length=20, choices=TrajectoryPhase.choices)
    reopened = models.BooleanField(_("reopened"), default=False)
    on = models.DateField(_("date"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("by"),
    )
    reason = models.CharField(
        _("reason"), max_length=20, choices=ClosingReason.choices, blank=True, default=""
    )
    note = models.TextField(_("note"), blank=True, default="", max_length=2000)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("phase change")
        verbose_name_plural = _("phase changes")
        ordering = ["trajectory", "recorded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(phase__in=TrajectoryPhase.values),
                name="phase_change_phase_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{TrajectoryPhase(self.phase).label} · {self.on}"


class GoalStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACHIEVED = "achieved", _("Achieved")
    DISCONTINUED = "discontinued", _("Discontinued")


class Goal(models.Model):
    """What the trajectory aims at in one domain."""

    trajectory = models.ForeignKey(
        Trajectory, on_delete=models.PROTECT, related_name="goals", verbose_name=_("trajectory")
    )
    domain = models.CharField(_("domain"), max_length=20, choices=Domain.choices)
    description = models.TextField(_("description"))
    target_date = models.DateField(_("target date"), null=True, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    status = models.CharField(
        _("status"), max_length=20, choices=GoalStatus.choices, default=GoalStatus.OPEN
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["domain", "target_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="goal_progress_max_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{Domain(self.domain).label}: {self.description[:60]}"


class TeamRole(models.TextChoices):
    CASEWORKER = "caseworker", _("Caseworker")
    TEACHER = "teacher", _("Teacher")
    JOB_COACH = "job_coach", _("Job coach")


class CareTeamMembershipQuerySet(models.QuerySet):
    def current_on(self, day) -> "CareTeamMembershipQuerySet":
        return self.filter(start__lte=day).filter(
            models.Q(end__isnull=True) | models.Q(end__gte=day)
        )


class CareTeamMembership(models.Model):
    """A user on a trajectory's care team, in one role, from start until end."""

    trajectory = models.ForeignKey(
        Trajectory,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("trajectory"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role in the team"), max_length=20, choices=TeamRole.choices)
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)

    objects = CareTeamMembershipQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("care-team membership")
        verbose_name_plural = _("care-team memberships")
        ordering = ["start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="membership_end_after_start",
            ),
        ]
        indexes = [models.Index(fields=["user", "end"])]

    def __str__(self) -> str:
        return f"{self.user} · {TeamRole(self.role).label}"


class FundingStatus(models.TextChoices):
    FUNDED = "funded", _("Funded")
    UNFUNDED = "unfunded", _("Unfunded")
    NOT_CHARGEABLE = "not_chargeable", _("Not chargeable")
    PILOT = "pilot", _("Integral pilot budget")
    # Paid per prestatie through a route without allocations (the Zvw: apps.trajectories.routes).
    ROUTE = "route", _("Health insurer (per prestatie)")


class ActivityStatus(models.TextChoices):
    RECORDED = "recorded", _("Recorded")
    CANCELLED = "cancelled", _("Cancelled")


class ActivityQuerySet(models.QuerySet):
    def recorded(self) -> "ActivityQuerySet":
        return self.filter(status=ActivityStatus.RECORDED)

    def unfunded(self) -> "ActivityQuerySet":
        return self.recorded().filter(funding_status=FundingStatus.UNFUNDED)

    def for_client(self, client: Client) -> "ActivityQuerySet":
        return self.filter(trajectory__client=client)


class Activity(models.Model):
    """One thing done for a client, in one domain, and the allocation it draws on."""

    # Not indexed alone (nor the allocation): the indexes (trajectory, -date) and (allocation,
    # date) below start with them (docs/performance.md, "The indexes").
    trajectory = models.ForeignKey(
        Trajectory,
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("trajectory"),
        db_index=False,
    )
    domain = models.CharField(_("domain"), max_length=20, choices=Domain.choices)
    kind = models.CharField(_("kind"), max_length=30, choices=ActivityKind.choices)
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    duration_minutes = models.PositiveIntegerField(_("duration in minutes"), null=True, blank=True)
    units = models.PositiveIntegerField(
        _("number of units"),
        null=True,
        blank=True,
        help_text=_("For care counted in items or euros rather than time."),
    )
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("performed by"),
    )
    note = models.TextField(_("note"), blank=True)
    goal = models.ForeignKey(
        Goal,
        on_delete=models.PROTECT,
        related_name="activities",
        null=True,
        blank=True,
        verbose_name=_("goal"),
    )
    # Schooling progress (education) and work milestones.
    attendance = models.CharField(
        _("attendance"), max_length=20, choices=Attendance.choices, blank=True
    )
    subject = models.CharField(_("subject"), max_length=100, blank=True)
    assessment = models.CharField(_("assessment"), max_length=100, blank=True)
    milestone = models.CharField(_("milestone reached"), max_length=200, blank=True)

    status = models.CharField(
        _("status"), max_length=10, choices=ActivityStatus.choices, default=ActivityStatus.RECORDED
    )
    allocation = models.ForeignKey(
        "funding.Allocation",
        on_delete=models.PROTECT,
        related_name="activities",
        null=True,
        blank=True,
        verbose_name=_("allocation"),
        db_index=False,
    )
    funding_status = models.CharField(
        _("funding status"), max_length=20, choices=FundingStatus.choices
    )
    # What it draws from its allocation: minutes for time units, items or euros otherwise.
    consumed = models.PositiveIntegerField(_("consumed"), default=0)
    funding_reason = models.JSONField(
        _("reason for the funding"),
        default=dict,
        help_text=_(
            "Why it was assigned where it was, or why it is unfunded (rendered per language)."
        ),
    )
    expected_funding = models.CharField(
        _("expected funding"),
        max_length=200,
        blank=True,
        help_text=_(
            "For unfunded care: who is expected to pay, e.g. Jeugdwet, municipality, crisis."
        ),
    )
    # Care of a client in an integral-funding pilot: the pilot product that priced it, and
    # its value (units x tariff, rounded half up) drawn from the pilot's budget.
    pilot_product = models.ForeignKey(
        "funding.Product",
        on_delete=models.PROTECT,
        related_name="pilot_activities",
        null=True,
        blank=True,
        verbose_name=_("pilot product"),
    )
    pilot_cents = models.PositiveIntegerField(
        _("drawn from the pilot budget (cents)"), default=0, db_default=0
    )
    # On an aspecific or generic allocation: the contract product that priced the activity;
    # ``consumed`` is then its value in euro cents, drawn from the allocation's budget.
    priced_product = models.ForeignKey(
        "funding.Product",
        on_delete=models.PROTECT,
        related_name="priced_activities",
        null=True,
        blank=True,
        verbose_name=_("priced by product"),
    )
    # A night of a residential stay (kind residential_stay) points to its stay: the stay's
    # services create, correct and cancel its nights, and the timeline folds them into it.
    stay = models.ForeignKey(
        "Stay",
        on_delete=models.PROTECT,
        related_name="nights",
        null=True,
        blank=True,
        verbose_name=_("residential stay"),
    )
    # When care that waited unfunded was matched to an allocation or a pilot later.
    absorbed_at = models.DateTimeField(_("funded after waiting, at"), null=True, blank=True)
    created_at = models.DateTimeField(_("logged at"), auto_now_add=True)

    objects = ActivityQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-date", "-start_time", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__isnull=True)
                | models.Q(duration_minutes__lte=1440),
                name="activity_duration_at_most_24_hours",
            ),
            models.CheckConstraint(
                condition=models.Q(duration_minutes__isnull=False) | models.Q(units__isnull=False),
                name="activity_has_duration_or_units",
            ),
            models.CheckConstraint(
                condition=~models.Q(funding_status="funded") | models.Q(allocation__isnull=False),
                name="funded_activity_has_allocation",
            ),
            models.CheckConstraint(
                condition=models.Q(funding_status="funded") | models.Q(allocation__isnull=True),
                name="only_funded_activity_has_allocation",
            ),
            models.CheckConstraint(
                condition=models.Q(funding_status="pilot", pilot_product__isnull=False)
                | (~models.Q(funding_status="pilot") & models.Q(pilot_product__isnull=True)),
                name="pilot_activity_has_pilot_product",
            ),
            models.UniqueConstraint(
                fields=["stay", "date"],
                condition=models.Q(status="recorded", stay__isnull=False),
                name="one_recorded_night_per_stay_and_date",
            ),
        ]
        indexes = [
            models.Index(fields=["trajectory", "-date"]),
            models.Index(fields=["allocation", "date"]),
            models.Index(fields=["funding_status", "date"]),
            models.Index(fields=["pilot_product", "date"]),
            # The waiting ones, joined to their stored valuation by the unfunded queue and the
            # report annex (docs/performance.md, "Waiting care valued once").
            models.Index(
                fields=["id"],
                condition=models.Q(status="recorded", funding_status="unfunded"),
                name="activity_waiting",
            ),
        ]

    def __str__(self) -> str:
        return f"{ActivityKind(self.kind).label} {self.date:%d-%m-%Y}"

    @property
    def funding_reason_text(self) -> str:
        """Why it is funded where it is, or not, in the active language."""
        return funding_reason_text(self.funding_reason)


class StayQuerySet(models.QuerySet):
    def open(self) -> "StayQuerySet":
        return self.filter(discharged_on__isnull=True)


class Stay(models.Model):
    """A residential stay: admitted on a day, discharged on a day (open while in care).

    Its nights follow from the dates: a night counts on the date it starts, so the day of
    admission is a night and the day of discharge is not (docs/funding.md, "Stays and day
    parts"). Each night is an activity of kind residential_stay, created by the services up to
    today, never ahead.
    """

    trajectory = models.ForeignKey(
        Trajectory, on_delete=models.PROTECT, related_name="stays", verbose_name=_("trajectory")
    )
    admitted_on = models.DateField(_("admitted on"))
    discharged_on = models.DateField(_("discharged on"), null=True, blank=True)
    # Who the generated nights are recorded as performed by (the nightly task has no user).
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="registered_stays",
        verbose_name=_("registered by"),
    )

    objects = StayQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("residential stay")
        verbose_name_plural = _("residential stays")
        ordering = ["-admitted_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(discharged_on__isnull=True)
                | models.Q(discharged_on__gte=models.F("admitted_on")),
                name="stay_discharged_after_admitted",
            ),
            models.UniqueConstraint(
                fields=["trajectory"],
                condition=models.Q(discharged_on__isnull=True),
                name="one_open_stay_per_trajectory",
            ),
        ]

    def __str__(self) -> str:
        end = f"{self.discharged_on:%d-%m-%Y}" if self.discharged_on else "…"
        return f"{self.admitted_on:%d-%m-%Y} – {end}"


class StayLeave(models.Model):
    """Leave within a stay: the client sleeps away from the night of ``leaves_on`` until the
    night before ``returns_on`` (a weekend at home: leaves Friday, returns Sunday, 2 nights)."""

    stay = models.ForeignKey(
        Stay, on_delete=models.PROTECT, related_name="leaves", verbose_name=_("residential stay")
    )
    leaves_on = models.DateField(_("leaves on"))
    returns_on = models.DateField(_("returns on"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    # Leave recorded by mistake is cancelled, not deleted: its nights become present again.
    cancelled = models.BooleanField(_("cancelled"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("leave")
        verbose_name_plural = _("leaves")
        ordering = ["leaves_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(returns_on__gt=models.F("leaves_on")),
                name="leave_returns_after_it_leaves",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.leaves_on:%d-%m-%Y} – {self.returns_on:%d-%m-%Y}"

    @property
    def nights(self) -> int:
        return (self.returns_on - self.leaves_on).days


class DayPart(models.TextChoices):
    MORNING = "morning", _("Morning")
    AFTERNOON = "afternoon", _("Afternoon")
    EVENING = "evening", _("Evening")


class DayAttendance(models.Model):
    """The day parts a client attended a day activity (dagbesteding) on one day.

    Its activity (kind day_activity) counts one unit per day part attended.
    """

    trajectory = models.ForeignKey(
        Trajectory,
        on_delete=models.PROTECT,
        related_name="day_attendances",
        verbose_name=_("trajectory"),
    )
    date = models.DateField(_("date"))
    day_parts = models.JSONField(_("day parts attended"), default=list, blank=True)
    activity = models.OneToOneField(
        Activity,
        on_delete=models.PROTECT,
        related_name="day_attendance",
        verbose_name=_("activity"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("day-part attendance")
        verbose_name_plural = _("day-part attendances")
        ordering = ["-date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["trajectory", "date"], name="one_day_attendance_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d-%m-%Y}: {len(self.day_parts)}"


# --- education and work: how they are funded ------------------------------------------------


class SchoolType(models.TextChoices):
    SO = "so", _("Special primary education (SO)")
    VSO = "vso", _("Special secondary education (VSO)")
    PRO = "pro", _("Practical education (praktijkonderwijs)")
    VO = "vo", _("Secondary education (VO)")
    MBO = "mbo", _("Vocational education (MBO)")


class SchoolFundingBasis(models.TextChoices):
    """How the school is paid for this pupil: never per lesson."""

    DUO_PER_PUPIL_TLV = (
        "duo_tlv",
        _("Per pupil through DUO, with a TLV from the samenwerkingsverband"),
    )
    VO_LUMP_SUM = "vo_lump_sum", _("Lump sum per pupil through DUO (regular VO)")
    MBO_LUMP_SUM = "mbo_lump_sum", _("MBO lump sum (WEB)")


# The funding basis follows from the kind of school (Wet op de expertisecentra and passend
# onderwijs: (V)SO and praktijkonderwijs admit a pupil only with a toelaatbaarheidsverklaring
# of the samenwerkingsverband; WVO 2020: regular VO; WEB art. 2.2.1: the MBO's lump sum).
FUNDING_BASIS_OF_SCHOOL_TYPE = {
    SchoolType.SO: SchoolFundingBasis.DUO_PER_PUPIL_TLV,
    SchoolType.VSO: SchoolFundingBasis.DUO_PER_PUPIL_TLV,
    SchoolType.PRO: SchoolFundingBasis.DUO_PER_PUPIL_TLV,
    SchoolType.VO: SchoolFundingBasis.VO_LUMP_SUM,
    SchoolType.MBO: SchoolFundingBasis.MBO_LUMP_SUM,
}
# The TLV's funding category (bekostigingscategorie) exists for (V)SO only.
TLV_CATEGORY_TYPES = frozenset({SchoolType.SO, SchoolType.VSO})


class TlvCategory(models.TextChoices):
    LOW = "1", _("Category 1 (low)")
    MIDDLE = "2", _("Category 2 (middle)")
    HIGH = "3", _("Category 3 (high)")


class SchoolPlacement(models.Model):
    """The school a pupil attends over a period, and how the school is funded for them.

    The school board is named by its bevoegd-gezag number; the school itself optionally by its
    BRIN number (four characters) and location (vestiging) number.
    """

    trajectory = models.ForeignKey(
        Trajectory,
        on_delete=models.PROTECT,
        related_name="school_placements",
        verbose_name=_("trajectory"),
    )
    school_name = models.CharField(_("school"), max_length=200)
    board_code = models.CharField(
        _("school-board number (bevoegd gezag)"),
        max_length=10,
        help_text=_("The number DUO gives the school board (bevoegd gezag)."),
    )
    brin = models.CharField(
        _("BRIN number"), max_length=4, blank=True, help_text=_("Four characters, e.g. 12AB.")
    )
    location_number = models.CharField(
        _("location number"),
        max_length=2,
        blank=True,
        help_text=_("Two digits after the BRIN number: together the vestigingsnummer."),
    )
    school_type = models.CharField(_("kind of school"), max_length=5, choices=SchoolType.choices)
    mbo_level = models.PositiveSmallIntegerField(_("MBO level"), null=True, blank=True)
    funding_basis = models.CharField(
        _("funding basis"), max_length=20, choices=SchoolFundingBasis.choices
    )
    samenwerkingsverband = models.ForeignKey(
        "funding.Funder",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("samenwerkingsverband"),
    )
    tlv_number = models.CharField(_("TLV number"), max_length=40, blank=True)
    tlv_category = models.CharField(
        _("TLV category"), max_length=1, choices=TlvCategory.choices, blank=True
    )
    tlv_start = models.DateField(_("TLV valid from"), null=True, blank=True)
    tlv_end = models.DateField(_("TLV valid until"), null=True, blank=True)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("school placement")
        verbose_name_plural = _("school placements")
        ordering = ["-start", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="placement_end_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(tlv_end__isnull=True)
                | models.Q(tlv_start__isnull=True)
                | models.Q(tlv_end__gte=models.F("tlv_start")),
                name="placement_tlv_end_after_start",
            ),
            # An MBO is funded by its lump sum: never by a samenwerkingsverband or a TLV.
            models.CheckConstraint(
                condition=~models.Q(school_type="mbo")
                | models.Q(samenwerkingsverband__isnull=True, tlv_number=""),
                name="placement_mbo_without_tlv",
            ),
            models.CheckConstraint(
                condition=models.Q(mbo_level__isnull=True)
                | models.Q(mbo_level__gte=1, mbo_level__lte=4),
                name="placement_mbo_level_1_to_4",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school_name} · {SchoolType(self.school_type).label}"

    @property
    def location_code(self) -> str:
        """The vestigingsnummer: the BRIN number and the location's two digits."""
        return f"{self.brin}{self.location_number}" if self.brin and self.location_number else ""

    def is_current_on(self, day) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def tlv_valid_on(self, day) -> bool:
        return (
            bool(self.tlv_number)
            and self.tlv_start is not None
            and self.tlv_start <= day
            and (self.tlv_end is None or day <= self.tlv_end)
        )


class Employment(models.Model):
    """A job the client holds: the UWV pays job coaching only alongside one."""

    trajectory = models.ForeignKey(
        Trajectory,
        on_delete=models.PROTECT,
        related_name="employments",
        verbose_name=_("trajectory"),
    )
    employer = models.CharField(_("employer"), max_length=200)
    hours_per_week = models.PositiveSmallIntegerField(_("hours per week"))
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("employment")
        verbose_name_plural = _("employments")
        ordering = ["-start", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="employment_end_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(hours_per_week__gte=1, hours_per_week__lte=60),
                name="employment_hours_1_to_60",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employer} · {self.start:%d-%m-%Y}"

    def is_current_on(self, day) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


class TrajectoryUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Trajectory, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        abstract = False


class TrajectoryGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Trajectory, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = False


class WaitingValuation(models.Model):
    """What a waiting (unfunded) activity would be worth, and to whom: the funder responsible
    by the rules and the value at its cheapest fitting product (``apps.trajectories.waiting``).

    Derived data, written when the activity becomes unfunded and again when what the rules
    read changes; a missing or ``pending`` row is valued on the next read. No history: it is
    recomputed from the facts, which keep theirs. The organisation and date are copied from
    the activity so that the unfunded queue reads its counts, totals and first rows from this
    table alone. On PostgreSQL a trigger on the activities (migration 0013) keeps one row for
    every waiting activity and none for any other: a pending row when an activity starts to
    wait or what it is valued by changes, deleted when it stops waiting.
    """

    activity = models.OneToOneField(
        Activity, on_delete=models.CASCADE, primary_key=True, related_name="waiting_valuation"
    )
    # Not indexed alone: the queue's index below starts with it.
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    date = models.DateField()
    # The funder responsible by the rules; null: not known (no contract, no insurer).
    funder = models.ForeignKey(
        "funding.Funder", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # That funder's cheapest fitting product; null: none fits (the value is then 0).
    product = models.ForeignKey(
        "funding.Product", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # The law that goes first for this care; null: no ranked law covers it.
    stream = models.ForeignKey(
        "funding.FundingStream", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    value_cents = models.PositiveBigIntegerField(default=0)
    # To be valued (again): its activity started to wait, or a fact the rules read changed.
    pending = models.BooleanField(default=False)

    class Meta:
        indexes = [
            # The queue: each funder's oldest rows first (a page of them).
            models.Index(
                fields=["organisation", "funder", "date", "activity"], name="waiting_queue"
            ),
            # Whether anything of the organisation waits to be valued: one index probe.
            models.Index(
                fields=["organisation"], condition=models.Q(pending=True), name="waiting_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id}: {self.value_cents}"


class WaitingTotal(models.Model):
    """The count and value of an organisation's valued waiting activities per responsible
    funder, kept as a running sum of changes (PostgreSQL only, migration 0013).

    A trigger on ``WaitingValuation`` adds a row for every change of a valued row (-1 and its
    value for what it was, +1 and its value for what it is); no row is ever updated by a
    writer, so writers never wait on each other for it and cannot deadlock on it. The queue's
    read folds an organisation's rows into one per funder (``apps.trajectories.waiting``) and
    sums them: a read of a few rows, whatever the number of waiting activities. Plain ids, no
    foreign keys: when a funder or organisation is deleted its valuations go, and their
    changes sum its rows to nothing.
    """

    organisation_id = models.BigIntegerField()
    funder_id = models.BigIntegerField(null=True, blank=True)
    activities = models.BigIntegerField()
    value_cents = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["organisation_id", "funder_id"], name="waiting_total")]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.funder_id}: {self.activities}, {self.value_cents}"


class ActivityMonth(models.Model):
    """A monthly roll-up of the recorded activities: per organisation, month, funding status
    and what the care drew on (an allocation, a pilot product, or, for what is never billed,
    its kind), how many there are, what they consumed and what they drew from a pilot's budget.

    Derived data for the organisation's funding mosaic (``apps.trajectories.mosaic``): kept on
    PostgreSQL by a trigger on the activities, in the same transaction as every write of an
    activity (insert, edit, delete, rematch, move), whatever code path makes it; rebuilt from
    the activities by ``manage.py activity_month_rebuild``. The allocation's funder, stream,
    contract and unit, and its product's tariff, are read through the allocation when the
    mosaic is built, so that a changed tariff needs no rebuild; one row per allocation and
    month gives the number of distinct allocations over any run of months exactly.
    """

    # Not indexed alone: on PostgreSQL the roll-up's unique key starts with it (migration 0012).
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    month = models.DateField()  # the first day of the month
    funding_status = models.CharField(max_length=20, choices=FundingStatus.choices)
    allocation = models.ForeignKey(
        "funding.Allocation", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    pilot_product = models.ForeignKey(
        "funding.Product", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # Only for what is never billed (not chargeable): the school's kinds count apart.
    kind = models.CharField(max_length=30, null=True, blank=True)  # noqa: DJ001
    activities = models.IntegerField(default=0)
    consumed = models.BigIntegerField(default=0)
    pilot_cents = models.BigIntegerField(default=0)
    # Funded care only: the allocation's funder, contract and product, copied by the trigger
    # (and again when the allocation changes them), so that ``FundedMonth`` can be kept from
    # these rows alone, even when the allocation is gone first. Plain ids: derived data.
    funder_id = models.BigIntegerField(null=True, blank=True)
    contract_id = models.BigIntegerField(null=True, blank=True)
    product_id = models.BigIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.month:%Y-%m} {self.funding_status}: {self.activities}"


class FundedMonth(models.Model):
    """The funded care of the monthly roll-up per organisation, month, funder, contract and
    product: how many activities, what they consumed and how many allocations they drew on,
    kept as a running sum of changes (PostgreSQL only, migration 0014).

    A trigger on ``ActivityMonth`` adds a row for every change of a funded row (its numbers
    taken away for what it was, and one allocation; added for what it is); no row is ever
    updated by a writer, so caseworkers who log care on the same contract in the same month
    never wait on each other for it. The organisation's mosaic folds the rows it reads into
    one per group (``apps.trajectories.activity_month``): a few hundred rows a year, whatever
    the number of allocations. Within one month an allocation has one roll-up row and one
    group, so the group's allocations are distinct. The tariff and unit are read through the
    product when the mosaic is built, the stream through the contract.
    """

    organisation_id = models.BigIntegerField()
    month = models.DateField()
    funder_id = models.BigIntegerField()
    contract_id = models.BigIntegerField()
    product_id = models.BigIntegerField(null=True, blank=True)  # none: an aspecific allocation
    activities = models.BigIntegerField()
    consumed = models.BigIntegerField()
    allocations = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["organisation_id", "month"], name="funded_month")]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.month:%Y-%m} {self.contract_id}: {self.activities}"


class AllocationSpan(models.Model):
    """Per allocation, the first and the last month of its funded care in the monthly roll-up
    and in how many months it has some (PostgreSQL only, migration 0014), kept by the same
    trigger as ``FundedMonth``: its row changes only when an allocation gets or loses a month.

    The organisation's mosaic counts the distinct allocations of a period from it: those
    whose span meets the period and whose months run without a gap, and of the others those
    with a roll-up row in the period. An index read of the allocations that end in or after
    the period, not of every allocation and month.
    """

    allocation_id = models.BigIntegerField(primary_key=True)
    organisation_id = models.BigIntegerField()
    first_month = models.DateField()
    last_month = models.DateField()
    months = models.IntegerField()

    class Meta:
        indexes = [
            models.Index(
                fields=["organisation_id", "last_month"],
                include=["first_month", "months"],
                name="allocation_span",
            )
        ]

    def __str__(self) -> str:
        return f"{self.allocation_id}: {self.first_month:%Y-%m}–{self.last_month:%Y-%m}"
