from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.models import HistoricalRecords

from apps.accounts.models import Organisation
from apps.clients.models import Client
from apps.core.domains import DOMAIN_OF_KIND, ActivityKind, Domain

from .reasons import alert_text
from .reference import product_categories


class Unit(models.TextChoices):
    """Code list WJ756 (iJw/iWmo 3.2)."""

    MINUTE = "01", _("Minute")
    HOUR = "04", _("Hour")
    DAY_24H = "14", _("24 hours (etmaal)")
    DAY_PART = "16", _("Day part (4 hours)")
    ITEM_OUTPUT = "82", _("Item (output)")
    EURO = "83", _("Euro")
    ITEM_EFFORT = "84", _("Item (effort)")


# Time units are consumed in minutes; the others count whole units: nights of stay (etmaal)
# and day parts attended (presence), items, or euros. An etmaal is not 1,440 minutes of care.
MINUTES_PER_UNIT: dict[str, int] = {
    Unit.MINUTE: 1,
    Unit.HOUR: 60,
}


def volume_text(unit: str, volume: int) -> str:
    """A volume with its unit in words, singular or plural by the volume: 1 hour, 7 etmalen."""
    count = number_format(volume, force_grouping=True)
    forms = {
        Unit.MINUTE: ngettext("%(count)s minute", "%(count)s minutes", volume),
        Unit.HOUR: ngettext("%(count)s hour", "%(count)s hours", volume),
        Unit.DAY_24H: ngettext(
            "%(count)s day of 24 hours (etmaal)", "%(count)s days of 24 hours (etmalen)", volume
        ),
        Unit.DAY_PART: ngettext("%(count)s day part", "%(count)s day parts", volume),
        Unit.ITEM_OUTPUT: ngettext("%(count)s item (output)", "%(count)s items (output)", volume),
        Unit.EURO: ngettext("%(count)s euro", "%(count)s euros", volume),
        Unit.ITEM_EFFORT: ngettext("%(count)s item (effort)", "%(count)s items (effort)", volume),
    }
    return forms[unit] % {"count": count}


PRESENCE_UNITS = frozenset({Unit.DAY_24H, Unit.DAY_PART})
ITEM_UNITS = frozenset({Unit.ITEM_OUTPUT, Unit.ITEM_EFFORT})


class DeliveryKind(models.TextChoices):
    """What a product delivers, which follows from its unit (WJ756)."""

    TIME = "time", _("Time (minutes, hours: sessions)")
    PRESENCE = "presence", _("Presence (etmaal, day part: nights and day parts)")
    OUTPUT = "output", _("Output (pieces per period)")
    BUDGET = "budget", _("Budget (euros)")


DELIVERY_KIND_OF_UNIT: dict[str, str] = {
    Unit.MINUTE: DeliveryKind.TIME,
    Unit.HOUR: DeliveryKind.TIME,
    Unit.DAY_24H: DeliveryKind.PRESENCE,
    Unit.DAY_PART: DeliveryKind.PRESENCE,
    Unit.ITEM_OUTPUT: DeliveryKind.OUTPUT,
    Unit.ITEM_EFFORT: DeliveryKind.OUTPUT,
    Unit.EURO: DeliveryKind.BUDGET,
}

# What a presence product counts, per unit: nights of residential stay per etmaal, attended
# day parts (a day activity, a school or internship day part) per dagdeel. A presence product
# pays for nothing else (a session never consumes an etmaal), and a stay only per etmaal.
PRESENCE_KINDS_BY_UNIT: dict[str, frozenset[str]] = {
    Unit.DAY_24H: frozenset({ActivityKind.RESIDENTIAL_STAY}),
    Unit.DAY_PART: frozenset(
        {
            ActivityKind.DAY_ACTIVITY,
            ActivityKind.LESSON,
            ActivityKind.EXAM,
            ActivityKind.INTERNSHIP_DAY,
        }
    ),
}
PRESENCE_KINDS = frozenset().union(*PRESENCE_KINDS_BY_UNIT.values())


class Frequency(models.TextChoices):
    """Code list WMO757 (iJw/iWmo 3.2): the window in which the volume may be used."""

    PER_DAY = "1", _("Per day")
    PER_WEEK = "2", _("Per week")
    PER_MONTH = "4", _("Per month")
    TOTAL = "6", _("Total within the allocation's validity")


