"""The manager's overview of the organisation's funding."""

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from apps.accounts.models import Role
from apps.audit.models import AccessBasis, AccessEvent, AccessOutcome
from apps.audit.services import access_log_record, access_log_record_many
from apps.trajectories.models import TeamRole

from .selectors import (
    ENDS_SOON_DAYS,
    MOSTLY_USED_PERCENT,
    allocation_list_with_use,
    caseload_per_worker,
    contract_list,
    unfunded_queue,
)

ALLOCATIONS_PER_PAGE = 50
WHAT = "funding overview"


@require_http_methods(["GET"])
def funding_overview(request: HttpRequest) -> HttpResponse:
    """Contracts, allocations with their use, the unfunded queue and caseloads (managers)."""
    user = request.user
    if not user.has_role(Role.MANAGER) or user.organisation_id is None:
        access_log_record(
            user=user,
            event=AccessEvent.VIEW,
            basis=AccessBasis.NONE,
            outcome=AccessOutcome.REFUSED,
            detail=WHAT,
        )
        raise Http404
    organisation = user.organisation
    today = timezone.localdate()
    allocations = Paginator(
        allocation_list_with_use(organisation=organisation, today=today), ALLOCATIONS_PER_PAGE
    ).get_page(request.GET.get("page"))
    queue = unfunded_queue(organisation=organisation)
    shown = {allocation.client.pk: allocation.client for allocation in allocations}
    shown.update((item.client.pk, item.client) for item in queue.items)
    access_log_record_many(
        user=user,
        clients=list(shown.values()),
        event=AccessEvent.VIEW,
        basis=AccessBasis.MANAGEMENT,
        detail=WHAT,
        acting_role=Role.MANAGER,
    )
    context = {
        "organisation": organisation,
        "today": today,
        "contracts": contract_list(organisation=organisation, today=today),
        "allocations": allocations,
        "queue": queue,
        "team_roles": TeamRole.choices,
        "caseload": caseload_per_worker(organisation=organisation),
        "ends_soon_days": ENDS_SOON_DAYS,
        "mostly_used_percent": MOSTLY_USED_PERCENT,
    }
    return render(request, "funding/funding_overview.html", context)
