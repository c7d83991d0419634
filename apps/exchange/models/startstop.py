"""The start and stop of care on an allocation, told to the municipality (JW305 / JW307,
WMO305 / WMO307), and what its retour (306 / 308) said.

Sources (iJw / iWmo release 3.2, Zorginstituut Nederland; read in the public copies of the
"Condities, constraints, restricties per data-element", the code lists JZ588 / WMO588 and
COD467): the logical key of a StartProduct is the client's Bsn with ToewijzingNummer, Product
and Begindatum; a StopProduct adds RedenBeeindiging and Einddatum (the "Sleutelelement"
column). StatusAanlevering is 1 (first delivery) or 3 (removal of an earlier delivery with the
same key), CS058. A removal is sent as the same kind of message: a start sent in error is
removed with a 305 holding StatusAanlevering 3 (refused with 9071, TR071, when the care has
already been stopped), a stop with a 307 (TR069: there must be a current start).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.accounts.models import Organisation
from apps.funding.models import Allocation

from .messages import Message, Standard


class NoticeKind(models.TextChoices):
    START = "start", _("Start of care")
    STOP = "stop", _("Stop of care")


class DeliveryStatus(models.TextChoices):
    """COD467 StatusAanlevering; CS058 allows 1 and 3 in the 305 and 307."""

    FIRST = "1", _("First delivery")
    REMOVAL = "3", _("Removal of an earlier delivery")


class NoticeStatus(models.TextChoices):
    READY = "ready", _("Ready to be sent")
    SENT = "sent", _("Sent, no answer yet")
    ACCEPTED = "accepted", _("Accepted by the municipality")
    REFUSED = "refused", _("Refused by the municipality")


# JZ588 Reden beeindiging (iJw 3.2) and WMO588 (iWmo 3.2): the two lists differ in their codes
# for a regular end (31 / 19), for an early end (32-34 / 21-23) and for moving (the iJw has no
# code of its own: 35, external circumstances; the iWmo 31).
STOP_REASONS: dict[str, dict[str, str]] = {
    Standard.IJW: {
        "02": _("Deceased"),
        "20": _("Delivery ended temporarily"),
        "31": _("Delivery ended as planned"),
        "32": _("Ended early: unilaterally by the client"),
        "33": _("Ended early: unilaterally by the provider"),
        "34": _("Ended early: by mutual agreement"),
        "35": _("Ended early: external circumstances"),
        "36": _("Initiated by the municipality"),
        "37": _("In connection with a request for change"),
        "38": _("Switch to another provider"),
        "39": _("Moves to another domain"),
    },
    Standard.IWMO: {
        "02": _("Deceased"),
        "19": _("Delivery ended as planned"),
        "20": _("Delivery ended temporarily"),
        "21": _("Ended unilaterally by the client"),
        "22": _("Ended unilaterally by the provider"),
        "23": _("Ended early by mutual agreement"),
        "31": _("Moved to another municipality"),
        "36": _("Initiated by the municipality"),
        "37": _("In connection with a request for change"),
        "38": _("Switch to another provider"),
        "39": _("Moves to another domain"),
    },
}


def stop_reason_text(standard: str, code: str) -> str:
    if not code:
        return ""
    return str(STOP_REASONS.get(standard, {}).get(code, code))


class DeliveryNoticeQuerySet(models.QuerySet):
    def of(self, organisation: Organisation) -> "DeliveryNoticeQuerySet":
        return self.filter(organisation=organisation)

    def current(self) -> "DeliveryNoticeQuerySet":
        return self.filter(current=True)


class DeliveryNotice(models.Model):
    """One StartProduct or StopProduct we told a municipality about: the start or stop of the
    care on one allocation, or the removal (StatusAanlevering 3) of one sent in error.

    ``current`` marks the delivery that stands: a first delivery until it is removed. A
    removal is never current itself; it points to what it removes (``removes``).
    """

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="delivery_notices",
        verbose_name=_("organisation"),
    )
    allocation = models.ForeignKey(
        Allocation,
        on_delete=models.PROTECT,
        related_name="delivery_notices",
        verbose_name=_("allocation"),
    )
    standard = models.CharField(_("standard"), max_length=4, choices=Standard.choices)
    kind = models.CharField(_("start or stop"), max_length=5, choices=NoticeKind.choices)
    # Begindatum of the delivery: the first day of care (the key of the start and the stop).
    begin = models.DateField(_("start of care (Begindatum)"))
    # The notice's own date: Begindatum for a start, Einddatum for a stop.
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason (JZ588 / WMO588)"), max_length=2, blank=True)
    status_delivery = models.CharField(
        _("delivery status (COD467)"),
        max_length=1,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.FIRST,
    )
    removes = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="removed_by",
        verbose_name=_("removes"),
    )
    current = models.BooleanField(_("current"), default=True)
    message = models.ForeignKey(
        Message,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="delivery_notices",
        verbose_name=_("message"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.READY
    )
    retour_codes = models.JSONField(_("retour codes (WJ001)"), default=list, blank=True)
    created_at = models.DateTimeField(_("made at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("made by"),
    )

    objects = DeliveryNoticeQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("start or stop notice")
        verbose_name_plural = _("start and stop notices")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # The logical key (Bsn, ToewijzingNummer, Product, Begindatum; for a stop also
            # RedenBeeindiging, Einddatum): one current start and one current stop per
            # allocation (TR074: a second message with the same key is refused with 9074).
            models.UniqueConstraint(
                fields=["allocation", "kind"],
                condition=models.Q(current=True),
                name="delivery_notice_one_current_per_allocation_and_kind",
            ),
            models.CheckConstraint(
                condition=~models.Q(current=True, status_delivery="3"),
                name="delivery_notice_removal_never_current",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="start", reason="", date=models.F("begin"))
                | models.Q(kind="stop", date__gte=models.F("begin")) & ~models.Q(reason=""),
                name="delivery_notice_dates_and_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(status_delivery="1", removes__isnull=True)
                | models.Q(status_delivery="3", removes__isnull=False),
                name="delivery_notice_removal_names_what_it_removes",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "status", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.allocation.number} {self.date:%d-%m-%Y}"

    @property
    def reason_text(self) -> str:
        return stop_reason_text(self.standard, self.reason)

    @property
    def is_removal(self) -> bool:
        return self.status_delivery == DeliveryStatus.REMOVAL
