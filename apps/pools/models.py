"""A pooled budget's funders, their shares, the legal basis per client and what each paid in.

The pool itself (``IntegralPilot``) and its enrolments live in apps.funding: the activities
of trajectories draw on it. What the funders agreed among themselves lives here.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.domains import Domain
from apps.funding.models import (
    Allocation,
    Funder,
    FundingStream,
    IntegralPilot,
    PilotEnrolment,
)


class PoolFunder(models.Model):
    """A funder's part in a pool under one law: its share and, with a stream, the stream's
    age rules (a municipality under the Jeugdwet until the 18th birthday, an insurer under
    the Zvw from it). A funder that pays under two laws has two rows."""

    pool = models.ForeignKey(
        IntegralPilot,
        on_delete=models.PROTECT,
        related_name="pool_funders",
        verbose_name=_("pooled budget"),
    )
    funder = models.ForeignKey(
        Funder, on_delete=models.PROTECT, related_name="pool_parts", verbose_name=_("funder")
    )
    stream = models.ForeignKey(
        FundingStream,
        on_delete=models.PROTECT,
        related_name="pool_parts",
        null=True,
        blank=True,
        verbose_name=_("funding stream"),
        help_text=_("Its age rules decide from and until which birthday this part pays."),
    )
    share_permille = models.PositiveSmallIntegerField(
        _("share (per mille)"),
        default=0,
        help_text=_("Under fixed shares: its part of the cost, in thousandths."),
    )
    contribution_cents = models.PositiveBigIntegerField(
        _("agreed contribution in euro cents"),
        default=0,
        help_text=_("The sum it agreed to put into the pool (for the forecast)."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("funder of a pooled budget")
        verbose_name_plural = _("funders of a pooled budget")
        ordering = ["pool", "funder__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["pool", "funder", "stream"],
                condition=models.Q(stream__isnull=False),
                name="pool_funder_unique_per_stream",
            ),
            models.UniqueConstraint(
                fields=["pool", "funder"],
                condition=models.Q(stream__isnull=True),
                name="pool_funder_unique_without_stream",
            ),
            models.CheckConstraint(
                condition=models.Q(share_permille__lte=1000), name="pool_share_at_most_1000"
            ),
        ]

    def __str__(self) -> str:
        if self.stream_id is None:
            return str(self.funder)
        return f"{self.funder} · {self.stream}"

    def clean(self) -> None:
        """Under fixed shares, the funders that pay at one age together have at most the
        whole (1000 per mille): more would silently shrink each one's share."""
        if not self.pool_id or not self.share_permille:
            return
        others = [
            part
            for part in PoolFunder.objects.filter(pool_id=self.pool_id).select_related("stream")
            if part.pk != self.pk
        ]
        ages = {0}
        for part in [*others, self]:
            if part.stream is not None:
                ages |= {age for age in (part.stream.min_age, part.stream.age_limit) if age}
        for age in sorted(ages):
            if not self.pays_at_age(age):
                continue
            total = self.share_permille + sum(
                part.share_permille for part in others if part.pays_at_age(age)
            )
            if total > 1000:
                raise ValidationError(
                    {
                        "share_permille": _(
                            "With the other funders that pay at the age of %(age)s the shares "
                            "come to %(total)s per mille, more than the whole (1000)."
                        )
                        % {"age": age, "total": total}
                    }
                )

    def pays_at_age(self, age: int) -> bool:
        """Whether this part pays for a client of this age (the stream's age rules)."""
        stream = self.stream
        if stream is None:
            return True
        if stream.min_age is not None and age < stream.min_age:
            return False
        return stream.age_limit is None or age < stream.age_limit


