"""GGZ after 18 under the Zvw: the client's route to the insurer, the practitioners'
professions, the tariffs per year, and the monthly declarations (docs/zvw.md).

The prestaties themselves are not stored per activity: they are derived from the activity,
its practitioners' professions and its group (apps.zvw.prestaties), shown with their reason,
and fixed only when a declaration takes them as its lines.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.clients.models import validate_uzovi

# --- professions (zorgprestatiemodel, "Beroepscategorie en beroepen") -------------------------


class ProfessionCategory(models.TextChoices):
    """The profession categories consults and group consults are classified by."""

    ARTS = "arts", _("Physician (arts)")
    ARTS_SPECIALIST = "arts_specialist", _("Medical specialist (e.g. psychiatrist)")
    GZ_PSYCHOLOOG = "gz_psycholoog", _("Healthcare psychologist (GZ-psycholoog)")
    KLINISCH_PSYCHOLOOG = "klinisch_psycholoog", _("Clinical (neuro)psychologist")
    PSYCHOTHERAPEUT = "psychotherapeut", _("Psychotherapist")
    VERPLEEGKUNDIG_SPECIALIST = "verpleegkundig_specialist", _("Nurse specialist (ggz)")
    VERPLEEGKUNDIGE = "verpleegkundige", _("Nurse")
    OVERIG = "overig", _("Other professions")


class Profession(models.TextChoices):
    """The professions the zorgprestatiemodel lists, each in one category; a worker whose
    profession is not listed registers no declarable consult."""

    ARTS = "arts", _("Physician")
    VERSLAVINGSARTS = "verslavingsarts", _("Addiction physician")
    PSYCHIATER = "psychiater", _("Psychiatrist")
    SPECIALIST_OUDERENGENEESKUNDE = "specialist_ouderengeneeskunde", _("Elderly care physician")
    KLINISCH_GERIATER = "klinisch_geriater", _("Clinical geriatrician")
    GZ_PSYCHOLOOG = "gz_psycholoog", _("Healthcare psychologist (GZ-psycholoog)")
    KLINISCH_PSYCHOLOOG = "klinisch_psycholoog", _("Clinical psychologist")
    KLINISCH_NEUROPSYCHOLOOG = "klinisch_neuropsycholoog", _("Clinical neuropsychologist")
    PSYCHOTHERAPEUT = "psychotherapeut", _("Psychotherapist")
    VERPLEEGKUNDIG_SPECIALIST_GGZ = "vs_ggz", _("Nurse specialist ggz")
    VERPLEEGKUNDIGE = "verpleegkundige", _("Nurse")
    ERVARINGSDESKUNDIGE = "ervaringsdeskundige", _("Peer support worker")
    GGZ_AGOOG = "ggz_agoog", _("Ggz social worker (ggz-agoog)")
    ORTHOPEDAGOOG_GENERALIST = "orthopedagoog_generalist", _("Orthopedagogue-generalist")
    VAKTHERAPEUT = "vaktherapeut", _("Arts or psychomotor therapist")
    WO_PSYCHOLOOG = "wo_psycholoog", _("Psychologist (master)")
    MAATSCHAPPELIJK_WERKENDE = "maatschappelijk_werkende", _("Social worker")
    SOCIAAL_PEDAGOGISCH = "sociaal_pedagogisch", _("Social-pedagogical worker")


# profession: (category, may act as regiebehandelaar). The zorgprestatiemodel, "Beroepscategorie
# en beroepen" (version 1.3), marks the regiebehandelaar professions with an asterisk; in the
# category arts the verslavingsarts may act as one too.
PROFESSIONS: dict[str, tuple[str, bool]] = {
    Profession.ARTS: (ProfessionCategory.ARTS, False),
    Profession.VERSLAVINGSARTS: (ProfessionCategory.ARTS, True),
    Profession.PSYCHIATER: (ProfessionCategory.ARTS_SPECIALIST, True),
    Profession.SPECIALIST_OUDERENGENEESKUNDE: (ProfessionCategory.ARTS_SPECIALIST, True),
    Profession.KLINISCH_GERIATER: (ProfessionCategory.ARTS_SPECIALIST, True),
    Profession.GZ_PSYCHOLOOG: (ProfessionCategory.GZ_PSYCHOLOOG, True),
    Profession.KLINISCH_PSYCHOLOOG: (ProfessionCategory.KLINISCH_PSYCHOLOOG, True),
    Profession.KLINISCH_NEUROPSYCHOLOOG: (ProfessionCategory.KLINISCH_PSYCHOLOOG, True),
    Profession.PSYCHOTHERAPEUT: (ProfessionCategory.PSYCHOTHERAPEUT, True),
    Profession.VERPLEEGKUNDIG_SPECIALIST_GGZ: (ProfessionCategory.VERPLEEGKUNDIG_SPECIALIST, True),
    Profession.VERPLEEGKUNDIGE: (ProfessionCategory.VERPLEEGKUNDIGE, False),
    Profession.ERVARINGSDESKUNDIGE: (ProfessionCategory.OVERIG, False),
    Profession.GGZ_AGOOG: (ProfessionCategory.OVERIG, False),
    Profession.ORTHOPEDAGOOG_GENERALIST: (ProfessionCategory.OVERIG, False),
    Profession.VAKTHERAPEUT: (ProfessionCategory.OVERIG, False),
    Profession.WO_PSYCHOLOOG: (ProfessionCategory.OVERIG, False),
    Profession.MAATSCHAPPELIJK_WERKENDE: (ProfessionCategory.OVERIG, False),
    Profession.SOCIAAL_PEDAGOGISCH: (ProfessionCategory.OVERIG, False),
}


class PractitionerProfile(models.Model):
    """A worker's profession (and AGB code) as the zorgprestatiemodel classifies consults by:
    the worker's profile for the Zvw."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="practitioner_profile",
        verbose_name=_("worker"),
    )
    profession = models.CharField(_("profession"), max_length=40, choices=Profession.choices)
    agb_code = models.CharField(_("personal AGB code"), max_length=8, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("practitioner profile")
        verbose_name_plural = _("practitioner profiles")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_profession_display()}"

    @property
    def category(self) -> str:
        return PROFESSIONS[self.profession][0]

    @property
    def may_be_regiebehandelaar(self) -> bool:
        return PROFESSIONS[self.profession][1]


