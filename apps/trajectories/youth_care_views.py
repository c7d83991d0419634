"""The extended youth care page of a client: a caseworker of the care team records, changes
or ends it (Jeugdwet art. 1.1; docs/funding.md, "Extended youth care")."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from apps.clients.youth_care import (
    extended_youth_care_get,
    extended_youth_care_list_for_client,
    resumption_deadline,
)
from apps.core.views import service_refusals

from .access import ClientAccess, client_open_for
from .forms import ExtendedYouthCareEndForm, ExtendedYouthCareForm
from .youth_care import (
    extended_youth_care_register,
    extended_youth_care_stop,
    extended_youth_care_update,
)

WHAT = "extended youth care"


def _caseworker_of_care_team(access: ClientAccess) -> bool:
    # Who decides on the client's care is its care team's caseworkers; never emergency access.
    return access.may_change_care_team


def _page(request, client, access, *, form, editing=None) -> HttpResponse:
    periods = list(extended_youth_care_list_for_client(client=client))
    for period in periods:
        period.end_form = ExtendedYouthCareEndForm(prefix=f"end-{period.pk}")
        if period.previous_care_ended_on is not None:
            period.resumption_deadline = resumption_deadline(period.previous_care_ended_on)
    return render(
        request,
        "clients/extended_youth_care.html",
        {
            "client": client,
            "display_name": access.name_of(client),
            "birthday_18": client.birthday(18),
            "birthday_23": client.birthday(23),
            "periods": periods,
            "form": form,
            "editing": editing,
        },
    )


@require_http_methods(["GET", "POST"])
def extended_youth_care(request: HttpRequest, pk: int) -> HttpResponse:
    """The client's extended youth care, and the form to record a period."""
    client, access = client_open_for(
        user=request.user, pk=pk, what=WHAT, require=_caseworker_of_care_team
    )
    form = ExtendedYouthCareForm(request.POST or None, initial={"start": client.birthday(18)})
    if request.method == "POST" and form.is_valid():
        with service_refusals(request, form=form):
            extended_youth_care_register(client=client, actor=request.user, **form.cleaned_data)
            messages.success(request, _("The extended youth care is recorded."))
            return redirect("clients:extended_youth_care", pk=client.pk)
    return _page(request, client, access, form=form)


@require_http_methods(["GET", "POST"])
def extended_youth_care_change(request: HttpRequest, pk: int, care_pk: int) -> HttpResponse:
    """Change one period: its basis, decision or dates."""
    client, access = client_open_for(
        user=request.user, pk=pk, what=WHAT, require=_caseworker_of_care_team
    )
    care = extended_youth_care_get(client=client, pk=care_pk)
    if care is None:
        raise Http404
    initial = {field: getattr(care, field) for field in ExtendedYouthCareForm.base_fields}
    if not care.basis_known:
        initial.pop("basis")
    form = ExtendedYouthCareForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with service_refusals(request, form=form):
            extended_youth_care_update(care=care, actor=request.user, **form.cleaned_data)
            messages.success(request, _("The extended youth care is changed."))
            return redirect("clients:extended_youth_care", pk=client.pk)
    return _page(request, client, access, form=form, editing=care)


@require_POST
def extended_youth_care_end(request: HttpRequest, pk: int, care_pk: int) -> HttpResponse:
    """End one period early: the last day it pays."""
    client, _access = client_open_for(
        user=request.user, pk=pk, what=WHAT, require=_caseworker_of_care_team
    )
    care = extended_youth_care_get(client=client, pk=care_pk)
    if care is None:
        raise Http404
    form = ExtendedYouthCareEndForm(request.POST, prefix=f"end-{care.pk}")
    if form.is_valid():
        with service_refusals(request):
            extended_youth_care_stop(
                care=care, ended_on=form.cleaned_data["ended_on"], actor=request.user
            )
            messages.success(request, _("The extended youth care is ended."))
    else:
        messages.error(request, _("Give the last day of the extended youth care as a date."))
    return redirect("clients:extended_youth_care", pk=client.pk)
