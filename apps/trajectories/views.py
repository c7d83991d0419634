"""The client pages: my clients, one client's integrated trajectory, emergency access."""

import json
from datetime import date, timedelta
from operator import attrgetter

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.models import Role
from apps.accounts.permissions import BREAK_THE_GLASS, CORRECT_ACTIVITY, may
from apps.audit.models import AccessBasis, AccessEvent, AccessOutcome
from apps.audit.services import access_log_record, access_log_record_many
from apps.clients.models import Client
from apps.core.domains import Domain
from apps.core.links import url_for_each
from apps.core.paging import DeferredJoinPaginator
from apps.core.views import service_refusals
from apps.trajectories.assignment import funding_preview
from apps.trajectories.mosaic import funding_mosaic

from .access import (
    ClosedLane,
    break_glass_open,
    break_glass_permitted,
    break_glass_refused,
    client_open_for,
)
from .consent_views import consent_rows
from .education import school_and_work_for
from .forms import (
    ActivityForm,
    BreakGlassForm,
    CareTeamJoinForm,
    ClientNumberForm,
    ClientSearchForm,
    DayPartsForm,
    GoalForm,
    GoalProgressForm,
    StayAdmitForm,
    StayDatesForm,
    StayDischargeForm,
    StayLeaveForm,
)
from .models import Activity, CareTeamMembership, DayPart, Goal, Stay, StayLeave, TeamRole
from .panels import client_list_columns_for, client_panels_for
from .presence import (
    day_parts_record,
    stay_admit,
    stay_change,
    stay_discharge,
    stay_leave_cancel,
    stay_leave_record,
)
from .selectors import (
    activity_list_for_client,
    allocation_use_for_client,
    care_team_for_client,
    caseload_with_attention,
    client_search_for_user,
    colleagues_for_care_team,
    day_attendance_week,
    funding_alerts_for_client,
    goal_list_for_client,
    stays_for_client,
    timeline_activities_for_client,
    timeline_rows,
    trajectory_open_for_client,
    unfunded_list_for_client,
)
from .services import activity_log, care_team_join, care_team_leave, goal_add, goal_update

ACTIVITIES_PER_PAGE = 25
# The client page's waiting activities: at most this many read (oldest first), of which the
# first UNFUNDED_SHOWN entries are shown with a link to the rest (issue 19: their reasons
# were the largest part of the page's rendering).
UNFUNDED_LIMIT = 50
UNFUNDED_SHOWN = 10


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
    caseload = caseload_with_attention(
        user=request.user, clients=clients, today=timezone.localdate()
    )
    headers, cells = client_list_columns_for(clients=clients, user=request.user)
    return render(
        request,
        "clients/client_list.html",
        {
            "form": form,
            "caseload": caseload,
            "query": query,
            # The extra columns of apps above this one (panels.client_list_column_register).
            "column_headers": headers,
            "rows": [(client, attention, cells[client.pk]) for client, attention in caseload],
        },
    )


@require_http_methods(["GET"])
def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One client's integrated trajectory: lanes on one timeline, goals, team, funding."""
    client, access = client_open_for(user=request.user, pk=pk, what="client page")
    for closed in access.closed_lanes:
        _lane_refused(request, client, access, closed)
    lanes = [domain for domain in Domain if domain.value in access.lanes]
    # A later page's ids first, then its rows with their joins: it no longer joins every
    # activity before it (apps/core/paging.py); the first page is one query, in index order.
    page = DeferredJoinPaginator(
        timeline_activities_for_client(client=client, lanes=access.lanes),
        ACTIVITIES_PER_PAGE,
        direct_first_page=True,
    ).get_page(request.GET.get("page"))
    goals = list(goal_list_for_client(client=client, lanes=access.lanes))
    trajectory = trajectory_open_for_client(client=client)
    today = timezone.localdate()
    context = {
        "client": client,
        "access": access,
        "display_name": access.name_of(client),
        "lanes": lanes,
        "trajectory": trajectory,
        "goals_by_lane": [(lane, [g for g in goals if g.domain == lane]) for lane in lanes],
        "activities": page,
        # Asked once for the page, not once per activity in the timeline (_activity.html).
        "may_correct_activity": may(request.user, CORRECT_ACTIVITY),
        "timeline": timeline_rows(
            activities=_with_links(client, page), lanes=[lane.value for lane in lanes]
        ),
        # A stay is one bar on the timeline, its nights folded into it (care lane only).
        "stays": (list(stays_for_client(client=client)) if Domain.CARE in access.lanes else []),
        "keeps_stays": _keeps_stays(access),
        "records_day_parts": _records_day_parts(access),
        "care_team": care_team_for_client(client=client) if access.sees_care_team else None,
        "allocations": (
            allocation_use_for_client(client=client, today=today) if access.sees_funding else None
        ),
        "alerts": (
            [
                (alert, alert.text_for(sees_identity=access.sees_identity))
                for alert in funding_alerts_for_client(client=client)
            ]
            if access.sees_funding
            else None
        ),
        "unfunded": (
            _unfunded_shown(
                _stay_nights_folded(
                    unfunded_list_for_client(client=client, lanes=access.lanes)[:UNFUNDED_LIMIT]
                ),
                show_all=request.GET.get("unfunded") == "all",
            )
            if access.sees_funding
            else None
        ),
        "unfunded_all_query": _query_with(request, unfunded="all"),
        **school_and_work_for(trajectory=trajectory, lanes=access.lanes),
        "panels": client_panels_for(request, client=client, access=access, trajectory=trajectory),
    }
    return render(request, "clients/client_detail.html", context)


