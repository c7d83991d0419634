"""Retention and destruction of a client's record (docs/privacy.md, "Retention", "Destruction").

A record is kept twenty years after the last care (BW 7:454 lid 3, Jeugdwet 7.3.9), longer when
a reason is recorded (``RetentionExtension``). A client (from 12; alone from 16; the parents
before 12) may ask for earlier destruction (BW 7:455, Jeugdwet 7.3.10): a ``DestructionRequest``
that the privacy officer grants or refuses on a legal ground. What destruction leaves behind is
the ``Tombstone``: that a record was destroyed, when, by whom, on whose request, on which
ground, and only counts of what was removed and kept.
"""

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.accounts.models import Organisation
from apps.clients.models import Client

RETENTION_YEARS = 20  # BW 7:454 lid 3; Jeugdwet 7.3.9
DESTRUCTION_MONTHS = 3  # BW 7:455 lid 1; Jeugdwet 7.3.10


class Requester(models.TextChoices):
    """Who asked for the destruction (BW 7:465 and 7:450 through ``decision_makers``)."""

    YOUNG_PERSON = "young_person", _("the client")
    BOTH = "both", _("the client together with the parents or guardian")
    REPRESENTATIVES = "representatives", _("the parents or guardian")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    GRANTED = "granted", _("Granted, to be carried out")
    REFUSED = "refused", _("Refused")
    EXECUTED = "executed", _("Carried out")


REQUEST_STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    RequestStatus.PENDING: frozenset({RequestStatus.GRANTED, RequestStatus.REFUSED}),
    RequestStatus.GRANTED: frozenset({RequestStatus.EXECUTED}),
    RequestStatus.REFUSED: frozenset(),
    RequestStatus.EXECUTED: frozenset(),
}


class RefusalGround(models.TextChoices):
    """The only grounds on which a request may be refused (BW 7:455 lid 2; Jeugdwet 7.3.10)."""

    OTHERS_INTEREST = (
        "others_interest",
        _(
            "Keeping the record is of substantial importance to someone other than the client "
            "(BW 7:455 lid 2, Jeugdwet 7.3.10)"
        ),
    )
    LAW_FORBIDS = (
        "law_forbids",
        _("A provision of or under the law forbids destruction (BW 7:455 lid 2, Jeugdwet 7.3.10)"),
    )


class DestructionGround(models.TextChoices):
    REQUEST = "request", _("On request (BW 7:455, Jeugdwet 7.3.10, AVG art. 17)")
    RETENTION_ENDED = (
        "retention_ended",
        _("The retention period ended (BW 7:454 lid 3, Jeugdwet 7.3.9)"),
    )


class DestructionRequest(models.Model):
    """A request to destroy a client's record, its review and its execution."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    # Kept after the destruction: it points to the emptied client row (see Tombstone).
    client = models.ForeignKey(
        Client,
        on_delete=models.PROTECT,
        related_name="destruction_requests",
        verbose_name=_("client"),
    )
    requester = models.CharField(_("asked by"), max_length=20, choices=Requester.choices)
    received_on = models.DateField(_("received on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    refusal_ground = models.CharField(
        _("ground of refusal"), max_length=20, choices=RefusalGround.choices, blank=True
    )
    refusal_explanation = models.TextField(_("explanation"), blank=True, max_length=2000)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("destruction request")
        verbose_name_plural = _("destruction requests")
        ordering = ["received_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=RequestStatus.values),
                name="retention_request_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=RequestStatus.REFUSED) | ~models.Q(refusal_ground=""),
                name="retention_refusal_has_ground",
            ),
            # One open request per client at a time.
            models.UniqueConstraint(
                fields=["client"],
                condition=models.Q(status__in=[RequestStatus.PENDING, RequestStatus.GRANTED]),
                name="retention_one_open_request_per_client",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.received_on:%Y-%m-%d} {self.status}"

    @property
    def deadline(self):
        """Three months after the request came in (BW 7:455 lid 1)."""
        return self.received_on + relativedelta(months=DESTRUCTION_MONTHS)


class Tombstone(models.Model):
    """That a client's record was destroyed: when, by whom, on whose request, on which ground.

    It holds no identifying data. The client row it points to is emptied by the destruction and
    stays only because the access log (append-only, NEN 7513) points to it. No history: it is
    written once and never changed.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    client = models.OneToOneField(
        Client, on_delete=models.PROTECT, related_name="tombstone", verbose_name=_("record")
    )
    destroyed_at = models.DateTimeField(_("destroyed at"))
    destroyed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("destroyed by"),
    )
    ground = models.CharField(_("ground"), max_length=20, choices=DestructionGround.choices)
    requester = models.CharField(
        _("asked by"), max_length=20, choices=Requester.choices, blank=True
    )
    request = models.OneToOneField(
        DestructionRequest,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tombstone",
        verbose_name=_("request"),
    )
    # Counts per kind of row, e.g. {"trajectories.activity": 12}: no content.
    removed = models.JSONField(_("removed"), default=dict)
    kept = models.JSONField(_("kept by law"), default=dict)
    files_removed = models.PositiveIntegerField(_("files removed"), default=0)
    files_redacted = models.PositiveIntegerField(_("files redacted"), default=0)

    class Meta:
        verbose_name = _("tombstone")
        verbose_name_plural = _("tombstones")
        ordering = ["-destroyed_at", "-pk"]

    def __str__(self) -> str:
        return f"#{self.client_id} {self.destroyed_at:%Y-%m-%d}"


class RetentionExtension(models.Model):
    """A record kept longer than twenty years, with the reason (BW 7:454 lid 3: "of zoveel
    langer als redelijkerwijs uit de zorg van een goed hulpverlener voortvloeit")."""

    client = models.ForeignKey(
        Client,
        on_delete=models.PROTECT,
        related_name="retention_extensions",
        verbose_name=_("client"),
    )
    until = models.DateField(_("keep until"))
    reason = models.TextField(_("reason"), max_length=1000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("retention extension")
        verbose_name_plural = _("retention extensions")
        ordering = ["-until", "-pk"]

    def __str__(self) -> str:
        return f"{self.client_id} {self.until:%Y-%m-%d}"


class RetentionDue(models.Model):
    """A record past its retention date, as the nightly job found it. A list derived from the
    record and rebuilt every night, so it keeps no history of its own."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    client = models.OneToOneField(
        Client, on_delete=models.PROTECT, related_name="+", verbose_name=_("client")
    )
    last_care_on = models.DateField(_("last care"))
    retention_until = models.DateField(_("keep until"))
    listed_on = models.DateField(_("listed on"))

    class Meta:
        verbose_name = _("record past its retention date")
        verbose_name_plural = _("records past their retention date")
        ordering = ["retention_until", "pk"]

    def __str__(self) -> str:
        return f"{self.client_id} {self.retention_until:%Y-%m-%d}"
