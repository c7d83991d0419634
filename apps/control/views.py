"""The funding pages: the manager's overview, alerts (managers and caseworkers), registering
an allocation, the funding mosaic and integral-funding pilots (managers)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.models import Organisation, Role, User
from apps.accounts.permissions import (
    CHANGE_ALLOCATION,
    REGISTER_ALLOCATION,
    VIEW_ALERTS,
    VIEW_ALLOCATIONS,
    VIEW_FUNDING_OVERVIEW,
    VIEW_MOSAIC,
    may,
)
from apps.audit.models import AccessBasis, AccessEvent, AccessOutcome
from apps.audit.services import access_log_record, access_log_record_many
from apps.core.links import url_for_each
from apps.core.paging import DeferredJoinPaginator
from apps.core.views import service_refusals
from apps.funding.figures import ENDS_SOON_DAYS, MOSTLY_USED_PERCENT
from apps.funding.models import AllocationStatus
from apps.trajectories.allocations import allocation_replace
from apps.trajectories.assignment import allocation_change, allocation_register
from apps.trajectories.models import TeamRole
from apps.trajectories.mosaic import funding_mosaic
from apps.trajectories.use import allocation_use, priced_by_product

from .alerts import (
    clients_as_caseworker,
    funding_alert_acknowledge,
    funding_alert_action_url,
    funding_alert_get_for,
    funding_alert_list_for_user,
)
from .forms import (
    AllocationChangeForm,
    AllocationRegisterForm,
    AllocationReplaceForm,
    PeriodForm,
    cents,
)
from .pilots import pilot_list
from .selectors import (
    absorbed_by_allocation,
    allocation_get_for,
    allocation_list_current,
    allocation_page_with_absorbed,
    allocation_page_with_use,
    allocations_registered_recently,
    caseload_per_worker,
    contract_ids,
    contract_list,
    unfunded_queue_rows,
    unfunded_queue_summary,
)

# The overview shows six lists on one page: each is paged, 25 rows at a time.
ALLOCATIONS_PER_PAGE = 25
QUEUE_ITEMS_PER_PAGE = 25
REGISTERED_PER_PAGE = 25
CONTRACTS_PER_PAGE = 25
CASELOAD_PER_PAGE = 25
ALERTS_PER_PAGE = 100
WHAT = "funding overview"


def _refused(user: User, what: str) -> Http404:
    """Log a refused look at a funding page; the page answers as if it did not exist."""
    access_log_record(
        user=user,
        event=AccessEvent.VIEW,
        basis=AccessBasis.NONE,
        outcome=AccessOutcome.REFUSED,
        detail=what,
    )
    return Http404()


def _organisation_if_may(request: HttpRequest, permission: str, what: str) -> Organisation:
    """The user's organisation when they hold the permission; otherwise a logged 404."""
    user = request.user
    if not may(user, permission):
        raise _refused(user, what)
    return user.organisation


def _other_parameters(request: HttpRequest, name: str) -> str:
    """The query string without ``name``: the other lists keep their page when one pages."""
    others = request.GET.copy()
    others.pop(name, None)
    return others.urlencode()


def _log_shown(user: User, clients, what: str) -> None:
    access_log_record_many(
        user=user,
        clients=list({client.pk: client for client in clients}.values()),
        event=AccessEvent.VIEW,
        basis=AccessBasis.MANAGEMENT,
        detail=what,
        acting_role=Role.MANAGER,
    )