@require_http_methods(["GET"])
def client_mosaic(request: HttpRequest, pk: int) -> HttpResponse:
    """The funding mosaic of a client's open trajectory over the last twelve months: what
    pays for its care. The client page loads it after itself (htmx, issue 19), as a part of
    the page; without JavaScript its link opens it as a page of its own. Its read is logged
    apart from the client page's; whoever does not see the client's funding is refused."""
    client, access = client_open_for(
        user=request.user, pk=pk, what="funding mosaic", require=attrgetter("sees_funding")
    )
    trajectory = trajectory_open_for_client(client=client)
    today = timezone.localdate()
    context = {
        "client": client,
        "display_name": access.name_of(client),
        "mosaic": (
            funding_mosaic(
                trajectory=trajectory,
                period_start=max(trajectory.start, today - timedelta(days=365)),
                period_end=today,
            )
            if trajectory is not None
            else None
        ),
    }
    if request.htmx:
        return render(request, "clients/_client_mosaic.html", context)
    return render(request, "clients/client_mosaic.html", context)


def _unfunded_shown(folded: list[Activity], *, show_all: bool) -> dict | None:
    """The waiting entries of the client page: the first ``UNFUNDED_SHOWN``, or all (at most
    ``UNFUNDED_LIMIT`` activities, folded) when asked; each with its reason's text, worked
    out once per distinct stored reason (several waiting activities share one) rather than
    once per entry in the template."""
    if not folded:
        return None
    shown = folded if show_all else folded[:UNFUNDED_SHOWN]
    texts: dict[str, str] = {}
    for activity in shown:
        key = json.dumps(activity.funding_reason, sort_keys=True, default=str)
        if key not in texts:
            texts[key] = activity.funding_reason_text
        activity.reason_text = texts[key]
    return {"count": len(folded), "shown": shown, "hidden": len(folded) - len(shown)}


def _query_with(request: HttpRequest, **values: str) -> str:
    """The request's query string with these values set (a link that keeps the page)."""
    query = request.GET.copy()
    for name, value in values.items():
        query[name] = value
    return query.urlencode()


def _with_links(client: Client, activities):
    """Each activity of a page with its links (``detail_url``, ``correct_url``): reversed
    once for the page, not twice per activity in the template (apps/core/links.py)."""
    detail = url_for_each("clients:activity_detail", client.pk)
    correct = url_for_each("clients:activity_correct", client.pk)
    for activity in activities:
        activity.detail_url = detail(activity.pk)
        activity.correct_url = correct(activity.pk)
    return activities


def _lane_refused(request: HttpRequest, client: Client, access, closed: ClosedLane) -> None:
    """A lane the user's team role gives but a missing consent closes: its read is refused,
    and logged so (the page shows why)."""
    access_log_record(
        user=request.user,
        event=AccessEvent.VIEW,
        basis=access.basis,
        outcome=AccessOutcome.REFUSED,
        client=client,
        detail=f"{closed.lane} lane: no valid consent to share with {closed.recipient}",
        acting_role=access.acting_role,
    )


# --- logging activities ------------------------------------------------------------------

