"""The plan page of a client's trajectory, the plan's form, a goal added from the plan, and
an evaluation. The client through `client_open_for` (decided and logged) every time."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from apps.core.domains import Domain
from apps.core.views import service_refusals
from apps.trajectories.access import client_open_for
from apps.trajectories.forms import GoalForm
from apps.trajectories.models import GoalStatus
from apps.trajectories.selectors import trajectory_open_for_client
from apps.trajectories.services import goal_add

from .forms import EvaluationForm, PlanForm
from .models import DEFAULT_EVALUATION_WEEKS
from .rules import sees_plan_text, writes_plan
from .selectors import evaluations_for, goal_lines_for, plan_for_trajectory
from .services import evaluation_record, plan_save


def _context(client, access, **more):
    return {"client": client, "access": access, "display_name": access.name_of(client), **more}


@require_http_methods(["GET"])
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan, its goals per lane each with a line of scores, and the evaluations."""
    client, access = client_open_for(user=request.user, pk=pk, what="treatment plan")
    trajectory = trajectory_open_for_client(client=client)
    plan = plan_for_trajectory(trajectory=trajectory) if trajectory else None
    lanes = [domain for domain in Domain if domain.value in access.lanes]
    lines = goal_lines_for(trajectory=trajectory, lanes=access.lanes) if trajectory else []
    return render(
        request,
        "plans/plan_detail.html",
        _context(
            client,
            access,
            trajectory=trajectory,
            plan=plan,
            sees_plan_text=sees_plan_text(access),
            writes=writes_plan(access) and trajectory is not None,
            lines_by_lane=[
                (lane, [li for li in lines if li.goal.domain == lane]) for lane in lanes
            ],
            evaluations=evaluations_for(plan=plan, lanes=access.lanes) if plan else [],
            today=timezone.localdate(),
        ),
    )


@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    client, access = client_open_for(
        user=request.user, pk=pk, what="treatment plan form", require=writes_plan
    )
    trajectory = trajectory_open_for_client(client=client)
    plan = plan_for_trajectory(trajectory=trajectory) if trajectory else None
    initial = (
        {field: getattr(plan, field) for field in PlanForm.base_fields}
        if plan
        else {"evaluation_weeks": DEFAULT_EVALUATION_WEEKS}
    )
    form = PlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and trajectory is None:
        messages.error(request, _("This client has no open trajectory."))
    elif request.method == "POST" and form.is_valid():
        with service_refusals(request, form=form):
            plan_save(trajectory=trajectory, actor=request.user, **form.cleaned_data)
            messages.success(request, _("The plan is saved."))
            return redirect("plans:plan", pk=client.pk)
    return render(request, "plans/plan_form.html", _context(client, access, form=form, plan=plan))


@require_http_methods(["GET", "POST"])
def plan_goal_new(request: HttpRequest, pk: int) -> HttpResponse:
    client, access = client_open_for(
        user=request.user, pk=pk, what="treatment plan goal form", require=writes_plan
    )
    trajectory = trajectory_open_for_client(client=client)
    form = GoalForm(request.POST or None, lanes=access.lanes)
    if request.method == "POST" and trajectory is None:
        messages.error(request, _("This client has no open trajectory."))
    elif request.method == "POST" and form.is_valid():
        with service_refusals(request, form=form):
            goal_add(trajectory=trajectory, actor=request.user, **form.cleaned_data)
            messages.success(request, _("The goal is added."))
            return redirect("plans:plan", pk=client.pk)
    return render(request, "plans/goal_form.html", _context(client, access, form=form))


@require_http_methods(["GET", "POST"])
def evaluation_new(request: HttpRequest, pk: int) -> HttpResponse:
    client, access = client_open_for(
        user=request.user, pk=pk, what="evaluation form", require=writes_plan
    )
    trajectory = trajectory_open_for_client(client=client)
    plan = plan_for_trajectory(trajectory=trajectory) if trajectory else None
    goals = (
        trajectory.goals.filter(status=GoalStatus.OPEN).order_by("domain", "pk")
        if trajectory
        else []
    )
    form = EvaluationForm(
        request.POST or None,
        goals=goals,
        goal_label=lambda goal: f"{goal.get_domain_display()}: {goal.description[:80]}",
        initial={"date": timezone.localdate()},
    )
    if request.method == "POST" and plan is None:
        messages.error(request, _("Write and agree the plan before evaluating it."))
    elif request.method == "POST" and form.is_valid():
        with service_refusals(request, form=form):
            evaluation_record(
                plan=plan,
                on=form.cleaned_data["date"],
                text=form.cleaned_data["text"],
                scores=form.scores(),
                actor=request.user,
            )
            messages.success(request, _("The evaluation is saved."))
            return redirect("plans:plan", pk=client.pk)
    return render(
        request, "plans/evaluation_form.html", _context(client, access, form=form, plan=plan)
    )