class FundingStream(models.Model):
    """A law or budget that pays for care: Jeugdwet, Wmo, Zvw (GGZ), Wlz, education, work."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    law = models.CharField(_("law or budget"), max_length=200)
    domains = models.JSONField(
        _("domains it may pay for"), default=list, help_text=_("A list of domain codes.")
    )
    activity_kinds = models.JSONField(
        _("activity kinds it may pay for"),
        default=list,
        blank=True,
        help_text=_("A list of activity kind codes; empty means every kind of its domains."),
    )
    min_age = models.PositiveSmallIntegerField(
        _("minimum age"), null=True, blank=True, help_text=_("Pays from this birthday on.")
    )
    age_limit = models.PositiveSmallIntegerField(
        _("age limit"),
        null=True,
        blank=True,
        help_text=_("Stops paying on this birthday (the Jeugdwet: 18)."),
    )
    extended_age_limit = models.PositiveSmallIntegerField(
        _("age limit with extended youth care"),
        null=True,
        blank=True,
        help_text=_("With recorded extended youth care it pays until this birthday (23)."),
    )
    product_category_list = models.CharField(
        _("product category code list"),
        max_length=10,
        blank=True,
        help_text=_("JZ020 for the Jeugdwet, WMO020 for the Wmo; empty where none applies."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("funding stream")
        verbose_name_plural = _("funding streams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def pays_for(self, *, domain: str, kind: str) -> bool:
        return domain in self.domains and (not self.activity_kinds or kind in self.activity_kinds)

    def domain_labels(self) -> list[str]:
        return [Domain(code).label for code in self.domains if code in Domain.values]

    def kind_labels(self) -> list[str]:
        return [
            ActivityKind(code).label for code in self.activity_kinds if code in ActivityKind.values
        ]


class FunderKind(models.TextChoices):
    MUNICIPALITY = "municipality", _("Municipality")
    REGION = "region", _("Region")
    HEALTH_INSURER = "health_insurer", _("Health insurer")
    CARE_OFFICE = "care_office", _("Care office (zorgkantoor)")
    SAMENWERKINGSVERBAND = "samenwerkingsverband", _("Samenwerkingsverband (education)")
    SCHOOL_BOARD = "school_board", _("School board")
    UWV = "uwv", _("UWV")


FUNDER_CODE_LABEL = {
    FunderKind.MUNICIPALITY: _("CBS municipality code"),
    FunderKind.REGION: _("region code"),
    FunderKind.HEALTH_INSURER: _("UZOVI code"),
    FunderKind.CARE_OFFICE: _("care office code"),
    FunderKind.SAMENWERKINGSVERBAND: _("samenwerkingsverband code"),
    # DUO's number of the school board (bevoegd gezag); a BRIN number names a school, not a board.
    FunderKind.SCHOOL_BOARD: _("school-board number (bevoegd gezag)"),
    FunderKind.UWV: _("code"),
}


class Funder(models.Model):
    """Who pays: a municipality, a region, an insurer, a care office, a school body, UWV."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=FunderKind.choices)
    code = models.CharField(
        _("code"),
        max_length=20,
        help_text=_(
            "CBS code, UZOVI, care-office code, the school board's number (bevoegd gezag) or "
            "the samenwerkingsverband's code."
        ),
    )
    streams = models.ManyToManyField(
        FundingStream, related_name="funders", verbose_name=_("funding streams"), blank=True
    )

    history = HistoricalRecords(m2m_fields=[streams])

    class Meta:
        verbose_name = _("funder")
        verbose_name_plural = _("funders")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="funder_code_unique_per_kind"),
        ]

    def __str__(self) -> str:
        return self.name


class ExecutionVariant(models.TextChoices):
    EFFORT = "effort", _("Effort-based (inspanningsgericht)")
    OUTPUT = "output", _("Output-based (outputgericht)")
    TASK = "task", _("Task-based (taakgericht)")


class LeavePeriod(models.TextChoices):
    """The period in which a contract's paid leave nights are counted."""

    WEEK = "week", _("Week (Monday to Sunday)")
    MONTH = "month", _("Calendar month")
    YEAR = "year", _("Calendar year")


