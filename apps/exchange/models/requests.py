"""Requests to a municipality: for an allocation (verzoek om toewijzing, JW315 / WMO315) when
care started without one, and for a change (verzoek om wijziging, JW317 / WMO317) when an
allocation runs out; with what the municipality answered (the retours 316 / 318, the answer
319, or the allocation 301 that honours it).

Source: iJw / iWmo release 3.2 (Zorginstituut Nederland): the provider's reference
(ReferentieAanbieder, at most 36 positions, RS024) is unique per provider within the legal
domain (TR347); an answer names it (TR355); VerzoekAntwoord WJ760 (1 refused, 2 being
investigated), RedenAfwijzingVerzoek WJ759, RedenVerzoek WJ758, Verwijzer type COD327.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.accounts.models import Organisation
from apps.clients.models import Client
from apps.funding.models import Allocation, Frequency, Funder, Product, Unit

from .messages import Message, Standard


class RequestKind(models.TextChoices):
    NEW = "new", _("Request for an allocation (315)")
    CHANGE = "change", _("Request for a change (317)")


class RequestStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent, no answer yet")
    RECEIVED = "received", _("Received by the municipality")
    INVESTIGATING = "investigating", _("Being investigated by the municipality")
    HONOURED = "honoured", _("Honoured: allocation received")
    REFUSED = "refused", _("Refused")


# A request that may still be answered: TR374, no second request while one is pending.
PENDING_REQUEST_STATUSES = frozenset(
    {
        RequestStatus.DRAFT,
        RequestStatus.SENT,
        RequestStatus.RECEIVED,
        RequestStatus.INVESTIGATING,
    }
)

REQUEST_STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    RequestStatus.DRAFT: frozenset({RequestStatus.SENT}),
    RequestStatus.SENT: frozenset(
        {
            RequestStatus.RECEIVED,
            RequestStatus.REFUSED,
            RequestStatus.INVESTIGATING,
            RequestStatus.HONOURED,
        }
    ),
    RequestStatus.RECEIVED: frozenset(
        {RequestStatus.INVESTIGATING, RequestStatus.REFUSED, RequestStatus.HONOURED}
    ),
    RequestStatus.INVESTIGATING: frozenset({RequestStatus.REFUSED, RequestStatus.HONOURED}),
    RequestStatus.HONOURED: frozenset(),
    RequestStatus.REFUSED: frozenset(),
}


class RequestReason(models.TextChoices):
    """WJ758: why a change is requested (317)."""

    CLIENT_SITUATION = "1", _("The client's situation changed")
    CARE_PLAN = "2", _("The care plan changed")


class ReferrerType(models.TextChoices):
    """COD327: who referred the client to the care (315)."""

    MUNICIPALITY = "01", _("Municipality")
    GENERAL_PRACTITIONER = "02", _("General practitioner")
    YOUTH_DOCTOR = "03", _("Youth doctor")
    CERTIFIED_INSTITUTION = "04", _("Certified institution")
    MEDICAL_SPECIALIST = "05", _("Medical specialist")
    SELF = "06", _("Self-referral / no referrer")
    JUSTICE = "08", _("Court, public prosecutor, juvenile institution")


# COD327 types whose referrer has an AGB code or a name (CD066-CD068).
REFERRER_WITH_CODE = frozenset({"02", "03", "04", "05"})


class RequestAnswer(models.TextChoices):
    """WJ760: the municipality's answer (319). An honoured request gets an allocation (301)."""

    REFUSED = "1", _("Request refused")
    INVESTIGATING = "2", _("Request being investigated")


class RefusalReason(models.TextChoices):
    """WJ759: why a municipality refused a request (319)."""

    NEW_REQUEST = "1", _("Not a change but a new request")
    BUDGET = "2", _("Does not fit within the budget")
    NO_CONTRACT = "3", _("No contract")
    OUTSIDE_CONTRACT = "4", _("Does not fit within the contract")
    OTHER_MUNICIPALITY = "5", _("Another municipality")
    STACKING = "6", _("Stacking (the same care twice)")
    CARE_CONTENT = "7", _("Refused on the content of the care")
    RESIDENCE = "8", _("Principle of residence (woonplaatsbeginsel)")
    AGE_LIMIT = "9", _("The age limit has been reached")


class AllocationRequestQuerySet(models.QuerySet):
    def of(self, organisation: Organisation) -> "AllocationRequestQuerySet":
        return self.filter(organisation=organisation)

    def pending(self) -> "AllocationRequestQuerySet":
        return self.filter(status__in=PENDING_REQUEST_STATUSES)


