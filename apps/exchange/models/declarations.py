"""Monthly declarations (JW323 / WMO323) and their answers (JW325 / WMO325).

A run is one declaration: one organisation, one municipality, one standard, one calendar month
(CS340). Its lines are the Prestaties: one per allocation, product and product period (IV084),
in whole units (IV042, IV079), amount = volume x tariff (TR346). A line that was declared is
never changed: a correction is a credit line for the old claim (VorigReferentieNummer, CD060)
and a new debit line (IV085, IV086).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.accounts.models import Organisation
from apps.clients.models import Client
from apps.funding.models import Allocation, Funder, Product, Unit

from .messages import Message, Standard


class DeclarationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent, no answer yet")
    ANSWERED = "answered", _("Answered")


class LineStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Sent, no answer yet")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Credited (superseded)")


class DebitCredit(models.TextChoices):
    DEBIT = "D", _("Debit")
    CREDIT = "C", _("Credit")


class Resolution(models.TextChoices):
    """What the manager decided about a rejected line."""

    NONE = "", _("Not yet decided")
    CORRECTED = "corrected", _("Corrected, declare again")
    DROPPED = "dropped", _("Dropped")


class DeclarationRun(models.Model):
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="declaration_runs",
        verbose_name=_("organisation"),
    )
    funder = models.ForeignKey(
        Funder,
        on_delete=models.PROTECT,
        related_name="declaration_runs",
        verbose_name=_("municipality"),
    )
    standard = models.CharField(_("standard"), max_length=4, choices=Standard.choices)
    period_start = models.DateField(_("declaration period from"))
    period_end = models.DateField(_("declaration period to"))
    # DeclaratieNummer: at most 12 letters and digits (RS017, CS319), unique for the provider
    # that sends it (TR333; the organisation's outgoing counter numbers it).
    number = models.CharField(_("declaration number"), max_length=12)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DeclarationStatus.choices,
        default=DeclarationStatus.DRAFT,
    )
    # Debits minus credits (IV086), in euro cents; the amount granted from the 325.
    total_cents = models.BigIntegerField(_("total claimed in euro cents"), default=0)
    accepted_cents = models.BigIntegerField(_("total granted in euro cents"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    message = models.OneToOneField(
        Message,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="declaration_run",
        verbose_name=_("declaration message (323)"),
    )
    answer = models.OneToOneField(
        Message,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="answered_declaration_run",
        verbose_name=_("answer (325)"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("declaration")
        verbose_name_plural = _("declarations")
        ordering = ["-period_start", "funder__name", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="declaration_period_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(number__regex=r"^[a-zA-Z0-9]{1,12}$"),
                name="declaration_number_letters_and_digits",
            ),
            models.UniqueConstraint(
                fields=["organisation", "number"], name="declaration_number_unique_per_provider"
            ),
            # One draft at a time per municipality, standard and month.
            models.UniqueConstraint(
                fields=["organisation", "funder", "standard", "period_start"],
                condition=Q(status="draft"),
                name="declaration_one_draft_per_month",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(message__isnull=False),
                name="declaration_sent_has_message",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.funder} {self.period_start:%m-%Y}"


class DeclarationLine(models.Model):
    run = models.ForeignKey(
        DeclarationRun,
        on_delete=models.CASCADE,
        related_name="lines",
        verbose_name=_("declaration"),
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    allocation = models.ForeignKey(
        Allocation,
        on_delete=models.PROTECT,
        related_name="declaration_lines",
        verbose_name=_("allocation"),
    )
    client = models.ForeignKey(
        Client,
        on_delete=models.PROTECT,
        related_name="declaration_lines",
        verbose_name=_("client"),
    )
    # The allocation's product, or the product of its contract that priced the care
    # (aspecific, generic).
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    period_start = models.DateField(_("product period from"))
    period_end = models.DateField(_("product period to"))
    volume = models.PositiveIntegerField(_("volume delivered"))
    unit = models.CharField(_("unit"), max_length=2, choices=Unit.choices)
    tariff_cents = models.PositiveIntegerField(_("tariff in euro cents"), null=True, blank=True)
    amount_cents = models.PositiveIntegerField(_("amount in euro cents"))
    debit_credit = models.CharField(
        _("debit or credit"), max_length=1, choices=DebitCredit.choices, default="D"
    )
    reference = models.CharField(_("reference number"), max_length=20)
    previous_reference = models.CharField(_("previous reference number"), max_length=20, blank=True)
    credits = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credited_by",
        verbose_name=_("credits the line"),
    )
    declares_again = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="declared_again_by",
        verbose_name=_("declares the rejected line again"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=LineStatus.choices, default=LineStatus.DRAFT
    )
    retour_codes = models.JSONField(_("retour codes"), default=list, blank=True)
    accepted_cents = models.PositiveIntegerField(_("granted in euro cents"), null=True, blank=True)
    resolution = models.CharField(
        _("decision"), max_length=10, choices=Resolution.choices, blank=True, default=""
    )
    resolution_reason = models.CharField(_("reason"), max_length=500, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    resolved_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("declaration line")
        verbose_name_plural = _("declaration lines")
        ordering = ["client_id", "allocation_id", "period_start", "pk"]
        constraints = [
            # ReferentieNummer: unique for the provider (TR314, code 8021), at most 20 (RS019).
            models.UniqueConstraint(
                fields=["organisation", "reference"], name="declaration_line_reference_unique"
            ),
            # Nothing is declared twice: one live debit per allocation, product and period.
            models.UniqueConstraint(
                fields=["allocation", "product", "period_start"],
                condition=Q(debit_credit="D", status__in=["pending", "accepted"]),
                name="declaration_line_one_live_debit",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="declaration_line_period_end_after_start",
            ),
            # CD060: VorigReferentieNummer on a credit line, and only there.
            models.CheckConstraint(
                condition=Q(debit_credit="D", previous_reference="")
                | (Q(debit_credit="C") & ~Q(previous_reference="")),
                name="declaration_line_credit_names_previous",
            ),
            # CS325: an amount of 0 is a debit.
            models.CheckConstraint(
                condition=Q(amount_cents__gt=0) | Q(debit_credit="D"),
                name="declaration_line_zero_is_debit",
            ),
            # CD087 / CS339: a tariff unless the unit is euro, and then amount = volume.
            models.CheckConstraint(
                condition=(Q(unit="83", tariff_cents__isnull=True, amount_cents=F("volume")))
                | (~Q(unit="83") & Q(tariff_cents__isnull=False)),
                name="declaration_line_tariff_unless_euro",
            ),
            # TR346: amount = volume x tariff.
            models.CheckConstraint(
                condition=Q(unit="83") | Q(amount_cents=F("volume") * F("tariff_cents")),
                name="declaration_line_amount_is_volume_times_tariff",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[choice for choice, _label in LineStatus.choices]),
                name="declaration_line_status_known",
            ),
            models.CheckConstraint(
                condition=Q(resolution="") | Q(status="rejected"),
                name="declaration_line_only_rejected_resolved",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "status"]),
            models.Index(fields=["allocation", "period_start"]),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.debit_credit} {self.amount_cents}"

    @property
    def signed_cents(self) -> int:
        return self.amount_cents if self.debit_credit == DebitCredit.DEBIT else -self.amount_cents