class Contract(models.Model):
    """An agreement between a funder and a care provider, for one stream and a period."""

    funder = models.ForeignKey(
        Funder, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("funder")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="contracts",
        verbose_name=_("organisation"),
    )
    stream = models.ForeignKey(
        FundingStream,
        on_delete=models.PROTECT,
        related_name="contracts",
        verbose_name=_("funding stream"),
    )
    reference = models.CharField(_("reference"), max_length=100)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)
    execution_variant = models.CharField(
        _("execution variant"), max_length=10, choices=ExecutionVariant.choices
    )
    # Leave during a residential stay (a weekend at home): whether its nights are paid is the
    # contract's rule, e.g. the Wlz's "at most two consecutive days per week" (docs/funding.md).
    leave_nights_paid = models.PositiveSmallIntegerField(
        _("leave nights paid"),
        default=0,
        db_default=0,
        help_text=_(
            "How many leave nights of a residential stay (the client sleeps away, e.g. a "
            "weekend at home) are paid per period; 0: leave nights are not paid."
        ),
    )
    leave_period = models.CharField(
        _("leave nights counted per"),
        max_length=5,
        choices=LeavePeriod.choices,
        default=LeavePeriod.WEEK,
        db_default=LeavePeriod.WEEK,
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["funder__name", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["funder", "organisation", "reference"], name="contract_reference_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="contract_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.funder} · {self.reference}"


def delivery_kind_matches_unit() -> models.Q:
    """The database's form of DELIVERY_KIND_OF_UNIT: a product's delivery kind fits its unit."""
    condition = models.Q()
    for kind in DeliveryKind.values:
        units = sorted(str(unit) for unit, of in DELIVERY_KIND_OF_UNIT.items() if of == kind)
        condition |= models.Q(delivery_kind=str(kind), unit__in=units)
    return condition


class Product(models.Model):
    """A product of one contract: product codes are not national, they belong to a contract."""

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="products", verbose_name=_("contract")
    )
    category = models.CharField(
        _("product category"),
        max_length=4,
        blank=True,
        help_text=_("From the stream's code list (JZ020, WMO020), where it has one."),
    )
    code = models.CharField(_("product code"), max_length=20)
    description = models.CharField(_("description"), max_length=200)
    unit = models.CharField(_("unit"), max_length=2, choices=Unit.choices)
    tariff_cents = models.PositiveIntegerField(_("tariff in euro cents per unit"))
    is_guidance = models.BooleanField(
        _("guidance (begeleiding)"),
        default=False,
        help_text=_("Guidance is not extended after 18 under the Jeugdwet; it moves to the Wmo."),
    )
    delivery_kind = models.CharField(
        _("delivery kind"),
        max_length=10,
        choices=DeliveryKind.choices,
        blank=True,
        help_text=_("Follows from the unit; filled in from it when left empty."),
    )
    activity_kinds = models.JSONField(
        _("activity kinds it pays for"),
        default=list,
        blank=True,  # clean() says what is missing
        help_text=_("Only activities of these kinds are drawn on the product's allocations."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["contract", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "code"], name="product_code_unique_per_contract"
            ),
            models.CheckConstraint(
                condition=delivery_kind_matches_unit(),
                name="product_delivery_kind_matches_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"

    def save(self, *args, **kwargs) -> None:
        # The delivery kind follows the unit (a form has checked a chosen one against it).
        if self.unit in DELIVERY_KIND_OF_UNIT:
            self.delivery_kind = DELIVERY_KIND_OF_UNIT[self.unit]
            update_fields = kwargs.get("update_fields")
            if update_fields is not None and "unit" in update_fields:
                kwargs["update_fields"] = {*update_fields, "delivery_kind"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        stream = self.contract.stream if self.contract_id else None
        code_list = stream.product_category_list if stream else ""
        if code_list and self.category not in product_categories(code_list):
            errors["category"] = _(
                "%(category)s is not a product category of code list %(list)s."
            ) % {"category": self.category or "-", "list": code_list}
        expected = DELIVERY_KIND_OF_UNIT.get(self.unit)
        if expected is not None and not self.delivery_kind:
            self.delivery_kind = expected
        elif expected is not None and self.delivery_kind != expected:
            errors["delivery_kind"] = _("A product counted in %(unit)s delivers %(kind)s.") % {
                "unit": Unit(self.unit).label,
                "kind": DeliveryKind(expected).label,
            }
        kinds_error = self._activity_kinds_error(stream)
        if kinds_error:
            errors["activity_kinds"] = kinds_error
        if errors:
            raise ValidationError(errors)

    def _activity_kinds_error(self, stream: FundingStream | None) -> str | None:
        kinds = self.activity_kinds
        if not isinstance(kinds, list) or not all(isinstance(kind, str) for kind in kinds):
            return _("Give a list of activity kind codes.")
        if not kinds:
            # Products from before delivery kinds were migrated with theirs; a new one says it.
            return _("Choose the kinds of activity the product pays for.")
        unknown = [kind for kind in kinds if kind not in ActivityKind.values]
        if unknown:
            return _("Unknown activity kinds: %(kinds)s.") % {"kinds": ", ".join(unknown)}
        if stream is not None:
            unpaid = [
                kind
                for kind in kinds
                if not stream.pays_for(domain=DOMAIN_OF_KIND[kind], kind=kind)
            ]
            if unpaid:
                return _("%(stream)s does not pay for: %(kinds)s.") % {
                    "stream": stream.name,
                    "kinds": ", ".join(str(ActivityKind(kind).label) for kind in unpaid),
                }
        counted = PRESENCE_KINDS_BY_UNIT.get(self.unit)
        if counted is not None and not set(kinds) <= counted:
            return _(
                "A product counted in %(unit)s pays only for %(kinds)s: a session never "
                "consumes a night or a day part."
            ) % {
                "unit": Unit(self.unit).label,
                "kinds": ", ".join(sorted(str(ActivityKind(kind).label) for kind in counted)),
            }
        if self.unit != Unit.DAY_24H and ActivityKind.RESIDENTIAL_STAY in kinds:
            return _("A residential stay is paid per night (etmaal).")
        return None

    def pays_for_kind(self, kind: str) -> bool:
        """Whether activities of this kind may be drawn on the product (and its allocations)."""
        return kind in (self.activity_kinds or ())

    def activity_kind_labels(self) -> list[str]:
        return [
            str(ActivityKind(code).label)
            for code in self.activity_kinds or ()
            if code in ActivityKind.values
        ]


class AllocationStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# An ended allocation never becomes active again (its validity is over: it ends by itself the
# night after its end date); a longer validity is a new allocation (IV066).
ALLOCATION_STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    AllocationStatus.ACTIVE: frozenset({AllocationStatus.ENDED, AllocationStatus.WITHDRAWN}),
    AllocationStatus.ENDED: frozenset(),
    AllocationStatus.WITHDRAWN: frozenset(),
}
# An ended allocation still pays for care delivered within its validity (logged late, or
# claimed afterwards: IV090); a withdrawn one pays for nothing.
ALLOCATION_FUNDING_STATUSES = frozenset({AllocationStatus.ACTIVE, AllocationStatus.ENDED})


class ChangeReason(models.TextChoices):
    """Code list JZ002 (iJw 3.2, reden wijziging toewijzing; WMO002 in the iWmo has the same
    codes). 01 (administrative correction, lapsed) is left out: constraint CS336 says not to
    use it."""

    CLIENT_DECEASED = "02", _("Client deceased")
    CONTRACT_CHANGE = "03", _("Contract change")
    EXTENDED = "04", _("Reassessment: allocation extended")
    SHORTENED = "05", _("Reassessment: allocation shortened")
    OTHER_DOMAIN = "06", _("Moves to another domain (e.g. the Wlz)")
    MOVED = "07", _("Moved to another municipality")
    DELIVERY_FORM = "08", _("Change of delivery form (personal budget)")
    OTHER_PROVIDER = "09", _("Switch to another provider")
    FUNDING_SYSTEM = "10", _("Move to a new funding system")
    MUNICIPAL_MERGER = "11", _("Municipal reorganisation")
    BY_PROVIDER = "12", _("Initiated by the provider")
    REMOVED = "13", _("Removed (sent in error)")
    CORRECTION = "14", _("Administrative correction")


class AllocationVariant(models.TextChoices):
    """iJw / iWmo 3.2 (procesbeschrijving, 3.1.1 and 3.3; IV075): what an allocation names."""

    SPECIFIC = "specific", _("Specific (one product)")
    ASPECIFIC = "aspecific", _("Aspecific (a product category)")
    GENERIC = "generic", _("Generic (a budget only)")


def allocation_variant_condition() -> models.Q:
    """What each variant fills (IV075; procesbeschrijving 3.1.1): specific a product and a
    volume, no category or budget of its own; aspecific a category, no product or volume, a
    budget or not; generic a budget only."""
    no_budget = models.Q(budget_cents__isnull=True)
    return (
        models.Q(
            variant=AllocationVariant.SPECIFIC,
            product__isnull=False,
            volume__isnull=False,
            category="",
        )
        & no_budget
        | models.Q(
            variant=AllocationVariant.ASPECIFIC,
            product__isnull=True,
            volume__isnull=True,
            unit=Unit.EURO,
            frequency=Frequency.TOTAL,
        )
        & ~models.Q(category="")
        | models.Q(
            variant=AllocationVariant.GENERIC,
            product__isnull=True,
            volume__isnull=True,
            unit=Unit.EURO,
            frequency=Frequency.TOTAL,
            category="",
            budget_cents__isnull=False,
        )
    )


class AllocationQuerySet(models.QuerySet):
    def active(self) -> "AllocationQuerySet":
        return self.filter(status=AllocationStatus.ACTIVE)

    def valid_on(self, day: date) -> "AllocationQuerySet":
        return self.filter(start__lte=day).filter(
            models.Q(end__isnull=True) | models.Q(end__gte=day)
        )


class AllocationSource(models.TextChoices):
    """Where an allocation came from: typed in, or received from the municipality as a JW301 /
    WMO301 (then only the exchange changes it: the municipality's next message does)."""

    MANUAL = "manual", _("Registered by hand")
    MESSAGE = "message", _("Received as a message (JW301 / WMO301)")


class Allocation(models.Model):
    """A funder's decision that a client may receive a product (toewijzing, beschikking)."""

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("client")
    )
    variant = models.CharField(
        _("variant"),
        max_length=10,
        choices=AllocationVariant.choices,
        default=AllocationVariant.SPECIFIC,
    )
    # A specific allocation names its product; an aspecific one a product category of its
    # contract (JZ020, WMO020), a generic one neither: the contract's products price its care.
    product = models.ForeignKey(
        Product,
        on_delete=models.PROTECT,
        related_name="allocations",
        verbose_name=_("product"),
        null=True,
        blank=True,
    )
    category = models.CharField(_("product category"), max_length=4, blank=True)
    # The contract of the product (specific), or the contract chosen (aspecific, generic).
    contract = models.ForeignKey(
        Contract,
        on_delete=models.PROTECT,
        related_name="allocations",
        verbose_name=_("contract"),
    )
    budget_cents = models.PositiveBigIntegerField(_("budget in euro cents"), null=True, blank=True)
    # Copied from product.contract.funder so that the number can be unique per funder.
    funder = models.ForeignKey(
        Funder,
        on_delete=models.PROTECT,
        related_name="allocations",
        verbose_name=_("funder"),
        editable=False,
    )
    number = models.CharField(_("allocation number"), max_length=40)
    volume = models.PositiveIntegerField(_("volume"), null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=2, choices=Unit.choices)
    frequency = models.CharField(_("frequency"), max_length=1, choices=Frequency.choices)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AllocationStatus.choices,
        default=AllocationStatus.ACTIVE,
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    change_reason = models.CharField(
        _("reason for the last change (JZ002)"),
        max_length=2,
        choices=ChangeReason.choices,
        blank=True,
    )
    source = models.CharField(
        _("source"),
        max_length=10,
        choices=AllocationSource.choices,
        default=AllocationSource.MANUAL,
        db_default=AllocationSource.MANUAL,
        editable=False,
    )
    replaces = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("replaces allocation"),
        editable=False,
    )

    objects = AllocationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["start", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["funder", "number"], name="allocation_number_unique_per_funder"
            ),
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="allocation_end_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(volume__gt=0), name="allocation_volume_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(budget_cents__isnull=True) | models.Q(budget_cents__gt=0),
                name="allocation_budget_positive",
            ),
            models.CheckConstraint(
                condition=allocation_variant_condition(), name="allocation_variant_fields"
            ),
        ]
        indexes = [
            models.Index(fields=["client", "status", "start"]),
            # The funding overview's "registered recently": the newest few of the country.
            models.Index(fields=["-created_at"], name="allocation_registered"),
        ]

    def __str__(self) -> str:
        return f"{self.number} · {self.what}"

    @property
    def is_specific(self) -> bool:
        return self.variant == AllocationVariant.SPECIFIC

    @property
    def from_message(self) -> bool:
        """Received as a JW301 / WMO301: read-only in the app, the municipality changes it."""
        return self.source == AllocationSource.MESSAGE

    @property
    def what(self) -> str:
        """What the allocation is for: its product, its category, or a budget."""
        if self.product_id is not None:
            return self.product.description
        if self.variant == AllocationVariant.ASPECIFIC:
            return _("product category %(category)s") % {"category": self.category}
        return str(_("budget"))

    @property
    def label(self) -> str:
        """Its product (code and description), or its variant and category."""
        if self.product_id is not None:
            return f"{self.product.code} {self.product.description}"
        if self.variant == AllocationVariant.ASPECIFIC:
            return _("Aspecific · product category %(category)s") % {"category": self.category}
        return str(_("Generic"))

    @property
    def size_text(self) -> str:
        """Its volume, unit and frequency; or its budget (aspecific, generic)."""
        if self.is_specific:
            return f"{volume_text(self.unit, self.volume)} · {self.get_frequency_display().lower()}"
        if self.budget_cents is None:
            return str(_("no budget: no volume limit"))
        return _("budget € %(amount)s over the validity") % {
            "amount": number_format(
                Decimal(self.budget_cents) / 100, decimal_pos=2, use_l10n=True, force_grouping=True
            )
        }

    @property
    def capacity(self) -> int | None:
        """The volume per window in consumption units (minutes for time units); an aspecific
        or generic allocation: its budget in euro cents (None: no budget, no limit)."""
        if not self.is_specific:
            return self.budget_cents
        return self.volume * MINUTES_PER_UNIT.get(self.unit, 1)

    @property
    def total_capacity(self) -> int | None:
        """The volume over the whole validity; None for a windowed allocation without an end."""
        if self.frequency == Frequency.TOTAL or not self.is_specific:
            return self.capacity
        if self.end is None:
            return None
        days = (self.end - self.start).days + 1
        if self.frequency == Frequency.PER_DAY:
            windows = days
        elif self.frequency == Frequency.PER_WEEK:
            first_monday = self.start - timedelta(days=self.start.weekday())
            windows = (self.end - first_monday).days // 7 + 1
        else:
            windows = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
        return self.capacity * windows

    def is_valid_on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def window(self, day: date) -> tuple[date, date | None]:
        """The frequency window around a day, clipped to the validity: [first, last]."""
        if self.frequency == Frequency.PER_DAY:
            first, last = day, day
        elif self.frequency == Frequency.PER_WEEK:
            first = day - timedelta(days=day.weekday())
            last = first + timedelta(days=6)
        elif self.frequency == Frequency.PER_MONTH:
            first = day.replace(day=1)
            last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        else:
            return self.start, self.end
        first = max(first, self.start)
        if self.end is not None:
            last = min(last, self.end)
        return first, last


