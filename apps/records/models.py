"""The client's rights to the record (docs/privacy.md, "A copy of the record and the client's
own statement"): a request for access or a copy (WGBO 7:456, Jeugdwet 7.3.10, AVG art. 15),
the copy produced for it as a PDF, and the client's own statement added to the record
(WGBO 7:454 lid 1)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.clients.models import Client, LegalRepresentative

STATEMENT_MAX_LENGTH = 4000
REQUEST_NOTE_MAX_LENGTH = 1000


class Requester(models.TextChoices):
    """Who exercises the client's right: the young person or a legal representative, as the
    age rules of the WGBO allow (apps.clients.representation, BW 7:465)."""

    YOUNG_PERSON = "young_person", _("The young person")
    REPRESENTATIVE = "representative", _("A legal representative")


class AccessRequestKind(models.TextChoices):
    INSPECTION = "inspection", _("Access (inzage)")
    COPY = "copy", _("A copy (afschrift)")


class AccessRequest(models.Model):
    """A request for access to the record or a copy of it, received on a day; answered within
    a month (AVG art. 12 lid 3)."""

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="access_requests", verbose_name=_("client")
    )
    kind = models.CharField(_("asked for"), max_length=20, choices=AccessRequestKind.choices)
    requester = models.CharField(_("asked by"), max_length=20, choices=Requester.choices)
    representative = models.ForeignKey(
        LegalRepresentative,
        on_delete=models.PROTECT,
        related_name="access_requests",
        null=True,
        blank=True,
        verbose_name=_("representative"),
    )
    received_on = models.DateField(_("received on"))
    deadline = models.DateField(_("answer at the latest on"))
    note = models.TextField(_("note"), blank=True, max_length=REQUEST_NOTE_MAX_LENGTH)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("access request")
        verbose_name_plural = _("access requests")
        ordering = ["deadline", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(requester="young_person", representative__isnull=True)
                | models.Q(requester="representative", representative__isnull=False),
                name="access_request_representative_iff_asked_by_one",
            ),
            models.CheckConstraint(
                condition=models.Q(deadline__gte=models.F("received_on")),
                name="access_request_deadline_after_receipt",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client} · {self.received_on:%d-%m-%Y}"


class CopyStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being made")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")
    DELETED = "deleted", _("File deleted")


class RecordCopy(models.Model):
    """The complete record of a client as a PDF, made in the background for a request; its
    file is deleted after ``RECORD_COPY_KEEP_DAYS`` days by the nightly task."""

    request = models.ForeignKey(
        AccessRequest, on_delete=models.PROTECT, related_name="copies", verbose_name=_("request")
    )
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="record_copies", verbose_name=_("client")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("made by"),
    )
    requested_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    language = models.CharField(_("language"), max_length=8, default="nl")
    status = models.CharField(
        _("status"), max_length=10, choices=CopyStatus.choices, default=CopyStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    file = models.FileField(_("file"), upload_to="records/", blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    error = models.TextField(_("error"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    delete_after = models.DateField(_("file deleted after"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("file deleted at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("copy of the record")
        verbose_name_plural = _("copies of the record")
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["status", "delete_after"])]

    def __str__(self) -> str:
        return f"{self.client} · {self.requested_at:%d-%m-%Y}"

    @property
    def filename(self) -> str:
        return f"record-{self.client.client_number}-{self.pk}.pdf"


class ClientStatement(models.Model):
    """The client's own statement about the record (WGBO 7:454 lid 1: at the client's request
    a statement by the client about the documents is added to the record); shown with the
    record, on the client page and in every copy."""

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="statements", verbose_name=_("client")
    )
    text = models.TextField(_("statement"), max_length=STATEMENT_MAX_LENGTH)
    given_by = models.CharField(_("whose statement"), max_length=20, choices=Requester.choices)
    representative = models.ForeignKey(
        LegalRepresentative,
        on_delete=models.PROTECT,
        related_name="statements",
        null=True,
        blank=True,
        verbose_name=_("representative"),
    )
    given_on = models.DateField(_("given on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("client's statement")
        verbose_name_plural = _("client's statements")
        ordering = ["-given_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(given_by="young_person", representative__isnull=True)
                | models.Q(given_by="representative", representative__isnull=False),
                name="statement_representative_iff_given_by_one",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client} · {self.given_on:%d-%m-%Y}"

    @property
    def whose(self) -> str:
        if self.representative is not None:
            return str(self.representative)
        return str(Requester(self.given_by).label)
