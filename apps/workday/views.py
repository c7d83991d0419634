"""The day page (the site's start page) and the manager's client search: thin views over the
sections (sections.py) and the selectors."""

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from apps.accounts.models import Role
from apps.accounts.permissions import SEARCH_CLIENTS, may
from apps.audit.models import AccessBasis, AccessEvent, AccessOutcome
from apps.audit.services import access_log_record, access_log_record_many

from .forms import ManagerClientSearchForm
from .sections import day_sections_for
from .selectors import client_search_for_manager

RESULTS_PER_PAGE = 25


@require_GET
def day(request: HttpRequest) -> HttpResponse:
    """What waits for this person today, in the sections that have something for them."""
    today = timezone.localdate()
    sections = day_sections_for(request, today=today)
    by_name = {section.name: section for section in sections}
    waiting = by_name.get("waiting")
    return render(
        request,
        "workday/day.html",
        {
            "today": today,
            "sections": sections,
            # How many received allocations wait (None: none, or the user cannot link them).
            "waiting_allocations": waiting.context["waiting_allocations"] if waiting else None,
        },
    )


def _refused(request: HttpRequest, what: str) -> Http404:
    access_log_record(
        user=request.user,
        event=AccessEvent.SEARCH,
        basis=AccessBasis.NONE,
        outcome=AccessOutcome.REFUSED,
        detail=what,
    )
    return Http404()


@require_GET
def client_search(request: HttpRequest) -> HttpResponse:
    """The manager's search of the organisation's clients: figures only, one page at a time,
    every client shown logged."""
    if not may(request.user, SEARCH_CLIENTS):
        raise _refused(request, "client search")
    form = ManagerClientSearchForm(request.GET if "q" in request.GET else None)
    page = None
    if form.is_valid():
        page = Paginator(
            client_search_for_manager(user=request.user, query=form.cleaned_data["q"]),
            RESULTS_PER_PAGE,
        ).get_page(request.GET.get("page"))
        clients = list(page.object_list)
        if clients:
            access_log_record_many(
                user=request.user,
                clients=clients,
                event=AccessEvent.SEARCH,
                basis=AccessBasis.MANAGEMENT,
                detail="client search",
                acting_role=Role.MANAGER,
            )
        else:
            access_log_record(
                user=request.user,
                event=AccessEvent.SEARCH,
                basis=AccessBasis.MANAGEMENT,
                detail="client search: no match",
                acting_role=Role.MANAGER,
            )
    return render(
        request,
        "workday/client_search.html",
        {"form": form, "page": page, "query": form.cleaned_data.get("q", "") if page else ""},
    )