@require_http_methods(["GET"])
def funding_overview(request: HttpRequest) -> HttpResponse:
    """Contracts, allocations with their use and forecast, the unfunded queue, what new
    allocations absorbed, pilots and caseloads (managers)."""
    organisation = _organisation_if_may(request, VIEW_FUNDING_OVERVIEW, WHAT)
    today = timezone.localdate()
    # Each list is cut to its page in SQL first; only the page's rows are summed.
    allocations = Paginator(
        allocation_list_current(organisation=organisation, today=today).values_list(
            "pk", flat=True
        ),
        ALLOCATIONS_PER_PAGE,
    ).get_page(request.GET.get("page"))
    allocations.object_list = allocation_page_with_use(
        ids=list(allocations.object_list), today=today
    )
    uses = allocation_use(allocations=allocations.object_list, today=today)
    for allocation in allocations:
        allocation.use = uses[allocation.pk]
    # The waiting care and the new allocations are paged as well (a page of each, in the
    # order of the groups), so that the page stays a page; only what is shown is built and
    # logged.
    summary = unfunded_queue_summary(organisation=organisation)
    queue_page = Paginator(range(summary.shown), QUEUE_ITEMS_PER_PAGE).get_page(
        request.GET.get("queue")
    )
    queue = unfunded_queue_rows(
        queue=summary, offset=queue_page.start_index() - 1, size=len(queue_page)
    )
    queue_page.object_list = queue.items
    queue_groups = [(group, group.items) for group in queue.groups]
    contracts = Paginator(contract_ids(organisation=organisation), CONTRACTS_PER_PAGE).get_page(
        request.GET.get("contracts")
    )
    contracts.object_list = list(
        contract_list(organisation=organisation, today=today, ids=list(contracts.object_list))
    )
    registered = Paginator(
        allocations_registered_recently(organisation=organisation, today=today).values_list(
            "pk", flat=True
        ),
        REGISTERED_PER_PAGE,
    ).get_page(request.GET.get("registered"))
    registered.object_list = allocation_page_with_absorbed(ids=list(registered.object_list))
    _log_shown(
        request.user,
        [allocation.client for allocation in allocations]
        + [item.client for item in queue_page]
        + [allocation.client for allocation in registered],
        WHAT,
    )
    context = {
        "organisation": organisation,
        "today": today,
        "contracts": contracts,
        "keep_for_contracts": _other_parameters(request, "contracts"),
        "allocations": allocations,
        "queue": queue,
        "queue_page": queue_page,
        "queue_groups": [(group, items) for group, items in queue_groups if items],
        "registered": registered,
        "keep_for_page": _other_parameters(request, "page"),
        "keep_for_queue": _other_parameters(request, "queue"),
        "keep_for_registered": _other_parameters(request, "registered"),
        "pilots": pilot_list(organisation=organisation),
        "open_alerts": funding_alert_list_for_user(user=request.user).count(),
        "team_roles": TeamRole.choices,
        # One query for every worker's counts; only a page of them is laid out.
        "caseload": Paginator(
            caseload_per_worker(organisation=organisation), CASELOAD_PER_PAGE
        ).get_page(request.GET.get("caseload")),
        "keep_for_caseload": _other_parameters(request, "caseload"),
        "ends_soon_days": ENDS_SOON_DAYS,
        "mostly_used_percent": MOSTLY_USED_PERCENT,
    }
    return render(request, "funding/funding_overview.html", context)


# --- alerts --------------------------------------------------------------------------------


@require_http_methods(["GET"])
def alert_list(request: HttpRequest) -> HttpResponse:
    """The funding alerts of a caseworker's own clients or a manager's organisation."""
    user = request.user
    if not may(user, VIEW_ALERTS):
        raise _refused(user, "funding alerts")
    show_resolved = request.GET.get("resolved") == "1"
    # The page's ids first, then its rows with client, allocation and funder (apps/core/paging.py).
    alerts = DeferredJoinPaginator(
        funding_alert_list_for_user(user=user, include_closed=show_resolved), ALERTS_PER_PAGE
    ).get_page(request.GET.get("page"))
    own = set(clients_as_caseworker(user).values_list("pk", flat=True))
    client_url = url_for_each("clients:detail")
    acknowledge_url = url_for_each("funding:alert_acknowledge")
    for alert in alerts:
        alert.on_care_team = alert.client_id in own  # the template's shielding filters ask it
        # Only the care team's caseworker can act on the cause (e.g. record extended care).
        alert.action_url = funding_alert_action_url(alert) if alert.on_care_team else None
        # Reversed once for the page, not twice a row in the template (apps/core/links.py).
        alert.client_url = client_url(alert.client_id)
        alert.acknowledge_url = acknowledge_url(alert.pk)
    on_team = [alert.client for alert in alerts if alert.client_id in own]
    others = [alert.client for alert in alerts if alert.client_id not in own]
    if on_team:
        access_log_record_many(
            user=user,
            clients=list({client.pk: client for client in on_team}.values()),
            event=AccessEvent.VIEW,
            basis=AccessBasis.CARE_TEAM,
            detail="funding alerts",
            acting_role=Role.CASEWORKER,
        )
    if others:
        _log_shown(user, others, "funding alerts")
    return render(
        request,
        "funding/alert_list.html",
        {"alerts": alerts, "show_resolved": show_resolved},
    )


@require_POST
def alert_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    alert = funding_alert_get_for(user=request.user, pk=pk)
    if alert is None:
        raise _refused(request.user, "funding alert")
    with service_refusals(request):
        funding_alert_acknowledge(alert=alert, actor=request.user)
        messages.success(request, _("Alert acknowledged. It is resolved when its cause is gone."))
    return redirect("funding:alerts")


# --- allocations ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def allocation_new(request: HttpRequest) -> HttpResponse:
    """Register a funder's allocation; it absorbs the client's waiting care at once."""
    organisation = _organisation_if_may(request, REGISTER_ALLOCATION, "register allocation")
    form = AllocationRegisterForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with service_refusals(request, form=form):
            allocation, _matched = allocation_register(
                client=data["client"],
                product=data["product"] if data["variant"] == "specific" else None,
                number=data["number"],
                volume=data["volume"],
                unit=data["unit"] or None,
                frequency=data["frequency"] or None,
                start=data["start"],
                end=data["end"],
                actor=request.user,
                variant=data["variant"],
                category=data["category"],
                contract=data["contract"],
                budget_cents=cents(data["budget"]),
            )
            return redirect("funding:allocation_detail", pk=allocation.pk)
    return render(request, "funding/allocation_form.html", {"form": form})