LANE_PAGES = {
    None: ("clients/activity_form.html", "log activity form"),
    Domain.EDUCATION: ("clients/lane_schooling.html", "schooling record"),
    Domain.WORK: ("clients/lane_work.html", "work participation record"),
}
DEFAULT_LANE_OF_ROLE = {"teacher": Domain.EDUCATION, "job_coach": Domain.WORK}


def _may_log(access) -> bool:
    return access.may_log


def _manages_care_team(access) -> bool:
    return access.may_change_care_team


def _activity_form(request: HttpRequest, client: Client, access, lane, data=None):
    """The form of one lane: the lane posted, else the one asked for (?lane=), else the page's
    or the role's own; the lane's fields only, also without JavaScript."""
    lanes = access.lanes if lane is None else access.lanes & {lane}
    trajectory = trajectory_open_for_client(client=client)
    asked = (data or {}).get("domain") or request.GET.get("lane")
    chosen = lane or DEFAULT_LANE_OF_ROLE.get(access.acting_role, Domain.CARE)
    if asked in lanes:
        chosen = asked
    elif chosen not in lanes:
        chosen = next(iter(sorted(lanes)), None)
    form = ActivityForm(
        data,
        lanes=lanes,
        lane=chosen,
        sees_funding=access.sees_funding,
        goals=goal_list_for_client(client=client, lanes=lanes).filter(status="open"),
    )
    return form, trajectory


def _lane_links(request: HttpRequest, client: Client, access, form) -> list[dict]:
    """The other lanes the user may log in, as links (the general form only)."""
    if len(access.lanes) < 2:
        return []
    url = reverse("clients:activity_new", kwargs={"pk": client.pk})
    return [
        {
            "label": domain.label,
            "url": f"{url}?lane={domain.value}",
            "current": domain.value == form.lane,
        }
        for domain in Domain
        if domain.value in access.lanes
    ]


def _unsaved_activity(form, trajectory, user) -> Activity:
    data = form.cleaned_data
    return Activity(
        trajectory=trajectory,
        domain=data["domain"],
        kind=data["kind"],
        date=data["date"],
        duration_minutes=data.get("duration_minutes"),
        units=data.get("units"),
        attendance=data.get("attendance") or "",
        performed_by=user,
    )


@require_http_methods(["GET", "POST"])
def activity_new(request: HttpRequest, pk: int, lane: str | None = None) -> HttpResponse:
    """Log an activity (all lanes, or the schooling or work page of one lane)."""
    template, what = LANE_PAGES[lane]
    client, access = client_open_for(
        user=request.user,
        pk=pk,
        what=what,
        require=lambda access: access.may_log and (lane is None or lane in access.lanes),
    )
    form, trajectory = _activity_form(request, client, access, lane, request.POST or None)
    preview = None
    if trajectory is None:
        messages.error(request, _("This client has no open trajectory: open one first."))
    elif request.method == "POST" and form.is_valid():
        if "preview" in request.POST and access.sees_funding:
            preview = funding_preview(activity=_unsaved_activity(form, trajectory, request.user))
        else:
            data = form.cleaned_data
            with service_refusals(request, form=form):
                activity = activity_log(
                    trajectory=trajectory,
                    domain=data["domain"],
                    kind=data["kind"],
                    date=data["date"],
                    start_time=data["start_time"],
                    duration_minutes=data["duration_minutes"],
                    units=data["units"],
                    goal=data["goal"],
                    note=data["note"],
                    attendance=data["attendance"],
                    subject=data["subject"],
                    assessment=data["assessment"],
                    milestone=data["milestone"],
                    expected_funding=data["expected_funding"],
                    performed_by=request.user,
                    actor=request.user,
                )
                if access.sees_funding:
                    message = _("Saved. %(funding)s") % {"funding": activity.funding_reason_text}
                else:
                    message = _("Saved.")
                messages.success(request, message)
                target = "clients:detail" if lane is None else f"clients:{lane}"
                return redirect(
                    reverse(target, kwargs={"pk": client.pk}) + f"#activity-{activity.pk}"
                )
    record = None
    if lane is not None:
        record = DeferredJoinPaginator(
            activity_list_for_client(client=client, lanes=[lane]),
            ACTIVITIES_PER_PAGE,
            direct_first_page=True,
        ).get_page(request.GET.get("page"))
        _with_links(client, record)
    return render(
        request,
        template,
        {
            "client": client,
            "access": access,
            "display_name": access.name_of(client),
            "form": form,
            "preview": preview,
            "record": record,
            "may_correct_activity": may(request.user, CORRECT_ACTIVITY),
            "lane": lane,
            "lane_links": _lane_links(request, client, access, form) if lane is None else [],
        },
    )