# --- pooled budgets (integral funding) -------------------------------------------------------


class PoolKind(models.TextChoices):
    PILOT = "pilot", _("Pilot")
    STANDING = "standing", _("Standing arrangement")


class PoolPricing(models.TextChoices):
    """How the funders pay the pool for its clients (docs/pools.md)."""

    TARIFF = "tariff", _("Per activity, at the pool contract's tariffs")
    CLIENT_MONTH = "client_month", _("A price per client per month")
    TRAJECTORY = "trajectory", _("A price per client per trajectory")
    CLIENT_BUDGET = "client_budget", _("A budget per client")


# Under these the activities draw nothing themselves: the price per client is the cost.
PRICE_PER_CLIENT = frozenset({PoolPricing.CLIENT_MONTH, PoolPricing.TRAJECTORY})


class EarlyExit(models.TextChoices):
    """What a trajectory price costs when the client leaves before its planned end."""

    MONTHS_BEGUN = "months_begun", _("Only the instalments of the months begun are due")
    FULL = "full", _("The whole trajectory price is due")


class SplitRule(models.TextChoices):
    """The verdeelsleutel: how the pool's cost is divided over its funders."""

    FIXED = "fixed", _("Fixed shares")
    DOMAIN = "domain", _("Shares per domain")
    REGULAR = "regular", _("Each pays what it would have paid on the regular route")


