from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Role, User
from apps.clients.models import (
    REFERRER_KINDS_WITH_AGB,
    Municipality,
    ReferrerKind,
    RepresentativeRelation,
)
from apps.clients.validators import validate_agb_code, validate_bsn, validate_postcode
from apps.core.forms import DateInput
from apps.trajectories.models import ClosingReason

from .services import ReferralData, RepresentativeData

REPRESENTATIVE_SLOTS = (1, 2)
REPRESENTATIVE_FIELDS = ("name", "relation", "parental_authority", "phone", "email")


def _colleagues(organisation, role: Role):
    return (
        User.objects.filter(organisation=organisation, is_active=True, groups__name=role)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class RegistrationForm(forms.Form):
    """One page: the client, the address, the representatives, the referral, the team."""

    # The client
    given_name = forms.CharField(label=_("Given name"), max_length=100)
    family_name = forms.CharField(label=_("Family name"), max_length=100)
    pseudonym = forms.CharField(
        label=_("Pseudonym"),
        max_length=100,
        help_text=_("Shown instead of the name outside the care team of a shielded client."),
    )
    date_of_birth = forms.DateField(label=_("Date of birth"), widget=DateInput)
    bsn = forms.CharField(
        label=_("BSN"),
        max_length=9,
        required=False,
        validators=[validate_bsn],
        help_text=_("Optional: nine digits."),
    )
    shielded = forms.BooleanField(
        label=_("Shielded: outside the care team only the pseudonym is shown"), required=False
    )
    # The address and the municipality
    street_and_number = forms.CharField(label=_("Street and number"), max_length=200)
    postcode = forms.CharField(label=_("Postcode"), max_length=7, validators=[validate_postcode])
    place = forms.CharField(label=_("Place of residence"), max_length=100)
    municipality = forms.ModelChoiceField(
        label=_("Municipality of residence"), queryset=Municipality.objects.all()
    )
    in_residential_stay = forms.BooleanField(label=_("In a residential stay"), required=False)
    municipality_before_stay = forms.ModelChoiceField(
        label=_("Municipality before the stay"),
        queryset=Municipality.objects.all(),
        required=False,
        help_text=_("During a residential stay this municipality pays under the Jeugdwet."),
    )
    # The referral
    referrer_kind = forms.ChoiceField(label=_("Referred by"), choices=ReferrerKind.choices)
    referrer_name = forms.CharField(label=_("Name of the referrer"), max_length=64, required=False)
    referrer_agb = forms.CharField(
        label=_("AGB code"),
        max_length=8,
        required=False,
        validators=[validate_agb_code],
        help_text=_("For a doctor or a certified institution: eight digits."),
    )
    referred_on = forms.DateField(label=_("Referral date"), widget=DateInput)
    # The trajectory and its first care team
    start = forms.DateField(label=_("Registration date"), widget=DateInput)
    lead_caseworker = forms.ModelChoiceField(
        label=_("Lead caseworker"), queryset=User.objects.none()
    )
    teacher = forms.ModelChoiceField(
        label=_("Teacher (optional)"), queryset=User.objects.none(), required=False
    )
    job_coach = forms.ModelChoiceField(
        label=_("Job coach (optional)"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args, organisation, user, **kwargs):
        kwargs.setdefault("initial", {"start": timezone.localdate(), "lead_caseworker": user.pk})
        super().__init__(*args, **kwargs)
        self.fields["lead_caseworker"].queryset = _colleagues(organisation, Role.CASEWORKER)
        self.fields["teacher"].queryset = _colleagues(organisation, Role.TEACHER)
        self.fields["job_coach"].queryset = _colleagues(organisation, Role.JOB_COACH)
        for field in ("lead_caseworker", "teacher", "job_coach"):
            self.fields[field].label_from_instance = lambda u: u.get_full_name() or u.username
        for slot in REPRESENTATIVE_SLOTS:
            self.fields[f"rep{slot}_name"] = forms.CharField(
                label=_("Name"), max_length=200, required=False
            )
            self.fields[f"rep{slot}_relation"] = forms.ChoiceField(
                label=_("Relation"),
                choices=[("", "—"), *RepresentativeRelation.choices],
                required=False,
            )
            self.fields[f"rep{slot}_parental_authority"] = forms.BooleanField(
                label=_("Holds parental authority"), required=False
            )
            self.fields[f"rep{slot}_phone"] = forms.CharField(
                label=_("Phone"),
                max_length=30,
                required=False,
                widget=forms.TextInput(attrs={"inputmode": "tel"}),
            )
            # A text box (the stylesheet's width) that brings up the e-mail keyboard.
            self.fields[f"rep{slot}_email"] = forms.EmailField(
                label=_("Email"),
                required=False,
                widget=forms.TextInput(attrs={"inputmode": "email"}),
            )

    def representative_slots(self):
        """Per slot its bound fields, for the template."""
        return [
            (slot, [self[f"rep{slot}_{name}"] for name in REPRESENTATIVE_FIELDS])
            for slot in REPRESENTATIVE_SLOTS
        ]

    def section(self, *names):
        return [self[name] for name in names]

    def client_fields(self):
        return self.section(
            "given_name", "family_name", "pseudonym", "date_of_birth", "bsn", "shielded"
        )

    def address_fields(self):
        return self.section(
            "street_and_number",
            "postcode",
            "place",
            "municipality",
            "in_residential_stay",
            "municipality_before_stay",
        )

    def referral_fields(self):
        return self.section("referrer_kind", "referrer_name", "referrer_agb", "referred_on")

    def team_fields(self):
        return self.section("start", "lead_caseworker", "teacher", "job_coach")

    def clean(self):
        cleaned = super().clean()
        for slot in REPRESENTATIVE_SLOTS:
            name = cleaned.get(f"rep{slot}_name", "").strip()
            others = [cleaned.get(f"rep{slot}_{f}") for f in ("relation", "phone", "email")]
            if not name and any(others):
                self.add_error(f"rep{slot}_name", _("Give the representative's name."))
            if name and not cleaned.get(f"rep{slot}_relation"):
                self.add_error(f"rep{slot}_relation", _("Choose the relation."))
        if cleaned.get("in_residential_stay") and not cleaned.get("municipality_before_stay"):
            self.add_error(
                "municipality_before_stay",
                _("For a client in a residential stay, give the municipality before the stay."),
            )
        kind = cleaned.get("referrer_kind")
        if cleaned.get("referrer_agb") and kind not in REFERRER_KINDS_WITH_AGB:
            self.add_error(
                "referrer_agb", _("Only a doctor or a certified institution has an AGB code here.")
            )
        return cleaned

    def representatives(self) -> list[RepresentativeData]:
        data = self.cleaned_data
        return [
            RepresentativeData(
                name=data[f"rep{slot}_name"],
                relation=data[f"rep{slot}_relation"],
                parental_authority=data[f"rep{slot}_parental_authority"],
                phone=data[f"rep{slot}_phone"],
                email=data[f"rep{slot}_email"],
            )
            for slot in REPRESENTATIVE_SLOTS
            if data[f"rep{slot}_name"].strip()
        ]

    def referral(self) -> ReferralData:
        data = self.cleaned_data
        return ReferralData(
            kind=data["referrer_kind"],
            referred_on=data["referred_on"],
            name=data["referrer_name"],
            agb_code=data["referrer_agb"],
        )


class PhaseMoveForm(forms.Form):
    phase = forms.ChoiceField(label=_("Next phase"))
    on = forms.DateField(label=_("Date"), widget=DateInput)

    def __init__(self, *args, phases, **kwargs):
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["phase"].choices = [(p.value, p.label) for p in phases]


class CloseForm(forms.Form):
    end = forms.DateField(label=_("Last day of the trajectory"), widget=DateInput)
    reason = forms.ChoiceField(label=_("Reason"), choices=ClosingReason.choices)
    note = forms.CharField(
        label=_("Explanation"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required for the reason Other."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"end": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ResumeForm(forms.Form):
    on = forms.DateField(label=_("Date"), widget=DateInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)
