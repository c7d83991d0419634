from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.accounts.models import Organisation
from apps.funding.models import Funder


class ReportFormat(models.TextChoices):
    PDF = "pdf", _("PDF")
    CSV = "csv", _("CSV (semicolon, decimal comma)")
    CSV_COMMA = "csv_comma", _("CSV (comma, decimal point)")


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


REPORT_STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    ReportStatus.QUEUED: frozenset({ReportStatus.RUNNING, ReportStatus.FAILED}),
    ReportStatus.RUNNING: frozenset({ReportStatus.RUNNING, ReportStatus.DONE, ReportStatus.FAILED}),
    ReportStatus.DONE: frozenset(),
    ReportStatus.FAILED: frozenset({ReportStatus.QUEUED}),
}


class ReportRun(models.Model):
    """One per-funder report: requested, built in the background, stored, downloadable."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="report_runs",
        verbose_name=_("organisation"),
    )
    funder = models.ForeignKey(
        Funder, on_delete=models.PROTECT, related_name="report_runs", verbose_name=_("funder")
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until"))
    format = models.CharField(_("format"), max_length=10, choices=ReportFormat.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="report_runs",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    language = models.CharField(_("language"), max_length=8, default="nl")
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    file = models.FileField(_("file"), upload_to="reports/%Y/%m/", blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    error = models.TextField(_("error"), blank=True)
    # The clients the report names, so that each download can be logged against them.
    client_ids = models.JSONField(_("clients named"), default=list, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["progress"])

    class Meta:
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="report_period_end_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="report_progress_max_100"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "-requested_at"])]

    def __str__(self) -> str:
        return (
            f"{self.funder} {self.period_start:%d-%m-%Y}–{self.period_end:%d-%m-%Y} ({self.format})"
        )

    @property
    def filename(self) -> str:
        extension = "pdf" if self.format == ReportFormat.PDF else "csv"
        period = f"{self.period_start:%Y%m%d}-{self.period_end:%Y%m%d}"
        return f"report-{self.funder.code}-{period}.{extension}"

    @property
    def content_type(self) -> str:
        return "application/pdf" if self.format == ReportFormat.PDF else "text/csv; charset=utf-8"
