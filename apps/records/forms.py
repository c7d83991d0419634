from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.forms import DateInput

from .models import REQUEST_NOTE_MAX_LENGTH, STATEMENT_MAX_LENGTH, AccessRequestKind, Requester

YOUNG_PERSON_CHOICE = Requester.YOUNG_PERSON.value


class ClientFindForm(forms.Form):
    q = forms.CharField(label=_("Client number"), max_length=100)


def _who_choices(representatives) -> list[tuple[str, str]]:
    return [(YOUNG_PERSON_CHOICE, str(Requester.YOUNG_PERSON.label))] + [
        (f"rep-{r.pk}", str(r)) for r in representatives
    ]


class _WhoForm(forms.Form):
    """A form with a choice of the young person or one of the client's representatives."""

    who_field = ""

    def __init__(self, *args, representatives, **kwargs):
        super().__init__(*args, **kwargs)
        self.representatives = {f"rep-{r.pk}": r for r in representatives}
        self.fields[self.who_field].choices = _who_choices(representatives)

    def who(self) -> tuple[str, object]:
        """(Requester value, the representative or None) of the valid form."""
        value = self.cleaned_data[self.who_field]
        if value == YOUNG_PERSON_CHOICE:
            return Requester.YOUNG_PERSON, None
        return Requester.REPRESENTATIVE, self.representatives[value]


class AccessRequestForm(_WhoForm):
    who_field = "asked_by"

    kind = forms.ChoiceField(
        label=_("Asked for"), choices=AccessRequestKind.choices, widget=forms.RadioSelect
    )
    asked_by = forms.ChoiceField(label=_("Asked by"))
    received_on = forms.DateField(label=_("Received on"), widget=DateInput)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=REQUEST_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("How the request came in and how the requester's identity was checked."),
    )


class StatementForm(_WhoForm):
    who_field = "given_by"

    text = forms.CharField(
        label=_("Statement"),
        max_length=STATEMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "In the client's own words: what the client (or the representative) wants added "
            "to the record about what is in it. Kept with the record and shown with it."
        ),
    )
    given_by = forms.ChoiceField(label=_("Whose statement"))
    given_on = forms.DateField(label=_("Given on"), widget=DateInput)
