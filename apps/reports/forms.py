from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.forms import DateInput

from .models import ReportFormat


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def period_shortcuts(today: date) -> list[tuple[str, str, date, date]]:
    """(key, label, from, to): this and last month, this and last quarter."""
    month_start = today.replace(day=1)
    last_month_end = month_start - timedelta(days=1)
    quarter_start = _quarter_start(today)
    last_quarter_end = quarter_start - timedelta(days=1)
    return [
        ("month", _("This month"), month_start, today),
        ("last_month", _("Last month"), last_month_end.replace(day=1), last_month_end),
        ("quarter", _("This quarter"), quarter_start, today),
        ("last_quarter", _("Last quarter"), _quarter_start(last_quarter_end), last_quarter_end),
    ]


class ReportRequestForm(forms.Form):
    funder = forms.ModelChoiceField(label=_("Funder"), queryset=None)
    period = forms.ChoiceField(label=_("Period"), required=False)
    period_start = forms.DateField(
        label=_("From"), required=False, widget=DateInput, help_text=_("Only for another period.")
    )
    period_end = forms.DateField(
        label=_("Until"), required=False, widget=DateInput, help_text=_("Only for another period.")
    )
    format = forms.ChoiceField(
        label=_("Format"), choices=ReportFormat.choices, initial=ReportFormat.PDF
    )

    def __init__(self, *args, funders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["funder"].queryset = funders
        self.shortcuts = period_shortcuts(timezone.localdate())
        self.fields["period"].choices = [
            *[
                (key, f"{label} ({start:%d-%m-%Y} – {end:%d-%m-%Y})")
                for key, label, start, end in self.shortcuts
            ],
            ("custom", _("Other period (from – until)")),
        ]
        self.fields["period"].initial = "last_quarter"

    def clean(self):
        cleaned = super().clean()
        period = cleaned.get("period") or "custom"
        for key, _label, start, end in self.shortcuts:
            if key == period:
                cleaned["period_start"], cleaned["period_end"] = start, end
                return cleaned
        if not cleaned.get("period_start") or not cleaned.get("period_end"):
            raise forms.ValidationError(_("Choose a period, or give both its first and last day."))
        return cleaned
