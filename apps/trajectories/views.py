"""The client pages: my clients, one client's integrated trajectory, emergency access."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from apps.accounts.models import Role
from apps.audit.models import AccessBasis, AccessEvent
from apps.audit.services import (
    access_log_record,
    access_log_record_many,
    break_glass_open,
    break_glass_permitted,
    break_glass_refused,
)
from apps.clients.models import Client
from apps.core.domains import Domain

from .access import client_open_for
from .forms import BreakGlassForm, ClientNumberForm, ClientSearchForm
from .selectors import (
    activity_list_for_client,
    allocation_list_for_client,
    care_team_for_client,
    client_search_for_user,
    goal_list_for_client,
    trajectory_open_for_client,
)

ACTIVITIES_PER_PAGE = 25


@require_http_methods(["GET"])
def client_list(request: HttpRequest) -> HttpResponse:
    """My clients: the caseload of the care teams the user is on, with a search."""
    form = ClientSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    clients = list(
        client_search_for_user(user=request.user, query=query).order_by("client_number")[:200]
    )
    access_log_record_many(
        user=request.user,
        clients=clients,
        event=AccessEvent.SEARCH if query else AccessEvent.VIEW,
        basis=AccessBasis.CARE_TEAM,
        detail="search" if query else "caseload list",
    )
    return render(
        request, "clients/client_list.html", {"form": form, "clients": clients, "query": query}
    )


@require_http_methods(["GET"])
def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One client's integrated trajectory: the lanes the user may see, goals, team, funding."""
    client, access = client_open_for(user=request.user, pk=pk, what="client page")
    lanes = [domain for domain in Domain if domain.value in access.lanes]
    activities = Paginator(
        activity_list_for_client(client=client, lanes=access.lanes), ACTIVITIES_PER_PAGE
    )
    context = {
        "client": client,
        "access": access,
        "display_name": access.name_of(client),
        "lanes": lanes,
        "trajectory": trajectory_open_for_client(client=client),
        "goals": goal_list_for_client(client=client, lanes=access.lanes),
        "activities": activities.get_page(request.GET.get("page")),
        "care_team": care_team_for_client(client=client) if access.sees_care_team else None,
        "allocations": allocation_list_for_client(client=client) if access.sees_funding else None,
    }
    return render(request, "clients/client_detail.html", context)


@require_http_methods(["GET", "POST"])
def client_break_glass(request: HttpRequest, pk: int) -> HttpResponse:
    """A caseworker outside the care team opens a client in an emergency, stating why."""
    client = Client.objects.filter(pk=pk).first()
    if client is None or not break_glass_permitted(user=request.user, client=client):
        break_glass_refused(user=request.user, client=client)
        raise Http404
    access_log_record(
        user=request.user,
        event=AccessEvent.VIEW,
        basis=AccessBasis.BREAK_THE_GLASS,
        client=client,
        detail="emergency access form (client number and pseudonym)",
        acting_role=Role.CASEWORKER,
    )
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            break_glass_open(user=request.user, client=client, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.warning(
                request, _("Emergency access is open for a limited time and is reviewed.")
            )
            return redirect("clients:detail", pk=client.pk)
    return render(request, "clients/client_break_glass.html", {"form": form, "client": client})


@require_http_methods(["GET"])
def client_break_glass_find(request: HttpRequest) -> HttpResponse:
    """Find a client outside one's care teams by exact client number, to break the glass."""
    if not request.user.has_role(Role.CASEWORKER):
        break_glass_refused(user=request.user, client=None)
        raise Http404
    form = ClientNumberForm(request.GET or None)
    if form.is_valid():
        client = Client.objects.filter(
            organisation_id=request.user.organisation_id,
            client_number=form.cleaned_data["client_number"],
        ).first()
        if client is not None:
            return redirect("clients:break_glass", pk=client.pk)
        form.add_error("client_number", _("No client with this number in your organisation."))
    return render(request, "clients/client_break_glass_find.html", {"form": form})