@require_http_methods(["GET"])
def allocation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One allocation: its use and forecast, and the waiting care it absorbed."""
    organisation = _organisation_if_may(request, VIEW_ALLOCATIONS, "allocation")
    allocation = allocation_get_for(organisation=organisation, pk=pk)
    if allocation is None:
        raise _refused(request.user, "allocation")
    today = timezone.localdate()
    absorbed = absorbed_by_allocation(allocation=allocation)
    _log_shown(request.user, [allocation.client], "allocation")
    return render(
        request,
        "funding/allocation_detail.html",
        {
            "allocation": allocation,
            "use": allocation_use(allocations=[allocation], today=today)[allocation.pk],
            "absorbed": absorbed,
            "absorbed_cents": sum(item.value_cents for item in absorbed),
            "may_change": may(request.user, CHANGE_ALLOCATION)
            and allocation.status == AllocationStatus.ACTIVE
            and not allocation.from_message,
            "replaced_by": list(allocation.replaced_by.order_by("pk")),
            "priced": priced_by_product(allocation=allocation),
        },
    )


def _allocation_to_change(request: HttpRequest, pk: int, what: str):
    """The organisation's allocation when the user may change allocations; a logged 404
    otherwise."""
    organisation = _organisation_if_may(request, CHANGE_ALLOCATION, what)
    allocation = allocation_get_for(organisation=organisation, pk=pk)
    # An allocation received as a JW301 / WMO301 changes only by the municipality's next message.
    if allocation is None or allocation.from_message:
        raise _refused(request.user, what)
    return allocation


@require_http_methods(["GET", "POST"])
def allocation_change_form(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an allocation as IV066 allows: end date, total volume, with a JZ002 reason."""
    allocation = _allocation_to_change(request, pk, "change allocation")
    form = AllocationChangeForm(request.POST or None, allocation=allocation)
    if request.method == "POST" and form.is_valid():
        with service_refusals(request, form=form):
            allocation_change(
                allocation=allocation,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                **form.changes(),
            )
            messages.success(request, _("Allocation changed; the care it funds was matched again."))
            return redirect("funding:allocation_detail", pk=allocation.pk)
    _log_shown(request.user, [allocation.client], "change allocation")
    return render(
        request, "funding/allocation_change.html", {"allocation": allocation, "form": form}
    )


@require_http_methods(["GET", "POST"])
def allocation_replace_form(request: HttpRequest, pk: int) -> HttpResponse:
    """Replace an allocation under a new number from a date (IV066), with a JZ002 reason."""
    allocation = _allocation_to_change(request, pk, "replace allocation")
    form = AllocationReplaceForm(request.POST or None, allocation=allocation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with service_refusals(request, form=form):
            new, _matched = allocation_replace(
                allocation=allocation,
                actor=request.user,
                reason=data["reason"],
                number=data["number"],
                volume=data.get("volume"),
                unit=data.get("unit") or None,
                frequency=data.get("frequency"),
                start=data["start"],
                end=data["end"],
                budget_cents=cents(data.get("budget")),
            )
            messages.success(
                request,
                _("Allocation %(old)s is replaced by %(new)s from %(start)s.")
                % {
                    "old": allocation.number,
                    "new": new.number,
                    "start": date_format(new.start, "SHORT_DATE_FORMAT"),
                },
            )
            return redirect("funding:allocation_detail", pk=new.pk)
    _log_shown(request.user, [allocation.client], "replace allocation")
    return render(
        request, "funding/allocation_replace.html", {"allocation": allocation, "form": form}
    )


# --- the funding mosaic --------------------------------------------------------------------


@require_http_methods(["GET"])
def mosaic(request: HttpRequest) -> HttpResponse:
    """How many funders, streams, contracts and allocations the organisation's care needs."""
    organisation = _organisation_if_may(request, VIEW_MOSAIC, "funding mosaic")
    form = PeriodForm(request.GET or None)
    period_start, period_end = form.period()
    access_log_record(
        user=request.user,
        event=AccessEvent.VIEW,
        basis=AccessBasis.MANAGEMENT,
        detail="funding mosaic",
        acting_role=Role.MANAGER,
    )
    return render(
        request,
        "funding/mosaic.html",
        {
            "form": form,
            "mosaic": funding_mosaic(
                organisation=organisation, period_start=period_start, period_end=period_end
            ),
        },
    )
