"""The consent register of a client: the care team sees it; its caseworkers record consents
and their withdrawal (apps.clients.consent). A teacher's or job coach's lane rests on it
(apps.trajectories.access)."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from apps.audit.models import AccessEvent
from apps.clients.consent import consent_record, consent_withdraw, consents_for_client
from apps.clients.models import Client, Consent, ConsentRecipient, LegalRepresentative
from apps.clients.representation import decision_makers
from apps.core.forms import DateInput
from apps.core.views import service_refusals

from .access import client_open_for, part_not_of_client


class ConsentForm(forms.Form):
    recipient = forms.ChoiceField(
        label=gettext_lazy("Shared with"), choices=ConsentRecipient.choices
    )
    recipient_name = forms.CharField(
        label=gettext_lazy("Name of the recipient"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("E.g. the name of the school or the employer."),
    )
    purpose = forms.CharField(
        label=gettext_lazy("Purpose"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("What may be shared, and why."),
    )
    young_person = forms.BooleanField(
        label=gettext_lazy("The young person consents"), required=False
    )
    given_by = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Legal representatives who consent"),
        queryset=LegalRepresentative.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    given_on = forms.DateField(label=gettext_lazy("Given on"), widget=DateInput)
    valid_until = forms.DateField(
        label=gettext_lazy("Valid until"),
        widget=DateInput,
        required=False,
        help_text=gettext_lazy("Leave empty when it holds until withdrawn."),
    )

    def __init__(self, *args, client: Client, **kwargs):
        super().__init__(*args, **kwargs)
        representatives = LegalRepresentative.objects.filter(client=client)
        self.fields["given_by"].queryset = representatives
        if not representatives.exists():
            self.fields["given_by"].help_text = _(
                "No legal representative is recorded for this client: under 16 one with "
                "parental authority consents too."
            )


class ConsentWithdrawForm(forms.Form):
    withdrawn_on = forms.DateField(label=gettext_lazy("Withdrawn on"), widget=DateInput)
    reason = forms.CharField(
        label=gettext_lazy("Who withdrew it, and why"),
        max_length=500,
        help_text=gettext_lazy("E.g. the young person, in the talk of today."),
    )


def consent_rows(*, client: Client, withdrawable: bool = False) -> list[tuple]:
    """The register's rows: each consent, whether it holds today and, for those who record
    withdrawals, the withdrawal form of a consent that holds (its own field ids)."""
    today = timezone.localdate()
    rows = []
    for consent in consents_for_client(client=client):
        holds = consent.holds_on(today)
        form = None
        if withdrawable and holds and consent.withdrawn_on is None:
            form = ConsentWithdrawForm(
                initial={"withdrawn_on": today}, auto_id=f"id_withdraw_{consent.pk}_%s"
            )
        rows.append((consent, holds, form))
    return rows


def _sees_register(access) -> bool:
    return access.sees_care_team


def _keeps_register(access) -> bool:
    return access.may_change_care_team


@require_http_methods(["GET", "POST"])
def consents(request: HttpRequest, pk: int) -> HttpResponse:
    """The consent register: the care team sees it, its caseworkers record a consent."""
    posting = request.method == "POST"
    client, access = client_open_for(
        user=request.user,
        pk=pk,
        what="consent register",
        require=_keeps_register if posting else _sees_register,
    )
    form = None
    if access.may_change_care_team:
        form = ConsentForm(
            request.POST if posting else None,
            client=client,
            initial={"given_on": timezone.localdate()},
        )
        if posting and form.is_valid():
            data = form.cleaned_data
            with service_refusals(request, form=form):
                consent_record(
                    client=client,
                    recipient=data["recipient"],
                    recipient_name=data["recipient_name"],
                    purpose=data["purpose"],
                    young_person=data["young_person"],
                    representatives=list(data["given_by"]),
                    given_on=data["given_on"],
                    valid_until=data["valid_until"],
                    actor=request.user,
                )
                messages.success(request, _("The consent is recorded."))
                return redirect("clients:consents", pk=client.pk)
    return render(
        request,
        "clients/consents.html",
        {
            "client": client,
            "access": access,
            "display_name": access.name_of(client),
            "consents": consent_rows(client=client, withdrawable=access.may_change_care_team),
            "rule": decision_makers(client, timezone.localdate()),
            "form": form,
        },
        status=400 if posting else 200,
    )


@require_POST
def consent_withdraw_view(request: HttpRequest, pk: int, consent_pk: int) -> HttpResponse:
    """Record that a consent was withdrawn: the lanes that rest on it close from that day."""
    client, _access = client_open_for(
        user=request.user, pk=pk, what="consent register", require=_keeps_register
    )
    consent = Consent.objects.filter(pk=consent_pk, client=client).first()
    if consent is None:  # another client's consent: probing, logged as refused
        raise part_not_of_client(
            user=request.user, client=client, what="consent register", event=AccessEvent.CHANGE
        )
    form = ConsentWithdrawForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("clients:consents", pk=client.pk)
    with service_refusals(request):
        consent_withdraw(
            consent=consent,
            withdrawn_on=form.cleaned_data["withdrawn_on"],
            reason=form.cleaned_data["reason"],
            actor=request.user,
        )
        messages.success(request, _("The withdrawal is recorded."))
    return redirect("clients:consents", pk=client.pk)
