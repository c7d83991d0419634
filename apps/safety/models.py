from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.clients.models import Client

SAFETY_NOTICE_MAX_LENGTH = 1000


class SafetyNoticeQuerySet(models.QuerySet):
    def in_force_on(self, day) -> "SafetyNoticeQuerySet":
        """Started on or before the day, and not ended before it (the end day is included)."""
        return self.filter(Q(end__isnull=True) | Q(end__gte=day), start__lte=day)


class SafetyNotice(models.Model):
    """What everyone working with the client must know for the client's safety ("do not share
    whereabouts; call the caseworker when ..."): shown to the whole care team, never a
    treatment detail."""

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="safety_notices", verbose_name=_("client")
    )
    text = models.TextField(_("notice"))
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("set by"),
    )
    created_at = models.DateTimeField(_("set at"), auto_now_add=True)

    objects = SafetyNoticeQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("safety notice")
        verbose_name_plural = _("safety notices")
        ordering = ["-start", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                name="safety_notice_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.start:%d-%m-%Y}"


# --- the reporting code (meldcode) ------------------------------------------------------------
#
# The Wet verplichte meldcode huiselijk geweld en kindermishandeling and the Besluit verplichte
# meldcode (Stb. 2013, 324; the afwegingskader since 1 January 2019) make every care provider
# follow five steps when it sees signals of domestic violence or child abuse (for youth care:
# Jeugdwet art. 4.1.7). One track is one concern about one client; its steps are recorded in
# order. The rules are apps/safety/meldcode.py; who sees what is docs/privacy.md.

MELDCODE_NOTES_MAX_LENGTH = 2000


class MeldcodeStep(models.IntegerChoices):
    """The five steps of the Basismodel meldcode, in their official order."""

    SIGNALS = 1, _("1. Map the signals")
    CONSULTATION = 2, _("2. Consult a colleague and, if needed, Veilig Thuis")
    CONVERSATION = 3, _("3. Talk with the client")
    WEIGHING = 4, _("4. Weigh with the afwegingskader")
    DECISION = 5, _("5. Decide: report to Veilig Thuis and/or give help")


class MeldcodeDecision(models.TextChoices):
    """Step 5: is reporting necessary, and is help (also) possible?"""

    REPORT = "report", _("Report to Veilig Thuis")
    REPORT_AND_HELP = "report_and_help", _("Report to Veilig Thuis and give or organise help")
    HELP = "help", _("Give or organise help without a report")
    CLOSE = "close", _("No suspicion remains: close and record")


REPORTING_DECISIONS = frozenset({MeldcodeDecision.REPORT, MeldcodeDecision.REPORT_AND_HELP})
HELPING_DECISIONS = frozenset({MeldcodeDecision.HELP, MeldcodeDecision.REPORT_AND_HELP})


class MeldcodeTrackStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class MeldcodeTrack(models.Model):
    """One concern about one client, followed through the meldcode's five steps, the report to
    Veilig Thuis and the follow-up."""

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="meldcode_tracks", verbose_name=_("client")
    )
    concern = models.CharField(_("concern"), max_length=200)
    opened_on = models.DateField(_("opened on"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("opened by"),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=MeldcodeTrackStatus.choices,
        default=MeldcodeTrackStatus.OPEN,
    )
    # The report to Veilig Thuis (step 5 when the decision is to report).
    reported_on = models.DateField(_("reported to Veilig Thuis on"), null=True, blank=True)
    report_reference = models.CharField(_("Veilig Thuis reference"), max_length=50, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("reported by"),
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closing_note = models.TextField(_("closing note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meldcode track")
        verbose_name_plural = _("meldcode tracks")
        ordering = ["-opened_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", closed_on__isnull=True)
                | Q(status="closed", closed_on__isnull=False),
                name="meldcode_track_closed_has_a_day",
            ),
            models.CheckConstraint(
                condition=Q(reported_on__isnull=True) | ~Q(report_reference=""),
                name="meldcode_report_has_a_reference",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.opened_on:%d-%m-%Y}"


class MeldcodeStepRecord(models.Model):
    """One step of a track: its date, who took it, the outcome and notes, and what the step
    itself asks (Veilig Thuis consulted, the conversation held, the afwegingen, the decision)."""

    track = models.ForeignKey(
        MeldcodeTrack, on_delete=models.PROTECT, related_name="steps", verbose_name=_("track")
    )
    step = models.PositiveSmallIntegerField(_("step"), choices=MeldcodeStep.choices)
    date = models.DateField(_("date"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    outcome = models.CharField(_("outcome"), max_length=300)
    notes = models.TextField(_("notes"), blank=True)
    # Step 2: was Veilig Thuis consulted (advice, not a report)?
    veilig_thuis_consulted = models.BooleanField(_("Veilig Thuis consulted"), null=True, blank=True)
    # Step 3: the conversation may be left out when it endangers the client or others.
    conversation_held = models.BooleanField(_("conversation held"), null=True, blank=True)
    # Step 4: afwegingen 1 to 4 of the afwegingskader (None: not reached).
    suspicion = models.BooleanField(_("suspicion"), null=True, blank=True)
    acute_or_structural = models.BooleanField(
        _("acute or structural unsafety"), null=True, blank=True
    )
    effective_help = models.BooleanField(_("able to give effective help"), null=True, blank=True)
    help_accepted = models.BooleanField(_("help accepted"), null=True, blank=True)
    # Step 5.
    decision = models.CharField(
        _("decision"), max_length=20, choices=MeldcodeDecision.choices, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meldcode step")
        verbose_name_plural = _("meldcode steps")
        ordering = ["step"]
        constraints = [
            models.UniqueConstraint(fields=["track", "step"], name="meldcode_step_once"),
            models.CheckConstraint(
                condition=Q(step=5, decision__in=MeldcodeDecision.values)
                | (~Q(step=5) & Q(decision="")),
                name="meldcode_decision_on_step_five",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.track_id} {self.step}"


class MeldcodeFollowUp(models.Model):
    """A look at how the help goes after the decision (afweging 5: does the help lead to the
    safety and recovery needed, within the term set?), or at what Veilig Thuis did."""

    track = models.ForeignKey(
        MeldcodeTrack,
        on_delete=models.PROTECT,
        related_name="follow_ups",
        verbose_name=_("track"),
    )
    date = models.DateField(_("date"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    help_works = models.BooleanField(_("the help leads to safety"), null=True, blank=True)
    notes = models.TextField(_("notes"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meldcode follow-up")
        verbose_name_plural = _("meldcode follow-ups")
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return f"{self.track_id} {self.date:%d-%m-%Y}"


# --- reports to the inspectorate (Jeugdwet art. 4.1.8) -------------------------------------------


class InspectorateReportKind(models.TextChoices):
    CALAMITY = "calamity", _("Calamity")
    VIOLENCE = "violence", _("Violence during youth care")


class InspectorateReport(models.Model):
    """A calamity or violence during youth care, reported to the Inspectie Gezondheidszorg en
    Jeugd, with its timeline: the event, when it became known, the report, the inspectorate's
    reference, the investigation report it asked for, and the closure."""

    client = models.ForeignKey(
        Client,
        on_delete=models.PROTECT,
        related_name="inspectorate_reports",
        verbose_name=_("client"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=InspectorateReportKind.choices)
    summary = models.CharField(_("what happened"), max_length=300)
    occurred_on = models.DateField(_("happened on"))
    discovered_on = models.DateField(_("known to us on"))
    reported_on = models.DateField(_("reported to the inspectorate on"), null=True, blank=True)
    igj_reference = models.CharField(_("inspectorate reference"), max_length=50, blank=True)
    investigation_due = models.DateField(_("investigation report due"), null=True, blank=True)
    investigation_sent_on = models.DateField(
        _("investigation report sent on"), null=True, blank=True
    )
    closed_on = models.DateField(_("closed by the inspectorate on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("report to the inspectorate")
        verbose_name_plural = _("reports to the inspectorate")
        ordering = ["-discovered_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(discovered_on__gte=F("occurred_on")),
                name="inspectorate_known_after_event",
            ),
            models.CheckConstraint(
                condition=Q(reported_on__isnull=True) | Q(reported_on__gte=F("occurred_on")),
                name="inspectorate_reported_after_event",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.occurred_on:%d-%m-%Y}"