@require_POST
def activity_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The htmx fragment that says, before saving, where the activity will be assigned."""
    client, access = client_open_for(
        user=request.user,
        pk=pk,
        what="funding preview",
        require=lambda access: access.may_log and access.sees_funding,
    )
    form, trajectory = _activity_form(request, client, access, None, request.POST)
    preview = None
    if trajectory is not None and form.is_valid():
        preview = funding_preview(activity=_unsaved_activity(form, trajectory, request.user))
    return render(request, "clients/_funding_preview.html", {"preview": preview, "form": form})


# --- goals and care team -----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def goal_new(request: HttpRequest, pk: int) -> HttpResponse:
    client, access = client_open_for(user=request.user, pk=pk, what="goal form", require=_may_log)
    trajectory = trajectory_open_for_client(client=client)
    form = GoalForm(request.POST or None, lanes=access.lanes)
    if request.method == "POST" and form.is_valid() and trajectory is not None:
        with service_refusals(request, form=form):
            goal_add(trajectory=trajectory, actor=request.user, **form.cleaned_data)
            messages.success(request, _("The goal is added."))
            return redirect("clients:detail", pk=client.pk)
    return render(
        request,
        "clients/goal_form.html",
        {"client": client, "display_name": access.name_of(client), "form": form},
    )


@require_POST
def goal_progress(request: HttpRequest, pk: int, goal_pk: int) -> HttpResponse:
    # The client through the door first (decided and logged), then the goal within it.
    client, access = client_open_for(
        user=request.user, pk=pk, what="goal progress", require=_may_log
    )
    goal = Goal.objects.filter(pk=goal_pk, trajectory__client=client).first()
    if goal is None or goal.domain not in access.lanes:
        access_log_record(
            user=request.user,
            event=AccessEvent.VIEW,
            basis=access.basis,
            outcome=AccessOutcome.REFUSED,
            client=client,
            detail="goal progress",
            acting_role=access.acting_role,
        )
        if goal is None:
            raise Http404
        raise PermissionDenied
    form = GoalProgressForm(request.POST)
    if form.is_valid():
        with service_refusals(request):
            goal_update(goal=goal, actor=request.user, **form.cleaned_data)
            messages.success(request, _("The goal's progress is saved."))
    else:
        messages.error(request, _("Progress is a percentage from 0 to 100."))
    return redirect(reverse("clients:detail", kwargs={"pk": client.pk}) + "#goals-title")


@require_http_methods(["GET", "POST"])
def care_team(request: HttpRequest, pk: int) -> HttpResponse:
    """The care team: caseworkers invite and remove colleagues."""
    client, access = client_open_for(
        user=request.user, pk=pk, what="care team", require=_manages_care_team
    )
    trajectory = trajectory_open_for_client(client=client)
    form = CareTeamJoinForm(
        request.POST or None,
        colleagues=colleagues_for_care_team(client=client),
        initial={"start": timezone.localdate(), "role": TeamRole.TEACHER},
    )
    if request.method == "POST" and form.is_valid() and trajectory is not None:
        with service_refusals(request, form=form):
            care_team_join(trajectory=trajectory, actor=request.user, **form.cleaned_data)
            messages.success(
                request, _("%(name)s joined the care team.") % {"name": form.cleaned_data["user"]}
            )
            return redirect("clients:care_team", pk=client.pk)
    return render(
        request,
        "clients/care_team.html",
        {
            "client": client,
            "display_name": access.name_of(client),
            "form": form,
            "memberships": care_team_for_client(client=client),
            "consents": consent_rows(client=client),
        },
    )


@require_POST
def care_team_remove(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    client, _access = client_open_for(
        user=request.user, pk=pk, what="care team", require=_manages_care_team
    )
    membership = CareTeamMembership.objects.filter(
        pk=membership_pk, trajectory__client=client
    ).first()
    if membership is None:
        raise Http404
    with service_refusals(request):
        care_team_leave(membership=membership, end=timezone.localdate(), actor=request.user)
        messages.success(request, _("%(name)s left the care team.") % {"name": membership.user})
    return redirect("clients:care_team", pk=client.pk)


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
        with service_refusals(request, form=form):
            break_glass_open(user=request.user, client=client, reason=form.cleaned_data["reason"])
            messages.warning(
                request, _("Emergency access is open for a limited time and is reviewed.")
            )
            return redirect("clients:detail", pk=client.pk)
    return render(request, "clients/client_break_glass.html", {"form": form, "client": client})


@require_http_methods(["GET"])
def client_break_glass_find(request: HttpRequest) -> HttpResponse:
    """Find a client outside one's care teams by exact client number, to break the glass."""
    if not may(request.user, BREAK_THE_GLASS):
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


