from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.accounts.models import Organisation
from apps.clients.models import Client
from apps.core.domains import ActivityKind, Domain

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


# Time units are consumed in minutes; the others count whole items or whole euros.
MINUTES_PER_UNIT: dict[str, int] = {
    Unit.MINUTE: 1,
    Unit.HOUR: 60,
    Unit.DAY_PART: 240,
    Unit.DAY_24H: 1440,
}
ITEM_UNITS = frozenset({Unit.ITEM_OUTPUT, Unit.ITEM_EFFORT})


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

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["contract", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "code"], name="product_code_unique_per_contract"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"

    def clean(self) -> None:
        code_list = self.contract.stream.product_category_list if self.contract_id else ""
        if code_list and self.category not in product_categories(code_list):
            raise ValidationError(
                {
                    "category": _("%(category)s is not a product category of code list %(list)s.")
                    % {"category": self.category or "-", "list": code_list}
                }
            )


class AllocationStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")
    WITHDRAWN = "withdrawn", _("Withdrawn")


ALLOCATION_STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    AllocationStatus.ACTIVE: frozenset({AllocationStatus.ENDED, AllocationStatus.WITHDRAWN}),
    AllocationStatus.ENDED: frozenset({AllocationStatus.ACTIVE}),
    AllocationStatus.WITHDRAWN: frozenset(),
}


class AllocationQuerySet(models.QuerySet):
    def active(self) -> "AllocationQuerySet":
        return self.filter(status=AllocationStatus.ACTIVE)

    def valid_on(self, day: date) -> "AllocationQuerySet":
        return self.filter(start__lte=day).filter(
            models.Q(end__isnull=True) | models.Q(end__gte=day)
        )


class Allocation(models.Model):
    """A funder's decision that a client may receive a product (toewijzing, beschikking)."""

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("client")
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("product")
    )
    # Copied from product.contract.funder so that the number can be unique per funder.
    funder = models.ForeignKey(
        Funder,
        on_delete=models.PROTECT,
        related_name="allocations",
        verbose_name=_("funder"),
        editable=False,
    )
    number = models.CharField(_("allocation number"), max_length=40)
    volume = models.PositiveIntegerField(_("volume"))
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
        ]
        indexes = [models.Index(fields=["client", "status", "start"])]

    def __str__(self) -> str:
        return f"{self.number} · {self.product.description}"

    @property
    def capacity(self) -> int:
        """The volume per window in consumption units (minutes for time units)."""
        return self.volume * MINUTES_PER_UNIT.get(self.unit, 1)

    @property
    def total_capacity(self) -> int | None:
        """The volume over the whole validity; None for a windowed allocation without an end."""
        if self.frequency == Frequency.TOTAL:
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


# --- integral-funding pilots -----------------------------------------------------------------


class IntegralPilot(models.Model):
    """A contract marked as one integral budget in euros for several domains, for a set of
    clients and a period: their activities draw on it first, with no allocation per product.

    The contract's products price the care (their tariffs and units), its funder pays.
    """

    contract = models.OneToOneField(
        Contract,
        on_delete=models.PROTECT,
        related_name="integral_pilot",
        verbose_name=_("contract"),
    )
    name = models.CharField(_("name"), max_length=200)
    domains = models.JSONField(
        _("domains it covers"), default=list, help_text=_("A list of domain codes.")
    )
    budget_cents = models.PositiveBigIntegerField(_("budget in euro cents"))
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    clients = models.ManyToManyField(
        Client,
        through="PilotEnrolment",
        related_name="integral_pilots",
        verbose_name=_("clients"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("integral-funding pilot")
        verbose_name_plural = _("integral-funding pilots")
        ordering = ["start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="pilot_end_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(budget_cents__gt=0), name="pilot_budget_positive"
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
                errors["start"] = _("The pilot must lie within the contract's period.")
        if errors:
            raise ValidationError(errors)

    def is_valid_on(self, day: date) -> bool:
        return self.start <= day <= self.end

    def domain_labels(self) -> list[str]:
        return [Domain(code).label for code in self.domains if code in Domain.values]


class PilotEnrolment(models.Model):
    """A client taking part in an integral-funding pilot."""

    pilot = models.ForeignKey(
        IntegralPilot,
        on_delete=models.PROTECT,
        related_name="enrolments",
        verbose_name=_("pilot"),
    )
    client = models.ForeignKey(
        Client,
        on_delete=models.PROTECT,
        related_name="pilot_enrolments",
        verbose_name=_("client"),
    )
    enrolled_at = models.DateTimeField(_("enrolled at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pilot enrolment")
        verbose_name_plural = _("pilot enrolments")
        constraints = [
            models.UniqueConstraint(fields=["pilot", "client"], name="pilot_enrolment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.pilot} · {self.client_id}"


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
        indexes = [models.Index(fields=["client", "resolved_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.client_id}"

    @property
    def text(self) -> str:
        """What the alert says, in the active language."""
        return alert_text(self.kind, self.details)

    def text_for(self, *, sees_identity: bool) -> str:
        """What the alert says to a reader who may or may not see the client's identity."""
        return alert_text(self.kind, self.details, sees_identity=sees_identity)