# --- the client's route to the insurer -------------------------------------------------------


class ReferralType(models.TextChoices):
    """Who referred: specialist ggz needs a referral by a GP or a medical specialist (or a
    youth doctor for a young person going over from the Jeugdwet); acute care needs none."""

    GP = "gp", _("General practitioner (huisarts)")
    MEDICAL_SPECIALIST = "medical_specialist", _("Medical specialist")
    YOUTH_DOCTOR = "youth_doctor", _("Youth doctor (jeugdarts)")
    ACUTE = "acute", _("Acute care (no referral needed)")
    OTHER = "other", _("Other")


# The referral types that give access to specialist ggz under the Zvw (Zvw art. 14 lid 2 and
# the insurers' model agreements: "slechts toegankelijk na verwijzing door ... in ieder geval
# de huisarts"; acute care is the exception). "Other" is recorded but does not give access.
REFERRALS_GIVING_ACCESS = frozenset(
    {
        ReferralType.GP,
        ReferralType.MEDICAL_SPECIALIST,
        ReferralType.YOUTH_DOCTOR,
        ReferralType.ACUTE,
    }
)


class ZvwRoute(models.Model):
    """What the insurer needs before it pays the client's GGZ treatment from the 18th
    birthday: the insurer and policy (checked on a date), the referral, the regiebehandelaar."""

    client = models.OneToOneField(
        "clients.Client",
        on_delete=models.PROTECT,
        related_name="zvw_route",
        verbose_name=_("client"),
    )
    uzovi = models.CharField(
        _("insurer (UZOVI code)"), max_length=4, blank=True, validators=[validate_uzovi]
    )
    policy_number = models.CharField(_("policy number"), max_length=30, blank=True)
    insurance_checked_on = models.DateField(
        _("insurance checked on"),
        null=True,
        blank=True,
        help_text=_("The day the insurance was checked (COV check at VECOZO)."),
    )
    referrer_name = models.CharField(_("referred by"), max_length=200, blank=True)
    referrer_agb = models.CharField(_("referrer's AGB code"), max_length=8, blank=True)
    referral_type = models.CharField(
        _("referral type"), max_length=30, choices=ReferralType.choices, blank=True
    )
    referral_date = models.DateField(_("referral date"), null=True, blank=True)
    regiebehandelaar = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="zvw_routes",
        null=True,
        blank=True,
        verbose_name=_("regiebehandelaar"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Zvw route")
        verbose_name_plural = _("Zvw routes")

    def __str__(self) -> str:
        return f"Zvw #{self.client_id}"


class CareDemandTyping(models.Model):
    """A zorgvraagtypering: the care-demand type chosen after the HoNOS+ on a date; repeated
    at logical moments of the treatment plan and at least once a year."""

    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.PROTECT,
        related_name="care_demand_typings",
        verbose_name=_("client"),
    )
    care_demand_type = models.CharField(
        _("care-demand type"),
        max_length=10,
        help_text=_("The zorgvraagtype chosen after the HoNOS+, as the typing names it."),
    )
    measured_on = models.DateField(_("measured on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("care-demand typing")
        verbose_name_plural = _("care-demand typings")
        ordering = ["client", "-measured_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.care_demand_type} · {self.measured_on}"


class ConsultParticipant(models.Model):
    """A practitioner present at a consult or group session beside the one who logged it:
    each practitioner present registers his own (group) consults, by his own profession."""

    activity = models.ForeignKey(
        "trajectories.Activity",
        on_delete=models.PROTECT,
        related_name="consult_participants",
        verbose_name=_("activity"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("practitioner"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("practitioner present")
        verbose_name_plural = _("practitioners present")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "user"], name="zvw_one_row_per_consult_participant"
            )
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} · {self.user_id}"


# --- tariffs ------------------------------------------------------------------------------


class MaxTariff(models.Model):
    """The NZa's maximum tariff of a prestatie in a year, with the NZa's prestatie code."""

    year = models.PositiveSmallIntegerField(_("year"))
    prestatie = models.CharField(
        _("prestatie"),
        max_length=80,
        help_text=_("As derived, e.g. consult:treatment:gz_psycholoog:45."),
    )
    code = models.CharField(_("NZa prestatie code"), max_length=12)
    cents = models.PositiveIntegerField(_("maximum tariff in euro cents"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("maximum tariff")
        verbose_name_plural = _("maximum tariffs")
        ordering = ["-year", "prestatie"]
        constraints = [
            models.UniqueConstraint(fields=["year", "prestatie"], name="zvw_one_max_tariff")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.prestatie}"


class InsurerContract(models.Model):
    """A contract of the organisation with a health insurer for a year; without one, the
    care of that year is uncontracted (declared at the maximum tariff, marked as such)."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="insurer_contracts",
        verbose_name=_("organisation"),
    )
    uzovi = models.CharField(_("insurer (UZOVI code)"), max_length=4, validators=[validate_uzovi])
    year = models.PositiveSmallIntegerField(_("year"))
    reference = models.CharField(_("reference"), max_length=100)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("insurer contract")
        verbose_name_plural = _("insurer contracts")
        ordering = ["-year", "uzovi"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "uzovi", "year"], name="zvw_one_contract_per_insurer_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.uzovi} {self.year} {self.reference}"


class ContractTariff(models.Model):
    """The tariff agreed with the insurer for a prestatie; at most 10% above the maximum
    tariff, and only in a written contract (zorgprestatiemodel, "Prestaties en tarieven")."""

    contract = models.ForeignKey(
        InsurerContract,
        on_delete=models.PROTECT,
        related_name="tariffs",
        verbose_name=_("contract"),
    )
    prestatie = models.CharField(_("prestatie"), max_length=80)
    cents = models.PositiveIntegerField(_("contract tariff in euro cents"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contract tariff")
        verbose_name_plural = _("contract tariffs")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "prestatie"], name="zvw_one_tariff_per_contract_prestatie"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contract} {self.prestatie}"

    def clean(self) -> None:
        maximum = MaxTariff.objects.filter(
            year=self.contract.year, prestatie=self.prestatie
        ).first()
        if maximum is None:
            raise ValidationError(
                {"prestatie": _("No maximum tariff is recorded for this prestatie in this year.")}
            )
        if self.cents * 100 > maximum.cents * 110:
            raise ValidationError(
                {"cents": _("A contract tariff is at most 10% above the maximum tariff.")}
            )


# --- the monthly declaration to an insurer ------------------------------------------------


class DeclarationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft: to be reviewed")
    APPROVED = "approved", _("Reviewed: ready to send")
    SENT = "sent", _("Exported as EI file")
    ANSWERED = "answered", _("Answered by the insurer")


DECLARATION_TRANSITIONS: dict[str, frozenset[str]] = {
    DeclarationStatus.DRAFT: frozenset({DeclarationStatus.APPROVED}),
    DeclarationStatus.APPROVED: frozenset({DeclarationStatus.SENT}),
    DeclarationStatus.SENT: frozenset({DeclarationStatus.ANSWERED}),
    DeclarationStatus.ANSWERED: frozenset(),
}


class InsurerDeclaration(models.Model):
    """One month of prestaties of the organisation's clients insured with one insurer."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="insurer_declarations",
        verbose_name=_("organisation"),
    )
    uzovi = models.CharField(_("insurer (UZOVI code)"), max_length=4, validators=[validate_uzovi])
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    number = models.CharField(_("invoice number"), max_length=12, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DeclarationStatus.choices, default="draft"
    )
    created_at = models.DateTimeField(_("drafted at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    exported_at = models.DateTimeField(_("exported at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("insurer declaration")
        verbose_name_plural = _("insurer declarations")
        ordering = ["-year", "-month", "uzovi", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="zvw_declaration_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.uzovi} {self.year}-{self.month:02d}"


class LineStatus(models.TextChoices):
    PENDING = "pending", _("Sent, no answer yet")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    RESOLVED = "resolved", _("Rejected, handled")


class DeclarationLine(models.Model):
    """One derived prestatie of one client's activity, priced, as the declaration carries it."""

    declaration = models.ForeignKey(
        InsurerDeclaration,
        on_delete=models.PROTECT,
        related_name="lines",
        verbose_name=_("declaration"),
    )
    line_number = models.PositiveIntegerField(_("line"))
    activity = models.ForeignKey(
        "trajectories.Activity",
        on_delete=models.PROTECT,
        related_name="zvw_lines",
        verbose_name=_("activity"),
    )
    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="+", verbose_name=_("client")
    )
    date = models.DateField(_("date"))
    prestatie = models.CharField(_("prestatie"), max_length=80)
    code = models.CharField(_("NZa prestatie code"), max_length=12)
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("practitioner"),
    )
    count = models.PositiveSmallIntegerField(_("number"))
    tariff_cents = models.PositiveIntegerField(_("tariff in euro cents"))
    amount_cents = models.PositiveIntegerField(_("amount in euro cents"))
    contracted = models.BooleanField(_("contracted"))
    status = models.CharField(
        _("status"), max_length=10, choices=LineStatus.choices, default=LineStatus.PENDING
    )
    rejection_code = models.CharField(_("rejection code"), max_length=4, blank=True)
    rejection_text = models.CharField(_("rejection"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("declaration line")
        verbose_name_plural = _("declaration lines")
        ordering = ["declaration", "line_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["declaration", "line_number"], name="zvw_one_line_number"
            ),
            models.CheckConstraint(
                condition=models.Q(amount_cents=models.F("tariff_cents") * models.F("count")),
                name="zvw_line_amount_is_tariff_times_count",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.declaration_id}/{self.line_number}"