# --- presence: residential stays and day parts --------------------------------------------


def _keeps_stays(access) -> bool:
    """Admission, discharge and leave are recorded by a caseworker of the care team only (not
    under emergency access, and not by a teacher or job coach)."""
    return access.basis == AccessBasis.CARE_TEAM and access.acting_role == Role.CASEWORKER


def _records_day_parts(access) -> bool:
    return access.may_log and Domain.CARE in access.lanes


def _stays_page(request, client, access, *, forms=None, status=200) -> HttpResponse:
    forms = forms or {}
    today = timezone.localdate()
    stays = list(stays_for_client(client=client))
    open_stay = next((stay for stay in stays if stay.discharged_on is None), None)
    for stay in stays:  # each stay's own form to correct its dates, prefilled
        stay.dates_form = (
            forms["dates"]
            if forms.get("dates_stay_pk") == stay.pk
            else StayDatesForm(
                initial={"admitted_on": stay.admitted_on, "discharged_on": stay.discharged_on},
                auto_id=f"id_stay{stay.pk}_%s",
            )
        )
    return render(
        request,
        "clients/stays.html",
        {
            "client": client,
            "access": access,
            "display_name": access.name_of(client),
            "trajectory": trajectory_open_for_client(client=client),
            "stays": stays,
            "open_stay": open_stay,
            "admit_form": forms.get("admit") or StayAdmitForm(initial={"admitted_on": today}),
            "discharge_form": forms.get("discharge")
            or StayDischargeForm(initial={"discharged_on": today}),
            "leave_form": forms.get("leave") or StayLeaveForm(),
            "blank_leave_form": StayLeaveForm(),
            "leave_stay_pk": forms.get("leave_stay_pk"),
        },
        status=status,
    )


def _stay_of(client: Client, stay_pk: int) -> Stay:
    stay = Stay.objects.filter(pk=stay_pk, trajectory__client=client).first()
    if stay is None:
        raise Http404
    return stay


def _stay_nights_folded(activities) -> list[Activity]:
    """The waiting activities, with the consecutive nights of one stay waiting for the same
    reason folded into one entry (``night_count``, ``last_night``): a stay is one bar, not a
    row a night. ``activities`` oldest first."""
    folded: list[Activity] = []
    for activity in activities:
        previous = folded[-1] if folded else None
        if (
            activity.stay_id is not None
            and previous is not None
            and previous.stay_id == activity.stay_id
            and previous.funding_reason == activity.funding_reason
            and previous.last_night + timedelta(days=1) == activity.date
        ):
            previous.night_count += 1
            previous.last_night = activity.date
            continue
        activity.night_count, activity.last_night = 1, activity.date
        folded.append(activity)
    return folded


@require_http_methods(["GET", "POST"])
def stays(request: HttpRequest, pk: int) -> HttpResponse:
    """The client's residential stays; admit the client to a new one."""
    client, access = client_open_for(
        user=request.user, pk=pk, what="residential stays", require=_keeps_stays
    )
    if request.method == "GET":
        return _stays_page(request, client, access)
    form = StayAdmitForm(request.POST)
    trajectory = trajectory_open_for_client(client=client)
    if trajectory is None:
        form.add_error(None, _("This client has no open trajectory: open one first."))
    elif form.is_valid():
        with service_refusals(request, form=form):
            stay = stay_admit(trajectory=trajectory, actor=request.user, **form.cleaned_data)
            messages.success(
                request,
                _("Admitted on %(day)s.")
                % {"day": date_format(stay.admitted_on, "SHORT_DATE_FORMAT")},
            )
            return redirect("clients:stays", pk=client.pk)
    return _stays_page(request, client, access, forms={"admit": form})


@require_POST
def stay_discharge_view(request: HttpRequest, pk: int, stay_pk: int) -> HttpResponse:
    client, access = client_open_for(
        user=request.user, pk=pk, what="residential stays", require=_keeps_stays
    )
    stay = _stay_of(client, stay_pk)
    form = StayDischargeForm(request.POST)
    if form.is_valid():
        with service_refusals(request, form=form):
            stay_discharge(stay=stay, actor=request.user, **form.cleaned_data)
            messages.success(request, _("The discharge is recorded."))
            return redirect("clients:stays", pk=client.pk)
    return _stays_page(request, client, access, forms={"discharge": form})