class IntegralPilot(models.Model):
    """A pooled budget (integral funding): one budget from one or more funders for the whole
    programme of its clients (care, education, work), a pilot or a standing arrangement.

    Its contract (with the organisation) lists what care it covers: an enrolled client's
    activity draws on the pool when a product of the contract fits it, without an allocation.
    What the funders pay follows from the pricing; how they divide it, from the split rule
    and the pool's funders (apps.pools).
    """

    contract = models.OneToOneField(
        Contract,
        on_delete=models.PROTECT,
        related_name="integral_pilot",
        verbose_name=_("contract"),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=10, choices=PoolKind.choices, default=PoolKind.PILOT
    )
    domains = models.JSONField(
        _("domains it covers"), default=list, help_text=_("A list of domain codes.")
    )
    budget_cents = models.PositiveBigIntegerField(_("budget in euro cents"))
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    pricing = models.CharField(
        _("pricing"),
        max_length=15,
        choices=PoolPricing.choices,
        default=PoolPricing.TARIFF,
        db_default=PoolPricing.TARIFF,
    )
    price_cents = models.PositiveIntegerField(
        _("price in euro cents"),
        null=True,
        blank=True,
        help_text=_(
            "Per client per month, per trajectory, or the budget per client; none when "
            "the activities are priced at the contract's tariffs."
        ),
    )
    trajectory_months = models.PositiveSmallIntegerField(
        _("months of a trajectory"), null=True, blank=True
    )
    early_exit = models.CharField(
        _("on early exit"),
        max_length=15,
        choices=EarlyExit.choices,
        default=EarlyExit.MONTHS_BEGUN,
        db_default=EarlyExit.MONTHS_BEGUN,
    )
    split_rule = models.CharField(
        _("split rule (verdeelsleutel)"),
        max_length=10,
        choices=SplitRule.choices,
        default=SplitRule.FIXED,
        db_default=SplitRule.FIXED,
    )
    domain_weights = models.JSONField(
        _("price per domain (percent)"),
        default=dict,
        blank=True,
        help_text=_(
            'How a price per client divides over the domains, e.g. {"care": 60, "education": '
            '25, "work": 15}; empty: by the value of the care delivered in each.'
        ),
    )
    assumed_rejection_percent = models.PositiveSmallIntegerField(
        _("assumed rejection rate on the regular route (percent)"),
        default=0,
        db_default=0,
        help_text=_("An assumption for the comparison, shown with it."),
    )
    clients = models.ManyToManyField(
        Client,
        through="PilotEnrolment",
        related_name="integral_pilots",
        verbose_name=_("clients"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pooled budget")
        verbose_name_plural = _("pooled budgets")
        ordering = ["start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="pilot_end_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(budget_cents__gt=0), name="pilot_budget_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(pricing=PoolPricing.TARIFF, price_cents__isnull=True)
                | (~models.Q(pricing=PoolPricing.TARIFF) & models.Q(price_cents__gt=0)),
                name="pool_price_fits_pricing",
            ),
            models.CheckConstraint(
                condition=~models.Q(pricing=PoolPricing.TRAJECTORY)
                | models.Q(trajectory_months__gt=0),
                name="pool_trajectory_has_months",
            ),
            models.CheckConstraint(
                condition=models.Q(assumed_rejection_percent__lte=100),
                name="pool_rejection_percent_at_most_100",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        unknown = [code for code in self.domains or [] if code not in Domain.values]
        if not self.domains or unknown:
            errors["domains"] = _("Choose one or more of: %(domains)s.") % {
                "domains": ", ".join(Domain.values)
            }
        if self.start and self.end and self.end < self.start:
            errors["end"] = _("The end date lies before the start date.")
        contract = self.contract if self.contract_id else None
        if contract and self.start and self.end:
            outside = self.start < contract.start or (
                contract.end is not None and self.end > contract.end
            )
            if outside:
                errors["start"] = _("The pool must lie within the contract's period.")
        if self.pricing == PoolPricing.TARIFF and self.price_cents is not None:
            errors["price_cents"] = _("Priced at the contract's tariffs, the pool has no price.")
        if self.pricing != PoolPricing.TARIFF and not self.price_cents:
            errors["price_cents"] = _("Give the price in euro cents.")
        if self.pricing == PoolPricing.TRAJECTORY and not self.trajectory_months:
            errors["trajectory_months"] = _("Give the number of months of a trajectory.")
        weights = self.domain_weights
        if weights and (
            not isinstance(weights, dict)
            or not set(weights) <= set(self.domains or [])
            or not all(isinstance(value, int) and value > 0 for value in weights.values())
            or sum(weights.values()) != 100
        ):
            errors["domain_weights"] = _(
                "Give whole percentages for domains the pool covers, adding up to 100."
            )
        if self.assumed_rejection_percent is not None and self.assumed_rejection_percent > 100:
            errors["assumed_rejection_percent"] = _("A percentage lies between 0 and 100.")
        if errors:
            raise ValidationError(errors)

    def is_valid_on(self, day: date) -> bool:
        return self.start <= day <= self.end

    def domain_labels(self) -> list[str]:
        return [Domain(code).label for code in self.domains if code in Domain.values]

    @property
    def priced_per_client(self) -> bool:
        """Whether a price per client (month or trajectory) is the cost, not the activities."""
        return self.pricing in PRICE_PER_CLIENT


class PilotEnrolment(models.Model):
    """A client taking part in a pooled budget, from a start date, until an end (an exit)."""

    pilot = models.ForeignKey(
        IntegralPilot,
        on_delete=models.PROTECT,
        related_name="enrolments",
        verbose_name=_("pooled budget"),
    )
    client = models.ForeignKey(
        Client,
        on_delete=models.PROTECT,
        related_name="pilot_enrolments",
        verbose_name=_("client"),
    )
    enrolled_at = models.DateTimeField(_("enrolled at"), auto_now_add=True)
    start = models.DateField(_("takes part from"))
    end = models.DateField(_("takes part until"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("enrolment in a pooled budget")
        verbose_name_plural = _("enrolments in a pooled budget")
        constraints = [
            models.UniqueConstraint(fields=["pilot", "client"], name="pilot_enrolment_unique"),
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="pool_enrolment_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pilot} · {self.client_id}"

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


# --- alerts ----------------------------------------------------------------------------------


class AlertKind(models.TextChoices):
    ALLOCATION_80 = "allocation_80", _("Allocation 80 percent used")
    ALLOCATION_100 = "allocation_100", _("Allocation used up")
    ALLOCATION_ENDING = "allocation_ending", _("Allocation ends without a follow-up")
    TURNS_18 = "turns_18", _("Turns 18 under the Jeugdwet")
    UNFUNDED_WAITING = "unfunded_waiting", _("Unfunded care waiting for more than 14 days")


class AlertQuerySet(models.QuerySet):
    def open(self) -> "AlertQuerySet":
        return self.filter(resolved_at__isnull=True)


class FundingAlert(models.Model):
    """An early warning about a client's funding, raised once by the nightly check and
    resolved by it when the cause has gone; a person may acknowledge it meanwhile.

    ``key`` names the cause (kind and object); at most one open alert per key.
    """

    kind = models.CharField(_("kind"), max_length=30, choices=AlertKind.choices)
    key = models.CharField(_("cause"), max_length=100)
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="funding_alerts", verbose_name=_("client")
    )
    # The client's organisation, kept with the alert (filled on save, and by the nightly check's
    # bulk insert): a manager's open alerts are read from the index open_alerts_of_organisation
    # (PostgreSQL), in the order the alerts page shows them, instead of joining every open
    # alert of the country to its client (docs/performance.md, "The alerts").
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        editable=False,
        verbose_name=_("organisation"),
    )
    allocation = models.ForeignKey(
        Allocation,
        on_delete=models.PROTECT,
        related_name="alerts",
        null=True,
        blank=True,
        verbose_name=_("allocation"),
    )
    details = models.JSONField(_("details"), default=dict)
    raised_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    raised_on = models.DateField(_("raised on the check of"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("acknowledged by"),
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    objects = AlertQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("funding alert")
        verbose_name_plural = _("funding alerts")
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(resolved_at__isnull=True),
                name="one_open_alert_per_cause",
            ),
        ]
        # On PostgreSQL also open_alerts_of_organisation (migration funding 0017): SQLite has
        # no NULLS FIRST in an index, so it is not declared here.
        indexes = [models.Index(fields=["client", "resolved_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.client_id}"

    def save(self, *args, **kwargs):
        if self.organisation_id is None and self.client_id is not None:
            self.organisation_id = (
                Client.objects.filter(pk=self.client_id)
                .values_list("organisation_id", flat=True)
                .get()
            )
        super().save(*args, **kwargs)

    @property
    def text(self) -> str:
        """What the alert says, in the active language."""
        return alert_text(self.kind, self.details)

    def text_for(self, *, sees_identity: bool) -> str:
        """What the alert says to a reader who may or may not see the client's identity."""
        return alert_text(self.kind, self.details, sees_identity=sees_identity)
