from datetime import date

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from apps.accounts.models import Organisation

from .validators import validate_agb_code, validate_bsn, validate_cbs_code, validate_postcode


class Municipality(models.Model):
    """A Dutch municipality with its CBS code (reference data, fixtures/reference)."""

    cbs_code = models.CharField(
        _("CBS code"), max_length=4, unique=True, validators=[validate_cbs_code]
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def initials_of(given_name: str) -> str:
    """Initials as funders write them: "Anna Maria" becomes "A.M."."""
    return "".join(f"{part[0]}." for part in given_name.split() if part)


class ClientStatus(models.TextChoices):
    INTAKE = "intake", _("Intake")
    ACTIVE = "active", _("Active")
    AFTERCARE = "aftercare", _("Aftercare")
    CLOSED = "closed", _("Closed")


CLIENT_STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    ClientStatus.INTAKE: frozenset({ClientStatus.ACTIVE, ClientStatus.CLOSED}),
    ClientStatus.ACTIVE: frozenset({ClientStatus.AFTERCARE, ClientStatus.CLOSED}),
    ClientStatus.AFTERCARE: frozenset({ClientStatus.ACTIVE, ClientStatus.CLOSED}),
    ClientStatus.CLOSED: frozenset({ClientStatus.INTAKE}),
}


class ResponsibilityRule(models.TextChoices):
    """Which rule of the Jeugdwet's woonplaatsbeginsel (since 2022) decided the municipality."""

    REGISTERED_ADDRESS = "registered_address", _("Municipality of the registered address")
    ADDRESS_BEFORE_STAY = (
        "address_before_stay",
        _("Municipality of the address just before the residential stay"),
    )


class ClientQuerySet(models.QuerySet):
    def for_organisation(self, organisation: Organisation) -> "ClientQuerySet":
        return self.filter(organisation=organisation)

    def open(self) -> "ClientQuerySet":
        return self.exclude(status=ClientStatus.CLOSED)

    def kept(self) -> "ClientQuerySet":
        """Without the emptied rows of destroyed records (apps.retention)."""
        return self.filter(destroyed_on__isnull=True)


