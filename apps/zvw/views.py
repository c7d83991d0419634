"""The client's Zvw route page: a caseworker of the care team records the insurer, the
referral, the regiebehandelaar and the care-demand typing, and sees the prestaties derived
from the client's GGZ care from the 18th birthday (docs/zvw.md)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from apps.clients.models import HealthInsurance
from apps.core.views import service_refusals
from apps.trajectories.access import ClientAccess, client_open_for, part_not_of_client
from apps.trajectories.models import Activity

from .forms import CareDemandTypingForm, ConsultParticipantForm, ZvwRouteForm
from .models import CareDemandTyping
from .prestaties import ZVW_GGZ_KINDS, reason_text
from .route import ADULT_AGE, route_check, route_of
from .selectors import activity_derivation, price_for, zvw_activities_for_client
from .services import (
    ROUTE_FIELDS,
    care_demand_typing_record,
    consult_participant_add,
    zvw_route_save,
)

WHAT = "Zvw route"


def _caseworker_of_care_team(access: ClientAccess) -> bool:
    # Who decides on the client's care is its care team's caseworkers; never emergency access.
    return access.may_change_care_team


def _page(request, client, access, *, form, typing_form) -> HttpResponse:
    route = route_of(client)
    today = timezone.localdate()
    birthday = client.birthday(ADULT_AGE)
    rows = []
    for activity in zvw_activities_for_client(client=client)[:100]:
        derivation = activity_derivation(activity)
        prestaties = []
        for prestatie in derivation.prestaties:
            price = price_for(
                organisation_id=client.organisation_id,
                uzovi=route.uzovi if route else "",
                year=activity.date.year,
                prestatie=prestatie.key,
            )
            prestaties.append({"prestatie": prestatie, "price": price})
        rows.append(
            {
                "activity": activity,
                "present_form": ConsultParticipantForm(
                    organisation_id=client.organisation_id, prefix=f"present-{activity.pk}"
                ),
                "prestaties": prestaties,
                "reasons": [reason_text(reason) for reason in derivation.reasons],
            }
        )
    waiting = (
        Activity.objects.unfunded()
        .for_client(client)
        .filter(kind__in=ZVW_GGZ_KINDS, date__gte=birthday)
        .order_by("date", "pk")[:100]
    )
    return render(
        request,
        "zvw/route.html",
        {
            "client": client,
            "display_name": access.name_of(client),
            "birthday": birthday if access.sees_identity else None,
            "check": route_check(client=client, day=max(today, birthday), route=route),
            "route": route,
            "form": form,
            "typing_form": typing_form,
            "typings": CareDemandTyping.objects.filter(client=client).select_related("recorded_by")[
                :20
            ],
            "rows": rows,
            "waiting": waiting,
        },
    )


def _matched_message(request, matched) -> None:
    if matched:
        messages.info(
            request,
            ngettext(
                "%(count)s activity that waited is now paid by the insurer.",
                "%(count)s activities that waited are now paid by the insurer.",
                len(matched),
            )
            % {"count": len(matched)},
        )


@require_http_methods(["GET", "POST"])
def route(request: HttpRequest, pk: int) -> HttpResponse:
    """The client's Zvw route, its to-do, and the derived prestaties."""
    client, access = client_open_for(
        user=request.user, pk=pk, what=WHAT, require=_caseworker_of_care_team
    )
    route = route_of(client)
    initial = {}
    if route is None:
        # The insurer recorded in the client's funding facts on the 18th birthday, if any.
        insurance = (
            HealthInsurance.objects.filter(client=client, start__lte=client.birthday(ADULT_AGE))
            .order_by("-start")
            .first()
        )
        if insurance is not None:
            initial["uzovi"] = insurance.uzovi
    form = ZvwRouteForm(
        request.POST or None,
        instance=route,
        initial=initial,
        organisation_id=client.organisation_id,
    )
    if request.method == "POST" and form.is_valid():
        with service_refusals(request, form=form):
            fields = {name: form.cleaned_data.get(name) for name in ROUTE_FIELDS}
            fields = {
                name: ("" if value is None and name not in _NULLABLE else value)
                for name, value in fields.items()
            }
            _route, matched = zvw_route_save(client=client, actor=request.user, **fields)
            messages.success(request, _("The Zvw route is saved."))
            _matched_message(request, matched)
            return redirect("zvw:route", pk=client.pk)
    return _page(request, client, access, form=form, typing_form=CareDemandTypingForm())


_NULLABLE = frozenset({"insurance_checked_on", "referral_date", "regiebehandelaar"})


@require_POST
def typing_record(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a care-demand typing."""
    client, access = client_open_for(
        user=request.user, pk=pk, what=WHAT, require=_caseworker_of_care_team
    )
    typing_form = CareDemandTypingForm(request.POST)
    if typing_form.is_valid():
        with service_refusals(request, form=typing_form):
            _typing, matched = care_demand_typing_record(
                client=client, actor=request.user, **typing_form.cleaned_data
            )
            messages.success(request, _("The care-demand typing is recorded."))
            _matched_message(request, matched)
            return redirect("zvw:route", pk=client.pk)
    form = ZvwRouteForm(instance=route_of(client), organisation_id=client.organisation_id)
    return _page(request, client, access, form=form, typing_form=typing_form)


@require_POST
def participant_add(request: HttpRequest, pk: int, activity_pk: int) -> HttpResponse:
    """Record a practitioner present at one of the client's consults or group sessions."""
    client, _access = client_open_for(
        user=request.user, pk=pk, what=WHAT, require=_caseworker_of_care_team
    )
    activity = Activity.objects.recorded().for_client(client).filter(pk=activity_pk).first()
    if activity is None:
        raise part_not_of_client(user=request.user, client=client, what=WHAT)
    form = ConsultParticipantForm(
        request.POST, organisation_id=client.organisation_id, prefix=f"present-{activity.pk}"
    )
    if not form.is_valid():
        messages.error(request, _("Choose a practitioner of the organisation."))
        return redirect("zvw:route", pk=client.pk)
    with service_refusals(request):
        consult_participant_add(
            activity=activity, user=form.cleaned_data["user"], actor=request.user
        )
        messages.success(request, _("The practitioner is recorded as present."))
    return redirect("zvw:route", pk=client.pk)