class AllocationRequest(models.Model):
    """One request of the provider to a municipality, for an allocation or a change."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="allocation_requests",
        verbose_name=_("organisation"),
    )
    client = models.ForeignKey(
        Client,
        on_delete=models.PROTECT,
        related_name="allocation_requests",
        verbose_name=_("client"),
    )
    # The municipality asked: for the Jeugdwet the client's responsible municipality, for the
    # Wmo the municipality of residence.
    funder = models.ForeignKey(
        Funder,
        on_delete=models.PROTECT,
        related_name="allocation_requests",
        verbose_name=_("municipality"),
    )
    standard = models.CharField(_("standard"), max_length=4, choices=Standard.choices)
    kind = models.CharField(_("kind"), max_length=6, choices=RequestKind.choices)
    provider_reference = models.CharField(
        _("provider's reference (ReferentieAanbieder)"), max_length=36
    )
    # What is asked for: a product of the municipality's contract (its category and code), a
    # category only, or nothing but a budget.
    product = models.ForeignKey(
        Product,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("product"),
        null=True,
        blank=True,
    )
    category = models.CharField(_("product category"), max_length=2, blank=True)
    product_code = models.CharField(_("product code"), max_length=5, blank=True)
    volume = models.PositiveIntegerField(_("volume"), null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=2, choices=Unit.choices, blank=True)
    frequency = models.CharField(
        _("frequency"), max_length=1, choices=Frequency.choices, blank=True
    )
    budget_cents = models.PositiveIntegerField(_("budget in euro cents"), null=True, blank=True)
    start = models.DateField(_("desired start"))
    end = models.DateField(_("end"), null=True, blank=True)
    # 317: the allocation to change (TeWijzigenProduct); None: a new product in a change.
    allocation = models.ForeignKey(
        Allocation,
        on_delete=models.PROTECT,
        related_name="change_requests",
        verbose_name=_("allocation to change"),
        null=True,
        blank=True,
    )
    reason = models.CharField(
        _("reason for the request (WJ758)"),
        max_length=1,
        choices=RequestReason.choices,
        blank=True,
    )
    referrer_type = models.CharField(
        _("referrer (COD327)"), max_length=2, choices=ReferrerType.choices, blank=True
    )
    referrer_name = models.CharField(_("referrer's name"), max_length=64, blank=True)
    referrer_agb = models.CharField(_("referrer's AGB code"), max_length=8, blank=True)
    comment = models.CharField(_("comment"), max_length=4000, blank=True)
    # The unfunded activities the request is for (the same care is not requested twice).
    activity_ids = models.JSONField(_("activities"), default=list, blank=True)

    status = models.CharField(
        _("status"),
        max_length=14,
        choices=RequestStatus.choices,
        default=RequestStatus.DRAFT,
    )
    answer = models.CharField(
        _("answer (WJ760)"), max_length=1, choices=RequestAnswer.choices, blank=True
    )
    refusal_reason = models.CharField(
        _("reason for refusal (WJ759)"), max_length=2, choices=RefusalReason.choices, blank=True
    )
    # IV095: with reason 8 the municipality names the one that is responsible.
    responsible_municipality_code = models.CharField(
        _("municipality named responsible"), max_length=4, blank=True
    )
    retour_codes = models.JSONField(_("retour codes"), default=list, blank=True)
    sent_message = models.ForeignKey(
        Message,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("message sent"),
        null=True,
        blank=True,
    )
    retour_message = models.ForeignKey(
        Message,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("retour received"),
        null=True,
        blank=True,
    )
    answer_message = models.ForeignKey(
        Message,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("answer received"),
        null=True,
        blank=True,
    )
    honoured_by = models.ForeignKey(
        Allocation,
        on_delete=models.PROTECT,
        related_name="honoured_requests",
        verbose_name=_("allocation that honoured it"),
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    objects = AllocationRequestQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("allocation request")
        verbose_name_plural = _("allocation requests")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # TR347: the provider's reference is unique for the provider.
            models.UniqueConstraint(
                fields=["organisation", "provider_reference"],
                name="allocation_request_reference_unique",
            ),
            models.CheckConstraint(
                condition=~models.Q(provider_reference=""),
                name="allocation_request_reference_not_empty",
            ),
            # CD077 / CD078: a size or a budget, never both.
            models.CheckConstraint(
                condition=models.Q(volume__isnull=True) | models.Q(budget_cents__isnull=True),
                name="allocation_request_volume_or_budget",
            ),
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="allocation_request_end_after_start",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="change") | ~models.Q(reason=""),
                name="allocation_request_change_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in RequestStatus]),
                name="allocation_request_status_known",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "client", "status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.provider_reference}"

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING_REQUEST_STATUSES

    @property
    def message_kind(self) -> str:
        prefix = "JW" if self.standard == Standard.IJW else "WMO"
        return prefix + ("315" if self.kind == RequestKind.NEW else "317")