class PoolDomainShare(models.Model):
    """Under shares per domain: a funder part's share of one domain's cost."""

    part = models.ForeignKey(
        PoolFunder,
        on_delete=models.PROTECT,
        related_name="domain_shares",
        verbose_name=_("funder of the pool"),
    )
    domain = models.CharField(_("domain"), max_length=20, choices=Domain.choices)
    share_permille = models.PositiveSmallIntegerField(_("share (per mille)"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("share per domain")
        verbose_name_plural = _("shares per domain")
        constraints = [
            models.UniqueConstraint(fields=["part", "domain"], name="pool_domain_share_unique"),
            models.CheckConstraint(
                condition=models.Q(share_permille__gt=0, share_permille__lte=1000),
                name="pool_domain_share_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.part} · {self.get_domain_display()} · {self.share_permille}‰"


def pool_ages(parts) -> list[int]:
    """The ages at which the funders that pay may change: 0 and the streams' age rules."""
    ages = {0}
    for part in parts:
        if part.stream is not None:
            ages |= {age for age in (part.stream.min_age, part.stream.age_limit) if age}
    return sorted(ages)


def domain_share_totals(shares: list[tuple[PoolFunder, str, int]]) -> dict[tuple[str, int], int]:
    """Under shares per domain: per domain and age, the per mille of the funders that pay at
    that age. ``shares``: (the funder's part, domain, per mille) rows."""
    totals: dict[tuple[str, int], int] = {}
    for age in pool_ages([part for part, _domain, _permille in shares]):
        for part, domain, permille in shares:
            if part.pays_at_age(age):
                totals[(domain, age)] = totals.get((domain, age), 0) + permille
    return totals


def domain_share_message(domain: str, age: int, total: int) -> str:
    """Why a domain's shares at an age are not the whole."""
    return _(
        "%(domain)s: the shares of the funders that pay at the age of %(age)s come to "
        "%(total)s per mille; together they must make the whole (1000)."
    ) % {"domain": Domain(domain).label, "age": age, "total": total}


class BasisKind(models.TextChoices):
    """The legal basis on which a funder pays for a client, which it accounts for."""

    ALLOCATION = "allocation", _("Allocation (Jeugdwet, Wmo)")
    ZVW_REFERRAL = "zvw_referral", _("Referral (Zvw)")
    TLV = "tlv", _("Admissibility statement (TLV)")
    OTHER = "other", _("Other decision")


class PoolBasis(models.Model):
    """A funder's legal basis for an enrolled client: an allocation, a Zvw referral, a TLV.

    Kept because each funder still has to account for its share per client; its reference is
    the identification the funder's own regime uses (shown in that funder's report).
    """

    enrolment = models.ForeignKey(
        PilotEnrolment,
        on_delete=models.PROTECT,
        related_name="bases",
        verbose_name=_("enrolment"),
    )
    funder = models.ForeignKey(
        Funder, on_delete=models.PROTECT, related_name="pool_bases", verbose_name=_("funder")
    )
    kind = models.CharField(_("kind"), max_length=15, choices=BasisKind.choices)
    reference = models.CharField(_("reference"), max_length=60)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)
    allocation = models.ForeignKey(
        Allocation,
        on_delete=models.PROTECT,
        related_name="pool_bases",
        null=True,
        blank=True,
        verbose_name=_("allocation"),
    )
    zvw_referral = models.ForeignKey(
        "zvw.ZvwRoute",
        on_delete=models.PROTECT,
        related_name="pool_bases",
        null=True,
        blank=True,
        verbose_name=_("referral (Zvw)"),
        help_text=_("The client's own referral, from the client's Zvw route."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("legal basis in a pooled budget")
        verbose_name_plural = _("legal bases in a pooled budget")
        ordering = ["start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="pool_basis_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference}"

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("The end date lies before the start date.")})
        if self.enrolment_id is None:
            return
        pool = self.enrolment.pilot
        period = {"start": date_format(pool.start), "end": date_format(pool.end)}
        outside = _("A legal basis lies within the pool's period (%(start)s to %(end)s).")
        errors = {}
        if self.start and not pool.start <= self.start <= pool.end:
            errors["start"] = outside % period
        if self.end and not pool.start <= self.end <= pool.end:
            errors["end"] = outside % period
        if errors:
            raise ValidationError(errors)

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


class PoolPayment(models.Model):
    """What a funder paid into the pool (an advance or an instalment); the year-end
    settlement sets a year's payments beside the funder's share of that year's cost."""

    part = models.ForeignKey(
        PoolFunder,
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name=_("funder of the pool"),
    )
    paid_on = models.DateField(_("paid on"))
    amount_cents = models.PositiveBigIntegerField(_("amount in euro cents"))
    year = models.PositiveSmallIntegerField(_("for the year"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("payment into a pooled budget")
        verbose_name_plural = _("payments into a pooled budget")
        ordering = ["paid_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_cents__gt=0), name="pool_payment_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.part} · {self.year} · {self.amount_cents}"