class Client(models.Model):
    """One young person in care."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="clients",
        verbose_name=_("organisation"),
    )
    client_number = models.CharField(_("client number"), max_length=30)
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    pseudonym = models.CharField(
        _("pseudonym"),
        max_length=100,
        help_text=_(
            "Shown instead of the name to everyone outside the care team of a shielded client."
        ),
    )
    date_of_birth = models.DateField(_("date of birth"))
    bsn = models.CharField(
        _("BSN"), max_length=9, blank=True, default="", validators=[validate_bsn]
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("municipality of residence"),
        help_text=_("The municipality of the registered address (BRP)."),
    )
    in_residential_stay = models.BooleanField(
        _("in a residential stay"),
        default=False,
        help_text=_("Lives in a residential setting (verblijf) paid under the Jeugdwet."),
    )
    municipality_before_stay = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("municipality before the stay"),
    )
    responsible_municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible municipality (Jeugdwet)"),
    )
    responsibility_rule = models.CharField(
        _("rule that decided it"), max_length=30, choices=ResponsibilityRule.choices
    )
    # The current period of extended youth care (``ExtendedYouthCare``), kept here by
    # apps.clients.youth_care so that the funding rules read it without a query. Only that
    # service writes them; without a start (recorded before the basis was asked) it counts
    # from the 18th birthday.
    extended_youth_care_from = models.DateField(
        _("extended youth care from"), null=True, blank=True, editable=False
    )
    extended_youth_care_until = models.DateField(
        _("extended youth care until"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "Recorded extended youth care (verlengde jeugdhulp), at most until the 23rd birthday."
        ),
    )
    shielded = models.BooleanField(
        _("shielded"),
        default=False,
        help_text=_("Outside the care team only the pseudonym is shown."),
    )
    # The address (the registered address of the BRP; blank for clients registered before it
    # was asked). The municipality of residence above is the one it lies in.
    street_and_number = models.CharField(
        _("street and number"), max_length=200, blank=True, default=""
    )
    postcode = models.CharField(
        _("postcode"), max_length=7, blank=True, default="", validators=[validate_postcode]
    )
    place = models.CharField(_("place"), max_length=100, blank=True, default="")
    status = models.CharField(
        _("status"), max_length=20, choices=ClientStatus.choices, default=ClientStatus.INTAKE
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Set by the destruction of the record (apps.retention): the row stays, emptied, because the
    # access log points to it; nobody opens it and no list shows it.
    destroyed_on = models.DateField(_("record destroyed on"), null=True, blank=True, editable=False)

    objects = ClientQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["client_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "client_number"],
                name="client_number_unique_per_organisation",
            ),
            models.UniqueConstraint(
                fields=["organisation", "bsn"],
                condition=~models.Q(bsn=""),
                name="client_bsn_unique_per_organisation",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ClientStatus.values), name="client_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "family_name"])]

    def __str__(self) -> str:
        return f"{self.client_number} {self.pseudonym}"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def initials(self) -> str:
        return initials_of(self.given_name)

    def age_on(self, day: date) -> int:
        """Age in whole years on the given day (the birthday itself counts as the new age)."""
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def birthday(self, age: int) -> date:
        """The date of the given birthday; 29 February birthdays fall on 1 March in other years."""
        born = self.date_of_birth
        try:
            return born.replace(year=born.year + age)
        except ValueError:
            return date(born.year + age, 3, 1)

    def extended_youth_care_on(self, day: date) -> bool:
        """Whether the current recorded extended youth care covers the day (18 to 23)."""
        until = self.extended_youth_care_until
        if until is None or day > until:
            return False
        return day >= (self.extended_youth_care_from or self.birthday(18))


class ClientUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Client, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        abstract = False


class ClientGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Client, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = False


# --- extended youth care (verlengde jeugdhulp) ----------------------------------------------

# Jeugdwet art. 1.1, the definition of "jeugdige": from 18 to 23 a person is a jeugdige (and
# the Jeugdwet pays) only when the municipality decided that youth care is to be continued on
# one of these grounds. See docs/funding.md, "Extended youth care".
EXTENDED_YOUTH_CARE_LAST_AGE = 23
RESUMPTION_WINDOW = relativedelta(months=6)  # "binnen een half jaar" after the care ended


class ExtendedYouthCareBasis(models.TextChoices):
    CONTINUED = (
        "continued",
        _("Youth care that started before the 18th birthday is continued"),
    )
    DECIDED_BEFORE_18 = (
        "decided_before_18",
        _("Before the 18th birthday it was decided that youth care is needed"),
    )
    RESUMED = (
        "resumed",
        _("Youth care that started before 18 is resumed within six months after it ended"),
    )
    UNKNOWN = "unknown", _("Recorded before the basis was asked")


class ExtendedYouthCare(models.Model):
    """One period of extended youth care of a client: its legal basis, the municipality's
    decision, and from when until when the Jeugdwet goes on paying after the 18th birthday."""

    client = models.ForeignKey(
        Client,
        on_delete=models.PROTECT,
        related_name="extended_youth_care",
        verbose_name=_("client"),
    )
    basis = models.CharField(_("basis"), max_length=20, choices=ExtendedYouthCareBasis.choices)
    care_started_on = models.DateField(
        _("youth care started or was decided on"),
        null=True,
        blank=True,
        help_text=_(
            "A date before the 18th birthday: when the youth care started, or when it was "
            "decided that youth care is needed."
        ),
    )
    previous_care_ended_on = models.DateField(
        _("previous youth care ended on"),
        null=True,
        blank=True,
        help_text=_("Only for resumed care: the last day of the youth care that ended."),
    )
    decided_by = models.CharField(
        _("decided by"),
        max_length=200,
        blank=True,
        help_text=_("Who took the decision, e.g. the college of the municipality of Utrecht."),
    )
    decision_reference = models.CharField(_("decision reference"), max_length=100, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    start = models.DateField(_("from"))
    until = models.DateField(_("until"))
    ended_on = models.DateField(
        _("ended on"), null=True, blank=True, help_text=_("The last day, when ended early.")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("extended youth care")
        verbose_name_plural = _("extended youth care")
        ordering = ["client", "start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(basis__in=ExtendedYouthCareBasis.values),
                name="extended_youth_care_basis_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(until__gte=models.F("start")),
                name="extended_youth_care_until_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | (
                    models.Q(ended_on__gte=models.F("start"))
                    & models.Q(ended_on__lte=models.F("until"))
                ),
                name="extended_youth_care_ended_within_period",
            ),
            models.CheckConstraint(
                condition=models.Q(basis=ExtendedYouthCareBasis.UNKNOWN)
                | models.Q(decision_date__isnull=False, care_started_on__isnull=False),
                name="extended_youth_care_decision_recorded",
            ),
            models.CheckConstraint(
                condition=~models.Q(basis=ExtendedYouthCareBasis.RESUMED)
                | models.Q(previous_care_ended_on__isnull=False),
                name="extended_youth_care_resumed_has_end",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client} · {self.start} – {self.last_day}"

    @property
    def last_day(self) -> date:
        """The last day it pays: the day it ended, or its until date."""
        return self.ended_on or self.until

    @property
    def basis_known(self) -> bool:
        return self.basis != ExtendedYouthCareBasis.UNKNOWN


# --- who else pays: the Wlz indication and the health insurer -----------------------------


class ClientPeriod:
    """A period of a client's (from start, until end inclusive; open without an end) that
    overlaps no other of its kind: the model says in ``overlap_message`` what it would be."""

    overlap_message = ""

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("The end date lies before the start date.")})
        if self.client_id and self.start and self._overlaps():
            raise ValidationError(self.overlap_message)

    def _overlaps(self) -> bool:
        others = type(self).objects.filter(client_id=self.client_id).exclude(pk=self.pk)
        others = others.filter(models.Q(end__isnull=True) | models.Q(end__gte=self.start))
        if self.end is not None:
            others = others.filter(start__lte=self.end)
        return others.exists()

    def is_valid_on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


class WlzIndication(ClientPeriod, models.Model):
    """A CIZ indication (indicatiebesluit) under the Wlz: the client's care profile
    (zorgprofiel) for a period. With one valid on a day, the Wlz goes first for the care it
    covers (Wlz art. 3.2.1: the CIZ decides whether the insured is entitled to Wlz care)."""

    client = models.ForeignKey(
        Client,
        on_delete=models.PROTECT,
        related_name="wlz_indications",
        verbose_name=_("client"),
    )
    care_profile = models.CharField(
        _("care profile (zorgprofiel)"),
        max_length=20,
        help_text=_("As the CIZ decision names it, e.g. LVG 3 or GGZ-W 1."),
    )
    decision_reference = models.CharField(
        _("CIZ decision reference"), max_length=40, blank=True, default=""
    )
    start = models.DateField(_("valid from"))
    end = models.DateField(_("valid until"), null=True, blank=True)

    history = HistoricalRecords()
    overlap_message = _("The client already has a Wlz indication in this period.")

    class Meta:
        verbose_name = _("Wlz indication")
        verbose_name_plural = _("Wlz indications")
        ordering = ["client", "start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="wlz_indication_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.care_profile} · {self.start}"


def validate_uzovi(value: str) -> None:
    """A UZOVI code: the four digits Vektis gives a health insurer."""
    if len(value) != 4 or not value.isdigit():
        raise ValidationError(_("A UZOVI code has four digits."))


class HealthInsurance(ClientPeriod, models.Model):
    """The client's own health insurer under the Zvw (basisverzekering), by its UZOVI code,
    for a period: only this insurer pays the client's Zvw care (the insured chooses it, and
    may change it each 1 January)."""

    client = models.ForeignKey(
        Client,
        on_delete=models.PROTECT,
        related_name="health_insurances",
        verbose_name=_("client"),
    )
    uzovi = models.CharField(_("UZOVI code"), max_length=4, validators=[validate_uzovi])
    start = models.DateField(_("insured from"))
    end = models.DateField(_("insured until"), null=True, blank=True)

    history = HistoricalRecords()
    overlap_message = _("The client already has a health insurer in this period.")

    class Meta:
        verbose_name = _("health insurance")
        verbose_name_plural = _("health insurances")
        ordering = ["client", "start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="health_insurance_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.uzovi} · {self.start}"


# --- legal representatives and the referral (registration, docs/casework.md) ---------------


class RepresentativeRelation(models.TextChoices):
    PARENT = "parent", _("Parent")
    GUARDIAN = "guardian", _("Guardian")
    OTHER = "other", _("Other")


class LegalRepresentative(models.Model):
    """Someone who represents a minor client: a parent or guardian, with or without parental
    authority (gezag). Who decides about care follows from the client's age
    (apps.clients.representation.decision_makers)."""

    client = models.ForeignKey(
        Client,
        on_delete=models.PROTECT,
        related_name="representatives",
        verbose_name=_("client"),
    )
    name = models.CharField(_("name"), max_length=200)
    relation = models.CharField(
        _("relation"), max_length=20, choices=RepresentativeRelation.choices
    )
    parental_authority = models.BooleanField(_("holds parental authority"), default=False)
    phone = models.CharField(_("phone"), max_length=30, blank=True, default="")
    email = models.EmailField(_("email"), blank=True, default="")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("legal representative")
        verbose_name_plural = _("legal representatives")
        ordering = ["client", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(relation__in=RepresentativeRelation.values),
                name="representative_relation_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({RepresentativeRelation(self.relation).label})"


class ReferrerKind(models.TextChoices):
    """Who referred the client: the iJw code list COD327 (Verwijzer, as the JW301 and JW315
    name it; the same codes as apps.exchange's ReferrerType, which this layer cannot import)."""

    MUNICIPALITY = "01", _("Municipality (municipal team)")
    GENERAL_PRACTITIONER = "02", _("General practitioner")
    YOUTH_DOCTOR = "03", _("Youth doctor")
    CERTIFIED_INSTITUTION = "04", _("Certified institution")
    MEDICAL_SPECIALIST = "05", _("Medical specialist")
    SELF = "06", _("Self-referral / no referrer")
    JUSTICE = "08", _("Court, public prosecutor, juvenile institution")


# COD327 kinds whose referrer is a care provider with an AGB code (CD066-CD068).
REFERRER_KINDS_WITH_AGB = frozenset({"02", "03", "04", "05"})


class Referral(models.Model):
    """Who referred the client to the care, and when."""

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("client")
    )
    kind = models.CharField(_("referrer"), max_length=2, choices=ReferrerKind.choices)
    name = models.CharField(_("name of the referrer"), max_length=64, blank=True, default="")
    agb_code = models.CharField(
        _("AGB code"), max_length=8, blank=True, default="", validators=[validate_agb_code]
    )
    referred_on = models.DateField(_("referred on"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["client", "-referred_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ReferrerKind.values), name="referral_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{ReferrerKind(self.kind).label} · {self.referred_on}"

    def clean(self) -> None:
        if self.agb_code and self.kind not in REFERRER_KINDS_WITH_AGB:
            raise ValidationError(
                {"agb_code": _("Only a doctor or a certified institution has an AGB code here.")}
            )


# --- consent to share (the consent register, docs/privacy.md "Consent") ---------------------


class ConsentRecipient(models.TextChoices):
    """Whom a consent lets the care team share the client's data with (WGBO 7:457 lid 1,
    Jeugdwet 7.3.11 lid 1: outside the care team only with the client's consent)."""

    SCHOOL = "school", _("the school")
    EMPLOYER = "employer", _("the employer or UWV")
    MUNICIPALITY = "municipality", _("the municipality")
    CARE_PROVIDER = "care_provider", _("another care provider")


class Consent(models.Model):
    """One consent of a client's: what may be shared with whom, for which purpose, given by
    whom (as the age rules of apps.clients.consent require) on which day, until when; and
    its withdrawal. A withdrawn consent is kept: the register shows what held when."""

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="consents", verbose_name=_("client")
    )
    recipient = models.CharField(_("shared with"), max_length=20, choices=ConsentRecipient.choices)
    recipient_name = models.CharField(
        _("name of the recipient"),
        max_length=200,
        blank=True,
        default="",
        help_text=_("E.g. the name of the school or the employer."),
    )
    purpose = models.CharField(_("purpose"), max_length=500)
    given_by_young_person = models.BooleanField(_("given by the young person"), default=False)
    given_by_representatives = models.ManyToManyField(
        LegalRepresentative,
        blank=True,
        related_name="consents_given",
        verbose_name=_("given by the legal representatives"),
    )
    # The age rule that applied when the consent was given (apps.clients.representation).
    age_when_given = models.PositiveSmallIntegerField(_("age when given"))
    given_on = models.DateField(_("given on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    withdrawn_on = models.DateField(
        _("withdrawn on"), null=True, blank=True, help_text=_("From this day it no longer holds.")
    )
    withdrawal_reason = models.CharField(
        _("reason for the withdrawal"), max_length=500, blank=True, default=""
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = HistoricalRecords(m2m_fields=[given_by_representatives])

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["client", "-given_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(recipient__in=ConsentRecipient.values),
                name="consent_recipient_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gte=models.F("given_on")),
                name="consent_valid_until_after_given",
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn_on__isnull=True)
                | models.Q(withdrawn_on__gte=models.F("given_on")),
                name="consent_withdrawn_after_given",
            ),
        ]
        indexes = [models.Index(fields=["client", "recipient"])]

    def __str__(self) -> str:
        return f"{ConsentRecipient(self.recipient).label} · {self.given_on}"

    def holds_on(self, day: date) -> bool:
        """Valid on the day: given, not past its end, not withdrawn (the withdrawal day is the
        first day it no longer holds)."""
        return (
            self.given_on <= day
            and (self.valid_until is None or day <= self.valid_until)
            and (self.withdrawn_on is None or day < self.withdrawn_on)
        )

    @property
    def ended_on(self) -> date | None:
        """The first day it no longer holds (the withdrawal, or the day after its end)."""
        ends = []
        if self.withdrawn_on is not None:
            ends.append(self.withdrawn_on)
        if self.valid_until is not None:
            ends.append(self.valid_until + relativedelta(days=1))
        return min(ends) if ends else None