@require_POST
def stay_dates(request: HttpRequest, pk: int, stay_pk: int) -> HttpResponse:
    """Correct a stay's admission or discharge date; exactly the nights that change follow."""
    client, access = client_open_for(
        user=request.user, pk=pk, what="residential stays", require=_keeps_stays
    )
    stay = _stay_of(client, stay_pk)
    form = StayDatesForm(request.POST)
    if form.is_valid():
        with service_refusals(request, form=form):
            stay_change(stay=stay, actor=request.user, **form.cleaned_data)
            messages.success(request, _("The dates of the stay are corrected."))
            return redirect("clients:stays", pk=client.pk)
    return _stays_page(request, client, access, forms={"dates": form, "dates_stay_pk": stay.pk})


@require_POST
def stay_leave(request: HttpRequest, pk: int, stay_pk: int) -> HttpResponse:
    client, access = client_open_for(
        user=request.user, pk=pk, what="residential stays", require=_keeps_stays
    )
    stay = _stay_of(client, stay_pk)
    form = StayLeaveForm(request.POST)
    if form.is_valid():
        with service_refusals(request, form=form):
            stay_leave_record(stay=stay, actor=request.user, **form.cleaned_data)
            messages.success(request, _("The leave is recorded."))
            return redirect("clients:stays", pk=client.pk)
    return _stays_page(request, client, access, forms={"leave": form, "leave_stay_pk": stay.pk})


@require_POST
def stay_leave_cancel_view(request: HttpRequest, pk: int, leave_pk: int) -> HttpResponse:
    client, _access = client_open_for(
        user=request.user, pk=pk, what="residential stays", require=_keeps_stays
    )
    leave = StayLeave.objects.filter(pk=leave_pk, stay__trajectory__client=client).first()
    if leave is None:
        raise Http404
    with service_refusals(request):
        stay_leave_cancel(leave=leave, actor=request.user)
        messages.success(request, _("The leave is cancelled."))
    return redirect("clients:stays", pk=client.pk)


def _monday_of(value: str | None):
    today = timezone.localdate()
    try:
        day = date.fromisoformat(value) if value else today
    except ValueError:
        day = today
    return day - timedelta(days=day.weekday())


@require_http_methods(["GET", "POST"])
def day_parts(request: HttpRequest, pk: int) -> HttpResponse:
    """Tick the day parts a client attended a day activity on one day; the week at a glance."""
    client, access = client_open_for(
        user=request.user, pk=pk, what="day-part attendance", require=_records_day_parts
    )
    trajectory = trajectory_open_for_client(client=client)
    initial_day = request.GET.get("date")
    form = DayPartsForm(request.POST or None, initial={"date": initial_day or timezone.localdate()})
    if request.method == "POST":
        if trajectory is None:
            form.add_error(None, _("This client has no open trajectory: open one first."))
        elif form.is_valid():
            data = form.cleaned_data
            with service_refusals(request, form=form):
                day_parts_record(
                    trajectory=trajectory,
                    date=data["date"],
                    day_parts=data["day_parts"],
                    actor=request.user,
                )
                messages.success(
                    request,
                    ngettext(
                        "%(count)s day part recorded on %(day)s.",
                        "%(count)s day parts recorded on %(day)s.",
                        len(data["day_parts"]),
                    )
                    % {
                        "count": len(data["day_parts"]),
                        "day": date_format(data["date"], "SHORT_DATE_FORMAT"),
                    },
                )
                return redirect(
                    reverse("clients:day_parts", kwargs={"pk": client.pk})
                    + f"?week={data['date'].isoformat()}"
                )
    shown = request.GET.get("week") or (form.data.get("date") if form.is_bound else None)
    monday = _monday_of(shown)
    return render(
        request,
        "clients/day_parts.html",
        {
            "client": client,
            "access": access,
            "display_name": access.name_of(client),
            "form": form,
            "trajectory": trajectory,
            "week": day_attendance_week(client=client, monday=monday),
            "day_part_choices": DayPart.choices,
            "previous_week": (monday - timedelta(days=7)).isoformat(),
            "next_week": (monday + timedelta(days=7)).isoformat(),
        },
    )
